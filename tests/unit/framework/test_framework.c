/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core/framework: the framework (log writers, distinct-count statistics,
 * notices, stats.log and capture_loss.log).
 */
#include <stddef.h>

#include "cunit_run.h"
#include "suites.h"

int main(void)
{
    static int (*const suites[])(void) = {
        register_log_suite,
        register_state_suite,
        register_files_suite,
        register_stats_suite,
    };

    return shoal_cunit_main("test_framework", suites, sizeof(suites) / sizeof(suites[0]));
}
