# SPDX-License-Identifier: BSD-3-Clause
# shoalctl as the tests drive it (sourced after common.sh): one command at
# a time on the installation under a base folder, inside a network
# namespace when one is given, each printed as a transcript line
# ("[ShoalControl] > status") followed by what the command said, so a
# test's log reads like a session at the shell.
#
#   ctl_init BASE [NS]          the installation and the namespace to use
#   ctl NAME WANT PATTERN ARGS  run `shoalctl ARGS`; fail unless its exit
#                               status is WANT and its output matches the
#                               extended regular expression PATTERN; the
#                               output stays in $CTL_OUT
#   ctl_run ARGS                run it, no check; exit status in $rc
#   has_command NAME            does `help` list the command NAME?
#   ctl_stop_all                stop every node, quietly (at exit)
#   ctl_wait_packets NODE N [S] wait until worker NODE counted N packets
CTL="$top_builddir/core/bin/shoalctl"
CTL_BASE=""
CTL_NS=""
CTL_OUT=""
CTL_PASSED=0

ctl_init() {
    CTL_BASE=$1
    CTL_NS=${2:-}
    CTL_OUT="$CTL_BASE/ctl.out"
}

ctl_run() {
    echo "[ShoalControl] > $*"
    rc=0
    if [ -n "$CTL_NS" ]; then
        ip netns exec "$CTL_NS" "$CTL" --base "$CTL_BASE" "$@" >"$CTL_OUT" 2>&1 || rc=$?
    else
        "$CTL" --base "$CTL_BASE" "$@" >"$CTL_OUT" 2>&1 || rc=$?
    fi
    sed 's/^/    /' "$CTL_OUT"
}

ctl() {
    _name=$1 _want=$2 _pat=$3
    shift 3
    ctl_run "$@"
    if [ "$rc" -ne "$_want" ] || ! grep -qE -- "$_pat" "$CTL_OUT"; then
        fail "$_name: exit status $rc (want $_want), or its output lacks /$_pat/"
    fi
    CTL_PASSED=$((CTL_PASSED + 1))
}

has_command() {
    "$CTL" --base "$CTL_BASE" help 2>/dev/null | grep -qE "^$1( |$)"
}

ctl_stop_all() {
    [ -n "$CTL_BASE" ] && [ -d "$CTL_BASE/spool" ] || return 0
    if [ -n "$CTL_NS" ]; then
        ip netns exec "$CTL_NS" "$CTL" --base "$CTL_BASE" stop >/dev/null 2>&1
    else
        "$CTL" --base "$CTL_BASE" stop >/dev/null 2>&1
    fi
    # What would not stop: killed by the pid it wrote, when a live process
    # still holds the pid file's lock (a stale file's pid may be another's).
    for f in "$CTL_BASE"/spool/*/shoal.pid; do
        [ -f "$f" ] && ! flock -n "$f" true 2>/dev/null && kill -9 "$(cat "$f")" 2>/dev/null
    done
    return 0
}

# ctl_wait_packets NODE N [SECONDS]: wait until worker NODE has counted N
# packets (asked over its control port with the installed layout): the
# test's clock for "the capture has taken all the replay".
ctl_wait_packets() {
    _l="$CTL_BASE/spool/installed/layout.cfg"
    _i=0
    while [ $_i -lt $((${3:-30} * 5)) ]; do
        _p=$(${CTL_NS:+ip netns exec "$CTL_NS"} "$SHOAL" --layout "$_l" --timeout 2 \
            --control "$1" counters 2>/dev/null | awk '$1 == "packets" { print $2; exit }')
        [ "${_p:-0}" -ge "$2" ] && return 0
        sleep 0.2
        _i=$((_i + 1))
    done
    fail "$1 counted ${_p:-no} packets in ${3:-30} s, not $2"
}
