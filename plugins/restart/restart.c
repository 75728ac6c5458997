/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * restart [--clean] [<nodes>]: stop the nodes, then start them again, as
 * BroControl did -- through the shell's own `stop` and `start` (and with
 * --clean, `cleanup` between them, so the nodes start with empty working
 * directories).  The nodes are checked first, so a misspelt name stops
 * nothing.  Stops at the first step that fails: a node that could not be
 * stopped is not started again.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#define RESTART_CLEAN "--clean"

/* Run step `cmd` on the node arguments `nodes` (n of them). */
static int restart_step(struct shoal_command_base *b, const char *cmd, int n, char *const *nodes)
{
    const struct shoal_command_host *sh = b->host->command;
    char **v = b->host->alloc(b->self, ((size_t)n + 2) * sizeof(*v));
    int rc;

    if (v == NULL) {
        return 1;
    }
    v[0] = (char *)cmd;
    for (int i = 0; i < n; i++) {
        v[i + 1] = nodes[i];
    }
    rc = sh->run_command(b->self, n + 1, v);
    b->host->free(b->self, v);
    return rc;
}

static int restart_run(void *ps, int argc, char *const *argv)
{
    static const struct {
        const char *cmd;
        const char *what;
        bool clean_only;
    } steps[] = {
        {"stop", "stopping", false},
        {"cleanup", "cleaning up", true},
        {"start", "starting", false},
    };
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    bool clean = argc > 1 && strcmp(argv[1], RESTART_CLEAN) == 0;
    int first = clean ? 2 : 1;
    const struct shoal_node_info **v;
    size_t n;

    if (sh->select_nodes(b->self, argc - first, argv + first, &v, &n) < 0) {
        return 1;
    }
    b->host->free(b->self, v);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        int rc;

        if (steps[i].clean_only && !clean) {
            continue;
        }
        sh->out(b->self, "%s ...\n", steps[i].what);
        rc = restart_step(b, steps[i].cmd, argc - first, argv + first);
        if (rc != 0) {
            sh->out(b->self, "restart: %s failed; not going on\n", steps[i].cmd);
            return 1;
        }
    }
    return 0;
}

static const char *const restart_words[] = {RESTART_CLEAN, NULL};

static const struct shoal_command_ops restart_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "restart",
    .synopsis = "[--clean] [<nodes>]",
    .help = "Stops and then starts the given nodes (--clean: cleans them up in between).",
    .words = restart_words,
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = restart_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin restart_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "restart",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "stops, then starts nodes (cleaning them up in between with --clean)",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &restart_ops,
};
