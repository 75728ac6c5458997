/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster runtime of workers and proxies (see worker.h).
 */
#include "node/worker.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <zmq.h>

#include "config/config.h"
#include "engine/conn.h"
#include "framework/log.h"
#include "lib/diag.h"
#include "plugin/host.h"
#include "node/nodestate.h"
#include "node/proxy.h"
#include "cluster/state_link.h"
#include "cluster/wire.h"
#include "node/worker_control.h"
#include "cluster/zsec.h"

/* Observations wait this long at exit to reach the proxies. */
#define CNODE_STATE_LINGER_MS 3000

struct cnode {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    const struct shoal_config *cfg;
    struct shoal_zsec *zsec;
    struct shoal_worker_link *wl;
    struct shoal_logger *logger;        /* the node's, its sink the log link */
    struct shoal_stream *notice_stream; /* SHOAL_WIRE_NOTICE_STREAM, on first notice */
    struct shoal_buf notice_buf;
    struct shoal_state_link *sl;       /* a worker's */
    struct shoal_proxy *proxy;         /* a proxy's */
    struct shoal_nodestate *state;     /* borrowed, may be NULL */
    const char *source;                /* packet source, for control */
    struct shoal_worker_control *wctl; /* control channel */
};

/* ---- notices: every node but the manager sends them to it, as records
 * of the log channel (wire.h), so they are kept until acknowledged ---- */

static int cnode_notice(void *arg, const struct shoal_notice_info *n)
{
    struct cnode *cn = arg;
    struct shoal_notice_info w = *n;
    int rc;

    w.sender = cn->self->name;
    if (w.suppress_for < 0) {
        w.suppress_for = cn->cfg->notice_suppress_for;
    }
    cn->notice_buf.len = 0;
    rc = shoal_wire_encode_notice(&cn->notice_buf, &w);
    if (rc < 0) {
        shoal_err(cn->self->name, "notice %s not sent: it cannot be encoded (%s)", n->note,
                  strerror(-rc));
        return rc;
    }
    if (cn->notice_stream == NULL) {
        cn->notice_stream =
            shoal_log_open(cn->logger, SHOAL_WIRE_NOTICE_STREAM, &shoal_wire_notice_column, 1);
        if (cn->notice_stream == NULL) {
            return -EIO;
        }
        shoal_log_stream_unlimited(cn->notice_stream); /* bodies, not text */
    }
    /* Refused past the resend window's bounds: counted with the batches. */
    struct shoal_value body = shoal_v_strn(cn->notice_buf.p, cn->notice_buf.len);
    return shoal_log_write(cn->notice_stream, &body);
}

/* ---- hooks ---- */

static void cnode_observe(void *arg, int h, const void *key, size_t klen, uint64_t member,
                          double now)
{
    struct cnode *cn = arg;

    shoal_state_link_observe(cn->sl, h, key, klen, member, now);
}

/* Sockets are made here, after the plugins were loaded: libzmq starts its
 * I/O threads with the context. */
static int cnode_start(void *arg, const struct shoal_node_env *env)
{
    struct cnode *cn = arg;
    bool proxy = cn->self->role == SHOAL_ROLE_PROXY;
    struct shoal_host_routes routes = {.notice = cnode_notice, .arg = cn};
    int rc;

    cn->cfg = env->cfg;
    cn->logger = shoal_ctx_logger(env->ctx);
    rc = shoal_zsec_open(cn->layout, cn->self, true, &cn->zsec);
    if (rc < 0 || (rc = shoal_worker_link_start(cn->wl, cn->zsec, cn->logger, env->cfg)) < 0) {
        return rc;
    }
    if (proxy) {
        rc = shoal_proxy_new(cn->self, cn->zsec, env->sumstats, env->ctx, &cn->proxy);
    } else {
        rc = shoal_state_link_new(cn->layout, cn->self, cn->zsec, env->sumstats, &cn->sl);
        routes.observe = cnode_observe;
    }
    if (rc == 0) {
        rc = shoal_worker_control_new(cn->layout, cn->self, cn->zsec, env, cn->wl, cn->state,
                                      cn->source, &cn->wctl);
    }
    if (rc < 0) {
        return rc;
    }
    shoal_worker_control_set_shared(cn->wctl, cn->sl, cn->proxy);
    env->host->routes = routes;
    return 0;
}

/* "running" once the capture is open: shoalctl start waits for it, and a
 * test's traffic may follow at once. */
static void cnode_ready(void *arg)
{
    struct cnode *cn = arg;

    shoal_nodestate_set(cn->state, SHOAL_NODE_RUNNING);
}

static void cnode_poll(void *arg)
{
    struct cnode *cn = arg;

    if (cn->proxy != NULL) {
        /* A proxy has no packets to read: wait for its sockets here. */
        zmq_pollitem_t items[3] = {
            {.socket = shoal_zsec_zap_socket(cn->zsec), .events = ZMQ_POLLIN},
            {.socket = shoal_proxy_socket(cn->proxy), .events = ZMQ_POLLIN},
            {.socket = shoal_worker_control_socket(cn->wctl), .events = ZMQ_POLLIN},
        };
        zmq_poll(items, 3, 100);
        shoal_proxy_serve(cn->proxy);
    }
    if (cn->sl != NULL) {
        shoal_state_link_poll(cn->sl);
    }
    shoal_worker_link_poll(cn->wl);
    shoal_worker_control_poll(cn->wctl);
}

static int cnode_finish(void *arg)
{
    struct cnode *cn = arg;

    shoal_nodestate_set(cn->state, SHOAL_NODE_TERMINATING);
    return shoal_worker_link_finish(cn->wl);
}

/* Close every socket; queued observations get a few seconds to leave
 * first. */
static void cnode_close(struct cnode *cn)
{
    shoal_worker_control_free(cn->wctl);
    shoal_worker_link_free(cn->wl);
    shoal_proxy_free(cn->proxy);
    if (cn->sl != NULL) {
        shoal_state_link_flush(cn->sl, CNODE_STATE_LINGER_MS);
    }
    shoal_state_link_free(cn->sl);
    shoal_zsec_close(cn->zsec);
    shoal_buf_free(&cn->notice_buf);
}

int shoal_worker_run(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                     struct shoal_node_opts *o, const struct shoal_worker_link_opts *wo,
                     struct shoal_nodestate *state)
{
    struct cnode cn = {.layout = layout, .self = self, .state = state};
    struct shoal_node_hooks hooks = {
        .start = cnode_start,
        .poll = cnode_poll,
        .ready = cnode_ready,
        .finish = cnode_finish,
        .arg = &cn,
    };
    int status;

    if (shoal_worker_link_new(layout, self, wo, &cn.wl) < 0) {
        return 1;
    }
    hooks.log_target = shoal_worker_link_endpoint(cn.wl);
    hooks.workdir = self->workdir;
    o->hooks = &hooks;
    o->name = self->name;
    o->no_source = self->role == SHOAL_ROLE_PROXY;
    cn.source = o->no_source ? "none (proxy)" : o->read_file != NULL ? o->read_file : o->iface;
    status = shoal_node_run(o);
    o->hooks = NULL;
    cnode_close(&cn);
    return status;
}
