/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the UDP tunnels of core/engine/tunnel_udp.c (Geneve, GTPv1,
 * GRE in UDP) through the real pipeline: hand-built frames are decoded and
 * processed by a context writing into a temporary directory, then conn.log,
 * tunnel.log and weird.log are read back.  Each tunnel is tried good,
 * truncated and nested, with the weirds and services Zeek gives.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "config/config.h"
#include "engine/analyzer.h"
#include "engine/conn.h"
#include "engine/decode.h"
#include "pktbuild.h"
#include "suites.h"

#define TT_T0 1000000000.0
#define TT_MAX_COLS 32
#define TT_MAX_ROWS 32
#define TT_MAX_FRAME 1800

/* A log read back: its columns and rows (text owned by `text`). */
struct tt_log {
    char *text;
    char *cols[TT_MAX_COLS];
    int ncols;
    char *rows[TT_MAX_ROWS][TT_MAX_COLS];
    int nrows;
};

static struct {
    char dir[64];
    struct shoal_config cfg;
    struct shoal_analyzers an;
    struct shoal_ctx *ctx;
    struct shoal_decoder *dec;
    bool ok;
    struct tt_log conn, tunnel, weird;
} tt;

/* ---- fixture ---- */

static void tt_decode_weird(void *ctx, const char *name, const char *addl, const char *source,
                            const struct shoal_addr *src, const struct shoal_addr *dst)
{
    shoal_ctx_net_weird(ctx, name, addl, source, src, dst);
}

static void tt_setup(void)
{
    memset(&tt, 0, sizeof(tt));
    snprintf(tt.dir, sizeof(tt.dir), "/tmp/shoal-test-tunnel-XXXXXX");
    if (mkdtemp(tt.dir) == NULL || shoal_config_defaults(&tt.cfg) < 0) {
        return;
    }
    free(tt.cfg.log_dir);
    tt.cfg.log_dir = strdup(tt.dir);
    if (tt.cfg.log_dir == NULL || shoal_analyzers_init(&tt.an) != 0) {
        return;
    }
    tt.ctx = shoal_ctx_new(&tt.cfg);
    if (tt.ctx == NULL) {
        return;
    }
    shoal_ctx_set_analyzers(tt.ctx, &tt.an);
    struct shoal_decode_opts o = {.weird = tt_decode_weird, .weird_ctx = tt.ctx};
    tt.dec = shoal_decoder_new(1 /* DLT_EN10MB */, &o);
    tt.ok = tt.dec != NULL;
}

static void tt_free_log(struct tt_log *l)
{
    free(l->text);
    memset(l, 0, sizeof(*l));
}

static void tt_teardown(void)
{
    static const char *const logs[] = {"conn.log", "tunnel.log", "weird.log"};
    char path[128];

    if (tt.ctx != NULL) {
        shoal_ctx_free(tt.ctx);
    }
    shoal_decoder_free(tt.dec);
    tt_free_log(&tt.conn);
    tt_free_log(&tt.tunnel);
    tt_free_log(&tt.weird);
    for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tt.dir, logs[i]);
        unlink(path);
    }
    shoal_config_free(&tt.cfg);
    shoal_analyzers_free(&tt.an);
    if (tt.dir[0] != '\0') {
        rmdir(tt.dir);
    }
}

/* ---- reading the logs ---- */

static void tt_read_log(const char *name, struct tt_log *l)
{
    char path[128];
    FILE *f;
    long n;

    snprintf(path, sizeof(path), "%s/%s", tt.dir, name);
    f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (l->text = malloc((size_t)n + 1)) != NULL) {
        l->text[fread(l->text, 1, (size_t)n, f)] = '\0';
    }
    fclose(f);
    char *save = NULL;
    for (char *line = l->text ? strtok_r(l->text, "\n", &save) : NULL; line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        bool fields = strncmp(line, "#fields\t", 8) == 0;
        if (line[0] == '#' && !fields) {
            continue;
        }
        char **v = fields ? l->cols : l->rows[l->nrows];
        int k = 0;
        char *p = fields ? line + 8 : line;
        while (k < TT_MAX_COLS) {
            char *tab = strchr(p, '\t');
            v[k++] = p;
            if (tab == NULL) {
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (fields) {
            l->ncols = k;
        } else if (l->nrows < TT_MAX_ROWS - 1) {
            l->nrows++;
        }
    }
}

/* Flush and free the pipeline, then read its logs. */
static void tt_finish(void)
{
    shoal_ctx_flush(tt.ctx);
    shoal_ctx_free(tt.ctx);
    tt.ctx = NULL;
    tt_read_log("conn.log", &tt.conn);
    tt_read_log("tunnel.log", &tt.tunnel);
    tt_read_log("weird.log", &tt.weird);
}

static const char *tt_get(const struct tt_log *l, int row, const char *col)
{
    for (int c = 0; c < l->ncols; c++) {
        if (strcmp(l->cols[c], col) == 0 && row >= 0 && row < l->nrows) {
            return l->rows[row][c];
        }
    }
    return "<missing>";
}

/* The first row of l whose `col` is `val`, or -1. */
static int tt_find(const struct tt_log *l, const char *col, const char *val)
{
    for (int r = 0; r < l->nrows; r++) {
        if (strcmp(tt_get(l, r, col), val) == 0) {
            return r;
        }
    }
    return -1;
}

#define TT_EXPECT(log, row, col, want)                                                             \
    do {                                                                                           \
        const char *got_ = tt_get((log), (row), (col));                                            \
        if (strcmp(got_, (want)) != 0) {                                                           \
            fprintf(stderr, "\n  %s:%d: row %d %s: expected '%s', got '%s'", __FILE__, __LINE__,   \
                    (row), (col), (want), got_);                                                   \
        }                                                                                          \
        CU_ASSERT_STRING_EQUAL(got_, (want));                                                      \
    } while (0)

/* ---- building frames ---- */

/* A UDP datagram a -> b (ports sp, dp) carrying `len` bytes of pl, as an
 * Ethernet frame into buf; returns its length. */
static size_t tt_udp(const char *a, const char *b, uint16_t sp, uint16_t dp, const uint8_t *pl,
                     size_t len, uint8_t *buf)
{
    struct pb_spec s = {
        .src = a, .dst = b, .proto = 17, .sport = sp, .dport = dp, .payload = pl, .len = len};
    int n = pb_build(&s, buf, TT_MAX_FRAME);

    CU_ASSERT_FATAL(n > 0);
    return (size_t)n;
}

/* The inner traffic: a UDP datagram 192.168.9.1:1234 -> 192.168.9.2:53
 * ("id" picks the source port), as an Ethernet frame. */
static size_t tt_inner(uint16_t sport, uint8_t *buf)
{
    static const uint8_t q[12] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};

    return tt_udp("192.168.9.1", "192.168.9.2", sport, 53, q, sizeof(q), buf);
}

static void tt_send(double t, const uint8_t *frame, size_t len)
{
    struct shoal_pkt p;

    CU_ASSERT_FATAL(tt.ok);
    shoal_ctx_advance(tt.ctx, TT_T0 + t);
    if (shoal_decode(tt.dec, TT_T0 + t, frame, (uint32_t)len, (uint32_t)len, &p) == 1) {
        shoal_ctx_packet(tt.ctx, &p);
    }
}

/* A Geneve header (with `opt_words` words of one option) for protocol type
 * `proto` before `len` bytes of in, into out; returns the length. */
static size_t tt_geneve(uint16_t proto, unsigned opt_words, const uint8_t *in, size_t len,
                        uint8_t *out)
{
    size_t h = 8 + opt_words * 4;

    memset(out, 0, h);
    out[0] = (uint8_t)opt_words; /* version 0 */
    out[2] = (uint8_t)(proto >> 8);
    out[3] = (uint8_t)proto;
    out[6] = 0x2a; /* VNI */
    if (opt_words > 0) {
        out[8] = 0x01; /* class */
        out[10] = 0x05;
        out[11] = (uint8_t)(opt_words - 1);
    }
    memcpy(out + h, in, len);
    return h + len;
}

/* A GTPv1 G-PDU header before `len` bytes of ip, into out: flags 0x30,
 * with the sequence number (S) and one extension header (E) if asked. */
static size_t tt_gtp(bool seq, bool ext, const uint8_t *ip, size_t len, uint8_t *out)
{
    size_t h = 8;

    out[0] = (uint8_t)(0x30 | (seq ? 0x02 : 0) | (ext ? 0x04 : 0));
    out[1] = 255;
    memset(out + 4, 0, 4);
    out[7] = 7; /* TEID */
    if (seq || ext) {
        memset(out + 8, 0, 4);
        out[9] = 1;
        out[11] = ext ? 0x85 : 0; /* next extension: PDU session container */
        h = 12;
    }
    if (ext) {
        out[12] = 1; /* one word: length, 2 bytes of content, next type 0 */
        out[13] = 0x10;
        out[14] = 0x05;
        out[15] = 0;
        h = 16;
    }
    out[2] = (uint8_t)((h - 8 + len) >> 8);
    out[3] = (uint8_t)(h - 8 + len);
    memcpy(out + h, ip, len);
    return h + len;
}

/* ---- Geneve ---- */

static void test_geneve_good(void)
{
    uint8_t in[TT_MAX_FRAME], gen[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, in);

    n = tt_geneve(0x6558, 2, in, n, gen);
    n = tt_udp("10.0.0.1", "10.0.0.2", 40000, 6081, gen, n, f);
    tt_send(0, f, n);
    tt_send(1, f, n);
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 2);
    int outer = tt_find(&tt.conn, "id.resp_p", "6081");
    int inner = tt_find(&tt.conn, "id.resp_p", "53");
    CU_ASSERT_FATAL(outer >= 0 && inner >= 0);
    TT_EXPECT(&tt.conn, outer, "service", "geneve");
    TT_EXPECT(&tt.conn, outer, "tunnel_parents", "-");
    TT_EXPECT(&tt.conn, inner, "tunnel_parents", tt_get(&tt.conn, outer, "uid"));
    TT_EXPECT(&tt.conn, inner, "orig_pkts", "2");
    TT_EXPECT(&tt.conn, inner, "id.orig_h", "192.168.9.1");
    CU_ASSERT_EQUAL(tt.tunnel.nrows, 2);
    TT_EXPECT(&tt.tunnel, 0, "tunnel_type", "Tunnel::GENEVE");
    TT_EXPECT(&tt.tunnel, 0, "action", "Tunnel::DISCOVER");
    TT_EXPECT(&tt.tunnel, 0, "uid", tt_get(&tt.conn, outer, "uid"));
    TT_EXPECT(&tt.tunnel, 0, "id.resp_p", "6081");
    TT_EXPECT(&tt.tunnel, 1, "action", "Tunnel::CLOSE");
}

/* Raw IPv4 inside (protocol type 0x0800); another type is not decoded. */
static void test_geneve_ip_and_unknown(void)
{
    uint8_t in[TT_MAX_FRAME], gen[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, in);
    size_t g = tt_geneve(0x0800, 0, in + 14, n - 14, gen);

    tt_send(0, f, tt_udp("10.0.0.1", "10.0.0.2", 40000, 6081, gen, g, f));
    n = tt_inner(1235, in);
    g = tt_geneve(0x88cc, 0, in + 14, n - 14, gen);
    tt_send(1, f, tt_udp("10.0.0.1", "10.0.0.2", 40000, 6081, gen, g, f));
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 2);
    CU_ASSERT(tt_find(&tt.conn, "id.orig_p", "1234") >= 0);
    CU_ASSERT(tt_find(&tt.conn, "id.orig_p", "1235") < 0);
}

static void test_geneve_truncated(void)
{
    uint8_t in[TT_MAX_FRAME], gen[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, in);

    /* options longer than the datagram: a violation, then nothing more */
    size_t g = tt_geneve(0x6558, 2, in, n, gen);
    gen[0] = 0x3f;
    tt_send(0, f, tt_udp("10.0.0.1", "10.0.0.2", 40000, 6081, gen, 20, f));
    g = tt_geneve(0x6558, 0, in, n, gen);
    tt_send(1, f, tt_udp("10.0.0.1", "10.0.0.2", 40000, 6081, gen, g, f));
    /* another connection: a header alone, and a bad version */
    tt_send(2, f, tt_udp("10.0.0.3", "10.0.0.2", 40000, 6081, gen, 8, f));
    gen[0] = 0x40;
    tt_send(3, f, tt_udp("10.0.0.3", "10.0.0.2", 40000, 6081, gen, g, f));
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 2);
    TT_EXPECT(&tt.conn, tt_find(&tt.conn, "id.orig_h", "10.0.0.1"), "service", "-");
    TT_EXPECT(&tt.conn, tt_find(&tt.conn, "id.orig_h", "10.0.0.3"), "service", "geneve");
    int w = tt_find(&tt.weird, "name", "geneve_empty_packet");
    CU_ASSERT(w >= 0);
    TT_EXPECT(&tt.weird, w, "source", "GENEVE");
    w = tt_find(&tt.weird, "name", "geneve_invalid_version");
    CU_ASSERT(w >= 0);
    TT_EXPECT(&tt.weird, w, "addl", "1");
    CU_ASSERT_EQUAL(tt.tunnel.nrows, 0);
}

/* ---- GTPv1 ---- */

static void test_gtp_good(void)
{
    uint8_t in[TT_MAX_FRAME], gtp[TT_MAX_FRAME], f[TT_MAX_FRAME];

    for (int i = 0; i < 3; i++) {
        size_t n = tt_inner((uint16_t)(1000 + i), in);
        size_t g = tt_gtp(i >= 1, i == 2, in + 14, n - 14, gtp);
        tt_send(i, f, tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, g, f));
    }
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 4);
    int outer = tt_find(&tt.conn, "id.resp_p", "2152");
    CU_ASSERT_FATAL(outer >= 0);
    TT_EXPECT(&tt.conn, outer, "service", "gtpv1");
    for (int i = 0; i < 3; i++) {
        char port[8];
        snprintf(port, sizeof(port), "%d", 1000 + i);
        int r = tt_find(&tt.conn, "id.orig_p", port);
        CU_ASSERT_FATAL(r >= 0);
        TT_EXPECT(&tt.conn, r, "tunnel_parents", tt_get(&tt.conn, outer, "uid"));
    }
    TT_EXPECT(&tt.tunnel, 0, "tunnel_type", "Tunnel::GTPv1");
    TT_EXPECT(&tt.tunnel, 0, "action", "Tunnel::DISCOVER");
}

static void test_gtp_bad(void)
{
    uint8_t in[TT_MAX_FRAME], gtp[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1000, in);
    size_t g = tt_gtp(true, true, in + 14, n - 14, gtp);

    /* cut inside the optional header, the extension and the inner packet */
    tt_send(0, f, tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, 10, f));
    tt_send(1, f, tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, 14, f));
    tt_send(2, f, tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, g - 1, f));
    /* not version 1; not a G-PDU (an echo request) */
    gtp[0] = 0x50;
    tt_send(3, f, tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, g, f));
    gtp[0] = 0x36;
    gtp[1] = 1;
    tt_send(4, f, tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, g, f));
    /* an inner packet longer than its IP header says */
    g = tt_gtp(false, false, in + 14, n - 14, gtp);
    gtp[g] = 0;
    tt_send(5, f, tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, g + 1, f));
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 1);
    TT_EXPECT(&tt.conn, 0, "service", "-");
    CU_ASSERT_EQUAL(tt.tunnel.nrows, 0);
}

/* IPv4 header checksum of the 20 bytes at h, written in place. */
static void tt_ip4_sum(uint8_t *h)
{
    uint32_t acc = 0;

    h[10] = h[11] = 0;
    for (int i = 0; i < 20; i += 2) {
        acc += (uint32_t)(h[i] << 8 | h[i + 1]);
    }
    while (acc >> 16) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    h[10] = (uint8_t)(~acc >> 8);
    h[11] = (uint8_t)~acc;
}

/* Split the IPv4 frame f (Ethernet, 20-byte IP header) after `at` bytes of
 * IP payload (a multiple of 8) into two fragment frames a and b. */
static void tt_frag4(const uint8_t *f, size_t len, size_t at, uint8_t *a, size_t *alen, uint8_t *b,
                     size_t *blen)
{
    size_t hl = 14 + 20;
    size_t rest = len - hl - at;

    memcpy(a, f, hl + at);
    a[14 + 2] = (uint8_t)((20 + at) >> 8);
    a[14 + 3] = (uint8_t)(20 + at);
    a[14 + 6] = 0x20; /* more fragments, offset 0 */
    a[14 + 7] = 0;
    tt_ip4_sum(a + 14);
    *alen = hl + at;
    memcpy(b, f, hl);
    memcpy(b + hl, f + hl + at, rest);
    b[14 + 2] = (uint8_t)((20 + rest) >> 8);
    b[14 + 3] = (uint8_t)(20 + rest);
    b[14 + 6] = (uint8_t)((at / 8) >> 8);
    b[14 + 7] = (uint8_t)(at / 8);
    tt_ip4_sum(b + 14);
    *blen = hl + rest;
}

/* An outer packet fragmented on the wire: the decoder reassembles it
 * before the tunnel is decoded, in either order. */
static void test_gtp_outer_fragments(void)
{
    uint8_t in[TT_MAX_FRAME], gtp[TT_MAX_FRAME], f[TT_MAX_FRAME];
    uint8_t a[TT_MAX_FRAME], b[TT_MAX_FRAME];
    size_t alen, blen;
    static uint8_t big[600];

    memset(big, 'q', sizeof(big));
    for (int i = 0; i < 2; i++) {
        size_t n = (size_t)tt_udp("192.168.9.1", "192.168.9.2", (uint16_t)(1000 + i), 53, big,
                                  sizeof(big), in);
        size_t g = tt_gtp(false, false, in + 14, n - 14, gtp);
        n = tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, gtp, g, f);
        f[14 + 5] = (uint8_t)(7 + i); /* IP id */
        tt_frag4(f, n, 304, a, &alen, b, &blen);
        if (i == 0) {
            tt_send(i, a, alen);
            tt_send(i + 0.1, b, blen);
        } else {
            tt_send(i, b, blen);
            tt_send(i + 0.1, a, alen);
        }
    }
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 3);
    int outer = tt_find(&tt.conn, "id.resp_p", "2152");
    CU_ASSERT_FATAL(outer >= 0);
    TT_EXPECT(&tt.conn, outer, "service", "gtpv1");
    TT_EXPECT(&tt.conn, outer, "orig_pkts", "2");
    for (int i = 0; i < 2; i++) {
        int r = tt_find(&tt.conn, "id.orig_p", i ? "1001" : "1000");
        CU_ASSERT_FATAL(r >= 0);
        TT_EXPECT(&tt.conn, r, "orig_ip_bytes", "628");
        TT_EXPECT(&tt.conn, r, "tunnel_parents", tt_get(&tt.conn, outer, "uid"));
    }
}

/* ---- nesting ---- */

/* GTPv1 inside Geneve: two levels, each connection names its parent. */
static void test_nested_gtp_in_geneve(void)
{
    uint8_t in[TT_MAX_FRAME], gtp[TT_MAX_FRAME], mid[TT_MAX_FRAME], gen[TT_MAX_FRAME];
    uint8_t f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, in);

    n = tt_gtp(false, false, in + 14, n - 14, gtp);
    n = tt_udp("172.16.0.1", "172.16.0.2", 2152, 2152, gtp, n, mid);
    n = tt_geneve(0x6558, 0, mid, n, gen);
    tt_send(0, f, tt_udp("10.0.0.1", "10.0.0.2", 40000, 6081, gen, n, f));
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 3);
    int outer = tt_find(&tt.conn, "id.resp_p", "6081");
    int mid_r = tt_find(&tt.conn, "id.resp_p", "2152");
    int inner = tt_find(&tt.conn, "id.resp_p", "53");
    CU_ASSERT_FATAL(outer >= 0 && mid_r >= 0 && inner >= 0);
    TT_EXPECT(&tt.conn, mid_r, "tunnel_parents", tt_get(&tt.conn, outer, "uid"));
    TT_EXPECT(&tt.conn, inner, "tunnel_parents", tt_get(&tt.conn, mid_r, "uid"));
    TT_EXPECT(&tt.conn, mid_r, "service", "gtpv1");
    CU_ASSERT(tt_find(&tt.tunnel, "tunnel_type", "Tunnel::GTPv1") >= 0);
    CU_ASSERT(tt_find(&tt.tunnel, "tunnel_type", "Tunnel::GENEVE") >= 0);
}

/* Three levels exceed Tunnel::max_depth: Geneve's weird, GTP's own. */
static void test_nested_too_deep(void)
{
    uint8_t a[TT_MAX_FRAME], b[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, a);

    for (int i = 0; i < 3; i++) {
        n = tt_geneve(0x6558, 0, a, n, b);
        n = tt_udp("10.0.0.1", "10.0.0.2", (uint16_t)(40000 + i), 6081, b, n, a);
    }
    tt_send(0, a, n);
    n = tt_inner(1234, a);
    n = tt_gtp(false, false, a + 14, n - 14, b);
    n = tt_udp("10.0.0.1", "10.0.0.2", 2152, 2152, b, n, a);
    for (int i = 0; i < 2; i++) {
        n = tt_geneve(0x6558, 0, a, n, b);
        n = tt_udp("10.0.0.1", "10.0.0.2", (uint16_t)(41000 + i), 6081, b, n, a);
    }
    tt_send(1, a, n);
    (void)f;
    tt_finish();
    CU_ASSERT(tt_find(&tt.weird, "name", "exceeded_tunnel_max_depth_in_tunnel") >= 0);
    int w = tt_find(&tt.weird, "name", "tunnel_depth");
    CU_ASSERT(w >= 0);
    TT_EXPECT(&tt.weird, w, "source", "GTPV1");
    CU_ASSERT(tt_find(&tt.conn, "id.resp_p", "53") < 0);
}

/* VXLAN over IPv6 with a zero UDP checksum: accepted on a VXLAN port (as
 * Zeek does), a bad checksum elsewhere. */
static void test_vxlan_zero_checksum_v6(void)
{
    uint8_t in[TT_MAX_FRAME], vx[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, in);

    memset(vx, 0, 8);
    vx[0] = 0x08;
    memcpy(vx + 8, in, n);
    size_t m = tt_udp("2001:db8::1", "2001:db8::2", 40000, 4789, vx, n + 8, f);
    f[14 + 40 + 6] = f[14 + 40 + 7] = 0;
    tt_send(0, f, m);
    m = tt_udp("2001:db8::1", "2001:db8::2", 40000, 4790, vx, n + 8, f);
    f[14 + 40 + 6] = f[14 + 40 + 7] = 0;
    tt_send(1, f, m);
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 3);
    TT_EXPECT(&tt.conn, tt_find(&tt.conn, "id.resp_p", "4789"), "service", "vxlan");
    TT_EXPECT(&tt.conn, tt_find(&tt.conn, "id.resp_p", "4790"), "history", "C");
    CU_ASSERT(tt_find(&tt.conn, "id.resp_p", "53") >= 0);
    CU_ASSERT_EQUAL(tt.weird.nrows, 1);
    TT_EXPECT(&tt.weird, 0, "name", "bad_UDP_checksum");
    TT_EXPECT(&tt.weird, 0, "id.resp_p", "4790");
}

/* ---- GRE in UDP ---- */

static void test_gre_in_udp(void)
{
    uint8_t in[TT_MAX_FRAME], gre[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, in);

    gre[0] = gre[1] = 0;
    gre[2] = 0x08;
    gre[3] = 0x00;
    memcpy(gre + 4, in + 14, n - 14);
    tt_send(0, f, tt_udp("10.0.0.1", "10.0.0.2", 50000, 4754, gre, n - 10, f));
    /* truncated: a GRE header of two bytes */
    tt_send(1, f, tt_udp("10.0.0.1", "10.0.0.2", 50000, 4754, gre, 2, f));
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 2);
    int outer = tt_find(&tt.conn, "id.resp_p", "4754");
    int inner = tt_find(&tt.conn, "id.resp_p", "53");
    CU_ASSERT_FATAL(outer >= 0 && inner >= 0);
    TT_EXPECT(&tt.conn, outer, "service", "-");
    CU_ASSERT_EQUAL(tt.tunnel.nrows, 1);
    TT_EXPECT(&tt.tunnel, 0, "tunnel_type", "Tunnel::GRE");
    TT_EXPECT(&tt.tunnel, 0, "id.orig_h", "10.0.0.1");
    TT_EXPECT(&tt.tunnel, 0, "id.resp_p", "0");
    TT_EXPECT(&tt.conn, inner, "tunnel_parents", tt_get(&tt.tunnel, 0, "uid"));
    CU_ASSERT(tt_find(&tt.weird, "name", "truncated_GRE") >= 0);
}

/* The ports come from tunnel.*_ports. */
static void test_ports_configurable(void)
{
    uint8_t in[TT_MAX_FRAME], gen[TT_MAX_FRAME], f[TT_MAX_FRAME];
    size_t n = tt_inner(1234, in);

    tt.cfg.tunnel_geneve_ports = (struct shoal_port_set){1, {7777}};
    n = tt_geneve(0x6558, 0, in, n, gen);
    tt_send(0, f, tt_udp("10.0.0.1", "10.0.0.2", 40000, 6081, gen, n, f));
    tt_send(1, f, tt_udp("10.0.0.1", "10.0.0.2", 40001, 7777, gen, n, f));
    tt_finish();
    CU_ASSERT_EQUAL(tt.conn.nrows, 3);
    TT_EXPECT(&tt.conn, tt_find(&tt.conn, "id.resp_p", "6081"), "service", "-");
    TT_EXPECT(&tt.conn, tt_find(&tt.conn, "id.resp_p", "7777"), "service", "geneve");
}

int register_tunnel_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc fn;
    } tests[] = {
        {"geneve: ethernet inside", test_geneve_good},
        {"geneve: ip inside, unknown type", test_geneve_ip_and_unknown},
        {"geneve: truncated, empty, bad version", test_geneve_truncated},
        {"gtpv1: g-pdu with options and extension", test_gtp_good},
        {"gtpv1: truncated and other messages", test_gtp_bad},
        {"gtpv1: outer ip fragments reassembled first", test_gtp_outer_fragments},
        {"nested: gtpv1 in geneve", test_nested_gtp_in_geneve},
        {"nested: beyond max_depth", test_nested_too_deep},
        {"vxlan: zero checksum over ipv6", test_vxlan_zero_checksum_v6},
        {"gre in udp", test_gre_in_udp},
        {"configurable ports", test_ports_configurable},
    };
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("tunnel", NULL, NULL, tt_setup, tt_teardown);

    if (s == NULL) {
        return CU_get_error();
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL) {
            return CU_get_error();
        }
    }
    return 0;
}
