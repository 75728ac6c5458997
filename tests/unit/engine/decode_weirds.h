/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The weird recorder of the decoder's tests (test_decode, test_decode_traces):
 * a decoder made with new_dec() reports its weirds into weirds[], as rows
 * of strings that compare with Zeek's weird.log.  Single-threaded, like the
 * tests: new_dec() empties the record.
 */
#ifndef SHOAL_TEST_DECODE_WEIRDS_H
#define SHOAL_TEST_DECODE_WEIRDS_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/decode.h"

#define MAX_WEIRDS 64

struct weird_rec {
    char name[64];
    char addl[96];
    char source[24]; /* "-" for NULL */
    char src[64];    /* "-" for a net weird */
    char dst[64];
};

/* The weirds reported since the last new_dec(), in order; the ones past
 * MAX_WEIRDS are dropped. */
extern struct weird_rec weirds[MAX_WEIRDS];
extern int nweirds;

/* An address as Zeek prints it, "-" for NULL. */
void addr_str(const struct shoal_addr *a, char *buf, size_t len);

/* The decoder's weird callback: records one weird (ctx unused). */
void rec_weird(void *ctx, const char *name, const char *addl, const char *source,
               const struct shoal_addr *src, const struct shoal_addr *dst);

/* Drop repeats of a (name, source, src, dst) already recorded, as Zeek's
 * weird framework does when it writes weird.log. */
void dedup_weirds(void);

/* Index of the first weird named `name`, or -1. */
int find_weird(const char *name);

/* A decoder for `linktype` whose weirds go to rec_weird; empties the
 * record.  Free it with shoal_decoder_free. */
struct shoal_decoder *new_dec(int linktype, bool ignore_cksum);

#endif
