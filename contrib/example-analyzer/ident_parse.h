/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent parsing of Ident (RFC 1413) lines for the ident analyzer:
 * a query ("6191, 23") and a reply ("6191, 23 : USERID : UNIX : stjohns" or
 * "6191, 23 : ERROR : NO-USER"), each one line without its line ending.
 * Nothing here allocates or knows the host: the functions read the bytes
 * they are given, which come from the network, and point into them.
 */
#ifndef IDENT_PARSE_H
#define IDENT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* The port pair every query and reply starts with.  RFC 1413 calls them
 * <port-on-server> and <port-on-client>; Zeek's ident events rport and
 * lport, as seen by the querier (the connection's originator). */
struct ident_ports {
    uint16_t rport; /* first number: the port on the ident server's host */
    uint16_t lport; /* second number: the port on the querier's host */
};

enum ident_reply_type {
    IDENT_REPLY_USERID = 1,
    IDENT_REPLY_ERROR = 2,
};

/* A reply; the strings point into the parsed line and are not NUL-terminated. */
struct ident_reply {
    struct ident_ports ports;
    enum ident_reply_type type;
    const char *os; /* USERID: the operating system, without the character set */
    size_t os_len;
    const char *text; /* USERID: the user id; ERROR: the error ("NO-USER") */
    size_t text_len;
};

/*
 * Parse a query line: two port numbers (1-65535) separated by a comma,
 * blanks allowed around each.  Returns 0 and fills *out, or -EINVAL when
 * the line is not a query.
 */
int ident_parse_query(const char *line, size_t len, struct ident_ports *out);

/*
 * Parse a reply line: the port pair, ':', USERID or ERROR, ':', then for
 * USERID the operating system (an optional ",charset" dropped), ':' and the
 * user id (the rest of the line), for ERROR the error.  Returns 0 and fills
 * *out, or -EINVAL when the line is not a reply.
 */
int ident_parse_reply(const char *line, size_t len, struct ident_reply *out);

#endif
