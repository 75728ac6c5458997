/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders of TLS/DTLS messages for the ssl analyzer's tests and fuzz
 * seeds (test-only: the plugin does not include it).  A message is built
 * into a struct ssl_mb; lengths are patched when a nested block closes.
 */
#ifndef SHOAL_SSL_BUILD_H
#define SHOAL_SSL_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SSL_MB_MAX 16384
#define SSL_MB_DEPTH 16

struct ssl_mb {
    uint8_t b[SSL_MB_MAX];
    size_t n;
    size_t open[SSL_MB_DEPTH]; /* offsets of length fields being filled */
    uint8_t width[SSL_MB_DEPTH];
    int depth;
};

static inline void mb_u(struct ssl_mb *m, uint32_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        m->b[m->n++] = (uint8_t)(v >> (8 * i));
    }
}

static inline void mb_bytes(struct ssl_mb *m, const void *p, size_t n)
{
    if (n > 0) {
        memcpy(m->b + m->n, p, n);
        m->n += n;
    }
}

/* Open a block whose length is a `width`-byte prefix. */
static inline void mb_open(struct ssl_mb *m, int width)
{
    m->open[m->depth] = m->n;
    m->width[m->depth++] = (uint8_t)width;
    m->n += (size_t)width;
}

static inline void mb_close(struct ssl_mb *m)
{
    size_t at = m->open[--m->depth];
    int w = m->width[m->depth];
    size_t len = m->n - at - (size_t)w;
    for (int i = 0; i < w; i++) {
        m->b[at + (size_t)i] = (uint8_t)(len >> (8 * (w - 1 - i)));
    }
}

/* A DER TLV with a definite length (short or 2-byte long form). */
static inline void mb_der_open(struct ssl_mb *m, uint8_t tag)
{
    m->b[m->n++] = tag;
    m->b[m->n++] = 0x82;
    mb_open(m, 2);
}

static inline void mb_der_close(struct ssl_mb *m)
{
    mb_close(m);
}

static inline void mb_der_oid_str(struct ssl_mb *m, const uint8_t *oid, size_t olen, uint8_t stag,
                                  const char *s)
{
    mb_der_open(m, 0x30);
    m->b[m->n++] = 0x06;
    m->b[m->n++] = (uint8_t)olen;
    mb_bytes(m, oid, olen);
    m->b[m->n++] = stag;
    m->b[m->n++] = (uint8_t)strlen(s);
    mb_bytes(m, s, strlen(s));
    mb_der_close(m);
}

/* A minimal certificate: subject CN `cn`, subjectAltName dNSName `san`
 * (NULL: no extensions). */
static inline void mb_cert(struct ssl_mb *m, const char *cn, const char *san)
{
    static const uint8_t oid_cn[] = {0x55, 0x04, 0x03};
    static const uint8_t oid_alg[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
    mb_der_open(m, 0x30);                   /* Certificate */
    mb_der_open(m, 0x30);                   /* tbsCertificate */
    mb_bytes(m, "\xa0\x03\x02\x01\x02", 5); /* version v3 */
    mb_bytes(m, "\x02\x01\x07", 3);         /* serial */
    mb_bytes(m, "\x30\x0b\x06\x09", 4);     /* signature */
    mb_bytes(m, oid_alg, sizeof(oid_alg));
    mb_der_open(m, 0x30); /* issuer */
    mb_der_open(m, 0x31);
    mb_der_oid_str(m, oid_cn, sizeof(oid_cn), 0x0c, "Test CA");
    mb_der_close(m);
    mb_der_close(m);
    mb_bytes(m,
             "\x30\x1e\x17\x0d"
             "200101000000Z"
             "\x17\x0d"
             "300101000000Z",
             32);
    mb_der_open(m, 0x30); /* subject */
    mb_der_open(m, 0x31);
    mb_der_oid_str(m, oid_cn, sizeof(oid_cn), 0x0c, cn);
    mb_der_close(m);
    mb_der_close(m);
    mb_bytes(m, "\x30\x05\x30\x03\x06\x01\x00", 7); /* subjectPublicKeyInfo (a stand-in) */
    if (san != NULL) {
        mb_der_open(m, 0xa3);
        mb_der_open(m, 0x30);
        mb_der_open(m, 0x30);
        mb_bytes(m, "\x06\x03\x55\x1d\x11", 5);
        mb_der_open(m, 0x04);
        mb_der_open(m, 0x30);
        m->b[m->n++] = 0x82;
        m->b[m->n++] = (uint8_t)strlen(san);
        mb_bytes(m, san, strlen(san));
        mb_der_close(m);
        mb_der_close(m);
        mb_der_close(m);
        mb_der_close(m);
        mb_der_close(m);
    }
    mb_der_close(m);
    mb_bytes(m, "\x30\x0b\x06\x09", 4);
    mb_bytes(m, oid_alg, sizeof(oid_alg));
    mb_bytes(m, "\x03\x03\x00\xab\xcd", 5); /* signatureValue */
    mb_der_close(m);
}

/* Start a TLS record (close with mb_close) and a handshake message in it. */
static inline void mb_record(struct ssl_mb *m, uint8_t ct)
{
    mb_u(m, ct, 1);
    mb_u(m, 0x0303, 2);
    mb_open(m, 2);
}

static inline void mb_hs(struct ssl_mb *m, uint8_t type)
{
    mb_u(m, type, 1);
    mb_open(m, 3);
}

/* Options of a hello. */
struct ssl_hello {
    uint16_t version;
    const uint8_t *sid;
    size_t sid_len;
    const char *sni;
    const char *alpn;           /* the server's choice */
    bool ticket;                /* client: a non-empty session ticket */
    bool psk;                   /* pre_shared_key */
    uint16_t supported_version; /* server: 0 none */
    uint16_t key_share;         /* server: 0 none */
    uint16_t cipher;
    bool hrr; /* server: the HelloRetryRequest random */
};

static inline void mb_client_hello(struct ssl_mb *m, const struct ssl_hello *h)
{
    static const uint8_t rnd[32] = {1, 2, 3};
    mb_hs(m, 1);
    mb_u(m, h->version, 2);
    mb_bytes(m, rnd, 32);
    mb_u(m, (uint32_t)h->sid_len, 1);
    mb_bytes(m, h->sid, h->sid_len);
    mb_bytes(m, "\x00\x04\xc0\x2f\x13\x01\x01\x00", 8);
    mb_open(m, 2);
    if (h->sni != NULL) {
        mb_u(m, 0, 2);
        mb_open(m, 2);
        mb_open(m, 2);
        mb_u(m, 0, 1);
        mb_open(m, 2);
        mb_bytes(m, h->sni, strlen(h->sni));
        mb_close(m);
        mb_close(m);
        mb_close(m);
    }
    if (h->ticket) {
        mb_bytes(m, "\x00\x23\x00\x04\xaa\xbb\xcc\xdd", 8);
    }
    if (h->psk) {
        mb_bytes(m, "\x00\x29\x00\x02\x00\x00", 6);
    }
    mb_close(m);
    mb_close(m);
}

static inline void mb_server_hello(struct ssl_mb *m, const struct ssl_hello *h)
{
    static const uint8_t rnd[32] = {9, 8, 7};
    static const uint8_t hrr[32] = {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
        0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
        0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    };
    mb_hs(m, 2);
    mb_u(m, h->version, 2);
    mb_bytes(m, h->hrr ? hrr : rnd, 32);
    mb_u(m, (uint32_t)h->sid_len, 1);
    mb_bytes(m, h->sid, h->sid_len);
    mb_u(m, h->cipher, 2);
    mb_u(m, 0, 1);
    mb_open(m, 2);
    if (h->supported_version != 0) {
        mb_u(m, 43, 2);
        mb_u(m, 2, 2);
        mb_u(m, h->supported_version, 2);
    }
    if (h->key_share != 0) {
        mb_u(m, 51, 2);
        mb_u(m, 2, 2);
        mb_u(m, h->key_share, 2);
    }
    if (h->alpn != NULL) {
        mb_u(m, 16, 2);
        mb_open(m, 2);
        mb_open(m, 2);
        mb_open(m, 1);
        mb_bytes(m, h->alpn, strlen(h->alpn));
        mb_close(m);
        mb_close(m);
        mb_close(m);
    }
    if (h->psk) {
        mb_bytes(m, "\x00\x29\x00\x02\x00\x00", 6);
    }
    mb_close(m);
    mb_close(m);
}

#endif
