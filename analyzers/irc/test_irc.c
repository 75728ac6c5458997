/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the irc analyzer through the fake host: irc.log from
 * NICK, USER and JOIN as Zeek's scripts write it, STARTTLS (reply 670)
 * handing over to ssl, lines split across segments, Zeek's weirds and
 * violations, long lines, a gap.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "irc_parse.h"

extern const struct shoal_plugin irc_LTX_shoal_plugin;

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;
static bool detached;

static int suite_init(void)
{
    ops = irc_LTX_shoal_plugin.ops;
    return fakehost_init(&irc_LTX_shoal_plugin, NULL, &ps);
}

static int suite_clean(void)
{
    irc_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    fakehost_reset_conns();
    fakehost_set_time(10.0);
    conn = fakehost_conn("10.0.0.1", 40000, "192.0.2.2", 6667, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    detached = false;
}

static void feed(bool is_orig, const char *s, size_t step)
{
    size_t n = strlen(s);
    for (size_t off = 0; off < n && !detached; off += step) {
        size_t k = n - off < step ? n - off : step;
        uint8_t *tmp = malloc(k);
        memcpy(tmp, s + off, k);
        detached = ops->data(ps, conn, cs, is_orig, tmp, k) == SHOAL_AN_DETACH;
        free(tmp);
    }
}

static void conn_end(void)
{
    ops->conn_done(ps, conn, cs);
    free(cs);
    cs = NULL;
}

#define F(n, f) fakehost_field("irc", (n), (f))

static void check_session(size_t step)
{
    conn_start();
    feed(true, "NICK alice\r\nUSER al host srv :Alice In Wonder Land\r\n", step);
    feed(false, ":irc.example.net 001 alice :Welcome\r\n", step);
    feed(true, "JOIN #a,#b key1\r\n", step);
    conn_end();
    CU_ASSERT(strncmp(fakehost_confirmed(), "irc", 3) == 0);
    CU_ASSERT(strstr(fakehost_confirmed(), "ssl") == NULL);
    CU_ASSERT_FATAL(fakehost_count("irc") == 4);
    CU_ASSERT_STRING_EQUAL(F(0, "nick"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "command"), "NICK");
    CU_ASSERT_STRING_EQUAL(F(0, "value"), "alice");
    CU_ASSERT_STRING_EQUAL(F(0, "addl"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "nick"), "alice");
    CU_ASSERT_STRING_EQUAL(F(1, "user"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "command"), "USER");
    CU_ASSERT_STRING_EQUAL(F(1, "value"), "al");
    CU_ASSERT_STRING_EQUAL(F(1, "addl"), "host srv AliceIn Wonder Land ");
    CU_ASSERT_STRING_EQUAL(F(2, "user"), "al");
    CU_ASSERT_STRING_EQUAL(F(2, "command"), "JOIN");
    CU_ASSERT_STRING_EQUAL(F(2, "value"), "#a");
    CU_ASSERT_STRING_EQUAL(F(2, "addl"), " with channel key: 'key1'");
    CU_ASSERT_STRING_EQUAL(F(3, "value"), "#b");
    CU_ASSERT_STRING_EQUAL(F(3, "addl"), "(empty)");
    CU_ASSERT_STRING_EQUAL(F(3, "dcc_file_size"), "-");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
}

static void test_session(void)
{
    check_session(1000);
}

static void test_session_bytewise(void)
{
    check_session(1);
}

static void test_starttls(void)
{
    conn_start();
    feed(true, "STARTTLS\r\n", 100);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "irc");
    feed(false, ":irc.example.net 670  :STARTTLS successful, go ahead\r\n", 100);
    CU_ASSERT(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_attached(), "ssl");
    conn_end();
    CU_ASSERT(fakehost_count("irc") == 0);
}

static void test_weirds(void)
{
    char longline[700];

    conn_start();
    feed(true, "ab\r\n", 100);
    feed(true, ":nospace\r\n", 100);
    memset(longline, 'x', sizeof(longline) - 3);
    memcpy(longline + sizeof(longline) - 3, "\r\n", 3);
    feed(true, longline, 100);
    CU_ASSERT(!detached);
    feed(false, "12x hello\r\n", 100);
    CU_ASSERT(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "irc_line_too_short,irc_invalid_line,"
                                              "irc_line_size_exceeded,irc_invalid_reply_number");
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "irc");
    conn_end();
}

static void test_long_commands(void)
{
    conn_start();
    for (int i = 0; i < 21 && !detached; i++) {
        feed(true, "ABCDEFGHIJKLMNOPQRSTUVWXYZ x\r\n", 100);
    }
    CU_ASSERT(detached);
    CU_ASSERT(strstr(fakehost_weirds(), "irc_too_many_invalid") != NULL);
    conn_end();
}

static void test_max_line(void)
{
    static const struct {
        int64_t max_line;
    } cfg = {64};
    void *small;
    char line[200];

    CU_ASSERT_FATAL(fakehost_init(&irc_LTX_shoal_plugin, &cfg, &small) == 0);
    conn_start();
    memset(line, 'a', sizeof(line));
    memcpy(line, "NICK ", 5);
    memcpy(line + sizeof(line) - 3, "\r\n", 3);
    for (size_t off = 0; off < strlen(line); off += 50) {
        uint8_t tmp[50];
        size_t k = strlen(line) - off < 50 ? strlen(line) - off : 50;
        memcpy(tmp, line + off, k);
        ops->data(small, conn, cs, true, tmp, k);
    }
    CU_ASSERT(strstr(fakehost_weirds(), "contentline_size_exceeded") != NULL);
    CU_ASSERT(fakehost_count("irc") == 1);
    ops->conn_done(small, conn, cs);
    free(cs);
    irc_LTX_shoal_plugin.fini(small);
    /* The fake host's "irc" stream is now the second init's: make the
     * suite's plugin state again, the first one freed. */
    irc_LTX_shoal_plugin.fini(ps);
    CU_ASSERT_FATAL(fakehost_init(&irc_LTX_shoal_plugin, NULL, &ps) == 0);
}

static void test_gap(void)
{
    conn_start();
    feed(true, "NICK bo", 100);
    ops->gap(ps, conn, cs, true, 10);
    feed(true, "b\r\nNICK carol\r\n", 100);
    conn_end();
    CU_ASSERT_FATAL(fakehost_count("irc") == 1);
    CU_ASSERT_STRING_EQUAL(F(0, "value"), "carol");
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("irc", suite_init, suite_clean);
    CU_add_test(s, "session", test_session);
    CU_add_test(s, "session byte by byte", test_session_bytewise);
    CU_add_test(s, "STARTTLS", test_starttls);
    CU_add_test(s, "weirds", test_weirds);
    CU_add_test(s, "long commands", test_long_commands);
    CU_add_test(s, "max_line", test_max_line);
    CU_add_test(s, "gap", test_gap);
    return shoal_cunit_run("test_irc");
}
