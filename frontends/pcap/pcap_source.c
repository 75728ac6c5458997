/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libpcap packet source, shared by the frontends that read with libpcap
 * (pcap: all of the input; bpf: a worker's share of it through a filter).
 * A live capture never blocks inside libpcap: its own wait on a quiet
 * TPACKET_V3 ring does not return at the timeout, so the capture is
 * non-blocking and `wait` polls its descriptor, and the node's hooks and
 * timers run at least every 100 ms.  Kernel and interface drops come from
 * pcap_stats.  A trace is read as frontends/common/pcaptrace.c reads it
 * (a classic pcap file in 1 MiB reads, each frame handed over where it
 * lies; any other through libpcap and a stdio buffer as large).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "pcap_source.h"
#include "pcaptrace.h"

const struct shoal_cfg_key pcap_cfg_keys[] = {
    PCAP_CFG_KEYS(struct pcap_config),
    {0},
};

/* One open source. */
struct pcap_source {
    struct pcap_plugin *pl;
    pcap_t *p;       /* the capture, or the trace's libpcap handle */
    char input[256]; /* the interface or trace, for messages */
    bool live;
    struct pcaptrace trace;
    char *file_buffer; /* the trace's buffer, freed after it is closed */
    uint64_t received;
    /* while next() runs */
    shoal_frame_fn deliver;
    void *arg;
};

#define PCAP_LOG(src, ...) (src)->pl->host->logf((src)->pl->self, SHOAL_LOG_ERROR, __VA_ARGS__)

int pcap_fe_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                 void **state)
{
    static const struct pcap_config defaults = {65535, 64, true, 2};
    struct pcap_plugin *pl = host->alloc(self, sizeof(*pl));

    if (pl == NULL) {
        return -ENOMEM;
    }
    pl->host = host;
    pl->self = self;
    pl->cfg = config != NULL ? *(const struct pcap_config *)config : defaults;
    *state = pl;
    return 0;
}

void pcap_fe_fini(void *state)
{
    struct pcap_plugin *pl = state;

    if (pl != NULL) {
        pl->host->free(pl->self, pl);
    }
}

static pcap_t *pcap_fe_open_live(struct pcap_source *s)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(s->input, err);

    if (p == NULL) {
        PCAP_LOG(s, "interface %s: %s", s->input, err);
        return NULL;
    }
    pcap_set_snaplen(p, (int)s->pl->cfg.snaplen);
    pcap_set_promisc(p, s->pl->cfg.promisc ? 1 : 0);
    /* Not immediate mode: libpcap then takes TPACKET_V3, whose blocks pack
     * frames by their length and are handed over when full or after this
     * time-out (the most a frame waits).  Immediate mode's TPACKET_V2 ring
     * cuts the buffer into snaplen-sized slots: 64 MiB held 1023 frames,
     * 2.5 s of a 400 frames/s link, where V3 holds minutes of it. */
    pcap_set_timeout(p, 100);
    pcap_set_buffer_size(p, (int)(s->pl->cfg.buffer_mb << 20));
    if (pcap_activate(p) < 0) {
        PCAP_LOG(s, "interface %s: %s", s->input, pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    if (pcap_setnonblock(p, 1, err) < 0) {
        s->pl->host->logf(s->pl->self, SHOAL_LOG_WARNING,
                          "interface %s: cannot make the capture non-blocking: %s", s->input, err);
    }
    return p;
}

/* A trace ("-": standard input).  NULL after logging why. */
static pcap_t *pcap_fe_open_file(struct pcap_source *s, const char *file)
{
    char err[PCAP_ERRBUF_SIZE] = "";

    s->file_buffer = s->pl->host->alloc(s->pl->self, PCAPTRACE_BUFFER);
    if (pcaptrace_open(&s->trace, file, s->file_buffer, err) < 0) {
        PCAP_LOG(s, "cannot read %s: %s", file, err);
        return NULL;
    }
    return s->trace.p;
}

int pcap_fe_filter(void *src, const char *filter)
{
    struct pcap_source *s = src;
    char err[PCAP_ERRBUF_SIZE] = "";
    struct bpf_program prog;
    int rc;

    if (filter == NULL) {
        return 0;
    }
    if (!s->live) {
        rc = pcaptrace_filter(&s->trace, filter, err);
    } else if ((rc = pcap_compile(s->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN)) == 0) {
        rc = pcap_setfilter(s->p, &prog);
        pcap_freecode(&prog);
    }
    if (rc < 0) {
        PCAP_LOG(s, "%s: bad filter '%s': %s", s->input, filter,
                 err[0] != '\0' ? err : pcap_geterr(s->p));
        return -EINVAL;
    }
    return 0;
}

int pcap_fe_open_filter(struct pcap_plugin *pl, const struct shoal_source_spec *spec,
                        const char *filter, void **out)
{
    struct pcap_source *s = pl->host->alloc(pl->self, sizeof(*s));

    if (s == NULL) {
        return -ENOMEM;
    }
    s->pl = pl;
    s->live = spec->file == NULL;
    snprintf(s->input, sizeof(s->input), "%s", s->live ? spec->interface : spec->file);
    if (s->live) {
        s->p = pcap_fe_open_live(s);
    } else {
        s->p = pcap_fe_open_file(s, spec->file);
    }
    if (s->p == NULL || pcap_fe_filter(s, filter) < 0) {
        if (s->live && s->p != NULL) {
            pcap_close(s->p);
        }
        pcaptrace_close(&s->trace);
        pl->host->free(pl->self, s->file_buffer);
        pl->host->free(pl->self, s);
        return -EINVAL;
    }
    *out = s;
    return 0;
}

int pcap_fe_open(void *ps, const struct shoal_source_spec *spec, void **out)
{
    return pcap_fe_open_filter(ps, spec, spec->filter, out);
}

int pcap_fe_datalink(void *src, const char **name)
{
    struct pcap_source *s = src;
    int dlt = pcap_datalink(s->p);

    *name = pcap_datalink_val_to_name(dlt);
    return dlt;
}

static void pcap_fe_frame(void *arg, double ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
    struct pcap_source *s = arg;
    struct shoal_frame f = {.ts = ts, .data = data, .caplen = caplen, .len = len};

    s->deliver(s->arg, &f);
}

static void pcap_fe_live_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    pcap_fe_frame(user, (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6, bytes, h->caplen,
                  h->len);
}

int pcap_fe_next(void *src, int max, shoal_frame_fn deliver, void *arg)
{
    struct pcap_source *s = src;
    char err[PCAP_ERRBUF_SIZE] = "";
    int n;

    s->deliver = deliver;
    s->arg = arg;
    if (s->live) {
        n = pcap_dispatch(s->p, max, pcap_fe_live_frame, (u_char *)s);
        if (n == PCAP_ERROR) {
            snprintf(err, sizeof(err), "%s", pcap_geterr(s->p));
        }
    } else {
        n = pcaptrace_next(&s->trace, max, pcap_fe_frame, s, err);
    }
    if (n == PCAP_ERROR) {
        PCAP_LOG(s, "%s: %s", s->input, err);
        return -EIO;
    }
    if (n == PCAP_ERROR_BREAK || (n == 0 && !s->live)) {
        return SHOAL_SOURCE_END;
    }
    s->received += (uint64_t)n;
    return n;
}

int pcap_fe_wait(void *src, int timeout_ms)
{
    struct pcap_source *s = src;
    struct pollfd pfd = {.fd = pcap_get_selectable_fd(s->p), .events = POLLIN};

    return pfd.fd >= 0 ? poll(&pfd, 1, timeout_ms) : 0;
}

void pcap_fe_stats(void *src, struct shoal_source_stats *st)
{
    struct pcap_source *s = src;
    struct pcap_stat ps;

    st->received = s->received;
    if (s->live && pcap_stats(s->p, &ps) == 0) {
        st->dropped = ps.ps_drop;
        st->if_dropped = ps.ps_ifdrop;
    }
    if (!s->live) {
        st->file_pos = pcaptrace_pos(&s->trace);
        st->file_size = s->trace.size;
    }
}

void pcap_fe_close(void *src)
{
    struct pcap_source *s = src;

    if (s->live) {
        pcap_close(s->p);
    }
    pcaptrace_close(&s->trace);
    s->pl->host->free(s->pl->self, s->file_buffer);
    s->pl->host->free(s->pl->self, s);
}
