/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A classic pcap trace read without libpcap's per-record copy
 * (pcapread.c): large reads into one buffer, each frame handed out where
 * it lies in it.  libpcap still opens the file (its header: link type,
 * snapshot length, its messages for a bad one); only the records are read
 * here, by libpcap's rules: a frame longer than the snapshot is cut to it,
 * timestamps are microseconds as libpcap hands them by default, a capture
 * length over 256 KiB or a record cut short by the file's end ends the
 * trace with libpcap's words.  Any other format (pcapng, the modified
 * pcap of old Linux patches, versions before 2.4) and link types whose
 * frames may be longer stay with libpcap.
 */
#ifndef SHOAL_FRONTEND_PCAPREAD_H
#define SHOAL_FRONTEND_PCAPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPREAD_FILE_HEADER 24u
#define PCAPREAD_REC_HEADER 16u
#define PCAPREAD_MAX_CAPLEN 262144u /* libpcap's largest but for a few link types */
/* The smallest buffer: the longest record fits. */
#define PCAPREAD_MIN_BUFFER (PCAPREAD_MAX_CAPLEN + PCAPREAD_REC_HEADER)

struct pcapread {
    int fd;
    uint8_t *buf;
    size_t cap;
    size_t len;        /* bytes of buf holding the file from `off` */
    size_t pos;        /* the next record's header in buf */
    uint64_t off;      /* the file offset of buf[0] */
    uint32_t snapshot; /* frames are cut to this */
    bool swapped;      /* written on a host of the other byte order */
    bool nsec;         /* nanosecond timestamps */
    char err[160];     /* why the last call failed */
};

/* One record as read: its frame lies in the buffer until the next call. */
struct pcapread_rec {
    double ts;
    const uint8_t *data;
    uint32_t caplen;
    uint32_t len;
};

/* Begin reading the file open as fd (read with pread, from the first
 * record on) through buf of cap >= PCAPREAD_MIN_BUFFER bytes.  0, or
 * -ENOTSUP when the file is left to libpcap. */
int pcapread_begin(struct pcapread *r, int fd, uint8_t *buf, size_t cap);

/* Then the snapshot length and link type libpcap read from the header:
 * 0, or -ENOTSUP for a link type left to libpcap. */
int pcapread_limits(struct pcapread *r, uint32_t snapshot, int dlt);

/* The next record: 1 and *rec, 0 at the end of the file, or -EIO with
 * r->err saying why (the file, libpcap's words). */
int pcapread_next(struct pcapread *r, struct pcapread_rec *rec);

/* The file offset of the next record. */
static inline uint64_t pcapread_pos(const struct pcapread *r)
{
    return r->off + r->pos;
}

#endif
