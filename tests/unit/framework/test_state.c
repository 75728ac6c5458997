/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the notice framework's last step and the distinct-count
 * statistics: core/framework/sumstat.c (declarations, crossing exactly once per
 * epoch, duplicates, out-of-order times, marks, expiry, the key bound, and
 * a random run against a brute-force model) and core/framework/notice.c (notice.log
 * columns as Zeek writes them, suppression, action programs fed the notice
 * on stdin, programs that fail or do not exist).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "config/config.h"
#include "suites.h"
#include "framework/log.h"
#include "framework/notice.h"
#include "framework/sumstat.h"

/* ---- sumstat ---- */

struct crossing {
    int calls;
    uint64_t unique;
    double begin, end;
    uint8_t key[SHOAL_SUMSTAT_MAX_KEY];
    size_t klen;
};

static void on_crossed(void *arg, const struct shoal_sumstat_result *r)
{
    struct crossing *c = arg;

    c->calls++;
    c->unique = r->unique;
    c->begin = r->begin;
    c->end = r->end;
    c->klen = r->klen;
    memcpy(c->key, r->key, r->klen);
}

static struct shoal_sumstat def_of(const char *name, uint64_t threshold, double epoch,
                                   struct crossing *c)
{
    struct shoal_sumstat d = {
        .size = sizeof(d),
        .name = name,
        .threshold = threshold,
        .epoch = epoch,
        .crossed = on_crossed,
        .arg = c,
    };
    return d;
}

static void test_declare(void)
{
    struct shoal_sumstats *t = shoal_sumstats_new(0);
    struct crossing c = {0};
    struct shoal_sumstat ok = def_of("scan.addr", 25, 300, &c);
    struct shoal_sumstat bad[] = {
        def_of("", 1, 1, &c),    def_of(".x", 1, 1, &c),
        def_of("a b", 1, 1, &c), def_of("proxy.alive", 1, 1, &c),
        def_of("x", 0, 1, &c),   def_of("x", 4097, 1, &c),
        def_of("x", 1, 0, &c),   def_of("x", 1, -1, &c),
        def_of(NULL, 1, 1, &c),
    };
    static char names[SHOAL_SUMSTAT_MAX][8];

    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(shoal_sumstats_declare(t, &ok), 0);
    CU_ASSERT_EQUAL(shoal_sumstats_declare(t, &ok), -EEXIST);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(shoal_sumstats_declare(t, &bad[i]), -EINVAL);
    }
    struct shoal_sumstat small = ok;
    small.name = "small";
    small.size = 8;
    CU_ASSERT_EQUAL(shoal_sumstats_declare(t, &small), -EINVAL);
    CU_ASSERT_EQUAL(shoal_sumstats_find(t, "scan.addr"), 0);
    CU_ASSERT_EQUAL(shoal_sumstats_find(t, "nope"), -ENOENT);
    CU_ASSERT_PTR_EQUAL(shoal_sumstats_def(t, 0), &ok);
    CU_ASSERT_PTR_NULL(shoal_sumstats_def(t, 1));
    static struct shoal_sumstat many[SHOAL_SUMSTAT_MAX];
    int last = 0;
    for (int i = 1; i <= SHOAL_SUMSTAT_MAX; i++) {
        snprintf(names[i - 1], sizeof(names[i - 1]), "s%d", i);
        many[i - 1] = def_of(names[i - 1], 1, 1, &c);
        last = shoal_sumstats_declare(t, &many[i - 1]);
    }
    CU_ASSERT_EQUAL(last, -ENOSPC);
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, 99, "k", 1, 1, 1.0, NULL), -EINVAL);
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, 0, "k", SHOAL_SUMSTAT_MAX_KEY + 1, 1, 1.0, NULL),
                    -EINVAL);
    shoal_sumstats_free(t);
}

static void test_cross_once(void)
{
    struct shoal_sumstats *t = shoal_sumstats_new(0);
    struct crossing c = {0};
    struct shoal_sumstat d = def_of("s", 5, 100, &c);
    double until = 0;
    int h = shoal_sumstats_declare(t, &d);

    CU_ASSERT_EQUAL_FATAL(h, 0);
    /* Members 0..3, each twice, and member 0 (the empty-slot value) too. */
    for (uint64_t m = 0; m < 4; m++) {
        CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "key", 3, m, 10.0 + (double)m, NULL), 0);
        CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "key", 3, m, 20.0, NULL), 0);
    }
    /* Another key does not add up with this one. */
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "kez", 3, 77, 20.0, NULL), 0);
    CU_ASSERT_EQUAL(c.calls, 0);
    /* An earlier time arriving late moves begin back. */
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "key", 3, 4, 5.0, &until), 1);
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT_EQUAL(c.unique, 5);
    CU_ASSERT_DOUBLE_EQUAL(c.begin, 5.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.end, 20.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(until, 110.0, 1e-9); /* first observation (10) + epoch */
    CU_ASSERT_EQUAL(c.klen, 3);
    CU_ASSERT(memcmp(c.key, "key", 3) == 0);
    /* Crossed: nothing more until the epoch ends... */
    for (uint64_t m = 5; m < 50; m++) {
        CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "key", 3, m, 50.0, NULL), 0);
    }
    CU_ASSERT_EQUAL(c.calls, 1);
    CU_ASSERT(shoal_sumstats_is_crossed(t, h, "key", 3, 60.0));
    CU_ASSERT(!shoal_sumstats_is_crossed(t, h, "kez", 3, 60.0));
    /* ...then a new epoch counts from zero. */
    for (uint64_t m = 0; m < 4; m++) {
        CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "key", 3, m, 110.0, NULL), 0);
    }
    CU_ASSERT(!shoal_sumstats_is_crossed(t, h, "key", 3, 110.0));
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "key", 3, 99, 111.0, NULL), 1);
    CU_ASSERT_EQUAL(c.calls, 2);
    struct shoal_sumstats_stats st;
    shoal_sumstats_stats(t, &st);
    CU_ASSERT_EQUAL(st.crossed, 2);
    CU_ASSERT_EQUAL(st.keys, 2);
    shoal_sumstats_expire(t, 1000.0);
    shoal_sumstats_stats(t, &st);
    CU_ASSERT_EQUAL(st.keys, 0);
    shoal_sumstats_free(t);
}

static void test_marks(void)
{
    struct shoal_sumstats *t = shoal_sumstats_new(0);
    struct crossing c = {0};
    struct shoal_sumstat d = def_of("known", 1, 86400, &c);
    int h = shoal_sumstats_declare(t, &d);

    CU_ASSERT_EQUAL(shoal_sumstats_mark(t, h, "10.0.0.1", 8, 100.0, 500.0), 0);
    CU_ASSERT(shoal_sumstats_is_crossed(t, h, "10.0.0.1", 8, 400.0));
    /* A marked key does not cross again locally. */
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, "10.0.0.1", 8, 0, 450.0, NULL), 0);
    CU_ASSERT_EQUAL(c.calls, 0);
    CU_ASSERT(!shoal_sumstats_is_crossed(t, h, "10.0.0.1", 8, 500.0));
    /* A mark already over is ignored. */
    CU_ASSERT_EQUAL(shoal_sumstats_mark(t, h, "10.0.0.2", 8, 0, 100.0), 0);
    CU_ASSERT(!shoal_sumstats_is_crossed(t, h, "10.0.0.2", 8, 0));
    CU_ASSERT_EQUAL(shoal_sumstats_mark(t, 5, "x", 1, 0, 1e9), -EINVAL);
    shoal_sumstats_free(t);
}

static void test_bound(void)
{
    struct shoal_sumstats *t = shoal_sumstats_new(100);
    struct crossing c = {0};
    struct shoal_sumstat d = def_of("s", 2, 1e6, &c);
    struct shoal_sumstats_stats st;
    int h = shoal_sumstats_declare(t, &d);

    for (uint32_t k = 0; k < 1000; k++) {
        CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, &k, sizeof(k), 1, 1.0 + k, NULL), 0);
    }
    shoal_sumstats_stats(t, &st);
    CU_ASSERT_EQUAL(st.keys, 100);
    CU_ASSERT_EQUAL(st.evicted, 900);
    /* The newest keys stayed: a second member crosses them. */
    uint32_t k = 999;
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, &k, sizeof(k), 2, 1000.0, NULL), 1);
    k = 0;
    CU_ASSERT_EQUAL(shoal_sumstats_observe(t, h, &k, sizeof(k), 2, 1000.0, NULL), 0);
    shoal_sumstats_free(t);
}

/* Random observations against a brute-force model of the same rules. */
static void test_model(void)
{
    enum { KEYS = 13, MEMBERS = 9, STEPS = 20000 };
    struct shoal_sumstats *t = shoal_sumstats_new(0);
    struct crossing c = {0};
    struct shoal_sumstat d = def_of("m", 4, 50, &c);
    int h = shoal_sumstats_declare(t, &d);
    struct {
        bool live, crossed;
        double until;
        bool seen[MEMBERS];
        int n;
    } model[KEYS];
    uint64_t rng = 12345;
    double now = 0;
    int crossings = 0;

    memset(model, 0, sizeof(model));
    for (int i = 0; i < STEPS; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        uint8_t key = (uint8_t)(rng % KEYS);
        uint64_t m = (rng >> 8) % MEMBERS;
        now += (double)((rng >> 20) % 100) / 10.0;
        if (!model[key].live || model[key].until <= now) {
            memset(&model[key], 0, sizeof(model[key]));
            model[key].live = true;
            model[key].until = now + 50;
        }
        int want = 0;
        if (!model[key].crossed && !model[key].seen[m]) {
            model[key].seen[m] = true;
            if (++model[key].n >= 4) {
                model[key].crossed = true;
                want = 1;
                crossings++;
            }
        }
        int got = shoal_sumstats_observe(t, h, &key, 1, m, now, NULL);
        CU_ASSERT_EQUAL(got, want);
        if (got != want) {
            break;
        }
        if (i % 97 == 0) {
            shoal_sumstats_expire(t, now);
        }
    }
    CU_ASSERT_EQUAL(c.calls, crossings);
    CU_ASSERT(crossings > 100);
    shoal_sumstats_free(t);
}

/* ---- notices ---- */

static char tmpdir[256];

static int notice_init(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/shoal-test-state.XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int notice_clean(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Data rows of notice.log in `dir`, one string each (at most 16). */
static int read_rows(const char *dir, char rows[16][1024])
{
    char path[400], line[1024];
    int n = 0;

    snprintf(path, sizeof(path), "%s/notice.log", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL && n < 16) {
        if (line[0] != '#') {
            line[strcspn(line, "\n")] = '\0';
            snprintf(rows[n++], 1024, "%s", line);
        }
    }
    fclose(f);
    return n;
}

static struct shoal_notice_info a_notice(double ts, const char *note, const char *ident)
{
    struct shoal_notice_info w;

    memset(&w, 0, sizeof(w));
    w.ts = ts;
    w.note = note;
    w.msg.p = "something happened";
    w.msg.len = strlen(w.msg.p);
    w.identifier = ident;
    w.suppress_for = -1;
    return w;
}

static void test_notice_log(void)
{
    char dir[400], rows[16][1024];
    struct shoal_config cfg;
    struct shoal_logger *lg;
    struct shoal_notices *n;
    struct shoal_notices_stats st;

    snprintf(dir, sizeof(dir), "%s/log", tmpdir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&cfg), 0);
    lg = shoal_logger_new(dir, SHOAL_LOGFMT_TSV);
    n = shoal_notices_new(lg, &cfg, "test");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);

    /* With a connection: uid, id, and p and proto from its responder. */
    struct shoal_notice_info w = a_notice(100.5, "Test::Conn", "x");
    w.uid.p = "CAbc";
    w.uid.len = 4;
    w.has_id = true;
    w.id.orig_h.b[10] = w.id.orig_h.b[11] = 0xff;
    w.id.orig_h.b[12] = 10;
    w.id.orig_h.b[15] = 1;
    w.id.resp_h.b[10] = w.id.resp_h.b[11] = 0xff;
    w.id.resp_h.b[12] = 10;
    w.id.resp_h.b[15] = 2;
    w.id.orig_p = 5000;
    w.id.resp_p = 53;
    w.id.proto = 17;
    w.sender = "worker-1";
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &w), 1);
    /* Repeats of note + identifier within the hour: suppressed. */
    w.ts = 200;
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &w), 0);
    /* Another identifier, or none: written. */
    struct shoal_notice_info v = a_notice(300, "Test::Conn", "y");
    v.has_p = true;
    v.p = 22;
    v.p_proto = 6;
    v.has_n = true;
    v.n = 25;
    v.suppress_for = 60;
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &v), 1);
    struct shoal_notice_info u = a_notice(301, "Test::Plain", NULL);
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &u), 1);
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &u), 1);
    /* After the interval, the first one again. */
    w.ts = 100.5 + 3600;
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &w), 1);
    shoal_notices_stats(n, &st);
    CU_ASSERT_EQUAL(st.written, 5);
    CU_ASSERT_EQUAL(st.suppressed, 1);
    shoal_notices_free(n);
    CU_ASSERT_EQUAL(shoal_logger_free(lg), 0);

    CU_ASSERT_EQUAL_FATAL(read_rows(dir, rows), 5);
    CU_ASSERT_STRING_EQUAL(rows[0], "100.500000\tCAbc\t10.0.0.1\t5000\t10.0.0.2\t53\t-\t-\t-\tudp\t"
                                    "Test::Conn\tsomething happened\t-\t10.0.0.1\t10.0.0.2\t53\t-\t"
                                    "worker-1\tNotice::ACTION_LOG\t(empty)\t3600.000000\t-\t-\t-\t-"
                                    "\t-");
    CU_ASSERT_STRING_EQUAL(rows[1], "300.000000\t-\t-\t-\t-\t-\t-\t-\t-\ttcp\tTest::Conn\t"
                                    "something happened\t-\t-\t-\t22\t25\t-\tNotice::ACTION_LOG\t"
                                    "(empty)\t60.000000\t-\t-\t-\t-\t-");
    shoal_config_free(&cfg);
}

static void test_notice_actions(void)
{
    char dir[400], out[400], rows[16][1024], line[4096];
    struct shoal_config cfg;
    struct shoal_notice_action acts[3];
    char *tee[] = {"/bin/cp", "/dev/stdin", out, NULL};
    char *fails[] = {"/bin/false", NULL};
    char *missing[] = {"/nonexistent/program", NULL};
    struct shoal_notices_stats st;

    if (access("/bin/cp", X_OK) != 0 || access("/bin/false", X_OK) != 0) {
        CU_FAIL("needs /bin/cp and /bin/false");
        return;
    }
    snprintf(dir, sizeof(dir), "%s/act", tmpdir);
    snprintf(out, sizeof(out), "%s/act/got.json", tmpdir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&cfg), 0);
    acts[0] = (struct shoal_notice_action){"Test::Paged", tee};
    acts[1] = (struct shoal_notice_action){"Test::Fails", fails};
    acts[2] = (struct shoal_notice_action){"Test::Missing", missing};
    cfg.notice_actions = acts;
    cfg.n_notice_actions = 3;
    struct shoal_logger *lg = shoal_logger_new(dir, SHOAL_LOGFMT_TSV);
    struct shoal_notices *n = shoal_notices_new(lg, &cfg, "test");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);

    struct shoal_notice_info w = a_notice(10, "Test::Paged", "a");
    w.msg.p = "quote \" and $(rm -rf /) stay text";
    w.msg.len = strlen(w.msg.p);
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &w), 1);
    w = a_notice(11, "Test::Fails", "b");
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &w), 1);
    w = a_notice(12, "Test::Missing", "c");
    CU_ASSERT_EQUAL(shoal_notices_raise(n, &w), 1); /* written all the same */
    shoal_notices_poll(n);
    shoal_notices_stats(n, &st);
    CU_ASSERT_EQUAL(st.written, 3);
    CU_ASSERT(st.actions == 2 || st.actions == 3); /* posix_spawn may fail late */
    shoal_notices_free(n);                         /* reaps the programs */
    CU_ASSERT_EQUAL(shoal_logger_free(lg), 0);

    CU_ASSERT_EQUAL_FATAL(read_rows(dir, rows), 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(rows[0], "Notice::ACTION_LOG,Notice::ACTION_EXEC"));
    FILE *f = fopen(out, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
    CU_ASSERT_PTR_NULL(fgets(line + strlen(line), (int)(sizeof(line) - strlen(line)), f));
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"note\":\"Test::Paged\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"msg\":\"quote \\\" and $(rm -rf /) stay text\""));
    CU_ASSERT_EQUAL(line[strlen(line) - 1], '\n');
    cfg.notice_actions = NULL;
    cfg.n_notice_actions = 0;
    shoal_config_free(&cfg);
}

int register_state_suite(void)
{
    CU_pSuite s = CU_add_suite("sumstat", NULL, NULL);

    if (s == NULL || !CU_add_test(s, "declarations", test_declare) ||
        !CU_add_test(s, "crossing once per epoch", test_cross_once) ||
        !CU_add_test(s, "marks from a proxy", test_marks) ||
        !CU_add_test(s, "the key bound", test_bound) ||
        !CU_add_test(s, "random run against a model", test_model)) {
        return CU_get_error();
    }
    s = CU_add_suite("notice", notice_init, notice_clean);
    if (s == NULL || !CU_add_test(s, "notice.log and suppression", test_notice_log) ||
        !CU_add_test(s, "action programs", test_notice_actions)) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
