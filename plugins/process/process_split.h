/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How `process` shares a trace among n workers so that no session is cut:
 * worker i keeps the packets a BPF expression gives it, and the n
 * expressions split every trace into n disjoint parts whose union is the
 * trace.  The share of a packet is a hash of its address pair, symmetric
 * (the sum of the addresses, so both directions of a connection and all
 * fragments of a datagram fall together), mixed by a multiplication (Knuth's
 * 2654435761) so that the high bits carry every bit of the sum, then taken
 * modulo n:
 *
 *   IPv4:  ((((ip[12:4] + ip[16:4]) * 2654435761) >> 16) % n)
 *   IPv6:  the same over the eight 32-bit words of both addresses
 *
 * On Ethernet the same test is repeated under one and two VLAN tags
 * (802.1Q, 802.1ad, QinQ).  Packets the hash cannot place (ARP, MPLS,
 * PPPoE, a third tag, ...) all go to worker 0, so each one is analysed
 * exactly once.  Other link types that libpcap's `ip` and `ip6` know
 * (raw IP, Linux cooked, loopback) are split without the VLAN part.
 *
 * Also: the trace's link type, read with libpcap (which knows pcap and
 * pcapng), and a check that libpcap compiles an expression for it.
 *
 * No state; thread-safe.
 */
#ifndef PROCESS_SPLIT_H
#define PROCESS_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

/* The most workers a trace is split among. */
#define PROCESS_SPLIT_MAX 256

/*
 * The BPF expression of worker `i` (0-based) of `n` (2..PROCESS_SPLIT_MAX)
 * into buf, for a trace of link type `dlt` (a DLT_* value; Ethernet gets
 * the VLAN part).  Returns 0, -EINVAL for i >= n or n out of range, or
 * -ENOSPC when buf is too small (4096 bytes always suffice).
 */
int process_split_filter(unsigned i, unsigned n, int dlt, char *buf, size_t len);

/*
 * Open `trace` with libpcap: its link type into *dlt.  Returns 0, or -EIO
 * with libpcap's reason in err ("cannot read TRACE: ...").
 */
int process_split_datalink(const char *trace, int *dlt, char *err, size_t errlen);

/* Does libpcap compile `filter` for link type `dlt`?  When not, its reason
 * is in err. */
bool process_split_compiles(int dlt, const char *filter, char *err, size_t errlen);

#endif
