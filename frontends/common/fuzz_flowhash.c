/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the flow hash's decoder (flowhash.c), which reads
 * every frame a dispatcher sees.  Input: byte 0 picks the link type, byte
 * 1 the mode, the rest is one frame, copied to a buffer of exactly its
 * size so that a read past its end is caught by ASan.  A frame that
 * decodes must hash alike through both entry points, and its key with the
 * endpoints swapped must hash the same (symmetry).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowhash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int fuzz_flowhash_dlts[] = {
    FLOWHASH_DLT_EN10MB,     FLOWHASH_DLT_LINUX_SLL,
    FLOWHASH_DLT_LINUX_SLL2, FLOWHASH_DLT_RAW,
    FLOWHASH_LINKTYPE_RAW,   FLOWHASH_DLT_IPV4,
    FLOWHASH_DLT_IPV6,       FLOWHASH_DLT_NULL,
    FLOWHASH_DLT_LOOP,       147,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t modes[] = {SHOAL_HASH_2TUPLE, SHOAL_HASH_4TUPLE, SHOAL_HASH_5TUPLE, 7};
    struct flowhash_key k, swapped;
    uint32_t h;

    if (size < 2) {
        return 0;
    }
    int dlt = fuzz_flowhash_dlts[data[0] % (sizeof(fuzz_flowhash_dlts) / sizeof(int))];
    uint32_t mode = modes[data[1] % 4];
    size_t len = size - 2;
    uint8_t *frame = malloc(len > 0 ? len : 1);
    if (frame == NULL) {
        return 0;
    }
    memcpy(frame, data + 2, len);
    int rc = flowhash_decode(dlt, frame, (uint32_t)len, &k);
    if (flowhash_frame(dlt, frame, (uint32_t)len, mode, &h) != rc) {
        abort();
    }
    if (rc == 0) {
        if (h != flowhash_key_hash(&k, mode) || flowhash_worker(h, 7) >= 7) {
            abort();
        }
        swapped = k;
        memcpy(swapped.a, k.b, sizeof(k.a));
        memcpy(swapped.b, k.a, sizeof(k.b));
        swapped.pa = k.pb;
        swapped.pb = k.pa;
        if (flowhash_key_hash(&swapped, mode) != h) {
            abort();
        }
    }
    free(frame);
    return 0;
}
