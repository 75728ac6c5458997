#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# TCP reassembly stays under the node's cap (reassembly.tcp_max_total):
# 40 connections each send 256 KB behind a lost first segment (shoal-synth
# --hold-hole), the half on port 80 wanted by the HTTP analyzer, so about
# 5 MB would be held at once.  With a 2 MB cap, at most 2 MB is held, what
# did not fit is counted and said in the summary, and every connection is
# still logged, with the same history and byte counts as without the cap.
. "$(dirname "$0")/common.sh"
out=$(mktmp)
"$SYNTH" -q -o "$out/t.pcap" --hold 40 --hold-hole 256K || fail "synth failed"
printf 'reassembly: { tcp_max_total = 2097152; };\n' >"$out/cap.cfg"
mkdir -p "$out/free" "$out/cap"
"$SHOAL" --no-progress -r "$out/t.pcap" -l "$out/free" 2>"$out/free.err" ||
    { cat "$out/free.err"; fail "shoal failed without the cap"; }
"$SHOAL" --no-progress -c "$out/cap.cfg" -r "$out/t.pcap" -l "$out/cap" 2>"$out/cap.err" ||
    { cat "$out/cap.err"; fail "shoal failed with the cap"; }
passed=0

! grep -q 'TCP reassembly at its caps' "$out/free.err" ||
    { cat "$out/free.err"; fail "the default caps were reached by 5 MB"; }
passed=$((passed + 1))

line=$(grep 'TCP reassembly at its caps' "$out/cap.err") ||
    { cat "$out/cap.err"; fail "the summary says nothing of the cap"; }
held=$(echo "$line" | sed -n 's/.*at most \([0-9]*\) bytes held.*/\1/p')
capped=$(echo "$line" | sed -n 's/.*caps: \([0-9]*\) out-of-order bytes not held.*/\1/p')
[ -n "$held" ] && [ "$held" -le 2097152 ] && [ "$held" -gt 1000000 ] ||
    fail "held $held bytes at most, expected up to the 2 MB cap: $line"
[ "${capped:-0}" -ge 2000000 ] || fail "only ${capped:-no} bytes counted as not held: $line"
echo "ok: $line"
passed=$((passed + 1))

# Every connection logged alike: the cap changes what analyzers see, not
# what the connection was.
cols() { grep -v '^#' "$1" | cut -f3-6,9- | sort; }
cols "$out/free/conn.log" >"$out/free.rows"
cols "$out/cap/conn.log" >"$out/cap.rows"
[ "$(wc -l <"$out/cap.rows")" = 40 ] || fail "$(wc -l <"$out/cap.rows") conn.log rows, not 40"
cmp -s "$out/free.rows" "$out/cap.rows" ||
    { diff "$out/free.rows" "$out/cap.rows" | head; fail "conn.log differs with the cap"; }
passed=$((passed + 1))
echo "$passed passed, 0 failed"
