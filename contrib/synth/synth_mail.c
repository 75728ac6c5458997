/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMTP and FTP control sessions for shoal-synth.  A session is a script of
 * steps (one line or a few lines in one direction), planned from the
 * session seed alone, so any step can be rendered again from (seed, step)
 * as the rest of the generator requires.  SMTP: greeting, EHLO, one to
 * three mails (MAIL FROM, RCPT TOs, DATA, headers with folded and Received
 * lines, a dot-stuffed body, the end of data), sometimes pipelined
 * commands, a rejected recipient, or STARTTLS ending the clear text; then
 * QUIT.  FTP: greeting (sometimes multi-line), USER/PASS, SYST, CWD/PWD,
 * and transfers announced by PASV, PORT, EPSV or EPRT followed by RETR,
 * STOR or LIST with their 150/226 replies; the data connections themselves
 * are not generated.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "synth.h"

#define MAIL_STEPS_MAX 64

enum mail_step {
    /* SMTP */
    SM_GREET,
    SM_EHLO,
    SM_EHLO_R,
    SM_MAIL,
    SM_MAIL_R,
    SM_RCPT,
    SM_RCPT_R,
    SM_RCPT_BAD_R,
    SM_DATA,
    SM_DATA_R,
    SM_BODY,
    SM_BODY_R,
    SM_PIPE,   /* MAIL, RCPT, DATA in one turn */
    SM_PIPE_R, /* their three replies */
    SM_STARTTLS,
    SM_STARTTLS_R,
    SM_QUIT,
    SM_QUIT_R,
    /* FTP */
    SF_GREET,
    SF_USER,
    SF_USER_R,
    SF_PASS,
    SF_PASS_R,
    SF_SYST,
    SF_SYST_R,
    SF_CWD,
    SF_CWD_R,
    SF_PWD,
    SF_PWD_R,
    SF_CHAN,   /* PASV, PORT, EPSV or EPRT */
    SF_CHAN_R, /* its reply */
    SF_XFER,   /* RETR, STOR or LIST */
    SF_XFER_150,
    SF_XFER_226,
    SF_QUIT,
    SF_QUIT_R,
};

/* Steps from the server (the rest are the client's). */
static bool mail_from_server(uint8_t step)
{
    switch (step) {
    case SM_GREET:
    case SM_EHLO_R:
    case SM_MAIL_R:
    case SM_RCPT_R:
    case SM_RCPT_BAD_R:
    case SM_DATA_R:
    case SM_BODY_R:
    case SM_PIPE_R:
    case SM_STARTTLS_R:
    case SM_QUIT_R:
    case SF_GREET:
    case SF_USER_R:
    case SF_PASS_R:
    case SF_SYST_R:
    case SF_CWD_R:
    case SF_PWD_R:
    case SF_CHAN_R:
    case SF_XFER_150:
    case SF_XFER_226:
    case SF_QUIT_R:
        return true;
    default:
        return false;
    }
}

/* The script of session s into steps[]; returns its length. */
static uint32_t mail_plan(const struct synth_sess *s, uint8_t steps[MAIL_STEPS_MAX])
{
    uint64_t st = synth_hash(s->seed, 0x5e7a11ULL);
    uint32_t n = 0;

#define STEP(x) (steps[n++] = (uint8_t)(x))
    if (s->sub == SYNTH_SUB_SMTP) {
        uint32_t mails = synth_range(&st, 1, 3);
        STEP(SM_GREET), STEP(SM_EHLO), STEP(SM_EHLO_R);
        if (synth_below(&st, 100) < 10) {
            STEP(SM_STARTTLS), STEP(SM_STARTTLS_R);
            return n; /* the rest is TLS: the connection just closes */
        }
        for (uint32_t m = 0; m < mails; m++) {
            if (synth_below(&st, 100) < 20) {
                STEP(SM_PIPE), STEP(SM_PIPE_R);
            } else {
                uint32_t rcpts = synth_range(&st, 1, 3);
                STEP(SM_MAIL), STEP(SM_MAIL_R);
                for (uint32_t r = 0; r < rcpts; r++) {
                    STEP(SM_RCPT);
                    STEP(synth_below(&st, 100) < 10 ? SM_RCPT_BAD_R : SM_RCPT_R);
                }
                STEP(SM_DATA), STEP(SM_DATA_R);
            }
            STEP(SM_BODY), STEP(SM_BODY_R);
        }
        STEP(SM_QUIT), STEP(SM_QUIT_R);
        return n;
    }
    uint32_t xfers = synth_range(&st, 1, 6);
    STEP(SF_GREET), STEP(SF_USER), STEP(SF_USER_R), STEP(SF_PASS), STEP(SF_PASS_R);
    if (synth_below(&st, 2)) {
        STEP(SF_SYST), STEP(SF_SYST_R);
    }
    for (uint32_t x = 0; x < xfers && n + 12 < MAIL_STEPS_MAX; x++) {
        if (synth_below(&st, 100) < 30) {
            STEP(SF_CWD), STEP(SF_CWD_R), STEP(SF_PWD), STEP(SF_PWD_R);
        }
        STEP(SF_CHAN), STEP(SF_CHAN_R), STEP(SF_XFER), STEP(SF_XFER_150), STEP(SF_XFER_226);
    }
    STEP(SF_QUIT), STEP(SF_QUIT_R);
#undef STEP
    return n;
}

struct mbuf {
    char *p;
    size_t n, cap;
};

static void mb_printf(struct mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mb_printf(struct mbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (b->n >= b->cap) {
        return;
    }
    va_start(ap, fmt);
    k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (k > 0) {
        b->n += (size_t)k < b->cap - b->n ? (size_t)k : b->cap - b->n - 1;
    }
}

static const char *const mail_users[8] = {"alice", "bob",   "carol", "dave",
                                          "erin",  "frank", "grace", "heidi"};
static const char *const mail_domains[6] = {"example.org", "example.com", "example.net",
                                            "mail.test",   "corp.test",   "lists.test"};
static const char *const mail_agents[4] = {"Mutt/2.2.9", "Thunderbird 115.3",
                                           "Microsoft Outlook 16.0", "Apple Mail (2.3731)"};
static const char *const ftp_files[6] = {"README",      "data.csv",  "pub/image.png",
                                         "archive.tgz", "notes.txt", "report.pdf"};

/* The ordinal of `step` among the steps before index j (which mail,
 * which transfer). */
static uint32_t mail_count(const uint8_t *steps, uint32_t j, uint8_t step)
{
    uint32_t c = 0;

    for (uint32_t i = 0; i < j; i++) {
        c += steps[i] == step;
    }
    return c;
}

static void smtp_body(struct mbuf *b, uint64_t st, uint32_t mail)
{
    const char *from = mail_users[synth_below(&st, 8)];
    const char *to = mail_users[synth_below(&st, 8)];
    const char *dom = mail_domains[synth_below(&st, 6)];
    uint32_t lines = synth_range(&st, 1, 12);

    mb_printf(b, "Received: from client.%s ([10.%u.%u.%u]) by mx.%s; Mon, 1 Jan 2024\r\n", dom,
              synth_below(&st, 256), synth_below(&st, 256), synth_range(&st, 1, 254), dom);
    mb_printf(b, "From: \"%s, %s\" <%s@%s>\r\n", from, dom, from, dom);
    mb_printf(b, "To: %s@%s,\r\n\t%s@%s\r\n", to, dom, from, mail_domains[synth_below(&st, 6)]);
    if (synth_below(&st, 2)) {
        mb_printf(b, "Cc: %s <%s@%s>\r\n", to, to, dom);
    }
    mb_printf(b, "Subject: message %u about %s\r\n", mail, mail_users[synth_below(&st, 8)]);
    mb_printf(b, "Date: Mon, 1 Jan 2024 10:%02u:00 +0000\r\n", synth_below(&st, 60));
    mb_printf(b, "Message-ID: <%llx@%s>\r\n", (unsigned long long)st, dom);
    mb_printf(b, "X-Mailer: %s\r\n\r\n", mail_agents[synth_below(&st, 4)]);
    for (uint32_t i = 0; i < lines; i++) {
        mb_printf(b, "%sline %u of the body\r\n", synth_below(&st, 8) == 0 ? ".." : "", i);
    }
    mb_printf(b, ".\r\n");
}

static void smtp_render(const struct synth_sess *s, const uint8_t *steps, uint32_t j,
                        struct mbuf *b)
{
    uint64_t st = synth_hash(s->seed, 0x53740000ULL + j);
    const char *u = mail_users[synth_below(&st, 8)];
    const char *d = mail_domains[synth_below(&st, 6)];

    switch (steps[j]) {
    case SM_GREET:
        mb_printf(b, "220 mx.%s ESMTP ready\r\n", d);
        break;
    case SM_EHLO:
        mb_printf(b, "EHLO client.%s\r\n", d);
        break;
    case SM_EHLO_R:
        mb_printf(b, "250-mx.%s\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n", d);
        break;
    case SM_MAIL:
        mb_printf(b, "MAIL FROM:<%s@%s> SIZE=%u\r\n", u, d, synth_range(&st, 100, 90000));
        break;
    case SM_RCPT:
        mb_printf(b, "RCPT TO:<%s@%s>\r\n", u, d);
        break;
    case SM_MAIL_R:
    case SM_RCPT_R:
        mb_printf(b, "250 2.1.5 Ok\r\n");
        break;
    case SM_RCPT_BAD_R:
        mb_printf(b, "550 5.1.1 <%s@%s>: Recipient address rejected\r\n", u, d);
        break;
    case SM_DATA:
        mb_printf(b, "DATA\r\n");
        break;
    case SM_DATA_R:
        mb_printf(b, "354 End data with <CR><LF>.<CR><LF>\r\n");
        break;
    case SM_PIPE:
        mb_printf(b, "MAIL FROM:<%s@%s>\r\nRCPT TO:<%s@%s>\r\nDATA\r\n", u, d,
                  mail_users[synth_below(&st, 8)], d);
        break;
    case SM_PIPE_R:
        mb_printf(b, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data\r\n");
        break;
    case SM_BODY:
        smtp_body(b, st, mail_count(steps, j, SM_BODY));
        break;
    case SM_BODY_R:
        mb_printf(b, "250 2.0.0 Ok: queued as %08llX\r\n", (unsigned long long)(st & 0xffffffff));
        break;
    case SM_STARTTLS:
        mb_printf(b, "STARTTLS\r\n");
        break;
    case SM_STARTTLS_R:
        mb_printf(b, "220 2.0.0 Ready to start TLS\r\n");
        break;
    case SM_QUIT:
        mb_printf(b, "QUIT\r\n");
        break;
    default:
        mb_printf(b, "221 2.0.0 Bye\r\n");
        break;
    }
}

/* The data channel of transfer x: kind (0 PASV, 1 PORT, 2 EPSV, 3 EPRT)
 * and port. */
static void ftp_channel(const struct synth_sess *s, uint32_t x, uint32_t *kind, uint32_t *port)
{
    uint64_t st = synth_hash(s->seed, 0xf7900000ULL + x);

    *kind = s->v6 ? 2 + synth_below(&st, 2) : synth_below(&st, 4);
    *port = synth_range(&st, 1025, 65535);
}

static void ftp_addr(const struct synth_addr *a, bool v6, bool commas, char *out, size_t cap)
{
    if (v6) {
        snprintf(out, cap, "%x:%x:%x:%x:%x:%x:%x:%x", a->b[0] << 8 | a->b[1],
                 a->b[2] << 8 | a->b[3], a->b[4] << 8 | a->b[5], a->b[6] << 8 | a->b[7],
                 a->b[8] << 8 | a->b[9], a->b[10] << 8 | a->b[11], a->b[12] << 8 | a->b[13],
                 a->b[14] << 8 | a->b[15]);
    } else {
        snprintf(out, cap, commas ? "%u,%u,%u,%u" : "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2],
                 a->b[3]);
    }
}

static void ftp_render(const struct synth_sess *s, const uint8_t *steps, uint32_t j, struct mbuf *b)
{
    uint64_t st = synth_hash(s->seed, 0xf7000000ULL + j);
    uint32_t x = mail_count(steps, j, SF_CHAN);
    uint32_t kind, port;
    char a[64];
    const char *file = ftp_files[synth_hash(s->seed, 0xf11e0000ULL + x) % 6];
    uint32_t size = (uint32_t)(synth_hash(s->seed, 0x512e0000ULL + x) % 200000);
    bool anon = (s->seed >> 5) & 1;

    /* the reply steps belong to the channel announced just before them */
    ftp_channel(s, x > 0 ? x - 1 : 0, &kind, &port);
    switch (steps[j]) {
    case SF_GREET:
        if (synth_below(&st, 3) == 0) {
            mb_printf(b, "220-Welcome to the archive\r\n220-Be nice\r\n");
        }
        mb_printf(b, "220 ftp server ready\r\n");
        break;
    case SF_USER:
        mb_printf(b, "USER %s\r\n", anon ? "anonymous" : mail_users[s->seed % 8]);
        break;
    case SF_USER_R:
        mb_printf(b, "331 Please specify the password.\r\n");
        break;
    case SF_PASS:
        mb_printf(b, "PASS %s\r\n", anon ? "guest@" : "s3cret");
        break;
    case SF_PASS_R:
        mb_printf(b, "230 Login successful.\r\n");
        break;
    case SF_SYST:
        mb_printf(b, "SYST\r\n");
        break;
    case SF_SYST_R:
        mb_printf(b, "215 UNIX Type: L8\r\n");
        break;
    case SF_CWD:
        mb_printf(b, "CWD %s\r\n", synth_below(&st, 3) ? "pub/data" : "..");
        break;
    case SF_CWD_R:
        mb_printf(b, "250 Directory successfully changed.\r\n");
        break;
    case SF_PWD:
        mb_printf(b, "PWD\r\n");
        break;
    case SF_PWD_R:
        mb_printf(b, "257 \"/pub/data\" is the current directory\r\n");
        break;
    case SF_CHAN:
        ftp_channel(s, x, &kind, &port);
        ftp_addr(&s->addr[0], s->v6, kind == 1, a, sizeof(a));
        if (kind == 0) {
            mb_printf(b, "PASV\r\n");
        } else if (kind == 1) {
            mb_printf(b, "PORT %s,%u,%u\r\n", a, port >> 8, port & 255);
        } else if (kind == 2) {
            mb_printf(b, "EPSV\r\n");
        } else {
            mb_printf(b, "EPRT |%u|%s|%u|\r\n", s->v6 ? 2 : 1, a, port);
        }
        break;
    case SF_CHAN_R:
        ftp_addr(&s->addr[1], s->v6, true, a, sizeof(a));
        if (kind == 0) {
            mb_printf(b, "227 Entering Passive Mode (%s,%u,%u).\r\n", a, port >> 8, port & 255);
        } else if (kind == 2) {
            mb_printf(b, "229 Entering Extended Passive Mode (|||%u|)\r\n", port);
        } else {
            mb_printf(b, "200 %s command successful.\r\n", kind == 1 ? "PORT" : "EPRT");
        }
        break;
    case SF_XFER:
        if (x % 3 == 2) {
            mb_printf(b, "LIST\r\n");
        } else {
            mb_printf(b, "%s %s\r\n", x % 3 ? "STOR" : "RETR", file);
        }
        break;
    case SF_XFER_150:
        mb_printf(b, "150 Opening BINARY mode data connection for %s (%u bytes).\r\n", file, size);
        break;
    case SF_XFER_226:
        mb_printf(b, "226 Transfer complete.\r\n");
        break;
    case SF_QUIT:
        mb_printf(b, "QUIT\r\n");
        break;
    default:
        mb_printf(b, "221 Goodbye.\r\n");
        break;
    }
}

uint16_t synth_mail_steps(const struct synth_sess *s)
{
    uint8_t steps[MAIL_STEPS_MAX];

    return (uint16_t)mail_plan(s, steps);
}

bool synth_mail_from_server(const struct synth_sess *s, uint32_t j)
{
    uint8_t steps[MAIL_STEPS_MAX];
    uint32_t n = mail_plan(s, steps);

    return j < n && mail_from_server(steps[j]);
}

size_t synth_mail_render(const struct synth_sess *s, uint32_t j, char *out, size_t cap)
{
    uint8_t steps[MAIL_STEPS_MAX];
    uint32_t n = mail_plan(s, steps);
    struct mbuf b = {out, 0, cap};

    if (j >= n || cap == 0) {
        return 0;
    }
    out[0] = '\0';
    if (s->sub == SYNTH_SUB_SMTP) {
        smtp_render(s, steps, j, &b);
    } else {
        ftp_render(s, steps, j, &b);
    }
    return b.n;
}
