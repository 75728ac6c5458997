/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent QUIC datagram machine of the quic analyzer, as Zeek's
 * QUIC analyzer: it splits each datagram into its packets (long headers:
 * Initial, 0-RTT, Handshake, Retry, or an unknown version; short headers
 * are only counted), opens the Initial packets of each direction with the
 * keys of the client's first Destination Connection ID until the
 * direction's first TLS handshake message (ClientHello / ServerHello) is
 * whole, parses their frames (PADDING, PING, ACK, CRYPTO,
 * CONNECTION_CLOSE; another type is a violation, as Zeek's), and gathers
 * the CRYPTO frames (in any order) into that message.
 *
 * State lives in struct quic_parser (fixed size); the only allocation, by
 * the caller's allocator, is each direction's CRYPTO buffer while its
 * handshake message is gathered (at most max_crypto bytes, freed when the
 * message is whole).  None per packet: Initial packets are opened in a
 * stack buffer of QUIC_PKT_MAX bytes.
 */
#ifndef SHOAL_QUIC_PARSE_H
#define SHOAL_QUIC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quic_crypto.h"

#define QUIC_PKT_MAX 8192            /* longest Initial packet opened */
#define QUIC_CRYPTO_NOLEN 2000       /* Zeek: CRYPTO bytes allowed before the length is known */
#define QUIC_HELLO_MAX (16384 + 256) /* Zeek: longest handshake message (RFC 8446) */
#define QUIC_DISCARDED_MAX 100       /* Zeek's QUIC::max_discarded_packet_events */

/* Long header packet kinds, as history letters (client's capitalised). */
enum quic_kind {
    QUIC_INITIAL = 'I',
    QUIC_HANDSHAKE = 'H',
    QUIC_ZERO_RTT = 'Z',
    QUIC_RETRY = 'R',
    QUIC_UNKNOWN_VERSION = 'U',
};

/* A long header as the events see it. */
struct quic_hdr {
    enum quic_kind kind;
    uint32_t version;
    uint8_t dcid_len, scid_len;
    const uint8_t *dcid, *scid;
};

/* The callbacks.  `ud` is the parser's. */
struct quic_parse_cb {
    /* A long header packet was parsed (Zeek's initial_packet,
     * handshake_packet, zero_rtt_packet, retry_packet, unhandled_version). */
    void (*packet)(void *ud, bool is_orig, const struct quic_hdr *h);
    /* An Initial packet was opened: the protocol is QUIC. */
    void (*confirm)(void *ud);
    /* A direction's first handshake message is whole: msg[0..len) is it
     * with its 4-byte header. */
    void (*hello)(void *ud, bool is_orig, const uint8_t *msg, size_t len);
    /* A CONNECTION_CLOSE frame in an opened packet. */
    void (*close)(void *ud, bool is_orig, uint64_t error_code);
    /* Short header packets of a direction reached 1, 2, 4, 8, ...
     * (Zeek's short_packet_threshold_crossed). */
    void (*short_threshold)(void *ud, bool is_orig, uint64_t n);
    /* A packet without the fixed bit after an opened one (Zeek's
     * discarded_packet, at most QUIC_DISCARDED_MAX times). */
    void (*discarded)(void *ud, bool is_orig);
    /* Not (or no longer) QUIC as Zeek parses it: the parser has stopped. */
    void (*violation)(void *ud, const char *reason);
    void *(*alloc)(void *ud, size_t n); /* zeroed; NULL on failure */
    void (*free)(void *ud, void *p);
};

/* One direction's CRYPTO stream, up to its first handshake message. */
struct quic_crypto {
    uint8_t *buf;    /* data, then a bitmap of the bytes held (cap / 8) */
    uint32_t cap;    /* bytes of data buf holds room for */
    uint32_t want;   /* the message's length with its header; 0: not known yet */
    uint32_t prefix; /* bytes held from offset 0 without a hole */
    bool finished;   /* the message was handed on: open no more */
};

struct quic_parser {
    struct quic_crypto d[2]; /* [1]: originator */
    uint8_t dcid[QUIC_CID_MAX];
    uint8_t dcid_len;
    bool have_dcid; /* the client's first Initial DCID (the keys' secret) */
    bool stopped;
    uint32_t max_crypto;
    uint64_t short_total[2], short_next[2];
    uint64_t decrypted, discarded;
    const struct quic_parse_cb *cb;
    void *ud;
};

/* A zeroed parser; max_crypto bounds a direction's CRYPTO buffer. */
void quic_parse_init(struct quic_parser *p, uint32_t max_crypto, const struct quic_parse_cb *cb,
                     void *ud);
/* Free what the parser allocated (accepts a parser never fed). */
void quic_parse_free(struct quic_parser *p);

/* One UDP datagram of a direction. */
void quic_parse_datagram(struct quic_parser *p, bool is_orig, const uint8_t *data, size_t len);

/* Forget the keys and CRYPTO state (a Retry: the client starts over). */
void quic_parse_reset_crypto(struct quic_parser *p);

/* Decode a variable-length integer (RFC 9000 16) at data[*off..len):
 * true and *off past it, or false if truncated. */
bool quic_varint(const uint8_t *data, size_t len, size_t *off, uint64_t *v);

#endif
