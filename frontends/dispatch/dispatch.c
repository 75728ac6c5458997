/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dispatch frontend (network-based, in software): one dispatcher
 * process reads the interface or trace with libpcap (a classic pcap trace
 * with frontends/common/pcapread.c), hashes every frame
 * symmetrically (frontend.hash over frontends/common/flowhash.c: VLAN,
 * QinQ, MPLS decoded first, fragments by the 2-tuple) and appends it to
 * the shared-memory ring of the worker the hash picks (dispatch_ring.c);
 * each worker's `open` maps the rings and its `next` hands its frames to
 * the node straight out of shared memory.  One copy per frame, no system
 * call while both sides are busy.  Frames the hash cannot place (not IP)
 * go to worker 0 and are counted not classified.  A full ring: on a trace
 * the dispatcher waits (nothing is lost, so N workers write the records of
 * one node); live, the frame is dropped and counted for that worker, whose
 * `dropped` counter shows it.  Trace timestamps travel with the frames.
 * Both sides find the region by the channel (the host's spec->channel, or
 * else the input's name and the worker count).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <shoal/shoal.h>

#include "dispatch_ring.h"
#include "flowhash.h"
#include "pcaptrace.h"

/* Frames the dispatcher reads between publications. */
#define DS_BATCH 256

struct ds_config {
    int64_t ring_mb;
    int64_t attach_timeout;
    int64_t snaplen;
    bool promisc;
};

static const struct shoal_cfg_key ds_cfg_keys[] = {
    {"ring_mb", SHOAL_CFG_INT, "4", false,
     "each worker's queue in shared memory, MiB (a power of two is used)",
     offsetof(struct ds_config, ring_mb), "1", "4096"},
    {"attach_timeout", SHOAL_CFG_INT, "30", false,
     "seconds a worker waits for its dispatcher, and a dispatcher of a trace for its workers",
     offsetof(struct ds_config, attach_timeout), "1", "3600"},
    {"snaplen", SHOAL_CFG_INT, "65535", false, "bytes captured of each packet on a live link",
     offsetof(struct ds_config, snaplen), "64", "262144"},
    {"promisc", SHOAL_CFG_BOOL, "true", false, "capture in promiscuous mode",
     offsetof(struct ds_config, promisc), NULL, NULL},
    {0},
};

struct ds_plugin {
    const struct shoal_host *host;
    struct shoal_self *self;
    struct ds_config cfg;
};

/* A worker's source: its ring in the mapped region. */
struct ds_source {
    struct ds_plugin *pl;
    struct dring_map map;
    struct dring *ring;
    uint32_t worker;
    uint64_t received;
    shoal_frame_fn deliver;
    void *arg;
};

/* The dispatcher while it runs. */
struct ds_run {
    struct ds_plugin *pl;
    const struct shoal_source_spec *spec;
    volatile const int *stop;
    pcap_t *p; /* the capture, or the trace's libpcap handle */
    bool live;
    struct pcaptrace trace;
    char *file_buffer; /* the trace's buffer, freed after it is closed */
    uint32_t mode;
    int dlt;
    struct dring_map map;
    uint64_t tails[DRING_MAX_WORKERS];
    uint64_t frames;
};

#define DS_LOG(pl, ...) (pl)->host->logf((pl)->self, SHOAL_LOG_ERROR, __VA_ARGS__)

static int ds_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                   void **state)
{
    static const struct ds_config defaults = {4, 30, 65535, true};
    struct ds_plugin *pl = host->alloc(self, sizeof(*pl));

    if (pl == NULL) {
        return -ENOMEM;
    }
    pl->host = host;
    pl->self = self;
    pl->cfg = config != NULL ? *(const struct ds_config *)config : defaults;
    *state = pl;
    return 0;
}

static void ds_fini(void *state)
{
    struct ds_plugin *pl = state;

    if (pl != NULL) {
        pl->host->free(pl->self, pl);
    }
}

/* The region's name: the channel, else the input (a trace by its real
 * path) and the worker count, which both sides know. */
static void ds_region_name(const struct shoal_source_spec *spec, char *buf, size_t len)
{
    char chan[PATH_MAX + 64];
    char real[PATH_MAX];

    if (spec->channel != NULL) {
        snprintf(chan, sizeof(chan), "%s", spec->channel);
    } else if (spec->file != NULL) {
        snprintf(chan, sizeof(chan), "file:%s:%u",
                 realpath(spec->file, real) != NULL ? real : spec->file, spec->nworkers);
    } else {
        snprintf(chan, sizeof(chan), "if:%s:%u", spec->interface, spec->nworkers);
    }
    dring_name(buf, len, chan);
}

static double ds_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the worker's side ---- */

static int ds_open(void *ps, const struct shoal_source_spec *spec, void **out)
{
    struct ds_plugin *pl = ps;
    struct ds_source *s;
    char name[64];
    double deadline = ds_now() + (double)pl->cfg.attach_timeout;
    int rc;

    s = pl->host->alloc(pl->self, sizeof(*s));
    if (s == NULL) {
        return -ENOMEM;
    }
    memset(s, 0, sizeof(*s));
    s->pl = pl;
    s->worker = spec->worker;
    ds_region_name(spec, name, sizeof(name));
    while ((rc = dring_attach(&s->map, name)) == -ENOENT && ds_now() < deadline) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (rc == 0 && s->map.h->nworkers != spec->nworkers) {
        DS_LOG(pl, "%s: the dispatcher feeds %u workers, this is worker %u of %u", name,
               s->map.h->nworkers, spec->worker, spec->nworkers);
        rc = -EINVAL;
    } else if (rc < 0) {
        DS_LOG(pl, "%s: no dispatcher for %s within %lld s (shared memory %s: %s)",
               spec->node != NULL ? spec->node : "worker",
               spec->file != NULL ? spec->file : spec->interface, (long long)pl->cfg.attach_timeout,
               name, strerror(-rc));
    }
    if (rc < 0) {
        dring_unmap(&s->map);
        pl->host->free(pl->self, s);
        return rc == -ENOENT ? -ETIMEDOUT : rc;
    }
    s->ring = &s->map.h->rings[spec->worker];
    __atomic_store_n(&s->ring->attached, 1, __ATOMIC_RELEASE);
    *out = s;
    return 0;
}

static int ds_datalink(void *src, const char **name)
{
    struct ds_source *s = src;

    *name = pcap_datalink_val_to_name(s->map.h->dlt);
    return s->map.h->dlt;
}

static void ds_frame(void *arg, double ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
    struct ds_source *s = arg;
    struct shoal_frame f = {.ts = ts, .data = data, .caplen = caplen, .len = len};

    s->deliver(s->arg, &f);
}

static int ds_next(void *src, int max, shoal_frame_fn deliver, void *arg)
{
    struct ds_source *s = src;
    int n;

    s->deliver = deliver;
    s->arg = arg;
    n = dring_take(s->map.h, s->ring, max, ds_frame, s);
    if (n == 0 && dring_ended(s->map.h, s->ring)) {
        return SHOAL_SOURCE_END;
    }
    s->received += (uint64_t)n;
    return n;
}

static int ds_wait(void *src, int timeout_ms)
{
    struct ds_source *s = src;

    if (!dring_ended(s->map.h, s->ring)) {
        dring_wait_frames(s->ring, timeout_ms);
    }
    return 0;
}

static void ds_stats(void *src, struct shoal_source_stats *st)
{
    struct ds_source *s = src;
    const struct dring_header *h = s->map.h;

    st->received = s->received;
    st->dropped = __atomic_load_n(&s->ring->dropped, __ATOMIC_RELAXED);
    st->not_classified = s->worker == 0 ? __atomic_load_n(&h->not_classified, __ATOMIC_RELAXED) : 0;
    st->file_pos = __atomic_load_n(&h->file_pos, __ATOMIC_RELAXED);
    st->file_size = h->file_size;
}

static void ds_close(void *src)
{
    struct ds_source *s = src;

    dring_unmap(&s->map);
    s->pl->host->free(s->pl->self, s);
}

/* ---- the dispatcher ---- */

/* Hand one frame to the worker its hash picks. */
static void ds_place(struct ds_run *d, double ts, const uint8_t *data, uint32_t caplen,
                     uint32_t len)
{
    struct dring_header *h = d->map.h;
    uint32_t hash = 0;
    uint32_t w = 0;

    if (flowhash_frame(d->dlt, data, caplen, d->mode, &hash) == 0) {
        w = flowhash_worker(hash, h->nworkers);
    } else {
        h->not_classified++;
    }
    struct dring *r = &h->rings[w];
    while (!dring_put(h, r, &d->tails[w], ts, data, caplen, len)) {
        if (d->live || *d->stop) {
            __atomic_add_fetch(&r->dropped, 1, __ATOMIC_RELAXED);
            return;
        }
        /* a trace: publish what is there and wait for room */
        dring_publish(r, d->tails[w]);
        dring_wait_room(r, 10);
    }
    r->sent++;
    d->frames++;
}

static void ds_trace_frame(void *arg, double ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
    ds_place(arg, ts, data, caplen, len);
}

static void ds_live_frame(u_char *user, const struct pcap_pkthdr *ph, const u_char *bytes)
{
    ds_place((struct ds_run *)user, (double)ph->ts.tv_sec + (double)ph->ts.tv_usec / 1e6, bytes,
             ph->caplen, ph->len);
}

static void ds_publish_all(struct ds_run *d)
{
    for (uint32_t i = 0; i < d->map.h->nworkers; i++) {
        if (d->tails[i] != d->map.h->rings[i].tail) {
            dring_publish(&d->map.h->rings[i], d->tails[i]);
        }
    }
}

static pcap_t *ds_open_input(struct ds_run *d)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    const struct shoal_source_spec *spec = d->spec;
    pcap_t *p;

    if (!d->live) {
        d->file_buffer = malloc(PCAPTRACE_BUFFER);
        p = pcaptrace_open(&d->trace, spec->file, d->file_buffer, err) == 0 ? d->trace.p : NULL;
    } else {
        p = pcap_create(spec->interface, err);
        if (p != NULL) {
            pcap_set_snaplen(p, (int)d->pl->cfg.snaplen);
            pcap_set_promisc(p, d->pl->cfg.promisc ? 1 : 0);
            pcap_set_timeout(p, 100); /* TPACKET_V3, as pcap_source.c says */
            pcap_set_buffer_size(p, 64 << 20);
            if (pcap_activate(p) < 0 || pcap_setnonblock(p, 1, err) < 0) {
                snprintf(err, sizeof(err), "%s", pcap_geterr(p));
                pcap_close(p);
                p = NULL;
            }
        }
    }
    if (p == NULL) {
        DS_LOG(d->pl, "cannot read %s: %s", d->live ? spec->interface : spec->file, err);
    }
    return p;
}

static int ds_set_filter(struct ds_run *d)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    struct bpf_program prog;
    int rc;

    if (d->spec->filter == NULL) {
        return 0;
    }
    if (!d->live) {
        rc = pcaptrace_filter(&d->trace, d->spec->filter, err);
    } else if ((rc = pcap_compile(d->p, &prog, d->spec->filter, 1, PCAP_NETMASK_UNKNOWN)) == 0) {
        rc = pcap_setfilter(d->p, &prog);
        pcap_freecode(&prog);
    }
    if (rc < 0) {
        DS_LOG(d->pl, "bad filter '%s': %s", d->spec->filter,
               err[0] != '\0' ? err : pcap_geterr(d->p));
        return -EINVAL;
    }
    return 0;
}

/* A trace's dispatcher waits for every worker to attach before it goes
 * (the region must stay findable until then). */
static void ds_wait_attached(struct ds_run *d)
{
    double deadline = ds_now() + (double)d->pl->cfg.attach_timeout;

    for (uint32_t i = 0; i < d->map.h->nworkers; i++) {
        while (__atomic_load_n(&d->map.h->rings[i].attached, __ATOMIC_ACQUIRE) == 0 && !*d->stop &&
               ds_now() < deadline) {
            struct timespec ts = {0, 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

/* Read to the end of the input (or a stop); 0 or -EIO. */
static int ds_loop(struct ds_run *d)
{
    const struct shoal_frontend_host *fh = d->pl->host->frontend;
    double next_progress = 0;

    while (!*d->stop) {
        char err[PCAP_ERRBUF_SIZE] = "";
        int n = d->live ? pcap_dispatch(d->p, DS_BATCH, ds_live_frame, (u_char *)d)
                        : pcaptrace_next(&d->trace, DS_BATCH, ds_trace_frame, d, err);
        ds_publish_all(d);
        if (n == PCAP_ERROR) {
            DS_LOG(d->pl, "%s: %s", d->live ? d->spec->interface : d->spec->file,
                   d->live ? pcap_geterr(d->p) : err);
            return -EIO;
        }
        if (n == PCAP_ERROR_BREAK || (n == 0 && !d->live)) {
            break;
        }
        if (!d->live) {
            __atomic_store_n(&d->map.h->file_pos, pcaptrace_pos(&d->trace), __ATOMIC_RELAXED);
        }
        if (n == 0) {
            struct pollfd pfd = {.fd = pcap_get_selectable_fd(d->p), .events = POLLIN};
            poll(&pfd, 1, 100);
        }
        if (fh != NULL && ds_now() >= next_progress) {
            fh->progress(d->pl->self, d->live ? d->frames : d->map.h->file_pos, d->trace.size);
            next_progress = ds_now() + 0.5;
        }
    }
    return 0;
}

static int ds_dispatch(void *ps, const struct shoal_source_spec *spec, volatile const int *stop)
{
    struct ds_run d = {.pl = ps, .spec = spec, .stop = stop, .live = spec->file == NULL};
    char name[64];
    uint64_t ring = 1;
    int rc;

    if (spec->nworkers < 1 || spec->nworkers > DRING_MAX_WORKERS) {
        DS_LOG(d.pl, "dispatch: %u workers (1 .. %d)", spec->nworkers, DRING_MAX_WORKERS);
        return -EINVAL;
    }
    d.mode = SHOAL_HAS(spec, hash) && spec->hash != 0 ? spec->hash : SHOAL_HASH_2TUPLE;
    while (ring < ((uint64_t)d.pl->cfg.ring_mb << 20)) {
        ring <<= 1;
    }
    d.p = ds_open_input(&d);
    if (d.p == NULL || ds_set_filter(&d) < 0) {
        rc = -EINVAL;
        goto out_close;
    }
    d.dlt = pcap_datalink(d.p);
    ds_region_name(spec, name, sizeof(name));
    rc = dring_create(&d.map, name, spec->nworkers, ring, d.dlt);
    if (rc < 0) {
        DS_LOG(d.pl, "shared memory %s (%u rings of %llu bytes): %s", name, spec->nworkers,
               (unsigned long long)ring, strerror(-rc));
        goto out_close;
    }
    d.map.h->file_size = d.trace.size;
    d.pl->host->logf(d.pl->self, SHOAL_LOG_INFO, "%s: feeding %u workers (%s) through %s",
                     d.live ? spec->interface : spec->file, spec->nworkers,
                     flowhash_mode_name(d.mode), name);
    rc = ds_loop(&d);
    ds_publish_all(&d);
    dring_finish(d.map.h);
    if (!d.live) {
        ds_wait_attached(&d);
    }
    shm_unlink(name);
    dring_unmap(&d.map);
out_close:
    if (d.live && d.p != NULL) {
        pcap_close(d.p);
    }
    pcaptrace_close(&d.trace);
    free(d.file_buffer);
    return rc;
}

static const struct shoal_frontend_ops ds_ops = {
    .size = sizeof(struct shoal_frontend_ops),
    .open = ds_open,
    .datalink = ds_datalink,
    .next = ds_next,
    .wait = ds_wait,
    .stats = ds_stats,
    .close = ds_close,
    .dispatch = ds_dispatch,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin dispatch_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "dispatch",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_FRONTEND,
    .summary = "one dispatcher hashes every frame (2/4/5-tuple) into shared-memory rings, one "
               "per worker",
    .config = ds_cfg_keys,
    .config_size = sizeof(struct ds_config),
    .init = ds_init,
    .fini = ds_fini,
    .ops = &ds_ops,
};
