/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frontend plugins: how a node's packets reach it.  A frontend turns one
 * big pipe into bundles of sessions so that both directions of every
 * session reach the same worker.  It is either
 *   - host-based: each worker opens its own share of the interface or
 *     trace (`open` with the worker's index and the number of workers:
 *     libpcap itself, AF_PACKET fanout, a BPF split), or
 *   - network-based: a dispatcher process (`dispatch`) reads the input and
 *     feeds the workers, whose `open` then reads from the dispatcher.
 * A standalone node is worker 0 of 1.  Every packet a node analyses comes
 * through a frontend's source: `pcap` is just the default strategy.
 */
#ifndef SHOAL_SDK_FRONTEND_H
#define SHOAL_SDK_FRONTEND_H

#include <shoal/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a node asks of its packet source (borrowed for the open call;
 * strings copied by the frontend if it keeps them). */
struct shoal_source_spec {
    uint32_t size;         /* sizeof(struct shoal_source_spec) of the core */
    const char *node;      /* the node's name, for messages */
    const char *interface; /* a live interface, or NULL */
    const char *file;      /* a trace (pcap or pcapng), or NULL; exactly one of the two */
    const char *filter;    /* the user's BPF expression, or NULL */
    uint32_t worker;       /* this worker's index, 0 .. nworkers - 1 */
    uint32_t nworkers;     /* workers sharing the input (1: standalone) */
    const char *channel;   /* where workers meet a dispatcher (network-based
                            * strategies): a name both sides derive the same
                            * way, e.g. the cluster's spool; NULL otherwise */
#if SHOAL_ABI_TARGET_MINOR >= 3
    /* ---- since 2.3 (read them only when SHOAL_HAS(spec, member)) ---- */
    uint32_t hash; /* the symmetric flow hash of strategies that split traffic
                    * (frontend.hash): enum shoal_flow_hash */
#endif
};

/* The flow hashes a splitting strategy may be asked for (since 2.3).  Each
 * is symmetric: both directions of a session give the same value.  IP
 * fragments without their transport header are placed by the 2-tuple. */
enum shoal_flow_hash {
    SHOAL_HASH_2TUPLE = 2, /* the address pair */
    SHOAL_HASH_4TUPLE = 4, /* the address pair and the port pair (TCP, UDP, SCTP) */
    SHOAL_HASH_5TUPLE = 5, /* the 4-tuple and the IP protocol */
};

/* One captured frame.  `data` is valid only during the deliver call. */
struct shoal_frame {
    double ts;           /* seconds since the epoch */
    const uint8_t *data; /* caplen bytes from the link-layer header on */
    uint32_t caplen;
    uint32_t len; /* on the wire */
};

/* The source's counters (zero where the source cannot tell). */
struct shoal_source_stats {
    uint32_t size;           /* sizeof(struct shoal_source_stats) of the core */
    uint64_t received;       /* frames handed to the node */
    uint64_t dropped;        /* lost by the kernel, a ring or a queue before the node */
    uint64_t if_dropped;     /* lost by the interface */
    uint64_t not_classified; /* frames the strategy could not place by its hash (not IP,
                              * truncated): counted, and dropped or given to one worker
                              * as the strategy documents */
    uint64_t file_pos;       /* a trace: bytes read so far ... */
    uint64_t file_size;      /* ... of this many (0: not a file, or unknown) */
};

/* What next() hands each frame to. */
typedef void (*shoal_frame_fn)(void *arg, const struct shoal_frame *f);

/* Return values of next() besides a frame count. */
#define SHOAL_SOURCE_END (-1024) /* a trace ended */

/*
 * Ops of a frontend plugin (descriptor kind SHOAL_PLUGIN_FRONTEND).  `ps`
 * is the plugin state init returned; `src` a source open returned.
 *
 * open: set up the packet source of spec->worker of spec->nworkers; *src
 *   receives its state.  Returns 0, or a negative errno after logging a
 *   line naming the interface or file and the reason.  Required.
 * datalink: the link-layer type of the frames (a DLT_* / LINKTYPE_ value)
 *   and its name into *name (a static string).  Required.
 * next: hand up to `max` frames to deliver(arg, frame), in order; returns
 *   how many, 0 when none is ready (a quiet live link), SHOAL_SOURCE_END
 *   after the last frame of a trace, or a negative errno (logged).  Never
 *   blocks for long: wait does.  Required.
 * wait: block up to timeout_ms for frames (or a signal) after next said
 *   0.  May be NULL: the node sleeps instead.
 * stats: fill *st (st->size set by the caller).  Required.
 * close: release the source.  Required.
 * dispatch: network-based strategies: run the dispatcher of spec (every
 *   worker, spec->worker unused) until the input ends or *stop becomes
 *   non-zero (set by the host on SIGINT/SIGTERM).  Returns 0 or a negative
 *   errno (logged).  NULL for host-based strategies.
 */
struct shoal_frontend_ops {
    uint32_t size; /* sizeof(struct shoal_frontend_ops) */
    int (*open)(void *ps, const struct shoal_source_spec *spec, void **src);
    int (*datalink)(void *src, const char **name);
    int (*next)(void *src, int max, shoal_frame_fn deliver, void *arg);
    int (*wait)(void *src, int timeout_ms);
    void (*stats)(void *src, struct shoal_source_stats *st);
    void (*close)(void *src);
    int (*dispatch)(void *ps, const struct shoal_source_spec *spec, volatile const int *stop);
};

/*
 * The host table of frontend plugins (host->frontend).
 */
struct shoal_frontend_host {
    uint32_t size; /* sizeof(struct shoal_frontend_host) of the core */
    /* Progress of a long operation (a dispatcher reading a trace): `done`
     * of `total` units (total 0: unknown); the host shows it on a
     * terminal, rate-limited. */
    void (*progress)(struct shoal_self *self, uint64_t done, uint64_t total);
};

#ifdef __cplusplus
}
#endif

#endif
