/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster message bodies in msgpack (see wire.h).  Layouts, version 1 (every
 * body is an array; "name" is a msgpack str, "bytes" a bin, "addr" a bin of
 * 4 or 16 bytes, "?" means nil when absent):
 *
 *   LOG_BATCH     [1, 1, sender, epoch, seq, base, path,
 *                  [[field name, type, elem type], ...], [[value, ...], ...]]
 *   LOG_ACK       [1, 2, sender, epoch, seq]
 *   NOTICE        [1, 3, sender, ts, uid?, [orig_h, orig_p, resp_h, resp_p,
 *                  proto]?, note, msg?, sub?, src?, dst?, [p, proto]?, n?,
 *                  identifier?, suppress_for]
 *   STATE_UPDATE  [1, 4, sender, kind, key bytes, value, expire]
 *   CTL_REQUEST   [1, 5, id, command, [arg, ...]]
 *   CTL_REPLY     [1, 6, id, status, {key: value, ...}]
 *   HEARTBEAT     [1, 7, sender, epoch, ts]
 *
 * A log value is nil when unset, else by column type: bool; count and port
 * as uint; int as int; double, time and interval as float64; string and
 * enum as bytes; addr as addr; subnet as a bin of the address (4 or 16
 * bytes) followed by the prefix length byte; set and vector as an array of
 * their element values.
 *
 * Decoding runs in two passes.  A pre-scan walks the msgpack framing
 * without building anything: it refuses truncation, nesting past
 * SHOAL_WIRE_MAX_DEPTH, strings past SHOAL_WIRE_MAX_STR, ext types and
 * trailing bytes, and checks that every array or map count fits in the
 * bytes left (each element takes at least one byte), because msgpack-c
 * allocates a container's elements from its declared count before reading
 * them.  Then msgpack-c builds the object tree, which is checked against
 * the layout of the message type and copied into an arena.
 */
#include "cluster/wire.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Arena */

struct wire_chunk {
    struct wire_chunk *next;
    size_t used;
    size_t cap;
    max_align_t data[];
};

struct shoal_wire_arena {
    struct wire_chunk *head;
    size_t next_cap;
};

#define WIRE_ARENA_FIRST 4096u
#define WIRE_ARENA_MAX_CHUNK (1u << 20)

static void *wire_arena_alloc(struct shoal_wire_arena *a, size_t n)
{
    struct wire_chunk *c = a->head;

    n = (n + 15u) & ~(size_t)15u;
    if (n == 0) {
        n = 16;
    }
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = a->next_cap;
        if (cap < n) {
            cap = n;
        }
        c = malloc(sizeof(*c) + cap);
        if (c == NULL) {
            return NULL;
        }
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
        if (a->next_cap < WIRE_ARENA_MAX_CHUNK) {
            a->next_cap *= 2;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

static void wire_arena_free(struct shoal_wire_arena *a)
{
    if (a == NULL) {
        return;
    }
    struct wire_chunk *c = a->head;
    while (c != NULL) {
        struct wire_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void shoal_wire_msg_release(struct shoal_wire_msg *m)
{
    if (m == NULL) {
        return;
    }
    wire_arena_free(m->arena);
    memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------------ */
/* Names and topics */

static const char *const wire_type_names[] = {
    [SHOAL_WIRE_LOG_BATCH] = "LOG_BATCH",
    [SHOAL_WIRE_LOG_ACK] = "LOG_ACK",
    [SHOAL_WIRE_NOTICE] = "NOTICE",
    [SHOAL_WIRE_STATE_UPDATE] = "STATE_UPDATE",
    [SHOAL_WIRE_CONTROL_REQUEST] = "CONTROL_REQUEST",
    [SHOAL_WIRE_CONTROL_REPLY] = "CONTROL_REPLY",
    [SHOAL_WIRE_HEARTBEAT] = "HEARTBEAT",
};

const char *shoal_wire_type_name(enum shoal_wire_type type)
{
    if ((unsigned)type >= 1 && (unsigned)type <= SHOAL_WIRE_TYPE_LAST) {
        return wire_type_names[type];
    }
    return "unknown";
}

const char *shoal_wire_topic(enum shoal_wire_type type)
{
    switch (type) {
    case SHOAL_WIRE_LOG_BATCH:
    case SHOAL_WIRE_LOG_ACK:
        return "log";
    case SHOAL_WIRE_NOTICE:
        return "notice";
    case SHOAL_WIRE_STATE_UPDATE:
        return "state";
    case SHOAL_WIRE_CONTROL_REQUEST:
    case SHOAL_WIRE_CONTROL_REPLY:
        return "ctl";
    case SHOAL_WIRE_HEARTBEAT:
        return "hb";
    }
    return NULL;
}

bool shoal_wire_topic_matches(const void *topic, size_t len, enum shoal_wire_type type)
{
    const char *want = shoal_wire_topic(type);

    return want != NULL && topic != NULL && strlen(want) == len && memcmp(topic, want, len) == 0;
}

/* Node, stream and state-kind names: [A-Za-z0-9_.-], not starting with a
 * dot, 1..255 bytes.  Stream paths are stricter: [a-z0-9_-]. */
static bool wire_name_ok(const char *p, size_t len, bool stream)
{
    if (p == NULL || len == 0 || len > SHOAL_WIRE_MAX_NAME || p[0] == '.') {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!stream) {
            ok = ok || (c >= 'A' && c <= 'Z') || c == '.';
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Notes and commands: 1..255 printable ASCII bytes without blanks. */
static bool wire_word_ok(const char *p, size_t len)
{
    if (p == NULL || len == 0 || len > SHOAL_WIRE_MAX_NAME) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f) {
            return false;
        }
    }
    return true;
}

/* Free-form text that must stay a C string: no NUL, <= max bytes. */
static bool wire_text_ok(const char *p, size_t len, size_t max)
{
    return p != NULL && len <= max && memchr(p, '\0', len) == NULL;
}

static bool wire_scalar_type(unsigned t)
{
    return t >= SHOAL_T_BOOL && t <= SHOAL_T_ENUM;
}

/* 0, -EINVAL (bad type) or -E2BIG (a container of containers). */
static int wire_field_check(unsigned type, unsigned elem)
{
    if (wire_scalar_type(type)) {
        return elem == 0 ? 0 : -EINVAL;
    }
    if (type != SHOAL_T_SET && type != SHOAL_T_VECTOR) {
        return -EINVAL;
    }
    if (elem == SHOAL_T_SET || elem == SHOAL_T_VECTOR) {
        return -E2BIG;
    }
    return wire_scalar_type(elem) ? 0 : -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Encoding */

static int wire_pack_name(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);

    if (msgpack_pack_str(pk, n) < 0 || msgpack_pack_str_body(pk, s, n) < 0) {
        return -ENOMEM;
    }
    return 0;
}

static int wire_pack_bytes(msgpack_packer *pk, const void *p, size_t n)
{
    if (n > SHOAL_WIRE_MAX_STR) {
        return -E2BIG;
    }
    if (p == NULL && n > 0) {
        return -EINVAL;
    }
    if (msgpack_pack_bin(pk, n) < 0 || msgpack_pack_bin_body(pk, p, n) < 0) {
        return -ENOMEM;
    }
    return 0;
}

/* Optional bytes: nil when s->p is NULL. */
static int wire_pack_opt(msgpack_packer *pk, const struct shoal_str *s)
{
    if (s->p == NULL) {
        return msgpack_pack_nil(pk) < 0 ? -ENOMEM : 0;
    }
    return wire_pack_bytes(pk, s->p, s->len);
}

static int wire_pack_addr(msgpack_packer *pk, const struct shoal_addr *a)
{
    if (shoal_addr_is_v4(a)) {
        return wire_pack_bytes(pk, a->b + 12, 4);
    }
    return wire_pack_bytes(pk, a->b, 16);
}

static int wire_pack_u64(msgpack_packer *pk, uint64_t u)
{
    return msgpack_pack_uint64(pk, u) < 0 ? -ENOMEM : 0;
}

static int wire_pack_f64(msgpack_packer *pk, double d)
{
    return msgpack_pack_double(pk, d) < 0 ? -ENOMEM : 0;
}

static int wire_pack_head(msgpack_packer *pk, size_t n, enum shoal_wire_type type)
{
    if (msgpack_pack_array(pk, n) < 0 || msgpack_pack_uint8(pk, SHOAL_WIRE_VERSION) < 0 ||
        msgpack_pack_uint8(pk, (uint8_t)type) < 0) {
        return -ENOMEM;
    }
    return 0;
}

static int wire_pack_value(msgpack_packer *pk, enum shoal_type t, enum shoal_type elem,
                           const struct shoal_value *v)
{
    uint8_t sub[17];
    int rc;

    if (!v->present) {
        return msgpack_pack_nil(pk) < 0 ? -ENOMEM : 0;
    }
    switch (t) {
    case SHOAL_T_BOOL:
        return (v->b ? msgpack_pack_true(pk) : msgpack_pack_false(pk)) < 0 ? -ENOMEM : 0;
    case SHOAL_T_PORT:
        if (v->u > 65535) {
            return -EINVAL;
        }
        return wire_pack_u64(pk, v->u);
    case SHOAL_T_COUNT:
        return wire_pack_u64(pk, v->u);
    case SHOAL_T_INT:
        return msgpack_pack_int64(pk, v->i) < 0 ? -ENOMEM : 0;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return wire_pack_f64(pk, v->d);
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        return wire_pack_bytes(pk, v->s.p, v->s.len);
    case SHOAL_T_ADDR:
        return wire_pack_addr(pk, &v->a.addr);
    case SHOAL_T_SUBNET:
        if (v->a.prefix > 128) {
            return -EINVAL;
        }
        if (shoal_addr_is_v4(&v->a.addr)) {
            memcpy(sub, v->a.addr.b + 12, 4);
            sub[4] = v->a.prefix;
            return wire_pack_bytes(pk, sub, 5);
        }
        memcpy(sub, v->a.addr.b, 16);
        sub[16] = v->a.prefix;
        return wire_pack_bytes(pk, sub, 17);
    case SHOAL_T_SET:
    case SHOAL_T_VECTOR:
        if (v->v.n > SHOAL_WIRE_MAX_ELEMS) {
            return -E2BIG;
        }
        if (v->v.v == NULL && v->v.n > 0) {
            return -EINVAL;
        }
        if (msgpack_pack_array(pk, v->v.n) < 0) {
            return -ENOMEM;
        }
        for (size_t i = 0; i < v->v.n; i++) {
            rc = wire_pack_value(pk, elem, (enum shoal_type)0, &v->v.v[i]);
            if (rc < 0) {
                return rc;
            }
        }
        return 0;
    }
    return -EINVAL;
}

int shoal_wire_batch_begin(struct shoal_wire_batch_enc *e, msgpack_sbuffer *out, const char *sender,
                           uint64_t epoch, const char *path, const struct shoal_field *fields,
                           size_t n_fields)
{
    static const uint8_t seq_placeholder[18] = {0xcf, 0, 0, 0, 0, 0, 0, 0, 0,
                                                0xcf, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t count_placeholder[5] = {0xdd, 0, 0, 0, 0};
    msgpack_packer pk;
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
    e->start = out->size;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    rc = wire_pack_head(&pk, 9, SHOAL_WIRE_LOG_BATCH);
    if (rc == 0) {
        rc = wire_pack_name(&pk, sender);
    }
    if (rc == 0) {
        rc = wire_pack_u64(&pk, epoch);
    }
    if (rc == 0) {
        e->seq_off = out->size;
        rc = msgpack_sbuffer_write(out, (const char *)seq_placeholder, sizeof(seq_placeholder)) < 0
                 ? -ENOMEM
                 : 0;
    }
    if (rc == 0) {
        rc = wire_pack_name(&pk, path);
    }
    if (rc == 0 && msgpack_pack_array(&pk, n_fields) < 0) {
        rc = -ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < n_fields; i++) {
        if (msgpack_pack_array(&pk, 3) < 0) {
            rc = -ENOMEM;
            break;
        }
        rc = wire_pack_name(&pk, fields[i].name);
        if (rc == 0) {
            rc = wire_pack_u64(&pk, (uint64_t)fields[i].type);
        }
        if (rc == 0) {
            rc = wire_pack_u64(&pk, (uint64_t)fields[i].elem);
        }
    }
    if (rc == 0) {
        e->count_off = out->size;
        rc = msgpack_sbuffer_write(out, (const char *)count_placeholder,
                                   sizeof(count_placeholder)) < 0
                 ? -ENOMEM
                 : 0;
    }
    if (rc < 0) {
        out->size = e->start;
        memset(e, 0, sizeof(*e));
    }
    return rc;
}

/* Room for n more bytes in `out`, grown as msgpack_sbuffer_write grows it. */
static int wire_room(msgpack_sbuffer *out, size_t n)
{
    if (out->alloc - out->size >= n) {
        return 0;
    }
    size_t cap = out->alloc ? out->alloc : MSGPACK_SBUFFER_INIT_SIZE;
    while (cap - out->size < n) {
        cap *= 2;
    }
    char *p = realloc(out->data, cap);
    if (p == NULL) {
        return -ENOMEM;
    }
    out->data = p;
    out->alloc = cap;
    return 0;
}

static uint8_t *wire_put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
    return p + n;
}

/* msgpack_pack_uint64's bytes (the smallest form) at p; returns the end. */
static uint8_t *wire_put_uint(uint8_t *p, uint64_t u)
{
    if (u < 0x80) {
        *p++ = (uint8_t)u;
        return p;
    }
    if (u < 0x100) {
        *p++ = 0xcc;
        return wire_put_be(p, u, 1);
    }
    if (u < 0x10000) {
        *p++ = 0xcd;
        return wire_put_be(p, u, 2);
    }
    if (u < 0x100000000ull) {
        *p++ = 0xce;
        return wire_put_be(p, u, 4);
    }
    *p++ = 0xcf;
    return wire_put_be(p, u, 8);
}

/* msgpack_pack_bin + _bin_body's bytes at p; returns the end. */
static uint8_t *wire_put_bin(uint8_t *p, const void *b, size_t n)
{
    if (n < 0x100) {
        *p++ = 0xc4;
        p = wire_put_be(p, n, 1);
    } else if (n < 0x10000) {
        *p++ = 0xc5;
        p = wire_put_be(p, n, 2);
    } else {
        *p++ = 0xc6;
        p = wire_put_be(p, n, 4);
    }
    if (n > 0) {
        memcpy(p, b, n);
    }
    return p + n;
}

/*
 * One value as wire_pack_value packs it, byte for byte, written straight
 * into `out` for the common scalar types (the packer's callback and memcpy
 * per item were most of a worker's encoding time); sets, vectors, ints and
 * subnets go through wire_pack_value.  Same returns.
 */
static int wire_put_value(msgpack_packer *pk, msgpack_sbuffer *out, enum shoal_type t,
                          enum shoal_type elem, const struct shoal_value *v)
{
    size_t need = 18; /* bound of every scalar but strings */
    uint8_t *p, *end;

    if (v->present && (t == SHOAL_T_STRING || t == SHOAL_T_ENUM)) {
        if (v->s.len > SHOAL_WIRE_MAX_STR) {
            return -E2BIG;
        }
        if (v->s.p == NULL && v->s.len > 0) {
            return -EINVAL;
        }
        need = 5 + v->s.len;
    }
    if (wire_room(out, need) < 0) {
        return -ENOMEM;
    }
    p = (uint8_t *)out->data + out->size;
    if (!v->present) {
        *p = 0xc0;
        out->size++;
        return 0;
    }
    switch (t) {
    case SHOAL_T_BOOL:
        *p = v->b ? 0xc3 : 0xc2;
        end = p + 1;
        break;
    case SHOAL_T_PORT:
        if (v->u > 65535) {
            return -EINVAL;
        }
        end = wire_put_uint(p, v->u);
        break;
    case SHOAL_T_COUNT:
        end = wire_put_uint(p, v->u);
        break;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL: {
        uint64_t bits;
        memcpy(&bits, &v->d, sizeof(bits));
        *p = 0xcb;
        end = wire_put_be(p + 1, bits, 8);
        break;
    }
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        end = wire_put_bin(p, v->s.p, v->s.len);
        break;
    case SHOAL_T_ADDR:
        end = shoal_addr_is_v4(&v->a.addr) ? wire_put_bin(p, v->a.addr.b + 12, 4)
                                           : wire_put_bin(p, v->a.addr.b, 16);
        break;
    default:
        return wire_pack_value(pk, t, elem, v);
    }
    out->size += (size_t)(end - p);
    return 0;
}

int shoal_wire_batch_add(struct shoal_wire_batch_enc *e, const struct shoal_value *vals)
{
    msgpack_packer pk;
    size_t mark = e->out->size;
    int rc = 0;

    if (e->n_records >= SHOAL_WIRE_MAX_RECORDS) {
        return -E2BIG;
    }
    msgpack_packer_init(&pk, e->out, msgpack_sbuffer_write);
    if (msgpack_pack_array(&pk, e->n_fields) < 0) {
        rc = -ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < e->n_fields; i++) {
        rc = wire_put_value(&pk, e->out, e->fields[i].type, e->fields[i].elem, &vals[i]);
    }
    if (rc < 0) {
        e->out->size = mark;
        return rc;
    }
    e->n_records++;
    return 0;
}

int shoal_wire_batch_end(struct shoal_wire_batch_enc *e, uint64_t seq, uint64_t base)
{
    if (base == 0 || base > seq) {
        return -EINVAL;
    }
    wire_put_be((uint8_t *)e->out->data + e->seq_off + 1, seq, 8);
    wire_put_be((uint8_t *)e->out->data + e->seq_off + 10, base, 8);
    wire_put_be((uint8_t *)e->out->data + e->count_off + 1, e->n_records, 4);
    memset(e, 0, sizeof(*e));
    return 0;
}

void shoal_wire_batch_abort(struct shoal_wire_batch_enc *e)
{
    if (e->out != NULL) {
        e->out->size = e->start;
    }
    memset(e, 0, sizeof(*e));
}

int shoal_wire_encode_log_batch(msgpack_sbuffer *out, const struct shoal_wire_log_batch *b)
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

int shoal_wire_encode_heartbeat(msgpack_sbuffer *out, const struct shoal_wire_heartbeat *h)
{
    msgpack_packer pk;
    size_t start = out->size;
    int rc;

    if (h->sender == NULL || !wire_name_ok(h->sender, strlen(h->sender), false) ||
        !isfinite(h->ts)) {
        return -EINVAL;
    }
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    rc = wire_pack_head(&pk, 5, SHOAL_WIRE_HEARTBEAT);
    if (rc == 0) {
        rc = wire_pack_name(&pk, h->sender);
    }
    if (rc == 0) {
        rc = wire_pack_u64(&pk, h->epoch);
    }
    if (rc == 0) {
        rc = wire_pack_f64(&pk, h->ts);
    }
    if (rc < 0) {
        out->size = start;
    }
    return rc;
}

int shoal_wire_encode_log_ack(msgpack_sbuffer *out, const struct shoal_wire_log_ack *a)
{
    msgpack_packer pk;
    size_t start = out->size;
    int rc;

    if (a->sender == NULL || !wire_name_ok(a->sender, strlen(a->sender), false)) {
        return -EINVAL;
    }
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    rc = wire_pack_head(&pk, 5, SHOAL_WIRE_LOG_ACK);
    if (rc == 0) {
        rc = wire_pack_name(&pk, a->sender);
    }
    if (rc == 0) {
        rc = wire_pack_u64(&pk, a->epoch);
    }
    if (rc == 0) {
        rc = wire_pack_u64(&pk, a->seq);
    }
    if (rc < 0) {
        out->size = start;
    }
    return rc;
}

static int wire_pack_opt_addr(msgpack_packer *pk, bool has, const struct shoal_addr *a)
{
    if (!has) {
        return msgpack_pack_nil(pk) < 0 ? -ENOMEM : 0;
    }
    return wire_pack_addr(pk, a);
}

int shoal_wire_encode_notice(msgpack_sbuffer *out, const struct shoal_notice_info *n)
{
    msgpack_packer pk;
    size_t start = out->size;
    int rc;

    if (n->sender == NULL || !wire_name_ok(n->sender, strlen(n->sender), false) ||
        n->note == NULL || !wire_word_ok(n->note, strlen(n->note)) || !isfinite(n->ts) ||
        !isfinite(n->suppress_for) || n->suppress_for < 0 ||
        (n->uid.p != NULL && !wire_text_ok(n->uid.p, n->uid.len, SHOAL_WIRE_MAX_NAME))) {
        return -EINVAL;
    }
    if (n->identifier != NULL && strlen(n->identifier) > SHOAL_WIRE_MAX_STR) {
        return -E2BIG;
    }
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    rc = wire_pack_head(&pk, 15, SHOAL_WIRE_NOTICE);
    if (rc == 0) {
        rc = wire_pack_name(&pk, n->sender);
    }
    if (rc == 0) {
        rc = wire_pack_f64(&pk, n->ts);
    }
    if (rc == 0) {
        rc = wire_pack_opt(&pk, &n->uid);
    }
    if (rc == 0 && !n->has_id) {
        rc = msgpack_pack_nil(&pk) < 0 ? -ENOMEM : 0;
    } else if (rc == 0) {
        rc = msgpack_pack_array(&pk, 5) < 0 ? -ENOMEM : 0;
        if (rc == 0) {
            rc = wire_pack_addr(&pk, &n->id.orig_h);
        }
        if (rc == 0) {
            rc = wire_pack_u64(&pk, n->id.orig_p);
        }
        if (rc == 0) {
            rc = wire_pack_addr(&pk, &n->id.resp_h);
        }
        if (rc == 0) {
            rc = wire_pack_u64(&pk, n->id.resp_p);
        }
        if (rc == 0) {
            rc = wire_pack_u64(&pk, n->id.proto);
        }
    }
    if (rc == 0) {
        rc = wire_pack_name(&pk, n->note);
    }
    if (rc == 0) {
        rc = wire_pack_opt(&pk, &n->msg);
    }
    if (rc == 0) {
        rc = wire_pack_opt(&pk, &n->sub);
    }
    if (rc == 0) {
        rc = wire_pack_opt_addr(&pk, n->has_src, &n->src);
    }
    if (rc == 0) {
        rc = wire_pack_opt_addr(&pk, n->has_dst, &n->dst);
    }
    if (rc == 0) {
        if (!n->has_p) {
            rc = msgpack_pack_nil(&pk) < 0 ? -ENOMEM : 0;
        } else if ((rc = msgpack_pack_array(&pk, 2) < 0 ? -ENOMEM : 0) == 0 &&
                   (rc = wire_pack_u64(&pk, n->p)) == 0) {
            rc = wire_pack_u64(&pk, n->p_proto);
        }
    }
    if (rc == 0) {
        rc = n->has_n ? wire_pack_u64(&pk, n->n) : (msgpack_pack_nil(&pk) < 0 ? -ENOMEM : 0);
    }
    if (rc == 0) {
        struct shoal_str id = {n->identifier, n->identifier ? strlen(n->identifier) : 0};
        rc = wire_pack_opt(&pk, &id);
    }
    if (rc == 0) {
        rc = wire_pack_f64(&pk, n->suppress_for);
    }
    if (rc < 0) {
        out->size = start;
    }
    return rc;
}

int shoal_wire_encode_state(msgpack_sbuffer *out, const struct shoal_wire_state *s)
{
    msgpack_packer pk;
    size_t start = out->size;
    int rc;

    if (s->sender == NULL || !wire_name_ok(s->sender, strlen(s->sender), false) ||
        s->kind == NULL || !wire_name_ok(s->kind, strlen(s->kind), false) || !isfinite(s->expire)) {
        return -EINVAL;
    }
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    rc = wire_pack_head(&pk, 7, SHOAL_WIRE_STATE_UPDATE);
    if (rc == 0) {
        rc = wire_pack_name(&pk, s->sender);
    }
    if (rc == 0) {
        rc = wire_pack_name(&pk, s->kind);
    }
    if (rc == 0) {
        rc = wire_pack_bytes(&pk, s->key.p, s->key.len);
    }
    if (rc == 0) {
        rc = wire_pack_u64(&pk, s->value);
    }
    if (rc == 0) {
        rc = wire_pack_f64(&pk, s->expire);
    }
    if (rc < 0) {
        out->size = start;
    }
    return rc;
}

int shoal_wire_encode_ctl_request(msgpack_sbuffer *out, const struct shoal_wire_ctl_request *r)
{
    msgpack_packer pk;
    size_t start = out->size;
    int rc;

    if (r->command == NULL || !wire_word_ok(r->command, strlen(r->command)) ||
        (r->args == NULL && r->n_args > 0)) {
        return -EINVAL;
    }
    if (r->n_args > SHOAL_WIRE_MAX_ARGS) {
        return -E2BIG;
    }
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    rc = wire_pack_head(&pk, 5, SHOAL_WIRE_CONTROL_REQUEST);
    if (rc == 0) {
        rc = wire_pack_u64(&pk, r->id);
    }
    if (rc == 0) {
        rc = wire_pack_name(&pk, r->command);
    }
    if (rc == 0 && msgpack_pack_array(&pk, r->n_args) < 0) {
        rc = -ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < r->n_args; i++) {
        if (r->args[i].p == NULL) {
            rc = -EINVAL;
        } else {
            rc = wire_pack_bytes(&pk, r->args[i].p, r->args[i].len);
        }
    }
    if (rc < 0) {
        out->size = start;
    }
    return rc;
}

int shoal_wire_encode_ctl_reply(msgpack_sbuffer *out, const struct shoal_wire_ctl_reply *r)
{
    msgpack_packer pk;
    size_t start = out->size;
    int rc;

    if (r->items == NULL && r->n_items > 0) {
        return -EINVAL;
    }
    if (r->n_items > SHOAL_WIRE_MAX_ARGS) {
        return -E2BIG;
    }
    for (size_t i = 0; i < r->n_items; i++) {
        const char *k = r->items[i].key;
        if (k == NULL || strlen(k) == 0 || strlen(k) > SHOAL_WIRE_MAX_NAME ||
            r->items[i].value.p == NULL) {
            return -EINVAL;
        }
    }
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    rc = wire_pack_head(&pk, 5, SHOAL_WIRE_CONTROL_REPLY);
    if (rc == 0) {
        rc = wire_pack_u64(&pk, r->id);
    }
    if (rc == 0) {
        rc = msgpack_pack_int64(&pk, r->status) < 0 ? -ENOMEM : 0;
    }
    if (rc == 0 && msgpack_pack_map(&pk, r->n_items) < 0) {
        rc = -ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < r->n_items; i++) {
        rc = wire_pack_name(&pk, r->items[i].key);
        if (rc == 0) {
            rc = wire_pack_bytes(&pk, r->items[i].value.p, r->items[i].value.len);
        }
    }
    if (rc < 0) {
        out->size = start;
    }
    return rc;
}

int shoal_wire_encode(msgpack_sbuffer *out, const struct shoal_wire_msg *m)
{
    switch (m->type) {
    case SHOAL_WIRE_LOG_BATCH:
        return shoal_wire_encode_log_batch(out, &m->batch);
    case SHOAL_WIRE_LOG_ACK:
        return shoal_wire_encode_log_ack(out, &m->ack);
    case SHOAL_WIRE_HEARTBEAT:
        return shoal_wire_encode_heartbeat(out, &m->hb);
    case SHOAL_WIRE_NOTICE:
        return shoal_wire_encode_notice(out, &m->notice);
    case SHOAL_WIRE_STATE_UPDATE:
        return shoal_wire_encode_state(out, &m->state);
    case SHOAL_WIRE_CONTROL_REQUEST:
        return shoal_wire_encode_ctl_request(out, &m->req);
    case SHOAL_WIRE_CONTROL_REPLY:
        return shoal_wire_encode_ctl_reply(out, &m->rep);
    }
    return -EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Decoding */

struct wire_dec {
    struct shoal_wire_arena *arena;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int wire_fail(struct wire_dec *d, int rc,
                                                           const char *fmt, ...)
{
    va_list ap;

    if (d->err != NULL && d->errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(d->err, d->errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Put "<fmt...>" in front of the reason already in d->err: the context of
 * a failure deep in a batch is formatted only when there is a failure. */
__attribute__((format(printf, 2, 3))) static void wire_prefix(struct wire_dec *d, const char *fmt,
                                                              ...)
{
    char reason[1024];
    va_list ap;
    int n;

    if (d->err == NULL || d->errlen == 0) {
        return;
    }
    snprintf(reason, sizeof(reason), "%s", d->err);
    va_start(ap, fmt);
    n = vsnprintf(d->err, d->errlen, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < d->errlen) {
        snprintf(d->err + n, d->errlen - (size_t)n, "%s", reason);
    }
}

/* Read an n-byte big-endian length at p (the caller checked the bytes). */
static uint64_t wire_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Walk the msgpack framing of buf without building objects (see the top
 * of the file).  Returns 0, -EBADMSG or -E2BIG. */
static int wire_scan(struct wire_dec *d, const uint8_t *buf, size_t len)
{
    uint64_t left[SHOAL_WIRE_MAX_DEPTH + 1];
    size_t depth = 0;
    size_t off = 0;
    uint64_t objects = 0;
    bool top_done = false;

    if (len > SHOAL_WIRE_MAX_BODY) {
        return wire_fail(d, -E2BIG, "body of %zu bytes exceeds %u", len, SHOAL_WIRE_MAX_BODY);
    }
    for (;;) {
        while (depth > 0 && left[depth - 1] == 0) {
            depth--;
        }
        if (depth == 0) {
            if (top_done) {
                break;
            }
            top_done = true;
        } else {
            left[depth - 1]--;
        }
        if (off >= len) {
            return wire_fail(d, -EBADMSG, "truncated at byte %zu", off);
        }
        if (++objects > SHOAL_WIRE_MAX_OBJECTS) {
            return wire_fail(d, -E2BIG, "more than %u objects", SHOAL_WIRE_MAX_OBJECTS);
        }
        uint8_t b = buf[off++];
        size_t lenbytes = 0; /* size of a following length field */
        size_t fixed = 0;    /* payload bytes of a scalar */
        bool is_raw = false, is_array = false, is_map = false;
        uint64_t n = 0;

        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            continue;
        } else if (b >= 0x80 && b <= 0x8f) {
            is_map = true;
            n = b & 0x0f;
        } else if (b >= 0x90 && b <= 0x9f) {
            is_array = true;
            n = b & 0x0f;
        } else if (b >= 0xa0 && b <= 0xbf) {
            is_raw = true;
            n = b & 0x1f;
        } else {
            switch (b) {
            case 0xc4:
            case 0xd9:
                is_raw = true;
                lenbytes = 1;
                break;
            case 0xc5:
            case 0xda:
                is_raw = true;
                lenbytes = 2;
                break;
            case 0xc6:
            case 0xdb:
                is_raw = true;
                lenbytes = 4;
                break;
            case 0xca:
                fixed = 4;
                break;
            case 0xcb:
                fixed = 8;
                break;
            case 0xcc:
            case 0xd0:
                fixed = 1;
                break;
            case 0xcd:
            case 0xd1:
                fixed = 2;
                break;
            case 0xce:
            case 0xd2:
                fixed = 4;
                break;
            case 0xcf:
            case 0xd3:
                fixed = 8;
                break;
            case 0xdc:
                is_array = true;
                lenbytes = 2;
                break;
            case 0xdd:
                is_array = true;
                lenbytes = 4;
                break;
            case 0xde:
                is_map = true;
                lenbytes = 2;
                break;
            case 0xdf:
                is_map = true;
                lenbytes = 4;
                break;
            case 0xc1:
                return wire_fail(d, -EBADMSG, "invalid byte 0xc1 at %zu", off - 1);
            default: /* 0xc7-0xc9, 0xd4-0xd8: ext types */
                return wire_fail(d, -EBADMSG, "ext type 0x%02x at %zu not allowed", b, off - 1);
            }
        }
        if (lenbytes > 0) {
            if (len - off < lenbytes) {
                return wire_fail(d, -EBADMSG, "truncated length at byte %zu", off);
            }
            n = wire_be(buf + off, lenbytes);
            off += lenbytes;
        }
        if (fixed > 0) {
            if (len - off < fixed) {
                return wire_fail(d, -EBADMSG, "truncated number at byte %zu", off);
            }
            off += fixed;
        } else if (is_raw) {
            if (n > SHOAL_WIRE_MAX_STR) {
                return wire_fail(d, -E2BIG, "string of %llu bytes exceeds %u",
                                 (unsigned long long)n, SHOAL_WIRE_MAX_STR);
            }
            if (len - off < n) {
                return wire_fail(d, -EBADMSG, "truncated string at byte %zu", off);
            }
            off += (size_t)n;
        } else if (is_array || is_map) {
            uint64_t items = is_map ? 2 * n : n;
            if (items == 0) {
                continue;
            }
            if (depth >= SHOAL_WIRE_MAX_DEPTH) {
                return wire_fail(d, -E2BIG, "nesting deeper than %u at byte %zu",
                                 SHOAL_WIRE_MAX_DEPTH, off);
            }
            if (items > len - off) {
                return wire_fail(d, -EBADMSG, "truncated: %llu elements in %zu bytes",
                                 (unsigned long long)items, len - off);
            }
            left[depth++] = items;
        }
    }
    if (off != len) {
        return wire_fail(d, -EBADMSG, "%zu trailing bytes", len - off);
    }
    return 0;
}

static const char *wire_obj_kind(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return "nil";
    case MSGPACK_OBJECT_BOOLEAN:
        return "bool";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return "uint";
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return "int";
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return "float";
    case MSGPACK_OBJECT_STR:
        return "str";
    case MSGPACK_OBJECT_BIN:
        return "bin";
    case MSGPACK_OBJECT_ARRAY:
        return "array";
    case MSGPACK_OBJECT_MAP:
        return "map";
    case MSGPACK_OBJECT_EXT:
        return "ext";
    }
    return "?";
}

static int wire_mismatch(struct wire_dec *d, const char *what, const char *want,
                         const msgpack_object *o)
{
    return wire_fail(d, -EBADMSG, "%s: want %s, got %s", what, want, wire_obj_kind(o));
}

static int wire_get_u64(struct wire_dec *d, const msgpack_object *o, const char *what, uint64_t *u)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        return wire_mismatch(d, what, "uint", o);
    }
    *u = o->via.u64;
    return 0;
}

static int wire_get_i64(struct wire_dec *d, const msgpack_object *o, const char *what, int64_t *i)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *i = o->via.i64;
        return 0;
    }
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX) {
        *i = (int64_t)o->via.u64;
        return 0;
    }
    return wire_mismatch(d, what, "int64", o);
}

static int wire_get_f64(struct wire_dec *d, const msgpack_object *o, const char *what, double *v)
{
    if (o->type != MSGPACK_OBJECT_FLOAT32 && o->type != MSGPACK_OBJECT_FLOAT64) {
        return wire_mismatch(d, what, "float", o);
    }
    *v = o->via.f64;
    return 0;
}

static int wire_get_finite(struct wire_dec *d, const msgpack_object *o, const char *what, double *v)
{
    int rc = wire_get_f64(d, o, what, v);

    if (rc == 0 && !isfinite(*v)) {
        return wire_fail(d, -EBADMSG, "%s: not a finite number", what);
    }
    return rc;
}

/* The raw bytes of a str or bin object. */
static int wire_raw(struct wire_dec *d, const msgpack_object *o, const char *what, const char **p,
                    size_t *len)
{
    if (o->type == MSGPACK_OBJECT_STR) {
        *p = o->via.str.ptr;
        *len = o->via.str.size;
        return 0;
    }
    if (o->type == MSGPACK_OBJECT_BIN) {
        *p = o->via.bin.ptr;
        *len = o->via.bin.size;
        return 0;
    }
    return wire_mismatch(d, what, "str or bin", o);
}

static char *wire_copy(struct wire_dec *d, const char *p, size_t len)
{
    char *s = wire_arena_alloc(d->arena, len + 1);

    if (s == NULL) {
        return NULL;
    }
    if (len > 0) {
        memcpy(s, p, len);
    }
    s[len] = '\0';
    return s;
}

static int wire_get_bytes(struct wire_dec *d, const msgpack_object *o, const char *what,
                          struct shoal_str *out)
{
    const char *p = NULL;
    size_t len = 0;
    int rc = wire_raw(d, o, what, &p, &len);

    if (rc < 0) {
        return rc;
    }
    out->p = wire_copy(d, p, len);
    out->len = len;
    return out->p == NULL ? wire_fail(d, -ENOMEM, "out of memory") : 0;
}

static int wire_get_opt_bytes(struct wire_dec *d, const msgpack_object *o, const char *what,
                              struct shoal_str *out)
{
    if (o->type == MSGPACK_OBJECT_NIL) {
        out->p = NULL;
        out->len = 0;
        return 0;
    }
    return wire_get_bytes(d, o, what, out);
}

enum wire_name_kind {
    WIRE_NAME_NODE,   /* wire_name_ok */
    WIRE_NAME_STREAM, /* wire_name_ok, stream */
    WIRE_NAME_WORD,   /* wire_word_ok */
    WIRE_NAME_KEY,    /* 1..255 bytes, no NUL */
};

static int wire_get_name(struct wire_dec *d, const msgpack_object *o, const char *what,
                         enum wire_name_kind kind, const char **out)
{
    const char *p = NULL;
    size_t len = 0;
    bool ok;
    int rc = wire_raw(d, o, what, &p, &len);

    if (rc < 0) {
        return rc;
    }
    switch (kind) {
    case WIRE_NAME_NODE:
        ok = wire_name_ok(p, len, false);
        break;
    case WIRE_NAME_STREAM:
        ok = wire_name_ok(p, len, true);
        break;
    case WIRE_NAME_WORD:
        ok = wire_word_ok(p, len);
        break;
    default:
        ok = len > 0 && wire_text_ok(p, len, SHOAL_WIRE_MAX_NAME);
        break;
    }
    if (!ok) {
        return wire_fail(d, -EBADMSG, "%s: invalid name (%zu bytes)", what, len);
    }
    *out = wire_copy(d, p, len);
    return *out == NULL ? wire_fail(d, -ENOMEM, "out of memory") : 0;
}

static int wire_get_addr(struct wire_dec *d, const msgpack_object *o, const char *what,
                         struct shoal_addr *a)
{
    if (o->type != MSGPACK_OBJECT_BIN) {
        return wire_mismatch(d, what, "bin address", o);
    }
    memset(a, 0, sizeof(*a));
    if (o->via.bin.size == 4) {
        a->b[10] = 0xff;
        a->b[11] = 0xff;
        memcpy(a->b + 12, o->via.bin.ptr, 4);
        return 0;
    }
    if (o->via.bin.size == 16) {
        memcpy(a->b, o->via.bin.ptr, 16);
        return 0;
    }
    return wire_fail(d, -EBADMSG, "%s: address of %u bytes", what, o->via.bin.size);
}

static int wire_get_opt_addr(struct wire_dec *d, const msgpack_object *o, const char *what,
                             bool *has, struct shoal_addr *a)
{
    *has = o->type != MSGPACK_OBJECT_NIL;
    if (!*has) {
        memset(a, 0, sizeof(*a));
        return 0;
    }
    return wire_get_addr(d, o, what, a);
}

static int wire_get_port(struct wire_dec *d, const msgpack_object *o, const char *what, uint16_t *p)
{
    uint64_t u = 0;
    int rc = wire_get_u64(d, o, what, &u);

    if (rc == 0 && u > 65535) {
        return wire_fail(d, -EBADMSG, "%s: port %llu out of range", what, (unsigned long long)u);
    }
    *p = (uint16_t)u;
    return rc;
}

/* One log value of column type t (elem for sets/vectors). */
static int wire_get_value(struct wire_dec *d, const msgpack_object *o, enum shoal_type t,
                          enum shoal_type elem, const char *what, struct shoal_value *v)
{
    struct shoal_str s;
    uint16_t port;
    int rc;

    memset(v, 0, sizeof(*v));
    if (o->type == MSGPACK_OBJECT_NIL) {
        return 0;
    }
    v->present = true;
    switch (t) {
    case SHOAL_T_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN) {
            return wire_mismatch(d, what, "bool", o);
        }
        v->b = o->via.boolean;
        return 0;
    case SHOAL_T_COUNT:
        return wire_get_u64(d, o, what, &v->u);
    case SHOAL_T_PORT:
        rc = wire_get_port(d, o, what, &port);
        v->u = port;
        return rc;
    case SHOAL_T_INT:
        return wire_get_i64(d, o, what, &v->i);
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        return wire_get_f64(d, o, what, &v->d);
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        rc = wire_get_bytes(d, o, what, &s);
        v->s.p = s.p;
        v->s.len = s.len;
        return rc;
    case SHOAL_T_ADDR:
        return wire_get_addr(d, o, what, &v->a.addr);
    case SHOAL_T_SUBNET:
        if (o->type != MSGPACK_OBJECT_BIN || (o->via.bin.size != 5 && o->via.bin.size != 17)) {
            return wire_fail(d, -EBADMSG, "%s: want a bin of 5 or 17 bytes (subnet)", what);
        }
        if (o->via.bin.size == 5) {
            v->a.addr.b[10] = 0xff;
            v->a.addr.b[11] = 0xff;
            memcpy(v->a.addr.b + 12, o->via.bin.ptr, 4);
        } else {
            memcpy(v->a.addr.b, o->via.bin.ptr, 16);
        }
        v->a.prefix = (uint8_t)o->via.bin.ptr[o->via.bin.size - 1];
        if (v->a.prefix > 128) {
            return wire_fail(d, -EBADMSG, "%s: prefix length %u", what, v->a.prefix);
        }
        return 0;
    case SHOAL_T_SET:
    case SHOAL_T_VECTOR: {
        if (o->type != MSGPACK_OBJECT_ARRAY) {
            return wire_mismatch(d, what, "array", o);
        }
        uint32_t n = o->via.array.size;
        if (n > SHOAL_WIRE_MAX_ELEMS) {
            return wire_fail(d, -E2BIG, "%s: %u elements exceed %u", what, n, SHOAL_WIRE_MAX_ELEMS);
        }
        struct shoal_value *elems = NULL;
        if (n > 0) {
            elems = wire_arena_alloc(d->arena, (size_t)n * sizeof(*elems));
            if (elems == NULL) {
                return wire_fail(d, -ENOMEM, "out of memory");
            }
        }
        for (uint32_t i = 0; i < n; i++) {
            rc = wire_get_value(d, &o->via.array.ptr[i], elem, (enum shoal_type)0, what, &elems[i]);
            if (rc < 0) {
                return rc;
            }
        }
        v->v.v = elems;
        v->v.n = n;
        return 0;
    }
    }
    return wire_fail(d, -EBADMSG, "%s: unknown type %d", what, (int)t);
}

static int wire_dec_batch(struct wire_dec *d, const msgpack_object *el,
                          struct shoal_wire_log_batch *b)
{
    char what[320];
    int rc;

    if ((rc = wire_get_name(d, &el[2], "sender", WIRE_NAME_NODE, &b->sender)) < 0 ||
        (rc = wire_get_u64(d, &el[3], "epoch", &b->epoch)) < 0 ||
        (rc = wire_get_u64(d, &el[4], "seq", &b->seq)) < 0 ||
        (rc = wire_get_u64(d, &el[5], "base", &b->base)) < 0 ||
        (rc = wire_get_name(d, &el[6], "path", WIRE_NAME_STREAM, &b->path)) < 0) {
        return rc;
    }
    if (b->base == 0 || b->base > b->seq) {
        return wire_fail(d, -EBADMSG, "base %llu not in 1..seq %llu", (unsigned long long)b->base,
                         (unsigned long long)b->seq);
    }

    const msgpack_object *fo = &el[7];
    if (fo->type != MSGPACK_OBJECT_ARRAY) {
        return wire_mismatch(d, "fields", "array", fo);
    }
    size_t nf = fo->via.array.size;
    if (nf == 0) {
        return wire_fail(d, -EBADMSG, "fields: empty");
    }
    if (nf > SHOAL_WIRE_MAX_FIELDS) {
        return wire_fail(d, -E2BIG, "%zu fields exceed %u", nf, SHOAL_WIRE_MAX_FIELDS);
    }
    struct shoal_field *fields = wire_arena_alloc(d->arena, nf * sizeof(*fields));
    if (fields == NULL) {
        return wire_fail(d, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nf; i++) {
        const msgpack_object *f = &fo->via.array.ptr[i];
        uint64_t type = 0, elem = 0;
        if (f->type != MSGPACK_OBJECT_ARRAY || f->via.array.size != 3) {
            return wire_fail(d, -EBADMSG, "field %zu: want [name, type, elem]", i);
        }
        snprintf(what, sizeof(what), "field %zu", i);
        if ((rc = wire_get_name(d, &f->via.array.ptr[0], what, WIRE_NAME_KEY, &fields[i].name)) <
                0 ||
            (rc = wire_get_u64(d, &f->via.array.ptr[1], what, &type)) < 0 ||
            (rc = wire_get_u64(d, &f->via.array.ptr[2], what, &elem)) < 0) {
            return rc;
        }
        if (type > 255 || elem > 255) {
            return wire_fail(d, -EBADMSG, "field %zu: unknown type %llu/%llu", i,
                             (unsigned long long)type, (unsigned long long)elem);
        }
        rc = wire_field_check((unsigned)type, (unsigned)elem);
        if (rc == -E2BIG) {
            return wire_fail(d, -E2BIG, "field %zu: container of containers", i);
        }
        if (rc < 0) {
            return wire_fail(d, -EBADMSG, "field %zu: unknown type %llu/%llu", i,
                             (unsigned long long)type, (unsigned long long)elem);
        }
        fields[i].type = (enum shoal_type)type;
        fields[i].elem = (enum shoal_type)elem;
    }
    b->fields = fields;
    b->n_fields = nf;

    const msgpack_object *ro = &el[8];
    if (ro->type != MSGPACK_OBJECT_ARRAY) {
        return wire_mismatch(d, "records", "array", ro);
    }
    size_t nr = ro->via.array.size;
    if (nr > SHOAL_WIRE_MAX_RECORDS) {
        return wire_fail(d, -E2BIG, "%zu records exceed %u", nr, SHOAL_WIRE_MAX_RECORDS);
    }
    /* Check every record's shape before allocating nr * nf values. */
    for (size_t r = 0; r < nr; r++) {
        const msgpack_object *rec = &ro->via.array.ptr[r];
        if (rec->type != MSGPACK_OBJECT_ARRAY || rec->via.array.size != nf) {
            return wire_fail(d, -EBADMSG, "record %zu: want an array of %zu values", r, nf);
        }
    }
    struct shoal_value *vals = NULL;
    if (nr > 0) {
        vals = wire_arena_alloc(d->arena, nr * nf * sizeof(*vals));
        if (vals == NULL) {
            return wire_fail(d, -ENOMEM, "out of memory");
        }
    }
    for (size_t r = 0; r < nr; r++) {
        const msgpack_object *rec = ro->via.array.ptr[r].via.array.ptr;
        for (size_t i = 0; i < nf; i++) {
            rc = wire_get_value(d, &rec[i], fields[i].type, fields[i].elem, fields[i].name,
                                &vals[r * nf + i]);
            if (rc < 0) {
                wire_prefix(d, "record %zu field ", r);
                return rc;
            }
        }
    }
    b->records = vals;
    b->n_records = nr;
    return 0;
}

static int wire_dec_heartbeat(struct wire_dec *d, const msgpack_object *el,
                              struct shoal_wire_heartbeat *h)
{
    int rc;

    if ((rc = wire_get_name(d, &el[2], "sender", WIRE_NAME_NODE, &h->sender)) < 0 ||
        (rc = wire_get_u64(d, &el[3], "epoch", &h->epoch)) < 0 ||
        (rc = wire_get_finite(d, &el[4], "ts", &h->ts)) < 0) {
        return rc;
    }
    return 0;
}

static int wire_dec_ack(struct wire_dec *d, const msgpack_object *el, struct shoal_wire_log_ack *a)
{
    int rc;

    if ((rc = wire_get_name(d, &el[2], "sender", WIRE_NAME_NODE, &a->sender)) < 0 ||
        (rc = wire_get_u64(d, &el[3], "epoch", &a->epoch)) < 0 ||
        (rc = wire_get_u64(d, &el[4], "seq", &a->seq)) < 0) {
        return rc;
    }
    return 0;
}

static int wire_dec_notice(struct wire_dec *d, const msgpack_object *el,
                           struct shoal_notice_info *n)
{
    uint64_t proto = 0;
    int rc;

    if ((rc = wire_get_name(d, &el[2], "sender", WIRE_NAME_NODE, &n->sender)) < 0 ||
        (rc = wire_get_finite(d, &el[3], "ts", &n->ts)) < 0 ||
        (rc = wire_get_opt_bytes(d, &el[4], "uid", &n->uid)) < 0) {
        return rc;
    }
    if (n->uid.p != NULL && !wire_text_ok(n->uid.p, n->uid.len, SHOAL_WIRE_MAX_NAME)) {
        return wire_fail(d, -EBADMSG, "uid: invalid (%zu bytes)", n->uid.len);
    }
    const msgpack_object *id = &el[5];
    n->has_id = id->type != MSGPACK_OBJECT_NIL;
    if (n->has_id) {
        if (id->type != MSGPACK_OBJECT_ARRAY || id->via.array.size != 5) {
            return wire_fail(d, -EBADMSG, "id: want [orig_h, orig_p, resp_h, resp_p, proto]");
        }
        const msgpack_object *f = id->via.array.ptr;
        if ((rc = wire_get_addr(d, &f[0], "id.orig_h", &n->id.orig_h)) < 0 ||
            (rc = wire_get_port(d, &f[1], "id.orig_p", &n->id.orig_p)) < 0 ||
            (rc = wire_get_addr(d, &f[2], "id.resp_h", &n->id.resp_h)) < 0 ||
            (rc = wire_get_port(d, &f[3], "id.resp_p", &n->id.resp_p)) < 0 ||
            (rc = wire_get_u64(d, &f[4], "id.proto", &proto)) < 0) {
            return rc;
        }
        if (proto > 255) {
            return wire_fail(d, -EBADMSG, "id.proto: %llu out of range", (unsigned long long)proto);
        }
        n->id.proto = (uint8_t)proto;
    }
    if ((rc = wire_get_name(d, &el[6], "note", WIRE_NAME_WORD, &n->note)) < 0 ||
        (rc = wire_get_opt_bytes(d, &el[7], "msg", &n->msg)) < 0 ||
        (rc = wire_get_opt_bytes(d, &el[8], "sub", &n->sub)) < 0 ||
        (rc = wire_get_opt_addr(d, &el[9], "src", &n->has_src, &n->src)) < 0 ||
        (rc = wire_get_opt_addr(d, &el[10], "dst", &n->has_dst, &n->dst)) < 0) {
        return rc;
    }
    n->has_p = el[11].type != MSGPACK_OBJECT_NIL;
    if (n->has_p) {
        if (el[11].type != MSGPACK_OBJECT_ARRAY || el[11].via.array.size != 2) {
            return wire_fail(d, -EBADMSG, "p: want [port, proto]");
        }
        if ((rc = wire_get_port(d, &el[11].via.array.ptr[0], "p", &n->p)) < 0 ||
            (rc = wire_get_u64(d, &el[11].via.array.ptr[1], "p.proto", &proto)) < 0) {
            return rc;
        }
        if (proto > 255) {
            return wire_fail(d, -EBADMSG, "p.proto: %llu out of range", (unsigned long long)proto);
        }
        n->p_proto = (uint8_t)proto;
    }
    n->has_n = el[12].type != MSGPACK_OBJECT_NIL;
    if (n->has_n && (rc = wire_get_u64(d, &el[12], "n", &n->n)) < 0) {
        return rc;
    }
    struct shoal_str ident;
    if ((rc = wire_get_opt_bytes(d, &el[13], "identifier", &ident)) < 0) {
        return rc;
    }
    if (ident.p != NULL && memchr(ident.p, '\0', ident.len) != NULL) {
        return wire_fail(d, -EBADMSG, "identifier: contains NUL");
    }
    n->identifier = ident.p;
    if ((rc = wire_get_finite(d, &el[14], "suppress_for", &n->suppress_for)) < 0) {
        return rc;
    }
    if (n->suppress_for < 0) {
        return wire_fail(d, -EBADMSG, "suppress_for: negative");
    }
    return 0;
}

static int wire_dec_state(struct wire_dec *d, const msgpack_object *el, struct shoal_wire_state *s)
{
    int rc;

    if ((rc = wire_get_name(d, &el[2], "sender", WIRE_NAME_NODE, &s->sender)) < 0 ||
        (rc = wire_get_name(d, &el[3], "kind", WIRE_NAME_NODE, &s->kind)) < 0 ||
        (rc = wire_get_bytes(d, &el[4], "key", &s->key)) < 0 ||
        (rc = wire_get_u64(d, &el[5], "value", &s->value)) < 0 ||
        (rc = wire_get_finite(d, &el[6], "expire", &s->expire)) < 0) {
        return rc;
    }
    return 0;
}

static int wire_dec_request(struct wire_dec *d, const msgpack_object *el,
                            struct shoal_wire_ctl_request *r)
{
    int rc;

    if ((rc = wire_get_u64(d, &el[2], "id", &r->id)) < 0 ||
        (rc = wire_get_name(d, &el[3], "command", WIRE_NAME_WORD, &r->command)) < 0) {
        return rc;
    }
    if (el[4].type != MSGPACK_OBJECT_ARRAY) {
        return wire_mismatch(d, "args", "array", &el[4]);
    }
    size_t n = el[4].via.array.size;
    if (n > SHOAL_WIRE_MAX_ARGS) {
        return wire_fail(d, -E2BIG, "%zu args exceed %u", n, SHOAL_WIRE_MAX_ARGS);
    }
    struct shoal_str *args = NULL;
    if (n > 0) {
        args = wire_arena_alloc(d->arena, n * sizeof(*args));
        if (args == NULL) {
            return wire_fail(d, -ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = wire_get_bytes(d, &el[4].via.array.ptr[i], "arg", &args[i])) < 0) {
            return rc;
        }
    }
    r->args = args;
    r->n_args = n;
    return 0;
}

static int wire_dec_reply(struct wire_dec *d, const msgpack_object *el,
                          struct shoal_wire_ctl_reply *r)
{
    int rc;

    if ((rc = wire_get_u64(d, &el[2], "id", &r->id)) < 0 ||
        (rc = wire_get_i64(d, &el[3], "status", &r->status)) < 0) {
        return rc;
    }
    if (el[4].type != MSGPACK_OBJECT_MAP) {
        return wire_mismatch(d, "items", "map", &el[4]);
    }
    size_t n = el[4].via.map.size;
    if (n > SHOAL_WIRE_MAX_ARGS) {
        return wire_fail(d, -E2BIG, "%zu items exceed %u", n, SHOAL_WIRE_MAX_ARGS);
    }
    struct shoal_wire_kv *items = NULL;
    if (n > 0) {
        items = wire_arena_alloc(d->arena, n * sizeof(*items));
        if (items == NULL) {
            return wire_fail(d, -ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        const msgpack_object_kv *kv = &el[4].via.map.ptr[i];
        if ((rc = wire_get_name(d, &kv->key, "item key", WIRE_NAME_KEY, &items[i].key)) < 0 ||
            (rc = wire_get_bytes(d, &kv->val, "item value", &items[i].value)) < 0) {
            return rc;
        }
    }
    r->items = items;
    r->n_items = n;
    return 0;
}

/* Elements of each message type's top-level array. */
static const uint32_t wire_type_arity[] = {
    [SHOAL_WIRE_LOG_BATCH] = 9,    [SHOAL_WIRE_LOG_ACK] = 5,         [SHOAL_WIRE_NOTICE] = 15,
    [SHOAL_WIRE_STATE_UPDATE] = 7, [SHOAL_WIRE_CONTROL_REQUEST] = 5, [SHOAL_WIRE_CONTROL_REPLY] = 5,
    [SHOAL_WIRE_HEARTBEAT] = 5,
};

int shoal_wire_decode(const uint8_t *buf, size_t len, enum shoal_wire_type expect,
                      struct shoal_wire_msg *m, char *err, size_t errlen)
{
    struct wire_dec d = {.err = err, .errlen = errlen};
    msgpack_unpacked up;
    size_t off = 0;
    uint64_t version = 0, type = 0;
    int rc;

    memset(m, 0, sizeof(*m));
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    if (buf == NULL && len > 0) {
        return wire_fail(&d, -EINVAL, "no buffer");
    }
    rc = wire_scan(&d, buf, len);
    if (rc < 0) {
        return rc;
    }

    msgpack_unpacked_init(&up);
    msgpack_unpack_return ur = msgpack_unpack_next(&up, (const char *)buf, len, &off);
    if (ur == MSGPACK_UNPACK_NOMEM_ERROR) {
        rc = wire_fail(&d, -ENOMEM, "msgpack: out of memory");
        goto out_unpacked;
    }
    if ((ur != MSGPACK_UNPACK_SUCCESS && ur != MSGPACK_UNPACK_EXTRA_BYTES) || off != len) {
        rc = wire_fail(&d, -EBADMSG, "msgpack: parse error %d at %zu", (int)ur, off);
        goto out_unpacked;
    }

    const msgpack_object *root = &up.data;
    if (root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size < 2) {
        rc =
            wire_fail(&d, -EBADMSG, "body: want [version, type, ...], got %s", wire_obj_kind(root));
        goto out_unpacked;
    }
    const msgpack_object *el = root->via.array.ptr;
    if ((rc = wire_get_u64(&d, &el[0], "version", &version)) < 0) {
        goto out_unpacked;
    }
    if (version != SHOAL_WIRE_VERSION) {
        rc = wire_fail(&d, -EPROTONOSUPPORT, "version %llu, want %d", (unsigned long long)version,
                       SHOAL_WIRE_VERSION);
        goto out_unpacked;
    }
    if ((rc = wire_get_u64(&d, &el[1], "type", &type)) < 0) {
        goto out_unpacked;
    }
    if (type < SHOAL_WIRE_LOG_BATCH || type > SHOAL_WIRE_TYPE_LAST) {
        rc = wire_fail(&d, -EBADMSG, "unknown message type %llu", (unsigned long long)type);
        goto out_unpacked;
    }
    if (expect != 0 && type != (uint64_t)expect) {
        rc = wire_fail(&d, -EBADMSG, "got %s, want %s", shoal_wire_type_name(type),
                       shoal_wire_type_name(expect));
        goto out_unpacked;
    }
    if (root->via.array.size != wire_type_arity[type]) {
        rc = wire_fail(&d, -EBADMSG, "%s: %u elements, want %u", shoal_wire_type_name(type),
                       root->via.array.size, wire_type_arity[type]);
        goto out_unpacked;
    }

    d.arena = calloc(1, sizeof(*d.arena));
    if (d.arena == NULL) {
        rc = wire_fail(&d, -ENOMEM, "out of memory");
        goto out_unpacked;
    }
    d.arena->next_cap = WIRE_ARENA_FIRST;
    m->type = (enum shoal_wire_type)type;
    switch (m->type) {
    case SHOAL_WIRE_LOG_BATCH:
        rc = wire_dec_batch(&d, el, &m->batch);
        break;
    case SHOAL_WIRE_LOG_ACK:
        rc = wire_dec_ack(&d, el, &m->ack);
        break;
    case SHOAL_WIRE_NOTICE:
        rc = wire_dec_notice(&d, el, &m->notice);
        break;
    case SHOAL_WIRE_STATE_UPDATE:
        rc = wire_dec_state(&d, el, &m->state);
        break;
    case SHOAL_WIRE_CONTROL_REQUEST:
        rc = wire_dec_request(&d, el, &m->req);
        break;
    case SHOAL_WIRE_CONTROL_REPLY:
        rc = wire_dec_reply(&d, el, &m->rep);
        break;
    case SHOAL_WIRE_HEARTBEAT:
        rc = wire_dec_heartbeat(&d, el, &m->hb);
        break;
    }
    if (rc < 0) {
        goto out_arena;
    }
    m->arena = d.arena;
    msgpack_unpacked_destroy(&up);
    return 0;

out_arena:
    wire_arena_free(d.arena);
    memset(m, 0, sizeof(*m));
out_unpacked:
    msgpack_unpacked_destroy(&up);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* One-pass LOG_BATCH decoder (the manager's hot path) */

/*
 * It reads the body front to back once, with the same checks as wire_scan
 * and wire_dec_batch folded into the walk, and refuses at the first thing
 * either would refuse.  Refusals are rare, so their reason is not built
 * here: the body then goes through shoal_wire_decode, whose return and
 * message are the ones reported, which keeps both decoders' errors the same
 * by construction.  Two orders differ from the two-pass decoder and need no
 * care for that reason: a framing error late in the body and a type error
 * early in it both end here in a refusal, whichever is met first.
 *
 * Values go into `vals` (n_records * n_fields) and set or vector elements
 * into `elems`, both kept between calls; while `elems` may still move, a
 * container value holds the index of its first element in v.v.v, turned
 * into a pointer once the body is read.  Every allocation is bounded by
 * what the bytes left can hold (each value takes at least one byte), and the
 * object limit, as in the two-pass decoder.
 */

/* Values kept between batches; a larger array is freed at the next batch. */
#define WIRE_DEC_KEEP 65536u

struct shoal_wire_batch_dec {
    char sender[SHOAL_WIRE_MAX_NAME + 1];
    char path[SHOAL_WIRE_MAX_NAME + 1];
    struct shoal_field fields[SHOAL_WIRE_MAX_FIELDS];
    char names[SHOAL_WIRE_MAX_FIELDS][SHOAL_WIRE_MAX_NAME + 1];
    struct shoal_value *vals;
    size_t vals_cap;
    struct shoal_value *elems;
    size_t elems_cap;
    struct shoal_wire_msg slow; /* a body only shoal_wire_decode accepted */
    uint64_t fallbacks;
};

struct wire_rd {
    const uint8_t *p;
    const uint8_t *end;
    uint64_t objects;
    bool oom;
};

enum wire_kind {
    WIRE_K_NIL,
    WIRE_K_BOOL,
    WIRE_K_UINT,  /* u */
    WIRE_K_NINT,  /* i, < 0 */
    WIRE_K_FLOAT, /* d (float32 widened, as msgpack-c does) */
    WIRE_K_RAW,   /* str or bin: raw, u bytes */
    WIRE_K_BIN,   /* bin only: raw, u bytes */
    WIRE_K_ARRAY, /* u elements */
};

struct wire_item {
    enum wire_kind k;
    bool b;
    uint64_t u;
    int64_t i;
    double d;
    const uint8_t *raw;
};

/* Big-endian 1, 2, 4 or 8 bytes at p (checked by the caller). */
static inline uint64_t wire_ld(const uint8_t *p, unsigned n)
{
    uint64_t v8;
    uint32_t v4;
    uint16_t v2;

    switch (n) {
    case 1:
        return p[0];
    case 2:
        memcpy(&v2, p, 2);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        v2 = __builtin_bswap16(v2);
#endif
        return v2;
    case 4:
        memcpy(&v4, p, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        v4 = __builtin_bswap32(v4);
#endif
        return v4;
    default:
        memcpy(&v8, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        v8 = __builtin_bswap64(v8);
#endif
        return v8;
    }
}

/*
 * One msgpack item at r->p: a scalar with its value, a str/bin with its
 * bytes, or an array header.  False where wire_scan or the layout refuses
 * whatever follows: no bytes left, 0xc1, ext types, maps (no LOG_BATCH
 * position takes one), a string past SHOAL_WIRE_MAX_STR or past the end, an
 * array longer than the bytes left.  The caller counts the object.
 */
static bool wire_rd_item(struct wire_rd *r, struct wire_item *it)
{
    size_t left = (size_t)(r->end - r->p);
    unsigned n;
    uint8_t b;

    if (left == 0) {
        return false;
    }
    b = *r->p++;
    left--;
    if (b <= 0x7f) {
        it->k = WIRE_K_UINT;
        it->u = b;
        return true;
    }
    if (b >= 0xe0) {
        it->k = WIRE_K_NINT;
        it->i = (int8_t)b;
        return true;
    }
    if (b >= 0xa0 && b <= 0xbf) {
        it->k = WIRE_K_RAW;
        it->u = b & 0x1fu;
        goto raw_body;
    }
    if (b >= 0x90 && b <= 0x9f) {
        it->k = WIRE_K_ARRAY;
        it->u = b & 0x0fu;
        goto array_check;
    }
    switch (b) {
    case 0xc0:
        it->k = WIRE_K_NIL;
        return true;
    case 0xc2:
    case 0xc3:
        it->k = WIRE_K_BOOL;
        it->b = b == 0xc3;
        return true;
    case 0xc4:
    case 0xc5:
    case 0xc6:
        it->k = WIRE_K_BIN;
        n = 1u << (b - 0xc4);
        goto raw_len;
    case 0xd9:
    case 0xda:
    case 0xdb:
        it->k = WIRE_K_RAW;
        n = 1u << (b - 0xd9);
        goto raw_len;
    case 0xca: {
        float f;
        uint32_t bits;
        if (left < 4) {
            return false;
        }
        bits = (uint32_t)wire_ld(r->p, 4);
        memcpy(&f, &bits, 4);
        it->k = WIRE_K_FLOAT;
        it->d = f;
        r->p += 4;
        return true;
    }
    case 0xcb: {
        uint64_t bits;
        if (left < 8) {
            return false;
        }
        bits = wire_ld(r->p, 8);
        it->k = WIRE_K_FLOAT;
        memcpy(&it->d, &bits, 8);
        r->p += 8;
        return true;
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        n = 1u << (b - 0xcc);
        if (left < n) {
            return false;
        }
        it->k = WIRE_K_UINT;
        it->u = wire_ld(r->p, n);
        r->p += n;
        return true;
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
        int64_t v;
        n = 1u << (b - 0xd0);
        if (left < n) {
            return false;
        }
        uint64_t u = wire_ld(r->p, n);
        r->p += n;
        /* Sign-extend; msgpack-c calls a non-negative one a positive integer. */
        unsigned shift = 64 - 8 * n;
        v = (int64_t)(u << shift) >> shift;
        if (v >= 0) {
            it->k = WIRE_K_UINT;
            it->u = (uint64_t)v;
        } else {
            it->k = WIRE_K_NINT;
            it->i = v;
        }
        return true;
    }
    case 0xdc:
    case 0xdd:
        n = b == 0xdc ? 2 : 4;
        if (left < n) {
            return false;
        }
        it->k = WIRE_K_ARRAY;
        it->u = wire_ld(r->p, n);
        r->p += n;
        left -= n;
        goto array_check;
    default: /* 0xc1, ext types, maps */
        return false;
    }

raw_len:
    if (left < n) {
        return false;
    }
    it->u = wire_ld(r->p, n);
    r->p += n;
    left -= n;
raw_body:
    if (it->u > SHOAL_WIRE_MAX_STR || it->u > left) {
        return false;
    }
    it->raw = r->p;
    r->p += it->u;
    return true;
array_check:
    return it->u <= left;
}

/* One object of the header (before the records), counted. */
static bool wire_rd_head(struct wire_rd *r, struct wire_item *it)
{
    return ++r->objects <= SHOAL_WIRE_MAX_OBJECTS && wire_rd_item(r, it);
}

static bool wire_rd_uint(struct wire_rd *r, uint64_t *u)
{
    struct wire_item it;

    if (!wire_rd_head(r, &it) || it.k != WIRE_K_UINT) {
        return false;
    }
    *u = it.u;
    return true;
}

/* A str or bin (wire_raw). */
static bool wire_rd_raw(struct wire_rd *r, const char **p, size_t *len)
{
    struct wire_item it;

    if (!wire_rd_head(r, &it) || (it.k != WIRE_K_RAW && it.k != WIRE_K_BIN)) {
        return false;
    }
    *p = (const char *)it.raw;
    *len = (size_t)it.u;
    return true;
}

static bool wire_rd_array(struct wire_rd *r, uint64_t *n)
{
    struct wire_item it;

    if (!wire_rd_head(r, &it) || it.k != WIRE_K_ARRAY) {
        return false;
    }
    *n = it.u;
    return true;
}

/* A name into dst (NUL-terminated), checked as wire_get_name checks it. */
static bool wire_rd_name(struct wire_rd *r, enum wire_name_kind kind, char *dst)
{
    const char *p;
    size_t len;
    bool ok;

    if (!wire_rd_raw(r, &p, &len)) {
        return false;
    }
    switch (kind) {
    case WIRE_NAME_NODE:
        ok = wire_name_ok(p, len, false);
        break;
    case WIRE_NAME_STREAM:
        ok = wire_name_ok(p, len, true);
        break;
    default:
        ok = len > 0 && wire_text_ok(p, len, SHOAL_WIRE_MAX_NAME);
        break;
    }
    if (!ok) {
        return false;
    }
    memcpy(dst, p, len);
    dst[len] = '\0';
    return true;
}

/* One scalar value of column type t, as wire_get_value decodes it, from
 * any encoding msgpack-c reads. */
static bool wire_rd_scalar_any(struct wire_rd *r, enum shoal_type t, struct shoal_value *v)
{
    struct wire_item it;

    if (!wire_rd_item(r, &it)) {
        return false;
    }
    memset(v, 0, sizeof(*v));
    if (it.k == WIRE_K_NIL) {
        return true;
    }
    v->present = true;
    switch (t) {
    case SHOAL_T_BOOL:
        if (it.k != WIRE_K_BOOL) {
            return false;
        }
        v->b = it.b;
        return true;
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        if (it.k != WIRE_K_UINT || (t == SHOAL_T_PORT && it.u > 65535)) {
            return false;
        }
        v->u = it.u;
        return true;
    case SHOAL_T_INT:
        if (it.k == WIRE_K_NINT) {
            v->i = it.i;
            return true;
        }
        if (it.k != WIRE_K_UINT || it.u > INT64_MAX) {
            return false;
        }
        v->i = (int64_t)it.u;
        return true;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        if (it.k != WIRE_K_FLOAT) {
            return false;
        }
        v->d = it.d;
        return true;
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        if (it.k != WIRE_K_RAW && it.k != WIRE_K_BIN) {
            return false;
        }
        v->s.p = (const char *)it.raw;
        v->s.len = (size_t)it.u;
        return true;
    case SHOAL_T_ADDR:
        if (it.k != WIRE_K_BIN) {
            return false;
        }
        if (it.u == 4) {
            v->a.addr.b[10] = 0xff;
            v->a.addr.b[11] = 0xff;
            memcpy(v->a.addr.b + 12, it.raw, 4);
            return true;
        }
        if (it.u == 16) {
            memcpy(v->a.addr.b, it.raw, 16);
            return true;
        }
        return false;
    case SHOAL_T_SUBNET:
        if (it.k != WIRE_K_BIN || (it.u != 5 && it.u != 17)) {
            return false;
        }
        if (it.u == 5) {
            v->a.addr.b[10] = 0xff;
            v->a.addr.b[11] = 0xff;
            memcpy(v->a.addr.b + 12, it.raw, 4);
        } else {
            memcpy(v->a.addr.b, it.raw, 16);
        }
        v->a.prefix = it.raw[it.u - 1];
        return v->a.prefix <= 128;
    default:
        return false;
    }
}

/*
 * wire_rd_scalar_any for the encodings wire_put_value writes (fixint, uint
 * 16, float64, bin 8, nil, bools), without the generic item; anything else
 * goes to wire_rd_scalar_any.  Objects are counted by the caller.
 */
static inline bool wire_rd_scalar(struct wire_rd *r, enum shoal_type t, struct shoal_value *v)
{
    const uint8_t *p = r->p;
    size_t left = (size_t)(r->end - p);

    if (left == 0) {
        return false;
    }
    uint8_t b = p[0];
    if (b == 0xc0) {
        memset(v, 0, sizeof(*v));
        r->p = p + 1;
        return true;
    }
    switch (t) {
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        if (b <= 0x7f) {
            memset(v, 0, sizeof(*v));
            v->present = true;
            v->u = b;
            r->p = p + 1;
            return true;
        }
        if (b == 0xcd && left >= 3) {
            memset(v, 0, sizeof(*v));
            v->present = true;
            v->u = wire_ld(p + 1, 2);
            r->p = p + 3;
            return true;
        }
        break;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        if (b == 0xcb && left >= 9) {
            uint64_t bits = wire_ld(p + 1, 8);
            memset(v, 0, sizeof(*v));
            v->present = true;
            memcpy(&v->d, &bits, sizeof(bits));
            r->p = p + 9;
            return true;
        }
        break;
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        if (b == 0xc4 && left >= 2 && p[1] <= left - 2) {
            memset(v, 0, sizeof(*v));
            v->present = true;
            v->s.p = (const char *)p + 2;
            v->s.len = p[1];
            r->p = p + 2 + p[1];
            return true;
        }
        break;
    case SHOAL_T_ADDR:
        if (b == 0xc4 && left >= 6 && p[1] == 4) {
            memset(v, 0, sizeof(*v));
            v->present = true;
            v->a.addr.b[10] = 0xff;
            v->a.addr.b[11] = 0xff;
            memcpy(v->a.addr.b + 12, p + 2, 4);
            r->p = p + 6;
            return true;
        }
        if (b == 0xc4 && left >= 18 && p[1] == 16) {
            memset(v, 0, sizeof(*v));
            v->present = true;
            memcpy(v->a.addr.b, p + 2, 16);
            r->p = p + 18;
            return true;
        }
        break;
    case SHOAL_T_BOOL:
        if (b == 0xc2 || b == 0xc3) {
            memset(v, 0, sizeof(*v));
            v->present = true;
            v->b = b == 0xc3;
            r->p = p + 1;
            return true;
        }
        break;
    default:
        break;
    }
    return wire_rd_scalar_any(r, t, v);
}

/* Room for `need` values in *arr (capacity *cap), growing by doubling. */
static bool wire_dec_reserve(struct shoal_value **arr, size_t *cap, size_t need)
{
    if (need <= *cap) {
        return true;
    }
    size_t ncap = *cap * 2 > need ? *cap * 2 : need;
    struct shoal_value *p = realloc(*arr, ncap * sizeof(*p));
    if (p == NULL) {
        return false;
    }
    *arr = p;
    *cap = ncap;
    return true;
}

/* A set or vector value of element type elem; its elements from *used on. */
static bool wire_rd_container(struct shoal_wire_batch_dec *d, struct wire_rd *r,
                              enum shoal_type elem, struct shoal_value *v, size_t *used)
{
    struct wire_item it;

    if (!wire_rd_item(r, &it)) {
        return false;
    }
    memset(v, 0, sizeof(*v));
    if (it.k == WIRE_K_NIL) {
        return true;
    }
    /* wire_rd_item checked the count against the bytes left; the elements
     * are objects too, counted here. */
    if (it.k != WIRE_K_ARRAY || it.u > SHOAL_WIRE_MAX_ELEMS ||
        it.u > SHOAL_WIRE_MAX_OBJECTS - r->objects) {
        return false;
    }
    size_t n = (size_t)it.u;
    r->objects += n;
    if (!wire_dec_reserve(&d->elems, &d->elems_cap, *used + n)) {
        r->oom = true;
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (!wire_rd_scalar(r, elem, &d->elems[*used + k])) {
            return false;
        }
    }
    v->present = true;
    v->v.v = (const struct shoal_value *)(uintptr_t)*used; /* an index until the end */
    v->v.n = n;
    *used += n;
    return true;
}

static bool wire_rd_batch(struct shoal_wire_batch_dec *d, struct wire_rd *r,
                          struct shoal_wire_log_batch *b)
{
    uint64_t u, nf, nr;

    if ((size_t)(r->end - r->p) > SHOAL_WIRE_MAX_BODY || !wire_rd_array(r, &u) || u != 9 ||
        !wire_rd_uint(r, &u) || u != SHOAL_WIRE_VERSION || !wire_rd_uint(r, &u) ||
        u != SHOAL_WIRE_LOG_BATCH || !wire_rd_name(r, WIRE_NAME_NODE, d->sender) ||
        !wire_rd_uint(r, &b->epoch) || !wire_rd_uint(r, &b->seq) || !wire_rd_uint(r, &b->base) ||
        !wire_rd_name(r, WIRE_NAME_STREAM, d->path) || b->base == 0 || b->base > b->seq) {
        return false;
    }
    if (!wire_rd_array(r, &nf) || nf == 0 || nf > SHOAL_WIRE_MAX_FIELDS) {
        return false;
    }
    for (size_t i = 0; i < nf; i++) {
        uint64_t type, elem;
        if (!wire_rd_array(r, &u) || u != 3 || !wire_rd_name(r, WIRE_NAME_KEY, d->names[i]) ||
            !wire_rd_uint(r, &type) || !wire_rd_uint(r, &elem) || type > 255 || elem > 255 ||
            wire_field_check((unsigned)type, (unsigned)elem) != 0) {
            return false;
        }
        d->fields[i].name = d->names[i];
        d->fields[i].type = (enum shoal_type)type;
        d->fields[i].elem = (enum shoal_type)elem;
    }
    /* Each record and value is an object of at least one byte; they are
     * all counted here, the elements of containers as they come. */
    if (!wire_rd_array(r, &nr) || nr > SHOAL_WIRE_MAX_RECORDS ||
        nr * (nf + 1) > (uint64_t)(r->end - r->p) ||
        nr * (nf + 1) > SHOAL_WIRE_MAX_OBJECTS - r->objects) {
        return false;
    }
    r->objects += nr * (nf + 1);
    if (!wire_dec_reserve(&d->vals, &d->vals_cap, (size_t)(nr * nf))) {
        r->oom = true;
        return false;
    }
    bool containers = false;
    size_t used = 0;
    struct shoal_value *v = d->vals;
    for (size_t k = 0; k < nr; k++) {
        struct wire_item it;
        if (!wire_rd_item(r, &it) || it.k != WIRE_K_ARRAY || it.u != nf) {
            return false;
        }
        for (size_t i = 0; i < nf; i++, v++) {
            enum shoal_type t = d->fields[i].type;
            if (t == SHOAL_T_SET || t == SHOAL_T_VECTOR) {
                containers = true;
                if (!wire_rd_container(d, r, d->fields[i].elem, v, &used)) {
                    return false;
                }
            } else if (!wire_rd_scalar(r, t, v)) {
                return false;
            }
        }
    }
    if (r->p != r->end) {
        return false;
    }
    for (size_t k = 0; containers && k < nr; k++) {
        for (size_t i = 0; i < nf; i++) {
            struct shoal_value *c = &d->vals[k * nf + i];
            enum shoal_type t = d->fields[i].type;
            if ((t == SHOAL_T_SET || t == SHOAL_T_VECTOR) && c->present) {
                c->v.v = c->v.n > 0 ? d->elems + (uintptr_t)c->v.v : NULL;
            }
        }
    }
    b->sender = d->sender;
    b->path = d->path;
    b->fields = d->fields;
    b->n_fields = (size_t)nf;
    b->records = nr > 0 ? d->vals : NULL;
    b->n_records = (size_t)nr;
    return true;
}

struct shoal_wire_batch_dec *shoal_wire_batch_dec_new(void)
{
    return calloc(1, sizeof(struct shoal_wire_batch_dec));
}

void shoal_wire_batch_dec_free(struct shoal_wire_batch_dec *d)
{
    if (d == NULL) {
        return;
    }
    shoal_wire_msg_release(&d->slow);
    free(d->vals);
    free(d->elems);
    free(d);
}

uint64_t shoal_wire_batch_dec_fallbacks(const struct shoal_wire_batch_dec *d)
{
    return d->fallbacks;
}

int shoal_wire_batch_decode(struct shoal_wire_batch_dec *d, const uint8_t *buf, size_t len,
                            struct shoal_wire_log_batch *b, char *err, size_t errlen)
{
    struct wire_rd r = {.p = buf, .end = buf != NULL ? buf + len : NULL};
    int rc;

    shoal_wire_msg_release(&d->slow);
    memset(b, 0, sizeof(*b));
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    if (d->vals_cap > WIRE_DEC_KEEP) {
        free(d->vals);
        d->vals = NULL;
        d->vals_cap = 0;
    }
    if (d->elems_cap > WIRE_DEC_KEEP) {
        free(d->elems);
        d->elems = NULL;
        d->elems_cap = 0;
    }
    if (buf != NULL && wire_rd_batch(d, &r, b)) {
        return 0;
    }
    memset(b, 0, sizeof(*b));
    rc = shoal_wire_decode(buf, len, SHOAL_WIRE_LOG_BATCH, &d->slow, err, errlen);
    if (rc < 0) {
        return rc;
    }
    if (!r.oom) {
        d->fallbacks++;
    }
    *b = d->slow.batch;
    return 0;
}

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
