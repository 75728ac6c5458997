/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A borrowed byte string: a pointer and a length, for text that may hold
 * any byte (a notice's message, a control argument, a shared-state key).
 * p == NULL means "absent" where a field is optional; an empty string is
 * p != NULL with len 0.  Nothing here owns memory.
 */
#ifndef SHOAL_STR_H
#define SHOAL_STR_H

#include <stddef.h>
#include <string.h>

struct shoal_str {
    const char *p;
    size_t len;
};

/* The byte string of a C string, or the absent one for NULL. */
static inline struct shoal_str shoal_str_of(const char *s)
{
    struct shoal_str r = {s, s != NULL ? strlen(s) : 0};
    return r;
}

#endif
