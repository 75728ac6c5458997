#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# A node started as root drops to privileges.user once its capture is open:
# `shoal -i` on one end of a veth pair, with `privileges: { user = "nobody"; }`,
# runs as nobody with no capability left (CAP_NET_RAW alone with
# keep_net_raw), still captures, and writes its logs as nobody; a log
# folder nobody cannot write, or a user that does not exist, stops it
# with the folder or the key named.  Root only; skipped otherwise.
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
netns_need
id nobody >/dev/null 2>&1 || skip "no user 'nobody' here"
out=$(mktmp)
chmod 711 "$out" # nobody may reach the folders below

netns_add tap
ip link add sniff$$ type veth peer name tap1 netns "$NS_tap" || skip "cannot create a veth pair here"
netns_at_exit "ip link del sniff$$ 2>/dev/null"
ip addr add 10.198.0.1/24 dev sniff$$ && ip link set sniff$$ up || fail "cannot set up sniff$$"
ip -n "$NS_tap" addr add 10.198.0.2/24 dev tap1 && ip -n "$NS_tap" link set tap1 up ||
    fail "cannot set up tap1"

# status FIELD PID: a field of /proc/PID/status
status() {
    awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$2/status"
}

# run NAME CFG-TEXT: start shoal -i with that shoal.cfg, logs in $out/NAME
run() {
    mkdir -p "$out/$1"
    printf '%s\n' "$2" >"$out/$1.cfg"
    "$SHOAL" -q --no-progress -C -i sniff$$ -f 'udp' -c "$out/$1.cfg" -l "$out/$1" \
        2>"$out/$1.err" &
    pid=$!
    PIDS="$PIDS $pid"
    sleep 1.5
}

# ---- 1. nobody, no capability; the capture goes on
mkdir -p "$out/drop" && chown nobody "$out/drop"
run drop 'privileges: { user = "nobody"; };'
kill -0 $pid 2>/dev/null || { cat "$out/drop.err"; fail "shoal stopped after dropping root"; }
uids=$(status Uid $pid)
caps=$(status CapEff $pid)
prm=$(status CapPrm $pid)
echo "running as uids '$uids', CapEff $caps, CapPrm $prm"
nobody=$(id -u nobody)
[ "$(echo $uids)" = "$nobody $nobody $nobody $nobody" ] || fail "not running as nobody: Uid $uids"
[ "$caps" = 0000000000000000 ] && [ "$prm" = 0000000000000000 ] ||
    fail "capabilities left after dropping root: CapEff $caps CapPrm $prm"
ip netns exec "$NS_tap" bash -c \
    'for i in 1 2 3; do echo shoal >/dev/udp/10.198.0.1/5999; sleep 0.1; done' 2>/dev/null
sleep 0.5
kill -TERM $pid
wait $pid || { cat "$out/drop.err"; fail "shoal exited non-zero after dropping root"; }
grep -q '5999' "$out/drop/conn.log" 2>/dev/null || { cat "$out/drop.err"; fail "no conn.log row for the datagrams"; }
[ "$(stat -c %U "$out/drop/conn.log")" = nobody ] || fail "conn.log is not written by nobody"
echo "ok: captured and logged as nobody, no capability"

# ---- 2. keep_net_raw: CAP_NET_RAW (bit 13) alone
mkdir -p "$out/raw" && chown nobody "$out/raw"
run raw 'privileges: { user = "nobody"; keep_net_raw = true; };'
caps=$(status CapEff $pid)
kill -TERM $pid
wait $pid || { cat "$out/raw.err"; fail "shoal exited non-zero with keep_net_raw"; }
[ "$caps" = 0000000000002000 ] || fail "keep_net_raw: CapEff $caps, want CAP_NET_RAW alone (0000000000002000)"
echo "ok: keep_net_raw keeps CAP_NET_RAW alone"

# ---- 3. a log folder nobody cannot write; 4. no such user
mkdir -p "$out/rootonly" && chmod 755 "$out/rootonly"
rc=0
"$SHOAL" -q --no-progress -C -i sniff$$ -c "$out/drop.cfg" -l "$out/rootonly" 2>"$out/rootonly.err" ||
    rc=$?
[ $rc != 0 ] && grep -q "$out/rootonly: not writable by user 'nobody'" "$out/rootonly.err" ||
    { cat "$out/rootonly.err"; fail "a log folder nobody cannot write: exit $rc, folder not named"; }
printf 'privileges: { user = "no-such-user-shoal"; };\n' >"$out/nouser.cfg"
rc=0
"$SHOAL" -q --no-progress -C -i sniff$$ -c "$out/nouser.cfg" -l "$out/drop" 2>"$out/nouser.err" || rc=$?
[ $rc != 0 ] && grep -q "privileges.user: there is no user named 'no-such-user-shoal'" "$out/nouser.err" ||
    { cat "$out/nouser.err"; fail "an unknown user: exit $rc, key not named"; }
echo "ok: an unwritable folder and an unknown user are refused, named"
