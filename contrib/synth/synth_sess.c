/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal-synth session state machines. A new session draws its kind, hosts,
 * ports, timing and fate (synth_sess_new); each call of synth_sess_step emits
 * the packets due at s->t and schedules the next event. TCP sessions run a
 * handshake (or fail: unanswered, rejected, half-open), then "turns" of
 * application bytes cut into MSS-sized segments with delayed ACKs, with
 * impairments drawn per segment (retransmission, out-of-order pair, capture
 * loss) or per session (zero window), then a FIN or RST teardown or nothing.
 * DNS over UDP and ICMP echo have their own small machines. The held-open mode
 * (--hold) is here too: it needs no per-connection memory, every connection's
 * tuple and sequence numbers being derived from its index.
 */
#include "synth.h"

#include <string.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

enum { T_SYN, T_SYNACK, T_ACK3, T_REJ, T_DATA, T_RACK, T_ZWP, T_ZWU, T_CLOSE1, T_CLOSE2, T_CLOSE3 };

static void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Emits one TCP segment with n payload bytes taken from offset off of the turn. */
static void emit_tcp(struct synth_gen *g, struct synth_sess *s, int dir, uint8_t flags,
                     uint32_t seq, uint32_t ack, uint16_t win, uint32_t off, uint32_t n)
{
    uint8_t *f = synth_pw_frame(&g->pw);
    size_t l2 = synth_put_l2(f, s, dir);
    size_t ipl = s->v6 ? 40 : 20;
    size_t thl = (flags & TH_SYN) ? 32 : 20;
    size_t l4 = thl + n;
    uint8_t *t = f + l2 + ipl;
    uint16_t c;

    if (s->v6) {
        synth_put_ip6(f + l2, s, dir, 6, l4);
    } else {
        synth_put_ip4(f + l2, s, dir, 6, l4, s->ipid[dir]++, 0x4000);
    }
    wr16(t, s->port[dir]);
    wr16(t + 2, s->port[1 - dir]);
    wr32(t + 4, seq);
    wr32(t + 8, (flags & TH_ACK) ? ack : 0);
    t[12] = (uint8_t)((thl / 4) << 4);
    t[13] = flags;
    wr16(t + 14, win);
    t[16] = t[17] = t[18] = t[19] = 0;
    if (flags & TH_SYN) {
        /* MSS, NOP, window scale 7, NOP, NOP, SACK permitted */
        t[20] = 2;
        t[21] = 4;
        wr16(t + 22, s->mss);
        t[24] = 1;
        t[25] = 3;
        t[26] = 3;
        t[27] = 7;
        t[28] = 1;
        t[29] = 1;
        t[30] = 4;
        t[31] = 2;
    }
    if (n > 0) {
        synth_app_fill(g, s, off, t + thl, n);
    }
    c = synth_l4sum(s, dir, 6, t, l4);
    memcpy(t + 16, &c, 2);
    synth_pw_commit(&g->pw, s->t, (uint32_t)(l2 + ipl + l4));
    if (s->vlan) {
        g->st.vlan_pkts++;
    }
}

static uint32_t small_delay(struct synth_gen *g)
{
    return synth_range(&g->rng, 20, 300);
}

/* Delay before the next turn starts, by who speaks next. */
static uint32_t turn_delay(struct synth_gen *g, struct synth_sess *s, int prevdir)
{
    if (s->tdir == prevdir) {
        return small_delay(g);
    }
    if (s->tdir == 1) {
        return s->rtt + synth_logu(&g->rng, 50, 40000); /* server processing */
    }
    if (s->sub == SYNTH_SUB_TLS && s->part == 5 && s->j == 0) {
        return s->rtt / 2 + small_delay(g); /* client Finished right after the flight */
    }
    return s->rtt / 2 + synth_logu(&g->rng, 100, s->think); /* client think time */
}

static uint16_t win_of(const struct synth_sess *s, int dir)
{
    return dir ? 509 : 502; /* scaled by 2^7 */
}

/* The ACK the receiver of the current turn sends. */
static void rack(struct synth_gen *g, struct synth_sess *s, uint16_t win)
{
    int r = 1 - s->tdir;

    emit_tcp(g, s, r, TH_ACK, s->nxt[r], s->tseq0 + s->toff, win, 0, 0);
}

static void start_turns(struct synth_gen *g, struct synth_sess *s, int prevdir)
{
    if (synth_app_next(g, s)) {
        s->phase = T_DATA;
        s->t += turn_delay(g, s, prevdir);
    } else {
        s->phase = T_CLOSE1;
        s->t += synth_logu(&g->rng, 1000, 3000000);
    }
}

static bool tcp_data(struct synth_gen *g, struct synth_sess *s)
{
    int d = s->tdir;
    uint32_t n, n2, mss = s->mss;
    bool elig;

    if (s->ooo_len) {
        /* The held-back first segment of an out-of-order pair. */
        emit_tcp(g, s, d, TH_ACK, s->tseq0 + s->ooo_off, s->nxt[1 - d], win_of(s, d), s->ooo_off,
                 s->ooo_len);
        s->ooo_len = 0;
        s->unacked = 2;
        goto next;
    }
    if (s->retx_len) {
        emit_tcp(g, s, d, TH_ACK | TH_PSH, s->tseq0 + s->retx_off, s->nxt[1 - d], win_of(s, d),
                 s->retx_off, s->retx_len);
        s->retx_len = 0;
        g->st.retx++;
        goto next;
    }
    n = s->tlen - s->toff < mss ? s->tlen - s->toff : mss;
    elig = s->tlen >= 6 * mss && s->toff >= 2 * mss && s->toff + 3 * mss <= s->tlen;
    if (elig && s->zw == 1 && d == 1) {
        /* Client's buffer is full: window 0, a probe, then a window update. */
        s->zw = 2;
        rack(g, s, 0);
        s->unacked = 0;
        g->st.zwin++;
        s->phase = T_ZWP;
        s->t += synth_logu(&g->rng, 50000, 400000);
        return true;
    }
    if (elig && s->m.enc != SYNTH_ENC_CHUNKED && synth_chance(&g->rng, g->o.loss)) {
        /* Lost before the capture point: the receiver still acks it. */
        s->toff += n;
        s->unacked++;
        g->st.lost++;
        g->st.lost_bytes += n;
        goto next;
    }
    if (elig && synth_chance(&g->rng, g->o.ooo)) {
        n2 = s->tlen - s->toff - n < mss ? s->tlen - s->toff - n : mss;
        emit_tcp(g, s, d, TH_ACK, s->tseq0 + s->toff + n, s->nxt[1 - d], win_of(s, d), s->toff + n,
                 n2);
        s->ooo_off = s->toff;
        s->ooo_len = (uint16_t)n;
        s->toff += n + n2;
        g->st.ooo++;
        s->t += synth_range(&g->rng, 5, 200);
        return true;
    }
    emit_tcp(g, s, d, TH_ACK | (s->toff + n == s->tlen ? TH_PSH : 0), s->tseq0 + s->toff,
             s->nxt[1 - d], win_of(s, d), s->toff, n);
    if (elig && synth_chance(&g->rng, g->o.retx)) {
        s->retx_off = s->toff;
        s->retx_len = (uint16_t)n;
        s->toff += n;
        s->t += s->rtt + synth_range(&g->rng, 1000, 200000);
        return true;
    }
    s->toff += n;
    s->unacked++;
next:
    if (s->unacked >= 2 || s->toff == s->tlen) {
        s->phase = T_RACK;
        s->t += s->gap / 2 + 1;
    } else {
        s->t += s->gap;
    }
    return true;
}

static bool tcp_close(struct synth_gen *g, struct synth_sess *s)
{
    int c = (s->end == SYNTH_END_FIN_S || s->end == SYNTH_END_RST_S) ? 1 : 0;
    int o = 1 - c;

    switch (s->phase) {
    case T_CLOSE1:
        if (s->end == SYNTH_END_OPEN) {
            return false;
        }
        if (s->end == SYNTH_END_RST_C || s->end == SYNTH_END_RST_S) {
            emit_tcp(g, s, c, TH_RST | TH_ACK, s->nxt[c], s->nxt[o], 0, 0, 0);
            return false;
        }
        emit_tcp(g, s, c, TH_FIN | TH_ACK, s->nxt[c], s->nxt[o], win_of(s, c), 0, 0);
        s->nxt[c]++;
        s->phase = T_CLOSE2;
        s->t += (c == 0 ? s->rtt : s->rtt / 4) + small_delay(g);
        return true;
    case T_CLOSE2:
        emit_tcp(g, s, o, TH_FIN | TH_ACK, s->nxt[o], s->nxt[c], win_of(s, o), 0, 0);
        s->nxt[o]++;
        s->phase = T_CLOSE3;
        s->t += (o == 0 ? s->rtt : s->rtt / 4) + small_delay(g);
        return true;
    default:
        emit_tcp(g, s, c, TH_ACK, s->nxt[c], s->nxt[o], win_of(s, c), 0, 0);
        return false;
    }
}

static bool tcp_step(struct synth_gen *g, struct synth_sess *s)
{
    switch (s->phase) {
    case T_SYN:
        emit_tcp(g, s, 0, TH_SYN, s->iss[0], 0, 64240, 0, 0);
        s->tries++;
        if (s->fail == SYNTH_FAIL_UNANSWERED) {
            if (s->tries >= 3) {
                return false;
            }
            s->t += 1000000u << (s->tries - 1);
            return true;
        }
        s->phase = s->fail == SYNTH_FAIL_REJECTED ? T_REJ : T_SYNACK;
        s->tries = 0;
        s->t += s->rtt;
        return true;
    case T_REJ:
        emit_tcp(g, s, 1, TH_RST | TH_ACK, 0, s->iss[0] + 1, 0, 0, 0);
        return false;
    case T_SYNACK:
        emit_tcp(g, s, 1, TH_SYN | TH_ACK, s->iss[1], s->iss[0] + 1, 65160, 0, 0);
        if (s->fail == SYNTH_FAIL_HALFOPEN) {
            if (++s->tries >= 3) {
                return false;
            }
            s->t += 1000000u << (s->tries - 1);
            return true;
        }
        s->phase = T_ACK3;
        s->t += small_delay(g);
        return true;
    case T_ACK3:
        s->nxt[0] = s->iss[0] + 1;
        s->nxt[1] = s->iss[1] + 1;
        emit_tcp(g, s, 0, TH_ACK, s->nxt[0], s->nxt[1], win_of(s, 0), 0, 0);
        s->tdir = 0;
        start_turns(g, s, 0);
        return true;
    case T_DATA:
        return tcp_data(g, s);
    case T_RACK:
        rack(g, s, win_of(s, 1 - s->tdir));
        s->unacked = 0;
        if (s->toff < s->tlen) {
            s->phase = T_DATA;
            s->t += s->gap / 2 + 1;
            return true;
        }
        s->nxt[s->tdir] += s->tlen;
        start_turns(g, s, s->tdir);
        return true;
    case T_ZWP:
        emit_tcp(g, s, s->tdir, TH_ACK, s->tseq0 + s->toff - 1, s->nxt[1 - s->tdir],
                 win_of(s, s->tdir), 0, 0);
        s->phase = T_ZWU;
        s->t += s->rtt / 2 + small_delay(g);
        return true;
    case T_ZWU:
        rack(g, s, win_of(s, 1 - s->tdir));
        s->phase = T_DATA;
        s->t += s->rtt / 2 + small_delay(g);
        return true;
    default:
        return tcp_close(g, s);
    }
}

static bool dns_step(struct synth_gen *g, struct synth_sess *s)
{
    uint8_t *d = g->dgram;
    size_t n;
    int dir = s->phase;

    n = synth_dns_udp(g, s, s->j, dir == 1, d + 8);
    if (n > 0) {
        wr16(d, s->port[dir]);
        wr16(d + 2, s->port[1 - dir]);
        wr16(d + 4, (uint32_t)(n + 8));
        synth_emit_dgram(g, s, dir, 17, n + 8);
    }
    if (dir == 0) {
        s->phase = 1;
        s->t += s->rtt + synth_logu(&g->rng, 30, 30000);
        return true;
    }
    if (++s->j >= s->n) {
        return false;
    }
    s->phase = 0;
    s->t += small_delay(g);
    return true;
}

static bool icmp_step(struct synth_gen *g, struct synth_sess *s)
{
    static const char win_data[] = "abcdefghijklmnopqrstuvwabcdefghi";
    uint8_t *d = g->dgram;
    int dir = s->phase;
    uint64_t h = synth_hash(s->seed, 0x1c3ULL + s->j);
    size_t n;

    if (s->v6) {
        d[0] = dir ? 129 : 128;
    } else {
        d[0] = dir ? 0 : 8;
    }
    d[1] = 0;
    wr16(d + 4, s->port[0]);
    wr16(d + 6, (uint32_t)(s->j + 1));
    if (s->app & SYNTH_APP_BIGPING) {
        n = 1500 + (size_t)(s->seed % 2500); /* always more than one MTU */
        for (size_t i = 0; i < n; i++) {
            d[8 + i] = (uint8_t)(0x10 + i);
        }
    } else if (s->seed & 1) {
        n = 32;
        memcpy(d + 8, win_data, 32);
    } else {
        /* Linux ping: an 8-byte timestamp of the request, then 0x10, 0x11, ... */
        n = 56;
        wr32(d + 8, g->o.start + s->start_s + s->j);
        wr32(d + 12, (uint32_t)(h % 1000000));
        for (size_t i = 8; i < n; i++) {
            d[8 + i] = (uint8_t)(0x10 + i - 8);
        }
    }
    synth_emit_dgram(g, s, dir, s->v6 ? 58 : 1, n + 8);
    if (dir == 0 && !(s->app & SYNTH_APP_NOREPLY)) {
        s->phase = 1;
        s->t += s->rtt;
        return true;
    }
    if (++s->j >= s->n) {
        return false;
    }
    s->phase = 0;
    s->t += dir ? 1000000 - (s->rtt < 900000 ? s->rtt : 900000) : 1000000;
    return true;
}

/*
 * A scan slot (SYNTH_SUB_SCAN) sends its probes one after another: probe k's
 * SYN at t0 + k * dur / n plus up to a quarter of that spacing of jitter,
 * then, for a rejected probe, the target's RST/ACK one RTT later (at most half
 * the spacing, so it always comes before the next SYN). Each probe gets a new
 * target, source port, sequence number and IP ID from the slot's own
 * generator (s->seed), never from g->rng, so adding a scan leaves the regular
 * sessions' choices alone.
 */
static void scan_probe(struct synth_gen *g, struct synth_sess *s)
{
    const struct synth_scan *sc = &g->o.scan[s->srv];
    struct synth_scan_run *r = &g->scan_run[s->srv];
    uint32_t x = (uint32_t)(((uint64_t)s->j * r->step + r->off) % sc->n);
    bool in0 = synth_is_internal(&s->addr[0], s->v6), in1;

    s->addr[1] = sc->dst;
    s->port[1] = (uint16_t)(sc->port + (sc->kind == SYNTH_SCAN_PORT ? x : 0));
    if (sc->kind == SYNTH_SCAN_ADDR) {
        /* Add x to the last 32 bits (the option parser checked for overflow). */
        uint8_t *b = s->addr[1].b + (s->v6 ? 12 : 0);
        uint32_t v = ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) + x;
        wr32(b, v);
    }
    in1 = synth_is_internal(&s->addr[1], s->v6);
    synth_mac(&s->addr[1], in1, s->mac[1]);
    s->ttl[1] = in1 ? 64 : (uint8_t)synth_range(&s->seed, 40, 60);
    s->port[0] = (uint16_t)(1024 + (r->sport + s->j) % 64512);
    s->ipid[0] = (uint16_t)synth_rand(&s->seed);
    s->ipid[1] = 0;
    s->iss[0] = (uint32_t)synth_rand(&s->seed);
    s->rtt = in0 && in1 ? synth_range(&s->seed, 100, 2000) : synth_logu(&s->seed, 3000, 250000);
    /* Exactly rej_left of the remaining probes are rejected: selection sampling. */
    s->fail = SYNTH_FAIL_UNANSWERED;
    if (synth_below(&s->seed, sc->n - s->j) < r->rej_left) {
        s->fail = SYNTH_FAIL_REJECTED;
        r->rej_left--;
    }
}

static bool scan_step(struct synth_gen *g, struct synth_sess *s)
{
    const struct synth_scan *sc = &g->o.scan[s->srv];
    struct synth_scan_run *r = &g->scan_run[s->srv];
    uint64_t gap = sc->dur / sc->n;

    if (s->phase == 0) {
        scan_probe(g, s);
        emit_tcp(g, s, 0, TH_SYN, s->iss[0], 0, 1024, 0, 0);
        if (s->j == 0) {
            r->first_t = g->pw.last_t;
        }
        r->last_t = g->pw.last_t;
        if (s->fail == SYNTH_FAIL_REJECTED) {
            s->phase = 1;
            s->t += s->rtt < gap / 2 ? s->rtt : gap / 2;
            return true;
        }
        r->unanswered++;
    } else {
        emit_tcp(g, s, 1, TH_RST | TH_ACK, 0, s->iss[0] + 1, 0, 0, 0);
        r->rejected++;
    }
    if (++s->j >= sc->n) {
        return false;
    }
    s->phase = 0;
    s->t = r->t0 + s->j * sc->dur / sc->n;
    if (gap >= 4) {
        s->t += synth_rand(&s->seed) % (gap / 4);
    }
    return true;
}

bool synth_sess_step(struct synth_gen *g, struct synth_sess *s)
{
    switch (s->sub) {
    case SYNTH_SUB_DNSUDP:
        return dns_step(g, s);
    case SYNTH_SUB_ICMP:
        return icmp_step(g, s);
    case SYNTH_SUB_SCAN:
        return scan_step(g, s);
    case SYNTH_SUB_NTP:
        return synth_ntp_step(g, s);
    case SYNTH_SUB_DHCP:
        return synth_dhcp_step(g, s);
    case SYNTH_SUB_QUIC:
        return synth_quic_step(g, s);
    default:
        return tcp_step(g, s);
    }
}

static uint8_t pick_kind(struct synth_gen *g)
{
    unsigned total = 0, x;

    for (int k = 0; k < SYNTH_K_COUNT; k++) {
        total += g->o.mix[k];
    }
    x = synth_below(&g->rng, total);
    for (uint8_t k = 0; k < SYNTH_K_COUNT; k++) {
        if (x < g->o.mix[k]) {
            return k;
        }
        x -= g->o.mix[k];
    }
    return SYNTH_K_TCP;
}

static void stats_add(struct synth_stats *a, const struct synth_stats *b)
{
    uint64_t *pa = (uint64_t *)a;
    const uint64_t *pb = (const uint64_t *)b;

    for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++) {
        pa[i] += pb[i];
    }
}

static uint16_t next_port(uint16_t *ctr, uint32_t i, uint64_t seed)
{
    uint16_t p = ctr[i];

    if (p < 32768 || p > 60999) {
        p = (uint16_t)(32768 + synth_hash(seed, i) % 28232);
    }
    ctr[i] = p >= 60999 ? 32768 : (uint16_t)(p + 1);
    return p;
}

int64_t synth_sess_new(struct synth_gen *g, struct synth_sess *s, uint64_t t, int64_t budget)
{
    static const uint16_t altports[5] = {8080, 8000, 8888, 8081, 0};
    static const uint16_t failports[8] = {22, 23, 25, 445, 3389, 1433, 5900, 0};
    static const uint16_t vlans[5] = {10, 20, 30, 100, 200};
    struct synth_stats st;
    uint64_t *rng = &g->rng;
    uint64_t payload;
    int64_t est;
    uint32_t x, c;
    bool inbound = false, internal_srv = false;

    memset(s, 0, sizeof(*s));
    memset(&st, 0, sizeof(st));
    s->seed = synth_rand(rng);
    s->t = t;
    s->start_s = (uint32_t)(t / 1000000);
    s->kind = pick_kind(g);
    s->v6 = synth_chance(rng, g->o.ipv6);
    switch (s->kind) {
    case SYNTH_K_DNS:
        s->sub = synth_below(rng, 100) < 8 ? SYNTH_SUB_DNSTCP : SYNTH_SUB_DNSUDP;
        break;
    case SYNTH_K_HTTP:
        s->sub = SYNTH_SUB_HTTP;
        if (synth_below(rng, 100) < 8) {
            s->app |= SYNTH_APP_ALTPORT;
        }
        break;
    case SYNTH_K_TLS:
        s->sub = SYNTH_SUB_TLS;
        break;
    case SYNTH_K_ICMP:
        s->sub = SYNTH_SUB_ICMP;
        break;
    case SYNTH_K_NTP:
        s->sub = SYNTH_SUB_NTP;
        break;
    case SYNTH_K_DHCP:
        s->sub = SYNTH_SUB_DHCP;
        break;
    case SYNTH_K_SMTP:
        s->sub = SYNTH_SUB_SMTP;
        break;
    case SYNTH_K_FTP:
        s->sub = SYNTH_SUB_FTP;
        break;
    case SYNTH_K_QUIC:
        s->sub = SYNTH_SUB_QUIC;
        break;
    case SYNTH_K_IDENT:
        s->sub = SYNTH_SUB_IDENT;
        if (synth_below(rng, 100) < 5) {
            s->app |= SYNTH_APP_ALTPORT;
        }
        break;
    default:
        s->sub = SYNTH_SUB_TCP;
        break;
    }
    if (s->sub == SYNTH_SUB_HTTP || s->sub == SYNTH_SUB_TLS || s->sub == SYNTH_SUB_TCP) {
        inbound = synth_below(rng, 100) < 12;
        internal_srv = inbound || (s->sub == SYNTH_SUB_TCP && synth_below(rng, 100) < 20);
    }
    if (inbound) {
        s->app |= SYNTH_APP_INBOUND;
    }
    /* Fate of TCP sessions. */
    if (s->sub == SYNTH_SUB_TCP && synth_chance(rng, g->o.fail)) {
        x = synth_below(rng, 100);
        s->fail = x < 45   ? SYNTH_FAIL_REJECTED
                  : x < 85 ? SYNTH_FAIL_UNANSWERED
                           : SYNTH_FAIL_HALFOPEN;
    }
    x = synth_below(rng, 100);
    s->end = x < 72   ? SYNTH_END_FIN_C
             : x < 87 ? SYNTH_END_FIN_S
             : x < 93 ? SYNTH_END_RST_C
             : x < 98 ? SYNTH_END_RST_S
                      : SYNTH_END_OPEN;
    s->zw = synth_chance(rng, g->o.zwin) ? 1 : 0;

    if (s->fail == SYNTH_FAIL_NONE) {
        payload = synth_app_plan(g, s, &st);
    } else {
        payload = 0;
        s->n = 0;
    }
    est = (int64_t)(payload + payload / 1460 * 110 + 12 * 90);
    if (budget >= 0 && est > budget) {
        return -1;
    }

    /* Admitted: hosts, ports and timing. */
    s->id = g->nsess++;
    if (inbound) {
        c = synth_below(rng, g->next);
        synth_extclient_addr(g, c, s->v6, &s->addr[0]);
        s->port[0] = next_port(g->eport, c, g->o.seed ^ 0xe);
    } else {
        c = synth_below(rng, g->o.clients);
        synth_client_addr(g, c, s->v6, &s->addr[0]);
        s->port[0] = next_port(g->cport, c, g->o.seed);
    }
    s->srv = internal_srv ? g->o.servers + synth_below(rng, 24) : synth_below(rng, g->o.servers);
    switch (s->sub) {
    case SYNTH_SUB_DNSTCP:
    case SYNTH_SUB_DNSUDP:
        if (synth_below(rng, 100) < 70) {
            memset(&s->addr[1], 0, sizeof(s->addr[1]));
            if (s->v6) {
                static const uint8_t r6[16] = {0xfd, 0, 0x5a, 0x17, 0, 0, 0, 0,
                                               0,    0, 0,    0,    0, 0, 0, 0x53};
                memcpy(s->addr[1].b, r6, 16);
            } else {
                s->addr[1].b[0] = 10;
                s->addr[1].b[3] = (uint8_t)(53 + (s->seed & 1));
            }
        } else {
            synth_public_addr(synth_hash(g->o.seed ^ 0x53, s->seed & 3), s->v6, &s->addr[1]);
        }
        s->port[1] = 53;
        break;
    case SYNTH_SUB_NTP:
    case SYNTH_SUB_DHCP:
        synth_udp_place(g, s);
        break;
    case SYNTH_SUB_QUIC:
        synth_quic_place(g, s);
        break;
    case SYNTH_SUB_ICMP:
        synth_public_addr(synth_hash(g->o.seed ^ 0x1c, g->icmp_n++), s->v6, &s->addr[1]);
        s->port[1] = 0;
        break;
    case SYNTH_SUB_IDENT:
        /* A server the client connected to asks the client's identd; the
         * client's next port keeps the 5-tuple unique. */
        s->addr[1] = s->addr[0];
        synth_server_addr(g, s->srv, s->v6, &s->addr[0]);
        s->port[1] = SYNTH_IDENT_PORT;
        if (s->app & SYNTH_APP_ALTPORT) {
            s->port[1] = (uint16_t)(10000 + s->seed % 20000);
        }
        break;
    default:
        synth_server_addr(g, s->srv, s->v6, &s->addr[1]);
        if (s->sub == SYNTH_SUB_HTTP) {
            s->port[1] = 80;
            if (s->app & SYNTH_APP_ALTPORT) {
                s->port[1] = altports[s->seed % 5];
                if (s->port[1] == 0) {
                    s->port[1] = (uint16_t)(10000 + s->seed % 20000);
                }
            }
        } else if (s->sub == SYNTH_SUB_TLS) {
            s->port[1] = 443;
        } else if (s->sub == SYNTH_SUB_SMTP) {
            s->port[1] = (s->seed >> 9) % 4 ? 25 : 587;
        } else if (s->sub == SYNTH_SUB_FTP) {
            s->port[1] = 21;
        } else if (s->fail != SYNTH_FAIL_NONE) {
            s->port[1] = failports[s->seed % 8];
            if (s->port[1] == 0) {
                s->port[1] = (uint16_t)(1024 + s->seed % 40000);
            }
        } else {
            s->port[1] = (uint16_t)(10000 + s->seed % 30000);
        }
        break;
    }
    for (int i = 0; i < 2; i++) {
        bool in = synth_is_internal(&s->addr[i], s->v6);
        synth_mac(&s->addr[i], in, s->mac[i]);
        s->ttl[i] = in ? ((s->seed >> (20 + i)) & 1 ? 128 : 64) : (uint8_t)synth_range(rng, 40, 60);
        s->ipid[i] = (uint16_t)synth_rand(rng);
    }
    if (synth_chance(rng, g->o.vlan)) {
        s->vlan = vlans[synth_below(rng, 5)];
    }
    s->iss[0] = (uint32_t)synth_rand(rng);
    s->iss[1] = (uint32_t)synth_rand(rng);
    if (synth_is_internal(&s->addr[0], s->v6) && synth_is_internal(&s->addr[1], s->v6)) {
        s->rtt = synth_range(rng, 100, 2000);
    } else {
        s->rtt = synth_logu(rng, 3000, 250000);
    }
    s->gap = synth_logu(rng, 30, 4000);
    s->think = synth_logu(rng, 2000, 2000000);
    s->mss = s->v6 ? SYNTH_MSS6 : SYNTH_MSS4;
    s->est = est;

    /* Ground truth. */
    st.sessions[s->kind]++;
    st.conns++;
    st.conns_v6 += s->v6;
    st.conns_vlan += s->vlan != 0;
    if (s->sub == SYNTH_SUB_DNSUDP || s->sub == SYNTH_SUB_NTP || s->sub == SYNTH_SUB_QUIC) {
        st.conns_udp++;
    } else if (s->sub == SYNTH_SUB_DHCP) {
        st.conns_udp += synth_dhcp_conns(s);
    } else if (s->sub == SYNTH_SUB_ICMP) {
        st.conns_icmp++;
    } else {
        st.conns_tcp++;
        switch (s->fail) {
        case SYNTH_FAIL_REJECTED:
            st.tcp_rej++;
            break;
        case SYNTH_FAIL_UNANSWERED:
            st.tcp_s0++;
            break;
        case SYNTH_FAIL_HALFOPEN:
            st.tcp_halfopen++;
            break;
        default:
            st.tcp_hs++;
            if (s->end == SYNTH_END_FIN_C || s->end == SYNTH_END_FIN_S) {
                st.tcp_fin++;
            } else if (s->end == SYNTH_END_RST_C) {
                st.tcp_rst_c++;
            } else if (s->end == SYNTH_END_RST_S) {
                st.tcp_rst_s++;
            } else {
                st.tcp_open++;
            }
            break;
        }
    }
    stats_add(&g->st, &st);
    return est;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b != 0) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void synth_scan_start(struct synth_gen *g, struct synth_sess *s, unsigned i, uint64_t t0)
{
    const struct synth_scan *sc = &g->o.scan[i];
    struct synth_scan_run *r = &g->scan_run[i];
    bool in0;

    memset(s, 0, sizeof(*s));
    memset(r, 0, sizeof(*r));
    s->seed = synth_hash(g->o.seed ^ 0x5ca7ULL, i);
    s->sub = SYNTH_SUB_SCAN;
    s->kind = SYNTH_K_TCP;
    s->srv = i;
    s->v6 = sc->v6;
    s->mss = s->v6 ? SYNTH_MSS6 : SYNTH_MSS4;
    s->addr[0] = sc->src;
    in0 = synth_is_internal(&s->addr[0], s->v6);
    synth_mac(&s->addr[0], in0, s->mac[0]);
    s->ttl[0] = in0 ? 64 : (uint8_t)synth_range(&s->seed, 40, 60);
    /* Targets in a shuffled order: k -> (k * step + off) % n with step prime to n. */
    r->step = 1 + synth_below(&s->seed, sc->n);
    while (gcd(r->step, sc->n) != 1) {
        r->step++;
    }
    r->off = synth_below(&s->seed, sc->n);
    r->sport = synth_below(&s->seed, 64512);
    r->rej_left = (uint32_t)(sc->rej * sc->n + 0.5);
    r->t0 = t0 + sc->at;
    s->t = r->t0;

    g->st.conns += sc->n;
    g->st.conns_tcp += sc->n;
    g->st.conns_v6 += s->v6 ? sc->n : 0;
    g->st.tcp_rej += r->rej_left;
    g->st.tcp_s0 += sc->n - r->rej_left;
}

/* Builds held connection i in s (no memory is kept between calls). */
static void hold_sess(struct synth_gen *g, uint64_t i, struct synth_sess *s)
{
    uint32_t h = (uint32_t)(i % 60000), third = h / 254;

    memset(s, 0, sizeof(*s));
    s->seed = synth_hash(g->o.seed ^ 0x401dULL, i);
    s->v6 = i % 10 == 9;
    if (s->v6) {
        static const uint8_t p6[8] = {0xfd, 0, 0x5a, 0x17, 0, 0, 0, 0x40};
        memcpy(s->addr[0].b, p6, 8);
        s->addr[0].b[14] = (uint8_t)((h + 1) >> 8);
        s->addr[0].b[15] = (uint8_t)(h + 1);
    } else {
        s->addr[0].b[0] = 10;
        s->addr[0].b[1] = (uint8_t)(128 + (third >> 8));
        s->addr[0].b[2] = (uint8_t)third;
        s->addr[0].b[3] = (uint8_t)(h % 254 + 1);
    }
    synth_public_addr(synth_hash(g->o.seed ^ 0x5e77e7ULL, i % 64), s->v6, &s->addr[1]);
    s->port[0] = (uint16_t)(32768 + (i / 60000) % 28000);
    s->port[1] = (i & 1) ? 443 : 80;
    synth_mac(&s->addr[0], true, s->mac[0]);
    synth_mac(&s->addr[1], false, s->mac[1]);
    s->ttl[0] = 64;
    s->ttl[1] = 52;
    s->ipid[0] = (uint16_t)s->seed;
    s->ipid[1] = (uint16_t)(s->seed >> 16);
    s->iss[0] = (uint32_t)(s->seed >> 32);
    s->iss[1] = (uint32_t)synth_mix(s->seed);
    s->mss = s->v6 ? SYNTH_MSS6 : SYNTH_MSS4;
}

/* The bytes held connection s sends behind its lost first segment: its
 * next sequence number moves past the hole and them. */
static uint32_t hold_hole_span(const struct synth_gen *g, const struct synth_sess *s)
{
    return g->o.hold_hole > 0 && !g->o.hold_syn ? s->mss + (uint32_t)g->o.hold_hole : 0;
}

/* After every handshake: each held connection's client sends hold_hole
 * bytes in full segments after a first segment that never shows (lost
 * before the capture point), which the server does not acknowledge, so a
 * monitor holds them until the connection closes. */
static uint64_t hold_hole_run(struct synth_gen *g, uint64_t t0)
{
    struct synth_sess s;
    uint64_t t = t0;

    for (uint64_t i = 0; i < g->o.hold && g->pw.err == 0; i++) {
        hold_sess(g, i, &s);
        s.m.enc = SYNTH_ENC_RAW;
        s.m.pat = 1;
        for (uint32_t off = s.mss; off < s.mss + g->o.hold_hole; off += s.mss) {
            uint32_t n = s.mss + (uint32_t)g->o.hold_hole - off;
            n = n < s.mss ? n : s.mss;
            s.t = t;
            emit_tcp(g, &s, 0, TH_ACK | TH_PSH, s.iss[0] + 1 + off, s.iss[1] + 1, 502, off, n);
            t += 10;
        }
    }
    return t;
}

uint64_t synth_hold_run(struct synth_gen *g, int phase, uint64_t t0)
{
    struct synth_sess s;
    uint64_t n = g->o.hold, k, rate = g->o.hold_rate ? g->o.hold_rate : 100000;
    uint64_t lag = 20000 * rate / 1000000 + 1; /* 20 ms between the steps of one connection */
    int steps;

    if (phase == 0) {
        steps = g->o.hold_syn ? 1 : 3;
    } else {
        steps = g->o.hold_close == 1 ? 3 : g->o.hold_close == 2 ? 1 : 0;
        if (g->o.hold_syn) {
            steps = 0;
        }
    }
    if (steps == 0 || n == 0) {
        return t0;
    }
    for (k = 0; k < n + (uint64_t)(steps - 1) * lag; k++) {
        uint64_t t = t0 + k * 1000000 / rate;
        for (int p = 0; p < steps; p++) {
            uint64_t i;
            if (k < (uint64_t)p * lag || k - (uint64_t)p * lag >= n) {
                continue;
            }
            i = k - (uint64_t)p * lag;
            hold_sess(g, i, &s);
            s.t = t;
            s.nxt[0] = s.iss[0] + 1 + (phase == 1 ? hold_hole_span(g, &s) : 0);
            s.nxt[1] = s.iss[1] + 1;
            if (phase == 0) {
                if (p == 0) {
                    emit_tcp(g, &s, 0, TH_SYN, s.iss[0], 0, 64240, 0, 0);
                } else if (p == 1) {
                    emit_tcp(g, &s, 1, TH_SYN | TH_ACK, s.iss[1], s.nxt[0], 65160, 0, 0);
                } else {
                    emit_tcp(g, &s, 0, TH_ACK, s.nxt[0], s.nxt[1], 502, 0, 0);
                }
            } else if (g->o.hold_close == 2) {
                emit_tcp(g, &s, 0, TH_RST | TH_ACK, s.nxt[0], s.nxt[1], 0, 0, 0);
            } else if (p == 0) {
                emit_tcp(g, &s, 0, TH_FIN | TH_ACK, s.nxt[0], s.nxt[1], 502, 0, 0);
            } else if (p == 1) {
                emit_tcp(g, &s, 1, TH_FIN | TH_ACK, s.nxt[1], s.nxt[0] + 1, 509, 0, 0);
            } else {
                emit_tcp(g, &s, 0, TH_ACK, s.nxt[0] + 1, s.nxt[1] + 1, 502, 0, 0);
            }
        }
        if ((k & 0xffff) == 0 && g->pw.err) {
            break;
        }
    }
    if (phase == 0 && g->o.hold_hole > 0 && !g->o.hold_syn) {
        return hold_hole_run(g, t0 + k * 1000000 / rate);
    }
    return t0 + k * 1000000 / rate;
}
