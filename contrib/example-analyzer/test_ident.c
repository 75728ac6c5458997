/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the ident analyzer: the line parser on a table of good and
 * bad lines, then the plugin through the fake host table (tests/unit/
 * fakehost.h): pairing, replies without query, queries without reply,
 * lines split across data calls, weirds, the max_line bound, gaps, a last
 * line at FIN, the bounded queue of pending queries, and the counters.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "ident_parse.h"

extern const struct shoal_plugin ident_LTX_shoal_plugin;

#define PLUGIN (&ident_LTX_shoal_plugin)

/* The layout of the plugin's struct ident_config. */
struct test_config {
    int64_t max_line;
};

static const struct test_config test_cfg = {64};
static const struct shoal_analyzer_ops *ops;
static void *ps;
static struct shoal_conn *conn;
static void *cs;

/* ---- the parser ---------------------------------------------------------- */

static const struct {
    const char *line;
    int rc;
    unsigned rport, lport;
} query_cases[] = {
    {"6191, 23", 0, 6191, 23},         /* RFC 1413's example */
    {"6191,23", 0, 6191, 23},          /* no blanks */
    {"  6191 ,\t23  ", 0, 6191, 23},   /* blanks and tabs anywhere */
    {"65535, 1", 0, 65535, 1},         /* the bounds */
    {"65536, 23", -EINVAL, 0, 0},      /* not a port */
    {"0, 23", -EINVAL, 0, 0},          /* not a port */
    {"006191, 23", -EINVAL, 0, 0},     /* more than 5 digits */
    {"6191 23", -EINVAL, 0, 0},        /* no comma */
    {"6191,", -EINVAL, 0, 0},          /* one port */
    {"6191, 23 x", -EINVAL, 0, 0},     /* trailing text */
    {"GET / HTTP/1.0", -EINVAL, 0, 0}, /* another protocol */
    {"", -EINVAL, 0, 0},               /* nothing */
};

static void test_parse_query(void)
{
    for (size_t i = 0; i < sizeof(query_cases) / sizeof(query_cases[0]); i++) {
        struct ident_ports p = {0, 0};
        const char *l = query_cases[i].line;

        CU_ASSERT_EQUAL(ident_parse_query(l, strlen(l), &p), query_cases[i].rc);
        if (query_cases[i].rc == 0) {
            CU_ASSERT_EQUAL(p.rport, query_cases[i].rport);
            CU_ASSERT_EQUAL(p.lport, query_cases[i].lport);
        }
    }
}

static const struct {
    const char *line;
    int rc;
    enum ident_reply_type type;
    const char *os;
    const char *text;
} reply_cases[] = {
    {"6193, 23 : USERID : UNIX : stjohns", 0, IDENT_REPLY_USERID, "UNIX", "stjohns"},
    {"6193,23:USERID:UNIX:stjohns", 0, IDENT_REPLY_USERID, "UNIX", "stjohns"},
    {"6193, 23 : USERID : UNIX , US-ASCII : stjohns", 0, IDENT_REPLY_USERID, "UNIX", "stjohns"},
    {"6193, 23 : USERID : OTHER : a:b c ", 0, IDENT_REPLY_USERID, "OTHER", "a:b c"},
    {"6195, 23 : ERROR : NO-USER", 0, IDENT_REPLY_ERROR, NULL, "NO-USER"},
    {"6195, 23 : ERROR : HIDDEN-USER ", 0, IDENT_REPLY_ERROR, NULL, "HIDDEN-USER"},
    {"6193, 23 : USERID : UNIX", -EINVAL, 0, NULL, NULL},
    {"6193, 23 : USERID : UNIX :", -EINVAL, 0, NULL, NULL},
    {"6193, 23 : USERID :  : x", -EINVAL, 0, NULL, NULL},
    {"6193, 23 : USERID", -EINVAL, 0, NULL, NULL},
    {"6195, 23 : ERROR :", -EINVAL, 0, NULL, NULL},
    {"6195, 23 : ERRORS : NO-USER", -EINVAL, 0, NULL, NULL},
    {"6195, 23 : WHO : x", -EINVAL, 0, NULL, NULL},
    {"6195, 23", -EINVAL, 0, NULL, NULL},
    {"HTTP/1.1 200 OK", -EINVAL, 0, NULL, NULL},
};

static void test_parse_reply(void)
{
    for (size_t i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
        struct ident_reply r;
        const char *l = reply_cases[i].line;

        CU_ASSERT_EQUAL(ident_parse_reply(l, strlen(l), &r), reply_cases[i].rc);
        if (reply_cases[i].rc != 0) {
            continue;
        }
        CU_ASSERT_EQUAL(r.type, reply_cases[i].type);
        CU_ASSERT_EQUAL(r.text_len, strlen(reply_cases[i].text));
        CU_ASSERT_NSTRING_EQUAL(r.text, reply_cases[i].text, r.text_len);
        if (reply_cases[i].os != NULL) {
            CU_ASSERT_EQUAL(r.os_len, strlen(reply_cases[i].os));
            CU_ASSERT_NSTRING_EQUAL(r.os, reply_cases[i].os, r.os_len);
        }
    }
}

/* ---- the plugin ---------------------------------------------------------- */

static int suite_init(void)
{
    ops = PLUGIN->ops;
    return fakehost_init(PLUGIN, &test_cfg, &ps);
}

static int suite_clean(void)
{
    PLUGIN->fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    fakehost_set_time(100.0);
    conn = fakehost_conn("192.0.2.25", 40000, "10.0.0.7", 113, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
}

static void conn_end(void)
{
    ops->conn_done(ps, conn, cs);
    free(cs);
    cs = NULL;
}

static int feed(bool is_orig, const char *s)
{
    return ops->data(ps, conn, cs, is_orig, (const uint8_t *)s, strlen(s));
}

static const char *F(size_t n, const char *field)
{
    const char *v = fakehost_field("ident", n, field);
    return v != NULL ? v : "<none>";
}

static void test_userid(void)
{
    conn_start();
    CU_ASSERT_EQUAL(feed(true, "6191, 23\r\n"), SHOAL_AN_OK);
    fakehost_set_time(100.5);
    CU_ASSERT_EQUAL(feed(false, "6191, 23 : USERID : UNIX : stjohns\r\n"), SHOAL_AN_OK);
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "ts"), "100.000000");
    CU_ASSERT_STRING_EQUAL(F(0, "id.resp_p"), "113");
    CU_ASSERT_STRING_EQUAL(F(0, "rport"), "6191");
    CU_ASSERT_STRING_EQUAL(F(0, "lport"), "23");
    CU_ASSERT_STRING_EQUAL(F(0, "reply"), "USERID");
    CU_ASSERT_STRING_EQUAL(F(0, "userid"), "stjohns");
    CU_ASSERT_STRING_EQUAL(F(0, "os"), "UNIX");
    CU_ASSERT_STRING_EQUAL(F(0, "error"), "-");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "ident");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
}

static void test_error_and_pairing(void)
{
    conn_start();
    feed(true, "1001, 25\r\n1002, 25\n");
    feed(false, "1001, 25 : ERROR : NO-USER\r\n");
    feed(false, "1002, 25 : USERID : WIN32 : bob\r\n");
    CU_ASSERT_EQUAL(fakehost_count("ident"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "rport"), "1001");
    CU_ASSERT_STRING_EQUAL(F(0, "reply"), "ERROR");
    CU_ASSERT_STRING_EQUAL(F(0, "error"), "NO-USER");
    CU_ASSERT_STRING_EQUAL(F(0, "userid"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "rport"), "1002");
    CU_ASSERT_STRING_EQUAL(F(1, "userid"), "bob");
    CU_ASSERT_STRING_EQUAL(F(1, "os"), "WIN32");
    conn_end();
}

static void test_unpaired(void)
{
    conn_start();
    feed(false, "7, 8 : USERID : UNIX : alone\r\n");
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "rport"), "7");
    CU_ASSERT_STRING_EQUAL(F(0, "userid"), "alone");
    feed(true, "9, 10\r\n");
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ident"), 2);
    CU_ASSERT_STRING_EQUAL(F(1, "rport"), "9");
    CU_ASSERT_STRING_EQUAL(F(1, "reply"), "-");
}

static void test_bytewise(void)
{
    const char *q = "6191, 23\r\n";
    const char *r = "6191, 23 : USERID : UNIX , UTF-8 : st johns\r\n";

    conn_start();
    for (size_t i = 0; q[i] != '\0'; i++) {
        CU_ASSERT_EQUAL(ops->data(ps, conn, cs, true, (const uint8_t *)q + i, 1), SHOAL_AN_OK);
    }
    for (size_t i = 0; r[i] != '\0'; i++) {
        CU_ASSERT_EQUAL(ops->data(ps, conn, cs, false, (const uint8_t *)r + i, 1), SHOAL_AN_OK);
    }
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "userid"), "st johns");
    CU_ASSERT_STRING_EQUAL(F(0, "os"), "UNIX");
    conn_end();
}

static void test_bad_lines(void)
{
    /* Before a good reply, a bad line is the end of the analysis. */
    conn_start();
    feed(true, "6191, 23\r\n");
    CU_ASSERT_EQUAL(feed(false, "who are you?\r\n"), SHOAL_AN_DETACH);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "bad_ident_reply");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "reply"), "-");

    /* After one, it is a weird and the analysis goes on. */
    conn_start();
    feed(true, "1, 2\r\n");
    feed(false, "1, 2 : ERROR : UNKNOWN-ERROR\r\n");
    CU_ASSERT_EQUAL(feed(true, "1, 2, 3\r\n\r\n"), SHOAL_AN_OK);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "bad_ident_request");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
}

static void test_long_line(void)
{
    char line[100];

    conn_start();
    memset(line, '1', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    CU_ASSERT_EQUAL(feed(true, "5, 6\r\n"), SHOAL_AN_OK);
    CU_ASSERT_EQUAL(feed(true, line), SHOAL_AN_DETACH);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "ident_line_too_long");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
}

static void test_gap_and_eof(void)
{
    conn_start();
    feed(true, "11, 12\r\n13, ");
    ops->gap(ps, conn, cs, true, 10);
    feed(true, "14\r\n15, 16");
    ops->eof(ps, conn, cs, true);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ident"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "rport"), "11");
    CU_ASSERT_STRING_EQUAL(F(1, "rport"), "15");
    CU_ASSERT_STRING_EQUAL(F(1, "lport"), "16");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
}

static void test_pending_bound(void)
{
    uint64_t unpaired = fakehost_counter(PLUGIN, "unpaired");

    conn_start();
    feed(true, "1, 1\r\n2, 2\r\n3, 3\r\n4, 4\r\n5, 5\r\n");
    CU_ASSERT_EQUAL(fakehost_count("ident"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "rport"), "1");
    CU_ASSERT_EQUAL(fakehost_counter(PLUGIN, "unpaired"), unpaired + 1);
    feed(false, "2, 2 : ERROR : NO-USER\r\n");
    CU_ASSERT_STRING_EQUAL(F(1, "rport"), "2");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ident"), 5);
}

static void test_counters(void)
{
    uint64_t queries = fakehost_counter(PLUGIN, "queries");
    uint64_t records = fakehost_counter(PLUGIN, "records");

    CU_ASSERT_NOT_EQUAL(queries, UINT64_MAX);
    conn_start();
    feed(true, "6191, 23\r\n");
    feed(false, "6191, 23 : USERID : UNIX : stjohns\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_counter(PLUGIN, "queries"), queries + 1);
    CU_ASSERT_EQUAL(fakehost_counter(PLUGIN, "records"), records + 1);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("ident_parse", NULL, NULL);
    CU_add_test(s, "queries", test_parse_query);
    CU_add_test(s, "replies", test_parse_reply);
    s = CU_add_suite("ident", suite_init, suite_clean);
    CU_add_test(s, "USERID reply", test_userid);
    CU_add_test(s, "ERROR reply, pairing", test_error_and_pairing);
    CU_add_test(s, "reply without query, query without reply", test_unpaired);
    CU_add_test(s, "lines split byte by byte", test_bytewise);
    CU_add_test(s, "bad lines", test_bad_lines);
    CU_add_test(s, "line longer than max_line", test_long_line);
    CU_add_test(s, "gap, last line at FIN", test_gap_and_eof);
    CU_add_test(s, "bounded pending queries", test_pending_bound);
    CU_add_test(s, "counters", test_counters);
    return shoal_cunit_run("test_ident");
}
