/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * install: what etc/ says becomes what the nodes read, step by step as
 * BroControl printed them: the cluster layout from node.cfg, the local
 * networks, the keys (made once, kept across installs), then every node's
 * host updated.  Running nodes go on with what they read at start:
 * `restart` or `deploy` makes them read the new install.
 */
#include <stdio.h>

#include <shoal/shoal.h>

static int install_run(void *ps, int argc, char *const *argv)
{
    static const struct {
        enum shoal_install_step step;
        const char *what;
    } steps[] = {
        {SHOAL_INSTALL_LAYOUT, "generating cluster layout"},
        {SHOAL_INSTALL_NETWORKS, "generating local networks"},
        {SHOAL_INSTALL_KEYS, "generating keys"},
        {SHOAL_INSTALL_HOSTS, "updating nodes"},
    };
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    char err[1024];

    (void)argv;
    if (argc > 1 || !SHOAL_HAS(sh, install)) {
        sh->out(b->self, "install takes no arguments\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        sh->out(b->self, "%s ... ", steps[i].what);
        if (sh->install(b->self, steps[i].step, err, sizeof(err)) < 0) {
            sh->out(b->self, "failed.\nerror: %s\n", err);
            return 1;
        }
        sh->out(b->self, "done.\n");
    }
    return 0;
}

static const struct shoal_command_ops install_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "install",
    .help = "Prepares the configuration for the nodes (layout, networks, keys) and copies it to "
            "their hosts.",
    .run = install_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin install_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "install",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "installs etc/ for the nodes: layout, networks, keys, hosts",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &install_ops,
};
