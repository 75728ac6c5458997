/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of analyzer dispatch through a packet context: an analyzer
 * handing its stream on (SHOAL_AN_HANDOFF) makes the content signatures
 * run again on what follows, and a connection an analyzer expects gets it
 * attached at once, with its cookie and the expectation's service, and an
 * analyzer feeding another as its child (deliver) gives it only what it
 * delivers.  The analyzers are fakes that record what they are given.
 */
#include <errno.h>
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

#define DT_T0 1000000000.0

/* What the fake analyzers saw. */
struct dt_seen {
    char data[256];
    size_t len;
    uint64_t cookie;
    uint64_t services; /* of the connection, at conn_done */
    int done;
};

static struct dt_seen dt_first, dt_second;
static struct shoal_analyzers dt_an;
static int dt_first_idx;
static struct shoal_ctx *dt_ctx;
static int dt_deliver_rc[8]; /* deliver's return codes, in order */
static size_t dt_ndeliver;

static void dt_add(struct dt_seen *s, const uint8_t *data, size_t len)
{
    size_t n = len < sizeof(s->data) - 1 - s->len ? len : sizeof(s->data) - 1 - s->len;
    memcpy(s->data + s->len, data, n);
    s->len += n;
}

static int dt_first_new(void *ps, struct shoal_conn *c, void *cs)
{
    (void)ps;
    (void)cs;
    dt_first.cookie = shoal_an_cookie(c, (uint16_t)dt_first_idx);
    return SHOAL_AN_OK;
}

/* "first" hands the stream on after a line "SWITCH"; it feeds what follows
 * "FEED" to "second" (deliver), "FEEDME" to itself, "FEEDNO" to nobody. */
static int dt_first_data(void *ps, struct shoal_conn *c, void *cs, bool is_orig,
                         const uint8_t *data, size_t len)
{
    (void)ps;
    (void)cs;
    dt_add(&dt_first, data, len);
    if (len >= 4 && memcmp(data, "FEED", 4) == 0 && dt_ndeliver < 8) {
        const char *to = len >= 6 && memcmp(data + 4, "ME", 2) == 0   ? "first"
                         : len >= 6 && memcmp(data + 4, "NO", 2) == 0 ? "nosuch"
                                                                      : "second";
        dt_deliver_rc[dt_ndeliver++] =
            shoal_an_deliver_service(dt_ctx, c, to, is_orig, data + 4, len - 4);
    }
    return len >= 6 && memcmp(data, "SWITCH", 6) == 0 ? SHOAL_AN_HANDOFF : SHOAL_AN_OK;
}

static int dt_second_data(void *ps, struct shoal_conn *c, void *cs, bool is_orig,
                          const uint8_t *data, size_t len)
{
    (void)ps;
    (void)c;
    (void)cs;
    (void)is_orig;
    dt_add(&dt_second, data, len);
    return len >= 4 && memcmp(data, "STOP", 4) == 0 ? SHOAL_AN_DETACH : SHOAL_AN_OK;
}

static void dt_first_done(void *ps, struct shoal_conn *c, void *cs)
{
    (void)ps;
    (void)cs;
    dt_first.done++;
    dt_first.services = c->services;
}

static void dt_second_done(void *ps, struct shoal_conn *c, void *cs)
{
    (void)ps;
    (void)cs;
    dt_second.done++;
    dt_second.services = c->services;
}

static const struct shoal_port dt_first_ports[] = {{SHOAL_PROTO_TCP, 7000}, {0, 0}};
static const struct shoal_signature dt_second_sigs[] = {
    {SHOAL_PROTO_TCP, SHOAL_SIG_ORIG, "^HELLO"},
    {0, 0, NULL},
};

static const struct shoal_analyzer_ops dt_first_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "first",
    .ports = dt_first_ports,
    .conn_size = 8,
    .conn_new = dt_first_new,
    .data = dt_first_data,
    .conn_done = dt_first_done,
};

static const struct shoal_analyzer_ops dt_second_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "second",
    .signatures = dt_second_sigs,
    .conn_size = 8,
    .data = dt_second_data,
    .conn_done = dt_second_done,
};

/* Run `n` segments of one TCP connection (handshake first) through a
 * fresh context; `cli_sends[i]` tells who sends payload i. */
static void dt_run(uint16_t cport, uint16_t sport, const char *const *payload,
                   const bool *cli_sends, size_t n, bool expect_first)
{
    char dir[64];
    struct shoal_config cfg;
    struct shoal_ctx *x;
    struct shoal_decoder *dec;
    uint32_t seq[2] = {1000, 5000};
    double t = DT_T0;

    memset(&dt_first, 0, sizeof(dt_first));
    memset(&dt_second, 0, sizeof(dt_second));
    dt_ndeliver = 0;
    snprintf(dir, sizeof(dir), "/tmp/shoal-test-dispatch-XXXXXX");
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    CU_ASSERT_FATAL(shoal_config_defaults(&cfg) == 0);
    free(cfg.log_dir);
    cfg.log_dir = strdup(dir);
    CU_ASSERT_FATAL(shoal_analyzers_init(&dt_an) == 0);
    dt_first_idx = shoal_analyzers_index(&dt_an, &dt_first_ops);
    CU_ASSERT_EQUAL(dt_first_idx, -1);
    CU_ASSERT(shoal_analyzers_add(&dt_an, &dt_first_ops, NULL, "analyzer:first") >= 0);
    CU_ASSERT(shoal_analyzers_add(&dt_an, &dt_second_ops, NULL, "analyzer:second") >= 0);
    dt_first_idx = shoal_analyzers_index(&dt_an, &dt_first_ops);
    CU_ASSERT_EQUAL(dt_first_idx, 0);
    x = shoal_ctx_new(&cfg);
    CU_ASSERT_FATAL(x != NULL);
    shoal_ctx_set_analyzers(x, &dt_an);
    dt_ctx = x;
    struct shoal_decode_opts o = {.ignore_checksums = true};
    dec = shoal_decoder_new(1 /* DLT_EN10MB */, &o);
    CU_ASSERT_FATAL(dec != NULL);
    if (expect_first) {
        struct shoal_addr srv = {{0}};
        srv.b[10] = srv.b[11] = 0xff;
        srv.b[12] = 10, srv.b[13] = 2, srv.b[14] = 2, srv.b[15] = 2;
        CU_ASSERT_EQUAL(shoal_an_expect(&dt_an, (uint16_t)dt_first_idx, NULL, &srv, sport,
                                        SHOAL_PROTO_TCP, DT_T0 + 60, "first-data", 42, DT_T0),
                        0);
    }
    for (size_t i = 0; i < n + 3; i++) {
        /* SYN, SYN-ACK, ACK, then the payloads */
        bool cli = i == 0 || i == 2 || (i > 2 && cli_sends[i - 3]);
        uint8_t flags = i == 0   ? PB_SYN
                        : i == 1 ? (PB_SYN | PB_ACK)
                                 : (PB_ACK | (i > 2 ? PB_PSH : 0));
        const char *pl = i > 2 ? payload[i - 3] : NULL;
        struct pb_spec s = {
            .ts = (t += 0.01),
            .src = cli ? "10.1.1.1" : "10.2.2.2",
            .dst = cli ? "10.2.2.2" : "10.1.1.1",
            .proto = 6,
            .sport = cli ? cport : sport,
            .dport = cli ? sport : cport,
            .flags = flags,
            .seq = seq[cli ? 0 : 1] - (i < 2 ? 1 : 0),
            .ack = seq[cli ? 1 : 0],
            .payload = (const uint8_t *)pl,
            .len = pl != NULL ? strlen(pl) : 0,
        };
        uint8_t frame[PB_MAX_FRAME];
        struct shoal_pkt p;
        int len = pb_build(&s, frame, sizeof(frame));
        CU_ASSERT_FATAL(len > 0);
        CU_ASSERT_FATAL(shoal_decode(dec, s.ts, frame, (uint32_t)len, (uint32_t)len, &p) == 1);
        shoal_ctx_packet(x, &p);
        seq[cli ? 0 : 1] += (uint32_t)s.len;
    }
    shoal_ctx_free(x);
    shoal_decoder_free(dec);
    shoal_analyzers_free(&dt_an);
    shoal_config_free(&cfg);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_handoff(void)
{
    static const char *const pl[] = {"hi\n", "SWITCH\n", "HELLO there\n", "ok\n"};
    static const bool cli[] = {true, false, true, false};

    dt_run(40000, 7000, pl, cli, 4, false);
    CU_ASSERT_EQUAL(dt_first.done, 1);
    CU_ASSERT_EQUAL(dt_first.len, strlen("hi\nSWITCH\n"));
    CU_ASSERT_EQUAL(dt_second.done, 1);
    CU_ASSERT_STRING_EQUAL(dt_second.data, "HELLO there\nok\n");
}

static void test_expected(void)
{
    static const char *const pl[] = {"data\n"};
    static const bool cli[] = {false};

    dt_run(40001, 33333, pl, cli, 1, true);
    CU_ASSERT_EQUAL(dt_first.cookie, 42);
    CU_ASSERT_STRING_EQUAL(dt_first.data, "data\n");
    CU_ASSERT_EQUAL(dt_first.done, 1);
    CU_ASSERT(dt_first.services != 0); /* the expectation's service */
    CU_ASSERT_EQUAL(dt_second.done, 0);
}

/* A child gets only what its parent delivers (not the connection's
 * bytes), conn_done once; -EPIPE after it detached, -EEXIST for an
 * analyzer attached on its own, -ENOENT for no analyzer. */
static void test_deliver(void)
{
    static const char *const pl[] = {"FEEDabc", "plain",    "FEEDxyz", "FEEDME",
                                     "FEEDNO",  "FEEDSTOP", "FEEDmore"};
    static const bool cli[] = {true, false, true, true, true, false, true};

    dt_run(40002, 7000, pl, cli, 7, false);
    CU_ASSERT_STRING_EQUAL(dt_second.data, "abcxyzSTOP");
    CU_ASSERT_EQUAL(dt_second.done, 1);
    CU_ASSERT_EQUAL(dt_first.done, 1);
    CU_ASSERT_EQUAL_FATAL(dt_ndeliver, 6);
    CU_ASSERT_EQUAL(dt_deliver_rc[0], 0);
    CU_ASSERT_EQUAL(dt_deliver_rc[1], 0);
    CU_ASSERT_EQUAL(dt_deliver_rc[2], -EEXIST);
    CU_ASSERT_EQUAL(dt_deliver_rc[3], -ENOENT);
    CU_ASSERT_EQUAL(dt_deliver_rc[4], 0);
    CU_ASSERT_EQUAL(dt_deliver_rc[5], -EPIPE);
}

int register_dispatch_suite(void)
{
    CU_pSuite s = CU_add_suite("dispatch", NULL, NULL);

    if (s == NULL || CU_add_test(s, "hand-off to content detection", test_handoff) == NULL ||
        CU_add_test(s, "expected connection", test_expected) == NULL ||
        CU_add_test(s, "deliver to a child", test_deliver) == NULL) {
        return CU_get_error();
    }
    return 0;
}
