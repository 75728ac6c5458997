/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The inside of the packet-thread context, shared by the three files of the
 * connection layer and by nothing else (the API is conn.h):
 *
 *   ctx.c       the context: settings, network time, logger, decoder link,
 *               analyzers, stats, weird.log, uids, new/free/advance/flush
 *               and the packet entry (from a decoded packet to its
 *               connection, the per-transport counting);
 *   conn.c      the connection table: key hash, slabs, timer wheel,
 *               creation, eviction and removal, and what every connection
 *               keeps (history letters, counters, the flip);
 *   conn_log.c  conn.log: its columns and the record of an ended connection.
 *
 * Not thread-safe: one context per packet thread.
 */
#ifndef SHOAL_CTX_H
#define SHOAL_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/conn.h"
#include "engine/reasm.h"
#include "engine/weird.h"
#include "lib/netset.h"

#define CONN_WHEEL_HZ 16.0 /* ticks of the timer wheel per second */

struct conn_slab;

/* The connection table (conn.c).  Links are 32-bit indices: 1 + slab
 * number * slab size + position; 0 is none. */
struct conn_table {
    uint32_t *buckets; /* connection indices */
    size_t nbuckets;   /* power of two */

    uint32_t *wheel;
    uint64_t wheel_tick; /* next tick to process */

    uint32_t free_conns;     /* UDP, ICMP and other connections */
    uint32_t free_tcp_conns; /* TCP connections with their state */
    struct conn_slab *slabs;
    uint32_t *slab_order; /* slab numbers by address, for conn_index */
    uint32_t nslabs;
    struct shoal_conn *cur; /* the connection last resolved, and its index */
    uint32_t cur_idx;
};

struct shoal_ctx {
    const struct shoal_config *cfg;
    struct shoal_logger *logger;
    struct shoal_stream *conn_log;
    struct shoal_stream *weird_log;
    struct shoal_netset local;
    struct shoal_analyzers *an;
    struct shoal_tunnels *tun;
    const struct shoal_decoder *dec; /* of the packets given to shoal_ctx_packet */
    double now;
    bool time_set;

    struct conn_table tab;

    uint64_t serial;
    uint64_t uid_seed;
    struct shoal_weird_state weirds; /* which weirds were logged (weird.c) */
    uint8_t likely_tcp[65536 / 8];
    uint8_t likely_udp[65536 / 8];
    struct shoal_conn_stats st;
    struct shoal_reasm_pool reasm;
};

/* ---- the connection table (conn.c) ---- */

/* Are two addresses the same? */
static inline bool conn_addr_eq(const struct shoal_addr *a, const struct shoal_addr *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

/* Allocate the table's buckets and wheel: 0 or -ENOMEM. */
int shoal_conn_table_init(struct shoal_ctx *x);
/* Free what shoal_conn_table_init and the connections took (after a flush). */
void shoal_conn_table_free(struct shoal_ctx *x);

/* The connection of packet p, whose key ports are sp (source) and dp
 * (either direction, unless one_way), its due timers run first as Zeek
 * would have before the packet; NULL if there is none or they ended it.
 * *hash is set to the key's hash, for shoal_conn_new. */
struct shoal_conn *shoal_conn_lookup(struct shoal_ctx *x, const struct shoal_pkt *p, uint16_t sp,
                                     uint16_t dp, bool one_way, uint64_t *hash);

/* A new connection for packet p (originator: its source), evicting the
 * oldest one first at max_conns.  NULL when out of memory. */
struct shoal_conn *shoal_conn_new(struct shoal_ctx *x, const struct shoal_pkt *p, uint64_t hash,
                                  uint16_t sp, uint16_t dp, bool one_way);

/* End c: its TCP and analyzers finish, conn.log gets its record, its
 * memory goes back to the free list. */
void shoal_conn_remove(struct shoal_ctx *x, struct shoal_conn *c);

/* The timer wheel's tick of network time t. */
static inline uint64_t conn_wheel_tick_of(double t)
{
    return t <= 0 ? 0 : (uint64_t)(t * CONN_WHEEL_HZ);
}

/* Process the wheel's whole ticks that passed by network time `now`
 * (called when conn_wheel_tick_of(now) is past tab.wheel_tick). */
void shoal_conn_table_expire(struct shoal_ctx *x, double now);

/* Remove every connection. */
void shoal_conn_table_flush(struct shoal_ctx *x);

/* The extension of c, allocated on first use (NULL if that fails). */
struct shoal_conn_ext *shoal_conn_ext(struct shoal_conn *c);

/* Counter k passes 2^32 by adding n (see conn_counter_add). */
void shoal_conn_counter_carry(struct shoal_conn *c, unsigned k, uint64_t n);

/* Counter k of c (enum shoal_conn_counter), all 64 bits. */
static inline uint64_t conn_counter(const struct shoal_conn *c, unsigned k)
{
    uint64_t hi = c->ext != NULL ? c->ext->hi[k] : 0;

    return hi << 32 | c->count[k];
}

/* Add n to counter k of c: the low word, carrying into the extension. */
static inline void conn_counter_add(struct shoal_conn *c, unsigned k, uint64_t n)
{
    if (n <= UINT32_MAX - c->count[k]) {
        c->count[k] += (uint32_t)n;
    } else {
        shoal_conn_counter_carry(c, k, n);
    }
}

/* ---- conn.log (conn_log.c) ---- */

/* Write c's conn.log record. */
void shoal_conn_log_write(struct shoal_ctx *x, const struct shoal_conn *c);

#endif
