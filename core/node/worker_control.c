/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's control channel (see worker_control.h).
 */
#include "node/worker_control.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/frontend.h>

#include "cluster/control.h"
#include "cluster/state_link.h"
#include "config/config.h"
#include "engine/conn.h"
#include "engine/decode.h"
#include "node/node.h"
#include "node/proxy.h"
#include "plugin/loader.h"

struct shoal_worker_control {
    const struct shoal_layout *layout;
    const struct shoal_layout_node *self;
    struct shoal_zsec *z;
    const struct shoal_node_env *env;
    struct shoal_ctx *ctx;
    const struct shoal_worker_link *wl;
    const char *source;
    const struct shoal_state_link *sl; /* a worker's, or NULL */
    const struct shoal_proxy *proxy;   /* a proxy's, or NULL */
    struct shoal_control_ops ops;
    struct shoal_control *ctl;
};

static void wc_status(void *arg, struct shoal_control_items *it)
{
    struct shoal_worker_control *wc = arg;

    shoal_control_add(it, "source", "%s", wc->source ? wc->source : "?");
    shoal_control_add(it, "log_target", "%s", shoal_worker_link_endpoint(wc->wl));
    shoal_control_add(it, "log_channel", "%s",
                      shoal_worker_link_connected(wc->wl) ? "connected" : "disconnected");
    shoal_control_add(it, "network_time", "%.6f", shoal_ctx_now(wc->ctx));
}

static void wc_plugin_counter(void *arg, const char *name, uint64_t value)
{
    shoal_control_add_u64(arg, name, value);
}

/* The packet source's counters (none on a proxy) and the plugins'. */
static void wc_node_counters(struct shoal_worker_control *wc, struct shoal_control_items *it)
{
    if (wc->proxy == NULL) {
        struct shoal_source_stats ss;
        shoal_node_source_stats(wc->env, &ss);
        shoal_control_add_u64(it, "capture.received", ss.received);
        shoal_control_add_u64(it, "capture.dropped", ss.dropped);
        shoal_control_add_u64(it, "capture.if_dropped", ss.if_dropped);
        shoal_control_add_u64(it, "capture.not_classified", ss.not_classified);
    }
    shoal_registry_counters(wc->env->plugins, wc_plugin_counter, it);
}

static void wc_counters(void *arg, struct shoal_control_items *it)
{
    struct shoal_worker_control *wc = arg;
    const struct shoal_decoder *dec = shoal_ctx_decoder(wc->ctx);
    struct shoal_conn_stats cs;
    struct shoal_worker_link_stats ls;

    shoal_ctx_stats(wc->ctx, &cs);
    shoal_control_add_u64(it, "packets", cs.packets);
    shoal_control_add_u64(it, "bytes", cs.bytes);
    shoal_control_add_u64(it, "conns_total", cs.conns_total);
    shoal_control_add_u64(it, "conns_current", cs.conns_current);
    shoal_control_add_u64(it, "conns_evicted", cs.conns_evicted);
    shoal_control_add_u64(it, "reasm.held", cs.reasm_held);
    shoal_control_add_u64(it, "reasm.peak", cs.reasm_peak);
    shoal_control_add_u64(it, "reasm.capped", cs.reasm_capped);
    shoal_control_add_u64(it, "reasm.refused", cs.reasm_refused);
    shoal_control_add_u64(it, "bad_checksums", cs.bad_checksums);
    shoal_control_add_u64(it, "log_records", cs.log_records);
    if (dec != NULL) {
        struct shoal_decode_stats ds;
        shoal_decode_stats(dec, &ds);
        shoal_control_add_u64(it, "decode.frames", ds.frames);
        shoal_control_add_u64(it, "decode.ip_packets", ds.ip_packets);
        shoal_control_add_u64(it, "decode.non_ip", ds.non_ip);
        shoal_control_add_u64(it, "decode.malformed", ds.malformed);
        shoal_control_add_u64(it, "decode.fragments", ds.fragments);
        shoal_control_add_u64(it, "decode.reassembled", ds.reassembled);
        shoal_control_add_u64(it, "decode.frag_dropped", ds.frag_dropped);
    }
    shoal_worker_link_stats(wc->wl, &ls);
    shoal_control_add_u64(it, "link.records", ls.records);
    shoal_control_add_u64(it, "link.batches", ls.batches);
    shoal_control_add_u64(it, "link.sent", ls.sent);
    shoal_control_add_u64(it, "link.resends", ls.resends);
    shoal_control_add_u64(it, "link.acked", ls.acked);
    shoal_control_add_u64(it, "link.dropped_batches", ls.dropped_batches);
    shoal_control_add_u64(it, "link.dropped_records", ls.dropped_records);
    shoal_control_add_u64(it, "link.bad_messages", ls.bad_messages);
    shoal_control_add_u64(it, "link.recovered_batches", ls.recovered_batches);
    if (wc->sl != NULL) {
        struct shoal_state_link_stats ss;
        shoal_state_link_stats(wc->sl, &ss);
        shoal_control_add_u64(it, "state.sent", ss.sent);
        shoal_control_add_u64(it, "state.skipped", ss.skipped);
        shoal_control_add_u64(it, "state.local", ss.local);
        shoal_control_add_u64(it, "state.dropped", ss.dropped);
        shoal_control_add_u64(it, "state.marks", ss.marks);
        shoal_control_add_u64(it, "state.bad", ss.bad);
        shoal_control_add_u64(it, "state.proxies_live", ss.proxies_live);
    }
    if (wc->proxy != NULL) {
        struct shoal_proxy_stats ps;
        shoal_proxy_stats(wc->proxy, &ps);
        shoal_control_add_u64(it, "proxy.updates", ps.updates);
        shoal_control_add_u64(it, "proxy.crossed", ps.crossed);
        shoal_control_add_u64(it, "proxy.unknown", ps.unknown);
        shoal_control_add_u64(it, "proxy.bad", ps.bad);
    }
    wc_node_counters(wc, it);
}

static void wc_proxy_peer(void *arg, const char *proxy, bool alive)
{
    shoal_control_add(arg, proxy, "%s", alive ? "up" : "down");
}

static void wc_peers(void *arg, struct shoal_control_items *it)
{
    struct shoal_worker_control *wc = arg;
    const struct shoal_layout_node *m = shoal_layout_manager(wc->layout);

    if (m != NULL) {
        shoal_control_add(it, m->name, "%s",
                          shoal_worker_link_connected(wc->wl) ? "connected" : "disconnected");
    }
    if (wc->sl != NULL) {
        shoal_state_link_peers(wc->sl, wc_proxy_peer, it);
    }
}

static void wc_settings(void *arg, struct shoal_control_items *it)
{
    struct shoal_worker_control *wc = arg;
    const struct shoal_config *cfg = shoal_ctx_config(wc->ctx);

    shoal_control_add(it, "config.file", "%s", cfg->file ? cfg->file : "(defaults)");
    shoal_control_add(it, "log.format", "%s",
                      cfg->log_format == SHOAL_LOGFMT_JSON ? "json" : "tsv");
    shoal_control_add(it, "conn.tcp_inactivity_timeout", "%g", cfg->tcp_inactivity_timeout);
    shoal_control_add(it, "conn.udp_inactivity_timeout", "%g", cfg->udp_inactivity_timeout);
    shoal_control_add(it, "conn.icmp_inactivity_timeout", "%g", cfg->icmp_inactivity_timeout);
    shoal_control_add(it, "conn.max_conns", "%llu", (unsigned long long)cfg->max_conns);
    shoal_control_add(it, "ignore_checksums", "%s", cfg->ignore_checksums ? "true" : "false");
    shoal_control_add(it, "tcp.max_buffer", "%llu", (unsigned long long)cfg->tcp_max_buffer);
    shoal_control_add(it, "frag.mem_max", "%llu", (unsigned long long)cfg->frag_mem_max);
    shoal_control_add(it, "frag.timeout", "%g", cfg->frag_timeout);
    shoal_control_add(it, "workdir", "%s", wc->self->workdir);
}

/* As SIGTERM: the node's handler stops the capture loop, which flushes and
 * sends the last batches. */
static void wc_stop(void *arg, const char *by)
{
    (void)arg;
    (void)by;
    raise(SIGTERM);
}

/* update: the node's shoal.cfg read again (shoal_node_update). */
static int wc_command(void *arg, const char *cmd, const struct shoal_str *args, size_t n,
                      struct shoal_control_items *it)
{
    struct shoal_worker_control *wc = arg;
    char err[512] = "";
    int rc;

    (void)args;
    if (strcmp(cmd, "update") != 0) {
        return -ENOSYS;
    }
    if (n != 0) {
        shoal_control_add(it, "error", "update takes no argument");
        return -EINVAL;
    }
    rc = shoal_node_update(wc->env, shoal_control_add_change, it, err, sizeof(err));
    if (rc < 0) {
        shoal_control_add(it, "error", "%s", err);
        return rc;
    }
    shoal_control_add(it, "pending", "%d", rc);
    return 0;
}

int shoal_worker_control_new(const struct shoal_layout *layout,
                             const struct shoal_layout_node *self, struct shoal_zsec *z,
                             const struct shoal_node_env *env, const struct shoal_worker_link *wl,
                             const struct shoal_nodestate *state, const char *source,
                             struct shoal_worker_control **out)
{
    struct shoal_worker_control *wc;
    int rc;

    *out = NULL;
    wc = calloc(1, sizeof(*wc));
    if (wc == NULL) {
        return -ENOMEM;
    }
    wc->layout = layout;
    wc->self = self;
    wc->z = z;
    wc->env = env;
    wc->ctx = env->ctx;
    wc->wl = wl;
    wc->source = source;
    wc->ops = (struct shoal_control_ops){
        .size = sizeof(wc->ops),
        .status = wc_status,
        .counters = wc_counters,
        .peers = wc_peers,
        .settings = wc_settings,
        .stop = wc_stop,
        .arg = wc,
        .command = wc_command,
    };
    rc = shoal_control_new(layout, self, z, &wc->ops, state, &wc->ctl);
    if (rc < 0) {
        free(wc);
        return rc;
    }
    *out = wc;
    return 0;
}

void shoal_worker_control_set_shared(struct shoal_worker_control *wc,
                                     const struct shoal_state_link *sl,
                                     const struct shoal_proxy *proxy)
{
    wc->sl = sl;
    wc->proxy = proxy;
}

void shoal_worker_control_poll(struct shoal_worker_control *wc)
{
    if (wc == NULL) {
        return;
    }
    shoal_zsec_zap_serve(wc->z);
    shoal_control_serve(wc->ctl);
}

void *shoal_worker_control_socket(struct shoal_worker_control *wc)
{
    return shoal_control_socket(wc->ctl);
}

void shoal_worker_control_free(struct shoal_worker_control *wc)
{
    if (wc == NULL) {
        return;
    }
    shoal_control_free(wc->ctl);
    free(wc);
}
