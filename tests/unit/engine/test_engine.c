/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core/engine: the engine (connection table, TCP states and history, stream
 * reassembly, expected connections, the weird policy, UDP tunnels).
 */
#include <stddef.h>

#include "cunit_run.h"
#include "suites.h"

int main(void)
{
    static int (*const suites[])(void) = {
        register_conn_suite,     register_reasm_suite, register_expect_suite,
        register_dispatch_suite, register_weird_suite, register_tunnel_suite,
    };

    return shoal_cunit_main("test_engine", suites, sizeof(suites) / sizeof(suites[0]));
}
