/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The QUIC datagram machine (see quic_parse.h).
 */
#include "quic_parse.h"

#include <string.h>

void quic_parse_init(struct quic_parser *p, uint32_t max_crypto, const struct quic_parse_cb *cb,
                     void *ud)
{
    memset(p, 0, sizeof(*p));
    p->max_crypto = max_crypto < QUIC_CRYPTO_NOLEN ? QUIC_CRYPTO_NOLEN : max_crypto;
    p->short_next[0] = p->short_next[1] = 1;
    p->cb = cb;
    p->ud = ud;
}

static void quic_crypto_free(struct quic_parser *p, struct quic_crypto *d)
{
    if (d->buf != NULL) {
        p->cb->free(p->ud, d->buf);
    }
    memset(d, 0, sizeof(*d));
}

void quic_parse_free(struct quic_parser *p)
{
    quic_crypto_free(p, &p->d[0]);
    quic_crypto_free(p, &p->d[1]);
}

void quic_parse_reset_crypto(struct quic_parser *p)
{
    quic_parse_free(p);
    p->have_dcid = false;
    p->dcid_len = 0;
}

bool quic_varint(const uint8_t *data, size_t len, size_t *off, uint64_t *v)
{
    size_t n;

    if (*off >= len) {
        return false;
    }
    n = (size_t)1 << (data[*off] >> 6);
    if (len - *off < n) {
        return false;
    }
    *v = data[*off] & 0x3f;
    for (size_t i = 1; i < n; i++) {
        *v = (*v << 8) | data[*off + i];
    }
    *off += n;
    return true;
}

static void quic_violation(struct quic_parser *p, const char *reason)
{
    if (!p->stopped) {
        p->stopped = true;
        p->cb->violation(p->ud, reason);
    }
}

/* ---- CRYPTO reassembly ------------------------------------------------------ */

/* Make room for `need` bytes of data in d->buf (and its bitmap). */
static bool quic_crypto_room(struct quic_parser *p, struct quic_crypto *d, uint32_t need)
{
    uint32_t cap = need < QUIC_CRYPTO_NOLEN ? QUIC_CRYPTO_NOLEN : need;
    uint8_t *nb;

    if (d->buf != NULL && cap <= d->cap) {
        return true;
    }
    nb = p->cb->alloc(p->ud, (size_t)cap + cap / 8 + 1);
    if (nb == NULL) {
        return false;
    }
    if (d->buf != NULL) {
        memcpy(nb, d->buf, d->cap);
        memcpy(nb + cap, d->buf + d->cap, d->cap / 8 + 1);
        p->cb->free(p->ud, d->buf);
    }
    d->buf = nb;
    d->cap = cap;
    return true;
}

/* Store CRYPTO bytes at `off`; hand the message on once it is whole. */
static void quic_crypto_add(struct quic_parser *p, bool is_orig, uint64_t off, const uint8_t *data,
                            uint64_t len)
{
    struct quic_crypto *d = &p->d[is_orig];
    uint64_t end = off + len;
    uint8_t *map;

    if (d->finished || len == 0) {
        return;
    }
    if (d->want > 0 ? end > d->want : end > QUIC_CRYPTO_NOLEN) {
        quic_violation(p, d->want > 0 ? "too much crypto data received"
                                      : "too much crypto data without length received");
        return;
    }
    if (!quic_crypto_room(p, d, (uint32_t)end)) {
        quic_violation(p, "out of memory for CRYPTO data");
        return;
    }
    map = d->buf + d->cap;
    memcpy(d->buf + off, data, (size_t)len);
    for (uint64_t i = off; i < end; i++) {
        map[i / 8] |= (uint8_t)(1u << (i % 8));
    }
    while (d->prefix < d->cap && (map[d->prefix / 8] & (1u << (d->prefix % 8)))) {
        d->prefix++;
    }
    if (d->want == 0 && d->prefix >= 4) {
        d->want = 4 + ((uint32_t)d->buf[1] << 16 | (uint32_t)d->buf[2] << 8 | d->buf[3]);
        if (d->want > QUIC_HELLO_MAX || d->want > p->max_crypto) {
            quic_violation(p, "handshake message too long");
            return;
        }
        if (!quic_crypto_room(p, d, d->want)) {
            quic_violation(p, "out of memory for CRYPTO data");
            return;
        }
        map = d->buf + d->cap;
        if (d->prefix > d->want) {
            quic_violation(p, "too much crypto data received");
            return;
        }
    }
    if (d->want > 0 && d->prefix >= d->want) {
        d->finished = true;
        p->cb->hello(p->ud, is_orig, d->buf, d->want);
        uint8_t *b = d->buf;
        d->buf = NULL;
        p->cb->free(p->ud, b);
    }
}

/* ---- frames ------------------------------------------------------------------ */

/* An ACK frame's fields after its type.  False if truncated. */
static bool quic_skip_ack(const uint8_t *f, size_t len, size_t *off, bool ecn)
{
    uint64_t v, count;

    for (int i = 0; i < 2; i++) {
        if (!quic_varint(f, len, off, &v)) {
            return false;
        }
    }
    if (!quic_varint(f, len, off, &count) || !quic_varint(f, len, off, &v)) {
        return false;
    }
    for (uint64_t i = 0; i < count; i++) {
        if (!quic_varint(f, len, off, &v) || !quic_varint(f, len, off, &v)) {
            return false;
        }
    }
    for (int i = 0; ecn && i < 3; i++) {
        if (!quic_varint(f, len, off, &v)) {
            return false;
        }
    }
    return true;
}

/* A CONNECTION_CLOSE (0x1c) frame after its type, as Zeek parses it. */
static bool quic_close_frame(struct quic_parser *p, bool is_orig, const uint8_t *f, size_t len,
                             size_t *off)
{
    uint64_t code, ftype, rlen;

    if (!quic_varint(f, len, off, &code) || !quic_varint(f, len, off, &ftype) ||
        !quic_varint(f, len, off, &rlen) || rlen > len - *off) {
        return false;
    }
    *off += (size_t)rlen;
    p->cb->close(p->ud, is_orig, code);
    return true;
}

/* The frames of an opened Initial packet. */
static void quic_frames(struct quic_parser *p, bool is_orig, const uint8_t *f, size_t len)
{
    size_t off = 0;
    uint64_t coff, clen;
    bool ok = true;

    while (ok && off < len && !p->stopped) {
        uint8_t type = f[off++];
        switch (type) {
        case 0x00: /* PADDING */
            while (off < len && f[off] == 0) {
                off++;
            }
            break;
        case 0x01: /* PING */
            break;
        case 0x02: /* ACK */
        case 0x03: /* ACK with ECN counts */
            ok = quic_skip_ack(f, len, &off, type == 0x03);
            break;
        case 0x06: /* CRYPTO */
            ok = quic_varint(f, len, &off, &coff) && quic_varint(f, len, &off, &clen) &&
                 clen <= len - off && coff < ((uint64_t)1 << 62);
            if (ok) {
                quic_crypto_add(p, is_orig, coff, f + off, clen);
                off += (size_t)clen;
            }
            break;
        case 0x1c: /* CONNECTION_CLOSE */
            ok = quic_close_frame(p, is_orig, f, len, &off);
            break;
        default:
            quic_violation(p, "unhandled frame type");
            return;
        }
    }
    if (!ok) {
        quic_violation(p, "truncated frame");
    }
}

/* ---- packets ----------------------------------------------------------------- */

/* The packet type bits of the first byte as a kind (RFC 9369 swaps them). */
static enum quic_kind quic_long_kind(uint32_t version, uint8_t first)
{
    static const enum quic_kind v1[4] = {QUIC_INITIAL, QUIC_ZERO_RTT, QUIC_HANDSHAKE, QUIC_RETRY};
    static const enum quic_kind v2[4] = {QUIC_RETRY, QUIC_INITIAL, QUIC_ZERO_RTT, QUIC_HANDSHAKE};
    unsigned t = (first >> 4) & 3u;

    return version == QUIC_VERSION_2 ? v2[t] : v1[t];
}

/* Open an Initial packet of pkt[0..pn_off+plen) and parse its frames. */
static void quic_open_initial(struct quic_parser *p, bool is_orig, const struct quic_hdr *h,
                              const uint8_t *pkt, size_t pn_off, size_t plen)
{
    uint8_t buf[QUIC_PKT_MAX];
    struct quic_keys k;
    size_t pt_off, pt_len, n = pn_off + plen;
    uint64_t pn;

    if (p->d[is_orig].finished || (!is_orig && !p->have_dcid)) {
        return; /* Zeek's can_decrypt */
    }
    if (n > sizeof(buf)) {
        quic_violation(p, "initial packet too large");
        return;
    }
    if (is_orig && !p->have_dcid) {
        if (h->dcid_len > QUIC_CID_MAX) {
            quic_violation(p, "connection id too long");
            return;
        }
        memcpy(p->dcid, h->dcid, h->dcid_len);
        p->dcid_len = h->dcid_len;
        p->have_dcid = true;
    }
    memcpy(buf, pkt, n);
    if (quic_initial_keys(h->version, p->dcid, p->dcid_len, is_orig, &k) < 0 ||
        quic_open(&k, buf, n, pn_off, plen, &pt_off, &pt_len, &pn) < 0) {
        quic_violation(p, "decryption failed");
        return;
    }
    p->cb->confirm(p->ud);
    p->decrypted++;
    quic_frames(p, is_orig, buf + pt_off, pt_len);
}

/* A long header packet at d[0..len): its size, or 0 when the rest of the
 * datagram is taken (or the parser stopped). */
static size_t quic_long(struct quic_parser *p, bool is_orig, const uint8_t *d, size_t len)
{
    struct quic_hdr h = {0};
    size_t off = 6;
    uint64_t tlen = 0, plen;

    if (len < 7 || (h.dcid_len = d[5], len - off < (size_t)h.dcid_len + 1)) {
        quic_violation(p, "truncated long header");
        return 0;
    }
    h.version = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 8 | d[4];
    h.dcid = d + off;
    off += h.dcid_len;
    h.scid_len = d[off++];
    if (len - off < h.scid_len) {
        quic_violation(p, "truncated long header");
        return 0;
    }
    h.scid = d + off;
    off += h.scid_len;
    if (!quic_version_known(h.version)) {
        h.kind = QUIC_UNKNOWN_VERSION;
        p->cb->packet(p->ud, is_orig, &h);
        quic_violation(p, "unhandled QUIC version");
        return 0;
    }
    h.kind = quic_long_kind(h.version, d[0]);
    if (h.kind == QUIC_RETRY) {
        p->cb->packet(p->ud, is_orig, &h);
        quic_parse_reset_crypto(p);
        return 0;
    }
    if (h.kind == QUIC_INITIAL &&
        (!quic_varint(d, len, &off, &tlen) || tlen > len - off || (off += (size_t)tlen, false))) {
        quic_violation(p, "truncated initial packet");
        return 0;
    }
    if (!quic_varint(d, len, &off, &plen) || plen > len - off ||
        (h.kind == QUIC_INITIAL && plen < QUIC_PN_MAX + QUIC_SAMPLE_LEN)) {
        quic_violation(p, "truncated long header packet");
        return 0;
    }
    p->cb->packet(p->ud, is_orig, &h);
    if (h.kind == QUIC_INITIAL && !p->stopped) {
        quic_open_initial(p, is_orig, &h, d, off, (size_t)plen);
    }
    return off + (size_t)plen;
}

void quic_parse_datagram(struct quic_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    size_t off = 0;

    while (off < len && !p->stopped) {
        const uint8_t *d = data + off;
        if (!(d[0] & 0x40)) { /* no fixed bit: the rest is discarded */
            p->discarded++;
            if (p->decrypted > 0 && p->discarded <= QUIC_DISCARDED_MAX) {
                p->cb->discarded(p->ud, is_orig);
            }
            return;
        }
        if (!(d[0] & 0x80)) { /* a short header takes the rest */
            if (++p->short_total[is_orig] == p->short_next[is_orig]) {
                p->short_next[is_orig] *= 2;
                p->cb->short_threshold(p->ud, is_orig, p->short_total[is_orig]);
            }
            return;
        }
        size_t n = quic_long(p, is_orig, d, len - off);
        if (n == 0) {
            return;
        }
        off += n;
    }
}
