#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Every packet trace in shared/traces, malformed/ included, must be read to
# the end without a crash, a hang or (in a sanitizer build) a report.  A link
# type the decoder does not know is refused with a clear message.
. "$(dirname "$0")/common.sh"
need_shared
out=$(mktmp)
passed=0
failed=0
for trace in $(find "$TRACES" -name '*.pcap' -o -name '*.pcapng' | sort); do
    rm -rf "$out/logs"
    mkdir -p "$out/logs"
    rc=0
    timeout 120 "$SHOAL" -q --no-progress -r "$trace" -l "$out/logs" 2>"$out/stderr" || rc=$?
    if [ "$rc" -eq 0 ] || { [ "$rc" -eq 2 ] && grep -q 'unsupported link type' "$out/stderr"; }; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $trace: exit status $rc"
        tail -n 20 "$out/stderr"
    fi
done
echo "$passed passed, $failed failed"
# A traces folder without a single trace would pass having read nothing.
[ $((passed + failed)) -gt 0 ] || fail "no .pcap or .pcapng file under $TRACES"
[ "$failed" -eq 0 ]
