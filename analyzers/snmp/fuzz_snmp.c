/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the snmp analyzer, driven through the fake host:
 * datagrams of one UDP/161 connection as tests/unit/fuzz_dgram.h splits
 * them (the connection ends after the last).  A small max_string makes
 * the fuzzer reach the string bound.
 */
#include "fuzz_dgram.h"

extern const struct shoal_plugin snmp_LTX_shoal_plugin;

static const struct {
    int64_t max_string;
} fz_cfg = {16};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_dgram_run(&snmp_LTX_shoal_plugin, &fz_cfg, 40000, 161, data, size);
}
