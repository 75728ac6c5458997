/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the xmpp analyzer through the fake host: confirmation,
 * the STARTTLS hand-over (whole and byte by byte), proceed without
 * starttls, success, text that is not XMPP, tags cut by a gap.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "xmpp_parse.h"

extern const struct shoal_plugin xmpp_LTX_shoal_plugin;

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;
static bool detached;

static int suite_init(void)
{
    ops = xmpp_LTX_shoal_plugin.ops;
    return fakehost_init(&xmpp_LTX_shoal_plugin, NULL, &ps);
}

static int suite_clean(void)
{
    xmpp_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    conn = fakehost_conn("10.0.0.1", 40000, "192.0.2.2", 5222, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    detached = false;
}

static void feed(bool is_orig, const char *s, size_t step)
{
    size_t n = strlen(s);
    for (size_t off = 0; off < n && !detached; off += step) {
        size_t k = n - off < step ? n - off : step;
        uint8_t *tmp = malloc(k);
        memcpy(tmp, s + off, k);
        detached = ops->data(ps, conn, cs, is_orig, tmp, k) == SHOAL_AN_DETACH;
        free(tmp);
    }
}

static void conn_end(void)
{
    free(cs);
    cs = NULL;
}

static void run_starttls(size_t step)
{
    uint64_t before = fakehost_counter(&xmpp_LTX_shoal_plugin, "starttls");

    conn_start();
    feed(true, "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' to='x'>", step);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "xmpp");
    feed(false,
         "<?xml version='1.0'?><stream:stream id='1'><stream:features>"
         "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
         "</stream:features>",
         step);
    feed(true, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", step);
    CU_ASSERT_FALSE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_attached(), "");
    feed(false, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", step);
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_attached(), "ssl");
    CU_ASSERT_EQUAL(fakehost_counter(&xmpp_LTX_shoal_plugin, "starttls"), before + 1);
    conn_end();
}

static void test_starttls(void)
{
    run_starttls(1000);
}

static void test_starttls_bytewise(void)
{
    run_starttls(1);
}

static void test_proceed_without_starttls(void)
{
    conn_start();
    feed(true, "<stream:stream>", 100);
    feed(false, "<tls:proceed/>", 100);
    CU_ASSERT_FALSE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_attached(), "");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "XMPP: proceed without starttls");
    conn_end();
}

static void test_success(void)
{
    conn_start();
    feed(true, "<stream:stream><auth mechanism='PLAIN'>AGZvbwBiYXI=</auth>", 100);
    feed(false, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", 100);
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_attached(), "");
    conn_end();
}

static void test_not_xmpp(void)
{
    conn_start();
    feed(true, "\x16\x03\x01\x02\x00\x01", 100);
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "xmpp");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    conn_end();

    conn_start();
    feed(true, "< stream>", 100); /* a tag without a name */
    CU_ASSERT_TRUE(detached);
    conn_end();
}

static void test_gap(void)
{
    conn_start();
    feed(true, "<stream:stream><star", 100);
    ops->gap(ps, conn, cs, true, 10);
    feed(true, "ttls/><starttls/>", 100);
    feed(false, "<proceed/>", 100);
    CU_ASSERT_STRING_EQUAL(fakehost_attached(), "ssl");
    conn_end();
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("xmpp", suite_init, suite_clean);
    CU_add_test(s, "STARTTLS", test_starttls);
    CU_add_test(s, "STARTTLS byte by byte", test_starttls_bytewise);
    CU_add_test(s, "proceed without starttls", test_proceed_without_starttls);
    CU_add_test(s, "success", test_success);
    CU_add_test(s, "not XMPP", test_not_xmpp);
    CU_add_test(s, "gap", test_gap);
    return shoal_cunit_run("test_xmpp");
}
