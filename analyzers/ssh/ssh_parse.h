/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent SSH machine of the ssh analyzer.  It reads each
 * direction as Zeek's SSH analyzer does: the version line ("SSH-x.y-..."),
 * then SSH-2 binary packets in the clear up to NEWKEYS (the KEXINIT name
 * lists, the server's host key in the key exchange reply), then only the
 * sizes of the encrypted segments, from which Zeek infers authentication
 * attempts and their outcome (SSH.cc's ProcessEncrypted).  What Zeek's
 * base/protocols/ssh scripts keep of it is in struct ssh_session.
 *
 * State is one fixed struct; a packet that spans segments is gathered in a
 * buffer allocated through the caller (at most max_packet bytes), the
 * version strings and the negotiated algorithm names are allocated when
 * seen.  Nothing per packet.
 */
#ifndef SHOAL_SSH_PARSE_H
#define SHOAL_SSH_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSH_VERSION_MAX 255 /* longest version line kept (RFC 4253, 4.2) */
#define SSH_BANNER_LINES 32 /* lines a server may send before its version */
#define SSH_ALG_MAX 160     /* longest negotiated algorithm text kept */

/* The negotiated algorithms, as ssh.log names them. */
enum ssh_alg {
    SSH_ALG_CIPHER,
    SSH_ALG_MAC,
    SSH_ALG_COMPRESSION,
    SSH_ALG_KEX,
    SSH_ALG_HOST_KEY,
    SSH_NALGS
};

/* What ssh.log says of a connection (Zeek's SSH::Info). */
struct ssh_session {
    bool touched;     /* a version line was seen (Zeek's set_session) */
    uint8_t version;  /* 1 or 2; 0: undefined (SSH-1 against SSH-2) */
    bool has_version; /* both version strings seen */
    bool has_auth;    /* auth_success is set */
    bool auth_success;
    bool logged_now; /* authentication succeeded: write the record now */
    uint32_t auth_attempts;
    char *client, *server; /* version strings, allocated */
    char *alg[SSH_NALGS];  /* allocated; NULL when not negotiated */
    bool has_host_key;
    uint8_t host_key_sha256[32];
};

struct ssh_parse_cb {
    void (*confirm)(void *ud);
    void (*violation)(void *ud, const char *reason);
    void *(*alloc)(void *ud, size_t n); /* zeroed; NULL on failure */
    void (*free)(void *ud, void *p);
    /* The SHA-256 of data[0..len) into out (the host key fingerprint). */
    void (*sha256)(const uint8_t *data, size_t len, uint8_t out[32]);
};

/* The first KEXINIT of a side, kept until the other side's arrives. */
struct ssh_kexinit {
    uint8_t *p; /* the name lists, allocated */
    uint32_t len;
};

struct ssh_dir {
    uint8_t state; /* SSH_ST_* */
    uint8_t banner_lines;
    uint8_t hdr_have;
    uint8_t hdr[4];
    uint8_t *buf; /* a line or packet being gathered */
    uint32_t buf_len, buf_cap, want;
    struct ssh_kexinit kex;
};

struct ssh_parser {
    struct ssh_session s;
    struct ssh_dir d[2]; /* [1]: originator */
    bool stopped;
    bool violated;
    bool kex_done;      /* both KEXINITs compared */
    bool gex;           /* the kex is a Diffie-Hellman group exchange */
    bool decision_made; /* Zeek's auth_decision_made */
    bool compressed;    /* zlib: sizes say nothing (Zeek's compression_algorithms) */
    uint32_t service_accept_size, userauth_failure_size;
    uint32_t max_packet;
    const struct ssh_parse_cb *cb;
    void *ud;
    char reason[64];
};

void ssh_parse_init(struct ssh_parser *p, uint32_t max_packet, const struct ssh_parse_cb *cb,
                    void *ud);
void ssh_parse_free(struct ssh_parser *p);

/* The next in-order bytes of one direction (one call per delivered
 * segment: encrypted segments are counted by their sizes). */
void ssh_parse_data(struct ssh_parser *p, bool is_orig, const uint8_t *data, size_t len);
/* Bytes never seen: the clear-text part can no longer be followed. */
void ssh_parse_gap(struct ssh_parser *p, bool is_orig, uint64_t len);

/* Does data start like an SSH version line ("SSH-1." or "SSH-2.")? */
bool ssh_parse_probe(const uint8_t *data, size_t len);

#endif
