/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A growable byte buffer owned by its user: the bodies the cluster codec
 * encodes (cluster/mpack.h, cluster/wire.h) and the lines the log writers
 * format (framework/log.h) are built in one.  It holds bytes, not a
 * string: nothing is NUL-terminated unless the user writes the NUL.  A
 * zeroed struct is an empty buffer; shoal_buf_free() gives the memory back.
 * The room check is inline so that an encoder can reserve once per record
 * and then store without further checks.
 *
 * Not thread-safe: a buffer belongs to one thread at a time.
 */
#ifndef SHOAL_BUF_H
#define SHOAL_BUF_H

#include <stddef.h>

struct shoal_buf {
    char *p;    /* the bytes; NULL until the first growth */
    size_t len; /* bytes in use, p[0..len) */
    size_t cap; /* bytes allocated */
};

/*
 * Grow `b` so that at least n more bytes fit after b->len (doubling, so
 * repeated appends cost amortised O(1)).  Returns 0 or -ENOMEM (then `b`
 * is unchanged).  Use shoal_buf_reserve, which calls this only when needed.
 */
int shoal_buf_grow(struct shoal_buf *b, size_t n);

/* Room for n more bytes after b->len: 0 or -ENOMEM (b unchanged). */
static inline int shoal_buf_reserve(struct shoal_buf *b, size_t n)
{
    return b->cap - b->len >= n ? 0 : shoal_buf_grow(b, n);
}

/* Append n bytes of p (borrowed; may be NULL when n is 0).  0 or -ENOMEM
 * (then nothing was appended). */
int shoal_buf_append(struct shoal_buf *b, const void *p, size_t n);

/* Free the memory and leave an empty buffer.  Accepts a zeroed buffer. */
void shoal_buf_free(struct shoal_buf *b);

#endif
