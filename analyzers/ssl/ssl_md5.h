/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MD5 (RFC 1321), streaming, for the JA3 and JA3S fingerprints ssl.log
 * carries when plugins.ssl.ja3 is on (the MD5 of the hello's fields as
 * text, as the ja3 package for Zeek writes them).  No allocation; the
 * context is plain data.
 */
#ifndef SHOAL_SSL_MD5_H
#define SHOAL_SSL_MD5_H

#include <stddef.h>
#include <stdint.h>

#define SSL_MD5_LEN 16

struct ssl_md5 {
    uint32_t h[4];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;
};

void ssl_md5_init(struct ssl_md5 *m);
void ssl_md5_update(struct ssl_md5 *m, const void *data, size_t len);
void ssl_md5_final(struct ssl_md5 *m, uint8_t out[SSL_MD5_LEN]);

#endif
