/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * df [<nodes>]: the disk space where the nodes write, as BroControl's df
 * showed it: for each node's working directory on its host (and the
 * shell's log and spool folders on this host, when they exist), the file
 * system's size, what is used and available, and the percentage used,
 * from `df -kP` run on the host itself (no shell).  A path shared by
 * several nodes of one host is shown once.  Fails (1) when df could not
 * tell for a path.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <shoal/shoal.h>

struct df_place {
    const char *host;
    const char *path;
    size_t group; /* host's index among the distinct hosts */
};

/* Parse the one data line of `df -kP` into the table; 0 or -1. */
static int df_row(struct shoal_command_base *b, struct shoal_table *t, const struct df_place *p,
                  const char *out)
{
    const char *line = strchr(out, '\n');
    unsigned long long total, used, avail;
    char c_total[16], c_used[16], c_avail[16], c_pct[16];

    /* "Filesystem 1024-blocks Used Available Capacity Mounted on" first */
    if (line == NULL || sscanf(line + 1, "%*s %llu %llu %llu", &total, &used, &avail) != 3) {
        return -1;
    }
    shoal_cmd_size(c_total, sizeof(c_total), total);
    shoal_cmd_size(c_used, sizeof(c_used), used);
    shoal_cmd_size(c_avail, sizeof(c_avail), avail);
    snprintf(c_pct, sizeof(c_pct), "%.1f%%",
             used + avail > 0 ? 100.0 * (double)used / (double)(used + avail) : 0.0);
    const char *row[] = {p->host, p->path, c_total, c_used, c_avail, c_pct, NULL};
    return b->host->command->table_row(b->self, t, row) < 0 ? -1 : 0;
}

/* df for one place on its host; 0, or 1 after saying why. */
static int df_place(struct shoal_command_base *b, struct shoal_table *t, const struct df_place *p)
{
    const struct shoal_command_host *sh = b->host->command;
    const char *argv[] = {"df", "-kP", "--", p->path, NULL};
    struct shoal_run_result res = {0};
    int rc = sh->run(b->self, p->host, argv, NULL, sh->timeout(b->self, SHOAL_TIMEOUT_RUN), &res);
    int failed = 0;

    if (rc < 0 || res.status != 0 || df_row(b, t, p, res.out) < 0) {
        sh->out(b->self, "%s: df of %s failed (%d): %s", p->host, p->path, rc < 0 ? rc : res.status,
                res.err != NULL && res.err[0] != '\0' ? res.err : "no usable output\n");
        failed = 1;
    }
    b->host->free(b->self, res.out);
    b->host->free(b->self, res.err);
    return failed;
}

static int df_run(void *ps, int argc, char *const *argv)
{
    static const char *const titles[] = {"Host", "Path", "Size", "Used", "Avail", "Use%", NULL};
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    const struct shoal_node_info **hv;
    struct shoal_node_info here = {.size = sizeof(here), .name = "", .host = "localhost"};
    struct df_place *places;
    struct shoal_table *t;
    size_t *group;
    size_t n, k = 0;
    int failed = 0;

    if (!SHOAL_HAS(sh, node_hosts)) {
        return 1;
    }
    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    /* The nodes' hosts, then this one for the logs and the spool. */
    hv = b->host->alloc(b->self, (n + 2) * sizeof(*hv));
    group = b->host->alloc(b->self, (n + 2) * sizeof(*group));
    places = b->host->alloc(b->self, (n + 2) * sizeof(*places));
    t = sh->table_new(b->self, titles);
    if (hv == NULL || group == NULL || places == NULL || t == NULL) {
        failed = 1;
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        hv[i] = v[i];
    }
    hv[n] = hv[n + 1] = &here;
    sh->node_hosts(b->self, hv, n + 2, group);
    for (size_t i = 0; i < n + 2; i++) {
        struct df_place p = {
            .host = hv[i]->host,
            .path = i < n    ? hv[i]->workdir
                    : i == n ? sh->path(b->self, SHOAL_PATH_LOGS)
                             : sh->path(b->self, SHOAL_PATH_SPOOL),
            .group = group[i],
        };
        /* the shell's folders when there are (logs appear with the first) */
        bool seen = i >= n && access(p.path, F_OK) != 0;

        for (size_t j = 0; j < k && !seen; j++) {
            seen = places[j].group == p.group && strcmp(places[j].path, p.path) == 0;
        }
        if (!seen) {
            places[k++] = p;
        }
    }
    for (size_t i = 0; i < k; i++) {
        failed |= df_place(b, t, &places[i]);
    }
out_free:
    sh->table_print(b->self, t);
    b->host->free(b->self, places);
    b->host->free(b->self, group);
    b->host->free(b->self, hv);
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops df_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "df",
    .synopsis = "[<nodes>]",
    .help = "Checks the amount of disk space available on the nodes' hosts.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = df_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin df_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "df",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "disk space where the nodes write, per host and path",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &df_ops,
};
