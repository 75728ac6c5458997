/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal: the node daemon's command line.  Standalone mode reads a trace
 * (-r) or sniffs an interface (-i) and writes Zeek-compatible logs.  With
 * --node NAME --layout FILE it runs that node of a cluster: the manager
 * receives and writes the logs, a worker runs the standalone pipeline and
 * sends its records to the manager.  --gen-layout writes a cluster layout
 * on localhost and its keys (for tests and trials, until shoalctl install
 * does it from node.cfg).  --control NODE|all COMMAND asks running nodes
 * over their control port.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "lib/diag.h"
#include "bin/cluster_cli.h"
#include "node/node.h"

static void usage(FILE *out)
{
    fprintf(
        out,
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
        "      --ack-timeout SECS worker, proxy: wait this long for the manager at the end\n"
        "                         (cluster.ack_timeout of shoal.cfg, 10)\n"
        "      --batch-records N  worker, proxy: records per log batch (cluster.batch_records)\n"
        "      --gen-layout OUT --workdir-base DIR --keys DIR --manager NAME\n"
        "                  [--proxy NAME...] --worker NAME [--worker NAME...] [--base-port N]\n"
        "                         write a layout of nodes on localhost and their keys\n"
        "                         (and the control key shoalctl.key next to allowed_keys)\n"
        "      --control NODE|all COMMAND [ARG...]\n"
        "                         ask a running node, or every node, over its control\n"
        "                         port (with --layout): status, counters, peers,\n"
        "                         print ID, stop; exit status 1 if a node did not answer\n"
        "      --timeout SECS     control: wait this long for the replies (5)\n"
        "      --control-key FILE control: the key pair to use (default: shoalctl.key\n"
        "                         next to the layout's allowed_keys)\n"
        "\n"
        "Plugins are loaded from the installed plugin folders and $SHOAL_PLUGIN_PATH.\n");
}

/* `path` made absolute against the current directory, into buf; NULL if
 * it does not fit. */
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
        OPT_PROXY,
        OPT_BASE_PORT,
        OPT_ACK_TIMEOUT,
        OPT_BATCH_RECORDS,
        OPT_CONTROL,
        OPT_TIMEOUT,
        OPT_CONTROL_KEY,
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
        {"proxy", required_argument, NULL, OPT_PROXY},
        {"base-port", required_argument, NULL, OPT_BASE_PORT},
        {"ack-timeout", required_argument, NULL, OPT_ACK_TIMEOUT},
        {"batch-records", required_argument, NULL, OPT_BATCH_RECORDS},
        {"control", required_argument, NULL, OPT_CONTROL},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"control-key", required_argument, NULL, OPT_CONTROL_KEY},
        {NULL, 0, NULL, 0},
    };
    struct shoal_node_opts o;
    struct shoal_cluster_args c;
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
            if (c.n_workers == SHOAL_CLUSTER_MAX_WORKERS) {
                fprintf(stderr, "shoal: at most %d workers\n", SHOAL_CLUSTER_MAX_WORKERS);
                return 2;
            }
            c.workers[c.n_workers++] = optarg;
            break;
        case OPT_PROXY:
            if (c.n_proxies == SHOAL_CLUSTER_MAX_PROXIES) {
                fprintf(stderr, "shoal: at most %d proxies\n", SHOAL_CLUSTER_MAX_PROXIES);
                return 2;
            }
            c.proxies[c.n_proxies++] = optarg;
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
        case OPT_CONTROL:
            c.control = optarg;
            break;
        case OPT_TIMEOUT:
            c.control_timeout = strtod(optarg, &end);
            if (*end != '\0' || !(c.control_timeout > 0 && c.control_timeout < 86400)) {
                fprintf(stderr, "shoal: --timeout: bad number of seconds '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_CONTROL_KEY:
            c.control_key = optarg;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (c.control != NULL) {
        c.control_argv = argv + optind;
        c.control_argc = argc - optind;
        shoal_diag_set_level(verbose >= 2   ? SHOAL_LOG_DEBUG
                             : verbose == 1 ? SHOAL_LOG_INFO
                                            : SHOAL_LOG_WARNING);
        return shoal_cluster_control(&c);
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
        return shoal_cluster_gen_layout(&c);
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
        return shoal_cluster_run_node(&c, &o);
    }
    if (!o.list_plugins && !o.check_only && (o.read_file == NULL) == (o.iface == NULL)) {
        fprintf(stderr, "shoal: give exactly one of -r FILE or -i IFACE\n");
        usage(stderr);
        return 2;
    }
    return shoal_node_run(&o);
}
