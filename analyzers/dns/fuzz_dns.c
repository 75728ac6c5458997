/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the dns analyzer, driven through the fake host.
 * The first input byte picks the mode: bit 0 TCP (else UDP), bits 1-2 the
 * flavour of connection (DNS on 53, NetBIOS on 137, mDNS to a multicast
 * group, LLMNR to ff02::1:3), bit 3 whether a TCP stream ends with FIN; the
 * second byte is the chunk size TCP data is cut into.  UDP gets the rest
 * split at every "\xde\xad" marker into datagrams of alternating
 * direction; TCP gets it as the originator's stream, then the same bytes
 * as the responder's.
 */
#include <stdlib.h>
#include <string.h>

#include "fakehost.h"

extern const struct shoal_plugin dns_LTX_shoal_plugin;

static void *fz_ps;
static const struct shoal_analyzer_ops *fz_ops;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *resp[4] = {"10.0.0.2", "10.0.0.255", "224.0.0.251", "ff02::1:3"};
    static const char *orig[4] = {"10.0.0.1", "10.0.0.1", "10.0.0.1", "fe80::1"};
    static const uint16_t port[4] = {53, 137, 5353, 5355};

    if (fz_ps == NULL) {
        fz_ops = dns_LTX_shoal_plugin.ops;
        if (fakehost_init(&dns_LTX_shoal_plugin, NULL, &fz_ps) != 0) {
            abort();
        }
    }
    if (size < 2) {
        return 0;
    }
    unsigned mode = data[0];
    size_t chunk = data[1] ? data[1] : 1;
    bool tcp = mode & 1;
    unsigned flavour = (mode >> 1) & 3;
    data += 2;
    size -= 2;

    fakehost_reset();
    struct shoal_conn *c =
        fakehost_conn(orig[flavour], tcp ? 50000 : port[flavour], resp[flavour],
                      tcp ? 53 : port[flavour], tcp ? SHOAL_PROTO_TCP : SHOAL_PROTO_UDP);
    void *cs = calloc(1, fz_ops->conn_size);
    if (c == NULL || cs == NULL) {
        abort();
    }
    fz_ops->conn_new(fz_ps, c, cs);
    fakehost_set_time(1.0);

    if (tcp) {
        for (int dir = 0; dir < 2; dir++) {
            for (size_t off = 0; off < size; off += chunk) {
                size_t n = size - off < chunk ? size - off : chunk;
                /* Copy so that reads past the chunk are caught. */
                uint8_t *tmp = malloc(n);
                memcpy(tmp, data + off, n);
                fz_ops->data(fz_ps, c, cs, dir == 0, tmp, n);
                free(tmp);
            }
            if (mode & 8) {
                fz_ops->eof(fz_ps, c, cs, dir == 0);
            } else if (dir == 0 && size > 0) {
                fz_ops->gap(fz_ps, c, cs, false, 10);
            }
        }
    } else {
        size_t start = 0;
        bool dir = true;
        for (size_t i = 0; i <= size; i++) {
            if (i == size || (i + 1 < size && data[i] == 0xde && data[i + 1] == 0xad)) {
                size_t n = i - start;
                uint8_t *tmp = malloc(n ? n : 1);
                memcpy(tmp, data + start, n);
                fakehost_set_time(1.0 + (double)i / 1000.0);
                fz_ops->data(fz_ps, c, cs, dir, tmp, n);
                free(tmp);
                dir = !dir;
                start = i + 2;
                i++;
            }
        }
    }
    fz_ops->conn_done(fz_ps, c, cs);
    free(cs);
    return 0;
}
