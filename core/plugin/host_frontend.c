/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host table of frontend plugins (host->frontend): a progress line on
 * a terminal for what a dispatcher reads, at most twice a second.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "plugin/host.h"

static void host_progress(struct shoal_self *self, uint64_t done, uint64_t total)
{
    static double next;
    struct timespec t;
    double now;

    if (!isatty(STDERR_FILENO)) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
    now = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
    if (now < next && done != total) {
        return;
    }
    next = now + 0.5;
    if (total > 0) {
        fprintf(stderr, "\r%s: %5.1f%%%s", self->env->node_name != NULL ? self->env->node_name : "",
                100.0 * (double)done / (double)total, done == total ? "\n" : "   ");
    } else {
        fprintf(stderr, "\r%s: %llu%s", self->env->node_name != NULL ? self->env->node_name : "",
                (unsigned long long)done, "   ");
    }
}

const struct shoal_frontend_host shoal_host_frontend_table = {
    .size = sizeof(struct shoal_frontend_host),
    .progress = host_progress,
};
