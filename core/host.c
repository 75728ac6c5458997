/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Implementation of the plugin host table.  Plugins get no context pointer
 * in their calls, so the current packet-thread context is thread-local.
 */
#include "host.h"

#include <stdarg.h>
#include <stdlib.h>

#include "analyzer.h"
#include "conn.h"
#include "diag.h"
#include "log.h"

static __thread struct shoal_ctx *host_ctx;

void shoal_host_set_ctx(struct shoal_ctx *x)
{
    host_ctx = x;
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
};

const struct shoal_host *shoal_host_table(void)
{
    return &host_table;
}
