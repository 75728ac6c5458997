/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The children of one `process` run and its folders (see process_run.h).
 */
#include "process_run.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Children watched at once. */
#define RUN_MAX_CHILDREN 320
/* The progress line is drawn at most this often, seconds. */
#define RUN_DRAW_EVERY 0.5

static double run_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* What the child of process_spawn gets, in the memory it shares with the
 * shell until it execs. */
struct run_spawn {
    const char *const *argv;
    int out;       /* its output and errors */
    pid_t parent;  /* the shell */
    sigset_t mask; /* the shell's signal mask, the child's at exec */
    int err;       /* set by the child when it fails */
};

/* Stack of the child until it execs (the shell is suspended meanwhile). */
static char run_stack[128 * 1024] __attribute__((aligned(16)));

/*
 * The child of process_spawn, on run_stack, sharing the shell's memory
 * (clone with CLONE_VM | CLONE_VFORK, as posix_spawn does, so no page
 * table is copied: a fork of the shell cost 20 ms here under load): the
 * shell's signal handlers back to their defaults, its own process group
 * (a ^C on the terminal reaches the shell, which stops the nodes in
 * order), SIGTERM should the shell die, the pipe as its output; then exec.
 * Whatever fails leaves its errno in a->err.
 */
static int run_child(void *arg)
{
    struct run_spawn *a = arg;
    struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
    int fd;

    for (int sig = 1; sig < NSIG; sig++) {
        if (sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_DFL &&
            old.sa_handler != SIG_IGN) {
            sigaction(sig, &dfl, NULL);
        }
    }
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (getppid() != a->parent) {
        a->err = ESRCH;
    } else if (fd < 0 || dup2(fd, 0) < 0 || dup2(a->out, 1) < 0 || dup2(a->out, 2) < 0) {
        a->err = errno;
    } else {
        sigprocmask(SIG_SETMASK, &a->mask, NULL);
        execvp(a->argv[0], (char *const *)a->argv);
        a->err = errno;
    }
    _exit(127);
}

int process_spawn(struct process_child *c, const char *name, bool service, const char *const *argv)
{
    struct run_spawn a = {.argv = argv, .parent = getpid()};
    sigset_t all;
    int p[2];

    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->service = service;
    c->status = -1;
    c->fd = -1;
    if (pipe2(p, O_CLOEXEC) < 0) {
        return -errno;
    }
    a.out = p[1];
    fflush(NULL);
    /* No handler of the shell may run in the child before its own are
     * reset. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &a.mask);
    c->pid = clone(run_child, run_stack + sizeof(run_stack), CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
    if (c->pid < 0) {
        a.err = errno;
    }
    sigprocmask(SIG_SETMASK, &a.mask, NULL);
    close(p[1]);
    if (a.err != 0) {
        if (c->pid > 0) {
            while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR) {
            }
        }
        close(p[0]);
        c->pid = 0;
        c->status = 127;
        return -a.err;
    }
    c->fd = p[0];
    return 0;
}

bool process_parse_progress(const char *line, double *pct, unsigned long long *packets)
{
    const char *p = strstr(line, "%  ");
    const char *q = p;
    char *end;

    if (p == NULL) {
        return false;
    }
    while (q > line && (isdigit((unsigned char)q[-1]) || q[-1] == '.')) {
        q--;
    }
    if (q == p) {
        return false;
    }
    *pct = strtod(q, NULL);
    *packets = strtoull(p + 3, &end, 10);
    return end != p + 3 && strncmp(end, " packets", 8) == 0;
}

/* Keep `line` at the end of c's tail, dropping the oldest bytes when it
 * is full. */
static void run_keep(struct process_child *c, const char *line, size_t len)
{
    if (len + 1 > PROCESS_TAIL) {
        line += len + 1 - PROCESS_TAIL;
        len = PROCESS_TAIL - 1;
    }
    if (c->tail_len + len + 1 > PROCESS_TAIL) {
        size_t drop = c->tail_len + len + 1 - PROCESS_TAIL;
        memmove(c->tail, c->tail + drop, c->tail_len - drop);
        c->tail_len -= drop;
    }
    memcpy(c->tail + c->tail_len, line, len);
    c->tail_len += len;
    c->tail[c->tail_len++] = '\n';
}

/* One line of c's output (without its end): progress, or kept. */
static void run_line(struct process_child *c, bool progress_end)
{
    const char *rest;

    c->line[c->line_len] = '\0';
    if (process_parse_progress(c->line, &c->pct, &c->packets)) {
        /* A progress line is padded with three blanks and not ended: what
         * the node writes next (a warning) may follow on the same line. */
        c->has_progress = true;
        rest = strstr(c->line, "   ");
        rest = rest != NULL ? rest + strspn(rest, " ") : "";
        if (*rest != '\0') {
            run_keep(c, rest, strlen(rest));
        }
    } else if (c->line_len > 0 || !progress_end) {
        run_keep(c, c->line, c->line_len);
    }
    c->line_len = 0;
}

/* Read what c's pipe holds; at end of file close it. */
static void run_read(struct process_child *c)
{
    char buf[4096];
    ssize_t n = read(c->fd, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        if (c->line_len > 0) {
            run_line(c, false);
        }
        close(c->fd);
        c->fd = -1;
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || buf[i] == '\r') {
            run_line(c, buf[i] == '\r');
        } else if (c->line_len + 1 < sizeof(c->line)) {
            c->line[c->line_len++] = buf[i];
        }
    }
}

/* Reap c if it has exited (wait: block until it has). */
static void run_reap(struct process_child *c, bool wait)
{
    int ws;
    pid_t r;

    if (c->pid <= 0) {
        return;
    }
    do {
        r = waitpid(c->pid, &ws, wait ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == c->pid || (r < 0 && errno == ECHILD)) {
        c->status = r < 0             ? 1
                    : WIFEXITED(ws)   ? WEXITSTATUS(ws)
                    : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws)
                                      : 1;
        c->pid = 0;
    }
}

/* Read every open pipe for up to `ms` milliseconds (-1: until one has
 * something). */
static void run_poll(struct process_child *c, size_t n, int ms)
{
    struct pollfd pfd[RUN_MAX_CHILDREN];

    for (size_t i = 0; i < n; i++) {
        pfd[i] = (struct pollfd){.fd = c[i].fd, .events = POLLIN};
    }
    if (poll(pfd, n, ms) <= 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (pfd[i].revents != 0 && c[i].fd >= 0) {
            run_read(&c[i]);
        }
    }
}

/* The combined progress line of the workers. */
static void run_draw(const struct process_child *c, size_t n, const char *label, bool final)
{
    unsigned long long packets = 0;
    double pct = 0;
    size_t workers = 0, seen = 0;

    for (size_t i = 0; i < n; i++) {
        if (!c[i].service) {
            workers++;
            if (c[i].has_progress) {
                seen++;
                pct += c[i].pct;
                packets += c[i].packets;
            }
        }
    }
    if (seen == 0) {
        return;
    }
    fprintf(stderr, "\r%s: %5.1f%%  %llu packets, %zu worker%s%s", label,
            final ? 100.0 : pct / (double)seen, packets, workers, workers == 1 ? "" : "s",
            final ? "\n" : "   ");
}

int process_watch(struct process_child *c, size_t n, const char *label, volatile sig_atomic_t *stop)
{
    double next_draw = run_now() + RUN_DRAW_EVERY;

    if (n > RUN_MAX_CHILDREN) {
        return -E2BIG;
    }
    for (;;) {
        bool running = false;

        for (size_t i = 0; i < n; i++) {
            /* A child's pipe ends when it exits (or closes its output):
             * only then is it reaped. */
            if (c[i].fd < 0) {
                run_reap(&c[i], true);
            }
            if (c[i].pid == 0 && (c[i].service || c[i].status != 0)) {
                return -ECHILD;
            }
            running |= !c[i].service && c[i].pid != 0;
        }
        if (!running) {
            if (label != NULL) {
                run_draw(c, n, label, true);
            }
            return 0;
        }
        if (*stop) {
            return -EINTR;
        }
        if (label != NULL && run_now() >= next_draw) {
            run_draw(c, n, label, false);
            next_draw = run_now() + RUN_DRAW_EVERY;
        }
        run_poll(c, n, label != NULL ? (int)(RUN_DRAW_EVERY * 1000) : -1);
    }
}

int process_stop(struct process_child *c, double timeout)
{
    double deadline = run_now() + timeout;
    bool killed = false;

    if (c->pid > 0) {
        kill(c->pid, SIGTERM);
    }
    while (c->fd >= 0) {
        double left = deadline - run_now();

        if (left <= 0 && !killed) {
            kill(c->pid, SIGKILL);
            killed = true;
        }
        run_poll(c, 1, left > 0 ? (int)(left * 1000) + 1 : 1000);
    }
    if (!killed && c->pid > 0) {
        /* It closed its output but may still be running. */
        run_reap(c, false);
        while (c->pid > 0 && run_now() < deadline) {
            struct timespec t = {0, 20 * 1000 * 1000};
            nanosleep(&t, NULL);
            run_reap(c, false);
        }
        if (c->pid > 0) {
            kill(c->pid, SIGKILL);
        }
    }
    run_reap(c, true);
    return c->status;
}

void process_child_close(struct process_child *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
}

static int run_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int process_rmtree(const char *path)
{
    if (nftw(path, run_rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    return 0;
}

int process_mkdirs(const char *path)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof(buf)) {
        return -ENAMETOOLONG;
    }
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
                return -errno;
            }
            *p = '/';
        }
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -errno : 0;
}
