/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The suites of the core's unit test program (tests/unit/test_core): one
 * registration function per suite file, each adding its suite and tests to
 * the current CUnit registry and returning 0 or a CUnit error code.
 */
#ifndef SHOAL_TEST_SUITES_H
#define SHOAL_TEST_SUITES_H

int register_log_suite(void);
int register_conn_suite(void);
int register_reasm_suite(void);
int register_netset_suite(void);

#endif
