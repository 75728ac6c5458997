/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders of QUIC packets as endpoints send them, for the tests, the fuzz
 * seeds and the synthesiser: TLS 1.3 ClientHello / ServerHello messages,
 * CRYPTO and other frames, and long header packets, Initial ones
 * protected with the keys of the client's first DCID (quic_crypto.c).
 * Header-only: every function is static inline.
 */
#ifndef SHOAL_QUIC_BUILD_H
#define SHOAL_QUIC_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "quic_crypto.h"

/* A variable-length integer (RFC 9000 16), in the shortest form. */
static inline size_t qb_varint(uint8_t *o, uint64_t v)
{
    if (v < 64) {
        o[0] = (uint8_t)v;
        return 1;
    }
    if (v < 16384) {
        o[0] = (uint8_t)(0x40 | (v >> 8));
        o[1] = (uint8_t)v;
        return 2;
    }
    o[0] = (uint8_t)(0x80 | (v >> 24));
    o[1] = (uint8_t)(v >> 16);
    o[2] = (uint8_t)(v >> 8);
    o[3] = (uint8_t)v;
    return 4;
}

static inline size_t qb_put16(uint8_t *o, size_t v)
{
    o[0] = (uint8_t)(v >> 8);
    o[1] = (uint8_t)v;
    return 2;
}

/* A CRYPTO frame carrying d[0..n) at stream offset `off`. */
static inline size_t qb_crypto(uint8_t *o, uint64_t off, const uint8_t *d, size_t n)
{
    size_t k = 0;
    o[k++] = 0x06;
    k += qb_varint(o + k, off);
    k += qb_varint(o + k, n);
    memcpy(o + k, d, n);
    return k + n;
}

/* An ACK frame of packet `largest` (one range). */
static inline size_t qb_ack(uint8_t *o, uint64_t largest)
{
    size_t k = 0;
    o[k++] = 0x02;
    k += qb_varint(o + k, largest);
    o[k++] = 0; /* delay */
    o[k++] = 0; /* range count */
    o[k++] = 0; /* first range */
    return k;
}

/* A CONNECTION_CLOSE (0x1c) frame. */
static inline size_t qb_close(uint8_t *o, uint64_t code, const char *reason)
{
    size_t k = 0, n = strlen(reason);
    o[k++] = 0x1c;
    k += qb_varint(o + k, code);
    o[k++] = 0; /* frame type */
    k += qb_varint(o + k, n);
    memcpy(o + k, reason, n);
    return k + n;
}

/* Append extension `type` with body b[0..n). */
static inline size_t qb_ext(uint8_t *o, uint16_t type, const uint8_t *b, size_t n)
{
    qb_put16(o, type);
    qb_put16(o + 2, n);
    memcpy(o + 4, b, n);
    return 4 + n;
}

/* Fill the 24-bit length of the handshake message at m[0..len). */
static inline size_t qb_hs_done(uint8_t *m, size_t len)
{
    size_t body = len - 4;
    m[1] = (uint8_t)(body >> 16);
    m[2] = (uint8_t)(body >> 8);
    m[3] = (uint8_t)body;
    return len;
}

/* A TLS 1.3 ClientHello as a QUIC client sends it: SNI `sni` (NULL:
 * none), ALPN `alpn` (a comma-separated list; NULL: none), x25519 key
 * share, `seed` varying the random bytes.  Needs about 300 bytes. */
static inline size_t qb_client_hello(uint8_t *m, const char *sni, const char *alpn, uint8_t seed)
{
    static const uint8_t suites[] = {0, 6, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03};
    static const uint8_t groups[] = {0, 2, 0, 0x1d};
    static const uint8_t versions[] = {2, 0x03, 0x04};
    static const uint8_t sigalgs[] = {0, 4, 0x04, 0x03, 0x08, 0x04};
    static const uint8_t tp[] = {0x04, 0x04, 0x80, 0x10, 0x00, 0x00};
    uint8_t b[300];
    size_t k = 4, e, n;

    m[0] = 1;
    m[k++] = 3;
    m[k++] = 3;
    for (int i = 0; i < 32; i++) {
        m[k++] = (uint8_t)(seed * 31 + i * 7);
    }
    m[k++] = 0; /* empty legacy_session_id, as QUIC clients send */
    memcpy(m + k, suites, sizeof(suites));
    k += sizeof(suites);
    m[k++] = 1;
    m[k++] = 0;
    e = k;
    k += 2;
    if (sni != NULL) {
        n = strlen(sni);
        qb_put16(b, n + 3);
        b[2] = 0;
        qb_put16(b + 3, n);
        memcpy(b + 5, sni, n);
        k += qb_ext(m + k, 0, b, n + 5);
    }
    k += qb_ext(m + k, 10, groups, sizeof(groups));
    k += qb_ext(m + k, 13, sigalgs, sizeof(sigalgs));
    if (alpn != NULL) {
        size_t bl = 2;
        for (const char *p = alpn; *p != '\0';) {
            const char *comma = strchr(p, ',');
            size_t l = comma != NULL ? (size_t)(comma - p) : strlen(p);
            b[bl++] = (uint8_t)l;
            memcpy(b + bl, p, l);
            bl += l;
            p += l + (comma != NULL);
        }
        qb_put16(b, bl - 2);
        k += qb_ext(m + k, 16, b, bl);
    }
    k += qb_ext(m + k, 43, versions, sizeof(versions));
    qb_put16(b, 36);
    qb_put16(b + 2, 0x1d);
    qb_put16(b + 4, 32);
    memset(b + 6, seed, 32);
    k += qb_ext(m + k, 51, b, 38);
    k += qb_ext(m + k, 0x39, tp, sizeof(tp));
    qb_put16(m + e, k - e - 2);
    return qb_hs_done(m, k);
}

/* A TLS 1.3 ServerHello choosing `cipher` and x25519. */
static inline size_t qb_server_hello(uint8_t *m, uint16_t cipher, uint8_t seed)
{
    uint8_t b[40];
    size_t k = 4, e;
    static const uint8_t version[] = {0x03, 0x04};

    m[0] = 2;
    m[k++] = 3;
    m[k++] = 3;
    for (int i = 0; i < 32; i++) {
        m[k++] = (uint8_t)(seed * 17 + i * 5 + 1);
    }
    m[k++] = 0;
    k += qb_put16(m + k, cipher);
    m[k++] = 0;
    e = k;
    k += 2;
    k += qb_ext(m + k, 43, version, sizeof(version));
    qb_put16(b, 0x1d);
    qb_put16(b + 2, 32);
    memset(b + 4, (uint8_t)(seed + 1), 32);
    k += qb_ext(m + k, 51, b, 36);
    qb_put16(m + e, k - e - 2);
    return qb_hs_done(m, k);
}

/* The long header of a packet of type bits `type` up to its Length field
 * (Initial: with an empty token); returns its size. */
static inline size_t qb_long_hdr(uint8_t *o, uint32_t version, unsigned type, unsigned pn_len,
                                 const uint8_t *dcid, size_t dcid_len, const uint8_t *scid,
                                 size_t scid_len, bool token)
{
    size_t k = 0;
    o[k++] = (uint8_t)(0xc0 | (type << 4) | (pn_len - 1));
    o[k++] = (uint8_t)(version >> 24);
    o[k++] = (uint8_t)(version >> 16);
    o[k++] = (uint8_t)(version >> 8);
    o[k++] = (uint8_t)version;
    o[k++] = (uint8_t)dcid_len;
    memcpy(o + k, dcid, dcid_len);
    k += dcid_len;
    o[k++] = (uint8_t)scid_len;
    memcpy(o + k, scid, scid_len);
    k += scid_len;
    if (token) {
        o[k++] = 0;
    }
    return k;
}

/*
 * A protected Initial packet of the client (is_client) or the server into
 * out[0..cap): frames f[0..flen), padded with PADDING frames so the packet
 * is at least `min_len` bytes (clients pad their datagrams to 1200), keys
 * from the client's first DCID key_dcid.  Returns its size, 0 on error.
 */
static inline size_t qb_initial(uint8_t *out, size_t cap, uint32_t version, bool is_client,
                                const uint8_t *key_dcid, size_t key_dcid_len, const uint8_t *dcid,
                                size_t dcid_len, const uint8_t *scid, size_t scid_len, uint32_t pn,
                                const uint8_t *f, size_t flen, size_t min_len)
{
    struct quic_keys keys;
    unsigned type = version == QUIC_VERSION_2 ? 1 : 0;
    size_t h = qb_long_hdr(out, version, type, 2, dcid, dcid_len, scid, scid_len, true);
    size_t pt = flen < 20 ? 20 : flen;

    if (h + 4 + 2 + min_len + flen + QUIC_TAG_LEN > cap ||
        quic_initial_keys(version, key_dcid, key_dcid_len, is_client, &keys) < 0) {
        return 0;
    }
    if (h + 2 + 2 + pt + QUIC_TAG_LEN < min_len) {
        pt = min_len - (h + 2 + 2 + QUIC_TAG_LEN);
    }
    /* Length: 2-byte varint of pn (2) + payload + tag. */
    qb_put16(out + h, 0x4000 | (2 + pt + QUIC_TAG_LEN));
    memcpy(out + h + 4, f, flen);
    memset(out + h + 4 + flen, 0, pt - flen);
    if (quic_protect(&keys, out, h + 2, 2, pn, pt) < 0) {
        return 0;
    }
    return h + 2 + 2 + pt + QUIC_TAG_LEN;
}

/* A Handshake (or 0-RTT) long header packet whose payload is `n` opaque
 * bytes (the analyzer does not open them). */
static inline size_t qb_opaque(uint8_t *out, uint32_t version, unsigned type, const uint8_t *dcid,
                               size_t dcid_len, const uint8_t *scid, size_t scid_len, size_t n,
                               uint8_t fill)
{
    size_t h = qb_long_hdr(out, version, type, 2, dcid, dcid_len, scid, scid_len, false);
    h += qb_put16(out + h, 0x4000 | n);
    memset(out + h, fill, n);
    return h + n;
}

#endif
