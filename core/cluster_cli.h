/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster side of the shoal command line: running one node of a layout
 * (--node NAME --layout FILE: the manager, or a worker whose records go to
 * the manager) and writing a localhost layout with its keys (--gen-layout,
 * for tests and trials until shoalctl install makes layouts from node.cfg).
 */
#ifndef SHOAL_CLUSTER_CLI_H
#define SHOAL_CLUSTER_CLI_H

#include <stddef.h>

struct shoal_node_opts;

#define SHOAL_CLUSTER_MAX_WORKERS 256
#define SHOAL_CLUSTER_MAX_PROXIES 64

/* What the cluster options of the command line ask for. */
struct shoal_cluster_args {
    const char *node;
    const char *layout;
    const char *gen_out;
    const char *workdir_base;
    const char *keys_dir;
    const char *manager;
    const char *workers[SHOAL_CLUSTER_MAX_WORKERS];
    size_t n_workers;
    const char *proxies[SHOAL_CLUSTER_MAX_PROXIES];
    size_t n_proxies;
    unsigned long base_port;
    double ack_timeout;
    unsigned long batch_records;
};

/* Write the layout c->gen_out (manager, proxies and workers on localhost, ports from
 * c->base_port) and the keys of its nodes.  Errors go to stderr.  Returns
 * the exit status: 0, 1 on failure, 2 on bad arguments. */
int shoal_cluster_gen_layout(const struct shoal_cluster_args *c);

/* Run node c->node of the layout c->layout until its input ends or a
 * signal; `o` holds the standalone options (a worker's packet source, the
 * manager's log format), which the layout completes.  Returns the exit
 * status. */
int shoal_cluster_run_node(const struct shoal_cluster_args *c, struct shoal_node_opts *o);

#endif
