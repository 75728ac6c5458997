/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core/shell/install.c: a cluster of a command's own on
 * this host (shoal_shell_local_cluster), the nodes, ports, folders and
 * keys it makes, ipc only where socket paths fit, and its refusals.
 * Without CURVE in libzmq no key can be made: the tests then pass empty.
 */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "cluster/layout.h"
#include "shell/shell.h"
#include "suites.h"

static char base[64];

static int local_init(void)
{
    snprintf(base, sizeof(base), "/tmp/test_install.XXXXXX");
    return mkdtemp(base) != NULL ? 0 : -1;
}

static int local_clean(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

/* A key file of `dir`/keys exists, readable by its owner only. */
static void check_key(const char *dir, const char *name)
{
    char path[PATH_MAX + 64];
    struct stat st;

    snprintf(path, sizeof(path), "%s/keys/%s", dir, name);
    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 077, 0);
}

static void test_nodes_ports_keys(void)
{
    static const struct {
        const char *name;
        enum shoal_role role;
        uint16_t control;
    } want[] = {
        {"manager", SHOAL_ROLE_MANAGER, 61002}, {"proxy-1", SHOAL_ROLE_PROXY, 61003},
        {"worker-1", SHOAL_ROLE_WORKER, 61006}, {"worker-2", SHOAL_ROLE_WORKER, 61007},
        {"worker-3", SHOAL_ROLE_WORKER, 61008},
    };
    char dir[PATH_MAX], path[PATH_MAX + 64], err[512] = "";
    struct shoal_layout *l = NULL;

    if (!zmq_has("curve")) {
        return;
    }
    snprintf(dir, sizeof(dir), "%s/a", base);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_shell_local_cluster(dir, 1, 3, 61000, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/layout.cfg", dir);
    CU_ASSERT_EQUAL_FATAL(shoal_layout_load(path, &l, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(l->n_nodes, 5);
    CU_ASSERT_TRUE(l->use_ipc);
    for (size_t i = 0; i < 5; i++) {
        const struct shoal_layout_node *n = shoal_layout_find(l, want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(n);
        CU_ASSERT_EQUAL(n->role, want[i].role);
        CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_CONTROL], want[i].control);
        CU_ASSERT_TRUE(shoal_layout_same_host(n->host, "localhost"));
        snprintf(path, sizeof(path), "%s/spool/%s", dir, want[i].name);
        CU_ASSERT_STRING_EQUAL(n->workdir, path);
        snprintf(path, sizeof(path), "%s.key", want[i].name);
        check_key(dir, path);
    }
    CU_ASSERT_EQUAL(shoal_layout_find(l, "manager")->ports[SHOAL_CHANNEL_LOG], 61000);
    check_key(dir, "allowed_keys");
    check_key(dir, "shoalctl.key");
    shoal_layout_free(l);
}

/* A folder whose socket paths would not fit: TCP between the nodes. */
static void test_long_folder(void)
{
    char dir[PATH_MAX], path[PATH_MAX + 64], err[512] = "";
    struct shoal_layout *l = NULL;

    if (!zmq_has("curve")) {
        return;
    }
    snprintf(dir, sizeof(dir), "%s/%0100d", base, 0);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_shell_local_cluster(dir, 0, 2, 61100, err, sizeof(err)), 0);
    snprintf(path, sizeof(path), "%s/layout.cfg", dir);
    CU_ASSERT_EQUAL_FATAL(shoal_layout_load(path, &l, err, sizeof(err)), 0);
    CU_ASSERT_FALSE(l->use_ipc);
    CU_ASSERT_EQUAL(l->n_nodes, 3);
    shoal_layout_free(l);
}

/* Ports in the ephemeral range are refused, with the layout's reason. */
static void test_refused(void)
{
    char dir[PATH_MAX], err[512] = "";

    snprintf(dir, sizeof(dir), "%s/b", base);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
    CU_ASSERT(shoal_shell_local_cluster(dir, 0, 2, 40000, err, sizeof(err)) < 0);
    CU_ASSERT(strstr(err, "40000") != NULL || strstr(err, "ephemeral") != NULL);
}

int register_local_cluster_suite(void)
{
    CU_pSuite s = CU_add_suite("local cluster", local_init, local_clean);

    if (s == NULL || CU_add_test(s, "nodes, ports, folders, keys", test_nodes_ports_keys) == NULL ||
        CU_add_test(s, "a folder too long for ipc", test_long_folder) == NULL ||
        CU_add_test(s, "ports the layout refuses", test_refused) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
