/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster runtime of a packet-processing node (a worker): the pipeline
 * of a standalone node (node.c) plus, through its hooks, the node's ZeroMQ
 * security context (zsec.c) and its log channel to the manager
 * (worker_link.c).  Every socket belongs to the node's one thread.
 */
#ifndef SHOAL_CLUSTER_NODE_H
#define SHOAL_CLUSTER_NODE_H

#include "layout.h"
#include "node.h"
#include "worker_link.h"

struct shoal_nodestate;

/*
 * Run node `self` (a worker of `layout`) with the standalone options `o`
 * (its packet source and config; o->hooks is set here), the log channel's
 * options `wo` and its lifecycle files `state` (borrowed, may be NULL: set
 * to running once its sockets are up, terminating at the end).  The
 * worker answers its control port (worker_control.h).  Returns the exit status of shoal_node_run,
 * or 1 when the cluster side cannot start (logged, naming the node).
 */
int shoal_cluster_worker_run(const struct shoal_layout *layout,
                             const struct shoal_layout_node *self, struct shoal_node_opts *o,
                             const struct shoal_worker_link_opts *wo,
                             struct shoal_nodestate *state);

#endif
