/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pcap frontend: the node reads its interface or trace itself with
 * libpcap, all of it (the default strategy of a standalone node, and of
 * workers whose share is chosen by their own BPF expression).  The source
 * itself is pcap_source.c, shared with the bpf frontend.
 */
#include "pcap_source.h"

static const struct shoal_frontend_ops pcap_fe_ops = {
    .size = sizeof(struct shoal_frontend_ops),
    .open = pcap_fe_open,
    .datalink = pcap_fe_datalink,
    .next = pcap_fe_next,
    .wait = pcap_fe_wait,
    .stats = pcap_fe_stats,
    .close = pcap_fe_close,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin pcap_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "pcap",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_FRONTEND,
    .summary = "libpcap: the node reads its whole interface or trace (the default strategy)",
    .config = pcap_cfg_keys,
    .config_size = sizeof(struct pcap_config),
    .init = pcap_fe_init,
    .fini = pcap_fe_fini,
    .ops = &pcap_fe_ops,
};
