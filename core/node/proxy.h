/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's shared-state service: a CURVE ROUTER on the proxy's state_in
 * port takes the workers' observations (STATE_UPDATE, see state_link.h),
 * counts them in the node's distinct-count table -- where a key that
 * crosses its threshold runs the plugin's callback, so notices and records
 * such as known_hosts.log come from here -- and a CURVE PUB on state_pub
 * tells every worker which keys crossed (they stop sending those) and, once
 * a second, that the proxy is alive.
 *
 * Network time on a proxy is the time of the observations it counts.
 *
 * Single-threaded.
 */
#ifndef SHOAL_PROXY_H
#define SHOAL_PROXY_H

#include <stdint.h>

#include "cluster/layout.h"
#include "framework/sumstat.h"
#include "cluster/zsec.h"

struct shoal_ctx;
struct shoal_proxy;

struct shoal_proxy_stats {
    uint64_t updates; /* observations counted */
    uint64_t crossed; /* keys that crossed (marks published) */
    uint64_t unknown; /* observations of a statistic this node does not have */
    uint64_t bad;     /* undecodable messages or forged senders */
};

/* Bind node `self`'s state ports (everything borrowed: zsec, table and
 * ctx must outlive the proxy).  0 and *out, or a negative errno (logged). */
int shoal_proxy_new(const struct shoal_layout_node *self, struct shoal_zsec *zsec,
                    struct shoal_sumstats *table, struct shoal_ctx *ctx, struct shoal_proxy **out);

/* Close the sockets and free.  Accepts NULL. */
void shoal_proxy_free(struct shoal_proxy *p);

/* The ROUTER to poll for ZMQ_POLLIN. */
void *shoal_proxy_socket(struct shoal_proxy *p);

/* Count every pending observation (non-blocking) and send the heartbeat
 * when it is due. */
void shoal_proxy_serve(struct shoal_proxy *p);

void shoal_proxy_stats(const struct shoal_proxy *p, struct shoal_proxy_stats *out);

#endif
