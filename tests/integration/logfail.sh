#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A node whose logs cannot all be written says so and exits 1: a log
# folder on a tmpfs too small for the logs of a synthesised trace.  Needs
# root (mount); skipped otherwise.
. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || skip "needs root (a small tmpfs)"
out=$(mktmp)
mkdir -p "$out/small"
mount -t tmpfs -o size=16k tmpfs "$out/small" 2>/dev/null || skip "cannot mount a tmpfs here"
trap 'umount "$out/small" 2>/dev/null; cleanup' EXIT
"$SYNTH" -q -o "$out/t.pcap" -s 5 --size 4M || fail "synth failed"
rc=0
"$SHOAL" -q --no-progress -r "$out/t.pcap" -l "$out/small" 2>"$out/err" && rc=0 || rc=$?
[ "$rc" = 1 ] || { cat "$out/err"; fail "shoal exited $rc with its logs on a full disk, expected 1"; }
grep -q 'No space left on device' "$out/err" || { cat "$out/err"; fail "no word of the full disk"; }
grep -q "$out/small/conn.log" "$out/err" || { cat "$out/err"; fail "the error does not name the file"; }
rc=0
"$SHOAL" --no-progress -r "$out/t.pcap" -l "$out/small" 2>"$out/err" || rc=$?
grep -q 'NOT ALL WRITTEN' "$out/err" || { cat "$out/err"; fail "the summary claims every record"; }
echo "3 passed, 0 failed"
