#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Self-check of a shoal-synth trace (python3, no modules needed): reassembles
# every TCP stream from its SYN and checks that timestamps never go backwards,
# that HTTP messages frame exactly (Content-Length, chunked, 100-continue,
# pipelining), that TLS streams are whole records and DNS/TCP whole
# length-prefixed messages; prints counts to compare with the --summary JSON.
# Usage: check_trace.py FILE.pcap   (exit status 1 if anything is malformed)
import struct, sys, json, collections
f = open(sys.argv[1], 'rb'); data = f.read()
assert data[:4] == b'\xd4\xc3\xb2\xa1'
off = 24
streams = collections.defaultdict(dict)   # (src,sport,dst,dport) -> {seq: payload}
syn = {}
fins = collections.Counter()
lastts = 0; npk = 0; tsbad = 0
while off < len(data):
    sec, usec, cap, ln = struct.unpack_from('<IIII', data, off); off += 16
    pkt = data[off:off+cap]; off += cap; npk += 1
    ts = sec * 1000000 + usec
    if ts < lastts: tsbad += 1
    lastts = ts
    et = struct.unpack_from('!H', pkt, 12)[0]; p = 14
    if et == 0x8100:
        et = struct.unpack_from('!H', pkt, 16)[0]; p = 18
    if et == 0x0800:
        ihl = (pkt[p] & 15) * 4; proto = pkt[p+9]; src = pkt[p+12:p+16]; dst = pkt[p+16:p+20]
        tot = struct.unpack_from('!H', pkt, p+2)[0]; fr = struct.unpack_from('!H', pkt, p+6)[0]
        if fr & 0x3fff: continue
        l4 = pkt[p+ihl:p+tot]
    elif et == 0x86dd:
        proto = pkt[p+6]; src = pkt[p+8:p+24]; dst = pkt[p+24:p+40]
        pl = struct.unpack_from('!H', pkt, p+4)[0]; l4 = pkt[p+40:p+40+pl]
        if proto == 44: continue
    else:
        raise SystemExit('bad ethertype')
    if proto != 6: continue
    sp, dp, seq, ack, hl, fl = struct.unpack_from('!HHIIBB', l4, 0)
    hl = (hl >> 4) * 4; pay = l4[hl:]
    k = (src, sp, dst, dp)
    if fl & 2: syn[k] = seq
    if pay:
        st = streams[k]
        if seq in st and st[seq] != pay: print('retx mismatch', k); 
        st[seq] = pay
print('packets', npk, 'ts backwards', tsbad)

def assemble(k):
    st = streams.get(k, {}); isn = syn.get(k)
    if isn is None: return None, 0
    out = bytearray(); nxt = (isn + 1) & 0xffffffff; gaps = 0
    for s in sorted(st, key=lambda s: (s - nxt) & 0xffffffff):
        rel = (s - nxt) & 0xffffffff
        if rel > 0x7fffffff: continue
        if rel > 0:
            gaps += rel; out += b'\0' * rel
        out += st[s]; nxt = (s + len(st[s])) & 0xffffffff
    return bytes(out), gaps

def http_msgs(buf, is_req):
    i = 0; n = 0; codes = collections.Counter()
    while i < len(buf):
        e = buf.find(b'\r\n\r\n', i)
        if e < 0: raise ValueError('no header end at %d' % i)
        head = buf[i:e].decode('latin1').split('\r\n'); i = e + 4
        first = head[0]; hdr = {}
        for h in head[1:]:
            a, b = h.split(': ', 1); hdr[a.lower()] = b
        if is_req:
            assert first.split()[0] in ('GET', 'POST'), first
            if hdr.get('expect') == '100-continue': pass
        else:
            assert first.startswith('HTTP/1.1 '), first
            code = int(first.split()[1]); codes[code] += 1
            if code == 100: continue
        n += 1
        if 'content-length' in hdr:
            i += int(hdr['content-length'])
        elif hdr.get('transfer-encoding') == 'chunked':
            while True:
                e = buf.index(b'\r\n', i); sz = int(buf[i:e], 16); i = e + 2 + sz
                assert buf[i:i+2] == b'\r\n', 'chunk end'; i += 2
                if sz == 0: break
    assert i == len(buf), (i, len(buf))
    return n, codes

def tls_recs(buf):
    i = 0; types = collections.Counter()
    while i < len(buf):
        t, v, l = struct.unpack_from('!BHH', buf, i)
        assert t in (20, 21, 22, 23) and v in (0x301, 0x303), (t, v)
        types[t] += 1; i += 5 + l
    assert i == len(buf)
    return types

tot = collections.Counter()
seen = set()
for k in syn:
    rk = (k[2], k[3], k[0], k[1])
    if rk in seen or k in seen: continue
    # k is the SYN sender only if the reverse also has SYN (SYN/ACK) or k is first
    c, s = (k, rk)
    seen.add(k); seen.add(rk)
    cb, cg = assemble(c); sb, sg = assemble(s)
    if cb is None or sb is None: continue
    if not cb and not sb: continue
    if sb and not cb: c, s, cb, sb = s, c, sb, cb
    ports = (c[1], c[3])
    try:
        if cb.startswith((b'GET ', b'POST ')):
            if cg or sg: tot['http_gapped'] += 1; continue
            n1, _ = http_msgs(cb, True); n2, codes = http_msgs(sb, False)
            assert n1 == n2, (n1, n2)
            tot['http_conns'] += 1; tot['http_req'] += n1
            for cd, v in codes.items(): tot['status_%d' % cd] += v
        elif cb[:1] == b'\x16' and 443 in ports:
            tls_recs(cb); tls_recs(sb) if not sg else None; tot['tls'] += 1
            if cb[5] == 1: tot['tls_ch'] += 1
        elif 53 in ports:
            i = 0; q = 0
            while i < len(cb): i += 2 + struct.unpack_from('!H', cb, i)[0]; q += 1
            assert i == len(cb); tot['dnstcp_q'] += q
        else:
            tot['raw'] += 1
    except Exception as e:
        tot['errors'] += 1; print('error', e, c)
print(json.dumps(dict(sorted(tot.items()))))
sys.exit(1 if tot['errors'] or tsbad else 0)
