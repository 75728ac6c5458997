/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP protocol machine of the http analyzer (see http_parse.h).  The
 * structure follows Zeek's analyzer so that the same input gives the same
 * events in the same order: a line splitter per direction that can switch
 * to raw ("plain") delivery for bodies, a per-connection request/reply state
 * (line, message, nothing, HTTP/0.9 reply), and per-message header/body
 * state (Content-Length, chunked, close-delimited, gzip/deflate).  All
 * bounds are checked against the bytes actually present; nothing here reads
 * past `len` of a caller's buffer.
 */
#include "http_parse.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* Zeek's zlib window bits: a zlib or gzip header, detected; raw deflate. */
#define HTTP_ZLIB_WBITS_AUTO (15 + 32)
#define HTTP_ZLIB_WBITS_RAW (-15)
#define HTTP_INFLATE_CHUNK 4096 /* bytes inflated per step */
#define HTTP_WEIRD_ADDL_MAX 255 /* bytes of input quoted in a weird */

/* What the originator's side expects next (Zeek's request_state). */
enum http_req_state {
    HTTP_REQ_LINE = 0,
    HTTP_REQ_MESSAGE,
    HTTP_REQ_NOTHING,
};

/* What the responder's side expects next (Zeek's reply_state). */
enum http_rep_state {
    HTTP_REP_LINE = 0,
    HTTP_REP_MESSAGE,
    HTTP_REP_NOTHING,
    HTTP_REP_HTTP09,
};

/* Whether a message has a body (Zeek's expect_body). */
enum http_body_expect {
    HTTP_BODY_NOT_EXPECTED = 0,
    HTTP_BODY_MAYBE,
    HTTP_BODY_EXPECTED,
};

/* Where a chunked body is (Zeek's chunked_transfer_state). */
enum http_chunk_state {
    HTTP_CHUNK_NONE = 0,
    HTTP_CHUNK_BEFORE,
    HTTP_CHUNK_SIZE,
    HTTP_CHUNK_DATA,
    HTTP_CHUNK_DATA_CRLF,
    HTTP_CHUNK_TRAILER,
    HTTP_CHUNK_NOTHING,
};

/* The body's Content-Encoding. */
enum http_encoding {
    HTTP_ENC_IDENTITY = 0,
    HTTP_ENC_GZIP,
    HTTP_ENC_DEFLATE,
};

/* Context passed down the call chain. */
struct http_ctx {
    struct http_parser *p;
    const struct http_parse_cb *cb;
    void *ud;
};

static void http_request_made(struct http_ctx *x, bool interrupted);
static void http_reply_made(struct http_ctx *x, bool interrupted);

/* ---- small helpers ------------------------------------------------------ */

static bool http_is_lws(char c)
{
    return c == ' ' || c == '\t';
}

static const char *http_skip_ws(const char *s, const char *e)
{
    while (s < e && http_is_lws(*s)) {
        s++;
    }
    return s;
}

static int http_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Case-insensitive compare of a counted string with a C string. */
static inline bool http_streq_ci(const char *s, size_t n, const char *lit)
{
    if (n != strlen(lit)) { /* a literal's length: folded by the compiler */
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (http_lower((unsigned char)s[i]) != http_lower((unsigned char)lit[i])) {
            return false;
        }
    }
    return true;
}

/* Prefix match; returns the position after the prefix or NULL. */
static const char *http_prefix(const char *s, const char *e, const char *pfx, bool ci)
{
    while (*pfx != '\0' && s < e) {
        int a = (unsigned char)*pfx;
        int b = (unsigned char)*s;
        if (ci ? http_lower(a) != http_lower(b) : a != b) {
            return NULL;
        }
        pfx++;
        s++;
    }
    return *pfx == '\0' ? s : NULL;
}

static bool http_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int http_hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Zeek's atoi_n: optional '-', then digits of `base` until the first other
 * character (at least one digit needed).  Saturates instead of overflowing.
 * Returns 0, or -EINVAL when there is no digit. */
static int http_atoi(const char *s, size_t len, int base, int64_t *out)
{
    bool neg = false;
    int64_t n = 0;
    size_t i;

    if (len > 0 && *s == '-') {
        neg = true;
        s++;
        len--;
    }
    for (i = 0; i < len; i++) {
        int d = http_hexval(s[i]);
        if (d < 0 || d >= base) {
            if (i > 0) {
                break;
            }
            return -EINVAL;
        }
        if (n > (INT64_MAX - d) / base) {
            n = INT64_MAX;
        } else {
            n = n * base + d;
        }
    }
    if (len == 0) {
        return -EINVAL;
    }
    *out = neg ? -n : n;
    return 0;
}

/* Sets of ASCII characters as two 64-bit words, built at compile time
 * from a list: HTTP_CSET(LIST) where LIST(X) applies X to each. */
#define HTTP_CLO(c) | ((c) < 64 ? 1ull << ((c)&63) : 0)
#define HTTP_CHI(c) | ((c) >= 64 ? 1ull << ((c)&63) : 0)
#define HTTP_CSET(list)                                                                            \
    {                                                                                              \
        0 list(HTTP_CLO), 0 list(HTTP_CHI)                                                         \
    }

static bool http_in_cset(const uint64_t set[2], unsigned char c)
{
    return c < 128 && ((set[c >> 6] >> (c & 63)) & 1) != 0;
}

/* RFC 2616 separators (tab aside: below 32 anyway). */
/* clang-format off */
#define HTTP_SEPARATORS(X) \
    X(' ') X('"') X('(') X(')') X(',') X('/') X(':') X(';') X('<') X('=') X('>') X('?') X('@') \
    X('[') X('\\') X(']') X('{') X('}')
/* clang-format on */

/* RFC 2616 token characters, as Zeek's is_HTTP_token_char. */
static bool http_is_token_char(unsigned char c)
{
    static const uint64_t separators[2] = HTTP_CSET(HTTP_SEPARATORS);

    return c > 31 && c < 127 && !http_in_cset(separators, c);
}

/* The first MIME token of a header value (Zeek's get_value_token). */
static void http_value_token(const char *v, size_t vlen, const char **tok, size_t *tlen)
{
    const char *e = v + vlen;
    const char *s = http_skip_ws(v, e);
    const char *t = s;
    while (t < e && http_is_token_char((unsigned char)*t)) {
        t++;
    }
    *tok = s;
    *tlen = (size_t)(t - s);
}

static void http_weird(struct http_ctx *x, const char *name, const char *addl)
{
    if (x->cb->weird != NULL) {
        x->cb->weird(x->ud, name, addl);
    }
}

/* Weird with a counted string as addl (truncated to a sane size). */
static void http_weird_n(struct http_ctx *x, const char *name, const char *s, size_t n)
{
    char buf[HTTP_WEIRD_ADDL_MAX + 1];
    if (n >= sizeof(buf)) {
        n = sizeof(buf) - 1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    http_weird(x, name, buf);
}

static void http_version_str(struct http_version v, char out[8])
{
    snprintf(out, 8, "%u.%u", v.major % 10u, v.minor % 10u);
}

static bool http_version_is(struct http_version v, uint8_t major, uint8_t minor)
{
    return v.major == major && v.minor == minor;
}

/* Zeek's SetVersion: remember, weird on change, HTTP/1.1+ is keep-alive. */
static void http_set_version(struct http_ctx *x, struct http_version *v, struct http_version nv)
{
    if (v->major == 0 && v->minor == 0) {
        *v = nv;
    } else if (v->major != nv.major || v->minor != nv.minor) {
        http_weird(x, "HTTP_version_mismatch", NULL);
        *v = nv;
    }
    if (v->major > 1 || (v->major == 1 && v->minor > 0)) {
        x->p->keep_alive = true;
    }
}

/* "d.d" at the start of data, else {0,0}. */
static struct http_version http_parse_version(const char *d, const char *e)
{
    struct http_version v = {0, 0};
    if (e - d >= 3 && http_is_digit(d[0]) && d[1] == '.' && http_is_digit(d[2])) {
        v.major = (uint8_t)(d[0] - '0');
        v.minor = (uint8_t)(d[2] - '0');
    }
    return v;
}

/* ---- unanswered request queue ------------------------------------------- */

static void http_unans_push(struct http_parser *p, bool is_head)
{
    if (p->unans_count == HTTP_UNANSWERED_MAX) {
        /* Forget the oldest: bounded memory beats exactness here. */
        p->unans_first = (p->unans_first + 1) % HTTP_UNANSWERED_MAX;
        p->unans_count--;
    }
    p->unans_head[(p->unans_first + p->unans_count) % HTTP_UNANSWERED_MAX] = is_head;
    p->unans_count++;
}

static void http_unans_pop(struct http_parser *p)
{
    if (p->unans_count > 0) {
        p->unans_first = (p->unans_first + 1) % HTTP_UNANSWERED_MAX;
        p->unans_count--;
    }
}

/* ---- content decoding --------------------------------------------------- */

/* zlib's allocator: the caller's, through the parser that owns the stream. */
static void *http_zalloc(void *opaque, unsigned items, unsigned size)
{
    const struct http_parser *p = opaque;
    return p->zcb->alloc(p->zud, (size_t)items * size);
}

static void http_zfree(void *opaque, void *ptr)
{
    const struct http_parser *p = opaque;
    p->zcb->free(p->zud, ptr);
}

static void http_zip_end(struct http_ctx *x, struct http_msg *m)
{
    if (m->zs != NULL) {
        inflateEnd(m->zs);
        x->cb->free(x->ud, m->zs);
        m->zs = NULL;
    }
}

static void http_body_clear(struct http_ctx *x, bool is_orig, const uint8_t *d, size_t n, bool crlf)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;

    m->body_length += n + (crlf ? 2 : 0);
    if (x->cb->body != NULL) {
        if (n > 0) {
            x->cb->body(x->ud, is_orig, d, n);
        }
        if (crlf) {
            x->cb->body(x->ud, is_orig, (const uint8_t *)"\r\n", 2);
        }
    }
}

/* A zlib stream for the body of `m`, through the caller's allocator.  Returns
 * 0, -ENOTSUP (no allocator), -ENOMEM or -EINVAL (zlib refused). */
static int http_zip_init(struct http_ctx *x, struct http_msg *m, int wbits)
{
    z_stream *zs;

    if (x->cb->alloc == NULL || x->cb->free == NULL) {
        return -ENOTSUP;
    }
    zs = x->cb->alloc(x->ud, sizeof(*zs));
    if (zs == NULL) {
        return -ENOMEM;
    }
    memset(zs, 0, sizeof(*zs));
    x->p->zcb = x->cb;
    x->p->zud = x->ud;
    zs->zalloc = http_zalloc;
    zs->zfree = http_zfree;
    zs->opaque = x->p;
    if (inflateInit2(zs, wbits) != Z_OK) {
        x->cb->free(x->ud, zs);
        return -EINVAL;
    }
    m->zs = zs;
    return 0;
}

/* Inflate `n` bytes of a gzip/deflate body and deliver what comes out. */
static void http_body_zip(struct http_ctx *x, bool is_orig, const uint8_t *d, size_t n)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;
    uint8_t out[HTTP_INFLATE_CHUNK];
    bool produced = false;

    if (m->gzip_failed) {
        return;
    }
    if (m->zs == NULL && http_zip_init(x, m, HTTP_ZLIB_WBITS_AUTO) < 0) {
        m->gzip_failed = true;
        return;
    }
    z_stream *zs = m->zs;
    zs->next_in = (Bytef *)d;
    zs->avail_in = (uInt)n;
    while (zs->avail_in > 0) {
        zs->next_out = out;
        zs->avail_out = sizeof(out);
        int rc = inflate(zs, Z_SYNC_FLUSH);
        size_t got = sizeof(out) - zs->avail_out;
        if (got > 0) {
            produced = true;
            http_body_clear(x, is_orig, out, got, false);
        }
        if (rc == Z_STREAM_END) {
            /* A concatenated member may follow; Zeek stops here. */
            break;
        }
        if (rc == Z_DATA_ERROR && m->encoding == HTTP_ENC_DEFLATE && !produced &&
            zs->total_out == 0) {
            /* "deflate" without the zlib header: retry as raw deflate. */
            const Bytef *rest = d;
            size_t restn = n;
            http_zip_end(x, m);
            if (http_zip_init(x, m, HTTP_ZLIB_WBITS_RAW) < 0) {
                m->gzip_failed = true;
                return;
            }
            m->encoding = HTTP_ENC_GZIP; /* do not retry again */
            zs = m->zs;
            zs->next_in = (Bytef *)rest;
            zs->avail_in = (uInt)restn;
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            http_weird(x, "inflate_failed", NULL);
            m->gzip_failed = true;
            break;
        }
        if (rc == Z_BUF_ERROR && got == 0) {
            break;
        }
    }
}

static void http_body(struct http_ctx *x, bool is_orig, const uint8_t *d, size_t n, bool crlf)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;

    if (m->encoding != HTTP_ENC_IDENTITY) {
        http_body_zip(x, is_orig, d, n);
        if (crlf) {
            http_body_zip(x, is_orig, (const uint8_t *)"\r\n", 2);
        }
        return;
    }
    http_body_clear(x, is_orig, d, n, crlf);
}

/* ---- messages ----------------------------------------------------------- */

/* Zeek's HTTP_Message::Done: the message ends, its stats are reported, and
 * the analyzer moves on (HTTP_MessageDone). */
static void http_msg_done(struct http_ctx *x, bool is_orig, bool interrupted)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;

    if (!m->active || m->finished) {
        return;
    }
    m->finished = true;
    m->end_of_data = true;
    http_zip_end(x, m);
    x->p->dir[is_orig].plain_left = 0;
    if (x->cb->message_done != NULL) {
        x->cb->message_done(x->ud, is_orig, m->body_length, interrupted);
    }
    if (is_orig) {
        http_request_made(x, false);
    } else {
        http_reply_made(x, false);
    }
}

static void http_end_of_data(struct http_ctx *x, bool is_orig)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;
    if (m->end_of_data) {
        return;
    }
    m->end_of_data = true;
    http_msg_done(x, is_orig, false);
}

static void http_msg_init(struct http_ctx *x, bool is_orig, uint8_t expect_body)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;

    if (m->active && !m->finished) {
        http_weird(x, "HTTP_overlapping_messages", NULL);
    }
    http_zip_end(x, m);
    memset(m, 0, sizeof(*m));
    m->active = true;
    m->in_header = true;
    m->expect_body = expect_body;
    m->content_length = -1;
    x->p->dir[is_orig].plain_left = 0;
}

static void http_set_plain(struct http_ctx *x, bool is_orig, int64_t n)
{
    x->p->dir[is_orig].plain_left = n;
}

/* One header of the current message (entity part, then analyzer part). */
static void http_submit_header(struct http_ctx *x, bool is_orig, const char *name, size_t nlen,
                               const char *val, size_t vlen)
{
    struct http_parser *p = x->p;
    struct http_msg *m = &p->dir[is_orig].msg;
    const char *tok;
    size_t tlen;

    http_value_token(val, vlen, &tok, &tlen);

    if (http_streq_ci(name, nlen, "content-length")) {
        int64_t n;
        if (m->chunk_state != HTTP_CHUNK_NONE) {
            http_weird(x, "HTTP_content_length_and_chunked", NULL);
        }
        if (tlen > 0) {
            if (http_atoi(tok, tlen, 10, &n) == 0 && n >= 0) {
                if (n > 0 && tok[0] == '0') {
                    http_weird_n(x, "HTTP_content_length_leading_zeros", tok, tlen);
                }
                m->content_length = n;
            } else {
                http_weird_n(x, "HTTP_bad_content_length", tok, tlen);
                m->content_length = 0;
            }
        }
    } else if (http_streq_ci(name, nlen, "transfer-encoding")) {
        struct http_version v = p->request_ongoing ? p->request_version : p->reply_version;
        if (http_streq_ci(tok, tlen, "chunked") && http_version_is(v, 1, 1)) {
            m->chunk_state = HTTP_CHUNK_BEFORE;
            if (m->content_length >= 0) {
                http_weird(x, "HTTP_content_length_and_chunked", NULL);
            }
        }
    } else if (http_streq_ci(name, nlen, "content-encoding")) {
        if (http_streq_ci(tok, tlen, "gzip") || http_streq_ci(tok, tlen, "x-gzip")) {
            m->encoding = HTTP_ENC_GZIP;
        }
        if (http_streq_ci(tok, tlen, "deflate")) {
            m->encoding = HTTP_ENC_DEFLATE;
        }
    } else if (http_streq_ci(name, nlen, "expect")) {
        if (!http_streq_ci(tok, tlen, "100-continue")) {
            http_weird_n(x, "HTTP_expect_not_100_continue", tok, tlen);
        }
    }

    if (http_streq_ci(name, nlen, "connection")) {
        if (is_orig && http_streq_ci(tok, tlen, "keep-alive")) {
            p->keep_alive = true;
        }
        if (!is_orig && http_streq_ci(tok, tlen, "close")) {
            p->connection_close = true;
        } else if (!is_orig && http_streq_ci(tok, tlen, "upgrade")) {
            p->upgrade_connection = true;
        }
    }
    if (!is_orig && http_streq_ci(name, nlen, "upgrade")) {
        p->upgrade_protocol = tlen > 0;
    }
    if (x->cb->header != NULL) {
        x->cb->header(x->ud, is_orig, name, nlen, val, vlen);
    }
}

/* End of the header block: decide how the body is delimited. */
static void http_submit_all_headers(struct http_ctx *x, bool is_orig)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;

    if (m->chunk_state == HTTP_CHUNK_TRAILER) {
        m->chunk_state = HTTP_CHUNK_NOTHING;
        http_end_of_data(x, is_orig);
        return;
    }
    if (m->expect_body == HTTP_BODY_NOT_EXPECTED) {
        http_end_of_data(x, is_orig);
        return;
    }
    if (m->chunk_state != HTTP_CHUNK_NONE) {
        m->chunk_state = HTTP_CHUNK_SIZE;
    } else if (m->content_length >= 0) {
        if (m->content_length > 0) {
            m->expect_data_length = m->content_length;
            http_set_plain(x, is_orig, m->content_length);
        } else {
            http_end_of_data(x, is_orig);
        }
    } else if (x->p->connection_close || m->encoding != HTTP_ENC_IDENTITY) {
        m->expect_data_length = INT_MAX;
        http_set_plain(x, is_orig, INT_MAX);
    } else if (m->expect_body != HTTP_BODY_EXPECTED) {
        http_end_of_data(x, is_orig);
    }
}

/* A header line "Name: value"; other lines are ignored as Zeek's MIME
 * parser does (continuation lines of folded headers included). */
static void http_header_line(struct http_ctx *x, bool is_orig, const char *line, size_t len)
{
    const char *e = line + len;
    const char *s = line;
    const char *name;
    size_t nlen;

    if (http_is_lws(line[0])) {
        http_weird(x, "HTTP_obsolete_line_folding", NULL);
        return;
    }
    name = s;
    while (s < e && (unsigned char)*s >= 33 && (unsigned char)*s <= 126 && *s != ':') {
        s++;
    }
    nlen = (size_t)(s - name);
    s = http_skip_ws(s, e);
    if (nlen == 0 || s >= e || *s != ':') {
        return;
    }
    s = http_skip_ws(s + 1, e);
    http_submit_header(x, is_orig, name, nlen, s, (size_t)(e - s));
}

/* Zeek's HTTP_Entity::Deliver: a line (crlf) or raw bytes of a message. */
static void http_msg_deliver(struct http_ctx *x, bool is_orig, const char *d, size_t len, bool crlf)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;

    if (m->end_of_data) {
        return;
    }
    if (m->in_header) {
        if (!crlf) {
            http_weird(x, "http_no_crlf_in_header_list", NULL);
        }
        if (len == 0) {
            m->in_header = false;
            http_submit_all_headers(x, is_orig);
        } else {
            http_header_line(x, is_orig, d, len);
        }
        return;
    }
    switch (m->chunk_state) {
    case HTTP_CHUNK_NONE:
        break;
    case HTTP_CHUNK_SIZE: {
        int64_t n = 0;
        if (http_atoi(d, len, 16, &n) < 0 || n < 0) {
            http_weird_n(x, "HTTP_bad_chunk_size", d, len);
            n = 0;
        }
        if (n > 0) {
            m->expect_data_length = n;
            m->chunk_state = HTTP_CHUNK_DATA;
            http_set_plain(x, is_orig, n);
        } else {
            m->in_header = true;
            m->chunk_state = HTTP_CHUNK_TRAILER;
        }
        return;
    }
    case HTTP_CHUNK_DATA:
        m->expect_data_length -= (int64_t)len;
        if (m->expect_data_length <= 0) {
            http_set_plain(x, is_orig, 0);
            m->chunk_state = HTTP_CHUNK_DATA_CRLF;
        }
        http_body(x, is_orig, (const uint8_t *)d, len, false);
        return;
    case HTTP_CHUNK_DATA_CRLF:
        m->chunk_state = HTTP_CHUNK_SIZE;
        return;
    default:
        return;
    }
    if (m->content_length >= 0) {
        http_body(x, is_orig, (const uint8_t *)d, len, false);
        m->expect_data_length -= (int64_t)len;
        if (m->expect_data_length <= 0) {
            http_set_plain(x, is_orig, 0);
            http_end_of_data(x, is_orig);
        }
        return;
    }
    http_body(x, is_orig, (const uint8_t *)d, len, crlf);
}

/* ---- analyzer level ----------------------------------------------------- */

static void http_request_made(struct http_ctx *x, bool interrupted)
{
    struct http_parser *p = x->p;

    if (!p->request_ongoing) {
        return;
    }
    p->request_ongoing = false;
    http_msg_done(x, true, interrupted);
    p->request_state = interrupted ? HTTP_REQ_NOTHING : HTTP_REQ_LINE;
}

static void http_reply_made(struct http_ctx *x, bool interrupted)
{
    struct http_parser *p = x->p;

    if (!p->reply_ongoing) {
        return;
    }
    p->reply_ongoing = false;
    http_msg_done(x, false, interrupted);
    if (!http_status_is_info(p->reply_code) && p->unans_count > 0) {
        http_unans_pop(p);
    }
    if (p->reply_code == HTTP_STATUS_SWITCHING_PROTOCOLS && p->unans_count == 1 &&
        p->upgrade_connection && p->upgrade_protocol) {
        p->tunnel = true;
    }
    p->reply_code = 0;
    p->upgrade_connection = false;
    p->upgrade_protocol = false;
    p->reply_state = (interrupted || p->tunnel) ? HTTP_REP_NOTHING : HTTP_REP_LINE;
}

/* clang-format off */
#define HTTP_URI_PUNCT(X) \
    X(':') X('/') X('?') X('#') X('[') X(']') X('@') X('!') X('$') X('&') X('\'') X('(') X(')') \
    X('*') X('+') X(',') X(';') X('=') X('-') X('_') X('.') X('~') X('%')
/* clang-format on */

static bool http_is_uri_char(unsigned char c)
{
    static const uint64_t punct[2] = HTTP_CSET(HTTP_URI_PUNCT);

    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || http_is_digit((char)c) ||
           http_in_cset(punct, c);
}

/* Zeek's HTTP_RequestLine + ParseRequest.  Returns true for a request,
 * false for a bad line. */
static bool http_request_line(struct http_ctx *x, const char *line, size_t len)
{
    struct http_parser *p = x->p;
    const char *e = line + len;
    const char *eom = line;
    const char *rest;
    const char *eou;
    const char *vs;
    char uri[HTTP_LINE_MAX];
    size_t ulen;
    char vbuf[8];

    while (eom < e && http_is_token_char((unsigned char)*eom)) {
        eom++;
    }
    if (eom == line) {
        if (len >= 9 && http_prefix(e - 9, e, " HTTP/", true) != NULL) {
            http_weird(x, "bad_HTTP_request_with_version", NULL);
            return false;
        }
        goto bad;
    }
    rest = http_skip_ws(eom, e);
    if (rest == eom) {
        goto bad;
    }

    for (eou = rest; eou < e && http_is_uri_char((unsigned char)*eou); eou++) {
    }
    const char *match = http_prefix(rest, e, "HTTP/", false);
    if (match == NULL) {
        match = http_prefix(rest, e, "HTTP/", true);
        if (match != NULL) {
            http_weird(x, "lowercase_HTTP_keyword", NULL);
        }
    }
    if (eou >= e && match != NULL) {
        http_weird(x, "missing_HTTP_uri", NULL);
        eou = rest;
    }
    for (vs = eou; vs < e; ++vs) {
        eou = vs;
        vs = http_skip_ws(vs, e);
        if (http_prefix(vs, e, "HTTP/", false) != NULL) {
            break;
        }
        if (http_prefix(vs, e, "HTTP/", true) != NULL) {
            http_weird(x, "lowercase_HTTP_keyword", NULL);
            break;
        }
    }
    if (vs >= e) {
        struct http_version v09 = {0, 9};
        http_set_version(x, &p->request_version, v09);
    } else if (vs + 8 <= e) {
        http_set_version(x, &p->request_version, http_parse_version(vs + 5, e));
    }

    if (http_version_is(p->request_version, 0, 9)) {
        if (eom - line < 3 || eou == rest) {
            goto bad;
        }
    }

    ulen = http_unescape_uri(rest, (size_t)(eou - rest), uri, x->cb, x->ud);

    /* Accepted: Zeek's bookkeeping after HTTP_RequestLine returned 1. */
    size_t mlen = (size_t)(eom - line);
    p->num_requests++;
    if (!p->keep_alive && p->num_requests > 1) {
        http_weird(x, "unexpected_multiple_HTTP_requests", NULL);
    }
    p->request_state = HTTP_REQ_MESSAGE;
    p->request_ongoing = true;
    /* Zeek compares the method as a case-insensitive prefix of these. */
    http_unans_push(p, mlen <= 4 && strncasecmp(line, "HEAD", mlen) == 0);
    if (mlen <= 7 && strncasecmp(line, "CONNECT", mlen) == 0) {
        p->connect_request = true;
    }
    http_version_str(p->request_version, vbuf);
    if (x->cb->request != NULL) {
        x->cb->request(x->ud, line, mlen, uri, ulen, vbuf);
    }
    http_msg_init(x, true, HTTP_BODY_MAYBE);

    if (http_version_is(p->request_version, 0, 9)) {
        if (mlen != 3 || memcmp(line, "GET", 3) != 0) {
            http_weird_n(x, "invalid_http_09_request_method", line, mlen);
        }
        if (p->dir[0].msg.active) {
            http_weird(x, "http_09_reply_before_request", NULL);
            http_msg_done(x, false, false);
            p->dir[0].msg.active = false;
        }
        p->reply_state = HTTP_REP_HTTP09;
        p->dir[0].lines.len = 0;
        p->dir[0].plain_left = 0;
    }
    return true;

bad:
    http_weird(x, "bad_HTTP_request", NULL);
    return false;
}

/* Zeek's HTTP_ReplyLine.  Fills code/reason; returns false if not a reply. */
static bool http_reply_line(struct http_ctx *x, const char *line, size_t len, const char **reason,
                            size_t *rlen)
{
    struct http_parser *p = x->p;
    const char *e = line + len;
    const char *rest = http_prefix(line, e, "HTTP/", false);

    if (rest == NULL) {
        rest = http_prefix(line, e, "HTTP/", true);
        if (rest != NULL) {
            http_weird(x, "lowercase_HTTP_keyword", NULL);
        }
    }
    if (rest == NULL) {
        return false;
    }
    http_set_version(x, &p->reply_version, http_parse_version(rest, e));
    while (rest < e && !http_is_lws(*rest)) {
        rest++;
    }
    if (rest >= e) {
        return false;
    }
    rest = http_skip_ws(rest, e);
    if (e - rest < 3) {
        return false;
    }
    if (http_is_digit(rest[0]) && http_is_digit(rest[1]) && http_is_digit(rest[2])) {
        p->reply_code = (unsigned)((rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0'));
    } else {
        p->reply_code = 0;
    }
    for (rest += 3; rest < e; ++rest) {
        if (http_is_lws(*rest)) {
            break;
        }
    }
    *reason = NULL;
    *rlen = 0;
    if (rest >= e) {
        return true;
    }
    rest = http_skip_ws(rest, e);
    *reason = rest;
    *rlen = (size_t)(e - rest);
    return true;
}

static uint8_t http_expect_reply_body(const struct http_parser *p)
{
    if (p->unans_count > 0 && p->unans_head[p->unans_first]) {
        return HTTP_BODY_NOT_EXPECTED;
    }
    if (http_status_is_info(p->reply_code) || p->reply_code == HTTP_STATUS_NO_CONTENT ||
        p->reply_code == HTTP_STATUS_NOT_MODIFIED) {
        return HTTP_BODY_NOT_EXPECTED;
    }
    return HTTP_BODY_EXPECTED;
}

static void http_emit_reply(struct http_ctx *x, const char *reason, size_t rlen)
{
    char vbuf[8];
    http_version_str(x->p->reply_version, vbuf);
    if (x->cb->reply != NULL) {
        if (reason == NULL) {
            x->cb->reply(x->ud, vbuf, x->p->reply_code, "<empty>", 7);
        } else {
            x->cb->reply(x->ud, vbuf, x->p->reply_code, reason, rlen);
        }
    }
}

/* One complete line of a direction (without its CR/LF). */
static void http_line(struct http_ctx *x, bool is_orig, const char *line, size_t len)
{
    struct http_parser *p = x->p;

    if (is_orig) {
        switch (p->request_state) {
        case HTTP_REQ_LINE: {
            bool rl = http_request_line(x, line, len);
            if (rl && x->cb->confirm != NULL) {
                x->cb->confirm(x->ud); /* Zeek confirms HTTP on a valid request line */
            }
            if (!rl) {
                bool expected = p->num_requests == 0 || p->keep_alive;
                if (!expected) {
                    break; /* crud_trailing_HTTP_request: an event, no weird */
                }
                if (len == 0) {
                    http_weird(x, "empty_http_request", NULL);
                } else {
                    p->request_state = HTTP_REQ_NOTHING;
                }
            }
            break;
        }
        case HTTP_REQ_MESSAGE:
            http_msg_deliver(x, true, line, len, true);
            break;
        default:
            break;
        }
        return;
    }

    switch (p->reply_state) {
    case HTTP_REP_LINE: {
        const char *reason;
        size_t rlen;
        if (http_reply_line(x, line, len, &reason, &rlen)) {
            p->num_replies++;
            if (p->unans_count > 0 && x->cb->confirm != NULL) {
                x->cb->confirm(x->ud);
            }
            p->reply_state = HTTP_REP_MESSAGE;
            p->reply_ongoing = true;
            http_emit_reply(x, reason, rlen);
            if (p->connect_request && p->reply_code != HTTP_STATUS_OK) {
                p->connect_request = false;
            }
            http_msg_init(x, false, http_expect_reply_body(p));
        } else if (len > 0) {
            p->reply_state = HTTP_REP_NOTHING;
        }
        break;
    }
    case HTTP_REP_MESSAGE:
        http_msg_deliver(x, false, line, len, true);
        if (p->connect_request && len == 0) {
            p->tunnel = true;
        }
        break;
    default:
        break;
    }
}

/* Raw bytes while a direction is in plain delivery. */
static void http_plain(struct http_ctx *x, bool is_orig, const uint8_t *d, size_t n)
{
    struct http_msg *m = &x->p->dir[is_orig].msg;

    if (m->active) {
        http_msg_deliver(x, is_orig, (const char *)d, n, false);
    } else {
        http_weird(x, is_orig ? "unexpected_client_HTTP_data" : "unexpected_server_HTTP_data",
                   NULL);
    }
}

/* First data of an HTTP/0.9 reply: there is no status line. */
static void http_start_09_reply(struct http_ctx *x)
{
    struct http_parser *p = x->p;
    struct http_version v09 = {0, 9};

    http_set_version(x, &p->reply_version, v09);
    if (p->unans_count > 0) {
        if (x->cb->confirm != NULL) {
            x->cb->confirm(x->ud);
        }
        http_unans_pop(p);
    }
    p->connection_close = true;
    p->reply_ongoing = true;
    http_emit_reply(x, NULL, 0);
    http_msg_init(x, false, http_expect_reply_body(p));
    http_msg_deliver(x, false, "", 0, true);
}

void http_parser_init(struct http_parser *p)
{
    memset(p, 0, sizeof(*p));
    for (int d = 0; d < 2; d++) {
        p->dir[d].lines.max = HTTP_LINE_MAX;
        p->dir[d].lines.eol = SHOAL_LINES_LF | SHOAL_LINES_CR;
    }
}

bool http_parse_data(struct http_parser *p, const struct http_parse_cb *cb, void *ud, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct http_ctx x = {p, cb, ud};
    struct http_dir *dir = &p->dir[is_orig];

    while (len > 0 && !dir->skip && !p->tunnel) {
        if (!is_orig && p->reply_state == HTTP_REP_HTTP09) {
            if (!dir->msg.active) {
                http_start_09_reply(&x);
            }
            http_msg_deliver(&x, false, (const char *)data, len, false);
            return !p->tunnel;
        }
        if (dir->lines.last_cr && data[0] == '\n') {
            /* The LF of a CRLF comes before a body delivered raw. */
            dir->lines.last_cr = false;
            data++;
            len--;
            continue;
        }
        if (dir->plain_left > 0) {
            size_t n = len;
            if ((uint64_t)dir->plain_left < n) {
                n = (size_t)dir->plain_left;
            }
            dir->plain_left -= (int64_t)n;
            dir->lines.last_cr = false;
            http_plain(&x, is_orig, data, n);
            data += n;
            len -= n;
            continue;
        }
        /* Line mode, as Zeek's ContentLine analyzer with CR and LF both
         * ending lines; line_terminated_with_single_CR once a connection,
         * as Zeek flags it. */
        struct shoal_line ln;
        size_t n = shoal_lines_next(&dir->lines, data, len, cb->alloc, ud, &ln);
        if (ln.single_cr && !p->single_cr) {
            p->single_cr = true;
            http_weird(&x, "line_terminated_with_single_CR", NULL);
        }
        if (ln.cut_now) {
            http_weird(&x, "contentline_size_exceeded", NULL);
        }
        if (ln.p != NULL) {
            http_line(&x, is_orig, (const char *)ln.p, ln.len);
        }
        data += n;
        len -= n;
    }
    return !p->tunnel;
}

void http_parse_gap(struct http_parser *p, const struct http_parse_cb *cb, void *ud, bool is_orig,
                    uint64_t len)
{
    struct http_ctx x = {p, cb, ud};
    struct http_dir *dir = &p->dir[is_orig];
    struct http_msg *m = &dir->msg;

    if (p->tunnel || dir->skip) {
        return;
    }
    if (m->active && !m->finished && !(m->end_of_data && m->in_header) && m->body_length > 0 &&
        len <= INT64_MAX) {
        int64_t l = (int64_t)len;
        if (m->chunk_state != HTTP_CHUNK_NONE) {
            if (m->chunk_state == HTTP_CHUNK_DATA && m->expect_data_length >= l) {
                m->body_length += len;
                m->expect_data_length -= l;
                dir->plain_left = m->expect_data_length;
                if (m->expect_data_length == 0) {
                    m->chunk_state = HTTP_CHUNK_DATA_CRLF;
                }
                m->gzip_failed = m->encoding != HTTP_ENC_IDENTITY;
                return;
            }
        } else if (m->content_length >= 0 && m->expect_data_length >= l) {
            m->body_length += len;
            m->expect_data_length -= l;
            dir->plain_left = m->expect_data_length;
            m->gzip_failed = m->encoding != HTTP_ENC_IDENTITY;
            if (m->expect_data_length <= 0) {
                http_end_of_data(&x, is_orig);
            }
            return;
        }
    }
    if (is_orig) {
        http_request_made(&x, true);
        http_reply_made(&x, true);
    } else {
        http_reply_made(&x, true);
    }
    dir->skip = true;
}

void http_parse_eof(struct http_parser *p, const struct http_parse_cb *cb, void *ud, bool is_orig)
{
    struct http_ctx x = {p, cb, ud};
    struct http_dir *dir = &p->dir[is_orig];

    if (!p->tunnel && !dir->skip && dir->lines.len > 0 &&
        !(!is_orig && p->reply_state == HTTP_REP_HTTP09)) {
        size_t ll = dir->lines.len;
        dir->lines.len = 0;
        http_line(&x, is_orig, (const char *)dir->lines.buf, ll);
    }
    if (is_orig) {
        http_request_made(&x, false);
    } else {
        http_reply_made(&x, false);
    }
}

void http_parse_done(struct http_parser *p, const struct http_parse_cb *cb, void *ud)
{
    struct http_ctx x = {p, cb, ud};

    http_request_made(&x, true);
    http_reply_made(&x, true);
    for (int d = 0; d < 2; d++) {
        http_zip_end(&x, &p->dir[d].msg);
        if (p->dir[d].lines.buf != NULL) {
            cb->free(ud, p->dir[d].lines.buf);
            p->dir[d].lines.buf = NULL;
        }
    }
}

/* ---- helpers for the glue ----------------------------------------------- */

size_t http_unescape_uri(const char *in, size_t len, char *out, const struct http_parse_cb *cb,
                         void *ud)
{
    const char *s = in;
    const char *e = in + len;
    size_t o = 0;
    struct http_parser dummy;
    struct http_ctx x = {&dummy, cb, ud};
    const struct http_parse_cb none = {0};

    if (cb == NULL) {
        x.cb = &none;
    }
    while (s < e) {
        if (*s != '%') {
            out[o++] = *s++;
            continue;
        }
        s++;
        if (s == e) {
            out[o++] = '%';
            http_weird(&x, "illegal_%_at_end_of_URI", NULL);
            break;
        }
        if (s + 1 == e) {
            out[o++] = '%';
            out[o++] = *s;
            http_weird(&x, "partial_escape_at_end_of_URI", NULL);
            break;
        }
        if (*s == '%') {
            /* "%%": drop the first '%' and look at the second again. */
            http_weird(&x, "double_%_in_URI", NULL);
            continue;
        }
        if (http_hexval(s[0]) >= 0 && http_hexval(s[1]) >= 0) {
            out[o++] = (char)((http_hexval(s[0]) << 4) | http_hexval(s[1]));
            s += 2;
            continue;
        }
        if (e - s >= 5 && s[0] == 'u' && http_hexval(s[1]) >= 0 && http_hexval(s[2]) >= 0 &&
            http_hexval(s[3]) >= 0 && http_hexval(s[4]) >= 0) {
            /* %uXXXX: two bytes, a leading zero byte dropped.  Output can
             * never outgrow the 6 input bytes consumed. */
            if (!(s[1] == '0' && s[2] == '0')) {
                out[o++] = (char)((http_hexval(s[1]) << 4) | http_hexval(s[2]));
            }
            out[o++] = (char)((http_hexval(s[3]) << 4) | http_hexval(s[4]));
            s += 5;
            continue;
        }
        http_weird(&x, "unescaped_%_in_URI", NULL);
        out[o++] = '%';
        out[o++] = *s++;
    }
    return o;
}
