/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the xmpp analyzer, through the fake host: a mode
 * byte (ignored), then segments as tests/unit/fuzz_stream.h reads them.
 */
#include "fuzz_stream.h"

extern const struct shoal_plugin xmpp_LTX_shoal_plugin;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    return fuzz_stream_run(&xmpp_LTX_shoal_plugin, NULL, 5222, data + 1, size - 1);
}
