#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs `shoal -r` on every shared case that has a Zeek conn.log, dns.log,
# http.log, tunnel.log or weird.log reference and compares field by field
# with zeeklog-diff.  Prints per-case figures and the total per stream, and
# fails when the total share of equal fields of conn, dns or http is below
# its threshold (SHOAL_MIN_CONN, SHOAL_MIN_DNS, SHOAL_MIN_HTTP, in percent).
. "$(dirname "$0")/common.sh"
need_shared

MIN_CONN=${SHOAL_MIN_CONN:-97}
MIN_DNS=${SHOAL_MIN_DNS:-90}
MIN_HTTP=${SHOAL_MIN_HTTP:-90}
out=$(mktmp)
results="$out/results"
: > "$results"

for dir in "$TRACES"/*/; do
    case=$(basename "$dir")
    trace=$(ls "$dir"trace.pcap "$dir"trace.pcapng 2>/dev/null | head -n 1)
    [ -n "$trace" ] || continue
    refs=""
    for ref in "$dir"*.log "$dir"*/*.log; do
        [ -f "$ref" ] || continue
        stream=$(grep -m1 '^#path' "$ref" | cut -f2)
        case "$stream" in conn | dns | http | tunnel | weird) ;; *) continue ;; esac
        # Baselines with extra columns from non-default options are skipped.
        case "$ref" in */vlan-logging/*) continue ;; esac
        refs="$refs $ref"
    done
    [ -n "$refs" ] || continue
    logs="$out/$case"
    mkdir -p "$logs"
    rc=0
    "$SHOAL" -q --no-progress $(case_flags "$dir") -r "$trace" -l "$logs" 2>"$logs/stderr" || rc=$?
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

for s in tunnel weird; do
    awk -v s="$s" '$1 == s { e += $2; f += $3 }
        END { if (f) printf "TOTAL %s: %d/%d fields equal (%.2f%%), for information\n", s, e, f, 100 * e / f }' \
        "$results"
done
status=0
for s in conn dns http; do
    case $s in conn) min=$MIN_CONN ;; dns) min=$MIN_DNS ;; http) min=$MIN_HTTP ;; esac
    total=$(awk -v s="$s" '$1 == s { e += $2; f += $3 } END { if (f) printf "%d %d %.2f", e, f, 100 * e / f; else print "0 0 0" }' "$results")
    set -- $total
    echo "TOTAL $s: $1/$2 fields equal ($3%), threshold $min%"
    if awk -v p="$3" -v m="$min" 'BEGIN { exit !(p < m) }'; then
        echo "FAIL: $s below $min%"
        status=1
    fi
done
exit $status
