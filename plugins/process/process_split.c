/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BPF expressions that share a trace among `process`'s workers (see
 * process_split.h), and the two questions asked of libpcap about a trace:
 * its link type, and whether an expression compiles for it.
 */
#include "process_split.h"

#include <errno.h>
#include <stdio.h>

#include <pcap/pcap.h>

/* The hash of an address pair modulo n: the sum of the address words
 * (symmetric), times Knuth's multiplicative constant, bits 16..31. */
#define SPLIT_HASH4 "((((ip[12:4] + ip[16:4]) * 2654435761) >> 16) %% %u)"
#define SPLIT_HASH6                                                                                \
    "((((ip6[8:4] + ip6[12:4] + ip6[16:4] + ip6[20:4] + ip6[24:4] + ip6[28:4] + ip6[32:4] + "      \
    "ip6[36:4]) * 2654435761) >> 16) %% %u)"

/* Not IPv4, not IPv6 and not a VLAN tag: a packet the hash cannot place.
 * The ethertypes are tested with `ether proto`, which, unlike the `vlan`
 * keyword, does not move the offsets of what follows it. */
#define SPLIT_UNPLACED_ETHER                                                                       \
    "not (ip or ip6 or ether proto 0x8100 or ether proto 0x88a8 or ether proto 0x9100)"
#define SPLIT_UNPLACED "not (ip or ip6)"

int process_split_filter(unsigned i, unsigned n, int dlt, char *buf, size_t len)
{
    char t[1024]; /* the test at one level of tags */
    int k;

    if (n < 2 || n > PROCESS_SPLIT_MAX || i >= n) {
        return -EINVAL;
    }
    k = snprintf(t, sizeof(t), "((ip and " SPLIT_HASH4 " = %u) or (ip6 and " SPLIT_HASH6 " = %u))",
                 n, i, n, i);
    if (k < 0 || (size_t)k >= sizeof(t)) {
        return -ENOSPC;
    }
    /* `vlan` moves the offsets of everything after it by one tag, so each
     * level's test follows the tag it looks behind. */
    if (dlt != DLT_EN10MB) {
        k = i == 0 ? snprintf(buf, len, SPLIT_UNPLACED " or %s", t) : snprintf(buf, len, "%s", t);
    } else if (i == 0) {
        k = snprintf(buf, len,
                     SPLIT_UNPLACED_ETHER " or %s or (vlan and (" SPLIT_UNPLACED_ETHER
                                          " or %s or (vlan and (" SPLIT_UNPLACED " or %s))))",
                     t, t, t);
    } else {
        k = snprintf(buf, len, "%s or (vlan and (%s or (vlan and %s)))", t, t, t);
    }
    return k >= 0 && (size_t)k < len ? 0 : -ENOSPC;
}

int process_split_datalink(const char *trace, int *dlt, char *err, size_t errlen)
{
    char why[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline(trace, why);

    if (p == NULL) {
        snprintf(err, errlen, "cannot read %s: %s", trace, why);
        return -EIO;
    }
    *dlt = pcap_datalink(p);
    pcap_close(p);
    return 0;
}

bool process_split_compiles(int dlt, const char *filter, char *err, size_t errlen)
{
    pcap_t *p = pcap_open_dead(dlt, 65535);
    struct bpf_program prog;
    bool ok;

    if (p == NULL) {
        snprintf(err, errlen, "libpcap: out of memory");
        return false;
    }
    ok = pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (ok) {
        pcap_freecode(&prog);
    } else {
        snprintf(err, errlen, "%s", pcap_geterr(p));
    }
    pcap_close(p);
    return ok;
}
