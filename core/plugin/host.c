/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Implementation of the plugin host table.  Plugins get no context pointer
 * in their calls, so the current packet-thread context is thread-local.
 */
#include "plugin/host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/analyzer.h"
#include "engine/conn.h"
#include "lib/diag.h"
#include "framework/log.h"
#include "framework/sumstat.h"
#include "cluster/wire.h"

static __thread struct shoal_ctx *host_ctx;
static __thread struct shoal_host_routes host_routes;
static __thread struct shoal_sumstats *host_sumstats;

void shoal_host_set_ctx(struct shoal_ctx *x)
{
    host_ctx = x;
}

void shoal_host_set_routes(const struct shoal_host_routes *r)
{
    if (r != NULL) {
        host_routes = *r;
    } else {
        memset(&host_routes, 0, sizeof(host_routes));
    }
}

void shoal_host_set_sumstats(struct shoal_sumstats *t)
{
    host_sumstats = t;
}

static void host_logf(enum shoal_log_level level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void host_logf(enum shoal_log_level level, const char *who, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    shoal_vdiag(level, who, fmt, ap);
    va_end(ap);
}

static void *host_alloc(size_t n)
{
    return calloc(1, n);
}

static struct shoal_stream *host_stream_open(const char *path, const struct shoal_field *fields,
                                             size_t nfields)
{
    if (host_ctx == NULL) {
        return NULL;
    }
    return shoal_log_open(shoal_ctx_logger(host_ctx), path, fields, nfields);
}

static int host_stream_write(struct shoal_stream *s, const struct shoal_value *vals)
{
    return s != NULL ? shoal_log_write(s, vals) : -22;
}

static double host_network_time(void)
{
    return host_ctx != NULL ? shoal_ctx_now(host_ctx) : 0.0;
}

static const struct shoal_conn_id *host_conn_id(const struct shoal_conn *c)
{
    return &c->id;
}

static const char *host_conn_uid(const struct shoal_conn *c)
{
    static __thread char bufs[4][32];
    static __thread unsigned next;

    return shoal_conn_uid(host_ctx, c, bufs[next++ & 3]);
}

static double host_conn_start(const struct shoal_conn *c)
{
    return c->start;
}

static void host_confirm(struct shoal_conn *c, const char *service)
{
    int bit = shoal_service_bit(shoal_ctx_analyzers(host_ctx), service);

    if (bit >= 0) {
        c->services |= 1ULL << bit;
    }
}

static void host_weird(struct shoal_conn *c, const char *name, const char *addl, const char *source)
{
    if (c != NULL) {
        shoal_conn_weird(host_ctx, c, name, addl, source);
    } else {
        shoal_ctx_net_weird(host_ctx, name, addl, source, NULL, NULL);
    }
}

static void host_conn_set_idle_timeout(struct shoal_conn *c, double secs)
{
    c->idle_timeout = secs > 0 ? (float)secs : 0.0f;
    if (secs > 0 && host_ctx != NULL) {
        shoal_conn_schedule(host_ctx, c, c->last + secs);
    }
}

static double host_conn_last(const struct shoal_conn *c)
{
    return c->last;
}

static const char *host_conn_state(const struct shoal_conn *c)
{
    return shoal_conn_state(c);
}

static const char *host_conn_history(const struct shoal_conn *c)
{
    static __thread char buf[SHOAL_HISTORY_MAX + 1];

    return shoal_conn_history(c, buf);
}

static bool host_is_local_addr(const struct shoal_addr *a)
{
    return host_ctx != NULL && shoal_ctx_is_local(host_ctx, a);
}

static struct shoal_wire_str host_wstr(const char *s)
{
    struct shoal_wire_str w = {s, s != NULL ? strlen(s) : 0};
    return w;
}

static int host_notice(const struct shoal_notice *n)
{
    static __thread bool refused_logged;
    struct shoal_wire_notice w;
    char uid[32];

    if (n == NULL || n->size < sizeof(struct shoal_notice) || n->note == NULL || n->msg == NULL) {
        shoal_err("notice", "a notice without a note or a message was refused (note %s)",
                  n != NULL && n->note != NULL ? n->note : "-");
        return -EINVAL;
    }
    memset(&w, 0, sizeof(w));
    w.ts = host_ctx != NULL ? shoal_ctx_now(host_ctx) : 0.0;
    w.note = n->note;
    w.msg = host_wstr(n->msg);
    w.sub = host_wstr(n->sub);
    if (n->conn != NULL && host_ctx != NULL) {
        w.uid = host_wstr(shoal_conn_uid(host_ctx, n->conn, uid));
        w.has_id = true;
        w.id = n->conn->id;
    }
    if (n->src != NULL) {
        w.has_src = true;
        w.src = *n->src;
    }
    if (n->dst != NULL) {
        w.has_dst = true;
        w.dst = *n->dst;
    }
    if (n->p >= 0 && n->p <= 65535) {
        w.has_p = true;
        w.p = (uint16_t)n->p;
        w.p_proto = n->p_proto != 0 ? n->p_proto : SHOAL_PROTO_TCP;
    }
    w.has_n = n->has_n;
    w.n = n->n;
    w.identifier = n->identifier;
    w.suppress_for = n->suppress_for;
    if (host_routes.notice == NULL) {
        if (!refused_logged) {
            shoal_err("notice", "notice %s dropped: this node has nowhere to send notices",
                      n->note);
            refused_logged = true;
        }
        return -ENOTCONN;
    }
    return host_routes.notice(host_routes.arg, &w);
}

static int host_sumstat_declare(const struct shoal_sumstat *def)
{
    return host_sumstats != NULL ? shoal_sumstats_declare(host_sumstats, def) : -ENOSYS;
}

static void host_sumstat_observe(int h, const void *key, size_t klen, uint64_t member, double ts)
{
    double now = ts > 0 ? ts : host_ctx != NULL ? shoal_ctx_now(host_ctx) : 0.0;

    if (host_sumstats == NULL || klen > SHOAL_SUMSTAT_MAX_KEY) {
        return;
    }
    if (host_routes.observe != NULL) {
        host_routes.observe(host_routes.arg, h, key, klen, member, now);
    } else {
        shoal_sumstats_observe(host_sumstats, h, key, klen, member, now, NULL);
    }
}

static const struct shoal_host host_table = {
    .size = sizeof(struct shoal_host),
    .abi_major = SHOAL_ABI_MAJOR,
    .abi_minor = SHOAL_ABI_MINOR,
    .logf = host_logf,
    .alloc = host_alloc,
    .free = free,
    .stream_open = host_stream_open,
    .stream_write = host_stream_write,
    .network_time = host_network_time,
    .conn_id = host_conn_id,
    .conn_uid = host_conn_uid,
    .conn_start = host_conn_start,
    .confirm = host_confirm,
    .weird = host_weird,
    .conn_set_idle_timeout = host_conn_set_idle_timeout,
    .conn_state = host_conn_state,
    .conn_history = host_conn_history,
    .is_local_addr = host_is_local_addr,
    .notice = host_notice,
    .sumstat_declare = host_sumstat_declare,
    .sumstat_observe = host_sumstat_observe,
    .conn_last = host_conn_last,
};

const struct shoal_host *shoal_host_table(void)
{
    return &host_table;
}
