/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File-system helpers (see fsutil.h).
 */
#include "lib/fsutil.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* nftw can hand its callback no argument: the file that failed goes here. */
static char fsutil_rm_failed[PATH_MAX];

static int fsutil_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT) {
        snprintf(fsutil_rm_failed, sizeof(fsutil_rm_failed), "%s", path);
        return -errno;
    }
    return 0;
}

int shoal_rmtree(const char *path, char *failed, size_t failedlen)
{
    struct stat st;
    int rc;

    if (lstat(path, &st) < 0) {
        rc = errno == ENOENT ? 0 : -errno;
    } else {
        fsutil_rm_failed[0] = '\0';
        rc = nftw(path, fsutil_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        /* the callback's negative errno, or nftw's own -1 and errno */
        rc = rc < 0 && fsutil_rm_failed[0] == '\0' ? -errno : rc;
    }
    if (rc < 0 && failed != NULL && failedlen > 0) {
        snprintf(failed, failedlen, "%s", fsutil_rm_failed[0] != '\0' ? fsutil_rm_failed : path);
    }
    return rc;
}

int shoal_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    const unsigned char *p = buf;

    while (len > 0) {
        ssize_t k = pwrite(fd, p, len, (off_t)off);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        p += k;
        len -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

int shoal_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    unsigned char *p = buf;

    while (len > 0) {
        ssize_t k = pread(fd, p, len, (off_t)off);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (k == 0) {
            return -EIO; /* shorter than what was written */
        }
        p += k;
        len -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}
