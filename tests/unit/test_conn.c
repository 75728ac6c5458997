/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the connection layer (core/conn.c, core/tcp.c) against
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "analyzer.h"
#include "config.h"
#include "conn.h"
#include "decode.h"
#include "pktbuild.h"
#include "suites.h"

#define CT_T0 1000000000.0
#define CT_MAX_COLS 32
#define CT_MAX_ROWS 64

/* Options of ct_tcp. */
#define CT_ZEROWIN 0x1
#define CT_BADSUM 0x2

/* One test's pipeline and, after ct_finish, its parsed conn.log. */
struct ct {
    char dir[64];
    struct shoal_config cfg;
    struct shoal_analyzers an;
    struct shoal_ctx *ctx;
    struct shoal_decoder *dec;
    struct shoal_conn_stats st;
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

static struct ct ct;

/* ---- fixture ---- */

static int ct_setup(void)
{
    memset(&ct, 0, sizeof(ct));
    snprintf(ct.dir, sizeof(ct.dir), "/tmp/shoal-test-conn-XXXXXX");
    if (mkdtemp(ct.dir) == NULL || shoal_config_defaults(&ct.cfg) < 0) {
        return -1;
    }
    free(ct.cfg.log_dir);
    ct.cfg.log_dir = strdup(ct.dir);
    if (ct.cfg.log_dir == NULL || shoal_analyzers_init(&ct.an, NULL) < 0) {
        return -1;
    }
    ct.cli = "10.1.1.1";
    ct.srv = "10.1.1.2";
    ct.cport = 40000;
    ct.sport = 5555; /* not a likely server port: no flip */
    return 0;
}

static void ct_decode_weird(void *ctx, const char *name, const char *addl, const char *source,
                            const struct shoal_addr *src, const struct shoal_addr *dst)
{
    shoal_ctx_net_weird(ctx, name, addl, source, src, dst);
}

/* Create the context and decoder at the first packet, so that a test can
 * change ct.cfg before. */
static void ct_start(void)
{
    if (ct.ctx != NULL) {
        return;
    }
    ct.ctx = shoal_ctx_new(&ct.cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct.ctx);
    /*
     * The empty analyzer table is set explicitly: with none set,
     * shoal_an_conn_new dereferences the NULL table on the first TCP or UDP
     * connection (see test_no_analyzers).
     */
    shoal_ctx_set_analyzers(ct.ctx, &ct.an);
    struct shoal_decode_opts o = {
        .ignore_checksums = ct.cfg.ignore_checksums,
        .weird = ct_decode_weird,
        .weird_ctx = ct.ctx,
    };
    ct.dec = shoal_decoder_new(1 /* DLT_EN10MB */, &o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct.dec);
}

/* Build, decode and process one frame. */
static void ct_send(const struct pb_spec *s)
{
    uint8_t frame[PB_MAX_FRAME];
    struct shoal_pkt p;

    ct_start();
    int n = pb_build(s, frame, sizeof(frame));
    CU_ASSERT_FATAL(n > 0);
    int rc = shoal_decode(ct.dec, s->ts, frame, (uint32_t)n, (uint32_t)n, &p);
    CU_ASSERT_EQUAL_FATAL(rc, 1);
    shoal_ctx_packet(ct.ctx, &p);
}

/* A TCP segment at CT_T0 + t, from the client (orig) or the server. */
static void ct_tcp(bool from_cli, double t, uint8_t flags, uint32_t seq, uint32_t ack, size_t len,
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
    ct_send(&s);
}

static void ct_o(double t, uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
    ct_tcp(true, t, flags, seq, ack, len, 0);
}

static void ct_r(double t, uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
    ct_tcp(false, t, flags, seq, ack, len, 0);
}

static void ct_udp(bool from_cli, double t, size_t len)
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
    ct_send(&s);
}

static char *ct_slurp(const char *name)
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
static int ct_split(char *line, char **v, int max)
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
static void ct_finish(void)
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

    ct.weirds = ct_slurp("weird.log");
    ct.text = ct_slurp("conn.log");
    if (ct.text == NULL) {
        return;
    }
    char *save = NULL;
    for (char *line = strtok_r(ct.text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "#fields\t", 8) == 0) {
            ct.ncols = ct_split(line + 8, ct.cols, CT_MAX_COLS);
        } else if (strncmp(line, "#types\t", 7) == 0) {
            ct.ntypes = ct_split(line + 7, ct.types, CT_MAX_COLS);
        } else if (line[0] != '#' && ct.nrows < CT_MAX_ROWS) {
            int n = ct_split(line, ct.rows[ct.nrows], CT_MAX_COLS);
            CU_ASSERT_EQUAL(n, ct.ncols);
            ct.nrows++;
        }
    }
}

static int ct_teardown(void)
{
    char path[128];

    ct_finish();
    free(ct.text);
    free(ct.weirds);
    snprintf(path, sizeof(path), "%s/conn.log", ct.dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/weird.log", ct.dir);
    unlink(path);
    shoal_config_free(&ct.cfg);
    shoal_analyzers_free(&ct.an);
    return rmdir(ct.dir) == 0 ? 0 : -1;
}

/* ---- reading conn.log ---- */

static int ct_col(const char *name)
{
    for (int i = 0; i < ct.ncols; i++) {
        if (strcmp(ct.cols[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *ct_get(int row, const char *col)
{
    int c = ct_col(col);

    if (c < 0 || row < 0 || row >= ct.nrows) {
        return "<missing>";
    }
    return ct.rows[row][c];
}

/* First row whose column `col` is `val`, or -1. */
static int ct_find(const char *col, const char *val)
{
    for (int r = 0; r < ct.nrows; r++) {
        if (strcmp(ct_get(r, col), val) == 0) {
            return r;
        }
    }
    return -1;
}

/* Assert a column's text, naming the row, column and both values on failure. */
#define CT_EXPECT(row, col, want)                                                                  \
    do {                                                                                           \
        const char *got_ = ct_get((row), (col));                                                   \
        if (strcmp(got_, (want)) != 0) {                                                           \
            fprintf(stderr, "\n  %s:%d: row %d %s: expected '%s', got '%s'", __FILE__, __LINE__,  \
                    (row), (col), (want), got_);                                                   \
        }                                                                                          \
        CU_ASSERT_STRING_EQUAL(got_, (want));                                                      \
    } while (0)

static bool ct_weird_seen(const char *name)
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
        struct pb_spec s = {.src = v[i].src, .dst = v[i].dst, .proto = 6, .sport = v[i].sp,
                            .dport = v[i].dp, .flags = v[i].flags};
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
        {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6, .sport = 1, .dport = 2,
         .flags = PB_ACK | PB_PSH, .seq = 7, .ack = 9, .len = 33},
        {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 17, .sport = 1, .dport = 2, .len = 13},
        {.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 1, .icmp_type = 8, .icmp_id = 3,
         .len = 31},
        {.src = "fe80::1", .dst = "ff02::1", .proto = 58, .icmp_type = 128, .len = 5},
        {.src = "2001:db8::1", .dst = "2001:db8::2", .proto = 6, .sport = 1, .dport = 2,
         .flags = PB_SYN, .len = 0},
        {.src = "2001:db8::1", .dst = "2001:db8::2", .proto = 17, .sport = 1, .dport = 2,
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

struct ct_seg {
    char from; /* 'o': client -> server, 'r': server -> client */
    double t;
    uint8_t flags;
    uint32_t seq;
    uint32_t ack;
    uint16_t len;
};

struct ct_case {
    const char *cli, *srv; /* NULL: the defaults */
    uint16_t cport, sport; /* 0: the defaults */
    const struct ct_seg *segs;
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
#define HANDSHAKE {'o', 0.0, S, 1000, 0, 0}, {'r', 0.1, S | A, 5000, 1001, 0}, \
    {'o', 0.2, A, 1001, 5001, 0}

static void ct_run_case(const struct ct_case *k)
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
        const struct ct_seg *g = &k->segs[i];
        ct_tcp(g->from == 'o', g->t, g->flags, g->seq, g->ack, g->len, 0);
    }
    ct_finish();
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
        static const struct ct_seg segs_[] = {__VA_ARGS__};                                        \
        struct ct_case k_ = {NULL, NULL, 0, 0, segs_, sizeof(segs_) / sizeof(segs_[0]),            \
                             hist, state, ob, rb};                                                 \
        ct_run_case(&k_);                                                                          \
    }

/* The same with the server on port 80 (a likely server port). */
#define CT_CASE80(name, hist, state, ob, rb, ...)                                                  \
    static void test_state_##name(void)                                                            \
    {                                                                                              \
        static const struct ct_seg segs_[] = {__VA_ARGS__};                                        \
        struct ct_case k_ = {NULL, NULL, 40000, 80, segs_, sizeof(segs_) / sizeof(segs_[0]),       \
                             hist, state, ob, rb};                                                 \
        ct_run_case(&k_);                                                                          \
    }

/* The four traces of shared/traces/tcp-rst-conn-states, packet for packet. */
#define CT_RSTCASE(name, hist, state, ...)                                                         \
    static void test_rst_##name(void)                                                              \
    {                                                                                              \
        static const struct ct_seg segs_[] = {__VA_ARGS__};                                        \
        struct ct_case k_ = {"1.1.1.1", "1.1.1.2", 13131, 31313, segs_,                           \
                             sizeof(segs_) / sizeof(segs_[0]), hist, state, NULL, NULL};           \
        ct_run_case(&k_);                                                                          \
    }

CT_CASE(S0, "S", "S0", "-", "-", {'o', 0.0, S, 1000, 0, 0})
CT_CASE(S1, "ShA", "S1", "0", "0", HANDSHAKE)
CT_CASE(SF, "ShADadFf", "SF", "10", "20", HANDSHAKE,
        {'o', 0.3, P | A, 1001, 5001, 10},
        {'r', 0.4, A, 5001, 1011, 0},
        {'r', 0.5, P | A, 5001, 1011, 20},
        {'o', 0.6, F | A, 1011, 5021, 0},
        {'r', 0.7, F | A, 5021, 1012, 0},
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
/* The responder advertises a zero window. */
CT_CASE(zero_window, "ShAaw", "S1", "0", "0", HANDSHAKE, {'r', 0.3, A, 5001, 1001, 0})
/* A SYN-ACK from port 80 starts the connection: the client is the originator. */
CT_CASE80(flip, "^hD", "S1", "-", "-", {'r', 0.0, S | A, 5000, 1001, 0},
          {'o', 0.0, P | A, 1001, 5001, 10})

CT_RSTCASE(single_rst, "R", "OTH", {'o', 0.0, R, 0, 0, 0})
CT_RSTCASE(syn_then_rst, "SR", "RSTOS0", {'o', 0.0, S, 0, 0, 0}, {'o', 0.000309, R, 0, 0, 0})
CT_RSTCASE(syn_ack_rst, "SaR", "RSTOS0", {'o', 0.0, S, 0, 0, 0},
           {'r', 0.000309, A, 0, 0, 0}, {'o', 0.000461, R, 0, 0, 0})
CT_RSTCASE(syn_stuff_rst, "SaFR", "OTH", {'o', 0.0, S, 0, 0, 0},
           {'r', 0.000306, A, 0, 0, 0}, {'o', 0.00045, F, 0, 0, 0},
           {'o', 0.000592, R, 0, 0, 0})

/* tcp-rst-conn-states' single-rst.pcap: one RST to port 80. */
static void test_rst_single_to_80(void)
{
    static const struct ct_seg segs[] = {{'o', 0.0, R, 0, 0, 0}};
    struct ct_case k = {"10.0.0.10", "10.0.0.80", 48777, 80, segs, 1, "R", "OTH", "-", "-"};

    ct_run_case(&k);
}

/* ---- the full row of a complete connection ---- */

static void test_sf_row(void)
{
    ct_o(0.0, S, 1000, 0, 0);
    ct_r(0.1, S | A, 5000, 1001, 0);
    ct_o(0.2, A, 1001, 5001, 0);
    ct_o(0.3, P | A, 1001, 5001, 10);
    ct_r(0.4, A, 5001, 1011, 0);
    ct_r(0.5, P | A, 5001, 1011, 20);
    ct_o(0.6, F | A, 1011, 5021, 0);
    ct_r(0.7, F | A, 5021, 1012, 0);
    ct_o(0.8, A, 1012, 5022, 0);
    ct_finish();
    CU_ASSERT_EQUAL_FATAL(ct.nrows, 1);
    CT_EXPECT(0, "ts", "1000000000.000000");
    CU_ASSERT(ct_get(0, "uid")[0] == 'C' && strlen(ct_get(0, "uid")) >= 10);
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
        "ts",          "uid",        "id.orig_h",  "id.orig_p",    "id.resp_h",
        "id.resp_p",   "proto",      "service",    "duration",     "orig_bytes",
        "resp_bytes",  "conn_state", "local_orig", "local_resp",   "missed_bytes",
        "history",     "orig_pkts",  "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
        "tunnel_parents", "ip_proto",
    };

    ct_o(0.0, S, 1000, 0, 0);
    ct_finish();
    CU_ASSERT_EQUAL_FATAL(ct.ncols, (int)(sizeof(want) / sizeof(want[0])));
    for (int i = 0; i < ct.ncols; i++) {
        CU_ASSERT_STRING_EQUAL(ct.cols[i], want[i]);
    }
    static const char *const types[] = {
        "time",     "string", "addr",   "port",   "addr",  "port",        "enum",  "string",
        "interval", "count",  "count",  "string", "bool",  "bool",        "count", "string",
        "count",    "count",  "count",  "count",  "set[string]", "count",
    };
    CU_ASSERT_EQUAL_FATAL(ct.ntypes, ct.ncols);
    for (int i = 0; i < ct.ntypes; i++) {
        CU_ASSERT_STRING_EQUAL(ct.types[i], types[i]);
    }
    CT_EXPECT(0, "conn_state", "S0");
}
