/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake host table for testing plugins without the core: it records every
 * log record written (each field rendered as text, Zeek-style: "-" unset,
 * "(empty)" empty, T/F, 6-decimal times, ','-joined containers), every
 * confirm and every weird, and serves connection ids set by the test.
 */
#ifndef SHOAL_FAKEHOST_H
#define SHOAL_FAKEHOST_H

#include <shoal/shoal.h>

/* The host table to pass to a plugin's init. */
extern const struct shoal_host fakehost;

/* A connection object the fake host understands. */
struct shoal_conn *fakehost_conn(const char *orig_h, uint16_t orig_p, const char *resp_h,
                                 uint16_t resp_p, uint8_t proto);

/* Set the network time returned by host->network_time. */
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

/* Weird names reported so far, ','-joined in order ("" if none). */
const char *fakehost_weirds(void);

#endif
