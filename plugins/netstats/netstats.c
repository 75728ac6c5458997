/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netstats [<nodes>]: the capture counters of each node that sees packets
 * (workers, a standalone node), in the line format of Zeek's netstats:
 *
 *   worker-1: 1700000000.123456 recvd=1234 dropped=0 link=1234
 *
 * the time the answer came, then from the node's control `counters`:
 * recvd, the frames the packet source handed the node
 * (capture.received); dropped, those the kernel, a ring or a queue lost
 * before it (capture.dropped); link, every frame that was on the link:
 * those two and what the interface itself lost (capture.if_dropped).
 * Managers and proxies see no packets and are left out.  Fails (1) when a
 * node does not run or does not answer, naming it.
 */
#include <stdio.h>

#include <shoal/shoal.h>

/* One node's line from its answer; 0, or 1 after saying why. */
static int netstats_line(struct shoal_command_base *b, const struct shoal_ctl_reply *r, double now)
{
    const struct shoal_command_host *sh = b->host->command;
    uint64_t recvd, dropped, if_dropped;

    if (r->status != 0) {
        sh->out(b->self, "%s: %s\n", r->node->name, shoal_ctl_reply_why(r));
        return 1;
    }
    if (!shoal_ctl_reply_u64(r, "capture.received", &recvd) ||
        !shoal_ctl_reply_u64(r, "capture.dropped", &dropped) ||
        !shoal_ctl_reply_u64(r, "capture.if_dropped", &if_dropped)) {
        sh->out(b->self, "%s: its counters have no capture.received, .dropped, .if_dropped\n",
                r->node->name);
        return 1;
    }
    sh->out(b->self, "%s: %.6f recvd=%llu dropped=%llu link=%llu\n", r->node->name, now,
            (unsigned long long)recvd, (unsigned long long)dropped,
            (unsigned long long)(recvd + dropped + if_dropped));
    return 0;
}

static int netstats_run(void *ps, int argc, char *const *argv)
{
    static const char *const counters[] = {"counters", NULL};
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    struct shoal_ctl_reply *r = NULL;
    int failed = 0;
    double now;
    size_t n;

    if (!SHOAL_HAS(sh, control_running) ||
        sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    n = shoal_nodes_keep_capturing(v, n);
    if (n == 0) {
        sh->out(b->self, "none of these nodes sees packets (netstats is for workers)\n");
    } else if (sh->control_running(b->self, v, n, counters, 0, &r) < 0) {
        failed = 1;
    } else {
        now = b->host->now(b->self);
        for (size_t i = 0; i < n; i++) {
            failed |= netstats_line(b, &r[i], now);
        }
        sh->control_free(b->self, r, n);
    }
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops netstats_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "netstats",
    .synopsis = "[<nodes>]",
    .help = "Queries packet statistics from the workers.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = netstats_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin netstats_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "netstats",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "packets received, dropped and on the link, per worker",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &netstats_ops,
};
