/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the dispatcher's shared-memory rings (dispatch_ring.c): a
 * ring full refuses a frame and keeps what it holds; records of every size
 * wrap around the ring's end intact; a producer and a consumer in two
 * processes pass 200000 frames through a small ring, in order and
 * unchanged, the producer waiting for room and the consumer for frames,
 * and the consumer sees the end only after the last frame; a region is
 * found by its name only once it is ready.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"
#include "dispatch_ring.h"

static char test_name[64];

/* What a consumer saw. */
struct seen {
    uint64_t frames;
    uint64_t bad;
    uint64_t next; /* the sequence number expected */
};

/* Frame k: caplen k % 1500 (at least 4), bytes from k, ts k. */
static uint32_t frame_of(uint64_t k, uint8_t *buf)
{
    uint32_t len = (uint32_t)(k * 7919 % 1500);

    len = len < 8 ? 8 : len;
    memcpy(buf, &k, 8);
    for (uint32_t i = 8; i < len; i++) {
        buf[i] = (uint8_t)(k + i);
    }
    return len;
}

static void check_frame(void *arg, double ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
    struct seen *s = arg;
    uint8_t want[1600];
    uint32_t n = frame_of(s->next, want);

    s->bad += ts != (double)s->next || caplen != n || len != n + 1 || memcmp(data, want, n) != 0;
    s->next++;
    s->frames++;
}

static void test_full_and_wrap(void)
{
    struct dring_map m;
    uint8_t buf[1600];
    uint64_t tail = 0;
    struct seen s = {0};

    snprintf(test_name, sizeof(test_name), "/shoal-test-dring-%d", (int)getpid());
    CU_ASSERT_EQUAL_FATAL(dring_create(&m, test_name, 2, 8192, 1), 0);
    struct dring *r = &m.h->rings[1];
    /* fill: then a frame is refused and nothing moves */
    uint64_t k = 0;
    while (true) {
        uint32_t n = frame_of(k, buf);
        if (!dring_put(m.h, r, &tail, (double)k, buf, n, n + 1)) {
            break;
        }
        k++;
    }
    CU_ASSERT(k >= 4);
    uint64_t full = tail;
    uint32_t n = frame_of(k, buf);
    CU_ASSERT_FALSE(dring_put(m.h, r, &tail, (double)k, buf, n, n + 1));
    CU_ASSERT_EQUAL(tail, full);
    dring_publish(r, tail);
    CU_ASSERT_EQUAL((uint64_t)dring_take(m.h, r, 1000, check_frame, &s), k);
    CU_ASSERT_EQUAL(s.bad, 0);
    /* many rounds of the ring: every record across its end intact */
    for (int round = 0; round < 2000; round++) {
        uint32_t n = frame_of(k, buf);
        CU_ASSERT_FATAL(dring_put(m.h, r, &tail, (double)k, buf, n, n + 1));
        k++;
        dring_publish(r, tail);
        CU_ASSERT_EQUAL(dring_take(m.h, r, 10, check_frame, &s), 1);
    }
    CU_ASSERT_EQUAL(s.frames, k);
    CU_ASSERT_EQUAL(s.bad, 0);
    CU_ASSERT(tail > 10 * 8192); /* it went round */
    CU_ASSERT_FALSE(dring_ended(m.h, r));
    dring_finish(m.h);
    CU_ASSERT_TRUE(dring_ended(m.h, r));
    /* a frame larger than half a ring never fits */
    CU_ASSERT_FALSE(dring_put(m.h, r, &tail, 0, buf, 5000, 5000));
    dring_unmap(&m);
    shm_unlink(test_name);
}

static void consumer(const char *name, int out)
{
    struct dring_map m;
    struct seen s = {0};
    int tries = 0;

    while (dring_attach(&m, name) < 0 && tries++ < 500) {
        usleep(10000);
    }
    if (m.h == NULL) {
        _exit(2);
    }
    struct dring *r = &m.h->rings[0];
    __atomic_store_n(&r->attached, 1, __ATOMIC_RELEASE);
    while (!dring_ended(m.h, r)) {
        if (dring_take(m.h, r, 64, check_frame, &s) == 0) {
            dring_wait_frames(r, 50);
        }
    }
    if (write(out, &s, sizeof(s)) != (ssize_t)sizeof(s)) {
        _exit(3);
    }
    _exit(0);
}

static void test_two_processes(void)
{
    enum { FRAMES = 200000 };
    struct dring_map m;
    uint8_t buf[1600];
    uint64_t tail = 0;
    int fds[2];
    int status;
    struct seen s;
    uint64_t waits = 0;

    snprintf(test_name, sizeof(test_name), "/shoal-test-dring2-%d", (int)getpid());
    shm_unlink(test_name);
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        consumer(test_name, fds[1]);
    }
    close(fds[1]);
    usleep(50000); /* the consumer finds nothing first */
    CU_ASSERT_EQUAL_FATAL(dring_create(&m, test_name, 1, 65536, 1), 0);
    struct dring *r = &m.h->rings[0];
    for (uint64_t k = 0; k < FRAMES; k++) {
        uint32_t n = frame_of(k, buf);
        while (!dring_put(m.h, r, &tail, (double)k, buf, n, n + 1)) {
            dring_publish(r, tail);
            dring_wait_room(r, 50);
            waits++;
        }
        if (k % 32 == 31) {
            dring_publish(r, tail);
        }
    }
    dring_publish(r, tail);
    dring_finish(m.h);
    CU_ASSERT_EQUAL(read(fds[0], &s, sizeof(s)), (ssize_t)sizeof(s));
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_EQUAL(s.frames, FRAMES);
    CU_ASSERT_EQUAL(s.bad, 0);
    CU_ASSERT(waits > 0); /* 200000 frames do not fit in 64 KiB: it waited */
    printf("\n  %d frames through a 64 KiB ring, the producer waited %llu times", FRAMES,
           (unsigned long long)waits);
    close(fds[0]);
    dring_unmap(&m);
    shm_unlink(test_name);
}

static void test_attach(void)
{
    struct dring_map m = {0}, w = {0};
    char name[64], other[64];

    snprintf(test_name, sizeof(test_name), "/shoal-test-dring3-%d", (int)getpid());
    CU_ASSERT_EQUAL(dring_attach(&w, test_name), -ENOENT);
    CU_ASSERT_EQUAL_FATAL(dring_create(&m, test_name, 3, 4096, 105), 0);
    CU_ASSERT_EQUAL_FATAL(dring_attach(&w, test_name), 0);
    CU_ASSERT_EQUAL(w.h->nworkers, 3);
    CU_ASSERT_EQUAL(w.h->dlt, 105);
    dring_unmap(&w);
    dring_unmap(&m);
    shm_unlink(test_name);
    dring_name(name, sizeof(name), "file:/a/b.pcap:2");
    dring_name(other, sizeof(other), "file:/a/b.pcap:3");
    CU_ASSERT_STRING_NOT_EQUAL(name, other);
    CU_ASSERT_EQUAL(strncmp(name, "/shoal-ds-", 10), 0);
}

static int dring_suite(void)
{
    CU_pSuite s = CU_add_suite("dispatch_ring", NULL, NULL);

    if (s == NULL || CU_add_test(s, "a full ring, wrapping", test_full_and_wrap) == NULL ||
        CU_add_test(s, "two processes", test_two_processes) == NULL ||
        CU_add_test(s, "attach by name", test_attach) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}

int main(void)
{
    int (*const suites[])(void) = {dring_suite};

    return shoal_cunit_main("test_dispatch_ring", suites, 1);
}
