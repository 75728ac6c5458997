/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-independent SNMP message parsing for the snmp analyzer: the BER
 * subset SNMP uses (RFC 1157, 1901/3416, 3412/3414), read as Zeek's SNMP
 * analyzer reads it: tags checked where Zeek checks them, integers at most
 * 9 bytes wide, variable bindings up to the end of the datagram.  Only what
 * snmp.log needs is kept; strings point into the message.  Nothing here
 * allocates; every read is checked against the message length.
 */
#ifndef SHOAL_SNMP_PARSE_H
#define SHOAL_SNMP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a message made Zeek raise, if anything past its header. */
enum snmp_event {
    SNMP_EV_NONE = 0, /* nothing (unknown version, or the PDU did not parse) */
    SNMP_EV_GET,      /* GetRequest or GetNextRequest */
    SNMP_EV_GET_BULK, /* GetBulkRequest */
    SNMP_EV_RESPONSE, /* Response */
    SNMP_EV_SET,      /* SetRequest */
    SNMP_EV_OTHER,    /* traps, inform, report, unknown PDUs, encrypted v3 */
};

struct snmp_str {
    const uint8_t *p; /* NULL: absent */
    size_t len;
};

struct snmp_msg {
    int64_t version;           /* 0: v1, 1: v2c, 3: v3 */
    bool header_ok;            /* the header parsed (Zeek confirms on a responder's) */
    enum snmp_event event;     /* what the PDU raised */
    struct snmp_str community; /* v1/v2c community, or the v3 USM user name */
    uint32_t bindings;         /* variable bindings of the PDU */
    struct snmp_str sys_descr; /* the last sysDescr.0 binding with octets */
    bool has_uptime;           /* a sysUpTime.0 binding with an unsigned value */
    uint64_t uptime_ticks;     /* hundredths of a second */
};

/* Parse one SNMP message of len bytes into *m.  Returns false when Zeek's
 * parser would stop with an error (m->header_ok and m->event say how far
 * it got: an event is raised only for a PDU that parsed whole). */
bool snmp_parse(const uint8_t *p, size_t len, struct snmp_msg *m);

/* The SNMP version as snmp.log writes it: "1", "2c", "3" or "unknown". */
const char *snmp_version_name(int64_t version);

#endif
