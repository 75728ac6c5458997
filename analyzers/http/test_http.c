/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the http analyzer through the fake host table: request and
 * reply pairing, pipelining, chunked and gzip bodies fed in pieces, 1xx
 * interim replies, HTTP/0.9, headers split across calls, gaps inside bodies,
 * records flushed at connection end, weirds, Basic auth, CONNECT, and the
 * host-independent helper (URI unescaping).
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fakehost.h"
#include "http_parse.h"

extern const struct shoal_plugin http_LTX_shoal_plugin;

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;

static int suite_init(void)
{
    struct {
        bool capture_password;
    } cfg = {true};
    ops = http_LTX_shoal_plugin.ops;
    return fakehost_init(&http_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    http_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(uint16_t port)
{
    fakehost_reset();
    fakehost_set_time(1000.0);
    conn = fakehost_conn("10.0.0.1", 40000, "10.0.0.2", port, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    CU_ASSERT_EQUAL(ops->conn_new(ps, conn, cs), 0);
}

static int feed(bool is_orig, const char *s)
{
    return ops->data(ps, conn, cs, is_orig, (const uint8_t *)s, strlen(s));
}

static int feedn(bool is_orig, const void *p, size_t n)
{
    return ops->data(ps, conn, cs, is_orig, p, n);
}

static void conn_end(void)
{
    ops->conn_done(ps, conn, cs);
    free(cs);
    cs = NULL;
}

static const char *F(size_t n, const char *field)
{
    const char *v = fakehost_field("http", n, field);
    return v != NULL ? v : "<none>";
}

static void test_simple_get(void)
{
    conn_start(80);
    feed(true, "GET /a%20b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t/1\r\n"
               "Referer: http://r/\r\nOrigin: http://o\r\n\r\n");
    feed(false, "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello world\n");
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "method"), "GET");
    CU_ASSERT_STRING_EQUAL(F(0, "uri"), "/a b?x=1");
    CU_ASSERT_STRING_EQUAL(F(0, "host"), "example.com:8080");
    CU_ASSERT_STRING_EQUAL(F(0, "user_agent"), "t/1");
    CU_ASSERT_STRING_EQUAL(F(0, "referrer"), "http://r/");
    CU_ASSERT_STRING_EQUAL(F(0, "origin"), "http://o");
    CU_ASSERT_STRING_EQUAL(F(0, "version"), "1.1");
    CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "200");
    CU_ASSERT_STRING_EQUAL(F(0, "status_msg"), "OK");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "12");
    CU_ASSERT_STRING_EQUAL(F(0, "request_body_len"), "0");
    CU_ASSERT_STRING_EQUAL(F(0, "resp_mime_types"), "text/plain");
    CU_ASSERT_STRING_EQUAL(F(0, "orig_fuids"), "-");
    CU_ASSERT_EQUAL(F(0, "resp_fuids")[0], 'F');
    CU_ASSERT_STRING_EQUAL(F(0, "tags"), "(empty)");
    CU_ASSERT_STRING_EQUAL(F(0, "trans_depth"), "1");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "http");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
}

static void test_pipelining(void)
{
    conn_start(80);
    feed(true, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
               "HEAD /3 HTTP/1.1\r\nHost: h\r\n\r\n");
    feed(false, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\n<html"
                "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n");
    CU_ASSERT_EQUAL(fakehost_count("http"), 3);
    CU_ASSERT_STRING_EQUAL(F(0, "uri"), "/1");
    CU_ASSERT_STRING_EQUAL(F(1, "uri"), "/2");
    CU_ASSERT_STRING_EQUAL(F(2, "uri"), "/3");
    CU_ASSERT_STRING_EQUAL(F(1, "trans_depth"), "2");
    CU_ASSERT_STRING_EQUAL(F(2, "trans_depth"), "3");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "3");
    CU_ASSERT_STRING_EQUAL(F(1, "status_code"), "404");
    CU_ASSERT_STRING_EQUAL(F(1, "status_msg"), "Not Found");
    CU_ASSERT_STRING_EQUAL(F(1, "response_body_len"), "5");
    /* A reply to HEAD has no body whatever Content-Length says. */
    CU_ASSERT_STRING_EQUAL(F(2, "response_body_len"), "0");
    CU_ASSERT_STRING_EQUAL(F(2, "method"), "HEAD");
    conn_end();
}

static void test_chunked_bytewise(void)
{
    const char *req = "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n";
    const char *rep = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "a\r\n0123456789\r\n0\r\n\r\n";
    conn_start(80);
    for (size_t i = 0; req[i] != '\0'; i++) {
        feedn(true, req + i, 1);
    }
    for (size_t i = 0; rep[i] != '\0'; i++) {
        feedn(false, rep + i, 1);
    }
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "request_body_len"), "11");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "10");
    CU_ASSERT_STRING_EQUAL(F(0, "orig_mime_types"), "text/plain");
    CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "201");
    conn_end();
}

static void test_100_continue(void)
{
    conn_start(80);
    feed(true, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
    feed(false, "HTTP/1.1 100 Continue\r\n\r\n");
    CU_ASSERT_EQUAL(fakehost_count("http"), 0);
    feed(true, "0123456789");
    feed(false, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n<html>hi</html>");
    CU_ASSERT_EQUAL(fakehost_count("http"), 0);
    ops->eof(ps, conn, cs, false);
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "200");
    CU_ASSERT_STRING_EQUAL(F(0, "info_code"), "100");
    CU_ASSERT_STRING_EQUAL(F(0, "info_msg"), "Continue");
    CU_ASSERT_STRING_EQUAL(F(0, "request_body_len"), "10");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "15");
    CU_ASSERT_STRING_EQUAL(F(0, "resp_mime_types"), "text/html");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
}

static void test_http09(void)
{
    conn_start(80);
    feed(true, "GET /zeek.html\n");
    feed(false, "<html>\n  The Zeek Network Security Monitor\n</html>\n");
    ops->eof(ps, conn, cs, false);
    ops->eof(ps, conn, cs, true);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("http"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "version"), "0.9");
    CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "0");
    CU_ASSERT_STRING_EQUAL(F(0, "status_msg"), "<empty>");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "51");
    CU_ASSERT_STRING_EQUAL(F(0, "resp_mime_types"), "text/html");
    CU_ASSERT_STRING_EQUAL(F(1, "trans_depth"), "2");
    CU_ASSERT_STRING_EQUAL(F(1, "method"), "-");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
}

static void test_http09_post_weird(void)
{
    conn_start(80);
    feed(true, "POST /zeek.html\n");
    feed(false, "bad method\n");
    ops->eof(ps, conn, cs, false);
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "invalid_http_09_request_method");
    CU_ASSERT_EQUAL(fakehost_count("http"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "method"), "POST");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "11");
}

static void test_bad_request(void)
{
    conn_start(80);
    feed(true, "T /zeek.html\n");
    feed(false, "bad method\n");
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "bad_HTTP_request");
    CU_ASSERT_EQUAL(fakehost_count("http"), 0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");

    conn_start(80);
    feed(true, "GET \n");
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "bad_HTTP_request");
    CU_ASSERT_EQUAL(fakehost_count("http"), 0);
}

static void test_split_headers(void)
{
    const char *req = "GET /split HTTP/1.0\r\nUser-Agent: Mozilla/5.0 (split)\r\n"
                      "Host: www.example.org\r\n\r\n";
    const char *rep = "HTTP/1.0 304 Not Modified\r\nDate: now\r\n\r\n";
    size_t rl = strlen(req);

    for (size_t cut = 1; cut < rl; cut += 7) {
        conn_start(80);
        feedn(true, req, cut);
        feedn(true, req + cut, rl - cut);
        feed(false, rep);
        CU_ASSERT_EQUAL(fakehost_count("http"), 1);
        CU_ASSERT_STRING_EQUAL(F(0, "user_agent"), "Mozilla/5.0 (split)");
        CU_ASSERT_STRING_EQUAL(F(0, "host"), "www.example.org");
        CU_ASSERT_STRING_EQUAL(F(0, "version"), "1.0");
        CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "304");
        CU_ASSERT_STRING_EQUAL(F(0, "resp_fuids"), "-");
        conn_end();
    }
}

static void test_gap_in_body(void)
{
    char body[41];
    memset(body, 'a', 40);
    body[40] = '\0';
    conn_start(80);
    feed(true, "GET /big HTTP/1.1\r\n\r\n");
    feed(false, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
    ops->gap(ps, conn, cs, false, 50);
    feed(false, body);
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "100");
    /* The connection goes on after the gap. */
    feed(true, "GET /next HTTP/1.1\r\n\r\n");
    feed(false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CU_ASSERT_EQUAL(fakehost_count("http"), 2);
    CU_ASSERT_STRING_EQUAL(F(1, "uri"), "/next");
    conn_end();

    /* A gap in the headers stops the direction; the record is flushed. */
    conn_start(80);
    feed(true, "GET /x HTTP/1.1\r\n");
    ops->gap(ps, conn, cs, true, 10);
    feed(true, "Host: nothing\r\n\r\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "host"), "-");
}

static void test_no_reply(void)
{
    conn_start(8080);
    fakehost_set_time(1234.5);
    feed(true, "GET /lonely HTTP/1.1\r\nHost: h\r\n\r\n");
    CU_ASSERT_EQUAL(fakehost_count("http"), 0);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "uri"), "/lonely");
    CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "version"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "ts"), "1234.500000");
    /* As Zeek, a valid request line alone confirms the protocol. */
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "http");
}

static void test_reply_without_request(void)
{
    conn_start(80);
    feed(false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "method"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "200");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    conn_end();
}

static void test_gzip_body(void)
{
    static const char text[] = "body { color: red; } /* a stylesheet, compressed */\n";
    uint8_t z[256];
    uLongf zl = sizeof(z);
    z_stream zs;
    char hdr[128];

    memset(&zs, 0, sizeof(zs));
    CU_ASSERT_FATAL(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    zs.next_in = (Bytef *)text;
    zs.avail_in = sizeof(text) - 1;
    zs.next_out = z;
    zs.avail_out = sizeof(z);
    CU_ASSERT_FATAL(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    zl = zs.total_out;
    deflateEnd(&zs);

    conn_start(80);
    feed(true, "GET /s.css HTTP/1.1\r\n\r\n");
    snprintf(hdr, sizeof(hdr),
             "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %lu\r\n\r\n",
             (unsigned long)zl);
    feed(false, hdr);
    for (size_t i = 0; i < zl; i += 5) {
        feedn(false, z + i, zl - i < 5 ? zl - i : 5);
    }
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    char want[16];
    snprintf(want, sizeof(want), "%zu", sizeof(text) - 1);
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), want);
    CU_ASSERT_STRING_EQUAL(F(0, "resp_mime_types"), "text/plain");
    conn_end();
}

static void test_basic_auth_proxied(void)
{
    conn_start(3128);
    /* "alice:secret" */
    feed(true, "GET http://x/ HTTP/1.1\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\n"
               "Via: 1.1 squid\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n");
    feed(false, "HTTP/1.1 204 No Content\r\n\r\n");
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "username"), "alice");
    CU_ASSERT_STRING_EQUAL(F(0, "password"), "secret");
    CU_ASSERT_STRING_EQUAL(F(0, "proxied"), "VIA -> 1.1 squid,X-FORWARDED-FOR -> 1.2.3.4");
    CU_ASSERT_STRING_EQUAL(F(0, "status_msg"), "No Content");
    conn_end();
}

static void test_connect(void)
{
    conn_start(8240);
    feed(true, "CONNECT mail.example:25 / HTTP/1.0\r\n\r\n");
    int rc = feed(false, "HTTP/1.0 200 Connection established\r\n\r\n220 smtp ready\r\n");
    CU_ASSERT_EQUAL(rc, SHOAL_AN_HANDOFF);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "method"), "CONNECT");
    CU_ASSERT_STRING_EQUAL(F(0, "uri"), "mail.example:25 /");
    CU_ASSERT_STRING_EQUAL(F(0, "status_msg"), "Connection established");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "0");
}

static void test_close_delimited(void)
{
    conn_start(80);
    feed(true, "GET / HTTP/1.0\r\n\r\n");
    feed(false, "HTTP/1.0 200 OK\r\nContent-type: text/html\r\n\r\nline one\r\nline two\r\n");
    ops->eof(ps, conn, cs, false);
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "20");
    conn_end();
}

/* Line endings as Zeek's ContentLine analyzer with CR and LF both ending
 * lines: CRLF, bare LF and bare CR give the same records; a bare CR that
 * something other than a line end follows raises
 * line_terminated_with_single_CR, once a connection. */
static void line_endings_case(const char *eol, const char *weirds)
{
    char req[256], rep[256];

    conn_start(80);
    snprintf(req, sizeof(req), "GET /x HTTP/1.1%sHost: h%sUser-Agent: u%s%s", eol, eol, eol, eol);
    snprintf(rep, sizeof(rep), "HTTP/1.1 200 OK%sContent-Length: 3%s%sabc", eol, eol, eol);
    feed(true, req);
    feed(false, rep);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("http"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "host"), "h");
    CU_ASSERT_STRING_EQUAL(F(0, "user_agent"), "u");
    CU_ASSERT_STRING_EQUAL(F(0, "status_code"), "200");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "3");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), weirds);
}

static void test_line_endings(void)
{
    line_endings_case("\r\n", "");
    line_endings_case("\n", "");
    line_endings_case("\r", "line_terminated_with_single_CR");
}

static void test_line_endings_mixed(void)
{
    /* CRLF split across calls is one line end; CR CR LF is a line and an
     * empty line; a bare CR after a bare-LF line raises the weird once. */
    conn_start(80);
    feed(true, "GET /a HTTP/1.1\r");
    feed(true, "\nHost: h\nUser-Agent: u\r\n\r\n");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    feed(false, "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "line_terminated_with_single_CR");
    feed(true, "GET /b HTTP/1.1\rHost: h2\r\r\n");
    feed(false, "HTTP/1.1 404 Not Found\rContent-Length: 0\r\n\r\n");
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "line_terminated_with_single_CR");
    CU_ASSERT_EQUAL(fakehost_count("http"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "uri"), "/a");
    CU_ASSERT_STRING_EQUAL(F(0, "host"), "h");
    CU_ASSERT_STRING_EQUAL(F(1, "uri"), "/b");
    CU_ASSERT_STRING_EQUAL(F(1, "host"), "h2");
    CU_ASSERT_STRING_EQUAL(F(1, "status_code"), "404");

    /* A CR before body bytes delivered raw raises nothing. */
    conn_start(80);
    feed(true, "GET / HTTP/1.1\r\n\r\n");
    feed(false, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\rxy");
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    CU_ASSERT_STRING_EQUAL(F(0, "response_body_len"), "2");
}

static void test_unescape(void)
{
    char out[64];
    size_t n = http_unescape_uri("/a%41%u0042%zz%%41%4", 20, out, NULL, NULL);
    CU_ASSERT_EQUAL(n, 10);
    CU_ASSERT_NSTRING_EQUAL(out, "/aAB%zzA%4", n);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("http", suite_init, suite_clean);
    CU_add_test(s, "simple GET", test_simple_get);
    CU_add_test(s, "pipelining", test_pipelining);
    CU_add_test(s, "chunked bytewise", test_chunked_bytewise);
    CU_add_test(s, "100-continue", test_100_continue);
    CU_add_test(s, "HTTP/0.9", test_http09);
    CU_add_test(s, "HTTP/0.9 POST weird", test_http09_post_weird);
    CU_add_test(s, "bad request", test_bad_request);
    CU_add_test(s, "split headers", test_split_headers);
    CU_add_test(s, "gap in body", test_gap_in_body);
    CU_add_test(s, "no reply", test_no_reply);
    CU_add_test(s, "reply without request", test_reply_without_request);
    CU_add_test(s, "gzip body", test_gzip_body);
    CU_add_test(s, "basic auth, proxied", test_basic_auth_proxied);
    CU_add_test(s, "CONNECT", test_connect);
    CU_add_test(s, "close-delimited body", test_close_delimited);
    CU_add_test(s, "line endings", test_line_endings);
    CU_add_test(s, "line endings mixed", test_line_endings_mixed);
    CU_add_test(s, "URI unescape", test_unescape);
    return shoal_cunit_run("test_http");
}
