/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the cluster messaging building blocks, one suite per
 * module (the message bodies have theirs in test_wire.c, their codec in
 * test_mpack.c): rendezvous hashing (core/lib/hrw.c: placement
 * moves only what it must as proxies come and go), notice suppression
 * (core/framework/suppress.c: intervals, expiry, the cap) and reliable batches
 * (core/cluster/resend.c: the sender window's memory, spill and drop accounting and
 * its order across a reconnect; the receiver's dedup tracker with
 * duplicates, gaps, epochs and a manager restart) and the sender's journal
 * (core/cluster/journal.c: kill, read back, go on; clean stop; damage).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>

#include "lib/hrw.h"
#include "cluster/journal.h"
#include "cluster/resend.h"
#include "framework/suppress.h"

/* A small deterministic generator (xorshift64*), so runs repeat. */
static uint64_t cluster_rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t cluster_rand(void)
{
    uint64_t x = cluster_rng_state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    cluster_rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* ------------------------------------------------------------------------ */
/* hrw */

#define CLUSTER_NKEYS 10000

static void cluster_owners(uint64_t *keys, const char *const *names, size_t n, const char **owner)
{
    for (size_t k = 0; k < CLUSTER_NKEYS; k++) {
        int i = shoal_hrw_pick(&keys[k], sizeof(keys[k]), names, n);
        CU_ASSERT_FATAL(i >= 0 && (size_t)i < n);
        owner[k] = names[i];
    }
}

static void test_hrw_stability(void)
{
    static uint64_t keys[CLUSTER_NKEYS];
    static const char *o3[CLUSTER_NKEYS], *o2[CLUSTER_NKEYS], *o4[CLUSTER_NKEYS];
    const char *three[] = {"proxy-1", "proxy-2", "proxy-3"};
    const char *two[] = {"proxy-3", "proxy-1"}; /* another order on purpose */
    const char *four[] = {"proxy-1", "proxy-3", "proxy-4", "proxy-5"};
    size_t share[3] = {0}, moved = 0, owned_by_2 = 0, moved_bad = 0, won = 0, moved4 = 0;

    for (size_t k = 0; k < CLUSTER_NKEYS; k++) {
        keys[k] = cluster_rand();
    }
    cluster_owners(keys, three, 3, o3);
    cluster_owners(keys, two, 2, o2);
    cluster_owners(keys, four, 4, o4);

    for (size_t k = 0; k < CLUSTER_NKEYS; k++) {
        for (size_t i = 0; i < 3; i++) {
            share[i] += o3[k] == three[i];
        }
        /* 3 -> 2: only proxy-2's keys move. */
        if (o3[k] != o2[k]) {
            moved++;
            moved_bad += strcmp(o3[k], "proxy-2") != 0;
        }
        owned_by_2 += strcmp(o3[k], "proxy-2") == 0;
        /* 2 -> 4: a key moves only to a new node. */
        if (strcmp(o2[k], o4[k]) != 0) {
            moved4++;
            moved_bad += strcmp(o4[k], "proxy-4") != 0 && strcmp(o4[k], "proxy-5") != 0;
        }
        won += strcmp(o4[k], "proxy-4") == 0 || strcmp(o4[k], "proxy-5") == 0;
    }
    printf("\n    hrw: 3 nodes share %zu/%zu/%zu; 3->2 moved %zu (owned by the lost one %zu);"
           " 2->4 moved %zu (won by the new ones %zu)\n    ",
           share[0], share[1], share[2], moved, owned_by_2, moved4, won);
    CU_ASSERT_EQUAL(moved, owned_by_2);
    CU_ASSERT_EQUAL(moved4, won);
    CU_ASSERT_EQUAL(moved_bad, 0);
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT(share[i] > CLUSTER_NKEYS * 28 / 100 && share[i] < CLUSTER_NKEYS * 39 / 100);
    }
    CU_ASSERT(won > CLUSTER_NKEYS * 44 / 100 && won < CLUSTER_NKEYS * 56 / 100);
}

static void test_hrw_api(void)
{
    const char *names[] = {"a", "b", "c", "d"};
    const char *rev[] = {"d", "c", "b", "a"};
    struct shoal_hrw_node nodes[4];
    size_t agree = 0, agree_rev = 0;

    for (size_t i = 0; i < 4; i++) {
        shoal_hrw_node_init(&nodes[i], names[i]);
    }
    for (int k = 0; k < 1000; k++) {
        char key[32];
        int len = snprintf(key, sizeof(key), "10.0.%d.%d", k / 256, k % 256);
        int a = shoal_hrw_pick(key, (size_t)len, names, 4);
        int b = shoal_hrw_pick_nodes(key, (size_t)len, nodes, 4);
        int c = shoal_hrw_pick(key, (size_t)len, rev, 4);
        agree += a == b;
        agree_rev += a >= 0 && c >= 0 && strcmp(names[a], rev[c]) == 0;
    }
    CU_ASSERT_EQUAL(agree, 1000);
    CU_ASSERT_EQUAL(agree_rev, 1000);
    CU_ASSERT_EQUAL(shoal_hrw_pick("k", 1, names, 0), -ENOENT);
    CU_ASSERT_EQUAL(shoal_hrw_pick_nodes("k", 1, nodes, 0), -ENOENT);
    CU_ASSERT_EQUAL(shoal_hrw_pick("k", 1, names, 1), 0);
    CU_ASSERT_NOT_EQUAL(shoal_hrw_score("k", 1, "a"), shoal_hrw_score("k", 1, "b"));
    CU_ASSERT_EQUAL(shoal_hrw_score("k", 1, "a"), shoal_hrw_score("k", 1, "a"));
}

/* ------------------------------------------------------------------------ */
/* suppress */

static void test_suppress_basic(void)
{
    struct shoal_suppress *t = shoal_suppress_new(100, SHOAL_SUPPRESS_DEFAULT_FOR);
    struct shoal_suppress_stats st;

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    /* First one passes, repeats within the interval are dropped. */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Scan::Port_Scan", "10.0.0.1", 1000, 60));
    CU_ASSERT_TRUE(shoal_suppress_check(t, "Scan::Port_Scan", "10.0.0.1", 1001, 60));
    CU_ASSERT_TRUE(shoal_suppress_check(t, "Scan::Port_Scan", "10.0.0.1", 1059.9, 60));
    /* Another identifier or another note is another notice. */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Scan::Port_Scan", "10.0.0.2", 1002, 60));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Scan::Address_Scan", "10.0.0.1", 1002, 60));
    /* "a" + "bc" is not "ab" + "c". */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "a", "bc", 1002, 60));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "ab", "c", 1002, 60));
    /* A repeat does not extend the interval: at 1000 + 60 it passes again. */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Scan::Port_Scan", "10.0.0.1", 1060, 60));
    CU_ASSERT_TRUE(shoal_suppress_check(t, "Scan::Port_Scan", "10.0.0.1", 1061, 60));
    /* No identifier, or suppress_for 0: never suppressed, never recorded. */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Weird", NULL, 1100, 60));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Weird", NULL, 1100, 60));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Once", "x", 1100, 0));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "Once", "x", 1100, 0));
    /* ... but a repeat with suppress_for 0 of a suppressed one is dropped. */
    CU_ASSERT_TRUE(shoal_suppress_check(t, "Scan::Port_Scan", "10.0.0.1", 1100, 0));
    /* Default interval: one hour. */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "D", "x", 2000, SHOAL_SUPPRESS_DEFAULT));
    CU_ASSERT_TRUE(shoal_suppress_check(t, "D", "x", 2000 + 3599, SHOAL_SUPPRESS_DEFAULT));
    CU_ASSERT_TRUE(shoal_suppress_check(t, "D", "x", 2000 + 3599, NAN));
    shoal_suppress_stats(t, &st);
    CU_ASSERT_EQUAL(st.suppressed, 6);
    CU_ASSERT_EQUAL(st.entries, 1); /* every other entry expired by 5599 */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "D", "x", 2000 + 3600, SHOAL_SUPPRESS_DEFAULT));
    shoal_suppress_stats(t, &st);
    CU_ASSERT_EQUAL(st.recorded, 8);
    CU_ASSERT_EQUAL(st.expired, 7);
    CU_ASSERT_EQUAL(st.evicted, 0);
    CU_ASSERT_EQUAL(shoal_suppress_purge(t, 1e12), 1);
    shoal_suppress_stats(t, &st);
    CU_ASSERT_EQUAL(st.entries, 0);
    shoal_suppress_free(t);
    shoal_suppress_free(NULL);
    CU_ASSERT_PTR_NULL(shoal_suppress_new(0, 3600));
    CU_ASSERT_PTR_NULL(shoal_suppress_new(10, -1));
}

static void test_suppress_cap(void)
{
    struct shoal_suppress *t = shoal_suppress_new(3, 3600);
    struct shoal_suppress_stats st;

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_FALSE(shoal_suppress_check(t, "N", "long", 0, 1000));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "N", "short", 0, 10));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "N", "mid", 0, 100));
    /* Full: the one expiring first ("short") is evicted. */
    CU_ASSERT_FALSE(shoal_suppress_check(t, "N", "new", 1, 500));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "N", "short", 2, 10)); /* evicted: passes */
    /* That evicted "mid" (expiry 100). */
    CU_ASSERT_TRUE(shoal_suppress_check(t, "N", "long", 3, 1000));
    CU_ASSERT_TRUE(shoal_suppress_check(t, "N", "new", 3, 500));
    CU_ASSERT_FALSE(shoal_suppress_check(t, "N", "mid", 3, 100));
    shoal_suppress_stats(t, &st);
    CU_ASSERT_EQUAL(st.evicted, 3);
    CU_ASSERT_EQUAL(st.entries, 3);
    CU_ASSERT_EQUAL(st.suppressed, 2);
    shoal_suppress_free(t);
}

/* Against a brute-force model, with a cap large enough never to evict. */
static void test_suppress_model(void)
{
    enum { NKEYS = 50, STEPS = 20000 };
    struct shoal_suppress *t = shoal_suppress_new(1000, 3600);
    double until[NKEYS];
    double now = 0;
    size_t mismatches = 0, drops = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    for (int i = 0; i < NKEYS; i++) {
        until[i] = -1;
    }
    for (int s = 0; s < STEPS; s++) {
        char id[16];
        int k = (int)(cluster_rand() % NKEYS);
        double dur = (double)(cluster_rand() % 50);
        now += (double)(cluster_rand() % 3);
        snprintf(id, sizeof(id), "id%d", k);
        bool want = now < until[k];
        if (!want && dur > 0) {
            until[k] = now + dur;
        }
        bool got = shoal_suppress_check(t, "Model", id, now, dur);
        if (got != want && mismatches++ == 0) {
            fprintf(stderr, "step %d key %d now %g dur %g: got %d want %d (until %g)\n", s, k, now,
                    dur, got, want, until[k]);
        }
        drops += got;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT(drops > STEPS / 4);
    shoal_suppress_free(t);
}

/* ------------------------------------------------------------------------ */
/* resend window and dedup tracker */

static char cluster_dir[64];

static int cluster_resend_init(void)
{
    strcpy(cluster_dir, "/tmp/shoal-test-cluster-XXXXXX");
    return mkdtemp(cluster_dir) == NULL ? -1 : 0;
}

static int cluster_resend_clean(void)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/dedup.state", cluster_dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/bad.state", cluster_dir);
    unlink(path);
    return rmdir(cluster_dir) == 0 ? 0 : -1;
}

/* Count the files in the test directory (the spill file must be none). */
static int cluster_dir_files(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", cluster_dir);
    return system(cmd) == 0 ? 0 : 1;
}

/* A batch body: 'seq' repeated, `len` bytes. */
static size_t cluster_body(uint64_t seq, uint8_t *buf)
{
    size_t len = 50 + (size_t)(seq % 7) * 10;

    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seq + i);
    }
    return len;
}

struct cluster_walk {
    uint64_t next;
    size_t n;
    size_t bad;
    size_t stop_after;
};

static int cluster_walk_cb(void *ctx, uint64_t seq, const void *buf, size_t len)
{
    struct cluster_walk *w = ctx;
    uint8_t want[200];

    if (seq != w->next || cluster_body(seq, want) != len || memcmp(want, buf, len) != 0) {
        w->bad++;
    }
    w->next = seq + 1;
    w->n++;
    return w->stop_after != 0 && w->n == w->stop_after ? 7 : 0;
}

static void test_resend_memory(void)
{
    struct shoal_resend *w = shoal_resend_new(NULL, 1000, 0);
    struct shoal_resend_stats st;
    uint8_t buf[200];
    size_t len, held = 0;
    uint64_t seq;

    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(shoal_resend_next_seq(w), 1);
    CU_ASSERT_EQUAL(shoal_resend_base(w), 1);
    CU_ASSERT_EQUAL(shoal_resend_add(w, 2, buf, 10), -EINVAL);
    /* Fill memory; past it, with no spill directory, batches are refused
     * and counted, and their sequence number is reused. */
    for (;;) {
        seq = shoal_resend_next_seq(w);
        len = cluster_body(seq, buf);
        int rc = shoal_resend_add(w, seq, buf, len);
        if (rc < 0) {
            CU_ASSERT_EQUAL(rc, -ENOBUFS);
            break;
        }
        held += len;
    }
    CU_ASSERT_EQUAL(shoal_resend_next_seq(w), seq);
    shoal_resend_stats(w, &st);
    CU_ASSERT_EQUAL(st.mem_bytes, held);
    CU_ASSERT(st.mem_bytes <= 1000);
    CU_ASSERT_EQUAL(st.mem_batches, seq - 1);
    CU_ASSERT_EQUAL(st.dropped_batches, 1);
    CU_ASSERT_EQUAL(st.dropped_bytes, len);
    CU_ASSERT_EQUAL(st.spill_batches, 0);

    CU_ASSERT_EQUAL(shoal_resend_ack(w, seq), -EINVAL); /* never sent */
    CU_ASSERT_EQUAL(shoal_resend_ack(w, 3), 0);
    CU_ASSERT_EQUAL(shoal_resend_base(w), 4);
    CU_ASSERT_EQUAL(shoal_resend_ack(w, 2), 0); /* old: no-op */
    CU_ASSERT_EQUAL(shoal_resend_base(w), 4);
    struct cluster_walk walk = {.next = 4};
    CU_ASSERT_EQUAL(shoal_resend_for_each_unacked(w, cluster_walk_cb, &walk), 0);
    CU_ASSERT_EQUAL(walk.n, seq - 4);
    CU_ASSERT_EQUAL(walk.bad, 0);
    /* A callback stops the walk with its value. */
    struct cluster_walk stop = {.next = 4, .stop_after = 2};
    CU_ASSERT_EQUAL(shoal_resend_for_each_unacked(w, cluster_walk_cb, &stop), 7);
    CU_ASSERT_EQUAL(stop.n, 2);
    CU_ASSERT_EQUAL(shoal_resend_ack(w, seq - 1), 0);
    shoal_resend_stats(w, &st);
    CU_ASSERT_EQUAL(st.mem_batches, 0);
    CU_ASSERT_EQUAL(st.mem_bytes, 0);
    CU_ASSERT_EQUAL(st.acked, seq - 1);
    CU_ASSERT_EQUAL(shoal_resend_base(w), seq);
    shoal_resend_free(w);
    shoal_resend_free(NULL);
}

static void test_resend_spill(void)
{
    /* 1000 bytes of memory, 4000 of spill file. */
    struct shoal_resend *w = shoal_resend_new(cluster_dir, 1000, 4000);
    struct shoal_resend_stats st;
    uint8_t buf[200];
    uint64_t produced = 0, dropped = 0, total_bytes = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    /* The manager is away: 100 batches are offered. */
    for (int i = 0; i < 100; i++) {
        uint64_t seq = shoal_resend_next_seq(w);
        size_t len = cluster_body(seq, buf);
        int rc = shoal_resend_add(w, seq, buf, len);
        if (rc == 0) {
            produced++;
            total_bytes += len;
        } else {
            CU_ASSERT_EQUAL(rc, -ENOBUFS);
            dropped++;
        }
    }
    shoal_resend_stats(w, &st);
    printf("\n    resend: held %" PRIu64 " (memory %" PRIu64 " in %" PRIu64 " B, spill %" PRIu64
           " in %" PRIu64 " B file), dropped %" PRIu64 "\n    ",
           produced, st.mem_batches, st.mem_bytes, st.spill_batches, st.spill_file,
           st.dropped_batches);
    CU_ASSERT(st.mem_batches > 0 && st.spill_batches > 0);
    CU_ASSERT_EQUAL(st.mem_batches + st.spill_batches, produced);
    CU_ASSERT_EQUAL(st.mem_bytes + st.spill_bytes, total_bytes);
    CU_ASSERT(st.mem_bytes <= 1000);
    CU_ASSERT(st.spill_file <= 4000);
    CU_ASSERT_EQUAL(st.spill_file, st.spill_bytes + 12 * st.spill_batches);
    CU_ASSERT_EQUAL(st.dropped_batches, dropped);
    CU_ASSERT(dropped > 0);
    CU_ASSERT_EQUAL(st.dropped_batches + produced, 100);
    CU_ASSERT_EQUAL(shoal_resend_next_seq(w), produced + 1);
    /* The spill file has no name in the directory. */
    CU_ASSERT_EQUAL(cluster_dir_files(), 0);

    /* Reconnect: everything comes back in order, twice if asked. */
    for (int pass = 0; pass < 2; pass++) {
        struct cluster_walk walk = {.next = 1};
        CU_ASSERT_EQUAL(shoal_resend_for_each_unacked(w, cluster_walk_cb, &walk), 0);
        CU_ASSERT_EQUAL(walk.n, produced);
        CU_ASSERT_EQUAL(walk.bad, 0);
    }
    /* The manager acknowledges part of it: memory refills from the spill. */
    uint64_t half = produced / 2;
    CU_ASSERT_EQUAL(shoal_resend_ack(w, half), 0);
    CU_ASSERT_EQUAL(shoal_resend_base(w), half + 1);
    shoal_resend_stats(w, &st);
    CU_ASSERT_EQUAL(st.mem_batches + st.spill_batches, produced - half);
    CU_ASSERT(st.mem_bytes <= 1000);
    /* New batches keep order behind what is held; the acknowledged front
     * of the spill file is reclaimed to make room. */
    for (int i = 0; i < 5; i++) {
        uint64_t seq = shoal_resend_next_seq(w);
        size_t len = cluster_body(seq, buf);
        CU_ASSERT_EQUAL(shoal_resend_add(w, seq, buf, len), 0);
        produced++;
    }
    shoal_resend_stats(w, &st);
    CU_ASSERT(st.compactions > 0);
    CU_ASSERT(st.spill_file <= 4000);
    /* Another disconnect: the resend starts at half + 1. */
    struct cluster_walk walk = {.next = half + 1};
    CU_ASSERT_EQUAL(shoal_resend_for_each_unacked(w, cluster_walk_cb, &walk), 0);
    CU_ASSERT_EQUAL(walk.n, produced - half);
    CU_ASSERT_EQUAL(walk.bad, 0);
    /* All acknowledged: nothing held, the spill file is emptied. */
    CU_ASSERT_EQUAL(shoal_resend_ack(w, produced), 0);
    shoal_resend_stats(w, &st);
    CU_ASSERT_EQUAL(st.mem_batches, 0);
    CU_ASSERT_EQUAL(st.spill_batches, 0);
    CU_ASSERT_EQUAL(st.spill_bytes, 0);
    CU_ASSERT_EQUAL(st.spill_file, 0);
    CU_ASSERT_EQUAL(st.acked, produced);
    CU_ASSERT_EQUAL(st.dropped_batches, dropped);
    CU_ASSERT(st.spilled > 0);
    struct cluster_walk none = {.next = produced + 1};
    CU_ASSERT_EQUAL(shoal_resend_for_each_unacked(w, cluster_walk_cb, &none), 0);
    CU_ASSERT_EQUAL(none.n, 0);
    shoal_resend_free(w);
    CU_ASSERT_EQUAL(cluster_dir_files(), 0);

    /* A spill directory that does not exist: the spill fails, counted. */
    w = shoal_resend_new("/nonexistent/shoal", 10, 1000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(shoal_resend_add(w, 1, buf, 5), 0);
    CU_ASSERT(shoal_resend_add(w, 2, buf, 50) < 0);
    shoal_resend_stats(w, &st);
    CU_ASSERT_EQUAL(st.dropped_batches, 1);
    CU_ASSERT_EQUAL(shoal_resend_next_seq(w), 2);
    shoal_resend_free(w);
}

static void test_dedup_basic(void)
{
    struct shoal_dedup *d = shoal_dedup_new(4, 8);

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 0);
    /* In order. */
    for (uint64_t s = 1; s <= 3; s++) {
        CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, s), SHOAL_DEDUP_NEW);
        CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, s), 0);
    }
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 3);
    /* Duplicates. */
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 2), SHOAL_DEDUP_DUP);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 3), SHOAL_DEDUP_DUP);
    /* A gap: 5 and 7 arrive before 4 and 6. */
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 5), SHOAL_DEDUP_NEW);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 5), 0);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 7), SHOAL_DEDUP_NEW);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 7), 0);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 5), SHOAL_DEDUP_DUP);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 3);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 4), SHOAL_DEDUP_NEW);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 4), 0);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 5);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 6), 0);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 7);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 7), SHOAL_DEDUP_DUP);
    /* The pending set is bounded: past 4 out-of-order, refused. */
    for (uint64_t s = 10; s < 14; s++) {
        CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, s), 0);
    }
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 20), -ENOBUFS);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 20), -ENOBUFS);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 12), SHOAL_DEDUP_DUP);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 8), SHOAL_DEDUP_NEW); /* next: fine */
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 8), 0);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 9), 0);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 13);
    /* A base says the sender had everything below acknowledged. */
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 30, 31), SHOAL_DEDUP_NEW);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 29);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 25), SHOAL_DEDUP_DUP);
    /* Senders are independent. */
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w2", 1, 1, 1), SHOAL_DEDUP_NEW);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w2", 1), 0);
    /* A restarted sender (new epoch) starts over; the old epoch is stale. */
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 2, 1, 1), SHOAL_DEDUP_NEW);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 2, 1), 0);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 2), 1);
    CU_ASSERT_EQUAL(shoal_dedup_acked(d, "w1", 1), 0);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 1, 1, 40), -ESTALE);
    CU_ASSERT_EQUAL(shoal_dedup_mark(d, "w1", 1, 40), -ESTALE);
    /* Bad arguments. */
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 2, 1, 0), -EINVAL);
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "w1", 2, 5, 4), -EINVAL);
    /* Too many senders. */
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof(name), "x%d", i);
        CU_ASSERT_EQUAL(shoal_dedup_check(d, name, 1, 1, 1), SHOAL_DEDUP_NEW);
    }
    CU_ASSERT_EQUAL(shoal_dedup_check(d, "one-too-many", 1, 1, 1), -ENOBUFS);
    shoal_dedup_free(d);
    shoal_dedup_free(NULL);
}

static void test_dedup_save_load(void)
{
    struct shoal_dedup *d = shoal_dedup_new(16, 16), *e = shoal_dedup_new(16, 16);
    char path[128], bad[128];
    FILE *f;

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    snprintf(path, sizeof(path), "%s/dedup.state", cluster_dir);
    snprintf(bad, sizeof(bad), "%s/bad.state", cluster_dir);
    CU_ASSERT_EQUAL(shoal_dedup_load(e, path), -ENOENT);
    for (uint64_t s = 1; s <= 5; s++) {
        shoal_dedup_mark(d, "worker-1", 77, s);
    }
    shoal_dedup_mark(d, "worker-1", 77, 8);
    shoal_dedup_mark(d, "worker-1", 77, 10);
    shoal_dedup_mark(d, "proxy-1", 3, 1);
    CU_ASSERT_EQUAL(shoal_dedup_save(d, path), 0);
    CU_ASSERT_EQUAL(shoal_dedup_load(e, path), 0);
    CU_ASSERT_EQUAL(shoal_dedup_acked(e, "worker-1", 77), 5);
    CU_ASSERT_EQUAL(shoal_dedup_acked(e, "proxy-1", 3), 1);
    CU_ASSERT_EQUAL(shoal_dedup_check(e, "worker-1", 77, 1, 8), SHOAL_DEDUP_DUP);
    CU_ASSERT_EQUAL(shoal_dedup_check(e, "worker-1", 77, 1, 10), SHOAL_DEDUP_DUP);
    CU_ASSERT_EQUAL(shoal_dedup_check(e, "worker-1", 77, 1, 9), SHOAL_DEDUP_NEW);
    CU_ASSERT_EQUAL(shoal_dedup_check(e, "worker-1", 77, 1, 6), SHOAL_DEDUP_NEW);

    static const char *const bad_files[] = {
        "",
        "shoal-dedup 2\n",
        "shoal-dedup 1\nw 1 2\n",
        "shoal-dedup 1\nw 1 5 2 9 8\n",       /* not sorted */
        "shoal-dedup 1\nw 1 5 1 6\n",         /* not above contiguous + 1 */
        "shoal-dedup 1\nw 1 5 99 7\n",        /* more than max_pending */
        "shoal-dedup 1\nw 5 10 0\nw 1 0 0\n", /* a sender twice (found by fuzz_spool) */
        "shoal-dedup 1\nw 1 1 0\nw 1 2 0\n",
        /* more senders than the tracker holds (16) */
        "shoal-dedup 1\na 1 1 0\nb 1 1 0\nc 1 1 0\nd 1 1 0\ne 1 1 0\nf 1 1 0\ng 1 1 0\nh 1 1 0\ni "
        "1 1 0\nj 1 1 0\nk 1 1 0\nl 1 1 0\nm 1 1 0\nn 1 1 0\no 1 1 0\np 1 1 0\nq 1 1 0\n",
    };
    for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
        f = fopen(bad, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(bad_files[i], f);
        fclose(f);
        CU_ASSERT_EQUAL(shoal_dedup_load(e, bad), -EBADMSG);
        CU_ASSERT_EQUAL(shoal_dedup_acked(e, "w", 1), 0);
    }
    shoal_dedup_free(d);
    shoal_dedup_free(e);
}

/* A sender and a manager over a lossy link with two manager restarts: every
 * record written exactly once. */
struct cluster_link {
    struct shoal_dedup *mgr;
    uint64_t written[400]; /* times each sequence was written */
    uint64_t epoch;
    bool deliver; /* false while the manager is down */
    size_t sent;
};

static int cluster_link_deliver(struct cluster_link *l, uint64_t seq, uint64_t base)
{
    l->sent++;
    if (!l->deliver) {
        return 0;
    }
    int v = shoal_dedup_check(l->mgr, "worker-1", l->epoch, base, seq);
    if (v == SHOAL_DEDUP_NEW) {
        l->written[seq]++;
        CU_ASSERT_EQUAL(shoal_dedup_mark(l->mgr, "worker-1", l->epoch, seq), 0);
    } else {
        CU_ASSERT_EQUAL(v, SHOAL_DEDUP_DUP);
    }
    return 0;
}

static int cluster_link_cb(void *ctx, uint64_t seq, const void *buf, size_t len)
{
    (void)buf;
    (void)len;
    struct cluster_link *l = ctx;
    return cluster_link_deliver(l, seq, 1);
}

static void test_resend_restart(void)
{
    struct shoal_resend *w = shoal_resend_new(cluster_dir, 600, 1 << 20);
    struct cluster_link l = {.epoch = 5, .deliver = true};
    char path[128];
    uint8_t buf[200];
    uint64_t n = 300;

    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    snprintf(path, sizeof(path), "%s/dedup.state", cluster_dir);
    l.mgr = shoal_dedup_new(64, 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l.mgr);
    for (uint64_t i = 1; i <= n; i++) {
        uint64_t seq = shoal_resend_next_seq(w);
        size_t len = cluster_body(seq, buf);
        CU_ASSERT_EQUAL_FATAL(shoal_resend_add(w, seq, buf, len), 0);
        cluster_link_deliver(&l, seq, shoal_resend_base(w));
        /* Acks arrive every 10 batches, while the manager is up. */
        if (l.deliver && i % 10 == 0) {
            CU_ASSERT_EQUAL(shoal_resend_ack(w, shoal_dedup_acked(l.mgr, "worker-1", l.epoch)), 0);
        }
        /* The manager crashes at 100 and 200 and comes back 20 batches
         * later.  It saved its state with what it had written (the manager
         * saves after each flush of the logs, before acknowledging). */
        if (i == 100 || i == 200) {
            CU_ASSERT_EQUAL(shoal_dedup_save(l.mgr, path), 0);
            shoal_dedup_free(l.mgr);
            l.mgr = NULL;
            l.deliver = false;
        }
        if (i == 120 || i == 220) {
            l.mgr = shoal_dedup_new(64, 8);
            CU_ASSERT_PTR_NOT_NULL_FATAL(l.mgr);
            CU_ASSERT_EQUAL(shoal_dedup_load(l.mgr, path), 0);
            l.deliver = true;
            /* Reconnect: everything unacknowledged is sent again. */
            CU_ASSERT_EQUAL(shoal_resend_for_each_unacked(w, cluster_link_cb, &l), 0);
            CU_ASSERT_EQUAL(shoal_resend_ack(w, shoal_dedup_acked(l.mgr, "worker-1", l.epoch)), 0);
        }
    }
    CU_ASSERT_EQUAL(shoal_resend_for_each_unacked(w, cluster_link_cb, &l), 0);
    size_t once = 0;
    for (uint64_t s = 1; s <= n; s++) {
        once += l.written[s] == 1;
    }
    printf("\n    restart: %" PRIu64 " batches, %zu sends, %zu written exactly once\n    ", n,
           l.sent, once);
    CU_ASSERT_EQUAL(once, n);
    CU_ASSERT_EQUAL(shoal_dedup_acked(l.mgr, "worker-1", l.epoch), n);
    CU_ASSERT_EQUAL(shoal_resend_ack(w, n), 0);
    struct shoal_resend_stats st;
    shoal_resend_stats(w, &st);
    CU_ASSERT_EQUAL(st.dropped_batches, 0);
    CU_ASSERT_EQUAL(st.acked, n);
    CU_ASSERT(st.spilled > 0);
    shoal_dedup_free(l.mgr);
    shoal_resend_free(w);
}

/* ------------------------------------------------------------------------ */
/* the sender's journal */

static void cluster_journal_path(char *path, size_t len)
{
    snprintf(path, len, "%s/log.journal", cluster_dir);
}

/* Seal batches first..last into w and j, as the worker's link does. */
static void cluster_journal_fill(struct shoal_resend *w, struct shoal_journal *j, uint64_t first,
                                 uint64_t last)
{
    uint8_t buf[200];

    for (uint64_t seq = first; seq <= last; seq++) {
        size_t len = cluster_body(seq, buf);
        CU_ASSERT_EQUAL(shoal_resend_add(w, seq, buf, len), 0);
        CU_ASSERT_EQUAL(shoal_journal_append(j, seq, buf, len), 0);
    }
}

static int cluster_journal_restore(void *ctx, uint64_t seq, const void *buf, size_t len)
{
    struct shoal_resend *w = ctx;

    if (shoal_resend_next_seq(w) == 1 && seq != 1) {
        shoal_resend_start_at(w, seq);
    }
    return shoal_resend_add(w, seq, buf, len);
}

static off_t cluster_file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* A node killed with batches unacknowledged: its next start reads them back
 * in order, continues the sequence under the same epoch, and leaves a file
 * of one header once everything is acknowledged, none after a clean stop. */
static void test_journal_kill_and_resume(void)
{
    struct shoal_resend *w = shoal_resend_new(NULL, 1 << 20, 0);
    struct shoal_journal *j;
    struct shoal_journal_info info;
    struct cluster_walk walk = {.next = 5};
    char path[128];

    cluster_journal_path(path, sizeof(path));
    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_walk_cb, &walk, &info), 0); /* none */
    CU_ASSERT_EQUAL(info.epoch, 0);
    CU_ASSERT_FALSE(info.unclean);
    j = shoal_journal_new(path);
    CU_ASSERT_EQUAL_FATAL(shoal_journal_rewrite(j, 42, w), 0);
    cluster_journal_fill(w, j, 1, 10);
    CU_ASSERT_EQUAL(shoal_resend_ack(w, 4), 0);
    CU_ASSERT_EQUAL(shoal_journal_ack(j, 4, w), 0);
    shoal_journal_free(j); /* kill -9: the file stays as it is */
    shoal_resend_free(w);

    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_walk_cb, &walk, &info), 0);
    CU_ASSERT_EQUAL(walk.n, 6);
    CU_ASSERT_EQUAL(walk.bad, 0);
    CU_ASSERT_EQUAL(info.epoch, 42);
    CU_ASSERT_EQUAL(info.batches, 6);
    CU_ASSERT_EQUAL(info.next_seq, 11);
    CU_ASSERT_TRUE(info.unclean);
    CU_ASSERT_FALSE(info.damaged);

    /* The next run: read back into its window, go on with seq 11. */
    w = shoal_resend_new(NULL, 1 << 20, 0);
    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_journal_restore, w, &info), 0);
    CU_ASSERT_EQUAL(shoal_resend_base(w), 5);
    CU_ASSERT_EQUAL(shoal_resend_next_seq(w), 11);
    CU_ASSERT_EQUAL(shoal_resend_start_at(w, 3), -EINVAL); /* not empty any more */
    j = shoal_journal_new(path);
    CU_ASSERT_EQUAL_FATAL(shoal_journal_rewrite(j, info.epoch, w), 0);
    cluster_journal_fill(w, j, 11, 12);
    CU_ASSERT_EQUAL(shoal_resend_ack(w, 12), 0);
    CU_ASSERT_EQUAL(shoal_journal_ack(j, 12, w), 0);
    CU_ASSERT_EQUAL(cluster_file_size(path), 32); /* the window emptied: a header */
    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_walk_cb, &walk, &info), 0);
    CU_ASSERT_EQUAL(info.batches, 0);
    CU_ASSERT_EQUAL(shoal_journal_close(j, w), 0);
    CU_ASSERT_EQUAL(cluster_file_size(path), -1); /* a clean stop with nothing left */
    shoal_resend_free(w);
}

/* A clean stop that gave up waiting keeps what is unacknowledged, marked
 * clean; a record cut short or damaged ends what is read back; a file that
 * is not a journal is refused. */
static void test_journal_stop_and_damage(void)
{
    struct shoal_resend *w = shoal_resend_new(NULL, 1 << 20, 0);
    struct shoal_journal *j;
    struct shoal_journal_info info;
    struct cluster_walk walk = {.next = 1};
    char path[128];
    FILE *f;

    cluster_journal_path(path, sizeof(path));
    j = shoal_journal_new(path);
    CU_ASSERT_EQUAL_FATAL(shoal_journal_rewrite(j, 7, w), 0);
    cluster_journal_fill(w, j, 1, 3);
    CU_ASSERT_EQUAL(shoal_journal_close(j, w), 0);
    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_walk_cb, &walk, &info), 0);
    CU_ASSERT_EQUAL(walk.n, 3);
    CU_ASSERT_EQUAL(walk.bad, 0);
    CU_ASSERT_FALSE(info.unclean);
    CU_ASSERT_FALSE(info.damaged);

    /* Cut into the third batch: two come back. */
    CU_ASSERT_EQUAL(truncate(path, cluster_file_size(path) - 5), 0);
    walk = (struct cluster_walk){.next = 1};
    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_walk_cb, &walk, &info), 0);
    CU_ASSERT_EQUAL(walk.n, 2);
    CU_ASSERT_TRUE(info.damaged);

    /* A flipped byte in the second batch's bytes: one comes back. */
    f = fopen(path, "r+");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    uint8_t one[200];
    fseek(f, 32 + 16 + (long)cluster_body(1, one) + 16 + 3, SEEK_SET); /* into batch 2 */
    fputc(0xff, f);
    fclose(f);
    walk = (struct cluster_walk){.next = 1};
    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_walk_cb, &walk, &info), 0);
    CU_ASSERT_EQUAL(walk.n, 1);
    CU_ASSERT_TRUE(info.damaged);

    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("#separator \\x09\n#path conn\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(shoal_journal_recover(path, cluster_walk_cb, &walk, &info), -EBADMSG);
    unlink(path);
    shoal_resend_free(w);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    CU_pSuite s;
    int status = EXIT_FAILURE;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "test_cluster: CU_initialize_registry: %s\n", CU_get_error_msg());
        return EXIT_FAILURE;
    }
    s = CU_add_suite("hrw", NULL, NULL);
    if (s == NULL || !CU_add_test(s, "stability 3->2->4", test_hrw_stability) ||
        !CU_add_test(s, "api", test_hrw_api)) {
        goto out_registry;
    }
    s = CU_add_suite("suppress", NULL, NULL);
    if (s == NULL || !CU_add_test(s, "intervals and expiry", test_suppress_basic) ||
        !CU_add_test(s, "cap evicts the first to expire", test_suppress_cap) ||
        !CU_add_test(s, "against a model", test_suppress_model)) {
        goto out_registry;
    }
    s = CU_add_suite("resend", cluster_resend_init, cluster_resend_clean);
    if (s == NULL || !CU_add_test(s, "memory window", test_resend_memory) ||
        !CU_add_test(s, "spill, drop, reconnect order", test_resend_spill) ||
        !CU_add_test(s, "dedup duplicates and gaps", test_dedup_basic) ||
        !CU_add_test(s, "dedup save and load", test_dedup_save_load) ||
        !CU_add_test(s, "manager restarts: exactly once", test_resend_restart)) {
        goto out_registry;
    }
    s = CU_add_suite("journal", cluster_resend_init, cluster_resend_clean);
    if (s == NULL || !CU_add_test(s, "kill, read back, go on", test_journal_kill_and_resume) ||
        !CU_add_test(s, "stop, damage, not a journal", test_journal_stop_and_damage)) {
        goto out_registry;
    }
    return shoal_cunit_run("test_cluster");

out_registry:
    CU_cleanup_registry();
    return status;
}
