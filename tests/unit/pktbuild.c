/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test frame builder (see pktbuild.h).  It writes the headers in wire
 * order, then fills in the lengths and checksums: the IPv4 header checksum,
 * and the TCP/UDP/ICMPv6 checksums over the pseudo-header (ICMP over its
 * own bytes only).  Everything is plain byte arithmetic, so the frames are
 * the same on any host byte order.
 */
#include "pktbuild.h"

#include <arpa/inet.h>
#include <string.h>

#define PB_ETH_LEN 14
#define PB_VLAN_LEN 4
#define PB_IP4_LEN 20
#define PB_IP6_LEN 40

static void pb_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void pb_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint16_t pb_get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* Ones-complement sum of n bytes added to `sum` (not folded). */
static uint32_t pb_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t)((p[i] << 8) | p[i + 1]);
    }
    if (n & 1) {
        sum += (uint32_t)(p[n - 1] << 8);
    }
    return sum;
}

static uint16_t pb_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

/* Parse an address: 4 or 16 bytes into out, returns the family or -1. */
static int pb_parse_addr(const char *s, uint8_t *out)
{
    if (s == NULL) {
        return -1;
    }
    if (strchr(s, ':') != NULL) {
        return inet_pton(AF_INET6, s, out) == 1 ? 6 : -1;
    }
    return inet_pton(AF_INET, s, out) == 1 ? 4 : -1;
}

static size_t pb_l4_header_len(uint8_t proto)
{
    switch (proto) {
    case 6:
        return 20;
    case 17:
    case 1:
    case 58:
        return 8;
    default:
        return 0;
    }
}

int pb_build(const struct pb_spec *s, uint8_t *buf, size_t cap)
{
    uint8_t src[16];
    uint8_t dst[16];
    int fam = pb_parse_addr(s->src, src);
    size_t off = 0;

    if (fam < 0 || pb_parse_addr(s->dst, dst) != fam) {
        return -1;
    }
    size_t ip_hlen = fam == 4 ? PB_IP4_LEN : PB_IP6_LEN;
    size_t l4_hlen = pb_l4_header_len(s->proto);
    size_t l4_len = l4_hlen + s->len;
    size_t total = PB_ETH_LEN + (s->vlan ? PB_VLAN_LEN : 0) + ip_hlen + l4_len;
    if (total > cap || ip_hlen + l4_len > 65535) {
        return -1;
    }
    memset(buf, 0, total);

    /* Ethernet: fixed MACs, then an optional 802.1Q tag. */
    static const uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 0x02};
    static const uint8_t smac[6] = {0x02, 0, 0, 0, 0, 0x01};
    memcpy(buf, dmac, 6);
    memcpy(buf + 6, smac, 6);
    off = 12;
    if (s->vlan) {
        pb_put16(buf + off, 0x8100);
        pb_put16(buf + off + 2, (uint16_t)(s->vlan & 0x0fff));
        off += PB_VLAN_LEN;
    }
    pb_put16(buf + off, fam == 4 ? 0x0800 : 0x86dd);
    off += 2;

    /* IP header. */
    uint8_t *ip = buf + off;
    uint8_t ttl = s->ttl ? s->ttl : 64;
    if (fam == 4) {
        ip[0] = 0x45;
        pb_put16(ip + 2, (uint16_t)(ip_hlen + l4_len));
        pb_put16(ip + 4, s->ip_id ? s->ip_id : 1);
        ip[8] = ttl;
        ip[9] = s->proto;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        pb_put16(ip + 10, pb_fold(pb_sum(0, ip, PB_IP4_LEN)));
    } else {
        ip[0] = 0x60;
        pb_put16(ip + 4, (uint16_t)l4_len);
        ip[6] = s->proto;
        ip[7] = ttl;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
    }
    off += ip_hlen;

    /* Transport header. */
    uint8_t *l4 = buf + off;
    size_t csum_at = 0;
    switch (s->proto) {
    case 6:
        pb_put16(l4, s->sport);
        pb_put16(l4 + 2, s->dport);
        pb_put32(l4 + 4, s->seq);
        pb_put32(l4 + 8, s->ack);
        l4[12] = 5 << 4;
        l4[13] = s->flags;
        pb_put16(l4 + 14, s->zero_window ? 0 : (s->win ? s->win : 8192));
        csum_at = 16;
        break;
    case 17:
        pb_put16(l4, s->sport);
        pb_put16(l4 + 2, s->dport);
        pb_put16(l4 + 4, (uint16_t)l4_len);
        csum_at = 6;
        break;
    case 1:
    case 58:
        l4[0] = s->icmp_type;
        l4[1] = s->icmp_code;
        pb_put16(l4 + 4, s->icmp_id);
        pb_put16(l4 + 6, s->icmp_seq);
        csum_at = 2;
        break;
    default:
        break;
    }
    if (s->payload != NULL) {
        memcpy(l4 + l4_hlen, s->payload, s->len);
    } else {
        memset(l4 + l4_hlen, 'x', s->len);
    }

    /* Transport checksum: pseudo-header except for ICMPv4. */
    if (l4_hlen > 0) {
        uint32_t sum = 0;
        if (s->proto != 1) {
            uint8_t ph[8];
            sum = pb_sum(sum, src, fam == 4 ? 4 : 16);
            sum = pb_sum(sum, dst, fam == 4 ? 4 : 16);
            pb_put32(ph, (uint32_t)l4_len);
            ph[4] = ph[5] = ph[6] = 0;
            ph[7] = s->proto;
            sum = pb_sum(sum, ph, 8);
        }
        uint16_t c = pb_fold(pb_sum(sum, l4, l4_len));
        if (s->proto == 17 && c == 0) {
            c = 0xffff; /* 0 means "no checksum" in UDP */
        }
        if (s->bad_checksum) {
            c = (uint16_t)(c ^ 0x5a5a);
        }
        pb_put16(l4 + csum_at, c);
    }
    return (int)total;
}

uint16_t pb_l4_checksum(const uint8_t *frame, size_t len)
{
    size_t off = 12;
    uint16_t et = pb_get16(frame + off);
    size_t at;

    if (et == 0x8100) {
        off += PB_VLAN_LEN;
        et = pb_get16(frame + off);
    }
    off += 2;
    const uint8_t *ip = frame + off;
    uint8_t proto = et == 0x0800 ? ip[9] : ip[6];
    off += et == 0x0800 ? (size_t)(ip[0] & 0x0f) * 4 : PB_IP6_LEN;
    at = proto == 6 ? 16 : proto == 17 ? 6 : 2;
    if (off + at + 2 > len) {
        return 0;
    }
    return pb_get16(frame + off + at);
}
