/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table of a packet thread: one struct shoal_conn per flow
 * (TCP, UDP, ICMP or another IP protocol), found by a symmetric key hashed
 * with xxhash, expired by a timer wheel in network time, capped in number
 * (the oldest go first, counted).  It applies Zeek's rules for who is the
 * originator, keeps the per-direction counters of conn.log, drives the TCP
 * analysis and the protocol analyzers, and writes conn.log when a
 * connection ends.
 *
 * Implemented by ctx.c (the packet-thread context and the packet entry),
 * conn.c (the connection table) and conn_log.c (conn.log); ctx.h is their
 * shared inside.
 */
#ifndef SHOAL_CONN_H
#define SHOAL_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include <shoal/shoal.h>
#include "engine/tcp.h"
#include "engine/tunnel.h"

struct shoal_pkt;
struct shoal_decoder;
struct shoal_ctx;
struct shoal_attach;
struct shoal_dpd_buf;
struct shoal_analyzers;
struct shoal_logger;

/* History bits, as Zeek's but in 16 bits: the responder's are the
 * originator's shifted by SHOAL_HIST_RESP_SHIFT. */
enum {
    SHOAL_HIST_SYN = 0x1,
    SHOAL_HIST_FIN = 0x2,
    SHOAL_HIST_RST = 0x4,
    SHOAL_HIST_FIN_RST = 0x8,
    SHOAL_HIST_DATA = 0x10,
    SHOAL_HIST_ACK = 0x20,
    SHOAL_HIST_MULTI_FLAG = 0x40,
    SHOAL_HIST_UNKNOWN_PKT = 0x80, /* 'X': a limit was hit (Zeek's HIST_UNKNOWN_PKT) */
};
#define SHOAL_HIST_RESP_SHIFT 8

#define SHOAL_HISTORY_MAX 23

/* tunnel_parents kept per connection (Zeek's changes limit keeps it small). */
#define SHOAL_CONN_MAX_PARENTS 4

/* Services whose confirmation order a connection keeps (more are listed
 * after them in bit order). */
#define SHOAL_CONN_SVC_ORDER 8

/* The counters of conn.log.  A connection keeps their low 32 bits; a
 * counter that passes 2^32 carries into the extension (allocated then), so
 * none wraps.  Should that allocation fail, the counter stays at
 * UINT32_MAX (a lower bound) until an allocation succeeds. */
enum shoal_conn_counter {
    SHOAL_CONN_ORIG_PKTS,
    SHOAL_CONN_RESP_PKTS,
    SHOAL_CONN_ORIG_IP_BYTES,
    SHOAL_CONN_RESP_IP_BYTES,
    SHOAL_CONN_MISSED_BYTES,
    SHOAL_CONN_NCOUNTERS
};

/* What few connections need, allocated on first use and freed with the
 * connection: the tunnels a connection was seen inside (see tunnel.h), and
 * the high words of counters that passed 32 bits. */
struct shoal_conn_ext {
    uint64_t encap_sig; /* shoal_encap_sig() of the tunnels of its last packet */
    uint64_t parents[SHOAL_CONN_MAX_PARENTS]; /* serials of tunnel_parents */
    uint32_t hi[SHOAL_CONN_NCOUNTERS];
    uint8_t nparents;
    uint8_t changes; /* tunnel changes counted, as Zeek's tunnel_changes */
    /* Service bits in the order their analyzers confirmed (conn.log lists
     * them so, as Zeek's ordered c$service); kept only once a second
     * service confirms: with one, the mask says it all. */
    uint8_t nsvc;
    uint8_t svc_order[SHOAL_CONN_SVC_ORDER];
};

/* The UDP tunnel analysis of a connection (see tunnel.h). */
struct shoal_conn_tunnel {
    uint8_t confirmed;    /* SHOAL_TUNNEL_BIT_*: UDP tunnel analyzers that confirmed */
    uint8_t violated;     /* SHOAL_TUNNEL_BIT_*: UDP tunnel analyzers that gave up */
    uint8_t teredo_valid; /* 1: valid Teredo from the originator, 2: from the responder */
    uint8_t carrier;      /* enum shoal_tunnel_type this connection carried, 0 none */
};

/* What UDP and ICMP connections count; allocated right after their struct
 * shoal_conn as the TCP state is after a TCP connection's. */
struct shoal_dgram {
    int64_t orig_len; /* -1: no datagram yet */
    int64_t resp_len;
    struct shoal_hist_scale orig_chk, resp_chk;
};

/*
 * A connection: 168 bytes on LP64, laid out so that nothing is padding.
 * Its transport state follows it in the same slab (shoal_conn_tcp,
 * shoal_conn_dgram).  Links are 32-bit slab indices (0: none), resolved by
 * the context; times a connection is only compared against are offsets
 * from `start`; history letters are packed in 5 bits each.
 */
struct shoal_conn {
    struct shoal_conn_id id; /* as logged: orig/resp after any flip */
    uint16_t vlan, inner_vlan;
    struct shoal_conn_tunnel tun;
    uint16_t hist_seen; /* SHOAL_HIST_* bits seen */
    uint32_t hnext;     /* hash chain */
    uint32_t tnext;     /* timer wheel slot list */
    uint32_t tprev;     /* previous in it, or its slot (see conn.c), 0: not in the wheel */
    /* Here, in the first 64 bytes with the id and hnext, so that a lookup
     * walking a hash chain reads one cache line per connection. */
    uint8_t hist_len;
    bool one_way : 1; /* ICMP without counterpart type: key is directional */
    bool removed : 1;
    uint8_t dpd; /* signature matching done: 1 orig, 2 resp */
    uint8_t natt;
    double start;
    double last;
    uint64_t serial;                      /* uid source */
    uint32_t count[SHOAL_CONN_NCOUNTERS]; /* low words (see shoal_conn_counter) */
    uint32_t weird_seen;                  /* bloom of weird names logged for this conn */
    uint64_t services;                    /* bit i: analyzer i confirmed */
    float idle_timeout;                   /* set by an analyzer; 0: the transport's default */
    float sched_off;               /* the wheel looks at it at start + sched_off (never later) */
    struct shoal_conn_ext *ext;    /* NULL until needed */
    struct shoal_attach *att;      /* attached analyzers, natt entries */
    struct shoal_dpd_buf *dpd_buf; /* first payload bytes while signatures are tried */
    uint64_t history[2];           /* hist_len letters, 5 bits each, 12 a word */
};

/* A TCP connection and its TCP state, allocated together (200 bytes more). */
struct shoal_conn_with_tcp {
    struct shoal_conn c;
    struct shoal_tcp t;
};

/* A UDP, ICMP or other connection and its datagram state (24 bytes more). */
struct shoal_conn_with_dgram {
    struct shoal_conn c;
    struct shoal_dgram d;
};

/* The TCP state of a TCP connection. */
static inline struct shoal_tcp *shoal_conn_tcp(const struct shoal_conn *c)
{
    return &((struct shoal_conn_with_tcp *)(uintptr_t)c)->t;
}

/* The datagram state of any other connection. */
static inline struct shoal_dgram *shoal_conn_dgram(const struct shoal_conn *c)
{
    return &((struct shoal_conn_with_dgram *)(uintptr_t)c)->d;
}

/* Counters of the connection layer. */
/* The protocol slots of the per-protocol counts (ICMP: every other). */
enum { SHOAL_CONN_TCP, SHOAL_CONN_UDP, SHOAL_CONN_ICMP, SHOAL_CONN_PROTOS };

static inline unsigned shoal_conn_proto_slot(uint8_t proto)
{
    return proto == SHOAL_PROTO_TCP   ? SHOAL_CONN_TCP
           : proto == SHOAL_PROTO_UDP ? SHOAL_CONN_UDP
                                      : SHOAL_CONN_ICMP;
}

struct shoal_conn_stats {
    uint64_t packets;
    uint64_t bytes;
    uint64_t conns_total;
    uint64_t conns_current;
    uint64_t conns_evicted; /* pushed out by max_conns */
    uint64_t reasm_held;    /* out-of-order TCP bytes held now */
    uint64_t reasm_peak;    /* ... at most */
    uint64_t reasm_capped;  /* ... not held for reassembly.tcp_max_total */
    uint64_t reasm_refused; /* out-of-order segments dropped for tcp_max_blocks */
    uint64_t bad_checksums;
    uint64_t log_records;
    uint64_t proto_total[SHOAL_CONN_PROTOS];   /* conns_total by protocol */
    uint64_t proto_current[SHOAL_CONN_PROTOS]; /* conns_current by protocol */
    /* TCP ACKs that moved reassembly on, both sides established, and those
     * of them that acknowledged bytes never seen (Zeek's get_gap_stats). */
    uint64_t ack_events;
    uint64_t gap_events;
};

/* conn.log's columns, as Zeek writes them (also used by the log-rate
 * benchmark to send realistic records). */
#define SHOAL_CONN_LOG_NFIELDS 22
extern const struct shoal_field shoal_conn_log_fields[SHOAL_CONN_LOG_NFIELDS];

/* Create the packet-thread context.  Returns NULL on error (logged). */
struct shoal_ctx *shoal_ctx_new(const struct shoal_config *cfg);

/* Flush every connection (writing conn.log), close the logs, free. */
void shoal_ctx_free(struct shoal_ctx *x);

/* Process one decoded packet.  If a decoder was set with
 * shoal_ctx_set_decoder, p is its last output and IP-in-IP it took off is
 * accounted as a tunnel. */
void shoal_ctx_packet(struct shoal_ctx *x, const struct shoal_pkt *p);

/* Tell the context which decoder produces the packets given to
 * shoal_ctx_packet (borrowed; NULL: none), so that IP-in-IP tunnels get
 * their uid and tunnel_parents. */
void shoal_ctx_set_decoder(struct shoal_ctx *x, const struct shoal_decoder *d);

/* The decoder set with shoal_ctx_set_decoder, or NULL (for its counters). */
const struct shoal_decoder *shoal_ctx_decoder(const struct shoal_ctx *x);

/* Advance network time to `now`, expiring what is due. */
void shoal_ctx_advance(struct shoal_ctx *x, double now);

/* End of input: remove every connection, oldest first. */
void shoal_ctx_flush(struct shoal_ctx *x);

/* Report a weird not tied to a connection (decoder weirds). */
void shoal_ctx_net_weird(struct shoal_ctx *x, const char *name, const char *addl,
                         const char *source, const struct shoal_addr *src,
                         const struct shoal_addr *dst);

void shoal_ctx_stats(const struct shoal_ctx *x, struct shoal_conn_stats *st);

/* ---- for tcp.c, analyzer.c and host.c ---- */

/* Add a history letter: one of SHOAL_HISTORY_LETTERS (others are a
 * programmer error and are logged as '?'). */
void shoal_conn_add_history(struct shoal_conn *c, char code);
#define SHOAL_HISTORY_LETTERS "SHADFRCTWGIQXshadfrctwgiqx^"
/* c's history as a string into buf (>= SHOAL_HISTORY_MAX + 1 bytes). */
const char *shoal_conn_history(const struct shoal_conn *c, char *buf);
/* Zeek's CheckHistory: add `code` the first time `mask` is seen; returns
 * true if it had been seen before. */
bool shoal_conn_check_history(struct shoal_conn *c, uint16_t mask, char code);
/* Zeek's ScaledHistoryEntry (base 10). */
bool shoal_conn_scaled_history(struct shoal_conn *c, char code, struct shoal_hist_scale *s);
/* Swap originator and responder (adds '^'). */
void shoal_conn_flip(struct shoal_ctx *x, struct shoal_conn *c);
/* Make the wheel look at c no later than t. */
void shoal_conn_schedule(struct shoal_ctx *x, struct shoal_conn *c, double t);
/* Report a weird about c (deduplicated per connection and name). */
void shoal_conn_weird(struct shoal_ctx *x, struct shoal_conn *c, const char *name, const char *addl,
                      const char *source);
/* Add n to c's missed_bytes. */
void shoal_conn_add_missed(struct shoal_conn *c, uint64_t n);

/* Service `bit` (0..63) joins c's services: its analyzer confirmed.  The
 * order of confirmation is kept from the second service on (in the
 * extension; bit order when it cannot be allocated). */
void shoal_conn_service_add(struct shoal_conn *c, int bit);
/* Service `bit` leaves c's services (a violation after confirming). */
void shoal_conn_service_remove(struct shoal_conn *c, int bit);
/* c's services in confirmation order into bits[] (at most 64); returns
 * how many. */
size_t shoal_conn_services(const struct shoal_conn *c, uint8_t bits[64]);
/* conn.log's conn_state of `c` as it stands now (a static string). */
const char *shoal_conn_state(const struct shoal_conn *c);
/* Format c's uid ("C" + base62) into buf (>= 24 bytes). */
const char *shoal_conn_uid(const struct shoal_ctx *x, const struct shoal_conn *c, char *buf);

/* ---- for tunnel.c ---- */

/* Process an inner packet that came through the tunnels of `e` (borrowed;
 * NULL or depth 0: none). */
void shoal_ctx_packet_encap(struct shoal_ctx *x, const struct shoal_pkt *p,
                            const struct shoal_encap *e);
/* A fresh uid source (as connections use) for an IP tunnel. */
uint64_t shoal_ctx_new_serial(struct shoal_ctx *x);
/* Format the uid of uid source `serial` into buf (>= 24 bytes). */
const char *shoal_ctx_uid(const struct shoal_ctx *x, uint64_t serial, char *buf);
struct shoal_tunnels *shoal_ctx_tunnels(struct shoal_ctx *x);

const struct shoal_config *shoal_ctx_config(const struct shoal_ctx *x);

/* The node's count and caps of out-of-order TCP bytes (for tcp.c). */
struct shoal_reasm_pool *shoal_ctx_reasm_pool(struct shoal_ctx *x);
struct shoal_logger *shoal_ctx_logger(struct shoal_ctx *x);
/* Use the analyzers of `an` (borrowed) for new connections; their ports
 * also count as likely server ports for the originator heuristics. */
void shoal_ctx_set_analyzers(struct shoal_ctx *x, struct shoal_analyzers *an);
struct shoal_analyzers *shoal_ctx_analyzers(struct shoal_ctx *x);
double shoal_ctx_now(const struct shoal_ctx *x);
/* Is `a` in the configured local networks (conn.log's local_orig)? */
bool shoal_ctx_is_local(const struct shoal_ctx *x, const struct shoal_addr *a);

#endif
