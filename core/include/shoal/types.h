/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Value types shared by the core and plugins: addresses, connection ids,
 * and the typed log fields and values a plugin writes records with.  The
 * log writer formats these exactly as Zeek's ASCII and JSON writers do.
 */
#ifndef SHOAL_SDK_TYPES_H
#define SHOAL_SDK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An IP address.  IPv4 is stored as an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d), so one comparison covers both families.
 */
struct shoal_addr {
    uint8_t b[16];
};

static inline bool shoal_addr_is_v4(const struct shoal_addr *a)
{
    static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->b, pfx, sizeof(pfx)) == 0; /* two word compares once inlined */
}

/* Transport protocols as IP protocol numbers. */
enum shoal_proto {
    SHOAL_PROTO_ICMP = 1,
    SHOAL_PROTO_TCP = 6,
    SHOAL_PROTO_UDP = 17,
    SHOAL_PROTO_ICMP6 = 58,
};

/* The originator/responder 4-tuple plus IP protocol, as in Zeek's conn_id. */
struct shoal_conn_id {
    struct shoal_addr orig_h;
    struct shoal_addr resp_h;
    uint16_t orig_p; /* host order; ICMP: type */
    uint16_t resp_p; /* host order; ICMP: code */
    uint8_t proto;   /* IP protocol number (enum shoal_proto or other) */
};

/* Log field types (Zeek's names in comments). */
enum shoal_type {
    SHOAL_T_BOOL = 1, /* bool */
    SHOAL_T_COUNT,    /* count: u */
    SHOAL_T_INT,      /* int: i */
    SHOAL_T_DOUBLE,   /* double: d */
    SHOAL_T_TIME,     /* time: d, seconds since the epoch */
    SHOAL_T_INTERVAL, /* interval: d, seconds */
    SHOAL_T_STRING,   /* string: s (bytes, escaped on output) */
    SHOAL_T_ADDR,     /* addr: a */
    SHOAL_T_SUBNET,   /* subnet: a + u (prefix length) */
    SHOAL_T_PORT,     /* port: u (the number only) */
    SHOAL_T_ENUM,     /* enum: s */
    SHOAL_T_SET,      /* set[elem]: v */
    SHOAL_T_VECTOR,   /* vector of elem: v */
};

/* One column of a log stream. `elem` is the element type of sets/vectors. */
struct shoal_field {
    const char *name;
    enum shoal_type type;
    enum shoal_type elem;
};

/*
 * One value.  `present == false` writes the unset marker ("-").  Strings are
 * borrowed for the duration of the write call.  An empty set/vector or empty
 * string writes "(empty)".
 */
struct shoal_value {
    bool present;
    union {
        bool b;
        uint64_t u;
        int64_t i;
        double d;
        struct {
            const char *p;
            size_t len;
        } s;
        struct {
            struct shoal_addr addr;
            uint8_t prefix;
        } a;
        struct {
            const struct shoal_value *v;
            size_t n;
        } v;
    };
};

/* Convenience constructors for plugin code. */
static inline struct shoal_value shoal_v_unset(void)
{
    struct shoal_value v = {.present = false};
    return v;
}
static inline struct shoal_value shoal_v_bool(bool b)
{
    struct shoal_value v = {.present = true, .b = b};
    return v;
}
static inline struct shoal_value shoal_v_count(uint64_t u)
{
    struct shoal_value v = {.present = true, .u = u};
    return v;
}
static inline struct shoal_value shoal_v_int(int64_t i)
{
    struct shoal_value v = {.present = true, .i = i};
    return v;
}
static inline struct shoal_value shoal_v_double(double d)
{
    struct shoal_value v = {.present = true, .d = d};
    return v;
}
/* NULL p gives an unset value. */
static inline struct shoal_value shoal_v_strn(const char *p, size_t len)
{
    struct shoal_value v = {.present = p != NULL};
    v.s.p = p;
    v.s.len = len;
    return v;
}
static inline struct shoal_value shoal_v_str(const char *p)
{
    size_t n = 0;
    if (p != NULL) {
        while (p[n] != '\0') {
            n++;
        }
    }
    return shoal_v_strn(p, n);
}
static inline struct shoal_value shoal_v_addr(const struct shoal_addr *a)
{
    struct shoal_value v = {.present = true};
    v.a.addr = *a;
    return v;
}
static inline struct shoal_value shoal_v_vec(const struct shoal_value *elems, size_t n)
{
    struct shoal_value v = {.present = true};
    v.v.v = elems;
    v.v.n = n;
    return v;
}

#ifdef __cplusplus
}
#endif

#endif
