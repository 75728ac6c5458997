/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The segment format the stream fuzz targets share (fuzz_ssh, fuzz_xmpp;
 * seeds cut from pcaps by tests/fuzz/pcap_segments.py): after the
 * target's mode byte, segments of a header byte (bit 0: from the
 * originator, bit 1: a gap of that length instead of data), a 2-byte
 * big-endian length and the bytes.  Each segment is copied into a buffer
 * of its own size, so that a read past it is caught; a detach ends the
 * feeding, as the core does.  conn_done is the caller's.
 */
#ifndef SHOAL_FUZZ_STREAM_H
#define SHOAL_FUZZ_STREAM_H

#include <stdlib.h>
#include <string.h>

#include <shoal/shoal.h>

static inline void fuzz_stream(const struct shoal_analyzer_ops *ops, void *ps, struct shoal_conn *c,
                               void *cs, const uint8_t *data, size_t size)
{
    bool done = false;

    while (size >= 3 && !done) {
        uint8_t h = data[0];
        size_t n = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (n > size) {
            n = size;
        }
        if (h & 2) {
            if (ops->gap != NULL) {
                ops->gap(ps, c, cs, h & 1, n);
            }
            continue;
        }
        uint8_t *tmp = malloc(n ? n : 1);
        if (tmp == NULL) {
            abort();
        }
        memcpy(tmp, data, n);
        done = ops->data(ps, c, cs, h & 1, tmp, n) == SHOAL_AN_DETACH;
        free(tmp);
        data += n;
        size -= n;
    }
}

#endif
