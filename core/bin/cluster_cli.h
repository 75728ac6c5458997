/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster side of the shoal command line: running one node of a layout
 * (--node NAME --layout FILE: the manager, or a worker whose records go to
 * the manager) and writing a localhost layout with its keys (--gen-layout,
 * for tests and trials until shoalctl install makes layouts from node.cfg),
 * and the control client (--control NODE|all COMMAND [ARG...]).
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
    const char *control;     /* --control: a node name or "all" */
    const char *control_key; /* --control-key: NULL for the layout's shoalctl.key */
    double control_timeout;  /* --timeout, seconds (0: SHOAL_CONTROL_TIMEOUT) */
    char **control_argv;     /* the command and its arguments */
    int control_argc;
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

/*
 * Send the command c->control_argv to node c->control of c->layout (or to
 * every node for "all") and print one block per node in layout order:
 *   node NAME (HOST:PORT): ok
 *     key  value
 *   node NAME (HOST:PORT): no reply after N s
 *   node NAME (HOST:PORT): error: reason
 * `stop` to all stops the other nodes first and the manager last, once the
 * others have exited (pid files of nodes on this host; other hosts: once
 * they no longer answer), so their last batches reach it.  Returns the
 * exit status: 0 when every node answered without error, 1 otherwise, 2
 * on bad arguments or layout.
 */
int shoal_cluster_control(const struct shoal_cluster_args *c);

#endif
