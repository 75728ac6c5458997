/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * networks.cfg, as ZeekControl's: the site's local networks, one per line,
 * a prefix in CIDR notation followed by an optional comment; blank lines
 * and lines starting with '#' are skipped:
 *
 *   10.0.0.0/8          Private IP space
 *   2001:db8::/32       Documentation
 *
 * The shell's `install` hands the file to every node (`shoal --networks
 * FILE`), whose conn.log local_orig/local_resp and policies then use it.
 * Errors read "FILE:LINE: reason".  Loaded objects are immutable.
 */
#ifndef SHOAL_NETWORKS_H
#define SHOAL_NETWORKS_H

#include <stddef.h>

#include "lib/netset.h"

struct shoal_network {
    struct shoal_prefix prefix;
    char *text;    /* the prefix as written */
    char *comment; /* the rest of the line, "" when none */
    unsigned line;
};

struct shoal_networks {
    char *file;
    struct shoal_network *v;
    size_t n;
};

/* Read `path`.  0 and *out (free with shoal_networks_free), or a negative
 * errno with err set: -ENOENT/-EACCES, -EINVAL ("FILE:LINE: reason"),
 * -ENOMEM. */
int shoal_networks_load(const char *path, struct shoal_networks **out, char *err, size_t errlen);

/* The same from text; `name` stands for the file in messages. */
int shoal_networks_parse(const char *text, const char *name, struct shoal_networks **out, char *err,
                         size_t errlen);

void shoal_networks_free(struct shoal_networks *n);

struct shoal_config;

/* Make the prefixes the local networks of `c` (its networks.local),
 * replacing what it had.  0 or -ENOMEM. */
int shoal_networks_apply(const struct shoal_networks *n, struct shoal_config *c);

/* Add every prefix to set `s`.  0 or -ENOMEM. */
int shoal_networks_to_set(const struct shoal_networks *n, struct shoal_netset *s);

#endif
