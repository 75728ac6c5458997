/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lines of a TCP stream gathered across data calls, as Zeek's ContentLine
 * analyzer delivers them to line-based protocols: a line ends at LF (the
 * end itself is not part of it; a CR before it is, for the protocol to
 * strip), or, with SHOAL_LINES_CR, at a bare CR as well (a CRLF, even
 * split across calls, is then one end).  A line that spans data calls is
 * kept in a bounded buffer; past `max` bytes the rest of it is dropped and
 * the caller told once, to report Zeek's contentline_size_exceeded.
 * Header-only (static inline): nothing here is part of the plugin ABI.
 *
 *     struct shoal_lines lr = {.max = 8192, .eol = SHOAL_LINES_LF};
 *     while (len > 0) {
 *         struct shoal_line ln;
 *         size_t n = shoal_lines_next(&lr, data, len, my_alloc, ud, &ln);
 *         if (ln.cut_now) weird("contentline_size_exceeded");
 *         if (ln.p != NULL) handle_line(ln.p, ln.len);
 *         data += n; len -= n;
 *     }
 *     free(lr.buf);
 */
#ifndef SHOAL_SDK_LINES_H
#define SHOAL_SDK_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SHOAL_LINES_LF 1 /* LF ends a line (always) */
#define SHOAL_LINES_CR 2 /* a bare CR ends one as well (Zeek's CR_as_EOL) */

/* One direction's reader.  Zero it, then set max and eol (and buf, if the
 * caller provides max bytes of storage instead of an allocator). */
struct shoal_lines {
    uint8_t *buf; /* the kept part of an unfinished line; NULL until needed */
    uint32_t len; /* bytes in buf */
    uint32_t max; /* size of buf: the longest line kept */
    uint8_t eol;  /* SHOAL_LINES_LF, optionally | SHOAL_LINES_CR */
    bool cut;     /* the line being gathered did not fit: its rest is dropped */
    bool lost;    /* ... or there was no memory for it: it is dropped whole */
    bool last_cr; /* SHOAL_LINES_CR: the last line ended at a CR */
};

/* What one call found. */
struct shoal_line {
    const uint8_t *p; /* a whole line (in the data or in buf), NULL if none */
    size_t len;
    bool cut_now;   /* the line in progress was cut in this call */
    bool single_cr; /* SHOAL_LINES_CR: a line ended by a bare CR is followed by
                     * something other than a line end (Zeek's
                     * line_terminated_with_single_CR) */
};

/* Keep data[0..n) of an unfinished line; `alloc` (may be NULL when buf is
 * set) gets max bytes the first time. */
static inline void shoal_lines_keep(struct shoal_lines *r, const uint8_t *data, size_t n,
                                    void *(*alloc)(void *ud, size_t size), void *ud,
                                    struct shoal_line *ln)
{
    if (r->lost) {
        return;
    }
    if (r->buf == NULL) {
        r->buf = alloc != NULL ? (uint8_t *)alloc(ud, r->max) : NULL;
        if (r->buf == NULL) {
            r->lost = true;
            return;
        }
    }
    size_t room = r->max - r->len;
    size_t c = n < room ? n : room;
    if (c > 0) {
        memcpy(r->buf + r->len, data, c);
        r->len += (uint32_t)c;
    }
    if (c < n && !r->cut) {
        r->cut = true;
        ln->cut_now = true;
    }
}

/*
 * Consume data[0..len) (len > 0) up to and including the end of the next
 * line.  Returns the bytes consumed; *ln says what was found.  A line that
 * ends here is in ln->p (valid until the next call), unless it was lost.
 */
static inline size_t shoal_lines_next(struct shoal_lines *r, const uint8_t *data, size_t len,
                                      void *(*alloc)(void *ud, size_t size), void *ud,
                                      struct shoal_line *ln)
{
    bool cr = (r->eol & SHOAL_LINES_CR) != 0;
    size_t i = 0;

    memset(ln, 0, sizeof(*ln));
    if (r->last_cr) {
        r->last_cr = false;
        if (data[0] == '\n') {
            return 1; /* the LF of a CRLF */
        }
        ln->single_cr = data[0] != '\r';
    }
    while (i < len && data[i] != '\n' && !(cr && data[i] == '\r')) {
        i++;
    }
    if (i == len) {
        shoal_lines_keep(r, data, len, alloc, ud, ln);
        return len;
    }
    r->last_cr = data[i] == '\r';
    if (r->len == 0 && !r->cut && !r->lost) {
        ln->p = data;
        ln->len = i;
    } else {
        shoal_lines_keep(r, data, i, alloc, ud, ln);
        if (!r->lost) {
            ln->p = r->buf;
            ln->len = r->len;
        }
        r->len = 0;
        r->cut = r->lost = false;
    }
    return i + 1;
}

#endif
