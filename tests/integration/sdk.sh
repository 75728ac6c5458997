#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The plugin SDK as a third party uses it: `make install` into a staging
# directory, build the dns analyzer out of tree with nothing but the
# installed headers and `pkg-config --cflags shoal`, and load it into the
# installed node through SHOAL_PLUGIN_PATH.
. "$(dirname "$0")/common.sh"
command -v pkg-config >/dev/null || skip "pkg-config is not installed"
command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
out=$(mktmp)
make -s -C "$top_builddir" install DESTDIR="$out/root" >"$out/install.log" 2>&1 ||
    { cat "$out/install.log"; fail "make install DESTDIR=$out/root failed"; }
pc=$(find "$out/root" -name shoal.pc | head -n 1)
[ -n "$pc" ] || fail "no shoal.pc installed"
shoal=$(find "$out/root" -path '*/bin/shoal' | head -n 1)
[ -n "$shoal" ] || fail "no bin/shoal installed"
[ -n "$(find "$out/root" -path '*/include/shoal/shoal.h')" ] || fail "no include/shoal/shoal.h"
[ -n "$(find "$out/root" -path '*/etc/shoal/shoal.cfg')" ] || fail "no etc/shoal/shoal.cfg"
[ -n "$(find "$out/root" -path '*/analyzers/dns.so')" ] || fail "no analyzers/dns.so"

export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$out/root"
cflags=$(pkg-config --cflags shoal) || fail "pkg-config --cflags shoal failed"
mkdir -p "$out/plugins"
# Only the installed headers: the source tree's core/ is not on the path.
"${CC:-cc}" -shared -fPIC -fvisibility=hidden -Wl,-z,defs $cflags \
    -I"$top_srcdir/analyzers/dns" -o "$out/plugins/dns.so" \
    "$top_srcdir/analyzers/dns/dns.c" "$top_srcdir/analyzers/dns/dns_parse.c" ||
    fail "out-of-tree build of the dns analyzer failed"
SHOAL_PLUGIN_PATH="$out/plugins" "$shoal" --list-plugins >"$out/list" 2>&1 || true
grep -q "file: $out/plugins/dns.so" "$out/list" || { cat "$out/list"; fail "plugin not loaded"; }
echo "1 passed, 0 failed"
