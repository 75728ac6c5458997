/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 and IPv6 fragment reassembly, internal to the decoder.  A train of
 * fragments is keyed by source, destination, identification and protocol
 * (RFC 791; for IPv6 the protocol is the Fragment header's next header).
 * Fragments are held as sorted, non-overlapping byte blocks: where a new
 * fragment overlaps data already held, the old bytes win (as in Zeek) and a
 * weird says whether the overlap agreed ("fragment_overlap") or not
 * ("fragment_inconsistency").  Memory is bounded: when the bytes held would
 * exceed the cap, whole trains are evicted oldest first.  Trains expire
 * `timeout` seconds of network time after their first fragment.
 *
 * Memory is allocated only when fragments arrive.  Not thread-safe.
 */
#ifndef SHOAL_FRAG_H
#define SHOAL_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/types.h>

/* What identifies a fragment train.  Fill it after a memset to 0: it is
 * hashed and compared as bytes. */
struct shoal_frag_key {
    struct shoal_addr src;
    struct shoal_addr dst;
    uint32_t id;
    uint8_t proto;
    uint8_t version; /* 4 or 6 */
    uint8_t pad[2];
};

/* One fragment as the decoder hands it over.  All pointers are borrowed. */
struct shoal_frag_in {
    const uint8_t *hdr;     /* IPv4 header with options / IPv6 unfragmentable part */
    uint32_t hdr_len;       /* bytes at hdr (IPv6: excludes the Fragment header) */
    uint32_t nh_off;        /* IPv6: offset in hdr of the byte naming the Fragment header */
    const uint8_t *payload; /* fragment data (after the Fragment header for IPv6) */
    uint32_t len;           /* bytes at payload */
    uint32_t offset;        /* fragment offset in bytes */
    uint32_t ip_total;      /* total length of this fragment's IP packet */
    bool more;              /* MF flag */
    bool df;                /* IPv4 DF flag */
};

/* Weird callback: `name` is Zeek's weird name; the key gives src/dst. */
typedef void (*shoal_frag_weird_fn)(void *ctx, const char *name, const struct shoal_frag_key *key);

struct shoal_frag;

/* Counters since creation. */
struct shoal_frag_stats {
    uint64_t trains;      /* trains opened */
    uint64_t reassembled; /* trains completed */
    uint64_t dropped;     /* trains evicted by the memory cap or timed out */
    size_t mem;           /* bytes held now */
    size_t held;          /* trains held now */
};

/*
 * Create the reassembly state.  `mem_max` bounds the bytes held (payload,
 * headers and bookkeeping); `timeout` is in seconds of network time.
 * `weird` may be NULL.  Returns NULL on OOM.
 */
struct shoal_frag *shoal_frag_new(size_t mem_max, double timeout, shoal_frag_weird_fn weird,
                                  void *weird_ctx);

/* Free the state and every train it holds.  Accepts NULL. */
void shoal_frag_free(struct shoal_frag *f);

/*
 * Add one fragment seen at network time `ts`.  Returns 1 when it completed
 * its train: *out and *out_len then hold the whole reassembled IP packet (header
 * patched: IPv4 length, flags and checksum; IPv6 payload length and next
 * header, Fragment header removed), valid until the next call on `f`.
 * Returns 0 when the fragment is held (or was ignored), -ENOMEM when its
 * train was dropped by the memory cap.
 */
int shoal_frag_add(struct shoal_frag *f, double ts, const struct shoal_frag_key *key,
                   const struct shoal_frag_in *in, const uint8_t **out, uint32_t *out_len);

/* Drop the trains opened at or before `now - timeout`. */
void shoal_frag_expire(struct shoal_frag *f, double now);

/* Copy the counters. */
void shoal_frag_stats(const struct shoal_frag *f, struct shoal_frag_stats *st);

#endif
