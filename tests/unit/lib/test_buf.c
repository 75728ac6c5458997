/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the growable byte buffer (core/lib/buf.c) and the borrowed
 * byte string (core/lib/str.h): appends across many growths keep every
 * byte, reserve grows only when needed, a zeroed buffer is empty and
 * freeing leaves one, a request that would overflow fails cleanly.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "suites.h"
#include "lib/buf.h"
#include "lib/str.h"

static void test_buf_append(void)
{
    struct shoal_buf b = {0};
    char chunk[100];

    for (size_t i = 0; i < 1000; i++) {
        memset(chunk, (int)(i & 0xff), sizeof(chunk));
        CU_ASSERT_EQUAL_FATAL(shoal_buf_append(&b, chunk, i % sizeof(chunk)), 0);
    }
    size_t off = 0;
    bool same = true;
    for (size_t i = 0; i < 1000; i++) {
        for (size_t k = 0; k < i % sizeof(chunk); k++) {
            same = same && (unsigned char)b.p[off + k] == (i & 0xff);
        }
        off += i % sizeof(chunk);
    }
    CU_ASSERT(same);
    CU_ASSERT_EQUAL(b.len, off);
    CU_ASSERT(b.cap >= b.len);
    CU_ASSERT_EQUAL(shoal_buf_append(&b, NULL, 0), 0);
    CU_ASSERT_EQUAL(b.len, off);
    shoal_buf_free(&b);
    CU_ASSERT_PTR_NULL(b.p);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_EQUAL(b.cap, 0);
    shoal_buf_free(&b);
}

static void test_buf_reserve(void)
{
    struct shoal_buf b = {0};

    CU_ASSERT_EQUAL(shoal_buf_reserve(&b, 10), 0);
    CU_ASSERT(b.cap >= 10);
    char *p = b.p;
    size_t cap = b.cap;
    CU_ASSERT_EQUAL(shoal_buf_reserve(&b, cap), 0);
    CU_ASSERT(b.p == p && b.cap == cap); /* it fitted: no growth */
    b.len = cap;
    CU_ASSERT_EQUAL(shoal_buf_reserve(&b, 1), 0);
    CU_ASSERT(b.cap >= cap + 1);
    CU_ASSERT_EQUAL(shoal_buf_reserve(&b, SIZE_MAX - 8), -ENOMEM);
    CU_ASSERT_EQUAL(b.len, cap);
    shoal_buf_free(&b);
}

static void test_str_of(void)
{
    struct shoal_str s = shoal_str_of("abc");
    struct shoal_str none = shoal_str_of(NULL);

    CU_ASSERT(s.len == 3 && memcmp(s.p, "abc", 3) == 0);
    CU_ASSERT(none.p == NULL && none.len == 0);
}

int register_buf_suite(void)
{
    CU_pSuite s = CU_add_suite("buf", NULL, NULL);

    if (s == NULL || CU_add_test(s, "appends across growths", test_buf_append) == NULL ||
        CU_add_test(s, "reserve", test_buf_reserve) == NULL ||
        CU_add_test(s, "byte strings", test_str_of) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
