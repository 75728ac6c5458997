/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * start: start the nodes named (all by default), the manager first, then
 * the proxies, then the workers, as BroControl did: "starting NAME ..."
 * for each, waiting until the node says it is running before the next
 * kind starts, so workers find their manager up.  A node already running
 * is left alone.  Fails (1) when a node did not start, saying why (the
 * last lines of its stderr when it died).
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

/* The order nodes start in (stop goes the other way). */
static int start_rank(const char *type)
{
    static const char *const order[] = {"manager", "proxy", "worker", "standalone"};

    for (int i = 0; i < 4; i++) {
        if (strcmp(type, order[i]) == 0) {
            return i;
        }
    }
    return 4;
}

static int start_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    char err[2048];
    int failed = 0;
    size_t n;

    if (!SHOAL_HAS(sh, node_start)) {
        return 1;
    }
    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    for (int rank = 0; rank <= 4; rank++) {
        for (size_t i = 0; i < n; i++) {
            struct shoal_node_status st = {.size = sizeof(st)};

            if (start_rank(v[i]->type) != rank) {
                continue;
            }
            if (sh->node_status(b->self, v[i], &st) == 0 && st.running) {
                sh->out(b->self, "%s still running\n", v[i]->name);
                continue;
            }
            sh->out(b->self, "starting %s ...\n", v[i]->name);
            if (sh->node_start(b->self, v[i], err, sizeof(err)) < 0) {
                sh->out(b->self, "%s did not start: %s\n", v[i]->name, err);
                failed = 1;
            }
        }
    }
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops start_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "start",
    .synopsis = "[<nodes>]",
    .help = "Starts the given nodes.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = start_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin start_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "start",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "starts nodes: manager, proxies, workers",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &start_ops,
};
