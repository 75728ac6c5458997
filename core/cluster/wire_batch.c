/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LOG_BATCH, the body of the log path (layout in wire.c): the incremental
 * encoder a worker fills record by record, and the one-pass decoder the
 * manager reads batches with, which shoal_wire_decode also uses before
 * copying the result into its arena.
 *
 * Encoding writes each value at a cursor into the batch's buffer, checking
 * the room once per value (SHOAL_MPACK_HEAD_MAX + 10 bytes cover every
 * scalar but strings) and committing the record only when all its values
 * are in, so a refused record leaves nothing behind.  The sequence numbers
 * and the record count are placeholders of fixed width, filled in at the
 * end.
 *
 * Decoding reads items one by one from the msgpack reader straight into
 * arrays the decoder keeps between batches (`vals`, n_records * n_fields,
 * and `elems` for set and vector elements); string values point into the
 * body.  While `elems` may still move, a container value holds the index
 * of its first element in v.v.v, turned into a pointer once the body is
 * read.  Every allocation is bounded by what the bytes left can hold: the
 * reader refuses counts past them.
 */
#include "cluster/wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cluster/wire_priv.h"

/* Room every scalar value but a string takes at most: a bin 8 of 17
 * bytes (a subnet).  A string takes 5 bytes and its own. */
#define WIRE_SCALAR_MAX 19u

/* Values kept between batches; a larger array is freed at the next batch. */
#define WIRE_DEC_KEEP 65536u

/* ------------------------------------------------------------------------ */
/* Encoding */

int shoal_wire_batch_begin(struct shoal_wire_batch_enc *e, struct shoal_buf *out,
                           const char *sender, uint64_t epoch, const char *path,
                           const struct shoal_field *fields, size_t n_fields)
{
    struct shoal_mpack_wr w;
    uint8_t *p;
    int rc;

    memset(e, 0, sizeof(*e));
    if (sender == NULL || path == NULL || !wire_name_ok(sender, strlen(sender), false) ||
        !wire_name_ok(path, strlen(path), true) || n_fields == 0 || fields == NULL) {
        return -EINVAL;
    }
    if (n_fields > SHOAL_WIRE_MAX_FIELDS) {
        return -E2BIG;
    }
    for (size_t i = 0; i < n_fields; i++) {
        const char *name = fields[i].name;
        if (name == NULL || strlen(name) == 0 || strlen(name) > SHOAL_WIRE_MAX_NAME) {
            return -EINVAL;
        }
        rc = wire_field_check((unsigned)fields[i].type, (unsigned)fields[i].elem);
        if (rc < 0) {
            return rc;
        }
    }

    e->out = out;
    e->fields = fields;
    e->n_fields = n_fields;
    e->start = out->len;
    shoal_mpack_wr_init(&w, out);
    wire_put_head(&w, 9, SHOAL_WIRE_LOG_BATCH);
    shoal_mpack_write_cstr(&w, sender);
    shoal_mpack_write_uint(&w, epoch);
    if ((p = shoal_mpack_wr_room(&w, 18)) != NULL) {
        e->seq_off = out->len;
        shoal_mpack_wr_done(&w, shoal_mpack_put_u64_fixed(shoal_mpack_put_u64_fixed(p, 0), 0));
    }
    shoal_mpack_write_cstr(&w, path);
    shoal_mpack_write_array(&w, (uint32_t)n_fields);
    for (size_t i = 0; i < n_fields; i++) {
        shoal_mpack_write_array(&w, 3);
        shoal_mpack_write_cstr(&w, fields[i].name);
        shoal_mpack_write_uint(&w, (uint64_t)fields[i].type);
        shoal_mpack_write_uint(&w, (uint64_t)fields[i].elem);
    }
    if ((p = shoal_mpack_wr_room(&w, 5)) != NULL) {
        e->count_off = out->len;
        shoal_mpack_wr_done(&w, shoal_mpack_put_array32(p, 0));
    }
    if (w.err != 0) {
        out->len = e->start;
        memset(e, 0, sizeof(*e));
    }
    return w.err;
}

/* Grow b so that n bytes fit at cursor p (inside b, past b->len: nothing
 * after b->len is committed yet).  Returns the cursor in the grown buffer,
 * or NULL on OOM. */
static __attribute__((noinline)) uint8_t *wire_grow(struct shoal_buf *b, uint8_t *p, size_t n)
{
    size_t used = (size_t)((char *)p - b->p);

    if (shoal_buf_grow(b, used - b->len + n) < 0) {
        return NULL;
    }
    return (uint8_t *)b->p + used;
}

/* The bytes a string value takes at most, or a negative errno for one the
 * decoder would refuse. */
static inline ssize_t wire_string_size(const struct shoal_value *v)
{
    if (v->s.len > SHOAL_WIRE_MAX_STR) {
        return -E2BIG;
    }
    if (v->s.p == NULL && v->s.len > 0) {
        return -EINVAL;
    }
    return 5 + (ssize_t)v->s.len;
}

/* A subnet: a bin of the address (4 or 16 bytes) and the prefix length. */
static uint8_t *wire_put_subnet(uint8_t *p, const struct shoal_value *v)
{
    uint8_t sub[17];

    if (shoal_addr_is_v4(&v->a.addr)) {
        memcpy(sub, v->a.addr.b + 12, 4);
        sub[4] = v->a.prefix;
        return shoal_mpack_put_bin(p, sub, 5);
    }
    memcpy(sub, v->a.addr.b, 16);
    sub[16] = v->a.prefix;
    return shoal_mpack_put_bin(p, sub, 17);
}

/* A present value of a scalar type t other than string and enum, at p
 * with WIRE_SCALAR_MAX bytes of room.  Returns the cursor past it, or NULL
 * for a value the decoder would refuse (-EINVAL). */
static inline __attribute__((always_inline)) uint8_t *wire_put_scalar(uint8_t *p, enum shoal_type t,
                                                                      const struct shoal_value *v)
{
    switch (t) {
    case SHOAL_T_BOOL:
        return shoal_mpack_put_bool(p, v->b);
    case SHOAL_T_PORT:
        return v->u <= 65535 ? shoal_mpack_put_uint(p, v->u) : NULL;
    case SHOAL_T_COUNT:
        return shoal_mpack_put_uint(p, v->u);
    case SHOAL_T_INT:
        return shoal_mpack_put_int(p, v->i);
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return shoal_mpack_put_f64(p, v->d);
    case SHOAL_T_ADDR:
        return wire_put_addr(p, &v->a.addr);
    case SHOAL_T_SUBNET:
        return v->a.prefix <= 128 ? wire_put_subnet(p, v) : NULL;
    default:
        return NULL;
    }
}

/* A set or vector at p: an array of its element values, leaving `tail`
 * bytes of room after it.  Returns the cursor past it, or NULL with *rc. */
static uint8_t *wire_put_container(struct shoal_buf *b, uint8_t *p, enum shoal_type elem,
                                   const struct shoal_value *v, size_t tail, int *rc)
{
    bool str = elem == SHOAL_T_STRING || elem == SHOAL_T_ENUM;

    *rc = v->v.n > SHOAL_WIRE_MAX_ELEMS ? -E2BIG : v->v.v == NULL && v->v.n > 0 ? -EINVAL : 0;
    if (*rc < 0) {
        return NULL;
    }
    p = shoal_mpack_put_array(p, (uint32_t)v->v.n);
    for (size_t i = 0; i < v->v.n; i++) {
        const struct shoal_value *e = &v->v.v[i];
        ssize_t need = str && e->present ? wire_string_size(e) : WIRE_SCALAR_MAX;
        if (need < 0) {
            *rc = (int)need;
            return NULL;
        }
        if ((size_t)((uint8_t *)b->p + b->cap - p) < (size_t)need + tail &&
            (p = wire_grow(b, p, (size_t)need + tail)) == NULL) {
            *rc = -ENOMEM;
            return NULL;
        }
        if (!e->present) {
            p = shoal_mpack_put_nil(p);
        } else if (str) {
            p = shoal_mpack_put_bin(p, e->s.p, (uint32_t)e->s.len);
        } else if ((p = wire_put_scalar(p, elem, e)) == NULL) {
            *rc = -EINVAL;
            return NULL;
        }
    }
    return p;
}

/*
 * The hot loop of a worker's logging: one record straight into the batch
 * buffer at a cursor held in registers.  Room for the header and
 * WIRE_SCALAR_MAX bytes per value is made once; a string or a container
 * makes room for itself and for the values after it.  Nothing is
 * committed to b->len until the record is whole, so a refused value leaves
 * the batch as it was.
 */
int shoal_wire_batch_add(struct shoal_wire_batch_enc *e, const struct shoal_value *vals)
{
    struct shoal_buf *b = e->out;
    const struct shoal_field *f = e->fields;
    size_t nf = e->n_fields;
    uint8_t *p = (uint8_t *)b->p + b->len;
    uint8_t *lim = (uint8_t *)b->p + b->cap;
    size_t bound = 3 + WIRE_SCALAR_MAX * nf;
    int rc;

    if (e->n_records >= SHOAL_WIRE_MAX_RECORDS) {
        return -E2BIG;
    }
    if ((size_t)(lim - p) < bound) {
        if ((p = wire_grow(b, p, bound)) == NULL) {
            return -ENOMEM;
        }
        lim = (uint8_t *)b->p + b->cap;
    }
    p = shoal_mpack_put_array(p, (uint32_t)nf);
    for (size_t i = 0; i < nf; i++) {
        const struct shoal_value *v = &vals[i];
        enum shoal_type t = f[i].type;
        size_t tail = WIRE_SCALAR_MAX * (nf - i - 1);
        if (!v->present) {
            p = shoal_mpack_put_nil(p);
        } else if (t == SHOAL_T_STRING || t == SHOAL_T_ENUM) {
            ssize_t need = wire_string_size(v);
            if (need < 0) {
                return (int)need;
            }
            if ((size_t)(lim - p) < (size_t)need + tail) {
                if ((p = wire_grow(b, p, (size_t)need + tail)) == NULL) {
                    return -ENOMEM;
                }
                lim = (uint8_t *)b->p + b->cap;
            }
            p = shoal_mpack_put_bin(p, v->s.p, (uint32_t)v->s.len);
        } else if (t == SHOAL_T_SET || t == SHOAL_T_VECTOR) {
            if ((p = wire_put_container(b, p, f[i].elem, v, tail, &rc)) == NULL) {
                return rc;
            }
            lim = (uint8_t *)b->p + b->cap;
        } else if ((p = wire_put_scalar(p, t, v)) == NULL) {
            return -EINVAL;
        }
    }
    b->len = (size_t)((char *)p - b->p);
    e->n_records++;
    return 0;
}

int shoal_wire_batch_end(struct shoal_wire_batch_enc *e, uint64_t seq, uint64_t base)
{
    uint8_t *p = (uint8_t *)e->out->p;

    if (base == 0 || base > seq) {
        return -EINVAL;
    }
    shoal_mpack_st64(p + e->seq_off + 1, seq);
    shoal_mpack_st64(p + e->seq_off + 10, base);
    shoal_mpack_st32(p + e->count_off + 1, (uint32_t)e->n_records);
    memset(e, 0, sizeof(*e));
    return 0;
}

void shoal_wire_batch_abort(struct shoal_wire_batch_enc *e)
{
    if (e->out != NULL) {
        e->out->len = e->start;
    }
    memset(e, 0, sizeof(*e));
}

int shoal_wire_encode_log_batch(struct shoal_buf *out, const struct shoal_wire_log_batch *b)
{
    struct shoal_wire_batch_enc e;
    int rc;

    if (b->n_records > SHOAL_WIRE_MAX_RECORDS) {
        return -E2BIG;
    }
    if (b->records == NULL && b->n_records > 0) {
        return -EINVAL;
    }
    rc = shoal_wire_batch_begin(&e, out, b->sender, b->epoch, b->path, b->fields, b->n_fields);
    if (rc < 0) {
        return rc;
    }
    for (size_t i = 0; i < b->n_records; i++) {
        rc = shoal_wire_batch_add(&e, b->records + i * b->n_fields);
        if (rc < 0) {
            goto out_abort;
        }
    }
    rc = shoal_wire_batch_end(&e, b->seq, b->base);
    if (rc < 0) {
        goto out_abort;
    }
    return 0;

out_abort:
    shoal_wire_batch_abort(&e);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Decoding */

struct shoal_wire_batch_dec {
    char sender[SHOAL_WIRE_MAX_NAME + 1];
    char path[SHOAL_WIRE_MAX_NAME + 1];
    struct shoal_field fields[SHOAL_WIRE_MAX_FIELDS];
    char names[SHOAL_WIRE_MAX_FIELDS][SHOAL_WIRE_MAX_NAME + 1];
    uint16_t conts[SHOAL_WIRE_MAX_FIELDS]; /* the fields that are sets or vectors */
    size_t n_conts;
    struct shoal_value *vals;
    size_t vals_cap;
    struct shoal_value *elems;
    size_t elems_cap;
};

struct shoal_wire_batch_dec *shoal_wire_batch_dec_new(void)
{
    return calloc(1, sizeof(struct shoal_wire_batch_dec));
}

void shoal_wire_batch_dec_free(struct shoal_wire_batch_dec *d)
{
    if (d == NULL) {
        return;
    }
    free(d->vals);
    free(d->elems);
    free(d);
}

/* Room for `need` values in *arr (capacity *cap), growing by doubling. */
static int wire_reserve(struct shoal_value **arr, size_t *cap, size_t need)
{
    if (need <= *cap) {
        return 0;
    }
    size_t ncap = *cap * 2 > need ? *cap * 2 : need;
    struct shoal_value *p = realloc(*arr, ncap * sizeof(*p));
    if (p == NULL) {
        return -ENOMEM;
    }
    *arr = p;
    *cap = ncap;
    return 0;
}

/* One scalar value of column type t from its item; `what` names the column
 * in a reason. */
static inline int wire_item_value(struct wire_dec *d, const struct shoal_mpack_item *it,
                                  enum shoal_type t, const char *what, struct shoal_value *v)
{
    memset(v, 0, sizeof(*v));
    if (it->type == SHOAL_MPACK_NIL) {
        return 0;
    }
    v->present = true;
    switch (t) {
    case SHOAL_T_BOOL:
        if (it->type != SHOAL_MPACK_BOOL) {
            return wire_mismatch(d, what, "bool", it);
        }
        v->b = it->b;
        return 0;
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        if (it->type != SHOAL_MPACK_UINT) {
            return wire_mismatch(d, what, "uint", it);
        }
        if (t == SHOAL_T_PORT && it->u > 65535) {
            return wire_fail(d, -EBADMSG, "%s: port %llu out of range", what,
                             (unsigned long long)it->u);
        }
        v->u = it->u;
        return 0;
    case SHOAL_T_INT:
        if (it->type != SHOAL_MPACK_INT && (it->type != SHOAL_MPACK_UINT || it->u > INT64_MAX)) {
            return wire_mismatch(d, what, "int64", it);
        }
        v->i = it->i;
        return 0;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        if (it->type != SHOAL_MPACK_FLOAT) {
            return wire_mismatch(d, what, "float", it);
        }
        v->d = it->d;
        return 0;
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        if (it->type != SHOAL_MPACK_BIN && it->type != SHOAL_MPACK_STR) {
            return wire_mismatch(d, what, "str or bin", it);
        }
        v->s.p = (const char *)it->raw;
        v->s.len = it->len;
        return 0;
    case SHOAL_T_ADDR:
        return wire_item_addr(d, it, what, &v->a.addr);
    case SHOAL_T_SUBNET:
        if (it->type != SHOAL_MPACK_BIN || (it->len != 5 && it->len != 17)) {
            return wire_fail(d, -EBADMSG, "%s: want a bin of 5 or 17 bytes (subnet)", what);
        }
        if (it->len == 5) {
            v->a.addr.b[10] = 0xff;
            v->a.addr.b[11] = 0xff;
            memcpy(v->a.addr.b + 12, it->raw, 4);
        } else {
            memcpy(v->a.addr.b, it->raw, 16);
        }
        v->a.prefix = it->raw[it->len - 1];
        if (v->a.prefix > 128) {
            return wire_fail(d, -EBADMSG, "%s: prefix length %u", what, v->a.prefix);
        }
        return 0;
    default:
        return wire_fail(d, -EBADMSG, "%s: unknown type %d", what, (int)t);
    }
}

/* A set or vector value: its elements go to bd->elems from *used on, and
 * v->v.v holds the index of the first until the body is read. */
static int wire_item_container(struct wire_dec *d, struct shoal_wire_batch_dec *bd,
                               const struct shoal_mpack_item *it, const struct shoal_field *f,
                               struct shoal_value *v, size_t *used)
{
    struct shoal_mpack_item el;
    int rc;

    memset(v, 0, sizeof(*v));
    if (it->type == SHOAL_MPACK_NIL) {
        return 0;
    }
    if (it->type != SHOAL_MPACK_ARRAY) {
        return wire_mismatch(d, f->name, "array", it);
    }
    if (it->n > SHOAL_WIRE_MAX_ELEMS) {
        return wire_fail(d, -E2BIG, "%s: %u elements exceed %u", f->name, it->n,
                         SHOAL_WIRE_MAX_ELEMS);
    }
    if (wire_reserve(&bd->elems, &bd->elems_cap, *used + it->n) < 0) {
        return wire_fail(d, -ENOMEM, "out of memory");
    }
    for (uint32_t k = 0; k < it->n; k++) {
        if ((rc = wire_next(d, &el)) < 0 ||
            (rc = wire_item_value(d, &el, f->elem, f->name, &bd->elems[*used + k])) < 0) {
            return rc;
        }
    }
    v->present = true;
    v->v.v = (const struct shoal_value *)(uintptr_t)*used; /* an index until the end */
    v->v.n = it->n;
    *used += it->n;
    return 0;
}

/* The fields array: [[name, type, elem], ...] into bd->fields. */
static int wire_batch_fields(struct wire_dec *d, struct shoal_wire_batch_dec *bd, uint32_t *nf)
{
    char what[32];
    uint64_t type = 0, elem = 0;
    uint32_t n = 0;
    int rc;

    if ((rc = wire_get_array(d, "fields", nf)) < 0) {
        return rc;
    }
    if (*nf == 0) {
        return wire_fail(d, -EBADMSG, "fields: empty");
    }
    if (*nf > SHOAL_WIRE_MAX_FIELDS) {
        return wire_fail(d, -E2BIG, "%u fields exceed %u", *nf, SHOAL_WIRE_MAX_FIELDS);
    }
    bd->n_conts = 0;
    for (uint32_t i = 0; i < *nf; i++) {
        snprintf(what, sizeof(what), "field %u", i);
        if ((rc = wire_get_array(d, what, &n)) == 0 && n != 3) {
            rc = -EBADMSG;
        }
        if (rc < 0) {
            return rc == -EBADMSG ? wire_fail(d, rc, "field %u: want [name, type, elem]", i) : rc;
        }
        if ((rc = wire_get_name_to(d, what, WIRE_NAME_KEY, bd->names[i])) < 0 ||
            (rc = wire_get_u64(d, what, &type)) < 0 || (rc = wire_get_u64(d, what, &elem)) < 0) {
            return rc;
        }
        rc = type > 255 || elem > 255 ? -EINVAL : wire_field_check((unsigned)type, (unsigned)elem);
        if (rc == -E2BIG) {
            return wire_fail(d, -E2BIG, "field %u: container of containers", i);
        }
        if (rc < 0) {
            return wire_fail(d, -EBADMSG, "field %u: unknown type %llu/%llu", i,
                             (unsigned long long)type, (unsigned long long)elem);
        }
        bd->fields[i].name = bd->names[i];
        bd->fields[i].type = (enum shoal_type)type;
        bd->fields[i].elem = (enum shoal_type)elem;
        if (type == SHOAL_T_SET || type == SHOAL_T_VECTOR) {
            bd->conts[bd->n_conts++] = (uint16_t)i;
        }
    }
    return 0;
}

/*
 * A value of column type t in the forms the encoder writes (nil, bool,
 * uint, float 64, a bin 8 string or address), read at p without the
 * reader: the cursor past it, or NULL for anything else, which
 * wire_batch_record then reads through the reader.  Values it takes are
 * exactly those wire_item_value takes in these forms, with the same
 * result.
 */
static inline const uint8_t *wire_fast_value(const uint8_t *p, const uint8_t *end,
                                             enum shoal_type t, struct shoal_value *v)
{
    const uint8_t *q, *raw;
    uint32_t len;

    memset(v, 0, sizeof(*v));
    if ((q = shoal_mpack_fast_nil(p, end)) != NULL) {
        return q;
    }
    switch (t) {
    case SHOAL_T_COUNT:
        q = shoal_mpack_fast_uint(p, end, &v->u);
        break;
    case SHOAL_T_PORT:
        q = shoal_mpack_fast_uint(p, end, &v->u);
        q = v->u <= 65535 ? q : NULL;
        break;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        q = shoal_mpack_fast_f64(p, end, &v->d);
        break;
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        if ((q = shoal_mpack_fast_bin8(p, end, &raw, &len)) != NULL) {
            v->s.p = (const char *)raw;
            v->s.len = len;
        }
        break;
    case SHOAL_T_ADDR:
        q = shoal_mpack_fast_bin8(p, end, &raw, &len);
        if (q != NULL && len == 4) {
            v->a.addr.b[10] = 0xff;
            v->a.addr.b[11] = 0xff;
            memcpy(v->a.addr.b + 12, raw, 4);
        } else if (q != NULL && len == 16) {
            memcpy(v->a.addr.b, raw, 16);
        } else {
            q = NULL;
        }
        break;
    case SHOAL_T_BOOL:
        q = shoal_mpack_fast_bool(p, end, &v->b);
        break;
    default:
        return NULL;
    }
    v->present = true;
    return q;
}

/*
 * One record of nf values into v.  The common forms go through
 * wire_fast_value on a cursor kept in a register, the objects they are
 * counted at once; any other item goes through the reader, which counts
 * it (given back first) and knows every form and every reason.
 */
static int wire_batch_record(struct wire_dec *d, struct shoal_wire_batch_dec *bd, size_t nf,
                             struct shoal_value *v, size_t *used)
{
    const uint8_t *p = d->r.p, *end = d->r.end, *q;
    bool counted = d->r.objects >= nf;
    struct shoal_mpack_item it;
    int rc;

    if (counted) {
        d->r.objects -= nf;
    }
    for (size_t i = 0; i < nf; i++) {
        const struct shoal_field *f = &bd->fields[i];
        if (counted && (q = wire_fast_value(p, end, f->type, &v[i])) != NULL) {
            p = q;
            continue;
        }
        d->r.p = p;
        d->r.objects += counted;
        if ((rc = wire_next(d, &it)) < 0) {
            return rc;
        }
        if (f->type == SHOAL_T_SET || f->type == SHOAL_T_VECTOR) {
            rc = wire_item_container(d, bd, &it, f, &v[i], used);
        } else {
            rc = wire_item_value(d, &it, f->type, f->name, &v[i]);
        }
        if (rc < 0) {
            return rc;
        }
        p = d->r.p;
    }
    d->r.p = p;
    return 0;
}

/* The records array into bd->vals (nr * nf values). */
static int wire_batch_records(struct wire_dec *d, struct shoal_wire_batch_dec *bd, size_t nf,
                              uint32_t *nr)
{
    struct shoal_mpack_item it;
    size_t used = 0;
    int rc;

    if ((rc = wire_get_array(d, "records", nr)) < 0) {
        return rc;
    }
    if (*nr > SHOAL_WIRE_MAX_RECORDS) {
        return wire_fail(d, -E2BIG, "%u records exceed %u", *nr, SHOAL_WIRE_MAX_RECORDS);
    }
    /* A record takes a header and nf values of a byte at least: reserve
     * what the bytes left can hold, more only as records come. */
    size_t fit = shoal_mpack_rd_left(&d->r) / (nf + 1);
    if (wire_reserve(&bd->vals, &bd->vals_cap, (*nr < fit ? *nr : fit) * nf) < 0) {
        return wire_fail(d, -ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < *nr; k++) {
        if ((k + 1) * nf > bd->vals_cap &&
            wire_reserve(&bd->vals, &bd->vals_cap, (k + 1) * nf) < 0) {
            return wire_fail(d, -ENOMEM, "out of memory");
        }
        if ((rc = wire_next(d, &it)) < 0) {
            return rc;
        }
        if (it.type != SHOAL_MPACK_ARRAY || it.n != nf) {
            return wire_fail(d, -EBADMSG, "record %zu: want an array of %zu values", k, nf);
        }
        rc = wire_batch_record(d, bd, nf, bd->vals + k * nf, &used);
        if (rc < 0) {
            wire_prefix(d, "record %zu field ", k);
            return rc;
        }
    }
    return 0;
}

/* A LOG_BATCH body after its head into bd, described by *b. */
static int wire_batch_read(struct wire_dec *d, struct shoal_wire_batch_dec *bd,
                           struct shoal_wire_log_batch *b)
{
    uint32_t nf = 0, nr = 0;
    int rc;

    if ((rc = wire_get_name_to(d, "sender", WIRE_NAME_NODE, bd->sender)) < 0 ||
        (rc = wire_get_u64(d, "epoch", &b->epoch)) < 0 ||
        (rc = wire_get_u64(d, "seq", &b->seq)) < 0 ||
        (rc = wire_get_u64(d, "base", &b->base)) < 0 ||
        (rc = wire_get_name_to(d, "path", WIRE_NAME_STREAM, bd->path)) < 0) {
        return rc;
    }
    if (b->base == 0 || b->base > b->seq) {
        return wire_fail(d, -EBADMSG, "base %llu not in 1..seq %llu", (unsigned long long)b->base,
                         (unsigned long long)b->seq);
    }
    if ((rc = wire_batch_fields(d, bd, &nf)) < 0 || (rc = wire_batch_records(d, bd, nf, &nr)) < 0) {
        return rc;
    }
    for (size_t k = 0; bd->n_conts > 0 && k < nr; k++) {
        for (size_t j = 0; j < bd->n_conts; j++) {
            struct shoal_value *c = &bd->vals[k * nf + bd->conts[j]];
            if (c->present) {
                c->v.v = c->v.n > 0 ? bd->elems + (uintptr_t)c->v.v : NULL;
            }
        }
    }
    b->sender = bd->sender;
    b->path = bd->path;
    b->fields = bd->fields;
    b->n_fields = nf;
    b->records = nr > 0 ? bd->vals : NULL;
    b->n_records = nr;
    return 0;
}

int shoal_wire_batch_decode(struct shoal_wire_batch_dec *bd, const uint8_t *buf, size_t len,
                            struct shoal_wire_log_batch *b, char *err, size_t errlen)
{
    struct wire_dec d;
    enum shoal_wire_type type;
    int rc;

    memset(b, 0, sizeof(*b));
    if (bd->vals_cap > WIRE_DEC_KEEP) {
        free(bd->vals);
        bd->vals = NULL;
        bd->vals_cap = 0;
    }
    if (bd->elems_cap > WIRE_DEC_KEEP) {
        free(bd->elems);
        bd->elems = NULL;
        bd->elems_cap = 0;
    }
    rc = wire_dec_start(&d, buf, len, err, errlen);
    if (rc < 0) {
        return rc;
    }
    rc = wire_read_head(&d, SHOAL_WIRE_LOG_BATCH, &type);
    if (rc == 0) {
        rc = wire_batch_read(&d, bd, b);
    }
    rc = wire_dec_finish(&d, rc, buf, len);
    if (rc < 0) {
        memset(b, 0, sizeof(*b));
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Into an arena (shoal_wire_decode) */

/* Copy one value's strings and elements into the arena. */
static int wire_copy_value(struct wire_dec *d, enum shoal_type t, enum shoal_type elem,
                           struct shoal_value *v)
{
    if (!v->present) {
        return 0;
    }
    if (t == SHOAL_T_STRING || t == SHOAL_T_ENUM) {
        v->s.p = wire_copy(d, v->s.p, v->s.len);
        return v->s.p == NULL ? -ENOMEM : 0;
    }
    if ((t != SHOAL_T_SET && t != SHOAL_T_VECTOR) || v->v.n == 0) {
        return 0;
    }
    struct shoal_value *el = wire_arena_alloc(d->arena, v->v.n * sizeof(*el));
    if (el == NULL) {
        return -ENOMEM;
    }
    memcpy(el, v->v.v, v->v.n * sizeof(*el));
    for (size_t i = 0; i < v->v.n; i++) {
        if (wire_copy_value(d, elem, (enum shoal_type)0, &el[i]) < 0) {
            return -ENOMEM;
        }
    }
    v->v.v = el;
    return 0;
}

/* The decoded batch b (in a batch decoder) into d's arena as *out. */
static int wire_batch_copy(struct wire_dec *d, const struct shoal_wire_log_batch *b,
                           struct shoal_wire_log_batch *out)
{
    size_t nv = b->n_records * b->n_fields;
    struct shoal_field *f = wire_arena_alloc(d->arena, b->n_fields * sizeof(*f));
    struct shoal_value *v = nv > 0 ? wire_arena_alloc(d->arena, nv * sizeof(*v)) : NULL;

    *out = *b;
    if (f == NULL || (nv > 0 && v == NULL) ||
        (out->sender = wire_copy(d, b->sender, strlen(b->sender))) == NULL ||
        (out->path = wire_copy(d, b->path, strlen(b->path))) == NULL) {
        return wire_fail(d, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < b->n_fields; i++) {
        f[i] = b->fields[i];
        if ((f[i].name = wire_copy(d, b->fields[i].name, strlen(b->fields[i].name))) == NULL) {
            return wire_fail(d, -ENOMEM, "out of memory");
        }
    }
    if (nv > 0) {
        memcpy(v, b->records, nv * sizeof(*v));
    }
    for (size_t k = 0; k < b->n_records; k++) {
        for (size_t i = 0; i < b->n_fields; i++) {
            if (wire_copy_value(d, f[i].type, f[i].elem, &v[k * b->n_fields + i]) < 0) {
                return wire_fail(d, -ENOMEM, "out of memory");
            }
        }
    }
    out->fields = f;
    out->records = v;
    return 0;
}

int wire_dec_log_batch(struct wire_dec *d, struct shoal_wire_log_batch *out)
{
    struct shoal_wire_batch_dec *bd = shoal_wire_batch_dec_new();
    struct shoal_wire_log_batch b;
    int rc;

    if (bd == NULL) {
        return wire_fail(d, -ENOMEM, "out of memory");
    }
    memset(&b, 0, sizeof(b));
    rc = wire_batch_read(d, bd, &b);
    if (rc == 0) {
        rc = wire_batch_copy(d, &b, out);
    }
    shoal_wire_batch_dec_free(bd);
    return rc;
}

/* ------------------------------------------------------------------------ */

bool shoal_wire_value_eq(enum shoal_type t, enum shoal_type elem, const struct shoal_value *a,
                         const struct shoal_value *b)
{
    if (a->present != b->present) {
        return false;
    }
    if (!a->present) {
        return true;
    }
    switch (t) {
    case SHOAL_T_BOOL:
        return a->b == b->b;
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        return a->u == b->u;
    case SHOAL_T_INT:
        return a->i == b->i;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return memcmp(&a->d, &b->d, sizeof(a->d)) == 0;
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        return a->s.len == b->s.len && (a->s.len == 0 || memcmp(a->s.p, b->s.p, a->s.len) == 0);
    case SHOAL_T_ADDR:
        return memcmp(a->a.addr.b, b->a.addr.b, 16) == 0;
    case SHOAL_T_SUBNET:
        return memcmp(a->a.addr.b, b->a.addr.b, 16) == 0 && a->a.prefix == b->a.prefix;
    case SHOAL_T_SET:
    case SHOAL_T_VECTOR:
        if (a->v.n != b->v.n) {
            return false;
        }
        for (size_t i = 0; i < a->v.n; i++) {
            if (!shoal_wire_value_eq(elem, (enum shoal_type)0, &a->v.v[i], &b->v.v[i])) {
                return false;
            }
        }
        return true;
    }
    return false;
}
