/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the packet decoder.  Input layout: byte 0 picks the
 * link type (and whether IP checksums are ignored); the rest is a series of
 * frames, each "u16 length (little-endian), u8 time step, u8 extra wire
 * bytes, frame bytes", decoded in a row by one decoder with a small
 * fragment memory cap and timeout so that reassembly, overlap, eviction and
 * expiry are all reached.  Every byte the decoder points at is read back,
 * so a pointer outside the frame or the reassembly buffer is caught by ASan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int fuzz_decode_linktypes[] = {1,   113, 276, 12, 101, 228, 229, 0,
                                            108, 239, 9,   50, 105, 127, 10};

static volatile uint32_t fuzz_decode_sink;

static void fuzz_decode_weird(void *ctx, const char *name, const char *addl, const char *source,
                              const struct shoal_addr *src, const struct shoal_addr *dst)
{
    (void)ctx;
    fuzz_decode_sink += (uint32_t)strlen(name);
    if (addl != NULL) {
        fuzz_decode_sink += (uint32_t)strlen(addl);
    }
    if (source != NULL) {
        fuzz_decode_sink += (uint32_t)strlen(source);
    }
    if (src != NULL && dst != NULL) {
        fuzz_decode_sink += src->b[15] + dst->b[15];
    }
}

/* Read every byte the decoded packet claims to hold. */
static void fuzz_decode_touch(const struct shoal_pkt *p)
{
    uint32_t s = 0;

    for (uint32_t i = 0; i < p->ip_cap; i++) {
        s += p->ip[i];
    }
    for (uint32_t i = 0; i < p->l4_cap; i++) {
        s += p->l4[i];
    }
    if (p->l4_cap > p->l4_len) {
        abort();
    }
    s += shoal_l4_checksum_ok(p) ? 1 : 0;
    fuzz_decode_sink += s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shoal_decode_opts o = {0};
    struct shoal_decoder *d;
    struct shoal_pkt p;
    double ts = 1000.0;
    size_t off = 1;
    size_t nlt = sizeof(fuzz_decode_linktypes) / sizeof(fuzz_decode_linktypes[0]);

    if (size < 1) {
        return 0;
    }
    o.ignore_checksums = (data[0] & 0x80) != 0;
    o.frag_mem_max = 16384;
    o.frag_timeout = 2.0;
    o.weird = fuzz_decode_weird;
    d = shoal_decoder_new(fuzz_decode_linktypes[(data[0] & 0x7f) % nlt], &o);
    if (d == NULL) {
        return 0;
    }
    /* A single frame when the rest does not parse as a series. */
    if (size - off < 4) {
        if (shoal_decode(d, ts, data + off, (uint32_t)(size - off), (uint32_t)(size - off), &p) ==
            1) {
            fuzz_decode_touch(&p);
        }
    }
    while (size - off >= 4) {
        size_t len = (size_t)data[off] | (size_t)data[off + 1] << 8;
        uint8_t step = data[off + 2];
        uint8_t extra = data[off + 3];
        uint8_t *copy;

        off += 4;
        if (len > size - off) {
            len = size - off;
        }
        /* A copy of exactly the frame, so reads past it are caught. */
        copy = malloc(len ? len : 1);
        if (copy == NULL) {
            break;
        }
        memcpy(copy, data + off, len);
        ts += step / 64.0;
        if (shoal_decode(d, ts, copy, (uint32_t)len, (uint32_t)(len + extra * 8u), &p) == 1) {
            fuzz_decode_touch(&p);
        }
        if (step == 0xff) {
            shoal_decode_expire(d, ts);
        }
        free(copy);
        off += len;
    }
    shoal_decoder_free(d);
    return 0;
}
