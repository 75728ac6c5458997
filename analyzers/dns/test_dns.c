/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the dns analyzer driven through the fake host: hand-built
 * messages for every RR type dns.log renders, pairing of queries and
 * replies, flushing at connection end, multicast, NetBIOS, rejected
 * queries, malformed input (truncation, compression loops) and DNS over TCP
 * framing split across and packed into data calls.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_parse.h"
#include "fakehost.h"

extern const struct shoal_plugin dns_LTX_shoal_plugin;

static const struct shoal_analyzer_ops *ops;
static void *ps;

/* ---- a tiny message builder -------------------------------------------- */

struct msg {
    uint8_t b[70000];
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

static void m_raw(struct msg *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

/* Write a dotted name, uncompressed. */
static void m_name(struct msg *m, const char *name)
{
    while (*name != '\0') {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        m_u8(m, (unsigned)l);
        m_raw(m, name, l);
        name += l + (dot ? 1 : 0);
    }
    m_u8(m, 0);
}

static void m_hdr(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns,
                  unsigned ar)
{
    m->n = 0;
    m_u16(m, id);
    m_u16(m, flags);
    m_u16(m, qd);
    m_u16(m, an);
    m_u16(m, ns);
    m_u16(m, ar);
}

static void m_q(struct msg *m, const char *name, unsigned type, unsigned cls)
{
    m_name(m, name);
    m_u16(m, type);
    m_u16(m, cls);
}

/* RR header; returns the offset of rdlength, to patch with m_rdend. */
static size_t m_rr(struct msg *m, const char *name, unsigned type, uint32_t ttl)
{
    m_name(m, name);
    m_u16(m, type);
    m_u16(m, 1);
    m_u32(m, ttl);
    size_t at = m->n;
    m_u16(m, 0);
    return at;
}

static void m_rdend(struct msg *m, size_t at)
{
    size_t l = m->n - at - 2;
    m->b[at] = (uint8_t)(l >> 8);
    m->b[at + 1] = (uint8_t)l;
}

/* ---- fixtures ------------------------------------------------------------ */

struct tconn {
    struct shoal_conn *c;
    void *cs;
};

static struct tconn t_conn(const char *o, uint16_t op, const char *r, uint16_t rp, uint8_t proto)
{
    struct tconn t;
    t.c = fakehost_conn(o, op, r, rp, proto);
    t.cs = calloc(1, ops->conn_size);
    ops->conn_new(ps, t.c, t.cs);
    return t;
}

static void t_send(struct tconn *t, bool orig, const struct msg *m, double ts)
{
    fakehost_set_time(ts);
    ops->data(ps, t->c, t->cs, orig, m->b, m->n);
}

static void t_done(struct tconn *t)
{
    ops->conn_done(ps, t->c, t->cs);
    free(t->cs);
}

static const char *F(size_t n, const char *field)
{
    const char *v = fakehost_field("dns", n, field);
    return v ? v : "<none>";
}

static int suite_init(void)
{
    /* plugins.dns as the core fills it from the defaults */
    static const struct {
        double session_timeout;
        int64_t max_answer_bytes;
    } cfg = {10.0, 262144};
    ops = dns_LTX_shoal_plugin.ops;
    return fakehost_init(&dns_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    dns_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void test_setup(void)
{
    fakehost_reset();
}

/* ---- tests --------------------------------------------------------------- */

static void test_descriptor(void)
{
    CU_ASSERT_EQUAL(dns_LTX_shoal_plugin.abi_major, SHOAL_ABI_MAJOR);
    CU_ASSERT_STRING_EQUAL(dns_LTX_shoal_plugin.name, "dns");
    CU_ASSERT_EQUAL(dns_LTX_shoal_plugin.kind, SHOAL_PLUGIN_ANALYZER);
    CU_ASSERT_STRING_EQUAL(ops->service, "dns");
    CU_ASSERT_EQUAL(ops->ports[0].port, 53);
}

static void test_pair_a(void)
{
    struct msg m;
    struct tconn t = t_conn("10.0.0.1", 40000, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    m_hdr(&m, 0x1234, 0x0100, 1, 0, 0, 0);
    m_q(&m, "WWW.Example.com", 1, 1);
    t_send(&t, true, &m, 100.0);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 0);

    m_hdr(&m, 0x1234, 0x8180, 1, 2, 0, 0);
    m_q(&m, "www.example.com", 1, 1);
    size_t at = m_rr(&m, "www.example.com", 5, 300);
    /* "web" then a pointer to "example.com" in the question (offset 16) */
    m_u8(&m, 3);
    m_raw(&m, "web", 3);
    m_u8(&m, 0xc0);
    m_u8(&m, 16);
    m_rdend(&m, at);
    at = m_rr(&m, "web.example.com", 1, 60);
    m_u32(&m, 0x0a000005);
    m_rdend(&m, at);
    t_send(&t, false, &m, 100.25);

    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "ts"), "100.000000");
    CU_ASSERT_STRING_EQUAL(F(0, "uid"), "CFake0");
    CU_ASSERT_STRING_EQUAL(F(0, "id.orig_h"), "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(F(0, "id.resp_p"), "53");
    CU_ASSERT_STRING_EQUAL(F(0, "proto"), "udp");
    CU_ASSERT_STRING_EQUAL(F(0, "trans_id"), "4660");
    CU_ASSERT_STRING_EQUAL(F(0, "rtt"), "0.250000");
    CU_ASSERT_STRING_EQUAL(F(0, "query"), "www.example.com");
    CU_ASSERT_STRING_EQUAL(F(0, "qclass_name"), "C_INTERNET");
    CU_ASSERT_STRING_EQUAL(F(0, "qtype_name"), "A");
    CU_ASSERT_STRING_EQUAL(F(0, "rcode"), "0");
    CU_ASSERT_STRING_EQUAL(F(0, "rcode_name"), "NOERROR");
    CU_ASSERT_STRING_EQUAL(F(0, "RD"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "RA"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "AA"), "F");
    CU_ASSERT_STRING_EQUAL(F(0, "answers"), "web.example.com,10.0.0.5");
    CU_ASSERT_STRING_EQUAL(F(0, "TTLs"), "300.000000,60.000000");
    CU_ASSERT_STRING_EQUAL(F(0, "rejected"), "F");
    CU_ASSERT_STRING_EQUAL(F(0, "opcode_name"), "query");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "dns,dns");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    t_done(&t);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 1);
}

static void test_unanswered_flush(void)
{
    struct msg m;
    struct tconn t = t_conn("10.0.0.1", 40001, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    for (unsigned i = 0; i < 3; i++) {
        m_hdr(&m, 7 + i, 0x0100, 1, 0, 0, 0);
        m_q(&m, "a.example", 28, 1);
        t_send(&t, true, &m, 5.0 + i);
    }
    /* A reply with no answers still ends the transaction (rtt unset). */
    m_hdr(&m, 8, 0x8183, 1, 0, 1, 0);
    m_q(&m, "a.example", 28, 1);
    size_t at = m_rr(&m, "example", 6, 10);
    m_name(&m, "ns.example");
    m_name(&m, "host.example");
    for (int i = 0; i < 5; i++) {
        m_u32(&m, 1);
    }
    m_rdend(&m, at);
    t_send(&t, false, &m, 9.0);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "trans_id"), "8");
    CU_ASSERT_STRING_EQUAL(F(0, "rtt"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "rcode_name"), "NXDOMAIN");
    CU_ASSERT_STRING_EQUAL(F(0, "answers"), "-");
    t_done(&t);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 3);
    CU_ASSERT_STRING_EQUAL(F(1, "trans_id"), "7");
    CU_ASSERT_STRING_EQUAL(F(1, "rcode"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "rtt"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "qtype_name"), "AAAA");
    CU_ASSERT_STRING_EQUAL(F(2, "trans_id"), "9");
}

static void test_two_responses(void)
{
    struct msg q, r;
    struct tconn t = t_conn("10.0.0.1", 27285, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    m_hdr(&q, 21140, 0x0010, 1, 0, 0, 0);
    m_q(&q, "www.cmu.edu", 1, 1);
    t_send(&t, true, &q, 1.0);
    m_hdr(&r, 21140, 0x8400, 1, 1, 0, 0);
    m_q(&r, "www.cmu.edu", 1, 1);
    size_t at = m_rr(&r, "www.cmu.edu", 1, 5);
    m_u32(&r, 0x80020aa3);
    m_rdend(&r, at);
    t_send(&t, false, &r, 1.5);
    t_send(&t, false, &r, 1.6);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 1);
    t_done(&t);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "Z"), "1");
    CU_ASSERT_STRING_EQUAL(F(0, "rtt"), "0.500000");
    CU_ASSERT_STRING_EQUAL(F(1, "rtt"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "qtype"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "query"), "www.cmu.edu");
    CU_ASSERT_STRING_EQUAL(F(1, "AA"), "T");
    CU_ASSERT_STRING_EQUAL(F(1, "Z"), "0");
    CU_ASSERT_STRING_EQUAL(F(1, "answers"), "128.2.10.163");
    CU_ASSERT_STRING_EQUAL(F(1, "ts"), "1.600000");
}

static void test_reply_then_query(void)
{
    struct msg q, r;
    struct tconn t = t_conn("10.0.0.1", 1000, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    m_hdr(&r, 5, 0x8180, 1, 1, 0, 0);
    m_q(&r, "x.org", 1, 1);
    size_t at = m_rr(&r, "x.org", 1, 5);
    m_u32(&r, 0x01020304);
    m_rdend(&r, at);
    t_send(&t, false, &r, 2.0);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 0);
    m_hdr(&q, 5, 0x0100, 1, 0, 0, 0);
    m_q(&q, "x.org", 1, 1);
    t_send(&t, true, &q, 2.1);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "ts"), "2.000000");
    CU_ASSERT_STRING_EQUAL(F(0, "qtype_name"), "A");
    CU_ASSERT_STRING_EQUAL(F(0, "answers"), "1.2.3.4");
    t_done(&t);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 1);
}

static void test_multicast(void)
{
    struct msg m;
    struct tconn t = t_conn("192.168.0.2", 5353, "224.0.0.251", 5353, SHOAL_PROTO_UDP);

    m_hdr(&m, 0, 0x0000, 1, 0, 0, 0);
    m_q(&m, "initial-query-a.local", 1, 1);
    t_send(&t, true, &m, 1.0);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "rcode"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "qtype_name"), "A");

    m_hdr(&m, 0, 0x8400, 0, 1, 0, 0);
    size_t at = m_rr(&m, "unrelated-reply-a.local", 1, 120);
    m_u32(&m, 0xc0a80002);
    m_rdend(&m, at);
    t_send(&t, true, &m, 2.0);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 2);
    CU_ASSERT_STRING_EQUAL(F(1, "query"), "unrelated-reply-a.local");
    CU_ASSERT_STRING_EQUAL(F(1, "qclass"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "rcode_name"), "NOERROR");
    CU_ASSERT_STRING_EQUAL(F(1, "AA"), "T");
    CU_ASSERT_STRING_EQUAL(F(1, "rtt"), "-");
    CU_ASSERT_STRING_EQUAL(F(1, "answers"), "192.168.0.2");
    CU_ASSERT_STRING_EQUAL(F(1, "id.orig_h"), "192.168.0.2");
    t_done(&t);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 2);

    struct tconn t6 = t_conn("fe80::1", 5353, "ff02::fb", 5353, SHOAL_PROTO_UDP);
    m_hdr(&m, 0, 0x8400, 0, 1, 0, 0);
    at = m_rr(&m, "v6.local", 28, 120);
    m_raw(&m, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    m_rdend(&m, at);
    t_send(&t6, true, &m, 3.0);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 3);
    CU_ASSERT_STRING_EQUAL(F(2, "answers"), "fe80::1");
    CU_ASSERT_STRING_EQUAL(F(2, "id.resp_h"), "ff02::fb");
    t_done(&t6);
}

/* One reply carrying one RR of every rendered type. */
static void test_rr_types(void)
{
    struct msg q, m;
    size_t at;
    struct tconn t = t_conn("10.0.0.1", 2000, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    m_hdr(&q, 99, 0x0100, 1, 0, 0, 0);
    m_q(&q, "t.test", 255, 1);
    t_send(&t, true, &q, 10.0);

    m_hdr(&m, 99, 0x8580, 1, 22, 0, 0);
    m_q(&m, "t.test", 255, 1); /* name at offset 12 */
    at = m_rr(&m, "t.test", 28, 1);
    m_raw(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 2, 2);
    m_name(&m, "NS1.t.test");
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 12, 3);
    m_name(&m, "ptr.t.test");
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 15, 4);
    m_u16(&m, 10);
    m_name(&m, "mx.t.test");
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 6, 5);
    m_name(&m, "m.t.test");
    m_name(&m, "r.t.test");
    for (int i = 0; i < 5; i++) {
        m_u32(&m, 7);
    }
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 16, 6);
    m_u8(&m, 5);
    m_raw(&m, "hello", 5);
    m_u8(&m, 0);
    m_u8(&m, 3);
    m_raw(&m, "a\tb", 3);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 99, 7);
    m_u8(&m, 6);
    m_raw(&m, "v=spf1", 6);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 33, 8);
    m_u16(&m, 1);
    m_u16(&m, 2);
    m_u16(&m, 5060);
    m_name(&m, "sip.t.test");
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 44, 9);
    m_u8(&m, 1);
    m_u8(&m, 1);
    m_raw(&m, "\xa6\xb9\x5f\x00\xff", 5);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 48, 10);
    m_u16(&m, 257);
    m_u8(&m, 3);
    m_u8(&m, 8);
    m_raw(&m, "key", 3);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 43, 11);
    m_u16(&m, 1234);
    m_u8(&m, 8);
    m_u8(&m, 2);
    m_raw(&m, "digest", 6);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 46, 12);
    m_u16(&m, 1);
    m_u8(&m, 8);
    m_u8(&m, 2);
    m_u32(&m, 300);
    m_u32(&m, 1);
    m_u32(&m, 2);
    m_u16(&m, 4321);
    m_name(&m, "t.test");
    m_raw(&m, "sig", 3);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 46, 13); /* signed by the root */
    m_u16(&m, 6);
    m_u8(&m, 8);
    m_u8(&m, 0);
    m_u32(&m, 300);
    m_u32(&m, 1);
    m_u32(&m, 2);
    m_u16(&m, 4321);
    m_u8(&m, 0);
    m_raw(&m, "sig", 3);
    m_rdend(&m, at);
    at = m_rr(&m, "a.t.test", 47, 14);
    m_name(&m, "b.t.test");
    m_u8(&m, 0);
    m_u8(&m, 1);
    m_u8(&m, 0x40);
    m_rdend(&m, at);
    at = m_rr(&m, "h.t.test", 50, 15);
    m_u8(&m, 1);
    m_u8(&m, 0);
    m_u16(&m, 10);
    m_u8(&m, 0);
    m_u8(&m, 2);
    m_raw(&m, "hh", 2);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 51, 16);
    m_u8(&m, 1);
    m_u8(&m, 0);
    m_u16(&m, 10);
    m_u8(&m, 0);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 29, 17);
    m_raw(&m, "\x00\x12\x16\x13", 4);
    m_u32(&m, 1);
    m_u32(&m, 2);
    m_u32(&m, 3);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 35, 18);
    m_u16(&m, 100);
    m_u16(&m, 10);
    m_u8(&m, 1);
    m_raw(&m, "S", 1);
    m_u8(&m, 7);
    m_raw(&m, "SIP+D2U", 7);
    m_u8(&m, 0);
    m_name(&m, "_sip._udp.t.test");
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 65534, 19);
    m_raw(&m, "\x08\x12\x34\x00\x00", 5);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 99 + 1000, 20); /* unknown */
    m_raw(&m, "zz", 2);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 13, 21); /* HINFO: parsed, not shown */
    m_u8(&m, 1);
    m_raw(&m, "x", 1);
    m_u8(&m, 1);
    m_raw(&m, "y", 1);
    m_rdend(&m, at);
    at = m_rr(&m, "t.test", 11, 22); /* WKS: counted, no text */
    m_u32(&m, 0x01020304);
    m_u8(&m, 6);
    m_rdend(&m, at);
    t_send(&t, false, &m, 10.5);

    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "qtype_name"), "*");
    CU_ASSERT_STRING_EQUAL(F(0, "AA"), "T");
    CU_ASSERT_STRING_EQUAL(
        F(0, "answers"),
        "2001:db8::1,ns1.t.test,ptr.t.test,mx.t.test,m.t.test,TXT 5 hello TXT 0  TXT 3 a\tb,"
        "SPF 6 v=spf1,sip.t.test,SSHFP: a6b95f00ff,DNSKEY 8,DS 8 2,RRSIG 1 t.test,"
        "RRSIG 6 <Root>,NSEC a.t.test b.t.test,NSEC3,NSEC3PARAM,LOC:  18 22 19,"
        "NAPTR 100 10 S SIP+D2U _sip._udp.t.test,BIND9 signing signal,<unknown type=1099>");
    CU_ASSERT_STRING_EQUAL(F(0, "TTLs"),
                           "1.000000,2.000000,3.000000,4.000000,5.000000,6.000000,7.000000,"
                           "8.000000,9.000000,10.000000,11.000000,12.000000,13.000000,"
                           "14.000000,15.000000,16.000000,17.000000,18.000000,19.000000,"
                           "20.000000");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_RR_unknown_type");
    t_done(&t);
}

static void test_compression_loop(void)
{
    struct msg m;
    struct tconn t = t_conn("10.0.0.1", 3000, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    /* Question name is a pointer to itself. */
    m_hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    m_u8(&m, 0xc0);
    m_u8(&m, 12);
    m_u16(&m, 1);
    m_u16(&m, 1);
    t_send(&t, true, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_label_forward_compress_offset");
    t_done(&t);

    /* Two labels pointing at each other: each pointer must go backwards,
     * so the second one (forward) is refused. */
    fakehost_reset();
    t = t_conn("10.0.0.1", 3001, "10.0.0.2", 53, SHOAL_PROTO_UDP);
    m_hdr(&m, 2, 0x0100, 1, 0, 0, 0);
    m_u8(&m, 1);
    m_raw(&m, "a", 1);
    m_u8(&m, 0xc0);
    m_u8(&m, 16);
    m_u8(&m, 0xc0);
    m_u8(&m, 12);
    m_u16(&m, 1);
    m_u16(&m, 1);
    t_send(&t, true, &m, 1.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_weirds(), "DNS_label_forward_compress_offset"));
    t_done(&t);

    /* A long backwards chain of pointers stops at the jump cap. */
    fakehost_reset();
    t = t_conn("10.0.0.1", 3002, "10.0.0.2", 53, SHOAL_PROTO_UDP);
    m_hdr(&m, 3, 0x0100, 1, 0, 0, 0);
    m_u8(&m, 0);
    for (unsigned i = 0; i < 300; i++) {
        size_t here = m.n;
        m_u8(&m, 0xc0 | ((here - 2) >> 8));
        m_u8(&m, (here - 2) & 0xff);
    }
    m_u16(&m, 1);
    m_u16(&m, 1);
    t_send(&t, true, &m, 1.0);
    t_done(&t);
}

static void test_truncation(void)
{
    struct msg m;
    struct tconn t = t_conn("10.0.0.1", 4000, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    m_hdr(&m, 1, 0x0100, 1, 0, 0, 0);
    m.n = 5;
    t_send(&t, true, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_truncated_len_lt_hdr_len");
    CU_ASSERT_EQUAL(fakehost_count("dns"), 0);

    fakehost_reset();
    m_hdr(&m, 2, 0x0100, 1, 0, 0, 0);
    m_name(&m, "abc.de");
    m_u8(&m, 0);
    t_send(&t, true, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_truncated_quest_too_short");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");

    fakehost_reset();
    m_hdr(&m, 3, 0x8180, 1, 1, 0, 0);
    m_q(&m, "abc.de", 1, 1);
    size_t at = m_rr(&m, "abc.de", 1, 1);
    m_u32(&m, 1);
    m_rdend(&m, at);
    m.b[at + 1] = 40; /* rdlength beyond the message */
    t_send(&t, false, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_truncated_RR_rdlength_lt_len");

    fakehost_reset();
    m_hdr(&m, 4, 0x8180, 1, 1, 0, 0);
    m_q(&m, "abc.de", 1, 1);
    m_name(&m, "abc.de");
    m_u16(&m, 1);
    t_send(&t, false, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_truncated_ans_too_short");

    fakehost_reset();
    m_hdr(&m, 5, 0x0100, 1, 0, 0, 0);
    m_u8(&m, 70);
    memset(m.b + m.n, 'x', 70);
    m.n += 70;
    m_u8(&m, 0);
    m_u16(&m, 1);
    m_u16(&m, 1);
    t_send(&t, true, &m, 1.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_weirds(), "DNS_label_too_long"));

    fakehost_reset();
    m_hdr(&m, 6, 0x0100, 1, 0, 0, 0);
    m_u8(&m, 50);
    m_raw(&m, "short", 5);
    t_send(&t, true, &m, 1.0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_weirds(), "DNS_label_len_gt_pkt"));

    fakehost_reset();
    m_hdr(&m, 7, 0x8180, 1, 1, 0, 0);
    m_q(&m, "abc.de", 1, 1);
    at = m_rr(&m, "abc.de", 1, 1);
    m_u16(&m, 1);
    m_rdend(&m, at);
    t_send(&t, false, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_RR_bad_length");

    /* Too many questions: not DNS, a protocol violation (Zeek's DPD then
     * disables the analyzer on the connection). */
    fakehost_reset();
    struct tconn t2 = t_conn("10.0.0.1", 1001, "10.0.0.2", 53, SHOAL_PROTO_UDP);
    m_hdr(&m, 8, 0x0100, 30, 0, 0, 0);
    t_send(&t2, true, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_Conn_count_too_large");
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "dns");
    m_hdr(&m, 8, 0x8180, 1, 0, 0, 0);
    m_q(&m, "abc.de", 1, 1);
    t_send(&t2, false, &m, 1.1);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_Conn_count_too_large");
    t_done(&t2);

    fakehost_reset();
    m_hdr(&m, 9, 0x8180, 1, 1, 0, 0);
    m_q(&m, "abc.de", 1, 1);
    at = m_rr(&m, "abc.de", 5, 1);
    m_name(&m, "x.abc.de");
    m_u8(&m, 0);
    m_rdend(&m, at);
    t_send(&t, false, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_RR_length_mismatch");

    fakehost_reset();
    m_hdr(&m, 10, 0x8180, 1, 1, 0, 0);
    m_q(&m, "abc.de", 16, 1);
    at = m_rr(&m, "abc.de", 16, 1);
    m_u8(&m, 9);
    m_raw(&m, "abc", 3);
    m_rdend(&m, at);
    t_send(&t, false, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_TXT_char_str_past_rdlen");
    t_done(&t);
}

static void test_netbios(void)
{
    struct msg m;
    struct tconn t = t_conn("141.142.220.226", 137, "141.142.220.255", 137, SHOAL_PROTO_UDP);

    m_hdr(&m, 65390, 0x0110, 1, 0, 0, 0);
    m_q(&m, "ECFCFHEDDAEDECDDDIDDEEDBEGDEDCAA", 32, 1);
    t_send(&t, true, &m, 1.0);
    m_hdr(&m, 65394, 0x0110, 1, 0, 0, 0);
    m_q(&m, "FHEPFCELEHFCEPFFFACACACACACACAAA", 33, 1);
    t_send(&t, true, &m, 1.1);
    t_done(&t);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 2);
    CU_ASSERT_STRING_EQUAL(F(0, "query"), "BRWC0CB383D1F42");
    CU_ASSERT_STRING_EQUAL(F(0, "qtype_name"), "NIMLOC");
    CU_ASSERT_STRING_EQUAL(F(0, "Z"), "1");
    CU_ASSERT_STRING_EQUAL(F(0, "RD"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "opcode_name"), "netbios-query");
    CU_ASSERT_STRING_EQUAL(F(1, "query"), "WORKGROUP");
    CU_ASSERT_STRING_EQUAL(F(1, "qtype_name"), "NBSTAT");

    char out[16];
    CU_ASSERT_EQUAL(dns_netbios_decode("ABC", 3, out), 0);
    CU_ASSERT_EQUAL(dns_netbios_decode("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", 32, out), 0);
}

static void test_rejected_and_flip(void)
{
    struct msg m;
    struct tconn t = t_conn("10.0.0.9", 53, "10.0.0.1", 5000, SHOAL_PROTO_UDP);

    /* The first message is a reply from the originator: roles flip. */
    m_hdr(&m, 77, 0x8185, 1, 0, 0, 0);
    m_q(&m, "r.example", 1, 1);
    t_send(&t, true, &m, 3.0);
    t_done(&t);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "id.orig_h"), "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(F(0, "id.resp_p"), "53");
    CU_ASSERT_STRING_EQUAL(F(0, "rejected"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "rcode_name"), "REFUSED");

    char b[32];
    CU_ASSERT_STRING_EQUAL(dns_qtype_name(4000, b, sizeof(b)), "query-4000");
    CU_ASSERT_STRING_EQUAL(dns_rcode_name(3842, b, sizeof(b)), "BADSIG");
    CU_ASSERT_STRING_EQUAL(dns_qclass_name(9, b, sizeof(b)), "qclass-9");
    CU_ASSERT_STRING_EQUAL(dns_opcode_name(3, false, b, sizeof(b)), "opcode-3");
    CU_ASSERT_STRING_EQUAL(dns_opcode_name(5, true, b, sizeof(b)), "netbios-registration");
}

/* An RR of class `cls` with an empty rdata (dynamic update prerequisites
 * and deletions). */
static void m_rr_empty(struct msg *m, const char *name, unsigned type, unsigned cls, uint32_t ttl)
{
    m_name(m, name);
    m_u16(m, type);
    m_u16(m, cls);
    m_u32(m, ttl);
    m_u16(m, 0);
}

/* The sections of an RFC 2136 update for zone example.com: four
 * prerequisites, an addition and three deletions, one TSIG-like
 * additional RR that is not looked at. */
static void m_update(struct msg *m, unsigned id, unsigned flags)
{
    m_hdr(m, id, flags, 1, 4, 4, 1);
    m_q(m, "Example.COM", 6, 1);
    m_rr_empty(m, "a.example.com", 255, 254, 0); /* NameNotInUse */
    m_rr_empty(m, "f.example.com", 255, 255, 0); /* NameInUse */
    m_rr_empty(m, "g.example.com", 15, 254, 0);  /* NoRRSet MX */
    size_t at = m_rr(m, "e.example.com", 1, 0);  /* RRSetExists A, value dependent */
    m_u32(m, 0x0a000009);
    m_rdend(m, at);
    at = m_rr(m, "a.example.com", 1, 300); /* add */
    m_u32(m, 0x0a000007);
    m_rdend(m, at);
    m_rr_empty(m, "b.example.com", 255, 255, 0); /* delete all RRsets */
    m_rr_empty(m, "c.example.com", 16, 255, 0);  /* delete an RRset */
    m_rr_empty(m, "d.example.com", 1, 254, 0);   /* delete an RR */
    m->b[m->n - 1] = 4;                          /* ... with its rdata */
    m_u32(m, 0x0a000008);
    m_rr_empty(m, "key.example.com", 250, 255, 0);
}

/* Dynamic update (opcode 5): the zone is the query; a reply's prerequisite
 * and update sections are the answers ("pre: ", "add: ", "del: ") as
 * Zeek 8.1 on logs them; those of the request are not (Zeek's do_reply
 * looks at replies only). */
static void test_opcode_update(void)
{
    struct msg m;

    fakehost_reset();
    struct tconn t = t_conn("10.0.0.1", 40001, "10.0.0.2", 53, SHOAL_PROTO_UDP);
    m_update(&m, 0x4242, 0x2800);
    t_send(&t, true, &m, 10.0);
    m_update(&m, 0x4242, 0xa880);
    t_send(&t, false, &m, 10.5);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "query"), "example.com");
    CU_ASSERT_STRING_EQUAL(F(0, "qtype_name"), "SOA");
    CU_ASSERT_STRING_EQUAL(F(0, "qclass_name"), "C_INTERNET");
    CU_ASSERT_STRING_EQUAL(F(0, "opcode"), "5");
    CU_ASSERT_STRING_EQUAL(F(0, "opcode_name"), "dynamic-update");
    CU_ASSERT_STRING_EQUAL(F(0, "rcode_name"), "NOERROR");
    CU_ASSERT_STRING_EQUAL(F(0, "rtt"), "0.500000");
    CU_ASSERT_STRING_EQUAL(F(0, "RA"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "answers"),
                           "pre: NameNotInUse a.example.com,pre: NameInUse f.example.com,"
                           "pre: NoRRSet MX g.example.com,pre: RRSetExists A e.example.com,"
                           "add: A a.example.com 10.0.0.7,del: RRSet * b.example.com,"
                           "del: RRSet TXT,del: RR A d.example.com");
    CU_ASSERT_STRING_EQUAL(F(0, "TTLs"), "0.000000,0.000000,0.000000,0.000000,300.000000,"
                                         "0.000000,0.000000,0.000000");
    CU_ASSERT_STRING_EQUAL(F(0, "rejected"), "F");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "dns,dns");
    t_done(&t);

    /* The usual reply to an update: the zone only, no RRs: rejected as
     * Zeek's dns_rejected marks it. */
    fakehost_reset();
    t = t_conn("10.0.0.1", 40002, "10.0.0.2", 53, SHOAL_PROTO_UDP);
    m_update(&m, 7, 0x2800);
    t_send(&t, true, &m, 20.0);
    m_hdr(&m, 7, 0xa805, 1, 0, 0, 0);
    m_q(&m, "example.com", 6, 1);
    t_send(&t, false, &m, 20.1);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "answers"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "rcode_name"), "REFUSED");
    CU_ASSERT_STRING_EQUAL(F(0, "rejected"), "T");
    CU_ASSERT_STRING_EQUAL(F(0, "opcode"), "5");
    t_done(&t);
}

/* NOTIFY (opcode 4, RFC 1996): logged as a query; the SOA a notify may
 * carry in its answer section is the request's and is not shown. */
static void test_opcode_notify(void)
{
    struct msg m;

    fakehost_reset();
    struct tconn t = t_conn("10.0.0.3", 53, "10.0.0.4", 53, SHOAL_PROTO_UDP);
    m_hdr(&m, 99, 0x2400, 1, 1, 0, 0);
    m_q(&m, "example.org", 6, 1);
    size_t at = m_rr(&m, "example.org", 6, 3600);
    m_name(&m, "ns1.example.org");
    m_name(&m, "admin.example.org");
    for (int i = 0; i < 5; i++) {
        m_u32(&m, 1000 + i);
    }
    m_rdend(&m, at);
    t_send(&t, true, &m, 30.0);
    m_hdr(&m, 99, 0xa400, 1, 0, 0, 0);
    m_q(&m, "example.org", 6, 1);
    t_send(&t, false, &m, 30.2);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "query"), "example.org");
    CU_ASSERT_STRING_EQUAL(F(0, "qtype_name"), "SOA");
    CU_ASSERT_STRING_EQUAL(F(0, "opcode"), "4");
    CU_ASSERT_STRING_EQUAL(F(0, "opcode_name"), "notify");
    CU_ASSERT_STRING_EQUAL(F(0, "AA"), "F");
    CU_ASSERT_STRING_EQUAL(F(0, "answers"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "rtt"), "-");
    CU_ASSERT_STRING_EQUAL(F(0, "rejected"), "T");
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    t_done(&t);
}

/* IQUERY, STATUS, DSO and unassigned opcodes: no record, the weird
 * DNS_unknown_opcode and a protocol violation, after which the connection's
 * messages are no longer looked at; what waits is written at the end. */
static void test_opcode_other(void)
{
    static const unsigned opcodes[] = {1, 2, 3, 6, 15};
    struct msg m;

    for (size_t k = 0; k < sizeof(opcodes) / sizeof(opcodes[0]); k++) {
        fakehost_reset();
        struct tconn t = t_conn("10.0.0.5", 40003, "10.0.0.6", 53, SHOAL_PROTO_UDP);
        m_hdr(&m, 1, 0x0100, 1, 0, 0, 0);
        m_q(&m, "pending.example", 1, 1);
        t_send(&t, true, &m, 40.0);
        m_hdr(&m, 2, opcodes[k] << 11, 1, 0, 0, 0);
        m_q(&m, "other.example", 1, 1);
        t_send(&t, true, &m, 40.1);
        CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_unknown_opcode");
        CU_ASSERT_STRING_EQUAL(fakehost_violations(), "dns");
        /* The reply to the first query is not looked at any more. */
        m_hdr(&m, 1, 0x8180, 1, 0, 0, 0);
        m_q(&m, "pending.example", 1, 1);
        t_send(&t, false, &m, 40.2);
        CU_ASSERT_EQUAL(fakehost_count("dns"), 0);
        t_done(&t);
        CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
        CU_ASSERT_STRING_EQUAL(F(0, "query"), "pending.example");
        CU_ASSERT_STRING_EQUAL(F(0, "rcode"), "-");
        CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "DNS_unknown_opcode");
    }

    /* NetBIOS name service has opcodes of its own: no weird. */
    fakehost_reset();
    struct tconn t = t_conn("10.0.0.5", 137, "10.0.0.6", 137, SHOAL_PROTO_UDP);
    m_hdr(&m, 3, 8 << 11, 1, 0, 0, 0);
    m_q(&m, "FHEPFCELEHFCEPFFFACACACACACACABN", 32, 1);
    t_send(&t, true, &m, 50.0);
    CU_ASSERT_STRING_EQUAL(fakehost_weirds(), "");
    CU_ASSERT_STRING_EQUAL(fakehost_violations(), "");
    t_done(&t);
}

static void test_tcp_framing(void)
{
    struct msg q1, q2, r, s;
    struct tconn t = t_conn("10.0.0.1", 50138, "10.0.0.2", 53, SHOAL_PROTO_TCP);

    m_hdr(&q1, 11, 0x0100, 1, 0, 0, 0);
    m_q(&q1, "one.example", 1, 1);
    m_hdr(&q2, 12, 0x0100, 1, 0, 0, 0);
    m_q(&q2, "two.example", 16, 1);

    /* Both queries, each with its length prefix, in one data call. */
    s.n = 0;
    m_u16(&s, (unsigned)q1.n);
    m_raw(&s, q1.b, q1.n);
    m_u16(&s, (unsigned)q2.n);
    m_raw(&s, q2.b, q2.n);
    fakehost_set_time(1.0);
    ops->data(ps, t.c, t.cs, true, s.b, s.n);

    /* The reply to the second split across three calls, the first of which
     * carries one byte of the length. */
    m_hdr(&r, 12, 0x8180, 1, 1, 0, 0);
    m_q(&r, "two.example", 16, 1);
    size_t at = m_rr(&r, "two.example", 16, 30);
    m_u8(&r, 2);
    m_raw(&r, "hi", 2);
    m_rdend(&r, at);
    s.n = 0;
    m_u16(&s, (unsigned)r.n);
    m_raw(&s, r.b, r.n);
    fakehost_set_time(1.5);
    ops->data(ps, t.c, t.cs, false, s.b, 1);
    ops->data(ps, t.c, t.cs, false, s.b + 1, 10);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 0);
    ops->data(ps, t.c, t.cs, false, s.b + 11, s.n - 11);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 1);
    CU_ASSERT_STRING_EQUAL(F(0, "proto"), "tcp");
    CU_ASSERT_STRING_EQUAL(F(0, "query"), "two.example");
    CU_ASSERT_STRING_EQUAL(F(0, "answers"), "TXT 2 hi");
    CU_ASSERT_STRING_EQUAL(F(0, "rtt"), "0.500000");

    /* A partial message at FIN is parsed as it is. */
    s.n = 0;
    m_u16(&s, 200);
    m_raw(&s, r.b, 20);
    ops->data(ps, t.c, t.cs, false, s.b, s.n);
    ops->eof(ps, t.c, t.cs, false);
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_weirds(), "DNS_truncated"));
    t_done(&t);
    /* The query left pending, then the partial reply (unmatched). */
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dns"), 3);
    CU_ASSERT_STRING_EQUAL(F(1, "query"), "one.example");
    CU_ASSERT_STRING_EQUAL(F(1, "rtt"), "-");
    CU_ASSERT_STRING_EQUAL(F(2, "trans_id"), "12");
    CU_ASSERT_STRING_EQUAL(F(2, "qtype"), "-");
}

/* Answers that each point into one long chain of pointers: the names of a
 * message share a bounded number of steps, then the message ends with a
 * weird, keeping the answers parsed before. */
static void test_name_steps(void)
{
    static struct msg m;
    struct tconn t = t_conn("10.0.0.1", 7000, "10.0.0.2", 53, SHOAL_PROTO_UDP);
    const unsigned n_answers = 400;

    m_hdr(&m, 9, 0x8180, 1, n_answers, 0, 0);
    m_q(&m, "a.test", 5, 1);
    /* The first answer's rdata holds the chain: "x" then 126 links of
     * "x" + a pointer to the link before; its own name is the first link. */
    size_t at = m_rr(&m, "a.test", 5, 60);
    size_t prev = m.n;
    m_name(&m, "x");
    for (unsigned i = 0; i < 126; i++) {
        size_t here = m.n;
        m_u8(&m, 1);
        m_raw(&m, "x", 1);
        m_u8(&m, 0xc0 | (unsigned)(prev >> 8));
        m_u8(&m, prev & 0xff);
        prev = here;
    }
    m_rdend(&m, at);
    /* Every other answer: a CNAME to the chain's last link (254 steps). */
    for (unsigned i = 1; i < n_answers; i++) {
        m_u8(&m, 0xc0);
        m_u8(&m, 12);
        m_u16(&m, 5);
        m_u16(&m, 1);
        m_u32(&m, 60);
        m_u16(&m, 2);
        m_u8(&m, 0xc0 | (unsigned)(prev >> 8));
        m_u8(&m, prev & 0xff);
    }
    CU_ASSERT_FATAL(m.n < sizeof(m.b));
    t_send(&t, false, &m, 1.0);
    t_done(&t);
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_weirds(), "DNS_label_too_many_compress_pointers"));
    /* The answers before the budget ran out: a few dozen of the 400. */
    const char *answers = F(0, "answers");
    size_t n = 1;
    for (const char *c = answers; *c != '\0'; c++) {
        n += *c == ',';
    }
    CU_ASSERT(n >= 20 && n <= 100);
}

static void test_pending_cap(void)
{
    struct msg m;
    struct tconn t = t_conn("10.0.0.1", 6000, "10.0.0.2", 53, SHOAL_PROTO_UDP);

    /* 200 distinct unanswered queries: bounded state, each logged once. */
    for (unsigned i = 0; i < 200; i++) {
        m_hdr(&m, i, 0x0100, 1, 0, 0, 0);
        m_q(&m, "cap.example", 1, 1);
        t_send(&t, true, &m, 1.0 + i);
    }
    t_done(&t);
    CU_ASSERT_EQUAL(fakehost_count("dns"), 200);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite_with_setup_and_teardown("dns", suite_init, suite_clean, test_setup, NULL);
    CU_add_test(s, "descriptor", test_descriptor);
    CU_add_test(s, "pair A + CNAME with compression", test_pair_a);
    CU_add_test(s, "unanswered queries flushed", test_unanswered_flush);
    CU_add_test(s, "two responses", test_two_responses);
    CU_add_test(s, "reply before query", test_reply_then_query);
    CU_add_test(s, "multicast logged alone", test_multicast);
    CU_add_test(s, "rendering of every RR type", test_rr_types);
    CU_add_test(s, "compression loops", test_compression_loop);
    CU_add_test(s, "truncation weirds", test_truncation);
    CU_add_test(s, "netbios", test_netbios);
    CU_add_test(s, "rejected, flip, tables", test_rejected_and_flip);
    CU_add_test(s, "tcp framing", test_tcp_framing);
    CU_add_test(s, "opcode 5: dynamic update", test_opcode_update);
    CU_add_test(s, "opcode 4: notify", test_opcode_notify);
    CU_add_test(s, "other opcodes", test_opcode_other);
    CU_add_test(s, "pending cap", test_pending_cap);
    CU_add_test(s, "name steps per message", test_name_steps);
    return shoal_cunit_run("test_dns");
}
