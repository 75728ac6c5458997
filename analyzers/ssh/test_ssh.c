/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the ssh analyzer through the fake host table, on
 * hand-built messages: a whole SSH-2 session (in one piece and byte by
 * byte) with Zeek's authentication inference, failed attempts,
 * compression, group exchange, SSH-1, a server heard alone, a version
 * line split and too long, garbage, an oversized packet, a gap.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "ssh_build.h"
#include "ssh_parse.h"

extern const struct shoal_plugin ssh_LTX_shoal_plugin;

static void *ps;
static const struct shoal_analyzer_ops *ops;
static struct shoal_conn *conn;
static void *cs;
static bool detached;

static int suite_init(void)
{
    static const struct {
        int64_t max_packet;
    } cfg = {4096};
    ops = ssh_LTX_shoal_plugin.ops;
    return fakehost_init(&ssh_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    ssh_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void conn_start(void)
{
    fakehost_reset();
    fakehost_set_time(1000.0);
    conn = fakehost_conn("10.0.0.1", 40000, "192.0.2.2", 22, SHOAL_PROTO_TCP);
    cs = calloc(1, ops->conn_size);
    CU_ASSERT_FATAL(cs != NULL);
    detached = false;
}

/* One call per `step` bytes (a segment each), nothing after a detach. */
static void feed(bool is_orig, const void *p, size_t n, size_t step)
{
    const uint8_t *b = p;
    for (size_t off = 0; off < n && !detached; off += step) {
        size_t k = n - off < step ? n - off : step;
        uint8_t *tmp = malloc(k);
        memcpy(tmp, b + off, k);
        detached = ops->data(ps, conn, cs, is_orig, tmp, k) == SHOAL_AN_DETACH;
        free(tmp);
    }
}

static void feeds(bool is_orig, const char *s)
{
    feed(is_orig, s, strlen(s), 4096);
}

/* An encrypted server segment of n bytes. */
static void enc(bool is_orig, size_t n)
{
    static const uint8_t junk[512];
    feed(is_orig, junk, n, n);
}

static void conn_end(void)
{
    ops->conn_done(ps, conn, cs);
    free(cs);
    cs = NULL;
}

static const char *F(const char *field)
{
    const char *v = fakehost_field("ssh", 0, field);
    return v != NULL ? v : "<none>";
}

/* Versions, KEXINITs, ECDH reply and NEWKEYS of both sides. */
static void handshake(size_t step, const char *kex, const char *comp)
{
    static struct ssh_mb c, s;
    bool gex = strncmp(kex, "diffie-hellman-group-exchange", 29) == 0;

    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    memcpy(c.b, "SSH-2.0-OpenSSH_9.6\r\n", 21);
    c.n = 21;
    smb_kexinit(&c, "sntrup761x25519-sha512,curve25519-sha256,diffie-hellman-group-exchange-sha256",
                "ssh-ed25519,rsa-sha2-512", "chacha20-poly1305@openssh.com,aes128-ctr",
                "umac-64-etm@openssh.com,hmac-sha2-256", comp);
    memcpy(s.b, "SSH-2.0-OpenSSH_8.4p1 Debian\r\n", 30);
    s.n = 30;
    smb_kexinit(&s, kex, "rsa-sha2-512,ssh-ed25519", "aes128-ctr", "hmac-sha2-256",
                "none,zlib@openssh.com");
    if (gex) {
        smb_kex_reply(&s, 31, "p-and-g"); /* GEX_GROUP: no host key */
    }
    smb_kex_reply(&s, gex ? 33 : 31, "host-key-blob");
    smb_newkeys(&s);
    feed(true, c.b, c.n, step);
    feed(false, s.b, s.n, step);
    c.n = 0;
    smb_newkeys(&c);
    feed(true, c.b, c.n, step);
}

static void test_session_success(void)
{
    conn_start();
    handshake(4096, "curve25519-sha256", "none");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "ssh,ssh");
    enc(true, 48);
    enc(false, 64); /* SERVICE_ACCEPT */
    enc(true, 80);
    enc(false, 96); /* USERAUTH_FAILURE */
    enc(true, 300);
    enc(false, 96); /* another failure */
    enc(true, 300);
    CU_ASSERT_FALSE(detached);
    enc(false, 48); /* USERAUTH_SUCCESS: 16 below SERVICE_ACCEPT */
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_EQUAL(fakehost_count("ssh"), 1);
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssh"), 1);
    CU_ASSERT_STRING_EQUAL(F("version"), "2");
    CU_ASSERT_STRING_EQUAL(F("auth_success"), "T");
    CU_ASSERT_STRING_EQUAL(F("auth_attempts"), "2");
    CU_ASSERT_STRING_EQUAL(F("client"), "SSH-2.0-OpenSSH_9.6");
    CU_ASSERT_STRING_EQUAL(F("server"), "SSH-2.0-OpenSSH_8.4p1 Debian");
    CU_ASSERT_STRING_EQUAL(F("cipher_alg"), "aes128-ctr");
    CU_ASSERT_STRING_EQUAL(F("mac_alg"), "hmac-sha2-256");
    CU_ASSERT_STRING_EQUAL(F("compression_alg"), "none");
    CU_ASSERT_STRING_EQUAL(F("kex_alg"), "curve25519-sha256");
    CU_ASSERT_STRING_EQUAL(F("host_key_alg"), "ssh-ed25519");
    CU_ASSERT_EQUAL(strncmp(F("host_key_fingerprint"), "SHA256:", 7), 0);
    CU_ASSERT_EQUAL(strlen(F("host_key_fingerprint")), 7 + 32);
    CU_ASSERT_STRING_EQUAL(F("direction"), "OUTBOUND"); /* 10/8 is local, 192.0.2/24 not */
}

static void test_bytewise_and_none_auth(void)
{
    conn_start();
    handshake(1, "curve25519-sha256", "none");
    enc(false, 64);
    enc(false, 48); /* success at once ("none" method) */
    CU_ASSERT_TRUE(detached);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("auth_success"), "T");
    CU_ASSERT_STRING_EQUAL(F("auth_attempts"), "1");
    CU_ASSERT_STRING_EQUAL(F("kex_alg"), "curve25519-sha256");
}

static void test_failures_only(void)
{
    conn_start();
    handshake(7, "diffie-hellman-group-exchange-sha256", "none");
    enc(false, 64);
    enc(false, 96);
    enc(false, 96);
    enc(false, 96);
    enc(false, 200); /* neither: says nothing */
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("auth_success"), "F");
    CU_ASSERT_STRING_EQUAL(F("auth_attempts"), "2");
    CU_ASSERT_STRING_EQUAL(F("kex_alg"), "diffie-hellman-group-exchange-sha256");
    CU_ASSERT_NOT_EQUAL(strcmp(F("host_key_fingerprint"), "-"), 0);
}

static void test_compressed(void)
{
    conn_start();
    handshake(4096, "curve25519-sha256", "zlib@openssh.com,none");
    enc(false, 64);
    enc(false, 96);
    enc(false, 96);
    enc(false, 48);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("compression_alg"), "zlib@openssh.com");
    CU_ASSERT_STRING_EQUAL(F("auth_success"), "-");
    CU_ASSERT_STRING_EQUAL(F("auth_attempts"), "0");
}

static void test_negotiation_failed(void)
{
    static struct ssh_mb c, s;

    conn_start();
    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    smb_kexinit(&c, "curve25519-sha256", "ssh-ed25519", "aes128-ctr", "hmac-sha1", "none");
    smb_kexinit(&s, "ecdh-sha2-nistp256", "ssh-ed25519", "aes256-ctr", "hmac-sha1", "none");
    feeds(true, "SSH-2.0-a\n");
    feeds(false, "SSH-2.0-b\n");
    feed(true, c.b, c.n, 4096);
    feed(false, s.b, s.n, 4096);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("kex_alg"), "Algorithm negotiation failed");
    CU_ASSERT_STRING_EQUAL(F("cipher_alg"), "Algorithm negotiation failed");
    CU_ASSERT_STRING_EQUAL(F("mac_alg"), "hmac-sha1");
}

static void test_ssh1(void)
{
    /* SSH-1: version 1, no algorithms; the client's session key confirms. */
    static const uint8_t session_key[] = {0, 0, 0, 5, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8};
    conn_start();
    feeds(false, "SSH-1.99-OpenSSH_6.6\n");
    feeds(true, "SSH-1.5-OpenSSH_6.2\n");
    feed(true, session_key, sizeof(session_key), 4096);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "ssh");
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("version"), "1");
    CU_ASSERT_STRING_EQUAL(F("cipher_alg"), "-");
    CU_ASSERT_STRING_EQUAL(F("auth_attempts"), "0");
}

static void test_server_alone(void)
{
    static struct ssh_mb s;

    conn_start();
    memset(&s, 0, sizeof(s));
    smb_kexinit(&s, "curve25519-sha256", "ssh-ed25519", "aes128-ctr", "hmac-sha1", "none");
    smb_kex_reply(&s, 31, "host-key");
    smb_newkeys(&s);
    feeds(false, "SSH-2.0-OpenSSH_5.8\r\n");
    feed(false, s.b, s.n, 100);
    CU_ASSERT_TRUE(detached); /* a key exchange reply without a negotiated method */
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("version"), "-");
    CU_ASSERT_STRING_EQUAL(F("server"), "SSH-2.0-OpenSSH_5.8");
    CU_ASSERT_STRING_EQUAL(F("client"), "-");
    CU_ASSERT_STRING_EQUAL(F("host_key_fingerprint"), "-");
}

static void test_bad_input(void)
{
    char line[400];

    /* not SSH on port 22 */
    conn_start();
    feeds(true, "GET / HTTP/1.0\r\n\r\n");
    CU_ASSERT_TRUE(detached);
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "ssh");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssh"), 0);

    /* a version line longer than 255 bytes, in pieces */
    conn_start();
    memset(line, 'x', sizeof(line));
    memcpy(line, "SSH-2.0-", 8);
    feed(true, line, sizeof(line), 50);
    CU_ASSERT_TRUE(detached);
    conn_end();

    /* a truncated version line: nothing logged */
    conn_start();
    feeds(true, "SSH-2.0-trunc");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssh"), 0);

    /* a packet over max_packet (4096) */
    conn_start();
    feeds(true, "SSH-2.0-a\n");
    feed(true, "\x00\x10\x00\x00\x04\x14", 6, 6);
    CU_ASSERT_TRUE(detached);
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("client"), "SSH-2.0-a");

    /* a gap in the clear part: the rest of that side is not read */
    conn_start();
    feeds(true, "SSH-2.0-a\n");
    ops->gap(ps, conn, cs, true, 100);
    feeds(true, "\x00\x00\x00\x0c\x0a\x15");
    feeds(false, "SSH-2.0-b\n");
    conn_end();
    CU_ASSERT_STRING_EQUAL(F("version"), "2");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
}

/* A connection seen without its SYN is skipped, as Zeek's IsPartial. */
static void test_partial(void)
{
    conn_start();
    fakehost_conn_set_state(conn, "OTH", "Dd");
    feeds(true, "SSH-2.0-a\n");
    feeds(false, "SSH-2.0-b\n");
    conn_end();
    CU_ASSERT_EQUAL(fakehost_count("ssh"), 0);
}

static void test_probe(void)
{
    CU_ASSERT_TRUE(ssh_parse_probe((const uint8_t *)"SSH-2.0-x", 9));
    CU_ASSERT_TRUE(ssh_parse_probe((const uint8_t *)"ssh-1.99-x", 10));
    CU_ASSERT_FALSE(ssh_parse_probe((const uint8_t *)"SSH-3.0", 7));
    CU_ASSERT_FALSE(ssh_parse_probe((const uint8_t *)"SSH-", 4));
    CU_ASSERT_TRUE(ops->probe((const uint8_t *)"SSH-2.0-x", 9, true, SHOAL_PROTO_TCP));
    CU_ASSERT_FALSE(ops->probe((const uint8_t *)"SSH-2.0-x", 9, true, SHOAL_PROTO_UDP));
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("ssh", suite_init, suite_clean);
    CU_add_test(s, "session, auth success", test_session_success);
    CU_add_test(s, "byte by byte, none auth", test_bytewise_and_none_auth);
    CU_add_test(s, "group exchange, failures", test_failures_only);
    CU_add_test(s, "compression", test_compressed);
    CU_add_test(s, "negotiation failed", test_negotiation_failed);
    CU_add_test(s, "SSH-1", test_ssh1);
    CU_add_test(s, "server alone", test_server_alone);
    CU_add_test(s, "bad input", test_bad_input);
    CU_add_test(s, "partial connection", test_partial);
    CU_add_test(s, "probe", test_probe);
    return shoal_cunit_run("test_ssh");
}
