/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.log and capture_loss.log (see stats.h).
 */
#include "framework/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framework/log.h"
#include "framework/notice.h"
#include "lib/diag.h"

#define STATS_TOO_MUCH_LOSS 10.0 /* percent: CaptureLoss::too_much_loss */
#define STATS_MINIMUM_ACKS 1     /* CaptureLoss::minimum_acks */

/* stats.log as policy/misc/stats.zeek writes it. */
static const struct shoal_field stats_fields[] = {
    {"ts", SHOAL_T_TIME, 0},
    {"peer", SHOAL_T_STRING, 0},
    {"mem", SHOAL_T_COUNT, 0},
    {"pkts_proc", SHOAL_T_COUNT, 0},
    {"bytes_recv", SHOAL_T_COUNT, 0},
    {"pkts_dropped", SHOAL_T_COUNT, 0},
    {"pkts_link", SHOAL_T_COUNT, 0},
    {"pkt_lag", SHOAL_T_INTERVAL, 0},
    {"pkts_filtered", SHOAL_T_COUNT, 0},
    {"events_proc", SHOAL_T_COUNT, 0},
    {"events_queued", SHOAL_T_COUNT, 0},
    {"active_tcp_conns", SHOAL_T_COUNT, 0},
    {"active_udp_conns", SHOAL_T_COUNT, 0},
    {"active_icmp_conns", SHOAL_T_COUNT, 0},
    {"tcp_conns", SHOAL_T_COUNT, 0},
    {"udp_conns", SHOAL_T_COUNT, 0},
    {"icmp_conns", SHOAL_T_COUNT, 0},
    {"timers", SHOAL_T_COUNT, 0},
    {"active_timers", SHOAL_T_COUNT, 0},
    {"files", SHOAL_T_COUNT, 0},
    {"active_files", SHOAL_T_COUNT, 0},
    {"dns_requests", SHOAL_T_COUNT, 0},
    {"active_dns_requests", SHOAL_T_COUNT, 0},
    {"reassem_tcp_size", SHOAL_T_COUNT, 0},
    {"reassem_file_size", SHOAL_T_COUNT, 0},
    {"reassem_frag_size", SHOAL_T_COUNT, 0},
    {"reassem_unknown_size", SHOAL_T_COUNT, 0},
};
#define STATS_NFIELDS (sizeof(stats_fields) / sizeof(stats_fields[0]))

/* capture_loss.log as policy/misc/capture-loss.zeek writes it. */
static const struct shoal_field loss_fields[] = {
    {"ts", SHOAL_T_TIME, 0},     {"ts_delta", SHOAL_T_INTERVAL, 0},
    {"peer", SHOAL_T_STRING, 0}, {"gaps", SHOAL_T_COUNT, 0},
    {"acks", SHOAL_T_COUNT, 0},  {"percent_lost", SHOAL_T_DOUBLE, 0},
};
#define LOSS_NFIELDS (sizeof(loss_fields) / sizeof(loss_fields[0]))

struct shoal_statslog {
    struct shoal_logger *logger;
    const char *peer;
    struct shoal_stats_hooks hooks;
    double interval;      /* stats.log; 0: not written */
    double loss_first;    /* capture_loss.log: the first ... */
    double loss_interval; /* ... and the next ones; 0: not written */
    struct shoal_stream *stats;
    struct shoal_stream *loss;
    bool started;
    double stats_due, loss_due;
    double loss_last;               /* network time of the last measurement (or the start) */
    struct shoal_stats_sample last; /* at the last stats.log record */
    uint64_t loss_acks, loss_gaps;  /* at the last capture_loss.log record */
};

struct shoal_statslog *shoal_statslog_new(struct shoal_logger *logger, const char *peer,
                                          const struct shoal_config *cfg, bool trace,
                                          const struct shoal_stats_hooks *hooks)
{
    struct shoal_statslog *s;

    if ((trace && !cfg->stats_traces) ||
        (cfg->stats_interval <= 0 && cfg->stats_capture_loss_interval <= 0)) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        shoal_err(peer, "stats.log: %s", "out of memory");
        return NULL;
    }
    s->logger = logger;
    s->peer = peer;
    s->hooks = *hooks;
    s->interval = cfg->stats_interval;
    s->loss_interval = cfg->stats_capture_loss_interval;
    s->loss_first = cfg->stats_capture_loss_first;
    return s;
}

static uint64_t stats_delta(uint64_t now, uint64_t then)
{
    return now >= then ? now - then : 0;
}

static void stats_write(struct shoal_statslog *s, double now, const struct shoal_stats_sample *cur)
{
    const struct shoal_stats_sample *l = &s->last;
    struct shoal_value v[STATS_NFIELDS];

    if (s->stats == NULL &&
        (s->stats = shoal_log_open(s->logger, "stats", stats_fields, STATS_NFIELDS)) == NULL) {
        return;
    }
    for (size_t i = 0; i < STATS_NFIELDS; i++) {
        v[i] = shoal_v_count(0); /* what this node does not do (stats.h) */
    }
    v[0] = shoal_v_double(now);
    v[1] = shoal_v_str(s->peer);
    v[2] = shoal_v_count(cur->mem_mb);
    v[3] = shoal_v_count(stats_delta(cur->packets, l->packets));
    v[4] = shoal_v_count(stats_delta(cur->bytes, l->bytes));
    if (cur->live) {
        v[5] = shoal_v_count(stats_delta(cur->dropped, l->dropped));
        v[6] = shoal_v_count(stats_delta(cur->link, l->link));
        v[7] = shoal_v_double(cur->lag);
    } else {
        v[5] = v[6] = v[7] = shoal_v_unset();
    }
    v[8] = shoal_v_unset(); /* pkts_filtered: no source reports it apart */
    for (int p = 0; p < SHOAL_STATS_PROTOS; p++) {
        v[11 + p] = shoal_v_count(cur->conns_active[p]);
        v[14 + p] = shoal_v_count(stats_delta(cur->conns_total[p], l->conns_total[p]));
    }
    v[17] = shoal_v_count(stats_delta(cur->timers_total, l->timers_total));
    v[18] = shoal_v_count(cur->timers_active);
    v[23] = shoal_v_count(cur->reasm_tcp);
    v[25] = shoal_v_count(cur->reasm_frag);
    shoal_log_write(s->stats, v); /* a failure is the logger's to report */
    s->last = *cur;
}

static void stats_loss_notice(struct shoal_statslog *s, double now, const char *note,
                              const char *msg)
{
    struct shoal_notice_info n = {
        .ts = now,
        .note = note,
        .msg = {msg, strlen(msg)},
        .suppress_for = -1, /* the configured default */
    };

    if (s->hooks.notice != NULL) {
        s->hooks.notice(s->hooks.arg, &n);
    }
}

static void stats_loss_write(struct shoal_statslog *s, double now,
                             const struct shoal_stats_sample *cur)
{
    uint64_t acks = stats_delta(cur->ack_events, s->loss_acks);
    uint64_t gaps = stats_delta(cur->gap_events, s->loss_gaps);
    double pct = acks == 0 ? 0.0 : 100.0 * (double)gaps / (double)acks;
    struct shoal_value v[LOSS_NFIELDS];
    char msg[128];

    if (pct >= STATS_TOO_MUCH_LOSS) {
        snprintf(msg, sizeof(msg),
                 "The capture loss script detected an estimated loss rate above %.3f%%", pct);
        stats_loss_notice(s, now, "CaptureLoss::Too_Much_Loss", msg);
    }
    if (acks < STATS_MINIMUM_ACKS) {
        snprintf(msg, sizeof(msg), "Only observed %llu TCP ACKs and was expecting at least %d.",
                 (unsigned long long)acks, STATS_MINIMUM_ACKS);
        stats_loss_notice(s, now, "CaptureLoss::Too_Little_Traffic", msg);
    }
    if (s->loss == NULL &&
        (s->loss = shoal_log_open(s->logger, "capture_loss", loss_fields, LOSS_NFIELDS)) == NULL) {
        return;
    }
    v[0] = shoal_v_double(now);
    v[1] = shoal_v_double(now - s->loss_last);
    v[2] = shoal_v_str(s->peer);
    v[3] = shoal_v_count(gaps);
    v[4] = shoal_v_count(acks);
    v[5] = shoal_v_double(pct);
    shoal_log_write(s->loss, v);
    s->loss_acks = cur->ack_events;
    s->loss_gaps = cur->gap_events;
    s->loss_last = now;
}

/* The first packet: the clock of both logs starts (their counts start
 * from zero, the node's start). */
static void stats_start(struct shoal_statslog *s, double now)
{
    s->started = true;
    s->loss_last = now;
    s->stats_due = now + s->interval;
    s->loss_due = now + s->loss_first;
}

void shoal_statslog_tick(struct shoal_statslog *s, double now)
{
    struct shoal_stats_sample cur;
    bool stats, loss;

    if (s == NULL) {
        return;
    }
    if (!s->started) {
        stats_start(s, now);
        return;
    }
    stats = s->interval > 0 && now >= s->stats_due;
    loss = s->loss_interval > 0 && now >= s->loss_due;
    if (!stats && !loss) {
        return;
    }
    s->hooks.sample(s->hooks.arg, &cur);
    if (stats) {
        stats_write(s, now, &cur);
        /* A quiet spell longer than the interval yields one record, as
         * Zeek's timer (rescheduled from when it ran) does. */
        s->stats_due = now + s->interval;
    }
    if (loss) {
        stats_loss_write(s, now, &cur);
        s->loss_due = now + s->loss_interval;
    }
}

void shoal_statslog_finish(struct shoal_statslog *s, double now)
{
    struct shoal_stats_sample cur;

    if (s == NULL) {
        return;
    }
    if (s->started) {
        s->hooks.sample(s->hooks.arg, &cur);
        if (s->interval > 0) {
            stats_write(s, now, &cur);
        }
        if (s->loss_interval > 0) {
            stats_loss_write(s, now, &cur);
        }
    }
    free(s);
}
