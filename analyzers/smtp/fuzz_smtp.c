/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the smtp analyzer: one connection to port 25, both
 * directions driven from the input (format: tests/unit/fuzz_stream.h).
 */
#include "fuzz_stream.h"

/* struct smtp_config with small bounds */
static const int64_t fuzz_smtp_cfg[6] = {64, 128, 4, 4, 4, 3};

extern const struct shoal_plugin smtp_LTX_shoal_plugin;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_stream_run(&smtp_LTX_shoal_plugin, &fuzz_smtp_cfg, 25, data, size);
}
