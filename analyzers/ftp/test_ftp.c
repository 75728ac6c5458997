/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the ftp analyzer through the fake host table: a passive
 * session whose data connection comes back through the expectation (file
 * id, MIME type), active PORT and EPRT/EPSV channels, directory tracking
 * in URLs, replies matched to pipelined commands (out of order), a
 * multi-line reply, a session cut short (truncated), an oversized line,
 * too many pending commands, hidden passwords, and the helpers.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "ftp_util.h"

extern const struct shoal_plugin ftp_LTX_shoal_plugin;

/* The layout of the plugin's settings (struct ftp_config). */
struct test_cfg {
    int64_t max_line_length;
    int64_t max_command_length;
    int64_t max_pending_commands;
    int64_t max_user_length;
    int64_t max_password_length;
    int64_t max_arg_length;
    int64_t max_reply_msg_length;
    double data_channel_timeout;
    bool capture_password;
};

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;

static int suite_init(void)
{
    static const struct test_cfg cfg = {256, 16, 4, 128, 128, 4096, 4096, 300.0, false};
    ops = ftp_LTX_shoal_plugin.ops;
    return fakehost_init(&ftp_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    ftp_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    fakehost_reset_conns();
    fakehost_set_time(1000.0);
    conn = fakehost_conn("10.0.0.1", 40000, "192.0.2.21", 21, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    CU_ASSERT_EQUAL(ops->conn_new(ps, conn, cs), 0);
}

static void feed(bool is_orig, const char *s)
{
    ops->data(ps, conn, cs, is_orig, (const uint8_t *)s, strlen(s));
}

static void conn_end(void)
{
    ops->conn_done(ps, conn, cs);
    free(cs);
    cs = NULL;
}

static const char *F(size_t n, const char *field)
{
    const char *v = fakehost_field("ftp", n, field);
    return v != NULL ? v : "<none>";
}

/* A data connection: matched against the announced expectations, fed
 * `body` from the responder (or originator), then ended. */
static void data_conn(const char *orig_h, const char *resp_h, uint16_t resp_p, bool from_orig,
                      const char *body)
{
    struct shoal_conn *d = fakehost_conn(orig_h, 50000, resp_h, resp_p, SHOAL_PROTO_TCP);
    void *dcs = calloc(1, ops->conn_size);

    CU_ASSERT_FATAL(d != NULL && dcs != NULL);
    CU_ASSERT(fakehost_expect_match(d) != 0);
    CU_ASSERT_EQUAL(ops->conn_new(ps, d, dcs), 0);
    if (ops->data(ps, d, dcs, from_orig, (const uint8_t *)body, strlen(body)) == SHOAL_AN_OK) {
        ops->eof(ps, d, dcs, from_orig);
    }
    ops->conn_done(ps, d, dcs);
    free(dcs);
}

static void login(const char *user, const char *pass)
{
    char buf[128];

    feed(false, "220 ftp.example FTP server ready\r\n");
    snprintf(buf, sizeof(buf), "USER %s\r\n", user);
    feed(true, buf);
    feed(false, "331 Password required\r\n");
    snprintf(buf, sizeof(buf), "PASS %s\r\n", pass);
    feed(true, buf);
    feed(false, "230 Logged in\r\n");
}

static void test_passive_retr(void)
{
    conn_start();
    login("anonymous", "me@");
    feed(true, "PASV\r\n");
    feed(false, "227 Entering Passive Mode (192,0,2,21,195,80).\r\n");
    CU_ASSERT_EQUAL(fakehost_expects(), 1);
    feed(true, "RETR robots.txt\r\n");
    feed(false, "150 Opening BINARY mode data connection for robots.txt (77 bytes).\r\n");
    data_conn("10.0.0.1", "192.0.2.21", 50000, false, "User-agent: *\nDisallow: /\n");
    feed(false, "226 Transfer complete.\r\n");
    feed(true, "QUIT\r\n");
    feed(false, "221 Goodbye.\r\n");
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "ftp");
    CU_ASSERT_EQUAL(fakehost_count("ftp"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "command"), "PASV");
    CU_ASSERT_STRING_EQUAL(F(0, "user"), "anonymous");
    CU_ASSERT_STRING_EQUAL(F(0, "password"), "me@");
    CU_ASSERT_STRING_EQUAL(F(0, "arg"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "reply_code"), "227");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.passive"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.orig_h"), "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.resp_h"), "192.0.2.21");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.resp_p"), "50000");
    CU_ASSERT_STRING_EQUAL(F(1, "command"), "RETR");
    CU_ASSERT_STRING_EQUAL(F(1, "arg"), "ftp://192.0.2.21/./robots.txt");
    CU_ASSERT_STRING_EQUAL(F(1, "file_size"), "77");
    CU_ASSERT_STRING_EQUAL(F(1, "mime_type"), "text/plain");
    CU_ASSERT_STRING_EQUAL(F(1, "reply_msg"), "Transfer complete.");
    CU_ASSERT_STRING_EQUAL(F(1, "data_channel.passive"), "-");
    CU_ASSERT(F(1, "fuid")[0] == 'F');
}

static void test_active_and_extended(void)
{
    conn_start();
    login("bob", "secret");
    feed(true, "PORT 10,0,0,1,4,1\r\n");
    feed(false, "200 PORT command successful.\r\n");
    feed(true, "EPRT |2|2001:db8::1|6275|\r\n");
    feed(false, "200 EPRT command successful.\r\n");
    feed(true, "EPSV\r\n");
    feed(false, "229 Entering Extended Passive Mode (|||6446|)\r\n");
    feed(true, "STOR up.bin\r\n");
    feed(false, "150 ok\r\n226 done\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ftp"), 4);
    CU_ASSERT_STRING_EQUAL(F(0, "command"), "PORT");
    CU_ASSERT_STRING_EQUAL(F(0, "password"), "<hidden>");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.passive"), "F");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.orig_h"), "192.0.2.21");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.resp_h"), "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(F(0, "data_channel.resp_p"), "1025");
    CU_ASSERT_STRING_EQUAL(F(1, "data_channel.resp_h"), "2001:db8::1");
    CU_ASSERT_STRING_EQUAL(F(1, "data_channel.resp_p"), "6275");
    CU_ASSERT_STRING_EQUAL(F(2, "command"), "EPSV");
    CU_ASSERT_STRING_EQUAL(F(2, "data_channel.resp_h"), "192.0.2.21");
    CU_ASSERT_STRING_EQUAL(F(2, "data_channel.resp_p"), "6446");
    CU_ASSERT_STRING_EQUAL(F(3, "command"), "STOR");
    CU_ASSERT_STRING_EQUAL(F(3, "reply_code"), "226");
    CU_ASSERT_EQUAL(fakehost_expects(), 3);
}

static void test_cwd_urls(void)
{
    conn_start();
    login("ftp", "x");
    feed(true, "CWD pub/data\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "CWD ../docs\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "DELE a.txt\r\n");
    feed(false, "250 deleted\r\n");
    feed(true, "CWD /srv\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "CDUP\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "PWD\r\n");
    feed(false, "257 \"/home/ftp\" is the current directory\r\n");
    feed(true, "DELE b.txt\r\n");
    feed(false, "250 deleted\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ftp"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "arg"), "ftp://192.0.2.21/./pub/docs/a.txt");
    CU_ASSERT_STRING_EQUAL(F(1, "arg"), "ftp://192.0.2.21/home/ftp/b.txt");
}

/* Several commands before their replies: each reply goes to the command it
 * fits best, and the records are written as the replies come. */
static void test_pipelined(void)
{
    conn_start();
    login("anonymous", "a@");
    feed(true, "PASV\r\nDELE x\r\n");
    feed(false, "250 DELE done\r\n");
    feed(false, "227 Entering Passive Mode (192,0,2,21,0,21)\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ftp"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "command"), "DELE");
    CU_ASSERT_STRING_EQUAL(F(0, "reply_code"), "250");
    CU_ASSERT_STRING_EQUAL(F(1, "command"), "PASV");
    CU_ASSERT_STRING_EQUAL(F(1, "reply_code"), "227");
    CU_ASSERT_STRING_EQUAL(F(1, "data_channel.resp_p"), "21");
}

static void test_multiline(void)
{
    conn_start();
    feed(false, "220-Welcome\r\n220-more\r\n220 ready\r\n");
    feed(true, "USER anonymous\r\n");
    feed(false, "331 ok\r\n");
    feed(true, "PASS x\r\n");
    feed(false, "230-Hello\r\n  lines\r\n230 done\r\n");
    feed(true, "SIZE f\r\n");
    feed(false, "213 1234\r\n");
    feed(true, "RETR f\r\n");
    feed(false, "150 go\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ftp"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "command"), "RETR");
    CU_ASSERT_STRING_EQUAL(F(0, "file_size"), "0");
    CU_ASSERT_STRING_EQUAL(F(0, "reply_code"), "150");
}

/* The control connection ends with commands unanswered: each is logged. */
static void test_truncated(void)
{
    conn_start();
    login("anonymous", "a@");
    feed(true, "PASV\r\n");
    feed(true, "STOR half");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ftp"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "command"), "PASV");
    CU_ASSERT_STRING_EQUAL(F(0, "reply_code"), "230");
    CU_ASSERT(strstr(fakehost_weirds(), "partial_ftp_request") != NULL);
}

static void test_oversized(void)
{
    char big[600];

    conn_start();
    login("anonymous", "a@");
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    feed(true, "DELE ");
    feed(true, big);
    feed(true, "\r\n");
    feed(false, "550 no\r\n");
    feed(true, "ABCDEFGHIJKLMNOPQRSTUVWXYZ x\r\n");
    feed(true, "\x01\x02\r\n");
    conn_end();
    CU_ASSERT(strstr(fakehost_weirds(), "contentline_size_exceeded") != NULL);
    CU_ASSERT(strstr(fakehost_weirds(), "FTP_max_command_length_exceeded") != NULL);
    CU_ASSERT(strstr(fakehost_weirds(), "FTP_invalid_command") != NULL);
    CU_ASSERT_EQUAL(fakehost_count("ftp"), 1);
    CU_ASSERT_EQUAL(strlen(F(0, "arg")), strlen("ftp://192.0.2.21/./") + 256 - 5);
}

static void test_too_many_pending(void)
{
    conn_start();
    feed(true, "NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
    conn_end();
    CU_ASSERT(strstr(fakehost_weirds(), "FTP_too_many_pending_commands") != NULL);
}

static void test_helpers(void)
{
    struct ftp_port p = ftp_parse_pasv("Entering Passive Mode (1,2,3,4,5,6)", 35);
    char out[128];

    CU_ASSERT(p.valid);
    CU_ASSERT_EQUAL(p.p, 5 * 256 + 6);
    CU_ASSERT_EQUAL(p.h.b[15], 4);
    p = ftp_parse_pasv("Mode 10,0,0,1,0,80", 18);
    CU_ASSERT(p.valid && p.p == 80);
    CU_ASSERT(!ftp_parse_port("1,2,3,256,0,1", 13).valid);
    CU_ASSERT(!ftp_parse_port("1,2,3", 5).valid);
    CU_ASSERT(!ftp_parse_eprt("|1|1.2.3|80|", 12).valid);
    CU_ASSERT(!ftp_parse_epsv("(|||99999|)", 11).valid);
    CU_ASSERT_EQUAL(ftp_extract_count("for 720962-99999-2015.gz (39695 bytes)", 38, false), 39695);
    CU_ASSERT_EQUAL(ftp_extract_count("no number", 9, false), 0);
    ftp_build_path(".", 1, "a//b/./c/../d", 13, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "./a/b/d");
    ftp_build_path("/x/y", 4, "/..", 3, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "/..");
    ftp_build_path("/x/y/", 5, "../../../z", 10, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "/../z");
    CU_ASSERT_EQUAL(ftp_extract_path("257 /a b", 8, out, sizeof(out)), 2);
    CU_ASSERT_STRING_EQUAL(out, "/a");
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("ftp", suite_init, suite_clean);
    CU_add_test(s, "passive RETR with its data connection", test_passive_retr);
    CU_add_test(s, "PORT, EPRT, EPSV", test_active_and_extended);
    CU_add_test(s, "directories in URLs", test_cwd_urls);
    CU_add_test(s, "pipelined commands", test_pipelined);
    CU_add_test(s, "multi-line replies", test_multiline);
    CU_add_test(s, "truncated session", test_truncated);
    CU_add_test(s, "oversized and bad lines", test_oversized);
    CU_add_test(s, "too many pending commands", test_too_many_pending);
    CU_add_test(s, "helpers", test_helpers);
    return shoal_cunit_run("test_ftp");
}
