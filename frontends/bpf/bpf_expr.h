/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The share expression of the bpf frontend (bpf_expr.c): a libpcap filter
 * that keeps worker i's share of n, symmetric in both directions, so that
 * n workers each reading the whole input with their own expression see
 * every session exactly once.  Host-independent (no libpcap needed to
 * build it; the tests compile it with libpcap).
 */
#ifndef SHOAL_FRONTEND_BPF_EXPR_H
#define SHOAL_FRONTEND_BPF_EXPR_H

#include <stddef.h>
#include <stdint.h>

/* The link types whose VLAN tags the expression follows (DLT_EN10MB). */
#define BPF_EXPR_DLT_EN10MB 1

/* VLAN tags followed at most (the `vlan` keyword once per level). */
#define BPF_EXPR_MAX_VLAN 4

/*
 * Write into buf (len bytes) the expression keeping worker `worker` of
 * `n` (n >= 2) of frames of link type `dlt`, hashed over `mode` (enum
 * shoal_flow_hash: 2, 4 or 5; another value is taken as 2):
 *   - IPv4 and IPv6 by a sum of the 32-bit words of both addresses (the
 *     4-tuple adds both ports of TCP, UDP and SCTP, the 5-tuple the
 *     protocol too), folded and taken modulo n: sums commute, so both
 *     directions agree;
 *   - IP fragments (IPv4 MF or offset, an IPv6 fragment header right after
 *     the fixed header) by the 2-tuple in every mode, so all of a
 *     datagram's pieces reach one worker;
 *   - up to `vlan_depth` VLAN tags (0 .. BPF_EXPR_MAX_VLAN; Ethernet
 *     only) and the same inside;
 *   - anything else (not IP, deeper tags, MPLS) to worker 0 alone.
 * `user`, when not NULL, is and-ed in front: "(user) and (share)".
 * Returns the expression's length, or -1 when it does not fit or an
 * argument is out of range.
 */
int bpf_expr_share(char *buf, size_t len, uint32_t worker, uint32_t n, uint32_t mode, int dlt,
                   int vlan_depth, const char *user);

#endif
