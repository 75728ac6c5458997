#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A shoalctl command as a third party builds it: `make install` of Shoal
# into a staging folder, then contrib/example-command, copied out of the
# tree, built with its own Makefile from the staged headers and
# `pkg-config` alone, and installed into the commands/ folder.  The staged
# shoalctl, given the example's folder in SHOAL_PLUGIN_PATH, lists
# `example.uptime` in `help` under "Commands provided by plugins:" (and
# the built-in commands above it), and runs it: "no node is running"
# before anything started; as root, with a manager and a worker of its own
# running (in a network namespace, the worker sniffing a quiet veth link),
# a row per running node with its uptime, `<nodes>` honoured, an unknown
# node refused (exit status 1).  About 15 s, most of it `make install`.
. "$(dirname "$0")/common.sh"
command -v pkg-config >/dev/null || skip "pkg-config is not installed"
command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
MAKE=${MAKE:-make}
out=$(mktmp)
root="$out/root"
passed=0

# ---- the staged installation
"$MAKE" -s -C "$top_builddir" install DESTDIR="$root" >"$out/install.log" 2>&1 ||
    { cat "$out/install.log"; fail "make install DESTDIR=$root failed"; }
pc=$(find "$root" -name shoal.pc | head -n 1)
[ -n "$pc" ] || fail "no shoal.pc installed"
ctl=$(find "$root" -path '*/bin/shoalctl' | head -n 1)
[ -n "$ctl" ] || fail "no bin/shoalctl installed"
[ -n "$(find "$root" -path '*/include/shoal/command.h')" ] || fail "no include/shoal/command.h"
export PKG_CONFIG_PATH="$(dirname "$pc")"
plugindir=$(pkg-config --variable=plugindir shoal) || fail "pkg-config --variable=plugindir failed"
[ -f "$root$plugindir/commands/status.so" ] || fail "no commands/status.so installed"

# ---- the example, out of tree
src="$out/uptime"
cp -R "$top_srcdir/contrib/example-command" "$src" && chmod -R u+w "$src" ||
    fail "cannot copy contrib/example-command"
# The example's own make, not the test harness's: its flags (-s, -j) would
# silence the compile lines checked below.
unset MAKEFLAGS MFLAGS MAKELEVEL
"$MAKE" -C "$src" clean >/dev/null
PKG_CONFIG_SYSROOT_DIR="$root" "$MAKE" -C "$src" CFLAGS="-O2 -g -Werror" >"$out/build.log" 2>&1 ||
    { cat "$out/build.log"; fail "out-of-tree build of contrib/example-command failed"; }
grep -q -- "-I$root" "$out/build.log" || { cat "$out/build.log"; fail "not built with the staged headers"; }
"$MAKE" -C "$src" install DESTDIR="$out/stage2" >"$out/install2.log" 2>&1 ||
    { cat "$out/install2.log"; fail "make install of the example failed"; }
[ -f "$out/stage2$plugindir/commands/example-uptime.so" ] ||
    fail "the example did not install into $plugindir/commands"
passed=$((passed + 1))

# The staged programs read SHOAL_PLUGIN_PATH, then the folders of their
# real prefix (populated only where Shoal is installed there too): the
# example first, then the staged plugins of every kind (the nodes the
# staged shoalctl starts inherit the path).
path="$src"
for kind in commands analyzers policies frontends; do
    path="$path:$root$plugindir/$kind"
done
SHOAL_PLUGIN_PATH=$path
export SHOAL_PLUGIN_PATH
base="$out/base"
mkdir -p "$base/etc"
cp "$top_srcdir/cfg/shoal.cfg" "$base/etc/shoal.cfg"

# ---- help
"$ctl" --base "$base" help >"$out/help" 2>&1 || { cat "$out/help"; fail "shoalctl help failed"; }
cat "$out/help"
awk '/^Commands provided by plugins:$/ { p = 1 }
    /^example\.uptime \[<nodes>\] +- Shows how long each running node has been running\.$/ { e = p }
    /^status / && !p { s = 1 } END { exit !(e && s) }' "$out/help" ||
    fail "help: example.uptime is not under \"Commands provided by plugins:\", below status"
passed=$((passed + 1))

# ---- the command: run_uptime NAME WANT PATTERN [ARGS...]
run_uptime() {
    _want=$2 _pat=$3
    shift 3
    echo "[ShoalControl] > example.uptime $*"
    rc=0
    ${NS:+ip netns exec "$NS"} "$ctl" --base "$base" example.uptime "$@" >"$out/up" 2>&1 || rc=$?
    sed 's/^/    /' "$out/up"
    [ "$rc" = "$_want" ] && grep -qE -- "$_pat" "$out/up" ||
        fail "example.uptime $*: exit status $rc (want $_want), or no /$_pat/"
    passed=$((passed + 1))
}
cat >"$base/etc/node.cfg" <<CFG
[manager]
type=manager
host=localhost

[worker-1]
type=worker
host=localhost
interface=sniff0
CFG
NS=""
run_uptime nothing-yet 0 '^no node is running$'

if [ "$(id -u)" != 0 ]; then
    echo "SKIP the running nodes' part: needs root (a namespace, a capture)"
    echo "$passed passed, 0 failed"
    exit 0
fi
need_curve
. "$top_srcdir/tests/integration/netns.sh"
netns_add host
NS=$NS_host
veth_add "$NS" sniff0 "$NS" peer0
stop_nodes() { ip netns exec "$NS" "$ctl" --base "$base" stop >/dev/null 2>&1; }
netns_at_exit stop_nodes
for c in install start; do
    ip netns exec "$NS" "$ctl" --base "$base" $c >"$out/$c" 2>&1 ||
        { cat "$out/$c"; fail "shoalctl $c failed"; }
done
sleep 1 # an uptime of a second at least
run_uptime all 0 '^worker-1 +localhost +[0-9]+ +[0-9]{2} [A-Z][a-z]{2} [0-9:]{8} +0d 00:00:[0-9]{2}$'
grep -qE '^manager +localhost +[0-9]+ ' "$out/up" || fail "example.uptime: no row for the manager"
[ "$(head -n 1 "$out/up" | tr -s ' ')" = "Name Host Pid Started Uptime" ] ||
    fail "example.uptime: not its table's titles"
run_uptime one 0 '^worker-1 ' worker-1
[ "$(wc -l <"$out/up")" = 2 ] || fail "example.uptime worker-1: other rows than worker-1's"
run_uptime unknown 1 "unknown node 'worker-9'" worker-9
stop_nodes || fail "shoalctl stop failed"
run_uptime stopped 0 '^no node is running$'
echo "$passed passed, 0 failed"
