/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the snmp analyzer driven through the fake host:
 * hand-built BER messages of versions 1, 2c and 3 (USM, plaintext and
 * encrypted), counting by PDU type, sysDescr and sysUpTime, confirmation by
 * the responder only, truncated, oversized and malformed encodings, and the
 * bound on kept strings.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"
#include "snmp_parse.h"

extern const struct shoal_plugin snmp_LTX_shoal_plugin;

static const struct {
    int64_t max_string;
} cfg = {16};

static const struct shoal_analyzer_ops *ops;
static void *ps;

/* ---- a tiny BER builder ------------------------------------------------- */

struct buf {
    uint8_t b[4096];
    size_t n;
};

/* Append tag, length (short or long form) and content. */
static void tlv(struct buf *o, unsigned tag, const void *v, size_t n)
{
    o->b[o->n++] = (uint8_t)tag;
    if (n < 128) {
        o->b[o->n++] = (uint8_t)n;
    } else {
        o->b[o->n++] = 0x82;
        o->b[o->n++] = (uint8_t)(n >> 8);
        o->b[o->n++] = (uint8_t)n;
    }
    memcpy(o->b + o->n, v, n);
    o->n += n;
}

static void wrap(struct buf *o, unsigned tag, const struct buf *in)
{
    tlv(o, tag, in->b, in->n);
}

static void integer(struct buf *o, unsigned v)
{
    uint8_t b[1] = {(uint8_t)v};
    tlv(o, 0x02, b, 1);
}

/* A binding of OID text "1.3.6..." (all arcs < 128 after the first two). */
static void binding(struct buf *o, const char *oid, unsigned tag, const void *v, size_t n)
{
    struct buf b = {.n = 0}, name = {.n = 0};
    unsigned a, c;
    const char *p = oid;

    sscanf(p, "%u.%u", &a, &c);
    name.b[name.n++] = (uint8_t)(a * 40 + c);
    p = strchr(strchr(p, '.') + 1, '.');
    while (p != NULL) {
        name.b[name.n++] = (uint8_t)atoi(p + 1);
        p = strchr(p + 1, '.');
    }
    tlv(&b, 0x06, name.b, name.n);
    tlv(&b, tag, v, n);
    wrap(o, 0x30, &b);
}

/* A v1/v2c message: version, community, PDU of `pdu_tag` with bindings. */
static void v12(struct buf *msg, unsigned version, const char *community, unsigned pdu_tag,
                const struct buf *bindings)
{
    struct buf body = {.n = 0}, pdu = {.n = 0};

    integer(&pdu, 7);
    integer(&pdu, 0);
    integer(&pdu, 0);
    wrap(&pdu, 0x30, bindings);
    integer(&body, version);
    tlv(&body, 0x04, community, strlen(community));
    wrap(&body, pdu_tag, &pdu);
    msg->n = 0;
    wrap(msg, 0x30, &body);
}

/* A v3 message with a USM user; encrypted or a plaintext PDU. */
static void v3(struct buf *msg, const char *user, bool encrypted, unsigned pdu_tag,
               const struct buf *bindings)
{
    struct buf body = {.n = 0}, global = {.n = 0}, usm = {.n = 0}, usmseq = {.n = 0};
    struct buf scoped = {.n = 0}, pdu = {.n = 0};

    integer(&global, 1);
    integer(&global, 100);
    tlv(&global, 0x04, encrypted ? "\x07" : "\x04", 1);
    integer(&global, 3);
    tlv(&usm, 0x04, "engine", 6);
    integer(&usm, 1);
    integer(&usm, 2);
    tlv(&usm, 0x04, user, strlen(user));
    tlv(&usm, 0x04, "", 0);
    tlv(&usm, 0x04, "", 0);
    wrap(&usmseq, 0x30, &usm);
    integer(&body, 3);
    wrap(&body, 0x30, &global);
    wrap(&body, 0x04, &usmseq);
    if (encrypted) {
        tlv(&body, 0x04, "\x01\x02\x03\x04", 4);
    } else {
        integer(&pdu, 9);
        integer(&pdu, 0);
        integer(&pdu, 0);
        wrap(&pdu, 0x30, bindings);
        tlv(&scoped, 0x04, "engine", 6);
        tlv(&scoped, 0x04, "", 0);
        wrap(&scoped, pdu_tag, &pdu);
        wrap(&body, 0x30, &scoped);
    }
    msg->n = 0;
    wrap(msg, 0x30, &body);
}

static void t_send(struct shoal_conn *c, void *cs, bool orig, const struct buf *m, double ts)
{
    uint8_t *copy = malloc(m->n ? m->n : 1);

    memcpy(copy, m->b, m->n);
    fakehost_set_time(ts);
    ops->data(ps, c, cs, orig, copy, m->n);
    free(copy);
}

static const char *f(const char *field)
{
    const char *v = fakehost_field("snmp", 0, field);
    return v != NULL ? v : "(null)";
}

/* ---- tests -------------------------------------------------------------- */

static int suite_init(void)
{
    ops = snmp_LTX_shoal_plugin.ops;
    return fakehost_init(&snmp_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    snmp_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void test_setup(void)
{
    fakehost_reset();
}

static void test_v2c_get_response(void)
{
    struct buf m, b = {.n = 0};
    struct shoal_conn *c = fakehost_conn("10.0.0.1", 40000, "10.0.0.2", 161, SHOAL_PROTO_UDP);
    void *cs = calloc(1, ops->conn_size);

    binding(&b, "1.3.6.1.2.1.1.1.0", 0x05, "", 0);
    binding(&b, "1.3.6.1.2.1.1.3.0", 0x05, "", 0);
    v12(&m, 1, "public", 0xa0, &b);
    t_send(c, cs, true, &m, 100.0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    b.n = 0;
    binding(&b, "1.3.6.1.2.1.1.1.0", 0x04, "Linux box", 9);
    binding(&b, "1.3.6.1.2.1.1.3.0", 0x43, "\x01\x00", 2); /* 256 ticks */
    binding(&b, "1.3.6.1.2.1.1.5.0", 0x04, "name", 4);
    v12(&m, 1, "other", 0xa2, &b);
    t_send(c, cs, false, &m, 100.5);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "snmp");
    CU_ASSERT_EQUAL(fakehost_count("snmp"), 0);
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("snmp"), 1);
    CU_ASSERT_STRING_EQUAL(f("version"), "2c");
    CU_ASSERT_STRING_EQUAL(f("community"), "public");
    CU_ASSERT_STRING_EQUAL(f("duration"), "0.500000");
    CU_ASSERT_STRING_EQUAL(f("get_requests"), "2");
    CU_ASSERT_STRING_EQUAL(f("get_responses"), "3");
    CU_ASSERT_STRING_EQUAL(f("display_string"), "Linux box");
    CU_ASSERT_STRING_EQUAL(f("up_since"), "97.940000");
}

static void test_v1_set_bulk_and_bounds(void)
{
    struct buf m, b = {.n = 0};
    struct shoal_conn *c = fakehost_conn("10.0.0.1", 40001, "10.0.0.2", 161, SHOAL_PROTO_UDP);
    void *cs = calloc(1, ops->conn_size);
    uint64_t cut = fakehost_counter(&snmp_LTX_shoal_plugin, "truncated");

    binding(&b, "1.3.6.1.2.1.1.6.0", 0x04, "here", 4);
    v12(&m, 0, "a-community-longer-than-sixteen", 0xa3, &b);
    t_send(c, cs, true, &m, 1.0);
    binding(&b, "1.3.6.1.2.1.1.4.0", 0x04, "me", 2);
    v12(&m, 0, "second", 0xa5, &b);
    t_send(c, cs, true, &m, 2.0);
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("snmp"), 1);
    CU_ASSERT_STRING_EQUAL(f("version"), "1");
    CU_ASSERT_STRING_EQUAL(f("community"), "a-community-long");
    CU_ASSERT_STRING_EQUAL(f("set_requests"), "1");
    CU_ASSERT_STRING_EQUAL(f("get_bulk_requests"), "2");
    CU_ASSERT_STRING_EQUAL(f("display_string"), "-");
    CU_ASSERT_EQUAL(fakehost_counter(&snmp_LTX_shoal_plugin, "truncated"), cut + 1);
}

static void test_v3(void)
{
    struct buf m, b = {.n = 0};
    struct shoal_conn *c = fakehost_conn("127.0.0.1", 40002, "127.0.0.1", 161, SHOAL_PROTO_UDP);
    void *cs = calloc(1, ops->conn_size);

    binding(&b, "1.3.6.1.2.1.1.1", 0x05, "", 0);
    v3(&m, "username", false, 0xa1, &b);
    t_send(c, cs, true, &m, 5.0);
    v3(&m, "username", true, 0, NULL);
    t_send(c, cs, false, &m, 5.25);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "snmp");
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("snmp"), 1);
    CU_ASSERT_STRING_EQUAL(f("version"), "3");
    CU_ASSERT_STRING_EQUAL(f("community"), "username");
    CU_ASSERT_STRING_EQUAL(f("get_requests"), "1");
    CU_ASSERT_STRING_EQUAL(f("get_responses"), "0");
    CU_ASSERT_STRING_EQUAL(f("duration"), "0.250000");
}

/* Messages Zeek's parser stops at raise nothing: no record. */
static void test_malformed(void)
{
    struct buf m, good, b = {.n = 0};
    struct shoal_conn *c = fakehost_conn("10.0.0.1", 40003, "10.0.0.2", 161, SHOAL_PROTO_UDP);
    void *cs = calloc(1, ops->conn_size);
    struct snmp_msg sm;

    binding(&b, "1.3.6.1.2.1.1.1.0", 0x05, "", 0);
    v12(&good, 1, "public", 0xa0, &b);
    for (size_t n = 0; n < good.n; n++) {
        m = good;
        m.n = n;
        if (n == good.n - b.n) {
            /* cut right after the bindings' sequence header: as in Zeek,
             * a PDU with no bindings (the list runs to the datagram's end) */
            CU_ASSERT(snmp_parse(m.b, m.n, &sm) && sm.event == SNMP_EV_GET && sm.bindings == 0);
            continue;
        }
        t_send(c, cs, true, &m, 1.0);
    }
    /* trailing bytes after the bindings; a community that is an INTEGER;
     * a 10-byte integer; an unknown version; a length past the end */
    m = good;
    m.b[m.n++] = 0;
    t_send(c, cs, true, &m, 1.0);
    CU_ASSERT(!snmp_parse(m.b, m.n, &sm) && sm.header_ok && sm.event == SNMP_EV_NONE);
    m = good;
    m.b[5] = 0x02;
    t_send(c, cs, true, &m, 1.0);
    m.n = 0;
    tlv(&m, 0x30, "\x02\x0a\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a", 12);
    t_send(c, cs, true, &m, 1.0);
    v12(&m, 2, "public", 0xa0, &b);
    t_send(c, cs, false, &m, 1.0);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "snmp"); /* the header of a responder */
    m.n = 0;
    tlv(&m, 0x30, "\x02\x84\xff\xff\xff\xff", 6);
    t_send(c, cs, true, &m, 1.0);
    ops->conn_done(ps, c, cs);
    free(cs);
    CU_ASSERT_EQUAL(fakehost_count("snmp"), 0);
    /* long-form lengths read right */
    b.n = 0;
    char big[300];
    memset(big, 'x', sizeof(big));
    binding(&b, "1.3.6.1.2.1.1.1.0", 0x04, big, sizeof(big));
    v12(&m, 1, "public", 0xa2, &b);
    CU_ASSERT(snmp_parse(m.b, m.n, &sm));
    CU_ASSERT_EQUAL(sm.sys_descr.len, 300);
    CU_ASSERT_EQUAL(sm.event, SNMP_EV_RESPONSE);
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite_with_setup_and_teardown("snmp", suite_init, suite_clean, test_setup, NULL);
    CU_add_test(s, "v2c get and response", test_v2c_get_response);
    CU_add_test(s, "v1 set, bulk, string bound", test_v1_set_bulk_and_bounds);
    CU_add_test(s, "v3 usm, plaintext and encrypted", test_v3);
    CU_add_test(s, "malformed", test_malformed);
    return shoal_cunit_run("test_snmp");
}
