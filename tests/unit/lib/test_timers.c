/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the timer heap (core/lib/timers.c): order, ties in the
 * order of adding, cancelling, owners, timers added while running, and a
 * random run against a sorted model.
 */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "lib/timers.h"
#include "suites.h"

static int fired[256];
static size_t nfired;
static struct shoal_timers *readd_set;

static void record(void *arg, double now)
{
    (void)now;
    fired[nfired++] = (int)(intptr_t)arg;
}

static void record_and_add(void *arg, double now)
{
    record(arg, now);
    shoal_timers_add(readd_set, now, record, (void *)(intptr_t)99, NULL);
}

static void test_order(void)
{
    struct shoal_timers *t = shoal_timers_new();
    static const double at[] = {5, 1, 3, 3, 2};

    CU_ASSERT_FATAL(t != NULL);
    nfired = 0;
    for (int i = 0; i < 5; i++) {
        CU_ASSERT(shoal_timers_add(t, at[i], record, (void *)(intptr_t)i, NULL) > 0);
    }
    CU_ASSERT_EQUAL(shoal_timers_next(t), 1.0);
    CU_ASSERT_EQUAL(shoal_timers_run(t, 0.5), 0);
    CU_ASSERT_EQUAL(shoal_timers_run(t, 3.0), 4);
    CU_ASSERT_EQUAL(nfired, 4);
    /* 1, 2, then the two due at 3 in the order they were added. */
    CU_ASSERT(fired[0] == 1 && fired[1] == 4 && fired[2] == 2 && fired[3] == 3);
    CU_ASSERT_EQUAL(shoal_timers_count(t), 1);
    shoal_timers_free(t);
}

static void test_cancel_and_owner(void)
{
    struct shoal_timers *t = shoal_timers_new();
    int a, b;

    nfired = 0;
    uint64_t x = shoal_timers_add(t, 1, record, (void *)1, &a);
    shoal_timers_add(t, 1, record, (void *)2, &b);
    shoal_timers_add(t, 2, record, (void *)3, &a);
    shoal_timers_add(t, 2, record, (void *)4, &b);
    shoal_timers_cancel(t, x, &b); /* not b's: stays */
    CU_ASSERT_EQUAL(shoal_timers_count(t), 4);
    shoal_timers_cancel(t, x, &a);
    CU_ASSERT_EQUAL(shoal_timers_count(t), 3);
    shoal_timers_cancel(t, x, &a); /* harmless twice */
    shoal_timers_drop_owner(t, &b);
    CU_ASSERT_EQUAL(shoal_timers_count(t), 1);
    CU_ASSERT_EQUAL(shoal_timers_run(t, 10), 1);
    CU_ASSERT_EQUAL(fired[0], 3);
    shoal_timers_free(t);
}

static void test_added_while_running(void)
{
    struct shoal_timers *t = shoal_timers_new();

    nfired = 0;
    readd_set = t;
    shoal_timers_add(t, 1, record_and_add, (void *)7, NULL);
    CU_ASSERT_EQUAL(shoal_timers_run(t, 1), 2); /* the new one is due too */
    CU_ASSERT(fired[0] == 7 && fired[1] == 99);
    shoal_timers_free(t);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double model_at[200];
static double seen_at[200];
static size_t nseen;

static void record_time(void *arg, double now)
{
    (void)now;
    seen_at[nseen++] = *(double *)arg;
}

static void test_random(void)
{
    struct shoal_timers *t = shoal_timers_new();
    unsigned seed = 12345;

    nseen = 0;
    for (int i = 0; i < 200; i++) {
        seed = seed * 1103515245u + 12345u;
        model_at[i] = (double)(seed >> 16 & 1023);
        shoal_timers_add(t, model_at[i], record_time, &model_at[i], NULL);
    }
    CU_ASSERT_EQUAL(shoal_timers_run(t, 2000), 200);
    qsort(model_at, 200, sizeof(double), cmp_double);
    CU_ASSERT(memcmp(model_at, seen_at, sizeof(model_at)) == 0);
    CU_ASSERT(shoal_timers_next(t) < 0);
    shoal_timers_free(t);
}

int register_timers_suite(void)
{
    CU_pSuite s = CU_add_suite("timers", NULL, NULL);

    if (s == NULL || CU_add_test(s, "order and ties", test_order) == NULL ||
        CU_add_test(s, "cancel and owners", test_cancel_and_owner) == NULL ||
        CU_add_test(s, "added while running", test_added_while_running) == NULL ||
        CU_add_test(s, "random against a model", test_random) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
