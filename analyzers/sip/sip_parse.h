/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent SIP message parsing for the sip analyzer, following
 * Zeek's binpac SIP grammar for one datagram: a request line (anything
 * before the method is junk) or a status line, header lines up to an empty
 * line, then a body of the Content-Length in force for that direction (the
 * last one seen, as Zeek keeps it per direction).  Lines end at LF, a CR
 * before it is dropped.  What is parsed is reported through callbacks in
 * order, as Zeek raises its events while it parses: a message that stops
 * half-way has reported its start line and first headers but not its end.
 * Nothing here allocates; every read is checked against the message.
 */
#ifndef SHOAL_SIP_PARSE_H
#define SHOAL_SIP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sip_span {
    const uint8_t *p;
    size_t len;
};

struct sip_parse_cb {
    void *ud;
    /* a request line: junk before the method (may be empty), method, URI */
    void (*request)(void *ud, struct sip_span junk, struct sip_span method, struct sip_span uri);
    /* a status line */
    void (*reply)(void *ud, unsigned code, struct sip_span reason);
    /* a header line: its name as written, its value */
    void (*header)(void *ud, struct sip_span name, struct sip_span value);
    /* the whole message parsed, body included */
    void (*end)(void *ud);
};

/*
 * Parse one message of len bytes, as a reply (status line) when `reply`,
 * else as a request.  *content_length is the direction's Content-Length
 * (updated by a "Content-Length" or "L" header).  Returns true when the
 * whole message parsed (end was called).
 */
bool sip_parse(const uint8_t *p, size_t len, bool reply, long *content_length,
               const struct sip_parse_cb *cb);

#endif
