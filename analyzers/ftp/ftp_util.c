/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FTP helpers (see ftp_util.h), following Zeek's bifs and scripts: numbers
 * are read as sscanf's %d would, addresses checked for range, paths
 * normalised as Zeek's normalize_path does ("." kept only in front, ".."
 * taking the previous component away, empty components dropped).
 */
#include "ftp_util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define FTP_PATH_MAX_PARTS 256

static void ftp_v4(struct shoal_addr *a, const long v[4])
{
    memset(a->b, 0, 10);
    a->b[10] = a->b[11] = 0xff;
    for (int i = 0; i < 4; i++) {
        a->b[12 + i] = (uint8_t)v[i];
    }
}

/* An integer as %d reads it: blanks, a sign, digits.  False when none. */
static bool ftp_int(const char *s, size_t n, size_t *i, long *v)
{
    bool neg = false;
    size_t k = *i;
    long x = 0;

    while (k < n && isspace((unsigned char)s[k])) {
        k++;
    }
    if (k < n && (s[k] == '-' || s[k] == '+')) {
        neg = s[k] == '-';
        k++;
    }
    if (k >= n || !isdigit((unsigned char)s[k])) {
        return false;
    }
    while (k < n && isdigit((unsigned char)s[k])) {
        if (x < 100000000) {
            x = x * 10 + (s[k] - '0');
        }
        k++;
    }
    *v = neg ? -x : x;
    *i = k;
    return true;
}

struct ftp_port ftp_parse_port(const char *s, size_t n)
{
    struct ftp_port r = {0};
    long v[6];
    size_t i = 0;

    for (int k = 0; k < 6; k++) {
        if (k > 0) {
            if (i >= n || s[i] != ',') {
                return r;
            }
            i++;
        }
        if (!ftp_int(s, n, &i, &v[k]) || v[k] < 0 || v[k] > 255) {
            return r;
        }
    }
    ftp_v4(&r.h, v);
    r.p = (uint16_t)(v[4] * 256 + v[5]);
    r.valid = true;
    return r;
}

struct ftp_port ftp_parse_pasv(const char *s, size_t n)
{
    const char *paren = memchr(s, '(', n);
    const char *line = NULL;

    if (paren != NULL) {
        line = paren + 1;
    } else {
        for (size_t i = 0; i + 4 <= n; i++) {
            if (memcmp(s + i, "PORT", 4) == 0) {
                line = s + i + 5 <= s + n ? s + i + 5 : s + n;
                break;
            }
        }
        if (line == NULL) {
            const char *comma = memchr(s, ',', n);
            if (comma != NULL) {
                line = comma;
                do {
                    --line;
                } while (line > s && isdigit((unsigned char)*line));
                if (line != s) {
                    ++line;
                }
            }
        }
    }
    if (line == NULL) {
        struct ftp_port r = {0};
        return r;
    }
    return ftp_parse_port(line, (size_t)(s + n - line));
}

/* The delimited fields of EPRT/EPSV: up to 3 fields between 4 delimiters. */
static bool ftp_fields(const char *s, size_t n, const char *f[3], size_t fl[3])
{
    char d;
    size_t i = 0;

    if (n < 4) {
        return false;
    }
    d = s[0];
    i = 1;
    for (int k = 0; k < 3; k++) {
        const char *e = memchr(s + i, d, n - i);
        if (e == NULL) {
            return false;
        }
        f[k] = s + i;
        fl[k] = (size_t)(e - (s + i));
        i = (size_t)(e - s) + 1;
    }
    return true;
}

static bool ftp_port_num(const char *s, size_t n, uint16_t *p)
{
    size_t i = 0;
    long v;

    if (!ftp_int(s, n, &i, &v) || i != n || v < 0 || v > 65535) {
        return false;
    }
    *p = (uint16_t)v;
    return true;
}

struct ftp_port ftp_parse_eprt(const char *s, size_t n)
{
    struct ftp_port r = {0};
    const char *f[3];
    size_t fl[3];
    char buf[64];

    if (!ftp_fields(s, n, f, fl) || fl[1] == 0 || fl[1] >= sizeof(buf) ||
        !ftp_port_num(f[2], fl[2], &r.p)) {
        return r;
    }
    memcpy(buf, f[1], fl[1]);
    buf[fl[1]] = '\0';
    if (fl[0] == 1 && f[0][0] == '1') {
        memset(r.h.b, 0, 10);
        r.h.b[10] = r.h.b[11] = 0xff;
        r.valid = inet_pton(AF_INET, buf, r.h.b + 12) == 1;
    } else if (fl[0] == 1 && f[0][0] == '2') {
        r.valid = inet_pton(AF_INET6, buf, r.h.b) == 1;
    }
    return r;
}

struct ftp_port ftp_parse_epsv(const char *s, size_t n)
{
    struct ftp_port r = {0};
    const char *paren = memchr(s, '(', n);
    const char *f[3];
    size_t fl[3];

    if (paren == NULL) {
        return r;
    }
    paren++;
    if (!ftp_fields(paren, (size_t)(s + n - paren), f, fl) || !ftp_port_num(f[2], fl[2], &r.p)) {
        return r;
    }
    r.unspecified = true;
    r.valid = true;
    return r;
}

uint64_t ftp_extract_count(const char *s, size_t n, bool first)
{
    uint64_t v = 0;
    bool found = false;

    for (size_t i = 0; i < n;) {
        if (!isdigit((unsigned char)s[i])) {
            i++;
            continue;
        }
        uint64_t x = 0;
        while (i < n && isdigit((unsigned char)s[i])) {
            if (x < UINT64_MAX / 10 - 10) {
                x = x * 10 + (uint64_t)(s[i] - '0');
            }
            i++;
        }
        v = x;
        found = true;
        if (first) {
            break;
        }
    }
    return found ? v : 0;
}

static bool ftp_abs_start(const char *s, size_t n, size_t i)
{
    return s[i] == '/' || (i + 2 < n + 1 && i + 1 < n && isalpha((unsigned char)s[i]) &&
                           s[i + 1] == ':' && i + 2 < n && (s[i + 2] == '\\' || s[i + 2] == '/'));
}

size_t ftp_extract_path(const char *s, size_t n, char *out, size_t outsz)
{
    size_t len = 0;

    /* "\"(/|X:[\\/])[^\"]*\"": a quoted absolute path first. */
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '"' && ftp_abs_start(s, n, i + 1)) {
            const char *q = memchr(s + i + 1, '"', n - i - 1);
            if (q != NULL) {
                len = (size_t)(q - (s + i + 1));
                len = len < outsz - 1 ? len : outsz - 1;
                memcpy(out, s + i + 1, len);
                out[len] = '\0';
                return len;
            }
        }
    }
    /* (/|X:[\\/])([^\" ]|(\\ ))* */
    for (size_t i = 0; i < n; i++) {
        if (ftp_abs_start(s, n, i)) {
            size_t e = i + (s[i] == '/' ? 1 : 3);
            while (e < n && s[e] != '"' && s[e] != ' ') {
                e++;
            }
            len = e - i < outsz - 1 ? e - i : outsz - 1;
            memcpy(out, s + i, len);
            out[len] = '\0';
            return len;
        }
    }
    out[0] = '\0';
    return 0;
}

/* Zeek's normalize_path over p[0..n) into out. */
static size_t ftp_normalize(const char *p, size_t n, char *out, size_t outsz)
{
    const char *part[FTP_PATH_MAX_PARTS];
    size_t plen[FTP_PATH_MAX_PARTS];
    size_t np = 0;
    size_t len = 0;
    bool first = true;

    for (size_t i = 0; i <= n;) {
        size_t e = i;
        while (e < n && p[e] != '/') {
            e++;
        }
        const char *c = p + i;
        size_t cl = e - i;
        bool was_first = first;
        first = false;
        i = e + 1;
        if (cl == 0 || (cl == 1 && c[0] == '.' && !was_first) || np == FTP_PATH_MAX_PARTS) {
            continue;
        }
        part[np] = c;
        plen[np++] = cl;
        if (cl == 2 && c[0] == '.' && c[1] == '.' && np > 1) {
            const char *l = part[np - 2];
            size_t ll = plen[np - 2];
            if ((ll == 1 && l[0] == '.') || (ll == 2 && l[0] == '.' && l[1] == '.')) {
                continue;
            }
            np -= 2;
        }
    }
    if (n > 0 && p[0] == '/' && len + 1 < outsz) {
        out[len++] = '/';
    }
    for (size_t k = 0; k < np; k++) {
        size_t c = plen[k] < outsz - 1 - len ? plen[k] : outsz - 1 - len;
        memcpy(out + len, part[k], c);
        len += c;
        if (len + 1 < outsz) {
            out[len++] = '/';
        }
    }
    if (len > 1 && out[len - 1] == '/') {
        len--;
    }
    out[len] = '\0';
    return len;
}

size_t ftp_build_path(const char *dir, size_t dlen, const char *name, size_t nlen, char *out,
                      size_t outsz)
{
    char tmp[8192];
    size_t len = 0;
    bool abs = nlen > 0 && ftp_abs_start(name, nlen, 0);

    if (abs || dlen == 0) {
        len = nlen < sizeof(tmp) ? nlen : sizeof(tmp);
        memcpy(tmp, name, len);
    } else {
        size_t d = dlen < sizeof(tmp) ? dlen : sizeof(tmp);
        memcpy(tmp, dir, d);
        len = d;
        if (dir[dlen - 1] != '/' && len < sizeof(tmp)) {
            tmp[len++] = '/';
        }
        size_t c = nlen < sizeof(tmp) - len ? nlen : sizeof(tmp) - len;
        memcpy(tmp + len, name, c);
        len += c;
    }
    /* normalize_path only touches paths with "/." or "//" in them */
    bool touch = false;
    for (size_t i = 0; i + 1 < len; i++) {
        if (tmp[i] == '/' && (tmp[i + 1] == '.' || tmp[i + 1] == '/')) {
            touch = true;
            break;
        }
    }
    if (!touch) {
        size_t c = len < outsz - 1 ? len : outsz - 1;
        memcpy(out, tmp, c);
        out[c] = '\0';
        return c;
    }
    return ftp_normalize(tmp, len, out, outsz);
}
