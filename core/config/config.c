/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reader of shoal.cfg.  libconfig parses the file; this module then walks
 * every setting it produced and checks it against two tables: the fixed core
 * keys (groups log, conn, reassembly, networks, stats) and, on request, a plugin's
 * own key table (group plugins.<name>).  Anything not in a table, or of the
 * wrong type, is an error "FILE:LINE: group.key: reason", so a typo never
 * passes silently.  The parsed libconfig tree is kept (opaque, in `priv`) so
 * plugin groups can be filled later, after the plugins are loaded.  libconfig
 * types never leave this file.
 */
#include "config/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How a core key is stored in struct shoal_config and checked. */
enum config_kind {
    CONFIG_K_DOUBLE,  /* double >= min; ints accepted */
    CONFIG_K_U64,     /* uint64_t >= min */
    CONFIG_K_BOOL,    /* bool */
    CONFIG_K_STRING,  /* char *, owned */
    CONFIG_K_LOGFMT,  /* enum shoal_log_format, from "tsv" / "json" */
    CONFIG_K_HASH,    /* uint32_t enum shoal_flow_hash, from "2-tuple" / "4-tuple" / "5-tuple" */
    CONFIG_K_NETS,    /* char ** NULL-terminated, from an array or list of strings */
    CONFIG_K_ACTIONS, /* notice.actions: a list of { note; exec } groups */
    CONFIG_K_PORTS,   /* struct shoal_port_set, from an array or list of port numbers */
};

struct config_core_key {
    const char *group;
    const char *name;
    enum config_kind kind;
    size_t offset;
    double min; /* smallest accepted value of numeric keys */
};

#define CONFIG_KEY(g, n, k, field, mn)                                                             \
    {                                                                                              \
        g, n, k, offsetof(struct shoal_config, field), mn                                          \
    }

/* Every core key.  Defaults are set in shoal_config_defaults; cfg/shoal.cfg
 * documents each one. */
static const struct config_core_key config_core_keys[] = {
    CONFIG_KEY("log", "dir", CONFIG_K_STRING, log_dir, 0),
    CONFIG_KEY("log", "format", CONFIG_K_LOGFMT, log_format, 0),
    CONFIG_KEY("log", "max_field_string_bytes", CONFIG_K_U64, log_max_field_string_bytes, 0),
    CONFIG_KEY("log", "max_field_container_elements", CONFIG_K_U64,
               log_max_field_container_elements, 0),
    CONFIG_KEY("log", "max_total_string_bytes", CONFIG_K_U64, log_max_total_string_bytes, 0),
    CONFIG_KEY("log", "max_total_container_elements", CONFIG_K_U64,
               log_max_total_container_elements, 0),
    CONFIG_KEY("conn", "tcp_inactivity_timeout", CONFIG_K_DOUBLE, tcp_inactivity_timeout, 0),
    CONFIG_KEY("conn", "udp_inactivity_timeout", CONFIG_K_DOUBLE, udp_inactivity_timeout, 0),
    CONFIG_KEY("conn", "icmp_inactivity_timeout", CONFIG_K_DOUBLE, icmp_inactivity_timeout, 0),
    CONFIG_KEY("conn", "other_inactivity_timeout", CONFIG_K_DOUBLE, other_inactivity_timeout, 0),
    CONFIG_KEY("conn", "tcp_syn_timeout", CONFIG_K_DOUBLE, tcp_syn_timeout, 0),
    CONFIG_KEY("conn", "tcp_close_delay", CONFIG_K_DOUBLE, tcp_close_delay, 0),
    CONFIG_KEY("conn", "tcp_reset_delay", CONFIG_K_DOUBLE, tcp_reset_delay, 0),
    CONFIG_KEY("conn", "tcp_partial_close_delay", CONFIG_K_DOUBLE, tcp_partial_close_delay, 0),
    CONFIG_KEY("conn", "max_conns", CONFIG_K_U64, max_conns, 1),
    CONFIG_KEY("conn", "ignore_checksums", CONFIG_K_BOOL, ignore_checksums, 0),
    CONFIG_KEY("reassembly", "tcp_max_buffer", CONFIG_K_U64, tcp_max_buffer, 0),
    CONFIG_KEY("reassembly", "tcp_max_total", CONFIG_K_U64, tcp_max_total, 0),
    CONFIG_KEY("reassembly", "tcp_max_blocks", CONFIG_K_U64, tcp_max_blocks, 1),
    CONFIG_KEY("reassembly", "frag_mem_max", CONFIG_K_U64, frag_mem_max, 0),
    CONFIG_KEY("reassembly", "frag_timeout", CONFIG_K_DOUBLE, frag_timeout, 0),
    CONFIG_KEY("tunnel", "vxlan_ports", CONFIG_K_PORTS, tunnel_vxlan_ports, 0),
    CONFIG_KEY("tunnel", "geneve_ports", CONFIG_K_PORTS, tunnel_geneve_ports, 0),
    CONFIG_KEY("tunnel", "gre_ports", CONFIG_K_PORTS, tunnel_gre_ports, 0),
    CONFIG_KEY("networks", "local", CONFIG_K_NETS, local_nets, 0),
    CONFIG_KEY("privileges", "user", CONFIG_K_STRING, privileges_user, 0),
    CONFIG_KEY("privileges", "group", CONFIG_K_STRING, privileges_group, 0),
    CONFIG_KEY("privileges", "keep_net_raw", CONFIG_K_BOOL, privileges_keep_net_raw, 0),
    CONFIG_KEY("stats", "interval", CONFIG_K_DOUBLE, stats_interval, 0),
    CONFIG_KEY("stats", "capture_loss_interval", CONFIG_K_DOUBLE, stats_capture_loss_interval, 0),
    CONFIG_KEY("stats", "capture_loss_first", CONFIG_K_DOUBLE, stats_capture_loss_first, 0),
    CONFIG_KEY("stats", "traces", CONFIG_K_BOOL, stats_traces, 0),
    CONFIG_KEY("notice", "suppress_for", CONFIG_K_DOUBLE, notice_suppress_for, 0),
    CONFIG_KEY("notice", "actions", CONFIG_K_ACTIONS, notice_actions, 0),
    CONFIG_KEY("cluster", "batch_records", CONFIG_K_U64, cluster_batch_records, 1),
    CONFIG_KEY("cluster", "batch_interval", CONFIG_K_DOUBLE, cluster_batch_interval, 0.001),
    CONFIG_KEY("cluster", "ack_timeout", CONFIG_K_DOUBLE, cluster_ack_timeout, 0.001),
    CONFIG_KEY("cluster", "resend_mem_max", CONFIG_K_U64, cluster_resend_mem_max, 65536),
    CONFIG_KEY("cluster", "resend_disk_max", CONFIG_K_U64, cluster_resend_disk_max, 0),
    CONFIG_KEY("cluster", "journal", CONFIG_K_BOOL, cluster_journal, 0),
    CONFIG_KEY("cluster", "sumstat_max_keys", CONFIG_K_U64, cluster_sumstat_max_keys, 1),
    CONFIG_KEY("frontend", "strategy", CONFIG_K_STRING, frontend_strategy, 0),
    CONFIG_KEY("frontend", "hash", CONFIG_K_HASH, frontend_hash, 0),
    CONFIG_KEY("control", "lock", CONFIG_K_DOUBLE, control_lock_timeout, 0.001),
    CONFIG_KEY("control", "control", CONFIG_K_DOUBLE, control_control_timeout, 0.001),
    CONFIG_KEY("control", "start", CONFIG_K_DOUBLE, control_start_timeout, 0.001),
    CONFIG_KEY("control", "stop", CONFIG_K_DOUBLE, control_stop_timeout, 0.001),
    CONFIG_KEY("control", "run", CONFIG_K_DOUBLE, control_run_timeout, 0.001),
    CONFIG_KEY("control", "base_port", CONFIG_K_U64, control_base_port, 1024),
    CONFIG_KEY("control", "rotate_interval", CONFIG_K_DOUBLE, control_rotate_interval, 0),
    CONFIG_KEY("control", "log_expire_days", CONFIG_K_DOUBLE, control_log_expire_days, 0),
    CONFIG_KEY("control", "min_disk_percent", CONFIG_K_DOUBLE, control_min_disk_percent, 0),
};

#define CONFIG_NKEYS (sizeof(config_core_keys) / sizeof(config_core_keys[0]))

static const char *const config_groups[] = {"log",      "conn",     "reassembly", "tunnel",
                                            "networks", "stats",    "privileges", "notice",
                                            "cluster",  "frontend", "control",    "plugins"};

const char *shoal_config_type_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP:
        return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "an integer";
    case CONFIG_TYPE_FLOAT:
        return "a float";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "a boolean";
    case CONFIG_TYPE_ARRAY:
        return "an array";
    case CONFIG_TYPE_LIST:
        return "a list";
    default:
        return "nothing";
    }
}

/* The file a setting came from (an @include may differ from the main file). */
static const char *config_file_of(const struct shoal_config *c, const config_setting_t *s)
{
    const char *f = s != NULL ? config_setting_source_file(s) : NULL;

    if (f != NULL) {
        return f;
    }
    return c->file != NULL ? c->file : "(built-in defaults)";
}

/* Write "FILE:LINE: path: message" into err (line left out when unknown). */
static void config_errf(char *err, size_t errlen, const struct shoal_config *c,
                        const config_setting_t *s, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

void shoal_config_verrf(char *err, size_t errlen, const char *file, unsigned line, const char *path,
                        const char *fmt, va_list ap)
{
    int n;

    if (err == NULL || errlen == 0) {
        return;
    }
    if (line > 0) {
        n = snprintf(err, errlen, "%s:%u: ", file, line);
    } else {
        n = snprintf(err, errlen, "%s: ", file);
    }
    if (n >= 0 && (size_t)n < errlen && path != NULL) {
        n += snprintf(err + n, errlen - (size_t)n, "%s: ", path);
    }
    if (n < 0 || (size_t)n >= errlen) {
        return;
    }
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static void config_errf(char *err, size_t errlen, const struct shoal_config *c,
                        const config_setting_t *s, const char *path, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    shoal_config_verrf(err, errlen, config_file_of(c, s),
                       s != NULL ? config_setting_source_line(s) : 0, path, fmt, ap);
    va_end(ap);
}

/* True if `s` is an integer or a float (libconfig keeps them apart). */
static bool config_is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);

    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static bool config_is_integer(const config_setting_t *s)
{
    int t = config_setting_type(s);

    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

/* Numeric value of a number setting as a double. */
static double config_get_double(const config_setting_t *s)
{
    if (config_setting_type(s) == CONFIG_TYPE_FLOAT) {
        return config_setting_get_float(s);
    }
    return (double)config_setting_get_int64(s);
}

/* Check that a networks.local entry is an address or an address/prefix. */
static bool config_net_ok(const char *s)
{
    char addr[INET6_ADDRSTRLEN + 1];
    unsigned char buf[16];
    const char *slash = strchr(s, '/');
    size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
    long maxlen;
    char *end;
    long plen;

    if (alen == 0 || alen >= sizeof(addr)) {
        return false;
    }
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (inet_pton(AF_INET, addr, buf) == 1) {
        maxlen = 32;
    } else if (inet_pton(AF_INET6, addr, buf) == 1) {
        maxlen = 128;
    } else {
        return false;
    }
    if (slash == NULL) {
        return true;
    }
    if (slash[1] < '0' || slash[1] > '9') {
        return false;
    }
    errno = 0;
    plen = strtol(slash + 1, &end, 10);
    return errno == 0 && *end == '\0' && plen >= 0 && plen <= maxlen;
}

/* Free a NULL-terminated string vector. */
static void config_free_strv(char **v)
{
    if (v == NULL) {
        return;
    }
    for (char **p = v; *p != NULL; p++) {
        free(*p);
    }
    free(v);
}

/* Read a set of UDP ports (an array or list of integers 1..65535, at most
 * SHOAL_CONFIG_MAX_PORTS) into *ps. */
static int config_read_ports(struct shoal_port_set *ps, struct shoal_config *c,
                             const config_setting_t *s, const char *path, char *err, size_t errlen)
{
    int t = config_setting_type(s);
    struct shoal_port_set v = {0};

    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
        config_errf(err, errlen, c, s, path, "expected a list of ports, got %s",
                    shoal_config_type_name(t));
        return -EINVAL;
    }
    int n = config_setting_length(s);
    if (n > SHOAL_CONFIG_MAX_PORTS) {
        config_errf(err, errlen, c, s, path, "at most %d ports, got %d", SHOAL_CONFIG_MAX_PORTS, n);
        return -EINVAL;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const config_setting_t *at = config_setting_source_line(e) > 0 ? e : s;
        long long port;

        if (config_setting_type(e) != CONFIG_TYPE_INT &&
            config_setting_type(e) != CONFIG_TYPE_INT64) {
            config_errf(err, errlen, c, at, path, "element %d: expected a port number, got %s", i,
                        shoal_config_type_name(config_setting_type(e)));
            return -EINVAL;
        }
        port = config_setting_get_int64(e);
        if (port < 1 || port > 65535) {
            config_errf(err, errlen, c, at, path, "element %d: port %lld is not in 1..65535", i,
                        port);
            return -EINVAL;
        }
        v.port[v.n++] = (uint16_t)port;
    }
    *ps = v;
    return 0;
}

/* Read networks.local (an array or list of strings) into c->local_nets. */
static int config_read_nets(struct shoal_config *c, const config_setting_t *s, const char *path,
                            char *err, size_t errlen)
{
    int t = config_setting_type(s);
    int n;
    char **v;

    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) {
        config_errf(err, errlen, c, s, path, "expected a list of networks, got %s",
                    shoal_config_type_name(t));
        return -EINVAL;
    }
    n = config_setting_length(s);
    v = calloc((size_t)n + 1, sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const config_setting_t *at = config_setting_source_line(e) > 0 ? e : s;
        const char *str;

        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            config_errf(err, errlen, c, at, path, "element %d: expected a string, got %s", i,
                        shoal_config_type_name(config_setting_type(e)));
            config_free_strv(v);
            return -EINVAL;
        }
        str = config_setting_get_string(e);
        if (!config_net_ok(str)) {
            config_errf(err, errlen, c, at, path,
                        "element %d: expected an address or address/prefix, got \"%s\"", i, str);
            config_free_strv(v);
            return -EINVAL;
        }
        v[i] = strdup(str);
        if (v[i] == NULL) {
            config_free_strv(v);
            return -ENOMEM;
        }
    }
    config_free_strv(c->local_nets);
    c->local_nets = v;
    c->local_nets_set = true;
    return 0;
}

static void config_free_actions(struct shoal_notice_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].note);
        config_free_strv(a[i].argv);
    }
    free(a);
}

/* One { note = "..."; exec = [ "/abs/program", "arg", ... ]; } of notice.actions. */
static int config_read_action(struct shoal_config *c, const config_setting_t *g, const char *path,
                              struct shoal_notice_action *a, char *err, size_t errlen)
{
    const config_setting_t *note = NULL, *exec = NULL;
    int n = config_setting_length(g);

    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        config_errf(err, errlen, c, g, path, "expected a group { note; exec; }, got %s",
                    shoal_config_type_name(config_setting_type(g)));
        return -EINVAL;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        if (strcmp(config_setting_name(s), "note") == 0) {
            note = s;
        } else if (strcmp(config_setting_name(s), "exec") == 0) {
            exec = s;
        } else {
            config_errf(err, errlen, c, s, path, "unknown key %s (expected note or exec)",
                        config_setting_name(s));
            return -EINVAL;
        }
    }
    if (note == NULL || config_setting_type(note) != CONFIG_TYPE_STRING ||
        config_setting_get_string(note)[0] == '\0') {
        config_errf(err, errlen, c, note != NULL ? note : g, path,
                    "note: expected a notice type such as \"Scan::Port_Scan\"");
        return -EINVAL;
    }
    int t = exec != NULL ? config_setting_type(exec) : CONFIG_TYPE_NONE;
    int argc = exec != NULL ? config_setting_length(exec) : 0;
    if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) || argc < 1) {
        config_errf(err, errlen, c, exec != NULL ? exec : g, path,
                    "exec: expected a list of strings, the program's absolute path first");
        return -EINVAL;
    }
    a->note = strdup(config_setting_get_string(note));
    a->argv = calloc((size_t)argc + 1, sizeof(*a->argv));
    if (a->note == NULL || a->argv == NULL) {
        return -ENOMEM;
    }
    for (int i = 0; i < argc; i++) {
        const config_setting_t *e = config_setting_get_elem(exec, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING ||
            (i == 0 && config_setting_get_string(e)[0] != '/')) {
            config_errf(err, errlen, c, exec, path,
                        i == 0 ? "exec[0]: expected the program's absolute path"
                               : "exec[%d]: expected a string",
                        i);
            return -EINVAL;
        }
        a->argv[i] = strdup(config_setting_get_string(e));
        if (a->argv[i] == NULL) {
            return -ENOMEM;
        }
    }
    return 0;
}

/* Read notice.actions (a list of groups) into c->notice_actions. */
static int config_read_actions(struct shoal_config *c, const config_setting_t *s, const char *path,
                               char *err, size_t errlen)
{
    int t = config_setting_type(s);
    size_t n;
    struct shoal_notice_action *v;

    if (t != CONFIG_TYPE_LIST) {
        config_errf(err, errlen, c, s, path, "expected a list ( { note; exec; }, ... ), got %s",
                    shoal_config_type_name(t));
        return -EINVAL;
    }
    n = (size_t)config_setting_length(s);
    v = calloc(n + 1, sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char epath[128];
        snprintf(epath, sizeof(epath), "%.96s[%zu]", path, i);
        int rc = config_read_action(c, config_setting_get_elem(s, (unsigned)i), epath, &v[i], err,
                                    errlen);
        if (rc < 0) {
            config_free_actions(v, i + 1);
            return rc;
        }
    }
    config_free_actions(c->notice_actions, c->n_notice_actions);
    c->notice_actions = v;
    c->n_notice_actions = n;
    return 0;
}

/* Was setting s written with a minus sign?  Read from its line in the
 * file (libconfig keeps no text); false when that cannot be told. */
static bool config_written_negative(const struct shoal_config *c, const config_setting_t *s)
{
    const char *file = config_file_of(c, s);
    unsigned line = config_setting_source_line(s);
    const char *name = config_setting_name(s);
    char buf[1024];
    bool neg = false;
    FILE *f;

    if (file == NULL || line == 0 || name == NULL || (f = fopen(file, "r")) == NULL) {
        return false;
    }
    for (unsigned i = 1; fgets(buf, sizeof(buf), f) != NULL; i++) {
        const char *p;
        if (i != line) {
            continue;
        }
        p = strstr(buf, name);
        p = p != NULL ? strpbrk(p + strlen(name), "=:") : NULL;
        if (p != NULL) {
            p++;
            while (*p == ' ' || *p == '\t') {
                p++;
            }
            neg = *p == '-';
        }
        break;
    }
    fclose(f);
    return neg;
}

/* frontend.hash: the flow hash of the splitting strategies. */
static int config_read_hash(struct shoal_config *c, const config_setting_t *s, const char *path,
                            char *err, size_t errlen)
{
    static const char *const names[] = {"2-tuple", "4-tuple", "5-tuple"};
    static const uint32_t modes[] = {2, 4, 5};
    const char *str = config_setting_get_string(s);

    for (size_t i = 0; str != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(str, names[i]) == 0) {
            c->frontend_hash = modes[i];
            return 0;
        }
    }
    config_errf(
        err, errlen, c, s, path, "expected \"2-tuple\", \"4-tuple\" or \"5-tuple\", got %s%s%s",
        str != NULL ? "\"" : "", str != NULL ? str : shoal_config_type_name(config_setting_type(s)),
        str != NULL ? "\"" : "");
    return -EINVAL;
}

/* Store setting `s` into the core field described by `k`. */
static int config_read_key(struct shoal_config *c, const struct config_core_key *k,
                           const config_setting_t *s, char *err, size_t errlen)
{
    char path[96];
    char *field = (char *)c + k->offset;
    int t = config_setting_type(s);

    snprintf(path, sizeof(path), "%s.%s", k->group, k->name);
    switch (k->kind) {
    case CONFIG_K_DOUBLE: {
        double d;

        if (!config_is_number(s)) {
            config_errf(err, errlen, c, s, path, "expected a number, got %s",
                        shoal_config_type_name(t));
            return -EINVAL;
        }
        d = config_get_double(s);
        if (!(d >= k->min)) {
            config_errf(err, errlen, c, s, path, "expected a number >= %g, got %g", k->min, d);
            return -EINVAL;
        }
        memcpy(field, &d, sizeof(d));
        return 0;
    }
    case CONFIG_K_U64: {
        long long v;
        uint64_t u;

        if (!config_is_integer(s)) {
            config_errf(err, errlen, c, s, path, "expected an integer, got %s",
                        shoal_config_type_name(t));
            return -EINVAL;
        }
        v = config_setting_get_int64(s);
        if ((double)v < k->min) {
            /* libconfig keeps a number without the L suffix in 32 bits:
             * 3000000000 arrives as -1294967296.  Say so. */
            bool wrapped = t == CONFIG_TYPE_INT && v < 0 && !config_written_negative(c, s);
            config_errf(err, errlen, c, s, path, "expected an integer >= %.0f, got %lld%s", k->min,
                        v,
                        wrapped ? " (a number past 2147483647 needs the suffix L in libconfig, "
                                  "e.g. 3000000000L)"
                                : "");
            return -EINVAL;
        }
        u = (uint64_t)v;
        memcpy(field, &u, sizeof(u));
        return 0;
    }
    case CONFIG_K_BOOL: {
        bool b;

        if (t != CONFIG_TYPE_BOOL) {
            config_errf(err, errlen, c, s, path, "expected a boolean, got %s",
                        shoal_config_type_name(t));
            return -EINVAL;
        }
        b = config_setting_get_bool(s) != 0;
        memcpy(field, &b, sizeof(b));
        return 0;
    }
    case CONFIG_K_STRING: {
        char *old;
        char *dup;

        if (t != CONFIG_TYPE_STRING) {
            config_errf(err, errlen, c, s, path, "expected a string, got %s",
                        shoal_config_type_name(t));
            return -EINVAL;
        }
        dup = strdup(config_setting_get_string(s));
        if (dup == NULL) {
            return -ENOMEM;
        }
        memcpy(&old, field, sizeof(old));
        free(old);
        memcpy(field, &dup, sizeof(dup));
        if (k->offset == offsetof(struct shoal_config, frontend_strategy)) {
            c->frontend_strategy_line = (unsigned)config_setting_source_line(s);
        }
        return 0;
    }
    case CONFIG_K_LOGFMT: {
        const char *str;

        if (t != CONFIG_TYPE_STRING) {
            config_errf(err, errlen, c, s, path, "expected a string, got %s",
                        shoal_config_type_name(t));
            return -EINVAL;
        }
        str = config_setting_get_string(s);
        if (strcmp(str, "tsv") == 0) {
            c->log_format = SHOAL_LOGFMT_TSV;
            c->log_max_field_string_bytes = 4096;
            c->log_max_field_container_elements = 100;
            c->log_max_total_string_bytes = 256000;
            c->log_max_total_container_elements = 500;
        } else if (strcmp(str, "json") == 0) {
            c->log_format = SHOAL_LOGFMT_JSON;
        } else {
            config_errf(err, errlen, c, s, path, "expected \"tsv\" or \"json\", got \"%s\"", str);
            return -EINVAL;
        }
        return 0;
    }
    case CONFIG_K_HASH:
        return config_read_hash(c, s, path, err, errlen);
    case CONFIG_K_NETS:
        return config_read_nets(c, s, path, err, errlen);
    case CONFIG_K_ACTIONS:
        return config_read_actions(c, s, path, err, errlen);
    case CONFIG_K_PORTS:
        return config_read_ports((struct shoal_port_set *)((char *)c + k->offset), c, s, path, err,
                                 errlen);
    }
    return -EINVAL;
}

/* Check the shape of `plugins`: a group of groups.  Their contents are checked
 * against each plugin's key table later (shoal_config_plugin). */
static int config_read_plugins(struct shoal_config *c, const config_setting_t *g, char *err,
                               size_t errlen)
{
    int n = config_setting_length(g);

    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        char path[96];

        if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
            snprintf(path, sizeof(path), "plugins.%s", config_setting_name(s));
            config_errf(err, errlen, c, s, path, "expected a group, got %s",
                        shoal_config_type_name(config_setting_type(s)));
            return -EINVAL;
        }
    }
    return 0;
}

/* Walk one core group: every member must be a known key of the right type. */
static int config_read_group(struct shoal_config *c, const config_setting_t *g, char *err,
                             size_t errlen)
{
    const char *gname = config_setting_name(g);
    int n = config_setting_length(g);

    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(s);
        const struct config_core_key *k = NULL;
        char path[96];
        int rc;

        for (size_t j = 0; j < CONFIG_NKEYS; j++) {
            if (strcmp(config_core_keys[j].group, gname) == 0 &&
                strcmp(config_core_keys[j].name, name) == 0) {
                k = &config_core_keys[j];
                break;
            }
        }
        if (k == NULL) {
            snprintf(path, sizeof(path), "%s.%s", gname, name);
            config_errf(err, errlen, c, s, path, "unknown key");
            return -EINVAL;
        }
        rc = config_read_key(c, k, s, err, errlen);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Walk the top level: only the known groups, each a group (`only`: that
 * group alone, the others skipped unread). */
static int config_read_root(struct shoal_config *c, const config_setting_t *root, const char *only,
                            char *err, size_t errlen)
{
    int n = config_setting_length(root);

    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(g);
        bool known = false;
        int rc;

        if (only != NULL && strcmp(name, only) != 0) {
            continue;
        }
        for (size_t j = 0; j < sizeof(config_groups) / sizeof(config_groups[0]); j++) {
            if (strcmp(config_groups[j], name) == 0) {
                known = true;
            }
        }
        if (!known) {
            config_errf(
                err, errlen, c, g, name,
                "unknown group (expected log, conn, reassembly, networks, stats, privileges, "
                "notice, "
                "cluster, frontend, control or plugins)");
            return -EINVAL;
        }
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            config_errf(err, errlen, c, g, name, "expected a group, got %s",
                        shoal_config_type_name(config_setting_type(g)));
            return -EINVAL;
        }
        if (strcmp(name, "plugins") == 0) {
            rc = config_read_plugins(c, g, err, errlen);
        } else {
            rc = config_read_group(c, g, err, errlen);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int shoal_config_defaults(struct shoal_config *c)
{
    memset(c, 0, sizeof(*c));
    c->log_dir = strdup(".");
    if (c->log_dir == NULL) {
        return -ENOMEM;
    }
    c->log_format = SHOAL_LOGFMT_TSV;
    c->tcp_inactivity_timeout = 300;
    c->udp_inactivity_timeout = 60;
    c->icmp_inactivity_timeout = 60;
    c->other_inactivity_timeout = 60;
    c->tcp_syn_timeout = 5;
    c->tcp_close_delay = 5;
    c->tcp_reset_delay = 5;
    c->tcp_partial_close_delay = 3;
    c->max_conns = 4000000;
    c->ignore_checksums = false;
    c->tcp_max_buffer = 1024 * 1024;
    c->tcp_max_total = 256 * 1024 * 1024;
    c->tcp_max_blocks = 1024;
    c->frag_mem_max = 64 * 1024 * 1024;
    c->frag_timeout = 60;
    c->tunnel_vxlan_ports = (struct shoal_port_set){1, {4789}};
    c->tunnel_geneve_ports = (struct shoal_port_set){1, {6081}};
    c->tunnel_gre_ports = (struct shoal_port_set){1, {4754}};
    c->local_nets = NULL;
    c->local_nets_set = false;
    c->stats_interval = 300;
    c->stats_capture_loss_interval = 900;
    c->stats_capture_loss_first = 60;
    c->stats_traces = false;
    c->notice_suppress_for = 3600;
    c->cluster_batch_records = 1024;
    c->cluster_batch_interval = 0.1;
    c->cluster_ack_timeout = 10;
    c->cluster_resend_mem_max = (uint64_t)64 << 20;
    c->cluster_resend_disk_max = (uint64_t)1 << 30;
    c->cluster_journal = true;
    c->cluster_sumstat_max_keys = 1000000;
    c->control_lock_timeout = 60;
    c->control_control_timeout = 5;
    c->control_start_timeout = 30;
    c->control_stop_timeout = 60;
    c->control_run_timeout = 60;
    c->control_base_port = 27760;
    c->control_rotate_interval = 3600;
    c->control_log_expire_days = 0;
    c->control_min_disk_percent = 5;
    c->frontend_hash = 2;
    c->frontend_strategy = strdup("pcap");
    if (c->frontend_strategy == NULL) {
        free(c->log_dir);
        return -ENOMEM;
    }
    return 0;
}

/*
 * *c is output only: its previous contents are overwritten, not freed (so it
 * may be uninitialised; do not call shoal_config_defaults first).  The
 * libconfig tree is kept in c->priv for the plugin groups.
 */
static int config_load(struct shoal_config *c, const char *path, const char *only, char *err,
                       size_t errlen)
{
    struct shoal_config tmp;
    config_t *lc;
    FILE *f;
    int rc;

    rc = shoal_config_defaults(c);
    if (rc < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return rc;
    }
    rc = shoal_config_defaults(&tmp);
    if (rc < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    tmp.file = strdup(path);
    lc = calloc(1, sizeof(*lc));
    if (tmp.file == NULL || lc == NULL) {
        free(lc);
        snprintf(err, errlen, "%s: out of memory", path);
        rc = -ENOMEM;
        goto out_free_tmp;
    }
    config_init(lc);
    tmp.priv = lc;

    /* Open it ourselves first: libconfig reports an unreadable file without
     * errno. */
    f = fopen(path, "r");
    if (f == NULL) {
        rc = -errno;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        goto out_free_tmp;
    }
    fclose(f);
    if (config_read_file(lc, path) != CONFIG_TRUE) {
        const char *ef = config_error_file(lc);

        snprintf(err, errlen, "%s:%d: %s", ef != NULL ? ef : path, config_error_line(lc),
                 config_error_text(lc));
        rc = -EINVAL;
        goto out_free_tmp;
    }
    rc = config_read_root(&tmp, config_root_setting(lc), only, err, errlen);
    if (rc == -ENOMEM) {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    if (rc < 0) {
        goto out_free_tmp;
    }
    shoal_config_free(c);
    *c = tmp;
    return 0;

out_free_tmp:
    shoal_config_free(&tmp);
out:
    return rc;
}

int shoal_config_load(struct shoal_config *c, const char *path, char *err, size_t errlen)
{
    return config_load(c, path, NULL, err, errlen);
}

int shoal_config_load_group(struct shoal_config *c, const char *path, const char *group, char *err,
                            size_t errlen)
{
    return config_load(c, path, group, err, errlen);
}

void shoal_config_free(struct shoal_config *c)
{
    if (c == NULL) {
        return;
    }
    if (c->priv != NULL) {
        config_destroy(c->priv);
        free(c->priv);
    }
    free(c->file);
    free(c->log_dir);
    free(c->frontend_strategy);
    free(c->privileges_user);
    free(c->privileges_group);
    config_free_strv(c->local_nets);
    config_free_actions(c->notice_actions, c->n_notice_actions);
    memset(c, 0, sizeof(*c));
}

/* ---- updating a running node ------------------------------------------- */

/* The keys a running node takes without a restart: read each time they
 * are used (the connection table's time-outs, the notices' suppression). */
static bool config_key_live(const struct config_core_key *k)
{
    return (strcmp(k->group, "conn") == 0 && k->kind == CONFIG_K_DOUBLE) ||
           (strcmp(k->group, "notice") == 0 && strcmp(k->name, "suppress_for") == 0);
}

/* Key k's value in c as text into buf; false for kinds not compared
 * (networks, notice actions: a restart takes them). */
static bool config_key_text(const struct shoal_config *c, const struct config_core_key *k,
                            char *buf, size_t len)
{
    const char *p = (const char *)c + k->offset;

    switch (k->kind) {
    case CONFIG_K_DOUBLE:
        snprintf(buf, len, "%g", *(const double *)p);
        return true;
    case CONFIG_K_U64:
        snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)p);
        return true;
    case CONFIG_K_BOOL:
        snprintf(buf, len, "%s", *(const bool *)p ? "true" : "false");
        return true;
    case CONFIG_K_STRING:
        snprintf(buf, len, "%s", *(char *const *)p ? *(char *const *)p : "");
        return true;
    case CONFIG_K_LOGFMT:
        snprintf(buf, len, "%s",
                 *(const enum shoal_log_format *)p == SHOAL_LOGFMT_JSON ? "json" : "tsv");
        return true;
    case CONFIG_K_PORTS: {
        const struct shoal_port_set *ps = (const struct shoal_port_set *)p;
        size_t n = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < ps->n && n < len; i++) {
            n += (size_t)snprintf(buf + n, len - n, "%s%u", i ? "," : "", ps->port[i]);
        }
        return true;
    }
    default:
        return false;
    }
}

int shoal_config_update(struct shoal_config *cur, const struct shoal_config *next,
                        shoal_config_change_fn fn, void *arg)
{
    int pending = 0;

    for (size_t i = 0; i < CONFIG_NKEYS; i++) {
        const struct config_core_key *k = &config_core_keys[i];
        char key[96], was[256], now[256];

        if (strcmp(k->group, "control") == 0 || !config_key_text(cur, k, was, sizeof(was)) ||
            !config_key_text(next, k, now, sizeof(now)) || strcmp(was, now) == 0) {
            continue;
        }
        snprintf(key, sizeof(key), "%s.%s", k->group, k->name);
        if (config_key_live(k)) {
            memcpy((char *)cur + k->offset, (const char *)next + k->offset, sizeof(double));
            fn(arg, key, was, now, true);
        } else {
            fn(arg, key, was, now, false);
            pending++;
        }
    }
    return pending;
}

/* ---- plugin groups ------------------------------------------------------ */

static const char *config_cfg_type_name(enum shoal_cfg_type t)
{
    switch (t) {
    case SHOAL_CFG_BOOL:
        return "a boolean";
    case SHOAL_CFG_INT:
        return "an integer";
    case SHOAL_CFG_DOUBLE:
        return "a number";
    case SHOAL_CFG_STRING:
        return "a string";
    }
    return "an unknown type";
}

size_t shoal_cfg_type_size(enum shoal_cfg_type t)
{
    switch (t) {
    case SHOAL_CFG_BOOL:
        return sizeof(bool);
    case SHOAL_CFG_INT:
        return sizeof(int64_t);
    case SHOAL_CFG_DOUBLE:
        return sizeof(double);
    case SHOAL_CFG_STRING:
        return sizeof(char *);
    }
    return 0;
}

/* Replace the string at `field` with a copy of s (NULL allowed). */
static int config_set_string(void *field, const char *s)
{
    char *old;
    char *dup = NULL;

    if (s != NULL) {
        dup = strdup(s);
        if (dup == NULL) {
            return -ENOMEM;
        }
    }
    memcpy(&old, field, sizeof(old));
    free(old);
    memcpy(field, &dup, sizeof(dup));
    return 0;
}

int shoal_cfg_parse(const struct shoal_cfg_key *k, const char *text, void *field)
{
    char *end;

    switch (k->type) {
    case SHOAL_CFG_BOOL: {
        bool b;

        if (strcasecmp(text, "true") == 0 || strcasecmp(text, "yes") == 0 ||
            strcmp(text, "1") == 0) {
            b = true;
        } else if (strcasecmp(text, "false") == 0 || strcasecmp(text, "no") == 0 ||
                   strcmp(text, "0") == 0) {
            b = false;
        } else {
            return -EINVAL;
        }
        memcpy(field, &b, sizeof(b));
        return 0;
    }
    case SHOAL_CFG_INT: {
        long long v;
        int64_t i;

        errno = 0;
        v = strtoll(text, &end, 0);
        if (errno != 0 || end == text || *end != '\0') {
            return -EINVAL;
        }
        i = v;
        memcpy(field, &i, sizeof(i));
        return 0;
    }
    case SHOAL_CFG_DOUBLE: {
        double d;

        errno = 0;
        d = strtod(text, &end);
        if (errno != 0 || end == text || *end != '\0') {
            return -EINVAL;
        }
        memcpy(field, &d, sizeof(d));
        return 0;
    }
    case SHOAL_CFG_STRING:
        return config_set_string(field, text);
    }
    return -EINVAL;
}

/* Is the value at `field` within key k's bounds (numbers only)?  If not,
 * *side is "at least" or "at most" and *bound the bound it broke. */
static bool config_in_range(const struct shoal_cfg_key *k, const void *field, const char **side,
                            const char **bound)
{
    const char *b[2] = {k->min, k->max};

    for (int i = 0; i < 2; i++) {
        union {
            int64_t i;
            double d;
        } lim, v;

        if (b[i] == NULL || (k->type != SHOAL_CFG_INT && k->type != SHOAL_CFG_DOUBLE) ||
            shoal_cfg_parse(k, b[i], &lim) < 0) {
            continue;
        }
        memcpy(&v, field, k->type == SHOAL_CFG_INT ? sizeof(v.i) : sizeof(v.d));
        bool out = k->type == SHOAL_CFG_INT ? (i == 0 ? v.i < lim.i : v.i > lim.i)
                                            : !(i == 0 ? v.d >= lim.d : v.d <= lim.d);
        if (out) {
            *side = i == 0 ? "at least" : "at most";
            *bound = b[i];
            return false;
        }
    }
    return true;
}

/* Store setting s (already type-checked against k) into `field`. */
static int config_store_plugin_value(const struct shoal_cfg_key *k, const config_setting_t *s,
                                     void *field)
{
    switch (k->type) {
    case SHOAL_CFG_BOOL: {
        bool b = config_setting_get_bool(s) != 0;

        memcpy(field, &b, sizeof(b));
        return 0;
    }
    case SHOAL_CFG_INT: {
        int64_t i = config_setting_get_int64(s);

        memcpy(field, &i, sizeof(i));
        return 0;
    }
    case SHOAL_CFG_DOUBLE: {
        double d = config_get_double(s);

        memcpy(field, &d, sizeof(d));
        return 0;
    }
    case SHOAL_CFG_STRING:
        return config_set_string(field, config_setting_get_string(s));
    }
    return -EINVAL;
}

/* True if setting s has the type key k wants (ints stand in for doubles). */
static bool config_type_ok(const struct shoal_cfg_key *k, const config_setting_t *s)
{
    switch (k->type) {
    case SHOAL_CFG_BOOL:
        return config_setting_type(s) == CONFIG_TYPE_BOOL;
    case SHOAL_CFG_INT:
        return config_is_integer(s);
    case SHOAL_CFG_DOUBLE:
        return config_is_number(s);
    case SHOAL_CFG_STRING:
        return config_setting_type(s) == CONFIG_TYPE_STRING;
    }
    return false;
}

/* The key table of a plugin that declares none. */
static const struct shoal_cfg_key config_no_keys[] = {{0}};

/* The libconfig group plugins.<name>, or NULL. */
static config_setting_t *config_plugin_group(const struct shoal_config *c, const char *name)
{
    config_setting_t *plugins;

    if (c == NULL || c->priv == NULL) {
        return NULL;
    }
    plugins = config_setting_get_member(config_root_setting((config_t *)c->priv), "plugins");
    if (plugins == NULL || config_setting_type(plugins) != CONFIG_TYPE_GROUP) {
        return NULL;
    }
    return config_setting_get_member(plugins, name);
}

/*
 * The key table is trusted to be valid here only as far as the loader
 * checked it (types, offsets); this function checks them again so it is safe
 * on a descriptor that did not go through the loader.
 */
bool shoal_config_plugin_errf(const struct shoal_config *c, const char *name, char *err,
                              size_t errlen, const char *what)
{
    const config_setting_t *g = config_plugin_group(c, name);
    char path[160];

    if (g == NULL) {
        return false;
    }
    snprintf(path, sizeof(path), "plugins.%s", name);
    config_errf(err, errlen, c, g, path, "%s", what);
    return true;
}

int shoal_config_plugin_enabled(const struct shoal_config *c, const char *name, char *err,
                                size_t errlen)
{
    const config_setting_t *g = config_plugin_group(c, name);
    const config_setting_t *s;
    char path[160];

    if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP ||
        (s = config_setting_get_member(g, SHOAL_CONFIG_PLUGIN_ENABLED)) == NULL) {
        return 1;
    }
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        snprintf(path, sizeof(path), "plugins.%s.%s", name, SHOAL_CONFIG_PLUGIN_ENABLED);
        config_errf(err, errlen, c, s, path, "expected a boolean, got %s",
                    shoal_config_type_name(config_setting_type(s)));
        return -EINVAL;
    }
    return config_setting_get_bool(s) ? 1 : 0;
}

/* Fill `out` with the defaults of the plugin's key table. */
static int config_plugin_defaults(const struct shoal_plugin *p, const struct shoal_cfg_key *keys,
                                  void *out, char *err, size_t errlen)
{
    for (const struct shoal_cfg_key *k = keys; k->name != NULL; k++) {
        size_t sz = shoal_cfg_type_size(k->type);
        int rc;

        if (sz == 0 || out == NULL || k->offset > p->config_size ||
            p->config_size - k->offset < sz) {
            snprintf(err, errlen, "%s: config key %s: bad type or offset in the plugin's table",
                     p->name, k->name);
            return -EINVAL;
        }
        rc = k->def != NULL ? shoal_cfg_parse(k, k->def, (char *)out + k->offset) : 0;
        if (rc == -EINVAL) {
            snprintf(err, errlen, "%s: config key %s: the plugin's default \"%s\" is not %s",
                     p->name, k->name, k->def, config_cfg_type_name(k->type));
        } else if (rc < 0) {
            snprintf(err, errlen, "%s: out of memory", p->name);
        }
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* Store one setting `s` of the plugin's group into `out`: a known key, of
 * its type, within its bounds. */
static int config_plugin_setting(const struct shoal_config *c, const struct shoal_plugin *p,
                                 const struct shoal_cfg_key *keys, const config_setting_t *s,
                                 void *out, char *err, size_t errlen)
{
    const char *name = config_setting_name(s);
    const struct shoal_cfg_key *k = keys;
    const char *side;
    const char *bound;
    char path[160];

    snprintf(path, sizeof(path), "plugins.%s.%s", p->name, name);
    while (k->name != NULL && strcmp(k->name, name) != 0) {
        k++;
    }
    if (k->name == NULL) {
        config_errf(err, errlen, c, s, path, "unknown key");
        return -EINVAL;
    }
    if (!config_type_ok(k, s)) {
        config_errf(err, errlen, c, s, path, "expected %s, got %s", config_cfg_type_name(k->type),
                    shoal_config_type_name(config_setting_type(s)));
        return -EINVAL;
    }
    if (config_store_plugin_value(k, s, (char *)out + k->offset) < 0) {
        snprintf(err, errlen, "%s: out of memory", p->name);
        return -ENOMEM;
    }
    if (config_in_range(k, (char *)out + k->offset, &side, &bound)) {
        return 0;
    }
    if (k->type == SHOAL_CFG_INT) {
        config_errf(err, errlen, c, s, path, "expected an integer %s %s, got %lld", side, bound,
                    (long long)config_setting_get_int64(s));
    } else {
        config_errf(err, errlen, c, s, path, "expected a number %s %s, got %g", side, bound,
                    config_get_double(s));
    }
    return -EINVAL;
}

/* Read the group plugins.<name> over the defaults in `out`. */
static int config_plugin_group_read(const struct shoal_config *c, const struct shoal_plugin *p,
                                    const struct shoal_cfg_key *keys, void *out, char *err,
                                    size_t errlen)
{
    const config_setting_t *g = config_plugin_group(c, p->name);
    char path[160];
    int n;

    if (g != NULL && config_setting_type(g) != CONFIG_TYPE_GROUP) {
        snprintf(path, sizeof(path), "plugins.%s", p->name);
        config_errf(err, errlen, c, g, path, "expected a group, got %s",
                    shoal_config_type_name(config_setting_type(g)));
        return -EINVAL;
    }
    n = g != NULL ? config_setting_length(g) : 0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        int rc;

        if (strcmp(config_setting_name(s), SHOAL_CONFIG_PLUGIN_ENABLED) == 0) {
            continue; /* the core's (shoal_config_plugin_enabled) */
        }
        rc = config_plugin_setting(c, p, keys, s, out, err, errlen);
        if (rc < 0) {
            return rc;
        }
    }
    for (const struct shoal_cfg_key *k = keys; k->name != NULL; k++) {
        if (k->required && (g == NULL || config_setting_get_member(g, k->name) == NULL)) {
            snprintf(path, sizeof(path), "plugins.%s.%s", p->name, k->name);
            config_errf(err, errlen, c, g, path, "required key missing");
            return -EINVAL;
        }
    }
    return 0;
}

int shoal_config_plugin(const struct shoal_config *c, const struct shoal_plugin *p, void *out,
                        char *err, size_t errlen)
{
    const struct shoal_cfg_key *keys = p->config != NULL ? p->config : config_no_keys;
    int rc;

    if (out != NULL && p->config_size > 0) {
        memset(out, 0, p->config_size);
    }
    rc = config_plugin_defaults(p, keys, out, err, errlen);
    if (rc == 0) {
        rc = config_plugin_group_read(c, p, keys, out, err, errlen);
    }
    if (rc < 0 && out != NULL) {
        shoal_config_plugin_free(p, out);
    }
    return rc;
}

void shoal_config_plugin_free(const struct shoal_plugin *p, void *cfg)
{
    if (cfg == NULL || p->config == NULL) {
        return;
    }
    for (const struct shoal_cfg_key *k = p->config; k->name != NULL; k++) {
        if (k->type == SHOAL_CFG_STRING && k->offset <= p->config_size &&
            p->config_size - k->offset >= sizeof(char *)) {
            (void)config_set_string((char *)cfg + k->offset, NULL);
        }
    }
}

int shoal_config_check_plugin_groups(const struct shoal_config *c, const char *const *names,
                                     size_t n, char *err, size_t errlen)
{
    config_setting_t *plugins;
    int len;

    if (c == NULL || c->priv == NULL) {
        return 0;
    }
    plugins = config_setting_get_member(config_root_setting((config_t *)c->priv), "plugins");
    if (plugins == NULL || config_setting_type(plugins) != CONFIG_TYPE_GROUP) {
        return 0;
    }
    len = config_setting_length(plugins);
    for (int i = 0; i < len; i++) {
        const config_setting_t *g = config_setting_get_elem(plugins, (unsigned)i);
        const char *name = config_setting_name(g);
        bool found = false;
        char path[96];

        for (size_t j = 0; j < n && !found; j++) {
            found = strcmp(names[j], name) == 0;
        }
        if (!found) {
            snprintf(path, sizeof(path), "plugins.%s", name);
            config_errf(err, errlen, c, g, path, "no plugin of that name is loaded");
            return -EINVAL;
        }
    }
    return 0;
}
