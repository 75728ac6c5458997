/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exit (and quit): leave the interactive shell.
 */
#include <shoal/shoal.h>

static int exit_run(void *ps, int argc, char *const *argv)
{
    (void)ps;
    (void)argc;
    (void)argv;
    return 0; /* SHOAL_CMD_EXIT: the shell ends after this */
}

static const char *const exit_aliases[] = {"quit", NULL};

static const struct shoal_command_ops exit_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "exit",
    .aliases = exit_aliases,
    .help = "Terminates the shell.",
    .flags = SHOAL_CMD_NO_LOCK | SHOAL_CMD_EXIT,
    .run = exit_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin exit_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "exit",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "leaves shoalctl (exit, quit)",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &exit_ops,
};
