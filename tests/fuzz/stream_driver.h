/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libFuzzer driver for TCP analyzers, shared by their targets: it drives
 * both directions of one connection through the fake host.  The input is
 * a list of segments, each a header byte (bit 0: originator, bit 1: a gap
 * of `length` bytes, bit 2 with length 0: EOF of that direction) and a
 * 2-byte big-endian length, then that many bytes (clamped to what is left).
 * Each segment is copied into a buffer of its own size, so that
 * AddressSanitizer catches a read past it.  `config` (the plugin's settings
 * struct, small bounds so the fuzzer reaches them) may be NULL.
 */
#ifndef SHOAL_FUZZ_STREAM_DRIVER_H
#define SHOAL_FUZZ_STREAM_DRIVER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

static inline int fuzz_stream_run(const struct shoal_plugin *p, const void *config, uint16_t resp_p,
                                  const uint8_t *data, size_t size)
{
    static void *ps;
    static const struct shoal_plugin *inited;
    const struct shoal_analyzer_ops *ops = p->ops;
    struct shoal_conn *c;
    void *cs;

    if (inited != p) {
        if (fakehost_init(p, config, &ps) != 0) {
            abort();
        }
        inited = p;
    }
    fakehost_reset();
    fakehost_reset_conns();
    c = fakehost_conn("192.0.2.1", 1234, "192.0.2.2", resp_p, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    if (c == NULL || cs == NULL) {
        free(cs);
        return 0;
    }
    if (ops->conn_new != NULL && ops->conn_new(ps, c, cs) == SHOAL_AN_DETACH) {
        size = 0;
    }
    while (size >= 3) {
        uint8_t h = data[0];
        size_t n = ((size_t)data[1] << 8) | data[2];
        bool is_orig = (h & 1) != 0;
        data += 3;
        size -= 3;
        if (n > size) {
            n = size;
        }
        if (h & 2) {
            if (ops->gap != NULL) {
                ops->gap(ps, c, cs, is_orig, n);
            }
            continue;
        }
        if (n == 0 && (h & 4)) {
            if (ops->eof != NULL) {
                ops->eof(ps, c, cs, is_orig);
            }
        } else {
            uint8_t *seg = malloc(n > 0 ? n : 1);
            int rc;
            if (seg == NULL) {
                break;
            }
            memcpy(seg, data, n);
            rc = ops->data(ps, c, cs, is_orig, seg, n);
            free(seg);
            if (rc == SHOAL_AN_DETACH) {
                break;
            }
        }
        data += n;
        size -= n;
    }
    if (ops->conn_done != NULL) {
        ops->conn_done(ps, c, cs);
    }
    free(cs);
    return 0;
}

#endif
