/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Zeek-compatible log writers.  TSV output follows Zeek's ASCII writer:
 * the seven header lines, "-" for unset and "(empty)" for empty values,
 * T/F booleans, 6-decimal times and intervals, ','-joined containers with
 * ',' inside an element written as \x2c, and bytes that are not printable
 * (or not valid UTF-8) written as \xNN.  JSON output follows Zeek's JSON
 * writer: unset fields are left out, containers are arrays.
 */
#include "framework/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/types.h>

#include <shoal/addrtext.h>

#include <arpa/inet.h>

#include "lib/diag.h"

#define LOG_FILE_BUFFER (256 * 1024)

struct shoal_stream {
    struct shoal_stream *next;
    struct shoal_logger *logger;
    char *path;
    const struct shoal_field *fields;
    size_t nfields;
    FILE *f;
    char *fbuf;
    bool failed;
    bool unlimited; /* exempt from the logger's limits */
    time_t opened;  /* when the file was created */
    uint64_t records;
    void *sink_data;
};

struct shoal_logger {
    char *dir;
    enum shoal_log_format fmt;
    struct shoal_stream *streams;
    struct shoal_buf line;
    uint64_t records;
    shoal_log_sink_fn sink;
    void *sink_arg;
    /* limits (shoal_logger_set_limits): a record that exceeds them is
     * written from a cut copy in cut_v / cut_e */
    bool limited;
    struct shoal_log_limits lim;
    shoal_log_weird_fn weird;
    void *weird_arg;
    uint64_t cut_strings, cut_containers; /* records cut, for the weird sampling */
    struct shoal_value *cut_v;
    size_t cut_v_cap;
    struct shoal_value *cut_e;
    size_t cut_e_cap;
};

/* ---- text buffer ---- */

/* Room for `extra` bytes and the NUL that keeps the line a C string. */
static int buf_reserve(struct shoal_buf *b, size_t extra)
{
    return shoal_buf_reserve(b, extra + 1);
}

static int buf_add(struct shoal_buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, n) < 0) {
        return -ENOMEM;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int buf_puts(struct shoal_buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

static int buf_printf(struct shoal_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int buf_printf(struct shoal_buf *b, const char *fmt, ...)
{
    va_list ap;
    char tmp[128];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return -EINVAL;
    }
    if ((size_t)n < sizeof(tmp)) {
        return buf_add(b, tmp, (size_t)n);
    }
    if (buf_reserve(b, (size_t)n) < 0) {
        return -ENOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* ---- value formatting ---- */

/* Length of a valid UTF-8 multi-byte sequence at s (n bytes left), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    size_t len;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return len;
}

/* Is every byte of p[0..n) printable ASCII, which TSV keeps as it is
 * outside containers (and, but for ',', inside them: `comma` refuses it
 * too)?  Eight bytes at a time: a byte below 0x20 leaves bit 7 clear in
 * its low seven bits plus 0x60, 0x7f sets it in its low seven bits plus 1,
 * and 0x80 and above have it already; a ',' is a zero byte of x ^ 0x2c.. */
static bool tsv_plain(const char *p, size_t n, bool comma)
{
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full, bit7 = 0x8080808080808080ull;
    const uint64_t ones = 0x0101010101010101ull;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        if (((~((x & low7) + 0x6060606060606060ull) | ((x & low7) + ones) | x) & bit7) != 0) {
            return false;
        }
        uint64_t y = x ^ (ones * ',');
        if (comma && ((y - ones) & ~y & bit7) != 0) {
            return false;
        }
    }
    for (; i < n; i++) {
        if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f || (comma && p[i] == ',')) {
            return false;
        }
    }
    return true;
}

/* Append string bytes with Zeek's escaping; `in_container` also escapes
 * the set separator. */
static int fmt_tsv_string(struct shoal_buf *b, const char *p, size_t n, bool in_container)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t run = 0; /* start of the pending run of bytes copied as they are */

    if (tsv_plain(p, n, in_container)) { /* most are: copied whole */
        return buf_add(b, p, n);
    }
    if (buf_reserve(b, n) < 0) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && !(in_container && c == ',')) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t l = utf8_seq_len(s + i, n - i);
            if (l > 0) {
                i += l;
                continue;
            }
        }
        if (buf_add(b, p + run, i - run) < 0 || buf_printf(b, "\\x%02x", c) < 0) {
            return -ENOMEM;
        }
        run = ++i;
    }
    return buf_add(b, p + run, n - run);
}

/* An address as inet_ntop writes it (IPv4-mapped ones as IPv4), without
 * its sprintf calls: addresses are in every connection's record. */
static int fmt_addr(struct shoal_buf *b, const struct shoal_addr *a)
{
    if (buf_reserve(b, INET6_ADDRSTRLEN) < 0) {
        return -ENOMEM;
    }
    char *o = b->p + b->len;
    char *end = shoal_addr_is_v4(a) ? shoal_text_v4(o, a->b + 12) : shoal_text_v6(o, a->b);
    b->len += (size_t)(end - o);
    b->p[b->len] = '\0';
    return 0;
}

/* Shortest-ish decimal for JSON doubles: 6 decimals, trailing zeros cut. */
static int fmt_json_double(struct shoal_buf *b, double d)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof(tmp), "%.6f", d);
    while (n > 2 && tmp[n - 1] == '0' && tmp[n - 2] != '.') {
        tmp[--n] = '\0';
    }
    return buf_add(b, tmp, (size_t)n);
}

/* "00" to "99", for writing decimals two digits at a time. */
static const char log_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930"
                                   "31323334353637383940414243444546474849505152535455565758596061"
                                   "62636465666768697071727374757677787980818283848586878889909192"
                                   "93949596979899";

/* Two decimal digits of v (< 100) at o. */
static inline void put_pair(char *o, unsigned v)
{
    memcpy(o, log_pairs + 2 * v, 2);
}

/* Exactly eight decimal digits of v (< 10^8) at o, zeros in front. */
static void put_8digits(char *o, uint32_t v)
{
    put_pair(o, v / 1000000);
    put_pair(o + 2, v / 10000 % 100);
    put_pair(o + 4, v / 100 % 100);
    put_pair(o + 6, v % 100);
}

/* Decimal digits of v at o, without printf (log writing is on the hot
 * path): the sizes of ports and most counters spelled out, larger values
 * two digits at a time from the end in 32-bit steps; returns the end. */
static char *put_u64(char *o, uint64_t v)
{
    if (v < 100) {
        if (v < 10) {
            *o = (char)('0' + v);
            return o + 1;
        }
        put_pair(o, (unsigned)v);
        return o + 2;
    }
    if (v < 10000) {
        unsigned x = (unsigned)v;
        if (x < 1000) {
            *o = (char)('0' + x / 100);
            put_pair(o + 1, x % 100);
            return o + 3;
        }
        put_pair(o, x / 100);
        put_pair(o + 2, x % 100);
        return o + 4;
    }
    if (v > UINT32_MAX) {
        o = put_u64(o, v / 100000000u);
        put_8digits(o, (uint32_t)(v % 100000000u));
        return o + 8;
    }
    uint32_t x = (uint32_t)v;
    unsigned n = x < 100000u       ? 5
                 : x < 1000000u    ? 6
                 : x < 10000000u   ? 7
                 : x < 100000000u  ? 8
                 : x < 1000000000u ? 9
                                   : 10;
    char *w = o + n;
    while (x >= 100) {
        w -= 2;
        put_pair(w, x % 100);
        x /= 100;
    }
    if (x >= 10) {
        put_pair(w - 2, x);
    } else {
        w[-1] = (char)('0' + x);
    }
    return o + n;
}

static int fmt_u64(struct shoal_buf *b, uint64_t v)
{
    if (buf_reserve(b, 20) < 0) {
        return -ENOMEM;
    }
    b->len = (size_t)(put_u64(b->p + b->len, v) - b->p);
    b->p[b->len] = '\0';
    return 0;
}

/* True if put_fixed6 can write d ("%.6f" with integers: its microseconds
 * fit a double's 52-bit fraction to half a unit). */
static bool fixed6_fits(double d)
{
    return d > -4e9 && d < 4e9;
}

/* "%.6f" of d at o (fixed6_fits(d)); at most 18 bytes; returns the end. */
static char *put_fixed6(char *o, double d)
{
    bool neg = d < 0;
    double us = (neg ? -d : d) * 1e6 + 0.5;
    uint64_t u = (uint64_t)us;

    if (neg && u != 0) {
        *o++ = '-';
    }
    o = put_u64(o, u / 1000000);
    unsigned f = (unsigned)(u % 1000000);
    o[0] = '.';
    put_pair(o + 1, f / 10000);
    put_pair(o + 3, f / 100 % 100);
    put_pair(o + 5, f % 100);
    return o + 7;
}

/* "%.6f" for the times and intervals of logs; printf for what
 * put_fixed6 cannot do exactly. */
static int fmt_fixed6(struct shoal_buf *b, double d)
{
    if (!fixed6_fits(d)) {
        return buf_printf(b, "%.6f", d);
    }
    if (buf_reserve(b, 20) < 0) {
        return -ENOMEM;
    }
    b->len = (size_t)(put_fixed6(b->p + b->len, d) - b->p);
    b->p[b->len] = '\0';
    return 0;
}

/* Room for a separator and any scalar but a string written in place. */
#define TSV_SCALAR_ROOM 64

/* A present value of type t written in place at o (TSV_SCALAR_ROOM bytes
 * of room), for the common scalars and short plain strings; NULL for
 * what fmt_tsv_value must do (other strings, containers, ints, subnets,
 * out-of-range doubles).  `in_container` also refuses strings with ','. */
static inline __attribute__((always_inline)) char *
tsv_put_scalar(char *o, enum shoal_type t, const struct shoal_value *v, bool in_container)
{
    switch (t) {
    case SHOAL_T_BOOL:
        *o = v->b ? 'T' : 'F';
        return o + 1;
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        return put_u64(o, v->u);
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return fixed6_fits(v->d) ? put_fixed6(o, v->d) : NULL;
    case SHOAL_T_ADDR:
        return shoal_addr_is_v4(&v->a.addr) ? shoal_text_v4(o, v->a.addr.b + 12)
                                            : shoal_text_v6(o, v->a.addr.b);
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        if (v->s.len == 0 || v->s.len > TSV_SCALAR_ROOM - 2 ||
            !tsv_plain(v->s.p, v->s.len, in_container)) {
            return NULL;
        }
        memcpy(o, v->s.p, v->s.len);
        return o + v->s.len;
    default:
        return NULL;
    }
}

static int fmt_tsv_value(struct shoal_buf *b, enum shoal_type t, enum shoal_type elem,
                         const struct shoal_value *v, bool in_container)
{
    if (!v->present) {
        return buf_add(b, "-", 1);
    }
    switch (t) {
    case SHOAL_T_BOOL:
        return buf_add(b, v->b ? "T" : "F", 1);
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        return fmt_u64(b, v->u);
    case SHOAL_T_INT:
        return buf_printf(b, "%" PRId64, v->i);
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return fmt_fixed6(b, v->d);
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        if (v->s.len == 0) {
            return buf_add(b, "(empty)", 7);
        }
        return fmt_tsv_string(b, v->s.p, v->s.len, in_container);
    case SHOAL_T_ADDR:
        return fmt_addr(b, &v->a.addr);
    case SHOAL_T_SUBNET:
        if (fmt_addr(b, &v->a.addr) < 0) {
            return -ENOMEM;
        }
        return buf_printf(b, "/%u", v->a.prefix);
    case SHOAL_T_SET:
    case SHOAL_T_VECTOR:
        if (v->v.n == 0) {
            return buf_add(b, "(empty)", 7);
        }
        for (size_t i = 0; i < v->v.n; i++) {
            const struct shoal_value *e = &v->v.v[i];
            if (buf_reserve(b, TSV_SCALAR_ROOM) < 0) {
                return -ENOMEM;
            }
            char *o = b->p + b->len;
            if (i > 0) {
                *o++ = ',';
            }
            char *end = e->present ? tsv_put_scalar(o, elem, e, true) : NULL;
            b->len = (size_t)((end != NULL ? end : o) - b->p);
            b->p[b->len] = '\0';
            if (end == NULL && fmt_tsv_value(b, elem, 0, e, true) < 0) {
                return -ENOMEM;
            }
        }
        return 0;
    }
    return -EINVAL;
}

int shoal_log_format_tsv(struct shoal_buf *b, const struct shoal_field *fields, size_t n,
                         const struct shoal_value *vals)
{
    /* The common scalars and short plain strings are written in place
     * at a cursor, with room for every field made once; other strings,
     * containers, ints, subnets and out-of-range doubles go through
     * fmt_tsv_value, after which the room for the rest is made again. */
    if (buf_reserve(b, n * TSV_SCALAR_ROOM) < 0) {
        return -ENOMEM;
    }
    char *o = b->p + b->len;
    for (size_t i = 0; i < n; i++) {
        const struct shoal_value *v = &vals[i];
        if (i > 0) {
            *o++ = '\t';
        }
        if (!v->present) {
            *o++ = '-';
            continue;
        }
        char *end = tsv_put_scalar(o, fields[i].type, v, false);
        if (end != NULL) {
            o = end;
            continue;
        }
        b->len = (size_t)(o - b->p);
        if (fmt_tsv_value(b, fields[i].type, fields[i].elem, v, false) < 0 ||
            buf_reserve(b, (n - i - 1) * TSV_SCALAR_ROOM) < 0) {
            return -ENOMEM;
        }
        o = b->p + b->len;
    }
    b->len = (size_t)(o - b->p);
    b->p[b->len] = '\0';
    return 0;
}

static int fmt_json_string(struct shoal_buf *b, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;

    if (buf_add(b, "\"", 1) < 0) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        int rc = 0;
        if (c >= 0x80) {
            size_t l = utf8_seq_len(s + i, n - i);
            if (l > 0) {
                rc = buf_add(b, (const char *)s + i, l);
                i += l;
                if (rc < 0) {
                    return rc;
                }
                continue;
            }
            rc = buf_printf(b, "\\\\x%02x", c);
        } else if (c == '"' || c == '\\') {
            rc = buf_printf(b, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            rc = buf_printf(b, "\\u%04x", c);
        } else {
            rc = buf_add(b, (const char *)&c, 1);
        }
        if (rc < 0) {
            return rc;
        }
        i++;
    }
    return buf_add(b, "\"", 1);
}

static int fmt_json_value(struct shoal_buf *b, enum shoal_type t, enum shoal_type elem,
                          const struct shoal_value *v)
{
    switch (t) {
    case SHOAL_T_BOOL:
        return buf_puts(b, v->b ? "true" : "false");
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        return fmt_u64(b, v->u);
    case SHOAL_T_INT:
        return buf_printf(b, "%" PRId64, v->i);
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return fmt_json_double(b, v->d);
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        return fmt_json_string(b, v->s.p, v->s.len);
    case SHOAL_T_ADDR:
    case SHOAL_T_SUBNET:
        if (buf_add(b, "\"", 1) < 0 || fmt_addr(b, &v->a.addr) < 0) {
            return -ENOMEM;
        }
        if (t == SHOAL_T_SUBNET && buf_printf(b, "/%u", v->a.prefix) < 0) {
            return -ENOMEM;
        }
        return buf_add(b, "\"", 1);
    case SHOAL_T_SET:
    case SHOAL_T_VECTOR:
        if (buf_add(b, "[", 1) < 0) {
            return -ENOMEM;
        }
        for (size_t i = 0; i < v->v.n; i++) {
            if (i > 0 && buf_add(b, ",", 1) < 0) {
                return -ENOMEM;
            }
            if (fmt_json_value(b, elem, 0, &v->v.v[i]) < 0) {
                return -ENOMEM;
            }
        }
        return buf_add(b, "]", 1);
    }
    return -EINVAL;
}

int shoal_log_format_json(struct shoal_buf *b, const struct shoal_field *fields, size_t n,
                          const struct shoal_value *vals)
{
    bool first = true;

    if (buf_add(b, "{", 1) < 0) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!vals[i].present) {
            continue;
        }
        if (buf_printf(b, "%s\"%s\":", first ? "" : ",", fields[i].name) < 0) {
            return -ENOMEM;
        }
        if (fmt_json_value(b, fields[i].type, fields[i].elem, &vals[i]) < 0) {
            return -ENOMEM;
        }
        first = false;
    }
    return buf_add(b, "}", 1);
}

static const char *type_base_name(enum shoal_type t)
{
    switch (t) {
    case SHOAL_T_BOOL:
        return "bool";
    case SHOAL_T_COUNT:
        return "count";
    case SHOAL_T_INT:
        return "int";
    case SHOAL_T_DOUBLE:
        return "double";
    case SHOAL_T_TIME:
        return "time";
    case SHOAL_T_INTERVAL:
        return "interval";
    case SHOAL_T_STRING:
        return "string";
    case SHOAL_T_ADDR:
        return "addr";
    case SHOAL_T_SUBNET:
        return "subnet";
    case SHOAL_T_PORT:
        return "port";
    case SHOAL_T_ENUM:
        return "enum";
    case SHOAL_T_SET:
        return "set";
    case SHOAL_T_VECTOR:
        return "vector";
    }
    return "?";
}

const char *shoal_log_type_name(const struct shoal_field *f, char *buf, size_t len)
{
    if (f->type == SHOAL_T_SET || f->type == SHOAL_T_VECTOR) {
        snprintf(buf, len, "%s[%s]", type_base_name(f->type), type_base_name(f->elem));
    } else {
        snprintf(buf, len, "%s", type_base_name(f->type));
    }
    return buf;
}

/* ---- files ---- */

static void log_timestamp(char *buf, size_t len)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, "%Y-%m-%d-%H-%M-%S", &tm);
}

static int stream_open_file(struct shoal_stream *s)
{
    struct shoal_logger *l = s->logger;
    char name[4096];
    char ts[32];
    struct shoal_buf *h = &l->line;

    snprintf(name, sizeof(name), "%s/%s.log", l->dir, s->path);
    s->f = fopen(name, "w");
    s->opened = time(NULL);
    if (s->f == NULL) {
        int err = errno;
        shoal_err("log", "cannot create %s: %s", name, strerror(err));
        s->failed = true;
        return -err;
    }
    s->fbuf = malloc(LOG_FILE_BUFFER);
    if (s->fbuf != NULL) {
        setvbuf(s->f, s->fbuf, _IOFBF, LOG_FILE_BUFFER);
    }
    if (l->fmt == SHOAL_LOGFMT_JSON) {
        return 0;
    }
    log_timestamp(ts, sizeof(ts));
    h->len = 0;
    buf_printf(h,
               "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
               "#unset_field\t-\n#path\t%s\n#open\t%s\n#fields",
               s->path, ts);
    for (size_t i = 0; i < s->nfields; i++) {
        buf_printf(h, "\t%s", s->fields[i].name);
    }
    buf_puts(h, "\n#types");
    for (size_t i = 0; i < s->nfields; i++) {
        char tn[48];
        buf_printf(h, "\t%s", shoal_log_type_name(&s->fields[i], tn, sizeof(tn)));
    }
    buf_puts(h, "\n");
    fwrite(h->p, 1, h->len, s->f);
    return 0;
}

/* Write #close (TSV) and close the stream's file, if it has one: 0, or a
 * negative errno (logged; a stream that failed was reported then). */
static int stream_close_file(struct shoal_stream *s)
{
    struct shoal_logger *l = s->logger;
    int rc = 0;

    if (s->f == NULL) {
        return 0;
    }
    if (l->fmt == SHOAL_LOGFMT_TSV && !s->failed) {
        char ts[32];
        log_timestamp(ts, sizeof(ts));
        fprintf(s->f, "#close\t%s\n", ts);
    }
    if (fclose(s->f) != 0 && !s->failed) {
        rc = -errno;
        shoal_err("log", "closing %s/%s.log failed: %s", l->dir, s->path, strerror(-rc));
    }
    s->f = NULL;
    free(s->fbuf);
    s->fbuf = NULL;
    return rc;
}

int shoal_log_stream_rotate(struct shoal_stream *s, char *to, size_t tolen)
{
    struct shoal_logger *l = s->logger;
    char from[4096], path[4096], open_ts[32], close_ts[32];
    struct tm tm;
    int rc;

    to[0] = '\0';
    if (s->f == NULL) {
        return 0;
    }
    gmtime_r(&s->opened, &tm);
    strftime(open_ts, sizeof(open_ts), "%Y-%m-%d-%H-%M-%S", &tm);
    log_timestamp(close_ts, sizeof(close_ts));
    rc = stream_close_file(s);
    s->failed = false; /* the next record starts a new file */
    if (rc < 0) {
        return rc;
    }
    snprintf(from, sizeof(from), "%s/%s.log", l->dir, s->path);
    snprintf(to, tolen, "%s.%s_%s.log", s->path, open_ts, close_ts);
    snprintf(path, sizeof(path), "%s/%s", l->dir, to);
    if (rename(from, path) != 0) {
        rc = -errno;
        shoal_err("log", "cannot rotate %s to %s: %s", from, path, strerror(-rc));
        to[0] = '\0';
        return rc;
    }
    return 1;
}

struct shoal_logger *shoal_logger_new(const char *dir, enum shoal_log_format fmt)
{
    struct shoal_logger *l = calloc(1, sizeof(*l));

    if (l == NULL) {
        return NULL;
    }
    l->dir = strdup(dir != NULL ? dir : ".");
    if (l->dir == NULL) {
        free(l);
        return NULL;
    }
    l->fmt = fmt;
    return l;
}

static bool log_valid_name(const char *p)
{
    if (*p == '\0') {
        return false;
    }
    for (; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')) {
            return false;
        }
    }
    return true;
}

/* Is `t` a type a column may have (`elem` for a set or vector)? */
static bool log_valid_type(enum shoal_type t, enum shoal_type elem)
{
    if (t == SHOAL_T_SET || t == SHOAL_T_VECTOR) {
        return elem >= SHOAL_T_BOOL && elem <= SHOAL_T_ENUM;
    }
    return t >= SHOAL_T_BOOL && t <= SHOAL_T_VECTOR;
}

/* The columns checked (names printable, no blank, unique; types known)
 * and copied into one block the stream owns, so a stream outlives the
 * plugin that declared it.  NULL (logged) when they are bad or on ENOMEM. */
static struct shoal_field *log_copy_fields(const char *path, const struct shoal_field *fields,
                                           size_t n)
{
    size_t bytes = n * sizeof(*fields);
    struct shoal_field *copy;
    char *names;

    if (n == 0 || n > SHOAL_LOG_MAX_FIELDS) {
        shoal_err("log", "stream %s: expected 1 to %d columns, got %zu", path, SHOAL_LOG_MAX_FIELDS,
                  n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = fields[i].name;
        bool ok = name != NULL && name[0] != '\0' && strlen(name) < 128;

        for (size_t j = 0; ok && name[j] != '\0'; j++) {
            ok = name[j] > ' ' && name[j] < 0x7f;
        }
        for (size_t j = 0; ok && j < i; j++) {
            ok = strcmp(fields[j].name, name) != 0;
        }
        if (!ok || !log_valid_type(fields[i].type, fields[i].elem)) {
            shoal_err("log", "stream %s: column %zu (%.40s): a bad or repeated name, or a bad type",
                      path, i, name != NULL ? name : "(null)");
            return NULL;
        }
        bytes += strlen(name) + 1;
    }
    copy = malloc(bytes);
    if (copy == NULL) {
        return NULL;
    }
    names = (char *)(copy + n);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(fields[i].name) + 1;

        copy[i] = fields[i];
        copy[i].name = memcpy(names, fields[i].name, len);
        names += len;
    }
    return copy;
}

struct shoal_stream *shoal_log_open(struct shoal_logger *l, const char *path,
                                    const struct shoal_field *fields, size_t nfields)
{
    struct shoal_stream *s;
    struct shoal_field *copy;

    if (!log_valid_name(path)) {
        shoal_err("log", "invalid log stream name '%s'", path);
        return NULL;
    }
    for (s = l->streams; s != NULL; s = s->next) {
        if (strcmp(s->path, path) != 0) {
            continue;
        }
        bool same = s->nfields == nfields;
        for (size_t i = 0; same && i < nfields; i++) {
            same = strcmp(s->fields[i].name, fields[i].name) == 0 &&
                   s->fields[i].type == fields[i].type;
        }
        if (!same) {
            shoal_err("log", "stream %s is already open with other columns", path);
            return NULL;
        }
        return s;
    }
    copy = log_copy_fields(path, fields, nfields);
    if (copy == NULL) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        free(copy);
        return NULL;
    }
    s->logger = l;
    s->fields = copy;
    s->nfields = nfields;
    s->next = l->streams;
    l->streams = s;
    return s;
}

/* ---- limits ---- */

#define LOG_WEIRD_SAMPLING 1000 /* Zeek's weird_sampling_threshold and rate */

void shoal_log_limits_config(const struct shoal_config *cfg, struct shoal_log_limits *out)
{
    out->field_string_bytes = (size_t)cfg->log_max_field_string_bytes;
    out->field_container_elements = (size_t)cfg->log_max_field_container_elements;
    out->total_string_bytes = (size_t)cfg->log_max_total_string_bytes;
    out->total_container_elements = (size_t)cfg->log_max_total_container_elements;
}

void shoal_logger_set_limits(struct shoal_logger *l, const struct shoal_log_limits *lim,
                             shoal_log_weird_fn weird, void *arg)
{
    l->lim = *lim;
    l->limited = lim->field_string_bytes > 0 || lim->field_container_elements > 0 ||
                 lim->total_string_bytes > 0 || lim->total_container_elements > 0;
    l->weird = weird;
    l->weird_arg = arg;
}

void shoal_log_stream_unlimited(struct shoal_stream *s)
{
    s->unlimited = true;
}

static bool log_is_text(uint8_t type)
{
    return type == SHOAL_T_STRING;
}

static bool log_is_container(uint8_t type)
{
    return type == SHOAL_T_SET || type == SHOAL_T_VECTOR;
}

/* Whether the record stays within the limits (the common case: one pass
 * over the values, nothing copied). */
static bool log_within(const struct shoal_log_limits *lim, const struct shoal_field *f, size_t n,
                       const struct shoal_value *v)
{
    size_t str = 0, elems = 0;
    size_t max_s = lim->field_string_bytes ? lim->field_string_bytes : SIZE_MAX;
    size_t max_e = lim->field_container_elements ? lim->field_container_elements : SIZE_MAX;

    for (size_t i = 0; i < n; i++) {
        if (!v[i].present) {
            continue;
        }
        if (log_is_text(f[i].type)) {
            if (v[i].s.len > max_s) {
                return false;
            }
            str += v[i].s.len;
        } else if (log_is_container(f[i].type)) {
            if (v[i].v.n > max_e) {
                return false;
            }
            elems += v[i].v.n;
            for (size_t j = 0; log_is_text(f[i].elem) && j < v[i].v.n; j++) {
                if (v[i].v.v[j].s.len > max_s) {
                    return false;
                }
                str += v[i].v.v[j].s.len;
            }
        }
    }
    return (lim->total_string_bytes == 0 || str <= lim->total_string_bytes) &&
           (lim->total_container_elements == 0 || elems <= lim->total_container_elements);
}

/* Room for n values in *v (capacity *cap). */
static int log_reserve(struct shoal_value **v, size_t *cap, size_t n)
{
    if (n > *cap) {
        size_t c = *cap ? *cap : 64;
        while (c < n) {
            c *= 2;
        }
        struct shoal_value *p = realloc(*v, c * sizeof(*p));
        if (p == NULL) {
            return -ENOMEM;
        }
        *v = p;
        *cap = c;
    }
    return 0;
}

/* Cut string value *s to the field bound and what is left of the record's
 * total; true if anything was cut. */
static bool log_cut_string(const struct shoal_log_limits *lim, struct shoal_value *s,
                           size_t *str_left)
{
    size_t len = s->s.len;

    if (lim->field_string_bytes > 0 && len > lim->field_string_bytes) {
        len = lim->field_string_bytes;
    }
    if (len > *str_left) {
        len = *str_left;
    }
    *str_left -= len;
    if (len == s->s.len) {
        return false;
    }
    s->s.len = len;
    return true;
}

static void log_cut_weird(struct shoal_logger *l, const char *name, uint64_t *count,
                          const char *path)
{
    uint64_t n = ++*count;

    if (l->weird != NULL && (n <= LOG_WEIRD_SAMPLING || n % LOG_WEIRD_SAMPLING == 0)) {
        l->weird(l->weird_arg, name, path);
    }
}

/* vals within the limits: vals itself, or a cut copy in the logger's
 * scratch arrays (valid until the next write); NULL on ENOMEM. */
static const struct shoal_value *log_limit(struct shoal_logger *l, const struct shoal_stream *s,
                                           const struct shoal_value *vals)
{
    const struct shoal_log_limits *lim = &l->lim;
    size_t str_left = lim->total_string_bytes ? lim->total_string_bytes : SIZE_MAX;
    size_t elem_left = lim->total_container_elements ? lim->total_container_elements : SIZE_MAX;
    size_t n_elems = 0;
    bool cut_s = false, cut_c = false;

    if (s->unlimited || log_within(lim, s->fields, s->nfields, vals)) {
        return vals;
    }
    for (size_t i = 0; i < s->nfields; i++) {
        n_elems += log_is_container(s->fields[i].type) && vals[i].present ? vals[i].v.n : 0;
    }
    if (log_reserve(&l->cut_v, &l->cut_v_cap, s->nfields) < 0 ||
        log_reserve(&l->cut_e, &l->cut_e_cap, n_elems) < 0) {
        return NULL;
    }
    memcpy(l->cut_v, vals, s->nfields * sizeof(*vals));
    n_elems = 0;
    for (size_t i = 0; i < s->nfields; i++) {
        struct shoal_value *v = &l->cut_v[i];
        const struct shoal_field *f = &s->fields[i];
        if (!v->present) {
            continue;
        }
        if (log_is_text(f->type)) {
            cut_s |= log_cut_string(lim, v, &str_left);
        } else if (log_is_container(f->type)) {
            size_t keep = v->v.n;
            if (lim->field_container_elements > 0 && keep > lim->field_container_elements) {
                keep = lim->field_container_elements;
            }
            keep = keep < elem_left ? keep : elem_left;
            elem_left -= keep;
            cut_c |= keep < v->v.n;
            struct shoal_value *e = l->cut_e + n_elems;
            if (keep > 0) {
                memcpy(e, v->v.v, keep * sizeof(*e));
            }
            for (size_t j = 0; log_is_text(f->elem) && j < keep; j++) {
                cut_s |= log_cut_string(lim, &e[j], &str_left);
            }
            v->v.v = e;
            v->v.n = keep;
            n_elems += keep;
        }
    }
    if (cut_s) {
        log_cut_weird(l, "log_string_field_truncated", &l->cut_strings, s->path);
    }
    if (cut_c) {
        log_cut_weird(l, "log_container_field_truncated", &l->cut_containers, s->path);
    }
    return l->cut_v;
}

int shoal_log_write(struct shoal_stream *s, const struct shoal_value *vals)
{
    struct shoal_logger *l = s->logger;
    struct shoal_buf *b = &l->line;
    int rc;

    if (l->limited && (vals = log_limit(l, s, vals)) == NULL) {
        return -ENOMEM;
    }
    if (l->sink != NULL) {
        rc = l->sink(l->sink_arg, s, vals);
        if (rc == 0) {
            s->records++;
            l->records++;
        }
        return rc;
    }
    if (s->failed) {
        return -EIO;
    }
    if (s->f == NULL && (rc = stream_open_file(s)) < 0) {
        return rc;
    }
    b->len = 0;
    if (l->fmt == SHOAL_LOGFMT_JSON) {
        rc = shoal_log_format_json(b, s->fields, s->nfields, vals);
    } else {
        rc = shoal_log_format_tsv(b, s->fields, s->nfields, vals);
    }
    if (rc < 0 || buf_add(b, "\n", 1) < 0) {
        return -ENOMEM;
    }
    if (fwrite(b->p, 1, b->len, s->f) != b->len) {
        int err = errno ? errno : EIO;
        shoal_err("log", "write to %s/%s.log failed: %s", l->dir, s->path, strerror(err));
        s->failed = true;
        return -err;
    }
    s->records++;
    l->records++;
    return 0;
}

int shoal_logger_flush(struct shoal_logger *l)
{
    int rc = 0;

    for (struct shoal_stream *s = l->streams; s != NULL; s = s->next) {
        if (s->f != NULL && !s->failed && fflush(s->f) != 0) {
            int err = errno ? errno : EIO;
            shoal_err("log", "flush of %s/%s.log failed: %s", l->dir, s->path, strerror(err));
            s->failed = true;
        }
        if (s->failed && rc == 0) {
            rc = -EIO;
        }
    }
    return rc;
}

void shoal_logger_set_sink(struct shoal_logger *l, shoal_log_sink_fn fn, void *arg)
{
    l->sink = fn;
    l->sink_arg = fn != NULL ? arg : NULL;
}

const char *shoal_log_stream_path(const struct shoal_stream *s)
{
    return s->path;
}

const struct shoal_field *shoal_log_stream_fields(const struct shoal_stream *s, size_t *n)
{
    *n = s->nfields;
    return s->fields;
}

void *shoal_log_stream_data(const struct shoal_stream *s)
{
    return s->sink_data;
}

void shoal_log_stream_set_data(struct shoal_stream *s, void *data)
{
    s->sink_data = data;
}

int shoal_log_stream_sync(struct shoal_stream *s, uint64_t *size)
{
    struct shoal_logger *l = s->logger;
    off_t off;

    *size = 0;
    if (s->f == NULL) {
        return s->failed ? -EIO : 0;
    }
    if (fflush(s->f) != 0) {
        int err = errno ? errno : EIO;
        shoal_err("log", "flush of %s/%s.log failed: %s", l->dir, s->path, strerror(err));
        return -err;
    }
    off = ftello(s->f);
    if (off < 0) {
        int err = errno;
        shoal_err("log", "cannot tell the size of %s/%s.log: %s", l->dir, s->path, strerror(err));
        return -err;
    }
    *size = (uint64_t)off;
    return 0;
}

uint64_t shoal_logger_records(const struct shoal_logger *l)
{
    return l->records;
}

int shoal_logger_free(struct shoal_logger *l)
{
    int rc = 0;

    if (l == NULL) {
        return 0;
    }
    while (l->streams != NULL) {
        struct shoal_stream *s = l->streams;
        l->streams = s->next;
        int crc = stream_close_file(s);
        rc = rc < 0 ? rc : crc;
        free(s->path);
        free((void *)s->fields);
        free(s);
    }
    shoal_buf_free(&l->line);
    free(l->cut_v);
    free(l->cut_e);
    free(l->dir);
    free(l);
    return rc;
}
