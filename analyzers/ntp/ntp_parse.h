/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent NTP message parsing for the ntp analyzer (RFC 5905,
 * extension fields of RFC 5906/7822, control messages of RFC 1119 and the
 * implementation-specific mode 7), following the layout Zeek's NTP
 * analyzer parses: one message is one UDP payload, read in place with every
 * read checked against its length.  Nothing here allocates; a message Zeek
 * would reject (too short for its mode, an extension field running past the
 * end) is reported as not parsed, and Zeek writes nothing for it.
 */
#ifndef SHOAL_NTP_PARSE_H
#define SHOAL_NTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTP_STD_LEN 48 /* header of modes 1-5, first byte included */

/* Modes (RFC 5905 figure 10). */
#define NTP_MODE_CONTROL 6
#define NTP_MODE_PRIVATE 7

/* The reference id as ntp.log shows it, by stratum. */
enum ntp_ref_kind {
    NTP_REF_KISS = 0, /* stratum 0: a kiss code (4 characters) */
    NTP_REF_CLOCK,    /* stratum 1: the reference clock's name (4 characters) */
    NTP_REF_ADDR,     /* above: an IPv4 address */
};

/* One parsed message; the std_* members only when `has_std` (modes 1-5). */
struct ntp_msg {
    uint8_t version;
    uint8_t mode;
    bool has_std;
    uint8_t stratum;
    double poll;       /* seconds: 2^poll */
    double precision;  /* seconds: 2^precision */
    double root_delay; /* seconds */
    double root_disp;  /* seconds */
    enum ntp_ref_kind ref_kind;
    uint8_t ref_id[4]; /* raw bytes (kiss code, clock name or address) */
    double ref_time;   /* seconds since 1970; 0 when the field is 0 */
    double org_time;
    double rec_time;
    double xmt_time;
    uint32_t num_exts; /* extension fields parsed */
    bool has_mac;
};

/* Parse one NTP message of len bytes.  Returns true and fills *m when Zeek
 * would raise ntp_message for it, false when it would reject it. */
bool ntp_parse(const uint8_t *p, size_t len, struct ntp_msg *m);

#endif
