/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * top [<nodes>]: what each running node's process costs, as BroControl's
 * top showed it: Name, Type, Host, Pid, VSize, Rss, Cpu, Cmd, from one
 * `ps` per host (no shell) over the pids of that host's nodes.  Nodes
 * that do not run are left out.  Fails (1) when ps could not run on a
 * host, or a node's process was gone by the time ps looked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/shoal.h>

/* What ps said of one pid. */
struct top_proc {
    long long pid;
    unsigned long long vsz, rss; /* KiB */
    char cpu[16];
    char cmd[64];
};

struct top_node {
    const struct shoal_node_info *node;
    struct shoal_node_status st;
    struct top_proc proc;
    bool seen; /* ps listed it */
};

/* Fill the nodes of host `h` from the lines of ps ("pid vsz rss pcpu comm"). */
static void top_parse(struct top_node *nodes, size_t n, const size_t *group, size_t h,
                      const char *out)
{
    while (out != NULL && *out != '\0') {
        struct top_proc p = {0};
        size_t len = strcspn(out, "\n");

        if (sscanf(out, "%lld %llu %llu %15s %63s", &p.pid, &p.vsz, &p.rss, p.cpu, p.cmd) == 5) {
            for (size_t i = 0; i < n; i++) {
                if (group[i] == h && nodes[i].st.pid == p.pid) {
                    nodes[i].proc = p;
                    nodes[i].seen = true;
                }
            }
        }
        out += len + (out[len] == '\n');
    }
}

/* One ps on host h for the pids of its nodes; 0, or 1 after saying why. */
static int top_host(struct shoal_command_base *b, struct top_node *nodes, size_t n,
                    const size_t *group, size_t h)
{
    const struct shoal_command_host *sh = b->host->command;
    char *pids = b->host->alloc(b->self, n * 24 + 1);
    const char *host = NULL;
    struct shoal_run_result res = {0};
    int rc = -ENOMEM;

    for (size_t i = 0; pids != NULL && i < n; i++) {
        if (group[i] == h) {
            host = nodes[i].node->host;
            snprintf(pids + strlen(pids), 24, "%s%lld", pids[0] != '\0' ? "," : "",
                     (long long)nodes[i].st.pid);
        }
    }
    if (pids != NULL) {
        const char *argv[] = {"ps", "-o", "pid=,vsz=,rss=,pcpu=,comm=", "-p", pids, NULL};
        rc = sh->run(b->self, host, argv, NULL, sh->timeout(b->self, SHOAL_TIMEOUT_RUN), &res);
    }
    /* ps exits 1 when one of the pids is gone: the others are still listed */
    if (rc == 0 && (res.status == 0 || res.status == 1)) {
        top_parse(nodes, n, group, h, res.out);
    } else {
        sh->out(b->self, "%s: ps failed (%d): %s", host != NULL ? host : "?",
                rc < 0 ? rc : res.status, res.err != NULL ? res.err : "\n");
    }
    b->host->free(b->self, res.out);
    b->host->free(b->self, res.err);
    b->host->free(b->self, pids);
    return rc == 0 && (res.status == 0 || res.status == 1) ? 0 : 1;
}

/* The table, one row per node ps listed; 1 when a node's process was gone. */
static int top_print(struct shoal_command_base *b, const struct top_node *nodes, size_t n)
{
    static const char *const titles[] = {"Name", "Type", "Host", "Pid", "VSize",
                                         "Rss",  "Cpu",  "Cmd",  NULL};
    const struct shoal_command_host *sh = b->host->command;
    struct shoal_table *t = sh->table_new(b->self, titles);
    int failed = 0;

    for (size_t i = 0; i < n; i++) {
        const struct top_node *x = &nodes[i];
        char pid[24], vsz[16], rss[16], cpu[24];

        if (!x->seen) {
            sh->out(b->self, "%s: no process %lld on %s any more\n", x->node->name,
                    (long long)x->st.pid, x->node->host);
            failed = 1;
            continue;
        }
        snprintf(pid, sizeof(pid), "%lld", x->proc.pid);
        shoal_cmd_size(vsz, sizeof(vsz), x->proc.vsz);
        shoal_cmd_size(rss, sizeof(rss), x->proc.rss);
        snprintf(cpu, sizeof(cpu), "%s%%", x->proc.cpu);
        const char *row[] = {x->node->name, x->node->type, x->node->host, pid, vsz,
                             rss,           cpu,           x->proc.cmd,   NULL};
        sh->table_row(b->self, t, row);
    }
    sh->table_print(b->self, t);
    return failed;
}

static int top_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    const struct shoal_node_info **live;
    struct top_node *nodes;
    size_t *group;
    size_t n, k = 0, hosts;
    int failed = 0;

    if (!SHOAL_HAS(sh, node_hosts) || sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    nodes = b->host->alloc(b->self, (n + 1) * sizeof(*nodes));
    live = b->host->alloc(b->self, (n + 1) * sizeof(*live));
    group = b->host->alloc(b->self, (n + 1) * sizeof(*group));
    if (nodes == NULL || live == NULL || group == NULL) {
        failed = 1;
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        struct top_node *x = &nodes[k];

        x->node = v[i];
        x->st.size = sizeof(x->st);
        if (sh->node_status(b->self, v[i], &x->st) < 0) {
            sh->out(b->self, "%s: its state on %s is unknown\n", v[i]->name, v[i]->host);
            failed = 1;
        } else if (x->st.running && x->st.pid > 0) {
            live[k++] = v[i];
        }
    }
    if (k == 0) {
        sh->out(b->self, "none of these nodes is running\n");
        goto out_free;
    }
    hosts = sh->node_hosts(b->self, live, k, group);
    for (size_t h = 0; h < hosts; h++) {
        failed |= top_host(b, nodes, k, group, h);
    }
    failed |= top_print(b, nodes, k);
out_free:
    b->host->free(b->self, group);
    b->host->free(b->self, live);
    b->host->free(b->self, nodes);
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops top_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "top",
    .synopsis = "[<nodes>]",
    .help = "Shows the nodes' processes: memory and CPU.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = top_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin top_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "top",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "memory and CPU of the nodes' processes, one ps per host",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &top_ops,
};
