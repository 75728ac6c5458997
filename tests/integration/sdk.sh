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
# The staged shoal also scans the plugin folder of its real prefix, outside
# DESTDIR.  When the build was installed there too (contrib/setup.sh does),
# that dns.so loads first and ours is refused as a second "dns": a refusal
# the loader gives only once the file is open with every symbol bound and
# its descriptor has passed every check, which is what is tested here.
staged=$(find "$out/root" -path '*/analyzers/dns.so' | head -n 1)
installed=${staged#"$out/root"}
if grep -q "file: $out/plugins/dns.so" "$out/list"; then
    echo "ok: the out-of-tree dns.so is loaded"
elif [ -f "$installed" ] && grep -qF "$out/plugins/dns.so: name: expected a name not yet loaded, \
got \"dns\" (already loaded from $installed)" "$out/list"; then
    echo "ok: the out-of-tree dns.so opened and validated; only its name is refused, as the" \
        "installed $installed came first"
else
    cat "$out/list"
    fail "plugin not loaded"
fi
echo "1 passed, 0 failed"
