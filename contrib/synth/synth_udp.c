/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal-synth: NTP and DHCP sessions (--mix ntp=N, dhcp=N; neither is in
 * the default mix).  An NTP session is a client polling a public server
 * on udp/123: 1-4 exchanges of a mode 3 request and a mode 4 reply, some
 * requests carrying a 20-byte MAC.  A DHCP session is one exchange with
 * the internal server 10.0.0.67, all messages with one transaction id:
 * a renewal (REQUEST/ACK, unicast), an INFORM/ACK, a refused request
 * (REQUEST/NAK with a message), a RELEASE alone, or a full broadcast
 * DORA (DISCOVER/OFFER/REQUEST/ACK from 0.0.0.0 and to
 * 255.255.255.255, so two connections in the monitor's eyes).  Each
 * session is one dhcp.log record; each NTP message one ntp.log record.
 */
#include <stdio.h>
#include <string.h>

#include "synth.h"

#define NTP_PORT 123
#define NTP_EPOCH_OFFSET 2208988800u
#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_MIN_LEN 300 /* BOOTP's minimum message */

/* DHCP session variants (s->part) and their message types. */
enum synth_dhcp_variant {
    DHCP_V_RENEW,
    DHCP_V_INFORM,
    DHCP_V_NAK,
    DHCP_V_RELEASE,
    DHCP_V_DORA,
    DHCP_V_COUNT
};

static const uint8_t dhcp_types[DHCP_V_COUNT][4] = {
    {3, 5}, {8, 5}, {3, 6}, {7}, {1, 2, 3, 5},
};
static const uint8_t dhcp_nmsgs[DHCP_V_COUNT] = {2, 2, 2, 1, 4};

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

/* ---- planning (ground truth) -------------------------------------------- */

uint64_t synth_udp_plan(struct synth_gen *g, struct synth_sess *s, struct synth_stats *st)
{
    uint64_t *rng = &g->rng;

    if (s->sub == SYNTH_SUB_NTP) {
        s->n = (uint16_t)synth_range(rng, 1, 4);
        st->ntp_conns++;
        st->ntp_msgs += 2u * s->n;
        return 120u * s->n;
    }
    s->v6 = 0; /* DHCP is IPv4 */
    s->part = (uint8_t)synth_below(rng, DHCP_V_COUNT);
    s->n = dhcp_nmsgs[s->part];
    st->dhcp_sessions++;
    st->dhcp_msgs += s->n;
    st->dhcp_broadcast += s->part == DHCP_V_DORA;
    return 340u * s->n;
}

unsigned synth_dhcp_conns(const struct synth_sess *s)
{
    /* a broadcast DORA: client 0.0.0.0 -> broadcast, server -> broadcast */
    return s->part == DHCP_V_DORA ? 2 : 1;
}

/* Addresses and ports of a new session (the client's are set). */
void synth_udp_place(struct synth_gen *g, struct synth_sess *s)
{
    if (s->sub == SYNTH_SUB_NTP) {
        synth_public_addr(synth_hash(g->o.seed ^ 0x123, s->seed & 15), s->v6, &s->addr[1]);
        s->port[1] = NTP_PORT;
        if (s->seed & 0x100) {
            s->port[0] = NTP_PORT; /* ntpd polls from its own port */
        }
        return;
    }
    memset(&s->addr[1], 0, sizeof(s->addr[1]));
    s->addr[1].b[0] = 10;
    s->addr[1].b[3] = DHCP_SERVER_PORT;
    s->port[0] = DHCP_CLIENT_PORT;
    s->port[1] = DHCP_SERVER_PORT;
}

/* ---- NTP ---------------------------------------------------------------- */

static void ntp_ts(uint8_t *p, double t)
{
    double sec = (double)(uint32_t)t;
    put32(p, (uint32_t)t + NTP_EPOCH_OFFSET);
    put32(p + 4, (uint32_t)((t - sec) * 4294967296.0));
}

bool synth_ntp_step(struct synth_gen *g, struct synth_sess *s)
{
    uint8_t *d = g->dgram;
    uint8_t *m = d + 8;
    int dir = s->phase;
    uint64_t h = synth_hash(s->seed, 0x7e0ULL + s->j);
    double now = g->o.start + (double)s->t / 1e6;
    size_t n = 48;

    memset(m, 0, 48);
    m[0] = (uint8_t)((((h & 3) == 0 ? 3 : 4) << 3) | (dir == 0 ? 3 : 4));
    m[2] = 6;
    if (dir == 0) {
        m[3] = (uint8_t)(int8_t)-20;
        ntp_ts(m + 40, now);
        if ((h >> 8) % 5 == 0) {
            put32(m + 48, (uint32_t)(h >> 16) | 1); /* key id; the digest follows */
            memcpy(m + 52, &h, 8);
            memcpy(m + 60, &h, 8);
            n = 68;
        }
    } else {
        double sent = now - (double)s->rtt / 2e6;
        m[1] = 2;
        m[3] = (uint8_t)(int8_t)-23;
        put32(m + 4, 0x00000bd8 + (uint32_t)(h & 0xff));
        put32(m + 8, 0x00001000 + (uint32_t)((h >> 8) & 0xfff));
        put32(m + 12, 0xc0000200u | (uint32_t)((h >> 20) & 0xff)); /* an upstream server */
        ntp_ts(m + 16, now - 300.0 - (double)((h >> 32) & 0xff));
        ntp_ts(m + 24, sent - (double)s->rtt / 2e6);
        ntp_ts(m + 32, sent - 0.0001);
        ntp_ts(m + 40, sent);
    }
    put16(d, s->port[dir]);
    put16(d + 2, s->port[1 - dir]);
    put16(d + 4, (uint32_t)(n + 8));
    synth_emit_dgram(g, s, dir, 17, n + 8);
    if (dir == 0) {
        s->phase = 1;
        s->t += s->rtt;
        return true;
    }
    if (++s->j >= s->n) {
        return false;
    }
    s->phase = 0;
    s->t += synth_logu(&g->rng, 1000000, 30000000); /* within the UDP timeout */
    return true;
}

/* ---- DHCP --------------------------------------------------------------- */

static size_t dhcp_opt(uint8_t *p, uint8_t code, const void *v, size_t n)
{
    p[0] = code;
    p[1] = (uint8_t)n;
    memcpy(p + 2, v, n);
    return n + 2;
}

/* Message j of the session into m; returns its length. */
static size_t dhcp_render(struct synth_gen *g, struct synth_sess *s, uint32_t j, bool server,
                          bool bcast, uint8_t *m)
{
    uint8_t type = dhcp_types[s->part][j];
    uint64_t h = synth_hash(s->seed, 0xd4cULL);
    uint32_t xid = (uint32_t)(s->id * 2654435761u) ^ 0x5a17d4c0u;
    char host[32];
    size_t o;

    memset(m, 0, DHCP_MIN_LEN);
    m[0] = server ? 2 : 1;
    m[1] = 1;
    m[2] = 6;
    put32(m + 4, xid);
    put16(m + 8, server ? 0 : j);
    put16(m + 10, bcast ? 0x8000 : 0);
    if (!server && (s->part == DHCP_V_RENEW || s->part == DHCP_V_INFORM ||
                    s->part == DHCP_V_RELEASE || s->part == DHCP_V_NAK)) {
        memcpy(m + 12, s->addr[0].b, 4); /* ciaddr */
    }
    if (server && type != 6 && s->part != DHCP_V_INFORM) {
        memcpy(m + 16, s->addr[0].b, 4); /* yiaddr */
    }
    memcpy(m + 28, s->mac[0], 6);
    put32(m + 236, 0x63825363);
    o = 240;
    o += dhcp_opt(m + o, 53, &type, 1);
    if (server) {
        o += dhcp_opt(m + o, 54, s->addr[1].b, 4);
        if (type == 6) {
            o += dhcp_opt(m + o, 56, "requested address not available", 31);
        } else {
            uint8_t lease[4], mask[4] = {255, 255, 0, 0};
            put32(lease, 3600u * (1 + (uint32_t)(h % 24)));
            if (s->part != DHCP_V_INFORM) {
                o += dhcp_opt(m + o, 51, lease, 4);
            }
            o += dhcp_opt(m + o, 1, mask, 4);
            o += dhcp_opt(m + o, 3, s->addr[1].b, 4);
            o += dhcp_opt(m + o, 15, "corp.example", 12);
        }
    } else {
        int n = snprintf(host, sizeof(host), "host-%llu", (unsigned long long)(h % 100000));
        if (h & 1) {
            uint8_t cid[7] = {1};
            memcpy(cid + 1, s->mac[0], 6);
            o += dhcp_opt(m + o, 61, cid, 7);
        }
        if (type != 7) {
            o += dhcp_opt(m + o, 12, host, (size_t)n);
        }
        if (s->part == DHCP_V_DORA) {
            o += dhcp_opt(m + o, 50, s->addr[0].b, 4);
        }
        if (type == 1 || type == 3 || type == 8) {
            o += dhcp_opt(m + o, 55, "\x01\x03\x06\x0f\x1c\x2a", 6);
        }
    }
    m[o++] = 255;
    (void)g;
    return o < DHCP_MIN_LEN ? DHCP_MIN_LEN : o;
}

bool synth_dhcp_step(struct synth_gen *g, struct synth_sess *s)
{
    static const uint8_t bmac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t *d = g->dgram;
    bool server = (s->j & 1) != 0;
    int dir = server ? 1 : 0;
    bool bcast = s->part == DHCP_V_DORA;
    struct synth_addr a0 = s->addr[0], a1 = s->addr[1];
    uint8_t m0[6], m1[6];
    size_t n = dhcp_render(g, s, s->j, server, bcast, d + 8);

    memcpy(m0, s->mac[0], 6);
    memcpy(m1, s->mac[1], 6);
    if (bcast) {
        /* Clients send from 0.0.0.0, everyone to 255.255.255.255. */
        if (!server) {
            memset(s->addr[0].b, 0, 4);
            memset(s->addr[1].b, 0xff, 4);
            memcpy(s->mac[1], bmac, 6);
        } else {
            memset(s->addr[0].b, 0xff, 4);
            memcpy(s->mac[0], bmac, 6);
        }
    }
    put16(d, s->port[dir]);
    put16(d + 2, s->port[1 - dir]);
    put16(d + 4, (uint32_t)(n + 8));
    synth_emit_dgram(g, s, dir, 17, n + 8);
    s->addr[0] = a0;
    s->addr[1] = a1;
    memcpy(s->mac[0], m0, 6);
    memcpy(s->mac[1], m1, 6);
    if (++s->j >= s->n) {
        return false;
    }
    s->t += server ? synth_logu(&g->rng, 1000, 1000000) : s->rtt;
    return true;
}
