#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# stats.log and capture_loss.log of `shoal -r` over a synthesised trace
# whose TCP sessions lose segments before the capture point (--loss), with
# stats.traces on and short intervals: the packets of stats.log add up to
# the node's own count, its connections opened to conn.log's rows by
# protocol; capture_loss.log reports gaps among the ACKs, a plausible
# percentage, and none at all over the same traffic without loss.  By
# default a trace writes neither log.
. "$(dirname "$0")/common.sh"
out=$(mktmp)

cat >"$out/stats.cfg" <<'EOF'
stats: { traces = true; interval = 2.0; capture_loss_first = 1.0; capture_loss_interval = 3.0; };
EOF
for loss in 0.02 0; do
    "$SYNTH" -q -o "$out/t$loss.pcap" -s 5 --size 8M --mix tcp=60,dns=30,icmp=10 --loss "$loss" \
        --retx 0 --ooo 0 || fail "shoal-synth failed"
    mkdir -p "$out/l$loss"
    "$SHOAL" --no-progress -r "$out/t$loss.pcap" -c "$out/stats.cfg" -l "$out/l$loss" \
        2>"$out/l$loss.err" || { cat "$out/l$loss.err"; fail "shoal failed (loss $loss)"; }
done

python3 - "$out" <<'PY' || fail "stats.log or capture_loss.log are wrong"
import re, sys
out = sys.argv[1]

from zeeklog import tsv as rows

bad = 0
def check(name, ok, detail):
    global bad
    print(("ok   " if ok else "FAIL ") + f"{name}: {detail}")
    bad += not ok

for loss in ("0.02", "0"):
    d = f"{out}/l{loss}"
    summary = open(f"{out}/l{loss}.err").read()
    packets = int(re.search(r": (\d+) packets", summary).group(1))
    st = rows(f"{d}/stats.log")
    check(f"loss {loss}: stats.log records", len(st) >= 3, f"{len(st)} records")
    check(f"loss {loss}: stats.log peer", all(r["peer"] == "shoal" for r in st), "shoal")
    got = sum(int(r["pkts_proc"]) for r in st)
    check(f"loss {loss}: pkts_proc adds up", got == packets, f"{got}, the node read {packets}")
    conns = {"tcp": 0, "udp": 0, "icmp": 0}
    for r in rows(f"{d}/conn.log"):
        conns[r["proto"]] += 1
    for p in conns:
        got = sum(int(r[p + "_conns"]) for r in st)
        check(f"loss {loss}: {p}_conns adds up", got == conns[p],
              f"{got}, conn.log has {conns[p]}")
    check(f"loss {loss}: trace columns unset",
          all(r["pkts_dropped"] == "-" and r["pkt_lag"] == "-" for r in st), "pkts_dropped, pkt_lag")
    cl = rows(f"{d}/capture_loss.log")
    acks = sum(int(r["acks"]) for r in cl)
    gaps = sum(int(r["gaps"]) for r in cl)
    check(f"loss {loss}: capture_loss.log records", len(cl) >= 2, f"{len(cl)} records")
    check(f"loss {loss}: acks", acks > 100, f"{acks} ACKs")
    for r in cl:
        a, g, pct = int(r["acks"]), int(r["gaps"]), float(r["percent_lost"])
        want = 100.0 * g / a if a else 0.0
        if abs(pct - want) > 1e-4:
            check(f"loss {loss}: percent_lost", False, f"{pct} for {g}/{a}")
    if loss == "0":
        check("no loss: no gap", gaps == 0, f"{gaps} gaps")
    else:
        check("loss: gaps counted", 0 < gaps < acks, f"{gaps} gaps of {acks} ACKs")
sys.exit(1 if bad else 0)
PY

# The default: a trace writes neither.
mkdir -p "$out/default"
"$SHOAL" -q --no-progress -r "$out/t0.pcap" -l "$out/default" || fail "shoal failed (defaults)"
[ -f "$out/default/conn.log" ] || fail "no conn.log with the defaults"
[ ! -e "$out/default/stats.log" ] && [ ! -e "$out/default/capture_loss.log" ] ||
    fail "a trace wrote stats.log or capture_loss.log without stats.traces"
echo "ok   defaults: no stats.log, no capture_loss.log for a trace"
