/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's cluster runtime (see cluster_node.h).
 */
#include "cluster_node.h"

#include <errno.h>

#include "conn.h"
#include "nodestate.h"
#include "worker_control.h"
#include "zsec.h"

struct cnode {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    struct shoal_zsec *zsec;
    struct shoal_worker_link *wl;
    struct shoal_nodestate *state;     /* borrowed, may be NULL */
    const char *source;                /* packet source, for control */
    struct shoal_worker_control *wctl; /* control channel */
};

/* Sockets are made here, after the plugins were loaded: libzmq starts its
 * I/O threads with the context. */
static int cnode_start(void *arg, struct shoal_ctx *ctx)
{
    struct cnode *cn = arg;
    int rc;

    rc = shoal_zsec_open(cn->layout, cn->self, true, &cn->zsec);
    if (rc < 0) {
        return rc;
    }
    rc = shoal_worker_link_start(cn->wl, cn->zsec, shoal_ctx_logger(ctx));
    if (rc == 0) {
        rc = shoal_worker_control_new(cn->layout, cn->self, cn->zsec, ctx, cn->wl, cn->state,
                                      cn->source, &cn->wctl);
    }
    if (rc == 0) {
        shoal_nodestate_set(cn->state, SHOAL_NODE_RUNNING);
    }
    return rc;
}

static void cnode_poll(void *arg)
{
    struct cnode *cn = arg;

    shoal_worker_link_poll(cn->wl);
    shoal_worker_control_poll(cn->wctl);
}

static int cnode_finish(void *arg)
{
    struct cnode *cn = arg;

    shoal_nodestate_set(cn->state, SHOAL_NODE_TERMINATING);
    return shoal_worker_link_finish(cn->wl);
}

int shoal_cluster_worker_run(const struct shoal_layout *layout,
                             const struct shoal_layout_node *self, struct shoal_node_opts *o,
                             const struct shoal_worker_link_opts *wo, struct shoal_nodestate *state)
{
    struct cnode cn = {.layout = layout, .self = self, .state = state};
    struct shoal_node_hooks hooks = {
        .start = cnode_start,
        .poll = cnode_poll,
        .finish = cnode_finish,
        .arg = &cn,
    };
    int status;

    if (shoal_worker_link_new(layout, self, wo, &cn.wl) < 0) {
        return 1;
    }
    hooks.log_target = shoal_worker_link_endpoint(cn.wl);
    o->hooks = &hooks;
    cn.source = o->read_file != NULL ? o->read_file : o->iface;
    status = shoal_node_run(o);
    o->hooks = NULL;
    shoal_worker_control_free(cn.wctl);
    shoal_worker_link_free(cn.wl);
    shoal_zsec_close(cn.zsec);
    return status;
}
