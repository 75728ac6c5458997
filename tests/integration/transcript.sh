#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The Bro transcript as a test: a manager, a proxy and two workers on this
# host, driven through `shoalctl --base DIR` one command at a time --
# check, install, start, status, netstats and capstats (each only when the
# command exists; skipped with a message until then), stop -- while the
# workers sniff live links.
#
# The host is a network namespace of its own (so its ports and captures
# touch nothing else), with two veth links whose other ends are in a
# second namespace, the tap.  A trace from shoal-synth is split in two by
# address pair (both directions of a session on one link) and tcpreplay
# plays each half into one link at the trace's own pace.  After `stop`,
# the manager's conn.log, dns.log, http.log and known_hosts.log hold the
# rows of a standalone run over the whole trace file with the same
# shoal.cfg, each once (times aside: a capture stamps packets when it sees
# them; connection time-outs longer than the replay: see ctl_etc).
#
# Root only (namespaces, capture); skipped otherwise, when namespaces
# cannot be made, or when libzmq has no CURVE.  About 15 s.
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
. "$top_srcdir/tests/integration/ctl.sh"
netns_need
need_curve
command -v tcpreplay >/dev/null || skip "needs tcpreplay (contrib/setup.sh installs it)"
command -v tcpdump >/dev/null || skip "needs tcpdump to split the trace (contrib/setup.sh installs it)"
out=$(mktmp)
base="$out/shoal"

# ---- the host and its links
netns_add host
netns_add tap
veth_add "$NS_tap" tap1 "$NS_host" sniff1
veth_add "$NS_tap" tap2 "$NS_host" sniff2

# ---- the installation: etc/ as a user writes it
ctl_etc "$base" localhost sniff1 sniff2

# ---- the traffic, and what a standalone node makes of it
t="$out/t.pcap"
"$SYNTH" -q -o "$t" -s 11 --size 4M || fail "shoal-synth failed"
mkdir -p "$out/sa"
"$SHOAL" --no-progress -r "$t" -l "$out/sa" -c "$base/etc/shoal.cfg" \
    --networks "$base/etc/networks.cfg" 2>"$out/sa.err" || fail "standalone run failed"
trace_split "$t" "$out/h1.pcap" "$out/h2.pcap"
n1=$(pcap_packets "$out/h1.pcap")
n2=$(pcap_packets "$out/h2.pcap")
echo "trace: $(pcap_packets "$t") packets; sniff1 gets $n1, sniff2 gets $n2"

# ---- the session
ctl_init "$base" "$NS_host"
netns_at_exit ctl_stop_all
ctl check 0 '^worker-2 is ok\.' check
for n in manager proxy-1 worker-1; do
    grep -q "^$n is ok\.$" "$CTL_OUT" || fail "check: no '$n is ok.'"
done
ctl install 0 '^updating nodes \.\.\. done\.' install
ctl start 0 '^starting worker-2 \.\.\.' start
ctl status 0 '^worker-2 +worker +localhost +running +[0-9]+ ' status
for n in "manager +manager" "proxy-1 +proxy" "worker-1 +worker"; do
    grep -qE "^$n +localhost +running +[0-9]+ " "$CTL_OUT" || fail "status: not '$n ... running'"
done

# netstats: per worker, what its capture received (nothing yet, then
# every packet of its half of the trace, none dropped).
netstats_check() { # WANT1 WANT2
    if ! has_command netstats; then
        echo "SKIP netstats: shoalctl has no netstats command yet"
        return 0
    fi
    ctl netstats 0 "^worker-1: .*recvd=$1 " netstats
    grep -qE "^worker-2: .*recvd=$2 dropped=0 " "$CTL_OUT" || fail "netstats: worker-2 not recvd=$2"
    grep -qE "^worker-1: .*dropped=0 " "$CTL_OUT" || fail "netstats: worker-1 dropped packets"
    ! grep -qE '^(manager|proxy-1):' "$CTL_OUT" || fail "netstats: lists a node that sniffs nothing"
}
# capstats: packets and Mbit/s per host/interface over a second, and the total.
capstats_check() {
    if ! has_command capstats; then
        echo "SKIP capstats: shoalctl has no capstats command yet"
        return 0
    fi
    ctl capstats 0 'localhost/sniff1' capstats 1
    grep -q 'localhost/sniff2' "$CTL_OUT" && grep -qi '^total' "$CTL_OUT" ||
        fail "capstats: not every interface, or no total"
}

netstats_check 0 0
replay "$NS_tap" tap1 "$out/h1.pcap"
r1=$REPLAY_PID
replay "$NS_tap" tap2 "$out/h2.pcap"
r2=$REPLAY_PID
capstats_check
replay_wait "$r1"
replay_wait "$r2"
ctl_wait_packets worker-1 "$n1"
ctl_wait_packets worker-2 "$n2"
netstats_check "$n1" "$n2"
ctl stop 0 '^stopping manager \.\.\.' stop
ctl stopped 0 '^worker-2 +worker +localhost +stopped' status
[ "$(grep -c ' stopped' "$CTL_OUT")" = 4 ] || fail "status: not every node stopped"

# ---- what the manager wrote
logs=""
for d in "$base/logs/current" "$base/logs" "$base/spool/manager"; do
    [ -f "$d/conn.log" ] && { logs=$d; break; }
done
[ -n "$logs" ] || fail "the manager wrote no conn.log"
tail -n 1 "$logs/conn.log" | grep -q '^#close' || fail "$logs/conn.log is not closed"
python3 "$top_srcdir/tests/integration/logrows.py" --ignore ts,duration,rtt \
    "$out/sa" "$logs" conn dns http known_hosts ||
    fail "the manager's logs are not the standalone rows of the replayed trace"
echo "$((CTL_PASSED + 1)) passed, 0 failed"
