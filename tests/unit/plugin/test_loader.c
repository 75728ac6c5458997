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
#include <unistd.h>

/* By path: a bare "config.h" would find autoconf's config.h in the build dir. */
#include "config/config.h"
#include "lib/diag.h"
#include "plugin/loader.h"
#include "../fixtures/fixture.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must be defined (see core/loader.am.inc)"
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

static void test_host_logf(enum shoal_log_level level, const char *who, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    shoal_vdiag(level, who, fmt, ap);
    va_end(ap);
}

static void *test_host_alloc(size_t n)
{
    return calloc(1, n);
}

static void test_host_free(void *p)
{
    free(p);
}

static const struct shoal_host test_host = {
    .size = sizeof(struct shoal_host),
    .abi_major = SHOAL_ABI_MAJOR,
    .abi_minor = SHOAL_ABI_MINOR,
    .logf = test_host_logf,
    .alloc = test_host_alloc,
    .free = test_host_free,
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
    struct shoal_registry *r = shoal_registry_new();
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

static int test_init(const struct shoal_host *host, const void *config, void **state)
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

    p.abi_major = 2;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "abi_major: expected 1, got 2");
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
    CU_ASSERT_STRING_EQUAL(test_why(&p),
                           "kind: expected 1 (analyzer), 2 (frontend) or 3 (command), got 0");
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
    struct fx_ops small = {.size = 0};
    char exp[128];

    p.ops = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops: expected a pointer to the analyzer ops, got NULL");
    p.ops = &ops;
    ops.size = 8;
    snprintf(exp, sizeof(exp), "ops->size: expected at least %zu, got 8",
             offsetof(struct shoal_analyzer_ops, conn_done) + sizeof(void *));
    CU_ASSERT_STRING_EQUAL(test_why(&p), exp);
    ops.size = sizeof(ops);
    ops.data = NULL;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->data: expected a function, got NULL");
    /* An observer of connection events needs no data callback... */
    ops.conn_removed = test_removed;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");
    /* ...unless ports could attach it. */
    static const struct shoal_port ports[] = {{SHOAL_PROTO_TCP, 1}, {0, 0}};
    ops.ports = ports;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->data: expected a function, got NULL");
    /* A 1.0 ops table has no events: its data is required. */
    ops.ports = NULL;
    ops.size = (uint32_t)offsetof(struct shoal_analyzer_ops, conn_established);
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->data: expected a function, got NULL");

    p.kind = SHOAL_PLUGIN_COMMAND;
    p.ops = &small;
    CU_ASSERT_STRING_EQUAL(test_why(&p), "ops->size: expected at least 4, got 0");
    small.size = sizeof(small);
    CU_ASSERT_STRING_EQUAL(test_why(&p), "");
}

struct test_cfg {
    int64_t n;
    char *s;
};

static void test_validate_keys(void)
{
    struct shoal_plugin p = test_good_desc();
    struct shoal_cfg_key keys[3] = {
        {"n", SHOAL_CFG_INT, "1", false, "n", offsetof(struct test_cfg, n)},
        {"s", SHOAL_CFG_STRING, "x", false, "s", offsetof(struct test_cfg, s)},
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
}

/* ---- loading fixtures --------------------------------------------------- */

static void test_load_good(void)
{
    struct shoal_registry *r = shoal_registry_new();
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
    test_refusal("fx_kind", "kind: expected 1 (analyzer), 2 (frontend) or 3 (command), got 7");
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
    struct shoal_registry *r = shoal_registry_new();
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
    p.abi_major = 3;
    p.name = "other";
    test_capture_begin();
    rc = shoal_registry_add_static(r, &p);
    msg = test_capture_end();
    CU_ASSERT_EQUAL(rc, -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "(static): abi_major: expected 1, got 3"));
    CU_ASSERT_EQUAL(shoal_registry_count(r), 2);
    shoal_registry_free(r);
}

/* ---- scanning ----------------------------------------------------------- */

static void test_scan_dir(void)
{
    static const char *const order[] = {"cfgtest", "good", "initfail", "plain"};
    struct shoal_registry *r = shoal_registry_new();
    const char *msg;
    int n;

    CU_ASSERT_FATAL(r != NULL);
    test_capture_begin();
    n = shoal_registry_scan_dir(r, FIXTURE_DIR);
    msg = test_capture_end();
    /* Valid ones in file-name order; every bad one refused, the rest go on. */
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_EQUAL_FATAL(shoal_registry_count(r), 4);
    for (size_t i = 0; i < 4; i++) {
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
    struct shoal_registry *r = shoal_registry_new();
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

/* ---- phase one ---------------------------------------------------------- */

/* Scan the fixtures and run init_all with config text (NULL: no file). */
static int test_init_with(const char *cfgtext, struct shoal_registry **rp, char *err, size_t errlen,
                          const char **msg)
{
    struct shoal_config cfg;
    struct shoal_registry *r = shoal_registry_new();
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
    rc = shoal_registry_init_all(r, &test_host, &cfg, err, errlen);
    *msg = test_capture_end();
    shoal_config_free(&cfg);
    *rp = r;
    return rc;
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
    /* An init failure is not a config error: rc 0, the plugin dropped. */
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_EQUAL(shoal_registry_count(r), 3);
    CU_ASSERT_PTR_NULL(shoal_registry_find(r, "initfail"));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "fx_initfail.so: init of initfail failed: "
                                       "Input/output error; plugin dropped"));

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
    CU_ASSERT_PTR_EQUAL(seen->host, &test_host);
    CU_ASSERT_TRUE(seen->had_config);
    CU_ASSERT_TRUE(seen->cfg.flag);
    CU_ASSERT_EQUAL(seen->cfg.count, 7);
    CU_ASSERT_DOUBLE_EQUAL(seen->cfg.ratio, 2.0, 1e-9);
    CU_ASSERT_STRING_EQUAL(seen->cfg.label, "L");
    CU_ASSERT_STRING_EQUAL(seen->cfg.secret, "s3");
    /* Order kept after the drop. */
    CU_ASSERT_STRING_EQUAL(shoal_registry_get(r, 2)->desc->name, "plain");
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

    /* A group for a plugin that is not loaded. */
    rc = test_init_with("plugins: {\n  cfgtest: { secret = \"x\"; };\n  nosuch: { a = 1; };\n};\n",
                        &r, err, sizeof(err), &msg);
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp), "%s/loader.cfg:3: plugins.nosuch: no plugin of that name is loaded",
             test_tmpdir);
    CU_ASSERT_STRING_EQUAL(err, exp);
    CU_ASSERT_PTR_NOT_NULL(shoal_registry_find(r, "cfgtest"));
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
        {"n", SHOAL_CFG_INT, "12abc", false, "n", offsetof(struct test_bad_default, n)},
        {0},
    };
    struct shoal_registry *r = shoal_registry_new();
    struct shoal_plugin p = test_good_desc();
    const char *msg;
    char err[256];
    int rc;

    CU_ASSERT_FATAL(r != NULL);
    p.config = keys;
    p.config_size = sizeof(struct test_bad_default);
    CU_ASSERT_EQUAL_FATAL(shoal_registry_add_static(r, &p), 0);
    test_capture_begin();
    rc = shoal_registry_init_all(r, &test_host, NULL, err, sizeof(err));
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
    struct shoal_registry *r = shoal_registry_new();
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
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "cfgtest (frontend 0.3): takes one key of each type\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "    config (group plugins.cfgtest):\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "count                    int     default: 42"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "label                    string  default: \"none\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "secret                   string  required"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "a required string\n"));
    free(buf);
    shoal_registry_free(r);
}

/* ---- main --------------------------------------------------------------- */

static int test_suite_init(void)
{
    const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

    snprintf(test_tmpdir, sizeof(test_tmpdir), "%s/shoal-test-loader.XXXXXX", base);
    return mkdtemp(test_tmpdir) != NULL ? 0 : -1;
}

static int test_suite_clean(void)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/loader.cfg", test_tmpdir);
    unlink(path);
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
        {"validate: ops", test_validate_ops},
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
        {"init_all: values reach init, failed init dropped", test_init_all},
        {"init_all: defaults from the key table", test_init_defaults},
        {"init_all: config errors", test_init_config_errors},
        {"init_all: a bad default in the plugin", test_init_bad_default},
        {"print: --list-plugins", test_print},
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
