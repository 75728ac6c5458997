/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent DNS message parsing for the dns analyzer: the 12-byte
 * header, names with compression (loop-proof), questions and resource
 * records, the text Zeek's dns.log shows for each RR type it renders, the
 * code-to-name tables of dns.log (qtype, qclass, rcode, opcode) and the
 * first-level NetBIOS name decoding.  Nothing here allocates or knows about
 * connections: the parser walks one message held in memory and reports what
 * it finds through callbacks; every read is bounds-checked against the
 * message length, which comes from untrusted input.
 */
#ifndef SHOAL_DNS_PARSE_H
#define SHOAL_DNS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN 12
/* Longest name the parser builds (as Zeek: a 513-byte buffer, 512 usable). */
#define DNS_NAME_MAX 512
/* More questions than this and the message is not DNS (Zeek's dns_max_queries). */
#define DNS_MAX_QUERIES 25

/* The fixed header, decoded. */
struct dns_hdr {
    uint16_t id;
    bool qr, aa, tc, rd, ra;
    uint8_t opcode; /* 4 bits */
    uint8_t z;      /* the 3 bits between RA and RCODE (Z, AD, CD) as Zeek reports them */
    uint8_t rcode;  /* 4 bits */
    uint16_t qdcount, ancount, nscount, arcount;
};

/* Which section an RR came from. */
enum dns_section {
    DNS_SEC_ANSWER = 1,
    DNS_SEC_AUTHORITY = 2,
    DNS_SEC_ADDITIONAL = 3,
    DNS_SEC_PREREQ = 4, /* a dynamic update's prerequisite section (RFC 2136 2.4) */
    DNS_SEC_UPDATE = 5, /* a dynamic update's update section (RFC 2136 2.5) */
};

/* The opcode of a dynamic update (RFC 2136), whose sections after the zone
 * are prerequisites, updates and additional records. */
#define DNS_OPCODE_UPDATE 5

/* One resource record as the reply callback sees it. */
struct dns_rr {
    const char *name; /* owner name, lower case, no trailing dot */
    size_t name_len;
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    enum dns_section section;
};

/*
 * Callbacks of dns_parse_body.  Any may be NULL.  Strings are valid only
 * during the call.
 *
 * weird: a malformed construct (Zeek's weird name, optional addl).
 * question: one question entry: the name in lower case, its type and class.
 * reply: an RR whose type Zeek renders in dns.log's answers; `text` is the
 *   rendering (may be empty: the RR counts as an answer but adds no text,
 *   as WKS does).  RR types Zeek parses without logging give no callback.
 *   In a dynamic update (not NetBIOS) the answer section is the
 *   prerequisite section: each RR gives "pre: <what>" (Zeek's
 *   dns_dynamic_update_pre); the authority section is the update section,
 *   always walked: a deletion (class ANY or NONE) gives "del: <what>", an
 *   addition the RR's usual text (the caller marks it "add: ").
 */
struct dns_parse_cb {
    void *ud;
    void (*weird)(void *ud, const char *name, const char *addl);
    void (*question)(void *ud, const struct dns_hdr *h, const char *name, size_t len,
                     uint16_t qtype, uint16_t qclass);
    void (*reply)(void *ud, const struct dns_hdr *h, const struct dns_rr *rr, const char *text,
                  size_t len);
};

/* Parsing options. */
struct dns_parse_opts {
    uint16_t resp_port; /* 137: NetBIOS rules (long labels, SRV is NBSTAT) */
    bool parse_auth;    /* also walk the authority section (Zeek: !dns_skip_all_auth) */
    bool parse_addl;    /* also walk the additional section (Zeek: !dns_skip_all_addl) */
    char *scratch;      /* buffer for rendered RR text, owned by the caller */
    size_t scratch_size;
};

/*
 * Decode the header of the message `msg` of `len` bytes into *h.
 * Returns 0, or -EINVAL when len < DNS_HDR_LEN.
 */
int dns_parse_header(const uint8_t *msg, size_t len, struct dns_hdr *h);

/*
 * Walk the question and answer sections (and, if asked, authority and
 * additional; a dynamic update's update section always) of a message whose header `h` was decoded
 * from `msg`. Returns true when every question and answer-section RR parsed (Zeek's condition for
 * confirming the protocol), false when parsing stopped early; the callbacks have then seen what
 * came before the fault.
 */
bool dns_parse_body(const uint8_t *msg, size_t len, const struct dns_hdr *h,
                    const struct dns_parse_opts *o, const struct dns_parse_cb *cb);

/* Name tables of dns.log.  Each writes the name of `v` into buf (NUL-ended,
 * truncated to size) and returns buf; unknown values get Zeek's defaults
 * ("query-N", "qclass-N", "rcode-N", "opcode-N", "netbios-opcode-N"). */
const char *dns_qtype_name(uint16_t v, char *buf, size_t size);
const char *dns_qclass_name(uint16_t v, char *buf, size_t size);
const char *dns_rcode_name(uint16_t v, char *buf, size_t size);
const char *dns_opcode_name(uint8_t v, bool netbios, char *buf, size_t size);

/*
 * First-level NetBIOS decoding of a 32-character encoded name (RFC 1001
 * 14.1) into `out` (at least 16 bytes): up to 15 characters, stopping at
 * the first padding/non-printable one; the 16th (suffix) byte is dropped.
 * Returns the decoded length, 0 when `name` is not such an encoding.
 */
size_t dns_netbios_decode(const char *name, size_t len, char *out);

#endif
