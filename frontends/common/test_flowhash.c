/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the symmetric flow hash (flowhash.c): symmetry over random
 * IPv4 and IPv6 tuples in each mode, frames built both ways through every
 * encapsulation the decoder follows (VLAN, QinQ, MPLS, PPPoE, cooked and
 * raw links), fragments placed by the 2-tuple, frames it cannot classify,
 * and balance: over 2 to 16 workers the busiest worker holds within 10% of
 * the mean of the sessions and of their bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"
#include "flowhash.h"

/* xorshift64*: a fixed sequence, so a failure repeats. */
static uint64_t rng_state = 0x1234567887654321ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* What a test frame carries. */
struct tf {
    int family;
    uint8_t a[16], b[16];
    uint8_t proto;
    uint16_t pa, pb;
    bool frag_more;       /* IPv4 MF / IPv6 fragment header, offset 0 */
    uint16_t frag_offset; /* in 8-byte units */
    int vlans;            /* VLAN tags (the outer one QinQ when 2) */
    int mpls;             /* MPLS labels */
    bool pppoe;
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The IP packet of t, a to b (or b to a when `rev`), into p; its length. */
static uint32_t tf_ip(const struct tf *t, bool rev, uint8_t *p)
{
    const uint8_t *src = rev ? t->b : t->a;
    const uint8_t *dst = rev ? t->a : t->b;
    uint16_t sp = rev ? t->pb : t->pa;
    uint16_t dp = rev ? t->pa : t->pb;
    bool frag = t->frag_more || t->frag_offset > 0;
    uint32_t l4;

    if (t->family == 4) {
        memset(p, 0, 20);
        p[0] = 0x45;
        p[8] = 64;
        p[9] = t->proto;
        put16(p + 6, (uint16_t)((t->frag_more ? 0x2000 : 0) | t->frag_offset));
        memcpy(p + 12, src, 4);
        memcpy(p + 16, dst, 4);
        l4 = 20;
    } else {
        memset(p, 0, 40);
        p[0] = 0x60;
        p[6] = frag ? 44 : t->proto;
        p[7] = 64;
        memcpy(p + 8, src, 16);
        memcpy(p + 24, dst, 16);
        l4 = 40;
        if (frag) {
            memset(p + 40, 0, 8);
            p[40] = t->proto;
            put16(p + 42, (uint16_t)(t->frag_offset << 3 | (t->frag_more ? 1 : 0)));
            l4 = 48;
        }
    }
    /* A later fragment carries payload bytes where the ports would be. */
    if (t->frag_offset > 0) {
        put16(p + l4, (uint16_t)rng());
        put16(p + l4 + 2, (uint16_t)rng());
    } else {
        put16(p + l4, sp);
        put16(p + l4 + 2, dp);
    }
    memset(p + l4 + 4, 0, 16);
    return l4 + 20;
}

/* The Ethernet frame of t with its tags and labels; its length. */
static uint32_t tf_eth(const struct tf *t, bool rev, uint8_t *f)
{
    uint32_t off = 12;
    uint16_t inner = t->family == 4 ? 0x0800 : 0x86dd;

    memset(f, rev ? 0xbb : 0xaa, 12);
    for (int i = 0; i < t->vlans; i++) {
        put16(f + off, i == 0 && t->vlans > 1 ? 0x88a8 : 0x8100);
        put16(f + off + 2, (uint16_t)(100 + i));
        off += 4;
    }
    if (t->mpls > 0) {
        put16(f + off, 0x8847);
        off += 2;
        for (int i = 0; i < t->mpls; i++) {
            memset(f + off, 0, 4);
            f[off + 1] = (uint8_t)(16 + i);
            f[off + 2] = i == t->mpls - 1 ? 0x01 : 0x00;
            f[off + 3] = 64;
            off += 4;
        }
    } else if (t->pppoe) {
        put16(f + off, 0x8864);
        memset(f + off + 2, 0, 8);
        f[off + 2] = 0x11;
        put16(f + off + 8, t->family == 4 ? 0x0021 : 0x0057);
        off += 10;
    } else {
        put16(f + off, inner);
        off += 2;
    }
    return off + tf_ip(t, rev, f + off);
}

static void tf_random(struct tf *t, int family)
{
    memset(t, 0, sizeof(*t));
    t->family = family;
    for (int i = 0; i < 16; i++) {
        t->a[i] = (uint8_t)rng();
        t->b[i] = (uint8_t)rng();
    }
    if (family == 4) {
        memset(t->a + 4, 0, 12);
        memset(t->b + 4, 0, 12);
    }
    static const uint8_t protos[] = {6, 17, 132, 1, 47};
    t->proto = protos[rng() % sizeof(protos)];
    t->pa = (uint16_t)rng();
    t->pb = (uint16_t)(rng() % 4 == 0 ? t->pa : rng()); /* equal ports too */
    if (rng() % 8 == 0) {
        memcpy(t->b, t->a, 16); /* a host talking to itself */
    }
}

static uint32_t tf_hash(const struct tf *t, bool rev, uint32_t mode)
{
    uint8_t f[256];
    uint32_t len = tf_eth(t, rev, f);
    uint32_t h = 0;

    CU_ASSERT_EQUAL_FATAL(flowhash_frame(FLOWHASH_DLT_EN10MB, f, len, mode, &h), 0);
    return h;
}

static const uint32_t modes[] = {SHOAL_HASH_2TUPLE, SHOAL_HASH_4TUPLE, SHOAL_HASH_5TUPLE};

static void test_symmetry_random(void)
{
    int bad = 0;

    for (int i = 0; i < 20000; i++) {
        struct tf t;
        tf_random(&t, i % 2 == 0 ? 4 : 6);
        t.vlans = (int)(rng() % 3);
        t.mpls = t.vlans == 0 ? (int)(rng() % 3) : 0;
        for (size_t m = 0; m < 3; m++) {
            bad += tf_hash(&t, false, modes[m]) != tf_hash(&t, true, modes[m]);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* The modes see what they should: ports change the 4-tuple's hash, not the
 * 2-tuple's; the protocol only the 5-tuple's. */
static void test_modes(void)
{
    int differ4 = 0, differ5 = 0, same2 = 0, same4 = 0;

    for (int i = 0; i < 1000; i++) {
        struct tf t, u;
        tf_random(&t, 4);
        t.proto = 6;
        u = t;
        u.pa = (uint16_t)(t.pa + 1);
        same2 += tf_hash(&t, false, SHOAL_HASH_2TUPLE) == tf_hash(&u, false, SHOAL_HASH_2TUPLE);
        differ4 += tf_hash(&t, false, SHOAL_HASH_4TUPLE) != tf_hash(&u, false, SHOAL_HASH_4TUPLE);
        u = t;
        u.proto = 17;
        same4 += tf_hash(&t, false, SHOAL_HASH_4TUPLE) == tf_hash(&u, false, SHOAL_HASH_4TUPLE);
        differ5 += tf_hash(&t, false, SHOAL_HASH_5TUPLE) != tf_hash(&u, false, SHOAL_HASH_5TUPLE);
    }
    CU_ASSERT_EQUAL(same2, 1000);
    CU_ASSERT_EQUAL(same4, 1000);
    CU_ASSERT(differ4 >= 999);
    CU_ASSERT(differ5 >= 999);
}

/* Every fragment of a datagram, first or later, in either direction,
 * hashes as the 2-tuple of its addresses, in every mode. */
static void test_fragments(void)
{
    int bad = 0;

    for (int i = 0; i < 4000; i++) {
        struct tf t;
        tf_random(&t, i % 2 == 0 ? 4 : 6);
        t.proto = 17;
        t.vlans = i % 3 == 0 ? 1 : 0;
        struct tf plain = t;
        uint32_t want = tf_hash(&plain, false, SHOAL_HASH_2TUPLE);
        for (size_t m = 0; m < 3; m++) {
            t.frag_more = true;
            t.frag_offset = 0;
            bad += tf_hash(&t, false, modes[m]) != want;
            t.frag_offset = 185;
            bad += tf_hash(&t, true, modes[m]) != want;
            t.frag_more = false;
            bad += tf_hash(&t, false, modes[m]) != want;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* The same flow through every encapsulation hashes the same. */
static void test_encapsulations(void)
{
    uint8_t f[256], raw[256];
    struct tf t;
    uint32_t h, g;

    tf_random(&t, 6);
    t.proto = 6;
    uint32_t want = tf_hash(&t, false, SHOAL_HASH_4TUPLE);
    t.vlans = 1;
    CU_ASSERT_EQUAL(tf_hash(&t, true, SHOAL_HASH_4TUPLE), want);
    t.vlans = 2;
    CU_ASSERT_EQUAL(tf_hash(&t, false, SHOAL_HASH_4TUPLE), want);
    t.mpls = 3;
    CU_ASSERT_EQUAL(tf_hash(&t, true, SHOAL_HASH_4TUPLE), want);
    t.vlans = 0;
    t.mpls = 0;
    t.pppoe = true;
    CU_ASSERT_EQUAL(tf_hash(&t, false, SHOAL_HASH_4TUPLE), want);
    t.pppoe = false;

    uint32_t n = tf_ip(&t, true, raw);
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_RAW, raw, n, SHOAL_HASH_4TUPLE, &h), 0);
    CU_ASSERT_EQUAL(h, want);
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_IPV6, raw, n, SHOAL_HASH_4TUPLE, &h), 0);
    CU_ASSERT_EQUAL(h, want);
    memset(f, 0, 16);
    put16(f + 14, 0x86dd);
    memcpy(f + 16, raw, n);
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_LINUX_SLL, f, n + 16, SHOAL_HASH_4TUPLE, &g), 0);
    CU_ASSERT_EQUAL(g, want);
    memset(f, 0, 20);
    put16(f, 0x86dd);
    memcpy(f + 20, raw, n);
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_LINUX_SLL2, f, n + 20, SHOAL_HASH_4TUPLE, &g), 0);
    CU_ASSERT_EQUAL(g, want);
    memset(f, 0, 4);
    f[0] = 30; /* AF_INET6 of some BSD; the version nibble decides */
    memcpy(f + 4, raw, n);
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_NULL, f, n + 4, SHOAL_HASH_4TUPLE, &g), 0);
    CU_ASSERT_EQUAL(g, want);
}

/* IPv6 extension headers before the transport: the ports are still found. */
static void test_ipv6_ext(void)
{
    uint8_t p[128], q[128];
    struct tf t;
    uint32_t h, g;

    tf_random(&t, 6);
    t.proto = 17;
    uint32_t n = tf_ip(&t, false, p);
    /* insert an 8-byte hop-by-hop header after the fixed header */
    memcpy(q, p, 40);
    q[6] = 0;
    memset(q + 40, 0, 8);
    q[40] = 17;
    memcpy(q + 48, p + 40, n - 40);
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_RAW, p, n, SHOAL_HASH_4TUPLE, &h), 0);
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_RAW, q, n + 8, SHOAL_HASH_4TUPLE, &g), 0);
    CU_ASSERT_EQUAL(h, g);
}

/* Not IP, truncated or unknown: not classified, and nothing read beyond
 * the frame (ASan watches). */
static void test_not_classified(void)
{
    uint8_t f[256];
    struct tf t;
    struct flowhash_key k;
    uint32_t h;

    memset(f, 0, sizeof(f));
    put16(f + 12, 0x0806); /* ARP */
    CU_ASSERT_EQUAL(flowhash_frame(FLOWHASH_DLT_EN10MB, f, 60, SHOAL_HASH_2TUPLE, &h), -1);
    CU_ASSERT_EQUAL(flowhash_frame(147, f, 60, SHOAL_HASH_2TUPLE, &h), -1);
    tf_random(&t, 6);
    t.vlans = 2;
    t.mpls = 2;
    uint32_t n = tf_eth(&t, false, f);
    for (uint32_t len = 0; len < n; len++) {
        uint8_t *copy = malloc(len > 0 ? len : 1);
        memcpy(copy, f, len);
        int rc = flowhash_decode(FLOWHASH_DLT_EN10MB, copy, len, &k);
        /* the addresses end 40 bytes into the IPv6 header */
        CU_ASSERT_EQUAL(rc, len < n - 20 ? -1 : 0);
        free(copy);
    }
}

/* Sessions per worker and their bytes, for n workers. */
static void balance_check(uint32_t mode, uint32_t n)
{
    enum { SESSIONS = 200000 };
    uint64_t sessions[16] = {0}, bytes[16] = {0}, total_bytes = 0;
    uint64_t max_s = 0, max_b = 0;

    for (int i = 0; i < SESSIONS; i++) {
        struct tf t;
        struct flowhash_key k;
        tf_random(&t, i % 10 == 0 ? 6 : 4);
        /* realistic address reuse: clients in a /16, a few hundred servers */
        if (t.family == 4) {
            t.a[0] = 10;
            t.a[1] = 1;
            t.b[2] = (uint8_t)(rng() % 4);
        }
        t.pb = (uint16_t)(mode == SHOAL_HASH_2TUPLE ? t.pb : 443);
        uint8_t f[256];
        uint32_t len = tf_eth(&t, false, f);
        CU_ASSERT_EQUAL_FATAL(flowhash_decode(FLOWHASH_DLT_EN10MB, f, len, &k), 0);
        uint32_t w = flowhash_worker(flowhash_key_hash(&k, mode), n);
        uint64_t b = 200 + rng() % 20000; /* session sizes, a bounded spread */
        sessions[w]++;
        bytes[w] += b;
        total_bytes += b;
    }
    for (uint32_t w = 0; w < n; w++) {
        max_s = sessions[w] > max_s ? sessions[w] : max_s;
        max_b = bytes[w] > max_b ? bytes[w] : max_b;
    }
    double rs = (double)max_s * n / SESSIONS, rb = (double)max_b * n / (double)total_bytes;
    printf("\n  %s over %u workers: busiest/mean sessions %.3f, bytes %.3f",
           flowhash_mode_name(mode), n, rs, rb);
    CU_ASSERT(rs <= 1.10);
    CU_ASSERT(rb <= 1.10);
}

static void test_balance(void)
{
    for (uint32_t n = 2; n <= 16; n++) {
        for (size_t m = 0; m < 3; m++) {
            balance_check(modes[m], n);
        }
    }
}

static void test_worker_range(void)
{
    CU_ASSERT_EQUAL(flowhash_worker(0, 7), 0);
    CU_ASSERT_EQUAL(flowhash_worker(UINT32_MAX, 7), 6);
    CU_ASSERT_EQUAL(flowhash_worker(UINT32_MAX, 1), 0);
    CU_ASSERT_EQUAL(flowhash_mode_parse("4-tuple"), SHOAL_HASH_4TUPLE);
    CU_ASSERT_EQUAL(flowhash_mode_parse("2"), SHOAL_HASH_2TUPLE);
    CU_ASSERT_EQUAL(flowhash_mode_parse("3-tuple"), 0);
    CU_ASSERT_STRING_EQUAL(flowhash_mode_name(SHOAL_HASH_5TUPLE), "5-tuple");
}

static int flowhash_suite(void)
{
    CU_pSuite s = CU_add_suite("flowhash", NULL, NULL);

    if (s == NULL || CU_add_test(s, "symmetry over random tuples", test_symmetry_random) == NULL ||
        CU_add_test(s, "what each mode hashes", test_modes) == NULL ||
        CU_add_test(s, "fragments on the 2-tuple", test_fragments) == NULL ||
        CU_add_test(s, "vlan, qinq, mpls, pppoe, cooked, raw", test_encapsulations) == NULL ||
        CU_add_test(s, "ipv6 extension headers", test_ipv6_ext) == NULL ||
        CU_add_test(s, "not classified, truncated", test_not_classified) == NULL ||
        CU_add_test(s, "worker index and mode names", test_worker_range) == NULL ||
        CU_add_test(s, "balance over 2 to 16 workers", test_balance) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}

int main(void)
{
    int (*const suites[])(void) = {flowhash_suite};

    return shoal_cunit_main("test_flowhash", suites, 1);
}
