/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the snmp analyzer, driven through the fake host.
 * The input is split at every "\xde\xad" marker into datagrams of
 * alternating direction on one UDP/161 connection, each copied into a
 * buffer of its own size so a read past it is caught; the connection ends
 * (its record written) after the last.  A small max_string makes the
 * fuzzer reach the string bound.
 */
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

extern const struct shoal_plugin snmp_LTX_shoal_plugin;

static const struct {
    int64_t max_string;
} fz_cfg = {16};

static void *fz_ps;
static const struct shoal_analyzer_ops *fz_ops;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fz_ps == NULL) {
        fz_ops = snmp_LTX_shoal_plugin.ops;
        if (fakehost_init(&snmp_LTX_shoal_plugin, &fz_cfg, &fz_ps) != 0) {
            abort();
        }
    }
    fakehost_reset();
    struct shoal_conn *c = fakehost_conn("10.0.0.1", 40000, "10.0.0.2", 161, SHOAL_PROTO_UDP);
    void *cs = calloc(1, fz_ops->conn_size);
    if (c == NULL || cs == NULL) {
        abort();
    }
    size_t start = 0;
    bool dir = true;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || (i + 1 < size && data[i] == 0xde && data[i + 1] == 0xad)) {
            size_t n = i - start;
            uint8_t *tmp = malloc(n ? n : 1);
            memcpy(tmp, data + start, n);
            fakehost_set_time(1.0 + (double)i / 1000.0);
            fz_ops->data(fz_ps, c, cs, dir, tmp, n);
            free(tmp);
            dir = !dir;
            start = i + 2;
            i++;
        }
    }
    fz_ops->conn_done(fz_ps, c, cs);
    free(cs);
    return 0;
}
