#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# shoalctl on one host: a manager, a proxy and two workers on loopback,
# driven one command at a time (check, install, start, status, stop) and
# through its shell on standard input (help, nodes, a bad command); the
# exit status says whether a command failed; a second start leaves running
# nodes alone; a node killed -9 shows as crashed.  The workers sniff `lo`:
# root only, skipped otherwise.
. "$(dirname "$0")/common.sh"
SHELL_BASE_PORT=$(port_block 30000)
. "$(dirname "$0")/shell_local.sh"

ctl nodes 0 '^worker-2 - type=worker host=localhost interface=lo lb_method=pcap' nodes
ctl check 0 'worker-2 is ok\.' check
ctl install 0 'generating keys \.\.\. done\.' install
ctl start 0 'starting worker-2 \.\.\.' start
grep -q 'starting manager' "$base/out" && [ "$(grep -n 'starting' "$base/out" | head -n 1 | cut -d: -f2-)" = "starting manager ..." ] ||
    fail "start: the manager must start first"
ctl status 0 '^worker-1 +worker +localhost +running +[0-9]+ ' status
ctl start-again 0 'manager still running' start manager
ctl status-one 0 '^proxy-1 +proxy ' status proxy-1
[ "$(grep -c running "$base/out")" = 1 ] || fail "status proxy-1 shows other nodes"
ctl unknown-node 1 "unknown node 'worker-9'" status worker-9

# The shell, with commands on standard input.
rc=0
printf 'help\nnodes proxies\nfrobnicate\nexit\nstatus\n' |
    "$CTL" --base "$base" >"$base/out" 2>&1 || rc=$?
grep -q '^\[ShoalControl\] > help' "$base/out" || fail "shell: no prompt echoed"
grep -qE '^status \[<nodes>\] +- Summarize node status\.' "$base/out" || fail "shell: help"
grep -q "^proxy-1 - type=proxy" "$base/out" || fail "shell: nodes proxies"
grep -q "unknown command 'frobnicate'" "$base/out" || fail "shell: unknown command"
! grep -q '> status' "$base/out" || fail "shell: went on after exit"
passed=$((passed + 1))

# A node killed -9 shows as crashed, and status fails.
"$CTL" --base "$base" status >"$base/status.out" 2>&1 || true
pid=$(sed -n 's/^worker-2 .* running *\([0-9][0-9]*\) .*/\1/p' "$base/status.out")
[ -n "$pid" ] || { cat "$base/status.out"; fail "no pid of worker-2"; }
kill -9 "$pid"
ctl crashed 1 '^worker-2 +worker +localhost +crashed' status
ctl stop 0 'stopping manager \.\.\.' stop
[ "$(grep -n 'stopping' "$base/out" | tail -n 1 | cut -d: -f2-)" = "stopping manager ..." ] ||
    fail "stop: the manager must stop last"
ctl stopped 0 '^manager +manager +localhost +stopped' status
echo "$passed passed, 0 failed"
