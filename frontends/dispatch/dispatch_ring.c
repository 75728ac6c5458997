/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared-memory rings between a dispatcher and its workers (see
 * dispatch_ring.h).  A record never straddles the end of a ring: when the
 * rest of the ring is too short, a wrap marker fills it and the record
 * starts at the beginning.  Futexes are process-shared (the region is a
 * MAP_SHARED mapping), and each wait has a time-out, so a wake-up lost to
 * a race costs at most that long, never a hang.
 */
#include "dispatch_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DRING_ALIGN 8u

static uint64_t dring_round(uint64_t n)
{
    return (n + DRING_ALIGN - 1) & ~(uint64_t)(DRING_ALIGN - 1);
}

size_t dring_region_size(uint32_t n, uint64_t ring_bytes)
{
    size_t head = sizeof(struct dring_header) + (size_t)n * sizeof(struct dring);

    head = (head + 4095) & ~(size_t)4095;
    return head + (size_t)n * ring_bytes;
}

void dring_layout(struct dring_header *h, uint32_t n, uint64_t ring_bytes, int dlt)
{
    size_t off = dring_region_size(n, 0);

    h->nworkers = n;
    h->dlt = dlt;
    h->ring_bytes = ring_bytes;
    h->region_bytes = dring_region_size(n, ring_bytes);
    for (uint32_t i = 0; i < n; i++) {
        h->rings[i].cap = ring_bytes;
        h->rings[i].data = off + (uint64_t)i * ring_bytes;
    }
    h->magic = DRING_MAGIC;
    __atomic_store_n(&h->ready, 1, __ATOMIC_RELEASE);
}

void dring_name(char *buf, size_t len, const char *channel)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

    for (const char *p = channel; p != NULL && *p != '\0'; p++) {
        h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
    }
    snprintf(buf, len, "/shoal-ds-%016llx", (unsigned long long)h);
}

int dring_create(struct dring_map *m, const char *name, uint32_t n, uint64_t ring_bytes, int dlt)
{
    size_t size = dring_region_size(n, ring_bytes);
    int fd, rc = 0;

    shm_unlink(name);
    fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -errno;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        rc = -errno;
        goto out_close;
    }
    m->h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m->h == MAP_FAILED) {
        rc = -errno;
        m->h = NULL;
        goto out_close;
    }
    m->size = size;
    dring_layout(m->h, n, ring_bytes, dlt);
out_close:
    close(fd);
    if (rc < 0) {
        shm_unlink(name);
    }
    return rc;
}

int dring_attach(struct dring_map *m, const char *name)
{
    struct stat st;
    int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
    int rc = 0;

    if (fd < 0) {
        return -errno;
    }
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto out_close;
    }
    if ((size_t)st.st_size < sizeof(struct dring_header)) {
        rc = -ENOENT; /* being made */
        goto out_close;
    }
    m->h = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m->h == MAP_FAILED) {
        rc = -errno;
        m->h = NULL;
        goto out_close;
    }
    m->size = (size_t)st.st_size;
    if (__atomic_load_n(&m->h->ready, __ATOMIC_ACQUIRE) == 0 || m->h->magic != DRING_MAGIC ||
        m->h->region_bytes != m->size) {
        dring_unmap(m);
        rc = -ENOENT;
    }
out_close:
    close(fd);
    return rc;
}

void dring_unmap(struct dring_map *m)
{
    if (m->h != NULL) {
        munmap(m->h, m->size);
    }
    m->h = NULL;
    m->size = 0;
}

static void dring_futex_wait(uint32_t *addr, uint32_t val, int timeout_ms)
{
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};

    syscall(SYS_futex, addr, FUTEX_WAIT, val, &ts, NULL, 0);
}

static void dring_futex_wake(uint32_t *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static uint8_t *dring_data(struct dring_header *h, const struct dring *r)
{
    return (uint8_t *)h + r->data;
}

bool dring_put(struct dring_header *h, struct dring *r, uint64_t *tail, double ts,
               const uint8_t *data, uint32_t caplen, uint32_t len)
{
    uint64_t need = dring_round(sizeof(struct dring_rec) + caplen);
    uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    uint64_t pos = *tail & (r->cap - 1);
    uint64_t rest = r->cap - pos;
    uint64_t skip = rest < need ? rest : 0;
    uint8_t *base = dring_data(h, r);

    if (need > r->cap / 2 || *tail + skip + need - head > r->cap) {
        return false;
    }
    if (skip > 0) {
        /* rest >= 8 always (positions are multiples of 8): room for the marker */
        struct dring_rec wrap = {.caplen = DRING_WRAP};
        memcpy(base + pos, &wrap, rest < sizeof(wrap) ? rest : sizeof(wrap));
        *tail += skip;
        pos = 0;
    }
    struct dring_rec rec = {.ts = ts, .caplen = caplen, .len = len};
    memcpy(base + pos, &rec, sizeof(rec));
    memcpy(base + pos + sizeof(rec), data, caplen);
    *tail += need;
    return true;
}

void dring_publish(struct dring *r, uint64_t tail)
{
    __atomic_store_n(&r->tail, tail, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&r->consumer_sleeps, __ATOMIC_SEQ_CST) != 0) {
        __atomic_store_n(&r->consumer_sleeps, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&r->prod_seq, 1, __ATOMIC_SEQ_CST);
        dring_futex_wake(&r->prod_seq);
    }
}

void dring_wait_room(struct dring *r, int timeout_ms)
{
    uint32_t seq = __atomic_load_n(&r->cons_seq, __ATOMIC_SEQ_CST);
    uint64_t head = __atomic_load_n(&r->head, __ATOMIC_SEQ_CST);

    __atomic_store_n(&r->producer_sleeps, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&r->head, __ATOMIC_SEQ_CST) == head) {
        dring_futex_wait(&r->cons_seq, seq, timeout_ms);
    }
    __atomic_store_n(&r->producer_sleeps, 0, __ATOMIC_SEQ_CST);
}

void dring_finish(struct dring_header *h)
{
    __atomic_store_n(&h->eof, 1, __ATOMIC_SEQ_CST);
    for (uint32_t i = 0; i < h->nworkers; i++) {
        __atomic_add_fetch(&h->rings[i].prod_seq, 1, __ATOMIC_SEQ_CST);
        dring_futex_wake(&h->rings[i].prod_seq);
    }
}

int dring_take(struct dring_header *h, struct dring *r, int max, dring_frame_fn fn, void *arg)
{
    uint64_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    uint64_t head = r->head;
    uint8_t *base = dring_data(h, r);
    int n = 0;

    while (n < max && head < tail) {
        uint64_t pos = head & (r->cap - 1);
        struct dring_rec rec;
        if (r->cap - pos < sizeof(rec)) {
            head += r->cap - pos; /* a marker cut short by the ring's end */
            continue;
        }
        memcpy(&rec, base + pos, sizeof(rec));
        if (rec.caplen == DRING_WRAP) {
            head += r->cap - pos;
            continue;
        }
        fn(arg, rec.ts, base + pos + sizeof(rec), rec.caplen, rec.len);
        head += dring_round(sizeof(rec) + rec.caplen);
        n++;
    }
    __atomic_store_n(&r->head, head, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&r->producer_sleeps, __ATOMIC_SEQ_CST) != 0) {
        __atomic_add_fetch(&r->cons_seq, 1, __ATOMIC_SEQ_CST);
        dring_futex_wake(&r->cons_seq);
    }
    return n;
}

void dring_wait_frames(struct dring *r, int timeout_ms)
{
    uint32_t seq = __atomic_load_n(&r->prod_seq, __ATOMIC_SEQ_CST);

    __atomic_store_n(&r->consumer_sleeps, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&r->tail, __ATOMIC_SEQ_CST) == r->head) {
        dring_futex_wait(&r->prod_seq, seq, timeout_ms);
    }
    __atomic_store_n(&r->consumer_sleeps, 0, __ATOMIC_SEQ_CST);
}

bool dring_ended(const struct dring_header *h, const struct dring *r)
{
    return __atomic_load_n(&h->eof, __ATOMIC_ACQUIRE) != 0 &&
           __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == r->head;
}
