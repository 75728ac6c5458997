/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small builder of test frames for the unit tests of the connection
 * layer: Ethernet (optionally 802.1Q-tagged) carrying IPv4 or IPv6 (the
 * family follows the address text) with a TCP, UDP, ICMP or ICMPv6 header,
 * a payload, and correct IP and transport checksums unless a bad transport
 * checksum is asked for.  Frames are not padded to the Ethernet minimum.
 */
#ifndef SHOAL_TEST_PKTBUILD_H
#define SHOAL_TEST_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP flags. */
#define PB_FIN 0x01
#define PB_SYN 0x02
#define PB_RST 0x04
#define PB_PSH 0x08
#define PB_ACK 0x10
#define PB_URG 0x20

/* Room for any frame the builder makes. */
#define PB_MAX_FRAME 2048

/* What to build.  Zeroed fields take the defaults given in the comments. */
struct pb_spec {
    double ts;       /* capture time (only carried, not encoded) */
    const char *src; /* "10.0.0.1" or "fe80::1"; both must be of one family */
    const char *dst;
    uint8_t proto;  /* 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */
    uint16_t sport; /* TCP/UDP */
    uint16_t dport;
    uint8_t flags;     /* TCP flags (PB_*) */
    uint32_t seq;      /* TCP */
    uint32_t ack;      /* TCP */
    uint16_t win;      /* TCP window (0: 8192, unless zero_window) */
    bool zero_window;  /* TCP: advertise a window of 0 */
    uint8_t icmp_type; /* ICMP/ICMPv6 */
    uint8_t icmp_code;
    uint16_t icmp_id;
    uint16_t icmp_seq;
    const uint8_t *payload; /* NULL: `len` bytes of 'x' */
    size_t len;
    uint16_t vlan;     /* 802.1Q id, 0: untagged */
    bool bad_checksum; /* corrupt the transport checksum */
    uint8_t ttl;       /* 0: 64 */
    uint16_t ip_id;    /* IPv4 identification (0: 1) */
};

/*
 * Build the frame described by `s` into `buf` (`cap` bytes).  Returns the
 * frame length, or -1 if an address does not parse, the families differ or
 * the frame does not fit.
 */
int pb_build(const struct pb_spec *s, uint8_t *buf, size_t cap);

/* The transport checksum as written in a built frame (host order), for
 * checking the builder against real captures.  `frame` is pb_build output. */
uint16_t pb_l4_checksum(const uint8_t *frame, size_t len);

#endif
