/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NTP message parsing (see ntp_parse.h).  The layout and the acceptance
 * rules are those of Zeek's binpac NTP analyzer: modes 1-5 need the 48-byte
 * header, then optional extension fields (only when the bytes after the
 * header start with a plausible RFC 7822 length) and a MAC; mode 6 needs
 * its 12-byte header and the data its count announces; mode 7 its 6-byte
 * header, its data and, with the authentication bit, a 20-byte MAC.  Any
 * field that runs past the message rejects the whole message, as a binpac
 * out-of-bound exception does.
 */
#include "ntp_parse.h"

#include <math.h>
#include <string.h>

#define NTP_EPOCH_OFFSET 2208988800.0 /* seconds from 1900 to 1970 */
#define NTP_EXT_MIN 16                /* RFC 7822: an extension field's least length */
#define NTP_EXT_FIXED 22              /* an RFC 5906 extension field without value and signature */
#define NTP_CONTROL_HDR 12
#define NTP_CONTROL_MAC 12
#define NTP_MODE7_HDR 6
#define NTP_MODE7_MAC 20

static uint16_t ntp_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t ntp_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* A 32-bit "short" time: signed 16-bit seconds and (as Zeek reads them)
 * signed 16-bit fractions. */
static double ntp_short_time(const uint8_t *p)
{
    int16_t sec = (int16_t)ntp_u16(p);
    int16_t frac = (int16_t)ntp_u16(p + 2);

    if (sec == 0 && frac == 0) {
        return 0.0;
    }
    return (double)sec + (double)frac / 65536.0;
}

/* A 64-bit timestamp as seconds since 1970; 0 stays 0. */
static double ntp_timestamp(const uint8_t *p)
{
    uint32_t sec = ntp_u32(p);
    uint32_t frac = ntp_u32(p + 4);

    if (sec == 0 && frac == 0) {
        return 0.0;
    }
    return (double)sec - NTP_EPOCH_OFFSET + (double)frac / 4294967296.0;
}

/* Do the bytes after the header start with an extension field (RFC 7822:
 * a length of at least 16, a multiple of 4, within the data)? */
static bool ntp_has_extensions(const uint8_t *p, size_t len)
{
    if (len < NTP_EXT_MIN) {
        return false;
    }
    uint16_t ext_len = ntp_u16(p + 2);
    return ext_len >= NTP_EXT_MIN && ext_len % 4 == 0 && ext_len <= len;
}

/* One RFC 5906 extension field at p: its size, or 0 when it runs past len. */
static size_t ntp_extension(const uint8_t *p, size_t len)
{
    size_t off;

    if (len < NTP_EXT_FIXED) {
        return 0;
    }
    uint16_t field_len = ntp_u16(p + 2);
    uint32_t value_len = ntp_u32(p + 14);
    off = 18;
    if (value_len > len - off || len - off - value_len < 4) {
        return 0;
    }
    off += value_len;
    uint32_t sig_len = ntp_u32(p + off);
    off += 4;
    if (sig_len > len - off) {
        return 0;
    }
    off += sig_len;
    /* Padding up to the field's own length. */
    if (field_len > off) {
        if (field_len > len) {
            return 0;
        }
        off = field_len;
    }
    return off;
}

/* Extension fields and MAC after the 48-byte header. */
static bool ntp_trailer(const uint8_t *p, size_t len, struct ntp_msg *m)
{
    size_t off = 0;

    if (ntp_has_extensions(p, len)) {
        do {
            size_t n = ntp_extension(p + off, len - off);
            if (n == 0) {
                return false;
            }
            off += n;
            m->num_exts++;
        } while (len - off >= NTP_EXT_MIN);
    }
    m->has_mac = len - off >= 4;
    return true;
}

static bool ntp_parse_std(const uint8_t *p, size_t len, struct ntp_msg *m)
{
    if (len < NTP_STD_LEN) {
        return false;
    }
    m->has_std = true;
    m->stratum = p[1];
    m->poll = pow(2.0, (double)(int8_t)p[2]);
    m->precision = pow(2.0, (double)(int8_t)p[3]);
    m->root_delay = ntp_short_time(p + 4);
    m->root_disp = ntp_short_time(p + 8);
    memcpy(m->ref_id, p + 12, sizeof(m->ref_id));
    m->ref_kind = m->stratum == 0 ? NTP_REF_KISS : m->stratum == 1 ? NTP_REF_CLOCK : NTP_REF_ADDR;
    m->ref_time = ntp_timestamp(p + 16);
    m->org_time = ntp_timestamp(p + 24);
    m->rec_time = ntp_timestamp(p + 32);
    m->xmt_time = ntp_timestamp(p + 40);
    return ntp_trailer(p + NTP_STD_LEN, len - NTP_STD_LEN, m);
}

bool ntp_parse(const uint8_t *p, size_t len, struct ntp_msg *m)
{
    memset(m, 0, sizeof(*m));
    if (len < 1) {
        return false;
    }
    m->version = (p[0] >> 3) & 7;
    m->mode = p[0] & 7;
    if (m->mode >= 1 && m->mode <= 5) {
        return ntp_parse_std(p, len, m);
    }
    if (m->mode == NTP_MODE_CONTROL) {
        if (len < NTP_CONTROL_HDR) {
            return false;
        }
        size_t count = ntp_u16(p + 10);
        return count <= len - NTP_CONTROL_HDR;
    }
    if (m->mode == NTP_MODE_PRIVATE) {
        if (len < NTP_MODE7_HDR) {
            return false;
        }
        size_t data_len = ntp_u16(p + 4) & 0x0fff;
        size_t need = NTP_MODE7_HDR + data_len + ((p[1] & 0x80) ? NTP_MODE7_MAC : 0);
        return need <= len;
    }
    return true; /* mode 0: the rest is not interpreted */
}
