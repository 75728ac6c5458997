/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File-system helpers (see fsutil.h).
 */
#include "lib/fsutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int shoal_mkdirs(const char *path, mode_t mode, char *failed, size_t failedlen)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    struct stat st;
    int rc = 0;

    if (n == 0 || n >= sizeof(buf)) {
        return -ENAMETOOLONG;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') {
            continue;
        }
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) == 0) {
            if (chmod(buf, mode) < 0) {
                rc = -errno;
                break;
            }
        } else if (errno != EEXIST) {
            rc = -errno;
            break;
        }
        *p = saved;
        if (saved == '\0') {
            break;
        }
    }
    if (rc == 0 && (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))) {
        rc = -ENOTDIR;
    }
    if (rc < 0 && failed != NULL && failedlen > 0) {
        snprintf(failed, failedlen, "%s", buf);
    }
    return rc;
}

int shoal_file_read(const char *path, size_t max, char **out)
{
    FILE *f = fopen(path, "r");
    char *text;
    size_t n;
    int rc = 0;

    *out = NULL;
    if (f == NULL) {
        return -errno;
    }
    text = malloc(max + 1);
    if (text == NULL) {
        fclose(f);
        return -ENOMEM;
    }
    n = fread(text, 1, max + 1, f);
    if (ferror(f)) {
        rc = -EIO;
    } else if (n > max) {
        rc = -EFBIG;
    } else if (memchr(text, '\0', n) != NULL) {
        rc = -EINVAL;
    }
    fclose(f);
    if (rc < 0) {
        free(text);
        return rc;
    }
    text[n] = '\0';
    *out = text;
    return 0;
}
