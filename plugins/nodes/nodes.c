/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nodes: every node of node.cfg (the installed one once `install` ran)
 * with all it says about it, one line each, as BroControl listed them.
 */
#include <stdio.h>

#include <shoal/shoal.h>

static int nodes_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    size_t n;

    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        char cpu[16] = "";

        if (v[i]->pin_cpu >= 0) {
            snprintf(cpu, sizeof(cpu), "%d", v[i]->pin_cpu);
        }
        sh->out(b->self, "%s - type=%s host=%s%s%s%s%s%s%s workdir=%s\n", v[i]->name, v[i]->type,
                v[i]->host, v[i]->interface != NULL ? " interface=" : "",
                v[i]->interface != NULL ? v[i]->interface : "",
                v[i]->lb_method != NULL ? " lb_method=" : "",
                v[i]->lb_method != NULL ? v[i]->lb_method : "", cpu[0] != '\0' ? " pin_cpu=" : "",
                cpu, v[i]->workdir);
    }
    b->host->free(b->self, v);
    return 0;
}

static const struct shoal_command_ops nodes_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "nodes",
    .synopsis = "[<nodes>]",
    .help = "Prints a list of all configured nodes.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .flags = SHOAL_CMD_NO_LOCK,
    .run = nodes_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin nodes_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "nodes",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "lists the nodes of node.cfg",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &nodes_ops,
};
