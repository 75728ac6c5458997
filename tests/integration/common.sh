# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers of the integration tests (sourced, not run).  The test
# harness exports top_srcdir, top_builddir and SHOAL_SHARED (see
# Makefile.am); when run by hand they default to this checkout.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${SHOAL_SHARED:=$top_srcdir/../shared}"
SHOAL="$top_builddir/core/bin/shoal"
SYNTH="$top_builddir/contrib/shoal-synth"
DIFF="$SHOAL_SHARED/tools/zeeklog-diff"
TRACES="$SHOAL_SHARED/traces"
. "$top_srcdir/tests/plugin-path.sh"
SHOAL_PLUGIN_PATH=$(shoal_build_plugin_path "$top_builddir")
export SHOAL_PLUGIN_PATH
# The tests' python checks read logs with tests/integration/zeeklog.py.
PYTHONPATH="$top_srcdir/tests/integration${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH

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
# Processes a test starts in the background go in PIDS: at exit, those
# still running are killed (SIGCONT first, for stopped ones) before the
# temporary directories go (kept, and named, with SHOAL_TEST_KEEP=1).
PIDS=""
cleanup() {
    for p in $PIDS; do
        kill -CONT "$p" 2>/dev/null
        kill -9 "$p" 2>/dev/null
    done
    if [ "${SHOAL_TEST_KEEP:-0}" = 1 ]; then
        [ -z "$TMPDIRS" ] || echo "kept (SHOAL_TEST_KEEP=1):$TMPDIRS"
        return
    fi
    for d in $TMPDIRS; do rm -rf "$d"; done
}
trap cleanup EXIT

# port_block FIRST: the first of 20 ports for this run of a test whose
# ports lie in [FIRST, FIRST + 800): one of 40 blocks, chosen by pid, so
# that make check's parallel jobs (and checkouts tested side by side on one
# machine) rarely meet.  Give each test its own FIRST below 32768 - 800.
port_block() {
    echo $(($1 + ($$ % 40) * 20))
}

# A split of a trace between two cluster workers by BPF, symmetric in the
# address pair: SPLIT_HALF1 takes the pairs whose (src + dst) is even, at
# any VLAN depth up to QinQ, SPLIT_HALF2 everything else, so every packet
# goes to exactly one half and both directions of a connection to the same.
SPLIT_P4='(ip and ((ip[12:4] + ip[16:4]) & 1) = 0)'
SPLIT_P6='(ip6 and ((ip6[20:4] + ip6[36:4]) & 1) = 0)'
SPLIT_P="($SPLIT_P4 or $SPLIT_P6)"
SPLIT_HALF1="$SPLIT_P or (vlan and ($SPLIT_P or (vlan and $SPLIT_P)))"
SPLIT_HALF2="not ($SPLIT_HALF1)"

# Skip unless libzmq has CURVE (the cluster needs it) and python3 is there.
need_curve() {
    command -v python3 >/dev/null || skip "python3 is needed to check libzmq"
    curve=$(python3 -c 'import ctypes, ctypes.util
n = ctypes.util.find_library("zmq")
print(ctypes.CDLL(n).zmq_has(b"curve") if n else 0)' 2>/dev/null)
    [ "$curve" = 1 ] || skip "libzmq has no CURVE support (zmq_has(\"curve\") == 0)"
}

# Flags Zeek was run with for a shared case (-C when its SOURCE.txt says so).
case_flags() {
    if grep -qE '(^|[ `])-C([ `]|$)|, -C|\(-C\)' "$1/SOURCE.txt" 2>/dev/null; then
        echo "-C"
    fi
}

# Column NAME of a log file's data rows.
column() { # file name
    awk -F '\t' -v want="$2" '/^#fields/ { for (i = 2; i <= NF; i++) if ($i == want) c = i - 1 }
        !/^#/ && c { print $c }' "$1"
}

# notice.log files -> "note src p peer_descr" per row, sorted.
notes() { # notice.log...
    awk -F '\t' '/^#fields/ { delete f; for (i = 2; i <= NF; i++) f[$i] = i - 1 }
        !/^#/ { print $f["note"], $f["src"], $f["p"], $f["peer_descr"] }' "$@" 2>/dev/null | sort
}

# compare WANT-DIR GOT-DIR STREAM...: the data rows of the logs (every file
# STREAM.log and STREAM.*.log in each directory) are equal as multisets,
# ignoring the uid and fuid columns (uids differ between runs); one line per
# stream, and a few rows missing or extra when they differ.  Needs python3.
compare() { # want-dir got-dir streams...
    python3 "$top_srcdir/tests/integration/logrows.py" "$@"
}
