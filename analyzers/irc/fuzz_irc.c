/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the irc analyzer, through the fake host: segments
 * of one connection to 6667 as tests/unit/fuzz_stream.h reads them.  A
 * small max_line makes the fuzzer reach the line bound.
 */
#include "fuzz_stream.h"

extern const struct shoal_plugin irc_LTX_shoal_plugin;

static const struct {
    int64_t max_line;
} fz_cfg = {64};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_stream_run(&irc_LTX_shoal_plugin, &fz_cfg, 6667, data, size);
}
