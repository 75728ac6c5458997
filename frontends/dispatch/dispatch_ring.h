/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared memory between a dispatcher and its workers on one host
 * (dispatch_ring.c): one region (a POSIX shared memory object named after
 * the channel) holding a header and one ring per worker.  Each ring is a
 * single-producer single-consumer byte ring of records (timestamp,
 * lengths, the frame's bytes), bounded: the dispatcher either waits for
 * room (a trace: nothing may be lost) or drops the frame and counts it
 * for that worker (a live link).  Positions only grow; the producer
 * publishes its tail after a batch, the consumer its head after handing
 * the frames on, each with release/acquire ordering.  A side that finds
 * nothing to do sleeps on a futex in the region, and the other wakes it
 * only when it said it sleeps, so a busy pipeline makes no system calls.
 */
#ifndef SHOAL_FRONTEND_DISPATCH_RING_H
#define SHOAL_FRONTEND_DISPATCH_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DRING_MAGIC 0x53484f414c445331ull /* "SHOALDS1" */
#define DRING_MAX_WORKERS 64

/* One worker's ring: counters on cache lines of their own. */
struct dring {
    _Alignas(64) uint64_t head; /* consumer: bytes consumed */
    uint32_t consumer_sleeps;   /* the consumer waits on prod_seq */
    uint32_t cons_seq;          /* bumped when the consumer frees room for a sleeping producer */
    uint64_t attached;          /* a consumer opened it */
    _Alignas(64) uint64_t tail; /* producer: bytes published */
    uint32_t producer_sleeps;   /* the producer waits on cons_seq */
    uint32_t prod_seq;          /* bumped when the producer publishes to a sleeping consumer */
    uint64_t dropped;           /* frames dropped for want of room */
    uint64_t sent;              /* frames published */
    _Alignas(64) uint64_t cap;  /* bytes of data, a power of two */
    uint64_t data;              /* offset of its data in the region */
};

struct dring_header {
    uint64_t magic;
    uint32_t nworkers;
    int32_t dlt;             /* the input's link type */
    uint64_t ring_bytes;     /* each ring's capacity */
    uint64_t region_bytes;   /* the whole region */
    uint32_t eof;            /* the dispatcher is done: rings drain, then end */
    uint32_t ready;          /* set last, once the header and rings are valid */
    uint64_t not_classified; /* frames the hash could not place (sent to worker 0) */
    uint64_t file_pos;       /* a trace: bytes read, and of how many */
    uint64_t file_size;
    struct dring rings[];
};

/* A record's header in a ring; the frame follows, padded to 8 bytes. */
struct dring_rec {
    double ts;
    uint32_t caplen; /* DRING_WRAP: skip to the ring's start */
    uint32_t len;
};
#define DRING_WRAP UINT32_MAX

/* A mapped region (either side). */
struct dring_map {
    struct dring_header *h;
    size_t size;
};

/* Bytes of a region for n rings of ring_bytes each. */
size_t dring_region_size(uint32_t n, uint64_t ring_bytes);

/* Lay out a zeroed region of `size` bytes (dring_region_size) for n rings
 * of ring_bytes (a power of two) and mark it ready. */
void dring_layout(struct dring_header *h, uint32_t n, uint64_t ring_bytes, int dlt);

/* The POSIX shared memory name of a channel ("/shoal-ds-<hash>"). */
void dring_name(char *buf, size_t len, const char *channel);

/* Create (replacing any old one) and map the region of `name`.  0, or a
 * negative errno. */
int dring_create(struct dring_map *m, const char *name, uint32_t n, uint64_t ring_bytes, int dlt);

/* Map an existing ready region of `name`.  0, -ENOENT while it does not
 * exist or is not ready, or another negative errno. */
int dring_attach(struct dring_map *m, const char *name);

void dring_unmap(struct dring_map *m);

/* Producer: append one frame to ring r, unpublished.  True, or false when
 * there is no room (nothing written). */
bool dring_put(struct dring_header *h, struct dring *r, uint64_t *tail, double ts,
               const uint8_t *data, uint32_t caplen, uint32_t len);

/* Producer: publish what was put up to `tail`, waking a sleeping consumer. */
void dring_publish(struct dring *r, uint64_t tail);

/* Producer: wait up to timeout_ms for the consumer of r to free room. */
void dring_wait_room(struct dring *r, int timeout_ms);

/* Producer: the dispatcher is done; wake every consumer. */
void dring_finish(struct dring_header *h);

/* Consumer: hand up to max published frames of ring r to fn(arg, ...), in
 * order, then release their room.  Returns how many. */
typedef void (*dring_frame_fn)(void *arg, double ts, const uint8_t *data, uint32_t caplen,
                               uint32_t len);
int dring_take(struct dring_header *h, struct dring *r, int max, dring_frame_fn fn, void *arg);

/* Consumer: wait up to timeout_ms for frames.  */
void dring_wait_frames(struct dring *r, int timeout_ms);

/* Consumer: true when the dispatcher is done and r is empty. */
bool dring_ended(const struct dring_header *h, const struct dring *r);

#endif
