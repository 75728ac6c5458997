/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream reassembly for one direction (see reasm.h).  The block list is
 * a sorted singly linked list: in practice it is empty or holds a handful of
 * blocks, since in-order data (the common case) is delivered straight from
 * the packet without being copied.  Only out-of-order data allocates.
 */
#include "engine/reasm.h"

#include <stdlib.h>
#include <string.h>

struct shoal_reasm_block {
    struct shoal_reasm_block *next;
    uint64_t seq;
    uint64_t upper;
    uint8_t *data; /* upper-seq bytes, or NULL for a bare range */
};

void shoal_reasm_init(struct shoal_reasm *r)
{
    memset(r, 0, sizeof(*r));
    r->last_reassem_seq = 1;
    r->trim_seq = 1;
}

static void reasm_block_free(struct shoal_reasm_block *b, struct shoal_reasm_pool *pool)
{
    if (b->data != NULL && pool != NULL) {
        pool->held -= b->upper - b->seq;
    }
    free(b->data);
    free(b);
}

size_t shoal_reasm_nblocks(const struct shoal_reasm *r)
{
    size_t n = 0;

    for (const struct shoal_reasm_block *b = r->blocks; b != NULL; b = b->next) {
        n++;
    }
    return n;
}

uint64_t shoal_reasm_buffered(const struct shoal_reasm *r)
{
    uint64_t n = 0;

    for (const struct shoal_reasm_block *b = r->blocks; b != NULL; b = b->next) {
        if (b->data != NULL) {
            n += b->upper - b->seq;
        }
    }
    return n;
}

void shoal_reasm_clear(struct shoal_reasm *r, struct shoal_reasm_pool *pool)
{
    struct shoal_reasm_block *b = r->blocks;

    while (b != NULL) {
        struct shoal_reasm_block *next = b->next;
        reasm_block_free(b, pool);
        b = next;
    }
    r->blocks = NULL;
}

/* Deliver [seq, upper) of a block (or of the current packet) that starts at
 * or below last_reassem_seq; only the part above it is new. */
static void reasm_deliver(struct shoal_reasm *r, uint64_t seq, uint64_t upper, const uint8_t *data,
                          const struct shoal_reasm_sink *sink)
{
    if (upper <= r->last_reassem_seq) {
        return;
    }
    uint64_t skip = r->last_reassem_seq - seq;
    uint64_t len = upper - r->last_reassem_seq;
    r->last_reassem_seq = upper;
    if (sink->deliver != NULL) {
        sink->deliver(sink->ctx, upper - len, data != NULL ? data + skip : NULL, (size_t)len);
    }
}

/* Deliver queued blocks that are now contiguous with last_reassem_seq. */
static void reasm_drain(struct shoal_reasm *r, const struct shoal_reasm_sink *sink)
{
    while (r->blocks != NULL && r->blocks->seq <= r->last_reassem_seq) {
        struct shoal_reasm_block *b = r->blocks;
        r->blocks = b->next;
        reasm_deliver(r, b->seq, b->upper, b->data, sink);
        reasm_block_free(b, sink->pool);
    }
}

/* May `len` more bytes be held, by this direction (holding `buffered`)
 * and by the node?  A refusal for the node's cap is counted. */
static bool reasm_may_hold(struct shoal_reasm_pool *pool, uint64_t buffered, uint64_t len,
                           uint32_t max_buffer)
{
    if (buffered + len > max_buffer) {
        return false;
    }
    if (pool != NULL && pool->max_held != 0 && pool->held + len > pool->max_held) {
        pool->capped += len;
        return false;
    }
    return true;
}

/* A new block [seq, end) before *pp, holding a copy of `data` when it may
 * (else a bare range); NULL when out of memory. */
static struct shoal_reasm_block *reasm_block_new(uint64_t seq, uint64_t end, const uint8_t *data,
                                                 bool hold, struct shoal_reasm_pool *pool)
{
    struct shoal_reasm_block *b = calloc(1, sizeof(*b));

    if (b == NULL) {
        return NULL;
    }
    b->seq = seq;
    b->upper = end;
    if (data != NULL && hold) {
        b->data = malloc((size_t)(end - seq));
        if (b->data != NULL) {
            memcpy(b->data, data, (size_t)(end - seq));
            if (pool != NULL) {
                pool->held += end - seq;
                if (pool->held > pool->peak) {
                    pool->peak = pool->held;
                }
            }
        }
    }
    return b;
}

/* Insert [seq, upper) keeping the list sorted and non-overlapping: only the
 * parts not covered by existing blocks are added (first data wins).  A
 * bare part right after a bare block extends it. */
static void reasm_insert(struct shoal_reasm *r, uint64_t seq, uint64_t upper, const uint8_t *data,
                         uint32_t max_buffer, struct shoal_reasm_pool *pool)
{
    struct shoal_reasm_block **pp = &r->blocks;
    struct shoal_reasm_block *prev = NULL;
    uint64_t buffered = data != NULL ? shoal_reasm_buffered(r) : 0;
    size_t nblocks = pool != NULL && pool->max_blocks != 0 ? shoal_reasm_nblocks(r) : 0;

    while (seq < upper) {
        while (*pp != NULL && (*pp)->upper <= seq) {
            prev = *pp;
            pp = &(*pp)->next;
        }
        uint64_t end = upper;
        if (*pp != NULL) {
            if ((*pp)->seq <= seq) {
                /* Covered: skip past this block. */
                uint64_t adv = (*pp)->upper - seq;
                if (data != NULL) {
                    data += adv;
                }
                seq = (*pp)->upper;
                continue;
            }
            if ((*pp)->seq < end) {
                end = (*pp)->seq;
            }
        }
        bool hold = data != NULL && reasm_may_hold(pool, buffered, end - seq, max_buffer);
        if (!hold && prev != NULL && prev->data == NULL && prev->upper == seq) {
            prev->upper = end;
        } else if (pool != NULL && pool->max_blocks != 0 && nblocks >= pool->max_blocks) {
            pool->refused++;
            return;
        } else {
            struct shoal_reasm_block *b = reasm_block_new(seq, end, data, hold, pool);
            if (b == NULL) {
                return;
            }
            if (b->data != NULL) {
                buffered += end - seq;
            }
            b->next = *pp;
            *pp = b;
            pp = &b->next;
            prev = b;
            nblocks++;
        }
        if (data != NULL) {
            data += end - seq;
        }
        seq = end;
    }
}

void shoal_reasm_add(struct shoal_reasm *r, uint64_t seq, const uint8_t *data, uint64_t len,
                     uint32_t max_buffer, const struct shoal_reasm_sink *sink)
{
    uint64_t upper = seq + len;

    if (len == 0 || upper <= r->trim_seq) {
        return;
    }
    if (seq < r->trim_seq) {
        uint64_t old = r->trim_seq - seq;
        if (data != NULL) {
            data += old;
        }
        seq += old;
    }
    /* In order (possibly overlapping what was delivered): deliver up to the
     * first held block, let the held bytes win where they overlap (the
     * first data seen wins, as in Zeek), and go on past them. */
    while (seq <= r->last_reassem_seq && seq < upper) {
        uint64_t end = upper;
        if (r->blocks != NULL && r->blocks->seq < end) {
            end = r->blocks->seq;
        }
        reasm_deliver(r, seq, end, data, sink);
        reasm_drain(r, sink);
        if (r->last_reassem_seq >= upper) {
            return;
        }
        if (data != NULL) {
            data += r->last_reassem_seq - seq;
        }
        seq = r->last_reassem_seq;
    }
    if (seq < upper) {
        reasm_insert(r, seq, upper, data, max_buffer, sink->pool);
    }
}

uint64_t shoal_reasm_trim(struct shoal_reasm *r, uint64_t seq, const struct shoal_reasm_sink *sink)
{
    uint64_t missing = 0;

    if (seq <= r->trim_seq) {
        return 0;
    }
    while (r->last_reassem_seq < seq) {
        struct shoal_reasm_block *b = r->blocks;
        uint64_t hole_end = (b != NULL && b->seq < seq) ? b->seq : seq;

        if (hole_end > r->last_reassem_seq) {
            uint64_t gap_seq = r->last_reassem_seq;
            uint64_t gap_len = hole_end - gap_seq;
            r->last_reassem_seq = hole_end;
            missing += gap_len;
            if (sink->gap != NULL) {
                sink->gap(sink->ctx, gap_seq, gap_len);
            }
        }
        if (b == NULL || b->seq >= seq) {
            break;
        }
        reasm_drain(r, sink);
    }
    r->trim_seq = seq;
    return missing;
}
