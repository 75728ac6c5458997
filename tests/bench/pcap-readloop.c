/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcap-readloop: the floor `make bench` measures shoal against.  It opens a
 * trace with pcap_open_offline() and runs pcap_dispatch() to the end, counting
 * packets and bytes (on-the-wire length) and doing nothing else, so its time
 * is what libpcap alone needs to hand every packet of the file to a callback.
 * It prints one line, "packets=N bytes=M captured=C", on stdout.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

struct readloop_counts {
    uint64_t packets;
    uint64_t bytes;    /* original (wire) length */
    uint64_t captured; /* bytes present in the file */
};

/* The whole per-packet work: add to the counters. */
static void readloop_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct readloop_counts *c = (struct readloop_counts *)user;

    (void)bytes;
    c->packets++;
    c->bytes += h->len;
    c->captured += h->caplen;
}

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct readloop_counts c = {0, 0, 0};
    pcap_t *p;
    int n;

    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: pcap-readloop FILE.pcap\n"
                        "Reads FILE with libpcap and prints packets=N bytes=M captured=C.\n");
        return 2;
    }
    errbuf[0] = '\0';
    p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "pcap-readloop: %s: pcap_open_offline: %s\n", argv[1], errbuf);
        return 1;
    }
    do {
        n = pcap_dispatch(p, -1, readloop_packet, (u_char *)&c);
    } while (n > 0);
    if (n == PCAP_ERROR) {
        fprintf(stderr, "pcap-readloop: %s: pcap_dispatch: %s\n", argv[1], pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("packets=%" PRIu64 " bytes=%" PRIu64 " captured=%" PRIu64 "\n", c.packets, c.bytes,
           c.captured);
    return 0;
}
