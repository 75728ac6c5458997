#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The plugin SDK as a third party uses it.  `make install` into a staging
# directory gives bin/shoal, bin/shoalctl, bin/shoal-synth,
# etc/shoal/shoal.cfg, the SDK headers, shoal.pc and a plugin folder per
# kind.  contrib/example-analyzer (the ident analyzer), copied out of the
# tree, builds with its own Makefile from the installed headers and
# `pkg-config` alone and installs into the analyzers/ folder; the installed
# `shoal --list-plugins` loads it and every installed plugin, its max_line
# bounds are enforced, and over a trace of Ident sessions from the installed
# shoal-synth, `shoal -r` writes the ident.log, conn.log services and weirds
# the synthesiser's ground truth predicts.
. "$(dirname "$0")/common.sh"
command -v pkg-config >/dev/null || skip "pkg-config is not installed"
command -v "${CC:-cc}" >/dev/null || skip "no C compiler"
command -v python3 >/dev/null || skip "python3 is needed to read the ground truth"
MAKE=${MAKE:-make}
out=$(mktmp)
root="$out/root"

# ---- the staged installation
"$MAKE" -s -C "$top_builddir" install DESTDIR="$root" >"$out/install.log" 2>&1 ||
    { cat "$out/install.log"; fail "make install DESTDIR=$root failed"; }
pc=$(find "$root" -name shoal.pc | head -n 1)
[ -n "$pc" ] || fail "no shoal.pc installed"
shoal=$(find "$root" -path '*/bin/shoal' | head -n 1)
[ -n "$shoal" ] || fail "no bin/shoal installed"
[ -n "$(find "$root" -path '*/bin/shoalctl')" ] || fail "no bin/shoalctl installed"
synth=$(find "$root" -path '*/bin/shoal-synth' | head -n 1)
[ -n "$synth" ] || fail "no bin/shoal-synth installed"
cfg=$(find "$root" -path '*/etc/shoal/shoal.cfg' | head -n 1)
[ -n "$cfg" ] || fail "no etc/shoal/shoal.cfg installed"
for h in shoal plugin types analyzer frontend command; do
    [ -n "$(find "$root" -path "*/include/shoal/$h.h")" ] || fail "no include/shoal/$h.h installed"
done
export PKG_CONFIG_PATH="$(dirname "$pc")"
plugindir=$(pkg-config --variable=plugindir shoal) || fail "pkg-config --variable=plugindir failed"
kinds="analyzers policies frontends commands"
for kind in $kinds; do
    set -- "$root$plugindir/$kind"/*.so
    [ -f "$1" ] || fail "no plugin installed in $plugindir/$kind"
done

# ---- the example, out of tree: only the installed headers, through pkg-config
src="$out/ident"
cp -R "$top_srcdir/contrib/example-analyzer" "$src" && chmod -R u+w "$src" ||
    fail "cannot copy contrib/example-analyzer"
# The example's own make, not the test harness's: its flags (-s, -j) would
# silence the compile lines checked below.
unset MAKEFLAGS MFLAGS MAKELEVEL
"$MAKE" -C "$src" clean >/dev/null
PKG_CONFIG_SYSROOT_DIR="$root" "$MAKE" -C "$src" CFLAGS="-O2 -g -Werror" >"$out/build.log" 2>&1 ||
    { cat "$out/build.log"; fail "out-of-tree build of contrib/example-analyzer failed"; }
grep -q -- "-I$root" "$out/build.log" || { cat "$out/build.log"; fail "not built with the staged headers"; }
"$MAKE" -C "$src" install DESTDIR="$out/stage2" >"$out/install2.log" 2>&1 ||
    { cat "$out/install2.log"; fail "make install of the example failed"; }
[ -f "$out/stage2$plugindir/analyzers/ident.so" ] ||
    fail "the example did not install into $plugindir/analyzers"

# The staged shoal reads SHOAL_PLUGIN_PATH, then the folders of its real
# prefix ($plugindir, populated when Shoal is installed there too), where a
# name found again is shadowed: the example and the staged plugins load.
path="$src"
for kind in $kinds; do
    path="$path:$root$plugindir/$kind"
done
SHOAL_PLUGIN_PATH="$path" "$shoal" --list-plugins >"$out/list" 2>&1 ||
    { cat "$out/list"; fail "shoal --list-plugins failed"; }
for so in "$root$plugindir"/*/*.so; do
    grep -q "file: $so\$" "$out/list" || { cat "$out/list"; fail "installed $so not loaded"; }
done
grep -q "^ident (analyzer 1.0.0): " "$out/list" && grep -q "file: $src/ident.so\$" "$out/list" ||
    { cat "$out/list"; fail "the ident plugin is not listed (or not from $src/ident.so)"; }
grep -q "service: ident, ports: 113/tcp" "$out/list" ||
    { cat "$out/list"; fail "ident: service or port not listed"; }
grep -Eq "max_line +int +default: 1000, 64\.\.65536 " "$out/list" ||
    { cat "$out/list"; fail "ident: the key max_line is not listed with its bounds"; }

# Settings: max_line is checked against its bounds.
{ cat "$cfg"; echo 'plugins: { ident: { max_line = 512; }; };'; } >"$out/good.cfg"
{ cat "$cfg"; echo 'plugins: { ident: { max_line = 10; }; };'; } >"$out/bad.cfg"
SHOAL_PLUGIN_PATH="$path" "$shoal" -c "$out/good.cfg" --check >"$out/check" 2>&1 ||
    { cat "$out/check"; fail "shoal --check refused plugins.ident.max_line = 512"; }
if SHOAL_PLUGIN_PATH="$path" "$shoal" -c "$out/bad.cfg" --check >"$out/check" 2>&1; then
    fail "shoal --check accepted plugins.ident.max_line = 10"
fi
grep -q "plugins.ident.max_line: expected an integer at least 64" "$out/check" ||
    { cat "$out/check"; fail "no message naming plugins.ident.max_line"; }

# ---- a trace with Ident sessions among others, and its ground truth
"$synth" -q -o "$out/t.pcap" -s 5 --mix ident=4,http=1,tcp=1 --conns 300 \
    --summary "$out/truth.json" || fail "shoal-synth failed"
mkdir -p "$out/logs"
SHOAL_PLUGIN_PATH="$path" "$shoal" -q --no-progress -c "$out/good.cfg" -r "$out/t.pcap" \
    -l "$out/logs" >"$out/shoal.out" 2>&1 || { cat "$out/shoal.out"; fail "shoal -r failed"; }
python3 - "$out" <<'PY' || fail "ident.log differs from the ground truth"
import json, sys
out = sys.argv[1]
truth = json.load(open(out + "/truth.json"))["ident"]

from zeeklog import tsv_fields

def tsv(name):
    return tsv_fields(f"{out}/logs/{name}.log")

checks = []
def check(name, got, want):
    checks.append(got == want)
    print(("ok   " if got == want else "FAIL ") + f"{name}: got {got}, expected {want}")

def count(rows, key):
    n = {}
    for r in rows:
        n[r[key]] = n.get(r[key], 0) + 1
    return n

fields, ident = tsv("ident")
check("ident.log columns", fields, ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h",
      "id.resp_p", "lport", "rport", "reply", "userid", "os", "error"])
check("records", len(ident), truth["records"])
check("replies", count(ident, "reply"), {k: v for k, v in (
    ("USERID", truth["userid_replies"]), ("ERROR", truth["error_replies"]),
    ("-", truth["bad_replies"] + truth["unanswered"])) if v})
userid = [r for r in ident if r["reply"] == "USERID"]
errors = [r for r in ident if r["reply"] == "ERROR"]
check("os of USERID replies", count(userid, "os"), {k: v for k, v in truth["os"].items() if v})
check("errors of ERROR replies", count(errors, "error"),
      {k: v for k, v in truth["errors"].items() if v})
check("USERID replies with a user id and no error",
      sum(r["userid"] not in ("-", "") and r["error"] == "-" for r in userid), len(userid))
check("ERROR replies without user id or os",
      sum(r["userid"] == "-" and r["os"] == "-" for r in errors), len(errors))
check("lport: the querier's service ports",
      set(r["lport"] for r in ident) <= {"25", "6667", "143", "110", "21", "119"}, True)
check("rport: the ident host's ephemeral ports",
      all(32768 <= int(r["rport"]) <= 60999 for r in ident), True)
check("connections", len(set(r["uid"] for r in ident)), truth["connections"])
check("connections on other ports than 113 (signature)",
      len(set(r["uid"] for r in ident if r["id.resp_p"] != "113")),
      truth["nonstandard_port_connections"])
_, conn = tsv("conn")
check("conn.log: service ident", sum("ident" in r["service"].split(",") for r in conn),
      truth["confirmed_connections"])
try:
    _, weird = tsv("weird")
except FileNotFoundError:
    weird = []
check("weirds of the ident analyzer", count([r for r in weird if r["source"] == "IDENT"], "name"),
      {"bad_ident_reply": truth["bad_replies"]} if truth["bad_replies"] else {})
bad = checks.count(False)
print(f"{len(checks) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
