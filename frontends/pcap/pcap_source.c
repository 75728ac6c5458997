/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libpcap packet source, shared by the frontends that read with libpcap
 * (pcap: all of the input; bpf: a worker's share of it through a filter).
 * A live capture never blocks inside libpcap: its own wait on a quiet
 * TPACKET_V3 ring does not return at the timeout, so the capture is
 * non-blocking and `wait` polls its descriptor, and the node's hooks and
 * timers run at least every 100 ms.  Kernel and interface drops come from
 * pcap_stats.  A classic pcap trace is read by pcapread.c, in blocks of
 * PCAP_FILE_BUFFER bytes with each frame handed over where it lies, its
 * filter applied with pcap_offline_filter; any other (pcapng) through a
 * stdio buffer of that size rather than the default 4 KiB: libpcap reads
 * each record with fread, and a read system call per 4 KiB was most of the
 * cost of reading a trace.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "pcap_source.h"
#include "pcapread.h"

/* The stdio buffer a trace is read through: 1 MiB makes the read system
 * calls of a trace 256 times fewer than stdio's 4 KiB (measured on a
 * 512 MB trace: libpcap alone went from 0.30 s to 0.08 s of CPU). */
#define PCAP_FILE_BUFFER (1u << 20)

const struct shoal_cfg_key pcap_cfg_keys[] = {
    PCAP_CFG_KEYS(struct pcap_config),
    {0},
};

/* One open source. */
struct pcap_source {
    struct pcap_plugin *pl;
    pcap_t *p;
    char input[256]; /* the interface or trace, for messages */
    bool live;
    uint64_t file_size;
    char *file_buffer; /* a trace's buffer (pcapread's, or stdio's: freed after pcap_close) */
    struct pcapread rd;
    bool in_place;             /* rd reads the trace */
    struct bpf_program filter; /* in place: applied here */
    bool filtered;
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

/* A trace, read through a buffer of PCAP_FILE_BUFFER bytes ("-": standard
 * input, as libpcap reads it).  NULL after logging why. */
static pcap_t *pcap_fe_open_file(struct pcap_source *s, const char *file)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    struct stat st = {0};
    pcap_t *p = NULL;
    FILE *f;

    if (strcmp(file, "-") == 0) {
        p = pcap_open_offline(file, err);
        goto out_check;
    }
    f = fopen(file, "rbe");
    if (f == NULL) {
        snprintf(err, sizeof(err), "%s", strerror(errno));
        goto out_check;
    }
    if (fstat(fileno(f), &st) == 0) {
        s->file_size = (uint64_t)st.st_size;
    }
    s->file_buffer = s->pl->host->alloc(s->pl->self, PCAP_FILE_BUFFER);
    s->in_place =
        s->file_buffer != NULL && S_ISREG(st.st_mode) &&
        pcapread_begin(&s->rd, fileno(f), (uint8_t *)s->file_buffer, PCAP_FILE_BUFFER) == 0;
    if (s->file_buffer != NULL && !s->in_place) {
        setvbuf(f, s->file_buffer, _IOFBF, PCAP_FILE_BUFFER);
    }
    p = pcap_fopen_offline(f, err);
    if (p == NULL) {
        fclose(f); /* pcap_close closes it once libpcap has it */
    } else if (s->in_place) {
        s->in_place = pcapread_limits(&s->rd, (uint32_t)pcap_snapshot(p), pcap_datalink(p)) == 0;
    }
out_check:
    if (p == NULL) {
        PCAP_LOG(s, "cannot read %s: %s", file, err);
    }
    return p;
}

int pcap_fe_filter(void *src, const char *filter)
{
    struct pcap_source *s = src;
    struct bpf_program prog;
    int rc;

    if (filter == NULL) {
        return 0;
    }
    if (pcap_compile(s->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        PCAP_LOG(s, "%s: bad filter '%s': %s", s->input, filter, pcap_geterr(s->p));
        return -EINVAL;
    }
    if (s->in_place) {
        s->filter = prog;
        s->filtered = true;
        return 0;
    }
    rc = pcap_setfilter(s->p, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        PCAP_LOG(s, "%s: cannot set filter: %s", s->input, pcap_geterr(s->p));
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
        if (s->p != NULL) {
            pcap_close(s->p);
        }
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

static void pcap_fe_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct pcap_source *s = (struct pcap_source *)user;
    struct shoal_frame f = {
        .ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6,
        .data = bytes,
        .caplen = h->caplen,
        .len = h->len,
    };

    s->deliver(s->arg, &f);
}

/* next() of a trace read in place: up to max frames that pass the filter,
 * as pcap_dispatch counts them. */
static int pcap_fe_next_in_place(struct pcap_source *s, int max, shoal_frame_fn deliver, void *arg)
{
    struct pcapread_rec rec;
    int n = 0, rc = 1;

    while (n < max && (rc = pcapread_next(&s->rd, &rec)) > 0) {
        if (s->filtered) {
            struct pcap_pkthdr ph = {.caplen = rec.caplen, .len = rec.len};
            if (pcap_offline_filter(&s->filter, &ph, rec.data) == 0) {
                continue;
            }
        }
        struct shoal_frame f = {
            .ts = rec.ts, .data = rec.data, .caplen = rec.caplen, .len = rec.len};
        deliver(arg, &f);
        n++;
    }
    s->received += (uint64_t)n;
    if (rc < 0) {
        PCAP_LOG(s, "%s: %s", s->input, s->rd.err);
        return -EIO;
    }
    return n == 0 ? SHOAL_SOURCE_END : n;
}

int pcap_fe_next(void *src, int max, shoal_frame_fn deliver, void *arg)
{
    struct pcap_source *s = src;
    int n;

    if (s->in_place) {
        return pcap_fe_next_in_place(s, max, deliver, arg);
    }
    s->deliver = deliver;
    s->arg = arg;
    n = pcap_dispatch(s->p, max, pcap_fe_frame, (u_char *)s);
    if (n == PCAP_ERROR) {
        PCAP_LOG(s, "%s: %s", s->input, pcap_geterr(s->p));
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
    if (s->in_place) {
        st->file_pos = pcapread_pos(&s->rd);
        st->file_size = s->file_size;
    } else if (!s->live && pcap_file(s->p) != NULL) {
        long pos = ftell(pcap_file(s->p));
        st->file_pos = pos > 0 ? (uint64_t)pos : 0;
        st->file_size = s->file_size;
    }
}

void pcap_fe_close(void *src)
{
    struct pcap_source *s = src;

    if (s->filtered) {
        pcap_freecode(&s->filter);
    }
    pcap_close(s->p);
    s->pl->host->free(s->pl->self, s->file_buffer);
    s->pl->host->free(s->pl->self, s);
}
