/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The weird recorder of the decoder's tests (see decode_weirds.h).
 */
#include "decode_weirds.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

struct weird_rec weirds[MAX_WEIRDS];
int nweirds;

void addr_str(const struct shoal_addr *a, char *buf, size_t len)
{
    if (a == NULL) {
        snprintf(buf, len, "-");
    } else if (shoal_addr_is_v4(a)) {
        inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)len);
    } else {
        inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
    }
}

void rec_weird(void *ctx, const char *name, const char *addl, const char *source,
               const struct shoal_addr *src, const struct shoal_addr *dst)
{
    struct weird_rec *w;

    (void)ctx;
    if (nweirds >= MAX_WEIRDS) {
        return;
    }
    w = &weirds[nweirds++];
    snprintf(w->name, sizeof(w->name), "%s", name);
    snprintf(w->addl, sizeof(w->addl), "%s", addl != NULL ? addl : "-");
    snprintf(w->source, sizeof(w->source), "%s", source != NULL ? source : "-");
    addr_str(src, w->src, sizeof(w->src));
    addr_str(dst, w->dst, sizeof(w->dst));
}

void dedup_weirds(void)
{
    int n = 0;

    for (int i = 0; i < nweirds; i++) {
        bool dup = false;

        for (int j = 0; j < n && !dup; j++) {
            dup = strcmp(weirds[i].name, weirds[j].name) == 0 &&
                  strcmp(weirds[i].source, weirds[j].source) == 0 &&
                  strcmp(weirds[i].src, weirds[j].src) == 0 &&
                  strcmp(weirds[i].dst, weirds[j].dst) == 0;
        }
        if (!dup) {
            weirds[n++] = weirds[i];
        }
    }
    nweirds = n;
}

int find_weird(const char *name)
{
    for (int i = 0; i < nweirds; i++) {
        if (strcmp(weirds[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

struct shoal_decoder *new_dec(int linktype, bool ignore_cksum)
{
    struct shoal_decode_opts o = {0};

    o.ignore_checksums = ignore_cksum;
    o.weird = rec_weird;
    nweirds = 0;
    return shoal_decoder_new(linktype, &o);
}
