/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent TLS/DTLS handshake machine of the ssl analyzer.  It
 * splits each direction into records (TLS over a byte stream, DTLS within
 * datagrams), gathers handshake messages across records (and DTLS
 * fragments), and keeps what Zeek's base/protocols/ssl scripts keep of
 * them in struct ssl_session: version, cipher, curve, server name, ALPN,
 * resumption, last alert, the ssl_history letters, certificate
 * fingerprints and whether the server name matches the certificate.  As
 * Zeek's analyzer, it counts a direction as encrypted after its
 * ChangeCipherSpec and calls the connection established at the first
 * record of an encrypted direction once both are.  After a content gap it
 * stops, as Zeek's does.
 *
 * State lives in struct ssl_parser (fixed size); the only allocations,
 * through the caller's allocator, are a buffer per direction for a
 * handshake message that spans records (at most max_handshake bytes), the
 * server name and ALPN strings, and the fingerprint table of a session
 * that sends certificates.  None per packet.
 */
#ifndef SHOAL_SSL_PARSE_H
#define SHOAL_SSL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssl_md5.h"
#include "ssl_sha256.h"

#define SSL_HISTORY_MAX 100 /* Zeek's SSL::max_ssl_history_length */
#define SSL_CHAIN_MAX 10    /* certificates fingerprinted per direction */
#define SSL_SESSION_ID_MAX 32
#define SSL_NAME_MAX 255 /* longest server name / ALPN protocol kept */

/* TLS content types. */
#define SSL_CT_CHANGE_CIPHER_SPEC 20
#define SSL_CT_ALERT 21
#define SSL_CT_HANDSHAKE 22
#define SSL_CT_APPLICATION_DATA 23
#define SSL_CT_HEARTBEAT 24
#define SSL_CT_LAST 26 /* content types above are unknown (a violation) */

/* What ssl.log says of a connection (Zeek's SSL::Info). */
struct ssl_session {
    bool touched; /* some TLS event happened (Zeek's set_session) */
    bool has_version, has_cipher, has_curve, has_last_alert, has_session_id;
    uint16_t version, cipher, curve;
    uint8_t last_alert;
    bool resumed, established;
    bool client_ticket_empty_session_seen, client_key_exchange_seen, client_psk_seen, hrr_seen;
    bool chains;      /* a certificate was seen: the fingerprint vectors exist */
    int8_t sni_match; /* -1 unset, 0 F, 1 T */
    uint8_t session_id_len;
    uint8_t nfps[2]; /* [1]: server's, [0]: client's */
    uint8_t hist_len;
    uint8_t server_name_len, next_protocol_len;
    char *server_name;                             /* allocated; NULL when unset */
    char *next_protocol;                           /* allocated; NULL when unset */
    uint8_t (*fps)[SSL_CHAIN_MAX][SSL_SHA256_LEN]; /* allocated on the first certificate */
    uint8_t session_id[SSL_SESSION_ID_MAX];
    char history[SSL_HISTORY_MAX + 1];
    bool has_ja3, has_ja3s; /* parser.ja3: the hellos' fingerprints */
    uint8_t ja3[SSL_MD5_LEN], ja3s[SSL_MD5_LEN];
};

/* The callbacks.  `ud` is the parser's. */
struct ssl_parse_cb {
    /* A hello with a version Zeek accepts: the protocol is TLS. */
    void (*confirm)(void *ud);
    /* Not (or no longer) TLS: the parser has stopped. */
    void (*violation)(void *ud, const char *reason);
    /* Both directions encrypted: the handshake is over (the parser stops). */
    void (*established)(void *ud);
    /* A weird (source "SSL"; `plain`: Zeek's script-level weird, no source). */
    void (*weird)(void *ud, const char *name, const char *addl, bool plain);
    void *(*alloc)(void *ud, size_t n); /* zeroed; NULL on failure */
    void (*free)(void *ud, void *p);
};

/* One direction's record layer. */
struct ssl_dir {
    uint8_t hdr[13]; /* the record header being read (5 bytes; 13 for DTLS) */
    uint8_t hdr_have;
    bool in_record; /* the header is complete; rec_left bytes of body to come */
    bool rec_first; /* no byte of the record's body seen yet */
    bool encrypted;
    uint8_t alert_have;
    uint8_t alert[2];
    uint16_t rec_left;
    uint16_t dtls_seq;                /* DTLS: message_seq of the message being gathered */
    uint8_t *hs;                      /* a handshake message spanning records (or fragments) */
    uint32_t hs_len, hs_cap, hs_want; /* bytes held, allocated, of the whole message */
};

struct ssl_parser {
    struct ssl_session s;
    struct ssl_dir d[2]; /* [1]: originator */
    bool dtls;
    bool stopped;  /* after a gap, a violation or the end of the handshake */
    bool violated; /* a violation to report when the current input is done */
    bool had_record;
    bool ja3; /* fingerprint the hellos (JA3, JA3S) */
    uint32_t max_handshake;
    const struct ssl_parse_cb *cb;
    void *ud;
    char reason[64];
};

/* A zeroed parser for TLS (dtls false) or DTLS. */
void ssl_parse_init(struct ssl_parser *p, bool dtls, uint32_t max_handshake,
                    const struct ssl_parse_cb *cb, void *ud);
/* Free what the parser allocated (accepts a parser never fed). */
void ssl_parse_free(struct ssl_parser *p);

/* TLS: the next in-order bytes of one direction.  DTLS: one datagram. */
void ssl_parse_data(struct ssl_parser *p, bool is_orig, const uint8_t *data, size_t len);
/* TLS: bytes of a direction were never seen: Zeek's analyzer stops. */
void ssl_parse_gap(struct ssl_parser *p, bool is_orig, uint64_t len);

/* Does data[0..len) start as a TLS (proto 6) or DTLS (proto 17) hello? */
bool ssl_parse_probe(const uint8_t *data, size_t len, bool is_orig, bool dtls);

#endif
