#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shoalctl cron on a cluster that shoalctl started (a manager, a proxy and
# two workers in a network namespace, worker-1 sniffing a veth link that
# tcpreplay feeds):
#  - `cron ?`, `cron disable` (cron does nothing), `cron enable`, kept
#    across shell runs;
#  - with control.rotate_interval 0, each cron rotates the manager's logs
#    and archives them as logs/DATE/STREAM.HH:MM:SS-HH:MM:SS.log.gz: over
#    two traces replayed with a cron after each, the archives and the last
#    files hold every dns.log row of two standalone runs, each once;
#  - a worker killed with SIGKILL is restarted by cron, with a crash
#    report in spool/crash-reports;
#  - an archive folder older than control.log_expire_days is removed, and
#    a disk with less free space than control.min_disk_percent is warned
#    about;
#  - `update` after editing etc/shoal.cfg: every running node takes a new
#    connection time-out and names a reassembly cap as needing a restart;
#    asked again, only the latter is still different.
# Root only (namespaces, capture); skipped otherwise, or when libzmq has no
# CURVE.  About 40 s.
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
. "$top_srcdir/tests/integration/ctl.sh"
netns_need
need_curve
command -v tcpreplay >/dev/null || skip "needs tcpreplay (contrib/setup.sh installs it)"
out=$(mktmp)
base="$out/shoal"

netns_add host
netns_add tap
veth_add "$NS_tap" tap1 "$NS_host" sniff1
veth_add "$NS_tap" tap2 "$NS_host" sniff2
ctl_etc "$base" localhost sniff1 sniff2
sed -i -E 's/^( *rotate_interval =) [0-9.]+;/\1 0.0;/' "$base/etc/shoal.cfg"
grep -q 'rotate_interval = 0.0;' "$base/etc/shoal.cfg" || fail "no control.rotate_interval in shoal.cfg"

mkdir -p "$out/want"
for s in 1 2; do
    "$SYNTH" -q -o "$out/t$s.pcap" -s "$s" --conns 300 --mix dns=100 || fail "shoal-synth failed"
    mkdir -p "$out/sa$s"
    "$SHOAL" -q --no-progress -r "$out/t$s.pcap" -l "$out/sa$s" -c "$base/etc/shoal.cfg" ||
        fail "standalone run $s failed"
    cp "$out/sa$s/dns.log" "$out/want/dns.$s.log"
done

ctl_init "$base" "$NS_host"
netns_at_exit ctl_stop_all
m="$base/spool/manager"
ctl install 0 '^updating nodes \.\.\. done\.' install
ctl start 0 '^starting worker-2 \.\.\.' start

ctl cron_q 0 '^cron is enabled$' cron '?'
ctl cron_off 0 '^cron disabled$' cron disable
ctl cron_q2 0 '^cron is disabled$' cron '?'
ctl cron_noop 0 '^cron is disabled$' cron
ctl cron_on 0 '^cron enabled$' cron enable

# rows FILE: data rows of a log file
rows() {
    grep -vc '^#' "$1" 2>/dev/null || true
}

sent=0
for s in 1 2; do
    sent=$((sent + $(pcap_packets "$out/t$s.pcap")))
    replay "$NS_tap" tap1 "$out/t$s.pcap"
    replay_wait "$REPLAY_PID"
    ctl_wait_packets worker-1 "$sent"
    # Rows come as answers pass (unanswered queries at the end): wait until
    # they stop coming.
    last=-1 i=0
    while [ "$(rows "$m/dns.log")" != "$last" ]; do
        last=$(rows "$m/dns.log")
        i=$((i + 1))
        [ $i -lt 30 ] || fail "the manager's dns.log keeps growing"
        sleep 1
    done
    [ "$last" -gt 0 ] || fail "the manager wrote no dns.log row for trace $s"
    ctl "cron_rotate$s" 0 "archived $m/dns\\..*\\.log as $base/logs/[0-9-]{10}/dns\\.[0-9:]{8}-[0-9:]{8}\\.log\\.gz" cron
done
ctl stop 0 '^stopping manager \.\.\.' stop

mkdir -p "$out/got"
i=0
for f in "$base"/logs/*/dns.*.log.gz; do
    i=$((i + 1))
    gzip -dc "$f" >"$out/got/dns.$i.log" || fail "$f is not a gzip file"
done
[ $i -ge 2 ] || fail "$i archived dns.log files, want 2 at least"
[ -f "$m/dns.log" ] && cp "$m/dns.log" "$out/got/dns.log"
python3 "$top_srcdir/tests/integration/logrows.py" --ignore ts,duration,rtt "$out/want" "$out/got" dns ||
    fail "the archives and the manager's last files differ from standalone"
ls "$base"/logs/*/
passed_rot=1

# ---- a crashed worker: reported and started again
ctl start2 0 '^starting worker-2 \.\.\.' start
pid=$(cat "$base/spool/worker-2/shoal.pid")
kill -9 "$pid"
i=0
until flock -s -n "$base/spool/worker-2/shoal.pid" true; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "worker-2 (pid $pid) still holds its pid file after SIGKILL"
    sleep 0.05
done
ctl cron_crash 0 '^worker-2 crashed; restarting' cron
grep -q "crash report for worker-2 written to $base/spool/crash-reports/worker-2-" "$CTL_OUT" ||
    fail "no crash report named"
set -- "$base"/spool/crash-reports/worker-2-*.txt
grep -q '^-- stderr.log:' "$1" || fail "the crash report lacks the node's stderr"
ctl running 0 '^worker-2 +worker +localhost +running' status

# ---- expiry and the disk warning
mkdir -p "$base/logs/2000-01-01"
touch -d 2000-01-01 "$base/logs/2000-01-01"
sed -i -E 's/^( *log_expire_days =) [0-9.]+;/\1 1.0;/; s/^( *min_disk_percent =) [0-9.]+;/\1 100.0;/' \
    "$base/etc/shoal.cfg"
ctl cron_disk 0 'warning: manager: .* of its disk free \(below 100%\)' cron
[ ! -e "$base/logs/2000-01-01" ] || fail "an archive folder older than log_expire_days was kept"
for d in "$base"/logs/*/; do
    [ -d "$d" ] || fail "cron removed today's archive"
done
# ---- update: run-time settings without a restart
sed -i -E 's/^( *udp_inactivity_timeout =) [0-9.]+;/\1 30.0;/; s/^( *tcp_max_buffer =) [0-9]+;/\1 65536;/' \
    "$base/etc/shoal.cfg"
ctl update 0 '^worker-2: settings read again' update
for node in manager worker-1 worker-2 proxy-1; do
    grep -qE "^$node: settings read again" "$CTL_OUT" || fail "update: no answer from $node"
done
grep -c 'conn.udp_inactivity_timeout: 120 -> 30 (applied)' "$CTL_OUT" | grep -qx 4 ||
    fail "update: the new time-out was not applied on the 4 nodes"
grep -c 'reassembly.tcp_max_buffer: 1048576 -> 65536 (restart needed)' "$CTL_OUT" | grep -qx 4 ||
    fail "update: the reassembly cap was not named as needing a restart on the 4 nodes"
ctl update_again 0 '^worker-1: settings read again' update
! grep -q 'udp_inactivity_timeout' "$CTL_OUT" || fail "update: the applied time-out differs again"
grep -q 'reassembly.tcp_max_buffer: 1048576 -> 65536 (restart needed)' "$CTL_OUT" ||
    fail "update: the pending key is no longer named"
ctl stop2 0 '^stopping manager \.\.\.' stop
echo "$((CTL_PASSED + passed_rot)) passed, 0 failed"
