#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The reliability figures of a build, from the fault tests run harder than
# make check runs them:
#   - 10 kill -9s of the manager of a running cluster under load
#     (tests/integration/manager_kill.sh with SHOAL_KILLS=10): log records
#     and notices lost and repeated; the same with 10 SIGSTOPs of 12 s
#     (manager_stop.sh), past the workers' acknowledgement time-out;
#   - kill -9 of a worker holding unacknowledged batches, then its next run
#     (worker_kill.sh): batches read back from its journal, rows each once;
#   - a worker whose manager is away past its resend window
#     (resend_drop.sh): records acknowledged, dropped and written;
#   - a capture that overflows (capture_drops.sh): drops reported against
#     the interface's own counter;
#   - overload then recovery (overload.sh): drops reported against the
#     interface's counter, evictions, peak memory against its bound, no drop
#     once the load falls;
#   - TCP reassembly behind holes (reasm_cap.sh): bytes held against the
#     node-wide cap;
#   - logs that cannot be written (logfail.sh).
# Usage: tests/reliability.sh [BUILDDIR] (default: build).  Needs root for
# the namespaces and captures, as make check.  Prints one line per figure
# and exits non-zero when a test failed.  About 9 minutes.
set -u
builddir=${1:-build}
[ -f "$builddir/Makefile" ] || { echo "reliability.sh: $builddir: not a configured build folder" >&2; exit 2; }
tests="tests/integration/manager_kill.sh tests/integration/manager_stop.sh tests/integration/worker_kill.sh
tests/integration/resend_drop.sh
tests/integration/capture_drops.sh tests/integration/overload.sh tests/integration/reasm_cap.sh tests/integration/logfail.sh"
echo "reliability: running $(echo $tests | wc -w) fault tests in $builddir (SHOAL_KILLS=10) ..."
SHOAL_KILLS=10 make -s -C "$builddir" check TESTS="$(echo $tests)" >"$builddir/reliability.out" 2>&1
status=$?
grep -E '^(PASS|FAIL|SKIP|ERROR):' "$builddir/reliability.out"
echo "---- figures"
for t in $tests; do
    log="$builddir/${t%.sh}.log"
    case $t in
        *manager_kill* | *manager_stop*) grep -h '^reliability:' "$log" ;;
        *worker_kill*) grep -h '^worker kill -9:' "$log" ;;
        *resend_drop*) grep -h '^standalone: .* records; worker:' "$log" ;;
        *overload*) grep -h -e '^overload:' -e '^stats.log:' "$log" ;;
        *capture_drops*) grep -h '^sent [0-9]*, the interface took in' "$log" ;;
        *reasm_cap*) grep -h 'TCP reassembly at its caps' "$log" | sed 's/^ok: //' ;;
        *logfail*) grep -q '^PASS' "$log" &&
            echo "full disk: the node says so, names the file, exits 1 (logfail.sh)" ;;
    esac
done
[ $status = 0 ] || echo "reliability: a test failed (see $builddir/reliability.out and the tests' .log files)"
exit $status
