/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker or a proxy answers on its control channel (control.h): its
 * status (packet source, log channel), its counters (packets and
 * connections of the connection table, the decoder's, the log channel's,
 * the shared state's, the packet source's, every plugin's), its peers (the manager: connected or
 * not, from the log channel's socket monitor; a worker's proxies: up or down), its settings
 * (shoal.cfg as loaded) and `stop` (as SIGTERM).  Driven by the worker's cluster runtime
 * (node/worker.c) on the packet thread.
 */
#ifndef SHOAL_WORKER_CONTROL_H
#define SHOAL_WORKER_CONTROL_H

#include "cluster/layout.h"
#include "cluster/worker_link.h"
#include "cluster/zsec.h"

struct shoal_node_env;
struct shoal_nodestate;
struct shoal_worker_control;

/*
 * Bind the control port of worker `self` of `layout` with `z` (which must
 * serve ZAP).  Everything is borrowed and must outlive the result: `env`
 * (the node's packet context, source and plugins), `wl` (the log channel),
 * `state` (may be NULL) and `source` (the packet source's name, for status).  Returns 0 and *out,
 * or a negative errno (logged).
 */
int shoal_worker_control_new(const struct shoal_layout *layout,
                             const struct shoal_layout_node *self, struct shoal_zsec *z,
                             const struct shoal_node_env *env, const struct shoal_worker_link *wl,
                             const struct shoal_nodestate *state, const char *source,
                             struct shoal_worker_control **out);

/* The node's shared-state side, for counters and peers: a worker's link to
 * the proxies, or a proxy's service (either may be NULL; borrowed). */
struct shoal_state_link;
struct shoal_proxy;
void shoal_worker_control_set_shared(struct shoal_worker_control *wc,
                                     const struct shoal_state_link *sl,
                                     const struct shoal_proxy *proxy);

/* Answer the pending ZAP and control requests; never blocks.  Accepts NULL. */
void shoal_worker_control_poll(struct shoal_worker_control *wc);

/* The control socket, to poll for ZMQ_POLLIN. */
void *shoal_worker_control_socket(struct shoal_worker_control *wc);

/* Close the control socket and free.  Accepts NULL. */
void shoal_worker_control_free(struct shoal_worker_control *wc);

#endif
