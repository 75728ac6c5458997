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

#include <stdbool.h>
#include <stddef.h>

struct shoal_node_opts;

#define SHOAL_CLUSTER_MAX_WORKERS 256
#define SHOAL_CLUSTER_MAX_PROXIES 64

/* --gen-layout OUT: a layout of nodes on localhost and their keys. */
struct shoal_cluster_gen_args {
    const char *out;          /* --gen-layout: the layout file to write */
    const char *workdir_base; /* --workdir-base: a node's workdir is <workdir_base>/<name> */
    const char *keys_dir;     /* --keys: key pairs and allowed_keys */
    const char *manager;      /* --manager NAME */
    const char *workers[SHOAL_CLUSTER_MAX_WORKERS]; /* --worker NAME, in the order given */
    size_t n_workers;
    const char *proxies[SHOAL_CLUSTER_MAX_PROXIES]; /* --proxy NAME, in the order given */
    size_t n_proxies;
    unsigned long base_port; /* --base-port (0: SHOAL_LAYOUT_BASE_PORT) */
};

/* --node NAME --layout FILE: one node of a cluster. */
#define SHOAL_CLUSTER_MAX_ENV 64

struct shoal_cluster_node_args {
    const char *node;
    const char *layout;
    double ack_timeout;                     /* --ack-timeout, seconds (0: cluster.ack_timeout) */
    unsigned long batch_records;            /* --batch-records (0: cluster.batch_records) */
    bool daemon;                            /* --daemon: detach, output into the workdir */
    const char *env[SHOAL_CLUSTER_MAX_ENV]; /* --env NAME=VALUE */
    size_t n_env;
    unsigned long pin_cpu; /* --pin-cpu N; (unsigned long)-1: none */
    bool status_only;      /* --node-status: print the node's state here */
    bool clear_only;       /* --node-clear: mark a dead node terminated */
};

/* --control NODE|all --layout FILE COMMAND [ARG...]: the control client. */
struct shoal_cluster_control_args {
    const char *target; /* --control: a node name or "all" */
    const char *layout;
    const char *key; /* --control-key: NULL for the layout's shoalctl.key */
    double timeout;  /* --timeout, seconds (0: SHOAL_CONTROL_TIMEOUT) */
    char **argv;     /* the command and its arguments */
    int argc;
};

/* Write the layout a->out (manager, proxies and workers on localhost, ports
 * from a->base_port) and the keys of its nodes.  Errors go to stderr.
 * Returns the exit status: 0, 1 on failure, 2 on bad arguments. */
int shoal_cluster_gen_layout(const struct shoal_cluster_gen_args *a);

/* Run node a->node of the layout a->layout until its input ends or a
 * signal; `o` holds the standalone options (a worker's packet source, the
 * manager's log format), which the layout completes.  Returns the exit
 * status. */
int shoal_cluster_run_node(const struct shoal_cluster_node_args *a, struct shoal_node_opts *o);

/*
 * Send the command a->argv to node a->target of a->layout (or to
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
int shoal_cluster_control(const struct shoal_cluster_control_args *a);

#endif
