/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet-thread context (see conn.h and ctx.h): its settings, network
 * time, logger and weird.log, decoder link, analyzers and stats, the uids,
 * and the packet entry: a decoded packet's transport header is checked,
 * its connection found or created (Zeek's rules for who is the
 * originator), the tunnels it came through recorded, and it is counted by
 * its transport (TCP goes on to tcp.c).  The connection table itself is
 * conn.c, conn.log conn_log.c.
 *
 * Tunnels: tunnel.c decapsulates and hands inner packets back through
 * shoal_ctx_packet_encap; here a connection records the tunnels it was seen
 * in (tunnel_parents, Zeek's tunnel_changed rules) and, when it carried a
 * UDP tunnel, tells tunnel.c when it ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* XXH3 inlined here (the same hashes): it runs for every packet's lookup
 * and every uid, and the library call cost more than the hash of 38 bytes. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "engine/analyzer.h"
#include "engine/ctx.h"
#include "engine/decode.h"
#include "engine/weird.h"
#include "framework/log.h"
#include "lib/diag.h"
#include "lib/netset.h"
#include "lib/util.h"

#define CONN_IPPROTO_GRE 47
#define CTX_TH_SYN 0x02 /* TCP flags */
#define CTX_TH_ACK 0x10

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

/* Bit sets of ports. */
static inline bool bit_test(const uint8_t *m, uint16_t p)
{
    return (m[p >> 3] >> (p & 7)) & 1;
}

static inline void bit_set(uint8_t *m, uint16_t p)
{
    m[p >> 3] |= (uint8_t)(1u << (p & 7));
}

/* ---- settings and accessors ---- */

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
    st->reasm_held = x->reasm.held;
    st->reasm_peak = x->reasm.peak;
    st->reasm_capped = x->reasm.capped;
    st->reasm_refused = x->reasm.refused;
    st->ack_events = x->reasm.ack_events;
    st->gap_events = x->reasm.gap_events;
}

struct shoal_reasm_pool *shoal_ctx_reasm_pool(struct shoal_ctx *x)
{
    return &x->reasm;
}

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

/* ---- uids ---- */

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

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

/* ---- weird.log ---- */

static void ctx_write_weird(struct shoal_ctx *x, const char *uid,
                            const struct shoal_weird_about *ab, const char *name, const char *addl,
                            const char *source)
{
    struct shoal_value v[WEIRD_NFIELDS];
    bool notice;

    if (x->weird_log == NULL || !shoal_weird_admit(&x->weirds, x->now, name, ab, &notice)) {
        return;
    }
    v[0] = shoal_v_double(x->now);
    v[1] = shoal_v_str(uid);
    v[2] = ab->orig_h ? shoal_v_addr(ab->orig_h) : shoal_v_unset();
    v[3] =
        ab->orig_h ? shoal_v_count((uint64_t)(ab->orig_p < 0 ? 0 : ab->orig_p)) : shoal_v_unset();
    v[4] = ab->resp_h ? shoal_v_addr(ab->resp_h) : shoal_v_unset();
    v[5] =
        ab->resp_h ? shoal_v_count((uint64_t)(ab->resp_p < 0 ? 0 : ab->resp_p)) : shoal_v_unset();
    v[6] = shoal_v_str(name);
    v[7] = addl != NULL && *addl ? shoal_v_str(addl) : shoal_v_unset();
    v[8] = shoal_v_bool(notice);
    v[9] = shoal_v_str("zeek");
    v[10] = source != NULL && *source ? shoal_v_str(source) : shoal_v_unset();
    shoal_log_write(x->weird_log, v);
}

void shoal_conn_weird(struct shoal_ctx *x, struct shoal_conn *c, const char *name, const char *addl,
                      const char *source)
{
    char uid[32];
    struct shoal_weird_about ab = {&c->id.orig_h, &c->id.resp_h, c->id.orig_p, c->id.resp_p};

    ctx_write_weird(x, shoal_conn_uid(x, c, uid), &ab, name, addl, source);
}

/* Zeek's flow_weird (both addresses, ports 0) or net_weird (none). */
void shoal_ctx_net_weird(struct shoal_ctx *x, const char *name, const char *addl,
                         const char *source, const struct shoal_addr *src,
                         const struct shoal_addr *dst)
{
    struct shoal_weird_about ab = {src, dst, -1, -1};

    ctx_write_weird(x, NULL, &ab, name, addl, source);
}

/* A record cut to the log limits: a weird of no connection. */
static void ctx_log_cut(void *arg, const char *name, const char *addl)
{
    shoal_ctx_net_weird(arg, name, addl, NULL, NULL, NULL);
}

/* ---- packet entry ---- */

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
    if (!x->cfg->ignore_checksums && p->l4_cap >= p->l4_len && !shoal_l4_checksum_ok(p) &&
        !shoal_tunnel_udp_checksum_exempt(x, p)) {
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
    struct shoal_conn_ext *ext = shoal_conn_ext(c);

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

/*
 * Zeek's IPBasedAnalyzer::CheckHeaderTrunc: the transport header must be
 * there, on the wire and in the capture.  False (a weird reported) if not.
 */
static inline bool ctx_header_ok(struct shoal_ctx *x, const struct shoal_pkt *p,
                                 const struct shoal_encap *encap)
{
    uint32_t min_hdr = 0;

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
        return false;
    }
    if (p->l4_cap < min_hdr) {
        shoal_ctx_net_weird(
            x, encap ? "internally_truncated_header_in_tunnel" : "internally_truncated_header",
            NULL, NULL, &p->src, &p->dst);
        return false;
    }
    return true;
}

/* The "ports" of p's connection key: TCP and UDP ports; for ICMP the type
 * and its counterpart (or the code, and then the key is one-way).  Returns
 * whether the key is one-way. */
static inline bool ctx_ports(const struct shoal_pkt *p, uint16_t *sp, uint16_t *dp)
{
    bool one_way = false;

    *sp = 0;
    *dp = 0;
    if (p->proto == SHOAL_PROTO_TCP || p->proto == SHOAL_PROTO_UDP) {
        *sp = shoal_be16(p->l4);
        *dp = shoal_be16(p->l4 + 2);
    } else if (p->proto == SHOAL_PROTO_ICMP || p->proto == SHOAL_PROTO_ICMP6) {
        *sp = p->l4[0];
        *dp = icmp_counterpart(p->proto, p->l4[0], p->l4[1], &one_way);
    }
    return one_way;
}

/* Zeek's originator heuristics for a new connection: should the responder
 * of p (its destination) be the originator?  Not for a group destination;
 * for TCP without a plain SYN, when the source port is a likely server
 * port (and the destination's is not, or is higher); for UDP, when only
 * the source port is a likely server port. */
static bool ctx_should_flip(const struct shoal_ctx *x, const struct shoal_pkt *p, uint16_t sp,
                            uint16_t dp)
{
    if (addr_is_group(&p->dst)) {
        return false;
    }
    if (p->proto == SHOAL_PROTO_TCP) {
        uint8_t flags = p->l4[13];
        if ((!(flags & CTX_TH_SYN) || (flags & CTX_TH_ACK)) && ctx_likely_server(x, p->proto, sp)) {
            return ctx_likely_server(x, p->proto, dp) ? (!(flags & CTX_TH_SYN) && sp < dp) : true;
        }
        return false;
    }
    if (p->proto == SHOAL_PROTO_UDP) {
        return ctx_likely_server(x, p->proto, sp) && !ctx_likely_server(x, p->proto, dp);
    }
    return false;
}

/* A new connection for p: its roles chosen, its TCP state set up, its
 * tunnels recorded, the analyzers told.  NULL when out of memory (logged). */
static struct shoal_conn *ctx_conn_start(struct shoal_ctx *x, const struct shoal_pkt *p,
                                         uint64_t hash, uint16_t sp, uint16_t dp, bool one_way,
                                         const struct shoal_encap *encap)
{
    bool flip = ctx_should_flip(x, p, sp, dp);
    struct shoal_conn *c = shoal_conn_new(x, p, hash, sp, dp, one_way);

    if (c == NULL) {
        shoal_err("conn", "out of memory: packet dropped");
        return NULL;
    }
    if (flip) {
        shoal_conn_flip(x, c);
    }
    if (p->proto == SHOAL_PROTO_TCP) {
        shoal_tcp_init(x, c, p->ts);
    }
    conn_encap(x, c, encap, true);
    shoal_an_conn_new(x, c);
    return c;
}

/* Does p go from c's originator to its responder?  The source address and
 * port decide, and the destination too when they cannot (one-way ICMP, a
 * packet from a host to itself). */
static inline bool ctx_is_orig(const struct shoal_conn *c, const struct shoal_pkt *p, uint16_t sp)
{
    bool from_orig = conn_addr_eq(&c->id.orig_h, &p->src) && c->id.orig_p == sp;

    if (c->one_way || conn_addr_eq(&p->src, &p->dst)) {
        return from_orig && conn_addr_eq(&c->id.resp_h, &p->dst);
    }
    return from_orig;
}

/* Count p in c by its transport, TCP through tcp.c's state machine. */
static inline void ctx_conn_packet(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                                   const struct shoal_pkt *p, uint16_t sp,
                                   const struct shoal_encap *encap)
{
    switch (p->proto) {
    case SHOAL_PROTO_TCP:
        if (shoal_tcp_packet(x, c, is_orig, p)) {
            /* The state machine may have flipped the roles. */
            bool now_orig = conn_addr_eq(&c->id.orig_h, &p->src) && c->id.orig_p == sp;
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

void shoal_ctx_packet_encap(struct shoal_ctx *x, const struct shoal_pkt *p,
                            const struct shoal_encap *encap)
{
    uint16_t sp;
    uint16_t dp;
    uint64_t hash;

    x->st.packets++;
    x->st.bytes += p->ip_total;
    if (encap != NULL && encap->depth == 0) {
        encap = NULL;
    }
    if (p->proto == CONN_IPPROTO_GRE) {
        shoal_tunnel_gre(x, p, encap);
        return;
    }
    if (!ctx_header_ok(x, p, encap)) {
        return;
    }
    bool one_way = ctx_ports(p, &sp, &dp);
    struct shoal_conn *c = shoal_conn_lookup(x, p, sp, dp, one_way, &hash);
    if (c != NULL && p->proto == SHOAL_PROTO_TCP && shoal_tcp_is_reuse(x, c, p)) {
        shoal_conn_remove(x, c);
        c = NULL;
    }
    if (c == NULL) {
        c = ctx_conn_start(x, p, hash, sp, dp, one_way, encap);
        if (c == NULL) {
            return;
        }
    } else {
        conn_encap(x, c, encap, false);
    }
    ctx_conn_packet(x, c, ctx_is_orig(c, p, sp), p, sp, encap);
}

/* ---- network time, life cycle ---- */

void shoal_ctx_advance(struct shoal_ctx *x, double now)
{
    if (!x->time_set) {
        x->time_set = true;
        x->tab.wheel_tick = conn_wheel_tick_of(now);
    }
    if (now < x->now) {
        return; /* time never goes back */
    }
    x->now = now;
    /* Only whole ticks that have passed are swept, so a packet costs one
     * comparison; a connection due within the current tick is checked when
     * its next packet looks it up (see shoal_conn_lookup), or at the next
     * tick. */
    if (conn_wheel_tick_of(now) > x->tab.wheel_tick) {
        shoal_conn_table_expire(x, now);
    }
}

void shoal_ctx_flush(struct shoal_ctx *x)
{
    shoal_conn_table_flush(x);
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
    x->reasm.max_held = cfg->tcp_max_total;
    x->reasm.max_blocks =
        cfg->tcp_max_blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)cfg->tcp_max_blocks;
    x->logger = shoal_logger_new(cfg->log_dir, cfg->log_format);
    if (x->logger == NULL || shoal_conn_table_init(x) < 0) {
        goto out_free;
    }
    struct shoal_log_limits lim;
    shoal_log_limits_config(cfg, &lim);
    shoal_logger_set_limits(x->logger, &lim, ctx_log_cut, x);
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
    if (x->tab.buckets != NULL) {
        shoal_ctx_flush(x);
    }
    shoal_tunnels_free(x->tun);
    shoal_logger_free(x->logger);
    shoal_netset_free(&x->local);
    shoal_conn_table_free(x);
    shoal_weird_state_free(&x->weirds);
    free(x);
}
