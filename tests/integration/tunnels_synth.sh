#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Every encapsulation shoal-synth can wrap traffic in (VXLAN, Geneve, GTPv1,
# GRE in UDP, GRE, 802.11, 802.11 behind radiotap), end to end: the same
# traffic (same seed and options) is synthesised bare and wrapped, and the
# inner connections of the wrapped run must equal the bare run's conn.log
# row for row (uid and tunnel_parents aside), every inner connection must
# name a tunnel parent, tunnel.log must announce exactly the tunnels of the
# ground truth (Tunnel::DISCOVER with Zeek's tunnel_type), and the outer
# connections of the UDP tunnels carry the tunnel's service.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to compare the logs"
out=$(mktmp)
opts="-s 11 --conns 250 --mix tcp=20,dns=35,http=25,tls=15,icmp=5"
mkdir -p "$out/bare"
# shellcheck disable=SC2086
"$SYNTH" -q -o "$out/bare/t.pcap" $opts || fail "shoal-synth failed"
"$SHOAL" -q --no-progress -r "$out/bare/t.pcap" -l "$out/bare" || fail "shoal failed (bare)"
for kind in vxlan geneve gtp gre-udp gre 80211 radiotap; do
    mkdir -p "$out/$kind"
    # shellcheck disable=SC2086
    "$SYNTH" -q -o "$out/$kind/t.pcap" $opts --encap "$kind" --summary "$out/$kind/truth.json" ||
        fail "shoal-synth --encap $kind failed"
    "$SHOAL" -q --no-progress -r "$out/$kind/t.pcap" -l "$out/$kind" || fail "shoal failed ($kind)"
done
python3 - "$out" <<'PY' || fail "inner connections differ from the bare traffic"
import collections, json, os, sys
out = sys.argv[1]

from zeeklog import tsv as tsv_rows

def tsv(path):
    return tsv_rows(path, missing_ok=True)

def key(r):
    return tuple(sorted((k, v) for k, v in r.items() if k not in ("uid", "tunnel_parents")))

outer = lambda r: r["id.orig_h"].startswith("198.18.") or r["id.resp_h"].startswith("198.18.")
types = {"vxlan": "Tunnel::VXLAN", "geneve": "Tunnel::GENEVE", "gtp": "Tunnel::GTPv1",
         "gre-udp": "Tunnel::GRE", "gre": "Tunnel::GRE"}
services = {"vxlan": "vxlan", "geneve": "geneve", "gtp": "gtpv1", "gre-udp": "-"}
bare = collections.Counter(key(r) for r in tsv(out + "/bare/conn.log"))
bad = 0
def check(name, ok, detail=""):
    global bad
    bad += not ok
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

check("bare run has connections", sum(bare.values()) > 200, str(sum(bare.values())))
for kind in ("vxlan", "geneve", "gtp", "gre-udp", "gre", "80211", "radiotap"):
    truth = json.load(open(f"{out}/{kind}/truth.json"))["encap"]
    conn = tsv(f"{out}/{kind}/conn.log")
    inner = [r for r in conn if not outer(r)]
    got = collections.Counter(key(r) for r in inner)
    check(f"{kind}: inner connections equal the bare ones ({sum(got.values())})", got == bare,
          f"{len(got - bare)} rows only wrapped, {len(bare - got)} only bare")
    tun = tsv(f"{out}/{kind}/tunnel.log")
    disc = [r for r in tun if r["action"] == "Tunnel::DISCOVER"]
    if kind in types:
        check(f"{kind}: every inner connection has a tunnel parent",
              all(r["tunnel_parents"] != "-" for r in inner))
        check(f"{kind}: tunnel.log announces the {truth['tunnels']} tunnels",
              len(disc) == truth["tunnels"] and all(r["tunnel_type"] == types[kind] for r in disc),
              f"{len(disc)} DISCOVER rows: {sorted(set(r['tunnel_type'] for r in disc))}")
        uids = {r["uid"] for r in disc}
        check(f"{kind}: tunnel_parents name announced tunnels",
              all(set(r["tunnel_parents"].split(",")) <= uids for r in inner))
    else:
        check(f"{kind}: no tunnels", not tun and all(r["tunnel_parents"] == "-" for r in inner))
    if kind in services:
        outs = [r for r in conn if outer(r)]
        check(f"{kind}: outer connections are the tunnel's, service {services[kind]}",
              len(outs) > 0 and all(r["service"] == services[kind] for r in outs),
              str(sorted(set(r["service"] for r in outs))))
sys.exit(1 if bad else 0)
PY
