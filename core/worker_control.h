/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker answers on its control channel (control.h): its status
 * (packet source, log channel), its counters (packets and connections of
 * the connection table, the decoder's, the log channel's), its peer (the
 * manager: connected or not, from the log channel's socket monitor), its
 * settings (shoal.cfg as loaded) and `stop` (as SIGTERM).  Driven by the
 * worker's cluster runtime (cluster_node.c) on the packet thread.
 */
#ifndef SHOAL_WORKER_CONTROL_H
#define SHOAL_WORKER_CONTROL_H

#include "layout.h"
#include "worker_link.h"
#include "zsec.h"

struct shoal_ctx;
struct shoal_nodestate;
struct shoal_worker_control;

/*
 * Bind the control port of worker `self` of `layout` with `z` (which must
 * serve ZAP).  Everything is borrowed and must outlive the result: `ctx`
 * (the packet context), `wl` (the log channel), `state` (may be NULL) and
 * `source` (the packet source's name, for status).  Returns 0 and *out, or
 * a negative errno (logged).
 */
int shoal_worker_control_new(const struct shoal_layout *layout,
                             const struct shoal_layout_node *self, struct shoal_zsec *z,
                             struct shoal_ctx *ctx, const struct shoal_worker_link *wl,
                             const struct shoal_nodestate *state, const char *source,
                             struct shoal_worker_control **out);

/* Answer the pending ZAP and control requests; never blocks.  Accepts NULL. */
void shoal_worker_control_poll(struct shoal_worker_control *wc);

/* Close the control socket and free.  Accepts NULL. */
void shoal_worker_control_free(struct shoal_worker_control *wc);

#endif
