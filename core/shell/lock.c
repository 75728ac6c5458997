/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shell's lock (see lock.h).
 */
#include "shell/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lib/diag.h"

struct shoal_lock {
    int fd;
};

/* The pid written in the lock file, 0 if none. */
static long lock_holder(int fd)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

    return n > 0 ? strtol(buf, NULL, 10) : 0;
}

int shoal_lock_take(const char *spool, double timeout, struct shoal_lock **out)
{
    char path[PATH_MAX];
    struct timespec nap = {0, 100 * 1000 * 1000};
    double waited = 0;
    bool said = false;
    char pid[32];
    int fd;

    *out = NULL;
    snprintf(path, sizeof(path), "%s/shoalctl.lock", spool);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int rc = -errno;
        shoal_err("shoalctl", "%s: cannot open the lock: %s", path, strerror(errno));
        return rc;
    }
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            int rc = -errno;
            shoal_err("shoalctl", "%s: flock: %s", path, strerror(errno));
            close(fd);
            return rc;
        }
        if (waited >= timeout) {
            shoal_err("shoalctl", "%s: still held by pid %ld after %.0f s: giving up", path,
                      lock_holder(fd), timeout);
            close(fd);
            return -ETIMEDOUT;
        }
        if (!said) {
            fprintf(stderr, "waiting for the lock (held by pid %ld) ...\n", lock_holder(fd));
            said = true;
        }
        nanosleep(&nap, NULL);
        waited += 0.1;
    }
    snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
        /* the pid is only for messages */
    }
    *out = malloc(sizeof(**out));
    if (*out == NULL) {
        close(fd);
        return -ENOMEM;
    }
    (*out)->fd = fd;
    return 0;
}

void shoal_lock_release(struct shoal_lock *l)
{
    if (l == NULL) {
        return;
    }
    if (ftruncate(l->fd, 0) < 0) {
        /* nothing to do about it */
    }
    close(l->fd); /* drops the flock */
    free(l);
}
