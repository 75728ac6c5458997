/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A set of IP prefixes (the site's local networks) and the test "is this
 * address inside one of them".  Lookups run twice per logged connection,
 * so an array of masked words scanned in order is plenty.
 */
#ifndef SHOAL_NETSET_H
#define SHOAL_NETSET_H

#include <stdbool.h>
#include <stddef.h>

#include <shoal/types.h>

struct shoal_prefix {
    struct shoal_addr net; /* host bits cleared */
    uint8_t len;           /* 0..128, in the IPv6 space (IPv4 /n is 96+n) */
};

/* A prefix as two big-endian words and their masks, for matching. */
struct shoal_netword {
    uint64_t net[2];
    uint64_t mask[2];
};

struct shoal_netset {
    struct shoal_netword *w; /* the prefixes, as added */
    size_t n;
};

/* Parse "10.0.0.0/8", "fe80::/10", "1.2.3.4" into *p.  Returns 0 or -EINVAL. */
int shoal_prefix_parse(const char *s, struct shoal_prefix *p);

/* Parse an address (IPv4 or IPv6).  Returns 0 or -EINVAL. */
int shoal_addr_parse(const char *s, struct shoal_addr *a);

/* Add a prefix.  Returns 0 or -ENOMEM. */
int shoal_netset_add(struct shoal_netset *s, const struct shoal_prefix *p);

/* Fill with Zeek's Site::private_address_space (and its 6to4 images). */
int shoal_netset_add_private(struct shoal_netset *s);

bool shoal_netset_contains(const struct shoal_netset *s, const struct shoal_addr *a);

void shoal_netset_free(struct shoal_netset *s);

#endif
