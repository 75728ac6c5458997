/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table (see conn.h and ctx.h): where connections live, how
 * a packet finds its own, when they expire, and what every connection keeps
 * (history letters, counters, the flip of its roles).
 *
 * Lookup: a power-of-two array of chained buckets indexed by XXH3 of the
 * canonical key (the lower address/port pair first, so both directions of a
 * flow hash alike; one-way ICMP keys keep their direction).
 *
 * Expiry: a timer wheel of WHEEL_SLOTS slots of 1/CONN_WHEEL_HZ s.  Every
 * connection sits in exactly one slot, that of its scheduled time (start +
 * sched_off, rounded down to a float offset: never later than the earliest
 * time anything may happen to it).  Timers are lazy: a connection whose
 * inactivity deadline moves later (every packet) is not moved; when its
 * slot comes up the deadlines are recomputed and it is re-slotted if
 * nothing is due yet.
 *
 * Memory: connections, each with its TCP or datagram state, come from slabs
 * of SLAB_CONNS and go back to free lists; nothing is allocated per packet.
 * Hash chains, slot lists and free lists link 32-bit indices (1 + slab
 * number * SLAB_CONNS + position; 0 is none) rather than pointers: half
 * the bytes.  An index is resolved through the slab table; a pointer is
 * turned back into its index by a binary search over the slabs' addresses,
 * which only wheel insertions of a connection other than the one being
 * processed need.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* XXH3 inlined here (the same hashes): it runs for every packet's lookup
 * and every uid, and the library call cost more than the hash of 38 bytes. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "engine/analyzer.h"
#include "engine/ctx.h"
#include "engine/decode.h"

#define WHEEL_SLOTS 65536u
#define SLAB_SHIFT 12
#define SLAB_CONNS (1u << SLAB_SHIFT)
#define SLAB_MAX ((1u << 31) / SLAB_CONNS) /* indices stay below 2^31 */
#define WHEEL_HEAD 0x80000000u             /* tprev: head of slot (tprev & ~WHEEL_HEAD) */

struct conn_slab {
    char *mem;   /* SLAB_CONNS connections of `each` bytes */
    size_t each; /* sizeof(struct shoal_conn_with_tcp) or _with_dgram */
};

/* ---- history ---- */

/* History letters are stored as 1 + their position in this string. */
static const char hist_letters[] = SHOAL_HISTORY_LETTERS "?";
#define HIST_PER_WORD 12

void shoal_conn_add_history(struct shoal_conn *c, char code)
{
    const char *p = code != '\0' ? strchr(hist_letters, code) : NULL;

    assert(p != NULL);
    if (p == NULL) {
        p = hist_letters + sizeof(hist_letters) - 2; /* '?' */
    }
    if (c->hist_len < SHOAL_HISTORY_MAX) {
        uint64_t v = (uint64_t)(p - hist_letters + 1);
        c->history[c->hist_len / HIST_PER_WORD] |= v << (5 * (c->hist_len % HIST_PER_WORD));
        c->hist_len++;
    }
}

const char *shoal_conn_history(const struct shoal_conn *c, char *buf)
{
    for (unsigned i = 0; i < c->hist_len; i++) {
        unsigned v = (unsigned)(c->history[i / HIST_PER_WORD] >> (5 * (i % HIST_PER_WORD))) & 31;
        buf[i] = hist_letters[v - 1];
    }
    buf[c->hist_len] = '\0';
    return buf;
}

bool shoal_conn_check_history(struct shoal_conn *c, uint16_t mask, char code)
{
    if ((c->hist_seen & mask) == 0) {
        c->hist_seen = (uint16_t)(c->hist_seen | mask);
        shoal_conn_add_history(c, code);
        return false;
    }
    return true;
}

bool shoal_conn_scaled_history(struct shoal_conn *c, char code, struct shoal_hist_scale *s)
{
    uint32_t n = ++s->count;

    while (n >= 10 && n % 10 == 0) {
        n /= 10;
    }
    if (n == 1) {
        shoal_conn_add_history(c, code); /* at 1, 10, 100, ... */
        return true;
    }
    return false;
}

/* ---- key and hash ---- */

struct conn_key {
    uint8_t a[16];
    uint8_t b[16];
    uint16_t pa;
    uint16_t pb;
    uint8_t proto;
    uint8_t one_way;
} __attribute__((packed));

/* memcmp(a, b, 16) as two 64-bit comparisons of big-endian words (the
 * library call was most of a key's cost). */
static inline int conn_addr_cmp(const uint8_t *a, const uint8_t *b)
{
    uint64_t x[2];
    uint64_t y[2];

    memcpy(x, a, 16);
    memcpy(y, b, 16);
    for (int i = 0; i < 2; i++) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        x[i] = __builtin_bswap64(x[i]);
        y[i] = __builtin_bswap64(y[i]);
#endif
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

static uint64_t conn_hash(const struct shoal_addr *src, uint16_t sp, const struct shoal_addr *dst,
                          uint16_t dp, uint8_t proto, bool one_way)
{
    struct conn_key k;
    int cmp = conn_addr_cmp(src->b, dst->b);

    if (one_way || cmp < 0 || (cmp == 0 && sp <= dp)) {
        memcpy(k.a, src->b, 16);
        memcpy(k.b, dst->b, 16);
        k.pa = sp;
        k.pb = dp;
    } else {
        memcpy(k.a, dst->b, 16);
        memcpy(k.b, src->b, 16);
        k.pa = dp;
        k.pb = sp;
    }
    k.proto = proto;
    k.one_way = one_way;
    return XXH3_64bits(&k, sizeof(k));
}

/* The table hash of a connection, from its id (symmetric, so a flip does
 * not change it). */
static uint64_t conn_hash_of(const struct shoal_conn *c)
{
    return conn_hash(&c->id.orig_h, c->id.orig_p, &c->id.resp_h, c->id.resp_p, c->id.proto,
                     c->one_way);
}

/* ---- slabs and indices ---- */

static inline struct shoal_conn *conn_at(const struct shoal_ctx *x, uint32_t idx)
{
    const struct conn_slab *s = &x->tab.slabs[(idx - 1) >> SLAB_SHIFT];

    return (struct shoal_conn *)(s->mem + ((idx - 1) & (SLAB_CONNS - 1)) * s->each);
}

/* The index of c: the last one resolved, or found among the slabs. */
static uint32_t conn_index(struct shoal_ctx *x, const struct shoal_conn *c)
{
    const char *p = (const char *)c;
    uint32_t lo = 0;
    uint32_t hi = x->tab.nslabs;

    if (c == x->tab.cur) {
        return x->tab.cur_idx;
    }
    while (hi - lo > 1) { /* the last slab whose memory starts at or below p */
        uint32_t mid = lo + (hi - lo) / 2;
        if (x->tab.slabs[x->tab.slab_order[mid]].mem <= p) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    uint32_t n = x->tab.slab_order[lo];
    const struct conn_slab *s = &x->tab.slabs[n];
    assert(p >= s->mem && p < s->mem + SLAB_CONNS * s->each);
    return 1 + (n << SLAB_SHIFT) + (uint32_t)((size_t)(p - s->mem) / s->each);
}

/* Remember c as the connection being worked on, so that conn_index finds
 * it without a search (tcp.c and analyzers schedule timers for it). */
static inline struct shoal_conn *conn_current(struct shoal_ctx *x, uint32_t idx)
{
    x->tab.cur = conn_at(x, idx);
    x->tab.cur_idx = idx;
    return x->tab.cur;
}

/* ---- counters ---- */

struct shoal_conn_ext *shoal_conn_ext(struct shoal_conn *c)
{
    if (c->ext == NULL) {
        c->ext = calloc(1, sizeof(*c->ext));
    }
    return c->ext;
}

void shoal_conn_service_add(struct shoal_conn *c, int bit)
{
    uint64_t m = 1ULL << bit;

    if (c->services & m) {
        return;
    }
    if (c->services != 0) {
        struct shoal_conn_ext *e = shoal_conn_ext(c);
        if (e != NULL && e->nsvc == 0) {
            /* The first service: the only bit set until now. */
            e->svc_order[e->nsvc++] = (uint8_t)__builtin_ctzll(c->services);
        }
        if (e != NULL && e->nsvc < SHOAL_CONN_SVC_ORDER) {
            e->svc_order[e->nsvc++] = (uint8_t)bit;
        }
    }
    c->services |= m;
}

void shoal_conn_service_remove(struct shoal_conn *c, int bit)
{
    struct shoal_conn_ext *e = c->ext;

    c->services &= ~(1ULL << bit);
    for (uint8_t i = 0; e != NULL && i < e->nsvc; i++) {
        if (e->svc_order[i] == bit) {
            memmove(&e->svc_order[i], &e->svc_order[i + 1], (size_t)(e->nsvc - i - 1));
            e->nsvc--;
            break;
        }
    }
}

size_t shoal_conn_services(const struct shoal_conn *c, uint8_t bits[64])
{
    uint64_t left = c->services;
    size_t n = 0;

    for (uint8_t i = 0; c->ext != NULL && i < c->ext->nsvc; i++) {
        uint8_t b = c->ext->svc_order[i];
        if (left & (1ULL << b)) {
            bits[n++] = b;
            left &= ~(1ULL << b);
        }
    }
    while (left != 0) {
        int b = __builtin_ctzll(left);
        bits[n++] = (uint8_t)b;
        left &= left - 1;
    }
    return n;
}

/* Counter k passes 2^32 by adding n: carry into the extension (the sum is
 * taken modulo 2^64, as a uint64_t counter's), or stay at UINT32_MAX
 * without one. */
void shoal_conn_counter_carry(struct shoal_conn *c, unsigned k, uint64_t n)
{
    uint64_t v = conn_counter(c, k) + n;
    struct shoal_conn_ext *e = shoal_conn_ext(c);

    if (e == NULL) {
        c->count[k] = UINT32_MAX;
        return;
    }
    e->hi[k] = (uint32_t)(v >> 32);
    c->count[k] = (uint32_t)v;
}

void shoal_conn_add_missed(struct shoal_conn *c, uint64_t n)
{
    conn_counter_add(c, SHOAL_CONN_MISSED_BYTES, n);
}

static void conn_counter_swap(struct shoal_conn *c, unsigned a, unsigned b)
{
    uint32_t t = c->count[a];

    c->count[a] = c->count[b];
    c->count[b] = t;
    if (c->ext != NULL) {
        t = c->ext->hi[a];
        c->ext->hi[a] = c->ext->hi[b];
        c->ext->hi[b] = t;
    }
}

/* ---- timer wheel ---- */

/* When the wheel looks at c. */
static inline double conn_sched(const struct shoal_conn *c)
{
    return c->start + (double)c->sched_off;
}

static void wheel_unlink(struct shoal_ctx *x, struct shoal_conn *c)
{
    if (c->tprev == 0) {
        return;
    }
    if (c->tprev & WHEEL_HEAD) {
        x->tab.wheel[c->tprev & ~WHEEL_HEAD] = c->tnext;
    } else {
        conn_at(x, c->tprev)->tnext = c->tnext;
    }
    if (c->tnext != 0) {
        conn_at(x, c->tnext)->tprev = c->tprev;
    }
    c->tprev = 0;
    c->tnext = 0;
}

/* Put c (index idx) in the slot of `at`, or of the nearest float offset
 * below it. */
static void wheel_insert(struct shoal_ctx *x, struct shoal_conn *c, uint32_t idx, double at)
{
    float off = (float)(at - c->start);

    while (c->start + (double)off > at) {
        off = nextafterf(off, -INFINITY);
    }
    c->sched_off = off;
    uint64_t tick = conn_wheel_tick_of(conn_sched(c));
    if (tick < x->tab.wheel_tick) {
        tick = x->tab.wheel_tick;
    }
    uint32_t slot = (uint32_t)(tick & (WHEEL_SLOTS - 1));
    c->tnext = x->tab.wheel[slot];
    if (c->tnext != 0) {
        conn_at(x, c->tnext)->tprev = idx;
    }
    c->tprev = WHEEL_HEAD | slot;
    x->tab.wheel[slot] = idx;
}

void shoal_conn_schedule(struct shoal_ctx *x, struct shoal_conn *c, double t)
{
    if (c->removed || (c->tprev != 0 && conn_sched(c) <= t)) {
        return;
    }
    wheel_unlink(x, c);
    wheel_insert(x, c, conn_index(x, c), t);
}

static double conn_inactivity_timeout(const struct shoal_ctx *x, const struct shoal_conn *c)
{
    if (c->idle_timeout > 0) {
        return c->idle_timeout;
    }
    switch (c->id.proto) {
    case SHOAL_PROTO_TCP:
        return shoal_conn_tcp(c)->established_timeout ? x->cfg->tcp_inactivity_timeout
                                                      : x->cfg->udp_inactivity_timeout;
    case SHOAL_PROTO_UDP:
        return x->cfg->udp_inactivity_timeout;
    case SHOAL_PROTO_ICMP:
    case SHOAL_PROTO_ICMP6:
        return x->cfg->icmp_inactivity_timeout;
    default:
        return x->cfg->other_inactivity_timeout;
    }
}

static double conn_next_deadline(const struct shoal_ctx *x, const struct shoal_conn *c)
{
    double t = c->last + conn_inactivity_timeout(x, c);

    if (c->id.proto == SHOAL_PROTO_TCP) {
        double tt = shoal_tcp_next_timer(c);
        if (tt > 0 && tt < t) {
            t = tt;
        }
    }
    return t;
}

/* ---- allocation ---- */

/* Add a slab of SLAB_CONNS free connections to the pool of TCP connections
 * (each with its TCP state) or to the pool of the others (each with its
 * datagram state).  0 or -ENOMEM. */
static int conn_grow_pool(struct shoal_ctx *x, bool tcp)
{
    size_t each = tcp ? sizeof(struct shoal_conn_with_tcp) : sizeof(struct shoal_conn_with_dgram);
    uint32_t *list = tcp ? &x->tab.free_tcp_conns : &x->tab.free_conns;
    uint32_t n = x->tab.nslabs;

    if (n >= SLAB_MAX) {
        return -ENOMEM;
    }
    struct conn_slab *slabs = realloc(x->tab.slabs, (n + 1) * sizeof(*slabs));
    if (slabs == NULL) {
        return -ENOMEM;
    }
    x->tab.slabs = slabs;
    uint32_t *order = realloc(x->tab.slab_order, (n + 1) * sizeof(*order));
    if (order == NULL) {
        return -ENOMEM;
    }
    x->tab.slab_order = order;
    /* Cache-line aligned: every datagram connection (192 bytes) has its
     * key and chain link in one line; SLAB_CONNS * each is a multiple of 64. */
    char *mem = aligned_alloc(64, SLAB_CONNS * each);
    if (mem == NULL) {
        return -ENOMEM;
    }
    slabs[n].mem = mem;
    slabs[n].each = each;
    uint32_t pos = n;
    while (pos > 0 && slabs[order[pos - 1]].mem > mem) {
        order[pos] = order[pos - 1];
        pos--;
    }
    order[pos] = n;
    x->tab.nslabs = n + 1;
    for (uint32_t i = SLAB_CONNS; i-- > 0;) {
        uint32_t idx = 1 + (n << SLAB_SHIFT) + i;
        conn_at(x, idx)->hnext = *list;
        *list = idx;
    }
    return 0;
}

static int conn_rehash(struct shoal_ctx *x, size_t nb)
{
    uint32_t *b = calloc(nb, sizeof(*b));

    if (b == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < x->tab.nbuckets; i++) {
        uint32_t idx = x->tab.buckets[i];
        while (idx != 0) {
            struct shoal_conn *c = conn_at(x, idx);
            uint32_t next = c->hnext;
            size_t j = conn_hash_of(c) & (nb - 1);
            c->hnext = b[j];
            b[j] = idx;
            idx = next;
        }
    }
    free(x->tab.buckets);
    x->tab.buckets = b;
    x->tab.nbuckets = nb;
    return 0;
}

/* ---- creation, flip, removal ---- */

void shoal_conn_flip(struct shoal_ctx *x, struct shoal_conn *c)
{
    struct shoal_addr ta = c->id.orig_h;
    uint16_t tp = c->id.orig_p;
    (void)x;

    c->id.orig_h = c->id.resp_h;
    c->id.resp_h = ta;
    c->id.orig_p = c->id.resp_p;
    c->id.resp_p = tp;
    conn_counter_swap(c, SHOAL_CONN_ORIG_PKTS, SHOAL_CONN_RESP_PKTS);
    conn_counter_swap(c, SHOAL_CONN_ORIG_IP_BYTES, SHOAL_CONN_RESP_IP_BYTES);
    if (c->id.proto == SHOAL_PROTO_TCP) {
        struct shoal_tcp *t = shoal_conn_tcp(c);
        struct shoal_tcp_endpoint tmp = t->orig;
        t->orig = t->resp;
        t->resp = tmp;
        t->first_packet_seen =
            (uint8_t)(((t->first_packet_seen & 1) ? 2 : 0) | ((t->first_packet_seen & 2) ? 1 : 0));
        t->is_partial = false;
    } else if (c->id.proto == SHOAL_PROTO_UDP) {
        struct shoal_dgram *d = shoal_conn_dgram(c);
        int64_t l = d->orig_len;
        d->orig_len = d->resp_len;
        d->resp_len = l;
    }
    shoal_conn_add_history(c, '^');
}

void shoal_conn_remove(struct shoal_ctx *x, struct shoal_conn *c)
{
    uint32_t *pp = &x->tab.buckets[conn_hash_of(c) & (x->tab.nbuckets - 1)];
    uint32_t idx = 0;

    while (*pp != 0 && conn_at(x, *pp) != c) {
        pp = &conn_at(x, *pp)->hnext;
    }
    if (*pp != 0) {
        idx = *pp;
        *pp = c->hnext;
    } else {
        idx = conn_index(x, c);
    }
    wheel_unlink(x, c);
    c->removed = true;
    if (c->id.proto == SHOAL_PROTO_TCP) {
        shoal_tcp_done(x, c);
    }
    shoal_an_conn_done(x, c);
    shoal_conn_log_write(x, c);
    if (c->tun.carrier != SHOAL_TUNNEL_NONE) {
        shoal_tunnel_conn_done(x, c);
    }
    free(c->ext);
    c->ext = NULL;
    if (c->id.proto == SHOAL_PROTO_TCP) {
        shoal_tcp_free(x, shoal_conn_tcp(c));
        c->hnext = x->tab.free_tcp_conns;
        x->tab.free_tcp_conns = idx;
    } else {
        c->hnext = x->tab.free_conns;
        x->tab.free_conns = idx;
    }
    if (x->tab.cur == c) {
        x->tab.cur = NULL;
    }
    x->st.conns_current--;
    x->st.proto_current[shoal_conn_proto_slot(c->id.proto)]--;
}

/* Evict the connection the wheel would look at first. */
static void conn_evict_one(struct shoal_ctx *x)
{
    for (uint64_t i = 0; i < WHEEL_SLOTS; i++) {
        uint32_t idx = x->tab.wheel[(x->tab.wheel_tick + i) & (WHEEL_SLOTS - 1)];
        if (idx != 0) {
            x->st.conns_evicted++;
            shoal_conn_remove(x, conn_at(x, idx));
            return;
        }
    }
}

struct shoal_conn *shoal_conn_new(struct shoal_ctx *x, const struct shoal_pkt *p, uint64_t hash,
                                  uint16_t sp, uint16_t dp, bool one_way)
{
    struct shoal_conn *c;

    if (x->st.conns_current >= x->cfg->max_conns) {
        conn_evict_one(x);
    }
    bool tcp = p->proto == SHOAL_PROTO_TCP;
    uint32_t *pool = tcp ? &x->tab.free_tcp_conns : &x->tab.free_conns;
    if (*pool == 0 && conn_grow_pool(x, tcp) < 0) {
        return NULL;
    }
    if (x->st.conns_current + 1 > x->tab.nbuckets && x->tab.nbuckets < (1u << 26)) {
        conn_rehash(x, x->tab.nbuckets * 2);
    }
    uint32_t idx = *pool;
    c = conn_current(x, idx);
    *pool = c->hnext;
    memset(c, 0, tcp ? sizeof(struct shoal_conn_with_tcp) : sizeof(struct shoal_conn_with_dgram));
    c->id.orig_h = p->src;
    c->id.resp_h = p->dst;
    c->id.orig_p = sp;
    c->id.resp_p = dp;
    c->id.proto = p->proto;
    c->one_way = one_way;
    c->serial = ++x->serial;
    c->start = c->last = p->ts;
    c->vlan = p->vlan;
    c->inner_vlan = p->inner_vlan;
    if (!tcp) {
        shoal_conn_dgram(c)->orig_len = shoal_conn_dgram(c)->resp_len = -1;
    }
    size_t b = hash & (x->tab.nbuckets - 1);
    c->hnext = x->tab.buckets[b];
    x->tab.buckets[b] = idx;
    x->st.conns_total++;
    x->st.conns_current++;
    x->st.proto_total[shoal_conn_proto_slot(p->proto)]++;
    x->st.proto_current[shoal_conn_proto_slot(p->proto)]++;
    wheel_insert(x, c, idx, p->ts + conn_inactivity_timeout(x, c));
    return c;
}

/* Look at a connection (index idx) whose slot came up: remove it or
 * re-slot it. */
static void conn_timer_fire(struct shoal_ctx *x, struct shoal_conn *c, uint32_t idx, double now)
{
    if (c->id.proto == SHOAL_PROTO_TCP && shoal_tcp_timers(x, c, now)) {
        shoal_conn_remove(x, c);
        return;
    }
    if (c->last + conn_inactivity_timeout(x, c) <= now) {
        shoal_conn_remove(x, c);
        return;
    }
    wheel_insert(x, c, idx, conn_next_deadline(x, c));
}

/* A connection (index idx) a packet found: run its timers first if any is
 * due, as Zeek would have before the packet.  Returns NULL if that ended
 * it. */
static struct shoal_conn *conn_due(struct shoal_ctx *x, struct shoal_conn *c, uint32_t idx,
                                   double now)
{
    if (conn_sched(c) > now) {
        return c;
    }
    wheel_unlink(x, c);
    conn_timer_fire(x, c, idx, now);
    /* A removed connection sits on the free list untouched until reused. */
    return c->removed ? NULL : c;
}

void shoal_conn_table_flush(struct shoal_ctx *x)
{
    for (size_t i = 0; i < x->tab.nbuckets; i++) {
        while (x->tab.buckets[i] != 0) {
            shoal_conn_remove(x, conn_at(x, x->tab.buckets[i]));
        }
    }
}

struct shoal_conn *shoal_conn_lookup(struct shoal_ctx *x, const struct shoal_pkt *p, uint16_t sp,
                                     uint16_t dp, bool one_way, uint64_t *hash)
{
    struct shoal_conn *c = NULL;

    *hash = conn_hash(&p->src, sp, &p->dst, dp, p->proto, one_way);
    uint32_t idx = x->tab.buckets[*hash & (x->tab.nbuckets - 1)];
    for (; idx != 0; idx = c->hnext) {
        c = conn_at(x, idx);
        if (c->id.proto != p->proto || c->one_way != one_way) {
            continue;
        }
        if (conn_addr_eq(&c->id.orig_h, &p->src) && c->id.orig_p == sp &&
            conn_addr_eq(&c->id.resp_h, &p->dst) && c->id.resp_p == dp) {
            break;
        }
        if (!one_way && conn_addr_eq(&c->id.orig_h, &p->dst) && c->id.orig_p == dp &&
            conn_addr_eq(&c->id.resp_h, &p->src) && c->id.resp_p == sp) {
            break;
        }
    }
    if (idx == 0) {
        return NULL;
    }
    return conn_due(x, conn_current(x, idx), idx, p->ts);
}

/* The due connections after the one being fired are long out of the
 * cache (made a timeout ago; only the line that showed them due was
 * read): while this one's end is written, fetch what firing the next two
 * reads first, a step further for the second: the next one's attachments
 * and bucket, the one after's record.  idx: the next one, 0: none.
 * (Measured on make bench's flow-dense trace: 4% of the run.) */
static void conn_prefetch_due(const struct shoal_ctx *x, uint32_t idx)
{
    const struct shoal_conn *c;

    if (idx == 0) {
        return;
    }
    c = conn_at(x, idx);
    if (c->att != NULL) {
        __builtin_prefetch(c->att);
    }
    __builtin_prefetch(&x->tab.buckets[conn_hash_of(c) & (x->tab.nbuckets - 1)]);
    if (c->tnext != 0) {
        const struct conn_slab *s = &x->tab.slabs[(c->tnext - 1) >> SLAB_SHIFT];
        const char *p = (const char *)conn_at(x, c->tnext);
        for (size_t off = 0; off < s->each; off += 64) {
            __builtin_prefetch(p + off);
        }
    }
}

void shoal_conn_table_expire(struct shoal_ctx *x, double now)
{
    uint64_t target = conn_wheel_tick_of(now);

    if (target > x->tab.wheel_tick + WHEEL_SLOTS) {
        x->tab.wheel_tick = target - WHEEL_SLOTS; /* nothing can be due in between twice */
    }
    while (x->tab.wheel_tick < target) {
        uint32_t *slot = &x->tab.wheel[x->tab.wheel_tick & (WHEEL_SLOTS - 1)];
        uint32_t due = 0;
        uint32_t idx = *slot;
        /* Take out what is due now; later rounds stay. */
        while (idx != 0) {
            struct shoal_conn *c = conn_at(x, idx);
            uint32_t next = c->tnext;
            if (conn_sched(c) <= now) {
                wheel_unlink(x, c);
                c->tnext = due;
                due = idx;
            }
            idx = next;
        }
        /* Past this slot before firing: a connection re-slotted below the
         * tick (its float offset rounded down) goes to the next one. */
        x->tab.wheel_tick++;
        while (due != 0) {
            struct shoal_conn *c = conn_current(x, due);
            uint32_t next = c->tnext;
            conn_prefetch_due(x, next);
            c->tnext = 0;
            conn_timer_fire(x, c, due, now);
            due = next;
        }
    }
}

int shoal_conn_table_init(struct shoal_ctx *x)
{
    x->tab.wheel = calloc(WHEEL_SLOTS, sizeof(*x->tab.wheel));
    x->tab.nbuckets = 1024;
    x->tab.buckets = calloc(x->tab.nbuckets, sizeof(*x->tab.buckets));
    return x->tab.wheel != NULL && x->tab.buckets != NULL ? 0 : -ENOMEM;
}

void shoal_conn_table_free(struct shoal_ctx *x)
{
    for (uint32_t i = 0; i < x->tab.nslabs; i++) {
        free(x->tab.slabs[i].mem);
    }
    free(x->tab.slabs);
    free(x->tab.slab_order);
    free(x->tab.buckets);
    free(x->tab.wheel);
}
