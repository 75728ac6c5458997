/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Implementation of the fake host table (see fakehost.h).  Fixed-size
 * tables keep it simple; tests write at most a few hundred records.  MIME
 * sniffing and base64 are the core's own (linked in).
 */
#include "fakehost.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framework/mime.h"
#include "lib/base64.h"

#define FH_MAX_STREAMS 16
#define FH_MAX_RECS 1024
#define FH_MAX_CONNS 64

struct fh_stream {
    char path[64];
    const struct shoal_field *fields;
    size_t nfields;
};

struct fh_rec {
    struct fh_stream *s;
    const struct shoal_field *fields; /* the stream's columns when written */
    size_t nfields;
    char **vals;
};

struct shoal_conn {
    struct shoal_conn_id id;
    char uid[24];
    char state[8];
    char history[SHOAL_HISTORY_SIZE];
    uint64_t cookie; /* set by fakehost_expect_match */
};

/* Expected connections (expect_conn), kept as announced. */
#define FH_MAX_EXPECTS 64
struct fh_expect {
    struct shoal_addr orig_h, resp_h;
    bool any_orig;
    uint16_t resp_p;
    uint8_t proto;
    double timeout;
    const char *service;
    uint64_t cookie;
};
static struct fh_expect fh_expects[FH_MAX_EXPECTS];
static size_t fh_nexpects;

#define FH_MAX_STATS 8
#define FH_MAX_KEYS 256
#define FH_MAX_MEMBERS 64

/* A distinct-count statistic, counted here as a node with no proxy does. */
struct fh_key {
    int h;
    size_t klen;
    uint8_t key[SHOAL_SUMSTAT_MAX_KEY];
    double begin, end;
    uint64_t members[FH_MAX_MEMBERS];
    size_t n;
    bool crossed;
};

static const struct shoal_sumstat *fh_stats[FH_MAX_STATS];
static size_t fh_nstats;
static struct fh_key fh_keys[FH_MAX_KEYS];
static size_t fh_nkeys;

static struct fh_stream fh_streams[FH_MAX_STREAMS];
static size_t fh_nstreams;
static struct fh_rec fh_recs[FH_MAX_RECS];
static size_t fh_nrecs;
static struct shoal_conn fh_conns[FH_MAX_CONNS];
static size_t fh_nconns;
static double fh_now;
static char fh_confirmed[1024];
static char fh_violations[1024];
static char fh_attached[1024];
static char fh_weirds[4096];
static uint8_t fh_delivered[2][8192]; /* [1]: originator's */
static size_t fh_ndelivered[2];

static void fh_append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? "," : "", s);
}

static void fh_render(char *out, size_t size, enum shoal_type t, enum shoal_type elem,
                      const struct shoal_value *v)
{
    char tmp[INET6_ADDRSTRLEN];

    if (!v->present) {
        snprintf(out, size, "-");
        return;
    }
    switch (t) {
    case SHOAL_T_BOOL:
        snprintf(out, size, "%s", v->b ? "T" : "F");
        break;
    case SHOAL_T_COUNT:
    case SHOAL_T_PORT:
        snprintf(out, size, "%llu", (unsigned long long)v->u);
        break;
    case SHOAL_T_INT:
        snprintf(out, size, "%lld", (long long)v->i);
        break;
    case SHOAL_T_DOUBLE:
    case SHOAL_T_TIME:
    case SHOAL_T_INTERVAL:
        snprintf(out, size, "%.6f", v->d);
        break;
    case SHOAL_T_STRING:
    case SHOAL_T_ENUM:
        if (v->s.len == 0) {
            snprintf(out, size, "(empty)");
        } else {
            snprintf(out, size, "%.*s", (int)v->s.len, v->s.p);
        }
        break;
    case SHOAL_T_ADDR:
    case SHOAL_T_SUBNET:
        if (shoal_addr_is_v4(&v->a.addr)) {
            inet_ntop(AF_INET, v->a.addr.b + 12, tmp, sizeof(tmp));
        } else {
            inet_ntop(AF_INET6, v->a.addr.b, tmp, sizeof(tmp));
        }
        if (t == SHOAL_T_SUBNET) {
            snprintf(out, size, "%s/%u", tmp, v->a.prefix);
        } else {
            snprintf(out, size, "%s", tmp);
        }
        break;
    case SHOAL_T_SET:
    case SHOAL_T_VECTOR:
        out[0] = '\0';
        if (v->v.n == 0) {
            snprintf(out, size, "(empty)");
        }
        for (size_t i = 0; i < v->v.n; i++) {
            char e[512];
            fh_render(e, sizeof(e), elem, 0, &v->v.v[i]);
            fh_append(out, size, e);
        }
        break;
    }
}

/* The fake handle of a plugin: which plugin it is, and its counters. */
#define FH_MAX_COUNTERS 32
struct shoal_self {
    const struct shoal_plugin *p;
    char name[32];
    char counter_names[FH_MAX_COUNTERS][40];
    uint64_t counters[FH_MAX_COUNTERS];
    size_t ncounters;
};

#define FH_MAX_SELVES 8
static struct shoal_self fh_selves[FH_MAX_SELVES];
static size_t fh_nselves;

struct fh_timer {
    double at;
    shoal_timer_fn fn;
    void *arg;
    uint64_t id;
};
#define FH_MAX_TIMERS 64
static struct fh_timer fh_timers[FH_MAX_TIMERS];
static size_t fh_ntimers;
static uint64_t fh_timer_ids;
static uint64_t fh_file_ids;

static void fh_logf(struct shoal_self *self, enum shoal_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fh_logf(struct shoal_self *self, enum shoal_log_level level, const char *fmt, ...)
{
    va_list ap;
    if (level > SHOAL_LOG_WARNING) {
        return;
    }
    va_start(ap, fmt);
    fprintf(stderr, "[%s] ", self != NULL ? self->name : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void *fh_alloc(struct shoal_self *self, size_t n)
{
    (void)self;
    return calloc(1, n);
}

static void fh_free(struct shoal_self *self, void *p)
{
    (void)self;
    free(p);
}

static uint64_t *fh_counter(struct shoal_self *self, const char *name, const char *help)
{
    (void)help;
    for (size_t i = 0; i < self->ncounters; i++) {
        if (strcmp(self->counter_names[i], name) == 0) {
            return &self->counters[i];
        }
    }
    if (self->ncounters == FH_MAX_COUNTERS) {
        return &self->counters[FH_MAX_COUNTERS - 1];
    }
    snprintf(self->counter_names[self->ncounters], sizeof(self->counter_names[0]), "%s", name);
    return &self->counters[self->ncounters++];
}

static uint64_t fh_timer_add(struct shoal_self *self, double delay, shoal_timer_fn fn, void *arg)
{
    (void)self;
    if (fh_ntimers == FH_MAX_TIMERS) {
        return 0;
    }
    fh_timers[fh_ntimers] = (struct fh_timer){fh_now + delay, fn, arg, ++fh_timer_ids};
    fh_ntimers++;
    return fh_timer_ids;
}

static void fh_timer_cancel(struct shoal_self *self, uint64_t id)
{
    (void)self;
    for (size_t i = 0; i < fh_ntimers; i++) {
        if (fh_timers[i].id == id) {
            fh_timers[i] = fh_timers[--fh_ntimers];
            return;
        }
    }
}

static double fh_now_fn(struct shoal_self *self)
{
    (void)self;
    return fh_now;
}

static const char *fh_node_name(struct shoal_self *self)
{
    (void)self;
    return "fakehost";
}

static struct shoal_stream *fh_stream_open(struct shoal_self *self, const char *path,
                                           const struct shoal_field *fields, size_t nfields)
{
    (void)self;
    for (size_t i = 0; i < fh_nstreams; i++) {
        if (strcmp(fh_streams[i].path, path) == 0) {
            /* a plugin initialised again (other settings) may bring other
             * columns: the last ones hold */
            fh_streams[i].fields = fields;
            fh_streams[i].nfields = nfields;
            return (struct shoal_stream *)&fh_streams[i];
        }
    }
    if (fh_nstreams == FH_MAX_STREAMS) {
        return NULL;
    }
    struct fh_stream *s = &fh_streams[fh_nstreams++];
    snprintf(s->path, sizeof(s->path), "%s", path);
    s->fields = fields;
    s->nfields = nfields;
    return (struct shoal_stream *)s;
}

static int fh_stream_write(struct shoal_self *self, struct shoal_stream *ss,
                           const struct shoal_value *vals)
{
    struct fh_stream *s = (struct fh_stream *)ss;
    (void)self;
    if (fh_nrecs == FH_MAX_RECS) {
        return -1;
    }
    struct fh_rec *r = &fh_recs[fh_nrecs++];
    r->s = s;
    r->fields = s->fields;
    r->nfields = s->nfields;
    r->vals = calloc(s->nfields, sizeof(char *));
    for (size_t i = 0; i < s->nfields; i++) {
        char buf[8192];
        fh_render(buf, sizeof(buf), s->fields[i].type, s->fields[i].elem, &vals[i]);
        r->vals[i] = strdup(buf);
    }
    return 0;
}

static const struct shoal_conn_id *fh_conn_id(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    return &c->id;
}

static const char *fh_conn_uid(struct shoal_self *self, const struct shoal_conn *c,
                               char buf[SHOAL_UID_SIZE])
{
    (void)self;
    snprintf(buf, SHOAL_UID_SIZE, "%s", c->uid);
    return buf;
}

static double fh_conn_time(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    (void)c;
    return fh_now;
}

static void fh_confirm(struct shoal_self *self, struct shoal_conn *c)
{
    const struct shoal_analyzer_ops *ops = self->p->ops;
    (void)c;
    fh_append(fh_confirmed, sizeof(fh_confirmed), ops->service);
}

static void fh_violation(struct shoal_self *self, struct shoal_conn *c, const char *reason)
{
    const struct shoal_analyzer_ops *ops = self->p->ops;
    (void)c;
    (void)reason;
    fh_append(fh_violations, sizeof(fh_violations), ops->service);
}

static int fh_attach(struct shoal_self *self, struct shoal_conn *c, const char *service)
{
    (void)self;
    (void)c;
    fh_append(fh_attached, sizeof(fh_attached), service);
    return 0;
}

static int fh_deliver(struct shoal_self *self, struct shoal_conn *c, const char *service,
                      bool is_orig, const uint8_t *data, size_t len)
{
    size_t *n = &fh_ndelivered[is_orig];
    (void)self;
    (void)c;
    if (strstr(fh_attached, service) == NULL) {
        fh_append(fh_attached, sizeof(fh_attached), service);
    }
    if (len > sizeof(fh_delivered[0]) - *n) {
        len = sizeof(fh_delivered[0]) - *n;
    }
    if (len > 0) {
        memcpy(fh_delivered[is_orig] + *n, data, len);
        *n += len;
    }
    return 0;
}

static void fh_weird(struct shoal_self *self, struct shoal_conn *c, const char *name,
                     const char *addl, const char *source)
{
    (void)self;
    (void)c;
    (void)addl;
    (void)source;
    fh_append(fh_weirds, sizeof(fh_weirds), name);
}

static void fh_set_idle_timeout(struct shoal_self *self, struct shoal_conn *c, double secs)
{
    (void)self;
    (void)c;
    (void)secs;
}

static const char *fh_conn_state(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    return c->state;
}

static const char *fh_conn_history(struct shoal_self *self, const struct shoal_conn *c,
                                   char buf[SHOAL_HISTORY_SIZE])
{
    (void)self;
    snprintf(buf, SHOAL_HISTORY_SIZE, "%s", c->history);
    return buf;
}

/* Local: 10/8 and 192.168/16 (enough for tests). */
static bool fh_is_local_addr(struct shoal_self *self, const struct shoal_addr *a)
{
    (void)self;
    return shoal_addr_is_v4(a) && (a->b[12] == 10 || (a->b[12] == 192 && a->b[13] == 168));
}

static const struct shoal_field fh_notice_fields[] = {
    {"note", SHOAL_T_ENUM, 0}, {"msg", SHOAL_T_STRING, 0},        {"sub", SHOAL_T_STRING, 0},
    {"src", SHOAL_T_ADDR, 0},  {"dst", SHOAL_T_ADDR, 0},          {"p", SHOAL_T_PORT, 0},
    {"n", SHOAL_T_COUNT, 0},   {"identifier", SHOAL_T_STRING, 0}, {"uid", SHOAL_T_STRING, 0},
    {"ts", SHOAL_T_TIME, 0},
};

/* Notices become records of the pseudo-stream "notice!". */
static int fh_notice(struct shoal_self *self, const struct shoal_notice *n)
{
    struct shoal_stream *s = fh_stream_open(self, "notice!", fh_notice_fields, 10);
    struct shoal_value v[10];

    if (n->note == NULL || n->msg == NULL) {
        return -22;
    }
    v[0] = shoal_v_str(n->note);
    v[1] = shoal_v_str(n->msg);
    v[2] = shoal_v_str(n->sub);
    v[3] = n->src != NULL ? shoal_v_addr(n->src) : shoal_v_unset();
    v[4] = n->dst != NULL ? shoal_v_addr(n->dst) : shoal_v_unset();
    v[5] = n->p >= 0 ? shoal_v_count((uint64_t)n->p) : shoal_v_unset();
    v[6] = n->has_n ? shoal_v_count(n->n) : shoal_v_unset();
    v[7] = shoal_v_str(n->identifier);
    v[8] = shoal_v_str(n->conn != NULL ? n->conn->uid : NULL);
    v[9] = shoal_v_double(fh_now);
    return fh_stream_write(self, s, v);
}

static int fh_sumstat_declare(struct shoal_self *self, const struct shoal_sumstat *def)
{
    (void)self;
    if (fh_nstats == FH_MAX_STATS || def->threshold < 1 || def->threshold > FH_MAX_MEMBERS) {
        return -28;
    }
    fh_stats[fh_nstats] = def;
    return (int)fh_nstats++;
}

static void fh_sumstat_observe(struct shoal_self *self, int h, const void *key, size_t klen,
                               uint64_t member, double ts)
{
    (void)self;
    double now = ts > 0 ? ts : fh_now;
    const struct shoal_sumstat *def;
    struct fh_key *k = NULL;

    if (h < 0 || (size_t)h >= fh_nstats || klen > SHOAL_SUMSTAT_MAX_KEY) {
        return;
    }
    def = fh_stats[h];
    for (size_t i = 0; i < fh_nkeys; i++) {
        if (fh_keys[i].h == h && fh_keys[i].klen == klen &&
            memcmp(fh_keys[i].key, key, klen) == 0) {
            k = &fh_keys[i];
        }
    }
    if (k != NULL && now >= k->begin + def->epoch) {
        k->n = 0; /* the epoch ended: start over */
        k->crossed = false;
        k->begin = now;
    }
    if (k == NULL) {
        if (fh_nkeys == FH_MAX_KEYS) {
            return;
        }
        k = &fh_keys[fh_nkeys++];
        memset(k, 0, sizeof(*k));
        k->h = h;
        k->klen = klen;
        memcpy(k->key, key, klen);
        k->begin = now;
    }
    if (k->crossed) {
        return;
    }
    k->begin = now < k->begin ? now : k->begin;
    k->end = now > k->end ? now : k->end;
    for (size_t i = 0; i < k->n; i++) {
        if (k->members[i] == member) {
            return;
        }
    }
    k->members[k->n++] = member;
    if (k->n >= def->threshold) {
        struct shoal_sumstat_result r = {k->key, k->klen, k->n, k->begin, k->end};
        k->crossed = true;
        def->crossed(def->arg, &r);
    }
}

/* File ids: "FFake" and a serial. */
static const char *fh_file_id(struct shoal_self *self, char buf[SHOAL_FUID_SIZE])
{
    (void)self;
    snprintf(buf, SHOAL_FUID_SIZE, "FFake%llu", (unsigned long long)++fh_file_ids);
    return buf;
}

static const char *fh_mime_sniff(struct shoal_self *self, const uint8_t *data, size_t len)
{
    (void)self;
    return shoal_mime_sniff(data, len);
}

static size_t fh_base64_decode(struct shoal_self *self, const char *in, size_t len, char *out)
{
    (void)self;
    return shoal_base64_decode(in, len, out);
}

static int fh_expect_conn(struct shoal_self *self, const struct shoal_addr *orig_h,
                          const struct shoal_addr *resp_h, uint16_t resp_p, uint8_t proto,
                          double timeout, const char *service, uint64_t cookie)
{
    struct fh_expect *e;

    (void)self;
    if (resp_h == NULL || !(timeout > 0)) {
        return -EINVAL;
    }
    for (size_t i = 0; i < fh_nexpects; i++) {
        e = &fh_expects[i];
        if (e->resp_p == resp_p && memcmp(e->resp_h.b, resp_h->b, 16) == 0) {
            e->cookie = cookie;
            e->timeout = timeout;
            return 0;
        }
    }
    if (fh_nexpects == FH_MAX_EXPECTS) {
        memmove(fh_expects, fh_expects + 1, (FH_MAX_EXPECTS - 1) * sizeof(fh_expects[0]));
        fh_nexpects--;
    }
    e = &fh_expects[fh_nexpects++];
    memset(e, 0, sizeof(*e));
    e->any_orig = orig_h == NULL;
    if (orig_h != NULL) {
        e->orig_h = *orig_h;
    }
    e->resp_h = *resp_h;
    e->resp_p = resp_p;
    e->proto = proto;
    e->timeout = timeout;
    e->service = service;
    e->cookie = cookie;
    return 0;
}

static uint64_t fh_conn_expected(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    return c->cookie;
}

static const struct shoal_analyzer_host fh_analyzer = {
    .size = sizeof(struct shoal_analyzer_host),
    .stream_open = fh_stream_open,
    .stream_write = fh_stream_write,
    .conn_id = fh_conn_id,
    .conn_uid = fh_conn_uid,
    .conn_start = fh_conn_time,
    .conn_last = fh_conn_time,
    .conn_state = fh_conn_state,
    .conn_history = fh_conn_history,
    .confirm = fh_confirm,
    .weird = fh_weird,
    .conn_set_idle_timeout = fh_set_idle_timeout,
    .is_local_addr = fh_is_local_addr,
    .notice = fh_notice,
    .sumstat_declare = fh_sumstat_declare,
    .sumstat_observe = fh_sumstat_observe,
    .file_id = fh_file_id,
    .mime_sniff = fh_mime_sniff,
    .base64_decode = fh_base64_decode,
    .expect_conn = fh_expect_conn,
    .conn_expected = fh_conn_expected,
    .violation = fh_violation,
    .attach = fh_attach,
    .deliver = fh_deliver,
};

const struct shoal_host fakehost = {
    .size = sizeof(struct shoal_host),
    .abi_major = SHOAL_ABI_MAJOR,
    .abi_minor = SHOAL_ABI_MINOR,
    .logf = fh_logf,
    .alloc = fh_alloc,
    .free = fh_free,
    .counter = fh_counter,
    .timer_add = fh_timer_add,
    .timer_cancel = fh_timer_cancel,
    .now = fh_now_fn,
    .node_name = fh_node_name,
    .analyzer = &fh_analyzer,
};

struct shoal_self *fakehost_self(const struct shoal_plugin *p)
{
    for (size_t i = 0; i < fh_nselves; i++) {
        if (fh_selves[i].p == p) {
            return &fh_selves[i];
        }
    }
    if (fh_nselves == FH_MAX_SELVES) {
        return NULL;
    }
    struct shoal_self *self = &fh_selves[fh_nselves++];
    self->p = p;
    snprintf(self->name, sizeof(self->name), "fake:%s", p->name);
    return self;
}

int fakehost_init(const struct shoal_plugin *p, const void *config, void **state)
{
    return p->init(&fakehost, fakehost_self(p), config, state);
}

uint64_t fakehost_counter(const struct shoal_plugin *p, const char *name)
{
    struct shoal_self *self = fakehost_self(p);

    for (size_t i = 0; self != NULL && i < self->ncounters; i++) {
        if (strcmp(self->counter_names[i], name) == 0) {
            return self->counters[i];
        }
    }
    return UINT64_MAX;
}

size_t fakehost_run_timers(double now)
{
    size_t ran = 0;

    fh_now = now;
    for (;;) {
        size_t best = fh_ntimers;
        for (size_t i = 0; i < fh_ntimers; i++) {
            if (fh_timers[i].at <= now &&
                (best == fh_ntimers || fh_timers[i].at < fh_timers[best].at)) {
                best = i;
            }
        }
        if (best == fh_ntimers) {
            return ran;
        }
        struct fh_timer t = fh_timers[best];
        fh_timers[best] = fh_timers[--fh_ntimers];
        t.fn(t.arg, now);
        ran++;
    }
}

static void fh_parse_addr(const char *s, struct shoal_addr *a)
{
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET6, s, a->b) == 1) {
        return;
    }
    a->b[10] = 0xff;
    a->b[11] = 0xff;
    inet_pton(AF_INET, s, a->b + 12);
}

struct shoal_conn *fakehost_conn(const char *orig_h, uint16_t orig_p, const char *resp_h,
                                 uint16_t resp_p, uint8_t proto)
{
    if (fh_nconns == FH_MAX_CONNS) {
        return NULL;
    }
    struct shoal_conn *c = &fh_conns[fh_nconns];
    fh_parse_addr(orig_h, &c->id.orig_h);
    fh_parse_addr(resp_h, &c->id.resp_h);
    c->id.orig_p = orig_p;
    c->id.resp_p = resp_p;
    c->id.proto = proto;
    snprintf(c->uid, sizeof(c->uid), "CFake%zu", fh_nconns);
    snprintf(c->state, sizeof(c->state), "OTH");
    c->history[0] = '\0';
    c->cookie = 0;
    fh_nconns++;
    return c;
}

void fakehost_reset_conns(void)
{
    fh_nconns = 0;
}

void fakehost_conn_set_state(struct shoal_conn *c, const char *state, const char *history)
{
    snprintf(c->state, sizeof(c->state), "%s", state);
    snprintf(c->history, sizeof(c->history), "%s", history);
}

void fakehost_set_time(double t)
{
    fh_now = t;
}

void fakehost_reset(void)
{
    for (size_t i = 0; i < fh_nrecs; i++) {
        for (size_t j = 0; j < fh_recs[i].nfields; j++) {
            free(fh_recs[i].vals[j]);
        }
        free(fh_recs[i].vals);
    }
    fh_nrecs = 0;
    fh_nconns = 0;
    fh_nkeys = 0;
    fh_confirmed[0] = '\0';
    fh_violations[0] = '\0';
    fh_attached[0] = '\0';
    fh_ndelivered[0] = fh_ndelivered[1] = 0;
    fh_weirds[0] = '\0';
    fh_nexpects = 0;
}

size_t fakehost_expects(void)
{
    return fh_nexpects;
}

uint64_t fakehost_expect_match(struct shoal_conn *c)
{
    for (size_t i = 0; i < fh_nexpects; i++) {
        const struct fh_expect *e = &fh_expects[i];
        if (e->resp_p == c->id.resp_p && e->proto == c->id.proto &&
            memcmp(e->resp_h.b, c->id.resp_h.b, 16) == 0 &&
            (e->any_orig || memcmp(e->orig_h.b, c->id.orig_h.b, 16) == 0)) {
            c->cookie = e->cookie;
            return e->cookie;
        }
    }
    return 0;
}

size_t fakehost_count(const char *path)
{
    size_t n = 0;
    for (size_t i = 0; i < fh_nrecs; i++) {
        n += strcmp(fh_recs[i].s->path, path) == 0;
    }
    return n;
}

const char *fakehost_field(const char *path, size_t n, const char *field)
{
    for (size_t i = 0; i < fh_nrecs; i++) {
        struct fh_rec *r = &fh_recs[i];
        if (strcmp(r->s->path, path) != 0) {
            continue;
        }
        if (n-- > 0) {
            continue;
        }
        for (size_t j = 0; j < r->nfields; j++) {
            if (strcmp(r->fields[j].name, field) == 0) {
                return r->vals[j];
            }
        }
        return NULL;
    }
    return NULL;
}

const char *fakehost_confirmed(void)
{
    return fh_confirmed;
}

const uint8_t *fakehost_delivered(bool is_orig, size_t *len)
{
    *len = fh_ndelivered[is_orig];
    return fh_delivered[is_orig];
}

const char *fakehost_attached(void)
{
    return fh_attached;
}

const char *fakehost_violations(void)
{
    return fh_violations;
}

const char *fakehost_weirds(void)
{
    return fh_weirds;
}
