#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs `shoal -r` on every shared case that has a Zeek reference log of a
# stream in STREAMS and compares field by field with zeeklog-diff.  Prints
# per-case figures and the total per stream, and fails when the total share
# of equal fields of a stream is below its threshold (SHOAL_MIN_<STREAM>,
# in percent, overrides the table's; "-" reports a stream for information).
. "$(dirname "$0")/common.sh"
need_shared

# stream:threshold -- a stream whose analyzer ships, and the share of
# Zeek's fields it must match over all cases.
STREAMS="
conn:97
dns:90
http:90
dhcp:97
ntp:97
sip:97
snmp:97
smtp:97
ftp:97
ssl:97
quic:97
ssh:97
tunnel:-
weird:-
"
min_of() {
    _v=$(printenv "SHOAL_MIN_$(echo "$1" | tr a-z A-Z)" || true)
    [ -n "$_v" ] && { echo "$_v"; return; }
    for _e in $STREAMS; do
        [ "${_e%%:*}" = "$1" ] && { echo "${_e#*:}"; return; }
    done
}
out=$(mktmp)
results="$out/results"
: > "$results"
"$SHOAL" --list-plugins > "$out/plugins" 2>&1 || true

# case_config DIR FILE: the settings the case ran Zeek with ("redef
# Module::name=value" on its command line, as SOURCE.txt says) that a loaded
# plugin has as a key of its group (plugins.module.name), as a shoal.cfg in
# FILE; prints "-c FILE" when there is one.
case_config() {
    python3 - "$1/SOURCE.txt" "$out/plugins" "$2" <<'PY'
import re, sys
src, listing, cfg = sys.argv[1:4]
try:
    lines = [l for l in open(src, encoding="utf-8", errors="replace")
             if l.startswith("settings on the zeek command line:")]
except OSError:
    lines = []
keys, group = set(), None
for l in open(listing, encoding="utf-8", errors="replace"):
    m = re.match(r"\s+config \(group plugins\.([a-z0-9_-]+)\):", l)
    if m:
        group = m.group(1)
    elif group and re.match(r"\s{8}\S", l):
        keys.add((group, l.split()[0]))
    elif not l.startswith(" "):
        group = None
groups = {}
for l in lines:
    for mod, name, val in re.findall(r"redef\s+([A-Za-z_]+)::(\w+)\s*=\s*([^\s';]+)", l):
        g = mod.lower()
        if (g, name) not in keys:
            continue
        val = {"T": "true", "F": "false"}.get(val, val)
        if not re.fullmatch(r"-?[0-9.]+|true|false", val):
            val = '"%s"' % val
        groups.setdefault(g, []).append("%s = %s;" % (name, val))
if groups:
    with open(cfg, "w") as f:
        f.write("plugins: { %s };\n" % " ".join(
            "%s: { %s };" % (g, " ".join(v)) for g, v in sorted(groups.items())))
    print("-c " + cfg)
PY
}

for dir in "$TRACES"/*/; do
    case=$(basename "$dir")
    trace=$(ls "$dir"trace.pcap "$dir"trace.pcapng 2>/dev/null | head -n 1)
    [ -n "$trace" ] || continue
    refs=""
    for ref in "$dir"*.log "$dir"*/*.log; do
        [ -f "$ref" ] || continue
        stream=$(grep -m1 '^#path' "$ref" | cut -f2)
        [ -n "$(min_of "$stream")" ] || continue
        # Baselines with extra columns from non-default options are skipped.
        case "$ref" in */vlan-logging/*) continue ;; esac
        refs="$refs $ref"
    done
    [ -n "$refs" ] || continue
    logs="$out/$case"
    mkdir -p "$logs"
    rc=0
    cfg=$(case_config "$dir" "$logs.cfg")
    "$SHOAL" -q --no-progress $(case_flags "$dir") $cfg -r "$trace" -l "$logs" \
        2>"$logs/stderr" || rc=$?
    if [ "$rc" -ne 0 ]; then
        cat "$logs/stderr"
        fail "$case: shoal exited with status $rc"
    fi
    for ref in $refs; do
        stream=$(grep -m1 '^#path' "$ref" | cut -f2)
        ours="$logs/$stream.log"
        [ -f "$ours" ] || : > "$ours"
        line=$(python3 "$DIFF" "$ref" "$ours" 2>&1 | tail -n 1)
        echo "$case $line"
        echo "$line" | sed -n 's/^\([a-z_]*\): .*fields \([0-9]*\)\/\([0-9]*\) equal.*/\1 \2 \3/p' \
            >> "$results"
    done
done

status=0
for e in $STREAMS; do
    s=${e%%:*}
    min=$(min_of "$s")
    total=$(awk -v s="$s" '$1 == s { e += $2; f += $3 } END { if (f) printf "%d %d %.2f", e, f, 100 * e / f; else print "0 0 0" }' "$results")
    set -- $total
    if [ "$min" = - ]; then
        [ "$2" = 0 ] || echo "TOTAL $s: $1/$2 fields equal ($3%), for information"
        continue
    fi
    echo "TOTAL $s: $1/$2 fields equal ($3%), threshold $min%"
    if awk -v p="$3" -v m="$min" 'BEGIN { exit !(p < m) }'; then
        echo "FAIL: $s below $min%"
        status=1
    fi
done
exit $status
