/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster side of the shoal command line (see cluster_cli.h).
 */
#include "bin/cluster_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/worker.h"
#include "config/config.h"
#include "cluster/control.h"
#include "lib/fsutil.h"
#include "cluster/keys.h"
#include "cluster/layout.h"
#include "node/manager.h"
#include "node/node.h"
#include "node/nodestate.h"

/* `path` made absolute against the current directory, in buf. */
static const char *cluster_abs(const char *path, char *buf, size_t len)
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

int shoal_cluster_gen_layout(const struct shoal_cluster_gen_args *a)
{
    struct shoal_layout_spec_node nodes[SHOAL_CLUSTER_MAX_WORKERS + SHOAL_CLUSTER_MAX_PROXIES + 1];
    size_t n = 1;
    struct shoal_layout_spec spec;
    struct shoal_layout *l = NULL;
    char spool[PATH_MAX], keys[PATH_MAX];
    char err[512] = "";
    int rc;

    if (a->workdir_base == NULL || a->keys_dir == NULL || a->manager == NULL || a->n_workers == 0) {
        fprintf(stderr, "shoal: --gen-layout needs --workdir-base, --keys, --manager and at "
                        "least one --worker\n");
        return 2;
    }
    memset(nodes, 0, sizeof(nodes));
    memset(&spec, 0, sizeof(spec));
    nodes[0].name = a->manager;
    nodes[0].role = SHOAL_ROLE_MANAGER;
    for (size_t i = 0; i < a->n_proxies; i++, n++) {
        nodes[n].name = a->proxies[i];
        nodes[n].role = SHOAL_ROLE_PROXY;
    }
    for (size_t i = 0; i < a->n_workers; i++, n++) {
        nodes[n].name = a->workers[i];
        nodes[n].role = SHOAL_ROLE_WORKER;
    }
    spec.base_port = (uint16_t)a->base_port;
    spec.spool_dir = cluster_abs(a->workdir_base, spool, sizeof(spool));
    spec.keys_dir = cluster_abs(a->keys_dir, keys, sizeof(keys));
    if (spec.spool_dir == NULL || spec.keys_dir == NULL) {
        fprintf(stderr, "shoal: --workdir-base or --keys: path too long\n");
        return 2;
    }
    spec.nodes = nodes;
    spec.n_nodes = n;
    rc = shoal_layout_generate(&spec, &l, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    rc = shoal_layout_write(l, a->out);
    if (rc < 0) {
        fprintf(stderr, "shoal: cannot write the layout %s: %s\n", a->out, strerror(-rc));
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

/* Point fd at `path` (created or truncated), for the daemon's output.
 * 0 or a negative errno. */
static int cluster_redirect(int fd, const char *path, int flags)
{
    int f = open(path, flags | O_CLOEXEC, 0644);

    if (f < 0) {
        return -errno;
    }
    if (f != fd && (dup2(f, fd) < 0 || close(f) < 0)) {
        return -errno;
    }
    return 0;
}

/*
 * --daemon: fork.  The child detaches (a new session; standard input from
 * /dev/null; standard output and error appended to stdout.log and
 * stderr.log of the workdir) and returns -1 with *ready the pipe to report on: one byte
 * once it holds its pid file.  The parent waits for that byte and returns
 * 0, or, when the child dies first, its exit status after pointing at its
 * stderr.log.
 */
static int cluster_daemonize(const struct shoal_layout_node *n, int *ready)
{
    char out[PATH_MAX], err[PATH_MAX];
    int p[2];
    char byte;
    pid_t pid;
    int wstatus;

    snprintf(out, sizeof(out), "%s/stdout.log", n->workdir);
    snprintf(err, sizeof(err), "%s/stderr.log", n->workdir);
    fflush(NULL);
    if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
        fprintf(stderr, "shoal: %s: cannot start in the background: %s\n", n->name,
                strerror(errno));
        return 1;
    }
    if (pid == 0) {
        close(p[0]);
        setsid();
        if (cluster_redirect(0, "/dev/null", O_RDONLY) < 0 ||
            cluster_redirect(1, out, O_WRONLY | O_CREAT | O_APPEND) < 0 ||
            cluster_redirect(2, err, O_WRONLY | O_CREAT | O_APPEND) < 0) {
            _exit(1);
        }
        /* Appended, not truncated: a second start of a running node must
         * not wipe the first one's output. */
        fprintf(stderr, "shoal: %s: starting as pid %ld at %ld\n", n->name, (long)getpid(),
                (long)time(NULL));
        *ready = p[1];
        return -1;
    }
    close(p[1]);
    if (read(p[0], &byte, 1) == 1) {
        close(p[0]);
        return 0;
    }
    close(p[0]);
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    fprintf(stderr, "shoal: %s: did not start, see %s\n", n->name, err);
    return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0 ? WEXITSTATUS(wstatus) : 1;
}

/* Load the layout a->layout, find node a->node in it, create its workdir,
 * detach with --daemon, and (but for a standalone node) open its pid and
 * status files.  Returns 0 (in the daemon: the node runs on), -1 in the
 * parent of a daemon that started (exit 0), or the exit status after
 * printing why. */
static int cluster_node_open(const struct shoal_cluster_node_args *a, struct shoal_layout **l,
                             const struct shoal_layout_node **self, struct shoal_nodestate **state)
{
    int ready = -1;
    const struct shoal_layout_node *n;
    char err[512] = "";
    int rc;

    rc = shoal_layout_load(a->layout, l, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    n = shoal_layout_find(*l, a->node);
    if (n == NULL) {
        fprintf(stderr, "shoal: %s: no node named '%s'\n", a->layout, a->node);
        return 2;
    }
    rc = shoal_mkdirs(n->workdir, 0700, NULL, 0);
    if (rc < 0) {
        fprintf(stderr, "shoal: %s: cannot create the workdir %s: %s\n", n->name, n->workdir,
                strerror(-rc));
        return 2;
    }
    if (a->daemon) {
        int parent = cluster_daemonize(n, &ready);
        if (parent >= 0) {
            return parent == 0 ? -1 : parent;
        }
    }
    if (n->role != SHOAL_ROLE_STANDALONE && shoal_nodestate_open(n->name, n->workdir, state) < 0) {
        return 1;
    }
    if (ready >= 0) {
        (void)!write(ready, "", 1);
        close(ready);
    }
    *self = n;
    return 0;
}

/* The manager: receives the logs and notices and writes them; it sees no
 * packets.  Returns the exit status. */
static int cluster_run_manager(const struct shoal_layout *l, const struct shoal_layout_node *self,
                               const struct shoal_node_opts *o, struct shoal_nodestate *state)
{
    struct shoal_manager_opts mo = {
        .config_file = o->config_file,
        .log_dir = o->log_dir,
        .log_fmt = o->json ? SHOAL_LOGFMT_JSON : SHOAL_LOGFMT_TSV,
        .quiet = o->quiet,
        .state = state,
    };

    if (o->read_file != NULL || o->iface != NULL) {
        fprintf(stderr, "shoal: %s: the manager sees no packets (no -r or -i)\n", self->name);
        return 2;
    }
    return shoal_manager_run(l, self, &mo);
}

/* A proxy: holds shared state for the workers and sees no packets; what it
 * logs goes to its workdir unless -l says otherwise.  Returns the exit
 * status. */
static int cluster_run_proxy(const struct shoal_layout *l, const struct shoal_layout_node *self,
                             struct shoal_node_opts *o, const struct shoal_worker_link_opts *wo,
                             struct shoal_nodestate *state)
{
    if (o->read_file != NULL || o->iface != NULL) {
        fprintf(stderr, "shoal: %s: a proxy sees no packets (no -r or -i)\n", self->name);
        return 2;
    }
    if (o->log_dir == NULL) {
        o->log_dir = self->workdir;
    }
    return shoal_worker_run(l, self, o, wo, state);
}

static bool cluster_same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A worker whose entry names a frontend (lb_method) shares its input with
 * every worker of the layout on the same host and interface with the same
 * frontend: it is the i-th of those n, in layout order (what every one of
 * them derives alike from the same file). */
static void cluster_share(const struct shoal_layout *l, const struct shoal_layout_node *self,
                          struct shoal_node_opts *o)
{
    uint32_t i = 0, n = 0;

    if (self->lb_method == NULL) {
        return;
    }
    if (o->frontend == NULL) {
        o->frontend = self->lb_method;
    }
    for (size_t k = 0; k < l->n_nodes; k++) {
        const struct shoal_layout_node *w = &l->nodes[k];
        if (w->role == self->role && cluster_same(w->host, self->host) &&
            cluster_same(w->interface, self->interface) &&
            cluster_same(w->lb_method, self->lb_method)) {
            i = w == self ? n : i;
            n++;
        }
    }
    if (o->nworkers == 0) {
        o->worker = i;
        o->nworkers = n;
    }
}

/* A worker, or the standalone node of a one-node layout: the layout fills
 * in what the command line leaves out (interface, filter, log directory).
 * Returns the exit status. */
static int cluster_run_capture(const struct shoal_cluster_node_args *a,
                               const struct shoal_layout *l, const struct shoal_layout_node *self,
                               struct shoal_node_opts *o, const struct shoal_worker_link_opts *wo,
                               struct shoal_nodestate *state)
{
    if (o->read_file == NULL && o->iface == NULL) {
        o->iface = self->interface;
    }
    if (o->read_file == NULL && o->iface == NULL) {
        fprintf(stderr, "shoal: %s: no interface in %s: give -r FILE or -i IFACE\n", self->name,
                a->layout);
        return 2;
    }
    if (o->filter == NULL) {
        o->filter = self->filter;
    }
    if (o->log_dir == NULL) {
        o->log_dir = self->workdir;
    }
    cluster_share(l, self, o);
    return self->role == SHOAL_ROLE_WORKER ? shoal_worker_run(l, self, o, wo, state)
                                           : shoal_node_run(o);
}

/* --check with --node: everything the node would read before it binds a
 * socket or writes a file -- the layout and its own entry in it, its key
 * pair and the cluster's allowed keys, shoal.cfg, and (but on the
 * manager, which loads none) its plugins with their settings.  Returns the
 * exit status: 0 when all is well, 2 otherwise (said why). */
/* The layout a->layout and node a->node in it, without opening anything
 * of the node's.  0, or after saying why, 2 (*l then NULL). */
static int cluster_find_node(const struct shoal_cluster_node_args *a, struct shoal_layout **l,
                             const struct shoal_layout_node **self)
{
    char err[512] = "";

    if (shoal_layout_load(a->layout, l, err, sizeof(err)) < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    *self = shoal_layout_find(*l, a->node);
    if (*self == NULL) {
        fprintf(stderr, "shoal: %s: no node named '%s'\n", a->layout, a->node);
        shoal_layout_free(*l);
        *l = NULL;
        return 2;
    }
    return 0;
}

/* --list-plugins with --node: the plugins this node loads -- none on the
 * manager, analyzers and policies on a proxy, and the frontends too on a
 * worker or a standalone node -- each with its settings as shoal.cfg (-c)
 * gives them.  Returns the exit status. */
static int cluster_list_node_plugins(const struct shoal_cluster_node_args *a,
                                     struct shoal_node_opts *o)
{
    struct shoal_layout *l = NULL;
    const struct shoal_layout_node *self;
    int status = cluster_find_node(a, &l, &self);

    if (status != 0) {
        return status;
    }
    if (self->role == SHOAL_ROLE_MANAGER) {
        printf("%s loads no plugins: the manager writes the logs and sees no packets\n",
               self->name);
    } else {
        o->name = self->name;
        o->no_source = self->role == SHOAL_ROLE_PROXY;
        o->list_loaded = true;
        status = shoal_node_run(o) == 0 ? 0 : 2;
    }
    shoal_layout_free(l);
    return status;
}

static int cluster_check_node(const struct shoal_cluster_node_args *a, struct shoal_node_opts *o)
{
    struct shoal_layout *l = NULL;
    const struct shoal_layout_node *self;
    struct shoal_keys_allowed *allowed = NULL;
    struct shoal_keypair kp;
    char err[512] = "";
    int status = cluster_find_node(a, &l, &self);

    if (status != 0) {
        return status;
    }
    status = 2;
    if (self->role != SHOAL_ROLE_STANDALONE) {
        if (shoal_keys_load(self->secret_key, &kp, err, sizeof(err)) < 0 ||
            shoal_keys_allowed_load(l->allowed_keys, &allowed, err, sizeof(err)) < 0) {
            fprintf(stderr, "shoal: %s: %s\n", self->name, err);
            goto out_layout;
        }
        shoal_keys_wipe(&kp);
        shoal_keys_allowed_free(allowed);
    }
    o->name = self->name;
    o->no_source = self->role == SHOAL_ROLE_PROXY;
    if (self->role != SHOAL_ROLE_MANAGER) {
        status = shoal_node_run(o) == 0 ? 0 : 2;
    } else {
        struct shoal_config cfg;
        if (o->config_file != NULL &&
            shoal_config_load(&cfg, o->config_file, err, sizeof(err)) < 0) {
            fprintf(stderr, "shoal: %s\n", err);
        } else {
            if (o->config_file != NULL) {
                shoal_config_free(&cfg);
            }
            printf("%s: configuration ok\n", self->name);
            status = 0;
        }
    }
out_layout:
    shoal_layout_free(l);
    return status;
}

/* --node-status: the lifecycle files of node a->node, on this host, as
 * "key=value" lines (status, pid, started); --node-clear: mark the node,
 * dead, terminated.  Returns the exit status. */
static int cluster_node_status(const struct shoal_cluster_node_args *a)
{
    struct shoal_nodestate_info info;
    struct shoal_layout *l = NULL;
    const struct shoal_layout_node *n;
    char err[512] = "";

    if (shoal_layout_load(a->layout, &l, err, sizeof(err)) < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    n = shoal_layout_find(l, a->node);
    if (n == NULL) {
        fprintf(stderr, "shoal: %s: no node named '%s'\n", a->layout, a->node);
        shoal_layout_free(l);
        return 2;
    }
    if (a->clear_only) {
        int rc = shoal_nodestate_clear(n->workdir);
        if (rc < 0) {
            fprintf(stderr, "shoal: %s: cannot mark it terminated: %s\n", n->name,
                    rc == -EBUSY ? "it is running" : strerror(-rc));
        }
        shoal_layout_free(l);
        return rc < 0 ? 1 : 0;
    }
    shoal_nodestate_read(n->workdir, &info);
    printf("running=%s\npid=%ld\nstarted=%.6f\nstatus=%s\n", info.running ? "yes" : "no",
           (long)info.pid, info.started, info.status[0] != '\0' ? info.status : "unknown");
    shoal_layout_free(l);
    return 0;
}

/* --env and --pin-cpu, before anything else runs.  0, or the exit status. */
static int cluster_node_process(const struct shoal_cluster_node_args *a)
{
    for (size_t i = 0; i < a->n_env; i++) {
        const char *eq = strchr(a->env[i], '=');
        char name[256];

        if (eq == NULL || eq == a->env[i] || (size_t)(eq - a->env[i]) >= sizeof(name)) {
            fprintf(stderr, "shoal: --env: want NAME=VALUE, got '%s'\n", a->env[i]);
            return 2;
        }
        memcpy(name, a->env[i], (size_t)(eq - a->env[i]));
        name[eq - a->env[i]] = '\0';
        setenv(name, eq + 1, 1);
    }
    if (a->pin_cpu != (unsigned long)-1) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(a->pin_cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set) < 0) {
            fprintf(stderr, "shoal: %s: cannot run on CPU %lu: %s\n", a->node, a->pin_cpu,
                    strerror(errno));
            return 2;
        }
    }
    return 0;
}

int shoal_cluster_run_node(const struct shoal_cluster_node_args *a, struct shoal_node_opts *o)
{
    const struct shoal_worker_link_opts wo = {
        .ack_timeout = a->ack_timeout,
        .batch_records = a->batch_records,
    };
    struct shoal_layout *l = NULL;
    const struct shoal_layout_node *self = NULL;
    struct shoal_nodestate *state = NULL;
    int status;

    if (a->status_only || a->clear_only) {
        return cluster_node_status(a);
    }
    status = cluster_node_process(a);
    if (status != 0) {
        return status;
    }
    if (o->check_only) {
        return cluster_check_node(a, o);
    }
    if (o->list_plugins) {
        return cluster_list_node_plugins(a, o);
    }
    status = cluster_node_open(a, &l, &self, &state);
    if (status != 0) {
        status = status < 0 ? 0 : status; /* the parent of a started daemon */
        goto out_close;
    }
    switch (self->role) {
    case SHOAL_ROLE_MANAGER:
        status = cluster_run_manager(l, self, o, state);
        break;
    case SHOAL_ROLE_PROXY:
        status = cluster_run_proxy(l, self, o, &wo, state);
        break;
    case SHOAL_ROLE_WORKER:
    case SHOAL_ROLE_STANDALONE:
        status = cluster_run_capture(a, l, self, o, &wo, state);
        break;
    default:
        fprintf(stderr, "shoal: %s: role %s is not implemented yet\n", self->name,
                shoal_layout_role_name(self->role));
        status = 2;
        break;
    }
out_close:
    shoal_nodestate_close(state);
    shoal_layout_free(l);
    return status;
}

/* ---- control client ---- */

/* "host:port" of a node's control port. */
static void cluster_ctl_addr(const struct shoal_layout_node *n, char *buf, size_t len)
{
    bool v6 = strchr(n->host, ':') != NULL;

    snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", n->host, n->ports[SHOAL_CHANNEL_CONTROL]);
}

/* Print one node's outcome; true if it answered without error. */
static bool cluster_ctl_print(const struct shoal_control_result *r)
{
    char addr[320];
    const struct shoal_wire_ctl_reply *rep = &r->msg.rep;
    size_t w = 0;

    cluster_ctl_addr(r->node, addr, sizeof(addr));
    if (r->rc < 0) {
        printf("node %s (%s): %s\n", r->node->name, addr, r->error);
        return false;
    }
    if (rep->status != 0) {
        const char *why = shoal_control_reply_get(rep, "error");
        printf("node %s (%s): error: %s\n", r->node->name, addr, why ? why : "(no reason given)");
        return false;
    }
    printf("node %s (%s): ok\n", r->node->name, addr);
    for (size_t i = 0; i < rep->n_items; i++) {
        size_t k = strlen(rep->items[i].key);
        w = k > w ? k : w;
    }
    for (size_t i = 0; i < rep->n_items; i++) {
        printf("  %-*s  %s\n", (int)w, rep->items[i].key, rep->items[i].value.p);
    }
    return true;
}

static double cluster_ctl_now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* After `stop`, wait up to `timeout` until the stopped nodes are gone: on
 * this host, until their pid file is released; elsewhere, until they no
 * longer answer. */
static void cluster_ctl_wait_gone(struct shoal_control_client *cl,
                                  const struct shoal_layout_node *const *nodes, size_t n,
                                  const struct shoal_control_result *res, double timeout)
{
    double deadline = cluster_ctl_now() + timeout;
    struct shoal_control_result probe;

    for (size_t i = 0; i < n; i++) {
        if (res[i].rc < 0 || res[i].msg.rep.status != 0) {
            continue; /* not stopped by us */
        }
        while (cluster_ctl_now() < deadline) {
            if (shoal_layout_same_host(nodes[i]->host, "localhost")) {
                if (!shoal_nodestate_running(nodes[i]->workdir, NULL)) {
                    break;
                }
                usleep(50000);
                continue;
            }
            if (shoal_control_request(cl, &nodes[i], 1, "status", NULL, 0, 0.5, &probe) < 1) {
                shoal_control_results_release(&probe, 1);
                break;
            }
            shoal_control_results_release(&probe, 1);
            usleep(200000);
        }
    }
}

/* `stop` to several nodes: the others first, the manager once they are
 * gone.  res[i] is nodes[i]'s outcome.  Returns as shoal_control_request. */
static int cluster_ctl_stop_all(struct shoal_control_client *cl,
                                const struct shoal_layout_node **nodes, size_t n,
                                const struct shoal_cluster_control_args *a, double timeout,
                                struct shoal_control_result *res)
{
    const struct shoal_layout_node **first = calloc(n, sizeof(*first));
    struct shoal_control_result *fres = calloc(n, sizeof(*fres));
    const struct shoal_layout_node *mgr = NULL;
    struct shoal_control_result mres;
    const char *const *args = (const char *const *)a->argv + 1;
    size_t n_args = (size_t)a->argc - 1;
    size_t k = 0;
    int rc = -ENOMEM, rc2 = 0;

    if (first == NULL || fres == NULL) {
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        if (nodes[i]->role == SHOAL_ROLE_MANAGER) {
            mgr = nodes[i];
        } else {
            first[k++] = nodes[i];
        }
    }
    rc = shoal_control_request(cl, first, k, "stop", args, n_args, timeout, fres);
    if (rc < 0) {
        goto out_free;
    }
    if (mgr != NULL) {
        cluster_ctl_wait_gone(cl, first, k, fres, timeout);
        rc2 = shoal_control_request(cl, &mgr, 1, "stop", args, n_args, timeout, &mres);
        if (rc2 < 0) {
            shoal_control_results_release(fres, k);
            rc = rc2;
            goto out_free;
        }
        rc += rc2;
    }
    for (size_t i = 0, j = 0; i < n; i++) {
        res[i] = nodes[i] == mgr ? mres : fres[j++];
    }
out_free:
    free(first);
    free(fres);
    return rc;
}

int shoal_cluster_control(const struct shoal_cluster_control_args *a)
{
    const struct shoal_layout_node **nodes = NULL;
    struct shoal_control_result *res = NULL;
    struct shoal_control_client *cl = NULL;
    struct shoal_layout *l = NULL;
    double timeout = a->timeout > 0 ? a->timeout : SHOAL_CONTROL_TIMEOUT;
    const char *cmd;
    char err[512] = "";
    size_t n = 0;
    int status = 2;
    int rc;

    if (a->layout == NULL || a->argc < 1) {
        fprintf(stderr, "shoal: --control NODE|all needs --layout FILE and a command "
                        "(status, counters, peers, print ID, stop)\n");
        return 2;
    }
    cmd = a->argv[0];
    rc = shoal_layout_load(a->layout, &l, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        return 2;
    }
    nodes = calloc(l->n_nodes ? l->n_nodes : 1, sizeof(*nodes));
    res = calloc(l->n_nodes ? l->n_nodes : 1, sizeof(*res));
    if (nodes == NULL || res == NULL) {
        fprintf(stderr, "shoal: out of memory\n");
        status = 1;
        goto out_free;
    }
    for (size_t i = 0; i < l->n_nodes; i++) {
        if (strcmp(a->target, "all") == 0 || strcmp(a->target, l->nodes[i].name) == 0) {
            nodes[n++] = &l->nodes[i];
        }
    }
    if (n == 0) {
        fprintf(stderr, "shoal: %s: no node named '%s'\n", a->layout, a->target);
        goto out_free;
    }
    rc = shoal_control_client_open(l, a->key, &cl, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "shoal: %s\n", err);
        status = 1;
        goto out_free;
    }
    if (strcmp(cmd, "stop") == 0 && n > 1) {
        rc = cluster_ctl_stop_all(cl, nodes, n, a, timeout, res);
    } else {
        rc = shoal_control_request(cl, nodes, n, cmd, (const char *const *)a->argv + 1,
                                   (size_t)a->argc - 1, timeout, res);
    }
    if (rc < 0) {
        fprintf(stderr, "shoal: cannot send '%s': %s\n", cmd, strerror(-rc));
        goto out_close;
    }
    status = 0;
    for (size_t i = 0; i < n; i++) {
        if (!cluster_ctl_print(&res[i])) {
            status = 1;
        }
    }
    shoal_control_results_release(res, n);
out_close:
    shoal_control_client_close(cl);
out_free:
    free(res);
    free(nodes);
    shoal_layout_free(l);
    return status;
}
