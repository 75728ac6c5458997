/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The log channel of a cluster worker: it takes the place of the log files.
 * Installed as the sink of the worker's logger, it gathers the records of
 * each stream into a LOG_BATCH (sealed at a record count, at 100 ms of wall
 * time, or at the end), numbers it, keeps it in the resend window and sends
 * it over a CURVE-authenticated ZeroMQ DEALER socket to the manager's log
 * port (a ROUTER).  The manager acknowledges what it wrote; acknowledged
 * batches leave the window.  Batches wait in the window while the manager
 * is away (the DEALER is ZMQ_IMMEDIATE: nothing is queued on a connection
 * that is not there) and every unacknowledged one is sent again after a
 * reconnect or after a quiet spell, so a manager restart loses nothing; the
 * manager drops the copies it already wrote.  Batches the window refuses
 * past its bounds are counted as dropped and reported.  A link that sent
 * nothing for a second sends a HEARTBEAT, so the manager can tell which
 * nodes are up (down: not heard for SHOAL_HEARTBEAT_TIMEOUT).
 *
 * Single-threaded: every function runs on the worker's packet thread.
 */
#ifndef SHOAL_WORKER_LINK_H
#define SHOAL_WORKER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "cluster/layout.h"
#include "node/node.h"
#include "cluster/zsec.h"

#define SHOAL_HEARTBEAT_TIMEOUT 3.0 /* s without batch or heartbeat: the node is down */

struct shoal_logger;
struct shoal_worker_link;

/* Each option left at 0 takes shoal.cfg's value (cluster group) at start. */
struct shoal_worker_link_opts {
    size_t batch_records; /* seal a batch at this many records (cluster.batch_records) */
    double batch_wall;    /* or when its first record is this old, s (cluster.batch_interval) */
    double ack_timeout;   /* at the end, wait this long for the acks, s (cluster.ack_timeout) */
    size_t mem_max;       /* resend window in memory, bytes (cluster.resend_mem_max) */
    uint64_t disk_max;    /* spill file in the workdir, bytes (cluster.resend_disk_max) */
    double resend_quiet;  /* resend everything after this long without an ack, s (0: 3) */
};

/*
 * The link of node `self` (a worker of `layout`, both borrowed: they must
 * outlive the link) to the layout's manager.  Checks that the layout names
 * a manager with a log port; the socket is made by start (after the plugins
 * are loaded), and it connects whenever the manager comes.  Returns 0 and
 * *out, or a negative errno with the reason logged (naming the layout or
 * the node).
 */
int shoal_worker_link_new(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                          const struct shoal_worker_link_opts *opts,
                          struct shoal_worker_link **out);

/* Close the socket (unsent batches are lost: call finish first) and free.
 * Accepts NULL. */
void shoal_worker_link_free(struct shoal_worker_link *wl);

/*
 * Driven by the node's cluster runtime (node/worker.c), on its thread:
 * start completes the options from `cfg`, makes the resend window and the
 * socket (a CURVE client made from `zsec`, borrowed until free) and
 * installs the sink on the logger; poll seals old batches and
 * exchanges messages; finish seals the rest and waits for every
 * acknowledgement up to the ack timeout (0, or -ETIMEDOUT with the
 * manager's endpoint and what is missing logged).
 */
int shoal_worker_link_start(struct shoal_worker_link *wl, struct shoal_zsec *zsec,
                            struct shoal_logger *logger, const struct shoal_config *cfg);
void shoal_worker_link_poll(struct shoal_worker_link *wl);
int shoal_worker_link_finish(struct shoal_worker_link *wl);

/* The manager's log endpoint, for messages and the node's summary line. */
const char *shoal_worker_link_endpoint(const struct shoal_worker_link *wl);

/* True while the log channel's connection to the manager is up (its CURVE
 * handshake succeeded and no disconnect was seen since). */
bool shoal_worker_link_connected(const struct shoal_worker_link *wl);

/* Counters, for the summary line and tests. */
struct shoal_worker_link_stats {
    uint64_t records;         /* handed to the link */
    uint64_t batches;         /* sealed and held */
    uint64_t sent;            /* batch sends, resends included */
    uint64_t resends;         /* of them, sent again */
    uint64_t acked;           /* batches acknowledged */
    uint64_t dropped_batches; /* refused by the window past its bounds */
    uint64_t dropped_records;
    uint64_t bad_messages;      /* undecodable or foreign messages received */
    uint64_t heartbeats;        /* sent while there was nothing to log */
    uint64_t recovered_batches; /* read back from an earlier run's journal */
};
void shoal_worker_link_stats(const struct shoal_worker_link *wl,
                             struct shoal_worker_link_stats *out);

#endif
