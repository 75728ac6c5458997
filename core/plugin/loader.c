/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin loader (see loader.h).  Opens shared objects with libltdl,
 * looks up the one descriptor symbol each exports and has it validated
 * (validate.c) before trusting any of it.  Accepted plugins of the kinds the
 * registry holds are kept in load order; it runs phase one (handle, config
 * and init) and, when freed, fini in reverse order.
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
#include "plugin/host.h"

#ifndef SHOAL_PLUGINDIR
#define SHOAL_PLUGINDIR "/usr/local/lib/shoal"
#endif

struct shoal_registry {
    struct shoal_loaded *v;
    size_t n;
    size_t cap;
    unsigned kinds; /* SHOAL_KINDS() of what it holds */
    bool ltdl;      /* lt_dlinit succeeded; lt_dlexit on free */
    bool shadowing; /* scanning the path: a name found again is shadowed, not refused */
};

/* The installed folder of each kind, under SHOAL_PLUGINDIR. */
static const char *plugin_kind_dir(enum shoal_plugin_kind k)
{
    switch (k) {
    case SHOAL_PLUGIN_ANALYZER:
        return "analyzers";
    case SHOAL_PLUGIN_POLICY:
        return "policies";
    case SHOAL_PLUGIN_FRONTEND:
        return "frontends";
    case SHOAL_PLUGIN_COMMAND:
        return "commands";
    }
    return NULL;
}

struct shoal_registry *shoal_registry_new(unsigned kinds)
{
    struct shoal_registry *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        shoal_err("loader", "out of memory");
        return NULL;
    }
    if (lt_dlinit() != 0) {
        shoal_err("loader", "lt_dlinit: %s", lt_dlerror());
        free(r);
        return NULL;
    }
    r->kinds = kinds;
    r->ltdl = true;
    return r;
}

/* Undo one entry: fini if it was initialised, free its config, its
 * handle, close it. */
static void plugin_unload(struct shoal_loaded *l)
{
    if (l->inited && l->desc->fini != NULL) {
        l->desc->fini(l->state);
    }
    l->inited = false;
    l->state = NULL;
    shoal_self_free(l->self);
    l->self = NULL;
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
 * Validate p, skip a kind the registry does not hold, refuse a duplicate
 * name and append it.  `file` is copied; `handle` is taken over only when
 * 0 is returned.  Refusals are logged here.
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
    if (!(r->kinds & (1u << p->kind))) {
        shoal_diag(SHOAL_LOG_DEBUG, "loader", "%s: %s %s is not used by this process", file,
                   shoal_plugin_kind_name(p->kind), p->name);
        return 1;
    }
    dup = shoal_registry_find(r, p->name);
    if (dup != NULL && r->shadowing) {
        shoal_info("loader", "%s: %s shadowed by %s, found before it in the plugin path", file,
                   p->name, dup->file);
        return 1;
    }
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
    shoal_info("loader", "%s: loaded %s %s %s", file, shoal_plugin_kind_name(p->kind), p->name,
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
    if (rc != 0) {
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
 * List the entries of `dir` accepted by `want`, sorted by name.  *out is a
 * malloc'ed vector of malloc'ed names.  Returns the count, or a negative
 * errno (a missing dir gives 0).
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
        if (!want(de->d_name)) {
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

/* A folder named as an installed kind's ("commands") holds that kind
 * only: false when the registry holds no such plugins. */
static bool plugin_dir_held(const struct shoal_registry *r, const char *dir)
{
    const char *slash = strrchr(dir, '/');
    const char *base = slash != NULL ? slash + 1 : dir;

    for (int k = SHOAL_PLUGIN_ANALYZER; k <= SHOAL_PLUGIN_KIND_LAST; k++) {
        if (strcmp(base, plugin_kind_dir((enum shoal_plugin_kind)k)) == 0) {
            return (r->kinds & (1u << k)) != 0;
        }
    }
    return true;
}

/* Call fn(r, dir) for each folder of the default path. */
static int plugin_each_dir(const struct shoal_registry *r,
                           int (*fn)(const struct shoal_registry *r, const char *dir, void *arg),
                           void *arg)
{
    char path[PATH_MAX];
    const char *env = getenv("SHOAL_PLUGIN_PATH");
    int sum = 0;

    while (env != NULL && *env != '\0') {
        const char *colon = strchr(env, ':');
        size_t len = colon != NULL ? (size_t)(colon - env) : strlen(env);

        if (len > 0 && len < sizeof(path)) {
            memcpy(path, env, len);
            path[len] = '\0';
            if (plugin_dir_held(r, path)) {
                sum += fn(r, path, arg);
            }
        }
        env = colon != NULL ? colon + 1 : NULL;
    }
    for (int k = SHOAL_PLUGIN_ANALYZER; k <= SHOAL_PLUGIN_KIND_LAST; k++) {
        if (r->kinds & (1u << k)) {
            snprintf(path, sizeof(path), "%s/%s", SHOAL_PLUGINDIR,
                     plugin_kind_dir((enum shoal_plugin_kind)k));
            sum += fn(r, path, arg);
        }
    }
    return sum;
}

static int plugin_scan_one(const struct shoal_registry *r, const char *dir, void *arg)
{
    (void)arg;
    return shoal_registry_scan_dir((struct shoal_registry *)r, dir);
}

int shoal_registry_scan_default(struct shoal_registry *r)
{
    int n;

    r->shadowing = true;
    n = plugin_each_dir(r, plugin_scan_one, NULL);
    r->shadowing = false;
    return n;
}

static int plugin_print_one(const struct shoal_registry *r, const char *dir, void *arg)
{
    (void)r;
    fprintf(arg, "  %s\n", dir);
    return 0;
}

void shoal_registry_print_path(const struct shoal_registry *r, FILE *out)
{
    plugin_each_dir(r, plugin_print_one, out);
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

/* A group under `plugins` that names no loaded plugin is a config error
 * (most likely a typo or a plugin that is not installed).  Those groups
 * configure analyzers and policies: a process holding neither (a
 * dispatcher) leaves them to the nodes that load them. */
static int plugin_check_groups(const struct shoal_registry *r, const struct shoal_config *cfg,
                               char *err, size_t errlen)
{
    char why[512];
    const char **names;
    int rc;

    if (!(r->kinds & (SHOAL_KINDS(ANALYZER) | SHOAL_KINDS(POLICY)))) {
        return 0;
    }
    names = calloc(r->n + 1, sizeof(*names));
    if (names == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        names[i] = r->v[i].desc->name;
    }
    rc = shoal_config_check_plugin_groups(cfg, names, r->n, why, sizeof(why));
    free(names);
    if (rc < 0) {
        shoal_err("config", "%s", why);
        snprintf(err, errlen, "%s", why);
    }
    return rc;
}

/* Phase one for entry l: 0 when initialised, else why it was not (the
 * caller drops it); a config error also goes to *why. */
static int plugin_init_one(struct shoal_loaded *l, struct shoal_host_env *env,
                           const struct shoal_config *cfg, char *why, size_t whylen)
{
    int rc = shoal_config_plugin_enabled(cfg, l->desc->name, why, whylen);

    if (rc == 0) {
        shoal_info("loader", "%s: plugin %s disabled by plugins.%s.enabled in %s", l->file,
                   l->desc->name, l->desc->name, cfg->file ? cfg->file : "the config");
        return -ECANCELED;
    }
    if (rc == 1) {
        rc = plugin_fill_config(l, cfg, why, whylen);
    }
    if (rc < 0) {
        shoal_err("loader", "%s: %s; plugin %s dropped", l->file, why, l->desc->name);
        return rc;
    }
    l->self = shoal_self_new(l->desc, env);
    if (l->self == NULL) {
        shoal_err("loader", "%s: out of memory; plugin %s dropped", l->file, l->desc->name);
        return -ENOMEM;
    }
    rc = l->desc->init(shoal_host_for(env, l->desc->kind), l->self, l->config, &l->state);
    if (rc != 0) {
        char what[160];
        snprintf(what, sizeof(what), "the plugin refused these settings (its init failed: %s)",
                 strerror(rc < 0 ? -rc : rc));
        /* With settings of the user's, a configuration error; else dropped. */
        if (shoal_config_plugin_errf(cfg, l->desc->name, why, whylen, what)) {
            return -EINVAL;
        }
        shoal_err("loader", "%s: init of %s failed: %s; plugin dropped", l->file, l->desc->name,
                  strerror(rc < 0 ? -rc : rc));
        return -EIO;
    }
    l->inited = true;
    return 0;
}

int shoal_registry_init_all(struct shoal_registry *r, struct shoal_host_env *env,
                            const struct shoal_config *cfg, char *err, size_t errlen)
{
    char why[512];
    int ret = 0;
    size_t i = 0;

    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    ret = plugin_check_groups(r, cfg, err, errlen);
    while (i < r->n) {
        struct shoal_loaded *l = &r->v[i];
        int rc;

        if (l->inited) {
            i++;
            continue;
        }
        why[0] = '\0';
        rc = plugin_init_one(l, env, cfg, why, sizeof(why));
        if (rc == 0) {
            i++;
            continue;
        }
        if (rc != -ECANCELED && rc != -EIO && ret == 0) {
            snprintf(err, errlen, "%s", why);
            ret = rc;
        }
        plugin_drop(r, i);
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

void shoal_registry_counters(const struct shoal_registry *r,
                             void (*fn)(void *arg, const char *name, uint64_t value), void *arg)
{
    char name[96];

    for (size_t i = 0; i < r->n; i++) {
        const struct shoal_self *self = r->v[i].self;

        for (size_t j = 0; self != NULL && j < self->ncounters; j++) {
            snprintf(name, sizeof(name), "%s.%s", r->v[i].desc->name, self->counters[j].name);
            fn(arg, name, self->counters[j].value);
        }
    }
}

/* A zero-ended port list as " 53/udp, 53/tcp" (" none" when empty). */
static void plugin_print_ports(FILE *out, const struct shoal_port *pt)
{
    if (pt == NULL || pt->proto == 0) {
        fprintf(out, " none");
    }
    for (size_t i = 0; pt != NULL && pt[i].proto != 0; i++) {
        fprintf(out, "%s %u/%s", i > 0 ? "," : "", pt[i].port,
                pt[i].proto == SHOAL_PROTO_TCP   ? "tcp"
                : pt[i].proto == SHOAL_PROTO_UDP ? "udp"
                                                 : "?");
    }
}

/* The service and default ports of an analyzer, on one line. */
static void plugin_print_analyzer(FILE *out, const struct shoal_analyzer_ops *ops)
{
    fprintf(out, "    service: %s, ports:", ops->service != NULL ? ops->service : "-");
    plugin_print_ports(out, ops->ports);
    if (SHOAL_HAS(ops, client_ports) && ops->client_ports != NULL &&
        ops->client_ports->proto != 0) {
        fprintf(out, ", client ports:");
        plugin_print_ports(out, ops->client_ports);
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
    if (k->min != NULL || k->max != NULL) {
        size_t n = strlen(def);
        snprintf(def + n, sizeof(def) - n, ", %s..%s", k->min != NULL ? k->min : "",
                 k->max != NULL ? k->max : "");
    }
    fprintf(out, "        %-24s %-7s %-30s %s\n", k->name, shoal_plugin_cfg_type_name(k->type), def,
            k->help != NULL ? k->help : "");
}

/* What the kind's ops say, on one line. */
static void plugin_print_ops(FILE *out, const struct shoal_plugin *p)
{
    switch (p->kind) {
    case SHOAL_PLUGIN_ANALYZER:
        plugin_print_analyzer(out, p->ops);
        break;
    case SHOAL_PLUGIN_POLICY: {
        const struct shoal_policy_ops *ops = p->ops;
        fprintf(out, "    watches:%s%s\n", ops->conn_established != NULL ? " conn_established" : "",
                ops->conn_removed != NULL ? " conn_removed" : "");
        break;
    }
    case SHOAL_PLUGIN_FRONTEND: {
        const struct shoal_frontend_ops *ops = p->ops;
        fprintf(out, "    strategy: %s\n",
                ops->dispatch != NULL ? "network-based (a dispatcher)" : "host-based");
        break;
    }
    case SHOAL_PLUGIN_COMMAND: {
        const struct shoal_command_ops *ops = p->ops;
        fprintf(out, "    command: %s %s\n", ops->name, ops->synopsis != NULL ? ops->synopsis : "");
        break;
    }
    }
}

/* A plugin's first lines: name, kind, version, summary; its file; its ops.
 * True when it declares settings. */
static bool plugin_print_head(FILE *out, const struct shoal_loaded *l)
{
    const struct shoal_plugin *p = l->desc;

    fprintf(out, "%s (%s %s): %s\n", p->name, shoal_plugin_kind_name(p->kind),
            p->version != NULL ? p->version : "-", p->summary != NULL ? p->summary : "");
    fprintf(out, "    file: %s\n", l->file);
    plugin_print_ops(out, p);
    return p->config != NULL && p->config[0].name != NULL;
}

void shoal_registry_print(const struct shoal_registry *r, FILE *out)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct shoal_plugin *p = r->v[i].desc;

        if (!plugin_print_head(out, &r->v[i])) {
            fprintf(out, "    config: none\n");
            continue;
        }
        fprintf(out, "    config (group plugins.%s):\n", p->name);
        for (const struct shoal_cfg_key *k = p->config; k->name != NULL; k++) {
            plugin_print_key(out, k);
        }
    }
}

/* "key = value" of one setting of a filled config struct. */
static void plugin_print_value(FILE *out, const struct shoal_cfg_key *k, const void *cfg)
{
    const char *field = (const char *)cfg + k->offset;

    fprintf(out, "        %s = ", k->name);
    switch (k->type) {
    case SHOAL_CFG_BOOL: {
        bool b;
        memcpy(&b, field, sizeof(b));
        fprintf(out, "%s\n", b ? "true" : "false");
        return;
    }
    case SHOAL_CFG_INT: {
        int64_t v;
        memcpy(&v, field, sizeof(v));
        fprintf(out, "%lld\n", (long long)v);
        return;
    }
    case SHOAL_CFG_DOUBLE: {
        double d;
        memcpy(&d, field, sizeof(d));
        fprintf(out, "%g\n", d);
        return;
    }
    case SHOAL_CFG_STRING: {
        const char *str;
        memcpy(&str, field, sizeof(str));
        fprintf(out, str != NULL ? "\"%s\"\n" : "(none)\n", str);
        return;
    }
    }
    fprintf(out, "?\n");
}

void shoal_registry_print_settings(const struct shoal_registry *r, FILE *out)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct shoal_loaded *l = &r->v[i];

        if (!plugin_print_head(out, l) || l->config == NULL) {
            fprintf(out, "    settings: none\n");
            continue;
        }
        fprintf(out, "    settings (group plugins.%s):\n", l->desc->name);
        for (const struct shoal_cfg_key *k = l->desc->config; k->name != NULL; k++) {
            plugin_print_value(out, k, l->config);
        }
    }
}
