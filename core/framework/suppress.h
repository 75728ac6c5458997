/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Notice suppression as Zeek's notice framework does it (Notice::suppressing):
 * the manager remembers each (note, identifier) it let through until
 * `suppress_for` seconds after it was first seen, and drops repeats until
 * then; a repeat never extends the interval.  A notice without an
 * identifier is never suppressed; one with suppress_for 0 is not remembered
 * (but is dropped if an earlier one with its note and identifier still is).  Expired entries
 * are purged as time goes on; the table holds at most `cap` entries, and
 * when full the entry that would expire first is evicted (counted).
 *
 * Not thread-safe: one table per thread (the manager's notice thread).
 */
#ifndef SHOAL_SUPPRESS_H
#define SHOAL_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zeek's Notice::default_suppression_interval. */
#define SHOAL_SUPPRESS_DEFAULT_FOR 3600.0
/* Pass as suppress_for to use the table's default interval. */
#define SHOAL_SUPPRESS_DEFAULT (-1.0)

struct shoal_suppress;

struct shoal_suppress_stats {
    uint64_t suppressed; /* notices dropped as repeats */
    uint64_t recorded;   /* entries created */
    uint64_t expired;    /* entries purged after their interval */
    uint64_t evicted;    /* entries dropped early because the table was full */
    uint64_t nomem;      /* notices let through unrecorded for lack of memory */
    size_t entries;      /* entries now */
};

/*
 * A table of at most `cap` entries (>= 1) whose default interval is
 * `default_for` seconds (SHOAL_SUPPRESS_DEFAULT_FOR is Zeek's).  Returns an
 * owned table (free with shoal_suppress_free) or NULL on bad arguments or
 * OOM.
 */
struct shoal_suppress *shoal_suppress_new(size_t cap, double default_for);

/* Free the table.  Accepts NULL. */
void shoal_suppress_free(struct shoal_suppress *t);

/*
 * Decide on a notice (note and identifier borrowed, NUL-terminated) seen at
 * time `now` (seconds, finite, not going backwards).  Returns true if it
 * repeats a notice still suppressed and must be dropped; otherwise records
 * it (unless identifier is NULL or suppress_for is 0) for suppress_for (a
 * negative or NaN value means the table's default) seconds and returns
 * false.  Purges expired entries first.
 */
bool shoal_suppress_check(struct shoal_suppress *t, const char *note, const char *identifier,
                          double now, double suppress_for);

/* Drop the entries expired at `now`.  Returns how many. */
size_t shoal_suppress_purge(struct shoal_suppress *t, double now);

/* Copy the counters into *out. */
void shoal_suppress_stats(const struct shoal_suppress *t, struct shoal_suppress_stats *out);

#endif
