/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the classic pcap reader (pcapread.c): 3000 records of
 * every size cross the smallest buffer's end intact, in order, with their
 * timestamps (microseconds; nanoseconds cut as libpcap cuts them) and
 * lengths, in both byte orders; a frame over the snapshot is cut to it and
 * the next record still found; a record cut short by the file's end and a
 * capture length over 256 KiB end the walk with libpcap's words; pcapng,
 * a version before 2.4 and link types with longer frames are left to
 * libpcap.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "cunit_run.h"
#include "pcapread.h"

static uint8_t rbuf[PCAPREAD_MIN_BUFFER];

/* A file of the given bytes; its descriptor (removed from the folder). */
static int temp_file(const uint8_t *data, size_t len)
{
    char path[] = "/tmp/shoal-test-pcapread-XXXXXX";
    int fd = mkstemp(path);

    CU_ASSERT_FATAL(fd >= 0);
    unlink(path);
    CU_ASSERT_FATAL(write(fd, data, len) == (ssize_t)len);
    return fd;
}

static uint32_t u32(uint32_t v, bool swap)
{
    return swap ? __builtin_bswap32(v) : v;
}

static size_t put_header(uint8_t *p, bool swap, uint32_t magic, uint16_t minor)
{
    uint32_t h[6] = {u32(magic, swap), 0, 0, 0, u32(65535, swap), u32(1, swap)};
    uint16_t v[2] = {2, minor};

    if (swap) {
        v[0] = __builtin_bswap16(v[0]);
        v[1] = __builtin_bswap16(v[1]);
    }
    memcpy(h + 1, v, sizeof(v));
    memcpy(p, h, sizeof(h));
    return sizeof(h);
}

/* Record k: caplen k * 7919 % 3000, bytes from k. */
static size_t put_rec(uint8_t *p, bool swap, uint32_t k, uint32_t frac)
{
    uint32_t caplen = k * 7919u % 3000u;
    uint32_t h[4] = {u32(1000 + k, swap), u32(frac, swap), u32(caplen, swap),
                     u32(caplen + 4, swap)};

    memcpy(p, h, sizeof(h));
    for (uint32_t i = 0; i < caplen; i++) {
        p[16 + i] = (uint8_t)(k + i);
    }
    return 16 + caplen;
}

static void test_many_records(void)
{
    size_t cap = 24 + 3000 * (16 + 3000);
    uint8_t *file = malloc(cap);

    CU_ASSERT_FATAL(file != NULL);
    for (int swap = 0; swap < 2; swap++) {
        size_t n = put_header(file, swap, 0xa1b23c4du, 4); /* nanoseconds */
        for (uint32_t k = 0; k < 3000; k++) {
            n += put_rec(file + n, swap, k, 250999 + k);
        }
        int fd = temp_file(file, n);
        struct pcapread r;
        struct pcapread_rec rec;
        uint32_t k = 0, bad = 0;
        CU_ASSERT_EQUAL_FATAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), 0);
        CU_ASSERT_EQUAL_FATAL(pcapread_limits(&r, 65535, 1), 0);
        CU_ASSERT_EQUAL(r.swapped, swap);
        while (pcapread_next(&r, &rec) == 1) {
            uint32_t caplen = k * 7919u % 3000u;
            double ts = (double)(1000 + k) + (double)((250999 + k) / 1000) / 1e6;
            bad += rec.caplen != caplen || rec.len != caplen + 4 || rec.ts != ts;
            for (uint32_t i = 0; i < rec.caplen; i++) {
                bad += rec.data[i] != (uint8_t)(k + i);
            }
            k++;
        }
        CU_ASSERT_EQUAL(k, 3000);
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(pcapread_pos(&r), n);
        CU_ASSERT_EQUAL(pcapread_next(&r, &rec), 0);
        close(fd);
    }
    free(file);
}

static void test_snapshot_and_errors(void)
{
    static uint8_t file[8192];
    struct pcapread r;
    struct pcapread_rec rec;
    size_t n = put_header(file, false, 0xa1b2c3d4u, 4);

    n += put_rec(file + n, false, 1, 5); /* 1919 bytes */
    n += put_rec(file + n, false, 2, 6); /* 838 */
    int fd = temp_file(file, n);
    CU_ASSERT_EQUAL_FATAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), 0);
    CU_ASSERT_EQUAL_FATAL(pcapread_limits(&r, 1000, 1), 0);
    CU_ASSERT_EQUAL(pcapread_next(&r, &rec), 1);
    CU_ASSERT_EQUAL(rec.caplen, 1000); /* cut to the snapshot */
    CU_ASSERT_EQUAL(rec.len, 1923);
    CU_ASSERT_DOUBLE_EQUAL(rec.ts, 1001.000005, 1e-9);
    CU_ASSERT_EQUAL(pcapread_next(&r, &rec), 1); /* found past the cut bytes */
    CU_ASSERT_EQUAL(rec.data[0], 2);
    close(fd);

    /* the last record cut short, then a header cut short */
    fd = temp_file(file, n - 1);
    CU_ASSERT_EQUAL_FATAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), 0);
    CU_ASSERT_EQUAL(pcapread_next(&r, &rec), 1);
    CU_ASSERT_EQUAL(pcapread_next(&r, &rec), -EIO);
    CU_ASSERT_STRING_EQUAL(r.err, "truncated dump file; tried to read 838 captured bytes, only "
                                  "got 837");
    close(fd);
    fd = temp_file(file, 24 + 16 + 1919 + 7);
    CU_ASSERT_EQUAL_FATAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), 0);
    CU_ASSERT_EQUAL(pcapread_next(&r, &rec), 1);
    CU_ASSERT_EQUAL(pcapread_next(&r, &rec), -EIO);
    CU_ASSERT_STRING_EQUAL(r.err, "truncated dump file; tried to read 16 header bytes, only got 7");
    close(fd);

    /* a capture length no link type here allows */
    uint32_t huge = 300000;
    memcpy(file + 24 + 8, &huge, 4);
    fd = temp_file(file, n);
    CU_ASSERT_EQUAL_FATAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), 0);
    CU_ASSERT_EQUAL(pcapread_next(&r, &rec), -EIO);
    CU_ASSERT_STRING_EQUAL(r.err,
                           "invalid packet capture length 300000, bigger than snaplen of 262144");
    close(fd);
}

static void test_left_to_libpcap(void)
{
    uint8_t file[64] = {0};
    struct pcapread r;
    uint32_t ng = 0x0a0d0d0a;
    int fd;

    memcpy(file, &ng, 4); /* pcapng */
    fd = temp_file(file, sizeof(file));
    CU_ASSERT_EQUAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), -ENOTSUP);
    close(fd);
    put_header(file, true, 0xa1b2c3d4u, 2); /* version 2.2 */
    fd = temp_file(file, sizeof(file));
    CU_ASSERT_EQUAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), -ENOTSUP);
    close(fd);
    put_header(file, true, 0xa1b2c3d4u, 4);
    fd = temp_file(file, 20); /* shorter than a header */
    CU_ASSERT_EQUAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), -ENOTSUP);
    close(fd);
    fd = temp_file(file, sizeof(file));
    CU_ASSERT_EQUAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf) - 1), -ENOTSUP); /* too small */
    CU_ASSERT_EQUAL_FATAL(pcapread_begin(&r, fd, rbuf, sizeof(rbuf)), 0);
    CU_ASSERT_EQUAL(pcapread_limits(&r, 0, 249), -ENOTSUP); /* USBPCAP */
    CU_ASSERT_EQUAL(pcapread_limits(&r, 0, 1), 0);
    CU_ASSERT_EQUAL(r.snapshot, PCAPREAD_MAX_CAPLEN); /* 0: the largest */
    close(fd);
}

static int pcapread_suite(void)
{
    CU_pSuite s = CU_add_suite("pcapread", NULL, NULL);

    if (s == NULL || CU_add_test(s, "3000 records across refills", test_many_records) == NULL ||
        CU_add_test(s, "snapshot and errors", test_snapshot_and_errors) == NULL ||
        CU_add_test(s, "left to libpcap", test_left_to_libpcap) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}

int main(void)
{
    int (*const suites[])(void) = {pcapread_suite};

    return shoal_cunit_main("test_pcapread", suites, 1);
}
