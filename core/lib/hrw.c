/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rendezvous hashing (see hrw.h).  A node's seed is XXH3 of its name; a
 * key's weight on a node is XXH3 of the key with that seed, so each node
 * draws an independent pseudo-random weight for every key.
 */
#include "lib/hrw.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <xxhash.h>

void shoal_hrw_node_init(struct shoal_hrw_node *n, const char *name)
{
    n->name = name;
    n->seed = XXH3_64bits(name, strlen(name));
}

static uint64_t hrw_weight(const void *key, size_t len, uint64_t seed)
{
    return XXH3_64bits_withSeed(key, len, seed);
}

uint64_t shoal_hrw_score(const void *key, size_t len, const char *name)
{
    return hrw_weight(key, len, XXH3_64bits(name, strlen(name)));
}

/* True if (w, name) beats the best so far. */
static bool hrw_better(uint64_t w, const char *name, uint64_t best_w, const char *best_name)
{
    return w > best_w || (w == best_w && strcmp(name, best_name) < 0);
}

int shoal_hrw_pick_nodes(const void *key, size_t len, const struct shoal_hrw_node *nodes, size_t n)
{
    int best = -ENOENT;
    uint64_t best_w = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t w = hrw_weight(key, len, nodes[i].seed);
        if (best < 0 || hrw_better(w, nodes[i].name, best_w, nodes[best].name)) {
            best = (int)i;
            best_w = w;
        }
    }
    return best;
}

int shoal_hrw_pick(const void *key, size_t len, const char *const *names, size_t n)
{
    int best = -ENOENT;
    uint64_t best_w = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t w = shoal_hrw_score(key, len, names[i]);
        if (best < 0 || hrw_better(w, names[i], best_w, names[best])) {
            best = (int)i;
            best_w = w;
        }
    }
    return best;
}
