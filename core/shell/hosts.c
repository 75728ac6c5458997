/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Programs on the nodes' hosts (see hosts.h).  A program runs under
 * posix_spawn with three pipes; one poll loop feeds its input, collects
 * its output (bounded) and kills it at the time-out.  For another host
 * the program is ssh, whose command line is the quoted argv.
 */
#include "shell/hosts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shoal/command.h>

#include "cluster/layout.h"

extern char **environ;

/* Output kept of one stream of a program. */
#define HOSTS_MAX_OUTPUT (4u << 20)
#define HOSTS_SSH_PERSIST "120"

struct shoal_hosts {
    char *control_dir;
    char **masters; /* hosts with a master connection to close */
    size_t nmasters;
};

struct shoal_hosts *shoal_hosts_new(const char *control_dir)
{
    struct shoal_hosts *h = calloc(1, sizeof(*h));

    if (h == NULL || (h->control_dir = strdup(control_dir)) == NULL) {
        free(h);
        return NULL;
    }
    return h;
}

bool shoal_hosts_is_local(const char *host)
{
    char name[HOST_NAME_MAX + 1];

    if (host == NULL || shoal_layout_same_host(host, "localhost")) {
        return true;
    }
    return gethostname(name, sizeof(name)) == 0 && strcasecmp(name, host) == 0;
}

char *shoal_hosts_quote(const char *const *argv)
{
    size_t len = 1;
    char *s;
    char *o;

    for (size_t i = 0; argv[i] != NULL; i++) {
        len += 3;
        for (const char *c = argv[i]; *c != '\0'; c++) {
            len += *c == '\'' ? 4 : 1;
        }
    }
    s = malloc(len);
    if (s == NULL) {
        return NULL;
    }
    o = s;
    for (size_t i = 0; argv[i] != NULL; i++) {
        if (i > 0) {
            *o++ = ' ';
        }
        *o++ = '\'';
        for (const char *c = argv[i]; *c != '\0'; c++) {
            if (*c == '\'') {
                memcpy(o, "'\\''", 4); /* close, an escaped quote, reopen */
                o += 4;
            } else {
                *o++ = *c;
            }
        }
        *o++ = '\'';
    }
    *o = '\0';
    return s;
}

/* ---- running a program ---- */

struct hosts_out {
    char *p;
    size_t n;
    bool truncated;
};

static double hosts_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Read what fd has into o; false at end of file. */
static bool hosts_drain(int fd, struct hosts_out *o)
{
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n <= 0) {
        return n < 0 && (errno == EINTR || errno == EAGAIN);
    }
    if (o->n + (size_t)n > HOSTS_MAX_OUTPUT) {
        o->truncated = true;
        n = (ssize_t)(HOSTS_MAX_OUTPUT - o->n);
    }
    if (n > 0) {
        char *p = realloc(o->p, o->n + (size_t)n + 1);
        if (p == NULL) {
            o->truncated = true;
            return true;
        }
        o->p = p;
        memcpy(o->p + o->n, buf, (size_t)n);
        o->n += (size_t)n;
        o->p[o->n] = '\0';
    }
    return true;
}

/* Spawn argv with its stdin, stdout and stderr on new pipes; the parent's
 * ends go to fds[0..2].  0 or a negative errno. */
static int hosts_spawn_piped(const char *const *argv, pid_t *pid, int fds[3])
{
    posix_spawn_file_actions_t fa;
    int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    int rc;

    for (int i = 0; i < 3; i++) {
        if (pipe2(p[i], O_CLOEXEC) < 0) {
            rc = -errno;
            goto out_close;
        }
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0][0], 0);
    posix_spawn_file_actions_adddup2(&fa, p[1][1], 1);
    posix_spawn_file_actions_adddup2(&fa, p[2][1], 2);
    rc = -posix_spawnp(pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == 0) {
        fds[0] = p[0][1];
        fds[1] = p[1][0];
        fds[2] = p[2][0];
        close(p[0][0]);
        close(p[1][1]);
        close(p[2][1]);
        return 0;
    }
out_close:
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 2; j++) {
            if (p[i][j] >= 0) {
                close(p[i][j]);
            }
        }
    }
    return rc;
}

/* Feed input, collect output, until both outputs end or the time runs
 * out.  Returns true if it ran out. */
static bool hosts_pump(int fds[3], const char *input, double timeout, struct hosts_out out[2])
{
    size_t in_len = input != NULL ? strlen(input) : 0;
    size_t in_off = 0;
    double deadline = timeout > 0 ? hosts_now() + timeout : 0;
    bool open_out[2] = {true, true};

    if (in_len == 0) {
        close(fds[0]);
        fds[0] = -1;
    }
    signal(SIGPIPE, SIG_IGN);
    while (open_out[0] || open_out[1]) {
        struct pollfd pfd[3] = {
            {open_out[0] ? fds[1] : -1, POLLIN, 0},
            {open_out[1] ? fds[2] : -1, POLLIN, 0},
            {fds[0], POLLOUT, 0},
        };
        int wait_ms = -1;
        if (deadline > 0) {
            double left = deadline - hosts_now();
            if (left <= 0) {
                return true;
            }
            wait_ms = (int)(left * 1000) + 1;
        }
        if (poll(pfd, 3, wait_ms) < 0 && errno != EINTR) {
            return false;
        }
        for (int i = 0; i < 2; i++) {
            if (open_out[i] && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                open_out[i] = hosts_drain(fds[1 + i], &out[i]);
            }
        }
        if (fds[0] >= 0 && (pfd[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(fds[0], input + in_off, in_len - in_off);
            in_off += n > 0 ? (size_t)n : 0;
            if (n < 0 || in_off == in_len) {
                close(fds[0]);
                fds[0] = -1;
            }
        }
    }
    return false;
}

/* Run argv here.  See shoal_hosts_run. */
static int hosts_run_local(const char *const *argv, const char *input, double timeout,
                           struct shoal_run_result *res)
{
    struct hosts_out out[2] = {{NULL, 0, false}, {NULL, 0, false}};
    int fds[3] = {-1, -1, -1};
    pid_t pid;
    int wstatus;
    bool killed;
    int rc = hosts_spawn_piped(argv, &pid, fds);

    memset(res, 0, sizeof(*res));
    if (rc < 0) {
        res->status = rc;
        if (asprintf(&res->err, "cannot run %s: %s\n", argv[0], strerror(-rc)) < 0) {
            res->err = NULL;
        }
        return rc;
    }
    killed = hosts_pump(fds, input, timeout, out);
    if (killed) {
        kill(pid, SIGKILL);
    }
    for (int i = 0; i < 3; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    res->status = killed                 ? 124
                  : WIFEXITED(wstatus)   ? WEXITSTATUS(wstatus)
                  : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus)
                                         : 1;
    res->out = out[0].p != NULL ? out[0].p : strdup("");
    res->err = out[1].p != NULL ? out[1].p : strdup("");
    return 0;
}

/* Remember that `host` has a master connection to close at the end. */
static void hosts_note_master(struct shoal_hosts *h, const char *host)
{
    char **v;

    for (size_t i = 0; i < h->nmasters; i++) {
        if (strcmp(h->masters[i], host) == 0) {
            return;
        }
    }
    v = realloc(h->masters, (h->nmasters + 1) * sizeof(*v));
    if (v != NULL) {
        h->masters = v;
        v[h->nmasters] = strdup(host);
        h->nmasters += v[h->nmasters] != NULL;
    }
}

/* ssh and its options (HOSTS_SSH_NOPTS entries into v): BatchMode, and
 * the master connection of the host. */
static void hosts_ssh_opts(const struct shoal_hosts *h, char *control, size_t len, const char **v)
{
    snprintf(control, len, "ControlPath=%s/%%C", h->control_dir);
    v[0] = "ssh";
    v[1] = "-o";
    v[2] = "BatchMode=yes";
    v[3] = "-o";
    v[4] = "ControlMaster=auto";
    v[5] = "-o";
    v[6] = control;
    v[7] = "-o";
    v[8] = "ControlPersist=" HOSTS_SSH_PERSIST;
    v[9] = "-o";
    v[10] = "ConnectTimeout=10";
}
#define HOSTS_SSH_NOPTS 11

int shoal_hosts_run(struct shoal_hosts *h, const char *host, const char *const *argv,
                    const char *input, double timeout, struct shoal_run_result *res)
{
    const char *v[HOSTS_SSH_NOPTS + 4];
    char control[PATH_MAX + 32];
    char *cmd;
    int rc;

    if (shoal_hosts_is_local(host)) {
        return hosts_run_local(argv, input, timeout, res);
    }
    if (host[0] == '-') { /* node.cfg's checks make this impossible */
        memset(res, 0, sizeof(*res));
        res->status = -EINVAL;
        return -EINVAL;
    }
    cmd = shoal_hosts_quote(argv);
    if (cmd == NULL) {
        return -ENOMEM;
    }
    hosts_ssh_opts(h, control, sizeof(control), v);
    v[HOSTS_SSH_NOPTS] = "--";
    v[HOSTS_SSH_NOPTS + 1] = host;
    v[HOSTS_SSH_NOPTS + 2] = cmd;
    v[HOSTS_SSH_NOPTS + 3] = NULL;
    rc = hosts_run_local(v, input, timeout, res);
    free(cmd);
    hosts_note_master(h, host);
    return rc;
}

int shoal_hosts_copy(struct shoal_hosts *h, const char *host, const char *const *paths,
                     const char *dest, char *err, size_t errlen)
{
    const char *ssh[HOSTS_SSH_NOPTS + 1];
    char control[PATH_MAX + 32];
    char *rsh = NULL;
    char target[PATH_MAX + 300];
    const char **v;
    size_t n = 0;
    struct shoal_run_result res = {0};
    bool local = shoal_hosts_is_local(host);
    int rc;

    while (paths[n] != NULL) {
        n++;
    }
    v = calloc(n + 8, sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    size_t k = 0;
    v[k++] = "rsync";
    v[k++] = "-a";
    v[k++] = "--mkpath";
    if (!local) {
        hosts_ssh_opts(h, control, sizeof(control), ssh);
        ssh[HOSTS_SSH_NOPTS] = NULL;
        rsh = shoal_hosts_quote(ssh); /* rsync's -e: one string, split by rsync */
        v[k++] = "-e";
        v[k++] = rsh;
    }
    for (size_t i = 0; i < n; i++) {
        v[k++] = paths[i];
    }
    snprintf(target, sizeof(target), local ? "%s%s/" : "%s:%s/", local ? "" : host, dest);
    v[k++] = target;
    v[k] = NULL;
    rc = rsh == NULL && !local ? -ENOMEM : hosts_run_local(v, NULL, 600, &res);
    if (rc == 0 && res.status != 0) {
        snprintf(err, errlen, "rsync to %s:%s failed (%d): %.300s", host, dest, res.status,
                 res.err != NULL ? res.err : "");
        rc = -EIO;
    } else if (rc < 0) {
        snprintf(err, errlen, "rsync to %s:%s: %s", host, dest, strerror(-rc));
    }
    free(res.out);
    free(res.err);
    free(rsh);
    free(v);
    if (!local) {
        hosts_note_master(h, host);
    }
    return rc;
}

size_t shoal_hosts_group(const char *const *hosts, size_t n, size_t *group)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        bool local = shoal_hosts_is_local(hosts[i]);

        group[i] = k;
        for (size_t j = 0; j < i; j++) {
            if (shoal_layout_same_host(hosts[i], hosts[j]) ||
                (local && shoal_hosts_is_local(hosts[j]))) {
                group[i] = group[j];
                break;
            }
        }
        k += group[i] == k;
    }
    return k;
}

/* Ask each master connection this set opened to exit. */
static void hosts_close_masters(struct shoal_hosts *h)
{
    for (size_t i = 0; i < h->nmasters; i++) {
        const char *v[HOSTS_SSH_NOPTS + 5];
        char control[PATH_MAX + 32];
        struct shoal_run_result res;

        hosts_ssh_opts(h, control, sizeof(control), v);
        v[HOSTS_SSH_NOPTS] = "-O";
        v[HOSTS_SSH_NOPTS + 1] = "exit";
        v[HOSTS_SSH_NOPTS + 2] = "--";
        v[HOSTS_SSH_NOPTS + 3] = h->masters[i];
        v[HOSTS_SSH_NOPTS + 4] = NULL;
        if (hosts_run_local(v, NULL, 5, &res) == 0) {
            free(res.out);
            free(res.err);
        }
        free(h->masters[i]);
    }
    free(h->masters);
    h->masters = NULL;
    h->nmasters = 0;
}

int shoal_hosts_forget(struct shoal_hosts *h, char *err, size_t errlen)
{
    char path[PATH_MAX];
    struct dirent *e;
    DIR *d;
    int rc = 0;

    hosts_close_masters(h);
    d = opendir(h->control_dir);
    if (d == NULL) {
        rc = -errno;
        snprintf(err, errlen, "%s: cannot read: %s", h->control_dir, strerror(errno));
        return rc == -ENOENT ? 0 : rc;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        int len = snprintf(path, sizeof(path), "%s/%s", h->control_dir, e->d_name);

        if (len < 0 || (size_t)len >= sizeof(path)) {
            rc = -ENAMETOOLONG;
            snprintf(err, errlen, "%s/%s: path too long", h->control_dir, e->d_name);
            break;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
            rc = -errno;
            snprintf(err, errlen, "%s: cannot remove: %s", path, strerror(errno));
            break;
        }
    }
    closedir(d);
    return rc;
}

void shoal_hosts_free(struct shoal_hosts *h)
{
    if (h == NULL) {
        return;
    }
    hosts_close_masters(h);
    free(h->control_dir);
    free(h);
}
