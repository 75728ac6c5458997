/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the shell's core behind the commands' host table
 * (core/shell: hosts.c, nodes.c, host_command.c, shell.c): the distinct
 * hosts of a set of nodes, a node's command line for each purpose, the
 * last lines of a node's file, control requests that skip the nodes that
 * do not run, and the shell forgetting its own files (cleanup --all).  A
 * shell is set up over a temporary installation with a node.cfg on
 * localhost; no node runs and no plugin is loaded.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "lib/fsutil.h"
#include "shell/hosts.h"
#include "shell/nodecfg.h"
#include "shell/shell.h"
#include "suites.h"

static char test_base[256];
static struct shoal_shell test_sh;

static void test_write(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* A shell over test_base: etc/node.cfg, spool/ssh; no plugins. */
static int test_shell_init(void)
{
    const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    char dir[512];
    char err[512];

    snprintf(test_base, sizeof(test_base), "%s/shoal-test-shell.XXXXXX", tmp);
    if (mkdtemp(test_base) == NULL) {
        return -1;
    }
    snprintf(dir, sizeof(dir), "%s/etc", test_base);
    mkdir(dir, 0755);
    snprintf(dir, sizeof(dir), "%s/etc/node.cfg", test_base);
    FILE *f = fopen(dir, "w");
    if (f == NULL) {
        return -1;
    }
    fputs("[manager]\ntype=manager\nhost=localhost\n\n"
          "[worker]\ntype=worker\nhost=127.0.0.1\ninterface=lo\nlb_method=pcap\nlb_procs=2\n"
          "env_vars=LANG=C\n",
          f);
    fclose(f);
    memset(&test_sh, 0, sizeof(test_sh));
    snprintf(dir, sizeof(dir), "%s/spool/ssh", test_base);
    if (shoal_paths_init(&test_sh.paths, test_base) < 0 || shoal_mkdirs(dir, 0700, NULL, 0) < 0) {
        return -1;
    }
    test_sh.timeouts = (struct shoal_shell_timeouts){5, 1, 5, 5, 10};
    test_sh.out = stdout;
    test_sh.hosts = shoal_hosts_new(dir);
    if (test_sh.hosts == NULL || shoal_shell_reload(&test_sh, false, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    for (size_t i = 0; i < test_sh.n_nodes; i++) {
        shoal_mkdirs(test_sh.nodes[i].workdir, 0700, NULL, 0);
    }
    return 0;
}

static int test_shell_clean(void)
{
    shoal_shell_close(&test_sh);
    return shoal_rmtree(test_base, NULL, 0) == 0 ? 0 : -1;
}

/* ---- hosts ---- */

static void test_hosts_group(void)
{
    char self[256] = "";
    const char *hosts[] = {"localhost", "10.0.0.2", "127.0.0.1", "HOST-B",
                           "10.0.0.2",  "host-b",   "::1",       self};
    size_t group[8];

    gethostname(self, sizeof(self) - 1);
    CU_ASSERT_EQUAL(shoal_hosts_group(hosts, 8, group), 3);
    CU_ASSERT_EQUAL(group[0], 0);
    CU_ASSERT_EQUAL(group[1], 1);
    CU_ASSERT_EQUAL(group[2], 0); /* loopback is localhost */
    CU_ASSERT_EQUAL(group[3], 2);
    CU_ASSERT_EQUAL(group[4], 1);
    CU_ASSERT_EQUAL(group[5], 2); /* names ignore case */
    CU_ASSERT_EQUAL(group[6], 0);
    CU_ASSERT_EQUAL(group[7], 0); /* this host's own name */
    CU_ASSERT_EQUAL(shoal_hosts_group(hosts, 0, group), 0);
}

/* ---- nodes ---- */

/* The index of `arg` in argv, or -1. */
static int test_argv_find(char **argv, const char *arg)
{
    for (int i = 0; argv[i] != NULL; i++) {
        if (strcmp(argv[i], arg) == 0) {
            return i;
        }
    }
    return -1;
}

static void test_node_command(void)
{
    static const struct {
        enum shoal_node_cmd what;
        const char *option;
        const char *dir;
    } cases[] = {
        {SHOAL_NODE_CMD_START, "--daemon", "installed"},
        {SHOAL_NODE_CMD_CHECK, "--check", "staged"},
        {SHOAL_NODE_CMD_PLUGINS, "--list-plugins", "installed"},
    };
    const struct shoal_node_info *w = shoal_shell_node(&test_sh, "worker-2");
    struct shoal_node_info ghost = {.size = sizeof(ghost), .name = "nobody", .host = "localhost"};
    char **argv = NULL;
    char want[PATH_MAX + 64];

    CU_ASSERT_FATAL(w != NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(shoal_shell_node_command(&test_sh, w, cases[i].what, &argv), 0);
        CU_ASSERT_STRING_EQUAL(argv[0], test_sh.paths.shoal);
        CU_ASSERT_STRING_EQUAL(argv[test_argv_find(argv, "--node") + 1], "worker-2");
        snprintf(want, sizeof(want), "%s/%s/shoal.cfg", test_sh.paths.spool, cases[i].dir);
        CU_ASSERT_STRING_EQUAL(argv[test_argv_find(argv, "-c") + 1], want);
        snprintf(want, sizeof(want), "%s/%s/layout.cfg", test_sh.paths.spool, cases[i].dir);
        CU_ASSERT_STRING_EQUAL(argv[test_argv_find(argv, "--layout") + 1], want);
        CU_ASSERT(test_argv_find(argv, cases[i].option) > 0);
        for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
            CU_ASSERT(j == i || test_argv_find(argv, cases[j].option) < 0);
        }
        CU_ASSERT_STRING_EQUAL(argv[test_argv_find(argv, "--env") + 1], "LANG=C");
        free(argv);
    }
    CU_ASSERT_EQUAL(shoal_shell_node_command(&test_sh, &ghost, SHOAL_NODE_CMD_START, &argv),
                    -ENOENT);
    CU_ASSERT_PTR_NULL(argv);
}

static void test_node_tail(void)
{
    const struct shoal_node_info *m = shoal_shell_node(&test_sh, "manager");
    char *text = NULL;

    CU_ASSERT_FATAL(m != NULL);
    test_write(m->workdir, "stderr.log", "one\ntwo\nthree\nfour\n");
    CU_ASSERT_EQUAL(shoal_shell_node_tail(&test_sh, m, "stderr.log", 2, &text), 0);
    CU_ASSERT_STRING_EQUAL(text, "three\nfour\n");
    free(text);
    test_write(m->workdir, "stdout.log", "");
    CU_ASSERT_EQUAL(shoal_shell_node_tail(&test_sh, m, "stdout.log", 10, &text), 0);
    CU_ASSERT_STRING_EQUAL(text, "");
    free(text);
    CU_ASSERT_EQUAL(shoal_shell_node_tail(&test_sh, m, "no-such.log", 10, &text), -ENOENT);
    CU_ASSERT_PTR_NULL(text);
}

/* Nodes that do not run are not asked: no layout is installed, and yet
 * every one has its answer at once. */
static void test_control_running(void)
{
    const struct shoal_node_info *v[] = {&test_sh.nodes[0], &test_sh.nodes[1], &test_sh.nodes[2]};
    const char *argv[] = {"counters", NULL};
    struct shoal_ctl_reply *r = NULL;
    struct shoal_node_status st;
    char word[32];

    /* one of them crashed: a status word, no live pid file */
    test_write(test_sh.nodes[1].workdir, "status", "running\n");
    CU_ASSERT_EQUAL(shoal_shell_node_status(&test_sh, &test_sh.nodes[1], &st, word, sizeof(word)),
                    0);
    CU_ASSERT_FALSE(st.running);
    CU_ASSERT_TRUE(st.crashed);
    CU_ASSERT_EQUAL(shoal_shell_node_status(&test_sh, &test_sh.nodes[2], &st, word, sizeof(word)),
                    0);
    CU_ASSERT_FALSE(st.crashed); /* never started: stopped */

    CU_ASSERT_EQUAL_FATAL(shoal_shell_control_running(&test_sh, v, 3, argv, 1, &r), 0);
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_PTR_EQUAL(r[i].node, v[i]);
        CU_ASSERT_EQUAL(r[i].status, -ESRCH);
        CU_ASSERT_STRING_EQUAL(r[i].error, "not running");
        CU_ASSERT_EQUAL(r[i].n, 0);
    }
    shoal_shell_control_free(r, 3);
}

static void test_clean(void)
{
    char dir[PATH_MAX + 64];
    char err[512] = "";
    struct stat st;

    snprintf(dir, sizeof(dir), "%s/staged/keys", test_sh.paths.spool);
    CU_ASSERT_EQUAL_FATAL(shoal_mkdirs(dir, 0700, NULL, 0), 0);
    test_write(dir, "a.key", "x");
    snprintf(dir, sizeof(dir), "%s/ssh", test_sh.paths.spool);
    test_write(dir, "0123abcd", ""); /* a stale master socket */
    CU_ASSERT_EQUAL(shoal_shell_clean(&test_sh, err, sizeof(err)), 0);
    snprintf(dir, sizeof(dir), "%s/staged", test_sh.paths.spool);
    CU_ASSERT_NOT_EQUAL(stat(dir, &st), 0);
    snprintf(dir, sizeof(dir), "%s/ssh/0123abcd", test_sh.paths.spool);
    CU_ASSERT_NOT_EQUAL(stat(dir, &st), 0);
    snprintf(dir, sizeof(dir), "%s/ssh", test_sh.paths.spool);
    CU_ASSERT_EQUAL(stat(dir, &st), 0); /* the folder stays, for the next connections */
    /* nothing left to clean is no error */
    CU_ASSERT_EQUAL(shoal_shell_clean(&test_sh, err, sizeof(err)), 0);
}

int register_shellcore_suite(void)
{
    CU_pSuite s = CU_add_suite("shell core", test_shell_init, test_shell_clean);

    if (s == NULL || CU_add_test(s, "distinct hosts", test_hosts_group) == NULL ||
        CU_add_test(s, "a node's command lines", test_node_command) == NULL ||
        CU_add_test(s, "the last lines of a node's file", test_node_tail) == NULL ||
        CU_add_test(s, "control skips the nodes that do not run", test_control_running) == NULL ||
        CU_add_test(s, "the shell forgets its own files", test_clean) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
