/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster layout: the generated file (libconfig syntax) that tells every
 * node of a cluster who it is and where everybody else is.  It lists each
 * node with its name, role, host, the fixed ports of the ZeroMQ channels it
 * binds, its working directory, the path of its CURVE secret key file and,
 * for workers, how it captures packets (interface, BPF filter, frontend).
 * `shoalctl install` writes it from node.cfg (shoal_layout_generate, then
 * shoal_layout_write); `shoal --node NAME --layout FILE` reads it
 * (shoal_layout_load) and finds itself with shoal_layout_find.
 *
 * Ports are part of the layout and never chosen at run time: the generator
 * numbers them from a base port (27760 by default, Zeek's broker range) in a
 * fixed order (manager, proxies, workers), and validation refuses ports below
 * 1024, in Linux's ephemeral range (32768-60999, where the kernel picks
 * outgoing ports and a bind could collide), and the same host:port twice.
 * Every error of a loaded file reads "FILE:LINE: path: reason".
 *
 * Which node binds which channel (all others connect):
 *   manager:    log (logs in), notice (notices in), control
 *   proxy:      state_in (worker -> proxy), state_pub (proxy -> workers), control
 *   worker:     control
 *   standalone: control
 *
 * A loaded layout is immutable and owned by the caller (shoal_layout_free);
 * all functions are thread-safe on distinct layouts, and read-only ones
 * (find, next, count, endpoints) may be called from any thread at once.
 */
#ifndef SHOAL_LAYOUT_H
#define SHOAL_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Version of the layout file format written and accepted (`version = 1;`). */
#define SHOAL_LAYOUT_VERSION 1

/* Default first port of a generated layout (Zeek's broker range). */
#define SHOAL_LAYOUT_BASE_PORT 27760

/* Ports the layout refuses: below 1024, and Linux's default ephemeral range. */
#define SHOAL_LAYOUT_PORT_MIN 1024
#define SHOAL_LAYOUT_EPHEMERAL_LOW 32768
#define SHOAL_LAYOUT_EPHEMERAL_HIGH 60999

/* Longest node name (names are used in file names and log fields). */
#define SHOAL_LAYOUT_NAME_MAX 63

enum shoal_role {
    SHOAL_ROLE_MANAGER = 0,
    SHOAL_ROLE_PROXY = 1,
    SHOAL_ROLE_WORKER = 2,
    SHOAL_ROLE_STANDALONE = 3,
};
#define SHOAL_ROLE_COUNT 4

/* A channel a node may bind; the names in the file are those of
 * shoal_layout_channel_name ("log", "notice", "control", "state_in",
 * "state_pub"). */
enum shoal_channel {
    SHOAL_CHANNEL_LOG = 0,       /* manager: PULL/ROUTER, log batches in */
    SHOAL_CHANNEL_NOTICE = 1,    /* manager: unused (notices ride the log channel); kept so
                                  * layout files of 0.1 still read */
    SHOAL_CHANNEL_CONTROL = 2,   /* every node: request/reply from the shell */
    SHOAL_CHANNEL_STATE_IN = 3,  /* proxy: shared-state updates from workers */
    SHOAL_CHANNEL_STATE_PUB = 4, /* proxy: shared state published to workers */
};
#define SHOAL_CHANNEL_COUNT 5

struct shoal_layout_node {
    char *name;           /* unique; [A-Za-z0-9][A-Za-z0-9._-]*, at most 63 bytes */
    enum shoal_role role; /* what the node does */
    char *host;           /* host name or address (IPv4 or IPv6 literal, no brackets) */
    char *workdir;        /* absolute: status, pid file, spill files, ipc sockets */
    char *secret_key;     /* absolute path of the CURVE key pair file; NULL for standalone */

    /* Port of each channel the node binds, 0 for the channels it does not. */
    uint16_t ports[SHOAL_CHANNEL_COUNT];

    /* Packet capture, as ZeekControl's node.cfg (workers and standalone only;
     * NULL / 0 when absent). */
    char *interface;   /* capture interface (absent: given on the command line) */
    char *filter;      /* BPF expression applied to the interface */
    char *lb_method;   /* frontend (load-balancing) plugin name, e.g. "af_packet" */
    unsigned lb_procs; /* processes sharing the interface through the frontend, 1 if absent */

    /* Where each part was read from (0 when generated or written by hand in
     * code): lines of the node's group, name, host and each port. */
    struct {
        unsigned node;
        unsigned name;
        unsigned host;
        unsigned workdir;
        unsigned ports[SHOAL_CHANNEL_COUNT];
    } line;
};

struct shoal_layout {
    char *file;         /* path it was read from, NULL when generated */
    char *cluster;      /* cluster name ("shoal" if absent), used in logs and status */
    bool use_ipc;       /* peers on the same host connect over ipc:// (see endpoints) */
    char *allowed_keys; /* absolute path of the allowed-public-keys file; NULL if standalone */
    struct shoal_layout_node *nodes; /* in file order */
    size_t n_nodes;

    /* Lines of the nodes list and of cluster.allowed_keys (0 if none). */
    struct {
        unsigned nodes;
        unsigned allowed_keys;
    } line;
};

/*
 * Read and validate the layout file `path`.  On success *out is a new layout
 * (free with shoal_layout_free) and 0 is returned.  On error returns a
 * negative errno (-EINVAL for a bad file, -ENOENT/-EACCES if it cannot be
 * opened, -ENOMEM), *out is NULL and err holds "FILE:LINE: path: reason"
 * (or "FILE: reason" when there is no line).  Refused: syntax errors,
 * unknown groups and keys, wrong types, unknown roles, bad names or hosts,
 * relative paths, a duplicate name, a duplicate host:port (also within a
 * node), a port < 1024 or in 32768-60999 or > 65535, a missing or extra
 * channel port for the node's role, capture settings on a manager or proxy,
 * no manager or two (unless the single node is standalone), ipc socket
 * paths longer than a sockaddr_un holds.  Thread-safe.
 */
int shoal_layout_load(const char *path, struct shoal_layout **out, char *err, size_t errlen);

/* Free a layout and everything it owns.  NULL is accepted. */
void shoal_layout_free(struct shoal_layout *layout);

/*
 * Validate a layout built in memory (the checks of shoal_layout_load that
 * do not concern syntax).  Errors name the file and line when the layout
 * came from a file, "layout: nodes[i].key: reason" otherwise.  Returns 0 or
 * -EINVAL.
 */
int shoal_layout_check(const struct shoal_layout *layout, char *err, size_t errlen);

/* The node called `name`, or NULL.  The pointer lives as long as the layout. */
const struct shoal_layout_node *shoal_layout_find(const struct shoal_layout *layout,
                                                  const char *name);

/*
 * Iterate over the nodes of one role in file order: start with prev = NULL,
 * then pass the node returned last; NULL at the end.  Example:
 *   for (n = shoal_layout_next(l, SHOAL_ROLE_WORKER, NULL); n != NULL;
 *        n = shoal_layout_next(l, SHOAL_ROLE_WORKER, n))
 */
const struct shoal_layout_node *shoal_layout_next(const struct shoal_layout *layout,
                                                  enum shoal_role role,
                                                  const struct shoal_layout_node *prev);

/* Number of nodes of a role. */
size_t shoal_layout_count(const struct shoal_layout *layout, enum shoal_role role);

/* The manager (or the standalone node of a one-node layout), or NULL. */
const struct shoal_layout_node *shoal_layout_manager(const struct shoal_layout *layout);

/* "manager", "proxy", "worker", "standalone"; "?" for a bad value. */
const char *shoal_layout_role_name(enum shoal_role role);

/* "log", "notice", "control", "state_in", "state_pub"; "?" for a bad value. */
const char *shoal_layout_channel_name(enum shoal_channel ch);

/* True if `name` is a valid node name: [A-Za-z0-9][A-Za-z0-9._-]*, at most
 * SHOAL_LAYOUT_NAME_MAX bytes (names become file names). */
bool shoal_layout_name_ok(const char *name);

/* Parse a role name; 0 or -EINVAL. */
int shoal_layout_role_parse(const char *s, enum shoal_role *role);

/* True if the role binds channel ch (the table at the top of this file). */
bool shoal_layout_role_binds(enum shoal_role role, enum shoal_channel ch);

/*
 * The TCP endpoint of `node`'s channel: "tcp://host:port" ("tcp://[addr]:port"
 * for an IPv6 address; the socket then needs ZMQ_IPV6).  The node binds it,
 * remote peers connect to it.  Returns 0, -ENOENT if the node does not bind
 * that channel, -ENOSPC if buf is too small (len >= 300 always suffices).
 */
int shoal_layout_endpoint(const struct shoal_layout_node *node, enum shoal_channel ch, char *buf,
                          size_t len);

/*
 * The ipc endpoint of `node`'s channel: "ipc://<workdir>/<channel>.sock".
 * When layout->use_ipc is set a node binds it in addition to its TCP
 * endpoint.  Returns as shoal_layout_endpoint (len >= 128 + 6 suffices).
 */
int shoal_layout_ipc_endpoint(const struct shoal_layout_node *node, enum shoal_channel ch,
                              char *buf, size_t len);

/*
 * The endpoint `from` connects to for `to`'s channel: the ipc endpoint when
 * layout->use_ipc is set and both nodes are on the same host (same host
 * string ignoring case, or both loopback: localhost, 127.0.0.1, ::1), the TCP
 * endpoint otherwise.  `from` may be NULL (an outside client such as the
 * shell: TCP).  Returns as shoal_layout_endpoint.
 */
int shoal_layout_connect_endpoint(const struct shoal_layout *layout,
                                  const struct shoal_layout_node *from,
                                  const struct shoal_layout_node *to, enum shoal_channel ch,
                                  char *buf, size_t len);

/* True if two host strings name the same host as far as the layout can tell
 * without resolving (equal ignoring case, or both loopback). */
bool shoal_layout_same_host(const char *a, const char *b);

/*
 * Write `layout` to `path` in the format shoal_layout_load reads, with a
 * header saying it is generated.  Written to a temporary file next to it
 * and renamed, so readers never see half a file; mode 0644.  Returns 0 or a
 * negative errno.  The layout is not validated here (call
 * shoal_layout_check first).
 */
int shoal_layout_write(const struct shoal_layout *layout, const char *path);

/* One node of a layout description (what node.cfg says about it). */
struct shoal_layout_spec_node {
    const char *name;
    enum shoal_role role;
    const char *host;      /* NULL: "localhost" */
    const char *interface; /* workers/standalone; NULL when absent */
    const char *filter;
    const char *lb_method;
    unsigned lb_procs; /* 0: 1 */
};

/* A simple description of a cluster, from which a whole layout is made. */
struct shoal_layout_spec {
    const char *cluster;   /* NULL: "shoal" */
    uint16_t base_port;    /* 0: SHOAL_LAYOUT_BASE_PORT */
    const char *spool_dir; /* absolute; a node's workdir is <spool_dir>/<name> */
    const char *keys_dir;  /* absolute; <keys_dir>/<name>.key and <keys_dir>/allowed_keys */
    bool use_ipc;
    const struct shoal_layout_spec_node *nodes;
    size_t n_nodes;
};

/*
 * Make a layout from a description.  Nodes are ordered manager, proxies,
 * workers (standalone last), each role in the order given, and ports are
 * numbered from the base port in that order, each node's channels in enum
 * order: the same description always gives the same layout.  The result is
 * validated (shoal_layout_check) and a port range that would reach the
 * ephemeral range or pass 65535 is refused.  On success *out is a new layout
 * (free with shoal_layout_free); on error a negative errno, *out NULL and a
 * message in err ("layout: ...").  Thread-safe.
 */
int shoal_layout_generate(const struct shoal_layout_spec *spec, struct shoal_layout **out,
                          char *err, size_t errlen);

#endif
