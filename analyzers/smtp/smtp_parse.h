/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host-independent SMTP protocol machine of the smtp analyzer: splits
 * both directions into lines (bounded), follows Zeek's SMTP analyzer state
 * machine (commands matched to replies through the pipelining queue, DATA
 * and BDAT mail bodies, AUTH exchanges, STARTTLS, recovery after content
 * gaps) and hands out Zeek's events: requests, replies, the top-level MIME
 * headers of each mail, the start of each mail entity, STARTTLS and weirds.
 * Nothing here allocates per packet: line and header buffers are made once
 * per connection, on first need, through the callbacks.
 */
#ifndef SHOAL_SMTP_PARSE_H
#define SHOAL_SMTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/lines.h>

/* Bounds of one connection's parser (from the plugin's settings). */
struct smtp_limits {
    uint32_t max_line;    /* bytes of one line kept; the rest is dropped */
    uint32_t max_header;  /* bytes of one (folded) MIME header kept */
    uint32_t max_pending; /* pipelined commands awaiting a reply */
};

/* What the parser tells its user (ud is the user's pointer). */
struct smtp_parse_cb {
    /* A command (upper-cased) and its argument (leading blanks skipped). */
    void (*request)(void *ud, const char *cmd, size_t clen, const char *arg, size_t alen);
    /* One reply line: its code, the command it answers ("." for the end of
     * data, ">" for the greeting), its text, and whether more lines follow. */
    void (*reply)(void *ud, unsigned code, const char *cmd, const char *msg, size_t mlen,
                  bool cont);
    /* A MIME entity of a mail begins (Zeek's mime_begin_entity). */
    void (*begin_entity)(void *ud);
    /* A header of a mail's top-level entity: name upper-cased, value with
     * continuation lines joined and leading white space skipped. */
    void (*header)(void *ud, const char *name, size_t nlen, const char *value, size_t vlen);
    /* STARTTLS succeeded: the rest of the connection is TLS. */
    void (*starttls)(void *ud);
    void (*weird)(void *ud, const char *name, const char *addl);
    /* The protocol was recognised (Zeek's analyzer confirmation). */
    void (*confirm)(void *ud);
    void *(*alloc)(void *ud, size_t n); /* zeroed */
    void (*free)(void *ud, void *p);
};

struct smtp_parser {
    struct smtp_limits lim;
    struct shoal_lines line[2]; /* [1]: originator */
    char *hdr;                  /* the MIME header being assembled (max_header) */
    uint32_t hdr_len;
    bool hdr_open;
    uint8_t state;
    int8_t first_cmd;
    int8_t last_replied_cmd;
    bool orig_is_sender;
    bool in_mail;    /* a mail (MIME entity) is open */
    bool in_headers; /* ... and its top-level headers go on */
    bool bdat_last;  /* the current BDAT chunk is the last */
    bool done;       /* TLS, or the analyzer was disabled: ignore the rest */
    uint16_t pending_reply;
    uint64_t bdat_left; /* bytes of the current BDAT chunk still to come */
    uint8_t *queue;     /* pipelined commands (max_pending), a ring */
    uint32_t qhead, qlen;
};

/* A fresh parser with bounds `lim`. */
void smtp_parser_init(struct smtp_parser *p, const struct smtp_limits *lim);

/* Stream bytes of one direction.  Returns false once the rest of the
 * connection is no longer SMTP (after STARTTLS). */
bool smtp_parse_data(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud, bool is_orig,
                     const uint8_t *data, size_t len);

/* `len` bytes of one direction were lost. */
void smtp_parse_gap(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud, bool is_orig,
                    uint64_t len);

/* The connection ends: close an open mail; free the buffers. */
void smtp_parse_done(struct smtp_parser *p, const struct smtp_parse_cb *cb, void *ud);

/* Stop analysing (the user disabled the analyzer). */
void smtp_parse_stop(struct smtp_parser *p);

#endif
