/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the scan plugin through the fake host, which counts the
 * statistics as a node without proxies does: which connections are
 * probes, when Address_Scan and Port_Scan are raised and what they say.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#include "cunit_run.h"
#include "fakehost.h"

extern const struct shoal_plugin scan_LTX_shoal_plugin;

static const struct shoal_policy_ops *ops;
static void *ps;

static int suite_init(void)
{
    ops = scan_LTX_shoal_plugin.ops;
    return fakehost_init(&scan_LTX_shoal_plugin, NULL, &ps);
}

static int suite_clean(void)
{
    scan_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void test_setup(void)
{
    fakehost_reset();
}

static const char *N(size_t n, const char *field)
{
    const char *v = fakehost_field("notice!", n, field);
    return v ? v : "<none>";
}

/* One TCP connection ending at `t` in `state` with `history`. */
static void probe(double t, const char *orig, uint16_t sport, const char *resp, uint16_t dport,
                  const char *state, const char *history)
{
    struct shoal_conn *c = fakehost_conn(orig, sport, resp, dport, SHOAL_PROTO_TCP);

    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    fakehost_conn_set_state(c, state, history);
    fakehost_set_time(t);
    ops->conn_removed(ps, c);
    fakehost_reset_conns();
}

static void test_descriptor(void)
{
    CU_ASSERT_STRING_EQUAL(scan_LTX_shoal_plugin.name, "scan");
    CU_ASSERT_EQUAL(scan_LTX_shoal_plugin.kind, SHOAL_PLUGIN_POLICY);
    CU_ASSERT_PTR_NULL(ops->conn_established);
    CU_ASSERT_PTR_NOT_NULL(ops->conn_removed);
}

static void test_address_scan(void)
{
    char victim[32];

    for (int i = 0; i < 24; i++) {
        snprintf(victim, sizeof(victim), "192.0.2.%d", i + 1);
        probe(1000.0 + i, "10.0.0.5", (uint16_t)(40000 + i), victim, 22, i % 2 ? "S0" : "REJ",
              i % 2 ? "S" : "Sr");
        /* the same victim again counts once */
        probe(1000.5 + i, "10.0.0.5", (uint16_t)(50000 + i), victim, 22, "S0", "S");
    }
    CU_ASSERT_EQUAL(fakehost_count("notice!"), 0);
    probe(1124.0, "10.0.0.5", 45000, "192.0.2.200", 22, "S0", "S");
    CU_ASSERT_EQUAL_FATAL(fakehost_count("notice!"), 1);
    CU_ASSERT_STRING_EQUAL(N(0, "note"), "Scan::Address_Scan");
    CU_ASSERT_STRING_EQUAL(N(0, "msg"),
                           "10.0.0.5 scanned at least 25 unique hosts on port 22/tcp in 2m4s");
    CU_ASSERT_STRING_EQUAL(N(0, "sub"), "local");
    CU_ASSERT_STRING_EQUAL(N(0, "src"), "10.0.0.5");
    CU_ASSERT_STRING_EQUAL(N(0, "dst"), "-");
    CU_ASSERT_STRING_EQUAL(N(0, "p"), "22");
    CU_ASSERT_STRING_EQUAL(N(0, "identifier"), "10.0.0.5");
    /* More victims in the same epoch: no second notice. */
    probe(1130.0, "10.0.0.5", 45001, "192.0.2.201", 22, "S0", "S");
    CU_ASSERT_EQUAL(fakehost_count("notice!"), 1);
}

static void test_port_scan(void)
{
    for (int i = 0; i < 15; i++) {
        CU_ASSERT_EQUAL(fakehost_count("notice!"), 0);
        probe(2000.0 + i * 3, "203.0.113.9", 61000, "192.168.1.7", (uint16_t)(1000 + i), "REJ",
              "Sr");
    }
    CU_ASSERT_EQUAL_FATAL(fakehost_count("notice!"), 1);
    CU_ASSERT_STRING_EQUAL(N(0, "note"), "Scan::Port_Scan");
    CU_ASSERT_STRING_EQUAL(N(0, "msg"),
                           "203.0.113.9 scanned at least 15 unique ports of host 192.168.1.7 in "
                           "0m42s");
    CU_ASSERT_STRING_EQUAL(N(0, "sub"), "remote");
    CU_ASSERT_STRING_EQUAL(N(0, "src"), "203.0.113.9");
    CU_ASSERT_STRING_EQUAL(N(0, "dst"), "192.168.1.7");
    CU_ASSERT_STRING_EQUAL(N(0, "p"), "-");
    CU_ASSERT_STRING_EQUAL(N(0, "identifier"), "203.0.113.9");
}

/* Successful or data-carrying connections are no probes; UDP is ignored. */
static void test_not_probes(void)
{
    static const char *const ok[][2] = {
        {"SF", "ShADadFf"}, {"S1", "ShA"},      {"RSTO", "ShADadR"}, {"RSTR", "ShADadr"},
        {"OTH", "C"},       {"S3", "ShADadFr"}, {"SH", "SF"},        {"RSTOS0", "SDR"},
    };
    char victim[32];

    for (int i = 0; i < 30; i++) {
        snprintf(victim, sizeof(victim), "198.51.100.%d", i + 1);
        probe(3000.0 + i, "10.1.1.1", 33000, victim, 443, ok[i % 8][0], ok[i % 8][1]);
        struct shoal_conn *c = fakehost_conn("10.1.1.1", 5000, victim, 53, SHOAL_PROTO_UDP);
        fakehost_conn_set_state(c, "S0", "D");
        ops->conn_removed(ps, c);
        fakehost_reset_conns();
    }
    CU_ASSERT_EQUAL(fakehost_count("notice!"), 0);
}

/* RSTOS0/RSTR without data, and reverse scans (only the SYN-ACK seen). */
static void test_resets_and_reverse(void)
{
    char victim[32];

    for (int i = 0; i < 25; i++) {
        snprintf(victim, sizeof(victim), "198.18.0.%d", i + 1);
        probe(4000.0 + i, "10.2.2.2", 33001, victim, 3389, i % 2 ? "RSTOS0" : "RSTR",
              i % 2 ? "SR" : "Sr");
    }
    CU_ASSERT_EQUAL_FATAL(fakehost_count("notice!"), 1);
    CU_ASSERT_STRING_EQUAL(N(0, "src"), "10.2.2.2");
    CU_ASSERT_STRING_EQUAL(N(0, "p"), "3389");

    fakehost_reset();
    /* The responder 10.3.3.3 sent SYN-ACKs to 15 ports of one host: it is the
     * scanner, the originator's ports are the scanned ones. */
    for (int i = 0; i < 15; i++) {
        probe(5000.0 + i, "192.0.2.50", (uint16_t)(2000 + i), "10.3.3.3", 55555, "SH", "H");
    }
    CU_ASSERT_EQUAL_FATAL(fakehost_count("notice!"), 1);
    CU_ASSERT_STRING_EQUAL(N(0, "note"), "Scan::Port_Scan");
    CU_ASSERT_STRING_EQUAL(N(0, "src"), "10.3.3.3");
    CU_ASSERT_STRING_EQUAL(N(0, "dst"), "192.0.2.50");
}

/* Probes further apart than the 5-minute interval never add up. */
static void test_interval(void)
{
    char victim[32];

    for (int i = 0; i < 40; i++) {
        snprintf(victim, sizeof(victim), "192.0.2.%d", i + 1);
        probe(10000.0 + i * 20.0, "10.9.9.9", 40000, victim, 80, "S0", "S");
    }
    /* 15 probes fit in any 300 s epoch: below 25. */
    CU_ASSERT_EQUAL(fakehost_count("notice!"), 0);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite_with_setup_and_teardown("scan", suite_init, suite_clean, test_setup, NULL);
    CU_add_test(s, "descriptor", test_descriptor);
    CU_add_test(s, "address scan", test_address_scan);
    CU_add_test(s, "port scan", test_port_scan);
    CU_add_test(s, "successful connections are no probes", test_not_probes);
    CU_add_test(s, "resets and reverse scans", test_resets_and_reverse);
    CU_add_test(s, "probes further apart than the interval", test_interval);
    return shoal_cunit_run("test_scan");
}
