/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A standalone node: one packet source (a trace file or a live interface),
 * the decoder, the connection table, the analyzers and the log writers, in
 * one process on one thread.
 */
#ifndef SHOAL_NODE_H
#define SHOAL_NODE_H

#include <stdbool.h>

struct shoal_node_opts {
    const char *read_file;   /* -r: pcap or pcapng file */
    const char *iface;       /* -i: live interface */
    const char *filter;      /* -f: BPF expression */
    const char *config_file; /* -c: shoal.cfg */
    const char *log_dir;     /* --logdir: overrides log.dir */
    bool json;               /* --json: overrides log.format */
    bool ignore_checksums;   /* -C */
    bool list_plugins;       /* --list-plugins: print and exit */
    bool check_only;         /* --check: validate config and plugins, exit */
    int progress;            /* 1 on, 0 off, -1 when stderr is a terminal */
    bool quiet;              /* no summary line */
};

/* Run until the input ends or SIGINT/SIGTERM.  Returns the exit status:
 * 0 on success, 1 on a runtime error, 2 on bad configuration or input. */
int shoal_node_run(const struct shoal_node_opts *o);

#endif
