# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers of the integration tests (sourced, not run).  The test
# harness exports top_srcdir, top_builddir and SHOAL_SHARED (see
# Makefile.am); when run by hand they default to this checkout.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${SHOAL_SHARED:=$top_srcdir/../shared}"
SHOAL="$top_builddir/core/shoal"
SYNTH="$top_builddir/contrib/shoal-synth"
DIFF="$SHOAL_SHARED/tools/zeeklog-diff"
TRACES="$SHOAL_SHARED/traces"

# A sanitizer report must never pass for a normal exit status.
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:exitcode=99:print_stacktrace=1}"

# Exit status 77 tells automake's driver the test was skipped.
skip() {
    echo "SKIP: $*"
    exit 77
}

fail() {
    echo "FAIL: $*"
    exit 1
}

need_shared() {
    [ -d "$TRACES" ] || skip "no shared traces at $TRACES (set SHOAL_SHARED)"
    [ -x "$DIFF" ] || skip "no zeeklog-diff at $DIFF"
    command -v python3 >/dev/null || skip "python3 is needed by zeeklog-diff"
}

TMPDIRS=""
mktmp() {
    d=$(mktemp -d "${TMPDIR:-/tmp}/shoal-test.XXXXXX")
    TMPDIRS="$TMPDIRS $d"
    echo "$d"
}
cleanup() {
    for d in $TMPDIRS; do rm -rf "$d"; done
}
trap cleanup EXIT

# Flags Zeek was run with for a shared case (-C when its SOURCE.txt says so).
case_flags() {
    if grep -qE '(^|[ `])-C([ `]|$)|, -C|\(-C\)' "$1/SOURCE.txt" 2>/dev/null; then
        echo "-C"
    fi
}
