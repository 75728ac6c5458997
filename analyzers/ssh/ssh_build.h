/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders of SSH messages for the ssh analyzer's tests and fuzz seeds
 * (test-only: the plugin does not include it).
 */
#ifndef SHOAL_SSH_BUILD_H
#define SHOAL_SSH_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SSH_MB_MAX 8192

struct ssh_mb {
    uint8_t b[SSH_MB_MAX];
    size_t n;
};

static inline void smb_u32(struct ssh_mb *m, uint32_t v)
{
    m->b[m->n++] = (uint8_t)(v >> 24);
    m->b[m->n++] = (uint8_t)(v >> 16);
    m->b[m->n++] = (uint8_t)(v >> 8);
    m->b[m->n++] = (uint8_t)v;
}

static inline void smb_str(struct ssh_mb *m, const char *s)
{
    smb_u32(m, (uint32_t)strlen(s));
    memcpy(m->b + m->n, s, strlen(s));
    m->n += strlen(s);
}

/* An SSH-2 binary packet around payload[0..len): 4 bytes of padding
 * (at least), the block size 8. */
static inline void smb_packet(struct ssh_mb *m, const uint8_t *payload, size_t len)
{
    size_t pad = 8 - (5 + len) % 8;
    if (pad < 4) {
        pad += 8;
    }
    smb_u32(m, (uint32_t)(1 + len + pad));
    m->b[m->n++] = (uint8_t)pad;
    memcpy(m->b + m->n, payload, len);
    m->n += len;
    memset(m->b + m->n, 0, pad);
    m->n += pad;
}

/* A KEXINIT with the given name lists (kex, host key, cipher, mac, comp;
 * each used for both directions). */
static inline void smb_kexinit(struct ssh_mb *m, const char *kex, const char *hk,
                               const char *cipher, const char *mac, const char *comp)
{
    struct ssh_mb p = {{0}, 0};
    p.b[p.n++] = 20;
    memset(p.b + p.n, 0x5a, 16);
    p.n += 16;
    smb_str(&p, kex);
    smb_str(&p, hk);
    smb_str(&p, cipher);
    smb_str(&p, cipher);
    smb_str(&p, mac);
    smb_str(&p, mac);
    smb_str(&p, comp);
    smb_str(&p, comp);
    smb_str(&p, "");
    smb_str(&p, "");
    p.b[p.n++] = 0;
    smb_u32(&p, 0);
    smb_packet(m, p.b, p.n);
}

/* The server's key exchange reply (type 31 or 33) with a host key blob. */
static inline void smb_kex_reply(struct ssh_mb *m, uint8_t type, const char *key)
{
    struct ssh_mb p = {{0}, 0};
    p.b[p.n++] = type;
    smb_str(&p, key);
    smb_str(&p, "server-ephemeral");
    smb_str(&p, "signature");
    smb_packet(m, p.b, p.n);
}

static inline void smb_newkeys(struct ssh_mb *m)
{
    static const uint8_t nk = 21;
    smb_packet(m, &nk, 1);
}

#endif
