/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent HTTP/0.9-1.1 protocol machine of the http analyzer.  It
 * reproduces the behaviour of Zeek's HTTP analyzer (request/reply lines,
 * MIME-style headers, Content-Length, chunked and close-delimited bodies,
 * gzip/deflate content decoding, 1xx interim replies, HTTP/0.9, CONNECT and
 * content gaps) and reports what it sees through a table of callbacks, the
 * same points where Zeek raises http_request, http_reply, http_header,
 * http_message_done and its weirds.  It keeps all state in one fixed-size
 * struct http_parser (no allocation per packet; only a zlib stream per
 * compressed body, through the caller's allocator).  It also unescapes URIs
 * as Zeek does.
 */
#ifndef SHOAL_HTTP_PARSE_H
#define SHOAL_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/lines.h>

/* Longest line (request/reply line, header, chunk size) kept; the rest of a
 * longer line is dropped (weird contentline_size_exceeded). */
#define HTTP_LINE_MAX 8192
/* Requests remembered while their replies are pending. */
#define HTTP_UNANSWERED_MAX 64

/* Status codes the protocol machine and the glue act on. */
#define HTTP_STATUS_SWITCHING_PROTOCOLS 101
#define HTTP_STATUS_OK 200
#define HTTP_STATUS_NO_CONTENT 204
#define HTTP_STATUS_NOT_MODIFIED 304

/* An interim (1xx) reply: the request's final reply is still to come. */
static inline bool http_status_is_info(uint64_t code)
{
    return code >= 100 && code <= 199;
}

/* The callbacks.  `ud` is the caller's pointer given to http_parse_data and
 * friends.  Strings are borrowed for the call and not NUL-terminated. */
struct http_parse_cb {
    /* A request line parsed: method, unescaped URI, version "%.1f". */
    void (*request)(void *ud, const char *method, size_t mlen, const char *uri, size_t ulen,
                    const char *version);
    /* A reply (status line or HTTP/0.9 reply): version "%.1f", code, reason
     * ("<empty>" when the status line had none). */
    void (*reply)(void *ud, const char *version, unsigned code, const char *reason, size_t rlen);
    /* One header of a request (is_orig) or reply. */
    void (*header)(void *ud, bool is_orig, const char *name, size_t nlen, const char *value,
                   size_t vlen);
    /* Decoded body bytes of the current message (what Zeek's file analysis
     * sees): the first call of a message opens its file. */
    void (*body)(void *ud, bool is_orig, const uint8_t *data, size_t len);
    /* The current message of a direction ended; body_len counts decoded body
     * bytes plus bytes lost in gaps inside the body. */
    void (*message_done)(void *ud, bool is_orig, uint64_t body_len, bool interrupted);
    /* A weird (weird.log, source "HTTP"); addl may be NULL. */
    void (*weird)(void *ud, const char *name, const char *addl);
    /* A reply answered a request: the protocol is HTTP. */
    void (*confirm)(void *ud);
    /* Allocation for zlib streams (calloc semantics); free accepts NULL. */
    void *(*alloc)(void *ud, size_t n);
    void (*free)(void *ud, void *p);
};

struct http_version {
    uint8_t major;
    uint8_t minor; /* {0,0}: not seen yet */
};

/* One HTTP message (Zeek's HTTP_Message with its top-level entity). */
struct http_msg {
    bool active;   /* a message object exists */
    bool finished; /* Done() ran */
    bool in_header;
    bool end_of_data;
    bool gzip_failed;
    uint8_t expect_body;
    uint8_t chunk_state;
    uint8_t encoding;
    int64_t content_length; /* -1: none */
    int64_t expect_data_length;
    uint64_t body_length;
    void *zs; /* z_stream while decoding gzip/deflate */
};

/* One direction: line assembly plus its message. */
struct http_dir {
    struct http_msg msg;
    int64_t plain_left;       /* > 0: next bytes are delivered raw, not as lines */
    bool skip;                /* a gap ended parsing in this direction */
    struct shoal_lines lines; /* CR and LF end lines; buf (HTTP_LINE_MAX bytes, from
                               * cb->alloc) only once a line spans two segments */
};

/* The state of one connection (Zeek's HTTP_Analyzer). */
struct http_parser {
    struct http_dir dir[2]; /* [1] originator, [0] responder */
    uint8_t request_state;
    uint8_t reply_state;
    bool request_ongoing;
    bool reply_ongoing;
    bool keep_alive;
    bool connection_close;
    bool connect_request;
    bool tunnel; /* CONNECT established or upgraded: data is no longer HTTP */
    bool upgrade_connection;
    bool upgrade_protocol;
    bool single_cr; /* line_terminated_with_single_CR was raised (once a connection) */
    unsigned reply_code;
    struct http_version request_version;
    struct http_version reply_version;
    uint64_t num_requests;
    uint64_t num_replies;
    /* Unanswered requests, oldest first: whether each was a HEAD. */
    uint8_t unans_head[HTTP_UNANSWERED_MAX];
    unsigned unans_first;
    unsigned unans_count;
    /* Whose allocator zlib uses for this connection's streams. */
    const struct http_parse_cb *zcb;
    void *zud;
};

/*
 * Reset `p` to the start of a connection.  No allocation.
 */
void http_parser_init(struct http_parser *p);

/*
 * Feed the next in-order bytes of one direction.  Callbacks run from inside.
 * Returns true while the data is still HTTP, false once the connection turned
 * into a tunnel (CONNECT 200 or protocol upgrade) and HTTP parsing stopped.
 */
bool http_parse_data(struct http_parser *p, const struct http_parse_cb *cb, void *ud, bool is_orig,
                     const uint8_t *data, size_t len);

/*
 * `len` bytes of one direction were lost.  Inside a body of known length they
 * are counted and parsing goes on; elsewhere the direction's message is cut
 * (interrupted) and that direction is not parsed any more.
 */
void http_parse_gap(struct http_parser *p, const struct http_parse_cb *cb, void *ud, bool is_orig,
                    uint64_t len);

/*
 * One direction closed (FIN/RST): flush a partial line and end the message
 * of that direction normally.
 */
void http_parse_eof(struct http_parser *p, const struct http_parse_cb *cb, void *ud, bool is_orig);

/*
 * The connection is over: end both messages (interrupted) and free the
 * zlib streams.  `p` may be reused after http_parser_init.
 */
void http_parse_done(struct http_parser *p, const struct http_parse_cb *cb, void *ud);

/*
 * Unescape a URI as Zeek does (%XX, %uXXXX; bad escapes are kept and give
 * weirds through cb->weird when cb is not NULL).  `out` must hold len bytes;
 * returns the output length.
 */
size_t http_unescape_uri(const char *in, size_t len, char *out, const struct http_parse_cb *cb,
                         void *ud);

#endif
