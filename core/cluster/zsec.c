/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A node's ZeroMQ context, CURVE keys and ZAP handler (see zsec.h).
 */
#include "cluster/zsec.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <zmq.h>

#include "lib/diag.h"
#include "cluster/keys.h"

#define ZSEC_REFUSALS 32
#define ZSEC_ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* A refused peer, to log each (address, key) once and count the rest. */
struct zsec_refusal {
    char address[64];
    char key[SHOAL_KEY_Z85_LEN + 1];
    uint64_t count;
};

struct shoal_zsec {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    const char *name;
    struct shoal_keypair kp;
    struct shoal_keys_allowed *allowed;
    void *zctx;
    void *zap;
    struct zsec_refusal refusals[ZSEC_REFUSALS];
    size_t n_refusals;
    uint64_t refused;
};

void shoal_zsec_tune_malloc(void)
{
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, (int)SHOAL_ZSEC_MMAP_THRESHOLD);
    mallopt(M_TRIM_THRESHOLD, (int)SHOAL_ZSEC_TRIM_THRESHOLD);
#endif
}

int shoal_zsec_open(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                    bool serve, struct shoal_zsec **out)
{
    struct shoal_zsec *z;
    const char *file = layout->file ? layout->file : "layout";
    char err[512] = "";
    int zero = 0;
    int rc;

    *out = NULL;
    if (!zmq_has("curve")) {
        shoal_err(self->name, "libzmq was built without CURVE: the cluster cannot authenticate");
        return -ENOTSUP;
    }
    if (self->secret_key == NULL || layout->allowed_keys == NULL) {
        shoal_err(self->name, "%s: node %s has no key file or the cluster no allowed_keys", file,
                  self->name);
        return -EINVAL;
    }
    z = calloc(1, sizeof(*z));
    if (z == NULL) {
        return -ENOMEM;
    }
    z->layout = layout;
    z->self = self;
    z->name = self->name;
    rc = shoal_keys_load(self->secret_key, &z->kp, err, sizeof(err));
    if (rc == 0) {
        rc = shoal_keys_allowed_load(layout->allowed_keys, &z->allowed, err, sizeof(err));
    }
    if (rc < 0) {
        shoal_err(self->name, "%s", err);
        goto fail;
    }
    shoal_zsec_tune_malloc();
    z->zctx = zmq_ctx_new();
    if (z->zctx == NULL) {
        rc = -ENOMEM;
        shoal_err(self->name, "zmq_ctx_new: %s", zmq_strerror(errno));
        goto fail;
    }
    if (serve) {
        z->zap = zmq_socket(z->zctx, ZMQ_REP);
        if (z->zap == NULL || zmq_setsockopt(z->zap, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
            zmq_bind(z->zap, ZSEC_ZAP_ENDPOINT) != 0) {
            rc = -errno;
            shoal_err(self->name, "cannot bind the ZAP handler %s: %s", ZSEC_ZAP_ENDPOINT,
                      zmq_strerror(-rc));
            goto fail;
        }
    }
    *out = z;
    return 0;

fail:
    shoal_zsec_close(z);
    return rc;
}

void shoal_zsec_close(struct shoal_zsec *z)
{
    if (z == NULL) {
        return;
    }
    for (size_t i = 0; i < z->n_refusals; i++) {
        if (z->refusals[i].count > 1) {
            shoal_err(z->name, "refused the peer at %s with key %s %" PRIu64 " times in all",
                      z->refusals[i].address, z->refusals[i].key, z->refusals[i].count);
        }
    }
    if (z->zap != NULL) {
        zmq_close(z->zap);
    }
    if (z->zctx != NULL) {
        zmq_ctx_term(z->zctx);
    }
    shoal_keys_allowed_free(z->allowed);
    shoal_keys_wipe(&z->kp);
    free(z);
}

void *shoal_zsec_context(struct shoal_zsec *z)
{
    return z->zctx;
}

void *shoal_zsec_zap_socket(struct shoal_zsec *z)
{
    return z->zap;
}

uint64_t shoal_zsec_refused(const struct shoal_zsec *z)
{
    return z->refused;
}

/* ---- ZAP ---- */

static void zsec_refusal(struct shoal_zsec *z, const char *address, const char *domain,
                         const uint8_t *key, size_t keylen)
{
    char z85[SHOAL_KEY_Z85_LEN + 1] = "(none)";

    if (keylen == SHOAL_KEY_BYTES) {
        shoal_keys_z85_encode(key, z85);
    }
    z->refused++;
    for (size_t i = 0; i < z->n_refusals; i++) {
        if (strcmp(z->refusals[i].address, address) == 0 && strcmp(z->refusals[i].key, z85) == 0) {
            z->refusals[i].count++;
            return;
        }
    }
    shoal_err(z->name, "refused a peer at %s (domain %s): CURVE key %s is not in %s", address,
              domain, z85, z->layout->allowed_keys);
    if (z->n_refusals < ZSEC_REFUSALS) {
        struct zsec_refusal *r = &z->refusals[z->n_refusals++];
        snprintf(r->address, sizeof(r->address), "%s", address);
        snprintf(r->key, sizeof(r->key), "%s", z85);
        r->count = 1;
    }
}

static void zsec_frame_str(zmq_msg_t *f, char *buf, size_t len)
{
    size_t n = zmq_msg_size(f);

    if (n >= len) {
        n = len - 1;
    }
    memcpy(buf, zmq_msg_data(f), n);
    buf[n] = '\0';
}

void shoal_zsec_zap_serve(struct shoal_zsec *z)
{
    if (z->zap == NULL) {
        return;
    }
    for (;;) {
        zmq_msg_t f[8];
        int n = 0, more = 1;
        size_t ml = sizeof(more);

        while (more) {
            zmq_msg_t *p = &f[n < 8 ? n : 7];
            if (n >= 8) {
                zmq_msg_close(p);
            }
            zmq_msg_init(p);
            if (zmq_msg_recv(p, z->zap, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
                zmq_msg_close(p);
                if (n == 0) {
                    return;
                }
                break;
            }
            n++;
            zmq_getsockopt(z->zap, ZMQ_RCVMORE, &more, &ml);
        }
        int kept = n < 8 ? n : 8;
        /* version, request id, domain, address, identity, mechanism, key */
        const char *status = "400", *text = "key not allowed", *user = "";
        char address[64] = "?", domain[64] = "?";
        if (kept >= 4) {
            zsec_frame_str(&f[2], domain, sizeof(domain));
            zsec_frame_str(&f[3], address, sizeof(address));
        }
        if (kept >= 7 && zmq_msg_size(&f[5]) == 5 && memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
            zmq_msg_size(&f[6]) == SHOAL_KEY_BYTES) {
            const char *name = shoal_keys_allowed_find(z->allowed, zmq_msg_data(&f[6]));
            if (name != NULL) {
                status = "200";
                text = "OK";
                user = name;
            } else {
                zsec_refusal(z, address, domain, zmq_msg_data(&f[6]), SHOAL_KEY_BYTES);
            }
        } else {
            zsec_refusal(z, address, domain, NULL, 0);
        }
        if (kept >= 2) {
            zmq_send(z->zap, "1.0", 3, ZMQ_SNDMORE);
            zmq_send(z->zap, zmq_msg_data(&f[1]), zmq_msg_size(&f[1]), ZMQ_SNDMORE);
            zmq_send(z->zap, status, 3, ZMQ_SNDMORE);
            zmq_send(z->zap, text, strlen(text), ZMQ_SNDMORE);
            zmq_send(z->zap, user, strlen(user), ZMQ_SNDMORE);
            zmq_send(z->zap, "", 0, 0);
        }
        for (int i = 0; i < kept; i++) {
            zmq_msg_close(&f[i]);
        }
    }
}

/* ---- sockets ---- */

static int zsec_set(struct shoal_zsec *z, void *sock, int opt, const void *v, size_t len,
                    const char *what, const char *endpoint)
{
    if (zmq_setsockopt(sock, opt, v, len) != 0) {
        int err = errno;
        shoal_err(z->name, "%s: cannot set %s: %s", endpoint, what, zmq_strerror(err));
        return -err;
    }
    return 0;
}

int shoal_zsec_set_int(struct shoal_zsec *z, void *sock, int opt, int value, const char *endpoint)
{
    char what[32];

    snprintf(what, sizeof(what), "socket option %d", opt);
    return zsec_set(z, sock, opt, &value, sizeof(value), what, endpoint);
}

/* Bind `port` on every address `host` resolves to (libzmq binds addresses
 * and interfaces, not host names). */
static int zsec_bind_tcp(struct shoal_zsec *z, void *sock, const char *host, unsigned port,
                         const char *endpoint)
{
    struct addrinfo hints, *res = NULL;
    bool v6 = strchr(host, ':') != NULL;
    int bound = 0, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = v6 ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        shoal_err(z->name, "%s: cannot resolve %s: %s", endpoint, host, gai_strerror(rc));
        return -EHOSTUNREACH;
    }
    rc = 0;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        char addr[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 32];
        const void *p = a->ai_family == AF_INET6
                            ? (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr
                            : (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr;
        if (inet_ntop(a->ai_family, p, addr, sizeof(addr)) == NULL) {
            continue;
        }
        snprintf(ep, sizeof(ep), a->ai_family == AF_INET6 ? "tcp://[%s]:%u" : "tcp://%s:%u", addr,
                 port);
        if (zmq_bind(sock, ep) != 0) {
            if (errno == EADDRINUSE && bound > 0) {
                continue; /* the same address listed twice */
            }
            rc = -errno;
            shoal_err(z->name, "cannot bind %s (%s): %s", ep, endpoint, zmq_strerror(-rc));
            break;
        }
        bound++;
    }
    freeaddrinfo(res);
    if (rc == 0 && bound == 0) {
        shoal_err(z->name, "%s: %s has no address", endpoint, host);
        rc = -EHOSTUNREACH;
    }
    return rc;
}

void *shoal_zsec_server(struct shoal_zsec *z, int type, enum shoal_channel ch, char *endpoint,
                        size_t len)
{
    const char *domain = z->layout->cluster != NULL ? z->layout->cluster : "shoal";
    void *sock;
    int one = 1;

    if (shoal_layout_endpoint(z->self, ch, endpoint, len) < 0) {
        shoal_err(z->name, "%s: node %s has no %s port",
                  z->layout->file ? z->layout->file : "layout", z->name,
                  shoal_layout_channel_name(ch));
        return NULL;
    }
    if (z->zap == NULL) {
        shoal_err(z->name, "%s: no ZAP handler: refusing to bind an open socket", endpoint);
        return NULL;
    }
    sock = zmq_socket(z->zctx, type);
    if (sock == NULL) {
        shoal_err(z->name, "%s: zmq_socket: %s", endpoint, zmq_strerror(errno));
        return NULL;
    }
    if (zsec_set(z, sock, ZMQ_CURVE_SERVER, &one, sizeof(one), "ZMQ_CURVE_SERVER", endpoint) < 0 ||
        zsec_set(z, sock, ZMQ_CURVE_SECRETKEY, z->kp.secret_key, SHOAL_KEY_BYTES, "CURVE key",
                 endpoint) < 0 ||
        zsec_set(z, sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain), "ZMQ_ZAP_DOMAIN", endpoint) < 0 ||
        shoal_zsec_set_int(z, sock, ZMQ_LINGER, 0, endpoint) < 0 ||
        (strchr(z->self->host, ':') != NULL &&
         shoal_zsec_set_int(z, sock, ZMQ_IPV6, 1, endpoint) < 0) ||
        zsec_bind_tcp(z, sock, z->self->host, z->self->ports[ch], endpoint) < 0) {
        zmq_close(sock);
        return NULL;
    }
    if (z->layout->use_ipc) {
        char ipc[400];
        if (shoal_layout_ipc_endpoint(z->self, ch, ipc, sizeof(ipc)) == 0 &&
            zmq_bind(sock, ipc) != 0) {
            shoal_err(z->name, "cannot bind %s: %s", ipc, zmq_strerror(errno));
            zmq_close(sock);
            return NULL;
        }
    }
    return sock;
}

void *shoal_zsec_client(struct shoal_zsec *z, int type, const struct shoal_layout_node *to,
                        enum shoal_channel ch, char *endpoint, size_t len)
{
    const uint8_t *server_key;
    void *sock;

    if (shoal_layout_connect_endpoint(z->layout, z->self, to, ch, endpoint, len) < 0) {
        shoal_err(z->name, "%s: node %s has no %s port",
                  z->layout->file ? z->layout->file : "layout", to->name,
                  shoal_layout_channel_name(ch));
        return NULL;
    }
    server_key = shoal_keys_allowed_key_of(z->allowed, to->name);
    if (server_key == NULL) {
        shoal_err(z->name, "%s: no public key for node %s", z->layout->allowed_keys, to->name);
        return NULL;
    }
    sock = zmq_socket(z->zctx, type);
    if (sock == NULL) {
        shoal_err(z->name, "%s: zmq_socket: %s", endpoint, zmq_strerror(errno));
        return NULL;
    }
    if (zsec_set(z, sock, ZMQ_CURVE_SERVERKEY, server_key, SHOAL_KEY_BYTES, "CURVE server key",
                 endpoint) < 0 ||
        zsec_set(z, sock, ZMQ_CURVE_PUBLICKEY, z->kp.public_key, SHOAL_KEY_BYTES, "CURVE key",
                 endpoint) < 0 ||
        zsec_set(z, sock, ZMQ_CURVE_SECRETKEY, z->kp.secret_key, SHOAL_KEY_BYTES, "CURVE key",
                 endpoint) < 0 ||
        shoal_zsec_set_int(z, sock, ZMQ_LINGER, 0, endpoint) < 0 ||
        shoal_zsec_set_int(z, sock, ZMQ_RECONNECT_IVL, 100, endpoint) < 0 ||
        shoal_zsec_set_int(z, sock, ZMQ_RECONNECT_IVL_MAX, 1000, endpoint) < 0 ||
        (strchr(to->host, ':') != NULL && shoal_zsec_set_int(z, sock, ZMQ_IPV6, 1, endpoint) < 0)) {
        zmq_close(sock);
        return NULL;
    }
    return sock;
}

int shoal_zsec_connect(struct shoal_zsec *z, void *sock, const char *endpoint)
{
    if (zmq_connect(sock, endpoint) != 0) {
        int err = errno;
        shoal_err(z->name, "cannot connect to %s: %s", endpoint, zmq_strerror(err));
        return -err;
    }
    return 0;
}

int shoal_zsec_recv_routed(void *sock, zmq_msg_t f[3])
{
    int got = 0, more = 1;
    size_t ml = sizeof(more);

    while (more) {
        zmq_msg_t *p = &f[got < 3 ? got : 2];
        if (got >= 3) {
            zmq_msg_close(p); /* a fourth frame or more: counted, dropped */
        }
        zmq_msg_init(p);
        if (zmq_msg_recv(p, sock, got == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            zmq_msg_close(p);
            break;
        }
        got++;
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
    }
    return got;
}

void shoal_zsec_frames_close(zmq_msg_t f[3], int n)
{
    for (int i = 0; i < (n < 3 ? n : 3); i++) {
        zmq_msg_close(&f[i]);
    }
}
