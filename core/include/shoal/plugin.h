/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin ABI of Shoal, common to every kind of plugin: the one
 * descriptor a plugin shared object exports, the declarative table of its
 * settings, the plugin's own handle (struct shoal_self), and the part of
 * the host table every plugin gets whatever its kind (diagnostics,
 * allocation, counters, timers).  The kinds add their ops and host tables:
 * <shoal/analyzer.h> (analyzers and policies), <shoal/frontend.h>,
 * <shoal/command.h>; <shoal/shoal.h> includes them all.  Plugins call no
 * core symbol directly, only the functions of the host tables.
 *
 * Stability: within an ABI major version the leading fields of every
 * struct here are frozen.  New fields go at the end, under a new minor
 * version; each struct that can grow carries its size, and both sides
 * accept a smaller struct (fields beyond its size read as absent).  Arrays
 * of structs (config keys, ports, signatures, log fields) never grow
 * within a major.
 *
 * Building for an older core: define SHOAL_ABI_TARGET_MINOR (e.g. -D
 * SHOAL_ABI_TARGET_MINOR=0) before including any SDK header, and the
 * structs, descriptor and host tables are those of that minor version, so
 * the plugin loads into cores from that version on.
 */
#ifndef SHOAL_SDK_PLUGIN_H
#define SHOAL_SDK_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHOAL_ABI_MAJOR 2
#define SHOAL_ABI_MINOR 3

#ifndef SHOAL_ABI_TARGET_MINOR
#define SHOAL_ABI_TARGET_MINOR SHOAL_ABI_MINOR
#endif
#if SHOAL_ABI_TARGET_MINOR > SHOAL_ABI_MINOR
#error "SHOAL_ABI_TARGET_MINOR is newer than these headers"
#endif

/*
 * The symbol every plugin exports.  With libtool's naming, a plugin called
 * "dns" defines `dns_LTX_shoal_plugin`, so the same objects also link
 * statically into tests and fuzz targets; the loader looks up both forms.
 */
#define SHOAL_PLUGIN_SYMBOL "shoal_plugin"
#define SHOAL_PLUGIN_EXPORT __attribute__((visibility("default")))

enum shoal_plugin_kind {
    SHOAL_PLUGIN_ANALYZER = 1, /* a protocol: ports, signatures, per-connection callbacks */
    SHOAL_PLUGIN_FRONTEND = 2, /* a packet source strategy: <shoal/frontend.h> */
    SHOAL_PLUGIN_COMMAND = 3,  /* a shell command of shoalctl: <shoal/command.h> */
    SHOAL_PLUGIN_POLICY = 4,   /* watches every connection, attaches to none (scan, ...) */
};
#define SHOAL_PLUGIN_KIND_LAST SHOAL_PLUGIN_POLICY

/* A set of kinds, for the loader: SHOAL_KINDS(ANALYZER) | SHOAL_KINDS(POLICY). */
#define SHOAL_KINDS(k) (1u << SHOAL_PLUGIN_##k)
#define SHOAL_KINDS_ALL 0x1eu

/* Types of plugin config keys and the C types they are stored as. */
enum shoal_cfg_type {
    SHOAL_CFG_BOOL = 1, /* bool */
    SHOAL_CFG_INT,      /* int64_t */
    SHOAL_CFG_DOUBLE,   /* double */
    SHOAL_CFG_STRING,   /* char *, owned by the core, valid until fini returns */
};

/*
 * One key a plugin accepts in its group of shoal.cfg (plugins: { NAME: {
 * ... }; }).  The core fills a zeroed struct of config_size bytes from the
 * defaults (`def`, parsed as the key's type; NULL means zero/NULL), then
 * from the group, and refuses with FILE:LINE: unknown keys, wrong types,
 * missing required keys, and numbers outside [min, max] (each parsed as
 * the key's type; NULL: unbounded on that side; ignored for bools and
 * strings).  Terminate the table with a zeroed entry.
 */
struct shoal_cfg_key {
    const char *name;
    enum shoal_cfg_type type;
    const char *def;
    bool required;
    const char *help;
    size_t offset;
    const char *min;
    const char *max;
};

enum shoal_log_level {
    SHOAL_LOG_ERROR = 0,
    SHOAL_LOG_WARNING = 1,
    SHOAL_LOG_INFO = 2,
    SHOAL_LOG_DEBUG = 3,
};

/*
 * The plugin as the core knows it: passed to init, and the first argument
 * of every host call, so the core knows who speaks (the "[kind:name]"
 * prefix of its messages, its counters, its timers, the source of its
 * weirds).  Opaque; valid until fini returns.
 */
struct shoal_self;

struct shoal_host;

/*
 * The descriptor.  Leading fields frozen for the major; `ops` points to
 * the kind's ops table, which starts with its own size.
 *
 * init: called once, on the main thread, before any other callback; gets
 *   the host table, the plugin's handle and the filled config struct (NULL
 *   when config_size is 0).  It stores what it needs in *state.  Returns 0
 *   or a negative errno; a plugin whose init fails with the user's
 *   settings is a configuration error of the node.
 * fini: called in reverse load order; must accept the state init left.
 */
struct shoal_plugin {
    uint16_t abi_major;
    uint16_t abi_minor; /* the minor the plugin was built for (SHOAL_ABI_TARGET_MINOR) */
    uint32_t size;      /* sizeof(struct shoal_plugin) the plugin was built with */
    const char *name;   /* [a-z][a-z0-9_-]{0,31}, unique among loaded plugins */
    const char *version;
    enum shoal_plugin_kind kind;
    const char *summary; /* one line */
    const struct shoal_cfg_key *config;
    size_t config_size;
    int (*init)(const struct shoal_host *host, struct shoal_self *self, const void *config,
                void **state);
    void (*fini)(void *state);
    const void *ops;
};

#define SHOAL_PLUGIN_HEADER                                                                        \
    .abi_major = SHOAL_ABI_MAJOR, .abi_minor = SHOAL_ABI_TARGET_MINOR,                             \
    .size = sizeof(struct shoal_plugin)

/* A timer callback: `now` is the node's clock when it runs (see timer_add). */
typedef void (*shoal_timer_fn)(void *arg, double now);

struct shoal_analyzer_host;
struct shoal_frontend_host;
struct shoal_command_host;

/*
 * Functions of the core available to every plugin.  Passed to init; valid
 * until fini returns.  Called from the thread that loaded the plugin (the
 * node's one thread) unless noted.  The table of the plugin's kind hangs
 * off it: `analyzer` for analyzer and policy plugins, `frontend`,
 * `command`; the others are NULL.
 */
struct shoal_host {
    uint32_t size; /* sizeof(struct shoal_host) of the core */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* A diagnostic line on the node's log, prefixed "[kind:name]". */
    void (*logf)(struct shoal_self *self, enum shoal_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* Allocation; calloc semantics.  free accepts NULL. */
    void *(*alloc)(struct shoal_self *self, size_t n);
    void (*free)(struct shoal_self *self, void *p);

    /*
     * A counter the core reports as "NAME.COUNTER" (name being the
     * plugin's) in the node's control `counters` and in its summary with
     * -v: the plugin adds to *result directly.  `counter` is
     * [a-z][a-z0-9_]{0,31}; `help` one line.  Declared at init; the same
     * name twice gives the same counter.  Never NULL: when the counter
     * cannot be made (a bad name, too many, ENOMEM: logged), the result
     * points to one that is not reported.
     */
    uint64_t *(*counter)(struct shoal_self *self, const char *counter, const char *help);

    /*
     * Run fn(arg, now) once the node's clock reaches now + delay (delay >=
     * 0).  The clock is network time on nodes that see packets (and on a
     * proxy, the time of what it counts), wall-clock time elsewhere.  For a
     * plugin's periodic or deferred work, not one per connection (see
     * conn_set_idle_timeout).  Returns an id > 0, or 0 on ENOMEM (logged).
     * Timers not yet run when the plugin is unloaded are dropped.
     */
    uint64_t (*timer_add)(struct shoal_self *self, double delay, shoal_timer_fn fn, void *arg);
    /* Forget timer `id` if it has not run yet; harmless otherwise. */
    void (*timer_cancel)(struct shoal_self *self, uint64_t id);

    /* The node's clock (see timer_add), seconds since the epoch. */
    double (*now)(struct shoal_self *self);

    /* The name of the node the plugin runs in ("worker-1", or the trace or
     * interface of a standalone node, "shoalctl" in the shell). */
    const char *(*node_name)(struct shoal_self *self);

    /* The host table of the plugin's kind (NULL for the other kinds). */
    const struct shoal_analyzer_host *analyzer; /* analyzer and policy plugins */
    const struct shoal_frontend_host *frontend;
    const struct shoal_command_host *command;
};

/* Does the core's table `t` (any host table with a leading size) have member m? */
#define SHOAL_HAS(t, member) ((t)->size >= offsetof(__typeof__(*(t)), member) + sizeof((t)->member))

#ifdef __cplusplus
}
#endif

#endif
