/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table (see conn.h).
 *
 * Lookup: a power-of-two array of chained buckets indexed by XXH3 of the
 * canonical key (the lower address/port pair first, so both directions of a
 * flow hash alike; one-way ICMP keys keep their direction).
 *
 * Expiry: a timer wheel of WHEEL_SLOTS slots of 1/WHEEL_HZ s.  Every
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
 *
 * Tunnels: tunnel.c decapsulates and hands inner packets back through
 * shoal_ctx_packet_encap; here a connection records the tunnels it was seen
 * in (tunnel_parents, Zeek's tunnel_changed rules) and, when it carried a
 * UDP tunnel, tells tunnel.c when it ends.
 */
#include "engine/conn.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/analyzer.h"
#include "engine/decode.h"
#include "lib/diag.h"
#include "framework/log.h"
#include "lib/netset.h"
#include "lib/util.h"

#define WHEEL_HZ 16.0
#define CONN_IPPROTO_GRE 47
#define WHEEL_SLOTS 65536u
#define SLAB_SHIFT 12
#define SLAB_CONNS (1u << SLAB_SHIFT)
#define SLAB_MAX ((1u << 31) / SLAB_CONNS) /* indices stay below 2^31 */
#define WHEEL_HEAD 0x80000000u             /* tprev: head of slot (tprev & ~WHEEL_HEAD) */
#define FLOW_WEIRD_SLOTS 4096

struct conn_slab {
    char *mem;   /* SLAB_CONNS connections of `each` bytes */
    size_t each; /* sizeof(struct shoal_conn_with_tcp) or _with_dgram */
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

    uint64_t serial;
    uint64_t uid_seed;
    uint64_t flow_weirds[FLOW_WEIRD_SLOTS]; /* hashes of (name, src, dst) logged */
    uint8_t likely_tcp[65536 / 8];
    uint8_t likely_udp[65536 / 8];
    struct shoal_conn_stats st;
};

/* ---- conn.log ---- */

/* Unsized: a count other than SHOAL_CONN_LOG_NFIELDS conflicts with conn.h. */
const struct shoal_field shoal_conn_log_fields[] = {
    {"ts", SHOAL_T_TIME, 0},
    {"uid", SHOAL_T_STRING, 0},
    {"id.orig_h", SHOAL_T_ADDR, 0},
    {"id.orig_p", SHOAL_T_PORT, 0},
    {"id.resp_h", SHOAL_T_ADDR, 0},
    {"id.resp_p", SHOAL_T_PORT, 0},
    {"proto", SHOAL_T_ENUM, 0},
    {"service", SHOAL_T_STRING, 0},
    {"duration", SHOAL_T_INTERVAL, 0},
    {"orig_bytes", SHOAL_T_COUNT, 0},
    {"resp_bytes", SHOAL_T_COUNT, 0},
    {"conn_state", SHOAL_T_STRING, 0},
    {"local_orig", SHOAL_T_BOOL, 0},
    {"local_resp", SHOAL_T_BOOL, 0},
    {"missed_bytes", SHOAL_T_COUNT, 0},
    {"history", SHOAL_T_STRING, 0},
    {"orig_pkts", SHOAL_T_COUNT, 0},
    {"orig_ip_bytes", SHOAL_T_COUNT, 0},
    {"resp_pkts", SHOAL_T_COUNT, 0},
    {"resp_ip_bytes", SHOAL_T_COUNT, 0},
    {"tunnel_parents", SHOAL_T_SET, SHOAL_T_STRING},
    {"ip_proto", SHOAL_T_COUNT, 0},
};

static const struct shoal_field weird_fields[] = {
    {"ts", SHOAL_T_TIME, 0},        {"uid", SHOAL_T_STRING, 0},     {"id.orig_h", SHOAL_T_ADDR, 0},
    {"id.orig_p", SHOAL_T_PORT, 0}, {"id.resp_h", SHOAL_T_ADDR, 0}, {"id.resp_p", SHOAL_T_PORT, 0},
    {"name", SHOAL_T_STRING, 0},    {"addl", SHOAL_T_STRING, 0},    {"notice", SHOAL_T_BOOL, 0},
    {"peer", SHOAL_T_STRING, 0},    {"source", SHOAL_T_STRING, 0},
};
#define WEIRD_NFIELDS (sizeof(weird_fields) / sizeof(weird_fields[0]))

/*
 * Zeek's default likely_server_ports: the ports its base protocol scripts
 * register.  They decide who is the originator of a connection whose first
 * packet is not a SYN.  Ports of loaded analyzer plugins are added.
 */
static const uint16_t likely_tcp_default[] = {
    21,   22,   25,   53,   80,   81,   88,   110,  135,  139,  143,  389,  443,  445,
    502,  563,  585,  587,  614,  631,  636,  989,  990,  992,  993,  995,  1080, 1433,
    1723, 2811, 3128, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 8000, 8080, 8888, 20000,
};
static const uint16_t likely_udp_default[] = {
    53,   67,   88,   111,  123,  137,  161,  162,  443,  514,  1812,
    1813, 2049, 2123, 2152, 3544, 4789, 5060, 5072, 5353, 5355, 6081,
};

static inline bool bit_test(const uint8_t *m, uint16_t p)
{
    return (m[p >> 3] >> (p & 7)) & 1;
}

static inline void bit_set(uint8_t *m, uint16_t p)
{
    m[p >> 3] |= (uint8_t)(1u << (p & 7));
}

/* ---- small helpers ---- */

const struct shoal_config *shoal_ctx_config(const struct shoal_ctx *x)
{
    return x->cfg;
}

struct shoal_analyzers *shoal_ctx_analyzers(struct shoal_ctx *x)
{
    return x->an;
}

double shoal_ctx_now(const struct shoal_ctx *x)
{
    return x->now;
}

bool shoal_ctx_is_local(const struct shoal_ctx *x, const struct shoal_addr *a)
{
    return shoal_netset_contains(&x->local, a);
}

struct shoal_logger *shoal_ctx_logger(struct shoal_ctx *x)
{
    return x->logger;
}

void shoal_ctx_stats(const struct shoal_ctx *x, struct shoal_conn_stats *st)
{
    *st = x->st;
    st->log_records = shoal_logger_records(x->logger);
}

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

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct shoal_tunnels *shoal_ctx_tunnels(struct shoal_ctx *x)
{
    return x->tun;
}

uint64_t shoal_ctx_new_serial(struct shoal_ctx *x)
{
    return ++x->serial;
}

void shoal_ctx_set_decoder(struct shoal_ctx *x, const struct shoal_decoder *d)
{
    x->dec = d;
}

const struct shoal_decoder *shoal_ctx_decoder(const struct shoal_ctx *x)
{
    return x->dec;
}

const char *shoal_conn_uid(const struct shoal_ctx *x, const struct shoal_conn *c, char *buf)
{
    return shoal_ctx_uid(x, c->serial, buf);
}

const char *shoal_ctx_uid(const struct shoal_ctx *x, uint64_t serial, char *buf)
{
    uint64_t words[2] = {serial, x->uid_seed};
    XXH128_hash_t h = XXH3_128bits(words, sizeof(words));
    uint64_t hi = h.high64 >> 32; /* 96 bits in all */
    uint64_t lo = h.low64;
    char tmp[32];
    size_t n = 0;

    /* Base62 of lo then hi, as Zeek's UID::Base62 does per 64-bit word. */
    do {
        tmp[n++] = base62[lo % 62];
        lo /= 62;
    } while (lo != 0);
    do {
        tmp[n++] = base62[hi % 62];
        hi /= 62;
    } while (hi != 0);
    buf[0] = 'C';
    for (size_t i = 0; i < n && i < 22; i++) {
        buf[1 + i] = tmp[n - 1 - i];
    }
    buf[1 + (n < 22 ? n : 22)] = '\0';
    return buf;
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

static uint64_t conn_hash(const struct shoal_addr *src, uint16_t sp, const struct shoal_addr *dst,
                          uint16_t dp, uint8_t proto, bool one_way)
{
    struct conn_key k;
    int cmp = memcmp(src->b, dst->b, 16);

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

static inline bool addr_eq(const struct shoal_addr *a, const struct shoal_addr *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

/* ---- slabs and indices ---- */

static inline struct shoal_conn *conn_at(const struct shoal_ctx *x, uint32_t idx)
{
    const struct conn_slab *s = &x->slabs[(idx - 1) >> SLAB_SHIFT];

    return (struct shoal_conn *)(s->mem + ((idx - 1) & (SLAB_CONNS - 1)) * s->each);
}

/* The index of c: the last one resolved, or found among the slabs. */
static uint32_t conn_index(struct shoal_ctx *x, const struct shoal_conn *c)
{
    const char *p = (const char *)c;
    uint32_t lo = 0;
    uint32_t hi = x->nslabs;

    if (c == x->cur) {
        return x->cur_idx;
    }
    while (hi - lo > 1) { /* the last slab whose memory starts at or below p */
        uint32_t mid = lo + (hi - lo) / 2;
        if (x->slabs[x->slab_order[mid]].mem <= p) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    uint32_t n = x->slab_order[lo];
    const struct conn_slab *s = &x->slabs[n];
    assert(p >= s->mem && p < s->mem + SLAB_CONNS * s->each);
    return 1 + (n << SLAB_SHIFT) + (uint32_t)((size_t)(p - s->mem) / s->each);
}

/* Remember c as the connection being worked on, so that conn_index finds
 * it without a search (tcp.c and analyzers schedule timers for it). */
static inline struct shoal_conn *conn_current(struct shoal_ctx *x, uint32_t idx)
{
    x->cur = conn_at(x, idx);
    x->cur_idx = idx;
    return x->cur;
}

/* ---- counters ---- */

static struct shoal_conn_ext *conn_ext(struct shoal_conn *c)
{
    if (c->ext == NULL) {
        c->ext = calloc(1, sizeof(*c->ext));
    }
    return c->ext;
}

static uint64_t conn_counter(const struct shoal_conn *c, unsigned k)
{
    uint64_t hi = c->ext != NULL ? c->ext->hi[k] : 0;

    return hi << 32 | c->count[k];
}

/* Counter k passes 2^32 by adding n: carry into the extension (the sum is
 * taken modulo 2^64, as a uint64_t counter's), or stay at UINT32_MAX
 * without one. */
static __attribute__((noinline)) void conn_counter_carry(struct shoal_conn *c, unsigned k,
                                                         uint64_t n)
{
    uint64_t v = conn_counter(c, k) + n;
    struct shoal_conn_ext *e = conn_ext(c);

    if (e == NULL) {
        c->count[k] = UINT32_MAX;
        return;
    }
    e->hi[k] = (uint32_t)(v >> 32);
    c->count[k] = (uint32_t)v;
}

static inline void conn_counter_add(struct shoal_conn *c, unsigned k, uint64_t n)
{
    if (n <= UINT32_MAX - c->count[k]) {
        c->count[k] += (uint32_t)n;
    } else {
        conn_counter_carry(c, k, n);
    }
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

static inline uint64_t wheel_tick_of(double t)
{
    return t <= 0 ? 0 : (uint64_t)(t * WHEEL_HZ);
}

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
        x->wheel[c->tprev & ~WHEEL_HEAD] = c->tnext;
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
    uint64_t tick = wheel_tick_of(conn_sched(c));
    if (tick < x->wheel_tick) {
        tick = x->wheel_tick;
    }
    uint32_t slot = (uint32_t)(tick & (WHEEL_SLOTS - 1));
    c->tnext = x->wheel[slot];
    if (c->tnext != 0) {
        conn_at(x, c->tnext)->tprev = idx;
    }
    c->tprev = WHEEL_HEAD | slot;
    x->wheel[slot] = idx;
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
static int ctx_grow_pool(struct shoal_ctx *x, bool tcp)
{
    size_t each = tcp ? sizeof(struct shoal_conn_with_tcp) : sizeof(struct shoal_conn_with_dgram);
    uint32_t *list = tcp ? &x->free_tcp_conns : &x->free_conns;
    uint32_t n = x->nslabs;

    if (n >= SLAB_MAX) {
        return -ENOMEM;
    }
    struct conn_slab *slabs = realloc(x->slabs, (n + 1) * sizeof(*slabs));
    if (slabs == NULL) {
        return -ENOMEM;
    }
    x->slabs = slabs;
    uint32_t *order = realloc(x->slab_order, (n + 1) * sizeof(*order));
    if (order == NULL) {
        return -ENOMEM;
    }
    x->slab_order = order;
    char *mem = malloc(SLAB_CONNS * each);
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
    x->nslabs = n + 1;
    for (uint32_t i = SLAB_CONNS; i-- > 0;) {
        uint32_t idx = 1 + (n << SLAB_SHIFT) + i;
        conn_at(x, idx)->hnext = *list;
        *list = idx;
    }
    return 0;
}

static int ctx_rehash(struct shoal_ctx *x, size_t nb)
{
    uint32_t *b = calloc(nb, sizeof(*b));

    if (b == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < x->nbuckets; i++) {
        uint32_t idx = x->buckets[i];
        while (idx != 0) {
            struct shoal_conn *c = conn_at(x, idx);
            uint32_t next = c->hnext;
            size_t j = conn_hash_of(c) & (nb - 1);
            c->hnext = b[j];
            b[j] = idx;
            idx = next;
        }
    }
    free(x->buckets);
    x->buckets = b;
    x->nbuckets = nb;
    return 0;
}

/* ---- weirds ---- */

static void ctx_write_weird(struct shoal_ctx *x, const char *uid, const struct shoal_addr *oh,
                            int op, const struct shoal_addr *rh, int rp, const char *name,
                            const char *addl, const char *source)
{
    struct shoal_value v[WEIRD_NFIELDS];

    if (x->weird_log == NULL) {
        return;
    }
    v[0] = shoal_v_double(x->now);
    v[1] = shoal_v_str(uid);
    v[2] = oh ? shoal_v_addr(oh) : shoal_v_unset();
    v[3] = op >= 0 ? shoal_v_count((uint64_t)op) : shoal_v_unset();
    v[4] = rh ? shoal_v_addr(rh) : shoal_v_unset();
    v[5] = rp >= 0 ? shoal_v_count((uint64_t)rp) : shoal_v_unset();
    v[6] = shoal_v_str(name);
    v[7] = addl != NULL && *addl ? shoal_v_str(addl) : shoal_v_unset();
    v[8] = shoal_v_bool(false);
    v[9] = shoal_v_str("zeek");
    v[10] = source != NULL && *source ? shoal_v_str(source) : shoal_v_unset();
    shoal_log_write(x->weird_log, v);
}

void shoal_conn_weird(struct shoal_ctx *x, struct shoal_conn *c, const char *name, const char *addl,
                      const char *source)
{
    char uid[32];
    uint32_t bit = 1u << (XXH3_64bits(name, strlen(name)) & 31);

    if (c->weird_seen & bit) {
        return;
    }
    c->weird_seen |= bit;
    ctx_write_weird(x, shoal_conn_uid(x, c, uid), &c->id.orig_h, c->id.orig_p, &c->id.resp_h,
                    c->id.resp_p, name, addl, source);
}

void shoal_ctx_net_weird(struct shoal_ctx *x, const char *name, const char *addl,
                         const char *source, const struct shoal_addr *src,
                         const struct shoal_addr *dst)
{
    if (src != NULL && dst != NULL) {
        /* Zeek logs a flow weird once per name and address pair (its
         * Weird::did_log); a direct-mapped table of hashes bounds the memory. */
        uint64_t key[5];
        memcpy(key, src->b, 16);
        memcpy(key + 2, dst->b, 16);
        key[4] = XXH3_64bits(name, strlen(name));
        uint64_t h = XXH3_64bits(key, sizeof(key)) | 1;
        uint64_t *slot = &x->flow_weirds[h % FLOW_WEIRD_SLOTS];
        if (*slot == h) {
            return;
        }
        *slot = h;
    }
    ctx_write_weird(x, NULL, src, src ? 0 : -1, dst, dst ? 0 : -1, name, addl, source);
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

/* A broadcast or multicast destination is never the originator. */
static bool addr_is_group(const struct shoal_addr *a)
{
    if (shoal_addr_is_v4(a)) {
        return (a->b[12] & 0xf0) == 0xe0 ||
               (a->b[12] == 255 && a->b[13] == 255 && a->b[14] == 255 && a->b[15] == 255);
    }
    return a->b[0] == 0xff;
}

static bool ctx_likely_server(const struct shoal_ctx *x, uint8_t proto, uint16_t port)
{
    return bit_test(proto == SHOAL_PROTO_TCP ? x->likely_tcp : x->likely_udp, port);
}

const char *shoal_conn_state(const struct shoal_conn *c)
{
    switch (c->id.proto) {
    case SHOAL_PROTO_TCP:
        return shoal_tcp_conn_state(c);
    case SHOAL_PROTO_UDP: {
        const struct shoal_dgram *d = shoal_conn_dgram(c);
        if (d->orig_len >= 0) {
            return d->resp_len >= 0 ? "SF" : "S0";
        }
        return d->resp_len >= 0 ? "SHR" : "OTH";
    }
    default:
        return "OTH";
    }
}

static void conn_write_log(struct shoal_ctx *x, struct shoal_conn *c)
{
    struct shoal_value v[SHOAL_CONN_LOG_NFIELDS];
    struct shoal_value parents[SHOAL_CONN_MAX_PARENTS];
    char parent_uids[SHOAL_CONN_MAX_PARENTS][32];
    char uid[32];
    char history[SHOAL_HISTORY_MAX + 1];
    char service[512];
    uint64_t ob = 0;
    uint64_t rb = 0;
    const char *proto;
    const char *state = shoal_conn_state(c);
    double duration = c->last - c->start;
    const struct shoal_dgram *d = shoal_conn_dgram(c);
    size_t nparents = c->ext != NULL ? c->ext->nparents : 0;

    switch (c->id.proto) {
    case SHOAL_PROTO_TCP:
        proto = "tcp";
        ob = shoal_tcp_size(shoal_conn_tcp(c), true);
        rb = shoal_tcp_size(shoal_conn_tcp(c), false);
        break;
    case SHOAL_PROTO_UDP:
        proto = "udp";
        ob = d->orig_len > 0 ? (uint64_t)d->orig_len : 0;
        rb = d->resp_len > 0 ? (uint64_t)d->resp_len : 0;
        break;
    case SHOAL_PROTO_ICMP:
    case SHOAL_PROTO_ICMP6:
        proto = "icmp";
        ob = d->orig_len > 0 ? (uint64_t)d->orig_len : 0;
        rb = d->resp_len > 0 ? (uint64_t)d->resp_len : 0;
        break;
    default:
        proto = "unknown_transport";
        break;
    }
    service[0] = '\0';
    for (size_t i = 0; x->an != NULL && i < x->an->nservices; i++) {
        if (c->services & (1ULL << i)) {
            size_t n = strlen(service);
            snprintf(service + n, sizeof(service) - n, "%s%s", n ? "," : "", x->an->services[i]);
        }
    }
    shoal_tunnel_services(c->tun.confirmed, service, sizeof(service));
    v[0] = shoal_v_double(c->start);
    v[1] = shoal_v_str(shoal_conn_uid(x, c, uid));
    v[2] = shoal_v_addr(&c->id.orig_h);
    v[3] = shoal_v_count(c->id.orig_p);
    v[4] = shoal_v_addr(&c->id.resp_h);
    v[5] = shoal_v_count(c->id.resp_p);
    v[6] = shoal_v_str(proto);
    v[7] = service[0] ? shoal_v_str(service) : shoal_v_unset();
    if (duration > 0) {
        v[8] = shoal_v_double(duration);
        v[9] = shoal_v_count(ob);
        v[10] = shoal_v_count(rb);
    } else {
        v[8] = v[9] = v[10] = shoal_v_unset();
    }
    v[11] = shoal_v_str(state);
    if (x->local.n > 0) {
        v[12] = shoal_v_bool(shoal_netset_contains(&x->local, &c->id.orig_h));
        v[13] = shoal_v_bool(shoal_netset_contains(&x->local, &c->id.resp_h));
    } else {
        v[12] = v[13] = shoal_v_unset();
    }
    v[14] = shoal_v_count(conn_counter(c, SHOAL_CONN_MISSED_BYTES));
    v[15] = c->hist_len ? shoal_v_str(shoal_conn_history(c, history)) : shoal_v_unset();
    v[16] = shoal_v_count(conn_counter(c, SHOAL_CONN_ORIG_PKTS));
    v[17] = shoal_v_count(conn_counter(c, SHOAL_CONN_ORIG_IP_BYTES));
    v[18] = shoal_v_count(conn_counter(c, SHOAL_CONN_RESP_PKTS));
    v[19] = shoal_v_count(conn_counter(c, SHOAL_CONN_RESP_IP_BYTES));
    for (size_t i = 0; i < nparents; i++) {
        parents[i] = shoal_v_str(shoal_ctx_uid(x, c->ext->parents[i], parent_uids[i]));
    }
    v[20] = nparents ? shoal_v_vec(parents, nparents) : shoal_v_unset();
    v[21] = shoal_v_count(c->id.proto);
    shoal_log_write(x->conn_log, v);
}

static void conn_remove(struct shoal_ctx *x, struct shoal_conn *c)
{
    uint32_t *pp = &x->buckets[conn_hash_of(c) & (x->nbuckets - 1)];
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
    conn_write_log(x, c);
    if (c->tun.carrier != SHOAL_TUNNEL_NONE) {
        shoal_tunnel_conn_done(x, c);
    }
    free(c->ext);
    c->ext = NULL;
    if (c->id.proto == SHOAL_PROTO_TCP) {
        shoal_tcp_free(shoal_conn_tcp(c));
        c->hnext = x->free_tcp_conns;
        x->free_tcp_conns = idx;
    } else {
        c->hnext = x->free_conns;
        x->free_conns = idx;
    }
    if (x->cur == c) {
        x->cur = NULL;
    }
    x->st.conns_current--;
}

/* Evict the connection the wheel would look at first. */
static void ctx_evict_one(struct shoal_ctx *x)
{
    for (uint64_t i = 0; i < WHEEL_SLOTS; i++) {
        uint32_t idx = x->wheel[(x->wheel_tick + i) & (WHEEL_SLOTS - 1)];
        if (idx != 0) {
            x->st.conns_evicted++;
            conn_remove(x, conn_at(x, idx));
            return;
        }
    }
}

static struct shoal_conn *conn_new(struct shoal_ctx *x, const struct shoal_pkt *p, uint64_t hash,
                                   uint16_t sp, uint16_t dp, bool one_way)
{
    struct shoal_conn *c;

    if (x->st.conns_current >= x->cfg->max_conns) {
        ctx_evict_one(x);
    }
    bool tcp = p->proto == SHOAL_PROTO_TCP;
    uint32_t *pool = tcp ? &x->free_tcp_conns : &x->free_conns;
    if (*pool == 0 && ctx_grow_pool(x, tcp) < 0) {
        return NULL;
    }
    if (x->st.conns_current + 1 > x->nbuckets && x->nbuckets < (1u << 26)) {
        ctx_rehash(x, x->nbuckets * 2);
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
    size_t b = hash & (x->nbuckets - 1);
    c->hnext = x->buckets[b];
    x->buckets[b] = idx;
    x->st.conns_total++;
    x->st.conns_current++;
    wheel_insert(x, c, idx, p->ts + conn_inactivity_timeout(x, c));
    return c;
}

/* ICMP "ports": the type, and the counterpart type (or the code). */
static uint16_t icmp_counterpart(uint8_t proto, uint8_t type, uint8_t code, bool *one_way)
{
    *one_way = false;
    if (proto == SHOAL_PROTO_ICMP) {
        switch (type) {
        case 8:
            return 0;
        case 0:
            return 8;
        case 13:
            return 14;
        case 14:
            return 13;
        case 15:
            return 16;
        case 16:
            return 15;
        case 10:
            return 9;
        case 9:
            return 10;
        case 17:
            return 18;
        case 18:
            return 17;
        default:
            break;
        }
    } else {
        switch (type) {
        case 128:
            return 129;
        case 129:
            return 128;
        case 133:
            return 134;
        case 134:
            return 133;
        case 135:
            return 136;
        case 136:
            return 135;
        case 130:
            return 131;
        case 131:
            return 130;
        case 139:
            return 140;
        case 140:
            return 139;
        case 144:
            return 145;
        case 145:
            return 144;
        case 146:
            return 147;
        case 147:
            return 146;
        default:
            break;
        }
    }
    *one_way = true;
    return code;
}

static void dgram_update_len(int64_t *l, int64_t len)
{
    *l = *l < 0 ? len : *l + len;
}

static void conn_count(struct shoal_conn *c, bool is_orig, const struct shoal_pkt *p)
{
    if (is_orig) {
        conn_counter_add(c, SHOAL_CONN_ORIG_PKTS, 1);
        conn_counter_add(c, SHOAL_CONN_ORIG_IP_BYTES, p->ip_total);
    } else {
        conn_counter_add(c, SHOAL_CONN_RESP_PKTS, 1);
        conn_counter_add(c, SHOAL_CONN_RESP_IP_BYTES, p->ip_total);
    }
}

static void conn_udp(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                     const struct shoal_pkt *p, const struct shoal_encap *encap)
{
    const uint8_t *uh = p->l4;

    conn_count(c, is_orig, p);
    if (!x->cfg->ignore_checksums && p->l4_cap >= p->l4_len && !shoal_l4_checksum_ok(p)) {
        x->st.bad_checksums++;
        shoal_conn_weird(x, c, "bad_UDP_checksum", NULL, NULL);
        shoal_conn_scaled_history(c, is_orig ? 'C' : 'c',
                                  is_orig ? &shoal_conn_dgram(c)->orig_chk
                                          : &shoal_conn_dgram(c)->resp_chk);
        return;
    }
    uint16_t ulen = shoal_be16(uh + 4);
    if (ulen != p->l4_len) {
        char addl[48];
        snprintf(addl, sizeof(addl), "%u != %u", ulen, p->l4_len);
        shoal_conn_weird(x, c, "UDP_datagram_length_mismatch", addl, NULL);
    }
    c->last = p->ts;
    int64_t plen = (int64_t)ulen - 8;
    if (is_orig) {
        shoal_conn_check_history(c, 0x1, 'D');
        dgram_update_len(&shoal_conn_dgram(c)->orig_len, plen);
    } else {
        shoal_conn_check_history(c, 0x1 << SHOAL_HIST_RESP_SHIFT, 'd');
        dgram_update_len(&shoal_conn_dgram(c)->resp_len, plen);
    }
    if (p->l4_cap >= p->l4_len && p->l4_len > 8) {
        shoal_an_data(x, c, is_orig, uh + 8, p->l4_len - 8);
    }
    /* Last: the inner packet may end connections, this one included.  As
     * Zeek, the length is the IP payload's, whatever the UDP header says. */
    if (p->l4_len > 8 && p->l4_cap > 8) {
        shoal_tunnel_udp(x, c, is_orig, p, uh + 8, p->l4_cap - 8, p->l4_len - 8, encap);
    }
}

/* Add the innermost tunnel of e to c's tunnel_parents. */
static void conn_add_parent(struct shoal_conn *c, const struct shoal_encap *e)
{
    uint64_t s = e->lvl[e->depth - 1].serial;
    struct shoal_conn_ext *ext = conn_ext(c);

    if (ext == NULL) {
        return;
    }
    for (size_t i = 0; i < ext->nparents; i++) {
        if (ext->parents[i] == s) {
            return;
        }
    }
    if (ext->nparents < SHOAL_CONN_MAX_PARENTS) {
        ext->parents[ext->nparents++] = s;
    }
}

/* Zeek's tunnel_max_changes_per_connection. */
#define CONN_TUNNEL_MAX_CHANGES 5

/*
 * Record the tunnels `e` (NULL: none) a packet of c came through: Zeek's
 * Connection::CheckEncapsulation with the conn and tunnel scripts' handlers
 * of new_connection and tunnel_changed (parent uid, tunnel.log DISCOVER).
 */
static void conn_encap(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_encap *e,
                       bool is_new)
{
    uint64_t sig = shoal_encap_sig(e);
    uint64_t last = c->ext != NULL ? c->ext->encap_sig : 0;

    if (!is_new && sig == last) {
        return;
    }
    if (!is_new && sig != 0 && last != 0) {
        if (c->ext->changes >= CONN_TUNNEL_MAX_CHANGES) { /* last != 0: c->ext is there */
            shoal_conn_check_history(c, SHOAL_HIST_UNKNOWN_PKT, 'X');
            sig = 0; /* no event: nothing recorded */
        } else {
            c->ext->changes++;
        }
    }
    if (sig != 0) {
        conn_add_parent(c, e); /* allocates c->ext */
        shoal_tunnel_register(x, e);
    }
    if (c->ext != NULL) {
        c->ext->encap_sig = shoal_encap_sig(e);
    }
}

static void conn_icmp(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                      const struct shoal_pkt *p)
{
    if (!x->cfg->ignore_checksums && p->l4_cap >= p->l4_len && !shoal_l4_checksum_ok(p)) {
        x->st.bad_checksums++;
        shoal_conn_weird(x, c, "bad_ICMP_checksum", NULL, NULL);
        return;
    }
    c->last = p->ts;
    int64_t len = (int64_t)p->l4_len - 8;
    struct shoal_dgram *d = shoal_conn_dgram(c);
    dgram_update_len(is_orig ? &d->orig_len : &d->resp_len, len);
    conn_count(c, is_orig, p);
}

void shoal_ctx_packet(struct shoal_ctx *x, const struct shoal_pkt *p)
{
    struct shoal_encap e;
    struct shoal_addr src, dst;
    int levels = x->dec != NULL ? shoal_decode_tunnel(x->dec, &src, &dst) : 0;

    shoal_ctx_advance(x, p->ts);
    if (levels > 0) {
        if (shoal_tunnel_ipip(x, NULL, levels, &src, &dst, &e) < 0) {
            return;
        }
        shoal_ctx_packet_encap(x, p, &e);
        return;
    }
    shoal_ctx_packet_encap(x, p, NULL);
}

static struct shoal_conn *conn_due(struct shoal_ctx *x, struct shoal_conn *c, uint32_t idx,
                                   double now);

void shoal_ctx_packet_encap(struct shoal_ctx *x, const struct shoal_pkt *p,
                            const struct shoal_encap *encap)
{
    uint16_t sp = 0;
    uint16_t dp = 0;
    bool one_way = false;
    uint32_t min_hdr = 0;

    x->st.packets++;
    x->st.bytes += p->ip_total;
    if (encap != NULL && encap->depth == 0) {
        encap = NULL;
    }
    if (p->proto == CONN_IPPROTO_GRE) {
        shoal_tunnel_gre(x, p, encap);
        return;
    }

    switch (p->proto) {
    case SHOAL_PROTO_TCP:
        min_hdr = 20;
        break;
    case SHOAL_PROTO_UDP:
    case SHOAL_PROTO_ICMP:
    case SHOAL_PROTO_ICMP6:
        min_hdr = 8;
        break;
    default:
        break;
    }
    if (p->l4_len < min_hdr) {
        shoal_ctx_net_weird(x, encap ? "truncated_header_in_tunnel" : "truncated_header", NULL,
                            NULL, &p->src, &p->dst);
        return;
    }
    if (p->l4_cap < min_hdr) {
        shoal_ctx_net_weird(
            x, encap ? "internally_truncated_header_in_tunnel" : "internally_truncated_header",
            NULL, NULL, &p->src, &p->dst);
        return;
    }
    if (p->proto == SHOAL_PROTO_TCP || p->proto == SHOAL_PROTO_UDP) {
        sp = shoal_be16(p->l4);
        dp = shoal_be16(p->l4 + 2);
    } else if (p->proto == SHOAL_PROTO_ICMP || p->proto == SHOAL_PROTO_ICMP6) {
        sp = p->l4[0];
        dp = icmp_counterpart(p->proto, p->l4[0], p->l4[1], &one_way);
    }

    uint64_t hash = conn_hash(&p->src, sp, &p->dst, dp, p->proto, one_way);
    struct shoal_conn *c = NULL;
    uint32_t idx = x->buckets[hash & (x->nbuckets - 1)];
    for (; idx != 0; idx = c->hnext) {
        c = conn_at(x, idx);
        if (c->id.proto != p->proto || c->one_way != one_way) {
            continue;
        }
        if (addr_eq(&c->id.orig_h, &p->src) && c->id.orig_p == sp &&
            addr_eq(&c->id.resp_h, &p->dst) && c->id.resp_p == dp) {
            break;
        }
        if (!one_way && addr_eq(&c->id.orig_h, &p->dst) && c->id.orig_p == dp &&
            addr_eq(&c->id.resp_h, &p->src) && c->id.resp_p == sp) {
            break;
        }
    }
    if (idx == 0) {
        c = NULL;
    } else {
        c = conn_due(x, conn_current(x, idx), idx, p->ts);
    }
    if (c != NULL && p->proto == SHOAL_PROTO_TCP && shoal_tcp_is_reuse(x, c, p)) {
        conn_remove(x, c);
        c = NULL;
    }
    if (c == NULL) {
        bool flip = false;
        if (addr_is_group(&p->dst)) {
            /* no flip */
        } else if (p->proto == SHOAL_PROTO_TCP) {
            uint8_t flags = p->l4[13];
            if ((!(flags & 0x02) || (flags & 0x10)) && ctx_likely_server(x, p->proto, sp)) {
                flip = ctx_likely_server(x, p->proto, dp) ? (!(flags & 0x02) && sp < dp) : true;
            }
        } else if (p->proto == SHOAL_PROTO_UDP) {
            flip = ctx_likely_server(x, p->proto, sp) && !ctx_likely_server(x, p->proto, dp);
        }
        c = conn_new(x, p, hash, sp, dp, one_way);
        if (c == NULL) {
            shoal_err("conn", "out of memory: packet dropped");
            return;
        }
        if (flip) {
            shoal_conn_flip(x, c);
        }
        if (p->proto == SHOAL_PROTO_TCP) {
            shoal_tcp_init(x, c, p->ts);
        }
        conn_encap(x, c, encap, true);
        shoal_an_conn_new(x, c);
    } else {
        conn_encap(x, c, encap, false);
    }

    bool is_orig = addr_eq(&c->id.orig_h, &p->src) && c->id.orig_p == sp;
    if (c->one_way || addr_eq(&p->src, &p->dst)) {
        is_orig = addr_eq(&c->id.orig_h, &p->src) && c->id.orig_p == sp &&
                  addr_eq(&c->id.resp_h, &p->dst);
    }

    switch (p->proto) {
    case SHOAL_PROTO_TCP:
        if (shoal_tcp_packet(x, c, is_orig, p)) {
            /* The state machine may have flipped the roles. */
            bool now_orig = addr_eq(&c->id.orig_h, &p->src) && c->id.orig_p == sp;
            conn_count(c, now_orig, p);
        } else {
            x->st.bad_checksums++;
        }
        break;
    case SHOAL_PROTO_UDP:
        conn_udp(x, c, is_orig, p, encap);
        break;
    case SHOAL_PROTO_ICMP:
    case SHOAL_PROTO_ICMP6:
        conn_icmp(x, c, is_orig, p);
        break;
    default:
        c->last = p->ts;
        conn_count(c, is_orig, p);
        break;
    }
}

/* Look at a connection (index idx) whose slot came up: remove it or
 * re-slot it. */
static void conn_timer_fire(struct shoal_ctx *x, struct shoal_conn *c, uint32_t idx, double now)
{
    if (c->id.proto == SHOAL_PROTO_TCP && shoal_tcp_timers(x, c, now)) {
        conn_remove(x, c);
        return;
    }
    if (c->last + conn_inactivity_timeout(x, c) <= now) {
        conn_remove(x, c);
        return;
    }
    wheel_insert(x, c, idx, conn_next_deadline(x, c));
}

void shoal_ctx_advance(struct shoal_ctx *x, double now)
{
    if (!x->time_set) {
        x->time_set = true;
        x->wheel_tick = wheel_tick_of(now);
    }
    if (now < x->now) {
        return; /* time never goes back */
    }
    x->now = now;
    /* Only whole ticks that have passed are swept, so a packet costs one
     * comparison; a connection due within the current tick is checked when
     * its next packet looks it up (see conn_due), or at the next tick. */
    uint64_t target = wheel_tick_of(now);
    if (target > x->wheel_tick + WHEEL_SLOTS) {
        x->wheel_tick = target - WHEEL_SLOTS; /* nothing can be due in between twice */
    }
    while (x->wheel_tick < target) {
        uint32_t *slot = &x->wheel[x->wheel_tick & (WHEEL_SLOTS - 1)];
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
        x->wheel_tick++;
        while (due != 0) {
            struct shoal_conn *c = conn_current(x, due);
            uint32_t next = c->tnext;
            c->tnext = 0;
            conn_timer_fire(x, c, due, now);
            due = next;
        }
    }
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

void shoal_ctx_flush(struct shoal_ctx *x)
{
    for (size_t i = 0; i < x->nbuckets; i++) {
        while (x->buckets[i] != 0) {
            conn_remove(x, conn_at(x, x->buckets[i]));
        }
    }
    shoal_logger_flush(x->logger);
}

void shoal_ctx_set_analyzers(struct shoal_ctx *x, struct shoal_analyzers *an)
{
    x->an = an;
    for (size_t i = 0; an != NULL && i < an->n; i++) {
        for (const struct shoal_port *p = an->v[i].ops->ports; p != NULL && p->proto != 0; p++) {
            bit_set(p->proto == SHOAL_PROTO_TCP ? x->likely_tcp : x->likely_udp, p->port);
        }
    }
}

struct shoal_ctx *shoal_ctx_new(const struct shoal_config *cfg)
{
    struct shoal_ctx *x = calloc(1, sizeof(*x));

    if (x == NULL) {
        return NULL;
    }
    x->cfg = cfg;
    x->logger = shoal_logger_new(cfg->log_dir, cfg->log_format);
    x->wheel = calloc(WHEEL_SLOTS, sizeof(*x->wheel));
    x->nbuckets = 1024;
    x->buckets = calloc(x->nbuckets, sizeof(*x->buckets));
    if (x->logger == NULL || x->wheel == NULL || x->buckets == NULL) {
        goto out_free;
    }
    x->conn_log = shoal_log_open(x->logger, "conn", shoal_conn_log_fields, SHOAL_CONN_LOG_NFIELDS);
    x->weird_log = shoal_log_open(x->logger, "weird", weird_fields, WEIRD_NFIELDS);
    x->tun = shoal_tunnels_new(x);
    if (x->tun == NULL) {
        goto out_free;
    }
    if (cfg->local_nets_set) {
        for (char **n = cfg->local_nets; n != NULL && *n != NULL; n++) {
            struct shoal_prefix pfx;
            if (shoal_prefix_parse(*n, &pfx) < 0) {
                shoal_err("conn", "%s: networks.local: bad prefix '%s'",
                          cfg->file ? cfg->file : "(defaults)", *n);
                goto out_free;
            }
            if (shoal_netset_add(&x->local, &pfx) < 0) {
                goto out_free;
            }
        }
    } else if (shoal_netset_add_private(&x->local) < 0) {
        goto out_free;
    }
    for (size_t i = 0; i < sizeof(likely_tcp_default) / sizeof(likely_tcp_default[0]); i++) {
        bit_set(x->likely_tcp, likely_tcp_default[i]);
    }
    for (size_t i = 0; i < sizeof(likely_udp_default) / sizeof(likely_udp_default[0]); i++) {
        bit_set(x->likely_udp, likely_udp_default[i]);
    }
    x->uid_seed = 0x5eed5a1d0c0ffeeULL;
    return x;

out_free:
    shoal_ctx_free(x);
    return NULL;
}

void shoal_ctx_free(struct shoal_ctx *x)
{
    if (x == NULL) {
        return;
    }
    if (x->buckets != NULL) {
        shoal_ctx_flush(x);
    }
    shoal_tunnels_free(x->tun);
    shoal_logger_free(x->logger);
    shoal_netset_free(&x->local);
    for (uint32_t i = 0; i < x->nslabs; i++) {
        free(x->slabs[i].mem);
    }
    free(x->slabs);
    free(x->slab_order);
    free(x->buckets);
    free(x->wheel);
    free(x);
}
