/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's journal (see journal.h).  The file is written with pwrite at
 * offsets this object tracks (never O_APPEND, so the header can be
 * rewritten in place); `size` is where the next record goes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cluster/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "lib/fsutil.h"
#include "lib/util.h"

#define JOURNAL_MAGIC "SHOALJ1"
#define JOURNAL_HDR 32u
#define JOURNAL_REC 16u
#define JOURNAL_ACK_LEN 0xffffffffu
#define JOURNAL_CLEAN 1u
#define JOURNAL_COMPACT_MIN (64u << 20)

struct shoal_journal {
    char *path;
    int fd;
    uint64_t size;
    uint64_t epoch;
    bool broken;
};

static void journal_put_hdr(uint8_t *h, uint64_t epoch, uint64_t first_seq, uint64_t flags)
{
    memcpy(h, JOURNAL_MAGIC, 8); /* with its NUL */
    shoal_put_le64(h + 8, epoch);
    shoal_put_le64(h + 16, first_seq);
    shoal_put_le64(h + 24, flags);
}

static uint32_t journal_crc(const void *buf, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);
    const Bytef *p = buf;

    while (len > 0) { /* crc32 takes a uInt length */
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        c = crc32(c, p, n);
        p += n;
        len -= n;
    }
    return (uint32_t)c;
}

/* ---- reading back ---- */

struct journal_rec {
    uint64_t seq, off;
    uint32_t len, crc;
};

struct journal_scan {
    struct journal_rec *v;
    size_t n, cap;
    uint64_t acked;
};

/* Index every complete record after the header; acknowledgements raise
 * s->acked.  Stops at the end of the file or at a record cut short. */
static int journal_scan(int fd, uint64_t file_size, struct journal_scan *s, bool *damaged)
{
    uint64_t off = JOURNAL_HDR;
    uint8_t h[JOURNAL_REC];
    int rc;

    while (off + JOURNAL_REC <= file_size) {
        if ((rc = shoal_pread_all(fd, h, sizeof(h), off)) < 0) {
            return rc;
        }
        struct journal_rec r = {shoal_le64(h), off + JOURNAL_REC, shoal_le32(h + 8),
                                shoal_le32(h + 12)};
        if (r.len == JOURNAL_ACK_LEN) {
            s->acked = r.seq > s->acked ? r.seq : s->acked;
            off += JOURNAL_REC;
            continue;
        }
        if (r.off + r.len > file_size) {
            break;
        }
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 64;
            struct journal_rec *v = realloc(s->v, cap * sizeof(*v));
            if (v == NULL) {
                return -ENOMEM;
            }
            s->v = v;
            s->cap = cap;
        }
        s->v[s->n++] = r;
        off = r.off + r.len;
    }
    *damaged = off != file_size;
    return 0;
}

/* Hand the unacknowledged records, consecutive from acked + 1, to cb. */
static int journal_replay(int fd, const struct journal_scan *s, shoal_resend_cb cb, void *ctx,
                          struct shoal_journal_info *info)
{
    uint64_t want = s->acked + 1;
    int rc = 0;

    for (size_t i = 0; i < s->n && rc == 0; i++) {
        const struct journal_rec *r = &s->v[i];
        if (r->seq <= s->acked) {
            continue;
        }
        if (r->seq != want) {
            info->damaged = true; /* a gap: what follows cannot be sent in order */
            break;
        }
        uint8_t *buf = malloc(r->len ? r->len : 1);
        if (buf == NULL) {
            return -ENOMEM;
        }
        if ((rc = shoal_pread_all(fd, buf, r->len, r->off)) == 0 &&
            journal_crc(buf, r->len) != r->crc) {
            info->damaged = true;
            free(buf);
            break;
        }
        if (rc == 0) {
            rc = cb(ctx, r->seq, buf, r->len);
            info->batches++;
            info->bytes += r->len;
            want++;
        }
        free(buf);
    }
    info->next_seq = want;
    return rc;
}

int shoal_journal_recover(const char *path, shoal_resend_cb cb, void *ctx,
                          struct shoal_journal_info *info)
{
    struct journal_scan s = {0};
    struct stat st;
    uint8_t h[JOURNAL_HDR];
    int fd, rc;

    memset(info, 0, sizeof(*info));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto out;
    }
    if (st.st_size == 0) { /* cut back, and killed before the header was written */
        rc = 0;
        goto out;
    }
    if ((uint64_t)st.st_size < JOURNAL_HDR || shoal_pread_all(fd, h, sizeof(h), 0) < 0 ||
        memcmp(h, JOURNAL_MAGIC, 8) != 0 || shoal_le64(h + 16) == 0) {
        rc = -EBADMSG;
        goto out;
    }
    info->unclean = !(shoal_le64(h + 24) & JOURNAL_CLEAN);
    s.acked = shoal_le64(h + 16) - 1;
    rc = journal_scan(fd, (uint64_t)st.st_size, &s, &info->damaged);
    if (rc == 0) {
        rc = journal_replay(fd, &s, cb, ctx, info);
    }
    if (info->batches > 0) {
        info->epoch = shoal_le64(h + 8);
    }
out:
    free(s.v);
    close(fd);
    return rc;
}

/* ---- writing ---- */

struct shoal_journal *shoal_journal_new(const char *path)
{
    struct shoal_journal *j = calloc(1, sizeof(*j));

    if (j == NULL || (j->path = strdup(path)) == NULL) {
        free(j);
        return NULL;
    }
    j->fd = -1;
    return j;
}

static int journal_write_rec(int fd, uint64_t off, uint64_t seq, const void *buf, uint32_t len)
{
    uint8_t h[JOURNAL_REC];
    bool ack = len == JOURNAL_ACK_LEN;
    int rc;

    shoal_put_le64(h, seq);
    shoal_put_le32(h + 8, len);
    shoal_put_le32(h + 12, ack ? 0 : journal_crc(buf, len));
    rc = shoal_pwrite_all(fd, h, sizeof(h), off);
    if (rc == 0 && !ack && len > 0) {
        rc = shoal_pwrite_all(fd, buf, len, off + JOURNAL_REC);
    }
    return rc;
}

struct journal_copy {
    int fd;
    uint64_t off;
};

static int journal_copy_one(void *arg, uint64_t seq, const void *buf, size_t len)
{
    struct journal_copy *c = arg;
    int rc;

    if (len >= JOURNAL_ACK_LEN) {
        return -EFBIG;
    }
    rc = journal_write_rec(c->fd, c->off, seq, buf, (uint32_t)len);
    c->off += JOURNAL_REC + len;
    return rc;
}

int shoal_journal_rewrite(struct shoal_journal *j, uint64_t epoch, struct shoal_resend *w)
{
    struct journal_copy c = {.off = JOURNAL_HDR};
    uint8_t h[JOURNAL_HDR];
    char *tmp;
    int rc;

    if (asprintf(&tmp, "%s.new", j->path) < 0) {
        return -ENOMEM;
    }
    c.fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (c.fd < 0) {
        rc = -errno;
        goto out;
    }
    journal_put_hdr(h, epoch, shoal_resend_base(w), 0);
    rc = shoal_pwrite_all(c.fd, h, sizeof(h), 0);
    if (rc == 0) {
        rc = shoal_resend_for_each_unacked(w, journal_copy_one, &c);
    }
    if (rc == 0 && rename(tmp, j->path) < 0) {
        rc = -errno;
    }
    if (rc < 0) {
        close(c.fd);
        unlink(tmp);
        goto out;
    }
    if (j->fd >= 0) {
        close(j->fd);
    }
    j->fd = c.fd;
    j->size = c.off;
    j->epoch = epoch;
    j->broken = false;
out:
    free(tmp);
    return rc;
}

int shoal_journal_append(struct shoal_journal *j, uint64_t seq, const void *buf, size_t len)
{
    int rc;

    if (j->broken || j->fd < 0) {
        return -EBADF;
    }
    rc = len >= JOURNAL_ACK_LEN ? -EFBIG
                                : journal_write_rec(j->fd, j->size, seq, buf, (uint32_t)len);
    if (rc < 0) {
        j->broken = true;
        return rc;
    }
    j->size += JOURNAL_REC + len;
    return 0;
}

/* Cut the file back to a header whose first sequence is the window's next:
 * the header first, so that a kill between the two steps leaves records
 * all below first_seq, that is acknowledged. */
static int journal_reset(struct shoal_journal *j, uint64_t next_seq)
{
    uint8_t h[JOURNAL_HDR];
    int rc;

    journal_put_hdr(h, j->epoch, next_seq, 0);
    rc = shoal_pwrite_all(j->fd, h, sizeof(h), 0);
    if (rc == 0 && ftruncate(j->fd, JOURNAL_HDR) < 0) {
        rc = -errno;
    }
    if (rc == 0) {
        j->size = JOURNAL_HDR;
        j->broken = false;
    }
    return rc;
}

int shoal_journal_ack(struct shoal_journal *j, uint64_t seq, struct shoal_resend *w)
{
    struct shoal_resend_stats st;
    int rc;

    if (j->fd < 0) {
        return -EBADF;
    }
    if (shoal_resend_base(w) == shoal_resend_next_seq(w)) {
        return journal_reset(j, shoal_resend_next_seq(w));
    }
    if (j->broken) {
        return -EBADF; /* until the window empties or the next rewrite */
    }
    shoal_resend_stats(w, &st);
    uint64_t live =
        st.mem_bytes + st.spill_bytes + JOURNAL_REC * (st.mem_batches + st.spill_batches);
    if (j->size > JOURNAL_COMPACT_MIN && j->size > 2 * live) {
        return shoal_journal_rewrite(j, j->epoch, w);
    }
    rc = journal_write_rec(j->fd, j->size, seq, NULL, JOURNAL_ACK_LEN);
    if (rc < 0) {
        j->broken = true;
        return rc;
    }
    j->size += JOURNAL_REC;
    return 0;
}

bool shoal_journal_broken(const struct shoal_journal *j)
{
    return j->broken;
}

int shoal_journal_close(struct shoal_journal *j, struct shoal_resend *w)
{
    uint8_t h[JOURNAL_HDR];
    int rc = 0;

    if (j == NULL) {
        return 0;
    }
    if (j->fd >= 0 && shoal_resend_base(w) == shoal_resend_next_seq(w)) {
        rc = unlink(j->path) < 0 ? -errno : 0;
    } else if (j->fd >= 0 && !j->broken) {
        journal_put_hdr(h, j->epoch, shoal_resend_base(w), JOURNAL_CLEAN);
        rc = shoal_pwrite_all(j->fd, h, sizeof(h), 0);
    }
    shoal_journal_free(j);
    return rc;
}

void shoal_journal_free(struct shoal_journal *j)
{
    if (j == NULL) {
        return;
    }
    if (j->fd >= 0) {
        close(j->fd);
    }
    free(j->path);
    free(j);
}
