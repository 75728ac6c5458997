/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet decoder (see decode.h): link layer -> VLAN/MPLS/PPPoE -> IPv4/IPv6
 * (extension headers, fragment reassembly, IP-in-IP) -> transport header.
 * The checks, their order and the weird names follow Zeek's packet
 * analysis (Ethernet, VLAN, MPLS, PPPoE, NFLog, Null, LinuxSLL, IP,
 * IPTunnel, IPBasedAnalyzer and IPv6_Hdr_Chain), so that a trace gives the
 * same weird.log here as there: e.g. truncated_IP when the capture holds
 * less than the fixed IP header, truncated_IP_len when the *wire* length is
 * shorter than the IP total length (a packet cut by the snaplen is still
 * processed), internally_truncated_header when the header is cut inside
 * the capture.  Net weirds (no addresses) are those raised before the IP
 * header is known good, flow weirds after.  Every read is bounds-checked
 * against the captured length; nothing is allocated per packet except in
 * fragment reassembly (frag.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode.h"
#include "engine/frag.h"
#include "lib/util.h"

/* pcap link types (DLT_* values on Linux, LINKTYPE_* where they differ). */
enum {
    DECODE_DLT_NULL = 0,
    DECODE_DLT_EN10MB = 1,
    DECODE_DLT_PPP = 9,
    DECODE_DLT_FDDI = 10,
    DECODE_DLT_RAW = 12,
    DECODE_DLT_PPP_SERIAL = 50,
    DECODE_LINKTYPE_RAW = 101,
    DECODE_DLT_IEEE802_11 = 105,
    DECODE_DLT_LOOP = 108,
    DECODE_DLT_IEEE802_11_RADIO = 127,
    DECODE_DLT_LINUX_SLL = 113,
    DECODE_DLT_IPV4 = 228,
    DECODE_DLT_IPV6 = 229,
    DECODE_DLT_NFLOG = 239,
    DECODE_DLT_LINUX_SLL2 = 276,
};

/* Ethertypes and PPP protocols we dispatch on. */
enum {
    ETH_IPV4 = 0x0800,
    ETH_IPV6 = 0x86dd,
    ETH_VLAN = 0x8100,
    ETH_QINQ = 0x88a8,
    ETH_QINQ_OLD = 0x9100,
    ETH_MPLS = 0x8847,
    ETH_PPPOE_SESSION = 0x8864,
    ETH_FABRICPATH = 0x8903,
    ETH_PBB = 0x88e7,
    ETH_VNTAG = 0x8926,
    PPP_IPV4 = 0x0021,
    PPP_IPV6 = 0x0057,
};

/* IP protocol numbers. */
enum {
    IPP_HOPOPTS = 0,
    IPP_ICMP = 1,
    IPP_IPIP = 4,
    IPP_TCP = 6,
    IPP_UDP = 17,
    IPP_IPV6 = 41,
    IPP_ROUTING = 43,
    IPP_FRAGMENT = 44,
    IPP_ESP = 50,
    IPP_AH = 51,
    IPP_ICMPV6 = 58,
    IPP_NONE = 59,
    IPP_DSTOPTS = 60,
};

#define DECODE_FRAG_MEM_DEFAULT ((size_t)64 << 20)
#define DECODE_FRAG_TIMEOUT_DEFAULT 60.0
/* Zeek's Tunnel::max_depth. */
#define DECODE_MAX_TUNNEL_DEPTH 2
/* Bound on stacked VLAN/PPPoE/SNAP layers walked in one frame. */
#define DECODE_MAX_LINK_LAYERS 16

struct shoal_decoder {
    int linktype;
    struct shoal_decode_opts opts;
    struct shoal_decode_stats st;
    struct shoal_frag *frag;
    /* IP-in-IP of the last frame (see shoal_decode_tunnel). */
    int tunnel_depth;
    struct shoal_addr tunnel_src;
    struct shoal_addr tunnel_dst;
};

/* State of the frame being decoded. */
struct decode_ctx {
    struct shoal_decoder *d;
    struct shoal_pkt *out;
    double ts;
    /* Addresses for flow weirds; NULL while the IP header is not validated. */
    const struct shoal_addr *wsrc;
    const struct shoal_addr *wdst;
    int depth; /* IP-in-IP levels entered */
    int vlans; /* VLAN tags seen */
    char addl[64];
};

/* The IPv6 header chain as Zeek's IPv6_Hdr_Chain walks it. */
struct decode_ip6 {
    uint32_t hdr_len;  /* bytes of the chain (IPv6 header + extension headers) */
    uint8_t last_type; /* type of the last header in the chain */
    uint8_t next;      /* next header named by the last one */
    uint32_t frag_at;  /* offset of the Fragment header when last_type is one */
    uint32_t frag_nh;  /* offset of the byte naming the Fragment header */
    bool have_home;    /* Home Address option seen */
    bool have_final;   /* routing header gave the final destination */
    struct shoal_addr src;
    struct shoal_addr dst;
};

static int decode_ip(struct decode_ctx *c, const uint8_t *p, uint32_t cap, uint32_t wire,
                     bool reassembled);

/* Stands in for a NULL frame of length 0. */
static const uint8_t decode_empty[1];

static void decode_addr4(struct shoal_addr *a, const uint8_t *p)
{
    memset(a->b, 0, 10);
    a->b[10] = 0xff;
    a->b[11] = 0xff;
    memcpy(a->b + 12, p, 4);
}

static void decode_weird(struct decode_ctx *c, const char *name, const char *addl,
                         const char *source)
{
    const struct shoal_decode_opts *o = &c->d->opts;

    if (o->weird != NULL) {
        o->weird(o->weird_ctx, name, addl, source, c->wsrc, c->wdst);
    }
}

/* Weird with explicit addresses (IPv6 option processing, fragments). */
static void decode_weird_at(struct decode_ctx *c, const char *name, const char *addl,
                            const struct shoal_addr *src, const struct shoal_addr *dst)
{
    const struct shoal_decode_opts *o = &c->d->opts;

    if (o->weird != NULL) {
        o->weird(o->weird_ctx, name, addl, NULL, src, dst);
    }
}

static void decode_frag_weird(void *ctx, const char *name, const struct shoal_frag_key *k)
{
    const struct shoal_decoder *d = ctx;

    if (d->opts.weird != NULL) {
        d->opts.weird(d->opts.weird_ctx, name, NULL, NULL, &k->src, &k->dst);
    }
}

bool shoal_decode_linktype_ok(int linktype)
{
    switch (linktype) {
    case DECODE_DLT_NULL:
    case DECODE_DLT_EN10MB:
    case DECODE_DLT_PPP:
    case DECODE_DLT_FDDI:
    case DECODE_DLT_RAW:
    case DECODE_DLT_PPP_SERIAL:
    case DECODE_LINKTYPE_RAW:
    case DECODE_DLT_LOOP:
    case DECODE_DLT_IEEE802_11:
    case DECODE_DLT_IEEE802_11_RADIO:
    case DECODE_DLT_LINUX_SLL:
    case DECODE_DLT_IPV4:
    case DECODE_DLT_IPV6:
    case DECODE_DLT_NFLOG:
    case DECODE_DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

struct shoal_decoder *shoal_decoder_new(int linktype, const struct shoal_decode_opts *opts)
{
    struct shoal_decoder *d;

    if (!shoal_decode_linktype_ok(linktype)) {
        errno = EPROTONOSUPPORT;
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        goto out_errno;
    }
    d->linktype = linktype;
    if (opts != NULL) {
        d->opts = *opts;
    }
    if (d->opts.frag_mem_max == 0) {
        d->opts.frag_mem_max = DECODE_FRAG_MEM_DEFAULT;
    }
    if (!(d->opts.frag_timeout > 0)) {
        d->opts.frag_timeout = DECODE_FRAG_TIMEOUT_DEFAULT;
    }
    d->frag = shoal_frag_new(d->opts.frag_mem_max, d->opts.frag_timeout, decode_frag_weird, d);
    if (d->frag == NULL) {
        goto out_free_decoder;
    }
    return d;

out_free_decoder:
    free(d);
out_errno:
    errno = ENOMEM;
    return NULL;
}

void shoal_decoder_free(struct shoal_decoder *d)
{
    if (d == NULL) {
        return;
    }
    shoal_frag_free(d->frag);
    free(d);
}

void shoal_decode_expire(struct shoal_decoder *d, double now)
{
    shoal_frag_expire(d->frag, now);
}

void shoal_decode_stats(const struct shoal_decoder *d, struct shoal_decode_stats *st)
{
    struct shoal_frag_stats fs;

    *st = d->st;
    shoal_frag_stats(d->frag, &fs);
    st->reassembled = fs.reassembled;
    st->frag_dropped = fs.dropped;
    st->frag_mem = fs.mem;
}

int shoal_decode_tunnel(const struct shoal_decoder *d, struct shoal_addr *outer_src,
                        struct shoal_addr *outer_dst)
{
    if (d->tunnel_depth > 0) {
        if (outer_src != NULL) {
            *outer_src = d->tunnel_src;
        }
        if (outer_dst != NULL) {
            *outer_dst = d->tunnel_dst;
        }
    }
    return d->tunnel_depth;
}

/* ---- IPv6 extension headers ------------------------------------------ */

static bool decode_ip6_is_ext(uint8_t type)
{
    switch (type) {
    case IPP_HOPOPTS:
    case IPP_ROUTING:
    case IPP_DSTOPTS:
    case IPP_FRAGMENT:
    case IPP_AH:
    case IPP_ESP:
        return true;
    default:
        return false;
    }
}

/* Routing header (RFC 8200 4.4, RFC 6275 6.4): remember the final
 * destination as Zeek's ProcessRoutingHeader does.  `e` has `len` bytes. */
static void decode_ip6_routing(struct decode_ctx *c, struct decode_ip6 *h, const uint8_t *e,
                               uint32_t len)
{
    uint8_t rlen = e[1];
    uint8_t type = e[2];
    uint8_t segleft = e[3];

    if (h->have_final) {
        decode_weird_at(c, "multiple_routing_headers", NULL, &h->src, &h->dst);
        return;
    }
    switch (type) {
    case 0:
        if (segleft > 0 && rlen >= 2) {
            if (rlen % 2 == 0) {
                memcpy(h->dst.b, e + len - 16, 16);
                h->have_final = true;
            } else {
                decode_weird_at(c, "odd_routing0_len", NULL, &h->src, &h->dst);
            }
        }
        decode_weird_at(c, "routing0_hdr", NULL, &h->src, &h->dst);
        break;
    case 2:
        if (segleft > 0) {
            if (rlen == 2) {
                memcpy(h->dst.b, e + len - 16, 16);
                h->have_final = true;
            } else {
                decode_weird_at(c, "bad_routing2_len", NULL, &h->src, &h->dst);
            }
        }
        break;
    default:
        snprintf(c->addl, sizeof(c->addl), "%u", type);
        decode_weird_at(c, "unknown_routing_type", c->addl, &h->src, &h->dst);
        break;
    }
}

/* Destination options: the Mobile IPv6 Home Address option replaces the
 * source address (RFC 6275 6.3), as in Zeek's ProcessDstOpts. */
static void decode_ip6_dstopts(struct decode_ctx *c, struct decode_ip6 *h, const uint8_t *e,
                               uint32_t len)
{
    const uint8_t *o = e + 2;
    uint32_t left = len - 2;

    while (left > 0) {
        if (o[0] == 0) { /* Pad1 */
            o++;
            left--;
            continue;
        }
        if (left < 2 || left < 2u + o[1]) {
            decode_weird_at(c, "bad_ipv6_dest_opt_len", NULL, &h->src, &h->dst);
            return;
        }
        if (o[0] == 201) {
            if (o[1] == 16) {
                if (h->have_home) {
                    decode_weird_at(c, "multiple_home_addr_opts", NULL, &h->src, &h->dst);
                } else {
                    memcpy(h->src.b, o + 2, 16);
                    h->have_home = true;
                }
            } else {
                decode_weird_at(c, "bad_home_addr_len", NULL, &h->src, &h->dst);
            }
        }
        left -= 2u + o[1];
        o += 2u + o[1];
    }
}

/*
 * Walk the header chain over the captured bytes (`cap` >= 40) as Zeek does:
 * stop after a Fragment or ESP header, at a non-extension header, or at a
 * header not wholly captured (that header is then not part of the chain).
 */
static void decode_ip6_chain(struct decode_ctx *c, const uint8_t *p, uint32_t cap,
                             struct decode_ip6 *h)
{
    uint32_t off = 40;
    uint32_t nh_off = 6;
    uint8_t type = IPP_IPV6;
    uint8_t next = p[6];

    memset(h, 0, sizeof(*h));
    memcpy(h->src.b, p + 8, 16);
    memcpy(h->dst.b, p + 24, 16);
    while (type != IPP_FRAGMENT && type != IPP_ESP && decode_ip6_is_ext(next)) {
        const uint8_t *e = p + off;
        uint32_t left = cap - off;
        uint32_t len;

        if (left < 2) {
            break;
        }
        switch (next) {
        case IPP_FRAGMENT:
        case IPP_ESP:
            len = 8;
            break;
        case IPP_AH:
            len = ((uint32_t)e[1] + 2) * 4;
            break;
        default:
            len = ((uint32_t)e[1] + 1) * 8;
            break;
        }
        if (len > left) {
            break;
        }
        type = next;
        if (type == IPP_FRAGMENT) {
            h->frag_at = off;
            h->frag_nh = nh_off;
        }
        next = e[0];
        nh_off = off;
        if (type == IPP_ROUTING) {
            decode_ip6_routing(c, h, e, len);
        } else if (type == IPP_DSTOPTS) {
            decode_ip6_dstopts(c, h, e, len);
        }
        off += len;
    }
    h->hdr_len = off;
    h->last_type = type;
    h->next = next;
}

/* ---- transport ---------------------------------------------------------- */

/*
 * The minimal transport header must be there before the flow table sees
 * the packet (Zeek's IPBasedAnalyzer::CheckHeaderTrunc).  Returns true when
 * it is; otherwise reports the weird (a flow weird, source TCP/UDP/ICMP).
 */
static bool decode_l4_ok(struct decode_ctx *c, uint8_t proto, uint32_t l4_len, uint32_t l4_cap)
{
    uint32_t min;
    const char *source;

    switch (proto) {
    case IPP_TCP:
        min = 20;
        source = "TCP";
        break;
    case IPP_UDP:
        min = 8;
        source = "UDP";
        break;
    case IPP_ICMP:
    case IPP_ICMPV6:
        min = 8;
        source = "ICMP";
        break;
    default:
        return true;
    }
    if (l4_len != 0 && l4_len < min) {
        decode_weird(c, "truncated_header", NULL, source);
        return false;
    }
    if (l4_cap < min) {
        decode_weird(c, "internally_truncated_header", NULL, source);
        return false;
    }
    return true;
}

/* ---- IP ------------------------------------------------------------------ */

/* IP-in-IP (protocol 4 or 41): check the inner packet as Zeek's
 * IP::ParsePacket does, then decode it. */
static int decode_tunnel(struct decode_ctx *c, uint8_t proto, const uint8_t *p, uint32_t cap)
{
    struct shoal_decoder *d = c->d;
    uint32_t total;

    if (c->depth >= DECODE_MAX_TUNNEL_DEPTH) {
        decode_weird(c, "exceeded_tunnel_max_depth", NULL, "IPTUNNEL");
        return -EINVAL;
    }
    if (proto == IPP_IPV6) {
        if (cap < 40) {
            decode_weird(c, "truncated_inner_IP", NULL, "IPTUNNEL");
            return -EINVAL;
        }
        if ((p[0] >> 4) != 6) {
            decode_weird(c, "invalid_inner_IP_version", NULL, "IPTUNNEL");
            return -EINVAL;
        }
        total = (uint32_t)shoal_be16(p + 4) + 40;
    } else {
        if (cap < 20 || (p[0] >> 4) != 4) {
            decode_weird(c, "invalid_inner_IP_version", NULL, "IPTUNNEL");
            return -EINVAL;
        }
        total = shoal_be16(p + 2);
    }
    if (cap < total) {
        decode_weird(c, "truncated_inner_IP", NULL, "IPTUNNEL");
        return -EINVAL;
    }
    if (cap > total) {
        decode_weird(c, "inner_IP_payload_length_mismatch", NULL, "IPTUNNEL");
        return -EINVAL;
    }
    if (c->depth == 0) {
        d->tunnel_src = c->out->src;
        d->tunnel_dst = c->out->dst;
    }
    c->depth++;
    d->tunnel_depth = c->depth;
    c->wsrc = NULL;
    c->wdst = NULL;
    return decode_ip(c, p, cap, cap, false);
}

/* Hand a fragment to the reassembler; decode the whole packet if it
 * completed.  `hdr_len` is the IPv4 header / IPv6 chain length. */
static int decode_fragment(struct decode_ctx *c, const uint8_t *p, uint32_t total, uint32_t hdr_len,
                           const struct decode_ip6 *h6)
{
    struct shoal_decoder *d = c->d;
    struct shoal_frag_key key;
    struct shoal_frag_in in;
    const uint8_t *whole;
    uint32_t whole_len;
    int rc;

    memset(&key, 0, sizeof(key));
    memset(&in, 0, sizeof(in));
    key.src = c->out->src;
    key.dst = c->out->dst;
    in.ip_total = total;
    if (h6 == NULL) {
        uint16_t fl = shoal_be16(p + 6);

        key.version = 4;
        key.id = shoal_be16(p + 4);
        key.proto = p[9];
        in.hdr = p;
        in.hdr_len = hdr_len;
        in.payload = p + hdr_len;
        in.len = total - hdr_len;
        in.offset = (uint32_t)(fl & 0x1fff) * 8;
        in.more = (fl & 0x2000) != 0;
        in.df = (fl & 0x4000) != 0;
    } else {
        const uint8_t *fh = p + h6->frag_at;
        uint16_t ol = shoal_be16(fh + 2);

        key.version = 6;
        key.id = shoal_be32(fh + 4);
        key.proto = fh[0];
        in.hdr = p;
        in.hdr_len = h6->frag_at;
        in.nh_off = h6->frag_nh;
        in.payload = p + hdr_len;
        in.len = total - hdr_len;
        in.offset = ol & 0xfff8;
        in.more = (ol & 1) != 0;
    }
    d->st.fragments++;
    shoal_frag_expire(d->frag, c->ts);
    rc = shoal_frag_add(d->frag, c->ts, &key, &in, &whole, &whole_len);
    if (rc <= 0) {
        return 0;
    }
    c->wsrc = NULL;
    c->wdst = NULL;
    return decode_ip(c, whole, whole_len, whole_len, true);
}

/* An IP header as decode_ip reads it (the IPv6 header chain apart, so
 * that this one stays in registers). */
struct decode_iph {
    uint32_t total;   /* IP total length (from the capture if the header says 0) */
    uint32_t hdr_len; /* IPv4 header, or IPv6 header chain */
    uint8_t version;
    uint8_t proto;
    bool is_frag;
    bool frag_first; /* not a fragment, or the first */
    bool len_zero;   /* IPv4 total length 0, taken from the capture */
};

/*
 * Check the IP header at p (version, lengths against the capture and the
 * wire) and read its lengths into *h, an IPv6 header chain into *h6.  0,
 * or -EINVAL with a net weird (the addresses are not trusted yet).
 */
static inline int decode_ip_header(struct decode_ctx *c, const uint8_t *p, uint32_t cap,
                                   uint32_t wire, struct decode_iph *h, struct decode_ip6 *h6)
{
    if (cap < 20) {
        decode_weird(c, "truncated_IP", NULL, "IP");
        return -EINVAL;
    }
    h->version = p[0] >> 4;
    h->len_zero = false;
    if (h->version == 4) {
        h->total = shoal_be16(p + 2);
        h->hdr_len = (uint32_t)(p[0] & 0x0f) * 4;
    } else if (h->version == 6) {
        if (cap < 40) {
            decode_weird(c, "truncated_IP", NULL, "IP");
            return -EINVAL;
        }
        decode_ip6_chain(c, p, cap, h6);
        h->total = (uint32_t)shoal_be16(p + 4) + 40;
        h->hdr_len = h6->hdr_len;
    } else {
        decode_weird(c, "unknown_ip_version", NULL, "IP");
        return -EINVAL;
    }
    if (h->total == 0) {
        /* TCP segmentation offload can zero the IPv4 length. */
        decode_weird(c, "ip_hdr_len_zero", NULL, "IP");
        if (!c->d->opts.ignore_checksums) {
            return -EINVAL;
        }
        h->total = cap;
        h->len_zero = true;
    }
    if (wire < h->total) {
        decode_weird(c, "truncated_IP_len", NULL, "IP");
        return -EINVAL;
    }
    if (h->hdr_len > h->total) {
        decode_weird(c, "invalid_IP_header_size", NULL, "IP");
        return -EINVAL;
    }
    if (h->hdr_len > cap) {
        decode_weird(c, "internally_truncated_header", NULL, "IP");
        return -EINVAL;
    }
    if (h->version == 4 && h->hdr_len < 20) {
        decode_weird(c, "IPv4_min_header_size", NULL, "IP");
        return -EINVAL;
    }
    return 0;
}

/* The header is sound: set the packet's addresses (from here on weirds
 * carry them), TTL, protocol and fragment bits. */
static inline void decode_ip_addrs(struct decode_ctx *c, const uint8_t *p, struct decode_iph *h,
                                   const struct decode_ip6 *h6)
{
    struct shoal_pkt *out = c->out;

    out->ip_version = h->version;
    h->frag_first = true;
    if (h->version == 4) {
        decode_addr4(&out->src, p + 12);
        decode_addr4(&out->dst, p + 16);
        out->ttl = p[8];
        h->proto = p[9];
        h->is_frag = (shoal_be16(p + 6) & 0x3fff) != 0;
        h->frag_first = (shoal_be16(p + 6) & 0x1fff) == 0;
    } else {
        out->src = h6->src;
        out->dst = h6->dst;
        out->ttl = p[7];
        h->proto = h6->next;
        h->is_frag = h6->last_type == IPP_FRAGMENT;
        if (h->is_frag) {
            h->frag_first = (shoal_be16(p + h6->frag_at + 2) & 0xfff8) == 0;
        }
    }
    c->wsrc = &out->src;
    c->wdst = &out->dst;
}

/*
 * The payload of a sound, unfragmented (or reassembled) IP packet: an
 * inner IP packet goes to decode_tunnel; a transport header must be there
 * (decode_l4_ok); then c->out is filled.  Returns as decode_ip.
 */
static inline int decode_ip_payload(struct decode_ctx *c, const uint8_t *p, uint32_t cap,
                                    const struct decode_iph *h, bool reassembled)
{
    struct shoal_pkt *out = c->out;
    uint32_t total = h->total;
    uint32_t ip_cap = shoal_min_u32(cap, total);
    uint32_t l4_len = total - h->hdr_len;
    uint32_t l4_cap = ip_cap - h->hdr_len;
    uint32_t hdr_payload = h->len_zero ? 0 : l4_len; /* payload length the IP header gives */

    if (h->version == 6 && total == 40 && cap > h->hdr_len) {
        /* Payload length 0 (segmentation offload, jumbogram): like Zeek,
         * go by what was captured. */
        ip_cap = total = cap;
        l4_len = l4_cap = cap - h->hdr_len;
    }
    if (h->proto == IPP_IPIP || h->proto == IPP_IPV6) {
        return decode_tunnel(c, h->proto, p + h->hdr_len, l4_cap);
    }
    if (!decode_l4_ok(c, h->proto, hdr_payload, l4_cap)) {
        return -EINVAL;
    }
    out->ts = c->ts;
    out->ip = p;
    out->ip_cap = ip_cap;
    out->ip_total = total;
    out->proto = h->proto;
    out->reassembled = reassembled;
    out->l4 = p + h->hdr_len;
    out->l4_len = l4_len;
    out->l4_cap = l4_cap;
    return 1;
}

/*
 * Decode an IP packet of `cap` captured bytes (`wire` on the wire from this
 * point).  Fills c->out and returns 1, or 0 / negative as shoal_decode.
 */
static int decode_ip(struct decode_ctx *c, const uint8_t *p, uint32_t cap, uint32_t wire,
                     bool reassembled)
{
    struct decode_iph h;
    struct decode_ip6 h6 = {0};

    if (decode_ip_header(c, p, cap, wire, &h, &h6) < 0) {
        return -EINVAL;
    }
    decode_ip_addrs(c, p, &h, &h6);
    if (h.version == 4 && !reassembled && !c->d->opts.ignore_checksums &&
        shoal_csum_fold(shoal_csum_add(0, p, h.hdr_len)) != 0xffff) {
        decode_weird(c, "bad_IP_checksum", NULL, "IP");
        return -EINVAL;
    }
    if (h.is_frag && !reassembled) {
        if (cap >= h.total) {
            return decode_fragment(c, p, h.total, h.hdr_len, h.version == 6 ? &h6 : NULL);
        }
        decode_weird(c, "incompletely_captured_fragment", NULL, "IP");
        /* Reassembly is doomed; keep only a first fragment (useful in
         * header-only traces), analysed as it is. */
        if (!h.frag_first) {
            return -EINVAL;
        }
    }
    if (h.proto == IPP_ESP || (h.version == 6 && h6.last_type == IPP_ESP)) {
        /* Encrypted payload: nothing for the flow table (as Zeek). */
        c->d->st.non_ip++;
        return 0;
    }
    if (h.proto == IPP_NONE) {
        decode_weird(c, "ipv6_no_next", NULL, "IP");
        return -EINVAL;
    }
    return decode_ip_payload(c, p, cap, &h, reassembled);
}

/* ---- link layers ---------------------------------------------------------- */

/* Where the network layer starts, and what it is. */
struct decode_l2 {
    uint32_t off;   /* offset of the payload in the frame */
    uint32_t proto; /* ethertype (or equivalent after mapping) */
};

/* Result of a link-layer step. */
enum decode_l2_result {
    L2_NEXT = 1,  /* *l2 holds the next ethertype and offset */
    L2_OTHER = 0, /* not IP: consume */
    L2_BAD = -1,  /* malformed: a weird was reported */
};

/* IEEE 802.3 payload: SNAP with OUI 0 carries an ethertype. */
static enum decode_l2_result decode_llc(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                        struct decode_l2 *l2)
{
    const uint8_t *p = f + l2->off;
    uint32_t len = cap - l2->off;
    uint32_t llc;

    if (len < 2 || p[0] != 0xaa || p[1] != 0xaa) {
        return L2_OTHER; /* LLC or Novell raw 802.3 */
    }
    if (len < 3) {
        decode_weird(c, "truncated_snap_llc_header", NULL, "SNAP");
        return L2_BAD;
    }
    llc = (p[2] & 0x03) == 0x03 ? 3 : 4;
    if (len < llc + 5) {
        decode_weird(c, "truncated_snap_header", NULL, "SNAP");
        return L2_BAD;
    }
    if (p[llc] != 0 || p[llc + 1] != 0 || p[llc + 2] != 0) {
        return L2_OTHER;
    }
    l2->proto = shoal_be16(p + llc + 3);
    l2->off += llc + 5;
    return L2_NEXT;
}

static enum decode_l2_result decode_ethernet(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                             struct decode_l2 *l2)
{
    uint32_t off = 0;
    uint32_t type;

    if (cap <= 16) {
        decode_weird(c, "truncated_ethernet_frame", NULL, "ETHERNET");
        return L2_BAD;
    }
    if (f[12] == 0x89 && f[13] == 0x03) { /* Cisco FabricPath */
        if (16 + 14 >= cap) {
            decode_weird(c, "truncated_link_header_cfp", NULL, "ETHERNET");
            return L2_BAD;
        }
        off = 16;
    }
    type = shoal_be16(f + off + 12);
    l2->off = off + 14;
    if (type >= 1536) {
        l2->proto = type;
        return L2_NEXT;
    }
    if (type <= 1500) {
        if (cap - l2->off < type) {
            decode_weird(c, "truncated_ethernet_frame", NULL, "ETHERNET");
            return L2_BAD;
        }
        return decode_llc(c, f, cap, l2);
    }
    decode_weird(c, "undefined_ether_type", NULL, "ETHERNET");
    return L2_BAD;
}

/* PPP protocol field (after optional HDLC address/control) to ethertype. */
static enum decode_l2_result decode_ppp_proto(uint32_t ppp, struct decode_l2 *l2)
{
    if (ppp == PPP_IPV4) {
        l2->proto = ETH_IPV4;
        return L2_NEXT;
    }
    if (ppp == PPP_IPV6) {
        l2->proto = ETH_IPV6;
        return L2_NEXT;
    }
    return L2_OTHER;
}

static enum decode_l2_result decode_ppp(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                        struct decode_l2 *l2)
{
    if (cap <= 2) {
        decode_weird(c, "truncated_ppp_header", NULL, "PPP");
        return L2_BAD;
    }
    if (f[0] == 0xff && f[1] == 0x03) {
        if (cap <= 4) {
            decode_weird(c, "truncated_ppp_hdlc_header", NULL, "PPP");
            return L2_BAD;
        }
        l2->off = 4;
        return decode_ppp_proto(shoal_be16(f + 2), l2);
    }
    l2->off = 2;
    return decode_ppp_proto(shoal_be16(f), l2);
}

/* DLT_NULL / DLT_LOOP: a 4-byte address family, in the capturing host's
 * order (NULL) or network order (LOOP); accept either. */
static enum decode_l2_result decode_null(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                         struct decode_l2 *l2)
{
    uint32_t fam;

    if (cap <= 4) {
        decode_weird(c, "null_analyzer_failed", NULL, "NULL");
        return L2_BAD;
    }
    fam = shoal_le32(f);
    if (fam > 0xffff) {
        fam = shoal_be32(f);
    }
    l2->off = 4;
    switch (fam) {
    case 2:
        l2->proto = ETH_IPV4;
        return L2_NEXT;
    case 24:
    case 28:
    case 30:
        l2->proto = ETH_IPV6;
        return L2_NEXT;
    default:
        return L2_OTHER;
    }
}

/* NFLOG: 4-byte header, then TLVs (host byte order) up to NFULA_PAYLOAD. */
static enum decode_l2_result decode_nflog(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                          struct decode_l2 *l2, uint32_t *limit)
{
    uint32_t off = 4;

    if (cap <= 4) {
        decode_weird(c, "truncated_nflog_header", NULL, "NFLOG");
        return L2_BAD;
    }
    if (f[1] != 0) {
        decode_weird(c, "unknown_nflog_version", NULL, "NFLOG");
        return L2_BAD;
    }
    for (;;) {
        uint32_t tlv_len;
        uint32_t tlv_type;

        if (cap - off <= 4) {
            decode_weird(c, "nflog_no_pcap_payload", NULL, "NFLOG");
            return L2_BAD;
        }
        tlv_len = shoal_he16(f + off);
        tlv_type = shoal_he16(f + off + 2);
        if (tlv_type == 9) { /* NFULA_PAYLOAD */
            l2->off = off + 4;
            if (tlv_len >= 4 && tlv_len - 4 < cap - l2->off) {
                *limit = l2->off + (tlv_len - 4);
            }
            break;
        }
        if (tlv_len < 4) {
            decode_weird(c, "nflog_bad_tlv_len", NULL, "NFLOG");
            return L2_BAD;
        }
        tlv_len = (tlv_len + 3) & ~3u;
        if (tlv_len >= cap - off) {
            decode_weird(c, "nflog_no_pcap_payload", NULL, "NFLOG");
            return L2_BAD;
        }
        off += tlv_len;
    }
    switch (f[0]) {
    case 2:
        l2->proto = ETH_IPV4;
        return L2_NEXT;
    case 10:
        l2->proto = ETH_IPV6;
        return L2_NEXT;
    default:
        return L2_OTHER;
    }
}

/* The LLC/SNAP header of an 802.11 payload at f + l2->off: only SNAP with
 * OUI 0 (an ethertype) is followed, as Zeek's IEEE802_11 analyzer does. */
static enum decode_l2_result decode_80211_llc(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                              struct decode_l2 *l2)
{
    const uint8_t *p = f + l2->off;

    if (cap - l2->off < 8) {
        decode_weird(c, "truncated_802_11_llc_header", NULL, "IEEE802_11");
        return L2_BAD;
    }
    if (p[0] != 0xaa || p[1] != 0xaa || p[2] != 0x03 || p[3] != 0 || p[4] != 0 || p[5] != 0) {
        return L2_OTHER;
    }
    l2->proto = shoal_be16(p + 6);
    l2->off += 8;
    /* Zeek maps IPv4, IPv6 and ARP under 802.11, nothing else. */
    return l2->proto == ETH_IPV4 || l2->proto == ETH_IPV6 ? L2_NEXT : L2_OTHER;
}

/*
 * An IEEE 802.11 frame (at f + l2->off): data frames only, past the
 * fourth address of a frame between distribution systems and the QoS
 * control field; protected (encrypted) QoS frames and A-MSDU aggregates
 * are passed over.  Zeek's IEEE802_11 analyzer, in its order.
 */
static enum decode_l2_result decode_80211(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                          struct decode_l2 *l2)
{
    const uint8_t *p = f + l2->off;
    uint32_t len = cap - l2->off;
    uint32_t hdr = 24; /* a data frame's header without the optional parts */

    if (hdr >= len) {
        decode_weird(c, "truncated_802_11_header", NULL, "IEEE802_11");
        return L2_BAD;
    }
    if (!((p[0] >> 2) & 0x02) || ((p[0] >> 4) & 0x04)) {
        return L2_OTHER; /* management or control, or a data subtype without data */
    }
    if ((p[1] & 0x03) == 0x03) {
        hdr += 6; /* to and from the DS: a fourth address */
    }
    if (hdr >= len) {
        decode_weird(c, "truncated_802_11_header", NULL, "IEEE802_11");
        return L2_BAD;
    }
    if ((p[0] >> 4) & 0x08) { /* QoS data */
        if ((p[hdr] & 0x80) || (p[1] & 0x40)) {
            return L2_OTHER; /* an A-MSDU aggregate, or protected */
        }
        hdr += 2;
    }
    if (hdr >= len) {
        decode_weird(c, "truncated_802_11_header", NULL, "IEEE802_11");
        return L2_BAD;
    }
    l2->off += hdr;
    return decode_80211_llc(c, f, cap, l2);
}

/* A radiotap header (its length little-endian at offset 2), then 802.11. */
static enum decode_l2_result decode_radiotap(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                             struct decode_l2 *l2)
{
    if (cap <= 3) {
        decode_weird(c, "truncated_radiotap_header", NULL, "IEEE802_11_RADIO");
        return L2_BAD;
    }
    uint32_t rt = shoal_le16(f + 2);
    if (rt >= cap) {
        decode_weird(c, "truncated_radiotap_header", NULL, "IEEE802_11_RADIO");
        return L2_BAD;
    }
    l2->off = rt;
    return decode_80211(c, f, cap, l2);
}

/* The first link layer of the frame. */
static enum decode_l2_result decode_link(struct decode_ctx *c, const uint8_t *f, uint32_t *cap,
                                         struct decode_l2 *l2)
{
    switch (c->d->linktype) {
    case DECODE_DLT_EN10MB:
        return decode_ethernet(c, f, *cap, l2);
    case DECODE_DLT_LINUX_SLL:
        if (*cap <= 16) {
            decode_weird(c, "truncated_Linux_SLL_header", NULL, "LINUX_SLL");
            return L2_BAD;
        }
        l2->off = 16;
        l2->proto = shoal_be16(f + 14);
        return L2_NEXT;
    case DECODE_DLT_LINUX_SLL2:
        if (*cap <= 20) {
            decode_weird(c, "truncated_Linux_SLL2_header", NULL, "LINUX_SLL2");
            return L2_BAD;
        }
        l2->off = 20;
        l2->proto = shoal_be16(f);
        return L2_NEXT;
    case DECODE_DLT_NULL:
    case DECODE_DLT_LOOP:
        return decode_null(c, f, *cap, l2);
    case DECODE_DLT_NFLOG:
        return decode_nflog(c, f, *cap, l2, cap);
    case DECODE_DLT_PPP:
    case DECODE_DLT_PPP_SERIAL:
        return decode_ppp(c, f, *cap, l2);
    case DECODE_DLT_IEEE802_11:
        l2->off = 0;
        return decode_80211(c, f, *cap, l2);
    case DECODE_DLT_FDDI: /* FDDI header and LLC skipped; IP by its version */
        if (*cap <= 21) {
            decode_weird(c, "FDDI_analyzer_failed", NULL, NULL);
            return L2_BAD;
        }
        l2->off = 21;
        l2->proto = ETH_IPV4;
        return L2_NEXT;
    case DECODE_DLT_IEEE802_11_RADIO:
        return decode_radiotap(c, f, *cap, l2);
    default: /* raw IP: the IP analyzer tells v4 from v6 */
        l2->off = 0;
        l2->proto = ETH_IPV4;
        return L2_NEXT;
    }
}

/*
 * The PBB (802.1ah) or VN-Tag header at f + l2->off: skip it and set
 * l2->proto to the ethertype after it (L2_NEXT), or report its weird.
 */
static enum decode_l2_result decode_pbb_vntag(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                              struct decode_l2 *l2)
{
    const uint8_t *p = f + l2->off;
    uint32_t len = cap - l2->off;

    if (l2->proto == ETH_VNTAG) { /* six bytes, the next ethertype last */
        if (len <= 6) {
            decode_weird(c, "truncated_vntag_header", NULL, "VNTAG");
            return L2_BAD;
        }
        l2->proto = shoal_be16(p + 4);
        l2->off += 6;
        return L2_NEXT;
    }
    /* PBB: the I-TAG, then the customer's Ethernet header */
    if (len <= 18) {
        decode_weird(c, "truncated_PBB_header", NULL, "PBB");
        return L2_BAD;
    }
    uint32_t type = shoal_be16(p + 16);
    l2->off += 18;
    if (type >= 1536) {
        l2->proto = type;
        return L2_NEXT;
    }
    if (type > 1500) {
        decode_weird(c, "undefined_ether_type", NULL, "ETHERNET");
        return L2_BAD;
    }
    return decode_llc(c, f, cap, l2);
}

/*
 * Follow ethertypes through VLAN tags, MPLS, PPPoE, PBB and VN-Tag to IP.  Returns
 * L2_NEXT with l2->proto ETH_IPV4/ETH_IPV6 at l2->off, or L2_OTHER/L2_BAD.
 */
static enum decode_l2_result decode_ethertype(struct decode_ctx *c, const uint8_t *f, uint32_t cap,
                                              struct decode_l2 *l2)
{
    for (int layer = 0; layer < DECODE_MAX_LINK_LAYERS; layer++) {
        const uint8_t *p = f + l2->off;
        uint32_t len = cap - l2->off;

        switch (l2->proto) {
        case ETH_IPV4:
        case ETH_IPV6:
            return L2_NEXT;
        case ETH_VLAN:
        case ETH_QINQ:
        case ETH_QINQ_OLD: {
            uint16_t id;
            uint32_t type;

            if (len <= 4) {
                decode_weird(c, "truncated_VLAN_header", NULL, "VLAN");
                return L2_BAD;
            }
            id = shoal_be16(p) & 0x0fff;
            if (c->vlans++ == 0) {
                c->out->vlan = id;
            } else {
                if (c->vlans > 2) {
                    snprintf(c->addl, sizeof(c->addl), "overwrote inner vlan ID of %u with %u",
                             c->out->inner_vlan, id);
                    decode_weird(c, "triple_tagged_vlan_unsupported", c->addl, "VLAN");
                }
                c->out->inner_vlan = id;
            }
            type = shoal_be16(p + 2);
            l2->off += 4;
            if (type >= 1536) {
                l2->proto = type;
                break;
            }
            if (type <= 1500) {
                enum decode_l2_result r = decode_llc(c, f, cap, l2);

                if (r != L2_NEXT) {
                    return r;
                }
                break;
            }
            decode_weird(c, "undefined_vlan_protocol", NULL, "VLAN");
            return L2_BAD;
        }
        case ETH_MPLS: {
            bool bottom = false;

            while (!bottom) {
                if (cap - l2->off <= 4) {
                    decode_weird(c, "truncated_link_header", NULL, "MPLS");
                    return L2_BAD;
                }
                bottom = (f[l2->off + 2] & 0x01) != 0;
                l2->off += 4;
            }
            /* No protocol field: the IP analyzer reads the version nibble. */
            l2->proto = ETH_IPV4;
            return L2_NEXT;
        }
        case ETH_PBB:
        case ETH_VNTAG: {
            enum decode_l2_result r = decode_pbb_vntag(c, f, cap, l2);

            if (r != L2_NEXT) {
                return r;
            }
            break;
        }
        case ETH_PPPOE_SESSION:
            if (len <= 8) {
                decode_weird(c, "truncated_pppoe_header", NULL, "PPPOE");
                return L2_BAD;
            }
            l2->off += 8;
            if (decode_ppp_proto(shoal_be16(p + 6), l2) != L2_NEXT) {
                return L2_OTHER;
            }
            break;
        default:
            return L2_OTHER;
        }
    }
    return L2_OTHER;
}

int shoal_decode(struct shoal_decoder *d, double ts, const uint8_t *frame, uint32_t caplen,
                 uint32_t wirelen, struct shoal_pkt *out)
{
    struct decode_ctx c;
    struct decode_l2 l2 = {0, 0};
    uint32_t cap = caplen;
    uint32_t wire;
    int rc;

    memset(out, 0, sizeof(*out));
    c.d = d;
    c.out = out;
    c.ts = ts;
    c.wsrc = NULL;
    c.wdst = NULL;
    c.depth = 0;
    c.addl[0] = '\0';
    d->tunnel_depth = 0;
    d->st.frames++;
    c.vlans = 0;
    if (frame == NULL) {
        frame = decode_empty;
        cap = 0;
    }
    switch (decode_link(&c, frame, &cap, &l2)) {
    case L2_NEXT:
        break;
    case L2_OTHER:
        d->st.non_ip++;
        return 0;
    default:
        d->st.malformed++;
        return -EINVAL;
    }
    switch (decode_ethertype(&c, frame, cap, &l2)) {
    case L2_NEXT:
        break;
    case L2_OTHER:
        d->st.non_ip++;
        return 0;
    default:
        d->st.malformed++;
        return -EINVAL;
    }
    wire = wirelen > caplen ? wirelen : caplen;
    wire = wire > l2.off ? wire - l2.off : 0;
    rc = decode_ip(&c, frame + l2.off, cap - l2.off, wire, false);
    if (rc > 0) {
        d->st.ip_packets++;
    } else if (rc < 0) {
        d->st.malformed++;
    }
    return rc;
}

bool shoal_l4_checksum_ok(const struct shoal_pkt *p)
{
    uint64_t sum = 0;
    uint8_t ph[4];

    if (p->l4 == NULL || p->l4_cap < p->l4_len) {
        return true;
    }
    switch (p->proto) {
    case IPP_TCP:
    case IPP_UDP:
    case IPP_ICMPV6:
        break;
    case IPP_ICMP:
        if (p->ip_version == 4) {
            return shoal_csum_fold(shoal_csum_add(0, p->l4, p->l4_len)) == 0xffff;
        }
        return true;
    default:
        return true;
    }
    if (p->ip_version == 4) {
        if (p->proto == IPP_UDP && p->l4_len >= 8 && shoal_be16(p->l4 + 6) == 0) {
            return true; /* no checksum */
        }
        sum = shoal_csum_add(sum, p->src.b + 12, 4);
        sum = shoal_csum_add(sum, p->dst.b + 12, 4);
        ph[0] = 0;
        ph[1] = p->proto;
        shoal_put_be16(ph + 2, (uint16_t)p->l4_len);
        sum = shoal_csum_add(sum, ph, 4);
    } else {
        sum = shoal_csum_add(sum, p->src.b, 16);
        sum = shoal_csum_add(sum, p->dst.b, 16);
        sum += p->l4_len; /* 32-bit upper-layer length */
        sum += p->proto;  /* three zero bytes and the next header */
    }
    sum = shoal_csum_add(sum, p->l4, p->l4_len);
    return shoal_csum_fold(sum) == 0xffff;
}
