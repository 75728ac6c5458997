/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * process <trace> [-o DIR] [-j N] [-- <shoal options>]: analyse a trace
 * offline with the installed configuration, as ZeekControl's process did,
 * and say where the logs are.  etc/ is installed first on this host (the
 * layout, the local networks, the keys: `install` without updating other
 * hosts), so the run reads spool/installed's shoal.cfg and networks.cfg.
 * The logs go to a folder of their own, spool/process/<date-time>/, or
 * to -o DIR.
 *
 * With a standalone node.cfg the trace goes through one `shoal -r`.  With
 * a cluster node.cfg it goes through N workers in parallel on this host
 * -- N the workers node.cfg puts on this host, else as many as it has (at
 * most one per CPU), or -j N -- each keeping its share of the trace by a
 * BPF expression symmetric in the address pair (process_split.h), so no
 * session is cut; a manager of the run's own merges their records into
 * one set of logs, and one proxy holds the shared state when node.cfg has
 * proxies.  That cluster has a layout and keys of its own (the shell's
 * local_cluster) in a .cluster/ folder under the logs, on free ports of
 * 127.0.0.1 above the ephemeral range, and is torn down at the end: its
 * logs hold the same records as one standalone node over the same trace.
 * -j 1 is one standalone node.
 *
 * Progress on a terminal is one line for all workers; at the end, what
 * each node said (its summary), then the folder and its logs.  A ^C (or
 * SIGTERM) stops the workers, then the proxy, then the manager, so the
 * records of what was read are written; the folder is then incomplete.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <shoal/shoal.h>

#include "process_run.h"
#include "process_split.h"

#define PROCESS_USAGE "usage: process <trace> [-o DIR] [-j N] [-- <shoal options>]\n"
/* Arguments after "--" passed on. */
#define PROCESS_MAX_EXTRA 32
/* Ports a run's cluster takes from: above Linux's ephemeral range, which
 * layouts refuse, and away from the base ports tests and installs use. */
#define PROCESS_PORT_LOW 61000
#define PROCESS_PORT_HIGH 65535
/* Seconds a service has to stop (a proxy waits for the manager's acks). */
#define PROCESS_STOP_TIMEOUT 30.0

/* What the command line asks. */
struct process_args {
    const char *trace;
    const char *out_dir; /* -o, or NULL */
    unsigned long jobs;  /* -j, 0: from node.cfg */
    char *const *extra;  /* after "--" */
    int n_extra;
};

/* One run. */
struct process_ctx {
    struct shoal_command_base *b;
    const struct shoal_command_host *sh;
    struct process_args a;
    char trace[PATH_MAX]; /* absolute */
    int dlt;              /* its link type */
    char shoal[PATH_MAX];
    char cfg[PATH_MAX];  /* spool/installed/shoal.cfg */
    char nets[PATH_MAX]; /* spool/installed/networks.cfg */
    char dir[PATH_MAX];  /* where the logs go */
    char cdir[PATH_MAX]; /* the run's cluster: layout, keys, workdirs */
    const char *node;    /* the standalone node's name */
    unsigned workers;
    unsigned proxies;
    struct process_child *c; /* manager, proxies, workers */
    size_t n;
};

static volatile sig_atomic_t process_interrupted;

static void process_on_signal(int sig)
{
    (void)sig;
    process_interrupted = 1;
}

/* Arguments to shoal that would take the input, the share or the logs
 * away from process. */
static bool process_extra_ok(const char *arg)
{
    static const char *const refused[] = {
        "-r",          "-i",       "-f",        "-l",           "-c",         "--read",
        "--interface", "--filter", "--logdir",  "--config",     "--networks", "--node",
        "--layout",    "--daemon", "--control", "--gen-layout",
    };

    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (strncmp(arg, refused[i], strlen(refused[i])) == 0) {
            return false;
        }
    }
    return true;
}

/* Parse argv into *a.  0, or 2 after saying why. */
static int process_parse(struct process_ctx *x, int argc, char *const *argv)
{
    struct process_args *a = &x->a;

    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        char *end;

        if (strcmp(s, "--") == 0) {
            a->extra = argv + i + 1;
            a->n_extra = argc - i - 1;
            break;
        }
        if ((strcmp(s, "-o") == 0 || strcmp(s, "-j") == 0) && i + 1 == argc) {
            x->sh->out(x->b->self, "error: %s needs a value\n" PROCESS_USAGE, s);
            return 2;
        }
        if (strcmp(s, "-o") == 0) {
            a->out_dir = argv[++i];
        } else if (strcmp(s, "-j") == 0) {
            a->jobs = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || a->jobs < 1 || a->jobs > PROCESS_SPLIT_MAX) {
                x->sh->out(x->b->self, "error: -j: want 1..%d workers, got '%s'\n",
                           PROCESS_SPLIT_MAX, argv[i]);
                return 2;
            }
        } else if (s[0] == '-' && s[1] != '\0') {
            x->sh->out(x->b->self, "error: unknown option '%s'\n" PROCESS_USAGE, s);
            return 2;
        } else if (a->trace != NULL) {
            x->sh->out(x->b->self, "error: one trace at a time ('%s', '%s')\n", a->trace, s);
            return 2;
        } else {
            a->trace = s;
        }
    }
    if (a->trace == NULL) {
        x->sh->out(x->b->self, "error: which trace?\n" PROCESS_USAGE);
        return 2;
    }
    if (a->n_extra > PROCESS_MAX_EXTRA) {
        x->sh->out(x->b->self, "error: at most %d options for shoal after --\n", PROCESS_MAX_EXTRA);
        return 2;
    }
    for (int i = 0; i < a->n_extra; i++) {
        if (!process_extra_ok(a->extra[i])) {
            x->sh->out(x->b->self,
                       "error: '%s': process chooses the input, the filter, the settings and "
                       "the log folder itself\n",
                       a->extra[i]);
            return 2;
        }
    }
    return 0;
}

/* The trace: readable, a trace libpcap knows; its absolute path and link
 * type.  0, or 1 after saying why (naming it). */
static int process_trace(struct process_ctx *x)
{
    char err[PATH_MAX + 512];
    struct stat st;

    if (stat(x->a.trace, &st) < 0) {
        x->sh->out(x->b->self, "error: cannot read %s: %s\n", x->a.trace, strerror(errno));
        return 1;
    }
    if (!S_ISREG(st.st_mode)) {
        x->sh->out(x->b->self, "error: cannot read %s: not a file\n", x->a.trace);
        return 1;
    }
    if (realpath(x->a.trace, x->trace) == NULL) {
        x->sh->out(x->b->self, "error: cannot read %s: %s\n", x->a.trace, strerror(errno));
        return 1;
    }
    if (process_split_datalink(x->trace, &x->dlt, err, sizeof(err)) < 0) {
        x->sh->out(x->b->self, "error: %s\n", err);
        return 1;
    }
    return 0;
}

/* etc/ installed here (no other host updated); the paths of the run. */
static int process_install(struct process_ctx *x)
{
    static const enum shoal_install_step steps[] = {
        SHOAL_INSTALL_LAYOUT,
        SHOAL_INSTALL_NETWORKS,
        SHOAL_INSTALL_KEYS,
    };
    const char *spool = x->sh->path(x->b->self, SHOAL_PATH_SPOOL);
    const char *bin = x->sh->path(x->b->self, SHOAL_PATH_BIN);
    char err[1024];

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        if (x->sh->install(x->b->self, steps[i], err, sizeof(err)) < 0) {
            x->sh->out(x->b->self, "error: install: %s\n", err);
            return 1;
        }
    }
    if ((size_t)snprintf(x->shoal, sizeof(x->shoal), "%s/shoal", bin) >= sizeof(x->shoal) ||
        (size_t)snprintf(x->cfg, sizeof(x->cfg), "%s/installed/shoal.cfg", spool) >=
            sizeof(x->cfg) ||
        (size_t)snprintf(x->nets, sizeof(x->nets), "%s/installed/networks.cfg", spool) >=
            sizeof(x->nets)) {
        x->sh->out(x->b->self, "error: %s: path too long\n", spool);
        return 1;
    }
    return 0;
}

/* Is `host` this one (as node.cfg names it)? */
static bool process_host_is_local(const char *host)
{
    char name[256];

    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
           strcmp(host, "::1") == 0 ||
           (gethostname(name, sizeof(name)) == 0 && strcasecmp(name, host) == 0);
}

/* How many workers (and proxies) the run has, from node.cfg or -j. */
static void process_count(struct process_ctx *x)
{
    size_t n = x->sh->node_count(x->b->self);
    unsigned all = 0, here = 0, proxies = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    for (size_t i = 0; i < n; i++) {
        const struct shoal_node_info *ni = x->sh->node(x->b->self, i);

        if (strcmp(ni->type, "worker") == 0) {
            all++;
            here += process_host_is_local(ni->host);
        } else if (strcmp(ni->type, "proxy") == 0) {
            proxies++;
        } else if (strcmp(ni->type, "standalone") == 0) {
            x->node = ni->name;
        }
    }
    if (x->a.jobs > 0) {
        x->workers = (unsigned)x->a.jobs;
    } else if (here > 0) {
        x->workers = here;
    } else if (all > 0) {
        x->workers = cpus > 0 && all > (unsigned long)cpus ? (unsigned)cpus : all;
    } else {
        x->workers = 1;
    }
    x->workers = x->workers > PROCESS_SPLIT_MAX ? PROCESS_SPLIT_MAX : x->workers;
    x->proxies = x->workers > 1 && proxies > 0 ? 1 : 0;
}

/* The folder the logs go to: -o DIR, or a new spool/process/<date-time>. */
static int process_folder(struct process_ctx *x)
{
    const char *spool = x->sh->path(x->b->self, SHOAL_PATH_SPOOL);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    int rc;

    if (x->a.out_dir != NULL) {
        rc = process_mkdirs(x->a.out_dir);
        if (rc == 0 && realpath(x->a.out_dir, x->dir) == NULL) {
            rc = -errno;
        }
        if (rc < 0) {
            x->sh->out(x->b->self, "error: cannot make %s: %s\n", x->a.out_dir, strerror(-rc));
            return 1;
        }
    } else {
        localtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H-%M-%S", &tm);
        snprintf(x->dir, sizeof(x->dir), "%s/process", spool);
        rc = process_mkdirs(x->dir);
        for (int i = 1; rc == 0 && i < 100; i++) {
            /* a second run within the same second gets a suffix */
            snprintf(x->dir, sizeof(x->dir), i == 1 ? "%s/process/%s" : "%s/process/%s-%d", spool,
                     stamp, i);
            rc = mkdir(x->dir, 0755) == 0 ? 1 : errno == EEXIST ? 0 : -errno;
        }
        if (rc <= 0) {
            x->sh->out(x->b->self, "error: cannot make a folder in %s/process: %s\n", spool,
                       strerror(rc < 0 ? -rc : EEXIST));
            return 1;
        }
    }
    if ((size_t)snprintf(x->cdir, sizeof(x->cdir), "%s/.cluster", x->dir) >= sizeof(x->cdir)) {
        x->sh->out(x->b->self, "error: %s: path too long\n", x->dir);
        return 1;
    }
    return 0;
}

/* ---- the cluster of the run ---- */

/* Is TCP port `port` of 127.0.0.1 free to bind? */
static bool process_port_free(unsigned port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

/* The first of `count` free ports in a row, or 0. */
static unsigned process_free_ports(unsigned count)
{
    unsigned span = PROCESS_PORT_HIGH - PROCESS_PORT_LOW + 1 - count;
    unsigned start = (unsigned)(getpid() * 7919u + (unsigned)time(NULL)) % span;

    for (unsigned tries = 0; tries < 64; tries++) {
        unsigned base = PROCESS_PORT_LOW + (start + tries * count) % span;
        unsigned k = 0;

        while (k < count && process_port_free(base + k)) {
            k++;
        }
        if (k == count) {
            return base;
        }
    }
    return 0;
}

/* Append to a NULL-terminated vector (room checked by the callers'
 * sizes). */
static void process_push(const char **v, size_t *n, const char *s)
{
    v[(*n)++] = s;
    v[*n] = NULL;
}

/* The run's layout and keys in cdir, on free ports.  0 or 1. */
static int process_layout(struct process_ctx *x)
{
    unsigned base = process_free_ports(3 + 3 * x->proxies + x->workers);
    char err[512];

    if (base == 0) {
        x->sh->out(x->b->self, "error: no free ports on 127.0.0.1 for the run's nodes\n");
        return 1;
    }
    if (x->sh->local_cluster(x->b->self, x->cdir, x->proxies, x->workers, (uint16_t)base, err,
                             sizeof(err)) < 0) {
        x->sh->out(x->b->self, "error: cannot make the run's layout in %s: %s\n", x->cdir, err);
        return 1;
    }
    return 0;
}

/* Spawn one node of the run: argv is `shoal`, then `head` (NULL-ended),
 * then the extra options when it reads the trace.  0 or 1. */
static int process_start(struct process_ctx *x, struct process_child *c, const char *name,
                         bool service, const char *const *head)
{
    const char *v[32 + PROCESS_MAX_EXTRA];
    size_t n = 0;
    int rc;

    process_push(v, &n, x->shoal);
    for (size_t i = 0; head[i] != NULL; i++) {
        process_push(v, &n, head[i]);
    }
    for (int i = 0; !service && i < x->a.n_extra; i++) {
        process_push(v, &n, x->a.extra[i]);
    }
    rc = process_spawn(c, name, service, v);
    if (rc < 0) {
        x->sh->out(x->b->self, "error: %s: cannot run %s: %s\n", name, x->shoal, strerror(-rc));
        return 1;
    }
    x->n++;
    return 0;
}

/* The manager, the proxy and the workers of the run, all at once (a
 * worker's records wait for the manager in its link).  0 or 1. */
static int process_start_cluster(struct process_ctx *x, char names[][24], char (*filters)[4096])
{
    char layout[PATH_MAX + 16];
    const char *progress = isatty(STDERR_FILENO) ? "--progress" : "--no-progress";

    snprintf(layout, sizeof(layout), "%s/layout.cfg", x->cdir);
    const char *mgr[] = {"--node", "manager", "--layout", layout, "-c", x->cfg, "-l", x->dir, NULL};
    if (process_start(x, &x->c[0], "manager", true, mgr) != 0) {
        return 1;
    }
    for (unsigned i = 0; i < x->proxies; i++) {
        const char *px[] = {"--node", names[1 + i], "--layout", layout, "-c",
                            x->cfg,   "--networks", x->nets,    NULL};
        if (process_start(x, &x->c[1 + i], names[1 + i], true, px) != 0) {
            return 1;
        }
    }
    for (unsigned i = 0; i < x->workers; i++) {
        const char *name = names[1 + x->proxies + i];
        const char *w[] = {"--node", name, "--layout", layout, "-c",       x->cfg,   "--networks",
                           x->nets,  "-r", x->trace,   "-f",   filters[i], progress, NULL};
        if (process_start(x, &x->c[1 + x->proxies + i], name, false, w) != 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- running and reporting ---- */

/* What child c said before it failed. */
static void process_say_failed(struct process_ctx *x, const struct process_child *c)
{
    x->sh->out(x->b->self, "error: %s %s (exit status %d) reading %s%s\n%.*s", c->name,
               c->service ? "exited" : "failed", c->status, x->a.trace,
               c->tail_len > 0 ? "; it said:" : "", (int)c->tail_len, c->tail);
}

/*
 * Wait for the workers (when `started`: every node of the run is), then
 * stop what still runs: workers when one failed, then the services, the
 * proxies first (their last records go to the manager) and the manager
 * last.  Says which node failed.  0 or 1.
 */
static int process_wait(struct process_ctx *x, bool started)
{
    const char *label = isatty(STDERR_FILENO) ? x->a.trace : NULL;
    int rc = started ? process_watch(x->c, x->n, label, &process_interrupted) : -ECANCELED;
    const struct process_child *culprit = NULL;
    int failed = rc < 0;

    for (size_t i = 0; rc == -ECHILD && culprit == NULL && i < x->n; i++) {
        if (x->c[i].pid == 0 && (x->c[i].service || x->c[i].status != 0)) {
            culprit = &x->c[i];
        }
    }
    if (rc == -EINTR) {
        x->sh->out(x->b->self, "interrupted: stopping the nodes\n");
    }
    for (size_t i = 0; rc < 0 && i < x->n; i++) {
        if (!x->c[i].service && x->c[i].pid > 0) {
            process_stop(&x->c[i], PROCESS_STOP_TIMEOUT);
        }
    }
    for (size_t i = x->n; i-- > 0;) {
        if (x->c[i].service && x->c[i].pid > 0 &&
            process_stop(&x->c[i], PROCESS_STOP_TIMEOUT) != 0 && culprit == NULL) {
            culprit = &x->c[i];
        }
    }
    if (culprit != NULL) {
        process_say_failed(x, culprit);
        failed = 1;
    }
    return failed;
}

/* What each node said (the workers first), then where the logs are and
 * which they are. */
static void process_report(struct process_ctx *x)
{
    struct dirent **list = NULL;
    int n = scandir(x->dir, &list, NULL, alphasort);

    for (int services = 0; services < 2; services++) {
        for (size_t i = 0; i < x->n; i++) {
            if (x->c[i].service == (services == 1)) {
                x->sh->out(x->b->self, "%.*s", (int)x->c[i].tail_len, x->c[i].tail);
            }
        }
    }
    x->sh->out(x->b->self, "logs in %s:", x->dir);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(list[i]->d_name);
        if (len > 4 && strcmp(list[i]->d_name + len - 4, ".log") == 0) {
            x->sh->out(x->b->self, " %s", list[i]->d_name);
        }
        free(list[i]);
    }
    free(list);
    x->sh->out(x->b->self, "\n");
}

/* One standalone node over the whole trace.  0 or 1. */
static int process_standalone(struct process_ctx *x)
{
    const char *progress = isatty(STDERR_FILENO) ? "--progress" : "--no-progress";
    const char *head[] = {"-r",   x->trace,     "-l",    x->dir,   "-c",
                          x->cfg, "--networks", x->nets, progress, NULL};

    if (process_start(x, &x->c[0], x->node != NULL ? x->node : "standalone", false, head) != 0) {
        return 1;
    }
    return process_wait(x, true);
}

/* The run's cluster: layout, nodes, teardown.  0 or 1. */
static int process_cluster(struct process_ctx *x)
{
    size_t nodes = 1 + (size_t)x->proxies + x->workers;
    char(*names)[24] = x->b->host->alloc(x->b->self, nodes * sizeof(*names));
    char(*filters)[4096] = x->b->host->alloc(x->b->self, x->workers * sizeof(*filters));
    char err[512];
    int status = 1;

    if (names == NULL || filters == NULL) {
        x->sh->out(x->b->self, "error: out of memory\n");
        goto out_free;
    }
    snprintf(names[0], sizeof(names[0]), "manager");
    for (unsigned i = 0; i < x->proxies; i++) {
        snprintf(names[1 + i], sizeof(names[0]), "proxy-%u", i + 1);
    }
    for (unsigned i = 0; i < x->workers; i++) {
        snprintf(names[1 + x->proxies + i], sizeof(names[0]), "worker-%u", i + 1);
        if (process_split_filter(i, x->workers, x->dlt, filters[i], sizeof(filters[i])) < 0 ||
            !process_split_compiles(x->dlt, filters[i], err, sizeof(err))) {
            x->sh->out(x->b->self,
                       "error: %s: cannot split its link type %d among %u workers%s%s\n",
                       x->a.trace, x->dlt, x->workers, err[0] != '\0' ? ": " : "", err);
            goto out_free;
        }
    }
    if (process_mkdirs(x->cdir) < 0 || process_layout(x) != 0) {
        goto out_rmtree;
    }
    status = process_start_cluster(x, names, filters);
    status = process_wait(x, status == 0) != 0 ? 1 : status;
out_rmtree:
    process_rmtree(x->cdir);
out_free:
    x->b->host->free(x->b->self, names);
    x->b->host->free(x->b->self, filters);
    return status;
}

static int process_run(void *ps, int argc, char *const *argv)
{
    struct process_ctx x = {.b = ps, .sh = ((struct shoal_command_base *)ps)->host->command};
    struct sigaction sa = {.sa_handler = process_on_signal}, old_int, old_term;
    int status;

    if (!SHOAL_HAS(x.sh, local_cluster)) {
        return 1; /* a core older than this command */
    }
    status = process_parse(&x, argc, argv);
    if (status == 0) {
        status = process_trace(&x);
    }
    if (status == 0) {
        status = process_install(&x);
    }
    if (status != 0) {
        return status;
    }
    process_count(&x);
    if (process_folder(&x) != 0) {
        return 1;
    }
    x.c = x.b->host->alloc(x.b->self, (2 + (size_t)x.workers + x.proxies) * sizeof(*x.c));
    if (x.c == NULL) {
        return 1;
    }
    process_interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    status = x.workers > 1 ? process_cluster(&x) : process_standalone(&x);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    for (size_t i = 0; i < x.n; i++) {
        process_child_close(&x.c[i]);
    }
    if (status == 0 && !process_interrupted) {
        process_report(&x);
    } else {
        x.sh->out(x.b->self, "incomplete logs in %s\n", x.dir);
        status = 1;
    }
    x.b->host->free(x.b->self, x.c);
    return status;
}

static const char *const process_words[] = {"-o", "-j", "--", NULL};

static const struct shoal_command_ops process_ops = {
    .size = sizeof(struct shoal_command_ops),
    .name = "process",
    .synopsis = "<trace> [options]",
    .help = "Runs Shoal offline on a given trace file using the same configuration as when "
            "running live (-o DIR, -j N, -- <shoal options>).",
    .words = process_words,
    .complete = SHOAL_CMD_COMPLETE_FILES,
    .run = process_run,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin process_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "process",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_COMMAND,
    .summary = "analyses a trace offline with the installed configuration, in parallel in a "
               "cluster",
    .init = shoal_command_base_init,
    .fini = shoal_command_base_fini,
    .ops = &process_ops,
};
