/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The growable byte buffer of buf.h: growth by doubling from a small first
 * size, with the overflow of len + n checked so that a huge request fails
 * with -ENOMEM instead of wrapping around.
 */
#include "lib/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BUF_FIRST 256u

int shoal_buf_grow(struct shoal_buf *b, size_t n)
{
    size_t cap = b->cap > 0 ? b->cap : BUF_FIRST;

    if (b->len > SIZE_MAX / 2 || n > SIZE_MAX / 2 - b->len) {
        return -ENOMEM;
    }
    while (cap - b->len < n) {
        cap *= 2;
    }
    if (cap == b->cap) {
        return 0;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        return -ENOMEM;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

int shoal_buf_append(struct shoal_buf *b, const void *p, size_t n)
{
    if (shoal_buf_reserve(b, n) < 0) {
        return -ENOMEM;
    }
    if (n > 0) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
    return 0;
}

void shoal_buf_free(struct shoal_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}
