/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host table of analyzer and policy plugins (host->analyzer): each
 * entry forwards to the engine (connections), the framework (logs,
 * notices, statistics, file ids, MIME types) or lib (base64), for the
 * node the plugin's handle belongs to.
 */
#include <errno.h>
#include <string.h>

#include "engine/analyzer.h"
#include "engine/conn.h"
#include "framework/log.h"
#include "framework/mime.h"
#include "framework/notice.h"
#include "framework/sumstat.h"
#include "lib/base64.h"
#include "lib/diag.h"
#include "plugin/host.h"

/* The frozen prefix of struct shoal_notice in ABI 2.0: through suppress_for. */
#define HOST_NOTICE_MIN (offsetof(struct shoal_notice, suppress_for) + sizeof(double))
/* ... and of struct shoal_sumstat: through arg. */
#define HOST_SUMSTAT_MIN (offsetof(struct shoal_sumstat, arg) + sizeof(void *))

static struct shoal_stream *host_stream_open(struct shoal_self *self, const char *path,
                                             const struct shoal_field *fields, size_t nfields)
{
    if (self->env->ctx == NULL) {
        shoal_err(self->who, "log stream %s: this node writes no logs", path);
        return NULL;
    }
    return shoal_log_open(shoal_ctx_logger(self->env->ctx), path, fields, nfields);
}

static int host_stream_write(struct shoal_self *self, struct shoal_stream *s,
                             const struct shoal_value *vals)
{
    (void)self;
    return s != NULL ? shoal_log_write(s, vals) : -EINVAL;
}

static const struct shoal_conn_id *host_conn_id(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    return &c->id;
}

static const char *host_conn_uid(struct shoal_self *self, const struct shoal_conn *c,
                                 char buf[SHOAL_UID_SIZE])
{
    return shoal_conn_uid(self->env->ctx, c, buf);
}

static double host_conn_start(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    return c->start;
}

static double host_conn_last(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    return c->last;
}

static const char *host_conn_state(struct shoal_self *self, const struct shoal_conn *c)
{
    (void)self;
    return shoal_conn_state(c);
}

static const char *host_conn_history(struct shoal_self *self, const struct shoal_conn *c,
                                     char buf[SHOAL_HISTORY_SIZE])
{
    (void)self;
    return shoal_conn_history(c, buf);
}

static void host_confirm(struct shoal_self *self, struct shoal_conn *c)
{
    if (self->service_bit >= 0) {
        shoal_conn_service_add(c, self->service_bit);
    }
}

static void host_violation(struct shoal_self *self, struct shoal_conn *c, const char *reason)
{
    (void)reason;
    if (self->service_bit >= 0) {
        shoal_an_violation(c, self->service_bit);
    }
}

static int host_attach(struct shoal_self *self, struct shoal_conn *c, const char *service)
{
    if (self->env->ctx == NULL || service == NULL) {
        return -ENOENT;
    }
    return shoal_an_attach_service(self->env->ctx, c, service);
}

static int host_deliver(struct shoal_self *self, struct shoal_conn *c, const char *service,
                        bool is_orig, const uint8_t *data, size_t len)
{
    if (self->env->ctx == NULL || service == NULL || (data == NULL && len > 0)) {
        return -ENOENT;
    }
    return shoal_an_deliver_service(self->env->ctx, c, service, is_orig, data, len);
}

static void host_weird(struct shoal_self *self, struct shoal_conn *c, const char *name,
                       const char *addl, const char *source)
{
    if (self->env->ctx == NULL) {
        return;
    }
    if (source == NULL) {
        source = self->source;
    }
    if (c != NULL) {
        shoal_conn_weird(self->env->ctx, c, name, addl, source);
    } else {
        shoal_ctx_net_weird(self->env->ctx, name, addl, source, NULL, NULL);
    }
}

static void host_conn_set_idle_timeout(struct shoal_self *self, struct shoal_conn *c, double secs)
{
    c->idle_timeout = secs > 0 ? (float)secs : 0.0f;
    if (secs > 0 && self->env->ctx != NULL) {
        shoal_conn_schedule(self->env->ctx, c, c->last + secs);
    }
}

static bool host_is_local_addr(struct shoal_self *self, const struct shoal_addr *a)
{
    return self->env->ctx != NULL && shoal_ctx_is_local(self->env->ctx, a);
}

/* The plugin's notice as the framework carries it (strings borrowed). */
static void host_notice_info(struct shoal_self *self, const struct shoal_notice *n,
                             char uid[SHOAL_UID_SIZE], struct shoal_notice_info *w)
{
    struct shoal_host_env *env = self->env;

    memset(w, 0, sizeof(*w));
    w->ts = shoal_host_now(env);
    w->note = n->note;
    w->msg = shoal_str_of(n->msg);
    w->sub = shoal_str_of(n->sub);
    if (n->conn != NULL && env->ctx != NULL) {
        w->uid = shoal_str_of(shoal_conn_uid(env->ctx, n->conn, uid));
        w->has_id = true;
        w->id = n->conn->id;
    }
    if (n->src != NULL) {
        w->has_src = true;
        w->src = *n->src;
    }
    if (n->dst != NULL) {
        w->has_dst = true;
        w->dst = *n->dst;
    }
    if (n->p >= 0 && n->p <= 65535) {
        w->has_p = true;
        w->p = (uint16_t)n->p;
        w->p_proto = n->p_proto != 0 ? n->p_proto : SHOAL_PROTO_TCP;
    }
    w->has_n = n->has_n;
    w->n = n->n;
    w->identifier = n->identifier;
    w->suppress_for = n->suppress_for;
}

static int host_notice(struct shoal_self *self, const struct shoal_notice *given)
{
    struct shoal_host_env *env = self->env;
    struct shoal_notice n;
    struct shoal_notice_info w;
    char uid[SHOAL_UID_SIZE];

    if (!shoal_host_copy_sized(&n, sizeof(n), given, HOST_NOTICE_MIN) || n.note == NULL ||
        n.msg == NULL) {
        shoal_err(self->who, "a notice without a note or a message was refused (note %s)",
                  given != NULL && n.note != NULL ? n.note : "-");
        return -EINVAL;
    }
    if (env->routes.notice == NULL) {
        if (!env->notice_refusal_logged) {
            shoal_err(self->who, "notice %s dropped: this node has nowhere to send notices",
                      n.note);
            env->notice_refusal_logged = true;
        }
        return -ENOTCONN;
    }
    host_notice_info(self, &n, uid, &w);
    return env->routes.notice(env->routes.arg, &w);
}

/* The table borrows the definition until fini and reads only its frozen
 * prefix; one from an older plugin, smaller than today's, is nevertheless
 * copied whole into storage the handle owns, so fields a later minor adds
 * read as absent there too. */
static int host_sumstat_declare(struct shoal_self *self, const struct shoal_sumstat *given)
{
    struct shoal_sumstat *def;
    uint32_t size;

    if (self->env->sumstats == NULL) {
        return -ENOSYS;
    }
    if (given == NULL || (memcpy(&size, given, sizeof(size)), size < HOST_SUMSTAT_MIN)) {
        shoal_err(self->who, "statistic refused: its struct is smaller than ABI %d.0's",
                  SHOAL_ABI_MAJOR);
        return -EINVAL;
    }
    if (size >= sizeof(*def)) {
        return shoal_sumstats_declare(self->env->sumstats, given);
    }
    def = shoal_self_keep(self, sizeof(*def));
    if (def == NULL) {
        return -ENOMEM;
    }
    shoal_host_copy_sized(def, sizeof(*def), given, HOST_SUMSTAT_MIN);
    return shoal_sumstats_declare(self->env->sumstats, def);
}

static void host_sumstat_observe(struct shoal_self *self, int h, const void *key, size_t klen,
                                 uint64_t member, double ts)
{
    struct shoal_host_env *env = self->env;
    double now = ts > 0 ? ts : shoal_host_now(env);

    if (env->sumstats == NULL || klen > SHOAL_SUMSTAT_MAX_KEY) {
        return;
    }
    if (env->routes.observe != NULL) {
        env->routes.observe(env->routes.arg, h, key, klen, member, now);
    } else {
        shoal_sumstats_observe(env->sumstats, h, key, klen, member, now, NULL);
    }
}

static const char *host_file_id(struct shoal_self *self, char buf[SHOAL_FUID_SIZE])
{
    return shoal_file_id_next(&self->env->file_ids, buf);
}

static const char *host_mime_sniff(struct shoal_self *self, const uint8_t *data, size_t len)
{
    (void)self;
    return shoal_mime_sniff(data, len);
}

static size_t host_base64_decode(struct shoal_self *self, const char *in, size_t len, char *out)
{
    (void)self;
    return shoal_base64_decode(in, len, out);
}

/* The index of the calling analyzer in the node's table, or -1. */
static int host_analyzer_index(struct shoal_self *self)
{
    const struct shoal_analyzers *a =
        self->env->ctx != NULL ? shoal_ctx_analyzers(self->env->ctx) : NULL;

    if (a == NULL || self->desc->kind != SHOAL_PLUGIN_ANALYZER) {
        return -1;
    }
    return shoal_analyzers_index(a, self->desc->ops);
}

static int host_expect_conn(struct shoal_self *self, const struct shoal_addr *orig_h,
                            const struct shoal_addr *resp_h, uint16_t resp_p, uint8_t proto,
                            double timeout, const char *service, uint64_t cookie)
{
    struct shoal_ctx *x = self->env->ctx;
    int idx;

    if (x == NULL || shoal_ctx_analyzers(x) == NULL) {
        return -ENOTSUP;
    }
    idx = host_analyzer_index(self);
    if (idx < 0 || resp_h == NULL || !(timeout > 0) ||
        (proto != SHOAL_PROTO_TCP && proto != SHOAL_PROTO_UDP)) {
        return -EINVAL;
    }
    double now = shoal_ctx_now(x);
    return shoal_an_expect(shoal_ctx_analyzers(x), (uint16_t)idx, orig_h, resp_h, resp_p, proto,
                           now + timeout, service, cookie, now);
}

static uint64_t host_conn_expected(struct shoal_self *self, const struct shoal_conn *c)
{
    int idx = host_analyzer_index(self);

    return idx < 0 ? 0 : shoal_an_cookie(c, (uint16_t)idx);
}

const struct shoal_analyzer_host shoal_host_analyzer_table = {
    .size = sizeof(struct shoal_analyzer_host),
    .stream_open = host_stream_open,
    .stream_write = host_stream_write,
    .conn_id = host_conn_id,
    .conn_uid = host_conn_uid,
    .conn_start = host_conn_start,
    .conn_last = host_conn_last,
    .conn_state = host_conn_state,
    .conn_history = host_conn_history,
    .confirm = host_confirm,
    .weird = host_weird,
    .conn_set_idle_timeout = host_conn_set_idle_timeout,
    .is_local_addr = host_is_local_addr,
    .notice = host_notice,
    .sumstat_declare = host_sumstat_declare,
    .sumstat_observe = host_sumstat_observe,
    .file_id = host_file_id,
    .mime_sniff = host_mime_sniff,
    .base64_decode = host_base64_decode,
    .expect_conn = host_expect_conn,
    .conn_expected = host_conn_expected,
    .violation = host_violation,
    .attach = host_attach,
    .deliver = host_deliver,
};
