/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the http analyzer: drives both directions of one
 * connection through the fake host.  The input is a list of segments, each
 * a header byte (bit 0: direction, bit 1: gap, bits 2-7 unused) followed by
 * a 2-byte big-endian length and that many bytes (clamped to what is left);
 * a zero-length segment with bit 2 set delivers an EOF for that direction.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

extern const struct shoal_plugin http_LTX_shoal_plugin;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void *ps;
    static const struct shoal_analyzer_ops *ops;
    struct shoal_conn *c;
    void *cs;

    if (ops == NULL) {
        ops = http_LTX_shoal_plugin.ops;
        if (fakehost_init(&http_LTX_shoal_plugin, NULL, &ps) != 0) {
            abort();
        }
    }
    fakehost_reset();
    c = fakehost_conn("192.0.2.1", 1234, "192.0.2.2", 80, 6);
    cs = calloc(1, ops->conn_size);
    if (c == NULL || cs == NULL) {
        free(cs);
        return 0;
    }
    ops->conn_new(ps, c, cs);
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
            ops->gap(ps, c, cs, is_orig, n);
        } else if (n == 0 && (h & 4)) {
            ops->eof(ps, c, cs, is_orig);
        } else if (ops->data(ps, c, cs, is_orig, data, n) == SHOAL_AN_DETACH) {
            break;
        }
        if (!(h & 2)) {
            data += n;
            size -= n;
        }
    }
    ops->conn_done(ps, c, cs);
    free(cs);
    return 0;
}
