/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capstats [<nodes>] [<interval>]: the traffic each monitored interface
 * carries, in packets and Mbit per second over `interval` seconds (10 by
 * default), per host/interface with a total, as BroControl's capstats
 * showed it.  No capstats program: the workers themselves are asked for
 * their `packets` and `bytes` counters at both ends of the interval, and
 * the workers of one host and interface (lb_procs) add up.  The rate is
 * over the time between the two rounds of answers.  Fails (1) when a
 * worker does not run or does not answer either time, naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <shoal/shoal.h>

#define CAPSTATS_DEFAULT 10.0
#define CAPSTATS_MAX 3600.0

/* One host/interface: the sums of its workers' differences. */
struct capstats_row {
    char name[256];
    size_t host; /* the host's index among the distinct hosts */
    const char *interface;
    double packets;
    double bytes;
};

/* The interval of the last argument when it is a number (in *secs, and
 * true), else the default. */
static bool capstats_interval(int argc, char *const *argv, double *secs)
{
    char *end;
    double v;

    *secs = CAPSTATS_DEFAULT;
    if (argc < 2 || argv[argc - 1][0] < '0' || argv[argc - 1][0] > '9') {
        return false;
    }
    v = strtod(argv[argc - 1], &end);
    if (*end != '\0') {
        return false;
    }
    *secs = v;
    return true;
}

static void capstats_sleep(double secs)
{
    struct timespec t = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};

    while (nanosleep(&t, &t) < 0) {
    }
}

/* The row of worker w (made when new); NULL when there are too many. */
static struct capstats_row *capstats_row_of(struct capstats_row *rows, size_t *nrows, size_t max,
                                            const struct shoal_node_info *w, size_t host)
{
    const char *itf = w->interface != NULL ? w->interface : "-";

    for (size_t i = 0; i < *nrows; i++) {
        if (rows[i].host == host && strcmp(rows[i].interface, itf) == 0) {
            return &rows[i];
        }
    }
    if (*nrows == max) {
        return NULL;
    }
    rows[*nrows] = (struct capstats_row){.host = host, .interface = itf};
    snprintf(rows[*nrows].name, sizeof(rows[*nrows].name), "%s/%s", w->host, itf);
    return &rows[(*nrows)++];
}

/* Add worker i's difference to its row; 0, or 1 after saying why. */
static int capstats_add(struct shoal_command_base *b, const struct shoal_ctl_reply *r0,
                        const struct shoal_ctl_reply *r1, struct capstats_row *row)
{
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_ctl_reply *bad = r0->status != 0 ? r0 : r1->status != 0 ? r1 : NULL;
    uint64_t p0, p1, b0, b1;

    if (bad != NULL) {
        sh->out(b->self, "%s: %s\n", bad->node->name, shoal_ctl_reply_why(bad));
        return 1;
    }
    if (!shoal_ctl_reply_u64(r0, "packets", &p0) || !shoal_ctl_reply_u64(r1, "packets", &p1) ||
        !shoal_ctl_reply_u64(r0, "bytes", &b0) || !shoal_ctl_reply_u64(r1, "bytes", &b1)) {
        sh->out(b->self, "%s: its counters have no packets and bytes\n", r0->node->name);
        return 1;
    }
    /* a node restarted in between counts from zero again */
    row->packets += p1 >= p0 ? (double)(p1 - p0) : (double)p1;
    row->bytes += b1 >= b0 ? (double)(b1 - b0) : (double)b1;
    return 0;
}

/* The table: each row, then the total. */
static void capstats_print(struct shoal_command_base *b, const struct capstats_row *rows,
                           size_t nrows, double secs)
{
    const struct shoal_command_host *sh = b->host->command;
    char average[48];
    const char *titles[] = {"Interface", "pkts/s", "Mbit/s", average, NULL};
    struct shoal_table *t;
    struct capstats_row total = {.name = "Total"};

    snprintf(average, sizeof(average), "(%.3g s average)", secs);
    t = sh->table_new(b->self, titles);
    for (size_t i = 0; i <= nrows; i++) {
        const struct capstats_row *row = i < nrows ? &rows[i] : &total;
        char pps[32], mbps[32];

        snprintf(pps, sizeof(pps), "%.1f", row->packets / secs);
        snprintf(mbps, sizeof(mbps), "%.2f", row->bytes * 8 / 1e6 / secs);
        const char *cells[] = {row->name, pps, mbps, NULL};
        sh->table_row(b->self, t, cells);
        total.packets += row->packets;
        total.bytes += row->bytes;
    }
    sh->table_print(b->self, t);
}

/* Ask the workers twice, `secs` apart, and sum up per host/interface. */
static int capstats_measure(struct shoal_command_base *b, const struct shoal_node_info **w,
                            size_t n, double secs)
{
    static const char *const counters[] = {"counters", NULL};
    const struct shoal_command_host *sh = b->host->command;
    struct shoal_ctl_reply *r0 = NULL, *r1 = NULL;
    struct capstats_row *rows = b->host->alloc(b->self, (n + 1) * sizeof(*rows));
    size_t *group = b->host->alloc(b->self, (n + 1) * sizeof(*group));
    size_t nrows = 0;
    double t0, t1;
    int failed = 1;

    if (rows == NULL || group == NULL || sh->control_running(b->self, w, n, counters, 0, &r0) < 0) {
        goto out_free;
    }
    t0 = b->host->now(b->self);
    capstats_sleep(secs);
    if (sh->control_running(b->self, w, n, counters, 0, &r1) < 0) {
        goto out_free;
    }
    t1 = b->host->now(b->self);
    sh->node_hosts(b->self, w, n, group);
    failed = 0;
    for (size_t i = 0; i < n; i++) {
        struct capstats_row *row = capstats_row_of(rows, &nrows, n, w[i], group[i]);
        failed |= row == NULL || capstats_add(b, &r0[i], &r1[i], row);
    }
    capstats_print(b, rows, nrows, t1 > t0 ? t1 - t0 : secs);
out_free:
    if (r0 != NULL) {
        sh->control_free(b->self, r0, n);
    }
    if (r1 != NULL) {
        sh->control_free(b->self, r1, n);
    }
    b->host->free(b->self, group);
    b->host->free(b->self, rows);
    return failed;
}

static int capstats_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const struct shoal_node_info **v;
    bool given;
    double secs;
    int failed = 0;
    size_t n;

    given = capstats_interval(argc, argv, &secs);
    if (!(secs > 0 && secs <= CAPSTATS_MAX)) {
        sh->out(b->self, "capstats: the interval is seconds above 0, at most %.0f: %s\n",
                CAPSTATS_MAX, argv[argc - 1]);
        return 2;
    }
    if (!SHOAL_HAS(sh, control_running) ||
        sh->select_nodes(b->self, argc - 1 - given, argv + 1, &v, &n) < 0) {
        return 1;
    }
    n = shoal_nodes_keep_capturing(v, n);
    if (n == 0) {
        sh->out(b->self, "none of these nodes sees packets (capstats is for workers)\n");
    } else {
        failed = capstats_measure(b, v, n, secs);
    }
    b->host->free(b->self, v);
    return failed;
}

static const struct shoal_command_ops capstats_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "capstats",
    .synopsis = "[<nodes>] [<secs>]",
    .help = "Reports interface statistics: packets and Mbit per second (default 10 s).",
    .complete = SHOAL_CMD_COMPLETE_NODES,
    .run = capstats_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin capstats_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "capstats",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "packets and Mbit per second per host/interface, from the workers",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &capstats_ops,
};
