/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening and reading a trace for the libpcap frontends (see pcaptrace.h).
 */
#include "pcaptrace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int pcaptrace_open(struct pcaptrace *t, const char *file, char *buf, char *err)
{
    struct stat st = {0};
    FILE *f;

    memset(t, 0, sizeof(*t));
    if (strcmp(file, "-") == 0) {
        t->p = pcap_open_offline(file, err);
        return t->p != NULL ? 0 : -1;
    }
    f = fopen(file, "rbe");
    if (f == NULL) {
        snprintf(err, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) == 0) {
        t->size = (uint64_t)st.st_size;
    }
    t->in_place = buf != NULL && S_ISREG(st.st_mode) &&
                  pcapread_begin(&t->rd, fileno(f), (uint8_t *)buf, PCAPTRACE_BUFFER) == 0;
    if (buf != NULL && !t->in_place) {
        setvbuf(f, buf, _IOFBF, PCAPTRACE_BUFFER);
    }
    t->p = pcap_fopen_offline(f, err);
    if (t->p == NULL) {
        fclose(f); /* pcap_close closes it once libpcap has it */
        return -1;
    }
    if (t->in_place) {
        t->in_place =
            pcapread_limits(&t->rd, (uint32_t)pcap_snapshot(t->p), pcap_datalink(t->p)) == 0;
    }
    return 0;
}

int pcaptrace_filter(struct pcaptrace *t, const char *filter, char *err)
{
    struct bpf_program prog;
    int rc;

    if (pcap_compile(t->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(t->p));
        return -1;
    }
    if (t->in_place) {
        t->filter = prog;
        t->filtered = true;
        return 0;
    }
    rc = pcap_setfilter(t->p, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(t->p));
    }
    return rc < 0 ? -1 : 0;
}

/* libpcap's records, handed to the caller's fn. */
struct pcaptrace_cb {
    pcaptrace_fn fn;
    void *arg;
};

static void pcaptrace_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    const struct pcaptrace_cb *cb = (const struct pcaptrace_cb *)user;

    cb->fn(cb->arg, (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6, bytes, h->caplen, h->len);
}

int pcaptrace_next(struct pcaptrace *t, int max, pcaptrace_fn fn, void *arg, char *err)
{
    struct pcapread_rec rec;
    int n = 0, rc = 1;

    if (!t->in_place) {
        struct pcaptrace_cb cb = {fn, arg};
        n = pcap_dispatch(t->p, max, pcaptrace_frame, (u_char *)&cb);
        if (n == PCAP_ERROR) {
            snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(t->p));
        }
        return n == PCAP_ERROR_BREAK ? 0 : n;
    }
    while (n < max && (rc = pcapread_next(&t->rd, &rec)) > 0) {
        if (t->filtered) {
            struct pcap_pkthdr ph = {.caplen = rec.caplen, .len = rec.len};
            if (pcap_offline_filter(&t->filter, &ph, rec.data) == 0) {
                continue;
            }
        }
        fn(arg, rec.ts, rec.data, rec.caplen, rec.len);
        n++;
    }
    if (rc < 0) {
        snprintf(err, PCAP_ERRBUF_SIZE, "%s", t->rd.err);
        return PCAP_ERROR;
    }
    return n;
}

uint64_t pcaptrace_pos(const struct pcaptrace *t)
{
    long pos;

    if (t->in_place) {
        return pcapread_pos(&t->rd);
    }
    pos = t->p != NULL && pcap_file(t->p) != NULL ? ftell(pcap_file(t->p)) : -1;
    return pos > 0 ? (uint64_t)pos : 0;
}

void pcaptrace_close(struct pcaptrace *t)
{
    if (t->filtered) {
        pcap_freecode(&t->filter);
    }
    if (t->p != NULL) {
        pcap_close(t->p);
    }
    memset(t, 0, sizeof(*t));
}
