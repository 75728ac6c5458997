#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Overload, then recovery.  `shoal -i` on one end of a veth pair gets half
# of the time (SIGSTOP and SIGCONT in turn, 200 ms each) while tcpreplay
# sends a flow-dense synthesised trace into the other end at top speed --
# several times what the node can take then (the figures line says how
# much it received of what was offered): the node keeps up what it can, and every frame the interface took
# in is either received or reported dropped.  Its connection table is
# capped far below the trace's connections (conn.max_conns), so the
# oldest are evicted and counted, and its peak memory stays under a bound
# set by that cap.  Then the load falls: the node runs freely while a
# second trace arrives at a modest rate, and stats.log (one row a second)
# shows packets processed and no drop after the overload ended.
# Root only (namespaces, capture); skipped otherwise.  About 30 s.
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
netns_need
command -v tcpreplay >/dev/null || skip "needs tcpreplay (contrib/setup.sh installs it)"
out=$(mktmp)

netns_add host
netns_add tap
veth_add "$NS_tap" tap1 "$NS_host" sniff1
"$SYNTH" -q -o "$out/t1.pcap" -s 5 --conns 60000 --mix dns=70,tcp=20,icmp=10 ||
    fail "shoal-synth failed"
"$SYNTH" -q -o "$out/t2.pcap" -s 6 --conns 1500 --mix dns=70,tcp=20,icmp=10 ||
    fail "shoal-synth failed"
max_conns=5000 buffer_mb=16
cat >"$out/shoal.cfg" <<CFG
conn: { max_conns = $max_conns; };
stats: { interval = 1.0; capture_loss_interval = 0.0; };
plugins: { pcap: { buffer_mb = $buffer_mb; }; };
CFG

mkdir -p "$out/logs"
rx0=$(link_rx "$NS_host" sniff1)
ip netns exec "$NS_host" "$SHOAL" --no-progress -C -i sniff1 -l "$out/logs" -c "$out/shoal.cfg" \
    2>"$out/stderr" &
pid=$!
PIDS="$PIDS $pid"
sleep 1.5

# Phase 1: the trace at top speed, the node running half of the time.
touch "$out/throttle"
(
    while [ -e "$out/throttle" ]; do
        kill -STOP $pid 2>/dev/null
        sleep 0.2
        kill -CONT $pid 2>/dev/null
        sleep 0.2
    done
) &
throttle=$!
t0=$(date +%s.%N)
replay "$NS_tap" tap1 "$out/t1.pcap" --topspeed
replay_wait "$REPLAY_PID"
t1=$(date +%s.%N)
rm "$out/throttle"
wait $throttle
kill -CONT $pid
sleep 3 # the node catches up with its capture buffer
overload_end=$(date +%s)

# Phase 2: the load falls.
replay "$NS_tap" tap1 "$out/t2.pcap" --pps 2000
replay_wait "$REPLAY_PID"
sleep 2.5
hwm=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' /proc/$pid/status)
kill -TERM $pid
wait $pid || { cat "$out/stderr"; fail "shoal did not stop cleanly"; }
took=$(($(link_rx "$NS_host" sniff1) - rx0))
cat "$out/stderr"

sent1=$(pcap_packets "$out/t1.pcap")
received=$(sed -n 's/.*: \([0-9]*\) packets, .*/\1/p' "$out/stderr")
lost=$(sed -n 's/.*capture lost [0-9]* packets (\([0-9]*\) dropped before the node.*/\1/p' "$out/stderr")
evicted=$(sed -n 's/.* \([0-9]*\) evicted)$/\1/p' "$out/stderr")
rate=$(echo "$sent1 $t0 $t1" | awk '{ printf "%d", $1 / ($3 - $2) }')
echo "overload: $sent1 frames offered at $rate/s with the node running half of the time;" \
    "the interface took in $took in all, shoal received ${received:-?}, reported ${lost:-no}" \
    "dropped; ${evicted:-?} connections evicted at max_conns $max_conns; peak RSS $hwm kB"
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no drop reported: the node was not overloaded"
diff=$((took - received - lost))
[ "${diff#-}" -le 5 ] ||
    fail "received $received + dropped $lost = $((received + lost)), the interface took in $took"
[ -n "$evicted" ] && [ "$evicted" -gt 0 ] ||
    fail "no connection evicted though the trace holds 12 times max_conns"
# The capture buffer, what the node holds besides its connections
# (plugins, libpcap, log buffers: well under 80 MiB) and each connection
# far under 4 KiB.  (Not under ASan, whose shadow and quarantine are more.)
bound=$((buffer_mb * 1024 + 80 * 1024 + max_conns * 4))
[ -n "${SHOAL_SANITIZERS:-}" ] || [ "$hwm" -le "$bound" ] ||
    fail "peak RSS $hwm kB over the bound $bound kB for max_conns $max_conns, buffer_mb $buffer_mb"

# Recovery: the stats.log rows written after the overload ended show
# packets and no drop.
python3 - "$out/logs/stats.log" "$overload_end" <<'PY' || fail "the node did not recover"
import sys
from zeeklog import tsv
path, end = sys.argv[1], float(sys.argv[2])
rows = tsv(path)
during = [r for r in rows if float(r["ts"]) <= end - 1]
after = [r for r in rows if float(r["ts"]) > end + 1]
dropped = lambda rs: sum(int(r["pkts_dropped"]) for r in rs if r["pkts_dropped"] != "-")
proc = sum(int(r["pkts_proc"]) for r in after)
print("stats.log: %d rows during the overload, %d dropped; %d after it, %d packets, %d dropped"
      % (len(during), dropped(during), len(after), proc, dropped(after)))
if dropped(during) == 0 or proc == 0 or dropped(after) != 0:
    sys.exit(1)
PY
echo "ok: overloaded, every frame received or reported dropped, memory under its bound, recovered"
