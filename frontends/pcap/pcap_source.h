/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libpcap packet source the pcap and bpf frontends share
 * (pcap_source.c): their settings, plugin state and frontend ops.  The
 * frontends differ only in the filter they open the source with.
 */
#ifndef SHOAL_FRONTEND_PCAP_SOURCE_H
#define SHOAL_FRONTEND_PCAP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/shoal.h>

/* The settings of both frontends (bpf alone reads vlan_depth). */
struct pcap_config {
    int64_t snaplen;
    int64_t buffer_mb;
    bool promisc;
    int64_t vlan_depth; /* bpf: VLAN tags followed by the share filter */
};

/* The key rows both frontends declare, of config struct type `type`. */
#define PCAP_CFG_KEYS(type)                                                                        \
    {"snaplen",                                                                                    \
     SHOAL_CFG_INT,                                                                                \
     "65535",                                                                                      \
     false,                                                                                        \
     "bytes captured of each packet on a live link",                                               \
     offsetof(type, snaplen),                                                                      \
     "64",                                                                                         \
     "262144"},                                                                                    \
        {"buffer_mb",                                                                              \
         SHOAL_CFG_INT,                                                                            \
         "64",                                                                                     \
         false,                                                                                    \
         "the kernel's capture buffer on a live link, MiB",                                        \
         offsetof(type, buffer_mb),                                                                \
         "1",                                                                                      \
         "4096"},                                                                                  \
    {                                                                                              \
        "promisc", SHOAL_CFG_BOOL, "true", false, "capture in promiscuous mode",                   \
            offsetof(type, promisc), NULL, NULL                                                    \
    }

/* pcap's key table (the rows above). */
extern const struct shoal_cfg_key pcap_cfg_keys[];

struct pcap_plugin {
    const struct shoal_host *host;
    struct shoal_self *self;
    struct pcap_config cfg;
};

/* init and fini of both (config: a struct pcap_config). */
int pcap_fe_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                 void **state);
void pcap_fe_fini(void *state);

/* Open spec's interface or trace with `filter` (NULL: every frame).  0,
 * or -EINVAL / -ENOMEM after logging why. */
int pcap_fe_open_filter(struct pcap_plugin *pl, const struct shoal_source_spec *spec,
                        const char *filter, void **out);

/* Set `filter` (NULL: none) on an open source.  0, or -EINVAL after
 * logging libpcap's reason with the expression. */
int pcap_fe_filter(void *src, const char *filter);

/* The frontend ops (see shoal/frontend.h); open uses the user's filter. */
int pcap_fe_open(void *ps, const struct shoal_source_spec *spec, void **out);
int pcap_fe_datalink(void *src, const char **name);
int pcap_fe_next(void *src, int max, shoal_frame_fn deliver, void *arg);
int pcap_fe_wait(void *src, int timeout_ms);
void pcap_fe_stats(void *src, struct shoal_source_stats *st);
void pcap_fe_close(void *src);

#endif
