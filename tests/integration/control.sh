#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The control channel and the lifecycle files of a cluster on loopback:
# a manager and 2 workers from a generated layout, asked with
# `shoal --control NODE|all COMMAND`.
#  - status, counters, peers and print on every node; errors for an unknown
#    command and an unknown id (exit status 1);
#  - a SIGSTOP'ed worker yields "no reply after N s" within the time-out
#    while the others answer;
#  - a second node in the same workdir is refused, naming the pid file;
#  - `stop` to all: every node exits 0, status words "terminated", pid
#    files gone, the workers' records written by the manager.
# The workers capture on `lo` (filtered to a port of their own), which
# needs root: without it only the manager runs and the workers must be
# reported as not answering (SHOAL_TEST_NO_CAPTURE=1 forces that).
# Skipped when libzmq has no CURVE.
. "$(dirname "$0")/common.sh"
need_curve

out=$(mktmp)

# cluster.sh takes ports slot+0..14 of the 25-port slot of its pid; this
# test takes slot+15..19 for the layout and slot+22..23 for its traffic.
slot=$((20000 + ($$ % 400) * 25))
base=$((slot + 15))
uport1=$((slot + 22))
uport2=$((slot + 23))

L="$out/layout.cfg"
"$SHOAL" --gen-layout "$L" --workdir-base "$out/spool" --keys "$out/keys" \
    --manager manager --worker worker-1 --worker worker-2 --base-port "$base" ||
    fail "shoal --gen-layout failed"
[ -f "$out/keys/shoalctl.key" ] || fail "--gen-layout made no control key $out/keys/shoalctl.key"
grep -q '^shoalctl ' "$out/keys/allowed_keys" || fail "the control key is not in allowed_keys"

ctl() { # target command [args] -> output in $out/ctl.out, exit status in $rc
    rc=0
    "$SHOAL" --layout "$L" --timeout "${TMO:-3}" --control "$@" >"$out/ctl.out" 2>&1 || rc=$?
}
item() { # node key -> value of the item in the node's block of $out/ctl.out
    awk -v n="$1" -v k="$2" '/^node / { cur = $2; next }
        cur == n && $1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$out/ctl.out"
}
show() {
    echo "--- shoal --control output:"
    cat "$out/ctl.out"
    for f in "$out"/*.err; do
        echo "--- $f:"
        cat "$f"
    done
}

live=0
if [ "$(id -u)" = 0 ] && [ -z "${SHOAL_TEST_NO_CAPTURE:-}" ]; then
    # Probe: can we capture on lo here?
    mkdir -p "$out/probe"
    "$SHOAL" -q --no-progress -i lo -f "udp port $uport1" -l "$out/probe" 2>"$out/probe.txt" &
    p=$!
    sleep 0.3
    kill -TERM $p 2>/dev/null
    wait $p && live=1
fi
echo "workers capture on lo: $([ $live = 1 ] && echo yes || echo 'no (not root or no capture)')"

"$SHOAL" -v --node manager --layout "$L" 2>"$out/manager.err" &
mpid=$!
PIDS="$PIDS $mpid"
if [ $live = 1 ]; then
    "$SHOAL" --no-progress --node worker-1 --layout "$L" -i lo -f "udp dst port $uport1" \
        2>"$out/w1.err" &
    w1=$!
    "$SHOAL" --no-progress --node worker-2 --layout "$L" -i lo -f "udp dst port $uport2" \
        2>"$out/w2.err" &
    w2=$!
    PIDS="$PIDS $w1 $w2"
    nodes="manager worker-1 worker-2"
else
    nodes="manager"
fi

# Wait until every started node says it is running.
i=0
while :; do
    ok=1
    for n in $nodes; do
        ctl "$n" print state
        [ "$(item "$n" state)" = running ] || ok=0
    done
    [ $ok = 1 ] && break
    i=$((i + 1))
    [ $i -lt 40 ] || { show; fail "the nodes did not all report 'running' within 10 s"; }
    sleep 0.25
done
for n in $nodes; do
    [ "$(cat "$out/spool/$n/status")" = running ] || fail "$out/spool/$n/status is not 'running'"
    [ -s "$out/spool/$n/shoal.pid" ] || fail "no pid file $out/spool/$n/shoal.pid"
done

# A second manager in the same workdir is refused, naming the pid file.
if "$SHOAL" --node manager --layout "$L" 2>"$out/second.txt"; then
    fail "a second manager started in the same workdir"
fi
grep -q "$out/spool/manager/shoal.pid: node already running as pid $mpid" "$out/second.txt" ||
    { cat "$out/second.txt"; fail "the refusal does not name the pid file and pid $mpid"; }

if [ $live = 1 ]; then
    # Traffic for worker-1: 4 datagrams of one connection.
    python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(4): s.sendto(b"shoal control test", ("127.0.0.1", int(sys.argv[1])))' "$uport1"
    sleep 0.5

    ctl all status
    [ $rc = 0 ] || { show; fail "status to all: exit status $rc"; }
    for n in manager worker-1 worker-2; do
        grep -q "^node $n (localhost:[0-9]*): ok$" "$out/ctl.out" || { show; fail "no status of $n"; }
        [ "$(item $n node)" = "$n" ] || { show; fail "status of $n names another node"; }
        [ "$(item $n state)" = running ] || { show; fail "status of $n: state is not running"; }
    done
    [ "$(item manager role)" = manager ] && [ "$(item worker-2 role)" = worker ] ||
        { show; fail "wrong roles in status"; }
    [ "$(item worker-1 source)" = lo ] || { show; fail "status of worker-1: source is not lo"; }
    [ "$(item worker-1 pid)" = "$w1" ] || { show; fail "status of worker-1: pid is not $w1"; }
    sed -n 1,12p "$out/ctl.out"

    ctl all counters
    [ $rc = 0 ] || { show; fail "counters to all: exit status $rc"; }
    pk=$(item worker-1 packets)
    [ "$pk" = 4 ] || { show; fail "worker-1 counted ${pk:-no} packets, expected 4"; }
    [ "$(item worker-2 packets)" = 0 ] || { show; fail "worker-2 counted packets it was not sent"; }
    [ "$(item worker-1 decode.frames)" = 4 ] || { show; fail "worker-1: decode.frames is not 4"; }
    [ -n "$(item manager batches)" ] || { show; fail "the manager reports no batches counter"; }

    ctl all peers
    [ $rc = 0 ] || { show; fail "peers to all: exit status $rc"; }
    [ "$(item worker-1 manager)" = connected ] && [ "$(item worker-2 manager)" = connected ] ||
        { show; fail "a worker does not report its log channel to the manager as connected"; }
    # worker-2 has seen no packet and logged nothing: its heartbeats (one a
    # second when idle) tell the manager it is up all the same.
    i=0
    while [ $i -lt 30 ]; do
        case "$(item manager worker-2)" in "up ("*) break ;; esac
        sleep 0.1
        i=$((i + 1))
        ctl manager peers
    done
    case "$(item manager worker-2)" in
        "up ("*) ;;
        *) show; fail "the manager does not see the idle worker-2 as up" ;;
    esac
    cat "$out/ctl.out"

    ctl worker-1 print conns_current
    [ $rc = 0 ] && [ "$(item worker-1 conns_current)" = 1 ] ||
        { show; fail "print conns_current on worker-1"; }
    ctl worker-1 print frag.timeout
    [ $rc = 0 ] && [ "$(item worker-1 frag.timeout)" = 60 ] ||
        { show; fail "print of a setting (frag.timeout) on worker-1"; }
fi

ctl manager print log_dir
[ $rc = 0 ] && [ "$(item manager log_dir)" = "$out/spool/manager" ] ||
    { show; fail "print log_dir on the manager"; }
ctl manager print no.such.id
[ $rc = 1 ] && grep -q "^node manager (localhost:$((base + 2))): error: print: no item named 'no.such.id'" \
    "$out/ctl.out" || { show; fail "print of an unknown id: no error, or exit status $rc"; }
ctl manager frobnicate
[ $rc = 1 ] && grep -q "error: unknown command 'frobnicate'" "$out/ctl.out" ||
    { show; fail "an unknown command: no error, or exit status $rc"; }
ctl manager counters
[ "$(item manager control.bad_requests)" = 2 ] || { show; fail "bad requests not counted"; }

# Only the control key controls: a worker's own key may not even ask.
"$SHOAL" --layout "$L" --timeout 3 --control-key "$out/keys/worker-1.key" --control manager stop \
    >"$out/ctl.out" 2>&1 && { show; fail "stop signed by worker-1's key: exit status 0"; }
grep -q "error: refused: the key of worker-1 may not control nodes, only the control key (shoalctl)" \
    "$out/ctl.out" || { show; fail "stop signed by worker-1's key: not refused"; }
ctl manager counters
[ $rc = 0 ] && [ "$(item manager control.refused)" = 1 ] ||
    { show; fail "the manager did not stay up, or did not count the refused request"; }
grep -q "stop request over .* signed by worker-1 refused" "$out/manager.err" ||
    { show; fail "the manager did not log the refused request"; }

# A node that does not answer (stopped, or absent) costs the time-out only.
[ $live = 1 ] && kill -STOP "$w2"
t0=$(date +%s.%N)
TMO=2 ctl all status
t1=$(date +%s.%N)
took=$(python3 -c "print(round($t1 - $t0, 2))")
echo "status to all with worker-2 unresponsive: exit status $rc in $took s"
[ $rc = 1 ] || { show; fail "status to all with a silent node: exit status $rc, expected 1"; }
grep -q "^node worker-2 (localhost:$((base + 4))): no reply after 2 s$" "$out/ctl.out" ||
    { show; fail "no 'no reply' line for worker-2"; }
[ "$(item manager state)" = running ] || { show; fail "the manager did not answer"; }
[ $live = 0 ] || [ "$(item worker-1 state)" = running ] || { show; fail "worker-1 did not answer"; }
python3 -c "import sys; sys.exit(0 if $took < 3.5 else 1)" ||
    fail "status to all took $took s with a 2 s time-out"
[ $live = 1 ] && kill -CONT "$w2"

# stop: workers first, the manager last; every node exits 0.
ctl all stop
[ $live = 0 ] || [ $rc = 0 ] || { show; fail "stop to all: exit status $rc"; }
cat "$out/ctl.out"
for p in $PIDS; do
    st=0
    wait "$p" || st=$?
    [ $st = 0 ] || { show; fail "node pid $p exited with status $st after stop"; }
done
PIDS=""
for n in $nodes; do
    [ "$(cat "$out/spool/$n/status")" = terminated ] ||
        fail "$out/spool/$n/status is '$(cat "$out/spool/$n/status")', expected terminated"
    [ ! -e "$out/spool/$n/shoal.pid" ] || fail "the pid file $out/spool/$n/shoal.pid is left"
done
if [ $live = 1 ]; then
    awk -F'\t' -v p="$uport1" '!/^#/ && $6 == p && $7 == "udp"' "$out/spool/manager/conn.log" |
        grep -q . || { show; fail "the manager's conn.log lacks worker-1's connection"; }
fi
echo "control: all checks passed"
