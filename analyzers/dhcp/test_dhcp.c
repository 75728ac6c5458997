/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit tests of the dhcp analyzer driven through the fake host:
 * hand-built exchanges joined across connections by transaction id, the
 * client and server sides of each field, the write triggers (connections,
 * messages, expiry, a full table), and truncated, oversized and malformed
 * messages and options read as Zeek reads them.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_parse.h"
#include "fakehost.h"

extern const struct shoal_plugin dhcp_LTX_shoal_plugin;

/* struct dhcp_config of dhcp.c */
static const struct {
    double max_txid_watch_time;
    int64_t max_uids_per_log_entry;
    int64_t max_msg_types_per_log_entry;
    int64_t max_transactions;
} cfg = {30.0, 3, 6, 4};

static const struct shoal_analyzer_ops *ops;
static void *ps;
static double base = 1000.0; /* each test runs later than the one before */

/* ---- a tiny message builder -------------------------------------------- */

struct msg {
    uint8_t b[4096];
    size_t n;
};

static void m_u8(struct msg *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}

static void m_raw(struct msg *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void m_u32(struct msg *m, uint32_t v)
{
    m_u8(m, v >> 24);
    m_u8(m, (v >> 16) & 0xff);
    m_u8(m, (v >> 8) & 0xff);
    m_u8(m, v & 0xff);
}

/* The fixed part and the cookie: op, xid, yiaddr (host order), chaddr
 * (6 bytes, or 8 with `mac8`), then option 53 of type `type` (0: none). */
static void m_start(struct msg *m, unsigned op, uint32_t xid, uint32_t yiaddr, bool mac8,
                    unsigned type)
{
    static const uint8_t mac[8] = {0x90, 0xb1, 0x1c, 0x99, 0x49, 0x29, 0x01, 0x02};

    memset(m->b, 0, 240);
    m->b[0] = (uint8_t)op;
    m->b[1] = 1;
    m->b[2] = 6;
    m->n = 4;
    m_u32(m, xid);
    m->n = 16;
    m_u32(m, yiaddr);
    memcpy(m->b + 28, mac, mac8 ? 8 : 6);
    m->n = 236;
    m_u32(m, 0x63825363);
    if (type != 0) {
        m_u8(m, 53);
        m_u8(m, 1);
        m_u8(m, type);
    }
}

static void m_opt(struct msg *m, unsigned code, const void *v, size_t n)
{
    m_u8(m, code);
    m_u8(m, (unsigned)n);
    m_raw(m, v, n);
}

static void m_end(struct msg *m)
{
    m_u8(m, 255);
}

static void t_send(struct shoal_conn *c, bool orig, const struct msg *m, double ts)
{
    uint8_t cs[16] = {0};
    uint8_t *copy = malloc(m->n ? m->n : 1);

    CU_ASSERT_FATAL(ops->conn_size <= sizeof(cs));
    memcpy(copy, m->b, m->n);
    fakehost_set_time(ts);
    ops->data(ps, c, cs, orig, copy, m->n);
    free(copy);
}

/* Run the expiry rounds until everything pending is written. */
static void t_flush(double now)
{
    for (int i = 0; i < 8; i++) {
        fakehost_run_timers(now + 11.0 * (i + 1));
    }
}

static const char *f(size_t n, const char *field)
{
    const char *v = fakehost_field("dhcp", n, field);
    return v != NULL ? v : "(null)";
}

static size_t nfields(const char *list)
{
    size_t n = 1;
    for (; *list; list++) {
        n += *list == ',';
    }
    return n;
}

/* ---- tests -------------------------------------------------------------- */

static int suite_init(void)
{
    ops = dhcp_LTX_shoal_plugin.ops;
    return fakehost_init(&dhcp_LTX_shoal_plugin, &cfg, &ps);
}

static int suite_clean(void)
{
    dhcp_LTX_shoal_plugin.fini(ps);
    return 0;
}

static void test_setup(void)
{
    t_flush(base);
    base += 10000.0;
    fakehost_reset();
}

static void test_descriptor(void)
{
    CU_ASSERT_STRING_EQUAL(dhcp_LTX_shoal_plugin.name, "dhcp");
    CU_ASSERT_STRING_EQUAL(ops->service, "dhcp");
    CU_ASSERT_EQUAL(ops->ports[0].port, 67);
    CU_ASSERT_EQUAL(ops->ports[1].proto, 0);
    CU_ASSERT_EQUAL(ops->client_ports[0].port, 68);
    CU_ASSERT_EQUAL(ops->client_ports[1].port, 4011);
    CU_ASSERT_EQUAL(ops->client_ports[2].proto, 0);
}

/* DISCOVER broadcast, OFFER unicast (the server is the responder of the
 * flipped connection), REQUEST broadcast, NAK broadcast by the server. */
static void test_exchange(void)
{
    struct msg m;
    struct shoal_conn *bc = fakehost_conn("0.0.0.0", 68, "255.255.255.255", 67, SHOAL_PROTO_UDP);
    struct shoal_conn *uc = fakehost_conn("10.1.0.50", 68, "10.1.0.1", 67, SHOAL_PROTO_UDP);
    struct shoal_conn *sb = fakehost_conn("10.1.0.1", 67, "255.255.255.255", 68, SHOAL_PROTO_UDP);

    m_start(&m, 1, 0x7c0, 0, false, 1);
    m_opt(&m, 50, "\x0a\x01\x00\x32", 4);
    m_opt(&m, 12, "host1", 5);
    m_end(&m);
    t_send(bc, true, &m, base + 0.0);
    m_start(&m, 2, 0x7c0, 0x0a010032, false, 2);
    m_opt(&m, 51, "\x00\x00\x03\x84", 4);
    m_opt(&m, 15, "example.org\0\0", 13);
    m_end(&m);
    t_send(uc, false, &m, base + 0.5);
    m_start(&m, 1, 0x7c0, 0, false, 3);
    m_opt(&m, 81, "\x01\x00\x00host1.example.org", 20);
    m_end(&m);
    t_send(bc, true, &m, base + 1.0);
    m_start(&m, 2, 0x7c0, 0, false, 6);
    m_opt(&m, 56, "no", 2);
    m_end(&m);
    t_send(sb, true, &m, base + 1.25);
    /* three connections: max_uids_per_log_entry of this suite, written at once */
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dhcp"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(fakehost_confirmed(), "dhcp"));
    CU_ASSERT_EQUAL(nfields(f(0, "uids")), 3);
    CU_ASSERT_STRING_EQUAL(f(0, "client_addr"), "10.1.0.50");
    CU_ASSERT_STRING_EQUAL(f(0, "server_addr"), "10.1.0.1");
    CU_ASSERT_STRING_EQUAL(f(0, "mac"), "90:b1:1c:99:49:29");
    CU_ASSERT_STRING_EQUAL(f(0, "host_name"), "host1");
    CU_ASSERT_STRING_EQUAL(f(0, "client_fqdn"), "host1.example.org");
    CU_ASSERT_STRING_EQUAL(f(0, "domain"), "example.org");
    CU_ASSERT_STRING_EQUAL(f(0, "requested_addr"), "10.1.0.50");
    CU_ASSERT_STRING_EQUAL(f(0, "assigned_addr"), "10.1.0.50");
    CU_ASSERT_STRING_EQUAL(f(0, "lease_time"), "900.000000");
    CU_ASSERT_STRING_EQUAL(f(0, "client_message"), "-");
    /* the server broadcasting originates its connection: not a client */
    CU_ASSERT_STRING_EQUAL(f(0, "server_message"), "no");
    CU_ASSERT_STRING_EQUAL(f(0, "msg_types"), "DISCOVER,OFFER,REQUEST,NAK");
    CU_ASSERT_STRING_EQUAL(f(0, "duration"), "1.250000");
}

/* Client identifier, the chaddr fallback, 8-byte addresses, message type
 * names. */
static void test_mac_sources(void)
{
    struct msg m;
    struct shoal_conn *c = fakehost_conn("10.1.0.7", 68, "10.1.0.1", 67, SHOAL_PROTO_UDP);

    m_start(&m, 1, 0x100, 0, true, 8);
    m_opt(&m, 61, "\x01\x02\x03\x04\x05\x06\x07", 7);
    m_opt(&m, 56, "bye", 3);
    m_end(&m);
    t_send(c, true, &m, base);
    m_start(&m, 1, 0x101, 0, true, 7);
    m_opt(&m, 61, "\x05\x02\x03", 3); /* not Ethernet: chaddr is the fallback */
    m_end(&m);
    t_send(c, true, &m, base + 0.1);
    m_start(&m, 1, 0x102, 0, false, 0); /* no message type */
    m_end(&m);
    t_send(c, true, &m, base + 0.2);
    m_start(&m, 1, 0x103, 0, false, 42);
    m_end(&m);
    t_send(c, true, &m, base + 0.3);
    t_flush(base + 0.3);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dhcp"), 4);
    for (size_t i = 0; i < 4; i++) {
        const char *types = f(i, "msg_types");
        if (strcmp(types, "INFORM") == 0) {
            CU_ASSERT_STRING_EQUAL(f(i, "mac"), "02:03:04:05:06:07");
            CU_ASSERT_STRING_EQUAL(f(i, "client_addr"), "10.1.0.7");
            CU_ASSERT_STRING_EQUAL(f(i, "client_message"), "bye");
        } else if (strcmp(types, "RELEASE") == 0) {
            CU_ASSERT_STRING_EQUAL(f(i, "mac"), "90:b1:1c:99:49:29:01:02");
        } else {
            CU_ASSERT(strcmp(types, "unknown-message-type-0") == 0 ||
                      strcmp(types, "unknown-message-type-42") == 0);
        }
    }
}

/* Written at once when max_uids_per_log_entry (3) connections or
 * max_msg_types_per_log_entry (6) messages are reached. */
static void test_limits(void)
{
    struct msg m;
    char a[32];

    for (int i = 0; i < 4; i++) {
        snprintf(a, sizeof(a), "10.2.0.%d", i + 1);
        struct shoal_conn *c = fakehost_conn(a, 68, "10.2.0.254", 67, SHOAL_PROTO_UDP);
        m_start(&m, 1, 0x200, 0, false, 8);
        m_end(&m);
        t_send(c, true, &m, base + i * 0.01);
    }
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dhcp"), 1);
    CU_ASSERT_EQUAL(nfields(f(0, "uids")), 3);
    CU_ASSERT_STRING_EQUAL(f(0, "client_addr"), "10.2.0.3");
    CU_ASSERT_STRING_EQUAL(f(0, "mac"), "-"); /* no chaddr fallback on this path */
    struct shoal_conn *c = fakehost_conn("10.2.0.9", 68, "10.2.0.254", 67, SHOAL_PROTO_UDP);
    for (int i = 0; i < 7; i++) {
        m_start(&m, 1, 0x201, 0, false, 8);
        m_end(&m);
        t_send(c, true, &m, base + 1 + i * 0.01);
    }
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 2);
    CU_ASSERT_STRING_EQUAL(f(1, "msg_types"), "INFORM,INFORM,INFORM,INFORM,INFORM,INFORM");
    t_flush(base + 2);
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 4); /* 0x200's fourth, 0x201's seventh */
}

/* Expiry as Zeek's table: not before 10 s, not while messages keep coming
 * within 5 s, then at the next round. */
static void test_expiry(void)
{
    struct msg m;
    struct shoal_conn *c = fakehost_conn("10.3.0.1", 68, "10.3.0.254", 67, SHOAL_PROTO_UDP);

    fakehost_run_timers(base); /* a round now: the next is at base + 10 */
    m_start(&m, 1, 0x300, 0, false, 3);
    m_end(&m);
    t_send(c, true, &m, base + 1);
    t_send(c, true, &m, base + 9);
    fakehost_run_timers(base + 10.5); /* too young */
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 0);
    fakehost_run_timers(base + 20.6); /* expired, but a message came 11.6 s ago */
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 1);
    CU_ASSERT_STRING_EQUAL(f(0, "msg_types"), "REQUEST,REQUEST");
    /* active within 5 s of a round: looked at again a round later */
    m_start(&m, 1, 0x301, 0, false, 3);
    m_end(&m);
    t_send(c, true, &m, base + 21);
    t_send(c, true, &m, base + 29);
    fakehost_run_timers(base + 31.0);
    fakehost_run_timers(base + 31.5);
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 1);
    t_send(c, true, &m, base + 37);
    fakehost_run_timers(base + 41.5); /* due, but 4.5 s since the last message */
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 1);
    fakehost_run_timers(base + 52.0);
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 2);
    CU_ASSERT_STRING_EQUAL(f(1, "msg_types"), "REQUEST,REQUEST,REQUEST");
    CU_ASSERT_STRING_EQUAL(f(1, "duration"), "16.000000");
}

/* A full table (4 transactions) writes the oldest early. */
static void test_table_full(void)
{
    struct msg m;
    struct shoal_conn *c = fakehost_conn("10.4.0.1", 68, "10.4.0.254", 67, SHOAL_PROTO_UDP);
    uint64_t ev = fakehost_counter(&dhcp_LTX_shoal_plugin, "evicted");

    for (uint32_t x = 0; x < 6; x++) {
        m_start(&m, 1, 0x400 + x, 0, false, 1);
        m_end(&m);
        t_send(c, true, &m, base + x * 0.1);
    }
    CU_ASSERT_EQUAL(fakehost_counter(&dhcp_LTX_shoal_plugin, "evicted"), ev + 2);
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 2);
    char ts[32];
    snprintf(ts, sizeof(ts), "%.6f", base);
    CU_ASSERT_STRING_EQUAL(f(0, "ts"), ts);
    t_flush(base + 1);
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 6);
}

/* Messages Zeek rejects: nothing joined, nothing confirmed. */
static void test_malformed(void)
{
    struct msg m, good;
    struct shoal_conn *c = fakehost_conn("10.5.0.1", 68, "10.5.0.254", 67, SHOAL_PROTO_UDP);
    uint64_t bad = fakehost_counter(&dhcp_LTX_shoal_plugin, "unparsed");

    m_start(&good, 1, 0x500, 0, false, 1);
    m_opt(&good, 12, "name", 4);
    m_end(&good);
    /* every truncation of a good message */
    for (size_t n = 0; n < good.n; n++) {
        m = good;
        m.n = n;
        t_send(c, true, &m, base);
    }
    /* no End option; bad cookie; client id of length 0; FQDN of length 2;
     * an option length past the end */
    m = good;
    m.b[m.n - 1] = 0;
    t_send(c, true, &m, base);
    m = good;
    m.b[239] ^= 1;
    t_send(c, true, &m, base);
    m_start(&m, 1, 0x500, 0, false, 1);
    m_opt(&m, 61, "", 0);
    m_end(&m);
    t_send(c, true, &m, base);
    m_start(&m, 1, 0x500, 0, false, 1);
    m_opt(&m, 81, "\x01\x00", 2);
    m_end(&m);
    t_send(c, true, &m, base);
    m_start(&m, 1, 0x500, 0, false, 1);
    m_u8(&m, 12);
    m_u8(&m, 200);
    m_raw(&m, "abc", 3);
    t_send(c, true, &m, base);
    CU_ASSERT_EQUAL(fakehost_counter(&dhcp_LTX_shoal_plugin, "unparsed"), bad + good.n + 5);
    CU_ASSERT_STRING_EQUAL(fakehost_confirmed(), "");
    t_flush(base);
    CU_ASSERT_EQUAL(fakehost_count("dhcp"), 0);
}

/* Options read as Zeek reads them: fixed sizes whatever the length byte,
 * address lists in multiples of 4, relay agent sub-options against a
 * running total, trailing NULs of the domain, oversized values. */
static void test_option_quirks(void)
{
    struct msg m;
    struct shoal_conn *c = fakehost_conn("10.6.0.1", 68, "10.6.0.254", 67, SHOAL_PROTO_UDP);
    struct dhcp_msg d;
    uint8_t sum = 0;
    char big[255];

    /* option 50 with length 2 still takes 4 bytes: the two pads after it
     * are its address, then comes the host name */
    m_start(&m, 1, 0x600, 0, false, 3);
    m_u8(&m, 50);
    m_u8(&m, 2);
    m_raw(&m, "\x0a\x06\x00\x00", 4);
    m_opt(&m, 12, "hi", 2);
    m_end(&m);
    CU_ASSERT_EQUAL(dhcp_parse(m.b, m.n, &sum, &d), DHCP_PARSE_OK);
    CU_ASSERT(d.has_addr_request);
    CU_ASSERT_EQUAL(d.host_name.len, 2);
    /* the same with a host name right after the short option: misread */
    m_start(&m, 1, 0x600, 0, false, 3);
    m_u8(&m, 50);
    m_u8(&m, 2);
    m_raw(&m, "\x0a\x06", 2);
    m_opt(&m, 12, "hi", 2);
    m_end(&m);
    CU_ASSERT_EQUAL(dhcp_parse(m.b, m.n, &sum, &d), DHCP_PARSE_SHORT);
    /* a router list of 5 bytes takes 4: the fifth is the next code (pad) */
    m_start(&m, 1, 0x601, 0, false, 3);
    m_opt(&m, 3, "\x0a\x06\x00\x01\x00", 5);
    m_end(&m);
    CU_ASSERT_EQUAL(dhcp_parse(m.b, m.n, &sum, &d), DHCP_PARSE_OK);
    /* relay agent information: parsed while the running total meets the
     * option length; the total is kept, so the same option again does not */
    m_start(&m, 1, 0x602, 0, false, 3);
    m_opt(&m, 82,
          "\x01\x02"
          "ab"
          "\x02\x01"
          "z",
          7);
    m_end(&m);
    sum = 0;
    CU_ASSERT_EQUAL(dhcp_parse(m.b, m.n, &sum, &d), DHCP_PARSE_OK);
    CU_ASSERT_EQUAL(sum, 7);
    CU_ASSERT_EQUAL(dhcp_parse(m.b, m.n, &sum, &d), DHCP_PARSE_SHORT);
    /* domains: trailing NULs cut; a one-letter one is empty, as in Zeek */
    m_start(&m, 2, 0x603, 0x0a060001, false, 5);
    m_opt(&m, 15, "a\0\0", 3);
    memset(big, 'x', sizeof(big));
    m_opt(&m, 12, big, sizeof(big));
    m_end(&m);
    t_send(c, false, &m, base);
    m_start(&m, 1, 0x603, 0, false, 3);
    m_opt(&m, 12, big, sizeof(big));
    m_end(&m);
    /* 1500 bytes of padding before the End option are fine */
    m.n--;
    memset(m.b + m.n, 0, 1500);
    m.n += 1500;
    m_end(&m);
    t_send(c, true, &m, base + 0.1);
    t_flush(base);
    CU_ASSERT_EQUAL_FATAL(fakehost_count("dhcp"), 1);
    CU_ASSERT_STRING_EQUAL(f(0, "domain"), "(empty)");
    CU_ASSERT_EQUAL(strlen(f(0, "host_name")), 255);
    CU_ASSERT_STRING_EQUAL(f(0, "msg_types"), "ACK,REQUEST");
}

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite_with_setup_and_teardown("dhcp", suite_init, suite_clean, test_setup, NULL);
    CU_add_test(s, "descriptor", test_descriptor);
    CU_add_test(s, "exchange across connections", test_exchange);
    CU_add_test(s, "mac sources and type names", test_mac_sources);
    CU_add_test(s, "uid and message limits", test_limits);
    CU_add_test(s, "expiry", test_expiry);
    CU_add_test(s, "table full", test_table_full);
    CU_add_test(s, "malformed", test_malformed);
    CU_add_test(s, "option quirks", test_option_quirks);
    return shoal_cunit_run("test_dhcp");
}
