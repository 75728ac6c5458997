/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the cluster layout (core/cluster/layout.c) and of the CURVE key files
 * (core/cluster/keys.c): the shipped example layout, every refusal of the layout
 * reader with its file and line, generate -> write -> load round trips and
 * the fixed port order, endpoint strings (tcp, IPv6, ipc), key generation
 * (file and directory modes, refusal to overwrite, overwrite and reuse),
 * refusal of key files others may read or write, Z85 round trips and
 * errors, and look-ups in the allowed list.  Every file is written into a
 * mkdtemp directory that the suite removes.
 */
#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/keys.h"
#include "cluster/layout.h"

static char test_tmpdir[256];
static char test_path[512];

/* Write `text` to `name` in the temp dir (mode 0644); returns its path. */
static const char *test_write(const char *name, const char *text)
{
    FILE *f;

    snprintf(test_path, sizeof(test_path), "%s/%s", test_tmpdir, name);
    f = fopen(test_path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
    chmod(test_path, 0644);
    return test_path;
}

/* A path in the temp dir. */
static const char *test_tmp(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", test_tmpdir, name);
    return buf;
}

/* ---- the example layout ------------------------------------------------- */

static void test_example(void)
{
    const char *src = getenv("top_srcdir") != NULL ? getenv("top_srcdir") : TEST_SRCDIR;
    const struct shoal_layout_node *n;
    struct shoal_layout *l;
    char path[512];
    char err[512] = "";
    char ep[300];
    int rc;

    snprintf(path, sizeof(path), "%s/cfg/layout-example.cfg", src);
    rc = shoal_layout_load(path, &l, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(l->file, path);
    CU_ASSERT_STRING_EQUAL(l->cluster, "shoal");
    CU_ASSERT_FALSE(l->use_ipc);
    CU_ASSERT_STRING_EQUAL(l->allowed_keys, "/etc/shoal/keys/allowed_keys");
    CU_ASSERT_EQUAL(l->n_nodes, 4);
    CU_ASSERT_EQUAL(shoal_layout_count(l, SHOAL_ROLE_MANAGER), 1);
    CU_ASSERT_EQUAL(shoal_layout_count(l, SHOAL_ROLE_PROXY), 1);
    CU_ASSERT_EQUAL(shoal_layout_count(l, SHOAL_ROLE_WORKER), 2);
    CU_ASSERT_EQUAL(shoal_layout_count(l, SHOAL_ROLE_STANDALONE), 0);

    n = shoal_layout_manager(l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_STRING_EQUAL(n->name, "manager");
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_LOG], 27760);
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_NOTICE], 27761);
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_CONTROL], 27762);
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_STATE_IN], 0);
    CU_ASSERT_STRING_EQUAL(n->secret_key, "/etc/shoal/keys/manager.key");
    CU_ASSERT_STRING_EQUAL(n->workdir, "/var/spool/shoal/manager");
    CU_ASSERT_PTR_NULL(n->interface);
    CU_ASSERT_EQUAL(shoal_layout_endpoint(n, SHOAL_CHANNEL_LOG, ep, sizeof(ep)), 0);
    CU_ASSERT_STRING_EQUAL(ep, "tcp://localhost:27760");

    n = shoal_layout_next(l, SHOAL_ROLE_PROXY, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_STRING_EQUAL(n->name, "proxy-1");
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_CONTROL], 27763);
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_STATE_IN], 27764);
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_STATE_PUB], 27765);
    CU_ASSERT_PTR_NULL(shoal_layout_next(l, SHOAL_ROLE_PROXY, n));

    n = shoal_layout_next(l, SHOAL_ROLE_WORKER, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_STRING_EQUAL(n->name, "worker-1");
    CU_ASSERT_STRING_EQUAL(n->interface, "eth0");
    CU_ASSERT_STRING_EQUAL(n->filter, "ip and ((ip[12:4] + ip[16:4]) & 1) = 0");
    CU_ASSERT_PTR_NULL(n->lb_method);
    CU_ASSERT_EQUAL(n->lb_procs, 1);
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_CONTROL], 27766);
    n = shoal_layout_next(l, SHOAL_ROLE_WORKER, n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_STRING_EQUAL(n->name, "worker-2");
    CU_ASSERT_EQUAL(n->ports[SHOAL_CHANNEL_CONTROL], 27767);
    CU_ASSERT_PTR_NULL(shoal_layout_next(l, SHOAL_ROLE_WORKER, n));

    CU_ASSERT_PTR_EQUAL(shoal_layout_find(l, "worker-2"), n);
    CU_ASSERT_PTR_NULL(shoal_layout_find(l, "worker-3"));
    CU_ASSERT_PTR_NULL(shoal_layout_find(l, NULL));
    shoal_layout_free(l);
    shoal_layout_free(NULL);
}

/* ---- refusals ----------------------------------------------------------- */

/* Nodes on one line each, so node i of a test layout is on line 4 + i. */
#define T_HEAD "version = 1;\ncluster: { allowed_keys = \"/k/allowed\"; };\nnodes = (\n"
#define T_TAIL "\n);\n"
#define T_MGR                                                                                      \
    "{ name = \"manager\"; role = \"manager\"; host = \"localhost\"; workdir = \"/w/m\"; "         \
    "secret_key = \"/k/m.key\"; ports = { log = 27760; notice = 27761; control = 27762; }; }"
#define T_PROXY                                                                                    \
    "{ name = \"proxy-1\"; role = \"proxy\"; host = \"localhost\"; workdir = \"/w/p\"; "           \
    "secret_key = \"/k/p.key\"; ports = { state_in = 27763; state_pub = 27764; control = 27765; "  \
    "}; }"
#define T_WORKER(name, port, extra)                                                                \
    "{ name = \"" name "\"; role = \"worker\"; host = \"localhost\"; workdir = \"/w/" name "\"; "  \
    "secret_key = \"/k/" name ".key\"; ports = { control = " port "; }; " extra "}"

/* Load `text`; expect -EINVAL and err == "<file>:<line>: <reason>" (line 0:
 * "<file>: <reason>"). */
static void test_refused(const char *text, unsigned line, const char *reason)
{
    struct shoal_layout *l = (struct shoal_layout *)1;
    char err[1024] = "";
    char exp[1024];
    const char *p = test_write("refused.cfg", text);
    int rc;

    rc = shoal_layout_load(p, &l, err, sizeof(err));
    CU_ASSERT_EQUAL(rc, -EINVAL);
    CU_ASSERT_PTR_NULL(l);
    if (line > 0) {
        snprintf(exp, sizeof(exp), "%s:%u: %s", p, line, reason);
    } else {
        snprintf(exp, sizeof(exp), "%s: %s", p, reason);
    }
    CU_ASSERT_STRING_EQUAL(err, exp);
    if (strcmp(err, exp) != 0) {
        fprintf(stderr, "\n  got:    %s\n  wanted: %s\n", err, exp);
    }
}

static void test_valid_base(void)
{
    struct shoal_layout *l = NULL;
    char err[512] = "";
    int rc;

    rc = shoal_layout_load(
        test_write("ok.cfg", T_HEAD T_MGR ",\n" T_PROXY ",\n" T_WORKER("w1", "27766", "") T_TAIL),
        &l, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(l->n_nodes, 3);
    CU_ASSERT_EQUAL(l->nodes[2].line.node, 6);
    CU_ASSERT_EQUAL(l->line.nodes, 3);
    shoal_layout_free(l);
}

static void test_refusals(void)
{
    char err[512] = "";
    struct shoal_layout *l = (struct shoal_layout *)1;

    /* Syntax, unknown keys, types. */
    test_refused(T_HEAD T_MGR "\n);\nfoo = ;\n", 6, "syntax error");
    test_refused(T_HEAD T_MGR T_TAIL "extra = 1;\n", 6,
                 "extra: unknown key (expected version, cluster or nodes)");
    test_refused("cluster: { allowed_keys = \"/k\"; ipc = true; };\nnodes = (" T_MGR ");\n", 1,
                 "cluster.ipc: unknown key (expected name, use_ipc or allowed_keys)");
    test_refused(T_HEAD T_WORKER("w1", "27766", "colour = \"red\"; ") ",\n" T_MGR T_TAIL, 4,
                 "nodes[0].colour: unknown key (expected name, role, host, workdir, secret_key, "
                 "ports, interface, filter, lb_method or lb_procs)");
    test_refused("version = 2;\nnodes = (" T_MGR ");\n", 1,
                 "version: layout format version 2 is not supported (expected 1)");
    test_refused("version = 1;\n", 0, "nodes: required list missing");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "\"27766\"", "") T_TAIL, 5,
                 "nodes[1].ports.control: expected an integer port, got a string");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "27766", "lb_procs = \"2\"; ") T_TAIL, 5,
                 "nodes[1].lb_procs: expected an integer, got a string");
    test_refused("cluster: { allowed_keys = \"/k\"; use_ipc = 1; };\nnodes = (" T_MGR ");\n", 1,
                 "cluster.use_ipc: expected a boolean, got an integer");

    /* Roles. */
    test_refused(T_HEAD T_MGR ",\n"
                              "{ name = \"logger\"; role = \"logger\"; host = \"localhost\"; "
                              "workdir = \"/w/l\"; }" T_TAIL,
                 5,
                 "nodes[1].role: unknown role \"logger\" (expected manager, proxy, worker or "
                 "standalone)");
    test_refused(T_HEAD T_MGR ",\n{ name = \"x\"; host = \"localhost\"; }" T_TAIL, 5,
                 "nodes[1]: required key role missing");
    test_refused(T_HEAD T_WORKER("w1", "27766", "") T_TAIL, 3,
                 "nodes: no manager (a cluster needs exactly one node with role = \"manager\")");
    test_refused(
        T_HEAD T_MGR ",\n" T_WORKER(
            "w1", "27766", "") ",\n"
                               "{ name = \"m2\"; role = \"manager\"; host = \"h2\"; workdir = "
                               "\"/w/m2\"; secret_key = \"/k/m2\"; ports = { log = 27760; notice = "
                               "27761; control = 27762; }; }" T_TAIL,
        6, "nodes[2].role: a second manager (a cluster has exactly one)");
    test_refused(T_HEAD T_MGR ",\n"
                              "{ name = \"s\"; role = \"standalone\"; host = \"localhost\"; "
                              "workdir = \"/w/s\"; ports = { control = 27790; }; }" T_TAIL,
                 5, "nodes[1].role: a standalone node must be the only node of its layout");

    /* Names and duplicates. */
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("manager", "27766", "") T_TAIL, 5,
                 "nodes[1].name: duplicate node name \"manager\" (first at nodes[0], line 4)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("../w", "27766", "") T_TAIL, 5,
                 "nodes[1].name: bad node name \"../w\" (letters, digits, '.', '_' and '-', "
                 "starting with a letter or digit, at most 63)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "27762", "") T_TAIL, 5,
                 "nodes[1].ports.control: localhost:27762 is already used by manager's control "
                 "channel (line 4)");
    test_refused(T_HEAD T_MGR ",\n"
                              "{ name = \"w1\"; role = \"worker\"; host = \"127.0.0.1\"; workdir "
                              "= \"/w/w1\"; secret_key = \"/k/w1\"; ports = { control = 27760; "
                              "}; }" T_TAIL,
                 5,
                 "nodes[1].ports.control: 127.0.0.1:27760 is already used by manager's log "
                 "channel (line 4)");
    test_refused(T_HEAD "{ name = \"manager\"; role = \"manager\"; host = \"localhost\"; workdir = "
                        "\"/w/m\"; secret_key = \"/k/m.key\";\n  ports = { log = 27760;\n notice = "
                        "27760; control = 27762; }; }" T_TAIL,
                 6,
                 "nodes[0].ports.notice: localhost:27760 is already used by manager's log channel "
                 "(line 5)");
    /* The same port on another host is fine: see test_generate. */

    /* Ports. */
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "40000", "") T_TAIL, 5,
                 "nodes[1].ports.control: port 40000 is in the ephemeral range 32768-60999 (the "
                 "kernel may give it to an outgoing connection)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "32768", "") T_TAIL, 5,
                 "nodes[1].ports.control: port 32768 is in the ephemeral range 32768-60999 (the "
                 "kernel may give it to an outgoing connection)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "80", "") T_TAIL, 5,
                 "nodes[1].ports.control: port 80 is privileged (below 1024)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "70000", "") T_TAIL, 5,
                 "nodes[1].ports.control: expected a port 1-65535, got 70000");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "27766; logs = 27767", "") T_TAIL, 5,
                 "nodes[1].ports.logs: unknown channel (expected log, notice, control, state_in "
                 "or state_pub)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "27766; log = 27767", "") T_TAIL, 5,
                 "nodes[1].ports.log: a worker binds no log channel");
    test_refused(T_HEAD T_MGR ",\n"
                              "{ name = \"p\"; role = \"proxy\"; host = \"localhost\"; workdir = "
                              "\"/w/p\"; secret_key = \"/k/p\"; ports = { state_in = 27763; "
                              "control = 27765; }; }" T_TAIL,
                 5, "nodes[1].ports.state_pub: required for a proxy");

    /* Capture settings, paths, hosts. */
    test_refused(T_HEAD "{ name = \"manager\"; role = \"manager\"; host = \"localhost\"; workdir = "
                        "\"/w/m\"; interface = \"eth0\"; }" T_TAIL,
                 4,
                 "nodes[0].interface: a manager captures no packets (only workers and standalone "
                 "nodes do)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "27766", "lb_procs = 2; ") T_TAIL, 5,
                 "nodes[1].lb_procs: lb_procs = 2 needs an lb_method (the frontend that splits "
                 "the traffic)");
    test_refused(T_HEAD T_MGR ",\n" T_WORKER("w1", "27766", "lb_method = \"AF-packet\"; ") T_TAIL,
                 5, "nodes[1].lb_method: expected a frontend name ([a-z0-9_]), got \"AF-packet\"");
    test_refused(T_HEAD T_MGR ",\n"
                              "{ name = \"w1\"; role = \"worker\"; host = \"localhost\"; workdir "
                              "= \"spool/w1\"; }" T_TAIL,
                 5, "nodes[1].workdir: expected an absolute path, got \"spool/w1\"");
    test_refused(T_HEAD T_MGR ",\n"
                              "{ name = \"w1\"; role = \"worker\"; host = \"a b\"; workdir "
                              "= \"/w\"; }" T_TAIL,
                 5, "nodes[1].host: expected a host name or address, got \"a b\"");
    test_refused(T_HEAD T_MGR ",\n{ name = \"w1\"; role = \"worker\"; workdir = \"/w\"; }" T_TAIL,
                 5, "nodes[1]: required key host missing");
    test_refused(T_HEAD T_MGR ",\n"
                              "{ name = \"w1\"; role = \"worker\"; host = \"localhost\"; workdir "
                              "= \"/w/w1\"; ports = { control = 27766; }; }" T_TAIL,
                 5,
                 "nodes[1].secret_key: an absolute path is required for a worker (CURVE on every "
                 "node socket)");
    test_refused("nodes = (\n" T_MGR "\n);\n", 0,
                 "cluster.allowed_keys: an absolute path is required for a cluster (the allowed "
                 "public keys)");
    test_refused("cluster: { allowed_keys = \"/k\"; use_ipc = true; };\nnodes = (\n"
                 "{ name = \"manager\"; role = \"manager\"; host = \"localhost\"; "
                 "secret_key = \"/k/m.key\"; ports = { log = 27760; notice = 27761; control = "
                 "27762; };\n workdir = "
                 "\"/a-very-long-spool-directory/that-goes-on-and-on/and-on-and-on/"
                 "until-it-no-longer-fits/manager\"; }\n);\n",
                 4,
                 "nodes[0].workdir: too long for ipc sockets (at most 92 bytes with "
                 "cluster.use_ipc)");

    /* A file that is not there. */
    CU_ASSERT_EQUAL(shoal_layout_load("/nonexistent/layout.cfg", &l, err, sizeof(err)), -ENOENT);
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent/layout.cfg: cannot open: No such file or directory");
}

/* ---- generate, write, load ---------------------------------------------- */

/* Compare two layouts field by field (not the source lines). */
static void test_same_layout(const struct shoal_layout *a, const struct shoal_layout *b)
{
    CU_ASSERT_STRING_EQUAL(a->cluster, b->cluster);
    CU_ASSERT_EQUAL(a->use_ipc, b->use_ipc);
    CU_ASSERT((a->allowed_keys == NULL && b->allowed_keys == NULL) ||
              (a->allowed_keys != NULL && b->allowed_keys != NULL &&
               strcmp(a->allowed_keys, b->allowed_keys) == 0));
    CU_ASSERT_EQUAL_FATAL(a->n_nodes, b->n_nodes);
    for (size_t i = 0; i < a->n_nodes; i++) {
        const struct shoal_layout_node *x = &a->nodes[i];
        const struct shoal_layout_node *y = &b->nodes[i];

        CU_ASSERT_STRING_EQUAL(x->name, y->name);
        CU_ASSERT_EQUAL(x->role, y->role);
        CU_ASSERT_STRING_EQUAL(x->host, y->host);
        CU_ASSERT_STRING_EQUAL(x->workdir, y->workdir);
        CU_ASSERT((x->secret_key == NULL && y->secret_key == NULL) ||
                  (x->secret_key != NULL && y->secret_key != NULL &&
                   strcmp(x->secret_key, y->secret_key) == 0));
        CU_ASSERT_EQUAL(memcmp(x->ports, y->ports, sizeof(x->ports)), 0);
        CU_ASSERT((x->interface == NULL) == (y->interface == NULL));
        if (x->interface != NULL && y->interface != NULL) {
            CU_ASSERT_STRING_EQUAL(x->interface, y->interface);
        }
        CU_ASSERT((x->filter == NULL) == (y->filter == NULL));
        if (x->filter != NULL && y->filter != NULL) {
            CU_ASSERT_STRING_EQUAL(x->filter, y->filter);
        }
        CU_ASSERT((x->lb_method == NULL) == (y->lb_method == NULL));
        CU_ASSERT_EQUAL(x->lb_procs, y->lb_procs);
    }
}

/* Read a whole file into a malloc'ed string. */
static char *test_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    CU_ASSERT_FATAL(f != NULL);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t)n + 1);
    CU_ASSERT_FATAL(buf != NULL);
    CU_ASSERT_EQUAL(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* Given out of order on purpose: the layout orders manager, proxies, workers. */
static const struct shoal_layout_spec_node test_spec_nodes[] = {
    {.name = "worker-1",
     .role = SHOAL_ROLE_WORKER,
     .host = "10.0.0.5",
     .interface = "eth1",
     .filter = "tcp and \"quoted\\\" \\\\ text\"",
     .lb_method = "af_packet",
     .lb_procs = 4},
    {.name = "proxy-1", .role = SHOAL_ROLE_PROXY},
    {.name = "manager", .role = SHOAL_ROLE_MANAGER, .host = "localhost"},
    {.name = "worker-2", .role = SHOAL_ROLE_WORKER, .host = "::1", .interface = "eth2"},
    {.name = "proxy-2", .role = SHOAL_ROLE_PROXY, .host = "10.0.0.6"},
};

static void test_spec(struct shoal_layout_spec *spec, char *spool, char *keys, size_t len)
{
    memset(spec, 0, sizeof(*spec));
    spec->spool_dir = test_tmp(spool, len, "spool/");
    spec->keys_dir = test_tmp(keys, len, "keys");
    spec->nodes = test_spec_nodes;
    spec->n_nodes = sizeof(test_spec_nodes) / sizeof(test_spec_nodes[0]);
}

static void test_generate(void)
{
    struct shoal_layout_spec spec;
    struct shoal_layout *g = NULL;
    struct shoal_layout *g2 = NULL;
    struct shoal_layout *l = NULL;
    char spool[512], keys[512], path[512], path2[512], want[600];
    char err[512] = "";
    char *t1;
    char *t2;
    int rc;

    test_spec(&spec, spool, keys, sizeof(spool));
    rc = shoal_layout_generate(&spec, &g, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_PTR_NULL(g->file);
    CU_ASSERT_STRING_EQUAL(g->cluster, "shoal");
    snprintf(want, sizeof(want), "%s/keys/allowed_keys", test_tmpdir);
    CU_ASSERT_STRING_EQUAL(g->allowed_keys, want);
    CU_ASSERT_EQUAL_FATAL(g->n_nodes, 5);

    /* Fixed order, ports numbered from 27760 in that order. */
    CU_ASSERT_STRING_EQUAL(g->nodes[0].name, "manager");
    CU_ASSERT_EQUAL(g->nodes[0].ports[SHOAL_CHANNEL_LOG], 27760);
    CU_ASSERT_EQUAL(g->nodes[0].ports[SHOAL_CHANNEL_NOTICE], 27761);
    CU_ASSERT_EQUAL(g->nodes[0].ports[SHOAL_CHANNEL_CONTROL], 27762);
    CU_ASSERT_STRING_EQUAL(g->nodes[1].name, "proxy-1");
    CU_ASSERT_STRING_EQUAL(g->nodes[1].host, "localhost");
    CU_ASSERT_EQUAL(g->nodes[1].ports[SHOAL_CHANNEL_CONTROL], 27763);
    CU_ASSERT_EQUAL(g->nodes[1].ports[SHOAL_CHANNEL_STATE_IN], 27764);
    CU_ASSERT_EQUAL(g->nodes[1].ports[SHOAL_CHANNEL_STATE_PUB], 27765);
    CU_ASSERT_STRING_EQUAL(g->nodes[2].name, "proxy-2");
    CU_ASSERT_EQUAL(g->nodes[2].ports[SHOAL_CHANNEL_CONTROL], 27766);
    CU_ASSERT_EQUAL(g->nodes[2].ports[SHOAL_CHANNEL_STATE_PUB], 27768);
    CU_ASSERT_STRING_EQUAL(g->nodes[3].name, "worker-1");
    CU_ASSERT_EQUAL(g->nodes[3].ports[SHOAL_CHANNEL_CONTROL], 27769);
    CU_ASSERT_EQUAL(g->nodes[3].lb_procs, 4);
    CU_ASSERT_STRING_EQUAL(g->nodes[4].name, "worker-2");
    CU_ASSERT_EQUAL(g->nodes[4].ports[SHOAL_CHANNEL_CONTROL], 27770);
    CU_ASSERT_EQUAL(g->nodes[4].lb_procs, 1);
    snprintf(want, sizeof(want), "%s/spool/worker-2", test_tmpdir);
    CU_ASSERT_STRING_EQUAL(g->nodes[4].workdir, want);
    snprintf(want, sizeof(want), "%s/keys/worker-2.key", test_tmpdir);
    CU_ASSERT_STRING_EQUAL(g->nodes[4].secret_key, want);

    /* Write, load, compare; a second generation writes the same bytes. */
    test_tmp(path, sizeof(path), "gen.cfg");
    CU_ASSERT_EQUAL_FATAL(shoal_layout_write(g, path), 0);
    rc = shoal_layout_load(path, &l, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    test_same_layout(g, l);
    CU_ASSERT_STRING_EQUAL(l->nodes[3].filter, "tcp and \"quoted\\\" \\\\ text\"");
    CU_ASSERT_EQUAL(l->nodes[3].line.node > 0, 1);

    CU_ASSERT_EQUAL_FATAL(shoal_layout_generate(&spec, &g2, err, sizeof(err)), 0);
    test_tmp(path2, sizeof(path2), "gen2.cfg");
    CU_ASSERT_EQUAL_FATAL(shoal_layout_write(g2, path2), 0);
    t1 = test_slurp(path);
    t2 = test_slurp(path2);
    CU_ASSERT_STRING_EQUAL(t1, t2);
    free(t1);
    free(t2);

    /* A loaded layout written again loads the same. */
    CU_ASSERT_EQUAL(shoal_layout_write(l, path2), 0);
    shoal_layout_free(g2);
    g2 = NULL;
    CU_ASSERT_EQUAL_FATAL(shoal_layout_load(path2, &g2, err, sizeof(err)), 0);
    test_same_layout(l, g2);
    shoal_layout_free(g2);
    shoal_layout_free(l);
    shoal_layout_free(g);
    unlink(path);
    unlink(path2);

    /* Another base port, ipc, a cluster name. */
    spec.base_port = 61000;
    spec.use_ipc = true;
    spec.cluster = "lab";
    CU_ASSERT_EQUAL_FATAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(g->nodes[0].ports[SHOAL_CHANNEL_LOG], 61000);
    CU_ASSERT_EQUAL(g->nodes[4].ports[SHOAL_CHANNEL_CONTROL], 61010);
    CU_ASSERT_STRING_EQUAL(g->cluster, "lab");
    CU_ASSERT_TRUE(g->use_ipc);
    shoal_layout_free(g);
}

static void test_generate_refusals(void)
{
    struct shoal_layout_spec spec;
    struct shoal_layout *g = (struct shoal_layout *)1;
    struct shoal_layout_spec_node dup[2] = {
        {.name = "manager", .role = SHOAL_ROLE_MANAGER},
        {.name = "manager", .role = SHOAL_ROLE_WORKER},
    };
    struct shoal_layout_spec_node noman[1] = {
        {.name = "w", .role = SHOAL_ROLE_WORKER},
    };
    char spool[512], keys[512];
    char err[512] = "";

    test_spec(&spec, spool, keys, sizeof(spool));
    spec.base_port = 32760; /* 11 ports would reach 32768 */
    CU_ASSERT_EQUAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), -EINVAL);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_STRING_EQUAL(err, "layout: ports from 32760 run out at node proxy-2 (they would "
                                "reach the ephemeral range 32768-60999); choose a lower base "
                                "port");
    spec.base_port = 65530;
    CU_ASSERT_EQUAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "layout: ports from 65530 run out at node proxy-2 (they would "
                                "reach 65536); choose a lower base port");
    spec.base_port = 40000;
    CU_ASSERT_EQUAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "layout: base port 40000 is below 1024 or in the ephemeral range "
                                "32768-60999");
    spec.base_port = 80;
    CU_ASSERT_EQUAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), -EINVAL);
    spec.base_port = 0;
    spec.keys_dir = NULL;
    CU_ASSERT_EQUAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "layout: keys_dir: an absolute path is required for a cluster");
    spec.keys_dir = "/k";
    spec.nodes = dup;
    spec.n_nodes = 2;
    CU_ASSERT_EQUAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "layout: nodes[1].name: duplicate node name \"manager\" (first "
                                "at nodes[0], line 0)");
    spec.nodes = noman;
    spec.n_nodes = 1;
    CU_ASSERT_EQUAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(err, "layout: nodes: no manager (a cluster needs exactly one node with "
                                "role = \"manager\")");
    CU_ASSERT_PTR_NULL(g);
}

/* A standalone layout needs no manager, keys or allowed list. */
static void test_standalone(void)
{
    struct shoal_layout_spec_node one = {
        .name = "standalone", .role = SHOAL_ROLE_STANDALONE, .interface = "eth0"};
    struct shoal_layout_spec spec = {.spool_dir = "/var/spool/shoal", .nodes = &one, .n_nodes = 1};
    struct shoal_layout *g = NULL;
    struct shoal_layout *l = NULL;
    char err[512] = "";
    char path[512];

    CU_ASSERT_EQUAL_FATAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), 0);
    CU_ASSERT_PTR_NULL(g->allowed_keys);
    CU_ASSERT_PTR_NULL(g->nodes[0].secret_key);
    CU_ASSERT_EQUAL(g->nodes[0].ports[SHOAL_CHANNEL_CONTROL], 27760);
    CU_ASSERT_PTR_EQUAL(shoal_layout_manager(g), &g->nodes[0]);
    test_tmp(path, sizeof(path), "standalone.cfg");
    CU_ASSERT_EQUAL_FATAL(shoal_layout_write(g, path), 0);
    CU_ASSERT_EQUAL_FATAL(shoal_layout_load(path, &l, err, sizeof(err)), 0);
    test_same_layout(g, l);
    shoal_layout_free(l);
    shoal_layout_free(g);
    unlink(path);
}

/* ---- endpoints ---------------------------------------------------------- */

static void test_endpoints(void)
{
    struct shoal_layout_spec spec;
    struct shoal_layout *g = NULL;
    const struct shoal_layout_node *m, *p1, *p2, *w1, *w2;
    char spool[512], keys[512], want[600];
    char err[512] = "";
    char ep[300];
    char small[10];

    test_spec(&spec, spool, keys, sizeof(spool));
    CU_ASSERT_EQUAL_FATAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), 0);
    m = shoal_layout_find(g, "manager");
    p1 = shoal_layout_find(g, "proxy-1");
    p2 = shoal_layout_find(g, "proxy-2");
    w1 = shoal_layout_find(g, "worker-1");
    w2 = shoal_layout_find(g, "worker-2");
    CU_ASSERT_FATAL(m != NULL && p1 != NULL && p2 != NULL && w1 != NULL && w2 != NULL);

    CU_ASSERT_EQUAL(shoal_layout_endpoint(m, SHOAL_CHANNEL_NOTICE, ep, sizeof(ep)), 0);
    CU_ASSERT_STRING_EQUAL(ep, "tcp://localhost:27761");
    CU_ASSERT_EQUAL(shoal_layout_endpoint(p2, SHOAL_CHANNEL_STATE_IN, ep, sizeof(ep)), 0);
    CU_ASSERT_STRING_EQUAL(ep, "tcp://10.0.0.6:27767");
    CU_ASSERT_EQUAL(shoal_layout_endpoint(w2, SHOAL_CHANNEL_CONTROL, ep, sizeof(ep)), 0);
    CU_ASSERT_STRING_EQUAL(ep, "tcp://[::1]:27770");
    CU_ASSERT_EQUAL(shoal_layout_endpoint(w2, SHOAL_CHANNEL_LOG, ep, sizeof(ep)), -ENOENT);
    CU_ASSERT_EQUAL(shoal_layout_endpoint(m, (enum shoal_channel)9, ep, sizeof(ep)), -ENOENT);
    CU_ASSERT_EQUAL(shoal_layout_endpoint(m, SHOAL_CHANNEL_LOG, small, sizeof(small)), -ENOSPC);

    CU_ASSERT_EQUAL(shoal_layout_ipc_endpoint(p1, SHOAL_CHANNEL_STATE_PUB, ep, sizeof(ep)), 0);
    snprintf(want, sizeof(want), "ipc://%s/spool/proxy-1/state_pub.sock", test_tmpdir);
    CU_ASSERT_STRING_EQUAL(ep, want);

    /* Without use_ipc: always tcp. */
    CU_ASSERT_EQUAL(shoal_layout_connect_endpoint(g, w2, m, SHOAL_CHANNEL_LOG, ep, sizeof(ep)), 0);
    CU_ASSERT_STRING_EQUAL(ep, "tcp://localhost:27760");
    /* With it: ipc on the same host (localhost and ::1 are both loopback),
     * tcp to another host and for an outside client. */
    g->use_ipc = true;
    CU_ASSERT_EQUAL(shoal_layout_connect_endpoint(g, w2, m, SHOAL_CHANNEL_LOG, ep, sizeof(ep)), 0);
    snprintf(want, sizeof(want), "ipc://%s/spool/manager/log.sock", test_tmpdir);
    CU_ASSERT_STRING_EQUAL(ep, want);
    CU_ASSERT_EQUAL(shoal_layout_connect_endpoint(g, w1, m, SHOAL_CHANNEL_LOG, ep, sizeof(ep)), 0);
    CU_ASSERT_STRING_EQUAL(ep, "tcp://localhost:27760");
    CU_ASSERT_EQUAL(
        shoal_layout_connect_endpoint(g, NULL, m, SHOAL_CHANNEL_CONTROL, ep, sizeof(ep)), 0);
    CU_ASSERT_STRING_EQUAL(ep, "tcp://localhost:27762");
    CU_ASSERT_TRUE(shoal_layout_same_host("LocalHost", "127.0.0.1"));
    CU_ASSERT_TRUE(shoal_layout_same_host("Node-A", "node-a"));
    CU_ASSERT_FALSE(shoal_layout_same_host("10.0.0.5", "10.0.0.6"));

    CU_ASSERT_STRING_EQUAL(shoal_layout_role_name(SHOAL_ROLE_PROXY), "proxy");
    CU_ASSERT_STRING_EQUAL(shoal_layout_channel_name(SHOAL_CHANNEL_STATE_IN), "state_in");
    CU_ASSERT_TRUE(shoal_layout_role_binds(SHOAL_ROLE_MANAGER, SHOAL_CHANNEL_NOTICE));
    CU_ASSERT_FALSE(shoal_layout_role_binds(SHOAL_ROLE_WORKER, SHOAL_CHANNEL_NOTICE));
    shoal_layout_free(g);
}

/* ---- keys --------------------------------------------------------------- */

static mode_t test_mode(const char *path)
{
    struct stat st;

    CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_z85(void)
{
    uint8_t key[SHOAL_KEY_BYTES];
    uint8_t back[SHOAL_KEY_BYTES];
    char z85[SHOAL_KEY_Z85_LEN + 1];
    char bad[SHOAL_KEY_Z85_LEN + 1];
    char why[128];

    for (int round = 0; round < 64; round++) {
        for (size_t i = 0; i < sizeof(key); i++) {
            key[i] = (uint8_t)(i * 37 + (size_t)round * 101 + (round == 1 ? 255 : 0));
        }
        CU_ASSERT_EQUAL(shoal_keys_z85_encode(key, z85), 0);
        CU_ASSERT_EQUAL(strlen(z85), SHOAL_KEY_Z85_LEN);
        CU_ASSERT_EQUAL(shoal_keys_z85_decode(z85, back, why, sizeof(why)), 0);
        CU_ASSERT_EQUAL(memcmp(key, back, sizeof(key)), 0);
    }
    /* All 0xff bytes are the largest value of every group. */
    memset(key, 0xff, sizeof(key));
    CU_ASSERT_EQUAL(shoal_keys_z85_encode(key, z85), 0);
    CU_ASSERT_STRING_EQUAL(z85, "%nSc0%nSc0%nSc0%nSc0%nSc0%nSc0%nSc0%nSc0");

    CU_ASSERT_EQUAL(shoal_keys_z85_decode("abc", back, why, sizeof(why)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "bad length: expected 40 Z85 characters, got 3");
    memcpy(bad, z85, sizeof(bad));
    bad[6] = '~';
    CU_ASSERT_EQUAL(shoal_keys_z85_decode(bad, back, why, sizeof(why)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "bad Z85 character '~' at column 7");
    bad[6] = '"';
    CU_ASSERT_EQUAL(shoal_keys_z85_decode(bad, back, NULL, 0), -EINVAL);
    memcpy(bad, "#####", 5); /* 84 * (85^4 + ... + 1) > 2^32 - 1 */
    bad[6] = '0';
    CU_ASSERT_EQUAL(shoal_keys_z85_decode(bad, back, why, sizeof(why)), -EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "bad Z85: a 5-character group exceeds 32 bits");
}

static void test_keygen(void)
{
    struct shoal_keypair kp, kp2, kp3, loaded;
    char dir[512], path[600], want[1400];
    char err[1024] = "";
    int rc;

    test_tmp(dir, sizeof(dir), "keys-gen/sub");
    snprintf(path, sizeof(path), "%s/node-a.key", dir);
    rc = shoal_keys_generate(path, "node-a", 0, &kp, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(kp.name, "node-a");
    CU_ASSERT_EQUAL(strlen(kp.public_z85), SHOAL_KEY_Z85_LEN);
    CU_ASSERT_EQUAL(strlen(kp.secret_z85), SHOAL_KEY_Z85_LEN);
    /* Created directories are 0700, the key 0600, whatever the umask. */
    CU_ASSERT_EQUAL(test_mode(path), 0600);
    CU_ASSERT_EQUAL(test_mode(dir), 0700);
    test_tmp(dir, sizeof(dir), "keys-gen");
    CU_ASSERT_EQUAL(test_mode(dir), 0700);

    CU_ASSERT_EQUAL_FATAL(shoal_keys_load(path, &loaded, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(loaded.name, "node-a");
    CU_ASSERT_EQUAL(memcmp(loaded.public_key, kp.public_key, SHOAL_KEY_BYTES), 0);
    CU_ASSERT_EQUAL(memcmp(loaded.secret_key, kp.secret_key, SHOAL_KEY_BYTES), 0);
    CU_ASSERT_STRING_EQUAL(loaded.public_z85, kp.public_z85);

    /* Never overwritten unless asked; reuse keeps the pair; overwrite replaces. */
    CU_ASSERT_EQUAL(shoal_keys_generate(path, "node-a", 0, &kp2, err, sizeof(err)), -EEXIST);
    snprintf(want, sizeof(want),
             "%s: exists; refusing to overwrite a key (remove it, or ask to overwrite)", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL_FATAL(shoal_keys_load(path, &loaded, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(memcmp(loaded.secret_key, kp.secret_key, SHOAL_KEY_BYTES), 0);
    CU_ASSERT_EQUAL(shoal_keys_generate(path, "node-a", SHOAL_KEYS_REUSE, &kp2, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(memcmp(kp2.public_key, kp.public_key, SHOAL_KEY_BYTES), 0);
    CU_ASSERT_EQUAL(shoal_keys_generate(path, "node-b", SHOAL_KEYS_REUSE, &kp2, err, sizeof(err)),
                    -EINVAL);
    snprintf(want, sizeof(want), "%s: holds the key of node node-a, not of node-b", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(
        shoal_keys_generate(path, "node-a", SHOAL_KEYS_OVERWRITE, &kp3, err, sizeof(err)), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(kp3.public_key, kp.public_key, SHOAL_KEY_BYTES), 0);
    CU_ASSERT_EQUAL(test_mode(path), 0600);
    CU_ASSERT_EQUAL_FATAL(shoal_keys_load(path, &loaded, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(memcmp(loaded.secret_key, kp3.secret_key, SHOAL_KEY_BYTES), 0);

    /* A secret key others can read is refused, and wiped from *out. */
    CU_ASSERT_EQUAL_FATAL(chmod(path, 0644), 0);
    CU_ASSERT_EQUAL(shoal_keys_load(path, &loaded, err, sizeof(err)), -EPERM);
    snprintf(want, sizeof(want),
             "%s: mode 0644 lets group or others access the secret key; refused (chmod 600 %s)",
             path, path);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(loaded.secret_z85[0], '\0');
    CU_ASSERT_EQUAL_FATAL(chmod(path, 0640), 0);
    CU_ASSERT_EQUAL(shoal_keys_load(path, &loaded, err, sizeof(err)), -EPERM);
    CU_ASSERT_EQUAL_FATAL(chmod(path, 0600), 0);
    CU_ASSERT_EQUAL(shoal_keys_load(path, &loaded, err, sizeof(err)), 0);

    CU_ASSERT_EQUAL(
        shoal_keys_generate(path, "bad/name", SHOAL_KEYS_OVERWRITE, NULL, err, sizeof(err)),
        -EINVAL);
    CU_ASSERT_EQUAL(shoal_keys_load("/nonexistent.key", &loaded, err, sizeof(err)), -ENOENT);
    CU_ASSERT_STRING_EQUAL(err, "/nonexistent.key: cannot open: No such file or directory");

    /* A directory others may write: neither read from nor written to. */
    test_tmp(dir, sizeof(dir), "keys-gen/sub");
    CU_ASSERT_EQUAL_FATAL(chmod(dir, 0777), 0);
    CU_ASSERT_EQUAL(shoal_keys_load(path, &loaded, err, sizeof(err)), -EPERM);
    snprintf(want, sizeof(want),
             "%s: mode 0777 lets group or others replace the keys in it; refused (chmod 700 %s)",
             dir, dir);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(
        shoal_keys_generate(path, "node-a", SHOAL_KEYS_OVERWRITE, NULL, err, sizeof(err)), -EPERM);
    CU_ASSERT_STRING_EQUAL(err, want);
    /* ... unless sticky, as /tmp. */
    CU_ASSERT_EQUAL_FATAL(chmod(dir, 01777), 0);
    CU_ASSERT_EQUAL(shoal_keys_load(path, &loaded, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(chmod(dir, 0700), 0);
    shoal_keys_wipe(&kp);
    shoal_keys_wipe(&loaded);
}

/* Write `text` as a 0600 key file and expect it refused with "path:line: reason". */
static void test_bad_keyfile(const char *text, unsigned line, const char *reason)
{
    struct shoal_keypair kp;
    char err[1024] = "";
    char exp[1024];
    const char *p = test_write("bad.key", text);

    chmod(p, 0600);
    CU_ASSERT_EQUAL(shoal_keys_load(p, &kp, err, sizeof(err)), -EINVAL);
    if (line > 0) {
        snprintf(exp, sizeof(exp), "%s:%u: %s", p, line, reason);
    } else {
        snprintf(exp, sizeof(exp), "%s: %s", p, reason);
    }
    CU_ASSERT_STRING_EQUAL(err, exp);
    if (strcmp(err, exp) != 0) {
        fprintf(stderr, "\n  got:    %s\n  wanted: %s\n", err, exp);
    }
}

static void test_bad_keyfiles(void)
{
    struct shoal_keypair a, b, c;
    char path[512], text[1024];
    char err[512] = "";

    test_tmp(path, sizeof(path), "k/a.key");
    CU_ASSERT_EQUAL_FATAL(shoal_keys_generate(path, "a", 0, &a, err, sizeof(err)), 0);
    test_tmp(path, sizeof(path), "k/b.key");
    CU_ASSERT_EQUAL_FATAL(shoal_keys_generate(path, "b", 0, &b, err, sizeof(err)), 0);

    snprintf(text, sizeof(text), "# ok\n\nnode a\npublic %s\nsecret %s\n", a.public_z85,
             a.secret_z85);
    test_write("good.key", text);
    chmod(test_path, 0600);
    CU_ASSERT_EQUAL(shoal_keys_load(test_path, &c, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(c.secret_z85, a.secret_z85);
    shoal_keys_wipe(&c);
    unlink(test_path);

    snprintf(text, sizeof(text), "node a\npublic %.39s\nsecret %s\n", a.public_z85, a.secret_z85);
    test_bad_keyfile(text, 2, "public key: bad length: expected 40 Z85 characters, got 39");
    snprintf(text, sizeof(text), "node a\npublic %s\nsecret ~%.39s\n", a.public_z85, a.secret_z85);
    test_bad_keyfile(text, 3, "secret key: bad Z85 character '~' at column 1");
    snprintf(text, sizeof(text), "node a\npublic %s\nsecret %s\n", b.public_z85, a.secret_z85);
    test_bad_keyfile(text, 2, "the public key does not belong to the secret key");
    snprintf(text, sizeof(text), "node a\npublic %s\n", a.public_z85);
    test_bad_keyfile(text, 0, "no secret key line");
    snprintf(text, sizeof(text), "node a\npublic %s\npublic %s\n", a.public_z85, a.public_z85);
    test_bad_keyfile(text, 3, "second public key (first at line 2)");
    test_bad_keyfile("colour red\n", 1, "unknown key \"colour\" (expected node, public or secret)");
    test_bad_keyfile("\n\nsecret\n", 3, "expected \"node NAME\", \"public KEY\" or \"secret KEY\"");
    unlink(test_path);
    shoal_keys_wipe(&a);
    shoal_keys_wipe(&b);
}

/* Load `text` as an allowed list and expect "path:line: reason". */
static void test_bad_allowed(const char *text, unsigned line, const char *reason)
{
    struct shoal_keys_allowed *a = (struct shoal_keys_allowed *)1;
    char err[1024] = "";
    char exp[1024];
    const char *p = test_write("bad_allowed", text);

    CU_ASSERT_EQUAL(shoal_keys_allowed_load(p, &a, err, sizeof(err)), -EINVAL);
    CU_ASSERT_PTR_NULL(a);
    snprintf(exp, sizeof(exp), "%s:%u: %s", p, line, reason);
    CU_ASSERT_STRING_EQUAL(err, exp);
    if (strcmp(err, exp) != 0) {
        fprintf(stderr, "\n  got:    %s\n  wanted: %s\n", err, exp);
    }
}

static void test_allowed(void)
{
    struct shoal_layout_spec spec;
    struct shoal_layout *g = NULL;
    struct shoal_keys_allowed *a = NULL;
    struct shoal_keypair kp;
    uint8_t unknown[SHOAL_KEY_BYTES];
    char spool[512], keys[512], text[1024], want[1024];
    char err[1024] = "";
    int rc;

    /* Keys for a whole layout, as `shoalctl install` makes them. */
    test_spec(&spec, spool, keys, sizeof(spool));
    CU_ASSERT_EQUAL_FATAL(shoal_layout_generate(&spec, &g, err, sizeof(err)), 0);
    rc = shoal_keys_generate_layout(g, 0, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "\n  %s\n", err);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(test_mode(g->allowed_keys), 0600);
    CU_ASSERT_EQUAL(test_mode(keys), 0700);
    for (size_t i = 0; i < g->n_nodes; i++) {
        CU_ASSERT_EQUAL(test_mode(g->nodes[i].secret_key), 0600);
    }
    /* Run again: refused, then reused. */
    CU_ASSERT_EQUAL(shoal_keys_generate_layout(g, 0, err, sizeof(err)), -EEXIST);
    CU_ASSERT_EQUAL(shoal_keys_generate_layout(g, SHOAL_KEYS_REUSE, err, sizeof(err)), 0);

    CU_ASSERT_EQUAL_FATAL(shoal_keys_allowed_load(g->allowed_keys, &a, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(a->n, 6); /* 5 nodes and the control shell, last */
    CU_ASSERT_STRING_EQUAL(a->keys[0].name, "manager");
    CU_ASSERT_STRING_EQUAL(a->keys[5].name, SHOAL_KEYS_CONTROL_NAME);
    CU_ASSERT_EQUAL(a->keys[0].line, 3); /* after the two comment lines */
    CU_ASSERT_EQUAL_FATAL(shoal_keys_load(g->nodes[3].secret_key, &kp, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(kp.name, "worker-1");
    CU_ASSERT_PTR_NOT_NULL(shoal_keys_allowed_find(a, kp.public_key));
    if (shoal_keys_allowed_find(a, kp.public_key) != NULL) {
        CU_ASSERT_STRING_EQUAL(shoal_keys_allowed_find(a, kp.public_key), "worker-1");
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(shoal_keys_allowed_key_of(a, "worker-1"));
    CU_ASSERT_EQUAL(memcmp(shoal_keys_allowed_key_of(a, "worker-1"), kp.public_key, 32), 0);
    CU_ASSERT_PTR_NULL(shoal_keys_allowed_key_of(a, "worker-9"));
    /* A key nobody has (the secret key is not a public key), and a fresh one. */
    CU_ASSERT_PTR_NULL(shoal_keys_allowed_find(a, kp.secret_key));
    memset(unknown, 0x5a, sizeof(unknown));
    CU_ASSERT_PTR_NULL(shoal_keys_allowed_find(a, unknown));
    CU_ASSERT_PTR_NULL(shoal_keys_allowed_find(NULL, unknown));
    shoal_keys_allowed_free(a);
    a = NULL;

    /* Written again from a list: refused, then overwritten. */
    CU_ASSERT_EQUAL(shoal_keys_allowed_write(g->allowed_keys, NULL, 0, 0, err, sizeof(err)),
                    -EEXIST);
    snprintf(want, sizeof(want), "%s: exists; refusing to overwrite (ask to overwrite)",
             g->allowed_keys);
    CU_ASSERT_STRING_EQUAL(err, want);

    /* An allowed list others may write is refused. */
    CU_ASSERT_EQUAL_FATAL(chmod(g->allowed_keys, 0620), 0);
    CU_ASSERT_EQUAL(shoal_keys_allowed_load(g->allowed_keys, &a, err, sizeof(err)), -EPERM);
    snprintf(want, sizeof(want),
             "%s: mode 0620 lets group or others write the allowed keys; refused (chmod 600 %s)",
             g->allowed_keys, g->allowed_keys);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL_FATAL(chmod(g->allowed_keys, 0644), 0);
    CU_ASSERT_EQUAL(shoal_keys_allowed_load(g->allowed_keys, &a, err, sizeof(err)), 0);
    shoal_keys_allowed_free(a);

    /* Bad lines. */
    snprintf(text, sizeof(text), "# c\nmanager %s\nworker %s\nmanager %s\n", kp.public_z85,
             kp.secret_z85, kp.secret_z85);
    test_bad_allowed(text, 4, "node manager listed twice (first at line 2)");
    snprintf(text, sizeof(text), "manager %s\nworker %s\n", kp.public_z85, kp.public_z85);
    test_bad_allowed(text, 2, "the key of worker is also manager's (line 1)");
    snprintf(text, sizeof(text), "manager %.30s\n", kp.public_z85);
    test_bad_allowed(text, 1, "key of manager: bad length: expected 40 Z85 characters, got 30");
    snprintf(text, sizeof(text), "\nmanager ;%.39s\n", kp.public_z85);
    test_bad_allowed(text, 2, "key of manager: bad Z85 character ';' at column 1");
    test_bad_allowed("manager\n", 1, "expected \"node-name z85-public-key\", got one field");
    snprintf(text, sizeof(text), "m %s extra\n", kp.public_z85);
    test_bad_allowed(text, 1, "expected \"node-name z85-public-key\", got more than two fields");
    snprintf(text, sizeof(text), "-m %s\n", kp.public_z85);
    test_bad_allowed(text, 1, "bad node name \"-m\"");
    test_write("empty_allowed", "# nobody\n");
    CU_ASSERT_EQUAL(shoal_keys_allowed_load(test_path, &a, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(a->n, 0);
    CU_ASSERT_PTR_NULL(shoal_keys_allowed_find(a, kp.public_key));
    shoal_keys_allowed_free(a);
    shoal_keys_allowed_free(NULL);

    shoal_keys_wipe(&kp);
    shoal_layout_free(g);
}

/* ---- main --------------------------------------------------------------- */

static int test_suite_init(void)
{
    const char *base = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";

    /* A umask that would leave created directories unusable (no x bit): the
     * key code must set the modes itself. */
    umask(0177);
    snprintf(test_tmpdir, sizeof(test_tmpdir), "%s/shoal-test-layout.XXXXXX", base);
    return mkdtemp(test_tmpdir) != NULL ? 0 : -1;
}

static int test_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int test_suite_clean(void)
{
    umask(022);
    return nftw(test_tmpdir, test_rm, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int main(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"the example layout", test_example},
        {"a valid hand-written layout", test_valid_base},
        {"every refusal with its file and line", test_refusals},
        {"generate, write, load", test_generate},
        {"generator refusals", test_generate_refusals},
        {"a standalone layout", test_standalone},
        {"endpoint strings", test_endpoints},
        {"Z85 round trip and errors", test_z85},
        {"key generation, modes, overwrite", test_keygen},
        {"bad key pair files", test_bad_keyfiles},
        {"the allowed list", test_allowed},
    };
    CU_pSuite s;

    if (CU_initialize_registry() != CUE_SUCCESS) {
        return CU_get_error();
    }
    s = CU_add_suite("layout", test_suite_init, test_suite_clean);
    if (s == NULL) {
        goto out_cleanup;
    }
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL) {
            goto out_cleanup;
        }
    }
    return shoal_cunit_run("test_layout");

out_cleanup:
    CU_cleanup_registry();
    return 2;
}
