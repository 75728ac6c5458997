/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core/engine/weird.c: Zeek's weird.zeek policy (actions per
 * weird name, repeats ignored per identifier for 10 minutes, limiting
 * actions per connection or originator for a day, checksum repeats).
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "engine/weird.h"
#include "suites.h"

static struct shoal_addr a1, a2, a3;

static void addrs(void)
{
    memset(&a1, 0, sizeof(a1));
    a1.b[15] = 1;
    a2 = a1;
    a2.b[15] = 2;
    a3 = a1;
    a3.b[15] = 3;
}

static bool admit(struct shoal_weird_state *ws, double now, const char *name,
                  const struct shoal_weird_about *ab)
{
    bool notice;
    return shoal_weird_admit(ws, now, name, ab, &notice);
}

static void test_repeats(void)
{
    struct shoal_weird_state ws = {NULL};
    struct shoal_weird_about c1 = {&a1, &a2, 1000, 80};
    struct shoal_weird_about c2 = {&a1, &a2, 1001, 80};
    struct shoal_weird_about flow = {&a1, &a2, -1, -1};
    struct shoal_weird_about net = {NULL, NULL, -1, -1};

    addrs();
    /* Once per identifier and name for 10 minutes (from the first). */
    CU_ASSERT_TRUE(admit(&ws, 0.0, "bad_HTTP_request", &c1));
    CU_ASSERT_FALSE(admit(&ws, 1.0, "bad_HTTP_request", &c1));
    CU_ASSERT_TRUE(admit(&ws, 1.0, "unknown_HTTP_method", &c1));
    CU_ASSERT_TRUE(admit(&ws, 1.0, "bad_HTTP_request", &c2));
    CU_ASSERT_TRUE(admit(&ws, 1.0, "bad_HTTP_request", &flow));
    CU_ASSERT_FALSE(admit(&ws, 2.0, "bad_HTTP_request", &flow));
    CU_ASSERT_FALSE(admit(&ws, 599.0, "bad_HTTP_request", &c1));
    CU_ASSERT_TRUE(admit(&ws, 600.5, "bad_HTTP_request", &c1));
    /* A network weird's identifier is empty: once per name. */
    CU_ASSERT_TRUE(admit(&ws, 3.0, "truncated_IP", &net));
    CU_ASSERT_FALSE(admit(&ws, 4.0, "truncated_IP", &net));
    shoal_weird_state_free(&ws);
}

static void test_actions(void)
{
    struct shoal_weird_state ws = {NULL};
    struct shoal_weird_about c1 = {&a1, &a2, 1000, 80};
    struct shoal_weird_about c2 = {&a1, &a3, 1001, 53};
    struct shoal_weird_about c3 = {&a3, &a2, 1002, 53};
    bool notice = true;

    addrs();
    /* Ignored ones (the first and last of the sorted table among them). */
    CU_ASSERT_FALSE(admit(&ws, 0.0, "spontaneous_FIN", &c1));
    CU_ASSERT_FALSE(admit(&ws, 0.0, "spontaneous_RST", &c1));
    CU_ASSERT_FALSE(admit(&ws, 0.0, "FIN_after_reset", &c1));
    CU_ASSERT_FALSE(admit(&ws, 0.0, "unsolicited_SYN_response", &c1));
    /* Per originator host, for a day; checksums repeat but per orig. */
    CU_ASSERT_TRUE(admit(&ws, 0.0, "bad_UDP_checksum", &c2));
    CU_ASSERT_FALSE(admit(&ws, 1.0, "bad_UDP_checksum", &c1));
    CU_ASSERT_TRUE(admit(&ws, 1.0, "bad_UDP_checksum", &c3));
    CU_ASSERT_TRUE(admit(&ws, 1.0, "DNS_label_forward_compress_offset", &c1));
    CU_ASSERT_FALSE(admit(&ws, 2000.0, "DNS_label_forward_compress_offset", &c2));
    CU_ASSERT_TRUE(admit(&ws, 90000.0, "DNS_label_forward_compress_offset", &c2));
    /* Per connection for a day, past the 10 minutes of repeats. */
    CU_ASSERT_TRUE(admit(&ws, 0.0, "smtp_mail_transaction_invalid", &c1));
    CU_ASSERT_FALSE(admit(&ws, 700.0, "smtp_mail_transaction_invalid", &c1));
    CU_ASSERT_TRUE(admit(&ws, 700.0, "smtp_mail_transaction_invalid", &c2));
    /* Notice actions: once per originator, with notice set. */
    CU_ASSERT_TRUE(shoal_weird_admit(&ws, 0.0, "SYN_after_partial", &c1, &notice));
    CU_ASSERT_TRUE(notice);
    CU_ASSERT_FALSE(shoal_weird_admit(&ws, 0.0, "SYN_after_partial", &c2, &notice));
    CU_ASSERT_TRUE(shoal_weird_admit(&ws, 0.0, "DNS_unknown_opcode", &c1, &notice));
    CU_ASSERT_FALSE(notice);
    shoal_weird_state_free(&ws);
}

/* The table is bounded: many identifiers evict old entries, never fail. */
static void test_bound(void)
{
    struct shoal_weird_state ws = {NULL};
    struct shoal_weird_about c = {&a1, &a2, 0, 80};
    unsigned logged = 0;

    addrs();
    for (int p = 0; p < 60000; p++) {
        c.orig_p = p;
        logged += admit(&ws, 1.0, "data_before_established", &c);
    }
    CU_ASSERT_EQUAL(logged, 60000);
    c.orig_p = 59999; /* the newest are still remembered */
    CU_ASSERT_FALSE(admit(&ws, 2.0, "data_before_established", &c));
    shoal_weird_state_free(&ws);
}

int register_weird_suite(void)
{
    CU_pSuite s = CU_add_suite("weird", NULL, NULL);

    if (s == NULL || CU_add_test(s, "repeats per identifier", test_repeats) == NULL ||
        CU_add_test(s, "actions", test_actions) == NULL ||
        CU_add_test(s, "bound", test_bound) == NULL) {
        return CU_get_error();
    }
    return 0;
}
