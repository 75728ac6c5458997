/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QUIC Initial packet protection on libcrypto (see quic_crypto.h).
 * Contexts are made per call: only Initial packets are opened, a few per
 * connection, and nothing is shared between threads.
 */
#include "quic_crypto.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define QUIC_SHA256_LEN 32

/* The Initial salts (RFC 9001 5.2, RFC 9369 3.3.1, and the drafts'). */
static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
static const uint8_t salt_d22[20] = {0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a,
                                     0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a};
static const uint8_t salt_d23[20] = {0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
                                     0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02};
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
                                     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

bool quic_version_known(uint32_t v)
{
    return v == QUIC_VERSION_1 || v == QUIC_VERSION_2 || (v >= 0xff000016u && v <= 0xff000022u) ||
           v == 0xfaceb001u || (v >= 0xfaceb002u && v <= 0xfaceb013u);
}

static const uint8_t *quic_salt(uint32_t v)
{
    if (v == QUIC_VERSION_2) {
        return salt_v2;
    }
    if (v == 0xff000016u || v == 0xfaceb001u) {
        return salt_d22;
    }
    if ((v >= 0xff000017u && v <= 0xff00001cu) || (v >= 0xfaceb002u && v <= 0xfaceb013u)) {
        return salt_d23;
    }
    if (v >= 0xff00001du && v <= 0xff000020u) {
        return salt_d29;
    }
    return salt_v1; /* v1, drafts 33 and 34 */
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context, out_len <= 32. */
static int quic_expand_label(const uint8_t secret[QUIC_SHA256_LEN], const char *label, uint8_t *out,
                             size_t out_len)
{
    uint8_t info[64], t[EVP_MAX_MD_SIZE];
    size_t ll = strlen(label), n = 0;
    unsigned int tl = 0;

    if (out_len > QUIC_SHA256_LEN || 6 + ll + 5 > sizeof(info)) {
        return -1;
    }
    info[n++] = 0;
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)(6 + ll);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, ll);
    n += ll;
    info[n++] = 0; /* empty context */
    info[n++] = 1; /* HKDF-Expand's counter: one block is enough */
    if (HMAC(EVP_sha256(), secret, QUIC_SHA256_LEN, info, n, t, &tl) == NULL || tl < out_len) {
        return -1;
    }
    memcpy(out, t, out_len);
    return 0;
}

int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool is_client,
                      struct quic_keys *k)
{
    uint8_t initial[EVP_MAX_MD_SIZE], secret[QUIC_SHA256_LEN];
    unsigned int il = 0;
    bool v2 = version == QUIC_VERSION_2;
    static const uint8_t none[1] = {0};

    if (!quic_version_known(version)) {
        return -1;
    }
    /* HKDF-Extract(salt, dcid) is HMAC(salt, dcid). */
    if (HMAC(EVP_sha256(), quic_salt(version), 20, dcid_len > 0 ? dcid : none, dcid_len, initial,
             &il) == NULL ||
        il != QUIC_SHA256_LEN) {
        return -1;
    }
    if (quic_expand_label(initial, is_client ? "client in" : "server in", secret, sizeof(secret)) <
            0 ||
        quic_expand_label(secret, v2 ? "quicv2 key" : "quic key", k->key, sizeof(k->key)) < 0 ||
        quic_expand_label(secret, v2 ? "quicv2 iv" : "quic iv", k->iv, sizeof(k->iv)) < 0 ||
        quic_expand_label(secret, v2 ? "quicv2 hp" : "quic hp", k->hp, sizeof(k->hp)) < 0) {
        return -1;
    }
    return 0;
}

/* The header protection mask: AES-128-ECB of the 16-byte sample. */
static int quic_hp_mask(const uint8_t hp[16], const uint8_t *sample, uint8_t mask[16])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, ok;

    if (ctx == NULL) {
        return -1;
    }
    ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, hp, NULL) == 1 &&
         EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
         EVP_EncryptUpdate(ctx, mask, &n, sample, QUIC_SAMPLE_LEN) == 1 && n == QUIC_SAMPLE_LEN;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* AES-128-GCM in place over pkt[off..off+len) with the header pkt[0..off)
 * as associated data; the tag follows the text. */
static int quic_aead(const struct quic_keys *k, uint64_t pn, uint8_t *pkt, size_t off, size_t len,
                     bool enc)
{
    uint8_t nonce[12];
    EVP_CIPHER_CTX *ctx;
    int n = 0, ok;

    if (len > (size_t)INT32_MAX || off > (size_t)INT32_MAX) {
        return -1;
    }
    memcpy(nonce, k->iv, sizeof(nonce));
    for (int i = 0; i < 8; i++) {
        nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
    }
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return -1;
    }
    ok = EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, k->key, nonce, enc ? 1 : 0) == 1 &&
         (enc ||
          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, QUIC_TAG_LEN, pkt + off + len) == 1) &&
         EVP_CipherUpdate(ctx, NULL, &n, pkt, (int)off) == 1 &&
         (len == 0 || EVP_CipherUpdate(ctx, pkt + off, &n, pkt + off, (int)len) == 1) &&
         EVP_CipherFinal_ex(ctx, pkt + off + len, &n) == 1 &&
         (!enc ||
          EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, QUIC_TAG_LEN, pkt + off + len) == 1);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}

int quic_open(const struct quic_keys *k, uint8_t *pkt, size_t len, size_t pn_off, size_t plen,
              size_t *pt_off, size_t *pt_len, uint64_t *pn)
{
    uint8_t mask[16];
    size_t pn_len;
    uint64_t v = 0;

    if (pn_off > len || plen > len - pn_off || plen < QUIC_PN_MAX + QUIC_SAMPLE_LEN) {
        return -1;
    }
    if (quic_hp_mask(k->hp, pkt + pn_off + QUIC_PN_MAX, mask) < 0) {
        return -1;
    }
    pkt[0] ^= mask[0] & ((pkt[0] & 0x80) ? 0x0f : 0x1f);
    pn_len = (size_t)(pkt[0] & 0x03) + 1;
    for (size_t i = 0; i < pn_len; i++) {
        pkt[pn_off + i] ^= mask[1 + i];
        v = (v << 8) | pkt[pn_off + i];
    }
    if (plen < pn_len + QUIC_TAG_LEN) {
        return -1;
    }
    *pt_off = pn_off + pn_len;
    *pt_len = plen - pn_len - QUIC_TAG_LEN;
    *pn = v;
    return quic_aead(k, v, pkt, *pt_off, *pt_len, false);
}

int quic_protect(const struct quic_keys *k, uint8_t *pkt, size_t pn_off, size_t pn_len, uint64_t pn,
                 size_t pt_len)
{
    uint8_t mask[16];

    if (pn_len < 1 || pn_len > QUIC_PN_MAX ||
        pn_len + pt_len < QUIC_PN_MAX + QUIC_SAMPLE_LEN - QUIC_TAG_LEN) {
        return -1;
    }
    for (size_t i = 0; i < pn_len; i++) {
        pkt[pn_off + i] = (uint8_t)(pn >> (8 * (pn_len - 1 - i)));
    }
    if (quic_aead(k, pn, pkt, pn_off + pn_len, pt_len, true) < 0 ||
        quic_hp_mask(k->hp, pkt + pn_off + QUIC_PN_MAX, mask) < 0) {
        return -1;
    }
    pkt[0] ^= mask[0] & ((pkt[0] & 0x80) ? 0x0f : 0x1f);
    for (size_t i = 0; i < pn_len; i++) {
        pkt[pn_off + i] ^= mask[1 + i];
    }
    return 0;
}
