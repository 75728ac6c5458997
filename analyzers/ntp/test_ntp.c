/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the ntp analyzer driven through the fake host: hand-built
 * client and server messages, each reference id form, extension fields and
 * MACs, control and private modes (parsed, not logged), mode 0, and
 * truncated, oversized and malformed messages (rejected, nothing logged).
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "ntp_parse.h"

extern const struct shoal_plugin ntp_LTX_shoal_plugin;

static const struct shoal_analyzer_ops *ops;
static void *ps;

/* ---- a tiny message builder -------------------------------------------- */

struct msg {
    uint8_t b[2048];
    size_t n;
};

static void m_u8(struct msg *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}

static void m_u16(struct msg *m, unsigned v)
{
    m_u8(m, v >> 8);
    m_u8(m, v & 0xff);
}

static void m_u32(struct msg *m, uint32_t v)
{
    m_u16(m, v >> 16);
    m_u16(m, v & 0xffff);
}

static void m_zero(struct msg *m, size_t n)
{
    memset(m->b + m->n, 0, n);
    m->n += n;
}

/* A mode 1-5 header: ref_id given as 4 bytes, times as NTP seconds with
 * half a second of fraction (0 gives a zero timestamp). */
static void m_std(struct msg *m, unsigned vers, unsigned mode, unsigned stratum, int poll, int prec,
                  const char *ref, uint32_t t)
{
    m->n = 0;
    m_u8(m, (vers << 3) | mode);
    m_u8(m, stratum);
    m_u8(m, (uint8_t)(int8_t)poll);
    m_u8(m, (uint8_t)(int8_t)prec);
    m_u32(m, 0x00000c00); /* root delay 0.046875 */
    m_u32(m, 0x00018000); /* root dispersion 1 - 0.5 (fractions are signed, as Zeek reads) */
    for (int i = 0; i < 4; i++) {
        m_u8(m, (uint8_t)ref[i]);
    }
    for (int i = 0; i < 4; i++) {
        m_u32(m, t ? t + (uint32_t)i : 0);
        m_u32(m, t ? 0x80000000u : 0);
    }
}

/* An RFC 5906 extension field with a value of vlen bytes, padded to 4. */
static void m_ext(struct msg *m, unsigned vlen)
{
    size_t len = 22 + vlen;
    len = (len + 3) & ~(size_t)3;
    size_t start = m->n;
    m_u8(m, 0x02);
    m_u8(m, 0x01);
    m_u16(m, (unsigned)len);
    m_u16(m, 7);
    m_u32(m, 0);
    m_u32(m, 0);
    m_u32(m, vlen);
    m_zero(m, vlen);
    m_u32(m, 0); /* no signature */
    m_zero(m, len - (m->n - start));
}

static struct shoal_conn *t_conn(void)
{
    return fakehost_conn("192.0.2.10", 123, "198.51.100.1", 123, SHOAL_PROTO_UDP);
}

static void t_send(struct shoal_conn *c, bool orig, const struct msg *m, double ts)
{
    uint8_t cs[64] = {0};
    uint8_t *copy = malloc(m->n ? m->n : 1);

    CU_ASSERT_FATAL(ops->conn_size <= sizeof(cs));
    memcpy(copy, m->b, m->n);
    fakehost_set_time(ts);
    ops->data(ps, c, cs, orig, copy, m->n);
    free(copy);
}

static const char *f(size_t n, const char *field)
{
    const char *v = fakehost_field("ntp", n, field);
    return v != NULL ? v : "(null)";
}

/* ---- tests -------------------------------------------------------------- */

static int suite_init(void)
{
    ops = ntp_LTX_shoal_plugin.ops;
    return fakehost_init(&ntp_LTX_shoal_plugin, NULL, &ps);
}

static int suite_clean(void)
{
    ntp_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void test_setup(void)
{
    fakehost_reset();
}

static void test_descriptor(void)
{
    CU_ASSERT_STRING_EQUAL(ntp_LTX_shoal_plugin.name, "ntp");
    CU_ASSERT_STRING_EQUAL(ops->service, "ntp");
    CU_ASSERT_EQUAL(ops->ports[0].port, 123);
    CU_ASSERT_EQUAL(ops->ports[0].proto, SHOAL_PROTO_UDP);
    CU_ASSERT_EQUAL(ops->ports[1].proto, 0);
}

static void test_client_server(void)
{
    struct msg m;
    struct shoal_conn *c = t_conn();

    m_std(&m, 4, 3, 2, 6, -24, "\x55\xc7\xd6\x63", 3768235348u);
    t_send(c, true, &m, 1559246614.027421);
    m_std(&m, 4, 4, 1, 6, -20, "GPS\0", 0);
    t_send(c, false, &m, 1559246614.05);
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 2);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "ntp,ntp");
    CU_ASSERT_STRING_EQUAL(f(0, "id.orig_p"), "123");
    CU_ASSERT_STRING_EQUAL(f(0, "version"), "4");
    CU_ASSERT_STRING_EQUAL(f(0, "mode"), "3");
    CU_ASSERT_STRING_EQUAL(f(0, "stratum"), "2");
    CU_ASSERT_STRING_EQUAL(f(0, "poll"), "64.000000");
    CU_ASSERT_STRING_EQUAL(f(0, "precision"), "0.000000");
    CU_ASSERT_STRING_EQUAL(f(0, "root_delay"), "0.046875");
    CU_ASSERT_STRING_EQUAL(f(0, "root_disp"), "0.500000");
    CU_ASSERT_STRING_EQUAL(f(0, "ref_id"), "85.199.214.99");
    /* 3768235348 - 2208988800 = 1559246548, plus half a second */
    CU_ASSERT_STRING_EQUAL(f(0, "ref_time"), "1559246548.500000");
    CU_ASSERT_STRING_EQUAL(f(0, "xmt_time"), "1559246551.500000");
    CU_ASSERT_STRING_EQUAL(f(0, "num_exts"), "0");
    /* stratum 1: the clock's name as it is (the fake host shows it up to
     * its NUL); zero times stay 0 */
    CU_ASSERT_STRING_EQUAL(f(1, "ref_id"), "GPS");
    CU_ASSERT_STRING_EQUAL(f(1, "ref_time"), "0.000000");
    CU_ASSERT_STRING_EQUAL(f(1, "precision"), "0.000001");
    CU_ASSERT_EQUAL(fakehost_counter(&ntp_LTX_shoal_plugin, "records"), 2);
}

static void test_kiss_and_mode0(void)
{
    struct msg m;
    struct shoal_conn *c = t_conn();

    m_std(&m, 4, 4, 0, 4, -6, "RATE", 3768235348u);
    t_send(c, false, &m, 10.0);
    CU_ASSERT_STRING_EQUAL(f(0, "ref_id"), "RATE");
    CU_ASSERT_STRING_EQUAL(f(0, "poll"), "16.000000");
    CU_ASSERT_STRING_EQUAL(f(0, "precision"), "0.015625");
    /* mode 0: only version, mode and num_exts */
    m.n = 0;
    m_u8(&m, (3 << 3) | 0);
    m_zero(&m, 3);
    t_send(c, true, &m, 11.0);
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 2);
    CU_ASSERT_STRING_EQUAL(f(1, "mode"), "0");
    CU_ASSERT_STRING_EQUAL(f(1, "version"), "3");
    CU_ASSERT_STRING_EQUAL(f(1, "stratum"), "-");
    CU_ASSERT_STRING_EQUAL(f(1, "ref_id"), "-");
    CU_ASSERT_STRING_EQUAL(f(1, "num_exts"), "0");
}

static void test_extensions_and_mac(void)
{
    struct msg m;
    struct shoal_conn *c = t_conn();

    uint64_t bad = fakehost_counter(&ntp_LTX_shoal_plugin, "unparsed");

    /* two extension fields, then one with a short trailer (a MAC) */
    m_std(&m, 4, 3, 2, 6, -20, "\x0a\0\0\x01", 3768235348u);
    m_ext(&m, 8);
    m_ext(&m, 0);
    t_send(c, true, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(f(0, "num_exts"), "2");
    m_std(&m, 4, 3, 2, 6, -20, "\x0a\0\0\x01", 3768235348u);
    m_ext(&m, 8);
    m_u32(&m, 1);
    m_zero(&m, 4);
    t_send(c, true, &m, 1.5);
    CU_ASSERT_STRING_EQUAL(f(1, "num_exts"), "1");
    /* As Zeek: 16 bytes or more after an extension field are read as
     * another one, so a 20-byte MAC after extensions rejects the message. */
    m_std(&m, 4, 3, 2, 6, -20, "\x0a\0\0\x01", 3768235348u);
    m_ext(&m, 0);
    m_u32(&m, 1);
    m_zero(&m, 16);
    t_send(c, true, &m, 1.7);
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 2);
    /* a MAC alone (its key id does not read as an extension length) */
    m_std(&m, 4, 3, 2, 6, -20, "\x0a\0\0\x01", 3768235348u);
    m_u32(&m, 1);
    m_zero(&m, 16);
    t_send(c, true, &m, 2.0);
    CU_ASSERT_STRING_EQUAL(f(2, "num_exts"), "0");
    /* an extension whose value runs past the message: rejected */
    m_std(&m, 4, 3, 2, 6, -20, "\x0a\0\0\x01", 3768235348u);
    m_u8(&m, 2);
    m_u8(&m, 1);
    m_u16(&m, 16);
    m_u16(&m, 0);
    m_u32(&m, 0);
    m_u32(&m, 0);
    m_u32(&m, 1000);
    m_zero(&m, 8);
    t_send(c, true, &m, 3.0);
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 3);
    CU_ASSERT_EQUAL(fakehost_counter(&ntp_LTX_shoal_plugin, "unparsed"), bad + 2);
}

static void test_control_private(void)
{
    struct msg m;
    struct shoal_conn *c = t_conn();

    /* mode 6 read-variables request with 4 data bytes: parsed, not logged */
    m.n = 0;
    m_u8(&m, (2 << 3) | 6);
    m_u8(&m, 2);
    m_u16(&m, 1);
    m_u16(&m, 0);
    m_u16(&m, 0);
    m_u16(&m, 0);
    m_u16(&m, 4);
    m_zero(&m, 4);
    t_send(c, true, &m, 1.0);
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "ntp");
    uint64_t bad = fakehost_counter(&ntp_LTX_shoal_plugin, "unparsed");
    /* mode 7 monlist request, then one announcing more data than it has */
    m.n = 0;
    m_u8(&m, (2 << 3) | 7);
    m_u8(&m, 0);
    m_u8(&m, 3);
    m_u8(&m, 42);
    m_u16(&m, 0);
    m_u16(&m, 0);
    t_send(c, true, &m, 2.0);
    m.b[4] = 0x00;
    m.b[5] = 0x40;
    t_send(c, true, &m, 3.0);
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 0);
    CU_ASSERT_EQUAL(fakehost_counter(&ntp_LTX_shoal_plugin, "unparsed"), bad + 1);
}

static void test_truncated_oversized(void)
{
    struct msg m;
    struct shoal_conn *c = t_conn();
    uint8_t cs[64] = {0};

    /* every prefix of a client message shorter than 48 bytes is rejected */
    m_std(&m, 4, 3, 2, 6, -20, "\x0a\0\0\x01", 3768235348u);
    for (size_t n = 0; n < NTP_STD_LEN; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, m.b, n);
        ops->data(ps, c, cs, true, copy, n);
        free(copy);
    }
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    /* a message with 1900 trailing bytes of garbage: header logged, the
     * trailer is a MAC as far as Zeek is concerned */
    m_std(&m, 4, 3, 2, 6, -20, "\x0a\0\0\x01", 3768235348u);
    memset(m.b + m.n, 0xff, 1900);
    m.n += 1900;
    t_send(c, true, &m, 5.0);
    CU_ASSERT_EQUAL(fakehost_count("ntp"), 1);
    CU_ASSERT_STRING_EQUAL(f(0, "num_exts"), "0");
}

static void test_parse_table(void)
{
    static const struct {
        const char *what;
        uint8_t first;
        size_t len;
        bool ok;
    } cases[] = {
        {"empty", 0x23, 0, false},
        {"mode 0 short", 0x18, 1, true},
        {"mode 3 47 bytes", 0x23, 47, false},
        {"mode 3 48 bytes", 0x23, 48, true},
        {"mode 6 11 bytes", 0x16, 11, false},
        {"mode 6 12 bytes", 0x16, 12, true},
        {"mode 7 5 bytes", 0x17, 5, false},
        {"mode 7 6 bytes", 0x17, 6, true},
    };
    uint8_t buf[64];
    struct ntp_msg m;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(buf, 0, sizeof(buf));
        buf[0] = cases[i].first;
        bool ok = ntp_parse(buf, cases[i].len, &m);
        if (ok != cases[i].ok) {
            fprintf(stderr, "case %s: parse %d\n", cases[i].what, ok);
        }
        CU_ASSERT_EQUAL(ok, cases[i].ok);
    }
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite_with_setup_and_teardown("ntp", suite_init, suite_clean, test_setup, NULL);
    CU_add_test(s, "descriptor", test_descriptor);
    CU_add_test(s, "client and server", test_client_server);
    CU_add_test(s, "kiss code and mode 0", test_kiss_and_mode0);
    CU_add_test(s, "extension fields and MAC", test_extensions_and_mac);
    CU_add_test(s, "control and private modes", test_control_private);
    CU_add_test(s, "truncated and oversized", test_truncated_oversized);
    CU_add_test(s, "parse table", test_parse_table);
    return shoal_cunit_run("test_ntp");
}
