/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cron [enable|disable|?]: the housekeeping ZeekControl's cron does, meant
 * to be run every few minutes from the system's crontab:
 *   1. every node that crashed (not running, its status word not that of
 *      a node that ended) gets a crash report in spool/crash-reports/
 *      (its stderr's last lines and, when it left a core file, a gdb
 *      backtrace) and is started again;
 *   2. once control.rotate_interval has passed since the last rotation,
 *      the manager rotates its logs (its control command "rotate": each
 *      file closed and renamed between two batches, so no record is lost
 *      or written twice) and each rotated file -- and any file a
 *      restarted manager set aside -- is compressed into
 *      logs/YYYY-MM-DD/STREAM.HH:MM:SS-HH:MM:SS.log.gz, Zeek's archive
 *      names (UTC);
 *   3. archive folders older than control.log_expire_days are removed;
 *   4. a node's disk with less than control.min_disk_percent free is
 *      warned about.
 * `cron disable` turns it into a no-op until `cron enable` (kept in the
 * shell's state across runs); `cron ?` says which.  Programs run on the
 * manager's host are argv vectors (gzip, mv, mkdir, find, df): no shell.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <shoal/shoal.h>

#define CRON_KEY "cron.enabled"
#define CRON_LAST "cron.last_rotation"
#define CRON_TAIL 50

struct cron {
    struct shoal_command_base *b;
    const struct shoal_command_host *sh;
    double now;
    int failed;
};

static void cron_free_res(struct cron *c, struct shoal_run_result *r)
{
    c->b->host->free(c->b->self, r->out);
    c->b->host->free(c->b->self, r->err);
}

/* Run argv on host; 0 when it exited 0, else -1 with its error printed. */
static int cron_exec(struct cron *c, const char *host, const char *const *argv)
{
    struct shoal_run_result r = {0};
    int rc =
        c->sh->run(c->b->self, host, argv, NULL, c->sh->timeout(c->b->self, SHOAL_TIMEOUT_RUN), &r);

    if (rc < 0 || r.status != 0) {
        c->sh->out(c->b->self, "cron: %s on %s failed (status %d)%s", argv[0], host, r.status,
                   r.err != NULL && r.err[0] ? ": " : "\n");
        if (r.err != NULL && r.err[0]) {
            c->sh->out_lines(c->b->self, "", r.err);
        }
        rc = -1;
    }
    cron_free_res(c, &r);
    return rc < 0 ? -1 : 0;
}

/* ---- 1. crashed nodes ---- */

static void cron_crash_report(struct cron *c, const struct shoal_node_info *n)
{
    char dir[4096], path[4200], stamp[32], core[4200];
    const char *spool = c->sh->path(c->b->self, SHOAL_PATH_SPOOL);
    time_t t = (time_t)c->now;
    struct tm tm;
    char *text = NULL;
    FILE *f;

    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H-%M-%S", &tm);
    snprintf(dir, sizeof(dir), "%s/crash-reports", spool);
    const char *mk[] = {"mkdir", "-p", dir, NULL};
    if (cron_exec(c, "localhost", mk) < 0) {
        return;
    }
    snprintf(path, sizeof(path), "%s/%s-%s.txt", dir, n->name, stamp);
    f = fopen(path, "w");
    if (f == NULL) {
        c->sh->out(c->b->self, "cron: cannot write the crash report %s\n", path);
        return;
    }
    fprintf(f, "node %s (%s on %s) crashed; found by cron at %s UTC\n\n-- stderr.log:\n", n->name,
            n->type, n->host, stamp);
    if (c->sh->node_tail(c->b->self, n, "stderr.log", CRON_TAIL, &text) == 0 && text != NULL) {
        fputs(text, f);
    }
    c->b->host->free(c->b->self, text);
    /* A core file in its working folder: the backtrace, read on its host. */
    snprintf(core, sizeof(core), "%s/core", n->workdir);
    const char *test[] = {"test", "-f", core, NULL};
    struct shoal_run_result r = {0};
    if (c->sh->run(c->b->self, n->host, test, NULL, 10, &r) == 0 && r.status == 0) {
        cron_free_res(c, &r);
        char bin[4200];
        snprintf(bin, sizeof(bin), "%s/shoal", c->sh->path(c->b->self, SHOAL_PATH_BIN));
        const char *gdb[] = {"gdb", "-batch", "-ex", "bt", bin, core, NULL};
        memset(&r, 0, sizeof(r));
        c->sh->run(c->b->self, n->host, gdb, NULL, 60, &r);
        fprintf(f, "\n-- gdb backtrace of %s:\n%s%s", core, r.out ? r.out : "",
                r.status != 0 ? "(gdb failed)\n" : "");
    }
    cron_free_res(c, &r);
    fclose(f);
    c->sh->out(c->b->self, "crash report for %s written to %s\n", n->name, path);
}

static void cron_restart_crashed(struct cron *c)
{
    size_t n = c->sh->node_count(c->b->self);

    for (size_t i = 0; i < n; i++) {
        const struct shoal_node_info *node = c->sh->node(c->b->self, i);
        struct shoal_node_status st = {.size = sizeof(st)};
        char err[1024] = "";

        if (c->sh->node_status(c->b->self, node, &st) < 0 || !st.crashed) {
            continue;
        }
        c->sh->out(c->b->self, "%s crashed; restarting ...\n", node->name);
        cron_crash_report(c, node);
        if (c->sh->node_start(c->b->self, node, err, sizeof(err)) < 0) {
            c->sh->out(c->b->self, "cron: %s did not start again: %s\n", node->name, err);
            c->failed = 1;
        }
    }
}

/* ---- 2. rotation and the archive ---- */

/* "conn.2026-12-07-09-00-00_2026-12-07-10-00-00.log" (rotated) or
 * "conn.2026-12-07-09-00-00.log" (set aside): the stream and the stamps
 * (close empty when set aside).  0, or -1 for another name. */
static int cron_parse_name(const char *name, char *stream, size_t slen, char *open, char *close)
{
    const char *dot = strchr(name, '.');
    size_t len = strlen(name);

    if (dot == NULL || (size_t)(dot - name) >= slen || len < 4 ||
        strcmp(name + len - 4, ".log") != 0) {
        return -1;
    }
    const char *st = dot + 1;
    size_t rest = (size_t)(name + len - 4 - st);
    if (rest != 19 && rest != 39 && rest < 21) {
        return -1;
    }
    memcpy(stream, name, (size_t)(dot - name));
    stream[dot - name] = '\0';
    memcpy(open, st, 19);
    open[19] = '\0';
    close[0] = '\0';
    if (rest >= 39 && st[19] == '_') {
        memcpy(close, st + 20, 19);
        close[19] = '\0';
    }
    for (int i = 0; i < 19; i++) {
        if ((i == 4 || i == 7 || i == 10 || i == 13 || i == 16)
                ? open[i] != '-'
                : (open[i] < '0' || open[i] > '9')) {
            return -1;
        }
    }
    return 0;
}

/* Compress dir/name into logs/DATE/STREAM.HH:MM:SS-HH:MM:SS.log.gz on the
 * manager's host. */
static void cron_archive(struct cron *c, const char *host, const char *dir, const char *name)
{
    char stream[256], open[20], close[20], src[4200], gz[4210], day[4200], dst[4500];
    const char *logs = c->sh->path(c->b->self, SHOAL_PATH_LOGS);

    if (cron_parse_name(name, stream, sizeof(stream), open, close) < 0) {
        return;
    }
    if (close[0] == '\0') {
        snprintf(close, sizeof(close), "%s", open); /* set aside: its stamp is when */
    }
    snprintf(src, sizeof(src), "%s/%s", dir, name);
    snprintf(gz, sizeof(gz), "%s.gz", src);
    snprintf(day, sizeof(day), "%s/%.10s", logs, open);
    snprintf(dst, sizeof(dst), "%s/%s.%.2s:%.2s:%.2s-%.2s:%.2s:%.2s.log.gz", day, stream, open + 11,
             open + 14, open + 17, close + 11, close + 14, close + 17);
    const char *mk[] = {"mkdir", "-p", day, NULL};
    const char *zip[] = {"gzip", "-n", "-f", src, NULL};
    const char *mv[] = {"mv", "-f", gz, dst, NULL};
    if (cron_exec(c, host, mk) < 0 || cron_exec(c, host, zip) < 0 || cron_exec(c, host, mv) < 0) {
        c->failed = 1;
        return;
    }
    c->sh->out(c->b->self, "archived %s as %s\n", src, dst);
}

/* The files of the manager's log folder that are not current: rotated or
 * set aside ones, archived. */
static void cron_archive_all(struct cron *c, const struct shoal_node_info *m, const char *dir)
{
    const char *find[] = {
        "find",    dir,    "-maxdepth", "1",
        "-type",   "f",    "-name",     "*.[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-*.log",
        "-printf", "%f\n", NULL};
    struct shoal_run_result r = {0};

    if (c->sh->run(c->b->self, m->host, find, NULL, c->sh->timeout(c->b->self, SHOAL_TIMEOUT_RUN),
                   &r) == 0 &&
        r.status == 0 && r.out != NULL) {
        for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            cron_archive(c, m->host, dir, line);
        }
    }
    cron_free_res(c, &r);
}

static const struct shoal_node_info *cron_manager(struct cron *c)
{
    size_t n = c->sh->node_count(c->b->self);

    for (size_t i = 0; i < n; i++) {
        const struct shoal_node_info *node = c->sh->node(c->b->self, i);
        if (strcmp(node->type, "manager") == 0 || strcmp(node->type, "standalone") == 0) {
            return node;
        }
    }
    return NULL;
}

static void cron_rotate(struct cron *c)
{
    const struct shoal_node_info *m = cron_manager(c);
    const char *last = c->sh->state_get(c->b->self, CRON_LAST);
    double interval = c->sh->control_setting(c->b->self, "rotate_interval");
    const char *argv[] = {"rotate", NULL};
    struct shoal_ctl_reply *rep = NULL;
    char dir[4096] = "", when[32];

    if (m == NULL || strcmp(m->type, "manager") != 0) {
        return; /* a standalone node writes its logs itself */
    }
    if (last != NULL && isfinite(interval) && c->now - strtod(last, NULL) < interval) {
        return;
    }
    if (c->sh->control_running(c->b->self, &m, 1, argv,
                               c->sh->timeout(c->b->self, SHOAL_TIMEOUT_CONTROL), &rep) < 0) {
        return;
    }
    if (rep[0].status != 0) {
        c->sh->out(c->b->self, "cron: %s did not rotate its logs: %s\n", m->name,
                   rep[0].error != NULL ? rep[0].error : "no reply");
        c->failed = rep[0].status != -ESRCH;
    } else {
        for (size_t i = 0; i < rep[0].n; i++) {
            if (strcmp(rep[0].keys[i], "log_dir") == 0) {
                snprintf(dir, sizeof(dir), "%s", rep[0].values[i]);
            }
        }
        snprintf(when, sizeof(when), "%.0f", c->now);
        c->sh->state_set(c->b->self, CRON_LAST, when);
    }
    c->sh->control_free(c->b->self, rep, 1);
    if (dir[0] != '\0') {
        cron_archive_all(c, m, dir);
    }
}

/* ---- 3. expiry, 4. disk ---- */

static void cron_expire(struct cron *c)
{
    const struct shoal_node_info *m = cron_manager(c);
    double days = c->sh->control_setting(c->b->self, "log_expire_days");
    char mtime[32];

    if (m == NULL || !isfinite(days) || days <= 0) {
        return;
    }
    snprintf(mtime, sizeof(mtime), "+%.0f", days - 1 < 0 ? 0 : days - 1);
    const char *find[] = {"find",      c->sh->path(c->b->self, SHOAL_PATH_LOGS),
                          "-mindepth", "1",
                          "-maxdepth", "1",
                          "-type",     "d",
                          "-name",     "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
                          "-mtime",    mtime,
                          "-exec",     "rm",
                          "-rf",       "{}",
                          "+",         NULL};
    if (cron_exec(c, m->host, find) < 0) {
        c->failed = 1;
    }
}

static void cron_disk(struct cron *c)
{
    double min = c->sh->control_setting(c->b->self, "min_disk_percent");
    size_t n = c->sh->node_count(c->b->self);

    if (!isfinite(min) || min <= 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct shoal_node_info *node = c->sh->node(c->b->self, i);
        const char *df[] = {"df", "-P", node->workdir, NULL};
        struct shoal_run_result r = {0};
        unsigned long long blocks, used, avail;
        char *line;

        if (c->sh->run(c->b->self, node->host, df, NULL, 10, &r) == 0 && r.status == 0 &&
            r.out != NULL && (line = strchr(r.out, '\n')) != NULL &&
            sscanf(line + 1, "%*s %llu %llu %llu", &blocks, &used, &avail) == 3 && blocks > 0 &&
            100.0 * (double)avail / (double)blocks < min) {
            c->sh->out(
                c->b->self, "warning: %s: %s on %s has %.1f%% of its disk free (below %g%%)\n",
                node->name, node->workdir, node->host, 100.0 * (double)avail / (double)blocks, min);
        }
        cron_free_res(c, &r);
    }
}

static int cron_run(void *ps, int argc, char *const *argv)
{
    struct shoal_command_base *b = ps;
    const struct shoal_command_host *sh = b->host->command;
    const char *on = sh->state_get(b->self, CRON_KEY);
    bool enabled = on == NULL || strcmp(on, "0") != 0;
    struct cron c = {.b = b, .sh = sh, .now = (double)time(NULL)};

    if (!SHOAL_HAS(sh, control_setting)) {
        sh->out(b->self, "cron: this shoalctl is too old for the cron plugin\n");
        return 1;
    }
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "enable") != 0 &&
                     strcmp(argv[1], "disable") != 0 && strcmp(argv[1], "?") != 0)) {
        sh->out(b->self, "usage: cron [enable|disable|?]\n");
        return 1;
    }
    if (argc == 2 && strcmp(argv[1], "?") == 0) {
        sh->out(b->self, "cron is %s\n", enabled ? "enabled" : "disabled");
        return 0;
    }
    if (argc == 2) {
        bool want = strcmp(argv[1], "enable") == 0;
        if (sh->state_set(b->self, CRON_KEY, want ? "1" : "0") < 0) {
            return 1;
        }
        sh->out(b->self, "cron %s\n", want ? "enabled" : "disabled");
        return 0;
    }
    if (!enabled) {
        sh->out(b->self, "cron is disabled\n");
        return 0;
    }
    cron_restart_crashed(&c);
    cron_rotate(&c);
    cron_expire(&c);
    cron_disk(&c);
    return c.failed;
}

static const char *const cron_words[] = {"enable", "disable", "?", NULL};

static const struct shoal_command_ops cron_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "cron",
    .synopsis = "[enable|disable|?]",
    .help = "Performs housekeeping tasks, including log rotation.",
    .words = cron_words,
    .run = cron_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin cron_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "cron",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "restarts crashed nodes, rotates and archives the logs, expires old ones, "
               "watches the disks",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &cron_ops,
};
