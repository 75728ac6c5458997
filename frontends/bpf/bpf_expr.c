/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bpf frontend's share expression (see bpf_expr.h).  libpcap's filter
 * language has no variables, so each hash is written out where it is
 * compared: "((S)+((S)>>16))%n=i" with S the sum of the words hashed (the
 * fold brings the high half's variation down to the bits a small modulus
 * sees).  The `vlan` keyword moves the offsets of everything after it, so
 * each level's IP tests come before the `vlan and (...)` of the next one,
 * and the not-IP test of worker 0 names the tag EtherTypes with `ether
 * proto` instead of `vlan`.  Transport ports are read with tcp[], udp[] and
 * sctp[] on IPv4 (libpcap adds the header length and the first-fragment
 * test) and at fixed offsets on IPv6 when the transport header follows the
 * fixed one; IPv6 with extension headers is placed by its 2-tuple.
 */
#include "bpf_expr.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A bounded string being appended to; `bad` once anything did not fit. */
struct bpf_out {
    char *p;
    size_t len;
    size_t used;
    bool bad;
};

static void bpf_put(struct bpf_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bpf_put(struct bpf_out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->bad) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(o->p + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->len - o->used) {
        o->bad = true;
        return;
    }
    o->used += (size_t)n;
}

/* The words of the address pair, summed. */
static void bpf_sum_addrs(struct bpf_out *o, int family)
{
    if (family == 4) {
        bpf_put(o, "ip[12:4]+ip[16:4]");
        return;
    }
    for (int off = 8; off < 40; off += 4) {
        bpf_put(o, "%sip6[%d:4]", off > 8 ? "+" : "", off);
    }
}

/* "((S)+((S)>>16))%n=i" with S the addresses and `extra` ("" or terms
 * starting with '+'). */
static void bpf_mix(struct bpf_out *o, int family, const char *extra, uint32_t n, uint32_t i)
{
    bpf_put(o, "((");
    bpf_sum_addrs(o, family);
    bpf_put(o, "%s)+((", extra);
    bpf_sum_addrs(o, family);
    bpf_put(o, "%s)>>16))%%%u=%u", extra, n, i);
}

/* IPv4: fragments by the 2-tuple, the rest by the mode. */
static void bpf_ipv4(struct bpf_out *o, uint32_t mode, uint32_t n, uint32_t i)
{
    static const char *const protos[] = {"tcp", "udp", "sctp"};
    const char *proto = mode == 5 ? "+ip[9]" : "";
    char extra[64];

    if (mode != 4 && mode != 5) {
        bpf_put(o, "(ip and ");
        bpf_mix(o, 4, "", n, i);
        bpf_put(o, ")");
        return;
    }
    bpf_put(o, "(ip and ((ip[6:2]&0x3fff!=0 and ");
    bpf_mix(o, 4, "", n, i);
    bpf_put(o, ") or (ip[6:2]&0x3fff=0 and (");
    for (size_t k = 0; k < 3; k++) {
        snprintf(extra, sizeof(extra), "+%s[0:2]+%s[2:2]%s", protos[k], protos[k], proto);
        bpf_put(o, "(%s and ", protos[k]);
        bpf_mix(o, 4, extra, n, i);
        bpf_put(o, ") or ");
    }
    bpf_put(o, "(not tcp and not udp and not sctp and ");
    bpf_mix(o, 4, proto, n, i);
    bpf_put(o, ")))))");
}

/* IPv6: a fragment header or other extension headers by the 2-tuple, a
 * TCP, UDP or SCTP header right after the fixed one by the mode. */
static void bpf_ipv6(struct bpf_out *o, uint32_t mode, uint32_t n, uint32_t i)
{
    const char *ports = "(ip6[6]=6 or ip6[6]=17 or ip6[6]=132)";

    if (mode != 4 && mode != 5) {
        bpf_put(o, "(ip6 and ");
        bpf_mix(o, 6, "", n, i);
        bpf_put(o, ")");
        return;
    }
    bpf_put(o, "(ip6 and ((%s and ", ports);
    bpf_mix(o, 6, mode == 5 ? "+ip6[40:2]+ip6[42:2]+ip6[6]" : "+ip6[40:2]+ip6[42:2]", n, i);
    bpf_put(o, ") or (not %s and ", ports);
    /* no ports: the 5-tuple adds the next header, unless it is a fragment's */
    bpf_put(o, "((ip6[6]=44 and ");
    bpf_mix(o, 6, "", n, i);
    bpf_put(o, ") or (ip6[6]!=44 and ");
    bpf_mix(o, 6, mode == 5 ? "+ip6[6]" : "", n, i);
    bpf_put(o, ")))))");
}

/* One level of tags: IP here, the rest for worker 0, then inside a tag. */
static void bpf_level(struct bpf_out *o, uint32_t mode, uint32_t n, uint32_t i, bool eth, int depth)
{
    bpf_put(o, "(");
    bpf_ipv4(o, mode, n, i);
    bpf_put(o, " or ");
    bpf_ipv6(o, mode, n, i);
    if (i == 0) {
        bpf_put(o, " or (not ip and not ip6%s)",
                eth && depth > 0
                    ? " and not ether proto 0x8100 and not ether proto 0x88a8 and not ether "
                      "proto 0x9100"
                    : "");
    }
    if (eth && depth > 0) {
        bpf_put(o, " or (vlan and ");
        bpf_level(o, mode, n, i, eth, depth - 1);
        bpf_put(o, ")");
    }
    bpf_put(o, ")");
}

int bpf_expr_share(char *buf, size_t len, uint32_t worker, uint32_t n, uint32_t mode, int dlt,
                   int vlan_depth, const char *user)
{
    struct bpf_out o = {.p = buf, .len = len};

    if (buf == NULL || len == 0 || n < 2 || worker >= n || vlan_depth < 0 ||
        vlan_depth > BPF_EXPR_MAX_VLAN) {
        return -1;
    }
    buf[0] = '\0';
    if (user != NULL && user[0] != '\0') {
        bpf_put(&o, "(%s) and ", user);
    }
    bpf_level(&o, mode, n, worker, dlt == BPF_EXPR_DLT_EN10MB, vlan_depth);
    return o.bad ? -1 : (int)o.used;
}
