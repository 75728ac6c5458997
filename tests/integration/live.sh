#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Live capture: `shoal -i` on one end of a veth pair whose other end lives in
# a network namespace of our own; datagrams sent from the namespace must be
# in conn.log after SIGTERM, which has to stop the node cleanly (exit 0,
# every log flushed and closed).  Needs root and iproute2; skipped otherwise.
. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, raw capture)"
command -v ip >/dev/null || skip "needs iproute2 (ip)"
ns="shoaltest$$"
host_if="shl$$a"
peer_if="shl$$b"
out=$(mktmp)
teardown() {
    ip link del "$host_if" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    cleanup
}
trap teardown EXIT
ip netns add "$ns" || skip "cannot create a network namespace here"
ip link add "$host_if" type veth peer name "$peer_if" netns "$ns" ||
    skip "cannot create a veth pair here"
ip addr add 10.199.0.1/24 dev "$host_if"
ip link set "$host_if" up
ip -n "$ns" addr add 10.199.0.2/24 dev "$peer_if"
ip -n "$ns" link set "$peer_if" up
ip -n "$ns" link set lo up

mkdir -p "$out/logs"
# -C: veth hands the capture packets whose checksums the kernel left to be
# filled in by offload, as a NIC would.
"$SHOAL" -q --no-progress -C -i "$host_if" -f 'udp or icmp' -l "$out/logs" 2>"$out/stderr" &
pid=$!
sleep 1.5
# Three datagrams from one socket: one connection.  Nothing listens, so the
# ICMP unreachable makes the next write fail once (sending nothing): retry.
ip netns exec "$ns" bash -c 'exec 3>/dev/udp/10.199.0.1/5999; n=0
    for i in 1 2 3 4 5 6 7 8 9; do
        echo "shoal live test" >&3 2>/dev/null && n=$((n + 1))
        [ $n -ge 3 ] && break
        sleep 0.2
    done' || true
sleep 0.5
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { cat "$out/stderr"; fail "shoal -i exited with status $rc after SIGTERM"; }
log="$out/logs/conn.log"
[ -f "$log" ] || { cat "$out/stderr"; fail "no conn.log after SIGTERM"; }
grep -q '^#close' "$log" || fail "conn.log was not closed (#close missing)"
row=$(awk -F'\t' '/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
    !/^#/ && $col["id.resp_p"] == 5999 { print $col["id.orig_h"], $col["proto"], $col["orig_pkts"] }' "$log")
[ "$row" = "10.199.0.2 udp 3" ] || { cat "$log"; fail "expected '10.199.0.2 udp 3', got '$row'"; }
echo "1 passed, 0 failed"
