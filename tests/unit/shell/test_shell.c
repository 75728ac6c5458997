/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core/shell: node.cfg, the core behind the commands' host
 * table, and a local cluster beside the installation.
 */
#include <stddef.h>

#include "cunit_run.h"
#include "suites.h"

int main(void)
{
    static int (*const suites[])(void) = {
        register_nodecfg_suite,
        register_shellcore_suite,
        register_local_cluster_suite,
    };

    return shoal_cunit_main("test_shell", suites, sizeof(suites) / sizeof(suites[0]));
}
