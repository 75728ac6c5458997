/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IRC line machine (see irc_parse.h).
 */
#include "irc_parse.h"

#include <ctype.h>
#include <string.h>

void irc_parse_init(struct irc_parser *p, uint32_t max_line, const struct irc_parse_cb *cb,
                    void *ud)
{
    memset(p, 0, sizeof(*p));
    p->max_line = max_line;
    p->cb = cb;
    p->ud = ud;
}

void irc_parse_free(struct irc_parser *p)
{
    for (int i = 0; i < 2; i++) {
        if (p->d[i].buf != NULL) {
            p->cb->free(p->ud, p->d[i].buf);
            p->d[i].buf = NULL;
        }
    }
}

size_t irc_split(char *s, char sep, char **words, size_t max)
{
    size_t n = 0;

    while (*s != '\0' && n < max) {
        while (*s == sep) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        words[n++] = s;
        char *e = strchr(s, sep);
        if (e == NULL) {
            break;
        }
        *e = '\0';
        s = e + 1;
    }
    return n;
}

static char *irc_skip_spaces(char *s)
{
    while (*s == ' ') {
        s++;
    }
    return s;
}

static void irc_violation(struct irc_parser *p, const char *weird, const char *reason)
{
    p->cb->weird(p->ud, weird);
    p->stopped = true;
    p->cb->violation(p->ud, reason);
}

/* A command or reply code at *s (prefix gone); false on a violation. */
static bool irc_command(struct irc_parser *p, char **s, struct irc_msg *m)
{
    char *l = *s;

    if (isdigit((unsigned char)l[0])) {
        if (!isdigit((unsigned char)l[1]) || !isdigit((unsigned char)l[2]) || l[3] != ' ') {
            irc_violation(p, "irc_invalid_reply_number", "invalid reply number");
            return false;
        }
        m->code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
        *s = l + 4;
        return true;
    }
    char *e = strchr(l, ' ');
    if (e != NULL) {
        *e = '\0';
        *s = irc_skip_spaces(e + 1);
    } else {
        *s = l + strlen(l);
    }
    for (char *c = l; *c != '\0'; c++) {
        *c = (char)toupper((unsigned char)*c);
    }
    m->command = l;
    return true;
}

/* One line (NUL-terminated, modifiable). */
static void irc_line(struct irc_parser *p, bool is_orig, char *line, size_t len)
{
    struct irc_msg m = {"", "", 0, ""};
    char *s;

    if (len > IRC_LINE_MAX) {
        p->cb->weird(p->ud, "irc_line_size_exceeded");
        return;
    }
    s = irc_skip_spaces(line);
    if (strlen(s) < 3) {
        p->cb->weird(p->ud, "irc_line_too_short");
        return;
    }
    if (s[0] == ':') {
        char *e = strchr(s, ' ');
        if (e == NULL) {
            p->cb->weird(p->ud, "irc_invalid_line");
            return;
        }
        *e = '\0';
        m.prefix = s + 1;
        s = irc_skip_spaces(e + 1);
    }
    if (is_orig) {
        p->cb->confirm(p->ud);
    }
    if (strlen(s) < 3) {
        irc_violation(p, "irc_invalid_line", "line too short");
        return;
    }
    if (!irc_command(p, &s, &m)) {
        return;
    }
    m.params = s;
    if (m.code == 0 && strlen(m.command) > IRC_COMMAND_MAX) {
        p->cb->weird(p->ud, "irc_invalid_command");
        if (++p->invalid > IRC_INVALID_MAX) {
            irc_violation(p, "irc_too_many_invalid", "too many long lines");
        }
        return;
    }
    p->cb->message(p->ud, is_orig, &m);
}

size_t irc_parse_data(struct irc_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    struct irc_dir *d = &p->d[is_orig];
    size_t i = 0;

    if (d->buf == NULL && !p->stopped) {
        d->buf = p->cb->alloc(p->ud, (size_t)p->max_line + 1);
        if (d->buf == NULL) {
            irc_violation(p, "irc_out_of_memory", "out of memory");
        }
    }
    while (i < len && !p->stopped) {
        uint8_t c = data[i];
        if (c != '\n' && d->len == p->max_line) {
            /* Zeek's ContentLine: the long line goes as it is, the rest
             * makes the next one. */
            p->cb->weird(p->ud, "contentline_size_exceeded");
        } else {
            i++;
            if (c != '\n') {
                d->buf[d->len++] = (char)c;
                continue;
            }
            if (d->len > 0 && d->buf[d->len - 1] == '\r') {
                d->len--;
            }
        }
        d->buf[d->len] = '\0';
        size_t n = d->len;
        d->len = 0;
        irc_line(p, is_orig, d->buf, n);
    }
    return i;
}
