/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP connection analysis with the semantics of Zeek's TCP analyzer: the
 * per-endpoint state machine (inactive, SYN sent, SYN-ACK sent, partial,
 * established, closed, reset), sequence tracking with 32-bit wrap-around
 * (orig_bytes/resp_bytes come from sequence numbers), the history letters,
 * stream reassembly with content-gap accounting, and the close/expire
 * timers that decide when a connection is over.
 */
#ifndef SHOAL_TCP_H
#define SHOAL_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/reasm.h"

enum shoal_tcp_state {
    SHOAL_TCP_INACTIVE = 0,
    SHOAL_TCP_SYN_SENT,
    SHOAL_TCP_SYN_ACK_SENT,
    SHOAL_TCP_PARTIAL,
    SHOAL_TCP_ESTABLISHED,
    SHOAL_TCP_CLOSED,
    SHOAL_TCP_RESET,
};

/* A scaled history counter: the letter is added at 1, 10, 100, ... events. */
struct shoal_hist_scale {
    uint32_t count;
};

/* 88 bytes: the four leading bytes of flags, twelve 32-bit words, the FIN
 * sequence and the reassembler (24) leave no padding. */
struct shoal_tcp_endpoint {
    uint8_t state;
    uint8_t prev_state;
    bool did_close;
    bool did_eof;
    uint16_t fin_cnt; /* saturates at UINT16_MAX (only "> 0" is ever asked) */
    uint16_t rst_cnt; /* saturates likewise */
    uint32_t start_seq;
    uint32_t last_seq;
    uint32_t ack_seq;
    uint32_t seq_wraps;
    uint32_t ack_wraps;
    uint32_t hist_last_syn; /* low bits of the relative seq of the last SYN */
    uint32_t hist_last_fin;
    uint32_t hist_last_rst;
    struct shoal_hist_scale chk, rxmt, win0, gap;
    uint64_t fin_seq; /* relative; fields ordered so that nothing is padding */
    struct shoal_reasm reasm;
};

/* 200 bytes: two endpoints, the flags in one byte (bit-fields: nothing
 * takes their address), five timers. */
struct shoal_tcp {
    struct shoal_tcp_endpoint orig;
    struct shoal_tcp_endpoint resp;
    bool is_partial : 1;
    bool is_active : 1;
    bool close_deferred : 1;
    bool deferred_gen_event : 1;
    bool saw_syn : 1;              /* a SYN or SYN-ACK was seen: the stream start is known */
    bool established_timeout : 1;  /* inactivity timeout is tcp's, not the initial one */
    uint8_t first_packet_seen : 2; /* 1 orig, 2 resp */
    /* Pending timers: seconds after the connection's start, 0 = none. */
    float attempt_at;
    float expire_at;
    float delete_at;
    float partial_close_at;
    float reset_at;
};

struct shoal_conn;
struct shoal_ctx;
struct shoal_pkt;

/* Set up the TCP state of a new connection created at time `t`. */
void shoal_tcp_init(struct shoal_ctx *x, struct shoal_conn *c, double t);

/* Process one TCP segment (header at p->l4) in direction is_orig.  Returns
 * false if the packet was discarded (bad checksum, bad header). */
bool shoal_tcp_packet(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                      const struct shoal_pkt *p);

/* Zeek's IsReuse: should this SYN start a new connection? */
bool shoal_tcp_is_reuse(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_pkt *p);

/* Fire the connection's TCP timers due at `now`.  Returns true if the
 * connection is over and must be removed. */
bool shoal_tcp_timers(struct shoal_ctx *x, struct shoal_conn *c, double now);

/* Earliest pending TCP timer, or 0. */
double shoal_tcp_next_timer(const struct shoal_conn *c);

/* Bytes each side sent, from sequence numbers (Zeek's endpoint Size()). */
uint64_t shoal_tcp_size(const struct shoal_tcp *t, bool is_orig);

/* conn_state string (S0, SF, REJ, ...). */
const char *shoal_tcp_conn_state(const struct shoal_conn *c);

/* Release reassembly buffers (their bytes leave the node's count). */
void shoal_tcp_free(struct shoal_ctx *x, struct shoal_tcp *t);

/* Deliver end-of-stream to analyzers for directions not yet at EOF. */
void shoal_tcp_done(struct shoal_ctx *x, struct shoal_conn *c);

#endif
