/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin ABI of Shoal: the one descriptor every plugin shared object
 * exports, the table of host functions the core hands to a plugin's init,
 * and the declarative config-key table.  Everything a third-party plugin
 * needs is reachable from <shoal/shoal.h>; plugins call no core symbol
 * directly, only the functions in struct shoal_host.
 *
 * Stability rule: the leading fields of every struct here are frozen for an
 * ABI major version.  New fields go at the end and bump SHOAL_ABI_MINOR;
 * each struct carries its own size so either side can tell what the other
 * knows about.
 */
#ifndef SHOAL_PLUGIN_H
#define SHOAL_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHOAL_ABI_MAJOR 1
#define SHOAL_ABI_MINOR 1

/*
 * The symbol every plugin exports.  With libtool's naming, a plugin called
 * "dns" defines `dns_LTX_shoal_plugin`, so the same objects also link
 * statically into tests and fuzz targets; the loader looks up both forms.
 */
#define SHOAL_PLUGIN_SYMBOL "shoal_plugin"
#define SHOAL_PLUGIN_EXPORT __attribute__((visibility("default")))

enum shoal_plugin_kind {
    SHOAL_PLUGIN_ANALYZER = 1,
    SHOAL_PLUGIN_FRONTEND = 2,
    SHOAL_PLUGIN_COMMAND = 3,
};

/* Types of plugin config keys and the C types they are stored as. */
enum shoal_cfg_type {
    SHOAL_CFG_BOOL = 1, /* bool */
    SHOAL_CFG_INT,      /* int64_t */
    SHOAL_CFG_DOUBLE,   /* double */
    SHOAL_CFG_STRING,   /* char *, owned by the core, valid until fini returns */
};

/*
 * One key a plugin accepts in its group of shoal.cfg.  The core fills a
 * zeroed struct of config_size bytes from the defaults (`def`, parsed as the
 * key's type; NULL means zero/NULL), then from the group, and rejects unknown
 * keys and wrong types with file:line.  Terminate the table with a zeroed entry.
 */
struct shoal_cfg_key {
    const char *name;
    enum shoal_cfg_type type;
    const char *def;
    bool required;
    const char *help;
    size_t offset;
};

enum shoal_log_level {
    SHOAL_LOG_ERROR = 0,
    SHOAL_LOG_WARNING = 1,
    SHOAL_LOG_INFO = 2,
    SHOAL_LOG_DEBUG = 3,
};

struct shoal_host;

/*
 * The descriptor.  Leading fields frozen; `ops` points to the kind's ops
 * table (struct shoal_analyzer_ops for analyzers), which starts with its size.
 *
 * init: called once, on the main thread, before any packet; gets the host
 *   table and the filled config struct (NULL when config_size is 0).  It
 *   stores what it needs in *state.  Returns 0 or a negative errno; a plugin
 *   whose init fails is unloaded and the node goes on without it.
 * fini: called in reverse load order; must accept the state init left.
 */
struct shoal_plugin {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t size; /* sizeof(struct shoal_plugin) the plugin was built with */
    const char *name;
    const char *version;
    enum shoal_plugin_kind kind;
    const char *summary;
    const struct shoal_cfg_key *config;
    size_t config_size;
    int (*init)(const struct shoal_host *host, const void *config, void **state);
    void (*fini)(void *state);
    const void *ops;
};

#define SHOAL_PLUGIN_HEADER                                                                        \
    .abi_major = SHOAL_ABI_MAJOR, .abi_minor = SHOAL_ABI_MINOR, .size = sizeof(struct shoal_plugin)

#ifdef __cplusplus
}
#endif

#endif
