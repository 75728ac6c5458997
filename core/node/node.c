/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The standalone node (see node.h): set-up in the order the plugin ABI
 * needs (config, logs, plugin init, analyzer attach, packet source), the
 * capture loop, a progress line on a terminal, and an orderly shutdown that
 * flushes every connection and log on end of input or on a signal.
 */
#include "node/node.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "engine/analyzer.h"
#include "config/config.h"
#include "engine/conn.h"
#include "engine/decode.h"
#include "lib/diag.h"
#include "plugin/host.h"
#include "framework/log.h"
#include "framework/notice.h"
#include "plugin/loader.h"
#include "framework/sumstat.h"

static volatile sig_atomic_t node_stop;
static pcap_t *node_pcap;

struct node_run {
    struct shoal_ctx *ctx;
    struct shoal_decoder *dec;
    struct shoal_sumstats *sumstats;
    uint64_t frames;
    double last_expire;
};

static void node_on_signal(int sig)
{
    (void)sig;
    node_stop = 1;
    if (node_pcap != NULL) {
        pcap_breakloop(node_pcap);
    }
}

static void node_decode_weird(void *ctx, const char *name, const char *addl, const char *source,
                              const struct shoal_addr *src, const struct shoal_addr *dst)
{
    shoal_ctx_net_weird(ctx, name, addl, source, src, dst);
}

static void node_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct node_run *r = (struct node_run *)user;
    struct shoal_pkt p;
    double ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;

    r->frames++;
    shoal_ctx_advance(r->ctx, ts);
    int rc = shoal_decode(r->dec, ts, bytes, h->caplen, h->len, &p);
    if (rc == 1) {
        shoal_ctx_packet(r->ctx, &p);
    }
    if (ts - r->last_expire >= 1.0) {
        shoal_decode_expire(r->dec, ts);
        shoal_sumstats_expire(r->sumstats, ts);
        r->last_expire = ts;
    }
}

static int node_notice(void *arg, const struct shoal_wire_notice *n)
{
    int rc = shoal_notices_raise(arg, n);

    return rc < 0 ? rc : 0;
}

static double node_wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void node_progress(const char *name, pcap_t *p, off_t size, uint64_t frames, double t0,
                          bool final)
{
    double el = node_wall() - t0;
    long pos = -1;
    FILE *f = pcap_file(p);

    if (f != NULL) {
        pos = ftell(f);
    }
    if (size > 0 && pos >= 0) {
        fprintf(stderr, "\r%s: %5.1f%%  %llu packets  %.1f MB/s%s", name,
                final ? 100.0 : 100.0 * (double)pos / (double)size, (unsigned long long)frames,
                el > 0 ? (double)pos / 1e6 / el : 0.0, final ? "\n" : "   ");
    } else {
        fprintf(stderr, "\r%s: %llu packets  %.0f pkt/s%s", name, (unsigned long long)frames,
                el > 0 ? (double)frames / el : 0.0, final ? "\n" : "   ");
    }
}

static pcap_t *node_open_source(const struct shoal_node_opts *o)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p;

    if (o->read_file != NULL) {
        p = pcap_open_offline(o->read_file, err);
        if (p == NULL) {
            shoal_err(NULL, "cannot read %s: %s", o->read_file, err);
        }
        return p;
    }
    p = pcap_create(o->iface, err);
    if (p == NULL) {
        shoal_err(NULL, "interface %s: %s", o->iface, err);
        return NULL;
    }
    pcap_set_snaplen(p, 65535);
    pcap_set_promisc(p, 1);
    pcap_set_timeout(p, 100);
    pcap_set_immediate_mode(p, 1);
    pcap_set_buffer_size(p, 64 << 20);
    int rc = pcap_activate(p);
    if (rc < 0) {
        shoal_err(NULL, "interface %s: %s", o->iface, pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    /* libpcap's own wait on a quiet TPACKET_V3 ring does not return at the
     * timeout: never block in it, wait in node_wait instead, so the hooks
     * run at least every 100 ms. */
    if (pcap_setnonblock(p, 1, err) < 0) {
        shoal_warn(NULL, "interface %s: cannot make the capture non-blocking: %s", o->iface, err);
    }
    return p;
}

/* Wait up to 100 ms for packets on a quiet live link (or a signal). */
static void node_wait(pcap_t *p)
{
    struct pollfd pfd = {.fd = pcap_get_selectable_fd(p), .events = POLLIN};

    if (pfd.fd >= 0) {
        poll(&pfd, 1, 100);
    }
}

static int node_set_filter(pcap_t *p, const struct shoal_node_opts *o)
{
    struct bpf_program prog;
    const char *src = o->read_file ? o->read_file : o->iface;

    if (o->filter == NULL) {
        return 0;
    }
    if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        shoal_err(NULL, "%s: bad filter '%s': %s", src, o->filter, pcap_geterr(p));
        return -EINVAL;
    }
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc < 0) {
        shoal_err(NULL, "%s: cannot set filter: %s", src, pcap_geterr(p));
        return -EINVAL;
    }
    return 0;
}

int shoal_node_run(const struct shoal_node_opts *o)
{
    struct shoal_config cfg;
    struct shoal_registry *reg = NULL;
    struct shoal_analyzers an;
    struct node_run run = {0};
    struct shoal_notices *notices = NULL;
    char err[512] = "";
    int status = 2;
    bool an_ok = false;
    bool hooks_finish = false;

    memset(&an, 0, sizeof(an));
    if (o->config_file != NULL) {
        if (shoal_config_load(&cfg, o->config_file, err, sizeof(err)) < 0) {
            shoal_err(NULL, "%s", err);
            goto out_config; /* cfg holds the defaults */
        }
    } else if (shoal_config_defaults(&cfg) < 0) {
        shoal_err(NULL, "out of memory");
        return 1;
    }
    if (o->log_dir != NULL) {
        char *d = strdup(o->log_dir);
        if (d == NULL) {
            goto out_config;
        }
        free(cfg.log_dir);
        cfg.log_dir = d;
    }
    if (o->json) {
        cfg.log_format = SHOAL_LOGFMT_JSON;
    }
    if (o->ignore_checksums) {
        cfg.ignore_checksums = true;
    }
    if (!o->list_plugins && !o->check_only) {
        struct stat st;
        if (stat(cfg.log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            shoal_err(NULL, "log directory %s: %s", cfg.log_dir,
                      errno ? strerror(errno) : "not a directory");
            goto out_config;
        }
    }

    run.ctx = shoal_ctx_new(&cfg);
    if (run.ctx == NULL) {
        goto out_config;
    }
    shoal_host_set_ctx(run.ctx);
    run.sumstats = shoal_sumstats_new(cfg.cluster_sumstat_max_keys);
    if (run.sumstats == NULL) {
        status = 1;
        goto out_ctx;
    }
    shoal_host_set_sumstats(run.sumstats);
    reg = shoal_registry_new();
    if (reg == NULL) {
        status = 1;
        goto out_ctx;
    }
    shoal_registry_scan_default(reg);
    if (shoal_registry_init_all(reg, shoal_host_table(), &cfg, err, sizeof(err)) < 0) {
        shoal_err(NULL, "%s", err);
        goto out_ctx;
    }
    if (o->list_plugins) {
        shoal_registry_print(reg, stdout);
        status = 0;
        goto out_ctx;
    }
    if (o->check_only) {
        printf("%s: configuration ok, %zu plugins\n", cfg.file ? cfg.file : "(defaults)",
               shoal_registry_count(reg));
        status = 0;
        goto out_ctx;
    }
    if (shoal_analyzers_init(&an, reg) < 0) {
        status = 1;
        goto out_ctx;
    }
    an_ok = true;
    shoal_ctx_set_analyzers(run.ctx, &an);
    const char *name = o->name != NULL ? o->name : o->read_file ? o->read_file : o->iface;
    notices = shoal_notices_new(shoal_ctx_logger(run.ctx), &cfg, name);
    if (notices == NULL) {
        status = 1;
        goto out_ctx;
    }
    struct shoal_host_routes routes = {.notice = node_notice, .arg = notices};
    shoal_host_set_routes(&routes);
    struct shoal_node_env env = {.ctx = run.ctx, .cfg = &cfg, .sumstats = run.sumstats};
    if (o->hooks != NULL && o->hooks->start != NULL && o->hooks->start(o->hooks->arg, &env) < 0) {
        status = 1;
        goto out_ctx;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = node_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (o->no_source) {
        status = 0;
        while (!node_stop) {
            if (o->hooks != NULL && o->hooks->poll != NULL) {
                o->hooks->poll(o->hooks->arg);
            }
            shoal_sumstats_expire(run.sumstats, shoal_ctx_now(run.ctx));
        }
        hooks_finish = o->hooks != NULL;
        goto out_ctx;
    }

    node_pcap = node_open_source(o);
    if (node_pcap == NULL || node_set_filter(node_pcap, o) < 0) {
        goto out_pcap;
    }
    int dlt = pcap_datalink(node_pcap);
    struct shoal_decode_opts dopts = {
        .ignore_checksums = cfg.ignore_checksums,
        .frag_mem_max = cfg.frag_mem_max,
        .frag_timeout = cfg.frag_timeout,
        .weird = node_decode_weird,
        .weird_ctx = run.ctx,
    };
    run.dec = shoal_decoder_new(dlt, &dopts);
    if (run.dec == NULL) {
        shoal_err(NULL, "%s: unsupported link type %s (%d)", o->read_file ? o->read_file : o->iface,
                  pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?", dlt);
        goto out_pcap;
    }
    shoal_ctx_set_decoder(run.ctx, run.dec);

    bool progress = o->progress > 0 || (o->progress < 0 && isatty(STDERR_FILENO));
    const char *src = o->read_file ? o->read_file : o->iface;
    off_t size = 0;
    struct stat st;
    if (o->read_file != NULL && stat(o->read_file, &st) == 0) {
        size = st.st_size;
    }
    double t0 = node_wall();
    double next_progress = t0 + 0.5;
    status = 0;
    while (!node_stop) {
        int n = pcap_dispatch(node_pcap, 4096, node_packet, (u_char *)&run);
        if (n == PCAP_ERROR) {
            shoal_err(NULL, "%s: %s", src, pcap_geterr(node_pcap));
            status = 1;
            break;
        }
        if (n == PCAP_ERROR_BREAK || (n == 0 && o->read_file != NULL)) {
            break;
        }
        if (n == 0) {
            /* A quiet live link: let network time follow the clock so idle
             * connections still expire, as Zeek does when live. */
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            shoal_ctx_advance(run.ctx, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
            node_wait(node_pcap);
        }
        if (o->hooks != NULL && o->hooks->poll != NULL) {
            o->hooks->poll(o->hooks->arg);
        }
        if (progress && node_wall() >= next_progress) {
            node_progress(src, node_pcap, size, run.frames, t0, false);
            next_progress = node_wall() + 0.5;
        }
    }
    if (progress) {
        node_progress(src, node_pcap, size, run.frames, t0, true);
    }
    shoal_ctx_flush(run.ctx);
    hooks_finish = o->hooks != NULL;
    if (!o->quiet) {
        struct shoal_conn_stats cs;
        struct shoal_decode_stats ds;
        shoal_ctx_stats(run.ctx, &cs);
        shoal_decode_stats(run.dec, &ds);
        fprintf(stderr,
                "shoal: %s: %llu packets, %llu connections, %llu log records to %s "
                "(%llu malformed, %llu non-IP, %llu bad checksums, %llu evicted)\n",
                name, (unsigned long long)run.frames, (unsigned long long)cs.conns_total,
                (unsigned long long)cs.log_records,
                o->hooks != NULL && o->hooks->log_target != NULL ? o->hooks->log_target
                                                                 : cfg.log_dir,
                (unsigned long long)ds.malformed, (unsigned long long)ds.non_ip,
                (unsigned long long)cs.bad_checksums, (unsigned long long)cs.conns_evicted);
    }

out_pcap:
    shoal_decoder_free(run.dec);
    if (node_pcap != NULL) {
        pcap_close(node_pcap);
        node_pcap = NULL;
    }
out_ctx:
    /* Logs close after the plugins, which may still write in conn_done. */
    if (run.ctx != NULL) {
        shoal_ctx_flush(run.ctx);
    }
    shoal_registry_free(reg);
    if (an_ok) {
        shoal_analyzers_free(&an);
    }
    shoal_host_set_sumstats(NULL);
    if (run.sumstats != NULL) {
        struct shoal_sumstats_stats ss;
        shoal_sumstats_stats(run.sumstats, &ss);
        if (ss.evicted > 0) {
            shoal_warn(o->name,
                       "%llu keys of the plugins' statistics were dropped before their "
                       "epoch ended: more than cluster.sumstat_max_keys (%llu) at once",
                       (unsigned long long)ss.evicted,
                       (unsigned long long)cfg.cluster_sumstat_max_keys);
        }
    }
    shoal_sumstats_free(run.sumstats);
    /* The cluster hook sends the last records (plugins may write them in
     * conn_done, above) and waits for the manager. */
    if (hooks_finish && o->hooks->finish != NULL && o->hooks->finish(o->hooks->arg) < 0 &&
        status == 0) {
        status = 1;
    }
    if (run.ctx != NULL && shoal_logger_flush(shoal_ctx_logger(run.ctx)) < 0 && status == 0) {
        status = 1;
    }
    shoal_host_set_routes(NULL);
    shoal_notices_free(notices);
    shoal_ctx_free(run.ctx);
    shoal_host_set_ctx(NULL);
out_config:
    shoal_config_free(&cfg);
    return status;
}
