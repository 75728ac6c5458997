/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal: the node daemon's command line.  Standalone mode reads a trace
 * (-r) or sniffs an interface (-i) and writes Zeek-compatible logs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "node.h"

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
            "Plugins are loaded from the installed plugin folders and $SHOAL_PLUGIN_PATH.\n");
}

int main(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_LIST, OPT_CHECK, OPT_PROGRESS, OPT_NO_PROGRESS };
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
        {NULL, 0, NULL, 0},
    };
    struct shoal_node_opts o;
    int verbose = 0;
    int ch;

    memset(&o, 0, sizeof(o));
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
    if (!o.list_plugins && !o.check_only && (o.read_file == NULL) == (o.iface == NULL)) {
        fprintf(stderr, "shoal: give exactly one of -r FILE or -i IFACE\n");
        usage(stderr);
        return 2;
    }
    shoal_diag_set_level(verbose >= 2   ? SHOAL_LOG_DEBUG
                         : verbose == 1 ? SHOAL_LOG_INFO
                                        : SHOAL_LOG_WARNING);
    return shoal_node_run(&o);
}
