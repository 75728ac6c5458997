/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet pipeline of a node: the settings, the plugins (analyzers,
 * policies, the frontend), one packet source opened through the frontend
 * (a trace or a live interface), the decoder, the connection table, the
 * analyzers and the log writers, in one process on one thread.  A
 * standalone node is this alone; a cluster worker is the same pipeline
 * with hooks (struct shoal_node_hooks) that send its log records to the
 * manager instead of writing files; a proxy runs it without a packet
 * source, counting what the workers observe.
 */
#ifndef SHOAL_NODE_H
#define SHOAL_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

struct shoal_ctx;
struct shoal_host_env;
struct shoal_registry;
struct shoal_source_stats;
struct shoal_sumstats;

/* What a node hands its cluster role at start (all borrowed for the run). */
struct shoal_node_env {
    struct shoal_ctx *ctx;                /* connections, logger (shoal_ctx_logger), time */
    const struct shoal_config *cfg;       /* shoal.cfg as loaded */
    struct shoal_sumstats *sumstats;      /* the plugins' declared statistics */
    struct shoal_host_env *host;          /* the plugins' environment (routes of notices) */
    const struct shoal_registry *plugins; /* the loaded plugins (their counters) */
    void *node;                           /* the run, for shoal_node_source_stats */
};

/* The packet source's counters so far (zeroes before it is open and on a
 * node without one).  st->size is set here. */
void shoal_node_source_stats(const struct shoal_node_env *env, struct shoal_source_stats *st);

/*
 * What a cluster role adds to the packet pipeline.  Every callback is
 * optional and runs on the node's thread; `arg` is borrowed.
 */
struct shoal_node_hooks {
    /* After the plugins and analyzers are ready, before the first packet:
     * e.g. install a log sink on shoal_ctx_logger(env->ctx) and the routes
     * of notices and observations (env->host->routes).  0, or a negative
     * errno to stop (status 1). */
    int (*start)(void *arg, const struct shoal_node_env *env);
    /* Between rounds of packets (every few thousand packets, and at least
     * every 100 ms of wall time on a live link).  A node without a packet
     * source (a proxy) calls it in a loop: it should wait for its sockets
     * up to 100 ms. */
    void (*poll)(void *arg);
    /* The packet source is open (a proxy: start is done) and root dropped:
     * from now on every packet reaches the node, so the role may say it
     * runs.  May be NULL. */
    void (*ready)(void *arg);
    /* After the last record was written (end of input or a signal), before
     * the logger is freed.  0, or a negative errno: exit status 1. */
    int (*finish)(void *arg);
    void *arg;
    const char *log_target; /* where records go, for the summary line */
    const char *workdir;    /* where the role writes (spill files, status) */
};

struct shoal_node_opts {
    const char *read_file;                /* -r: pcap or pcapng file */
    const char *iface;                    /* -i: live interface */
    const char *filter;                   /* -f: BPF expression */
    const char *config_file;              /* -c: shoal.cfg */
    const char *networks_file;            /* --networks: networks.cfg, over networks.local */
    const char *log_dir;                  /* --logdir: overrides log.dir */
    bool json;                            /* --json: overrides log.format */
    bool ignore_checksums;                /* -C */
    bool list_plugins;                    /* --list-plugins: print and exit */
    bool list_loaded;                     /* with it: only those the node loads, with the
                                             settings shoal.cfg gives them (--node) */
    bool check_only;                      /* --check: validate config and plugins, exit */
    int progress;                         /* 1 on, 0 off, -1 when stderr is a terminal */
    bool quiet;                           /* no summary line */
    bool no_source;                       /* a proxy: no packets, hooks->poll drives the node */
    const char *name;                     /* node name for messages (NULL: the input's) */
    uint32_t worker;                      /* this worker's share of the input: index ... */
    uint32_t nworkers;                    /* ... of this many (0: 1, a standalone node) */
    const char *frontend;                 /* strategy over frontend.strategy, or NULL */
    const char *channel;                  /* where workers meet a dispatcher, or NULL */
    bool dispatcher;                      /* run the frontend's dispatcher for nworkers */
    const struct shoal_node_hooks *hooks; /* cluster role, NULL when standalone */
};

/*
 * Read the node's shoal.cfg again and take what a running node can
 * (shoal_config_update), reporting each key that differs through fn.
 * Returns how many differ but need a restart, or a negative errno with
 * the reason in err (no shoal.cfg, or one that does not load).
 */
int shoal_node_update(const struct shoal_node_env *env, shoal_config_change_fn fn, void *arg,
                      char *err, size_t errlen);

/* Run until the input ends or SIGINT/SIGTERM.  Returns the exit status:
 * 0 on success, 1 on a runtime error, 2 on bad configuration or input. */
int shoal_node_run(const struct shoal_node_opts *o);

#endif
