/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the ssh analyzer, through the fake host.  The
 * input is a mode byte (ignored, kept for the seed format shared with
 * fuzz_ssl), then segments: a header byte (bit 0: from the originator,
 * bit 1: a gap instead of data), a 2-byte length, the bytes.  Each
 * segment is copied into a buffer of its own size, so that a read past it
 * is caught.  A detach ends the connection, as the core does.
 */
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

extern const struct shoal_plugin ssh_LTX_shoal_plugin;

static void *fz_ps;
static const struct shoal_analyzer_ops *fz_ops;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        int64_t max_packet;
    } cfg = {2048};

    if (fz_ps == NULL) {
        fz_ops = ssh_LTX_shoal_plugin.ops;
        if (fakehost_init(&ssh_LTX_shoal_plugin, &cfg, &fz_ps) != 0) {
            abort();
        }
    }
    if (size < 1) {
        return 0;
    }
    data++;
    size--;
    fakehost_reset();
    struct shoal_conn *c = fakehost_conn("10.0.0.1", 50000, "10.0.0.2", 22, SHOAL_PROTO_TCP);
    void *cs = calloc(1, fz_ops->conn_size);
    if (c == NULL || cs == NULL) {
        abort();
    }
    fakehost_set_time(1.0);
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
            fz_ops->gap(fz_ps, c, cs, h & 1, n);
            continue;
        }
        uint8_t *tmp = malloc(n ? n : 1);
        memcpy(tmp, data, n);
        done = fz_ops->data(fz_ps, c, cs, h & 1, tmp, n) == SHOAL_AN_DETACH;
        free(tmp);
        data += n;
        size -= n;
    }
    fz_ops->conn_done(fz_ps, c, cs);
    free(cs);
    return 0;
}
