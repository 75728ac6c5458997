/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the tunnel sources share (tunnel.c: the tables, tunnel.log, GRE and
 * the inner decoders; tunnel_udp.c: the tunnels that ride on UDP).  Not part
 * of the engine's interface: only core/engine/tunnel*.c include it.
 */
#ifndef SHOAL_TUNNEL_INT_H
#define SHOAL_TUNNEL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/tunnel.h"

/* How an inner frame is decoded. */
enum { TUN_LINK_RAW, TUN_LINK_ETH, TUN_LINK_80211, TUN_LINK_N };

/*
 * Decode `cap` bytes (`wire` on the wire) of an inner frame of link kind
 * `link` that came through `e` (depth >= 1) and process what comes out.
 * Returns 1 if an IP packet was processed, 0 if none came out, negative if
 * the frame was malformed.
 */
int shoal_tun_forward(struct shoal_ctx *x, const struct shoal_encap *e, int link, double ts,
                      const uint8_t *data, uint32_t cap, uint32_t wire);

/* Encapsulation `outer` (NULL: none) plus the UDP tunnel carried by
 * connection c, of tunnel type `type`. */
void shoal_tun_encap_push_conn(struct shoal_encap *e, const struct shoal_encap *outer,
                               const struct shoal_conn *c, uint8_t type);

/* Zeek's depth check of a session tunnel analyzer: history 'X' on the
 * carrying connection and a weird.  True if the packet may go deeper. */
bool shoal_tun_udp_depth_ok(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_encap *e,
                            const struct shoal_pkt *p, const char *source);

/* A weird about packet p that came through `e`: Zeek adds "_in_tunnel". */
void shoal_tun_flow_weird(struct shoal_ctx *x, const struct shoal_encap *e, const char *name,
                          const char *addl, const char *source, const struct shoal_pkt *p);

/*
 * A GRE packet: its `cap` bytes at d (`missing` more on the wire), carried
 * by IP packet p (protocol 47, or UDP for GRE-in-UDP), which came through
 * `encap` (NULL: none).  Decapsulates it as an IP tunnel between p's
 * addresses, as Zeek's GRE and IPTunnel analyzers do.
 */
void shoal_tun_gre_payload(struct shoal_ctx *x, const struct shoal_pkt *p, const uint8_t *d,
                           uint32_t cap, uint32_t missing, const struct shoal_encap *encap);

#endif
