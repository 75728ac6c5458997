/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The notice framework's last step, on the manager or a standalone node:
 * suppression of repeats (same note and identifier within the notice's
 * suppress_for, counted in network time), notice.log with Zeek's columns,
 * and the action programs of notice.actions in shoal.cfg.
 *
 * An action program is started with posix_spawn (argv as configured, no
 * shell, no PATH search, stdout and stderr inherited, the environment
 * emptied but for PATH), gets the notice as one JSON line (the notice.log
 * record) on stdin, and is reaped without blocking.  A program that cannot
 * be started is logged with its path; the notice is written all the same.
 *
 * Single-threaded.
 */
#ifndef SHOAL_NOTICE_H
#define SHOAL_NOTICE_H

#include <stdbool.h>
#include <stdint.h>

#include <shoal/types.h>

#include "config/config.h"
#include "lib/str.h"

struct shoal_logger;
struct shoal_notices;

/*
 * A notice as the framework handles it and as it crosses nodes (Zeek's
 * Notice::Info, the part a worker sends to the manager: cluster/wire.h
 * encodes it).  Optional strings are absent when p == NULL; optional
 * scalars have a has_ flag.  Every pointer is borrowed.
 */
struct shoal_notice_info {
    const char *sender; /* node that raised it (notice.log peer_descr) */
    double ts;
    struct shoal_str uid;
    bool has_id;
    struct shoal_conn_id id;
    const char *note; /* e.g. "Scan::Address_Scan", printable, no blank */
    struct shoal_str msg;
    struct shoal_str sub;
    bool has_src;
    struct shoal_addr src;
    bool has_dst;
    struct shoal_addr dst;
    bool has_p;
    uint16_t p;
    uint8_t p_proto; /* IP protocol of p (SHOAL_PROTO_TCP, ...) */
    bool has_n;
    uint64_t n;
    const char *identifier; /* NULL: never suppressed; no NUL inside */
    double suppress_for;    /* seconds, finite and >= 0 */
};

struct shoal_notices_stats {
    uint64_t written;    /* notice.log records */
    uint64_t suppressed; /* repeats not written */
    uint64_t actions;    /* action programs started */
    uint64_t failed;     /* action programs that could not start or exited non-zero */
};

/* Write notices through `logger` (borrowed), with the notice settings of
 * `cfg` (borrowed: it must outlive the handler).  `who` names the node in
 * messages.  NULL on ENOMEM. */
struct shoal_notices *shoal_notices_new(struct shoal_logger *logger, const struct shoal_config *cfg,
                                        const char *who);

/* Reap the action programs still running (waiting at most 1 s in all) and
 * free.  Accepts NULL. */
void shoal_notices_free(struct shoal_notices *n);

/*
 * Handle one notice.  n->ts is its network time, n->sender the node that
 * raised it (notice.log's peer_descr; NULL for the node itself), a
 * negative suppress_for means the configured default.  Returns 1 when
 * written, 0 when suppressed, or a negative errno (the write failed:
 * logged).
 */
int shoal_notices_raise(struct shoal_notices *n, const struct shoal_notice_info *w);

/* notice.log's stream, opened on first use; NULL if it cannot be opened
 * (logged by the logger).  The manager journals its size after each batch
 * of notices, as it does for the other streams. */
struct shoal_stream *shoal_notices_stream(struct shoal_notices *n);

/* Reap finished action programs (non-blocking). */
void shoal_notices_poll(struct shoal_notices *n);

void shoal_notices_stats(const struct shoal_notices *n, struct shoal_notices_stats *out);

#endif
