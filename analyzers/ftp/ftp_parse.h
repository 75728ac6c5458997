/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host-independent part of the ftp analyzer's control channel: lines
 * of both directions (LF-ended, bounded), requests split into an
 * upper-cased command and its argument, replies into code, text and
 * whether more lines follow, as Zeek's FTP analyzer hands them to its
 * ftp_request and ftp_reply events.  The line buffers are made on first
 * need through the callbacks.
 */
#ifndef SHOAL_FTP_PARSE_H
#define SHOAL_FTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/lines.h>

struct ftp_parse_cb {
    /* A command, upper-cased (at most FTP_CMD_MAX bytes), and its argument. */
    void (*request)(void *ud, const char *cmd, size_t clen, const char *arg, size_t alen);
    /* A reply line: code (0 for the inner lines of a multi-line reply),
     * text, and whether the reply goes on. */
    void (*reply)(void *ud, unsigned code, const char *msg, size_t mlen, bool cont);
    /* A line that is no command (Zeek's FTP_invalid_command), or whose
     * command is longer than the limit (too_long); a reply without a code. */
    void (*bad_request)(void *ud, size_t cmd_len, bool too_long);
    void (*bad_reply)(void *ud, const char *why);
    void (*weird)(void *ud, const char *name, const char *addl);
    void *(*alloc)(void *ud, size_t n);
    void (*free)(void *ud, void *p);
};

#define FTP_CMD_MAX 64

struct ftp_parser {
    uint32_t max_line;
    uint32_t max_cmd; /* Zeek's FTP::max_command_length */
    struct shoal_lines line[2];
    uint16_t pending_reply;
    bool tls;      /* AUTH TLS accepted: the rest is TLS */
    bool auth_tls; /* the last AUTH asked for TLS */
};

void ftp_parser_init(struct ftp_parser *p, uint32_t max_line, uint32_t max_cmd);

/* Bytes of one direction.  False once the rest is not FTP (AUTH TLS). */
bool ftp_parse_data(struct ftp_parser *p, const struct ftp_parse_cb *cb, void *ud, bool is_orig,
                    const uint8_t *data, size_t len);

/* Was a request line left unfinished? */
bool ftp_parse_partial(const struct ftp_parser *p, bool is_orig);

void ftp_parse_done(struct ftp_parser *p, const struct ftp_parse_cb *cb, void *ud);

#endif
