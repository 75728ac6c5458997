/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the lenient base64 decoder (core/lib/base64.c).
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/base64.h"
#include "suites.h"

static void test_decode(void)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"dXNlcjpwYXNz", "user:pass"},      /* plain */
        {"dXNl cjpw\r\nYXNz", "user:pass"}, /* blanks skipped */
        {"YQ==", "a"},                      /* padding ends it */
        {"YWI=trailing", "ab"},             /* nothing after '=' */
        {"Y", ""},                          /* too short for a byte */
        {"", ""},
        {"!!!!", ""}, /* nothing of the alphabet */
    };
    char out[64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = shoal_base64_decode(cases[i].in, strlen(cases[i].in), out);
        CU_ASSERT_EQUAL(n, strlen(cases[i].out));
        CU_ASSERT_NSTRING_EQUAL(out, cases[i].out, n);
    }
}

int register_base64_suite(void)
{
    CU_pSuite s = CU_add_suite("base64", NULL, NULL);

    if (s == NULL || CU_add_test(s, "decoding", test_decode) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
