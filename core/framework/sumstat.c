/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Distinct-count statistics (see sumstat.h).  Keys live in one chained hash
 * table (XXH3 of the handle and the key bytes) and, per statistic, in a
 * list in order of their epoch's beginning: every key of a statistic has
 * the same epoch length, so that list is also the order they expire in.
 * A key's members are an open-addressing set of 64-bit values that grows
 * by doubling and never holds more than the threshold.
 */
#include "framework/sumstat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#define SS_DEFAULT_MAX_KEYS 1000000u
#define SS_NAME_MAX 64

struct ss_key {
    struct ss_key *hnext;       /* hash chain */
    struct ss_key *prev, *next; /* the statistic's list, oldest first */
    uint64_t hash;
    double begin, end; /* earliest and latest observation times */
    double until;      /* end of the epoch: first observation + epoch */
    uint64_t *set;     /* members, 0 = empty slot; NULL once crossed */
    uint32_t n, cap;   /* members held, slots */
    uint16_t h;        /* statistic */
    uint8_t klen;
    bool crossed;
    bool zero_member; /* the member 0 was seen (0 marks empty slots) */
    uint8_t key[];
};

struct ss_stat {
    const struct shoal_sumstat *def;
    struct ss_key *oldest, *newest;
};

struct shoal_sumstats {
    struct ss_stat stats[SHOAL_SUMSTAT_MAX];
    size_t n_stats;
    struct ss_key **buckets;
    size_t nbuckets; /* power of two */
    size_t max_keys;
    double now;
    struct shoal_sumstats_stats st;
};

struct shoal_sumstats *shoal_sumstats_new(size_t max_keys)
{
    struct shoal_sumstats *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    t->max_keys = max_keys ? max_keys : SS_DEFAULT_MAX_KEYS;
    t->nbuckets = 1024;
    t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
    if (t->buckets == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void shoal_sumstats_free(struct shoal_sumstats *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_stats; i++) {
        struct ss_key *k = t->stats[i].oldest;
        while (k != NULL) {
            struct ss_key *next = k->next;
            free(k->set);
            free(k);
            k = next;
        }
    }
    free(t->buckets);
    free(t);
}

static bool ss_name_ok(const char *s)
{
    size_t n = 0;

    if (s == NULL || *s == '\0' || *s == '.' ||
        strncmp(s, SHOAL_SUMSTAT_RESERVED, strlen(SHOAL_SUMSTAT_RESERVED)) == 0) {
        return false;
    }
    for (; *s != '\0'; s++, n++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-') ||
            n >= SS_NAME_MAX) {
            return false;
        }
    }
    return true;
}

/* Every field read here is in the frozen prefix of ABI 2 (through `arg`):
 * a definition that long is accepted whatever minor it was built for. */
#define SS_DEF_MIN (offsetof(struct shoal_sumstat, arg) + sizeof(void *))

int shoal_sumstats_declare(struct shoal_sumstats *t, const struct shoal_sumstat *def)
{
    if (def == NULL || def->size < SS_DEF_MIN || !ss_name_ok(def->name) || def->threshold < 1 ||
        def->threshold > SHOAL_SUMSTAT_MAX_THRESHOLD || !(def->epoch > 0 && def->epoch < 1e9)) {
        return -EINVAL;
    }
    if (shoal_sumstats_find(t, def->name) >= 0) {
        return -EEXIST;
    }
    if (t->n_stats == SHOAL_SUMSTAT_MAX) {
        return -ENOSPC;
    }
    t->stats[t->n_stats].def = def;
    return (int)t->n_stats++;
}

int shoal_sumstats_find(const struct shoal_sumstats *t, const char *name)
{
    for (size_t i = 0; i < t->n_stats; i++) {
        if (strcmp(t->stats[i].def->name, name) == 0) {
            return (int)i;
        }
    }
    return -ENOENT;
}

const struct shoal_sumstat *shoal_sumstats_def(const struct shoal_sumstats *t, int h)
{
    return h >= 0 && (size_t)h < t->n_stats ? t->stats[h].def : NULL;
}

/* ---- keys ---- */

static uint64_t ss_hash(int h, const void *key, size_t klen)
{
    return XXH3_64bits_withSeed(key, klen, (uint64_t)h * 0x9E3779B97F4A7C15ull + 1);
}

static struct ss_key **ss_slot(struct shoal_sumstats *t, uint64_t hash, int h, const void *key,
                               size_t klen)
{
    struct ss_key **pp = &t->buckets[hash & (t->nbuckets - 1)];

    for (; *pp != NULL; pp = &(*pp)->hnext) {
        struct ss_key *k = *pp;
        if (k->hash == hash && k->h == h && k->klen == klen && memcmp(k->key, key, klen) == 0) {
            break;
        }
    }
    return pp;
}

static void ss_unlink(struct shoal_sumstats *t, struct ss_key *k)
{
    struct ss_stat *s = &t->stats[k->h];
    struct ss_key **pp = &t->buckets[k->hash & (t->nbuckets - 1)];

    while (*pp != k) {
        pp = &(*pp)->hnext;
    }
    *pp = k->hnext;
    if (k->prev != NULL) {
        k->prev->next = k->next;
    } else {
        s->oldest = k->next;
    }
    if (k->next != NULL) {
        k->next->prev = k->prev;
    } else {
        s->newest = k->prev;
    }
    free(k->set);
    free(k);
    t->st.keys--;
}

static void ss_grow_buckets(struct shoal_sumstats *t)
{
    size_t n = t->nbuckets * 2;
    struct ss_key **b = calloc(n, sizeof(*b));

    if (b == NULL) {
        return; /* chains get longer; still correct */
    }
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct ss_key *k = t->buckets[i];
        while (k != NULL) {
            struct ss_key *next = k->hnext;
            k->hnext = b[k->hash & (n - 1)];
            b[k->hash & (n - 1)] = k;
            k = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

/* The key (h, key) whose epoch holds time `at`, made when absent (its
 * epoch then begins at `at`); NULL on ENOMEM. */
static struct ss_key *ss_get(struct shoal_sumstats *t, int h, const void *key, size_t klen,
                             double at)
{
    uint64_t hash = ss_hash(h, key, klen);
    struct ss_key **pp = ss_slot(t, hash, h, key, klen);
    struct ss_stat *s = &t->stats[h];
    struct ss_key *k = *pp;

    if (k != NULL && k->until > at) {
        return k;
    }
    if (k != NULL) {
        ss_unlink(t, k); /* its epoch is over: a new one begins */
    }
    if (t->st.keys >= t->max_keys) {
        struct ss_key *victim = s->oldest;
        for (size_t i = 0; victim == NULL && i < t->n_stats; i++) {
            victim = t->stats[i].oldest;
        }
        if (victim == NULL) {
            return NULL;
        }
        ss_unlink(t, victim);
        t->st.evicted++;
    }
    if (t->st.keys >= t->nbuckets) {
        ss_grow_buckets(t);
    }
    k = calloc(1, sizeof(*k) + klen);
    if (k == NULL) {
        return NULL;
    }
    k->hash = hash;
    k->h = (uint16_t)h;
    k->klen = (uint8_t)klen;
    memcpy(k->key, key, klen);
    k->begin = k->end = at;
    k->until = at + s->def->epoch;
    k->hnext = t->buckets[hash & (t->nbuckets - 1)];
    t->buckets[hash & (t->nbuckets - 1)] = k;
    k->prev = s->newest;
    if (s->newest != NULL) {
        s->newest->next = k;
    } else {
        s->oldest = k;
    }
    s->newest = k;
    t->st.keys++;
    return k;
}

static void ss_advance(struct shoal_sumstats *t, double now)
{
    if (now > t->now) {
        t->now = now;
    }
}

/* ---- members ---- */

static uint64_t ss_mix(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    return v;
}

/* Add a non-zero member; 1 if new, 0 if seen, -ENOMEM. */
static int ss_set_add(struct ss_key *k, uint64_t m)
{
    if ((k->n + 1) * 4 > k->cap * 3) {
        uint32_t ncap = k->cap ? k->cap * 2 : 8;
        uint64_t *ns = calloc(ncap, sizeof(*ns));
        if (ns == NULL) {
            return -ENOMEM;
        }
        for (uint32_t i = 0; i < k->cap; i++) {
            if (k->set[i] != 0) {
                uint32_t j = (uint32_t)ss_mix(k->set[i]) & (ncap - 1);
                while (ns[j] != 0) {
                    j = (j + 1) & (ncap - 1);
                }
                ns[j] = k->set[i];
            }
        }
        free(k->set);
        k->set = ns;
        k->cap = ncap;
    }
    uint32_t j = (uint32_t)ss_mix(m) & (k->cap - 1);
    while (k->set[j] != 0) {
        if (k->set[j] == m) {
            return 0;
        }
        j = (j + 1) & (k->cap - 1);
    }
    k->set[j] = m;
    k->n++;
    return 1;
}

int shoal_sumstats_observe(struct shoal_sumstats *t, int h, const void *key, size_t klen,
                           uint64_t member, double now, double *until)
{
    struct ss_key *k;
    int rc;

    if (h < 0 || (size_t)h >= t->n_stats || klen > SHOAL_SUMSTAT_MAX_KEY) {
        return -EINVAL;
    }
    ss_advance(t, now);
    t->st.observations++;
    k = ss_get(t, h, key, klen, now);
    if (k == NULL) {
        return -ENOMEM;
    }
    if (k->crossed) {
        return 0;
    }
    k->begin = now < k->begin ? now : k->begin;
    k->end = now > k->end ? now : k->end;
    if (member == 0) {
        rc = k->zero_member ? 0 : 1;
        k->zero_member = true;
        k->n += (uint32_t)rc;
    } else {
        rc = ss_set_add(k, member);
    }
    if (rc <= 0) {
        return rc;
    }
    const struct shoal_sumstat *def = t->stats[h].def;
    if (k->n < def->threshold) {
        return 0;
    }
    k->crossed = true;
    free(k->set);
    k->set = NULL;
    k->cap = 0;
    t->st.crossed++;
    if (until != NULL) {
        *until = k->until;
    }
    if (def->crossed != NULL) {
        struct shoal_sumstat_result r = {
            .key = k->key,
            .klen = k->klen,
            .unique = k->n,
            .begin = k->begin,
            .end = k->end,
        };
        def->crossed(def->arg, &r);
    }
    return 1;
}

int shoal_sumstats_mark(struct shoal_sumstats *t, int h, const void *key, size_t klen, double now,
                        double until)
{
    struct ss_key *k;

    if (h < 0 || (size_t)h >= t->n_stats || klen > SHOAL_SUMSTAT_MAX_KEY) {
        return -EINVAL;
    }
    ss_advance(t, now);
    if (!(until > t->now)) {
        return 0;
    }
    k = ss_get(t, h, key, klen, t->now);
    if (k == NULL) {
        return -ENOMEM;
    }
    k->crossed = true;
    free(k->set);
    k->set = NULL;
    k->cap = 0;
    /* The list stays ordered closely enough: a mark only ever shortens or
     * slightly moves an epoch, and expiry stops at the first live key. */
    k->until = until;
    return 0;
}

bool shoal_sumstats_is_crossed(struct shoal_sumstats *t, int h, const void *key, size_t klen,
                               double now)
{
    struct ss_key *k;

    if (h < 0 || (size_t)h >= t->n_stats || klen > SHOAL_SUMSTAT_MAX_KEY) {
        return false;
    }
    ss_advance(t, now);
    k = *ss_slot(t, ss_hash(h, key, klen), h, key, klen);
    return k != NULL && k->crossed && k->until > t->now;
}

void shoal_sumstats_expire(struct shoal_sumstats *t, double now)
{
    ss_advance(t, now);
    for (size_t i = 0; i < t->n_stats; i++) {
        while (t->stats[i].oldest != NULL && t->stats[i].oldest->until <= t->now) {
            ss_unlink(t, t->stats[i].oldest);
        }
    }
}

void shoal_sumstats_stats(const struct shoal_sumstats *t, struct shoal_sumstats_stats *out)
{
    *out = t->st;
}
