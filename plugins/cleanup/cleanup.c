/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cleanup [--all] [<nodes>]: empty the working directories of the nodes
 * named (all by default), as BroControl cleared their spool directories,
 * so they start afresh: what a node left (its logs not yet sent, its
 * spill file, its stderr) is gone.  A running node is refused, by name,
 * and makes the command fail; a crashed one is marked stopped (status then
 * says so).  --all also forgets what the shell keeps for itself: the files
 * `check` staged and the ssh connections to the hosts with their sockets.
 * Every program runs on the node's host without a shell.
 */
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#define CLEANUP_ALL "--all"

/* Run argv on the node's host; false (said) when it failed. */
static bool cleanup_exec(struct shoal_command_base *b, const struct shoal_node_info *n,
                         const char *const *argv)
{
    const struct shoal_command_host *sh = b->host->command;
    struct shoal_run_result res = {0};
    int rc = sh->run(b->self, n->host, argv, NULL, sh->timeout(b->self, SHOAL_TIMEOUT_RUN), &res);
    bool ok = rc == 0 && res.status == 0;

    if (!ok) {
        sh->out(b->self, "%s: %s on %s failed (%d): %s", n->name, argv[0], n->host,
                rc < 0 ? rc : res.status, res.err != NULL ? res.err : "\n");
    }
    b->host->free(b->self, res.out);
    b->host->free(b->self, res.err);
    return ok;
}

/* One node: refused while it runs; else its workdir emptied (removed and
 * made again) and, had it crashed, marked stopped.  0 or 1 (said why). */
static int cleanup_node(struct shoal_command_base *b, const struct shoal_node_info *n)
{
    const struct shoal_command_host *sh = b->host->command;
    const char *rm[] = {"rm", "-rf", "--", n->workdir, NULL};
    const char *mk[] = {"mkdir", "-p", "-m", "0700", "--", n->workdir, NULL};
    struct shoal_node_status st = {.size = sizeof(st)};
    char err[1024];

    if (sh->node_status(b->self, n, &st) < 0) {
        sh->out(b->self, "%s: its state on %s is unknown; not cleaned up\n", n->name, n->host);
        return 1;
    }
    if (st.running) {
        sh->out(b->self, "%s is still running (pid %lld); not cleaned up: stop it first\n", n->name,
                (long long)st.pid);
        return 1;
    }
    if (n->workdir[0] != '/' || strcmp(n->workdir, "/") == 0) {
        sh->out(b->self, "%s: refusing to empty working directory '%s'\n", n->name, n->workdir);
        return 1;
    }
    sh->out(b->self, "cleaning up %s ...\n", n->name);
    if (!cleanup_exec(b, n, rm) || !cleanup_exec(b, n, mk)) {
        return 1;
    }
    /* An empty workdir has no status word: stop marks the node terminated
     * where its host would read that as a crash. */
    if (sh->node_stop(b->self, n, err, sizeof(err)) < 0) {
        sh->out(b->self, "%s\n", err);
        return 1;
    }
    if (st.crashed) {
        sh->out(b->self, "%s had crashed; now stopped\n", n->name);
    }
    return 0;
}

static int cleanup_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    bool all = argc > 1 && strcmp(argv[1], CLEANUP_ALL) == 0;
    int first = all ? 2 : 1;
    const struct shoal_node_info **v;
    char err[1024];
    int failed = 0;
    size_t n;

    if (!SHOAL_HAS(sh, clean_shell)) {
        return 1;
    }
    if (sh->select_nodes(b->self, argc - first, argv + first, &v, &n) < 0) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        failed |= cleanup_node(b, v[i]);
    }
    b->host->free(b->self, v);
    if (all) {
        sh->out(b->self, "cleaning up the shell's staged files and ssh connections ...\n");
        if (sh->clean_shell(b->self, err, sizeof(err)) < 0) {
            sh->out(b->self, "cleanup: %s\n", err);
            failed = 1;
        }
    }
    return failed;
}

static const char *const cleanup_words[] = {CLEANUP_ALL, NULL};

static const struct shoal_command_ops cleanup_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "cleanup",
    .synopsis = "[--all] [<nodes>]",
    .help = "Deletes the working directories of stopped nodes (--all: also the shell's own).",
    .words = cleanup_words,
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = cleanup_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin cleanup_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "cleanup",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "empties the working directories of stopped nodes",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &cleanup_ops,
};
