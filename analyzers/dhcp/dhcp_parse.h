/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent DHCP (BOOTP, RFC 2131/2132) message parsing for the
 * dhcp analyzer, following the layout and acceptance rules of Zeek's
 * binpac DHCP analyzer: the 236-byte fixed part, the magic cookie, then
 * options up to the End option, each read the way Zeek reads it (fixed-size
 * options take their fixed size whatever their length byte says).  Only
 * what dhcp.log needs is kept; strings point into the message.  Nothing
 * here allocates; every read is checked against the message length.
 */
#ifndef SHOAL_DHCP_PARSE_H
#define SHOAL_DHCP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_FIXED_LEN 236   /* op .. file, before the cookie */
#define DHCP_MAC_STR_SIZE 24 /* "xx:xx:xx:xx:xx:xx:xx:xx" and its NUL */

/* A string option: bytes in the message, or absent (p == NULL). */
struct dhcp_str {
    const uint8_t *p;
    size_t len;
};

/* What one message says, as far as dhcp.log goes. */
struct dhcp_msg {
    uint8_t op;
    uint8_t m_type; /* option 53; 0 when absent */
    uint32_t xid;
    uint8_t yiaddr[4];
    char chaddr[DHCP_MAC_STR_SIZE]; /* Zeek's fmt_mac of the 16-byte chaddr */
    bool cookie_ok;
    /* options (the last of a repeated option wins, as in Zeek) */
    struct dhcp_str host_name;   /* 12 */
    struct dhcp_str domain_name; /* 15, trailing NULs cut as Zeek cuts them */
    struct dhcp_str message;     /* 56 */
    struct dhcp_str client_fqdn; /* 81: the domain name after flags and rcodes */
    bool has_addr_request;       /* 50 */
    uint8_t addr_request[4];
    bool has_lease; /* 51 */
    uint32_t lease;
    bool has_client_id; /* 61 */
    uint8_t client_id_hwtype;
    char client_id_mac[DHCP_MAC_STR_SIZE]; /* "" when the address is neither 6 nor 8+ bytes */
};

/* Why a message was not parsed. */
enum dhcp_parse_rc {
    DHCP_PARSE_OK = 0,
    DHCP_PARSE_SHORT,   /* a field or option runs past the message */
    DHCP_PARSE_BAD_LEN, /* an option length Zeek cannot read (client id 0, FQDN < 3) */
};

/*
 * Parse one message of len bytes.  `relay_sum` is the running total Zeek
 * keeps per direction of a connection for relay agent sub-options (it is
 * never reset between messages: that is Zeek's behaviour and decides when
 * its parser accepts option 82).  Returns DHCP_PARSE_OK and fills *m, or
 * why it failed (then Zeek raises no event for the message).  A message
 * without the magic cookie parses with m->cookie_ok false: Zeek rejects
 * it after reading its options.
 */
enum dhcp_parse_rc dhcp_parse(const uint8_t *p, size_t len, uint8_t *relay_sum, struct dhcp_msg *m);

/* Zeek's fmt_mac: 6 bytes, or 8 when bytes 6-7 are not both zero; "" for
 * other lengths.  out holds DHCP_MAC_STR_SIZE bytes. */
void dhcp_fmt_mac(const uint8_t *b, size_t len, char *out);

/* DHCP::message_types: "DISCOVER", ..., or "unknown-message-type-N" into
 * buf (of 32 bytes); returns the name. */
const char *dhcp_msg_type_name(uint8_t t, char *buf, size_t size);

#endif
