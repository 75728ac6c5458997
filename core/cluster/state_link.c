/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's link to the proxies' shared state (see state_link.h).
 */
#include "cluster/state_link.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "lib/diag.h"
#include "lib/hrw.h"
#include "cluster/wire.h"

struct sl_proxy {
    const struct shoal_layout_node *node;
    void *dealer;              /* observations to the proxy's state_in */
    void *sub;                 /* what it publishes on its state_pub */
    char endpoint[320];        /* of state_in */
    struct shoal_hrw_node hrw; /* its name and seed, for placement */
    double heard;              /* wall time of the last message from it, 0: never */
    bool alive;                /* as last computed, to log changes */
};

struct shoal_state_link {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    struct shoal_zsec *zsec;
    struct shoal_sumstats *table;
    struct sl_proxy *proxies;
    size_t n_proxies;
    double started;
    bool local_logged;
    bool drop_logged;
    struct shoal_buf buf;
    struct shoal_hrw_node *live; /* scratch: the live proxies */
    size_t *live_idx;
    struct shoal_state_link_stats st;
};

static double sl_wall(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int shoal_state_link_new(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                         struct shoal_zsec *zsec, struct shoal_sumstats *table,
                         struct shoal_state_link **out)
{
    struct shoal_state_link *sl = calloc(1, sizeof(*sl));
    size_t n = shoal_layout_count(layout, SHOAL_ROLE_PROXY);
    size_t i = 0;

    *out = NULL;
    if (sl == NULL) {
        return -ENOMEM;
    }
    sl->layout = layout;
    sl->self = self;
    sl->zsec = zsec;
    sl->table = table;
    sl->started = sl_wall();
    sl->proxies = calloc(n + 1, sizeof(*sl->proxies));
    sl->live = calloc(n + 1, sizeof(*sl->live));
    sl->live_idx = calloc(n + 1, sizeof(*sl->live_idx));
    if (sl->proxies == NULL || sl->live == NULL || sl->live_idx == NULL) {
        shoal_state_link_free(sl);
        return -ENOMEM;
    }
    for (const struct shoal_layout_node *p = shoal_layout_next(layout, SHOAL_ROLE_PROXY, NULL);
         p != NULL; p = shoal_layout_next(layout, SHOAL_ROLE_PROXY, p), i++) {
        struct sl_proxy *px = &sl->proxies[i];
        char pub[320];
        sl->n_proxies = i + 1;
        px->node = p;
        px->alive = true;
        px->dealer = shoal_zsec_client(zsec, ZMQ_DEALER, p, SHOAL_CHANNEL_STATE_IN, px->endpoint,
                                       sizeof(px->endpoint));
        px->sub = shoal_zsec_client(zsec, ZMQ_SUB, p, SHOAL_CHANNEL_STATE_PUB, pub, sizeof(pub));
        if (px->dealer == NULL || px->sub == NULL ||
            shoal_zsec_set_int(zsec, px->dealer, ZMQ_SNDHWM, 100000, px->endpoint) < 0 ||
            zmq_setsockopt(px->sub, ZMQ_SUBSCRIBE, "", 0) != 0 ||
            shoal_zsec_connect(zsec, px->dealer, px->endpoint) < 0 ||
            shoal_zsec_connect(zsec, px->sub, pub) < 0) {
            shoal_state_link_free(sl);
            return -EINVAL;
        }
        shoal_hrw_node_init(&px->hrw, p->name);
    }
    *out = sl;
    return 0;
}

void shoal_state_link_flush(struct shoal_state_link *sl, int ms)
{
    for (size_t i = 0; i < sl->n_proxies; i++) {
        if (sl->proxies[i].dealer != NULL) {
            zmq_setsockopt(sl->proxies[i].dealer, ZMQ_LINGER, &ms, sizeof(ms));
        }
    }
}

void shoal_state_link_free(struct shoal_state_link *sl)
{
    if (sl == NULL) {
        return;
    }
    for (size_t i = 0; i < sl->n_proxies; i++) {
        if (sl->proxies[i].dealer != NULL) {
            zmq_close(sl->proxies[i].dealer);
        }
        if (sl->proxies[i].sub != NULL) {
            zmq_close(sl->proxies[i].sub);
        }
    }
    shoal_buf_free(&sl->buf);
    free(sl->proxies);
    free(sl->live);
    free(sl->live_idx);
    free(sl);
}

static bool sl_alive(const struct shoal_state_link *sl, const struct sl_proxy *px, double wall)
{
    if (px->heard > 0) {
        return wall - px->heard < SHOAL_STATE_ALIVE_TIMEOUT;
    }
    return wall - sl->started < SHOAL_STATE_ALIVE_TIMEOUT;
}

/* Fill sl->live with the live proxies; log those that came or went. */
static size_t sl_live(struct shoal_state_link *sl)
{
    double wall = sl_wall();
    size_t n = 0;

    for (size_t i = 0; i < sl->n_proxies; i++) {
        struct sl_proxy *px = &sl->proxies[i];
        bool alive = sl_alive(sl, px, wall);
        if (alive != px->alive) {
            if (alive) {
                shoal_info(sl->self->name, "proxy %s is up (%s)", px->node->name, px->endpoint);
            } else {
                shoal_warn(sl->self->name,
                           "proxy %s at %s not heard from for %.0f s: its keys "
                           "go to the other proxies",
                           px->node->name, px->endpoint, SHOAL_STATE_ALIVE_TIMEOUT);
            }
            px->alive = alive;
        }
        if (alive) {
            sl->live[n] = px->hrw;
            sl->live_idx[n++] = i;
        }
    }
    sl->st.proxies_live = n;
    return n;
}

void shoal_state_link_observe(struct shoal_state_link *sl, int h, const void *key, size_t klen,
                              uint64_t member, double now)
{
    const struct shoal_sumstat *def = shoal_sumstats_def(sl->table, h);
    uint8_t hkey[SHOAL_SUMSTAT_MAX_KEY + 64];
    size_t nlen;

    if (def == NULL || klen > SHOAL_SUMSTAT_MAX_KEY) {
        return;
    }
    if (shoal_sumstats_is_crossed(sl->table, h, key, klen, now)) {
        sl->st.skipped++;
        return;
    }
    size_t n = sl_live(sl);
    if (n == 0) {
        if (!sl->local_logged) {
            shoal_warn(sl->self->name, "%s: counting %s here: no proxy is up",
                       sl->n_proxies ? "no proxy alive" : "no proxy in the layout", def->name);
            sl->local_logged = true;
        }
        sl->st.local++;
        shoal_sumstats_observe(sl->table, h, key, klen, member, now, NULL);
        return;
    }
    /* The owner hashes the statistic's name and the key, so that the keys
     * of different statistics spread independently. */
    nlen = strlen(def->name);
    memcpy(hkey, def->name, nlen);
    hkey[nlen] = 0;
    memcpy(hkey + nlen + 1, key, klen);
    int pick = shoal_hrw_pick_nodes(hkey, nlen + 1 + klen, sl->live, n);
    struct sl_proxy *px = &sl->proxies[sl->live_idx[pick < 0 ? 0 : pick]];
    struct shoal_wire_state w = {
        .sender = sl->self->name,
        .kind = def->name,
        .key = {(const char *)key, klen},
        .value = member,
        .expire = now + def->epoch,
    };
    sl->buf.len = 0;
    if (shoal_wire_encode_state(&sl->buf, &w) < 0) {
        sl->st.bad++;
        return;
    }
    const char *topic = shoal_wire_topic(SHOAL_WIRE_STATE_UPDATE);
    if (zmq_send(px->dealer, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(px->dealer, sl->buf.p, sl->buf.len, ZMQ_DONTWAIT) < 0) {
        sl->st.dropped++;
        if (!sl->drop_logged) {
            shoal_warn(sl->self->name,
                       "state update for %s dropped: the queue to proxy %s at %s "
                       "is full (counted from now on)",
                       def->name, px->node->name, px->endpoint);
            sl->drop_logged = true;
        }
        return;
    }
    sl->st.sent++;
}

/* One message published by a proxy. */
static void sl_on_message(struct shoal_state_link *sl, struct sl_proxy *px, const void *body,
                          size_t len)
{
    struct shoal_wire_msg m;
    char err[256];

    memset(&m, 0, sizeof(m));
    if (shoal_wire_decode(body, len, SHOAL_WIRE_STATE_UPDATE, &m, err, sizeof(err)) < 0) {
        if (sl->st.bad++ == 0) {
            shoal_warn(sl->self->name, "bad message from proxy %s: %s", px->node->name, err);
        }
        return;
    }
    px->heard = sl_wall();
    if (strcmp(m.state.kind, SHOAL_STATE_ALIVE_KIND) != 0) {
        int h = shoal_sumstats_find(sl->table, m.state.kind);
        if (h >= 0 && m.state.key.len <= SHOAL_SUMSTAT_MAX_KEY &&
            shoal_sumstats_mark(sl->table, h, m.state.key.p, m.state.key.len, 0, m.state.expire) ==
                0) {
            sl->st.marks++;
        } else {
            sl->st.bad++;
        }
    }
    shoal_wire_msg_release(&m);
}

void shoal_state_link_poll(struct shoal_state_link *sl)
{
    for (size_t i = 0; i < sl->n_proxies; i++) {
        struct sl_proxy *px = &sl->proxies[i];
        for (int budget = 0; budget < 10000; budget++) {
            zmq_msg_t f[2];
            int more = 0;
            size_t ml = sizeof(more);
            zmq_msg_init(&f[0]);
            if (zmq_msg_recv(&f[0], px->sub, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&f[0]);
                break;
            }
            zmq_getsockopt(px->sub, ZMQ_RCVMORE, &more, &ml);
            zmq_msg_init(&f[1]);
            if (more && zmq_msg_recv(&f[1], px->sub, 0) >= 0 &&
                shoal_wire_topic_matches(zmq_msg_data(&f[0]), zmq_msg_size(&f[0]),
                                         SHOAL_WIRE_STATE_UPDATE)) {
                sl_on_message(sl, px, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]));
            } else {
                sl->st.bad++;
            }
            /* Drain any further frames of a malformed message. */
            zmq_getsockopt(px->sub, ZMQ_RCVMORE, &more, &ml);
            while (more) {
                zmq_msg_t x;
                zmq_msg_init(&x);
                zmq_msg_recv(&x, px->sub, 0);
                zmq_msg_close(&x);
                zmq_getsockopt(px->sub, ZMQ_RCVMORE, &more, &ml);
            }
            zmq_msg_close(&f[0]);
            zmq_msg_close(&f[1]);
        }
    }
    sl_live(sl);
}

void shoal_state_link_stats(const struct shoal_state_link *sl, struct shoal_state_link_stats *out)
{
    *out = sl->st;
}

void shoal_state_link_peers(const struct shoal_state_link *sl,
                            void (*fn)(void *arg, const char *proxy, bool alive), void *arg)
{
    double wall = sl_wall();

    for (size_t i = 0; i < sl->n_proxies; i++) {
        fn(arg, sl->proxies[i].node->name, sl_alive(sl, &sl->proxies[i], wall));
    }
}
