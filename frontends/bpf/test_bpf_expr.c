/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the bpf frontend's share expression (bpf_expr.c), judged
 * by libpcap itself: each worker's expression is compiled for Ethernet
 * (and raw IP) and run with pcap_offline_filter over frames built here.
 * Every frame -- IPv4 and IPv6, TCP, UDP, SCTP, ICMP, GRE, fragments
 * first and later, 0 to 2 VLAN tags, ARP -- must be kept by exactly one
 * worker, the same one in both directions, fragments with their
 * addresses' unfragmented traffic in 2-tuple mode; the sessions spread
 * within 10% of the mean over 2 to 8 workers; bad arguments and a buffer
 * too small are refused.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include "bpf_expr.h"
#include "cunit_run.h"

#define EXPR_MAX (64u << 10)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

struct flow {
    int family;
    uint8_t a[16], b[16];
    uint8_t proto;
    uint16_t pa, pb;
};

/* A frame of flow f (reversed: b to a), with `vlans` tags; `frag`: 0 none,
 * 1 first fragment, 2 a later one.  Returns its length. */
static uint32_t build(const struct flow *f, bool rev, int vlans, int frag, uint8_t *p)
{
    uint32_t off = 12;
    const uint8_t *src = rev ? f->b : f->a, *dst = rev ? f->a : f->b;

    memset(p, 0x11, 12);
    for (int i = 0; i < vlans; i++) {
        put16(p + off, i == 0 && vlans > 1 ? 0x88a8 : 0x8100);
        put16(p + off + 2, (uint16_t)(10 + i));
        off += 4;
    }
    put16(p + off, f->family == 4 ? 0x0800 : 0x86dd);
    off += 2;
    uint8_t *ip = p + off;
    uint32_t l4;
    if (f->family == 4) {
        memset(ip, 0, 20);
        ip[0] = 0x45;
        put16(ip + 2, 60);
        put16(ip + 6, frag == 0 ? 0 : frag == 1 ? 0x2000 : 100);
        ip[8] = 64;
        ip[9] = f->proto;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        l4 = 20;
    } else {
        memset(ip, 0, 40);
        ip[0] = 0x60;
        put16(ip + 4, 40);
        ip[6] = frag ? 44 : f->proto;
        ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
        l4 = 40;
        if (frag) {
            memset(ip + 40, 0, 8);
            ip[40] = f->proto;
            put16(ip + 42, frag == 1 ? 1 : 100 << 3);
            l4 = 48;
        }
    }
    if (frag == 2) {
        put16(ip + l4, (uint16_t)rng());
        put16(ip + l4 + 2, (uint16_t)rng());
    } else {
        put16(ip + l4, rev ? f->pb : f->pa);
        put16(ip + l4 + 2, rev ? f->pa : f->pb);
    }
    memset(ip + l4 + 4, 0, 36);
    return off + l4 + 40;
}

static void random_flow(struct flow *f, int family)
{
    static const uint8_t protos[] = {6, 17, 132, 1, 47};

    memset(f, 0, sizeof(*f));
    f->family = family;
    for (int i = 0; i < (family == 4 ? 4 : 16); i++) {
        f->a[i] = (uint8_t)rng();
        f->b[i] = (uint8_t)rng();
    }
    f->proto = protos[rng() % sizeof(protos)];
    f->pa = (uint16_t)rng();
    f->pb = (uint16_t)(rng() % 3 == 0 ? 443 : rng());
}

/* The n workers' compiled expressions. */
struct workers {
    uint32_t n;
    struct bpf_program prog[8];
};

static void workers_compile(struct workers *w, uint32_t n, uint32_t mode, int dlt, int depth)
{
    char *expr = malloc(EXPR_MAX);
    pcap_t *p = pcap_open_dead(dlt, 65535);

    CU_ASSERT_PTR_NOT_NULL_FATAL(expr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    w->n = n;
    for (uint32_t i = 0; i < n; i++) {
        CU_ASSERT_FATAL(bpf_expr_share(expr, EXPR_MAX, i, n, mode, dlt, depth, NULL) > 0);
        int rc = pcap_compile(p, &w->prog[i], expr, 1, PCAP_NETMASK_UNKNOWN);
        if (rc < 0) {
            fprintf(stderr, "\npcap_compile: %s\n%s\n", pcap_geterr(p), expr);
        }
        CU_ASSERT_EQUAL_FATAL(rc, 0);
    }
    pcap_close(p);
    free(expr);
}

static void workers_free(struct workers *w)
{
    for (uint32_t i = 0; i < w->n; i++) {
        pcap_freecode(&w->prog[i]);
    }
}

/* The worker keeping the frame, -1 if none, -2 if several. */
static int workers_owner(const struct workers *w, const uint8_t *frame, uint32_t len)
{
    struct pcap_pkthdr h = {.caplen = len, .len = len};
    int owner = -1;

    for (uint32_t i = 0; i < w->n; i++) {
        if (pcap_offline_filter(&w->prog[i], &h, frame) != 0) {
            owner = owner == -1 ? (int)i : -2;
        }
    }
    return owner;
}

/* Every frame kept by one worker, the same both ways; in 2-tuple mode the
 * fragments with the flow. */
static void check_partition(uint32_t n, uint32_t mode, int depth)
{
    struct workers w;
    uint8_t f1[256], f2[256];
    int lost = 0, twice = 0, asym = 0, fragsplit = 0;

    workers_compile(&w, n, mode, BPF_EXPR_DLT_EN10MB, depth);
    for (int k = 0; k < 600; k++) {
        struct flow f;
        random_flow(&f, k % 2 ? 6 : 4);
        int vlans = k % (depth + 1);
        int o1 = workers_owner(&w, f1, build(&f, false, vlans, 0, f1));
        int o2 = workers_owner(&w, f2, build(&f, true, vlans, 0, f2));
        lost += o1 == -1;
        twice += o1 == -2;
        asym += o1 != o2;
        int of = workers_owner(&w, f1, build(&f, k % 4 < 2, vlans, 1, f1));
        int ol = workers_owner(&w, f2, build(&f, k % 4 >= 2, vlans, 2, f2));
        lost += (of == -1) + (ol == -1);
        asym += of != ol;
        fragsplit += mode == 2 && of != o1;
    }
    CU_ASSERT_EQUAL(lost, 0);
    CU_ASSERT_EQUAL(twice, 0);
    CU_ASSERT_EQUAL(asym, 0);
    CU_ASSERT_EQUAL(fragsplit, 0);
    /* not IP, and IP under more tags than followed: worker 0 alone */
    memset(f1, 0, 64);
    put16(f1 + 12, 0x0806);
    CU_ASSERT_EQUAL(workers_owner(&w, f1, 60), 0);
    struct flow f;
    random_flow(&f, 4);
    CU_ASSERT_EQUAL(workers_owner(&w, f1, build(&f, false, depth + 1, 0, f1)), 0);
    workers_free(&w);
}

static void test_partition(void)
{
    static const uint32_t modes[] = {2, 4, 5};

    for (uint32_t n = 2; n <= 5; n++) {
        for (size_t m = 0; m < 3; m++) {
            check_partition(n, modes[m], n == 3 ? 0 : 2);
        }
    }
}

/* Sessions between clients of one /16 and a few hundred servers. */
static void test_balance(void)
{
    static const uint32_t modes[] = {2, 4};

    for (uint32_t n = 2; n <= 8; n++) {
        for (size_t m = 0; m < 2; m++) {
            struct workers w;
            uint32_t count[8] = {0};
            uint8_t fr[256];
            const int sessions = 8000;

            workers_compile(&w, n, modes[m], BPF_EXPR_DLT_EN10MB, 1);
            for (int k = 0; k < sessions; k++) {
                struct flow f;
                random_flow(&f, k % 10 == 0 ? 6 : 4);
                f.proto = 6;
                f.a[0] = 10;
                f.a[1] = 7;
                f.b[2] = (uint8_t)(rng() % 2);
                int o = workers_owner(&w, fr, build(&f, k % 2, 0, 0, fr));
                CU_ASSERT_FATAL(o >= 0);
                count[o]++;
            }
            uint32_t max = 0;
            for (uint32_t i = 0; i < n; i++) {
                max = count[i] > max ? count[i] : max;
            }
            double r = (double)max * n / sessions;
            printf("\n  %u-tuple over %u workers: busiest/mean %.3f", modes[m], n, r);
            CU_ASSERT(r <= 1.10);
            workers_free(&w);
        }
    }
}

/* Raw IP: no tags, and the expression compiles for that link type. */
static void test_raw(void)
{
    struct workers w;
    uint8_t fr[256], r1[256], r2[256];
    int bad = 0;

    workers_compile(&w, 3, 4, 12 /* DLT_RAW */, 2);
    for (int k = 0; k < 300; k++) {
        struct flow f;
        random_flow(&f, k % 2 ? 6 : 4);
        uint32_t len = build(&f, false, 0, 0, fr) - 14;
        memcpy(r1, fr + 14, len);
        build(&f, true, 0, 0, fr);
        memcpy(r2, fr + 14, len);
        int o1 = workers_owner(&w, r1, len), o2 = workers_owner(&w, r2, len);
        bad += o1 < 0 || o1 != o2;
    }
    CU_ASSERT_EQUAL(bad, 0);
    workers_free(&w);
}

static void test_args(void)
{
    char buf[EXPR_MAX];
    char small[200];

    CU_ASSERT_EQUAL(bpf_expr_share(buf, sizeof(buf), 0, 1, 2, 1, 0, NULL), -1);
    CU_ASSERT_EQUAL(bpf_expr_share(buf, sizeof(buf), 2, 2, 2, 1, 0, NULL), -1);
    CU_ASSERT_EQUAL(bpf_expr_share(buf, sizeof(buf), 0, 2, 2, 1, BPF_EXPR_MAX_VLAN + 1, NULL), -1);
    CU_ASSERT_EQUAL(bpf_expr_share(small, sizeof(small), 0, 2, 5, 1, 2, NULL), -1);
    CU_ASSERT_FATAL(bpf_expr_share(buf, sizeof(buf), 1, 2, 2, 1, 0, "not port 22") > 0);
    CU_ASSERT_EQUAL(strncmp(buf, "(not port 22) and (", 19), 0);
    CU_ASSERT_PTR_NULL(strstr(buf, "vlan")); /* depth 0 */
    /* the largest: 5-tuple over the deepest tags still fits and compiles */
    int len = bpf_expr_share(buf, sizeof(buf), 0, 16, 5, 1, BPF_EXPR_MAX_VLAN, NULL);
    CU_ASSERT(len > 0);
    printf("\n  5-tuple, %d tags: %d bytes", BPF_EXPR_MAX_VLAN, len);
    pcap_t *p = pcap_open_dead(1, 65535);
    struct bpf_program prog;
    CU_ASSERT_EQUAL(pcap_compile(p, &prog, buf, 1, PCAP_NETMASK_UNKNOWN), 0);
    pcap_freecode(&prog);
    pcap_close(p);
}

static int bpf_expr_suite(void)
{
    CU_pSuite s = CU_add_suite("bpf_expr", NULL, NULL);

    if (s == NULL ||
        CU_add_test(s, "each frame to one worker, both ways", test_partition) == NULL ||
        CU_add_test(s, "raw IP", test_raw) == NULL ||
        CU_add_test(s, "arguments and sizes", test_args) == NULL ||
        CU_add_test(s, "balance over 2 to 8 workers", test_balance) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}

int main(void)
{
    int (*const suites[])(void) = {bpf_expr_suite};

    return shoal_cunit_main("test_bpf_expr", suites, 1);
}
