#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn the TCP sessions of a shoal-synth pcap into libFuzzer seeds for the
analyzer fuzz targets that use tests/unit/fuzz_stream.h.

usage: pcap_to_seeds.py TRACE.pcap PORT OUTDIR [--max N] [--prefix P]

Every TCP connection to PORT (Ethernet, optional 802.1Q, IPv4 or IPv6;
in-order payload as shoal-synth --no-impair writes it) becomes one seed
file: its payload segments in capture order, each a header byte (bit 0:
from the originator), a 2-byte big-endian length and the bytes, then an EOF
segment per direction.  Seeds stop growing at 8 KiB.
"""
import os
import struct
import sys

SEED_MAX = 8192


def packets(path):
    with open(path, "rb") as fh:
        hdr = fh.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            ph = fh.read(16)
            if len(ph) < 16:
                return
            _, _, incl, _ = struct.unpack(endian + "IIII", ph)
            yield fh.read(incl)


def tcp_of(frame):
    """(src, sport, dst, dport, flags, payload) of a TCP frame, or None."""
    off = 12
    etype = struct.unpack(">H", frame[off:off + 2])[0]
    off += 2
    while etype == 0x8100:
        etype = struct.unpack(">H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800:
        ihl = (frame[off] & 15) * 4
        total = struct.unpack(">H", frame[off + 2:off + 4])[0]
        if frame[off + 9] != 6:
            return None
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        ip_end = off + total
        off += ihl
    elif etype == 0x86DD:
        if frame[off + 6] != 6:
            return None
        plen = struct.unpack(">H", frame[off + 4:off + 6])[0]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        off += 40
        ip_end = off + plen
    else:
        return None
    sport, dport = struct.unpack(">HH", frame[off:off + 4])
    doff = (frame[off + 12] >> 4) * 4
    flags = frame[off + 13]
    return src, sport, dst, dport, flags, frame[off + doff:ip_end]


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(zip(argv[::1], argv[1::1]))
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    trace, port, outdir = args[0], int(args[1]), args[2]
    most = int(opts.get("--max", "8"))
    prefix = opts.get("--prefix", "synth")
    flows, order = {}, []
    for frame in packets(trace):
        t = tcp_of(frame)
        if t is None:
            continue
        src, sport, dst, dport, flags, payload = t
        if dport == port:
            key, is_orig = (src, sport, dst, dport), True
        elif sport == port:
            key, is_orig = (dst, dport, src, sport), False
        else:
            continue
        if key not in flows:
            flows[key] = bytearray()
            order.append(key)
        seed = flows[key]
        if payload and len(seed) < SEED_MAX:
            seed += bytes([1 if is_orig else 0]) + struct.pack(">H", len(payload)) + payload
    os.makedirs(outdir, exist_ok=True)
    for i, key in enumerate(order[:most]):
        seed = flows[key] + b"\x05\x00\x00\x04\x00\x00"
        with open(os.path.join(outdir, "%s-%d" % (prefix, i)), "wb") as fh:
            fh.write(bytes(seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
