/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * status: a table of the nodes -- Name, Type, Host, Status, Pid, Started --
 * as BroControl printed it.  The process of each node comes from its
 * lifecycle files (a pid file held under flock: a pid the kernel gave to
 * another process never passes for the node); every running node is then
 * asked over its control port at once, and one that does not answer
 * within STATUS_TIMEOUT is shown as "not answering" while the others
 * still answer.  Fails (1) when a node is not running as it should.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <shoal/shoal.h>

/* A node on this or the next host answers in milliseconds: a hung one
 * costs the table no more than this. */
#define STATUS_TIMEOUT 0.75

struct status_row {
    struct shoal_node_status st;
    char status[32];
    char pid[24];
    char started[32];
};

static void status_started(double t, char *buf, size_t len)
{
    time_t s = (time_t)t;
    struct tm tm;

    if (t <= 0 || localtime_r(&s, &tm) == NULL) {
        buf[0] = '\0';
        return;
    }
    strftime(buf, len, "%d %b %H:%M:%S", &tm);
}

/* Ask the running ones of n nodes at once; mark those that do not answer. */
static void status_ping(struct shoal_command_base *b, const struct shoal_node_info **v, size_t n,
                        struct status_row *rows)
{
    const struct shoal_command_host *sh = b->host->command;
    const char *ping[] = {"status", NULL};
    const struct shoal_node_info *live[256];
    size_t idx[256];
    struct shoal_ctl_reply *r = NULL;
    size_t k = 0;

    for (size_t i = 0; i < n && k < 256; i++) {
        if (rows[i].st.running) {
            idx[k] = i;
            live[k++] = v[i];
        }
    }
    if (k == 0 || sh->control(b->self, live, k, ping, STATUS_TIMEOUT, &r) < 0) {
        return;
    }
    for (size_t j = 0; j < k; j++) {
        if (r[j].status != 0) {
            snprintf(rows[idx[j]].status, sizeof(rows[idx[j]].status), "not answering");
        }
    }
    sh->control_free(b->self, r, k);
}

static int status_run(void *ps, int argc, char *const *argv)
{
    static const char *const titles[] = {"Name", "Type", "Host", "Status", "Pid", "Started", NULL};
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    struct status_row *rows;
    struct shoal_table *t;
    int failed = 0;
    size_t n;

    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    rows = b->host->alloc(b->self, (n + 1) * sizeof(*rows));
    t = sh->table_new(b->self, titles);
    for (size_t i = 0; rows != NULL && i < n; i++) {
        rows[i].st.size = sizeof(rows[i].st);
        if (sh->node_status(b->self, v[i], &rows[i].st) < 0) {
            snprintf(rows[i].status, sizeof(rows[i].status), "unknown");
            failed = 1;
            continue;
        }
        snprintf(rows[i].status, sizeof(rows[i].status), "%s",
                 rows[i].st.running ? rows[i].st.status : "stopped");
        if (rows[i].st.running) {
            snprintf(rows[i].pid, sizeof(rows[i].pid), "%lld", (long long)rows[i].st.pid);
            status_started(rows[i].st.started, rows[i].started, sizeof(rows[i].started));
        } else if (rows[i].st.crashed) {
            snprintf(rows[i].status, sizeof(rows[i].status), "crashed");
            failed = 1;
        }
    }
    if (rows != NULL) {
        status_ping(b, v, n, rows);
    }
    for (size_t i = 0; rows != NULL && t != NULL && i < n; i++) {
        const char *row[] = {v[i]->name,  v[i]->type,      v[i]->host, rows[i].status,
                             rows[i].pid, rows[i].started, NULL};
        sh->table_row(b->self, t, row);
        failed |= strcmp(rows[i].status, "not answering") == 0;
    }
    sh->table_print(b->self, t);
    b->host->free(b->self, rows);
    b->host->free(b->self, v);
    return rows == NULL ? 1 : failed;
}

static const struct shoal_command_ops status_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "status",
    .synopsis = "[<nodes>]",
    .help = "Summarize node status.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = status_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin status_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "status",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "a table of the nodes' processes",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &status_ops,
};
