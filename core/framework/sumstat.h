/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table behind the plugins' distinct-count statistics (struct
 * shoal_sumstat in shoal/shoal.h): for each declared statistic and key, the
 * set of distinct members observed since the key's epoch began.  When a
 * key reaches the statistic's threshold the statistic's `crossed` callback
 * runs, once per epoch; the key then keeps only its "crossed" mark until
 * the epoch ends (begin + epoch), so later observations cost nothing and
 * cannot cross again.  A standalone node and a proxy count here; a worker
 * keeps only the marks its proxies publish, so it can stop sending
 * observations of a key already crossed.
 *
 * Time is network time as the caller gives it, per observation: a key's
 * epoch begins at the time of the observation that made it, and its result
 * spans the earliest to the latest observation, in whatever order they
 * came (a proxy hears several workers).  Expiry follows the latest time
 * seen.  Memory is bounded by a key count: past it the oldest key of the
 * statistic is dropped, and counted.
 *
 * Single-threaded.
 */
#ifndef SHOAL_SUMSTAT_H
#define SHOAL_SUMSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/shoal.h>

#define SHOAL_SUMSTAT_MAX 64 /* statistics per node */
/* Names beginning so are the cluster's own messages, refused to plugins. */
#define SHOAL_SUMSTAT_RESERVED "proxy."

struct shoal_sumstats;

struct shoal_sumstats_stats {
    uint64_t keys;         /* keys held now */
    uint64_t observations; /* observe calls */
    uint64_t crossed;      /* callbacks run */
    uint64_t evicted;      /* keys dropped at the key bound before their epoch ended */
};

/* A table holding at most max_keys keys (0: 1,000,000).  NULL on ENOMEM. */
struct shoal_sumstats *shoal_sumstats_new(size_t max_keys);
void shoal_sumstats_free(struct shoal_sumstats *t);

/* Declare a statistic (borrowed until free).  Returns its handle (>= 0),
 * or -EINVAL (bad name -- [A-Za-z0-9_-][A-Za-z0-9_.-]*, at most 63 bytes,
 * not beginning "proxy." --, threshold, epoch or size), -EEXIST, -ENOSPC. */
int shoal_sumstats_declare(struct shoal_sumstats *t, const struct shoal_sumstat *def);

/* The handle of the statistic called `name`, or -ENOENT. */
int shoal_sumstats_find(const struct shoal_sumstats *t, const char *name);

/* The definition behind a handle, or NULL. */
const struct shoal_sumstat *shoal_sumstats_def(const struct shoal_sumstats *t, int h);

/*
 * Count `member` for `key` of statistic `h` at `now`.  Returns 1 when this
 * observation made the key cross (the callback has run, and *until, if not
 * NULL, holds the end of the key's epoch), 0 otherwise, -EINVAL for a bad
 * handle or key length, -ENOMEM.
 */
int shoal_sumstats_observe(struct shoal_sumstats *t, int h, const void *key, size_t klen,
                           uint64_t member, double now, double *until);

/* Mark `key` of `h` as crossed until `until` without running the callback
 * (what a worker learns from its proxy).  0, -EINVAL or -ENOMEM. */
int shoal_sumstats_mark(struct shoal_sumstats *t, int h, const void *key, size_t klen, double now,
                        double until);

/* Is `key` of `h` marked crossed at `now`? */
bool shoal_sumstats_is_crossed(struct shoal_sumstats *t, int h, const void *key, size_t klen,
                               double now);

/* Drop keys whose epoch has ended by `now`. */
void shoal_sumstats_expire(struct shoal_sumstats *t, double now);

void shoal_sumstats_stats(const struct shoal_sumstats *t, struct shoal_sumstats_stats *out);

#endif
