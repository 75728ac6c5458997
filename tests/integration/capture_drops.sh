#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Capture drops are counted and said, against the interface's own count:
# `shoal -i` on one end of a veth pair is stopped (SIGSTOP) while tcpreplay
# sends a synthesised trace into the other end at top speed, so the
# kernel's capture buffer overflows; after SIGCONT and SIGTERM the node's
# summary reports the loss, its stats.log adds the same drops up, and what
# it received plus what it reports dropped is what the interface took in.
# The capture buffer is cut to 1 MiB (the trace is about 9 MB) so that it
# overflows.
# Root only (namespaces, capture); skipped otherwise.  About 15 s.
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
netns_need
command -v tcpreplay >/dev/null || skip "needs tcpreplay (contrib/setup.sh installs it)"
out=$(mktmp)

netns_add host
netns_add tap
veth_add "$NS_tap" tap1 "$NS_host" sniff1
"$SYNTH" -q -o "$out/t.pcap" -s 3 --conns 20000 --mix dns=70,icmp=30 || fail "shoal-synth failed"
sent=$(pcap_packets "$out/t.pcap")

mkdir -p "$out/logs"
echo 'plugins: { pcap: { buffer_mb = 1; }; };' >"$out/shoal.cfg"
rx0=$(link_rx "$NS_host" sniff1)
ip netns exec "$NS_host" "$SHOAL" --no-progress -C -c "$out/shoal.cfg" -i sniff1 -l "$out/logs" 2>"$out/stderr" &
pid=$!
PIDS="$PIDS $pid"
sleep 1.5
kill -STOP $pid
replay "$NS_tap" tap1 "$out/t.pcap" --topspeed
replay_wait "$REPLAY_PID"
kill -CONT $pid
sleep 2
kill -TERM $pid
wait $pid || { cat "$out/stderr"; fail "shoal did not stop cleanly"; }
took=$(($(link_rx "$NS_host" sniff1) - rx0))
cat "$out/stderr"

received=$(sed -n 's/.*: \([0-9]*\) packets, .*/\1/p' "$out/stderr")
lost=$(sed -n 's/.*capture lost [0-9]* packets (\([0-9]*\) dropped before the node.*/\1/p' "$out/stderr")
echo "sent $sent, the interface took in $took, shoal received ${received:-?} and reports ${lost:-no} dropped"
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no capture loss reported after a stopped node's buffer overflowed"
# The interface may also see a few frames of its own (none with IPv6 off).
diff=$((took - received - lost))
[ "${diff#-}" -le 5 ] ||
    fail "received $received + dropped $lost = $((received + lost)), the interface took in $took"
in_log=$(awk -F '\t' '/^#fields/ { for (i = 2; i <= NF; i++) if ($i == "pkts_dropped") c = i - 1 }
    !/^#/ && c { s += $c } END { print s + 0 }' "$out/logs/stats.log")
[ "$in_log" = "$lost" ] || fail "stats.log adds up $in_log dropped packets, the summary $lost"
echo "ok: every frame the interface took in was received or reported dropped"
