/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin loader.  Scans the plugin path for shared objects with libltdl,
 * reads each one's descriptor and validates it (ABI, size, kind, name, ops);
 * refuses bad ones with a line naming the file, field, expected and actual,
 * and goes on with the rest.  Then, in two phases: every plugin's init (with
 * its config struct filled from shoal.cfg), then the caller attaches them
 * (ports, signatures, commands).  fini runs in reverse order.
 *
 * Main thread only, before any other thread starts.
 */
#ifndef SHOAL_PLUGIN_LOADER_H
#define SHOAL_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <shoal/shoal.h>

struct shoal_config;

struct shoal_loaded {
    const struct shoal_plugin *desc;
    char *file;   /* path it came from, or "(static)" */
    void *handle; /* lt_dlhandle, NULL for static plugins */
    void *config; /* filled config struct (config_size bytes) or NULL */
    void *state;  /* what init returned */
    bool inited;
};

struct shoal_registry;

/* New empty registry.  NULL on OOM. */
struct shoal_registry *shoal_registry_new(void);

/* fini every initialised plugin in reverse order, close the objects and free
 * the registry.  Accepts NULL. */
void shoal_registry_free(struct shoal_registry *r);

/*
 * Validate a descriptor.  Returns true if usable; else false with one line
 * like "abi_major: expected 1, got 2" in why.
 */
bool shoal_plugin_validate(const struct shoal_plugin *p, char *why, size_t whylen);

/* Load every "*.so" / "*.la"-less module directly in `dir` (not recursive),
 * in name order.  Refusals are logged as "shoal: [loader] FILE: reason".
 * A missing directory is not an error.  Returns the number loaded. */
int shoal_registry_scan_dir(struct shoal_registry *r, const char *dir);

/* Load one object by path.  Returns 0 or a negative errno (refusal logged). */
int shoal_registry_load_file(struct shoal_registry *r, const char *path);

/* Add a descriptor linked into the program (tests, fuzzers).  Validated
 * like a loaded one. */
int shoal_registry_add_static(struct shoal_registry *r, const struct shoal_plugin *p);

/*
 * Scan the default path: the build tree's plugin folders when the running
 * program lives in the build tree (SHOAL_BUILDDIR), else the installed
 * folders (SHOAL_PLUGINDIR/{analyzers,frontends,commands}); then each
 * directory of $SHOAL_PLUGIN_PATH (colon-separated).  Returns number loaded.
 */
int shoal_registry_scan_default(struct shoal_registry *r);

/* Phase 1: fill each plugin's config from `cfg` and call init with `host`.
 * A plugin whose config is bad or whose init fails is logged and dropped.
 * Returns 0, or a negative errno if config has errors (so `check` fails);
 * err receives the first error. */
int shoal_registry_init_all(struct shoal_registry *r, const struct shoal_host *host,
                            const struct shoal_config *cfg, char *err, size_t errlen);

size_t shoal_registry_count(const struct shoal_registry *r);
const struct shoal_loaded *shoal_registry_get(const struct shoal_registry *r, size_t i);
const struct shoal_loaded *shoal_registry_find(const struct shoal_registry *r, const char *name);

/* Print each descriptor and its config keys (for --list-plugins). */
void shoal_registry_print(const struct shoal_registry *r, FILE *out);

#endif
