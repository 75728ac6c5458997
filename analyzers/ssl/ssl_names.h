/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS versions and the names ssl.log gives TLS code points (Zeek's
 * SSL::version_strings, cipher_desc, ec_curves, alert_descriptions).
 */
#ifndef SHOAL_SSL_NAMES_H
#define SHOAL_SSL_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#define SSL_V2 0x0002
#define SSL_V3 0x0300
#define SSL_TLS10 0x0301
#define SSL_TLS11 0x0302
#define SSL_TLS12 0x0303
#define SSL_TLS13 0x0304
#define SSL_DTLS10 0xFEFF
#define SSL_DTLS12 0xFEFD
#define SSL_DTLS13 0xFEFC

/* Room for a name made up on the fly ("unknown-65535"). */
#define SSL_NAME_BUF 32

/* Each returns a static name, or one written into buf. */
const char *ssl_cipher_name(uint16_t v, char buf[SSL_NAME_BUF]);
const char *ssl_curve_name(uint16_t v, char buf[SSL_NAME_BUF]);
const char *ssl_alert_name(uint8_t v, char buf[SSL_NAME_BUF]);
const char *ssl_version_name(uint16_t v, char buf[SSL_NAME_BUF]);
/* A version Zeek's analyzer accepts in a hello (else a protocol violation). */
bool ssl_version_ok(uint16_t v);
/* Does the suite's key exchange use ECDH (its ServerKeyExchange names a curve)? */
bool ssl_cipher_is_ecdh(uint16_t v);

#endif
