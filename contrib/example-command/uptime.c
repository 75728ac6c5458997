/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * example.uptime: a shoalctl command built out of tree against the
 * installed SDK alone (pkg-config --cflags shoal), and the pattern for a
 * third party's command.  For every running node of <nodes> (all of them
 * without arguments) it prints how long the node has been running: the
 * start time comes from the node's host through the shell's node_status
 * (the node's lifecycle files, read directly on this host and over ssh on
 * the others), the clock from the host table.  Its dotted name lists it in
 * help under "Commands provided by plugins:", as ps.bro was in BroControl.
 *
 *   [ShoalControl] > example.uptime
 *   Name     Host      Pid   Started         Uptime
 *   manager  localhost 4242  07 Dec 06:21:40 0d 00:03:12
 *   worker-1 localhost 4301  07 Dec 06:21:41 0d 00:03:11
 *
 * The command only reads: it runs without the shell's lock, so it answers
 * while another shell installs or starts.  It fails (1) when the state of a
 * node cannot be read from its host.  "no node is running" when none of
 * those named runs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <shoal/shoal.h>

/* "3d 04:05:06" for 273906 seconds. */
static void uptime_format(double secs, char *buf, size_t len)
{
    long long s = secs > 0 ? (long long)secs : 0;

    snprintf(buf, len, "%lldd %02lld:%02lld:%02lld", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
}

static void uptime_started(double t, char *buf, size_t len)
{
    time_t s = (time_t)t;
    struct tm tm;

    if (localtime_r(&s, &tm) == NULL || strftime(buf, len, "%d %b %H:%M:%S", &tm) == 0) {
        snprintf(buf, len, "?");
    }
}

/* One running node's row. */
static void uptime_row(struct shoal_command_base *b, struct shoal_table *t,
                       const struct shoal_node_info *n, const struct shoal_node_status *st)
{
    char pid[24], started[32], uptime[32];

    snprintf(pid, sizeof(pid), "%lld", (long long)st->pid);
    uptime_started(st->started, started, sizeof(started));
    uptime_format(b->host->now(b->self) - st->started, uptime, sizeof(uptime));
    const char *row[] = {n->name, n->host, pid, started, uptime, NULL};
    b->host->command->table_row(b->self, t, row);
}

static int uptime_run(void *ps, int argc, char *const *argv)
{
    static const char *const titles[] = {"Name", "Host", "Pid", "Started", "Uptime", NULL};
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v = NULL;
    struct shoal_node_status *st;
    struct shoal_table *t = NULL;
    size_t n = 0, running = 0;
    int failed = 0;

    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1; /* the shell said which name it does not know */
    }
    /* Every node's state first (a host that does not answer is said
     * before the table), then a row for each one that runs. */
    st = b->host->alloc(b->self, (n + 1) * sizeof(*st));
    if (st == NULL) {
        b->host->free(b->self, v);
        return -12; /* -ENOMEM */
    }
    for (size_t i = 0; i < n; i++) {
        st[i].size = sizeof(st[i]);
        if (sh->node_status(b->self, v[i], &st[i]) < 0) {
            sh->out(b->self, "%s: its state on %s is unknown\n", v[i]->name, v[i]->host);
            st[i].running = false;
            failed = 1;
        }
        running += st[i].running && st[i].started > 0;
    }
    if (running > 0 && (t = sh->table_new(b->self, titles)) != NULL) {
        for (size_t i = 0; i < n; i++) {
            if (st[i].running && st[i].started > 0) {
                uptime_row(b, t, v[i], &st[i]);
            }
        }
        sh->table_print(b->self, t); /* prints and frees */
    } else if (running == 0) {
        sh->out(b->self, "no node is running\n");
    }
    b->host->free(b->self, st);
    b->host->free(b->self, v);
    return t == NULL && running > 0 ? -12 : failed;
}

static const struct shoal_command_ops uptime_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "example.uptime",
    .synopsis = "[<nodes>]",
    .help = "Shows how long each running node has been running.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .flags = SHOAL_CMD_NO_LOCK,
    .run = uptime_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "example-uptime",
    .version = "1.0.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "example.uptime: how long each running node has been running",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &uptime_ops,
};
