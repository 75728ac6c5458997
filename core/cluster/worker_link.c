/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's log channel to the manager (see worker_link.h).  Each log
 * stream has an open batch being encoded straight into its own buffer
 * (shoal_wire_batch_*); sealing it gives it the next sequence number of
 * the resend window, which keeps a copy until the manager's LOG_ACK.
 * Sending walks the window from the first batch not yet handed to the
 * current connection (wl->sent_upto + 1); a disconnect, seen on the socket
 * monitor, or `resend_quiet` seconds without an acknowledgement while
 * batches are outstanding, rewinds it to the window's base so everything
 * unacknowledged goes again.  Messages are [topic "log"][body].
 */
#include "cluster/worker_link.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "lib/diag.h"
#include "framework/log.h"
#include "cluster/journal.h"
#include "cluster/resend.h"
#include "cluster/wire.h"
#include "cluster/zsec.h"

#define WL_MAX_BATCH_BYTES (4u << 20)
#define WL_HEARTBEAT_EVERY 1.0 /* s without a batch sent before a heartbeat */

struct wl_stream {
    struct wl_stream *next;
    struct shoal_stream *s;
    struct shoal_buf buf;
    struct shoal_wire_batch_enc enc;
    bool open;
    double opened_at; /* wall time of the batch's first record */
};

struct shoal_worker_link {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    const struct shoal_layout_node *manager;
    struct shoal_worker_link_opts o;
    char endpoint[320];
    char mon_endpoint[96];
    uint64_t epoch;

    struct shoal_zsec *zsec; /* borrowed from the node */
    void *sock;
    void *mon;
    bool connected;
    bool auth_failed_logged;

    struct shoal_resend *win;
    struct shoal_journal *journal; /* NULL: the node has no working directory */
    bool journal_failed_logged;
    uint64_t sent_upto; /* highest sequence handed to the current connection */
    uint64_t max_sent;  /* highest sequence ever sent */
    double last_ack;    /* wall time of the last acknowledgement progress */
    double last_send;   /* wall time of the last batch or heartbeat sent */
    struct shoal_buf hb_buf;
    struct wl_stream *streams;
    struct shoal_worker_link_stats st;
    bool window_full_logged;
};

static double wl_wall(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Make the CURVE client socket and its monitor; 0 or -errno (logged). */
static int wl_socket(struct shoal_worker_link *wl)
{
    const char *ep = wl->endpoint;
    int rc;

    wl->sock = shoal_zsec_client(wl->zsec, ZMQ_DEALER, wl->manager, SHOAL_CHANNEL_LOG, wl->endpoint,
                                 sizeof(wl->endpoint));
    if (wl->sock == NULL) {
        return -EINVAL;
    }
    if ((rc = shoal_zsec_set_int(wl->zsec, wl->sock, ZMQ_IMMEDIATE, 1, ep)) < 0 ||
        (rc = shoal_zsec_set_int(wl->zsec, wl->sock, ZMQ_SNDHWM, 256, ep)) < 0) {
        return rc;
    }
    snprintf(wl->mon_endpoint, sizeof(wl->mon_endpoint), "inproc://shoal-wl-monitor-%p",
             (void *)wl);
    if (zmq_socket_monitor(wl->sock, wl->mon_endpoint,
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0) {
        rc = -errno;
        shoal_err(wl->self->name, "log channel to %s: zmq_socket_monitor: %s", ep,
                  zmq_strerror(-rc));
        return rc;
    }
    wl->mon = zmq_socket(shoal_zsec_context(wl->zsec), ZMQ_PAIR);
    if (wl->mon == NULL || zmq_connect(wl->mon, wl->mon_endpoint) != 0) {
        rc = -errno;
        shoal_err(wl->self->name, "log channel to %s: monitor socket: %s", ep, zmq_strerror(-rc));
        return rc;
    }
    return shoal_zsec_connect(wl->zsec, wl->sock, ep);
}

int shoal_worker_link_new(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                          const struct shoal_worker_link_opts *opts, struct shoal_worker_link **out)
{
    struct shoal_worker_link *wl;
    struct timespec now;
    int rc;

    *out = NULL;
    wl = calloc(1, sizeof(*wl));
    if (wl == NULL) {
        return -ENOMEM;
    }
    wl->layout = layout;
    wl->self = self;
    if (opts != NULL) {
        wl->o = *opts;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    wl->epoch = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    wl->last_ack = wl_wall();

    wl->manager = shoal_layout_manager(layout);
    if (wl->manager == NULL || wl->manager->role != SHOAL_ROLE_MANAGER) {
        shoal_err(self->name, "%s: the layout has no manager",
                  layout->file ? layout->file : "layout");
        rc = -EINVAL;
        goto out_free;
    }
    rc = shoal_layout_connect_endpoint(layout, self, wl->manager, SHOAL_CHANNEL_LOG, wl->endpoint,
                                       sizeof(wl->endpoint));
    if (rc < 0) {
        shoal_err(self->name, "%s: no log endpoint for the manager %s",
                  layout->file ? layout->file : "layout", wl->manager->name);
        goto out_free;
    }
    *out = wl;
    return 0;

out_free:
    shoal_worker_link_free(wl);
    return rc;
}

void shoal_worker_link_free(struct shoal_worker_link *wl)
{
    if (wl == NULL) {
        return;
    }
    while (wl->streams != NULL) {
        struct wl_stream *ls = wl->streams;
        wl->streams = ls->next;
        /* ls->s is not touched: the logger is usually gone by now. */
        shoal_buf_free(&ls->buf);
        free(ls);
    }
    if (wl->mon != NULL) {
        zmq_close(wl->mon);
    }
    if (wl->sock != NULL) {
        zmq_socket_monitor(wl->sock, NULL, 0);
        zmq_close(wl->sock);
    }
    shoal_journal_free(wl->journal);
    shoal_resend_free(wl->win);
    shoal_buf_free(&wl->hb_buf);
    free(wl);
}

/* ---- sending ---- */

static int wl_send_one(void *arg, uint64_t seq, const void *buf, size_t len)
{
    struct shoal_worker_link *wl = arg;
    const char *topic = shoal_wire_topic(SHOAL_WIRE_LOG_BATCH);

    if (seq <= wl->sent_upto) {
        return 0;
    }
    if (zmq_send(wl->sock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        return 1; /* no connection or the pipe is full: later */
    }
    /* The topic is queued, so the body goes too (atomic multipart). */
    if (zmq_send(wl->sock, buf, len, ZMQ_DONTWAIT) < 0) {
        return 1;
    }
    if (seq <= wl->max_sent) {
        wl->st.resends++;
    } else {
        wl->max_sent = seq;
    }
    wl->st.sent++;
    wl->sent_upto = seq;
    wl->last_send = wl_wall();
    return 0;
}

/* A heartbeat when nothing else went out for WL_HEARTBEAT_EVERY, so the
 * manager knows this node is up even when it has nothing to log. */
static void wl_heartbeat(struct shoal_worker_link *wl, double now)
{
    const char *topic = shoal_wire_topic(SHOAL_WIRE_HEARTBEAT);
    struct timespec rt;

    if (!wl->connected || now - wl->last_send < WL_HEARTBEAT_EVERY) {
        return;
    }
    clock_gettime(CLOCK_REALTIME, &rt);
    struct shoal_wire_heartbeat hb = {
        .sender = wl->self->name,
        .epoch = wl->epoch,
        .ts = (double)rt.tv_sec + (double)rt.tv_nsec / 1e9,
    };
    wl->hb_buf.len = 0;
    if (shoal_wire_encode_heartbeat(&wl->hb_buf, &hb) == 0 &&
        zmq_send(wl->sock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
        zmq_send(wl->sock, wl->hb_buf.p, wl->hb_buf.len, ZMQ_DONTWAIT);
        wl->st.heartbeats++;
    }
    wl->last_send = now;
}

/* Hand every held batch after sent_upto to the socket, as far as it takes. */
static void wl_send_pending(struct shoal_worker_link *wl)
{
    uint64_t next = shoal_resend_next_seq(wl->win);

    if (wl->sent_upto + 1 >= next) {
        return;
    }
    int rc = shoal_resend_for_each_unacked(wl->win, wl_send_one, wl);
    if (rc < 0) {
        shoal_err(wl->self->name, "resend window in %s: %s", wl->self->workdir, strerror(-rc));
    }
}

/* Send everything unacknowledged again from the window's base. */
static void wl_rewind(struct shoal_worker_link *wl)
{
    uint64_t base = shoal_resend_base(wl->win);

    wl->sent_upto = base > 0 ? base - 1 : 0;
}

/* Say once that the journal failed (a full disk): batches are still sent,
 * but no longer survive a crash of this node, until it works again. */
static void wl_journal_result(struct shoal_worker_link *wl, int rc)
{
    if (rc == 0 || rc == -EBADF) {
        if (rc == 0 && wl->journal_failed_logged && !shoal_journal_broken(wl->journal)) {
            shoal_info(wl->self->name, "log journal in %s works again", wl->self->workdir);
            wl->journal_failed_logged = false;
        }
        return;
    }
    if (!wl->journal_failed_logged) {
        shoal_err(wl->self->name,
                  "log journal in %s: %s: unacknowledged batches would not survive a crash "
                  "of this node until the manager %s catches up",
                  wl->self->workdir, strerror(-rc), wl->manager->name);
        wl->journal_failed_logged = true;
    }
}

static void wl_on_ack(struct shoal_worker_link *wl, const struct shoal_wire_log_ack *a)
{
    uint64_t base = shoal_resend_base(wl->win);
    uint64_t next = shoal_resend_next_seq(wl->win);
    uint64_t seq = a->seq;

    if (strcmp(a->sender, wl->self->name) != 0 || a->epoch != wl->epoch) {
        wl->st.bad_messages++;
        return;
    }
    if (seq >= next) {
        seq = next - 1;
    }
    if (seq < base) {
        return; /* nothing new */
    }
    int rc = shoal_resend_ack(wl->win, seq);
    if (rc < 0) {
        shoal_err(wl->self->name, "resend window in %s: ack %" PRIu64 ": %s", wl->self->workdir,
                  seq, strerror(-rc));
        return;
    }
    wl->st.acked += seq - base + 1;
    wl->last_ack = wl_wall();
    if (wl->journal != NULL) {
        wl_journal_result(wl, shoal_journal_ack(wl->journal, seq, wl->win));
    }
    if (wl->sent_upto < seq) {
        wl->sent_upto = seq;
    }
}

/* Read every waiting acknowledgement. */
static void wl_recv(struct shoal_worker_link *wl)
{
    for (;;) {
        zmq_msg_t topic, body;
        struct shoal_wire_msg m;
        char err[256];
        int more = 0;
        size_t ml = sizeof(more);

        zmq_msg_init(&topic);
        if (zmq_msg_recv(&topic, wl->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&topic);
            return;
        }
        zmq_getsockopt(wl->sock, ZMQ_RCVMORE, &more, &ml);
        if (!more) {
            wl->st.bad_messages++;
            zmq_msg_close(&topic);
            continue;
        }
        zmq_msg_init(&body);
        zmq_msg_recv(&body, wl->sock, 0);
        /* Drain any extra frames of a malformed message. */
        zmq_getsockopt(wl->sock, ZMQ_RCVMORE, &more, &ml);
        while (more) {
            zmq_msg_t extra;
            zmq_msg_init(&extra);
            zmq_msg_recv(&extra, wl->sock, 0);
            zmq_msg_close(&extra);
            zmq_getsockopt(wl->sock, ZMQ_RCVMORE, &more, &ml);
            wl->st.bad_messages++;
        }
        memset(&m, 0, sizeof(m));
        if (!shoal_wire_topic_matches(zmq_msg_data(&topic), zmq_msg_size(&topic),
                                      SHOAL_WIRE_LOG_ACK) ||
            shoal_wire_decode(zmq_msg_data(&body), zmq_msg_size(&body), SHOAL_WIRE_LOG_ACK, &m, err,
                              sizeof(err)) < 0) {
            wl->st.bad_messages++;
        } else {
            wl_on_ack(wl, &m.ack);
            shoal_wire_msg_release(&m);
        }
        zmq_msg_close(&topic);
        zmq_msg_close(&body);
    }
}

/* Connection events from the socket monitor. */
static void wl_monitor(struct shoal_worker_link *wl)
{
    for (;;) {
        zmq_msg_t ev, addr;
        uint16_t event;

        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, wl->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        zmq_msg_init(&addr);
        zmq_msg_recv(&addr, wl->mon, 0);
        if (zmq_msg_size(&ev) < 6) {
            zmq_msg_close(&ev);
            zmq_msg_close(&addr);
            continue;
        }
        memcpy(&event, zmq_msg_data(&ev), sizeof(event));
        switch (event) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            shoal_info(wl->self->name, "log channel connected to the manager %s at %s",
                       wl->manager->name, wl->endpoint);
            wl->connected = true;
            wl->auth_failed_logged = false;
            wl_rewind(wl);
            wl->last_ack = wl_wall();
            break;
        case ZMQ_EVENT_DISCONNECTED:
            if (wl->connected) {
                shoal_warn(wl->self->name,
                           "log channel: the manager %s at %s went away; holding batches",
                           wl->manager->name, wl->endpoint);
            }
            wl->connected = false;
            wl_rewind(wl);
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            if (!wl->auth_failed_logged) {
                shoal_err(wl->self->name,
                          "log channel: the manager %s at %s refused our CURVE key (%s)",
                          wl->manager->name, wl->endpoint, wl->self->secret_key);
                wl->auth_failed_logged = true;
            }
            break;
        default:
            break;
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
    }
}

/* Exchange what can be exchanged without waiting. */
static void wl_pump(struct shoal_worker_link *wl)
{
    wl_monitor(wl);
    wl_recv(wl);
    if (shoal_resend_base(wl->win) < shoal_resend_next_seq(wl->win) &&
        wl_wall() - wl->last_ack > wl->o.resend_quiet) {
        /* Outstanding batches and no word from the manager: send them all
         * again (it drops what it already wrote). */
        wl_rewind(wl);
        wl->last_ack = wl_wall();
    }
    wl_send_pending(wl);
}

/* ---- batching ---- */

static void wl_seal(struct shoal_worker_link *wl, struct wl_stream *ls)
{
    uint64_t seq = shoal_resend_next_seq(wl->win);
    uint64_t base = shoal_resend_base(wl->win);
    size_t n = ls->enc.n_records;
    int rc;

    ls->open = false;
    if (shoal_wire_batch_end(&ls->enc, seq, base) < 0) {
        shoal_wire_batch_abort(&ls->enc);
        ls->buf.len = 0;
        return;
    }
    rc = shoal_resend_add(wl->win, seq, ls->buf.p, ls->buf.len);
    if (rc < 0) {
        ls->buf.len = 0;
        wl->st.dropped_batches++;
        wl->st.dropped_records += n;
        if (!wl->window_full_logged) {
            shoal_err(wl->self->name,
                      "resend window full (%zu bytes in memory, %" PRIu64 " on disk in %s): "
                      "dropping %s batches while the manager %s at %s is away (%s)",
                      wl->o.mem_max, wl->o.disk_max, wl->self->workdir,
                      shoal_log_stream_path(ls->s), wl->manager->name, wl->endpoint, strerror(-rc));
            wl->window_full_logged = true;
        }
        return;
    }
    wl->st.batches++;
    if (wl->journal != NULL) {
        wl_journal_result(wl, shoal_journal_append(wl->journal, seq, ls->buf.p, ls->buf.len));
    }
    ls->buf.len = 0;
    wl_send_pending(wl);
}

static int wl_sink(void *arg, struct shoal_stream *s, const struct shoal_value *vals)
{
    struct shoal_worker_link *wl = arg;
    struct wl_stream *ls = shoal_log_stream_data(s);
    int rc;

    if (ls == NULL) {
        ls = calloc(1, sizeof(*ls));
        if (ls == NULL) {
            return -ENOMEM;
        }
        ls->s = s;
        ls->next = wl->streams;
        wl->streams = ls;
        shoal_log_stream_set_data(s, ls);
    }
    if (!ls->open) {
        size_t nf;
        const struct shoal_field *f = shoal_log_stream_fields(s, &nf);
        rc = shoal_wire_batch_begin(&ls->enc, &ls->buf, wl->self->name, wl->epoch,
                                    shoal_log_stream_path(s), f, nf);
        if (rc < 0) {
            shoal_err(wl->self->name, "log stream %s cannot be sent: %s", shoal_log_stream_path(s),
                      strerror(-rc));
            return rc;
        }
        ls->open = true;
        ls->opened_at = wl_wall();
    }
    rc = shoal_wire_batch_add(&ls->enc, vals);
    if (rc < 0) {
        shoal_warn(wl->self->name, "log stream %s: a record cannot be encoded: %s",
                   shoal_log_stream_path(s), strerror(-rc));
        return rc;
    }
    wl->st.records++;
    if (ls->enc.n_records >= wl->o.batch_records || ls->buf.len >= WL_MAX_BATCH_BYTES) {
        wl_seal(wl, ls);
    }
    return 0;
}

/* ---- the journal ---- */

static int wl_recovered(void *arg, uint64_t seq, const void *buf, size_t len)
{
    struct shoal_worker_link *wl = arg;
    int rc;

    if (shoal_resend_next_seq(wl->win) == 1 && seq != 1 &&
        (rc = shoal_resend_start_at(wl->win, seq)) < 0) {
        return rc;
    }
    rc = shoal_resend_add(wl->win, seq, buf, len);
    if (rc == 0) {
        wl->st.recovered_batches++;
    }
    return rc; /* past the window's bounds (they were lowered): the rest stays on disk */
    return 0;
}

/*
 * Read back what an earlier run of this node sealed and the manager never
 * acknowledged, continuing its epoch and sequence so the manager's dedup
 * drops what it did write, then start the journal of this run (unless
 * cluster.journal is off).  A journal
 * that cannot be read is set aside (renamed), never overwritten.
 */
static int wl_journal_open(struct shoal_worker_link *wl, bool enabled)
{
    struct shoal_journal_info info;
    char path[PATH_MAX], aside[PATH_MAX + 16];
    const char *who = wl->self->name;
    int rc;

    snprintf(path, sizeof(path), "%s/log.journal", wl->self->workdir);
    rc = shoal_journal_recover(path, wl_recovered, wl, &info);
    if (rc < 0) {
        snprintf(aside, sizeof(aside), "%s.unsent", path);
        shoal_err(who, "log journal %s: %s after %" PRIu64 " batches read back; set aside as %s",
                  path, rc == -EBADMSG ? "not a journal" : strerror(-rc), info.batches, aside);
        if (rename(path, aside) < 0 && errno != ENOENT) {
            shoal_err(who, "log journal %s: cannot set it aside: %s", path, strerror(errno));
            return -errno;
        }
    }
    if (info.unclean && info.epoch == 0) {
        shoal_warn(who,
                   "the last run of this node did not stop cleanly (log journal %s): "
                   "connections it held open then were not logged",
                   path);
    }
    if (info.epoch != 0) {
        wl->epoch = info.epoch;
        shoal_warn(who,
                   "the last run of this node %s with %" PRIu64 " log batches (%" PRIu64
                   " bytes) not acknowledged by the manager: sending them again from %s%s",
                   info.unclean ? "did not stop cleanly" : "stopped", info.batches, info.bytes,
                   path, info.unclean ? "; connections it held open then were not logged" : "");
    }
    if (info.damaged) {
        shoal_err(who, "log journal %s ends in a damaged record: what followed it is lost", path);
    }
    if (!enabled) { /* cluster.journal = false: what was read back is held in memory only */
        return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
    }
    wl->journal = shoal_journal_new(path);
    if (wl->journal == NULL) {
        return -ENOMEM;
    }
    rc = shoal_journal_rewrite(wl->journal, wl->epoch, wl->win);
    if (rc < 0) {
        shoal_err(who, "log journal %s: %s", path, strerror(-rc));
    }
    return rc;
}

/* ---- node hooks ---- */

int shoal_worker_link_start(struct shoal_worker_link *wl, struct shoal_zsec *zsec,
                            struct shoal_logger *logger, const struct shoal_config *cfg)
{
    int rc;

    /* What the options leave at 0 comes from shoal.cfg's cluster group. */
    wl->o.batch_records = wl->o.batch_records ? wl->o.batch_records : cfg->cluster_batch_records;
    if (wl->o.batch_records > SHOAL_WIRE_MAX_RECORDS) {
        wl->o.batch_records = SHOAL_WIRE_MAX_RECORDS;
    }
    wl->o.batch_wall = wl->o.batch_wall > 0 ? wl->o.batch_wall : cfg->cluster_batch_interval;
    wl->o.ack_timeout = wl->o.ack_timeout > 0 ? wl->o.ack_timeout : cfg->cluster_ack_timeout;
    wl->o.mem_max = wl->o.mem_max ? wl->o.mem_max : (size_t)cfg->cluster_resend_mem_max;
    wl->o.disk_max = wl->o.disk_max ? wl->o.disk_max : cfg->cluster_resend_disk_max;
    wl->o.resend_quiet = wl->o.resend_quiet > 0 ? wl->o.resend_quiet : 3.0;
    wl->win = shoal_resend_new(wl->self->workdir, wl->o.mem_max, wl->o.disk_max);
    if (wl->win == NULL) {
        shoal_err(wl->self->name, "cannot create the log channel: out of memory");
        return -ENOMEM;
    }
    if (wl->self->workdir != NULL && (rc = wl_journal_open(wl, cfg->cluster_journal)) < 0) {
        return rc;
    }
    wl->zsec = zsec;
    rc = wl_socket(wl);
    if (rc < 0) {
        return rc;
    }
    shoal_logger_set_sink(logger, wl_sink, wl);
    return 0;
}

void shoal_worker_link_poll(struct shoal_worker_link *wl)
{
    double now = wl_wall();

    for (struct wl_stream *ls = wl->streams; ls != NULL; ls = ls->next) {
        if (ls->open && now - ls->opened_at >= wl->o.batch_wall) {
            wl_seal(wl, ls);
        }
    }
    wl_pump(wl);
    wl_heartbeat(wl, now);
}

int shoal_worker_link_finish(struct shoal_worker_link *wl)
{
    double start = wl_wall(), deadline = start + wl->o.ack_timeout;
    bool said = false;

    for (struct wl_stream *ls = wl->streams; ls != NULL; ls = ls->next) {
        if (ls->open) {
            wl_seal(wl, ls);
        }
    }
    wl_pump(wl);
    while (shoal_resend_base(wl->win) < shoal_resend_next_seq(wl->win) && wl_wall() < deadline) {
        zmq_pollitem_t items[2] = {
            {.socket = wl->sock, .events = ZMQ_POLLIN},
            {.socket = wl->mon, .events = ZMQ_POLLIN},
        };
        if (!said && wl_wall() > start + 1.0) {
            shoal_warn(wl->self->name,
                       "waiting up to %.0f s more for the manager %s at %s to acknowledge %" PRIu64
                       " log batches",
                       deadline - wl_wall(), wl->manager->name, wl->endpoint,
                       shoal_resend_next_seq(wl->win) - shoal_resend_base(wl->win));
            said = true;
        }
        zmq_poll(items, 2, 50);
        wl_pump(wl);
    }
    uint64_t left = shoal_resend_next_seq(wl->win) - shoal_resend_base(wl->win);
    int jrc = shoal_journal_close(wl->journal, wl->win);
    wl->journal = NULL;
    if (jrc < 0) {
        shoal_err(wl->self->name, "log journal in %s: %s", wl->self->workdir, strerror(-jrc));
    }
    uint64_t kept = wl->st.records - wl->st.dropped_records; /* sent, or still held */
    if (wl->st.dropped_batches > 0) {
        shoal_err(wl->self->name,
                  "%" PRIu64 " log records in %" PRIu64 " batches were dropped past the "
                  "resend window's bounds while the manager %s at %s was away; %" PRIu64
                  " records in %" PRIu64 " batches %s",
                  wl->st.dropped_records, wl->st.dropped_batches, wl->manager->name, wl->endpoint,
                  kept, wl->st.batches, left > 0 ? "were kept" : "were acknowledged");
    }
    if (left > 0) {
        shoal_err(wl->self->name,
                  "%" PRIu64 " of %" PRIu64 " log batches not acknowledged by the manager %s "
                  "at %s after %.0f s%s",
                  left, wl->st.batches + wl->st.recovered_batches, wl->manager->name, wl->endpoint,
                  wl->o.ack_timeout,
                  jrc == 0 ? "; they stay in the log journal for the next start" : "");
        return -ETIMEDOUT;
    }
    shoal_info(wl->self->name,
               "%" PRIu64 " log records in %" PRIu64 " batches acknowledged by the manager %s",
               kept, wl->st.batches, wl->manager->name);
    return wl->st.dropped_batches > 0 ? -ENOBUFS : 0;
}

const char *shoal_worker_link_endpoint(const struct shoal_worker_link *wl)
{
    return wl->endpoint;
}

bool shoal_worker_link_connected(const struct shoal_worker_link *wl)
{
    return wl->connected;
}

void shoal_worker_link_stats(const struct shoal_worker_link *wl,
                             struct shoal_worker_link_stats *out)
{
    *out = wl->st;
}
