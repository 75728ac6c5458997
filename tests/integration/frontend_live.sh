#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Live frontends: a synthesised trace is replayed with tcpreplay into one end
# of a veth pair (a network namespace of its own); on the other end two
# workers capture with the af_packet frontend (one fanout group, the
# kernel's symmetric hash) as worker 0 and 1 of 2, then with the dispatch
# frontend (one dispatcher on the link feeding both through shared memory).  Between them they must
# write the rows one standalone run over the trace file writes (times
# aside: the replay stamps its own), every session on one worker only, and
# each worker must have had a part of the traffic.  Root only (network
# namespaces, raw capture); skipped without tcpreplay.
. "$(dirname "$0")/common.sh"
. "$top_srcdir/tests/integration/netns.sh"
netns_need
command -v tcpreplay >/dev/null || skip "needs tcpreplay (contrib/setup.sh installs it)"
command -v python3 >/dev/null || skip "needs python3 to compare the logs"
out=$(mktmp)
t="$out/t.pcap"
"$SYNTH" -q -o "$t" -s 31 --size 3M --vlan 0.1 --ipv6 0.2 || fail "shoal-synth failed"
# The TCP time-outs longer than the trace: on a loaded machine a worker may
# get a frame late, after its clock followed the wall clock past a short
# one, and end a connection the trace run keeps whole (as any live capture
# would); the standalone run takes the same settings.
conn_cfg='conn: { tcp_syn_timeout = 120.0; tcp_close_delay = 120.0; tcp_reset_delay = 120.0; tcp_partial_close_delay = 120.0; };'
echo "$conn_cfg" >"$out/alone.cfg"
mkdir -p "$out/alone"
"$SHOAL" -q --no-progress -C -c "$out/alone.cfg" -r "$t" -l "$out/alone" ||
    fail "standalone run failed"
npk=$(pcap_packets "$t")

netns_add tap
netns_add cap
veth_add "$NS_tap" tap0 "$NS_cap" cap0

# run_workers STRATEGY: two workers on cap0, the trace replayed, then
# stopped; their logs in $out/STRATEGY/{0,1}, both in $out/STRATEGY/union.
run_workers() {
    s=$1
    mkdir -p "$out/$s/0" "$out/$s/1" "$out/$s/union"
    printf '%s\nfrontend: { strategy = "%s"; };\nplugins: { af_packet: { ring_mb = 8; fanout_id = %d; }; };\n' \
        "$conn_cfg" "$s" $(($$ % 60000 + 1)) >"$out/$s.cfg"
    wpids=""
    dpid=""
    if [ "$s" = dispatch ]; then
        ip netns exec "$NS_cap" "$SHOAL" -v -c "$out/$s.cfg" --dispatcher --workers 2 -i cap0 \
            2>"$out/$s/d.err" &
        dpid=$!
        PIDS="$PIDS $dpid"
    fi
    for w in 0 1; do
        ip netns exec "$NS_cap" "$SHOAL" -v --no-progress -C -c "$out/$s.cfg" --share "$w/2" \
            -i cap0 -l "$out/$s/$w" 2>"$out/$s/$w.err" &
        wpids="$wpids $!"
        PIDS="$PIDS $!"
    done
    # Every capture open before the replay (a fanout group that grows during
    # the traffic moves flows between its members): both workers in the
    # group (af_packet), or the dispatcher feeding the rings (dispatch), as
    # their -v lines say.
    ready() {
        if [ "$s" = dispatch ]; then
            grep -q 'feeding 2 workers' "$out/$s/d.err" 2>/dev/null
        else
            grep -q 'fanout group' "$out/$s/0.err" 2>/dev/null &&
                grep -q 'fanout group' "$out/$s/1.err" 2>/dev/null
        fi
    }
    i=0
    until ready; do
        i=$((i + 1))
        [ "$i" -lt 300 ] || { cat "$out/$s/"*.err; fail "$s: the capture did not start within 30 s"; }
        sleep 0.1
    done
    sleep 0.5
    replay "$NS_tap" tap0 "$t"
    replay_wait "$REPLAY_PID"
    sleep 1
    for p in $dpid $wpids; do kill -TERM "$p"; done
    [ -z "$dpid" ] || wait "$dpid" || { cat "$out/$s/d.err"; fail "$s: the dispatcher failed"; }
    for p in $wpids; do
        wait "$p" || { cat "$out/$s/"*.err; fail "$s: a worker exited with an error"; }
    done
    got=0
    for w in 0 1; do
        grep -v "\[loader\]" "$out/$s/$w.err"
        n=$(sed -n 's/^shoal: [^:]*: \([0-9]*\) packets,.*/\1/p' "$out/$s/$w.err")
        [ "${n:-0}" -gt 0 ] || fail "$s: worker $w saw no packets"
        got=$((got + n))
        for st in conn dns http; do
            [ ! -f "$out/$s/$w/$st.log" ] || cp "$out/$s/$w/$st.log" "$out/$s/union/$st.$w.log"
        done
    done
    echo "$s: $got packets captured of $npk replayed"
    [ "$got" -ge "$npk" ] || { netns_diag; fail "$s: the workers captured $got of $npk packets"; }
    python3 "$top_srcdir/tests/integration/logrows.py" --ignore ts,duration,rtt \
        "$out/alone" "$out/$s/union" conn dns http ||
        fail "$s: the workers' rows differ from a standalone run's"
}

run_workers af_packet
run_workers dispatch
echo "ok"
