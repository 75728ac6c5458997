/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster layout file: reading (libconfig, then a walk over every setting
 * that refuses unknown keys and wrong types with FILE:LINE, as core/config/config.c
 * does for shoal.cfg), validation of the whole (names, hosts, ports, roles,
 * paths), look-ups, ZeroMQ endpoint strings, writing, and the generator that
 * turns a short description into a complete layout with fixed ports.  The
 * syntax checks happen while walking the libconfig tree; the checks on the
 * whole layout (shoal_layout_check) work on the parsed struct, with the
 * source lines kept in it, so a generated layout gets the same checks.
 * libconfig types never leave this file.
 */
#include "cluster/layout.h"

#include "config/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/util.h"

static const char *const layout_role_names[SHOAL_ROLE_COUNT] = {
    [SHOAL_ROLE_MANAGER] = "manager",
    [SHOAL_ROLE_PROXY] = "proxy",
    [SHOAL_ROLE_WORKER] = "worker",
    [SHOAL_ROLE_STANDALONE] = "standalone",
};

static const char *const layout_channel_names[SHOAL_CHANNEL_COUNT] = {
    [SHOAL_CHANNEL_LOG] = "log",
    [SHOAL_CHANNEL_NOTICE] = "notice",
    [SHOAL_CHANNEL_CONTROL] = "control",
    [SHOAL_CHANNEL_STATE_IN] = "state_in",
    [SHOAL_CHANNEL_STATE_PUB] = "state_pub",
};

#define LAYOUT_CH(c) (1u << (c))

/* The channels each role binds (the table in layout.h). */
static const unsigned layout_role_channels[SHOAL_ROLE_COUNT] = {
    [SHOAL_ROLE_MANAGER] = LAYOUT_CH(SHOAL_CHANNEL_LOG) | LAYOUT_CH(SHOAL_CHANNEL_NOTICE) |
                           LAYOUT_CH(SHOAL_CHANNEL_CONTROL),
    [SHOAL_ROLE_PROXY] = LAYOUT_CH(SHOAL_CHANNEL_STATE_IN) | LAYOUT_CH(SHOAL_CHANNEL_STATE_PUB) |
                         LAYOUT_CH(SHOAL_CHANNEL_CONTROL),
    [SHOAL_ROLE_WORKER] = LAYOUT_CH(SHOAL_CHANNEL_CONTROL),
    [SHOAL_ROLE_STANDALONE] = LAYOUT_CH(SHOAL_CHANNEL_CONTROL),
};

/* Longest socket path an ipc:// endpoint may have (sun_path, with its NUL). */
#define LAYOUT_SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* The longest channel name, for the ipc path length check. */
#define LAYOUT_LONGEST_SOCK "/state_pub.sock"

/* The name used in messages for a layout that was not read from a file. */
#define LAYOUT_NOFILE "layout"

/* ---- names and small predicates --------------------------------------- */

const char *shoal_layout_role_name(enum shoal_role role)
{
    if ((unsigned)role >= SHOAL_ROLE_COUNT) {
        return "?";
    }
    return layout_role_names[role];
}

const char *shoal_layout_channel_name(enum shoal_channel ch)
{
    if ((unsigned)ch >= SHOAL_CHANNEL_COUNT) {
        return "?";
    }
    return layout_channel_names[ch];
}

int shoal_layout_role_parse(const char *s, enum shoal_role *role)
{
    for (unsigned r = 0; r < SHOAL_ROLE_COUNT; r++) {
        if (strcmp(s, layout_role_names[r]) == 0) {
            *role = (enum shoal_role)r;
            return 0;
        }
    }
    return -EINVAL;
}

bool shoal_layout_role_binds(enum shoal_role role, enum shoal_channel ch)
{
    if ((unsigned)role >= SHOAL_ROLE_COUNT || (unsigned)ch >= SHOAL_CHANNEL_COUNT) {
        return false;
    }
    return (layout_role_channels[role] & LAYOUT_CH(ch)) != 0;
}

/* True for the roles that capture packets (and so may have capture keys). */
static bool layout_role_captures(enum shoal_role role)
{
    return role == SHOAL_ROLE_WORKER || role == SHOAL_ROLE_STANDALONE;
}

/* A node name: [A-Za-z0-9][A-Za-z0-9._-]*, at most SHOAL_LAYOUT_NAME_MAX bytes.
 * Names become file names (keys, sockets), so no '/' and no leading dot. */
bool shoal_layout_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > SHOAL_LAYOUT_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
            return false;
        }
    }
    return true;
}

/* A host: an IPv6 literal (without brackets) or a host name / IPv4 address
 * made of letters, digits, '.', '-' and '_'. */
static bool layout_host_ok(const char *s)
{
    unsigned char buf[16];
    size_t n = strlen(s);

    if (n == 0 || n > 253) {
        return false;
    }
    if (strchr(s, ':') != NULL) {
        return inet_pton(AF_INET6, s, buf) == 1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_')) {
            return false;
        }
    }
    return true;
}

/* True if s holds a control character (refused in every string of the
 * layout, so the writer needs to escape only '"' and '\'). */
static bool layout_has_ctrl(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return true;
        }
    }
    return false;
}

/* An absolute path without control characters, shorter than PATH_MAX. */
static bool layout_path_ok(const char *s)
{
    return s[0] == '/' && strlen(s) < 4096 && !layout_has_ctrl(s);
}

/* A frontend name: [a-z0-9_]+ (plugin names). */
static bool layout_method_ok(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) {
            return false;
        }
    }
    return true;
}

static bool layout_is_loopback(const char *h)
{
    return strcasecmp(h, "localhost") == 0 || strcmp(h, "127.0.0.1") == 0 || strcmp(h, "::1") == 0;
}

bool shoal_layout_same_host(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return false;
    }
    return strcasecmp(a, b) == 0 || (layout_is_loopback(a) && layout_is_loopback(b));
}

/* ---- errors ------------------------------------------------------------- */

/* Write "FILE:LINE: path: message" into err (line left out when 0, path left
 * out when NULL). */
static void layout_errf(char *err, size_t errlen, const char *file, unsigned line, const char *path,
                        const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void layout_errf(char *err, size_t errlen, const char *file, unsigned line, const char *path,
                        const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    shoal_config_verrf(err, errlen, file != NULL ? file : LAYOUT_NOFILE, line, path, fmt, ap);
    va_end(ap);
}

/* ---- freeing ------------------------------------------------------------ */

static void layout_node_free(struct shoal_layout_node *n)
{
    free(n->name);
    free(n->host);
    free(n->workdir);
    free(n->secret_key);
    free(n->interface);
    free(n->filter);
    free(n->lb_method);
    memset(n, 0, sizeof(*n));
}

void shoal_layout_free(struct shoal_layout *layout)
{
    if (layout == NULL) {
        return;
    }
    for (size_t i = 0; i < layout->n_nodes; i++) {
        layout_node_free(&layout->nodes[i]);
    }
    free(layout->nodes);
    free(layout->file);
    free(layout->cluster);
    free(layout->allowed_keys);
    free(layout);
}

/* ---- reading ------------------------------------------------------------ */

/* State of one load: the file name for messages and the error buffer. */
struct layout_reader {
    const char *file;
    char *err;
    size_t errlen;
};

static unsigned layout_line(const config_setting_t *s)
{
    return s != NULL ? config_setting_source_line(s) : 0;
}

/* Copy a string setting into *dst (replacing it).  Type errors name `path`. */
static int layout_read_string(struct layout_reader *r, const config_setting_t *s, const char *path,
                              char **dst)
{
    char *dup;

    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path, "expected a string, got %s",
                    shoal_config_type_name(config_setting_type(s)));
        return -EINVAL;
    }
    dup = strdup(config_setting_get_string(s));
    if (dup == NULL) {
        return -ENOMEM;
    }
    free(*dst);
    *dst = dup;
    return 0;
}

/* Read an absolute path setting. */
static int layout_read_path(struct layout_reader *r, const config_setting_t *s, const char *path,
                            char **dst)
{
    int rc = layout_read_string(r, s, path, dst);

    if (rc < 0) {
        return rc;
    }
    if (!layout_path_ok(*dst)) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "expected an absolute path, got \"%s\"", *dst);
        return -EINVAL;
    }
    return 0;
}

/* cluster: { name = "..."; use_ipc = false; allowed_keys = "/..."; } */
static int layout_read_cluster(struct layout_reader *r, struct shoal_layout *l,
                               const config_setting_t *g)
{
    int n = config_setting_length(g);

    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        char path[96];
        int rc;

        snprintf(path, sizeof(path), "cluster.%s", name);
        if (strcmp(name, "name") == 0) {
            rc = layout_read_string(r, s, path, &l->cluster);
            if (rc == 0 && (!shoal_layout_name_ok(l->cluster))) {
                layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                            "expected a name of letters, digits, '.', '_' and '-', got \"%s\"",
                            l->cluster);
                rc = -EINVAL;
            }
        } else if (strcmp(name, "use_ipc") == 0) {
            if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
                layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                            "expected a boolean, got %s",
                            shoal_config_type_name(config_setting_type(s)));
                return -EINVAL;
            }
            l->use_ipc = config_setting_get_bool(s) != 0;
            rc = 0;
        } else if (strcmp(name, "allowed_keys") == 0) {
            rc = layout_read_path(r, s, path, &l->allowed_keys);
            l->line.allowed_keys = layout_line(s);
        } else {
            layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                        "unknown key (expected name, use_ipc or allowed_keys)");
            rc = -EINVAL;
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * The reader of one key of a node group: `s` is the setting and `path`
 * ("nodes[i].key") names it in messages.  Returns 0, or a negative errno
 * with the message in r->err.
 */
typedef int (*layout_key_reader)(struct layout_reader *r, struct shoal_layout_node *node,
                                 const config_setting_t *s, const char *path);

static int layout_read_name(struct layout_reader *r, struct shoal_layout_node *node,
                            const config_setting_t *s, const char *path)
{
    int rc = layout_read_string(r, s, path, &node->name);

    node->line.name = layout_line(s);
    if (rc == 0 && !shoal_layout_name_ok(node->name)) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "bad node name \"%s\" (letters, digits, '.', '_' and '-', starting "
                    "with a letter or digit, at most %d)",
                    node->name, SHOAL_LAYOUT_NAME_MAX);
        rc = -EINVAL;
    }
    return rc;
}

static int layout_read_host(struct layout_reader *r, struct shoal_layout_node *node,
                            const config_setting_t *s, const char *path)
{
    int rc = layout_read_string(r, s, path, &node->host);

    node->line.host = layout_line(s);
    if (rc == 0 && !layout_host_ok(node->host)) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "expected a host name or address, got \"%s\"", node->host);
        rc = -EINVAL;
    }
    return rc;
}

static int layout_read_workdir(struct layout_reader *r, struct shoal_layout_node *node,
                               const config_setting_t *s, const char *path)
{
    node->line.workdir = layout_line(s);
    return layout_read_path(r, s, path, &node->workdir);
}

static int layout_read_secret_key(struct layout_reader *r, struct shoal_layout_node *node,
                                  const config_setting_t *s, const char *path)
{
    return layout_read_path(r, s, path, &node->secret_key);
}

/* The channel named `name`, or SHOAL_CHANNEL_COUNT. */
static unsigned layout_channel_parse(const char *name)
{
    for (unsigned c = 0; c < SHOAL_CHANNEL_COUNT; c++) {
        if (strcmp(layout_channel_names[c], name) == 0) {
            return c;
        }
    }
    return SHOAL_CHANNEL_COUNT;
}

/* ports: { log = 27760; ... }: channel names only, each an integer port. */
static int layout_read_ports(struct layout_reader *r, struct shoal_layout_node *node,
                             const config_setting_t *g, const char *path)
{
    int n;

    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        layout_errf(r->err, r->errlen, r->file, layout_line(g), path, "expected a group, got %s",
                    shoal_config_type_name(config_setting_type(g)));
        return -EINVAL;
    }
    n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        unsigned ch = layout_channel_parse(name);
        int t = config_setting_type(s);
        char cpath[128];
        long long v;

        snprintf(cpath, sizeof(cpath), "%s.%s", path, name);
        if (ch == SHOAL_CHANNEL_COUNT) {
            layout_errf(r->err, r->errlen, r->file, layout_line(s), cpath,
                        "unknown channel (expected log, notice, control, state_in or state_pub)");
            return -EINVAL;
        }
        if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
            layout_errf(r->err, r->errlen, r->file, layout_line(s), cpath,
                        "expected an integer port, got %s", shoal_config_type_name(t));
            return -EINVAL;
        }
        v = config_setting_get_int64(s);
        if (v < 1 || v > 65535) {
            layout_errf(r->err, r->errlen, r->file, layout_line(s), cpath,
                        "expected a port 1-65535, got %lld", v);
            return -EINVAL;
        }
        node->ports[ch] = (uint16_t)v;
        node->line.ports[ch] = layout_line(s);
    }
    return 0;
}

static int layout_read_interface(struct layout_reader *r, struct shoal_layout_node *node,
                                 const config_setting_t *s, const char *path)
{
    int rc = layout_read_string(r, s, path, &node->interface);

    if (rc == 0 && (node->interface[0] == '\0' || layout_has_ctrl(node->interface))) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "expected an interface name, got \"%s\"", node->interface);
        rc = -EINVAL;
    }
    return rc;
}

static int layout_read_filter(struct layout_reader *r, struct shoal_layout_node *node,
                              const config_setting_t *s, const char *path)
{
    int rc = layout_read_string(r, s, path, &node->filter);

    if (rc == 0 && layout_has_ctrl(node->filter)) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "control characters in the filter");
        rc = -EINVAL;
    }
    return rc;
}

static int layout_read_lb_method(struct layout_reader *r, struct shoal_layout_node *node,
                                 const config_setting_t *s, const char *path)
{
    int rc = layout_read_string(r, s, path, &node->lb_method);

    if (rc == 0 && !layout_method_ok(node->lb_method)) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "expected a frontend name ([a-z0-9_]), got \"%s\"", node->lb_method);
        rc = -EINVAL;
    }
    return rc;
}

static int layout_read_lb_procs(struct layout_reader *r, struct shoal_layout_node *node,
                                const config_setting_t *s, const char *path)
{
    int t = config_setting_type(s);
    long long v;

    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path, "expected an integer, got %s",
                    shoal_config_type_name(t));
        return -EINVAL;
    }
    v = config_setting_get_int64(s);
    if (v < 1 || v > 1024) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "expected an integer 1-1024, got %lld", v);
        return -EINVAL;
    }
    node->lb_procs = (unsigned)v;
    return 0;
}

/* The keys of a node group: how each is read, and whether only the roles
 * that capture packets may have it.  The role has no reader here: it is
 * read first (layout_read_role), as the other checks depend on it. */
static const struct layout_node_key {
    const char *name;
    layout_key_reader read;
    bool capture;
} layout_node_keys[] = {
    {"name", layout_read_name, false},
    {"role", NULL, false},
    {"host", layout_read_host, false},
    {"workdir", layout_read_workdir, false},
    {"secret_key", layout_read_secret_key, false},
    {"ports", layout_read_ports, false},
    {"interface", layout_read_interface, true},
    {"filter", layout_read_filter, true},
    {"lb_method", layout_read_lb_method, true},
    {"lb_procs", layout_read_lb_procs, true},
};

/* The role of node group g (`prefix` is "nodes[i]"). */
static int layout_read_role(struct layout_reader *r, struct shoal_layout_node *node,
                            const config_setting_t *g, const char *prefix)
{
    const config_setting_t *s = config_setting_get_member(g, "role");
    char path[96];

    if (s == NULL) {
        layout_errf(r->err, r->errlen, r->file, layout_line(g), prefix,
                    "required key role missing");
        return -EINVAL;
    }
    snprintf(path, sizeof(path), "%s.role", prefix);
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path, "expected a string, got %s",
                    shoal_config_type_name(config_setting_type(s)));
        return -EINVAL;
    }
    if (shoal_layout_role_parse(config_setting_get_string(s), &node->role) < 0) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "unknown role \"%s\" (expected manager, proxy, worker or standalone)",
                    config_setting_get_string(s));
        return -EINVAL;
    }
    return 0;
}

/* One key of a node group whose role is known: a key of the table, allowed
 * for the role, then read. */
static int layout_read_node_key(struct layout_reader *r, struct shoal_layout_node *node,
                                const config_setting_t *s, const char *prefix)
{
    const char *name = config_setting_name(s);
    const struct layout_node_key *key = NULL;
    char path[96];

    snprintf(path, sizeof(path), "%s.%s", prefix, name);
    for (size_t k = 0; k < SHOAL_ARRAY_SIZE(layout_node_keys) && key == NULL; k++) {
        if (strcmp(layout_node_keys[k].name, name) == 0) {
            key = &layout_node_keys[k];
        }
    }
    if (key == NULL) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "unknown key (expected name, role, host, workdir, secret_key, ports, "
                    "interface, filter, lb_method or lb_procs)");
        return -EINVAL;
    }
    if (key->capture && !layout_role_captures(node->role)) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), path,
                    "a %s captures no packets (only workers and standalone nodes do)",
                    layout_role_names[node->role]);
        return -EINVAL;
    }
    return key->read != NULL ? key->read(r, node, s, path) : 0;
}

/* One node group.  `prefix` is "nodes[i]". */
static int layout_read_node(struct layout_reader *r, struct shoal_layout_node *node,
                            const config_setting_t *g, const char *prefix)
{
    int n;
    int rc;

    node->line.node = layout_line(g);
    node->lb_procs = 1;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        layout_errf(r->err, r->errlen, r->file, layout_line(g), prefix,
                    "expected a group { name = ...; role = ...; ... }, got %s",
                    shoal_config_type_name(config_setting_type(g)));
        return -EINVAL;
    }
    rc = layout_read_role(r, node, g, prefix);
    if (rc < 0) {
        return rc;
    }
    n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        rc = layout_read_node_key(r, node, config_setting_get_elem(g, (unsigned)i), prefix);
        if (rc < 0) {
            return rc;
        }
    }

    /* Keys every node needs (secret_key and ports are checked per role by
     * shoal_layout_check). */
    if (node->name == NULL || node->host == NULL || node->workdir == NULL) {
        layout_errf(r->err, r->errlen, r->file, node->line.node, prefix, "required key %s missing",
                    node->name == NULL   ? "name"
                    : node->host == NULL ? "host"
                                         : "workdir");
        return -EINVAL;
    }
    return 0;
}

/* nodes = ( { ... }, ... ); */
static int layout_read_nodes(struct layout_reader *r, struct shoal_layout *l,
                             const config_setting_t *s)
{
    int t = config_setting_type(s);
    int n;

    l->line.nodes = layout_line(s);
    if (t != CONFIG_TYPE_LIST) {
        layout_errf(r->err, r->errlen, r->file, layout_line(s), "nodes",
                    "expected a list ( { ... }, ... ), got %s", shoal_config_type_name(t));
        return -EINVAL;
    }
    n = config_setting_length(s);
    if (n == 0) {
        return 0;
    }
    l->nodes = calloc((size_t)n, sizeof(*l->nodes));
    if (l->nodes == NULL) {
        return -ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
        char prefix[32];
        int rc;

        snprintf(prefix, sizeof(prefix), "nodes[%d]", i);
        l->n_nodes++;
        rc = layout_read_node(r, &l->nodes[i], g, prefix);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* The top level: version, cluster, nodes. */
static int layout_read_root(struct layout_reader *r, struct shoal_layout *l,
                            const config_setting_t *root)
{
    int n = config_setting_length(root);
    bool have_nodes = false;

    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        int t = config_setting_type(s);
        int rc;

        if (strcmp(name, "version") == 0) {
            if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
                layout_errf(r->err, r->errlen, r->file, layout_line(s), name,
                            "expected an integer, got %s", shoal_config_type_name(t));
                return -EINVAL;
            }
            if (config_setting_get_int64(s) != SHOAL_LAYOUT_VERSION) {
                layout_errf(r->err, r->errlen, r->file, layout_line(s), name,
                            "layout format version %lld is not supported (expected %d)",
                            (long long)config_setting_get_int64(s), SHOAL_LAYOUT_VERSION);
                return -EINVAL;
            }
        } else if (strcmp(name, "cluster") == 0) {
            if (t != CONFIG_TYPE_GROUP) {
                layout_errf(r->err, r->errlen, r->file, layout_line(s), name,
                            "expected a group, got %s", shoal_config_type_name(t));
                return -EINVAL;
            }
            rc = layout_read_cluster(r, l, s);
            if (rc < 0) {
                return rc;
            }
        } else if (strcmp(name, "nodes") == 0) {
            have_nodes = true;
            rc = layout_read_nodes(r, l, s);
            if (rc < 0) {
                return rc;
            }
        } else {
            layout_errf(r->err, r->errlen, r->file, layout_line(s), name,
                        "unknown key (expected version, cluster or nodes)");
            return -EINVAL;
        }
    }
    if (!have_nodes) {
        layout_errf(r->err, r->errlen, r->file, 0, "nodes", "required list missing");
        return -EINVAL;
    }
    if (l->cluster == NULL) {
        l->cluster = strdup("shoal");
        if (l->cluster == NULL) {
            return -ENOMEM;
        }
    }
    return 0;
}

int shoal_layout_load(const char *path, struct shoal_layout **out, char *err, size_t errlen)
{
    struct layout_reader r = {.file = path, .err = err, .errlen = errlen};
    struct shoal_layout *l;
    config_t lc;
    FILE *f;
    int rc;

    *out = NULL;
    /* Open it ourselves first: libconfig reports an unreadable file without
     * errno. */
    f = fopen(path, "r");
    if (f == NULL) {
        rc = -errno;
        layout_errf(err, errlen, path, 0, NULL, "cannot open: %s", strerror(errno));
        return rc;
    }
    fclose(f);

    l = calloc(1, sizeof(*l));
    if (l == NULL) {
        layout_errf(err, errlen, path, 0, NULL, "out of memory");
        return -ENOMEM;
    }
    l->file = strdup(path);
    if (l->file == NULL) {
        rc = -ENOMEM;
        goto out_free_layout;
    }
    config_init(&lc);
    if (config_read_file(&lc, path) != CONFIG_TRUE) {
        const char *ef = config_error_file(&lc);

        layout_errf(err, errlen, ef != NULL ? ef : path, (unsigned)config_error_line(&lc), NULL,
                    "%s", config_error_text(&lc));
        rc = -EINVAL;
        goto out_destroy_config;
    }
    rc = layout_read_root(&r, l, config_root_setting(&lc));
    if (rc < 0) {
        goto out_destroy_config;
    }
    config_destroy(&lc);
    rc = shoal_layout_check(l, err, errlen);
    if (rc < 0) {
        goto out_free_layout;
    }
    *out = l;
    return 0;

out_destroy_config:
    config_destroy(&lc);
out_free_layout:
    if (rc == -ENOMEM) {
        layout_errf(err, errlen, path, 0, NULL, "out of memory");
    }
    shoal_layout_free(l);
    return rc;
}

/* ---- validation of the whole ------------------------------------------- */

/* The line to report for node n's channel ch (the port's, else the node's). */
static unsigned layout_port_line(const struct shoal_layout_node *n, unsigned ch)
{
    return n->line.ports[ch] != 0 ? n->line.ports[ch] : n->line.node;
}

/* layout_errf for node i of l: the path is "nodes[i]", or "nodes[i].key"
 * when key is not NULL. */
static void layout_node_errf(char *err, size_t errlen, const struct shoal_layout *l, size_t i,
                             const char *key, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void layout_node_errf(char *err, size_t errlen, const struct shoal_layout *l, size_t i,
                             const char *key, unsigned line, const char *fmt, ...)
{
    char path[96];
    va_list ap;

    if (key != NULL) {
        snprintf(path, sizeof(path), "nodes[%zu].%s", i, key);
    } else {
        snprintf(path, sizeof(path), "nodes[%zu]", i);
    }
    va_start(ap, fmt);
    shoal_config_verrf(err, errlen, l->file != NULL ? l->file : LAYOUT_NOFILE, line, path, fmt, ap);
    va_end(ap);
}

/* Node i's role, name, host, workdir (and its room for ipc sockets) and
 * secret key path. */
static int layout_check_node_names(const struct shoal_layout *l, size_t i, char *err, size_t errlen)
{
    const struct shoal_layout_node *n = &l->nodes[i];

    if ((unsigned)n->role >= SHOAL_ROLE_COUNT) {
        layout_node_errf(err, errlen, l, i, NULL, n->line.node, "unknown role %d", (int)n->role);
        return -EINVAL;
    }
    if (n->name == NULL || !shoal_layout_name_ok(n->name)) {
        layout_node_errf(err, errlen, l, i, "name", n->line.name, "bad or missing node name \"%s\"",
                         n->name != NULL ? n->name : "");
        return -EINVAL;
    }
    if (n->host == NULL || !layout_host_ok(n->host)) {
        layout_node_errf(err, errlen, l, i, "host", n->line.host,
                         "expected a host name or address, got \"%s\"",
                         n->host != NULL ? n->host : "");
        return -EINVAL;
    }
    if (n->workdir == NULL || !layout_path_ok(n->workdir)) {
        layout_node_errf(err, errlen, l, i, "workdir", n->line.workdir,
                         "expected an absolute path, got \"%s\"",
                         n->workdir != NULL ? n->workdir : "");
        return -EINVAL;
    }
    if (l->use_ipc && strlen(n->workdir) + strlen(LAYOUT_LONGEST_SOCK) > LAYOUT_SUN_PATH_MAX) {
        layout_node_errf(err, errlen, l, i, "workdir", n->line.workdir,
                         "too long for ipc sockets (at most %zu bytes with cluster.use_ipc)",
                         LAYOUT_SUN_PATH_MAX - strlen(LAYOUT_LONGEST_SOCK));
        return -EINVAL;
    }
    if (n->role != SHOAL_ROLE_STANDALONE &&
        (n->secret_key == NULL || !layout_path_ok(n->secret_key))) {
        layout_node_errf(err, errlen, l, i, "secret_key", n->line.node,
                         "an absolute path is required for a %s (CURVE on every node socket)",
                         shoal_layout_role_name(n->role));
        return -EINVAL;
    }
    return 0;
}

/* Node i's ports: one for each channel its role binds and no other, none
 * privileged or ephemeral. */
static int layout_check_node_ports(const struct shoal_layout *l, size_t i, char *err, size_t errlen)
{
    const struct shoal_layout_node *n = &l->nodes[i];
    const char *role = shoal_layout_role_name(n->role);

    for (unsigned ch = 0; ch < SHOAL_CHANNEL_COUNT; ch++) {
        bool binds = shoal_layout_role_binds(n->role, (enum shoal_channel)ch);
        unsigned p = n->ports[ch];
        char key[32];

        snprintf(key, sizeof(key), "ports.%s", layout_channel_names[ch]);
        if (binds && p == 0) {
            layout_node_errf(err, errlen, l, i, key, n->line.node, "required for a %s", role);
            return -EINVAL;
        }
        if (!binds && p != 0) {
            layout_node_errf(err, errlen, l, i, key, layout_port_line(n, ch),
                             "a %s binds no %s channel", role, layout_channel_names[ch]);
            return -EINVAL;
        }
        if (p != 0 && p < SHOAL_LAYOUT_PORT_MIN) {
            layout_node_errf(err, errlen, l, i, key, layout_port_line(n, ch),
                             "port %u is privileged (below %d)", p, SHOAL_LAYOUT_PORT_MIN);
            return -EINVAL;
        }
        if (p >= SHOAL_LAYOUT_EPHEMERAL_LOW && p <= SHOAL_LAYOUT_EPHEMERAL_HIGH) {
            layout_node_errf(err, errlen, l, i, key, layout_port_line(n, ch),
                             "port %u is in the ephemeral range %d-%d (the kernel may give it "
                             "to an outgoing connection)",
                             p, SHOAL_LAYOUT_EPHEMERAL_LOW, SHOAL_LAYOUT_EPHEMERAL_HIGH);
            return -EINVAL;
        }
    }
    return 0;
}

/* Node i's capture settings: only on a role that captures, well formed,
 * and lb_procs > 1 only with a frontend to split the traffic. */
static int layout_check_node_capture(const struct shoal_layout *l, size_t i, char *err,
                                     size_t errlen)
{
    const struct shoal_layout_node *n = &l->nodes[i];

    if (!layout_role_captures(n->role) &&
        (n->interface != NULL || n->filter != NULL || n->lb_method != NULL || n->lb_procs > 1)) {
        layout_node_errf(err, errlen, l, i, NULL, n->line.node,
                         "a %s captures no packets (interface, filter, lb_method, lb_procs are "
                         "for workers and standalone nodes)",
                         shoal_layout_role_name(n->role));
        return -EINVAL;
    }
    if ((n->interface != NULL && (n->interface[0] == '\0' || layout_has_ctrl(n->interface))) ||
        (n->filter != NULL && layout_has_ctrl(n->filter)) ||
        (n->lb_method != NULL && !layout_method_ok(n->lb_method))) {
        layout_node_errf(err, errlen, l, i, NULL, n->line.node,
                         "bad interface, filter or lb_method");
        return -EINVAL;
    }
    if (n->lb_procs > 1 && n->lb_method == NULL) {
        layout_node_errf(err, errlen, l, i, "lb_procs", n->line.node,
                         "lb_procs = %u needs an lb_method (the frontend that splits the traffic)",
                         n->lb_procs);
        return -EINVAL;
    }
    return 0;
}

/* Node i against the nodes before it: its name, then every host:port it
 * binds (its own earlier channels included). */
static int layout_check_node_unique(const struct shoal_layout *l, size_t i, char *err,
                                    size_t errlen)
{
    const struct shoal_layout_node *n = &l->nodes[i];

    for (size_t j = 0; j < i; j++) {
        if (strcmp(l->nodes[j].name, n->name) == 0) {
            layout_node_errf(err, errlen, l, i, "name", n->line.name,
                             "duplicate node name \"%s\" (first at nodes[%zu], line %u)", n->name,
                             j, l->nodes[j].line.name);
            return -EINVAL;
        }
    }
    for (unsigned ch = 0; ch < SHOAL_CHANNEL_COUNT; ch++) {
        for (size_t j = 0; j <= i && n->ports[ch] != 0; j++) {
            const struct shoal_layout_node *o = &l->nodes[j];
            unsigned last = j == i ? ch : SHOAL_CHANNEL_COUNT;

            if (!shoal_layout_same_host(o->host, n->host)) {
                continue;
            }
            for (unsigned oc = 0; oc < last; oc++) {
                char key[32];

                if (o->ports[oc] != n->ports[ch]) {
                    continue;
                }
                snprintf(key, sizeof(key), "ports.%s", layout_channel_names[ch]);
                layout_node_errf(err, errlen, l, i, key, layout_port_line(n, ch),
                                 "%s:%u is already used by %s's %s channel (line %u)", n->host,
                                 n->ports[ch], o->name, layout_channel_names[oc],
                                 layout_port_line(o, oc));
                return -EINVAL;
            }
        }
    }
    return 0;
}

/* The roles of the whole: a standalone node alone, else exactly one
 * manager, and for a cluster the allowed keys. */
static int layout_check_roles(const struct shoal_layout *l, char *err, size_t errlen)
{
    size_t managers = shoal_layout_count(l, SHOAL_ROLE_MANAGER);
    size_t standalone = shoal_layout_count(l, SHOAL_ROLE_STANDALONE);
    size_t seen = 0;

    for (size_t i = 0; i < l->n_nodes; i++) {
        const struct shoal_layout_node *n = &l->nodes[i];

        if (n->role == SHOAL_ROLE_STANDALONE && l->n_nodes != 1) {
            layout_node_errf(err, errlen, l, i, "role", n->line.node,
                             "a standalone node must be the only node of its layout");
            return -EINVAL;
        }
    }
    if (standalone == 0 && managers == 0) {
        layout_errf(err, errlen, l->file, l->line.nodes, "nodes",
                    "no manager (a cluster needs exactly one node with role = \"manager\")");
        return -EINVAL;
    }
    for (size_t i = 0; i < l->n_nodes; i++) {
        if (l->nodes[i].role == SHOAL_ROLE_MANAGER && ++seen == 2) {
            layout_node_errf(err, errlen, l, i, "role", l->nodes[i].line.node,
                             "a second manager (a cluster has exactly one)");
            return -EINVAL;
        }
    }
    if (standalone == 0 && (l->allowed_keys == NULL || !layout_path_ok(l->allowed_keys))) {
        layout_errf(err, errlen, l->file, l->line.allowed_keys, "cluster.allowed_keys",
                    "an absolute path is required for a cluster (the allowed public keys)");
        return -EINVAL;
    }
    return 0;
}

int shoal_layout_check(const struct shoal_layout *l, char *err, size_t errlen)
{
    if (l->cluster != NULL && !shoal_layout_name_ok(l->cluster)) {
        layout_errf(err, errlen, l->file, 0, "cluster.name", "bad cluster name \"%s\"", l->cluster);
        return -EINVAL;
    }
    for (size_t i = 0; i < l->n_nodes; i++) {
        if (layout_check_node_names(l, i, err, errlen) < 0 ||
            layout_check_node_ports(l, i, err, errlen) < 0 ||
            layout_check_node_capture(l, i, err, errlen) < 0 ||
            layout_check_node_unique(l, i, err, errlen) < 0) {
            return -EINVAL;
        }
    }
    return layout_check_roles(l, err, errlen);
}

/* ---- look-ups ----------------------------------------------------------- */

const struct shoal_layout_node *shoal_layout_find(const struct shoal_layout *layout,
                                                  const char *name)
{
    if (layout == NULL || name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < layout->n_nodes; i++) {
        if (strcmp(layout->nodes[i].name, name) == 0) {
            return &layout->nodes[i];
        }
    }
    return NULL;
}

const struct shoal_layout_node *shoal_layout_next(const struct shoal_layout *layout,
                                                  enum shoal_role role,
                                                  const struct shoal_layout_node *prev)
{
    size_t i = 0;

    if (layout == NULL) {
        return NULL;
    }
    if (prev != NULL) {
        if (prev < layout->nodes || prev >= layout->nodes + layout->n_nodes) {
            return NULL;
        }
        i = (size_t)(prev - layout->nodes) + 1;
    }
    for (; i < layout->n_nodes; i++) {
        if (layout->nodes[i].role == role) {
            return &layout->nodes[i];
        }
    }
    return NULL;
}

size_t shoal_layout_count(const struct shoal_layout *layout, enum shoal_role role)
{
    size_t n = 0;

    for (size_t i = 0; layout != NULL && i < layout->n_nodes; i++) {
        n += layout->nodes[i].role == role;
    }
    return n;
}

const struct shoal_layout_node *shoal_layout_manager(const struct shoal_layout *layout)
{
    const struct shoal_layout_node *n = shoal_layout_next(layout, SHOAL_ROLE_MANAGER, NULL);

    return n != NULL ? n : shoal_layout_next(layout, SHOAL_ROLE_STANDALONE, NULL);
}

/* ---- endpoints ---------------------------------------------------------- */

/* snprintf into buf: 0, or -ENOSPC when it did not fit. */
static int layout_fit(int n, size_t len)
{
    return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int shoal_layout_endpoint(const struct shoal_layout_node *node, enum shoal_channel ch, char *buf,
                          size_t len)
{
    int n;

    if ((unsigned)ch >= SHOAL_CHANNEL_COUNT || node->ports[ch] == 0) {
        return -ENOENT;
    }
    if (strchr(node->host, ':') != NULL) {
        n = snprintf(buf, len, "tcp://[%s]:%u", node->host, node->ports[ch]);
    } else {
        n = snprintf(buf, len, "tcp://%s:%u", node->host, node->ports[ch]);
    }
    return layout_fit(n, len);
}

int shoal_layout_ipc_endpoint(const struct shoal_layout_node *node, enum shoal_channel ch,
                              char *buf, size_t len)
{
    size_t wl;

    if ((unsigned)ch >= SHOAL_CHANNEL_COUNT || node->ports[ch] == 0) {
        return -ENOENT;
    }
    wl = strlen(node->workdir);
    while (wl > 1 && node->workdir[wl - 1] == '/') {
        wl--;
    }
    return layout_fit(
        snprintf(buf, len, "ipc://%.*s/%s.sock", (int)wl, node->workdir, layout_channel_names[ch]),
        len);
}

int shoal_layout_connect_endpoint(const struct shoal_layout *layout,
                                  const struct shoal_layout_node *from,
                                  const struct shoal_layout_node *to, enum shoal_channel ch,
                                  char *buf, size_t len)
{
    if (layout->use_ipc && from != NULL && shoal_layout_same_host(from->host, to->host)) {
        return shoal_layout_ipc_endpoint(to, ch, buf, len);
    }
    return shoal_layout_endpoint(to, ch, buf, len);
}

/* ---- writing ------------------------------------------------------------ */

/* Write `s` as a libconfig string literal (strings hold no control
 * characters: validation refuses them). */
static void layout_put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', f);
        }
        fputc(*s, f);
    }
    fputc('"', f);
}

static void layout_put_key(FILE *f, const char *indent, const char *key, const char *value)
{
    fprintf(f, "%s%s = ", indent, key);
    layout_put_string(f, value);
    fputs(";\n", f);
}

static void layout_put_node(FILE *f, const struct shoal_layout_node *n)
{
    const char *in = "        ";
    bool first = true;

    fputs("    {\n", f);
    layout_put_key(f, in, "name", n->name);
    layout_put_key(f, in, "role", shoal_layout_role_name(n->role));
    layout_put_key(f, in, "host", n->host);
    layout_put_key(f, in, "workdir", n->workdir);
    if (n->secret_key != NULL) {
        layout_put_key(f, in, "secret_key", n->secret_key);
    }
    fprintf(f, "%sports = { ", in);
    for (unsigned ch = 0; ch < SHOAL_CHANNEL_COUNT; ch++) {
        if (n->ports[ch] != 0) {
            fprintf(f, "%s%s = %u;", first ? "" : " ", layout_channel_names[ch], n->ports[ch]);
            first = false;
        }
    }
    fputs(" };\n", f);
    if (n->interface != NULL) {
        layout_put_key(f, in, "interface", n->interface);
    }
    if (n->filter != NULL) {
        layout_put_key(f, in, "filter", n->filter);
    }
    if (n->lb_method != NULL) {
        layout_put_key(f, in, "lb_method", n->lb_method);
    }
    if (n->lb_procs > 1) {
        fprintf(f, "%slb_procs = %u;\n", in, n->lb_procs);
    }
    fputs("    }", f);
}

int shoal_layout_write(const struct shoal_layout *layout, const char *path)
{
    char *tmp;
    size_t plen = strlen(path);
    FILE *f;
    int fd;
    int rc = 0;

    tmp = malloc(plen + sizeof(".XXXXXX"));
    if (tmp == NULL) {
        return -ENOMEM;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
    fd = mkstemp(tmp);
    if (fd < 0) {
        rc = -errno;
        goto out_free_tmp;
    }
    if (fchmod(fd, 0644) < 0) {
        rc = -errno;
        close(fd);
        goto out_unlink;
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        rc = -errno;
        close(fd);
        goto out_unlink;
    }

    fputs("# Shoal cluster layout (libconfig syntax), generated: do not edit, `shoalctl install`\n"
          "# rewrites it from node.cfg.  Every node reads it: shoal --node NAME --layout FILE.\n",
          f);
    fprintf(f, "version = %d;\n\n", SHOAL_LAYOUT_VERSION);
    fputs("cluster: {\n", f);
    layout_put_key(f, "    ", "name", layout->cluster != NULL ? layout->cluster : "shoal");
    fprintf(f, "    use_ipc = %s;\n", layout->use_ipc ? "true" : "false");
    if (layout->allowed_keys != NULL) {
        layout_put_key(f, "    ", "allowed_keys", layout->allowed_keys);
    }
    fputs("};\n\nnodes = (\n", f);
    for (size_t i = 0; i < layout->n_nodes; i++) {
        layout_put_node(f, &layout->nodes[i]);
        fputs(i + 1 < layout->n_nodes ? ",\n" : "\n", f);
    }
    fputs(");\n", f);

    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0) {
        rc = errno != 0 ? -errno : -EIO;
        fclose(f);
        goto out_unlink;
    }
    if (fclose(f) != 0) {
        rc = -errno;
        goto out_unlink;
    }
    if (rename(tmp, path) < 0) {
        rc = -errno;
        goto out_unlink;
    }
    free(tmp);
    return 0;

out_unlink:
    unlink(tmp);
out_free_tmp:
    free(tmp);
    return rc;
}

/* ---- generating --------------------------------------------------------- */

/* strdup of s, or NULL for NULL; sets *oom when a copy fails. */
static char *layout_dup(const char *s, bool *oom)
{
    char *d;

    if (s == NULL) {
        return NULL;
    }
    d = strdup(s);
    if (d == NULL) {
        *oom = true;
    }
    return d;
}

/* "<dir>/<name><suffix>" with the trailing slashes of dir dropped. */
static char *layout_join(const char *dir, const char *name, const char *suffix, bool *oom)
{
    size_t dl = strlen(dir);
    size_t n;
    char *s;

    while (dl > 1 && dir[dl - 1] == '/') {
        dl--;
    }
    n = dl + 1 + strlen(name) + strlen(suffix) + 1;
    s = malloc(n);
    if (s == NULL) {
        *oom = true;
        return NULL;
    }
    snprintf(s, n, "%.*s%s%s%s", (int)dl, dir, dir[dl - 1] == '/' ? "" : "/", name, suffix);
    return s;
}

/* The order of the roles in a generated layout. */
static const enum shoal_role layout_gen_order[] = {
    SHOAL_ROLE_MANAGER,
    SHOAL_ROLE_PROXY,
    SHOAL_ROLE_WORKER,
    SHOAL_ROLE_STANDALONE,
};

/* The checks of a description before anything is made of it: known roles,
 * names, the directories, the base port.  *cluster tells whether it has a
 * node other than a standalone one (which then needs keys). */
static int layout_gen_check(const struct shoal_layout_spec *spec, unsigned base, bool *cluster,
                            char *err, size_t errlen)
{
    *cluster = false;
    for (size_t i = 0; i < spec->n_nodes; i++) {
        if ((unsigned)spec->nodes[i].role >= SHOAL_ROLE_COUNT) {
            layout_errf(err, errlen, NULL, 0, NULL, "node %zu: unknown role %d", i,
                        (int)spec->nodes[i].role);
            return -EINVAL;
        }
        if (spec->nodes[i].name == NULL) {
            layout_errf(err, errlen, NULL, 0, NULL, "node %zu: no name", i);
            return -EINVAL;
        }
        *cluster = *cluster || spec->nodes[i].role != SHOAL_ROLE_STANDALONE;
    }
    if (spec->spool_dir == NULL || !layout_path_ok(spec->spool_dir)) {
        layout_errf(err, errlen, NULL, 0, NULL, "spool_dir: an absolute path is required");
        return -EINVAL;
    }
    if (*cluster && (spec->keys_dir == NULL || !layout_path_ok(spec->keys_dir))) {
        layout_errf(err, errlen, NULL, 0, NULL,
                    "keys_dir: an absolute path is required for a cluster");
        return -EINVAL;
    }
    if (base < SHOAL_LAYOUT_PORT_MIN ||
        (base >= SHOAL_LAYOUT_EPHEMERAL_LOW && base <= SHOAL_LAYOUT_EPHEMERAL_HIGH)) {
        layout_errf(err, errlen, NULL, 0, NULL,
                    "base port %u is below %d or in the ephemeral range %d-%d", base,
                    SHOAL_LAYOUT_PORT_MIN, SHOAL_LAYOUT_EPHEMERAL_LOW, SHOAL_LAYOUT_EPHEMERAL_HIGH);
        return -EINVAL;
    }
    return 0;
}

/* Node n from its description s: its strings copied, its workdir and key
 * file named under the spool and keys directories.  Sets *oom when a copy
 * fails. */
static void layout_gen_node(const struct shoal_layout_spec *spec,
                            const struct shoal_layout_spec_node *s, struct shoal_layout_node *n,
                            bool *oom)
{
    n->role = s->role;
    n->name = layout_dup(s->name, oom);
    n->host = layout_dup(s->host != NULL ? s->host : "localhost", oom);
    n->workdir = layout_join(spec->spool_dir, s->name, "", oom);
    if (s->role != SHOAL_ROLE_STANDALONE) {
        n->secret_key = layout_join(spec->keys_dir, s->name, ".key", oom);
    }
    n->interface = layout_dup(s->interface, oom);
    n->filter = layout_dup(s->filter, oom);
    n->lb_method = layout_dup(s->lb_method, oom);
    n->lb_procs = s->lb_procs != 0 ? s->lb_procs : 1;
}

/* Number the channels node n binds, in enum order, from *port on.  Ports
 * from a base below the ephemeral range must stay below it, and none may
 * pass 65535. */
static int layout_gen_ports(struct shoal_layout_node *n, unsigned base, unsigned *port, char *err,
                            size_t errlen)
{
    for (unsigned ch = 0; ch < SHOAL_CHANNEL_COUNT; ch++) {
        if (!shoal_layout_role_binds(n->role, (enum shoal_channel)ch)) {
            continue;
        }
        if (*port > 65535 ||
            (base < SHOAL_LAYOUT_EPHEMERAL_LOW && *port >= SHOAL_LAYOUT_EPHEMERAL_LOW)) {
            layout_errf(err, errlen, NULL, 0, NULL,
                        "ports from %u run out at node %s (they would reach %s); choose a lower "
                        "base port",
                        base, n->name, *port > 65535 ? "65536" : "the ephemeral range 32768-60999");
            return -EINVAL;
        }
        n->ports[ch] = (uint16_t)(*port)++;
    }
    return 0;
}

/* The nodes of l from the description, ordered by role (layout_gen_order),
 * each role in the order given, ports numbered from `base` in that order. */
static int layout_gen_nodes(const struct shoal_layout_spec *spec, struct shoal_layout *l,
                            unsigned base, char *err, size_t errlen)
{
    unsigned port = base;
    bool oom = false;
    int rc;

    for (size_t r = 0; r < SHOAL_ARRAY_SIZE(layout_gen_order); r++) {
        for (size_t i = 0; i < spec->n_nodes; i++) {
            struct shoal_layout_node *n = &l->nodes[l->n_nodes];

            if (spec->nodes[i].role != layout_gen_order[r]) {
                continue;
            }
            l->n_nodes++;
            layout_gen_node(spec, &spec->nodes[i], n, &oom);
            if (oom) {
                return -ENOMEM;
            }
            rc = layout_gen_ports(n, base, &port, err, errlen);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

int shoal_layout_generate(const struct shoal_layout_spec *spec, struct shoal_layout **out,
                          char *err, size_t errlen)
{
    unsigned base = spec->base_port != 0 ? spec->base_port : SHOAL_LAYOUT_BASE_PORT;
    bool cluster;
    bool oom = false;
    struct shoal_layout *l;
    int rc;

    *out = NULL;
    rc = layout_gen_check(spec, base, &cluster, err, errlen);
    if (rc < 0) {
        return rc;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return -ENOMEM;
    }
    if (spec->n_nodes > 0) {
        l->nodes = calloc(spec->n_nodes, sizeof(*l->nodes));
        if (l->nodes == NULL) {
            rc = -ENOMEM;
            goto out_free;
        }
    }
    l->cluster = layout_dup(spec->cluster != NULL ? spec->cluster : "shoal", &oom);
    l->use_ipc = spec->use_ipc;
    if (cluster) {
        l->allowed_keys = layout_join(spec->keys_dir, "allowed_keys", "", &oom);
    }
    rc = oom ? -ENOMEM : layout_gen_nodes(spec, l, base, err, errlen);
    if (rc < 0) {
        goto out_free;
    }
    rc = shoal_layout_check(l, err, errlen);
    if (rc < 0) {
        goto out_free;
    }
    *out = l;
    return 0;

out_free:
    if (rc == -ENOMEM) {
        layout_errf(err, errlen, NULL, 0, NULL, "out of memory");
    }
    shoal_layout_free(l);
    return rc;
}
