/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of core/lib/fsutil.c: removing a tree (files, folders, a
 * symbolic link that is removed and not followed, a missing path) and
 * making one with its mode.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "lib/fsutil.h"
#include "suites.h"

static void test_touch(const char *path)
{
    FILE *f = fopen(path, "w");

    CU_ASSERT_FATAL(f != NULL);
    fputs("x\n", f);
    fclose(f);
}

static void test_rmtree(void)
{
    const char *tmp = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
    char base[256], tree[PATH_MAX], path[PATH_MAX + 32], outside[PATH_MAX];
    char failed[PATH_MAX] = "";
    struct stat st;

    snprintf(base, sizeof(base), "%s/shoal-test-fsutil.XXXXXX", tmp);
    CU_ASSERT_FATAL(mkdtemp(base) != NULL);
    snprintf(outside, sizeof(outside), "%s/outside", base);
    test_touch(outside);
    snprintf(tree, sizeof(tree), "%s/a", base);
    snprintf(path, sizeof(path), "%s/b/c", tree);
    CU_ASSERT_EQUAL_FATAL(shoal_mkdirs(path, 0700, NULL, 0), 0);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
    snprintf(path, sizeof(path), "%s/b/c/file", tree);
    test_touch(path);
    snprintf(path, sizeof(path), "%s/file", tree);
    test_touch(path);
    snprintf(path, sizeof(path), "%s/link", tree);
    CU_ASSERT_EQUAL_FATAL(symlink(base, path), 0); /* a link to the folder above */

    CU_ASSERT_EQUAL(shoal_rmtree(tree, failed, sizeof(failed)), 0);
    CU_ASSERT_NOT_EQUAL(lstat(tree, &st), 0);
    CU_ASSERT_EQUAL(stat(outside, &st), 0);                         /* the link was not followed */
    CU_ASSERT_EQUAL(shoal_rmtree(tree, failed, sizeof(failed)), 0); /* missing: nothing to do */
    CU_ASSERT_EQUAL(shoal_rmtree(outside, failed, sizeof(failed)), 0); /* a file alone */
    CU_ASSERT_NOT_EQUAL(lstat(outside, &st), 0);
    CU_ASSERT_EQUAL(rmdir(base), 0);
}

int register_fsutil_suite(void)
{
    CU_pSuite s = CU_add_suite("fsutil", NULL, NULL);

    if (s == NULL || CU_add_test(s, "rmtree and mkdirs", test_rmtree) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
