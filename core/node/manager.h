/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster manager's log path: it binds its log port (a ZeroMQ ROUTER,
 * CURVE server, with a ZAP handler that lets in only the keys of the
 * cluster's allowed list and logs every refused peer with its address),
 * receives the workers' LOG_BATCHes, drops those it already wrote (per
 * sender and epoch), writes the others with the same Zeek writer as a
 * standalone node, opening each stream the first time with the columns the
 * batch carries, and acknowledges them.
 *
 * Nothing acknowledged is ever lost and nothing is written twice across a
 * kill -9: after each batch the manager pushes the stream's records to the
 * kernel, then appends one line "B sender epoch seq base stream size" to a
 * journal in its working directory, then acknowledges.  At start it reads
 * the journal (and the dedup state saved next to it), cuts each stream file
 * of the previous run back to the last size the journal recorded (records
 * of a batch whose journal line is missing were not acknowledged, so the
 * worker sends them again), and sets those files aside as
 * <stream>.<YYYY-mm-dd-HH-MM-SS>.log; new records go to fresh files.  A
 * clean stop (SIGINT/SIGTERM) closes the files with their #close line and
 * leaves them to be set aside the same way at the next start.  The journal
 * is guarded against a killed process, not against a crash of the host (no
 * fsync per batch).
 *
 * Notices of workers and proxies come on the same channel, as records of a
 * reserved stream (wire.h), with the same guarantee: each is raised once
 * through the notice framework (notice.c: suppression, notice.log,
 * actions; the sending node as peer_descr), notice.log's size is journalled
 * after each batch, and notice.log is set aside like any other stream.
 *
 * The manager also binds its control port (control.h): status, counters
 * (batches, records, duplicates, refused), peers (when each node last sent
 * a message, by its CURVE key name), print and stop.
 *
 * Single-threaded: the ZAP handler is polled with the log and control
 * sockets.
 */
#ifndef SHOAL_MANAGER_H
#define SHOAL_MANAGER_H

#include <stdbool.h>

#include "config/config.h"
#include "cluster/layout.h"

struct shoal_nodestate;

struct shoal_manager_opts {
    const char *config_file;       /* shoal.cfg (notice settings); NULL: defaults */
    const char *log_dir;           /* NULL: the node's workdir */
    enum shoal_log_format log_fmt; /* TSV or JSON */
    bool quiet;                    /* no summary line at the end */
    struct shoal_nodestate *state; /* lifecycle files (nodestate.h), may be NULL */
};

/*
 * Run node `self` (the manager of `layout`, both borrowed) until SIGINT or
 * SIGTERM.  Returns the exit status: 0 after a clean stop, 1 on a runtime
 * error (a bind, a write or the journal failed: logged with the endpoint
 * or the file), 2 on bad keys or layout.
 */
int shoal_manager_run(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                      const struct shoal_manager_opts *opts);

#endif
