/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * deploy: what the user changed in etc/ reaches the running cluster in
 * one command, as in ZeekControl: `check`, then `install`, then `restart`
 * of every node, each through the shell's own command.  Stops at the
 * first step that fails, so a configuration that does not check is never
 * installed and nothing is stopped for it.
 */
#include <stdio.h>

#include <shoal/shoal.h>

static int deploy_run(void *ps, int argc, char *const *argv)
{
    static const struct {
        const char *cmd;
        const char *what;
    } steps[] = {
        {"check", "checking configuration"},
        {"install", "installing"},
        {"restart", "restarting"},
    };
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;

    (void)argv;
    if (argc > 1) {
        sh->out(b->self, "deploy takes no arguments\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        char *step[] = {(char *)steps[i].cmd, NULL};

        sh->out(b->self, "%s ...\n", steps[i].what);
        if (sh->run_command(b->self, 1, step) != 0) {
            sh->out(b->self, "deploy: %s failed; not going on\n", steps[i].cmd);
            return 1;
        }
    }
    return 0;
}

static const struct shoal_command_ops deploy_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "deploy",
    .help = "Checks the configuration, installs it and restarts every node.",
    .run = deploy_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin deploy_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "deploy",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "check, install and restart in one command",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &deploy_ops,
};
