/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the shoal.cfg reader (core/config/config.c): built-in defaults,
 * every core key, the error messages (syntax error, unknown group or key,
 * wrong type, bad value, each with file and line), and plugin groups filled
 * from a plugin's key table.  Test configs are written into a temporary
 * directory by the tests themselves.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* By path: a bare "config.h" would find autoconf's config.h in the build dir. */
#include "config/config.h"

static char test_tmpdir[256];
static char test_path[512];

/* Write `text` to test.cfg in the temp dir; the path is in test_path. */
static const char *test_write(const char *text)
{
    FILE *f;

    snprintf(test_path, sizeof(test_path), "%s/test.cfg", test_tmpdir);
    f = fopen(test_path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    return test_path;
}

/* Load `text`; expect failure with err == "<path>:<line>: <reason>". */
static void test_load_fails(const char *text, int line, const char *reason)
{
    struct shoal_config c;
    char err[512];
    char exp[1024];
    int rc;

    err[0] = '\0';
    rc = shoal_config_load(&c, test_write(text), err, sizeof(err));
    CU_ASSERT_EQUAL(rc, -EINVAL);
    snprintf(exp, sizeof(exp), "%s:%d: %s", test_path, line, reason);
    CU_ASSERT_STRING_EQUAL(err, exp);
    if (strcmp(err, exp) != 0) {
        fprintf(stderr, "\n  got:    %s\n  wanted: %s\n", err, exp);
    }
    /* Left with the defaults. */
    CU_ASSERT_STRING_EQUAL(c.log_dir, ".");
    CU_ASSERT_DOUBLE_EQUAL(c.tcp_inactivity_timeout, 300, 1e-9);
    CU_ASSERT_PTR_NULL(c.file);
    shoal_config_free(&c);
}

static void test_check_defaults(const struct shoal_config *c)
{
    CU_ASSERT_STRING_EQUAL(c->log_dir, ".");
    CU_ASSERT_EQUAL(c->log_format, SHOAL_LOGFMT_TSV);
    CU_ASSERT_DOUBLE_EQUAL(c->tcp_inactivity_timeout, 300, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->udp_inactivity_timeout, 60, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->icmp_inactivity_timeout, 60, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->other_inactivity_timeout, 60, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->tcp_syn_timeout, 5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->tcp_close_delay, 5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->tcp_reset_delay, 5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->tcp_partial_close_delay, 3, 1e-9);
    CU_ASSERT_EQUAL(c->max_conns, 4000000);
    CU_ASSERT_FALSE(c->ignore_checksums);
    CU_ASSERT_EQUAL(c->tcp_max_buffer, 1024 * 1024);
    CU_ASSERT_EQUAL(c->frag_mem_max, 64 * 1024 * 1024);
    CU_ASSERT_DOUBLE_EQUAL(c->frag_timeout, 60, 1e-9);
    CU_ASSERT_PTR_NULL(c->local_nets);
    CU_ASSERT_FALSE(c->local_nets_set);
    CU_ASSERT_DOUBLE_EQUAL(c->stats_interval, 300, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->stats_capture_loss_interval, 900, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c->stats_capture_loss_first, 60, 1e-9);
    CU_ASSERT_FALSE(c->stats_traces);
}

static void test_defaults(void)
{
    struct shoal_config c;

    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&c), 0);
    CU_ASSERT_PTR_NULL(c.file);
    test_check_defaults(&c);
    shoal_config_free(&c);
    shoal_config_free(&c); /* twice is harmless: free zeroes */
}

static void test_empty_file(void)
{
    struct shoal_config c;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(shoal_config_load(&c, test_write("# nothing\n"), err, sizeof(err)), 0);
    test_check_defaults(&c);
    CU_ASSERT_STRING_EQUAL(c.file, test_path);
    shoal_config_free(&c);
}

static void test_every_key(void)
{
    struct shoal_config c;
    char err[256];
    int rc;

    rc = shoal_config_load(&c,
                           test_write("log: { dir = \"/var/log/shoal\"; format = \"json\"; };\n"
                                      "conn: {\n"
                                      "  tcp_inactivity_timeout = 120.5;\n"
                                      "  udp_inactivity_timeout = 30;\n"
                                      "  icmp_inactivity_timeout = 31;\n"
                                      "  other_inactivity_timeout = 32;\n"
                                      "  tcp_syn_timeout = 6;\n"
                                      "  tcp_close_delay = 7;\n"
                                      "  tcp_reset_delay = 8;\n"
                                      "  tcp_partial_close_delay = 9.25;\n"
                                      "  max_conns = 5000000000L;\n"
                                      "  ignore_checksums = true;\n"
                                      "};\n"
                                      "reassembly: {\n"
                                      "  tcp_max_buffer = 65536;\n"
                                      "  frag_mem_max = 1048576;\n"
                                      "  frag_timeout = 15;\n"
                                      "};\n"
                                      "networks: { local = [ \"10.0.0.0/8\", \"2001:db8::/32\", "
                                      "\"192.168.1.1\" ]; };\n"
                                      "stats: { interval = 60; capture_loss_interval = 0; "
                                      "capture_loss_first = 5.5; traces = true; };\n"
                                      "privileges: { user = \"shoal\"; group = \"adm\"; "
                                      "keep_net_raw = true; };\n"),
                           err, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(c.log_dir, "/var/log/shoal");
    CU_ASSERT_EQUAL(c.log_format, SHOAL_LOGFMT_JSON);
    CU_ASSERT_DOUBLE_EQUAL(c.tcp_inactivity_timeout, 120.5, 1e-9);
    /* Integers are accepted where numbers are expected. */
    CU_ASSERT_DOUBLE_EQUAL(c.udp_inactivity_timeout, 30, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.icmp_inactivity_timeout, 31, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.other_inactivity_timeout, 32, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.tcp_syn_timeout, 6, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.tcp_close_delay, 7, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.tcp_reset_delay, 8, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.tcp_partial_close_delay, 9.25, 1e-9);
    CU_ASSERT_EQUAL(c.max_conns, 5000000000ULL);
    CU_ASSERT_TRUE(c.ignore_checksums);
    CU_ASSERT_EQUAL(c.tcp_max_buffer, 65536);
    CU_ASSERT_EQUAL(c.frag_mem_max, 1048576);
    CU_ASSERT_DOUBLE_EQUAL(c.frag_timeout, 15, 1e-9);
    CU_ASSERT_TRUE(c.local_nets_set);
    CU_ASSERT_FATAL(c.local_nets != NULL);
    CU_ASSERT_STRING_EQUAL(c.local_nets[0], "10.0.0.0/8");
    CU_ASSERT_STRING_EQUAL(c.local_nets[1], "2001:db8::/32");
    CU_ASSERT_STRING_EQUAL(c.local_nets[2], "192.168.1.1");
    CU_ASSERT_PTR_NULL(c.local_nets[3]);
    CU_ASSERT_DOUBLE_EQUAL(c.stats_interval, 60, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.stats_capture_loss_interval, 0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.stats_capture_loss_first, 5.5, 1e-9);
    CU_ASSERT_TRUE(c.stats_traces);
    CU_ASSERT_STRING_EQUAL(c.privileges_user, "shoal");
    CU_ASSERT_STRING_EQUAL(c.privileges_group, "adm");
    CU_ASSERT_TRUE(c.privileges_keep_net_raw);
    shoal_config_free(&c);
}

static void test_networks(void)
{
    struct shoal_config c;
    char err[256];

    /* A list works as well as an array; an empty one means "no local nets". */
    CU_ASSERT_EQUAL_FATAL(shoal_config_load(&c, test_write("networks: { local = ( \"::1\" ); };\n"),
                                            err, sizeof(err)),
                          0);
    CU_ASSERT_STRING_EQUAL(c.local_nets[0], "::1");
    CU_ASSERT_PTR_NULL(c.local_nets[1]);
    shoal_config_free(&c);
    CU_ASSERT_EQUAL_FATAL(
        shoal_config_load(&c, test_write("networks: { local = [ ]; };\n"), err, sizeof(err)), 0);
    CU_ASSERT_TRUE(c.local_nets_set);
    CU_ASSERT_FATAL(c.local_nets != NULL);
    CU_ASSERT_PTR_NULL(c.local_nets[0]);
    shoal_config_free(&c);

    test_load_fails("networks: {\n  local = [ \"10.0.0.0/8\", \"10.1.0.0/33\" ];\n};\n", 2,
                    "networks.local: element 1: expected an address or address/prefix, got "
                    "\"10.1.0.0/33\"");
    test_load_fails("networks: {\n  local = [ \"lan\" ];\n};\n", 2,
                    "networks.local: element 0: expected an address or address/prefix, got "
                    "\"lan\"");
    test_load_fails("networks: {\n  local = ( \"10.0.0.0/8\", 3 );\n};\n", 2,
                    "networks.local: element 1: expected a string, got an integer");
    test_load_fails("networks: {\n  local = \"10.0.0.0/8\";\n};\n", 2,
                    "networks.local: expected a list of networks, got a string");
}

/* tunnel.*_ports: sets of UDP ports, Zeek's by default. */
static void test_tunnel_ports(void)
{
    struct shoal_config c;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&c), 0);
    CU_ASSERT_EQUAL(c.tunnel_vxlan_ports.n, 1);
    CU_ASSERT_EQUAL(c.tunnel_vxlan_ports.port[0], 4789);
    CU_ASSERT_EQUAL(c.tunnel_geneve_ports.port[0], 6081);
    CU_ASSERT_EQUAL(c.tunnel_gre_ports.port[0], 4754);
    shoal_config_free(&c);
    CU_ASSERT_EQUAL_FATAL(
        shoal_config_load(
            &c,
            test_write("tunnel: { vxlan_ports = [ 4789, 8472 ]; geneve_ports = ( 6081 );"
                       " gre_ports = [ ]; };\n"),
            err, sizeof(err)),
        0);
    CU_ASSERT_EQUAL(c.tunnel_vxlan_ports.n, 2);
    CU_ASSERT_EQUAL(c.tunnel_vxlan_ports.port[1], 8472);
    CU_ASSERT_EQUAL(c.tunnel_geneve_ports.n, 1);
    CU_ASSERT_EQUAL(c.tunnel_gre_ports.n, 0);
    shoal_config_free(&c);
    test_load_fails("tunnel: {\n  geneve_ports = [ 0 ];\n};\n", 2,
                    "tunnel.geneve_ports: element 0: port 0 is not in 1..65535");
    test_load_fails("tunnel: {\n  vxlan_ports = ( 4789, \"x\" );\n};\n", 2,
                    "tunnel.vxlan_ports: element 1: expected a port number, got a string");
    test_load_fails("tunnel: {\n  gre_ports = 4754;\n};\n", 2,
                    "tunnel.gre_ports: expected a list of ports, got an integer");
    test_load_fails("tunnel: {\n  gtpv1_ports = [ 2152 ];\n};\n", 2,
                    "tunnel.gtpv1_ports: unknown key");
}

static void test_syntax_error(void)
{
    test_load_fails("conn: {\n  max_conns = 10;\n  tcp_close_delay = ;\n};\n", 3, "syntax error");
    test_load_fails("conn: {\n  max_conns = 10;\n};\n}\n", 4, "syntax error");
}

static void test_unknown(void)
{
    test_load_fails("conn: {\n  max_conns = 10;\n\n  tcp_inactivty_timeout = 4;\n};\n", 4,
                    "conn.tcp_inactivty_timeout: unknown key");
    test_load_fails(
        "log: { dir = \"x\"; };\nlogs: { dir = \"y\"; };\n", 2,
        "logs: unknown group (expected log, conn, reassembly, networks, stats, privileges, "
        "notice, "
        "cluster, frontend, control or plugins)");
    test_load_fails(
        "\nmax_conns = 3;\n", 2,
        "max_conns: unknown group (expected log, conn, reassembly, networks, stats, privileges, "
        "notice, "
        "cluster, frontend, control or plugins)");
    test_load_fails("log: { dir = \"x\"; };\nconn = 5;\n", 2,
                    "conn: expected a group, got an "
                    "integer");
    test_load_fails("plugins: {\n  dns: { a = 1; };\n  http = 4;\n};\n", 3,
                    "plugins.http: expected a group, got an integer");
}

/* frontend: the strategy (its line kept for the node's error) and the
 * flow hash of the splitting strategies. */
static void test_frontend(void)
{
    struct shoal_config c;
    char err[512] = "";

    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&c), 0);
    CU_ASSERT_STRING_EQUAL(c.frontend_strategy, "pcap");
    CU_ASSERT_EQUAL(c.frontend_hash, 2);
    CU_ASSERT_EQUAL(c.frontend_strategy_line, 0);
    shoal_config_free(&c);
    CU_ASSERT_EQUAL_FATAL(
        shoal_config_load(&c,
                          test_write("log: { dir = \"x\"; };\nfrontend: {\n  hash = \"4-tuple\";\n"
                                     "  strategy = \"bpf\";\n};\n"),
                          err, sizeof(err)),
        0);
    CU_ASSERT_STRING_EQUAL(c.frontend_strategy, "bpf");
    CU_ASSERT_EQUAL(c.frontend_strategy_line, 4);
    CU_ASSERT_EQUAL(c.frontend_hash, 4);
    shoal_config_free(&c);
    test_load_fails("frontend: {\n  hash = \"3-tuple\";\n};\n", 2,
                    "frontend.hash: expected \"2-tuple\", \"4-tuple\" or \"5-tuple\", got "
                    "\"3-tuple\"");
    test_load_fails("frontend: {\n\n  hash = 5;\n};\n", 3,
                    "frontend.hash: expected \"2-tuple\", \"4-tuple\" or \"5-tuple\", got an "
                    "integer");
}

static void test_wrong_type(void)
{
    test_load_fails("conn: {\n  tcp_inactivity_timeout = \"5m\";\n};\n", 2,
                    "conn.tcp_inactivity_timeout: expected a number, got a string");
    test_load_fails("conn: {\n  max_conns = 1.5;\n};\n", 2,
                    "conn.max_conns: expected an integer, got a float");
    test_load_fails("conn: {\n  ignore_checksums = 1;\n};\n", 2,
                    "conn.ignore_checksums: expected a boolean, got an integer");
    test_load_fails("log: {\n  dir = 5;\n};\n", 2, "log.dir: expected a string, got an integer");
    test_load_fails("log: {\n  format = \"xml\";\n};\n", 2,
                    "log.format: expected \"tsv\" or \"json\", got \"xml\"");
    test_load_fails("reassembly: {\n  tcp_max_buffer = -1;\n};\n", 2,
                    "reassembly.tcp_max_buffer: expected an integer >= 0, got -1");
    test_load_fails("conn: {\n  max_conns = 0;\n};\n", 2,
                    "conn.max_conns: expected an integer >= 1, got 0");
    test_load_fails("conn: {\n  max_conns = 3000000000;\n};\n", 2,
                    "conn.max_conns: expected an integer >= 1, got -1294967296 (a number past "
                    "2147483647 needs the suffix L in libconfig, e.g. 3000000000L)");
    test_load_fails("conn: {\n  udp_inactivity_timeout = -2.5;\n};\n", 2,
                    "conn.udp_inactivity_timeout: expected a number >= 0, got -2.5");
}

/* notice { suppress_for; actions } and cluster { ... }. */
static void test_notice_cluster(void)
{
    struct shoal_config c;
    char err[512] = "";

    CU_ASSERT_EQUAL_FATAL(
        shoal_config_load(
            &c,
            test_write("notice: {\n  suppress_for = 60;\n  actions = (\n"
                       "    { note = \"Scan::Port_Scan\"; exec = [ \"/bin/cat\" ]; },\n"
                       "    { exec = [ \"/usr/bin/logger\", \"-t\", \"shoal notice\" ];"
                       " note = \"Scan::Address_Scan\"; }\n  );\n};\n"
                       "cluster: { batch_records = 500; ack_timeout = 2.5; };\n"),
            err, sizeof(err)),
        0);
    CU_ASSERT_DOUBLE_EQUAL(c.notice_suppress_for, 60, 1e-9);
    CU_ASSERT_EQUAL_FATAL(c.n_notice_actions, 2);
    CU_ASSERT_STRING_EQUAL(c.notice_actions[0].note, "Scan::Port_Scan");
    CU_ASSERT_STRING_EQUAL(c.notice_actions[0].argv[0], "/bin/cat");
    CU_ASSERT_PTR_NULL(c.notice_actions[0].argv[1]);
    CU_ASSERT_STRING_EQUAL(c.notice_actions[1].note, "Scan::Address_Scan");
    CU_ASSERT_STRING_EQUAL(c.notice_actions[1].argv[2], "shoal notice");
    CU_ASSERT_PTR_NULL(c.notice_actions[1].argv[3]);
    CU_ASSERT_EQUAL(c.cluster_batch_records, 500);
    CU_ASSERT_DOUBLE_EQUAL(c.cluster_ack_timeout, 2.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.cluster_batch_interval, 0.1, 1e-9);
    shoal_config_free(&c);

    test_load_fails("notice: {\n  actions = ( { note = \"X::Y\"; exec = [ \"cat\" ]; } );\n};\n", 2,
                    "notice.actions[0]: exec[0]: expected the program's absolute path");
    test_load_fails("notice: {\n  actions = ( { note = \"X::Y\"; } );\n};\n", 2,
                    "notice.actions[0]: exec: expected a list of strings, the program's absolute "
                    "path first");
    test_load_fails("notice: {\n  actions = ( { exec = [ \"/bin/cat\" ]; } );\n};\n", 2,
                    "notice.actions[0]: note: expected a notice type such as \"Scan::Port_Scan\"");
    test_load_fails("notice: {\n  actions = ( { note = \"X::Y\";\n shell = \"rm\"; } );\n};\n", 3,
                    "notice.actions[0]: unknown key shell (expected note or exec)");
    test_load_fails("notice: {\n  actions = [ \"a\" ];\n};\n", 2,
                    "notice.actions: expected a list ( { note; exec; }, ... ), got an array");
    test_load_fails("cluster: {\n  batch_records = 0;\n};\n", 2,
                    "cluster.batch_records: expected an integer >= 1, got 0");
}

/* control { ... }: the shell's time-outs, every one a number of seconds
 * above zero. */
static void test_control(void)
{
    static const struct {
        const char *key;
        size_t offset;
        double def;
    } keys[] = {
        {"lock", offsetof(struct shoal_config, control_lock_timeout), 60},
        {"control", offsetof(struct shoal_config, control_control_timeout), 5},
        {"start", offsetof(struct shoal_config, control_start_timeout), 30},
        {"stop", offsetof(struct shoal_config, control_stop_timeout), 60},
        {"run", offsetof(struct shoal_config, control_run_timeout), 60},
    };
    struct shoal_config c;
    char text[256];
    char reason[768];
    char err[512] = "";

    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&c), 0);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        double v;
        memcpy(&v, (char *)&c + keys[i].offset, sizeof(v));
        CU_ASSERT_DOUBLE_EQUAL(v, keys[i].def, 1e-9);
    }
    shoal_config_free(&c);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        double v;
        snprintf(text, sizeof(text), "control: {\n  %s = 7;\n};\n", keys[i].key);
        CU_ASSERT_EQUAL_FATAL(shoal_config_load(&c, test_write(text), err, sizeof(err)), 0);
        memcpy(&v, (char *)&c + keys[i].offset, sizeof(v));
        CU_ASSERT_DOUBLE_EQUAL(v, 7, 1e-9);
        shoal_config_free(&c);
        snprintf(text, sizeof(text), "control: {\n  %s = 0;\n};\n", keys[i].key);
        snprintf(reason, sizeof(reason), "control.%s: expected a number >= 0.001, got 0",
                 keys[i].key);
        test_load_fails(text, 2, reason);
        snprintf(text, sizeof(text), "# shell\ncontrol: {\n  %s = \"1m\";\n};\n", keys[i].key);
        snprintf(reason, sizeof(reason), "control.%s: expected a number, got a string",
                 keys[i].key);
        test_load_fails(text, 3, reason);
    }
    test_load_fails("control: {\n  lock = 1;\n  wait = 2;\n};\n", 3, "control.wait: unknown key");

    /* The shell reads its group alone: a mistake elsewhere is check's. */
    const char *mixed = test_write("conn: {\n  colour = 1;\n};\ncontrol: {\n  stop = 3;\n};\n");
    CU_ASSERT_EQUAL(shoal_config_load(&c, mixed, err, sizeof(err)), -EINVAL);
    shoal_config_free(&c);
    CU_ASSERT_EQUAL_FATAL(shoal_config_load_group(&c, mixed, "control", err, sizeof(err)), 0);
    CU_ASSERT_DOUBLE_EQUAL(c.control_stop_timeout, 3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(c.control_run_timeout, 60, 1e-9);
    shoal_config_free(&c);
    test_write("conn: {\n  colour = 1;\n};\ncontrol: {\n  stop = -3;\n};\n");
    CU_ASSERT_EQUAL(shoal_config_load_group(&c, test_path, "control", err, sizeof(err)), -EINVAL);
    snprintf(reason, sizeof(reason), "%s:5: control.stop: expected a number >= 0.001, got -3",
             test_path);
    CU_ASSERT_STRING_EQUAL(err, reason);
    shoal_config_free(&c);
    test_write("control: {\n  stop = 3;\n};\n}\n");
    CU_ASSERT_EQUAL(shoal_config_load_group(&c, test_path, "control", err, sizeof(err)), -EINVAL);
    shoal_config_free(&c);
}

static void test_missing_file(void)
{
    struct shoal_config c;
    char path[512];
    char err[768];
    char exp[768];

    snprintf(path, sizeof(path), "%s/no-such.cfg", test_tmpdir);
    CU_ASSERT_EQUAL(shoal_config_load(&c, path, err, sizeof(err)), -ENOENT);
    snprintf(exp, sizeof(exp), "%s: cannot open: No such file or directory", path);
    CU_ASSERT_STRING_EQUAL(err, exp);
    test_check_defaults(&c);
    shoal_config_free(&c);
}

/* ---- plugin groups ------------------------------------------------------ */

struct test_pcfg {
    bool on;
    int64_t n;
    double ratio;
    char *name;
    char *must;
};

static const struct shoal_cfg_key test_pkeys[] = {
    {"on", SHOAL_CFG_BOOL, "yes", false, "b", offsetof(struct test_pcfg, on), NULL, NULL},
    {"n", SHOAL_CFG_INT, "0x10", false, "i", offsetof(struct test_pcfg, n), NULL, NULL},
    {"ratio", SHOAL_CFG_DOUBLE, "1e3", false, "d", offsetof(struct test_pcfg, ratio), NULL, NULL},
    {"name", SHOAL_CFG_STRING, "anon", false, "s", offsetof(struct test_pcfg, name), NULL, NULL},
    {"must", SHOAL_CFG_STRING, NULL, true, "required", offsetof(struct test_pcfg, must), NULL,
     NULL},
    {0},
};

static struct shoal_plugin test_pdesc(void)
{
    struct shoal_plugin p = {
        SHOAL_PLUGIN_HEADER,
        .name = "demo",
        .kind = SHOAL_PLUGIN_ANALYZER,
        .config = test_pkeys,
        .config_size = sizeof(struct test_pcfg),
    };
    return p;
}

/* Load text and fill the demo plugin; returns shoal_config_plugin's rc. */
static int test_fill(const char *text, struct test_pcfg *out, char *err, size_t errlen)
{
    struct shoal_plugin p = test_pdesc();
    struct shoal_config c;
    int rc;

    rc = shoal_config_load(&c, test_write(text), err, errlen);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    memset(out, 0xa5, sizeof(*out)); /* shoal_config_plugin zeroes it */
    rc = shoal_config_plugin(&c, &p, out, err, errlen);
    shoal_config_free(&c);
    return rc;
}

static void test_plugin_values(void)
{
    struct shoal_plugin p = test_pdesc();
    struct test_pcfg v;
    char err[512];

    CU_ASSERT_EQUAL_FATAL(
        test_fill("plugins: { demo: { must = \"m\"; }; };\n", &v, err, sizeof(err)), 0);
    CU_ASSERT_TRUE(v.on);
    CU_ASSERT_EQUAL(v.n, 16);
    CU_ASSERT_DOUBLE_EQUAL(v.ratio, 1000, 1e-9);
    CU_ASSERT_STRING_EQUAL(v.name, "anon");
    CU_ASSERT_STRING_EQUAL(v.must, "m");
    shoal_config_plugin_free(&p, &v);
    CU_ASSERT_PTR_NULL(v.name);
    CU_ASSERT_PTR_NULL(v.must);

    CU_ASSERT_EQUAL_FATAL(test_fill("plugins: {\n  demo: {\n    on = false; n = -5L; ratio = 2;\n"
                                    "    name = \"x\"; must = \"y\";\n  };\n};\n",
                                    &v, err, sizeof(err)),
                          0);
    CU_ASSERT_FALSE(v.on);
    CU_ASSERT_EQUAL(v.n, -5);
    CU_ASSERT_DOUBLE_EQUAL(v.ratio, 2, 1e-9);
    CU_ASSERT_STRING_EQUAL(v.name, "x");
    CU_ASSERT_STRING_EQUAL(v.must, "y");
    shoal_config_plugin_free(&p, &v);
}

static void test_plugin_errors(void)
{
    struct test_pcfg v;
    char err[512];
    char exp[1024];

    CU_ASSERT_EQUAL(test_fill("plugins: {\n  demo: {\n    must = \"m\";\n    nn = 1;\n  };\n};\n",
                              &v, err, sizeof(err)),
                    -EINVAL);
    snprintf(exp, sizeof(exp), "%s:4: plugins.demo.nn: unknown key", test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);

    CU_ASSERT_EQUAL(test_fill("plugins: {\n  demo: {\n    must = \"m\";\n    n = 1.5;\n  };\n};\n",
                              &v, err, sizeof(err)),
                    -EINVAL);
    snprintf(exp, sizeof(exp), "%s:4: plugins.demo.n: expected an integer, got a float", test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);

    CU_ASSERT_EQUAL(
        test_fill("plugins: {\n  demo: {\n    must = 3;\n  };\n};\n", &v, err, sizeof(err)),
        -EINVAL);
    snprintf(exp, sizeof(exp), "%s:3: plugins.demo.must: expected a string, got an integer",
             test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);

    CU_ASSERT_EQUAL(test_fill("plugins: {\n  demo: {\n    on = \"yes\"; must = \"m\";\n  };\n};\n",
                              &v, err, sizeof(err)),
                    -EINVAL);
    snprintf(exp, sizeof(exp), "%s:3: plugins.demo.on: expected a boolean, got a string",
             test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);

    /* Required key missing: the group's line when there is a group... */
    CU_ASSERT_EQUAL(test_fill("plugins: {\n\n  demo: { n = 1; };\n};\n", &v, err, sizeof(err)),
                    -EINVAL);
    snprintf(exp, sizeof(exp), "%s:3: plugins.demo.must: required key missing", test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);
    /* ...and the file alone when there is none. */
    CU_ASSERT_EQUAL(test_fill("log: { dir = \"x\"; };\n", &v, err, sizeof(err)), -EINVAL);
    snprintf(exp, sizeof(exp), "%s: plugins.demo.must: required key missing", test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);
    /* On error nothing is left allocated (valgrind/ASan check). */
    CU_ASSERT_PTR_NULL(v.name);
}

static void test_plugin_bad_default(void)
{
    static const struct shoal_cfg_key keys[] = {
        {"ratio", SHOAL_CFG_DOUBLE, "fast", false, "d", 0, NULL, NULL},
        {0},
    };
    static const struct shoal_cfg_key bkeys[] = {
        {"on", SHOAL_CFG_BOOL, "maybe", false, "b", 0, NULL, NULL},
        {0},
    };
    struct shoal_plugin p = test_pdesc();
    struct shoal_config c;
    double d;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&c), 0);
    p.config = keys;
    p.config_size = sizeof(d);
    CU_ASSERT_EQUAL(shoal_config_plugin(&c, &p, &d, err, sizeof(err)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "demo: config key ratio: the plugin's default \"fast\" is not a "
                                "number");
    p.config = bkeys;
    CU_ASSERT_EQUAL(shoal_config_plugin(&c, &p, &d, err, sizeof(err)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "demo: config key on: the plugin's default \"maybe\" is not a "
                                "boolean");
    /* No config at all (NULL) is the same as the built-in defaults. */
    p.config = keys;
    CU_ASSERT_EQUAL(shoal_config_plugin(NULL, &p, &d, err, sizeof(err)), -EINVAL);
    shoal_config_free(&c);
}

static void test_plugin_groups(void)
{
    static const char *const names[] = {"dns", "http"};
    struct shoal_config c;
    char err[512];
    char exp[1024];

    CU_ASSERT_EQUAL_FATAL(shoal_config_load(&c,
                                            test_write("plugins: {\n  dns: { };\n"
                                                       "  http: { };\n};\n"),
                                            err, sizeof(err)),
                          0);
    CU_ASSERT_EQUAL(shoal_config_check_plugin_groups(&c, names, 2, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(shoal_config_check_plugin_groups(&c, names, 1, err, sizeof(err)), -EINVAL);
    snprintf(exp, sizeof(exp), "%s:3: plugins.http: no plugin of that name is loaded", test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);
    shoal_config_free(&c);

    CU_ASSERT_EQUAL_FATAL(shoal_config_defaults(&c), 0);
    CU_ASSERT_EQUAL(shoal_config_check_plugin_groups(&c, names, 0, err, sizeof(err)), 0);
    shoal_config_free(&c);
}

/* The shipped cfg/shoal.cfg must load and equal the built-in defaults. */
/* plugins.<name>.enabled: the core's key of every plugin group. */
static void test_plugin_enabled(void)
{
    struct shoal_config c;
    struct shoal_plugin p = test_pdesc();
    struct test_pcfg out;
    char err[512] = "";

    CU_ASSERT_EQUAL_FATAL(
        shoal_config_load(&c,
                          test_write("plugins: {\n  demo: { enabled = false; must = \"x\"; };\n"
                                     "  other: { enabled = true; };\n  bad: {\n    enabled = 1;\n"
                                     "  };\n};\n"),
                          err, sizeof(err)),
        0);
    CU_ASSERT_EQUAL(shoal_config_plugin_enabled(&c, "demo", err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(shoal_config_plugin_enabled(&c, "other", err, sizeof(err)), 1);
    CU_ASSERT_EQUAL(shoal_config_plugin_enabled(&c, "absent", err, sizeof(err)), 1);
    CU_ASSERT_EQUAL(shoal_config_plugin_enabled(&c, "bad", err, sizeof(err)), -EINVAL);
    char exp[600];
    snprintf(exp, sizeof(exp), "%s:5: plugins.bad.enabled: expected a boolean, got an integer",
             test_path);
    CU_ASSERT_STRING_EQUAL(err, exp);
    if (strcmp(err, exp) != 0) {
        fprintf(stderr, "\n  got:    %s\n  wanted: %s\n", err, exp);
    }
    /* The plugin's own keys are read next to it. */
    CU_ASSERT_EQUAL(shoal_config_plugin(&c, &p, &out, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(out.must, "x");
    shoal_config_plugin_free(&p, &out);
    shoal_config_free(&c);
}

static void test_shipped_cfg(void)
{
    const char *src = getenv("top_srcdir");
    struct shoal_config c;
    char path[512];
    char err[512];
    int rc;

    if (src == NULL) {
        src = TEST_SRCDIR;
    }
    snprintf(path, sizeof(path), "%s/cfg/shoal.cfg", src);
    rc = shoal_config_load(&c, path, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    test_check_defaults(&c);
    shoal_config_free(&c);
}

/* ---- main --------------------------------------------------------------- */

static int test_suite_init(void)
{
    const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

    snprintf(test_tmpdir, sizeof(test_tmpdir), "%s/shoal-test-config.XXXXXX", base);
    return mkdtemp(test_tmpdir) != NULL ? 0 : -1;
}

static int test_suite_clean(void)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/test.cfg", test_tmpdir);
    unlink(path);
    return rmdir(test_tmpdir) == 0 ? 0 : -1;
}

int main(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"defaults", test_defaults},
        {"an empty file gives the defaults", test_empty_file},
        {"every core key", test_every_key},
        {"networks.local", test_networks},
        {"tunnel ports", test_tunnel_ports},
        {"syntax error with its line", test_syntax_error},
        {"unknown groups and keys with their line", test_unknown},
        {"wrong types and bad values", test_wrong_type},
        {"the frontend group", test_frontend},
        {"notice and cluster groups", test_notice_cluster},
        {"the shell's control group", test_control},
        {"plugins.<name>.enabled", test_plugin_enabled},
        {"missing file", test_missing_file},
        {"plugin group values and defaults", test_plugin_values},
        {"plugin group errors", test_plugin_errors},
        {"plugin's own bad default", test_plugin_bad_default},
        {"groups naming no loaded plugin", test_plugin_groups},
        {"the shipped cfg/shoal.cfg", test_shipped_cfg},
    };
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return CU_get_error();
    }
    s = CU_add_suite("config", test_suite_init, test_suite_clean);
    if (s == NULL) {
        goto out_cleanup;
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL) {
            goto out_cleanup;
        }
    }
    return shoal_cunit_run("test_config");

out_cleanup:
    CU_cleanup_registry();
    return 2;
}
