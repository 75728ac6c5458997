/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the files a node reads back from its working
 * directory after a crash or a kill -9, when they may be cut short or
 * damaged: a sender's journal (core/cluster/journal.c, log.journal) and
 * the manager's dedup state (core/cluster/resend.c, dedup.state).  The
 * input is the file's bytes (a memfd, opened by its /proc path as the node
 * opens its own).
 *
 * Checked: journal recovery returns 0, -EBADMSG or another negative errno;
 * the batches it hands back come in consecutive sequence order below
 * info.next_seq, each one's bytes readable (ASan); their count and bytes
 * are what info says.  The dedup state loads or is refused with -EBADMSG
 * (or -ENOMEM); a loaded state answers checks and saves again.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cluster/journal.h"
#include "cluster/resend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_seen {
    uint64_t next;
    uint64_t batches;
    uint64_t bytes;
    uint32_t sum;
};

static int fz_batch(void *ctx, uint64_t seq, const void *buf, size_t len)
{
    struct fz_seen *s = ctx;
    const uint8_t *b = buf;

    if (s->batches > 0 && seq != s->next) {
        abort(); /* not consecutive */
    }
    for (size_t i = 0; i < len; i++) {
        s->sum += b[i];
    }
    s->next = seq + 1;
    s->batches++;
    s->bytes += len;
    return 0;
}

static void fz_journal(const char *path)
{
    struct shoal_journal_info info;
    struct fz_seen seen = {0};
    int rc = shoal_journal_recover(path, fz_batch, &seen, &info);

    if (rc > 0) {
        abort(); /* fz_batch never stops it */
    }
    if (rc < 0) {
        return;
    }
    if (info.batches != seen.batches || info.bytes != seen.bytes ||
        (seen.batches > 0 && info.next_seq != seen.next)) {
        abort();
    }
}

static void fz_dedup(const char *path, const char *save)
{
    struct shoal_dedup *d = shoal_dedup_new(64, 16);
    int rc;

    if (d == NULL) {
        return;
    }
    rc = shoal_dedup_load(d, path);
    if (rc == 0) {
        (void)shoal_dedup_check(d, "worker-1", 1, 1, 2);
        (void)shoal_dedup_acked(d, "worker-1", 1);
        if (shoal_dedup_save(d, save) == 0) {
            unlink(save);
        }
    } else if (rc != -EBADMSG && rc != -ENOMEM) {
        abort();
    }
    shoal_dedup_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char save[64];
    char path[64];
    int fd = memfd_create("fuzz_spool", MFD_CLOEXEC);

    if (fd < 0) {
        return 0;
    }
    if (save[0] == '\0') {
        snprintf(save, sizeof(save), "/tmp/fuzz_spool.%ld.state", (long)getpid());
    }
    if (size == 0 || write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        fz_journal(path);
        fz_dedup(path, save);
    }
    close(fd);
    return 0;
}
