# SPDX-License-Identifier: BSD-3-Clause
# shoalctl as the tests drive it (sourced after common.sh): one command at
# a time on the installation under a base folder, inside a network
# namespace when one is given, each printed as a transcript line
# ("[ShoalControl] > status") followed by what the command said, so a
# test's log reads like a session at the shell.
#
#   ctl_init BASE [NS]          the installation and the namespace to use
#   ctl_etc BASE HOST IF1 IF2   etc/ for a manager and a proxy-1 on HOST,
#                               worker-1 sniffing IF1 and worker-2 IF2 on
#                               HOST (default: the manager's host); the
#                               private networks local; connection
#                               time-outs of 120 s (see below)
#   ctl NAME WANT PATTERN ARGS  run `shoalctl ARGS`; fail unless its exit
#                               status is WANT and its output matches the
#                               extended regular expression PATTERN; the
#                               output stays in $CTL_OUT
#   ctl_run ARGS                run it, no check; exit status in $rc
#   has_command NAME            does `help` list the command NAME?
#   ctl_stop_all                stop every node, quietly (at exit)
#   ctl_wait_packets NODE N [S] wait until worker NODE captured N frames
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

ctl_etc() {
    mkdir -p "$1/etc"
    cat >"$1/etc/node.cfg" <<CFG
[manager]
type=manager
host=$2

[proxy-1]
type=proxy
host=$2

[worker-1]
type=worker
host=${5:-$2}
interface=$3

[worker-2]
type=worker
host=${5:-$2}
interface=$4
CFG
    cat >"$1/etc/networks.cfg" <<NET
10.0.0.0/8          Private IP space
172.16.0.0/12       Private IP space
192.168.0.0/16      Private IP space
NET
    # A replay keeps the trace's pace only as well as a loaded machine lets
    # it: a second of lag must not expire a connection attempt that the
    # trace file keeps (tcp_syn_timeout is 5 s).  With every connection
    # time-out longer than the replay, a capture of it and a run over the
    # file (with this shoal.cfg) make the same connections.  That includes
    # the DNS analyzer's own (Zeek's dns_session_timeout, 10 s), which ends
    # a UDP DNS flow idle that long: a loaded machine has held a replay's
    # answer back longer than that.
    _k='tcp_syn_timeout|tcp_(close|reset|partial_close)_delay|(udp|icmp|other)_inactivity_timeout'
    sed -E "s/^( *($_k) *=) *[0-9.]+;/\\1 120.0;/" "$top_srcdir/cfg/shoal.cfg" >"$1/etc/shoal.cfg"
    [ "$(grep -c ' = 120\.0;' "$1/etc/shoal.cfg")" = 7 ] ||
        fail "cfg/shoal.cfg: not every connection time-out found to lengthen"
    echo 'plugins: { dns: { session_timeout = 120.0; }; };' >>"$1/etc/shoal.cfg"
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
        [ -f "$f" ] && ! flock -s -n "$f" true 2>/dev/null && kill -9 "$(cat "$f")" 2>/dev/null
    done
    return 0
}

# ctl_wait_packets NODE N [SECONDS]: wait until worker NODE has captured N
# frames (its capture.received, asked over its control port with the
# installed layout): the test's clock for "the capture has taken all the
# replay".
ctl_wait_packets() {
    _l="$CTL_BASE/spool/installed/layout.cfg"
    _i=0
    while [ $_i -lt $((${3:-30} * 5)) ]; do
        _p=$(${CTL_NS:+ip netns exec "$CTL_NS"} "$SHOAL" --layout "$_l" --timeout 2 \
            --control "$1" counters 2>/dev/null | awk '$1 == "capture.received" { print $2; exit }')
        [ "${_p:-0}" -ge "$2" ] && return 0
        sleep 0.2
        _i=$((_i + 1))
    done
    ${CTL_NS:+ip netns exec "$CTL_NS"} "$SHOAL" --layout "$_l" --timeout 2 --control "$1" \
        counters 2>&1 | grep -E '^node|packets|capture\.|decode\.frames'
    command -v netns_diag >/dev/null && netns_diag
    fail "$1 captured ${_p:-no} frames in ${3:-30} s, not $2"
}
