/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * msgpack-c as the oracle of our codec (core/cluster/mpack.h), for the
 * codec's unit tests and the wire fuzz target: the items our reader
 * yields, walked depth first, against the object tree msgpack-c's
 * unpacker builds from the same bytes.  Header-only (static functions),
 * so each program that includes it links msgpack-c itself.
 */
#ifndef SHOAL_MPACK_ORACLE_H
#define SHOAL_MPACK_ORACLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <msgpack.h>
#include <msgpack/unpack_define.h> /* MSGPACK_EMBED_STACK_SIZE */

#include "cluster/mpack.h"

/* Limits under which whatever shoal_mpack_check accepts, msgpack-c's
 * unpacker accepts too: no limit of ours but nesting, kept below
 * msgpack-c's own (MSGPACK_EMBED_STACK_SIZE open containers, counting the
 * one being opened, empty or not). */
static const struct shoal_mpack_limits mpack_oracle_lax = {
    .max_bytes = SIZE_MAX,
    .max_raw = UINT32_MAX,
    .max_objects = UINT64_MAX,
    .max_depth = MSGPACK_EMBED_STACK_SIZE - 1,
    .ext = true,
};

/* Same bytes behind two payloads? */
static inline bool mpack_oracle_raw(const struct shoal_mpack_item *it, const char *p, uint32_t n)
{
    return it->len == n && (n == 0 || memcmp(it->raw, p, n) == 0);
}

/*
 * Read one item (and all it holds) from r and compare it with o: same
 * type, value, payload bytes and count, recursively.  Returns false at the
 * first difference or when r refuses to read.
 */
static bool mpack_oracle_same(struct shoal_mpack_rd *r, const msgpack_object *o)
{
    struct shoal_mpack_item it;

    if (shoal_mpack_read(r, &it) != 0) {
        return false;
    }
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return it.type == SHOAL_MPACK_NIL;
    case MSGPACK_OBJECT_BOOLEAN:
        return it.type == SHOAL_MPACK_BOOL && it.b == o->via.boolean;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return it.type == SHOAL_MPACK_UINT && it.u == o->via.u64;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return it.type == SHOAL_MPACK_INT && it.i == o->via.i64;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return it.type == SHOAL_MPACK_FLOAT && it.f32 == (o->type == MSGPACK_OBJECT_FLOAT32) &&
               memcmp(&it.d, &o->via.f64, sizeof(it.d)) == 0;
    case MSGPACK_OBJECT_STR:
        return it.type == SHOAL_MPACK_STR && mpack_oracle_raw(&it, o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_BIN:
        return it.type == SHOAL_MPACK_BIN && mpack_oracle_raw(&it, o->via.bin.ptr, o->via.bin.size);
    case MSGPACK_OBJECT_EXT:
        return it.type == SHOAL_MPACK_EXT && it.ext == o->via.ext.type &&
               mpack_oracle_raw(&it, o->via.ext.ptr, o->via.ext.size);
    case MSGPACK_OBJECT_ARRAY:
        if (it.type != SHOAL_MPACK_ARRAY || it.n != o->via.array.size) {
            return false;
        }
        for (uint32_t i = 0; i < it.n; i++) {
            if (!mpack_oracle_same(r, &o->via.array.ptr[i])) {
                return false;
            }
        }
        return true;
    case MSGPACK_OBJECT_MAP:
        if (it.type != SHOAL_MPACK_MAP || it.n != o->via.map.size) {
            return false;
        }
        for (uint32_t i = 0; i < it.n; i++) {
            if (!mpack_oracle_same(r, &o->via.map.ptr[i].key) ||
                !mpack_oracle_same(r, &o->via.map.ptr[i].val)) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/*
 * The whole oracle on buf[0..len): returns 1 when our checker (with the
 * lax limits) accepts it and msgpack-c parses the same single tree from
 * all of it; 0 when both refuse it; -1 when they disagree.  Two refusals
 * of ours are not put to msgpack-c: a count past the bytes left (msgpack-c
 * would allocate the count first) and nesting, whose limit is not quite
 * msgpack-c's (it stops one level deeper): 0 for them.
 */
static int mpack_oracle_check(const uint8_t *buf, size_t len)
{
    struct shoal_mpack_rd r;
    struct shoal_mpack_item it;
    msgpack_unpacked up;
    size_t off = 0;
    char why[160] = "";
    int ours = shoal_mpack_check(buf, len, &mpack_oracle_lax, why, sizeof(why));
    int verdict;

    if (ours < 0 && strncmp(why, "nesting", 7) == 0) {
        return 0;
    }
    /* The checker reads the items in this order too: its first fault. */
    shoal_mpack_rd_init(&r, buf, len, UINT32_MAX, UINT64_MAX);
    while (ours < 0 && shoal_mpack_read_any(&r, &it) == 0) {
    }
    if (ours < 0 && r.fault == SHOAL_MPACK_F_COUNT) {
        return 0;
    }
    shoal_mpack_rd_init(&r, buf, len, UINT32_MAX, UINT64_MAX);
    msgpack_unpacked_init(&up);
    msgpack_unpack_return ur = msgpack_unpack_next(&up, (const char *)buf, len, &off);
    bool theirs = (ur == MSGPACK_UNPACK_SUCCESS || ur == MSGPACK_UNPACK_EXTRA_BYTES) && off == len;
    if (ours == 0) {
        verdict = theirs && mpack_oracle_same(&r, &up.data) && r.p == r.end ? 1 : -1;
    } else {
        verdict = theirs ? -1 : 0;
    }
    msgpack_unpacked_destroy(&up);
    return verdict;
}

#endif
