#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The bpf frontend over a synthesised trace (IPv4 and IPv6, VLAN tags, IP
# fragments): with frontend.strategy = "bpf", two runs as worker 0 and 1 of
# 2 (--share) must between them write exactly the records one standalone
# run writes -- every connection, DNS transaction and HTTP request once,
# none split between the workers -- for the 2-tuple and the 4-tuple hash,
# and each worker must have a fair part of the work.  The 4-tuple runs over
# a trace without fragments: a fragmented datagram goes by its addresses
# (its later pieces have no ports), the unfragmented packets of its flow by
# the ports, so a flow that fragments may be split (the 2-tuple never is).  A bad strategy or
# hash is a --check error naming the file and line.
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || skip "python3 is needed to compare the logs"
out=$(mktmp)
"$SYNTH" -q -o "$out/2-tuple.pcap" -s 21 --conns 4000 --vlan 0.2 --ipv6 0.2 ||
    fail "shoal-synth failed"
"$SYNTH" -q -o "$out/4-tuple.pcap" -s 22 --conns 4000 --vlan 0.2 --ipv6 0.2 --frag 0 ||
    fail "shoal-synth failed"
streams="conn dns http"
for hash in 2-tuple 4-tuple; do
    mkdir -p "$out/$hash/alone"
    "$SHOAL" -q --no-progress -r "$out/$hash.pcap" -l "$out/$hash/alone" ||
        fail "shoal failed (standalone)"
    printf 'frontend: {\n  strategy = "bpf";\n  hash = "%s";\n};\n' "$hash" >"$out/$hash.cfg"
    mkdir -p "$out/$hash/0" "$out/$hash/1" "$out/$hash/union"
    for w in 0 1; do
        "$SHOAL" --no-progress -c "$out/$hash.cfg" --share "$w/2" -r "$out/$hash.pcap" \
            -l "$out/$hash/$w" 2>"$out/$hash/$w.err" || {
            cat "$out/$hash/$w.err"
            fail "shoal failed ($hash, worker $w of 2)"
        }
        for s in $streams; do
            [ ! -f "$out/$hash/$w/$s.log" ] || cp "$out/$hash/$w/$s.log" "$out/$hash/union/$s.$w.log"
        done
    done
    echo "$hash:"
    compare "$out/$hash/alone" "$out/$hash/union" $streams || fail "$hash: the workers' records differ from standalone's"
    # Each worker has 30-70% of the connections (2 workers, a few thousand).
    n0=$(grep -vc '^#' "$out/$hash/0/conn.log")
    n1=$(grep -vc '^#' "$out/$hash/1/conn.log")
    echo "$hash: worker 0 $n0 connections, worker 1 $n1"
    [ $((n0 * 10)) -ge $((3 * (n0 + n1))) ] && [ $((n1 * 10)) -ge $((3 * (n0 + n1))) ] ||
        fail "$hash: unbalanced split ($n0 / $n1)"
done

# Configuration errors at --check time, with their line.
printf 'log: { dir = "."; };\nfrontend: {\n  strategy = "nosuch";\n};\n' >"$out/bad1.cfg"
"$SHOAL" --check -c "$out/bad1.cfg" 2>"$out/bad1.err" && fail "--check accepted an unknown strategy"
grep -q "bad1.cfg:3: frontend.strategy: no frontend plugin \"nosuch\"" "$out/bad1.err" ||
    { cat "$out/bad1.err"; fail "unknown strategy: no file:line"; }
printf 'frontend: {\n  strategy = "bpf";\n  hash = "3-tuple";\n};\n' >"$out/bad2.cfg"
"$SHOAL" --check -c "$out/bad2.cfg" 2>"$out/bad2.err" && fail "--check accepted hash 3-tuple"
grep -q "bad2.cfg:3: frontend.hash: expected" "$out/bad2.err" ||
    { cat "$out/bad2.err"; fail "bad hash: no file:line"; }
printf 'frontend: { strategy = "bpf"; };\nplugins: {\n  bpf: {\n    vlan_depth = 9;\n  };\n};\n' \
    >"$out/bad3.cfg"
"$SHOAL" --check -c "$out/bad3.cfg" 2>"$out/bad3.err" && fail "--check accepted vlan_depth 9"
grep -q "bad3.cfg:4: plugins.bpf.vlan_depth" "$out/bad3.err" ||
    { cat "$out/bad3.err"; fail "bad option: no file:line"; }
"$SHOAL" --share 2/2 -r "$out/2-tuple.pcap" 2>/dev/null && fail "--share 2/2 accepted"
echo "ok"
