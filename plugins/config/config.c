/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config: every setting the shell runs with -- its folders, its time-outs
 * (shoal.cfg's control group), what it knows of the installation -- as
 * "key = value" lines, the keys aligned, as BroControl printed its
 * configuration.  The settings come from the shell itself
 * (host->command->settings), so a new one shows up here unchanged.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

struct config_print {
    struct shoal_command_base *b;
    size_t width; /* of the longest key */
};

static void config_measure(void *arg, const char *key, const char *value)
{
    struct config_print *p = arg;

    (void)value;
    if (strlen(key) > p->width) {
        p->width = strlen(key);
    }
}

static void config_line(void *arg, const char *key, const char *value)
{
    struct config_print *p = arg;

    p->b->host->command->out(p->b->self, "%-*s = %s\n", (int)p->width, key, value);
}

static int config_run(void *ps, int argc, char *const *argv)
{
    struct config_print p = {.b = ps};
    const struct shoal_command_host *sh = p.b->host->command;

    (void)argv;
    if (argc > 1) {
        sh->out(p.b->self, "config takes no arguments\n");
        return 2;
    }
    if (!SHOAL_HAS(sh, settings)) {
        return 1;
    }
    sh->settings(p.b->self, config_measure, &p);
    sh->settings(p.b->self, config_line, &p);
    return 0;
}

static const struct shoal_command_ops config_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "config",
    .help = "Prints all configuration options with their current values.",
    .flags = SHOAL_CMD_NO_LOCK,
    .run = config_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin config_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "config",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "prints every setting the shell runs with",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &config_ops,
};
