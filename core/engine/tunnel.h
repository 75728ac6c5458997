/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel decapsulation with Zeek's semantics.  UDP tunnels (Teredo, AYIYA,
 * VXLAN, Geneve, GTPv1: tunnel_udp.c) ride on a normal UDP connection whose
 * service becomes the tunnel's name once the analyzer confirms it; IP
 * tunnels (GRE over IP or UDP, IP-in-IP) get a uid of their own, kept per
 * address pair, and no conn.log row.  The payload of a
 * tunnel is decoded by a second decoder of the right link type (one per
 * nesting level, owned here) and fed back into the connection layer with the
 * encapsulation attached, so that inner connections record their
 * tunnel_parents.  tunnel.log gets Tunnel::DISCOVER when an inner connection
 * first names a tunnel and Tunnel::CLOSE when a UDP tunnel's connection ends.
 * Nesting is bounded by Zeek's Tunnel::max_depth (2).
 *
 * Not thread-safe: one instance per packet context.
 */
#ifndef SHOAL_TUNNEL_H
#define SHOAL_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/types.h>

struct shoal_ctx;
struct shoal_conn;
struct shoal_pkt;
struct shoal_tunnels;

/* Zeek's Tunnel::Type values that Shoal produces. */
enum shoal_tunnel_type {
    SHOAL_TUNNEL_NONE = 0,
    SHOAL_TUNNEL_IP,
    SHOAL_TUNNEL_AYIYA,
    SHOAL_TUNNEL_TEREDO,
    SHOAL_TUNNEL_GRE,
    SHOAL_TUNNEL_VXLAN,
    SHOAL_TUNNEL_GTPV1,
    SHOAL_TUNNEL_GENEVE,
};

/* Zeek's Tunnel::max_depth. */
#define SHOAL_TUNNEL_MAX_DEPTH 2

/* Bits of struct shoal_conn_tunnel's confirmed/violated: the UDP tunnel
 * analyzers. */
enum {
    SHOAL_TUNNEL_BIT_TEREDO = 0x1,
    SHOAL_TUNNEL_BIT_AYIYA = 0x2,
    SHOAL_TUNNEL_BIT_VXLAN = 0x4,
    SHOAL_TUNNEL_BIT_GENEVE = 0x8,
    SHOAL_TUNNEL_BIT_GTPV1 = 0x10,
};

/* One level of encapsulation: the tunnel's uid source and its endpoints as
 * tunnel.log shows them. */
struct shoal_encap_level {
    uint64_t serial;
    struct shoal_conn_id id;
    uint8_t type; /* enum shoal_tunnel_type */
};

/* The tunnels a packet came through, outermost first. */
struct shoal_encap {
    unsigned depth;
    struct shoal_encap_level lvl[SHOAL_TUNNEL_MAX_DEPTH];
};

/*
 * Create the tunnel state of packet context `x` (borrowed; it must outlive
 * the result).  Opens tunnel.log on x's logger.  Inner decoders are made on
 * first use.  Returns NULL on OOM.
 */
struct shoal_tunnels *shoal_tunnels_new(struct shoal_ctx *x);

/* Free the tunnel state and its decoders.  Accepts NULL.  Writes nothing. */
void shoal_tunnels_free(struct shoal_tunnels *t);

/* Expire fragments held by the inner decoders at network time `now`. */
void shoal_tunnels_expire(struct shoal_tunnels *t, double now);

/*
 * The UDP payload of connection `c` (`cap` bytes present of `len` per the
 * UDP header) from packet `p`, which came through `encap` (NULL: none).
 * Runs Teredo, AYIYA, VXLAN, Geneve, GTPv1 or GRE (RFC 8086) on it by the
 * responder port or, for Teredo and AYIYA, by content, as Zeek does; a decapsulated inner packet is
 * processed before this returns.  `c` is not used after the inner packet is handed on.
 */
void shoal_tunnel_udp(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                      const struct shoal_pkt *p, const uint8_t *payload, uint32_t cap, uint32_t len,
                      const struct shoal_encap *encap);

/* True if the UDP packet p, whose checksum does not verify, is VXLAN with
 * the zero checksum Zeek accepts on a VXLAN port (IPv6 senders may leave it
 * out).  Only called for packets that failed the check. */
bool shoal_tunnel_udp_checksum_exempt(const struct shoal_ctx *x, const struct shoal_pkt *p);

/* An IP packet of protocol 47 (GRE) that came through `encap` (NULL:
 * none): decapsulate it.  Never creates a connection for the GRE packet. */
void shoal_tunnel_gre(struct shoal_ctx *x, const struct shoal_pkt *p,
                      const struct shoal_encap *encap);

/*
 * The decoder took off `levels` IP-in-IP headers, the outermost between
 * `src` and `dst`.  Build in *out the encapsulation of the inner packet:
 * `outer` (NULL: none) plus the IP tunnel.  Returns 0, or -E2BIG when that
 * exceeds Tunnel::max_depth (a weird is reported and the packet should be
 * dropped).
 */
int shoal_tunnel_ipip(struct shoal_ctx *x, const struct shoal_encap *outer, int levels,
                      const struct shoal_addr *src, const struct shoal_addr *dst,
                      struct shoal_encap *out);

/* An inner connection names the tunnels of `e`: log Tunnel::DISCOVER for
 * each level not yet active (Zeek's Tunnel::register_all). */
void shoal_tunnel_register(struct shoal_ctx *x, const struct shoal_encap *e);

/* Connection `c`, which carried a UDP tunnel, is being removed: log
 * Tunnel::CLOSE if the tunnel was active. */
void shoal_tunnel_conn_done(struct shoal_ctx *x, const struct shoal_conn *c);

/* Append the service names of the tunnel bits in `confirmed` to the
 * NUL-terminated, comma-separated list in `buf` (`len` bytes in all). */
void shoal_tunnel_services(uint8_t confirmed, char *buf, size_t len);

/* A 64-bit digest of the tunnel identities of `e` (0 for none), used to
 * notice that a connection's packets changed tunnels. */
uint64_t shoal_encap_sig(const struct shoal_encap *e);

#endif
