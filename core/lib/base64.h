/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lenient base64 decoding (see base64.c).  Stateless and thread-safe.
 */
#ifndef SHOAL_BASE64_H
#define SHOAL_BASE64_H

#include <stddef.h>

/* Decode `len` bytes of base64 at `in` into `out`, which holds at least
 * len * 3 / 4 + 3 bytes.  Returns the number of bytes written. */
size_t shoal_base64_decode(const char *in, size_t len, char *out);

#endif
