/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DHCP message parsing (see dhcp_parse.h).  The option walk follows Zeek's
 * binpac grammar exactly, quirks included, because they decide which
 * messages Zeek logs: an option of fixed type (an address, a lease time, a
 * message type) consumes its type's size and not its length byte; address
 * lists take whole multiples of 4; relay agent information reads
 * sub-options until a running total that Zeek keeps per direction equals
 * the option's length; a client identifier of length 0 or a client FQDN
 * shorter than 3 is unreadable; running out of bytes before the End option
 * rejects the message.
 */
#include "dhcp_parse.h"

#include <stdio.h>
#include <string.h>

#define DHCP_COOKIE 0x63825363u
#define DHCP_OFF_XID 4
#define DHCP_OFF_YIADDR 16
#define DHCP_OFF_CHADDR 28
#define DHCP_CHADDR_LEN 16
#define DHCP_OFF_COOKIE DHCP_FIXED_LEN
#define DHCP_OFF_OPTIONS (DHCP_FIXED_LEN + 4)

/* Option codes (RFC 2132 and later). */
enum dhcp_opt {
    DHCP_OPT_PAD = 0,
    DHCP_OPT_SUBNET = 1,
    DHCP_OPT_TIME_OFFSET = 2,
    DHCP_OPT_ROUTER = 3,
    DHCP_OPT_TIME_SERVER = 4,
    DHCP_OPT_NAME_SERVER = 5,
    DHCP_OPT_DNS_SERVER = 6,
    DHCP_OPT_HOST_NAME = 12,
    DHCP_OPT_DOMAIN_NAME = 15,
    DHCP_OPT_FORWARDING = 19,
    DHCP_OPT_BROADCAST = 28,
    DHCP_OPT_NTP_SERVER = 42,
    DHCP_OPT_NBNS = 44,
    DHCP_OPT_ADDR_REQUEST = 50,
    DHCP_OPT_LEASE = 51,
    DHCP_OPT_MSG_TYPE = 53,
    DHCP_OPT_SERV_ID = 54,
    DHCP_OPT_PAR_REQ_LIST = 55,
    DHCP_OPT_MESSAGE = 56,
    DHCP_OPT_MAX_MSG_SIZE = 57,
    DHCP_OPT_RENEWAL = 58,
    DHCP_OPT_REBINDING = 59,
    DHCP_OPT_CLIENT_ID = 61,
    DHCP_OPT_CLIENT_FQDN = 81,
    DHCP_OPT_RELAY_AGENT = 82,
    DHCP_OPT_AUTO_CONFIG = 116,
    DHCP_OPT_END = 255,
};

static const char *const dhcp_type_names[] = {
    NULL,
    "DISCOVER",
    "OFFER",
    "REQUEST",
    "DECLINE",
    "ACK",
    "NAK",
    "RELEASE",
    "INFORM",
    "FORCERENEW",
    "LEASEQUERY",
    "LEASEUNASSIGNED",
    "LEASEUNKNOWN",
    "LEASEACTIVE",
    "BULKLEASEQUERY",
    "LEASEQUERYDONE",
    "ACTIVELEASEQUERY",
    "LEASEQUERYSTATUS",
    "TLS",
};

const char *dhcp_msg_type_name(uint8_t t, char *buf, size_t size)
{
    if (t < sizeof(dhcp_type_names) / sizeof(dhcp_type_names[0]) && dhcp_type_names[t] != NULL) {
        return dhcp_type_names[t];
    }
    snprintf(buf, size, "unknown-message-type-%u", t);
    return buf;
}

void dhcp_fmt_mac(const uint8_t *b, size_t len, char *out)
{
    if (len < 8 && len != 6) {
        out[0] = '\0';
    } else if (len == 6 || (b[6] == 0 && b[7] == 0)) {
        snprintf(out, DHCP_MAC_STR_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3],
                 b[4], b[5]);
    } else {
        snprintf(out, DHCP_MAC_STR_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1],
                 b[2], b[3], b[4], b[5], b[6], b[7]);
    }
}

static uint32_t dhcp_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* How many bytes option `code` with length byte `olen` takes after its
 * length byte, as Zeek's grammar reads it; -1 for a length it cannot read.
 * Relay agent information is walked separately. */
static long dhcp_opt_size(uint8_t code, uint8_t olen)
{
    switch (code) {
    case DHCP_OPT_MSG_TYPE:
    case DHCP_OPT_FORWARDING:
    case DHCP_OPT_AUTO_CONFIG:
        return 1;
    case DHCP_OPT_MAX_MSG_SIZE:
        return 2;
    case DHCP_OPT_SUBNET:
    case DHCP_OPT_TIME_OFFSET:
    case DHCP_OPT_BROADCAST:
    case DHCP_OPT_ADDR_REQUEST:
    case DHCP_OPT_LEASE:
    case DHCP_OPT_SERV_ID:
    case DHCP_OPT_RENEWAL:
    case DHCP_OPT_REBINDING:
        return 4;
    case DHCP_OPT_ROUTER:
    case DHCP_OPT_TIME_SERVER:
    case DHCP_OPT_NAME_SERVER:
    case DHCP_OPT_DNS_SERVER:
    case DHCP_OPT_NTP_SERVER:
    case DHCP_OPT_NBNS:
        return 4 * (olen / 4);
    case DHCP_OPT_CLIENT_ID:
        return olen >= 1 ? olen : -1;
    case DHCP_OPT_CLIENT_FQDN:
        return olen >= 3 ? olen : -1;
    default:
        return olen;
    }
}

/* Relay agent sub-options from p[*off]: until the running total equals
 * the option's length.  DHCP_PARSE_SHORT when they run past len. */
static enum dhcp_parse_rc dhcp_relay(const uint8_t *p, size_t len, size_t *off, uint8_t olen,
                                     uint8_t *sum)
{
    do {
        if (len - *off < 2 || p[*off + 1] > len - *off - 2) {
            return DHCP_PARSE_SHORT;
        }
        uint8_t sub = p[*off + 1];
        *off += 2 + (size_t)sub;
        *sum = (uint8_t)(*sum + (uint8_t)(sub + 2));
    } while (*sum != olen);
    return DHCP_PARSE_OK;
}

/* What dhcp.log takes from one option at v (n bytes, n checked). */
static void dhcp_take(struct dhcp_msg *m, uint8_t code, const uint8_t *v, size_t n, bool *type_seen)
{
    size_t last = 0;

    switch (code) {
    case DHCP_OPT_MSG_TYPE:
        if (!*type_seen) {
            m->m_type = v[0];
            *type_seen = true;
        }
        break;
    case DHCP_OPT_HOST_NAME:
        m->host_name = (struct dhcp_str){v, n};
        break;
    case DHCP_OPT_DOMAIN_NAME:
        /* Up to the last non-NUL byte; as Zeek, a name whose only non-NUL
         * byte is the first is empty. */
        for (size_t i = 0; i < n; i++) {
            if (v[i] != 0) {
                last = i;
            }
        }
        m->domain_name = (struct dhcp_str){v, last == 0 ? 0 : last + 1};
        break;
    case DHCP_OPT_MESSAGE:
        m->message = (struct dhcp_str){v, n};
        break;
    case DHCP_OPT_ADDR_REQUEST:
        memcpy(m->addr_request, v, 4);
        m->has_addr_request = true;
        break;
    case DHCP_OPT_LEASE:
        m->lease = dhcp_u32(v);
        m->has_lease = true;
        break;
    case DHCP_OPT_CLIENT_ID:
        m->has_client_id = true;
        m->client_id_hwtype = v[0];
        dhcp_fmt_mac(v + 1, n - 1, m->client_id_mac);
        break;
    case DHCP_OPT_CLIENT_FQDN:
        m->client_fqdn = (struct dhcp_str){v + 3, n - 3};
        break;
    default:
        break;
    }
}

enum dhcp_parse_rc dhcp_parse(const uint8_t *p, size_t len, uint8_t *relay_sum, struct dhcp_msg *m)
{
    size_t off = DHCP_OFF_OPTIONS;
    bool type_seen = false;

    memset(m, 0, sizeof(*m));
    if (len < DHCP_OFF_OPTIONS) {
        return DHCP_PARSE_SHORT;
    }
    m->op = p[0];
    m->xid = dhcp_u32(p + DHCP_OFF_XID);
    memcpy(m->yiaddr, p + DHCP_OFF_YIADDR, 4);
    dhcp_fmt_mac(p + DHCP_OFF_CHADDR, DHCP_CHADDR_LEN, m->chaddr);
    m->cookie_ok = dhcp_u32(p + DHCP_OFF_COOKIE) == DHCP_COOKIE;
    for (;;) {
        if (off >= len) {
            return DHCP_PARSE_SHORT;
        }
        uint8_t code = p[off++];
        if (code == DHCP_OPT_PAD) {
            continue;
        }
        if (code == DHCP_OPT_END) {
            return DHCP_PARSE_OK;
        }
        if (off >= len) {
            return DHCP_PARSE_SHORT;
        }
        uint8_t olen = p[off++];
        if (code == DHCP_OPT_RELAY_AGENT) {
            enum dhcp_parse_rc rc = dhcp_relay(p, len, &off, olen, relay_sum);
            if (rc != DHCP_PARSE_OK) {
                return rc;
            }
            continue;
        }
        long n = dhcp_opt_size(code, olen);
        if (n < 0) {
            return DHCP_PARSE_BAD_LEN;
        }
        if ((size_t)n > len - off) {
            return DHCP_PARSE_SHORT;
        }
        dhcp_take(m, code, p + off, (size_t)n, &type_seen);
        off += (size_t)n;
    }
}
