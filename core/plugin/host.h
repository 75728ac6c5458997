/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host side of the plugin ABI: what a plugin's handle (struct
 * shoal_self) holds, and the environment a process gives its plugins
 * (struct shoal_host_env: its name, clock, timers and, on a node that sees
 * connections, the packet context, the statistics table and where notices
 * and observations go).  Every host function finds the environment through
 * the plugin's handle; nothing here is thread-local.
 *
 * Tables by kind: host.c the common one, host_analyzer.c the analyzer
 * table (engine and framework behind it), host_frontend.c the frontend
 * table.  The shell provides the command table.
 *
 * Single-threaded: the thread that loaded the plugins.
 */
#ifndef SHOAL_HOST_H
#define SHOAL_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/shoal.h>

#include "framework/files.h"

struct shoal_ctx;
struct shoal_sumstats;
struct shoal_timers;
struct shoal_notice_info;

/*
 * Where a node's notices and distinct-count observations go.  A standalone
 * node handles notices itself and counts every key in its own table; a
 * cluster node sends notices to the manager and observations to the proxy
 * that owns the key.
 *   notice:  gets every notice the plugins raise, with ts set and sender
 *            NULL; returns 0 or a negative errno.  NULL: notices are refused
 *            (-ENOTCONN, logged once).
 *   observe: gets every observation; NULL counts it in env->sumstats
 *            (where crossed callbacks then run).
 */
struct shoal_host_routes {
    int (*notice)(void *arg, const struct shoal_notice_info *n);
    void (*observe)(void *arg, int h, const void *key, size_t klen, uint64_t member, double now);
    void *arg;
};

/* What a process gives its plugins.  Set up before the plugins' init;
 * everything borrowed and outliving the plugins. */
struct shoal_host_env {
    const char *node_name;           /* for host->node_name and messages */
    struct shoal_timers *timers;     /* plugins' timers, run by the process's loop; may be NULL */
    struct shoal_ctx *ctx;           /* packet context: its network time is the clock; or NULL */
    struct shoal_sumstats *sumstats; /* declared statistics; NULL: declarations refused */
    struct shoal_host_routes routes;
    bool notice_refusal_logged;
    struct shoal_file_ids file_ids; /* seeded from node_name by shoal_host_env_init */
    /* The tables handed to init, one per kind, filled by shoal_host_env_init. */
    struct shoal_host hosts[SHOAL_PLUGIN_KIND_LAST + 1];
    const struct shoal_command_host *command; /* the shell's, or NULL */
    void *owner; /* the process object behind the tables (the shell), or NULL */
};

/* Counters a plugin may declare, and their names' longest length. */
#define SHOAL_SELF_MAX_COUNTERS 64
#define SHOAL_COUNTER_NAME_MAX 32

struct shoal_self_counter {
    char name[SHOAL_COUNTER_NAME_MAX + 1];
    const char *help; /* the plugin's, borrowed */
    uint64_t value;
};

/* A plugin's handle: one per loaded plugin, at a fixed address. */
struct shoal_self {
    const struct shoal_plugin *desc;
    struct shoal_host_env *env;
    char who[48];                        /* "analyzer:dns": the prefix of its messages */
    char source[32];                     /* the source column of its weirds: "DNS" */
    int service_bit;                     /* an analyzer's bit in conn->services, -1 none */
    struct shoal_self_counter *counters; /* SHOAL_SELF_MAX_COUNTERS, allocated on first use */
    size_t ncounters;
    uint64_t unreported; /* where a counter that could not be made counts */
    void **kept;         /* blocks held for the plugin until it is unloaded */
    size_t nkept;
};

/* Fill env's per-kind host tables and seed its file ids from
 * env->node_name (the rest of *env is the caller's: zero it, set what the
 * process has, then call this).  `command` is the shell's table, or NULL. */
void shoal_host_env_init(struct shoal_host_env *env, const struct shoal_command_host *command);

/* The table a plugin of `kind` gets. */
const struct shoal_host *shoal_host_for(const struct shoal_host_env *env,
                                        enum shoal_plugin_kind kind);

/* A new handle for descriptor `p` in `env` (both borrowed).  NULL on ENOMEM. */
struct shoal_self *shoal_self_new(const struct shoal_plugin *p, struct shoal_host_env *env);

/* A zeroed block of n bytes that lives as long as the handle (copies of
 * what the core borrows from an older plugin).  NULL on ENOMEM. */
void *shoal_self_keep(struct shoal_self *self, size_t n);

/* Drop the plugin's timers and kept blocks and free the handle.  Accepts
 * NULL. */
void shoal_self_free(struct shoal_self *self);

/* The node's clock: network time with a packet context, else wall time. */
double shoal_host_now(const struct shoal_host_env *env);

/* The analyzer table and the frontend table (host_analyzer.c, host_frontend.c). */
extern const struct shoal_analyzer_host shoal_host_analyzer_table;
extern const struct shoal_frontend_host shoal_host_frontend_table;

/* Copy a struct a plugin hands over, which starts with its uint32_t size,
 * into the zeroed `out` of out_size bytes: the fields beyond the
 * plugin's size read as absent.  False when its size is below `min`
 * (the frozen prefix of the major). */
bool shoal_host_copy_sized(void *out, size_t out_size, const void *in, size_t min);

#endif
