/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnels that ride on UDP (see tunnel.h), as Zeek's packet analyzers
 * of the same names: Teredo (udp/3544 or by content, confirmed once both
 * directions carried valid Teredo), AYIYA (udp/5072 or by content), VXLAN
 * (udp/4789, inner Ethernet), Geneve (udp/6081, options skipped, the inner
 * frame by its protocol type), GTPv1 (udp/2152 and 2123: a G-PDU carries
 * one whole IP packet) and GRE in UDP (RFC 8086, udp/4754: an IP tunnel as
 * GRE over IP is).  Zeek picks the analyzer by the responder port alone
 * (after its likely_server_ports flip); the VXLAN, Geneve and GRE ports are
 * configurable (tunnel.*_ports) as Zeek's are.  A session analyzer that
 * finds bad encapsulation "violates" on that connection and, where Zeek's
 * does, leaves it alone from then on.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "engine/conn.h"
#include "engine/decode.h"
#include "engine/tunnel_int.h"
#include "lib/util.h"

#define TUN_PORT_TEREDO 3544
#define TUN_PORT_AYIYA 5072
/* Zeek's GTPv1 ports (not redefinable there): user plane and control. */
#define TUN_PORT_GTPV1_U 2152
#define TUN_PORT_GTPV1_C 2123

#define IPPROTO_NONE_V6 59

/* ---- Teredo ---- */

/*
 * Zeek's TeredoAnalyzer::DetectProtocol: an IPv6 header with a Teredo
 * (2001:0::/32) source or destination, or one after an origin indication
 * (itself perhaps after an authentication header).
 */
static bool teredo_detect(const uint8_t *d, uint32_t len)
{
    static const uint8_t pfx[4] = {0x20, 0x01, 0x00, 0x00};
    uint16_t val;

    if (len < 40 || ((d[0] >> 4) != 6 && (d[0] != 0x00 || (d[1] != 0x00 && d[1] != 0x01)))) {
        return false;
    }
    if ((d[0] & 0xf0) == 0x60 && (memcmp(d + 8, pfx, 4) == 0 || memcmp(d + 24, pfx, 4) == 0)) {
        return true;
    }
    val = d[1];
    if (val == 1) {
        uint32_t skip = 13u + d[2] + d[3];
        if (len < skip) {
            return false;
        }
        d += skip;
        len -= skip;
        if (len < 40) {
            return false;
        }
        val = shoal_be16(d);
    }
    if (val == 0) {
        d += 8;
        len -= 8;
        if (len < 40) {
            return false;
        }
        return (d[0] >> 4) == 6;
    }
    return false;
}

/* Teredo weirds other than the bubble one are reported only once the
 * analyzer has confirmed the connection. */
static void teredo_weird(struct shoal_ctx *x, struct shoal_conn *c, const char *name)
{
    if (c->tun.confirmed & SHOAL_TUNNEL_BIT_TEREDO) {
        shoal_conn_weird(x, c, name, NULL, "TEREDO");
    }
}

/* Walk the optional authentication and origin indication headers to the
 * IPv6 packet (Zeek's TeredoEncapsulation::DoParse).  Returns its offset,
 * or -1 if this is not Teredo. */
static int64_t teredo_parse(struct shoal_ctx *x, struct shoal_conn *c, const uint8_t *d,
                            uint32_t len)
{
    bool origin = false;
    bool auth = false;
    uint32_t off = 0;

    for (;;) {
        uint32_t left = len - off;
        if (left < 2) {
            teredo_weird(x, c, "truncated_Teredo");
            return -1;
        }
        uint16_t tag = shoal_be16(d + off);
        if (tag == 0) {
            if (origin) {
                return -1;
            }
            if (left < 8) {
                teredo_weird(x, c, "truncated_Teredo_origin_indication");
                return -1;
            }
            off += 8;
            origin = true;
        } else if (tag == 1) {
            if (origin || auth) {
                return -1;
            }
            if (left < 4) {
                teredo_weird(x, c, "truncated_Teredo_authentication");
                return -1;
            }
            uint32_t tot = 4u + d[off + 2] + d[off + 3] + 8u + 1u;
            if (left < tot) {
                teredo_weird(x, c, "truncated_Teredo_authentication");
                return -1;
            }
            off += tot;
            auth = true;
        } else if ((tag >> 12) == 6) {
            if (left < 40) {
                teredo_weird(x, c, "truncated_IPv6_in_Teredo");
                return -1;
            }
            return off;
        } else {
            return -1;
        }
    }
}

static void teredo_packet(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                          const struct shoal_pkt *p, const uint8_t *d, uint32_t len,
                          uint32_t missing, const struct shoal_encap *outer)
{
    struct shoal_encap e;

    if (!shoal_tun_udp_depth_ok(x, c, outer, p, "TEREDO")) {
        return;
    }
    int64_t off = teredo_parse(x, c, d, len);
    if (off < 0) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_TEREDO;
        return;
    }
    const uint8_t *ip = d + off;
    uint32_t ip_len = len - (uint32_t)off;
    uint32_t total = (uint32_t)shoal_be16(ip + 4) + 40;
    bool bubble = ip[6] == IPPROTO_NONE_V6;

    if (ip_len < total) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_TEREDO;
        return;
    }
    if (ip_len > total) {
        if (bubble && total == 40) {
            shoal_conn_weird(x, c, "Teredo_bubble_with_payload", NULL, "TEREDO");
        } else {
            c->tun.violated |= SHOAL_TUNNEL_BIT_TEREDO;
            return;
        }
    }
    c->tun.teredo_valid |= is_orig ? 1 : 2;
    if (c->tun.teredo_valid == 3) {
        c->tun.confirmed |= SHOAL_TUNNEL_BIT_TEREDO;
    }
    c->tun.carrier = SHOAL_TUNNEL_TEREDO;
    if (bubble) {
        return; /* nothing inside; no ipv6_no_next for Teredo bubbles */
    }
    shoal_tun_encap_push_conn(&e, outer, c, SHOAL_TUNNEL_TEREDO);
    shoal_tun_forward(x, &e, TUN_LINK_RAW, p->ts, ip, ip_len, ip_len + missing);
}

/* ---- AYIYA ---- */

static bool ayiya_detect(const uint8_t *d, uint32_t len)
{
    return len >= 3 && d[1] == 0x52 && d[2] == 0x11;
}

static void ayiya_packet(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_pkt *p,
                         const uint8_t *d, uint32_t len, uint32_t missing,
                         const struct shoal_encap *outer)
{
    struct shoal_encap e;
    uint32_t hdr = 8;

    if (!shoal_tun_udp_depth_ok(x, c, outer, p, "AYIYA")) {
        return;
    }
    if (len < hdr) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_AYIYA;
        return;
    }
    hdr += (1u << (d[0] >> 4)) + (uint32_t)(d[1] >> 4) * 4;
    if (len < hdr) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_AYIYA;
        return;
    }
    if ((d[2] & 0x0f) != 1) {
        return; /* not a forward operation: nothing to decapsulate */
    }
    uint8_t next = d[3];
    c->tun.confirmed |= SHOAL_TUNNEL_BIT_AYIYA;
    if (len == hdr) {
        shoal_tun_flow_weird(x, outer, "ayiya_empty_packet", NULL, "AYIYA", p);
        return;
    }
    if (next != 4 && next != 41) {
        return; /* no analyzer for it */
    }
    c->tun.carrier = SHOAL_TUNNEL_AYIYA;
    shoal_tun_encap_push_conn(&e, outer, c, SHOAL_TUNNEL_AYIYA);
    shoal_tun_forward(x, &e, TUN_LINK_RAW, p->ts, d + hdr, len - hdr, len - hdr + missing);
}

/* ---- VXLAN ---- */

static void vxlan_packet(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_pkt *p,
                         const uint8_t *d, uint32_t len, uint32_t missing,
                         const struct shoal_encap *outer)
{
    struct shoal_encap e;

    if (!shoal_tun_udp_depth_ok(x, c, outer, p, "VXLAN")) {
        return;
    }
    if (len < 8 || (d[0] & 0x08) == 0) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_VXLAN;
        return;
    }
    c->tun.confirmed |= SHOAL_TUNNEL_BIT_VXLAN;
    if (len == 8) {
        shoal_tun_flow_weird(x, outer, "vxlan_empty_packet", NULL, "VXLAN", p);
        return;
    }
    c->tun.carrier = SHOAL_TUNNEL_VXLAN;
    shoal_tun_encap_push_conn(&e, outer, c, SHOAL_TUNNEL_VXLAN);
    shoal_tun_forward(x, &e, TUN_LINK_ETH, p->ts, d + 8, len - 8, len - 8 + missing);
}

/* ---- Geneve ---- */

/* Geneve protocol types Zeek maps (its IPv6 entry reads 0x08DD, and so
 * IPv6 is decoded only under that number, as Zeek does). */
enum {
    GENEVE_PROTO_ETH = 0x6558,
    GENEVE_PROTO_IPV4 = 0x0800,
    GENEVE_PROTO_IP_ZEEK = 0x08dd,
};
#define GENEVE_HDR_LEN 8

static void geneve_packet(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_pkt *p,
                          const uint8_t *d, uint32_t len, uint32_t missing,
                          const struct shoal_encap *outer)
{
    struct shoal_encap e;
    char addl[16];

    if (!shoal_tun_udp_depth_ok(x, c, outer, p, "GENEVE")) {
        return;
    }
    if (len < GENEVE_HDR_LEN) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_GENEVE; /* header truncation */
        return;
    }
    if ((d[0] >> 6) != 0) {
        snprintf(addl, sizeof(addl), "%d", d[0] >> 6);
        shoal_tun_flow_weird(x, outer, "geneve_invalid_version", addl, "GENEVE", p);
        return;
    }
    uint32_t hdr = GENEVE_HDR_LEN + (uint32_t)(d[0] & 0x3f) * 4;
    if (len < hdr) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_GENEVE; /* option header truncation */
        return;
    }
    uint16_t proto = shoal_be16(d + 2);
    c->tun.confirmed |= SHOAL_TUNNEL_BIT_GENEVE;
    if (len == hdr) {
        shoal_tun_flow_weird(x, outer, "geneve_empty_packet", NULL, "GENEVE", p);
        return;
    }
    int link;
    if (proto == GENEVE_PROTO_ETH) {
        link = TUN_LINK_ETH;
    } else if (proto == GENEVE_PROTO_IPV4 || proto == GENEVE_PROTO_IP_ZEEK) {
        link = TUN_LINK_RAW;
    } else {
        return; /* ARP or a protocol Zeek has no analyzer for */
    }
    c->tun.carrier = SHOAL_TUNNEL_GENEVE;
    shoal_tun_encap_push_conn(&e, outer, c, SHOAL_TUNNEL_GENEVE);
    shoal_tun_forward(x, &e, link, p->ts, d + hdr, len - hdr, len - hdr + missing);
}

/* ---- GTPv1 ---- */

enum {
    GTP_FLAG_PT = 0x10,
    GTP_FLAG_E = 0x04,
    GTP_FLAGS_OPT = 0x07, /* E, S or PN: the optional 4-byte header is there */
    GTP_MSG_G_PDU = 255,
};
#define GTP_HDR_LEN 8
#define GTP_OPT_LEN 4

/*
 * The length of the GTPv1 header at d (`len` bytes) with its optional part
 * and extension headers, or 0 if the header is cut short (Zeek's parser
 * throws and the analyzer violates).
 */
static uint32_t gtp_header_len(const uint8_t *d, uint32_t len)
{
    uint32_t off = GTP_HDR_LEN;

    if (len < GTP_HDR_LEN) {
        return 0;
    }
    if (!(d[0] & GTP_FLAGS_OPT)) {
        return off;
    }
    if (len < off + GTP_OPT_LEN) {
        return 0;
    }
    uint8_t next = d[off + 3];
    off += GTP_OPT_LEN;
    if (!(d[0] & GTP_FLAG_E)) {
        return off;
    }
    /* Extension headers: a length in 4-byte units, the contents, the type
     * of the next one (0: the last). */
    while (next != 0) {
        if (len < off + 1 || d[off] == 0 || len - off < (uint32_t)d[off] * 4) {
            return 0;
        }
        off += (uint32_t)d[off] * 4;
        next = d[off - 1];
    }
    return off;
}

/* Zeek's IP::ParsePacket on the inner packet: true if the `len` bytes at
 * ip are exactly one IPv4 or IPv6 packet. */
static bool gtp_inner_ok(const uint8_t *ip, uint32_t len)
{
    uint32_t total;

    if ((ip[0] >> 4) == 6) {
        if (len < 40) {
            return false;
        }
        total = (uint32_t)shoal_be16(ip + 4) + 40;
    } else {
        /* At least 20 bytes (checked before); version 4 or 6 (likewise). */
        total = shoal_be16(ip + 2);
    }
    return len == total;
}

static void gtp_packet(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_pkt *p,
                       const uint8_t *d, uint32_t len, uint32_t missing,
                       const struct shoal_encap *outer)
{
    struct shoal_encap e;
    uint32_t hdr = gtp_header_len(d, len);

    if (hdr == 0) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_GTPV1;
        return;
    }
    if (outer != NULL && outer->depth >= SHOAL_TUNNEL_MAX_DEPTH) {
        shoal_ctx_net_weird(x, "tunnel_depth", NULL, "GTPV1", NULL, NULL);
        return;
    }
    if ((outer != NULL && outer->depth > 0 &&
         outer->lvl[outer->depth - 1].type == SHOAL_TUNNEL_GTPV1) ||
        (d[0] >> 5) != 1) {
        /* GTP in GTP, or not version 1 */
        c->tun.violated |= SHOAL_TUNNEL_BIT_GTPV1;
        return;
    }
    if (!(d[0] & GTP_FLAG_PT) || d[1] != GTP_MSG_G_PDU) {
        return; /* GTP' or signalling: nothing inside */
    }
    const uint8_t *ip = d + hdr;
    uint32_t ilen = len - hdr;
    if (ilen < 20 || ((ip[0] >> 4) != 4 && (ip[0] >> 4) != 6) || !gtp_inner_ok(ip, ilen)) {
        c->tun.violated |= SHOAL_TUNNEL_BIT_GTPV1;
        return;
    }
    c->tun.confirmed |= SHOAL_TUNNEL_BIT_GTPV1;
    c->tun.carrier = SHOAL_TUNNEL_GTPV1;
    shoal_tun_encap_push_conn(&e, outer, c, SHOAL_TUNNEL_GTPV1);
    shoal_tun_forward(x, &e, TUN_LINK_RAW, p->ts, ip, ilen, ilen + missing);
}

/* ---- dispatch ---- */

static bool tun_port_in(const struct shoal_port_set *s, uint16_t port)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (s->port[i] == port) {
            return true;
        }
    }
    return false;
}

/* Run the analyzer Zeek registers for the responder port; false if none. */
static bool tun_udp_by_port(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                            const struct shoal_pkt *p, const uint8_t *d, uint32_t cap,
                            uint32_t missing, const struct shoal_encap *encap)
{
    const struct shoal_config *cfg = shoal_ctx_config(x);
    uint16_t port = c->id.resp_p;

    if (port == TUN_PORT_TEREDO) {
        if (!(c->tun.violated & SHOAL_TUNNEL_BIT_TEREDO)) {
            teredo_packet(x, c, is_orig, p, d, cap, missing, encap);
        }
    } else if (port == TUN_PORT_AYIYA) {
        if (!(c->tun.violated & SHOAL_TUNNEL_BIT_AYIYA)) {
            ayiya_packet(x, c, p, d, cap, missing, encap);
        }
    } else if (tun_port_in(&cfg->tunnel_vxlan_ports, port)) {
        if (!(c->tun.violated & SHOAL_TUNNEL_BIT_VXLAN)) {
            vxlan_packet(x, c, p, d, cap, missing, encap);
        }
    } else if (tun_port_in(&cfg->tunnel_geneve_ports, port)) {
        if (!(c->tun.violated & SHOAL_TUNNEL_BIT_GENEVE)) {
            geneve_packet(x, c, p, d, cap, missing, encap);
        }
    } else if (port == TUN_PORT_GTPV1_U || port == TUN_PORT_GTPV1_C) {
        /* Zeek's GTPv1 analyzer goes on after a violation. */
        gtp_packet(x, c, p, d, cap, missing, encap);
    } else if (tun_port_in(&cfg->tunnel_gre_ports, port)) {
        /* A packet analyzer without session state: the connection stays
         * a plain UDP one and the tunnel is GRE's, by address pair. */
        shoal_tun_gre_payload(x, p, d, cap, missing, encap);
    } else {
        return false;
    }
    return true;
}

bool shoal_tunnel_udp_checksum_exempt(const struct shoal_ctx *x, const struct shoal_pkt *p)
{
    const uint8_t *uh = p->l4;

    /* Zeek's UDP analyzer: VXLAN on a VXLAN port (by destination) with a
     * zero checksum, which an IPv6 sender may send. */
    return p->l4_len > 8 + 8 + 14 && p->l4_cap > 8 && uh[6] == 0 && uh[7] == 0 && (uh[8] & 0x08) &&
           tun_port_in(&shoal_ctx_config(x)->tunnel_vxlan_ports, shoal_be16(uh + 2));
}

void shoal_tunnel_udp(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                      const struct shoal_pkt *p, const uint8_t *payload, uint32_t cap, uint32_t len,
                      const struct shoal_encap *encap)
{
    uint32_t missing = len > cap ? len - cap : 0;

    if (shoal_ctx_tunnels(x) == NULL || cap == 0) {
        return;
    }
    /* Zeek hands the payload on by the responder port, else by content. */
    if (tun_udp_by_port(x, c, is_orig, p, payload, cap, missing, encap)) {
        return;
    }
    if (teredo_detect(payload, cap)) {
        if (!(c->tun.violated & SHOAL_TUNNEL_BIT_TEREDO)) {
            teredo_packet(x, c, is_orig, p, payload, cap, missing, encap);
        }
    } else if (ayiya_detect(payload, cap)) {
        if (!(c->tun.violated & SHOAL_TUNNEL_BIT_AYIYA)) {
            ayiya_packet(x, c, p, payload, cap, missing, encap);
        }
    }
}
