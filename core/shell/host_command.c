/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host table of command plugins (struct shoal_command_host): each
 * entry reaches the shell behind the plugin's handle (env->owner) and
 * forwards to the module that does the work -- nodecfg.c for node
 * selection, nodes.c for processes, install.c, hosts.c, state.c, the
 * cluster's control client -- or prints: plain lines and aligned tables.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/control.h"
#include "cluster/layout.h"
#include "lib/diag.h"
#include "shell/hosts.h"
#include "shell/nodecfg.h"
#include "shell/shell.h"
#include "shell/state.h"

#define TABLE_MAX_COLUMNS 16

static struct shoal_shell *host_shell(struct shoal_self *self)
{
    return self->env->owner;
}

static void host_out(struct shoal_self *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void host_out(struct shoal_self *self, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(host_shell(self)->out, fmt, ap);
    va_end(ap);
}

static void host_out_lines(struct shoal_self *self, const char *prefix, const char *text)
{
    FILE *out = host_shell(self)->out;

    while (text != NULL && *text != '\0') {
        size_t len = strcspn(text, "\n");

        fprintf(out, "%s %.*s\n", prefix, (int)len, text);
        text += len + (text[len] == '\n');
    }
}

/* ---- tables ---- */

struct shoal_table {
    size_t ncols;
    char **cells; /* rows * ncols, row 0 the titles */
    size_t nrows;
    size_t width[TABLE_MAX_COLUMNS];
};

static int host_table_append(struct shoal_table *t, const char *const *cells)
{
    char **v = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*v));

    if (v == NULL) {
        return -ENOMEM;
    }
    t->cells = v;
    for (size_t c = 0; c < t->ncols; c++) {
        const char *s = cells[c] != NULL ? cells[c] : "";
        char *dup = strdup(s);

        if (dup == NULL) {
            return -ENOMEM;
        }
        v[t->nrows * t->ncols + c] = dup;
        if (strlen(s) > t->width[c]) {
            t->width[c] = strlen(s);
        }
        if (cells[c] == NULL) {
            /* a short row: the rest empty */
            for (size_t r = c + 1; r < t->ncols; r++) {
                v[t->nrows * t->ncols + r] = strdup("");
            }
            break;
        }
    }
    t->nrows++;
    return 0;
}

static struct shoal_table *host_table_new(struct shoal_self *self, const char *const *titles)
{
    struct shoal_table *t = calloc(1, sizeof(*t));

    (void)self;
    if (t == NULL) {
        return NULL;
    }
    while (titles[t->ncols] != NULL && t->ncols < TABLE_MAX_COLUMNS) {
        t->ncols++;
    }
    if (host_table_append(t, titles) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

static int host_table_row(struct shoal_self *self, struct shoal_table *t, const char *const *cells)
{
    (void)self;
    return t != NULL ? host_table_append(t, cells) : -EINVAL;
}

static void host_table_print(struct shoal_self *self, struct shoal_table *t)
{
    FILE *out = host_shell(self)->out;

    if (t == NULL) {
        return;
    }
    for (size_t r = 0; r < t->nrows; r++) {
        size_t last = t->ncols;

        while (last > 1 && t->cells[r * t->ncols + last - 1][0] == '\0') {
            last--; /* no blanks at the end of a line */
        }
        for (size_t c = 0; c < last; c++) {
            const char *s = t->cells[r * t->ncols + c];

            if (c + 1 == last) {
                fprintf(out, "%s\n", s);
            } else {
                fprintf(out, "%-*s ", (int)t->width[c], s);
            }
        }
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        free(t->cells[i]);
    }
    free(t->cells);
    free(t);
}

/* ---- nodes ---- */

static size_t host_node_count(struct shoal_self *self)
{
    return host_shell(self)->n_nodes;
}

static const struct shoal_node_info *host_node(struct shoal_self *self, size_t i)
{
    struct shoal_shell *sh = host_shell(self);

    return i < sh->n_nodes ? &sh->nodes[i] : NULL;
}

static int host_select_nodes(struct shoal_self *self, int argc, char *const *argv,
                             const struct shoal_node_info ***out, size_t *n)
{
    struct shoal_shell *sh = host_shell(self);
    const struct shoal_nodecfg_node **v;
    const struct shoal_node_info **info;
    char err[256];
    int rc;

    *out = NULL;
    *n = 0;
    if (sh->nodecfg == NULL) {
        fprintf(stderr, "no nodes: %s/node.cfg cannot be read (\"check\" says why)\n",
                sh->paths.etc);
        return -ENOENT;
    }
    rc = shoal_nodecfg_select(sh->nodecfg, argc, argv, &v, n, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "%s\n", err);
        return rc;
    }
    info = calloc(*n + 1, sizeof(*info));
    for (size_t i = 0; info != NULL && i < *n; i++) {
        info[i] = shoal_shell_node(sh, v[i]->name);
    }
    free(v);
    if (info == NULL) {
        return -ENOMEM;
    }
    *out = info;
    return 0;
}

static int host_node_status(struct shoal_self *self, const struct shoal_node_info *node,
                            struct shoal_node_status *st)
{
    static char word[32];
    /* A plugin built for an older minor has a shorter struct: 2.1's ends
     * before `crashed`, and is what a size left 0 means. */
    const size_t v21 = offsetof(struct shoal_node_status, crashed);
    size_t size = st->size >= sizeof(*st) ? sizeof(*st) : st->size > v21 ? st->size : v21;
    struct shoal_node_status mine;
    int rc = shoal_shell_node_status(host_shell(self), node, &mine, word, sizeof(word));

    mine.size = (uint32_t)size;
    memcpy(st, &mine, size);
    return rc;
}

static const char *host_path(struct shoal_self *self, enum shoal_cmd_path which)
{
    const struct shoal_paths *p = &host_shell(self)->paths;

    switch (which) {
    case SHOAL_PATH_PREFIX:
    case SHOAL_PATH_BIN:
        return p->bin;
    case SHOAL_PATH_ETC:
        return p->etc;
    case SHOAL_PATH_SPOOL:
        return p->spool;
    case SHOAL_PATH_LOGS:
        return p->logs;
    }
    return NULL;
}

static int host_run(struct shoal_self *self, const char *host, const char *const *argv,
                    const char *input, double timeout, struct shoal_run_result *res)
{
    return shoal_hosts_run(host_shell(self)->hosts, host, argv, input, timeout, res);
}

/* ---- control ---- */

/* One reply's items copied into a block the caller frees with the reply. */
static int host_copy_reply(struct shoal_ctl_reply *r, const struct shoal_control_result *res)
{
    const struct shoal_wire_ctl_reply *rep = &res->msg.rep;
    const char **keys = calloc(rep->n_items + 1, sizeof(*keys));
    const char **values = calloc(rep->n_items + 1, sizeof(*values));

    r->keys = keys;
    r->values = values;
    if (keys == NULL || values == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < rep->n_items; i++) {
        keys[i] = strdup(rep->items[i].key);
        values[i] = strndup(rep->items[i].value.p, rep->items[i].value.len);
        if (keys[i] == NULL || values[i] == NULL) {
            return -ENOMEM;
        }
        r->n = i + 1;
    }
    if (rep->status != 0) {
        const char *why = shoal_control_reply_get(rep, "error");
        r->status = -EPROTO;
        r->error = strdup(why != NULL ? why : "the node refused the request");
    }
    return 0;
}

int shoal_shell_control(struct shoal_shell *sh, const struct shoal_node_info *const *nodes,
                        size_t n, const char *const *argv, double timeout,
                        struct shoal_ctl_reply **out)
{
    struct shoal_layout *layout = NULL;
    struct shoal_control_client *cl = NULL;
    const struct shoal_layout_node **targets = calloc(n + 1, sizeof(*targets));
    struct shoal_control_result *res = calloc(n + 1, sizeof(*res));
    struct shoal_ctl_reply *r = calloc(n + 1, sizeof(*r));
    char path[PATH_MAX + 16];
    char err[512];
    size_t nargs = 0;
    int rc = -ENOMEM;

    *out = NULL;
    if (targets == NULL || res == NULL || r == NULL) {
        goto out_free;
    }
    snprintf(path, sizeof(path), "%s/layout.cfg", sh->paths.installed);
    rc = shoal_layout_load(path, &layout, err, sizeof(err));
    if (rc == 0) {
        rc = shoal_control_client_open(layout, NULL, &cl, err, sizeof(err));
    }
    if (rc < 0) {
        fprintf(stderr, "%s\n", err);
        goto out_free;
    }
    /* Nodes not in the installed layout are not asked: they answer nothing.
     * The others are asked at once; asked[k] is the k-th asked one's index. */
    size_t *asked = calloc(n + 1, sizeof(*asked));
    size_t k = 0;
    if (asked == NULL) {
        rc = -ENOMEM;
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        r[i].node = nodes[i];
        targets[k] = shoal_layout_find(layout, nodes[i]->name);
        if (targets[k] != NULL) {
            asked[k++] = i;
        } else {
            r[i].status = -ENOENT;
            r[i].error = strdup("not installed (\"install\" first)");
        }
    }
    while (argv[nargs] != NULL) {
        nargs++;
    }
    rc = k > 0 ? shoal_control_request(cl, targets, k, argv[0], argv + 1, nargs - 1, timeout, res)
               : 0;
    for (size_t j = 0; rc >= 0 && j < k; j++) {
        struct shoal_ctl_reply *one = &r[asked[j]];
        if (res[j].rc < 0) {
            one->status = res[j].rc;
            one->error = strdup(res[j].error);
        } else if (host_copy_reply(one, &res[j]) < 0) {
            rc = -ENOMEM;
        }
    }
    free(asked);
    if (rc >= 0) {
        shoal_control_results_release(res, k);
        *out = r;
        r = NULL;
        rc = 0;
    }
out_free:
    shoal_shell_control_free(r, n);
    shoal_control_client_close(cl);
    shoal_layout_free(layout);
    free(targets);
    free(res);
    return rc;
}

void shoal_shell_control_free(struct shoal_ctl_reply *replies, size_t n)
{
    for (size_t i = 0; replies != NULL && i < n; i++) {
        for (size_t k = 0; k < replies[i].n; k++) {
            free((void *)replies[i].keys[k]);
            free((void *)replies[i].values[k]);
        }
        free((void *)replies[i].keys);
        free((void *)replies[i].values);
        free((void *)replies[i].error);
    }
    free(replies);
}

int shoal_shell_control_running(struct shoal_shell *sh, const struct shoal_node_info *const *nodes,
                                size_t n, const char *const *argv, double timeout,
                                struct shoal_ctl_reply **out)
{
    struct shoal_ctl_reply *r = calloc(n + 1, sizeof(*r));
    const struct shoal_node_info **live = calloc(n + 1, sizeof(*live));
    size_t *idx = calloc(n + 1, sizeof(*idx));
    struct shoal_ctl_reply *asked = NULL;
    size_t k = 0;
    int rc = -ENOMEM;

    *out = NULL;
    if (r == NULL || live == NULL || idx == NULL) {
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        struct shoal_node_status st;
        char word[32];
        char why[160];
        int s = shoal_shell_node_status(sh, nodes[i], &st, word, sizeof(word));

        r[i].node = nodes[i];
        if (s == 0 && st.running) {
            idx[k] = i;
            live[k++] = nodes[i];
            continue;
        }
        if (s < 0) {
            snprintf(why, sizeof(why), "its state on %s is unknown: %s", nodes[i]->host,
                     strerror(-s));
        }
        r[i].status = s < 0 ? s : -ESRCH;
        r[i].error = strdup(s < 0 ? why : "not running");
    }
    rc = k > 0 ? shoal_shell_control(sh, live, k, argv, timeout, &asked) : 0;
    if (rc < 0) {
        goto out_free;
    }
    for (size_t j = 0; j < k; j++) {
        r[idx[j]] = asked[j]; /* the reply's buffers move with it */
    }
    free(asked);
    *out = r;
    r = NULL;
out_free:
    shoal_shell_control_free(r, n);
    free(live);
    free(idx);
    return rc;
}

static int host_control(struct shoal_self *self, const struct shoal_node_info *const *nodes,
                        size_t n, const char *const *argv, double timeout,
                        struct shoal_ctl_reply **out)
{
    struct shoal_shell *sh = host_shell(self);

    return shoal_shell_control(sh, nodes, n, argv, timeout > 0 ? timeout : sh->timeouts.control,
                               out);
}

static void host_control_free(struct shoal_self *self, struct shoal_ctl_reply *replies, size_t n)
{
    (void)self;
    shoal_shell_control_free(replies, n);
}

/* ---- the shell ---- */

static int host_run_command(struct shoal_self *self, int argc, char *const *argv)
{
    struct shoal_shell *sh = host_shell(self);
    void *state = NULL;
    const struct shoal_command_ops *ops = argc > 0 ? shoal_shell_find(sh, argv[0], &state) : NULL;

    /* Under the lock the calling command holds already. */
    if (ops == NULL) {
        fprintf(stderr, "unknown command '%s'\n", argc > 0 ? argv[0] : "");
        return 2;
    }
    return ops->run(state, argc, argv);
}

static const char *host_state_get(struct shoal_self *self, const char *key)
{
    return shoal_state_get(host_shell(self)->state, key);
}

static int host_state_set(struct shoal_self *self, const char *key, const char *value)
{
    return shoal_state_set(host_shell(self)->state, key, value);
}

/* ---- 2.2 ---- */

static int host_install(struct shoal_self *self, enum shoal_install_step step, char *err,
                        size_t errlen)
{
    return shoal_shell_install(host_shell(self), step, err, errlen);
}

static int host_node_start(struct shoal_self *self, const struct shoal_node_info *node, char *err,
                           size_t errlen)
{
    return shoal_shell_node_start(host_shell(self), node, err, errlen);
}

static int host_node_stop(struct shoal_self *self, const struct shoal_node_info *node, char *err,
                          size_t errlen)
{
    return shoal_shell_node_stop(host_shell(self), node, err, errlen);
}

static int host_node_argv(struct shoal_self *self, const struct shoal_node_info *node, bool check,
                          char ***argv)
{
    return shoal_shell_node_command(host_shell(self), node,
                                    check ? SHOAL_NODE_CMD_CHECK : SHOAL_NODE_CMD_START, argv);
}

static int host_node_command(struct shoal_self *self, const struct shoal_node_info *node,
                             enum shoal_node_cmd what, char ***argv)
{
    return shoal_shell_node_command(host_shell(self), node, what, argv);
}

static int host_cmp_commands(const void *a, const void *b)
{
    const struct shoal_command_ops *x = *(const struct shoal_command_ops *const *)a;
    const struct shoal_command_ops *y = *(const struct shoal_command_ops *const *)b;

    return strcmp(x->name, y->name);
}

static size_t host_commands(struct shoal_self *self, const struct shoal_command_ops **out,
                            size_t max)
{
    struct shoal_shell *sh = host_shell(self);
    const struct shoal_command_ops *c;
    size_t n = 0;

    for (size_t i = 0; (c = shoal_shell_command(sh, i)) != NULL; i++) {
        if (n < max) {
            out[n] = c;
        }
        n++;
    }
    qsort(out, n < max ? n : max, sizeof(*out), host_cmp_commands);
    return n;
}

static const char *host_version(struct shoal_self *self)
{
    (void)self;
    return PACKAGE_VERSION;
}

static int host_local_cluster(struct shoal_self *self, const char *dir, unsigned proxies,
                              unsigned workers, uint16_t base_port, char *err, size_t errlen)
{
    (void)self;
    return shoal_shell_local_cluster(dir, proxies, workers, base_port, err, errlen);
}

static void host_settings(struct shoal_self *self,
                          void (*fn)(void *arg, const char *key, const char *value), void *arg)
{
    struct shoal_shell *sh = host_shell(self);
    const struct {
        const char *key;
        double v;
    } times[] = {
        {"timeout.lock", sh->timeouts.lock},   {"timeout.control", sh->timeouts.control},
        {"timeout.start", sh->timeouts.start}, {"timeout.stop", sh->timeouts.stop},
        {"timeout.run", sh->timeouts.run},
    };
    char num[64];

    fn(arg, "version", PACKAGE_VERSION);
    fn(arg, "etcdir", sh->paths.etc);
    fn(arg, "spooldir", sh->paths.spool);
    fn(arg, "logdir", sh->paths.logs);
    fn(arg, "installdir", sh->paths.installed);
    fn(arg, "bindir", sh->paths.bin);
    fn(arg, "shoal", sh->paths.shoal);
    fn(arg, "installed", sh->installed ? "yes" : "no");
    fn(arg, "cluster",
       sh->nodecfg == NULL                     ? "none"
       : shoal_nodecfg_is_cluster(sh->nodecfg) ? "yes"
                                               : "no");
    snprintf(num, sizeof(num), "%zu", sh->n_nodes);
    fn(arg, "nodes", num);
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        snprintf(num, sizeof(num), "%g", times[i].v);
        fn(arg, times[i].key, num);
    }
}

static double host_control_setting(struct shoal_self *self, const char *key)
{
    const struct shoal_shell *sh = host_shell(self);
    const struct {
        const char *key;
        double v;
    } v[] = {
        {"rotate_interval", sh->cron.rotate_interval},
        {"log_expire_days", sh->cron.log_expire_days},
        {"min_disk_percent", sh->cron.min_disk_percent},
        {"lock", sh->timeouts.lock},
        {"control", sh->timeouts.control},
        {"start", sh->timeouts.start},
        {"stop", sh->timeouts.stop},
        {"run", sh->timeouts.run},
    };

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (strcmp(v[i].key, key) == 0) {
            return v[i].v;
        }
    }
    return NAN;
}

static double host_timeout(struct shoal_self *self, enum shoal_cmd_timeout which)
{
    const struct shoal_shell_timeouts *t = &host_shell(self)->timeouts;

    switch (which) {
    case SHOAL_TIMEOUT_LOCK:
        return t->lock;
    case SHOAL_TIMEOUT_CONTROL:
        return t->control;
    case SHOAL_TIMEOUT_START:
        return t->start;
    case SHOAL_TIMEOUT_STOP:
        return t->stop;
    case SHOAL_TIMEOUT_RUN:
        break;
    }
    return t->run;
}

static size_t host_node_hosts(struct shoal_self *self, const struct shoal_node_info *const *nodes,
                              size_t n, size_t *group)
{
    const char **hosts = calloc(n + 1, sizeof(*hosts));
    size_t k;

    (void)self;
    if (hosts == NULL) {
        /* no memory for the names: one host per node, never one too few */
        for (size_t i = 0; i < n; i++) {
            group[i] = i;
        }
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        hosts[i] = nodes[i]->host;
    }
    k = shoal_hosts_group(hosts, n, group);
    free(hosts);
    return k;
}

static int host_control_running(struct shoal_self *self, const struct shoal_node_info *const *nodes,
                                size_t n, const char *const *argv, double timeout,
                                struct shoal_ctl_reply **out)
{
    struct shoal_shell *sh = host_shell(self);

    return shoal_shell_control_running(sh, nodes, n, argv,
                                       timeout > 0 ? timeout : sh->timeouts.control, out);
}

static int host_node_tail(struct shoal_self *self, const struct shoal_node_info *node,
                          const char *name, unsigned lines, char **text)
{
    return shoal_shell_node_tail(host_shell(self), node, name, lines, text);
}

static int host_clean_shell(struct shoal_self *self, char *err, size_t errlen)
{
    return shoal_shell_clean(host_shell(self), err, errlen);
}

const struct shoal_command_host shoal_shell_host_table = {
    .size = sizeof(struct shoal_command_host),
    .out = host_out,
    .table_new = host_table_new,
    .table_row = host_table_row,
    .table_print = host_table_print,
    .node_count = host_node_count,
    .node = host_node,
    .select_nodes = host_select_nodes,
    .node_status = host_node_status,
    .path = host_path,
    .run = host_run,
    .control = host_control,
    .control_free = host_control_free,
    .run_command = host_run_command,
    .state_get = host_state_get,
    .state_set = host_state_set,
    .install = host_install,
    .node_start = host_node_start,
    .node_stop = host_node_stop,
    .node_argv = host_node_argv,
    .commands = host_commands,
    .version = host_version,
    .settings = host_settings,
    .timeout = host_timeout,
    .node_command = host_node_command,
    .node_hosts = host_node_hosts,
    .control_running = host_control_running,
    .node_tail = host_node_tail,
    .clean_shell = host_clean_shell,
    .out_lines = host_out_lines,
    .local_cluster = host_local_cluster,
    .control_setting = host_control_setting,
};
