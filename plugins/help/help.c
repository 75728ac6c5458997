/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * help (and ?): every command with its synopsis and one line, as
 * BroControl printed them; commands whose names have a dot (ps.shoal)
 * come apart, under "Commands provided by plugins:".  The list is built
 * from the loaded command plugins themselves, so a new plugin shows up
 * without a word changed here.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

/* The lines of one section: commands with (dotted) or without a dot. */
static void help_section(struct shoal_command_base *pl, const struct shoal_command_ops *const *cmds,
                         size_t n, bool dotted)
{
    const struct shoal_command_host *sh = pl->host->command;

    for (size_t i = 0; i < n; i++) {
        const struct shoal_command_ops *c = cmds[i];
        char head[96];

        if ((strchr(c->name, '.') != NULL) != dotted) {
            continue;
        }
        snprintf(head, sizeof(head), "%s %s", c->name, c->synopsis != NULL ? c->synopsis : "");
        sh->out(pl->self, "%-26s- %s\n", head, c->help);
    }
}

static int help_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *pl = ps;
    const struct shoal_command_host *sh = pl->host->command;
    const struct shoal_command_ops *cmds[256];
    size_t n = sh->commands(pl->self, cmds, sizeof(cmds) / sizeof(cmds[0]));
    bool any_dotted = false;

    (void)argc;
    (void)argv;
    for (size_t i = 0; i < n; i++) {
        any_dotted |= strchr(cmds[i]->name, '.') != NULL;
    }
    if (n > sizeof(cmds) / sizeof(cmds[0])) {
        n = sizeof(cmds) / sizeof(cmds[0]);
    }
    sh->out(pl->self, "\nShoalControl Version %s\n\n", sh->version(pl->self));
    help_section(pl, cmds, n, false);
    if (any_dotted) {
        sh->out(pl->self, "\nCommands provided by plugins:\n\n");
        help_section(pl, cmds, n, true);
    }
    sh->out(pl->self, "\n");
    return 0;
}

static const char *const help_aliases[] = {"?", NULL};

static const struct shoal_command_ops help_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "help",
    .aliases = help_aliases,
    .help = "Prints this summary.",
    .flags = SHOAL_CMD_NO_LOCK,
    .run = help_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin help_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "help",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "shoalctl's help: every command and its synopsis",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &help_ops,
};
