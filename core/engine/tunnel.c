/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel decapsulation (see tunnel.h).
 *
 * The UDP tunnels are in tunnel_udp.c.  Here: GRE versions 0 and 1 (with
 * transparent Ethernet bridging, ERSPAN II/III and Aruba's 802.11 frames),
 * over IP or, for tunnel_udp.c, over UDP; IP-in-IP, which the decoder takes
 * off; the inner decoders; tunnel.log.
 *
 * Two small open-addressing tables hold the state that outlives a packet:
 * the IP tunnels by address pair (Zeek's ip_tunnels: one uid per pair,
 * forgotten after a day without packets) and the tunnels tunnel.log has
 * announced (Zeek's Tunnel::active).  They grow only when a new tunnel
 * appears, never per packet.
 */
#include "engine/tunnel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/conn.h"
#include "engine/decode.h"
#include "engine/tunnel_int.h"
#include "lib/diag.h"
#include "framework/log.h"
#include "lib/util.h"

/* pcap link types of the inner decoders. */
#define TUN_LINKTYPE_RAW 101
#define TUN_DLT_EN10MB 1
#define TUN_DLT_IEEE802_11 105

/* Zeek's Tunnel::ip_tunnel_timeout. */
#define TUN_IP_TIMEOUT 86400.0
/* Bounds on the two tables (entries). */
#define TUN_IP_MAX (1u << 16)
#define TUN_ACTIVE_MAX (1u << 20)
#define TUN_TABLE_MIN 64

/* A tunnel tunnel.log has announced (Tunnel::active). */
struct tun_active {
    uint64_t serial; /* 0: free slot */
    struct shoal_conn_id id;
    uint8_t type;
};

/* An IP tunnel: the uid Zeek keeps per address pair. */
struct tun_ip {
    bool used;
    uint8_t type;
    struct shoal_addr lo, hi;   /* the pair, sorted */
    struct shoal_addr src, dst; /* as first seen */
    uint64_t serial;
    double last;
};

struct shoal_tunnels {
    struct shoal_ctx *x;
    struct shoal_stream *log;
    struct shoal_decoder *dec[SHOAL_TUNNEL_MAX_DEPTH][TUN_LINK_N];
    struct tun_active *act;
    size_t act_cap; /* power of two */
    size_t act_n;
    struct tun_ip *ip;
    size_t ip_cap; /* power of two */
    size_t ip_n;
    double last_expire;
};

static const struct shoal_field tunnel_fields[] = {
    {"ts", SHOAL_T_TIME, 0},          {"uid", SHOAL_T_STRING, 0},
    {"id.orig_h", SHOAL_T_ADDR, 0},   {"id.orig_p", SHOAL_T_PORT, 0},
    {"id.resp_h", SHOAL_T_ADDR, 0},   {"id.resp_p", SHOAL_T_PORT, 0},
    {"tunnel_type", SHOAL_T_ENUM, 0}, {"action", SHOAL_T_ENUM, 0},
};
#define TUNNEL_NFIELDS (sizeof(tunnel_fields) / sizeof(tunnel_fields[0]))

static const char *const tunnel_type_names[] = {
    [SHOAL_TUNNEL_NONE] = "Tunnel::NONE",   [SHOAL_TUNNEL_IP] = "Tunnel::IP",
    [SHOAL_TUNNEL_AYIYA] = "Tunnel::AYIYA", [SHOAL_TUNNEL_TEREDO] = "Tunnel::TEREDO",
    [SHOAL_TUNNEL_GRE] = "Tunnel::GRE",     [SHOAL_TUNNEL_VXLAN] = "Tunnel::VXLAN",
    [SHOAL_TUNNEL_GTPV1] = "Tunnel::GTPv1", [SHOAL_TUNNEL_GENEVE] = "Tunnel::GENEVE",
};
#define TUNNEL_NTYPES (sizeof(tunnel_type_names) / sizeof(tunnel_type_names[0]))

/* ---- set-up ---- */

/* Decoder weirds of inner packets: Zeek names them "<name>_in_tunnel". */
static void tun_decode_weird(void *arg, const char *name, const char *addl, const char *source,
                             const struct shoal_addr *src, const struct shoal_addr *dst)
{
    struct shoal_tunnels *t = arg;
    char nm[128];

    snprintf(nm, sizeof(nm), "%s_in_tunnel", name);
    shoal_ctx_net_weird(t->x, nm, addl, source, src, dst);
}

struct shoal_tunnels *shoal_tunnels_new(struct shoal_ctx *x)
{
    struct shoal_tunnels *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    t->x = x;
    t->log = shoal_log_open(shoal_ctx_logger(x), "tunnel", tunnel_fields, TUNNEL_NFIELDS);
    return t;
}

void shoal_tunnels_free(struct shoal_tunnels *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < SHOAL_TUNNEL_MAX_DEPTH; i++) {
        for (size_t j = 0; j < TUN_LINK_N; j++) {
            shoal_decoder_free(t->dec[i][j]);
        }
    }
    free(t->act);
    free(t->ip);
    free(t);
}

void shoal_tunnels_expire(struct shoal_tunnels *t, double now)
{
    if (t == NULL || now - t->last_expire < 1.0) {
        return;
    }
    t->last_expire = now;
    for (size_t i = 0; i < SHOAL_TUNNEL_MAX_DEPTH; i++) {
        for (size_t j = 0; j < TUN_LINK_N; j++) {
            if (t->dec[i][j] != NULL) {
                shoal_decode_expire(t->dec[i][j], now);
            }
        }
    }
}

/* The decoder for packets at nesting level `depth` (1-based) of link kind
 * `link`, made on first use.  NULL on OOM (logged once per call). */
static struct shoal_decoder *tun_decoder(struct shoal_tunnels *t, unsigned depth, int link)
{
    struct shoal_decoder **slot = &t->dec[depth - 1][link];

    if (*slot == NULL) {
        const struct shoal_config *cfg = shoal_ctx_config(t->x);
        struct shoal_decode_opts o = {
            .ignore_checksums = cfg->ignore_checksums,
            .frag_mem_max = cfg->frag_mem_max,
            .frag_timeout = cfg->frag_timeout,
            .weird = tun_decode_weird,
            .weird_ctx = t,
        };
        static const int dlt[TUN_LINK_N] = {
            [TUN_LINK_RAW] = TUN_LINKTYPE_RAW,
            [TUN_LINK_ETH] = TUN_DLT_EN10MB,
            [TUN_LINK_80211] = TUN_DLT_IEEE802_11,
        };
        *slot = shoal_decoder_new(dlt[link], &o);
        if (*slot == NULL) {
            shoal_err("tunnel", "shoal_decoder_new: out of memory: inner packet dropped");
        }
    }
    return *slot;
}

/* ---- helpers ---- */

static inline bool addr_eq(const struct shoal_addr *a, const struct shoal_addr *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

/* A weird about a packet that came through `e`: Zeek adds "_in_tunnel". */
void shoal_tun_flow_weird(struct shoal_ctx *x, const struct shoal_encap *e, const char *name,
                          const char *addl, const char *source, const struct shoal_pkt *p)
{
    char nm[128];

    if (e != NULL && e->depth > 0) {
        snprintf(nm, sizeof(nm), "%s_in_tunnel", name);
        name = nm;
    }
    shoal_ctx_net_weird(x, name, addl, source, &p->src, &p->dst);
}

uint64_t shoal_encap_sig(const struct shoal_encap *e)
{
    uint64_t v[SHOAL_TUNNEL_MAX_DEPTH];

    if (e == NULL || e->depth == 0) {
        return 0;
    }
    for (unsigned i = 0; i < e->depth; i++) {
        v[i] = e->lvl[i].serial;
    }
    uint64_t h = XXH3_64bits(v, e->depth * sizeof(v[0]));
    return h != 0 ? h : 1;
}

void shoal_tunnel_services(uint8_t confirmed, char *buf, size_t len)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } names[] = {
        {SHOAL_TUNNEL_BIT_TEREDO, "teredo"}, {SHOAL_TUNNEL_BIT_AYIYA, "ayiya"},
        {SHOAL_TUNNEL_BIT_VXLAN, "vxlan"},   {SHOAL_TUNNEL_BIT_GENEVE, "geneve"},
        {SHOAL_TUNNEL_BIT_GTPV1, "gtpv1"},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (confirmed & names[i].bit) {
            size_t n = strlen(buf);
            if (n < len) {
                snprintf(buf + n, len - n, "%s%s", n ? "," : "", names[i].name);
            }
        }
    }
}

/* ---- tunnel.log and Tunnel::active ---- */

static size_t act_slot(uint64_t serial, size_t cap)
{
    return (size_t)(XXH3_64bits(&serial, sizeof(serial)) & (cap - 1));
}

static struct tun_active *act_find(struct shoal_tunnels *t, uint64_t serial)
{
    if (t->act_cap == 0) {
        return NULL;
    }
    for (size_t i = act_slot(serial, t->act_cap);; i = (i + 1) & (t->act_cap - 1)) {
        if (t->act[i].serial == serial) {
            return &t->act[i];
        }
        if (t->act[i].serial == 0) {
            return NULL;
        }
    }
}

static int act_grow(struct shoal_tunnels *t)
{
    size_t nc = t->act_cap ? t->act_cap * 2 : TUN_TABLE_MIN;
    struct tun_active *n = calloc(nc, sizeof(*n));

    if (n == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < t->act_cap; i++) {
        if (t->act[i].serial != 0) {
            size_t j = act_slot(t->act[i].serial, nc);
            while (n[j].serial != 0) {
                j = (j + 1) & (nc - 1);
            }
            n[j] = t->act[i];
        }
    }
    free(t->act);
    t->act = n;
    t->act_cap = nc;
    return 0;
}

/* Remove an entry, shifting later members of its cluster back. */
static void act_remove(struct shoal_tunnels *t, struct tun_active *e)
{
    size_t mask = t->act_cap - 1;
    size_t i = (size_t)(e - t->act);
    size_t j = i;

    t->act[i].serial = 0;
    t->act_n--;
    for (;;) {
        j = (j + 1) & mask;
        if (t->act[j].serial == 0) {
            return;
        }
        size_t k = act_slot(t->act[j].serial, t->act_cap);
        /* Move j back to i if its home k is not cyclically in (i, j]. */
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            t->act[i] = t->act[j];
            t->act[j].serial = 0;
            i = j;
        }
    }
}

static void tun_log(struct shoal_tunnels *t, uint64_t serial, const struct shoal_conn_id *id,
                    uint8_t type, const char *action)
{
    struct shoal_value v[TUNNEL_NFIELDS];
    char uid[32];

    if (t->log == NULL) {
        return;
    }
    v[0] = shoal_v_double(shoal_ctx_now(t->x));
    v[1] = shoal_v_str(shoal_ctx_uid(t->x, serial, uid));
    v[2] = shoal_v_addr(&id->orig_h);
    v[3] = shoal_v_count(id->orig_p);
    v[4] = shoal_v_addr(&id->resp_h);
    v[5] = shoal_v_count(id->resp_p);
    v[6] = shoal_v_str(tunnel_type_names[type < TUNNEL_NTYPES ? type : 0]);
    v[7] = shoal_v_str(action);
    shoal_log_write(t->log, v);
}

void shoal_tunnel_register(struct shoal_ctx *x, const struct shoal_encap *e)
{
    struct shoal_tunnels *t = shoal_ctx_tunnels(x);

    if (t == NULL || e == NULL) {
        return;
    }
    for (unsigned i = 0; i < e->depth; i++) {
        const struct shoal_encap_level *l = &e->lvl[i];

        if (act_find(t, l->serial) != NULL) {
            continue;
        }
        tun_log(t, l->serial, &l->id, l->type, "Tunnel::DISCOVER");
        if (t->act_n >= TUN_ACTIVE_MAX) {
            continue; /* announced, but not remembered: may be announced again */
        }
        if ((t->act_n + 1) * 2 > t->act_cap && act_grow(t) < 0) {
            continue;
        }
        size_t j = act_slot(l->serial, t->act_cap);
        while (t->act[j].serial != 0) {
            j = (j + 1) & (t->act_cap - 1);
        }
        t->act[j].serial = l->serial;
        t->act[j].id = l->id;
        t->act[j].type = l->type;
        t->act_n++;
    }
}

void shoal_tunnel_conn_done(struct shoal_ctx *x, const struct shoal_conn *c)
{
    struct shoal_tunnels *t = shoal_ctx_tunnels(x);
    struct tun_active *a;

    if (t == NULL || (a = act_find(t, c->serial)) == NULL) {
        return;
    }
    /* Zeek looks the tunnel up by the connection's id as it is now. */
    tun_log(t, a->serial, &c->id, a->type, "Tunnel::CLOSE");
    act_remove(t, a);
}

/* ---- IP tunnels ---- */

static size_t ip_slot(const struct shoal_addr *lo, const struct shoal_addr *hi, size_t cap)
{
    uint8_t k[32];

    memcpy(k, lo->b, 16);
    memcpy(k + 16, hi->b, 16);
    return (size_t)(XXH3_64bits(k, sizeof(k)) & (cap - 1));
}

/* Rebuild the table with capacity nc, keeping entries seen since `keep`. */
static int ip_rebuild(struct shoal_tunnels *t, size_t nc, double keep)
{
    struct tun_ip *n = calloc(nc, sizeof(*n));

    if (n == NULL) {
        return -ENOMEM;
    }
    t->ip_n = 0;
    for (size_t i = 0; i < t->ip_cap; i++) {
        struct tun_ip *e = &t->ip[i];
        if (!e->used || e->last < keep) {
            continue;
        }
        size_t j = ip_slot(&e->lo, &e->hi, nc);
        while (n[j].used) {
            j = (j + 1) & (nc - 1);
        }
        n[j] = *e;
        t->ip_n++;
    }
    free(t->ip);
    t->ip = n;
    t->ip_cap = nc;
    return 0;
}

/*
 * The uid level of the IP tunnel between src and dst (either direction),
 * made the first time the pair is seen or after a day of silence, as Zeek's
 * IPTunnelAnalyzer does.  Returns 0, or -ENOMEM.
 */
static int ip_tunnel_level(struct shoal_ctx *x, const struct shoal_addr *src,
                           const struct shoal_addr *dst, uint8_t type,
                           struct shoal_encap_level *out)
{
    struct shoal_tunnels *t = shoal_ctx_tunnels(x);
    double now = shoal_ctx_now(x);
    const struct shoal_addr *lo = src;
    const struct shoal_addr *hi = dst;
    struct tun_ip *e = NULL;

    if (memcmp(src->b, dst->b, 16) > 0) {
        lo = dst;
        hi = src;
    }
    if (t->ip_cap > 0) {
        for (size_t i = ip_slot(lo, hi, t->ip_cap); t->ip[i].used; i = (i + 1) & (t->ip_cap - 1)) {
            if (addr_eq(&t->ip[i].lo, lo) && addr_eq(&t->ip[i].hi, hi)) {
                e = &t->ip[i];
                break;
            }
        }
    }
    if (e != NULL && now - e->last >= TUN_IP_TIMEOUT) {
        e->serial = shoal_ctx_new_serial(x);
        e->src = *src;
        e->dst = *dst;
        e->type = type;
    }
    if (e == NULL) {
        if ((t->ip_n + 1) * 2 > t->ip_cap) {
            size_t nc = t->ip_cap ? t->ip_cap * 2 : TUN_TABLE_MIN;
            double keep = -1e300;
            if (t->ip_n >= TUN_IP_MAX) {
                nc = t->ip_cap; /* full: drop what is stale, or everything */
                keep = now - TUN_IP_TIMEOUT;
            }
            if (ip_rebuild(t, nc, keep) < 0) {
                return -ENOMEM;
            }
            if ((t->ip_n + 1) * 2 > t->ip_cap && ip_rebuild(t, nc, now + 1) < 0) {
                return -ENOMEM;
            }
        }
        size_t i = ip_slot(lo, hi, t->ip_cap);
        while (t->ip[i].used) {
            i = (i + 1) & (t->ip_cap - 1);
        }
        e = &t->ip[i];
        e->used = true;
        e->lo = *lo;
        e->hi = *hi;
        e->src = *src;
        e->dst = *dst;
        e->type = type;
        e->serial = shoal_ctx_new_serial(x);
        t->ip_n++;
    }
    e->last = now;
    memset(out, 0, sizeof(*out));
    out->serial = e->serial;
    out->type = e->type;
    out->id.orig_h = e->src;
    out->id.resp_h = e->dst;
    return 0;
}

int shoal_tunnel_ipip(struct shoal_ctx *x, const struct shoal_encap *outer, int levels,
                      const struct shoal_addr *src, const struct shoal_addr *dst,
                      struct shoal_encap *out)
{
    if (outer != NULL) {
        *out = *outer;
    } else {
        out->depth = 0;
    }
    if (levels <= 0) {
        return 0;
    }
    if (out->depth + (unsigned)levels > SHOAL_TUNNEL_MAX_DEPTH) {
        char nm[64];
        snprintf(nm, sizeof(nm), "exceeded_tunnel_max_depth%s", out->depth > 0 ? "_in_tunnel" : "");
        shoal_ctx_net_weird(x, nm, NULL, "IPTUNNEL", src, dst);
        return -E2BIG;
    }
    /* The decoder tells only the outermost header of the IP-in-IP levels
     * it took off; nested IP-in-IP counts as that one tunnel. */
    if (ip_tunnel_level(x, src, dst, SHOAL_TUNNEL_IP, &out->lvl[out->depth]) < 0) {
        return -ENOMEM;
    }
    out->depth++;
    return 0;
}

/* ---- handing on an inner packet ---- */

/*
 * Decode `cap` bytes (`wire` on the wire) of an inner frame of link kind
 * `link` that came through `e` (depth >= 1) and process what comes out.
 * Returns 1 if an IP packet was processed, 0 if none came out, negative if
 * the frame was malformed.
 */
int shoal_tun_forward(struct shoal_ctx *x, const struct shoal_encap *e, int link, double ts,
                      const uint8_t *data, uint32_t cap, uint32_t wire)
{
    struct shoal_tunnels *t = shoal_ctx_tunnels(x);
    struct shoal_decoder *d = tun_decoder(t, e->depth, link);
    struct shoal_pkt in;
    struct shoal_addr osrc, odst;
    struct shoal_encap e2;
    int rc;

    if (d == NULL) {
        return -ENOMEM;
    }
    rc = shoal_decode(d, ts, data, cap, wire, &in);
    if (rc != 1) {
        return rc;
    }
    int levels = shoal_decode_tunnel(d, &osrc, &odst);
    if (levels > 0) {
        if (shoal_tunnel_ipip(x, e, levels, &osrc, &odst, &e2) < 0) {
            return -E2BIG;
        }
        e = &e2;
    }
    shoal_ctx_packet_encap(x, &in, e);
    return 1;
}

/* Encapsulation `outer` plus the UDP tunnel carried by connection c. */
void shoal_tun_encap_push_conn(struct shoal_encap *e, const struct shoal_encap *outer,
                               const struct shoal_conn *c, uint8_t type)
{
    if (outer != NULL) {
        *e = *outer;
    } else {
        e->depth = 0;
    }
    struct shoal_encap_level *l = &e->lvl[e->depth++];
    memset(l, 0, sizeof(*l));
    l->serial = c->serial;
    l->id = c->id;
    l->type = type;
}

/* Zeek's depth check of a session tunnel analyzer: history 'X' on the
 * carrying connection and a weird.  True if the packet may go deeper. */
bool shoal_tun_udp_depth_ok(struct shoal_ctx *x, struct shoal_conn *c, const struct shoal_encap *e,
                            const struct shoal_pkt *p, const char *source)
{
    if (e == NULL || e->depth < SHOAL_TUNNEL_MAX_DEPTH) {
        return true;
    }
    shoal_conn_check_history(c, SHOAL_HIST_UNKNOWN_PKT, 'X');
    shoal_tun_flow_weird(x, e, "exceeded_tunnel_max_depth", NULL, source, p);
    return false;
}

/* ---- GRE ---- */

/* Length of the GRE header for these flags (routing is refused later). */
static uint32_t gre_header_len(uint16_t flags)
{
    uint32_t len = 4;

    if (flags & 0x8000) {
        len += 4; /* checksum + reserved */
    }
    if (flags & 0x2000) {
        len += 4; /* key */
    }
    if (flags & 0x1000) {
        len += 4; /* sequence number */
    }
    if (flags & 0x0080) {
        len += 4; /* acknowledgement (version 1) */
    }
    return len;
}

/* GRE protocol types and PPP protocols that GRE may carry. */
enum {
    GRE_PROTO_TEB = 0x6558,     /* transparent Ethernet bridging */
    GRE_PROTO_ERSPAN2 = 0x88be, /* ERSPAN type II */
    GRE_PROTO_ERSPAN3 = 0x22eb, /* ERSPAN type III */
    GRE_PROTO_PPP = 0x880b,     /* enhanced GRE (version 1) */
    GRE_PPP_IPV4 = 0x0021,
    GRE_PPP_IPV6 = 0x0057,
};
#define GRE_FLAG_ROUTING 0x4000
#define GRE_FLAGS_UNKNOWN 0x0078
#define GRE_ETH_LEN 14

/* Where a GRE packet's payload is. */
struct gre_layout {
    int version;         /* 0, or 1 for enhanced GRE (PPTP) */
    uint32_t gre_len;    /* GRE header with its optional fields */
    uint32_t ppp_len;    /* version 1: the PPP header */
    uint32_t erspan_len; /* ERSPAN header (II, or III with its subheader) */
    uint32_t eth_len;    /* an Ethernet header follows (bridging, ERSPAN) */
    int link;            /* TUN_LINK_RAW or TUN_LINK_ETH: how the payload is decoded */
};

/* The protocol types of Aruba's GRE, which carry 802.11 frames (as Zeek
 * registers them). */
static bool gre_is_aruba(uint16_t t)
{
    return ((t & 0x8200u) == 0x8200u && (t & 0x0fu) == 0) ||
           ((t & 0x8300u) == 0x8300u && (t & 0x0fu) == 0 && t <= 0x8370u) || t == 0x9000u;
}

/* The Ethernet-carrying payload types of GRE version 0 (bridging, ERSPAN
 * II and III) in the `len` bytes at d: fill g's Ethernet and ERSPAN
 * lengths.  False if the packet is too short for them. */
static bool gre_v0_payload(const uint8_t *d, uint32_t len, uint16_t proto_type,
                           struct gre_layout *g)
{
    switch (proto_type) {
    case GRE_PROTO_TEB:
        if (len <= g->gre_len + GRE_ETH_LEN) {
            return false;
        }
        break;
    case GRE_PROTO_ERSPAN2:
        if (len <= g->gre_len + GRE_ETH_LEN + 8) {
            return false;
        }
        g->erspan_len = 8;
        break;
    case GRE_PROTO_ERSPAN3: /* with an optional 8-byte subheader */
        if (len <= g->gre_len + GRE_ETH_LEN + 12) {
            return false;
        }
        g->erspan_len = 12;
        if (d[g->gre_len + g->erspan_len - 1] & 0x01) {
            if (len <= g->gre_len + g->erspan_len + 8 + GRE_ETH_LEN) {
                return false;
            }
            g->erspan_len += 8;
        }
        break;
    default:
        if (gre_is_aruba(proto_type)) {
            /* Aruba access points: 802.11 frames. */
            if (len <= g->gre_len) {
                return false;
            }
            g->link = TUN_LINK_80211;
        }
        return true; /* else raw IP */
    }
    g->eth_len = GRE_ETH_LEN;
    g->link = TUN_LINK_ETH;
    return true;
}

/*
 * Read the GRE header in the `len` bytes present at d (carried by p) into
 * *g, with Zeek's checks in Zeek's order.
 * False (a flow weird reported) if the packet is not taken.
 */
static bool gre_read_header(struct shoal_ctx *x, const struct shoal_encap *encap,
                            const struct shoal_pkt *p, const uint8_t *d, uint32_t len,
                            struct gre_layout *g)
{
    char addl[32];

    if (len < 4) {
        shoal_tun_flow_weird(x, encap, "truncated_GRE", NULL, "GRE", p);
        return false;
    }
    uint16_t flags_ver = shoal_be16(d);
    uint16_t proto_type = shoal_be16(d + 2);
    memset(g, 0, sizeof(*g));
    g->version = flags_ver & 0x0007;
    g->gre_len = gre_header_len(flags_ver);
    g->ppp_len = g->version == 1 ? 4 : 0;
    g->link = TUN_LINK_RAW;
    if (g->version != 0 && g->version != 1) {
        snprintf(addl, sizeof(addl), "version=%d", g->version);
        shoal_tun_flow_weird(x, encap, "unknown_gre_version", addl, "GRE", p);
        return false;
    }
    if (g->version == 0) {
        if (!gre_v0_payload(d, len, proto_type, g)) {
            shoal_tun_flow_weird(x, encap, "truncated_GRE", NULL, "GRE", p);
            return false;
        }
    } else if (proto_type != GRE_PROTO_PPP) {
        /* Enhanced GRE carries PPP only. */
        snprintf(addl, sizeof(addl), "proto=%d", proto_type);
        shoal_tun_flow_weird(x, encap, "egre_protocol_type", addl, "GRE", p);
        return false;
    }
    if (flags_ver & GRE_FLAG_ROUTING) {
        shoal_tun_flow_weird(x, encap, "gre_routing", NULL, "GRE", p);
        return false;
    }
    if (flags_ver & GRE_FLAGS_UNKNOWN) {
        shoal_tun_flow_weird(x, encap, "unknown_gre_flags", NULL, "GRE", p);
        return false;
    }
    if (len < g->gre_len + g->ppp_len + g->eth_len + g->erspan_len) {
        shoal_tun_flow_weird(x, encap, "truncated_GRE", NULL, "GRE", p);
        return false;
    }
    return true;
}

/*
 * Enhanced GRE: the PPP header `ppp` must name IPv4 or IPv6 and the `ilen`
 * bytes at `inner` be one whole IP packet of that version (Zeek checks the
 * inner packet before it takes the tunnel).  False (a flow weird reported)
 * if not.
 */
static bool gre_ppp_inner_ok(struct shoal_ctx *x, const struct shoal_encap *encap,
                             const struct shoal_pkt *p, const uint8_t *ppp, const uint8_t *inner,
                             uint32_t ilen)
{
    uint16_t ppp_proto = shoal_be16(ppp + 2);

    if (ppp_proto != GRE_PPP_IPV4 && ppp_proto != GRE_PPP_IPV6) {
        shoal_tun_flow_weird(x, encap, "non_ip_packet_in_encap", NULL, "GRE", p);
        return false;
    }
    uint8_t want = ppp_proto == GRE_PPP_IPV4 ? 4 : 6;
    uint32_t min = want == 4 ? 20 : 40;
    if (ilen < min) {
        shoal_tun_flow_weird(x, encap, "truncated_inner_IP", NULL, "IPTUNNEL", p);
        return false;
    }
    if ((inner[0] >> 4) != want) {
        shoal_tun_flow_weird(x, encap, "invalid_inner_IP_version", NULL, "IPTUNNEL", p);
        return false;
    }
    uint32_t total = want == 4 ? shoal_be16(inner + 2) : (uint32_t)shoal_be16(inner + 4) + 40;
    if (ilen < total) {
        shoal_tun_flow_weird(x, encap, "truncated_inner_IP", NULL, "IPTUNNEL", p);
        return false;
    }
    if (ilen > total) {
        shoal_tun_flow_weird(x, encap, "inner_IP_payload_length_mismatch", NULL, "IPTUNNEL", p);
        return false;
    }
    return true;
}

void shoal_tun_gre_payload(struct shoal_ctx *x, const struct shoal_pkt *p, const uint8_t *d,
                           uint32_t cap, uint32_t missing, const struct shoal_encap *encap)
{
    struct gre_layout g;
    struct shoal_encap e;

    if (shoal_ctx_tunnels(x) == NULL || !gre_read_header(x, encap, p, d, cap, &g)) {
        return;
    }
    uint32_t skip = g.gre_len + g.ppp_len + g.erspan_len;
    const uint8_t *inner = d + skip;
    uint32_t ilen = cap - skip;
    if (g.version == 1 && !gre_ppp_inner_ok(x, encap, p, d + g.gre_len, inner, ilen)) {
        return;
    }
    if (encap != NULL && encap->depth >= SHOAL_TUNNEL_MAX_DEPTH) {
        shoal_tun_flow_weird(x, encap, "exceeded_tunnel_max_depth", NULL, "IPTUNNEL", p);
        return;
    }
    if (encap != NULL) {
        e = *encap;
    } else {
        e.depth = 0;
    }
    if (ip_tunnel_level(x, &p->src, &p->dst, SHOAL_TUNNEL_GRE, &e.lvl[e.depth]) < 0) {
        return;
    }
    e.depth++;
    shoal_tun_forward(x, &e, g.link, p->ts, inner, ilen, ilen + missing);
}

void shoal_tunnel_gre(struct shoal_ctx *x, const struct shoal_pkt *p,
                      const struct shoal_encap *encap)
{
    uint32_t missing = p->l4_len > p->l4_cap ? p->l4_len - p->l4_cap : 0;

    /* What is present is what can be read. */
    shoal_tun_gre_payload(x, p, p->l4, p->l4_cap, missing, encap);
}
