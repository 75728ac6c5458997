/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core of shoalctl: what every command stands on.  It knows the
 * installation's folders, node.cfg (the installed copy once `install` ran,
 * etc/node.cfg before), the installed layout, the hosts and the shell's
 * state; it loads the command plugins and runs one command line at a
 * time under the shell's lock.  It names no command: those are plugins,
 * which reach all of this through the shell's host table
 * (host_command.c).
 *
 * Single-threaded.
 */
#ifndef SHOAL_SHELL_H
#define SHOAL_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <shoal/command.h>

#include "plugin/host.h"
#include "shell/paths.h"

struct shoal_config;
struct shoal_hosts;
struct shoal_layout;
struct shoal_nodecfg;
struct shoal_registry;
struct shoal_state;

/* Seconds the shell waits, from shoal.cfg's control group. */
struct shoal_shell_timeouts {
    double lock;    /* for another shell's lock */
    double control; /* for a node's answer on its control port */
    double start;   /* for a started node to say "running" */
    double stop;    /* for a stopped node to exit before SIGKILL */
    double run;     /* for a program on a host */
};

/* What cron does, from shoal.cfg's control group. */
struct shoal_shell_cron {
    double rotate_interval;  /* seconds between log rotations */
    double log_expire_days;  /* archived logs kept this long (0: for ever) */
    double min_disk_percent; /* free disk below which cron warns */
};

struct shoal_shell {
    struct shoal_paths paths;
    struct shoal_shell_timeouts timeouts;
    struct shoal_shell_cron cron;
    uint16_t base_port;            /* the first port of the installed layout (control.base_port) */
    struct shoal_nodecfg *nodecfg; /* the installed node.cfg, else etc's; may be NULL */
    bool installed;                /* nodecfg is the installed one */
    struct shoal_node_info *nodes; /* nodecfg's nodes as plugins see them */
    size_t n_nodes;
    char *node_dirs; /* their workdirs (PATH_MAX each) */
    struct shoal_hosts *hosts;
    struct shoal_state *state;
    struct shoal_registry *commands; /* the command plugins */
    struct shoal_host_env env;
    FILE *out; /* where commands print (stdout) */
    bool done; /* a command that ends the shell ran (SHOAL_CMD_EXIT) */
};

/*
 * Set up a shell over the installation under `base` (NULL: the compiled
 * folders): its folders (spool created if missing), node.cfg, the state,
 * and the command plugins.  Returns 0, or a negative errno after saying
 * why on stderr.  A node.cfg with errors is not fatal here (`check` says
 * what is wrong); commands that need nodes refuse to run.
 */
int shoal_shell_open(struct shoal_shell *sh, const char *base);

void shoal_shell_close(struct shoal_shell *sh);

/* Read node.cfg again (after install, or to see the user's changes).
 * `installed`: the installed copy; else etc/node.cfg.  0, or a negative
 * errno with err set. */
int shoal_shell_reload(struct shoal_shell *sh, bool installed, char *err, size_t errlen);

/* The command plugin called `name` (or with that alias), or NULL. */
const struct shoal_command_ops *shoal_shell_find(const struct shoal_shell *sh, const char *name,
                                                 void **state);

/*
 * Run one command line (argv[0] the command), under the shell's lock
 * unless the command says it needs none.  Returns its result: 0, 1 when it
 * failed, 2 for an unknown command or bad arguments.
 */
int shoal_shell_run(struct shoal_shell *sh, int argc, char *const *argv);

/* Every command, for help and completion: the i-th, or NULL past the end. */
const struct shoal_command_ops *shoal_shell_command(const struct shoal_shell *sh, size_t i);

/* The node info of node.cfg's node `name`, or NULL. */
const struct shoal_node_info *shoal_shell_node(const struct shoal_shell *sh, const char *name);

/* ---- install.c: etc into spool/installed, and onto the nodes' hosts ---- */

/* One step of install (see enum shoal_install_step): etc/ into
 * spool/installed (or all of it into spool/staged for `check`), then onto
 * the other hosts.  After SHOAL_INSTALL_LAYOUT the shell's nodes are the
 * installed node.cfg's.  0, or a negative errno with err set. */
int shoal_shell_install(struct shoal_shell *sh, enum shoal_install_step step, char *err,
                        size_t errlen);

/* A cluster on this host under `dir` that is no part of the installation
 * (see local_cluster of struct shoal_command_host): its layout, workdirs
 * and fresh keys.  0, or a negative errno with err set. */
int shoal_shell_local_cluster(const char *dir, unsigned proxies, unsigned workers,
                              uint16_t base_port, char *err, size_t errlen);

/* ---- host_command.c: the table command plugins get ---- */

/* Ask n nodes at once over their control ports; see the control entry of
 * struct shoal_command_host. */
int shoal_shell_control(struct shoal_shell *sh, const struct shoal_node_info *const *nodes,
                        size_t n, const char *const *argv, double timeout,
                        struct shoal_ctl_reply **out);
void shoal_shell_control_free(struct shoal_ctl_reply *replies, size_t n);

/* shoal_shell_control for the nodes that run; see the control_running
 * entry of struct shoal_command_host. */
int shoal_shell_control_running(struct shoal_shell *sh, const struct shoal_node_info *const *nodes,
                                size_t n, const char *const *argv, double timeout,
                                struct shoal_ctl_reply **out);

/* Forget spool/staged and the ssh master connections with their sockets
 * (cleanup --all).  0, or a negative errno with err set. */
int shoal_shell_clean(struct shoal_shell *sh, char *err, size_t errlen);

/* ---- nodes.c: the nodes' processes ---- */

/* The command line of installed node `n` for `what`: as `start` runs it
 * (detached), its --check against spool/staged, or its --list-plugins.
 * *argv is a malloc'ed NULL-terminated vector (free with free(); its
 * strings live in the same block).  0, -ENOENT (no such node), -ENOMEM or
 * -ENOSPC. */
int shoal_shell_node_command(const struct shoal_shell *sh, const struct shoal_node_info *n,
                             enum shoal_node_cmd what, char ***argv);

/* The state of node n's process, on its host (*st filled whole: the
 * core's struct). */
int shoal_shell_node_status(struct shoal_shell *sh, const struct shoal_node_info *n,
                            struct shoal_node_status *st, char *status_buf, size_t len);

/* The last `lines` lines of file `name` of node n's workdir, on its host;
 * see the node_tail entry of struct shoal_command_host (*text: free()). */
int shoal_shell_node_tail(struct shoal_shell *sh, const struct shoal_node_info *n, const char *name,
                          unsigned lines, char **text);

/* Start node n (it must not run) and wait until it says "running" or the
 * start time-out passes.  0, or a negative errno with err set (the last
 * lines of the node's stderr.log when it died). */
int shoal_shell_node_start(struct shoal_shell *sh, const struct shoal_node_info *n, char *err,
                           size_t errlen);

/* Stop node n: its control `stop`, SIGTERM when it does not answer, and
 * SIGKILL after the stop time-out; a node that had crashed is marked
 * terminated.  0 (stopped, or was not running), or a negative errno with
 * err set. */
int shoal_shell_node_stop(struct shoal_shell *sh, const struct shoal_node_info *n, char *err,
                          size_t errlen);

#endif
