#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Shared state across a cluster on loopback: 1 manager, 1 proxy and 2
# workers splitting a synthesised trace (symmetric in the address pair)
# that holds an address scan of 40 hosts on port 22 and a port scan of 30
# ports of one host, both from 198.51.100.7.
#  1. The address scan's probes are split between the workers so that
#     neither sees 25 (checked with standalone runs over each half: no
#     Address_Scan there); the cluster's proxy adds them up: the manager's
#     notice.log holds exactly one Scan::Address_Scan and one
#     Scan::Port_Scan, raised by the proxy (peer_descr proxy-1).
#  2. known_hosts.log holds each local host once, the same hosts as a
#     standalone run.
#  3. The same trace through both workers again: no new notice (the keys
#     stay crossed for their interval, the manager suppresses repeats for
#     an hour) and no host logged twice (once a day).
# Skipped when libzmq has no CURVE.
. "$(dirname "$0")/common.sh"
need_curve

out=$(mktmp)

# Ports from the PID inside 10000-19999 (cluster.sh takes 20000-29999).
base=$((10000 + ($$ % 400) * 25))
SCANNER=198.51.100.7

rows() { # log file -> its data rows
    grep -v '^#' "$1" 2>/dev/null || true
}


"$SYNTH" -q -o "$out/t.pcap" -s 7 --size 2M --summary "$out/t.json" \
    --scan "addr:$SCANNER:22:40:dur=30" --scan "port:$SCANNER:10.0.1.9:30:dur=20" ||
    fail "shoal-synth failed"

# ---- standalone: the whole trace and each half ----
for run in all h1 h2; do
    mkdir -p "$out/$run"
    case $run in
        all) f="" ;;
        h1) f=$SPLIT_HALF1 ;;
        h2) f=$SPLIT_HALF2 ;;
    esac
    "$SHOAL" --no-progress -q -r "$out/t.pcap" ${f:+-f "$f"} -l "$out/$run" 2>"$out/$run.err" ||
        { cat "$out/$run.err"; fail "standalone run ($run) failed"; }
done
[ "$(notes "$out/all/notice.log" | awk '{print $1}' | tr '\n' ' ')" = \
    "Scan::Address_Scan Scan::Port_Scan " ] ||
    { cat "$out/all/notice.log"; fail "standalone: expected one Address_Scan and one Port_Scan"; }
for h in h1 h2; do
    n=$(awk -F '\t' -v s="$SCANNER" '!/^#/ && $3 == s && $6 == 22 && $5 ~ /^10\.99\.0\./' \
        "$out/$h/conn.log" | wc -l)
    echo "half $h: $n address-scan probes"
    [ "$n" -gt 0 ] && [ "$n" -lt 25 ] ||
        fail "the split does not spread the address scan below the threshold ($h: $n probes)"
    notes "$out/$h/notice.log" | grep -q Address_Scan &&
        fail "standalone over half $h already sees the address scan"
done
want_hosts=$(column "$out/all/known_hosts.log" host | sort)
[ -n "$want_hosts" ] || fail "standalone wrote no known_hosts.log"

# ---- the cluster ----
L="$out/c/layout.cfg"
mkdir -p "$out/c/logs"
"$SHOAL" --gen-layout "$L" --workdir-base "$out/c/spool" --keys "$out/c/keys" \
    --manager manager --proxy proxy-1 --worker worker-1 --worker worker-2 --base-port "$base" ||
    fail "shoal --gen-layout failed"
"$SHOAL" --node manager --layout "$L" -l "$out/c/logs" 2>"$out/c/manager.err" &
mpid=$!
PIDS="$PIDS $mpid"
"$SHOAL" --node proxy-1 --layout "$L" 2>"$out/c/proxy.err" &
ppid=$!
PIDS="$PIDS $ppid"

workers() { # round
    "$SHOAL" --no-progress --node worker-1 --layout "$L" -r "$out/t.pcap" -f "$SPLIT_HALF1" \
        2>"$out/c/w1.$1.err" &
    w1=$!
    PIDS="$PIDS $w1"
    "$SHOAL" --no-progress --node worker-2 --layout "$L" -r "$out/t.pcap" -f "$SPLIT_HALF2" \
        2>"$out/c/w2.$1.err" || { cat "$out/c/w2.$1.err"; fail "worker-2 failed (round $1)"; }
    wait $w1 || { cat "$out/c/w1.$1.err"; fail "worker-1 failed (round $1)"; }
    grep -h 'counting .* here' "$out/c/w1.$1.err" "$out/c/w2.$1.err" &&
        fail "a worker counted the scan itself: it did not reach the proxy (round $1)"
}

# Wait until the manager's notice.log has $1 rows (at most 10 s).
wait_notices() {
    i=0
    while [ "$(rows "$out/c/logs/notice.log" | wc -l)" -lt "$1" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}

workers 1
wait_notices 2
# The proxy's counters over its control port: every local host and both
# scans crossed there.
"$SHOAL" --layout "$L" --control proxy-1 counters >"$out/c/ctl.out" 2>&1 ||
    { cat "$out/c/ctl.out"; fail "the proxy did not answer its control port"; }
crossed=$(awk '$1 == "proxy.crossed" { print $2 }' "$out/c/ctl.out")
echo "proxy-1: $(grep -E 'proxy\.(updates|crossed)' "$out/c/ctl.out" | tr -s ' \n' ' ')"
[ "$crossed" = $(($(echo "$want_hosts" | wc -l) + 2)) ] ||
    { cat "$out/c/ctl.out"; fail "proxy.crossed is ${crossed:-missing}, want the hosts + 2 scans"; }
workers 2
sleep 1 # let a wrong second notice arrive, if there is one
kill -TERM $ppid
wait $ppid || { cat "$out/c/proxy.err"; fail "the proxy did not stop cleanly"; }
kill -TERM $mpid
wait $mpid || { cat "$out/c/manager.err"; fail "the manager did not stop cleanly"; }
grep -h 'notices written' "$out/c/manager.err"

got=$(notes "$out/c/logs/notice.log")
echo "$got" | sed 's/^/notice: /'
[ "$got" = "Scan::Address_Scan $SCANNER 22 proxy-1
Scan::Port_Scan $SCANNER - proxy-1" ] ||
    { cat "$out/c/logs/notice.log"; fail "expected exactly one Address_Scan and one Port_Scan from proxy-1"; }

got_hosts=$(column "$out/c/logs/known_hosts.log" host | sort)
dups=$(echo "$got_hosts" | uniq -d | head -n 3)
[ -z "$dups" ] || fail "known_hosts.log has hosts more than once: $dups"
[ "$got_hosts" = "$want_hosts" ] ||
    fail "known_hosts.log: $(echo "$got_hosts" | wc -l) hosts, standalone $(echo "$want_hosts" | wc -l)"
echo "ok: one notice per scan from the proxy over 2 rounds; $(echo "$got_hosts" | wc -l) known hosts, each once"
