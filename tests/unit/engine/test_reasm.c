/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of one direction's TCP stream reassembly (core/engine/reasm.c),
 * driven directly through shoal_reasm_add and shoal_reasm_trim with a sink
 * that records every delivery and gap: in-order data, out-of-order blocks
 * waiting for the hole to fill, overlaps (first data wins), duplicates,
 * trimming across holes (the returned and reported gap lengths), bare
 * ranges without payload (adjacent ones merged), the max_buffer cap on
 * held bytes, and the node-wide pool: its cap on bytes held by every
 * direction together and on blocks per direction, and its count.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "engine/reasm.h"
#include "suites.h"

#define REASM_MAX_EVENTS 32

struct reasm_event {
    bool gap;
    uint64_t seq;
    uint64_t len;
    bool has_data;
    char data[64];
};

struct reasm_rec {
    struct reasm_event ev[REASM_MAX_EVENTS];
    int n;
    char stream[256]; /* delivered bytes in order, '?' for bytes without data */
    size_t slen;
};

static void reasm_on_deliver(void *ctx, uint64_t seq, const uint8_t *data, size_t len)
{
    struct reasm_rec *r = ctx;

    if (r->n < REASM_MAX_EVENTS) {
        struct reasm_event *e = &r->ev[r->n++];
        e->gap = false;
        e->seq = seq;
        e->len = len;
        e->has_data = data != NULL;
        size_t n = len < sizeof(e->data) - 1 ? len : sizeof(e->data) - 1;
        if (data != NULL) {
            memcpy(e->data, data, n);
        }
        e->data[data != NULL ? n : 0] = '\0';
    }
    for (size_t i = 0; i < len && r->slen + 1 < sizeof(r->stream); i++) {
        r->stream[r->slen++] = data != NULL ? (char)data[i] : '?';
    }
    r->stream[r->slen] = '\0';
}

static void reasm_on_gap(void *ctx, uint64_t seq, uint64_t len)
{
    struct reasm_rec *r = ctx;

    if (r->n < REASM_MAX_EVENTS) {
        struct reasm_event *e = &r->ev[r->n++];
        memset(e, 0, sizeof(*e));
        e->gap = true;
        e->seq = seq;
        e->len = len;
    }
}

/* Per-test state: the reassembler, the recorder and the sink over it. */
static struct shoal_reasm reasm_r;
static struct reasm_rec reasm_rec;
static struct shoal_reasm_sink reasm_sink = {reasm_on_deliver, reasm_on_gap, &reasm_rec};

static void reasm_setup(void)
{
    shoal_reasm_init(&reasm_r);
    memset(&reasm_rec, 0, sizeof(reasm_rec));
}

static void reasm_teardown(void)
{
    shoal_reasm_clear(&reasm_r, reasm_sink.pool);
    reasm_sink.pool = NULL;
}

static void reasm_add(uint64_t seq, const char *data, uint32_t max_buffer)
{
    shoal_reasm_add(&reasm_r, seq, (const uint8_t *)data, strlen(data), max_buffer, &reasm_sink);
}

#define BIG (1u << 20)

/* Gaps reported to the sink so far. */
static int reasm_gaps(void)
{
    int n = 0;

    for (int i = 0; i < reasm_rec.n; i++) {
        n += reasm_rec.ev[i].gap;
    }
    return n;
}

/* Event i is a delivery of `data` at `seq`. */
static void reasm_expect_data(int i, uint64_t seq, const char *data)
{
    CU_ASSERT_FATAL(i < reasm_rec.n);
    const struct reasm_event *e = &reasm_rec.ev[i];
    CU_ASSERT(!e->gap);
    CU_ASSERT_EQUAL(e->seq, seq);
    CU_ASSERT_EQUAL(e->len, strlen(data));
    CU_ASSERT(e->has_data);
    CU_ASSERT_STRING_EQUAL(e->data, data);
}

static void reasm_expect_gap(int i, uint64_t seq, uint64_t len)
{
    CU_ASSERT_FATAL(i < reasm_rec.n);
    const struct reasm_event *e = &reasm_rec.ev[i];
    CU_ASSERT(e->gap);
    CU_ASSERT_EQUAL(e->seq, seq);
    CU_ASSERT_EQUAL(e->len, len);
}

static void test_init(void)
{
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 1);
    CU_ASSERT_EQUAL(reasm_r.trim_seq, 1);
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
    CU_ASSERT_EQUAL(reasm_gaps(), 0);
}

static void test_in_order(void)
{
    reasm_add(1, "abc", BIG);
    reasm_add(4, "de", BIG);
    reasm_add(6, "", BIG); /* empty: nothing */
    CU_ASSERT_EQUAL(reasm_rec.n, 2);
    reasm_expect_data(0, 1, "abc");
    reasm_expect_data(1, 4, "de");
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 6);
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0); /* in-order data is never copied */
}

static void test_out_of_order(void)
{
    reasm_add(6, "fg", BIG);
    reasm_add(4, "de", BIG);
    CU_ASSERT_EQUAL(reasm_rec.n, 0);
    CU_ASSERT(shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 2);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 4);
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 1);

    reasm_add(1, "abc", BIG); /* fills the hole: everything flows */
    CU_ASSERT_EQUAL(reasm_rec.n, 3);
    reasm_expect_data(0, 1, "abc");
    reasm_expect_data(1, 4, "de");
    reasm_expect_data(2, 6, "fg");
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "abcdefg");
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 8);
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 0);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
    CU_ASSERT_EQUAL(reasm_gaps(), 0);
}

static void test_partial_fill(void)
{
    /* A segment that fills only part of the hole delivers only itself. */
    reasm_add(8, "hi", BIG);
    reasm_add(1, "abc", BIG);
    CU_ASSERT_EQUAL(reasm_rec.n, 1);
    reasm_expect_data(0, 1, "abc");
    CU_ASSERT(shoal_reasm_has_blocks(&reasm_r));
    reasm_add(4, "defg", BIG);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "abcdefghi");
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 10);
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
}

static void test_overlap_in_order(void)
{
    reasm_add(1, "abcd", BIG);
    reasm_add(3, "XXef", BIG); /* only "ef" (seq 5..6) is new */
    CU_ASSERT_EQUAL(reasm_rec.n, 2);
    reasm_expect_data(0, 1, "abcd");
    reasm_expect_data(1, 5, "ef");
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "abcdef");
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 7);
}

static void test_overlap_out_of_order(void)
{
    reasm_add(5, "efgh", BIG);
    reasm_add(7, "ghij", BIG); /* 7..8 held already: only 9..10 is added */
    reasm_add(4, "de", BIG);   /* 4 is new, 5 is held already */
    CU_ASSERT_EQUAL(reasm_rec.n, 0);
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 3);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 7); /* 4..10, each byte once */
    reasm_add(1, "abcdefghij", BIG);                    /* in order, covering all the held blocks */
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "abcdefghij");
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 11);
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
}

static void test_overlap_spanning_blocks(void)
{
    reasm_add(3, "c", BIG);
    reasm_add(6, "f", BIG);
    reasm_add(2, "XXdeXgh", BIG); /* fills 2, 4..5 and 7..8 around the held bytes */
    CU_ASSERT_EQUAL(reasm_rec.n, 0);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 7);
    reasm_add(1, "a", BIG);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "aXcdefgh");
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 9);
}

static void test_duplicate(void)
{
    reasm_add(1, "abc", BIG);
    reasm_add(1, "abc", BIG);
    CU_ASSERT_EQUAL(reasm_rec.n, 1);
    reasm_add(8, "hi", BIG);
    reasm_add(8, "hi", BIG);
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 1);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 2);
    reasm_add(4, "defg", BIG);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "abcdefghi");
    CU_ASSERT_EQUAL(reasm_rec.n, 3);
}

static void test_trim_in_order(void)
{
    reasm_add(1, "abcde", BIG);
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 6, &reasm_sink), 0);
    CU_ASSERT_EQUAL(reasm_r.trim_seq, 6);
    CU_ASSERT_EQUAL(reasm_gaps(), 0);
    /* Acked already: dropped. */
    reasm_add(3, "cd", BIG);
    CU_ASSERT_EQUAL(reasm_rec.n, 1);
    /* Partly acked: only the new tail. */
    reasm_add(4, "defg", BIG);
    CU_ASSERT_EQUAL(reasm_rec.n, 2);
    reasm_expect_data(1, 6, "fg");
    /* Trimming backwards or to the same point does nothing. */
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 3, &reasm_sink), 0);
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 6, &reasm_sink), 0);
    CU_ASSERT_EQUAL(reasm_r.trim_seq, 6);
}

static void test_trim_across_hole(void)
{
    reasm_add(1, "abc", BIG);
    reasm_add(7, "gh", BIG);
    /* Ack up to 10: [4,7) was never seen, [7,9) is held, [9,10) missing. */
    uint64_t missing = shoal_reasm_trim(&reasm_r, 10, &reasm_sink);
    CU_ASSERT_EQUAL(missing, 4);
    CU_ASSERT_EQUAL(reasm_rec.n, 4);
    reasm_expect_data(0, 1, "abc");
    reasm_expect_gap(1, 4, 3);
    reasm_expect_data(2, 7, "gh");
    reasm_expect_gap(3, 9, 1);
    CU_ASSERT(reasm_gaps() > 0);
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 10);
    CU_ASSERT_EQUAL(reasm_r.trim_seq, 10);
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);

    /* The stream goes on after the gap. */
    reasm_add(10, "jk", BIG);
    reasm_expect_data(4, 10, "jk");
}

static void test_trim_leaves_later_blocks(void)
{
    reasm_add(5, "ef", BIG);
    reasm_add(10, "jk", BIG);
    /* Ack 8: gap [1,5), deliver 5..6, gap [7,8); the block at 10 stays. */
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 8, &reasm_sink), 5);
    CU_ASSERT_EQUAL(reasm_rec.n, 3);
    reasm_expect_gap(0, 1, 4);
    reasm_expect_data(1, 5, "ef");
    reasm_expect_gap(2, 7, 1);
    CU_ASSERT(shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 1);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 2);
    reasm_add(8, "hi", BIG);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "efhijk");
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
}

static void test_trim_nothing_seen(void)
{
    /* A pure gap: the whole acked range is missing. */
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 101, &reasm_sink), 100);
    CU_ASSERT_EQUAL(reasm_rec.n, 1);
    reasm_expect_gap(0, 1, 100);
}

static void test_bare_ranges(void)
{
    shoal_reasm_add(&reasm_r, 4, NULL, 2, BIG, &reasm_sink);
    CU_ASSERT_EQUAL(reasm_rec.n, 0);
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 1);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
    shoal_reasm_add(&reasm_r, 1, NULL, 3, BIG, &reasm_sink);
    CU_ASSERT_EQUAL(reasm_rec.n, 2);
    CU_ASSERT(!reasm_rec.ev[0].has_data);
    CU_ASSERT_EQUAL(reasm_rec.ev[0].seq, 1);
    CU_ASSERT_EQUAL(reasm_rec.ev[0].len, 3);
    CU_ASSERT(!reasm_rec.ev[1].has_data);
    CU_ASSERT_EQUAL(reasm_rec.ev[1].seq, 4);
    CU_ASSERT_EQUAL(reasm_rec.ev[1].len, 2);
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 6);

    /* Gap accounting works the same on bare ranges. */
    shoal_reasm_add(&reasm_r, 9, NULL, 2, BIG, &reasm_sink);
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 12, &reasm_sink), 4);
    CU_ASSERT_EQUAL(reasm_rec.n, 5);
    reasm_expect_gap(2, 6, 3);
    CU_ASSERT(!reasm_rec.ev[3].gap);
    CU_ASSERT(!reasm_rec.ev[3].has_data);
    CU_ASSERT_EQUAL(reasm_rec.ev[3].seq, 9);
    reasm_expect_gap(4, 11, 1);
}

static void test_max_buffer(void)
{
    reasm_add(5, "abcd", 4); /* fits exactly */
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 4);
    reasm_add(9, "efgh", 4); /* over the cap: a bare range */
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 4);
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 2);
    reasm_add(1, "wxyz", 4); /* in order: delivered from the packet */
    CU_ASSERT_EQUAL(reasm_rec.n, 3);
    reasm_expect_data(0, 1, "wxyz");
    reasm_expect_data(1, 5, "abcd");
    CU_ASSERT_FATAL(reasm_rec.n >= 3);
    CU_ASSERT(!reasm_rec.ev[2].gap);
    CU_ASSERT(!reasm_rec.ev[2].has_data); /* its bytes were dropped */
    CU_ASSERT_EQUAL(reasm_rec.ev[2].seq, 9);
    CU_ASSERT_EQUAL(reasm_rec.ev[2].len, 4);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "wxyzabcd????");
    /* Not a gap for the counters. */
    CU_ASSERT_EQUAL(reasm_gaps(), 0);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 13, &reasm_sink), 0);
}

static void test_max_buffer_zero(void)
{
    reasm_add(3, "cd", 0);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 1);
    reasm_add(1, "ab", 0);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "ab??");
}

static void test_clear(void)
{
    reasm_add(5, "ef", BIG);
    reasm_add(10, "jk", BIG);
    shoal_reasm_clear(&reasm_r, NULL);
    CU_ASSERT(!shoal_reasm_has_blocks(&reasm_r));
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 0);
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
    CU_ASSERT_EQUAL(reasm_rec.n, 0);
}

static void test_bare_ranges_merge(void)
{
    /* A lossy bulk transfer nobody reads: one hole, then in-order ranges
     * behind it, which make one block however many there are. */
    for (uint64_t seq = 11; seq < 11 + 100 * 10; seq += 10) {
        shoal_reasm_add(&reasm_r, seq, NULL, 10, BIG, &reasm_sink);
    }
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 1);
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 1011, &reasm_sink), 10);
    CU_ASSERT_EQUAL(reasm_r.last_reassem_seq, 1011);
}

static void test_pool_total_cap(void)
{
    struct shoal_reasm_pool pool = {.max_held = 6};
    struct shoal_reasm other;

    reasm_sink.pool = &pool;
    shoal_reasm_init(&other);
    shoal_reasm_add(&other, 5, (const uint8_t *)"abcd", 4, BIG, &reasm_sink);
    CU_ASSERT_EQUAL(pool.held, 4);
    reasm_add(5, "efgh", BIG); /* 4 + 4 > 6: a bare range, counted */
    CU_ASSERT_EQUAL(shoal_reasm_buffered(&reasm_r), 0);
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 1);
    CU_ASSERT_EQUAL(pool.held, 4);
    CU_ASSERT_EQUAL(pool.capped, 4);
    reasm_add(20, "ij", BIG); /* 4 + 2 fits */
    CU_ASSERT_EQUAL(pool.held, 6);
    CU_ASSERT_EQUAL(pool.peak, 6);
    reasm_add(1, "wxyz", BIG); /* fills the hole: "efgh" comes out bare */
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "wxyz????");
    CU_ASSERT_EQUAL(pool.held, 6);
    shoal_reasm_clear(&other, &pool);
    CU_ASSERT_EQUAL(pool.held, 2);
    reasm_add(9, "0123456789a", BIG); /* fills up to "ij" and past it */
    CU_ASSERT_EQUAL(pool.held, 0);
    CU_ASSERT_EQUAL(pool.peak, 6);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "wxyz????0123456789aij");
}

static void test_pool_block_cap(void)
{
    struct shoal_reasm_pool pool = {.max_blocks = 3};

    reasm_sink.pool = &pool;
    /* Scattered single bytes: three blocks, then refused. */
    reasm_add(3, "a", BIG);
    reasm_add(5, "b", BIG);
    reasm_add(7, "c", BIG);
    reasm_add(9, "d", BIG);
    reasm_add(11, "e", BIG);
    CU_ASSERT_EQUAL(shoal_reasm_nblocks(&reasm_r), 3);
    CU_ASSERT_EQUAL(pool.refused, 2);
    CU_ASSERT_EQUAL(pool.held, 3);
    /* Data inside a held block's span, or filling the hole, still goes. */
    reasm_add(1, "xy", BIG);
    CU_ASSERT_STRING_EQUAL(reasm_rec.stream, "xya");
    CU_ASSERT_EQUAL(pool.held, 2);
    /* What was refused is missing when acknowledged. */
    CU_ASSERT_EQUAL(shoal_reasm_trim(&reasm_r, 12, &reasm_sink), 6); /* 4, 6, 8-11 */
    CU_ASSERT_EQUAL(pool.held, 0);
}

int register_reasm_suite(void)
{
    CU_pSuite s =
        CU_add_suite_with_setup_and_teardown("reasm", NULL, NULL, reasm_setup, reasm_teardown);

    if (s == NULL || CU_add_test(s, "initial state", test_init) == NULL ||
        CU_add_test(s, "in order", test_in_order) == NULL ||
        CU_add_test(s, "out of order, then the hole fills", test_out_of_order) == NULL ||
        CU_add_test(s, "hole filled in two steps", test_partial_fill) == NULL ||
        CU_add_test(s, "overlap with delivered data", test_overlap_in_order) == NULL ||
        CU_add_test(s, "overlap of held blocks", test_overlap_out_of_order) == NULL ||
        CU_add_test(s, "segment spanning held blocks", test_overlap_spanning_blocks) == NULL ||
        CU_add_test(s, "duplicates", test_duplicate) == NULL ||
        CU_add_test(s, "trim of delivered data", test_trim_in_order) == NULL ||
        CU_add_test(s, "trim across a hole reports the gap", test_trim_across_hole) == NULL ||
        CU_add_test(s, "trim keeps blocks above the ack", test_trim_leaves_later_blocks) == NULL ||
        CU_add_test(s, "trim with nothing seen", test_trim_nothing_seen) == NULL ||
        CU_add_test(s, "bare ranges (no data)", test_bare_ranges) == NULL ||
        CU_add_test(s, "max_buffer", test_max_buffer) == NULL ||
        CU_add_test(s, "max_buffer 0", test_max_buffer_zero) == NULL ||
        CU_add_test(s, "clear", test_clear) == NULL ||
        CU_add_test(s, "adjacent bare ranges merge", test_bare_ranges_merge) == NULL ||
        CU_add_test(s, "pool: cap on bytes of all directions", test_pool_total_cap) == NULL ||
        CU_add_test(s, "pool: cap on blocks per direction", test_pool_block_cap) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
