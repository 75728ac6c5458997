/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address extraction (see smtp_addr.h).  The regular expressions of Zeek's
 * scripts are matched by hand, leftmost-longest as Zeek's matcher does, so
 * nothing is compiled or allocated.
 */
#include "smtp_addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

static bool smtp_is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* [<,:[:blank:]] */
static bool smtp_email_lead(char ch)
{
    return ch == '<' || ch == ',' || ch == ':' || smtp_is_blank(ch);
}

/* [>,;[:blank:]] */
static bool smtp_email_trail(char ch)
{
    return ch == '>' || ch == ',' || ch == ';' || smtp_is_blank(ch);
}

/* The match starting at i, local part at l; its end into *end. */
static bool smtp_email_at(const char *s, size_t n, size_t l, size_t *at, size_t *end)
{
    size_t i = l;

    while (i < n && !smtp_email_lead(s[i]) && s[i] != '@') {
        i++;
    }
    if (i == l || i >= n || s[i] != '@') {
        return false;
    }
    *at = i;
    i++;
    size_t d = i;
    while (i < n && !smtp_email_trail(s[i])) {
        i++;
    }
    if (i == d) {
        return false;
    }
    *end = i;
    return true;
}

bool smtp_next_email(const char *s, size_t n, size_t *pos, struct smtp_span *out)
{
    for (size_t i = *pos; i < n; i++) {
        size_t l;
        size_t at;
        size_t end;
        if (i == 0 && !smtp_email_lead(s[0])) {
            l = 0;
        } else if (smtp_email_lead(s[i])) {
            l = i + 1;
        } else {
            continue;
        }
        if (!smtp_email_at(s, n, l, &at, &end)) {
            continue;
        }
        out->p = s + l;
        out->n = end - l;
        *pos = end < n ? end + 1 : end; /* the trailing delimiter is part of the match */
        return true;
    }
    *pos = n;
    return false;
}

static void smtp_strip(struct smtp_span *sp)
{
    while (sp->n > 0 && isspace((unsigned char)sp->p[0])) {
        sp->p++;
        sp->n--;
    }
    while (sp->n > 0 && isspace((unsigned char)sp->p[sp->n - 1])) {
        sp->n--;
    }
}

bool smtp_next_mime_addr(const char *s, size_t n, size_t *pos, struct smtp_span *out)
{
    size_t i = *pos;

    while (i < n && s[i] == ',') {
        i++;
    }
    if (i >= n) {
        *pos = n;
        return false;
    }
    size_t plain = i; /* [^,]+ */
    while (plain < n && s[plain] != ',') {
        plain++;
    }
    size_t end = plain;
    if (s[i] == '"') { /* "[^"]*" then [^,]+ */
        const char *q = memchr(s + i + 1, '"', n - i - 1);
        if (q != NULL) {
            size_t k = (size_t)(q - s) + 1;
            size_t e = k;
            while (e < n && s[e] != ',') {
                e++;
            }
            if (e > k && e > end) {
                end = e;
            }
        }
    }
    out->p = s + i;
    out->n = end - i;
    smtp_strip(out);
    *pos = end;
    return true;
}

/* ---- IP addresses ------------------------------------------------------- */

/* Longest IPv4 address of Zeek's ipv4_addr_regex at s[i..n): its length. */
static size_t smtp_ipv4_len(const char *s, size_t n, size_t i)
{
    size_t k = i;

    for (int part = 0; part < 4; part++) {
        size_t d = 0;
        unsigned v = 0;
        if (part > 0) {
            if (k >= n || s[k] != '.') {
                return 0;
            }
            k++;
        }
        while (k + d < n && d < 3 && isdigit((unsigned char)s[k + d])) {
            v = v * 10 + (unsigned)(s[k + d] - '0');
            d++;
        }
        while (d > 1 && v > 255) { /* the longest decimal that is an octet */
            d--;
            v /= 10;
        }
        if (d == 0) {
            return 0;
        }
        k += d;
    }
    return k - i;
}

/* Longest IPv6 address at s[i..n) (hex groups, '::', a dotted tail). */
static size_t smtp_ipv6_len(const char *s, size_t n, size_t i, struct shoal_addr *a)
{
    size_t span = 0;
    char buf[64];

    while (i + span < n && span < 45 &&
           (isxdigit((unsigned char)s[i + span]) || s[i + span] == ':' || s[i + span] == '.')) {
        span++;
    }
    for (size_t len = span; len >= 2; len--) {
        memcpy(buf, s + i, len);
        buf[len] = '\0';
        if (memchr(buf, ':', len) != NULL && inet_pton(AF_INET6, buf, a->b) == 1) {
            return len;
        }
    }
    return 0;
}

/* The length of the IP address match at s[i..n) (0: none), and the
 * address into *a. */
static size_t smtp_ip_at(const char *s, size_t n, size_t i, struct shoal_addr *a)
{
    struct shoal_addr a6;
    size_t l4 = smtp_ipv4_len(s, n, i);
    size_t l6 = smtp_ipv6_len(s, n, i, &a6);
    char buf[16];

    if (l6 > l4) {
        *a = a6;
        return l6;
    }
    if (l4 == 0) {
        return 0;
    }
    memcpy(buf, s + i, l4);
    buf[l4] = '\0';
    memset(a->b, 0, 10);
    a->b[10] = a->b[11] = 0xff;
    return inet_pton(AF_INET, buf, a->b + 12) == 1 ? l4 : 0;
}

/* Zeek's wrapping test on the parts around the match s[b..e): p1 is
 * s[prev_end..b), p3 runs from e to the next match (or the end). */
static bool smtp_wrapped(const char *s, size_t n, size_t prev_end, size_t b, size_t e)
{
    struct shoal_addr dummy;
    bool p1_empty = b == prev_end;
    bool p3_empty = e == n || smtp_ip_at(s, n, e, &dummy) > 0;
    char l = p1_empty ? '\0' : s[b - 1];
    char r = p3_empty ? '\0' : s[e];

    if (p1_empty && p3_empty) {
        return true;
    }
    return (l == '[' && r == ']') || (l == '(' && r == ')') || (l == '{' && r == '}') ||
           (l == ' ' && r == ' ');
}

size_t smtp_extract_ips(const char *s, size_t n, bool check_wrapping, struct shoal_addr *out,
                        size_t max)
{
    size_t count = 0;
    size_t prev_end = 0;
    size_t i = 0;

    while (i < n && count < max) {
        struct shoal_addr a;
        size_t l = smtp_ip_at(s, n, i, &a);
        if (l == 0) {
            i++;
            continue;
        }
        if (!check_wrapping || smtp_wrapped(s, n, prev_end, i, i + l)) {
            out[count++] = a;
        }
        i += l;
        prev_end = i;
    }
    return count;
}
