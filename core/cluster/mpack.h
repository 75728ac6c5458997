/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The msgpack codec under the cluster's message bodies (wire.h), written
 * for them: a streaming writer that appends to a struct shoal_buf, a
 * streaming reader over untrusted bytes, and a checker of a whole input
 * against limits.  It speaks all of msgpack (nil, bool, int and uint of
 * every width, float 32/64, str, bin, array, map, ext) and nothing else
 * of any library: no object tree, no allocation.
 *
 * Writer.  Two levels.  The shoal_mpack_put_* functions store one item at
 * a cursor into memory the caller has reserved (at most
 * SHOAL_MPACK_HEAD_MAX bytes of header, plus the payload of a str or bin)
 * and return the cursor past it: an encoder reserves once for a whole
 * record, then stores without checks.  The shoal_mpack_write_* functions
 * append one item to a struct shoal_mpack_wr, which reserves room itself
 * and keeps the first error (sticky, so a message is written without a
 * check per item and the error read once at the end).  Every item takes
 * its smallest form, as msgpack-c's packer writes it, so the bytes are the
 * same as a msgpack-c encoder's (integers: the smallest uint form for
 * values >= 0, the smallest int form below; str: fixstr, str 8, 16, 32).
 *
 * Reader.  shoal_mpack_read() takes one item from a struct shoal_mpack_rd:
 * a scalar with its value, a str, bin or ext with its payload (a pointer
 * into the input), or the header of an array or map (its elements are the
 * items that follow).  It never reads outside the input and refuses, with
 * -EBADMSG, a truncated item, the unused byte 0xc1 and a container that
 * declares more elements than the bytes left could hold (each element
 * takes at least one byte, so a caller may size arrays from a count it
 * got), and, with -E2BIG, a payload longer than the reader's max_raw or
 * more items than its object budget.  As msgpack-c does, it reports every
 * integer >= 0 as SHOAL_MPACK_UINT whatever its encoding, a negative one
 * as SHOAL_MPACK_INT, and a float 32 widened to double.  It tracks no
 * nesting: a caller that knows the layout it wants needs none;
 * shoal_mpack_check() walks any input with a depth limit.
 *
 * Stateless but for the structs the caller owns: any thread, one struct
 * per thread.
 */
#ifndef SHOAL_MPACK_H
#define SHOAL_MPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"

/* Longest header of one item: a marker and 8 bytes (uint 64, float 64). */
#define SHOAL_MPACK_HEAD_MAX 9u

enum shoal_mpack_type {
    SHOAL_MPACK_NIL,
    SHOAL_MPACK_BOOL,
    SHOAL_MPACK_UINT,  /* an integer >= 0 in any encoding: u */
    SHOAL_MPACK_INT,   /* an integer < 0: i */
    SHOAL_MPACK_FLOAT, /* d; f32 tells a float 32 */
    SHOAL_MPACK_STR,   /* raw, len */
    SHOAL_MPACK_BIN,   /* raw, len */
    SHOAL_MPACK_ARRAY, /* n elements follow */
    SHOAL_MPACK_MAP,   /* n key/value pairs follow, 2n items */
    SHOAL_MPACK_EXT,   /* ext type, raw, len */
};

/* One item read.  Which member holds the value depends on the type. */
struct shoal_mpack_item {
    enum shoal_mpack_type type;
    bool f32;   /* FLOAT: it was a float 32 */
    int8_t ext; /* EXT: its type */
    uint32_t len;
    union {
        bool b;
        uint64_t u;
        int64_t i;
        double d;
        uint32_t n;
        const uint8_t *raw; /* STR, BIN, EXT: len bytes inside the input */
    };
};

/* ------------------------------------------------------------------------ */
/* Big-endian loads and stores (any alignment) */

static inline uint16_t shoal_mpack_ld16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, 2);
    return __builtin_bswap16(v);
}

static inline uint32_t shoal_mpack_ld32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

static inline uint64_t shoal_mpack_ld64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

static inline void shoal_mpack_st16(uint8_t *p, uint16_t v)
{
    v = __builtin_bswap16(v);
    memcpy(p, &v, 2);
}

static inline void shoal_mpack_st32(uint8_t *p, uint32_t v)
{
    v = __builtin_bswap32(v);
    memcpy(p, &v, 4);
}

static inline void shoal_mpack_st64(uint8_t *p, uint64_t v)
{
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "shoal_mpack_ld*/st* assume a little-endian host"
#endif

/* ------------------------------------------------------------------------ */
/* Writer: stores at a cursor.  Each shoal_mpack_put_* writes one item at p,
 * where the caller has made room (SHOAL_MPACK_HEAD_MAX bytes and the
 * payload), and returns the cursor past it.  Payloads are borrowed. */

/* nil (1 byte). */
static inline uint8_t *shoal_mpack_put_nil(uint8_t *p)
{
    *p = 0xc0;
    return p + 1;
}

/* true or false (1 byte). */
static inline uint8_t *shoal_mpack_put_bool(uint8_t *p, bool b)
{
    *p = b ? 0xc3 : 0xc2;
    return p + 1;
}

/* An unsigned integer in its smallest form (1 to 9 bytes). */
static inline uint8_t *shoal_mpack_put_uint(uint8_t *p, uint64_t u)
{
    if (u < 0x80) {
        *p = (uint8_t)u;
        return p + 1;
    }
    if (u < 0x100) {
        p[0] = 0xcc;
        p[1] = (uint8_t)u;
        return p + 2;
    }
    if (u < 0x10000) {
        p[0] = 0xcd;
        shoal_mpack_st16(p + 1, (uint16_t)u);
        return p + 3;
    }
    if (u < 0x100000000ull) {
        p[0] = 0xce;
        shoal_mpack_st32(p + 1, (uint32_t)u);
        return p + 5;
    }
    p[0] = 0xcf;
    shoal_mpack_st64(p + 1, u);
    return p + 9;
}

/* A uint 64 of exactly 9 bytes, whatever its value: a placeholder that is
 * filled in later (shoal_mpack_st64 at p + 1). */
static inline uint8_t *shoal_mpack_put_u64_fixed(uint8_t *p, uint64_t u)
{
    p[0] = 0xcf;
    shoal_mpack_st64(p + 1, u);
    return p + 9;
}

/* A signed integer: >= 0 as shoal_mpack_put_uint, < 0 in the smallest
 * negative fixint or int 8/16/32/64 form (1 to 9 bytes). */
static inline uint8_t *shoal_mpack_put_int(uint8_t *p, int64_t i)
{
    if (i >= 0) {
        return shoal_mpack_put_uint(p, (uint64_t)i);
    }
    if (i >= -32) {
        *p = (uint8_t)(int8_t)i;
        return p + 1;
    }
    if (i >= INT8_MIN) {
        p[0] = 0xd0;
        p[1] = (uint8_t)(int8_t)i;
        return p + 2;
    }
    if (i >= INT16_MIN) {
        p[0] = 0xd1;
        shoal_mpack_st16(p + 1, (uint16_t)(int16_t)i);
        return p + 3;
    }
    if (i >= INT32_MIN) {
        p[0] = 0xd2;
        shoal_mpack_st32(p + 1, (uint32_t)(int32_t)i);
        return p + 5;
    }
    p[0] = 0xd3;
    shoal_mpack_st64(p + 1, (uint64_t)i);
    return p + 9;
}

/* A float 64 (9 bytes), its bits as they are (NaN payloads kept). */
static inline uint8_t *shoal_mpack_put_f64(uint8_t *p, double d)
{
    uint64_t bits;

    memcpy(&bits, &d, sizeof(bits));
    p[0] = 0xcb;
    shoal_mpack_st64(p + 1, bits);
    return p + 9;
}

/* A container header: fix (n < 16), 16-bit or 32-bit form. */
static inline uint8_t *shoal_mpack_put_container(uint8_t *p, uint8_t fix, uint8_t m16, uint32_t n)
{
    if (n < 16) {
        *p = (uint8_t)(fix | n);
        return p + 1;
    }
    if (n < 0x10000) {
        p[0] = m16;
        shoal_mpack_st16(p + 1, (uint16_t)n);
        return p + 3;
    }
    p[0] = (uint8_t)(m16 + 1);
    shoal_mpack_st32(p + 1, n);
    return p + 5;
}

/* The header of an array of n elements (1, 3 or 5 bytes). */
static inline uint8_t *shoal_mpack_put_array(uint8_t *p, uint32_t n)
{
    return shoal_mpack_put_container(p, 0x90, 0xdc, n);
}

/* The header of a map of n key/value pairs (1, 3 or 5 bytes). */
static inline uint8_t *shoal_mpack_put_map(uint8_t *p, uint32_t n)
{
    return shoal_mpack_put_container(p, 0x80, 0xde, n);
}

/* An array 32 header of exactly 5 bytes (a count filled in later with
 * shoal_mpack_st32 at p + 1). */
static inline uint8_t *shoal_mpack_put_array32(uint8_t *p, uint32_t n)
{
    p[0] = 0xdd;
    shoal_mpack_st32(p + 1, n);
    return p + 5;
}

/* Copy n bytes to dst: short payloads (the names, uids and addresses of a
 * log record) with a few overlapping word moves instead of a call. */
static inline void shoal_mpack_copy(uint8_t *dst, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    uint64_t a, b;
    uint32_t x, y;

    if (n > 16) {
        memcpy(dst, s, n);
    } else if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        memcpy(dst, &x, 4);
        memcpy(dst + n - 4, &y, 4);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            dst[i] = s[i];
        }
    }
}

/* A bin (bin 8, 16 or 32) with its n bytes of b. */
static inline uint8_t *shoal_mpack_put_bin(uint8_t *p, const void *b, uint32_t n)
{
    if (n < 0x100) {
        p[0] = 0xc4;
        p[1] = (uint8_t)n;
        p += 2;
    } else if (n < 0x10000) {
        p[0] = 0xc5;
        shoal_mpack_st16(p + 1, (uint16_t)n);
        p += 3;
    } else {
        p[0] = 0xc6;
        shoal_mpack_st32(p + 1, n);
        p += 5;
    }
    shoal_mpack_copy(p, b, n);
    return p + n;
}

/* A str (fixstr, str 8, 16 or 32) with its n bytes of s. */
static inline uint8_t *shoal_mpack_put_str(uint8_t *p, const void *s, uint32_t n)
{
    if (n < 32) {
        *p++ = (uint8_t)(0xa0 | n);
    } else if (n < 0x100) {
        p[0] = 0xd9;
        p[1] = (uint8_t)n;
        p += 2;
    } else if (n < 0x10000) {
        p[0] = 0xda;
        shoal_mpack_st16(p + 1, (uint16_t)n);
        p += 3;
    } else {
        p[0] = 0xdb;
        shoal_mpack_st32(p + 1, n);
        p += 5;
    }
    shoal_mpack_copy(p, s, n);
    return p + n;
}

/* ------------------------------------------------------------------------ */
/* Writer: appends to a buffer, first error kept */

/* An appending writer: the buffer it appends to and its first error.  The
 * shoal_mpack_write_* functions append one item each (the same bytes as
 * the shoal_mpack_put_* of the same name) and do nothing once err is set;
 * read err at the end.  The buffer is borrowed. */
struct shoal_mpack_wr {
    struct shoal_buf *buf; /* borrowed */
    int err;               /* 0, or the first error (-ENOMEM, -E2BIG) */
};

/* Start appending to buf (kept as it is: the items go after its bytes). */
static inline void shoal_mpack_wr_init(struct shoal_mpack_wr *w, struct shoal_buf *buf)
{
    w->buf = buf;
    w->err = 0;
}

/* The cursor at the end of the buffer with room for n bytes, or NULL
 * after an error (then w->err is set and nothing more is written). */
uint8_t *shoal_mpack_wr_room(struct shoal_mpack_wr *w, size_t n);

/* Mark the bytes up to `end` (a cursor from shoal_mpack_wr_room) written. */
static inline void shoal_mpack_wr_done(struct shoal_mpack_wr *w, uint8_t *end)
{
    w->buf->len = (size_t)((char *)end - w->buf->p);
}

static inline void shoal_mpack_write_nil(struct shoal_mpack_wr *w)
{
    uint8_t *p = shoal_mpack_wr_room(w, 1);

    if (p != NULL) {
        shoal_mpack_wr_done(w, shoal_mpack_put_nil(p));
    }
}

static inline void shoal_mpack_write_bool(struct shoal_mpack_wr *w, bool b)
{
    uint8_t *p = shoal_mpack_wr_room(w, 1);

    if (p != NULL) {
        shoal_mpack_wr_done(w, shoal_mpack_put_bool(p, b));
    }
}

static inline void shoal_mpack_write_uint(struct shoal_mpack_wr *w, uint64_t u)
{
    uint8_t *p = shoal_mpack_wr_room(w, SHOAL_MPACK_HEAD_MAX);

    if (p != NULL) {
        shoal_mpack_wr_done(w, shoal_mpack_put_uint(p, u));
    }
}

static inline void shoal_mpack_write_int(struct shoal_mpack_wr *w, int64_t i)
{
    uint8_t *p = shoal_mpack_wr_room(w, SHOAL_MPACK_HEAD_MAX);

    if (p != NULL) {
        shoal_mpack_wr_done(w, shoal_mpack_put_int(p, i));
    }
}

static inline void shoal_mpack_write_f64(struct shoal_mpack_wr *w, double d)
{
    uint8_t *p = shoal_mpack_wr_room(w, SHOAL_MPACK_HEAD_MAX);

    if (p != NULL) {
        shoal_mpack_wr_done(w, shoal_mpack_put_f64(p, d));
    }
}

static inline void shoal_mpack_write_array(struct shoal_mpack_wr *w, uint32_t n)
{
    uint8_t *p = shoal_mpack_wr_room(w, 5);

    if (p != NULL) {
        shoal_mpack_wr_done(w, shoal_mpack_put_array(p, n));
    }
}

static inline void shoal_mpack_write_map(struct shoal_mpack_wr *w, uint32_t n)
{
    uint8_t *p = shoal_mpack_wr_room(w, 5);

    if (p != NULL) {
        shoal_mpack_wr_done(w, shoal_mpack_put_map(p, n));
    }
}

/* A bin or str of n bytes; more than UINT32_MAX bytes is -E2BIG. */
void shoal_mpack_write_bin(struct shoal_mpack_wr *w, const void *b, size_t n);
void shoal_mpack_write_str(struct shoal_mpack_wr *w, const void *s, size_t n);

/* A str of the bytes of C string s. */
static inline void shoal_mpack_write_cstr(struct shoal_mpack_wr *w, const char *s)
{
    shoal_mpack_write_str(w, s, strlen(s));
}

/* ------------------------------------------------------------------------ */
/* Reader */

/* Why a read failed (shoal_mpack_rd_reason spells it out). */
enum shoal_mpack_fault {
    SHOAL_MPACK_OK,
    SHOAL_MPACK_F_END,     /* no byte left for an item */
    SHOAL_MPACK_F_OBJECTS, /* past the object budget (-E2BIG) */
    SHOAL_MPACK_F_C1,      /* the unused byte 0xc1 */
    SHOAL_MPACK_F_LENGTH,  /* a length or count cut short */
    SHOAL_MPACK_F_NUMBER,  /* a number cut short */
    SHOAL_MPACK_F_LONG,    /* a payload past max_raw (-E2BIG) */
    SHOAL_MPACK_F_RAW,     /* a payload cut short */
    SHOAL_MPACK_F_COUNT,   /* more elements than bytes left */
};

struct shoal_mpack_rd {
    const uint8_t *p;     /* next byte */
    const uint8_t *end;   /* one past the last byte */
    const uint8_t *start; /* the first byte, for offsets */
    uint32_t max_raw;     /* longest str, bin or ext payload */
    uint64_t objects;     /* items that may still be read */
    uint64_t max_objects; /* items the reader was made for */
    /* After a failure: */
    enum shoal_mpack_fault fault;
    size_t fault_at;  /* offset where it was found */
    uint64_t fault_n; /* the length or count concerned */
};

/* Read `len` bytes at buf (borrowed for the reader's life) with payloads
 * of at most max_raw bytes and at most max_objects items. */
static inline void shoal_mpack_rd_init(struct shoal_mpack_rd *r, const void *buf, size_t len,
                                       uint32_t max_raw, uint64_t max_objects)
{
    r->start = buf;
    r->p = buf;
    r->end = r->p + len;
    r->max_raw = max_raw;
    r->objects = max_objects;
    r->max_objects = max_objects;
    r->fault = SHOAL_MPACK_OK;
    r->fault_at = 0;
    r->fault_n = 0;
}

/* Bytes not read yet. */
static inline size_t shoal_mpack_rd_left(const struct shoal_mpack_rd *r)
{
    return (size_t)(r->end - r->p);
}

/* Offset of the next byte. */
static inline size_t shoal_mpack_rd_offset(const struct shoal_mpack_rd *r)
{
    return (size_t)(r->p - r->start);
}

/* Any item (the whole format); same contract as shoal_mpack_read. */
int shoal_mpack_read_any(struct shoal_mpack_rd *r, struct shoal_mpack_item *it);

/*
 * Read one item into *it.  Returns 0, or -EBADMSG / -E2BIG (see the top of
 * the file) with r->fault set and r->p where the item began.  The common
 * forms of a log batch (positive fixint, nil, bool, bin 8, uint 8/16,
 * float 64) are read inline; everything else by shoal_mpack_read_any.
 */
static inline int shoal_mpack_read(struct shoal_mpack_rd *r, struct shoal_mpack_item *it)
{
    const uint8_t *p = r->p;
    size_t left = (size_t)(r->end - p);

    if (left == 0 || r->objects == 0) {
        return shoal_mpack_read_any(r, it);
    }
    uint8_t b = p[0];
    if (b <= 0x7f) {
        it->type = SHOAL_MPACK_UINT;
        it->u = b;
        r->p = p + 1;
    } else if (b == 0xc4 && left >= 2 && p[1] <= left - 2 && p[1] <= r->max_raw) {
        it->type = SHOAL_MPACK_BIN;
        it->len = p[1];
        it->raw = p + 2;
        r->p = p + 2 + p[1];
    } else if (b == 0xc0) {
        it->type = SHOAL_MPACK_NIL;
        r->p = p + 1;
    } else if (b == 0xcb && left >= 9) {
        uint64_t bits = shoal_mpack_ld64(p + 1);
        it->type = SHOAL_MPACK_FLOAT;
        it->f32 = false;
        memcpy(&it->d, &bits, sizeof(bits));
        r->p = p + 9;
    } else if (b == 0xcd && left >= 3) {
        it->type = SHOAL_MPACK_UINT;
        it->u = shoal_mpack_ld16(p + 1);
        r->p = p + 3;
    } else if (b == 0xcc && left >= 2) {
        it->type = SHOAL_MPACK_UINT;
        it->u = p[1];
        r->p = p + 2;
    } else if ((b & 0xfe) == 0xc2) {
        it->type = SHOAL_MPACK_BOOL;
        it->b = b & 1;
        r->p = p + 1;
    } else {
        return shoal_mpack_read_any(r, it);
    }
    r->objects--;
    return 0;
}

/*
 * Fast paths over a bare cursor, for a decoder's inner loop: each reads one
 * item of one common form at p (end: one past the input) and returns the
 * cursor past it, or NULL when the next item is not of that form or is cut
 * short, having consumed nothing: the caller then reads it with
 * shoal_mpack_read, which takes every form, counts the object and says
 * what is wrong.  They count no object (the caller accounts for them) and
 * take payloads of up to 255 bytes, so a reader's max_raw must be at least
 * that.
 */
static inline const uint8_t *shoal_mpack_fast_nil(const uint8_t *p, const uint8_t *end)
{
    return p < end && *p == 0xc0 ? p + 1 : NULL;
}

static inline const uint8_t *shoal_mpack_fast_bool(const uint8_t *p, const uint8_t *end, bool *b)
{
    if (p >= end || (*p & 0xfe) != 0xc2) {
        return NULL;
    }
    *b = *p & 1;
    return p + 1;
}

/* A uint in any of its forms: positive fixint, uint 8, 16, 32, 64. */
static inline const uint8_t *shoal_mpack_fast_uint(const uint8_t *p, const uint8_t *end,
                                                   uint64_t *u)
{
    if (p >= end) {
        return NULL;
    }
    uint8_t b = *p;
    if (b <= 0x7f) {
        *u = b;
        return p + 1;
    }
    size_t left = (size_t)(end - p);
    switch (b) {
    case 0xcc:
        if (left < 2) {
            return NULL;
        }
        *u = p[1];
        return p + 2;
    case 0xcd:
        if (left < 3) {
            return NULL;
        }
        *u = shoal_mpack_ld16(p + 1);
        return p + 3;
    case 0xce:
        if (left < 5) {
            return NULL;
        }
        *u = shoal_mpack_ld32(p + 1);
        return p + 5;
    case 0xcf:
        if (left < 9) {
            return NULL;
        }
        *u = shoal_mpack_ld64(p + 1);
        return p + 9;
    default:
        return NULL;
    }
}

/* A float 64. */
static inline const uint8_t *shoal_mpack_fast_f64(const uint8_t *p, const uint8_t *end, double *d)
{
    if (end - p < 9 || *p != 0xcb) {
        return NULL;
    }
    uint64_t bits = shoal_mpack_ld64(p + 1);
    memcpy(d, &bits, sizeof(bits));
    return p + 9;
}

/* A bin 8: *raw and *len are its payload. */
static inline const uint8_t *shoal_mpack_fast_bin8(const uint8_t *p, const uint8_t *end,
                                                   const uint8_t **raw, uint32_t *len)
{
    if (end - p < 2 || *p != 0xc4 || p[1] > (size_t)(end - p) - 2) {
        return NULL;
    }
    *raw = p + 2;
    *len = p[1];
    return p + 2 + p[1];
}

/* The reason of the last failure, one line ("truncated at byte 12"). */
void shoal_mpack_rd_reason(const struct shoal_mpack_rd *r, char *buf, size_t len);

/* The -errno of a fault: -E2BIG for the limits, -EBADMSG else. */
int shoal_mpack_fault_errno(enum shoal_mpack_fault f);

/* Name of an item type for messages ("uint", "str", "array", ...). */
const char *shoal_mpack_type_name(enum shoal_mpack_type t);

/* ------------------------------------------------------------------------ */
/* Whole-input check */

struct shoal_mpack_limits {
    size_t max_bytes;     /* the input */
    uint32_t max_raw;     /* each str, bin or ext payload */
    uint64_t max_objects; /* items in all, containers included */
    unsigned max_depth;   /* nesting of non-empty arrays and maps */
    bool ext;             /* ext items allowed */
};

/*
 * Check that buf[0..len) is exactly one msgpack item (with everything
 * nested in it) within the limits: what shoal_mpack_read would refuse,
 * nesting past max_depth, ext items when not allowed and trailing bytes
 * are refused.  Returns 0, or -EBADMSG / -E2BIG with a one-line reason in
 * err (if not NULL).  Reads only buf[0..len).
 */
int shoal_mpack_check(const void *buf, size_t len, const struct shoal_mpack_limits *lim, char *err,
                      size_t errlen);

#endif
