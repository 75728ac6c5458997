/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common ending of every CUnit test program: run what was registered,
 * verbosely, and turn the outcome into the exit status automake reads.  A
 * suite whose setup failed counts as a failure, so a test program can never
 * pass by running nothing.
 */
#ifndef SHOAL_CUNIT_RUN_H
#define SHOAL_CUNIT_RUN_H

#include <CUnit/Basic.h>
#include <stddef.h>
#include <stdio.h>

/* Run every registered suite and clean the registry.  `prog` names the
 * program in error messages.  Returns 0 when no assertion, test or suite
 * setup failed, else 1. */
static inline int shoal_cunit_run(const char *prog)
{
    int status = 1;

    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (CU_basic_run_tests() != CUE_SUCCESS) {
        fprintf(stderr, "%s: run: %s\n", prog, CU_get_error_msg());
    } else if (CU_get_number_of_failures() == 0 && CU_get_number_of_suites_failed() == 0 &&
               CU_get_number_of_tests_failed() == 0) {
        status = 0;
    }
    CU_cleanup_registry();
    return status;
}

/* The whole main of a test program made of suites: initialise the
 * registry, call each registration function (returning a CUnit error
 * code), then run as shoal_cunit_run does.  A suite that cannot be
 * registered fails the program. */
static inline int shoal_cunit_main(const char *prog, int (*const *suites)(void), size_t n)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "%s: CU_initialize_registry: %s\n", prog, CU_get_error_msg());
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (suites[i]() != CUE_SUCCESS) {
            fprintf(stderr, "%s: registering suite %zu: %s\n", prog, i, CU_get_error_msg());
            CU_cleanup_registry();
            return 1;
        }
    }
    return shoal_cunit_run(prog);
}

#endif
