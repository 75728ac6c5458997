/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender window and receiver dedup tracker of reliable log batches (see
 * resend.h).  The window's held batches are always the consecutive
 * sequences base..next_seq-1: the oldest in a memory FIFO, the rest in the
 * spill file, whose live records run from read_off to write_off.  A spill
 * record is "u64 seq, u32 length (little-endian), bytes".  When the last
 * spilled batch leaves the file it is truncated to zero, so a manager that
 * keeps up never leaves a growing file behind.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "cluster/resend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fsutil.h"
#include "lib/util.h"

struct resend_batch {
    struct resend_batch *next;
    uint64_t seq;
    size_t len;
    unsigned char data[];
};

struct shoal_resend {
    char *spill_dir;
    size_t mem_max;
    uint64_t disk_max;
    uint64_t next_seq;
    uint64_t base;
    struct resend_batch *head, *tail; /* memory FIFO */
    int fd;                           /* spill file, -1 until needed */
    uint64_t read_off, write_off;
    struct shoal_resend_stats st;
};

#define RESEND_HDR 12u

struct shoal_resend *shoal_resend_new(const char *spill_dir, size_t mem_max, uint64_t disk_max)
{
    struct shoal_resend *w = calloc(1, sizeof(*w));

    if (w == NULL) {
        return NULL;
    }
    if (spill_dir != NULL && disk_max > 0) {
        w->spill_dir = strdup(spill_dir);
        if (w->spill_dir == NULL) {
            goto out_free;
        }
    }
    w->mem_max = mem_max;
    w->disk_max = w->spill_dir != NULL ? disk_max : 0;
    w->next_seq = 1;
    w->base = 1;
    w->fd = -1;
    return w;

out_free:
    free(w);
    return NULL;
}

void shoal_resend_free(struct shoal_resend *w)
{
    if (w == NULL) {
        return;
    }
    struct resend_batch *b = w->head;
    while (b != NULL) {
        struct resend_batch *next = b->next;
        free(b);
        b = next;
    }
    if (w->fd >= 0) {
        close(w->fd);
    }
    free(w->spill_dir);
    free(w);
}

uint64_t shoal_resend_next_seq(const struct shoal_resend *w)
{
    return w->next_seq;
}

int shoal_resend_start_at(struct shoal_resend *w, uint64_t seq)
{
    if (seq == 0 || w->next_seq != 1 || w->base != 1) {
        return -EINVAL;
    }
    w->next_seq = w->base = seq;
    return 0;
}

uint64_t shoal_resend_base(const struct shoal_resend *w)
{
    return w->base;
}

void shoal_resend_stats(const struct shoal_resend *w, struct shoal_resend_stats *out)
{
    *out = w->st;
    out->spill_file = w->write_off;
}

/* Open the anonymous spill file.  Returns 0 or a negative errno. */
static int resend_open_spill(struct shoal_resend *w)
{
    char *tmpl;
    int fd;

    fd = open(w->spill_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
        w->fd = fd;
        return 0;
    }
    /* No O_TMPFILE on this file system: a named file, unlinked at once. */
    if (asprintf(&tmpl, "%s/shoal-resend-XXXXXX", w->spill_dir) < 0) {
        return -ENOMEM;
    }
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd < 0) {
        int rc = -errno;
        free(tmpl);
        return rc;
    }
    unlink(tmpl);
    free(tmpl);
    w->fd = fd;
    return 0;
}

static int resend_spill(struct shoal_resend *w, uint64_t seq, const void *buf, size_t len)
{
    uint8_t hdr[RESEND_HDR];
    int rc;

    if (w->fd < 0 && (rc = resend_open_spill(w)) < 0) {
        return rc;
    }
    shoal_put_le64(hdr, seq);
    shoal_put_le32(hdr + 8, (uint32_t)len);
    rc = shoal_pwrite_all(w->fd, hdr, sizeof(hdr), w->write_off);
    if (rc == 0) {
        rc = shoal_pwrite_all(w->fd, buf, len, w->write_off + sizeof(hdr));
    }
    if (rc < 0) {
        return rc; /* write_off unchanged: the partial record is overwritten */
    }
    w->write_off += sizeof(hdr) + len;
    w->st.spill_batches++;
    w->st.spill_bytes += len;
    w->st.spilled++;
    return 0;
}

static void resend_push(struct shoal_resend *w, struct resend_batch *b)
{
    b->next = NULL;
    if (w->tail != NULL) {
        w->tail->next = b;
    } else {
        w->head = b;
    }
    w->tail = b;
    w->st.mem_batches++;
    w->st.mem_bytes += b->len;
}

/* Move the live spill records to the front of the file, dropping the
 * acknowledged ones before them.  Returns 0 or a negative errno. */
static int resend_compact(struct shoal_resend *w)
{
    unsigned char chunk[65536];
    uint64_t src = w->read_off, dst = 0;
    int rc;

    while (src < w->write_off) {
        size_t n =
            w->write_off - src < sizeof(chunk) ? (size_t)(w->write_off - src) : sizeof(chunk);
        if ((rc = shoal_pread_all(w->fd, chunk, n, src)) < 0 ||
            (rc = shoal_pwrite_all(w->fd, chunk, n, dst)) < 0) {
            return rc; /* nothing moved yet is lost: offsets are unchanged */
        }
        src += n;
        dst += n;
    }
    w->write_off -= w->read_off;
    w->read_off = 0;
    w->st.compactions++;
    return ftruncate(w->fd, (off_t)w->write_off) < 0 ? -errno : 0;
}

int shoal_resend_add(struct shoal_resend *w, uint64_t seq, const void *buf, size_t len)
{
    int rc;

    if (seq != w->next_seq || (buf == NULL && len > 0)) {
        return -EINVAL;
    }
    if (w->st.spill_batches == 0 && w->st.mem_bytes + len <= w->mem_max) {
        struct resend_batch *b = malloc(sizeof(*b) + len);
        if (b != NULL) {
            b->seq = seq;
            b->len = len;
            if (len > 0) {
                memcpy(b->data, buf, len);
            }
            resend_push(w, b);
            w->next_seq++;
            return 0;
        }
        /* Out of memory: try the disk. */
    }
    if (len <= UINT32_MAX && w->write_off + RESEND_HDR + len > w->disk_max && w->read_off > 0 &&
        w->write_off - w->read_off + RESEND_HDR + len <= w->disk_max) {
        /* Room is held by acknowledged records at the front. */
        if ((rc = resend_compact(w)) < 0) {
            goto out_drop;
        }
    }
    if (len <= UINT32_MAX && w->write_off + RESEND_HDR + len <= w->disk_max) {
        rc = resend_spill(w, seq, buf, len);
        if (rc == 0) {
            w->next_seq++;
            return 0;
        }
    } else {
        rc = -ENOBUFS;
    }

out_drop:
    w->st.dropped_batches++;
    w->st.dropped_bytes += len;
    return rc;
}

/* Read the spill record at off: its sequence and length. */
static int resend_read_hdr(struct shoal_resend *w, uint64_t off, uint64_t want_seq, size_t *len)
{
    uint8_t hdr[RESEND_HDR];
    int rc = shoal_pread_all(w->fd, hdr, sizeof(hdr), off);

    if (rc < 0) {
        return rc;
    }
    if (shoal_le64(hdr) != want_seq) {
        return -EIO;
    }
    *len = (size_t)shoal_le32(hdr + 8);
    if (off + RESEND_HDR + *len > w->write_off) {
        return -EIO;
    }
    return 0;
}

/* Move spilled batches into memory while they fit; truncate the file
 * when it empties.  Returns 0 or a negative errno. */
static int resend_refill(struct shoal_resend *w)
{
    int rc;

    while (w->st.spill_batches > 0) {
        uint64_t seq = w->next_seq - w->st.spill_batches;
        size_t len;
        if ((rc = resend_read_hdr(w, w->read_off, seq, &len)) < 0) {
            return rc;
        }
        if (w->st.mem_bytes + len > w->mem_max) {
            break;
        }
        struct resend_batch *b = malloc(sizeof(*b) + len);
        if (b == NULL) {
            return -ENOMEM;
        }
        rc = shoal_pread_all(w->fd, b->data, len, w->read_off + RESEND_HDR);
        if (rc < 0) {
            free(b);
            return rc;
        }
        b->seq = seq;
        b->len = len;
        resend_push(w, b);
        w->read_off += RESEND_HDR + len;
        w->st.spill_batches--;
        w->st.spill_bytes -= len;
    }
    if (w->st.spill_batches == 0 && w->write_off > 0) {
        w->read_off = 0;
        w->write_off = 0;
        if (ftruncate(w->fd, 0) < 0) {
            return -errno;
        }
    }
    return 0;
}

int shoal_resend_ack(struct shoal_resend *w, uint64_t seq)
{
    int rc;

    if (seq >= w->next_seq) {
        return -EINVAL;
    }
    while (w->head != NULL && w->head->seq <= seq) {
        struct resend_batch *b = w->head;
        w->head = b->next;
        if (w->head == NULL) {
            w->tail = NULL;
        }
        w->st.mem_batches--;
        w->st.mem_bytes -= b->len;
        w->st.acked++;
        w->base = b->seq + 1;
        free(b);
    }
    while (w->st.spill_batches > 0 && w->next_seq - w->st.spill_batches <= seq) {
        uint64_t first = w->next_seq - w->st.spill_batches;
        size_t len;
        if ((rc = resend_read_hdr(w, w->read_off, first, &len)) < 0) {
            return rc;
        }
        w->read_off += RESEND_HDR + len;
        w->st.spill_batches--;
        w->st.spill_bytes -= len;
        w->st.acked++;
        w->base = first + 1;
    }
    return resend_refill(w);
}

int shoal_resend_for_each_unacked(struct shoal_resend *w, shoal_resend_cb cb, void *ctx)
{
    unsigned char *buf = NULL;
    size_t cap = 0;
    int rc = 0;

    for (struct resend_batch *b = w->head; b != NULL; b = b->next) {
        rc = cb(ctx, b->seq, b->data, b->len);
        if (rc != 0) {
            return rc;
        }
    }
    uint64_t off = w->read_off;
    for (uint64_t seq = w->next_seq - w->st.spill_batches; seq < w->next_seq; seq++) {
        size_t len;
        if ((rc = resend_read_hdr(w, off, seq, &len)) < 0) {
            goto out_free;
        }
        if (len > cap) {
            unsigned char *nb = realloc(buf, len);
            if (nb == NULL) {
                rc = -ENOMEM;
                goto out_free;
            }
            buf = nb;
            cap = len;
        }
        if ((rc = shoal_pread_all(w->fd, buf, len, off + RESEND_HDR)) < 0) {
            goto out_free;
        }
        off += RESEND_HDR + len;
        rc = cb(ctx, seq, buf, len);
        if (rc != 0) {
            goto out_free;
        }
    }

out_free:
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Dedup tracker */

struct dedup_sender {
    char *name;
    uint64_t epoch;
    uint64_t contiguous;
    uint64_t *pending; /* sorted, all > contiguous + 1 */
    size_t n_pending;
};

struct shoal_dedup {
    struct dedup_sender *senders;
    size_t n_senders;
    size_t max_senders;
    size_t max_pending;
};

struct shoal_dedup *shoal_dedup_new(size_t max_pending, size_t max_senders)
{
    struct shoal_dedup *d;

    if (max_pending == 0 || max_senders == 0) {
        return NULL;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return NULL;
    }
    d->max_pending = max_pending;
    d->max_senders = max_senders;
    return d;
}

static void dedup_clear(struct shoal_dedup *d)
{
    for (size_t i = 0; i < d->n_senders; i++) {
        free(d->senders[i].name);
        free(d->senders[i].pending);
    }
    free(d->senders);
    d->senders = NULL;
    d->n_senders = 0;
}

void shoal_dedup_free(struct shoal_dedup *d)
{
    if (d == NULL) {
        return;
    }
    dedup_clear(d);
    free(d);
}

static struct dedup_sender *dedup_find(const struct shoal_dedup *d, const char *name)
{
    for (size_t i = 0; i < d->n_senders; i++) {
        if (strcmp(d->senders[i].name, name) == 0) {
            return &d->senders[i];
        }
    }
    return NULL;
}

/* Find or add the sender; -ENOBUFS past max_senders. */
static int dedup_get(struct shoal_dedup *d, const char *name, uint64_t epoch,
                     struct dedup_sender **out)
{
    struct dedup_sender *s = dedup_find(d, name);

    if (s == NULL) {
        if (d->n_senders >= d->max_senders) {
            return -ENOBUFS;
        }
        struct dedup_sender *v = realloc(d->senders, (d->n_senders + 1) * sizeof(*v));
        if (v == NULL) {
            return -ENOMEM;
        }
        d->senders = v;
        s = &v[d->n_senders];
        memset(s, 0, sizeof(*s));
        s->name = strdup(name);
        if (s->name == NULL) {
            return -ENOMEM;
        }
        s->pending = calloc(d->max_pending, sizeof(*s->pending));
        if (s->pending == NULL) {
            free(s->name);
            return -ENOMEM;
        }
        s->epoch = epoch;
        d->n_senders++;
    }
    if (epoch < s->epoch) {
        return -ESTALE;
    }
    if (epoch > s->epoch) {
        s->epoch = epoch;
        s->contiguous = 0;
        s->n_pending = 0;
    }
    *out = s;
    return 0;
}

/* Raise contiguous to at least c and absorb the pending sequences that
 * now follow it. */
static void dedup_advance(struct dedup_sender *s, uint64_t c)
{
    size_t k = 0;

    if (c > s->contiguous) {
        s->contiguous = c;
    }
    while (k < s->n_pending && s->pending[k] <= s->contiguous + 1) {
        if (s->pending[k] == s->contiguous + 1) {
            s->contiguous++;
        }
        k++;
    }
    if (k > 0) {
        memmove(s->pending, s->pending + k, (s->n_pending - k) * sizeof(*s->pending));
        s->n_pending -= k;
    }
}

static bool dedup_pending_has(const struct dedup_sender *s, uint64_t seq, size_t *pos)
{
    size_t lo = 0, hi = s->n_pending;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->pending[mid] < seq) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *pos = lo;
    return lo < s->n_pending && s->pending[lo] == seq;
}

int shoal_dedup_check(struct shoal_dedup *d, const char *sender, uint64_t epoch, uint64_t base,
                      uint64_t seq)
{
    struct dedup_sender *s;
    size_t pos;
    int rc;

    if (seq == 0 || base == 0 || base > seq) {
        return -EINVAL;
    }
    if ((rc = dedup_get(d, sender, epoch, &s)) < 0) {
        return rc;
    }
    dedup_advance(s, base - 1);
    if (seq <= s->contiguous || dedup_pending_has(s, seq, &pos)) {
        return SHOAL_DEDUP_DUP;
    }
    if (seq > s->contiguous + 1 && s->n_pending >= d->max_pending) {
        return -ENOBUFS;
    }
    return SHOAL_DEDUP_NEW;
}

int shoal_dedup_mark(struct shoal_dedup *d, const char *sender, uint64_t epoch, uint64_t seq)
{
    struct dedup_sender *s;
    size_t pos;
    int rc;

    if (seq == 0) {
        return -EINVAL;
    }
    if ((rc = dedup_get(d, sender, epoch, &s)) < 0) {
        return rc;
    }
    if (seq <= s->contiguous || dedup_pending_has(s, seq, &pos)) {
        return 0;
    }
    if (seq == s->contiguous + 1) {
        dedup_advance(s, seq);
        return 0;
    }
    if (s->n_pending >= d->max_pending) {
        return -ENOBUFS;
    }
    memmove(s->pending + pos + 1, s->pending + pos, (s->n_pending - pos) * sizeof(*s->pending));
    s->pending[pos] = seq;
    s->n_pending++;
    return 0;
}

uint64_t shoal_dedup_acked(const struct shoal_dedup *d, const char *sender, uint64_t epoch)
{
    const struct dedup_sender *s = dedup_find(d, sender);

    return s != NULL && s->epoch == epoch ? s->contiguous : 0;
}

/* Save format, text: a line "shoal-dedup 1", then per sender
 * "<name> <epoch> <contiguous> <n> <seq>..." (names hold no blanks). */
int shoal_dedup_save(const struct shoal_dedup *d, const char *path)
{
    char *tmp;
    FILE *f;
    int rc = 0;

    if (asprintf(&tmp, "%s.tmp", path) < 0) {
        return -ENOMEM;
    }
    f = fopen(tmp, "we");
    if (f == NULL) {
        rc = -errno;
        goto out_tmp;
    }
    fprintf(f, "shoal-dedup 1\n");
    for (size_t i = 0; i < d->n_senders; i++) {
        const struct dedup_sender *s = &d->senders[i];
        fprintf(f, "%s %" PRIu64 " %" PRIu64 " %zu", s->name, s->epoch, s->contiguous,
                s->n_pending);
        for (size_t k = 0; k < s->n_pending; k++) {
            fprintf(f, " %" PRIu64, s->pending[k]);
        }
        fputc('\n', f);
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = -errno;
    }
    if (fclose(f) != 0 && rc == 0) {
        rc = -errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -errno;
    }
    if (rc < 0) {
        unlink(tmp);
    }

out_tmp:
    free(tmp);
    return rc;
}

int shoal_dedup_load(struct shoal_dedup *d, const char *path)
{
    char name[256];
    uint64_t epoch, contiguous, seq;
    size_t n;
    struct dedup_sender *s;
    int version;
    int rc = 0;
    FILE *f = fopen(path, "re");

    dedup_clear(d);
    if (f == NULL) {
        return -errno;
    }
    if (fscanf(f, "shoal-dedup %d", &version) != 1 || version != 1) {
        rc = -EBADMSG;
        goto out_close;
    }
    for (;;) {
        int k = fscanf(f, "%255s %" SCNu64 " %" SCNu64 " %zu", name, &epoch, &contiguous, &n);
        if (k == EOF) {
            break;
        }
        /* One line per sender, as many as this tracker holds. */
        if (k != 4 || n > d->max_pending || dedup_find(d, name) != NULL) {
            rc = -EBADMSG;
            goto out_clear;
        }
        if ((rc = dedup_get(d, name, epoch, &s)) < 0) {
            rc = rc == -ENOMEM ? rc : -EBADMSG;
            goto out_clear;
        }
        s->contiguous = contiguous;
        for (size_t i = 0; i < n; i++) {
            if (fscanf(f, "%" SCNu64, &seq) != 1 || seq <= contiguous + 1 ||
                (i > 0 && seq <= s->pending[i - 1])) {
                rc = -EBADMSG;
                goto out_clear;
            }
            s->pending[i] = seq;
        }
        s->n_pending = n;
    }
    goto out_close;

out_clear:
    dedup_clear(d);
out_close:
    fclose(f);
    return rc;
}
