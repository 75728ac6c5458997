/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Ident line parser of the ident analyzer (see ident_parse.h): a cursor
 * walks one line and each step either consumes what the grammar expects or
 * fails.  Every read is checked against the end of the line; blanks are
 * allowed around every token, as RFC 1413 allows and servers send.
 */
#include "ident_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define IDENT_PORT_DIGITS_MAX 5 /* "65535" */
#define IDENT_PORT_MAX 65535

/* A read position in one line. */
struct ident_cur {
    const char *p;
    const char *end;
};

static bool ident_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void ident_skip_blanks(struct ident_cur *c)
{
    while (c->p < c->end && ident_is_blank(*c->p)) {
        c->p++;
    }
}

/* `end` moved back over trailing blanks. */
static const char *ident_trim_end(const char *start, const char *end)
{
    while (end > start && ident_is_blank(end[-1])) {
        end--;
    }
    return end;
}

/* After blanks, consume the character `ch`. */
static bool ident_expect(struct ident_cur *c, char ch)
{
    ident_skip_blanks(c);
    if (c->p == c->end || *c->p != ch) {
        return false;
    }
    c->p++;
    return true;
}

/* After blanks, consume the keyword `word`. */
static bool ident_keyword(struct ident_cur *c, const char *word)
{
    size_t n = strlen(word);

    ident_skip_blanks(c);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) {
        return false;
    }
    c->p += n;
    return true;
}

/* After blanks, consume a port number (1-65535). */
static bool ident_port(struct ident_cur *c, uint16_t *out)
{
    unsigned v = 0;
    int digits = 0;

    ident_skip_blanks(c);
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (++digits > IDENT_PORT_DIGITS_MAX) {
            return false;
        }
        v = v * 10 + (unsigned)(*c->p - '0');
        c->p++;
    }
    if (digits == 0 || v == 0 || v > IDENT_PORT_MAX) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

/* "<port-on-server> , <port-on-client>" */
static bool ident_port_pair(struct ident_cur *c, struct ident_ports *out)
{
    return ident_port(c, &out->rport) && ident_expect(c, ',') && ident_port(c, &out->lport);
}

int ident_parse_query(const char *line, size_t len, struct ident_ports *out)
{
    struct ident_cur c = {line, ident_trim_end(line, line + len)};

    if (!ident_port_pair(&c, out)) {
        return -EINVAL;
    }
    ident_skip_blanks(&c);
    return c.p == c.end ? 0 : -EINVAL;
}

int ident_parse_reply(const char *line, size_t len, struct ident_reply *out)
{
    struct ident_cur c = {line, ident_trim_end(line, line + len)};
    const char *colon;
    const char *comma;

    memset(out, 0, sizeof(*out));
    if (!ident_port_pair(&c, &out->ports) || !ident_expect(&c, ':')) {
        return -EINVAL;
    }
    if (ident_keyword(&c, "ERROR")) {
        if (!ident_expect(&c, ':')) {
            return -EINVAL;
        }
        ident_skip_blanks(&c);
        out->type = IDENT_REPLY_ERROR;
        out->text = c.p;
        out->text_len = (size_t)(c.end - c.p);
        return out->text_len > 0 ? 0 : -EINVAL;
    }
    if (!ident_keyword(&c, "USERID") || !ident_expect(&c, ':')) {
        return -EINVAL;
    }
    /* "UNIX , US-ASCII : stjohns": the system ends at the comma or colon;
     * the user id is the rest of the line, colons included. */
    ident_skip_blanks(&c);
    colon = memchr(c.p, ':', (size_t)(c.end - c.p));
    if (colon == NULL) {
        return -EINVAL;
    }
    comma = memchr(c.p, ',', (size_t)(colon - c.p));
    out->type = IDENT_REPLY_USERID;
    out->os = c.p;
    out->os_len = (size_t)(ident_trim_end(c.p, comma != NULL ? comma : colon) - c.p);
    c.p = colon + 1;
    ident_skip_blanks(&c);
    out->text = c.p;
    out->text_len = (size_t)(c.end - c.p);
    return out->os_len > 0 && out->text_len > 0 ? 0 : -EINVAL;
}
