#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# NTP and DHCP end to end over synthesised traffic: shoal-synth writes NTP
# polls and DHCP exchanges (renewals, INFORMs, NAKs, RELEASEs, broadcast
# DORAs) with their ground truth; `shoal -r` must write one ntp.log record
# per NTP message, one dhcp.log record per exchange holding every message
# of it, and name the service of every NTP and DHCP connection, in TSV and
# in JSON alike.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to read the ground truth"
out=$(mktmp)
"$SYNTH" -q -o "$out/t.pcap" -s 5 --mix ntp=1,dhcp=1 --conns 400 \
    --summary "$out/truth.json" || fail "shoal-synth failed"
mkdir -p "$out/tsv" "$out/json"
"$SHOAL" -q --no-progress -r "$out/t.pcap" -l "$out/tsv" || fail "shoal failed (tsv)"
"$SHOAL" -q --no-progress --json -r "$out/t.pcap" -l "$out/json" || fail "shoal failed (json)"
python3 - "$out" <<'PY' || fail "logs differ from the ground truth"
import json, sys
out = sys.argv[1]
truth = json.load(open(out + "/truth.json"))

from zeeklog import tsv, jsonl

def types(r):
    v = r["msg_types"]
    return v if isinstance(v, list) else v.split(",")

bad = 0
def check(name, got, want):
    global bad
    bad += got != want
    print(("ok   " if got == want else "FAIL ") + f"{name}: got {got}, expected {want}")

for fmt, read in (("tsv", tsv), ("json", jsonl)):
    conn = read(f"{out}/{fmt}/conn.log")
    ntp = read(f"{out}/{fmt}/ntp.log")
    dhcp = read(f"{out}/{fmt}/dhcp.log")
    check(f"{fmt}: ntp records", len(ntp), truth["ntp"]["records"])
    check(f"{fmt}: ntp modes", sorted(set(str(r["mode"]) for r in ntp)), ["3", "4"])
    check(f"{fmt}: dhcp records", len(dhcp), truth["dhcp"]["records"])
    check(f"{fmt}: dhcp messages", sum(len(types(r)) for r in dhcp), truth["dhcp"]["messages"])
    check(f"{fmt}: dhcp records with a mac", sum(1 for r in dhcp if r.get("mac") not in (None, "-")),
          truth["dhcp"]["records"])
    port = lambda r: int(r["id.resp_p"] if "id.resp_p" in r else r["id"]["resp_p"])
    svc = {}
    for r in conn:
        if port(r) in (67, 68, 123):
            svc[port(r)] = svc.get(port(r), set()) | {r.get("service")}
    check(f"{fmt}: services", {p: sorted(s) for p, s in svc.items()},
          {p: [n] for p, n in ((67, "dhcp"), (68, "dhcp"), (123, "ntp")) if p in svc})
    check(f"{fmt}: ntp connections", sum(1 for r in conn if port(r) == 123),
          truth["ntp"]["connections"])
sys.exit(1 if bad else 0)
PY
