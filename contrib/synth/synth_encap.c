/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --encap: every generated frame wrapped, as the pcap writer commits it, in
 * a tunnel or another link layer, so that a monitor's inner connections can
 * be checked against the same traffic unwrapped (same seed and options).
 *
 * Tunnels ride between four pairs of tunnel endpoints, 198.18.K.1 and
 * 198.18.K.2 (K = 0..3, from a hash of the inner address pair, so that both
 * directions of an inner flow take the same pair); the inner packet of
 * the lower address goes from .1 to .2, the other way back: one outer
 * connection per pair between port 49152 + K and the tunnel's port (GTP
 * uses its port on both sides), so that an inner connection keeps one
 * tunnel; GRE in UDP goes to udp/4754 both ways (RFC 8086, and Zeek does
 * not count that port a likely server port).  The outer
 * packets are IPv4 without fragmentation (an inner frame is at most
 * SYNTH_MTU plus its link header) and with a UDP checksum of zero.
 *
 *   vxlan    udp/4789, VNI K + 1, the inner Ethernet frame
 *   geneve   udp/6081, one 8-byte option, protocol 0x6558, the Ethernet frame
 *   gtp      udp/2152 both ways, a G-PDU (TEID K + 1; the sequence-number
 *            option on pairs 1 and 3) carrying the inner IP packet
 *   gre-udp  udp/4754 (RFC 8086), GRE with the IP packet's ethertype
 *   gre      IP protocol 47, the same GRE header
 *   80211    link type 105: 802.11 data frames with LLC/SNAP (to the DS one
 *            way, from it the other; QoS on pairs 1 and 3, four addresses on
 *            pairs 2 and 3); a VLAN tag is dropped
 *   radiotap link type 127: the same behind an 8-byte radiotap header
 */
#include <string.h>

#include "synth.h"

#define ENC_PAIRS 4
#define ENC_ETH 14
#define ENC_IP4 20
#define ENC_UDP 8

static const struct {
    const char *name;
    uint16_t port; /* UDP responder port, 0: not over UDP */
} enc_kinds[SYNTH_ENCAP_COUNT] = {
    [SYNTH_ENCAP_NONE] = {"none", 0},          [SYNTH_ENCAP_VXLAN] = {"vxlan", 4789},
    [SYNTH_ENCAP_GENEVE] = {"geneve", 6081},   [SYNTH_ENCAP_GTP] = {"gtp", 2152},
    [SYNTH_ENCAP_GRE_UDP] = {"gre-udp", 4754}, [SYNTH_ENCAP_GRE] = {"gre", 0},
    [SYNTH_ENCAP_80211] = {"80211", 0},        [SYNTH_ENCAP_RADIOTAP] = {"radiotap", 0},
};

int synth_encap_parse(const char *s)
{
    for (int k = 0; k < SYNTH_ENCAP_COUNT; k++) {
        if (strcmp(s, enc_kinds[k].name) == 0) {
            return k;
        }
    }
    return -1;
}

const char *synth_encap_name(int kind)
{
    return kind >= 0 && kind < SYNTH_ENCAP_COUNT ? enc_kinds[kind].name : "none";
}

uint32_t synth_encap_linktype(int kind)
{
    return kind == SYNTH_ENCAP_80211 ? 105 : kind == SYNTH_ENCAP_RADIOTAP ? 127 : 1;
}

static void be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Where the inner frame's IP packet is, its ethertype, and which tunnel
 * pair and direction it takes. */
struct enc_inner {
    size_t l2;      /* bytes of Ethernet (and VLAN) header */
    uint16_t etype; /* of the IP packet */
    unsigned pair;
    int dir; /* 0: .1 -> .2 */
};

static void enc_classify(const uint8_t *f, uint32_t len, struct enc_inner *in)
{
    size_t alen;
    const uint8_t *src, *dst;
    uint64_t h = 0;

    in->l2 = ENC_ETH;
    in->etype = (uint16_t)(f[12] << 8 | f[13]);
    if (in->etype == 0x8100) {
        in->l2 = ENC_ETH + 4;
        in->etype = (uint16_t)(f[16] << 8 | f[17]);
    }
    if (in->etype == 0x86dd) {
        src = f + in->l2 + 8;
        alen = 16;
    } else {
        src = f + in->l2 + 12;
        alen = 4;
    }
    dst = src + alen;
    if (len < in->l2 + (alen == 16 ? 40 : 20)) {
        in->pair = 0;
        in->dir = 0;
        return;
    }
    in->dir = memcmp(src, dst, alen) < 0 ? 0 : 1;
    for (size_t i = 0; i < alen; i++) {
        h = h * 31 + (uint64_t)(src[i] ^ dst[i]) + (uint64_t)(src[i] & dst[i]);
    }
    in->pair = (unsigned)(synth_hash(h, alen) % ENC_PAIRS);
}

/* Outer Ethernet + IPv4 (+ UDP) headers into o for `pay` bytes after them:
 * from sport to dport, or back for the second direction unless fixed_dst.
 * Returns their length. */
static size_t enc_outer(uint8_t *o, const struct enc_inner *in, uint8_t proto, uint16_t sport,
                        uint16_t dport, bool fixed_dst, size_t pay)
{
    static const uint8_t mac[2][6] = {{0x02, 0x54, 0x55, 0, 0, 1}, {0x02, 0x54, 0x55, 0, 0, 2}};
    size_t udp = proto == 17 ? ENC_UDP : 0;
    uint8_t *ip = o + ENC_ETH;
    uint16_t c;

    memcpy(o, mac[1 - in->dir], 6);
    memcpy(o + 6, mac[in->dir], 6);
    be16(o + 12, 0x0800);
    memset(ip, 0, ENC_IP4);
    ip[0] = 0x45;
    be16(ip + 2, (uint16_t)(ENC_IP4 + udp + pay));
    ip[8] = 64;
    ip[9] = proto;
    ip[12] = 198;
    ip[13] = 18;
    ip[14] = (uint8_t)in->pair;
    ip[15] = (uint8_t)(1 + in->dir);
    memcpy(ip + 16, ip + 12, 3);
    ip[19] = (uint8_t)(2 - in->dir);
    c = synth_csum(ip, ENC_IP4);
    memcpy(ip + 10, &c, 2);
    if (udp) {
        uint8_t *u = ip + ENC_IP4;
        bool back = in->dir && !fixed_dst;
        be16(u, back ? dport : sport);
        be16(u + 2, back ? sport : dport);
        be16(u + 4, (uint16_t)(ENC_UDP + pay));
        be16(u + 6, 0);
    }
    return ENC_ETH + ENC_IP4 + udp;
}

/* The tunnel header of `kind` into t; returns its length and sets *ip_only
 * when the inner IP packet (not the Ethernet frame) follows. */
static size_t enc_tunnel_hdr(int kind, const struct enc_inner *in, size_t ilen, uint8_t *t,
                             bool *ip_only)
{
    size_t n = 0;

    *ip_only = true;
    switch (kind) {
    case SYNTH_ENCAP_VXLAN:
        memset(t, 0, 8);
        t[0] = 0x08;
        t[6] = (uint8_t)(in->pair + 1);
        *ip_only = false;
        return 8;
    case SYNTH_ENCAP_GENEVE:
        memset(t, 0, 16);
        t[0] = 2; /* two words of options */
        be16(t + 2, 0x6558);
        t[6] = (uint8_t)(in->pair + 1);
        be16(t + 8, 0x0102); /* option class */
        t[10] = 0x03;        /* type */
        t[11] = 1;           /* one word of data */
        *ip_only = false;
        return 16;
    case SYNTH_ENCAP_GTP:
        n = (in->pair & 1) ? 12 : 8;
        memset(t, 0, n);
        t[0] = (in->pair & 1) ? 0x32 : 0x30;
        t[1] = 255;
        be16(t + 2, (uint16_t)(n - 8 + ilen));
        t[7] = (uint8_t)(in->pair + 1);
        return n;
    default: /* GRE, over UDP or IP */
        be16(t, 0);
        be16(t + 2, in->etype);
        return 4;
    }
}

/* Wrap in a tunnel: the frame at f becomes outer headers + tunnel header +
 * the inner frame or IP packet.  Returns the new length. */
static uint32_t enc_tunnel(int kind, uint8_t *f, uint32_t len, unsigned *tunnel)
{
    struct enc_inner in;
    uint8_t t[32];
    bool ip_only;

    enc_classify(f, len, &in);
    *tunnel = in.pair;
    size_t skip = 0;
    size_t th = enc_tunnel_hdr(kind, &in, len - in.l2, t, &ip_only);
    if (ip_only) {
        skip = in.l2;
    }
    size_t ilen = len - skip;
    uint8_t proto = kind == SYNTH_ENCAP_GRE ? 47 : 17;
    uint16_t port = enc_kinds[kind].port;
    uint16_t sport = kind == SYNTH_ENCAP_GTP ? port : (uint16_t)(49152 + in.pair);

    size_t oh = ENC_ETH + ENC_IP4 + (proto == 17 ? ENC_UDP : 0);

    memmove(f + oh + th, f + skip, ilen);
    memcpy(f + oh, t, th);
    enc_outer(f, &in, proto, sport, port, kind == SYNTH_ENCAP_GRE_UDP, th + ilen);
    return (uint32_t)(oh + th + ilen);
}

/* Turn the Ethernet frame at f into an 802.11 data frame with LLC/SNAP,
 * behind a radiotap header if asked.  Returns the new length. */
static uint32_t enc_80211(bool radiotap, uint8_t *f, uint32_t len)
{
    struct enc_inner in;
    uint8_t h[48];
    size_t n = 0;
    uint8_t mac_dst[6], mac_src[6];

    enc_classify(f, len, &in);
    memcpy(mac_dst, f, 6);
    memcpy(mac_src, f + 6, 6);
    if (radiotap) {
        memset(h, 0, 8);
        h[2] = 8;
        n = 8;
    }
    bool qos = (in.pair & 1) != 0;
    bool wds = (in.pair & 2) != 0;
    uint8_t *w = h + n;
    memset(w, 0, 32);
    w[0] = qos ? 0x88 : 0x08;
    w[1] = wds ? 0x03 : (in.dir ? 0x02 : 0x01);
    memcpy(w + 4, mac_dst, 6);  /* receiver */
    memcpy(w + 10, mac_src, 6); /* transmitter */
    memcpy(w + 16, in.dir ? mac_src : mac_dst, 6);
    n += 24;
    if (wds) {
        memcpy(h + n, mac_src, 6);
        n += 6;
    }
    if (qos) {
        h[n] = 0;
        h[n + 1] = 0;
        n += 2;
    }
    static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};
    memcpy(h + n, snap, 6);
    be16(h + n + 6, in.etype);
    n += 8;
    size_t ilen = len - in.l2;
    memmove(f + n, f + in.l2, ilen);
    memcpy(f, h, n);
    return (uint32_t)(n + ilen);
}

uint32_t synth_encap_wrap(int kind, uint8_t *f, uint32_t len, unsigned *tunnel)
{
    *tunnel = 0;
    if (len < ENC_ETH + 4) {
        return len;
    }
    switch (kind) {
    case SYNTH_ENCAP_NONE:
        return len;
    case SYNTH_ENCAP_80211:
    case SYNTH_ENCAP_RADIOTAP:
        return enc_80211(kind == SYNTH_ENCAP_RADIOTAP, f, len);
    default:
        return enc_tunnel(kind, f, len, tunnel);
    }
}
