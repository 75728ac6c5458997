/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The symmetric flow hash (see flowhash.h): a small decoder from the link
 * layer to the transport ports, and a hash over the endpoints in
 * canonical order.  The decoder reads only what it needs and checks every
 * length before reading; anything it cannot follow is "not classified".
 * The mixing is a 64-bit multiply-rotate over 32-bit words with a
 * murmur-style finaliser: every input bit reaches every output bit, so the
 * multiply-shift of flowhash_worker balances for any worker count.
 */
#include "flowhash.h"

#include <string.h>

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_VLAN 0x8100
#define ETH_P_QINQ 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define ETH_P_PPPOE_SESS 0x8864

#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

static uint16_t flowhash_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t flowhash_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Transport protocols whose first four bytes are the port pair. */
static bool flowhash_proto_has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132 || proto == 136 || proto == 33;
}

static void flowhash_ports(struct flowhash_key *k, const uint8_t *l4, uint32_t len)
{
    if (!k->fragment && flowhash_proto_has_ports(k->proto) && len >= 4) {
        k->pa = flowhash_be16(l4);
        k->pb = flowhash_be16(l4 + 2);
        k->has_ports = true;
    }
}

static int flowhash_ipv4(const uint8_t *p, uint32_t len, struct flowhash_key *k)
{
    uint32_t hl;
    uint16_t frag;

    if (len < 20 || (p[0] >> 4) != 4) {
        return -1;
    }
    hl = (uint32_t)(p[0] & 0x0f) * 4;
    if (hl < 20) {
        return -1;
    }
    k->family = 4;
    k->proto = p[9];
    memcpy(k->a, p + 12, 4);
    memcpy(k->b, p + 16, 4);
    frag = flowhash_be16(p + 6);
    k->fragment = (frag & 0x3fff) != 0; /* MF, or an offset */
    if (len > hl) {
        flowhash_ports(k, p + hl, len - hl);
    }
    return 0;
}

/* IPv6 extension headers that carry a next-header byte and a length in
 * 8-byte units after the first 8 (AH: 4-byte units, plus 2). */
static bool flowhash_ipv6_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 135 || nh == 139 || nh == 140;
}

static int flowhash_ipv6(const uint8_t *p, uint32_t len, struct flowhash_key *k)
{
    uint32_t off = 40;
    uint8_t nh;

    if (len < 40 || (p[0] >> 4) != 6) {
        return -1;
    }
    k->family = 6;
    memcpy(k->a, p + 8, 16);
    memcpy(k->b, p + 24, 16);
    nh = p[6];
    for (int i = 0; i < FLOWHASH_MAX_LABELS; i++) {
        if (nh == 44) { /* a fragment: placed by the 2-tuple */
            k->fragment = true;
            nh = off + 8 <= len ? p[off] : nh;
            break;
        }
        if (!flowhash_ipv6_ext(nh) || off + 8 > len) {
            break;
        }
        uint32_t ext = nh == 51 ? ((uint32_t)p[off + 1] + 2) * 4 : ((uint32_t)p[off + 1] + 1) * 8;
        nh = p[off];
        off += ext;
    }
    k->proto = nh;
    if (off < len) {
        flowhash_ports(k, p + off, len - off);
    }
    return 0;
}

/* IP from its first byte on, the version nibble deciding (after MPLS, or
 * a raw link). */
static int flowhash_ip(const uint8_t *p, uint32_t len, struct flowhash_key *k)
{
    if (len < 1) {
        return -1;
    }
    switch (p[0] >> 4) {
    case 4:
        return flowhash_ipv4(p, len, k);
    case 6:
        return flowhash_ipv6(p, len, k);
    default:
        return -1;
    }
}

/* An MPLS label stack down to its bottom, then IP. */
static int flowhash_mpls(const uint8_t *p, uint32_t len, struct flowhash_key *k)
{
    for (int i = 0; i < FLOWHASH_MAX_LABELS; i++) {
        if (len < 4) {
            return -1;
        }
        bool bottom = (p[2] & 0x01) != 0;
        p += 4;
        len -= 4;
        if (bottom) {
            return flowhash_ip(p, len, k);
        }
    }
    return -1;
}

/* From an EtherType on: VLAN tags and QinQ, MPLS, PPPoE, then IP. */
static int flowhash_ethertype(uint16_t type, const uint8_t *p, uint32_t len, struct flowhash_key *k)
{
    for (int i = 0; i < FLOWHASH_MAX_LABELS; i++) {
        switch (type) {
        case ETH_P_IPV4:
            return flowhash_ipv4(p, len, k);
        case ETH_P_IPV6:
            return flowhash_ipv6(p, len, k);
        case ETH_P_VLAN:
        case ETH_P_QINQ:
        case ETH_P_QINQ_OLD:
            if (len < 4) {
                return -1;
            }
            type = flowhash_be16(p + 2);
            p += 4;
            len -= 4;
            break;
        case ETH_P_MPLS_UC:
        case ETH_P_MPLS_MC:
            return flowhash_mpls(p, len, k);
        case ETH_P_PPPOE_SESS:
            if (len < 8) {
                return -1;
            }
            type = flowhash_be16(p + 6) == PPP_IPV4   ? ETH_P_IPV4
                   : flowhash_be16(p + 6) == PPP_IPV6 ? ETH_P_IPV6
                                                      : 0;
            p += 8;
            len -= 8;
            break;
        default:
            return -1;
        }
    }
    return -1;
}

int flowhash_decode(int dlt, const uint8_t *data, uint32_t caplen, struct flowhash_key *k)
{
    memset(k, 0, sizeof(*k));
    switch (dlt) {
    case FLOWHASH_DLT_EN10MB:
        return caplen < 14
                   ? -1
                   : flowhash_ethertype(flowhash_be16(data + 12), data + 14, caplen - 14, k);
    case FLOWHASH_DLT_LINUX_SLL:
        return caplen < 16
                   ? -1
                   : flowhash_ethertype(flowhash_be16(data + 14), data + 16, caplen - 16, k);
    case FLOWHASH_DLT_LINUX_SLL2:
        return caplen < 20 ? -1
                           : flowhash_ethertype(flowhash_be16(data), data + 20, caplen - 20, k);
    case FLOWHASH_DLT_NULL:
    case FLOWHASH_DLT_LOOP:
        return caplen < 4 ? -1 : flowhash_ip(data + 4, caplen - 4, k);
    case FLOWHASH_DLT_RAW:
    case FLOWHASH_LINKTYPE_RAW:
    case FLOWHASH_DLT_IPV4:
    case FLOWHASH_DLT_IPV6:
        return flowhash_ip(data, caplen, k);
    default:
        return -1;
    }
}

static uint64_t flowhash_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t flowhash_mix(uint64_t h, uint32_t w)
{
    h ^= w;
    h *= 0x9e3779b97f4a7c15ull;
    return flowhash_rotl(h, 29);
}

static uint64_t flowhash_final(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

uint32_t flowhash_key_hash(const struct flowhash_key *k, uint32_t mode)
{
    size_t alen = k->family == 6 ? 16 : 4;
    bool ports = mode != SHOAL_HASH_2TUPLE && k->has_ports && !k->fragment;
    const uint8_t *lo = k->a;
    const uint8_t *hi = k->b;
    uint16_t plo = k->pa;
    uint16_t phi = k->pb;
    int c = memcmp(k->a, k->b, alen);
    uint64_t h = 0x5ea1f10e + (uint64_t)alen;

    /* Canonical order: the smaller endpoint first (the ports break a tie of
     * addresses, only when they are hashed). */
    if (c > 0 || (c == 0 && ports && k->pa > k->pb)) {
        lo = k->b;
        hi = k->a;
        plo = k->pb;
        phi = k->pa;
    }
    for (size_t i = 0; i < alen; i += 4) {
        h = flowhash_mix(h, flowhash_be32(lo + i));
    }
    for (size_t i = 0; i < alen; i += 4) {
        h = flowhash_mix(h, flowhash_be32(hi + i));
    }
    if (ports) {
        h = flowhash_mix(h, (uint32_t)plo << 16 | phi);
    }
    if (mode != SHOAL_HASH_2TUPLE && mode != SHOAL_HASH_4TUPLE && !k->fragment) {
        h = flowhash_mix(h, k->proto);
    }
    return (uint32_t)(flowhash_final(h) >> 32);
}

int flowhash_frame(int dlt, const uint8_t *data, uint32_t caplen, uint32_t mode, uint32_t *h)
{
    struct flowhash_key k;

    if (flowhash_decode(dlt, data, caplen, &k) < 0) {
        return -1;
    }
    *h = flowhash_key_hash(&k, mode);
    return 0;
}

uint32_t flowhash_mode_parse(const char *text)
{
    static const struct {
        const char *name;
        uint32_t mode;
    } names[] = {
        {"2-tuple", SHOAL_HASH_2TUPLE}, {"2", SHOAL_HASH_2TUPLE},
        {"4-tuple", SHOAL_HASH_4TUPLE}, {"4", SHOAL_HASH_4TUPLE},
        {"5-tuple", SHOAL_HASH_5TUPLE}, {"5", SHOAL_HASH_5TUPLE},
    };

    for (size_t i = 0; text != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(text, names[i].name) == 0) {
            return names[i].mode;
        }
    }
    return 0;
}

const char *flowhash_mode_name(uint32_t mode)
{
    switch (mode) {
    case SHOAL_HASH_2TUPLE:
        return "2-tuple";
    case SHOAL_HASH_4TUPLE:
        return "4-tuple";
    case SHOAL_HASH_5TUPLE:
        return "5-tuple";
    default:
        return "?";
    }
}
