/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the smtp analyzer through the fake host table: a whole
 * session with a mail (headers, folded To, Received path), the same fed a
 * byte at a time, pipelined commands, a connection ending inside DATA
 * (truncated), an oversized line, a gap, STARTTLS, the mail-transaction
 * checks and their weirds, BDAT chunks, and the address helpers.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "smtp_addr.h"

extern const struct shoal_plugin smtp_LTX_shoal_plugin;

/* The layout of the plugin's settings (struct smtp_config). */
struct test_cfg {
    int64_t max_line_length;
    int64_t max_header_length;
    int64_t max_pending_commands;
    int64_t max_addresses;
    int64_t max_path_length;
    int64_t max_invalid_transactions;
};

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;

static int suite_init(void)
{
    static const struct test_cfg cfg = {256, 1024, 4, 3, 8, 2};
    ops = smtp_LTX_shoal_plugin.ops;
    return fakehost_init(&smtp_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    smtp_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    fakehost_reset_conns();
    fakehost_set_time(1000.0);
    conn = fakehost_conn("10.0.0.1", 40000, "192.0.2.25", 25, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    CU_ASSERT_EQUAL(ops->conn_new(ps, conn, cs), 0);
}

static int feed(bool is_orig, const char *s)
{
    return ops->data(ps, conn, cs, is_orig, (const uint8_t *)s, strlen(s));
}

static void feed_bytewise(bool is_orig, const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        ops->data(ps, conn, cs, is_orig, (const uint8_t *)s + i, 1);
    }
}

static void conn_end(void)
{
    ops->conn_done(ps, conn, cs);
    free(cs);
    cs = NULL;
}

static const char *F(size_t n, const char *field)
{
    const char *v = fakehost_field("smtp", n, field);
    return v != NULL ? v : "<none>";
}

static const char *const mail_client[] = {
    "EHLO client.example\r\n",
    "MAIL FROM:<alice@example.org> SIZE=100\r\n",
    "RCPT TO:<bob@example.com>\r\n",
    "RCPT TO:<carol@example.com> ORCPT=rfc822;carol@example.com\r\n",
    "DATA\r\n",
    "Received: from a.example (a.example [203.0.113.7]) by mx; Mon, 1 Jan 2024\r\n"
    "Received: from b.example ([198.51.100.9]) by a.example\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: \"Doe, Bob\" <bob@example.com>,\r\n\tcarol@example.com\r\n"
    "Cc: dave@example.net\r\n"
    "Subject: hello there\r\n"
    "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "X-Originating-IP: [192.0.2.77]\r\n"
    "X-Mailer: Tester 1.0\r\n"
    "\r\n"
    "Subject: not a header\r\n"
    "..dot-stuffed\r\n"
    ".\r\n",
    "QUIT\r\n",
    NULL,
};

static const char *const mail_server[] = {
    "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n",
    "250 OK\r\n",
    "250 OK\r\n",
    "250 OK\r\n",
    "354 go ahead\r\n",
    "250 queued as 42\r\n",
    "221 bye\r\n",
    NULL,
};

static void check_mail_record(void)
{
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "trans_depth"), "1");
    CU_ASSERT_STRING_EQUAL(F(0, "helo"), "client.example");
    CU_ASSERT_STRING_EQUAL(F(0, "mailfrom"), "alice@example.org");
    CU_ASSERT_STRING_EQUAL(F(0, "rcptto"), "bob@example.com,carol@example.com");
    CU_ASSERT_STRING_EQUAL(F(0, "from"), "Alice <alice@example.org>");
    CU_ASSERT_STRING_EQUAL(F(0, "to"), "\"Doe, Bob\" <bob@example.com>,carol@example.com");
    CU_ASSERT_STRING_EQUAL(F(0, "cc"), "dave@example.net");
    CU_ASSERT_STRING_EQUAL(F(0, "subject"), "hello there");
    CU_ASSERT_STRING_EQUAL(F(0, "date"), "Mon, 1 Jan 2024 10:00:00 +0000");
    CU_ASSERT_STRING_EQUAL(F(0, "msg_id"), "<m1@example.org>");
    CU_ASSERT_STRING_EQUAL(F(0, "x_originating_ip"), "192.0.2.77");
    CU_ASSERT_STRING_EQUAL(F(0, "user_agent"), "Tester 1.0");
    CU_ASSERT_STRING_EQUAL(F(0, "first_received"), "from b.example ([198.51.100.9]) by a.example");
    CU_ASSERT_STRING_EQUAL(F(0, "second_received"),
                           "from a.example (a.example [203.0.113.7]) by mx; Mon, 1 Jan 2024");
    CU_ASSERT_STRING_EQUAL(F(0, "path"), "192.0.2.25,10.0.0.1,203.0.113.7,198.51.100.9");
    CU_ASSERT_STRING_EQUAL(F(0, "last_reply"), "250 queued as 42");
    CU_ASSERT_STRING_EQUAL(F(0, "tls"), "F");
    CU_ASSERT_STRING_EQUAL(F(0, "fuids"), "(empty)");
    CU_ASSERT_STRING_EQUAL(F(0, "reply_to"), "-");
}

static void test_session(void)
{
    conn_start();
    feed(false, "220 mx.example ESMTP\r\n");
    for (int i = 0; mail_client[i] != NULL; i++) {
        feed(true, mail_client[i]);
        feed(false, mail_server[i]);
    }
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "smtp");
    conn_end();
    check_mail_record();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
}

static void test_bytewise(void)
{
    conn_start();
    feed_bytewise(false, "220 mx.example ESMTP\r\n");
    for (int i = 0; mail_client[i] != NULL; i++) {
        feed_bytewise(true, mail_client[i]);
        feed_bytewise(false, mail_server[i]);
    }
    conn_end();
    check_mail_record();
}

/* Commands before their replies (out of order with them), then one
 * more than the queue holds. */
static void test_pipelined(void)
{
    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "HELO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<b@y.org>\r\nDATA\r\n"
               "Subject: s\r\n\r\nbody\r\n.\r\n");
    feed(false, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 done\r\n");
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "subject"), "s");
    CU_ASSERT_STRING_EQUAL(F(0, "last_reply"), "250 done");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    feed(true, "NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n");
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "smtp_excessive_pending_cmds");
}

/* The connection ends inside DATA: the record is written at the end with
 * what was seen. */
static void test_truncated(void)
{
    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "HELO c\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "MAIL FROM:<a@x.org>\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "RCPT TO:<b@y.org>\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "DATA\r\n");
    feed(false, "354 go\r\n");
    feed(true, "Subject: cut\r\nFrom: som");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "subject"), "cut");
    CU_ASSERT_STRING_EQUAL(F(0, "from"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "last_reply"), "354 go");
}

static void test_oversized(void)
{
    char big[1200];

    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "HELO ");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    feed(true, big);
    feed(true, "\r\nMAIL FROM:<a@x.org>\r\n");
    feed(false, "250 ok\r\n250 ok\r\n");
    conn_end();
    CU_ASSERT(strstr(fakehost_weirds(), "contentline_size_exceeded") != NULL);
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 1);
    CU_ASSERT_EQUAL(strlen(F(0, "helo")), 256 - 5);
    CU_ASSERT_STRING_EQUAL(F(0, "mailfrom"), "a@x.org");
}

static void test_starttls(void)
{
    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "EHLO c\r\n");
    feed(false, "250-hi\r\n250 STARTTLS\r\n");
    feed(true, "STARTTLS\r\n");
    CU_ASSERT_EQUAL(feed(false, "220 2.0.0 Ready to start TLS\r\n"), SHOAL_AN_HANDOFF);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "tls"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "last_reply"), "220 2.0.0 Ready to start TLS");
    CU_ASSERT_STRING_EQUAL(F(0, "mailfrom"), "-");
}

static void test_invalid_transactions(void)
{
    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "HELO c\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "RCPT TO:<b@y.org>\r\n");
    feed(false, "503 sender first\r\n");
    feed(true, "MAIL FROM:<a@x.org>\r\n");
    feed(false, "250 ok\r\n");
    feed(true, "DATA\r\n");
    feed(false, "503 rcpt first\r\n");
    feed(true, "DATA\r\n"); /* the third invalid one: the analyzer gives up */
    feed(false, "503 rcpt first\r\n");
    conn_end();
    CU_ASSERT_STRING_EQUAL(
        fakehost_weirds(),
        "smtp_mail_transaction_invalid,smtp_mail_transaction_invalid,"
        "smtp_mail_transaction_invalid,smtp_excessive_invalid_mail_transactions");
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "mailfrom"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "rcptto"), "b@y.org");
    CU_ASSERT_STRING_EQUAL(F(1, "mailfrom"), "a@x.org");
    CU_ASSERT_STRING_EQUAL(F(1, "trans_depth"), "1");
}

static void test_gap(void)
{
    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "HELO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<b@y.org>\r\nDATA\r\n");
    feed(false, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    feed(true, "Subject: one\r\n\r\n");
    ops->gap(ps, conn, cs, true, 100);
    feed(true, "more body\r\n.\r\n");
    feed(false, "250 accepted\r\n");
    feed(true, "MAIL FROM:<c@x.org>\r\n");
    feed(false, "250 ok\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "subject"), "one");
    CU_ASSERT_STRING_EQUAL(F(0, "last_reply"), "250 accepted");
    CU_ASSERT_STRING_EQUAL(F(1, "mailfrom"), "c@x.org");
}

static void test_bdat(void)
{
    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "EHLO c\r\nMAIL FROM:<a@x.org>\r\nRCPT TO:<b@y.org>\r\n");
    feed(false, "250 ok\r\n250 ok\r\n250 ok\r\n");
    feed(true, "BDAT 16\r\nSubject: ch");
    feed(true, "unk\r\n");
    feed(false, "250 16 octets\r\n");
    feed(true, "BDAT 9 LAST\r\nFrom: z\r\n");
    feed(false, "250 done\r\n");
    feed(true, "QUIT\r\n");
    feed(false, "221 bye\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "subject"), "chunk");
    CU_ASSERT_STRING_EQUAL(F(0, "from"), "z");
    CU_ASSERT_STRING_EQUAL(F(0, "last_reply"), "250 done");
}

static void test_no_activity(void)
{
    conn_start();
    feed(false, "220 hi\r\n");
    feed(true, "EHLO c\r\nQUIT\r\n");
    feed(false, "250 ok\r\n221 bye\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("smtp"), 0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "smtp");
}

static void test_addr_helpers(void)
{
    const char *s = "TO:<a@b.c>, d@e.f;x <g@h>";
    struct smtp_span sp;
    struct shoal_addr ips[4];
    size_t pos = 0;
    char got[128] = "";

    while (smtp_next_email(s, strlen(s), &pos, &sp)) {
        strncat(got, sp.p, sp.n);
        strcat(got, "|");
    }
    CU_ASSERT_STRING_EQUAL(got, "a@b.c|d@e.f|g@h|");
    CU_ASSERT_EQUAL(smtp_extract_ips("x [1.2.3.4] 5.6.7.8 (9.9.9.9x", 29, true, ips, 4), 2);
    CU_ASSERT_EQUAL(ips[0].b[12], 1);
    CU_ASSERT_EQUAL(ips[1].b[12], 5);
    CU_ASSERT_EQUAL(smtp_extract_ips("1234.5.6.7", 10, false, ips, 4), 1);
    CU_ASSERT_EQUAL(ips[0].b[12], 234);
    CU_ASSERT_EQUAL(smtp_extract_ips("from [2001:db8::1]", 18, true, ips, 4), 1);
    CU_ASSERT_EQUAL(ips[0].b[0], 0x20);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("smtp", suite_init, suite_clean);
    CU_add_test(s, "session", test_session);
    CU_add_test(s, "bytewise", test_bytewise);
    CU_add_test(s, "pipelined", test_pipelined);
    CU_add_test(s, "truncated", test_truncated);
    CU_add_test(s, "oversized line", test_oversized);
    CU_add_test(s, "STARTTLS", test_starttls);
    CU_add_test(s, "invalid transactions", test_invalid_transactions);
    CU_add_test(s, "gap", test_gap);
    CU_add_test(s, "BDAT", test_bdat);
    CU_add_test(s, "no client activity", test_no_activity);
    CU_add_test(s, "address helpers", test_addr_helpers);
    return shoal_cunit_run("test_smtp");
}
