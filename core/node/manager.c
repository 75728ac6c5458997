/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The manager's log path (see manager.h): recovery of the previous run from
 * the journal, the CURVE ROUTER and its ZAP handler, the batch writer and
 * the acknowledgements.  State files in the node's workdir:
 *   log-journal   lines appended since the last compaction:
 *                   D log-directory             where the streams below are
 *                   O stream                   stream opened (no file yet)
 *                   B sender epoch seq base stream size
 *                                              batch written, file now `size` bytes
 *                   S stream size              snapshot of a stream's size
 *                   C stream                   stream file closed cleanly
 *   dedup.state   the dedup tracker (shoal_dedup_save) as of the last
 *                 compaction; the journal's B lines are replayed on top.
 * Compaction (past 4 MiB of journal, and at a clean stop) saves the tracker,
 * then replaces the journal by one S or C line per stream (rename), so a
 * kill between the two steps only replays lines the tracker already holds.
 */
#include "node/manager.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "cluster/control.h"
#include "lib/diag.h"
#include "framework/log.h"
#include "node/nodestate.h"
#include "framework/notice.h"
#include "node/privileges.h"
#include "cluster/resend.h"
#include "cluster/wire.h"
#include "cluster/worker_link.h"
#include "cluster/zsec.h"

#define MGR_JOURNAL_MAX (4u << 20)
#define MGR_DEDUP_PENDING 4096
#define MGR_DEDUP_SENDERS 1024

struct mgr_stream {
    struct mgr_stream *next;
    char *path;
    struct shoal_field *fields; /* owned copies: the logger borrows them */
    size_t n_fields;
    struct shoal_stream *s;
    uint64_t size; /* file size after the last written batch */
};

struct mgr {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    const char *name;
    char log_dir[PATH_MAX];
    char journal_path[PATH_MAX];
    char dedup_path[PATH_MAX];
    char endpoint[320];
    int journal_fd;
    uint64_t journal_bytes;
    struct shoal_logger *logger;
    enum shoal_log_format fmt;
    struct shoal_dedup *dedup;
    struct shoal_zsec *zsec;
    void *router;
    struct shoal_config cfg;
    struct shoal_notices *notices;
    uint64_t n_notices;   /* notice records received (each raised once) */
    uint64_t bad_notices; /* notice records that did not decode, or came from another */
    struct mgr_stream *streams;
    struct shoal_wire_batch_dec *bdec; /* LOG_BATCH decoder, made at the first batch */
    bool fatal;
    struct shoal_control *control;
    struct shoal_control_ops ctl_ops;

    uint64_t batches;
    uint64_t records;
    uint64_t duplicates;
    uint64_t rejected; /* batches refused: wrong sender, other columns, undecodable */
};

static volatile sig_atomic_t mgr_stop;
/* A byte written by the signal handler wakes the loop's poll: a signal
 * that lands between the loop's test of mgr_stop and its poll would
 * otherwise wait for the poll's time-out (half a second) to be seen. */
static int mgr_wake[2] = {-1, -1};

static void mgr_on_signal(int sig)
{
    int saved = errno;

    (void)sig;
    mgr_stop = 1;
    if (mgr_wake[1] >= 0) {
        (void)!write(mgr_wake[1], "", 1);
    }
    errno = saved;
}

/* ---- journal ---- */

static int mgr_journal_open(struct mgr *m)
{
    m->journal_fd = open(m->journal_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (m->journal_fd < 0) {
        int err = errno;
        shoal_err(m->name, "cannot open the log journal %s: %s", m->journal_path, strerror(err));
        return -err;
    }
    struct stat st;
    m->journal_bytes = fstat(m->journal_fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

/* Append one line with a single write(2), so a kill leaves it whole or
 * absent (a torn last line is ignored at recovery). */
static int mgr_journal(struct mgr *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int mgr_journal(struct mgr *m, const char *fmt, ...)
{
    char line[768];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        shoal_err(m->name, "log journal %s: line too long", m->journal_path);
        return -EINVAL;
    }
    ssize_t w = write(m->journal_fd, line, (size_t)n);
    if (w != n) {
        int err = w < 0 ? errno : EIO;
        shoal_err(m->name, "cannot write the log journal %s: %s", m->journal_path, strerror(err));
        return -err;
    }
    m->journal_bytes += (uint64_t)n;
    return 0;
}

/* Save the tracker, then replace the journal by the streams' sizes (or, at
 * a clean stop, by their closing). */
static int mgr_compact(struct mgr *m, bool closed)
{
    char tmp[PATH_MAX + 8];
    FILE *f;
    int rc;

    rc = shoal_dedup_save(m->dedup, m->dedup_path);
    if (rc < 0) {
        shoal_err(m->name, "cannot save the dedup state %s: %s", m->dedup_path, strerror(-rc));
        return rc;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", m->journal_path);
    f = fopen(tmp, "we");
    if (f == NULL) {
        rc = -errno;
        shoal_err(m->name, "cannot write %s: %s", tmp, strerror(-rc));
        return rc;
    }
    fprintf(f, "D %s\n", m->log_dir);
    for (struct mgr_stream *ms = m->streams; ms != NULL; ms = ms->next) {
        if (closed) {
            fprintf(f, "C %s\n", ms->path);
        } else {
            fprintf(f, "S %s %" PRIu64 "\n", ms->path, ms->size);
        }
    }
    if (fclose(f) != 0) {
        rc = -errno;
        shoal_err(m->name, "cannot write %s: %s", tmp, strerror(-rc));
        unlink(tmp);
        return rc;
    }
    if (rename(tmp, m->journal_path) != 0) {
        rc = -errno;
        shoal_err(m->name, "cannot rename %s to %s: %s", tmp, m->journal_path, strerror(-rc));
        unlink(tmp);
        return rc;
    }
    if (m->journal_fd >= 0) {
        close(m->journal_fd);
        m->journal_fd = -1;
    }
    return closed ? 0 : mgr_journal_open(m);
}

/* ---- recovery ---- */

struct mgr_rec {
    struct mgr_rec *next;
    char path[256];
    uint64_t size;
    bool closed;
};

static struct mgr_rec *mgr_rec_get(struct mgr_rec **list, const char *path)
{
    for (struct mgr_rec *r = *list; r != NULL; r = r->next) {
        if (strcmp(r->path, path) == 0) {
            return r;
        }
    }
    struct mgr_rec *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    snprintf(r->path, sizeof(r->path), "%s", path);
    r->next = *list;
    *list = r;
    return r;
}

/* Cut a stream file of the previous run to what was acknowledged and set
 * it aside under a dated name. */
static int mgr_set_aside(struct mgr *m, const char *dir, const struct mgr_rec *r, const char *stamp)
{
    char file[PATH_MAX + 300];
    char aside[PATH_MAX + 400];
    struct stat st;

    snprintf(file, sizeof(file), "%s/%s.log", dir, r->path);
    if (stat(file, &st) != 0) {
        return 0; /* already set aside, or never created */
    }
    if (!r->closed) {
        if (r->size == 0) {
            if (unlink(file) != 0) {
                int err = errno;
                shoal_err(m->name, "cannot remove %s: %s", file, strerror(err));
                return -err;
            }
            return 0;
        }
        if ((uint64_t)st.st_size != r->size && truncate(file, (off_t)r->size) != 0) {
            int err = errno;
            shoal_err(m->name, "cannot cut %s back to %" PRIu64 " bytes: %s", file, r->size,
                      strerror(err));
            return -err;
        }
    }
    snprintf(aside, sizeof(aside), "%s/%s.%s.log", dir, r->path, stamp);
    for (int i = 1; access(aside, F_OK) == 0 && i < 1000; i++) {
        snprintf(aside, sizeof(aside), "%s/%s.%s-%d.log", dir, r->path, stamp, i);
    }
    if (rename(file, aside) != 0) {
        int err = errno;
        shoal_err(m->name, "cannot set %s aside as %s: %s", file, aside, strerror(err));
        return -err;
    }
    if (r->closed) {
        shoal_info(m->name, "%s of the previous run set aside as %s", file, aside);
    } else {
        shoal_warn(m->name,
                   "%s of a previous run that did not stop cleanly: kept its %" PRIu64
                   " acknowledged bytes as %s",
                   file, r->size, aside);
    }
    return 0;
}

/* Replay one journal line into the tracker and the per-stream list. */
static int mgr_replay_line(struct mgr *m, struct mgr_rec **recs, char *dir, size_t dirlen,
                           const char *line, unsigned lineno)
{
    char a[256], b[256];
    uint64_t epoch, seq, base, size;
    struct mgr_rec *r = NULL;

    if (sscanf(line, "B %255s %" SCNu64 " %" SCNu64 " %" SCNu64 " %255s %" SCNu64, a, &epoch, &seq,
               &base, b, &size) == 6) {
        if (base >= 1 && base <= seq &&
            shoal_dedup_check(m->dedup, a, epoch, base, seq) == SHOAL_DEDUP_NEW) {
            shoal_dedup_mark(m->dedup, a, epoch, seq);
        }
        r = mgr_rec_get(recs, b);
        if (r != NULL) {
            r->size = size;
            r->closed = false;
        }
    } else if (sscanf(line, "S %255s %" SCNu64, b, &size) == 2) {
        r = mgr_rec_get(recs, b);
        if (r != NULL) {
            r->size = size;
            r->closed = false;
        }
    } else if (sscanf(line, "O %255s", b) == 1) {
        r = mgr_rec_get(recs, b);
        if (r != NULL) {
            r->size = 0;
            r->closed = false;
        }
    } else if (line[0] == 'D' && line[1] == ' ') {
        /* The log directory of that run (-l may differ now). */
        snprintf(dir, dirlen, "%.*s", (int)strcspn(line + 2, "\n"), line + 2);
        return 0;
    } else if (sscanf(line, "C %255s", b) == 1) {
        r = mgr_rec_get(recs, b);
        if (r != NULL) {
            r->closed = true;
        }
    } else {
        shoal_warn(m->name, "%s:%u: unknown journal line ignored", m->journal_path, lineno);
        return 0;
    }
    return r != NULL ? 0 : -ENOMEM;
}

static int mgr_recover(struct mgr *m)
{
    struct mgr_rec *recs = NULL;
    char stamp[32];
    char dir[PATH_MAX];
    FILE *f;
    int rc;

    rc = shoal_dedup_load(m->dedup, m->dedup_path);
    if (rc < 0 && rc != -ENOENT) {
        shoal_err(m->name, "cannot read the dedup state %s: %s", m->dedup_path, strerror(-rc));
        return rc;
    }
    rc = 0;
    snprintf(dir, sizeof(dir), "%s", m->log_dir);
    f = fopen(m->journal_path, "re");
    if (f == NULL && errno != ENOENT) {
        rc = -errno;
        shoal_err(m->name, "cannot read the log journal %s: %s", m->journal_path, strerror(-rc));
        return rc;
    }
    if (f != NULL) {
        char line[1024];
        unsigned lineno = 0;
        while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
            lineno++;
            if (strchr(line, '\n') == NULL) {
                break; /* the torn last line of a killed run */
            }
            rc = mgr_replay_line(m, &recs, dir, sizeof(dir), line, lineno);
        }
        fclose(f);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H-%M-%S", &tm);
    for (struct mgr_rec *r = recs; rc == 0 && r != NULL; r = r->next) {
        rc = mgr_set_aside(m, dir, r, stamp);
    }
    while (recs != NULL) {
        struct mgr_rec *next = recs->next;
        free(recs);
        recs = next;
    }
    if (rc == 0) {
        rc = mgr_compact(m, false); /* no stream yet: an empty journal */
    }
    return rc;
}

/* ---- streams and batches ---- */

static void mgr_stream_free(struct mgr_stream *ms)
{
    if (ms == NULL) {
        return;
    }
    for (size_t i = 0; ms->fields != NULL && i < ms->n_fields; i++) {
        free((char *)ms->fields[i].name);
    }
    free(ms->fields);
    free(ms->path);
    free(ms);
}

/* The stream `path` with the batch's columns, opened on first sight; NULL
 * if it is open with other columns (logged) or on OOM. */
static struct mgr_stream *mgr_stream_get(struct mgr *m, const struct shoal_wire_log_batch *b)
{
    struct mgr_stream *ms;

    for (ms = m->streams; ms != NULL; ms = ms->next) {
        if (strcmp(ms->path, b->path) == 0) {
            bool same = ms->n_fields == b->n_fields;
            for (size_t i = 0; same && i < b->n_fields; i++) {
                same = strcmp(ms->fields[i].name, b->fields[i].name) == 0 &&
                       ms->fields[i].type == b->fields[i].type &&
                       ms->fields[i].elem == b->fields[i].elem;
            }
            if (!same) {
                shoal_warn(m->name,
                           "batch %" PRIu64 " of %s: stream %s has other columns than "
                           "%s/%s.log; batch refused",
                           b->seq, b->sender, b->path, m->log_dir, b->path);
                return NULL;
            }
            return ms;
        }
    }
    ms = calloc(1, sizeof(*ms));
    if (ms == NULL || (ms->path = strdup(b->path)) == NULL ||
        (ms->fields = calloc(b->n_fields, sizeof(*ms->fields))) == NULL) {
        goto out_free;
    }
    ms->n_fields = b->n_fields;
    for (size_t i = 0; i < b->n_fields; i++) {
        ms->fields[i] = b->fields[i];
        ms->fields[i].name = strdup(b->fields[i].name);
        if (ms->fields[i].name == NULL) {
            goto out_free;
        }
    }
    /* Journal first: a file that appears after this line is ours. */
    if (mgr_journal(m, "O %s\n", ms->path) < 0) {
        m->fatal = true;
        goto out_free;
    }
    ms->s = shoal_log_open(m->logger, ms->path, ms->fields, ms->n_fields);
    if (ms->s == NULL) {
        goto out_free;
    }
    ms->next = m->streams;
    m->streams = ms;
    return ms;

out_free:
    mgr_stream_free(ms);
    return NULL;
}

static void mgr_ack(struct mgr *m, zmq_msg_t *id, const char *sender, uint64_t epoch)
{
    struct shoal_wire_log_ack a = {
        .sender = sender,
        .epoch = epoch,
        .seq = shoal_dedup_acked(m->dedup, sender, epoch),
    };
    struct shoal_buf sb = {0};
    const char *topic = shoal_wire_topic(SHOAL_WIRE_LOG_ACK);

    if (a.seq == 0) {
        return;
    }
    if (shoal_wire_encode_log_ack(&sb, &a) == 0) {
        /* A peer that went away just misses it: it resends and gets another. */
        if (zmq_send(m->router, zmq_msg_data(id), zmq_msg_size(id), ZMQ_SNDMORE | ZMQ_DONTWAIT) >=
            0) {
            zmq_send(m->router, topic, strlen(topic), ZMQ_SNDMORE);
            zmq_send(m->router, sb.p, sb.len, 0);
        }
    }
    shoal_buf_free(&sb);
}

/* After the records of batch b went to stream ms: push them to the
 * kernel, journal the stream's new size, count and mark the batch. */
static int mgr_batch_done(struct mgr *m, struct mgr_stream *ms,
                          const struct shoal_wire_log_batch *b)
{
    int rc = shoal_log_stream_sync(ms->s, &ms->size);

    if (rc < 0) {
        return rc;
    }
    rc = mgr_journal(m, "B %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %s %" PRIu64 "\n", b->sender,
                     b->epoch, b->seq, b->base, ms->path, ms->size);
    if (rc < 0) {
        return rc;
    }
    m->batches++;
    rc = shoal_dedup_mark(m->dedup, b->sender, b->epoch, b->seq);
    if (rc < 0) {
        shoal_warn(m->name, "dedup of %s: %s", b->sender, strerror(-rc));
    }
    return 0;
}

/* Write a new batch; 0, or a negative errno when the manager must stop. */
static int mgr_write_batch(struct mgr *m, const struct shoal_wire_log_batch *b)
{
    struct mgr_stream *ms = mgr_stream_get(m, b);
    int rc;

    if (ms == NULL) {
        if (m->fatal) {
            return -EIO;
        }
        /* Counted and acknowledged: resending it would not change it. */
        m->rejected++;
        shoal_dedup_mark(m->dedup, b->sender, b->epoch, b->seq);
        return 0;
    }
    for (size_t r = 0; r < b->n_records; r++) {
        rc = shoal_log_write(ms->s, b->records + r * b->n_fields);
        if (rc < 0) {
            shoal_err(m->name, "cannot write batch %" PRIu64 " of %s to %s/%s.log: %s", b->seq,
                      b->sender, m->log_dir, ms->path, strerror(-rc));
            return rc;
        }
    }
    m->records += b->n_records;
    return mgr_batch_done(m, ms, b);
}

/* notice.log as a stream of the journal, so that a kill or a new run sets
 * it aside with the others; NULL when it cannot be opened (logged). */
static struct mgr_stream *mgr_notice_stream(struct mgr *m)
{
    struct mgr_stream *ms;

    for (ms = m->streams; ms != NULL; ms = ms->next) {
        if (ms->fields == NULL) {
            return ms;
        }
    }
    ms = calloc(1, sizeof(*ms));
    if (ms == NULL || (ms->path = strdup(SHOAL_WIRE_NOTICE_STREAM)) == NULL) {
        mgr_stream_free(ms);
        return NULL;
    }
    if (mgr_journal(m, "O %s\n", ms->path) < 0 ||
        (ms->s = shoal_notices_stream(m->notices)) == NULL) {
        mgr_stream_free(ms);
        m->fatal = true;
        return NULL;
    }
    ms->next = m->streams;
    m->streams = ms;
    return ms;
}

/* Raise the notices of a batch of SHOAL_WIRE_NOTICE_STREAM; 0, or a
 * negative errno when the manager must stop.  A record that does not
 * decode, or names another sender than the batch's signer, is counted and
 * skipped: the rest of the batch stands. */
static int mgr_raise_batch(struct mgr *m, const struct shoal_wire_log_batch *b)
{
    struct mgr_stream *ms;
    int rc;

    if (b->n_fields != 1 || b->fields[0].type != SHOAL_T_STRING) {
        shoal_warn(m->name,
                   "batch %" PRIu64 " of %s: the %s stream has other columns than "
                   "notices have; batch refused",
                   b->seq, b->sender, b->path);
        m->rejected++;
        shoal_dedup_mark(m->dedup, b->sender, b->epoch, b->seq);
        return 0;
    }
    ms = mgr_notice_stream(m);
    if (ms == NULL) {
        return -EIO;
    }
    for (size_t r = 0; r < b->n_records; r++) {
        const struct shoal_value *v = &b->records[r];
        struct shoal_wire_msg msg;
        char err[256] = "";

        memset(&msg, 0, sizeof(msg));
        m->n_notices++;
        if (!v->present || shoal_wire_decode((const uint8_t *)v->s.p, v->s.len, SHOAL_WIRE_NOTICE,
                                             &msg, err, sizeof(err)) < 0) {
            if (m->bad_notices++ == 0) {
                shoal_warn(m->name, "bad notice in batch %" PRIu64 " of %s: %s", b->seq, b->sender,
                           err[0] ? err : "not a NOTICE body");
            }
            continue;
        }
        if (strcmp(msg.notice.sender, b->sender) != 0) {
            if (m->bad_notices++ == 0) {
                shoal_warn(m->name, "notice from %s claims to come from %s: refused", b->sender,
                           msg.notice.sender);
            }
            rc = 0;
        } else {
            rc = shoal_notices_raise(m->notices, &msg.notice);
        }
        shoal_wire_msg_release(&msg);
        if (rc < 0) {
            return rc;
        }
    }
    return mgr_batch_done(m, ms, b);
}

/* A node with nothing to log says it is up (worker_link.c). */
static void mgr_on_heartbeat(struct mgr *m, zmq_msg_t *body, const char *user, const char *peer)
{
    struct shoal_wire_msg msg;
    char err[256] = "";

    memset(&msg, 0, sizeof(msg));
    if (shoal_wire_decode(zmq_msg_data(body), zmq_msg_size(body), SHOAL_WIRE_HEARTBEAT, &msg, err,
                          sizeof(err)) < 0) {
        m->rejected++;
        shoal_warn(m->name, "bad heartbeat from %s (%s): %s", peer, user ? user : "?", err);
        return;
    }
    if (user != NULL && strcmp(user, msg.hb.sender) == 0) {
        shoal_control_peer_seen(m->control, user);
    } else {
        m->rejected++;
        shoal_warn(m->name, "heartbeat from %s signed by %s claims to come from %s: refused", peer,
                   user ? user : "nobody", msg.hb.sender);
    }
    shoal_wire_msg_release(&msg);
}

static void mgr_on_message(struct mgr *m, zmq_msg_t *id, zmq_msg_t *topic, zmq_msg_t *body)
{
    const char *user = zmq_msg_gets(body, "User-Id");
    const char *peer = zmq_msg_gets(body, "Peer-Address");
    struct shoal_wire_log_batch batch;
    char err[256] = "";
    int rc;

    peer = peer != NULL ? peer : "?";
    if (shoal_wire_topic_matches(zmq_msg_data(topic), zmq_msg_size(topic), SHOAL_WIRE_HEARTBEAT)) {
        mgr_on_heartbeat(m, body, user, peer);
        return;
    }
    if (!shoal_wire_topic_matches(zmq_msg_data(topic), zmq_msg_size(topic), SHOAL_WIRE_LOG_BATCH)) {
        m->rejected++;
        shoal_warn(m->name, "message from %s (%s) with an unknown topic on %s", peer,
                   user ? user : "?", m->endpoint);
        return;
    }
    if (m->bdec == NULL && (m->bdec = shoal_wire_batch_dec_new()) == NULL) {
        shoal_err(m->name, "cannot make the log batch decoder: %s", strerror(ENOMEM));
        m->fatal = true;
        return;
    }
    /* One pass over the body; the string values point into it, and `body`
     * lives until mgr_recv closes it, after the write. */
    rc = shoal_wire_batch_decode(m->bdec, zmq_msg_data(body), zmq_msg_size(body), &batch, err,
                                 sizeof(err));
    if (rc < 0) {
        m->rejected++;
        shoal_warn(m->name, "bad log batch from %s (%s): %s", peer, user ? user : "?", err);
        return;
    }
    const struct shoal_wire_log_batch *b = &batch;
    if (user == NULL || strcmp(user, b->sender) != 0) {
        m->rejected++;
        shoal_warn(m->name, "log batch from %s signed by %s claims to come from %s: refused", peer,
                   user ? user : "nobody", b->sender);
        return;
    }
    shoal_control_peer_seen(m->control, user);
    rc = shoal_dedup_check(m->dedup, b->sender, b->epoch, b->base, b->seq);
    if (rc == SHOAL_DEDUP_DUP) {
        m->duplicates++;
        mgr_ack(m, id, b->sender, b->epoch);
        return;
    }
    if (rc < 0) {
        /* A stale incarnation, or too far ahead: the sender resends. */
        shoal_info(m->name, "batch %" PRIu64 " of %s dropped: %s", b->seq, b->sender,
                   strerror(-rc));
        return;
    }
    rc = strcmp(b->path, SHOAL_WIRE_NOTICE_STREAM) == 0 ? mgr_raise_batch(m, b)
                                                        : mgr_write_batch(m, b);
    if (rc < 0) {
        m->fatal = true;
        return;
    }
    mgr_ack(m, id, b->sender, b->epoch);
}

/* Read every waiting message of the log socket: [id][topic][body]. */
static void mgr_recv(struct mgr *m)
{
    for (int n = 0; n < 256 && !m->fatal; n++) {
        zmq_msg_t parts[3];
        int got = shoal_zsec_recv_routed(m->router, parts);

        if (got == 0) {
            return;
        }
        if (got == 3) {
            mgr_on_message(m, &parts[0], &parts[1], &parts[2]);
        } else {
            m->rejected++;
        }
        shoal_zsec_frames_close(parts, got);
    }
}

/* ---- control (control.h) ---- */

static void mgr_ctl_status(void *arg, struct shoal_control_items *it)
{
    struct mgr *m = arg;
    size_t n = 0;

    for (const struct mgr_stream *ms = m->streams; ms != NULL; ms = ms->next) {
        n++;
    }
    shoal_control_add(it, "log_dir", "%s", m->log_dir);
    shoal_control_add(it, "log_endpoint", "%s", m->endpoint);
    shoal_control_add(it, "streams", "%zu", n);
}

static void mgr_ctl_counters(void *arg, struct shoal_control_items *it)
{
    struct mgr *m = arg;

    shoal_control_add_u64(it, "batches", m->batches);
    shoal_control_add_u64(it, "records", m->records);
    shoal_control_add_u64(it, "duplicates", m->duplicates);
    shoal_control_add_u64(it, "rejected", m->rejected);
    shoal_control_add_u64(it, "notices", m->n_notices);
    shoal_control_add_u64(it, "bad_notices", m->bad_notices);
    shoal_control_add_u64(it, "journal_bytes", m->journal_bytes);
}

/* Every node that sends to the manager: up while its batches or its
 * heartbeats (every second when it has nothing to log) keep coming. */
static void mgr_ctl_peers(void *arg, struct shoal_control_items *it)
{
    struct mgr *m = arg;

    for (size_t i = 0; i < m->layout->n_nodes; i++) {
        const struct shoal_layout_node *n = &m->layout->nodes[i];
        double age = shoal_control_peer_age(m->control, n->name);
        if (n == m->self || n->role == SHOAL_ROLE_STANDALONE) {
            continue;
        }
        if (age < 0) {
            shoal_control_add(it, n->name, "down (never heard)");
        } else if (age < SHOAL_HEARTBEAT_TIMEOUT) {
            shoal_control_add(it, n->name, "up (heard %.1f s ago)", age);
        } else {
            shoal_control_add(it, n->name, "down (last heard %.1f s ago)", age);
        }
    }
}

static void mgr_ctl_settings(void *arg, struct shoal_control_items *it)
{
    struct mgr *m = arg;

    shoal_control_add(it, "log.format", "%s", m->fmt == SHOAL_LOGFMT_JSON ? "json" : "tsv");
    shoal_control_add(it, "journal", "%s", m->journal_path);
    shoal_control_add(it, "workdir", "%s", m->self->workdir);
}

static void mgr_ctl_stop(void *arg, const char *by)
{
    (void)arg;
    (void)by;
    mgr_stop = 1; /* what SIGTERM does */
}

static int mgr_ctl_start(struct mgr *m, struct shoal_nodestate *state)
{
    m->ctl_ops = (struct shoal_control_ops){
        .size = sizeof(m->ctl_ops),
        .status = mgr_ctl_status,
        .counters = mgr_ctl_counters,
        .peers = mgr_ctl_peers,
        .settings = mgr_ctl_settings,
        .stop = mgr_ctl_stop,
        .arg = m,
    };
    return shoal_control_new(m->layout, m->self, m->zsec, &m->ctl_ops, state, &m->control);
}

/* ---- run ---- */

static void mgr_free(struct mgr *m)
{
    while (m->streams != NULL) {
        struct mgr_stream *ms = m->streams;
        m->streams = ms->next;
        mgr_stream_free(ms);
    }
    shoal_wire_batch_dec_free(m->bdec);
    if (m->router != NULL) {
        zmq_close(m->router);
    }
    shoal_notices_free(m->notices);
    shoal_control_free(m->control);
    shoal_zsec_close(m->zsec);
    shoal_config_free(&m->cfg);
    if (m->journal_fd >= 0) {
        close(m->journal_fd);
    }
    shoal_dedup_free(m->dedup);
}

static int mgr_paths(struct mgr *m, const struct shoal_manager_opts *o)
{
    const char *dir = o->log_dir != NULL ? o->log_dir : m->self->workdir;
    struct stat st;

    if ((size_t)snprintf(m->log_dir, sizeof(m->log_dir), "%s", dir) >= sizeof(m->log_dir) ||
        (size_t)snprintf(m->journal_path, sizeof(m->journal_path), "%s/log-journal",
                         m->self->workdir) >= sizeof(m->journal_path) ||
        (size_t)snprintf(m->dedup_path, sizeof(m->dedup_path), "%s/dedup.state",
                         m->self->workdir) >= sizeof(m->dedup_path)) {
        shoal_err(m->name, "path too long: %s", dir);
        return -ENAMETOOLONG;
    }
    if (stat(m->log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        shoal_err(m->name, "log directory %s: %s", m->log_dir,
                  errno ? strerror(errno) : "not a directory");
        return -ENOTDIR;
    }
    return 0;
}

/* Everything before the loop: settings, keys, recovery, the logger, the
 * sockets and the control channel.  0 when the manager can run, else the
 * exit status (2: bad settings, 1: could not start), logged; *m is then
 * ready for mgr_close either way. */
static int mgr_open(struct mgr *m, const struct shoal_layout *layout,
                    const struct shoal_layout_node *self, const struct shoal_manager_opts *opts)
{
    char err[512] = "";

    memset(m, 0, sizeof(*m));
    m->layout = layout;
    m->self = self;
    m->name = self->name;
    m->journal_fd = -1;
    m->fmt = opts->log_fmt;
    if (shoal_layout_endpoint(self, SHOAL_CHANNEL_LOG, m->endpoint, sizeof(m->endpoint)) < 0) {
        shoal_err(m->name, "%s: the manager has no log port",
                  layout->file ? layout->file : "layout");
        return 2;
    }
    if (mgr_paths(m, opts) < 0) {
        return 2;
    }
    if ((opts->config_file != NULL ? shoal_config_load(&m->cfg, opts->config_file, err, sizeof(err))
                                   : shoal_config_defaults(&m->cfg)) < 0) {
        shoal_err(m->name, "%s", err[0] ? err : "out of memory");
        return 2;
    }
    if (shoal_zsec_open(layout, self, true, &m->zsec) < 0) {
        return 2;
    }
    m->dedup = shoal_dedup_new(MGR_DEDUP_PENDING, MGR_DEDUP_SENDERS);
    if (m->dedup == NULL || mgr_recover(m) < 0 || mgr_journal_open(m) < 0) {
        return 1;
    }
    m->logger = shoal_logger_new(m->log_dir, m->fmt);
    if (m->logger != NULL) {
        /* The nodes cut their records and said so; this bounds a node
         * that did not. */
        struct shoal_log_limits lim;
        shoal_log_limits_config(&m->cfg, &lim);
        shoal_logger_set_limits(m->logger, &lim, NULL, NULL);
    }
    m->notices = m->logger != NULL ? shoal_notices_new(m->logger, &m->cfg, m->name) : NULL;
    if (m->notices == NULL) {
        return 1;
    }
    m->router =
        shoal_zsec_server(m->zsec, ZMQ_ROUTER, SHOAL_CHANNEL_LOG, m->endpoint, sizeof(m->endpoint));
    if (m->router == NULL || mgr_ctl_start(m, opts->state) < 0) {
        return 1;
    }
    return 0;
}

/* Serve the sockets until a signal, a stop request or a fatal error. */
static void mgr_loop(struct mgr *m)
{
    while (!mgr_stop && !m->fatal) {
        zmq_pollitem_t items[4] = {
            {.socket = shoal_zsec_zap_socket(m->zsec), .events = ZMQ_POLLIN},
            {.socket = m->router, .events = ZMQ_POLLIN},
            {.socket = shoal_control_socket(m->control), .events = ZMQ_POLLIN},
            {.fd = mgr_wake[0], .events = ZMQ_POLLIN},
        };
        if (zmq_poll(items, mgr_wake[0] >= 0 ? 4 : 3, 500) < 0) {
            if (errno == EINTR) {
                continue;
            }
            shoal_err(m->name, "zmq_poll on %s: %s", m->endpoint, zmq_strerror(errno));
            return;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            shoal_zsec_zap_serve(m->zsec);
        }
        if (items[1].revents & ZMQ_POLLIN) {
            mgr_recv(m);
        }
        shoal_notices_poll(m->notices);
        if (items[2].revents & ZMQ_POLLIN) {
            shoal_control_serve(m->control);
        }
        if (m->journal_bytes > MGR_JOURNAL_MAX && mgr_compact(m, false) < 0) {
            m->fatal = true;
        }
    }
}

/* Close the logs, compact the journal after a clean run, say what was
 * done and free.  Returns the exit status. */
static int mgr_close(struct mgr *m, const struct shoal_manager_opts *opts, int status)
{
    struct shoal_notices_stats ns = {0};

    if (shoal_logger_free(m->logger) < 0) {
        status = 1;
    }
    m->logger = NULL;
    if (status == 0 && mgr_compact(m, true) < 0) {
        status = 1;
    }
    if (m->notices != NULL) {
        shoal_notices_stats(m->notices, &ns);
    }
    if (!opts->quiet && m->router != NULL) {
        fprintf(stderr,
                "shoal: %s: %" PRIu64 " log records in %" PRIu64 " batches written to %s "
                "(%" PRIu64 " duplicate batches dropped, %" PRIu64 " batches refused, %" PRIu64
                " peers refused); %" PRIu64 " notices received, %" PRIu64 " written, %" PRIu64
                " suppressed, %" PRIu64 " refused\n",
                m->name, m->records, m->batches, m->log_dir, m->duplicates, m->rejected,
                shoal_zsec_refused(m->zsec), m->n_notices, ns.written, ns.suppressed,
                m->bad_notices);
    }
    mgr_free(m);
    for (int i = 0; i < 2; i++) {
        if (mgr_wake[i] >= 0) {
            close(mgr_wake[i]);
            mgr_wake[i] = -1;
        }
    }
    return status;
}

int shoal_manager_run(const struct shoal_layout *layout, const struct shoal_layout_node *self,
                      const struct shoal_manager_opts *opts)
{
    struct mgr m;
    struct sigaction sa;
    int status = mgr_open(&m, layout, self, opts);

    if (status != 0) {
        return mgr_close(&m, opts, status);
    }
    const char *dirs[] = {m.log_dir, self->workdir, NULL};
    if (shoal_drop_privileges(&m.cfg, m.name, dirs) < 0) {
        return mgr_close(&m, opts, 1);
    }
    shoal_nodestate_set(opts->state, SHOAL_NODE_RUNNING);
    if (pipe2(mgr_wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        mgr_wake[0] = mgr_wake[1] = -1; /* a signal is then seen at the poll's time-out */
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = mgr_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    shoal_info(m.name, "writing logs into %s, listening on %s (logs and notices)", m.log_dir,
               m.endpoint);
    mgr_loop(&m);
    shoal_nodestate_set(opts->state, SHOAL_NODE_TERMINATING);
    return mgr_close(&m, opts, m.fatal ? 1 : 0);
}
