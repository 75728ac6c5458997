/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the message bodies (core/cluster/wire.c, wire_batch.c):
 * round trips of every message type and every log value type, the bytes
 * of a record as msgpack-c's packer writes them, every prefix of valid
 * bodies, wrong versions and a catalogue of corrupted bodies refused with
 * the right errno, random corruption never crashing, and the one-pass
 * LOG_BATCH decoder agreeing with shoal_wire_decode.  Hand-made bodies are
 * built with msgpack-c's packer, independently of our codec.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>

#include <msgpack.h>

#include "cluster/wire.h"

/* msgpack-c's packer writing into our buffer, for hand-made bodies. */
static int wire_test_write(void *data, const char *buf, size_t len)
{
    return shoal_buf_append(data, buf, len) == 0 ? 0 : -1;
}

/* A small deterministic generator (xorshift64*), so runs repeat. */
static uint64_t cluster_rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t cluster_rand(void)
{
    uint64_t x = cluster_rng_state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    cluster_rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

static struct shoal_addr cluster_addr4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    struct shoal_addr x = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}};
    return x;
}

static struct shoal_addr cluster_addr6(uint8_t last)
{
    struct shoal_addr x = {{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last}};
    return x;
}

static const struct shoal_field cluster_fields[] = {
    {"ts", SHOAL_T_TIME, 0},
    {"uid", SHOAL_T_STRING, 0},
    {"id.orig_h", SHOAL_T_ADDR, 0},
    {"id.orig_p", SHOAL_T_PORT, 0},
    {"flag", SHOAL_T_BOOL, 0},
    {"bytes", SHOAL_T_COUNT, 0},
    {"delta", SHOAL_T_INT, 0},
    {"ratio", SHOAL_T_DOUBLE, 0},
    {"duration", SHOAL_T_INTERVAL, 0},
    {"net", SHOAL_T_SUBNET, 0},
    {"proto", SHOAL_T_ENUM, 0},
    {"names", SHOAL_T_SET, SHOAL_T_STRING},
    {"sizes", SHOAL_T_VECTOR, SHOAL_T_COUNT},
    {"hosts", SHOAL_T_VECTOR, SHOAL_T_ADDR},
    {"nets", SHOAL_T_SET, SHOAL_T_SUBNET},
    {"times", SHOAL_T_VECTOR, SHOAL_T_TIME},
};
#define CLUSTER_NF (sizeof(cluster_fields) / sizeof(cluster_fields[0]))
#define CLUSTER_NR 4

static struct shoal_value cluster_names[3];
static struct shoal_value cluster_sizes[3];
static struct shoal_value cluster_hosts[2];
static struct shoal_value cluster_nets[2];
static struct shoal_value cluster_times[2];
static struct shoal_value cluster_records[CLUSTER_NR][CLUSTER_NF];

/* Four records: every type set; every value unset; empty containers and
 * strings with extremes; IPv6 and binary bytes. */
static void cluster_fill_records(void)
{
    static const char bin[] = {'a', '\0', '\xff', '\t', '\n'};
    struct shoal_addr a4 = cluster_addr4(10, 0, 0, 1), a6 = cluster_addr6(7);
    struct shoal_value *r;

    cluster_names[0] = shoal_v_str("alpha");
    cluster_names[1] = shoal_v_strn(bin, sizeof(bin));
    cluster_names[2] = shoal_v_unset();
    cluster_sizes[0] = shoal_v_count(0);
    cluster_sizes[1] = shoal_v_count(UINT64_MAX);
    cluster_sizes[2] = shoal_v_count(300);
    cluster_hosts[0] = shoal_v_addr(&a4);
    cluster_hosts[1] = shoal_v_addr(&a6);
    cluster_nets[0] = shoal_v_addr(&a4);
    cluster_nets[0].a.prefix = 8;
    cluster_nets[1] = shoal_v_addr(&a6);
    cluster_nets[1].a.prefix = 64;
    cluster_times[0] = shoal_v_double(1.5);
    cluster_times[1] = shoal_v_double(-0.0);

    r = cluster_records[0];
    r[0] = shoal_v_double(1700000000.123456);
    r[1] = shoal_v_str("CHhAvVGS1DHFjwGM9");
    r[2] = shoal_v_addr(&a4);
    r[3] = shoal_v_count(443);
    r[4] = shoal_v_bool(true);
    r[5] = shoal_v_count(123456789012ull);
    r[6] = shoal_v_int(-42);
    r[7] = shoal_v_double(0.25);
    r[8] = shoal_v_double(3.000001);
    r[9] = shoal_v_addr(&a4);
    r[9].a.prefix = 24;
    r[10] = shoal_v_str("tcp");
    r[11] = shoal_v_vec(cluster_names, 3);
    r[12] = shoal_v_vec(cluster_sizes, 3);
    r[13] = shoal_v_vec(cluster_hosts, 2);
    r[14] = shoal_v_vec(cluster_nets, 2);
    r[15] = shoal_v_vec(cluster_times, 2);

    r = cluster_records[1];
    for (size_t i = 0; i < CLUSTER_NF; i++) {
        r[i] = shoal_v_unset();
    }

    r = cluster_records[2];
    r[0] = shoal_v_double(0);
    r[1] = shoal_v_strn("", 0);
    r[2] = shoal_v_addr(&a6);
    r[3] = shoal_v_count(65535);
    r[4] = shoal_v_bool(false);
    r[5] = shoal_v_count(UINT64_MAX);
    r[6] = shoal_v_int(INT64_MIN);
    r[7] = shoal_v_double(INFINITY);
    r[8] = shoal_v_double(-1e-300);
    r[9] = shoal_v_addr(&a6);
    r[9].a.prefix = 128;
    r[10] = shoal_v_strn("", 0);
    r[11] = shoal_v_vec(NULL, 0);
    r[12] = shoal_v_vec(NULL, 0);
    r[13] = shoal_v_vec(NULL, 0);
    r[14] = shoal_v_vec(NULL, 0);
    r[15] = shoal_v_vec(NULL, 0);

    r = cluster_records[3];
    memcpy(r, cluster_records[0], sizeof(cluster_records[0]));
    r[1] = shoal_v_strn(bin, sizeof(bin));
    r[3] = shoal_v_count(0);
    r[6] = shoal_v_int(INT64_MAX);
    r[7] = shoal_v_double(NAN);
    r[9].a.prefix = 0;
}

static struct shoal_wire_log_batch cluster_batch(void)
{
    struct shoal_wire_log_batch b = {
        .sender = "worker-1",
        .epoch = 1700000000123456789ull,
        .seq = 77,
        .base = 70,
        .path = "conn",
        .fields = cluster_fields,
        .n_fields = CLUSTER_NF,
        .records = &cluster_records[0][0],
        .n_records = CLUSTER_NR,
    };
    cluster_fill_records();
    return b;
}

static void cluster_check_batch(const struct shoal_wire_log_batch *want,
                                const struct shoal_wire_log_batch *got)
{
    CU_ASSERT_STRING_EQUAL(got->sender, want->sender);
    CU_ASSERT_EQUAL(got->epoch, want->epoch);
    CU_ASSERT_EQUAL(got->seq, want->seq);
    CU_ASSERT_EQUAL(got->base, want->base);
    CU_ASSERT_STRING_EQUAL(got->path, want->path);
    CU_ASSERT_EQUAL_FATAL(got->n_fields, want->n_fields);
    CU_ASSERT_EQUAL_FATAL(got->n_records, want->n_records);
    for (size_t i = 0; i < want->n_fields; i++) {
        CU_ASSERT_STRING_EQUAL(got->fields[i].name, want->fields[i].name);
        CU_ASSERT_EQUAL(got->fields[i].type, want->fields[i].type);
        CU_ASSERT_EQUAL(got->fields[i].elem, want->fields[i].elem);
    }
    for (size_t r = 0; r < want->n_records; r++) {
        for (size_t i = 0; i < want->n_fields; i++) {
            const struct shoal_value *a = &want->records[r * want->n_fields + i];
            const struct shoal_value *b = &got->records[r * got->n_fields + i];
            bool eq = shoal_wire_value_eq(want->fields[i].type, want->fields[i].elem, a, b);
            CU_ASSERT(eq);
            if (!eq) {
                fprintf(stderr, "record %zu field %s differs\n", r, want->fields[i].name);
            }
        }
    }
}

/* The one-pass LOG_BATCH decoder, kept across the suite's tests as the
 * manager keeps it across batches. */
static struct shoal_wire_batch_dec *cluster_bdec;

static int cluster_wire_clean(void)
{
    shoal_wire_batch_dec_free(cluster_bdec);
    cluster_bdec = NULL;
    return 0;
}

/* Decode p with both LOG_BATCH decoders: the same return and reason, the
 * same values.  Returns the one-pass decoder's return. */
static int cluster_decode_both(const uint8_t *p, size_t len)
{
    struct shoal_wire_msg m;
    struct shoal_wire_log_batch b;
    char e1[160], e2[160];

    if (cluster_bdec == NULL) {
        cluster_bdec = shoal_wire_batch_dec_new();
        CU_ASSERT_PTR_NOT_NULL_FATAL(cluster_bdec);
    }
    int rc1 = shoal_wire_decode(p, len, SHOAL_WIRE_LOG_BATCH, &m, e1, sizeof(e1));
    int rc2 = shoal_wire_batch_decode(cluster_bdec, p, len, &b, e2, sizeof(e2));
    CU_ASSERT_EQUAL(rc2, rc1);
    CU_ASSERT_STRING_EQUAL(e2, e1);
    if (rc1 != rc2 || strcmp(e1, e2) != 0) {
        fprintf(stderr, "decoders differ on %zu bytes: %d '%s', one-pass %d '%s'\n", len, rc1, e1,
                rc2, e2);
    }
    if (rc1 == 0 && rc2 == 0) {
        cluster_check_batch(&m.batch, &b);
    }
    if (rc2 < 0) {
        CU_ASSERT(e2[0] != '\0');
        CU_ASSERT(rc2 == -EBADMSG || rc2 == -E2BIG || rc2 == -EPROTONOSUPPORT || rc2 == -EINVAL);
    }
    if (rc1 == 0) {
        shoal_wire_msg_release(&m);
    }
    return rc2;
}

static void test_wire_heartbeat(void)
{
    struct shoal_wire_heartbeat hb = {.sender = "worker-1", .epoch = 77, .ts = 1.7e9 + 0.25};
    struct shoal_wire_msg m;
    struct shoal_buf sb = {0};
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_heartbeat(&sb, &hb), 0);
    CU_ASSERT_EQUAL_FATAL(
        shoal_wire_decode((const uint8_t *)sb.p, sb.len, SHOAL_WIRE_HEARTBEAT, &m, NULL, 0), 0);
    CU_ASSERT_STRING_EQUAL(m.hb.sender, "worker-1");
    CU_ASSERT_EQUAL(m.hb.epoch, 77);
    CU_ASSERT_EQUAL(m.hb.ts, 1.7e9 + 0.25);
    shoal_wire_msg_release(&m);
    /* Every prefix is refused; a batch decoder refuses a heartbeat. */
    for (size_t n = 0; n < sb.len; n++) {
        CU_ASSERT_EQUAL(shoal_wire_decode((const uint8_t *)sb.p, n, 0, &m, NULL, 0), -EBADMSG);
    }
    CU_ASSERT_EQUAL(
        shoal_wire_decode((const uint8_t *)sb.p, sb.len, SHOAL_WIRE_LOG_BATCH, &m, NULL, 0),
        -EBADMSG);
    sb.len = 0;
    hb.sender = "bad name";
    CU_ASSERT_EQUAL(shoal_wire_encode_heartbeat(&sb, &hb), -EINVAL);
    hb.sender = "worker-1";
    hb.ts = NAN;
    CU_ASSERT_EQUAL(shoal_wire_encode_heartbeat(&sb, &hb), -EINVAL);
    CU_ASSERT_EQUAL(sb.len, 0);
    shoal_buf_free(&sb);
}

static void test_wire_topic(void)
{
    CU_ASSERT_STRING_EQUAL(shoal_wire_topic(SHOAL_WIRE_LOG_BATCH), "log");
    CU_ASSERT_STRING_EQUAL(shoal_wire_topic(SHOAL_WIRE_LOG_ACK), "log");
    CU_ASSERT_STRING_EQUAL(shoal_wire_topic(SHOAL_WIRE_NOTICE), "notice");
    CU_ASSERT_STRING_EQUAL(shoal_wire_topic(SHOAL_WIRE_STATE_UPDATE), "state");
    CU_ASSERT_STRING_EQUAL(shoal_wire_topic(SHOAL_WIRE_CONTROL_REQUEST), "ctl");
    CU_ASSERT_STRING_EQUAL(shoal_wire_topic(SHOAL_WIRE_CONTROL_REPLY), "ctl");
    CU_ASSERT_STRING_EQUAL(shoal_wire_topic(SHOAL_WIRE_HEARTBEAT), "hb");
    CU_ASSERT_STRING_EQUAL(shoal_wire_type_name(SHOAL_WIRE_HEARTBEAT), "HEARTBEAT");
    CU_ASSERT_PTR_NULL(shoal_wire_topic((enum shoal_wire_type)99));
    CU_ASSERT(shoal_wire_topic_matches("log", 3, SHOAL_WIRE_LOG_ACK));
    CU_ASSERT(!shoal_wire_topic_matches("log", 2, SHOAL_WIRE_LOG_ACK));
    CU_ASSERT(!shoal_wire_topic_matches("logs", 4, SHOAL_WIRE_LOG_BATCH));
    CU_ASSERT(!shoal_wire_topic_matches("ctl", 3, SHOAL_WIRE_NOTICE));
    CU_ASSERT_STRING_EQUAL(shoal_wire_type_name(SHOAL_WIRE_NOTICE), "NOTICE");
    CU_ASSERT_STRING_EQUAL(shoal_wire_type_name((enum shoal_wire_type)0), "unknown");
}

static void test_wire_batch_roundtrip(void)
{
    struct shoal_wire_log_batch b = cluster_batch();
    struct shoal_wire_msg m;
    struct shoal_buf sb = {0}, sb2 = {0};
    char err[128];
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_log_batch(&sb, &b), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)sb.p, sb.len, 0, &m, err, sizeof(err)),
                          0);
    CU_ASSERT_EQUAL(m.type, SHOAL_WIRE_LOG_BATCH);
    cluster_check_batch(&b, &m.batch);
    /* The decoded struct re-encodes to the same bytes. */
    CU_ASSERT_EQUAL(shoal_wire_encode(&sb2, &m), 0);
    CU_ASSERT_EQUAL(sb2.len, sb.len);
    CU_ASSERT(sb2.len == sb.len && memcmp(sb.p, sb2.p, sb.len) == 0);
    shoal_wire_msg_release(&m);
    /* Releasing twice (zeroed) is harmless; so is asking for the type. */
    shoal_wire_msg_release(&m);
    CU_ASSERT_EQUAL(
        shoal_wire_decode((const uint8_t *)sb.p, sb.len, SHOAL_WIRE_LOG_BATCH, &m, NULL, 0), 0);
    shoal_wire_msg_release(&m);

    /* Addresses are 4 bytes for IPv4, strings are bin: peek at the bytes. */
    CU_ASSERT_PTR_NOT_NULL(memmem(sb.p, sb.len, "\xc4\x04\x0a\x00\x00\x01", 6));
    CU_ASSERT_PTR_NOT_NULL(memmem(sb.p, sb.len,
                                  "\xc4\x05"
                                  "a\0\xff\t\n",
                                  7));
    shoal_buf_free(&sb);
    shoal_buf_free(&sb2);
}

static void test_wire_batch_builder(void)
{
    struct shoal_wire_log_batch b = cluster_batch();
    struct shoal_wire_batch_enc e;
    struct shoal_wire_msg m;
    struct shoal_buf whole = {0}, inc = {0};
    struct shoal_value bad[CLUSTER_NF];
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_log_batch(&whole, &b), 0);

    /* Something already in the buffer stays in front. */
    shoal_buf_append(&inc, "xyz", 3);
    CU_ASSERT_EQUAL_FATAL(
        shoal_wire_batch_begin(&e, &inc, b.sender, b.epoch, b.path, b.fields, b.n_fields), 0);
    for (size_t r = 0; r < CLUSTER_NR; r++) {
        CU_ASSERT_EQUAL(shoal_wire_batch_add(&e, cluster_records[r]), 0);
        if (r == 1) {
            /* A bad record is refused and leaves the batch as it was. */
            memcpy(bad, cluster_records[0], sizeof(bad));
            bad[3] = shoal_v_count(65536);
            CU_ASSERT_EQUAL(shoal_wire_batch_add(&e, bad), -EINVAL);
            bad[3] = shoal_v_count(1);
            bad[9].a.prefix = 129;
            CU_ASSERT_EQUAL(shoal_wire_batch_add(&e, bad), -EINVAL);
        }
    }
    CU_ASSERT_EQUAL(shoal_wire_batch_end(&e, 5, 6), -EINVAL);
    CU_ASSERT_EQUAL(shoal_wire_batch_end(&e, 5, 0), -EINVAL);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_batch_end(&e, b.seq, b.base), 0);
    CU_ASSERT_EQUAL_FATAL(inc.len, whole.len + 3);
    CU_ASSERT(memcmp(inc.p, "xyz", 3) == 0);
    CU_ASSERT(memcmp(inc.p + 3, whole.p, whole.len) == 0);

    /* Abort restores the buffer. */
    CU_ASSERT_EQUAL_FATAL(
        shoal_wire_batch_begin(&e, &inc, b.sender, b.epoch, b.path, b.fields, b.n_fields), 0);
    CU_ASSERT_EQUAL(shoal_wire_batch_add(&e, cluster_records[0]), 0);
    shoal_wire_batch_abort(&e);
    CU_ASSERT_EQUAL(inc.len, whole.len + 3);

    /* A batch of zero records. */
    inc.len = 0;
    CU_ASSERT_EQUAL_FATAL(
        shoal_wire_batch_begin(&e, &inc, b.sender, b.epoch, b.path, b.fields, b.n_fields), 0);
    CU_ASSERT_EQUAL(shoal_wire_batch_end(&e, 1, 1), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)inc.p, inc.len, 0, &m, NULL, 0), 0);
    CU_ASSERT_EQUAL(m.batch.n_records, 0);
    CU_ASSERT_EQUAL(m.batch.seq, 1);
    shoal_wire_msg_release(&m);

    /* Refused at begin: bad names and field types. */
    static const struct shoal_field nested[] = {{"x", SHOAL_T_SET, SHOAL_T_VECTOR}};
    static const struct shoal_field badtype[] = {{"x", SHOAL_T_COUNT, SHOAL_T_COUNT}};
    static const struct shoal_field noname[] = {{"", SHOAL_T_COUNT, 0}};
    size_t before = inc.len;
    CU_ASSERT_EQUAL(shoal_wire_batch_begin(&e, &inc, "w 1", 1, "conn", b.fields, 1), -EINVAL);
    CU_ASSERT_EQUAL(shoal_wire_batch_begin(&e, &inc, "w1", 1, "../conn", b.fields, 1), -EINVAL);
    CU_ASSERT_EQUAL(shoal_wire_batch_begin(&e, &inc, "w1", 1, "Conn", b.fields, 1), -EINVAL);
    CU_ASSERT_EQUAL(shoal_wire_batch_begin(&e, &inc, "w1", 1, "conn", b.fields, 0), -EINVAL);
    CU_ASSERT_EQUAL(shoal_wire_batch_begin(&e, &inc, "w1", 1, "conn", nested, 1), -E2BIG);
    CU_ASSERT_EQUAL(shoal_wire_batch_begin(&e, &inc, "w1", 1, "conn", badtype, 1), -EINVAL);
    CU_ASSERT_EQUAL(shoal_wire_batch_begin(&e, &inc, "w1", 1, "conn", noname, 1), -EINVAL);
    CU_ASSERT_EQUAL(inc.len, before);
    shoal_buf_free(&whole);
    shoal_buf_free(&inc);
}

static struct shoal_notice_info cluster_notice(void)
{
    struct shoal_notice_info n = {
        .sender = "proxy-1",
        .ts = 1700000123.5,
        .uid = {"CAbc123", 7},
        .has_id = true,
        .note = "Scan::Address_Scan",
        .msg = {"10.0.0.1 scanned at least 25 unique hosts on port 22/tcp in 2m3s", 64},
        .sub = {"local\0bytes", 11},
        .has_src = true,
        .has_dst = true,
        .has_p = true,
        .p = 22,
        .p_proto = 6,
        .has_n = true,
        .n = 25,
        .identifier = "10.0.0.1",
        .suppress_for = 3600,
    };
    n.id.orig_h = cluster_addr4(10, 0, 0, 1);
    n.id.resp_h = cluster_addr6(9);
    n.id.orig_p = 40000;
    n.id.resp_p = 22;
    n.id.proto = 6;
    n.src = cluster_addr4(10, 0, 0, 1);
    n.dst = cluster_addr6(2);
    return n;
}

static void cluster_check_notice(const struct shoal_notice_info *a,
                                 const struct shoal_notice_info *b)
{
    CU_ASSERT_STRING_EQUAL(a->sender, b->sender);
    CU_ASSERT_EQUAL(a->ts, b->ts);
    CU_ASSERT_EQUAL(a->uid.p == NULL, b->uid.p == NULL);
    CU_ASSERT(a->uid.len == b->uid.len &&
              (a->uid.len == 0 || !memcmp(a->uid.p, b->uid.p, a->uid.len)));
    CU_ASSERT_EQUAL(a->has_id, b->has_id);
    if (a->has_id && b->has_id) {
        CU_ASSERT(memcmp(&a->id.orig_h, &b->id.orig_h, 16) == 0);
        CU_ASSERT(memcmp(&a->id.resp_h, &b->id.resp_h, 16) == 0);
        CU_ASSERT_EQUAL(a->id.orig_p, b->id.orig_p);
        CU_ASSERT_EQUAL(a->id.resp_p, b->id.resp_p);
        CU_ASSERT_EQUAL(a->id.proto, b->id.proto);
    }
    CU_ASSERT_STRING_EQUAL(a->note, b->note);
    CU_ASSERT_EQUAL(a->msg.p == NULL, b->msg.p == NULL);
    CU_ASSERT(a->msg.len == b->msg.len &&
              (a->msg.len == 0 || !memcmp(a->msg.p, b->msg.p, a->msg.len)));
    CU_ASSERT_EQUAL(a->sub.p == NULL, b->sub.p == NULL);
    CU_ASSERT(a->sub.len == b->sub.len &&
              (a->sub.len == 0 || !memcmp(a->sub.p, b->sub.p, a->sub.len)));
    CU_ASSERT_EQUAL(a->has_src, b->has_src);
    CU_ASSERT(!a->has_src || memcmp(&a->src, &b->src, 16) == 0);
    CU_ASSERT_EQUAL(a->has_dst, b->has_dst);
    CU_ASSERT(!a->has_dst || memcmp(&a->dst, &b->dst, 16) == 0);
    CU_ASSERT_EQUAL(a->has_p, b->has_p);
    CU_ASSERT(!a->has_p || (a->p == b->p && a->p_proto == b->p_proto));
    CU_ASSERT_EQUAL(a->has_n, b->has_n);
    CU_ASSERT(!a->has_n || a->n == b->n);
    CU_ASSERT_EQUAL(a->identifier == NULL, b->identifier == NULL);
    if (a->identifier != NULL && b->identifier != NULL) {
        CU_ASSERT_STRING_EQUAL(a->identifier, b->identifier);
    }
    CU_ASSERT_EQUAL(a->suppress_for, b->suppress_for);
}

static void test_wire_notice_roundtrip(void)
{
    struct shoal_notice_info n = cluster_notice();
    struct shoal_notice_info bare = {.sender = "worker-2", .ts = 5, .note = "Weird::Activity"};
    struct shoal_wire_msg m;
    struct shoal_buf sb = {0};
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_notice(&sb, &n), 0);
    CU_ASSERT_EQUAL_FATAL(
        shoal_wire_decode((const uint8_t *)sb.p, sb.len, SHOAL_WIRE_NOTICE, &m, NULL, 0), 0);
    cluster_check_notice(&n, &m.notice);
    shoal_wire_msg_release(&m);

    sb.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_notice(&sb, &bare), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)sb.p, sb.len, 0, &m, NULL, 0), 0);
    CU_ASSERT_EQUAL(m.type, SHOAL_WIRE_NOTICE);
    cluster_check_notice(&bare, &m.notice);
    CU_ASSERT_PTR_NULL(m.notice.identifier);
    CU_ASSERT_PTR_NULL(m.notice.msg.p);
    shoal_wire_msg_release(&m);

    /* Refused by the encoder: what the decoder would refuse. */
    sb.len = 0;
    n.note = "Scan::Address Scan";
    CU_ASSERT_EQUAL(shoal_wire_encode_notice(&sb, &n), -EINVAL);
    n = cluster_notice();
    n.ts = NAN;
    CU_ASSERT_EQUAL(shoal_wire_encode_notice(&sb, &n), -EINVAL);
    n = cluster_notice();
    n.suppress_for = -1;
    CU_ASSERT_EQUAL(shoal_wire_encode_notice(&sb, &n), -EINVAL);
    n = cluster_notice();
    n.sender = "";
    CU_ASSERT_EQUAL(shoal_wire_encode_notice(&sb, &n), -EINVAL);
    CU_ASSERT_EQUAL(sb.len, 0);
    shoal_buf_free(&sb);
}

static void test_wire_small_roundtrips(void)
{
    struct shoal_wire_log_ack ack = {"worker-1", 99, 123456};
    struct shoal_wire_state st = {"worker-2", "known_hosts", {"\x0a\x00\x00\x01", 4}, 7, 1.7e9};
    struct shoal_str args[] = {{"conn.log", 8}, {"", 0}, {"a\0b", 3}};
    struct shoal_wire_ctl_request req = {42, "print", args, 3};
    struct shoal_wire_ctl_request noargs = {43, "status", NULL, 0};
    struct shoal_wire_kv items[] = {{"state", {"running", 7}}, {"packets", {"123", 3}}};
    struct shoal_wire_ctl_reply rep = {42, -2, items, 2};
    struct shoal_wire_msg m;
    struct shoal_buf sb = {0}, sb2 = {0};

    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_log_ack(&sb, &ack), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)sb.p, sb.len, 0, &m, NULL, 0), 0);
    CU_ASSERT_EQUAL(m.type, SHOAL_WIRE_LOG_ACK);
    CU_ASSERT_STRING_EQUAL(m.ack.sender, "worker-1");
    CU_ASSERT_EQUAL(m.ack.epoch, 99);
    CU_ASSERT_EQUAL(m.ack.seq, 123456);
    shoal_wire_msg_release(&m);

    sb.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_state(&sb, &st), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)sb.p, sb.len, 0, &m, NULL, 0), 0);
    CU_ASSERT_EQUAL(m.type, SHOAL_WIRE_STATE_UPDATE);
    CU_ASSERT_STRING_EQUAL(m.state.sender, "worker-2");
    CU_ASSERT_STRING_EQUAL(m.state.kind, "known_hosts");
    CU_ASSERT_EQUAL(m.state.key.len, 4);
    CU_ASSERT(memcmp(m.state.key.p, "\x0a\x00\x00\x01", 4) == 0);
    CU_ASSERT_EQUAL(m.state.value, 7);
    CU_ASSERT_EQUAL(m.state.expire, 1.7e9);
    CU_ASSERT_EQUAL(shoal_wire_encode(&sb2, &m), 0);
    CU_ASSERT(sb2.len == sb.len && memcmp(sb.p, sb2.p, sb.len) == 0);
    shoal_wire_msg_release(&m);

    sb.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_ctl_request(&sb, &req), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)sb.p, sb.len, 0, &m, NULL, 0), 0);
    CU_ASSERT_EQUAL(m.type, SHOAL_WIRE_CONTROL_REQUEST);
    CU_ASSERT_EQUAL(m.req.id, 42);
    CU_ASSERT_STRING_EQUAL(m.req.command, "print");
    CU_ASSERT_EQUAL_FATAL(m.req.n_args, 3);
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(m.req.args[i].len, args[i].len);
        CU_ASSERT(memcmp(m.req.args[i].p, args[i].p, args[i].len) == 0);
    }
    shoal_wire_msg_release(&m);

    sb.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_ctl_request(&sb, &noargs), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)sb.p, sb.len, 0, &m, NULL, 0), 0);
    CU_ASSERT_EQUAL(m.req.n_args, 0);
    CU_ASSERT_STRING_EQUAL(m.req.command, "status");
    shoal_wire_msg_release(&m);

    sb.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_ctl_reply(&sb, &rep), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)sb.p, sb.len, 0, &m, NULL, 0), 0);
    CU_ASSERT_EQUAL(m.type, SHOAL_WIRE_CONTROL_REPLY);
    CU_ASSERT_EQUAL(m.rep.id, 42);
    CU_ASSERT_EQUAL(m.rep.status, -2);
    CU_ASSERT_EQUAL_FATAL(m.rep.n_items, 2);
    CU_ASSERT_STRING_EQUAL(m.rep.items[0].key, "state");
    CU_ASSERT_STRING_EQUAL(m.rep.items[0].value.p, "running");
    CU_ASSERT_STRING_EQUAL(m.rep.items[1].key, "packets");
    CU_ASSERT_STRING_EQUAL(m.rep.items[1].value.p, "123");
    shoal_wire_msg_release(&m);

    /* Encoder refusals. */
    sb.len = 0;
    req.command = "two words";
    CU_ASSERT_EQUAL(shoal_wire_encode_ctl_request(&sb, &req), -EINVAL);
    req.command = "print";
    req.n_args = SHOAL_WIRE_MAX_ARGS + 1;
    CU_ASSERT_EQUAL(shoal_wire_encode_ctl_request(&sb, &req), -E2BIG);
    st.kind = "known hosts";
    CU_ASSERT_EQUAL(shoal_wire_encode_state(&sb, &st), -EINVAL);
    ack.sender = NULL;
    CU_ASSERT_EQUAL(shoal_wire_encode_log_ack(&sb, &ack), -EINVAL);
    items[1].key = "";
    CU_ASSERT_EQUAL(shoal_wire_encode_ctl_reply(&sb, &rep), -EINVAL);
    CU_ASSERT_EQUAL(sb.len, 0);
    shoal_buf_free(&sb);
    shoal_buf_free(&sb2);
}

/* Encode one valid body of each message type into bodies[i]. */
#define CLUSTER_NBODIES 7
static void cluster_valid_bodies(struct shoal_buf *bodies)
{
    struct shoal_wire_log_batch b = cluster_batch();
    struct shoal_notice_info n = cluster_notice();
    struct shoal_wire_log_ack ack = {"worker-1", 1, 2};
    struct shoal_wire_state st = {"w", "scan", {"k", 1}, 1, 2};
    struct shoal_str args[] = {{"x", 1}};
    struct shoal_wire_ctl_request req = {1, "stop", args, 1};
    struct shoal_wire_kv items[] = {{"a", {"b", 1}}};
    struct shoal_wire_ctl_reply rep = {1, 0, items, 1};
    struct shoal_notice_info bare = {.sender = "m", .ts = 1, .note = "N"};

    for (int i = 0; i < CLUSTER_NBODIES; i++) {
        memset(&bodies[i], 0, sizeof(bodies[i]));
    }
    CU_ASSERT_EQUAL(shoal_wire_encode_log_batch(&bodies[0], &b), 0);
    CU_ASSERT_EQUAL(shoal_wire_encode_notice(&bodies[1], &n), 0);
    CU_ASSERT_EQUAL(shoal_wire_encode_log_ack(&bodies[2], &ack), 0);
    CU_ASSERT_EQUAL(shoal_wire_encode_state(&bodies[3], &st), 0);
    CU_ASSERT_EQUAL(shoal_wire_encode_ctl_request(&bodies[4], &req), 0);
    CU_ASSERT_EQUAL(shoal_wire_encode_ctl_reply(&bodies[5], &rep), 0);
    CU_ASSERT_EQUAL(shoal_wire_encode_notice(&bodies[6], &bare), 0);
}

static void test_wire_prefixes(void)
{
    struct shoal_buf bodies[CLUSTER_NBODIES];
    struct shoal_wire_msg m;
    char err[160];
    size_t refused = 0, total = 0;

    cluster_valid_bodies(bodies);
    for (int i = 0; i < CLUSTER_NBODIES; i++) {
        const uint8_t *p = (const uint8_t *)bodies[i].p;
        size_t len = bodies[i].len;
        CU_ASSERT_EQUAL(shoal_wire_decode(p, len, 0, &m, err, sizeof(err)), 0);
        shoal_wire_msg_release(&m);
        for (size_t k = 0; k < len; k++) {
            int rc = shoal_wire_decode(p, k, 0, &m, err, sizeof(err));
            CU_ASSERT_NOT_EQUAL(cluster_decode_both(p, k), 0);
            total++;
            if (rc == -EBADMSG && err[0] != '\0') {
                refused++;
            } else {
                fprintf(stderr, "body %d prefix %zu: %d\n", i, k, rc);
            }
        }
        /* One trailing byte too many. */
        uint8_t *longer = malloc(len + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(longer);
        memcpy(longer, p, len);
        longer[len] = 0xc0;
        CU_ASSERT_EQUAL(shoal_wire_decode(longer, len + 1, 0, &m, err, sizeof(err)), -EBADMSG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "trailing"));
        CU_ASSERT_EQUAL(cluster_decode_both(longer, len + 1), -EBADMSG);
        CU_ASSERT_EQUAL(cluster_decode_both(p, len), i == 0 ? 0 : -EBADMSG);
        free(longer);
    }
    CU_ASSERT_EQUAL(refused, total);
    CU_ASSERT(total > 500);
    for (int i = 0; i < CLUSTER_NBODIES; i++) {
        shoal_buf_free(&bodies[i]);
    }
}

/* The batch encoder writes common values itself; its bytes must be what
 * msgpack's packer writes (smallest uint form, bin8/16/32, float64), at
 * every size boundary. */
static void test_wire_record_bytes(void)
{
    static const struct shoal_field fields[] = {
        {"b", SHOAL_T_BOOL, 0},
        {"c", SHOAL_T_COUNT, 0},
        {"p", SHOAL_T_PORT, 0},
        {"t", SHOAL_T_TIME, 0},
        {"s", SHOAL_T_STRING, 0},
        {"e", SHOAL_T_ENUM, 0},
        {"a", SHOAL_T_ADDR, 0},
        {"i", SHOAL_T_INT, 0},
        {"n", SHOAL_T_SUBNET, 0},
        {"u", SHOAL_T_COUNT, 0},
        {"v", SHOAL_T_VECTOR, SHOAL_T_STRING},
    };
    static const uint64_t counts[] = {
        0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffu, 0x100000000ull, UINT64_MAX};
    static const size_t lens[] = {0, 1, 31, 32, 255, 256, 65535, 65536, 70000};
    char *text = malloc(70000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    memset(text, 'x', 70000);

    for (size_t k = 0; k < 11 * 9; k++) {
        struct shoal_value v[11], el[2];
        struct shoal_addr a;
        uint64_t u = counts[k % 11];
        size_t len = lens[k % 9];
        memset(&a, 0, sizeof(a));
        for (int i = 0; i < 16; i++) {
            a.b[i] = (uint8_t)(k * 7 + (size_t)i);
        }
        if (k % 2 == 0) {
            memset(a.b, 0, 10);
            a.b[10] = a.b[11] = 0xff;
        }
        v[0] = shoal_v_bool(k % 3 == 0);
        v[1] = shoal_v_count(u);
        v[2] = shoal_v_count(u % 65536);
        v[3] = shoal_v_double(k % 4 == 0 ? -0.5 : 1700000000.123456 * (double)k);
        v[4] = shoal_v_strn(text, len);
        v[5] = k % 5 == 0 ? shoal_v_unset() : shoal_v_strn(text, len % 300);
        v[6] = shoal_v_addr(&a);
        v[7] = shoal_v_int(k % 2 ? -(int64_t)(u >> 1) : (int64_t)(u >> 1));
        v[8] = shoal_v_addr(&a);
        v[8].a.prefix = (uint8_t)(k % 33);
        v[9] = k % 7 == 0 ? shoal_v_unset() : shoal_v_count(u ^ 0x5555);
        el[0] = shoal_v_strn(text, 3);
        el[1] = shoal_v_strn(text, len % 40);
        v[10] = shoal_v_vec(el, k % 3);

        struct shoal_buf got = {0}, want = {0};
        msgpack_packer pk;
        struct shoal_wire_batch_enc e;
        CU_ASSERT_EQUAL_FATAL(shoal_wire_batch_begin(&e, &got, "w", 1, "s", fields, 11), 0);
        size_t start = got.len;
        CU_ASSERT_EQUAL_FATAL(shoal_wire_batch_add(&e, v), 0);

        msgpack_packer_init(&pk, &want, wire_test_write);
        msgpack_pack_array(&pk, 11);
        for (int i = 0; i < 11; i++) {
            const struct shoal_value *x = &v[i];
            bool v4 = shoal_addr_is_v4(&x->a.addr);
            uint8_t sub[17];
            if (!x->present) {
                msgpack_pack_nil(&pk);
                continue;
            }
            switch (fields[i].type) {
            case SHOAL_T_BOOL:
                x->b ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
                break;
            case SHOAL_T_COUNT:
            case SHOAL_T_PORT:
                msgpack_pack_uint64(&pk, x->u);
                break;
            case SHOAL_T_TIME:
                msgpack_pack_double(&pk, x->d);
                break;
            case SHOAL_T_STRING:
            case SHOAL_T_ENUM:
                msgpack_pack_bin(&pk, x->s.len);
                msgpack_pack_bin_body(&pk, x->s.p, x->s.len);
                break;
            case SHOAL_T_ADDR:
                msgpack_pack_bin(&pk, v4 ? 4 : 16);
                msgpack_pack_bin_body(&pk, v4 ? x->a.addr.b + 12 : x->a.addr.b, v4 ? 4 : 16);
                break;
            case SHOAL_T_INT:
                msgpack_pack_int64(&pk, x->i);
                break;
            case SHOAL_T_SUBNET:
                memcpy(sub, v4 ? x->a.addr.b + 12 : x->a.addr.b, v4 ? 4 : 16);
                sub[v4 ? 4 : 16] = x->a.prefix;
                msgpack_pack_bin(&pk, v4 ? 5 : 17);
                msgpack_pack_bin_body(&pk, sub, v4 ? 5 : 17);
                break;
            default:
                msgpack_pack_array(&pk, x->v.n);
                for (size_t j = 0; j < x->v.n; j++) {
                    msgpack_pack_bin(&pk, x->v.v[j].s.len);
                    msgpack_pack_bin_body(&pk, x->v.v[j].s.p, x->v.v[j].s.len);
                }
                break;
            }
        }
        CU_ASSERT_EQUAL(got.len - start, want.len);
        CU_ASSERT(got.len - start == want.len && memcmp(got.p + start, want.p, want.len) == 0);
        shoal_buf_free(&got);
        shoal_buf_free(&want);
    }
    free(text);
}

static void test_wire_version(void)
{
    struct shoal_buf bodies[CLUSTER_NBODIES];
    struct shoal_wire_msg m;
    char err[160];

    cluster_valid_bodies(bodies);
    for (int i = 0; i < CLUSTER_NBODIES; i++) {
        uint8_t *p = (uint8_t *)bodies[i].p;
        size_t len = bodies[i].len;
        /* Byte 0 is a fixarray header, byte 1 the version fixint. */
        CU_ASSERT_EQUAL_FATAL(p[1], SHOAL_WIRE_VERSION);
        p[1] = 2;
        CU_ASSERT_EQUAL(shoal_wire_decode(p, len, 0, &m, err, sizeof(err)), -EPROTONOSUPPORT);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "version 2"));
        CU_ASSERT_EQUAL(cluster_decode_both(p, len), -EPROTONOSUPPORT);
        p[1] = 0;
        CU_ASSERT_EQUAL(shoal_wire_decode(p, len, 0, &m, err, sizeof(err)), -EPROTONOSUPPORT);
        p[1] = 0xc0; /* nil: not a version at all */
        CU_ASSERT_EQUAL(shoal_wire_decode(p, len, 0, &m, err, sizeof(err)), -EBADMSG);
        CU_ASSERT_EQUAL(cluster_decode_both(p, len), -EBADMSG);
        p[1] = SHOAL_WIRE_VERSION;
        /* Wrong type asked for. */
        enum shoal_wire_type other = i == 0 ? SHOAL_WIRE_NOTICE : SHOAL_WIRE_LOG_BATCH;
        CU_ASSERT_EQUAL(shoal_wire_decode(p, len, other, &m, err, sizeof(err)), -EBADMSG);
        /* Another known type number in front of this layout. */
        p[2] = (uint8_t)(p[2] % SHOAL_WIRE_TYPE_LAST + 1);
        CU_ASSERT_EQUAL(shoal_wire_decode(p, len, 0, &m, err, sizeof(err)), -EBADMSG);
        CU_ASSERT_EQUAL(cluster_decode_both(p, len), -EBADMSG);
        p[2] = SHOAL_WIRE_TYPE_LAST + 1;
        CU_ASSERT_EQUAL(shoal_wire_decode(p, len, 0, &m, err, sizeof(err)), -EBADMSG);
        CU_ASSERT_EQUAL(cluster_decode_both(p, len), -EBADMSG);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown message type"));
    }
    for (int i = 0; i < CLUSTER_NBODIES; i++) {
        shoal_buf_free(&bodies[i]);
    }
}

/* Decode a hand-made body and check the errno. */
static int cluster_decode_sb(struct shoal_buf *sb)
{
    struct shoal_wire_msg m;
    char err[160];
    int rc = shoal_wire_decode((const uint8_t *)sb->p, sb->len, 0, &m, err, sizeof(err));

    if (rc == 0) {
        if (m.type == SHOAL_WIRE_LOG_BATCH) {
            CU_ASSERT_EQUAL(cluster_decode_both((const uint8_t *)sb->p, sb->len), 0);
        }
        shoal_wire_msg_release(&m);
    } else {
        CU_ASSERT_NOT_EQUAL(cluster_decode_both((const uint8_t *)sb->p, sb->len), 0);
    }
    sb->len = 0;
    return rc;
}

static void cluster_pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

/* [1, 1, "w", 1, seq, base, path, [[name, type, elem]], records...]: the
 * head of a batch with one field, records array left to the caller. */
static void cluster_batch_head(msgpack_packer *pk, uint64_t seq, uint64_t base, const char *path,
                               unsigned type, unsigned elem)
{
    msgpack_pack_array(pk, 9);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint8(pk, 1);
    cluster_pack_str(pk, "w");
    msgpack_pack_uint64(pk, 1);
    msgpack_pack_uint64(pk, seq);
    msgpack_pack_uint64(pk, base);
    cluster_pack_str(pk, path);
    msgpack_pack_array(pk, 1);
    msgpack_pack_array(pk, 3);
    cluster_pack_str(pk, "f");
    msgpack_pack_uint32(pk, type);
    msgpack_pack_uint32(pk, elem);
}

static void test_wire_corrupt(void)
{
    struct shoal_buf sb = {0};
    msgpack_packer pk;
    struct shoal_wire_msg m;
    char err[160];
    msgpack_packer_init(&pk, &sb, wire_test_write);

    /* Not a body. */
    CU_ASSERT_EQUAL(shoal_wire_decode(NULL, 0, 0, &m, err, sizeof(err)), -EBADMSG);
    msgpack_pack_uint8(&pk, 1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    /* Never-used byte, ext types. */
    shoal_buf_append(&sb, "\x92\x01\xc1", 3);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    shoal_buf_append(&sb, "\x92\x01\xd4\x01\x02", 5);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    shoal_buf_append(&sb, "\x92\x01\xc7\x01\x05\x00", 6);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    /* Huge declared containers in a few bytes: refused before msgpack-c
     * would allocate for them. */
    shoal_buf_append(&sb, "\xdd\x7f\xff\xff\xff\x01\x01", 7);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    shoal_buf_append(&sb, "\x93\x01\x05\xdf\xff\xff\xff\xff", 8);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    shoal_buf_append(&sb, "\x93\x01\x05\xc6\xff\xff\xff\xff", 8);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -E2BIG);
    shoal_buf_append(&sb, "\x93\x01\x05\xc6\x00\x01\x00\x00", 8);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);

    /* Wrong arity, wrong element types. */
    msgpack_pack_array(&pk, 4);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 2);
    cluster_pack_str(&pk, "w");
    msgpack_pack_uint8(&pk, 1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    msgpack_pack_array(&pk, 5);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 2);
    cluster_pack_str(&pk, "w");
    msgpack_pack_uint8(&pk, 1);
    cluster_pack_str(&pk, "5");
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    msgpack_pack_array(&pk, 5);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 2);
    cluster_pack_str(&pk, "w/1");
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    msgpack_pack_array(&pk, 5);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 2);
    cluster_pack_str(&pk, "w");
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_int8(&pk, -1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);

    /* Batch: base > seq, base 0, bad path, bad values. */
    cluster_batch_head(&pk, 5, 6, "conn", SHOAL_T_COUNT, 0);
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    cluster_batch_head(&pk, 5, 0, "conn", SHOAL_T_COUNT, 0);
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    cluster_batch_head(&pk, 5, 5, "../../etc/passwd", SHOAL_T_COUNT, 0);
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    cluster_batch_head(&pk, 5, 5, "conn", 99, 0);
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    cluster_batch_head(&pk, 5, 5, "conn", SHOAL_T_SET, SHOAL_T_SET);
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -E2BIG);
    cluster_batch_head(&pk, 5, 5, "conn", SHOAL_T_SET, 0);
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    /* A record with the wrong number of values. */
    cluster_batch_head(&pk, 5, 5, "conn", SHOAL_T_COUNT, 0);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_array(&pk, 2);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);
    /* Values of the wrong type. */
    static const struct {
        unsigned type, elem;
        const char *bytes;
        size_t len;
        int rc;
    } vals[] = {
        {SHOAL_T_COUNT, 0, "\xff", 1, -EBADMSG}, /* negative count */
        {SHOAL_T_COUNT, 0, "\xcb\0\0\0\0\0\0\0\0", 9, -EBADMSG},
        {SHOAL_T_INT, 0, "\xcf\xff\0\0\0\0\0\0\0", 9, -EBADMSG}, /* > INT64_MAX */
        {SHOAL_T_BOOL, 0, "\x01", 1, -EBADMSG},
        {SHOAL_T_DOUBLE, 0, "\x01", 1, -EBADMSG},
        {SHOAL_T_STRING, 0, "\x01", 1, -EBADMSG},
        {SHOAL_T_ADDR, 0,
         "\xc4\x05"
         "abcde",
         7, -EBADMSG},
        {SHOAL_T_ADDR, 0,
         "\xa4"
         "abcd",
         5, -EBADMSG},                                              /* str, not bin */
        {SHOAL_T_SUBNET, 0, "\xc4\x05\x0a\0\0\0\x81", 7, -EBADMSG}, /* /129 */
        {SHOAL_T_SUBNET, 0, "\xc4\x04\x0a\0\0\0", 6, -EBADMSG},
        {SHOAL_T_PORT, 0, "\xce\0\x01\0\0", 5, -EBADMSG}, /* 65536 */
        {SHOAL_T_SET, SHOAL_T_COUNT, "\x01", 1, -EBADMSG},
        {SHOAL_T_SET, SHOAL_T_COUNT, "\x91\xa1x", 3, -EBADMSG},
        {SHOAL_T_VECTOR, SHOAL_T_COUNT, "\x91\x91\x01", 3, -E2BIG}, /* nesting 3 */
        {SHOAL_T_VECTOR, SHOAL_T_COUNT, "\x91\x80", 2, 0},          /* empty map: type */
        {SHOAL_T_COUNT, 0, "\xcc\x05", 2, 0},                       /* wide uint8 is fine */
        {SHOAL_T_DOUBLE, 0, "\xca\x3f\x80\0\0", 5, 0},              /* float32 is fine */
        {SHOAL_T_STRING, 0, "\xa1x", 2, 0},                         /* str for string too */
    };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        cluster_batch_head(&pk, 5, 5, "conn", vals[i].type, vals[i].elem);
        msgpack_pack_array(&pk, 1);
        msgpack_pack_array(&pk, 1);
        shoal_buf_append(&sb, vals[i].bytes, vals[i].len);
        int rc = cluster_decode_sb(&sb);
        int want = vals[i].rc;
        if (i == 14) {
            want = -EBADMSG; /* a map where an element is wanted */
        }
        CU_ASSERT_EQUAL(rc, want);
        if (rc != want) {
            fprintf(stderr, "value case %zu: %d, want %d\n", i, rc, want);
        }
    }

    /* Limits: too many fields, records, a string past 1 MiB. */
    msgpack_pack_array(&pk, 9);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    cluster_pack_str(&pk, "w");
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    cluster_pack_str(&pk, "conn");
    msgpack_pack_array(&pk, SHOAL_WIRE_MAX_FIELDS + 1);
    for (unsigned i = 0; i <= SHOAL_WIRE_MAX_FIELDS; i++) {
        msgpack_pack_array(&pk, 3);
        cluster_pack_str(&pk, "f");
        msgpack_pack_uint8(&pk, SHOAL_T_COUNT);
        msgpack_pack_uint8(&pk, 0);
    }
    msgpack_pack_array(&pk, 0);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -E2BIG);

    cluster_batch_head(&pk, 5, 5, "conn", SHOAL_T_COUNT, 0);
    msgpack_pack_array(&pk, SHOAL_WIRE_MAX_RECORDS + 1);
    for (unsigned i = 0; i <= SHOAL_WIRE_MAX_RECORDS; i++) {
        msgpack_pack_array(&pk, 1);
        msgpack_pack_nil(&pk);
    }
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -E2BIG);
    /* Exactly the limit passes. */
    cluster_batch_head(&pk, 5, 5, "conn", SHOAL_T_COUNT, 0);
    msgpack_pack_array(&pk, SHOAL_WIRE_MAX_RECORDS);
    for (unsigned i = 0; i < SHOAL_WIRE_MAX_RECORDS; i++) {
        msgpack_pack_array(&pk, 1);
        msgpack_pack_uint8(&pk, 1);
    }
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), 0);

    char *big = calloc(1, SHOAL_WIRE_MAX_STR + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    cluster_batch_head(&pk, 5, 5, "conn", SHOAL_T_STRING, 0);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_bin(&pk, SHOAL_WIRE_MAX_STR + 1);
    msgpack_pack_bin_body(&pk, big, SHOAL_WIRE_MAX_STR + 1);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -E2BIG);
    cluster_batch_head(&pk, 5, 5, "conn", SHOAL_T_STRING, 0);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_bin(&pk, SHOAL_WIRE_MAX_STR);
    msgpack_pack_bin_body(&pk, big, SHOAL_WIRE_MAX_STR);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), 0);
    /* The encoder refuses the same. */
    struct shoal_field sf = {"s", SHOAL_T_STRING, 0};
    struct shoal_value sv = shoal_v_strn(big, SHOAL_WIRE_MAX_STR + 1);
    struct shoal_wire_log_batch b = {"w", 1, 1, 1, "conn", &sf, 1, &sv, 1};
    CU_ASSERT_EQUAL(shoal_wire_encode_log_batch(&sb, &b), -E2BIG);
    CU_ASSERT_EQUAL(sb.len, 0);
    free(big);

    /* Notice: NaN time, negative interval, note with a blank, NUL in the
     * identifier, a malformed conn id. */
    struct shoal_notice_info n = cluster_notice();
    n.ts = 30;
    n.suppress_for = 30;
    CU_ASSERT_EQUAL(shoal_wire_encode_notice(&sb, &n), 0);
    uint8_t *p = (uint8_t *)sb.p;
    uint8_t *ts = memmem(p, sb.len, "\xcb\x40\x3e\0\0\0\0\0\0", 9);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
    ts[1] = 0x7f;
    ts[2] = 0xf8;
    CU_ASSERT_EQUAL(shoal_wire_decode(p, sb.len, 0, &m, err, sizeof(err)), -EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ts"));
    ts[1] = 0x40;
    ts[2] = 0x3e;
    /* The last 9 bytes are suppress_for: make it -30. */
    CU_ASSERT_EQUAL(p[sb.len - 9], 0xcb);
    p[sb.len - 8] = 0xc0;
    CU_ASSERT_EQUAL(shoal_wire_decode(p, sb.len, 0, &m, err, sizeof(err)), -EBADMSG);
    p[sb.len - 8] = 0x40;
    CU_ASSERT_EQUAL(shoal_wire_decode(p, sb.len, 0, &m, err, sizeof(err)), 0);
    shoal_wire_msg_release(&m);
    uint8_t *note = memmem(p, sb.len, "Scan::Address_Scan", 18);
    CU_ASSERT_PTR_NOT_NULL_FATAL(note);
    note[4] = ' ';
    CU_ASSERT_EQUAL(shoal_wire_decode(p, sb.len, 0, &m, err, sizeof(err)), -EBADMSG);
    note[4] = ':';
    uint8_t *ident = memmem(p, sb.len,
                            "\xc4\x08"
                            "10.0.0.1",
                            10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ident);
    ident[4] = '\0';
    CU_ASSERT_EQUAL(shoal_wire_decode(p, sb.len, 0, &m, err, sizeof(err)), -EBADMSG);
    ident[4] = '.';
    uint8_t *id = memmem(p, sb.len, "\x95\xc4\x04", 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(id);
    id[0] = 0x94;
    CU_ASSERT_EQUAL(shoal_wire_decode(p, sb.len, 0, &m, err, sizeof(err)), -EBADMSG);
    id[0] = 0x95;
    CU_ASSERT_EQUAL(shoal_wire_decode(p, sb.len, 0, &m, err, sizeof(err)), 0);
    shoal_wire_msg_release(&m);
    sb.len = 0;

    /* Control: too many args, a reply whose map key is a number. */
    msgpack_pack_array(&pk, 5);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 5);
    msgpack_pack_uint8(&pk, 1);
    cluster_pack_str(&pk, "status");
    msgpack_pack_array(&pk, SHOAL_WIRE_MAX_ARGS + 1);
    for (unsigned i = 0; i <= SHOAL_WIRE_MAX_ARGS; i++) {
        cluster_pack_str(&pk, "a");
    }
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -E2BIG);
    msgpack_pack_array(&pk, 5);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_uint8(&pk, 6);
    msgpack_pack_uint8(&pk, 1);
    msgpack_pack_int8(&pk, -1);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_uint8(&pk, 1);
    cluster_pack_str(&pk, "v");
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -EBADMSG);

    /* Nesting past the limit anywhere. */
    shoal_buf_append(&sb, "\x93\x01\x05\x91\x91\x91\x91\x01", 8);
    CU_ASSERT_EQUAL(cluster_decode_sb(&sb), -E2BIG);
    shoal_buf_free(&sb);
}

/* Flip random bytes of valid bodies: never a crash, and whatever still
 * decodes re-encodes to a body that decodes to the same bytes again. */
static void test_wire_random_corruption(void)
{
    struct shoal_buf bodies[CLUSTER_NBODIES];
    struct shoal_buf re = {0}, re2 = {0};
    struct shoal_wire_msg m, m2;
    unsigned decoded = 0, refused = 0;

    cluster_valid_bodies(bodies);
    for (int round = 0; round < 4000; round++) {
        struct shoal_buf *b = &bodies[round % CLUSTER_NBODIES];
        uint8_t *copy = malloc(b->len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, b->p, b->len);
        int flips = 1 + (int)(cluster_rand() % 3);
        for (int f = 0; f < flips; f++) {
            copy[cluster_rand() % b->len] = (uint8_t)cluster_rand();
        }
        size_t len = b->len - (cluster_rand() % 4 == 0 ? cluster_rand() % b->len : 0);
        int rc = shoal_wire_decode(copy, len, 0, &m, NULL, 0);
        int rc2 = cluster_decode_both(copy, len);
        CU_ASSERT(rc2 == 0 ? rc == 0 && m.type == SHOAL_WIRE_LOG_BATCH
                           : rc != 0 || m.type != SHOAL_WIRE_LOG_BATCH);
        if (rc == 0) {
            decoded++;
            re.len = 0;
            re2.len = 0;
            CU_ASSERT_EQUAL(shoal_wire_encode(&re, &m), 0);
            CU_ASSERT_EQUAL_FATAL(shoal_wire_decode((const uint8_t *)re.p, re.len, 0, &m2, NULL, 0),
                                  0);
            CU_ASSERT_EQUAL(shoal_wire_encode(&re2, &m2), 0);
            CU_ASSERT(re.len == re2.len && memcmp(re.p, re2.p, re.len) == 0);
            shoal_wire_msg_release(&m2);
            shoal_wire_msg_release(&m);
        } else {
            CU_ASSERT(rc == -EBADMSG || rc == -E2BIG || rc == -EPROTONOSUPPORT);
            refused++;
        }
        free(copy);
    }
    CU_ASSERT(decoded > 0);
    CU_ASSERT(refused > 0);
    shoal_buf_free(&re);
    shoal_buf_free(&re2);
    for (int i = 0; i < CLUSTER_NBODIES; i++) {
        shoal_buf_free(&bodies[i]);
    }
}

/* The one-pass decoder on its own: values equal to what was encoded, string
 * values in the body's bytes, its buffers reused and shrunk across batches
 * of other sizes, encodings msgpack-c accepts that the encoder does not
 * write, and refusals with shoal_wire_decode's errno and reason. */
static void test_wire_batch_decoder(void)
{
    struct shoal_wire_log_batch b = cluster_batch(), got;
    struct shoal_wire_batch_dec *d = shoal_wire_batch_dec_new();
    struct shoal_buf sb = {0}, big = {0};
    msgpack_packer pk;
    char err[160];

    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_log_batch(&sb, &b), 0);
    CU_ASSERT_EQUAL_FATAL(
        shoal_wire_batch_decode(d, (const uint8_t *)sb.p, sb.len, &got, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(err, "");
    cluster_check_batch(&b, &got);
    const char *uid = got.records[1].s.p;
    CU_ASSERT(uid >= sb.p && uid + got.records[1].s.len <= sb.p + sb.len);

    /* 5000 records of the same columns: past what the decoder keeps, then
     * the small batch again. */
    struct shoal_value *many = calloc(5000 * CLUSTER_NF, sizeof(*many));
    CU_ASSERT_PTR_NOT_NULL_FATAL(many);
    for (size_t r = 0; r < 5000; r++) {
        memcpy(&many[r * CLUSTER_NF], cluster_records[r % CLUSTER_NR], sizeof(cluster_records[0]));
        many[r * CLUSTER_NF + 5] = shoal_v_count(r);
    }
    struct shoal_wire_log_batch bb = b;
    bb.records = many;
    bb.n_records = 5000;
    CU_ASSERT_EQUAL_FATAL(shoal_wire_encode_log_batch(&big, &bb), 0);
    for (int round = 0; round < 2; round++) {
        CU_ASSERT_EQUAL_FATAL(
            shoal_wire_batch_decode(d, (const uint8_t *)big.p, big.len, &got, err, sizeof(err)), 0);
        cluster_check_batch(&bb, &got);
        CU_ASSERT_EQUAL_FATAL(
            shoal_wire_batch_decode(d, (const uint8_t *)sb.p, sb.len, &got, err, sizeof(err)), 0);
        cluster_check_batch(&b, &got);
    }
    CU_ASSERT_EQUAL(cluster_decode_both((const uint8_t *)big.p, big.len), 0);
    free(many);

    /* Forms msgpack-c reads and the encoder never writes: str names and
     * values, int8/int64 non-negative counts, negative ints, array16/32
     * headers, float32, a set with unset elements; then the same body
     * with a port out of range in its last record. */
    sb.len = 0;
    msgpack_packer_init(&pk, &sb, wire_test_write);
    shoal_buf_append(&sb, "\xdd\0\0\0\x09\x01\x01", 7); /* array32 of 9, version, type */
    cluster_pack_str(&pk, "worker-2");
    shoal_buf_append(&sb, "\xd3\0\0\0\0\0\0\0\x03", 9); /* epoch: int64 3 */
    shoal_buf_append(&sb, "\xcf\0\0\0\0\0\0\0\x09", 9); /* seq: uint64 9 */
    shoal_buf_append(&sb, "\xd0\x09", 2);               /* base: int8 9 */
    cluster_pack_str(&pk, "dns");
    msgpack_pack_array(&pk, 5);
    static const struct shoal_field ff[] = {
        {"c", SHOAL_T_COUNT, 0}, {"i", SHOAL_T_INT, 0},
        {"t", SHOAL_T_TIME, 0},  {"s", SHOAL_T_SET, SHOAL_T_STRING},
        {"p", SHOAL_T_PORT, 0},
    };
    for (size_t i = 0; i < 5; i++) {
        msgpack_pack_array(&pk, 3);
        cluster_pack_str(&pk, ff[i].name);
        msgpack_pack_uint16(&pk, ff[i].type);
        msgpack_pack_int32(&pk, ff[i].elem);
    }
    shoal_buf_append(&sb, "\xdc\0\x03", 3); /* array16 of 3 records */
    for (int r = 0; r < 3; r++) {
        msgpack_pack_array(&pk, 5);
        shoal_buf_append(&sb, "\xd1\x01\x2c", 3); /* int16 300 */
        msgpack_pack_int8(&pk, (int8_t)(-r));
        msgpack_pack_float(&pk, 1.5f);
        msgpack_pack_array(&pk, 3);
        cluster_pack_str(&pk, "a");
        msgpack_pack_nil(&pk);
        msgpack_pack_bin(&pk, 0);
        shoal_buf_append(&sb, "\xce\0\0\0\x35", 5); /* uint32 53 */
    }
    CU_ASSERT_EQUAL(cluster_decode_both((const uint8_t *)sb.p, sb.len), 0);
    CU_ASSERT_EQUAL_FATAL(
        shoal_wire_batch_decode(d, (const uint8_t *)sb.p, sb.len, &got, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(got.sender, "worker-2");
    CU_ASSERT_STRING_EQUAL(got.path, "dns");
    CU_ASSERT_EQUAL(got.epoch, 3);
    CU_ASSERT_EQUAL(got.n_records, 3);
    CU_ASSERT_EQUAL(got.records[0].u, 300);
    CU_ASSERT_EQUAL(got.records[5 + 1].i, -1);
    CU_ASSERT_EQUAL(got.records[2].d, 1.5);
    CU_ASSERT_EQUAL(got.records[3].v.n, 3);
    CU_ASSERT(!got.records[3].v.v[1].present);
    CU_ASSERT(got.records[3].v.v[2].present && got.records[3].v.v[2].s.len == 0);
    CU_ASSERT_EQUAL(got.records[14].u, 53);
    uint8_t *port = (uint8_t *)sb.p + sb.len - 5;
    CU_ASSERT_EQUAL_FATAL(port[0], 0xce);
    port[2] = 1; /* 65536 + 53 */
    CU_ASSERT_EQUAL(cluster_decode_both((const uint8_t *)sb.p, sb.len), -EBADMSG);
    CU_ASSERT_EQUAL(
        shoal_wire_batch_decode(d, (const uint8_t *)sb.p, sb.len, &got, err, sizeof(err)),
        -EBADMSG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "record 2 field p"));
    CU_ASSERT_EQUAL(got.n_records, 0);
    CU_ASSERT_PTR_NULL(got.records);
    /* Truncated, wrong version, another type: refused, never a crash. */
    port[2] = 0;
    CU_ASSERT_EQUAL(cluster_decode_both((const uint8_t *)sb.p, sb.len - 1), -EBADMSG);
    ((uint8_t *)sb.p)[5] = 2;
    CU_ASSERT_EQUAL(
        shoal_wire_batch_decode(d, (const uint8_t *)sb.p, sb.len, &got, err, sizeof(err)),
        -EPROTONOSUPPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "version 2"));
    ((uint8_t *)sb.p)[5] = 1;
    ((uint8_t *)sb.p)[6] = SHOAL_WIRE_LOG_ACK;
    CU_ASSERT_EQUAL(cluster_decode_both((const uint8_t *)sb.p, sb.len), -EBADMSG);
    CU_ASSERT_EQUAL(shoal_wire_batch_decode(d, NULL, 0, &got, err, sizeof(err)), -EBADMSG);
    CU_ASSERT_EQUAL(shoal_wire_batch_decode(d, NULL, 3, &got, NULL, 0), -EINVAL);

    shoal_wire_batch_dec_free(d);
    shoal_wire_batch_dec_free(NULL);
    shoal_buf_free(&sb);
    shoal_buf_free(&big);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "test_wire: CU_initialize_registry: %s\n", CU_get_error_msg());
        return EXIT_FAILURE;
    }
    s = CU_add_suite("wire", NULL, cluster_wire_clean);
    if (s == NULL || !CU_add_test(s, "topics", test_wire_topic) ||
        !CU_add_test(s, "heartbeat round trip", test_wire_heartbeat) ||
        !CU_add_test(s, "log batch round trip, every value type", test_wire_batch_roundtrip) ||
        !CU_add_test(s, "incremental batch encoder", test_wire_batch_builder) ||
        !CU_add_test(s, "record bytes as msgpack's packer writes them", test_wire_record_bytes) ||
        !CU_add_test(s, "notice round trip", test_wire_notice_roundtrip) ||
        !CU_add_test(s, "ack, state, control round trips", test_wire_small_roundtrips) ||
        !CU_add_test(s, "every prefix refused", test_wire_prefixes) ||
        !CU_add_test(s, "wrong version and type", test_wire_version) ||
        !CU_add_test(s, "corrupted bodies and limits", test_wire_corrupt) ||
        !CU_add_test(s, "random corruption", test_wire_random_corruption) ||
        !CU_add_test(s, "one-pass batch decoder", test_wire_batch_decoder)) {
        CU_cleanup_registry();
        return EXIT_FAILURE;
    }
    return shoal_cunit_run("test_wire");
}
