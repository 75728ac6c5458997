/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the cluster message codec (core/cluster/mpack.c)
 * and the message bodies on it (core/cluster/wire.c, wire_batch.c).  The
 * input is one message body.  First, msgpack-c is the oracle of the codec
 * (tests/unit/mpack_oracle.h): what our checker accepts (lax limits, ext
 * allowed) msgpack-c must parse, from all of the input, to the tree our
 * reader walks; what it refuses msgpack-c must not parse whole.  Then the
 * input is decoded as any type.  A refusal must carry a known errno and a
 * reason; a body that decodes is re-encoded, the result must decode again
 * (as the same type) and re-encode to the same bytes, so the decoder never
 * accepts what the encoders cannot reproduce; a body the message layer
 * accepts is one the codec's checker accepts under the body limits.  Every
 * decoded string and value is read back so that a pointer outside the
 * arena is caught by ASan.  Every input also goes through the one-pass
 * LOG_BATCH decoder (shoal_wire_batch_decode), which must agree with
 * shoal_wire_decode(..., SHOAL_WIRE_LOG_BATCH, ...): the same return and
 * reason on a refusal, the same values on success, and those values are
 * what msgpack-c reads from the same bytes.  Its decoder is kept
 * across inputs, as the manager keeps it across batches.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/wire.h"
#include "cluster/wire_priv.h"
#include "mpack_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t fuzz_wire_sink;

static void fuzz_wire_touch(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint32_t s = 0;

    for (size_t i = 0; i < len; i++) {
        s += b[i];
    }
    fuzz_wire_sink += s;
}

/* nul: 1 when strings end with a NUL (the arena's copies), 0 when they
 * point into the input (the one-pass decoder's). */
static void fuzz_wire_touch_value(enum shoal_type t, const struct shoal_value *v, size_t nul)
{
    if (!v->present) {
        return;
    }
    if (t == SHOAL_T_STRING || t == SHOAL_T_ENUM) {
        fuzz_wire_touch(v->s.p, v->s.len + nul);
    } else if (t == SHOAL_T_SET || t == SHOAL_T_VECTOR) {
        fuzz_wire_touch(v->v.v, v->v.n * sizeof(*v->v.v));
    }
}

static void fuzz_wire_touch_batch(const struct shoal_wire_log_batch *b, size_t nul)
{
    fuzz_wire_touch(b->sender, strlen(b->sender));
    fuzz_wire_touch(b->path, strlen(b->path));
    for (size_t i = 0; i < b->n_fields; i++) {
        fuzz_wire_touch(b->fields[i].name, strlen(b->fields[i].name));
    }
    for (size_t r = 0; r < b->n_records; r++) {
        for (size_t i = 0; i < b->n_fields; i++) {
            const struct shoal_field *f = &b->fields[i];
            const struct shoal_value *v = &b->records[r * b->n_fields + i];
            fuzz_wire_touch_value(f->type, v, nul);
            if (v->present && (f->type == SHOAL_T_SET || f->type == SHOAL_T_VECTOR)) {
                for (size_t k = 0; k < v->v.n; k++) {
                    fuzz_wire_touch_value(f->elem, &v->v.v[k], nul);
                }
            }
        }
    }
}

static void fuzz_wire_touch_msg(const struct shoal_wire_msg *m)
{
    switch (m->type) {
    case SHOAL_WIRE_LOG_BATCH:
        fuzz_wire_touch_batch(&m->batch, 1);
        break;
    case SHOAL_WIRE_NOTICE:
        fuzz_wire_touch(m->notice.note, strlen(m->notice.note));
        if (m->notice.msg.p != NULL) {
            fuzz_wire_touch(m->notice.msg.p, m->notice.msg.len + 1);
        }
        if (m->notice.identifier != NULL) {
            fuzz_wire_touch(m->notice.identifier, strlen(m->notice.identifier));
        }
        break;
    case SHOAL_WIRE_STATE_UPDATE:
        fuzz_wire_touch(m->state.key.p, m->state.key.len + 1);
        break;
    case SHOAL_WIRE_CONTROL_REQUEST:
        for (size_t i = 0; i < m->req.n_args; i++) {
            fuzz_wire_touch(m->req.args[i].p, m->req.args[i].len + 1);
        }
        break;
    case SHOAL_WIRE_CONTROL_REPLY:
        for (size_t i = 0; i < m->rep.n_items; i++) {
            fuzz_wire_touch(m->rep.items[i].key, strlen(m->rep.items[i].key));
            fuzz_wire_touch(m->rep.items[i].value.p, m->rep.items[i].value.len + 1);
        }
        break;
    case SHOAL_WIRE_LOG_ACK:
        fuzz_wire_touch(m->ack.sender, strlen(m->ack.sender));
        break;
    case SHOAL_WIRE_HEARTBEAT:
        fuzz_wire_touch(m->hb.sender, strlen(m->hb.sender));
        break;
    }
}

static bool fuzz_wire_batch_eq(const struct shoal_wire_log_batch *a,
                               const struct shoal_wire_log_batch *b)
{
    if (strcmp(a->sender, b->sender) != 0 || a->epoch != b->epoch || a->seq != b->seq ||
        a->base != b->base || strcmp(a->path, b->path) != 0 || a->n_fields != b->n_fields ||
        a->n_records != b->n_records) {
        return false;
    }
    for (size_t i = 0; i < a->n_fields; i++) {
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
            a->fields[i].type != b->fields[i].type || a->fields[i].elem != b->fields[i].elem) {
            return false;
        }
    }
    for (size_t k = 0; k < a->n_records * a->n_fields; k++) {
        const struct shoal_field *f = &a->fields[k % a->n_fields];
        if (!shoal_wire_value_eq(f->type, f->elem, &a->records[k], &b->records[k])) {
            return false;
        }
    }
    return true;
}

/* Bytes of a str or bin object. */
static bool fuzz_wire_raw(const msgpack_object *o, const char **p, size_t *n)
{
    if (o->type == MSGPACK_OBJECT_STR || o->type == MSGPACK_OBJECT_BIN) {
        *p = o->type == MSGPACK_OBJECT_STR ? o->via.str.ptr : o->via.bin.ptr;
        *n = o->type == MSGPACK_OBJECT_STR ? o->via.str.size : o->via.bin.size;
        return true;
    }
    return false;
}

/* Is decoded value v (column type t, elements elem) what msgpack-c read? */
static bool fuzz_wire_value_is(enum shoal_type t, enum shoal_type elem, const struct shoal_value *v,
                               const msgpack_object *o)
{
    const char *p;
    size_t n;

    if (o->type == MSGPACK_OBJECT_NIL || !v->present) {
        return o->type == MSGPACK_OBJECT_NIL && !v->present;
    }
    switch (t) {
    case SHOAL_T_BOOL:
        return o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean == v->b;
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 == v->u;
    case SHOAL_T_INT:
        return o->via.i64 == v->i && (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ||
                                      o->type == MSGPACK_OBJECT_POSITIVE_INTEGER);
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64) &&
               memcmp(&o->via.f64, &v->d, sizeof(v->d)) == 0;
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        return fuzz_wire_raw(o, &p, &n) && n == v->s.len && (n == 0 || !memcmp(p, v->s.p, n));
    case SHOAL_T_ADDR:
    case SHOAL_T_SUBNET:
        if (o->type != MSGPACK_OBJECT_BIN || !fuzz_wire_raw(o, &p, &n)) {
            return false;
        }
        n -= t == SHOAL_T_SUBNET;
        if (n == 4) {
            return shoal_addr_is_v4(&v->a.addr) && !memcmp(v->a.addr.b + 12, p, 4) &&
                   (t == SHOAL_T_ADDR || (uint8_t)p[4] == v->a.prefix);
        }
        return n == 16 && !memcmp(v->a.addr.b, p, 16) &&
               (t == SHOAL_T_ADDR || (uint8_t)p[16] == v->a.prefix);
    case SHOAL_T_SET:
    case SHOAL_T_VECTOR:
        if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != v->v.n) {
            return false;
        }
        for (size_t i = 0; i < v->v.n; i++) {
            if (!fuzz_wire_value_is(elem, (enum shoal_type)0, &v->v.v[i], &o->via.array.ptr[i])) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* The records of an accepted batch against msgpack-c's reading of the
 * same bytes, value by value: the fast paths of the one-pass decoder read
 * what msgpack-c reads. */
static bool fuzz_wire_batch_is(const uint8_t *data, size_t size,
                               const struct shoal_wire_log_batch *b)
{
    msgpack_unpacked up;
    size_t off = 0;
    bool same = false;

    msgpack_unpacked_init(&up);
    if (msgpack_unpack_next(&up, (const char *)data, size, &off) == MSGPACK_UNPACK_SUCCESS &&
        up.data.type == MSGPACK_OBJECT_ARRAY && up.data.via.array.size == 9) {
        const msgpack_object *recs = &up.data.via.array.ptr[8];
        same = recs->type == MSGPACK_OBJECT_ARRAY && recs->via.array.size == b->n_records;
        for (size_t r = 0; same && r < b->n_records; r++) {
            const msgpack_object *rec = &recs->via.array.ptr[r];
            same = rec->type == MSGPACK_OBJECT_ARRAY && rec->via.array.size == b->n_fields;
            for (size_t i = 0; same && i < b->n_fields; i++) {
                same = fuzz_wire_value_is(b->fields[i].type, b->fields[i].elem,
                                          &b->records[r * b->n_fields + i], &rec->via.array.ptr[i]);
            }
        }
    }
    msgpack_unpacked_destroy(&up);
    return same;
}

/* The one-pass decoder against shoal_wire_decode and against msgpack-c. */
static void fuzz_wire_batch_dec(const uint8_t *data, size_t size)
{
    static struct shoal_wire_batch_dec *d;
    struct shoal_wire_log_batch b;
    struct shoal_wire_msg m;
    char e1[256], e2[256];

    if (d == NULL && (d = shoal_wire_batch_dec_new()) == NULL) {
        abort();
    }
    int rc1 = shoal_wire_decode(data, size, SHOAL_WIRE_LOG_BATCH, &m, e1, sizeof(e1));
    int rc2 = shoal_wire_batch_decode(d, data, size, &b, e2, sizeof(e2));
    if (rc1 != rc2 || strcmp(e1, e2) != 0) {
        abort(); /* the decoders disagree */
    }
    if (rc1 == 0) {
        if (!fuzz_wire_batch_eq(&m.batch, &b) || !fuzz_wire_batch_is(data, size, &b)) {
            abort(); /* other values */
        }
        fuzz_wire_touch_batch(&b, 0);
        shoal_wire_msg_release(&m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shoal_wire_msg m, m2;
    struct shoal_buf a = {0}, b = {0};
    char err[256];
    int rc;

    if (mpack_oracle_check(data, size) < 0) {
        abort(); /* our codec and msgpack-c read the bytes differently */
    }
    fuzz_wire_batch_dec(data, size);
    rc = shoal_wire_decode(data, size, 0, &m, err, sizeof(err));
    if (rc < 0) {
        if ((rc != -EBADMSG && rc != -E2BIG && rc != -EPROTONOSUPPORT && rc != -ENOMEM) ||
            err[0] == '\0') {
            abort();
        }
        return 0;
    }
    if (shoal_mpack_check(data, size, &wire_limits, NULL, 0) != 0) {
        abort(); /* a body decoded although its framing breaks the limits */
    }
    fuzz_wire_touch_msg(&m);

    if (shoal_wire_encode(&a, &m) != 0) {
        abort(); /* decoded but cannot be encoded again */
    }
    if (shoal_wire_decode((const uint8_t *)a.p, a.len, m.type, &m2, err, sizeof(err)) != 0) {
        abort(); /* re-encoded body refused */
    }
    if (shoal_wire_encode(&b, &m2) != 0 || a.len != b.len || memcmp(a.p, b.p, a.len) != 0) {
        abort(); /* not stable: values changed on the way */
    }
    shoal_wire_msg_release(&m2);
    shoal_buf_free(&a);
    shoal_buf_free(&b);
    shoal_wire_msg_release(&m);
    return 0;
}
