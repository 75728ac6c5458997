/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core/lib: the small utilities (byte buffers, prefix sets,
 * base64, timers, file helpers).
 */
#include <stddef.h>

#include "cunit_run.h"
#include "suites.h"

int main(void)
{
    static int (*const suites[])(void) = {
        register_buf_suite,    register_netset_suite, register_base64_suite,
        register_timers_suite, register_fsutil_suite, register_lines_suite,
    };

    return shoal_cunit_main("test_lib", suites, sizeof(suites) / sizeof(suites[0]));
}
