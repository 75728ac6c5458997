/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the ssh analyzer, through the fake host: a mode
 * byte (ignored), then segments as tests/unit/fuzz_stream.h reads them.
 * max_packet is small so that the fuzzer reaches the bound.
 */
#include <stdlib.h>

#include "fakehost.h"
#include "fuzz_stream.h"

extern const struct shoal_plugin ssh_LTX_shoal_plugin;

static void *fz_ps;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        int64_t max_packet;
    } cfg = {2048};
    const struct shoal_analyzer_ops *ops = ssh_LTX_shoal_plugin.ops;

    if (fz_ps == NULL && fakehost_init(&ssh_LTX_shoal_plugin, &cfg, &fz_ps) != 0) {
        abort();
    }
    if (size < 1) {
        return 0;
    }
    fakehost_reset();
    struct shoal_conn *c = fakehost_conn("10.0.0.1", 50000, "10.0.0.2", 22, SHOAL_PROTO_TCP);
    void *cs = calloc(1, ops->conn_size);
    if (c == NULL || cs == NULL) {
        abort();
    }
    fakehost_set_time(1.0);
    fuzz_stream(ops, fz_ps, c, cs, data + 1, size - 1);
    ops->conn_done(fz_ps, c, cs);
    free(cs);
    return 0;
}
