/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * update [<nodes>]: what etc/shoal.cfg now says reaches the running nodes
 * without a restart, as ZeekControl's update does: `install` first (the
 * keys are kept), then each running node is asked over its control port
 * to read its shoal.cfg again ("update").  A node takes the settings it
 * reads each time it uses them -- the connection time-outs and
 * notice.suppress_for -- and names every other changed setting as
 * needing a restart.  Nodes that do not run are left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

/* One node's answer; 0, or 1 when it failed. */
static int update_print(struct shoal_command_base *b, const struct shoal_ctl_reply *r)
{
    const struct shoal_command_host *sh = b->host->command;
    size_t changed = 0;

    if (r->status == -ESRCH) {
        sh->out(b->self, "%s: not running\n", r->node->name);
        return 0;
    }
    if (r->status != 0) {
        sh->out(b->self, "%s: not updated: %s\n", r->node->name, r->error ? r->error : "no reply");
        return 1;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->keys[i], "pending") != 0) {
            changed++;
        }
    }
    sh->out(b->self, "%s: %s\n", r->node->name,
            changed == 0 ? "settings unchanged" : "settings read again");
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->keys[i], "pending") != 0) {
            sh->out(b->self, "    %s: %s\n", r->keys[i], r->values[i]);
        }
    }
    return 0;
}

static int update_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const char *req[] = {"update", NULL};
    const struct shoal_node_info **v;
    struct shoal_ctl_reply *rep = NULL;
    char *install[] = {"install", NULL};
    size_t n;
    int status = 0;

    if (!SHOAL_HAS(sh, control_running)) {
        sh->out(b->self, "update: this shoalctl is too old for the update plugin\n");
        return 1;
    }
    /* The names are checked first; install then reloads the nodes, so they
     * are taken again after it. */
    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    b->host->free(b->self, v);
    if (sh->run_command(b->self, 1, install) != 0) {
        sh->out(b->self, "update: install failed; no node updated\n");
        return 1;
    }
    if (sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    if (sh->control_running(b->self, v, n, req, sh->timeout(b->self, SHOAL_TIMEOUT_CONTROL), &rep) <
        0) {
        b->host->free(b->self, v);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        status |= update_print(b, &rep[i]);
    }
    sh->control_free(b->self, rep, n);
    b->host->free(b->self, v);
    return status;
}

static const struct shoal_command_ops update_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "update",
    .synopsis = "[<nodes>]",
    .help = "Updates the configuration of the running nodes without restarting them.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = update_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin update_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "update",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "pushes shoal.cfg's run-time settings to running nodes",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &update_ops,
};
