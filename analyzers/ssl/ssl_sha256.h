/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SHA-256 (FIPS 180-4), streaming, for the fingerprints ssl.log lists in
 * cert_chain_fps (Zeek's x509 fingerprint: the SHA-256 of a certificate's
 * DER bytes).  No allocation; the context is plain data.
 */
#ifndef SHOAL_SSL_SHA256_H
#define SHOAL_SSL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SSL_SHA256_LEN 32

struct ssl_sha256 {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;
};

void ssl_sha256_init(struct ssl_sha256 *s);
void ssl_sha256_update(struct ssl_sha256 *s, const uint8_t *data, size_t len);
void ssl_sha256_final(struct ssl_sha256 *s, uint8_t out[SSL_SHA256_LEN]);
/* The digest of data[0..len) in one call. */
void ssl_sha256(const uint8_t *data, size_t len, uint8_t out[SSL_SHA256_LEN]);

#endif
