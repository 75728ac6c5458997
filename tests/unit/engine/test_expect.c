/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the expected-connection table (core/engine/expect.c) and of
 * its use by the analyzer table: exact and any-host originators, expiry,
 * renewal, the per-port guard, the bound, and service names.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "engine/analyzer.h"
#include "engine/expect.h"
#include "suites.h"

static void addr4(struct shoal_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
    memset(a->b, 0, 10);
    a->b[10] = a->b[11] = 0xff;
    a->b[12] = x;
    a->b[13] = y;
    a->b[14] = z;
    a->b[15] = w;
}

static struct shoal_conn_id conn_id(uint8_t orig_last, uint8_t resp_last, uint16_t resp_p)
{
    struct shoal_conn_id id;

    memset(&id, 0, sizeof(id));
    addr4(&id.orig_h, 10, 0, 0, orig_last);
    addr4(&id.resp_h, 10, 0, 1, resp_last);
    id.orig_p = 40000;
    id.resp_p = resp_p;
    id.proto = SHOAL_PROTO_TCP;
    return id;
}

static int test_bit_of(void *arg, const char *service)
{
    (void)arg;
    return strcmp(service, "ftp-data") == 0 ? 5 : 6;
}

static struct shoal_expect expectation(bool any, uint8_t orig_last, uint8_t resp_last,
                                       uint16_t port, double expires, uint64_t cookie)
{
    struct shoal_expect e;

    memset(&e, 0, sizeof(e));
    e.any_orig = any;
    if (!any) {
        addr4(&e.orig_h, 10, 0, 0, orig_last);
    }
    addr4(&e.resp_h, 10, 0, 1, resp_last);
    e.resp_p = port;
    e.proto = SHOAL_PROTO_TCP;
    e.an = 3;
    e.expires = expires;
    e.cookie = cookie;
    return e;
}

static void test_match(void)
{
    struct shoal_expects t;
    struct shoal_expect e = expectation(false, 1, 2, 5000, 400.0, 77);
    struct shoal_expect_match m;
    struct shoal_conn_id id = conn_id(1, 2, 5000);

    memset(&t, 0, sizeof(t));
    CU_ASSERT_FALSE(shoal_expects_match(&t, &id, 100.0, &m));
    CU_ASSERT_EQUAL(shoal_expects_add(&t, &e, "ftp-data", test_bit_of, NULL, 100.0), 0);
    CU_ASSERT_TRUE(shoal_expects_match(&t, &id, 100.0, &m));
    CU_ASSERT_EQUAL(m.an, 3);
    CU_ASSERT_EQUAL(m.cookie, 77);
    CU_ASSERT_EQUAL(m.service_bit, 5);
    /* it stays for the next connection, until it expires */
    CU_ASSERT_TRUE(shoal_expects_match(&t, &id, 399.0, &m));
    id = conn_id(9, 2, 5000); /* another originator */
    CU_ASSERT_FALSE(shoal_expects_match(&t, &id, 100.0, &m));
    id = conn_id(1, 2, 5001); /* another port */
    CU_ASSERT_FALSE(shoal_expects_match(&t, &id, 100.0, &m));
    id = conn_id(1, 2, 5000);
    CU_ASSERT_FALSE(shoal_expects_match(&t, &id, 401.0, &m));
    CU_ASSERT_EQUAL(t.n, 0);
    shoal_expects_free(&t);
}

static void test_any_and_renew(void)
{
    struct shoal_expects t;
    struct shoal_expect any = expectation(true, 0, 2, 21000, 200.0, 1);
    struct shoal_expect exact = expectation(false, 4, 2, 21000, 200.0, 2);
    struct shoal_expect_match m;
    struct shoal_conn_id id = conn_id(4, 2, 21000);

    memset(&t, 0, sizeof(t));
    shoal_expects_add(&t, &any, NULL, test_bit_of, NULL, 100.0);
    shoal_expects_add(&t, &exact, NULL, test_bit_of, NULL, 100.0);
    CU_ASSERT_TRUE(shoal_expects_match(&t, &id, 150.0, &m));
    CU_ASSERT_EQUAL(m.cookie, 2); /* the exact originator wins */
    CU_ASSERT_EQUAL(m.service_bit, -1);
    id = conn_id(8, 2, 21000);
    CU_ASSERT_TRUE(shoal_expects_match(&t, &id, 150.0, &m));
    CU_ASSERT_EQUAL(m.cookie, 1);
    any.expires = 500.0;
    any.cookie = 3;
    shoal_expects_add(&t, &any, NULL, test_bit_of, NULL, 150.0);
    CU_ASSERT_EQUAL(t.n, 2); /* renewed, not added */
    CU_ASSERT_TRUE(shoal_expects_match(&t, &id, 300.0, &m));
    CU_ASSERT_EQUAL(m.cookie, 3);
    shoal_expects_free(&t);
}

static void test_bound(void)
{
    struct shoal_expects t;
    struct shoal_expect_match m;
    struct shoal_conn_id id;

    memset(&t, 0, sizeof(t));
    for (uint32_t i = 0; i < SHOAL_EXPECT_MAX + 10; i++) {
        struct shoal_expect e = expectation(true, 0, 2, (uint16_t)(1000 + i), 1000.0 + i, i + 1);
        CU_ASSERT_EQUAL(shoal_expects_add(&t, &e, "ftp-data", test_bit_of, NULL, 0.0), 0);
    }
    CU_ASSERT_EQUAL(t.n, SHOAL_EXPECT_MAX);
    CU_ASSERT_EQUAL(t.evicted, 10);
    id = conn_id(1, 2, 1000); /* among the first, nearest their end: gone */
    CU_ASSERT_FALSE(shoal_expects_match(&t, &id, 1.0, &m));
    id = conn_id(1, 2, (uint16_t)(1000 + SHOAL_EXPECT_MAX + 9));
    CU_ASSERT_TRUE(shoal_expects_match(&t, &id, 1.0, &m));
    shoal_expects_free(&t);
}

static void test_analyzer_table(void)
{
    struct shoal_analyzers a;
    struct shoal_addr resp;
    struct shoal_expect_match m;
    struct shoal_conn_id id = conn_id(1, 2, 6000);

    CU_ASSERT_EQUAL_FATAL(shoal_analyzers_init(&a), 0);
    addr4(&resp, 10, 0, 1, 2);
    CU_ASSERT_EQUAL(
        shoal_an_expect(&a, 0, NULL, &resp, 6000, SHOAL_PROTO_TCP, 50.0, "ftp-data", 9, 10.0), 0);
    CU_ASSERT_TRUE(shoal_expects_match(&a.expects, &id, 20.0, &m));
    CU_ASSERT_EQUAL(m.cookie, 9);
    CU_ASSERT(m.service_bit >= 0);
    CU_ASSERT_STRING_EQUAL(a.services[m.service_bit], "ftp-data");
    CU_ASSERT_EQUAL(shoal_analyzers_index(&a, &a), -1);
    shoal_analyzers_free(&a);
}

int register_expect_suite(void)
{
    CU_pSuite s = CU_add_suite("expect", NULL, NULL);

    if (s == NULL || CU_add_test(s, "match and expiry", test_match) == NULL ||
        CU_add_test(s, "any originator, renewal", test_any_and_renew) == NULL ||
        CU_add_test(s, "bound", test_bound) == NULL ||
        CU_add_test(s, "analyzer table", test_analyzer_table) == NULL) {
        return CU_get_error();
    }
    return 0;
}
