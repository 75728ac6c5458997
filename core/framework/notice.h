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

#include <stdint.h>

#include "config/config.h"
#include "cluster/wire.h"

struct shoal_logger;
struct shoal_notices;

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
int shoal_notices_raise(struct shoal_notices *n, const struct shoal_wire_notice *w);

/* Reap finished action programs (non-blocking). */
void shoal_notices_poll(struct shoal_notices *n);

void shoal_notices_stats(const struct shoal_notices *n, struct shoal_notices_stats *out);

#endif
