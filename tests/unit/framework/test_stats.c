/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of stats.log and capture_loss.log (core/framework/stats.c):
 * when records are due on network time, the counts since the last record
 * against the totals the node reports, the live-only columns, the last
 * records at the end, the capture-loss notices, and the settings that turn
 * the logs off (a trace without stats.traces, both intervals 0).  Files go
 * to a temporary directory under /tmp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "framework/log.h"
#include "framework/notice.h"
#include "framework/stats.h"
#include "suites.h"

static char st_dir[64];
static struct shoal_stats_sample st_now; /* what the fake node reports */
static char st_notes[4][64];
static size_t st_n_notes;

static void st_sample(void *arg, struct shoal_stats_sample *out)
{
    (void)arg;
    *out = st_now;
}

static void st_notice(void *arg, const struct shoal_notice_info *n)
{
    (void)arg;
    if (st_n_notes < 4) {
        snprintf(st_notes[st_n_notes++], sizeof(st_notes[0]), "%s", n->note);
    }
}

static const struct shoal_stats_hooks st_hooks = {st_sample, st_notice, NULL};

/* The data rows of DIR/NAME.log, one string (rows joined by '\n'), or
 * "" when there is no file.  Owned by the caller. */
static char *st_rows(const char *name)
{
    char path[128], line[2048];
    size_t cap = 1, len = 0;
    char *out = calloc(1, 1);
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.log", st_dir, name);
    f = fopen(path, "r");
    while (f != NULL && out != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (line[0] == '#') {
            continue;
        }
        size_t n = strlen(line);
        char *grown = realloc(out, cap + n);
        if (grown == NULL) {
            break;
        }
        out = grown;
        cap += n;
        memcpy(out + len, line, n + 1);
        len += n;
    }
    if (f != NULL) {
        fclose(f);
        unlink(path);
    }
    return out;
}

static int st_setup(void)
{
    snprintf(st_dir, sizeof(st_dir), "/tmp/shoal-test-stats-XXXXXX");
    return mkdtemp(st_dir) == NULL ? -1 : 0;
}

static int st_cleanup(void)
{
    return rmdir(st_dir);
}

static void st_config(struct shoal_config *c)
{
    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(c), 0);
    c->stats_interval = 10;
    c->stats_capture_loss_first = 5;
    c->stats_capture_loss_interval = 20;
    c->stats_traces = true;
}

static void test_stats_records(void)
{
    struct shoal_config cfg;
    struct shoal_logger *l = shoal_logger_new(st_dir, SHOAL_LOGFMT_TSV);
    struct shoal_statslog *s;
    char *rows;

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    st_config(&cfg);
    memset(&st_now, 0, sizeof(st_now));
    st_n_notes = 0;
    s = shoal_statslog_new(l, "worker-1", &cfg, true, &st_hooks);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    shoal_statslog_tick(s, 100.0); /* the first packet */
    st_now.mem_mb = 12;
    st_now.packets = 1000;
    st_now.bytes = 500000;
    st_now.conns_active[SHOAL_STATS_TCP] = 7;
    st_now.conns_total[SHOAL_STATS_TCP] = 9;
    st_now.conns_total[SHOAL_STATS_UDP] = 4;
    st_now.conns_active[SHOAL_STATS_ICMP] = 1;
    st_now.conns_total[SHOAL_STATS_ICMP] = 1;
    st_now.timers_total = 3;
    st_now.timers_active = 2;
    st_now.reasm_tcp = 4096;
    st_now.reasm_frag = 1500;
    st_now.ack_events = 200;
    st_now.gap_events = 30;
    shoal_statslog_tick(s, 104.0); /* nothing due */
    shoal_statslog_tick(s, 105.5); /* capture_loss: 15% lost */
    st_now.packets = 1500;
    st_now.bytes = 700000;
    st_now.conns_total[SHOAL_STATS_TCP] = 10;
    st_now.ack_events = 300;
    shoal_statslog_tick(s, 111.0); /* stats.log */
    st_now.packets = 1600;
    shoal_statslog_finish(s, 112.0); /* the last of each */
    CU_ASSERT_EQUAL(shoal_logger_free(l), 0);

    rows = st_rows("stats");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    CU_ASSERT_STRING_EQUAL(rows, "111.000000\tworker-1\t12\t1500\t700000\t-\t-\t-\t-\t0\t0"
                                 "\t7\t0\t1\t10\t4\t1\t3\t2\t0\t0\t0\t0\t4096\t0\t1500\t0\n"
                                 "112.000000\tworker-1\t12\t100\t0\t-\t-\t-\t-\t0\t0"
                                 "\t7\t0\t1\t0\t0\t0\t0\t2\t0\t0\t0\t0\t4096\t0\t1500\t0\n");
    free(rows);
    rows = st_rows("capture_loss");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    CU_ASSERT_STRING_EQUAL(rows, "105.500000\t5.500000\tworker-1\t30\t200\t15.000000\n"
                                 "112.000000\t6.500000\tworker-1\t0\t100\t0.000000\n");
    free(rows);
    CU_ASSERT_EQUAL(st_n_notes, 1);
    CU_ASSERT_STRING_EQUAL(st_notes[0], "CaptureLoss::Too_Much_Loss");
    shoal_config_free(&cfg);
}

static void test_stats_live(void)
{
    struct shoal_config cfg;
    struct shoal_logger *l = shoal_logger_new(st_dir, SHOAL_LOGFMT_TSV);
    struct shoal_statslog *s;
    char *rows;

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    st_config(&cfg);
    cfg.stats_traces = false; /* a live node writes them all the same */
    memset(&st_now, 0, sizeof(st_now));
    st_n_notes = 0;
    st_now.live = true;
    s = shoal_statslog_new(l, "shoal", &cfg, false, &st_hooks);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    shoal_statslog_tick(s, 50.0);
    st_now.packets = 90;
    st_now.dropped = 10;
    st_now.link = 100;
    st_now.lag = 0.25;
    /* A quiet spell of 3 intervals: one record, then one an interval on. */
    shoal_statslog_tick(s, 80.0);
    shoal_statslog_tick(s, 89.0);
    st_now.dropped = 15;
    st_now.link = 120;
    shoal_statslog_tick(s, 90.0);
    shoal_statslog_finish(s, 90.0);
    CU_ASSERT_EQUAL(shoal_logger_free(l), 0);

    rows = st_rows("stats");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    CU_ASSERT_STRING_EQUAL(rows, "80.000000\tshoal\t0\t90\t0\t10\t100\t0.250000\t-\t0\t0"
                                 "\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"
                                 "90.000000\tshoal\t0\t0\t0\t5\t20\t0.250000\t-\t0\t0"
                                 "\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"
                                 "90.000000\tshoal\t0\t0\t0\t0\t0\t0.250000\t-\t0\t0"
                                 "\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n");
    free(rows);
    free(st_rows("capture_loss"));
    /* No TCP at all: too little traffic, at each measurement. */
    CU_ASSERT_EQUAL(st_n_notes, 2);
    CU_ASSERT_STRING_EQUAL(st_notes[0], "CaptureLoss::Too_Little_Traffic");
    shoal_config_free(&cfg);
}

static void test_stats_off(void)
{
    struct shoal_config cfg;
    struct shoal_logger *l = shoal_logger_new(st_dir, SHOAL_LOGFMT_TSV);

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    st_config(&cfg);
    cfg.stats_traces = false;
    CU_ASSERT_PTR_NULL(shoal_statslog_new(l, "shoal", &cfg, true, &st_hooks));
    cfg.stats_traces = true;
    cfg.stats_interval = 0;
    cfg.stats_capture_loss_interval = 0;
    CU_ASSERT_PTR_NULL(shoal_statslog_new(l, "shoal", &cfg, true, &st_hooks));
    /* NULL is a node without the logs. */
    shoal_statslog_tick(NULL, 1.0);
    shoal_statslog_finish(NULL, 1.0);
    CU_ASSERT_EQUAL(shoal_logger_free(l), 0);
    shoal_config_free(&cfg);
}

int register_stats_suite(void)
{
    CU_pSuite s = CU_add_suite("stats", st_setup, st_cleanup);

    if (s == NULL || CU_add_test(s, "records, deltas, capture loss", test_stats_records) == NULL ||
        CU_add_test(s, "live columns, quiet spells", test_stats_live) == NULL ||
        CU_add_test(s, "off", test_stats_off) == NULL) {
        return -1;
    }
    return 0;
}
