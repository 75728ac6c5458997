/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which weirds reach weird.log: Zeek's base/frameworks/notice/weird.zeek as
 * the engine applies it.  Each weird name has an action (Weird::actions:
 * log, ignore, log once per connection or per originator host, raise a
 * notice once per originator ...; log by default); a weird already logged
 * for the same identifier (a connection's 4-tuple, a flow's address pair,
 * none for a network weird) is not logged again for 10 minutes
 * (Weird::weird_ignore) unless it is a checksum weird
 * (Weird::weird_do_not_ignore_repeats); the limiting actions remember what
 * they logged for a day (Weird::did_log, did_notice).
 *
 * The sets live in one bounded table of 8192 hashed entries, allocated on
 * the first weird; when it is full the entry that expires first makes room
 * (a weird may then be logged once more than Zeek would).
 */
#ifndef SHOAL_WEIRD_H
#define SHOAL_WEIRD_H

#include <stdbool.h>
#include <stdint.h>

#include <shoal/types.h>

/* What a weird is about (Zeek's conn_weird, flow_weird, net_weird). */
struct shoal_weird_about {
    const struct shoal_addr *orig_h; /* connection: its id; flow: src, dst; net: NULL */
    const struct shoal_addr *resp_h;
    int orig_p; /* a connection's ports; -1 for a flow */
    int resp_p;
};

struct shoal_weird_slot;

struct shoal_weird_state {
    struct shoal_weird_slot *slots; /* NULL until the first weird */
};

/*
 * Whether the weird `name` about `ab` at network time `now` is to be
 * logged; *notice tells whether its action raises a notice (weird.log's
 * notice column).  Never fails: without memory for the table every weird
 * whose action is not "ignore" is logged.
 */
bool shoal_weird_admit(struct shoal_weird_state *ws, double now, const char *name,
                       const struct shoal_weird_about *ab, bool *notice);

/* Free the table. */
void shoal_weird_state_free(struct shoal_weird_state *ws);

#endif
