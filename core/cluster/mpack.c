/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-line half of the msgpack codec (mpack.h): the writer's room
 * and raw items, the reader of every item form with its refusals, the
 * spelled-out reasons of a failed read, and the whole-input check, which
 * walks the items with the same reader and a stack of the elements each
 * open container still holds.
 */
#include "cluster/mpack.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* Deepest nesting shoal_mpack_check can follow (a larger max_depth is
 * taken as this). */
#define MPACK_DEPTH_MAX 64u

/* ------------------------------------------------------------------------ */
/* Writer */

uint8_t *shoal_mpack_wr_room(struct shoal_mpack_wr *w, size_t n)
{
    if (w->err != 0) {
        return NULL;
    }
    if (shoal_buf_reserve(w->buf, n) < 0) {
        w->err = -ENOMEM;
        return NULL;
    }
    return (uint8_t *)w->buf->p + w->buf->len;
}

/* A str or bin: the header and the payload, n bytes of p. */
static void mpack_write_raw(struct shoal_mpack_wr *w, const void *p, size_t n, bool str)
{
    uint8_t *c;

    if (n > UINT32_MAX) {
        if (w->err == 0) {
            w->err = -E2BIG;
        }
        return;
    }
    c = shoal_mpack_wr_room(w, 5 + n);
    if (c != NULL) {
        c = str ? shoal_mpack_put_str(c, p, (uint32_t)n) : shoal_mpack_put_bin(c, p, (uint32_t)n);
        shoal_mpack_wr_done(w, c);
    }
}

void shoal_mpack_write_bin(struct shoal_mpack_wr *w, const void *b, size_t n)
{
    mpack_write_raw(w, b, n, false);
}

void shoal_mpack_write_str(struct shoal_mpack_wr *w, const void *s, size_t n)
{
    mpack_write_raw(w, s, n, true);
}

/* ------------------------------------------------------------------------ */
/* Reader */

static int mpack_fail(struct shoal_mpack_rd *r, enum shoal_mpack_fault f, const uint8_t *at,
                      uint64_t n)
{
    r->fault = f;
    r->fault_at = (size_t)(at - r->start);
    r->fault_n = n;
    return shoal_mpack_fault_errno(f);
}

/* The n-byte (1, 2 or 4) big-endian length at p. */
static uint32_t mpack_len(const uint8_t *p, unsigned n)
{
    return n == 1 ? p[0] : n == 2 ? shoal_mpack_ld16(p) : shoal_mpack_ld32(p);
}

/* A str, bin or ext payload of it->len bytes at p (left bytes there). */
static int mpack_raw(struct shoal_mpack_rd *r, struct shoal_mpack_item *it, const uint8_t *p,
                     size_t left)
{
    if (it->len > r->max_raw) {
        return mpack_fail(r, SHOAL_MPACK_F_LONG, p, it->len);
    }
    if (it->len > left) {
        return mpack_fail(r, SHOAL_MPACK_F_RAW, p, it->len);
    }
    it->raw = p;
    r->p = p + it->len;
    r->objects--;
    return 0;
}

/* A str, bin or ext whose length takes n bytes at p; an ext's type byte
 * follows the length. */
static int mpack_raw_len(struct shoal_mpack_rd *r, struct shoal_mpack_item *it, const uint8_t *p,
                         size_t left, unsigned n)
{
    unsigned head = n + (it->type == SHOAL_MPACK_EXT ? 1u : 0u);

    if (left < head) {
        return mpack_fail(r, SHOAL_MPACK_F_LENGTH, p, 0);
    }
    it->len = mpack_len(p, n);
    if (it->type == SHOAL_MPACK_EXT) {
        it->ext = (int8_t)p[n];
    }
    return mpack_raw(r, it, p + head, left - head);
}

/* An array or map of it->n entries; the header ends at p (left bytes
 * after it).  Each element takes at least one byte. */
static int mpack_container(struct shoal_mpack_rd *r, struct shoal_mpack_item *it, const uint8_t *p,
                           size_t left)
{
    uint64_t items = it->type == SHOAL_MPACK_MAP ? 2 * (uint64_t)it->n : it->n;

    if (items > left) {
        return mpack_fail(r, SHOAL_MPACK_F_COUNT, p, items);
    }
    r->p = p;
    r->objects--;
    return 0;
}

/* A number of n bytes at p: uint (k 0), int (k 1) or float (k 2). */
static int mpack_number(struct shoal_mpack_rd *r, struct shoal_mpack_item *it, const uint8_t *p,
                        size_t left, unsigned n, int k)
{
    uint64_t u;

    if (left < n) {
        return mpack_fail(r, SHOAL_MPACK_F_NUMBER, p, n);
    }
    u = n == 1   ? p[0]
        : n == 2 ? shoal_mpack_ld16(p)
        : n == 4 ? shoal_mpack_ld32(p)
                 : shoal_mpack_ld64(p);
    if (k == 2) {
        it->type = SHOAL_MPACK_FLOAT;
        it->f32 = n == 4;
        if (n == 4) {
            uint32_t bits = (uint32_t)u;
            float f;
            memcpy(&f, &bits, sizeof(f));
            it->d = f;
        } else {
            memcpy(&it->d, &u, sizeof(u));
        }
    } else if (k == 1) {
        /* Sign-extend; as msgpack-c, a value >= 0 is a uint. */
        unsigned shift = 64 - 8 * n;
        int64_t v = (int64_t)(u << shift) >> shift;
        it->type = v >= 0 ? SHOAL_MPACK_UINT : SHOAL_MPACK_INT;
        it->i = v;
    } else {
        it->type = SHOAL_MPACK_UINT;
        it->u = u;
    }
    r->p = p + n;
    r->objects--;
    return 0;
}

/* The markers 0xc0..0xdf (p is past the marker, left bytes there). */
static int mpack_read_marker(struct shoal_mpack_rd *r, struct shoal_mpack_item *it, uint8_t b,
                             const uint8_t *p, size_t left)
{
    static const uint8_t fixext_len[] = {1, 2, 4, 8, 16};

    switch (b) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
        it->type = b == 0xc0 ? SHOAL_MPACK_NIL : SHOAL_MPACK_BOOL;
        it->b = b == 0xc3;
        r->p = p;
        r->objects--;
        return 0;
    case 0xc1:
        return mpack_fail(r, SHOAL_MPACK_F_C1, p - 1, 0);
    case 0xc4:
    case 0xc5:
    case 0xc6:
        it->type = SHOAL_MPACK_BIN;
        return mpack_raw_len(r, it, p, left, 1u << (b - 0xc4));
    case 0xc7:
    case 0xc8:
    case 0xc9:
        it->type = SHOAL_MPACK_EXT;
        return mpack_raw_len(r, it, p, left, 1u << (b - 0xc7));
    case 0xca:
    case 0xcb:
        return mpack_number(r, it, p, left, b == 0xca ? 4 : 8, 2);
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        return mpack_number(r, it, p, left, 1u << (b - 0xcc), 0);
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
        return mpack_number(r, it, p, left, 1u << (b - 0xd0), 1);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
        if (left < 1) {
            return mpack_fail(r, SHOAL_MPACK_F_LENGTH, p, 0);
        }
        it->type = SHOAL_MPACK_EXT;
        it->ext = (int8_t)p[0];
        it->len = fixext_len[b - 0xd4];
        return mpack_raw(r, it, p + 1, left - 1);
    case 0xd9:
    case 0xda:
    case 0xdb:
        it->type = SHOAL_MPACK_STR;
        return mpack_raw_len(r, it, p, left, 1u << (b - 0xd9));
    default: { /* 0xdc..0xdf: array 16/32, map 16/32 */
        unsigned n = b & 1 ? 4 : 2;
        if (left < n) {
            return mpack_fail(r, SHOAL_MPACK_F_LENGTH, p, 0);
        }
        it->type = b < 0xde ? SHOAL_MPACK_ARRAY : SHOAL_MPACK_MAP;
        it->n = mpack_len(p, n);
        return mpack_container(r, it, p + n, left - n);
    }
    }
}

int shoal_mpack_read_any(struct shoal_mpack_rd *r, struct shoal_mpack_item *it)
{
    const uint8_t *p = r->p;
    size_t left = (size_t)(r->end - p);

    if (left == 0) {
        return mpack_fail(r, SHOAL_MPACK_F_END, p, 0);
    }
    if (r->objects == 0) {
        return mpack_fail(r, SHOAL_MPACK_F_OBJECTS, p, 0);
    }
    uint8_t b = *p++;
    left--;
    it->f32 = false;
    if (b <= 0x7f) {
        it->type = SHOAL_MPACK_UINT;
        it->u = b;
        r->p = p;
        r->objects--;
        return 0;
    }
    if (b >= 0xe0) {
        it->type = SHOAL_MPACK_INT;
        it->i = (int8_t)b;
        r->p = p;
        r->objects--;
        return 0;
    }
    if (b <= 0x9f) {
        it->type = b <= 0x8f ? SHOAL_MPACK_MAP : SHOAL_MPACK_ARRAY;
        it->n = b & 0x0fu;
        return mpack_container(r, it, p, left);
    }
    if (b <= 0xbf) {
        it->type = SHOAL_MPACK_STR;
        it->len = b & 0x1fu;
        return mpack_raw(r, it, p, left);
    }
    return mpack_read_marker(r, it, b, p, left);
}

int shoal_mpack_fault_errno(enum shoal_mpack_fault f)
{
    switch (f) {
    case SHOAL_MPACK_OK:
        return 0;
    case SHOAL_MPACK_F_OBJECTS:
    case SHOAL_MPACK_F_LONG:
        return -E2BIG;
    default:
        return -EBADMSG;
    }
}

void shoal_mpack_rd_reason(const struct shoal_mpack_rd *r, char *buf, size_t len)
{
    size_t at = r->fault_at;
    unsigned long long n = (unsigned long long)r->fault_n;

    if (buf == NULL || len == 0) {
        return;
    }
    switch (r->fault) {
    case SHOAL_MPACK_OK:
        snprintf(buf, len, "no error");
        break;
    case SHOAL_MPACK_F_END:
        snprintf(buf, len, "truncated at byte %zu", at);
        break;
    case SHOAL_MPACK_F_OBJECTS:
        snprintf(buf, len, "more than %llu objects", (unsigned long long)r->max_objects);
        break;
    case SHOAL_MPACK_F_C1:
        snprintf(buf, len, "invalid byte 0xc1 at %zu", at);
        break;
    case SHOAL_MPACK_F_LENGTH:
        snprintf(buf, len, "truncated length at byte %zu", at);
        break;
    case SHOAL_MPACK_F_NUMBER:
        snprintf(buf, len, "truncated number at byte %zu", at);
        break;
    case SHOAL_MPACK_F_LONG:
        snprintf(buf, len, "string of %llu bytes exceeds %u", n, r->max_raw);
        break;
    case SHOAL_MPACK_F_RAW:
        snprintf(buf, len, "truncated string at byte %zu", at);
        break;
    case SHOAL_MPACK_F_COUNT:
        snprintf(buf, len, "truncated: %llu elements in %zu bytes", n,
                 (size_t)(r->end - r->start) - at);
        break;
    }
}

const char *shoal_mpack_type_name(enum shoal_mpack_type t)
{
    static const char *const names[] = {
        [SHOAL_MPACK_NIL] = "nil", [SHOAL_MPACK_BOOL] = "bool",   [SHOAL_MPACK_UINT] = "uint",
        [SHOAL_MPACK_INT] = "int", [SHOAL_MPACK_FLOAT] = "float", [SHOAL_MPACK_STR] = "str",
        [SHOAL_MPACK_BIN] = "bin", [SHOAL_MPACK_ARRAY] = "array", [SHOAL_MPACK_MAP] = "map",
        [SHOAL_MPACK_EXT] = "ext",
    };

    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/* ------------------------------------------------------------------------ */
/* Whole-input check */

__attribute__((format(printf, 4, 5))) static int mpack_check_fail(char *err, size_t errlen, int rc,
                                                                  const char *fmt, ...)
{
    va_list ap;

    if (err != NULL && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static bool mpack_is_ext(uint8_t b)
{
    return (b >= 0xc7 && b <= 0xc9) || (b >= 0xd4 && b <= 0xd8);
}

int shoal_mpack_check(const void *buf, size_t len, const struct shoal_mpack_limits *lim, char *err,
                      size_t errlen)
{
    unsigned max_depth = lim->max_depth < MPACK_DEPTH_MAX ? lim->max_depth : MPACK_DEPTH_MAX;
    uint64_t left[MPACK_DEPTH_MAX];
    unsigned depth = 0;
    bool top_done = false;
    struct shoal_mpack_rd r;
    struct shoal_mpack_item it;

    if (len > lim->max_bytes) {
        return mpack_check_fail(err, errlen, -E2BIG, "body of %zu bytes exceeds %zu", len,
                                lim->max_bytes);
    }
    shoal_mpack_rd_init(&r, buf, len, lim->max_raw, lim->max_objects);
    for (;;) {
        while (depth > 0 && left[depth - 1] == 0) {
            depth--;
        }
        if (depth == 0) {
            if (top_done) {
                break;
            }
            top_done = true;
        } else {
            left[depth - 1]--;
        }
        if (!lim->ext && r.p < r.end && r.objects > 0 && mpack_is_ext(*r.p)) {
            return mpack_check_fail(err, errlen, -EBADMSG, "ext type 0x%02x at %zu not allowed",
                                    *r.p, shoal_mpack_rd_offset(&r));
        }
        int rc = shoal_mpack_read_any(&r, &it);
        if (rc == -EBADMSG && r.fault == SHOAL_MPACK_F_COUNT && depth >= max_depth) {
            /* Too deep is said before too long, whatever the count. */
            return mpack_check_fail(err, errlen, -E2BIG, "nesting deeper than %u at byte %zu",
                                    max_depth, r.fault_at);
        }
        if (rc < 0) {
            shoal_mpack_rd_reason(&r, err, errlen);
            return rc;
        }
        if (it.type != SHOAL_MPACK_ARRAY && it.type != SHOAL_MPACK_MAP) {
            continue;
        }
        uint64_t items = it.type == SHOAL_MPACK_MAP ? 2 * (uint64_t)it.n : it.n;
        if (items == 0) {
            continue;
        }
        if (depth >= max_depth) {
            return mpack_check_fail(err, errlen, -E2BIG, "nesting deeper than %u at byte %zu",
                                    max_depth, shoal_mpack_rd_offset(&r));
        }
        left[depth++] = items;
    }
    if (r.p != r.end) {
        return mpack_check_fail(err, errlen, -EBADMSG, "%zu trailing bytes",
                                shoal_mpack_rd_left(&r));
    }
    return 0;
}
