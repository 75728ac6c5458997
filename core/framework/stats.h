/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.log and capture_loss.log, as Zeek's policy/misc/stats.zeek and
 * policy/misc/capture-loss.zeek write them (ZeekControl loads both), on
 * network time.
 *
 * stats.log: every stats.interval seconds (300), one record of what the
 * node did since the last one (packets, bytes, connections opened by
 * protocol, timers scheduled) and what it holds now (connections, timers,
 * reassembly bytes, memory); reading live traffic, also the packets the
 * capture dropped, those it saw on the link and the lag of network time
 * behind the wall clock.  Shoal has no event engine and makes no DNS
 * look-ups or file reassembly of its own, so events_proc, events_queued,
 * dns_requests, active_dns_requests, reassem_file_size and
 * reassem_unknown_size are 0: what Zeek writes for a node that does none.
 *
 * capture_loss.log: stats.capture_loss_first seconds (60) after the first
 * packet, then every stats.capture_loss_interval (900), the TCP ACKs seen
 * on established connections ("acks") and how many of them acknowledged
 * data that never went past ("gaps"), and their ratio in percent; a ratio
 * of 10% or more raises CaptureLoss::Too_Much_Loss, no ACK at all
 * CaptureLoss::Too_Little_Traffic.
 *
 * Both write one last record at the end of the run (Zeek runs its pending
 * timers when it terminates).  Records go through the node's logger, so a
 * cluster node's reach the manager with its name as peer.
 *
 * Single-threaded: the packet thread calls every function.
 */
#ifndef SHOAL_FRAMEWORK_STATS_H
#define SHOAL_FRAMEWORK_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

struct shoal_logger;
struct shoal_notice_info;

enum { SHOAL_STATS_TCP, SHOAL_STATS_UDP, SHOAL_STATS_ICMP, SHOAL_STATS_PROTOS };

/* The node's figures at one moment; counts are totals since the start. */
struct shoal_stats_sample {
    uint64_t mem_mb; /* peak resident memory, MiB */
    uint64_t packets;
    uint64_t bytes; /* on the wire */
    bool live;      /* reading an interface: the next three are valid */
    uint64_t dropped;
    uint64_t link;
    double lag;                                /* wall clock - network time, s */
    uint64_t conns_active[SHOAL_STATS_PROTOS]; /* held now */
    uint64_t conns_total[SHOAL_STATS_PROTOS];  /* opened */
    uint64_t timers_total;                     /* scheduled */
    uint64_t timers_active;
    uint64_t reasm_tcp;  /* out-of-order TCP bytes held now */
    uint64_t reasm_frag; /* IP fragment bytes held now */
    uint64_t ack_events; /* TCP ACKs on established connections */
    uint64_t gap_events; /* ... of data never seen */
};

/* The node fills *out with its figures now. */
typedef void (*shoal_stats_sample_fn)(void *arg, struct shoal_stats_sample *out);
/* The node raises a notice of the framework. */
typedef void (*shoal_stats_notice_fn)(void *arg, const struct shoal_notice_info *n);

struct shoal_stats_hooks {
    shoal_stats_sample_fn sample;
    shoal_stats_notice_fn notice; /* NULL: none raised */
    void *arg;
};

struct shoal_statslog;

/*
 * The logs of node `peer` (borrowed, as `cfg` and `logger`: they must
 * outlive the object) with the intervals of cfg's stats group; `trace`:
 * the node reads a trace file, where they are written only when
 * stats.traces is set.  Returns NULL when neither log is to be written (or
 * on ENOMEM, logged).
 */
struct shoal_statslog *shoal_statslog_new(struct shoal_logger *logger, const char *peer,
                                          const struct shoal_config *cfg, bool trace,
                                          const struct shoal_stats_hooks *hooks);

/* Network time advanced to `now`: write what is due.  Accepts NULL. */
void shoal_statslog_tick(struct shoal_statslog *s, double now);

/* The end of the run at network time `now`: one last record of each log
 * (when anything was seen), then free.  Accepts NULL. */
void shoal_statslog_finish(struct shoal_statslog *s, double now);

#endif
