/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the log writers (core/framework/log.c): the TSV and JSON formatting
 * of every field type exactly as Zeek's ASCII and JSON writers write it
 * (unset, empty, booleans, 6-decimal times, containers, escaping of the set
 * separator, control bytes and invalid UTF-8, addresses), the header lines
 * of a written TSV file, files created only on their first record, JSON
 * files without a header, and the refusal to reopen a stream with other
 * columns or with a bad name.  Files go to a temporary directory under /tmp.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <CUnit/CUnit.h>

#include "framework/log.h"
#include "lib/netset.h"
#include "suites.h"

/* ---- formatting ---- */

static struct shoal_buf log_buf;

static void log_setup(void)
{
    memset(&log_buf, 0, sizeof(log_buf));
}

static void log_teardown(void)
{
    shoal_buf_free(&log_buf);
}

/* Format one value of one field in both formats. */
static void log_fmt1(const struct shoal_field *f, struct shoal_value v, char *tsv, char *json,
                     size_t len)
{
    log_buf.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_log_format_tsv(&log_buf, f, 1, &v), 0);
    snprintf(tsv, len, "%s", log_buf.p);
    log_buf.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_log_format_json(&log_buf, f, 1, &v), 0);
    snprintf(json, len, "%s", log_buf.p);
}

/* Check the TSV and JSON text of a value of type t (elements e). */
#define LOG_CHECK(t, e, v, want_tsv, want_json)                                                    \
    do {                                                                                           \
        struct shoal_field f_ = {"f", (t), (e)};                                                   \
        char tsv_[512];                                                                            \
        char json_[512];                                                                           \
        log_fmt1(&f_, (v), tsv_, json_, sizeof(tsv_));                                             \
        CU_ASSERT_STRING_EQUAL(tsv_, (want_tsv));                                                  \
        CU_ASSERT_STRING_EQUAL(json_, (want_json));                                                \
    } while (0)

static struct shoal_value log_addr(const char *s)
{
    struct shoal_addr a;

    CU_ASSERT_EQUAL_FATAL(shoal_addr_parse(s, &a), 0);
    return shoal_v_addr(&a);
}

static void test_fmt_unset(void)
{
    static const enum shoal_type types[] = {
        SHOAL_T_BOOL,     SHOAL_T_COUNT,  SHOAL_T_INT,    SHOAL_T_DOUBLE, SHOAL_T_TIME,
        SHOAL_T_INTERVAL, SHOAL_T_STRING, SHOAL_T_ADDR,   SHOAL_T_SUBNET, SHOAL_T_PORT,
        SHOAL_T_ENUM,     SHOAL_T_SET,    SHOAL_T_VECTOR,
    };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        LOG_CHECK(types[i], SHOAL_T_STRING, shoal_v_unset(), "-", "{}");
    }
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str(NULL), "-", "{}");
}

static void test_fmt_scalars(void)
{
    LOG_CHECK(SHOAL_T_BOOL, 0, shoal_v_bool(true), "T", "{\"f\":true}");
    LOG_CHECK(SHOAL_T_BOOL, 0, shoal_v_bool(false), "F", "{\"f\":false}");
    LOG_CHECK(SHOAL_T_COUNT, 0, shoal_v_count(0), "0", "{\"f\":0}");
    LOG_CHECK(SHOAL_T_COUNT, 0, shoal_v_count(18446744073709551615ULL), "18446744073709551615",
              "{\"f\":18446744073709551615}");
    LOG_CHECK(SHOAL_T_PORT, 0, shoal_v_count(443), "443", "{\"f\":443}");
    LOG_CHECK(SHOAL_T_INT, 0, shoal_v_int(-42), "-42", "{\"f\":-42}");
    LOG_CHECK(SHOAL_T_TIME, 0, shoal_v_double(1300475167.096535), "1300475167.096535",
              "{\"f\":1300475167.096535}");
    LOG_CHECK(SHOAL_T_TIME, 0, shoal_v_double(1.5), "1.500000", "{\"f\":1.5}");
    LOG_CHECK(SHOAL_T_INTERVAL, 0, shoal_v_double(0.000001), "0.000001", "{\"f\":0.000001}");
    LOG_CHECK(SHOAL_T_INTERVAL, 0, shoal_v_double(2.0), "2.000000", "{\"f\":2.0}");
    LOG_CHECK(SHOAL_T_DOUBLE, 0, shoal_v_double(0.0), "0.000000", "{\"f\":0.0}");
    LOG_CHECK(SHOAL_T_DOUBLE, 0, shoal_v_double(-3.25), "-3.250000", "{\"f\":-3.25}");
    LOG_CHECK(SHOAL_T_ENUM, 0, shoal_v_str("tcp"), "tcp", "{\"f\":\"tcp\"}");
}

static void test_fmt_strings(void)
{
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str("hello world"), "hello world",
              "{\"f\":\"hello world\"}");
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str(""), "(empty)", "{\"f\":\"\"}");
    /* ',' is only special inside a container. */
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str("a,b"), "a,b", "{\"f\":\"a,b\"}");
    /* Control bytes (tab and newline too) as \xNN; JSON uses \uNNNN. */
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str("a\tb\nc\x01"), "a\\x09b\\x0ac\\x01",
              "{\"f\":\"a\\u0009b\\u000ac\\u0001\"}");
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str("del\x7f"), "del\\x7f", "{\"f\":\"del\\u007f\"}");
    /* Quotes and backslashes: kept in TSV, escaped in JSON. */
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str("q\"b\\"), "q\"b\\", "{\"f\":\"q\\\"b\\\\\"}");
    /* Valid UTF-8 is kept as is. */
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f"),
              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f",
              "{\"f\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9f\"}");
    /* Invalid UTF-8: a lone continuation byte, a truncated sequence, 0xff. */
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_str("\x80x\xc3\xff"), "\\x80x\\xc3\\xff",
              "{\"f\":\"\\\\x80x\\\\xc3\\\\xff\"}");
    /* Embedded NUL with an explicit length. */
    LOG_CHECK(SHOAL_T_STRING, 0, shoal_v_strn("a\0b", 3), "a\\x00b", "{\"f\":\"a\\u0000b\"}");
}

static void test_fmt_addresses(void)
{
    LOG_CHECK(SHOAL_T_ADDR, 0, log_addr("192.168.1.20"), "192.168.1.20",
              "{\"f\":\"192.168.1.20\"}");
    LOG_CHECK(SHOAL_T_ADDR, 0, log_addr("2001:0db8:0000::0001"), "2001:db8::1",
              "{\"f\":\"2001:db8::1\"}");
    LOG_CHECK(SHOAL_T_ADDR, 0, log_addr("fe80::"), "fe80::", "{\"f\":\"fe80::\"}");
    LOG_CHECK(SHOAL_T_ADDR, 0, log_addr("0.0.0.0"), "0.0.0.0", "{\"f\":\"0.0.0.0\"}");

    struct shoal_value sn = log_addr("10.0.0.0");
    sn.a.prefix = 8;
    LOG_CHECK(SHOAL_T_SUBNET, 0, sn, "10.0.0.0/8", "{\"f\":\"10.0.0.0/8\"}");
    sn = log_addr("2001:db8::");
    sn.a.prefix = 32;
    LOG_CHECK(SHOAL_T_SUBNET, 0, sn, "2001:db8::/32", "{\"f\":\"2001:db8::/32\"}");
}

/* The formatter writes addresses itself (no sprintf); it must write what
 * inet_ntop writes for every shape: zero runs of each length and place,
 * ties between runs, single zero groups, IPv4-compatible and -mapped tails,
 * and random addresses. */
static void test_fmt_addresses_as_inet_ntop(void)
{
    struct shoal_field f = {"f", SHOAL_T_ADDR, 0};
    uint64_t r = 0x243f6a8885a308d3u;
    unsigned bad = 0;

    for (unsigned k = 0; k < 200000; k++) {
        struct shoal_addr a;
        char want[INET6_ADDRSTRLEN];
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        if (k < 65536) {
            /* Each 16-bit word 0, 1, 0xffff or random, chosen by k. */
            for (int i = 0; i < 8; i++) {
                unsigned sel = (k >> (2 * i)) & 3;
                unsigned w = sel == 0   ? 0
                             : sel == 1 ? 1
                             : sel == 2 ? 0xffff
                                        : (unsigned)(r >> (8 * i));
                a.b[2 * i] = (uint8_t)(w >> 8);
                a.b[2 * i + 1] = (uint8_t)w;
            }
        } else {
            for (int i = 0; i < 16; i++) {
                a.b[i] = (uint8_t)(r >> (4 * (i % 16)));
            }
            if (k % 3 == 0) {
                memset(a.b, 0, 10); /* IPv4-mapped (::ffff:a.b.c.d) or compatible */
                a.b[10] = a.b[11] = k % 2 ? 0xff : 0;
            }
        }
        if (shoal_addr_is_v4(&a)) {
            inet_ntop(AF_INET, a.b + 12, want, sizeof(want));
        } else {
            inet_ntop(AF_INET6, a.b, want, sizeof(want));
        }
        struct shoal_value v = shoal_v_addr(&a);
        log_buf.len = 0;
        CU_ASSERT_EQUAL_FATAL(shoal_log_format_tsv(&log_buf, &f, 1, &v), 0);
        if (strcmp(log_buf.p, want) != 0 && bad++ < 5) {
            fprintf(stderr, "\naddress %u: wrote %s, inet_ntop %s\n", k, log_buf.p, want);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_fmt_containers(void)
{
    struct shoal_value s3[3] = {shoal_v_str("a"), shoal_v_str("b,c"), shoal_v_str("d")};
    struct shoal_value n3[3] = {shoal_v_count(1), shoal_v_count(22), shoal_v_count(333)};
    struct shoal_value t2[2] = {shoal_v_double(1.0), shoal_v_double(0.25)};
    struct shoal_value a2[2];
    struct shoal_value e1[1] = {shoal_v_str("")};
    struct shoal_value c1[1] = {shoal_v_str("x\x02y")};

    a2[0] = log_addr("10.0.0.1");
    a2[1] = log_addr("::1");

    LOG_CHECK(SHOAL_T_SET, SHOAL_T_STRING, shoal_v_vec(s3, 3), "a,b\\x2cc,d",
              "{\"f\":[\"a\",\"b,c\",\"d\"]}");
    LOG_CHECK(SHOAL_T_VECTOR, SHOAL_T_STRING, shoal_v_vec(s3, 3), "a,b\\x2cc,d",
              "{\"f\":[\"a\",\"b,c\",\"d\"]}");
    LOG_CHECK(SHOAL_T_VECTOR, SHOAL_T_COUNT, shoal_v_vec(n3, 3), "1,22,333", "{\"f\":[1,22,333]}");
    LOG_CHECK(SHOAL_T_VECTOR, SHOAL_T_INTERVAL, shoal_v_vec(t2, 2), "1.000000,0.250000",
              "{\"f\":[1.0,0.25]}");
    LOG_CHECK(SHOAL_T_SET, SHOAL_T_ADDR, shoal_v_vec(a2, 2), "10.0.0.1,::1",
              "{\"f\":[\"10.0.0.1\",\"::1\"]}");
    LOG_CHECK(SHOAL_T_SET, SHOAL_T_STRING, shoal_v_vec(NULL, 0), "(empty)", "{\"f\":[]}");
    LOG_CHECK(SHOAL_T_VECTOR, SHOAL_T_STRING, shoal_v_vec(e1, 1), "(empty)", "{\"f\":[\"\"]}");
    LOG_CHECK(SHOAL_T_SET, SHOAL_T_STRING, shoal_v_vec(c1, 1), "x\\x02y",
              "{\"f\":[\"x\\u0002y\"]}");
}

/* TSV text of one value of type t. */
static const char *log_tsv1(enum shoal_type t, struct shoal_value v)
{
    struct shoal_field f = {"f", t, 0};

    log_buf.len = 0;
    CU_ASSERT_EQUAL_FATAL(shoal_log_format_tsv(&log_buf, &f, 1, &v), 0);
    return log_buf.p;
}

/* The in-place writers of counts, times, IPv4 addresses and plain strings
 * against printf, inet_ntop and the escaping rule, at every boundary. */
static void test_fmt_fast_paths(void)
{
    char want[128];
    size_t bad = 0;

    for (uint64_t p = 1, k = 0; k < 20; k++, p *= 10) {
        uint64_t around[] = {p - 1, p, p + 1, p * 3 + 7};
        for (size_t j = 0; j < 4; j++) {
            snprintf(want, sizeof(want), "%llu", (unsigned long long)around[j]);
            bad += strcmp(log_tsv1(SHOAL_T_COUNT, shoal_v_count(around[j])), want) != 0;
        }
    }
    bad += strcmp(log_tsv1(SHOAL_T_COUNT, shoal_v_count(UINT64_MAX)), "18446744073709551615") != 0;
    for (int k = 0; k < 20000; k++) {
        double d = (k % 2 ? -1.0 : 1.0) * (double)k * (k % 3 ? 1234.56789 : 0.000913) + k / 7.0;
        snprintf(want, sizeof(want), "%.6f", d);
        bad += strcmp(log_tsv1(SHOAL_T_TIME, shoal_v_double(d)), want) != 0;
    }
    for (unsigned v = 0; v < 256; v++) {
        uint8_t a4[4] = {(uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v / 3), (uint8_t)(v * 7)};
        char ip[64];
        inet_ntop(AF_INET, a4, ip, sizeof(ip));
        snprintf(want, sizeof(want), "::ffff:%s", ip);
        bad += strcmp(log_tsv1(SHOAL_T_ADDR, log_addr(want)), ip) != 0;
    }
    /* Plain strings of every length around the in-place limit, then one
     * byte to escape at every position. */
    char str[80];
    for (size_t n = 1; n < sizeof(str); n++) {
        for (size_t i = 0; i < n; i++) {
            str[i] = (char)(0x20 + (i * 13) % 0x5f);
        }
        str[n] = '\0';
        bad += strcmp(log_tsv1(SHOAL_T_STRING, shoal_v_strn(str, n)), str) != 0;
        for (size_t i = 0; i < n; i++) {
            static const unsigned char odd[] = {0x00, 0x09, 0x1f, 0x7f, 0x80, 0xc3, 0xff};
            char save = str[i];
            str[i] = (char)odd[(n + i) % sizeof(odd)];
            snprintf(want, sizeof(want), "%.*s\\x%02x%s", (int)i, str, odd[(n + i) % sizeof(odd)],
                     str + i + 1);
            bad += strcmp(log_tsv1(SHOAL_T_STRING, shoal_v_strn(str, n)), want) != 0;
            str[i] = save;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_fmt_record(void)
{
    static const struct shoal_field fields[] = {
        {"ts", SHOAL_T_TIME, 0},
        {"uid", SHOAL_T_STRING, 0},
        {"id.orig_h", SHOAL_T_ADDR, 0},
        {"id.orig_p", SHOAL_T_PORT, 0},
        {"service", SHOAL_T_STRING, 0},
        {"local_orig", SHOAL_T_BOOL, 0},
        {"tunnel_parents", SHOAL_T_SET, SHOAL_T_STRING},
    };
    struct shoal_value v[7];

    v[0] = shoal_v_double(1000.5);
    v[1] = shoal_v_str("CabcDEF");
    v[2] = log_addr("10.0.0.1");
    v[3] = shoal_v_count(53);
    v[4] = shoal_v_unset();
    v[5] = shoal_v_bool(true);
    v[6] = shoal_v_vec(NULL, 0);
    CU_ASSERT_EQUAL(shoal_log_format_tsv(&log_buf, fields, 7, v), 0);
    CU_ASSERT_STRING_EQUAL(log_buf.p, "1000.500000\tCabcDEF\t10.0.0.1\t53\t-\tT\t(empty)");
    log_buf.len = 0;
    CU_ASSERT_EQUAL(shoal_log_format_json(&log_buf, fields, 7, v), 0);
    CU_ASSERT_STRING_EQUAL(log_buf.p, "{\"ts\":1000.5,\"uid\":\"CabcDEF\",\"id.orig_h\":"
                                      "\"10.0.0.1\",\"id.orig_p\":53,\"local_orig\":true,"
                                      "\"tunnel_parents\":[]}");
    /* Appends: the buffer is not reset by the formatter. */
    CU_ASSERT_EQUAL(shoal_log_format_tsv(&log_buf, fields, 1, v), 0);
    CU_ASSERT(log_buf.len > 10 && strcmp(log_buf.p + log_buf.len - 11, "1000.500000") == 0);
}

static void test_type_names(void)
{
    static const struct {
        struct shoal_field f;
        const char *name;
    } t[] = {
        {{"a", SHOAL_T_BOOL, 0}, "bool"},
        {{"a", SHOAL_T_COUNT, 0}, "count"},
        {{"a", SHOAL_T_INT, 0}, "int"},
        {{"a", SHOAL_T_DOUBLE, 0}, "double"},
        {{"a", SHOAL_T_TIME, 0}, "time"},
        {{"a", SHOAL_T_INTERVAL, 0}, "interval"},
        {{"a", SHOAL_T_STRING, 0}, "string"},
        {{"a", SHOAL_T_ADDR, 0}, "addr"},
        {{"a", SHOAL_T_SUBNET, 0}, "subnet"},
        {{"a", SHOAL_T_PORT, 0}, "port"},
        {{"a", SHOAL_T_ENUM, 0}, "enum"},
        {{"a", SHOAL_T_SET, SHOAL_T_STRING}, "set[string]"},
        {{"a", SHOAL_T_VECTOR, SHOAL_T_INTERVAL}, "vector[interval]"},
    };
    char buf[64];

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        CU_ASSERT_STRING_EQUAL(shoal_log_type_name(&t[i].f, buf, sizeof(buf)), t[i].name);
    }
}

/* ---- files ---- */

static char log_dir[64];

static int log_file_setup(void)
{
    snprintf(log_dir, sizeof(log_dir), "/tmp/shoal-test-log-XXXXXX");
    if (mkdtemp(log_dir) == NULL) {
        return -1;
    }
    return 0;
}

static void log_rm(const char *name)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", log_dir, name);
    unlink(path);
}

static int log_file_teardown(void)
{
    static const char *const names[] = {"test.log", "other.log", "json.log", "never.log"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        log_rm(names[i]);
    }
    return rmdir(log_dir) == 0 ? 0 : -1;
}

static bool log_exists(const char *name)
{
    char path[128];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", log_dir, name);
    return stat(path, &st) == 0;
}

/* Read a whole file (NUL-terminated, caller frees) or NULL. */
static char *log_slurp(const char *name)
{
    char path[128];
    FILE *f;
    char *p;
    long n;

    snprintf(path, sizeof(path), "%s/%s", log_dir, name);
    f = fopen(path, "r");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)n + 1);
    if (p != NULL) {
        p[fread(p, 1, (size_t)n, f)] = '\0';
    }
    fclose(f);
    return p;
}

/* True if `s` is a Zeek log timestamp YYYY-MM-DD-HH-MM-SS. */
static bool log_is_stamp(const char *s)
{
    static const char pat[] = "dddd-dd-dd-dd-dd-dd";

    if (strlen(s) != sizeof(pat) - 1) {
        return false;
    }
    for (size_t i = 0; i < sizeof(pat) - 1; i++) {
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i]) {
            return false;
        }
    }
    return true;
}

static const struct shoal_field log_cols[] = {
    {"ts", SHOAL_T_TIME, 0},
    {"name", SHOAL_T_STRING, 0},
    {"n", SHOAL_T_COUNT, 0},
    {"tags", SHOAL_T_SET, SHOAL_T_STRING},
};

static void test_file_tsv(void)
{
    struct shoal_logger *l = shoal_logger_new(log_dir, SHOAL_LOGFMT_TSV);
    struct shoal_value tags[2] = {shoal_v_str("x"), shoal_v_str("y")};
    struct shoal_value v[4];
    char *text;

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    struct shoal_stream *s = shoal_log_open(l, "test", log_cols, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct shoal_stream *never = shoal_log_open(l, "never", log_cols, 4);
    CU_ASSERT_PTR_NOT_NULL(never);
    /* Opening creates nothing. */
    CU_ASSERT(!log_exists("test.log"));
    CU_ASSERT_EQUAL(shoal_logger_records(l), 0);

    v[0] = shoal_v_double(12.5);
    v[1] = shoal_v_str("first");
    v[2] = shoal_v_count(7);
    v[3] = shoal_v_vec(tags, 2);
    CU_ASSERT_EQUAL(shoal_log_write(s, v), 0);
    CU_ASSERT(log_exists("test.log"));
    v[1] = shoal_v_unset();
    v[3] = shoal_v_vec(NULL, 0);
    CU_ASSERT_EQUAL(shoal_log_write(s, v), 0);
    CU_ASSERT_EQUAL(shoal_logger_records(l), 2);
    CU_ASSERT_EQUAL(shoal_logger_flush(l), 0);
    CU_ASSERT_EQUAL(shoal_logger_free(l), 0);
    /* A stream never written has no file, even after close. */
    CU_ASSERT(!log_exists("never.log"));

    text = log_slurp("test.log");
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    const char *want_head = "#separator \\x09\n"
                            "#set_separator\t,\n"
                            "#empty_field\t(empty)\n"
                            "#unset_field\t-\n"
                            "#path\ttest\n"
                            "#open\t";
    CU_ASSERT_NSTRING_EQUAL(text, want_head, strlen(want_head));

    /* The lines after #open, one by one. */
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    const char *want[] = {
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        "#fields\tts\tname\tn\ttags",
        "#types\ttime\tstring\tcount\tset[string]",
        "12.500000\tfirst\t7\tx,y",
        "12.500000\t-\t7\t(empty)",
        NULL,
    };
    int i = 0;
    for (; line != NULL; line = strtok_r(NULL, "\n", &save), i++) {
        if (i == 5) {
            CU_ASSERT(strncmp(line, "#open\t", 6) == 0 && log_is_stamp(line + 6));
        } else if (i == 10) {
            CU_ASSERT(strncmp(line, "#close\t", 7) == 0 && log_is_stamp(line + 7));
        } else if (i < 10 && want[i] != NULL) {
            CU_ASSERT_STRING_EQUAL(line, want[i]);
        }
    }
    CU_ASSERT_EQUAL(i, 11);
    free(text);
}

static void test_file_json(void)
{
    struct shoal_logger *l = shoal_logger_new(log_dir, SHOAL_LOGFMT_JSON);
    struct shoal_value v[4];
    char *text;

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    struct shoal_stream *s = shoal_log_open(l, "json", log_cols, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    v[0] = shoal_v_double(12.5);
    v[1] = shoal_v_str("a\"b");
    v[2] = shoal_v_unset();
    v[3] = shoal_v_vec(NULL, 0);
    CU_ASSERT_EQUAL(shoal_log_write(s, v), 0);
    CU_ASSERT_EQUAL(shoal_log_write(s, v), 0);
    CU_ASSERT_EQUAL(shoal_logger_free(l), 0);
    text = log_slurp("json.log");
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_STRING_EQUAL(text, "{\"ts\":12.5,\"name\":\"a\\\"b\",\"tags\":[]}\n"
                                 "{\"ts\":12.5,\"name\":\"a\\\"b\",\"tags\":[]}\n");
    free(text);
}

static void test_stream_reopen(void)
{
    static const struct shoal_field other[] = {
        {"ts", SHOAL_T_TIME, 0},
        {"name", SHOAL_T_STRING, 0},
        {"n", SHOAL_T_INT, 0}, /* same name, other type */
        {"tags", SHOAL_T_SET, SHOAL_T_STRING},
    };
    static const struct shoal_field renamed[] = {
        {"ts", SHOAL_T_TIME, 0},
        {"label", SHOAL_T_STRING, 0},
        {"n", SHOAL_T_COUNT, 0},
        {"tags", SHOAL_T_SET, SHOAL_T_STRING},
    };
    struct shoal_logger *l = shoal_logger_new(log_dir, SHOAL_LOGFMT_TSV);

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    struct shoal_stream *s = shoal_log_open(l, "other", log_cols, 4);
    CU_ASSERT_PTR_NOT_NULL(s);
    /* Same columns: the same stream. */
    CU_ASSERT_PTR_EQUAL(shoal_log_open(l, "other", log_cols, 4), s);
    /* Other columns: refused (the refusal is logged on stderr). */
    fprintf(stderr, "\n  (expected errors: 3 x already open, 4 x invalid name)\n");
    CU_ASSERT_PTR_NULL(shoal_log_open(l, "other", log_cols, 3));
    CU_ASSERT_PTR_NULL(shoal_log_open(l, "other", other, 4));
    CU_ASSERT_PTR_NULL(shoal_log_open(l, "other", renamed, 4));
    /* Bad names. */
    CU_ASSERT_PTR_NULL(shoal_log_open(l, "", log_cols, 4));
    CU_ASSERT_PTR_NULL(shoal_log_open(l, "Conn", log_cols, 4));
    CU_ASSERT_PTR_NULL(shoal_log_open(l, "../evil", log_cols, 4));
    CU_ASSERT_PTR_NULL(shoal_log_open(l, "a b", log_cols, 4));
    CU_ASSERT_PTR_NOT_NULL(shoal_log_open(l, "ok_name-2", log_cols, 4));
    CU_ASSERT_EQUAL(shoal_logger_free(l), 0);
    CU_ASSERT(!log_exists("other.log"));
    CU_ASSERT_EQUAL(shoal_logger_free(NULL), 0);
}

static void test_write_unwritable_dir(void)
{
    struct shoal_logger *l = shoal_logger_new("/nonexistent/shoal-test", SHOAL_LOGFMT_TSV);
    struct shoal_value v[4] = {shoal_v_double(1), shoal_v_unset(), shoal_v_count(1),
                               shoal_v_unset()};

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    struct shoal_stream *s = shoal_log_open(l, "test", log_cols, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    fprintf(stderr, "\n  (one expected 'cannot create' error follows)\n");
    CU_ASSERT(shoal_log_write(s, v) < 0);
    CU_ASSERT(shoal_log_write(s, v) < 0); /* stays failed, logged once */
    CU_ASSERT_EQUAL(shoal_logger_records(l), 0);
    shoal_logger_free(l);
}

/* ---- limits ---- */

static const struct shoal_field lim_cols[] = {
    {"name", SHOAL_T_STRING, 0},
    {"tags", SHOAL_T_SET, SHOAL_T_STRING},
    {"more", SHOAL_T_VECTOR, SHOAL_T_STRING},
};

static struct {
    const struct shoal_value *vals; /* as the sink saw them */
    char got[3][64];                /* name; tags and more joined by ',' */
    int weirds[2];                  /* string, container */
    char addl[32];
} lim_seen;

static void lim_join(char *out, size_t len, const struct shoal_value *v)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < v->v.n && o < len; i++) {
        o += (size_t)snprintf(out + o, len - o, "%s%.*s", i ? "," : "", (int)v->v.v[i].s.len,
                              v->v.v[i].s.p);
    }
}

static int lim_sink(void *arg, struct shoal_stream *s, const struct shoal_value *vals)
{
    (void)arg;
    (void)s;
    lim_seen.vals = vals;
    snprintf(lim_seen.got[0], sizeof(lim_seen.got[0]), "%.*s", (int)vals[0].s.len, vals[0].s.p);
    lim_join(lim_seen.got[1], sizeof(lim_seen.got[1]), &vals[1]);
    lim_join(lim_seen.got[2], sizeof(lim_seen.got[2]), &vals[2]);
    return 0;
}

static void lim_weird(void *arg, const char *name, const char *addl)
{
    (void)arg;
    lim_seen.weirds[strcmp(name, "log_container_field_truncated") == 0]++;
    CU_ASSERT(strcmp(name, "log_string_field_truncated") == 0 ||
              strcmp(name, "log_container_field_truncated") == 0);
    snprintf(lim_seen.addl, sizeof(lim_seen.addl), "%s", addl);
}

/* Write name, tags, more (each a list of strings) and check what the
 * sink got, and the weirds since the last call. */
static void lim_write(struct shoal_stream *s, const char *name, const char *const *tags,
                      size_t ntags, const char *const *more, size_t nmore, const char *want_name,
                      const char *want_tags, const char *want_more, int want_sw, int want_cw)
{
    struct shoal_value t[8], m[8], v[3];

    for (size_t i = 0; i < ntags; i++) {
        t[i] = shoal_v_str(tags[i]);
    }
    for (size_t i = 0; i < nmore; i++) {
        m[i] = shoal_v_str(more[i]);
    }
    v[0] = shoal_v_str(name);
    v[1] = shoal_v_vec(t, ntags);
    v[2] = shoal_v_vec(m, nmore);
    memset(&lim_seen, 0, sizeof(lim_seen));
    CU_ASSERT_EQUAL_FATAL(shoal_log_write(s, v), 0);
    CU_ASSERT_STRING_EQUAL(lim_seen.got[0], want_name);
    CU_ASSERT_STRING_EQUAL(lim_seen.got[1], want_tags);
    CU_ASSERT_STRING_EQUAL(lim_seen.got[2], want_more);
    CU_ASSERT_EQUAL(lim_seen.weirds[0], want_sw);
    CU_ASSERT_EQUAL(lim_seen.weirds[1], want_cw);
    if (want_sw + want_cw > 0) {
        CU_ASSERT_STRING_EQUAL(lim_seen.addl, "test");
    } else {
        CU_ASSERT_PTR_EQUAL(lim_seen.vals, v); /* nothing copied */
    }
}

static void test_limits(void)
{
    static const char *const ab[] = {"a", "b"};
    static const char *const abcd[] = {"a", "b", "c", "d"};
    static const char *const eights[] = {"11111111", "22222222", "33333333"};
    static const char *const xyz[] = {"x", "y", "z"};
    struct shoal_log_limits lim = {10, 3, 25, 5};
    struct shoal_logger *l = shoal_logger_new(log_dir, SHOAL_LOGFMT_TSV);
    struct shoal_stream *s, *raw;

    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    shoal_logger_set_sink(l, lim_sink, NULL);
    shoal_logger_set_limits(l, &lim, lim_weird, NULL);
    s = shoal_log_open(l, "test", lim_cols, 3);
    raw = shoal_log_open(l, "raw", lim_cols, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    shoal_log_stream_unlimited(raw);

    /* Within: the values themselves. */
    lim_write(s, "short", ab, 2, NULL, 0, "short", "a,b", "", 0, 0);
    /* A field too long, a container too large. */
    lim_write(s, "fifteen-bytes!!", abcd, 4, NULL, 0, "fifteen-by", "a,b,c", "", 1, 1);
    /* The record's strings past 25 bytes: cut to what is left, then empty. */
    lim_write(s, "ten-bytes!", eights, 3, NULL, 0, "ten-bytes!", "11111111,2222222,", "", 1, 0);
    /* The record's elements past 5: the last container keeps 2. */
    lim_write(s, "n", xyz, 3, xyz, 3, "n", "x,y,z", "x,y", 0, 1);
    /* An unlimited stream is written whole. */
    lim_write(raw, "fifteen-bytes!!", abcd, 4, NULL, 0, "fifteen-bytes!!", "a,b,c,d", "", 0, 0);

    /* Weirds are sampled: the first 1000 of a name, then every 1000th. */
    int reported = 0;
    for (int i = 0; i < 2500; i++) {
        struct shoal_value v[3] = {shoal_v_str("fifteen-bytes!!"), shoal_v_vec(NULL, 0),
                                   shoal_v_vec(NULL, 0)};
        memset(&lim_seen, 0, sizeof(lim_seen));
        CU_ASSERT_EQUAL(shoal_log_write(s, v), 0);
        reported += lim_seen.weirds[0];
    }
    /* The cuts numbered 3 to 2502 (2 came before): 3..1000, then 2000. */
    CU_ASSERT_EQUAL(reported, 998 + 1);
    shoal_logger_free(l);
}

int register_log_suite(void)
{
    CU_pSuite s =
        CU_add_suite_with_setup_and_teardown("log format", NULL, NULL, log_setup, log_teardown);

    if (s == NULL || CU_add_test(s, "unset values", test_fmt_unset) == NULL ||
        CU_add_test(s, "scalars", test_fmt_scalars) == NULL ||
        CU_add_test(s, "strings and escaping", test_fmt_strings) == NULL ||
        CU_add_test(s, "addresses and subnets", test_fmt_addresses) == NULL ||
        CU_add_test(s, "addresses as inet_ntop writes them", test_fmt_addresses_as_inet_ntop) ==
            NULL ||
        CU_add_test(s, "sets and vectors", test_fmt_containers) == NULL ||
        CU_add_test(s, "a whole record", test_fmt_record) == NULL ||
        CU_add_test(s, "in-place writers against printf", test_fmt_fast_paths) == NULL ||
        CU_add_test(s, "type names", test_type_names) == NULL) {
        return CU_get_error();
    }
    s = CU_add_suite("log files", log_file_setup, log_file_teardown);
    if (s == NULL || CU_add_test(s, "TSV file and header", test_file_tsv) == NULL ||
        CU_add_test(s, "JSON file", test_file_json) == NULL ||
        CU_add_test(s, "stream reopened with other columns", test_stream_reopen) == NULL ||
        CU_add_test(s, "unwritable directory", test_write_unwritable_dir) == NULL ||
        CU_add_test(s, "limits of a record", test_limits) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
