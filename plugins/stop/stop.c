/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stop: stop the nodes named (all by default) in the reverse of start's
 * order -- workers, proxies, the manager last -- so the workers' last log
 * batches reach a manager still running: "stopping NAME ..." for each.
 * A node is asked over its control port, signalled when it does not
 * answer, and killed after the stop time-out.  Fails (1) when a node
 * could not be stopped.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

static int stop_rank(const char *type)
{
    static const char *const order[] = {"standalone", "worker", "proxy", "manager"};

    for (int i = 0; i < 4; i++) {
        if (strcmp(type, order[i]) == 0) {
            return i;
        }
    }
    return 4;
}

static int stop_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    char err[1024];
    int failed = 0;
    size_t n;

    if (!SHOAL_HAS(sh, node_stop)) {
        return 1;
    }
    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    for (int rank = 0; rank <= 4; rank++) {
        for (size_t i = 0; i < n; i++) {
            struct shoal_node_status st = {.size = sizeof(st)};

            if (stop_rank(v[i]->type) != rank) {
                continue;
            }
            if (sh->node_status(b->self, v[i], &st) == 0 && !st.running) {
                sh->out(b->self, "%s not running%s\n", v[i]->name,
                        st.crashed ? " (was crashed)" : "");
                if (st.crashed && sh->node_stop(b->self, v[i], err, sizeof(err)) < 0) {
                    sh->out(b->self, "%s\n", err);
                    failed = 1;
                }
                continue;
            }
            sh->out(b->self, "stopping %s ...\n", v[i]->name);
            if (sh->node_stop(b->self, v[i], err, sizeof(err)) < 0) {
                sh->out(b->self, "%s\n", err);
                failed = 1;
            }
        }
    }
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops stop_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "stop",
    .synopsis = "[<nodes>]",
    .help = "Stops the given nodes.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = stop_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin stop_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "stop",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "stops nodes: workers, proxies, manager",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &stop_ops,
};
