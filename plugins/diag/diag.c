/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diag [<nodes>]: what to look at when a node misbehaves, as BroControl's
 * diag gathered it, per node: its state (running with its pid, stopped,
 * or crashed: not running although it never said it ended), the command
 * line start runs it with, and the last lines of its stderr.log and
 * stdout.log, read on its host.  Fails (1) only when a node's state or
 * files could not be read; a crashed node is what diag is for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <shoal/shoal.h>

#define DIAG_LINES 40

/* One node's state, as a sentence. */
static void diag_state(struct shoal_command_base *b, const struct shoal_node_info *n,
                       const struct shoal_node_status *st)
{
    const struct shoal_command_host *sh = b->host->command;
    char when[64] = "";
    time_t t = (time_t)st->started;
    struct tm tm;

    if (st->started > 0 && localtime_r(&t, &tm) != NULL) {
        strftime(when, sizeof(when), " since %Y-%m-%d %H:%M:%S", &tm);
    }
    if (st->running) {
        sh->out(b->self, "status: %s, pid %lld%s\n", st->status, (long long)st->pid, when);
    } else if (st->crashed) {
        sh->out(b->self,
                "status: crashed: %s is not running, but its last status word is '%s' "
                "(it was killed or died; `start` starts it again, `cleanup` forgets it)\n",
                n->name, st->status);
    } else {
        sh->out(b->self, "status: stopped (%s)\n", st->status);
    }
}

/* The node's command line, as one line. */
static int diag_cmdline(struct shoal_command_base *b, const struct shoal_node_info *n)
{
    const struct shoal_command_host *sh = b->host->command;
    char **argv = NULL;

    if (sh->node_argv(b->self, n, false, &argv) < 0) {
        sh->out(b->self, "command line: unknown (not installed?)\n");
        return 1;
    }
    sh->out(b->self, "command line:");
    for (size_t i = 0; argv[i] != NULL; i++) {
        sh->out(b->self, " %s", argv[i]);
    }
    sh->out(b->self, "\n");
    b->host->free(b->self, argv);
    return 0;
}

/* The last lines of one of the node's files. */
static int diag_file(struct shoal_command_base *b, const struct shoal_node_info *n,
                     const char *name)
{
    const struct shoal_command_host *sh = b->host->command;
    char *text = NULL;
    int rc = sh->node_tail(b->self, n, name, DIAG_LINES, &text);

    if (rc == -ENOENT) {
        sh->out(b->self, "\n==== no %s in %s\n", name, n->workdir);
        rc = 0;
    } else if (rc < 0) {
        sh->out(b->self, "\n==== %s: cannot be read on %s: %s", name, n->host,
                text != NULL && text[0] != '\0' ? text : "\n");
    } else if (text[0] == '\0') {
        sh->out(b->self, "\n==== %s is empty\n", name);
    } else {
        size_t len = strlen(text);
        sh->out(b->self, "\n==== %s (the last %u lines at most)\n%s%s", name, DIAG_LINES, text,
                text[len - 1] == '\n' ? "" : "\n");
    }
    b->host->free(b->self, text);
    return rc < 0 ? 1 : 0;
}

static int diag_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    int failed = 0;
    size_t n;

    if (!SHOAL_HAS(sh, node_tail)) {
        return 1;
    }
    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        struct shoal_node_status st = {.size = sizeof(st)};

        sh->out(b->self, "%s[%s]\n\n", i > 0 ? "\n" : "", v[i]->name);
        if (sh->node_status(b->self, v[i], &st) < 0) {
            sh->out(b->self, "status: unknown: %s cannot be asked\n", v[i]->host);
            failed = 1;
        } else {
            diag_state(b, v[i], &st);
        }
        failed |= diag_cmdline(b, v[i]);
        failed |= diag_file(b, v[i], "stderr.log");
        failed |= diag_file(b, v[i], "stdout.log");
    }
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops diag_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "diag",
    .synopsis = "[<nodes>]",
    .help = "Outputs diagnostic information for nodes (state, command line, last output).",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = diag_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin diag_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "diag",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "a node's state, command line and last output",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &diag_ops,
};
