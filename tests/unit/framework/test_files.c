/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of what analyzers of files share: MIME sniffing
 * (core/framework/mime.c) and file ids (core/framework/files.c).
 */
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "framework/files.h"
#include "framework/mime.h"
#include "suites.h"

static void test_sniff(void)
{
    const uint8_t png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff(png, sizeof(png) - 1), "image/png");
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff((const uint8_t *)"GIF89a\x01\x00", 8), "image/gif");
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff((const uint8_t *)"\xff\xd8\xff\xe0", 4), "image/jpeg");
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff((const uint8_t *)"CWS\x0a", 4),
                           "application/x-shockwave-flash");
    const char *h = "\r\n<!-- c -->\n<!DOCTYPE html PUBLIC>";
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff((const uint8_t *)h, strlen(h)), "text/html");
    const char *x = "<?xml version=\"1.0\"?>\n<root/>";
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff((const uint8_t *)x, strlen(x)), "application/xml");
    const char *j = "{\"a\": 1}";
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff((const uint8_t *)j, strlen(j)), "text/json");
    CU_ASSERT_PTR_NULL(shoal_mime_sniff((const uint8_t *)"short\n", 6));
    CU_ASSERT_STRING_EQUAL(shoal_mime_sniff((const uint8_t *)"plain text here", 15), "text/plain");
}

static void test_file_ids(void)
{
    struct shoal_file_ids a, b;
    char x[SHOAL_FILE_ID_SIZE], y[SHOAL_FILE_ID_SIZE], z[SHOAL_FILE_ID_SIZE];

    shoal_file_ids_init(&a, 1);
    shoal_file_ids_init(&b, 2);
    shoal_file_id_next(&a, x);
    shoal_file_id_next(&a, y);
    shoal_file_id_next(&b, z);
    CU_ASSERT_EQUAL(strlen(x), SHOAL_FILE_ID_LEN);
    CU_ASSERT_EQUAL(x[0], 'F');
    for (size_t i = 1; i < SHOAL_FILE_ID_LEN; i++) {
        CU_ASSERT((x[i] >= '0' && x[i] <= '9') || (x[i] >= 'A' && x[i] <= 'Z') ||
                  (x[i] >= 'a' && x[i] <= 'z'));
    }
    CU_ASSERT_STRING_NOT_EQUAL(x, y); /* never repeats on a node */
    CU_ASSERT_STRING_NOT_EQUAL(x, z); /* differs between nodes seeded differently */
    shoal_file_ids_init(&b, 1);
    shoal_file_id_next(&b, z);
    CU_ASSERT_STRING_EQUAL(x, z); /* the same seed and serial: the same id */
}

int register_files_suite(void)
{
    CU_pSuite s = CU_add_suite("files", NULL, NULL);

    if (s == NULL || CU_add_test(s, "MIME sniffing", test_sniff) == NULL ||
        CU_add_test(s, "file ids", test_file_ids) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
