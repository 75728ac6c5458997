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

/* The first column is at least this wide, wider for a long synopsis. */
#define HELP_MIN_WIDTH 26

/* A command's name and synopsis, as the first column shows them. */
static int help_head(const struct shoal_command_ops *c, char *head, size_t len)
{
    return snprintf(head, len, "%s %s", c->name, c->synopsis != NULL ? c->synopsis : "");
}

/* The lines of one section: commands with (dotted) or without a dot; the
 * first column `width` wide. */
static void help_section(struct shoal_command_base *pl, const struct shoal_command_ops *const *cmds,
                         size_t n, bool dotted, int width)
{
    const struct shoal_command_host *sh = pl->host->command;

    for (size_t i = 0; i < n; i++) {
        const struct shoal_command_ops *c = cmds[i];
        char head[96];

        if ((strchr(c->name, '.') != NULL) != dotted) {
            continue;
        }
        help_head(c, head, sizeof(head));
        sh->out(pl->self, "%-*s- %s\n", width, head, c->help);
    }
}

static int help_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *pl = ps;
    const struct shoal_command_host *sh = pl->host->command;
    const struct shoal_command_ops *cmds[256];
    size_t n = sh->commands(pl->self, cmds, sizeof(cmds) / sizeof(cmds[0]));
    bool any_dotted = false;
    int width = HELP_MIN_WIDTH;

    (void)argc;
    (void)argv;
    if (n > sizeof(cmds) / sizeof(cmds[0])) {
        n = sizeof(cmds) / sizeof(cmds[0]);
    }
    for (size_t i = 0; i < n; i++) {
        char head[96];
        int len = help_head(cmds[i], head, sizeof(head));

        any_dotted |= strchr(cmds[i]->name, '.') != NULL;
        width = len + 1 > width ? len + 1 : width; /* a blank before the dash */
    }
    sh->out(pl->self, "\nShoalControl Version %s\n\n", sh->version(pl->self));
    help_section(pl, cmds, n, false, width);
    if (any_dotted) {
        sh->out(pl->self, "\nCommands provided by plugins:\n\n");
        help_section(pl, cmds, n, true, width);
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
