/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ps.shoal [<nodes>]: every shoal process on the hosts of the nodes named,
 * as BroControl's ps.bro plugin showed the bro ones, including those this
 * shell does not control: one `ps` per host (no shell), its header once,
 * then ">>> host" and that host's shoal processes, "(+)" before a node's
 * own process (or a child of one), "(-)" before any other.  A plugin of
 * its own with a dotted name, so help lists it under "Commands provided
 * by plugins:".  Fails (1) when ps could not run on a host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/shoal.h>

/* user,pid,ppid first: the fields a line is read by.  No field but the
 * last (the command line) holds a blank. */
#define PS_SHOAL_FORMAT "user,pid,ppid,pcpu,pmem,vsz,rss,tty,stat,start_time,time,args"
#define PS_SHOAL_FIELDS 11 /* before args */
#define PS_SHOAL_PROGRAM "shoal"

/* The pids of the running nodes of host h. */
struct ps_shoal_pids {
    long long *v;
    size_t n;
};

/* Is the line's command a shoal program (its argv[0]'s last part)? Its
 * pid and parent's pid into *pid, *ppid. */
static bool ps_shoal_line(const char *line, size_t len, long long *pid, long long *ppid)
{
    const char *p = line;
    const char *end = line + len;
    const char *prog;
    size_t plen;

    if (sscanf(line, "%*s %lld %lld", pid, ppid) != 2) {
        return false;
    }
    for (int f = 0; f < PS_SHOAL_FIELDS; f++) {
        p += strspn(p, " ");
        p += strcspn(p, " \n");
    }
    p += strspn(p, " ");
    plen = strcspn(p, " \n");
    if (p >= end || p + plen > end) {
        return false;
    }
    prog = p;
    for (const char *c = p; c < p + plen; c++) {
        if (*c == '/') {
            prog = c + 1;
        }
    }
    return (size_t)(p + plen - prog) == strlen(PS_SHOAL_PROGRAM) &&
           strncmp(prog, PS_SHOAL_PROGRAM, strlen(PS_SHOAL_PROGRAM)) == 0;
}

static bool ps_shoal_known(const struct ps_shoal_pids *pids, long long pid)
{
    for (size_t i = 0; i < pids->n; i++) {
        if (pids->v[i] == pid) {
            return true;
        }
    }
    return false;
}

/* ps on one host: the header (the first time), then its shoal lines. */
static int ps_shoal_host(struct shoal_command_base *b, const char *host,
                         const struct ps_shoal_pids *pids, bool *header)
{
    const struct shoal_command_host *sh = b->host->command;
    const char *argv[] = {"ps", "-e", "-ww", "-o", PS_SHOAL_FORMAT, NULL};
    struct shoal_run_result res = {0};
    int rc = sh->run(b->self, host, argv, NULL, sh->timeout(b->self, SHOAL_TIMEOUT_RUN), &res);
    const char *out = res.out;

    if (rc < 0 || res.status != 0) {
        sh->out(b->self, ">>> %s failed (%d): %s", host, rc < 0 ? rc : res.status,
                res.err != NULL ? res.err : "\n");
        b->host->free(b->self, res.out);
        b->host->free(b->self, res.err);
        return 1;
    }
    for (bool first = true; out != NULL && *out != '\0'; first = false) {
        size_t len = strcspn(out, "\n");
        long long pid, ppid;

        if (first && !*header) {
            sh->out(b->self, "       %.*s\n", (int)len, out);
            *header = true;
        }
        if (first) {
            sh->out(b->self, ">>> %s\n", host);
        } else if (ps_shoal_line(out, len, &pid, &ppid)) {
            bool ours = ps_shoal_known(pids, pid) || ps_shoal_known(pids, ppid);
            sh->out(b->self, "   %s %.*s\n", ours ? "(+)" : "(-)", (int)len, out);
        }
        out += len + (out[len] == '\n');
    }
    b->host->free(b->self, res.out);
    b->host->free(b->self, res.err);
    return 0;
}

static int ps_shoal_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    struct ps_shoal_pids pids = {0};
    size_t *group;
    bool header = false;
    int failed = 0;
    size_t n, hosts;

    if (!SHOAL_HAS(sh, node_hosts) || sh->select_nodes(b->self, argc - 1, argv + 1, &v, &n) < 0) {
        return 1;
    }
    group = b->host->alloc(b->self, (n + 1) * sizeof(*group));
    pids.v = b->host->alloc(b->self, (n + 1) * sizeof(*pids.v));
    if (group == NULL || pids.v == NULL) {
        failed = 1;
        goto out_free;
    }
    hosts = sh->node_hosts(b->self, v, n, group);
    for (size_t h = 0; h < hosts; h++) {
        const char *host = NULL;

        pids.n = 0;
        for (size_t i = 0; i < n; i++) {
            struct shoal_node_status st = {.size = sizeof(st)};

            if (group[i] != h) {
                continue;
            }
            host = host != NULL ? host : v[i]->host;
            if (sh->node_status(b->self, v[i], &st) == 0 && st.running && st.pid > 0) {
                pids.v[pids.n++] = st.pid;
            }
        }
        failed |= ps_shoal_host(b, host, &pids, &header);
    }
out_free:
    b->host->free(b->self, pids.v);
    b->host->free(b->self, group);
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops ps_shoal_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "ps.shoal",
    .synopsis = "[<nodes>]",
    .help = "Shows the shoal processes running on the nodes' hosts.",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = ps_shoal_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin ps_shoal_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "ps_shoal",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "the shoal processes on the nodes' hosts, ours marked (+)",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &ps_shoal_ops,
};
