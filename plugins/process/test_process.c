/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the process command's parts that need no shell: the BPF
 * expressions that share a trace among workers (compiled by libpcap and
 * run over frames built here: every frame goes to exactly one worker, the
 * same one in both directions, with or without VLAN tags; what the hash
 * cannot place goes to worker 0; the shares are even), the reading of a
 * progress line, and the children of a run (their output, their exit,
 * their stop).
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cunit_run.h"
#include "process_run.h"
#include "process_split.h"

/* ---- frames ---- */

/* A frame: Ethernet (dlt DLT_EN10MB) with `ntags` tags of the types in
 * `tags`, then `ethertype` and an IPv4 or IPv6 header with the addresses
 * a and b (4 or 16 bytes); DLT_RAW: the IP header alone.  Its length. */
static size_t frame(uint8_t *f, int dlt, const uint16_t *tags, int ntags, uint16_t ethertype,
                    const uint8_t *a, const uint8_t *b, int family)
{
    size_t o = 0;

    if (dlt == DLT_EN10MB) {
        memset(f, 0x02, 12);
        o = 12;
        for (int i = 0; i < ntags; i++) {
            f[o++] = (uint8_t)(tags[i] >> 8);
            f[o++] = (uint8_t)tags[i];
            f[o++] = 0;
            f[o++] = (uint8_t)(i + 1); /* VLAN id */
        }
        f[o++] = (uint8_t)(ethertype >> 8);
        f[o++] = (uint8_t)ethertype;
    }
    if (family == 4) {
        memset(f + o, 0, 20);
        f[o] = 0x45;
        f[o + 9] = 17;
        memcpy(f + o + 12, a, 4);
        memcpy(f + o + 16, b, 4);
        return o + 20 + 8;
    }
    memset(f + o, 0, 40);
    f[o] = 0x60;
    f[o + 6] = 17;
    memcpy(f + o + 8, a, 16);
    memcpy(f + o + 24, b, 16);
    return o + 40 + 8;
}

/* The compiled shares of n workers. */
struct shares {
    unsigned n;
    struct bpf_program prog[PROCESS_SPLIT_MAX];
};

static void shares_compile(struct shares *s, unsigned n, int dlt)
{
    pcap_t *p = pcap_open_dead(dlt, 65535);
    char buf[4096];

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    s->n = n;
    for (unsigned i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(process_split_filter(i, n, dlt, buf, sizeof(buf)), 0);
        if (pcap_compile(p, &s->prog[i], buf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            fprintf(stderr, "\n%s: %s\n", buf, pcap_geterr(p));
            CU_FAIL_FATAL("a share does not compile");
        }
    }
    pcap_close(p);
}

static void shares_free(struct shares *s)
{
    for (unsigned i = 0; i < s->n; i++) {
        pcap_freecode(&s->prog[i]);
    }
}

/* The worker that keeps frame f; -1 when none does, -2 when several do. */
static int share_of(const struct shares *s, const uint8_t *f, size_t len)
{
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len};
    int who = -1;

    for (unsigned i = 0; i < s->n; i++) {
        if (pcap_offline_filter(&s->prog[i], &h, f) != 0) {
            who = who == -1 ? (int)i : -2;
        }
    }
    return who;
}

static void random_addr(uint8_t *a, int family)
{
    for (int i = 0; i < (family == 4 ? 4 : 16); i++) {
        a[i] = (uint8_t)(random() >> 7);
    }
}

/* ---- the split ---- */

/* Every frame, at every tag depth, in both directions: one worker. */
static void check_partition(int dlt, unsigned n)
{
    static const uint16_t tagsets[][2] = {{0x8100, 0x8100}, {0x88a8, 0x8100}, {0x9100, 0x8100}};
    struct shares s;
    uint8_t f1[128], f2[128], a[16], b[16];

    shares_compile(&s, n, dlt);
    for (int k = 0; k < 300; k++) {
        int family = k % 3 == 0 ? 6 : 4;
        int ntags = dlt == DLT_EN10MB ? k % 3 : 0;
        const uint16_t *tags = tagsets[(k / 3) % 3];
        uint16_t et = family == 4 ? 0x0800 : 0x86dd;

        random_addr(a, family);
        random_addr(b, family);
        size_t l1 = frame(f1, dlt, tags, ntags, et, a, b, family);
        size_t l2 = frame(f2, dlt, tags, ntags, et, b, a, family);
        int w1 = share_of(&s, f1, l1);
        int w2 = share_of(&s, f2, l2);
        CU_ASSERT(w1 >= 0);
        CU_ASSERT_EQUAL(w1, w2);
    }
    shares_free(&s);
}

static void test_partition_ethernet(void)
{
    for (unsigned n = 2; n <= 7; n++) {
        check_partition(DLT_EN10MB, n);
    }
    check_partition(DLT_EN10MB, 16);
}

static void test_partition_raw(void)
{
    check_partition(DLT_RAW, 2);
    check_partition(DLT_RAW, 5);
}

/* ARP, MPLS, a third VLAN tag, an unknown type under one tag: worker 0. */
static void test_unplaced(void)
{
    static const uint16_t three[] = {0x88a8, 0x8100, 0x8100};
    uint8_t f[128], a[16] = {10, 0, 0, 1}, b[16] = {10, 0, 0, 2};
    struct shares s;

    for (unsigned n = 2; n <= 4; n++) {
        shares_compile(&s, n, DLT_EN10MB);
        CU_ASSERT_EQUAL(share_of(&s, f, frame(f, DLT_EN10MB, NULL, 0, 0x0806, a, b, 4)), 0);
        CU_ASSERT_EQUAL(share_of(&s, f, frame(f, DLT_EN10MB, NULL, 0, 0x8847, a, b, 4)), 0);
        CU_ASSERT_EQUAL(share_of(&s, f, frame(f, DLT_EN10MB, three, 3, 0x0800, a, b, 4)), 0);
        CU_ASSERT_EQUAL(share_of(&s, f, frame(f, DLT_EN10MB, three, 1, 0x88cc, a, b, 4)), 0);
        shares_free(&s);
    }
}

/* Random address pairs spread evenly: each share within 10% of the mean. */
static void test_balance(void)
{
    static const unsigned ns[] = {2, 3, 4, 8};
    uint8_t f[128], a[16], b[16];
    unsigned count[8];
    struct shares s;
    const int pairs = 8000;

    for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
        shares_compile(&s, ns[t], DLT_EN10MB);
        memset(count, 0, sizeof(count));
        for (int k = 0; k < pairs; k++) {
            int family = k % 4 == 0 ? 6 : 4;
            random_addr(a, family);
            random_addr(b, family);
            int w = share_of(
                &s, f, frame(f, DLT_EN10MB, NULL, 0, family == 4 ? 0x0800 : 0x86dd, a, b, family));
            CU_ASSERT_FATAL(w >= 0);
            count[w]++;
        }
        for (unsigned i = 0; i < ns[t]; i++) {
            double share = (double)count[i] * ns[t] / pairs;
            CU_ASSERT(share > 0.9 && share < 1.1);
        }
        shares_free(&s);
    }
}

static void test_filter_errors(void)
{
    char buf[4096];

    CU_ASSERT_EQUAL(process_split_filter(0, 1, DLT_EN10MB, buf, sizeof(buf)), -EINVAL);
    CU_ASSERT_EQUAL(process_split_filter(2, 2, DLT_EN10MB, buf, sizeof(buf)), -EINVAL);
    CU_ASSERT_EQUAL(process_split_filter(0, PROCESS_SPLIT_MAX + 1, DLT_EN10MB, buf, sizeof(buf)),
                    -EINVAL);
    CU_ASSERT_EQUAL(process_split_filter(0, 2, DLT_EN10MB, buf, 64), -ENOSPC);
    CU_ASSERT_EQUAL(process_split_filter(PROCESS_SPLIT_MAX - 1, PROCESS_SPLIT_MAX, DLT_EN10MB, buf,
                                         sizeof(buf)),
                    0);
    CU_ASSERT_FALSE(process_split_compiles(DLT_EN10MB, "ip and (", buf, sizeof(buf)));
    CU_ASSERT(buf[0] != '\0');
}

static void test_datalink(void)
{
    char path[] = "/tmp/test_process.XXXXXX";
    char err[512];
    int fd = mkstemp(path);
    int dlt = -1;
    pcap_t *p = pcap_open_dead(DLT_RAW, 65535);
    pcap_dumper_t *d;

    CU_ASSERT_FATAL(fd >= 0 && p != NULL);
    close(fd);
    d = pcap_dump_open(p, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    pcap_dump_close(d);
    pcap_close(p);
    CU_ASSERT_EQUAL(process_split_datalink(path, &dlt, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(dlt, DLT_RAW);
    unlink(path);
    CU_ASSERT_EQUAL(process_split_datalink(path, &dlt, err, sizeof(err)), -EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
}

/* ---- progress lines ---- */

static void test_progress(void)
{
    double pct = 0;
    unsigned long long packets = 0;

    CU_ASSERT_TRUE(
        process_parse_progress("/t/a.pcap:  42.5%  12345 packets  3.1 MB/s   ", &pct, &packets));
    CU_ASSERT_DOUBLE_EQUAL(pct, 42.5, 1e-9);
    CU_ASSERT_EQUAL(packets, 12345);
    CU_ASSERT_TRUE(process_parse_progress("a: 100.0%  7 packets  0.0 MB/s", &pct, &packets));
    CU_ASSERT_DOUBLE_EQUAL(pct, 100.0, 1e-9);
    CU_ASSERT_FALSE(
        process_parse_progress("shoal: worker-1: 5 packets, 2 connections", &pct, &packets));
    CU_ASSERT_FALSE(process_parse_progress("eth0: 5 packets  100 pkt/s", &pct, &packets));
    CU_ASSERT_FALSE(process_parse_progress("x: %  5 packets", &pct, &packets));
}

/* ---- children ---- */

static volatile sig_atomic_t no_stop;

static void spawn_sh(struct process_child *c, const char *name, bool service, const char *script)
{
    const char *argv[] = {"sh", "-c", script, NULL};

    CU_ASSERT_EQUAL_FATAL(process_spawn(c, name, service, argv), 0);
}

/* A worker that says something and ends; a service stopped after it.  The
 * worker begins once the service has said "up" (a file it makes after),
 * so a loaded machine cannot stop the service before it speaks. */
static void test_watch_ok(void)
{
    struct process_child c[2];
    char manager[160], worker[320], up[64];

    snprintf(up, sizeof(up), "/tmp/shoal-test-process-up-%d", (int)getpid());
    unlink(up);
    snprintf(manager, sizeof(manager), "echo up; : > %s; exec sleep 30", up);
    snprintf(worker, sizeof(worker),
             "while [ ! -e %s ]; do sleep 0.01; done; "
             "printf '\\rt: 50.0%%%%  10 packets  1 MB/s   '; printf 'a warning\\n'; "
             "printf '\\rt: 100.0%%%%  20 packets  1 MB/s\\n'; echo summary",
             up);
    spawn_sh(&c[0], "manager", true, manager);
    spawn_sh(&c[1], "worker-1", false, worker);
    CU_ASSERT_EQUAL(process_watch(c, 2, NULL, &no_stop), 0);
    CU_ASSERT_EQUAL(c[1].status, 0);
    CU_ASSERT_TRUE(c[1].has_progress);
    CU_ASSERT_EQUAL(c[1].packets, 20);
    CU_ASSERT_EQUAL(c[1].tail_len, strlen("a warning\nsummary\n"));
    CU_ASSERT_NSTRING_EQUAL(c[1].tail, "a warning\nsummary\n", c[1].tail_len);
    CU_ASSERT_EQUAL(process_stop(&c[0], 5), 128 + SIGTERM);
    CU_ASSERT_NSTRING_EQUAL(c[0].tail, "up\n", 3);
    process_child_close(&c[0]);
    process_child_close(&c[1]);
    unlink(up);
}

/* A worker that fails, and a service that exits early: both end the wait. */
static void test_watch_failures(void)
{
    struct process_child c[2];

    spawn_sh(&c[0], "manager", true, "exec sleep 30");
    spawn_sh(&c[1], "worker-1", false, "echo bad trace >&2; exit 3");
    CU_ASSERT_EQUAL(process_watch(c, 2, NULL, &no_stop), -ECHILD);
    CU_ASSERT_EQUAL(c[1].status, 3);
    CU_ASSERT_NSTRING_EQUAL(c[1].tail, "bad trace\n", c[1].tail_len);
    process_stop(&c[0], 5);

    spawn_sh(&c[0], "manager", true, "exit 0");
    spawn_sh(&c[1], "worker-1", false, "exec sleep 30");
    CU_ASSERT_EQUAL(process_watch(c, 2, NULL, &no_stop), -ECHILD);
    CU_ASSERT_EQUAL(c[0].pid, 0);
    CU_ASSERT(c[1].pid > 0);
    CU_ASSERT_EQUAL(process_stop(&c[1], 5), 128 + SIGTERM);
}

/* A stop asked for: the wait returns; a child that ignores SIGTERM is
 * killed after the time-out. */
static void test_watch_stop(void)
{
    volatile sig_atomic_t stop = 1;
    struct process_child c;

    struct timespec t = {0, 300 * 1000 * 1000};

    spawn_sh(&c, "worker-1", false, "trap '' TERM; while :; do sleep 0.05; done");
    CU_ASSERT_EQUAL(process_watch(&c, 1, NULL, &stop), -EINTR);
    nanosleep(&t, NULL); /* time for its trap */
    CU_ASSERT_EQUAL(process_stop(&c, 0.3), 128 + SIGKILL);
    CU_ASSERT_EQUAL(c.pid, 0);
}

/* A program that cannot run: the errno of exec. */
static void test_spawn_fails(void)
{
    const char *argv[] = {"/nonexistent/shoal", "-r", "x", NULL};
    struct process_child c;

    CU_ASSERT_EQUAL(process_spawn(&c, "worker-1", false, argv), -ENOENT);
    CU_ASSERT_EQUAL(c.pid, 0);
    CU_ASSERT_EQUAL(c.status, 127);
    CU_ASSERT_EQUAL(c.fd, -1);
}

/* A long output keeps its last PROCESS_TAIL bytes, whole lines. */
static void test_tail(void)
{
    struct process_child c;

    spawn_sh(&c, "worker-1", false,
             "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done");
    CU_ASSERT_EQUAL(process_watch(&c, 1, NULL, &no_stop), 0);
    CU_ASSERT(c.tail_len <= PROCESS_TAIL);
    CU_ASSERT(c.tail_len > PROCESS_TAIL - 20);
    CU_ASSERT_NSTRING_EQUAL(c.tail + c.tail_len - 10, "line 1999\n", 10);
}

static void test_folders(void)
{
    char base[] = "/tmp/test_process.XXXXXX";
    char deep[256], file[300];
    struct stat st;
    FILE *f;

    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
    snprintf(deep, sizeof(deep), "%s/a/b/c", base);
    CU_ASSERT_EQUAL(process_mkdirs(deep), 0);
    CU_ASSERT_EQUAL(process_mkdirs(deep), 0);
    snprintf(file, sizeof(file), "%s/key", deep);
    f = fopen(file, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    CU_ASSERT_EQUAL(process_rmtree(base), 0);
    CU_ASSERT_NOT_EQUAL(stat(base, &st), 0);
    CU_ASSERT_EQUAL(process_rmtree(base), 0);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    srandom(7);
    s = CU_add_suite("process", NULL, NULL);
    CU_add_test(s, "shares: one worker per frame, both directions, Ethernet",
                test_partition_ethernet);
    CU_add_test(s, "shares: raw IP", test_partition_raw);
    CU_add_test(s, "shares: what the hash cannot place goes to worker 0", test_unplaced);
    CU_add_test(s, "shares: even over random pairs", test_balance);
    CU_add_test(s, "shares: bad arguments", test_filter_errors);
    CU_add_test(s, "the link type of a trace", test_datalink);
    CU_add_test(s, "progress lines", test_progress);
    CU_add_test(s, "children: a run that ends well", test_watch_ok);
    CU_add_test(s, "children: failures", test_watch_failures);
    CU_add_test(s, "children: a stop", test_watch_stop);
    CU_add_test(s, "children: a program that cannot run", test_spawn_fails);
    CU_add_test(s, "children: the tail of a long output", test_tail);
    CU_add_test(s, "folders", test_folders);
    return shoal_cunit_run("test_process");
}
