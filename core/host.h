/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host table handed to plugins: each entry forwards to the core module
 * that implements it, for the packet-thread context made current with
 * shoal_host_set_ctx().
 */
#ifndef SHOAL_HOST_H
#define SHOAL_HOST_H

#include "shoal/shoal.h"

struct shoal_ctx;

/* The table (static storage, valid for the life of the process). */
const struct shoal_host *shoal_host_table(void);

/* Make `x` the context the host functions of this thread act on. */
void shoal_host_set_ctx(struct shoal_ctx *x);

#endif
