/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What quic.log takes from a TLS ClientHello (RFC 8446 4.1.2): the first
 * server name of the SNI extension and the ALPN protocols.
 */
#ifndef SHOAL_QUIC_HELLO_H
#define SHOAL_QUIC_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct quic_hello {
    const uint8_t *sni; /* the first name of the SNI extension; NULL if none */
    size_t sni_len;
    const uint8_t *alpn; /* the ALPN extension's protocol list; NULL if none */
    size_t alpn_len;
};

/* Walk the ClientHello msg[0..len) (its 4-byte header included).  False
 * when it is not a whole ClientHello; the fields found are set anyway. */
bool quic_hello_parse(const uint8_t *msg, size_t len, struct quic_hello *h);

/* The next protocol of an ALPN list at list[*off..len): true with it in
 * *p and *n, false at the end (or a truncated entry). */
bool quic_alpn_next(const uint8_t *list, size_t len, size_t *off, const uint8_t **p, size_t *n);

#endif
