/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal-synth: writes a deterministic pcap of realistic mixed traffic (TCP,
 * DNS, HTTP, TLS, ICMP, with impairments) of a chosen size, plus a JSON ground
 * truth the tests compare with what the monitor logs. This file holds the
 * command line, the scheduler (a binary heap of session slots ordered by the
 * time of their next packet, so sessions interleave and about --concurrent of
 * them are open at once), admission control that stops starting sessions when
 * the size budget is spent, the held-open phase for memory benchmarks, the
 * --scan parser (each scan runs in a slot of its own in the same heap, so its
 * probes interleave with the sessions in time order), and the summary writer.
 */
#include "synth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROG "shoal-synth"

static const char *const kind_names[SYNTH_K_COUNT] = {"tcp", "dns",  "http", "tls", "icmp", "ident",
                                                      "ntp", "dhcp", "smtp", "ftp", "quic"};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROG " -o FILE.pcap [options]\n"
            "Writes a deterministic pcap (Ethernet, IPv4/IPv6) of mixed synthetic traffic.\n"
            "\n"
            "  -o, --output FILE      pcap file to write ('-' for stdout)\n"
            "  -s, --seed N           seed (default 1); same seed + options = same bytes\n"
            "      --size SIZE        approximate file size: 500M, 1G, 20K (1024-based);\n"
            "                         default 100M unless --conns or --hold is given\n"
            "      --conns N          number of sessions to generate (at most)\n"
            "      --concurrent N     session slots open at once (default 1000)\n"
            "      --summary FILE     write the ground truth as JSON\n"
            "      --mix SPEC         session weights, e.g. tcp=20,dns=35,http=25,tls=15,icmp=5\n"
            "                         (the default); also ident=N (RFC 1413 on tcp/113),\n"
            "                         ntp=N, dhcp=N, smtp=N (tcp/25, 587), ftp=N (tcp/21,\n"
            "                         control only) and quic=N (udp/443, TLS 1.3 hellos in\n"
            "                         protected Initial packets)\n"
            "      --ipv6 F           fraction of sessions over IPv6 (default 0.10)\n"
            "      --vlan F           fraction of sessions with an 802.1Q tag (default 0.05)\n"
            "      --clients N        internal client hosts (default 4096)\n"
            "      --servers N        public servers (default 2000)\n"
            "      --start EPOCH      time of the first packet (default 1714564800)\n"
            "impairments (per eligible segment / per session; --no-impair sets all to 0):\n"
            "      --retx P           retransmitted data segment (default 0.002)\n"
            "      --loss P           segment lost before the capture point (default 0.0005)\n"
            "      --ooo P            out-of-order segment pair (default 0.001)\n"
            "      --zero-window P    session with a zero-window stall (default 0.01)\n"
            "      --frag P           oversized DNS TXT answer, fragmented (default 0.25;\n"
            "                         ICMP echo: P/5)\n"
            "      --fail P           generic TCP sessions that fail: rejected, unanswered,\n"
            "                         half-open (default 0.30)\n"
            "      --no-impair        no retransmission, loss, reordering, zero window, frags\n"
            "      --max-body SIZE    cap every HTTP body, TLS record run and generic TCP\n"
            "                         message at SIZE bytes (flow-dense traces; none)\n"
            "held-open connections (memory benchmarks):\n"
            "      --hold N           open N TCP connections on distinct 5-tuples before any\n"
            "                         other traffic, close them after it\n"
            "      --hold-syn         held connections are a bare SYN (never answered)\n"
            "      --hold-close WHAT  fin (default), rst or none\n"
            "      --hold-rate N      held connections opened per second (default 100000)\n"
            "      --hold-hole SIZE   after its handshake, each held connection's client\n"
            "                         sends SIZE bytes (20K, 1M) behind a first segment\n"
            "                         lost before the capture point (reassembly memory)\n"
            "scans (repeatable, up to 64; mixed with the sessions in time order):\n"
            "      --scan addr:SRC:PORT:N[:OPTS]  SYNs from SRC to PORT on N hosts\n"
            "                         (10.99.0.1, 10.99.0.2, ...; fd00:5a17:0:99::1, ...)\n"
            "      --scan port:SRC:DST:N[:OPTS]   SYNs from SRC to N ports of DST (1, 2, ...)\n"
            "                         OPTS, comma-separated: rej=F fraction rejected by\n"
            "                         RST/ACK, the rest unanswered (0.5); dur=S seconds the\n"
            "                         probes are spread over (60); at=S seconds after the\n"
            "                         traffic starts (0); net=ADDR first host (addr scan);\n"
            "                         ports=P first port (port scan). IPv6: [fd00::1]\n"
            "                         --conns 0 makes the scans the only traffic\n"
            "      --encap KIND       wrap every frame: vxlan, geneve, gtp, gre-udp, gre\n"
            "                         (tunnels between 198.18.K.1 and .2, K = 0..3), or\n"
            "                         80211, radiotap (802.11 link types 105, 127)\n"
            "  -q, --quiet            no report on stderr\n"
            "  -h, --help             this text\n");
}

static int parse_u64(const char *s, uint64_t *out, bool sized)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || s[0] == '-') {
        return -EINVAL;
    }
    if (sized && *end) {
        unsigned shift = 0;
        switch (*end) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        case 't':
        case 'T':
            shift = 40;
            break;
        default:
            return -EINVAL;
        }
        end++;
        if (*end == 'i') {
            end++;
        }
        if (*end == 'B' || *end == 'b') {
            end++;
        }
        v <<= shift;
    }
    if (*end) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

static int parse_frac(const char *s, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end || !(v >= 0.0 && v <= 1.0)) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

static int parse_mix(const char *spec, unsigned mix[SYNTH_K_COUNT])
{
    char buf[256], *save = NULL, *tok;
    unsigned total = 0;

    if (strlen(spec) >= sizeof(buf)) {
        return -EINVAL;
    }
    strcpy(buf, spec);
    for (int k = 0; k < SYNTH_K_COUNT; k++) {
        mix[k] = 0;
    }
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        uint64_t v;
        int k;
        if (eq == NULL) {
            return -EINVAL;
        }
        *eq = '\0';
        for (k = 0; k < SYNTH_K_COUNT; k++) {
            if (strcmp(tok, kind_names[k]) == 0) {
                break;
            }
        }
        if (k == SYNTH_K_COUNT || parse_u64(eq + 1, &v, false) != 0 || v > 1000000) {
            return -EINVAL;
        }
        mix[k] = (unsigned)v;
        total += (unsigned)v;
    }
    return total > 0 ? 0 : -EINVAL;
}

enum {
    OPT_SIZE = 256,
    OPT_CONNS,
    OPT_CONC,
    OPT_SUMMARY,
    OPT_MIX,
    OPT_IPV6,
    OPT_VLAN,
    OPT_CLIENTS,
    OPT_SERVERS,
    OPT_START,
    OPT_RETX,
    OPT_LOSS,
    OPT_OOO,
    OPT_ZWIN,
    OPT_FRAG,
    OPT_FAIL,
    OPT_NOIMP,
    OPT_HOLD,
    OPT_HOLDSYN,
    OPT_HOLDCLOSE,
    OPT_HOLDRATE,
    OPT_HOLDHOLE,
    OPT_SCAN,
    OPT_MAXBODY,
    OPT_ENCAP
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"seed", required_argument, NULL, 's'},
    {"size", required_argument, NULL, OPT_SIZE},
    {"conns", required_argument, NULL, OPT_CONNS},
    {"concurrent", required_argument, NULL, OPT_CONC},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"mix", required_argument, NULL, OPT_MIX},
    {"ipv6", required_argument, NULL, OPT_IPV6},
    {"vlan", required_argument, NULL, OPT_VLAN},
    {"clients", required_argument, NULL, OPT_CLIENTS},
    {"servers", required_argument, NULL, OPT_SERVERS},
    {"start", required_argument, NULL, OPT_START},
    {"retx", required_argument, NULL, OPT_RETX},
    {"loss", required_argument, NULL, OPT_LOSS},
    {"ooo", required_argument, NULL, OPT_OOO},
    {"zero-window", required_argument, NULL, OPT_ZWIN},
    {"frag", required_argument, NULL, OPT_FRAG},
    {"fail", required_argument, NULL, OPT_FAIL},
    {"no-impair", no_argument, NULL, OPT_NOIMP},
    {"hold", required_argument, NULL, OPT_HOLD},
    {"hold-syn", no_argument, NULL, OPT_HOLDSYN},
    {"hold-close", required_argument, NULL, OPT_HOLDCLOSE},
    {"hold-rate", required_argument, NULL, OPT_HOLDRATE},
    {"hold-hole", required_argument, NULL, OPT_HOLDHOLE},
    {"scan", required_argument, NULL, OPT_SCAN},
    {"max-body", required_argument, NULL, OPT_MAXBODY},
    {"encap", required_argument, NULL, OPT_ENCAP},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void opts_default(struct synth_opts *o)
{
    static const unsigned mix[SYNTH_K_COUNT] = {20, 35, 25, 15, 5};

    memset(o, 0, sizeof(*o));
    o->seed = 1;
    o->concurrent = 1000;
    o->clients = 4096;
    o->servers = 2000;
    o->start = 1714564800u; /* 2024-05-01 12:00:00 UTC */
    memcpy(o->mix, mix, sizeof(mix));
    o->ipv6 = 0.10;
    o->vlan = 0.05;
    o->retx = 0.002;
    o->loss = 0.0005;
    o->ooo = 0.001;
    o->zwin = 0.01;
    o->frag = 0.25;
    o->fail = 0.30;
    o->hold_close = 1;
    o->hold_rate = 100000;
}

/* An IPv4 or IPv6 literal, the latter optionally in brackets; true if valid. */
static bool parse_addr(const char *s, struct synth_addr *a, uint8_t *v6)
{
    char buf[64];
    size_t n = strlen(s);

    memset(a, 0, sizeof(*a));
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(buf)) {
        memcpy(buf, s + 1, n - 2);
        buf[n - 2] = '\0';
        *v6 = 1;
        return inet_pton(AF_INET6, buf, a->b) == 1;
    }
    if (inet_pton(AF_INET, s, a->b) == 1) {
        *v6 = 0;
        return true;
    }
    *v6 = 1;
    return inet_pton(AF_INET6, s, a->b) == 1;
}

/* Seconds (a decimal fraction allowed) to microseconds; true if valid. */
static bool parse_secs(const char *s, uint64_t *us)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end || !(v >= 0.0 && v <= SYNTH_SCAN_DUR)) {
        return false;
    }
    *us = (uint64_t)(v * 1e6 + 0.5);
    return true;
}

/* Cuts the next ':'-separated field off *p (an IPv6 literal keeps its brackets);
 * NULL when there is none. */
static char *scan_field(char **p)
{
    char *s = *p, *e;

    if (s == NULL) {
        return NULL;
    }
    e = s[0] == '[' ? strchr(s, ']') : s;
    if (e == NULL) {
        return NULL;
    }
    e = strchr(e, ':');
    if (e != NULL) {
        *e = '\0';
        *p = e + 1;
    } else {
        *p = NULL;
    }
    return s;
}

/*
 * Parses one --scan KIND:SRC:TARGET:N[:KEY=VALUE,...] into o->scan[o->nscan++].
 * Returns 0, or -EINVAL after printing what is wrong.
 */
static int parse_scan(const char *spec, struct synth_opts *o)
{
    char buf[512], *p = buf, *kind, *src, *tgt, *num, *tok, *save = NULL;
    const char *why = "expected addr:SRC:PORT:N or port:SRC:DST:N[:OPTIONS]";
    struct synth_scan *sc = &o->scan[o->nscan];
    uint64_t v, first = 1;
    uint8_t v6;
    bool net = false;

    if (o->nscan >= SYNTH_SCAN_MAX) {
        why = "too many scans (at most 64)";
        goto out_bad;
    }
    if (strlen(spec) >= sizeof(buf)) {
        goto out_bad;
    }
    strcpy(buf, spec);
    memset(sc, 0, sizeof(*sc));
    sc->rej = 0.5;
    sc->dur = 60000000;
    kind = scan_field(&p);
    src = scan_field(&p);
    tgt = scan_field(&p);
    num = scan_field(&p);
    if (kind == NULL || src == NULL || tgt == NULL || num == NULL) {
        goto out_bad;
    }
    if (strcmp(kind, "addr") == 0) {
        sc->kind = SYNTH_SCAN_ADDR;
    } else if (strcmp(kind, "port") == 0) {
        sc->kind = SYNTH_SCAN_PORT;
    } else {
        why = "the kind is addr or port";
        goto out_bad;
    }
    if (!parse_addr(src, &sc->src, &sc->v6)) {
        why = "bad source address (IPv6 in brackets: [fd00::1])";
        goto out_bad;
    }
    if (sc->kind == SYNTH_SCAN_ADDR) {
        if (parse_u64(tgt, &v, false) != 0 || v < 1 || v > 65535) {
            why = "bad port";
            goto out_bad;
        }
        sc->port = (uint16_t)v;
    } else if (!parse_addr(tgt, &sc->dst, &v6) || v6 != sc->v6) {
        why = "bad target address (same family as the source)";
        goto out_bad;
    }
    if (parse_u64(num, &v, false) != 0 || v < 1 || v > SYNTH_SCAN_NMAX) {
        why = "N is 1-64512";
        goto out_bad;
    }
    sc->n = (uint32_t)v;
    for (tok = p ? strtok_r(p, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        char *val = strchr(tok, '=');
        bool ok = val != NULL;
        if (ok) {
            *val++ = '\0';
        }
        if (!ok) {
            why = "options are KEY=VALUE,...";
        } else if (strcmp(tok, "rej") == 0) {
            ok = parse_frac(val, &sc->rej) == 0;
            why = "rej= is a fraction 0-1";
        } else if (strcmp(tok, "dur") == 0) {
            ok = parse_secs(val, &sc->dur);
            why = "dur= is 0-86400 seconds";
        } else if (strcmp(tok, "at") == 0) {
            ok = parse_secs(val, &sc->at);
            why = "at= is 0-86400 seconds";
        } else if (strcmp(tok, "net") == 0 && sc->kind == SYNTH_SCAN_ADDR) {
            ok = parse_addr(val, &sc->dst, &v6) && v6 == sc->v6;
            net = true;
            why = "bad net= address (same family as the source)";
        } else if (strcmp(tok, "ports") == 0 && sc->kind == SYNTH_SCAN_PORT) {
            ok = parse_u64(val, &first, false) == 0 && first >= 1 && first <= 65535;
            why = "bad ports= (first port, 1-65535)";
        } else {
            ok = false;
            why = sc->kind == SYNTH_SCAN_ADDR ? "unknown option (rej, dur, at, net)"
                                              : "unknown option (rej, dur, at, ports)";
        }
        if (!ok) {
            goto out_bad;
        }
    }
    if (sc->kind == SYNTH_SCAN_PORT) {
        if (first + sc->n - 1 > 65535) {
            why = "ports run past 65535";
            goto out_bad;
        }
        sc->port = (uint16_t)first;
    } else {
        const uint8_t *b = sc->dst.b + (sc->v6 ? 12 : 0);
        if (!net) {
            static const uint8_t d6[16] = {0xfd, 0, 0x5a, 0x17, 0, 0, 0, 0x99,
                                           0,    0, 0,    0,    0, 0, 0, 1};
            static const uint8_t d4[4] = {10, 99, 0, 1};
            memcpy(sc->dst.b, sc->v6 ? d6 : d4, sc->v6 ? 16 : 4);
        }
        v = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
        if (v + sc->n - 1 > 0xffffffffULL) {
            why = "targets run past the end of the address space";
            goto out_bad;
        }
    }
    o->nscan++;
    return 0;
out_bad:
    fprintf(stderr, PROG ": bad --scan '%s': %s\n", spec, why);
    return -EINVAL;
}

/* Returns 0, 1 for -h, or -EINVAL after printing a message. */
static int parse_args(int argc, char **argv, struct synth_opts *o)
{
    uint64_t v;
    double f;
    int c, li = 0, err = 0;
    const char *bad = NULL;
    bool size_given = false, conns_given = false;

    opts_default(o);
    while ((c = getopt_long(argc, argv, "o:s:qh", longopts, &li)) != -1) {
        bad = optarg;
        switch (c) {
        case 'o':
            o->out = optarg;
            break;
        case 's':
            err = parse_u64(optarg, &o->seed, false);
            break;
        case OPT_SIZE:
            err = parse_u64(optarg, &o->size, true);
            size_given = true;
            break;
        case OPT_CONNS:
            err = parse_u64(optarg, &o->conns, false);
            conns_given = true;
            break;
        case OPT_CONC:
            err = parse_u64(optarg, &v, false);
            if (err == 0 && (v < 1 || v > 50000000)) {
                err = -EINVAL;
            }
            o->concurrent = (uint32_t)v;
            break;
        case OPT_SUMMARY:
            o->summary = optarg;
            break;
        case OPT_MIX:
            err = parse_mix(optarg, o->mix);
            break;
        case OPT_IPV6:
            err = parse_frac(optarg, &o->ipv6);
            break;
        case OPT_VLAN:
            err = parse_frac(optarg, &o->vlan);
            break;
        case OPT_CLIENTS:
        case OPT_SERVERS:
            err = parse_u64(optarg, &v, false);
            if (err == 0 && (v < 1 || v > 16000000)) {
                err = -EINVAL;
            }
            if (c == OPT_CLIENTS) {
                o->clients = (uint32_t)v;
            } else {
                o->servers = (uint32_t)v;
            }
            break;
        case OPT_START:
            err = parse_u64(optarg, &v, false);
            if (err == 0 && v > 4000000000u) {
                err = -EINVAL;
            }
            o->start = (uint32_t)v;
            break;
        case OPT_RETX:
        case OPT_LOSS:
        case OPT_OOO:
        case OPT_ZWIN:
        case OPT_FRAG:
        case OPT_FAIL:
            err = parse_frac(optarg, &f);
            *(c == OPT_RETX   ? &o->retx
              : c == OPT_LOSS ? &o->loss
              : c == OPT_OOO  ? &o->ooo
              : c == OPT_ZWIN ? &o->zwin
              : c == OPT_FRAG ? &o->frag
                              : &o->fail) = f;
            break;
        case OPT_NOIMP:
            o->retx = o->loss = o->ooo = o->zwin = o->frag = 0.0;
            break;
        case OPT_HOLD:
            err = parse_u64(optarg, &o->hold, false);
            if (err == 0 && o->hold > 60000ULL * 28000) {
                err = -EINVAL;
            }
            break;
        case OPT_HOLDSYN:
            o->hold_syn = 1;
            break;
        case OPT_HOLDCLOSE:
            o->hold_close = strcmp(optarg, "none") == 0  ? 0
                            : strcmp(optarg, "fin") == 0 ? 1
                            : strcmp(optarg, "rst") == 0 ? 2
                                                         : -1;
            err = o->hold_close < 0 ? -EINVAL : 0;
            break;
        case OPT_HOLDRATE:
            err = parse_u64(optarg, &v, false);
            if (err == 0 && (v < 1 || v > 100000000)) {
                err = -EINVAL;
            }
            o->hold_rate = (uint32_t)v;
            break;
        case OPT_HOLDHOLE:
            err = parse_u64(optarg, &o->hold_hole, true);
            if (err == 0 && o->hold_hole > (1ULL << 30)) {
                err = -EINVAL;
            }
            break;
        case OPT_MAXBODY:
            err = parse_u64(optarg, &v, true);
            if (err == 0 && (v < 1 || v > 100000000)) {
                err = -EINVAL;
            }
            o->max_body = (uint32_t)v;
            break;
        case OPT_SCAN:
            if (parse_scan(optarg, o) != 0) {
                return -EINVAL;
            }
            break;
        case OPT_ENCAP:
            o->encap = synth_encap_parse(optarg);
            if (o->encap < 0) {
                fprintf(stderr,
                        PROG ": bad --encap '%s': expected vxlan, geneve, gtp, gre-udp, gre, "
                             "80211 or radiotap\n",
                        optarg);
                return -EINVAL;
            }
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -EINVAL;
        }
        if (err != 0) {
            if (c < 256) {
                fprintf(stderr, PROG ": bad value '%s' for option -%c\n", bad ? bad : "", c);
            } else {
                fprintf(stderr, PROG ": bad value '%s' for option --%s\n", bad ? bad : "",
                        longopts[li].name);
            }
            return -EINVAL;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
        return -EINVAL;
    }
    if (o->out == NULL) {
        fprintf(stderr, PROG ": no output file: give -o FILE.pcap (-h for help)\n");
        return -EINVAL;
    }
    if (!size_given && !conns_given && o->hold == 0) {
        o->size = 100ULL << 20;
    }
    o->size_set = size_given || conns_given || o->hold == 0;
    o->no_sess = !o->size_set || (conns_given && o->conns == 0);
    return 0;
}

/* ---------------------------------------------------------------- scheduler */

struct sched {
    struct synth_sess *sess;
    uint32_t *heap;
    uint32_t n;
};

static bool before(const struct sched *q, uint32_t a, uint32_t b)
{
    const struct synth_sess *x = &q->sess[a], *y = &q->sess[b];

    return x->t < y->t || (x->t == y->t && a < b);
}

static void sift_down(struct sched *q, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i, tmp;
        if (l < q->n && before(q, q->heap[l], q->heap[m])) {
            m = l;
        }
        if (r < q->n && before(q, q->heap[r], q->heap[m])) {
            m = r;
        }
        if (m == i) {
            return;
        }
        tmp = q->heap[i];
        q->heap[i] = q->heap[m];
        q->heap[m] = tmp;
        i = m;
    }
}

struct budget {
    uint64_t target; /* file size to aim at, 0 = no size limit */
    int64_t pending; /* bytes still expected from open sessions */
    bool closed;     /* no more sessions */
};

/* Starts a session in slot i at time t if the limits allow; true if started. */
static bool admit(struct synth_gen *g, struct budget *b, struct synth_sess *s, uint64_t t)
{
    int64_t room = -1, e;

    if (b->closed || g->o.no_sess || (g->o.conns && g->nsess >= g->o.conns)) {
        return false;
    }
    if (b->target) {
        room = (int64_t)b->target - (int64_t)g->pw.file - b->pending;
        if (room < 400) {
            return false;
        }
    }
    /*
     * A session too big for the room left is drawn again only while the room
     * is large (so only sessions bigger than 1/20 of the file are ever
     * refused); near the end the first refusal stops all admissions, which
     * keeps the mix of kinds unbiased.
     */
    for (;;) {
        e = synth_sess_new(g, s, t, room);
        if (e >= 0) {
            b->pending += e;
            return true;
        }
        if (room <= (int64_t)(b->target / 20)) {
            b->closed = true;
            return false;
        }
    }
}

/*
 * Runs the regular sessions from time t0 until the limits stop them, and the
 * scans: slots 0 to concurrent - 1 hold sessions, the nscan slots after them
 * one scan each, which leaves the heap when its last probe is out.
 */
static int run_sessions(struct synth_gen *g, uint64_t t0, uint64_t target, uint64_t *t_end)
{
    struct sched q = {0};
    struct budget b = {target, 0, false};
    uint64_t steps = 0, last = t0;
    uint32_t nslot = g->o.concurrent + g->o.nscan;
    int err = 0;

    q.sess = calloc(nslot, sizeof(*q.sess));
    q.heap = calloc(nslot, sizeof(*q.heap));
    if (q.sess == NULL || q.heap == NULL) {
        err = -ENOMEM;
        goto out_free;
    }
    for (uint32_t i = 0; i < g->o.concurrent; i++) {
        uint64_t spread = g->o.concurrent > 1000 ? 1000000 + g->o.concurrent / 10 : 1000000;
        if (!admit(g, &b, &q.sess[i], t0 + synth_below(&g->rng, (uint32_t)spread))) {
            break;
        }
        q.heap[q.n++] = i;
    }
    for (unsigned k = 0; k < g->o.nscan; k++) {
        synth_scan_start(g, &q.sess[g->o.concurrent + k], k, t0);
        q.heap[q.n++] = g->o.concurrent + k;
    }
    for (uint32_t i = q.n / 2; i-- > 0;) {
        sift_down(&q, i);
    }
    while (q.n > 0) {
        uint32_t i = q.heap[0];
        struct synth_sess *s = &q.sess[i];
        uint64_t f0 = g->pw.file;
        int64_t old = s->est > 0 ? s->est : 0;
        bool alive = synth_sess_step(g, s);

        if (s->t > last) {
            last = s->t;
        }
        if (i >= g->o.concurrent) {
            /* A scan: its bytes count in the file size but it is never replaced. */
            if (!alive) {
                q.heap[0] = q.heap[--q.n];
            }
        } else {
            s->est -= (int64_t)(g->pw.file - f0);
            b.pending += (s->est > 0 ? s->est : 0) - old;
            if (!alive) {
                b.pending -= s->est > 0 ? s->est : 0;
                if (!admit(g, &b, s, s->t + synth_logu(&g->rng, 100, 50000))) {
                    q.heap[0] = q.heap[--q.n];
                }
            }
        }
        sift_down(&q, 0);
        if ((++steps & 0xffff) == 0 && g->pw.err) {
            break;
        }
    }
    *t_end = last;
out_free:
    free(q.sess);
    free(q.heap);
    return err;
}

/* ---------------------------------------------------------------- summary */

static void jkv(FILE *f, const char *k, uint64_t v, bool comma)
{
    fprintf(f, "\"%s\": %" PRIu64 "%s", k, v, comma ? ", " : "");
}

/* "k": "address", for address a plus add (in its last 32 bits). */
static void jaddr(FILE *f, const char *k, const struct synth_addr *a, bool v6, uint32_t add,
                  bool comma)
{
    struct synth_addr x = *a;
    uint8_t *b = x.b + (v6 ? 12 : 0);
    char s[INET6_ADDRSTRLEN];
    uint32_t v = ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) + add;

    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
    if (inet_ntop(v6 ? AF_INET6 : AF_INET, x.b, s, sizeof(s)) == NULL) {
        strcpy(s, "?");
    }
    fprintf(f, "\"%s\": \"%s\"%s", k, s, comma ? ", " : "");
}

/* The "scans" array: one object per --scan, in command-line order. */
static void write_scans(const struct synth_gen *g, FILE *f)
{
    double t0 = g->o.start;

    fprintf(f, ",\n  \"scans\": [");
    for (unsigned i = 0; i < g->o.nscan; i++) {
        const struct synth_scan *sc = &g->o.scan[i];
        const struct synth_scan_run *r = &g->scan_run[i];
        bool addr = sc->kind == SYNTH_SCAN_ADDR;

        fprintf(f, "%s\n    {\"kind\": \"%s\", ", i ? "," : "", addr ? "addr" : "port");
        jaddr(f, "src", &sc->src, sc->v6, 0, true);
        if (addr) {
            jkv(f, "port", sc->port, true);
            jaddr(f, "dst_first", &sc->dst, sc->v6, 0, true);
            jaddr(f, "dst_last", &sc->dst, sc->v6, sc->n - 1, false);
        } else {
            jaddr(f, "dst", &sc->dst, sc->v6, 0, true);
            jkv(f, "port_first", sc->port, true);
            jkv(f, "port_last", sc->port + sc->n - 1, false);
        }
        fprintf(f, ",\n     ");
        jkv(f, "targets", sc->n, true);
        jkv(f, "probes", r->rejected + r->unanswered, true);
        jkv(f, "rejected", r->rejected, true);
        jkv(f, "unanswered", r->unanswered, true);
        fprintf(f, "\"first_ts\": %.6f, \"last_ts\": %.6f,\n     ", t0 + (double)r->first_t / 1e6,
                t0 + (double)r->last_t / 1e6);
        fprintf(f, "\"options\": {\"rej\": %.6g, \"dur\": %.6f, \"at\": %.6f}}", sc->rej,
                (double)sc->dur / 1e6, (double)sc->at / 1e6);
    }
    fprintf(f, "\n  ]");
}

/* Writes the ground truth to f and closes it; returns 0 or a negative errno. */
static int write_summary(const struct synth_gen *g, FILE *f, uint64_t t_end)
{
    const struct synth_opts *o = &g->o;
    const struct synth_stats *s = &g->st;
    static const char *const qt[6] = {"A", "AAAA", "CNAME", "MX", "TXT", "PTR"};
    int err = 0;

    fprintf(f, "{\n  \"generator\": \"shoal-synth\", \"format\": 1,\n");
    fprintf(f, "  \"seed\": %" PRIu64 ",\n", o->seed);
    fprintf(f,
            "  \"options\": {\"size\": %" PRIu64 ", \"conns\": %" PRIu64
            ", \"concurrent\": %u, \"clients\": %u, \"servers\": %u, \"start\": %u, \"mix\": {",
            o->size, o->conns, o->concurrent, o->clients, o->servers, o->start);
    for (int k = 0; k < SYNTH_K_COUNT; k++) {
        fprintf(f, "\"%s\": %u%s", kind_names[k], o->mix[k], k + 1 < SYNTH_K_COUNT ? ", " : "");
    }
    fprintf(f,
            "}, \"ipv6\": %.6g, \"vlan\": %.6g, \"retx\": %.6g, \"loss\": %.6g, "
            "\"ooo\": %.6g, \"zero_window\": %.6g, \"frag\": %.6g, \"fail\": %.6g, "
            "\"hold\": %" PRIu64 ", \"hold_syn\": %s, \"hold_close\": \"%s\", "
            "\"hold_rate\": %u, \"hold_hole\": %" PRIu64 ", \"max_body\": %u},\n",
            o->ipv6, o->vlan, o->retx, o->loss, o->ooo, o->zwin, o->frag, o->fail, o->hold,
            o->hold_syn ? "true" : "false",
            o->hold_close == 0   ? "none"
            : o->hold_close == 1 ? "fin"
                                 : "rst",
            o->hold_rate, o->hold_hole, o->max_body);
    fprintf(f, "  \"first_ts\": %u, \"last_ts\": %.6f,\n", o->start,
            o->start + (double)t_end / 1e6);
    fprintf(f, "  ");
    jkv(f, "packets", g->pw.packets, true);
    jkv(f, "wire_bytes", g->pw.wire, true);
    jkv(f, "file_bytes", g->pw.file, false);
    fprintf(f, ",\n  \"encap\": {\"kind\": \"%s\", \"linktype\": %u, ", synth_encap_name(o->encap),
            synth_encap_linktype(o->encap));
    jkv(f, "tunnels", (uint64_t)__builtin_popcount(g->pw.encap_pairs), false);
    fprintf(f, "}");
    fprintf(f, ",\n  \"sessions\": {");
    for (int k = 0; k < SYNTH_K_COUNT; k++) {
        jkv(f, kind_names[k], s->sessions[k], k + 1 < SYNTH_K_COUNT);
    }
    fprintf(f, "},\n  \"connections\": {");
    jkv(f, "total", s->conns, true);
    jkv(f, "tcp", s->conns_tcp, true);
    jkv(f, "udp", s->conns_udp, true);
    jkv(f, "icmp", s->conns_icmp, true);
    jkv(f, "ipv6", s->conns_v6, true);
    jkv(f, "vlan", s->conns_vlan, true);
    jkv(f, "held", s->held, false);
    fprintf(f, "},\n  \"tcp\": {");
    jkv(f, "connections", s->conns_tcp, true);
    jkv(f, "handshake_completed", s->tcp_hs, true);
    jkv(f, "rejected", s->tcp_rej, true);
    jkv(f, "unanswered_syn", s->tcp_s0, true);
    jkv(f, "half_open", s->tcp_halfopen, true);
    jkv(f, "fin_closed", s->tcp_fin, true);
    jkv(f, "rst_by_client", s->tcp_rst_c, true);
    jkv(f, "rst_by_server", s->tcp_rst_s, true);
    jkv(f, "left_open", s->tcp_open, true);
    fprintf(f, "\n    \"conn_state\": {");
    jkv(f, "SF", s->tcp_fin, true);
    jkv(f, "S0", s->tcp_s0, true);
    jkv(f, "REJ", s->tcp_rej, true);
    jkv(f, "RSTO", s->tcp_rst_c, true);
    jkv(f, "RSTR", s->tcp_rst_s, true);
    jkv(f, "S1", s->tcp_open + s->tcp_halfopen, false);
    fprintf(f, "}},\n  \"dns\": {");
    jkv(f, "udp_connections", s->dns_udp, true);
    jkv(f, "tcp_connections", s->dns_tcp, true);
    jkv(f, "queries", s->dns_q, true);
    jkv(f, "responses", s->dns_r, true);
    jkv(f, "transactions", s->dns_q, true);
    jkv(f, "unanswered", s->dns_noans, true);
    jkv(f, "nxdomain", s->dns_nx, true);
    jkv(f, "edns", s->dns_edns, true);
    jkv(f, "fragmented_responses", s->dns_frag, true);
    fprintf(f, "\"qtype\": {");
    for (int i = 0; i < 6; i++) {
        jkv(f, qt[i], s->dns_qtype[i], i < 5);
    }
    fprintf(f, "}},\n  \"http\": {");
    jkv(f, "connections", s->http_conns, true);
    jkv(f, "requests", s->http_req, true);
    jkv(f, "responses", s->http_req, true);
    fprintf(f, "\"methods\": {");
    jkv(f, "GET", s->http_get, true);
    jkv(f, "POST", s->http_post, false);
    fprintf(f, "}, \"status\": {");
    jkv(f, "200", s->http_status[0], true);
    jkv(f, "301", s->http_status[1], true);
    jkv(f, "404", s->http_status[2], true);
    jkv(f, "500", s->http_status[3], false);
    fprintf(f, "},\n    ");
    jkv(f, "chunked_responses", s->http_chunked_resp, true);
    jkv(f, "chunked_requests", s->http_chunked_req, true);
    jkv(f, "expect_100_continue", s->http_100, true);
    jkv(f, "keepalive_connections", s->http_keepalive, true);
    jkv(f, "pipelined_connections", s->http_pipe, true);
    jkv(f, "nonstandard_port_connections", s->http_altport, false);
    fprintf(f, "},\n  \"tls\": {");
    jkv(f, "connections", s->tls_conns, true);
    jkv(f, "client_hellos", s->tls_conns, true);
    jkv(f, "server_hellos", s->tls_conns, true);
    jkv(f, "with_sni", s->tls_sni, true);
    jkv(f, "tls13", s->tls13, true);
    jkv(f, "tls12_resumed", s->tls12, false);
    fprintf(f, "},\n  \"icmp\": {");
    jkv(f, "sessions", s->icmp_sessions, true);
    jkv(f, "echo_requests", s->icmp_req, true);
    jkv(f, "echo_replies", s->icmp_rep, true);
    jkv(f, "icmpv6_sessions", s->icmp_v6, true);
    jkv(f, "oversized_sessions", s->icmp_frag, false);
    fprintf(f, "},\n  \"ntp\": {");
    jkv(f, "connections", s->ntp_conns, true);
    jkv(f, "messages", s->ntp_msgs, true);
    jkv(f, "records", s->ntp_msgs, false);
    fprintf(f, "},\n  \"quic\": {");
    jkv(f, "connections", s->quic_conns, true);
    jkv(f, "v2_connections", s->quic_v2, true);
    jkv(f, "v2_records", s->quic_v2_records, true);
    jkv(f, "retries", s->quic_retries, true);
    jkv(f, "records", s->quic_conns + s->quic_retries, true);
    jkv(f, "ssl_records", s->quic_conns, true);
    /* quic.log's history: I S i s h, then per round of short packets an O
     * (o) when a direction's count reaches a power of two */
    fprintf(f, "\n    \"histories\": {");
    uint64_t by_o[8] = {0}; /* sessions by their number of O's */
    for (int r = 1; r <= SYNTH_QUIC_ROUNDS; r++) {
        int nos = 0;
        for (int k = 1; k <= r; k++) {
            nos += (k & (k - 1)) == 0;
        }
        by_o[nos] += s->quic_rounds[r];
    }
    bool first = s->quic_retries == 0;
    if (!first) {
        fprintf(f, "\"ISr\": %" PRIu64, s->quic_retries); /* the record a Retry ends */
    }
    for (int no = 1; no < 8; no++) {
        if (by_o[no] > 0) {
            fprintf(f, "%s\"ISish", first ? "" : ", ");
            for (int k = 0; k < no; k++) {
                fputs("Oo", f);
            }
            fprintf(f, "\": %" PRIu64, by_o[no]);
            first = false;
        }
    }
    fprintf(f, "}");
    fprintf(f, "},\n  \"dhcp\": {");
    jkv(f, "exchanges", s->dhcp_sessions, true);
    jkv(f, "messages", s->dhcp_msgs, true);
    jkv(f, "broadcast_exchanges", s->dhcp_broadcast, true);
    jkv(f, "records", s->dhcp_sessions, false);
    fprintf(f, "},\n  \"ident\": {");
    jkv(f, "connections", s->ident_conns, true);
    jkv(f, "confirmed_connections", s->ident_confirmed, true);
    jkv(f, "queries", s->ident_q, true);
    jkv(f, "records", s->ident_q, true);
    jkv(f, "userid_replies", s->ident_userid, true);
    jkv(f, "error_replies", s->ident_error, true);
    jkv(f, "bad_replies", s->ident_bad, true);
    jkv(f, "unanswered", s->ident_noreply, true);
    jkv(f, "nonstandard_port_connections", s->ident_altport, true);
    fprintf(f, "\n    \"os\": {");
    for (int i = 0; i < SYNTH_IDENT_NOS; i++) {
        jkv(f, synth_ident_os[i], s->ident_os[i], i + 1 < SYNTH_IDENT_NOS);
    }
    fprintf(f, "}, \"errors\": {");
    for (int i = 0; i < SYNTH_IDENT_NERR; i++) {
        jkv(f, synth_ident_err[i], s->ident_err[i], i + 1 < SYNTH_IDENT_NERR);
    }
    fprintf(f, "}},\n  \"impairments\": {");
    jkv(f, "retransmitted_segments", s->retx, true);
    jkv(f, "out_of_order_segments", s->ooo, true);
    jkv(f, "lost_segments", s->lost, true);
    jkv(f, "lost_bytes", s->lost_bytes, true);
    jkv(f, "zero_window_events", s->zwin, true);
    fprintf(f, "\n    ");
    jkv(f, "fragmented_datagrams", s->frag_dgrams, true);
    jkv(f, "fragments", s->frags, true);
    jkv(f, "vlan_connections", s->conns_vlan, true);
    jkv(f, "vlan_packets", s->vlan_pkts, false);
    fprintf(f, "}");
    if (o->nscan) {
        write_scans(g, f);
    }
    fprintf(f, "\n}\n");
    if (ferror(f)) {
        err = -EIO;
    }
    if (fclose(f) != 0 && err == 0) {
        err = -errno;
    }
    return err;
}

int main(int argc, char **argv)
{
    struct synth_gen *g;
    FILE *sumf = NULL;
    struct timespec a, b;
    uint64_t t = 0, t_end = 0, held_close_est = 0;
    double secs;
    int err, rc = 1;

    g = calloc(1, sizeof(*g));
    if (g == NULL) {
        fprintf(stderr, PROG ": out of memory\n");
        return 1;
    }
    err = parse_args(argc, argv, &g->o);
    if (err != 0) {
        free(g);
        return err > 0 ? 0 : 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    g->rng = synth_hash(g->o.seed, 0x5eed);
    g->next = g->o.clients / 4 + 16;
    g->cport = calloc(g->o.clients, sizeof(uint16_t));
    g->eport = calloc(g->next, sizeof(uint16_t));
    if (g->cport == NULL || g->eport == NULL || synth_app_init(g) != 0) {
        fprintf(stderr, PROG ": out of memory\n");
        goto out_free;
    }
    if (g->o.summary) {
        /* Opened first so a bad path fails before a long run. */
        sumf = fopen(g->o.summary, "w");
        if (sumf == NULL) {
            fprintf(stderr, PROG ": %s: open: %s\n", g->o.summary, strerror(errno));
            goto out_free;
        }
    }
    g->pw.encap = g->o.encap;
    err = synth_pw_open(&g->pw, g->o.out, g->o.start);
    if (err != 0) {
        fprintf(stderr, PROG ": %s: open: %s\n", g->o.out, strerror(-err));
        goto out_free;
    }
    if (g->o.hold) {
        g->st.held = g->o.hold;
        g->st.conns += g->o.hold;
        g->st.conns_tcp += g->o.hold;
        g->st.conns_v6 += g->o.hold / 10;
        if (g->o.hold_syn) {
            g->st.tcp_s0 += g->o.hold;
        } else {
            g->st.tcp_hs += g->o.hold;
            if (g->o.hold_close == 1) {
                g->st.tcp_fin += g->o.hold;
                held_close_est = g->o.hold * 3 * 80;
            } else if (g->o.hold_close == 2) {
                g->st.tcp_rst_c += g->o.hold;
                held_close_est = g->o.hold * 80;
            } else {
                g->st.tcp_open += g->o.hold;
            }
        }
        t = synth_hold_run(g, 0, 0) + 1000000;
        t_end = t;
    }
    if (g->o.size_set || g->o.nscan) {
        uint64_t target = 0;
        if (g->o.size) {
            target = g->o.size > held_close_est ? g->o.size - held_close_est : 1;
        }
        err = run_sessions(g, t, target, &t_end);
        if (err != 0) {
            fprintf(stderr, PROG ": out of memory for %u sessions\n", g->o.concurrent);
            synth_pw_close(&g->pw);
            goto out_free;
        }
    }
    if (g->o.hold && g->pw.err == 0) {
        t_end = synth_hold_run(g, 1, t_end + 1000000);
    }
    if (g->o.hold && !g->o.hold_syn && g->o.hold_close == 0 && t_end < t) {
        t_end = t;
    }
    t_end = g->pw.last_t > t_end ? g->pw.last_t : t_end;
    err = synth_pw_close(&g->pw);
    if (err != 0) {
        fprintf(stderr, PROG ": %s: write: %s\n", g->o.out, strerror(-err));
        goto out_free;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    if (sumf != NULL) {
        err = write_summary(g, sumf, t_end);
        sumf = NULL;
        if (err != 0) {
            fprintf(stderr, PROG ": %s: write: %s\n", g->o.summary, strerror(-err));
            goto out_free;
        }
    }
    if (!g->o.quiet) {
        fprintf(stderr,
                PROG ": wrote %s: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
                     " connections, %.1f s of traffic, in %.2f s (%.0f MB/s)\n",
                g->o.out, g->pw.packets, g->pw.file, g->st.conns, (double)t_end / 1e6, secs,
                secs > 0 ? (double)g->pw.file / 1e6 / secs : 0.0);
    }
    rc = 0;
out_free:
    if (sumf != NULL) {
        fclose(sumf);
    }
    synth_app_fini(g);
    free(g->cport);
    free(g->eport);
    free(g);
    return rc;
}
