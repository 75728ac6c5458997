/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Base64 decoding as analyzers need it for credentials and MIME parts:
 * lenient like Zeek's decoder (characters outside the alphabet are
 * skipped, the first '=' ends the input), never failing.
 */
#include "lib/base64.h"

#include <stdint.h>

static int base64_val(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

size_t shoal_base64_decode(const char *in, size_t len, char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (in[i] == '=') {
            break;
        }
        int v = base64_val(in[i]);
        if (v < 0) {
            continue;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    return o;
}
