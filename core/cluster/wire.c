/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cluster message bodies in msgpack (see wire.h), on our codec (mpack.h).
 * Layouts, version 1 (every body is an array; "name" is a msgpack str,
 * "bytes" a bin, "addr" a bin of 4 or 16 bytes, "?" means nil when absent):
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
 * their element values.  A LOG_BATCH's seq and base are always uint 64 and
 * its records array always an array 32 (placeholders filled in at the end
 * of the batch, wire_batch.c); everything else takes its smallest form.
 *
 * Decoding is one pass: the layout of the message type is read item by
 * item from the msgpack reader, which bounds every length and count by the
 * bytes left, and copied into an arena.  Only when that fails is the whole
 * body checked for framing errors (truncation, nesting past
 * SHOAL_WIRE_MAX_DEPTH, strings past SHOAL_WIRE_MAX_STR, ext types,
 * trailing bytes), which are reported before the layout error: a body is
 * judged on its bytes first.  LOG_BATCH bodies are read by wire_batch.c.
 */
#include "cluster/wire.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/wire_priv.h"

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

void *wire_arena_alloc(struct shoal_wire_arena *a, size_t n)
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

char *wire_copy(struct wire_dec *d, const void *p, size_t len)
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

/* ------------------------------------------------------------------------ */
/* Names and topics */

const struct shoal_field shoal_wire_notice_column = {"body", SHOAL_T_STRING, 0};

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

bool wire_name_ok(const char *p, size_t len, bool stream)
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

bool wire_word_ok(const char *p, size_t len)
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

bool wire_text_ok(const char *p, size_t len, size_t max)
{
    return p != NULL && len <= max && memchr(p, '\0', len) == NULL;
}

bool wire_name_kind_ok(enum wire_name_kind kind, const char *p, size_t len)
{
    switch (kind) {
    case WIRE_NAME_NODE:
        return wire_name_ok(p, len, false);
    case WIRE_NAME_STREAM:
        return wire_name_ok(p, len, true);
    case WIRE_NAME_WORD:
        return wire_word_ok(p, len);
    case WIRE_NAME_KEY:
        break;
    }
    return len > 0 && wire_text_ok(p, len, SHOAL_WIRE_MAX_NAME);
}

static bool wire_scalar_type(unsigned t)
{
    return t >= SHOAL_T_BOOL && t <= SHOAL_T_ENUM;
}

int wire_field_check(unsigned type, unsigned elem)
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

/* Keep the first error of w. */
static void wire_wr_error(struct shoal_mpack_wr *w, int rc)
{
    if (w->err == 0) {
        w->err = rc;
    }
}

/* Bytes as a bin: -E2BIG past SHOAL_WIRE_MAX_STR, -EINVAL for NULL. */
static void wire_write_bytes(struct shoal_mpack_wr *w, const void *p, size_t n)
{
    if (n > SHOAL_WIRE_MAX_STR) {
        wire_wr_error(w, -E2BIG);
    } else if (p == NULL && n > 0) {
        wire_wr_error(w, -EINVAL);
    } else {
        shoal_mpack_write_bin(w, p, n);
    }
}

/* Optional bytes: nil when s->p is NULL. */
static void wire_write_opt(struct shoal_mpack_wr *w, const struct shoal_str *s)
{
    if (s->p == NULL) {
        shoal_mpack_write_nil(w);
    } else {
        wire_write_bytes(w, s->p, s->len);
    }
}

static void wire_write_addr(struct shoal_mpack_wr *w, const struct shoal_addr *a)
{
    uint8_t *p = shoal_mpack_wr_room(w, 18);

    if (p != NULL) {
        shoal_mpack_wr_done(w, wire_put_addr(p, a));
    }
}

static void wire_write_opt_addr(struct shoal_mpack_wr *w, bool has, const struct shoal_addr *a)
{
    if (has) {
        wire_write_addr(w, a);
    } else {
        shoal_mpack_write_nil(w);
    }
}

/* The end of an encoder: 0, or the first error with `out` cut back to
 * `start`. */
static int wire_wr_end(struct shoal_mpack_wr *w, size_t start)
{
    if (w->err != 0) {
        w->buf->len = start;
    }
    return w->err;
}

int shoal_wire_encode_heartbeat(struct shoal_buf *out, const struct shoal_wire_heartbeat *h)
{
    struct shoal_mpack_wr w;
    size_t start = out->len;

    if (h->sender == NULL || !wire_name_ok(h->sender, strlen(h->sender), false) ||
        !isfinite(h->ts)) {
        return -EINVAL;
    }
    shoal_mpack_wr_init(&w, out);
    wire_put_head(&w, 5, SHOAL_WIRE_HEARTBEAT);
    shoal_mpack_write_cstr(&w, h->sender);
    shoal_mpack_write_uint(&w, h->epoch);
    shoal_mpack_write_f64(&w, h->ts);
    return wire_wr_end(&w, start);
}

int shoal_wire_encode_log_ack(struct shoal_buf *out, const struct shoal_wire_log_ack *a)
{
    struct shoal_mpack_wr w;
    size_t start = out->len;

    if (a->sender == NULL || !wire_name_ok(a->sender, strlen(a->sender), false)) {
        return -EINVAL;
    }
    shoal_mpack_wr_init(&w, out);
    wire_put_head(&w, 5, SHOAL_WIRE_LOG_ACK);
    shoal_mpack_write_cstr(&w, a->sender);
    shoal_mpack_write_uint(&w, a->epoch);
    shoal_mpack_write_uint(&w, a->seq);
    return wire_wr_end(&w, start);
}

/* What the notice decoder would refuse: 0, -EINVAL or -E2BIG. */
static int wire_notice_check(const struct shoal_notice_info *n)
{
    if (n->sender == NULL || !wire_name_ok(n->sender, strlen(n->sender), false) ||
        n->note == NULL || !wire_word_ok(n->note, strlen(n->note)) || !isfinite(n->ts) ||
        !isfinite(n->suppress_for) || n->suppress_for < 0 ||
        (n->uid.p != NULL && !wire_text_ok(n->uid.p, n->uid.len, SHOAL_WIRE_MAX_NAME))) {
        return -EINVAL;
    }
    if (n->identifier != NULL && strlen(n->identifier) > SHOAL_WIRE_MAX_STR) {
        return -E2BIG;
    }
    return 0;
}

int shoal_wire_encode_notice(struct shoal_buf *out, const struct shoal_notice_info *n)
{
    struct shoal_str ident = shoal_str_of(n->identifier);
    struct shoal_mpack_wr w;
    size_t start = out->len;
    int rc = wire_notice_check(n);

    if (rc < 0) {
        return rc;
    }
    shoal_mpack_wr_init(&w, out);
    wire_put_head(&w, 15, SHOAL_WIRE_NOTICE);
    shoal_mpack_write_cstr(&w, n->sender);
    shoal_mpack_write_f64(&w, n->ts);
    wire_write_opt(&w, &n->uid);
    if (n->has_id) {
        shoal_mpack_write_array(&w, 5);
        wire_write_addr(&w, &n->id.orig_h);
        shoal_mpack_write_uint(&w, n->id.orig_p);
        wire_write_addr(&w, &n->id.resp_h);
        shoal_mpack_write_uint(&w, n->id.resp_p);
        shoal_mpack_write_uint(&w, n->id.proto);
    } else {
        shoal_mpack_write_nil(&w);
    }
    shoal_mpack_write_cstr(&w, n->note);
    wire_write_opt(&w, &n->msg);
    wire_write_opt(&w, &n->sub);
    wire_write_opt_addr(&w, n->has_src, &n->src);
    wire_write_opt_addr(&w, n->has_dst, &n->dst);
    if (n->has_p) {
        shoal_mpack_write_array(&w, 2);
        shoal_mpack_write_uint(&w, n->p);
        shoal_mpack_write_uint(&w, n->p_proto);
    } else {
        shoal_mpack_write_nil(&w);
    }
    if (n->has_n) {
        shoal_mpack_write_uint(&w, n->n);
    } else {
        shoal_mpack_write_nil(&w);
    }
    wire_write_opt(&w, &ident);
    shoal_mpack_write_f64(&w, n->suppress_for);
    return wire_wr_end(&w, start);
}

int shoal_wire_encode_state(struct shoal_buf *out, const struct shoal_wire_state *s)
{
    struct shoal_mpack_wr w;
    size_t start = out->len;

    if (s->sender == NULL || !wire_name_ok(s->sender, strlen(s->sender), false) ||
        s->kind == NULL || !wire_name_ok(s->kind, strlen(s->kind), false) || !isfinite(s->expire)) {
        return -EINVAL;
    }
    shoal_mpack_wr_init(&w, out);
    wire_put_head(&w, 7, SHOAL_WIRE_STATE_UPDATE);
    shoal_mpack_write_cstr(&w, s->sender);
    shoal_mpack_write_cstr(&w, s->kind);
    wire_write_bytes(&w, s->key.p, s->key.len);
    shoal_mpack_write_uint(&w, s->value);
    shoal_mpack_write_f64(&w, s->expire);
    return wire_wr_end(&w, start);
}

int shoal_wire_encode_ctl_request(struct shoal_buf *out, const struct shoal_wire_ctl_request *r)
{
    struct shoal_mpack_wr w;
    size_t start = out->len;

    if (r->command == NULL || !wire_word_ok(r->command, strlen(r->command)) ||
        (r->args == NULL && r->n_args > 0)) {
        return -EINVAL;
    }
    if (r->n_args > SHOAL_WIRE_MAX_ARGS) {
        return -E2BIG;
    }
    shoal_mpack_wr_init(&w, out);
    wire_put_head(&w, 5, SHOAL_WIRE_CONTROL_REQUEST);
    shoal_mpack_write_uint(&w, r->id);
    shoal_mpack_write_cstr(&w, r->command);
    shoal_mpack_write_array(&w, (uint32_t)r->n_args);
    for (size_t i = 0; i < r->n_args; i++) {
        if (r->args[i].p == NULL) {
            wire_wr_error(&w, -EINVAL);
        }
        wire_write_bytes(&w, r->args[i].p, r->args[i].len);
    }
    return wire_wr_end(&w, start);
}

int shoal_wire_encode_ctl_reply(struct shoal_buf *out, const struct shoal_wire_ctl_reply *r)
{
    struct shoal_mpack_wr w;
    size_t start = out->len;

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
    shoal_mpack_wr_init(&w, out);
    wire_put_head(&w, 5, SHOAL_WIRE_CONTROL_REPLY);
    shoal_mpack_write_uint(&w, r->id);
    shoal_mpack_write_int(&w, r->status);
    shoal_mpack_write_map(&w, (uint32_t)r->n_items);
    for (size_t i = 0; i < r->n_items; i++) {
        shoal_mpack_write_cstr(&w, r->items[i].key);
        wire_write_bytes(&w, r->items[i].value.p, r->items[i].value.len);
    }
    return wire_wr_end(&w, start);
}

int shoal_wire_encode(struct shoal_buf *out, const struct shoal_wire_msg *m)
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
/* Decoding: the context, the head and the end of a body */

const struct shoal_mpack_limits wire_limits = {
    .max_bytes = SHOAL_WIRE_MAX_BODY,
    .max_raw = SHOAL_WIRE_MAX_STR,
    .max_objects = SHOAL_WIRE_MAX_OBJECTS,
    .max_depth = SHOAL_WIRE_MAX_DEPTH,
    .ext = false,
};

int wire_dec_start(struct wire_dec *d, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    static const uint8_t none[1];

    shoal_mpack_rd_init(&d->r, buf != NULL ? buf : none, buf != NULL ? len : 0, SHOAL_WIRE_MAX_STR,
                        SHOAL_WIRE_MAX_OBJECTS);
    d->arena = NULL;
    d->err = err;
    d->errlen = errlen;
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    if (buf == NULL && len > 0) {
        return wire_fail(d, -EINVAL, "no buffer");
    }
    if (len > SHOAL_WIRE_MAX_BODY) {
        return wire_fail(d, -E2BIG, "body of %zu bytes exceeds %u", len, SHOAL_WIRE_MAX_BODY);
    }
    return 0;
}

int wire_fail(struct wire_dec *d, int rc, const char *fmt, ...)
{
    va_list ap;

    if (d->err != NULL && d->errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(d->err, d->errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void wire_prefix(struct wire_dec *d, const char *fmt, ...)
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

int wire_read_fail(struct wire_dec *d, int rc)
{
    shoal_mpack_rd_reason(&d->r, d->err, d->errlen);
    return rc;
}

int wire_mismatch(struct wire_dec *d, const char *what, const char *want,
                  const struct shoal_mpack_item *it)
{
    return wire_fail(d, -EBADMSG, "%s: want %s, got %s", what, want,
                     shoal_mpack_type_name(it->type));
}

/* Elements of each message type's top-level array. */
static const uint32_t wire_type_arity[] = {
    [SHOAL_WIRE_LOG_BATCH] = 9,    [SHOAL_WIRE_LOG_ACK] = 5,         [SHOAL_WIRE_NOTICE] = 15,
    [SHOAL_WIRE_STATE_UPDATE] = 7, [SHOAL_WIRE_CONTROL_REQUEST] = 5, [SHOAL_WIRE_CONTROL_REPLY] = 5,
    [SHOAL_WIRE_HEARTBEAT] = 5,
};

int wire_read_head(struct wire_dec *d, enum shoal_wire_type expect, enum shoal_wire_type *type)
{
    struct shoal_mpack_item it;
    uint64_t version = 0, t = 0;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    if (it.type != SHOAL_MPACK_ARRAY || it.n < 2) {
        return wire_fail(d, -EBADMSG, "body: want [version, type, ...], got %s",
                         shoal_mpack_type_name(it.type));
    }
    if ((rc = wire_get_u64(d, "version", &version)) < 0) {
        return rc;
    }
    if (version != SHOAL_WIRE_VERSION) {
        return wire_fail(d, -EPROTONOSUPPORT, "version %llu, want %d", (unsigned long long)version,
                         SHOAL_WIRE_VERSION);
    }
    if ((rc = wire_get_u64(d, "type", &t)) < 0) {
        return rc;
    }
    if (t < SHOAL_WIRE_LOG_BATCH || t > SHOAL_WIRE_TYPE_LAST) {
        return wire_fail(d, -EBADMSG, "unknown message type %llu", (unsigned long long)t);
    }
    if (expect != 0 && t != (uint64_t)expect) {
        return wire_fail(d, -EBADMSG, "got %s, want %s", shoal_wire_type_name(t),
                         shoal_wire_type_name(expect));
    }
    if (it.n != wire_type_arity[t]) {
        return wire_fail(d, -EBADMSG, "%s: %u elements, want %u", shoal_wire_type_name(t), it.n,
                         wire_type_arity[t]);
    }
    *type = (enum shoal_wire_type)t;
    return 0;
}

int wire_dec_finish(struct wire_dec *d, int rc, const uint8_t *buf, size_t len)
{
    if (rc == 0 && d->r.p != d->r.end) {
        rc = wire_fail(d, -EBADMSG, "%zu trailing bytes", shoal_mpack_rd_left(&d->r));
    }
    if (rc == 0 || rc == -ENOMEM || rc == -EINVAL) {
        return rc;
    }
    int frc = shoal_mpack_check(buf, len, &wire_limits, d->err, d->errlen);
    return frc < 0 ? frc : rc;
}

/* ------------------------------------------------------------------------ */
/* Decoding: item getters */

int wire_get_u64(struct wire_dec *d, const char *what, uint64_t *u)
{
    struct shoal_mpack_item it;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    if (it.type != SHOAL_MPACK_UINT) {
        return wire_mismatch(d, what, "uint", &it);
    }
    *u = it.u;
    return 0;
}

static int wire_get_i64(struct wire_dec *d, const char *what, int64_t *i)
{
    struct shoal_mpack_item it;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    if (it.type == SHOAL_MPACK_INT || (it.type == SHOAL_MPACK_UINT && it.u <= INT64_MAX)) {
        *i = it.i;
        return 0;
    }
    return wire_mismatch(d, what, "int64", &it);
}

/* A finite float. */
static int wire_get_finite(struct wire_dec *d, const char *what, double *v)
{
    struct shoal_mpack_item it;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    if (it.type != SHOAL_MPACK_FLOAT) {
        return wire_mismatch(d, what, "float", &it);
    }
    if (!isfinite(it.d)) {
        return wire_fail(d, -EBADMSG, "%s: not a finite number", what);
    }
    *v = it.d;
    return 0;
}

int wire_get_array(struct wire_dec *d, const char *what, uint32_t *n)
{
    struct shoal_mpack_item it;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    if (it.type != SHOAL_MPACK_ARRAY) {
        return wire_mismatch(d, what, "array", &it);
    }
    *n = it.n;
    return 0;
}

/* A str or bin item (nil too when opt) into the arena: p == NULL for nil. */
static int wire_item_bytes(struct wire_dec *d, const struct shoal_mpack_item *it, const char *what,
                           bool opt, struct shoal_str *out)
{
    out->p = NULL;
    out->len = 0;
    if (opt && it->type == SHOAL_MPACK_NIL) {
        return 0;
    }
    if (it->type != SHOAL_MPACK_STR && it->type != SHOAL_MPACK_BIN) {
        return wire_mismatch(d, what, "str or bin", it);
    }
    out->p = wire_copy(d, it->raw, it->len);
    out->len = it->len;
    return out->p == NULL ? wire_fail(d, -ENOMEM, "out of memory") : 0;
}

static int wire_get_bytes(struct wire_dec *d, const char *what, bool opt, struct shoal_str *out)
{
    struct shoal_mpack_item it;
    int rc = wire_next(d, &it);

    return rc < 0 ? rc : wire_item_bytes(d, &it, what, opt, out);
}

/* A name's bytes, checked for its kind. */
static int wire_get_name_raw(struct wire_dec *d, const char *what, enum wire_name_kind kind,
                             struct shoal_mpack_item *it)
{
    int rc = wire_next(d, it);

    if (rc < 0) {
        return rc;
    }
    if (it->type != SHOAL_MPACK_STR && it->type != SHOAL_MPACK_BIN) {
        return wire_mismatch(d, what, "str or bin", it);
    }
    if (!wire_name_kind_ok(kind, (const char *)it->raw, it->len)) {
        return wire_fail(d, -EBADMSG, "%s: invalid name (%u bytes)", what, it->len);
    }
    return 0;
}

int wire_get_name(struct wire_dec *d, const char *what, enum wire_name_kind kind, const char **out)
{
    struct shoal_mpack_item it;
    int rc = wire_get_name_raw(d, what, kind, &it);

    if (rc < 0) {
        return rc;
    }
    *out = wire_copy(d, it.raw, it.len);
    return *out == NULL ? wire_fail(d, -ENOMEM, "out of memory") : 0;
}

int wire_get_name_to(struct wire_dec *d, const char *what, enum wire_name_kind kind, char *dst)
{
    struct shoal_mpack_item it;
    int rc = wire_get_name_raw(d, what, kind, &it);

    if (rc < 0) {
        return rc;
    }
    memcpy(dst, it.raw, it.len);
    dst[it.len] = '\0';
    return 0;
}

/* An address, or nil when opt (then *has is false). */
static int wire_get_addr(struct wire_dec *d, const char *what, bool opt, bool *has,
                         struct shoal_addr *a)
{
    struct shoal_mpack_item it;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    *has = !opt || it.type != SHOAL_MPACK_NIL;
    if (!*has) {
        memset(a, 0, sizeof(*a));
        return 0;
    }
    return wire_item_addr(d, &it, what, a);
}

/* A uint of at most max ("port" or "proto" says which in the reason). */
static int wire_get_small(struct wire_dec *d, const char *what, uint64_t max, uint64_t *v)
{
    int rc = wire_get_u64(d, what, v);

    if (rc == 0 && *v > max && max == 65535) {
        return wire_fail(d, -EBADMSG, "%s: port %llu out of range", what, (unsigned long long)*v);
    }
    if (rc == 0 && *v > max) {
        return wire_fail(d, -EBADMSG, "%s: %llu out of range", what, (unsigned long long)*v);
    }
    return rc;
}

static int wire_get_port(struct wire_dec *d, const char *what, uint16_t *p)
{
    uint64_t v = 0;
    int rc = wire_get_small(d, what, 65535, &v);

    *p = (uint16_t)v;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Decoding: the small messages */

static int wire_dec_heartbeat(struct wire_dec *d, struct shoal_wire_heartbeat *h)
{
    int rc;

    if ((rc = wire_get_name(d, "sender", WIRE_NAME_NODE, &h->sender)) < 0 ||
        (rc = wire_get_u64(d, "epoch", &h->epoch)) < 0 ||
        (rc = wire_get_finite(d, "ts", &h->ts)) < 0) {
        return rc;
    }
    return 0;
}

static int wire_dec_ack(struct wire_dec *d, struct shoal_wire_log_ack *a)
{
    int rc;

    if ((rc = wire_get_name(d, "sender", WIRE_NAME_NODE, &a->sender)) < 0 ||
        (rc = wire_get_u64(d, "epoch", &a->epoch)) < 0 ||
        (rc = wire_get_u64(d, "seq", &a->seq)) < 0) {
        return rc;
    }
    return 0;
}

/* A notice's [orig_h, orig_p, resp_h, resp_p, proto] or nil. */
static int wire_dec_conn_id(struct wire_dec *d, struct shoal_notice_info *n)
{
    struct shoal_mpack_item it;
    uint64_t proto = 0;
    bool has;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    n->has_id = it.type != SHOAL_MPACK_NIL;
    if (!n->has_id) {
        return 0;
    }
    if (it.type != SHOAL_MPACK_ARRAY || it.n != 5) {
        return wire_fail(d, -EBADMSG, "id: want [orig_h, orig_p, resp_h, resp_p, proto]");
    }
    if ((rc = wire_get_addr(d, "id.orig_h", false, &has, &n->id.orig_h)) < 0 ||
        (rc = wire_get_port(d, "id.orig_p", &n->id.orig_p)) < 0 ||
        (rc = wire_get_addr(d, "id.resp_h", false, &has, &n->id.resp_h)) < 0 ||
        (rc = wire_get_port(d, "id.resp_p", &n->id.resp_p)) < 0 ||
        (rc = wire_get_small(d, "id.proto", 255, &proto)) < 0) {
        return rc;
    }
    n->id.proto = (uint8_t)proto;
    return 0;
}

/* A notice's [p, proto] or nil, then its n or nil. */
static int wire_dec_notice_counts(struct wire_dec *d, struct shoal_notice_info *n)
{
    struct shoal_mpack_item it;
    uint64_t proto = 0;
    int rc = wire_next(d, &it);

    if (rc < 0) {
        return rc;
    }
    n->has_p = it.type != SHOAL_MPACK_NIL;
    if (n->has_p) {
        if (it.type != SHOAL_MPACK_ARRAY || it.n != 2) {
            return wire_fail(d, -EBADMSG, "p: want [port, proto]");
        }
        if ((rc = wire_get_port(d, "p", &n->p)) < 0 ||
            (rc = wire_get_small(d, "p.proto", 255, &proto)) < 0) {
            return rc;
        }
        n->p_proto = (uint8_t)proto;
    }
    if ((rc = wire_next(d, &it)) < 0) {
        return rc;
    }
    n->has_n = it.type != SHOAL_MPACK_NIL;
    if (n->has_n && it.type != SHOAL_MPACK_UINT) {
        return wire_mismatch(d, "n", "uint", &it);
    }
    n->n = n->has_n ? it.u : 0;
    return 0;
}

static int wire_dec_notice(struct wire_dec *d, struct shoal_notice_info *n)
{
    struct shoal_str ident;
    int rc;

    if ((rc = wire_get_name(d, "sender", WIRE_NAME_NODE, &n->sender)) < 0 ||
        (rc = wire_get_finite(d, "ts", &n->ts)) < 0 ||
        (rc = wire_get_bytes(d, "uid", true, &n->uid)) < 0) {
        return rc;
    }
    if (n->uid.p != NULL && !wire_text_ok(n->uid.p, n->uid.len, SHOAL_WIRE_MAX_NAME)) {
        return wire_fail(d, -EBADMSG, "uid: invalid (%zu bytes)", n->uid.len);
    }
    if ((rc = wire_dec_conn_id(d, n)) < 0 ||
        (rc = wire_get_name(d, "note", WIRE_NAME_WORD, &n->note)) < 0 ||
        (rc = wire_get_bytes(d, "msg", true, &n->msg)) < 0 ||
        (rc = wire_get_bytes(d, "sub", true, &n->sub)) < 0 ||
        (rc = wire_get_addr(d, "src", true, &n->has_src, &n->src)) < 0 ||
        (rc = wire_get_addr(d, "dst", true, &n->has_dst, &n->dst)) < 0 ||
        (rc = wire_dec_notice_counts(d, n)) < 0 ||
        (rc = wire_get_bytes(d, "identifier", true, &ident)) < 0) {
        return rc;
    }
    if (ident.p != NULL && memchr(ident.p, '\0', ident.len) != NULL) {
        return wire_fail(d, -EBADMSG, "identifier: contains NUL");
    }
    n->identifier = ident.p;
    if ((rc = wire_get_finite(d, "suppress_for", &n->suppress_for)) < 0) {
        return rc;
    }
    if (n->suppress_for < 0) {
        return wire_fail(d, -EBADMSG, "suppress_for: negative");
    }
    return 0;
}

static int wire_dec_state(struct wire_dec *d, struct shoal_wire_state *s)
{
    int rc;

    if ((rc = wire_get_name(d, "sender", WIRE_NAME_NODE, &s->sender)) < 0 ||
        (rc = wire_get_name(d, "kind", WIRE_NAME_NODE, &s->kind)) < 0 ||
        (rc = wire_get_bytes(d, "key", false, &s->key)) < 0 ||
        (rc = wire_get_u64(d, "value", &s->value)) < 0 ||
        (rc = wire_get_finite(d, "expire", &s->expire)) < 0) {
        return rc;
    }
    return 0;
}

static int wire_dec_request(struct wire_dec *d, struct shoal_wire_ctl_request *r)
{
    struct shoal_str *args = NULL;
    uint32_t n = 0;
    int rc;

    if ((rc = wire_get_u64(d, "id", &r->id)) < 0 ||
        (rc = wire_get_name(d, "command", WIRE_NAME_WORD, &r->command)) < 0 ||
        (rc = wire_get_array(d, "args", &n)) < 0) {
        return rc;
    }
    if (n > SHOAL_WIRE_MAX_ARGS) {
        return wire_fail(d, -E2BIG, "%u args exceed %u", n, SHOAL_WIRE_MAX_ARGS);
    }
    if (n > 0 && (args = wire_arena_alloc(d->arena, n * sizeof(*args))) == NULL) {
        return wire_fail(d, -ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++) {
        if ((rc = wire_get_bytes(d, "arg", false, &args[i])) < 0) {
            return rc;
        }
    }
    r->args = args;
    r->n_args = n;
    return 0;
}

static int wire_dec_reply(struct wire_dec *d, struct shoal_wire_ctl_reply *r)
{
    struct shoal_mpack_item it;
    struct shoal_wire_kv *items = NULL;
    int rc;

    if ((rc = wire_get_u64(d, "id", &r->id)) < 0 ||
        (rc = wire_get_i64(d, "status", &r->status)) < 0 || (rc = wire_next(d, &it)) < 0) {
        return rc;
    }
    if (it.type != SHOAL_MPACK_MAP) {
        return wire_mismatch(d, "items", "map", &it);
    }
    if (it.n > SHOAL_WIRE_MAX_ARGS) {
        return wire_fail(d, -E2BIG, "%u items exceed %u", it.n, SHOAL_WIRE_MAX_ARGS);
    }
    if (it.n > 0 && (items = wire_arena_alloc(d->arena, it.n * sizeof(*items))) == NULL) {
        return wire_fail(d, -ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < it.n; i++) {
        if ((rc = wire_get_name(d, "item key", WIRE_NAME_KEY, &items[i].key)) < 0 ||
            (rc = wire_get_bytes(d, "item value", false, &items[i].value)) < 0) {
            return rc;
        }
    }
    r->items = items;
    r->n_items = it.n;
    return 0;
}

/* The body of a message of type m->type after its head. */
static int wire_dec_body(struct wire_dec *d, struct shoal_wire_msg *m)
{
    switch (m->type) {
    case SHOAL_WIRE_LOG_BATCH:
        return wire_dec_log_batch(d, &m->batch);
    case SHOAL_WIRE_LOG_ACK:
        return wire_dec_ack(d, &m->ack);
    case SHOAL_WIRE_NOTICE:
        return wire_dec_notice(d, &m->notice);
    case SHOAL_WIRE_STATE_UPDATE:
        return wire_dec_state(d, &m->state);
    case SHOAL_WIRE_CONTROL_REQUEST:
        return wire_dec_request(d, &m->req);
    case SHOAL_WIRE_CONTROL_REPLY:
        return wire_dec_reply(d, &m->rep);
    case SHOAL_WIRE_HEARTBEAT:
        return wire_dec_heartbeat(d, &m->hb);
    }
    return wire_fail(d, -EBADMSG, "unknown message type %d", (int)m->type);
}

int shoal_wire_decode(const uint8_t *buf, size_t len, enum shoal_wire_type expect,
                      struct shoal_wire_msg *m, char *err, size_t errlen)
{
    struct wire_dec d;
    enum shoal_wire_type type = 0;
    int rc;

    memset(m, 0, sizeof(*m));
    rc = wire_dec_start(&d, buf, len, err, errlen);
    if (rc < 0) {
        return rc;
    }
    rc = wire_read_head(&d, expect, &type);
    if (rc == 0) {
        d.arena = calloc(1, sizeof(*d.arena));
        if (d.arena == NULL) {
            return wire_fail(&d, -ENOMEM, "out of memory");
        }
        d.arena->next_cap = WIRE_ARENA_FIRST;
        m->type = type;
        rc = wire_dec_body(&d, m);
    }
    rc = wire_dec_finish(&d, rc, buf, len);
    if (rc < 0) {
        wire_arena_free(d.arena);
        memset(m, 0, sizeof(*m));
        return rc;
    }
    m->arena = d.arena;
    return 0;
}
