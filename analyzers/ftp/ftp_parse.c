/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FTP control lines (see ftp_parse.h).  Lines end at LF (a CR before it is
 * taken off); a segment's whole lines are parsed in place, a line split
 * over segments is gathered in the direction's buffer, and the part of a
 * line beyond max_line is dropped with contentline_size_exceeded.
 */
#include "ftp_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FTP_REPLY_MIN 100

void ftp_parser_init(struct ftp_parser *p, uint32_t max_line, uint32_t max_cmd)
{
    memset(p, 0, sizeof(*p));
    p->max_line = max_line < 16 ? 16 : max_line;
    p->max_cmd = max_cmd;
    for (int d = 0; d < 2; d++) {
        p->line[d].max = p->max_line;
        p->line[d].eol = SHOAL_LINES_LF;
    }
}

static bool ftp_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Zeek's is_ftp_cmd: at least 3 printable, non-space characters. */
static bool ftp_is_cmd(const char *s, size_t n)
{
    if (n < 3) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isprint((unsigned char)s[i]) || isspace((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static void ftp_request_line(struct ftp_parser *p, const struct ftp_parse_cb *cb, void *ud,
                             const char *s, size_t n)
{
    const char *end = s + n;
    const char *cmd;
    size_t clen = 0;
    char up[FTP_CMD_MAX];

    while (s < end && ftp_space(*s)) {
        s++;
    }
    cmd = s;
    while (cmd + clen < end && !isspace((unsigned char)cmd[clen])) {
        clen++;
    }
    s = cmd + clen;
    while (s < end && ftp_space(*s)) {
        s++;
    }
    if (!ftp_is_cmd(cmd, clen)) {
        cb->bad_request(ud, clen, false);
        return;
    }
    if ((p->max_cmd > 0 && clen > p->max_cmd) || clen > FTP_CMD_MAX) {
        cb->bad_request(ud, clen, true);
        return;
    }
    for (size_t i = 0; i < clen; i++) {
        up[i] = (char)toupper((unsigned char)cmd[i]);
    }
    if (clen == 4 && memcmp(up, "AUTH", 4) == 0) {
        p->auth_tls = (size_t)(end - s) == 3 && memcmp(s, "TLS", 3) == 0;
    }
    cb->request(ud, up, clen, s, (size_t)(end - s));
}

static unsigned ftp_code(const char *s, size_t n)
{
    if (n >= 3 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
        isdigit((unsigned char)s[2])) {
        return (unsigned)((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
    }
    return 0;
}

static void ftp_reply_line(struct ftp_parser *p, const struct ftp_parse_cb *cb, void *ud,
                           const char *s, size_t n)
{
    const char *end = s + n;
    unsigned code = ftp_code(s, n);
    bool cont;

    if (p->pending_reply != 0) {
        if (code == p->pending_reply && n > 3 && s[3] == ' ') {
            s += 3;
            p->pending_reply = 0;
            cont = false;
        } else {
            cont = true;
            code = 0;
        }
    } else {
        cont = false;
        if (code == 0) {
            cb->bad_reply(ud, "non-numeric reply code");
            return;
        }
        if (code < FTP_REPLY_MIN) {
            cb->bad_reply(ud, "invalid reply code");
            return;
        }
        if (n > 3 && s[3] == '-') {
            p->pending_reply = (uint16_t)code;
            s += 4;
            cont = true;
        } else if (n > 3 && s[3] != ' ') {
            cb->bad_reply(ud, "invalid reply line");
            return;
        } else {
            s += 3;
        }
    }
    if (code != 0 || !cont) {
        while (s < end && ftp_space(*s)) {
            s++;
        }
    }
    if (code == 234 && p->auth_tls) {
        p->tls = true;
    }
    cb->reply(ud, code, s, (size_t)(end - s), cont);
}

static void ftp_line(struct ftp_parser *p, const struct ftp_parse_cb *cb, void *ud, bool is_orig,
                     const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r') {
        n--;
    }
    if (n == 0) {
        return;
    }
    if (is_orig) {
        ftp_request_line(p, cb, ud, s, n);
    } else {
        ftp_reply_line(p, cb, ud, s, n);
    }
}

bool ftp_parse_data(struct ftp_parser *p, const struct ftp_parse_cb *cb, void *ud, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct shoal_lines *lr = &p->line[is_orig];

    while (len > 0 && !p->tls) {
        struct shoal_line ln;
        size_t n = shoal_lines_next(lr, data, len, cb->alloc, ud, &ln);
        if (ln.cut_now) {
            char addl[32];
            snprintf(addl, sizeof(addl), "%u", p->max_line);
            cb->weird(ud, "contentline_size_exceeded", addl);
        }
        if (ln.p != NULL) {
            ftp_line(p, cb, ud, is_orig, (const char *)ln.p, ln.len);
        }
        data += n;
        len -= n;
    }
    return !p->tls;
}

bool ftp_parse_partial(const struct ftp_parser *p, bool is_orig)
{
    return p->line[is_orig].len > 0;
}

void ftp_parse_done(struct ftp_parser *p, const struct ftp_parse_cb *cb, void *ud)
{
    for (int d = 0; d < 2; d++) {
        cb->free(ud, p->line[d].buf);
        p->line[d].buf = NULL;
        p->line[d].len = 0;
    }
}
