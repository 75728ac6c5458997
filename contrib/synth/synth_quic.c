/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal-synth: QUIC sessions (--mix quic=N; not in the default mix).  A
 * client opens QUIC v1 (one in eight: v2) to a public server on udp/443
 * as an endpoint would, with its packets protected as RFC 9001 says (the
 * builders and keys of analyzers/quic): an Initial carrying the TLS 1.3
 * ClientHello (SNI: the server's name, ALPN "h3"), padded to 1200 bytes;
 * the server's Initial with the ServerHello, coalesced with a Handshake
 * packet; then 1-6 rounds of short header packets each way.  One session
 * in six meets a Retry first (the server's first answer; the client starts
 * over with the Retry's connection id as its Destination Connection ID).
 * Ground truth: one quic.log record per session and one more per Retry,
 * one ssl.log record per session, conn.log's service "quic,ssl", and the
 * histories the monitor must write.
 */
#include <stdio.h>
#include <string.h>

#include "synth.h"
#include "../../analyzers/quic/quic_build.h"

#define QUIC_PORT 443
#define QUIC_CLIENT_MIN 1200 /* RFC 9000 14.1: a client pads its Initial datagrams */

uint64_t synth_quic_plan(struct synth_gen *g, struct synth_sess *s, struct synth_stats *st)
{
    s->n = (uint16_t)synth_range(&g->rng, 1, SYNTH_QUIC_ROUNDS);
    st->quic_conns++;
    st->quic_v2 += (s->seed & 7) == 0;
    st->quic_rounds[s->n]++;
    s->part = (s->seed >> 4) % 6 == 0; /* 1: a Retry comes first, 2: it came */
    st->quic_retries += s->part;
    st->quic_v2_records += ((s->seed & 7) == 0) * (1u + s->part);
    return 1800u + 200u * s->n + 1300u * s->part;
}

void synth_quic_place(struct synth_gen *g, struct synth_sess *s)
{
    synth_server_addr(g, s->srv, s->v6, &s->addr[1]);
    s->port[1] = QUIC_PORT;
}

/* The session's connection ids: the client's first DCID (8 bytes), its
 * SCID (0 or 8 bytes), the server's SCID (8 bytes). */
static void quic_cids(const struct synth_sess *s, uint8_t dcid[8], uint8_t cscid[8],
                      size_t *cscid_len, uint8_t sscid[8])
{
    uint64_t a = synth_hash(s->seed, 0x9c1d), b = synth_hash(s->seed, 0x9c1e);
    uint64_t c = synth_hash(s->seed, 0x9c1f);

    for (int i = 0; i < 8; i++) {
        dcid[i] = (uint8_t)(a >> (8 * i));
        cscid[i] = (uint8_t)(b >> (8 * i));
        sscid[i] = (uint8_t)(c >> (8 * i));
    }
    *cscid_len = (s->seed >> 3) & 1 ? 8 : 0;
}

/* The QUIC packets of step (phase, j) into m; returns their size. */
static size_t quic_render(struct synth_gen *g, struct synth_sess *s, uint8_t *m, size_t cap)
{
    uint8_t dcid[8], cscid[8], sscid[8], hello[512], f[600];
    size_t cl, hl, fl, n;
    uint32_t version = (s->seed & 7) == 0 ? QUIC_VERSION_2 : QUIC_VERSION_1;
    char name[128];

    quic_cids(s, dcid, cscid, &cl, sscid);
    if (s->part == 2) {
        memcpy(dcid, sscid, 8); /* after a Retry: its SCID is the client's DCID */
        sscid[0] ^= 0x5a;
    }
    if (s->j == 0 && s->phase == 0) {
        synth_server_name(g, s->srv, name, sizeof(name));
        hl = qb_client_hello(hello, name, "h3", (uint8_t)s->seed);
        fl = qb_crypto(f, 0, hello, hl);
        return qb_initial(m, cap, version, true, dcid, 8, dcid, 8, cscid, cl, s->part, f, fl,
                          QUIC_CLIENT_MIN);
    }
    if (s->j == 0 && s->part == 1) {
        /* Retry: the token, then the integrity tag (opaque here) */
        n = qb_long_hdr(m, version, version == QUIC_VERSION_2 ? 0 : 3, 1, cscid, cl, sscid, 8,
                        false);
        memcpy(m + n, g->pat[1] + s->seed % 4096, 40 + 16);
        return n + 40 + 16;
    }
    if (s->j == 0) {
        hl = qb_server_hello(hello, 0x1301, (uint8_t)(s->seed >> 8));
        fl = qb_ack(f, 0);
        fl += qb_crypto(f + fl, 0, hello, hl);
        n = qb_initial(m, cap, version, false, dcid, 8, cscid, cl, sscid, 8, 0, f, fl, 0);
        if (n == 0) {
            return 0;
        }
        return n + qb_opaque(m + n, version, version == QUIC_VERSION_2 ? 3 : 2, cscid, cl, sscid, 8,
                             600 + (size_t)(s->seed % 400), (uint8_t)s->seed);
    }
    /* a short header packet: fixed bit, the peer's connection id, payload */
    n = 1 + (s->phase == 0 ? 8 : cl);
    m[0] = (uint8_t)(0x40 | (synth_hash(s->seed, s->j) & 0x1f));
    memcpy(m + 1, s->phase == 0 ? sscid : cscid, n - 1);
    uint64_t h = synth_hash(s->seed, 0x5400u + s->j * 2u + s->phase);
    size_t pl = 30 + h % 1000;
    memcpy(m + n, g->pat[1] + (h >> 16) % SYNTH_PAT_SIZE, pl); /* 1-RTT: opaque */
    return n + pl;
}

bool synth_quic_step(struct synth_gen *g, struct synth_sess *s)
{
    uint8_t *d = g->dgram;
    int dir = s->phase;
    size_t n = quic_render(g, s, d + 8, SYNTH_SCRATCH - 8);

    if (n > 0) {
        d[0] = (uint8_t)(s->port[dir] >> 8);
        d[1] = (uint8_t)s->port[dir];
        d[2] = (uint8_t)(s->port[1 - dir] >> 8);
        d[3] = (uint8_t)s->port[1 - dir];
        d[4] = (uint8_t)((n + 8) >> 8);
        d[5] = (uint8_t)(n + 8);
        synth_emit_dgram(g, s, dir, 17, n + 8);
    }
    if (dir == 0) {
        s->phase = 1;
        s->t += s->rtt;
        return true;
    }
    if (s->part == 1) { /* the Retry went: the client starts over */
        s->part = 2;
        s->phase = 0;
        s->t += s->rtt / 4 + 1;
        return true;
    }
    if (s->j++ >= s->n) {
        return false;
    }
    s->phase = 0;
    s->t += synth_logu(&g->rng, 1000, 2000000);
    return true;
}
