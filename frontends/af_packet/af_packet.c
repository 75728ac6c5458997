/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The af_packet frontend (host-based, Linux): each worker opens an
 * AF_PACKET socket on the interface with a TPACKET_V3 ring mapped into its
 * memory, and joins one fanout group in hash mode, in which the kernel
 * sends each frame to the member its symmetric flow hash picks (addresses
 * and ports, both directions alike; with `defrag` the kernel reassembles IP
 * fragments before hashing so they follow their flow).  No libpcap here:
 * frames are read straight out of the ring's blocks, a block handed back to
 * the kernel once read; VLAN tags the kernel took off (offload) are put
 * back in front of the EtherType, so the node sees the frame as sent.
 * Kernel drops (ring full) come from PACKET_STATISTICS, which resets on
 * each read, so they are summed here.  Live interfaces only; the user's BPF
 * filter needs libpcap's compiler, so a filter is refused (use bpf or pcap).
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <shoal/shoal.h>

#define AFP_DLT_EN10MB 1

struct afp_config {
    int64_t ring_mb;
    int64_t block_kb;
    int64_t block_timeout_ms;
    int64_t fanout_id;
    bool promisc;
    bool defrag;
};

static const struct shoal_cfg_key afp_cfg_keys[] = {
    {"ring_mb", SHOAL_CFG_INT, "64", false, "each worker's TPACKET_V3 ring, MiB",
     offsetof(struct afp_config, ring_mb), "1", "4096"},
    {"block_kb", SHOAL_CFG_INT, "1024", false,
     "the ring's block size, KiB (a power of two, at least the largest frame)",
     offsetof(struct afp_config, block_kb), "64", "65536"},
    {"block_timeout_ms", SHOAL_CFG_INT, "10", false,
     "a block not yet full is handed to the worker after this long",
     offsetof(struct afp_config, block_timeout_ms), "1", "1000"},
    {"fanout_id", SHOAL_CFG_INT, "23", false,
     "the fanout group the workers of one interface share (unique per interface and cluster)",
     offsetof(struct afp_config, fanout_id), "0", "65535"},
    {"promisc", SHOAL_CFG_BOOL, "true", false, "capture in promiscuous mode",
     offsetof(struct afp_config, promisc), NULL, NULL},
    {"defrag", SHOAL_CFG_BOOL, "true", false,
     "the kernel reassembles IP fragments before the fanout hash (they follow their flow)",
     offsetof(struct afp_config, defrag), NULL, NULL},
    {0},
};

struct afp_plugin {
    const struct shoal_host *host;
    struct shoal_self *self;
    struct afp_config cfg;
};

/* One open socket and its ring. */
struct afp_source {
    struct afp_plugin *pl;
    int fd;
    char ifname[IF_NAMESIZE];
    uint8_t *ring;
    size_t ring_size;
    uint32_t block_size;
    uint32_t nblocks;
    uint32_t block; /* the block being read */
    uint32_t left;  /* its packets not yet handed on (0: not started) */
    uint8_t *pkt;   /* the next of them */
    uint64_t received;
    uint64_t dropped;         /* PACKET_STATISTICS, summed (it resets on read) */
    uint8_t frame[65536 + 4]; /* a frame with its VLAN tag put back */
};

#define AFP_LOG(s, ...) (s)->pl->host->logf((s)->pl->self, SHOAL_LOG_ERROR, __VA_ARGS__)

static int afp_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    static const struct afp_config defaults = {64, 1024, 10, 23, true, true};
    struct afp_plugin *pl = host->alloc(self, sizeof(*pl));

    if (pl == NULL) {
        return -ENOMEM;
    }
    pl->host = host;
    pl->self = self;
    pl->cfg = config != NULL ? *(const struct afp_config *)config : defaults;
    *state = pl;
    return 0;
}

static void afp_fini(void *state)
{
    struct afp_plugin *pl = state;

    if (pl != NULL) {
        pl->host->free(pl->self, pl);
    }
}

/* Only links with Ethernet headers (Ethernet, and loopback's zeroed one). */
static int afp_check_link(struct afp_source *s)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, s->ifname, sizeof(s->ifname));
    if (ioctl(s->fd, SIOCGIFHWADDR, &ifr) < 0) {
        AFP_LOG(s, "interface %s: SIOCGIFHWADDR: %s", s->ifname, strerror(errno));
        return -errno;
    }
    if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER && ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK) {
        AFP_LOG(s, "interface %s: link type %u has no Ethernet header (use the pcap strategy)",
                s->ifname, ifr.ifr_hwaddr.sa_family);
        return -EINVAL;
    }
    return 0;
}

/* TPACKET_V3 and the ring, mapped. */
static int afp_ring(struct afp_source *s)
{
    const struct afp_config *c = &s->pl->cfg;
    int version = TPACKET_V3;
    struct tpacket_req3 req;

    s->block_size = (uint32_t)c->block_kb << 10;
    if ((s->block_size & (s->block_size - 1)) != 0) {
        AFP_LOG(s, "interface %s: block_kb %lld is not a power of two", s->ifname,
                (long long)c->block_kb);
        return -EINVAL;
    }
    s->nblocks = (uint32_t)(((uint64_t)c->ring_mb << 20) / s->block_size);
    s->nblocks = s->nblocks < 2 ? 2 : s->nblocks;
    memset(&req, 0, sizeof(req));
    req.tp_block_size = s->block_size;
    req.tp_block_nr = s->nblocks;
    req.tp_frame_size = TPACKET_ALIGNMENT << 7; /* 2048: a hint in V3 */
    req.tp_frame_nr = (s->block_size / req.tp_frame_size) * s->nblocks;
    req.tp_retire_blk_tov = (unsigned)c->block_timeout_ms;
    if (setsockopt(s->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
        setsockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0) {
        AFP_LOG(s, "interface %s: TPACKET_V3 ring of %u blocks of %u bytes: %s", s->ifname,
                s->nblocks, s->block_size, strerror(errno));
        return -errno;
    }
    s->ring_size = (size_t)s->block_size * s->nblocks;
    s->ring = mmap(NULL, s->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, s->fd, 0);
    if (s->ring == MAP_FAILED) {
        /* MAP_LOCKED needs the memlock limit: without it the ring still works */
        s->ring = mmap(NULL, s->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
    }
    if (s->ring == MAP_FAILED) {
        s->ring = NULL;
        AFP_LOG(s, "interface %s: mmap of a %zu-byte ring: %s", s->ifname, s->ring_size,
                strerror(errno));
        return -ENOMEM;
    }
    return 0;
}

/* Bound to the interface, promiscuous if asked, in the fanout group. */
static int afp_bind(struct afp_source *s, const struct shoal_source_spec *spec)
{
    const struct afp_config *c = &s->pl->cfg;
    unsigned ifindex = if_nametoindex(s->ifname);
    struct sockaddr_ll sll;

    if (ifindex == 0) {
        AFP_LOG(s, "interface %s: %s", s->ifname, strerror(errno));
        return -ENODEV;
    }
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = (int)ifindex;
    if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        AFP_LOG(s, "interface %s: bind: %s", s->ifname, strerror(errno));
        return -errno;
    }
    if (c->promisc) {
        struct packet_mreq mr = {.mr_ifindex = (int)ifindex, .mr_type = PACKET_MR_PROMISC};
        if (setsockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
            AFP_LOG(s, "interface %s: promiscuous mode: %s", s->ifname, strerror(errno));
            return -errno;
        }
    }
    if (spec->nworkers > 1) {
        int arg = (int)((uint32_t)c->fanout_id |
                        (uint32_t)(PACKET_FANOUT_HASH | (c->defrag ? PACKET_FANOUT_FLAG_DEFRAG : 0))
                            << 16);
        if (setsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0) {
            AFP_LOG(s, "interface %s: fanout group %lld (hash): %s", s->ifname,
                    (long long)c->fanout_id, strerror(errno));
            return -errno;
        }
    }
    return 0;
}

static void afp_close(void *src)
{
    struct afp_source *s = src;

    if (s->ring != NULL) {
        munmap(s->ring, s->ring_size);
    }
    if (s->fd >= 0) {
        close(s->fd);
    }
    s->pl->host->free(s->pl->self, s);
}

static int afp_open(void *ps, const struct shoal_source_spec *spec, void **out)
{
    struct afp_plugin *pl = ps;
    struct afp_source *s;
    int rc;

    if (spec->file != NULL || spec->interface == NULL) {
        pl->host->logf(pl->self, SHOAL_LOG_ERROR,
                       "%s: af_packet reads live interfaces only (a trace: the pcap, bpf or "
                       "dispatch strategy)",
                       spec->file != NULL ? spec->file : "(no input)");
        return -EINVAL;
    }
    if (spec->filter != NULL) {
        pl->host->logf(pl->self, SHOAL_LOG_ERROR,
                       "interface %s: af_packet takes no BPF filter (\"%s\"): it has no libpcap "
                       "to compile one; use the bpf or pcap strategy",
                       spec->interface, spec->filter);
        return -EINVAL;
    }
    if (strlen(spec->interface) >= IF_NAMESIZE) {
        pl->host->logf(pl->self, SHOAL_LOG_ERROR, "interface %s: name longer than %d bytes",
                       spec->interface, IF_NAMESIZE - 1);
        return -EINVAL;
    }
    s = pl->host->alloc(pl->self, sizeof(*s));
    if (s == NULL) {
        return -ENOMEM;
    }
    memset(s, 0, offsetof(struct afp_source, frame));
    s->pl = pl;
    memcpy(s->ifname, spec->interface, strlen(spec->interface) + 1);
    s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (s->fd < 0) {
        rc = -errno;
        AFP_LOG(s, "interface %s: socket(AF_PACKET): %s", s->ifname, strerror(errno));
        goto out_free;
    }
    rc = afp_check_link(s);
    if (rc == 0) {
        rc = afp_ring(s);
    }
    if (rc == 0) {
        rc = afp_bind(s, spec);
    }
    if (rc < 0) {
        goto out_free;
    }
    pl->host->logf(pl->self, SHOAL_LOG_INFO,
                   "interface %s: worker %u of %u, fanout group %lld%s, %u blocks of %u KiB",
                   s->ifname, spec->worker, spec->nworkers, (long long)pl->cfg.fanout_id,
                   spec->nworkers > 1 ? "" : " (not joined: one worker)", s->nblocks,
                   s->block_size >> 10);
    *out = s;
    return 0;
out_free:
    afp_close(s);
    return rc < 0 ? rc : -EINVAL;
}

static int afp_datalink(void *src, const char **name)
{
    (void)src;
    *name = "EN10MB";
    return AFP_DLT_EN10MB;
}

/* A frame whose VLAN tag the kernel took off, with it put back. */
static const uint8_t *afp_untag(struct afp_source *s, const struct tpacket3_hdr *h,
                                const uint8_t *data, uint32_t *caplen, uint32_t *len)
{
    uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
    uint16_t tci = (uint16_t)h->hv1.tp_vlan_tci;

    if (*caplen < 12 || *caplen + 4 > sizeof(s->frame)) {
        return data;
    }
    memcpy(s->frame, data, 12);
    s->frame[12] = (uint8_t)(tpid >> 8);
    s->frame[13] = (uint8_t)tpid;
    s->frame[14] = (uint8_t)(tci >> 8);
    s->frame[15] = (uint8_t)tci;
    memcpy(s->frame + 16, data + 12, *caplen - 12);
    *caplen += 4;
    *len += 4;
    return s->frame;
}

static void afp_deliver(struct afp_source *s, const struct tpacket3_hdr *h, shoal_frame_fn deliver,
                        void *arg)
{
    const uint8_t *data = (const uint8_t *)h + h->tp_mac;
    struct shoal_frame f = {
        .ts = (double)h->tp_sec + (double)h->tp_nsec / 1e9,
        .caplen = h->tp_snaplen,
        .len = h->tp_len,
    };

    if ((h->tp_status & TP_STATUS_VLAN_VALID) != 0 && h->hv1.tp_vlan_tci != 0) {
        data = afp_untag(s, h, data, &f.caplen, &f.len);
    }
    f.data = data;
    deliver(arg, &f);
}

static int afp_next(void *src, int max, shoal_frame_fn deliver, void *arg)
{
    struct afp_source *s = src;
    int n = 0;

    while (n < max) {
        struct tpacket_block_desc *b =
            (struct tpacket_block_desc *)(s->ring + (size_t)s->block * s->block_size);

        if ((__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) == 0) {
            break;
        }
        if (s->pkt == NULL) {
            s->left = b->hdr.bh1.num_pkts;
            s->pkt = (uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
        }
        while (s->left > 0 && n < max) {
            const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)s->pkt;
            afp_deliver(s, h, deliver, arg);
            s->pkt += h->tp_next_offset;
            s->left--;
            n++;
        }
        if (s->left > 0) {
            break;
        }
        __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        s->pkt = NULL;
        s->block = (s->block + 1) % s->nblocks;
    }
    s->received += (uint64_t)n;
    return n;
}

static int afp_wait(void *src, int timeout_ms)
{
    struct afp_source *s = src;
    struct pollfd pfd = {.fd = s->fd, .events = POLLIN | POLLERR};

    return poll(&pfd, 1, timeout_ms);
}

static void afp_stats(void *src, struct shoal_source_stats *st)
{
    struct afp_source *s = src;
    struct tpacket_stats_v3 ks;
    socklen_t len = sizeof(ks);

    memset(&ks, 0, sizeof(ks));
    if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) == 0) {
        s->dropped += ks.tp_drops;
    }
    st->received = s->received;
    st->dropped = s->dropped;
}

static const struct shoal_frontend_ops afp_ops = {
    .size = sizeof(struct shoal_frontend_ops),
    .open = afp_open,
    .datalink = afp_datalink,
    .next = afp_next,
    .wait = afp_wait,
    .stats = afp_stats,
    .close = afp_close,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin af_packet_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "af_packet",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_FRONTEND,
    .summary = "Linux AF_PACKET fanout (kernel symmetric hash), TPACKET_V3 ring; no libpcap",
    .config = afp_cfg_keys,
    .config_size = sizeof(struct afp_config),
    .init = afp_init,
    .fini = afp_fini,
    .ops = &afp_ops,
};
