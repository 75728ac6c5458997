/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timers on one clock (network time on a node that sees packets, wall time
 * elsewhere): a binary heap ordered by due time, then by id, so timers due
 * together run in the order they were added.  For the deferred and periodic
 * work of plugins, a few at a time; connections' own timeouts have the
 * connection table's timer wheel.  Each timer has an owner (a plugin's
 * handle) so that an unloaded plugin's timers go with it.
 *
 * Single-threaded: the owner of the set calls every function.
 */
#ifndef SHOAL_TIMERS_H
#define SHOAL_TIMERS_H

#include <stddef.h>
#include <stdint.h>

struct shoal_timers;

typedef void (*shoal_timers_fn)(void *arg, double now);

/* An empty set.  NULL on ENOMEM. */
struct shoal_timers *shoal_timers_new(void);

/* Free the set and every timer not yet run (never calling them).  Accepts NULL. */
void shoal_timers_free(struct shoal_timers *t);

/* Run fn(arg, now) at the first shoal_timers_run whose `now` >= at.
 * Returns the timer's id (> 0), or 0 on ENOMEM. */
uint64_t shoal_timers_add(struct shoal_timers *t, double at, shoal_timers_fn fn, void *arg,
                          const void *owner);

/* Forget timer `id` of `owner` if it has not run; harmless otherwise. */
void shoal_timers_cancel(struct shoal_timers *t, uint64_t id, const void *owner);

/* Forget every timer of `owner`. */
void shoal_timers_drop_owner(struct shoal_timers *t, const void *owner);

/* Run every timer due at `now`, earliest first, including those the
 * callbacks add that are due by then.  Returns how many ran. */
size_t shoal_timers_run(struct shoal_timers *t, double now);

/* When the next timer is due, or a negative value when there is none. */
double shoal_timers_next(const struct shoal_timers *t);

/* Timers waiting. */
size_t shoal_timers_count(const struct shoal_timers *t);

/* Timers ever added. */
uint64_t shoal_timers_scheduled(const struct shoal_timers *t);

#endif
