/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefix sets (see netset.h).  IPv4 prefixes live in the IPv4-mapped part of
 * the IPv6 space, so one comparison routine serves both families.
 */
#include "lib/netset.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int shoal_addr_parse(const char *s, struct shoal_addr *a)
{
    memset(a, 0, sizeof(*a));
    if (strchr(s, ':') != NULL) {
        return inet_pton(AF_INET6, s, a->b) == 1 ? 0 : -EINVAL;
    }
    a->b[10] = 0xff;
    a->b[11] = 0xff;
    return inet_pton(AF_INET, s, a->b + 12) == 1 ? 0 : -EINVAL;
}

static void prefix_mask(struct shoal_addr *a, unsigned len)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = len > i * 8 ? len - i * 8 : 0;
        if (bits < 8) {
            a->b[i] &= (uint8_t)(0xff00 >> bits);
        }
    }
}

int shoal_prefix_parse(const char *s, struct shoal_prefix *p)
{
    char tmp[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    long len;

    if (alen == 0 || alen >= sizeof(tmp)) {
        return -EINVAL;
    }
    memcpy(tmp, s, alen);
    tmp[alen] = '\0';
    if (shoal_addr_parse(tmp, &p->net) < 0) {
        return -EINVAL;
    }
    bool v4 = strchr(tmp, ':') == NULL;
    if (slash != NULL) {
        char *end;
        if (slash[1] < '0' || slash[1] > '9') {
            return -EINVAL; /* no blank, no sign */
        }
        len = strtol(slash + 1, &end, 10);
        if (*end != '\0' || end == slash + 1 || len < 0 || len > (v4 ? 32 : 128)) {
            return -EINVAL;
        }
    } else {
        len = v4 ? 32 : 128;
    }
    p->len = (uint8_t)(v4 ? 96 + len : len);
    prefix_mask(&p->net, p->len);
    return 0;
}

/* The first `bits` bits (0..64) of a big-endian word. */
static uint64_t netset_mask(unsigned bits)
{
    return bits == 0 ? 0 : ~0ull << (64 - bits);
}

static uint64_t netset_word(const uint8_t *b)
{
    uint64_t w;

    memcpy(&w, b, sizeof(w));
    return __builtin_bswap64(w);
}

int shoal_netset_add(struct shoal_netset *s, const struct shoal_prefix *p)
{
    struct shoal_netword *w = realloc(s->w, (s->n + 1) * sizeof(*w));

    if (w == NULL) {
        return -ENOMEM;
    }
    s->w = w;
    s->w[s->n] = (struct shoal_netword){
        .net = {netset_word(p->net.b), netset_word(p->net.b + 8)},
        .mask = {netset_mask(p->len < 64 ? p->len : 64),
                 netset_mask(p->len > 64 ? p->len - 64 : 0)},
    };
    s->n++;
    return 0;
}

int shoal_netset_add_private(struct shoal_netset *s)
{
    static const char *const v4[] = {
        "0.0.0.0/8",      "10.0.0.0/8",    "100.64.0.0/10",   "127.0.0.0/8",
        "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",    "192.0.2.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/24",   "239.0.0.0/8",   "240.0.0.0/4",     "255.255.255.255/32",
    };
    static const char *const v6[] = {
        "::/128",      "::1/128",       "64:ff9b:1::/48", "100::/64",  "2001::/23",
        "2001:2::/48", "2001:db8::/32", "fc00::/7",       "fe80::/10", "fec0::/10",
    };
    struct shoal_prefix p;

    for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
        struct shoal_prefix six;
        if (shoal_prefix_parse(v4[i], &p) < 0 || shoal_netset_add(s, &p) < 0) {
            return -ENOMEM;
        }
        /* The 6to4 image 2002:AABB:CCDD::/(16 + n). */
        memset(&six, 0, sizeof(six));
        six.net.b[0] = 0x20;
        six.net.b[1] = 0x02;
        memcpy(six.net.b + 2, p.net.b + 12, 4);
        six.len = (uint8_t)(16 + (p.len - 96));
        if (shoal_netset_add(s, &six) < 0) {
            return -ENOMEM;
        }
    }
    for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
        if (shoal_prefix_parse(v6[i], &p) < 0 || shoal_netset_add(s, &p) < 0) {
            return -ENOMEM;
        }
    }
    return 0;
}

bool shoal_netset_contains(const struct shoal_netset *s, const struct shoal_addr *a)
{
    uint64_t a0 = netset_word(a->b), a1 = netset_word(a->b + 8);

    /* Two masked words per prefix (its host bits are clear), no memcmp. */
    for (size_t i = 0; i < s->n; i++) {
        const struct shoal_netword *w = &s->w[i];
        if ((a0 & w->mask[0]) == w->net[0] && (a1 & w->mask[1]) == w->net[1]) {
            return true;
        }
    }
    return false;
}

void shoal_netset_free(struct shoal_netset *s)
{
    free(s->w);
    s->w = NULL;
    s->n = 0;
}
