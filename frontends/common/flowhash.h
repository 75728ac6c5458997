/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The symmetric flow hash the splitting frontends share (dispatch, and the
 * tests that judge the others): a frame's flow key is decoded from its
 * link layer on (Ethernet, 802.1Q VLAN and QinQ tags, MPLS label stacks,
 * PPPoE sessions, Linux cooked captures, raw IP, BSD loopback), then
 * hashed over the address pair (2-tuple), the addresses and ports
 * (4-tuple) or those and the IP protocol (5-tuple).  Symmetric by
 * construction: the two endpoints are put in one canonical order before
 * hashing, so both directions of a session give the same value.  IP
 * fragments (IPv4 MF or offset, an IPv6 fragment header) are hashed on
 * the 2-tuple whatever the mode, so every fragment of a datagram reaches
 * the same worker, where it is reassembled.  Host-independent: no
 * allocation, no state; safe from any thread.
 */
#ifndef SHOAL_FRONTEND_FLOWHASH_H
#define SHOAL_FRONTEND_FLOWHASH_H

#include <stdbool.h>
#include <stdint.h>

#include <shoal/frontend.h>

/* Link types the decoder knows (their LINKTYPE_ / DLT_ values). */
#define FLOWHASH_DLT_NULL 0
#define FLOWHASH_DLT_EN10MB 1
#define FLOWHASH_DLT_RAW 12 /* DLT_RAW on Linux and most systems */
#define FLOWHASH_DLT_LOOP 108
#define FLOWHASH_LINKTYPE_RAW 101
#define FLOWHASH_DLT_LINUX_SLL 113
#define FLOWHASH_DLT_IPV4 228
#define FLOWHASH_DLT_IPV6 229
#define FLOWHASH_DLT_LINUX_SLL2 276

/* MPLS labels and VLAN tags followed at most before giving up. */
#define FLOWHASH_MAX_LABELS 8

/* A decoded flow key: addresses in network order, IPv4 in the first 4
 * bytes (the rest zero); ports 0 for protocols without them. */
struct flowhash_key {
    uint8_t family; /* 4 or 6 */
    uint8_t proto;  /* the IP protocol of the transport header (or the fragment's) */
    bool fragment;  /* a fragment: ports unknown or unreliable, 2-tuple only */
    bool has_ports; /* TCP, UDP, SCTP, UDP-Lite, DCCP with their header present */
    uint8_t a[16];
    uint8_t b[16];
    uint16_t pa; /* port of a */
    uint16_t pb; /* port of b */
};

/*
 * Decode the flow key of one frame of link type `dlt`.  Returns 0, or -1
 * when the frame is not IP, is truncated before the addresses, or the link
 * type is unknown (the caller counts it not classified).
 */
int flowhash_decode(int dlt, const uint8_t *data, uint32_t caplen, struct flowhash_key *k);

/* The symmetric hash of a key in `mode` (enum shoal_flow_hash; an unknown
 * mode hashes as the 5-tuple). */
uint32_t flowhash_key_hash(const struct flowhash_key *k, uint32_t mode);

/* Both at once: 0 and the hash in *h, or -1 as flowhash_decode. */
int flowhash_frame(int dlt, const uint8_t *data, uint32_t caplen, uint32_t mode, uint32_t *h);

/* The worker of hash h among n (n >= 1): a multiply-shift, uniform for
 * any n without a modulo's bias. */
static inline uint32_t flowhash_worker(uint32_t h, uint32_t n)
{
    return (uint32_t)(((uint64_t)h * n) >> 32);
}

/* Parse "2-tuple", "4-tuple", "5-tuple" (or "2", "4", "5") into a mode:
 * the mode, or 0 when the text names none. */
uint32_t flowhash_mode_parse(const char *text);

/* The name of a mode ("2-tuple" ...), "?" when unknown. */
const char *flowhash_mode_name(uint32_t mode);

#endif
