/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin loader.  A process asks for the kinds it uses (a node:
 * analyzers, policies, frontends; the shell: commands), and the loader
 * opens the installed folder of each of those kinds and every folder of
 * $SHOAL_PLUGIN_PATH with libltdl, reads each object's descriptor and
 * validates it (validate.c); refuses bad ones with a line naming the file,
 * field, expected and actual, and goes on with the rest; closes objects of
 * kinds the process does not use.  Then, in two phases: every plugin's
 * init (with its config struct filled from shoal.cfg and its own handle),
 * then the caller attaches them (ports and signatures, frontend and
 * command names).  fini runs in reverse order.
 *
 * Main thread only, before any other thread starts.
 */
#ifndef SHOAL_PLUGIN_LOADER_H
#define SHOAL_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <shoal/shoal.h>

struct shoal_config;
struct shoal_host_env;

struct shoal_loaded {
    const struct shoal_plugin *desc;
    char *file;              /* path it came from, or "(static)" */
    void *handle;            /* lt_dlhandle, NULL for static plugins */
    void *config;            /* filled config struct (config_size bytes) or NULL */
    void *state;             /* what init returned */
    struct shoal_self *self; /* its handle, from init_all on */
    bool inited;
};

struct shoal_registry;

/* New empty registry for the kinds in `kinds` (SHOAL_KINDS(...) or'ed).
 * NULL on error (logged). */
struct shoal_registry *shoal_registry_new(unsigned kinds);

/* fini every initialised plugin in reverse order, close the objects and free
 * the registry.  Accepts NULL. */
void shoal_registry_free(struct shoal_registry *r);

/*
 * Validate a descriptor (validate.c).  Returns true if usable; else false
 * with one line like "abi_major: expected 2, got 1" in why.
 */
bool shoal_plugin_validate(const struct shoal_plugin *p, char *why, size_t whylen);

/* "analyzer", "policy", "frontend", "command" or "unknown". */
const char *shoal_plugin_kind_name(enum shoal_plugin_kind k);

/* "bool", "int", "double", "string" or "unknown". */
const char *shoal_plugin_cfg_type_name(enum shoal_cfg_type t);

/* Load every "*.so" directly in `dir` (not recursive), in name order.
 * Refusals are logged as "shoal: [loader] FILE: reason".  A missing
 * directory is not an error.  Returns the number loaded. */
int shoal_registry_scan_dir(struct shoal_registry *r, const char *dir);

/* Load one object by path.  Returns 0, 1 when it is a plugin of a kind this
 * registry does not hold (closed again), or a negative errno (refusal
 * logged). */
int shoal_registry_load_file(struct shoal_registry *r, const char *path);

/* Add a descriptor linked into the program (tests, fuzzers).  Validated
 * like a loaded one; 1 for a kind the registry does not hold. */
int shoal_registry_add_static(struct shoal_registry *r, const struct shoal_plugin *p);

/*
 * Scan each directory of $SHOAL_PLUGIN_PATH (colon-separated), then the
 * installed folder of each kind the registry holds
 * (SHOAL_PLUGINDIR/{analyzers,policies,frontends,commands}).  A folder of
 * the path named as one of those holds that kind only, as installed, and
 * is skipped by a registry that holds none of it.  A plugin
 * whose name was found before is shadowed (skipped, said at -v), not
 * refused.  Returns the number loaded.
 */
int shoal_registry_scan_default(struct shoal_registry *r);

/* The folders scan_default looks in, one per line, for messages. */
void shoal_registry_print_path(const struct shoal_registry *r, FILE *out);

/*
 * Phase 1: give each plugin its handle in `env` (borrowed, outliving the
 * registry), fill its config from `cfg` and call init with the host table
 * of its kind.  A plugin whose config is bad or whose init fails is logged
 * and dropped.  Returns 0, or a negative errno if config has errors (so
 * `check` fails); err receives the first error.
 */
int shoal_registry_init_all(struct shoal_registry *r, struct shoal_host_env *env,
                            const struct shoal_config *cfg, char *err, size_t errlen);

size_t shoal_registry_count(const struct shoal_registry *r);
const struct shoal_loaded *shoal_registry_get(const struct shoal_registry *r, size_t i);
const struct shoal_loaded *shoal_registry_find(const struct shoal_registry *r, const char *name);

/* Each counter the plugins declared, as fn(arg, "plugin.counter", value),
 * in load order. */
void shoal_registry_counters(const struct shoal_registry *r,
                             void (*fn)(void *arg, const char *name, uint64_t value), void *arg);

/* Print each descriptor and its config keys (for --list-plugins). */
void shoal_registry_print(const struct shoal_registry *r, FILE *out);

/* Print each plugin and the value of each of its settings, as init_all
 * filled them (for --list-plugins of a cluster node: what it runs with). */
void shoal_registry_print_settings(const struct shoal_registry *r, FILE *out);

#endif
