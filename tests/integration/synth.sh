#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# End to end over synthesised traffic: shoal-synth writes a mixed trace and
# its ground truth; `shoal -r` must log every connection, DNS transaction
# and HTTP request the truth counts, with the TCP conn_state mix and the
# bytes lost in content gaps it predicts, in TSV and in JSON alike. A second
# trace mixes an address scan and a port scan (--scan) into the traffic: every
# probe must be one conn.log row, S0 or REJ exactly as the truth counts them.
# A third, flow-dense trace (make bench's, --max-body 4K) must log every
# connection the truth counts, no HTTP body above 4 KiB, and many times the
# connections per byte of the mixed trace.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the ground truth"
out=$(mktmp)
"$SYNTH" -q -o "$out/t.pcap" -s 11 --size 24M --summary "$out/truth.json" ||
    fail "shoal-synth failed"
mkdir -p "$out/tsv" "$out/json"
"$SHOAL" -q --no-progress -r "$out/t.pcap" -l "$out/tsv" || fail "shoal failed (tsv)"
"$SHOAL" -q --no-progress --json -r "$out/t.pcap" -l "$out/json" || fail "shoal failed (json)"
python3 - "$out" <<'PY' || fail "logs differ from the ground truth"
import json, sys
out = sys.argv[1]
truth = json.load(open(out + "/truth.json"))

from zeeklog import tsv, jsonl

checks = []
def check(name, got, want):
    checks.append((name, got == want))
    print(("ok   " if got == want else "FAIL ") + f"{name}: got {got}, expected {want}")

for fmt, read in (("tsv", tsv), ("json", jsonl)):
    conn = read(f"{out}/{fmt}/conn.log")
    dns = read(f"{out}/{fmt}/dns.log")
    http = read(f"{out}/{fmt}/http.log")
    check(f"{fmt}: connections", len(conn), truth["connections"]["total"])
    check(f"{fmt}: dns transactions", len(dns), truth["dns"]["transactions"])
    check(f"{fmt}: http requests", len(http), truth["http"]["requests"])
    states = {}
    for r in conn:
        if r["proto"] == "tcp":
            states[r["conn_state"]] = states.get(r["conn_state"], 0) + 1
    want = dict(truth["tcp"]["conn_state"])
    # Half-open sessions (the SYN was not seen) stay S1 until the end.
    want["S1"] = want.get("S1", 0) + truth["tcp"]["half_open"]
    check(f"{fmt}: tcp conn_state mix", states, {k: v for k, v in want.items() if v})
    missed = sum(int(r.get("missed_bytes", 0) or 0) for r in conn)
    check(f"{fmt}: missed_bytes", missed, truth["impairments"]["lost_bytes"])
    methods = {}
    for r in http:
        methods[r["method"]] = methods.get(r["method"], 0) + 1
    check(f"{fmt}: http methods", methods, truth["http"]["methods"])

bad = sum(1 for _, ok in checks if not ok)
print(f"{len(checks) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY

# Scans: one scanner, 40 hosts on port 22 and 30 ports of one host, each split
# evenly between rejected (REJ) and unanswered (S0), over 20 s of trace time
# among regular sessions. The port scan's ports (1000-1029) miss port 22.
scanner=198.51.100.7
"$SYNTH" -q -o "$out/scan.pcap" -s 12 --size 4M --summary "$out/scan.json" \
    --scan "addr:$scanner:22:40:dur=20" --scan "port:$scanner:10.0.1.9:30:ports=1000,dur=20" ||
    fail "shoal-synth failed (scan)"
mkdir -p "$out/scan"
"$SHOAL" -q --no-progress -r "$out/scan.pcap" -l "$out/scan" || fail "shoal failed (scan)"
python3 - "$out" "$scanner" <<'PY'
import ipaddress, json, struct, sys
out, scanner = sys.argv[1], sys.argv[2]
truth = json.load(open(out + "/scan.json"))

checks = []
def check(name, got, want):
    checks.append(got == want)
    print(("ok   " if got == want else "FAIL ") + f"{name}: got {got}, expected {want}")

fields, conn = None, []
for line in open(out + "/scan/conn.log"):
    line = line.rstrip("\n")
    if line.startswith("#fields"):
        fields = line.split("\t")[1:]
    elif not line.startswith("#"):
        conn.append(dict(zip(fields, line.split("\t"))))

# The trace stays in time order with the probes interleaved.
ts, last, back = [], 0, 0
with open(out + "/scan.pcap", "rb") as f:
    f.read(24)
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        sec, usec, incl, _ = struct.unpack("<IIII", h)
        t = sec * 1000000 + usec
        back += t < last
        last = t
        f.seek(incl, 1)
check("timestamps never go backwards", back, 0)

scans = truth.get("scans", [])
check("scans in the truth", [s["kind"] for s in scans], ["addr", "port"])
check("connections", len(conn), truth["connections"]["total"])
mine = [r for r in conn if r["id.orig_h"] == scanner]
check("scanner's connections", len(mine), sum(s["targets"] for s in scans))
for s in scans:
    if s["kind"] == "addr":
        lo = int(ipaddress.ip_address(s["dst_first"]))
        want = {str(ipaddress.ip_address(lo + i)) for i in range(s["targets"])}
        rows = [r for r in mine if r["id.resp_p"] == str(s["port"]) and r["id.resp_h"] in want]
        got = {r["id.resp_h"] for r in rows}
    else:
        want = {str(p) for p in range(s["port_first"], s["port_last"] + 1)}
        rows = [r for r in mine if r["id.resp_h"] == s["dst"] and r["id.resp_p"] in want]
        got = {r["id.resp_p"] for r in rows}
    states = {}
    for r in rows:
        states[r["conn_state"]] = states.get(r["conn_state"], 0) + 1
    check(f"{s['kind']} scan: rows", len(rows), s["targets"])
    check(f"{s['kind']} scan: distinct targets", len(got), s["targets"])
    check(f"{s['kind']} scan: conn_state", states,
          {"REJ": s["rejected"], "S0": s["unanswered"]})
    check(f"{s['kind']} scan: probes", s["probes"], s["rejected"] + s["unanswered"])
    check(f"{s['kind']} scan: split", (s["rejected"], s["unanswered"]),
          (s["targets"] // 2, s["targets"] - s["targets"] // 2))
    first = min(float(r["ts"]) for r in rows)
    check(f"{s['kind']} scan: first probe time", round(first, 6), round(s["first_ts"], 6))
t0 = min(s["first_ts"] for s in scans)
t1 = max(s["last_ts"] for s in scans)
others = [float(r["ts"]) for r in conn if r["id.orig_h"] != scanner]
check("regular connections", len(others), truth["connections"]["total"] - len(mine))
check("regular traffic among the probes", any(t0 < t < t1 for t in others), True)

bad = checks.count(False)
print(f"{len(checks) - bad} passed, {bad} failed (scan)")
sys.exit(1 if bad else 0)
PY

"$SYNTH" -q -o "$out/d.pcap" -s 5 --size 6M --mix dns=66,http=14,tls=12,tcp=8 --max-body 4K \
    --summary "$out/dtruth.json" || fail "shoal-synth failed (flow-dense)"
mkdir -p "$out/dense"
"$SHOAL" -q --no-progress -r "$out/d.pcap" -l "$out/dense" || fail "shoal failed (flow-dense)"
python3 - "$out" <<'PY' || fail "the flow-dense trace is not what --max-body promises"
import json, os, sys
out = sys.argv[1]
truth = json.load(open(out + "/dtruth.json"))
mixed = json.load(open(out + "/truth.json"))

from zeeklog import tsv

conn = tsv(out + "/dense/conn.log")
http = tsv(out + "/dense/http.log")
bodies = [int(r[k]) for r in http for k in ("request_body_len", "response_body_len")
          if r[k] not in ("-", "")]
per_mib = len(conn) / (os.path.getsize(out + "/d.pcap") / 1048576)
mixed_per_mib = mixed["connections"]["total"] / (os.path.getsize(out + "/t.pcap") / 1048576)
checks = [
    ("connections", len(conn), truth["connections"]["total"]),
    ("http requests", len(http), truth["http"]["requests"]),
    ("largest http body <= 4096", max(bodies) <= 4096, True),
    ("some http bodies", len(bodies) > 0, True),
    ("connections per MiB >= 5x the mixed trace's", per_mib >= 5 * mixed_per_mib, True),
]
bad = 0
for name, got, want in checks:
    bad += got != want
    print(("ok   " if got == want else "FAIL ") + f"{name}: got {got}, expected {want}")
print(f"{per_mib:.0f} connections per MiB (mixed: {mixed_per_mib:.0f})")
sys.exit(1 if bad else 0)
PY
