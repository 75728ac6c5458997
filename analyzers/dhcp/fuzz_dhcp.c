/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the dhcp analyzer, driven through the fake host.
 * The first input byte picks, per datagram, which of three connections
 * (client broadcast, unicast, server broadcast) and direction the next
 * datagram takes; the rest is split at every "\xde\xad" marker into
 * datagrams, each copied into a buffer of its own size so a read past it
 * is caught.  Small limits make the fuzzer reach every write trigger; the
 * expiry rounds run between datagrams as the clock moves.
 */
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

extern const struct shoal_plugin dhcp_LTX_shoal_plugin;

static const struct {
    double max_txid_watch_time;
    int64_t max_uids_per_log_entry;
    int64_t max_msg_types_per_log_entry;
    int64_t max_transactions;
} fz_cfg = {30.0, 3, 8, 4};

static void *fz_ps;
static const struct shoal_analyzer_ops *fz_ops;
static double fz_now = 1.0;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fz_ps == NULL) {
        fz_ops = dhcp_LTX_shoal_plugin.ops;
        if (fakehost_init(&dhcp_LTX_shoal_plugin, &fz_cfg, &fz_ps) != 0) {
            abort();
        }
    }
    if (size < 1) {
        return 0;
    }
    unsigned pick = data[0];
    data++;
    size--;
    fakehost_reset();
    struct shoal_conn *c[3] = {
        fakehost_conn("0.0.0.0", 68, "255.255.255.255", 67, SHOAL_PROTO_UDP),
        fakehost_conn("10.0.0.5", 68, "10.0.0.1", 67, SHOAL_PROTO_UDP),
        fakehost_conn("10.0.0.1", 67, "255.255.255.255", 68, SHOAL_PROTO_UDP),
    };
    void *cs[3];
    for (int i = 0; i < 3; i++) {
        cs[i] = calloc(1, fz_ops->conn_size);
        if (c[i] == NULL || cs[i] == NULL) {
            abort();
        }
    }
    size_t start = 0;
    unsigned k = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || (i + 1 < size && data[i] == 0xde && data[i + 1] == 0xad)) {
            size_t n = i - start;
            unsigned which = ((pick >> (k % 4 * 2)) & 3) % 3;
            uint8_t *tmp = malloc(n ? n : 1);
            memcpy(tmp, data + start, n);
            fz_now += 0.5 + (double)(n % 8);
            fakehost_run_timers(fz_now);
            fakehost_set_time(fz_now);
            fz_ops->data(fz_ps, c[which], cs[which], (k & 1) == 0, tmp, n);
            free(tmp);
            k++;
            start = i + 2;
            i++;
        }
    }
    for (int i = 0; i < 3; i++) {
        free(cs[i]);
    }
    return 0;
}
