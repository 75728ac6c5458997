/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Analyzer dispatch (see analyzer.h).  Port tables are bitmasks of analyzer
 * indexes, one per port number, so attaching by port costs one load.
 * Signature matching copies at most SIG_WINDOW bytes of the first payload of
 * a direction, once per direction and only on connections no analyzer
 * holds, so it stays off the hot path.
 */
#include "engine/analyzer.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/conn.h"
#include "engine/tcp.h"
#include "lib/diag.h"

#define SIG_WINDOW 512
#define AN_PORTS_DONE 4 /* in conn->dpd: port analyzers were attached */

int shoal_service_bit(struct shoal_analyzers *a, const char *service)
{
    for (size_t i = 0; i < a->nservices; i++) {
        if (strcmp(a->services[i], service) == 0) {
            return (int)i;
        }
    }
    if (a->nservices == SHOAL_MAX_SERVICES) {
        return -1;
    }
    a->services[a->nservices] = service;
    return (int)a->nservices++;
}

int shoal_analyzers_init(struct shoal_analyzers *a)
{
    memset(a, 0, sizeof(*a));
    a->tcp_ports = calloc(65536, sizeof(uint64_t));
    a->udp_ports = calloc(65536, sizeof(uint64_t));
    if (a->tcp_ports == NULL || a->udp_ports == NULL) {
        shoal_analyzers_free(a);
        return -ENOMEM;
    }
    return 0;
}

/* Compile and append the signatures of analyzer `idx`.  A bad one is
 * logged and skipped.  0 or -ENOMEM. */
static int an_add_signatures(struct shoal_analyzers *a, uint16_t idx, const char *who)
{
    const struct shoal_analyzer_ops *ops = a->v[idx].ops;

    for (const struct shoal_signature *s = ops->signatures; s != NULL && s->regex != NULL; s++) {
        struct shoal_an_sig *sigs = realloc(a->sigs, (a->nsigs + 1) * sizeof(*sigs));
        if (sigs == NULL) {
            return -ENOMEM;
        }
        a->sigs = sigs;
        struct shoal_an_sig *sig = &a->sigs[a->nsigs];
        int rc = regcomp(&sig->re, s->regex, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &sig->re, why, sizeof(why));
            shoal_err(who, "signature /%s/ refused: %s", s->regex, why);
            continue;
        }
        sig->an = idx;
        sig->proto = s->proto;
        sig->dir = (uint8_t)s->dir;
        a->nsigs++;
    }
    return 0;
}

/* Attach analyzer `bit` to each port of the zero-ended list `ports`. */
static void an_add_ports(struct shoal_analyzers *a, const struct shoal_port *ports, uint64_t bit)
{
    for (const struct shoal_port *p = ports; p != NULL && p->proto != 0; p++) {
        if (p->proto == SHOAL_PROTO_TCP) {
            a->tcp_ports[p->port] |= bit;
        } else if (p->proto == SHOAL_PROTO_UDP) {
            a->udp_ports[p->port] |= bit;
        }
    }
}

int shoal_analyzers_add(struct shoal_analyzers *a, const struct shoal_analyzer_ops *ops, void *ps,
                        const char *who)
{
    if (a->n == SHOAL_MAX_ANALYZERS) {
        shoal_err(who, "more than %d analyzers: not attached", SHOAL_MAX_ANALYZERS);
        return -ENOSPC;
    }
    struct shoal_analyzer *an = &a->v[a->n];
    an->ops = ops;
    an->ps = ps;
    an->who = who;
    uint64_t bit = 1ULL << a->n;
    an_add_ports(a, ops->ports, bit);
    if (SHOAL_HAS(ops, client_ports)) {
        an_add_ports(a, ops->client_ports, bit);
    }
    if (SHOAL_HAS(ops, probe) && ops->probe != NULL) {
        a->probes |= bit;
    }
    if (an_add_signatures(a, (uint16_t)a->n, who) < 0) {
        return -ENOMEM;
    }
    a->n++;
    return shoal_service_bit(a, ops->service);
}

int shoal_analyzers_add_policy(struct shoal_analyzers *a, const struct shoal_policy_ops *ops,
                               void *ps, const char *who)
{
    if (a->npolicies == SHOAL_MAX_ANALYZERS) {
        shoal_err(who, "more than %d policies: not attached", SHOAL_MAX_ANALYZERS);
        return -ENOSPC;
    }
    a->policies[a->npolicies].ops = ops;
    a->policies[a->npolicies].ps = ps;
    a->npolicies++;
    return 0;
}

/* Bytes of detached connections' blocks kept per analyzer for reuse. */
#define AN_SPARE_BYTES (1024 * 1024)

/* A zeroed block of an's conn_size bytes: a spare one or a new one; NULL
 * when out of memory (or conn_size is 0). */
static void *an_state_get(struct shoal_analyzer *an)
{
    size_t size = an->ops->conn_size;
    void *cs = an->spare;

    if (size == 0) {
        return NULL;
    }
    if (cs == NULL) {
        return calloc(1, size);
    }
    memcpy(&an->spare, cs, sizeof(void *));
    an->nspare--;
    memset(cs, 0, size);
    return cs;
}

/* Give back a block of an_state_get: kept while the spares stay below
 * AN_SPARE_BYTES (and the block can hold the link), freed otherwise. */
static void an_state_put(struct shoal_analyzer *an, void *cs)
{
    size_t size = an->ops->conn_size;

    if (cs == NULL) {
        return;
    }
    if (size < sizeof(void *) || (an->nspare + 1) * size > AN_SPARE_BYTES) {
        free(cs);
        return;
    }
    memcpy(cs, &an->spare, sizeof(void *));
    an->spare = cs;
    an->nspare++;
}

void shoal_analyzers_free(struct shoal_analyzers *a)
{
    for (size_t i = 0; i < a->n; i++) {
        while (a->v[i].spare != NULL) {
            void *cs = a->v[i].spare;
            memcpy(&a->v[i].spare, cs, sizeof(void *));
            free(cs);
        }
    }
    shoal_expects_free(&a->expects);
    for (size_t i = 0; i < a->nsigs; i++) {
        regfree(&a->sigs[i].re);
    }
    free(a->sigs);
    free(a->tcp_ports);
    free(a->udp_ports);
    memset(a, 0, sizeof(*a));
}

static void an_detach(struct shoal_ctx *x, struct shoal_conn *c, struct shoal_attach *at)
{
    struct shoal_analyzer *an = &shoal_ctx_analyzers(x)->v[at->an];

    if (at->done) {
        return;
    }
    at->done = true;
    if (an->ops->conn_done != NULL) {
        an->ops->conn_done(an->ps, c, at->cs);
    }
    an_state_put(an, at->cs);
    at->cs = NULL;
}

static void an_attach(struct shoal_ctx *x, struct shoal_conn *c, uint16_t idx, uint64_t cookie)
{
    struct shoal_analyzer *an = &shoal_ctx_analyzers(x)->v[idx];
    struct shoal_attach *att;

    for (uint8_t i = 0; i < c->natt; i++) {
        if (c->att[i].an == idx) {
            return;
        }
    }
    att = realloc(c->att, (c->natt + 1u) * sizeof(*att));
    if (att == NULL) {
        shoal_err(an->who, "out of memory attaching to a connection");
        return;
    }
    c->att = att;
    struct shoal_attach *at = &c->att[c->natt];
    at->an = idx;
    at->done = false;
    at->child = false;
    at->cookie = cookie;
    at->cs = an_state_get(an);
    if (an->ops->conn_size > 0 && at->cs == NULL) {
        shoal_err(an->who, "out of memory attaching to a connection");
        return;
    }
    c->natt++;
    if (an->ops->conn_new != NULL && an->ops->conn_new(an->ps, c, at->cs) == SHOAL_AN_DETACH) {
        an_detach(x, c, at);
    }
}

static void an_handoff(struct shoal_conn *c);

/* Feed data to the analyzers attached before the call (one attached by a
 * hand-over during it gets the connection's bytes from the next call on),
 * detaching those that ask, and trying the signatures again once the last
 * one handed the stream on.  Indexes, not pointers: a hand-over may move
 * c->att. */
static void an_feed(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig, const uint8_t *data,
                    size_t len)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);
    uint8_t n = c->natt;

    for (uint8_t i = 0; i < n; i++) {
        if (c->att[i].done || c->att[i].child) {
            continue;
        }
        const struct shoal_analyzer *an = &a->v[c->att[i].an];
        int rc = an->ops->data(an->ps, c, c->att[i].cs, is_orig, data, len);
        if (rc == SHOAL_AN_DETACH || rc == SHOAL_AN_HANDOFF) {
            an_detach(x, c, &c->att[i]);
        }
        if (rc == SHOAL_AN_HANDOFF) {
            an_handoff(c);
        }
    }
}

int shoal_an_attach_service(struct shoal_ctx *x, struct shoal_conn *c, const char *service)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);

    for (uint16_t i = 0; a != NULL && i < a->n; i++) {
        if (strcmp(a->v[i].ops->service, service) != 0) {
            continue;
        }
        for (uint8_t j = 0; j < c->natt; j++) {
            if (c->att[j].an == i) {
                return -EEXIST;
            }
        }
        uint8_t before = c->natt;
        an_attach(x, c, i, 0);
        return c->natt > before ? 0 : -ENOMEM;
    }
    return -ENOENT;
}

int shoal_an_deliver_service(struct shoal_ctx *x, struct shoal_conn *c, const char *service,
                             bool is_orig, const uint8_t *data, size_t len)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);
    uint8_t j;

    for (uint16_t i = 0; a != NULL && i < a->n; i++) {
        if (strcmp(a->v[i].ops->service, service) != 0) {
            continue;
        }
        for (j = 0; j < c->natt && c->att[j].an != i; j++) {
        }
        if (j == c->natt) {
            an_attach(x, c, i, 0);
            if (c->natt == j) {
                return -ENOMEM;
            }
            c->att[j].child = true;
        } else if (!c->att[j].child) {
            return -EEXIST;
        }
        if (c->att[j].done) {
            return -EPIPE;
        }
        if (len == 0) {
            return 0;
        }
        int rc = a->v[i].ops->data(a->v[i].ps, c, c->att[j].cs, is_orig, data, len);
        if (rc == SHOAL_AN_DETACH || rc == SHOAL_AN_HANDOFF) {
            an_detach(x, c, &c->att[j]);
        }
        return 0;
    }
    return -ENOENT;
}

void shoal_an_conn_new(struct shoal_ctx *x, struct shoal_conn *c)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);
    struct shoal_expect_match m;

    if (c->id.proto != SHOAL_PROTO_TCP && c->id.proto != SHOAL_PROTO_UDP) {
        c->dpd = 3 | AN_PORTS_DONE;
        return;
    }
    if (a != NULL && shoal_expects_match(&a->expects, &c->id, shoal_ctx_now(x), &m)) {
        /* Zeek's scheduled_analyzer_applied: the service comes with the
         * expectation, whatever the connection then carries. */
        if (m.service_bit >= 0) {
            c->services |= 1ULL << m.service_bit;
        }
        an_attach(x, c, m.an, m.cookie);
    }
}

int shoal_analyzers_index(const struct shoal_analyzers *a, const void *ops)
{
    for (size_t i = 0; i < a->n; i++) {
        if ((const void *)a->v[i].ops == ops) {
            return (int)i;
        }
    }
    return -1;
}

static int an_service_bit_of(void *arg, const char *service)
{
    return shoal_service_bit(arg, service);
}

int shoal_an_expect(struct shoal_analyzers *a, uint16_t an, const struct shoal_addr *orig_h,
                    const struct shoal_addr *resp_h, uint16_t resp_p, uint8_t proto, double expires,
                    const char *service, uint64_t cookie, double now)
{
    struct shoal_expect e;

    memset(&e, 0, sizeof(e));
    if (orig_h != NULL) {
        e.orig_h = *orig_h;
    } else {
        e.any_orig = true;
    }
    e.resp_h = *resp_h;
    e.resp_p = resp_p;
    e.proto = proto;
    e.an = an;
    e.expires = expires;
    e.cookie = cookie;
    return shoal_expects_add(&a->expects, &e, service, an_service_bit_of, a, now);
}

uint64_t shoal_an_cookie(const struct shoal_conn *c, uint16_t an)
{
    for (uint8_t i = 0; i < c->natt; i++) {
        if (c->att[i].an == an) {
            return c->att[i].cookie;
        }
    }
    return 0;
}

/* The analyzers of the responder port, attached when the first payload
 * comes: connections that never carry data cost no analyzer state. */
static void an_attach_ports(struct shoal_ctx *x, struct shoal_conn *c)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);
    uint64_t mask = 0;

    c->dpd |= AN_PORTS_DONE;
    if (a == NULL) {
        c->dpd |= 3;
        return;
    }
    if (c->id.proto == SHOAL_PROTO_TCP) {
        mask = a->tcp_ports[c->id.resp_p];
    } else if (c->id.proto == SHOAL_PROTO_UDP) {
        mask = a->udp_ports[c->id.resp_p];
    }
    for (uint16_t i = 0; mask != 0; i++, mask >>= 1) {
        if (mask & 1) {
            an_attach(x, c, i, 0);
        }
    }
    if (c->natt > 0) {
        c->dpd |= 3; /* a port claimed it: no signature matching */
    }
}

static bool an_live(const struct shoal_conn *c)
{
    for (uint8_t i = 0; i < c->natt; i++) {
        if (!c->att[i].done) {
            return true;
        }
    }
    return false;
}

bool shoal_an_wants_data(struct shoal_ctx *x, const struct shoal_conn *c, bool is_orig)
{
    (void)x;
    return !(c->dpd & AN_PORTS_DONE) || an_live(c) || !(c->dpd & (is_orig ? 1 : 2));
}

/* The first payload bytes of each direction of a connection no port
 * claimed, kept while signatures are tried (a request may arrive a byte at
 * a time) and replayed to the analyzers a signature attaches. */
struct shoal_dpd_buf {
    uint16_t len[2];
    uint8_t data[2][SIG_WINDOW];
};

static void an_dpd_free(struct shoal_conn *c)
{
    free(c->dpd_buf);
    c->dpd_buf = NULL;
}

/* An analyzer handed the stream on: once none is left, the content
 * signatures are tried again on what each direction sends next. */
static void an_handoff(struct shoal_conn *c)
{
    if (!an_live(c) && c->id.proto == SHOAL_PROTO_TCP) {
        c->dpd &= (uint8_t)~3;
        an_dpd_free(c);
    }
}

/* Attach every analyzer with a signature matching `window` (NUL-ended:
 * the first `len` bytes of the direction, which may hold NULs) or a probe
 * accepting it. */
static void an_match_window(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                            const char *window, size_t len)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);

    for (uint64_t m = a->probes; m != 0; m &= m - 1) {
        uint16_t i = (uint16_t)__builtin_ctzll(m);
        if (a->v[i].ops->probe((const uint8_t *)window, len, is_orig, c->id.proto)) {
            an_attach(x, c, i, 0);
        }
    }

    for (size_t i = 0; i < a->nsigs; i++) {
        const struct shoal_an_sig *s = &a->sigs[i];
        if (s->proto != c->id.proto || !(s->dir & (is_orig ? SHOAL_SIG_ORIG : SHOAL_SIG_RESP))) {
            continue;
        }
        if (regexec(&s->re, window, 0, NULL, 0) == 0) {
            an_attach(x, c, s->an, 0);
        }
    }
    if (an_live(c)) {
        c->dpd |= 3;
    }
}

/* Returns true when analyzers were attached and fed the buffered bytes
 * (including `data`), false when `data` still has to be delivered. */
static bool an_match_signatures(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig,
                                const uint8_t *data, size_t len)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);
    char window[SIG_WINDOW + 1];
    int d = is_orig ? 0 : 1;

    if (a->nsigs == 0 && a->probes == 0) {
        c->dpd |= 3;
        return false;
    }
    if (c->id.proto != SHOAL_PROTO_TCP) {
        /* Datagrams stand alone: match the first one of each direction. */
        size_t n = len < SIG_WINDOW ? len : SIG_WINDOW;
        memcpy(window, data, n);
        window[n] = '\0';
        c->dpd |= is_orig ? 1 : 2;
        an_match_window(x, c, is_orig, window, n);
        return false;
    }
    if (c->dpd_buf == NULL) {
        c->dpd_buf = calloc(1, sizeof(*c->dpd_buf));
        if (c->dpd_buf == NULL) {
            c->dpd |= 3;
            return false;
        }
    }
    struct shoal_dpd_buf *b = c->dpd_buf;
    size_t room = SIG_WINDOW - b->len[d];
    size_t n = len < room ? len : room;
    memcpy(b->data[d] + b->len[d], data, n);
    b->len[d] = (uint16_t)(b->len[d] + n);
    if (b->len[d] == SIG_WINDOW) {
        c->dpd |= is_orig ? 1 : 2; /* window full: this direction is decided */
    }
    memcpy(window, b->data[d], b->len[d]);
    window[b->len[d]] = '\0';
    an_match_window(x, c, is_orig, window, b->len[d]);
    if (!an_live(c)) {
        if ((c->dpd & 3) == 3) {
            an_dpd_free(c);
        }
        return true; /* buffered; nothing to deliver to */
    }
    c->dpd |= 3;
    /* Replay what each direction sent so far, the originator first. */
    for (int dir = 0; dir < 2; dir++) {
        if (b->len[dir] > 0) {
            an_feed(x, c, dir == 0, b->data[dir], b->len[dir]);
        }
    }
    bool all = n == len;
    an_dpd_free(c);
    if (!all) {
        /* The rest of this chunk did not fit the window: deliver it now. */
        an_feed(x, c, is_orig, data + n, len - n);
    }
    return true;
}

void shoal_an_data(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig, const uint8_t *data,
                   size_t len)
{
    if (len == 0) {
        return;
    }
    if (!(c->dpd & AN_PORTS_DONE)) {
        an_attach_ports(x, c);
    }
    if (!(c->dpd & (is_orig ? 1 : 2)) && !an_live(c) &&
        an_match_signatures(x, c, is_orig, data, len)) {
        return;
    }
    an_feed(x, c, is_orig, data, len);
}

void shoal_an_violation(struct shoal_conn *c, int bit)
{
    uint64_t size = 0;

    if (!(c->services & (1ULL << bit))) {
        return;
    }
    if (c->id.proto == SHOAL_PROTO_TCP) {
        const struct shoal_tcp *t = shoal_conn_tcp(c);
        size = shoal_tcp_size(t, true) + shoal_tcp_size(t, false);
    } else if (c->id.proto == SHOAL_PROTO_UDP) {
        const struct shoal_dgram *d = shoal_conn_dgram(c);
        size = (d->orig_len > 0 ? (uint64_t)d->orig_len : 0) +
               (d->resp_len > 0 ? (uint64_t)d->resp_len : 0);
    }
    if (size > SHOAL_AN_IGNORE_VIOLATIONS_AFTER) {
        return;
    }
    shoal_conn_service_remove(c, bit);
}

void shoal_an_gap(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig, uint64_t len)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);

    for (uint8_t i = 0; i < c->natt; i++) {
        struct shoal_attach *at = &c->att[i];
        const struct shoal_analyzer_ops *ops = a->v[at->an].ops;
        if (!at->done && !at->child && ops->gap != NULL) {
            ops->gap(a->v[at->an].ps, c, at->cs, is_orig, len);
        }
    }
}

void shoal_an_eof(struct shoal_ctx *x, struct shoal_conn *c, bool is_orig)
{
    struct shoal_analyzers *a = shoal_ctx_analyzers(x);

    for (uint8_t i = 0; i < c->natt; i++) {
        struct shoal_attach *at = &c->att[i];
        const struct shoal_analyzer_ops *ops = a->v[at->an].ops;
        if (!at->done && !at->child && ops->eof != NULL) {
            ops->eof(a->v[at->an].ps, c, at->cs, is_orig);
        }
    }
}

void shoal_an_conn_done(struct shoal_ctx *x, struct shoal_conn *c)
{
    for (uint8_t i = 0; i < c->natt; i++) {
        an_detach(x, c, &c->att[i]);
    }
    free(c->att);
    c->att = NULL;
    c->natt = 0;
    an_dpd_free(c);
    const struct shoal_analyzers *a = shoal_ctx_analyzers(x);
    for (size_t i = 0; a != NULL && i < a->npolicies; i++) {
        const struct shoal_policy *p = &a->policies[i];
        if (p->ops->conn_removed != NULL) {
            p->ops->conn_removed(p->ps, c);
        }
    }
}

void shoal_an_conn_established(struct shoal_ctx *x, struct shoal_conn *c)
{
    const struct shoal_analyzers *a = shoal_ctx_analyzers(x);

    for (size_t i = 0; a != NULL && i < a->npolicies; i++) {
        const struct shoal_policy *p = &a->policies[i];
        if (p->ops->conn_established != NULL) {
            p->ops->conn_established(p->ps, c);
        }
    }
}
