#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# One-step set-up for a fresh Debian machine: installs the build
# dependencies (when run as root, or through sudo), builds Shoal out of
# tree in ./build (installing it under ./build/install, as users run it),
# then either runs the demo or the whole test suite.
#
#   contrib/setup.sh demo    synthesise a mixed trace and run a standalone node on it,
#                            then a local cluster
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
libzmq3-dev libconfig-dev libcunit1-dev libmsgpack-dev libxxhash-dev zlib1g-dev
libedit-dev python3 clang libclang-rt-dev clang-format iproute2 git rsync openssh-client
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
    step "running a standalone node: shoal -r $t -l $d/logs"
    rm -f "$d"/logs/*.log
    "$shoal" -r "$t" -l "$d/logs"
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
    demo_cluster "$shoal" "$d" "$t"
}

notices() { # notice.log -> note and msg of each row
    awk -F'\t' '/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
        !/^#/ { p = $col["peer_descr"]; printf "  %-20s %s%s\n", $col["note"], $col["msg"],
                p == "-" ? "" : " (raised by " p ")" }' "$1"
}

# The same trace through a local cluster: a manager, a proxy and two
# workers on loopback (CURVE keys, a generated layout), the workers
# splitting the traffic by a BPF expression symmetric in the address pair,
# so the scans are counted on the proxy from what both workers see.
demo_cluster() {
    shoal=$1
    d=$2
    t=$3
    c="$d/cluster"
    rm -rf "$c"
    mkdir -p "$c"
    step "a local cluster: 1 manager, 1 proxy, 2 workers (layout $c/layout.cfg)"
    "$shoal" --gen-layout "$c/layout.cfg" --workdir-base "$c/spool" --keys "$c/keys" \
        --manager manager --proxy proxy-1 --worker worker-1 --worker worker-2
    p4='(ip and ((ip[12:4] + ip[16:4]) & 1) = 0)'
    p6='(ip6 and ((ip6[20:4] + ip6[36:4]) & 1) = 0)'
    half="($p4 or $p6) or (vlan and (($p4 or $p6) or (vlan and ($p4 or $p6))))"
    "$shoal" --node manager --layout "$c/layout.cfg" 2>"$c/manager.err" &
    mpid=$!
    "$shoal" --node proxy-1 --layout "$c/layout.cfg" 2>"$c/proxy.err" &
    ppid=$!
    "$shoal" --node worker-1 --layout "$c/layout.cfg" -r "$t" -f "$half" &
    w1=$!
    "$shoal" --node worker-2 --layout "$c/layout.cfg" -r "$t" -f "not ($half)"
    wait "$w1"
    step "the proxy's counters (shoal --layout $c/layout.cfg --control proxy-1 counters)"
    "$shoal" --layout "$c/layout.cfg" --control proxy-1 counters | grep 'proxy\.' || true
    "$shoal" --layout "$c/layout.cfg" --control proxy-1 stop >/dev/null
    wait "$ppid" || { cat "$c/proxy.err"; exit 1; }
    kill -TERM "$mpid"
    wait "$mpid" || { cat "$c/manager.err"; exit 1; }
    step "the manager wrote $c/spool/manager"
    for f in "$c"/spool/manager/*.log; do
        printf '  %-16s %8d records\n' "$(basename "$f")" "$(grep -vc '^#' "$f")"
    done
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
