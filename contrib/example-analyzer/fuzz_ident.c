/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the ident analyzer: both directions of one connection
 * through the fake host (tests/unit/fakehost.h), with a small max_line so
 * that the bound is reached.  The input is a list of segments: a header
 * byte (bit 0: from the originator, bit 1: a gap of the segment's length,
 * bit 2 with length 0: FIN), a 2-byte big-endian length, then that many
 * bytes (clamped to what is left).  Each segment is copied to a buffer of
 * its own size so that a read past it is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

extern const struct shoal_plugin ident_LTX_shoal_plugin;

/* The layout of the plugin's struct ident_config. */
static const struct {
    int64_t max_line;
} fz_config = {64};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void *ps;
    static const struct shoal_analyzer_ops *ops;
    struct shoal_conn *c;
    void *cs;

    if (ops == NULL) {
        ops = ident_LTX_shoal_plugin.ops;
        if (fakehost_init(&ident_LTX_shoal_plugin, &fz_config, &ps) != 0) {
            abort();
        }
    }
    fakehost_reset();
    c = fakehost_conn("192.0.2.1", 1234, "192.0.2.2", 113, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    if (c == NULL || cs == NULL) {
        free(cs);
        return 0;
    }
    while (size >= 3) {
        uint8_t h = data[0];
        size_t n = ((size_t)data[1] << 8) | data[2];
        bool is_orig = (h & 1) != 0;
        int rc = SHOAL_AN_OK;

        data += 3;
        size -= 3;
        if (n > size) {
            n = size;
        }
        if (h & 2) {
            ops->gap(ps, c, cs, is_orig, n);
            continue;
        }
        if (n == 0 && (h & 4)) {
            ops->eof(ps, c, cs, is_orig);
            continue;
        }
        uint8_t *seg = malloc(n > 0 ? n : 1);
        if (seg == NULL) {
            break;
        }
        memcpy(seg, data, n);
        rc = ops->data(ps, c, cs, is_orig, seg, n);
        free(seg);
        if (rc == SHOAL_AN_DETACH) {
            break;
        }
        data += n;
        size -= n;
    }
    ops->conn_done(ps, c, cs);
    free(cs);
    return 0;
}
