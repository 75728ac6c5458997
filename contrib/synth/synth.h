/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal-synth: declarations shared by the traffic synthesiser's files. The
 * program is single-threaded and fully deterministic: one seeded generator
 * (splitmix64) drives every choice, content is derived from per-session seeds,
 * and nothing depends on wall time, addresses of objects or hash-table order,
 * so the same seed and options always give a byte-identical pcap. Sessions are
 * small state machines run by a time-ordered heap (synth_main.c); each step
 * emits zero or more packets (synth_sess.c) whose payload comes from the
 * application renderers (synth_app.c) and whose framing, checksums and pcap
 * records come from synth_pkt.c.
 */
#ifndef SHOAL_SYNTH_H
#define SHOAL_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNTH_MSS4 1460
#define SYNTH_MSS6 1440
#define SYNTH_MTU 1500
#define SYNTH_IDENT_PORT 113 /* RFC 1413 */
#define SYNTH_FRAME_MAX 2048 /* room reserved for one frame in the writer */
#define SYNTH_PAT_SIZE 65536 /* content pattern, a power of two */
#define SYNTH_PAT_PAD 4096   /* copy of the pattern's head after its end */
#define SYNTH_SCRATCH 70000  /* prefix renders and whole datagrams */

/* Traffic kinds chosen by --mix. */
enum synth_kind {
    SYNTH_K_TCP,
    SYNTH_K_DNS,
    SYNTH_K_HTTP,
    SYNTH_K_TLS,
    SYNTH_K_ICMP,
    SYNTH_K_IDENT, /* not in the default mix: --mix ident=N */
    SYNTH_K_NTP,   /* nor these: --mix ntp=N, dhcp=N */
    SYNTH_K_DHCP,
    SYNTH_K_SMTP, /* not in the default mix: --mix smtp=N */
    SYNTH_K_FTP,  /* not in the default mix: --mix ftp=N (control channel only) */
    SYNTH_K_QUIC, /* not in the default mix: --mix quic=N (udp/443) */
    SYNTH_K_COUNT
};

/* Session sub-kinds (what the state machine runs). */
enum synth_sub {
    SYNTH_SUB_TCP, /* generic TCP, also all failure modes */
    SYNTH_SUB_HTTP,
    SYNTH_SUB_TLS,
    SYNTH_SUB_DNSTCP,
    SYNTH_SUB_DNSUDP,
    SYNTH_SUB_ICMP,
    SYNTH_SUB_SCAN, /* one --scan: its probes one after another */
    SYNTH_SUB_IDENT,
    SYNTH_SUB_NTP,
    SYNTH_SUB_DHCP,
    SYNTH_SUB_SMTP,
    SYNTH_SUB_FTP,
    SYNTH_SUB_QUIC
};

/* How a TCP session fails or ends. */
enum synth_fail {
    SYNTH_FAIL_NONE,
    SYNTH_FAIL_UNANSWERED, /* SYN, SYN retransmissions, nothing back: S0 */
    SYNTH_FAIL_REJECTED,   /* SYN -> RST/ACK: REJ */
    SYNTH_FAIL_HALFOPEN    /* SYN, SYN/ACK (retransmitted), no final ACK */
};

enum synth_end {
    SYNTH_END_FIN_C, /* client FIN first: SF */
    SYNTH_END_FIN_S, /* server FIN first: SF */
    SYNTH_END_RST_C, /* client aborts: RSTO */
    SYNTH_END_RST_S, /* server aborts: RSTR */
    SYNTH_END_OPEN   /* nothing after the data: S1 */
};

/* Message types of one TCP "turn" (a run of bytes in one direction). */
enum synth_msgtype {
    SYNTH_MSG_RAW,
    SYNTH_MSG_HTTP_REQ,
    SYNTH_MSG_HTTP_100,
    SYNTH_MSG_HTTP_REQBODY,
    SYNTH_MSG_HTTP_RESP,
    SYNTH_MSG_TLS_CH,
    SYNTH_MSG_TLS_SFLIGHT,
    SYNTH_MSG_TLS_CFIN,
    SYNTH_MSG_TLS_DATA,
    SYNTH_MSG_TLS_ALERT,
    SYNTH_MSG_DNS_Q,
    SYNTH_MSG_DNS_R,
    SYNTH_MSG_IDENT_Q,
    SYNTH_MSG_IDENT_R,
    SYNTH_MSG_MAIL /* a step of an SMTP or FTP session (synth_mail.c) */
};

/* Body framings. */
enum synth_enc {
    SYNTH_ENC_NONE,
    SYNTH_ENC_RAW,
    SYNTH_ENC_CHUNKED, /* HTTP chunked transfer coding */
    SYNTH_ENC_TLSREC   /* TLS application-data records */
};

struct synth_addr {
    uint8_t b[16]; /* IPv4 in b[0..3] */
};

/* The current turn: a rendered prefix followed by a framed pattern body. */
struct synth_msg {
    uint8_t type;
    uint8_t enc;
    uint8_t pat; /* 0 text, 1 binary */
    uint8_t spare;
    uint16_t j;     /* request / transaction index in the session */
    uint16_t csize; /* chunk or record payload size */
    uint32_t hlen;  /* prefix length */
    uint32_t plen;  /* body payload length before framing */
    uint32_t blen;  /* body length after framing */
    uint32_t poff;  /* offset of the body in the pattern */
};

/* One session; side 0 is the client (originator), side 1 the server. */
struct synth_sess {
    uint64_t t; /* next event, microseconds from the start */
    uint64_t id;
    uint64_t seed; /* content seed */
    int64_t est;   /* bytes still expected (admission control) */
    struct synth_addr addr[2];
    uint8_t mac[2][6];
    uint16_t port[2];
    uint16_t vlan;
    uint16_t ipid[2];
    uint8_t ttl[2];
    uint8_t kind, sub, v6, phase;
    uint8_t fail, end, tries, app;
    uint32_t srv;      /* server (name) index */
    uint32_t rtt, gap; /* round trip, gap between segments; microseconds */
    uint32_t think;    /* client idle between requests */
    uint32_t start_s;  /* start second, for HTTP Date headers */
    uint32_t iss[2], nxt[2];
    uint32_t tseq0, tlen, toff;
    uint32_t retx_off, ooo_off;
    uint16_t retx_len, ooo_len;
    uint8_t tdir, unacked, zw, ooo;
    uint16_t j, n; /* app cursor: item, number of items */
    uint8_t part, pipe;
    uint16_t mss;
    struct synth_msg m;
};

/* Session app flags (synth_sess.app). */
#define SYNTH_APP_PIPELINE 0x01
#define SYNTH_APP_TLS13 0x02
#define SYNTH_APP_PAIR 0x04    /* DNS: A then AAAA on one socket */
#define SYNTH_APP_ALTPORT 0x08 /* HTTP or Ident on a non-standard port */
#define SYNTH_APP_INBOUND 0x10 /* external client, internal server */
#define SYNTH_APP_BIGPING 0x20
#define SYNTH_APP_NOREPLY 0x40

/* --scan: one source's failing connection attempts (SYN, then RST/ACK or nothing). */
#define SYNTH_SCAN_MAX 64      /* --scan options */
#define SYNTH_SCAN_NMAX 64512  /* probes per scan: distinct source ports 1024-65535 */
#define SYNTH_SCAN_DUR 86400.0 /* longest dur= and at=, seconds */

enum synth_scan_kind {
    SYNTH_SCAN_ADDR, /* one port on n hosts: dst, dst + 1, ... */
    SYNTH_SCAN_PORT  /* n ports of one host: port, port + 1, ... */
};

struct synth_scan {
    struct synth_addr src;
    struct synth_addr dst; /* addr scan: first target; port scan: the target */
    uint8_t kind, v6;
    uint16_t port; /* addr scan: the port; port scan: the first port */
    uint32_t n;    /* probes, each to another target */
    double rej;    /* fraction of probes rejected, the rest go unanswered */
    uint64_t at;   /* first probe, microseconds after the regular traffic starts */
    uint64_t dur;  /* probes spread over this many microseconds */
};

/* A scan while it runs, and its ground truth. */
struct synth_scan_run {
    uint64_t t0;   /* time of probe 0 without jitter */
    uint32_t step; /* probe k goes to target (k * step + off) % n */
    uint32_t off;
    uint32_t sport;    /* probe k's source port is 1024 + (sport + k) % 64512 */
    uint32_t rej_left; /* rejections still to place */
    uint64_t rejected, unanswered;
    uint64_t first_t, last_t; /* first and last SYN */
};

struct synth_opts {
    const char *out;
    const char *summary;
    uint64_t seed;
    uint64_t size;  /* target file size, 0 = none */
    uint64_t conns; /* session limit, 0 = none */
    uint32_t concurrent;
    uint32_t clients, servers;
    uint32_t start; /* epoch seconds of the first packet */
    unsigned mix[SYNTH_K_COUNT];
    double ipv6, vlan;
    double retx, loss, ooo, zwin, frag, fail;
    uint64_t hold;      /* held-open connections */
    int hold_syn;       /* SYN only instead of a full handshake */
    int hold_close;     /* 0 none, 1 FIN, 2 RST */
    uint32_t hold_rate; /* held connections opened per second */
    uint64_t hold_hole; /* bytes each sends behind a lost first segment */
    uint32_t max_body;  /* cap on a TCP message body (HTTP, TLS, raw), 0 = none */
    bool size_set, quiet;
    bool no_sess; /* no regular sessions (--conns 0, or --hold alone) */
    unsigned nscan;
    struct synth_scan scan[SYNTH_SCAN_MAX];
    int encap; /* SYNTH_ENCAP_* */
};

/* Ident replies: the operating systems and errors sessions draw from. */
#define SYNTH_IDENT_NOS 3  /* UNIX, WIN32, OTHER */
#define SYNTH_IDENT_NERR 4 /* NO-USER, HIDDEN-USER, INVALID-PORT, UNKNOWN-ERROR */
extern const char *const synth_ident_os[SYNTH_IDENT_NOS];
extern const char *const synth_ident_err[SYNTH_IDENT_NERR];

#define SYNTH_QUIC_ROUNDS 6 /* most rounds of short header packets of a QUIC session */

/* Ground truth counters, written as JSON. */
struct synth_stats {
    uint64_t sessions[SYNTH_K_COUNT];
    uint64_t conns, conns_tcp, conns_udp, conns_icmp, conns_v6, conns_vlan;
    uint64_t tcp_hs, tcp_rej, tcp_s0, tcp_halfopen, tcp_fin, tcp_rst_c, tcp_rst_s, tcp_open;
    uint64_t dns_udp, dns_tcp, dns_q, dns_r, dns_noans, dns_nx, dns_qtype[6], dns_frag;
    uint64_t dns_edns;
    uint64_t http_conns, http_req, http_get, http_post, http_status[4], http_chunked_resp;
    uint64_t http_chunked_req, http_100, http_pipe, http_keepalive, http_altport;
    uint64_t tls_conns, tls13, tls12, tls_sni;
    uint64_t icmp_sessions, icmp_req, icmp_rep, icmp_v6, icmp_frag;
    uint64_t retx, ooo, lost, lost_bytes, frag_dgrams, frags, vlan_pkts, zwin;
    uint64_t held;
    uint64_t tcp_payload;
    uint64_t ident_conns, ident_confirmed, ident_q, ident_userid, ident_error, ident_noreply;
    uint64_t ident_bad, ident_altport, ident_os[SYNTH_IDENT_NOS], ident_err[SYNTH_IDENT_NERR];
    uint64_t ntp_conns, ntp_msgs, dhcp_sessions, dhcp_msgs, dhcp_broadcast;
    uint64_t quic_conns, quic_v2, quic_v2_records, quic_retries, quic_rounds[SYNTH_QUIC_ROUNDS + 1];
};

/* --encap: what every frame is wrapped in (synth_encap.c). */
enum {
    SYNTH_ENCAP_NONE,
    SYNTH_ENCAP_VXLAN,
    SYNTH_ENCAP_GENEVE,
    SYNTH_ENCAP_GTP,
    SYNTH_ENCAP_GRE_UDP,
    SYNTH_ENCAP_GRE,
    SYNTH_ENCAP_80211,
    SYNTH_ENCAP_RADIOTAP,
    SYNTH_ENCAP_COUNT
};

/* The pcap writer. */
struct synth_pw {
    int fd;
    const char *path;
    uint8_t *buf;
    size_t len, cap;
    uint32_t start;
    uint64_t packets, wire, file;
    uint64_t last_t;
    int err;              /* first write error, negative errno; later writes are dropped */
    int encap;            /* SYNTH_ENCAP_*: set before synth_pw_open */
    unsigned encap_pairs; /* bit T: tunnel T (synth_encap_wrap) was used */
};

struct synth_gen {
    struct synth_opts o;
    uint64_t rng;
    struct synth_pw pw;
    struct synth_stats st;
    uint8_t *pat[2];  /* text and binary patterns, SYNTH_PAT_SIZE + SYNTH_PAT_PAD */
    uint8_t *scratch; /* prefix renders */
    uint8_t *dgram;   /* datagrams before fragmentation */
    uint16_t *cport;  /* next ephemeral port per internal client */
    uint16_t *eport;  /* next ephemeral port per external client */
    uint32_t next;    /* external clients */
    uint64_t nsess;
    uint64_t icmp_n;
    struct synth_scan_run scan_run[SYNTH_SCAN_MAX];
};

/* splitmix64: the one generator and mixer used everywhere. */
static inline uint64_t synth_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t synth_rand(uint64_t *st)
{
    *st += 0x9e3779b97f4a7c15ULL;
    return synth_mix(*st);
}

static inline uint64_t synth_hash(uint64_t a, uint64_t b)
{
    return synth_mix(a ^ synth_mix(b + 0x9e3779b97f4a7c15ULL));
}

/* Uniform in [0, n). */
static inline uint32_t synth_below(uint64_t *st, uint32_t n)
{
    return (uint32_t)(((synth_rand(st) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t synth_range(uint64_t *st, uint32_t lo, uint32_t hi)
{
    return lo + synth_below(st, hi - lo + 1);
}

/* True with probability p (exact dyadic comparison: deterministic everywhere). */
static inline bool synth_chance(uint64_t *st, double p)
{
    return (double)(synth_rand(st) >> 11) * 0x1.0p-53 < p;
}

/* Roughly log-uniform in [lo, hi] using integers only. */
uint32_t synth_logu(uint64_t *st, uint32_t lo, uint32_t hi);

/* synth_pkt.c: pcap writer. synth_pw_open returns 0 or a negative errno. */
int synth_pw_open(struct synth_pw *w, const char *path, uint32_t start);
/* Room for one frame of at most SYNTH_FRAME_MAX bytes. */
uint8_t *synth_pw_frame(struct synth_pw *w);
/* Finishes the frame returned by synth_pw_frame: len bytes at time t (µs). */
void synth_pw_commit(struct synth_pw *w, uint64_t t, uint32_t len);
/* Flushes and closes; returns 0 or the first negative errno of the file. */
int synth_pw_close(struct synth_pw *w);

/* synth_encap.c: --encap.  The kind named s (SYNTH_ENCAP_*), or -1. */
int synth_encap_parse(const char *s);
const char *synth_encap_name(int kind);
/* The pcap link type of frames wrapped in `kind`. */
uint32_t synth_encap_linktype(int kind);
/* Wrap the Ethernet frame of len bytes at f in place (room for 128 more
 * bytes after it); returns the new length and in *tunnel the tunnel
 * endpoint pair it took (0..3). */
uint32_t synth_encap_wrap(int kind, uint8_t *f, uint32_t len, unsigned *tunnel);

/* synth_pkt.c: framing. Header writers return the bytes written. */
size_t synth_put_l2(uint8_t *f, const struct synth_sess *s, int dir);
size_t synth_put_ip4(uint8_t *p, struct synth_sess *s, int dir, uint8_t proto, size_t paylen,
                     uint16_t id, uint16_t frag);
size_t synth_put_ip6(uint8_t *p, const struct synth_sess *s, int dir, uint8_t nh, size_t paylen);
/* Internet checksum of the pseudo-header and len bytes at l4 (already zeroed field). */
uint16_t synth_l4sum(const struct synth_sess *s, int dir, uint8_t proto, const uint8_t *l4,
                     size_t len);
uint16_t synth_csum(const uint8_t *p, size_t n);
/* Emits an UDP/ICMP datagram of len bytes at g->dgram, fragmenting it if needed;
 * computes its checksum (UDP, ICMP, ICMPv6). */
void synth_emit_dgram(struct synth_gen *g, struct synth_sess *s, int dir, uint8_t proto,
                      size_t len);

/* synth_app.c: hosts, names and application content. */
int synth_app_init(struct synth_gen *g);
void synth_app_fini(struct synth_gen *g);
void synth_client_addr(const struct synth_gen *g, uint32_t i, bool v6, struct synth_addr *a);
void synth_extclient_addr(const struct synth_gen *g, uint32_t i, bool v6, struct synth_addr *a);
void synth_server_addr(const struct synth_gen *g, uint32_t i, bool v6, struct synth_addr *a);
void synth_public_addr(uint64_t h, bool v6, struct synth_addr *a);
void synth_mac(const struct synth_addr *a, bool internal, uint8_t mac[6]);
bool synth_is_internal(const struct synth_addr *a, bool v6);
size_t synth_server_name(const struct synth_gen *g, uint32_t srv, char *out, size_t cap);
/* Sets s->m for the next turn of a TCP session; false when there is none. */
bool synth_app_next(struct synth_gen *g, struct synth_sess *s);

/* SMTP and FTP sessions (synth_mail.c): the number of steps of session s,
 * whether step j is the server's, and step j rendered into out (cap
 * bytes); all pure functions of the session seed. */
uint16_t synth_mail_steps(const struct synth_sess *s);
bool synth_mail_from_server(const struct synth_sess *s, uint32_t j);
size_t synth_mail_render(const struct synth_sess *s, uint32_t j, char *out, size_t cap);
/* Copies bytes [off, off + n) of the current turn to dst. */
void synth_app_fill(struct synth_gen *g, struct synth_sess *s, uint32_t off, uint8_t *dst,
                    uint32_t n);
/* Plans the application part of a new session: items, flags, ground truth,
 * estimated payload bytes (returned). */
uint64_t synth_app_plan(struct synth_gen *g, struct synth_sess *s, struct synth_stats *st);
/* DNS over UDP: renders query or response j into dst (>= SYNTH_SCRATCH); 0 if none. */
size_t synth_dns_udp(struct synth_gen *g, struct synth_sess *s, uint32_t j, bool resp,
                     uint8_t *dst);

/* synth_udp.c: NTP and DHCP sessions.  Plans a new session (ground truth,
 * returns its payload estimate), places it (server address and ports),
 * runs one step (false when the session is over). */
uint64_t synth_udp_plan(struct synth_gen *g, struct synth_sess *s, struct synth_stats *st);
void synth_udp_place(struct synth_gen *g, struct synth_sess *s);
bool synth_ntp_step(struct synth_gen *g, struct synth_sess *s);
bool synth_dhcp_step(struct synth_gen *g, struct synth_sess *s);
/* The connections (5-tuples) a planned DHCP session makes. */
unsigned synth_dhcp_conns(const struct synth_sess *s);

/* synth_quic.c: QUIC sessions: plan (ground truth, payload estimate),
 * place (server address and port), one step (false when over). */
uint64_t synth_quic_plan(struct synth_gen *g, struct synth_sess *s, struct synth_stats *st);
void synth_quic_place(struct synth_gen *g, struct synth_sess *s);
bool synth_quic_step(struct synth_gen *g, struct synth_sess *s);

/* synth_sess.c: session state machines. */
/* Runs one step of s at s->t; returns false when the session is over. */
bool synth_sess_step(struct synth_gen *g, struct synth_sess *s);
/* Initialises slot s as a new session starting at time t; returns its byte estimate,
 * or -1 when the session does not fit in budget bytes (the slot is left unused). */
int64_t synth_sess_new(struct synth_gen *g, struct synth_sess *s, uint64_t t, int64_t budget);
/* Initialises slot s to run scan i from time t0 (µs) and adds its connections to the
 * ground truth; the slot then steps through the probes until synth_sess_step says false. */
void synth_scan_start(struct synth_gen *g, struct synth_sess *s, unsigned i, uint64_t t0);
/* Held connections: opening (phase 0) or closing (phase 1); returns the end time. */
uint64_t synth_hold_run(struct synth_gen *g, int phase, uint64_t t0);

#endif /* SHOAL_SYNTH_H */
