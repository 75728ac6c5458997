/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of node.cfg (core/shell/nodecfg.c): a standalone file, a
 * cluster with lb_procs expansion, CPU pins and environment, `<nodes>`
 * selection by name, section and group, and every refusal with its line
 * and key.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "shell/nodecfg.h"
#include "suites.h"

static struct shoal_nodecfg *parse_ok(const char *text)
{
    struct shoal_nodecfg *c = NULL;
    char err[512] = "";
    int rc = shoal_nodecfg_parse(text, "node.cfg", &c, err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, "\n  unexpected error: %s\n", err);
    }
    CU_ASSERT_EQUAL(rc, 0);
    return c;
}

static void test_standalone(void)
{
    struct shoal_nodecfg *c = parse_ok("# a comment\n"
                                       "[zeek]\n"
                                       "type=standalone\n"
                                       "host=localhost\n"
                                       "interface=eth0\n");

    CU_ASSERT_FATAL(c != NULL);
    CU_ASSERT_EQUAL(c->n, 1);
    CU_ASSERT_FALSE(shoal_nodecfg_is_cluster(c));
    CU_ASSERT_STRING_EQUAL(c->nodes[0].name, "zeek");
    CU_ASSERT_EQUAL(c->nodes[0].role, SHOAL_ROLE_STANDALONE);
    CU_ASSERT_STRING_EQUAL(c->nodes[0].host, "localhost");
    CU_ASSERT_STRING_EQUAL(c->nodes[0].interface, "eth0");
    CU_ASSERT_EQUAL(c->nodes[0].lb_procs, 1);
    CU_ASSERT_EQUAL(c->nodes[0].pin_cpu, -1);
    CU_ASSERT_PTR_NULL(c->nodes[0].env);
    CU_ASSERT_EQUAL(c->nodes[0].line, 2);
    shoal_nodecfg_free(c);
}

static const char cluster_cfg[] = "[manager]\n"
                                  "type = manager\n"
                                  "host = 10.0.0.1\n"
                                  "\n"
                                  "[proxy-1]\n"
                                  "type=proxy\n"
                                  "host=10.0.0.1\n"
                                  "\n"
                                  "[worker-1]\n"
                                  "type=worker\n"
                                  "host=sensor-a.example.org\n"
                                  "interface=eth1\n"
                                  "lb_method=af_packet\n"
                                  "lb_procs=3\n"
                                  "pin_cpus=4, 5,6\n"
                                  "env_vars=LANG=C, TZ=UTC\n"
                                  "\n"
                                  "; INI comments both ways\n"
                                  "[worker-2]\n"
                                  "TYPE=worker\n"
                                  "host=fd00::2\n"
                                  "interface=eth0\n";

static void test_cluster(void)
{
    struct shoal_nodecfg *c = parse_ok(cluster_cfg);
    static const char *const names[] = {"manager",    "proxy-1",    "worker-1-1",
                                        "worker-1-2", "worker-1-3", "worker-2"};

    CU_ASSERT_FATAL(c != NULL);
    CU_ASSERT_TRUE(shoal_nodecfg_is_cluster(c));
    CU_ASSERT_EQUAL_FATAL(c->n, 6);
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_STRING_EQUAL(c->nodes[i].name, names[i]);
    }
    const struct shoal_nodecfg_node *w = shoal_nodecfg_find(c, "worker-1-2");
    CU_ASSERT_FATAL(w != NULL);
    CU_ASSERT_STRING_EQUAL(w->section, "worker-1");
    CU_ASSERT_EQUAL(w->role, SHOAL_ROLE_WORKER);
    CU_ASSERT_STRING_EQUAL(w->lb_method, "af_packet");
    CU_ASSERT_EQUAL(w->lb_procs, 3);
    CU_ASSERT_EQUAL(w->lb_index, 1);
    CU_ASSERT_EQUAL(w->pin_cpu, 5);
    CU_ASSERT_STRING_EQUAL(w->env[0], "LANG=C");
    CU_ASSERT_STRING_EQUAL(w->env[1], "TZ=UTC");
    CU_ASSERT_PTR_NULL(w->env[2]);
    CU_ASSERT_EQUAL(shoal_nodecfg_find(c, "worker-2")->pin_cpu, -1);
    CU_ASSERT_STRING_EQUAL(shoal_nodecfg_find(c, "worker-2")->host, "fd00::2");
    CU_ASSERT_PTR_NULL(shoal_nodecfg_find(c, "worker-1"));
    shoal_nodecfg_free(c);
}

/* Select and return the names, space-joined, or the error. */
static const char *select_names(const struct shoal_nodecfg *c, int argc, char *const *argv)
{
    static char out[512];
    const struct shoal_nodecfg_node **v;
    size_t n;

    out[0] = '\0';
    if (shoal_nodecfg_select(c, argc, argv, &v, &n, out, sizeof(out)) < 0) {
        return out;
    }
    for (size_t i = 0; i < n; i++) {
        strcat(out, i > 0 ? " " : "");
        strcat(out, v[i]->name);
    }
    free(v);
    return out;
}

static void test_select(void)
{
    struct shoal_nodecfg *c = parse_ok(cluster_cfg);
    char *workers[] = {"workers"};
    char *mixed[] = {"worker-2", "manager", "worker-2"};
    char *section[] = {"worker-1"};
    char *groups[] = {"proxies", "manager"};
    char *all[] = {"all"};
    char *bad[] = {"manager", "worker-9"};

    CU_ASSERT_FATAL(c != NULL);
    CU_ASSERT_STRING_EQUAL(select_names(c, 0, NULL),
                           "manager proxy-1 worker-1-1 worker-1-2 worker-1-3 worker-2");
    CU_ASSERT_STRING_EQUAL(select_names(c, 1, all),
                           "manager proxy-1 worker-1-1 worker-1-2 worker-1-3 worker-2");
    CU_ASSERT_STRING_EQUAL(select_names(c, 1, workers),
                           "worker-1-1 worker-1-2 worker-1-3 worker-2");
    /* node.cfg's order, each once, whatever the arguments' order. */
    CU_ASSERT_STRING_EQUAL(select_names(c, 3, mixed), "manager worker-2");
    CU_ASSERT_STRING_EQUAL(select_names(c, 1, section), "worker-1-1 worker-1-2 worker-1-3");
    CU_ASSERT_STRING_EQUAL(select_names(c, 2, groups), "manager proxy-1");
    CU_ASSERT_STRING_EQUAL(select_names(c, 2, bad), "unknown node 'worker-9'");
    shoal_nodecfg_free(c);
}

/* Every refusal: the text, then the whole message expected. */
static void test_errors(void)
{
    static const struct {
        const char *text;
        const char *err;
    } cases[] = {
        {"type=worker\n", "node.cfg:1: type: a setting before any [section]"},
        {"[w]\ntype=worker\nhost=h\ninterface=eth0\ncolour=blue\n",
         "node.cfg:5: [w] colour: unknown key (expected type, host, interface, lb_method, "
         "lb_procs, lb_interfaces, pin_cpus or env_vars)"},
        {"[w]\nhost=h\n", "node.cfg:1: [w] type: required key missing"},
        {"[w]\ntype=worker\ninterface=eth0\n", "node.cfg:1: [w] host: required key missing"},
        {"[w]\ntype=sniffer\nhost=h\n",
         "node.cfg:2: [w] type: expected standalone, manager, proxy or worker, got \"sniffer\""},
        {"[w]\ntype=worker\nhost=h\n", "node.cfg:1: [w] interface: required key missing"},
        {"[w]\ntype=worker\nhost=h;rm -rf /\ninterface=eth0\n",
         "node.cfg:3: [w] host: expected a host name or an address, got \"h;rm -rf /\""},
        {"[w]\ntype=worker\nhost=h\ninterface=eth0 $(reboot)\n",
         "node.cfg:4: [w] interface: expected an interface name, got \"eth0 $(reboot)\""},
        {"[w]\ntype=worker\nhost=h\nhost=i\n", "node.cfg:4: [w] host: already set at line 3"},
        {"[w]\ntype=standalone\nhost=h\ninterface=e\n[w]\n",
         "node.cfg:5: [w]: the section is already at line 1"},
        {"[bad name]\n", "node.cfg:1: expected a node name ([A-Za-z0-9][A-Za-z0-9._-]*, at most "
                         "63 characters), got \"bad name\""},
        {"[w\n", "node.cfg:1: expected [name], got \"[w\""},
        {"just text\n", "node.cfg:1: expected [name] or key=value, got \"just text\""},
        {"[m]\ntype=manager\nhost=h\ninterface=eth0\n",
         "node.cfg:4: [m] interface: only workers and a standalone node capture packets"},
        {"[w]\ntype=worker\nhost=h\ninterface=e\nlb_procs=4\n",
         "node.cfg:5: [w] lb_procs: more than one process needs lb_method"},
        {"[w]\ntype=worker\nhost=h\ninterface=e\nlb_method=x\nlb_procs=0\n",
         "node.cfg:6: [w] lb_procs: expected an integer 1..256, got \"0\""},
        {"[w]\ntype=worker\nhost=h\ninterface=e\nlb_method=af_packet\nlb_procs=2\npin_cpus=1\n",
         "node.cfg:7: [w] pin_cpus: expected a CPU for each of the 2 processes, got 1"},
        {"[w]\ntype=worker\nhost=h\ninterface=e\npin_cpus=one\n",
         "node.cfg:5: [w] pin_cpus: expected CPU numbers 0..4095, got \"one\""},
        {"[w]\ntype=worker\nhost=h\ninterface=e\nlb_method=AF\n",
         "node.cfg:5: [w] lb_method: expected a frontend's name ([a-z][a-z0-9_-]*), got \"AF\""},
        {"[w]\ntype=worker\nhost=h\ninterface=e\nenv_vars=A=1, 2B=x\n",
         "node.cfg:5: [w] env_vars: expected NAME=value entries, got \"2B=x\""},
        {"[s]\ntype=standalone\nhost=h\ninterface=e\n[w]\ntype=worker\nhost=h\ninterface=e\n",
         "node.cfg:1: [s] type: a standalone node must be the only node"},
        {"[w]\ntype=worker\nhost=h\ninterface=e\n",
         "node.cfg: a cluster needs a manager, got none"},
        {"[m]\ntype=manager\nhost=h\n[n]\ntype=manager\nhost=h\n",
         "node.cfg:4: [n] type: a second manager"},
        {"[m]\ntype=manager\nhost=h\n[p]\ntype=proxy\nhost=h\n",
         "node.cfg: a cluster needs at least one worker"},
        {"[m]\ntype=manager\nhost=h\n[w]\ntype=worker\nhost=h\ninterface=e\nlb_method=a\n"
         "lb_procs=2\n[w-2]\ntype=worker\nhost=h\ninterface=e\n",
         "node.cfg:10: [w-2]: its node w-2 is also [w]'s (line 4)"},
        {"", "node.cfg: no node: expected a [section] per node"},
        {"[w]\ntype=worker\x01\n", "node.cfg:2: a control character (0x01)"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct shoal_nodecfg *c = NULL;
        char err[512] = "";
        int rc = shoal_nodecfg_parse(cases[i].text, "node.cfg", &c, err, sizeof(err));

        CU_ASSERT_EQUAL(rc, -EINVAL);
        CU_ASSERT_PTR_NULL(c);
        if (strcmp(err, cases[i].err) != 0) {
            fprintf(stderr, "\n  case %zu: got    %s\n           wanted %s\n", i, err,
                    cases[i].err);
        }
        CU_ASSERT_STRING_EQUAL(err, cases[i].err);
    }
}

static void test_load_file(void)
{
    struct shoal_nodecfg *c = NULL;
    char err[512];

    CU_ASSERT_EQUAL(shoal_nodecfg_load("/nonexistent/node.cfg", &c, err, sizeof(err)), -ENOENT);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent/node.cfg: cannot read: No such file or directory");
    CU_ASSERT_PTR_NULL(c);
}

int register_nodecfg_suite(void)
{
    CU_pSuite s = CU_add_suite("nodecfg", NULL, NULL);

    if (s == NULL || CU_add_test(s, "standalone", test_standalone) == NULL ||
        CU_add_test(s, "cluster, lb_procs, pins, environment", test_cluster) == NULL ||
        CU_add_test(s, "<nodes> selection", test_select) == NULL ||
        CU_add_test(s, "every refusal", test_errors) == NULL ||
        CU_add_test(s, "a missing file", test_load_file) == NULL) {
        return CU_get_error();
    }
    return CUE_SUCCESS;
}
