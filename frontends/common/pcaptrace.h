/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A trace file as the frontends that read with libpcap open it
 * (pcaptrace.c; pcap and bpf through pcap_source.c, dispatch's
 * dispatcher): libpcap reads its header, then a classic pcap file's
 * records are read by pcapread.c (1 MiB reads, each frame handed over where
 * it lies, a filter applied with pcap_offline_filter), any other format
 * (pcapng, standard input) by libpcap through a stdio buffer as large.
 */
#ifndef SHOAL_FRONTEND_PCAPTRACE_H
#define SHOAL_FRONTEND_PCAPTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "pcapread.h"

/* The buffer a trace is read through: 1 MiB makes the read system calls
 * of a trace 256 times fewer than stdio's 4 KiB (measured on a 512 MB
 * trace: libpcap alone went from 0.30 s to 0.08 s of CPU). */
#define PCAPTRACE_BUFFER (1u << 20)

struct pcaptrace {
    pcap_t *p;     /* its header, link type, snapshot; its records unless in_place */
    uint64_t size; /* bytes of the file (0: standard input) */
    struct pcapread rd;
    bool in_place; /* rd reads the records */
    struct bpf_program filter;
    bool filtered;
};

/* A frame: as a pcap_handler's, without the header struct. */
typedef void (*pcaptrace_fn)(void *arg, double ts, const uint8_t *data, uint32_t caplen,
                             uint32_t len);

/* Open `file` ("-": standard input) reading through buf, PCAPTRACE_BUFFER
 * bytes that stay the caller's and must outlive the trace (NULL: libpcap's
 * own).  0, or -1 with libpcap's words in err (PCAP_ERRBUF_SIZE). */
int pcaptrace_open(struct pcaptrace *t, const char *file, char *buf, char *err);

/* Keep only the frames `filter` (libpcap's syntax) accepts.  0, or -1 with
 * the reason in err. */
int pcaptrace_filter(struct pcaptrace *t, const char *filter, char *err);

/* Hand up to max frames that pass the filter to fn, as pcap_dispatch:
 * how many, 0 at the end, or PCAP_ERROR with the reason in err. */
int pcaptrace_next(struct pcaptrace *t, int max, pcaptrace_fn fn, void *arg, char *err);

/* The file offset read up to. */
uint64_t pcaptrace_pos(const struct pcaptrace *t);

void pcaptrace_close(struct pcaptrace *t);

#endif
