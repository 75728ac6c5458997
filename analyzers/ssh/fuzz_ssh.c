/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the ssh analyzer, through the fake host: a mode
 * byte (ignored), then segments as tests/unit/fuzz_stream.h reads them.
 * max_packet is small so that the fuzzer reaches the bound.
 */
#include "fuzz_stream.h"

extern const struct shoal_plugin ssh_LTX_shoal_plugin;

static const struct {
    int64_t max_packet;
} fz_cfg = {2048};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    return fuzz_stream_run(&ssh_LTX_shoal_plugin, &fz_cfg, 22, data + 1, size - 1);
}
