/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * print <id> [<nodes>]: the value of `id` in each running node, from its
 * control `print ID` -- any item of its status, counters, peers or
 * settings ("packets", "log.format", "conn.max_conns", ...) -- one line
 * per node, the names aligned, as ZeekControl printed a script's value:
 *
 *   manager    log.format = tsv
 *   worker-1   log.format = tsv
 *
 * Fails (1) when a node does not run, does not answer or has no such
 * item, naming it.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

static int print_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    struct shoal_ctl_reply *r = NULL;
    const char *req[3];
    size_t width = 0;
    int failed = 0;
    size_t n;

    if (argc < 2) {
        sh->out(b->self, "print needs the name of a value: print <id> [<nodes>]\n");
        return 2;
    }
    if (!SHOAL_HAS(sh, control_running) ||
        sh->select_nodes(b->self, argc - 2, argv + 2, &v, &n) < 0) {
        return 1;
    }
    req[0] = "print";
    req[1] = argv[1];
    req[2] = NULL;
    if (sh->control_running(b->self, v, n, req, 0, &r) < 0) {
        b->host->free(b->self, v);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        width = strlen(v[i]->name) > width ? strlen(v[i]->name) : width;
    }
    for (size_t i = 0; i < n; i++) {
        const char *value = r[i].status == 0 ? shoal_ctl_reply_get(&r[i], argv[1]) : NULL;

        if (value == NULL) {
            sh->out(b->self, "%-*s   error: %s\n", (int)width, v[i]->name,
                    r[i].status != 0 ? shoal_ctl_reply_why(&r[i]) : "no such value in its answer");
            failed = 1;
            continue;
        }
        sh->out(b->self, "%-*s   %s = %s\n", (int)width, v[i]->name, argv[1], value);
    }
    sh->control_free(b->self, r, n);
    b->host->free(b->self, v);
    return failed;
}

/* Values of the nodes (status: all; counters and settings: workers and
 * proxies), offered for completion. */
static const char *const print_words[] = {"state", "pid",        "uptime",      "role", "packets",
                                          "bytes", "log.format", "config.file", NULL};

static const struct shoal_command_ops print_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "print",
    .synopsis = "<id> [<nodes>]",
    .help = "Prints the current value of an identifier (a counter, a setting) on the nodes.",
    .words = print_words,
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = print_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin print_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "print",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "a value from each running node",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &print_ops,
};
