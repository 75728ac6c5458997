/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File-system helpers of the core: creating directory trees with an exact
 * mode (working directories, key directories), removing them, and reading
 * small text files whole (configuration files), and whole reads and
 * writes at an offset (spill files, journals).  Plain POSIX, no state.
 */
#ifndef SHOAL_FSUTIL_H
#define SHOAL_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * mkdir -p: create `path` and the missing directories above it, each new
 * one with exactly `mode` (chmod after mkdir, so the umask cannot take
 * bits away).  Existing directories are left as they are.  Returns 0 or a
 * negative errno; on error `failed` (if not NULL) receives the directory
 * that could not be made.  Thread-safe.
 */
int shoal_mkdirs(const char *path, mode_t mode, char *failed, size_t failedlen);

/*
 * Read the text file `path` whole into *out (malloc'ed, NUL-terminated).
 * Returns 0, -EFBIG when it is longer than `max` bytes, -EINVAL when it
 * holds a NUL byte (not text), or another negative errno.  Thread-safe.
 */
int shoal_file_read(const char *path, size_t max, char **out);

/*
 * rm -r: remove `path` and everything under it, not following symbolic
 * links (a link is removed, not what it points to).  A missing path is not
 * an error.  Returns 0 or a negative errno; on error `failed` (if not
 * NULL) receives the file that could not be removed.  Not thread-safe
 * (nftw).
 */
int shoal_rmtree(const char *path, char *failed, size_t failedlen);

/*
 * pwrite/pread all of `len` bytes at `off`, going on after EINTR and short
 * transfers.  Return 0 or a negative errno; pread_all returns -EIO when
 * the file ends first.  Thread-safe.
 */
int shoal_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
int shoal_pread_all(int fd, void *buf, size_t len, uint64_t off);

#endif
