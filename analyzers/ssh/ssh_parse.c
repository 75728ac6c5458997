/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SSH machine (see ssh_parse.h): version lines, SSH-1 and SSH-2
 * packets in the clear, the negotiated algorithms, the host key, and
 * Zeek's inference of authentication from the sizes of encrypted server
 * segments.
 */
#include "ssh_parse.h"

#include <stdio.h>
#include <string.h>

enum {
    SSH_ST_VERSION = 0, /* reading the version line */
    SSH_ST_PACKETS,     /* binary packets in the clear */
    SSH_ST_ENCRYPTED,   /* after NEWKEYS (SSH-1: the session key) */
    SSH_ST_DONE,        /* nothing more to read */
};

#define SSH_MSG_KEXINIT 20
#define SSH_MSG_NEWKEYS 21
#define SSH_MSG_KEX_FIRST 30 /* the method-specific key exchange messages */
#define SSH_MSG_KEX_LAST 49
#define SSH_MSG_KEX_REPLY 31     /* KEXDH_REPLY, KEX_ECDH_REPLY, ... (GEX: GEX_GROUP) */
#define SSH_MSG_KEX_GEX_REPLY 33 /* KEX_DH_GEX_REPLY */
#define SSH1_CMSG_SESSION_KEY 3
#define SSH_KEXINIT_COOKIE 16
#define SSH_NAME_LISTS 10
#define SSH_AUTH_SUCCESS_DELTA 16 /* USERAUTH_SUCCESS is 16 bytes below SERVICE_ACCEPT */

static void ssh_violation(struct ssh_parser *p, const char *reason)
{
    if (p->stopped) {
        return;
    }
    p->stopped = true;
    p->violated = true;
    snprintf(p->reason, sizeof(p->reason), "%s", reason);
}

/* The major protocol version a version line announces: 1, 2, or 199 for
 * "1.99" (a server speaking both); 0 when not a version. */
static int ssh_line_major(const char *v)
{
    size_t n = strlen(v);
    if (n <= 4) {
        return 0;
    }
    if (v[4] == '1') {
        return n > 7 && v[6] == '9' && v[7] == '9' ? 199 : 1;
    }
    return v[4] == '2' ? 2 : 0;
}

/* Zeek's SSH::set_version once both lines are known. */
static void ssh_set_version(struct ssh_parser *p)
{
    struct ssh_session *s = &p->s;
    int c, sv;

    if (s->client == NULL || s->server == NULL) {
        return;
    }
    c = ssh_line_major(s->client);
    sv = ssh_line_major(s->server);
    if (c == 0 || sv == 0) {
        return;
    }
    s->has_version = true;
    if ((c == 2 || c == 199) && (sv == 2 || sv == 199)) {
        s->version = 2;
    } else if (c == 1 && sv == 199) {
        s->version = 1;
    } else if (c == 199 && sv == 1) {
        s->version = 0;
    } else if (c == 1 && sv == 1) {
        s->version = 1;
    } else {
        s->version = 0; /* SSH-1 against SSH-2 */
    }
}

/* Make room for `want` bytes in d->buf (at most max_packet). */
static bool ssh_room(struct ssh_parser *p, struct ssh_dir *d, uint32_t want)
{
    if (want > p->max_packet) {
        ssh_violation(p, "SSH packet over the configured limit");
        return false;
    }
    if (want > d->buf_cap) {
        uint8_t *nb = p->cb->alloc(p->ud, want);
        if (nb == NULL) {
            p->stopped = true;
            return false;
        }
        if (d->buf_len > 0) {
            memcpy(nb, d->buf, d->buf_len);
        }
        p->cb->free(p->ud, d->buf);
        d->buf = nb;
        d->buf_cap = want;
    }
    return true;
}

/* ---- version lines ---- */

static void ssh_version_line(struct ssh_parser *p, bool is_orig, const uint8_t *line, size_t n)
{
    struct ssh_dir *d = &p->d[is_orig];
    char **dst = is_orig ? &p->s.client : &p->s.server;

    if (n > 0 && line[n - 1] == '\r') {
        n--;
    }
    if (n < 4 || memcmp(line, "SSH-", 4) != 0) {
        ssh_violation(p, "malformed ssh identification");
        return;
    }
    if (*dst == NULL) {
        *dst = p->cb->alloc(p->ud, n + 1);
        if (*dst == NULL) {
            p->stopped = true;
            return;
        }
        memcpy(*dst, line, n);
        (*dst)[n] = '\0';
    }
    p->s.touched = true;
    d->state = SSH_ST_PACKETS;
    ssh_set_version(p);
}

/* Bytes of a direction still reading its version line: returns how many
 * it took. */
static size_t ssh_version_data(struct ssh_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    struct ssh_dir *d = &p->d[is_orig];
    const uint8_t *nl = memchr(data, '\n', len);
    size_t take = nl != NULL ? (size_t)(nl - data) + 1 : len;

    if (d->buf_len == 0 && nl != NULL) {
        ssh_version_line(p, is_orig, data, take - 1);
        return take;
    }
    if (d->buf_len + take > SSH_VERSION_MAX + 1) {
        ssh_violation(p, "ssh identification too long");
        return len;
    }
    if (!ssh_room(p, d, SSH_VERSION_MAX + 1)) {
        return len;
    }
    memcpy(d->buf + d->buf_len, data, take);
    d->buf_len += (uint32_t)take;
    if (nl != NULL) {
        uint32_t total = d->buf_len;
        d->buf_len = 0;
        ssh_version_line(p, is_orig, d->buf, total - 1);
    }
    return take;
}

/* ---- KEXINIT and the negotiated algorithms ---- */

/* Name list i (0..9) of the stored KEXINIT lists of k: its bytes. */
static bool ssh_list(const struct ssh_kexinit *k, int i, const uint8_t **v, uint32_t *n)
{
    uint32_t off = 0;
    for (int j = 0; j <= i; j++) {
        if (k->len - off < 4) {
            return false;
        }
        uint32_t l = (uint32_t)k->p[off] << 24 | (uint32_t)k->p[off + 1] << 16 |
                     (uint32_t)k->p[off + 2] << 8 | k->p[off + 3];
        off += 4;
        if (l > k->len - off) {
            return false;
        }
        *v = k->p + off;
        *n = l;
        off += l;
    }
    return true;
}

/* Is name[0..n) one of the comma-separated names of list[0..ln)? */
static bool ssh_in_list(const uint8_t *list, uint32_t ln, const uint8_t *name, size_t n)
{
    uint32_t i = 0;
    while (i < ln) {
        uint32_t j = i;
        while (j < ln && list[j] != ',') {
            j++;
        }
        if (j - i == n && n > 0 && memcmp(list + i, name, n) == 0) {
            return true;
        }
        i = j + 1;
    }
    return false;
}

/* Zeek's find_alg: the client's first name the server also lists. */
static void ssh_find_alg(const struct ssh_kexinit *cl, const struct ssh_kexinit *sv, int i,
                         char *out, size_t size)
{
    const uint8_t *c, *s;
    uint32_t cn, sn;

    snprintf(out, size, "Algorithm negotiation failed");
    if (!ssh_list(cl, i, &c, &cn) || !ssh_list(sv, i, &s, &sn)) {
        return;
    }
    uint32_t a = 0;
    while (a < cn) {
        uint32_t b = a;
        while (b < cn && c[b] != ',') {
            b++;
        }
        if (b > a && ssh_in_list(s, sn, c + a, b - a)) {
            snprintf(out, size, "%.*s", (int)(b - a), (const char *)c + a);
            return;
        }
        a = b + 1;
    }
}

static void ssh_set_alg(struct ssh_parser *p, enum ssh_alg which, const char *v)
{
    size_t n = strlen(v);
    char *a = p->cb->alloc(p->ud, n + 1);

    if (a == NULL) {
        return;
    }
    memcpy(a, v, n + 1);
    p->cb->free(p->ud, p->s.alg[which]);
    p->s.alg[which] = a;
}

/* Zeek's find_bidirectional_alg over lists i (client to server) and i + 1. */
static void ssh_bidir(struct ssh_parser *p, enum ssh_alg which, int i)
{
    const struct ssh_kexinit *cl = &p->d[1].kex, *sv = &p->d[0].kex;
    char c2s[SSH_ALG_MAX + 1], s2c[SSH_ALG_MAX + 1], both[2 * SSH_ALG_MAX + 32];

    ssh_find_alg(cl, sv, i, c2s, sizeof(c2s));
    ssh_find_alg(cl, sv, i + 1, s2c, sizeof(s2c));
    if (strcmp(c2s, s2c) == 0) {
        ssh_set_alg(p, which, c2s);
        return;
    }
    snprintf(both, sizeof(both), "To server: %s, to client: %s", c2s, s2c);
    ssh_set_alg(p, which, both);
}

static void ssh_negotiate(struct ssh_parser *p)
{
    char v[SSH_ALG_MAX + 1];
    const char *comp;

    p->kex_done = true;
    ssh_bidir(p, SSH_ALG_CIPHER, 2);
    ssh_bidir(p, SSH_ALG_MAC, 4);
    ssh_bidir(p, SSH_ALG_COMPRESSION, 6);
    ssh_find_alg(&p->d[1].kex, &p->d[0].kex, 0, v, sizeof(v));
    ssh_set_alg(p, SSH_ALG_KEX, v);
    p->gex = strncmp(v, "diffie-hellman-group-exchange", 29) == 0;
    ssh_find_alg(&p->d[1].kex, &p->d[0].kex, 1, v, sizeof(v));
    ssh_set_alg(p, SSH_ALG_HOST_KEY, v);
    comp = p->s.alg[SSH_ALG_COMPRESSION];
    p->compressed =
        comp != NULL && (strcmp(comp, "zlib") == 0 || strcmp(comp, "zlib@openssh.com") == 0);
    for (int i = 0; i < 2; i++) {
        p->cb->free(p->ud, p->d[i].kex.p);
        p->d[i].kex.p = NULL;
        p->d[i].kex.len = 0;
    }
}

static void ssh_kexinit(struct ssh_parser *p, bool is_orig, const uint8_t *b, size_t n)
{
    struct ssh_kexinit *k = &p->d[is_orig].kex;
    const struct ssh_kexinit probe = {
        (uint8_t *)b + 1 + SSH_KEXINIT_COOKIE,
        n > 1 + SSH_KEXINIT_COOKIE ? (uint32_t)(n - 1 - SSH_KEXINIT_COOKIE) : 0};
    const uint8_t *v;
    uint32_t vn;

    if (p->kex_done || k->p != NULL) {
        return; /* a re-key, or a second KEXINIT of the same side */
    }
    if (probe.len == 0 || !ssh_list(&probe, SSH_NAME_LISTS - 1, &v, &vn)) {
        ssh_violation(p, "malformed SSH KEXINIT");
        return;
    }
    k->p = p->cb->alloc(p->ud, probe.len);
    if (k->p == NULL) {
        return;
    }
    memcpy(k->p, probe.p, probe.len);
    k->len = probe.len;
    if (p->d[0].kex.p != NULL && p->d[1].kex.p != NULL) {
        ssh_negotiate(p);
    }
}

static void ssh_host_key(struct ssh_parser *p, const uint8_t *b, size_t n)
{
    if (n < 5) {
        return;
    }
    uint32_t l = (uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 8 | b[4];
    if (l > n - 5) {
        ssh_violation(p, "malformed SSH key exchange reply");
        return;
    }
    p->cb->sha256(b + 5, l, p->s.host_key_sha256);
    p->s.has_host_key = true;
}

/* ---- packets ---- */

/* One SSH-2 payload (type and data) in the clear. */
static void ssh2_message(struct ssh_parser *p, bool is_orig, const uint8_t *b, size_t n)
{
    if (n == 0) {
        return;
    }
    if (b[0] >= SSH_MSG_KEX_FIRST && b[0] <= SSH_MSG_KEX_LAST && !p->kex_done) {
        /* Zeek reads these by the negotiated method: unknown, it gives up. */
        ssh_violation(p, "SSH key exchange message without a negotiated method");
        return;
    }
    switch (b[0]) {
    case SSH_MSG_KEXINIT:
        ssh_kexinit(p, is_orig, b, n);
        break;
    case SSH_MSG_NEWKEYS:
        p->d[is_orig].state = SSH_ST_ENCRYPTED;
        p->cb->confirm(p->ud);
        break;
    case SSH_MSG_KEX_REPLY:
        if (!is_orig && p->kex_done && !p->gex) {
            ssh_host_key(p, b, n);
        }
        break;
    case SSH_MSG_KEX_GEX_REPLY:
        if (!is_orig && p->kex_done && p->gex) {
            ssh_host_key(p, b, n);
        }
        break;
    default:
        break;
    }
}

/* One whole packet: 4-byte length, then (SSH-2) padding length and
 * payload, or (SSH-1) padding and type. */
static void ssh_packet(struct ssh_parser *p, bool is_orig, const uint8_t *pkt, uint32_t total)
{
    const uint8_t *b = pkt + 4;
    uint32_t n = total - 4;

    if (p->s.version == 1) {
        uint32_t len =
            (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 | (uint32_t)pkt[2] << 8 | pkt[3];
        uint32_t pad = 8 - len % 8;
        if (pad < n && is_orig && b[pad] == SSH1_CMSG_SESSION_KEY) {
            p->d[is_orig].state = SSH_ST_ENCRYPTED;
            p->cb->confirm(p->ud);
        }
        return;
    }
    if (n < 1 || b[0] >= n) {
        ssh_violation(p, "malformed SSH packet padding");
        return;
    }
    ssh2_message(p, is_orig, b + 1, n - 1 - b[0]);
}

/* The total size of the packet a 4-byte header announces (Zeek's
 * get_kex_length), 0 when it cannot be a packet. */
static uint32_t ssh_packet_size(const struct ssh_parser *p, const uint8_t *h)
{
    uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    if (len == 0 || len > p->max_packet) {
        return 0;
    }
    return p->s.version == 1 ? len + 4 + 8 - len % 8 : len + 4;
}

/* Zeek's ProcessEncrypted: server segment sizes after NEWKEYS. */
static void ssh_encrypted(struct ssh_parser *p, bool is_orig, size_t len)
{
    struct ssh_session *s = &p->s;

    if (p->decision_made || is_orig || len == 0 || s->version != 2) {
        return;
    }
    if (p->service_accept_size == 0) {
        p->service_accept_size = (uint32_t)len; /* SERVICE_ACCEPT */
        return;
    }
    /* USERAUTH_SUCCESS is 16 bytes shorter than SERVICE_ACCEPT; the first
     * other size is USERAUTH_FAILURE's, and each repeat of it a failed
     * attempt.  Anything else (banners, PK_OK, ...) says nothing. */
    bool ok = len + SSH_AUTH_SUCCESS_DELTA == p->service_accept_size;
    if (!ok && p->userauth_failure_size == 0) {
        p->userauth_failure_size = (uint32_t)len;
        return;
    }
    if (len != p->userauth_failure_size && !ok) {
        return;
    }
    p->decision_made = ok;
    /* Zeek's ssh_auth_attempted handler */
    if ((s->has_auth && s->auth_success) || p->compressed) {
        return;
    }
    s->has_auth = true;
    s->auth_success = ok;
    s->auth_attempts++;
    if (ok) {
        s->logged_now = true;
    }
}

/* Bytes of a direction reading packets in the clear: returns how many it
 * took (up to and including a NEWKEYS). */
static size_t ssh_packet_data(struct ssh_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    struct ssh_dir *d = &p->d[is_orig];
    size_t used = 0;

    while (used < len && d->state == SSH_ST_PACKETS && !p->stopped) {
        const uint8_t *q = data + used;
        size_t left = len - used;
        if (d->buf_len == 0 && left >= 4) {
            uint32_t total = ssh_packet_size(p, q);
            if (total == 0) {
                ssh_violation(p, "bad SSH packet length");
                return len;
            }
            if (total <= left) {
                ssh_packet(p, is_orig, q, total);
                used += total;
                continue;
            }
        }
        uint32_t want = d->buf_len < 4 ? 4 : d->want;
        if (!ssh_room(p, d, want)) {
            return len;
        }
        size_t n = want - d->buf_len < left ? want - d->buf_len : left;
        memcpy(d->buf + d->buf_len, q, n);
        d->buf_len += (uint32_t)n;
        used += n;
        if (d->buf_len == 4 && want == 4) {
            d->want = ssh_packet_size(p, d->buf);
            if (d->want == 0) {
                ssh_violation(p, "bad SSH packet length");
                return len;
            }
            if (!ssh_room(p, d, d->want)) {
                return len;
            }
        }
        if (d->buf_len > 4 && d->buf_len == d->want) {
            d->buf_len = 0;
            ssh_packet(p, is_orig, d->buf, d->want);
        }
    }
    return used;
}

void ssh_parse_data(struct ssh_parser *p, bool is_orig, const uint8_t *data, size_t len)
{
    struct ssh_dir *d = &p->d[is_orig];

    if (d->state == SSH_ST_ENCRYPTED) {
        ssh_encrypted(p, is_orig, len);
        return;
    }
    while (len > 0 && !p->stopped && (d->state == SSH_ST_VERSION || d->state == SSH_ST_PACKETS)) {
        size_t used;
        if (d->state == SSH_ST_VERSION) {
            used = ssh_version_data(p, is_orig, data, len);
        } else if (p->s.version == 0 && p->s.has_version) {
            d->state = SSH_ST_DONE; /* SSH-1 against SSH-2: nothing to follow */
            used = len;
        } else {
            used = ssh_packet_data(p, is_orig, data, len);
        }
        data += used;
        len -= used;
    }
    /* What followed NEWKEYS in the segment is not counted, as Zeek's. */
    if (d->state == SSH_ST_ENCRYPTED && d->buf != NULL) {
        /* Only sizes from here on: the gathering buffer is done with. */
        p->cb->free(p->ud, d->buf);
        d->buf = NULL;
        d->buf_len = d->buf_cap = 0;
    }
    if (p->violated) {
        p->violated = false;
        p->cb->violation(p->ud, p->reason);
    }
}

void ssh_parse_gap(struct ssh_parser *p, bool is_orig, uint64_t len)
{
    (void)len;
    if (p->d[is_orig].state != SSH_ST_ENCRYPTED) {
        p->d[is_orig].state = SSH_ST_DONE;
    }
}

void ssh_parse_init(struct ssh_parser *p, uint32_t max_packet, const struct ssh_parse_cb *cb,
                    void *ud)
{
    memset(p, 0, sizeof(*p));
    p->max_packet = max_packet;
    p->cb = cb;
    p->ud = ud;
}

void ssh_parse_free(struct ssh_parser *p)
{
    if (p->cb == NULL) {
        return;
    }
    for (int i = 0; i < 2; i++) {
        p->cb->free(p->ud, p->d[i].buf);
        p->cb->free(p->ud, p->d[i].kex.p);
        p->d[i].buf = NULL;
        p->d[i].kex.p = NULL;
        p->d[i].buf_len = p->d[i].buf_cap = 0;
    }
    for (int i = 0; i < SSH_NALGS; i++) {
        p->cb->free(p->ud, p->s.alg[i]);
        p->s.alg[i] = NULL;
    }
    p->cb->free(p->ud, p->s.client);
    p->cb->free(p->ud, p->s.server);
    p->s.client = p->s.server = NULL;
}

bool ssh_parse_probe(const uint8_t *d, size_t len)
{
    return len >= 6 && (d[0] == 'S' || d[0] == 's') && (d[1] == 'S' || d[1] == 's') &&
           (d[2] == 'H' || d[2] == 'h') && d[3] == '-' && (d[4] == '1' || d[4] == '2') &&
           d[5] == '.';
}
