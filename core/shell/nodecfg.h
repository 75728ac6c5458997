/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * node.cfg, in the format of the Bro/Zeek cluster (an INI file, one
 * section per node):
 *
 *   [manager]            [worker-1]
 *   type=manager         type=worker
 *   host=10.0.0.1        host=10.0.0.2
 *                        interface=eth0
 *                        lb_method=af_packet
 *                        lb_procs=4
 *                        pin_cpus=2,3,4,5
 *                        env_vars=LANG=C, TZ=UTC
 *
 * or a single `type=standalone` section.  Keys: type, host, interface,
 * lb_method, lb_procs, lb_interfaces, pin_cpus, env_vars; anything else is
 * an error.  A worker with lb_procs=N becomes N nodes named <name>-1 ..
 * <name>-N, the i-th pinned to the i-th CPU of pin_cpus.  Every error
 * reads "FILE:LINE: [section] key: reason".  Values are kept as they are;
 * host names, interfaces and environment entries are checked so that none
 * can carry shell syntax, although the shell never passes them through a
 * shell.
 *
 * Loaded objects are immutable; thread-safe on distinct objects.
 */
#ifndef SHOAL_NODECFG_H
#define SHOAL_NODECFG_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster/layout.h"

/* Processes one node.cfg worker may have at most (lb_procs). */
#define SHOAL_NODECFG_MAX_PROCS 256

/* One node after lb_procs expansion. */
struct shoal_nodecfg_node {
    char *name;           /* unique; <section> or <section>-<i> */
    char *section;        /* the section it came from */
    enum shoal_role role; /* manager, proxy, worker or standalone */
    char *host;           /* a host name or an IPv4/IPv6 address */
    char *interface;      /* what it sniffs (workers, standalone), or NULL */
    char *lb_method;      /* a worker's frontend strategy, or NULL */
    unsigned lb_procs;    /* processes of its section (1 without lb_procs) */
    unsigned lb_index;    /* this process's index among them, 0-based */
    char **lb_interfaces; /* NULL-terminated, or NULL */
    int pin_cpu;          /* the CPU it runs on, -1: not pinned */
    char **env;           /* "NAME=value" entries, NULL-terminated, or NULL */
    unsigned line;        /* line of its [section] */
};

struct shoal_nodecfg {
    char *file;
    struct shoal_nodecfg_node *nodes; /* in file order, expanded */
    size_t n;
};

/*
 * Read and check `path`.  0 and *out (free with shoal_nodecfg_free), or a
 * negative errno and a message in err: -ENOENT/-EACCES (cannot open),
 * -EINVAL (bad file, "FILE:LINE: [section] key: reason"), -ENOMEM.
 */
int shoal_nodecfg_load(const char *path, struct shoal_nodecfg **out, char *err, size_t errlen);

/* The same from text in memory; `name` stands for the file in messages. */
int shoal_nodecfg_parse(const char *text, const char *name, struct shoal_nodecfg **out, char *err,
                        size_t errlen);

void shoal_nodecfg_free(struct shoal_nodecfg *c);

/* Is it a cluster (a manager and others), not a single standalone node? */
bool shoal_nodecfg_is_cluster(const struct shoal_nodecfg *c);

/* The node named `name`, or NULL. */
const struct shoal_nodecfg_node *shoal_nodecfg_find(const struct shoal_nodecfg *c,
                                                    const char *name);

/*
 * The nodes that `<nodes>` arguments name, in node.cfg's order, each once:
 * node names, the section name of an expanded worker (all its processes),
 * the groups "manager", "proxies", "workers", "all", or no argument at all
 * (every node).  *out is a malloc'ed vector of *n pointers into c.  Returns
 * 0, -EINVAL for a name that is neither (err: "unknown node 'x'"), -ENOMEM.
 */
int shoal_nodecfg_select(const struct shoal_nodecfg *c, int argc, char *const *argv,
                         const struct shoal_nodecfg_node ***out, size_t *n, char *err,
                         size_t errlen);

#endif
