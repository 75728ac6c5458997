/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel (see control.h): the node's ROUTER that answers
 * requests, and the shell's client that sends one request to many nodes,
 * one DEALER per node, and collects the replies with one zmq_poll until a
 * deadline.  Reply items are built in a growable list of owned strings.
 */
#include "cluster/control.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "lib/diag.h"
#include "cluster/keys.h"
#include "node/nodestate.h"

#define CTL_REFUSED_WARNINGS 10 /* refused requests logged, then only counted */
#define CTL_MAX_PER_SERVE 64
#define CTL_MAX_PEERS 1024
#define CTL_LINGER_MS 500 /* a stop's reply still leaves when the node exits */

struct ctl_item {
    char *key;
    char *val;
};

struct shoal_control_items {
    struct ctl_item *v;
    size_t n, cap;
    bool oom;
};

struct ctl_peer {
    char name[SHOAL_LAYOUT_NAME_MAX + 1];
    double last;
};

struct shoal_control {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    struct shoal_zsec *z;
    struct shoal_control_ops ops;
    const struct shoal_nodestate *state;
    void *sock;
    char endpoint[320];
    double t0;
    struct shoal_control_stats st;
    struct ctl_peer *peers;
    size_t n_peers;
};

static double ctl_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- reply items ---- */

static void ctl_items_clear(struct shoal_control_items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        free(it->v[i].key);
        free(it->v[i].val);
    }
    free(it->v);
    memset(it, 0, sizeof(*it));
}

static int ctl_vadd(struct shoal_control_items *it, const char *key, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int ctl_vadd(struct shoal_control_items *it, const char *key, const char *fmt, va_list ap)
{
    char *val = NULL;
    char *k;

    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 16;
        struct ctl_item *v = realloc(it->v, cap * sizeof(*v));
        if (v == NULL) {
            it->oom = true;
            return -ENOMEM;
        }
        it->v = v;
        it->cap = cap;
    }
    k = strdup(key);
    if (k == NULL || vasprintf(&val, fmt, ap) < 0) {
        free(k);
        it->oom = true;
        return -ENOMEM;
    }
    it->v[it->n].key = k;
    it->v[it->n].val = val;
    it->n++;
    return 0;
}

int shoal_control_add(struct shoal_control_items *it, const char *key, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = ctl_vadd(it, key, fmt, ap);
    va_end(ap);
    return rc;
}

int shoal_control_add_u64(struct shoal_control_items *it, const char *key, uint64_t v)
{
    return shoal_control_add(it, key, "%" PRIu64, v);
}

/* ---- server ---- */

int shoal_control_new(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                      struct shoal_zsec *z, const struct shoal_control_ops *ops,
                      const struct shoal_nodestate *state, struct shoal_control **out)
{
    struct shoal_control *c;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return -ENOMEM;
    }
    c->layout = layout;
    c->self = self;
    c->z = z;
    c->state = state;
    c->t0 = ctl_now();
    if (ops != NULL) {
        /* A smaller (older) table leaves the newer callbacks NULL. */
        memcpy(&c->ops, ops, ops->size < sizeof(c->ops) ? ops->size : sizeof(c->ops));
    }
    c->sock =
        shoal_zsec_server(z, ZMQ_ROUTER, SHOAL_CHANNEL_CONTROL, c->endpoint, sizeof(c->endpoint));
    if (c->sock == NULL) {
        free(c);
        return -EADDRNOTAVAIL;
    }
    /* zsec makes servers with LINGER 0; keep a stop's reply a moment. */
    shoal_zsec_set_int(z, c->sock, ZMQ_LINGER, CTL_LINGER_MS, c->endpoint);
    shoal_info(self->name, "control channel on %s", c->endpoint);
    *out = c;
    return 0;
}

void shoal_control_free(struct shoal_control *c)
{
    if (c == NULL) {
        return;
    }
    if (c->sock != NULL) {
        zmq_close(c->sock);
    }
    free(c->peers);
    free(c);
}

void *shoal_control_socket(struct shoal_control *c)
{
    return c->sock;
}

const char *shoal_control_endpoint(const struct shoal_control *c)
{
    return c->endpoint;
}

void shoal_control_stats(const struct shoal_control *c, struct shoal_control_stats *out)
{
    *out = c->st;
}

void shoal_control_peer_seen(struct shoal_control *c, const char *name)
{
    if (c == NULL || name == NULL || name[0] == '\0') {
        return;
    }
    for (size_t i = 0; i < c->n_peers; i++) {
        if (strcmp(c->peers[i].name, name) == 0) {
            c->peers[i].last = ctl_now();
            return;
        }
    }
    if (c->n_peers == CTL_MAX_PEERS || strlen(name) > SHOAL_LAYOUT_NAME_MAX) {
        return;
    }
    struct ctl_peer *p = realloc(c->peers, (c->n_peers + 1) * sizeof(*p));
    if (p == NULL) {
        return;
    }
    c->peers = p;
    snprintf(p[c->n_peers].name, sizeof(p[c->n_peers].name), "%s", name);
    p[c->n_peers].last = ctl_now();
    c->n_peers++;
}

double shoal_control_peer_age(const struct shoal_control *c, const char *name)
{
    for (size_t i = 0; c != NULL && i < c->n_peers; i++) {
        if (strcmp(c->peers[i].name, name) == 0) {
            return ctl_now() - c->peers[i].last;
        }
    }
    return -1.0;
}

static void ctl_status(struct shoal_control *c, struct shoal_control_items *it)
{
    shoal_control_add(it, "node", "%s", c->self->name);
    shoal_control_add(it, "role", "%s", shoal_layout_role_name(c->self->role));
    shoal_control_add(it, "cluster", "%s", c->layout->cluster ? c->layout->cluster : "shoal");
    shoal_control_add(it, "state", "%s", shoal_nodestate_word(c->state));
    shoal_control_add(it, "pid", "%ld", (long)getpid());
    shoal_control_add(it, "uptime", "%.1f", ctl_now() - c->t0);
    if (c->ops.status != NULL) {
        c->ops.status(c->ops.arg, it);
    }
}

static void ctl_counters(struct shoal_control *c, struct shoal_control_items *it)
{
    if (c->ops.counters != NULL) {
        c->ops.counters(c->ops.arg, it);
    }
    shoal_control_add_u64(it, "control.requests", c->st.requests);
    shoal_control_add_u64(it, "control.bad_requests", c->st.bad_requests);
    shoal_control_add_u64(it, "control.refused", c->st.refused);
    shoal_control_add_u64(it, "zap.refused", shoal_zsec_refused(c->z));
}

static void ctl_peers(struct shoal_control *c, struct shoal_control_items *it)
{
    if (c->ops.peers != NULL) {
        c->ops.peers(c->ops.arg, it);
    }
}

/* Send [id][topic][reply body]; a peer that went away just misses it. */
static void ctl_send_reply(struct shoal_control *c, zmq_msg_t *id, uint64_t req_id, int64_t status,
                           const struct shoal_control_items *it)
{
    const char *topic = shoal_wire_topic(SHOAL_WIRE_CONTROL_REPLY);
    struct shoal_wire_kv kv[SHOAL_WIRE_MAX_ARGS];
    struct shoal_wire_ctl_reply r = {.id = req_id, .status = status, .items = kv};
    struct shoal_buf sb = {0};
    int rc;

    for (size_t i = 0; i < it->n && i < SHOAL_WIRE_MAX_ARGS; i++) {
        kv[i].key = it->v[i].key;
        kv[i].value.p = it->v[i].val;
        kv[i].value.len = strlen(it->v[i].val);
        r.n_items++;
    }
    rc = shoal_wire_encode_ctl_reply(&sb, &r);
    if (rc < 0) {
        shoal_err(c->self->name, "%s: cannot encode a control reply: %s", c->endpoint,
                  strerror(-rc));
    } else if (zmq_send(c->sock, zmq_msg_data(id), zmq_msg_size(id), ZMQ_SNDMORE | ZMQ_DONTWAIT) >=
               0) {
        zmq_send(c->sock, topic, strlen(topic), ZMQ_SNDMORE);
        zmq_send(c->sock, sb.p, sb.len, 0);
    }
    shoal_buf_free(&sb);
}

static void ctl_error(struct shoal_control *c, zmq_msg_t *id, uint64_t req_id, int status,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void ctl_error(struct shoal_control *c, zmq_msg_t *id, uint64_t req_id, int status,
                      const char *fmt, ...)
{
    struct shoal_control_items it = {0};
    va_list ap;

    c->st.bad_requests++;
    va_start(ap, fmt);
    ctl_vadd(&it, "error", fmt, ap);
    va_end(ap);
    ctl_send_reply(c, id, req_id, status, &it);
    ctl_items_clear(&it);
}

/* The argument as text, or NULL if it holds a NUL. */
static const char *ctl_arg_text(const struct shoal_str *a)
{
    return memchr(a->p, '\0', a->len) == NULL ? a->p : NULL;
}

static void ctl_dispatch(struct shoal_control *c, zmq_msg_t *id, const struct shoal_wire_msg *m,
                         const char *user)
{
    const struct shoal_wire_ctl_request *q = &m->req;
    struct shoal_control_items it = {0};
    const char *cmd = q->command;
    size_t want_args = strcmp(cmd, "print") == 0 ? 1 : 0;
    bool known = strcmp(cmd, "status") == 0 || strcmp(cmd, "counters") == 0 ||
                 strcmp(cmd, "peers") == 0 || strcmp(cmd, "print") == 0 || strcmp(cmd, "stop") == 0;

    if (!known) {
        ctl_error(c, id, q->id, -ENOSYS,
                  "unknown command '%.64s' (commands: status, counters, peers, print ID, stop)",
                  cmd);
        return;
    }
    if (q->n_args != want_args) {
        ctl_error(c, id, q->id, -EINVAL, "%s takes %s, got %zu arguments", cmd,
                  want_args ? "one argument (an item name)" : "no argument", q->n_args);
        return;
    }
    if (strcmp(cmd, "status") == 0) {
        ctl_status(c, &it);
    } else if (strcmp(cmd, "counters") == 0) {
        ctl_counters(c, &it);
    } else if (strcmp(cmd, "peers") == 0) {
        ctl_peers(c, &it);
    } else if (strcmp(cmd, "print") == 0) {
        const char *want = ctl_arg_text(&q->args[0]);
        struct shoal_control_items all = {0};
        const char *val = NULL;

        if (want == NULL || want[0] == '\0') {
            ctl_error(c, id, q->id, -EINVAL, "print: the item name is empty or holds a NUL");
            return;
        }
        ctl_status(c, &all);
        ctl_counters(c, &all);
        ctl_peers(c, &all);
        if (c->ops.settings != NULL) {
            c->ops.settings(c->ops.arg, &all);
        }
        for (size_t i = 0; i < all.n && val == NULL; i++) {
            if (strcmp(all.v[i].key, want) == 0) {
                val = all.v[i].val;
            }
        }
        if (val == NULL) {
            ctl_items_clear(&all);
            ctl_error(c, id, q->id, -ENOENT,
                      "print: no item named '%.64s' (see status, counters, peers)", want);
            return;
        }
        shoal_control_add(&it, want, "%s", val);
        ctl_items_clear(&all);
    } else { /* stop */
        if (c->ops.stop == NULL) {
            ctl_error(c, id, q->id, -ENOSYS, "this node cannot be stopped by control");
            return;
        }
        shoal_control_add(&it, "stop", "requested");
    }
    if (it.oom) {
        ctl_items_clear(&it);
        ctl_error(c, id, q->id, -ENOMEM, "out of memory");
        return;
    }
    ctl_send_reply(c, id, q->id, 0, &it);
    ctl_items_clear(&it);
    if (strcmp(cmd, "stop") == 0) {
        shoal_info(c->self->name, "stop requested over %s by %s", c->endpoint, user ? user : "?");
        c->ops.stop(c->ops.arg, user ? user : "?");
    }
}

static void ctl_on_request(struct shoal_control *c, zmq_msg_t *parts, int got)
{
    struct shoal_wire_msg m;
    char err[256] = "";
    const char *user;

    c->st.requests++;
    if (got != 3) {
        ctl_error(c, &parts[0], 0, -EBADMSG, "bad request: %d frames, expected topic and body",
                  got - 1);
        return;
    }
    if (!shoal_wire_topic_matches(zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]),
                                  SHOAL_WIRE_CONTROL_REQUEST)) {
        ctl_error(c, &parts[0], 0, -EBADMSG, "bad request: topic is not \"ctl\"");
        return;
    }
    memset(&m, 0, sizeof(m));
    if (shoal_wire_decode(zmq_msg_data(&parts[2]), zmq_msg_size(&parts[2]),
                          SHOAL_WIRE_CONTROL_REQUEST, &m, err, sizeof(err)) < 0) {
        ctl_error(c, &parts[0], 0, -EBADMSG, "bad request: %s", err);
        return;
    }
    user = zmq_msg_gets(&parts[2], "User-Id");
    if (user == NULL || strcmp(user, SHOAL_CONTROL_KEY_NAME) != 0) {
        /* Node keys send logs, notices and state; only the shell controls. */
        if (c->st.refused++ < CTL_REFUSED_WARNINGS) {
            shoal_warn(c->self->name,
                       "%s request over %s signed by %s refused: only the "
                       "control key (%s) may control nodes",
                       m.req.command, c->endpoint, user ? user : "nobody", SHOAL_CONTROL_KEY_NAME);
        }
        ctl_error(c, &parts[0], m.req.id, -EACCES,
                  "refused: the key of %s may not control nodes, only the control key (%s)",
                  user ? user : "nobody", SHOAL_CONTROL_KEY_NAME);
    } else {
        ctl_dispatch(c, &parts[0], &m, user);
    }
    shoal_wire_msg_release(&m);
}

void shoal_control_serve(struct shoal_control *c)
{
    for (int n = 0; c != NULL && n < CTL_MAX_PER_SERVE; n++) {
        zmq_msg_t parts[3];
        int got = shoal_zsec_recv_routed(c->sock, parts);

        if (got == 0) {
            return;
        }
        ctl_on_request(c, parts, got);
        shoal_zsec_frames_close(parts, got);
    }
}

/* ---- client ---- */

struct ctl_conn {
    void *sock;
    char endpoint[320];
};

struct shoal_control_client {
    const struct shoal_layout *layout;
    void *zctx;
    struct shoal_keypair kp;
    struct shoal_keys_allowed *allowed;
    struct ctl_conn *conns; /* one per layout node, by index */
    uint64_t next_id;
};

int shoal_control_key_path(const struct shoal_layout *layout, char *buf, size_t len)
{
    const char *a = layout->allowed_keys;
    const char *slash;
    int n;

    if (a == NULL || (slash = strrchr(a, '/')) == NULL) {
        return -ENOENT;
    }
    n = snprintf(buf, len, "%.*s/%s.key", (int)(slash - a), a, SHOAL_CONTROL_KEY_NAME);
    return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int shoal_control_client_open(const struct shoal_layout *layout, const char *key_file,
                              struct shoal_control_client **out, char *err, size_t errlen)
{
    struct shoal_control_client *cl;
    char path[PATH_MAX];
    int rc;

    *out = NULL;
    if (layout->allowed_keys == NULL) {
        snprintf(err, errlen,
                 "%s: the layout has no allowed_keys (a standalone node has no "
                 "control channel)",
                 layout->file ? layout->file : "layout");
        return -EINVAL;
    }
    if (!zmq_has("curve")) {
        snprintf(err, errlen, "libzmq was built without CURVE: cannot reach the nodes");
        return -ENOTSUP;
    }
    if (key_file == NULL) {
        if (shoal_control_key_path(layout, path, sizeof(path)) < 0) {
            snprintf(err, errlen, "%s: no place for the control key", layout->allowed_keys);
            return -EINVAL;
        }
        key_file = path;
    }
    cl = calloc(1, sizeof(*cl));
    if (cl == NULL) {
        return -ENOMEM;
    }
    cl->layout = layout;
    cl->next_id = 1;
    cl->conns = calloc(layout->n_nodes ? layout->n_nodes : 1, sizeof(*cl->conns));
    if (cl->conns == NULL) {
        rc = -ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    rc = shoal_keys_load(key_file, &cl->kp, err, errlen);
    if (rc == 0) {
        rc = shoal_keys_allowed_load(layout->allowed_keys, &cl->allowed, err, errlen);
    }
    if (rc < 0) {
        goto fail;
    }
    if (shoal_keys_allowed_find(cl->allowed, cl->kp.public_key) == NULL) {
        snprintf(err, errlen, "%s: its public key is not in %s: the nodes would refuse it",
                 key_file, layout->allowed_keys);
        rc = -EPERM;
        goto fail;
    }
    cl->zctx = zmq_ctx_new();
    if (cl->zctx == NULL) {
        rc = -ENOMEM;
        snprintf(err, errlen, "zmq_ctx_new: %s", zmq_strerror(errno));
        goto fail;
    }
    *out = cl;
    return 0;

fail:
    shoal_control_client_close(cl);
    return rc;
}

void shoal_control_client_close(struct shoal_control_client *cl)
{
    if (cl == NULL) {
        return;
    }
    for (size_t i = 0; cl->conns != NULL && i < cl->layout->n_nodes; i++) {
        if (cl->conns[i].sock != NULL) {
            zmq_close(cl->conns[i].sock);
        }
    }
    free(cl->conns);
    if (cl->zctx != NULL) {
        zmq_ctx_term(cl->zctx);
    }
    shoal_keys_allowed_free(cl->allowed);
    shoal_keys_wipe(&cl->kp);
    free(cl);
}

/* The connected socket to node index i; NULL with res->error set. */
static void *ctl_conn_get(struct shoal_control_client *cl, size_t i,
                          struct shoal_control_result *res)
{
    struct ctl_conn *cn = &cl->conns[i];
    const struct shoal_layout_node *to = &cl->layout->nodes[i];
    const uint8_t *server_key;
    int zero = 0, ivl = 100, ivl_max = 1000, one = 1;

    if (shoal_layout_connect_endpoint(cl->layout, NULL, to, SHOAL_CHANNEL_CONTROL, cn->endpoint,
                                      sizeof(cn->endpoint)) < 0) {
        snprintf(res->error, sizeof(res->error), "node %s has no control port in %s", to->name,
                 cl->layout->file ? cl->layout->file : "the layout");
        return NULL;
    }
    snprintf(res->endpoint, sizeof(res->endpoint), "%s", cn->endpoint);
    if (cn->sock != NULL) {
        return cn->sock;
    }
    server_key = shoal_keys_allowed_key_of(cl->allowed, to->name);
    if (server_key == NULL) {
        snprintf(res->error, sizeof(res->error), "%s: no public key for node %s",
                 cl->layout->allowed_keys, to->name);
        return NULL;
    }
    cn->sock = zmq_socket(cl->zctx, ZMQ_DEALER);
    if (cn->sock == NULL ||
        zmq_setsockopt(cn->sock, ZMQ_CURVE_SERVERKEY, server_key, SHOAL_KEY_BYTES) != 0 ||
        zmq_setsockopt(cn->sock, ZMQ_CURVE_PUBLICKEY, cl->kp.public_key, SHOAL_KEY_BYTES) != 0 ||
        zmq_setsockopt(cn->sock, ZMQ_CURVE_SECRETKEY, cl->kp.secret_key, SHOAL_KEY_BYTES) != 0 ||
        zmq_setsockopt(cn->sock, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
        zmq_setsockopt(cn->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl)) != 0 ||
        zmq_setsockopt(cn->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof(ivl_max)) != 0 ||
        (strchr(to->host, ':') != NULL &&
         zmq_setsockopt(cn->sock, ZMQ_IPV6, &one, sizeof(one)) != 0) ||
        zmq_connect(cn->sock, cn->endpoint) != 0) {
        snprintf(res->error, sizeof(res->error), "%s: cannot make the control socket: %s",
                 cn->endpoint, zmq_strerror(errno));
        if (cn->sock != NULL) {
            zmq_close(cn->sock);
            cn->sock = NULL;
        }
        return NULL;
    }
    return cn->sock;
}

/* Drop the socket of a node that did not answer: its queued request must
 * not reach it later, and the next request starts afresh. */
static void ctl_conn_drop(struct shoal_control_client *cl, size_t i)
{
    if (cl->conns[i].sock != NULL) {
        zmq_close(cl->conns[i].sock);
        cl->conns[i].sock = NULL;
    }
}

/* Read every waiting message of node i's socket; true once the reply with
 * `id` is in res. */
static bool ctl_collect(struct shoal_control_client *cl, size_t i, uint64_t id,
                        struct shoal_control_result *res)
{
    void *sock = cl->conns[i].sock;

    for (;;) {
        zmq_msg_t topic, body;
        int more = 0;
        size_t ml = sizeof(more);
        char err[200] = "";
        int rc;

        zmq_msg_init(&topic);
        if (zmq_msg_recv(&topic, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&topic);
            return false;
        }
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
        if (!more) {
            zmq_msg_close(&topic);
            continue;
        }
        zmq_msg_init(&body);
        zmq_msg_recv(&body, sock, 0);
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
        while (more) {
            zmq_msg_t extra;
            zmq_msg_init(&extra);
            zmq_msg_recv(&extra, sock, 0);
            zmq_msg_close(&extra);
            zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
        }
        memset(&res->msg, 0, sizeof(res->msg));
        rc = shoal_wire_decode(zmq_msg_data(&body), zmq_msg_size(&body), SHOAL_WIRE_CONTROL_REPLY,
                               &res->msg, err, sizeof(err));
        zmq_msg_close(&topic);
        zmq_msg_close(&body);
        if (rc < 0) {
            res->rc = rc;
            snprintf(res->error, sizeof(res->error), "bad reply from %s: %s", res->endpoint, err);
            return true;
        }
        if (res->msg.rep.id == id) {
            res->rc = 0;
            return true;
        }
        shoal_wire_msg_release(&res->msg); /* a late answer to an older request */
    }
}

/* One request in flight to n nodes. */
struct ctl_round {
    struct shoal_control_client *cl;
    struct shoal_control_result *res; /* n of them */
    size_t n;
    uint64_t id;
    double t0;
    zmq_pollitem_t *items; /* scratch for zmq_poll */
    size_t *which;         /* each result's node: its index in the layout */
    bool *pending;         /* sent, no reply yet */
};

/* Send the request `body` to node k of the round (res[k] says what came
 * of it). */
static void ctl_send_one(struct ctl_round *rd, size_t k, const struct shoal_layout_node *node,
                         const struct shoal_buf *body)
{
    const char *topic = shoal_wire_topic(SHOAL_WIRE_CONTROL_REQUEST);
    const struct shoal_layout *layout = rd->cl->layout;
    struct shoal_control_result *r = &rd->res[k];
    void *sock;

    memset(r, 0, sizeof(*r));
    r->node = node;
    r->rc = -EINVAL;
    rd->which[k] = (size_t)(node - layout->nodes);
    if (node < layout->nodes || rd->which[k] >= layout->n_nodes) {
        snprintf(r->error, sizeof(r->error), "node %s is not in %s", node->name,
                 layout->file ? layout->file : "the layout");
        return;
    }
    sock = ctl_conn_get(rd->cl, rd->which[k], r);
    if (sock == NULL) {
        return;
    }
    /* Queued on the connecting pipe if the node is not there yet. */
    if (zmq_send(sock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(sock, body->p, body->len, ZMQ_DONTWAIT) < 0) {
        snprintf(r->error, sizeof(r->error), "%s: cannot send: %s", r->endpoint,
                 zmq_strerror(errno));
        ctl_conn_drop(rd->cl, rd->which[k]);
        return;
    }
    r->rc = -ETIMEDOUT;
    rd->pending[k] = true;
}

/* Collect replies until every pending node answered or `deadline`;
 * returns the number of replies. */
static int ctl_wait(struct ctl_round *rd, double deadline)
{
    int replied = 0;

    for (;;) {
        size_t np = 0;
        for (size_t k = 0; k < rd->n; k++) {
            if (rd->pending[k]) {
                rd->items[np].socket = rd->cl->conns[rd->which[k]].sock;
                rd->items[np].events = ZMQ_POLLIN;
                rd->items[np].revents = 0;
                np++;
            }
        }
        double left = deadline - ctl_now();
        if (np == 0 || left <= 0) {
            return replied;
        }
        if (zmq_poll(rd->items, (int)np, (long)(left * 1000) + 1) < 0 && errno != EINTR) {
            return replied;
        }
        for (size_t k = 0; k < rd->n; k++) {
            if (rd->pending[k] && ctl_collect(rd->cl, rd->which[k], rd->id, &rd->res[k])) {
                rd->pending[k] = false;
                rd->res[k].seconds = ctl_now() - rd->t0;
                replied += rd->res[k].rc == 0;
            }
        }
    }
}

int shoal_control_request(struct shoal_control_client *cl,
                          const struct shoal_layout_node *const *nodes, size_t n,
                          const char *command, const char *const *args, size_t n_args,
                          double timeout, struct shoal_control_result *res)
{
    struct shoal_str wargs[SHOAL_WIRE_MAX_ARGS];
    struct shoal_wire_ctl_request q = {.command = command, .args = wargs, .n_args = n_args};
    struct ctl_round rd = {.cl = cl, .res = res, .n = n, .t0 = ctl_now()};
    struct shoal_buf body = {0};
    int rc;

    if (n_args > SHOAL_WIRE_MAX_ARGS) {
        return -E2BIG;
    }
    for (size_t i = 0; i < n_args; i++) {
        wargs[i] = shoal_str_of(args[i]);
    }
    q.id = rd.id = cl->next_id++;
    rc = shoal_wire_encode_ctl_request(&body, &q);
    if (rc < 0) {
        goto out;
    }
    rd.items = calloc(n ? n : 1, sizeof(*rd.items));
    rd.which = calloc(n ? n : 1, sizeof(*rd.which));
    rd.pending = calloc(n ? n : 1, sizeof(*rd.pending));
    if (rd.items == NULL || rd.which == NULL || rd.pending == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        ctl_send_one(&rd, k, nodes[k], &body);
    }
    rc = ctl_wait(&rd, rd.t0 + timeout);
    for (size_t k = 0; k < n; k++) {
        if (rd.pending[k]) {
            res[k].seconds = ctl_now() - rd.t0;
            snprintf(res[k].error, sizeof(res[k].error), "no reply after %g s", timeout);
            ctl_conn_drop(cl, rd.which[k]);
        }
    }
out:
    free(rd.items);
    free(rd.which);
    free(rd.pending);
    shoal_buf_free(&body);
    return rc;
}

void shoal_control_results_release(struct shoal_control_result *res, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (res[i].rc == 0) {
            shoal_wire_msg_release(&res[i].msg);
        }
        memset(&res[i].msg, 0, sizeof(res[i].msg));
    }
}

const char *shoal_control_reply_get(const struct shoal_wire_ctl_reply *r, const char *key)
{
    for (size_t i = 0; i < r->n_items; i++) {
        if (strcmp(r->items[i].key, key) == 0) {
            return r->items[i].value.p;
        }
    }
    return NULL;
}
