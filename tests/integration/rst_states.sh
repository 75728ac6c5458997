#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The four tiny RST traces of shared/traces/tcp-rst-conn-states: each must
# give the history and conn_state Zeek printed for it (file `out`).
. "$(dirname "$0")/common.sh"
need_shared
dir="$TRACES/tcp-rst-conn-states"
[ -f "$dir/out" ] || skip "no $dir/out"
out=$(mktmp)
got="$out/got"
: > "$got"
for f in single-rst syn-then-rst syn-then-ack-then-rst syn-then-stuff-then-rst; do
    mkdir -p "$out/$f"
    "$SHOAL" -q --no-progress -C -r "$dir/$f.pcap" -l "$out/$f" || fail "$f: shoal failed"
    awk -F'\t' '/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
        !/^#/ { print $col["history"] ", " $col["conn_state"] }' "$out/$f/conn.log" >> "$got"
done
want=$(grep -v '^#' "$dir/out" | grep -v '^$')
if [ "$want" != "$(cat "$got")" ]; then
    echo "expected:"; echo "$want"; echo "got:"; cat "$got"
    fail "history/conn_state differ from Zeek's"
fi
echo "4 passed, 0 failed"
