/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the packet decoder (core/engine/decode.c, core/engine/frag.c): hand-built
 * frames for every link type, VLAN/QinQ, MPLS, PPPoE, IPv4 options, IPv6
 * extension headers, fragment reassembly (order, overlap, duplicates,
 * timeout, memory cap), each truncation weird and the transport checksums.
 * The shared traces are test_decode_traces's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>

#include "engine/decode.h"
#include "engine/frag.h"
#include "lib/util.h"

#include "decode_weirds.h"

/* ---- frame builder ------------------------------------------------------- */

static const uint8_t SRC4[4] = {10, 0, 0, 1};
static const uint8_t DST4[4] = {10, 0, 0, 2};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/* Reference checksum, written independently of util.h: 16-bit words. */
static uint16_t ref_sum(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    }
    if (n & 1) {
        acc += (uint32_t)p[n - 1] << 8;
    }
    while (acc >> 16) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    return (uint16_t)acc;
}

/* Set the L4 checksum of segment l4[0..len) (at offset `at`). */
static void set_l4_sum(int v, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint8_t *l4,
                       size_t len, size_t at)
{
    uint8_t ph[40];
    size_t phl;
    uint16_t s;

    l4[at] = l4[at + 1] = 0;
    memset(ph, 0, sizeof(ph));
    if (v == 4) {
        memcpy(ph, src, 4);
        memcpy(ph + 4, dst, 4);
        ph[9] = proto;
        ph[10] = (uint8_t)(len >> 8);
        ph[11] = (uint8_t)len;
        phl = 12;
    } else {
        memcpy(ph, src, 16);
        memcpy(ph + 16, dst, 16);
        ph[34] = (uint8_t)(len >> 8);
        ph[35] = (uint8_t)len;
        ph[39] = proto;
        phl = 40;
    }
    s = ref_sum(proto == 1 ? 0 : ref_sum(0, ph, phl), l4, len);
    s = (uint16_t)~s;
    if (proto == 17 && s == 0) {
        s = 0xffff;
    }
    l4[at] = (uint8_t)(s >> 8);
    l4[at + 1] = (uint8_t)s;
}

/* A UDP datagram with `n` payload bytes (pattern) into b; returns length. */
static size_t mk_udp(uint8_t *b, size_t n)
{
    shoal_put_be16(b, 1234);
    shoal_put_be16(b + 2, 53);
    shoal_put_be16(b + 4, (uint16_t)(8 + n));
    b[6] = b[7] = 0;
    for (size_t i = 0; i < n; i++) {
        b[8 + i] = (uint8_t)(i * 7 + 3);
    }
    return 8 + n;
}

/* A TCP segment (20-byte header) with n payload bytes. */
static size_t mk_tcp(uint8_t *b, size_t n)
{
    memset(b, 0, 20);
    shoal_put_be16(b, 40000);
    shoal_put_be16(b + 2, 80);
    shoal_put_be32(b + 4, 1000);
    b[12] = 5 << 4;
    b[13] = 0x18;
    shoal_put_be16(b + 14, 65535);
    for (size_t i = 0; i < n; i++) {
        b[20 + i] = (uint8_t)('a' + i % 26);
    }
    return 20 + n;
}

/* IPv4 header (+ `optlen` option bytes, multiple of 4) in front of l4[0..len). */
static size_t mk_ip4(uint8_t *b, uint8_t proto, const uint8_t *l4, size_t len, size_t optlen,
                     uint16_t id, uint16_t frag)
{
    size_t hl = 20 + optlen;

    memset(b, 0, hl);
    b[0] = (uint8_t)(0x40 | hl / 4);
    shoal_put_be16(b + 2, (uint16_t)(hl + len));
    shoal_put_be16(b + 4, id);
    shoal_put_be16(b + 6, frag);
    b[8] = 64;
    b[9] = proto;
    memcpy(b + 12, SRC4, 4);
    memcpy(b + 16, DST4, 4);
    for (size_t i = 0; i < optlen; i++) {
        b[20 + i] = 1; /* NOP */
    }
    shoal_put_be16(b + 10, (uint16_t)~ref_sum(0, b, hl));
    memmove(b + hl, l4, len);
    return hl + len;
}

/* IPv6 header with next header nh in front of rest[0..len). */
static size_t mk_ip6(uint8_t *b, uint8_t nh, const uint8_t *rest, size_t len)
{
    memset(b, 0, 40);
    b[0] = 0x60;
    shoal_put_be16(b + 4, (uint16_t)len);
    b[6] = nh;
    b[7] = 64;
    memcpy(b + 8, SRC6, 16);
    memcpy(b + 24, DST6, 16);
    memmove(b + 40, rest, len);
    return 40 + len;
}

/* Ethernet II header in front of payload. */
static size_t mk_eth(uint8_t *b, uint16_t type, const uint8_t *pl, size_t len)
{
    static const uint8_t mac[12] = {0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10};

    memcpy(b, mac, 12);
    shoal_put_be16(b + 12, type);
    memmove(b + 14, pl, len);
    return 14 + len;
}

/* A complete, checksummed IPv4/UDP packet with n payload bytes. */
static size_t mk_ip4_udp(uint8_t *b, size_t n)
{
    uint8_t l4[2048];
    size_t len = mk_udp(l4, n);

    set_l4_sum(4, SRC4, DST4, 17, l4, len, 6);
    return mk_ip4(b, 17, l4, len, 0, 1, 0);
}

/* A complete, checksummed IPv6/TCP packet with n payload bytes. */
static size_t mk_ip6_tcp(uint8_t *b, size_t n)
{
    uint8_t l4[2048];
    size_t len = mk_tcp(l4, n);

    set_l4_sum(6, SRC6, DST6, 6, l4, len, 16);
    return mk_ip6(b, 6, l4, len);
}

static int dec(struct shoal_decoder *d, const uint8_t *f, size_t len, struct shoal_pkt *p)
{
    return shoal_decode(d, 1000.0, f, (uint32_t)len, (uint32_t)len, p);
}

/* ---- link layers --------------------------------------------------------- */

static void check_udp4(const struct shoal_pkt *p)
{
    char s[64];

    CU_ASSERT_EQUAL(p->ip_version, 4);
    CU_ASSERT_EQUAL(p->proto, 17);
    CU_ASSERT_EQUAL(p->ip_total, 20 + 8 + 10);
    CU_ASSERT_EQUAL(p->ip_cap, 38);
    CU_ASSERT_EQUAL(p->l4_len, 18);
    CU_ASSERT_EQUAL(p->l4_cap, 18);
    CU_ASSERT_EQUAL(p->ttl, 64);
    CU_ASSERT_PTR_EQUAL(p->l4, p->ip + 20);
    addr_str(&p->src, s, sizeof(s));
    CU_ASSERT_STRING_EQUAL(s, "10.0.0.1");
    addr_str(&p->dst, s, sizeof(s));
    CU_ASSERT_STRING_EQUAL(s, "10.0.0.2");
    CU_ASSERT_TRUE(shoal_l4_checksum_ok(p));
}

static void test_link_ethernet(void)
{
    struct shoal_decoder *d = new_dec(1, false);
    uint8_t ip[256], f[512];
    size_t n = mk_ip4_udp(ip, 10), fl;
    struct shoal_pkt p;
    struct shoal_decode_stats st;

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    fl = mk_eth(f, 0x0800, ip, n);
    memset(f + fl, 0, 20); /* Ethernet padding must not count */
    CU_ASSERT_EQUAL(dec(d, f, fl + 20, &p), 1);
    check_udp4(&p);
    CU_ASSERT_EQUAL(p.vlan, 0);
    CU_ASSERT_DOUBLE_EQUAL(p.ts, 1000.0, 1e-9);
    /* ARP: not IP, consumed */
    fl = mk_eth(f, 0x0806, ip, 28);
    CU_ASSERT_EQUAL(dec(d, f, fl, &p), 0);
    /* IPv6 */
    n = mk_ip6_tcp(ip, 5);
    fl = mk_eth(f, 0x86dd, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, fl, &p), 1);
    CU_ASSERT_EQUAL(p.ip_version, 6);
    CU_ASSERT_EQUAL(p.proto, 6);
    CU_ASSERT_EQUAL(p.l4_len, 25);
    CU_ASSERT_EQUAL(p.ip_total, 65);
    CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p));
    shoal_decode_stats(d, &st);
    CU_ASSERT_EQUAL(st.frames, 3);
    CU_ASSERT_EQUAL(st.ip_packets, 2);
    CU_ASSERT_EQUAL(st.non_ip, 1);
    CU_ASSERT_EQUAL(nweirds, 0);
    shoal_decoder_free(d);
}

static void test_link_snap(void)
{
    struct shoal_decoder *d = new_dec(1, false);
    uint8_t ip[256], f[512];
    size_t n = mk_ip4_udp(ip, 10);
    struct shoal_pkt p;

    memset(f, 0, 12);
    shoal_put_be16(f + 12, (uint16_t)(n + 8));
    memcpy(f + 14, "\xaa\xaa\x03\x00\x00\x00\x08\x00", 8);
    memcpy(f + 22, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 22 + n, &p), 1);
    check_udp4(&p);
    /* plain LLC (STP): not IP */
    memcpy(f + 14, "\x42\x42\x03\x00\x00\x00\x00\x00", 8);
    CU_ASSERT_EQUAL(dec(d, f, 22 + n, &p), 0);
    /* 802.3 length longer than the frame */
    shoal_put_be16(f + 12, 1400);
    CU_ASSERT_EQUAL(dec(d, f, 22 + n, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_ethernet_frame");
    shoal_decoder_free(d);
}

static void test_link_others(void)
{
    uint8_t ip[256], f[512];
    size_t n = mk_ip4_udp(ip, 10);
    struct shoal_pkt p;
    struct shoal_decoder *d;
    static const int raw[] = {12, 101, 228, 229};

    /* Linux SLL: 16-byte header, protocol at 14 */
    d = new_dec(113, false);
    memset(f, 0, 16);
    shoal_put_be16(f + 14, 0x0800);
    memcpy(f + 16, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 16 + n, &p), 1);
    check_udp4(&p);
    CU_ASSERT_EQUAL(dec(d, f, 16, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_Linux_SLL_header");
    shoal_decoder_free(d);
    /* Linux SLL2: 20-byte header, protocol at 0 */
    d = new_dec(276, false);
    memset(f, 0, 20);
    shoal_put_be16(f, 0x0800);
    memcpy(f + 20, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 20 + n, &p), 1);
    check_udp4(&p);
    shoal_decoder_free(d);
    /* raw IP link types, v4 and v6 */
    for (size_t i = 0; i < SHOAL_ARRAY_SIZE(raw); i++) {
        uint8_t ip6[256];
        size_t n6 = mk_ip6_tcp(ip6, 0);

        d = new_dec(raw[i], false);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
        check_udp4(&p);
        CU_ASSERT_EQUAL(dec(d, ip6, n6, &p), 1);
        CU_ASSERT_EQUAL(p.ip_version, 6);
        shoal_decoder_free(d);
    }
    /* DLT_NULL (host order) and DLT_LOOP (network order) */
    d = new_dec(0, false);
    memcpy(f, "\x02\x00\x00\x00", 4);
    memcpy(f + 4, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 4 + n, &p), 1);
    check_udp4(&p);
    memcpy(f, "\x00\x00\x00\x02", 4);
    CU_ASSERT_EQUAL(dec(d, f, 4 + n, &p), 1);
    memcpy(f, "\x07\x00\x00\x00", 4);
    CU_ASSERT_EQUAL(dec(d, f, 4 + n, &p), 0);
    CU_ASSERT_EQUAL(dec(d, f, 4, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "null_analyzer_failed");
    shoal_decoder_free(d);
    d = new_dec(108, false);
    {
        uint8_t ip6[256];
        size_t n6 = mk_ip6_tcp(ip6, 3);
        static const uint8_t fams[3] = {24, 28, 30};

        for (int i = 0; i < 3; i++) {
            memset(f, 0, 4);
            f[3] = fams[i];
            memcpy(f + 4, ip6, n6);
            CU_ASSERT_EQUAL(dec(d, f, 4 + n6, &p), 1);
            CU_ASSERT_EQUAL(p.ip_version, 6);
        }
    }
    shoal_decoder_free(d);
    /* PPP with and without HDLC framing, and a non-IP protocol */
    d = new_dec(9, false);
    memcpy(f, "\xff\x03\x00\x21", 4);
    memcpy(f + 4, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 4 + n, &p), 1);
    check_udp4(&p);
    memcpy(f + 2, "\x00\x21", 2);
    CU_ASSERT_EQUAL(dec(d, f + 2, 2 + n, &p), 1);
    memcpy(f, "\xc0\x21\x01\x01", 4);
    CU_ASSERT_EQUAL(dec(d, f, 4 + n, &p), 0);
    shoal_decoder_free(d);
    d = new_dec(50, false);
    memcpy(f, "\xff\x03\x00\x21", 4);
    memcpy(f + 4, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 4 + n, &p), 1);
    shoal_decoder_free(d);
    /* unsupported link type */
    errno = 0;
    CU_ASSERT_PTR_NULL(shoal_decoder_new(147, NULL));
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    CU_ASSERT_FALSE(shoal_decode_linktype_ok(147));
    CU_ASSERT_TRUE(shoal_decode_linktype_ok(1));
    shoal_decoder_free(NULL);
}

/* An 802.11 frame into b: frame control fc0/fc1, a header of `hdr` bytes
 * (24, 30 with a fourth address, +2 with QoS control), LLC/SNAP for
 * `ethertype`, then `n` bytes of ip.  Returns the length. */
static size_t mk_80211(uint8_t *b, uint8_t fc0, uint8_t fc1, size_t hdr, uint16_t ethertype,
                       const uint8_t *ip, size_t n)
{
    static const uint8_t snap[6] = {0xaa, 0xaa, 0x03, 0, 0, 0};

    memset(b, 0x11, hdr);
    b[0] = fc0;
    b[1] = fc1;
    if (fc0 & 0x80) {
        b[hdr - 2] = 0; /* QoS control: no A-MSDU */
    }
    memcpy(b + hdr, snap, 6);
    shoal_put_be16(b + hdr + 6, ethertype);
    memcpy(b + hdr + 8, ip, n);
    return hdr + 8 + n;
}

/* IEEE 802.11 (DLT 105) and radiotap (DLT 127): data frames to IP, the
 * rest passed over, truncations with Zeek's weirds. */
static void test_link_80211(void)
{
    struct shoal_decoder *d = new_dec(105, false);
    struct shoal_decoder *r = new_dec(127, false);
    uint8_t ip[256], f[512], rt[600];
    size_t n = mk_ip4_udp(ip, 10), m;
    struct shoal_pkt p;

    CU_ASSERT_TRUE(shoal_decode_linktype_ok(105));
    CU_ASSERT_TRUE(shoal_decode_linktype_ok(127));
    /* to the DS, plain data */
    m = mk_80211(f, 0x08, 0x01, 24, 0x0800, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 1);
    check_udp4(&p);
    /* QoS data between distribution systems: 4 addresses, QoS control */
    m = mk_80211(f, 0x88, 0x03, 32, 0x0800, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 1);
    check_udp4(&p);
    /* radiotap before it */
    memset(rt, 0, 12);
    rt[2] = 12;
    memcpy(rt + 12, f, m);
    CU_ASSERT_EQUAL(dec(r, rt, m + 12, &p), 1);
    check_udp4(&p);
    CU_ASSERT_EQUAL(nweirds, 0);
    /* passed over: management, null data, protected QoS, A-MSDU, ARP,
     * another SNAP organisation, encrypted non-QoS data */
    m = mk_80211(f, 0x80, 0x00, 24, 0x0800, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 0);
    m = mk_80211(f, 0x48, 0x01, 24, 0x0800, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 0);
    m = mk_80211(f, 0x88, 0x41, 26, 0x0800, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 0);
    m = mk_80211(f, 0x88, 0x01, 26, 0x0800, ip, n);
    f[24] = 0x80;
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 0);
    m = mk_80211(f, 0x08, 0x01, 24, 0x0806, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 0);
    m = mk_80211(f, 0x08, 0x01, 24, 0x0800, ip, n);
    f[27] = 0x0c;
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 0);
    f[24] = 0x5a;
    f[27] = 0;
    CU_ASSERT_EQUAL(dec(d, f, m, &p), 0);
    CU_ASSERT_EQUAL(nweirds, 0);
    /* truncated: the header, the fourth address, the QoS field, LLC */
    static const struct {
        uint8_t fc0, fc1;
        size_t len;
        const char *weird;
    } cut[] = {
        {0x08, 0x01, 24, "truncated_802_11_header"},
        {0x08, 0x03, 30, "truncated_802_11_header"},
        {0x88, 0x01, 26, "truncated_802_11_header"},
        {0x08, 0x01, 31, "truncated_802_11_llc_header"},
    };
    m = mk_80211(f, 0x88, 0x03, 32, 0x0800, ip, n);
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
        nweirds = 0;
        f[0] = cut[i].fc0;
        f[1] = cut[i].fc1;
        f[24] = 0; /* QoS control when the frame has one */
        CU_ASSERT_EQUAL(dec(d, f, cut[i].len, &p), -EINVAL);
        CU_ASSERT_EQUAL_FATAL(nweirds, 1);
        CU_ASSERT_STRING_EQUAL(weirds[0].name, cut[i].weird);
        CU_ASSERT_STRING_EQUAL(weirds[0].source, "IEEE802_11");
    }
    /* radiotap: too short, or longer than the frame */
    nweirds = 0;
    CU_ASSERT_EQUAL(dec(r, rt, 3, &p), -EINVAL);
    rt[2] = 200;
    CU_ASSERT_EQUAL(dec(r, rt, 100, &p), -EINVAL);
    CU_ASSERT_EQUAL(nweirds, 2);
    CU_ASSERT_STRING_EQUAL(weirds[1].name, "truncated_radiotap_header");
    shoal_decoder_free(d);
    shoal_decoder_free(r);
}

/* PBB (802.1ah) and VN-Tag under Ethernet, and FDDI (DLT 10). */
static void test_link_pbb_vntag_fddi(void)
{
    struct shoal_decoder *d = new_dec(1, false);
    struct shoal_decoder *fd = new_dec(10, false);
    uint8_t ip[256], f[512];
    size_t n = mk_ip4_udp(ip, 10);
    struct shoal_pkt p;

    /* PBB: I-TAG (4), customer addresses (12), 802.1Q, IPv4 */
    memset(f, 0, sizeof(f));
    memcpy(f + 12, "\x88\xe7", 2);
    memcpy(f + 14 + 16, "\x81\x00\x00\x2a\x08\x00", 6);
    memcpy(f + 14 + 22, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 14 + 22 + n, &p), 1);
    CU_ASSERT_EQUAL(p.vlan, 42);
    check_udp4(&p);
    /* VN-Tag (6 bytes, the next ethertype in its last two) */
    memcpy(f + 12, "\x89\x26\x00\x00\x00\x00\x08\x00", 8);
    memcpy(f + 20, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 20 + n, &p), 1);
    check_udp4(&p);
    CU_ASSERT_EQUAL(nweirds, 0);
    /* truncated */
    CU_ASSERT_EQUAL(dec(d, f, 20, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_vntag_header");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "VNTAG");
    memcpy(f + 12, "\x88\xe7", 2);
    CU_ASSERT_EQUAL(dec(d, f, 14 + 18, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[1].name, "truncated_PBB_header");
    CU_ASSERT_STRING_EQUAL(weirds[1].source, "PBB");
    /* FDDI: 13-byte header and 8-byte LLC, then IP */
    CU_ASSERT_TRUE(shoal_decode_linktype_ok(10));
    memset(f, 0, 21);
    memcpy(f + 21, ip, n);
    CU_ASSERT_EQUAL(dec(fd, f, 21 + n, &p), 1);
    check_udp4(&p);
    nweirds = 0;
    CU_ASSERT_EQUAL(dec(fd, f, 21, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "FDDI_analyzer_failed");
    shoal_decoder_free(d);
    shoal_decoder_free(fd);
}

static void test_link_nflog(void)
{
    struct shoal_decoder *d = new_dec(239, false);
    uint8_t ip[256], f[512];
    size_t n = mk_ip4_udp(ip, 10), o = 0;
    struct shoal_pkt p;
    uint16_t v;

    f[o++] = 2; /* AF_INET */
    f[o++] = 0; /* version */
    f[o++] = 0;
    f[o++] = 0;
    /* a prefix TLV of 5 bytes (padded to 8), then the payload TLV */
    v = 9;
    memcpy(f + o, &v, 2);
    v = 10;
    memcpy(f + o + 2, &v, 2);
    memcpy(f + o + 4, "abcd\0\0\0\0", 4);
    f[o] = 5;
    f[o + 1] = 0;
    o += 8;
    v = (uint16_t)(n + 4);
    memcpy(f + o, &v, 2);
    v = 9;
    memcpy(f + o + 2, &v, 2);
    o += 4;
    memcpy(f + o, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, o + n, &p), 1);
    check_udp4(&p);
    /* wrong version */
    f[1] = 1;
    CU_ASSERT_EQUAL(dec(d, f, o + n, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "unknown_nflog_version");
    /* no payload TLV */
    f[1] = 0;
    CU_ASSERT_EQUAL(dec(d, f, 12, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[1].name, "nflog_no_pcap_payload");
    /* a TLV length below 4 */
    f[4] = 2;
    CU_ASSERT_EQUAL(dec(d, f, o + n, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[2].name, "nflog_bad_tlv_len");
    shoal_decoder_free(d);
}

static void test_link_vlan_mpls_pppoe(void)
{
    struct shoal_decoder *d = new_dec(1, false);
    uint8_t ip[256], f[512], ip6[256];
    size_t n = mk_ip4_udp(ip, 10), n6 = mk_ip6_tcp(ip6, 1);
    struct shoal_pkt p;

    /* 802.1Q */
    memset(f, 0, 12);
    memcpy(f + 12, "\x81\x00\x20\x64\x08\x00", 6);
    memcpy(f + 18, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 18 + n, &p), 1);
    CU_ASSERT_EQUAL(p.vlan, 100);
    CU_ASSERT_EQUAL(p.inner_vlan, 0);
    check_udp4(&p);
    /* QinQ: 802.1ad outer 10, 802.1Q inner 20 */
    memcpy(f + 12, "\x88\xa8\x00\x0a\x81\x00\x00\x14\x08\x00", 10);
    memcpy(f + 22, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 22 + n, &p), 1);
    CU_ASSERT_EQUAL(p.vlan, 10);
    CU_ASSERT_EQUAL(p.inner_vlan, 20);
    check_udp4(&p);
    /* triple tag: weird, innermost id wins */
    memcpy(f + 12, "\x91\x00\x00\x0a\x81\x00\x00\x14\x81\x00\x00\x1e\x08\x00", 14);
    memcpy(f + 26, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 26 + n, &p), 1);
    CU_ASSERT_EQUAL(p.vlan, 10);
    CU_ASSERT_EQUAL(p.inner_vlan, 30);
    CU_ASSERT_EQUAL(nweirds, 1);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "triple_tagged_vlan_unsupported");
    CU_ASSERT_STRING_EQUAL(weirds[0].addl, "overwrote inner vlan ID of 20 with 30");
    /* truncated VLAN header */
    nweirds = 0;
    CU_ASSERT_EQUAL(dec(d, f, 18, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_VLAN_header");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "VLAN");
    /* VLAN + MPLS with two labels, IPv4 then IPv6 */
    memcpy(f + 12, "\x81\x00\x00\x07\x88\x47\x00\x01\x00\x40\x00\x02\x01\x40", 14);
    memcpy(f + 26, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 26 + n, &p), 1);
    CU_ASSERT_EQUAL(p.vlan, 7);
    check_udp4(&p);
    memcpy(f + 26, ip6, n6);
    CU_ASSERT_EQUAL(dec(d, f, 26 + n6, &p), 1);
    CU_ASSERT_EQUAL(p.ip_version, 6);
    /* MPLS stack running off the frame */
    nweirds = 0;
    memcpy(f + 12, "\x88\x47\x00\x01\x00\x40\x00\x02\x00\x40", 10);
    CU_ASSERT_EQUAL(dec(d, f, 22, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_link_header");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "MPLS");
    /* PPPoE session, IPv4 and IPv6; discovery is not IP */
    memcpy(f + 12, "\x88\x64\x11\x00\x00\x01\x00\x00\x00\x21", 10);
    shoal_put_be16(f + 18, (uint16_t)(n + 2));
    memcpy(f + 22, ip, n);
    CU_ASSERT_EQUAL(dec(d, f, 22 + n, &p), 1);
    check_udp4(&p);
    f[21] = 0x57;
    memcpy(f + 22, ip6, n6);
    CU_ASSERT_EQUAL(dec(d, f, 22 + n6, &p), 1);
    CU_ASSERT_EQUAL(p.ip_version, 6);
    f[13] = 0x63;
    CU_ASSERT_EQUAL(dec(d, f, 22 + n6, &p), 0);
    f[13] = 0x64;
    f[21] = 0x21;
    f[20] = 0xc0; /* LCP: not IP */
    CU_ASSERT_EQUAL(dec(d, f, 22 + n6, &p), 0);
    nweirds = 0;
    CU_ASSERT_EQUAL(dec(d, f, 22, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_pppoe_header");
    shoal_decoder_free(d);
}

/* ---- IP ------------------------------------------------------------------- */

static void test_ip4_options(void)
{
    struct shoal_decoder *d = new_dec(101, false);
    uint8_t l4[256], ip[512];
    size_t len = mk_udp(l4, 10), n;
    struct shoal_pkt p;

    set_l4_sum(4, SRC4, DST4, 17, l4, len, 6);
    n = mk_ip4(ip, 17, l4, len, 8, 7, 0);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_PTR_EQUAL(p.l4, ip + 28);
    CU_ASSERT_EQUAL(p.l4_len, 18);
    CU_ASSERT_EQUAL(p.ip_total, 46);
    CU_ASSERT_EQUAL(shoal_be16(p.l4 + 2), 53);
    CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p));
    /* bad header checksum: dropped, a flow weird */
    ip[10] ^= 0x55;
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "bad_IP_checksum");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "IP");
    CU_ASSERT_STRING_EQUAL(weirds[0].src, "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(weirds[0].dst, "10.0.0.2");
    shoal_decoder_free(d);
    /* ... accepted when checksums are ignored */
    d = new_dec(101, true);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_EQUAL(nweirds, 0);
    shoal_decoder_free(d);
}

/* IPv6 chain: hop-by-hop, destination options, routing (segleft 0), TCP */
static void test_ip6_ext(void)
{
    struct shoal_decoder *d = new_dec(229, false);
    uint8_t rest[512], ip[600], l4[128];
    size_t o = 0, len = mk_tcp(l4, 4), n;
    struct shoal_pkt p;
    char s[64];

    set_l4_sum(6, SRC6, DST6, 6, l4, len, 16);
    /* HBH: next DSTOPTS, len 0, PadN(4) */
    memcpy(rest + o, "\x3c\x00\x01\x04\x00\x00\x00\x00", 8);
    o += 8;
    /* DSTOPTS: next ROUTING, len 0, Pad1 x6 */
    memcpy(rest + o, "\x2b\x00\x00\x00\x00\x00\x00\x00", 8);
    o += 8;
    /* routing type 0, segleft 0, one address: no final destination */
    memset(rest + o, 0, 24);
    rest[o] = 51; /* AH next */
    rest[o + 1] = 2;
    o += 24;
    /* AH: next TCP, payload len 4 -> (4+2)*4 = 24 bytes */
    memset(rest + o, 0, 24);
    rest[o] = 6;
    rest[o + 1] = 4;
    o += 24;
    memcpy(rest + o, l4, len);
    n = mk_ip6(ip, 0, rest, o + len);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_EQUAL(p.proto, 6);
    CU_ASSERT_PTR_EQUAL(p.l4, ip + 40 + o);
    CU_ASSERT_EQUAL(p.l4_len, len);
    CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p));
    CU_ASSERT_EQUAL(nweirds, 1);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "routing0_hdr");

    /* ESP ends the chain: consumed, nothing for the flow table */
    memset(rest, 0, 16);
    n = mk_ip6(ip, 50, rest, 16);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 0);
    n = mk_ip4(ip, 50, rest, 16, 0, 1, 0);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 0);

    /* no next header */
    nweirds = 0;
    n = mk_ip6(ip, 59, rest, 0);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "ipv6_no_next");

    /* Home Address option replaces the source; routing type 2 the dest */
    o = 0;
    memset(rest, 0, sizeof(rest));
    rest[o] = 43;
    rest[o + 1] = 2; /* 24 bytes: PadN(2) then option 201 of 16 */
    memcpy(rest + o + 2, "\x01\x02\x00\x00\xc9\x10", 6);
    memset(rest + o + 8, 0xaa, 16);
    o += 24;
    rest[o] = 17;
    rest[o + 1] = 2;
    rest[o + 2] = 2;
    rest[o + 3] = 1;
    memset(rest + o + 8, 0xbb, 16);
    o += 24;
    len = mk_udp(rest + o, 4);
    n = mk_ip6(ip, 60, rest, o + len);
    nweirds = 0;
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_EQUAL(p.proto, 17);
    addr_str(&p.src, s, sizeof(s));
    CU_ASSERT_STRING_EQUAL(s, "aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa");
    addr_str(&p.dst, s, sizeof(s));
    CU_ASSERT_STRING_EQUAL(s, "bbbb:bbbb:bbbb:bbbb:bbbb:bbbb:bbbb:bbbb");
    CU_ASSERT_EQUAL(nweirds, 0);

    /* an extension header cut by the capture ends the chain (as Zeek) */
    memcpy(rest, "\x2b\x00\x00\x00\x00\x00\x00\x00\x06\x05", 10);
    n = mk_ip6(ip, 0, rest, 10);
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, ip, (uint32_t)n, 2000, &p), 1);
    CU_ASSERT_EQUAL(p.proto, 43);
    CU_ASSERT_EQUAL(p.l4_cap, 2);
    shoal_decoder_free(d);
}

/* IP-in-IP: 4in6 and 6in4 are decoded to the inner packet. */
static void test_ip_tunnel(void)
{
    struct shoal_decoder *d = new_dec(12, false);
    uint8_t in[256], out[512], out2[700];
    size_t n = mk_ip4_udp(in, 10), m, m2;
    struct shoal_pkt p;
    struct shoal_addr os;
    char s[64];

    m = mk_ip6(out, 4, in, n);
    CU_ASSERT_EQUAL(dec(d, out, m, &p), 1);
    check_udp4(&p);
    CU_ASSERT_EQUAL(shoal_decode_tunnel(d, &os, NULL), 1);
    addr_str(&os, s, sizeof(s));
    CU_ASSERT_STRING_EQUAL(s, "2001:db8::1");
    /* two levels are fine, three exceed Zeek's Tunnel::max_depth */
    m2 = mk_ip4(out2, 41, out, m, 0, 2, 0);
    CU_ASSERT_EQUAL(dec(d, out2, m2, &p), 1);
    CU_ASSERT_EQUAL(shoal_decode_tunnel(d, NULL, NULL), 2);
    m = mk_ip6(out, 4, out2, m2);
    CU_ASSERT_EQUAL(dec(d, out, m, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "exceeded_tunnel_max_depth");
    /* inner packet shorter than its header says */
    nweirds = 0;
    shoal_put_be16(in + 2, 200);
    shoal_put_be16(in + 10, 0);
    shoal_put_be16(in + 10, (uint16_t)~ref_sum(0, in, 20));
    m = mk_ip6(out, 4, in, n);
    CU_ASSERT_EQUAL(dec(d, out, m, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_inner_IP");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "IPTUNNEL");
    CU_ASSERT_STRING_EQUAL(weirds[0].src, "2001:db8::1");
    CU_ASSERT_EQUAL(shoal_decode_tunnel(d, NULL, NULL), 0);
    shoal_decoder_free(d);
}

/* ---- truncation ------------------------------------------------------------- */

struct trunc_case {
    const char *what;
    int linktype;
    bool ignore;
    size_t cut;    /* caplen */
    uint32_t wire; /* wirelen (0: = cut) */
    const char *name;
    const char *source;
    bool flow;
};

static void test_truncation(void)
{
    uint8_t ip[256], f[512];
    size_t n = mk_ip4_udp(ip, 10), fl = mk_eth(f, 0x0800, ip, n);
    struct shoal_pkt p;
    static const struct trunc_case cases[] = {
        {"ethernet", 1, false, 16, 0, "truncated_ethernet_frame", "ETHERNET", false},
        {"ip4 hdr", 1, false, 14 + 19, 0, "truncated_IP", "IP", false},
        {"ip4 len", 1, false, 14 + 30, 0, "truncated_IP_len", "IP", false},
    };

    for (size_t i = 0; i < SHOAL_ARRAY_SIZE(cases); i++) {
        struct shoal_decoder *d = new_dec(cases[i].linktype, cases[i].ignore);
        uint32_t wire = cases[i].wire ? cases[i].wire : (uint32_t)cases[i].cut;

        CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f, (uint32_t)cases[i].cut, wire, &p), -EINVAL);
        CU_ASSERT_EQUAL_FATAL(nweirds, 1);
        CU_ASSERT_STRING_EQUAL(weirds[0].name, cases[i].name);
        CU_ASSERT_STRING_EQUAL(weirds[0].source, cases[i].source);
        CU_ASSERT_EQUAL(strcmp(weirds[0].src, "-") != 0, cases[i].flow);
        shoal_decoder_free(d);
    }

    struct shoal_decoder *d = new_dec(1, false);
    struct shoal_decode_stats st;

    /* cut by the snaplen only: still a packet, l4 partly captured */
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f, 14 + 30, (uint32_t)fl, &p), 1);
    CU_ASSERT_EQUAL(p.ip_total, 38);
    CU_ASSERT_EQUAL(p.ip_cap, 30);
    CU_ASSERT_EQUAL(p.l4_len, 18);
    CU_ASSERT_EQUAL(p.l4_cap, 10);
    CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p)); /* not verifiable: true */
    CU_ASSERT_EQUAL(nweirds, 0);
    /* UDP header cut inside the capture */
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f, 14 + 24, (uint32_t)fl, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "internally_truncated_header");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "UDP");
    CU_ASSERT_STRING_EQUAL(weirds[0].src, "10.0.0.1");
    /* IP payload shorter than a UDP header */
    nweirds = 0;
    {
        uint8_t small[64];
        size_t sn = mk_ip4(small, 17, (const uint8_t *)"\x01\x02\x03\x04", 4, 0, 1, 0);

        CU_ASSERT_EQUAL(dec(d, small, sn, &p), 0); /* ethernet needed: wrong link */
        fl = mk_eth(f, 0x0800, small, sn);
        CU_ASSERT_EQUAL(dec(d, f, fl, &p), -EINVAL);
        CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_header");
        CU_ASSERT_STRING_EQUAL(weirds[0].source, "UDP");
    }
    /* unknown IP version */
    nweirds = 0;
    fl = mk_eth(f, 0x0800, ip, n);
    f[14] = 0x55;
    CU_ASSERT_EQUAL(dec(d, f, fl, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "unknown_ip_version");
    /* IHL 15 but total length 20 */
    nweirds = 0;
    f[14] = 0x4f;
    shoal_put_be16(f + 16, 20);
    CU_ASSERT_EQUAL(dec(d, f, 34, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "invalid_IP_header_size");
    /* IHL 15, total length fine, header cut inside the capture */
    nweirds = 0;
    shoal_put_be16(f + 16, 100);
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f, 34, 200, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "internally_truncated_header");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "IP");
    CU_ASSERT_STRING_EQUAL(weirds[0].src, "-");
    /* IHL 4 */
    nweirds = 0;
    f[14] = 0x44;
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f, 60, 200, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "IPv4_min_header_size");
    /* total length 0 (segmentation offload) */
    nweirds = 0;
    fl = mk_eth(f, 0x0800, ip, n);
    shoal_put_be16(f + 16, 0);
    CU_ASSERT_EQUAL(dec(d, f, fl, &p), -EINVAL);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "ip_hdr_len_zero");
    shoal_decode_stats(d, &st);
    CU_ASSERT_EQUAL(st.malformed, 7);
    shoal_decoder_free(d);
    d = new_dec(1, true);
    CU_ASSERT_EQUAL(dec(d, f, fl, &p), 1);
    CU_ASSERT_EQUAL(p.ip_total, 38);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "ip_hdr_len_zero");
    shoal_decoder_free(d);

    /* IPv6: fixed header cut, and payload length beyond the wire */
    d = new_dec(1, false);
    {
        uint8_t ip6[256];
        size_t n6 = mk_ip6_tcp(ip6, 10);

        fl = mk_eth(f, 0x86dd, ip6, n6);
        CU_ASSERT_EQUAL(dec(d, f, 14 + 39, &p), -EINVAL);
        CU_ASSERT_STRING_EQUAL(weirds[0].name, "truncated_IP");
        CU_ASSERT_EQUAL(dec(d, f, 14 + 50, &p), -EINVAL);
        CU_ASSERT_STRING_EQUAL(weirds[1].name, "truncated_IP_len");
        /* TCP header cut inside the capture */
        CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f, 14 + 50, (uint32_t)fl, &p), -EINVAL);
        CU_ASSERT_STRING_EQUAL(weirds[2].name, "internally_truncated_header");
        CU_ASSERT_STRING_EQUAL(weirds[2].source, "TCP");
        CU_ASSERT_STRING_EQUAL(weirds[2].src, "2001:db8::1");
    }
    CU_ASSERT_EQUAL(dec(d, f, 0, &p), -EINVAL);
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, NULL, 0, 0, &p), -EINVAL);
    shoal_decoder_free(d);
}

/* Mobile IPv6 destination option weirds, as in weird-mobile-ipv6-dst-opts. */
static void test_ip6_dstopt_weirds(void)
{
    struct shoal_decoder *d = new_dec(229, true);
    uint8_t rest[128], ip[256];
    size_t n;
    struct shoal_pkt p;

    memset(rest, 0, sizeof(rest));
    rest[0] = 17;
    rest[1] = 2;
    memcpy(rest + 2, "\x01\x02\x00\x00\xca\x90", 6); /* option longer than the header */
    mk_udp(rest + 24, 4);
    n = mk_ip6(ip, 60, rest, 36);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_EQUAL(nweirds, 1);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "bad_ipv6_dest_opt_len");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "-");
    CU_ASSERT_STRING_EQUAL(weirds[0].src, "2001:db8::1");
    nweirds = 0;
    memcpy(rest + 2, "\x01\x02\x00\x00\xc9\x01\x00\x01\x00", 9); /* home addr len 1 */
    n = mk_ip6(ip, 60, rest, 36);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "bad_home_addr_len");
    shoal_decoder_free(d);
}

/* ---- fragments ---------------------------------------------------------------- */

/* Split IPv4/UDP with `plen` payload bytes into fragments of `fs` bytes
 * (multiple of 8); frags[i] gets an Ethernet-less IPv4 packet. */
static int mk_frags4(uint8_t frags[][256], size_t *lens, size_t plen, size_t fs, uint16_t id,
                     uint8_t *whole_l4, size_t *l4len)
{
    uint8_t l4[2048];
    size_t len = mk_udp(l4, plen);
    int k = 0;

    set_l4_sum(4, SRC4, DST4, 17, l4, len, 6);
    memcpy(whole_l4, l4, len);
    *l4len = len;
    for (size_t off = 0; off < len; off += fs, k++) {
        size_t chunk = len - off < fs ? len - off : fs;
        uint16_t fl = (uint16_t)(off / 8) | (off + chunk < len ? 0x2000 : 0);

        lens[k] = mk_ip4(frags[k], 17, l4 + off, chunk, 0, id, fl);
    }
    return k;
}

static void test_frag4_orders(void)
{
    uint8_t frags[8][256], whole[2048];
    size_t lens[8], l4len;
    int k = mk_frags4(frags, lens, 400, 104, 77, whole, &l4len);
    static const int orders[3][4] = {{0, 1, 2, 3}, {3, 1, 0, 2}, {2, 0, 3, 1}};
    struct shoal_pkt p;
    struct shoal_decode_stats st;

    CU_ASSERT_EQUAL_FATAL(k, 3 + 1);
    for (int o = 0; o < 3; o++) {
        struct shoal_decoder *d = new_dec(101, false);

        for (int i = 0; i < k; i++) {
            int rc = shoal_decode(d, 10.0 + i, frags[orders[o][i]], (uint32_t)lens[orders[o][i]],
                                  (uint32_t)lens[orders[o][i]], &p);

            CU_ASSERT_EQUAL(rc, i == k - 1 ? 1 : 0);
        }
        CU_ASSERT_TRUE(p.reassembled);
        CU_ASSERT_EQUAL(p.ip_total, 20 + l4len);
        CU_ASSERT_EQUAL(p.ip_cap, 20 + l4len);
        CU_ASSERT_EQUAL(p.l4_len, l4len);
        CU_ASSERT_EQUAL(p.proto, 17);
        CU_ASSERT_EQUAL(memcmp(p.l4, whole, l4len), 0);
        CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p));
        CU_ASSERT_EQUAL(shoal_be16(p.ip + 6) & 0x3fff, 0);
        CU_ASSERT_EQUAL(shoal_csum_fold(shoal_csum_add(0, p.ip, 20)), 0xffff);
        CU_ASSERT_DOUBLE_EQUAL(p.ts, 10.0 + k - 1, 1e-9);
        CU_ASSERT_EQUAL(nweirds, 0);
        shoal_decode_stats(d, &st);
        CU_ASSERT_EQUAL(st.fragments, (uint64_t)k);
        CU_ASSERT_EQUAL(st.reassembled, 1);
        CU_ASSERT_EQUAL(st.ip_packets, 1);
        shoal_decoder_free(d);
    }
}

static void test_frag4_overlap_dup(void)
{
    uint8_t frags[8][256], whole[2048], ov[256];
    size_t lens[8], l4len, ovlen;
    int k = mk_frags4(frags, lens, 300, 104, 78, whole, &l4len);
    struct shoal_decoder *d = new_dec(101, false);
    struct shoal_pkt p;
    uint8_t bogus[64];

    /* duplicate first fragment: consistent overlap */
    CU_ASSERT_EQUAL(dec(d, frags[0], lens[0], &p), 0);
    CU_ASSERT_EQUAL(dec(d, frags[0], lens[0], &p), 0);
    CU_ASSERT_EQUAL(nweirds, 1);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "fragment_overlap");
    CU_ASSERT_STRING_EQUAL(weirds[0].source, "-");
    CU_ASSERT_STRING_EQUAL(weirds[0].src, "10.0.0.1");
    /* a fragment at 96..160 with different bytes: inconsistent; old bytes win */
    memset(bogus, 0xee, sizeof(bogus));
    ovlen = mk_ip4(ov, 17, bogus, 64, 0, 78, 0x2000 | 12);
    CU_ASSERT_EQUAL(dec(d, ov, ovlen, &p), 0);
    CU_ASSERT_STRING_EQUAL(weirds[1].name, "fragment_inconsistency");
    for (int i = 1; i < k; i++) {
        CU_ASSERT_EQUAL(dec(d, frags[i], lens[i], &p), i == k - 1 ? 1 : 0);
    }
    CU_ASSERT_TRUE(p.reassembled);
    CU_ASSERT_EQUAL(p.l4_len, l4len);
    /* bytes 96..104 came from fragment 0, 104..160 from the bogus one */
    CU_ASSERT_EQUAL(memcmp(p.l4, whole, 104), 0);
    CU_ASSERT_EQUAL(p.l4[104], 0xee);
    CU_ASSERT_FALSE(shoal_l4_checksum_ok(&p));
    shoal_decoder_free(d);
}

static void test_frag4_weirds(void)
{
    uint8_t f1[256], f2[256], pl[128];
    size_t n1, n2;
    struct shoal_decoder *d = new_dec(101, false);
    struct shoal_pkt p;

    memset(pl, 0x11, sizeof(pl));
    n1 = mk_ip4(f1, 17, pl, 16, 0, 5, 0x2000 | 0x4000); /* MF + DF, small */
    n2 = mk_ip4(f2, 17, pl, 16, 0, 5, 2);               /* last: 16..32 */
    CU_ASSERT_EQUAL(dec(d, f1, n1, &p), 0);
    CU_ASSERT_NOT_EQUAL(find_weird("fragment_with_DF"), -1);
    CU_ASSERT_NOT_EQUAL(find_weird("excessively_small_fragment"), -1);
    CU_ASSERT_EQUAL(dec(d, f2, n2, &p), 1);
    CU_ASSERT_EQUAL(p.l4_len, 32);
    /* snap-truncated fragments are not reassembled; a first one passes */
    nweirds = 0;
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f1, 30, (uint32_t)n1, &p), 1);
    CU_ASSERT_FALSE(p.reassembled);
    CU_ASSERT_STRING_EQUAL(weirds[0].name, "incompletely_captured_fragment");
    CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f2, 30, (uint32_t)n2, &p), -EINVAL);
    shoal_decoder_free(d);
}

static void test_frag_timeout_and_cap(void)
{
    uint8_t frags[8][256], whole[2048];
    size_t lens[8], l4len;
    int k = mk_frags4(frags, lens, 300, 104, 79, whole, &l4len);
    struct shoal_decode_opts o = {0};
    struct shoal_decoder *d;
    struct shoal_pkt p;
    struct shoal_decode_stats st;

    o.frag_timeout = 5.0;
    o.weird = rec_weird;
    d = shoal_decoder_new(101, &o);
    CU_ASSERT_EQUAL(shoal_decode(d, 100.0, frags[0], (uint32_t)lens[0], (uint32_t)lens[0], &p), 0);
    shoal_decode_expire(d, 104.0);
    shoal_decode_stats(d, &st);
    CU_ASSERT_EQUAL(st.frag_dropped, 0);
    shoal_decode_expire(d, 105.5);
    shoal_decode_stats(d, &st);
    CU_ASSERT_EQUAL(st.frag_dropped, 1);
    for (int i = 1; i < k; i++) {
        CU_ASSERT_EQUAL(shoal_decode(d, 106.0, frags[i], (uint32_t)lens[i], (uint32_t)lens[i], &p),
                        0);
    }
    /* a late fragment of an expired train opens a new one; it expires too */
    CU_ASSERT_EQUAL(shoal_decode(d, 120.0, frags[0], (uint32_t)lens[0], (uint32_t)lens[0], &p), 0);
    shoal_decode_stats(d, &st);
    CU_ASSERT_EQUAL(st.frag_dropped, 2);
    CU_ASSERT_EQUAL(st.reassembled, 0);
    shoal_decoder_free(d);

    /* memory cap: room for about one train; opening more evicts the oldest */
    o.frag_timeout = 0;
    o.frag_mem_max = 600;
    d = shoal_decoder_new(101, &o);
    for (uint16_t id = 1; id <= 5; id++) {
        uint8_t l4[128], f[256];
        size_t n;

        memset(l4, id, sizeof(l4));
        n = mk_ip4(f, 17, l4, 104, 0, id, 0x2000);
        CU_ASSERT_EQUAL(dec(d, f, n, &p), 0);
    }
    shoal_decode_stats(d, &st);
    CU_ASSERT_TRUE(st.frag_dropped >= 3);
    CU_ASSERT_EQUAL(st.fragments, 5);
    /* a train bigger than the whole cap is dropped */
    {
        uint8_t big[2][256], wl4[2048];
        size_t bl[2], bl4;
        uint8_t many[16][256];
        size_t ml[16];
        int km = mk_frags4(many, ml, 1400, 104, 80, wl4, &bl4);

        (void)big;
        (void)bl;
        for (int i = 0; i < km; i++) {
            CU_ASSERT_EQUAL(dec(d, many[i], ml[i], &p), 0);
        }
    }
    shoal_decoder_free(d);
}

/* IPv6 fragments (with a destination options header before the Fragment
 * header), in and out of order. */
static void test_frag6(void)
{
    uint8_t l4[1024], f[4][512], rest[600];
    size_t len = mk_tcp(l4, 200), fl[4];
    struct shoal_pkt p;
    static const int order[2][3] = {{0, 1, 2}, {2, 0, 1}};

    set_l4_sum(6, SRC6, DST6, 6, l4, len, 16);
    for (int i = 0; i < 3; i++) {
        size_t off = (size_t)i * 80;
        size_t chunk = len - off < 80 ? len - off : 80;

        memset(rest, 0, 8);
        rest[0] = 44; /* DSTOPTS: next Fragment, Pad */
        memset(rest + 8, 0, 8);
        rest[8] = 6;
        shoal_put_be16(rest + 10, (uint16_t)(off | (i < 2 ? 1 : 0)));
        shoal_put_be32(rest + 12, 0xabcdef);
        memcpy(rest + 16, l4 + off, chunk);
        fl[i] = mk_ip6(f[i], 60, rest, 16 + chunk);
    }
    for (int o = 0; o < 2; o++) {
        struct shoal_decoder *d = new_dec(229, false);

        for (int i = 0; i < 3; i++) {
            int j = order[o][i];

            CU_ASSERT_EQUAL(dec(d, f[j], fl[j], &p), i == 2 ? 1 : 0);
        }
        CU_ASSERT_TRUE(p.reassembled);
        CU_ASSERT_EQUAL(p.ip_version, 6);
        CU_ASSERT_EQUAL(p.proto, 6);
        CU_ASSERT_EQUAL(p.ip_total, 40 + 8 + len);
        CU_ASSERT_EQUAL(shoal_be16(p.ip + 4), 8 + len);
        CU_ASSERT_EQUAL(p.l4_len, len);
        CU_ASSERT_EQUAL(memcmp(p.l4, l4, len), 0);
        CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p));
        CU_ASSERT_EQUAL(nweirds, 0);
        shoal_decoder_free(d);
    }
}

/* ---- checksums ---------------------------------------------------------------- */

static void test_checksums(void)
{
    struct shoal_decoder *d = new_dec(101, false);
    uint8_t l4[256], ip[512];
    size_t len, n;
    struct shoal_pkt p;
    static const uint8_t protos[] = {6, 17, 1, 58};

    for (int v = 4; v <= 6; v += 2) {
        for (size_t i = 0; i < SHOAL_ARRAY_SIZE(protos); i++) {
            uint8_t pr = protos[i];
            size_t at;

            if ((pr == 1 && v == 6) || (pr == 58 && v == 4)) {
                continue;
            }
            if (pr == 6) {
                len = mk_tcp(l4, 33);
                at = 16;
            } else if (pr == 17) {
                len = mk_udp(l4, 33);
                at = 6;
            } else {
                memset(l4, 0x5a, 41);
                l4[0] = pr == 1 ? 8 : 128;
                l4[1] = 0;
                len = 41;
                at = 2;
            }
            set_l4_sum(v, v == 4 ? SRC4 : SRC6, v == 4 ? DST4 : DST6, pr, l4, len, at);
            n = v == 4 ? mk_ip4(ip, pr, l4, len, 0, 1, 0) : mk_ip6(ip, pr, l4, len);
            CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
            CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p));
            ip[n - 1] ^= 0x01;
            CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
            CU_ASSERT_FALSE(shoal_l4_checksum_ok(&p));
        }
    }
    /* UDP over IPv4 without a checksum is valid */
    len = mk_udp(l4, 5);
    n = mk_ip4(ip, 17, l4, len, 0, 1, 0);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_TRUE(shoal_l4_checksum_ok(&p));
    /* ... but not over IPv6 */
    n = mk_ip6(ip, 17, l4, len);
    CU_ASSERT_EQUAL(dec(d, ip, n, &p), 1);
    CU_ASSERT_FALSE(shoal_l4_checksum_ok(&p));
    shoal_decoder_free(d);
}

/* ---- frag.c directly ---------------------------------------------------------------- */

static void test_frag_unit(void)
{
    struct shoal_frag *f = shoal_frag_new(1 << 20, 30.0, NULL, NULL);
    struct shoal_frag_key k;
    struct shoal_frag_in in;
    struct shoal_frag_stats st;
    uint8_t hdr[20] = {0x45}, data[64];
    const uint8_t *out;
    uint32_t olen;

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    memset(&k, 0, sizeof(k));
    k.version = 4;
    k.proto = 17;
    memset(&in, 0, sizeof(in));
    memset(data, 0x42, sizeof(data));
    in.hdr = hdr;
    in.hdr_len = 20;
    in.payload = data;
    /* three pieces: [16,32) [0,8) [8,16)+MF, last one [32,40) without MF */
    in.offset = 16, in.len = 16, in.more = true, in.ip_total = 100;
    CU_ASSERT_EQUAL(shoal_frag_add(f, 1.0, &k, &in, &out, &olen), 0);
    in.offset = 0, in.len = 8;
    CU_ASSERT_EQUAL(shoal_frag_add(f, 1.0, &k, &in, &out, &olen), 0);
    in.offset = 32, in.len = 8, in.more = false;
    CU_ASSERT_EQUAL(shoal_frag_add(f, 1.0, &k, &in, &out, &olen), 0);
    /* a covering fragment fills the hole [8,16) only */
    in.offset = 0, in.len = 40, in.more = true;
    CU_ASSERT_EQUAL(shoal_frag_add(f, 1.0, &k, &in, &out, &olen), 1);
    CU_ASSERT_EQUAL(olen, 60);
    CU_ASSERT_EQUAL(shoal_be16(out + 2), 60);
    shoal_frag_stats(f, &st);
    CU_ASSERT_EQUAL(st.held, 0);
    CU_ASSERT_EQUAL(st.mem, 0);
    CU_ASSERT_EQUAL(st.reassembled, 1);
    /* a train left open is freed with the state */
    in.offset = 8;
    CU_ASSERT_EQUAL(shoal_frag_add(f, 2.0, &k, &in, &out, &olen), 0);
    shoal_frag_stats(f, &st);
    CU_ASSERT_EQUAL(st.held, 1);
    CU_ASSERT(st.mem > 0);
    shoal_frag_free(f);
    shoal_frag_free(NULL);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("decode_link", NULL, NULL);
    CU_add_test(s, "ethernet", test_link_ethernet);
    CU_add_test(s, "802.3 snap", test_link_snap);
    CU_add_test(s, "sll, sll2, raw, null, loop, ppp", test_link_others);
    CU_add_test(s, "nflog", test_link_nflog);
    CU_add_test(s, "802.11 and radiotap", test_link_80211);
    CU_add_test(s, "pbb, vn-tag, fddi", test_link_pbb_vntag_fddi);
    CU_add_test(s, "vlan, qinq, mpls, pppoe", test_link_vlan_mpls_pppoe);
    s = CU_add_suite("decode_ip", NULL, NULL);
    CU_add_test(s, "ipv4 options and checksum", test_ip4_options);
    CU_add_test(s, "ipv6 extension headers", test_ip6_ext);
    CU_add_test(s, "ipv6 destination option weirds", test_ip6_dstopt_weirds);
    CU_add_test(s, "ip in ip", test_ip_tunnel);
    CU_add_test(s, "truncation weirds", test_truncation);
    s = CU_add_suite("decode_frag", NULL, NULL);
    CU_add_test(s, "ipv4 orders", test_frag4_orders);
    CU_add_test(s, "ipv4 overlap and duplicate", test_frag4_overlap_dup);
    CU_add_test(s, "ipv4 fragment weirds", test_frag4_weirds);
    CU_add_test(s, "timeout and memory cap", test_frag_timeout_and_cap);
    CU_add_test(s, "ipv6", test_frag6);
    CU_add_test(s, "frag.c", test_frag_unit);
    s = CU_add_suite("decode_cksum", NULL, NULL);
    CU_add_test(s, "tcp udp icmp icmpv6", test_checksums);

    return shoal_cunit_run("test_decode");
}
