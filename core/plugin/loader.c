/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin loader.  Opens shared objects with libltdl, looks up the one
 * descriptor symbol each exports and checks it field by field before trusting
 * any of it: the ABI version and struct size first (they say how much of the
 * rest exists), then kind, name, callbacks, the kind's ops table and the
 * config key table.  A refusal is one diagnostic line naming the file, the
 * field, what was expected and what was found; the node goes on with the
 * other plugins.  Accepted plugins are kept in load order in a registry, which
 * runs phase one (config + init) and, when freed, fini in reverse order.
 *
 * Main thread only, before any other thread starts (libltdl is not
 * thread-safe without its lock callbacks, which we do not install).
 */
#include "plugin/loader.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <ltdl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/diag.h"

#ifndef SHOAL_PLUGINDIR
#define SHOAL_PLUGINDIR "/usr/local/lib/shoal"
#endif

/* The frozen prefix of ABI major 1: every field through `ops`. */
#define PLUGIN_MIN_SIZE (offsetof(struct shoal_plugin, ops) + sizeof(void *))

/* The analyzer ops of ABI 1.0, through conn_done: the core calls all of them. */
#define PLUGIN_MIN_ANALYZER_OPS                                                                    \
    (offsetof(struct shoal_analyzer_ops, conn_done) + sizeof(void (*)(void)))
/* ... and of ABI 1.1, through conn_removed. */
#define PLUGIN_ANALYZER_OPS_1_1                                                                    \
    (offsetof(struct shoal_analyzer_ops, conn_removed) + sizeof(void (*)(void)))

/* A config struct larger than this is surely a mistake in the descriptor. */
#define PLUGIN_MAX_CONFIG_SIZE (1024 * 1024)

/* Longest key table we walk looking for its terminating zeroed entry. */
#define PLUGIN_MAX_KEYS 1024

#define PLUGIN_NAME_MAX 32

struct shoal_registry {
    struct shoal_loaded *v;
    size_t n;
    size_t cap;
    bool ltdl; /* lt_dlinit succeeded; lt_dlexit on free */
};

static const char *plugin_kind_name(enum shoal_plugin_kind k)
{
    switch (k) {
    case SHOAL_PLUGIN_ANALYZER:
        return "analyzer";
    case SHOAL_PLUGIN_FRONTEND:
        return "frontend";
    case SHOAL_PLUGIN_COMMAND:
        return "command";
    }
    return "unknown";
}

static const char *plugin_cfg_type_name(enum shoal_cfg_type t)
{
    switch (t) {
    case SHOAL_CFG_BOOL:
        return "bool";
    case SHOAL_CFG_INT:
        return "int";
    case SHOAL_CFG_DOUBLE:
        return "double";
    case SHOAL_CFG_STRING:
        return "string";
    }
    return "unknown";
}

/* Copy at most 40 bytes of an untrusted string for a message, quoted, with
 * anything unprintable shown as '?'. */
static void plugin_quote(char *buf, size_t len, const char *s)
{
    size_t i = 0;
    size_t o = 0;

    if (s == NULL) {
        snprintf(buf, len, "NULL");
        return;
    }
    if (len < 8) {
        buf[0] = '\0';
        return;
    }
    buf[o++] = '"';
    while (s[i] != '\0' && i < 40 && o + 5 < len) {
        unsigned char ch = (unsigned char)s[i++];

        buf[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    if (s[i] != '\0') {
        buf[o++] = '.';
        buf[o++] = '.';
        buf[o++] = '.';
    }
    buf[o++] = '"';
    buf[o] = '\0';
}

/* [a-z][a-z0-9_-]{0,31} */
static bool plugin_name_ok(const char *s)
{
    size_t i;

    if (s == NULL || s[0] < 'a' || s[0] > 'z') {
        return false;
    }
    for (i = 1; s[i] != '\0'; i++) {
        char ch = s[i];

        if (i >= PLUGIN_NAME_MAX) {
            return false;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
            return false;
        }
    }
    return true;
}

/* A config key name libconfig can spell: [a-z][a-z0-9_]{0,63}. */
static bool plugin_key_name_ok(const char *s)
{
    size_t i;

    if (s[0] < 'a' || s[0] > 'z') {
        return false;
    }
    for (i = 1; s[i] != '\0'; i++) {
        char ch = s[i];

        if (i >= 64) {
            return false;
        }
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) {
            return false;
        }
    }
    return true;
}

/* Check the config key table against config_size. */
static bool plugin_validate_keys(const struct shoal_plugin *p, char *why, size_t whylen)
{
    char q[64];
    size_t i;

    if (p->config_size > PLUGIN_MAX_CONFIG_SIZE) {
        snprintf(why, whylen, "config_size: expected at most %d, got %zu", PLUGIN_MAX_CONFIG_SIZE,
                 p->config_size);
        return false;
    }
    if (p->config == NULL) {
        return true;
    }
    for (i = 0; p->config[i].name != NULL; i++) {
        const struct shoal_cfg_key *k = &p->config[i];
        size_t sz = shoal_cfg_type_size(k->type);

        if (i >= PLUGIN_MAX_KEYS) {
            snprintf(why, whylen, "config: expected a zeroed entry within %d entries, got none",
                     PLUGIN_MAX_KEYS);
            return false;
        }
        if (!plugin_key_name_ok(k->name)) {
            plugin_quote(q, sizeof(q), k->name);
            snprintf(why, whylen, "config[%zu].name: expected [a-z][a-z0-9_]{0,63}, got %s", i, q);
            return false;
        }
        if (strcmp(k->name, SHOAL_CONFIG_PLUGIN_ENABLED) == 0) {
            snprintf(why, whylen,
                     "config[%zu].name: \"%s\" is the core's own key of every plugin group", i,
                     k->name);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p->config[j].name, k->name) == 0) {
                snprintf(why, whylen,
                         "config[%zu].name: expected a unique name, got \"%s\" "
                         "(also config[%zu])",
                         i, k->name, j);
                return false;
            }
        }
        if (sz == 0) {
            snprintf(why, whylen,
                     "config[%zu].type (%s): expected 1 (bool), 2 (int), 3 (double) or "
                     "4 (string), got %d",
                     i, k->name, (int)k->type);
            return false;
        }
        if (k->offset > p->config_size || p->config_size - k->offset < sz) {
            snprintf(why, whylen,
                     "config[%zu].offset (%s): expected offset + %zu at most config_size %zu, "
                     "got %zu",
                     i, k->name, sz, p->config_size, k->offset);
            return false;
        }
    }
    return true;
}

/* Check the ops table of the plugin's kind. */
static bool plugin_validate_ops(const struct shoal_plugin *p, char *why, size_t whylen)
{
    uint32_t size;

    if (p->ops == NULL) {
        snprintf(why, whylen, "ops: expected a pointer to the %s ops, got NULL",
                 plugin_kind_name(p->kind));
        return false;
    }
    memcpy(&size, p->ops, sizeof(size));
    if (p->kind == SHOAL_PLUGIN_ANALYZER) {
        const struct shoal_analyzer_ops *ops = p->ops;

        if (size < PLUGIN_MIN_ANALYZER_OPS) {
            snprintf(why, whylen, "ops->size: expected at least %zu, got %u",
                     (size_t)PLUGIN_MIN_ANALYZER_OPS, size);
            return false;
        }
        /* data may be NULL only in a plugin that is never attached and
         * only watches connection events (a policy such as scan detection). */
        bool events = size >= PLUGIN_ANALYZER_OPS_1_1 &&
                      (ops->conn_established != NULL || ops->conn_removed != NULL);
        bool attaches = (ops->ports != NULL && ops->ports[0].proto != 0) ||
                        (ops->signatures != NULL && ops->signatures[0].regex != NULL);
        if (ops->data == NULL && (attaches || !events)) {
            snprintf(why, whylen, "ops->data: expected a function, got NULL");
            return false;
        }
        return true;
    }
    /* Frontend and command ops are defined by their own modules; here only
     * the leading size every ops table starts with. */
    if (size < sizeof(uint32_t)) {
        snprintf(why, whylen, "ops->size: expected at least %zu, got %u", sizeof(uint32_t), size);
        return false;
    }
    return true;
}

bool shoal_plugin_validate(const struct shoal_plugin *p, char *why, size_t whylen)
{
    char q[64];

    if (p == NULL) {
        snprintf(why, whylen, "descriptor: expected a pointer, got NULL");
        return false;
    }
    if (p->abi_major != SHOAL_ABI_MAJOR) {
        snprintf(why, whylen, "abi_major: expected %d, got %u", SHOAL_ABI_MAJOR, p->abi_major);
        return false;
    }
    if (p->abi_minor > SHOAL_ABI_MINOR) {
        snprintf(why, whylen, "abi_minor: expected at most %d, got %u", SHOAL_ABI_MINOR,
                 p->abi_minor);
        return false;
    }
    if (p->size < PLUGIN_MIN_SIZE) {
        snprintf(why, whylen, "size: expected at least %zu, got %u", (size_t)PLUGIN_MIN_SIZE,
                 p->size);
        return false;
    }
    if (!plugin_name_ok(p->name)) {
        plugin_quote(q, sizeof(q), p->name);
        snprintf(why, whylen, "name: expected [a-z][a-z0-9_-]{0,31}, got %s", q);
        return false;
    }
    if (p->kind != SHOAL_PLUGIN_ANALYZER && p->kind != SHOAL_PLUGIN_FRONTEND &&
        p->kind != SHOAL_PLUGIN_COMMAND) {
        snprintf(why, whylen, "kind: expected 1 (analyzer), 2 (frontend) or 3 (command), got %d",
                 (int)p->kind);
        return false;
    }
    if (p->init == NULL) {
        snprintf(why, whylen, "init: expected a function, got NULL");
        return false;
    }
    if (!plugin_validate_ops(p, why, whylen)) {
        return false;
    }
    return plugin_validate_keys(p, why, whylen);
}

struct shoal_registry *shoal_registry_new(void)
{
    struct shoal_registry *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        return NULL;
    }
    if (lt_dlinit() != 0) {
        shoal_err("loader", "lt_dlinit: %s", lt_dlerror());
        free(r);
        return NULL;
    }
    r->ltdl = true;
    return r;
}

/* Undo one entry: fini if it was initialised, free its config, close it. */
static void plugin_unload(struct shoal_loaded *l)
{
    if (l->inited && l->desc->fini != NULL) {
        l->desc->fini(l->state);
    }
    l->inited = false;
    l->state = NULL;
    if (l->config != NULL) {
        shoal_config_plugin_free(l->desc, l->config);
        free(l->config);
        l->config = NULL;
    }
    if (l->handle != NULL) {
        lt_dlclose(l->handle);
        l->handle = NULL;
    }
    free(l->file);
    l->file = NULL;
}

/* Remove entry i, keeping the order of the others. */
static void plugin_drop(struct shoal_registry *r, size_t i)
{
    plugin_unload(&r->v[i]);
    memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(r->v[0]));
    r->n--;
}

void shoal_registry_free(struct shoal_registry *r)
{
    if (r == NULL) {
        return;
    }
    while (r->n > 0) {
        plugin_unload(&r->v[--r->n]);
    }
    free(r->v);
    if (r->ltdl) {
        lt_dlexit();
    }
    free(r);
}

/*
 * Validate p, refuse a duplicate name and append it.  `file` is copied;
 * `handle` is taken over only on success.  Refusals are logged here.
 */
static int plugin_add(struct shoal_registry *r, const struct shoal_plugin *p, const char *file,
                      void *handle)
{
    char why[256];
    const struct shoal_loaded *dup;
    struct shoal_loaded *l;

    if (!shoal_plugin_validate(p, why, sizeof(why))) {
        shoal_err("loader", "%s: %s", file, why);
        return -EINVAL;
    }
    dup = shoal_registry_find(r, p->name);
    if (dup != NULL) {
        shoal_err("loader",
                  "%s: name: expected a name not yet loaded, got \"%s\" (already "
                  "loaded from %s)",
                  file, p->name, dup->file);
        return -EEXIST;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap != 0 ? r->cap * 2 : 16;
        struct shoal_loaded *v = realloc(r->v, cap * sizeof(*v));

        if (v == NULL) {
            shoal_err("loader", "%s: out of memory", file);
            return -ENOMEM;
        }
        r->v = v;
        r->cap = cap;
    }
    l = &r->v[r->n];
    memset(l, 0, sizeof(*l));
    l->file = strdup(file);
    if (l->file == NULL) {
        shoal_err("loader", "%s: out of memory", file);
        return -ENOMEM;
    }
    l->desc = p;
    l->handle = handle;
    r->n++;
    shoal_info("loader", "%s: loaded %s %s %s", file, plugin_kind_name(p->kind), p->name,
               p->version != NULL ? p->version : "");
    return 0;
}

int shoal_registry_load_file(struct shoal_registry *r, const char *path)
{
    const struct shoal_plugin *p;
    lt_dlhandle h;
    const char *e;
    int rc;

    lt_dlerror(); /* clear a stale error */
    h = lt_dlopen(path);
    if (h == NULL) {
        e = lt_dlerror();
        shoal_err("loader", "%s: cannot open: %s", path, e != NULL ? e : "unknown error");
        return -ENOENT;
    }
    /* lt_dlsym tries "<module>_LTX_shoal_plugin" (the module name taken from
     * the file name), then the plain "shoal_plugin". */
    p = lt_dlsym(h, SHOAL_PLUGIN_SYMBOL);
    if (p == NULL) {
        e = lt_dlerror();
        shoal_err("loader", "%s: symbol %s: expected a descriptor, got none (%s)", path,
                  SHOAL_PLUGIN_SYMBOL, e != NULL ? e : "not found");
        rc = -ENOEXEC;
        goto out_close;
    }
    rc = plugin_add(r, p, path, h);
    if (rc < 0) {
        goto out_close;
    }
    return 0;

out_close:
    lt_dlclose(h);
    return rc;
}

int shoal_registry_add_static(struct shoal_registry *r, const struct shoal_plugin *p)
{
    return plugin_add(r, p, "(static)", NULL);
}

static int plugin_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True if `name` ends in ".so" and is more than that. */
static bool plugin_is_so(const char *name)
{
    size_t n = strlen(name);

    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/*
 * List the entries of `dir` accepted by `want` (or the subdirectories when
 * want is NULL), sorted by name.  *out is a malloc'ed vector of malloc'ed
 * names.  Returns the count, or a negative errno (a missing dir gives 0).
 */
static int plugin_list_dir(const char *dir, bool (*want)(const char *), char ***out)
{
    char **v = NULL;
    size_t n = 0;
    size_t cap = 0;
    struct dirent *de;
    DIR *d;
    int rc;

    *out = NULL;
    d = opendir(dir);
    if (d == NULL) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return 0;
        }
        rc = -errno;
        shoal_err("loader", "%s: opendir: %s", dir, strerror(errno));
        return rc;
    }
    while ((de = readdir(d)) != NULL) {
        char *name;

        if (de->d_name[0] == '.') {
            continue;
        }
        if (want != NULL && !want(de->d_name)) {
            continue;
        }
        /* Subdirectories: a file that is not one fails later in opendir. */
        if (want == NULL && de->d_type != DT_DIR && de->d_type != DT_LNK &&
            de->d_type != DT_UNKNOWN) {
            continue;
        }
        if (n == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 16;
            char **nv = realloc(v, ncap * sizeof(*nv));

            if (nv == NULL) {
                rc = -ENOMEM;
                goto out_free;
            }
            v = nv;
            cap = ncap;
        }
        name = strdup(de->d_name);
        if (name == NULL) {
            rc = -ENOMEM;
            goto out_free;
        }
        v[n++] = name;
    }
    closedir(d);
    if (n > 0) {
        qsort(v, n, sizeof(*v), plugin_cmp_names);
    }
    *out = v;
    return (int)n;

out_free:
    shoal_err("loader", "%s: out of memory", dir);
    while (n > 0) {
        free(v[--n]);
    }
    free(v);
    closedir(d);
    return rc;
}

static void plugin_free_names(char **v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

int shoal_registry_scan_dir(struct shoal_registry *r, const char *dir)
{
    char path[PATH_MAX];
    char **names;
    int loaded = 0;
    int n;

    n = plugin_list_dir(dir, plugin_is_so, &names);
    for (int i = 0; i < n; i++) {
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= sizeof(path)) {
            shoal_err("loader", "%s/%s: path too long", dir, names[i]);
            continue;
        }
        if (shoal_registry_load_file(r, path) == 0) {
            loaded++;
        }
    }
    if (n > 0) {
        plugin_free_names(names, n);
    }
    return loaded;
}

int shoal_registry_scan_default(struct shoal_registry *r)
{
    static const char *const inst_kinds[] = {"analyzers", "frontends", "commands"};
    char path[PATH_MAX];
    const char *env;
    int loaded = 0;

    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", SHOAL_PLUGINDIR, inst_kinds[i]);
        loaded += shoal_registry_scan_dir(r, path);
    }
    env = getenv("SHOAL_PLUGIN_PATH");
    while (env != NULL && *env != '\0') {
        const char *colon = strchr(env, ':');
        size_t len = colon != NULL ? (size_t)(colon - env) : strlen(env);

        if (len > 0 && len < sizeof(path)) {
            memcpy(path, env, len);
            path[len] = '\0';
            loaded += shoal_registry_scan_dir(r, path);
        }
        env = colon != NULL ? colon + 1 : NULL;
    }
    return loaded;
}

/* Fill entry l's config from cfg.  On error, err holds the reason. */
static int plugin_fill_config(struct shoal_loaded *l, const struct shoal_config *cfg, char *err,
                              size_t errlen)
{
    const struct shoal_plugin *p = l->desc;
    int rc;

    if (p->config_size == 0) {
        /* Still reject a group for a plugin that takes no settings. */
        return shoal_config_plugin(cfg, p, NULL, err, errlen);
    }
    l->config = calloc(1, p->config_size);
    if (l->config == NULL) {
        snprintf(err, errlen, "%s: out of memory", p->name);
        return -ENOMEM;
    }
    rc = shoal_config_plugin(cfg, p, l->config, err, errlen);
    if (rc < 0) {
        free(l->config);
        l->config = NULL;
    }
    return rc;
}

int shoal_registry_init_all(struct shoal_registry *r, const struct shoal_host *host,
                            const struct shoal_config *cfg, char *err, size_t errlen)
{
    char why[512];
    const char **names;
    int ret = 0;
    size_t i;

    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    /* A group under `plugins` that names no loaded plugin is a config error
     * (most likely a typo or a plugin that is not installed). */
    names = calloc(r->n + 1, sizeof(*names));
    if (names == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (i = 0; i < r->n; i++) {
        names[i] = r->v[i].desc->name;
    }
    if (shoal_config_check_plugin_groups(cfg, names, r->n, why, sizeof(why)) < 0) {
        shoal_err("config", "%s", why);
        snprintf(err, errlen, "%s", why);
        ret = -EINVAL;
    }
    free(names);

    i = 0;
    while (i < r->n) {
        struct shoal_loaded *l = &r->v[i];
        int rc;

        if (l->inited) {
            i++;
            continue;
        }
        rc = shoal_config_plugin_enabled(cfg, l->desc->name, why, sizeof(why));
        if (rc == 0) {
            shoal_info("loader", "%s: plugin %s disabled by plugins.%s.enabled in %s", l->file,
                       l->desc->name, l->desc->name, cfg->file ? cfg->file : "the config");
            plugin_drop(r, i);
            continue;
        }
        if (rc == 1) {
            rc = plugin_fill_config(l, cfg, why, sizeof(why));
        }
        if (rc < 0) {
            shoal_err("loader", "%s: %s; plugin %s dropped", l->file, why, l->desc->name);
            if (ret == 0) {
                snprintf(err, errlen, "%s", why);
                ret = rc;
            }
            plugin_drop(r, i);
            continue;
        }
        rc = l->desc->init(host, l->config, &l->state);
        if (rc != 0) {
            shoal_err("loader", "%s: init of %s failed: %s; plugin dropped", l->file, l->desc->name,
                      strerror(rc < 0 ? -rc : rc));
            plugin_drop(r, i);
            continue;
        }
        l->inited = true;
        i++;
    }
    return ret;
}

size_t shoal_registry_count(const struct shoal_registry *r)
{
    return r->n;
}

const struct shoal_loaded *shoal_registry_get(const struct shoal_registry *r, size_t i)
{
    return i < r->n ? &r->v[i] : NULL;
}

const struct shoal_loaded *shoal_registry_find(const struct shoal_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->v[i].desc->name, name) == 0) {
            return &r->v[i];
        }
    }
    return NULL;
}

/* The service and default ports of an analyzer, on one line. */
static void plugin_print_analyzer(FILE *out, const struct shoal_analyzer_ops *ops)
{
    const struct shoal_port *pt = ops->ports;

    fprintf(out, "    service: %s, ports:", ops->service != NULL ? ops->service : "-");
    if (pt == NULL || pt->proto == 0) {
        fprintf(out, " none");
    }
    for (size_t i = 0; pt != NULL && pt[i].proto != 0; i++) {
        fprintf(out, "%s %u/%s", i > 0 ? "," : "", pt[i].port,
                pt[i].proto == SHOAL_PROTO_TCP   ? "tcp"
                : pt[i].proto == SHOAL_PROTO_UDP ? "udp"
                                                 : "?");
    }
    fputc('\n', out);
}

/* One line of --list-plugins for a config key: name, type, default, help. */
static void plugin_print_key(FILE *out, const struct shoal_cfg_key *k)
{
    char def[96];

    if (k->required) {
        snprintf(def, sizeof(def), "required");
    } else if (k->def == NULL) {
        snprintf(def, sizeof(def), "default: none");
    } else if (k->type == SHOAL_CFG_STRING) {
        snprintf(def, sizeof(def), "default: \"%s\"", k->def);
    } else {
        snprintf(def, sizeof(def), "default: %s", k->def);
    }
    fprintf(out, "        %-24s %-7s %-22s %s\n", k->name, plugin_cfg_type_name(k->type), def,
            k->help != NULL ? k->help : "");
}

void shoal_registry_print(const struct shoal_registry *r, FILE *out)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct shoal_plugin *p = r->v[i].desc;

        fprintf(out, "%s (%s %s): %s\n", p->name, plugin_kind_name(p->kind),
                p->version != NULL ? p->version : "-", p->summary != NULL ? p->summary : "");
        fprintf(out, "    file: %s\n", r->v[i].file);
        if (p->kind == SHOAL_PLUGIN_ANALYZER) {
            plugin_print_analyzer(out, p->ops);
        }
        if (p->config == NULL || p->config[0].name == NULL) {
            fprintf(out, "    config: none\n");
            continue;
        }
        fprintf(out, "    config (group plugins.%s):\n", p->name);
        for (const struct shoal_cfg_key *k = p->config; k->name != NULL; k++) {
            plugin_print_key(out, k);
        }
    }
}
