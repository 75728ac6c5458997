/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libFuzzer driver of the UDP analyzers' targets (fuzz_ntp, fuzz_sip,
 * fuzz_snmp, fuzz_quic): the input is split at every "\xde\xad" marker
 * into datagrams of alternating direction (the originator's first) on one
 * connection, the clock a millisecond on per input byte.  Each datagram is
 * copied into a buffer of its own size, so that AddressSanitizer catches
 * a read past it; a detach ends the feeding and conn_done follows, as the
 * core does.  `config` (the plugin's settings struct, small bounds so the
 * fuzzer reaches them) may be NULL.
 */
#ifndef SHOAL_FUZZ_DGRAM_H
#define SHOAL_FUZZ_DGRAM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

/* Called per datagram: feed it (or what it stands for) and return the
 * data callback's code. */
typedef int (*fuzz_dgram_fn)(void *arg, bool is_orig, const uint8_t *d, size_t n);

/* Split data[0..size) into datagrams for `fn`, until one returns
 * SHOAL_AN_DETACH. */
static inline void fuzz_dgram_split(const uint8_t *data, size_t size, fuzz_dgram_fn fn, void *arg)
{
    size_t start = 0;
    bool dir = true;

    for (size_t i = 0; i <= size; i++) {
        if (i == size || (i + 1 < size && data[i] == 0xde && data[i + 1] == 0xad)) {
            size_t n = i - start;
            uint8_t *tmp = malloc(n ? n : 1);
            if (tmp == NULL) {
                abort();
            }
            memcpy(tmp, data + start, n);
            fakehost_set_time(1.0 + (double)i / 1000.0);
            int rc = fn(arg, dir, tmp, n);
            free(tmp);
            if (rc == SHOAL_AN_DETACH) {
                return;
            }
            dir = !dir;
            start = i + 2;
            i++;
        }
    }
}

struct fuzz_dgram_conn {
    const struct shoal_analyzer_ops *ops;
    void *ps;
    struct shoal_conn *c;
    void *cs;
};

static inline int fuzz_dgram_feed(void *arg, bool is_orig, const uint8_t *d, size_t n)
{
    struct fuzz_dgram_conn *fc = arg;
    return fc->ops->data(fc->ps, fc->c, fc->cs, is_orig, d, n);
}

/* Start a connection orig_p -> resp_p of plugin `p` (initialised once per
 * process) into *fc. */
static inline void fuzz_dgram_start(struct fuzz_dgram_conn *fc, const struct shoal_plugin *p,
                                    const void *config, uint16_t orig_p, uint16_t resp_p)
{
    static void *ps;
    static const struct shoal_plugin *inited;

    if (inited != p) {
        if (fakehost_init(p, config, &ps) != 0) {
            abort();
        }
        inited = p;
    }
    fakehost_reset();
    fakehost_reset_conns();
    fc->ops = p->ops;
    fc->ps = ps;
    fc->c = fakehost_conn("10.0.0.1", orig_p, "10.0.0.2", resp_p, SHOAL_PROTO_UDP);
    fc->cs = calloc(1, fc->ops->conn_size);
    if (fc->c == NULL || fc->cs == NULL) {
        abort();
    }
}

/* End the connection fuzz_dgram_start began. */
static inline void fuzz_dgram_end(struct fuzz_dgram_conn *fc)
{
    if (fc->ops->conn_done != NULL) {
        fc->ops->conn_done(fc->ps, fc->c, fc->cs);
    }
    free(fc->cs);
    fc->cs = NULL;
}

/* The whole run of one input: start, every datagram, end. */
static inline int fuzz_dgram_run(const struct shoal_plugin *p, const void *config, uint16_t orig_p,
                                 uint16_t resp_p, const uint8_t *data, size_t size)
{
    struct fuzz_dgram_conn fc;

    fuzz_dgram_start(&fc, p, config, orig_p, resp_p);
    fuzz_dgram_split(data, size, fuzz_dgram_feed, &fc);
    fuzz_dgram_end(&fc);
    return 0;
}

#endif
