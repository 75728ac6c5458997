/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the prefix sets (core/lib/netset.c): address and prefix
 * parsing (good and bad input, host bits cleared, IPv4 lengths mapped into
 * the IPv6 space), membership for IPv4 and IPv6 including prefixes that do
 * not end on a byte, and Zeek's Site::private_address_space with its 6to4
 * images, which is what conn.log's local_orig/local_resp use by default.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/netset.h"
#include "suites.h"

static struct shoal_addr netset_addr(const char *s)
{
    struct shoal_addr a;

    CU_ASSERT_EQUAL_FATAL(shoal_addr_parse(s, &a), 0);
    return a;
}

static bool netset_has(const struct shoal_netset *set, const char *s)
{
    struct shoal_addr a = netset_addr(s);
    return shoal_netset_contains(set, &a);
}

static void netset_add(struct shoal_netset *set, const char *s)
{
    struct shoal_prefix p;

    CU_ASSERT_EQUAL_FATAL(shoal_prefix_parse(s, &p), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_netset_add(set, &p), 0);
}

static void test_addr_parse(void)
{
    struct shoal_addr a;
    static const uint8_t v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 1};
    static const uint8_t v6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    CU_ASSERT_EQUAL(shoal_addr_parse("192.168.1.1", &a), 0);
    CU_ASSERT(memcmp(a.b, v4, 16) == 0);
    CU_ASSERT(shoal_addr_is_v4(&a));
    CU_ASSERT_EQUAL(shoal_addr_parse("fe80::1", &a), 0);
    CU_ASSERT(memcmp(a.b, v6, 16) == 0);
    CU_ASSERT(!shoal_addr_is_v4(&a));

    CU_ASSERT_EQUAL(shoal_addr_parse("", &a), -EINVAL);
    CU_ASSERT_EQUAL(shoal_addr_parse("1.2.3", &a), -EINVAL);
    CU_ASSERT_EQUAL(shoal_addr_parse("1.2.3.256", &a), -EINVAL);
    CU_ASSERT_EQUAL(shoal_addr_parse("fe80:::1", &a), -EINVAL);
    CU_ASSERT_EQUAL(shoal_addr_parse("host.example", &a), -EINVAL);
}

static void test_prefix_parse_good(void)
{
    struct shoal_prefix p;
    struct shoal_addr want;

    CU_ASSERT_EQUAL(shoal_prefix_parse("10.0.0.0/8", &p), 0);
    CU_ASSERT_EQUAL(p.len, 96 + 8);
    want = netset_addr("10.0.0.0");
    CU_ASSERT(memcmp(p.net.b, want.b, 16) == 0);

    /* Host bits are cleared. */
    CU_ASSERT_EQUAL(shoal_prefix_parse("10.1.2.3/8", &p), 0);
    CU_ASSERT(memcmp(p.net.b, want.b, 16) == 0);
    CU_ASSERT_EQUAL(shoal_prefix_parse("172.31.255.255/12", &p), 0);
    want = netset_addr("172.16.0.0");
    CU_ASSERT(memcmp(p.net.b, want.b, 16) == 0);
    CU_ASSERT_EQUAL(p.len, 108);

    /* A bare address is a host prefix. */
    CU_ASSERT_EQUAL(shoal_prefix_parse("1.2.3.4", &p), 0);
    CU_ASSERT_EQUAL(p.len, 128);
    CU_ASSERT_EQUAL(shoal_prefix_parse("2001:db8::1", &p), 0);
    CU_ASSERT_EQUAL(p.len, 128);

    CU_ASSERT_EQUAL(shoal_prefix_parse("fe80::/10", &p), 0);
    CU_ASSERT_EQUAL(p.len, 10);
    CU_ASSERT_EQUAL(shoal_prefix_parse("fe81:1::/10", &p), 0);
    want = netset_addr("fe80::");
    CU_ASSERT(memcmp(p.net.b, want.b, 16) == 0);

    CU_ASSERT_EQUAL(shoal_prefix_parse("0.0.0.0/0", &p), 0);
    CU_ASSERT_EQUAL(p.len, 96);
    CU_ASSERT_EQUAL(shoal_prefix_parse("::/0", &p), 0);
    CU_ASSERT_EQUAL(p.len, 0);
    CU_ASSERT_EQUAL(shoal_prefix_parse("1.2.3.4/32", &p), 0);
    CU_ASSERT_EQUAL(p.len, 128);
    CU_ASSERT_EQUAL(shoal_prefix_parse("::1/128", &p), 0);
    CU_ASSERT_EQUAL(p.len, 128);
}

static void test_prefix_parse_bad(void)
{
    static const char *const bad[] = {
        "",         "/8",           "10.0.0.0/",  "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x",
        "10.0.0/8", "10.0.0.0/8/8", "fe80::/129", "fe80::/",     "fe80::/1o",   "abc",
        "abc/8",    "10.0.0.0 /8",  "gg::/16",
    };
    struct shoal_prefix p;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = shoal_prefix_parse(bad[i], &p);
        if (rc != -EINVAL) {
            fprintf(stderr, "\n  prefix '%s' accepted (rc %d)\n", bad[i], rc);
        }
        CU_ASSERT_EQUAL(rc, -EINVAL);
    }
}

/*
 * CORE BUG (documented, fails at the time of writing): the prefix length
 * is read with strtol, which skips leading blanks and takes a sign, so
 * "1.2.3.4/ 8" and "10.0.0.0/+8" are accepted as /8 in networks.local.
 */
static void test_prefix_parse_len_syntax(void)
{
    static const char *const bad[] = {"1.2.3.4/ 8", "10.0.0.0/+8", "fe80::/ 10", "::/+0"};
    struct shoal_prefix p;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = shoal_prefix_parse(bad[i], &p);
        if (rc != -EINVAL) {
            fprintf(stderr, "\n  prefix '%s' accepted (rc %d)", bad[i], rc);
        }
        CU_ASSERT_EQUAL(rc, -EINVAL);
    }
}

static void test_contains_v4(void)
{
    struct shoal_netset set = {0};

    CU_ASSERT(!netset_has(&set, "10.0.0.1")); /* empty set */
    netset_add(&set, "10.0.0.0/8");
    netset_add(&set, "100.64.0.0/10");
    netset_add(&set, "192.0.2.7");
    CU_ASSERT(netset_has(&set, "10.0.0.0"));
    CU_ASSERT(netset_has(&set, "10.255.255.255"));
    CU_ASSERT(!netset_has(&set, "11.0.0.0"));
    CU_ASSERT(!netset_has(&set, "9.255.255.255"));
    CU_ASSERT(netset_has(&set, "100.64.0.0"));
    CU_ASSERT(netset_has(&set, "100.127.255.255"));
    CU_ASSERT(!netset_has(&set, "100.128.0.0"));
    CU_ASSERT(!netset_has(&set, "100.63.255.255"));
    CU_ASSERT(netset_has(&set, "192.0.2.7"));
    CU_ASSERT(!netset_has(&set, "192.0.2.6"));
    /* An IPv4 prefix never matches an IPv6 address. */
    CU_ASSERT(!netset_has(&set, "::a00:1"));
    CU_ASSERT(!netset_has(&set, "2001:db8::1"));
    shoal_netset_free(&set);
    CU_ASSERT_PTR_NULL(set.w);
    CU_ASSERT_EQUAL(set.n, 0);

    /* 0.0.0.0/0 is all of IPv4 and nothing else. */
    netset_add(&set, "0.0.0.0/0");
    CU_ASSERT(netset_has(&set, "1.2.3.4"));
    CU_ASSERT(netset_has(&set, "255.255.255.255"));
    CU_ASSERT(!netset_has(&set, "2001:db8::1"));
    shoal_netset_free(&set);
}

static void test_contains_v6(void)
{
    struct shoal_netset set = {0};

    netset_add(&set, "2001:db8::/32");
    netset_add(&set, "fe80::/10");
    netset_add(&set, "2001:4860:4860::8888/128");
    CU_ASSERT(netset_has(&set, "2001:db8::"));
    CU_ASSERT(netset_has(&set, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
    CU_ASSERT(!netset_has(&set, "2001:db9::"));
    CU_ASSERT(netset_has(&set, "fe80::1"));
    CU_ASSERT(netset_has(&set, "febf:ffff::1"));
    CU_ASSERT(!netset_has(&set, "fec0::1"));
    CU_ASSERT(netset_has(&set, "2001:4860:4860::8888"));
    CU_ASSERT(!netset_has(&set, "2001:4860:4860::8844"));
    CU_ASSERT(!netset_has(&set, "10.0.0.1"));
    shoal_netset_free(&set);

    netset_add(&set, "::/0");
    CU_ASSERT(netset_has(&set, "2001:4860::1"));
    CU_ASSERT(netset_has(&set, "::"));
    shoal_netset_free(&set);
}

static void test_private_space(void)
{
    static const char *const in[] = {
        "10.1.2.3",
        "192.168.1.1",
        "172.16.0.1",
        "172.31.255.255",
        "127.0.0.1",
        "169.254.1.1",
        "100.64.0.1",
        "0.1.2.3",
        "192.0.2.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.9",
        "203.0.113.9",
        "224.0.0.251",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "2001:db8::1",
        "2001::1",
        "2001:2::1",
        "64:ff9b:1::1",
        "100::1",
        /* 6to4 images of the IPv4 ranges */
        "2002:c0a8::1",
        "2002:a01:203::1",
        "2002:ac10::",
        "2002:7f00:1::",
    };
    static const char *const out[] = {
        "8.8.8.8",      "172.32.0.1",       "172.15.255.255", "192.169.0.1", "11.0.0.1",
        "100.128.0.1",  "224.0.1.1",        "198.20.0.1",     "1.1.1.1",     "2001:4860::1",
        "2606:4700::1", "2001:200::1",      "fe00::1",        "::2",         "2002:808:808::1",
        "2002:c0a9::1", "64:ff9b::808:808",
    };
    struct shoal_netset set = {0};

    CU_ASSERT_EQUAL_FATAL(shoal_netset_add_private(&set), 0);
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        bool got = netset_has(&set, in[i]);
        if (!got) {
            fprintf(stderr, "\n  %s should be private\n", in[i]);
        }
        CU_ASSERT(got);
    }
    for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
        bool got = netset_has(&set, out[i]);
        if (got) {
            fprintf(stderr, "\n  %s should not be private\n", out[i]);
        }
        CU_ASSERT(!got);
    }
    shoal_netset_free(&set);
}

int register_netset_suite(void)
{
    CU_pSuite s = CU_add_suite("netset", NULL, NULL);

    if (s == NULL || CU_add_test(s, "address parsing", test_addr_parse) == NULL ||
        CU_add_test(s, "good prefixes", test_prefix_parse_good) == NULL ||
        CU_add_test(s, "bad prefixes", test_prefix_parse_bad) == NULL ||
        CU_add_test(s, "blank or sign in the length (core bug)", test_prefix_parse_len_syntax) ==
            NULL ||
        CU_add_test(s, "contains (IPv4)", test_contains_v4) == NULL ||
        CU_add_test(s, "contains (IPv6)", test_contains_v6) == NULL ||
        CU_add_test(s, "Zeek's private address space", test_private_space) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
