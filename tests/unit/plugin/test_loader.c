/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the plugin loader (core/plugin/loader.c).  Descriptor checks are
 * tested on static descriptors; loading, refusals, scanning, phase one and
 * the listing are tested on the fixture plugins of tests/fixtures, which
 * libtool leaves in FIXTURE_DIR (the build tree's tests/fixtures/.libs).
 * Diagnostics go to stderr, so each test that checks a message captures fd 2
 * into a temporary file.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* By path: a bare "config.h" would find autoconf's config.h in the build dir. */
#include "config/config.h"
#include "engine/conn.h"
#include "framework/log.h"
#include "framework/notice.h"
#include "lib/diag.h"
#include "plugin/host.h"
#include "plugin/loader.h"
#include "../fixtures/fixture.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must be defined (see core/plugin/Makefile.am.inc)"
#endif

static char test_tmpdir[256];
static char test_captured[8192];
static FILE *test_capture_file;
static int test_saved_stderr = -1;

/* ---- helpers ------------------------------------------------------------ */

/* Send fd 2 to a temporary file until test_capture_end. */
static void test_capture_begin(void)
{
    fflush(stderr);
    test_capture_file = tmpfile();
    CU_ASSERT_FATAL(test_capture_file != NULL);
    test_saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(test_capture_file), STDERR_FILENO);
}

/* Restore fd 2; what was written is in test_captured (also echoed with -v). */
static const char *test_capture_end(void)
{
    size_t n;

    fflush(stderr);
    dup2(test_saved_stderr, STDERR_FILENO);
    close(test_saved_stderr);
    rewind(test_capture_file);
    n = fread(test_captured, 1, sizeof(test_captured) - 1, test_capture_file);
    test_captured[n] = '\0';
    fclose(test_capture_file);
    if (getenv("TEST_VERBOSE") != NULL) {
        fputs(test_captured, stderr);
    }
    return test_captured;
}

/* ---- the process side: a real environment with a packet context ---- */

static struct shoal_config test_cfg;
static struct shoal_ctx *test_ctx;
static struct shoal_host_env test_env;

/* The last notice the plugins raised. */
static char test_notice_note[64];
static char test_notice_msg[128];
static int test_notices;

static int test_notice(void *arg, const struct shoal_notice_info *n)
{
    (void)arg;
    snprintf(test_notice_note, sizeof(test_notice_note), "%s", n->note);
    snprintf(test_notice_msg, sizeof(test_notice_msg), "%.*s", (int)n->msg.len, n->msg.p);
    test_notices++;
    return 0;
}

/* ---- a shell's host table for the command fixture ---- */

static const struct shoal_node_info test_nodes[] = {
    {sizeof(struct shoal_node_info), "manager", "manager", "localhost", NULL, "/spool/manager",
     NULL, -1},
    {sizeof(struct shoal_node_info), "proxy-1", "proxy", "localhost", NULL, "/spool/proxy-1", NULL,
     -1},
    {sizeof(struct shoal_node_info), "worker-1", "worker", "10.0.0.2", "eth0", "/spool/worker-1",
     NULL, -1},
};
#define TEST_NNODES (sizeof(test_nodes) / sizeof(test_nodes[0]))

static char test_out[4096];

static void test_out_append(const char *fmt, va_list ap)
{
    size_t n = strlen(test_out);

    vsnprintf(test_out + n, sizeof(test_out) - n, fmt, ap);
}

static void test_cmd_out(struct shoal_self *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void test_cmd_out(struct shoal_self *self, const char *fmt, ...)
{
    va_list ap;

    (void)self;
    va_start(ap, fmt);
    test_out_append(fmt, ap);
    va_end(ap);
}

/* Tables print one row per line, cells joined by '|'. */
struct shoal_table {
    char text[2048];
};

static void test_table_line(struct shoal_table *t, const char *const *cells)
{
    size_t n = strlen(t->text);

    for (size_t i = 0; cells[i] != NULL; i++) {
        n += (size_t)snprintf(t->text + n, sizeof(t->text) - n, "%s%s", i > 0 ? "|" : "", cells[i]);
    }
    snprintf(t->text + n, sizeof(t->text) - n, "\n");
}

static struct shoal_table *test_table_new(struct shoal_self *self, const char *const *titles)
{
    struct shoal_table *t = calloc(1, sizeof(*t));

    (void)self;
    test_table_line(t, titles);
    return t;
}

static int test_table_row(struct shoal_self *self, struct shoal_table *t, const char *const *cells)
{
    (void)self;
    test_table_line(t, cells);
    return 0;
}

static void test_table_print(struct shoal_self *self, struct shoal_table *t)
{
    test_cmd_out(self, "%s", t->text);
    free(t);
}

static int test_select_nodes(struct shoal_self *self, int argc, char *const *argv,
                             const struct shoal_node_info ***out, size_t *n)
{
    const struct shoal_node_info **v = calloc(TEST_NNODES, sizeof(*v));

    (void)self;
    *n = 0;
    for (size_t i = 0; i < TEST_NNODES; i++) {
        bool want = argc == 0;
        for (int a = 0; a < argc; a++) {
            want |= strcmp(argv[a], test_nodes[i].name) == 0;
        }
        if (want) {
            v[(*n)++] = &test_nodes[i];
        }
    }
    for (int a = 0; a < argc; a++) {
        bool known = false;
        for (size_t i = 0; i < TEST_NNODES; i++) {
            known |= strcmp(argv[a], test_nodes[i].name) == 0;
        }
        if (!known) {
            free(v);
            return -EINVAL;
        }
    }
    *out = v;
    return 0;
}

static int test_node_status(struct shoal_self *self, const struct shoal_node_info *node,
                            struct shoal_node_status *st)
{
    (void)self;
    st->running = strcmp(node->type, "manager") == 0;
    st->status = st->running ? "running" : "stopped";
    return 0;
}

static const struct shoal_command_host test_cmd_host = {
    .size = sizeof(struct shoal_command_host),
    .out = test_cmd_out,
    .table_new = test_table_new,
    .table_row = test_table_row,
    .table_print = test_table_print,
    .select_nodes = test_select_nodes,
    .node_status = test_node_status,
};

/* Write `text` to a file `name` in the temp dir; the path is static. */
static const char *test_write_cfg(const char *name, const char *text)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir, name);
    f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    return path;
}

static int test_count_lines(const char *s)
{
    int n = 0;

    for (; *s != '\0'; s++) {
        n += *s == '\n';
    }
    return n;
}

static const char *test_fixture(const char *name)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/%s.so", FIXTURE_DIR, name);
    return path;
}

/* Load one fixture into a fresh registry; return its rc and the message. */
static int test_load_one(const char *fixture, const char **msg)
{
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    int rc;

    CU_ASSERT_FATAL(r != NULL);
    test_capture_begin();
    rc = shoal_registry_load_file(r, test_fixture(fixture));
    *msg = test_capture_end();
    if (rc < 0) {
        CU_ASSERT_EQUAL(shoal_registry_count(r), 0);
    }
    shoal_registry_free(r);
    return rc;
}

/* ---- static descriptors for shoal_plugin_validate ------------------------ */

static int test_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    return 0;
}

static int test_data(void *ps, struct shoal_conn *c, void *cs, bool is_orig, const uint8_t *data,
                     size_t len)
{
    return 0;
}

static void test_removed(void *ps, struct shoal_conn *c)
{
    (void)ps;
    (void)c;
}

static const struct shoal_analyzer_ops test_an_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "t",
    .data = test_data,
};

static struct shoal_plugin test_good_desc(void)
{
    struct shoal_plugin p = {
        SHOAL_PLUGIN_HEADER,           .name = "static-one", .version = "1.0",
        .kind = SHOAL_PLUGIN_ANALYZER, .summary = "static",  .init = test_init,
        .ops = &test_an_ops,
    };
    return p;
}

/* Validate p; the reason lands in a static buffer, "" if accepted. */
static const char *test_why(const struct shoal_plugin *p)
{
    static char why[256];

    why[0] = '\0';
    if (shoal_plugin_validate(p, why, sizeof(why))) {
        return "";
    }
    return why;
}

static void test_validate_header(void)
{
    struct shoal_plugin p = test_good_desc();
    char exp[128];

    CU_ASSERT_STRING_EQUAL(test_why(&p), "");
    CU_ASSERT_STRING_EQUAL(test_why(NULL), "descriptor: expected a pointer, got NULL");

    p.abi_major = SHOAL_ABI_MAJOR + 1;
    snprintf(exp, sizeof(exp), "abi_major: expected %d, got %d", SHOAL_ABI_MAJOR,
             SHOAL_ABI_MAJOR + 1);
    CU_ASSERT_STRING_EQUAL(test_why(&p), exp);
    p = test_good_desc();
    p.abi_minor = SHOAL_ABI_MINOR + 1;
    snprintf(exp, sizeof(exp), "abi_minor: expected at most %d, got %d", SHOAL_ABI_MINOR,
             SHOAL_ABI_MINOR + 1);
    CU_ASSERT_STRING_EQUAL(test_why(&p), exp);
    p = test_good_desc();
    p.size = 8;
    snprintf(exp, sizeof(exp), "size: expected at least %zu, got 8",
             offsetof(struct shoal_plugin, ops) + sizeof(void *));
    CU_ASSERT_STRING_EQUAL(test_why(&p), exp);
    /* A bigger struct from a newer build of the same minor is fine. */
    p.size = sizeof(struct shoal_plugin) + 64;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");

    p = test_good_desc();
    p.kind = (enum shoal_plugin_kind)0;
    CU_ASSERT_STRING_EQUAL(
        test_why(&p),
        "kind: expected 1 (analyzer), 2 (frontend), 3 (command) or 4 (policy), got 0");
    p = test_good_desc();
    p.init = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "init: expected a function, got NULL");
    p = test_good_desc();
    p.fini = NULL; /* optional */
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");
}

static void test_validate_name(void)
{
    struct shoal_plugin p = test_good_desc();
    static const char *const bad[] = {
        "", "9lives", "Dns", "-x", "a b", "dns.v2", "abcdefghijklmnopqrstuvwxyz0123456"}; /* 33 */
    static const char *const good[] = {"a", "dns", "af-packet", "x_1",
                                       "abcdefghijklmnopqrstuvwxyz012345"}; /* 32 */

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p.name = bad[i];
        CU_ASSERT_PTR_NOT_NULL(strstr(test_why(&p), "name: expected [a-z][a-z0-9_-]{0,31}, got"));
    }
    p.name = "Bad\nName";
    CU_ASSERT_STRING_EQUAL(test_why(&p), "name: expected [a-z][a-z0-9_-]{0,31}, got \"Bad?Name\"");
    p.name = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "name: expected [a-z][a-z0-9_-]{0,31}, got NULL");
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        p.name = good[i];
        CU_ASSERT_STRING_EQUAL(test_why(&p), "");
    }
}

static void test_validate_ops(void)
{
    struct shoal_plugin p = test_good_desc();
    struct shoal_analyzer_ops ops = test_an_ops;
    char exp[128];

    p.ops = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops: expected a pointer to the analyzer ops, got NULL");
    p.ops = &ops;
    ops.size = 8;
    snprintf(exp, sizeof(exp),
             "ops->size: expected at least %zu (the analyzer ops of ABI %d.0), "
             "got 8",
             offsetof(struct shoal_analyzer_ops, conn_done) + sizeof(void *), SHOAL_ABI_MAJOR);
    CU_ASSERT_STRING_EQUAL(test_why(&p), exp);
    ops.size = sizeof(ops);
    ops.data = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->data: expected a function, got NULL");
    ops.data = test_data;
    ops.service = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->service: expected [a-z][a-z0-9_-]{0,31}, got NULL");
    ops.service = "HTTP";
    CU_ASSERT_PTR_NOT_NULL(strstr(test_why(&p), "ops->service: expected"));
}

static void test_validate_policy_ops(void)
{
    struct shoal_plugin p = test_good_desc();
    struct shoal_policy_ops ops = {.size = sizeof(ops)};

    p.kind = SHOAL_PLUGIN_POLICY;
    p.ops = &ops;
    CU_ASSERT_STRING_EQUAL(test_why(&p),
                           "ops: expected conn_established or conn_removed, got neither");
    ops.conn_removed = test_removed;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");
    ops.size = 4;
    CU_ASSERT_PTR_NOT_NULL(strstr(test_why(&p), "ops->size: expected at least"));
}

static int test_fe_open(void *ps, const struct shoal_source_spec *spec, void **src)
{
    return 0;
}

static int test_fe_next(void *src, int max, shoal_frame_fn deliver, void *arg)
{
    return SHOAL_SOURCE_END;
}

static void test_fe_close(void *src)
{
}

static int test_fe_datalink(void *src, const char **name)
{
    return 1;
}

static void test_fe_stats(void *src, struct shoal_source_stats *st)
{
}

static void test_validate_frontend_ops(void)
{
    struct shoal_plugin p = test_good_desc();
    struct shoal_frontend_ops ops = {
        .size = sizeof(ops), .open = test_fe_open, .next = test_fe_next, .close = test_fe_close};

    p.kind = SHOAL_PLUGIN_FRONTEND;
    p.ops = &ops;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->datalink: expected a function, got NULL");
    ops.datalink = test_fe_datalink;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->stats: expected a function, got NULL");
    ops.stats = test_fe_stats;
    CU_ASSERT_STRING_EQUAL(test_why(&p), ""); /* wait and dispatch are optional */
    ops.open = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->open: expected a function, got NULL");
}

static void test_validate_command_ops(void)
{
    static const char *const bad_aliases[] = {"ok", "No", NULL};
    struct shoal_plugin p = test_good_desc();
    struct shoal_command_ops ops = {
        .size = sizeof(ops), .name = "status", .help = "- status", .run = fx_noop_run};

    p.kind = SHOAL_PLUGIN_COMMAND;
    p.ops = &ops;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");
    ops.name = "ps.shoal"; /* a plugin's command: dotted */
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");
    ops.name = "Status";
    CU_ASSERT_STRING_EQUAL(test_why(&p),
                           "ops->name: expected [a-z][a-z0-9_.-]{0,31}, got \"Status\"");
    ops.name = "help";
    ops.aliases = bad_aliases;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->aliases[1]: expected [a-z][a-z0-9_.-]{0,31} or "
                                         "\"?\", got \"No\"");
    ops.aliases = NULL;
    ops.help = "";
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->help: expected a line of help, got \"\"");
    ops.help = "- help";
    ops.run = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->run: expected a function, got NULL");
}

struct test_cfg {
    int64_t n;
    char *s;
};

static void test_validate_keys(void)
{
    struct shoal_plugin p = test_good_desc();
    struct shoal_cfg_key keys[3] = {
        {"n", SHOAL_CFG_INT, "1", false, "n", offsetof(struct test_cfg, n), "0", "10"},
        {"s", SHOAL_CFG_STRING, "x", false, "s", offsetof(struct test_cfg, s), NULL, NULL},
        {0},
    };
    char exp[200];

    p.config = keys;
    p.config_size = sizeof(struct test_cfg);
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");

    keys[1].type = (enum shoal_cfg_type)9;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "config[1].type (s): expected 1 (bool), 2 (int), "
                                         "3 (double) or 4 (string), got 9");
    keys[1].type = SHOAL_CFG_STRING;
    keys[1].offset = sizeof(struct test_cfg) - 4;
    snprintf(exp, sizeof(exp),
             "config[1].offset (s): expected offset + %zu at most config_size %zu, got %zu",
             sizeof(char *), sizeof(struct test_cfg), sizeof(struct test_cfg) - 4);
    CU_ASSERT_STRING_EQUAL(test_why(&p), exp);
    keys[1].offset = offsetof(struct test_cfg, s);

    p.config_size = 0;
    CU_ASSERT_PTR_NOT_NULL(strstr(test_why(&p), "config[0].offset (n): expected offset + 8"));
    p.config_size = sizeof(struct test_cfg);

    keys[1].name = "n";
    CU_ASSERT_PTR_NOT_NULL(strstr(test_why(&p), "config[1].name: expected a unique name"));
    keys[1].name = "Bad key";
    CU_ASSERT_PTR_NOT_NULL(strstr(test_why(&p), "config[1].name: expected [a-z]"));
    keys[1].name = "s";

    /* Bounds parse as the key's type, on numbers only. */
    keys[0].max = "ten";
    CU_ASSERT_STRING_EQUAL(test_why(&p), "config[0].max (n): expected a bound of an int or double "
                                         "key, got \"ten\" on a int key");
    keys[0].max = "10";
    keys[1].min = "a";
    CU_ASSERT_STRING_EQUAL(test_why(&p), "config[1].min (s): expected a bound of an int or double "
                                         "key, got \"a\" on a string key");
}

/* ---- loading fixtures --------------------------------------------------- */

static void test_load_good(void)
{
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    const struct shoal_loaded *l;

    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_good")), 0);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_plain")), 0);
    CU_ASSERT_EQUAL(shoal_registry_count(r), 2);
    l = shoal_registry_find(r, "good");
    CU_ASSERT_FATAL(l != NULL);
    CU_ASSERT_EQUAL(l->desc->kind, SHOAL_PLUGIN_ANALYZER);
    CU_ASSERT_STRING_EQUAL(l->file, test_fixture("fx_good"));
    CU_ASSERT_PTR_NOT_NULL(l->handle);
    CU_ASSERT_FALSE(l->inited);
    /* The plain "shoal_plugin" symbol works as well as the _LTX_ form. */
    l = shoal_registry_find(r, "plain");
    CU_ASSERT_FATAL(l != NULL);
    CU_ASSERT_PTR_EQUAL(shoal_registry_get(r, 1), l);
    CU_ASSERT_PTR_NULL(shoal_registry_get(r, 2));
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "nosuch"));
    shoal_registry_free(r);
}

/* Load a bad fixture: refused, one line naming the file and the reason. */
static void test_refusal(const char *fixture, const char *reason)
{
    const char *msg;
    int rc = test_load_one(fixture, &msg);

    CU_ASSERT(rc < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "shoal: [loader] error: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, test_fixture(fixture)));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, reason));
    CU_ASSERT_EQUAL(test_count_lines(msg), 1);
    if (strstr(msg, reason) == NULL) {
        fprintf(stderr, "\n  %s: got \"%s\", wanted \"%s\"\n", fixture, msg, reason);
    }
}

static void test_refuse_major(void)
{
    char exp[64];

    snprintf(exp, sizeof(exp), "abi_major: expected %d, got %d", SHOAL_ABI_MAJOR,
             SHOAL_ABI_MAJOR + 1);
    test_refusal("fx_major", exp);
}

static void test_refuse_minor(void)
{
    char exp[64];

    snprintf(exp, sizeof(exp), "abi_minor: expected at most %d, got %d", SHOAL_ABI_MINOR,
             SHOAL_ABI_MINOR + 1);
    test_refusal("fx_minor", exp);
}

static void test_refuse_short(void)
{
    char exp[64];

    snprintf(exp, sizeof(exp), "size: expected at least %zu, got 16",
             offsetof(struct shoal_plugin, ops) + sizeof(void *));
    test_refusal("fx_short", exp);
}

static void test_refuse_kind(void)
{
    test_refusal("fx_kind",
                 "kind: expected 1 (analyzer), 2 (frontend), 3 (command) or 4 (policy), got 7");
}

static void test_refuse_nosym(void)
{
    test_refusal("fx_nosym", "symbol shoal_plugin: expected a descriptor, got none (");
}

static void test_refuse_noinit(void)
{
    test_refusal("fx_noinit", "init: expected a function, got NULL");
}

static void test_refuse_badname(void)
{
    test_refusal("fx_badname", "name: expected [a-z][a-z0-9_-]{0,31}, got \"Bad Name\"");
}

static void test_refuse_missing_file(void)
{
    const char *msg;
    int rc = test_load_one("fx_does_not_exist", &msg);

    CU_ASSERT(rc < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_does_not_exist.so: cannot open: "));
}

static void test_refuse_duplicate(void)
{
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    struct shoal_plugin p = test_good_desc();
    char first[512];
    char exp[1200];
    const char *msg;
    int rc;

    CU_ASSERT_FATAL(r != NULL);
    snprintf(first, sizeof(first), "%s", test_fixture("fx_good"));
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, first), 0);
    test_capture_begin();
    rc = shoal_registry_load_file(r, test_fixture("fx_good_dup"));
    msg = test_capture_end();
    CU_ASSERT_EQUAL(rc, -EEXIST);
    snprintf(exp, sizeof(exp),
             "%s: name: expected a name not yet loaded, got \"good\" (already "
             "loaded from %s)",
             test_fixture("fx_good_dup"), first);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, exp));
    CU_ASSERT_EQUAL(shoal_registry_count(r), 1);
    CU_ASSERT_STRING_EQUAL(shoal_registry_find(r, "good")->desc->version, "1.0");

    /* Static descriptors go through the same checks. */
    CU_ASSERT_EQUAL(shoal_registry_add_static(r, &p), 0);
    test_capture_begin();
    rc = shoal_registry_add_static(r, &p);
    msg = test_capture_end();
    CU_ASSERT_EQUAL(rc, -EEXIST);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "(static): name: expected a name not yet loaded, got "
                                       "\"static-one\" (already loaded from (static))"));
    p.abi_major = SHOAL_ABI_MAJOR + 2;
    p.name = "other";
    test_capture_begin();
    rc = shoal_registry_add_static(r, &p);
    msg = test_capture_end();
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp), "(static): abi_major: expected %d, got %d", SHOAL_ABI_MAJOR,
             SHOAL_ABI_MAJOR + 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, exp));
    CU_ASSERT_EQUAL(shoal_registry_count(r), 2);
    shoal_registry_free(r);
}

/* ---- scanning ----------------------------------------------------------- */

static void test_scan_dir(void)
{
    static const char *const order[] = {"cfgtest",  "fxcmd", "fxfront", "good",
                                        "initfail", "old",   "plain"};
    const size_t n_order = sizeof(order) / sizeof(order[0]);
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    const char *msg;
    int n;

    CU_ASSERT_FATAL(r != NULL);
    test_capture_begin();
    n = shoal_registry_scan_dir(r, FIXTURE_DIR);
    msg = test_capture_end();
    /* Valid ones in file-name order; every bad one refused, the rest go on. */
    CU_ASSERT_EQUAL(n, (int)n_order);
    CU_ASSERT_EQUAL_FATAL(shoal_registry_count(r), n_order);
    for (size_t i = 0; i < n_order; i++) {
        CU_ASSERT_STRING_EQUAL(shoal_registry_get(r, i)->desc->name, order[i]);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_major.so: abi_major"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_minor.so: abi_minor"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_short.so: size"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_kind.so: kind"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_nosym.so: symbol"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_noinit.so: init"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_badname.so: name"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_good_dup.so: name"));
    /* Only *.so files are tried (.libs also holds .la, .lai and .o files). */
    CU_ASSERT_PTR_NULL(strstr(msg, ".la:"));
    CU_ASSERT_PTR_NULL(strstr(msg, ".o:"));

    /* A missing directory is not an error. */
    test_capture_begin();
    n = shoal_registry_scan_dir(r, "/nonexistent/shoal/plugins");
    msg = test_capture_end();
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_STRING_EQUAL(msg, "");
    shoal_registry_free(r);
}

static void test_scan_default(void)
{
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    char env[1024];
    int n;

    CU_ASSERT_FATAL(r != NULL);
    /* Empty elements are skipped. */
    snprintf(env, sizeof(env), "::/nonexistent:%s:", FIXTURE_DIR);
    setenv("SHOAL_PLUGIN_PATH", env, 1);
    test_capture_begin();
    n = shoal_registry_scan_default(r);
    (void)test_capture_end();
    unsetenv("SHOAL_PLUGIN_PATH");
    /* The build tree's own plugins may be built or not; the fixtures are. */
    CU_ASSERT(n >= 4);
    CU_ASSERT_EQUAL((size_t)n, shoal_registry_count(r));
    CU_ASSERT_PTR_NOT_NULL(shoal_registry_find(r, "good"));
    CU_ASSERT_PTR_NOT_NULL(shoal_registry_find(r, "cfgtest"));
    shoal_registry_free(r);
}

/* A folder of the path named as an installed kind's is opened only by a
 * registry holding that kind: "commands" not by one of analyzers, which
 * opens "analyzers" (both holding a link to the analyzer fixture). */
static void test_scan_kind_folders(void)
{
    char tmp[] = "/tmp/shoal-test-kinds-XXXXXX";
    char dir[2][128], link[128], env[512];
    const char *kinds[2] = {"commands", "analyzers"};

    CU_ASSERT_FATAL(mkdtemp(tmp) != NULL);
    for (int i = 0; i < 2; i++) {
        snprintf(dir[i], sizeof(dir[i]), "%s/%s", tmp, kinds[i]);
        CU_ASSERT_FATAL(mkdir(dir[i], 0700) == 0);
        snprintf(link, sizeof(link), "%s/fx_good.so", dir[i]);
        CU_ASSERT_FATAL(symlink(FIXTURE_DIR "/fx_good.so", link) == 0);
    }
    for (int i = 0; i < 2; i++) {
        struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS(ANALYZER));
        CU_ASSERT_FATAL(r != NULL);
        snprintf(env, sizeof(env), "%s", dir[i]);
        setenv("SHOAL_PLUGIN_PATH", env, 1);
        test_capture_begin();
        shoal_registry_scan_default(r);
        (void)test_capture_end();
        unsetenv("SHOAL_PLUGIN_PATH");
        if (i == 0) {
            CU_ASSERT_PTR_NULL(shoal_registry_find(r, "good"));
        } else {
            CU_ASSERT_PTR_NOT_NULL(shoal_registry_find(r, "good"));
        }
        shoal_registry_free(r);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(link, sizeof(link), "%s/fx_good.so", dir[i]);
        unlink(link);
        rmdir(dir[i]);
    }
    rmdir(tmp);
}

/* ---- phase one ---------------------------------------------------------- */

/* Scan the fixtures and run init_all with config text (NULL: no file). */
static int test_init_kinds(unsigned kinds, const char *cfgtext, struct shoal_registry **rp,
                           char *err, size_t errlen, const char **msg)
{
    struct shoal_config cfg;
    struct shoal_registry *r = shoal_registry_new(kinds);
    int rc;

    CU_ASSERT_FATAL(r != NULL);
    if (cfgtext != NULL) {
        rc = shoal_config_load(&cfg, test_write_cfg("loader.cfg", cfgtext), err, errlen);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
    } else {
        CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&cfg), 0);
    }
    test_capture_begin();
    shoal_registry_scan_dir(r, FIXTURE_DIR);
    rc = shoal_registry_init_all(r, &test_env, &cfg, err, errlen);
    *msg = test_capture_end();
    shoal_config_free(&cfg);
    *rp = r;
    return rc;
}

static int test_init_with(const char *cfgtext, struct shoal_registry **rp, char *err, size_t errlen,
                          const char **msg)
{
    return test_init_kinds(SHOAL_KINDS_ALL, cfgtext, rp, err, errlen, msg);
}

static void test_init_all(void)
{
    struct shoal_registry *r;
    const struct shoal_loaded *l;
    const struct fx_cfg_seen *seen;
    const char *msg;
    char err[512];
    int rc;

    rc = test_init_with("plugins: {\n"
                        "  cfgtest: { secret = \"s3\"; count = 7; ratio = 2; label = \"L\"; };\n"
                        "};\n",
                        &r, err, sizeof(err), &msg);
    /* An init failure with no settings of the user's is not a config error:
     * rc 0, the plugin dropped. */
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_EQUAL(shoal_registry_count(r), 6);
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "initfail"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_initfail.so: init of initfail failed: "
                                       "Input/output error; plugin dropped"));
    shoal_registry_free(r);

    /* ... unless the user gave it settings: then a config error at them. */
    rc = test_init_with("plugins: {\n  initfail: { };\n  cfgtest: { secret = \"s\"; };\n};\n", &r,
                        err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "loader.cfg:2: plugins.initfail: the plugin refused these "
                                       "settings (its init failed: Input/output error)"));
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "initfail"));
    shoal_registry_free(r);
    rc = test_init_with("plugins: {\n"
                        "  cfgtest: { secret = \"s3\"; count = 7; ratio = 2; label = \"L\"; };\n"
                        "};\n",
                        &r, err, sizeof(err), &msg);

    l = shoal_registry_find(r, "good");
    CU_ASSERT_FATAL(l != NULL);
    CU_ASSERT_TRUE(l->inited);
    CU_ASSERT_PTR_NOT_NULL(l->state);
    CU_ASSERT_PTR_NULL(l->config);

    /* The config values reach init: file values over defaults. */
    l = shoal_registry_find(r, "cfgtest");
    CU_ASSERT_FATAL(l != NULL);
    CU_ASSERT_TRUE(l->inited);
    seen = l->state;
    CU_ASSERT_FATAL(seen != NULL);
    CU_ASSERT_PTR_EQUAL(seen->host, shoal_host_for(&test_env, SHOAL_PLUGIN_COMMAND));
    CU_ASSERT_PTR_EQUAL(seen->host->command, &test_cmd_host);
    CU_ASSERT_PTR_NULL(seen->host->analyzer);
    CU_ASSERT_PTR_EQUAL(seen->self, l->self);
    CU_ASSERT_TRUE(seen->had_config);
    CU_ASSERT_TRUE(seen->cfg.flag);
    CU_ASSERT_EQUAL(seen->cfg.count, 7);
    CU_ASSERT_DOUBLE_EQUAL(seen->cfg.ratio, 2.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(seen->cfg.label, "L");
    CU_ASSERT_STRING_EQUAL(seen->cfg.secret, "s3");
    /* Order kept after the drop. */
    CU_ASSERT_STRING_EQUAL(shoal_registry_get(r, 5)->desc->name, "plain");
    shoal_registry_free(r); /* fini frees the cfgtest state (ASan/valgrind check it) */
}

static void test_init_defaults(void)
{
    struct shoal_registry *r;
    const struct fx_cfg_seen *seen;
    const char *msg;
    char err[512];

    CU_ASSERT_EQUAL(
        test_init_with("plugins: { cfgtest: { secret = \"x\"; }; };\n", &r, err, sizeof(err), &msg),
        0);
    CU_ASSERT_FATAL(shoal_registry_find(r, "cfgtest") != NULL);
    seen = shoal_registry_find(r, "cfgtest")->state;
    CU_ASSERT_TRUE(seen->cfg.flag);
    CU_ASSERT_EQUAL(seen->cfg.count, 42);
    CU_ASSERT_DOUBLE_EQUAL(seen->cfg.ratio, 0.5, 1e-9);
    CU_ASSERT_STRING_EQUAL(seen->cfg.label, "none");
    CU_ASSERT_STRING_EQUAL(seen->cfg.secret, "x");
    shoal_registry_free(r);
}

static void test_init_config_errors(void)
{
    struct shoal_registry *r;
    const char *msg;
    char exp[600];
    char err[512];
    int rc;

    /* The required key is missing: a config error, the plugin dropped, the others go on. */
    rc = test_init_with(NULL, &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    CU_ASSERT_STRING_EQUAL(err,
                           "(built-in defaults): plugins.cfgtest.secret: required key missing");
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "cfgtest"));
    CU_ASSERT_PTR_NOT_NULL(shoal_registry_find(r, "good"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "plugin cfgtest dropped"));
    shoal_registry_free(r);

    /* Unknown key, with file and line. */
    rc = test_init_with("plugins: {\n  cfgtest: {\n    secret = \"x\";\n    bogus = 1;\n  };\n};\n",
                        &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp), "%s/loader.cfg:4: plugins.cfgtest.bogus: unknown key", test_tmpdir);
    CU_ASSERT_STRING_EQUAL(err, exp);
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "cfgtest"));
    shoal_registry_free(r);

    /* Wrong type. */
    rc = test_init_with("plugins: {\n  cfgtest: {\n    secret = \"x\";\n    count = \"many\";\n"
                        "  };\n};\n",
                        &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp),
             "%s/loader.cfg:4: plugins.cfgtest.count: expected an integer, got a string",
             test_tmpdir);
    CU_ASSERT_STRING_EQUAL(err, exp);
    shoal_registry_free(r);

    /* Outside the declared bounds, with file and line. */
    rc = test_init_with("plugins: {\n  cfgtest: {\n    secret = \"x\";\n    count = 5000;\n"
                        "  };\n};\n",
                        &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp),
             "%s/loader.cfg:4: plugins.cfgtest.count: expected an integer at most 1000, got 5000",
             test_tmpdir);
    CU_ASSERT_STRING_EQUAL(err, exp);
    shoal_registry_free(r);
    rc = test_init_with("plugins: { cfgtest: { secret = \"x\"; ratio = -0.5; }; };\n", &r, err,
                        sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp),
             "%s/loader.cfg:1: plugins.cfgtest.ratio: expected a number at least 0, got -0.5",
             test_tmpdir);
    CU_ASSERT_STRING_EQUAL(err, exp);
    shoal_registry_free(r);

    /* A group for a plugin that is not loaded. */
    rc = test_init_with("plugins: {\n  cfgtest: { secret = \"x\"; };\n  nosuch: { a = 1; };\n};\n",
                        &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp), "%s/loader.cfg:3: plugins.nosuch: no plugin of that name is loaded",
             test_tmpdir);
    CU_ASSERT_STRING_EQUAL(err, exp);
    CU_ASSERT_PTR_NOT_NULL(shoal_registry_find(r, "cfgtest"));
    shoal_registry_free(r);
    /* ... which a process holding neither analyzers nor policies (a
     * dispatcher) leaves to the nodes that load them. */
    rc = test_init_kinds(SHOAL_KINDS(FRONTEND),
                         "plugins: {\n  cfgtest: { secret = \"x\"; };\n  nosuch: { a = 1; };\n};\n",
                         &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "cfgtest"));
    shoal_registry_free(r);

    /* A group for a plugin that takes no settings. */
    rc = test_init_with("plugins: {\n  cfgtest: { secret = \"x\"; };\n  good: { a = 1; };\n};\n",
                        &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp), "%s/loader.cfg:3: plugins.good.a: unknown key", test_tmpdir);
    CU_ASSERT_STRING_EQUAL(err, exp);
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "good"));
    shoal_registry_free(r);
}

struct test_bad_default {
    int64_t n;
};

static void test_init_bad_default(void)
{
    static const struct shoal_cfg_key keys[] = {
        {"n", SHOAL_CFG_INT, "12abc", false, "n", offsetof(struct test_bad_default, n), NULL, NULL},
        {0},
    };
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    struct shoal_plugin p = test_good_desc();
    const char *msg;
    char err[256];
    int rc;

    CU_ASSERT_FATAL(r != NULL);
    p.config = keys;
    p.config_size = sizeof(struct test_bad_default);
    CU_ASSERT_EQUAL_FATAL(shoal_registry_add_static(r, &p), 0);
    test_capture_begin();
    rc = shoal_registry_init_all(r, &test_env, NULL, err, sizeof(err));
    msg = test_capture_end();
    CU_ASSERT_EQUAL(rc, -EINVAL);
    CU_ASSERT_STRING_EQUAL(err,
                           "static-one: config key n: the plugin's default \"12abc\" is not an "
                           "integer");
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "(static): static-one: config key n"));
    CU_ASSERT_EQUAL(shoal_registry_count(r), 0);
    shoal_registry_free(r);
}

/* ---- listing ------------------------------------------------------------ */

static void test_print(void)
{
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    char *buf = NULL;
    size_t len = 0;
    FILE *out;

    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_good")), 0);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_cfg")), 0);
    out = open_memstream(&buf, &len);
    CU_ASSERT_FATAL(out != NULL);
    shoal_registry_print(r, out);
    fclose(out);
    if (getenv("TEST_VERBOSE") != NULL) {
        fputs(buf, stderr);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "good (analyzer 1.0): a fixture analyzer that accepts "
                                       "nothing\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    file: " FIXTURE_DIR "/fx_good.so\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    service: good, ports: 7/tcp\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    config: none\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "cfgtest (command 0.3): takes one key of each type\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    command: cfgtest \n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "default: 42, 0..1000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    config (group plugins.cfgtest):\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "count                    int     default: 42"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "label                    string  default: \"none\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "secret                   string  required"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "a required string\n"));
    free(buf);
    shoal_registry_free(r);
}

/* ---- kinds ---------------------------------------------------------------- */

/* A registry of some kinds opens only those: the others are closed again. */
static void test_kinds(void)
{
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS(ANALYZER) | SHOAL_KINDS(FRONTEND));
    const char *msg;

    CU_ASSERT_FATAL(r != NULL);
    test_capture_begin();
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_good")), 0);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_front")), 0);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_cmd")), 1);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_cfg")), 1);
    msg = test_capture_end();
    CU_ASSERT_STRING_EQUAL(msg, ""); /* not an error: just not this process's */
    CU_ASSERT_EQUAL(shoal_registry_count(r), 2);
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "fxcmd"));
    shoal_registry_free(r);
}

/* Load and init one fixture in the suite's environment. */
static struct shoal_registry *test_init_fixture(const char *fixture, const char *name,
                                                const struct shoal_loaded **l)
{
    struct shoal_registry *r = shoal_registry_new(SHOAL_KINDS_ALL);
    struct shoal_config cfg;
    char err[256];

    CU_ASSERT_FATAL(r != NULL);
    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&cfg), 0);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture(fixture)), 0);
    CU_ASSERT_EQUAL(shoal_registry_init_all(r, &test_env, &cfg, err, sizeof(err)), 0);
    shoal_config_free(&cfg);
    *l = shoal_registry_find(r, name);
    CU_ASSERT_FATAL(*l != NULL && (*l)->inited);
    return r;
}

/* What a node's packet loop sees of a frontend's frames. */
struct test_frames {
    int n;
    double ts[FX_FRONT_FRAMES];
    uint8_t first[FX_FRONT_FRAMES];
};

static void test_frame(void *arg, const struct shoal_frame *f)
{
    struct test_frames *t = arg;

    CU_ASSERT_EQUAL(f->caplen, FX_FRONT_LEN);
    t->ts[t->n] = f->ts;
    t->first[t->n++] = f->data[0];
}

/* A frontend through its ops: worker 1 of 3 opens its share, reads it in
 * batches to the end, counts what was not its own; a dispatcher runs. */
static void test_frontend_fixture(void)
{
    const struct shoal_loaded *l;
    struct shoal_registry *r = test_init_fixture("fx_front", "fxfront", &l);
    const struct shoal_frontend_ops *ops = l->desc->ops;
    struct shoal_source_spec spec = {
        .size = sizeof(spec), .node = "w", .file = "trace.pcap", .worker = 1, .nworkers = 3};
    struct shoal_source_stats st = {.size = sizeof(st)};
    struct test_frames got = {0};
    const char *name = NULL;
    const char *msg;
    void *src = NULL;
    int stop = 0;

    CU_ASSERT_EQUAL_FATAL(ops->open(l->state, &spec, &src), 0);
    CU_ASSERT_EQUAL(ops->datalink(src, &name), FX_FRONT_DLT);
    CU_ASSERT_STRING_EQUAL(name, "EN10MB");
    CU_ASSERT_EQUAL(ops->next(src, 2, test_frame, &got), 2);
    CU_ASSERT_EQUAL(ops->next(src, 2, test_frame, &got), 1);
    CU_ASSERT_EQUAL(ops->next(src, 2, test_frame, &got), SHOAL_SOURCE_END);
    CU_ASSERT_EQUAL(got.n, 3);
    CU_ASSERT(got.first[0] == 1 && got.first[1] == 4 && got.first[2] == 7);
    CU_ASSERT_DOUBLE_EQUAL(got.ts[2], FX_FRONT_T0 + 7, 1e-9);
    ops->stats(src, &st);
    CU_ASSERT_EQUAL(st.received, 3);
    CU_ASSERT_EQUAL(st.not_classified, 7);
    ops->close(src);

    spec.file = "missing";
    test_capture_begin();
    CU_ASSERT_EQUAL(ops->open(l->state, &spec, &src), -ENOENT);
    msg = test_capture_end();
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "[frontend:fxfront] error: cannot read missing"));

    CU_ASSERT_EQUAL(ops->dispatch(l->state, &spec, &stop), 0);
    stop = 1;
    CU_ASSERT_EQUAL(ops->dispatch(l->state, &spec, &stop), -EINTR);
    shoal_registry_free(r);
}

/* A command through its ops, with the shell's table: nodes selected by
 * name, a table of them, the status of each; an unknown node fails. */
static void test_command_fixture(void)
{
    const struct shoal_loaded *l;
    struct shoal_registry *r = test_init_fixture("fx_cmd", "fxcmd", &l);
    const struct shoal_command_ops *ops = l->desc->ops;
    char *ok[] = {"fx.nodes", "worker-1", "manager", NULL};
    char *bad[] = {"fx.nodes", "worker-9", NULL};

    CU_ASSERT_STRING_EQUAL(ops->name, "fx.nodes");
    CU_ASSERT_STRING_EQUAL(ops->synopsis, "[<nodes>]");
    CU_ASSERT_STRING_EQUAL(ops->words[0], "--all");
    CU_ASSERT_EQUAL(ops->complete, SHOAL_CMD_COMPLETE_NODES);
    test_out[0] = '\0';
    CU_ASSERT_EQUAL(ops->run(l->state, 3, ok), 0);
    CU_ASSERT_STRING_EQUAL(test_out, "Name|Type|Host|Status\n"
                                     "manager|manager|localhost|running\n"
                                     "worker-1|worker|10.0.0.2|stopped\n"
                                     "2 nodes\n");
    CU_ASSERT_EQUAL(ops->run(l->state, 2, bad), 1);
    shoal_registry_free(r);

    /* Outside the shell (no command table) it refuses to start. */
    struct shoal_host_env node_env = {.node_name = "node"};
    struct shoal_config cfg;
    char err[128];
    const char *msg;
    shoal_host_env_init(&node_env, NULL);
    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&cfg), 0);
    r = shoal_registry_new(SHOAL_KINDS_ALL);
    CU_ASSERT_EQUAL(shoal_registry_load_file(r, test_fixture("fx_cmd")), 0);
    test_capture_begin();
    shoal_registry_init_all(r, &node_env, &cfg, err, sizeof(err));
    msg = test_capture_end();
    CU_ASSERT_PTR_NOT_NULL(
        strstr(msg, "[command:fxcmd] error: a command plugin runs in the shell"));
    CU_ASSERT_EQUAL(shoal_registry_count(r), 0);
    shoal_registry_free(r);
    shoal_config_free(&cfg);
}

static void test_counter_sum(void *arg, const char *name, uint64_t value)
{
    if (strcmp(name, "old.inits") == 0) {
        *(uint64_t *)arg += value;
    }
}

/* A plugin built against ABI 2.0's structs in a 2.1 core: it loads, and
 * its counter, its log record and its (smaller) notice all arrive. */
static void test_old_minor_fixture(void)
{
    const struct shoal_loaded *l;
    struct shoal_registry *r;
    uint64_t inits = 0;
    char path[512];
    char line[256];
    bool found = false;
    FILE *f;

    test_notices = 0;
    r = test_init_fixture("fx_old", "old", &l);
    CU_ASSERT_EQUAL(l->desc->abi_minor, 0);
    CU_ASSERT(SHOAL_ABI_MINOR > 0);
    shoal_registry_counters(r, test_counter_sum, &inits);
    CU_ASSERT_EQUAL(inits, 1);
    CU_ASSERT_EQUAL(test_notices, 1);
    CU_ASSERT_STRING_EQUAL(test_notice_note, FX_OLD_NOTE);
    CU_ASSERT_STRING_EQUAL(test_notice_msg, FX_OLD_MSG);
    shoal_registry_free(r);
    CU_ASSERT_EQUAL(shoal_logger_flush(shoal_ctx_logger(test_ctx)), 0);
    snprintf(path, sizeof(path), "%s/%s.log", test_tmpdir, FX_OLD_STREAM);
    f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    while (fgets(line, sizeof(line), f) != NULL) {
        found |= line[0] != '#' && strstr(line, "\tinit") != NULL;
    }
    fclose(f);
    CU_ASSERT_TRUE(found);
}

/* What a plugin hands over sized: copied as far as its size goes, the
 * rest absent; refused below the frozen prefix. */
static void test_copy_sized(void)
{
    struct big {
        uint32_t size;
        int a;
        const char *later; /* a field of a newer minor */
    } out;
    struct small {
        uint32_t size;
        int a;
    } in = {sizeof(in), 7};

    CU_ASSERT_TRUE(shoal_host_copy_sized(&out, sizeof(out), &in, sizeof(in)));
    CU_ASSERT_EQUAL(out.a, 7);
    CU_ASSERT_PTR_NULL(out.later);
    in.size = 2;
    CU_ASSERT_FALSE(shoal_host_copy_sized(&out, sizeof(out), &in, sizeof(in)));
    CU_ASSERT_FALSE(shoal_host_copy_sized(&out, sizeof(out), NULL, sizeof(in)));
}

/* ---- main --------------------------------------------------------------- */

/* A temporary directory, and a node's environment writing its logs there. */
static int test_suite_init(void)
{
    const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

    snprintf(test_tmpdir, sizeof(test_tmpdir), "%s/shoal-test-loader.XXXXXX", base);
    if (mkdtemp(test_tmpdir) == NULL || shoal_config_defaults(&test_cfg) < 0) {
        return -1;
    }
    free(test_cfg.log_dir);
    test_cfg.log_dir = strdup(test_tmpdir);
    test_ctx = shoal_ctx_new(&test_cfg);
    if (test_cfg.log_dir == NULL || test_ctx == NULL) {
        return -1;
    }
    test_env.node_name = "test";
    test_env.ctx = test_ctx;
    test_env.routes.notice = test_notice;
    shoal_host_env_init(&test_env, &test_cmd_host);
    return 0;
}

static int test_suite_clean(void)
{
    static const char *const files[] = {"loader.cfg", FX_OLD_STREAM ".log"};
    char path[512];

    shoal_ctx_free(test_ctx);
    shoal_config_free(&test_cfg);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", test_tmpdir, files[i]);
        unlink(path);
    }
    return rmdir(test_tmpdir) == 0 ? 0 : -1;
}

int main(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"validate: header fields", test_validate_header},
        {"validate: name", test_validate_name},
        {"validate: analyzer ops", test_validate_ops},
        {"validate: policy ops", test_validate_policy_ops},
        {"validate: frontend ops", test_validate_frontend_ops},
        {"validate: command ops", test_validate_command_ops},
        {"validate: config key table", test_validate_keys},
        {"load: good and plain-symbol plugins", test_load_good},
        {"refuse: another ABI major", test_refuse_major},
        {"refuse: a newer ABI minor", test_refuse_minor},
        {"refuse: a short descriptor", test_refuse_short},
        {"refuse: an unknown kind", test_refuse_kind},
        {"refuse: a missing descriptor symbol", test_refuse_nosym},
        {"refuse: a missing init", test_refuse_noinit},
        {"refuse: a bad name", test_refuse_badname},
        {"refuse: a missing file", test_refuse_missing_file},
        {"refuse: a duplicate name", test_refuse_duplicate},
        {"scan: a directory in name order", test_scan_dir},
        {"scan: the default path and SHOAL_PLUGIN_PATH", test_scan_default},
        {"scan: a folder named as a kind's holds that kind", test_scan_kind_folders},
        {"init_all: values reach init, failed init dropped", test_init_all},
        {"init_all: defaults from the key table", test_init_defaults},
        {"init_all: config errors", test_init_config_errors},
        {"init_all: a bad default in the plugin", test_init_bad_default},
        {"print: --list-plugins", test_print},
        {"kinds: a process opens only its own", test_kinds},
        {"kinds: a frontend through its ops", test_frontend_fixture},
        {"kinds: a command through its ops and the shell's table", test_command_fixture},
        {"abi: a plugin built for 2.0 loads and works in 2.1", test_old_minor_fixture},
        {"abi: structs smaller than today's", test_copy_sized},
    };
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return CU_get_error();
    }
    s = CU_add_suite("loader", test_suite_init, test_suite_clean);
    if (s == NULL) {
        goto out_cleanup;
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL) {
            goto out_cleanup;
        }
    }
    return shoal_cunit_run("test_loader");

out_cleanup:
    CU_cleanup_registry();
    return 2;
}
