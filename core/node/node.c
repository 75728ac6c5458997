/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet pipeline (see node.h), as a sequence of steps in the order
 * the plugin ABI needs: settings; the core's tables; the plugins (init);
 * attaching analyzers and policies, notices and the cluster role's hooks;
 * the packet source, opened through the frontend plugin shoal.cfg names;
 * the packet loop, with a progress line on a terminal; a summary; and an
 * orderly shutdown that flushes every connection and log on end of input
 * or on a signal.
 */
#include "node/node.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "config/networks.h"
#include "engine/analyzer.h"
#include "engine/conn.h"
#include "engine/decode.h"
#include "framework/log.h"
#include "framework/notice.h"
#include "framework/stats.h"
#include "node/privileges.h"
#include "framework/sumstat.h"
#include "lib/diag.h"
#include "lib/timers.h"
#include "plugin/host.h"
#include "plugin/loader.h"

/* Frames asked of the source per round, between polls of the hooks. */
#define NODE_BATCH 4096
/* Longest wait for a quiet live link, so hooks and timers run. */
#define NODE_WAIT_MS 100

/* The kinds of plugin a node with packets uses; a proxy needs no frontend,
 * a dispatcher nothing but its frontend. */
#define NODE_KINDS (SHOAL_KINDS(ANALYZER) | SHOAL_KINDS(POLICY) | SHOAL_KINDS(FRONTEND))
#define PROXY_KINDS (SHOAL_KINDS(ANALYZER) | SHOAL_KINDS(POLICY))
#define DISPATCHER_KINDS SHOAL_KINDS(FRONTEND)

static volatile sig_atomic_t node_stop;

struct node_run {
    const struct shoal_node_opts *o;
    const char *name; /* for messages: the node's, or its input's */
    struct shoal_config cfg;
    struct shoal_timers *timers;
    struct shoal_host_env host;
    struct shoal_registry *reg;
    struct shoal_analyzers an;
    bool an_ok;
    struct shoal_ctx *ctx;
    struct shoal_sumstats *sumstats;
    struct shoal_notices *notices;
    struct shoal_node_env env;
    /* the packet source */
    const struct shoal_frontend_ops *fe;
    void *src;
    struct shoal_decoder *dec;
    uint64_t frames;
    uint64_t wire_bytes;
    double last_expire;
    struct shoal_statslog *statslog; /* NULL: stats.log and capture_loss.log off */
};

static void node_on_signal(int sig)
{
    (void)sig;
    node_stop = 1;
}

static double node_wall(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- settings ---- */

/* shoal.cfg (or the defaults) with the command line's overrides.  Returns 0
 * or the exit status. */
/* The command line's overrides of cfg: 0, or -ENOMEM. */
static int node_overrides(const struct shoal_node_opts *o, struct shoal_config *cfg)
{
    if (o->log_dir != NULL) {
        char *d = strdup(o->log_dir);
        if (d == NULL) {
            return -ENOMEM;
        }
        free(cfg->log_dir);
        cfg->log_dir = d;
    }
    if (o->json) {
        cfg->log_format = SHOAL_LOGFMT_JSON;
    }
    if (o->ignore_checksums) {
        cfg->ignore_checksums = true;
    }
    return 0;
}

static int node_settings(struct node_run *r)
{
    const struct shoal_node_opts *o = r->o;
    char err[512];
    struct stat st;

    if (o->config_file != NULL) {
        if (shoal_config_load(&r->cfg, o->config_file, err, sizeof(err)) < 0) {
            shoal_err(NULL, "%s", err);
            return 2; /* cfg holds the defaults */
        }
    } else if (shoal_config_defaults(&r->cfg) < 0) {
        shoal_err(NULL, "out of memory");
        return 1;
    }
    if (node_overrides(o, &r->cfg) < 0) {
        return 1;
    }
    if (o->networks_file != NULL) {
        struct shoal_networks *nets;
        if (shoal_networks_load(o->networks_file, &nets, err, sizeof(err)) < 0) {
            shoal_err(NULL, "%s", err);
            return 2;
        }
        int rc = shoal_networks_apply(nets, &r->cfg);
        shoal_networks_free(nets);
        if (rc < 0) {
            return 1;
        }
    }
    if (!o->list_plugins && !o->check_only &&
        (stat(r->cfg.log_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        shoal_err(NULL, "log directory %s: %s", r->cfg.log_dir,
                  errno ? strerror(errno) : "not a directory");
        return 2;
    }
    return 0;
}

/* ---- the core's tables and the plugins ---- */

static int node_core(struct node_run *r)
{
    r->ctx = shoal_ctx_new(&r->cfg);
    r->sumstats = shoal_sumstats_new(r->cfg.cluster_sumstat_max_keys);
    r->timers = shoal_timers_new();
    if (r->ctx == NULL || r->sumstats == NULL || r->timers == NULL) {
        shoal_err(r->name, "out of memory");
        return 1;
    }
    r->host.node_name = r->name;
    r->host.timers = r->timers;
    r->host.ctx = r->ctx;
    r->host.sumstats = r->sumstats;
    shoal_host_env_init(&r->host, NULL);
    return 0;
}

/* --list-plugins: every kind, as found, without init. */
static int node_list_plugins(void)
{
    struct shoal_registry *reg = shoal_registry_new(SHOAL_KINDS_ALL);

    if (reg == NULL) {
        return 1;
    }
    shoal_registry_scan_default(reg);
    shoal_registry_print(reg, stdout);
    if (shoal_registry_count(reg) == 0) {
        fprintf(stderr, "shoal: no plugins found in:\n");
        shoal_registry_print_path(reg, stderr);
    }
    shoal_registry_free(reg);
    return 0;
}

/* Load and init the plugins the node uses.  Returns 0 or the exit status. */
static int node_plugins(struct node_run *r)
{
    char err[512] = "";

    r->reg = shoal_registry_new(r->o->no_source    ? PROXY_KINDS
                                : r->o->dispatcher ? DISPATCHER_KINDS
                                                   : NODE_KINDS);
    if (r->reg == NULL) {
        return 1;
    }
    shoal_registry_scan_default(r->reg);
    if (shoal_registry_init_all(r->reg, &r->host, &r->cfg, err, sizeof(err)) < 0) {
        shoal_err(NULL, "%s", err);
        return 2;
    }
    return 0;
}

/* Phase two: analyzers and policies into the dispatch table, each
 * analyzer's service bit into its handle. */
static int node_attach(struct node_run *r)
{
    if (shoal_analyzers_init(&r->an) < 0) {
        shoal_err(r->name, "out of memory");
        return 1;
    }
    r->an_ok = true;
    for (size_t i = 0; i < shoal_registry_count(r->reg); i++) {
        const struct shoal_loaded *l = shoal_registry_get(r->reg, i);

        if (l->desc->kind == SHOAL_PLUGIN_ANALYZER) {
            int bit = shoal_analyzers_add(&r->an, l->desc->ops, l->state, l->self->who);
            if (bit == -ENOMEM) {
                return 1;
            }
            l->self->service_bit = bit;
        } else if (l->desc->kind == SHOAL_PLUGIN_POLICY) {
            shoal_analyzers_add_policy(&r->an, l->desc->ops, l->state, l->self->who);
        }
    }
    shoal_ctx_set_analyzers(r->ctx, &r->an);
    return 0;
}

static int node_notice(void *arg, const struct shoal_notice_info *n)
{
    int rc = shoal_notices_raise(arg, n);

    return rc < 0 ? rc : 0;
}

/* Notices handled here (a cluster role may route them elsewhere), then
 * the role's start hook.  Returns 0 or the exit status. */
static int node_start_role(struct node_run *r)
{
    const struct shoal_node_hooks *h = r->o->hooks;

    r->notices = shoal_notices_new(shoal_ctx_logger(r->ctx), &r->cfg, r->name);
    if (r->notices == NULL) {
        return 1;
    }
    r->host.routes = (struct shoal_host_routes){.notice = node_notice, .arg = r->notices};
    r->env = (struct shoal_node_env){
        .ctx = r->ctx,
        .cfg = &r->cfg,
        .sumstats = r->sumstats,
        .host = &r->host,
        .plugins = r->reg,
        .node = r,
    };
    if (h != NULL && h->start != NULL && h->start(h->arg, &r->env) < 0) {
        return 1;
    }
    return 0;
}

/* ---- the packet source ---- */

static void node_decode_weird(void *ctx, const char *name, const char *addl, const char *source,
                              const struct shoal_addr *src, const struct shoal_addr *dst)
{
    shoal_ctx_net_weird(ctx, name, addl, source, src, dst);
}

/* The frontend plugin the node's options (a cluster worker's lb_method)
 * or frontend.strategy name, or NULL (logged with the file and line). */
static const struct shoal_loaded *node_frontend(const struct node_run *r)
{
    const char *strategy = r->o->frontend != NULL ? r->o->frontend : r->cfg.frontend_strategy;
    const struct shoal_loaded *l = shoal_registry_find(r->reg, strategy);

    if (l != NULL && l->desc->kind == SHOAL_PLUGIN_FRONTEND) {
        return l;
    }
    if (r->o->frontend != NULL) {
        shoal_err(r->name, "lb_method: no frontend plugin \"%s\" was loaded from:", strategy);
    } else if (r->cfg.frontend_strategy_line > 0) {
        shoal_err(NULL, "%s:%u: frontend.strategy: no frontend plugin \"%s\" was loaded from:",
                  r->cfg.file, r->cfg.frontend_strategy_line, strategy);
    } else {
        shoal_err(NULL, "%s: frontend.strategy: no frontend plugin \"%s\" was loaded from:",
                  r->cfg.file != NULL ? r->cfg.file : "(defaults)", strategy);
    }
    shoal_registry_print_path(r->reg, stderr);
    return NULL;
}

/* What the node asks of its frontend. */
static void node_spec(const struct node_run *r, struct shoal_source_spec *spec)
{
    const struct shoal_node_opts *o = r->o;

    *spec = (struct shoal_source_spec){
        .size = sizeof(*spec),
        .node = r->name,
        .interface = o->iface,
        .file = o->read_file,
        .filter = o->filter,
        .worker = o->worker,
        .nworkers = o->nworkers > 0 ? o->nworkers : 1,
        .channel = o->channel,
        .hash = r->cfg.frontend_hash,
    };
}

/* --dispatcher: the frontend's dispatcher feeds o->nworkers workers until
 * the input ends or a signal.  Returns the exit status. */
static int node_run_dispatcher(struct node_run *r)
{
    const struct shoal_loaded *l = node_frontend(r);
    const struct shoal_frontend_ops *fe = l != NULL ? l->desc->ops : NULL;
    struct shoal_source_spec spec;
    struct sigaction sa;

    if (fe == NULL) {
        return 2;
    }
    if (fe->dispatch == NULL) {
        shoal_err(NULL,
                  "frontend \"%s\" is host-based: it has no dispatcher (a network-based "
                  "one, e.g. frontend.strategy = \"dispatch\")",
                  l->desc->name);
        return 2;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = node_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    node_spec(r, &spec);
    return fe->dispatch(l->state, &spec, (volatile const int *)&node_stop) < 0 ? 1 : 0;
}

/* Open the source through the frontend and make the decoder for its link
 * type.  Returns 0 or the exit status. */
static int node_open_source(struct node_run *r)
{
    const struct shoal_node_opts *o = r->o;
    const struct shoal_loaded *l = node_frontend(r);
    const char *input = o->read_file != NULL ? o->read_file : o->iface;
    const char *dlt_name = "?";

    if (l == NULL) {
        return 2;
    }
    r->fe = l->desc->ops;
    struct shoal_source_spec spec;
    node_spec(r, &spec);
    if (r->fe->open(l->state, &spec, &r->src) < 0) {
        r->src = NULL;
        return 2;
    }
    int dlt = r->fe->datalink(r->src, &dlt_name);
    struct shoal_decode_opts dopts = {
        .ignore_checksums = r->cfg.ignore_checksums,
        .frag_mem_max = r->cfg.frag_mem_max,
        .frag_timeout = r->cfg.frag_timeout,
        .weird = node_decode_weird,
        .weird_ctx = r->ctx,
    };
    r->dec = shoal_decoder_new(dlt, &dopts);
    if (r->dec == NULL) {
        shoal_err(NULL, "%s: unsupported link type %s (%d)", input,
                  dlt_name != NULL ? dlt_name : "?", dlt);
        return 2;
    }
    shoal_ctx_set_decoder(r->ctx, r->dec);
    return 0;
}

void shoal_node_source_stats(const struct shoal_node_env *env, struct shoal_source_stats *st)
{
    const struct node_run *r = env != NULL ? env->node : NULL;

    memset(st, 0, sizeof(*st));
    st->size = sizeof(*st);
    if (r != NULL && r->src != NULL) {
        r->fe->stats(r->src, st);
    }
}

/* ---- shoalctl update ---- */

int shoal_node_update(const struct shoal_node_env *env, shoal_config_change_fn fn, void *arg,
                      char *err, size_t errlen)
{
    struct node_run *r = env->node;
    struct shoal_config next;
    int rc;

    if (r->o->config_file == NULL) {
        snprintf(err, errlen, "%s was started without a shoal.cfg (-c): nothing to read again",
                 r->name);
        return -ENOENT;
    }
    if (shoal_config_load(&next, r->o->config_file, err, errlen) < 0) {
        return -EINVAL;
    }
    rc = node_overrides(r->o, &next);
    if (rc == 0) {
        rc = shoal_config_update(&r->cfg, &next, fn, arg);
        shoal_info(r->name, "settings read again from %s", r->o->config_file);
    }
    shoal_config_free(&next);
    return rc;
}

/* ---- stats.log and capture_loss.log ---- */

static void node_stats_sample(void *arg, struct shoal_stats_sample *s)
{
    struct node_run *r = arg;
    struct shoal_conn_stats cs;
    struct shoal_decode_stats ds;
    struct shoal_source_stats ss;
    struct rusage ru;
    struct timespec now;

    shoal_ctx_stats(r->ctx, &cs);
    shoal_decode_stats(r->dec, &ds);
    shoal_node_source_stats(&r->env, &ss);
    memset(s, 0, sizeof(*s));
    s->mem_mb = getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_maxrss / 1024 : 0;
    s->packets = r->frames;
    s->bytes = r->wire_bytes;
    s->live = r->o->read_file == NULL;
    s->dropped = ss.dropped + ss.if_dropped;
    s->link = ss.received + ss.dropped + ss.if_dropped; /* seen by the capture, kept or not */
    clock_gettime(CLOCK_REALTIME, &now);
    s->lag = (double)now.tv_sec + (double)now.tv_nsec / 1e9 - shoal_ctx_now(r->ctx);
    for (int p = 0; p < SHOAL_CONN_PROTOS; p++) {
        s->conns_active[p] = cs.proto_current[p];
        s->conns_total[p] = cs.proto_total[p];
    }
    s->timers_total = shoal_timers_scheduled(r->timers);
    s->timers_active = shoal_timers_count(r->timers);
    s->reasm_tcp = cs.reasm_held;
    s->reasm_frag = ds.frag_mem;
    s->ack_events = cs.ack_events;
    s->gap_events = cs.gap_events;
}

/* Capture-loss notices take the node's route (the manager's, on a
 * cluster node). */
static void node_stats_notice(void *arg, const struct shoal_notice_info *n)
{
    struct node_run *r = arg;

    if (r->host.routes.notice != NULL) {
        r->host.routes.notice(r->host.routes.arg, n);
    }
}

static void node_stats_start(struct node_run *r)
{
    struct shoal_stats_hooks hooks = {node_stats_sample, node_stats_notice, r};

    /* peer: the cluster node's name; a standalone node is "shoal" as a
     * standalone Zeek is "zeek". */
    r->statslog = shoal_statslog_new(shoal_ctx_logger(r->ctx), r->o->name ? r->o->name : "shoal",
                                     &r->cfg, r->o->read_file != NULL, &hooks);
}

/* ---- privileges ---- */

/* Root is needed no further once the source is open (privileges.h): 0, or
 * the exit status. */
static int node_drop_privileges(const struct node_run *r)
{
    const struct shoal_node_hooks *h = r->o->hooks;
    const char *dirs[3] = {NULL, NULL, NULL};
    size_t n = 0;

    if (h == NULL || h->log_target == NULL) {
        dirs[n++] = r->cfg.log_dir;
    }
    if (h != NULL && h->workdir != NULL) {
        dirs[n++] = h->workdir;
    }
    return shoal_drop_privileges(&r->cfg, r->name, dirs) < 0 ? 1 : 0;
}

/* The role may now say the node runs (hooks->ready). */
static void node_ready(const struct node_run *r)
{
    const struct shoal_node_hooks *h = r->o->hooks;

    if (h != NULL && h->ready != NULL) {
        h->ready(h->arg);
    }
}

/* ---- the loop ---- */

static void node_packet(void *arg, const struct shoal_frame *f)
{
    struct node_run *r = arg;
    struct shoal_pkt p;

    r->frames++;
    r->wire_bytes += f->len;
    shoal_ctx_advance(r->ctx, f->ts);
    if (shoal_decode(r->dec, f->ts, f->data, f->caplen, f->len, &p) == 1) {
        shoal_ctx_packet(r->ctx, &p);
    }
    if (f->ts - r->last_expire >= 1.0) {
        shoal_decode_expire(r->dec, f->ts);
        shoal_sumstats_expire(r->sumstats, f->ts);
        shoal_statslog_tick(r->statslog, f->ts);
        r->last_expire = f->ts;
    }
}

static void node_progress(struct node_run *r, const char *input, double t0, bool final)
{
    struct shoal_source_stats st;
    double el = node_wall() - t0;

    shoal_node_source_stats(&r->env, &st);
    if (st.file_size > 0) {
        fprintf(stderr, "\r%s: %5.1f%%  %llu packets  %.1f MB/s%s", input,
                final ? 100.0 : 100.0 * (double)st.file_pos / (double)st.file_size,
                (unsigned long long)r->frames, el > 0 ? (double)st.file_pos / 1e6 / el : 0.0,
                final ? "\n" : "   ");
    } else {
        fprintf(stderr, "\r%s: %llu packets  %.0f pkt/s%s", input, (unsigned long long)r->frames,
                el > 0 ? (double)r->frames / el : 0.0, final ? "\n" : "   ");
    }
}

/* Between rounds: the role's poll and the plugins' timers. */
static void node_between_rounds(struct node_run *r)
{
    const struct shoal_node_hooks *h = r->o->hooks;

    if (h != NULL && h->poll != NULL) {
        h->poll(h->arg);
    }
    shoal_timers_run(r->timers, shoal_ctx_now(r->ctx));
    if (r->frames > 0) {
        shoal_statslog_tick(r->statslog, shoal_ctx_now(r->ctx));
    }
}

/* Read the source to its end or a signal.  Returns 0 or 1 (a read error). */
static int node_loop(struct node_run *r)
{
    const struct shoal_node_opts *o = r->o;
    const char *input = o->read_file != NULL ? o->read_file : o->iface;
    bool progress = o->progress > 0 || (o->progress < 0 && isatty(STDERR_FILENO));
    double t0 = node_wall();
    double next_progress = t0 + 0.5;
    int status = 0;

    while (!node_stop) {
        int n = r->fe->next(r->src, NODE_BATCH, node_packet, r);
        if (n == SHOAL_SOURCE_END) {
            break;
        }
        if (n < 0) {
            status = 1; /* the frontend said why */
            break;
        }
        if (n == 0) {
            /* A quiet live link: let network time follow the clock so idle
             * connections still expire, as Zeek does when live.  A trace's
             * time is its own: nothing ready yet (a dispatcher behind) is
             * only a wait. */
            if (o->read_file == NULL) {
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                shoal_ctx_advance(r->ctx, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
            }
            if (r->fe->wait != NULL) {
                r->fe->wait(r->src, NODE_WAIT_MS);
            } else {
                struct timespec ts = {0, NODE_WAIT_MS * 1000000L};
                nanosleep(&ts, NULL);
            }
        }
        node_between_rounds(r);
        if (progress && node_wall() >= next_progress) {
            node_progress(r, input, t0, false);
            next_progress = node_wall() + 0.5;
        }
    }
    if (progress) {
        node_progress(r, input, t0, true);
    }
    return status;
}

/* A proxy: no packets; the role's poll waits on its sockets. */
static void node_loop_without_source(struct node_run *r)
{
    while (!node_stop) {
        node_between_rounds(r);
        shoal_sumstats_expire(r->sumstats, shoal_ctx_now(r->ctx));
    }
}

static void node_print_counter(void *arg, const char *name, uint64_t value)
{
    shoal_info(arg, "%s %llu", name, (unsigned long long)value);
}

/* `lost`: the logs could not all be written (the cause logged before). */
static void node_summary(struct node_run *r, bool lost)
{
    const struct shoal_node_hooks *h = r->o->hooks;
    struct shoal_conn_stats cs;
    struct shoal_decode_stats ds;
    struct shoal_source_stats ss;

    shoal_ctx_stats(r->ctx, &cs);
    shoal_decode_stats(r->dec, &ds);
    shoal_node_source_stats(&r->env, &ss);
    fprintf(stderr,
            "shoal: %s: %llu packets, %llu connections, %llu log records %sto %s "
            "(%llu malformed, %llu non-IP, %llu bad checksums, %llu evicted)\n",
            r->name, (unsigned long long)r->frames, (unsigned long long)cs.conns_total,
            (unsigned long long)cs.log_records, lost ? "NOT ALL WRITTEN (see above) " : "",
            h != NULL && h->log_target != NULL ? h->log_target : r->cfg.log_dir,
            (unsigned long long)ds.malformed, (unsigned long long)ds.non_ip,
            (unsigned long long)cs.bad_checksums, (unsigned long long)cs.conns_evicted);
    if (ss.dropped > 0 || ss.if_dropped > 0 || ss.not_classified > 0) {
        fprintf(stderr,
                "shoal: %s: capture lost %llu packets (%llu dropped before the node, %llu by the "
                "interface, %llu not classified)\n",
                r->name, (unsigned long long)(ss.dropped + ss.if_dropped + ss.not_classified),
                (unsigned long long)ss.dropped, (unsigned long long)ss.if_dropped,
                (unsigned long long)ss.not_classified);
    }
    if (cs.reasm_capped > 0 || cs.reasm_refused > 0) {
        fprintf(stderr,
                "shoal: %s: TCP reassembly at its caps: %llu out-of-order bytes not held "
                "(reassembly.tcp_max_total %llu), %llu segments dropped "
                "(reassembly.tcp_max_blocks %llu); at most %llu bytes held\n",
                r->name, (unsigned long long)cs.reasm_capped,
                (unsigned long long)r->cfg.tcp_max_total, (unsigned long long)cs.reasm_refused,
                (unsigned long long)r->cfg.tcp_max_blocks, (unsigned long long)cs.reasm_peak);
    }
    shoal_registry_counters(r->reg, node_print_counter, (void *)r->name);
}

/* ---- teardown ---- */

static void node_warn_sumstats(struct node_run *r)
{
    struct shoal_sumstats_stats ss;

    shoal_sumstats_stats(r->sumstats, &ss);
    if (ss.evicted > 0) {
        shoal_warn(r->o->name,
                   "%llu keys of the plugins' statistics were dropped before their "
                   "epoch ended: more than cluster.sumstat_max_keys (%llu) at once",
                   (unsigned long long)ss.evicted,
                   (unsigned long long)r->cfg.cluster_sumstat_max_keys);
    }
}

/* Close everything in the order the pieces depend on each other.  `finish`:
 * the role's finish hook runs.  Returns the exit status given, or 1 when
 * the last records could not be written. */
static int node_teardown(struct node_run *r, int status, bool finish)
{
    const struct shoal_node_hooks *h = r->o->hooks;

    if (r->src != NULL) {
        r->fe->close(r->src);
    }
    shoal_decoder_free(r->dec);
    /* Logs close after the plugins, which may still write in conn_done. */
    if (r->ctx != NULL) {
        shoal_ctx_flush(r->ctx);
    }
    shoal_registry_free(r->reg);
    if (r->an_ok) {
        shoal_analyzers_free(&r->an);
    }
    r->host.sumstats = NULL;
    if (r->sumstats != NULL) {
        node_warn_sumstats(r);
    }
    shoal_sumstats_free(r->sumstats);
    /* The cluster hook sends the last records (plugins may write them in
     * conn_done, above) and waits for the manager. */
    if (finish && h != NULL && h->finish != NULL && h->finish(h->arg) < 0 && status == 0) {
        status = 1;
    }
    if (r->ctx != NULL && shoal_logger_flush(shoal_ctx_logger(r->ctx)) < 0 && status == 0) {
        status = 1;
    }
    shoal_notices_free(r->notices);
    shoal_ctx_free(r->ctx);
    shoal_timers_free(r->timers);
    shoal_config_free(&r->cfg);
    return status;
}

int shoal_node_run(const struct shoal_node_opts *o)
{
    struct node_run r = {.o = o};
    struct sigaction sa;
    int status;

    if (o->list_plugins && !o->list_loaded) {
        return node_list_plugins();
    }
    r.name = o->name != NULL ? o->name : o->read_file != NULL ? o->read_file : o->iface;
    status = node_settings(&r);
    if (status == 0) {
        status = node_core(&r);
    }
    if (status == 0) {
        status = node_plugins(&r);
    }
    if (status == 0 && o->list_loaded) {
        shoal_registry_print_settings(r.reg, stdout);
        return node_teardown(&r, 0, false);
    }
    if (status == 0 && o->dispatcher && !o->check_only) {
        status = node_run_dispatcher(&r);
        return node_teardown(&r, status, false);
    }
    if (status == 0 && o->check_only && !o->no_source && node_frontend(&r) == NULL) {
        status = 2;
    }
    if (status == 0 && o->check_only) {
        printf("%s: configuration ok, %zu plugins\n", r.cfg.file ? r.cfg.file : "(defaults)",
               shoal_registry_count(r.reg));
        return node_teardown(&r, 0, false);
    }
    if (status == 0) {
        status = node_attach(&r);
    }
    if (status == 0) {
        status = node_start_role(&r);
    }
    if (status != 0) {
        return node_teardown(&r, status, false);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = node_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (o->no_source) {
        status = node_drop_privileges(&r);
        if (status == 0) {
            node_ready(&r);
            node_loop_without_source(&r);
        }
        return node_teardown(&r, status, true);
    }
    status = node_open_source(&r);
    if (status == 0) {
        status = node_drop_privileges(&r);
    }
    if (status != 0) {
        return node_teardown(&r, status, false);
    }
    node_ready(&r);
    node_stats_start(&r);
    status = node_loop(&r);
    shoal_statslog_finish(r.statslog, shoal_ctx_now(r.ctx));
    r.statslog = NULL;
    shoal_ctx_flush(r.ctx);
    bool lost = shoal_logger_flush(shoal_ctx_logger(r.ctx)) < 0;
    if (!o->quiet) {
        node_summary(&r, lost);
    }
    return node_teardown(&r, lost ? 1 : status, true);
}
