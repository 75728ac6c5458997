/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where an installation keeps things, as ZeekControl users know them:
 *   etc/    node.cfg, shoal.cfg, networks.cfg (the user's)
 *   spool/  one working directory per node; installed/ (what install
 *           made of etc: the layout, the keys, the copies the nodes read);
 *           the shell's own state, lock, history and ssh sockets
 *   logs/   the current logs and the archive by date
 * and where the programs are (the folder of shoalctl itself, so an
 * installation can be moved or run from a build tree).  By default the
 * folders configure chose; `shoalctl --base DIR` (or $SHOALCTL_BASE) puts
 * all three under DIR instead.
 */
#ifndef SHOAL_PATHS_H
#define SHOAL_PATHS_H

#include <limits.h>
#include <stddef.h>

struct shoal_paths {
    char etc[PATH_MAX];
    char spool[PATH_MAX];
    char logs[PATH_MAX];
    char installed[PATH_MAX]; /* <spool>/installed */
    char bin[PATH_MAX];       /* the folder of the running program */
    char shoal[PATH_MAX];     /* the node program: <bin>/shoal */
};

/*
 * Fill *p: under `base` when not NULL (made absolute), else the compiled
 * folders.  Returns 0 or a negative errno (a path too long, or the
 * program's own folder unknown).
 */
int shoal_paths_init(struct shoal_paths *p, const char *base);

/* "a/b" into buf.  0, or -ENAMETOOLONG when it does not fit. */
int shoal_path_join(char *buf, size_t len, const char *a, const char *b);

#endif
