/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XMPP tag scanner (see xmpp_parse.h): a byte-at-a-time state machine
 * over '<' NAME REST '>' CONTENT.
 */
#include "xmpp_parse.h"

#include <ctype.h>

enum {
    XMPP_ST_TEXT = 0, /* between tags (or before the first) */
    XMPP_ST_NAME,     /* after '<' */
    XMPP_ST_REST,     /* attributes, up to '>' */
};

static bool xmpp_name_char(uint8_t ch)
{
    return isalnum(ch) || ch == '?' || ch == ':' || ch == '/';
}

bool xmpp_parse_data(struct xmpp_parser *p, bool is_orig, const uint8_t *data, size_t len,
                     xmpp_tag_fn tag, void *ud)
{
    struct xmpp_dir *d = &p->d[is_orig];

    for (size_t i = 0; i < len; i++) {
        uint8_t ch = data[i];
        switch (d->state) {
        case XMPP_ST_TEXT:
            if (ch == '<') {
                d->state = XMPP_ST_NAME;
                d->name_len = 0;
            } else if (!d->seen_tag && ch != ' ' && ch != '\r' && ch != '\n' && ch != '\t') {
                return false;
            }
            break;
        case XMPP_ST_NAME:
            /* '/' only leads a name (a closing tag) */
            if (xmpp_name_char(ch) && (ch != '/' || d->name_len == 0)) {
                if (d->name_len < XMPP_NAME_MAX) {
                    d->name[d->name_len++] = (char)ch;
                }
                break;
            }
            if (d->name_len == 0) {
                return false;
            }
            d->state = XMPP_ST_REST;
            __attribute__((fallthrough)); /* this byte may end the tag */
        case XMPP_ST_REST:
            if (ch == '>') {
                d->name[d->name_len] = '\0';
                d->state = XMPP_ST_TEXT;
                d->seen_tag = true;
                tag(ud, is_orig, d->name, d->name_len);
            } else if (ch == '<') {
                return false;
            }
            break;
        default:
            return false;
        }
    }
    return true;
}
