/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One direction's TCP stream reassembly, in relative sequence space (the
 * first data byte after the SYN is 1), with Zeek's semantics: in-order bytes
 * are delivered at once; out-of-order blocks wait (bounded) for the hole to
 * fill; an ACK beyond the delivered point declares the missing range a gap.
 * Blocks hold payload only when a consumer wants it (`keep_data`); otherwise
 * they are bare ranges, which is all gap accounting needs.
 */
#ifndef SHOAL_REASM_H
#define SHOAL_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shoal_reasm_block;

/*
 * What every direction of a node holds out of order, against the node's
 * caps: at most max_held payload bytes in all (beyond, a segment is kept as
 * a bare range, its bytes a gap for the analyzer), at most max_blocks
 * blocks per direction (beyond, a segment is not recorded at all: the
 * hole it would have filled is declared missing when acknowledged).
 * Adjacent bare ranges are merged, so ordinary loss never fills
 * max_blocks; an attacker's scattered bytes do, and are bounded by it.
 */
struct shoal_reasm_pool {
    uint64_t max_held;   /* 0: no cap but each direction's max_buffer */
    uint32_t max_blocks; /* 0: none */
    uint64_t held;       /* payload bytes held now */
    uint64_t peak;       /* the most ever held at once */
    uint64_t capped;     /* bytes not held because max_held was reached */
    uint64_t refused;    /* segments not recorded because of max_blocks */
    /* Counted by the TCP engine (Zeek's get_gap_stats): ACKs that moved a
     * direction on while both sides were established, and those of them
     * that acknowledged bytes never seen. */
    uint64_t ack_events;
    uint64_t gap_events;
};

/* Sink of a direction's stream: in-order bytes and gaps; `pool` (may be
 * NULL: no node-wide caps) counts what the direction holds. */
struct shoal_reasm_sink {
    void (*deliver)(void *ctx, uint64_t seq, const uint8_t *data, size_t len);
    void (*gap)(void *ctx, uint64_t seq, uint64_t len);
    void *ctx;
    struct shoal_reasm_pool *pool;
};

/* 24 bytes, two per TCP connection: what the blocks hold (their number,
 * their payload bytes) is counted from the list when needed, not stored. */
struct shoal_reasm {
    uint64_t last_reassem_seq;        /* next sequence number to deliver */
    uint64_t trim_seq;                /* everything below was acknowledged */
    struct shoal_reasm_block *blocks; /* sorted, non-overlapping, above last_reassem_seq */
};

/* Start at relative sequence 1. */
void shoal_reasm_init(struct shoal_reasm *r);

/* Free every block (their bytes leave `pool`, which may be NULL).  The
 * struct may be reused after shoal_reasm_init. */
void shoal_reasm_clear(struct shoal_reasm *r, struct shoal_reasm_pool *pool);

/*
 * New segment [seq, seq+len).  Delivers what becomes in order through the
 * sink.  `data` may be NULL (range only).  Out-of-order blocks beyond
 * max_buffer bytes (or the pool's max_held) are kept as bare ranges (their
 * bytes dropped, so a later delivery reports them as a gap to the consumer
 * but not to the counters).
 */
void shoal_reasm_add(struct shoal_reasm *r, uint64_t seq, const uint8_t *data, uint64_t len,
                     uint32_t max_buffer, const struct shoal_reasm_sink *sink);

/*
 * Everything below `seq` is acknowledged: blocks below it are delivered with
 * the holes between them reported as gaps, and the remaining hole up to seq
 * too.  Returns the number of bytes declared missing.
 */
uint64_t shoal_reasm_trim(struct shoal_reasm *r, uint64_t seq, const struct shoal_reasm_sink *sink);

/* Number of blocks waiting, and the payload bytes they hold (walks the
 * list: it is short, and these are asked once per out-of-order segment). */
size_t shoal_reasm_nblocks(const struct shoal_reasm *r);
uint64_t shoal_reasm_buffered(const struct shoal_reasm *r);

/* True if blocks are waiting above a hole. */
static inline bool shoal_reasm_has_blocks(const struct shoal_reasm *r)
{
    return r->blocks != NULL;
}

#endif
