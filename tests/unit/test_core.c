/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry point of the core's unit tests: builds the CUnit registry from every
 * suite of suites.h (log writer, connection layer, stream reassembly,
 * prefix sets), runs them in verbose mode and exits non-zero if any test
 * failed or a suite could not be set up.
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>

#include "suites.h"

int main(void)
{
    static int (*const suites[])(void) = {
        register_log_suite,
        register_conn_suite,
        register_reasm_suite,
        register_netset_suite,
    };
    int status = EXIT_FAILURE;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "test_core: CU_initialize_registry: %s\n", CU_get_error_msg());
        return EXIT_FAILURE;
    }
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
        if (suites[i]() != CUE_SUCCESS) {
            fprintf(stderr, "test_core: registering suite %zu: %s\n", i, CU_get_error_msg());
            goto out_registry;
        }
    }
    return shoal_cunit_run("test_core");

out_registry:
    CU_cleanup_registry();
    return status;
}
