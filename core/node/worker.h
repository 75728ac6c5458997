/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster runtime of workers and proxies: the pipeline of a standalone
 * node (node.c) plus, through its hooks, the node's ZeroMQ security context
 * (zsec.c), its log channel to the manager (worker_link.c), which carries
 * its notices too (as records of a reserved stream, wire.h), and
 *   - on a worker: the routing of distinct-count observations to the
 *     proxies (state_link.c);
 *   - on a proxy (a node without packets): the counting of those
 *     observations (proxy.c).
 * Every socket belongs to the node's one thread.
 */
#ifndef SHOAL_NODE_WORKER_H
#define SHOAL_NODE_WORKER_H

#include "cluster/layout.h"
#include "node/node.h"
#include "cluster/worker_link.h"

struct shoal_nodestate;

/*
 * Run node `self` (a worker or a proxy of `layout`) with the standalone
 * options `o` (a worker's packet source, the config; the hooks, name and
 * no_source are set here), the log channel's options `wo` and its lifecycle
 * files `state` (borrowed, may be NULL: set to running once its sockets are
 * up, terminating at the end).  A worker answers its control port
 * (worker_control.h).  Returns the exit status of shoal_node_run, or 1
 * when the cluster side cannot start (logged, naming the node).
 */
int shoal_worker_run(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                     struct shoal_node_opts *o, const struct shoal_worker_link_opts *wo,
                     struct shoal_nodestate *state);

#endif
