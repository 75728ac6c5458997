/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of networks.cfg (core/config/networks.c): prefixes with and
 * without comments, IPv4 and IPv6, blank and comment lines, every refusal
 * with its line, and the set the nodes use.
 */
#include <errno.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "config/networks.h"
#include "cunit_run.h"

static void test_good(void)
{
    struct shoal_networks *n = NULL;
    struct shoal_netset set = {0};
    struct shoal_addr a;
    char err[256] = "";

    CU_ASSERT_EQUAL_FATAL(shoal_networks_parse("# local networks\n"
                                               "10.0.0.0/8          Private IP space\n"
                                               "\n"
                                               "   192.168.1.0/24\n"
                                               "2001:db8::/32\tDocumentation, v6\n",
                                               "networks.cfg", &n, err, sizeof(err)),
                          0);
    CU_ASSERT_EQUAL_FATAL(n->n, 3);
    CU_ASSERT_STRING_EQUAL(n->v[0].text, "10.0.0.0/8");
    CU_ASSERT_STRING_EQUAL(n->v[0].comment, "Private IP space");
    CU_ASSERT_EQUAL(n->v[0].line, 2);
    CU_ASSERT_STRING_EQUAL(n->v[1].comment, "");
    CU_ASSERT_EQUAL(n->v[1].line, 4);
    CU_ASSERT_STRING_EQUAL(n->v[2].comment, "Documentation, v6");
    CU_ASSERT_EQUAL(shoal_networks_to_set(n, &set), 0);
    CU_ASSERT_EQUAL(shoal_addr_parse("10.200.3.4", &a), 0);
    CU_ASSERT_TRUE(shoal_netset_contains(&set, &a));
    CU_ASSERT_EQUAL(shoal_addr_parse("192.168.2.1", &a), 0);
    CU_ASSERT_FALSE(shoal_netset_contains(&set, &a));
    CU_ASSERT_EQUAL(shoal_addr_parse("2001:db8:1::1", &a), 0);
    CU_ASSERT_TRUE(shoal_netset_contains(&set, &a));
    shoal_netset_free(&set);
    shoal_networks_free(n);
}

static void test_errors(void)
{
    static const struct {
        const char *text;
        const char *err;
    } cases[] = {
        {"10.0.0.0/8\nlocal stuff\n",
         "networks.cfg:2: expected a network in CIDR notation, got \"local\""},
        {"10.0.0.0/33\n",
         "networks.cfg:1: expected a network in CIDR notation, got \"10.0.0.0/33\""},
        {"\n\n10.1.2.3/8 typo\n", "networks.cfg:3: 10.1.2.3/8 has host bits set beyond its /8"},
        {"2001:db8::1/32\n", "networks.cfg:1: 2001:db8::1/32 has host bits set beyond its /32"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct shoal_networks *n = NULL;
        char err[256] = "";

        CU_ASSERT_EQUAL(shoal_networks_parse(cases[i].text, "networks.cfg", &n, err, sizeof(err)),
                        -EINVAL);
        CU_ASSERT_PTR_NULL(n);
        if (strcmp(err, cases[i].err) != 0) {
            fprintf(stderr, "\n  case %zu: got    %s\n           wanted %s\n", i, err,
                    cases[i].err);
        }
        CU_ASSERT_STRING_EQUAL(err, cases[i].err);
    }
}

static int register_networks_suite(void)
{
    CU_pSuite s = CU_add_suite("networks", NULL, NULL);

    if (s == NULL || CU_add_test(s, "good files", test_good) == NULL ||
        CU_add_test(s, "every refusal", test_errors) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}

int main(void)
{
    static int (*const suites[])(void) = {register_networks_suite};

    return shoal_cunit_main("test_networks", suites, 1);
}
