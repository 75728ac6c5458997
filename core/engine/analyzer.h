/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protocol analyzer dispatch.  Analyzer plugins are attached to a
 * connection by the responder port they declare or, for connections no port
 * claims, by a content signature matched on the first payload of either
 * direction (dynamic protocol detection).  The core then feeds them UDP
 * datagrams or reassembled TCP stream data, gaps and EOFs, and calls
 * conn_done once.  Nothing here knows any particular protocol.
 */
#ifndef SHOAL_ANALYZER_H
#define SHOAL_ANALYZER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/shoal.h>

#include "engine/expect.h"

struct shoal_ctx;
struct shoal_conn;

#define SHOAL_MAX_ANALYZERS 64
#define SHOAL_MAX_SERVICES 64

struct shoal_an_sig {
    uint16_t an;
    uint8_t proto;
    uint8_t dir;
    regex_t re;
};

struct shoal_analyzer {
    const struct shoal_analyzer_ops *ops;
    void *ps;
    const char *who; /* "analyzer:NAME", for messages */
    /* Per-connection blocks (conn_size bytes) of detached connections kept
     * for the next ones, linked through their first bytes: a block of a
     * few KiB each connection would otherwise cost malloc, free and fresh
     * pages.  At most AN_SPARE_BYTES of them (analyzer.c). */
    void *spare;
    size_t nspare;
};

struct shoal_policy {
    const struct shoal_policy_ops *ops;
    void *ps;
};

struct shoal_analyzers {
    struct shoal_analyzer v[SHOAL_MAX_ANALYZERS];
    size_t n;
    uint64_t *tcp_ports; /* 65536 masks of analyzers by responder port */
    uint64_t *udp_ports;
    struct shoal_an_sig *sigs;
    size_t nsigs;
    uint64_t probes;                          /* analyzers with a probe (ops of 2.3), by index */
    const char *services[SHOAL_MAX_SERVICES]; /* service names by bit */
    size_t nservices;
    /* Policies: every connection's events. */
    struct shoal_policy policies[SHOAL_MAX_ANALYZERS];
    size_t npolicies;
    /* Connections analyzers expect (FTP data channels). */
    struct shoal_expects expects;
};

/* One analyzer attached to one connection. */
struct shoal_attach {
    uint16_t an;
    bool done;
    bool child; /* fed only by another analyzer (deliver), not the connection */
    void *cs;
    uint64_t cookie; /* of the expectation that attached it, 0: none */
};

/* An empty table.  0 or -ENOMEM. */
int shoal_analyzers_init(struct shoal_analyzers *a);
void shoal_analyzers_free(struct shoal_analyzers *a);

/* Phase two of plugin start-up (attach): add an analyzer (ops and state
 * borrowed for the table's life; `who` names it in messages), index its
 * ports and compile its signatures (a bad one is logged and skipped).
 * Returns its service bit (>= 0), or -ENOSPC, -ENOMEM (logged). */
int shoal_analyzers_add(struct shoal_analyzers *a, const struct shoal_analyzer_ops *ops, void *ps,
                        const char *who);

/* Add a policy: its events run for every connection.  0 or -ENOSPC. */
int shoal_analyzers_add_policy(struct shoal_analyzers *a, const struct shoal_policy_ops *ops,
                               void *ps, const char *who);

/* The index of the analyzer with these ops, or -1. */
int shoal_analyzers_index(const struct shoal_analyzers *a, const void *ops);

/* Analyzer `an` expects a connection of `proto` from orig_h (NULL: any)
 * to resp_h:resp_p until network time `expires`; such a connection gets it
 * attached, with `cookie`, and `service` (NULL: none) in its services.
 * 0 or -ENOMEM. */
int shoal_an_expect(struct shoal_analyzers *a, uint16_t an, const struct shoal_addr *orig_h,
                    const struct shoal_addr *resp_h, uint16_t resp_p, uint8_t proto, double expires,
                    const char *service, uint64_t cookie, double now);

/* The cookie with which analyzer `an` was attached to c by an
 * expectation, 0 when none. */
uint64_t shoal_an_cookie(const struct shoal_conn *c, uint16_t an);

/* Bit of a service name (added on first use); -1 when the table is full. */
int shoal_service_bit(struct shoal_analyzers *a, const char *service);

/* A new connection: attach the analyzers that expect it (those of its
 * responder port follow with its first payload). */
void shoal_an_conn_new(struct shoal_ctx *x, struct shoal_conn *c);

/* Payload from one direction (a datagram or in-order stream bytes). */
void shoal_an_data(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig, const uint8_t *data,
                   size_t len);
void shoal_an_gap(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig, uint64_t len);
void shoal_an_eof(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig);

/* The connection ends: conn_done for every analyzer still attached, then
 * every analyzer's conn_removed. */
void shoal_an_conn_done(struct shoal_ctx *x, struct shoal_conn *c);

/* The analyzer of service `bit` reported a protocol violation on c: the
 * service leaves c's services if it was confirmed and c carried at most
 * SHOAL_AN_IGNORE_VIOLATIONS_AFTER payload bytes (Zeek's DPD). */
#define SHOAL_AN_IGNORE_VIOLATIONS_AFTER (10 * 1024)
void shoal_an_violation(struct shoal_conn *c, int bit);

/* Attach the analyzer of `service` to c from now on (a hand-over, as
 * Zeek's protocol analyzers start SSL after STARTTLS): it gets c's bytes
 * from the next data call on.  0, -ENOENT (no analyzer of that service),
 * -EEXIST (it is or was attached to c), -ENOMEM. */
int shoal_an_attach_service(struct shoal_ctx *x, struct shoal_conn *c, const char *service);
/* Feed `data` to the analyzer of `service` as a child of the caller
 * (attached on the first call, fed only through here): 0, -ENOENT, -EEXIST
 * (attached as a connection's analyzer), -EPIPE (it detached), -ENOMEM. */
int shoal_an_deliver_service(struct shoal_ctx *x, struct shoal_conn *c, const char *service,
                             bool is_orig, const uint8_t *data, size_t len);

/* A TCP handshake completed: every analyzer's conn_established. */
void shoal_an_conn_established(struct shoal_ctx *x, struct shoal_conn *c);

/* Does anything want this direction's payload bytes (an analyzer attached,
 * or signature matching still pending)? */
bool shoal_an_wants_data(struct shoal_ctx *x, const struct shoal_conn *c, bool is_orig);

#endif
