#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# kill -9 of the manager of a cluster that shoalctl started, in the middle
# of the traffic, then `shoalctl start manager`: every log record once, and
# every notice once.
#
# As in transcript.sh, a manager, a proxy and two workers run in a network
# namespace of their own, the workers sniffing two veth links into which
# tcpreplay plays the two halves of a synthesised trace (split by address
# pair) at the trace's own pace.  Once the manager has written a few
# hundred rows, it is killed (SIGKILL); `status` shows it crashed and fails;
# `start manager` brings it back while the workers go on, holding what it
# did not acknowledge.  After `stop`, the rows of the killed manager's files
# (set aside by the new one) and of the new ones together are those of a
# standalone run over the trace file, each once (times aside), as
# cluster.sh checks for a manager started by hand; so are the notices of
# an address scan and a port scan spread over both links (the proxy sees
# them; notice.log of both managers together).
#
# SHOAL_FAULT=stop (manager_stop.sh) stops the manager instead (SIGSTOP)
# for longer than the workers wait for acknowledgements
# (cluster.ack_timeout, 10 s) and the heartbeat time-out, then lets it go
# on (SIGCONT): the same rows and notices, each once.
# SHOAL_KILLS=N (default 1) kills the manager N times, each once it has
# written a few hundred rows more, over a trace N times as long;
# tests/reliability.sh runs it with 10.  It ends with one line of figures,
# "reliability: ...", that the reliability script collects.
#
# Root only (namespaces, capture); skipped otherwise, when namespaces
# cannot be made, or when libzmq has no CURVE.  About 30 s (one kill).
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
. "$top_srcdir/tests/integration/ctl.sh"
netns_need
need_curve
# Under ASan a worker falls behind a minute-long replay at the trace's own
# pace and its capture drops frames (reported, but then the logs cannot
# equal standalone's); the plain build's run of this test is the check.
[ -z "${SHOAL_SANITIZERS:-}" ] || skip "a sanitizer build is too slow for a minute of replay at the trace's pace"
command -v tcpreplay >/dev/null || skip "needs tcpreplay (contrib/setup.sh installs it)"
command -v tcpdump >/dev/null || skip "needs tcpdump to split the trace (contrib/setup.sh installs it)"
out=$(mktmp)
base="$out/shoal"

netns_add host
netns_add tap
veth_add "$NS_tap" tap1 "$NS_host" sniff1
veth_add "$NS_tap" tap2 "$NS_host" sniff2
ctl_etc "$base" localhost sniff1 sniff2

# Many short sessions: DNS rows reach the manager as the answers pass, so
# the kill lands among records in flight (connections are logged at stop:
# see ctl_etc's time-outs).
t="$out/t.pcap"
kills=${SHOAL_KILLS:-1}
"$SYNTH" -q -o "$t" -s 7 --conns $((4000 * kills)) --mix dns=60,tcp=25,icmp=15 \
    --scan addr:10.5.0.1:22:60 --scan port:10.5.0.2:198.51.100.7:40 || fail "shoal-synth failed"
mkdir -p "$out/sa"
"$SHOAL" --no-progress -r "$t" -l "$out/sa" -c "$base/etc/shoal.cfg" \
    --networks "$base/etc/networks.cfg" 2>"$out/sa.err" || fail "standalone run failed"
trace_split "$t" "$out/h1.pcap" "$out/h2.pcap"
n1=$(pcap_packets "$out/h1.pcap")
n2=$(pcap_packets "$out/h2.pcap")

ctl_init "$base" "$NS_host"
netns_at_exit ctl_stop_all
ctl install 0 '^updating nodes \.\.\. done\.' install
ctl start 0 '^starting worker-2 \.\.\.' start
m="$base/spool/manager"
replay "$NS_tap" tap1 "$out/h1.pcap"
r1=$REPLAY_PID
replay "$NS_tap" tap2 "$out/h2.pcap"
r2=$REPLAY_PID

# rows: conn and dns rows the manager's files hold now (set-aside ones
# included).
rows() {
    cat "$m"/conn*.log "$m"/dns*.log 2>/dev/null | grep -vc '^#'
}

# Kill the manager each time it has written a few hundred rows more, and
# start it again while the workers go on.
k=0
while [ $k -lt "$kills" ]; do
    k=$((k + 1))
    want=$(($(rows) + 300))
    i=0
    while [ "$(rows)" -lt "$want" ] && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(rows)" -ge "$want" ] || fail "kill $k: the manager wrote no 300 rows more in 30 s"
    pid=$(cat "$m/shoal.pid")
    if [ "${SHOAL_FAULT:-kill}" = stop ]; then
        kill -STOP "$pid"
        echo "stop $k: the manager (pid $pid, SIGSTOP) after $(rows) rows, for 12 s"
        sleep 12
        kill -CONT "$pid"
        continue
    fi
    kill -9 "$pid"
    # Gone once the kernel has closed its files: the pid file's lock is free.
    i=0
    until flock -s -n "$m/shoal.pid" true; do
        i=$((i + 1))
        [ $i -lt 100 ] || fail "the manager (pid $pid) still holds its pid file after SIGKILL"
        sleep 0.05
    done
    replaying=""
    kill -0 "$r1" 2>/dev/null && replaying="$replaying sniff1"
    kill -0 "$r2" 2>/dev/null && replaying="$replaying sniff2"
    echo "kill $k: the manager (pid $pid, SIGKILL) after $(rows) rows; still replaying:" \
        "${replaying:- none}"
    [ -n "$replaying" ] || echo "note: both replays had ended at the kill"
    [ $k -gt 1 ] || ctl crashed 1 '^manager +manager +localhost +crashed' status
    ctl restart 0 '^starting manager \.\.\.' start manager
done
ctl running 0 '^manager +manager +localhost +running +[0-9]+ ' status
replay_wait "$r1"
replay_wait "$r2"
ctl_wait_packets worker-1 "$n1"
ctl_wait_packets worker-2 "$n2"
ctl stop 0 '^stopping manager \.\.\.' stop

set -- "$m"/conn.*.log "$m"/dns.*.log
[ "${SHOAL_FAULT:-kill}" = stop ] || [ -f "$1" ] || [ -f "$2" ] ||
    fail "the restarted manager set no file of the killed one aside"
grep -h 'previous run' "$m/stderr.log" 2>/dev/null | head -n 3
python3 "$top_srcdir/tests/integration/logrows.py" --ignore ts,duration,rtt \
    "$out/sa" "$m" conn dns known_hosts ||
    fail "records lost or repeated across kill -9 of the manager and start manager"
want=$(notes "$out/sa/notice.log" | cut -d ' ' -f 1-3)
# (The workers' capture-loss notices depend on when their measurements
# fell: a live run's own, not the trace's.)
got=$(notes "$m"/notice*.log | cut -d ' ' -f 1-3 | grep -v '^CaptureLoss::')
echo "$got" | sed 's/^/notice: /'
[ -n "$want" ] || fail "the standalone run raised no notice"
[ "$got" = "$want" ] || { echo "$want" | sed 's/^/want: /'; fail "notices lost or repeated across kill -9 of the manager"; }
echo "reliability: $kills manager $([ "${SHOAL_FAULT:-kill}" = stop ] && echo "stops (SIGSTOP, 12 s)" ||
    echo "kills (SIGKILL)") survived under load;" \
    "$(cat "$m"/conn*.log "$m"/dns*.log "$m"/known_hosts*.log | grep -vc '^#') log rows and" \
    "$(echo "$got" | wc -l) notices, each once: 0 lost, 0 repeated"
echo "$((CTL_PASSED + 1)) passed, 0 failed"
