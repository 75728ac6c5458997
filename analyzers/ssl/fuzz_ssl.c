/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the ssl analyzer.  The first input byte picks the
 * mode: bit 0 DTLS (the parser directly, each segment a datagram), else
 * TLS through the plugin and the fake host.  The rest is a list of
 * segments: a header byte (bit 0: from the originator, bit 1: a gap
 * instead of data, bit 2: FIN), a 2-byte length, the bytes.  Each segment
 * is copied into a buffer of its own size, so that a read past it is
 * caught.  A detach ends the connection, as the core does.
 */
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "ssl_parse.h"

extern const struct shoal_plugin ssl_LTX_shoal_plugin;

static void *fz_ps;
static const struct shoal_analyzer_ops *fz_ops;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_violation(void *ud, const char *reason)
{
    (void)ud;
    (void)reason;
}
static void fz_nop(void *ud)
{
    (void)ud;
}
static void *fz_alloc(void *ud, size_t n)
{
    (void)ud;
    return calloc(1, n);
}
static void fz_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

static const struct ssl_parse_cb fz_cbs = {
    .confirm = fz_nop,
    .violation = fz_violation,
    .established = fz_nop,
    .alloc = fz_alloc,
    .free = fz_free,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ssl_parser dtls;
    static const struct {
        int64_t max_handshake;
        bool ja3;
    } cfg = {2048, true}; /* the fingerprints' parsing too */

    if (fz_ps == NULL) {
        fz_ops = ssl_LTX_shoal_plugin.ops;
        if (fakehost_init(&ssl_LTX_shoal_plugin, &cfg, &fz_ps) != 0) {
            abort();
        }
    }
    if (size < 1) {
        return 0;
    }
    bool is_dtls = data[0] & 1;
    data++;
    size--;

    fakehost_reset();
    struct shoal_conn *c = fakehost_conn("10.0.0.1", 50000, "10.0.0.2", 443,
                                         is_dtls ? SHOAL_PROTO_UDP : SHOAL_PROTO_TCP);
    void *cs = calloc(1, fz_ops->conn_size);
    if (c == NULL || cs == NULL) {
        abort();
    }
    ssl_parse_init(&dtls, true, 2048, &fz_cbs, NULL);
    fakehost_set_time(1.0);
    bool done = false;
    while (size >= 3 && !done) {
        uint8_t h = data[0];
        size_t n = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (n > size) {
            n = size;
        }
        bool orig = h & 1;
        if (h & 2) {
            if (!is_dtls) {
                fz_ops->gap(fz_ps, c, cs, orig, n);
            }
        } else {
            uint8_t *tmp = malloc(n ? n : 1);
            memcpy(tmp, data, n);
            if (is_dtls) {
                ssl_parse_data(&dtls, orig, tmp, n);
            } else {
                done = fz_ops->data(fz_ps, c, cs, orig, tmp, n) == SHOAL_AN_DETACH;
            }
            free(tmp);
            data += n;
            size -= n;
        }
    }
    fz_ops->conn_done(fz_ps, c, cs);
    ssl_parse_free(&dtls);
    free(cs);
    return 0;
}
