/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The installation's folders (see paths.h).
 */
#include "shell/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SHOAL_SYSCONFDIR
#define SHOAL_SYSCONFDIR "/usr/local/etc/shoal"
#endif
#ifndef SHOAL_SPOOLDIR
#define SHOAL_SPOOLDIR "/usr/local/spool"
#endif
#ifndef SHOAL_LOGDIR
#define SHOAL_LOGDIR "/usr/local/logs"
#endif

int shoal_path_join(char *buf, size_t len, const char *a, const char *b)
{
    int n = snprintf(buf, len, "%s%s%s", a, b != NULL ? "/" : "", b != NULL ? b : "");

    return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static int paths_set(char *dst, const char *a, const char *b)
{
    return shoal_path_join(dst, PATH_MAX, a, b);
}

/* The folder of the running program. */
static int paths_self(char *dir)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0) {
        return -errno;
    }
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash == NULL) {
        return -ENOENT;
    }
    *slash = '\0';
    return paths_set(dir, exe, NULL);
}

int shoal_paths_init(struct shoal_paths *p, const char *base)
{
    char abs[PATH_MAX];
    int rc;

    memset(p, 0, sizeof(*p));
    if (base != NULL) {
        if (realpath(base, abs) == NULL) {
            return -errno;
        }
        rc = paths_set(p->etc, abs, "etc");
        rc = rc < 0 ? rc : paths_set(p->spool, abs, "spool");
        rc = rc < 0 ? rc : paths_set(p->logs, abs, "logs");
    } else {
        rc = paths_set(p->etc, SHOAL_SYSCONFDIR, NULL);
        rc = rc < 0 ? rc : paths_set(p->spool, SHOAL_SPOOLDIR, NULL);
        rc = rc < 0 ? rc : paths_set(p->logs, SHOAL_LOGDIR, NULL);
    }
    rc = rc < 0 ? rc : paths_set(p->installed, p->spool, "installed");
    rc = rc < 0 ? rc : paths_self(p->bin);
    rc = rc < 0 ? rc : paths_set(p->shoal, p->bin, "shoal");
    return rc;
}
