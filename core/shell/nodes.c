/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The nodes' processes, as the shell drives them.  A node is started with
 * its installed command line and `--daemon` on its host (directly here,
 * over ssh elsewhere): the program returns once the node holds its pid
 * file, then the shell watches its status word until "running".  Its
 * state comes from its lifecycle files (pid file held under flock, status
 * word), read directly here and with `shoal --node-status` elsewhere, so a
 * reused pid never passes for a live node.  Stopping asks the node over
 * its control port, then signals it, SIGKILL last.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/control.h"
#include "node/nodestate.h"
#include "shell/hosts.h"
#include "shell/nodecfg.h"
#include "shell/shell.h"

#define NODES_MAX_ARGS 48
#define NODES_POLL_MS 100

static double nodes_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void nodes_nap(void)
{
    struct timespec t = {0, NODES_POLL_MS * 1000L * 1000L};

    nanosleep(&t, NULL);
}

/* Append `s` to the vector under construction (strings go after the
 * pointers in the same block of `cap` bytes). */
struct nodes_argv {
    char **v;
    size_t n;
    char *next;
    char *end;
};

static int nodes_arg(struct nodes_argv *a, const char *s)
{
    size_t len = strlen(s) + 1;

    if (a->n + 1 >= NODES_MAX_ARGS || (size_t)(a->end - a->next) < len) {
        return -ENOSPC;
    }
    a->v[a->n++] = memcpy(a->next, s, len);
    a->next += len;
    a->v[a->n] = NULL;
    return 0;
}

/* The option that says what the node is to do (see enum shoal_node_cmd). */
static const char *nodes_cmd_option(enum shoal_node_cmd what)
{
    switch (what) {
    case SHOAL_NODE_CMD_CHECK:
        return "--check";
    case SHOAL_NODE_CMD_PLUGINS:
        return "--list-plugins";
    case SHOAL_NODE_CMD_START:
        break;
    }
    return "--daemon";
}

int shoal_shell_node_command(const struct shoal_shell *sh, const struct shoal_node_info *n,
                             enum shoal_node_cmd what, char ***argv)
{
    const struct shoal_nodecfg_node *cn = shoal_nodecfg_find(sh->nodecfg, n->name);
    const char *dir = what == SHOAL_NODE_CMD_CHECK ? "staged" : "installed";
    size_t cap = 16384;
    char path[PATH_MAX + 32];
    struct nodes_argv a;
    int rc = 0;

    *argv = NULL;
    a.v = calloc(1, NODES_MAX_ARGS * sizeof(char *) + cap);
    if (a.v == NULL || cn == NULL) {
        free(a.v);
        return a.v == NULL ? -ENOMEM : -ENOENT;
    }
    a.n = 0;
    a.next = (char *)(a.v + NODES_MAX_ARGS);
    a.end = a.next + cap;
    rc |= nodes_arg(&a, sh->paths.shoal);
    rc |= nodes_arg(&a, "--node");
    rc |= nodes_arg(&a, n->name);
    snprintf(path, sizeof(path), "%s/%s/layout.cfg", sh->paths.spool, dir);
    rc |= nodes_arg(&a, "--layout");
    rc |= nodes_arg(&a, path);
    snprintf(path, sizeof(path), "%s/%s/shoal.cfg", sh->paths.spool, dir);
    rc |= nodes_arg(&a, "-c");
    rc |= nodes_arg(&a, path);
    snprintf(path, sizeof(path), "%s/%s/networks.cfg", sh->paths.spool, dir);
    rc |= nodes_arg(&a, "--networks");
    rc |= nodes_arg(&a, path);
    rc |= nodes_arg(&a, nodes_cmd_option(what));
    for (size_t i = 0; cn->env != NULL && cn->env[i] != NULL; i++) {
        rc |= nodes_arg(&a, "--env");
        rc |= nodes_arg(&a, cn->env[i]);
    }
    if (cn->pin_cpu >= 0) {
        snprintf(path, sizeof(path), "%d", cn->pin_cpu);
        rc |= nodes_arg(&a, "--pin-cpu");
        rc |= nodes_arg(&a, path);
    }
    if (rc != 0) {
        free(a.v);
        return -ENOSPC;
    }
    *argv = a.v;
    return 0;
}

/* "key=value" lines of `shoal --node-status` into st. */
static void nodes_parse_status(const char *text, struct shoal_node_status *st, char *buf,
                               size_t len)
{
    char *copy = strdup(text != NULL ? text : "");
    char *save = NULL;

    for (char *l = copy != NULL ? strtok_r(copy, "\n", &save) : NULL; l != NULL;
         l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, "running=", 8) == 0) {
            st->running = strcmp(l + 8, "yes") == 0;
        } else if (strncmp(l, "pid=", 4) == 0) {
            st->pid = strtoll(l + 4, NULL, 10);
        } else if (strncmp(l, "started=", 8) == 0) {
            st->started = strtod(l + 8, NULL);
        } else if (strncmp(l, "status=", 7) == 0) {
            snprintf(buf, len, "%s", l + 7);
        }
    }
    free(copy);
}

int shoal_shell_node_status(struct shoal_shell *sh, const struct shoal_node_info *n,
                            struct shoal_node_status *st, char *buf, size_t len)
{
    struct shoal_nodestate_info info;
    char layout[PATH_MAX + 32];
    const char *argv[] = {sh->paths.shoal, "--node",        n->name, "--layout",
                          layout,          "--node-status", NULL};
    struct shoal_run_result res = {0};
    int rc = 0;

    memset(st, 0, sizeof(*st));
    st->size = sizeof(*st);
    snprintf(buf, len, "unknown");
    st->status = buf;
    if (shoal_hosts_is_local(n->host)) {
        shoal_nodestate_read(n->workdir, &info);
        st->running = info.running;
        st->pid = info.pid;
        st->started = info.started;
        snprintf(buf, len, "%s", info.status[0] != '\0' ? info.status : "stopped");
    } else {
        snprintf(layout, sizeof(layout), "%s/layout.cfg", sh->paths.installed);
        rc = shoal_hosts_run(sh->hosts, n->host, argv, NULL, sh->timeouts.control, &res);
        if (rc == 0 && res.status == 0) {
            nodes_parse_status(res.out, st, buf, len);
        } else {
            rc = rc < 0 ? rc : -EHOSTUNREACH;
        }
        free(res.out);
        free(res.err);
    }
    st->crashed =
        rc == 0 && !st->running && strcmp(buf, "terminated") != 0 && strcmp(buf, "stopped") != 0;
    return rc;
}

int shoal_shell_node_tail(struct shoal_shell *sh, const struct shoal_node_info *n, const char *name,
                          unsigned lines, char **text)
{
    char path[PATH_MAX + 64];
    char count[16];
    const char *argv[] = {"tail", "-n", count, "--", path, NULL};
    struct shoal_run_result res = {0};
    int rc;

    *text = NULL;
    if (snprintf(path, sizeof(path), "%s/%s", n->workdir, name) >= (int)sizeof(path)) {
        return -ENAMETOOLONG;
    }
    snprintf(count, sizeof(count), "%u", lines);
    rc = shoal_hosts_run(sh->hosts, n->host, argv, NULL, sh->timeouts.run, &res);
    if (rc == 0 && res.status != 0) {
        /* tail says "cannot open '...' for reading: No such file ..." */
        rc = res.err != NULL && strstr(res.err, "No such file") != NULL ? -ENOENT : -EIO;
    }
    if (rc == 0) {
        *text = res.out;
        res.out = NULL;
    } else if (rc != -ENOENT) {
        *text = res.err;
        res.err = NULL;
    }
    free(res.out);
    free(res.err);
    return rc;
}

/* The last lines of the node's stderr.log, into err after `what`. */
static void nodes_stderr_tail(struct shoal_shell *sh, const struct shoal_node_info *n,
                              const char *what, char *err, size_t errlen)
{
    char *text = NULL;

    if (shoal_shell_node_tail(sh, n, "stderr.log", 5, &text) == 0 && text[0] != '\0') {
        snprintf(err, errlen, "%s; %s/stderr.log says:\n%s", what, n->workdir, text);
    } else {
        snprintf(err, errlen, "%s", what);
    }
    free(text);
}

int shoal_shell_node_start(struct shoal_shell *sh, const struct shoal_node_info *n, char *err,
                           size_t errlen)
{
    struct shoal_node_status st;
    char word[32];
    char **argv;
    struct shoal_run_result res = {0};
    double deadline;
    int rc = shoal_shell_node_command(sh, n, SHOAL_NODE_CMD_START, &argv);

    if (rc < 0) {
        snprintf(err, errlen, "%s: no command line: %s", n->name, strerror(-rc));
        return rc;
    }
    rc = shoal_hosts_run(sh->hosts, n->host, (const char *const *)argv, NULL, sh->timeouts.start,
                         &res);
    free(argv);
    if (rc < 0 || res.status != 0) {
        snprintf(err, errlen, "%s: did not start (%d): %.400s", n->name, rc < 0 ? rc : res.status,
                 res.err != NULL ? res.err : "");
        free(res.out);
        free(res.err);
        return rc < 0 ? rc : -EIO;
    }
    free(res.out);
    free(res.err);
    deadline = nodes_now() + sh->timeouts.start;
    for (;;) {
        rc = shoal_shell_node_status(sh, n, &st, word, sizeof(word));
        if (rc == 0 && st.running && strcmp(word, "running") == 0) {
            return 0;
        }
        if (rc == 0 && !st.running) {
            nodes_stderr_tail(sh, n, "it exited", err, errlen);
            return -ECHILD;
        }
        if (nodes_now() >= deadline) {
            char what[160];
            snprintf(what, sizeof(what), "not running after %.0f s (status %s)", sh->timeouts.start,
                     word);
            nodes_stderr_tail(sh, n, what, err, errlen);
            return -ETIMEDOUT;
        }
        nodes_nap();
    }
}

/* Signal the node's pid on its host. */
static int nodes_kill(struct shoal_shell *sh, const struct shoal_node_info *n, int64_t pid, int sig)
{
    char p[32], s[16];
    const char *argv[] = {"kill", s, p, NULL};
    struct shoal_run_result res = {0};
    int rc;

    if (shoal_hosts_is_local(n->host)) {
        return kill((pid_t)pid, sig) == 0 || errno == ESRCH ? 0 : -errno;
    }
    snprintf(p, sizeof(p), "%lld", (long long)pid);
    snprintf(s, sizeof(s), "-%d", sig);
    rc = shoal_hosts_run(sh->hosts, n->host, argv, NULL, sh->timeouts.run, &res);
    free(res.out);
    free(res.err);
    return rc;
}

/* Ask the node to stop over its control port; false when it did not answer. */
static bool nodes_control_stop(struct shoal_shell *sh, const struct shoal_node_info *n)
{
    const struct shoal_node_info *one[] = {n};
    const char *argv[] = {"stop", NULL};
    struct shoal_ctl_reply *r = NULL;
    bool ok;

    if (shoal_shell_control(sh, one, 1, argv, sh->timeouts.control, &r) < 0) {
        return false;
    }
    ok = r[0].status == 0;
    shoal_shell_control_free(r, 1);
    return ok;
}

/* A node that died without saying so: its status word says terminated
 * from now on (status then shows it stopped, not crashed). */
static int nodes_clear(struct shoal_shell *sh, const struct shoal_node_info *n, char *err,
                       size_t errlen)
{
    char layout[PATH_MAX + 32];
    const char *argv[] = {sh->paths.shoal, "--node",       n->name, "--layout",
                          layout,          "--node-clear", NULL};
    struct shoal_run_result res = {0};
    int rc;

    snprintf(layout, sizeof(layout), "%s/layout.cfg", sh->paths.installed);
    rc = shoal_hosts_run(sh->hosts, n->host, argv, NULL, sh->timeouts.run, &res);
    if (rc == 0 && res.status != 0) {
        snprintf(err, errlen, "%s: %.300s", n->name, res.err != NULL ? res.err : "");
        rc = -EIO;
    }
    free(res.out);
    free(res.err);
    return rc;
}

int shoal_shell_node_stop(struct shoal_shell *sh, const struct shoal_node_info *n, char *err,
                          size_t errlen)
{
    struct shoal_node_status st;
    char word[32];
    double deadline;
    bool killed = false;
    int rc = shoal_shell_node_status(sh, n, &st, word, sizeof(word));

    if (rc < 0) {
        snprintf(err, errlen, "%s: its state on %s is unknown: %s", n->name, n->host,
                 strerror(-rc));
        return rc;
    }
    if (!st.running) {
        return st.crashed ? nodes_clear(sh, n, err, errlen) : 0;
    }
    if (!nodes_control_stop(sh, n)) {
        nodes_kill(sh, n, st.pid, SIGTERM);
    }
    deadline = nodes_now() + sh->timeouts.stop;
    for (;;) {
        int64_t pid = st.pid;
        rc = shoal_shell_node_status(sh, n, &st, word, sizeof(word));
        if (rc == 0 && !st.running) {
            return 0;
        }
        if (nodes_now() >= deadline) {
            if (killed) {
                snprintf(err, errlen, "%s: still running as pid %lld after SIGKILL", n->name,
                         (long long)pid);
                return -ETIMEDOUT;
            }
            nodes_kill(sh, n, pid, SIGKILL);
            killed = true;
            deadline = nodes_now() + 5;
        }
        nodes_nap();
    }
}
