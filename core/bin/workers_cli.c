/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal -r FILE --workers N: a trace analysed in parallel on this host.  A
 * cluster of the run's own (the shell's local cluster: a layout, fresh
 * keys, free ports of 127.0.0.1 above the ephemeral range, in a temporary
 * folder) gets a manager writing the logs where a standalone run would, a
 * proxy holding the shared state (known hosts, counted once) and N workers
 * reading through the dispatch frontend, while this process is the
 * dispatcher hashing the trace into their rings.  The workers end with the
 * trace, having had their last records acknowledged; the proxy, then the
 * manager are then stopped and the folder removed.  The logs hold the records of one
 * standalone node over the trace.
 */
#include "bin/workers_cli.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/fsutil.h"
#include "node/node.h"
#include "shell/shell.h"

#define WORKERS_PORT_LOW 61000
#define WORKERS_PORT_HIGH 65000
#define WORKERS_ARGS 40

/* Is TCP port `port` of 127.0.0.1 free to bind? */
static bool workers_port_free(unsigned port)
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
static unsigned workers_ports(unsigned count)
{
    unsigned span = WORKERS_PORT_HIGH - WORKERS_PORT_LOW - count;
    unsigned start = (unsigned)getpid() * 7919u;

    for (unsigned tries = 0; tries < 200; tries++) {
        unsigned base = WORKERS_PORT_LOW + (start + tries * count) % span;
        unsigned k = 0;
        while (k < count && workers_port_free(base + k)) {
            k++;
        }
        if (k == count) {
            return base;
        }
    }
    return 0;
}

static void workers_push(const char **v, size_t *n, const char *s)
{
    if (*n < WORKERS_ARGS - 1) {
        v[(*n)++] = s;
        v[*n] = NULL;
    }
}

/* Start `shoal` with v (v[0] set here).  The pid, or -1 (said why). */
static pid_t workers_spawn(const char **v)
{
    static char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    pid_t pid;

    if (n <= 0) {
        fprintf(stderr, "shoal: /proc/self/exe: %s\n", strerror(errno));
        return -1;
    }
    self[n] = '\0';
    v[0] = self;
    pid = fork();
    if (pid == 0) {
        execv(self, (char *const *)v);
        fprintf(stderr, "shoal: cannot run %s: %s\n", self, strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        fprintf(stderr, "shoal: fork: %s\n", strerror(errno));
    }
    return pid;
}

/* The options a node of the run shares with this one. */
static void workers_common(const struct shoal_node_opts *o, const char *layout, const char **v,
                           size_t *n)
{
    workers_push(v, n, "--layout");
    workers_push(v, n, layout);
    if (o->config_file != NULL) {
        workers_push(v, n, "-c");
        workers_push(v, n, o->config_file);
    }
    if (o->networks_file != NULL) {
        workers_push(v, n, "--networks");
        workers_push(v, n, o->networks_file);
    }
    if (o->ignore_checksums) {
        workers_push(v, n, "-C");
    }
    if (o->json) {
        workers_push(v, n, "--json");
    }
}

/* The manager (logs to -l when given), the proxy and the workers.  0, or
 * -1 (said why); pids[0] the manager's, pids[1] the proxy's, pids[2 + i]
 * worker i's, 0 when not started. */
static int workers_start(const struct shoal_node_opts *o, const char *dir, unsigned n, pid_t *pids)
{
    char layout[PATH_MAX], share[64][16], name[64][24];
    const char *v[WORKERS_ARGS] = {NULL};
    size_t k = 1;

    snprintf(layout, sizeof(layout), "%s/layout.cfg", dir);
    workers_push(v, &k, "--node");
    workers_push(v, &k, "manager");
    workers_common(o, layout, v, &k);
    if (o->log_dir != NULL) {
        workers_push(v, &k, "-l");
        workers_push(v, &k, o->log_dir);
    }
    pids[0] = workers_spawn(v);
    if (pids[0] < 0) {
        return -1;
    }
    k = 1;
    workers_push(v, &k, "--node");
    workers_push(v, &k, "proxy-1");
    workers_common(o, layout, v, &k);
    pids[1] = workers_spawn(v);
    if (pids[1] < 0) {
        return -1;
    }
    for (unsigned i = 0; i < n && i < 64; i++) {
        k = 1;
        snprintf(name[i], sizeof(name[i]), "worker-%u", i + 1);
        snprintf(share[i], sizeof(share[i]), "%u/%u", i, n);
        workers_push(v, &k, "--node");
        workers_push(v, &k, name[i]);
        workers_common(o, layout, v, &k);
        const char *rest[] = {
            "-r",     o->read_file, "--frontend", "dispatch",      "--share",
            share[i], "--channel",  dir,          "--no-progress", o->quiet ? "-q" : NULL};
        for (size_t j = 0; j < sizeof(rest) / sizeof(rest[0]) && rest[j] != NULL; j++) {
            workers_push(v, &k, rest[j]);
        }
        pids[2 + i] = workers_spawn(v);
        if (pids[2 + i] < 0) {
            return -1;
        }
    }
    return 0;
}

/* Wait for pid; its exit status (128 + N when killed by signal N). */
static int workers_reap(pid_t pid)
{
    int st = 0;

    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            return 1;
        }
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Stop the manager: SIGTERM, and its status once it is gone. */
static int workers_stop(pid_t pid)
{
    if (pid <= 0) {
        return 0;
    }
    kill(pid, SIGTERM);
    return workers_reap(pid);
}

int shoal_workers_run(struct shoal_node_opts *o, unsigned n)
{
    char dir[] = "/tmp/shoal-run-XXXXXX";
    char err[512] = "";
    pid_t pids[2 + 64] = {0};
    int status = 0;
    unsigned base;

    if (o->read_file == NULL || n < 1 || n > 64) {
        fprintf(stderr, "shoal: --workers N (1 .. 64) reads a trace (-r FILE)\n");
        return 2;
    }
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "shoal: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    base = workers_ports(6 + n);
    if (base == 0 || shoal_shell_local_cluster(dir, 1, n, (uint16_t)base, err, sizeof(err)) < 0) {
        fprintf(stderr, "shoal: cannot make the run's cluster in %s: %s\n", dir,
                base == 0 ? "no free ports on 127.0.0.1" : err);
        status = 1;
        goto out_remove;
    }
    if (workers_start(o, dir, n, pids) < 0) {
        status = 1;
    } else {
        o->dispatcher = true;
        o->nworkers = n;
        o->channel = dir;
        o->frontend = "dispatch";
        status = shoal_node_run(o);
    }
    for (unsigned i = 0; i < n; i++) {
        if (pids[2 + i] > 0) {
            if (status != 0) {
                kill(pids[2 + i], SIGTERM);
            }
            int st = workers_reap(pids[2 + i]);
            status = status == 0 && st != 0 ? st : status;
        }
    }
    for (int i = 1; i >= 0; i--) {
        int st = workers_stop(pids[i]);
        status = status == 0 && st != 0 ? st : status;
    }
out_remove:
    shoal_rmtree(dir, NULL, 0);
    return status;
}
