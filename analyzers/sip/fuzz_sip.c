/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the sip analyzer, driven through the fake host:
 * datagrams of one UDP/5060 connection as tests/unit/fuzz_dgram.h splits
 * them (the connection ends after the last).  A small max_text makes
 * the fuzzer reach the arena's compaction and its bound.
 */
#include "fuzz_dgram.h"

extern const struct shoal_plugin sip_LTX_shoal_plugin;

static const struct {
    int64_t max_text;
} fz_cfg = {512};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_dgram_run(&sip_LTX_shoal_plugin, &fz_cfg, 5060, 5060, data, size);
}
