/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel of a cluster node: request/reply between the control
 * shell (shoal --control, later shoalctl) and every node.
 *
 * Every node binds its control port (SHOAL_CHANNEL_CONTROL) with a ZeroMQ
 * ROUTER that is a CURVE server (shoal_zsec_server): only keys of the
 * cluster's allowed list get in, which holds the nodes' keys and the
 * control shell's ("shoalctl", made next to the allowed list by
 * shoal_keys_generate_layout); of those, only the control key may send
 * requests: one signed by a node's key is refused (-EACCES, logged for the
 * first few, counted in control.refused).  A request is [topic "ctl"][CONTROL_REQUEST
 * body] (wire.h: id, command, args); the reply is [topic "ctl"]
 * [CONTROL_REPLY body] with the request's id, a status (0, or a negative
 * errno) and key/value items, all values text.
 *
 * Commands and their replies:
 *   status       node, role, cluster, state (the status word of
 *                nodestate.h), pid, uptime, then the role's own items
 *   counters     the role's counters, then control.requests,
 *                control.bad_requests, control.refused and zap.refused
 *   peers        one item per peer the node deals with, e.g. "manager" ->
 *                "connected" on a worker, "worker-1" -> "last message 0.3 s
 *                ago" on the manager
 *   print ID     the one item named ID among those of status, counters,
 *                peers and the role's settings; unknown ID: -ENOENT
 *   stop         replies "stop" -> "requested", then asks the role to stop
 *                as SIGTERM does (orderly: flush, last batches, acks)
 * An error reply has one item "error" with the reason: undecodable body,
 * wrong topic or frames (-EBADMSG), unknown command (-ENOSYS), wrong
 * arguments (-EINVAL), unknown id (-ENOENT).  Every bad request is counted
 * (control.bad_requests) and never stops the node.
 *
 * Server side: the role fills a struct shoal_control_ops, polls
 * shoal_control_socket() for ZMQ_POLLIN with its other sockets (or calls
 * shoal_control_serve() between packet rounds), and shoal_control_serve()
 * answers every pending request without blocking.
 *
 * Client side (shoal_control_client_*): one request to any number of nodes
 * at once, every reply collected up to one time-out; a dead or hung node
 * costs the time-out and never delays the others' answers.
 *
 * Single-threaded: a server or a client belongs to the thread that made it.
 */
#ifndef SHOAL_CONTROL_H
#define SHOAL_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/keys.h"
#include "cluster/layout.h"
#include "cluster/wire.h"
#include "cluster/zsec.h"

struct shoal_nodestate;

/* Name of the control shell's key in the allowed list, and of its key file
 * (<directory of the allowed list>/shoalctl.key). */
#define SHOAL_CONTROL_KEY_NAME SHOAL_KEYS_CONTROL_NAME

/* Default time-out of a request, seconds. */
#define SHOAL_CONTROL_TIMEOUT 5.0

/* ---- server ---- */

/* The items of a reply being built.  Keys and values are copied. */
struct shoal_control_items;

/* Add an item whose value is printf-formatted.  0 or -ENOMEM. */
int shoal_control_add(struct shoal_control_items *it, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add an unsigned counter. */
int shoal_control_add_u64(struct shoal_control_items *it, const char *key, uint64_t v);

/* What a role answers.  Every callback is optional, runs on the node's
 * thread inside shoal_control_serve and must not block; `arg` is borrowed. */
struct shoal_control_ops {
    size_t size; /* sizeof(struct shoal_control_ops) */
    void (*status)(void *arg, struct shoal_control_items *it);
    void (*counters)(void *arg, struct shoal_control_items *it);
    void (*peers)(void *arg, struct shoal_control_items *it);
    /* Settings the node can name (only for print). */
    void (*settings)(void *arg, struct shoal_control_items *it);
    /* Stop as SIGTERM does; `by` is the requester's key name. */
    void (*stop)(void *arg, const char *by);
    void *arg;
};

struct shoal_control;

/*
 * Bind the control port of node `self` of `layout` (borrowed, as are `z`,
 * which must serve ZAP, `ops` and `state`, which may be NULL; all must
 * outlive the server).  Returns 0 and *out, or a negative errno after
 * logging why (naming the node and the endpoint).
 */
int shoal_control_new(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                      struct shoal_zsec *z, const struct shoal_control_ops *ops,
                      const struct shoal_nodestate *state, struct shoal_control **out);

/* Close the socket and free.  Accepts NULL. */
void shoal_control_free(struct shoal_control *c);

/* The socket to poll for ZMQ_POLLIN. */
void *shoal_control_socket(struct shoal_control *c);

/* The control endpoint bound ("tcp://host:port"). */
const char *shoal_control_endpoint(const struct shoal_control *c);

/* Answer every pending request; never blocks. */
void shoal_control_serve(struct shoal_control *c);

/* Note that peer `name` (a key name: a ZAP User-Id) was heard from now,
 * and how long ago it last was: seconds, or a negative value if never. */
void shoal_control_peer_seen(struct shoal_control *c, const char *name);
double shoal_control_peer_age(const struct shoal_control *c, const char *name);

struct shoal_control_stats {
    uint64_t requests;     /* answered, bad ones included */
    uint64_t bad_requests; /* undecodable, unknown command, wrong arguments, refused */
    uint64_t refused;      /* of those, signed by another key than the control key */
};
void shoal_control_stats(const struct shoal_control *c, struct shoal_control_stats *out);

/* ---- client ---- */

struct shoal_control_client;

/* The outcome of a request to one node. */
struct shoal_control_result {
    const struct shoal_layout_node *node;
    char endpoint[320];        /* what was connected to */
    int rc;                    /* 0: a reply; -ETIMEDOUT: none in time; other: not sent */
    char error[512];           /* why, when rc < 0 */
    double seconds;            /* until the reply came (or the time-out) */
    struct shoal_wire_msg msg; /* rc == 0: msg.rep is the reply */
};

/*
 * A client of the nodes of `layout` (borrowed, it must outlive the client)
 * with the key pair in `key_file` (NULL: <directory of the allowed
 * list>/shoalctl.key), whose public key must be in the allowed list.
 * Returns 0 and *out, or a negative errno with "FILE: reason" in err.
 */
int shoal_control_client_open(const struct shoal_layout *layout, const char *key_file,
                              struct shoal_control_client **out, char *err, size_t errlen);

/* Close every socket and free.  Accepts NULL. */
void shoal_control_client_close(struct shoal_control_client *cl);

/* The default key file of a layout's control client into buf; 0 or
 * -ENOENT (no allowed list) / -ENAMETOOLONG. */
int shoal_control_key_path(const struct shoal_layout *layout, char *buf, size_t len);

/*
 * Send `command` with `args` (n_args, borrowed) to the n `nodes` at once
 * and wait for their replies until each has answered or `timeout` seconds
 * have passed.  res[i] (n of them, caller-owned) receives node i's
 * outcome; release them with shoal_control_results_release.  Returns the
 * number of nodes that replied (a reply with an error status counts), or
 * a negative errno if the request itself is bad (-EINVAL, -E2BIG).
 */
int shoal_control_request(struct shoal_control_client *cl,
                          const struct shoal_layout_node *const *nodes, size_t n,
                          const char *command, const char *const *args, size_t n_args,
                          double timeout, struct shoal_control_result *res);

/* Free the decoded replies of n results. */
void shoal_control_results_release(struct shoal_control_result *res, size_t n);

/* The value of item `key` of a reply, or NULL. */
const char *shoal_control_reply_get(const struct shoal_wire_ctl_reply *r, const char *key);

#endif
