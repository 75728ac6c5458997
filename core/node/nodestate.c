/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A node's pid file and status word (see nodestate.h).
 */
#include "node/nodestate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/diag.h"

struct shoal_nodestate {
    char name[128];
    char pid_path[PATH_MAX];
    char status_path[PATH_MAX];
    int pid_fd;
    enum shoal_node_state st;
};

static const char *const nodestate_words[] = {
    [SHOAL_NODE_INITIALIZING] = "initializing",
    [SHOAL_NODE_RUNNING] = "running",
    [SHOAL_NODE_TERMINATING] = "terminating",
    [SHOAL_NODE_TERMINATED] = "terminated",
};

const char *shoal_nodestate_name(enum shoal_node_state st)
{
    return (unsigned)st <= SHOAL_NODE_TERMINATED ? nodestate_words[st] : "?";
}

const char *shoal_nodestate_word(const struct shoal_nodestate *ns)
{
    return ns != NULL ? shoal_nodestate_name(ns->st) : "unknown";
}

/* The pid written in an open pid file, 0 if unreadable. */
static pid_t nodestate_read_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    if (n <= 0) {
        return 0;
    }
    buf[n] = '\0';
    long v = strtol(buf, NULL, 10);
    return v > 0 && v <= INT_MAX ? (pid_t)v : 0;
}

static int nodestate_write_status(struct shoal_nodestate *ns, enum shoal_node_state st)
{
    char tmp[PATH_MAX + 8];
    const char *word = shoal_nodestate_name(st);
    size_t len = strlen(word);
    char line[32];
    int fd, rc = 0;

    snprintf(tmp, sizeof(tmp), "%s.tmp", ns->status_path);
    snprintf(line, sizeof(line), "%s\n", word);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = -errno;
        shoal_err(ns->name, "cannot write the status file %s: %s", tmp, strerror(-rc));
        return rc;
    }
    if (write(fd, line, len + 1) != (ssize_t)(len + 1)) {
        rc = errno ? -errno : -EIO;
    }
    if (close(fd) != 0 && rc == 0) {
        rc = -errno;
    }
    if (rc == 0 && rename(tmp, ns->status_path) != 0) {
        rc = -errno;
    }
    if (rc < 0) {
        shoal_err(ns->name, "cannot write the status file %s: %s", ns->status_path, strerror(-rc));
        unlink(tmp);
    }
    return rc;
}

int shoal_nodestate_open(const char *name, const char *workdir, struct shoal_nodestate **out)
{
    struct shoal_nodestate *ns;
    char line[32];
    int rc, n;

    *out = NULL;
    ns = calloc(1, sizeof(*ns));
    if (ns == NULL) {
        return -ENOMEM;
    }
    ns->pid_fd = -1;
    snprintf(ns->name, sizeof(ns->name), "%s", name);
    if ((size_t)snprintf(ns->pid_path, sizeof(ns->pid_path), "%s/shoal.pid", workdir) >=
            sizeof(ns->pid_path) ||
        (size_t)snprintf(ns->status_path, sizeof(ns->status_path), "%s/status", workdir) >=
            sizeof(ns->status_path)) {
        shoal_err(name, "workdir path too long: %s", workdir);
        rc = -ENAMETOOLONG;
        goto out_free;
    }
    /* A node that stops unlinks the file before releasing its lock: lock
     * what we opened, then check it is still the file at that path. */
    for (int tries = 0;; tries++) {
        struct stat a, b;

        ns->pid_fd = open(ns->pid_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (ns->pid_fd < 0) {
            rc = -errno;
            shoal_err(name, "cannot open the pid file %s: %s", ns->pid_path, strerror(-rc));
            goto out_free;
        }
        if (flock(ns->pid_fd, LOCK_EX | LOCK_NB) != 0) {
            rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
            if (rc == -EBUSY) {
                shoal_err(name, "%s: node already running as pid %ld", ns->pid_path,
                          (long)nodestate_read_pid(ns->pid_fd));
            } else {
                shoal_err(name, "cannot lock the pid file %s: %s", ns->pid_path, strerror(-rc));
            }
            /* Not ours: never remove it. */
            close(ns->pid_fd);
            goto out_free;
        }
        if (fstat(ns->pid_fd, &a) == 0 && stat(ns->pid_path, &b) == 0 && a.st_ino == b.st_ino &&
            a.st_dev == b.st_dev) {
            break;
        }
        close(ns->pid_fd);
        if (tries == 3) {
            rc = -EAGAIN;
            shoal_err(name, "the pid file %s keeps being replaced", ns->pid_path);
            goto out_free;
        }
    }
    n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
    if (ftruncate(ns->pid_fd, 0) != 0 || pwrite(ns->pid_fd, line, (size_t)n, 0) != n) {
        rc = errno ? -errno : -EIO;
        shoal_err(name, "cannot write the pid file %s: %s", ns->pid_path, strerror(-rc));
        goto out_unlink;
    }
    ns->st = SHOAL_NODE_INITIALIZING;
    rc = nodestate_write_status(ns, ns->st);
    if (rc < 0) {
        goto out_unlink;
    }
    *out = ns;
    return 0;

out_unlink:
    unlink(ns->pid_path);
    close(ns->pid_fd);
out_free:
    free(ns);
    return rc;
}

void shoal_nodestate_set(struct shoal_nodestate *ns, enum shoal_node_state st)
{
    if (ns == NULL || ns->st == st) {
        return;
    }
    ns->st = st;
    nodestate_write_status(ns, st);
}

void shoal_nodestate_close(struct shoal_nodestate *ns)
{
    if (ns == NULL) {
        return;
    }
    shoal_nodestate_set(ns, SHOAL_NODE_TERMINATED);
    /* Unlink while holding the lock, so a node starting now makes a new
     * file instead of locking the one going away. */
    if (unlink(ns->pid_path) != 0 && errno != ENOENT) {
        shoal_warn(ns->name, "cannot remove the pid file %s: %s", ns->pid_path, strerror(errno));
    }
    close(ns->pid_fd);
    free(ns);
}

bool shoal_nodestate_running(const char *workdir, pid_t *pid)
{
    char path[PATH_MAX];
    bool live = false;
    int fd;

    if (pid != NULL) {
        *pid = 0;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/shoal.pid", workdir) >= sizeof(path)) {
        return false;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        live = errno == EWOULDBLOCK;
    } else {
        flock(fd, LOCK_UN);
    }
    if (live && pid != NULL) {
        *pid = nodestate_read_pid(fd);
    }
    close(fd);
    return live;
}

void shoal_nodestate_read(const char *workdir, struct shoal_nodestate_info *out)
{
    char path[PATH_MAX];
    struct stat st;
    FILE *f;

    memset(out, 0, sizeof(*out));
    out->running = shoal_nodestate_running(workdir, &out->pid);
    if (out->running &&
        (size_t)snprintf(path, sizeof(path), "%s/shoal.pid", workdir) < sizeof(path) &&
        stat(path, &st) == 0) {
        out->started = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/status", workdir) >= sizeof(path)) {
        return;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    if (fgets(out->status, sizeof(out->status), f) != NULL) {
        out->status[strcspn(out->status, "\n")] = '\0';
    }
    fclose(f);
}

int shoal_nodestate_clear(const char *workdir)
{
    struct shoal_nodestate ns = {.pid_fd = -1};

    if (shoal_nodestate_running(workdir, NULL)) {
        return -EBUSY;
    }
    snprintf(ns.name, sizeof(ns.name), "%s", workdir);
    if ((size_t)snprintf(ns.status_path, sizeof(ns.status_path), "%s/status", workdir) >=
        sizeof(ns.status_path)) {
        return -ENAMETOOLONG;
    }
    return nodestate_write_status(&ns, SHOAL_NODE_TERMINATED);
}
