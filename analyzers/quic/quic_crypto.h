/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Initial packet protection (RFC 9001 section 5, RFC 9369 for v2)
 * on libcrypto: the Initial secrets from the client's first Destination
 * Connection ID (HKDF-SHA256 with the version's salt), header protection
 * (AES-128-ECB mask) and the AEAD (AES-128-GCM).  Both directions of the
 * work: the analyzer removes protection, the synthesiser and the tests
 * apply it.
 */
#ifndef SHOAL_QUIC_CRYPTO_H
#define SHOAL_QUIC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUIC_VERSION_1 0x00000001u
#define QUIC_VERSION_2 0x6b3343cfu
#define QUIC_CID_MAX 20    /* longest connection id RFC 9000 allows */
#define QUIC_TAG_LEN 16    /* AEAD tag */
#define QUIC_SAMPLE_LEN 16 /* header protection sample */
#define QUIC_PN_MAX 4      /* longest packet number encoding */

/* The keys of one direction's Initial packets. */
struct quic_keys {
    uint8_t key[16];
    uint8_t iv[12];
    uint8_t hp[16];
};

/* Is `version` one whose Initial packets we can open (as Zeek's: v1,
 * drafts 22 to 34, mvfst faceb001..faceb013, v2)? */
bool quic_version_known(uint32_t version);

/* Derive the Initial keys of the client (is_client) or the server from the
 * client's first Destination Connection ID.  0, or -1 (unknown version,
 * libcrypto failure). */
int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool is_client,
                      struct quic_keys *k);

/*
 * Open a protected long-header packet in place: pkt[0..len) holds the
 * packet from its first byte, its packet number field starts at pn_off
 * and the Length field said `plen` bytes (packet number, payload and tag)
 * follow it (pn_off + plen <= len).  Removes header protection (pkt[0]
 * and the packet number bytes are unmasked), decrypts and checks the tag.
 * On success the plaintext is pkt[*pt_off .. *pt_off + *pt_len) and the
 * packet number is in *pn; returns 0, or -1 (too short, bad tag).
 */
int quic_open(const struct quic_keys *k, uint8_t *pkt, size_t len, size_t pn_off, size_t plen,
              size_t *pt_off, size_t *pt_len, uint64_t *pn);

/*
 * Protect a long-header packet in place (the inverse of quic_open):
 * pkt[0..pn_off) is the header with its Length field already covering
 * pn_len + pt_len + QUIC_TAG_LEN, pkt[pn_off..pn_off+pn_len) the packet
 * number (its low pn_len bytes of `pn`, written here), then pt_len bytes
 * of plaintext and room for the tag.  The bits of pkt[0] for the packet
 * number length must say pn_len.  0, or -1.
 */
int quic_protect(const struct quic_keys *k, uint8_t *pkt, size_t pn_off, size_t pn_len, uint64_t pn,
                 size_t pt_len);

#endif
