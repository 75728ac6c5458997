/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command plugins: the commands of the control shell, shoalctl.  Every
 * command, down to `status` and `help`, is a plugin of this kind, found at
 * start-up like analyzers; the shell core names none of them.  A command
 * gets the shell's host table (host->command): the nodes of node.cfg, the
 * installed paths, programs run on a node's host (locally or over ssh),
 * control requests answered by running nodes, aligned tables, and state
 * kept across shell runs.  A command whose name has a dot ("ps.shoal") is
 * listed apart in help, under "Commands provided by plugins:".
 */
#ifndef SHOAL_SDK_COMMAND_H
#define SHOAL_SDK_COMMAND_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What shells complete after the command name (or'ed). */
#define SHOAL_CMD_COMPLETE_NODES 1u /* node and group names */
#define SHOAL_CMD_COMPLETE_FILES 2u /* file names */

/* flags */
#define SHOAL_CMD_NO_LOCK 1u /* runs without the shell's lock (help, exit, ...) */
#define SHOAL_CMD_EXIT 2u    /* the shell ends after it (exit, quit); 2.2 */

/*
 * Ops of a command plugin (descriptor kind SHOAL_PLUGIN_COMMAND).
 *
 * run: argv[0] is the name the user typed (the name or an alias), argv[1..]
 *   its arguments, borrowed for the call.  Prints through host->command.
 *   Returns 0 on success, 1 when the command failed (the shell's exit
 *   status in one-shot mode), or a negative errno on an internal error.
 */
struct shoal_command_ops {
    uint32_t size;              /* sizeof(struct shoal_command_ops) */
    const char *name;           /* [a-z][a-z0-9_.-]*; unique among commands */
    const char *const *aliases; /* other names ("?" for help), NULL-terminated, or NULL */
    const char *synopsis;       /* arguments as help shows them: "[<nodes>]", or NULL */
    const char *help;           /* one line */
    const char *const *words;   /* completion words for arguments, NULL-terminated, or NULL */
    uint32_t complete;          /* SHOAL_CMD_COMPLETE_* */
    uint32_t flags;             /* SHOAL_CMD_* */
    int (*run)(void *ps, int argc, char *const *argv);
};

/* A node as installed from node.cfg (lb_procs already expanded). */
struct shoal_node_info {
    uint32_t size;         /* sizeof(struct shoal_node_info) of the core */
    const char *name;      /* "worker-1-2" */
    const char *type;      /* "standalone", "manager", "proxy" or "worker" */
    const char *host;      /* "localhost", a name or an address */
    const char *interface; /* what it sniffs, or NULL */
    const char *workdir;   /* its working directory on its host */
    const char *lb_method; /* a worker's load-balancing strategy, or NULL */
    int pin_cpu;           /* -1: not pinned */
};

/* What the shell knows of a node's process. */
struct shoal_node_status {
    uint32_t size;      /* sizeof(struct shoal_node_status) of the core */
    bool running;       /* a live process holds its pid file */
    int64_t pid;        /* 0: none */
    double started;     /* seconds since the epoch, 0: unknown */
    const char *status; /* its status word ("running", ...), or "unknown" */
#if SHOAL_ABI_TARGET_MINOR >= 2
    /* 2.2: not running, and its status word is not the one of a node that
     * ended ("terminated", "stopped"): it was killed or died */
    bool crashed;
#endif
};

/* One node's answer to a control request. */
struct shoal_ctl_reply {
    const struct shoal_node_info *node;
    int status;        /* 0: it answered; -ETIMEDOUT: no reply in time; other negative errno */
    const char *error; /* the node's or the transport's reason when status != 0, else NULL */
    size_t n;          /* key/value pairs of the answer */
    const char *const *keys;
    const char *const *values;
};

/* A program run on a node's host. */
struct shoal_run_result {
    int status; /* exit status; 128 + N when killed by signal N; -errno when it could not run */
    char *out;  /* its standard output, NUL-terminated (free with host->free) */
    char *err;  /* its standard error, likewise */
};

/* Installed paths (see path()). */
enum shoal_cmd_path {
    SHOAL_PATH_PREFIX = 1, /* the installation prefix */
    SHOAL_PATH_ETC,        /* node.cfg, shoal.cfg, networks.cfg */
    SHOAL_PATH_SPOOL,      /* nodes' working directories, the shell's state */
    SHOAL_PATH_LOGS,       /* current logs and the archive */
    SHOAL_PATH_BIN,        /* shoal, shoalctl */
};

struct shoal_table; /* opaque: rows printed as aligned columns */

/* The steps of `install` (see install()), in the order it takes them. */
enum shoal_install_step {
    SHOAL_INSTALL_STAGE = 1, /* all of etc into spool/staged, for check (no node touched) */
    SHOAL_INSTALL_LAYOUT,    /* node.cfg, shoal.cfg into spool/installed; the layout */
    SHOAL_INSTALL_NETWORKS,  /* networks.cfg (checked) into spool/installed */
    SHOAL_INSTALL_KEYS,      /* a key pair per node and the shell's: made once, kept */
    SHOAL_INSTALL_HOSTS,     /* spool/installed onto every host; the nodes' workdirs */
};

#if SHOAL_ABI_TARGET_MINOR >= 2
/* The shell's time-outs, shoal.cfg's control group (see timeout()); 2.2. */
enum shoal_cmd_timeout {
    SHOAL_TIMEOUT_LOCK = 1, /* for another shell's lock */
    SHOAL_TIMEOUT_CONTROL,  /* for a node's answer on its control port */
    SHOAL_TIMEOUT_START,    /* for a started node to say "running" */
    SHOAL_TIMEOUT_STOP,     /* for a stopped node to exit before SIGKILL */
    SHOAL_TIMEOUT_RUN,      /* for a program on a node's host */
};

/* What a node's command line is for (see node_command()); 2.2. */
enum shoal_node_cmd {
    SHOAL_NODE_CMD_START = 1, /* as start runs it: detached (--daemon) */
    SHOAL_NODE_CMD_CHECK,     /* its --check against spool/staged */
    SHOAL_NODE_CMD_PLUGINS,   /* --list-plugins: what it loads, with the installed settings */
};
#endif

/*
 * The host table of command plugins (host->command).  Functions that act
 * return 0 or a negative errno and log why, naming the node or host.
 */
struct shoal_command_host {
    uint32_t size; /* sizeof(struct shoal_command_host) of the core */

    /* Print on the shell's output. */
    void (*out)(struct shoal_self *self, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
    /* A table with these column titles (NULL-terminated, borrowed). */
    struct shoal_table *(*table_new)(struct shoal_self *self, const char *const *titles);
    /* Append a row: one cell per column (copied). */
    int (*table_row)(struct shoal_self *self, struct shoal_table *t, const char *const *cells);
    /* Print the table aligned and free it. */
    void (*table_print)(struct shoal_self *self, struct shoal_table *t);

    /* The installed nodes, in node.cfg's order. */
    size_t (*node_count)(struct shoal_self *self);
    const struct shoal_node_info *(*node)(struct shoal_self *self, size_t i);
    /*
     * The nodes that `<nodes>` arguments name: node names, the groups
     * "manager", "proxies", "workers", "all", or no argument (all), in
     * node.cfg's order without repeats.  *out is a vector of *n pointers
     * (free it with host->free).  -EINVAL for an unknown name (logged).
     */
    int (*select_nodes)(struct shoal_self *self, int argc, char *const *argv,
                        const struct shoal_node_info ***out, size_t *n);
    /* The process of `node` (pid file and status word on its host). */
    int (*node_status)(struct shoal_self *self, const struct shoal_node_info *node,
                       struct shoal_node_status *st);
    /* An installed path; a static string. */
    const char *(*path)(struct shoal_self *self, enum shoal_cmd_path which);

    /*
     * Run argv (no shell: argv[0] a program, every value passed as it is)
     * on `host`: directly on localhost, over ssh elsewhere.  `input` is
     * fed to its standard input (NULL: none); it is killed after `timeout`
     * seconds (<= 0: no limit).  Fills *res (free its buffers).
     */
    int (*run)(struct shoal_self *self, const char *host, const char *const *argv,
               const char *input, double timeout, struct shoal_run_result *res);
    /*
     * Ask n nodes at once over their control ports (argv: "status",
     * "counters", "peers", "print" ID, "stop", ...), waiting at most
     * `timeout` seconds in all.  *out receives n replies in the order of
     * `nodes` (free with control_free); a node that does not answer gets
     * status -ETIMEDOUT and the others still answer.
     */
    int (*control)(struct shoal_self *self, const struct shoal_node_info *const *nodes, size_t n,
                   const char *const *argv, double timeout, struct shoal_ctl_reply **out);
    void (*control_free)(struct shoal_self *self, struct shoal_ctl_reply *replies, size_t n);

    /* Run another command as if typed (deploy runs check, install,
     * restart).  Returns its result. */
    int (*run_command)(struct shoal_self *self, int argc, char *const *argv);

    /* The shell's state kept across runs (e.g. "cron.enabled"): the value
     * of `key` (a static string until the next state call), or NULL. */
    const char *(*state_get)(struct shoal_self *self, const char *key);
    int (*state_set)(struct shoal_self *self, const char *key, const char *value);

#if SHOAL_ABI_TARGET_MINOR >= 2
    /* ---- 2.2: installing, and the nodes' processes (check with SHOAL_HAS) ---- */

    /* One step of install (see enum shoal_install_step); after
     * SHOAL_INSTALL_LAYOUT the nodes are the installed node.cfg's. */
    int (*install)(struct shoal_self *self, enum shoal_install_step step, char *err, size_t errlen);
    /* Start an installed node and wait until it says "running" (the
     * start time-out of shoal.cfg's control group); err has the node's
     * last stderr lines when it died. */
    int (*node_start)(struct shoal_self *self, const struct shoal_node_info *node, char *err,
                      size_t errlen);
    /* Stop a node: its control `stop`, SIGTERM, SIGKILL after the stop
     * time-out.  0 also when it was not running. */
    int (*node_stop)(struct shoal_self *self, const struct shoal_node_info *node, char *err,
                     size_t errlen);
    /* The node's command line, as start runs it (check: its --check form
     * against spool/staged).  *argv: NULL-terminated, free it with
     * host->free. */
    int (*node_argv)(struct shoal_self *self, const struct shoal_node_info *node, bool check,
                     char ***argv);
    /* Every command the shell has (up to max of them into out, sorted by
     * name); returns how many there are. */
    size_t (*commands)(struct shoal_self *self, const struct shoal_command_ops **out, size_t max);
    /* The shell's version ("0.1.0"). */
    const char *(*version)(struct shoal_self *self);
    /* Every setting the shell runs with -- its folders, its time-outs,
     * what it knows of the installation -- as fn(arg, key, value), in a
     * stable order. */
    void (*settings)(struct shoal_self *self,
                     void (*fn)(void *arg, const char *key, const char *value), void *arg);

    /* One of the shell's time-outs (shoal.cfg's control group), seconds. */
    double (*timeout)(struct shoal_self *self, enum shoal_cmd_timeout which);
    /* The node's command line for `what` (node_argv is START or CHECK).
     * *argv: NULL-terminated, free it with host->free. */
    int (*node_command)(struct shoal_self *self, const struct shoal_node_info *node,
                        enum shoal_node_cmd what, char ***argv);
    /*
     * The hosts of n nodes: group[i] receives the index of node i's host
     * among the distinct hosts, numbered 0, 1, ... in the order their first
     * node comes ("localhost", 127.0.0.1 and this host's name are one
     * host).  Returns the number of distinct hosts.
     */
    size_t (*node_hosts)(struct shoal_self *self, const struct shoal_node_info *const *nodes,
                         size_t n, size_t *group);
    /*
     * control, for the nodes that run: one that does not is not asked (no
     * time-out spent on it) and gets status -ESRCH, error "not running";
     * one whose state cannot be read gets that reason.
     */
    int (*control_running)(struct shoal_self *self, const struct shoal_node_info *const *nodes,
                           size_t n, const char *const *argv, double timeout,
                           struct shoal_ctl_reply **out);
    /*
     * The last `lines` lines of file `name` of the node's working
     * directory, read on its host, into *text (free with host->free).
     * 0; -ENOENT when there is no such file; another negative errno when
     * the host could not be asked (*text then says why, or is NULL).
     */
    int (*node_tail)(struct shoal_self *self, const struct shoal_node_info *node, const char *name,
                     unsigned lines, char **text);
    /* Forget what the shell keeps for itself beside the nodes' state: the
     * staged files of check (spool/staged) and the ssh master connections
     * with their sockets.  0, or a negative errno with err set. */
    int (*clean_shell)(struct shoal_self *self, char *err, size_t errlen);
    /* Print each line of `text` (a program's output; NULL: nothing) after
     * `prefix` and a blank, a last line without its newline too. */
    void (*out_lines)(struct shoal_self *self, const char *prefix, const char *text);
    /*
     * A cluster of the command's own on this host (process runs a trace
     * through one): the layout of a manager ("manager"), `proxies` proxies
     * ("proxy-1" ...) and `workers` workers ("worker-1" ...) on localhost,
     * written to <dir>/layout.cfg (dir must exist), their working folders
     * under <dir>/spool and fresh keys under <dir>/keys, TCP ports numbered
     * from base_port (the manager's 3, each proxy's 3, each worker's 1),
     * ipc between the nodes when <dir> is short enough for socket paths.
     * The installation is not touched; removing <dir> removes it all.
     */
    int (*local_cluster)(struct shoal_self *self, const char *dir, unsigned proxies,
                         unsigned workers, uint16_t base_port, char *err, size_t errlen);
#endif
#if SHOAL_ABI_TARGET_MINOR >= 3
    /* ---- since 2.3 (check with SHOAL_HAS) ---- */

    /* A number of shoal.cfg's control group the shell runs with, by key
     * ("rotate_interval", "log_expire_days", "min_disk_percent", or a
     * time-out such as "stop"); NaN for a key it does not have. */
    double (*control_setting)(struct shoal_self *self, const char *key);
#endif
};

/* Does the node see packets (a worker, or a standalone node)? */
static inline bool shoal_node_captures(const struct shoal_node_info *n)
{
    return strcmp(n->type, "worker") == 0 || strcmp(n->type, "standalone") == 0;
}

/* Keep, in order and in place, those of the n nodes of v that see
 * packets; returns how many. */
static inline size_t shoal_nodes_keep_capturing(const struct shoal_node_info **v, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (shoal_node_captures(v[i])) {
            v[k++] = v[i];
        }
    }
    return k;
}

/* A size of `kib` KiB, as people read it: "512K", "98M", "1.5G", "2.0T". */
static inline void shoal_cmd_size(char *buf, size_t len, uint64_t kib)
{
    static const char units[] = "KMGTP";
    double v = (double)kib;
    size_t u = 0;

    while (v >= 1024 && u + 1 < sizeof(units) - 1) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, v < 10 && u > 0 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

/* The value of item `key` of a control reply, or NULL. */
static inline const char *shoal_ctl_reply_get(const struct shoal_ctl_reply *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->keys[i], key) == 0) {
            return r->values[i];
        }
    }
    return NULL;
}

/* The counter `key` of a control reply into *v; false when the reply has
 * no such item or it is not a number. */
static inline bool shoal_ctl_reply_u64(const struct shoal_ctl_reply *r, const char *key,
                                       uint64_t *v)
{
    const char *s = shoal_ctl_reply_get(r, key);
    char *end;

    if (s == NULL || *s < '0' || *s > '9') {
        return false;
    }
    *v = strtoull(s, &end, 10);
    return *end == '\0';
}

/* Why a node's reply is not an answer: its error, else its status. */
static inline const char *shoal_ctl_reply_why(const struct shoal_ctl_reply *r)
{
    return r->error != NULL ? r->error : r->status != 0 ? strerror(-r->status) : "no error";
}

/*
 * What most commands keep: the host table and their handle.  A command
 * without state of its own uses these as its init and fini; init refuses
 * to run outside the shell (no command table).
 */
struct shoal_command_base {
    const struct shoal_host *host;
    struct shoal_self *self;
};

static inline int shoal_command_base_init(const struct shoal_host *host, struct shoal_self *self,
                                          const void *config, void **state)
{
    struct shoal_command_base *b;

    (void)config;
    if (host->command == NULL) {
        host->logf(self, SHOAL_LOG_ERROR, "a command runs in shoalctl only");
        return -95; /* -EOPNOTSUPP */
    }
    b = (struct shoal_command_base *)host->alloc(self, sizeof(*b));
    if (b == NULL) {
        return -12; /* -ENOMEM */
    }
    b->host = host;
    b->self = self;
    *state = b;
    return 0;
}

static inline void shoal_command_base_fini(void *state)
{
    struct shoal_command_base *b = (struct shoal_command_base *)state;

    if (b != NULL) {
        b->host->free(b->self, b);
    }
}

#ifdef __cplusplus
}
#endif

#endif
