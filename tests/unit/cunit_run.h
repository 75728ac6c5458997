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

#endif
