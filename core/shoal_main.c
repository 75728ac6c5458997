/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal: the node daemon's command line.  Standalone mode reads a trace
 * (-r) or sniffs an interface (-i) and writes Zeek-compatible logs.  With
 * --node NAME --layout FILE it runs that node of a cluster: the manager
 * receives and writes the logs, a worker runs the standalone pipeline and
 * sends its records to the manager.  --gen-layout writes a cluster layout
 * on localhost and its keys (for tests and trials, until shoalctl install
 * does it from node.cfg).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "keys.h"
#include "layout.h"
#include "manager.h"
#include "node.h"
#include "worker_link.h"

#define MAIN_MAX_WORKERS 256

/* What the cluster options ask for. */
struct main_cluster {
    const char *node;
    const char *layout;
    const char *gen_out;
    const char *workdir_base;
    const char *keys_dir;
    const char *manager;
    const char *workers[MAIN_MAX_WORKERS];
    size_t n_workers;
    unsigned long base_port;
    double ack_timeout;
    unsigned long batch_records;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: shoal [options] -r FILE | -i IFACE\n"
            "\n"
            "  -r, --read FILE        read packets from a pcap or pcapng file\n"
            "  -i, --interface IFACE  sniff a live interface\n"
            "  -f, --filter EXPR      BPF filter expression\n"
            "  -C, --no-checksums     ignore checksums (analyse packets whose checksum is bad)\n"
            "  -c, --config FILE      read settings from FILE (shoal.cfg)\n"
            "  -l, --logdir DIR       write logs into DIR (default: current directory)\n"
            "      --json             write JSON lines instead of Zeek TSV\n"
            "      --progress         always show a progress line (default: on a terminal)\n"
            "      --no-progress      never show one\n"
            "  -q, --quiet            no summary line at the end\n"
            "  -v, --verbose          more diagnostics (repeat for debug)\n"
            "      --list-plugins     print the loaded plugins and their settings, then exit\n"
            "      --check            validate the configuration and plugins, then exit\n"
            "  -V, --version          print the version\n"
            "  -h, --help             this text\n"
            "\n"
            "cluster:\n"
            "      --node NAME        run node NAME of the cluster layout\n"
            "      --layout FILE      the cluster layout (with --node)\n"
            "      --ack-timeout SECS worker: wait this long for the manager at the end (10)\n"
            "      --batch-records N  worker: records per log batch (1024)\n"
            "      --gen-layout OUT --workdir-base DIR --keys DIR --manager NAME\n"
            "                  --worker NAME [--worker NAME...] [--base-port N]\n"
            "                         write a layout of nodes on localhost and their keys\n"
            "\n"
            "Plugins are loaded from the installed plugin folders and $SHOAL_PLUGIN_PATH.\n");
}

/* `path` made absolute against the current directory, into buf; NULL if
 * it does not fit. */
static const char *main_abs(const char *path, char *buf, size_t len)
{
    char cwd[PATH_MAX];
    int n;

    if (path[0] == '/') {
        n = snprintf(buf, len, "%s", path);
    } else if (getcwd(cwd, sizeof(cwd)) != NULL) {
        n = snprintf(buf, len, "%s/%s", cwd, path);
    } else {
        return NULL;
    }
    return n >= 0 && (size_t)n < len ? buf : NULL;
}

/* mkdir -p with `mode` for the directories it creates; 0 or -errno. */
static int main_mkdirs(const char *path, mode_t mode)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(buf)) {
        return -ENAMETOOLONG;
    }
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, mode) != 0 && errno != EEXIST) {
                return -errno;
            }
            *p = c;
            if (c == '\0') {
                break;
            }
        }
    }
    return 0;
}

static int main_gen_layout(const struct main_cluster *c)
{
    struct shoal_layout_spec_node nodes[MAIN_MAX_WORKERS + 1];
    struct shoal_layout_spec spec;
    struct shoal_layout *l = NULL;
    char spool[PATH_MAX], keys[PATH_MAX];
    char err[512] = "";
    int rc;

    if (c->workdir_base == NULL || c->keys_dir == NULL || c->manager == NULL || c->n_workers == 0) {
        fprintf(stderr, "shoal: --gen-layout needs --workdir-base, --keys, --manager and at "
                        "least one --worker\n");
        return 2;
    }
    memset(nodes, 0, sizeof(nodes));
    memset(&spec, 0, sizeof(spec));
    nodes[0].name = c->manager;
    nodes[0].role = SHOAL_ROLE_MANAGER;
    for (size_t i = 0; i < c->n_workers; i++) {
        nodes[i + 1].name = c->workers[i];
        nodes[i + 1].role = SHOAL_ROLE_WORKER;
    }
    spec.base_port = (uint16_t)c->base_port;
    spec.spool_dir = main_abs(c->workdir_base, spool, sizeof(spool));
    spec.keys_dir = main_abs(c->keys_dir, keys, sizeof(keys));
    if (spec.spool_dir == NULL || spec.keys_dir == NULL) {
        fprintf(stderr, "shoal: --workdir-base or --keys: path too long\n");
        return 2;
    }
    spec.nodes = nodes;
    spec.n_nodes = c->n_workers + 1;
    rc = shoal_layout_generate(&spec, &l, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    rc = shoal_layout_write(l, c->gen_out);
    if (rc < 0) {
        fprintf(stderr, "shoal: cannot write the layout %s: %s\n", c->gen_out, strerror(-rc));
        goto out_free;
    }
    rc = shoal_keys_generate_layout(l, SHOAL_KEYS_REUSE, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        goto out_free;
    }
out_free:
    shoal_layout_free(l);
    return rc < 0 ? 1 : 0;
}

/* Run node c->node of the layout c->layout; `o` holds the standalone
 * options (the packet source of a worker, the log format of a manager). */
static int main_cluster_node(const struct main_cluster *c, struct shoal_node_opts *o)
{
    struct shoal_layout *l = NULL;
    const struct shoal_layout_node *self;
    char err[512] = "";
    int status = 2;
    int rc;

    rc = shoal_layout_load(c->layout, &l, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    self = shoal_layout_find(l, c->node);
    if (self == NULL) {
        fprintf(stderr, "shoal: %s: no node named '%s'\n", c->layout, c->node);
        goto out_free;
    }
    rc = main_mkdirs(self->workdir, 0700);
    if (rc < 0) {
        fprintf(stderr, "shoal: %s: cannot create the workdir %s: %s\n", self->name, self->workdir,
                strerror(-rc));
        goto out_free;
    }
    switch (self->role) {
    case SHOAL_ROLE_MANAGER: {
        struct shoal_manager_opts mo = {
            .log_dir = o->log_dir,
            .log_fmt = o->json ? SHOAL_LOGFMT_JSON : SHOAL_LOGFMT_TSV,
            .quiet = o->quiet,
        };
        if (o->read_file != NULL || o->iface != NULL) {
            fprintf(stderr, "shoal: %s: the manager sees no packets (no -r or -i)\n", self->name);
            goto out_free;
        }
        status = shoal_manager_run(l, self, &mo);
        break;
    }
    case SHOAL_ROLE_WORKER:
    case SHOAL_ROLE_STANDALONE: {
        struct shoal_worker_link *wl = NULL;
        struct shoal_node_hooks hooks;
        if (o->read_file == NULL && o->iface == NULL) {
            o->iface = self->interface;
        }
        if (o->read_file == NULL && o->iface == NULL) {
            fprintf(stderr, "shoal: %s: no interface in %s: give -r FILE or -i IFACE\n", self->name,
                    c->layout);
            goto out_free;
        }
        if (o->filter == NULL) {
            o->filter = self->filter;
        }
        if (o->log_dir == NULL) {
            o->log_dir = self->workdir;
        }
        if (self->role == SHOAL_ROLE_WORKER) {
            struct shoal_worker_link_opts wo = {
                .ack_timeout = c->ack_timeout,
                .batch_records = c->batch_records,
            };
            if (shoal_worker_link_new(l, self, &wo, &wl) < 0) {
                goto out_free;
            }
            shoal_worker_link_hooks(wl, &hooks);
            o->hooks = &hooks;
        }
        status = shoal_node_run(o);
        o->hooks = NULL;
        shoal_worker_link_free(wl);
        break;
    }
    default:
        fprintf(stderr, "shoal: %s: role %s is not implemented yet\n", self->name,
                shoal_layout_role_name(self->role));
        break;
    }
out_free:
    shoal_layout_free(l);
    return status;
}

int main(int argc, char **argv)
{
    enum {
        OPT_JSON = 256,
        OPT_LIST,
        OPT_CHECK,
        OPT_PROGRESS,
        OPT_NO_PROGRESS,
        OPT_NODE,
        OPT_LAYOUT,
        OPT_GEN_LAYOUT,
        OPT_WORKDIR_BASE,
        OPT_KEYS,
        OPT_MANAGER,
        OPT_WORKER,
        OPT_BASE_PORT,
        OPT_ACK_TIMEOUT,
        OPT_BATCH_RECORDS,
    };
    static const struct option longopts[] = {
        {"read", required_argument, NULL, 'r'},
        {"interface", required_argument, NULL, 'i'},
        {"filter", required_argument, NULL, 'f'},
        {"no-checksums", no_argument, NULL, 'C'},
        {"config", required_argument, NULL, 'c'},
        {"logdir", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, OPT_JSON},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"list-plugins", no_argument, NULL, OPT_LIST},
        {"check", no_argument, NULL, OPT_CHECK},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {"node", required_argument, NULL, OPT_NODE},
        {"layout", required_argument, NULL, OPT_LAYOUT},
        {"gen-layout", required_argument, NULL, OPT_GEN_LAYOUT},
        {"workdir-base", required_argument, NULL, OPT_WORKDIR_BASE},
        {"keys", required_argument, NULL, OPT_KEYS},
        {"manager", required_argument, NULL, OPT_MANAGER},
        {"worker", required_argument, NULL, OPT_WORKER},
        {"base-port", required_argument, NULL, OPT_BASE_PORT},
        {"ack-timeout", required_argument, NULL, OPT_ACK_TIMEOUT},
        {"batch-records", required_argument, NULL, OPT_BATCH_RECORDS},
        {NULL, 0, NULL, 0},
    };
    struct shoal_node_opts o;
    struct main_cluster c;
    int verbose = 0;
    int ch;
    char *end;

    memset(&o, 0, sizeof(o));
    memset(&c, 0, sizeof(c));
    o.progress = -1;
    while ((ch = getopt_long(argc, argv, "r:i:f:Cc:l:qvVh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            o.read_file = optarg;
            break;
        case 'i':
            o.iface = optarg;
            break;
        case 'f':
            o.filter = optarg;
            break;
        case 'C':
            o.ignore_checksums = true;
            break;
        case 'c':
            o.config_file = optarg;
            break;
        case 'l':
            o.log_dir = optarg;
            break;
        case OPT_JSON:
            o.json = true;
            break;
        case OPT_PROGRESS:
            o.progress = 1;
            break;
        case OPT_NO_PROGRESS:
            o.progress = 0;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'v':
            verbose++;
            break;
        case OPT_LIST:
            o.list_plugins = true;
            break;
        case OPT_CHECK:
            o.check_only = true;
            break;
        case 'V':
            printf("shoal %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, 1, 0);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        case OPT_NODE:
            c.node = optarg;
            break;
        case OPT_LAYOUT:
            c.layout = optarg;
            break;
        case OPT_GEN_LAYOUT:
            c.gen_out = optarg;
            break;
        case OPT_WORKDIR_BASE:
            c.workdir_base = optarg;
            break;
        case OPT_KEYS:
            c.keys_dir = optarg;
            break;
        case OPT_MANAGER:
            c.manager = optarg;
            break;
        case OPT_WORKER:
            if (c.n_workers == MAIN_MAX_WORKERS) {
                fprintf(stderr, "shoal: at most %d workers\n", MAIN_MAX_WORKERS);
                return 2;
            }
            c.workers[c.n_workers++] = optarg;
            break;
        case OPT_BASE_PORT:
            errno = 0;
            c.base_port = strtoul(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || c.base_port < 1024 || c.base_port > 65535) {
                fprintf(stderr, "shoal: --base-port: bad port '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_ACK_TIMEOUT:
            c.ack_timeout = strtod(optarg, &end);
            if (*end != '\0' || !(c.ack_timeout > 0 && c.ack_timeout < 86400)) {
                fprintf(stderr, "shoal: --ack-timeout: bad number of seconds '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_BATCH_RECORDS:
            errno = 0;
            c.batch_records = strtoul(optarg, &end, 10);
            if (errno != 0 || *end != '\0' || c.batch_records == 0 || c.batch_records > 65536) {
                fprintf(stderr, "shoal: --batch-records: want 1..65536, got '%s'\n", optarg);
                return 2;
            }
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "shoal: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    shoal_diag_set_level(verbose >= 2   ? SHOAL_LOG_DEBUG
                         : verbose == 1 ? SHOAL_LOG_INFO
                                        : SHOAL_LOG_WARNING);
    if (c.gen_out != NULL) {
        return main_gen_layout(&c);
    }
    if ((c.node == NULL) != (c.layout == NULL)) {
        fprintf(stderr, "shoal: --node and --layout go together\n");
        return 2;
    }
    if (c.node != NULL) {
        if (o.read_file != NULL && o.iface != NULL) {
            fprintf(stderr, "shoal: give at most one of -r FILE or -i IFACE\n");
            return 2;
        }
        return main_cluster_node(&c, &o);
    }
    if (!o.list_plugins && !o.check_only && (o.read_file == NULL) == (o.iface == NULL)) {
        fprintf(stderr, "shoal: give exactly one of -r FILE or -i IFACE\n");
        usage(stderr);
        return 2;
    }
    return shoal_node_run(&o);
}
