/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet decoder (core/engine/decode.c, core/engine/frag.c) over the
 * shared traces ($SHOAL_SHARED/traces): every malformed pcap must decode
 * cleanly, every case's trace must yield IP packets, and the weirds
 * reported for Zeek's truncation traces and the Mobile IPv6 trace must
 * match the weird.log Zeek wrote.  Without the traces folder the program
 * exits 77, which automake counts as skipped: these tests never pass
 * without having run.
 */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <CUnit/CUnit.h>

#include "engine/decode.h"
#include "lib/util.h"

#include "decode_weirds.h"

/* Exit status automake's test driver reads as "skipped". */
#define TEST_SKIP 77

/* $SHOAL_SHARED/traces, set by main. */
static char traces[512];

/* Point `traces` at $SHOAL_SHARED/traces (when run by hand without it:
 * the shared folder next to the checkout, as the integration tests do);
 * true if it is a folder. */
static bool find_traces(void)
{
    const char *sh = getenv("SHOAL_SHARED");
    struct stat sb;

    if (sh != NULL) {
        snprintf(traces, sizeof(traces), "%s/traces", sh);
    } else {
        snprintf(traces, sizeof(traces), "%s/../shared/traces", TEST_SRCDIR);
    }
    return stat(traces, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Decode every frame of a pcap; returns frames read or -1 (unreadable /
 * unsupported link type). Fills stats when st != NULL. */
static int run_pcap(const char *path, bool ignore, struct shoal_decode_stats *st)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    struct shoal_decoder *d;
    struct pcap_pkthdr *h;
    const u_char *data;
    int frames = 0;

    if (pc == NULL) {
        return -1;
    }
    d = new_dec(pcap_datalink(pc), ignore);
    if (d == NULL) {
        pcap_close(pc);
        return -1;
    }
    while (pcap_next_ex(pc, &h, &data) == 1) {
        struct shoal_pkt p;
        double ts = (double)h->ts.tv_sec + h->ts.tv_usec / 1e6;

        if (shoal_decode(d, ts, data, h->caplen, h->len, &p) == 1) {
            (void)shoal_l4_checksum_ok(&p);
        }
        frames++;
    }
    shoal_decode_expire(d, 1e12);
    if (st != NULL) {
        shoal_decode_stats(d, st);
    }
    shoal_decoder_free(d);
    pcap_close(pc);
    return frames;
}

static bool is_pcap_name(const char *n)
{
    size_t l = strlen(n);

    return (l > 5 && strcmp(n + l - 5, ".pcap") == 0) ||
           (l > 7 && strcmp(n + l - 7, ".pcapng") == 0);
}

static void test_traces_malformed(void)
{
    static const char *dirs[] = {"malformed", "malformed/zeek-truncation"};
    int files = 0;

    for (size_t i = 0; i < SHOAL_ARRAY_SIZE(dirs); i++) {
        char dir[700];
        DIR *dp;
        struct dirent *e;

        snprintf(dir, sizeof(dir), "%s/%s", traces, dirs[i]);
        dp = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
        while ((e = readdir(dp)) != NULL) {
            char path[1000];

            if (!is_pcap_name(e->d_name)) {
                continue;
            }
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            for (int ign = 0; ign <= 1; ign++) {
                int fr = run_pcap(path, ign, NULL);

                /* only the 802.11 radiotap trace has a link type we refuse */
                if (strstr(e->d_name, "radiotap") == NULL) {
                    CU_ASSERT(fr > 0);
                }
            }
            files++;
        }
        closedir(dp);
    }
    CU_ASSERT(files >= 30);
}

/* Compare our weirds on `pcap` with the rows of a Zeek weird.log block
 * [rows, rows+nrows): as sets of (name, source, orig_h), restricted to the
 * names the decoder can raise. */
struct zrow {
    char name[64];
    char source[24];
    char src[64];
};

static const char *const decoder_names[] = {
    "truncated_IP",
    "truncated_IP_len",
    "internally_truncated_header",
    "truncated_header",
    "truncated_ethernet_frame",
    "invalid_IP_header_size",
    "truncated_inner_IP",
    "bad_IP_checksum",
    "bad_ipv6_dest_opt_len",
    "multiple_home_addr_opts",
    "bad_home_addr_len",
    "unknown_ip_version",
    "IPv4_min_header_size",
    "ip_hdr_len_zero",
    "truncated_VLAN_header",
    "truncated_link_header",
    "truncated_pppoe_header",
    "ipv6_no_next",
    "routing0_hdr",
    "incompletely_captured_fragment",
    "fragment_overlap",
    "fragment_inconsistency",
    "invalid_inner_IP_version",
    "inner_IP_payload_length_mismatch",
    "exceeded_tunnel_max_depth",
};

static bool decoder_name(const char *n)
{
    for (size_t i = 0; i < SHOAL_ARRAY_SIZE(decoder_names); i++) {
        if (strcmp(decoder_names[i], n) == 0) {
            return true;
        }
    }
    return false;
}

static bool weird_in_rows(const struct weird_rec *w, const struct zrow *rows, int n)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(rows[i].name, w->name) == 0 && strcmp(rows[i].source, w->source) == 0 &&
            strcmp(rows[i].src, w->src) == 0) {
            return true;
        }
    }
    return false;
}

static bool row_in_weirds(const struct zrow *r)
{
    for (int i = 0; i < nweirds; i++) {
        if (strcmp(r->name, weirds[i].name) == 0 && strcmp(r->source, weirds[i].source) == 0 &&
            strcmp(r->src, weirds[i].src) == 0) {
            return true;
        }
    }
    return false;
}

static void compare_weirds(const char *pcap, bool ignore, const struct zrow *rows, int n)
{
    int fr = run_pcap(pcap, ignore, NULL);

    CU_ASSERT(fr > 0);
    dedup_weirds();
    for (int i = 0; i < nweirds; i++) {
        if (!weird_in_rows(&weirds[i], rows, n)) {
            fprintf(stderr, "\n  %s: extra weird %s %s %s", pcap, weirds[i].name, weirds[i].source,
                    weirds[i].src);
            CU_FAIL("weird not in Zeek's weird.log");
        }
    }
    for (int i = 0; i < n; i++) {
        if (decoder_name(rows[i].name) && !row_in_weirds(&rows[i])) {
            fprintf(stderr, "\n  %s: missing weird %s %s %s", pcap, rows[i].name, rows[i].source,
                    rows[i].src);
            CU_FAIL("weird of Zeek's weird.log not reported");
        }
    }
}

/* Read the weird.log rows of a file, split into blocks at each "#open". */
static int read_zeek_weirds(const char *path, struct zrow rows[][8], int *counts, int maxblocks)
{
    FILE *fp = fopen(path, "r");
    char line[1024];
    int b = -1;

    if (fp == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), fp) != NULL) {
        char *col[12];
        int nc = 0;

        if (strncmp(line, "#open", 5) == 0 || (b < 0 && line[0] != '#')) {
            if (b + 1 < maxblocks) {
                b++;
                counts[b] = 0;
            }
            if (line[0] == '#') {
                continue;
            }
        }
        if (line[0] == '#' || b < 0) {
            continue;
        }
        line[strcspn(line, "\n")] = '\0';
        for (char *s = line, *t; nc < 12 && (t = strsep(&s, "\t")) != NULL;) {
            col[nc++] = t;
        }
        if (nc < 11 || counts[b] >= 8) {
            continue;
        }
        snprintf(rows[b][counts[b]].name, sizeof(rows[b][0].name), "%s", col[6]);
        snprintf(rows[b][counts[b]].source, sizeof(rows[b][0].source), "%s", col[10]);
        snprintf(rows[b][counts[b]].src, sizeof(rows[b][0].src), "%s", col[2]);
        counts[b]++;
    }
    fclose(fp);
    return b + 1;
}

static void test_traces_zeek_truncation(void)
{
    /* The order of malformed/zeek-truncation/SOURCE.txt; icmp-payload-trunc
     * wrote no weird.log, so it has no block in `output`. */
    static const struct {
        const char *file;
        bool ignore;
    } runs[] = {
        {"ip4-trunc.pcap", false},
        {"ip6-trunc.pcap", false},
        {"ip6-ext-trunc.pcap", false},
        {"icmp-payload-trunc.pcap", false},
        {"icmp-header-trunc.pcap", false},
        {"trunc-hdr.pcap", false},
        {"ipv4-truncated-broken-header.pcap", true},
        {"ipv4-internally-truncated-header.pcap", true},
        {"mpls-6in6-6in6-4in6-trunc.pcap", true},
        {"ip-discarder-truncated-tcp-oob.pcapng", true},
    };
    struct zrow rows[16][8];
    int counts[16];
    char path[1000];
    int nb, b = 0;

    snprintf(path, sizeof(path), "%s/malformed/zeek-truncation/output", traces);
    nb = read_zeek_weirds(path, rows, counts, 16);
    CU_ASSERT_EQUAL_FATAL(nb, 9);
    for (size_t i = 0; i < SHOAL_ARRAY_SIZE(runs); i++) {
        bool none = strcmp(runs[i].file, "icmp-payload-trunc.pcap") == 0;

        snprintf(path, sizeof(path), "%s/malformed/zeek-truncation/%s", traces, runs[i].file);
        if (none) {
            compare_weirds(path, runs[i].ignore, NULL, 0);
            CU_ASSERT_EQUAL(nweirds, 0);
        } else {
            compare_weirds(path, runs[i].ignore, rows[b], counts[b]);
            CU_ASSERT_EQUAL(nweirds, counts[b]);
            b++;
        }
    }
}

static void test_traces_zeek_logs(void)
{
    char dir[700];
    DIR *dp;
    struct dirent *e;
    int n = 0;

    /* Zeek default (no -C) on each malformed trace */
    snprintf(dir, sizeof(dir), "%s/malformed/zeek-logs", traces);
    dp = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
    while ((e = readdir(dp)) != NULL) {
        char path[1000], log[1100];
        struct zrow rows[1][8];
        int counts[1] = {0};
        struct stat sb;

        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/malformed/%s.pcap", traces, e->d_name);
        if (stat(path, &sb) != 0) {
            snprintf(path, sizeof(path), "%s/malformed/%s.pcapng", traces, e->d_name);
        }
        snprintf(log, sizeof(log), "%s/%s/weird.log", dir, e->d_name);
        if (read_zeek_weirds(log, rows, counts, 1) < 0) {
            counts[0] = 0;
        }
        compare_weirds(path, false, rows[0], counts[0]);
        n++;
    }
    closedir(dp);
    CU_ASSERT(n >= 17);

    /* Mobile IPv6 destination options (zeek -C) */
    {
        char path[1000];
        struct zrow rows[1][8];
        int counts[1] = {0};

        snprintf(path, sizeof(path), "%s/weird-mobile-ipv6-dst-opts/weird.log", traces);
        CU_ASSERT_EQUAL_FATAL(read_zeek_weirds(path, rows, counts, 1), 1);
        CU_ASSERT_EQUAL(counts[0], 4);
        snprintf(path, sizeof(path), "%s/weird-mobile-ipv6-dst-opts/trace.pcap", traces);
        compare_weirds(path, true, rows[0], counts[0]);
        CU_ASSERT_EQUAL(nweirds, 4);
        /* and in Zeek's order */
        for (int i = 0; i < nweirds && i < counts[0]; i++) {
            CU_ASSERT_STRING_EQUAL(weirds[i].name, rows[0][i].name);
        }
    }
}

/* Every shared trace decodes; a few must yield what their case is about. */
static void test_traces_all(void)
{
    static const struct {
        const char *c;
        int what; /* 0 ip packets, 1 reassembled */
    } want[] = {
        {"dns-ipv6-frag", 1},    {"vlan-qinq", 0},     {"pppoe-ipv6", 0},   {"nflog-http", 0},
        {"irc-starttls-sll", 0}, {"http-snap-tcp", 0}, {"mpls-in-vlan", 0}, {"vlan-mpls-http", 0},
    };
    DIR *dp;
    struct dirent *e;
    int n = 0;

    dp = opendir(traces);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
    while ((e = readdir(dp)) != NULL) {
        char path[1000];
        struct shoal_decode_stats st;
        struct stat sb;
        int fr;

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s/trace.pcap", traces, e->d_name);
        if (stat(path, &sb) != 0) {
            snprintf(path, sizeof(path), "%s/%s/trace.pcapng", traces, e->d_name);
            if (stat(path, &sb) != 0) {
                continue;
            }
        }
        memset(&st, 0, sizeof(st));
        fr = run_pcap(path, true, &st);
        CU_ASSERT(fr > 0);
        CU_ASSERT(st.ip_packets > 0);
        for (size_t i = 0; i < SHOAL_ARRAY_SIZE(want); i++) {
            if (strcmp(want[i].c, e->d_name) == 0) {
                if (want[i].what == 1) {
                    CU_ASSERT(st.reassembled > 0);
                } else {
                    CU_ASSERT(st.ip_packets > 0);
                }
                CU_ASSERT_EQUAL(st.malformed, 0);
            }
        }
        n++;
    }
    closedir(dp);
    CU_ASSERT(n >= 50);
}

int main(void)
{
    CU_pSuite s;

    if (!find_traces()) {
        fprintf(stderr,
                "test_decode_traces: SKIP: no shared traces folder %s (set SHOAL_SHARED to the "
                "folder that holds traces/)\n",
                traces);
        return TEST_SKIP;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite("decode_traces", NULL, NULL);
    if (s == NULL || !CU_add_test(s, "malformed pcaps", test_traces_malformed) ||
        !CU_add_test(s, "zeek truncation weirds", test_traces_zeek_truncation) ||
        !CU_add_test(s, "zeek weird.log of malformed and mobile ipv6", test_traces_zeek_logs) ||
        !CU_add_test(s, "all shared traces", test_traces_all)) {
        fprintf(stderr, "test_decode_traces: registering the tests: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 1;
    }
    return shoal_cunit_run("test_decode_traces");
}
