# SPDX-License-Identifier: BSD-3-Clause
# Helpers of the tests that build hosts and links of their own (sourced
# after common.sh): network namespaces, veth pairs between them, and
# traces split and replayed into a link with tcpreplay.
# Everything made here goes at exit: the processes the test started and
# those left in its namespaces (by pid), then the namespaces, which take
# their veth ends with them.
#
#   netns_need                  skip (77) unless root with ip(8)
#   netns_add TAG               a namespace (loopback up, IPv6 off, so no
#                               router solicitation lands in a capture);
#                               its name in $NS_<TAG>; skips (77) when
#                               the kernel refuses one
#   veth_add NS1 IF1 NS2 IF2    a veth pair, up, with a jumbo MTU so that
#                               any frame of a trace passes
#   replay NS IF TRACE [OPTS]   tcpreplay TRACE out of IF at the trace's own
#                               pace (its timeouts hold), in the background;
#                               its pid in $REPLAY_PID
#   trace_split TRACE H1 H2     H1, H2: the trace's two halves by address
#                               pair (SPLIT_HALF1/2 of common.sh), tcpdump
#   pcap_packets TRACE          how many packets TRACE holds
#   link_rx NS IF               the frames link IF of namespace NS took in
#   replay_wait PID             wait for a replay; fail with its output if
#                               it failed
#   netns_diag                  what became of the frames: each link's
#                               counters (drops before any capture) and
#                               each replay's report so far

netns_need() {
    [ "$(id -u)" = 0 ] || skip "needs root (network namespaces, capture)"
    command -v ip >/dev/null || skip "needs iproute2 (ip)"
}

NETNS_ALL=""
REPLAY_PIDS=""
# Called at exit before common.sh's cleanup: a test adds its own steps
# (stopping its cluster) in front with `netns_at_exit CMD`.
NETNS_EXIT_CMDS=""
netns_at_exit() {
    NETNS_EXIT_CMDS="$*; $NETNS_EXIT_CMDS"
}
netns_teardown() {
    set +e
    eval "$NETNS_EXIT_CMDS"
    for p in $PIDS; do
        kill -CONT "$p" 2>/dev/null
        kill -9 "$p" 2>/dev/null
    done
    PIDS=""
    # What still runs inside a namespace of the test was started for it
    # (a node that would not stop, a remote host's processes): by pid.
    for n in $NETNS_ALL; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$n" 2>/dev/null
    done
    cleanup
}
trap netns_teardown EXIT

netns_add() {
    _n="shoal$1$$"
    ip netns add "$_n" 2>/dev/null || skip "cannot create a network namespace here"
    NETNS_ALL="$NETNS_ALL $_n"
    ip netns exec "$_n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
    ip -n "$_n" link set lo up || fail "$_n: cannot bring lo up"
    eval "NS_$1=\$_n"
}

veth_add() {
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
        skip "cannot create a veth pair here"
    ip -n "$1" link set "$2" mtu 9000 up && ip -n "$3" link set "$4" mtu 9000 up ||
        fail "cannot bring up the veth pair $2/$4"
}

replay() {
    command -v tcpreplay >/dev/null || fail "tcpreplay is not installed (contrib/setup.sh installs it)"
    _n=$1 _if=$2 _t=$3
    shift 3
    ip netns exec "$_n" tcpreplay -q -i "$_if" "$@" "$_t" >"$_t.replay" 2>&1 &
    REPLAY_PID=$!
    PIDS="$PIDS $REPLAY_PID"
    REPLAY_PIDS="$REPLAY_PIDS $REPLAY_PID"
    eval "REPLAY_OUT_$REPLAY_PID=\$_t.replay"
}

replay_wait() {
    wait "$1" || { eval "cat \"\$REPLAY_OUT_$1\""; fail "tcpreplay (pid $1) failed"; }
}

netns_diag() {
    for n in $NETNS_ALL; do
        echo "links of $n:"
        ip -s -n "$n" link show 2>&1 | sed 's/^/  /'
    done
    for p in $REPLAY_PIDS; do
        eval "_o=\$REPLAY_OUT_$p"
        echo "tcpreplay (pid $p, $_o):"
        sed 's/^/  /' "$_o" 2>/dev/null
    done
}

trace_split() {
    command -v tcpdump >/dev/null || fail "tcpdump is not installed (contrib/setup.sh installs it)"
    tcpdump -r "$1" -w "$2" "$SPLIT_HALF1" 2>/dev/null &&
        tcpdump -r "$1" -w "$3" "$SPLIT_HALF2" 2>/dev/null ||
        fail "tcpdump could not split $1"
}

pcap_packets() {
    python3 -c 'import struct, sys
f = open(sys.argv[1], "rb"); f.read(24); n = 0
while True:
    h = f.read(16)
    if len(h) < 16: break
    f.seek(struct.unpack("<IIII", h)[2], 1); n += 1
print(n)' "$1"
}

# link_rx NS IF: the frames link IF of namespace NS took in so far.
link_rx() {
    ip -n "$1" -s -j link show "$2" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}
