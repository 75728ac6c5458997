#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shoalctl's commands beyond start/stop/status, on one host: a manager, a
# proxy and two workers on loopback (shell_local.sh).  Each command is run
# one-shot, its output and exit status checked, its failures too: config
# (and a bad control time-out in shoal.cfg, refused with file:line, while a
# mistake elsewhere in it is left for check), help listing ps.shoal apart,
# deploy (and one that stops at a failed check), netstats, capstats,
# peerstatus, print, top, df, exec, scripts, ps.shoal, diag (of a running
# node, and of one killed -9), restart [--clean], cleanup [--all]
# (refusing a running node); an unknown node, and a stopped one for print,
# peerstatus and netstats, fail naming it.  The workers sniff `lo`: root
# only, skipped otherwise.
. "$(dirname "$0")/common.sh"
SHELL_BASE_PORT=$(port_block 30800)
. "$(dirname "$0")/shell_local.sh"

# The shipped shoal.cfg with one time-out of the shell changed.
sed 's/^\( *stop = \)60\.0;/\120.0;/' "$top_srcdir/cfg/shoal.cfg" >"$base/etc/shoal.cfg"
grep -q '^ *stop = 20\.0;' "$base/etc/shoal.cfg" || fail "cfg/shoal.cfg has no control.stop = 60.0"

# has NAME PATTERN / lacks NAME PATTERN: more of the last output.
has() { grep -qE -- "$2" "$base/out" || { cat "$base/out"; fail "$1: output lacks /$2/"; }; }
lacks() { ! grep -qE -- "$2" "$base/out" || { cat "$base/out"; fail "$1: output has /$2/"; }; }
# count NAME PATTERN N: the last output has N lines matching.
count() {
    n=$(grep -cE -- "$2" "$base/out")
    [ "$n" = "$3" ] || { cat "$base/out"; fail "$1: $n lines match /$2/, want $3"; }
}
# before NAME A B: the first line matching A comes before the first matching B.
before() {
    a=$(grep -nE -- "$2" "$base/out" | head -n 1 | cut -d: -f1)
    b=$(grep -nE -- "$3" "$base/out" | head -n 1 | cut -d: -f1)
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || { cat "$base/out"; fail "$1: /$2/ not before /$3/"; }
}
pid_of() { sed -n "s/^$1 .* running *\([0-9][0-9]*\) .*/\1/p" "$base/status.out"; }

# config: every setting, the time-outs from etc/shoal.cfg.
ctl config 0 '^timeout\.stop += 20$' config
has config '^timeout\.control += 5$'
has config "^etcdir += $base/etc\$"
has config '^installed += no$'
# A bad time-out stops the shell before any command, with file and line.
cp "$base/etc/shoal.cfg" "$base/shoal.cfg.good"
sed -i 's/^\( *run = \)60\.0;/\10;/' "$base/etc/shoal.cfg"
line=$(grep -n '^ *run = 0;' "$base/etc/shoal.cfg" | cut -d: -f1)
ctl bad-control 2 "etc/shoal\\.cfg:$line: control\\.run: expected a number >= 0\\.001, got 0" status
# A mistake elsewhere in shoal.cfg is for check to report: the shell runs.
cp "$base/shoal.cfg.good" "$base/etc/shoal.cfg"
sed -i 's/^\( *max_conns = \)4000000;/\10;/' "$base/etc/shoal.cfg"
ctl bad-conn-config 0 '^timeout\.stop += 20$' config
ctl bad-conn-check 1 'conn\.max_conns: expected an integer >= 1, got 0' check manager
cp "$base/shoal.cfg.good" "$base/etc/shoal.cfg"

# help: the new commands, and ps.shoal apart.
ctl help 0 '^capstats \[<nodes>\] \[<secs>\] +- ' help
for c in config 'restart \[--clean\] \[<nodes>\]' deploy 'cleanup \[--all\] \[<nodes>\]' \
    'diag \[<nodes>\]' 'df \[<nodes>\]' 'exec <command line>' 'netstats \[<nodes>\]' \
    'peerstatus \[<nodes>\]' 'print <id> \[<nodes>\]' 'top \[<nodes>\]' 'scripts \[<nodes>\]'; do
    has help "^$c +- [A-Z]"
done
before help '^Commands provided by plugins:$' '^ps\.shoal \[<nodes>\] +- '
count help '^ps\.shoal' 1

# deploy: check, install, then restart of every node, in that order.
ctl deploy 0 'starting worker-2 \.\.\.' deploy
before deploy '^checking configuration \.\.\.$' '^worker-2 is ok\.$'
before deploy '^worker-2 is ok\.$' '^installing \.\.\.$'
before deploy '^updating nodes \.\.\. done\.$' '^restarting \.\.\.$'
before deploy '^restarting \.\.\.$' '^starting manager \.\.\.$'
ctl status 0 '^worker-2 +worker +localhost +running ' status
count status ' running ' 4
cp "$base/out" "$base/status.out"
ctl config-installed 0 '^installed += yes$' config

# Some traffic on lo for the workers to count.
ping -c 300 -i 0.01 127.0.0.1 >/dev/null 2>&1 &
PIDS="$PIDS $!"

# netstats: one line per worker, none for the manager or the proxy.
ctl netstats 0 '^worker-1: [0-9]+\.[0-9]{6} recvd=[0-9]+ dropped=[0-9]+ link=[0-9]+$' netstats
count netstats ' recvd=' 2
lacks netstats '^(manager|proxy-1):'
ctl netstats-proxy 0 'none of these nodes sees packets' netstats proxies
ctl netstats-unknown 1 "unknown node 'worker-9'" netstats worker-9

# capstats: a row per host/interface (both workers on localhost/lo) and a total.
ctl capstats 0 '^Total +[0-9]+\.[0-9] +[0-9]+\.[0-9]{2}$' capstats 1
has capstats '^Interface +pkts/s +Mbit/s +\([0-9.]+ s average\)$'
count capstats '^localhost/lo +[0-9]+\.[0-9] +[0-9]+\.[0-9]{2}$' 1
ctl capstats-one 0 '^localhost/lo ' capstats worker-1 1
ctl capstats-interval 2 'the interval is seconds above 0' capstats 0
ctl capstats-unknown 1 "unknown node 'worker-9'" capstats worker-9 1

# peerstatus: each node's peers.
ctl peerstatus 0 '^worker-1 +manager +connected$' peerstatus
has peerstatus '^Name +Peer +Status$'
has peerstatus '^manager +worker-2 +up '
has peerstatus '^proxy-1 +manager +connected$'

# print: a value from every running node, or why not.
ctl print 0 '^worker-2 +log\.format = tsv$' print log.format
count print ' log\.format = tsv$' 4
ctl print-counter 0 '^worker-1 +packets = [0-9]+$' print packets worker-1
ctl print-unknown-id 1 "^worker-1 +error: .*no item named 'nosuch'" print nosuch worker-1
ctl print-no-id 2 'print needs the name of a value' print

# top: one ps per host, a row per running node.
ctl top 0 '^worker-1 +worker +localhost +[0-9]+ +[0-9.]+[KMGT] +[0-9.]+[KMGT] +[0-9.]+% +shoal$' top
has top '^Name +Type +Host +Pid +VSize +Rss +Cpu +Cmd$'
count top ' shoal$' 4
has top "^manager +manager +localhost +$(pid_of manager) "

# df: each workdir and the shell's spool, on localhost.
ctl df 0 "^localhost +$base/spool/worker-1 +[0-9.]+[KMGTP] +[0-9.]+[KMGTP] +[0-9.]+[KMGTP] +[0-9.]+%\$" df
has df '^Host +Path +Size +Used +Avail +Use%$'
has df "^localhost +$base/spool +"
count df "^localhost +$base/spool/" 4

# exec: once per host (all nodes are on localhost), through sh -c.
ctl exec 0 '^\[manager/localhost\] hello$' exec 'echo hello; echo world >&2'
has exec '^\[manager/localhost\] world$'
count exec '^\[' 2
ctl exec-fail 1 '^\[manager/localhost\] exit status 3$' exec exit 3
ctl exec-none 2 'exec needs a command line' exec
# In the shell, the words of the line go to sh -c joined again: a pipe works.
rc=0
printf 'exec echo a b c | wc -w\n' | "$CTL" --base "$base" >"$base/out" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$base/out"; fail "exec-shell: exit status $rc"; }
has exec-shell '^\[manager/localhost\] +3$'
passed=$((passed + 1))

# scripts: each node's plugins with the installed settings.
ctl scripts 0 '^worker-1$' scripts
has scripts '^manager$'
has scripts 'manager loads no plugins'
has scripts '^    dns \(analyzer [^)]*\): '
has scripts '^            session_timeout = 10$'
has scripts '^    pcap \(frontend '
before scripts '^proxy-1$' '^worker-1$'
ctl scripts-unknown 1 "unknown node 'worker-9'" scripts worker-9

# ps.shoal: the shoal processes of the host, the nodes' own marked (+).
ctl ps.shoal 0 '^>>> localhost$' ps.shoal
has ps.shoal '^ +USER +PID +PPID '
for node in manager proxy-1 worker-1 worker-2; do
    has ps.shoal "^   \(\+\) .* $(pid_of "$node") .*/shoal --node $node "
done

# diag of a running node.
ctl diag 0 "^status: running, pid $(pid_of worker-1) since " diag worker-1
has diag '^\[worker-1\]$'
has diag "^command line: .*/shoal --node worker-1 --layout $base/spool/installed/layout\.cfg .*--daemon"
has diag '^==== stderr\.log \(the last [0-9]+ lines at most\)$'
has diag 'worker-1: starting as pid'

# A stopped node: print, peerstatus, netstats fail naming it; the others
# still answer.
ctl stop-proxy 0 '^stopping proxy-1 \.\.\.$' stop proxy-1
ctl print-stopped 1 '^proxy-1 +error: not running$' print log.format proxy-1 manager
has print-stopped '^manager +log\.format = tsv$'
ctl peerstatus-stopped 1 '^proxy-1: not running$' peerstatus
has peerstatus-stopped '^worker-1 +manager +connected$'
ctl diag-stopped 0 '^status: stopped \(terminated\)$' diag proxy-1

# cleanup refuses a running node, by name.
ctl cleanup-running 1 '^worker-1 is still running \(pid [0-9]+\); not cleaned up' cleanup worker-1
[ -s "$base/spool/worker-1/stderr.log" ] || fail "cleanup-running: it emptied worker-1"

# A node killed -9: diag says it crashed and shows its output.
pid=$(pid_of worker-2)
kill -9 "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
ctl netstats-crashed 1 '^worker-2: not running$' netstats
ctl diag-crashed 0 "^status: crashed: worker-2 is not running, but its last status word is 'running'" diag worker-2
has diag-crashed 'worker-2: starting as pid'
has diag-crashed '^command line: .*/shoal --node worker-2 '

# cleanup: the crashed node marked stopped, the workdirs emptied.
ctl cleanup 0 '^worker-2 had crashed; now stopped$' cleanup worker-2 proxy-1
has cleanup '^cleaning up proxy-1 \.\.\.$'
[ -d "$base/spool/worker-2" ] && [ -z "$(ls -A "$base/spool/worker-2")" ] ||
    fail "cleanup: $base/spool/worker-2 is not an empty folder"
ctl status-cleaned 0 '^worker-2 +worker +localhost +stopped' status
has status-cleaned '^proxy-1 +proxy +localhost +stopped'

# restart --clean: stop, cleanup, start, in that order; an unknown node
# stops nothing.
ctl restart 0 '^starting worker-2 \.\.\.$' restart --clean workers proxy-1
before restart '^stopping worker-1 \.\.\.$' '^cleaning up worker-1 \.\.\.$'
before restart '^cleaning up worker-1 \.\.\.$' '^starting proxy-1 \.\.\.$'
ctl status-restarted 0 '^worker-2 +worker +localhost +running ' status
count status-restarted ' running ' 4
ctl restart-unknown 1 "unknown node 'nope'" restart nope
lacks restart-unknown 'stopping'
ctl restart-plain 0 '^starting manager \.\.\.$' restart manager
lacks restart-plain 'cleaning up'

# deploy stops at a failed check: nothing installed, nothing stopped.
cp "$base/etc/node.cfg" "$base/node.cfg.good"
printf 'colour=blue\n' >>"$base/etc/node.cfg"
ctl deploy-bad 1 '^deploy: check failed; not going on$' deploy
lacks deploy-bad '^(installing|stopping)'
cp "$base/node.cfg.good" "$base/etc/node.cfg"
ctl status-after-bad-deploy 0 '^manager +manager +localhost +running ' status

# stop everything; cleanup --all also forgets spool/staged and the ssh sockets.
ctl stop 0 '^stopping manager \.\.\.$' stop
ctl top-none 0 'none of these nodes is running' top
: >"$base/spool/ssh/stale-socket"
[ -d "$base/spool/staged" ] || fail "check left no spool/staged"
ctl cleanup-all 0 "^cleaning up the shell's staged files and ssh connections" cleanup --all
count cleanup-all '^cleaning up (manager|proxy-1|worker-1|worker-2) \.\.\.$' 4
[ ! -e "$base/spool/staged" ] || fail "cleanup --all left spool/staged"
[ ! -e "$base/spool/ssh/stale-socket" ] || fail "cleanup --all left the ssh socket"
[ -d "$base/spool/installed" ] || fail "cleanup --all removed the installation"
echo "$passed passed, 0 failed"
