/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the msgpack codec (core/cluster/mpack.c), with msgpack-c
 * as the oracle (tests/unit/mpack_oracle.h): every type and width the
 * writer writes, byte for byte as msgpack-c's packer writes it, at every
 * size boundary; every form the reader reads, written by msgpack-c
 * (including the wide and signed forms and ext types our writer never
 * writes), to the same tree as msgpack-c's unpacker; every prefix of a
 * body holding them all refused, never read past; the limits (payload
 * length, object budget, counts past the end, input size, nesting, ext
 * items, trailing bytes, the unused byte 0xc1) with their errno; the fast
 * paths agreeing with the reader; the writer's sticky error.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>

#include "mpack_oracle.h"

/* msgpack-c's packer writing into our buffer. */
static int mp_write(void *data, const char *buf, size_t len)
{
    return shoal_buf_append(data, buf, len) == 0 ? 0 : -1;
}

/* A payload of n bytes that differ from one another. */
static const char *mp_payload(size_t n)
{
    static char *p;
    static size_t cap;

    if (n > cap) {
        free(p);
        p = malloc(n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        cap = n;
        for (size_t i = 0; i < n; i++) {
            p[i] = (char)(i * 7 + i / 256);
        }
    }
    return p;
}

enum mp_kind { MP_NIL, MP_BOOL, MP_UINT, MP_INT, MP_F64, MP_STR, MP_BIN, MP_ARRAY, MP_MAP };

struct mp_case {
    enum mp_kind kind;
    uint64_t u; /* value, or length / count */
    int64_t i;
    double d;
};

static const struct mp_case mp_cases[] = {
    {MP_NIL, 0, 0, 0},
    {MP_BOOL, 0, 0, 0},
    {MP_BOOL, 1, 0, 0},
    {MP_UINT, 0, 0, 0},
    {MP_UINT, 127, 0, 0},
    {MP_UINT, 128, 0, 0},
    {MP_UINT, 255, 0, 0},
    {MP_UINT, 256, 0, 0},
    {MP_UINT, 65535, 0, 0},
    {MP_UINT, 65536, 0, 0},
    {MP_UINT, 0xffffffffull, 0, 0},
    {MP_UINT, 0x100000000ull, 0, 0},
    {MP_UINT, UINT64_MAX, 0, 0},
    {MP_INT, 0, 0, 0},
    {MP_INT, 0, 127, 0},
    {MP_INT, 0, 128, 0},
    {MP_INT, 0, 65536, 0},
    {MP_INT, 0, INT64_MAX, 0},
    {MP_INT, 0, -1, 0},
    {MP_INT, 0, -32, 0},
    {MP_INT, 0, -33, 0},
    {MP_INT, 0, -128, 0},
    {MP_INT, 0, -129, 0},
    {MP_INT, 0, -32768, 0},
    {MP_INT, 0, -32769, 0},
    {MP_INT, 0, INT32_MIN, 0},
    {MP_INT, 0, (int64_t)INT32_MIN - 1, 0},
    {MP_INT, 0, INT64_MIN, 0},
    {MP_F64, 0, 0, 0.0},
    {MP_F64, 0, 0, -0.0},
    {MP_F64, 0, 0, 1700000000.123456},
    {MP_F64, 0, 0, INFINITY},
    {MP_F64, 0, 0, NAN},
    {MP_STR, 0, 0, 0},
    {MP_STR, 31, 0, 0},
    {MP_STR, 32, 0, 0},
    {MP_STR, 255, 0, 0},
    {MP_STR, 256, 0, 0},
    {MP_STR, 65535, 0, 0},
    {MP_STR, 65536, 0, 0},
    {MP_BIN, 0, 0, 0},
    {MP_BIN, 255, 0, 0},
    {MP_BIN, 256, 0, 0},
    {MP_BIN, 65535, 0, 0},
    {MP_BIN, 65536, 0, 0},
    {MP_ARRAY, 0, 0, 0},
    {MP_ARRAY, 15, 0, 0},
    {MP_ARRAY, 16, 0, 0},
    {MP_ARRAY, 65535, 0, 0},
    {MP_ARRAY, 65536, 0, 0},
    {MP_MAP, 0, 0, 0},
    {MP_MAP, 15, 0, 0},
    {MP_MAP, 16, 0, 0},
    {MP_MAP, 65535, 0, 0},
    {MP_MAP, 65536, 0, 0},
};
#define MP_NCASES (sizeof(mp_cases) / sizeof(mp_cases[0]))

/* The case with our writer (the appending level). */
static void mp_ours(struct shoal_mpack_wr *w, const struct mp_case *c)
{
    switch (c->kind) {
    case MP_NIL:
        shoal_mpack_write_nil(w);
        break;
    case MP_BOOL:
        shoal_mpack_write_bool(w, c->u != 0);
        break;
    case MP_UINT:
        shoal_mpack_write_uint(w, c->u);
        break;
    case MP_INT:
        shoal_mpack_write_int(w, c->i);
        break;
    case MP_F64:
        shoal_mpack_write_f64(w, c->d);
        break;
    case MP_STR:
        shoal_mpack_write_str(w, mp_payload(c->u), c->u);
        break;
    case MP_BIN:
        shoal_mpack_write_bin(w, mp_payload(c->u), c->u);
        break;
    case MP_ARRAY:
        shoal_mpack_write_array(w, (uint32_t)c->u);
        break;
    case MP_MAP:
        shoal_mpack_write_map(w, (uint32_t)c->u);
        break;
    }
}

/* The case with msgpack-c's packer. */
static void mp_theirs(msgpack_packer *pk, const struct mp_case *c)
{
    switch (c->kind) {
    case MP_NIL:
        msgpack_pack_nil(pk);
        break;
    case MP_BOOL:
        c->u ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
        break;
    case MP_UINT:
        msgpack_pack_uint64(pk, c->u);
        break;
    case MP_INT:
        msgpack_pack_int64(pk, c->i);
        break;
    case MP_F64:
        msgpack_pack_double(pk, c->d);
        break;
    case MP_STR:
        msgpack_pack_str(pk, c->u);
        msgpack_pack_str_body(pk, mp_payload(c->u), c->u);
        break;
    case MP_BIN:
        msgpack_pack_bin(pk, c->u);
        msgpack_pack_bin_body(pk, mp_payload(c->u), c->u);
        break;
    case MP_ARRAY:
        msgpack_pack_array(pk, c->u);
        break;
    case MP_MAP:
        msgpack_pack_map(pk, c->u);
        break;
    }
}

/* Every case alone: the same bytes as msgpack-c, read back by our reader
 * as msgpack-c reads them (containers filled with nils). */
static void test_mpack_write_forms(void)
{
    for (size_t k = 0; k < MP_NCASES; k++) {
        const struct mp_case *c = &mp_cases[k];
        struct shoal_buf ours = {0}, theirs = {0};
        struct shoal_mpack_wr w;
        msgpack_packer pk;

        shoal_mpack_wr_init(&w, &ours);
        mp_ours(&w, c);
        CU_ASSERT_EQUAL(w.err, 0);
        msgpack_packer_init(&pk, &theirs, mp_write);
        mp_theirs(&pk, c);
        CU_ASSERT_EQUAL(ours.len, theirs.len);
        bool same = ours.len == theirs.len && memcmp(ours.p, theirs.p, ours.len) == 0;
        CU_ASSERT(same);
        if (!same) {
            fprintf(stderr, "case %zu (kind %d): %zu bytes, msgpack-c %zu\n", k, (int)c->kind,
                    ours.len, theirs.len);
        }
        /* Fill containers so that the body is whole, then read it back. */
        uint64_t fill = c->kind == MP_ARRAY ? c->u : c->kind == MP_MAP ? 2 * c->u : 0;
        for (uint64_t i = 0; i < fill; i++) {
            shoal_mpack_write_nil(&w);
        }
        CU_ASSERT_EQUAL(w.err, 0);
        CU_ASSERT_EQUAL(mpack_oracle_check((const uint8_t *)ours.p, ours.len), 1);
        shoal_buf_free(&ours);
        shoal_buf_free(&theirs);
    }
}

/* The cursor level writes what the appending level writes, and the fixed
 * placeholders have their fixed width. */
static void test_mpack_put_forms(void)
{
    uint8_t buf[80], *p;

    for (size_t k = 0; k < MP_NCASES; k++) {
        const struct mp_case *c = &mp_cases[k];
        struct shoal_buf ours = {0};
        struct shoal_mpack_wr w;

        if (c->kind == MP_STR || c->kind == MP_BIN) {
            continue; /* payloads longer than buf; the appending level uses put */
        }
        shoal_mpack_wr_init(&w, &ours);
        mp_ours(&w, c);
        switch (c->kind) {
        case MP_NIL:
            p = shoal_mpack_put_nil(buf);
            break;
        case MP_BOOL:
            p = shoal_mpack_put_bool(buf, c->u != 0);
            break;
        case MP_UINT:
            p = shoal_mpack_put_uint(buf, c->u);
            break;
        case MP_INT:
            p = shoal_mpack_put_int(buf, c->i);
            break;
        case MP_F64:
            p = shoal_mpack_put_f64(buf, c->d);
            break;
        case MP_ARRAY:
            p = shoal_mpack_put_array(buf, (uint32_t)c->u);
            break;
        default:
            p = shoal_mpack_put_map(buf, (uint32_t)c->u);
            break;
        }
        CU_ASSERT((size_t)(p - buf) <= SHOAL_MPACK_HEAD_MAX);
        CU_ASSERT(ours.len == (size_t)(p - buf) && memcmp(ours.p, buf, ours.len) == 0);
        shoal_buf_free(&ours);
    }
    p = shoal_mpack_put_u64_fixed(buf, 5);
    CU_ASSERT_EQUAL(p - buf, 9);
    CU_ASSERT(memcmp(buf, "\xcf\0\0\0\0\0\0\0\x05", 9) == 0);
    p = shoal_mpack_put_array32(buf, 3);
    CU_ASSERT_EQUAL(p - buf, 5);
    CU_ASSERT(memcmp(buf, "\xdd\0\0\0\x03", 5) == 0);
    p = shoal_mpack_put_str(buf, "abc", 3);
    CU_ASSERT(p - buf == 4 && memcmp(buf,
                                     "\xa3"
                                     "abc",
                                     4) == 0);
}

/* A body of every form msgpack-c writes, ours included or not: fixed-width
 * ints of both signs, float 32, str 8 for a short string, ext types of
 * every size, maps and arrays of every header, nested. */
static void mp_all_forms(struct shoal_buf *b)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, b, mp_write);
    msgpack_pack_array(&pk, 29);
    msgpack_pack_fix_uint8(&pk, 5);
    msgpack_pack_fix_uint16(&pk, 5);
    msgpack_pack_fix_uint32(&pk, 70000);
    msgpack_pack_fix_uint64(&pk, 1ull << 40);
    msgpack_pack_fix_int8(&pk, 5);
    msgpack_pack_fix_int8(&pk, -5);
    msgpack_pack_fix_int16(&pk, -300);
    msgpack_pack_fix_int32(&pk, -70000);
    msgpack_pack_fix_int64(&pk, INT64_MIN);
    msgpack_pack_fix_int64(&pk, 42);
    msgpack_pack_float(&pk, 1.5f);
    msgpack_pack_float(&pk, NAN);
    msgpack_pack_double(&pk, -2.25);
    shoal_buf_append(b, "\xd9\x03xyz", 5);  /* str 8 of 3 bytes */
    shoal_buf_append(b, "\xda\0\x01q", 4);  /* str 16 of 1 byte */
    shoal_buf_append(b, "\xc5\0\x02hi", 5); /* bin 16 of 2 bytes */
    for (size_t n = 1; n <= 16; n *= 2) {   /* fixext 1, 2, 4, 8, 16 */
        msgpack_pack_ext(&pk, n, (int8_t)n);
        msgpack_pack_ext_body(&pk, mp_payload(n), n);
    }
    msgpack_pack_ext(&pk, 3, -7); /* ext 8 */
    msgpack_pack_ext_body(&pk, "abc", 3);
    msgpack_pack_ext(&pk, 300, 1); /* ext 16 */
    msgpack_pack_ext_body(&pk, mp_payload(300), 300);
    shoal_buf_append(b, "\xc9\0\0\0\x01\x02z", 7); /* ext 32 of 1 byte */
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "k", 1);
    msgpack_pack_array(&pk, 2);
    msgpack_pack_nil(&pk);
    msgpack_pack_true(&pk);
    msgpack_pack_int8(&pk, -1);
    msgpack_pack_map(&pk, 0);
    shoal_buf_append(b, "\xdc\0\x01\x01", 4);         /* array 16 of 1 */
    shoal_buf_append(b, "\xdd\0\0\0\x01\xc2", 6);     /* array 32 of 1 */
    shoal_buf_append(b, "\xde\0\x01\x01\x02", 5);     /* map 16 of 1 */
    shoal_buf_append(b, "\xdf\0\0\0\x01\xc0\xc0", 7); /* map 32 of 1 */
}

static void test_mpack_read_forms(void)
{
    struct shoal_buf b = {0};
    struct shoal_mpack_rd r;
    struct shoal_mpack_item it;

    mp_all_forms(&b);
    CU_ASSERT_EQUAL(mpack_oracle_check((const uint8_t *)b.p, b.len), 1);
    /* A few values by hand, besides the oracle. */
    shoal_mpack_rd_init(&r, b.p, b.len, 1u << 20, 1000);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_ARRAY && it.n == 29);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_UINT && it.u == 5);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_UINT && it.u == 5);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.u == 70000);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.u == 1ull << 40);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_UINT && it.u == 5);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_INT && it.i == -5);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.i == -300);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.i == -70000);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.i == INT64_MIN);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_UINT && it.u == 42);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_FLOAT && it.f32 &&
              it.d == 1.5);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.f32 && isnan(it.d));
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && !it.f32 && it.d == -2.25);
    CU_ASSERT(shoal_mpack_read(&r, &it) == 0 && it.type == SHOAL_MPACK_STR && it.len == 3 &&
              memcmp(it.raw, "xyz", 3) == 0);
    CU_ASSERT_EQUAL(r.objects, 1000 - 15);
    CU_ASSERT_STRING_EQUAL(shoal_mpack_type_name(SHOAL_MPACK_EXT), "ext");
    CU_ASSERT_STRING_EQUAL(shoal_mpack_type_name((enum shoal_mpack_type)99), "?");
    shoal_buf_free(&b);
}

/* Every prefix of the body of every form: the checker and the reader
 * refuse it with -EBADMSG, reading only the prefix (an exact-size copy,
 * so ASan sees any byte read past it). */
static void test_mpack_truncation(void)
{
    struct shoal_buf b = {0};
    size_t refused = 0;

    mp_all_forms(&b);
    for (size_t k = 0; k < b.len; k++) {
        uint8_t *copy = malloc(k > 0 ? k : 1);
        struct shoal_mpack_rd r;
        struct shoal_mpack_item it;
        char err[128] = "";
        int rc;

        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, b.p, k);
        rc = shoal_mpack_check(copy, k, &mpack_oracle_lax, err, sizeof(err));
        refused += rc == -EBADMSG && err[0] != '\0';
        shoal_mpack_rd_init(&r, copy, k, UINT32_MAX, UINT64_MAX);
        while ((rc = shoal_mpack_read(&r, &it)) == 0) {
            CU_ASSERT(r.p <= r.end);
        }
        CU_ASSERT_EQUAL(rc, -EBADMSG);
        CU_ASSERT(r.p <= r.end);
        CU_ASSERT_EQUAL(mpack_oracle_check(copy, k), 0);
        free(copy);
    }
    CU_ASSERT_EQUAL(refused, b.len);
    shoal_buf_free(&b);
}

/* Check buf against lim: the return, and a reason containing `want`. */
static void mp_expect(const char *buf, size_t len, const struct shoal_mpack_limits *lim, int rc,
                      const char *want)
{
    char err[160] = "";
    int got = shoal_mpack_check(buf, len, lim, err, sizeof(err));

    CU_ASSERT_EQUAL(got, rc);
    if (want != NULL) {
        CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    }
    if (got != rc || (want != NULL && strstr(err, want) == NULL)) {
        fprintf(stderr, "check of %zu bytes: %d '%s', want %d '%s'\n", len, got, err, rc,
                want ? want : "");
    }
}

static void test_mpack_limits(void)
{
    struct shoal_mpack_limits lim = {
        .max_bytes = 100, .max_raw = 4, .max_objects = 4, .max_depth = 2, .ext = false};
    struct shoal_mpack_rd r;
    struct shoal_mpack_item it;

    /* Payload length: 4 bytes pass, 5 are -E2BIG (str, bin, ext). */
    mp_expect("\xa4xxxx", 5, &lim, 0, NULL);
    mp_expect("\xa5xxxxx", 6, &lim, -E2BIG, "string of 5 bytes exceeds 4");
    mp_expect("\xc4\x05xxxxx", 7, &lim, -E2BIG, "exceeds");
    lim.ext = true;
    mp_expect("\xd6\x01xxxx", 6, &lim, 0, NULL);
    mp_expect("\xc7\x05\x01xxxxx", 8, &lim, -E2BIG, "exceeds");
    mp_expect("\xc7", 1, &lim, -EBADMSG, "truncated length");
    lim.ext = false;
    mp_expect("\xd6\x01xxxx", 6, &lim, -EBADMSG, "ext type 0xd6 at 0 not allowed");
    mp_expect("\x91\xc7\x01\x01x", 5, &lim, -EBADMSG, "ext type 0xc7 at 1");
    /* Objects: 4 pass, 5 are -E2BIG. */
    mp_expect("\x93\x01\x02\x03", 4, &lim, 0, NULL);
    mp_expect("\x94\x01\x02\x03\x04", 5, &lim, -E2BIG, "more than 4 objects");
    /* Counts past the bytes left; a map's entry is two items. */
    mp_expect("\x92\x01", 2, &lim, -EBADMSG, "truncated: 2 elements in 1 bytes");
    mp_expect("\x81\x01", 2, &lim, -EBADMSG, "truncated: 2 elements");
    mp_expect("\xdd\xff\xff\xff\xff\x01", 6, &lim, -EBADMSG, "truncated: 4294967295 elements");
    shoal_mpack_rd_init(&r, "\xdf\x80\0\0\0\x01\x01", 7, 4, 4);
    CU_ASSERT_EQUAL(shoal_mpack_read(&r, &it), -EBADMSG);
    CU_ASSERT_EQUAL(r.fault, SHOAL_MPACK_F_COUNT);
    CU_ASSERT_EQUAL(r.fault_n, 1ull << 32);
    CU_ASSERT_EQUAL(shoal_mpack_rd_offset(&r), 0); /* nothing consumed */
    /* Truncated numbers, lengths, payloads; 0xc1; the input size. */
    mp_expect("\xcd\x01", 2, &lim, -EBADMSG, "truncated number at byte 1");
    mp_expect("\xcb\0\0", 3, &lim, -EBADMSG, "truncated number");
    mp_expect("\xda\x00", 2, &lim, -EBADMSG, "truncated length at byte 1");
    mp_expect("\xa3xy", 3, &lim, -EBADMSG, "truncated string at byte 1");
    mp_expect("", 0, &lim, -EBADMSG, "truncated at byte 0");
    mp_expect("\x91\xc1", 2, &lim, -EBADMSG, "invalid byte 0xc1 at 1");
    mp_expect("\x01\x02", 2, &lim, -EBADMSG, "1 trailing bytes");
    lim.max_bytes = 1;
    mp_expect("\x01\x02", 2, &lim, -E2BIG, "body of 2 bytes exceeds 1");
    /* The reader's reasons and errno. */
    shoal_mpack_rd_init(&r, "\xa5xxxxx", 6, 4, 4);
    CU_ASSERT_EQUAL(shoal_mpack_read(&r, &it), -E2BIG);
    CU_ASSERT_EQUAL(shoal_mpack_fault_errno(r.fault), -E2BIG);
    char why[80];
    shoal_mpack_rd_reason(&r, why, sizeof(why));
    CU_ASSERT_STRING_EQUAL(why, "string of 5 bytes exceeds 4");
    shoal_mpack_rd_init(&r, "\x01", 1, 4, 0);
    CU_ASSERT_EQUAL(shoal_mpack_read(&r, &it), -E2BIG);
    CU_ASSERT_EQUAL(r.fault, SHOAL_MPACK_F_OBJECTS);
}

static void test_mpack_nesting(void)
{
    struct shoal_mpack_limits lim = {
        .max_bytes = 100, .max_raw = 100, .max_objects = 100, .max_depth = 3, .ext = false};

    mp_expect("\x91\x91\x91\x01", 4, &lim, 0, NULL);
    mp_expect("\x91\x91\x91\x91\x01", 5, &lim, -E2BIG, "nesting deeper than 3 at byte 4");
    /* Empty containers do not open a level; maps do. */
    mp_expect("\x91\x91\x91\x90", 4, &lim, 0, NULL);
    mp_expect("\x91\x91\x91\x80", 4, &lim, 0, NULL);
    mp_expect("\x91\x81\x01\x91\x81\x01\x02", 7, &lim, -E2BIG, "nesting");
    mp_expect("\x92\x91\x91\x01\x91\x91\x01", 7, &lim, 0, NULL);
    /* Too deep is said before too long. */
    mp_expect("\x91\x91\x91\xdd\xff\xff\xff\xff", 8, &lim, -E2BIG, "nesting deeper than 3");
    mp_expect("\x91\x91\xdd\xff\xff\xff\xff", 7, &lim, -EBADMSG, "truncated:");
}

/* Every fast path (mpack.h) on the item at p, cut at every length: when it
 * takes the item, the reader takes it too, as the same value and length. */
static void mp_fast_item(const uint8_t *p, size_t len)
{
    for (size_t k = 0; k <= len; k++) {
        const uint8_t *end = p + k, *q;
        struct shoal_mpack_rd r;
        struct shoal_mpack_item it;
        const uint8_t *raw;
        uint32_t n;
        uint64_t u;
        double d;
        bool b;
        shoal_mpack_rd_init(&r, p, k, UINT32_MAX, UINT64_MAX);
        int rc = shoal_mpack_read(&r, &it);
        if ((q = shoal_mpack_fast_nil(p, end)) != NULL) {
            CU_ASSERT(rc == 0 && it.type == SHOAL_MPACK_NIL && q == r.p);
        }
        if ((q = shoal_mpack_fast_bool(p, end, &b)) != NULL) {
            CU_ASSERT(rc == 0 && it.type == SHOAL_MPACK_BOOL && it.b == b && q == r.p);
        }
        if ((q = shoal_mpack_fast_uint(p, end, &u)) != NULL) {
            CU_ASSERT(rc == 0 && it.type == SHOAL_MPACK_UINT && it.u == u && q == r.p);
        }
        if ((q = shoal_mpack_fast_f64(p, end, &d)) != NULL) {
            CU_ASSERT(rc == 0 && it.type == SHOAL_MPACK_FLOAT && !it.f32 &&
                      memcmp(&it.d, &d, sizeof(d)) == 0 && q == r.p);
        }
        if ((q = shoal_mpack_fast_bin8(p, end, &raw, &n)) != NULL) {
            CU_ASSERT(rc == 0 && it.type == SHOAL_MPACK_BIN && it.raw == raw && it.len == n &&
                      q == r.p);
        }
    }
}

static void test_mpack_fast_paths(void)
{
    struct shoal_buf b = {0};
    struct shoal_mpack_rd r;
    struct shoal_mpack_item it;
    size_t taken = 0;

    mp_all_forms(&b);
    for (size_t k = 0; k < MP_NCASES; k++) {
        struct shoal_mpack_wr w;
        shoal_mpack_wr_init(&w, &b);
        if (mp_cases[k].kind != MP_ARRAY && mp_cases[k].kind != MP_MAP && mp_cases[k].u < 300) {
            mp_ours(&w, &mp_cases[k]);
        }
    }
    /* Every item of the buffer, from its first byte to the next item's. */
    shoal_mpack_rd_init(&r, b.p, b.len, UINT32_MAX, UINT64_MAX);
    while (shoal_mpack_rd_left(&r) > 0) {
        const uint8_t *p = r.p;
        CU_ASSERT_EQUAL_FATAL(shoal_mpack_read(&r, &it), 0);
        mp_fast_item(p, (size_t)(r.p - p)); /* a container: its header */
        taken++;
    }
    CU_ASSERT(taken > 60);
    shoal_buf_free(&b);
}

/* The writer keeps its first error and writes nothing after it. */
static void test_mpack_writer_errors(void)
{
    struct shoal_buf b = {0};
    struct shoal_mpack_wr w;

    shoal_mpack_wr_init(&w, &b);
    shoal_mpack_write_uint(&w, 1);
    shoal_mpack_write_bin(&w, "x", (size_t)UINT32_MAX + 1); /* never read: refused first */
    CU_ASSERT_EQUAL(w.err, -E2BIG);
    shoal_mpack_write_uint(&w, 2);
    shoal_mpack_write_cstr(&w, "abc");
    CU_ASSERT_EQUAL(w.err, -E2BIG);
    CU_ASSERT_EQUAL(b.len, 1);
    CU_ASSERT_PTR_NULL(shoal_mpack_wr_room(&w, 1));
    shoal_buf_free(&b);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "test_mpack: CU_initialize_registry: %s\n", CU_get_error_msg());
        return EXIT_FAILURE;
    }
    s = CU_add_suite("mpack", NULL, NULL);
    if (s == NULL || !CU_add_test(s, "every written form as msgpack-c's", test_mpack_write_forms) ||
        !CU_add_test(s, "the cursor level", test_mpack_put_forms) ||
        !CU_add_test(s, "every form read as msgpack-c reads it", test_mpack_read_forms) ||
        !CU_add_test(s, "truncation at every byte", test_mpack_truncation) ||
        !CU_add_test(s, "fast paths as the reader", test_mpack_fast_paths) ||
        !CU_add_test(s, "limits", test_mpack_limits) ||
        !CU_add_test(s, "nesting", test_mpack_nesting) ||
        !CU_add_test(s, "writer errors", test_mpack_writer_errors)) {
        CU_cleanup_registry();
        return EXIT_FAILURE;
    }
    return shoal_cunit_run("test_mpack");
}
