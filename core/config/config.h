/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal.cfg: the node's settings, read with libconfig.  Core settings live in
 * fixed groups (log, conn, reassembly, tunnel, networks, stats, notice, cluster, frontend,
 * and control, the control shell's time-outs); each plugin gets its own
 * group under `plugins` (plugins: { dns: { ... }; }), validated against the
 * plugin's declared key table.  Unknown keys and wrong types are errors that
 * name the file and line.  libconfig types never leave this module.
 */
#ifndef SHOAL_CONFIG_H
#define SHOAL_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/plugin.h>

enum shoal_log_format {
    SHOAL_LOGFMT_TSV = 0,
    SHOAL_LOGFMT_JSON = 1,
};

/* notice.actions: run `argv` (argv[0] an absolute path, no shell) with the
 * notice as one JSON line on stdin whenever a notice `note` is written. */
struct shoal_notice_action {
    char *note;
    char **argv; /* NULL-terminated */
};

/* A small set of UDP ports (tunnel.*_ports). */
#define SHOAL_CONFIG_MAX_PORTS 16
struct shoal_port_set {
    unsigned n;
    uint16_t port[SHOAL_CONFIG_MAX_PORTS];
};

struct shoal_config {
    char *file; /* path it was read from, NULL for built-in defaults */

    /* log { dir = "."; format = "tsv"; } */
    char *log_dir;
    enum shoal_log_format log_format;
    /* ... what one record may write (framework/log.h, Zeek's
     * Log::default_max_*); 0: no bound */
    uint64_t log_max_field_string_bytes;       /* 4096 */
    uint64_t log_max_field_container_elements; /* 100 */
    uint64_t log_max_total_string_bytes;       /* 256000 */
    uint64_t log_max_total_container_elements; /* 500 */

    /* conn { ... } -- seconds; counts */
    double tcp_inactivity_timeout;   /* 300 */
    double udp_inactivity_timeout;   /* 60 */
    double icmp_inactivity_timeout;  /* 60 */
    double other_inactivity_timeout; /* 60: other IP protocols */
    double tcp_syn_timeout;          /* 5: tcp_attempt_delay */
    double tcp_close_delay;          /* 5 */
    double tcp_reset_delay;          /* 5 */
    double tcp_partial_close_delay;  /* 3 */
    uint64_t max_conns;              /* 4000000: beyond, the oldest is evicted */
    bool ignore_checksums;           /* false: as zeek without -C */

    /* reassembly { ... } */
    uint64_t tcp_max_buffer; /* 1 MiB: out-of-order bytes held per direction */
    uint64_t tcp_max_total;  /* 256 MiB: ... by every direction together */
    uint64_t tcp_max_blocks; /* 1024: out-of-order pieces per direction */
    uint64_t frag_mem_max;   /* 64 MiB */
    double frag_timeout;     /* 60 */

    /* tunnel { vxlan_ports = [4789]; geneve_ports = [6081]; gre_ports = [4754]; }
     * -- the UDP responder ports of the tunnels whose ports Zeek lets one
     * redefine (PacketAnalyzer::VXLAN::vxlan_ports, ::Geneve::geneve_ports,
     * ::GRE::gre_ports) */
    struct shoal_port_set tunnel_vxlan_ports;
    struct shoal_port_set tunnel_geneve_ports;
    struct shoal_port_set tunnel_gre_ports;

    /* networks { local = [ "10.0.0.0/8", ... ]; }  -- NULL-terminated; when the
     * key is absent, Zeek's Site::private_address_space. */
    char **local_nets;
    bool local_nets_set;

    /* stats { ... } -- stats.log and capture_loss.log (framework/stats.h),
     * seconds of network time; 0: that log is not written */
    double stats_interval;              /* 300 */
    double stats_capture_loss_interval; /* 900 */
    double stats_capture_loss_first;    /* 60: the first capture_loss.log record */
    bool stats_traces;                  /* false: not when reading a trace file */

    /* privileges { user = ""; group = ""; keep_net_raw = false; } -- whom a
     * node started as root becomes once its capture is open (node/privileges.h);
     * NULL or "": it stays as it is */
    char *privileges_user;
    char *privileges_group; /* NULL or "": the user's own group */
    bool privileges_keep_net_raw;

    /* notice { suppress_for = 3600.0; actions = ( { note = "..."; exec = [ ... ]; } ); } */
    double notice_suppress_for; /* 3600: default of notices that give none */
    struct shoal_notice_action *notice_actions;
    size_t n_notice_actions;

    /* cluster { ... } -- the log channel of workers and proxies */
    uint64_t cluster_batch_records;    /* 1024: records per batch at most */
    double cluster_batch_interval;     /* 0.1: seconds a batch waits for more records */
    double cluster_ack_timeout;        /* 10: seconds a stopping node waits for acks */
    uint64_t cluster_resend_mem_max;   /* 64 MiB of unacknowledged batches in memory */
    uint64_t cluster_resend_disk_max;  /* 1 GiB more in the spill file */
    bool cluster_journal;              /* true: unacknowledged batches outlive the node */
    uint64_t cluster_sumstat_max_keys; /* 1000000: keys of distinct-count statistics */

    /* frontend { strategy = "pcap"; hash = "2-tuple"; } -- the frontend
     * plugin every packet comes through (its options in plugins.<strategy>),
     * and the symmetric flow hash of the strategies that split traffic */
    char *frontend_strategy;
    unsigned frontend_strategy_line; /* where strategy was set, 0: not in a file */
    uint32_t frontend_hash;          /* enum shoal_flow_hash: 2 (the default), 4 or 5 */

    /* control { lock = 60.0; ... } -- seconds the control shell waits
     * (shoalctl reads them from etc/shoal.cfg; the nodes ignore them) */
    double control_lock_timeout;    /* 60: for another shell's lock */
    double control_control_timeout; /* 5: for a node's answer on its control port */
    double control_start_timeout;   /* 30: for a started node to say "running" */
    double control_stop_timeout;    /* 60: for a stopped node to exit before SIGKILL */
    double control_run_timeout;     /* 60: for a program on a node's host */
    uint64_t control_base_port;     /* 27760: the first port of the installed cluster's nodes */
    /* shoalctl cron: */
    double control_rotate_interval;  /* 3600: seconds between log rotations (0: every cron) */
    double control_log_expire_days;  /* 0: archived logs older than this are removed (0: kept) */
    double control_min_disk_percent; /* 5: warn when a node's disk has less free, percent */

    /* The whole parsed file, kept for plugin groups; opaque here. */
    void *priv;
};

/*
 * A running node given a new shoal.cfg (shoalctl update): every core key
 * whose value in *next differs from *cur is reported as fn(arg, "group.key",
 * was, now, applied).  The keys read each time they are used -- the
 * connection time-outs (conn group) and notice.suppress_for -- are copied
 * into *cur (applied); the others take a restart.  The control group (the
 * shell's) and the networks and notice actions are not compared.  Returns
 * how many keys differ but were not applied.
 */
typedef void (*shoal_config_change_fn)(void *arg, const char *key, const char *was, const char *now,
                                       bool applied);
int shoal_config_update(struct shoal_config *cur, const struct shoal_config *next,
                        shoal_config_change_fn fn, void *arg);

/* Fill *c with the built-in defaults (no file).  Returns 0 or -ENOMEM. */
int shoal_config_defaults(struct shoal_config *c);

/*
 * Read `path` over the defaults.  On error returns a negative errno and
 * writes "FILE:LINE: reason" into err.  *c is left with defaults on error.
 */
int shoal_config_load(struct shoal_config *c, const char *path, char *err, size_t errlen);

/*
 * The same, reading group `group` alone: the other groups are neither
 * read nor checked (the control shell takes its `control` group from a
 * file whose rest `shoalctl check` judges).  A syntax error anywhere is
 * still an error.
 */
int shoal_config_load_group(struct shoal_config *c, const char *path, const char *group, char *err,
                            size_t errlen);

/*
 * Fill a plugin's config struct (config_size zeroed bytes at `out`) from its
 * key table: defaults first, then the group plugins.<name> if present.
 * Unknown keys, wrong types and missing required keys are errors
 * ("FILE:LINE: plugins.dns.foo: unknown key").  String values are strdup'ed
 * into the struct; free them with shoal_config_plugin_free.
 */
int shoal_config_plugin(const struct shoal_config *c, const struct shoal_plugin *p, void *out,
                        char *err, size_t errlen);
void shoal_config_plugin_free(const struct shoal_plugin *p, void *cfg);

/* The key every plugin group may hold, whatever the plugin declares:
 * `enabled = false;` leaves the plugin unloaded. */
#define SHOAL_CONFIG_PLUGIN_ENABLED "enabled"

/* Is plugin `name` enabled (plugins.<name>.enabled, true when absent)?
 * Returns 1, 0, or -EINVAL for a value that is not a boolean ("FILE:LINE:
 * plugins.NAME.enabled: expected a boolean, got ..." in err). */
int shoal_config_plugin_enabled(const struct shoal_config *c, const char *name, char *err,
                                size_t errlen);

/* "FILE:LINE: plugins.NAME: " + what, in err, when the user's file has a
 * group for plugin `name` (its settings): true; false (err untouched)
 * when it has none. */
bool shoal_config_plugin_errf(const struct shoal_config *c, const char *name, char *err,
                              size_t errlen, const char *what);

/* Reject groups under `plugins` naming no loaded plugin (`names`, n entries). */
int shoal_config_check_plugin_groups(const struct shoal_config *c, const char *const *names,
                                     size_t n, char *err, size_t errlen);

/* Name of a libconfig type (CONFIG_TYPE_*) with its article ("an integer"),
 * for "expected X, got Y" messages of the modules that read libconfig files. */
const char *shoal_config_type_name(int libconfig_type);

/* Write "FILE:LINE: PATH: message" into err (the line left out when 0, the
 * path when NULL): the one error format of every configuration reader. */
void shoal_config_verrf(char *err, size_t errlen, const char *file, unsigned line, const char *path,
                        const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Parse `text` as a value of key k's type into `field` (a string is
 * strdup'ed, replacing the one there).  0, -EINVAL when it does not parse,
 * -ENOMEM. */
int shoal_cfg_parse(const struct shoal_cfg_key *k, const char *text, void *field);

/* Bytes a value of type t takes in a plugin's config struct, 0 if unknown. */
size_t shoal_cfg_type_size(enum shoal_cfg_type t);

/* Free everything *c owns (not c itself). */
void shoal_config_free(struct shoal_config *c);

#endif
