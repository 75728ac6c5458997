/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's shared-state service (see proxy.h).
 */
#include "node/proxy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "engine/conn.h"
#include "lib/diag.h"
#include "cluster/state_link.h"
#include "cluster/wire.h"

struct shoal_proxy {
    const struct shoal_layout_node *self;
    struct shoal_zsec *zsec;
    struct shoal_sumstats *table;
    struct shoal_ctx *ctx;
    void *router;
    void *pub;
    char endpoint[320];
    double next_alive;
    bool unknown_logged;
    struct shoal_buf buf;
    struct shoal_proxy_stats st;
};

static double proxy_wall(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int shoal_proxy_new(const struct shoal_layout_node *self, struct shoal_zsec *zsec,
                    struct shoal_sumstats *table, struct shoal_ctx *ctx, struct shoal_proxy **out)
{
    struct shoal_proxy *p = calloc(1, sizeof(*p));
    char pub[320];

    *out = NULL;
    if (p == NULL) {
        return -ENOMEM;
    }
    p->self = self;
    p->zsec = zsec;
    p->table = table;
    p->ctx = ctx;
    p->router = shoal_zsec_server(zsec, ZMQ_ROUTER, SHOAL_CHANNEL_STATE_IN, p->endpoint,
                                  sizeof(p->endpoint));
    p->pub = shoal_zsec_server(zsec, ZMQ_PUB, SHOAL_CHANNEL_STATE_PUB, pub, sizeof(pub));
    if (p->router == NULL || p->pub == NULL) {
        shoal_proxy_free(p);
        return -EINVAL;
    }
    shoal_info(self->name, "counting shared state from %s, publishing on %s", p->endpoint, pub);
    *out = p;
    return 0;
}

void shoal_proxy_free(struct shoal_proxy *p)
{
    if (p == NULL) {
        return;
    }
    if (p->router != NULL) {
        zmq_close(p->router);
    }
    if (p->pub != NULL) {
        zmq_close(p->pub);
    }
    shoal_buf_free(&p->buf);
    free(p);
}

void *shoal_proxy_socket(struct shoal_proxy *p)
{
    return p->router;
}

static void proxy_publish(struct shoal_proxy *p, const struct shoal_wire_state *w)
{
    const char *topic = shoal_wire_topic(SHOAL_WIRE_STATE_UPDATE);

    p->buf.len = 0;
    if (shoal_wire_encode_state(&p->buf, w) == 0) {
        zmq_send(p->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send(p->pub, p->buf.p, p->buf.len, ZMQ_DONTWAIT);
    }
}

static void proxy_count(struct shoal_proxy *p, const struct shoal_wire_state *s)
{
    int h = shoal_sumstats_find(p->table, s->kind);
    const struct shoal_sumstat *def = shoal_sumstats_def(p->table, h);
    double until = 0;

    if (def == NULL || s->key.len > SHOAL_SUMSTAT_MAX_KEY) {
        p->st.unknown++;
        if (!p->unknown_logged) {
            shoal_warn(p->self->name,
                       "observation of %s from %s ignored: no plugin here declares it (do all "
                       "nodes load the same plugins?)",
                       s->kind, s->sender);
            p->unknown_logged = true;
        }
        return;
    }
    double now = s->expire - def->epoch;
    if (now > shoal_ctx_now(p->ctx)) {
        shoal_ctx_advance(p->ctx, now);
    }
    p->st.updates++;
    if (shoal_sumstats_observe(p->table, h, s->key.p, s->key.len, s->value, now, &until) == 1) {
        struct shoal_wire_state mark = {
            .sender = p->self->name,
            .kind = def->name,
            .key = s->key,
            .value = def->threshold,
            .expire = until,
        };
        p->st.crossed++;
        proxy_publish(p, &mark);
    }
}

/* One message from a worker: [identity, topic, body]. */
static void proxy_on_message(struct shoal_proxy *p, zmq_msg_t *topic, zmq_msg_t *body)
{
    struct shoal_wire_msg m;
    char err[256];
    const char *user = zmq_msg_gets(body, "User-Id");

    memset(&m, 0, sizeof(m));
    if (!shoal_wire_topic_matches(zmq_msg_data(topic), zmq_msg_size(topic),
                                  SHOAL_WIRE_STATE_UPDATE) ||
        shoal_wire_decode(zmq_msg_data(body), zmq_msg_size(body), SHOAL_WIRE_STATE_UPDATE, &m, err,
                          sizeof(err)) < 0) {
        if (p->st.bad++ == 0) {
            shoal_warn(p->self->name, "bad state message from %s on %s: %s",
                       user != NULL ? user : "?", p->endpoint, "not a STATE_UPDATE");
        }
        return;
    }
    if (user != NULL && strcmp(user, m.state.sender) != 0) {
        if (p->st.bad++ == 0) {
            shoal_warn(p->self->name, "state update signed by %s claims to come from %s: refused",
                       user, m.state.sender);
        }
    } else {
        proxy_count(p, &m.state);
    }
    shoal_wire_msg_release(&m);
}

void shoal_proxy_serve(struct shoal_proxy *p)
{
    for (int budget = 0; budget < 100000; budget++) {
        zmq_msg_t f[3];
        int n = shoal_zsec_recv_routed(p->router, f);

        if (n == 0) {
            break;
        }
        if (n == 3) {
            proxy_on_message(p, &f[1], &f[2]);
        } else {
            p->st.bad++;
        }
        shoal_zsec_frames_close(f, n);
    }
    double wall = proxy_wall();
    if (wall >= p->next_alive) {
        struct shoal_wire_state alive = {
            .sender = p->self->name,
            .kind = SHOAL_STATE_ALIVE_KIND,
            .key = {"", 0},
            .expire = shoal_ctx_now(p->ctx),
        };
        proxy_publish(p, &alive);
        p->next_alive = wall + SHOAL_STATE_ALIVE_EVERY;
    }
}

void shoal_proxy_stats(const struct shoal_proxy *p, struct shoal_proxy_stats *out)
{
    *out = p->st;
}
