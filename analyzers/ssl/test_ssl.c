/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the ssl analyzer through the fake host table, on
 * hand-built messages: a full TLS 1.2 handshake (whole, byte by byte),
 * TLS 1.3 with a HelloRetryRequest and PSK resumption, session-id
 * resumption, alerts, truncated and oversized messages, garbage, a gap,
 * server data first; DTLS through the parser; the probes, SHA-256 and the
 * certificate name matching.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "ssl_build.h"
#include "ssl_parse.h"
#include "ssl_sha256.h"
#include "ssl_x509.h"

extern const struct shoal_plugin ssl_LTX_shoal_plugin;

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;
static bool detached;

/* The plugin's settings (struct ssl_config). */
struct test_cfg {
    int64_t max_handshake;
    bool ja3;
};

static int suite_init(void)
{
    static const struct test_cfg cfg = {4096, false};
    ops = ssl_LTX_shoal_plugin.ops;
    return fakehost_init(&ssl_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    ssl_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    fakehost_set_time(1000.0);
    conn = fakehost_conn("10.0.0.1", 40000, "10.0.0.2", 443, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    detached = false;
}

/* Feed as the core does: nothing after a detach. */
static void feed(bool is_orig, const struct ssl_mb *m, size_t step)
{
    for (size_t off = 0; off < m->n && !detached; off += step) {
        size_t n = m->n - off < step ? m->n - off : step;
        uint8_t *tmp = malloc(n);
        memcpy(tmp, m->b + off, n);
        detached = ops->data(ps, conn, cs, is_orig, tmp, n) == SHOAL_AN_DETACH;
        free(tmp);
    }
}

static void conn_end(void)
{
    ops->conn_done(ps, conn, cs);
    free(cs);
    cs = NULL;
}

static const char *F(const char *field)
{
    const char *v = fakehost_field("ssl", 0, field);
    return v != NULL ? v : "<none>";
}

static const uint8_t sid[32] = {0x11, 0x22, 0x33};

/* A TLS 1.2 ECDHE handshake: the client's and the server's flights. */
static void tls12_flights(struct ssl_mb *c1, struct ssl_mb *s1, struct ssl_mb *c2,
                          struct ssl_mb *s2, const char *sni, const char *cert_cn)
{
    struct ssl_hello ch = {.version = 0x0303, .sni = sni};
    struct ssl_hello sh = {.version = 0x0303, .cipher = 0xc02f, .alpn = "h2"};

    memset(c1, 0, sizeof(*c1));
    memset(s1, 0, sizeof(*s1));
    memset(c2, 0, sizeof(*c2));
    memset(s2, 0, sizeof(*s2));
    mb_record(c1, 22);
    mb_client_hello(c1, &ch);
    mb_close(c1);

    mb_record(s1, 22);
    mb_server_hello(s1, &sh);
    mb_hs(s1, 11);
    mb_open(s1, 3);
    mb_open(s1, 3);
    mb_cert(s1, cert_cn, "*.example.com");
    mb_close(s1);
    mb_open(s1, 3);
    mb_cert(s1, "Test CA", NULL);
    mb_close(s1);
    mb_close(s1);
    mb_close(s1);
    mb_hs(s1, 12);
    mb_bytes(s1, "\x03\x00\x17\x01\x04", 5);
    mb_close(s1);
    mb_hs(s1, 14);
    mb_close(s1);
    mb_close(s1);

    mb_record(c2, 22);
    mb_hs(c2, 16);
    mb_bytes(c2, "\x01\x04", 2);
    mb_close(c2);
    mb_close(c2);
    mb_bytes(c2, "\x14\x03\x03\x00\x01\x01", 6);
    mb_bytes(c2, "\x16\x03\x03\x00\x04\xde\xad\xbe\xef", 9); /* encrypted Finished */

    mb_record(s2, 22);
    mb_hs(s2, 4);
    mb_bytes(s2, "\x00\x00\x00\x10\x00\x02\xab\xcd", 8);
    mb_close(s2);
    mb_close(s2);
    mb_bytes(s2, "\x14\x03\x03\x00\x01\x01", 6);
    mb_bytes(s2, "\x16\x03\x03\x00\x04\xde\xad\xbe\xef", 9);
    mb_bytes(s2, "\x17\x03\x03\x00\x02\x00\x00", 7); /* application data */
}

static void run_tls12(size_t step)
{
    static struct ssl_mb c1, s1, c2, s2;

    tls12_flights(&c1, &s1, &c2, &s2, "www.example.com", "example.com");
    conn_start();
    feed(true, &c1, step);
    feed(false, &s1, step);
    feed(true, &c2, step);
    CU_ASSERT_FALSE(detached);
    feed(false, &s2, step);
    CU_ASSERT_TRUE(detached); /* established: the rest is skipped */
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 1);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 1);
    CU_ASSERT_STRING_EQUAL(F("version"), "TLSv12");
    CU_ASSERT_STRING_EQUAL(F("cipher"), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    CU_ASSERT_STRING_EQUAL(F("curve"), "secp256r1");
    CU_ASSERT_STRING_EQUAL(F("server_name"), "www.example.com");
    CU_ASSERT_STRING_EQUAL(F("next_protocol"), "h2");
    CU_ASSERT_STRING_EQUAL(F("resumed"), "F");
    CU_ASSERT_STRING_EQUAL(F("established"), "T");
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "CsxknGIti");
    CU_ASSERT_STRING_EQUAL(F("last_alert"), "-");
    CU_ASSERT_STRING_EQUAL(F("sni_matches_cert"), "T");
    CU_ASSERT_STRING_EQUAL(F("client_cert_chain_fps"), "(empty)");
    CU_ASSERT_EQUAL(strlen(F("cert_chain_fps")), 64 * 2 + 1);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "ssl,ssl");
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "");
}

static void test_tls12_whole(void)
{
    run_tls12(SSL_MB_MAX);
}

static void test_tls12_bytewise(void)
{
    run_tls12(1);
}

static void test_tls12_split7(void)
{
    run_tls12(7);
}

static void test_sni_mismatch_and_alert(void)
{
    static struct ssl_mb c1, s1, c2, s2;
    struct ssl_mb a = {0};

    tls12_flights(&c1, &s1, &c2, &s2, "other.org", "example.com");
    conn_start();
    feed(true, &c1, 100);
    feed(false, &s1, 100);
    mb_bytes(&a, "\x15\x03\x03\x00\x02\x02\x30", 7); /* fatal unknown_ca */
    feed(true, &a, 100);
    CU_ASSERT_FALSE(detached);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 1);
    CU_ASSERT_STRING_EQUAL(F("sni_matches_cert"), "F");
    CU_ASSERT_STRING_EQUAL(F("last_alert"), "unknown_ca");
    CU_ASSERT_STRING_EQUAL(F("established"), "F");
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "CsxknL");
}

static void test_tls13_hrr_psk(void)
{
    struct ssl_mb m = {0};
    struct ssl_hello ch = {.version = 0x0303, .sid = sid, .sid_len = 32, .psk = true};
    struct ssl_hello hrr = {.version = 0x0303,
                            .sid = sid,
                            .sid_len = 32,
                            .cipher = 0x1301,
                            .supported_version = 0x0304,
                            .key_share = 0x0017,
                            .hrr = true};
    struct ssl_hello sh = {.version = 0x0303,
                           .sid = sid,
                           .sid_len = 32,
                           .cipher = 0x1302,
                           .supported_version = 0x0304,
                           .key_share = 0x001d,
                           .psk = true};

    conn_start();
    mb_record(&m, 22);
    mb_client_hello(&m, &ch);
    mb_close(&m);
    feed(true, &m, 50);
    m.n = 0;
    mb_record(&m, 22);
    mb_server_hello(&m, &hrr);
    mb_close(&m);
    feed(false, &m, 50);
    m.n = 0;
    mb_record(&m, 22);
    mb_client_hello(&m, &ch);
    mb_close(&m);
    feed(true, &m, 50);
    m.n = 0;
    mb_record(&m, 22);
    mb_server_hello(&m, &sh);
    mb_close(&m);
    mb_bytes(&m, "\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x03\x01\x02\x03", 14);
    feed(false, &m, 50);
    CU_ASSERT_FALSE(detached);
    m.n = 0;
    mb_bytes(&m, "\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x03\x01\x02\x03", 14);
    feed(true, &m, 50);
    CU_ASSERT_TRUE(detached);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("version"), "TLSv13");
    CU_ASSERT_STRING_EQUAL(F("cipher"), "TLS_AES_256_GCM_SHA384");
    CU_ASSERT_STRING_EQUAL(F("curve"), "x25519");
    CU_ASSERT_STRING_EQUAL(F("resumed"), "T"); /* by PSK, not by the echoed session id */
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "CjCsiI");
    CU_ASSERT_STRING_EQUAL(F("cert_chain_fps"), "-");
    CU_ASSERT_STRING_EQUAL(F("sni_matches_cert"), "-");
}

static void test_resumed_session_id(void)
{
    struct ssl_mb m = {0};
    struct ssl_hello ch = {.version = 0x0303, .sid = sid, .sid_len = 32};
    struct ssl_hello sh = {.version = 0x0301, .sid = sid, .sid_len = 32, .cipher = 0x0005};

    conn_start();
    mb_record(&m, 22);
    mb_client_hello(&m, &ch);
    mb_close(&m);
    feed(true, &m, 1000);
    m.n = 0;
    mb_record(&m, 22);
    mb_server_hello(&m, &sh);
    mb_close(&m);
    feed(false, &m, 1000);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("version"), "TLSv10");
    CU_ASSERT_STRING_EQUAL(F("cipher"), "TLS_RSA_WITH_RC4_128_SHA");
    CU_ASSERT_STRING_EQUAL(F("resumed"), "T");
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "Cs");
    CU_ASSERT_STRING_EQUAL(F("curve"), "-");
}

static void test_ticket_resumption(void)
{
    struct ssl_mb m = {0};
    struct ssl_hello ch = {.version = 0x0303, .ticket = true};
    struct ssl_hello sh = {.version = 0x0303, .cipher = 0x009d};

    conn_start();
    mb_record(&m, 22);
    mb_client_hello(&m, &ch);
    mb_close(&m);
    feed(true, &m, 1000);
    m.n = 0;
    mb_record(&m, 22);
    mb_server_hello(&m, &sh);
    mb_close(&m);
    mb_bytes(&m, "\x14\x03\x03\x00\x01\x01", 6);
    feed(false, &m, 1000);
    m.n = 0;
    mb_bytes(&m, "\x14\x03\x03\x00\x01\x01", 6);
    feed(true, &m, 1000);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("resumed"), "T");
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "CsiI");
    CU_ASSERT_STRING_EQUAL(F("established"), "F");
}

/* The server's flight before the client's (as a capture may order them). */
static void test_server_first(void)
{
    static struct ssl_mb c1, s1, c2, s2;

    tls12_flights(&c1, &s1, &c2, &s2, NULL, "example.com");
    conn_start();
    feed(false, &s1, 1000);
    feed(true, &c1, 1000);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "sxknC");
    CU_ASSERT_STRING_EQUAL(F("server_name"), "-");
    CU_ASSERT_STRING_EQUAL(F("sni_matches_cert"), "-");
}

static void test_truncated(void)
{
    static struct ssl_mb c1, s1, c2, s2;
    struct ssl_mb m = {0};

    /* A record cut short: nothing complete, nothing logged. */
    tls12_flights(&c1, &s1, &c2, &s2, "a.example.com", "example.com");
    conn_start();
    c1.n -= 10;
    feed(true, &c1, 3);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 0);

    /* A whole record whose hello is cut inside: a violation. */
    conn_start();
    mb_bytes(&m, "\x16\x03\x01\x00\x08\x01\x00\x00\x04\x03\x03\x01\x02", 13);
    feed(true, &m, 1000);
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "ssl");
    conn_end();
}

static void test_oversized(void)
{
    struct ssl_mb m = {0};

    conn_start();
    /* a handshake message announcing 1 MB, past max_handshake = 4096 */
    mb_bytes(&m, "\x16\x03\x03\x30\x00\x0b\x10\x00\x00", 9);
    memset(m.b + m.n, 0x41, 0x3000 - 4);
    m.n += 0x3000 - 4;
    feed(false, &m, 1000);
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "SSL_max_handshake_message_size_reached");
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 0);
}

static void test_garbage_and_gap(void)
{
    struct ssl_mb m = {0};
    static struct ssl_mb c1, s1, c2, s2;

    conn_start();
    mb_bytes(&m, "GET / HTTP/1.1\r\n\r\n", 18);
    feed(true, &m, 1000);
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "ssl");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 0);

    /* After a gap nothing more is parsed, but what came before is logged. */
    tls12_flights(&c1, &s1, &c2, &s2, NULL, "example.com");
    conn_start();
    feed(true, &c1, 1000);
    ops->gap(ps, conn, cs, false, 100);
    feed(false, &s1, 1000);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "C");
    CU_ASSERT_STRING_EQUAL(F("version"), "-");
}

/* A connection seen without its SYN is skipped, as Zeek's IsPartial. */
static void test_partial(void)
{
    static struct ssl_mb c1, s1, c2, s2;

    tls12_flights(&c1, &s1, &c2, &s2, NULL, "example.com");
    conn_start();
    fakehost_conn_set_state(conn, "OTH", "Dd");
    feed(true, &c1, 1000);
    feed(false, &s1, 1000);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
}

static void test_bad_version(void)
{
    struct ssl_mb m = {0};
    struct ssl_hello ch = {.version = 0x0909};

    conn_start();
    mb_record(&m, 22);
    mb_client_hello(&m, &ch);
    mb_close(&m);
    feed(true, &m, 1000);
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "ssl");
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 1); /* logged at the violation */
    CU_ASSERT_STRING_EQUAL(F("ssl_history"), "C");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssl"), 1);
}

/* ---- DTLS through the parser ---- */

static int dtls_confirms, dtls_established;

static void dcb_confirm(void *ud)
{
    (void)ud;
    dtls_confirms++;
}
static void dcb_violation(void *ud, const char *reason)
{
    (void)ud;
    (void)reason;
}
static void dcb_established(void *ud)
{
    (void)ud;
    dtls_established++;
}
static void *dcb_alloc(void *ud, size_t n)
{
    (void)ud;
    return calloc(1, n);
}
static void dcb_free(void *ud, void *p)
{
    (void)ud;
    free(p);
}

static const struct ssl_parse_cb dcbs = {
    .confirm = dcb_confirm,
    .violation = dcb_violation,
    .established = dcb_established,
    .alloc = dcb_alloc,
    .free = dcb_free,
};

/* A DTLS record holding a handshake message in `nfrag` fragments. */
static void dtls_msg(struct ssl_parser *p, bool is_orig, const struct ssl_mb *body, int nfrag)
{
    size_t mlen = body->n - 4; /* body holds a TLS-style message: type, len, data */
    size_t per = (mlen + (size_t)nfrag - 1) / (size_t)nfrag;
    for (size_t off = 0; off < mlen || (mlen == 0 && off == 0); off += per) {
        struct ssl_mb r = {0};
        size_t n = mlen - off < per ? mlen - off : per;
        mb_bytes(&r, "\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x01", 11);
        mb_open(&r, 2);
        mb_u(&r, body->b[0], 1);
        mb_u(&r, (uint32_t)mlen, 3);
        mb_u(&r, 0, 2);
        mb_u(&r, (uint32_t)off, 3);
        mb_u(&r, (uint32_t)n, 3);
        mb_bytes(&r, body->b + 4 + off, n);
        mb_close(&r);
        ssl_parse_data(p, is_orig, r.b, r.n);
        if (per == 0) {
            break;
        }
    }
}

static void test_dtls(void)
{
    static struct ssl_parser p;
    struct ssl_mb m = {0};
    struct ssl_hello ch = {.version = 0xfefd, .sni = "dtls.example"};
    struct ssl_hello sh = {.version = 0xfefd, .cipher = 0xc014};

    ssl_parse_init(&p, true, 4096, &dcbs, NULL);
    /* DTLS client hello carries a cookie: build it by hand around mb_client_hello. */
    mb_client_hello(&m, &ch);
    /* insert an empty cookie after the session id (offset 4 + 2 + 32 + 1) */
    memmove(m.b + 40, m.b + 39, m.n - 39);
    m.b[39] = 0;
    m.n++;
    size_t len = m.n - 4;
    m.b[1] = (uint8_t)(len >> 16);
    m.b[2] = (uint8_t)(len >> 8);
    m.b[3] = (uint8_t)len;
    dtls_msg(&p, true, &m, 3);
    m.n = 0;
    mb_server_hello(&m, &sh);
    dtls_msg(&p, false, &m, 1);
    ssl_parse_data(&p, false,
                   (const uint8_t *)"\x14\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01\x01", 14);
    ssl_parse_data(&p, true,
                   (const uint8_t *)"\x14\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01\x01", 14);
    CU_ASSERT_EQUAL(dtls_established, 0);
    ssl_parse_data(&p, true,
                   (const uint8_t *)"\x17\xfe\xfd\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x01", 14);
    CU_ASSERT_EQUAL(dtls_established, 1);
    CU_ASSERT_EQUAL(dtls_confirms, 2);
    CU_ASSERT_STRING_EQUAL(p.s.history, "CsiI");
    CU_ASSERT_EQUAL(p.s.version, 0xfefd);
    CU_ASSERT_EQUAL(p.s.server_name_len, strlen("dtls.example"));
    ssl_parse_free(&p);
}

/* ---- helpers ---- */

static void test_probe(void)
{
    static const uint8_t ch[] = {0x16, 3, 1, 0, 100, 1, 0, 0, 96, 3, 3};
    static const uint8_t sh[] = {0x16, 3, 3, 0, 100, 2, 0, 0, 96, 3, 3};
    CU_ASSERT_TRUE(ssl_parse_probe(ch, sizeof(ch), true, false));
    CU_ASSERT_FALSE(ssl_parse_probe(ch, 6, true, false)); /* not enough yet */
    CU_ASSERT_FALSE(ssl_parse_probe(ch, sizeof(ch), false, false));
    CU_ASSERT_TRUE(ssl_parse_probe(sh, sizeof(sh), false, false));
    CU_ASSERT_FALSE(ssl_parse_probe((const uint8_t *)"GET / HTTP/1.1", 14, true, false));
    CU_ASSERT_TRUE(ops->probe(ch, sizeof(ch), true, SHOAL_PROTO_TCP));
    CU_ASSERT_FALSE(ops->probe(ch, sizeof(ch), true, SHOAL_PROTO_UDP));
}

static void test_sha256(void)
{
    uint8_t d[SSL_SHA256_LEN];
    char hex[65];
    ssl_sha256((const uint8_t *)"abc", 3, d);
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    }
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_md5(void)
{
    static const char *const in[] = {"", "abc", "message digest",
                                     "12345678901234567890123456789012345678901234567890123456789"
                                     "012345678901234567890"};
    static const char *const want[] = {
        "d41d8cd98f00b204e9800998ecf8427e", "900150983cd24fb0d6963f7d28e17f72",
        "f96b697d7cb7938d525a2f31aaf161d0", "57edf4a22be3c955ac49da2e2107b67a"};
    for (int i = 0; i < 4; i++) {
        struct ssl_md5 m;
        uint8_t d[SSL_MD5_LEN];
        char hex[33];
        ssl_md5_init(&m);
        ssl_md5_update(&m, in[i], strlen(in[i]));
        ssl_md5_final(&m, d);
        for (int j = 0; j < SSL_MD5_LEN; j++) {
            snprintf(hex + 2 * j, 3, "%02x", d[j]);
        }
        CU_ASSERT_STRING_EQUAL(hex, want[i]);
    }
}

/* The plugin again with plugins.ssl.ja3 `on`. */
static void reinit_ja3(bool on)
{
    struct test_cfg cfg = {4096, on};
    ssl_LTX_shoal_plugin.fini(ps);
    CU_ASSERT_EQUAL_FATAL(fakehost_init(&ssl_LTX_shoal_plugin, &cfg, &ps), 0);
}

/* JA3 of the TLS 1.2 client ("771,49199-4865,0,,") and JA3S of its server
 * ("771,49199,16"); then a hello with GREASE in its ciphers, extensions
 * and groups, which JA3 leaves out ("771,4865-49199,10-11,29-23,0"). */
static void test_ja3(void)
{
    reinit_ja3(true);
    run_tls12(4096);
    CU_ASSERT_STRING_EQUAL(F("ja3"), "66517f154ae006470c76fe7b66713fc4");
    CU_ASSERT_STRING_EQUAL(F("ja3s"), "896415616b22361262d7a961b6325cfd");

    struct ssl_mb c = {0};
    mb_record(&c, 22);
    mb_hs(&c, 1);
    mb_u(&c, 0x0303, 2);
    mb_bytes(&c, sid, 32); /* random */
    mb_u(&c, 0, 1);
    mb_bytes(&c, "\x00\x06\x0a\x0a\x13\x01\xc0\x2f\x01\x00", 10);
    mb_open(&c, 2);
    mb_bytes(&c, "\x1a\x1a\x00\x00", 4);                                  /* GREASE */
    mb_bytes(&c, "\x00\x0a\x00\x08\x00\x06\x2a\x2a\x00\x1d\x00\x17", 12); /* groups */
    mb_bytes(&c, "\x00\x0b\x00\x02\x01\x00", 6);                          /* formats */
    mb_close(&c);
    mb_close(&c);
    mb_close(&c);
    conn_start();
    feed(true, &c, c.n);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("ja3"), "0137629f27baa8ccd5625beedf3b60db");
    CU_ASSERT_STRING_EQUAL(F("ja3s"), "-");
    reinit_ja3(false);
    run_tls12(4096);
    CU_ASSERT_PTR_NULL(fakehost_field("ssl", 0, "ja3")); /* no such column by default */
}

static void test_x509(void)
{
    struct ssl_mb m = {0};
    mb_cert(&m, "cn.example.org", "*.example.com");
    CU_ASSERT_TRUE(ssl_x509_valid(m.b, m.n));
    CU_ASSERT_TRUE(ssl_x509_matches(m.b, m.n, "WWW.example.com", 15));
    CU_ASSERT_FALSE(ssl_x509_matches(m.b, m.n, "a.b.example.com", 15));
    CU_ASSERT_FALSE(ssl_x509_matches(m.b, m.n, "example.com", 11));
    CU_ASSERT_TRUE(ssl_x509_matches(m.b, m.n, "cn.example.org", 14));
    CU_ASSERT_FALSE(ssl_x509_valid(m.b, m.n - 1));
    for (size_t cut = 0; cut < m.n; cut++) {
        CU_ASSERT_FALSE(ssl_x509_matches(m.b, cut, "www.example.com", 15));
    }
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("ssl", suite_init, suite_clean);
    CU_add_test(s, "TLS 1.2 whole", test_tls12_whole);
    CU_add_test(s, "TLS 1.2 byte by byte", test_tls12_bytewise);
    CU_add_test(s, "TLS 1.2 in 7-byte pieces", test_tls12_split7);
    CU_add_test(s, "SNI mismatch, alert", test_sni_mismatch_and_alert);
    CU_add_test(s, "TLS 1.3 HRR and PSK", test_tls13_hrr_psk);
    CU_add_test(s, "resumed by session id", test_resumed_session_id);
    CU_add_test(s, "resumed by ticket", test_ticket_resumption);
    CU_add_test(s, "server first", test_server_first);
    CU_add_test(s, "truncated", test_truncated);
    CU_add_test(s, "oversized", test_oversized);
    CU_add_test(s, "garbage, gap", test_garbage_and_gap);
    CU_add_test(s, "bad version", test_bad_version);
    CU_add_test(s, "partial connection", test_partial);
    CU_add_test(s, "DTLS", test_dtls);
    CU_add_test(s, "probe", test_probe);
    CU_add_test(s, "SHA-256", test_sha256);
    CU_add_test(s, "MD5", test_md5);
    CU_add_test(s, "JA3, JA3S", test_ja3);
    CU_add_test(s, "X.509 names", test_x509);
    return shoal_cunit_run("test_ssl");
}
