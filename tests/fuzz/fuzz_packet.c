/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the whole packet path below the analyzers: frames are
 * decoded and fed to a connection context, so the TCP state machine and
 * reassembly, the UDP/ICMP handling, tunnel decapsulation (Teredo, AYIYA,
 * VXLAN, Geneve, GTPv1, GRE over IP and UDP, IP-in-IP, nested) and the log
 * writers all see the bytes.  Input: a
 * sequence of records [u16 little-endian length][u16 time step in ms][frame].
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/conn.h"
#include "engine/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct shoal_config fuzz_cfg;
static bool fuzz_ready;

static void fuzz_weird(void *ctx, const char *name, const char *addl, const char *source,
                       const struct shoal_addr *src, const struct shoal_addr *dst)
{
    shoal_ctx_net_weird(ctx, name, addl, source, src, dst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_ready) {
        char tmpl[] = "/tmp/shoal-fuzz.XXXXXX";
        if (shoal_config_defaults(&fuzz_cfg) < 0 || mkdtemp(tmpl) == NULL) {
            abort();
        }
        free(fuzz_cfg.log_dir);
        fuzz_cfg.log_dir = strdup(tmpl);
        fuzz_cfg.max_conns = 64; /* exercise eviction too */
        fuzz_ready = true;
    }
    struct shoal_ctx *x = shoal_ctx_new(&fuzz_cfg);
    struct shoal_decode_opts o = {.weird = fuzz_weird, .frag_mem_max = 1 << 16};
    o.weird_ctx = x;
    struct shoal_decoder *d = shoal_decoder_new(DLT_EN10MB, &o);
    double ts = 1000.0;

    if (x == NULL || d == NULL) {
        abort();
    }
    shoal_ctx_set_decoder(x, d);
    while (size >= 4) {
        size_t len = (size_t)data[0] | (size_t)data[1] << 8;
        ts += ((double)data[2] + (double)data[3] * 256.0) / 1000.0;
        data += 4;
        size -= 4;
        if (len > size) {
            len = size;
        }
        struct shoal_pkt p;
        shoal_ctx_advance(x, ts);
        if (shoal_decode(d, ts, data, (uint32_t)len, (uint32_t)len, &p) == 1) {
            shoal_ctx_packet(x, &p);
        }
        data += len;
        size -= len;
    }
    shoal_ctx_free(x);
    shoal_decoder_free(d);
    return 0;
}
