/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-drain CHANNEL N I: the fastest consumer of a dispatcher's ring I of
 * N (frontends/dispatch): it maps the region of CHANNEL once the
 * dispatcher made it, takes every frame without looking at it and prints
 * "frames=F bytes=B" when the dispatcher is done, so `make bench` times
 * the dispatcher alone and reads how evenly it spread the frames.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dispatch_ring.h"

struct drain_count {
    uint64_t frames;
    uint64_t bytes;
};

static void drain_frame(void *arg, double ts, const uint8_t *data, uint32_t caplen, uint32_t len)
{
    struct drain_count *c = arg;

    (void)ts;
    (void)data;
    (void)caplen;
    c->frames++;
    c->bytes += len;
}

int main(int argc, char **argv)
{
    struct dring_map m = {0};
    struct drain_count c = {0};
    char name[64], chan[4096];

    if (argc != 4) {
        fprintf(stderr, "usage: bench-drain CHANNEL N I\n");
        return 2;
    }
    snprintf(chan, sizeof(chan), "%s", argv[1]);
    dring_name(name, sizeof(name), chan);
    unsigned n = (unsigned)strtoul(argv[2], NULL, 10), i = (unsigned)strtoul(argv[3], NULL, 10);
    for (int tries = 0; dring_attach(&m, name) < 0; tries++) {
        struct timespec ts = {0, 10000000L};
        if (tries > 3000) {
            fprintf(stderr, "bench-drain: no dispatcher region %s\n", name);
            return 1;
        }
        nanosleep(&ts, NULL);
    }
    if (m.h->nworkers != n || i >= n) {
        fprintf(stderr, "bench-drain: the region has %u rings\n", m.h->nworkers);
        return 1;
    }
    struct dring *r = &m.h->rings[i];
    __atomic_store_n(&r->attached, 1, __ATOMIC_RELEASE);
    while (!dring_ended(m.h, r)) {
        if (dring_take(m.h, r, 4096, drain_frame, &c) == 0) {
            dring_wait_frames(r, 100);
        }
    }
    printf("frames=%llu bytes=%llu\n", (unsigned long long)c.frames, (unsigned long long)c.bytes);
    dring_unmap(&m);
    return 0;
}
