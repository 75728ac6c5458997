#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# One-step set-up for a fresh Debian machine: installs the build
# dependencies (when run as root, or through sudo), builds Shoal out of
# tree in ./build (installing it under ./build/install, as users run it),
# then either runs the demo or the whole test suite.
#
#   contrib/setup.sh demo    synthesise a mixed trace and run a standalone node on it,
#                            then a local cluster through shoalctl (as root: the
#                            workers sniff veth links that tcpreplay feeds the trace)
#   contrib/setup.sh check   unit + integration tests, the same again under
#                            ASan/UBSan, every fuzz target briefly, make distcheck
#   contrib/setup.sh build   only install and build
#
# Environment: SHOAL_NO_DEPS=1 skips the package installation;
# FUZZ_SECONDS (default 20) is the time per fuzz target in `check`.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
what=${1:-demo}
jobs=$(nproc 2>/dev/null || echo 2)

DEPS="build-essential autoconf automake libtool pkg-config libltdl-dev libpcap-dev
libzmq3-dev libconfig-dev libcunit1-dev libmsgpack-dev libxxhash-dev zlib1g-dev libcap-ng-dev
libedit-dev libssl-dev python3 clang libclang-rt-dev clang-format iproute2 git rsync openssh-client
openssh-server tcpreplay tcpdump"

step() {
    printf '\n== %s\n' "$*"
}

install_deps() {
    [ "${SHOAL_NO_DEPS:-0}" = 1 ] && return 0
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || {
            echo "setup: not root and no sudo: install these Debian packages first:" $DEPS
            return 0
        }
        sudo=sudo
    fi
    step "installing Debian packages"
    $sudo apt-get update -q
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $DEPS
}

# build DIR [configure args...]: configure (once) and build in DIR.
build() {
    dir=$1
    shift
    [ -x "$top/configure" ] || { step "autogen"; "$top/autogen.sh"; }
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ]; then
        step "configure in $dir $*"
        (cd "$dir" && "$top/configure" "$@")
    fi
    step "build in $dir"
    make -C "$dir" -j"$jobs"
}

demo() {
    b="$top/build"
    shoal="$b/install/bin/shoal"
    d="$b/demo"
    mkdir -p "$d/logs"
    t="$d/mixed-scan.pcap"
    step "synthesising a mixed trace with an address scan and a port scan ($t)"
    [ -f "$t" ] || "$b/install/bin/shoal-synth" -o "$t" -s 1 --size 200M --summary "$d/truth.json" \
        --scan addr:198.51.100.7:22:40 --scan port:198.51.100.7:10.0.1.9:30
    # The site's networks (where shoal-synth puts its internal hosts), for
    # conn.log's local_orig/local_resp: the same file for both runs.
    printf '%s\n' '10.0.0.0/8          Private IP space' '172.16.0.0/12       Private IP space' \
        '192.168.0.0/16      Private IP space' 'fd00:5a17::/32      Internal IPv6 (ULA)' \
        >"$d/networks.cfg"
    # Connection time-outs longer than the trace (58 s): a live replay that
    # lags behind the trace's pace on a busy machine then makes the same
    # connections as the trace file (the SYNs of one attempt, 3 s apart in
    # the file, may arrive more than tcp_syn_timeout's 5 s apart).  The same
    # shoal.cfg for both runs.
    k='tcp_syn_timeout|tcp_(close|reset|partial_close)_delay|(udp|icmp|other)_inactivity_timeout'
    sed -E "s/^( *($k) *=) *[0-9.]+;/\\1 120.0;/" "$b/install/etc/shoal/shoal.cfg" >"$d/shoal.cfg"
    step "running a standalone node: shoal -r $t -l $d/logs -c $d/shoal.cfg --networks $d/networks.cfg"
    rm -f "$d"/logs/*.log
    "$shoal" -r "$t" -l "$d/logs" -c "$d/shoal.cfg" --networks "$d/networks.cfg"
    step "logs written to $d/logs"
    for f in "$d"/logs/*.log; do
        printf '  %-16s %8d records\n' "$(basename "$f")" "$(grep -vc '^#' "$f")"
    done
    printf '\nconn_state counts in conn.log:\n'
    awk -F'\t' '/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
        !/^#/ { n[$col["conn_state"]]++ } END { for (s in n) printf "  %-7s %d\n", s, n[s] }' \
        "$d/logs/conn.log" | sort
    printf '\nnotice.log:\n'
    notices "$d/logs/notice.log"
    printf '\nGround truth of the synthesiser: %s\n' "$d/truth.json"
    demo_cluster "$b" "$d" "$t"
}

notices() { # notice.log -> note and msg of each row
    awk -F'\t' '/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
        !/^#/ { p = $col["peer_descr"]; printf "  %-20s %s%s\n", $col["note"], $col["msg"],
                p == "-" ? "" : " (raised by " p ")" }' "$1"
}

# The same trace through a local cluster that shoalctl installs, starts,
# watches and stops: a manager, a proxy and two workers, each worker
# sniffing a link of its own.  The cluster's host is a network namespace
# (its ports and captures touch nothing else) with two veth links whose
# far ends are in a second namespace, the tap; tcpreplay plays into each
# link one half of the trace, split by address pair (both directions of a
# session on one link), at the trace's own pace, as a tap on a real link
# would hand it over.  Root only (namespaces, live capture).
DEMO_NS=shoal-demo
DEMO_TAP=shoal-demo-tap

demo_cleanup() {
    for n in $DEMO_NS $DEMO_TAP; do
        ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$n" 2>/dev/null || true
    done
}

# shoalctl ARGS: run the installed shoalctl on the cluster's host, saying so.
demo_ctl() {
    printf '\n[ShoalControl] > %s\n' "$*"
    ip netns exec "$DEMO_NS" "$ctl" --base "$c" "$@"
}

# demo_wait_capture WORKER REPLAY_OUTPUT: wait (a minute at most) until the
# worker has taken from its capture ring every packet tcpreplay sent,
# asking it over its control port.
demo_wait_capture() {
    sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$2")
    i=0
    while [ $i -lt 300 ]; do
        got=$(ip netns exec $DEMO_NS "$b/install/bin/shoal" --layout "$c/spool/installed/layout.cfg" \
            --control "$1" counters 2>/dev/null | awk '$1 == "capture.received" { print $2 }')
        [ "${got:-0}" -ge "${sent:-0}" ] && return 0
        sleep 0.2
        i=$((i + 1))
    done
    echo "$1 captured ${got:-no} of the $sent packets sent to it"
}

demo_cluster() {
    b=$1
    d=$2
    t=$3
    c="$d/cluster"
    ctl="$b/install/bin/shoalctl"
    step "a local cluster driven by shoalctl: 1 manager, 1 proxy, 2 workers on live links"
    if [ "$(id -u)" != 0 ]; then
        echo "the cluster part needs root (network namespaces, live capture): sudo contrib/setup.sh demo"
        return 0
    fi
    for p in ip tcpreplay tcpdump; do
        command -v $p >/dev/null || {
            echo "the cluster part needs $p (iproute2, tcpreplay, tcpdump): contrib/setup.sh installs them"
            return 0
        }
    done
    demo_cleanup
    trap demo_cleanup EXIT
    ip netns add $DEMO_NS && ip netns add $DEMO_TAP || {
        echo "cannot create network namespaces here: no cluster part"
        return 0
    }
    for n in $DEMO_NS $DEMO_TAP; do
        ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 >/dev/null
        ip -n "$n" link set lo up
    done
    for i in 1 2; do
        ip link add "tap$i" netns $DEMO_TAP type veth peer name "sniff$i" netns $DEMO_NS
        ip -n $DEMO_TAP link set "tap$i" mtu 9000 up
        ip -n $DEMO_NS link set "sniff$i" mtu 9000 up
    done
    rm -rf "$c"
    mkdir -p "$c/etc"
    printf '%s\n' '[manager]' 'type=manager' 'host=localhost' '' '[proxy-1]' 'type=proxy' \
        'host=localhost' '' '[worker-1]' 'type=worker' 'host=localhost' 'interface=sniff1' '' \
        '[worker-2]' 'type=worker' 'host=localhost' 'interface=sniff2' >"$c/etc/node.cfg"
    cp "$d/networks.cfg" "$c/etc/networks.cfg"
    cp "$d/shoal.cfg" "$c/etc/shoal.cfg"
    printf '\n%s:\n' "$c/etc/node.cfg"
    sed 's/^/    /' "$c/etc/node.cfg"
    p4='(ip and ((ip[12:4] + ip[16:4]) & 1) = 0)'
    p6='(ip6 and ((ip6[20:4] + ip6[36:4]) & 1) = 0)'
    half="($p4 or $p6) or (vlan and (($p4 or $p6) or (vlan and ($p4 or $p6))))"
    tcpdump -r "$t" -w "$c/half1.pcap" "$half" 2>/dev/null
    tcpdump -r "$t" -w "$c/half2.pcap" "not ($half)" 2>/dev/null

    demo_ctl check
    demo_ctl install
    demo_ctl start
    demo_ctl status
    has_netstats=$("$ctl" --base "$c" help | grep -c '^netstats ' || true)
    step "replaying the trace into sniff1 and sniff2 at its own pace (about a minute)"
    ip netns exec $DEMO_TAP tcpreplay -q -i tap1 "$c/half1.pcap" >"$c/replay1.out" 2>&1 &
    r1=$!
    ip netns exec $DEMO_TAP tcpreplay -q -i tap2 "$c/half2.pcap" >"$c/replay2.out" 2>&1 &
    r2=$!
    if [ "$has_netstats" -gt 0 ]; then
        sleep 20
        demo_ctl netstats || true
    fi
    wait $r1 && wait $r2 || { cat "$c"/replay*.out; exit 1; }
    demo_wait_capture worker-1 "$c/replay1.out"
    demo_wait_capture worker-2 "$c/replay2.out"
    if [ "$has_netstats" -gt 0 ]; then
        demo_ctl netstats || true
    fi
    demo_ctl stop
    demo_ctl status
    demo_cleanup
    trap - EXIT
    step "the manager wrote $c/spool/manager (standalone's figures beside)"
    for f in "$c"/spool/manager/*.log; do
        head -n 1 "$f" | grep -q '^#separator' || continue # the node's stdout, stderr
        g="$d/logs/$(basename "$f")"
        printf '  %-16s %8d records (standalone: %s)\n' "$(basename "$f")" \
            "$(grep -vc '^#' "$f")" "$( [ -f "$g" ] && grep -vc '^#' "$g" || echo none)"
    done
    printf '\nthe same rows as the standalone run? (times aside: a capture stamps packets when it sees them)\n'
    python3 "$top/tests/integration/logrows.py" --ignore ts,duration,rtt "$d/logs" \
        "$c/spool/manager" conn dns http known_hosts | sed 's/^/  /' || true
    printf '\nnotice.log:\n'
    notices "$c/spool/manager/notice.log"
}

# The development build: ./build, installed under ./build/install.
build_main() {
    build "$top/build" --prefix="$top/build/install"
    step "install into $top/build/install"
    make -s -C "$top/build" install >/dev/null
}

# The plain in-tree build (sh autogen.sh && ./configure && make check), in
# a copy of the checkout (the files git tracks or would track): the
# checkout itself keeps serving VPATH builds, which automake refuses next
# to an in-tree one.
intree() {
    t=$(mktemp -d "${TMPDIR:-/tmp}/shoal-intree.XXXXXX")
    step "in-tree build and tests in a copy of the checkout ($t)"
    git -C "$top" ls-files -z --cached --others --exclude-standard |
        (cd "$top" && xargs -0 tar cf -) | (cd "$t" && tar xf -)
    (cd "$t" && sh autogen.sh >/dev/null && ./configure -q && make -s -j"$jobs" &&
        make -s -j"$jobs" check) || { cat "$t"/test-suite.log 2>/dev/null; exit 1; }
    rm -rf "$t"
}

check() {
    fuzz=${FUZZ_SECONDS:-20}
    build_main
    step "source layout (make format-check)"
    make -C "$top/build" format-check
    step "unit and integration tests (make check)"
    make -C "$top/build" -j"$jobs" check || { cat "$top"/build/test-suite.log; exit 1; }
    build "$top/build-asan" --enable-sanitizers CFLAGS="-g -O1"
    step "the same tests under ASan and UBSan"
    make -C "$top/build-asan" -j"$jobs" check || { cat "$top"/build-asan/test-suite.log; exit 1; }
    build "$top/build-fuzz" --enable-fuzzers CC=clang CFLAGS="-g -O1"
    step "every fuzz target for ${fuzz}s"
    make -C "$top/build-fuzz" fuzz-run FUZZ_SECONDS="$fuzz"
    intree
    step "make distcheck"
    make -C "$top/build" distcheck
    step "all checks passed"
}

install_deps
case "$what" in
demo)
    build_main
    demo
    ;;
check) check ;;
build) build_main ;;
*)
    echo "usage: contrib/setup.sh demo|check|build" >&2
    exit 2
    ;;
esac
