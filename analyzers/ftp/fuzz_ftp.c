/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target of the ftp analyzer: one control connection to port 21,
 * both directions driven from the input (format: tests/unit/fuzz_stream.h).
 * The fake host records the data channels it announces.
 */
#include "fuzz_stream.h"

/* struct ftp_config with small bounds */
static const struct {
    int64_t i[7];
    double timeout;
    bool capture_password;
} fuzz_ftp_cfg = {{64, 16, 4, 16, 16, 64, 64}, 300.0, false};

extern const struct shoal_plugin ftp_LTX_shoal_plugin;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_stream_run(&ftp_LTX_shoal_plugin, &fuzz_ftp_cfg, 21, data, size);
}
