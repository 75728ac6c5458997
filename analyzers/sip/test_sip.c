/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the sip analyzer driven through the fake host: requests
 * paired with responses, provisional responses, requests and responses
 * alone, Content-Length per direction, compact header names, junk and
 * unknown methods, truncated and malformed messages, and the bound on kept
 * header values.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "sip_parse.h"

extern const struct shoal_plugin sip_LTX_shoal_plugin;

static const struct {
    int64_t max_text;
} cfg = {512};

static const struct shoal_analyzer_ops *ops;
static void *ps;

static const char reg[] = "REGISTER sip:example.org SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
                          "From: <sip:alice@example.org>;tag=abc\r\n"
                          "To: <sip:alice@example.org>\r\n"
                          "Call-ID: 1234@10.0.0.1\r\n"
                          "CSeq: 1 REGISTER\r\n"
                          "User-Agent: test phone\r\n"
                          "Content-Length: 0\r\n"
                          "\r\n";

static const char r401[] = "SIP/2.0 401 Unauthorized\r\n"
                           "Via: SIP/2.0/UDP 10.0.0.1; branch=z9hG4bK1;received=192.0.2.9\r\n"
                           "f: <sip:alice@example.org>;tag=abc\r\n"
                           "t: <sip:alice@example.org>;tag=srv\r\n"
                           "Warning: 399 example \"no\"\r\n"
                           "c: text/plain\r\n"
                           "l: 4\r\n"
                           "\r\n"
                           "body";

static void t_send(struct shoal_conn *c, void *cs, bool orig, const char *m, double ts)
{
    size_t n = strlen(m);
    char *copy = malloc(n ? n : 1);

    memcpy(copy, m, n);
    fakehost_set_time(ts);
    ops->data(ps, c, cs, orig, (const uint8_t *)copy, n);
    free(copy);
}

static const char *f(size_t n, const char *field)
{
    const char *v = fakehost_field("sip", n, field);
    return v != NULL ? v : "(null)";
}

static struct shoal_conn *conn(void)
{
    return fakehost_conn("10.0.0.1", 5060, "192.0.2.9", 5060, SHOAL_PROTO_UDP);
}

/* ---- tests -------------------------------------------------------------- */

static int suite_init(void)
{
    ops = sip_LTX_shoal_plugin.ops;
    return fakehost_init(&sip_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    sip_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void test_setup(void)
{
    fakehost_reset();
}

static void test_pair(void)
{
    struct shoal_conn *c = conn();
    void *cs = calloc(1, ops->conn_size);

    t_send(c, cs, true, reg, 10.0);
    CU_ASSERT_EQUAL(fakehost_count("sip"), 0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    t_send(c, cs, false, r401, 10.1);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "sip");
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 1);
    CU_ASSERT_STRING_EQUAL(f(0, "ts"), "10.000000");
    CU_ASSERT_STRING_EQUAL(f(0, "trans_depth"), "0");
    CU_ASSERT_STRING_EQUAL(f(0, "method"), "REGISTER");
    CU_ASSERT_STRING_EQUAL(f(0, "uri"), "sip:example.org");
    CU_ASSERT_STRING_EQUAL(f(0, "request_from"), "<sip:alice@example.org>");
    CU_ASSERT_STRING_EQUAL(f(0, "request_to"), "<sip:alice@example.org>");
    CU_ASSERT_STRING_EQUAL(f(0, "response_from"), "<sip:alice@example.org>");
    CU_ASSERT_STRING_EQUAL(f(0, "response_to"), "<sip:alice@example.org>;tag=srv");
    CU_ASSERT_STRING_EQUAL(f(0, "call_id"), "1234@10.0.0.1");
    CU_ASSERT_STRING_EQUAL(f(0, "seq"), "1 REGISTER");
    CU_ASSERT_STRING_EQUAL(f(0, "request_path"), "SIP/2.0/UDP 10.0.0.1");
    CU_ASSERT_STRING_EQUAL(f(0, "response_path"), "SIP/2.0/UDP 10.0.0.1");
    CU_ASSERT_STRING_EQUAL(f(0, "user_agent"), "test phone");
    CU_ASSERT_STRING_EQUAL(f(0, "status_code"), "401");
    CU_ASSERT_STRING_EQUAL(f(0, "status_msg"), "Unauthorized");
    CU_ASSERT_STRING_EQUAL(f(0, "warning"), "399 example \"no\"");
    CU_ASSERT_STRING_EQUAL(f(0, "content_type"), "text/plain");
    CU_ASSERT_STRING_EQUAL(f(0, "request_body_len"), "0");
    CU_ASSERT_STRING_EQUAL(f(0, "response_body_len"), "4");
    CU_ASSERT_STRING_EQUAL(f(0, "date"), "-");
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL(fakehost_count("sip"), 1);
}

/* A provisional response keeps the record open: the final one is logged
 * with the same request, its Via entries appended again (as Zeek). */
static void test_provisional(void)
{
    struct shoal_conn *c = conn();
    void *cs = calloc(1, ops->conn_size);

    t_send(c, cs, true, reg, 1.0);
    t_send(c, cs, false,
           "SIP/2.0 100 Trying\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=1\r\nContent-Length: 0\r\n\r\n",
           1.1);
    t_send(c, cs, false,
           "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=1\r\nContent-Length: 0\r\n\r\n",
           1.2);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 2);
    CU_ASSERT_STRING_EQUAL(f(0, "status_code"), "100");
    CU_ASSERT_STRING_EQUAL(f(1, "status_code"), "200");
    CU_ASSERT_STRING_EQUAL(f(1, "method"), "REGISTER");
    CU_ASSERT_STRING_EQUAL(f(1, "response_path"), "SIP/2.0/UDP 10.0.0.1,SIP/2.0/UDP 10.0.0.1");
    /* an ACK never answered: written when the connection ends */
    t_send(c, cs, true, "ACK sip:x@example.org SIP/2.0\r\nCSeq: 2 ACK\r\n\r\n", 2.0);
    CU_ASSERT_EQUAL(fakehost_count("sip"), 2);
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 3);
    CU_ASSERT_STRING_EQUAL(f(2, "method"), "ACK");
    CU_ASSERT_STRING_EQUAL(f(2, "status_code"), "-");
    CU_ASSERT_STRING_EQUAL(f(2, "response_path"), "(empty)");
}

/* A response without request; an unknown method and junk; LF line ends. */
static void test_alone_and_weirds(void)
{
    struct shoal_conn *c = conn();
    void *cs = calloc(1, ops->conn_size);

    t_send(c, cs, false, "SIP/2.0 404 Not Found\nContent-Length: 0\n\n", 1.0);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 1);
    CU_ASSERT_STRING_EQUAL(f(0, "method"), "-");
    CU_ASSERT_STRING_EQUAL(f(0, "status_msg"), "Not Found");
    t_send(c, cs, true, "\r\n", 1.5); /* keep-alive */
    t_send(c, cs, true, "  PUBLISH sip:x SIP/2.0\nContent-Length: 0\n\n", 2.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_weirds(), "sip_junk_before_request"));
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_weirds(), "unknown_SIP_method"));
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 2);
    CU_ASSERT_STRING_EQUAL(f(1, "method"), "PUBLISH");
}

/* Content-Length is kept per direction; a body shorter than it ends the
 * parse before the message's end: the response is not written then. */
static void test_content_length(void)
{
    struct shoal_conn *c = conn();
    void *cs = calloc(1, ops->conn_size);

    t_send(c, cs, true, "INVITE sip:b SIP/2.0\r\nContent-Length: 3\r\n\r\nabc", 1.0);
    t_send(c, cs, false, "SIP/2.0 180 Ringing\r\nContent-Length: 10\r\n\r\nshort", 1.1);
    CU_ASSERT_EQUAL(fakehost_count("sip"), 0);
    /* no Content-Length: the direction's last one (10) is in force */
    t_send(c, cs, false, "SIP/2.0 486 Busy\r\n\r\n0123456789", 1.2);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 1);
    CU_ASSERT_STRING_EQUAL(f(0, "status_code"), "486");
    CU_ASSERT_STRING_EQUAL(f(0, "response_body_len"), "10");
    ops->conn_done(ps, c, cs);
    free(cs);
}

/* Malformed start lines give nothing; a bad header line stops the parse
 * after what came before it; long values are dropped past max_text. */
static void test_malformed_and_bounds(void)
{
    struct shoal_conn *c = conn();
    void *cs = calloc(1, ops->conn_size);
    uint64_t dropped = fakehost_counter(&sip_LTX_shoal_plugin, "dropped");
    char big[1200];

    t_send(c, cs, true, "REGISTER sip:x HTTP/1.1\r\n\r\n", 1.0);
    t_send(c, cs, true, "REGISTER\r\n\r\n", 1.0);
    t_send(c, cs, false, "SIP/2.0 2x0 Odd\r\n\r\n", 1.0);
    t_send(c, cs, false, "SIP/2.0 \r\n\r\n", 1.0);
    ops->conn_done(ps, c, cs);
    CU_ASSERT_EQUAL(fakehost_count("sip"), 0);

    /* every truncation of a request: the start line and the headers before
     * the cut count (as Zeek raises them while it parses), no end */
    memset(cs, 0, ops->conn_size);
    for (size_t n = 0; n < sizeof(reg) - 1; n += 7) {
        char part[sizeof(reg)];
        memcpy(part, reg, n);
        part[n] = '\0';
        t_send(c, cs, false, part, 1.0); /* from the responder, but not "SIP/": a request */
    }
    CU_ASSERT_EQUAL(fakehost_count("sip"), 0);
    ops->conn_done(ps, c, cs);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 1);
    CU_ASSERT_STRING_EQUAL(f(0, "method"), "REGISTER");
    CU_ASSERT_STRING_EQUAL(f(0, "call_id"), "1234@10.0.0.1");

    memset(cs, 0, ops->conn_size);
    t_send(c, cs, true,
           "OPTIONS sip:x SIP/2.0\r\nCSeq: 9 OPTIONS\r\nbroken line\r\nTo: <b>\r\n\r\n", 2.0);
    memset(big, 'v', sizeof(big));
    memcpy(big, "OPTIONS sip:x SIP/2.0\r\nUser-Agent: ", 35);
    memcpy(big + sizeof(big) - 5, "\r\n\r\n", 5);
    t_send(c, cs, true, big, 2.5);
    CU_ASSERT(fakehost_counter(&sip_LTX_shoal_plugin, "dropped") > dropped);
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("sip"), 2);
    CU_ASSERT_STRING_EQUAL(f(1, "seq"), "9 OPTIONS");
    CU_ASSERT_STRING_EQUAL(f(1, "request_to"), "-");
    CU_ASSERT_STRING_EQUAL(f(1, "user_agent"), "-");
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite_with_setup_and_teardown("sip", suite_init, suite_clean, test_setup, NULL);
    CU_add_test(s, "request and response", test_pair);
    CU_add_test(s, "provisional responses, unanswered request", test_provisional);
    CU_add_test(s, "response alone, weirds", test_alone_and_weirds);
    CU_add_test(s, "content length", test_content_length);
    CU_add_test(s, "malformed and bounds", test_malformed_and_bounds);
    return shoal_cunit_run("test_sip");
}
