/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent tag scanner of the xmpp analyzer.  It reads each
 * direction as Zeek's XMPP analyzer does: a stream of `<name rest>` tags
 * with text between them, and reports the tag names; the glue acts on
 * stream:stream, starttls, proceed and success.  Fixed state (the tag name
 * being read, truncated at XMPP_NAME_MAX), no allocation.
 */
#ifndef SHOAL_XMPP_PARSE_H
#define SHOAL_XMPP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XMPP_NAME_MAX 63

/* A tag's name: the part of `<name ...>` that is `/`, `?`, `:` or
 * alphanumeric (Zeek's XML_NAME). */
typedef void (*xmpp_tag_fn)(void *ud, bool is_orig, const char *name, size_t len);

struct xmpp_dir {
    uint8_t state;
    bool seen_tag; /* a tag was read: text between tags is content */
    uint8_t name_len;
    char name[XMPP_NAME_MAX + 1];
};

struct xmpp_parser {
    struct xmpp_dir d[2]; /* [1]: originator */
};

/* Feed bytes of one direction; tag() runs for every complete tag.
 * Returns false when the bytes are not XMPP (text before the first tag
 * other than white space, or a tag without a name). */
bool xmpp_parse_data(struct xmpp_parser *p, bool is_orig, const uint8_t *data, size_t len,
                     xmpp_tag_fn tag, void *ud);

#endif
