/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake host table for testing plugins without the core: it records every
 * log record written (each field rendered as text, Zeek-style: "-" unset,
 * "(empty)" empty, T/F, 6-decimal times, ','-joined containers), every
 * confirm, weird and notice (as records of the pseudo-stream "notice!"),
 * serves connection ids, states and histories set by the test, counts
 * distinct-count statistics as a node without proxies does (local
 * addresses: 10/8 and 192.168/16), and forgets statistics at reset.
 */
#ifndef SHOAL_FAKEHOST_H
#define SHOAL_FAKEHOST_H

#include <shoal/shoal.h>

/* The host table to pass to a plugin's init, with a handle from
 * fakehost_self (or use fakehost_init). */
extern const struct shoal_host fakehost;

/* The fake handle of plugin `p` (the same one on every call). */
struct shoal_self *fakehost_self(const struct shoal_plugin *p);

/* p->init(&fakehost, fakehost_self(p), config, state). */
int fakehost_init(const struct shoal_plugin *p, const void *config, void **state);

/* The value of counter `name` plugin `p` declared; UINT64_MAX if none. */
uint64_t fakehost_counter(const struct shoal_plugin *p, const char *name);

/* Set the clock to `now` and run the timers due, earliest first; returns
 * how many ran. */
size_t fakehost_run_timers(double now);

/* A connection object the fake host understands. */
struct shoal_conn *fakehost_conn(const char *orig_h, uint16_t orig_p, const char *resp_h,
                                 uint16_t resp_p, uint8_t proto);

/* Forget the connections made so far (their pointers become invalid):
 * tests that make many use it between them. */
void fakehost_reset_conns(void);

/* Set what conn_state and conn_history say of `c` (they say "OTH" and ""
 * until then). */
void fakehost_conn_set_state(struct shoal_conn *c, const char *state, const char *history);

/* Set the clock host->now returns. */
void fakehost_set_time(double t);

/* Forget every record, confirm and weird (streams stay open). */
void fakehost_reset(void);

/* Number of records written to stream `path`. */
size_t fakehost_count(const char *path);

/* Field `field` of the n-th (0-based) record of `path`, rendered; NULL if
 * there is no such record or field. */
const char *fakehost_field(const char *path, size_t n, const char *field);

/* Services confirmed so far, ','-joined in order ("" if none). */
const char *fakehost_confirmed(void);

/* Services handed over to (attach) so far, ','-joined in order. */
const char *fakehost_attached(void);

/* The bytes of direction `is_orig` delivered (deliver) to a child
 * analyzer since the last reset (the first 8 KiB); deliver also names the
 * service among the attached ones. */
const uint8_t *fakehost_delivered(bool is_orig, size_t *len);

/* Services that reported a violation so far, ','-joined in order. */
const char *fakehost_violations(void);

/* Weird names reported so far, ','-joined in order ("" if none). */
const char *fakehost_weirds(void);

/* Expectations announced through expect_conn since the last reset. */
size_t fakehost_expects(void);

/* As the core does for a new connection: if an expectation matches c, c
 * gets its cookie (what conn_expected then says) and it is returned; 0
 * otherwise. */
uint64_t fakehost_expect_match(struct shoal_conn *c);

#endif
