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
 *
 * main reads as its steps: parse every option into the struct of its mode
 * (one table, cli_options, gives getopt its options and the usage its
 * lines), pick the mode, check what that mode needs, run it.  A new option
 * is one row of the table.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/plugin.h>

#include "bin/cluster_cli.h"
#include "bin/workers_cli.h"
#include "lib/diag.h"
#include "lib/util.h"
#include "node/node.h"

/* What the command line asks for, one struct per mode. */
struct cli {
    struct shoal_node_opts node; /* standalone; a cluster node starts from these too */
    struct shoal_cluster_node_args run;
    struct shoal_cluster_gen_args gen;
    struct shoal_cluster_control_args ctl;
    const char *layout;    /* --layout, for --node and --control */
    const char *share;     /* --share I/N: this node's share of the input */
    unsigned long workers; /* --workers N */
    int verbose;           /* -v, repeated */
    bool help;
    bool version;
    char **rest; /* the arguments after the options */
    int n_rest;
};

/* The modes, in the order the options that choose them win. */
enum cli_mode {
    CLI_CONTROL,    /* --control NODE|all COMMAND [ARG...] */
    CLI_GEN_LAYOUT, /* --gen-layout OUT ... */
    CLI_NODE,       /* --node NAME --layout FILE */
    CLI_STANDALONE, /* -r FILE | -i IFACE (or --list-plugins, --check) */
};

/* What an option does with its argument, in the struct cli field at its
 * offset (whose type the kind names). */
enum cli_kind {
    CLI_STRING,  /* const char *: the argument */
    CLI_FLAG,    /* bool: true */
    CLI_SET,     /* int: .value */
    CLI_COUNT,   /* int: one more */
    CLI_SECONDS, /* double: seconds, above 0 and below a day */
    CLI_NUMBER,  /* unsigned long: an integer in [.min, .max] */
    CLI_NAMES,   /* const char *[.max]: one more name; the count (size_t) at .count */
};

/* The sections of the usage text, in print order. */
enum cli_section {
    CLI_SEC_COMMON,
    CLI_SEC_NODE,
    CLI_SEC_GEN,
    CLI_SEC_CONTROL,
};

static const char *const cli_section_titles[] = {
    [CLI_SEC_COMMON] = "options (standalone, and a cluster node's packets and logs):",
    [CLI_SEC_NODE] = "cluster node (--node):",
    [CLI_SEC_GEN] = "localhost layout (--gen-layout):",
    [CLI_SEC_CONTROL] = "control client (--control):",
};

/* One option.  A row gives the first six fields in order, then the others
 * by name (.help always, so that those it does not need may be left out). */
struct cli_option {
    const char *name; /* long name, without "--" */
    char short_name;  /* 0 for none */
    const char *arg;  /* the argument's name in the usage; NULL: takes none */
    enum cli_kind kind;
    size_t offset; /* of the field in struct cli */
    enum cli_section section;
    const char *help;  /* usage text; each '\n' starts an indented line */
    int value;         /* CLI_SET */
    unsigned long min; /* CLI_NUMBER */
    unsigned long max; /* CLI_NUMBER; CLI_NAMES: the array's size */
    size_t count;      /* CLI_NAMES: offset of the count */
};

#define CLI_AT(field) offsetof(struct cli, field)

/* Every option, in usage order. */
static const struct cli_option cli_options[] = {
    {"read", 'r', "FILE", CLI_STRING, CLI_AT(node.read_file), CLI_SEC_COMMON,
     .help = "read packets from a pcap or pcapng file"},
    {"interface", 'i', "IFACE", CLI_STRING, CLI_AT(node.iface), CLI_SEC_COMMON,
     .help = "sniff a live interface"},
    {"filter", 'f', "EXPR", CLI_STRING, CLI_AT(node.filter), CLI_SEC_COMMON,
     .help = "BPF filter expression"},
    {"no-checksums", 'C', NULL, CLI_FLAG, CLI_AT(node.ignore_checksums), CLI_SEC_COMMON,
     .help = "ignore checksums (analyse packets whose checksum is bad)"},
    {"config", 'c', "FILE", CLI_STRING, CLI_AT(node.config_file), CLI_SEC_COMMON,
     .help = "read settings from FILE (shoal.cfg)"},
    {"logdir", 'l', "DIR", CLI_STRING, CLI_AT(node.log_dir), CLI_SEC_COMMON,
     .help = "write logs into DIR (default: current directory)"},
    {"json", 0, NULL, CLI_FLAG, CLI_AT(node.json), CLI_SEC_COMMON,
     .help = "write JSON lines instead of Zeek TSV"},
    {"progress", 0, NULL, CLI_SET, CLI_AT(node.progress), CLI_SEC_COMMON,
     .help = "always show a progress line (default: on a terminal)", .value = 1},
    {"no-progress", 0, NULL, CLI_SET, CLI_AT(node.progress), CLI_SEC_COMMON,
     .help = "never show one", .value = 0},
    {"quiet", 'q', NULL, CLI_FLAG, CLI_AT(node.quiet), CLI_SEC_COMMON,
     .help = "no summary line at the end"},
    {"verbose", 'v', NULL, CLI_COUNT, CLI_AT(verbose), CLI_SEC_COMMON,
     .help = "more diagnostics (repeat for debug)"},
    {"list-plugins", 0, NULL, CLI_FLAG, CLI_AT(node.list_plugins), CLI_SEC_COMMON,
     .help = "print the plugins found and their settings, then exit\n"
             "(with --node: those the node loads, with the values\n"
             "shoal.cfg gives them)"},
    {"check", 0, NULL, CLI_FLAG, CLI_AT(node.check_only), CLI_SEC_COMMON,
     .help = "validate the configuration and plugins, then exit"},
    {"share", 0, "I/N", CLI_STRING, CLI_AT(share), CLI_SEC_COMMON,
     .help = "analyse share I (0 .. N-1) of N of the input, as the frontend\n"
             "splits it (frontend.strategy, e.g. bpf)"},
    {"workers", 0, "N", CLI_NUMBER, CLI_AT(workers), CLI_SEC_COMMON,
     .help = "-r FILE through the dispatch frontend into N worker processes\n"
             "and a manager on this host (the records of one node)",
     .min = 1, .max = 64},
    {"dispatcher", 0, NULL, CLI_FLAG, CLI_AT(node.dispatcher), CLI_SEC_COMMON,
     .help = "run only the frontend's dispatcher, feeding --workers N\n"
             "nodes that read with --share I/N (frontend.strategy dispatch)"},
    {"channel", 0, "NAME", CLI_STRING, CLI_AT(node.channel), CLI_SEC_COMMON,
     .help = "where a dispatcher and its workers meet (default: the input)"},
    {"frontend", 0, "NAME", CLI_STRING, CLI_AT(node.frontend), CLI_SEC_COMMON,
     .help = "the frontend plugin instead of shoal.cfg's frontend.strategy"},
    {"networks", 0, "FILE", CLI_STRING, CLI_AT(node.networks_file), CLI_SEC_COMMON,
     .help = "the local networks, as networks.cfg lists them\n"
             "(instead of networks.local of shoal.cfg)"},
    {"version", 'V', NULL, CLI_FLAG, CLI_AT(version), CLI_SEC_COMMON, .help = "print the version"},
    {"help", 'h', NULL, CLI_FLAG, CLI_AT(help), CLI_SEC_COMMON, .help = "this text"},

    {"node", 0, "NAME", CLI_STRING, CLI_AT(run.node), CLI_SEC_NODE,
     .help = "run node NAME of the cluster layout"},
    {"layout", 0, "FILE", CLI_STRING, CLI_AT(layout), CLI_SEC_NODE,
     .help = "the cluster layout (with --node or --control)"},
    {"ack-timeout", 0, "SECS", CLI_SECONDS, CLI_AT(run.ack_timeout), CLI_SEC_NODE,
     .help = "worker, proxy: wait this long for the manager at the end\n"
             "(cluster.ack_timeout of shoal.cfg, 10)"},
    {"batch-records", 0, "N", CLI_NUMBER, CLI_AT(run.batch_records), CLI_SEC_NODE,
     .help = "worker, proxy: records per log batch (cluster.batch_records)", .min = 1,
     .max = 65536},
    {"daemon", 0, NULL, CLI_FLAG, CLI_AT(run.daemon), CLI_SEC_NODE,
     .help = "run in the background, detached, its output in\n"
             "stdout.log and stderr.log of its working directory"},
    {"env", 0, "NAME=VALUE", CLI_NAMES, CLI_AT(run.env), CLI_SEC_NODE,
     .help = "set an environment variable first (repeat for more)", .max = SHOAL_CLUSTER_MAX_ENV,
     .count = CLI_AT(run.n_env)},
    {"pin-cpu", 0, "N", CLI_NUMBER, CLI_AT(run.pin_cpu), CLI_SEC_NODE, .help = "run on CPU N only",
     .min = 0, .max = 4095},
    {"node-status", 0, NULL, CLI_FLAG, CLI_AT(run.status_only), CLI_SEC_NODE,
     .help = "print the state of node NAME on this host (its pid\n"
             "file and status word), then exit"},
    {"node-clear", 0, NULL, CLI_FLAG, CLI_AT(run.clear_only), CLI_SEC_NODE,
     .help = "a node that died without saying so (crashed): mark it\n"
             "terminated, then exit; refused while it runs"},

    {"gen-layout", 0, "OUT", CLI_STRING, CLI_AT(gen.out), CLI_SEC_GEN,
     .help = "write a layout of nodes on localhost and their keys\n"
             "(and the control key shoalctl.key next to allowed_keys)"},
    {"workdir-base", 0, "DIR", CLI_STRING, CLI_AT(gen.workdir_base), CLI_SEC_GEN,
     .help = "the nodes' working directories are DIR/NAME"},
    {"keys", 0, "DIR", CLI_STRING, CLI_AT(gen.keys_dir), CLI_SEC_GEN,
     .help = "where the key pairs and allowed_keys go"},
    {"manager", 0, "NAME", CLI_STRING, CLI_AT(gen.manager), CLI_SEC_GEN,
     .help = "the manager's name"},
    {"proxy", 0, "NAME", CLI_NAMES, CLI_AT(gen.proxies), CLI_SEC_GEN,
     .help = "a proxy (repeat for more)", .max = SHOAL_CLUSTER_MAX_PROXIES,
     .count = CLI_AT(gen.n_proxies)},
    {"worker", 0, "NAME", CLI_NAMES, CLI_AT(gen.workers), CLI_SEC_GEN,
     .help = "a worker (repeat for more)", .max = SHOAL_CLUSTER_MAX_WORKERS,
     .count = CLI_AT(gen.n_workers)},
    {"base-port", 0, "N", CLI_NUMBER, CLI_AT(gen.base_port), CLI_SEC_GEN,
     .help = "the first port, numbered on from there (27760)", .min = 1024, .max = 65535},

    {"control", 0, "NODE|all", CLI_STRING, CLI_AT(ctl.target), CLI_SEC_CONTROL,
     .help = "ask a running node, or every node, over its control\n"
             "port (with --layout): COMMAND is status, counters, peers,\n"
             "print ID or stop; exit status 1 if a node did not answer"},
    {"timeout", 0, "SECS", CLI_SECONDS, CLI_AT(ctl.timeout), CLI_SEC_CONTROL,
     .help = "wait this long for the replies (5)"},
    {"control-key", 0, "FILE", CLI_STRING, CLI_AT(ctl.key), CLI_SEC_CONTROL,
     .help = "the key pair to use (default: shoalctl.key\n"
             "next to the layout's allowed_keys)"},
};

#define CLI_N_OPTIONS SHOAL_ARRAY_SIZE(cli_options)

/* getopt_long's value for a long-only option: past every char. */
#define CLI_LONG_BASE 256

/* Column where the help text of an option starts. */
#define CLI_HELP_COLUMN 25

/* ---- usage -------------------------------------------------------------- */

/* One option's lines: "  -r, --read FILE        help", continuation lines
 * of the help under its first one. */
static void usage_option(FILE *out, const struct cli_option *opt)
{
    const char *help = opt->help;
    int n;

    if (opt->short_name != 0) {
        n = fprintf(out, "  -%c, --%s", opt->short_name, opt->name);
    } else {
        n = fprintf(out, "      --%s", opt->name);
    }
    if (opt->arg != NULL) {
        n += fprintf(out, " %s", opt->arg);
    }
    if (n >= CLI_HELP_COLUMN) {
        fputc('\n', out);
        n = 0;
    }
    for (;;) {
        size_t len = strcspn(help, "\n");

        fprintf(out, "%*s%.*s\n", CLI_HELP_COLUMN - n, "", (int)len, help);
        if (help[len] == '\0') {
            break;
        }
        help += len + 1;
        n = 0;
    }
}

/* The synopsis of each mode, then the options section by section. */
static void usage(FILE *out)
{
    fputs("usage: shoal [options] -r FILE | -i IFACE\n"
          "       shoal [options] --node NAME --layout FILE\n"
          "       shoal --gen-layout OUT --workdir-base DIR --keys DIR --manager NAME\n"
          "             [--proxy NAME...] --worker NAME [--worker NAME...] [--base-port N]\n"
          "       shoal --control NODE|all --layout FILE [--timeout SECS] COMMAND [ARG...]\n",
          out);
    for (size_t sec = 0; sec < SHOAL_ARRAY_SIZE(cli_section_titles); sec++) {
        fprintf(out, "\n%s\n", cli_section_titles[sec]);
        for (size_t i = 0; i < CLI_N_OPTIONS; i++) {
            if (cli_options[i].section == sec) {
                usage_option(out, &cli_options[i]);
            }
        }
    }
    fputs("\nPlugins are loaded from $SHOAL_PLUGIN_PATH, then the installed plugin folders.\n",
          out);
}

/* ---- parsing ------------------------------------------------------------ */

/* Store one option's argument as its kind says.  Returns 0, or -EINVAL
 * after printing why. */
static int cli_store(struct cli *cli, const struct cli_option *opt, const char *arg)
{
    void *field = (char *)cli + opt->offset;
    char *end;

    switch (opt->kind) {
    case CLI_STRING:
        *(const char **)field = arg;
        return 0;
    case CLI_FLAG:
        *(bool *)field = true;
        return 0;
    case CLI_SET:
        *(int *)field = opt->value;
        return 0;
    case CLI_COUNT:
        (*(int *)field)++;
        return 0;
    case CLI_SECONDS: {
        double v = strtod(arg, &end);

        if (end == arg || *end != '\0' || !(v > 0 && v < 86400)) {
            fprintf(stderr, "shoal: --%s: want seconds above 0 and below 86400, got '%s'\n",
                    opt->name, arg);
            return -EINVAL;
        }
        *(double *)field = v;
        return 0;
    }
    case CLI_NUMBER: {
        unsigned long v;

        errno = 0;
        v = strtoul(arg, &end, 10);
        if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' || v < opt->min ||
            v > opt->max) {
            fprintf(stderr, "shoal: --%s: want %lu..%lu, got '%s'\n", opt->name, opt->min, opt->max,
                    arg);
            return -EINVAL;
        }
        *(unsigned long *)field = v;
        return 0;
    }
    case CLI_NAMES: {
        size_t *count = (size_t *)((char *)cli + opt->count);

        if (*count == opt->max) {
            fprintf(stderr, "shoal: --%s: at most %lu of them\n", opt->name, opt->max);
            return -EINVAL;
        }
        ((const char **)field)[(*count)++] = arg;
        return 0;
    }
    }
    return -EINVAL;
}

/* The option getopt_long returned `ch` for. */
static const struct cli_option *cli_lookup(int ch)
{
    if (ch >= CLI_LONG_BASE && (size_t)(ch - CLI_LONG_BASE) < CLI_N_OPTIONS) {
        return &cli_options[ch - CLI_LONG_BASE];
    }
    for (size_t i = 0; i < CLI_N_OPTIONS; i++) {
        if (ch != 0 && cli_options[i].short_name == ch) {
            return &cli_options[i];
        }
    }
    return NULL;
}

/* Parse the options into *cli (zeroed first); the arguments after them go
 * to cli->rest.  Returns 0, or -EINVAL after printing why. */
static int cli_parse(int argc, char **argv, struct cli *cli)
{
    struct option longopts[CLI_N_OPTIONS + 1];
    char shortopts[2 * CLI_N_OPTIONS + 1];
    size_t ns = 0;
    int ch;

    memset(cli, 0, sizeof(*cli));
    cli->node.progress = -1;
    cli->run.pin_cpu = (unsigned long)-1;
    memset(longopts, 0, sizeof(longopts));
    for (size_t i = 0; i < CLI_N_OPTIONS; i++) {
        const struct cli_option *opt = &cli_options[i];

        longopts[i].name = opt->name;
        longopts[i].has_arg = opt->arg != NULL ? required_argument : no_argument;
        longopts[i].val = opt->short_name != 0 ? opt->short_name : CLI_LONG_BASE + (int)i;
        if (opt->short_name != 0) {
            shortopts[ns++] = opt->short_name;
            if (opt->arg != NULL) {
                shortopts[ns++] = ':';
            }
        }
    }
    shortopts[ns] = '\0';
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const struct cli_option *opt = cli_lookup(ch);

        if (opt == NULL) {
            usage(stderr);
            return -EINVAL;
        }
        if (cli_store(cli, opt, optarg) < 0) {
            return -EINVAL;
        }
    }
    cli->rest = argv + optind;
    cli->n_rest = argc - optind;
    return 0;
}

/* ---- modes -------------------------------------------------------------- */

/* The mode the options ask for: --control, else --gen-layout, else
 * --node or --layout, else standalone. */
static enum cli_mode cli_mode_of(const struct cli *cli)
{
    if (cli->ctl.target != NULL) {
        return CLI_CONTROL;
    }
    if (cli->gen.out != NULL) {
        return CLI_GEN_LAYOUT;
    }
    if (cli->run.node != NULL || cli->layout != NULL) {
        return CLI_NODE;
    }
    return CLI_STANDALONE;
}

/* Check what `mode` needs of the options main itself reads (the cluster
 * functions check the rest of theirs).  Returns 0, or -EINVAL after
 * printing why. */
static int cli_check(const struct cli *cli, enum cli_mode mode)
{
    const struct shoal_node_opts *o = &cli->node;

    if (mode != CLI_CONTROL && cli->n_rest > 0) {
        fprintf(stderr, "shoal: unexpected argument '%s'\n", cli->rest[0]);
        usage(stderr);
        return -EINVAL;
    }
    switch (mode) {
    case CLI_NODE:
        if ((cli->run.node == NULL) != (cli->layout == NULL)) {
            fprintf(stderr, "shoal: --node and --layout go together\n");
            return -EINVAL;
        }
        if (o->read_file != NULL && o->iface != NULL) {
            fprintf(stderr, "shoal: give at most one of -r FILE or -i IFACE\n");
            return -EINVAL;
        }
        return 0;
    case CLI_STANDALONE:
        if (!o->list_plugins && !o->check_only && (o->read_file == NULL) == (o->iface == NULL)) {
            fprintf(stderr, "shoal: give exactly one of -r FILE or -i IFACE\n");
            usage(stderr);
            return -EINVAL;
        }
        return 0;
    case CLI_CONTROL:
    case CLI_GEN_LAYOUT:
        return 0;
    }
    return -EINVAL;
}

/* --share I/N into the node's worker and nworkers.  0, or -EINVAL after
 * saying why. */
static int cli_share(struct cli *cli)
{
    unsigned long i, n;
    char *end;

    if (cli->node.dispatcher) {
        if (cli->workers == 0) {
            fprintf(stderr, "shoal: --dispatcher needs --workers N\n");
            return -EINVAL;
        }
        cli->node.nworkers = (uint32_t)cli->workers;
    }
    if (cli->share == NULL) {
        return 0;
    }
    errno = 0;
    i = strtoul(cli->share, &end, 10);
    if (end != cli->share && *end == '/' && end[1] != '\0') {
        const char *nstr = end + 1;
        n = strtoul(nstr, &end, 10);
        if (errno == 0 && *end == '\0' && isdigit((unsigned char)*nstr) && n >= 1 && n <= 1024 &&
            i < n) {
            cli->node.worker = (uint32_t)i;
            cli->node.nworkers = (uint32_t)n;
            return 0;
        }
    }
    fprintf(stderr, "shoal: --share: expected I/N with 0 <= I < N <= 1024, got '%s'\n", cli->share);
    return -EINVAL;
}

/* Run `mode`; returns the exit status. */
static int cli_run(struct cli *cli, enum cli_mode mode)
{
    switch (mode) {
    case CLI_CONTROL:
        cli->ctl.layout = cli->layout;
        cli->ctl.argv = cli->rest;
        cli->ctl.argc = cli->n_rest;
        return shoal_cluster_control(&cli->ctl);
    case CLI_GEN_LAYOUT:
        return shoal_cluster_gen_layout(&cli->gen);
    case CLI_NODE:
        cli->run.layout = cli->layout;
        return shoal_cluster_run_node(&cli->run, &cli->node);
    case CLI_STANDALONE:
        if (cli->workers > 0 && !cli->node.dispatcher && !cli->node.check_only &&
            !cli->node.list_plugins) {
            return shoal_workers_run(&cli->node, (unsigned)cli->workers);
        }
        return shoal_node_run(&cli->node);
    }
    return 2;
}

int main(int argc, char **argv)
{
    struct cli cli;
    enum cli_mode mode;

    if (cli_parse(argc, argv, &cli) < 0) {
        return 2;
    }
    if (cli.help) {
        usage(stdout);
        return 0;
    }
    if (cli.version) {
        printf("shoal %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, SHOAL_ABI_MAJOR, SHOAL_ABI_MINOR);
        return 0;
    }
    mode = cli_mode_of(&cli);
    if (cli_share(&cli) < 0 || cli_check(&cli, mode) < 0) {
        return 2;
    }
    shoal_diag_set_level(cli.verbose >= 2   ? SHOAL_LOG_DEBUG
                         : cli.verbose == 1 ? SHOAL_LOG_INFO
                                            : SHOAL_LOG_WARNING);
    return cli_run(&cli, mode);
}
