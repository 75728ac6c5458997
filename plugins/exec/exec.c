/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exec <command line>: run a shell command line once on every host that
 * runs a node, as BroControl's exec did, each line of its output (standard
 * output, then standard error) prefixed "[node/host]" with the first node
 * of that host.  The user asks for a shell here: the line goes to `sh -c`
 * on the host as one argument (over ssh quoted, so the remote shell hands
 * it to sh whole).  The words of the line are joined with single blanks.
 * Fails (1) when the line failed (or could not run) on any host.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

/* The words after the command's name, joined with blanks (host->free). */
static char *exec_join(struct shoal_command_base *b, int argc, char *const *argv)
{
    size_t len = 1;
    char *line;

    for (int i = 1; i < argc; i++) {
        len += strlen(argv[i]) + 1;
    }
    line = b->host->alloc(b->self, len);
    for (int i = 1; line != NULL && i < argc; i++) {
        if (i > 1) {
            strcat(line, " ");
        }
        strcat(line, argv[i]);
    }
    return line;
}

/* The line on node n's host; 0, or 1 when it failed there. */
static int exec_host(struct shoal_command_base *b, const struct shoal_node_info *n,
                     const char *line)
{
    const struct shoal_command_host *sh = b->host->command;
    const char *argv[] = {"sh", "-c", line, NULL};
    struct shoal_run_result res = {0};
    char prefix[256];
    int rc = sh->run(b->self, n->host, argv, NULL, sh->timeout(b->self, SHOAL_TIMEOUT_RUN), &res);

    snprintf(prefix, sizeof(prefix), "[%s/%s]", n->name, n->host);
    sh->out_lines(b->self, prefix, res.out);
    sh->out_lines(b->self, prefix, res.err);
    if (rc == 0 && res.status != 0) {
        sh->out(b->self, "%s exit status %d\n", prefix, res.status);
    }
    b->host->free(b->self, res.out);
    b->host->free(b->self, res.err);
    return rc == 0 && res.status == 0 ? 0 : 1;
}

static int exec_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    size_t *group = NULL;
    char *line = NULL;
    int failed = 0;
    size_t n, hosts;

    if (argc < 2) {
        sh->out(b->self, "exec needs a command line: exec <command line>\n");
        return 2;
    }
    if (!SHOAL_HAS(sh, out_lines) || sh->select_nodes(b->self, 0, NULL, &v, &n) < 0) {
        return 1;
    }
    group = b->host->alloc(b->self, (n + 1) * sizeof(*group));
    line = exec_join(b, argc, argv);
    if (group == NULL || line == NULL) {
        failed = 1;
        goto out_free;
    }
    hosts = sh->node_hosts(b->self, v, n, group);
    for (size_t h = 0; h < hosts; h++) {
        size_t i = 0;

        while (group[i] != h) {
            i++; /* the first node of host h */
        }
        failed |= exec_host(b, v[i], line);
    }
out_free:
    b->host->free(b->self, line);
    b->host->free(b->self, group);
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops exec_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "exec",
    .synopsis = "<command line>",
    .help = "Executes a shell command on every host that runs a node.",
    .complete = SHOAL_CMD_COMPLETE_FILES,
    .run = exec_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin exec_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "exec",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "a shell command line on every host of the cluster",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &exec_ops,
};
