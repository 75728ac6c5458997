/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the SDK's line reader (<shoal/lines.h>): LF-only and CR-or-LF
 * line ends, lines split across calls, CRLF split across calls, the bounded
 * buffer (cut once, the rest of the line dropped), allocation on first need
 * and its failure, and the single-CR report.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/lines.h>

#include "suites.h"

static int allocs;
static bool fail_alloc;

static void *t_alloc(void *ud, size_t n)
{
    (void)ud;
    if (fail_alloc) {
        return NULL;
    }
    allocs++;
    return malloc(n);
}

/* Feed s in calls of `step` bytes; lines joined with '|', cuts counted as
 * '!', single-CR reports as '^'. */
static void feed(struct shoal_lines *r, const char *s, size_t step, char *out, size_t size)
{
    size_t len = strlen(s), o = 0;

    out[0] = '\0';
    for (size_t at = 0; at < len;) {
        size_t end = at + step < len ? at + step : len;
        const uint8_t *d = (const uint8_t *)s + at;
        size_t n = end - at;
        while (n > 0) {
            struct shoal_line ln;
            size_t used = shoal_lines_next(r, d, n, t_alloc, NULL, &ln);
            CU_ASSERT(used > 0 && used <= n);
            if (ln.single_cr && o + 1 < size) {
                out[o++] = '^';
            }
            if (ln.cut_now && o + 1 < size) {
                out[o++] = '!';
            }
            if (ln.p != NULL && o + ln.len + 2 < size) {
                memcpy(out + o, ln.p, ln.len);
                o += ln.len;
                out[o++] = '|';
            }
            d += used;
            n -= used;
        }
        at = end;
    }
    out[o] = '\0';
}

static void test_lf(void)
{
    char out[256];

    for (size_t step = 1; step <= 40; step++) {
        struct shoal_lines r = {.max = 64, .eol = SHOAL_LINES_LF};
        feed(&r, "ab\r\ncd\n\nef\rgh\nrest", step, out, sizeof(out));
        CU_ASSERT_STRING_EQUAL(out, "ab\r|cd||ef\rgh|");
        CU_ASSERT_EQUAL(r.len, 4); /* "rest" kept */
        free(r.buf);
    }
}

static void test_cr_lf(void)
{
    char out[256];

    for (size_t step = 1; step <= 40; step++) {
        struct shoal_lines r = {.max = 64, .eol = SHOAL_LINES_LF | SHOAL_LINES_CR};
        feed(&r, "ab\r\ncd\ref\ngh\r\r\nij\r", step, out, sizeof(out));
        CU_ASSERT_STRING_EQUAL(out, "ab|cd|^ef|gh||ij|");
        CU_ASSERT_TRUE(r.last_cr);
        free(r.buf);
    }
}

static void test_bound_and_alloc(void)
{
    char out[256];
    struct shoal_lines r = {.max = 4, .eol = SHOAL_LINES_LF};

    /* A whole line in one call needs no buffer. */
    allocs = 0;
    feed(&r, "abcdefgh\n", 100, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "abcdefgh|");
    CU_ASSERT_EQUAL(allocs, 0);
    /* Split: kept up to max, cut once, the rest dropped. */
    feed(&r, "abcdefgh\nxy\n", 3, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "!abcd|xy|");
    CU_ASSERT_EQUAL(allocs, 1);
    free(r.buf);

    /* No memory: the split line is lost whole, the next one is fine. */
    struct shoal_lines q = {.max = 16, .eol = SHOAL_LINES_LF};
    fail_alloc = true;
    feed(&q, "abcdef\nxy\n", 3, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "");
    feed(&q, "abcdef\nxy\n", 100, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "abcdef|xy|");
    fail_alloc = false;
    CU_ASSERT_PTR_NULL(q.buf);
}

int register_lines_suite(void)
{
    CU_pSuite s = CU_add_suite("lines", NULL, NULL);

    if (s == NULL || CU_add_test(s, "LF ends lines", test_lf) == NULL ||
        CU_add_test(s, "CR or LF ends lines", test_cr_lf) == NULL ||
        CU_add_test(s, "bound and allocation", test_bound_and_alloc) == NULL) {
        return CU_get_error();
    }
    return 0;
}
