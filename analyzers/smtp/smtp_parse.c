/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SMTP protocol machine (see smtp_parse.h).  It follows Zeek's SMTP
 * analyzer: the state is guessed from <command, reply> pairs, not checked
 * (so pipelining clients and odd servers are followed, not refused);
 * commands wait in a queue until their reply comes; DATA opens a mail as
 * soon as it is sent, and the end-of-data line or an error reply closes it;
 * after a content gap the machine waits for a reply to find its place
 * again.  Lines are parsed in place when a segment holds them whole, and
 * assembled in a per-direction buffer (made on first need) otherwise.
 */
#include "smtp_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* States (Zeek's SMTP_ states). */
enum {
    SMTP_CONNECTED,
    SMTP_INITIATED,
    SMTP_NOT_AVAILABLE,
    SMTP_READY,
    SMTP_MAIL_OK,
    SMTP_RCPT_OK,
    SMTP_IN_DATA,
    SMTP_AFTER_DATA,
    SMTP_IN_AUTH,
    SMTP_IN_TLS,
    SMTP_QUIT,
    SMTP_AFTER_GAP,
    SMTP_GAP_RECOVERY,
};

/* Commands (Zeek's SMTP_cmd.def order); -1 is unknown. */
enum {
    CMD_EHLO,
    CMD_HELO,
    CMD_MAIL,
    CMD_RCPT,
    CMD_DATA,
    CMD_QUIT,
    CMD_RSET,
    CMD_VRFY,
    CMD_EXPN,
    CMD_HELP,
    CMD_NOOP,
    CMD_STARTTLS,
    CMD_X_ANONYMOUSTLS,
    CMD_CONN_ESTABLISHMENT,
    CMD_END_OF_DATA,
    CMD_SEND,
    CMD_SOML,
    CMD_SAML,
    CMD_TURN,
    CMD_BDAT,
    CMD_ETRN,
    CMD_AUTH,
    CMD_AUTH_ANSWER,
    CMD_LAST,
};

static const char *const smtp_cmd_words[CMD_LAST] = {
    "EHLO",           "HELO",
    "MAIL",           "RCPT",
    "DATA",           "QUIT",
    "RSET",           "VRFY",
    "EXPN",           "HELP",
    "NOOP",           "STARTTLS",
    "X-ANONYMOUSTLS", "CONN_ESTABLISHMENT",
    "END_OF_DATA",    "SEND",
    "SOML",           "SAML",
    "TURN",           "BDAT",
    "ETRN",           "AUTH",
    "AUTH_ANSWER",
};

#define SMTP_UNKNOWN_CMD "(UNKNOWN)"
#define SMTP_REPLY_MIN 100
#define SMTP_REPLY_MAX 599

static const char *smtp_cmd_word(int code)
{
    return code >= 0 && code < CMD_LAST ? smtp_cmd_words[code] : SMTP_UNKNOWN_CMD;
}

static bool smtp_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static void smtp_weird(const struct smtp_parse_cb *cb, void *ud, const char *name, const char *addl)
{
    if (cb->weird != NULL) {
        cb->weird(ud, name, addl);
    }
}

void smtp_parser_init(struct smtp_parser *p, const struct smtp_limits *lim)
{
    memset(p, 0, sizeof(*p));
    p->lim = *lim;
    if (p->lim.max_line < 16) {
        p->lim.max_line = 16;
    }
    if (p->lim.max_header < 16) {
        p->lim.max_header = 16;
    }
    if (p->lim.max_pending < 1) {
        p->lim.max_pending = 1;
    }
    for (int d = 0; d < 2; d++) {
        p->line[d].max = p->lim.max_line;
        p->line[d].eol = SHOAL_LINES_LF;
    }
    p->state = SMTP_CONNECTED;
    p->last_replied_cmd = -1;
    p->first_cmd = CMD_CONN_ESTABLISHMENT;
    p->orig_is_sender = true;
    /* Zeek's UpdateState(CONN_ESTABLISHMENT, 0): */
    p->state = SMTP_INITIATED;
}

void smtp_parse_stop(struct smtp_parser *p)
{
    p->done = true;
}

/* ---- MIME headers of the mail's top-level entity ---------------------- */

/* Zeek's MIME_Header: the name is a run of non-blank, non-':' characters,
 * then blanks, then ':'; anything else is not a header. */
static void smtp_header_submit(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud)
{
    char name[128];
    uint32_t n = 0;
    uint32_t i = 0;
    const char *h = p->hdr;

    if (!p->hdr_open) {
        return;
    }
    p->hdr_open = false;
    while (i < p->hdr_len && !smtp_blank(h[i]) && h[i] != ':' && n < sizeof(name)) {
        name[n++] = (char)toupper((unsigned char)h[i++]);
    }
    if (n == 0 || n == sizeof(name)) {
        return;
    }
    while (i < p->hdr_len && smtp_blank(h[i])) {
        i++;
    }
    if (i >= p->hdr_len || h[i] != ':') {
        return;
    }
    i++;
    while (i < p->hdr_len && isspace((unsigned char)h[i])) {
        i++;
    }
    if (cb->header != NULL) {
        cb->header(ud, name, n, h + i, p->hdr_len - i);
    }
}

static void smtp_header_append(struct smtp_parser *p, const char *line, size_t len)
{
    size_t room = p->lim.max_header - p->hdr_len;

    if (len > room) {
        len = room;
    }
    memcpy(p->hdr + p->hdr_len, line, len);
    p->hdr_len += (uint32_t)len;
}

/* One line of mail content (dot-unstuffed). */
static void smtp_mail_line(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                           const char *line, size_t len)
{
    if (!p->in_mail || !p->in_headers) {
        return;
    }
    if (len == 0) {
        smtp_header_submit(p, cb, ud);
        p->in_headers = false;
        return;
    }
    if (p->hdr == NULL) {
        p->hdr = cb->alloc(ud, p->lim.max_header);
        if (p->hdr == NULL) {
            p->in_headers = false;
            return;
        }
    }
    if (smtp_blank(line[0])) {
        if (p->hdr_open) {
            smtp_header_append(p, line, len);
        }
        return;
    }
    smtp_header_submit(p, cb, ud);
    p->hdr_len = 0;
    p->hdr_open = true;
    smtp_header_append(p, line, len);
}

static void smtp_begin_data(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud)
{
    p->state = SMTP_IN_DATA;
    if (p->in_mail) {
        smtp_weird(cb, ud, "smtp_nested_mail_transaction", NULL);
        smtp_header_submit(p, cb, ud);
    }
    p->in_mail = true;
    p->in_headers = true;
    p->hdr_open = false;
    p->hdr_len = 0;
    if (cb->begin_entity != NULL) {
        cb->begin_entity(ud);
    }
}

static void smtp_end_data(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud)
{
    if (!p->in_mail) {
        smtp_weird(cb, ud, "smtp_unmatched_end_of_data", NULL);
        return;
    }
    smtp_header_submit(p, cb, ud);
    p->in_mail = false;
    p->in_headers = false;
}

/* ---- the command/reply state machine (Zeek's UpdateState) --------------- */

static void smtp_state_mail(struct smtp_parser *p, int reply)
{
    switch (reply) {
    case 0:
        p->state = SMTP_MAIL_OK;
        break;
    case 421:
    case 451:
    case 452:
    case 500:
    case 501:
    case 503:
    case 550:
    case 552:
    case 553:
        if (p->state != SMTP_IN_DATA) {
            p->state = SMTP_READY;
        }
        break;
    default:
        break;
    }
}

static void smtp_state_data(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                            int reply)
{
    switch (reply) {
    case 0:
        smtp_begin_data(p, cb, ud);
        break;
    case 354:
        break;
    case 421:
        if (p->state == SMTP_IN_DATA) {
            smtp_end_data(p, cb, ud);
        }
        p->state = SMTP_QUIT;
        break;
    default:
        if (p->state == SMTP_IN_DATA) {
            smtp_end_data(p, cb, ud);
        }
        p->state = SMTP_READY;
        break;
    }
}

static void smtp_state_auth(struct smtp_parser *p, int reply)
{
    if (reply == 334) {
        p->state = SMTP_IN_AUTH;
    } else if (reply != 0) {
        p->state = SMTP_INITIATED;
    }
}

static void smtp_update_state(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                              int cmd, int reply)
{
    switch (cmd) {
    case CMD_CONN_ESTABLISHMENT:
        if (reply == 0) {
            p->state = SMTP_INITIATED;
        } else if (reply == 421 || reply == 554) {
            p->state = SMTP_NOT_AVAILABLE;
        }
        break;
    case CMD_EHLO:
    case CMD_HELO:
        if (reply == 0) {
            p->state = SMTP_READY;
        } else if (reply == 421 || reply == 500 || reply == 501 || reply == 504 || reply == 550) {
            p->state = SMTP_INITIATED;
        }
        break;
    case CMD_MAIL:
    case CMD_SEND:
    case CMD_SOML:
    case CMD_SAML:
        smtp_state_mail(p, reply);
        break;
    case CMD_RCPT:
        if (reply == 0) {
            p->state = SMTP_RCPT_OK;
        }
        break;
    case CMD_DATA:
        smtp_state_data(p, cb, ud, reply);
        break;
    case CMD_END_OF_DATA:
        if (reply == 0) {
            smtp_end_data(p, cb, ud);
            p->state = SMTP_AFTER_DATA;
        } else {
            p->state = SMTP_READY;
        }
        break;
    case CMD_RSET:
        if (reply == 0) {
            p->state = SMTP_READY;
        }
        break;
    case CMD_QUIT:
        if (reply == 0) {
            p->state = SMTP_QUIT;
        }
        break;
    case CMD_AUTH:
    case CMD_AUTH_ANSWER:
        smtp_state_auth(p, reply);
        break;
    case CMD_TURN:
        if (reply == 250) {
            p->orig_is_sender = !p->orig_is_sender;
            p->state = SMTP_CONNECTED;
        }
        break;
    case CMD_STARTTLS:
    case CMD_X_ANONYMOUSTLS:
        if (reply == 220) {
            p->state = SMTP_IN_TLS;
            p->done = true;
            if (cb->starttls != NULL) {
                cb->starttls(ud);
            }
        }
        break;
    default:
        if (p->state == SMTP_GAP_RECOVERY && reply == 354) {
            smtp_begin_data(p, cb, ud);
        }
        break;
    }
}

/* ---- the pipelining queue ----------------------------------------------- */

static void smtp_new_cmd(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud, int cmd)
{
    if (p->first_cmd < 0) {
        p->first_cmd = (int8_t)cmd;
        return;
    }
    if (p->queue == NULL) {
        p->queue = cb->alloc(ud, p->lim.max_pending);
        if (p->queue == NULL) {
            return;
        }
    }
    if (p->qlen == p->lim.max_pending) {
        smtp_weird(cb, ud, "smtp_excessive_pending_cmds", NULL);
        p->qlen = 0;
    }
    p->queue[(p->qhead + p->qlen) % p->lim.max_pending] = (uint8_t)cmd;
    p->qlen++;
}

static void smtp_request(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                         const char *cmd, size_t clen, const char *arg, size_t alen)
{
    char up[32];
    size_t n = clen < sizeof(up) ? clen : sizeof(up);

    if (cb->confirm != NULL) {
        cb->confirm(ud);
    }
    for (size_t i = 0; i < n; i++) {
        up[i] = (char)toupper((unsigned char)cmd[i]);
    }
    if (cb->request != NULL) {
        cb->request(ud, up, n, arg, alen);
    }
}

static void smtp_new_reply(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                           int reply)
{
    int cmd;

    if (p->state == SMTP_AFTER_GAP) {
        p->state = SMTP_GAP_RECOVERY;
        smtp_request(p, cb, ud, SMTP_UNKNOWN_CMD, strlen(SMTP_UNKNOWN_CMD), "", 0);
    }
    cmd = p->first_cmd;
    p->last_replied_cmd = p->first_cmd;
    p->first_cmd = -1;
    if (p->qlen > 0) {
        p->first_cmd = (int8_t)p->queue[p->qhead];
        p->qhead = (p->qhead + 1) % p->lim.max_pending;
        p->qlen--;
    }
    smtp_update_state(p, cb, ud, cmd, reply);
}

/* ---- lines -------------------------------------------------------------- */

static int smtp_parse_cmd(const char *w, size_t n)
{
    for (int code = 0; code < CMD_LAST; code++) {
        if (code == CMD_CONN_ESTABLISHMENT || code == CMD_END_OF_DATA || code == CMD_AUTH_ANSWER) {
            continue;
        }
        if (strlen(smtp_cmd_words[code]) == n && strncasecmp(w, smtp_cmd_words[code], n) == 0) {
            return code;
        }
    }
    return -1;
}

/* BDAT's chunk size and LAST flag; false when the argument is not one. */
static bool smtp_bdat_arg(const char *a, size_t n, uint64_t *size, bool *last)
{
    size_t i = 0;
    uint64_t v = 0;

    while (i < n && isdigit((unsigned char)a[i])) {
        if (v > UINT64_MAX / 10 - 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(a[i++] - '0');
    }
    if (i == 0) {
        return false;
    }
    while (i < n && smtp_blank(a[i])) {
        i++;
    }
    *last = n - i >= 4 && strncasecmp(a + i, "LAST", 4) == 0;
    *size = v;
    return true;
}

static void smtp_sender_cmd(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                            const char *line, size_t len)
{
    const char *end = line + len;
    size_t wlen = 0;
    const char *arg;
    int code;

    while (wlen < len && !isspace((unsigned char)line[wlen])) {
        wlen++;
    }
    arg = line + wlen;
    while (arg < end && smtp_blank(*arg)) {
        arg++;
    }
    code = smtp_parse_cmd(line, wlen);
    if (code < 0) {
        return; /* Zeek's "unknown command": no event */
    }
    smtp_new_cmd(p, cb, ud, code);
    if (wlen > 0 || arg < end) {
        smtp_request(p, cb, ud, line, wlen, arg, (size_t)(end - arg));
    }
    smtp_update_state(p, cb, ud, code, 0);
    if (code == CMD_BDAT) {
        uint64_t size;
        bool last;
        if (smtp_bdat_arg(arg, (size_t)(end - arg), &size, &last)) {
            if (!p->in_mail) {
                smtp_begin_data(p, cb, ud);
            }
            p->state = SMTP_IN_DATA;
            p->bdat_left = size;
            p->bdat_last = last;
            if (size == 0 && last) {
                smtp_end_data(p, cb, ud);
                p->state = SMTP_READY;
            }
        }
    }
}

static void smtp_sender_line(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                             const char *line, size_t len)
{
    if (p->state == SMTP_AFTER_GAP) {
        return; /* command or mail data: cannot tell */
    }
    if (p->state == SMTP_IN_DATA && len == 1 && line[0] == '.') {
        smtp_new_cmd(p, cb, ud, CMD_END_OF_DATA);
        smtp_update_state(p, cb, ud, CMD_END_OF_DATA, 0);
        smtp_request(p, cb, ud, ".", 1, "", 0);
        return;
    }
    if (p->state == SMTP_IN_DATA) {
        if (len > 0 && line[0] == '.') {
            line++;
            len--;
        }
        if (!p->in_mail) {
            smtp_begin_data(p, cb, ud);
        }
        smtp_mail_line(p, cb, ud, line, len);
        return;
    }
    if (p->state == SMTP_IN_AUTH) {
        smtp_new_cmd(p, cb, ud, CMD_AUTH_ANSWER);
        smtp_request(p, cb, ud, "**", 2, line, len);
        smtp_update_state(p, cb, ud, CMD_AUTH_ANSWER, 0);
        return;
    }
    smtp_sender_cmd(p, cb, ud, line, len);
}

static void smtp_reply_line(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                            const char *line, size_t len)
{
    const char *end = line + len;
    const char *msg;
    const char *cmd;
    int code = -1;
    bool cont;

    if (len >= 3 && isdigit((unsigned char)line[0]) && isdigit((unsigned char)line[1]) &&
        isdigit((unsigned char)line[2])) {
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    }
    if (code < SMTP_REPLY_MIN || code > SMTP_REPLY_MAX) {
        return; /* Zeek: "reply code out of range", a protocol violation */
    }
    if (p->pending_reply != 0 && code != p->pending_reply) {
        p->pending_reply = 0;
    }
    if (p->pending_reply == 0) {
        smtp_new_reply(p, cb, ud, code);
    }
    cont = len > 3 && line[3] == '-';
    msg = line + (cont ? 4 : 3);
    if (msg > end) {
        msg = end;
    }
    while (msg < end && smtp_blank(*msg)) {
        msg++;
    }
    p->pending_reply = cont ? (uint16_t)code : 0;
    switch (p->last_replied_cmd) {
    case CMD_CONN_ESTABLISHMENT:
        cmd = ">";
        break;
    case CMD_END_OF_DATA:
        cmd = ".";
        break;
    default:
        cmd = smtp_cmd_word(p->last_replied_cmd);
        break;
    }
    if (cb->reply != NULL) {
        cb->reply(ud, (unsigned)code, cmd, msg, (size_t)(end - msg), cont);
    }
}

/* One whole line of a direction, its line end taken off. */
static void smtp_line(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud, bool is_orig,
                      const char *line, size_t len)
{
    bool is_sender = p->orig_is_sender ? is_orig : !is_orig;

    while (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    if (is_sender) {
        smtp_sender_line(p, cb, ud, line, len);
    } else {
        smtp_reply_line(p, cb, ud, line, len);
    }
}

/* Mail content of a BDAT chunk: lines of the mail, without dot-stuffing. */
static size_t smtp_bdat_data(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud,
                             const uint8_t *data, size_t len)
{
    struct shoal_lines *lb = &p->line[1];
    size_t n = len < p->bdat_left ? len : (size_t)p->bdat_left;
    size_t i = 0;

    while (i < n) {
        const uint8_t *nl = memchr(data + i, '\n', n - i);
        size_t take = nl != NULL ? (size_t)(nl - (data + i)) : n - i;
        size_t room = lb->buf != NULL ? p->lim.max_line - lb->len : 0;
        if (lb->buf == NULL && (nl == NULL || lb->len > 0)) {
            lb->buf = cb->alloc(ud, p->lim.max_line);
            room = lb->buf != NULL ? p->lim.max_line : 0;
        }
        if (nl != NULL && lb->len == 0) {
            size_t l = take;
            while (l > 0 && data[i + l - 1] == '\r') {
                l--;
            }
            smtp_mail_line(p, cb, ud, (const char *)data + i, l);
        } else {
            size_t c = take < room ? take : room;
            if (c > 0) {
                memcpy(lb->buf + lb->len, data + i, c);
                lb->len += (uint32_t)c;
            }
            if (nl != NULL) {
                size_t l = lb->len;
                while (l > 0 && lb->buf[l - 1] == '\r') {
                    l--;
                }
                smtp_mail_line(p, cb, ud, (const char *)lb->buf, l);
                lb->len = 0;
            }
        }
        i += take + (nl != NULL ? 1 : 0);
    }
    p->bdat_left -= n;
    if (p->bdat_left == 0) {
        if (p->bdat_last) {
            if (lb->len > 0) {
                smtp_mail_line(p, cb, ud, (const char *)lb->buf, lb->len);
                lb->len = 0;
            }
            smtp_end_data(p, cb, ud);
        }
        p->state = SMTP_READY;
    }
    return n;
}

bool smtp_parse_data(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct shoal_lines *lr = &p->line[is_orig];
    size_t i = 0;

    while (i < len && !p->done) {
        if (is_orig == p->orig_is_sender && p->bdat_left > 0) {
            i += smtp_bdat_data(p, cb, ud, data + i, len - i);
            continue;
        }
        struct shoal_line ln;
        i += shoal_lines_next(lr, data + i, len - i, cb->alloc, ud, &ln);
        if (ln.cut_now) {
            char addl[32];
            snprintf(addl, sizeof(addl), "%u", p->lim.max_line);
            smtp_weird(cb, ud, "contentline_size_exceeded", addl);
        }
        if (ln.p != NULL) {
            smtp_line(p, cb, ud, is_orig, (const char *)ln.p, ln.len);
        }
    }
    return !p->done;
}

void smtp_parse_gap(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud, bool is_orig,
                    uint64_t len)
{
    (void)len;
    if (p->done) {
        return;
    }
    p->line[is_orig].len = 0;
    p->line[is_orig].cut = false;
    p->line[is_orig].lost = false;
    p->line[is_orig].last_cr = false;
    if (p->state == SMTP_IN_DATA) {
        smtp_end_data(p, cb, ud);
    }
    p->bdat_left = 0;
    p->qlen = 0;
    p->first_cmd = -1;
    p->last_replied_cmd = -1;
    p->state = SMTP_AFTER_GAP;
}

void smtp_parse_done(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud)
{
    if (p->in_mail) {
        smtp_end_data(p, cb, ud);
    }
    for (int d = 0; d < 2; d++) {
        cb->free(ud, p->line[d].buf);
        p->line[d].buf = NULL;
    }
    cb->free(ud, p->hdr);
    p->hdr = NULL;
    cb->free(ud, p->queue);
    p->queue = NULL;
}
