/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP message parsing (see sip_parse.h).  The token classes are the
 * regular expressions of Zeek's grammar: a method is [A-Za-z0-9_.!%*+`'~-]+,
 * a URI printable non-blank characters, a version "SIP/" digits "." digits,
 * a status exactly three digits, a header name [^: \t]+ followed by blanks,
 * a colon, blanks and the value to the end of the line.
 */
#include "sip_parse.h"

#include <stdlib.h>
#include <string.h>

/* A cursor over one line. */
struct line {
    const uint8_t *p;
    size_t len;
    size_t off;
};

static bool sip_is_token(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("_.!%*+`'~-", c) != NULL);
}

static bool sip_is_uri(uint8_t c)
{
    return c > ' ' && c < 0x7f;
}

static bool sip_is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* The next line from *off of the message; false when none is left. */
static bool sip_next_line(const uint8_t *p, size_t len, size_t *off, struct line *l)
{
    if (*off >= len) {
        return false;
    }
    const uint8_t *nl = memchr(p + *off, '\n', len - *off);
    size_t end = nl != NULL ? (size_t)(nl - p) : len;
    l->p = p + *off;
    l->len = end - *off;
    l->off = 0;
    if (l->len > 0 && l->p[l->len - 1] == '\r') {
        l->len--;
    }
    *off = nl != NULL ? end + 1 : len;
    return true;
}

/* The longest run of characters of a class: its span (len 0 when none). */
static struct sip_span sip_run(struct line *l, bool (*cls)(uint8_t), bool want)
{
    struct sip_span s = {l->p + l->off, 0};

    while (l->off < l->len && cls(l->p[l->off]) == want) {
        l->off++;
        s.len++;
    }
    return s;
}

static bool sip_is_blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* "SIP/" digits "." digits. */
static bool sip_version(struct line *l)
{
    if (l->len - l->off < 4 || memcmp(l->p + l->off, "SIP/", 4) != 0) {
        return false;
    }
    l->off += 4;
    if (sip_run(l, sip_is_digit, true).len == 0 || l->off >= l->len || l->p[l->off] != '.') {
        return false;
    }
    l->off++;
    return sip_run(l, sip_is_digit, true).len > 0;
}

static bool sip_request_line(struct line *l, const struct sip_parse_cb *cb)
{
    struct sip_span junk = sip_run(l, sip_is_token, false);
    struct sip_span method = sip_run(l, sip_is_token, true);

    if (method.len == 0) {
        return false;
    }
    sip_run(l, sip_is_blank, true);
    struct sip_span uri = sip_run(l, sip_is_uri, true);
    if (uri.len == 0) {
        return false;
    }
    sip_run(l, sip_is_blank, true);
    if (!sip_version(l)) {
        return false;
    }
    cb->request(cb->ud, junk, method, uri);
    return true;
}

static bool sip_status_line(struct line *l, const struct sip_parse_cb *cb)
{
    if (!sip_version(l)) {
        return false;
    }
    sip_run(l, sip_is_blank, true);
    if (l->len - l->off < 3 || !sip_is_digit(l->p[l->off]) || !sip_is_digit(l->p[l->off + 1]) ||
        !sip_is_digit(l->p[l->off + 2])) {
        return false;
    }
    unsigned code = (unsigned)(l->p[l->off] - '0') * 100 + (unsigned)(l->p[l->off + 1] - '0') * 10 +
                    (unsigned)(l->p[l->off + 2] - '0');
    l->off += 3;
    sip_run(l, sip_is_blank, true);
    struct sip_span reason = {l->p + l->off, l->len - l->off};
    cb->reply(cb->ud, code, reason);
    return true;
}

static bool sip_is_name(uint8_t c)
{
    return c != ':' && c != ' ' && c != '\t';
}

/* Zeek's bytestring_to_int(value, 10): strtol of the value's digits. */
static long sip_atol(struct sip_span v)
{
    char buf[32];
    size_t n = v.len < sizeof(buf) - 1 ? v.len : sizeof(buf) - 1;

    memcpy(buf, v.p, n);
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

static bool sip_header_line(struct line *l, long *content_length, const struct sip_parse_cb *cb)
{
    struct sip_span name = sip_run(l, sip_is_name, true);

    if (name.len == 0) {
        return false;
    }
    sip_run(l, sip_is_blank, true);
    if (l->off >= l->len || l->p[l->off] != ':') {
        return false;
    }
    l->off++;
    sip_run(l, sip_is_blank, true);
    struct sip_span value = {l->p + l->off, l->len - l->off};
    if ((name.len == 14 && memcmp(name.p, "Content-Length", 14) == 0) ||
        (name.len == 1 && name.p[0] == 'L')) {
        *content_length = sip_atol(value);
    }
    cb->header(cb->ud, name, value);
    return true;
}

bool sip_parse(const uint8_t *p, size_t len, bool reply, long *content_length,
               const struct sip_parse_cb *cb)
{
    size_t off = 0;
    struct line l;

    if (!sip_next_line(p, len, &off, &l)) {
        return false;
    }
    if (!(reply ? sip_status_line(&l, cb) : sip_request_line(&l, cb))) {
        return false;
    }
    while (sip_next_line(p, len, &off, &l) && l.len > 0) {
        if (!sip_header_line(&l, content_length, cb)) {
            return false;
        }
    }
    if (*content_length < 0 || (size_t)*content_length > len - off) {
        return false;
    }
    cb->end(cb->ud);
    return true;
}
