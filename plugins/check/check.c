/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check: is what etc/ says now fit to install?  It is staged (spool/
 * staged, no running node touched), then every node named runs its own
 * `shoal --node NAME --check` on its host against the staged files: the
 * layout, its keys, shoal.cfg, the local networks and the plugins it would
 * load with their settings.  "NAME is ok." or what is wrong, per node.
 * Fails (1) when a node is not ok.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

/* One node's own --check on its host. */
static int check_node(struct shoal_command_base *b, const struct shoal_node_info *n)
{
    const struct shoal_command_host *sh = b->host->command;
    struct shoal_run_result res = {0};
    char **argv = NULL;
    int rc = sh->node_argv(b->self, n, true, &argv);

    if (rc == 0) {
        rc = sh->run(b->self, n->host, (const char *const *)argv, NULL, 120, &res);
    }
    if (rc == 0 && res.status == 0) {
        sh->out(b->self, "%s is ok.\n", n->name);
    } else {
        sh->out(b->self, "%s failed.\n%s", n->name, res.err != NULL ? res.err : "");
        rc = 1;
    }
    b->host->free(b->self, argv);
    b->host->free(b->self, res.out);
    b->host->free(b->self, res.err);
    return rc == 0 ? 0 : 1;
}

static int check_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    char err[1024];
    int failed = 0;
    size_t n;

    if (!SHOAL_HAS(sh, install) ||
        sh->install(b->self, SHOAL_INSTALL_STAGE, err, sizeof(err)) < 0) {
        sh->out(b->self, "error: %s\n", err);
        return 1;
    }
    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        failed |= check_node(b, v[i]);
    }
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops check_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "check",
    .synopsis = "[<nodes>]",
    .help = "Checks the configuration for errors before installing it.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = check_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin check_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "check",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "checks etc/ before it is installed, every node with its own --check",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &check_ops,
};
