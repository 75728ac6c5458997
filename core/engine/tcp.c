/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection analysis (see tcp.h).  The rules are Zeek's, so that
 * conn.log's conn_state, history, byte counts, missed_bytes and the moment
 * a connection ends agree with what Zeek writes for the same packets:
 *
 *  - each endpoint runs a small state machine driven by SYN/FIN/RST/ACK;
 *  - sequence numbers are tracked relative to the first one seen (a
 *    partial connection pretends a SYN came just before), with 32-bit
 *    wrap counting, and the sizes come from the highest seq/ack seen;
 *  - history letters are added once per kind and direction (S/H/F/R again
 *    only when the sequence number changes), or on a log10 scale (C T W G);
 *  - ACKs drive reassembly: bytes acknowledged but never seen are a content
 *    gap, counted in missed_bytes when both sides are established;
 *  - timers (attempt, expire, close, partial close, reset) remove the
 *    connection as Zeek's do.
 */
#include "engine/tcp.h"

#include <stdlib.h>
#include <string.h>

#include "engine/analyzer.h"
#include "engine/conn.h"
#include "engine/decode.h"
#include "lib/util.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PUSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define TOO_LARGE_SEQ_DELTA 1048576
#define TCP_SESSION_TIMER 6.0
#define TCP_CONNECTION_LINGER 5.0
#define TCP_MAX_INITIAL_WINDOW 16384

static inline int32_t seq_delta(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static inline uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
    return ((uint64_t)wraps << 32) | seq;
}

static inline uint64_t rel_seq_space(const struct shoal_tcp_endpoint *e, uint32_t seq,
                                     uint32_t wraps)
{
    return (uint64_t)((int64_t)full_seq(seq, wraps) - (int64_t)e->start_seq);
}

/* Timers are kept as offsets from the connection's start (float: 4 bytes
 * each, sub-millisecond for hours); 0 means none. */
static inline double tcp_timer(const struct shoal_conn *c, float off)
{
    return off > 0 ? c->start + (double)off : 0;
}

static inline void tcp_timer_set(const struct shoal_conn *c, float *off, double at)
{
    float v = (float)(at - c->start);
    *off = v > 0 ? v : 1e-6f; /* a timer is never "none" by rounding */
}

static inline struct shoal_tcp_endpoint *tcp_peer(struct shoal_tcp *t, struct shoal_tcp_endpoint *e)
{
    return e == &t->orig ? &t->resp : &t->orig;
}

static inline bool tcp_is_orig(struct shoal_tcp *t, const struct shoal_tcp_endpoint *e)
{
    return e == &t->orig;
}

static void tcp_update_last_seq_raw(struct shoal_tcp_endpoint *e, uint32_t seq)
{
    if (seq < e->last_seq) {
        e->seq_wraps++;
    }
    e->last_seq = seq;
}

static void tcp_update_ack_seq_raw(struct shoal_tcp_endpoint *e, uint32_t seq)
{
    if (seq < e->ack_seq) {
        e->ack_wraps++;
    }
    e->ack_seq = seq;
}

static bool tcp_no_data_acked(const struct shoal_tcp_endpoint *e)
{
    uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
    uint64_t start = e->start_seq;
    return ack == start || ack == start + 1;
}

uint64_t shoal_tcp_size(const struct shoal_tcp *t, bool is_orig)
{
    const struct shoal_tcp_endpoint *e = is_orig ? &t->orig : &t->resp;
    const struct shoal_tcp_endpoint *peer = is_orig ? &t->resp : &t->orig;
    uint64_t size;

    if (e->prev_state == SHOAL_TCP_SYN_SENT && e->state == SHOAL_TCP_RESET &&
        peer->state == SHOAL_TCP_INACTIVE && !tcp_no_data_acked(e)) {
        return 0;
    }
    uint64_t last = full_seq(e->last_seq, e->seq_wraps);
    uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
    size = (last > ack ? last : ack) - (uint64_t)e->start_seq;
    if (size != 0) {
        size--;
    }
    if (e->fin_cnt > 0 && size != 0) {
        size--;
    }
    return size;
}

static void tcp_endpoint_init(struct shoal_tcp_endpoint *e)
{
    memset(e, 0, sizeof(*e));
    shoal_reasm_init(&e->reasm);
}

void shoal_tcp_init(struct shoal_ctx *x, struct shoal_conn *c, double t)
{
    struct shoal_tcp *tcp = shoal_conn_tcp(c);

    tcp_endpoint_init(&tcp->orig);
    tcp_endpoint_init(&tcp->resp);
    tcp->is_active = true;
    tcp_timer_set(c, &tcp->expire_at, t + shoal_ctx_config(x)->tcp_syn_timeout);
    shoal_conn_schedule(x, c, tcp_timer(c, tcp->expire_at));
}

void shoal_tcp_free(struct shoal_ctx *x, struct shoal_tcp *t)
{
    shoal_reasm_clear(&t->orig.reasm, shoal_ctx_reasm_pool(x));
    shoal_reasm_clear(&t->resp.reasm, shoal_ctx_reasm_pool(x));
}

static bool tcp_is_handshake(uint8_t s)
{
    return s == SHOAL_TCP_INACTIVE || s == SHOAL_TCP_SYN_SENT || s == SHOAL_TCP_SYN_ACK_SENT;
}

static void tcp_set_state(struct shoal_tcp *t, struct shoal_tcp_endpoint *e, uint8_t ns)
{
    if (ns == e->state) {
        return;
    }
    if (!tcp_is_handshake(ns) && tcp_is_handshake(e->state) &&
        tcp_is_handshake(tcp_peer(t, e)->state)) {
        t->established_timeout = true;
    }
    e->prev_state = e->state;
    e->state = ns;
}

/* ---- history ---- */

static bool tcp_check_history(struct shoal_conn *c, bool is_orig, uint16_t mask, char code)
{
    if (!is_orig) {
        mask <<= SHOAL_HIST_RESP_SHIFT;
        code = (char)(code - 'A' + 'a');
    }
    return shoal_conn_check_history(c, mask, code);
}

static void tcp_add_history(struct shoal_conn *c, bool is_orig, char code)
{
    shoal_conn_add_history(c, is_orig ? code : (char)(code - 'A' + 'a'));
}

static void tcp_scaled(struct shoal_conn *c, bool is_orig, char code, struct shoal_hist_scale *s)
{
    shoal_conn_scaled_history(c, is_orig ? code : (char)(code - 'A' + 'a'), s);
}

static void tcp_update_history(struct shoal_conn *c, bool is_orig, struct shoal_tcp_endpoint *e,
                               uint8_t flags, uint64_t rel_seq, uint32_t len)
{
    int bits = !!(flags & TH_SYN) + !!(flags & TH_FIN) + !!(flags & TH_RST);

    if (bits > 1) {
        if ((flags & TH_FIN) && (flags & TH_RST)) {
            tcp_check_history(c, is_orig, SHOAL_HIST_FIN_RST, 'I');
        } else {
            tcp_check_history(c, is_orig, SHOAL_HIST_MULTI_FLAG, 'Q');
        }
    } else if (bits == 1) {
        if (flags & TH_SYN) {
            char code = (flags & TH_ACK) ? 'H' : 'S';
            if (tcp_check_history(c, is_orig, SHOAL_HIST_SYN, code) &&
                (uint32_t)rel_seq != e->hist_last_syn) {
                tcp_add_history(c, is_orig, code);
            }
            e->hist_last_syn = (uint32_t)rel_seq;
        }
        if (flags & TH_FIN) {
            if (tcp_check_history(c, is_orig, SHOAL_HIST_FIN, 'F') &&
                (uint32_t)(rel_seq + len) != e->hist_last_fin) {
                tcp_add_history(c, is_orig, 'F');
            }
            e->hist_last_fin = (uint32_t)(rel_seq + len);
        }
        if (flags & TH_RST) {
            if (tcp_check_history(c, is_orig, SHOAL_HIST_RST, 'R') &&
                (uint32_t)rel_seq != e->hist_last_rst) {
                tcp_add_history(c, is_orig, 'R');
            }
            e->hist_last_rst = (uint32_t)rel_seq;
        }
    } else if (len > 0) {
        tcp_check_history(c, is_orig, SHOAL_HIST_DATA, 'D');
    } else if (flags & TH_ACK) {
        tcp_check_history(c, is_orig, SHOAL_HIST_ACK, 'A');
    }
}

/* ---- sequence space ---- */

static void tcp_init_endpoint(struct shoal_ctx *x, struct shoal_conn *c,
                              struct shoal_tcp_endpoint *e, uint8_t flags, uint32_t first_seq,
                              uint32_t last_seq)
{
    switch (e->state) {
    case SHOAL_TCP_INACTIVE:
        if (flags & TH_SYN) {
            e->ack_seq = first_seq;
            e->start_seq = first_seq;
        } else {
            e->ack_seq = first_seq - 1;
            e->start_seq = first_seq - 1;
            last_seq = first_seq;
        }
        e->last_seq = last_seq;
        break;
    case SHOAL_TCP_SYN_SENT:
    case SHOAL_TCP_SYN_ACK_SENT:
        if ((flags & TH_SYN) && first_seq != e->start_seq) {
            shoal_conn_weird(x, c, "SYN_seq_jump", NULL, NULL);
            e->start_seq = e->ack_seq = first_seq;
            e->last_seq = last_seq;
        }
        break;
    case SHOAL_TCP_ESTABLISHED:
    case SHOAL_TCP_PARTIAL:
        if (flags & TH_SYN) {
            if (shoal_tcp_size(shoal_conn_tcp(c), tcp_is_orig(shoal_conn_tcp(c), e)) > 0) {
                shoal_conn_weird(x, c, "SYN_inside_connection", NULL, NULL);
            }
            if (first_seq != e->start_seq) {
                shoal_conn_weird(x, c, "SYN_seq_jump", NULL, NULL);
            }
            e->start_seq = e->ack_seq = first_seq;
            e->last_seq = last_seq;
        }
        break;
    case SHOAL_TCP_RESET:
        if ((flags & TH_SYN) && e->prev_state == SHOAL_TCP_INACTIVE) {
            e->start_seq = e->ack_seq = first_seq;
            e->last_seq = last_seq;
        }
        break;
    default:
        break;
    }
}

static uint64_t tcp_relative_seq(const struct shoal_tcp_endpoint *e, uint32_t cur, uint32_t last,
                                 uint32_t wraps, bool *underflow)
{
    int32_t delta = seq_delta(cur, last);

    if (delta < 0) {
        if (wraps && cur > last) {
            wraps--;
        }
    } else if (delta > 0) {
        if (cur < last) {
            wraps++;
        }
    }
    if (wraps == 0) {
        delta = seq_delta(cur, e->start_seq);
        if (underflow != NULL && delta < 0) {
            *underflow = true;
        }
        return (uint64_t)(int64_t)delta;
    }
    return rel_seq_space(e, cur, wraps);
}

static int32_t tcp_update_last_seq(struct shoal_ctx *x, struct shoal_conn *c,
                                   struct shoal_tcp_endpoint *e, uint32_t last_seq, uint8_t flags,
                                   uint32_t len, bool is_orig)
{
    int32_t delta = seq_delta(last_seq, e->last_seq);

    if ((flags & (TH_SYN | TH_RST)) &&
        (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
        /* Don't trust it. */
    } else if ((flags & TH_FIN) && e->last_seq == e->start_seq + 1) {
        tcp_update_last_seq_raw(e, last_seq);
    } else if (e->state == SHOAL_TCP_RESET) {
        /* Don't trust anything after a RST. */
    } else if (delta > 0) {
        tcp_update_last_seq_raw(e, last_seq);
    } else if (len > 0) {
        tcp_scaled(c, is_orig, 'T', &e->rxmt);
    }
    (void)x;
    return delta;
}

/* Zero windows ('W'), unless they come with or after a RST, or after the
 * peer's FIN (Zeek's update_window; recision checks are not logged). */
static void tcp_zero_window(struct shoal_conn *c, bool is_orig, struct shoal_tcp *t,
                            struct shoal_tcp_endpoint *e, uint16_t window, uint8_t flags)
{
    if (window == 0 && !(flags & TH_RST) && tcp_peer(t, e)->state != SHOAL_TCP_CLOSED &&
        e->state != SHOAL_TCP_RESET) {
        tcp_scaled(c, is_orig, 'W', &e->win0);
    }
}

/* ---- reassembly glue ---- */

struct tcp_sink_ctx {
    struct shoal_ctx *x;
    struct shoal_conn *c;
    bool is_orig;
    uint64_t missing; /* gap bytes passed to the sink */
};

static bool tcp_is_clean(const struct shoal_tcp_endpoint *e)
{
    return e->state == SHOAL_TCP_ESTABLISHED ||
           (e->state == SHOAL_TCP_CLOSED && e->prev_state == SHOAL_TCP_ESTABLISHED);
}

static void tcp_sink_deliver(void *ctx, uint64_t seq, const uint8_t *data, size_t len)
{
    struct tcp_sink_ctx *s = ctx;
    (void)seq;
    if (!shoal_conn_tcp(s->c)->saw_syn) {
        return; /* joined mid-stream: as Zeek, no application analysis */
    }
    if (data != NULL) {
        shoal_an_data(s->x, s->c, s->is_orig, data, len);
    } else {
        shoal_an_gap(s->x, s->c, s->is_orig, len);
    }
}

static void tcp_sink_gap(void *ctx, uint64_t seq, uint64_t len)
{
    struct tcp_sink_ctx *s = ctx;
    struct shoal_tcp *t = shoal_conn_tcp(s->c);
    struct shoal_tcp_endpoint *e = s->is_orig ? &t->orig : &t->resp;
    (void)seq;

    s->missing += len;
    if (tcp_is_clean(e) && tcp_is_clean(tcp_peer(t, e))) {
        tcp_scaled(s->c, s->is_orig, 'G', &e->gap);
        shoal_conn_add_missed(s->c, len);
    }
    if (shoal_conn_tcp(s->c)->saw_syn) {
        shoal_an_gap(s->x, s->c, s->is_orig, len);
    }
}

static bool tcp_data_pending(struct shoal_tcp *t, struct shoal_tcp_endpoint *e)
{
    uint64_t delivered = (uint64_t)e->start_seq + e->reasm.last_reassem_seq;
    uint64_t last = full_seq(e->last_seq, e->seq_wraps);
    struct shoal_tcp_endpoint *peer = tcp_peer(t, e);

    if (last < delivered) {
        return false;
    }
    if (delivered != last - 1 && delivered != last) {
        return true;
    }
    if (e->state != SHOAL_TCP_RESET && (shoal_reasm_has_blocks(&peer->reasm) ||
                                        peer->reasm.last_reassem_seq > peer->reasm.trim_seq)) {
        return true;
    }
    return false;
}

static void tcp_connection_closed(struct shoal_ctx *x, struct shoal_conn *c,
                                  struct shoal_tcp_endpoint *e, struct shoal_tcp_endpoint *peer,
                                  bool gen_event);

static void tcp_check_eof(struct shoal_ctx *x, struct shoal_conn *c, struct shoal_tcp_endpoint *e)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);

    if (e->did_eof) {
        return;
    }
    if (!(e->fin_cnt > 0 || e->state == SHOAL_TCP_CLOSED || e->state == SHOAL_TCP_RESET)) {
        return;
    }
    if (tcp_data_pending(t, e)) {
        return;
    }
    e->did_eof = true;
    shoal_an_eof(x, c, tcp_is_orig(t, e));
    if (t->close_deferred) {
        t->close_deferred = false;
        tcp_connection_closed(x, c, e, tcp_peer(t, e), t->deferred_gen_event);
    }
}

static void tcp_ack_received(struct shoal_ctx *x, struct shoal_conn *c,
                             struct shoal_tcp_endpoint *e, uint64_t seq)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);
    struct tcp_sink_ctx sc = {x, c, tcp_is_orig(t, e), 0};
    struct shoal_reasm_pool *pool = shoal_ctx_reasm_pool(x);
    struct shoal_reasm_sink sink = {tcp_sink_deliver, tcp_sink_gap, &sc, pool};

    if (e->fin_cnt > 0 && seq >= e->fin_seq) {
        seq = e->fin_seq - 1;
    }
    if (seq > e->reasm.trim_seq) {
        if (seq > e->reasm.last_reassem_seq && seq <= 2 && t->is_partial) {
            /* Faked-up initial sequence of a partial connection. */
            e->reasm.trim_seq = seq;
        } else {
            bool counted =
                e->state == SHOAL_TCP_ESTABLISHED && tcp_peer(t, e)->state == SHOAL_TCP_ESTABLISHED;
            shoal_reasm_trim(&e->reasm, seq, &sink);
            if (counted) { /* capture_loss.log's acks and gaps */
                pool->ack_events++;
                pool->gap_events += sc.missing > 0;
            }
        }
    }
    tcp_check_eof(x, c, e);
}

static void tcp_data_sent(struct shoal_ctx *x, struct shoal_conn *c, struct shoal_tcp_endpoint *e,
                          uint64_t seq, uint32_t len, const uint8_t *data)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);
    bool is_orig = tcp_is_orig(t, e);
    struct tcp_sink_ctx sc = {x, c, is_orig, 0};
    struct shoal_reasm_sink sink = {tcp_sink_deliver, tcp_sink_gap, &sc, shoal_ctx_reasm_pool(x)};
    uint64_t ack = rel_seq_space(e, e->ack_seq, e->ack_wraps);
    uint64_t upper = seq + len;

    if (seq < ack) {
        if (upper <= ack) {
            return;
        }
        uint64_t acked = ack - seq;
        seq += acked;
        data += acked;
        len -= (uint32_t)acked;
    }
    if (!shoal_an_wants_data(x, c, is_orig)) {
        data = NULL;
    }
    shoal_reasm_add(&e->reasm, seq, data, len, (uint32_t)shoal_ctx_config(x)->tcp_max_buffer,
                    &sink);
    if (tcp_no_data_acked(e) && shoal_tcp_size(t, is_orig) > TCP_MAX_INITIAL_WINDOW &&
        e->reasm.trim_seq < e->reasm.last_reassem_seq && !shoal_reasm_has_blocks(&e->reasm)) {
        e->reasm.trim_seq = e->reasm.last_reassem_seq;
    }
}

/* ---- closing ---- */

static void tcp_cancel_timers(struct shoal_tcp *t)
{
    t->attempt_at = t->expire_at = t->partial_close_at = t->reset_at = 0;
}

static void tcp_connection_closed(struct shoal_ctx *x, struct shoal_conn *c,
                                  struct shoal_tcp_endpoint *e, struct shoal_tcp_endpoint *peer,
                                  bool gen_event)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);
    const struct shoal_config *cfg = shoal_ctx_config(x);

    if (tcp_data_pending(t, e)) {
        t->close_deferred = true;
        if (!t->deferred_gen_event) {
            t->deferred_gen_event = gen_event;
        }
        return;
    }
    t->close_deferred = false;
    if (e->did_close) {
        return;
    }
    e->did_close = true;
    bool complete =
        e->state == SHOAL_TCP_RESET || peer->did_close || peer->state == SHOAL_TCP_INACTIVE;
    if (complete) {
        if (e->prev_state != SHOAL_TCP_INACTIVE || peer->state != SHOAL_TCP_INACTIVE) {
            if (t->deferred_gen_event) {
                gen_event = true;
                t->deferred_gen_event = false;
            }
            if (gen_event) {
                t->is_active = false; /* connection finished */
            }
        }
        tcp_cancel_timers(t);
        tcp_timer_set(c, &t->delete_at, c->last + cfg->tcp_close_delay);
        shoal_conn_schedule(x, c, tcp_timer(c, t->delete_at));
    } else if (e->prev_state == SHOAL_TCP_INACTIVE) {
        tcp_timer_set(c, &t->partial_close_at, c->last + cfg->tcp_partial_close_delay);
        shoal_conn_schedule(x, c, tcp_timer(c, t->partial_close_at));
    } else {
        double at = c->last + TCP_SESSION_TIMER;
        if (t->expire_at == 0 || at < tcp_timer(c, t->expire_at)) {
            tcp_timer_set(c, &t->expire_at, at);
        }
        shoal_conn_schedule(x, c, tcp_timer(c, t->expire_at));
    }
}

static void tcp_connection_reset(struct shoal_tcp *t)
{
    t->is_active = false;
}

/* ---- state machine ---- */

/* May flip the connection (SYN/SYN-ACK reversal): then *pe and *ppeer are
 * moved to where the two endpoints' state now lives. */
static void tcp_update_inactive(struct shoal_ctx *x, struct shoal_conn *c, double ts,
                                struct shoal_tcp_endpoint **pe, struct shoal_tcp_endpoint **ppeer,
                                uint32_t base_seq, uint32_t ack_seq, uint32_t len, bool is_orig,
                                uint8_t flags, bool *do_close, bool *gen_event)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);
    struct shoal_tcp_endpoint *e = *pe;
    struct shoal_tcp_endpoint *peer = *ppeer;
    const struct shoal_config *cfg = shoal_ctx_config(x);

    if (flags & TH_SYN) {
        if (is_orig) {
            if (flags & TH_ACK) {
                shoal_conn_weird(x, c, "connection_originator_SYN_ack", NULL, NULL);
                tcp_set_state(t, e, SHOAL_TCP_SYN_ACK_SENT);
            } else {
                tcp_set_state(t, e, SHOAL_TCP_SYN_SENT);
            }
            if (cfg->tcp_syn_timeout > 0) {
                tcp_timer_set(c, &t->attempt_at, ts + cfg->tcp_syn_timeout);
                shoal_conn_schedule(x, c, tcp_timer(c, t->attempt_at));
            }
        } else {
            if (flags & TH_ACK) {
                if (peer->state != SHOAL_TCP_INACTIVE && peer->state != SHOAL_TCP_PARTIAL &&
                    !(seq_delta(ack_seq, peer->start_seq) >= 0 &&
                      seq_delta(ack_seq, peer->last_seq) <= 0)) {
                    shoal_conn_weird(x, c, "bad_SYN_ack", NULL, NULL);
                }
            } else if (peer->state == SHOAL_TCP_SYN_ACK_SENT && base_seq == e->start_seq) {
                /* SYN/SYN-ACK reversal: flip and establish. */
                t->is_partial = false;
                shoal_conn_flip(x, c);
                /* After the flip, e is the originator's endpoint. */
                struct shoal_tcp_endpoint *tmp = e;
                e = peer;
                peer = tmp;
                *pe = e;
                *ppeer = peer;
                tcp_set_state(t, peer, SHOAL_TCP_ESTABLISHED);
                t->first_packet_seen |= 1;
            } else {
                shoal_conn_weird(x, c, "simultaneous_open", NULL, NULL);
            }
            if (peer->state == SHOAL_TCP_SYN_SENT) {
                tcp_set_state(t, peer, SHOAL_TCP_ESTABLISHED);
            } else if (peer->state == SHOAL_TCP_INACTIVE) {
                shoal_conn_weird(x, c, "unsolicited_SYN_response", NULL, NULL);
            }
            tcp_set_state(t, e, SHOAL_TCP_ESTABLISHED);
            if (peer->state != SHOAL_TCP_PARTIAL) {
                shoal_an_conn_established(x, c); /* as Zeek, at the SYN-ACK */
            }
        }
    }
    if (flags & TH_FIN) {
        tcp_set_state(t, e, SHOAL_TCP_CLOSED);
        *do_close = *gen_event = true;
        if (peer->state != SHOAL_TCP_PARTIAL && !(flags & TH_SYN)) {
            shoal_conn_weird(x, c, "spontaneous_FIN", NULL, NULL);
        }
    }
    if (flags & TH_RST) {
        bool is_reject = false;
        tcp_set_state(t, e, SHOAL_TCP_RESET);
        if (is_orig) {
            if (peer->state == SHOAL_TCP_ESTABLISHED) {
                is_reject = true;
            }
        } else if (peer->state == SHOAL_TCP_SYN_SENT || peer->state == SHOAL_TCP_SYN_ACK_SENT) {
            is_reject = true;
        }
        *do_close = true;
        *gen_event = !is_reject;
        if (!is_reject && peer->state == SHOAL_TCP_INACTIVE) {
            shoal_conn_weird(x, c, "spontaneous_RST", NULL, NULL);
        }
    }
    if (e->state == SHOAL_TCP_INACTIVE) {
        if (!is_orig && len == 0 && t->orig.state == SHOAL_TCP_SYN_SENT) {
            /* An ACK of the initial SYN before the SYN-ACK: not partial. */
        } else if ((flags & TH_ACK) && peer->state == SHOAL_TCP_ESTABLISHED) {
            tcp_set_state(t, e, SHOAL_TCP_ESTABLISHED);
            t->is_partial = false;
            t->first_packet_seen |= is_orig ? 1 : 2;
        } else {
            tcp_set_state(t, e, SHOAL_TCP_PARTIAL);
        }
    }
}

static void tcp_update_syn_sent(struct shoal_ctx *x, struct shoal_conn *c,
                                struct shoal_tcp_endpoint *e, struct shoal_tcp_endpoint *peer,
                                uint32_t len, bool is_orig, uint8_t flags, bool *do_close,
                                bool *gen_event)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);

    if (flags & TH_SYN) {
        if (is_orig) {
            if ((flags & TH_ACK) && !(flags & (TH_FIN | TH_RST)) &&
                e->state != SHOAL_TCP_SYN_ACK_SENT) {
                shoal_conn_weird(x, c, "repeated_SYN_with_ack", NULL, NULL);
            }
        } else if (!(flags & TH_ACK) && e->state != SHOAL_TCP_SYN_SENT) {
            shoal_conn_weird(x, c, "repeated_SYN_reply_wo_ack", NULL, NULL);
        }
    }
    if (flags & TH_FIN) {
        if (peer->state == SHOAL_TCP_INACTIVE || peer->state == SHOAL_TCP_SYN_SENT) {
            shoal_conn_weird(x, c, "inappropriate_FIN", NULL, NULL);
        }
        tcp_set_state(t, e, SHOAL_TCP_CLOSED);
        *do_close = *gen_event = true;
    }
    if (flags & TH_RST) {
        tcp_set_state(t, e, SHOAL_TCP_RESET);
        tcp_connection_reset(t);
        *do_close = true;
    } else if (len > 0) {
        shoal_conn_weird(x, c, "data_before_established", NULL, NULL);
    }
}

static void tcp_update_established(struct shoal_ctx *x, struct shoal_conn *c,
                                   struct shoal_tcp_endpoint *e, struct shoal_tcp_endpoint *peer,
                                   uint8_t flags, bool *do_close, bool *gen_event)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);

    if ((flags & TH_SYN) && e->state == SHOAL_TCP_PARTIAL && peer->state == SHOAL_TCP_INACTIVE &&
        !(flags & TH_ACK)) {
        shoal_conn_weird(x, c, "SYN_after_partial", NULL, NULL);
        tcp_set_state(t, e, SHOAL_TCP_SYN_SENT);
    }
    if ((flags & TH_FIN) && !(flags & TH_RST)) {
        tcp_set_state(t, e, SHOAL_TCP_CLOSED);
        if (peer->state == SHOAL_TCP_RESET && peer->prev_state == SHOAL_TCP_CLOSED) {
            tcp_set_state(t, peer, SHOAL_TCP_CLOSED);
        }
        *do_close = *gen_event = true;
    }
    if (flags & TH_RST) {
        tcp_set_state(t, e, SHOAL_TCP_RESET);
        *do_close = true;
        if (peer->state != SHOAL_TCP_RESET || peer->prev_state != SHOAL_TCP_ESTABLISHED) {
            tcp_connection_reset(t);
        }
    }
}

static void tcp_update_closed(struct shoal_ctx *x, struct shoal_conn *c, double ts,
                              struct shoal_tcp_endpoint *e, int32_t delta_last, uint8_t flags,
                              bool *do_close)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);

    if (flags & TH_SYN) {
        shoal_conn_weird(x, c, "SYN_after_close", NULL, NULL);
    }
    if ((flags & TH_FIN) && delta_last > 0) {
        shoal_conn_weird(x, c, "FIN_advanced_last_seq", NULL, NULL);
    }
    if ((flags & TH_RST) && tcp_peer(t, e)->state != SHOAL_TCP_CLOSED) {
        tcp_set_state(t, e, SHOAL_TCP_RESET);
        if (!e->did_close) {
            *do_close = true;
        }
        tcp_timer_set(c, &t->reset_at, ts + shoal_ctx_config(x)->tcp_reset_delay);
        shoal_conn_schedule(x, c, tcp_timer(c, t->reset_at));
    }
}

static void tcp_update_reset(struct shoal_ctx *x, struct shoal_conn *c, uint32_t len, uint8_t flags)
{
    if (flags & TH_SYN) {
        shoal_conn_weird(x, c, "SYN_after_reset", NULL, NULL);
    }
    if (flags & TH_FIN) {
        shoal_conn_weird(x, c, "FIN_after_reset", NULL, NULL);
    }
    if (len > 0 && !(flags & TH_RST)) {
        shoal_conn_weird(x, c, "data_after_reset", NULL, NULL);
    }
}

/* ---- per packet ---- */

/* One segment, as the steps of shoal_tcp_packet read it. */
struct tcp_seg {
    const uint8_t *data; /* payload */
    uint32_t len;        /* payload on the wire */
    uint32_t caplen;     /* payload captured */
    uint32_t base_seq;
    uint32_t ack_seq;
    int32_t seg_len;       /* sequence space used: payload, SYN, FIN (a RST's payload is not) */
    uint32_t seq_one_past; /* base_seq + seg_len */
    uint16_t window;
    uint8_t flags;
};

/*
 * Read the TCP header of p into *s.  False (a weird reported, a bad
 * checksum counted in the history) if the header is short or the checksum
 * wrong.
 */
static inline bool tcp_seg_read(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                                const struct shoal_pkt *p, struct tcp_seg *s)
{
    const uint8_t *th = p->l4;
    uint32_t hdr_len = (uint32_t)(th[12] >> 4) * 4;

    if (hdr_len < 20) {
        shoal_conn_weird(x, c, "bad_TCP_header_len", NULL, NULL);
        return false;
    }
    if (hdr_len > p->l4_len || hdr_len > p->l4_cap) {
        shoal_conn_weird(x, c, "truncated_header", NULL, NULL);
        return false;
    }
    if (!shoal_ctx_config(x)->ignore_checksums && p->l4_cap >= p->l4_len &&
        !shoal_l4_checksum_ok(p)) {
        struct shoal_tcp *t = shoal_conn_tcp(c);
        shoal_conn_weird(x, c, "bad_TCP_checksum", NULL, NULL);
        tcp_scaled(c, is_orig, 'C', is_orig ? &t->orig.chk : &t->resp.chk);
        return false;
    }
    s->data = th + hdr_len;
    s->len = p->l4_len - hdr_len;
    s->caplen = p->l4_cap - hdr_len;
    s->flags = th[13];
    s->base_seq = shoal_be32(th + 4);
    s->ack_seq = shoal_be32(th + 8);
    s->window = shoal_be16(th + 14);
    s->seg_len = (int32_t)s->len;
    if (s->flags & TH_SYN) {
        s->seg_len++;
    }
    if (s->flags & TH_FIN) {
        s->seg_len++;
    }
    if (s->flags & TH_RST) {
        s->seg_len -= (int32_t)s->len;
    }
    s->seq_one_past = s->base_seq + (uint32_t)s->seg_len;
    return true;
}

/* Zeek's SetPartialStatus: is the connection's start missing? */
static inline void tcp_set_partial(struct shoal_tcp *t, bool is_orig, uint8_t flags)
{
    if (is_orig) {
        if (!(t->first_packet_seen & 1)) {
            t->is_partial = !(flags & TH_SYN) || (flags & TH_ACK);
        }
    } else if (!(t->first_packet_seen & 2) && !t->is_partial) {
        t->is_partial = !(flags & TH_SYN);
    }
}

/* The weirds of odd SYNs, and the FIN and RST counts of e. */
static inline void tcp_note_flags(struct shoal_ctx *x, struct shoal_conn *c,
                                  struct shoal_tcp_endpoint *e, const struct tcp_seg *s,
                                  uint64_t rel_seq)
{
    if (s->flags & TH_SYN) {
        if (s->flags & TH_RST) {
            shoal_conn_weird(x, c, "TCP_christmas", NULL, "TCP");
        }
        if (s->flags & TH_URG) {
            shoal_conn_weird(x, c, "baroque_SYN", NULL, "TCP");
        }
        if (s->len > 0) {
            shoal_conn_weird(x, c, "SYN_with_data", NULL, "TCP");
        }
    }
    if (s->flags & TH_FIN) {
        if (e->fin_cnt < UINT16_MAX) {
            e->fin_cnt++;
        }
        e->fin_seq = rel_seq + (uint64_t)(int64_t)s->seg_len;
    }
    if ((s->flags & TH_RST) && e->rst_cnt < UINT16_MAX) {
        e->rst_cnt++;
    }
}

/*
 * The ACK of a segment from e: the peer's sequence space starts at it if
 * the peer was not seen yet, else the peer's highest acknowledged sequence
 * number moves.  Returns the acknowledged sequence number relative to the
 * peer's start (0 on an underflow).
 */
static inline uint64_t tcp_seg_ack(struct shoal_ctx *x, struct shoal_conn *c,
                                   const struct shoal_tcp_endpoint *e,
                                   struct shoal_tcp_endpoint *peer, const struct tcp_seg *s)
{
    uint32_t ack_seq = s->ack_seq;

    if (peer->state == SHOAL_TCP_INACTIVE) {
        if (!(s->flags & (TH_SYN | TH_FIN | TH_RST)) &&
            (e->state == SHOAL_TCP_SYN_SENT || e->state == SHOAL_TCP_SYN_ACK_SENT ||
             e->state == SHOAL_TCP_ESTABLISHED)) {
            shoal_conn_weird(x, c, "possible_split_routing", NULL, NULL);
        }
        peer->start_seq = ack_seq - 1;
        peer->ack_seq = ack_seq - 1;
        peer->last_seq = ack_seq - 1;
        return 1;
    }
    bool ack_underflow = false;
    uint64_t rel_ack =
        tcp_relative_seq(peer, ack_seq, peer->ack_seq, peer->ack_wraps, &ack_underflow);
    if (ack_underflow) {
        shoal_conn_weird(x, c, "TCP_ack_underflow_or_misorder", NULL, NULL);
        return 0;
    }
    if (!(s->flags & TH_RST)) {
        int32_t d = seq_delta(ack_seq, peer->ack_seq);
        if (!(ack_seq == 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0) {
            tcp_update_ack_seq_raw(peer, ack_seq);
        }
    }
    return rel_ack;
}

/* Run e's state machine on the segment.  A SYN/SYN-ACK reversal flips the
 * connection: *pe and *ppeer then follow the endpoints. */
static inline void tcp_update_state(struct shoal_ctx *x, struct shoal_conn *c, double ts,
                                    struct shoal_tcp_endpoint **pe,
                                    struct shoal_tcp_endpoint **ppeer, const struct tcp_seg *s,
                                    int32_t delta_last, bool is_orig, bool *do_close,
                                    bool *gen_event)
{
    struct shoal_tcp_endpoint *e = *pe;

    switch (e->state) {
    case SHOAL_TCP_INACTIVE:
        tcp_update_inactive(x, c, ts, pe, ppeer, s->base_seq, s->ack_seq, s->len, is_orig, s->flags,
                            do_close, gen_event);
        break;
    case SHOAL_TCP_SYN_SENT:
    case SHOAL_TCP_SYN_ACK_SENT:
        tcp_update_syn_sent(x, c, e, *ppeer, s->len, is_orig, s->flags, do_close, gen_event);
        break;
    case SHOAL_TCP_ESTABLISHED:
    case SHOAL_TCP_PARTIAL:
        tcp_update_established(x, c, e, *ppeer, s->flags, do_close, gen_event);
        break;
    case SHOAL_TCP_CLOSED:
        tcp_update_closed(x, c, ts, e, delta_last, s->flags, do_close);
        break;
    case SHOAL_TCP_RESET:
        tcp_update_reset(x, c, s->len, s->flags);
        break;
    }
}

/* Hand the payload of a segment from e to reassembly (unless it is a RST's,
 * or lies before the stream's start). */
static inline void tcp_seg_data(struct shoal_ctx *x, struct shoal_conn *c,
                                struct shoal_tcp_endpoint *e, const struct tcp_seg *s,
                                uint64_t rel_seq, bool seq_underflow)
{
    uint64_t rel_data_seq = (s->flags & TH_SYN) ? rel_seq + 1 : rel_seq;

    if (s->len > 0 && !(s->flags & TH_RST) && !seq_underflow) {
        if (s->caplen >= s->len) {
            tcp_data_sent(x, c, e, rel_data_seq, s->len, s->data);
        } else {
            shoal_conn_weird(x, c, "truncated_tcp_payload", NULL, NULL);
        }
    }
}

/* Zeek's TCPSessionAdapter::DeliverPacket, step by step. */
bool shoal_tcp_packet(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                      const struct shoal_pkt *p)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);
    struct tcp_seg s;

    if (!tcp_seg_read(x, c, is_orig, p, &s)) {
        return false;
    }
    struct shoal_tcp_endpoint *e = is_orig ? &t->orig : &t->resp;
    struct shoal_tcp_endpoint *peer = is_orig ? &t->resp : &t->orig;
    if (s.flags & TH_SYN) {
        t->saw_syn = true;
    }
    tcp_set_partial(t, is_orig, s.flags);
    tcp_init_endpoint(x, c, e, s.flags, s.base_seq, s.seq_one_past);

    bool seq_underflow = false;
    uint64_t rel_seq = tcp_relative_seq(e, s.base_seq, e->last_seq, e->seq_wraps, &seq_underflow);
    if (seq_underflow && !(s.flags & TH_RST)) {
        shoal_conn_weird(x, c, "TCP_seq_underflow_or_misorder", NULL, NULL);
    }
    tcp_update_history(c, is_orig, e, s.flags, rel_seq, s.len);
    tcp_zero_window(c, is_orig, t, e, s.window, s.flags);
    if (!t->orig.did_close || !t->resp.did_close) {
        c->last = p->ts;
    }
    tcp_note_flags(x, c, e, &s, rel_seq);
    uint64_t rel_ack = (s.flags & TH_ACK) ? tcp_seg_ack(x, c, e, peer, &s) : 0;
    int32_t delta_last = tcp_update_last_seq(x, c, e, s.seq_one_past, s.flags, s.len, is_orig);

    bool do_close = false;
    bool gen_event = false;
    tcp_update_state(x, c, p->ts, &e, &peer, &s, delta_last, is_orig, &do_close, &gen_event);
    if (s.flags & TH_ACK) {
        tcp_ack_received(x, c, peer, rel_ack);
    }
    t->first_packet_seen |= is_orig ? 1 : 2;
    tcp_seg_data(x, c, e, &s, rel_seq, seq_underflow);
    tcp_check_eof(x, c, e);
    if (do_close) {
        tcp_connection_closed(x, c, e, peer, gen_event);
    }
    return true;
}

bool shoal_tcp_is_reuse(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_pkt *p)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);
    const uint8_t *th = p->l4;
    uint8_t flags = th[13];
    struct shoal_tcp_endpoint *conn_orig = &t->orig;

    if ((th[12] >> 4) < 5 || !(flags & TH_SYN)) {
        return false;
    }
    if (flags & TH_ACK) {
        if (t->orig.state != SHOAL_TCP_INACTIVE) {
            return false;
        }
        conn_orig = &t->resp;
    }
    bool resets = t->orig.state == SHOAL_TCP_RESET || t->resp.state == SHOAL_TCP_RESET;
    if (!t->orig.did_close && !t->resp.did_close) {
        uint32_t base_seq = shoal_be32(th + 4);
        if (base_seq == conn_orig->start_seq) {
            return false;
        }
        if (!(flags & TH_ACK) && conn_orig->state == SHOAL_TCP_SYN_ACK_SENT &&
            t->resp.state == SHOAL_TCP_INACTIVE && base_seq == t->resp.start_seq) {
            return false;
        }
        shoal_conn_weird(x, c,
                         conn_orig->state == SHOAL_TCP_SYN_SENT ? "SYN_seq_jump"
                                                                : "active_connection_reuse",
                         NULL, NULL);
    } else if (((t->orig.state != SHOAL_TCP_INACTIVE && !t->orig.did_close) ||
                (t->resp.state != SHOAL_TCP_INACTIVE && !t->resp.did_close)) &&
               !resets) {
        shoal_conn_weird(x, c, "active_connection_reuse", NULL, NULL);
    } else if (p->ts - c->last < TCP_CONNECTION_LINGER && !resets) {
        shoal_conn_weird(x, c, "premature_connection_reuse", NULL, NULL);
    }
    return true;
}

double shoal_tcp_next_timer(const struct shoal_conn *c)
{
    const struct shoal_tcp *t = shoal_conn_tcp(c);
    double v[] = {tcp_timer(c, t->attempt_at), tcp_timer(c, t->expire_at),
                  tcp_timer(c, t->delete_at), tcp_timer(c, t->partial_close_at),
                  tcp_timer(c, t->reset_at)};
    double best = 0;

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (v[i] > 0 && (best == 0 || v[i] < best)) {
            best = v[i];
        }
    }
    return best;
}

bool shoal_tcp_timers(struct shoal_ctx *x, struct shoal_conn *c, double now)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);

    if (t->delete_at > 0 && tcp_timer(c, t->delete_at) <= now) {
        return true;
    }
    if (t->attempt_at > 0 && tcp_timer(c, t->attempt_at) <= now) {
        t->attempt_at = 0;
        if (t->is_active &&
            (t->orig.state == SHOAL_TCP_SYN_SENT || t->orig.state == SHOAL_TCP_SYN_ACK_SENT) &&
            t->resp.state == SHOAL_TCP_INACTIVE) {
            t->is_active = false;
            return true;
        }
    }
    if (t->partial_close_at > 0 && tcp_timer(c, t->partial_close_at) <= now) {
        t->partial_close_at = 0;
        if (t->is_active && t->orig.state != SHOAL_TCP_INACTIVE &&
            t->resp.state != SHOAL_TCP_INACTIVE && (!t->orig.did_close || !t->resp.did_close) &&
            t->orig.state != SHOAL_TCP_RESET && t->resp.state != SHOAL_TCP_RESET) {
            return true;
        }
    }
    if (t->reset_at > 0 && tcp_timer(c, t->reset_at) <= now) {
        t->reset_at = 0;
        if (t->is_active) {
            if (!t->orig.did_close || !t->resp.did_close) {
                tcp_connection_reset(t);
            }
            return true;
        }
    }
    if (t->expire_at > 0 && tcp_timer(c, t->expire_at) <= now) {
        double fired = tcp_timer(c, t->expire_at);
        t->expire_at = 0;
        if (!t->is_active) {
            return false;
        }
        if (c->last + TCP_CONNECTION_LINGER < fired) {
            if (t->orig.did_close || t->resp.did_close) {
                if ((t->orig.did_close && t->resp.did_close) || t->orig.state == SHOAL_TCP_RESET ||
                    t->resp.state == SHOAL_TCP_RESET || t->orig.state == SHOAL_TCP_INACTIVE ||
                    t->resp.state == SHOAL_TCP_INACTIVE) {
                    t->is_active = false;
                    return true;
                }
            }
            if (t->resp.state == SHOAL_TCP_INACTIVE && t->orig.state == SHOAL_TCP_INACTIVE) {
                return true;
            }
        }
        tcp_timer_set(c, &t->expire_at, fired + TCP_SESSION_TIMER);
    }
    return false;
}

void shoal_tcp_done(struct shoal_ctx *x, struct shoal_conn *c)
{
    struct shoal_tcp *t = shoal_conn_tcp(c);

    if (!t->orig.did_eof) {
        t->orig.did_eof = true;
        shoal_an_eof(x, c, true);
    }
    if (!t->resp.did_eof) {
        t->resp.did_eof = true;
        shoal_an_eof(x, c, false);
    }
}

static bool tcp_history_rstos0(const char *h)
{
    /* /\^?S[^HAFGIQ]*R.* / */
    if (*h == '^') {
        h++;
    }
    if (*h++ != 'S') {
        return false;
    }
    for (; *h; h++) {
        if (*h == 'R') {
            return true;
        }
        if (strchr("HAFGIQ", *h) != NULL) {
            return false;
        }
    }
    return false;
}

const char *shoal_tcp_conn_state(const struct shoal_conn *c)
{
    const struct shoal_tcp *t = shoal_conn_tcp(c);
    uint8_t os = t->orig.state;
    uint8_t rs = t->resp.state;
    bool o_inactive = os == SHOAL_TCP_INACTIVE || os == SHOAL_TCP_PARTIAL;
    bool r_inactive = rs == SHOAL_TCP_INACTIVE || rs == SHOAL_TCP_PARTIAL;

    if (rs == SHOAL_TCP_RESET) {
        if (os == SHOAL_TCP_SYN_SENT || os == SHOAL_TCP_SYN_ACK_SENT ||
            (os == SHOAL_TCP_RESET && shoal_tcp_size(t, true) == 0 &&
             shoal_tcp_size(t, false) == 0)) {
            return "REJ";
        }
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == SHOAL_TCP_RESET) {
        if (r_inactive) {
            char h[SHOAL_HISTORY_MAX + 1];
            return tcp_history_rstos0(shoal_conn_history(c, h)) ? "RSTOS0" : "OTH";
        }
        return "RSTO";
    }
    if (rs == SHOAL_TCP_CLOSED && os == SHOAL_TCP_CLOSED) {
        return "SF";
    }
    if (os == SHOAL_TCP_CLOSED) {
        return r_inactive ? "SH" : "S2";
    }
    if (rs == SHOAL_TCP_CLOSED) {
        return o_inactive ? "SHR" : "S3";
    }
    if (os == SHOAL_TCP_SYN_SENT && rs == SHOAL_TCP_INACTIVE) {
        return "S0";
    }
    if (os == SHOAL_TCP_ESTABLISHED && rs == SHOAL_TCP_ESTABLISHED) {
        return "S1";
    }
    return "OTH";
}
