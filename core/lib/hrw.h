/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rendezvous (highest random weight) hashing: which proxy owns a key of
 * shared state.  Every node computes, for each live proxy, a score of the
 * key seeded by the proxy's name (XXH3), and the highest score wins.  The
 * owner depends only on the key and the set of names, never on their order
 * or on which node asks, so all workers agree without talking; removing a
 * proxy moves only the keys it owned, adding one moves only the keys it
 * now wins.
 *
 * Stateless and thread-safe.
 */
#ifndef SHOAL_HRW_H
#define SHOAL_HRW_H

#include <stddef.h>
#include <stdint.h>

/* A node with its seed computed once (see shoal_hrw_node_init). */
struct shoal_hrw_node {
    const char *name; /* borrowed */
    uint64_t seed;
};

/* Fill n for `name` (borrowed: must outlive n). */
void shoal_hrw_node_init(struct shoal_hrw_node *n, const char *name);

/* The weight of `key` (len bytes, borrowed) on the node named `name`. */
uint64_t shoal_hrw_score(const void *key, size_t len, const char *name);

/*
 * The owner of `key` among n nodes given by name: returns its index in
 * names[], or -ENOENT if n is 0.  Equal scores (practically never) go to
 * the smaller name, so the result does not depend on the order of names.
 */
int shoal_hrw_pick(const void *key, size_t len, const char *const *names, size_t n);

/* The same over nodes with precomputed seeds (the fast path). */
int shoal_hrw_pick_nodes(const void *key, size_t len, const struct shoal_hrw_node *nodes, size_t n);

#endif
