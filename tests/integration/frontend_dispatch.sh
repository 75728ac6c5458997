#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The dispatch frontend over a synthesised trace (IPv4 and IPv6, VLAN tags,
# IP fragments): one `shoal --dispatcher --workers 2` hashes the trace into
# shared-memory rings and two nodes read their share (--share 0/2, 1/2);
# between them they write exactly the records of one standalone run, none
# split, each with a fair part.  Then the same through `shoal -r --workers
# 2` (a dispatcher, two worker processes and a manager writing one set of
# logs), when libzmq has CURVE.  A host-based strategy has no dispatcher.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to compare the logs"
out=$(mktmp)
t="$out/t.pcap"
"$SYNTH" -q -o "$t" -s 41 --conns 3000 --vlan 0.2 --ipv6 0.2 || fail "shoal-synth failed"
mkdir -p "$out/alone" "$out/0" "$out/1" "$out/union"
"$SHOAL" -q --no-progress -r "$t" -l "$out/alone" || fail "shoal failed (standalone)"
printf 'frontend: { strategy = "dispatch"; };\nplugins: { dispatch: { ring_mb = 4; }; };\n' \
    >"$out/d.cfg"
"$SHOAL" -c "$out/d.cfg" --dispatcher --workers 2 --channel "$out" -r "$t" 2>"$out/d.err" &
dpid=$!
PIDS="$PIDS $dpid"
wpids=""
for w in 0 1; do
    "$SHOAL" --no-progress -c "$out/d.cfg" --channel "$out" --share "$w/2" -r "$t" \
        -l "$out/$w" 2>"$out/$w.err" &
    wpids="$wpids $!"
    PIDS="$PIDS $!"
done
for p in $wpids; do wait "$p" || { cat "$out"/*.err; fail "a worker failed"; }; done
wait "$dpid" || { cat "$out/d.err"; fail "the dispatcher failed"; }
for w in 0 1; do
    cat "$out/$w.err"
    for s in conn dns http; do cp "$out/$w/$s.log" "$out/union/$s.$w.log"; done
done
compare "$out/alone" "$out/union" conn dns http || fail "the workers' records differ from standalone's"
n0=$(grep -vc '^#' "$out/0/conn.log")
n1=$(grep -vc '^#' "$out/1/conn.log")
[ $((n0 * 10)) -ge $((3 * (n0 + n1))) ] && [ $((n1 * 10)) -ge $((3 * (n0 + n1))) ] ||
    fail "unbalanced split ($n0 / $n1)"
[ -z "$(ls /dev/shm 2>/dev/null | grep shoal-ds)" ] || echo "note: shoal-ds regions in /dev/shm"

# shoal -r --workers 2: dispatcher, manager, proxy and workers of the run's own.
curve=$(python3 -c 'import ctypes, ctypes.util
n = ctypes.util.find_library("zmq")
print(ctypes.CDLL(n).zmq_has(b"curve") if n else 0)' 2>/dev/null)
if [ "$curve" = 1 ]; then
    mkdir -p "$out/par"
    "$SHOAL" --no-progress -r "$t" --workers 2 -l "$out/par" 2>"$out/par.err" ||
        { cat "$out/par.err"; fail "shoal -r --workers 2 failed"; }
    compare "$out/alone" "$out/par" conn dns http ||
        fail "--workers 2: the manager's records differ from standalone's"
    hosts() { grep -v '^#' "$1" | cut -f2 | sort; }
    [ "$(hosts "$out/par/known_hosts.log")" = "$(hosts "$out/alone/known_hosts.log")" ] ||
        fail "--workers 2: known_hosts.log holds other hosts than standalone's, or repeats"
    [ -z "$(ls -d /tmp/shoal-run-* 2>/dev/null)" ] || echo "note: /tmp/shoal-run-* left"
else
    echo "SKIP --workers: libzmq has no CURVE"
fi

printf 'frontend: { strategy = "bpf"; };\n' >"$out/b.cfg"
"$SHOAL" -c "$out/b.cfg" --dispatcher --workers 2 -r "$t" 2>"$out/b.err" &&
    fail "a host-based strategy ran as a dispatcher"
grep -q 'is host-based: it has no dispatcher' "$out/b.err" || { cat "$out/b.err"; fail "no reason given"; }
echo "ok"
