/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bpf frontend (host-based): every worker reads the whole interface or
 * trace with libpcap, as the pcap frontend does, through a filter keeping
 * only its share: a symmetric expression over the address pair or the
 * addresses and ports (frontend.hash; bpf_expr.c), IPv4 and IPv6, inside
 * VLAN tags too.  The kernel (or libpcap, on a trace) drops the other
 * workers' frames before they are copied, so it works with any libpcap
 * source, traces included, at the price of every worker's filter running
 * over every frame.  Frames it cannot hash (not IP) go to worker 0.  One
 * worker of one reads everything, with the user's filter alone.
 */
#include <errno.h>
#include <stdlib.h>

#include "bpf_expr.h"
#include "pcap_source.h"

/* Room for the longest expression: the 5-tuple over 4 tags is about 12 KB
 * before a user's filter. */
#define BPF_EXPR_MAX (64u << 10)

static const struct shoal_cfg_key bpf_cfg_keys[] = {
    PCAP_CFG_KEYS(struct pcap_config),
    {"vlan_depth", SHOAL_CFG_INT, "2", false,
     "VLAN tags (802.1Q, QinQ) the share filter looks inside; frames under more go to worker 0",
     offsetof(struct pcap_config, vlan_depth), "0", "4"},
    {0},
};

/* Read only when the host's spec has it (SHOAL_HAS): else the 2-tuple. */
static uint32_t bpf_mode(const struct shoal_source_spec *spec)
{
    return SHOAL_HAS(spec, hash) && spec->hash != 0 ? spec->hash : SHOAL_HASH_2TUPLE;
}

static int bpf_open(void *ps, const struct shoal_source_spec *spec, void **out)
{
    struct pcap_plugin *pl = ps;
    const char *name;
    char *expr;
    int rc;

    if (spec->nworkers <= 1) {
        return pcap_fe_open_filter(pl, spec, spec->filter, out);
    }
    rc = pcap_fe_open_filter(pl, spec, NULL, out);
    if (rc < 0) {
        return rc;
    }
    expr = pl->host->alloc(pl->self, BPF_EXPR_MAX);
    if (expr == NULL) {
        rc = -ENOMEM;
        goto out_close;
    }
    int dlt = pcap_fe_datalink(*out, &name);
    if (bpf_expr_share(expr, BPF_EXPR_MAX, spec->worker, spec->nworkers, bpf_mode(spec), dlt,
                       (int)pl->cfg.vlan_depth, spec->filter) < 0) {
        pl->host->logf(pl->self, SHOAL_LOG_ERROR,
                       "%s: the share filter of worker %u of %u does not fit in %u bytes",
                       spec->file != NULL ? spec->file : spec->interface, spec->worker,
                       spec->nworkers, BPF_EXPR_MAX);
        rc = -EINVAL;
        goto out_free;
    }
    rc = pcap_fe_filter(*out, expr);
    if (rc == 0) {
        pl->host->logf(pl->self, SHOAL_LOG_INFO, "%s: worker %u of %u, %s share filter",
                       spec->file != NULL ? spec->file : spec->interface, spec->worker,
                       spec->nworkers,
                       bpf_mode(spec) == 2   ? "2-tuple"
                       : bpf_mode(spec) == 4 ? "4-tuple"
                                             : "5-tuple");
    }
out_free:
    pl->host->free(pl->self, expr);
out_close:
    if (rc < 0) {
        pcap_fe_close(*out);
        *out = NULL;
    }
    return rc;
}

static const struct shoal_frontend_ops bpf_fe_ops = {
    .size = sizeof(struct shoal_frontend_ops),
    .open = bpf_open,
    .datalink = pcap_fe_datalink,
    .next = pcap_fe_next,
    .wait = pcap_fe_wait,
    .stats = pcap_fe_stats,
    .close = pcap_fe_close,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin bpf_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "bpf",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_FRONTEND,
    .summary = "libpcap with a per-worker symmetric share filter (2/4/5-tuple, IPv4/IPv6, VLAN)",
    .config = bpf_cfg_keys,
    .config_size = sizeof(struct pcap_config),
    .init = pcap_fe_init,
    .fini = pcap_fe_fini,
    .ops = &bpf_fe_ops,
};
