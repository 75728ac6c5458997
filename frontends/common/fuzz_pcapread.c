/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: any bytes as a trace file read by pcapread.c, through
 * the smallest buffer it takes so that records cross its end, with a
 * snapshot length from the input's last byte.  Every frame handed out lies
 * inside the buffer and is no longer than the snapshot; the walk ends, at
 * the file's end or with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcapread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[PCAPREAD_MIN_BUFFER];
    struct pcapread r;
    struct pcapread_rec rec;
    int fd = memfd_create("fuzz_pcapread", MFD_CLOEXEC);
    int rc;

    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        abort();
    }
    if (pcapread_begin(&r, fd, buf, sizeof(buf)) == 0 &&
        pcapread_limits(&r, size > 0 ? data[size - 1] * 97u : 0, 1) == 0) {
        while ((rc = pcapread_next(&r, &rec)) > 0) {
            if (rec.data < buf || rec.caplen > r.snapshot ||
                rec.data + rec.caplen > buf + sizeof(buf)) {
                abort();
            }
            volatile uint8_t sink = rec.caplen > 0 ? rec.data[rec.caplen - 1] : 0;
            (void)sink;
        }
        if (rc < 0 && r.err[0] == '\0') {
            abort();
        }
    }
    close(fd);
    return 0;
}
