/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File ids: the "F..." identifiers Zeek's file analysis gives every file
 * (http's orig_fuids/resp_fuids, smtp's fuids, files.log), made the same
 * way on every node from a per-node seed and a serial, so ids never repeat
 * within a node and differ between nodes seeded differently.
 *
 * Single-threaded per generator.
 */
#ifndef SHOAL_FILES_H
#define SHOAL_FILES_H

#include <stdint.h>

/* Characters of an id ("F" and 17 base62 digits) and its buffer size. */
#define SHOAL_FILE_ID_LEN 18
#define SHOAL_FILE_ID_SIZE 24

struct shoal_file_ids {
    uint64_t seed;
    uint64_t serial;
};

/* A generator seeded with `seed` (e.g. a hash of the node's name). */
static inline void shoal_file_ids_init(struct shoal_file_ids *g, uint64_t seed)
{
    g->seed = seed;
    g->serial = 0;
}

/* The next id into buf (NUL-terminated); returns buf. */
const char *shoal_file_id_next(struct shoal_file_ids *g, char buf[SHOAL_FILE_ID_SIZE]);

#endif
