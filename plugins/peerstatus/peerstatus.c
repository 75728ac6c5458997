/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peerstatus [<nodes>]: whom each running node deals with and how that
 * goes, from its control `peers` -- on a worker its manager ("connected")
 * and each proxy ("up"), on the manager each node it heard from and how
 * long ago -- as a table Name, Peer, Status.  Fails (1) when a node does
 * not run or does not answer, naming it.
 */
#include <stdio.h>

#include <shoal/shoal.h>

static int peerstatus_run(void *ps, int argc, char *const *argv)
{
    static const char *const titles[] = {"Name", "Peer", "Status", NULL};
    static const char *const peers[] = {"peers", NULL};
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    struct shoal_ctl_reply *r = NULL;
    struct shoal_table *t;
    int failed = 0;
    size_t n;

    if (!SHOAL_HAS(sh, control_running) ||
        sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    if (sh->control_running(b->self, v, n, peers, 0, &r) < 0) {
        b->host->free(b->self, v);
        return 1;
    }
    t = sh->table_new(b->self, titles);
    for (size_t i = 0; i < n; i++) {
        if (r[i].status != 0) {
            sh->out(b->self, "%s: %s\n", v[i]->name, shoal_ctl_reply_why(&r[i]));
            failed = 1;
            continue;
        }
        if (r[i].n == 0) {
            const char *row[] = {v[i]->name, "(none)", NULL};
            sh->table_row(b->self, t, row);
        }
        for (size_t k = 0; k < r[i].n; k++) {
            const char *row[] = {v[i]->name, r[i].keys[k], r[i].values[k], NULL};
            sh->table_row(b->self, t, row);
        }
    }
    sh->table_print(b->self, t);
    sh->control_free(b->self, r, n);
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops peerstatus_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "peerstatus",
    .synopsis = "[<nodes>]",
    .help = "Lists the peers of each node and the state of its link to them.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = peerstatus_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin peerstatus_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "peerstatus",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "each node's peers and its links to them",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &peerstatus_ops,
};
