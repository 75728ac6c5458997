/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the known_hosts plugin through the fake host (local
 * networks there: 10/8 and 192.168/16).
 */
#include <CUnit/Basic.h>
#include <string.h>

#include <shoal/shoal.h>

#include "cunit_run.h"
#include "fakehost.h"

extern const struct shoal_plugin known_hosts_LTX_shoal_plugin;

static const struct shoal_policy_ops *ops;
static void *ps;

static int suite_init(void)
{
    ops = known_hosts_LTX_shoal_plugin.ops;
    return fakehost_init(&known_hosts_LTX_shoal_plugin, NULL, &ps);
}

static int suite_clean(void)
{
    known_hosts_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void test_setup(void)
{
    fakehost_reset();
}

static const char *K(size_t n, const char *field)
{
    const char *v = fakehost_field("known_hosts", n, field);
    return v ? v : "<none>";
}

static void established(double t, const char *orig, const char *resp)
{
    struct shoal_conn *c = fakehost_conn(orig, 40000, resp, 443, SHOAL_PROTO_TCP);

    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    fakehost_set_time(t);
    ops->conn_established(ps, c);
    fakehost_reset_conns();
}

static void test_once_per_host(void)
{
    established(100.25, "10.0.0.1", "93.184.216.34");
    CU_ASSERT_EQUAL_FATAL(fakehost_count("known_hosts"), 1);
    CU_ASSERT_STRING_EQUAL(K(0, "ts"), "100.250000");
    CU_ASSERT_STRING_EQUAL(K(0, "host"), "10.0.0.1");
    /* The same host again, either side: nothing new. */
    established(200.0, "93.184.216.34", "10.0.0.1");
    established(300.0, "10.0.0.1", "8.8.8.8");
    CU_ASSERT_EQUAL(fakehost_count("known_hosts"), 1);
    /* Both sides local: each once. */
    established(400.0, "192.168.3.4", "10.0.0.1");
    CU_ASSERT_EQUAL_FATAL(fakehost_count("known_hosts"), 2);
    CU_ASSERT_STRING_EQUAL(K(1, "host"), "192.168.3.4");
    /* Remote-only connections log nothing. */
    established(500.0, "8.8.4.4", "1.1.1.1");
    CU_ASSERT_EQUAL(fakehost_count("known_hosts"), 2);
}

static void test_daily(void)
{
    established(1000.0, "10.7.7.7", "1.2.3.4");
    established(1000.0 + 86399.0, "10.7.7.7", "1.2.3.4");
    CU_ASSERT_EQUAL(fakehost_count("known_hosts"), 1);
    established(1000.0 + 86400.0, "10.7.7.7", "1.2.3.4");
    CU_ASSERT_EQUAL_FATAL(fakehost_count("known_hosts"), 2);
    CU_ASSERT_STRING_EQUAL(K(1, "ts"), "87400.000000");
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite_with_setup_and_teardown("known_hosts", suite_init, suite_clean, test_setup,
                                             NULL);
    CU_add_test(s, "each local host once", test_once_per_host);
    CU_add_test(s, "again after a day", test_daily);
    return shoal_cunit_run("test_known_hosts");
}
