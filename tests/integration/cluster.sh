#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A cluster on loopback: 1 manager and 2 workers from a generated layout
# (shoal --gen-layout), the workers splitting one trace by a BPF expression
# symmetric in the address pair.
#  1. The manager's conn.log, dns.log and http.log equal a standalone run's
#     over the whole trace, as multisets of rows ignoring uid and fuids.
#  2. kill -9 of the manager while the workers run, then a restart: the rows
#     of the killed manager's files (data rows only: they are not closed)
#     plus the new manager's equal the standalone rows, each once.
#  3. A worker whose key is not in the allowed list: refused, the refusal
#     logged with its address, nothing written for it.
# Skipped when libzmq has no CURVE.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to compare the logs"
need_curve

out=$(mktmp)

# Ports from the PID, inside 20000-29999; each layout takes 5 of them.
base=$((20000 + ($$ % 400) * 25))

HALF1=$SPLIT_HALF1
HALF2=$SPLIT_HALF2

packets() { # stderr file of a run -> packet count of its summary line
    sed -n 's/.*: \([0-9][0-9]*\) packets,.*/\1/p' "$1" | tail -n 1
}

# ---- 1. the cluster writes what standalone writes ----
"$SYNTH" -q -o "$out/t.pcap" -s 5 --size 8M || fail "shoal-synth failed"
mkdir -p "$out/sa" "$out/h1" "$out/h2"
"$SHOAL" --no-progress -r "$out/t.pcap" -l "$out/sa" 2>"$out/sa.err" || fail "standalone run failed"
"$SHOAL" --no-progress -r "$out/t.pcap" -l "$out/h1" -f "$HALF1" 2>"$out/h1.err" ||
    fail "standalone run with the first half filter failed"
"$SHOAL" --no-progress -r "$out/t.pcap" -l "$out/h2" -f "$HALF2" 2>"$out/h2.err" ||
    fail "standalone run with the second half filter failed"
all=$(packets "$out/sa.err")
n1=$(packets "$out/h1.err")
n2=$(packets "$out/h2.err")
echo "split: $all packets = $n1 (worker-1) + $n2 (worker-2)"
[ -n "$all" ] && [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ $((n1 + n2)) -eq "$all" ] ||
    fail "the half filters do not split the trace (${n1:-?} + ${n2:-?} != ${all:-?})"

L1="$out/c1/layout.cfg"
mkdir -p "$out/c1"
"$SHOAL" --gen-layout "$L1" --workdir-base "$out/c1/spool" --keys "$out/c1/keys" \
    --manager manager --worker worker-1 --worker worker-2 --base-port "$base" ||
    fail "shoal --gen-layout failed"
"$SHOAL" -v --node manager --layout "$L1" 2>"$out/c1/manager.err" &
mpid=$!
PIDS="$PIDS $mpid"
t0=$(date +%s.%N)
"$SHOAL" --no-progress --node worker-1 --layout "$L1" -r "$out/t.pcap" -f "$HALF1" \
    2>"$out/c1/w1.err" &
w1=$!
PIDS="$PIDS $w1"
"$SHOAL" --no-progress --node worker-2 --layout "$L1" -r "$out/t.pcap" -f "$HALF2" \
    2>"$out/c1/w2.err" || { cat "$out/c1/w2.err"; fail "worker-2 failed"; }
wait $w1 || { cat "$out/c1/w1.err"; fail "worker-1 failed"; }
t1=$(date +%s.%N)
kill -TERM $mpid
wait $mpid || { cat "$out/c1/manager.err"; fail "the manager did not stop cleanly"; }
echo "scenario 1: workers done and acknowledged in $(echo "$t1 - $t0" | bc 2>/dev/null || echo ?) s"
grep -h 'log records in' "$out/c1/manager.err"
m1="$out/c1/spool/manager"
tail -n 1 "$m1/conn.log" | grep -q '^#close' || fail "the manager's conn.log has no #close line"
compare "$out/sa" "$m1" conn dns http || fail "cluster logs differ from standalone"

# ---- 2. kill -9 of the manager in the middle of the run, then a restart ----
"$SYNTH" -q -o "$out/big.pcap" -s 7 --conns 60000 --mix dns=80,icmp=20 ||
    fail "shoal-synth failed (big trace)"
mkdir -p "$out/sab"
"$SHOAL" --no-progress -r "$out/big.pcap" -l "$out/sab" 2>/dev/null ||
    fail "standalone run over the big trace failed"
L2="$out/c2/layout.cfg"
mkdir -p "$out/c2"
"$SHOAL" --gen-layout "$L2" --workdir-base "$out/c2/spool" --keys "$out/c2/keys" \
    --manager manager --worker worker-1 --worker worker-2 --base-port $((base + 5)) ||
    fail "shoal --gen-layout failed"
m2="$out/c2/spool/manager"
"$SHOAL" --node manager --layout "$L2" 2>"$out/c2/manager1.err" &
mpid=$!
PIDS="$PIDS $mpid"
"$SHOAL" --no-progress --node worker-1 --layout "$L2" -r "$out/big.pcap" -f "$HALF1" \
    --batch-records 256 2>"$out/c2/w1.err" &
w1=$!
"$SHOAL" --no-progress --node worker-2 --layout "$L2" -r "$out/big.pcap" -f "$HALF2" \
    --batch-records 256 2>"$out/c2/w2.err" &
w2=$!
PIDS="$PIDS $w1 $w2"
# Kill the manager once it has written a few thousand rows.
i=0
while [ $i -lt 1000 ]; do
    n=$(cat "$m2"/conn.log "$m2"/dns.log 2>/dev/null | grep -vc '^#')
    [ "$n" -ge 3000 ] && break
    sleep 0.01
    i=$((i + 1))
done
kill -9 $mpid
wait $mpid 2>/dev/null
running=""
kill -0 $w1 2>/dev/null && running="$running worker-1"
kill -0 $w2 2>/dev/null && running="$running worker-2"
killed_rows=$(cat "$m2"/conn.log "$m2"/dns.log "$m2"/http.log 2>/dev/null | grep -vc '^#')
echo "scenario 2: manager killed (-9) after $killed_rows rows; still running:${running:- none}"
sleep 0.5
"$SHOAL" -v --node manager --layout "$L2" 2>"$out/c2/manager2.err" &
mpid=$!
PIDS="$PIDS $mpid"
wait $w1 || { cat "$out/c2/w1.err"; fail "worker-1 failed across the manager restart"; }
wait $w2 || { cat "$out/c2/w2.err"; fail "worker-2 failed across the manager restart"; }
kill -TERM $mpid
wait $mpid || { cat "$out/c2/manager2.err"; fail "the restarted manager did not stop cleanly"; }
grep -h 'previous run\|log records in' "$out/c2/manager2.err"
compare "$out/sab" "$m2" conn dns ||
    fail "records lost or repeated across kill -9 of the manager"

# ---- 3. a worker with a key that is not allowed ----
mkdir -p "$out/c3" "$out/c3/logs"
"$SHOAL" --gen-layout "$out/c3/other.cfg" --workdir-base "$out/c3/spool" --keys "$out/c3/keys" \
    --manager manager --worker worker-1 --worker worker-2 --base-port $((base + 10)) ||
    fail "shoal --gen-layout failed (other keys)"
# The first cluster's layout, but worker-1 holds the other cluster's key.
sed "s#$out/c1/keys/worker-1.key#$out/c3/keys/worker-1.key#" "$L1" >"$out/c3/rogue.cfg"
grep -q "$out/c3/keys/worker-1.key" "$out/c3/rogue.cfg" || fail "could not make the rogue layout"
"$SHOAL" --node manager --layout "$L1" -l "$out/c3/logs" 2>"$out/c3/manager.err" &
mpid=$!
PIDS="$PIDS $mpid"
if "$SHOAL" --no-progress --node worker-1 --layout "$out/c3/rogue.cfg" -r "$out/t.pcap" \
    -f "$HALF1" --ack-timeout 2 2>"$out/c3/rogue.err"; then
    fail "a worker with a key not in the allowed list had its logs acknowledged"
fi
grep -h 'not acknowledged' "$out/c3/rogue.err" | grep -q "tcp://localhost:$base" ||
    { cat "$out/c3/rogue.err"; fail "the refused worker does not name the manager's endpoint"; }
ls "$out/c3/logs"/*.log >/dev/null 2>&1 && fail "the manager wrote logs for a refused worker"
# The manager still serves the allowed worker.
"$SHOAL" --no-progress --node worker-2 --layout "$L1" -r "$out/t.pcap" -f "$HALF2" \
    2>"$out/c3/w2.err" || { cat "$out/c3/w2.err"; fail "worker-2 failed after the refusal"; }
kill -TERM $mpid
wait $mpid || { cat "$out/c3/manager.err"; fail "the manager did not stop cleanly (scenario 3)"; }
grep -h 'refused a peer at' "$out/c3/manager.err" | head -n 1
grep -q 'refused a peer at 127\.0\.0\.1' "$out/c3/manager.err" ||
    { cat "$out/c3/manager.err"; fail "the refusal is not logged with the peer's address"; }
compare "$out/h2" "$out/c3/logs" conn dns http ||
    fail "the manager wrote other rows than the allowed worker's"
echo "cluster: all scenarios passed"
