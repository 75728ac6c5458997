/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent IRC line machine of the irc analyzer, as Zeek's IRC
 * analyzer reads lines (tcp::ContentLine, then IRC_Analyzer::DeliverStream):
 * each direction is cut into lines (CRLF or LF; a line longer than
 * max_line goes as it is and the rest makes the next, Zeek's
 * contentline_size_exceeded), and each line
 * into prefix, command (upper-cased) or 3-digit reply code, and
 * parameters, with Zeek's weirds for lines it refuses.
 */
#ifndef SHOAL_IRC_PARSE_H
#define SHOAL_IRC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IRC_LINE_MAX 512   /* Zeek: longer lines are refused (irc_line_size_exceeded) */
#define IRC_COMMAND_MAX 20 /* Zeek: longer commands are invalid */
#define IRC_INVALID_MAX 20 /* Zeek's invalid_msg_max_count */

/* One parsed line; the strings point into the caller's buffer and are
 * NUL-terminated. */
struct irc_msg {
    const char *prefix;  /* "" if none */
    const char *command; /* upper-cased; "" for a reply */
    int code;            /* reply number, 0 for a command */
    const char *params;  /* "" if none */
};

struct irc_parse_cb {
    /* A line of the originator was well-formed enough (Zeek's confirmation). */
    void (*confirm)(void *ud);
    void (*message)(void *ud, bool is_orig, const struct irc_msg *m);
    void (*weird)(void *ud, const char *name);
    void (*violation)(void *ud, const char *reason);
    void *(*alloc)(void *ud, size_t n);
    void (*free)(void *ud, void *p);
};

struct irc_dir {
    char *buf; /* a partial line (allocated on first need, max_line + 1 bytes) */
    uint32_t len;
};

struct irc_parser {
    struct irc_dir d[2]; /* [1]: originator */
    uint32_t max_line;
    uint32_t invalid;
    bool stopped; /* a violation, or the caller stopped it */
    const struct irc_parse_cb *cb;
    void *ud;
};

void irc_parse_init(struct irc_parser *p, uint32_t max_line, const struct irc_parse_cb *cb,
                    void *ud);
void irc_parse_free(struct irc_parser *p);

/* The next in-order bytes of a direction.  Returns how many were used:
 * fewer than len when a message callback stopped the parser (the rest
 * belongs to whatever follows, e.g. TLS after STARTTLS). */
size_t irc_parse_data(struct irc_parser *p, bool is_orig, const uint8_t *data, size_t len);

/* Split `s` at `sep` into words as Zeek's SplitWords (empty words
 * dropped); returns how many of at most `max` were stored, NUL-ending
 * each in place. */
size_t irc_split(char *s, char sep, char **words, size_t max);

#endif
