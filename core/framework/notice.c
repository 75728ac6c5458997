/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notice.log, suppression and notice actions (see notice.h).
 */
#include "framework/notice.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/diag.h"
#include "framework/log.h"
#include "framework/suppress.h"

#include <shoal/analyzer.h>

#define NOTICE_SUPPRESS_CAP 100000
#define NOTICE_MAX_CHILDREN 64
#define NOTICE_ACTION_LOG "Notice::ACTION_LOG"
#define NOTICE_ACTION_EXEC "Notice::ACTION_EXEC"

/* notice.log as Zeek 6-8 writes it (base/frameworks/notice/main.zeek, with
 * the geo location columns of policy/frameworks/notice/... left unset). */
static const struct shoal_field notice_fields[] = {
    SHOAL_COLUMNS_CONN_ID(SHOAL_COLUMN_FIELD){"fuid", SHOAL_T_STRING, 0},
    {"file_mime_type", SHOAL_T_STRING, 0},
    {"file_desc", SHOAL_T_STRING, 0},
    {"proto", SHOAL_T_ENUM, 0},
    {"note", SHOAL_T_ENUM, 0},
    {"msg", SHOAL_T_STRING, 0},
    {"sub", SHOAL_T_STRING, 0},
    {"src", SHOAL_T_ADDR, 0},
    {"dst", SHOAL_T_ADDR, 0},
    {"p", SHOAL_T_PORT, 0},
    {"n", SHOAL_T_COUNT, 0},
    {"peer_descr", SHOAL_T_STRING, 0},
    {"actions", SHOAL_T_SET, SHOAL_T_ENUM},
    {"email_dest", SHOAL_T_SET, SHOAL_T_STRING},
    {"suppress_for", SHOAL_T_INTERVAL, 0},
    {"remote_location.country_code", SHOAL_T_STRING, 0},
    {"remote_location.region", SHOAL_T_STRING, 0},
    {"remote_location.city", SHOAL_T_STRING, 0},
    {"remote_location.latitude", SHOAL_T_DOUBLE, 0},
    {"remote_location.longitude", SHOAL_T_DOUBLE, 0},
};
#define NOTICE_NFIELDS (sizeof(notice_fields) / sizeof(notice_fields[0]))

struct notice_child {
    pid_t pid;
    const char *program;
};

struct shoal_notices {
    struct shoal_logger *logger;
    struct shoal_stream *stream;
    const struct shoal_config *cfg;
    const char *who;
    struct shoal_suppress *sup;
    double now;
    struct notice_child children[NOTICE_MAX_CHILDREN];
    size_t n_children;
    struct shoal_buf json;
    struct shoal_notices_stats st;
};

struct shoal_notices *shoal_notices_new(struct shoal_logger *logger, const struct shoal_config *cfg,
                                        const char *who)
{
    struct shoal_notices *n = calloc(1, sizeof(*n));

    if (n == NULL) {
        return NULL;
    }
    n->logger = logger;
    n->cfg = cfg;
    n->who = who;
    n->sup = shoal_suppress_new(NOTICE_SUPPRESS_CAP, cfg->notice_suppress_for);
    if (n->sup == NULL) {
        free(n);
        return NULL;
    }
    return n;
}

static void notice_reap(struct shoal_notices *n)
{
    for (size_t i = 0; i < n->n_children;) {
        int status;
        pid_t r = waitpid(n->children[i].pid, &status, WNOHANG);
        if (r == 0) {
            i++;
            continue;
        }
        if (r > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            n->st.failed++;
            shoal_warn(n->who, "notice action %s %s %d", n->children[i].program,
                       WIFEXITED(status) ? "exited with status" : "was killed by signal",
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        }
        n->children[i] = n->children[--n->n_children];
    }
}

void shoal_notices_poll(struct shoal_notices *n)
{
    notice_reap(n);
}

void shoal_notices_free(struct shoal_notices *n)
{
    if (n == NULL) {
        return;
    }
    for (int i = 0; i < 100 && n->n_children > 0; i++) {
        notice_reap(n);
        if (n->n_children > 0) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    for (size_t i = 0; i < n->n_children; i++) {
        shoal_warn(n->who, "notice action %s (pid %d) still runs; not waiting for it",
                   n->children[i].program, (int)n->children[i].pid);
    }
    shoal_suppress_free(n->sup);
    shoal_buf_free(&n->json);
    free(n);
}

/* Start `argv` with `line` on its stdin; 0 or a negative errno (logged). */
static int notice_spawn(struct shoal_notices *n, char *const *argv, const char *line, size_t len)
{
    static char *const env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", NULL};
    posix_spawn_file_actions_t fa;
    int fds[2];
    pid_t pid;
    int rc;

    notice_reap(n);
    if (n->n_children == NOTICE_MAX_CHILDREN) {
        shoal_warn(n->who, "notice action %s not started: %d actions still running", argv[0],
                   NOTICE_MAX_CHILDREN);
        return -EAGAIN;
    }
    if (pipe2(fds, O_CLOEXEC) != 0) {
        rc = -errno;
        shoal_err(n->who, "notice action %s: pipe: %s", argv[0], strerror(-rc));
        return rc;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
    rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        shoal_err(n->who, "cannot start the notice action %s: %s", argv[0], strerror(rc));
        return -rc;
    }
    n->children[n->n_children].pid = pid;
    n->children[n->n_children].program = argv[0];
    n->n_children++;
    /* A notice is far below a pipe's capacity; a program that does not read
     * it loses it, not us.  SIGPIPE must not kill the node. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    struct iovec iov[2] = {{(void *)line, len}, {(void *)"\n", 1}};
    ssize_t w = writev(fds[1], iov, 2);
    sigaction(SIGPIPE, &old, NULL);
    if (w != (ssize_t)len + 1) {
        shoal_warn(n->who, "notice action %s: could not write the notice to its stdin", argv[0]);
    }
    close(fds[1]);
    return 0;
}

static const char *notice_proto_name(uint8_t proto)
{
    switch (proto) {
    case SHOAL_PROTO_UDP:
        return "udp";
    case SHOAL_PROTO_ICMP:
    case SHOAL_PROTO_ICMP6:
        return "icmp";
    default:
        return "tcp";
    }
}

static struct shoal_value notice_str(const struct shoal_str *s)
{
    return s->p != NULL ? shoal_v_strn(s->p, s->len) : shoal_v_unset();
}

struct shoal_stream *shoal_notices_stream(struct shoal_notices *n)
{
    if (n->stream == NULL) {
        n->stream = shoal_log_open(n->logger, "notice", notice_fields, NOTICE_NFIELDS);
    }
    return n->stream;
}

int shoal_notices_raise(struct shoal_notices *n, const struct shoal_notice_info *w)
{
    struct shoal_value v[NOTICE_NFIELDS];
    struct shoal_value actions[2];
    size_t n_actions = 0;
    double suppress_for = w->suppress_for >= 0 ? w->suppress_for : n->cfg->notice_suppress_for;
    bool has_p = w->has_p;
    uint16_t p = w->p;
    uint8_t p_proto = w->p_proto;

    if (w->ts > n->now) {
        n->now = w->ts;
    }
    if (shoal_suppress_check(n->sup, w->note, w->identifier, n->now, suppress_for)) {
        n->st.suppressed++;
        return 0;
    }
    if (shoal_notices_stream(n) == NULL) {
        return -EIO;
    }
    memset(v, 0, sizeof(v));
    v[0] = shoal_v_double(w->ts);
    v[1] = notice_str(&w->uid);
    if (w->has_id) {
        shoal_v_conn_id(&v[2], &w->id);
        if (!has_p) { /* as Zeek: p defaults to the connection's responder port */
            has_p = true;
            p = w->id.resp_p;
            p_proto = w->id.proto;
        }
    }
    /* v[6..8]: fuid, file_mime_type, file_desc: no file analysis yet. */
    if (has_p) {
        v[9] = shoal_v_str(notice_proto_name(p_proto));
    }
    v[10] = shoal_v_str(w->note);
    v[11] = notice_str(&w->msg);
    v[12] = notice_str(&w->sub);
    if (w->has_src) {
        v[13] = shoal_v_addr(&w->src);
    } else if (w->has_id) {
        v[13] = shoal_v_addr(&w->id.orig_h);
    }
    if (w->has_dst) {
        v[14] = shoal_v_addr(&w->dst);
    } else if (w->has_id) {
        v[14] = shoal_v_addr(&w->id.resp_h);
    }
    if (has_p) {
        v[15] = shoal_v_count(p);
    }
    if (w->has_n) {
        v[16] = shoal_v_count(w->n);
    }
    v[17] = w->sender != NULL ? shoal_v_str(w->sender) : shoal_v_unset();
    actions[n_actions++] = shoal_v_str(NOTICE_ACTION_LOG);
    const struct shoal_notice_action *act = NULL;
    for (size_t i = 0; i < n->cfg->n_notice_actions; i++) {
        if (strcmp(n->cfg->notice_actions[i].note, w->note) == 0) {
            act = &n->cfg->notice_actions[i];
            actions[n_actions++] = shoal_v_str(NOTICE_ACTION_EXEC);
            break;
        }
    }
    v[18] = shoal_v_vec(actions, n_actions);
    v[19] = shoal_v_vec(NULL, 0);
    v[20] = shoal_v_double(suppress_for);
    int rc = shoal_log_write(n->stream, v);
    if (rc < 0) {
        return rc;
    }
    n->st.written++;
    if (act != NULL) {
        n->json.len = 0;
        if (shoal_log_format_json(&n->json, notice_fields, NOTICE_NFIELDS, v) == 0 &&
            notice_spawn(n, act->argv, n->json.p, n->json.len) == 0) {
            n->st.actions++;
        } else {
            n->st.failed++;
        }
    }
    return 1;
}

void shoal_notices_stats(const struct shoal_notices *n, struct shoal_notices_stats *out)
{
    *out = n->st;
}
