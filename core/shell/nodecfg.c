/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node.cfg reader (see nodecfg.h), in two passes: the INI text into
 * sections of raw key/value pairs with their lines, then each section
 * checked against the key table and expanded into nodes; last the checks
 * of the whole (one standalone node, or one manager with workers).
 */
#include "shell/nodecfg.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "lib/fsutil.h"
#include "lib/netset.h"

/* A node.cfg larger than this is not a node.cfg. */
#define NODECFG_MAX_BYTES (1u << 20)
#define NODECFG_MAX_SECTIONS 4096
#define NODECFG_MAX_VALUE 4096

enum nodecfg_key {
    NODECFG_TYPE,
    NODECFG_HOST,
    NODECFG_INTERFACE,
    NODECFG_LB_METHOD,
    NODECFG_LB_PROCS,
    NODECFG_LB_INTERFACES,
    NODECFG_PIN_CPUS,
    NODECFG_ENV_VARS,
    NODECFG_NKEYS
};

static const char *const nodecfg_keys[NODECFG_NKEYS] = {
    "type", "host", "interface", "lb_method", "lb_procs", "lb_interfaces", "pin_cpus", "env_vars",
};

/* One section as written: its keys' values (NULL: absent) and lines. */
struct nodecfg_section {
    char *name;
    unsigned line;
    char *val[NODECFG_NKEYS];
    unsigned vline[NODECFG_NKEYS];
};

/* The parse in progress. */
struct nodecfg_parse {
    const char *file;
    struct nodecfg_section *s;
    size_t n;
    char *err;
    size_t errlen;
};

static int nodecfg_errf(struct nodecfg_parse *p, unsigned line, const char *section,
                        const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int nodecfg_errf(struct nodecfg_parse *p, unsigned line, const char *section,
                        const char *key, const char *fmt, ...)
{
    char what[160];
    va_list ap;

    if (section != NULL) {
        snprintf(what, sizeof(what), "[%.64s]%s%.40s", section, key != NULL ? " " : "",
                 key != NULL ? key : "");
    }
    va_start(ap, fmt);
    shoal_config_verrf(p->err, p->errlen, p->file, line, section != NULL ? what : NULL, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static char *nodecfg_trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) {
        *--e = '\0';
    }
    return s;
}

static void nodecfg_sections_free(struct nodecfg_section *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].name);
        for (int k = 0; k < NODECFG_NKEYS; k++) {
            free(s[i].val[k]);
        }
    }
    free(s);
}

/* "[name]" at `line`: a new section. */
static int nodecfg_section_start(struct nodecfg_parse *p, char *text, unsigned line)
{
    char *end = strchr(text, ']');
    char *name;
    struct nodecfg_section *v;

    if (end == NULL || *nodecfg_trim(end + 1) != '\0') {
        return nodecfg_errf(p, line, NULL, NULL, "expected [name], got \"%.60s\"", text);
    }
    *end = '\0';
    name = nodecfg_trim(text + 1);
    if (!shoal_layout_name_ok(name)) {
        return nodecfg_errf(p, line, NULL, NULL,
                            "expected a node name ([A-Za-z0-9][A-Za-z0-9._-]*, at most %d "
                            "characters), got \"%.64s\"",
                            SHOAL_LAYOUT_NAME_MAX, name);
    }
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->s[i].name, name) == 0) {
            return nodecfg_errf(p, line, name, NULL, "the section is already at line %u",
                                p->s[i].line);
        }
    }
    if (p->n == NODECFG_MAX_SECTIONS) {
        return nodecfg_errf(p, line, name, NULL, "more than %d sections", NODECFG_MAX_SECTIONS);
    }
    v = realloc(p->s, (p->n + 1) * sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    p->s = v;
    memset(&v[p->n], 0, sizeof(v[0]));
    v[p->n].line = line;
    v[p->n].name = strdup(name);
    if (v[p->n].name == NULL) {
        return -ENOMEM;
    }
    p->n++;
    return 0;
}

/* "key = value" at `line`, in the current section. */
static int nodecfg_setting(struct nodecfg_parse *p, char *text, unsigned line)
{
    char *eq = strchr(text, '=');
    struct nodecfg_section *s;
    char *key;
    char *value;

    if (eq == NULL) {
        return nodecfg_errf(p, line, NULL, NULL, "expected [name] or key=value, got \"%.60s\"",
                            text);
    }
    *eq = '\0';
    key = nodecfg_trim(text);
    value = nodecfg_trim(eq + 1);
    for (char *c = key; *c != '\0'; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    if (p->n == 0) {
        return nodecfg_errf(p, line, NULL, NULL, "%.40s: a setting before any [section]", key);
    }
    s = &p->s[p->n - 1];
    for (int k = 0; k < NODECFG_NKEYS; k++) {
        if (strcmp(nodecfg_keys[k], key) != 0) {
            continue;
        }
        if (s->val[k] != NULL) {
            return nodecfg_errf(p, line, s->name, key, "already set at line %u", s->vline[k]);
        }
        if (strlen(value) > NODECFG_MAX_VALUE) {
            return nodecfg_errf(p, line, s->name, key, "longer than %d bytes", NODECFG_MAX_VALUE);
        }
        s->val[k] = strdup(value);
        s->vline[k] = line;
        return s->val[k] != NULL ? 0 : -ENOMEM;
    }
    return nodecfg_errf(p, line, s->name, key,
                        "unknown key (expected type, host, interface, lb_method, lb_procs, "
                        "lb_interfaces, pin_cpus or env_vars)");
}

/* Pass one: the text into sections. */
static int nodecfg_read_sections(struct nodecfg_parse *p, char *text)
{
    unsigned line = 0;
    char *save = NULL;

    for (char *l = text; l != NULL; l = save) {
        char *nl = strchr(l, '\n');
        int rc = 0;

        save = nl != NULL ? nl + 1 : NULL;
        if (nl != NULL) {
            *nl = '\0';
        }
        line++;
        l = nodecfg_trim(l);
        for (const char *c = l; *c != '\0'; c++) {
            if ((unsigned char)*c < 0x20 && *c != '\t') {
                return nodecfg_errf(p, line, NULL, NULL, "a control character (0x%02x)",
                                    (unsigned char)*c);
            }
        }
        if (*l == '\0' || *l == '#' || *l == ';') {
            continue;
        }
        rc = *l == '[' ? nodecfg_section_start(p, l, line) : nodecfg_setting(p, l, line);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- values ---- */

/* A host name (RFC 1123 labels) or an IPv4/IPv6 address. */
static bool nodecfg_host_ok(const char *h)
{
    struct shoal_addr a;
    size_t label = 0;

    if (shoal_addr_parse(h, &a) == 0) {
        return true;
    }
    if (h[0] == '\0' || strlen(h) > 253) {
        return false;
    }
    for (const char *c = h; *c != '\0'; c++) {
        if (*c == '.') {
            if (label == 0 || c[-1] == '-') {
                return false;
            }
            label = 0;
        } else if (isalnum((unsigned char)*c) || (*c == '-' && label > 0)) {
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
    }
    return label > 0 && h[strlen(h) - 1] != '-';
}

/* An interface name as Linux and libpcap spell them. */
static bool nodecfg_iface_ok(const char *s)
{
    if (s[0] == '\0' || strlen(s) > 64 || s[0] == '-') {
        return false;
    }
    for (const char *c = s; *c != '\0'; c++) {
        if (!(isalnum((unsigned char)*c) || strchr("._:@-", *c) != NULL)) {
            return false;
        }
    }
    return true;
}

/* A plugin name: [a-z][a-z0-9_-]{0,31}. */
static bool nodecfg_plugin_name_ok(const char *s)
{
    if (s[0] < 'a' || s[0] > 'z' || strlen(s) > 32) {
        return false;
    }
    for (const char *c = s; *c != '\0'; c++) {
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_' || *c == '-')) {
            return false;
        }
    }
    return true;
}

/* NAME=value with NAME [A-Za-z_][A-Za-z0-9_]* and a printable value. */
static bool nodecfg_env_ok(const char *s)
{
    const char *eq = strchr(s, '=');

    if (eq == NULL || eq == s || !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
        return false;
    }
    for (const char *c = s; c < eq; c++) {
        if (!(isalnum((unsigned char)*c) || *c == '_')) {
            return false;
        }
    }
    for (const char *c = eq + 1; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            return false;
        }
    }
    return true;
}

/* Split a comma-separated value into a NULL-terminated vector of trimmed,
 * non-empty items.  *n receives the count.  NULL on ENOMEM. */
static char **nodecfg_split(const char *value, size_t *n)
{
    char *copy = strdup(value);
    char **v = NULL;
    char *save = NULL;

    *n = 0;
    if (copy == NULL) {
        return NULL;
    }
    v = calloc(strlen(value) / 2 + 2, sizeof(*v));
    for (char *t = strtok_r(copy, ",", &save); v != NULL && t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        t = nodecfg_trim(t);
        if (*t == '\0') {
            continue;
        }
        v[*n] = strdup(t);
        if (v[*n] == NULL) {
            break;
        }
        (*n)++;
    }
    free(copy);
    return v;
}

static void nodecfg_strv_free(char **v)
{
    for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
        free(v[i]);
    }
    free(v);
}

static char **nodecfg_strv_dup(char *const *v)
{
    size_t n = 0;
    char **d;

    if (v == NULL) {
        return NULL;
    }
    while (v[n] != NULL) {
        n++;
    }
    d = calloc(n + 1, sizeof(*d));
    for (size_t i = 0; d != NULL && i < n; i++) {
        d[i] = strdup(v[i]);
        if (d[i] == NULL) {
            nodecfg_strv_free(d);
            return NULL;
        }
    }
    return d;
}

/* ---- pass two: sections into nodes ---- */

/* What a section says, checked. */
struct nodecfg_checked {
    enum shoal_role role;
    unsigned procs;
    int cpus[SHOAL_NODECFG_MAX_PROCS];
    size_t ncpus;
    char **env;
    char **lb_ifaces;
};

static int nodecfg_check_role(struct nodecfg_parse *p, const struct nodecfg_section *s,
                              struct nodecfg_checked *c)
{
    const char *type = s->val[NODECFG_TYPE];

    if (type == NULL) {
        return nodecfg_errf(p, s->line, s->name, "type", "required key missing");
    }
    if (shoal_layout_role_parse(type, &c->role) < 0) {
        return nodecfg_errf(p, s->vline[NODECFG_TYPE], s->name, "type",
                            "expected standalone, manager, proxy or worker, got \"%.40s\"", type);
    }
    if (s->val[NODECFG_HOST] == NULL) {
        return nodecfg_errf(p, s->line, s->name, "host", "required key missing");
    }
    if (!nodecfg_host_ok(s->val[NODECFG_HOST])) {
        return nodecfg_errf(p, s->vline[NODECFG_HOST], s->name, "host",
                            "expected a host name or an address, got \"%.64s\"",
                            s->val[NODECFG_HOST]);
    }
    return 0;
}

/* interface, lb_method, lb_interfaces: a worker's or standalone node's only. */
static int nodecfg_check_capture(struct nodecfg_parse *p, const struct nodecfg_section *s,
                                 struct nodecfg_checked *c)
{
    bool sniffs = c->role == SHOAL_ROLE_WORKER || c->role == SHOAL_ROLE_STANDALONE;
    static const enum nodecfg_key keys[] = {NODECFG_INTERFACE, NODECFG_LB_METHOD, NODECFG_LB_PROCS,
                                            NODECFG_LB_INTERFACES, NODECFG_PIN_CPUS};
    size_t n;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!sniffs && s->val[keys[i]] != NULL) {
            return nodecfg_errf(p, s->vline[keys[i]], s->name, nodecfg_keys[keys[i]],
                                "only workers and a standalone node capture packets");
        }
    }
    if (sniffs && s->val[NODECFG_INTERFACE] == NULL) {
        return nodecfg_errf(p, s->line, s->name, "interface", "required key missing");
    }
    if (sniffs && !nodecfg_iface_ok(s->val[NODECFG_INTERFACE])) {
        return nodecfg_errf(p, s->vline[NODECFG_INTERFACE], s->name, "interface",
                            "expected an interface name, got \"%.64s\"", s->val[NODECFG_INTERFACE]);
    }
    if (s->val[NODECFG_LB_METHOD] != NULL && !nodecfg_plugin_name_ok(s->val[NODECFG_LB_METHOD])) {
        return nodecfg_errf(p, s->vline[NODECFG_LB_METHOD], s->name, "lb_method",
                            "expected a frontend's name ([a-z][a-z0-9_-]*), got \"%.40s\"",
                            s->val[NODECFG_LB_METHOD]);
    }
    if (s->val[NODECFG_LB_INTERFACES] != NULL) {
        c->lb_ifaces = nodecfg_split(s->val[NODECFG_LB_INTERFACES], &n);
        if (c->lb_ifaces == NULL) {
            return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            if (!nodecfg_iface_ok(c->lb_ifaces[i])) {
                return nodecfg_errf(p, s->vline[NODECFG_LB_INTERFACES], s->name, "lb_interfaces",
                                    "expected interface names, got \"%.64s\"", c->lb_ifaces[i]);
            }
        }
    }
    return 0;
}

/* An integer in [lo, hi] spelt in decimal, or -1. */
static long nodecfg_int(const char *s, long lo, long hi)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)s[0])) {
        return -1;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    return errno == 0 && *end == '\0' && v >= lo && v <= hi ? v : -1;
}

/* lb_procs and pin_cpus. */
static int nodecfg_check_procs(struct nodecfg_parse *p, const struct nodecfg_section *s,
                               struct nodecfg_checked *c)
{
    const char *procs = s->val[NODECFG_LB_PROCS];
    const char *pins = s->val[NODECFG_PIN_CPUS];
    char **v;
    size_t n;

    c->procs = 1;
    if (procs != NULL) {
        long k = nodecfg_int(procs, 1, SHOAL_NODECFG_MAX_PROCS);
        if (k < 0) {
            return nodecfg_errf(p, s->vline[NODECFG_LB_PROCS], s->name, "lb_procs",
                                "expected an integer 1..%d, got \"%.40s\"", SHOAL_NODECFG_MAX_PROCS,
                                procs);
        }
        if (k > 1 && s->val[NODECFG_LB_METHOD] == NULL) {
            return nodecfg_errf(p, s->vline[NODECFG_LB_PROCS], s->name, "lb_procs",
                                "more than one process needs lb_method");
        }
        c->procs = (unsigned)k;
    }
    if (pins == NULL) {
        return 0;
    }
    v = nodecfg_split(pins, &n);
    if (v == NULL) {
        return -ENOMEM;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        long cpu = nodecfg_int(v[i], 0, 4095);
        if (cpu < 0 || i >= SHOAL_NODECFG_MAX_PROCS) {
            rc = nodecfg_errf(p, s->vline[NODECFG_PIN_CPUS], s->name, "pin_cpus",
                              "expected CPU numbers 0..4095, got \"%.20s\"", v[i]);
        } else {
            c->cpus[c->ncpus++] = (int)cpu;
        }
    }
    nodecfg_strv_free(v);
    if (rc == 0 && c->ncpus < c->procs) {
        rc = nodecfg_errf(p, s->vline[NODECFG_PIN_CPUS], s->name, "pin_cpus",
                          "expected a CPU for each of the %u processes, got %zu", c->procs,
                          c->ncpus);
    }
    return rc;
}

static int nodecfg_check_env(struct nodecfg_parse *p, const struct nodecfg_section *s,
                             struct nodecfg_checked *c)
{
    size_t n;

    if (s->val[NODECFG_ENV_VARS] == NULL) {
        return 0;
    }
    c->env = nodecfg_split(s->val[NODECFG_ENV_VARS], &n);
    if (c->env == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!nodecfg_env_ok(c->env[i])) {
            return nodecfg_errf(p, s->vline[NODECFG_ENV_VARS], s->name, "env_vars",
                                "expected NAME=value entries, got \"%.64s\"", c->env[i]);
        }
    }
    return 0;
}

/* Append the nodes of one checked section to c. */
static int nodecfg_expand(struct shoal_nodecfg *cfg, const struct nodecfg_section *s,
                          const struct nodecfg_checked *c)
{
    struct shoal_nodecfg_node *v = realloc(cfg->nodes, (cfg->n + c->procs) * sizeof(*v));

    if (v == NULL) {
        return -ENOMEM;
    }
    cfg->nodes = v;
    for (unsigned i = 0; i < c->procs; i++) {
        struct shoal_nodecfg_node *n = &cfg->nodes[cfg->n];
        char name[SHOAL_LAYOUT_NAME_MAX + 16];

        memset(n, 0, sizeof(*n));
        snprintf(name, sizeof(name), c->procs > 1 ? "%s-%u" : "%s", s->name, i + 1);
        n->name = strdup(name);
        n->section = strdup(s->name);
        n->role = c->role;
        n->host = strdup(s->val[NODECFG_HOST]);
        n->interface = s->val[NODECFG_INTERFACE] ? strdup(s->val[NODECFG_INTERFACE]) : NULL;
        n->lb_method = s->val[NODECFG_LB_METHOD] ? strdup(s->val[NODECFG_LB_METHOD]) : NULL;
        n->lb_procs = c->procs;
        n->lb_index = i;
        n->lb_interfaces = nodecfg_strv_dup(c->lb_ifaces);
        n->pin_cpu = c->ncpus > 0 ? c->cpus[i] : -1;
        n->env = nodecfg_strv_dup(c->env);
        n->line = s->line;
        cfg->n++;
        if (n->name == NULL || n->section == NULL || n->host == NULL ||
            (s->val[NODECFG_INTERFACE] && n->interface == NULL) ||
            (s->val[NODECFG_LB_METHOD] && n->lb_method == NULL) ||
            (c->lb_ifaces != NULL && n->lb_interfaces == NULL) ||
            (c->env != NULL && n->env == NULL)) {
            return -ENOMEM;
        }
    }
    return 0;
}

static int nodecfg_section_nodes(struct nodecfg_parse *p, struct shoal_nodecfg *cfg,
                                 const struct nodecfg_section *s)
{
    struct nodecfg_checked c;
    int rc;

    memset(&c, 0, sizeof(c));
    rc = nodecfg_check_role(p, s, &c);
    if (rc == 0) {
        rc = nodecfg_check_capture(p, s, &c);
    }
    if (rc == 0) {
        rc = nodecfg_check_procs(p, s, &c);
    }
    if (rc == 0) {
        rc = nodecfg_check_env(p, s, &c);
    }
    if (rc == 0) {
        rc = nodecfg_expand(cfg, s, &c);
    }
    nodecfg_strv_free(c.env);
    nodecfg_strv_free(c.lb_ifaces);
    return rc;
}

/* The whole: unique names, one standalone node alone, or one manager and
 * at least one worker. */
static int nodecfg_check_whole(struct nodecfg_parse *p, const struct shoal_nodecfg *cfg)
{
    size_t count[SHOAL_ROLE_COUNT] = {0};
    const struct shoal_nodecfg_node *last[SHOAL_ROLE_COUNT] = {NULL};

    if (cfg->n == 0) {
        return nodecfg_errf(p, 0, NULL, NULL, "no node: expected a [section] per node");
    }
    for (size_t i = 0; i < cfg->n; i++) {
        const struct shoal_nodecfg_node *n = &cfg->nodes[i];

        for (size_t j = 0; j < i; j++) {
            if (strcmp(cfg->nodes[j].name, n->name) == 0) {
                return nodecfg_errf(p, n->line, n->section, NULL,
                                    "its node %s is also [%s]'s (line %u)", n->name,
                                    cfg->nodes[j].section, cfg->nodes[j].line);
            }
        }
        count[n->role]++;
        last[n->role] = n;
    }
    if (count[SHOAL_ROLE_STANDALONE] > 0 && cfg->n > 1) {
        const struct shoal_nodecfg_node *n = last[SHOAL_ROLE_STANDALONE];
        return nodecfg_errf(p, n->line, n->section, "type",
                            "a standalone node must be the only node");
    }
    if (count[SHOAL_ROLE_STANDALONE] > 0) {
        return 0;
    }
    if (count[SHOAL_ROLE_MANAGER] > 1) {
        const struct shoal_nodecfg_node *n = last[SHOAL_ROLE_MANAGER];
        return nodecfg_errf(p, n->line, n->section, "type", "a second manager");
    }
    if (count[SHOAL_ROLE_MANAGER] == 0) {
        return nodecfg_errf(p, 0, NULL, NULL, "a cluster needs a manager, got none");
    }
    if (count[SHOAL_ROLE_WORKER] == 0) {
        return nodecfg_errf(p, 0, NULL, NULL, "a cluster needs at least one worker");
    }
    return 0;
}

int shoal_nodecfg_parse(const char *text, const char *name, struct shoal_nodecfg **out, char *err,
                        size_t errlen)
{
    struct nodecfg_parse p = {.file = name, .err = err, .errlen = errlen};
    struct shoal_nodecfg *cfg = calloc(1, sizeof(*cfg));
    char *copy = strdup(text);
    int rc = -ENOMEM;

    *out = NULL;
    if (cfg == NULL || copy == NULL || (cfg->file = strdup(name)) == NULL) {
        goto out_free;
    }
    rc = nodecfg_read_sections(&p, copy);
    for (size_t i = 0; rc == 0 && i < p.n; i++) {
        rc = nodecfg_section_nodes(&p, cfg, &p.s[i]);
    }
    if (rc == 0) {
        rc = nodecfg_check_whole(&p, cfg);
    }
    if (rc == 0) {
        *out = cfg;
        cfg = NULL;
    }
out_free:
    if (rc == -ENOMEM) {
        snprintf(err, errlen, "%s: out of memory", name);
    }
    nodecfg_sections_free(p.s, p.n);
    free(copy);
    shoal_nodecfg_free(cfg);
    return rc;
}

int shoal_nodecfg_load(const char *path, struct shoal_nodecfg **out, char *err, size_t errlen)
{
    char *text = NULL;
    int rc = shoal_file_read(path, NODECFG_MAX_BYTES, &text);

    *out = NULL;
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot read: %s", path,
                 rc == -EFBIG    ? "larger than 1 MiB"
                 : rc == -EINVAL ? "a NUL byte: not a text file"
                                 : strerror(-rc));
        return rc;
    }
    rc = shoal_nodecfg_parse(text, path, out, err, errlen);
    free(text);
    return rc;
}

void shoal_nodecfg_free(struct shoal_nodecfg *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        struct shoal_nodecfg_node *n = &c->nodes[i];

        free(n->name);
        free(n->section);
        free(n->host);
        free(n->interface);
        free(n->lb_method);
        nodecfg_strv_free(n->lb_interfaces);
        nodecfg_strv_free(n->env);
    }
    free(c->nodes);
    free(c->file);
    free(c);
}

bool shoal_nodecfg_is_cluster(const struct shoal_nodecfg *c)
{
    return c->n > 0 && c->nodes[0].role != SHOAL_ROLE_STANDALONE;
}

const struct shoal_nodecfg_node *shoal_nodecfg_find(const struct shoal_nodecfg *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->nodes[i].name, name) == 0) {
            return &c->nodes[i];
        }
    }
    return NULL;
}

/* Does argument `a` name node n (its name, its section, its group)? */
static bool nodecfg_names(const struct shoal_nodecfg_node *n, const char *a)
{
    static const char *const groups[SHOAL_ROLE_COUNT] = {"manager", "proxies", "workers", ""};

    return strcmp(a, "all") == 0 || strcmp(a, n->name) == 0 || strcmp(a, n->section) == 0 ||
           strcmp(a, groups[n->role]) == 0;
}

int shoal_nodecfg_select(const struct shoal_nodecfg *c, int argc, char *const *argv,
                         const struct shoal_nodecfg_node ***out, size_t *n, char *err,
                         size_t errlen)
{
    const struct shoal_nodecfg_node **v = calloc(c->n + 1, sizeof(*v));

    *n = 0;
    *out = NULL;
    if (v == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (int a = 0; a < argc; a++) {
        bool any = false;
        for (size_t i = 0; i < c->n && !any; i++) {
            any = nodecfg_names(&c->nodes[i], argv[a]);
        }
        if (!any) {
            snprintf(err, errlen, "unknown node '%.64s'", argv[a]);
            free(v);
            return -EINVAL;
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        bool want = argc == 0;
        for (int a = 0; a < argc && !want; a++) {
            want = nodecfg_names(&c->nodes[i], argv[a]);
        }
        if (want) {
            v[(*n)++] = &c->nodes[i];
        }
    }
    *out = v;
    return 0;
}
