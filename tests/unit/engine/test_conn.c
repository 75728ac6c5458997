/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the connection layer (core/engine/conn.c, core/engine/tcp.c) against
 * Zeek's conn.log semantics.  Each test builds Ethernet frames with
 * pktbuild, runs them through the real pipeline (shoal_decode, then
 * shoal_ctx_packet on a context writing into a temporary directory),
 * flushes and closes the context, then reads conn.log back (columns found
 * by name through the #fields line) and checks exact values: conn_state,
 * history, byte and packet counts, duration, the originator after flips,
 * local_orig/local_resp, and the rows that timeouts, connection reuse and
 * the max_conns cap produce.  Expected values follow the "Column mapping"
 * section of shared/traces/README.md and the traces of tcp-rst-conn-states.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "engine/analyzer.h"
#include "config/config.h"
#include "engine/conn.h"
#include "engine/decode.h"
#include "pktbuild.h"
#include "suites.h"

#define CT_T0 1000000000.0
#define CT_MAX_COLS 32
#define CT_MAX_ROWS 64

/* Options of conn_tcp. */
#define CT_ZEROWIN 0x1
#define CT_BADSUM 0x2

/* One test's pipeline and, after conn_finish, its parsed conn.log. */
struct conn_test {
    char dir[64];
    struct shoal_config cfg;
    struct shoal_analyzers an;
    struct shoal_ctx *ctx;
    struct shoal_decoder *dec;
    struct shoal_conn_stats st;
    bool setup_ok;
    bool finished;
    /* The default flow: client -> server. */
    const char *cli;
    const char *srv;
    uint16_t cport;
    uint16_t sport;
    /* conn.log */
    char *text;
    char *cols[CT_MAX_COLS];
    int ncols;
    char *types[CT_MAX_COLS];
    int ntypes;
    char *rows[CT_MAX_ROWS][CT_MAX_COLS];
    int nrows;
    char *weirds; /* weird.log text, or NULL */
};

static struct conn_test ct;

/* ---- fixture ---- */

static void conn_setup(void)
{
    memset(&ct, 0, sizeof(ct));
    ct.cli = "10.1.1.1";
    ct.srv = "10.1.1.2";
    ct.cport = 40000;
    ct.sport = 5555; /* not a likely server port: no flip */
    snprintf(ct.dir, sizeof(ct.dir), "/tmp/shoal-test-conn-XXXXXX");
    if (mkdtemp(ct.dir) == NULL) {
        ct.dir[0] = '\0';
        return;
    }
    if (shoal_config_defaults(&ct.cfg) < 0) {
        return;
    }
    free(ct.cfg.log_dir);
    ct.cfg.log_dir = strdup(ct.dir);
    ct.setup_ok = ct.cfg.log_dir != NULL && shoal_analyzers_init(&ct.an) == 0;
}

static void conn_decode_weird(void *ctx, const char *name, const char *addl, const char *source,
                              const struct shoal_addr *src, const struct shoal_addr *dst)
{
    shoal_ctx_net_weird(ctx, name, addl, source, src, dst);
}

/* Create the context and decoder at the first packet, so that a test can
 * change ct.cfg before. */
static void conn_start(void)
{
    if (ct.ctx != NULL) {
        return;
    }
    CU_ASSERT_FATAL(ct.setup_ok);
    ct.ctx = shoal_ctx_new(&ct.cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct.ctx);
    /* An empty analyzer table (no plugins); test_no_analyzers covers none. */
    shoal_ctx_set_analyzers(ct.ctx, &ct.an);
    struct shoal_decode_opts o = {
        .ignore_checksums = ct.cfg.ignore_checksums,
        .weird = conn_decode_weird,
        .weird_ctx = ct.ctx,
    };
    ct.dec = shoal_decoder_new(1 /* DLT_EN10MB */, &o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct.dec);
}

/* Build, decode and process one frame; an ip_total other than 0 replaces
 * the IP length conn.log counts (to pass 2^32 bytes in a few packets). */
static void conn_send_ip_total(const struct pb_spec *s, uint32_t ip_total)
{
    uint8_t frame[PB_MAX_FRAME];
    struct shoal_pkt p;

    conn_start();
    int n = pb_build(s, frame, sizeof(frame));
    CU_ASSERT_FATAL(n > 0);
    int rc = shoal_decode(ct.dec, s->ts, frame, (uint32_t)n, (uint32_t)n, &p);
    CU_ASSERT_EQUAL_FATAL(rc, 1);
    if (ip_total != 0) {
        p.ip_total = ip_total;
    }
    shoal_ctx_packet(ct.ctx, &p);
}

static void conn_send(const struct pb_spec *s)
{
    conn_send_ip_total(s, 0);
}

/* A TCP segment at CT_T0 + t, from the client (orig) or the server. */
static void conn_tcp(bool from_cli, double t, uint8_t flags, uint32_t seq, uint32_t ack, size_t len,
                     unsigned opts)
{
    struct pb_spec s = {
        .ts = CT_T0 + t,
        .src = from_cli ? ct.cli : ct.srv,
        .dst = from_cli ? ct.srv : ct.cli,
        .proto = 6,
        .sport = from_cli ? ct.cport : ct.sport,
        .dport = from_cli ? ct.sport : ct.cport,
        .flags = flags,
        .seq = seq,
        .ack = ack,
        .zero_window = (opts & CT_ZEROWIN) != 0,
        .bad_checksum = (opts & CT_BADSUM) != 0,
        .len = len,
    };
    conn_send(&s);
}

static void conn_o(double t, uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
    conn_tcp(true, t, flags, seq, ack, len, 0);
}

static void conn_r(double t, uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
    conn_tcp(false, t, flags, seq, ack, len, 0);
}

static void conn_udp(bool from_cli, double t, size_t len)
{
    struct pb_spec s = {
        .ts = CT_T0 + t,
        .src = from_cli ? ct.cli : ct.srv,
        .dst = from_cli ? ct.srv : ct.cli,
        .proto = 17,
        .sport = from_cli ? ct.cport : ct.sport,
        .dport = from_cli ? ct.sport : ct.cport,
        .len = len,
    };
    conn_send(&s);
}

static char *conn_slurp(const char *name)
{
    char path[128];
    FILE *f;
    char *p = NULL;
    long n;

    snprintf(path, sizeof(path), "%s/%s", ct.dir, name);
    f = fopen(path, "r");
    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        p = malloc((size_t)n + 1);
        if (p != NULL) {
            p[fread(p, 1, (size_t)n, f)] = '\0';
        }
    }
    fclose(f);
    return p;
}

/* Split `line` in place at tabs into v (at most max fields). */
static int conn_split(char *line, char **v, int max)
{
    int n = 0;

    while (n < max) {
        v[n++] = line;
        char *tab = strchr(line, '\t');
        if (tab == NULL) {
            break;
        }
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

/* Flush and free the pipeline (conn.log gets every row and #close), then
 * parse conn.log. */
static void conn_finish(void)
{
    if (ct.finished) {
        return;
    }
    ct.finished = true;
    if (ct.ctx != NULL) {
        shoal_ctx_flush(ct.ctx);
        shoal_ctx_stats(ct.ctx, &ct.st);
        shoal_ctx_free(ct.ctx);
        ct.ctx = NULL;
    }
    shoal_decoder_free(ct.dec);
    ct.dec = NULL;

    ct.weirds = conn_slurp("weird.log");
    ct.text = conn_slurp("conn.log");
    if (ct.text == NULL) {
        return;
    }
    char *save = NULL;
    for (char *line = strtok_r(ct.text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "#fields\t", 8) == 0) {
            ct.ncols = conn_split(line + 8, ct.cols, CT_MAX_COLS);
        } else if (strncmp(line, "#types\t", 7) == 0) {
            ct.ntypes = conn_split(line + 7, ct.types, CT_MAX_COLS);
        } else if (line[0] != '#' && ct.nrows < CT_MAX_ROWS) {
            int n = conn_split(line, ct.rows[ct.nrows], CT_MAX_COLS);
            CU_ASSERT_EQUAL(n, ct.ncols);
            ct.nrows++;
        }
    }
}

static void conn_teardown(void)
{
    char path[128];

    conn_finish();
    free(ct.text);
    free(ct.weirds);
    snprintf(path, sizeof(path), "%s/conn.log", ct.dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/weird.log", ct.dir);
    unlink(path);
    shoal_config_free(&ct.cfg);
    shoal_analyzers_free(&ct.an);
    if (ct.dir[0] != '\0' && rmdir(ct.dir) != 0) {
        fprintf(stderr, "\n  cannot remove %s\n", ct.dir);
    }
}

/* ---- reading conn.log ---- */

static int conn_col(const char *name)
{
    for (int i = 0; i < ct.ncols; i++) {
        if (strcmp(ct.cols[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *conn_get(int row, const char *col)
{
    int c = conn_col(col);

    if (c < 0 || row < 0 || row >= ct.nrows) {
        return "<missing>";
    }
    return ct.rows[row][c];
}

/* First row whose column `col` is `val`, or -1. */
static int conn_find(const char *col, const char *val)
{
    for (int r = 0; r < ct.nrows; r++) {
        if (strcmp(conn_get(r, col), val) == 0) {
            return r;
        }
    }
    return -1;
}

/* Assert a column's text, naming the row, column and both values on failure. */
#define CT_EXPECT(row, col, want)                                                                  \
    do {                                                                                           \
        const char *got_ = conn_get((row), (col));                                                 \
        if (strcmp(got_, (want)) != 0) {                                                           \
            fprintf(stderr, "\n  %s:%d: row %d %s: expected '%s', got '%s'", __FILE__, __LINE__,   \
                    (row), (col), (want), got_);                                                   \
        }                                                                                          \
        CU_ASSERT_STRING_EQUAL(got_, (want));                                                      \
    } while (0)

static bool conn_weird_seen(const char *name)
{
    char pat[96];

    snprintf(pat, sizeof(pat), "\t%s\t", name);
    return ct.weirds != NULL && strstr(ct.weirds, pat) != NULL;
}

/* ---- the builder itself ---- */

/* The frames of tcp-rst-conn-states, checksums as in the capture. */
static void test_builder_checksums(void)
{
    static const struct {
        const char *src, *dst;
        uint16_t sp, dp;
        uint8_t flags;
        uint16_t csum;
    } v[] = {
        {"1.1.1.1", "1.1.1.2", 13131, 31313, PB_SYN, 0xde41},
        {"1.1.1.2", "1.1.1.1", 31313, 13131, PB_ACK, 0xde33},
        {"1.1.1.1", "1.1.1.2", 13131, 31313, PB_RST, 0xde3f},
        {"1.1.1.1", "1.1.1.2", 13131, 31313, PB_FIN, 0xde42},
        {"10.0.0.10", "10.0.0.80", 48777, 80, PB_RST, 0xbcad},
    };
    uint8_t f[PB_MAX_FRAME];

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct pb_spec s = {.src = v[i].src,
                            .dst = v[i].dst,
                            .proto = 6,
                            .sport = v[i].sp,
                            .dport = v[i].dp,
                            .flags = v[i].flags};
        int n = pb_build(&s, f, sizeof(f));
        CU_ASSERT_EQUAL(n, 54);
        CU_ASSERT_EQUAL(pb_l4_checksum(f, (size_t)n), v[i].csum);
    }
}

/* Every kind of frame decodes and passes the core's checksum check, with
 * and without a VLAN tag; a corrupted one fails it. */
static void test_builder_decodes(void)
{
    static const struct pb_spec v[] = {
        {.src = "10.0.0.1",
         .dst = "10.0.0.2",
         .proto = 6,
         .sport = 1,
         .dport = 2,
         .flags = PB_ACK | PB_PSH,
         .seq = 7,
         .ack = 9,
         .len = 33},
        {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 17, .sport = 1, .dport = 2, .len = 13},
        {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 1, .icmp_type = 8, .icmp_id = 3, .len = 31},
        {.src = "fe80::1", .dst = "ff02::1", .proto = 58, .icmp_type = 128, .len = 5},
        {.src = "2001:db8::1",
         .dst = "2001:db8::2",
         .proto = 6,
         .sport = 1,
         .dport = 2,
         .flags = PB_SYN,
         .len = 0},
        {.src = "2001:db8::1",
         .dst = "2001:db8::2",
         .proto = 17,
         .sport = 1,
         .dport = 2,
         .len = 100},
    };
    uint8_t f[PB_MAX_FRAME];
    struct shoal_decode_opts o = {0};
    struct shoal_decoder *d = shoal_decoder_new(1, &o);
    struct shoal_pkt p;

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        for (int variant = 0; variant < 3; variant++) {
            struct pb_spec s = v[i];
            s.vlan = variant == 1 ? 42 : 0;
            s.bad_checksum = variant == 2;
            int n = pb_build(&s, f, sizeof(f));
            CU_ASSERT_FATAL(n > 0);
            CU_ASSERT_EQUAL(shoal_decode(d, 1.0, f, (uint32_t)n, (uint32_t)n, &p), 1);
            CU_ASSERT_EQUAL(p.proto, s.proto);
            CU_ASSERT_EQUAL(p.vlan, s.vlan);
            CU_ASSERT_EQUAL(p.l4_len, (s.proto == 6 ? 20 : 8) + s.len);
            CU_ASSERT_EQUAL(p.ip_total, (strchr(s.src, ':') ? 40 : 20) + p.l4_len);
            CU_ASSERT_EQUAL(shoal_l4_checksum_ok(&p), !s.bad_checksum);
        }
    }
    shoal_decoder_free(d);
    struct pb_spec bad = {.src = "10.0.0.1", .dst = "::1", .proto = 6};
    CU_ASSERT_EQUAL(pb_build(&bad, f, sizeof(f)), -1);
    bad.dst = "10.0.0.300";
    CU_ASSERT_EQUAL(pb_build(&bad, f, sizeof(f)), -1);
    bad.dst = "10.0.0.2";
    bad.len = 4000;
    CU_ASSERT_EQUAL(pb_build(&bad, f, sizeof(f)), -1);
}

/* ---- conn_state and history, one minimal sequence each ---- */

struct conn_seg {
    char from; /* 'o': client -> server, 'r': server -> client */
    double t;
    uint8_t flags;
    uint32_t seq;
    uint32_t ack;
    uint16_t len;
};

struct conn_case {
    const char *cli, *srv; /* NULL: the defaults */
    uint16_t cport, sport; /* 0: the defaults */
    const struct conn_seg *segs;
    size_t n;
    const char *history;
    const char *state;
    const char *orig_bytes; /* NULL: not checked */
    const char *resp_bytes;
};

#define S PB_SYN
#define A PB_ACK
#define F PB_FIN
#define R PB_RST
#define P PB_PSH

/* Client ISN 1000, server ISN 5000. */
#define HANDSHAKE                                                                                  \
    {'o', 0.0, S, 1000, 0, 0}, {'r', 0.1, S | A, 5000, 1001, 0},                                   \
    {                                                                                              \
        'o', 0.2, A, 1001, 5001, 0                                                                 \
    }

static void conn_run_case(const struct conn_case *k)
{
    if (k->cli != NULL) {
        ct.cli = k->cli;
        ct.srv = k->srv;
    }
    if (k->cport != 0) {
        ct.cport = k->cport;
        ct.sport = k->sport;
    }
    for (size_t i = 0; i < k->n; i++) {
        const struct conn_seg *g = &k->segs[i];
        conn_tcp(g->from == 'o', g->t, g->flags, g->seq, g->ack, g->len, 0);
    }
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", k->history);
    CT_EXPECT(0, "conn_state", k->state);
    CT_EXPECT(0, "proto", "tcp");
    CT_EXPECT(0, "ip_proto", "6");
    char port[8];
    snprintf(port, sizeof(port), "%u", ct.cport);
    CT_EXPECT(0, "id.orig_p", port);
    snprintf(port, sizeof(port), "%u", ct.sport);
    CT_EXPECT(0, "id.resp_p", port);
    CT_EXPECT(0, "id.orig_h", ct.cli);
    CT_EXPECT(0, "id.resp_h", ct.srv);
    if (k->orig_bytes != NULL) {
        CT_EXPECT(0, "orig_bytes", k->orig_bytes);
        CT_EXPECT(0, "resp_bytes", k->resp_bytes);
    }
}

#define CT_CASE(name, hist, state, ob, rb, ...)                                                    \
    static void test_state_##name(void)                                                            \
    {                                                                                              \
        static const struct conn_seg segs_[] = {__VA_ARGS__};                                      \
        struct conn_case k_ = {NULL, NULL,  0,  0, segs_, sizeof(segs_) / sizeof(segs_[0]),        \
                               hist, state, ob, rb};                                               \
        conn_run_case(&k_);                                                                        \
    }

/* The same with the server on port 80 (a likely server port). */
#define CT_CASE80(name, hist, state, ob, rb, ...)                                                  \
    static void test_state_##name(void)                                                            \
    {                                                                                              \
        static const struct conn_seg segs_[] = {__VA_ARGS__};                                      \
        struct conn_case k_ = {NULL, NULL,  40000, 80, segs_, sizeof(segs_) / sizeof(segs_[0]),    \
                               hist, state, ob,    rb};                                            \
        conn_run_case(&k_);                                                                        \
    }

/* The four traces of shared/traces/tcp-rst-conn-states, packet for packet. */
#define CT_RSTCASE(name, hist, state, ...)                                                         \
    static void test_rst_##name(void)                                                              \
    {                                                                                              \
        static const struct conn_seg segs_[] = {__VA_ARGS__};                                      \
        struct conn_case k_ = {                                                                    \
            "1.1.1.1", "1.1.1.2", 13131, 31313, segs_, sizeof(segs_) / sizeof(segs_[0]),           \
            hist,      state,     NULL,  NULL};                                                    \
        conn_run_case(&k_);                                                                        \
    }

CT_CASE(S0, "S", "S0", "-", "-", {'o', 0.0, S, 1000, 0, 0})
CT_CASE(S1, "ShA", "S1", "0", "0", HANDSHAKE)
CT_CASE(SF, "ShADadFf", "SF", "10", "20", HANDSHAKE, {'o', 0.3, P | A, 1001, 5001, 10},
        {'r', 0.4, A, 5001, 1011, 0}, {'r', 0.5, P | A, 5001, 1011, 20},
        {'o', 0.6, F | A, 1011, 5021, 0}, {'r', 0.7, F | A, 5021, 1012, 0},
        {'o', 0.8, A, 1012, 5022, 0})
CT_CASE(REJ, "Sr", "REJ", "0", "0", {'o', 0.0, S, 1000, 0, 0}, {'r', 0.1, R | A, 0, 1001, 0})
CT_CASE(S2, "ShAF", "S2", "0", "0", HANDSHAKE, {'o', 0.3, F | A, 1001, 5001, 0})
CT_CASE(S3, "ShAf", "S3", "0", "0", HANDSHAKE, {'r', 0.3, F | A, 5001, 1001, 0})
CT_CASE(RSTO, "ShAR", "RSTO", "0", "0", HANDSHAKE, {'o', 0.3, R | A, 1001, 5001, 0})
CT_CASE(RSTR, "ShAr", "RSTR", "0", "0", HANDSHAKE, {'r', 0.3, R | A, 5001, 1001, 0})
CT_CASE(RSTOS0, "SR", "RSTOS0", "0", "0", {'o', 0.0, S, 1000, 0, 0}, {'o', 0.1, R, 1001, 0, 0})
/* The responder's SYN-ACK (from port 80: the client is the originator) then its RST. */
CT_CASE80(RSTRH, "^hr", "RSTRH", "0", "0", {'r', 0.0, S | A, 5000, 1001, 0},
          {'r', 0.1, R, 5001, 0, 0})
CT_CASE(SH, "SF", "SH", "0", "0", {'o', 0.0, S, 1000, 0, 0}, {'o', 0.1, F, 1001, 0, 0})
CT_CASE80(SHR, "^hf", "SHR", "0", "0", {'r', 0.0, S | A, 5000, 1001, 0},
          {'r', 0.1, F | A, 5001, 1001, 0})
/* Mid-stream data without a handshake. */
CT_CASE(OTH, "D", "OTH", "-", "-", {'o', 0.0, P | A, 1001, 5001, 10})
/* The originator's data retransmitted once: 't' ... 'T'. */
CT_CASE(retransmit, "ShADT", "S1", "10", "0", HANDSHAKE, {'o', 0.3, P | A, 1001, 5001, 10},
        {'o', 0.4, P | A, 1001, 5001, 10})
/* A SYN-ACK from port 80 starts the connection: the client is the originator. */
CT_CASE80(flip, "^hD", "S1", "-", "-", {'r', 0.0, S | A, 5000, 1001, 0},
          {'o', 0.0, P | A, 1001, 5001, 10})

CT_RSTCASE(single_rst, "R", "OTH", {'o', 0.0, R, 0, 0, 0})
CT_RSTCASE(syn_then_rst, "SR", "RSTOS0", {'o', 0.0, S, 0, 0, 0}, {'o', 0.000309, R, 0, 0, 0})
CT_RSTCASE(syn_ack_rst, "SaR", "RSTOS0", {'o', 0.0, S, 0, 0, 0}, {'r', 0.000309, A, 0, 0, 0},
           {'o', 0.000461, R, 0, 0, 0})
CT_RSTCASE(syn_stuff_rst, "SaFR", "OTH", {'o', 0.0, S, 0, 0, 0}, {'r', 0.000306, A, 0, 0, 0},
           {'o', 0.00045, F, 0, 0, 0}, {'o', 0.000592, R, 0, 0, 0})

/* tcp-rst-conn-states' single-rst.pcap: one RST to port 80. */
static void test_rst_single_to_80(void)
{
    static const struct conn_seg segs[] = {{'o', 0.0, R, 0, 0, 0}};
    struct conn_case k = {"10.0.0.10", "10.0.0.80", 48777, 80, segs, 1, "R", "OTH", "-", "-"};

    conn_run_case(&k);
}

/* ---- the full row of a complete connection ---- */

static void test_sf_row(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_o(0.3, P | A, 1001, 5001, 10);
    conn_r(0.4, A, 5001, 1011, 0);
    conn_r(0.5, P | A, 5001, 1011, 20);
    conn_o(0.6, F | A, 1011, 5021, 0);
    conn_r(0.7, F | A, 5021, 1012, 0);
    conn_o(0.8, A, 1012, 5022, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "ts", "1000000000.000000");
    CU_ASSERT(conn_get(0, "uid")[0] == 'C' && strlen(conn_get(0, "uid")) >= 10);
    CT_EXPECT(0, "id.orig_h", "10.1.1.1");
    CT_EXPECT(0, "id.orig_p", "40000");
    CT_EXPECT(0, "id.resp_h", "10.1.1.2");
    CT_EXPECT(0, "id.resp_p", "5555");
    CT_EXPECT(0, "proto", "tcp");
    CT_EXPECT(0, "service", "-");
    /* The last ACK of the FIN exchange does not count in the duration. */
    CT_EXPECT(0, "duration", "0.700000");
    CT_EXPECT(0, "orig_bytes", "10");
    CT_EXPECT(0, "resp_bytes", "20");
    CT_EXPECT(0, "conn_state", "SF");
    CT_EXPECT(0, "local_orig", "T");
    CT_EXPECT(0, "local_resp", "T");
    CT_EXPECT(0, "missed_bytes", "0");
    CT_EXPECT(0, "history", "ShADadFf");
    CT_EXPECT(0, "orig_pkts", "5");
    CT_EXPECT(0, "orig_ip_bytes", "210"); /* 4 x 40 + 50 */
    CT_EXPECT(0, "resp_pkts", "4");
    CT_EXPECT(0, "resp_ip_bytes", "180"); /* 3 x 40 + 60 */
    CT_EXPECT(0, "tunnel_parents", "-");
    CT_EXPECT(0, "ip_proto", "6");
    CU_ASSERT_EQUAL(ct.st.conns_total, 1);
    CU_ASSERT_EQUAL(ct.st.packets, 9);
    CU_ASSERT_EQUAL(ct.st.log_records, 1);
}

/* The conn.log header is Zeek's, column for column. */
static void test_conn_log_columns(void)
{
    static const char *const want[] = {
        "ts",         "uid",           "id.orig_h",
        "id.orig_p",  "id.resp_h",     "id.resp_p",
        "proto",      "service",       "duration",
        "orig_bytes", "resp_bytes",    "conn_state",
        "local_orig", "local_resp",    "missed_bytes",
        "history",    "orig_pkts",     "orig_ip_bytes",
        "resp_pkts",  "resp_ip_bytes", "tunnel_parents",
        "ip_proto",
    };

    conn_o(0.0, S, 1000, 0, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.ncols, (int)(sizeof(want) / sizeof(want[0])));
    for (int i = 0; i < ct.ncols; i++) {
        CU_ASSERT_STRING_EQUAL(ct.cols[i], want[i]);
    }
    static const char *const types[] = {
        "time",     "string", "addr",  "port",   "addr",        "port",  "enum",  "string",
        "interval", "count",  "count", "string", "bool",        "bool",  "count", "string",
        "count",    "count",  "count", "count",  "set[string]", "count",
    };
    CU_ASSERT_EQUAL_FATAL(ct.ntypes, ct.ncols);
    for (int i = 0; i < ct.ntypes; i++) {
        CU_ASSERT_STRING_EQUAL(ct.types[i], types[i]);
    }
    CT_EXPECT(0, "conn_state", "S0");
}

/* ---- history letters ---- */

/* Data once, then `n` retransmissions of it. */
static void conn_retransmit(int n)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_o(0.3, P | A, 1001, 5001, 10);
    for (int i = 0; i < n; i++) {
        conn_o(0.4 + i * 0.001, P | A, 1001, 5001, 10);
    }
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "orig_bytes", "10");
    CT_EXPECT(0, "conn_state", "S1");
    char pkts[16];
    snprintf(pkts, sizeof(pkts), "%d", 3 + n);
    CT_EXPECT(0, "orig_pkts", pkts);
}

/* The letters c g t w are logarithmic: again at 10, 100, ... events. */
static void test_retransmit_9(void)
{
    conn_retransmit(9);
    CT_EXPECT(0, "history", "ShADT");
}

static void test_retransmit_10(void)
{
    conn_retransmit(10);
    CT_EXPECT(0, "history", "ShADTT");
}

static void test_retransmit_100(void)
{
    conn_retransmit(100);
    CT_EXPECT(0, "history", "ShADTTT");
}

/* The responder acknowledges 10 originator bytes never seen: a gap in the
 * originator's stream ('G'), counted in missed_bytes and orig_bytes. */
static void test_gap_orig(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_r(0.3, A, 5001, 1011, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShAaG");
    CT_EXPECT(0, "missed_bytes", "10");
    CT_EXPECT(0, "orig_bytes", "10");
    CT_EXPECT(0, "resp_bytes", "0");
    CT_EXPECT(0, "conn_state", "S1");
}

/* The originator acknowledges 20 response bytes of which it saw the last 5. */
static void test_gap_resp(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_r(0.3, P | A, 5016, 1001, 5);
    conn_o(0.4, A, 1001, 5021, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShAdg");
    CT_EXPECT(0, "missed_bytes", "15");
    CT_EXPECT(0, "resp_bytes", "20");
    CT_EXPECT(0, "conn_state", "S1");
}

/* Data that fills a hole before the ACK is no gap.  As in Zeek, a segment
 * below the highest sequence number seen counts as a retransmission ('T'). */
static void test_no_gap_when_data_seen(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_o(0.3, P | A, 1011, 5001, 10); /* out of order */
    conn_o(0.4, P | A, 1001, 5001, 10); /* fills the hole */
    conn_r(0.5, A, 5001, 1021, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShADTa");
    CT_EXPECT(0, "missed_bytes", "0");
    CT_EXPECT(0, "orig_bytes", "20");
}

/* A segment with a bad checksum is dropped: 'c'/'C', not counted. */
static void test_bad_checksum_resp(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_tcp(false, 0.3, P | A, 5001, 1001, 20, CT_BADSUM);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShAc");
    CT_EXPECT(0, "resp_bytes", "0");
    CT_EXPECT(0, "resp_pkts", "1");
    CT_EXPECT(0, "resp_ip_bytes", "40");
    CT_EXPECT(0, "duration", "0.200000");
    CU_ASSERT_EQUAL(ct.st.bad_checksums, 1);
    CU_ASSERT(conn_weird_seen("bad_TCP_checksum"));
}

static void test_bad_checksum_orig(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    for (int i = 0; i < 10; i++) {
        conn_tcp(true, 0.3 + i * 0.01, P | A, 1001, 5001, 10, CT_BADSUM);
    }
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShACC");
    CT_EXPECT(0, "orig_bytes", "0");
    CT_EXPECT(0, "orig_pkts", "2");
    CT_EXPECT(0, "orig_ip_bytes", "80");
    CU_ASSERT_EQUAL(ct.st.bad_checksums, 10);
}

/* With ignore_checksums (zeek -C) the same segment counts. */
static void test_bad_checksum_ignored(void)
{
    ct.cfg.ignore_checksums = true;
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_tcp(false, 0.3, P | A, 5001, 1001, 20, CT_BADSUM);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShAd");
    CT_EXPECT(0, "resp_bytes", "20");
    CT_EXPECT(0, "resp_pkts", "2");
    CU_ASSERT_EQUAL(ct.st.bad_checksums, 0);
}

/* The responder advertises a zero window: 'w', logarithmic too. */
static void test_zero_window(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_tcp(false, 0.3, A, 5001, 1001, 0, CT_ZEROWIN);
    for (int i = 0; i < 9; i++) {
        conn_tcp(false, 0.4 + i * 0.01, A, 5001, 1001, 0, CT_ZEROWIN);
    }
    conn_tcp(true, 0.5, A, 1001, 5001, 0, CT_ZEROWIN);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShAawwW");
    CT_EXPECT(0, "conn_state", "S1");
}

/* A UDP datagram with a bad checksum: 'C', no payload counted.  (Whether
 * it counts in orig_pkts is left open here.) */
static void test_bad_checksum_udp(void)
{
    struct pb_spec s = {.ts = CT_T0,
                        .src = "10.1.1.1",
                        .dst = "10.1.1.2",
                        .proto = 17,
                        .sport = 40000,
                        .dport = 5555,
                        .len = 10,
                        .bad_checksum = true};

    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "C");
    CT_EXPECT(0, "conn_state", "OTH");
    CT_EXPECT(0, "orig_bytes", "-");
    CU_ASSERT_EQUAL(ct.st.bad_checksums, 1);
    CU_ASSERT(conn_weird_seen("bad_UDP_checksum"));
}

/* An ICMP message with a bad checksum is dropped before it is counted. */
static void test_bad_checksum_icmp(void)
{
    struct pb_spec s = {
        .ts = CT_T0, .src = "10.1.1.1", .dst = "8.8.8.8", .proto = 1, .icmp_type = 8, .len = 32};

    conn_send(&s);
    s.ts += 1;
    s.bad_checksum = true;
    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "orig_pkts", "1");
    CT_EXPECT(0, "orig_ip_bytes", "60");
    CT_EXPECT(0, "duration", "-");
    CU_ASSERT_EQUAL(ct.st.bad_checksums, 1);
}

/* ---- byte counts from sequence numbers ---- */

/* Both directions cross 2^32 in their sequence space. */
static void test_seq_wrap(void)
{
    const uint32_t ci = 0xfffffff0u; /* client ISN */
    const uint32_t si = 0xffffff00u; /* server ISN */
    uint32_t c = ci + 1;
    uint32_t s = si + 1;

    conn_o(0.0, S, ci, 0, 0);
    conn_r(0.1, S | A, si, c, 0);
    conn_o(0.2, A, c, s, 0);
    for (int i = 0; i < 3; i++) {
        conn_o(0.3 + i * 0.01, P | A, c, s, 100);
        c += 100;
    }
    conn_r(0.4, A, s, c, 0);
    for (int i = 0; i < 2; i++) {
        conn_r(0.5 + i * 0.01, P | A, s, c, 200);
        s += 200;
    }
    conn_o(0.6, F | A, c, s, 0);
    conn_r(0.7, F | A, s, c + 1, 0);
    conn_o(0.8, A, c + 1, s + 1, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShADadFf");
    CT_EXPECT(0, "conn_state", "SF");
    CT_EXPECT(0, "orig_bytes", "300");
    CT_EXPECT(0, "resp_bytes", "400");
    CT_EXPECT(0, "missed_bytes", "0");
    CT_EXPECT(0, "orig_pkts", "7");
    CT_EXPECT(0, "orig_ip_bytes", "580"); /* 7 x 40 + 300 */
    CT_EXPECT(0, "resp_pkts", "5");
    CT_EXPECT(0, "resp_ip_bytes", "600"); /* 5 x 40 + 400 */
}

/*
 * More than 4 GiB: byte counts are 64-bit and the gaps are missed bytes,
 * as in ftp-bigtransfer-gaps.  The ISN is high, as there: with Zeek's
 * rules a sequence number more than 2^31 above the ISN before the raw
 * numbers wrap once is taken for an underflow, by Zeek as by us.
 */
static void test_seq_beyond_4g(void)
{
    const uint32_t step = 0x40000000u; /* 1 GiB */
    const uint32_t isn = 0xe0000000u;
    uint32_t c = isn + 1;

    conn_o(0.0, S, isn, 0, 0);
    conn_r(0.1, S | A, 5000, c, 0);
    conn_o(0.2, A, c, 5001, 0);
    for (int k = 0; k <= 5; k++) {
        conn_o(1.0 + k, P | A, c, 5001, 100);
        conn_r(1.5 + k, A, 5001, c + 100, 0);
        c += step;
    }
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShADaG");
    CT_EXPECT(0, "orig_bytes", "5368709220");   /* 5 GiB + 100 */
    CT_EXPECT(0, "missed_bytes", "5368708620"); /* 5 x (1 GiB - 100) */
    CT_EXPECT(0, "resp_bytes", "0");
    CT_EXPECT(0, "conn_state", "S1");
}

/* ---- UDP ---- */

static void test_udp_sf(void)
{
    conn_udp(true, 0.0, 10);
    conn_udp(false, 0.25, 20);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "proto", "udp");
    CT_EXPECT(0, "ip_proto", "17");
    CT_EXPECT(0, "id.orig_p", "40000");
    CT_EXPECT(0, "id.resp_p", "5555");
    CT_EXPECT(0, "history", "Dd");
    CT_EXPECT(0, "conn_state", "SF");
    CT_EXPECT(0, "duration", "0.250000");
    CT_EXPECT(0, "orig_bytes", "10");
    CT_EXPECT(0, "resp_bytes", "20");
    CT_EXPECT(0, "orig_pkts", "1");
    CT_EXPECT(0, "orig_ip_bytes", "38");
    CT_EXPECT(0, "resp_pkts", "1");
    CT_EXPECT(0, "resp_ip_bytes", "48");
    CT_EXPECT(0, "missed_bytes", "0");
}

static void test_udp_one_way(void)
{
    conn_udp(true, 0.0, 10);
    conn_udp(true, 0.5, 7);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "D");
    CT_EXPECT(0, "conn_state", "S0");
    CT_EXPECT(0, "orig_bytes", "17");
    CT_EXPECT(0, "resp_bytes", "0");
    CT_EXPECT(0, "orig_pkts", "2");
    CT_EXPECT(0, "orig_ip_bytes", "73");
    CT_EXPECT(0, "resp_pkts", "0");
    CT_EXPECT(0, "resp_ip_bytes", "0");
}

/* Only the reply of a server on port 53 is seen: the client is the
 * originator ('^'), and the state is SHR. */
static void test_udp_reply_only_flip(void)
{
    ct.sport = 53;
    conn_udp(false, 0.0, 40);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "id.orig_h", "10.1.1.1");
    CT_EXPECT(0, "id.orig_p", "40000");
    CT_EXPECT(0, "id.resp_h", "10.1.1.2");
    CT_EXPECT(0, "id.resp_p", "53");
    CT_EXPECT(0, "history", "^d");
    CT_EXPECT(0, "conn_state", "SHR");
    CT_EXPECT(0, "orig_pkts", "0");
    CT_EXPECT(0, "resp_pkts", "1");
    CT_EXPECT(0, "resp_ip_bytes", "68");
}

/* From a server port to a client port is flipped, but never towards a
 * broadcast address. */
static void test_udp_broadcast_not_flipped(void)
{
    struct pb_spec s = {.ts = CT_T0,
                        .src = "10.1.1.5",
                        .dst = "255.255.255.255",
                        .proto = 17,
                        .sport = 67,
                        .dport = 68,
                        .len = 300};

    conn_send(&s);
    s.dst = "10.1.1.6";
    s.ts += 0.1;
    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2);
    int b = conn_find("id.resp_h", "255.255.255.255");
    CU_ASSERT_FATAL(b >= 0);
    CT_EXPECT(b, "id.orig_h", "10.1.1.5");
    CT_EXPECT(b, "id.orig_p", "67");
    CT_EXPECT(b, "id.resp_p", "68");
    CT_EXPECT(b, "history", "D");
    CT_EXPECT(b, "conn_state", "S0");
    int u = conn_find("id.orig_h", "10.1.1.6");
    CU_ASSERT_FATAL(u >= 0);
    CT_EXPECT(u, "id.orig_p", "68");
    CT_EXPECT(u, "id.resp_h", "10.1.1.5");
    CT_EXPECT(u, "id.resp_p", "67");
    CT_EXPECT(u, "history", "^d");
    CT_EXPECT(u, "conn_state", "SHR");
}

/* A VLAN tag changes nothing in conn.log; IPv6 works the same. */
static void test_udp_vlan_ipv6(void)
{
    struct pb_spec s = {.ts = CT_T0,
                        .src = "2001:db8::1",
                        .dst = "2001:db8::2",
                        .proto = 17,
                        .sport = 40000,
                        .dport = 5555,
                        .len = 10,
                        .vlan = 7};

    conn_send(&s);
    s.ts += 1;
    s.src = "2001:db8::2";
    s.dst = "2001:db8::1";
    s.sport = 5555;
    s.dport = 40000;
    s.len = 3;
    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "id.orig_h", "2001:db8::1");
    CT_EXPECT(0, "id.resp_h", "2001:db8::2");
    CT_EXPECT(0, "history", "Dd");
    CT_EXPECT(0, "conn_state", "SF");
    CT_EXPECT(0, "orig_ip_bytes", "58");
    CT_EXPECT(0, "resp_ip_bytes", "51");
    CT_EXPECT(0, "duration", "1.000000");
}

/* ---- ICMP ---- */

static void test_icmp_echo(void)
{
    struct pb_spec s = {.ts = CT_T0,
                        .src = "10.1.1.1",
                        .dst = "8.8.8.8",
                        .proto = 1,
                        .icmp_type = 8,
                        .icmp_id = 77,
                        .icmp_seq = 1,
                        .len = 32};

    conn_send(&s);
    s.ts += 0.05;
    s.src = "8.8.8.8";
    s.dst = "10.1.1.1";
    s.icmp_type = 0;
    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "proto", "icmp");
    CT_EXPECT(0, "ip_proto", "1");
    CT_EXPECT(0, "id.orig_h", "10.1.1.1");
    CT_EXPECT(0, "id.orig_p", "8");
    CT_EXPECT(0, "id.resp_h", "8.8.8.8");
    CT_EXPECT(0, "id.resp_p", "0");
    CT_EXPECT(0, "duration", "0.050000");
    CT_EXPECT(0, "orig_bytes", "32");
    CT_EXPECT(0, "resp_bytes", "32");
    CT_EXPECT(0, "conn_state", "OTH");
    CT_EXPECT(0, "history", "-");
    CT_EXPECT(0, "orig_pkts", "1");
    CT_EXPECT(0, "orig_ip_bytes", "60");
    CT_EXPECT(0, "resp_pkts", "1");
    CT_EXPECT(0, "resp_ip_bytes", "60");
    CT_EXPECT(0, "local_orig", "T");
    CT_EXPECT(0, "local_resp", "F");
}

static void test_icmp6_echo(void)
{
    struct pb_spec s = {.ts = CT_T0,
                        .src = "2001:db8::1",
                        .dst = "2001:4860::1",
                        .proto = 58,
                        .icmp_type = 128,
                        .icmp_id = 5,
                        .len = 16};

    conn_send(&s);
    s.ts += 0.5;
    conn_send(&s); /* a second request */
    s.ts += 0.01;
    s.src = "2001:4860::1";
    s.dst = "2001:db8::1";
    s.icmp_type = 129;
    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "proto", "icmp");
    CT_EXPECT(0, "ip_proto", "58");
    CT_EXPECT(0, "id.orig_h", "2001:db8::1");
    CT_EXPECT(0, "id.orig_p", "128");
    CT_EXPECT(0, "id.resp_h", "2001:4860::1");
    CT_EXPECT(0, "id.resp_p", "129");
    CT_EXPECT(0, "orig_bytes", "32");
    CT_EXPECT(0, "resp_bytes", "16");
    CT_EXPECT(0, "orig_pkts", "2");
    CT_EXPECT(0, "orig_ip_bytes", "128");
    CT_EXPECT(0, "resp_pkts", "1");
    CT_EXPECT(0, "resp_ip_bytes", "64");
    CT_EXPECT(0, "duration", "0.510000");
    CT_EXPECT(0, "local_orig", "T");
    CT_EXPECT(0, "local_resp", "F");
}

/* ---- local networks ---- */

static void test_local_default(void)
{
    struct pb_spec s = {.ts = CT_T0,
                        .src = "8.8.8.8",
                        .dst = "192.168.1.1",
                        .proto = 17,
                        .sport = 40001,
                        .dport = 40002,
                        .len = 1};

    conn_send(&s);
    s.src = "fe80::1";
    s.dst = "2001:4860::1";
    conn_send(&s);
    s.src = "8.8.8.8";
    s.dst = "1.1.1.1";
    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 3);
    int r = conn_find("id.orig_h", "8.8.8.8");
    if (strcmp(conn_get(r, "id.resp_h"), "192.168.1.1") != 0) {
        r = conn_find("id.resp_h", "192.168.1.1");
    }
    CT_EXPECT(r, "local_orig", "F");
    CT_EXPECT(r, "local_resp", "T");
    r = conn_find("id.orig_h", "fe80::1");
    CT_EXPECT(r, "local_orig", "T");
    CT_EXPECT(r, "local_resp", "F");
    r = conn_find("id.resp_h", "1.1.1.1");
    CT_EXPECT(r, "local_orig", "F");
    CT_EXPECT(r, "local_resp", "F");
}

/* networks.local replaces the private space. */
static void test_local_configured(void)
{
    char **nets = calloc(2, sizeof(*nets));

    CU_ASSERT_PTR_NOT_NULL_FATAL(nets);
    nets[0] = strdup("8.8.8.0/24");
    ct.cfg.local_nets = nets;
    ct.cfg.local_nets_set = true;
    struct pb_spec s = {.ts = CT_T0,
                        .src = "10.1.1.1",
                        .dst = "8.8.8.8",
                        .proto = 17,
                        .sport = 40001,
                        .dport = 40002,
                        .len = 1};
    conn_send(&s);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "local_orig", "F");
    CT_EXPECT(0, "local_resp", "T");
}

/* ---- when connections end ---- */

/* A UDP flow idle for more than 60 s: the next packet starts a new row. */
static void test_udp_inactivity(void)
{
    conn_udp(true, 0.0, 10);
    conn_udp(true, 30.0, 10); /* still the same */
    conn_udp(true, 91.0, 10); /* 61 s later */
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2);
    CT_EXPECT(0, "ts", "1000000000.000000");
    CT_EXPECT(0, "orig_pkts", "2");
    CT_EXPECT(0, "duration", "30.000000");
    CT_EXPECT(0, "history", "D");
    CT_EXPECT(1, "ts", "1000000091.000000");
    CT_EXPECT(1, "orig_pkts", "1");
    CT_EXPECT(1, "duration", "-");
    CT_EXPECT(1, "history", "D");
    CU_ASSERT_STRING_NOT_EQUAL(conn_get(0, "uid"), conn_get(1, "uid"));
}

/* The inactivity timeout also ends a flow with no further packet of its
 * own: network time moved by another flow is enough. */
static void test_udp_inactivity_other_flow(void)
{
    conn_udp(true, 0.0, 10);
    ct.cport = 40001;
    conn_udp(true, 30.0, 10);
    conn_udp(true, 61.0, 10); /* expires the first flow */
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct.ctx);
    struct shoal_conn_stats st;
    shoal_ctx_stats(ct.ctx, &st);
    CU_ASSERT_EQUAL(st.conns_current, 1);
    CU_ASSERT_EQUAL(st.log_records, 1);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2);
    CT_EXPECT(0, "id.orig_p", "40000");
    CT_EXPECT(1, "id.orig_p", "40001");
}

/* An established connection lives through 200 s of silence (the TCP
 * inactivity timeout is 300 s), not through 400 s. */
static void test_tcp_inactivity(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_o(200.2, P | A, 1001, 5001, 10);
    conn_o(600.2, P | A, 1011, 5001, 10);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2);
    CT_EXPECT(0, "history", "ShAD");
    CT_EXPECT(0, "conn_state", "S1");
    CT_EXPECT(0, "duration", "200.200000");
    CT_EXPECT(0, "orig_bytes", "10");
    CT_EXPECT(1, "ts", "1000000600.200000");
    CT_EXPECT(1, "history", "D");
    CT_EXPECT(1, "conn_state", "OTH");
}

/* An unanswered SYN is over after tcp_syn_timeout (5 s): the same SYN 6 s
 * later is a new connection; 3 s later it is the same one. */
static void test_tcp_attempt_timer(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_o(3.0, S, 1000, 0, 0);
    conn_o(9.0, S, 1000, 0, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2);
    CT_EXPECT(0, "history", "S");
    CT_EXPECT(0, "conn_state", "S0");
    CT_EXPECT(0, "orig_pkts", "2");
    CT_EXPECT(0, "duration", "3.000000");
    CT_EXPECT(0, "orig_bytes", "0");
    CT_EXPECT(1, "history", "S");
    CT_EXPECT(1, "conn_state", "S0");
    CT_EXPECT(1, "orig_pkts", "1");
    CT_EXPECT(1, "ts", "1000000009.000000");
}

/* The brief's case: SYN, the same SYN 6 s later: two S0 rows. */
static void test_tcp_attempt_two_rows(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_o(6.0, S, 1000, 0, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2);
    for (int r = 0; r < 2; r++) {
        CT_EXPECT(r, "history", "S");
        CT_EXPECT(r, "conn_state", "S0");
        CT_EXPECT(r, "orig_pkts", "1");
    }
}

/* A new SYN with another ISN just after a close starts a new row. */
static void test_tcp_reuse(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_o(0.3, F | A, 1001, 5001, 0);
    conn_r(0.4, F | A, 5001, 1002, 0);
    conn_o(0.5, A, 1002, 5002, 0);
    conn_o(1.5, S, 9000, 0, 0);
    conn_r(1.6, S | A, 7000, 9001, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2);
    CT_EXPECT(0, "history", "ShAFf");
    CT_EXPECT(0, "conn_state", "SF");
    CT_EXPECT(0, "orig_pkts", "4");
    CT_EXPECT(1, "ts", "1000000001.500000");
    CT_EXPECT(1, "history", "Sh");
    CT_EXPECT(1, "conn_state", "S1");
    CT_EXPECT(1, "orig_pkts", "1");
    CT_EXPECT(1, "resp_pkts", "1");
    CU_ASSERT(conn_weird_seen("premature_connection_reuse"));
}

/* The same SYN again (same ISN) is a retransmission, not a reuse. */
static void test_tcp_syn_retransmit(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_o(1.0, S, 1000, 0, 0);
    conn_r(1.1, S | A, 5000, 1001, 0);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "Sh");
    CT_EXPECT(0, "orig_pkts", "2");
}

/* max_conns 3, five flows: the two oldest are evicted (written first), all
 * five rows are written, and the counters say so. */
static void test_max_conns(void)
{
    ct.cfg.max_conns = 3;
    for (int i = 0; i < 5; i++) {
        ct.cport = (uint16_t)(40001 + i);
        conn_udp(true, i * 0.1, 10);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct.ctx);
    struct shoal_conn_stats st;
    shoal_ctx_stats(ct.ctx, &st);
    CU_ASSERT_EQUAL(st.conns_current, 3);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 5);
    CT_EXPECT(0, "id.orig_p", "40001");
    CT_EXPECT(1, "id.orig_p", "40002");
    for (int i = 0; i < 5; i++) {
        char port[8];
        snprintf(port, sizeof(port), "%d", 40001 + i);
        CU_ASSERT(conn_find("id.orig_p", port) >= 0);
    }
    CU_ASSERT_EQUAL(ct.st.conns_evicted, 2);
    CU_ASSERT_EQUAL(ct.st.conns_total, 5);
    CU_ASSERT_EQUAL(ct.st.conns_current, 0);
    CU_ASSERT_EQUAL(ct.st.log_records, 5);
}

/* ---- memory layout and narrowed fields ---- */

/* The sizes the memory budget (tests/bench) was measured with, on LP64:
 * a change that adds padding or a field shows here first.  Elsewhere the
 * test is not registered, rather than passing without checking anything. */
#if UINTPTR_MAX == UINT64_MAX
static void test_layout_sizes(void)
{
    CU_ASSERT_EQUAL(sizeof(struct shoal_conn), 168);
    CU_ASSERT_EQUAL(sizeof(struct shoal_tcp), 200);
    CU_ASSERT_EQUAL(sizeof(struct shoal_tcp_endpoint), 88);
    CU_ASSERT_EQUAL(sizeof(struct shoal_reasm), 24);
    CU_ASSERT_EQUAL(sizeof(struct shoal_conn_with_tcp), 368);
    CU_ASSERT_EQUAL(sizeof(struct shoal_conn_with_dgram), 192);
}
#endif

/* Packet and IP byte counters are 32 bits in the connection: past 2^32
 * they carry into the extension, never wrap. */
static void test_counters_past_4g(void)
{
    const uint32_t big = 0xf0000000u; /* 3.75 GiB "per packet" */
    struct pb_spec s = {
        .src = ct.cli,
        .dst = ct.srv,
        .proto = 17,
        .sport = ct.cport,
        .dport = ct.sport,
        .len = 10,
    };

    for (int i = 0; i < 3; i++) {
        s.ts = CT_T0 + i * 0.1;
        conn_send_ip_total(&s, big);
    }
    conn_udp(false, 0.5, 20);
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "orig_pkts", "3");
    CT_EXPECT(0, "orig_ip_bytes", "12079595520"); /* 3 x 0xf0000000 */
    CT_EXPECT(0, "resp_pkts", "1");
    CT_EXPECT(0, "resp_ip_bytes", "48");
    CT_EXPECT(0, "orig_bytes", "30");
}

/* A flip after counting swaps the carried high words with the low ones:
 * SYN-ACK first (twice, 4 GiB each), then the SYN it answered. */
static void test_counters_flip(void)
{
    struct pb_spec s = {
        .src = ct.cli,
        .dst = ct.srv,
        .proto = 6,
        .sport = ct.cport,
        .dport = ct.sport,
        .flags = S | A,
        .seq = 5000,
        .ack = 1001,
    };

    s.ts = CT_T0;
    conn_send_ip_total(&s, 0x80000000u);
    s.ts = CT_T0 + 0.05;
    conn_send_ip_total(&s, 0x80000000u);
    conn_r(0.1, S, 1000, 0, 0); /* the SYN: roles swap */
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "id.orig_p", "5555");
    CT_EXPECT(0, "orig_pkts", "1");
    CT_EXPECT(0, "orig_ip_bytes", "40");
    CT_EXPECT(0, "resp_pkts", "2");
    CT_EXPECT(0, "resp_ip_bytes", "4294967296");
    CU_ASSERT(conn_get(0, "history")[0] == 'H');
}

/* History letters packed 5 bits each, 12 a word, come back in order, and
 * the 23-letter cap holds (1, 10, 100, 1000 retransmissions: a 'T' each). */
static void test_history_packing(void)
{
    conn_o(0.0, S, 1000, 0, 0);
    conn_r(0.1, S | A, 5000, 1001, 0);
    conn_o(0.2, A, 1001, 5001, 0);
    conn_o(0.3, P | A, 1001, 5001, 10);
    for (int i = 0; i < 1000; i++) {
        conn_o(0.4 + i * 0.0001, P | A, 1001, 5001, 10);
    }
    conn_r(0.6, P | A, 5001, 1011, 10);
    for (int i = 0; i < 10; i++) {
        conn_r(0.7 + i * 0.001, P | A, 5001, 1011, 10);
    }
    for (int i = 0; i < 20; i++) { /* FINs at new sequence numbers: an 'F' each */
        conn_o(0.8 + i * 0.001, F | A, (uint32_t)(1011 + i), 5011, 0);
    }
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "history", "ShADTTTTdttFFFFFFFFFFFF"); /* 23 letters, across both words */
}

/* uids stay distinct when connection slots are reused. */
static void test_uids_unique(void)
{
    const int n = 30;

    ct.cfg.udp_inactivity_timeout = 10;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < n; i++) {
            ct.cport = (uint16_t)(41000 + i);
            conn_udp(true, round * 100.0 + i * 0.01, 10);
        }
    }
    conn_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 2 * n);
    for (int r = 0; r < ct.nrows; r++) {
        const char *uid = conn_get(r, "uid");
        CU_ASSERT(uid[0] == 'C' && strlen(uid) >= 10);
        CU_ASSERT(
            strspn(uid + 1, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
            strlen(uid) - 1);
        for (int q = 0; q < r; q++) {
            CU_ASSERT_STRING_NOT_EQUAL(uid, conn_get(q, "uid"));
        }
    }
}

/* ---- services: confirmation order, violations, probes ---- */

/* Two toy analyzers on udp/5556: a datagram "A..." confirms the first,
 * "B..." the second, "X..." is a violation of the second; the first also
 * probes for "\0A" on other ports. */
static int svc_bit[2];

static int svc_data(int which, struct shoal_conn *c, const uint8_t *d, size_t len)
{
    if (len > 0 && d[0] == (which == 0 ? 'A' : 'B')) {
        shoal_conn_service_add(c, svc_bit[which]);
    }
    if (len > 1 && d[0] == 0 && d[1] == 'A' && which == 0) {
        shoal_conn_service_add(c, svc_bit[which]);
    }
    if (len > 0 && d[0] == 'H' && which == 0) {
        CU_ASSERT_EQUAL(shoal_an_attach_service(ct.ctx, c, "gamma"), 0);
        CU_ASSERT_EQUAL(shoal_an_attach_service(ct.ctx, c, "gamma"), -EEXIST);
        CU_ASSERT_EQUAL(shoal_an_attach_service(ct.ctx, c, "nosuch"), -ENOENT);
    }
    if (len > 0 && d[0] == 'X' && which == 1) {
        shoal_an_violation(c, svc_bit[which]);
        return SHOAL_AN_DETACH;
    }
    return SHOAL_AN_OK;
}

static int svc_data_a(void *ps, struct shoal_conn *c, void *cs, bool is_orig, const uint8_t *d,
                      size_t len)
{
    (void)ps;
    (void)cs;
    (void)is_orig;
    return svc_data(0, c, d, len);
}

static int svc_data_b(void *ps, struct shoal_conn *c, void *cs, bool is_orig, const uint8_t *d,
                      size_t len)
{
    (void)ps;
    (void)cs;
    (void)is_orig;
    return svc_data(1, c, d, len);
}

/* gamma: no port; alpha hands a connection to it on "H..."; it confirms
 * on "G..." unless it was (wrongly) given the datagram of the hand-over. */
static int svc_gamma_bit;
static bool svc_gamma_saw_h;

static int svc_data_g(void *ps, struct shoal_conn *c, void *cs, bool is_orig, const uint8_t *d,
                      size_t len)
{
    (void)ps;
    (void)cs;
    (void)is_orig;
    svc_gamma_saw_h |= len > 0 && d[0] == 'H';
    if (len > 0 && d[0] == 'G' && !svc_gamma_saw_h) {
        shoal_conn_service_add(c, svc_gamma_bit);
    }
    return SHOAL_AN_OK;
}

static bool svc_probe(const uint8_t *d, size_t len, bool is_orig, uint8_t proto)
{
    (void)is_orig;
    return proto == SHOAL_PROTO_UDP && len >= 2 && d[0] == 0 && d[1] == 'A';
}

static const struct shoal_port svc_ports[] = {{SHOAL_PROTO_UDP, 5556}, {0, 0}};
static const struct shoal_analyzer_ops svc_ops_a = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "alpha",
    .ports = svc_ports,
    .data = svc_data_a,
    .probe = svc_probe,
};
static const struct shoal_analyzer_ops svc_ops_g = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "gamma",
    .data = svc_data_g,
};
static const struct shoal_analyzer_ops svc_ops_b = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "beta",
    .ports = svc_ports,
    .data = svc_data_b,
};

static void svc_send(uint16_t cport, uint16_t sport, double t, const char *payload, size_t len)
{
    struct pb_spec s = {.ts = CT_T0 + t,
                        .src = ct.cli,
                        .dst = ct.srv,
                        .proto = 17,
                        .sport = cport,
                        .dport = sport,
                        .payload = (const uint8_t *)payload,
                        .len = len};
    conn_send(&s);
}

static void test_services(void)
{
    svc_bit[0] = shoal_analyzers_add(&ct.an, &svc_ops_a, NULL, "test:alpha");
    svc_bit[1] = shoal_analyzers_add(&ct.an, &svc_ops_b, NULL, "test:beta");
    svc_gamma_bit = shoal_analyzers_add(&ct.an, &svc_ops_g, NULL, "test:gamma");
    CU_ASSERT_FATAL(svc_bit[0] >= 0 && svc_bit[1] >= 0 && svc_gamma_bit >= 0);
    /* beta confirms before alpha: listed first, as Zeek orders c$service */
    svc_send(41001, 5556, 0.0, "B1", 2);
    svc_send(41001, 5556, 0.1, "A1", 2);
    /* both confirm, then beta's violation removes it */
    svc_send(41002, 5556, 0.0, "A2", 2);
    svc_send(41002, 5556, 0.1, "B2", 2);
    svc_send(41002, 5556, 0.2, "X2", 2);
    /* a violation past 10 KiB of payload leaves the service */
    svc_send(41003, 5556, 0.0, "B3", 2);
    static char bulk[1000] = "B3";
    for (int i = 0; i < 12; i++) {
        svc_send(41003, 5556, 0.1 + i * 0.01, bulk, sizeof(bulk));
    }
    svc_send(41003, 5556, 0.3, "X3", 2);
    /* another port: the probe attaches alpha (the payload holds a NUL) */
    svc_send(41004, 7777, 0.0, "\0A4", 3);
    svc_send(41005, 7777, 0.0, "\0B5", 3);
    /* a hand-over: gamma gets the datagrams after the one that attached it */
    svc_send(41006, 5556, 0.0, "A6", 2);
    svc_send(41006, 5556, 0.1, "H6", 2);
    svc_send(41006, 5556, 0.2, "G6", 2);
    conn_finish();
    CU_ASSERT_STRING_EQUAL(conn_get(conn_find("id.orig_p", "41006"), "service"), "alpha,gamma");
    CU_ASSERT_STRING_EQUAL(conn_get(conn_find("id.orig_p", "41001"), "service"), "beta,alpha");
    CU_ASSERT_STRING_EQUAL(conn_get(conn_find("id.orig_p", "41002"), "service"), "alpha");
    CU_ASSERT_STRING_EQUAL(conn_get(conn_find("id.orig_p", "41003"), "service"), "beta");
    CU_ASSERT_STRING_EQUAL(conn_get(conn_find("id.orig_p", "41004"), "service"), "alpha");
    CU_ASSERT_STRING_EQUAL(conn_get(conn_find("id.orig_p", "41005"), "service"), "-");
}

/* ---- a context without analyzers ---- */

/*
 * A context whose analyzers were never set (shoal_ctx_set_analyzers not
 * called, or called with NULL) must still track connections.  Run in a
 * child process, since a crash here must not take the whole run down (an
 * earlier core read the NULL table's port index on the first connection).
 */
static void test_no_analyzers(void)
{
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        struct shoal_ctx *x = shoal_ctx_new(&ct.cfg);
        struct shoal_decode_opts o = {0};
        struct shoal_decoder *d = shoal_decoder_new(1, &o);
        struct pb_spec s = {.ts = CT_T0,
                            .src = "10.1.1.1",
                            .dst = "10.1.1.2",
                            .proto = 17,
                            .sport = 40000,
                            .dport = 5555,
                            .len = 4};
        uint8_t f[PB_MAX_FRAME];
        struct shoal_pkt p;
        int n = pb_build(&s, f, sizeof(f));
        if (x == NULL || d == NULL || n < 0 ||
            shoal_decode(d, s.ts, f, (uint32_t)n, (uint32_t)n, &p) != 1) {
            _exit(3);
        }
        shoal_ctx_set_analyzers(x, NULL);
        shoal_ctx_packet(x, &p);
        s.proto = 6;
        s.flags = PB_SYN;
        n = pb_build(&s, f, sizeof(f));
        if (n < 0 || shoal_decode(d, s.ts, f, (uint32_t)n, (uint32_t)n, &p) != 1) {
            _exit(3);
        }
        shoal_ctx_packet(x, &p);
        shoal_ctx_free(x);
        shoal_decoder_free(d);
        _exit(0);
    }
    int status = 0;
    CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "\n  context without analyzers: killed by signal %d", WTERMSIG(status));
    }
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The child's rows are in conn.log: 1 UDP, 1 TCP. */
    conn_finish();
    CU_ASSERT_EQUAL(ct.nrows, 2);
}

int register_conn_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc fn;
    } tests[] = {
        {"builder: checksums of a real capture", test_builder_checksums},
        {"builder: frames decode", test_builder_decodes},
        {"conn.log columns and types", test_conn_log_columns},
        {"SF: the whole row", test_sf_row},
        {"S0", test_state_S0},
        {"S1", test_state_S1},
        {"SF", test_state_SF},
        {"REJ", test_state_REJ},
        {"S2", test_state_S2},
        {"S3", test_state_S3},
        {"RSTO", test_state_RSTO},
        {"RSTR", test_state_RSTR},
        {"RSTOS0", test_state_RSTOS0},
        {"RSTRH", test_state_RSTRH},
        {"SH", test_state_SH},
        {"SHR", test_state_SHR},
        {"OTH (mid-stream data)", test_state_OTH},
        {"tcp-rst: single RST", test_rst_single_rst},
        {"tcp-rst: single RST to port 80", test_rst_single_to_80},
        {"tcp-rst: SYN, orig RST", test_rst_syn_then_rst},
        {"tcp-rst: SYN, resp ACK, orig RST", test_rst_syn_ack_rst},
        {"tcp-rst: SYN, resp ACK, orig FIN, orig RST", test_rst_syn_stuff_rst},
        {"history t: retransmission", test_state_retransmit},
        {"history t: 9 retransmissions", test_retransmit_9},
        {"history t: 10 retransmissions", test_retransmit_10},
        {"history t: 100 retransmissions", test_retransmit_100},
        {"history w: zero window", test_zero_window},
        {"history g: originator gap", test_gap_orig},
        {"history g: responder gap", test_gap_resp},
        {"no gap when the data comes late", test_no_gap_when_data_seen},
        {"history c: responder bad checksum", test_bad_checksum_resp},
        {"history c: 10 originator bad checksums", test_bad_checksum_orig},
        {"bad checksums ignored", test_bad_checksum_ignored},
        {"history C: UDP bad checksum", test_bad_checksum_udp},
        {"ICMP bad checksum", test_bad_checksum_icmp},
        {"history ^: SYN-ACK from port 80 first", test_state_flip},
        {"sequence numbers wrap", test_seq_wrap},
        {"more than 4 GiB", test_seq_beyond_4g},
        {"UDP: Dd SF", test_udp_sf},
        {"UDP: one way", test_udp_one_way},
        {"UDP: reply only, flipped", test_udp_reply_only_flip},
        {"UDP: broadcast not flipped", test_udp_broadcast_not_flipped},
        {"UDP: VLAN and IPv6", test_udp_vlan_ipv6},
        {"ICMP echo", test_icmp_echo},
        {"ICMPv6 echo", test_icmp6_echo},
        {"local_orig/local_resp: private space", test_local_default},
        {"local_orig/local_resp: networks.local", test_local_configured},
        {"UDP inactivity timeout", test_udp_inactivity},
        {"inactivity timeout driven by other flows", test_udp_inactivity_other_flow},
        {"TCP inactivity timeout", test_tcp_inactivity},
        {"TCP attempt timer", test_tcp_attempt_timer},
        {"TCP attempt timer: two S0 rows", test_tcp_attempt_two_rows},
        {"TCP connection reuse", test_tcp_reuse},
        {"TCP SYN retransmission is no reuse", test_tcp_syn_retransmit},
        {"max_conns eviction", test_max_conns},
        {"context without analyzers", test_no_analyzers},
        {"services: order, violations, probes, hand-over", test_services},
#if UINTPTR_MAX == UINT64_MAX
        {"layout: sizes of the connection and TCP state", test_layout_sizes},
#endif
        {"counters: past 2^32 without wrapping", test_counters_past_4g},
        {"counters: carried words follow a flip", test_counters_flip},
        {"history: packed letters and the cap", test_history_packing},
        {"uids: distinct across slot reuse", test_uids_unique},
    };
    CU_pSuite s =
        CU_add_suite_with_setup_and_teardown("conn", NULL, NULL, conn_setup, conn_teardown);

    if (s == NULL) {
        return CU_get_error();
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL) {
            return CU_get_error();
        }
    }
    return CUE_SUCCESS;
}
