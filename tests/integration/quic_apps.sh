#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# QUIC end to end over synthesised traffic: shoal-synth writes QUIC v1 and
# v2 sessions whose Initial packets it protects as endpoints do (TLS 1.3
# hellos in CRYPTO frames), with their ground truth; `shoal -r` must open
# them: one quic.log record per session with the history, SNI and ALPN the
# client sent, one more for a Retry (which restarts the keys), one ssl.log
# record per session (TLS 1.3, the SNI), and
# conn.log's service "quic,ssl", in TSV and in JSON alike.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the ground truth"
out=$(mktmp)
"$SYNTH" -q -o "$out/t.pcap" -s 7 --mix quic=1 --conns 300 \
    --summary "$out/truth.json" || fail "shoal-synth failed"
mkdir -p "$out/tsv" "$out/json"
"$SHOAL" -q --no-progress -r "$out/t.pcap" -l "$out/tsv" || fail "shoal failed (tsv)"
"$SHOAL" -q --no-progress --json -r "$out/t.pcap" -l "$out/json" || fail "shoal failed (json)"
python3 - "$out" <<'PY' || fail "logs differ from the ground truth"
import json, sys
out = sys.argv[1]
truth = json.load(open(out + "/truth.json"))["quic"]

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

bad = 0
def check(name, got, want):
    global bad
    bad += got != want
    print(("ok   " if got == want else "FAIL ") + f"{name}: got {got}, expected {want}")

def count(rows, key):
    n = {}
    for r in rows:
        n[r.get(key)] = n.get(r.get(key), 0) + 1
    return n

for fmt, read in (("tsv", tsv), ("json", jsonl)):
    conn = [r for r in read(f"{out}/{fmt}/conn.log") if r.get("proto") == "udp"]
    quic = read(f"{out}/{fmt}/quic.log")
    ssl = read(f"{out}/{fmt}/ssl.log")
    check(f"{fmt}: quic records", len(quic), truth["records"])
    check(f"{fmt}: quic v2 records", sum(1 for r in quic if r["version"] == "quicv2"),
          truth["v2_records"])
    check(f"{fmt}: quic histories", count(quic, "history"), truth["histories"])
    check(f"{fmt}: quic client_protocol", count(quic, "client_protocol"), {"h3": truth["records"]})
    check(f"{fmt}: quic records after a Retry", sum(1 for r in quic if r["history"] == "ISr"
          and r.get("server_scid") in ("-", None)), truth["retries"])
    check(f"{fmt}: quic dcid length", {len(r["client_initial_dcid"]) for r in quic}, {16})
    check(f"{fmt}: ssl records", len(ssl), truth["ssl_records"])
    check(f"{fmt}: ssl versions", count(ssl, "version"), {"TLSv13": truth["ssl_records"]})
    sni = {r["uid"]: r["server_name"] for r in quic}
    check(f"{fmt}: ssl server_name = quic server_name",
          sum(1 for r in ssl if sni.get(r["uid"]) == r["server_name"] != "-"), truth["ssl_records"])
    check(f"{fmt}: services", count(conn, "service"), {"quic,ssl": truth["connections"]})
sys.exit(1 if bad else 0)
PY
