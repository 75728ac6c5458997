/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The timer heap (see timers.h).  Cancelling removes the entry from the
 * heap at once (a linear search: a set holds a few timers per plugin), so
 * the heap never holds dead entries.
 */
#include "lib/timers.h"

#include <stdbool.h>
#include <stdlib.h>

struct timer {
    double at;
    uint64_t id;
    shoal_timers_fn fn;
    void *arg;
    const void *owner;
};

struct shoal_timers {
    struct timer *v;
    size_t n;
    size_t cap;
    uint64_t next_id;
};

struct shoal_timers *shoal_timers_new(void)
{
    return calloc(1, sizeof(struct shoal_timers));
}

void shoal_timers_free(struct shoal_timers *t)
{
    if (t != NULL) {
        free(t->v);
        free(t);
    }
}

static bool timer_before(const struct timer *a, const struct timer *b)
{
    return a->at < b->at || (a->at == b->at && a->id < b->id);
}

static void timer_swap(struct shoal_timers *t, size_t i, size_t j)
{
    struct timer tmp = t->v[i];

    t->v[i] = t->v[j];
    t->v[j] = tmp;
}

static void timer_up(struct shoal_timers *t, size_t i)
{
    while (i > 0 && timer_before(&t->v[i], &t->v[(i - 1) / 2])) {
        timer_swap(t, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void timer_down(struct shoal_timers *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1;
        size_t m = i;

        if (l < t->n && timer_before(&t->v[l], &t->v[m])) {
            m = l;
        }
        if (l + 1 < t->n && timer_before(&t->v[l + 1], &t->v[m])) {
            m = l + 1;
        }
        if (m == i) {
            return;
        }
        timer_swap(t, i, m);
        i = m;
    }
}

/* Remove entry i, keeping the heap order. */
static void timer_remove(struct shoal_timers *t, size_t i)
{
    t->n--;
    if (i == t->n) {
        return;
    }
    t->v[i] = t->v[t->n];
    timer_up(t, i);
    timer_down(t, i);
}

uint64_t shoal_timers_add(struct shoal_timers *t, double at, shoal_timers_fn fn, void *arg,
                          const void *owner)
{
    if (t->n == t->cap) {
        size_t cap = t->cap != 0 ? t->cap * 2 : 16;
        struct timer *v = realloc(t->v, cap * sizeof(*v));

        if (v == NULL) {
            return 0;
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n] = (struct timer){at, ++t->next_id, fn, arg, owner};
    timer_up(t, t->n++);
    return t->next_id;
}

void shoal_timers_cancel(struct shoal_timers *t, uint64_t id, const void *owner)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].id == id && t->v[i].owner == owner) {
            timer_remove(t, i);
            return;
        }
    }
}

void shoal_timers_drop_owner(struct shoal_timers *t, const void *owner)
{
    size_t i = 0;

    while (i < t->n) {
        if (t->v[i].owner == owner) {
            timer_remove(t, i);
            i = 0; /* the last entry moved somewhere at or before i */
        } else {
            i++;
        }
    }
}

size_t shoal_timers_run(struct shoal_timers *t, double now)
{
    size_t ran = 0;

    while (t->n > 0 && t->v[0].at <= now) {
        struct timer due = t->v[0];

        timer_remove(t, 0);
        due.fn(due.arg, now);
        ran++;
    }
    return ran;
}

double shoal_timers_next(const struct shoal_timers *t)
{
    return t->n > 0 ? t->v[0].at : -1.0;
}

size_t shoal_timers_count(const struct shoal_timers *t)
{
    return t->n;
}

uint64_t shoal_timers_scheduled(const struct shoal_timers *t)
{
    return t->next_id; /* ids count up from 1 */
}
