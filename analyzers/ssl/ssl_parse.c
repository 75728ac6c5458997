/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLS/DTLS machine (see ssl_parse.h): record layer, handshake
 * reassembly, then the messages, read as Zeek's SSL analyzer raises its
 * events and as base/protocols/ssl/main.zeek keeps them.
 */
#include "ssl_parse.h"

#include <stdio.h>
#include <string.h>

#include "ssl_names.h"
#include "ssl_x509.h"

/* Handshake message types. */
#define SSL_HS_HELLO_REQUEST 0
#define SSL_HS_CLIENT_HELLO 1
#define SSL_HS_SERVER_HELLO 2
#define SSL_HS_HELLO_VERIFY_REQUEST 3
#define SSL_HS_SESSION_TICKET 4
#define SSL_HS_END_OF_EARLY_DATA 5
#define SSL_HS_HELLO_RETRY_REQUEST 6
#define SSL_HS_ENCRYPTED_EXTENSIONS 8
#define SSL_HS_CERTIFICATE 11
#define SSL_HS_SERVER_KEY_EXCHANGE 12
#define SSL_HS_CERTIFICATE_REQUEST 13
#define SSL_HS_SERVER_HELLO_DONE 14
#define SSL_HS_CERTIFICATE_VERIFY 15
#define SSL_HS_CLIENT_KEY_EXCHANGE 16
#define SSL_HS_FINISHED 20
#define SSL_HS_CERTIFICATE_URL 21
#define SSL_HS_CERTIFICATE_STATUS 22
#define SSL_HS_SUPPLEMENTAL_DATA 23
#define SSL_HS_KEY_UPDATE 24
#define SSL_HS_MESSAGE_HASH 254

/* Extensions. */
#define SSL_EXT_SERVER_NAME 0
#define SSL_EXT_ALPN 16
#define SSL_EXT_SESSION_TICKET 35
#define SSL_EXT_PRE_SHARED_KEY 41
#define SSL_EXT_SUPPORTED_VERSIONS 43
#define SSL_EXT_KEY_SHARE 51

#define SSL_TLS_HDR 5
#define SSL_DTLS_HDR 13
#define SSL_HS_HDR 4
#define SSL_DTLS_HS_HDR 12
#define SSL_RANDOM_LEN 32
#define SSL_EC_NAMED_CURVE 3

/* The random of a TLS 1.3 HelloRetryRequest (RFC 8446, 4.1.3). */
static const uint8_t ssl_hrr_random[SSL_RANDOM_LEN] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

/* ---- a bounds-checked reader ---- */

struct ssl_rd {
    const uint8_t *p;
    size_t left;
    bool bad; /* a read went past the end */
};

static bool rd_take(struct ssl_rd *r, size_t n, const uint8_t **out)
{
    if (r->bad || n > r->left) {
        r->bad = true;
        return false;
    }
    *out = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static uint32_t rd_uint(struct ssl_rd *r, size_t n)
{
    const uint8_t *q;
    uint32_t v = 0;
    if (!rd_take(r, n, &q)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        v = v << 8 | q[i];
    }
    return v;
}

/* A length-prefixed (n bytes) vector as a sub-reader. */
static struct ssl_rd rd_vec(struct ssl_rd *r, size_t n)
{
    struct ssl_rd sub = {NULL, 0, true};
    size_t len = rd_uint(r, n);
    if (!r->bad && rd_take(r, len, &sub.p)) {
        sub.left = len;
        sub.bad = false;
    }
    return sub;
}

/* ---- the session (Zeek's script layer) ---- */

static void ssl_weird(struct ssl_parser *p, const char *name, const char *addl, bool plain)
{
    if (p->cb->weird != NULL) {
        p->cb->weird(p->ud, name, addl, plain);
    }
}

/* A violation stops the parser; it is reported when the current input is
 * done, after the events of the message that caused it (as Zeek raises
 * them). */
static void ssl_violation(struct ssl_parser *p, const char *reason)
{
    if (p->stopped) {
        return;
    }
    p->stopped = true;
    p->violated = true;
    snprintf(p->reason, sizeof(p->reason), "%s", reason);
}

/* Zeek's add_to_history: client letters in capitals. */
static void ssl_hist(struct ssl_parser *p, bool is_orig, char ch)
{
    struct ssl_session *s = &p->s;

    s->touched = true;
    if (s->hist_len >= SSL_HISTORY_MAX) {
        return;
    }
    s->history[s->hist_len++] = is_orig ? (char)(ch - 'a' + 'A') : ch;
    s->history[s->hist_len] = '\0';
    if (s->hist_len == SSL_HISTORY_MAX) {
        char n[16];
        snprintf(n, sizeof(n), "%u", (unsigned)s->hist_len);
        ssl_weird(p, "SSL_max_ssl_history_length_reached", n, false);
    }
}

/* Keep a copy of a string (at most SSL_NAME_MAX bytes) in *dst. */
static void ssl_set_str(struct ssl_parser *p, char **dst, uint8_t *dlen, const uint8_t *v, size_t n)
{
    if (n > SSL_NAME_MAX) {
        n = SSL_NAME_MAX;
    }
    if (*dst == NULL) {
        *dst = p->cb->alloc(p->ud, SSL_NAME_MAX + 1);
        if (*dst == NULL) {
            return;
        }
    }
    memcpy(*dst, v, n);
    (*dst)[n] = '\0';
    *dlen = (uint8_t)n;
}

static char ssl_hs_letter(uint8_t type)
{
    static const struct {
        uint8_t type;
        char ch;
    } letters[] = {
        {SSL_HS_HELLO_REQUEST, 'h'},
        {SSL_HS_CLIENT_HELLO, 'c'},
        {SSL_HS_SERVER_HELLO, 's'},
        {SSL_HS_HELLO_VERIFY_REQUEST, 'v'},
        {SSL_HS_SESSION_TICKET, 't'},
        {SSL_HS_END_OF_EARLY_DATA, 'e'},
        {SSL_HS_HELLO_RETRY_REQUEST, 'j'},
        {SSL_HS_ENCRYPTED_EXTENSIONS, 'o'},
        {SSL_HS_CERTIFICATE, 'x'},
        {SSL_HS_SERVER_KEY_EXCHANGE, 'k'},
        {SSL_HS_CERTIFICATE_REQUEST, 'r'},
        {SSL_HS_SERVER_HELLO_DONE, 'n'},
        {SSL_HS_CERTIFICATE_VERIFY, 'y'},
        {SSL_HS_CLIENT_KEY_EXCHANGE, 'g'},
        {SSL_HS_FINISHED, 'f'},
        {SSL_HS_CERTIFICATE_URL, 'w'},
        {SSL_HS_CERTIFICATE_STATUS, 'u'},
        {SSL_HS_SUPPLEMENTAL_DATA, 'a'},
        {SSL_HS_KEY_UPDATE, 'p'},
        {SSL_HS_MESSAGE_HASH, 'm'},
    };
    for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++) {
        if (letters[i].type == type) {
            return letters[i].ch;
        }
    }
    return 'z';
}

/* ---- hellos ---- */

/* The client's server_name extension: host names, the first kept. */
static void ssl_ext_sni(struct ssl_parser *p, struct ssl_rd *r)
{
    struct ssl_rd list = rd_vec(r, 2);
    size_t n = 0;

    while (!list.bad && list.left > 0) {
        uint8_t type = (uint8_t)rd_uint(&list, 1);
        struct ssl_rd name = rd_vec(&list, 2);
        if (name.bad) {
            break;
        }
        if (type != 0) {
            continue; /* only host_name entries are names */
        }
        if (n++ == 0) {
            ssl_set_str(p, &p->s.server_name, &p->s.server_name_len, name.p, name.left);
        }
    }
    if (n > 1) {
        ssl_weird(p, "SSL_many_server_names", NULL, true);
    }
}

/* The server's ALPN extension: the first protocol is next_protocol. */
static void ssl_ext_alpn(struct ssl_parser *p, struct ssl_rd *r)
{
    struct ssl_rd list = rd_vec(r, 2);
    struct ssl_rd proto = rd_vec(&list, 1);

    if (!proto.bad) {
        ssl_set_str(p, &p->s.next_protocol, &p->s.next_protocol_len, proto.p, proto.left);
    }
}

/* One extension of a hello (Zeek raises these before the hello event). */
static void ssl_extension(struct ssl_parser *p, bool is_orig, uint16_t type, struct ssl_rd *r)
{
    struct ssl_session *s = &p->s;

    switch (type) {
    case SSL_EXT_SERVER_NAME:
        if (is_orig) {
            ssl_ext_sni(p, r);
        }
        break;
    case SSL_EXT_ALPN:
        if (!is_orig) {
            ssl_ext_alpn(p, r);
        }
        break;
    case SSL_EXT_SESSION_TICKET:
        if (is_orig && r->left > 0) {
            s->client_ticket_empty_session_seen = true;
        }
        break;
    case SSL_EXT_PRE_SHARED_KEY:
        if (is_orig) {
            s->client_psk_seen = true;
        } else if (s->client_psk_seen) {
            s->resumed = true;
        }
        break;
    case SSL_EXT_SUPPORTED_VERSIONS:
        if (!is_orig && r->left == 2) {
            s->version = (uint16_t)rd_uint(r, 2);
            s->has_version = true;
        }
        break;
    case SSL_EXT_KEY_SHARE:
        if (!is_orig && r->left >= 2) {
            s->curve = (uint16_t)rd_uint(r, 2);
            s->has_curve = true;
        }
        break;
    default:
        break;
    }
}

/* The extensions block at the end of a hello (absent is fine). */
static void ssl_extensions(struct ssl_parser *p, bool is_orig, struct ssl_rd *r)
{
    if (r->bad || r->left == 0) {
        return;
    }
    struct ssl_rd all = rd_vec(r, 2);
    while (!all.bad && all.left > 0) {
        uint16_t type = (uint16_t)rd_uint(&all, 2);
        struct ssl_rd ext = rd_vec(&all, 2);
        if (ext.bad) {
            r->bad = true;
            return;
        }
        ssl_extension(p, is_orig, type, &ext);
    }
    r->bad |= all.bad;
}

/* ---- JA3 and JA3S (the ja3 package's fingerprints of the hellos) ---- */

/* GREASE values (RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa) are left out. */
static bool ssl_grease(uint32_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* One number of a '-'-joined list of the text being hashed. */
static void ja3_num(struct ssl_md5 *m, uint32_t v, bool *first)
{
    char b[12];
    int n = snprintf(b, sizeof(b), "%s%u", *first ? "" : "-", v);

    ssl_md5_update(m, b, (size_t)n);
    *first = false;
}

/* The values of a list of `width`-byte values, GREASE aside. */
static void ja3_list(struct ssl_md5 *m, struct ssl_rd list, size_t width)
{
    bool first = true;

    while (!list.bad && list.left >= width) {
        uint32_t v = rd_uint(&list, width);
        if (width == 1 || !ssl_grease(v)) {
            ja3_num(m, v, &first);
        }
    }
}

/* "VERSION,CIPHERS,EXTENSIONS,GROUPS,POINT_FORMATS" (client) or
 * "VERSION,CIPHER,EXTENSIONS" (server) of a hello whose body starts at b:
 * its MD5 in out, or false for a malformed hello. */
static bool ssl_ja3(const struct ssl_parser *p, bool is_orig, const uint8_t *b, size_t len,
                    uint8_t out[SSL_MD5_LEN])
{
    struct ssl_rd r = {b, len, false}, groups = {NULL, 0, false}, formats = {NULL, 0, false};
    const uint8_t *random;
    struct ssl_md5 m;
    bool first = true;
    char num[16];

    ssl_md5_init(&m);
    ssl_md5_update(&m, num, (size_t)snprintf(num, sizeof(num), "%u,", rd_uint(&r, 2)));
    rd_take(&r, SSL_RANDOM_LEN, &random);
    rd_vec(&r, 1); /* session id */
    if (is_orig) {
        if (p->dtls) {
            rd_vec(&r, 1); /* cookie */
        }
        ja3_list(&m, rd_vec(&r, 2), 2);
        rd_vec(&r, 1); /* compression methods */
    } else {
        ssl_md5_update(&m, num, (size_t)snprintf(num, sizeof(num), "%u", rd_uint(&r, 2)));
        rd_uint(&r, 1); /* compression method */
    }
    ssl_md5_update(&m, ",", 1);
    struct ssl_rd all = r.left > 0 ? rd_vec(&r, 2) : (struct ssl_rd){NULL, 0, false};
    while (!all.bad && all.left > 0) {
        uint32_t type = rd_uint(&all, 2);
        struct ssl_rd ext = rd_vec(&all, 2);
        if (!ssl_grease(type)) {
            ja3_num(&m, type, &first);
        }
        if (type == 10) { /* supported_groups */
            groups = rd_vec(&ext, 2);
        } else if (type == 11) { /* ec_point_formats */
            formats = rd_vec(&ext, 1);
        }
    }
    if (is_orig) {
        ssl_md5_update(&m, ",", 1);
        ja3_list(&m, groups, 2);
        ssl_md5_update(&m, ",", 1);
        ja3_list(&m, formats, 1);
    }
    if (r.bad || all.bad) {
        return false;
    }
    ssl_md5_final(&m, out);
    return true;
}

static void ssl_client_hello(struct ssl_parser *p, const uint8_t *b, size_t len)
{
    struct ssl_session *s = &p->s;
    struct ssl_rd r = {b, len, false};
    const uint8_t *random;
    char why[64];

    uint16_t version = (uint16_t)rd_uint(&r, 2);
    rd_take(&r, SSL_RANDOM_LEN, &random);
    struct ssl_rd sid = rd_vec(&r, 1);
    if (p->dtls) {
        rd_vec(&r, 1); /* cookie */
    }
    rd_vec(&r, 2); /* cipher suites */
    rd_vec(&r, 1); /* compression methods */
    ssl_extensions(p, true, &r);
    if (r.bad || sid.bad || sid.left > SSL_SESSION_ID_MAX) {
        ssl_violation(p, "truncated or malformed client hello");
        return;
    }
    if (p->ja3) {
        s->has_ja3 = ssl_ja3(p, true, b, len, s->ja3);
    }
    if (!ssl_version_ok(version)) {
        snprintf(why, sizeof(why), "unsupported client SSL version 0x%04x", version);
        ssl_violation(p, why);
    } else {
        p->cb->confirm(p->ud);
    }
    static const uint8_t zeros[SSL_SESSION_ID_MAX];
    if (sid.left > 0 && !(sid.left == SSL_SESSION_ID_MAX && memcmp(sid.p, zeros, sid.left) == 0)) {
        memcpy(s->session_id, sid.p, sid.left);
        s->session_id_len = (uint8_t)sid.left;
        s->has_session_id = true;
        s->client_ticket_empty_session_seen = false;
    }
}

static void ssl_server_hello(struct ssl_parser *p, const uint8_t *b, size_t len)
{
    struct ssl_session *s = &p->s;
    struct ssl_rd r = {b, len, false};
    const uint8_t *random = NULL;
    char why[64];

    uint16_t version = (uint16_t)rd_uint(&r, 2);
    rd_take(&r, SSL_RANDOM_LEN, &random);
    struct ssl_rd sid = rd_vec(&r, 1);
    uint16_t cipher = (uint16_t)rd_uint(&r, 2);
    rd_uint(&r, 1); /* compression method */
    ssl_extensions(p, false, &r);
    if (r.bad || sid.bad) {
        ssl_violation(p, "truncated or malformed server hello");
        return;
    }
    if (p->ja3) {
        s->has_ja3s = ssl_ja3(p, false, b, len, s->ja3s);
    }
    if (!s->has_version) {
        s->version = version;
        s->has_version = true;
    }
    s->cipher = cipher;
    s->has_cipher = true;
    if (memcmp(random, ssl_hrr_random, SSL_RANDOM_LEN) == 0) {
        s->hrr_seen = true;
    }
    if (s->has_session_id && sid.left == s->session_id_len &&
        memcmp(sid.p, s->session_id, sid.left) == 0 && s->version / 0xFF != 0x7F &&
        s->version != SSL_TLS13) {
        s->resumed = true;
    }
    if (!ssl_version_ok(version)) {
        snprintf(why, sizeof(why), "unsupported server SSL version 0x%04x", version);
        ssl_violation(p, why);
    } else {
        p->cb->confirm(p->ud);
    }
}

/* ---- certificates ---- */

static void ssl_one_cert(struct ssl_parser *p, bool is_orig, const uint8_t *der, size_t len)
{
    struct ssl_session *s = &p->s;

    if (len == 0 || der[0] != 0x30) {
        return; /* not sniffed as a certificate: no file for it */
    }
    if (s->fps == NULL) {
        s->fps = p->cb->alloc(p->ud, sizeof(*s->fps) * 2);
        if (s->fps == NULL) {
            return;
        }
    }
    s->chains = true;
    if (!ssl_x509_valid(der, len)) {
        return;
    }
    if (!is_orig && s->nfps[1] == 0 && s->server_name != NULL) {
        s->sni_match = ssl_x509_matches(der, len, s->server_name, s->server_name_len) ? 1 : 0;
    }
    if (s->nfps[!is_orig] < SSL_CHAIN_MAX) {
        ssl_sha256(der, len, s->fps[!is_orig][s->nfps[!is_orig]++]);
    }
}

static void ssl_certificate(struct ssl_parser *p, bool is_orig, const uint8_t *b, size_t len)
{
    struct ssl_rd r = {b, len, false};
    bool tls13 = p->s.has_version && (p->s.version == SSL_TLS13 || p->s.version >> 8 == 0x7F);

    if (tls13) {
        rd_vec(&r, 1); /* certificate_request_context */
    }
    struct ssl_rd list = rd_vec(&r, 3);
    while (!list.bad && list.left > 0) {
        struct ssl_rd cert = rd_vec(&list, 3);
        if (tls13) {
            rd_vec(&list, 2); /* the entry's extensions */
        }
        if (cert.bad || list.bad) {
            break;
        }
        ssl_one_cert(p, is_orig, cert.p, cert.left);
    }
    if (r.bad || list.bad) {
        ssl_violation(p, "malformed certificate message");
    }
}

/* ---- handshake messages ---- */

static void ssl_hs_message(struct ssl_parser *p, bool is_orig, uint8_t type, const uint8_t *b,
                           size_t len)
{
    struct ssl_session *s = &p->s;
    char ch = ssl_hs_letter(type);

    p->s.touched = true;
    switch (type) {
    case SSL_HS_CLIENT_HELLO:
        ssl_client_hello(p, b, len);
        break;
    case SSL_HS_SERVER_HELLO:
        ssl_server_hello(p, b, len);
        if (s->hrr_seen) {
            ch = 'j';
            s->hrr_seen = false;
        }
        break;
    case SSL_HS_CERTIFICATE:
        ssl_certificate(p, is_orig, b, len);
        break;
    case SSL_HS_SERVER_KEY_EXCHANGE:
        if (!is_orig && s->has_cipher && ssl_cipher_is_ecdh(s->cipher) && len >= 3 &&
            b[0] == SSL_EC_NAMED_CURVE) {
            s->curve = (uint16_t)(b[1] << 8 | b[2]);
            s->has_curve = true;
        }
        break;
    case SSL_HS_CLIENT_KEY_EXCHANGE:
        if (is_orig) {
            s->client_key_exchange_seen = true;
        }
        break;
    default:
        break;
    }
    ssl_hist(p, is_orig, ch);
}

/* Bytes of the message gathered in d->hs: make room for `want` bytes in
 * all.  false (and the parser stopped) when it is over the bound. */
static bool ssl_hs_room(struct ssl_parser *p, struct ssl_dir *d, uint32_t want)
{
    if (want > p->max_handshake) {
        char n[24];
        snprintf(n, sizeof(n), "%u", (unsigned)want);
        ssl_weird(p, "SSL_max_handshake_message_size_reached", n, false);
        p->stopped = true;
        return false;
    }
    if (want > d->hs_cap) {
        uint8_t *nb = p->cb->alloc(p->ud, want);
        if (nb == NULL) {
            p->stopped = true;
            return false;
        }
        if (d->hs_len > 0) {
            memcpy(nb, d->hs, d->hs_len);
        }
        p->cb->free(p->ud, d->hs);
        d->hs = nb;
        d->hs_cap = want;
    }
    return true;
}

/* TLS: handshake record bytes of one direction, a stream of messages of a
 * 4-byte header each.  Whole messages are read in place; one that spans
 * records is gathered in d->hs. */
static void ssl_hs_stream(struct ssl_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    struct ssl_dir *d = &p->d[is_orig];

    while (len > 0 && !p->stopped) {
        if (d->hs_len == 0 && len >= SSL_HS_HDR) {
            uint32_t mlen = (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
            if ((size_t)mlen + SSL_HS_HDR <= len) {
                ssl_hs_message(p, is_orig, data[0], data + SSL_HS_HDR, mlen);
                data += SSL_HS_HDR + mlen;
                len -= SSL_HS_HDR + mlen;
                continue;
            }
        }
        /* Gather: the header first, then the body it announces. */
        uint32_t want = d->hs_len < SSL_HS_HDR ? SSL_HS_HDR : d->hs_want;
        if (!ssl_hs_room(p, d, want)) {
            return;
        }
        size_t n = want - d->hs_len < len ? want - d->hs_len : len;
        memcpy(d->hs + d->hs_len, data, n);
        d->hs_len += (uint32_t)n;
        data += n;
        len -= n;
        if (d->hs_len == SSL_HS_HDR && want == SSL_HS_HDR) {
            d->hs_want =
                SSL_HS_HDR + ((uint32_t)d->hs[1] << 16 | (uint32_t)d->hs[2] << 8 | d->hs[3]);
            if (!ssl_hs_room(p, d, d->hs_want)) {
                return;
            }
        }
        if (d->hs_len >= SSL_HS_HDR && d->hs_len == d->hs_want) {
            d->hs_len = 0;
            ssl_hs_message(p, is_orig, d->hs[0], d->hs + SSL_HS_HDR, d->hs_want - SSL_HS_HDR);
        }
    }
}

/* DTLS: the handshake fragments of one record.  A message in one fragment
 * is read in place; fragments of a message are gathered while they come
 * in order (others are dropped, as retransmissions are). */
static void ssl_dtls_hs(struct ssl_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    struct ssl_dir *d = &p->d[is_orig];

    while (len >= SSL_DTLS_HS_HDR && !p->stopped) {
        uint32_t mlen = (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
        uint16_t seq = (uint16_t)(data[4] << 8 | data[5]);
        uint32_t off = (uint32_t)data[6] << 16 | (uint32_t)data[7] << 8 | data[8];
        uint32_t flen = (uint32_t)data[9] << 16 | (uint32_t)data[10] << 8 | data[11];
        const uint8_t *frag = data + SSL_DTLS_HS_HDR;
        if (flen > len - SSL_DTLS_HS_HDR || off > mlen || flen > mlen - off) {
            ssl_violation(p, "malformed DTLS handshake fragment");
            return;
        }
        data += SSL_DTLS_HS_HDR + flen;
        len -= SSL_DTLS_HS_HDR + flen;
        if (off == 0 && flen == mlen) {
            ssl_hs_message(p, is_orig, frag[-SSL_DTLS_HS_HDR], frag, flen);
            continue;
        }
        if (off == 0) {
            d->hs_len = 0;
            d->dtls_seq = seq;
            if (!ssl_hs_room(p, d, mlen + 1)) {
                return;
            }
            d->hs[0] = frag[-SSL_DTLS_HS_HDR];
            d->hs_len = 1;
            d->hs_want = mlen + 1;
        } else if (d->hs_len == 0 || seq != d->dtls_seq || off + 1 != d->hs_len ||
                   mlen + 1 != d->hs_want) {
            continue;
        }
        memcpy(d->hs + d->hs_len, frag, flen);
        d->hs_len += flen;
        if (d->hs_len == d->hs_want) {
            d->hs_len = 0;
            ssl_hs_message(p, is_orig, d->hs[0], d->hs + 1, d->hs_want - 1);
        }
    }
    if (len > 0 && !p->stopped) {
        ssl_violation(p, "truncated DTLS handshake fragment");
    }
}

/* ---- records ---- */

/* A record header is complete: check it, and act on what its start says. */
static void ssl_record_start(struct ssl_parser *p, bool is_orig, uint8_t ct)
{
    struct ssl_dir *d = &p->d[is_orig];
    struct ssl_session *s = &p->s;
    char why[64];

    if (ct < SSL_CT_CHANGE_CIPHER_SPEC || ct > SSL_CT_LAST) {
        snprintf(why, sizeof(why), "unknown SSL record type (%u) from %s", ct,
                 is_orig ? "originator" : "responder");
        ssl_violation(p, why);
        return;
    }
    p->had_record = true;
    if (d->encrypted) {
        /* Zeek's proc_ciphertext_record. */
        if (p->d[0].encrypted && p->d[1].encrypted && !s->established) {
            s->established = true;
            s->touched = true;
            p->stopped = true;
            p->cb->established(p->ud);
        }
        return;
    }
    if (ct == SSL_CT_HEARTBEAT) {
        ssl_hist(p, is_orig, 'b');
    } else if (ct == SSL_CT_APPLICATION_DATA && s->has_version && !s->established) {
        ssl_weird(p, "ssl_early_application_data", NULL, true);
    }
}

/* Body bytes of the current record of a clear direction. */
static void ssl_record_body(struct ssl_parser *p, bool is_orig, uint8_t ct, const uint8_t *data,
                            size_t n, bool first)
{
    struct ssl_dir *d = &p->d[is_orig];

    switch (ct) {
    case SSL_CT_HANDSHAKE:
        if (p->dtls) {
            ssl_dtls_hs(p, is_orig, data, n);
        } else {
            ssl_hs_stream(p, is_orig, data, n);
        }
        break;
    case SSL_CT_CHANGE_CIPHER_SPEC:
        if (first) {
            ssl_hist(p, is_orig, 'i');
            if (is_orig && p->s.client_ticket_empty_session_seen &&
                !p->s.client_key_exchange_seen) {
                p->s.resumed = true;
            }
            d->encrypted = true;
        }
        break;
    case SSL_CT_ALERT:
        for (size_t i = 0; i < n; i++) {
            d->alert[d->alert_have++] = data[i];
            if (d->alert_have == 2) {
                d->alert_have = 0;
                ssl_hist(p, is_orig, 'l');
                p->s.last_alert = d->alert[1];
                p->s.has_last_alert = true;
            }
        }
        break;
    default:
        break;
    }
}

/* TLS over a byte stream. */
static void ssl_tls_data(struct ssl_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    struct ssl_dir *d = &p->d[is_orig];

    while (len > 0 && !p->stopped) {
        if (!d->in_record) {
            size_t need = (size_t)(SSL_TLS_HDR - d->hdr_have);
            size_t n = need < len ? need : len;
            memcpy(d->hdr + d->hdr_have, data, n);
            d->hdr_have = (uint8_t)(d->hdr_have + n);
            data += n;
            len -= n;
            if (d->hdr_have < SSL_TLS_HDR) {
                return;
            }
            if (d->hdr[1] != 3) {
                ssl_violation(p, p->had_record ? "Invalid version late in TLS connection"
                                               : "Invalid headers in SSL connection");
                return;
            }
            d->in_record = true;
            d->hdr_have = 0;
            d->alert_have = 0;
            d->rec_left = (uint16_t)(d->hdr[3] << 8 | d->hdr[4]);
            d->rec_first = true;
            ssl_record_start(p, is_orig, d->hdr[0]);
            if (p->stopped) {
                return;
            }
        }
        size_t n = d->rec_left < len ? d->rec_left : len;
        if (!d->encrypted && n > 0) {
            ssl_record_body(p, is_orig, d->hdr[0], data, n, d->rec_first);
            d->rec_first = false;
        }
        d->rec_left = (uint16_t)(d->rec_left - n);
        data += n;
        len -= n;
        if (d->rec_left == 0) {
            d->in_record = false;
        }
    }
}

/* DTLS: the records of one datagram. */
static void ssl_dtls_data(struct ssl_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    while (len > 0 && !p->stopped) {
        if (len < SSL_DTLS_HDR || data[1] != 0xFE) {
            ssl_violation(p, "malformed DTLS record");
            return;
        }
        uint16_t rlen = (uint16_t)(data[11] << 8 | data[12]);
        if (rlen > len - SSL_DTLS_HDR) {
            ssl_violation(p, "truncated DTLS record");
            return;
        }
        uint8_t ct = data[0];
        bool was_encrypted = p->d[is_orig].encrypted;
        ssl_record_start(p, is_orig, ct);
        if (!p->stopped && !was_encrypted) {
            ssl_record_body(p, is_orig, ct, data + SSL_DTLS_HDR, rlen, rlen > 0);
        }
        data += SSL_DTLS_HDR + rlen;
        len -= SSL_DTLS_HDR + rlen;
    }
}

void ssl_parse_data(struct ssl_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    if (p->stopped) {
        return;
    }
    if (p->dtls) {
        ssl_dtls_data(p, is_orig, data, len);
    } else {
        ssl_tls_data(p, is_orig, data, len);
    }
    if (p->violated) {
        p->violated = false;
        p->cb->violation(p->ud, p->reason);
    }
}

void ssl_parse_gap(struct ssl_parser *p, bool is_orig, uint64_t len)
{
    (void)is_orig;
    (void)len;
    p->stopped = true;
}

void ssl_parse_init(struct ssl_parser *p, bool dtls, uint32_t max_handshake,
                    const struct ssl_parse_cb *cb, void *ud)
{
    memset(p, 0, sizeof(*p));
    p->dtls = dtls;
    p->max_handshake = max_handshake;
    p->cb = cb;
    p->ud = ud;
    p->s.sni_match = -1;
}

void ssl_parse_free(struct ssl_parser *p)
{
    if (p->cb == NULL) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        p->cb->free(p->ud, p->d[i].hs);
        p->d[i].hs = NULL;
        p->d[i].hs_cap = p->d[i].hs_len = 0;
    }
    p->cb->free(p->ud, p->s.server_name);
    p->cb->free(p->ud, p->s.next_protocol);
    p->cb->free(p->ud, p->s.fps);
    p->s.server_name = p->s.next_protocol = NULL;
    p->s.fps = NULL;
}

bool ssl_parse_probe(const uint8_t *d, size_t len, bool is_orig, bool dtls)
{
    uint8_t want = is_orig ? SSL_HS_CLIENT_HELLO : SSL_HS_SERVER_HELLO;

    if (dtls) {
        /* record: 16 FE xx, epoch 0; handshake type at 13 */
        return len > SSL_DTLS_HDR && d[0] == SSL_CT_HANDSHAKE && d[1] == 0xFE &&
               (d[2] == 0xFF || d[2] == 0xFD || d[2] == 0xFC) && d[3] == 0 && d[4] == 0 &&
               (d[13] == want || (!is_orig && d[13] == SSL_HS_HELLO_VERIFY_REQUEST));
    }
    /* 16 03 0x LL LL type .. .. .. 03 0x: a hello of SSLv3 to TLS 1.3 */
    return len >= 11 && d[0] == SSL_CT_HANDSHAKE && d[1] == 3 && d[2] <= 4 && d[5] == want &&
           (d[9] == 3 || d[9] == 0x7F) && d[10] <= 4;
}
