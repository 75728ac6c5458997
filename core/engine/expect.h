/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Expected connections (Zeek's Analyzer::schedule_analyzer): an analyzer
 * announces that a connection to resp_h:resp_p (from orig_h, or from any
 * host) will come within a time-out, as FTP does for its data channels;
 * the engine then attaches that analyzer to every such new connection and
 * adds the expectation's service to conn.log's.  The table is bounded
 * (SHOAL_EXPECT_MAX; the expectation nearest its end makes room), made on
 * first use, and a per-port count lets a new connection that nobody
 * expects pass with one load.
 */
#ifndef SHOAL_EXPECT_H
#define SHOAL_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include <shoal/types.h>

#define SHOAL_EXPECT_MAX 4096
#define SHOAL_EXPECT_SERVICES 16

struct shoal_expect {
    struct shoal_addr orig_h; /* all zero with any_orig */
    struct shoal_addr resp_h;
    double expires; /* network time */
    uint64_t cookie;
    uint16_t resp_p;
    uint16_t an; /* the analyzer to attach */
    int16_t service_bit;
    uint8_t proto;
    bool any_orig;
};

struct shoal_expects {
    struct shoal_expect *v;
    uint32_t n, cap;
    uint16_t *port_count;               /* 65536 counts of expectations by resp_p */
    char *names[SHOAL_EXPECT_SERVICES]; /* interned service names */
    uint64_t added, matched, evicted;
};

/* What a new connection matched: the analyzer, its service bit (-1: none)
 * and the cookie. */
struct shoal_expect_match {
    uint16_t an;
    int16_t service_bit;
    uint64_t cookie;
};

/*
 * Add (or renew) an expectation; `e->service_bit` is ignored, `service`
 * (NULL: none) is interned here and `bit_of` gives its service bit.
 * Returns 0 or -ENOMEM.
 */
int shoal_expects_add(struct shoal_expects *t, const struct shoal_expect *e, const char *service,
                      int (*bit_of)(void *arg, const char *service), void *arg, double now);

/* Does a new connection `id` match an expectation at `now`?  Fills *m. */
bool shoal_expects_match(struct shoal_expects *t, const struct shoal_conn_id *id, double now,
                         struct shoal_expect_match *m);

/* Free the table's storage (the struct itself is the caller's). */
void shoal_expects_free(struct shoal_expects *t);

#endif
