/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the quic analyzer, through the fake host: a mode
 * byte, then datagrams of one UDP/443 connection as tests/unit/fuzz_dgram.h
 * splits them.  Mode bit 0 clear: the datagrams go in as they are (the
 * header parser, Retry and version handling; Initial packets rarely open).
 * Set: each datagram is the plaintext of an Initial packet, protected here
 * as the client or the server would (quic_build.h), so the fuzzer reaches
 * the frame parser, the CRYPTO reassembly and the hello hand-over; bit 1
 * picks QUIC v2 over v1.  max_crypto is the smallest allowed.
 */
#include "fuzz_dgram.h"
#include "quic_build.h"
#include "quic_parse.h"

extern const struct shoal_plugin quic_LTX_shoal_plugin;

static const struct {
    int64_t max_crypto;
} fz_cfg = {2000};

struct fz_quic {
    struct fuzz_dgram_conn fc;
    uint32_t version;
    uint32_t pn;
};

static int fz_protect(void *arg, bool is_orig, const uint8_t *d, size_t n)
{
    static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    static const uint8_t scid[4] = {0xc1, 0x01, 0x02, 0x03};
    static uint8_t pkt[QUIC_PKT_MAX];
    struct fz_quic *fq = arg;
    size_t len;

    if (n > QUIC_PKT_MAX - 128) {
        n = QUIC_PKT_MAX - 128;
    }
    len =
        qb_initial(pkt, sizeof(pkt), fq->version, is_orig, dcid, sizeof(dcid),
                   is_orig ? dcid : scid, is_orig ? sizeof(dcid) : sizeof(scid),
                   is_orig ? scid : dcid, is_orig ? sizeof(scid) : sizeof(dcid), fq->pn++, d, n, 0);
    if (len == 0) {
        return SHOAL_AN_OK;
    }
    return fuzz_dgram_feed(&fq->fc, is_orig, pkt, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_quic fq = {0};

    if (size < 1) {
        return 0;
    }
    fuzz_dgram_start(&fq.fc, &quic_LTX_shoal_plugin, &fz_cfg, 50000, 443);
    if (data[0] & 1) {
        fq.version = (data[0] & 2) ? QUIC_VERSION_2 : QUIC_VERSION_1;
        fuzz_dgram_split(data + 1, size - 1, fz_protect, &fq);
    } else {
        fuzz_dgram_split(data + 1, size - 1, fuzz_dgram_feed, &fq.fc);
    }
    fuzz_dgram_end(&fq.fc);
    return 0;
}
