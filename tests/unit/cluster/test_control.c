/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the control channel (core/cluster/control.c) and of a node's
 * lifecycle files (core/node/nodestate.c).  The control tests run real CURVE
 * sockets on loopback with keys generated into a temporary directory: a
 * node that answers (served by a thread, as a node's loop would), a node
 * whose port is bound but never served (hung), and a node with nothing
 * behind its port (dead).  Ports come from the test's pid, in 30000-32499,
 * apart from the integration tests' 20000-29999.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>
#include <zmq.h>

#include "cluster/control.h"
#include "cluster/keys.h"
#include "cluster/layout.h"
#include "node/nodestate.h"
#include "cluster/wire.h"
#include "cluster/zsec.h"

static char ctl_tmp[PATH_MAX];
static struct shoal_layout *ctl_layout;
static const struct shoal_layout_node *ctl_mgr, *ctl_w1, *ctl_w2;

/* The answering node (the manager of the layout) and its thread. */
static struct shoal_zsec *srv_zsec;
static struct shoal_control *srv_ctl;
static struct shoal_nodestate *srv_state;
static pthread_t srv_thread;
static atomic_int srv_quit;
static atomic_int srv_stops;
static char srv_stop_by[64];

/* The hung node (worker-1): bound, never served. */
static struct shoal_zsec *hung_zsec;
static struct shoal_control *hung_ctl;

static double ctl_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void t_status(void *arg, struct shoal_control_items *it)
{
    (void)arg;
    shoal_control_add(it, "test.item", "x");
}

static void t_counters(void *arg, struct shoal_control_items *it)
{
    (void)arg;
    shoal_control_add_u64(it, "test.counter", 42);
}

static void t_peers(void *arg, struct shoal_control_items *it)
{
    (void)arg;
    shoal_control_add(it, "worker-1", "connected");
}

static void t_settings(void *arg, struct shoal_control_items *it)
{
    (void)arg;
    shoal_control_add(it, "test.setting", "on");
}

static void t_stop(void *arg, const char *by)
{
    (void)arg;
    snprintf(srv_stop_by, sizeof(srv_stop_by), "%s", by);
    atomic_fetch_add(&srv_stops, 1);
}

static const struct shoal_control_ops t_ops = {
    .size = sizeof(struct shoal_control_ops),
    .status = t_status,
    .counters = t_counters,
    .peers = t_peers,
    .settings = t_settings,
    .stop = t_stop,
};

static void *srv_run(void *arg)
{
    (void)arg;
    while (!atomic_load(&srv_quit)) {
        zmq_pollitem_t items[2] = {
            {.socket = shoal_zsec_zap_socket(srv_zsec), .events = ZMQ_POLLIN},
            {.socket = shoal_control_socket(srv_ctl), .events = ZMQ_POLLIN},
        };
        if (zmq_poll(items, 2, 20) < 0) {
            continue;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            shoal_zsec_zap_serve(srv_zsec);
        }
        if (items[1].revents & ZMQ_POLLIN) {
            shoal_control_serve(srv_ctl);
        }
    }
    return NULL;
}

static int ctl_suite_init(void)
{
    struct shoal_layout_spec_node nodes[3] = {
        {.name = "manager", .role = SHOAL_ROLE_MANAGER},
        {.name = "worker-1", .role = SHOAL_ROLE_WORKER},
        {.name = "worker-2", .role = SHOAL_ROLE_WORKER},
    };
    struct shoal_layout_spec spec = {.nodes = nodes, .n_nodes = 3};
    char spool[PATH_MAX + 8], keys[PATH_MAX + 8], err[512] = "";

    snprintf(ctl_tmp, sizeof(ctl_tmp), "%s/shoal-ctl.XXXXXX", getenv("TMPDIR") ?: "/tmp");
    if (mkdtemp(ctl_tmp) == NULL) {
        return 1;
    }
    snprintf(spool, sizeof(spool), "%s/spool", ctl_tmp);
    snprintf(keys, sizeof(keys), "%s/keys", ctl_tmp);
    spec.spool_dir = spool;
    spec.keys_dir = keys;
    spec.base_port = (uint16_t)(30000 + (getpid() % 500) * 5);
    if (shoal_layout_generate(&spec, &ctl_layout, err, sizeof(err)) < 0 ||
        shoal_keys_generate_layout(ctl_layout, 0, err, sizeof(err)) < 0) {
        fprintf(stderr, "test_control: %s\n", err);
        return 1;
    }
    ctl_mgr = shoal_layout_find(ctl_layout, "manager");
    ctl_w1 = shoal_layout_find(ctl_layout, "worker-1");
    ctl_w2 = shoal_layout_find(ctl_layout, "worker-2");
    if (mkdir(spool, 0700) != 0 || mkdir(ctl_mgr->workdir, 0700) != 0 ||
        shoal_nodestate_open("manager", ctl_mgr->workdir, &srv_state) < 0) {
        return 1;
    }
    shoal_nodestate_set(srv_state, SHOAL_NODE_RUNNING);
    if (shoal_zsec_open(ctl_layout, ctl_mgr, true, &srv_zsec) < 0 ||
        shoal_control_new(ctl_layout, ctl_mgr, srv_zsec, &t_ops, srv_state, &srv_ctl) < 0 ||
        shoal_zsec_open(ctl_layout, ctl_w1, true, &hung_zsec) < 0 ||
        shoal_control_new(ctl_layout, ctl_w1, hung_zsec, &t_ops, NULL, &hung_ctl) < 0) {
        return 1;
    }
    return pthread_create(&srv_thread, NULL, srv_run, NULL) == 0 ? 0 : 1;
}

static int ctl_suite_clean(void)
{
    char cmd[PATH_MAX + 16];

    atomic_store(&srv_quit, 1);
    pthread_join(srv_thread, NULL);
    shoal_control_free(srv_ctl);
    shoal_control_free(hung_ctl);
    shoal_zsec_close(srv_zsec);
    shoal_zsec_close(hung_zsec);
    shoal_nodestate_close(srv_state);
    shoal_layout_free(ctl_layout);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ctl_tmp);
    return system(cmd) == 0 ? 0 : 1;
}

/* One request to one node; the result is released by the caller. */
static int ctl_ask(struct shoal_control_client *cl, const struct shoal_layout_node *n,
                   const char *cmd, const char *arg, double timeout,
                   struct shoal_control_result *res)
{
    const char *args[1] = {arg};

    return shoal_control_request(cl, &n, 1, cmd, args, arg ? 1 : 0, timeout, res);
}

static struct shoal_control_client *ctl_client(void)
{
    struct shoal_control_client *cl = NULL;
    char err[512] = "";
    int rc = shoal_control_client_open(ctl_layout, NULL, &cl, err, sizeof(err));

    if (rc < 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL(rc, 0);
    return cl;
}

static void test_good_requests(void)
{
    struct shoal_control_client *cl = ctl_client();
    struct shoal_control_result r;
    char pid[32];

    CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
    CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, "status", NULL, 5, &r), 1);
    CU_ASSERT_EQUAL(r.rc, 0);
    if (r.rc == 0) {
        const struct shoal_wire_ctl_reply *rep = &r.msg.rep;
        snprintf(pid, sizeof(pid), "%ld", (long)getpid());
        CU_ASSERT_EQUAL(rep->status, 0);
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(rep, "node") ?: "", "manager");
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(rep, "role") ?: "", "manager");
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(rep, "state") ?: "", "running");
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(rep, "pid") ?: "", pid);
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(rep, "test.item") ?: "", "x");
        CU_ASSERT_PTR_NULL(shoal_control_reply_get(rep, "test.counter"));
    }
    shoal_control_results_release(&r, 1);

    CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, "counters", NULL, 5, &r), 1);
    if (r.rc == 0) {
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(&r.msg.rep, "test.counter") ?: "", "42");
        CU_ASSERT_PTR_NOT_NULL(shoal_control_reply_get(&r.msg.rep, "control.requests"));
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(&r.msg.rep, "zap.refused") ?: "", "0");
    }
    shoal_control_results_release(&r, 1);

    CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, "peers", NULL, 5, &r), 1);
    if (r.rc == 0) {
        CU_ASSERT_EQUAL(r.msg.rep.n_items, 1);
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(&r.msg.rep, "worker-1") ?: "", "connected");
    }
    shoal_control_results_release(&r, 1);

    /* print finds items of every group, settings included, one at a time. */
    const char *ids[] = {"test.counter", "state", "worker-1", "test.setting", "node"};
    const char *want[] = {"42", "running", "connected", "on", "manager"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, "print", ids[i], 5, &r), 1);
        CU_ASSERT_EQUAL(r.rc, 0);
        if (r.rc == 0) {
            CU_ASSERT_EQUAL(r.msg.rep.status, 0);
            CU_ASSERT_EQUAL(r.msg.rep.n_items, 1);
            CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(&r.msg.rep, ids[i]) ?: "", want[i]);
        }
        shoal_control_results_release(&r, 1);
    }

    /* stop: the reply first, then the role's stop with the requester. */
    CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, "stop", NULL, 5, &r), 1);
    if (r.rc == 0) {
        CU_ASSERT_EQUAL(r.msg.rep.status, 0);
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(&r.msg.rep, "stop") ?: "", "requested");
    }
    shoal_control_results_release(&r, 1);
    /* The role's stop runs on the server's thread just after the reply. */
    for (int i = 0; i < 200 && atomic_load(&srv_stops) == 0; i++) {
        usleep(10000);
    }
    CU_ASSERT_EQUAL(atomic_load(&srv_stops), 1);
    CU_ASSERT_STRING_EQUAL(srv_stop_by, SHOAL_CONTROL_KEY_NAME);
    shoal_control_client_close(cl);
}

/* An error reply: status and a reason containing `why`. */
static void ctl_expect_error(struct shoal_control_client *cl, const char *cmd, const char *arg,
                             int status, const char *why)
{
    struct shoal_control_result r;

    CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, cmd, arg, 5, &r), 1);
    CU_ASSERT_EQUAL(r.rc, 0);
    if (r.rc == 0) {
        const char *e = shoal_control_reply_get(&r.msg.rep, "error");
        CU_ASSERT_EQUAL(r.msg.rep.status, status);
        CU_ASSERT_PTR_NOT_NULL(e);
        if (e != NULL && strstr(e, why) == NULL) {
            fprintf(stderr, "\n  %s %s: '%s' lacks '%s'\n", cmd, arg ? arg : "", e, why);
            CU_FAIL("reason");
        }
    }
    shoal_control_results_release(&r, 1);
}

static uint64_t ctl_bad_requests(void)
{
    struct shoal_control_stats st;

    /* Read from this thread while the server's is idle between requests:
     * every reply was received, so its counting is done. */
    shoal_control_stats(srv_ctl, &st);
    return st.bad_requests;
}

static void test_bad_requests(void)
{
    struct shoal_control_client *cl = ctl_client();
    uint64_t bad0 = ctl_bad_requests();

    CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
    ctl_expect_error(cl, "reboot", NULL, -ENOSYS, "unknown command 'reboot'");
    ctl_expect_error(cl, "print", NULL, -EINVAL, "print takes one argument");
    ctl_expect_error(cl, "status", "extra", -EINVAL, "status takes no argument");
    ctl_expect_error(cl, "print", "no.such.item", -ENOENT, "no item named 'no.such.item'");
    CU_ASSERT_EQUAL(ctl_bad_requests(), bad0 + 4);
    shoal_control_client_close(cl);
}

/* A raw CURVE DEALER with the shell's key, to send what the client never
 * would. */
static void *ctl_raw_socket(void *zctx)
{
    struct shoal_keypair kp;
    struct shoal_keys_allowed *a = NULL;
    char path[PATH_MAX], ep[320], err[512];
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int zero = 0;

    CU_ASSERT_EQUAL_FATAL(shoal_control_key_path(ctl_layout, path, sizeof(path)), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_keys_load(path, &kp, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_keys_allowed_load(ctl_layout->allowed_keys, &a, err, sizeof(err)),
                          0);
    CU_ASSERT_EQUAL_FATAL(shoal_layout_endpoint(ctl_mgr, SHOAL_CHANNEL_CONTROL, ep, sizeof(ep)), 0);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, shoal_keys_allowed_key_of(a, "manager"), 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kp.public_key, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, kp.secret_key, 32);
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
    CU_ASSERT_EQUAL(zmq_connect(s, ep), 0);
    shoal_keys_wipe(&kp);
    shoal_keys_allowed_free(a);
    return s;
}

/* Receive [topic][body] within 5 s and decode it as a reply. */
static int ctl_raw_reply(void *s, struct shoal_wire_msg *m)
{
    zmq_pollitem_t it = {.socket = s, .events = ZMQ_POLLIN};
    zmq_msg_t topic, body;
    int rc;

    if (zmq_poll(&it, 1, 5000) != 1) {
        return -ETIMEDOUT;
    }
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    zmq_msg_recv(&topic, s, 0);
    zmq_msg_recv(&body, s, 0);
    CU_ASSERT_TRUE(shoal_wire_topic_matches(zmq_msg_data(&topic), zmq_msg_size(&topic),
                                            SHOAL_WIRE_CONTROL_REPLY));
    memset(m, 0, sizeof(*m));
    rc = shoal_wire_decode(zmq_msg_data(&body), zmq_msg_size(&body), SHOAL_WIRE_CONTROL_REPLY, m,
                           NULL, 0);
    zmq_msg_close(&topic);
    zmq_msg_close(&body);
    return rc;
}

static void test_malformed(void)
{
    void *zctx = zmq_ctx_new();
    void *s = ctl_raw_socket(zctx);
    struct shoal_wire_msg m;
    uint64_t bad0 = ctl_bad_requests();
    static const char junk[] = "\x93\x01\x05not msgpack of a request";
    struct shoal_buf sb = {0};
    struct shoal_wire_log_ack ack = {.sender = "x", .epoch = 1, .seq = 1};

    /* Not a body at all. */
    zmq_send(s, "ctl", 3, ZMQ_SNDMORE);
    zmq_send(s, junk, sizeof(junk) - 1, 0);
    CU_ASSERT_EQUAL_FATAL(ctl_raw_reply(s, &m), 0);
    CU_ASSERT_EQUAL(m.rep.status, -EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(shoal_control_reply_get(&m.rep, "error") ?: "", "bad request"));
    shoal_wire_msg_release(&m);
    /* A valid body of another type. */
    CU_ASSERT_EQUAL(shoal_wire_encode_log_ack(&sb, &ack), 0);
    zmq_send(s, "ctl", 3, ZMQ_SNDMORE);
    zmq_send(s, sb.p, sb.len, 0);
    shoal_buf_free(&sb);
    CU_ASSERT_EQUAL_FATAL(ctl_raw_reply(s, &m), 0);
    CU_ASSERT_EQUAL(m.rep.status, -EBADMSG);
    shoal_wire_msg_release(&m);
    /* One frame only, then a wrong topic. */
    zmq_send(s, "ctl", 3, 0);
    CU_ASSERT_EQUAL_FATAL(ctl_raw_reply(s, &m), 0);
    CU_ASSERT_EQUAL(m.rep.status, -EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(shoal_control_reply_get(&m.rep, "error") ?: "", "frames"));
    shoal_wire_msg_release(&m);
    zmq_send(s, "log", 3, ZMQ_SNDMORE);
    zmq_send(s, junk, sizeof(junk) - 1, 0);
    CU_ASSERT_EQUAL_FATAL(ctl_raw_reply(s, &m), 0);
    CU_ASSERT_EQUAL(m.rep.status, -EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(shoal_control_reply_get(&m.rep, "error") ?: "", "topic"));
    shoal_wire_msg_release(&m);
    CU_ASSERT_EQUAL(ctl_bad_requests(), bad0 + 4);
    zmq_close(s);
    zmq_ctx_term(zctx);

    /* The node still answers. */
    struct shoal_control_client *cl = ctl_client();
    struct shoal_control_result r;
    CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, "print", "control.bad_requests", 5, &r), 1);
    if (r.rc == 0) {
        char want[32];
        snprintf(want, sizeof(want), "%llu", (unsigned long long)(bad0 + 4));
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(&r.msg.rep, "control.bad_requests") ?: "",
                               want);
    }
    shoal_control_results_release(&r, 1);
    shoal_control_client_close(cl);
}

/* A hung node (bound, never served) and a dead one (nothing on the port)
 * cost the time-out and do not delay the answer of the live node. */
static void test_timeout(void)
{
    struct shoal_control_client *cl = ctl_client();
    const struct shoal_layout_node *nodes[3] = {ctl_w1, ctl_mgr, ctl_w2};
    struct shoal_control_result r[3];
    double t0 = ctl_now(), took;

    CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
    CU_ASSERT_EQUAL(shoal_control_request(cl, nodes, 3, "status", NULL, 0, 1.0, r), 1);
    took = ctl_now() - t0;
    CU_ASSERT_EQUAL(r[0].rc, -ETIMEDOUT);
    CU_ASSERT_EQUAL(r[1].rc, 0);
    CU_ASSERT_EQUAL(r[2].rc, -ETIMEDOUT);
    CU_ASSERT_TRUE(r[1].seconds < 0.5);
    CU_ASSERT_TRUE(took >= 0.95 && took < 1.5);
    CU_ASSERT_STRING_EQUAL(r[0].error, "no reply after 1 s");
    CU_ASSERT_PTR_EQUAL(r[0].node, ctl_w1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r[2].endpoint, "tcp://localhost:"));
    if (r[1].rc == 0) {
        CU_ASSERT_STRING_EQUAL(shoal_control_reply_get(&r[1].msg.rep, "node") ?: "", "manager");
    }
    shoal_control_results_release(r, 3);

    /* The same client asks again: the live node answers at once. */
    t0 = ctl_now();
    CU_ASSERT_EQUAL(ctl_ask(cl, ctl_mgr, "status", NULL, 5, &r[0]), 1);
    CU_ASSERT_TRUE(ctl_now() - t0 < 1.0);
    shoal_control_results_release(r, 1);
    shoal_control_client_close(cl);
}

/* A key that is not in the allowed list is refused by the client itself. */
static void test_foreign_key(void)
{
    struct shoal_control_client *cl = NULL;
    char path[PATH_MAX + 16], err[512] = "";

    snprintf(path, sizeof(path), "%s/other.key", ctl_tmp);
    CU_ASSERT_EQUAL_FATAL(shoal_keys_generate(path, "other", 0, NULL, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(shoal_control_client_open(ctl_layout, path, &cl, err, sizeof(err)), -EPERM);
    CU_ASSERT_PTR_NULL(cl);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not in"));
}

/* ---- nodestate ---- */

static void ns_read(const char *dir, const char *file, char *buf, size_t len)
{
    char path[PATH_MAX + 32];
    FILE *f;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f = fopen(path, "r");
    if (f != NULL) {
        if (fgets(buf, (int)len, f) == NULL) {
            buf[0] = '\0';
        }
        fclose(f);
    }
}

static void test_nodestate(void)
{
    struct shoal_nodestate *ns = NULL, *again = (struct shoal_nodestate *)1;
    char dir[PATH_MAX + 16], buf[64], pid[32];
    pid_t holder = 0;

    snprintf(dir, sizeof(dir), "%s/ns", ctl_tmp);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
    snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    CU_ASSERT_FALSE(shoal_nodestate_running(dir, NULL));

    CU_ASSERT_EQUAL_FATAL(shoal_nodestate_open("n1", dir, &ns), 0);
    ns_read(dir, "shoal.pid", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, pid);
    ns_read(dir, "status", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "initializing\n");
    CU_ASSERT_STRING_EQUAL(shoal_nodestate_word(ns), "initializing");
    CU_ASSERT_TRUE(shoal_nodestate_running(dir, &holder));
    CU_ASSERT_EQUAL(holder, getpid());
    /* A second node in the same directory is refused, and leaves it be. */
    CU_ASSERT_EQUAL(shoal_nodestate_open("n1", dir, &again), -EBUSY);
    CU_ASSERT_PTR_NULL(again);
    ns_read(dir, "shoal.pid", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, pid);

    shoal_nodestate_set(ns, SHOAL_NODE_RUNNING);
    ns_read(dir, "status", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "running\n");
    shoal_nodestate_set(ns, SHOAL_NODE_TERMINATING);
    ns_read(dir, "status", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "terminating\n");
    shoal_nodestate_close(ns);
    ns_read(dir, "status", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "terminated\n");
    char pidfile[PATH_MAX + 32];
    snprintf(pidfile, sizeof(pidfile), "%s/shoal.pid", dir);
    CU_ASSERT_NOT_EQUAL(access(pidfile, F_OK), 0);
    CU_ASSERT_FALSE(shoal_nodestate_running(dir, NULL));

    /* A stale pid file (a killed node's, nobody holds its lock) is replaced. */
    FILE *f = fopen(pidfile, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("1\n", f);
    fclose(f);
    CU_ASSERT_FALSE(shoal_nodestate_running(dir, NULL));
    CU_ASSERT_EQUAL_FATAL(shoal_nodestate_open("n1", dir, &ns), 0);
    ns_read(dir, "shoal.pid", buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, pid);
    shoal_nodestate_close(ns);
    CU_ASSERT_STRING_EQUAL(shoal_nodestate_word(NULL), "unknown");
    CU_ASSERT_STRING_EQUAL(shoal_nodestate_name(SHOAL_NODE_TERMINATED), "terminated");

    /* A workdir that does not exist: refused, naming the file. */
    snprintf(dir, sizeof(dir), "%s/missing", ctl_tmp);
    CU_ASSERT_EQUAL(shoal_nodestate_open("n1", dir, &ns), -ENOENT);
}

int main(void)
{
    CU_pSuite s;

    /* Every control socket is a CURVE server: without it nothing here can
     * run, which is a skip (77 for automake), not a failure of the code. */
    if (!zmq_has("curve")) {
        fprintf(stderr, "test_control: SKIP: libzmq has no CURVE support (zmq_has(\"curve\") "
                        "== 0)\n");
        return 77;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("control", ctl_suite_init, ctl_suite_clean);
    if (s == NULL || !CU_add_test(s, "good requests", test_good_requests) ||
        !CU_add_test(s, "bad requests answered and counted", test_bad_requests) ||
        !CU_add_test(s, "malformed bodies answered and counted", test_malformed) ||
        !CU_add_test(s, "hung and dead nodes time out alone", test_timeout) ||
        !CU_add_test(s, "a key not in the allowed list", test_foreign_key) ||
        !CU_add_test(s, "pid file and status word", test_nodestate)) {
        CU_cleanup_registry();
        return 1;
    }
    return shoal_cunit_run("test_control");
}
