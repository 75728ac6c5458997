/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the quic analyzer through the fake host: the Initial
 * keys against RFC 9001 / RFC 9369's vectors, a whole exchange (quic.log,
 * the hellos handed to ssl), a ClientHello in CRYPTO frames out of order
 * over two packets, QUIC v2, Retry, an unknown version, CONNECTION_CLOSE,
 * a bad tag, an oversized hello, truncated packets and short headers.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "quic_build.h"
#include "quic_parse.h"

extern const struct shoal_plugin quic_LTX_shoal_plugin;

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;
static bool detached;

static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
static const uint8_t scid_c[2] = {0xc0, 0x01};
static const uint8_t scid_s[5] = {0x5e, 0x00, 0x01, 0x02, 0x03};

static int suite_init(void)
{
    ops = quic_LTX_shoal_plugin.ops;
    return fakehost_init(&quic_LTX_shoal_plugin, NULL, &ps);
}

static int suite_clean(void)
{
    quic_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    fakehost_reset_conns();
    fakehost_set_time(100.0);
    conn = fakehost_conn("10.0.0.1", 50000, "192.0.2.2", 443, SHOAL_PROTO_UDP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    detached = false;
}

static void feed(bool is_orig, const uint8_t *d, size_t n)
{
    if (!detached) {
        uint8_t *tmp = malloc(n ? n : 1);
        memcpy(tmp, d, n);
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

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        sprintf(out + 2 * i, "%02x", b[i]);
    }
}

static void check_keys(uint32_t version, bool client, const char *key, const char *iv,
                       const char *hp)
{
    struct quic_keys k;
    char out[40];

    CU_ASSERT_FATAL(quic_initial_keys(version, dcid, sizeof(dcid), client, &k) == 0);
    hex(k.key, sizeof(k.key), out);
    CU_ASSERT_STRING_EQUAL(out, key);
    hex(k.iv, sizeof(k.iv), out);
    CU_ASSERT_STRING_EQUAL(out, iv);
    hex(k.hp, sizeof(k.hp), out);
    CU_ASSERT_STRING_EQUAL(out, hp);
}

/* RFC 9001 A.1 and RFC 9369 A.1. */
static void test_keys(void)
{
    struct quic_keys k;

    check_keys(QUIC_VERSION_1, true, "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c",
               "9f50449e04a0e810283a1e9933adedd2");
    check_keys(QUIC_VERSION_1, false, "cf3a5331653c364c88f0f379b6067e37",
               "0ac1493ca1905853b0bba03e", "c206b8d9b9f0f37644430b490eeaa314");
    check_keys(QUIC_VERSION_2, true, "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f",
               "45b95e15235d6f45a6b19cbcb0294ba9");
    CU_ASSERT(quic_initial_keys(0x12345678, dcid, sizeof(dcid), true, &k) < 0);
}

/* A client Initial datagram carrying hello[0..n) in one CRYPTO frame. */
static size_t client_initial(uint8_t *out, uint32_t version, const uint8_t *hello, size_t n,
                             uint32_t pn)
{
    uint8_t f[2048];
    size_t fl = qb_crypto(f, 0, hello, n);
    return qb_initial(out, 4096, version, true, dcid, sizeof(dcid), dcid, sizeof(dcid), scid_c,
                      sizeof(scid_c), pn, f, fl, 1200);
}

/* The server's first datagram: Initial (ACK + ServerHello) + Handshake. */
static size_t server_flight(uint8_t *out, uint32_t version)
{
    uint8_t f[512], sh[256];
    size_t shl = qb_server_hello(sh, 0x1301, 7);
    size_t fl = qb_ack(f, 0);
    fl += qb_crypto(f + fl, 0, sh, shl);
    size_t n = qb_initial(out, 4096, version, false, dcid, sizeof(dcid), scid_c, sizeof(scid_c),
                          scid_s, sizeof(scid_s), 0, f, fl, 0);
    n += qb_opaque(out + n, version, version == QUIC_VERSION_2 ? 3 : 2, scid_c, sizeof(scid_c),
                   scid_s, sizeof(scid_s), 300, 0xab);
    return n;
}

static void short_packet(bool is_orig)
{
    uint8_t p[40] = {0x41};
    memset(p + 1, 0x33, sizeof(p) - 1);
    feed(is_orig, p, sizeof(p));
}

static void test_exchange(void)
{
    uint8_t ch[512], d[4096];
    size_t chl = qb_client_hello(ch, "www.example.com", "h3,h3-29", 1), n, got;
    const uint8_t *dl;

    conn_start();
    n = client_initial(d, QUIC_VERSION_1, ch, chl, 0);
    CU_ASSERT_FATAL(n >= 1200);
    feed(true, d, n);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "quic");
    dl = fakehost_delivered(true, &got);
    CU_ASSERT_FATAL(got == chl + 5);
    CU_ASSERT(dl[0] == 22 && dl[1] == 3 && dl[2] == 3 && dl[3] == (chl >> 8) &&
              dl[4] == (chl & 0xff));
    CU_ASSERT(memcmp(dl + 5, ch, chl) == 0);
    feed(false, d, server_flight(d, QUIC_VERSION_1));
    fakehost_delivered(false, &got);
    CU_ASSERT(got > 5);
    CU_ASSERT_STRING_EQUAL(fakehost_attached(), "ssl");
    for (int i = 0; i < 3; i++) {
        short_packet(false);
        short_packet(true);
    }
    CU_ASSERT(!detached);
    conn_end();
    CU_ASSERT_FATAL(fakehost_count("quic") == 1);
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "version"), "1");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "client_initial_dcid"), "8394c8f03e515708");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "client_scid"), "c001");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "server_scid"), "5e00010203");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "server_name"), "www.example.com");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "client_protocol"), "h3");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "history"), "ISishoOoO");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "ts"), "100.000000");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "QUIC_many_protocols");
}

/* The ClientHello in three CRYPTO frames, the last part first, over two
 * Initial packets; then a v2 connection. */
static void test_out_of_order(void)
{
    uint8_t ch[512], f[1024], d[4096];
    size_t chl = qb_client_hello(ch, "a.example", "h3", 2), a = 50, b = 120, fl, n, got;

    CU_ASSERT_FATAL(chl > b);
    conn_start();
    fl = qb_crypto(f, b, ch + b, chl - b);
    fl += qb_crypto(f + fl, a, ch + a, b - a);
    n = qb_initial(d, sizeof(d), QUIC_VERSION_1, true, dcid, sizeof(dcid), dcid, sizeof(dcid),
                   scid_c, sizeof(scid_c), 0, f, fl, 1200);
    feed(true, d, n);
    fakehost_delivered(true, &got);
    CU_ASSERT(got == 0);
    fl = qb_crypto(f, 0, ch, a);
    n = qb_initial(d, sizeof(d), QUIC_VERSION_1, true, dcid, sizeof(dcid), dcid, sizeof(dcid),
                   scid_c, sizeof(scid_c), 1, f, fl, 1200);
    feed(true, d, n);
    fakehost_delivered(true, &got);
    CU_ASSERT(got == chl + 5);
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "history"), "IIS");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "server_name"), "a.example");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");

    conn_start();
    feed(true, d, client_initial(d, QUIC_VERSION_2, ch, chl, 0));
    feed(false, d, server_flight(d, QUIC_VERSION_2));
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "version"), "quicv2");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "history"), "ISish");
}

/* Retry and an unknown version each end a record; a new one follows. */
static void test_retry_unknown(void)
{
    uint8_t ch[512], d[4096];
    size_t chl = qb_client_hello(ch, NULL, NULL, 3), n;

    conn_start();
    feed(true, d, client_initial(d, QUIC_VERSION_1, ch, chl, 0));
    n = qb_long_hdr(d, QUIC_VERSION_1, 3, 1, scid_c, sizeof(scid_c), scid_s, sizeof(scid_s), false);
    memset(d + n, 0x11, 40);
    feed(false, d, n + 40);
    CU_ASSERT_FATAL(fakehost_count("quic") == 1);
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "history"), "ISr");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "server_name"), "-");
    CU_ASSERT(!detached);
    n = qb_long_hdr(d, 0x0a0a0a0a, 0, 1, dcid, sizeof(dcid), scid_c, sizeof(scid_c), false);
    memset(d + n, 0, 30);
    feed(true, d, n + 30);
    CU_ASSERT(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "quic");
    conn_end();
    CU_ASSERT_FATAL(fakehost_count("quic") == 2);
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 1, "version"), "unknown-a0a0a0a");
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 1, "history"), "U");
}

/* A CONNECTION_CLOSE writes the record at once. */
static void test_close(void)
{
    uint8_t f[128], d[4096];
    size_t fl = qb_close(f, 0x0a, "bye"), n;

    conn_start();
    n = qb_initial(d, sizeof(d), QUIC_VERSION_1, true, dcid, sizeof(dcid), dcid, sizeof(dcid),
                   scid_c, sizeof(scid_c), 0, f, fl, 1200);
    feed(true, d, n);
    CU_ASSERT_FATAL(fakehost_count("quic") == 1);
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "history"), "IC");
    conn_end();
    CU_ASSERT(fakehost_count("quic") == 1);
}

/* A flipped bit of the ciphertext fails the tag: a violation. */
static void test_bad_tag(void)
{
    uint8_t ch[512], d[4096];
    size_t chl = qb_client_hello(ch, "x", NULL, 4), n;

    conn_start();
    n = client_initial(d, QUIC_VERSION_1, ch, chl, 0);
    d[n - 30] ^= 1;
    feed(true, d, n);
    CU_ASSERT(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "quic");
    conn_end();
    CU_ASSERT_STRING_EQUAL(fakehost_field("quic", 0, "history"), "I");
}

/* A hello longer than Zeek allows, an unknown frame, truncated packets. */
static void test_bad_input(void)
{
    uint8_t f[64] = {1, 0xff, 0xff, 0xff}, d[4096];
    size_t fl = qb_crypto(f + 10, 0, f, 4), n;

    conn_start();
    n = qb_initial(d, sizeof(d), QUIC_VERSION_1, true, dcid, sizeof(dcid), dcid, sizeof(dcid),
                   scid_c, sizeof(scid_c), 0, f + 10, fl, 1200);
    feed(true, d, n);
    CU_ASSERT(detached);
    conn_end();

    conn_start();
    f[0] = 0x1e; /* HANDSHAKE_DONE: not in an Initial packet */
    n = qb_initial(d, sizeof(d), QUIC_VERSION_1, true, dcid, sizeof(dcid), dcid, sizeof(dcid),
                   scid_c, sizeof(scid_c), 0, f, 1, 1200);
    feed(true, d, n);
    CU_ASSERT(detached);
    conn_end();

    for (size_t cut = 1; cut < 60; cut += 3) {
        conn_start();
        n = qb_initial(d, sizeof(d), QUIC_VERSION_1, true, dcid, sizeof(dcid), dcid, sizeof(dcid),
                       scid_c, sizeof(scid_c), 0, f, 1, 0);
        feed(true, d, cut);
        CU_ASSERT(detached);
        conn_end();
    }
}

/* Short headers before any long one: Zeek's spurious weird, no record. */
static void test_short_only(void)
{
    conn_start();
    short_packet(true);
    CU_ASSERT(!detached);
    conn_end();
    CU_ASSERT(fakehost_count("quic") == 0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "QUIC_spurious_short_packet_threshold_crossed");
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("quic", suite_init, suite_clean);
    CU_add_test(s, "Initial keys", test_keys);
    CU_add_test(s, "exchange", test_exchange);
    CU_add_test(s, "CRYPTO out of order, v2", test_out_of_order);
    CU_add_test(s, "Retry, unknown version", test_retry_unknown);
    CU_add_test(s, "CONNECTION_CLOSE", test_close);
    CU_add_test(s, "bad tag", test_bad_tag);
    CU_add_test(s, "bad input", test_bad_input);
    CU_add_test(s, "short headers only", test_short_only);
    return shoal_cunit_run("test_quic");
}
