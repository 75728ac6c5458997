/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libFuzzer driver of the TCP analyzers' targets (fuzz_ftp, fuzz_smtp,
 * fuzz_ssh, fuzz_xmpp; seeds cut from pcaps by tests/fuzz/pcap_segments.py):
 * it drives both directions of one connection through the fake host.  The
 * input is a list of segments, each a header byte (bit 0: from the
 * originator, bit 1: a gap of `length` bytes instead of data, bit 2 with
 * length 0: EOF of that direction), a 2-byte big-endian length, then that
 * many bytes (clamped to what is left).  Each segment is copied into a
 * buffer of its own size, so that AddressSanitizer catches a read past
 * it; a detach ends the feeding and conn_done follows, as the core does.
 * `config` (the plugin's settings struct, small bounds so the fuzzer
 * reaches them) may be NULL.
 */
#ifndef SHOAL_FUZZ_STREAM_H
#define SHOAL_FUZZ_STREAM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

/* Feed the segments of data[0..size) to `cs` of connection `c`; false
 * once the analyzer detached. */
static inline bool fuzz_stream_feed(const struct shoal_analyzer_ops *ops, void *ps,
                                    struct shoal_conn *c, void *cs, const uint8_t *data,
                                    size_t size)
{
    while (size >= 3) {
        uint8_t h = data[0];
        size_t n = ((size_t)data[1] << 8) | data[2];
        bool is_orig = (h & 1) != 0;
        data += 3;
        size -= 3;
        if (n > size) {
            n = size;
        }
        if (h & 2) {
            if (ops->gap != NULL) {
                ops->gap(ps, c, cs, is_orig, n);
            }
            continue;
        }
        if (n == 0 && (h & 4)) {
            if (ops->eof != NULL) {
                ops->eof(ps, c, cs, is_orig);
            }
            continue;
        }
        uint8_t *seg = malloc(n > 0 ? n : 1);
        if (seg == NULL) {
            abort();
        }
        memcpy(seg, data, n);
        int rc = ops->data(ps, c, cs, is_orig, seg, n);
        free(seg);
        if (rc == SHOAL_AN_DETACH) {
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

/* One connection to port `resp_p` of plugin `p` (initialised once per
 * process) fed the segments of data[0..size). */
static inline int fuzz_stream_run(const struct shoal_plugin *p, const void *config, uint16_t resp_p,
                                  const uint8_t *data, size_t size)
{
    static void *ps;
    static const struct shoal_plugin *inited;
    const struct shoal_analyzer_ops *ops = p->ops;
    struct shoal_conn *c;
    void *cs;

    if (inited != p) {
        if (fakehost_init(p, config, &ps) != 0) {
            abort();
        }
        inited = p;
    }
    fakehost_reset();
    fakehost_reset_conns();
    fakehost_set_time(1.0);
    c = fakehost_conn("192.0.2.1", 1234, "192.0.2.2", resp_p, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    if (c == NULL || cs == NULL) {
        abort();
    }
    if (ops->conn_new == NULL || ops->conn_new(ps, c, cs) != SHOAL_AN_DETACH) {
        fuzz_stream_feed(ops, ps, c, cs, data, size);
    }
    if (ops->conn_done != NULL) {
        ops->conn_done(ps, c, cs);
    }
    free(cs);
    return 0;
}

#endif
