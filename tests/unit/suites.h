/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The suites of the unit test programs made of several files: one
 * registration function per suite file, each adding its suite and tests to
 * the current CUnit registry and returning 0 or a CUnit error code.  The
 * programs (tests/unit/<folder>/test_<folder>.c) list theirs and run them
 * with shoal_cunit_main().
 */
#ifndef SHOAL_TEST_SUITES_H
#define SHOAL_TEST_SUITES_H

/* tests/unit/engine */
int register_conn_suite(void);
int register_reasm_suite(void);
int register_expect_suite(void);
int register_weird_suite(void);
int register_dispatch_suite(void);
int register_tunnel_suite(void);

/* tests/unit/framework */
int register_log_suite(void);
int register_state_suite(void);
int register_files_suite(void);
int register_stats_suite(void);

/* tests/unit/lib */
int register_buf_suite(void);
int register_lines_suite(void);
int register_netset_suite(void);
int register_base64_suite(void);
int register_timers_suite(void);
int register_fsutil_suite(void);

/* tests/unit/shell */
int register_nodecfg_suite(void);
int register_shellcore_suite(void);
int register_local_cluster_suite(void);

#endif
