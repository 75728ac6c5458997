/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * scripts [<nodes>]: what each node runs besides the core -- the plugins
 * it loads (analyzers, policies, frontends: none on the manager) with the
 * settings the installed shoal.cfg gives them -- as BroControl's scripts
 * listed the scripts each node loads.  Each node's own `shoal --node NAME
 * --list-plugins` answers, run on its host against the installed files,
 * so what is shown is what that node's binary and plugin folders would
 * load.  Fails (1) when a node could not tell, naming it.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

/* One node's plugins; 0, or 1 after saying why. */
static int scripts_node(struct shoal_command_base *b, const struct shoal_node_info *n)
{
    const struct shoal_command_host *sh = b->host->command;
    struct shoal_run_result res = {0};
    char **argv = NULL;
    int rc = sh->node_command(b->self, n, SHOAL_NODE_CMD_PLUGINS, &argv);

    if (rc == 0) {
        rc = sh->run(b->self, n->host, (const char *const *)argv, NULL,
                     sh->timeout(b->self, SHOAL_TIMEOUT_RUN), &res);
    }
    sh->out(b->self, "%s\n", n->name);
    if (rc == 0 && res.status == 0) {
        sh->out_lines(b->self, "   ", res.out);
    } else {
        sh->out(b->self, "    %s: cannot list its plugins on %s (%d):\n", n->name, n->host,
                rc < 0 ? rc : res.status);
        sh->out_lines(b->self, "   ", res.err);
    }
    b->host->free(b->self, argv);
    b->host->free(b->self, res.out);
    b->host->free(b->self, res.err);
    return rc == 0 && res.status == 0 ? 0 : 1;
}

static int scripts_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    int failed = 0;
    size_t n;

    if (!SHOAL_HAS(sh, out_lines) || sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        failed |= scripts_node(b, v[i]);
    }
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops scripts_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "scripts",
    .synopsis = "[<nodes>]",
    .help = "Lists the plugins each node loads, with their settings.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = scripts_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin scripts_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "scripts",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "the plugins each node loads, with their settings",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &scripts_ops,
};
