/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host table handed to plugins: each entry forwards to the core module
 * that implements it, for the packet-thread context made current with
 * shoal_host_set_ctx().
 */
#ifndef SHOAL_HOST_H
#define SHOAL_HOST_H

#include <shoal/shoal.h>

struct shoal_ctx;
struct shoal_sumstats;
struct shoal_wire_notice;

/* The table (static storage, valid for the life of the process). */
const struct shoal_host *shoal_host_table(void);

/* Make `x` the context the host functions of this thread act on. */
void shoal_host_set_ctx(struct shoal_ctx *x);

/*
 * Where this thread's notices and distinct-count observations go.  A
 * standalone node handles notices itself and counts every key in its own
 * table; a cluster node sends notices to the manager and observations to
 * the proxy that owns the key.
 *   notice:  gets every notice the plugins raise, with ts set and sender
 *            NULL; returns 0 or a negative errno.  NULL: notices are refused
 *            (-ENOTCONN, logged once).
 *   observe: gets every observation; NULL counts it in the table given to
 *            shoal_host_set_sumstats (where crossed callbacks then run).
 */
struct shoal_host_routes {
    int (*notice)(void *arg, const struct shoal_wire_notice *n);
    void (*observe)(void *arg, int h, const void *key, size_t klen, uint64_t member, double now);
    void *arg;
};
void shoal_host_set_routes(const struct shoal_host_routes *r);

/* The table that holds this thread's declared statistics (before plugins
 * init: they declare in init).  NULL: declarations are refused. */
void shoal_host_set_sumstats(struct shoal_sumstats *t);

#endif
