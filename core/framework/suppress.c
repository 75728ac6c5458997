/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Notice suppression table (see suppress.h).  Entries are found by a
 * chained hash table of (note, identifier) and ordered by expiry in a binary
 * min-heap, so purging the expired ones and evicting the one that expires
 * first are both O(log n).  Each entry carries its heap index.
 */
#include "framework/suppress.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

struct suppress_entry {
    struct suppress_entry *next; /* hash chain */
    uint64_t hash;
    double expire;
    size_t heap_idx;
    size_t key_len; /* note NUL identifier */
    char key[];
};

struct shoal_suppress {
    struct suppress_entry **buckets;
    size_t n_buckets; /* power of 2 */
    struct suppress_entry **heap;
    size_t n;
    size_t cap;
    double default_for;
    struct shoal_suppress_stats st;
};

#define SUPPRESS_MIN_BUCKETS 64u

struct shoal_suppress *shoal_suppress_new(size_t cap, double default_for)
{
    struct shoal_suppress *t;

    if (cap == 0 || !(default_for >= 0) || !isfinite(default_for)) {
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->n_buckets = SUPPRESS_MIN_BUCKETS;
    t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
    if (t->buckets == NULL) {
        goto out_free;
    }
    t->cap = cap;
    t->default_for = default_for;
    return t;

out_free:
    free(t);
    return NULL;
}

void shoal_suppress_free(struct shoal_suppress *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        free(t->heap[i]);
    }
    free(t->heap);
    free(t->buckets);
    free(t);
}

static void suppress_heap_set(struct shoal_suppress *t, size_t i, struct suppress_entry *e)
{
    t->heap[i] = e;
    e->heap_idx = i;
}

static void suppress_sift_up(struct shoal_suppress *t, size_t i)
{
    struct suppress_entry *e = t->heap[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (t->heap[parent]->expire <= e->expire) {
            break;
        }
        suppress_heap_set(t, i, t->heap[parent]);
        i = parent;
    }
    suppress_heap_set(t, i, e);
}

static void suppress_sift_down(struct shoal_suppress *t, size_t i)
{
    struct suppress_entry *e = t->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= t->n) {
            break;
        }
        if (c + 1 < t->n && t->heap[c + 1]->expire < t->heap[c]->expire) {
            c++;
        }
        if (e->expire <= t->heap[c]->expire) {
            break;
        }
        suppress_heap_set(t, i, t->heap[c]);
        i = c;
    }
    suppress_heap_set(t, i, e);
}

/* Unlink e from its chain and the heap, and free it. */
static void suppress_remove(struct shoal_suppress *t, struct suppress_entry *e)
{
    struct suppress_entry **pp = &t->buckets[e->hash & (t->n_buckets - 1)];
    size_t i = e->heap_idx;

    while (*pp != e) {
        pp = &(*pp)->next;
    }
    *pp = e->next;
    t->n--;
    if (i < t->n) {
        struct suppress_entry *moved = t->heap[t->n];
        suppress_heap_set(t, i, moved);
        suppress_sift_down(t, i);
        suppress_sift_up(t, moved->heap_idx);
    }
    free(e);
}

size_t shoal_suppress_purge(struct shoal_suppress *t, double now)
{
    size_t k = 0;

    while (t->n > 0 && t->heap[0]->expire <= now) {
        suppress_remove(t, t->heap[0]);
        t->st.expired++;
        k++;
    }
    return k;
}

/* Double the buckets when the load passes 1.  Returns 0 or -ENOMEM (then
 * the table keeps working with longer chains). */
static int suppress_grow(struct shoal_suppress *t)
{
    size_t nb = t->n_buckets * 2;
    struct suppress_entry **b = calloc(nb, sizeof(*b));

    if (b == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
        struct suppress_entry *e = t->heap[i];
        size_t h = e->hash & (nb - 1);
        e->next = b[h];
        b[h] = e;
    }
    free(t->buckets);
    t->buckets = b;
    t->n_buckets = nb;
    return 0;
}

static int suppress_insert(struct shoal_suppress *t, const char *key, size_t key_len, uint64_t hash,
                           double expire)
{
    struct suppress_entry *e;

    if (t->n >= t->cap) {
        suppress_remove(t, t->heap[0]);
        t->st.evicted++;
    }
    if (t->n % 64 == 0) {
        size_t want = t->n + 64;
        struct suppress_entry **h = realloc(t->heap, want * sizeof(*h));
        if (h == NULL) {
            return -ENOMEM;
        }
        t->heap = h;
    }
    if (t->n >= t->n_buckets) {
        (void)suppress_grow(t);
    }
    e = malloc(sizeof(*e) + key_len);
    if (e == NULL) {
        return -ENOMEM;
    }
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->hash = hash;
    e->expire = expire;
    e->next = t->buckets[hash & (t->n_buckets - 1)];
    t->buckets[hash & (t->n_buckets - 1)] = e;
    t->heap[t->n] = e;
    e->heap_idx = t->n;
    t->n++;
    suppress_sift_up(t, e->heap_idx);
    t->st.recorded++;
    return 0;
}

bool shoal_suppress_check(struct shoal_suppress *t, const char *note, const char *identifier,
                          double now, double suppress_for)
{
    if (!(suppress_for >= 0)) {
        suppress_for = t->default_for;
    }
    shoal_suppress_purge(t, now);
    if (identifier == NULL) {
        return false;
    }

    size_t nl = strlen(note), il = strlen(identifier);
    size_t key_len = nl + 1 + il;
    char small[256];
    char *key = key_len <= sizeof(small) ? small : malloc(key_len);
    bool hit = false;

    if (key == NULL) {
        t->st.nomem++;
        return false;
    }
    memcpy(key, note, nl + 1);
    memcpy(key + nl + 1, identifier, il);
    uint64_t hash = XXH3_64bits(key, key_len);

    for (struct suppress_entry *e = t->buckets[hash & (t->n_buckets - 1)]; e; e = e->next) {
        if (e->hash == hash && e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
            hit = true; /* not expired: it would have been purged above */
            break;
        }
    }
    if (hit) {
        t->st.suppressed++;
    } else if (suppress_for > 0) {
        /* As Zeek: a repeat is dropped whatever its own suppress_for; a
         * notice with suppress_for 0 is let through and not remembered. */
        double expire = now + suppress_for;
        if (isnan(expire)) {
            expire = HUGE_VAL;
        }
        if (suppress_insert(t, key, key_len, hash, expire) < 0) {
            t->st.nomem++;
        }
    }
    if (key != small) {
        free(key);
    }
    return hit;
}

void shoal_suppress_stats(const struct shoal_suppress *t, struct shoal_suppress_stats *out)
{
    *out = t->st;
    out->entries = t->n;
}
