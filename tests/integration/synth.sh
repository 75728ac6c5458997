#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# End to end over synthesised traffic: shoal-synth writes a mixed trace and
# its ground truth; `shoal -r` must log every connection, DNS transaction
# and HTTP request the truth counts, with the TCP conn_state mix and the
# bytes lost in content gaps it predicts, in TSV and in JSON alike.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the ground truth"
out=$(mktmp)
"$SYNTH" -q -o "$out/t.pcap" -s 11 --size 24M --summary "$out/truth.json" ||
    fail "shoal-synth failed"
mkdir -p "$out/tsv" "$out/json"
"$SHOAL" -q --no-progress -r "$out/t.pcap" -l "$out/tsv" || fail "shoal failed (tsv)"
"$SHOAL" -q --no-progress --json -r "$out/t.pcap" -l "$out/json" || fail "shoal failed (json)"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
truth = json.load(open(out + "/truth.json"))

def tsv(path):
    fields, rows = None, []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif not line.startswith("#"):
            rows.append(dict(zip(fields, line.split("\t"))))
    return rows

def jsonl(path):
    return [json.loads(l) for l in open(path) if l.strip()]

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
