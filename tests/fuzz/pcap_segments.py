#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Cut the TCP connections (or UDP flows) to one port of a pcap into fuzz
seeds of the segment format the stream fuzz targets read (fuzz_ssl,
fuzz_ssh): a mode byte, then per payload a header byte (bit 0: from the
originator), a 2-byte big-endian length and the bytes.

usage: pcap_segments.py TRACE.pcap PORT OUTDIR PREFIX [MODE] [MAX]

Reads classic pcap with Ethernet (and 802.1Q) links, IPv4 and IPv6;
segments are taken in capture order (retransmissions included: the
targets see what a sloppy sensor would), up to about 4 KiB a flow."""
import os
import struct
import sys


SEED_MAX = 4096  # bytes of a flow kept: the handshake, not the bulk after it


def packets(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            ph = f.read(16)
            if len(ph) < 16:
                return
            _, _, caplen, _ = struct.unpack(endian + "IIII", ph)
            yield f.read(caplen)


def flow_of(frame):
    off, etype = 14, struct.unpack("!H", frame[12:14])[0]
    while etype == 0x8100:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800:
        ihl = (frame[off] & 15) * 4
        proto = frame[off + 9]
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        total = struct.unpack("!H", frame[off + 2:off + 4])[0]
        l4, end = off + ihl, off + total
    elif etype == 0x86DD:
        proto = frame[off + 6]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        l4 = off + 40
        end = l4 + struct.unpack("!H", frame[off + 4:off + 6])[0]
    else:
        return None
    if proto == 6:
        sp, dp = struct.unpack("!HH", frame[l4:l4 + 4])
        data = frame[l4 + (frame[l4 + 12] >> 4) * 4:end]
    elif proto == 17:
        sp, dp = struct.unpack("!HH", frame[l4:l4 + 4])
        data = frame[l4 + 8:end]
    else:
        return None
    return (src, sp, dst, dp), data


def main():
    path, port, outdir, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    mode = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    limit = int(sys.argv[6]) if len(sys.argv) > 6 else 20
    flows = {}
    order = []
    for frame in packets(path):
        f = flow_of(frame)
        if f is None:
            continue
        (src, sp, dst, dp), data = f
        if dp == port:
            key, orig = (src, sp, dst, dp), True
        elif sp == port:
            key, orig = (dst, dp, src, sp), False
        else:
            continue
        if key not in flows:
            flows[key] = bytearray([mode])
            order.append(key)
        if data and len(flows[key]) < SEED_MAX:
            flows[key] += bytes([1 if orig else 0]) + struct.pack("!H", len(data)) + data
    os.makedirs(outdir, exist_ok=True)
    for i, key in enumerate(order[:limit]):
        with open(os.path.join(outdir, "%s-%02d" % (prefix, i)), "wb") as f:
            f.write(flows[key])


if __name__ == "__main__":
    main()
