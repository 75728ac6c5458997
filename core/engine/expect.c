/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of expected connections (see expect.h): an array searched
 * linearly, guarded by per-port counts so only connections to a port that
 * is expected pay for the search; expired entries go when met.
 */
#include "engine/expect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void expect_remove(struct shoal_expects *t, uint32_t i)
{
    t->port_count[t->v[i].resp_p]--;
    t->v[i] = t->v[t->n - 1];
    t->n--;
}

static bool expect_same(const struct shoal_expect *a, const struct shoal_expect *b)
{
    return a->resp_p == b->resp_p && a->proto == b->proto && a->an == b->an &&
           a->any_orig == b->any_orig && memcmp(a->resp_h.b, b->resp_h.b, 16) == 0 &&
           memcmp(a->orig_h.b, b->orig_h.b, 16) == 0;
}

/* The interned copy of a service name, or NULL. */
static const char *expect_intern(struct shoal_expects *t, const char *service)
{
    for (int i = 0; i < SHOAL_EXPECT_SERVICES; i++) {
        if (t->names[i] == NULL) {
            t->names[i] = strdup(service);
            return t->names[i];
        }
        if (strcmp(t->names[i], service) == 0) {
            return t->names[i];
        }
    }
    return NULL;
}

/* Room for one more: grow, drop the expired, or drop the nearest end. */
static int expect_make_room(struct shoal_expects *t, double now)
{
    if (t->n < t->cap) {
        return 0;
    }
    if (t->cap < SHOAL_EXPECT_MAX) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        struct shoal_expect *v = realloc(t->v, cap * sizeof(*v));
        if (v == NULL) {
            return -ENOMEM;
        }
        t->v = v;
        t->cap = cap;
        return 0;
    }
    uint32_t soonest = 0;
    for (uint32_t i = t->n; i-- > 0;) {
        if (t->v[i].expires < now) {
            expect_remove(t, i);
        } else if (t->v[i].expires < t->v[soonest].expires) {
            soonest = i;
        }
    }
    if (t->n == t->cap) {
        expect_remove(t, soonest);
        t->evicted++;
    }
    return 0;
}

int shoal_expects_add(struct shoal_expects *t, const struct shoal_expect *e, const char *service,
                      int (*bit_of)(void *arg, const char *service), void *arg, double now)
{
    struct shoal_expect n = *e;

    if (t->port_count == NULL) {
        t->port_count = calloc(65536, sizeof(*t->port_count));
        if (t->port_count == NULL) {
            return -ENOMEM;
        }
    }
    n.service_bit = -1;
    if (service != NULL) {
        const char *name = expect_intern(t, service);
        n.service_bit = (int16_t)(name != NULL ? bit_of(arg, name) : -1);
    }
    for (uint32_t i = 0; i < t->n; i++) {
        if (expect_same(&t->v[i], &n)) {
            t->v[i] = n;
            t->added++;
            return 0;
        }
    }
    if (expect_make_room(t, now) < 0) {
        return -ENOMEM;
    }
    t->v[t->n++] = n;
    t->port_count[n.resp_p]++;
    t->added++;
    return 0;
}

bool shoal_expects_match(struct shoal_expects *t, const struct shoal_conn_id *id, double now,
                         struct shoal_expect_match *m)
{
    const struct shoal_expect *any = NULL;

    if (t->n == 0 || t->port_count[id->resp_p] == 0) {
        return false;
    }
    for (uint32_t i = t->n; i-- > 0;) {
        struct shoal_expect *e = &t->v[i];
        if (e->expires < now) {
            expect_remove(t, i);
            continue;
        }
        if (e->resp_p != id->resp_p || e->proto != id->proto ||
            memcmp(e->resp_h.b, id->resp_h.b, 16) != 0) {
            continue;
        }
        if (!e->any_orig && memcmp(e->orig_h.b, id->orig_h.b, 16) == 0) {
            any = e; /* an exact originator wins */
            break;
        }
        if (e->any_orig && any == NULL) {
            any = e;
        }
    }
    if (any == NULL) {
        return false;
    }
    m->an = any->an;
    m->service_bit = any->service_bit;
    m->cookie = any->cookie;
    t->matched++;
    return true;
}

void shoal_expects_free(struct shoal_expects *t)
{
    free(t->v);
    free(t->port_count);
    for (int i = 0; i < SHOAL_EXPECT_SERVICES; i++) {
        free(t->names[i]);
    }
    memset(t, 0, sizeof(*t));
}
