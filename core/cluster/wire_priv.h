/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What wire.c (names, the arena, the small messages, shoal_wire_decode)
 * and wire_batch.c (LOG_BATCH: the incremental encoder and the one-pass
 * decoder) share, and nothing else includes: the checks of names and
 * field types both the encoders and the decoders apply, the decoding
 * context with its reader and its reasons, the item getters that turn a
 * msgpack item into a field of a message, and the arena of decoded
 * messages.  Single-threaded per decoding context.
 */
#ifndef SHOAL_WIRE_PRIV_H
#define SHOAL_WIRE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cluster/mpack.h"
#include "cluster/wire.h"

/* The framing limits of a body (shoal_mpack_check). */
extern const struct shoal_mpack_limits wire_limits;

/* ---- names ---- */

/* Node, stream and state-kind names: [A-Za-z0-9_.-], not starting with a
 * dot, 1..255 bytes; stream paths (stream true) only [a-z0-9_-]. */
bool wire_name_ok(const char *p, size_t len, bool stream);

/* Notes and commands: 1..255 printable ASCII bytes without blanks. */
bool wire_word_ok(const char *p, size_t len);

/* Free-form text that must stay a C string: no NUL, <= max bytes. */
bool wire_text_ok(const char *p, size_t len, size_t max);

/* A column's type and element type: 0, -EINVAL (unknown) or -E2BIG (a
 * container of containers). */
int wire_field_check(unsigned type, unsigned elem);

enum wire_name_kind {
    WIRE_NAME_NODE,   /* wire_name_ok */
    WIRE_NAME_STREAM, /* wire_name_ok, stream */
    WIRE_NAME_WORD,   /* wire_word_ok */
    WIRE_NAME_KEY,    /* 1..255 bytes, no NUL */
};

/* Is p[0..len) a name of that kind? */
bool wire_name_kind_ok(enum wire_name_kind kind, const char *p, size_t len);

/* ---- decoding ---- */

struct shoal_wire_arena;

struct wire_dec {
    struct shoal_mpack_rd r;
    struct shoal_wire_arena *arena; /* NULL for the one-pass batch decoder */
    char *err;
    size_t errlen;
};

/* Start decoding buf[0..len) with the body limits: 0, or -EINVAL (NULL
 * buf with len > 0) or -E2BIG (len past SHOAL_WIRE_MAX_BODY) with the
 * reason in err. */
int wire_dec_start(struct wire_dec *d, const uint8_t *buf, size_t len, char *err, size_t errlen);

/* Return rc after writing the reason (printf) into d->err. */
int wire_fail(struct wire_dec *d, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put "<fmt...>" in front of the reason already in d->err. */
void wire_prefix(struct wire_dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The reason of a failed read of d->r, returned as its errno. */
int wire_read_fail(struct wire_dec *d, int rc);

/* "what: want W, got <type of it>" as -EBADMSG. */
int wire_mismatch(struct wire_dec *d, const char *what, const char *want,
                  const struct shoal_mpack_item *it);

/* The next item; 0 or the reader's failure (with its reason). */
static inline int wire_next(struct wire_dec *d, struct shoal_mpack_item *it)
{
    int rc = shoal_mpack_read(&d->r, it);

    return rc == 0 ? 0 : wire_read_fail(d, rc);
}

/*
 * The head of every body, [version, type, ...]: checks the version, the
 * type (== expect unless 0) and the number of elements of that type.
 * Returns 0 and *type, or the failure.
 */
int wire_read_head(struct wire_dec *d, enum shoal_wire_type expect, enum shoal_wire_type *type);

/*
 * The end of a decoding: 0 when rc is 0 and nothing follows the body; else
 * the failure to report.  Framing errors anywhere in buf (shoal_mpack_check)
 * are reported before a layout error met earlier, so that a body is judged
 * on its bytes first, whatever the layout reading met on the way.
 */
int wire_dec_finish(struct wire_dec *d, int rc, const uint8_t *buf, size_t len);

/* Item getters: read the next item as what the message wants there. */
int wire_get_u64(struct wire_dec *d, const char *what, uint64_t *u);
int wire_get_array(struct wire_dec *d, const char *what, uint32_t *n);
/* A name of `kind` into the arena (NUL-terminated). */
int wire_get_name(struct wire_dec *d, const char *what, enum wire_name_kind kind, const char **out);
/* A name of `kind` into dst (at least SHOAL_WIRE_MAX_NAME + 1 bytes). */
int wire_get_name_to(struct wire_dec *d, const char *what, enum wire_name_kind kind, char *dst);

/* An address item (a bin of 4 or 16 bytes) into *a. */
static inline int wire_item_addr(struct wire_dec *d, const struct shoal_mpack_item *it,
                                 const char *what, struct shoal_addr *a)
{
    if (it->type != SHOAL_MPACK_BIN) {
        return wire_mismatch(d, what, "bin address", it);
    }
    memset(a, 0, sizeof(*a));
    if (it->len == 4) {
        a->b[10] = 0xff;
        a->b[11] = 0xff;
        memcpy(a->b + 12, it->raw, 4);
        return 0;
    }
    if (it->len == 16) {
        memcpy(a->b, it->raw, 16);
        return 0;
    }
    return wire_fail(d, -EBADMSG, "%s: address of %u bytes", what, it->len);
}

/* A copy of p[0..len) with a NUL after it, in the arena; NULL on OOM. */
char *wire_copy(struct wire_dec *d, const void *p, size_t len);

/* n bytes of the arena (aligned for any type); NULL on OOM. */
void *wire_arena_alloc(struct shoal_wire_arena *a, size_t n);

/* Read the rest of a LOG_BATCH body (after its head) into out, copied into
 * d->arena (wire_batch.c). */
int wire_dec_log_batch(struct wire_dec *d, struct shoal_wire_log_batch *out);

/* ---- encoding ---- */

/* The head of a body: [version, type, ...] of n elements. */
static inline void wire_put_head(struct shoal_mpack_wr *w, uint32_t n, enum shoal_wire_type type)
{
    uint8_t *p = shoal_mpack_wr_room(w, 7);

    if (p != NULL) {
        p = shoal_mpack_put_array(p, n);
        p = shoal_mpack_put_uint(p, SHOAL_WIRE_VERSION);
        shoal_mpack_wr_done(w, shoal_mpack_put_uint(p, (uint64_t)type));
    }
}

/* An address: a bin of 4 bytes for IPv4, 16 for IPv6. */
static inline uint8_t *wire_put_addr(uint8_t *p, const struct shoal_addr *a)
{
    return shoal_addr_is_v4(a) ? shoal_mpack_put_bin(p, a->b + 12, 4)
                               : shoal_mpack_put_bin(p, a->b, 16);
}

#endif
