/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's side of the shared state kept by the proxies: every
 * observation of a distinct-count statistic (host->sumstat_observe) goes
 * as a STATE_UPDATE to the proxy that owns its key -- rendezvous hashing of
 * the statistic's name and the key over the live proxies -- over a CURVE
 * DEALER to that proxy's state_in port.  A SUB socket on every proxy's
 * state_pub port hears, once a second, that a proxy is alive, and which
 * keys have crossed their threshold: those are marked in the worker's own
 * table and no longer sent until their epoch ends.
 *
 * A proxy is live when it was heard from in the last 3 s; at start, before
 * any proxy could be heard, every proxy of the layout counts as live (their
 * DEALERs queue until they connect).  With no live proxy (or none in the
 * layout) the worker counts observations itself, as a standalone node does,
 * and says so once.
 *
 * Wire use of STATE_UPDATE (kind, key, value, expire):
 *   worker -> proxy:  kind = statistic, value = member, expire = network
 *                     time of the observation + the statistic's epoch
 *   proxy -> workers: kind = statistic, value = distinct count, expire =
 *                     end of the key's epoch (a crossed mark), or
 *                     kind = "proxy.alive", key = "", expire = the proxy's
 *                     network time (a heartbeat)
 *
 * Single-threaded (the worker's packet thread).
 */
#ifndef SHOAL_STATE_LINK_H
#define SHOAL_STATE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/layout.h"
#include "framework/sumstat.h"
#include "cluster/zsec.h"

#define SHOAL_STATE_ALIVE_KIND "proxy.alive"
#define SHOAL_STATE_ALIVE_EVERY 1.0   /* s between heartbeats */
#define SHOAL_STATE_ALIVE_TIMEOUT 3.0 /* s of silence before a proxy counts as down */

struct shoal_state_link;

struct shoal_state_link_stats {
    uint64_t sent;       /* observations sent to a proxy */
    uint64_t skipped;    /* observations of keys marked crossed */
    uint64_t local;      /* observations counted here: no proxy alive */
    uint64_t dropped;    /* observations a full queue refused */
    uint64_t marks;      /* crossed marks received */
    uint64_t bad;        /* undecodable or unknown messages */
    size_t proxies_live; /* proxies alive now */
};

/*
 * Connect node `self` to every proxy of `layout` (all borrowed, as are
 * `zsec` and `table`, the node's statistics).  Returns 0 and *out (also
 * with no proxy in the layout), or a negative errno (logged).
 */
int shoal_state_link_new(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                         struct shoal_zsec *zsec, struct shoal_sumstats *table,
                         struct shoal_state_link **out);

/* Let observations still queued leave for up to `ms` milliseconds when the
 * sockets close (at free, then while the node's context terminates). */
void shoal_state_link_flush(struct shoal_state_link *sl, int ms);

/* Close the sockets and free.  Accepts NULL. */
void shoal_state_link_free(struct shoal_state_link *sl);

/* Route one observation (the observe route of shoal_host_set_routes). */
void shoal_state_link_observe(struct shoal_state_link *sl, int h, const void *key, size_t klen,
                              uint64_t member, double now);

/* Read what the proxies published (non-blocking). */
void shoal_state_link_poll(struct shoal_state_link *sl);

void shoal_state_link_stats(const struct shoal_state_link *sl, struct shoal_state_link_stats *out);

/* Names of the proxies and whether each is alive now, for peer status:
 * calls fn once per proxy of the layout in layout order. */
void shoal_state_link_peers(const struct shoal_state_link *sl,
                            void (*fn)(void *arg, const char *proxy, bool alive), void *arg);

#endif
