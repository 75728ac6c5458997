/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ZeroMQ side of a cluster node's security: one context per node, the
 * node's CURVE key pair, the cluster's allowed public keys, and a ZAP
 * handler (RFC 27) that lets in only the keys of that list and logs every
 * refused peer with its address (each address and key once; repeats are
 * counted and summed up when the node stops).
 *
 * Every socket a node binds is a CURVE server made by shoal_zsec_server;
 * every socket it connects is a CURVE client made by shoal_zsec_client,
 * which takes the server's public key from the allowed list by the server's
 * node name.  Errors are logged with the node's name and the endpoint.
 *
 * Single-threaded: the owner polls shoal_zsec_zap_socket() with its other
 * sockets and calls shoal_zsec_zap_serve() when it is readable.
 */
#ifndef SHOAL_ZSEC_H
#define SHOAL_ZSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include "cluster/layout.h"

struct shoal_zsec;

/*
 * Load the keys of node `self` of `layout` (both borrowed, they must outlive
 * the zsec), make the ZeroMQ context and, when `serve` is set, bind the ZAP
 * handler (it must exist before any CURVE server socket, or libzmq lets
 * every client in).  Returns 0 and *out, or a negative errno after logging
 * why: -ENOTSUP (libzmq without CURVE), -EINVAL (no key file or allowed
 * list in the layout), or the key loader's error.  It also tunes the
 * process's malloc for ZeroMQ traffic (shoal_zsec_tune_malloc).
 */
int shoal_zsec_open(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                    bool serve, struct shoal_zsec **out);

/*
 * Make the process's malloc keep freed memory (M_TRIM_THRESHOLD) and serve
 * blocks up to a few MiB from its heaps (M_MMAP_THRESHOLD).  ZeroMQ
 * allocates and frees a buffer of each message's size per message in its
 * I/O thread (CURVE boxes them once more), and a log batch is around
 * 100 KiB: with glibc's defaults every batch handed the top of a heap back
 * to the kernel (madvise) and faulted it in again, which on two cores cost
 * a worker about as much CPU as the rest of its log path together.  The
 * cost is up to SHOAL_ZSEC_TRIM_THRESHOLD of free memory kept per heap.
 * Idempotent; call it before the threads that allocate start (the ZeroMQ
 * context).  Without glibc it does nothing.
 */
#define SHOAL_ZSEC_TRIM_THRESHOLD (32u << 20)
#define SHOAL_ZSEC_MMAP_THRESHOLD (4u << 20)
void shoal_zsec_tune_malloc(void);

/* Close the ZAP handler, log the refusal totals and terminate the context.
 * Every socket made from it must be closed first.  Accepts NULL. */
void shoal_zsec_close(struct shoal_zsec *z);

/* The ZeroMQ context (for inproc or monitor sockets). */
void *shoal_zsec_context(struct shoal_zsec *z);

/* The ZAP handler socket to poll for ZMQ_POLLIN (NULL when not serving). */
void *shoal_zsec_zap_socket(struct shoal_zsec *z);

/* Answer every pending ZAP request. */
void shoal_zsec_zap_serve(struct shoal_zsec *z);

/* Handshakes refused so far. */
uint64_t shoal_zsec_refused(const struct shoal_zsec *z);

/*
 * A socket of `type` (ZMQ_ROUTER, ZMQ_PUB, ...) that is a CURVE server with
 * the node's key, bound on the node's port of channel `ch` on every address
 * its host resolves to, and on the channel's ipc endpoint when the layout
 * uses ipc.  `endpoint` (>= 320 bytes) receives the channel's TCP endpoint
 * for messages.  Returns the socket, or NULL after logging why.
 */
void *shoal_zsec_server(struct shoal_zsec *z, int type, enum shoal_channel ch, char *endpoint,
                        size_t len);

/*
 * A socket of `type` that is a CURVE client of node `to`'s channel `ch`
 * (its public key from the allowed list), not yet connected: set further
 * options, then shoal_zsec_connect.  LINGER 0, reconnecting every 100 ms to
 * 1 s.  `endpoint` (>= 320 bytes) receives what to connect to (ipc when the
 * layout allows it).  Returns the socket, or NULL after logging why.
 */
void *shoal_zsec_client(struct shoal_zsec *z, int type, const struct shoal_layout_node *to,
                        enum shoal_channel ch, char *endpoint, size_t len);

/* zmq_connect with the error logged; 0 or a negative errno. */
int shoal_zsec_connect(struct shoal_zsec *z, void *sock, const char *endpoint);

/* zmq_setsockopt of an int with the error logged (naming `endpoint`). */
int shoal_zsec_set_int(struct shoal_zsec *z, void *sock, int opt, int value, const char *endpoint);

/*
 * Receive one message of a ROUTER without blocking, meant to be [identity,
 * topic, body].  Returns how many frames it had (0: nothing pending); the
 * first min(n, 3) are in f[] (f[0] the sender's identity, to answer even a
 * malformed message), further frames are read and dropped.  Close them
 * with shoal_zsec_frames_close(f, n).
 */
int shoal_zsec_recv_routed(void *sock, zmq_msg_t f[3]);
void shoal_zsec_frames_close(zmq_msg_t f[3], int n);

#endif
