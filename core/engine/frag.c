/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4/IPv6 fragment reassembly for the decoder (see frag.h).  Trains live
 * in a chained hash table and, at the same time, on a list in the order they
 * were opened, which serves both expiry (oldest first) and eviction under
 * the memory cap (oldest first).  A train holds a copy of the unfragmentable
 * header (from the offset-0 fragment once seen) and a sorted list of
 * non-overlapping data blocks; completion is "last fragment seen and the
 * bytes held equal its end".  The sanity weirds follow Zeek's Frag.cc names
 * and conditions (fragment_with_DF, excessively_small_fragment, ...).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/frag.h"
#include "lib/util.h"

/* Zeek's MIN/MAX_ACCEPTABLE_FRAG_SIZE. */
#define FRAG_MIN_ACCEPTABLE 64
#define FRAG_MAX_ACCEPTABLE 64000
/* An IP packet cannot be longer than this (16-bit length fields). */
#define FRAG_MAX_IP_LEN 65535u
/* Blocks per train: bounds the per-fragment insertion work. */
#define FRAG_MAX_BLOCKS 1024u

struct frag_block {
    struct frag_block *next;
    uint32_t start;
    uint32_t end;
    uint8_t data[];
};

struct frag_train {
    struct frag_train *hnext; /* hash chain */
    struct frag_train *older; /* age list */
    struct frag_train *newer;
    struct shoal_frag_key key;
    uint32_t hash;
    double first_ts;
    struct frag_block *blocks; /* sorted by start, non-overlapping */
    uint32_t nblocks;
    uint32_t have;      /* data bytes held */
    uint32_t frag_size; /* payload length once the last fragment was seen, else 0 */
    uint32_t max_end;   /* highest end of any block */
    size_t mem;         /* bytes charged to the cap */
    uint8_t *hdr;
    uint32_t hdr_len;
    uint32_t nh_off;
    bool hdr_from_first; /* hdr is the offset-0 fragment's */
};

struct shoal_frag {
    struct frag_train **buckets;
    uint32_t nbuckets; /* power of two */
    struct frag_train *oldest;
    struct frag_train *newest;
    size_t mem;
    size_t mem_max;
    double timeout;
    uint8_t *out;
    size_t out_cap;
    shoal_frag_weird_fn weird;
    void *weird_ctx;
    struct shoal_frag_stats st;
};

static uint32_t frag_hash(const struct shoal_frag_key *k)
{
    const uint8_t *p = (const uint8_t *)k;
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < sizeof(*k); i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

static void frag_weird(struct shoal_frag *f, const char *name, const struct shoal_frag_key *k)
{
    if (f->weird != NULL) {
        f->weird(f->weird_ctx, name, k);
    }
}

struct shoal_frag *shoal_frag_new(size_t mem_max, double timeout, shoal_frag_weird_fn weird,
                                  void *weird_ctx)
{
    struct shoal_frag *f = calloc(1, sizeof(*f));
    uint32_t n = 256;

    if (f == NULL) {
        return NULL;
    }
    while (n < 65536 && (size_t)n * 4096 < mem_max) {
        n <<= 1;
    }
    f->buckets = calloc(n, sizeof(*f->buckets));
    if (f->buckets == NULL) {
        free(f);
        return NULL;
    }
    f->nbuckets = n;
    f->mem_max = mem_max;
    f->timeout = timeout;
    f->weird = weird;
    f->weird_ctx = weird_ctx;
    return f;
}

/* Unlink a train from the table and the age list and free it. */
static void frag_train_free(struct shoal_frag *f, struct frag_train *t)
{
    struct frag_train **pp = &f->buckets[t->hash & (f->nbuckets - 1)];

    while (*pp != NULL && *pp != t) {
        pp = &(*pp)->hnext;
    }
    if (*pp == t) {
        *pp = t->hnext;
    }
    if (t->older != NULL) {
        t->older->newer = t->newer;
    } else {
        f->oldest = t->newer;
    }
    if (t->newer != NULL) {
        t->newer->older = t->older;
    } else {
        f->newest = t->older;
    }
    for (struct frag_block *b = t->blocks, *nb; b != NULL; b = nb) {
        nb = b->next;
        free(b);
    }
    f->mem -= t->mem;
    f->st.held--;
    free(t->hdr);
    free(t);
}

/* A train leaves without being completed (cap or timeout). */
static void frag_train_drop(struct shoal_frag *f, struct frag_train *t)
{
    f->st.dropped++;
    frag_train_free(f, t);
}

void shoal_frag_free(struct shoal_frag *f)
{
    if (f == NULL) {
        return;
    }
    while (f->oldest != NULL) {
        frag_train_free(f, f->oldest);
    }
    free(f->buckets);
    free(f->out);
    free(f);
}

void shoal_frag_expire(struct shoal_frag *f, double now)
{
    while (f->oldest != NULL && f->oldest->first_ts + f->timeout <= now) {
        frag_train_drop(f, f->oldest);
    }
}

void shoal_frag_stats(const struct shoal_frag *f, struct shoal_frag_stats *st)
{
    *st = f->st;
    st->mem = f->mem;
}

/*
 * Make room for `need` more bytes charged to train `keep`: evict other
 * trains, oldest first.  Returns 0 when the bytes fit, -ENOMEM otherwise.
 */
static int frag_make_room(struct shoal_frag *f, struct frag_train *keep, size_t need)
{
    struct frag_train *t = f->oldest;

    while (f->mem + need > f->mem_max && t != NULL) {
        struct frag_train *next = t->newer;

        if (t != keep) {
            frag_train_drop(f, t);
        }
        t = next;
    }
    return f->mem + need > f->mem_max ? -ENOMEM : 0;
}

/* Replace the train's header copy.  Returns 0 or -ENOMEM. */
static int frag_set_hdr(struct shoal_frag *f, struct frag_train *t, const struct shoal_frag_in *in)
{
    uint8_t *h;

    if (in->hdr_len > t->hdr_len) {
        size_t extra = in->hdr_len - t->hdr_len;

        if (frag_make_room(f, t, extra) != 0) {
            return -ENOMEM;
        }
        h = malloc(in->hdr_len);
        if (h == NULL) {
            return -ENOMEM;
        }
        free(t->hdr);
        t->hdr = h;
        t->mem += extra;
        f->mem += extra;
    }
    memcpy(t->hdr, in->hdr, in->hdr_len);
    t->hdr_len = in->hdr_len;
    t->nh_off = in->nh_off;
    t->hdr_from_first = in->offset == 0;
    return 0;
}

static struct frag_train *frag_lookup(struct shoal_frag *f, const struct shoal_frag_key *k,
                                      uint32_t hash)
{
    for (struct frag_train *t = f->buckets[hash & (f->nbuckets - 1)]; t != NULL; t = t->hnext) {
        if (t->hash == hash && memcmp(&t->key, k, sizeof(*k)) == 0) {
            return t;
        }
    }
    return NULL;
}

static struct frag_train *frag_open(struct shoal_frag *f, double ts, const struct shoal_frag_key *k,
                                    uint32_t hash, const struct shoal_frag_in *in)
{
    struct frag_train *t;
    size_t need = sizeof(*t);

    if (frag_make_room(f, NULL, need) != 0) {
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->key = *k;
    t->hash = hash;
    t->first_ts = ts;
    t->mem = need;
    f->mem += need;
    t->hnext = f->buckets[hash & (f->nbuckets - 1)];
    f->buckets[hash & (f->nbuckets - 1)] = t;
    t->older = f->newest;
    if (f->newest != NULL) {
        f->newest->newer = t;
    } else {
        f->oldest = t;
    }
    f->newest = t;
    f->st.trains++;
    f->st.held++;
    if (frag_set_hdr(f, t, in) != 0) {
        frag_train_drop(f, t);
        return NULL;
    }
    return t;
}

/*
 * Insert [start, start+len) into the train, filling only the holes: bytes
 * already held win.  Reports one overlap weird per fragment.  Returns 0 or
 * -ENOMEM (memory cap or block limit).
 */
static int frag_insert(struct shoal_frag *f, struct frag_train *t, uint32_t start,
                       const uint8_t *data, uint32_t len)
{
    uint32_t end = start + len;
    uint32_t cur = start;
    struct frag_block **pp = &t->blocks;
    bool overlap = false;
    bool differ = false;
    int rc = 0;

    while (cur < end) {
        struct frag_block *b = *pp;

        if (b != NULL && b->end <= cur) {
            pp = &b->next;
            continue;
        }
        if (b != NULL && b->start <= cur) {
            uint32_t oe = shoal_min_u32(end, b->end);

            overlap = true;
            if (memcmp(b->data + (cur - b->start), data + (cur - start), oe - cur) != 0) {
                differ = true;
            }
            cur = oe;
            pp = &b->next;
            continue;
        }

        uint32_t stop = (b == NULL || b->start >= end) ? end : b->start;
        size_t need = sizeof(struct frag_block) + (stop - cur);
        struct frag_block *nb;

        if (t->nblocks >= FRAG_MAX_BLOCKS || frag_make_room(f, t, need) != 0) {
            rc = -ENOMEM;
            break;
        }
        nb = malloc(need);
        if (nb == NULL) {
            rc = -ENOMEM;
            break;
        }
        nb->start = cur;
        nb->end = stop;
        memcpy(nb->data, data + (cur - start), stop - cur);
        nb->next = b;
        *pp = nb;
        pp = &nb->next;
        t->nblocks++;
        t->have += stop - cur;
        t->mem += need;
        f->mem += need;
        t->max_end = shoal_max_u32(t->max_end, stop);
        cur = stop;
    }
    if (overlap) {
        frag_weird(f, differ ? "fragment_inconsistency" : "fragment_overlap", &t->key);
    }
    return rc;
}

/* Build the reassembled packet of a complete train into f->out. */
static int frag_build(struct shoal_frag *f, struct frag_train *t, const uint8_t **out,
                      uint32_t *out_len)
{
    size_t n = (size_t)t->hdr_len + t->frag_size;
    uint8_t *p;

    if (n > f->out_cap) {
        size_t cap = n < 2048 ? 2048 : n;

        p = realloc(f->out, cap);
        if (p == NULL) {
            return -ENOMEM;
        }
        f->out = p;
        f->out_cap = cap;
    }
    p = f->out;
    memcpy(p, t->hdr, t->hdr_len);
    for (const struct frag_block *b = t->blocks; b != NULL; b = b->next) {
        memcpy(p + t->hdr_len + b->start, b->data, b->end - b->start);
    }
    if (t->key.version == 4) {
        uint64_t sum;

        shoal_put_be16(p + 2, (uint16_t)n);
        shoal_put_be16(p + 6, shoal_be16(p + 6) & 0x4000); /* keep DF only */
        shoal_put_be16(p + 10, 0);
        sum = shoal_csum_add(0, p, t->hdr_len);
        shoal_put_be16(p + 10, (uint16_t)~shoal_csum_fold(sum));
    } else {
        shoal_put_be16(p + 4, (uint16_t)(n - 40));
        p[t->nh_off] = t->key.proto;
    }
    *out = p;
    *out_len = (uint32_t)n;
    return 1;
}

int shoal_frag_add(struct shoal_frag *f, double ts, const struct shoal_frag_key *key,
                   const struct shoal_frag_in *in, const uint8_t **out, uint32_t *out_len)
{
    uint32_t hash = frag_hash(key);
    struct frag_train *t = frag_lookup(f, key, hash);
    uint64_t upper = (uint64_t)in->offset + in->len;
    int rc;

    if (t != NULL && t->first_ts + f->timeout <= ts) {
        frag_train_drop(f, t);
        t = NULL;
    }
    if (t == NULL) {
        t = frag_open(f, ts, key, hash, in);
        if (t == NULL) {
            f->st.dropped++;
            return -ENOMEM;
        }
    } else {
        if (in->hdr_len != t->hdr_len) {
            frag_weird(f, "fragment_protocol_inconsistency", key);
        }
        if (in->offset == 0 && !t->hdr_from_first && frag_set_hdr(f, t, in) != 0) {
            frag_train_drop(f, t);
            return -ENOMEM;
        }
    }
    if (in->df) {
        frag_weird(f, "fragment_with_DF", key);
    }
    if (!in->more) {
        if (t->frag_size == 0) {
            t->frag_size = (uint32_t)upper;
        } else if (upper != t->frag_size) {
            frag_weird(f, "fragment_size_inconsistency", key);
            if (upper > t->frag_size) {
                t->frag_size = (uint32_t)upper;
            }
        }
    } else if (in->ip_total < FRAG_MIN_ACCEPTABLE) {
        frag_weird(f, "excessively_small_fragment", key);
    }
    if (upper > FRAG_MAX_ACCEPTABLE) {
        frag_weird(f, "excessively_large_fragment", key);
    }
    if (t->frag_size != 0 && upper > t->frag_size) {
        frag_weird(f, "fragment_size_inconsistency", key);
        t->frag_size = (uint32_t)upper;
    }
    if (upper + t->hdr_len > FRAG_MAX_IP_LEN + (key->version == 6 ? 40u : 0u)) {
        /* Cannot be represented as one IP packet: ignore this fragment. */
        return 0;
    }
    rc = frag_insert(f, t, in->offset, in->payload, in->len);
    if (rc != 0) {
        frag_train_drop(f, t);
        return rc;
    }
    if (t->frag_size != 0 && t->max_end > t->frag_size) {
        frag_weird(f, "fragment_size_inconsistency", key);
        t->frag_size = t->max_end;
    }
    if (t->frag_size == 0 || t->have != t->frag_size) {
        return 0;
    }
    rc = frag_build(f, t, out, out_len);
    if (rc < 0) {
        frag_train_drop(f, t);
        return rc;
    }
    f->st.reassembled++;
    frag_train_free(f, t);
    return 1;
}
