/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File ids (see files.h): the serial and the seed hashed with XXH3 into 96
 * bits, written as "F" and 17 base62 digits like Zeek's fuids.
 */
#include "framework/files.h"

#include <xxhash.h>

const char *shoal_file_id_next(struct shoal_file_ids *g, char buf[SHOAL_FILE_ID_SIZE])
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t words[2] = {++g->serial, g->seed ^ 0xf11e5eedf11e5eedULL};
    XXH128_hash_t h = XXH3_128bits(words, sizeof(words));
    uint64_t w = h.low64;

    buf[0] = 'F';
    for (int i = 1; i < SHOAL_FILE_ID_LEN; i++) {
        if (i == 11) {
            w = h.high64; /* 10 digits of the low word, 7 of the high */
        }
        buf[i] = b62[w % 62];
        w /= 62;
    }
    buf[SHOAL_FILE_ID_LEN] = '\0';
    return buf;
}
