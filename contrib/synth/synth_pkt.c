/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal-synth packet layer: the pcap writer (classic libpcap format with
 * microsecond timestamps, little-endian, DLT_EN10MB, written by hand through a
 * large buffer so frames are built in place without copies), Ethernet/802.1Q,
 * IPv4 and IPv6 headers, Internet checksums, and the emission of UDP and ICMP
 * datagrams with IPv4 or IPv6 fragmentation when they exceed the 1500-byte MTU.
 */
#include "synth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PW_BUFSIZE (4u << 20)

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

uint32_t synth_logu(uint64_t *st, uint32_t lo, uint32_t hi)
{
    uint32_t elo = 0, ehi = 0, e, v;

    if (lo < 1) {
        lo = 1;
    }
    if (hi <= lo) {
        return lo;
    }
    while ((2u << elo) <= lo) {
        elo++;
    }
    while (ehi < 31 && (2u << ehi) <= hi) {
        ehi++;
    }
    e = synth_range(st, elo, ehi);
    v = (1u << e) + synth_below(st, 1u << e);
    if (v < lo) {
        v = lo;
    }
    if (v > hi) {
        v = hi;
    }
    return v;
}

/* Writes out the buffer; records the first error and drops data after it. */
static void pw_flush(struct synth_pw *w)
{
    size_t done = 0;

    while (w->err == 0 && done < w->len) {
        ssize_t r = write(w->fd, w->buf + done, w->len - done);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            w->err = -errno;
            break;
        }
        done += (size_t)r;
    }
    w->len = 0;
}

int synth_pw_open(struct synth_pw *w, const char *path, uint32_t start)
{
    int encap = w->encap; /* the one field set before */

    memset(w, 0, sizeof(*w));
    w->encap = encap;
    w->path = path;
    w->start = start;
    w->cap = PW_BUFSIZE;
    w->buf = malloc(w->cap);
    if (w->buf == NULL) {
        return -ENOMEM;
    }
    if (strcmp(path, "-") == 0) {
        w->fd = STDOUT_FILENO;
    } else {
        w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    }
    if (w->fd < 0) {
        int err = -errno;
        free(w->buf);
        w->buf = NULL;
        return err;
    }
    /* Global header: magic, version 2.4, zone 0, sigfigs 0, snaplen, link type
     * (DLT_EN10MB unless --encap makes 802.11 frames). */
    le32(w->buf, 0xa1b2c3d4u);
    w->buf[4] = 2;
    w->buf[5] = 0;
    w->buf[6] = 4;
    w->buf[7] = 0;
    le32(w->buf + 8, 0);
    le32(w->buf + 12, 0);
    le32(w->buf + 16, 65535);
    le32(w->buf + 20, synth_encap_linktype(w->encap));
    w->len = 24;
    w->file = 24;
    return 0;
}

uint8_t *synth_pw_frame(struct synth_pw *w)
{
    if (w->cap - w->len < 16 + SYNTH_FRAME_MAX + 128) {
        pw_flush(w);
    }
    return w->buf + w->len + 16;
}

void synth_pw_commit(struct synth_pw *w, uint64_t t, uint32_t len)
{
    uint8_t *h = w->buf + w->len;

    if (w->encap != SYNTH_ENCAP_NONE) {
        unsigned tunnel;
        len = synth_encap_wrap(w->encap, h + 16, len, &tunnel);
        if (w->encap < SYNTH_ENCAP_80211) {
            w->encap_pairs |= 1u << tunnel;
        }
    }
    if (t < w->last_t) {
        t = w->last_t; /* never let time go backwards in the file */
    }
    w->last_t = t;
    le32(h, w->start + (uint32_t)(t / 1000000));
    le32(h + 4, (uint32_t)(t % 1000000));
    le32(h + 8, len);
    le32(h + 12, len);
    w->len += 16 + len;
    w->packets++;
    w->wire += len;
    w->file += 16 + len;
}

int synth_pw_close(struct synth_pw *w)
{
    int err;

    if (w->buf == NULL) {
        return 0;
    }
    pw_flush(w);
    err = w->err;
    if (w->fd != STDOUT_FILENO) {
        if (close(w->fd) != 0 && err == 0) {
            err = -errno;
        }
    }
    free(w->buf);
    w->buf = NULL;
    return err;
}

/* One's-complement sum in memory order (RFC 1071: the result is stored as is). */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        sum += v;
        if (sum < v) {
            sum++;
        }
        p += 8;
        n -= 8;
    }
    while (n >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        sum += v;
        if (sum < v) {
            sum++;
        }
        p += 2;
        n -= 2;
    }
    if (n == 1) {
        uint8_t t[2] = {p[0], 0};
        uint16_t v;
        memcpy(&v, t, 2);
        sum += v;
        if (sum < v) {
            sum++;
        }
    }
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t synth_csum(const uint8_t *p, size_t n)
{
    return csum_fold(csum_add(0, p, n));
}

uint16_t synth_l4sum(const struct synth_sess *s, int dir, uint8_t proto, const uint8_t *l4,
                     size_t len)
{
    uint8_t ph[40];
    uint64_t sum;
    uint16_t r;

    if (s->v6) {
        memcpy(ph, s->addr[dir].b, 16);
        memcpy(ph + 16, s->addr[1 - dir].b, 16);
        put32(ph + 32, (uint32_t)len);
        ph[36] = ph[37] = ph[38] = 0;
        ph[39] = proto;
        sum = csum_add(0, ph, 40);
    } else if (proto == 1) {
        sum = 0; /* ICMPv4 has no pseudo-header */
    } else {
        memcpy(ph, s->addr[dir].b, 4);
        memcpy(ph + 4, s->addr[1 - dir].b, 4);
        ph[8] = 0;
        ph[9] = proto;
        put16(ph + 10, (uint16_t)len);
        sum = csum_add(0, ph, 12);
    }
    r = csum_fold(csum_add(sum, l4, len));
    if (r == 0 && proto == 17) {
        r = 0xffff;
    }
    return r;
}

size_t synth_put_l2(uint8_t *f, const struct synth_sess *s, int dir)
{
    size_t n = 12;

    memcpy(f, s->mac[1 - dir], 6);
    memcpy(f + 6, s->mac[dir], 6);
    if (s->vlan) {
        put16(f + 12, 0x8100);
        put16(f + 14, s->vlan);
        n = 16;
    }
    put16(f + n, s->v6 ? 0x86dd : 0x0800);
    return n + 2;
}

size_t synth_put_ip4(uint8_t *p, struct synth_sess *s, int dir, uint8_t proto, size_t paylen,
                     uint16_t id, uint16_t frag)
{
    uint16_t c;

    p[0] = 0x45;
    p[1] = 0;
    put16(p + 2, (uint16_t)(20 + paylen));
    put16(p + 4, id);
    put16(p + 6, frag);
    p[8] = s->ttl[dir];
    p[9] = proto;
    p[10] = p[11] = 0;
    memcpy(p + 12, s->addr[dir].b, 4);
    memcpy(p + 16, s->addr[1 - dir].b, 4);
    c = synth_csum(p, 20);
    memcpy(p + 10, &c, 2);
    return 20;
}

size_t synth_put_ip6(uint8_t *p, const struct synth_sess *s, int dir, uint8_t nh, size_t paylen)
{
    uint32_t flow = (uint32_t)(s->seed >> 40) & 0xfffffu;

    put32(p, 0x60000000u | flow);
    put16(p + 4, (uint16_t)paylen);
    p[6] = nh;
    p[7] = s->ttl[dir];
    memcpy(p + 8, s->addr[dir].b, 16);
    memcpy(p + 24, s->addr[1 - dir].b, 16);
    return 40;
}

void synth_emit_dgram(struct synth_gen *g, struct synth_sess *s, int dir, uint8_t proto, size_t len)
{
    uint8_t *d = g->dgram;
    size_t hl = s->v6 ? 40 : 20;
    size_t off, per;
    uint16_t c;
    uint32_t id;
    uint8_t *f;
    size_t n;

    if (proto == 17) {
        d[6] = d[7] = 0;
        c = synth_l4sum(s, dir, proto, d, len);
        memcpy(d + 6, &c, 2);
    } else {
        d[2] = d[3] = 0;
        c = synth_l4sum(s, dir, proto, d, len);
        memcpy(d + 2, &c, 2);
    }
    if (hl + len <= SYNTH_MTU) {
        f = synth_pw_frame(&g->pw);
        n = synth_put_l2(f, s, dir);
        if (s->v6) {
            n += synth_put_ip6(f + n, s, dir, proto, len);
        } else {
            n += synth_put_ip4(f + n, s, dir, proto, len, s->ipid[dir]++, 0);
        }
        memcpy(f + n, d, len);
        synth_pw_commit(&g->pw, s->t, (uint32_t)(n + len));
        if (s->vlan) {
            g->st.vlan_pkts++;
        }
        return;
    }
    /* Fragment: payload per fragment a multiple of 8 that fits the MTU. */
    per = s->v6 ? (SYNTH_MTU - 40 - 8) & ~(size_t)7 : (SYNTH_MTU - 20) & ~(size_t)7;
    id = s->v6 ? (uint32_t)synth_hash(s->seed, s->ipid[dir]++) : s->ipid[dir]++;
    g->st.frag_dgrams++;
    for (off = 0; off < len; off += per) {
        size_t part = len - off < per ? len - off : per;
        bool more = off + part < len;
        f = synth_pw_frame(&g->pw);
        n = synth_put_l2(f, s, dir);
        if (s->v6) {
            n += synth_put_ip6(f + n, s, dir, 44, part + 8);
            f[n] = proto;
            f[n + 1] = 0;
            put16(f + n + 2, (uint16_t)(off | (more ? 1 : 0)));
            put32(f + n + 4, id);
            n += 8;
        } else {
            n += synth_put_ip4(f + n, s, dir, proto, part, (uint16_t)id,
                               (uint16_t)((off >> 3) | (more ? 0x2000 : 0)));
        }
        memcpy(f + n, d + off, part);
        synth_pw_commit(&g->pw, s->t, (uint32_t)(n + part));
        g->st.frags++;
        if (s->vlan) {
            g->st.vlan_pkts++;
        }
    }
}
