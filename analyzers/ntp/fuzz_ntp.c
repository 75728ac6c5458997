/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the ntp analyzer, driven through the fake host:
 * datagrams of one UDP/123 connection as tests/unit/fuzz_dgram.h splits
 * them (the connection ends after the last).
 */
#include "fuzz_dgram.h"

extern const struct shoal_plugin ntp_LTX_shoal_plugin;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_dgram_run(&ntp_LTX_shoal_plugin, NULL, 123, 123, data, size);
}
