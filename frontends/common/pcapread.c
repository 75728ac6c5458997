/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading a classic pcap file in large blocks (see pcapread.h).  Every
 * length read from the file is checked against what the buffer holds
 * before it is used; the buffer is refilled (its unread tail moved to the
 * front) only when the next record does not lie whole in it.
 */
#include "pcapread.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PCAPREAD_MAGIC_USEC 0xa1b2c3d4u
#define PCAPREAD_MAGIC_NSEC 0xa1b23c4du
/* Link types libpcap lets carry frames over 256 KiB (DBUS, USBPCAP,
 * EBHSCR): left to it. */
#define PCAPREAD_DLT_DBUS 231
#define PCAPREAD_DLT_USBPCAP 249
#define PCAPREAD_DLT_EBHSCR 279

static uint32_t pcapread_u32(const struct pcapread *r, const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return r->swapped ? __builtin_bswap32(v) : v;
}

int pcapread_begin(struct pcapread *r, int fd, uint8_t *buf, size_t cap)
{
    uint8_t h[PCAPREAD_FILE_HEADER];
    uint32_t magic;
    uint16_t major, minor;

    memset(r, 0, sizeof(*r));
    if (cap < PCAPREAD_MIN_BUFFER || pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
        return -ENOTSUP;
    }
    memcpy(&magic, h, sizeof(magic));
    if (magic != PCAPREAD_MAGIC_USEC && magic != PCAPREAD_MAGIC_NSEC) {
        r->swapped = true;
        magic = __builtin_bswap32(magic);
        if (magic != PCAPREAD_MAGIC_USEC && magic != PCAPREAD_MAGIC_NSEC) {
            return -ENOTSUP;
        }
    }
    memcpy(&major, h + 4, sizeof(major));
    memcpy(&minor, h + 6, sizeof(minor));
    if (r->swapped) {
        major = __builtin_bswap16(major);
        minor = __builtin_bswap16(minor);
    }
    if (major != 2 || minor != 4) {
        return -ENOTSUP; /* libpcap's quirks for old files stay libpcap's */
    }
    r->nsec = magic == PCAPREAD_MAGIC_NSEC;
    r->fd = fd;
    r->buf = buf;
    r->cap = cap;
    r->off = PCAPREAD_FILE_HEADER;
    r->snapshot = PCAPREAD_MAX_CAPLEN;
    return 0;
}

int pcapread_limits(struct pcapread *r, uint32_t snapshot, int dlt)
{
    if (dlt == PCAPREAD_DLT_DBUS || dlt == PCAPREAD_DLT_USBPCAP || dlt == PCAPREAD_DLT_EBHSCR) {
        return -ENOTSUP;
    }
    r->snapshot = snapshot > 0 && snapshot < PCAPREAD_MAX_CAPLEN ? snapshot : PCAPREAD_MAX_CAPLEN;
    return 0;
}

/* Have at least `need` bytes from pos on in the buffer, or all the file
 * has: how many there are, or -1 (r->err set). */
static ssize_t pcapread_fill(struct pcapread *r, size_t need)
{
    while (r->len - r->pos < need) {
        if (r->pos > 0) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->off += r->pos;
            r->len -= r->pos;
            r->pos = 0;
        }
        ssize_t n = pread(r->fd, r->buf + r->len, r->cap - r->len, (off_t)(r->off + r->len));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            snprintf(r->err, sizeof(r->err), "error reading dump file: %s", strerror(errno));
            return -1;
        }
        if (n == 0) {
            break;
        }
        r->len += (size_t)n;
    }
    return (ssize_t)(r->len - r->pos);
}

int pcapread_next(struct pcapread *r, struct pcapread_rec *rec)
{
    ssize_t have = pcapread_fill(r, PCAPREAD_REC_HEADER);
    const uint8_t *h;
    uint32_t sec, frac, caplen;

    if (have <= 0) {
        return have == 0 ? 0 : -EIO;
    }
    if (have < (ssize_t)PCAPREAD_REC_HEADER) {
        snprintf(r->err, sizeof(r->err),
                 "truncated dump file; tried to read %u header bytes, only got %zd",
                 PCAPREAD_REC_HEADER, have);
        return -EIO;
    }
    h = r->buf + r->pos;
    caplen = pcapread_u32(r, h + 8);
    if (caplen > PCAPREAD_MAX_CAPLEN) { /* and so over the snapshot, which is no more */
        snprintf(r->err, sizeof(r->err),
                 "invalid packet capture length %u, bigger than snaplen of %u", caplen,
                 r->snapshot);
        return -EIO;
    }
    have = pcapread_fill(r, PCAPREAD_REC_HEADER + caplen);
    if (have < 0) {
        return -EIO;
    }
    h = r->buf + r->pos; /* the fill may have moved it */
    if ((size_t)have < PCAPREAD_REC_HEADER + caplen) {
        ssize_t got = have - (ssize_t)PCAPREAD_REC_HEADER;
        /* libpcap reads a frame over the snapshot as the snapshot, then the rest */
        uint32_t want = caplen > r->snapshot && got < (ssize_t)r->snapshot ? r->snapshot : caplen;
        snprintf(r->err, sizeof(r->err),
                 "truncated dump file; tried to read %u captured bytes, only got %zd", want, got);
        return -EIO;
    }
    sec = pcapread_u32(r, h);
    frac = pcapread_u32(r, h + 4);
    /* libpcap's default precision is microseconds: nanoseconds are cut */
    rec->ts = (double)sec + (double)(r->nsec ? frac / 1000 : frac) / 1e6;
    rec->data = h + PCAPREAD_REC_HEADER;
    rec->caplen = caplen < r->snapshot ? caplen : r->snapshot;
    rec->len = pcapread_u32(r, h + 12);
    r->pos += PCAPREAD_REC_HEADER + caplen;
    return 1;
}
