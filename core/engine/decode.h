/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet decoding: from a captured frame of a given pcap link type down to
 * the transport header.  Handles Ethernet (with 802.3 LLC/SNAP), Linux
 * cooked (SLL, SLL2), raw IP, null/loopback, NFLOG, IEEE 802.11 data
 * frames (bare or after radiotap, with LLC/SNAP), FDDI; 802.1Q/QinQ, MPLS,
 * PPPoE session, PBB (802.1ah), VN-Tag; IPv4 with options, IPv6 with extension headers; IPv4 and
 * IPv6 fragment reassembly (bounded memory, timed out).  Malformed input is
 * reported as a weird with Zeek's weird names and never read out of bounds.
 *
 * Not thread-safe: one decoder per packet thread.
 */
#ifndef SHOAL_DECODE_H
#define SHOAL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/types.h>

/* A decoded IP packet.  Pointers are into the captured frame or, for a
 * reassembled fragment train, into a buffer of the decoder; either way valid
 * until the next shoal_decode() call on the same decoder. */
struct shoal_pkt {
    double ts;
    const uint8_t *ip;  /* first byte of the (innermost decoded) IP header */
    uint32_t ip_cap;    /* bytes of the IP packet present in the capture */
    uint32_t ip_total;  /* IP total length per header (conn.log ip_bytes) */
    uint8_t ip_version; /* 4 or 6 */
    uint8_t ttl;        /* IPv4 TTL / IPv6 hop limit */
    uint8_t proto;      /* transport protocol after any extension headers */
    bool reassembled;   /* built from fragments */
    struct shoal_addr src;
    struct shoal_addr dst;
    const uint8_t *l4;   /* transport header */
    uint32_t l4_len;     /* transport bytes per the IP header (header+payload) */
    uint32_t l4_cap;     /* transport bytes present (<= l4_len) */
    uint16_t vlan;       /* outer 802.1Q id, 0 if none */
    uint16_t inner_vlan; /* inner (QinQ) id, 0 if none */
};

/*
 * Called for every anomaly.  `name` is Zeek's weird name (e.g.
 * "truncated_IP"), `addl` extra text or NULL, `source` Zeek's source column
 * ("IP", "ETHERNET", ...) or NULL.  `src`/`dst` are the packet's addresses
 * when known (flow weirds), else NULL (net weirds).
 */
typedef void (*shoal_decode_weird_fn)(void *ctx, const char *name, const char *addl,
                                      const char *source, const struct shoal_addr *src,
                                      const struct shoal_addr *dst);

struct shoal_decode_opts {
    bool ignore_checksums; /* like zeek -C: do not verify the IPv4 header checksum */
    size_t frag_mem_max;   /* bytes held for reassembly at most (0: 64 MiB) */
    double frag_timeout;   /* seconds a fragment train may stay open (0: 60) */
    shoal_decode_weird_fn weird;
    void *weird_ctx;
};

struct shoal_decoder;

/* Create a decoder for frames of pcap link type `linktype` (DLT_*).  Returns
 * NULL if the link type is unsupported (errno = EPROTONOSUPPORT) or on OOM.
 * `opts` is copied. */
struct shoal_decoder *shoal_decoder_new(int linktype, const struct shoal_decode_opts *opts);

/* Free a decoder and all fragments it holds.  Accepts NULL. */
void shoal_decoder_free(struct shoal_decoder *d);

/* True if the link type is one shoal_decoder_new accepts. */
bool shoal_decode_linktype_ok(int linktype);

/*
 * Decode one frame of `caplen` captured bytes (`wirelen` on the wire) seen
 * at time `ts`.  Returns 1 when *out holds an IP packet ready for the flow
 * table, 0 when the frame was consumed without one (a fragment held for
 * reassembly, ARP or another non-IP frame), or a negative errno when it was
 * dropped as malformed (a weird was reported).
 */
int shoal_decode(struct shoal_decoder *d, double ts, const uint8_t *frame, uint32_t caplen,
                 uint32_t wirelen, struct shoal_pkt *out);

/* Expire fragment trains older than the timeout at network time `now`. */
void shoal_decode_expire(struct shoal_decoder *d, double now);

/* Verify the TCP, UDP, ICMP or ICMPv6 checksum of a decoded packet (with the
 * pseudo-header where the protocol has one).  Only meaningful when the
 * whole transport segment was captured (l4_cap == l4_len); returns true
 * otherwise.  A UDP-over-IPv4 checksum of 0 means "none" and is valid. */
bool shoal_l4_checksum_ok(const struct shoal_pkt *p);

/* Counters since creation. */
struct shoal_decode_stats {
    uint64_t frames;
    uint64_t ip_packets;
    uint64_t non_ip;
    uint64_t malformed;
    uint64_t fragments;
    uint64_t reassembled;
    uint64_t frag_dropped; /* evicted by the memory cap or timed out */
    uint64_t frag_mem;     /* bytes of fragments held now */
};
void shoal_decode_stats(const struct shoal_decoder *d, struct shoal_decode_stats *st);

/*
 * IP-in-IP (protocols 4 and 41) of the last frame decoded: returns how many
 * IP tunnel levels the packet in *out came through (0: none) and, when > 0,
 * stores the outermost tunnel's addresses in *outer_src and *outer_dst (either
 * may be NULL).  Valid until the next shoal_decode() call on `d`.
 */
int shoal_decode_tunnel(const struct shoal_decoder *d, struct shoal_addr *outer_src,
                        struct shoal_addr *outer_dst);

#endif
