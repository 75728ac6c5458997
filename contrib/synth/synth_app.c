/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal-synth application layer: the address plan (internal clients and
 * servers in private IPv4/ULA ranges, public servers and external clients in
 * public space), host names, and the content of every kind of session: HTTP/1.1
 * requests and responses (keep-alive, pipelining, chunked bodies,
 * 100-continue), TLS ClientHello/ServerHello/application-data records, DNS
 * queries and answers with name compression, generic TCP payloads. Each turn's
 * content is a pure function of the session seed and its cursor, so any byte
 * range of it can be rendered again when a segment needs it; bodies are cut
 * from two 64 KiB patterns (text and binary) to keep the per-byte cost at a
 * memcpy.
 */
#include "synth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const words[64] = {
    "alpine", "amber",  "apex",    "atlas",   "aurora", "beacon", "birch",   "blue",
    "bolt",   "brook",  "cedar",   "cinder",  "cloud",  "comet",  "coral",   "crest",
    "delta",  "echo",   "ember",   "falcon",  "fern",   "flint",  "forge",   "frost",
    "galaxy", "garnet", "glade",   "granite", "harbor", "hazel",  "horizon", "indigo",
    "iris",   "jade",   "juniper", "kestrel", "lake",   "lark",   "lumen",   "maple",
    "meadow", "mesa",   "nimbus",  "north",   "nova",   "oak",    "onyx",    "orbit",
    "pebble", "pine",   "pixel",   "polar",   "prism",  "quartz", "raven",   "ridge",
    "river",  "sage",   "shore",   "sierra",  "slate",  "solar",  "spruce",  "summit",
};
static const char *const tlds[12] = {
    "com", "com", "com", "net", "org", "io", "de", "co.uk", "fr", "nl", "info", "jp",
};
static const char *const hprefix[10] = {
    "www", "www", "api", "cdn", "static", "img", "m", "shop", "news", "login",
};
static const char *const agents[6] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Wget/1.21.4",
};
static const char *const servers_sw[5] = {
    "nginx/1.24.0", "Apache/2.4.58 (Ubuntu)", "cloudflare", "Microsoft-IIS/10.0", "gws",
};
static const char *const ctypes[6] = {
    "text/html; charset=utf-8", "text/css",
    "application/javascript",   "image/jpeg",
    "application/json",         "application/octet-stream",
};

/* A small bounded string builder over the scratch buffer. */
struct sb {
    char *p;
    size_t n, cap;
};

static void sb_putn(struct sb *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        n = b->cap - b->n;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void sb_puts(struct sb *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (r > 0) {
        sb_putn(b, tmp, (size_t)r < sizeof(tmp) ? (size_t)r : sizeof(tmp) - 1);
    }
}

/* ---------------------------------------------------------------- addresses */

void synth_public_addr(uint64_t h, bool v6, struct synth_addr *a)
{
    static const uint16_t pfx6[6] = {0x2600, 0x2a00, 0x2a02, 0x2406, 0x2804, 0x2a03};

    memset(a, 0, sizeof(*a));
    if (v6) {
        uint16_t p = pfx6[h % 6];
        uint64_t x = synth_mix(h), y = synth_mix(h + 1);
        a->b[0] = (uint8_t)(p >> 8);
        a->b[1] = (uint8_t)p;
        for (int i = 2; i < 8; i++) {
            a->b[i] = (uint8_t)(x >> (8 * i));
        }
        for (int i = 8; i < 16; i++) {
            a->b[i] = (uint8_t)(y >> (8 * (i - 8)));
        }
        a->b[15] |= 1;
        return;
    }
    for (;;) {
        uint8_t o1 = (uint8_t)(h >> 24), o2 = (uint8_t)(h >> 16), o3 = (uint8_t)(h >> 8);
        uint8_t o4 = (uint8_t)h;
        bool bad = o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224 ||
                   (o1 == 100 && o2 >= 64 && o2 < 128) || (o1 == 169 && o2 == 254) ||
                   (o1 == 172 && o2 >= 16 && o2 < 32) || (o1 == 192 && o2 == 168) ||
                   (o1 == 192 && o2 == 0) || (o1 == 198 && (o2 == 18 || o2 == 19)) ||
                   (o1 == 198 && o2 == 51 && o3 == 100) || (o1 == 203 && o2 == 0 && o3 == 113) ||
                   o4 == 0 || o4 == 255;
        if (!bad) {
            a->b[0] = o1;
            a->b[1] = o2;
            a->b[2] = o3;
            a->b[3] = o4;
            return;
        }
        h = synth_mix(h + 0x51);
    }
}

static void host_addr(uint32_t base_hi, uint32_t h, bool v6, uint8_t r, struct synth_addr *a)
{
    uint32_t third = h / 254, fourth = h % 254 + 1;

    memset(a, 0, sizeof(*a));
    if (v6) {
        a->b[0] = 0xfd;
        a->b[1] = 0x00;
        a->b[2] = 0x5a;
        a->b[3] = 0x17;
        a->b[7] = r;
        a->b[12] = (uint8_t)((h + 1) >> 24);
        a->b[13] = (uint8_t)((h + 1) >> 16);
        a->b[14] = (uint8_t)((h + 1) >> 8);
        a->b[15] = (uint8_t)(h + 1);
        return;
    }
    a->b[0] = (uint8_t)(base_hi >> 8);
    a->b[1] = (uint8_t)(base_hi + (third >> 8));
    a->b[2] = (uint8_t)third;
    a->b[3] = (uint8_t)fourth;
}

void synth_client_addr(const struct synth_gen *g, uint32_t i, bool v6, struct synth_addr *a)
{
    static const uint16_t bases[4] = {(10 << 8) | 10, (10 << 8) | 20, (192 << 8) | 168,
                                      (172 << 8) | 16};
    uint8_t r = (uint8_t)(i % 4);

    host_addr(bases[r], i / 4, v6, (uint8_t)(0x10 + r), a);
}

static void internal_server_addr(uint32_t i, bool v6, struct synth_addr *a)
{
    host_addr((10 << 8) | 0, i + 254, v6, 1, a); /* 10.0.1.x upwards, fd00:5a17:0:1:: */
}

void synth_extclient_addr(const struct synth_gen *g, uint32_t i, bool v6, struct synth_addr *a)
{
    synth_public_addr(synth_hash(g->o.seed ^ 0xec11e47ULL, i), v6, a);
}

void synth_server_addr(const struct synth_gen *g, uint32_t i, bool v6, struct synth_addr *a)
{
    if (i >= g->o.servers) {
        internal_server_addr(i - g->o.servers, v6, a);
        return;
    }
    synth_public_addr(synth_hash(g->o.seed ^ 0x5e77e7ULL, i), v6, a);
}

bool synth_is_internal(const struct synth_addr *a, bool v6)
{
    if (v6) {
        return a->b[0] == 0xfd;
    }
    return a->b[0] == 10 || (a->b[0] == 172 && (a->b[1] & 0xf0) == 16) ||
           (a->b[0] == 192 && a->b[1] == 168);
}

void synth_mac(const struct synth_addr *a, bool internal, uint8_t mac[6])
{
    static const uint8_t router[6] = {0x00, 0x00, 0x5e, 0x00, 0x01, 0x01};
    uint64_t h;

    if (!internal) {
        memcpy(mac, router, 6);
        return;
    }
    h = 0;
    for (int i = 0; i < 8; i++) {
        h = h << 8 | a->b[i];
    }
    h = synth_hash(h, (uint64_t)a->b[12] << 24 | (uint64_t)a->b[13] << 16 |
                          (uint64_t)a->b[14] << 8 | a->b[15]);
    mac[0] = 0x02;
    mac[1] = 0x5a;
    for (int i = 2; i < 6; i++) {
        mac[i] = (uint8_t)(h >> (8 * i));
    }
}

/* ---------------------------------------------------------------- names */

static size_t domain_name(const struct synth_gen *g, uint32_t srv, char *out, size_t cap)
{
    uint64_t h = synth_hash(g->o.seed ^ 0xd0a1ULL, srv);
    int r;

    if (srv >= g->o.servers) {
        r = snprintf(out, cap, "corp.example");
    } else {
        r = snprintf(out, cap, "%s%s.%s", words[h & 63], words[(h >> 6) & 63],
                     tlds[(h >> 12) % 12]);
    }
    return r > 0 ? (size_t)r : 0;
}

size_t synth_server_name(const struct synth_gen *g, uint32_t srv, char *out, size_t cap)
{
    uint64_t h = synth_hash(g->o.seed ^ 0xd0a1ULL, srv);
    char dom[128];
    int r;

    domain_name(g, srv, dom, sizeof(dom));
    if (srv >= g->o.servers) {
        r = snprintf(out, cap, "%s%u.%s", words[h & 63], (srv - g->o.servers) % 100, dom);
    } else {
        r = snprintf(out, cap, "%s.%s", hprefix[(h >> 20) % 10], dom);
    }
    return r > 0 ? (size_t)r : 0;
}

/* ---------------------------------------------------------------- patterns */

int synth_app_init(struct synth_gen *g)
{
    static const char *const common[16] = {
        "the",  "of", "and", "to",   "in",   "is",   "for", "on",
        "with", "as", "by",  "this", "that", "from", "at",  "be",
    };
    uint64_t st = synth_hash(g->o.seed, 0x9a77ULL);
    size_t n = 0, total = SYNTH_PAT_SIZE + SYNTH_PAT_PAD;

    g->pat[0] = malloc(total);
    g->pat[1] = malloc(total);
    g->scratch = malloc(SYNTH_SCRATCH);
    g->dgram = malloc(SYNTH_SCRATCH);
    if (g->pat[0] == NULL || g->pat[1] == NULL || g->scratch == NULL || g->dgram == NULL) {
        return -1;
    }
    /* Text: HTML-ish paragraphs. */
    while (n < SYNTH_PAT_SIZE) {
        char para[600];
        size_t k;
        int words_n = (int)synth_range(&st, 8, 40);
        k = (size_t)snprintf(para, sizeof(para), "<p class=\"%s\">", words[synth_below(&st, 64)]);
        for (int i = 0; i < words_n && k < sizeof(para) - 40; i++) {
            const char *w =
                synth_below(&st, 3) ? common[synth_below(&st, 16)] : words[synth_below(&st, 64)];
            k += (size_t)snprintf(para + k, sizeof(para) - k, i ? " %s" : "%s", w);
        }
        k += (size_t)snprintf(para + k, sizeof(para) - k, ".</p>\n");
        if (n + k > SYNTH_PAT_SIZE) {
            k = SYNTH_PAT_SIZE - n;
        }
        memcpy(g->pat[0] + n, para, k);
        n += k;
    }
    for (n = 0; n < SYNTH_PAT_SIZE; n += 8) {
        uint64_t v = synth_rand(&st);
        for (int i = 0; i < 8; i++) {
            g->pat[1][n + (size_t)i] = (uint8_t)(v >> (8 * i)); /* same bytes on any host */
        }
    }
    memcpy(g->pat[0] + SYNTH_PAT_SIZE, g->pat[0], SYNTH_PAT_PAD);
    memcpy(g->pat[1] + SYNTH_PAT_SIZE, g->pat[1], SYNTH_PAT_PAD);
    return 0;
}

void synth_app_fini(struct synth_gen *g)
{
    free(g->pat[0]);
    free(g->pat[1]);
    free(g->scratch);
    free(g->dgram);
}

static void pat_copy(const struct synth_gen *g, int pat, uint64_t pos, uint8_t *dst, size_t n)
{
    while (n > 0) {
        size_t o = (size_t)(pos & (SYNTH_PAT_SIZE - 1));
        size_t k = SYNTH_PAT_SIZE + SYNTH_PAT_PAD - o;
        if (k > n) {
            k = n;
        }
        memcpy(dst, g->pat[pat] + o, k);
        dst += k;
        pos += k;
        n -= k;
    }
}

/* Random bytes of the binary pattern, for keys, randoms and ciphertext. */
static void rnd_bytes(const struct synth_gen *g, uint64_t h, uint8_t *dst, size_t n)
{
    pat_copy(g, 1, h, dst, n);
}

/* ---------------------------------------------------------------- bodies */

static unsigned hexlen(uint32_t v)
{
    unsigned n = 1;

    while (v >= 16) {
        v >>= 4;
        n++;
    }
    return n;
}

static uint32_t body_len(uint8_t enc, uint32_t plen, uint32_t cs)
{
    uint32_t nfull, rem, len = 0;

    switch (enc) {
    case SYNTH_ENC_RAW:
        return plen;
    case SYNTH_ENC_CHUNKED:
        nfull = plen / cs;
        rem = plen % cs;
        len = nfull * (hexlen(cs) + 4 + cs);
        if (rem) {
            len += hexlen(rem) + 4 + rem;
        }
        return len + 5;
    case SYNTH_ENC_TLSREC:
        nfull = plen / cs;
        rem = plen % cs;
        len = nfull * (5 + cs);
        if (rem) {
            len += 5 + rem;
        }
        return len;
    default:
        return 0;
    }
}

/*
 * Copies from one framing unit: hdr (small) + data from the pattern + tail,
 * starting w bytes into the unit. Returns the bytes copied (at most n).
 */
static uint32_t unit_copy(const struct synth_gen *g, const struct synth_msg *m, const uint8_t *hdr,
                          uint32_t hl, uint64_t dpos, uint32_t dl, const uint8_t *tail, uint32_t tl,
                          uint32_t w, uint8_t *dst, uint32_t n)
{
    uint32_t done = 0, k;

    if (w < hl && done < n) {
        k = hl - w < n ? hl - w : n;
        memcpy(dst, hdr + w, k);
        done += k;
        w += k;
    }
    if (w >= hl && w < hl + dl && done < n) {
        k = hl + dl - w < n - done ? hl + dl - w : n - done;
        pat_copy(g, m->pat, m->poff + dpos + (w - hl), dst + done, k);
        done += k;
        w += k;
    }
    if (w >= hl + dl && w < hl + dl + tl && done < n) {
        k = hl + dl + tl - w < n - done ? hl + dl + tl - w : n - done;
        memcpy(dst + done, tail + (w - hl - dl), k);
        done += k;
    }
    return done;
}

static void body_fill(const struct synth_gen *g, const struct synth_msg *m, uint32_t off,
                      uint8_t *dst, uint32_t n)
{
    uint32_t cs = m->csize, nfull, rem, unit, k, u, w, dl, hl;
    uint8_t hdr[16];

    if (m->enc == SYNTH_ENC_RAW) {
        pat_copy(g, m->pat, (uint64_t)m->poff + off, dst, n);
        return;
    }
    nfull = m->plen / cs;
    rem = m->plen % cs;
    while (n > 0) {
        if (m->enc == SYNTH_ENC_CHUNKED) {
            unit = hexlen(cs) + 4 + cs;
            if (off < nfull * unit) {
                u = off / unit;
                dl = cs;
            } else if (rem && off < nfull * unit + hexlen(rem) + 4 + rem) {
                u = nfull;
                dl = rem;
            } else {
                w = off - nfull * unit - (rem ? hexlen(rem) + 4 + rem : 0);
                k = unit_copy(g, m, (const uint8_t *)"0\r\n\r\n", 5, 0, 0, NULL, 0, w, dst, n);
                if (k == 0) {
                    return;
                }
                off += k;
                dst += k;
                n -= k;
                continue;
            }
            hl = (uint32_t)snprintf((char *)hdr, sizeof(hdr), "%x\r\n", dl);
            w = off - u * unit;
            k = unit_copy(g, m, hdr, hl, (uint64_t)u * cs, dl, (const uint8_t *)"\r\n", 2, w, dst,
                          n);
        } else {
            unit = 5 + cs;
            if (off < nfull * unit) {
                u = off / unit;
                dl = cs;
            } else {
                u = nfull;
                dl = rem;
            }
            hdr[0] = 0x17;
            hdr[1] = 3;
            hdr[2] = 3;
            hdr[3] = (uint8_t)(dl >> 8);
            hdr[4] = (uint8_t)dl;
            w = off - u * unit;
            k = unit_copy(g, m, hdr, 5, (uint64_t)u * cs, dl, NULL, 0, w, dst, n);
        }
        if (k == 0) {
            return;
        }
        off += k;
        dst += k;
        n -= k;
    }
}

/* ---------------------------------------------------------------- HTTP */

struct http_req {
    uint8_t post, expect, req_chunked, resp_chunked, kind;
    uint16_t status;
    uint32_t req_body, resp_body, num, w1, w2;
};

static void http_draw(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                      struct http_req *r)
{
    uint64_t st = synth_hash(s->seed, 0x48540000ULL + j);
    uint32_t x;

    memset(r, 0, sizeof(*r));
    r->w1 = synth_below(&st, 64);
    r->w2 = synth_below(&st, 64);
    r->num = synth_below(&st, 100000);
    x = synth_below(&st, 100);
    r->kind = x < 30 ? 0 : x < 42 ? 1 : x < 56 ? 2 : x < 80 ? 3 : x < 99 ? 4 : 5;
    if (j == 0) {
        r->kind = 0;
    }
    if (!s->pipe && synth_below(&st, 100) < 12) {
        r->post = 1;
        r->kind = 4;
        r->req_body = synth_logu(&st, 20, 30000);
        r->req_chunked = synth_below(&st, 100) < 15;
        r->expect = r->req_body > 1024 && synth_below(&st, 100) < 40;
    }
    x = synth_below(&st, 100);
    r->status = x < 78 ? 200 : x < 84 ? 301 : x < 95 ? 404 : 500;
    if (r->status != 200) {
        r->resp_body = synth_range(&st, 150, 600);
        r->kind = 0;
        return;
    }
    switch (r->kind) {
    case 0:
        r->resp_body = synth_logu(&st, 1000, 80000);
        break;
    case 1:
        r->resp_body = synth_logu(&st, 300, 30000);
        break;
    case 2:
        r->resp_body = synth_logu(&st, 500, 200000);
        break;
    case 3:
        r->resp_body = synth_logu(&st, 500, 300000);
        break;
    case 4:
        r->resp_body = synth_logu(&st, 40, 8000);
        break;
    default:
        r->resp_body = synth_logu(&st, 100000, 8000000);
        break;
    }
    r->resp_chunked = (r->kind == 0 || r->kind == 2 || r->kind == 4) && synth_below(&st, 100) < 25;
}

static uint32_t body_cap(const struct synth_gen *g, uint32_t n);

/* http_plan: request J of session S, its bodies cut to --max-body. */
static void http_plan(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                      struct http_req *r)
{
    http_draw(g, s, j, r);
    r->req_body = body_cap(g, r->req_body);
    r->resp_body = body_cap(g, r->resp_body);
}

static void http_path(struct sb *b, const struct http_req *r, uint32_t j)
{
    switch (r->kind) {
    case 0:
        if (j == 0) {
            sb_puts(b, "/");
        } else {
            sb_printf(b, "/%s/%s.html", words[r->w1], words[r->w2]);
        }
        break;
    case 1:
        sb_printf(b, "/static/css/%s.%05x.css", words[r->w1], r->num);
        break;
    case 2:
        sb_printf(b, "/static/js/%s-%u.js", words[r->w1], r->num % 1000);
        break;
    case 3:
        sb_printf(b, "/img/%s_%u.jpg", words[r->w1], r->num);
        break;
    case 4:
        if (r->post) {
            sb_printf(b, "/api/v1/%s", words[r->w1]);
        } else {
            sb_printf(b, "/api/v1/%s?id=%u&page=%u", words[r->w1], r->num, r->w2 % 9 + 1);
        }
        break;
    default:
        sb_printf(b, "/downloads/%s-%u.tar.gz", words[r->w1], r->num % 100);
        break;
    }
}

static void http_host(const struct synth_gen *g, const struct synth_sess *s, struct sb *b)
{
    char name[160];

    synth_server_name(g, s->srv, name, sizeof(name));
    sb_puts(b, name);
    if (s->app & SYNTH_APP_ALTPORT) {
        sb_printf(b, ":%u", s->port[1]);
    }
}

static size_t http_render_req(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                              char *out)
{
    struct sb b = {out, 0, 4096};
    struct http_req r, prev;

    http_plan(g, s, j, &r);
    sb_puts(&b, r.post ? "POST " : "GET ");
    http_path(&b, &r, j);
    sb_puts(&b, " HTTP/1.1\r\nHost: ");
    http_host(g, s, &b);
    sb_printf(&b, "\r\nUser-Agent: %s\r\n", agents[s->seed % 6]);
    sb_puts(&b, r.kind == 0   ? "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n"
                : r.kind == 3 ? "Accept: image/avif,image/webp,*/*\r\n"
                              : "Accept: */*\r\n");
    sb_puts(&b, "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate\r\n");
    if (j > 0) {
        http_plan(g, s, j - 1, &prev);
        sb_puts(&b, "Referer: http://");
        http_host(g, s, &b);
        http_path(&b, &prev, j - 1);
        sb_puts(&b, "\r\n");
    }
    sb_puts(&b, "Connection: keep-alive\r\n");
    if (r.post) {
        sb_puts(&b, (r.w2 & 1) ? "Content-Type: application/json\r\n"
                               : "Content-Type: application/x-www-form-urlencoded\r\n");
        if (r.req_chunked) {
            sb_puts(&b, "Transfer-Encoding: chunked\r\n");
        } else {
            sb_printf(&b, "Content-Length: %u\r\n", r.req_body);
        }
        if (r.expect) {
            sb_puts(&b, "Expect: 100-continue\r\n");
        }
    }
    sb_puts(&b, "\r\n");
    return b.n;
}

static const char *http_reason(uint16_t st)
{
    switch (st) {
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 404:
        return "Not Found";
    default:
        return "Internal Server Error";
    }
}

static size_t http_render_resp(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                               char *out)
{
    static const char *const wd[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct sb b = {out, 0, 4096};
    struct http_req r;
    time_t now = (time_t)g->o.start + s->start_s + j;
    struct tm tm;

    http_plan(g, s, j, &r);
    gmtime_r(&now, &tm);
    sb_printf(&b, "HTTP/1.1 %u %s\r\n", r.status, http_reason(r.status));
    sb_printf(&b, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n", wd[tm.tm_wday], tm.tm_mday,
              mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    sb_printf(&b, "Server: %s\r\n", servers_sw[(s->seed >> 8) % 5]);
    sb_printf(&b, "Content-Type: %s\r\n", ctypes[r.kind]);
    if (r.resp_chunked) {
        sb_puts(&b, "Transfer-Encoding: chunked\r\n");
    } else {
        sb_printf(&b, "Content-Length: %u\r\n", r.resp_body);
    }
    if (r.status == 301) {
        sb_puts(&b, "Location: https://");
        http_host(g, s, &b);
        http_path(&b, &r, j);
        sb_puts(&b, "\r\n");
    }
    if (r.status == 200 && r.kind != 0 && r.kind != 4) {
        sb_puts(&b, "Cache-Control: public, max-age=86400\r\n");
    }
    sb_puts(&b, "Connection: keep-alive\r\n\r\n");
    return b.n;
}

/* ---------------------------------------------------------------- TLS */

static void be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static size_t tls_client_hello(const struct synth_gen *g, const struct synth_sess *s, uint8_t *o)
{
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                      0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                                      0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                       0x0805, 0x0501, 0x0806, 0x0601};
    bool v13 = (s->app & SYNTH_APP_TLS13) != 0;
    uint64_t h = synth_hash(s->seed, 0x7c4ULL);
    char name[160];
    size_t nl = synth_server_name(g, s->srv, name, sizeof(name));
    size_t n = 9, ext, i;

    o[0] = 0x16;
    o[1] = 3;
    o[2] = 1;
    o[5] = 1; /* client_hello */
    o[n++] = 3;
    o[n++] = 3;
    rnd_bytes(g, h, o + n, 32);
    n += 32;
    o[n++] = 32;
    rnd_bytes(g, h >> 7, o + n, 32); /* session id: the server echoes it */
    n += 32;
    i = v13 ? 0 : 3;
    be16(o + n, (uint32_t)(2 * (sizeof(suites) / 2 - i)));
    n += 2;
    for (; i < sizeof(suites) / 2; i++) {
        be16(o + n, suites[i]);
        n += 2;
    }
    o[n++] = 1;
    o[n++] = 0;
    ext = n;
    n += 2;
    /* server_name */
    be16(o + n, 0);
    be16(o + n + 2, (uint32_t)(nl + 5));
    be16(o + n + 4, (uint32_t)(nl + 3));
    o[n + 6] = 0;
    be16(o + n + 7, (uint32_t)nl);
    memcpy(o + n + 9, name, nl);
    n += 9 + nl;
    /* extended_master_secret, renegotiation_info */
    be16(o + n, 23);
    be16(o + n + 2, 0);
    be16(o + n + 4, 0xff01);
    be16(o + n + 6, 1);
    o[n + 8] = 0;
    n += 9;
    /* supported_groups: x25519, secp256r1, secp384r1 */
    be16(o + n, 10);
    be16(o + n + 2, 8);
    be16(o + n + 4, 6);
    be16(o + n + 6, 0x001d);
    be16(o + n + 8, 0x0017);
    be16(o + n + 10, 0x0018);
    n += 12;
    /* ec_point_formats, session_ticket */
    be16(o + n, 11);
    be16(o + n + 2, 2);
    o[n + 4] = 1;
    o[n + 5] = 0;
    be16(o + n + 6, 35);
    be16(o + n + 8, 0);
    n += 10;
    /* ALPN: h2, http/1.1 */
    be16(o + n, 16);
    be16(o + n + 2, 14);
    be16(o + n + 4, 12);
    memcpy(o + n + 6, "\x02h2\x08http/1.1", 12);
    n += 18;
    /* status_request */
    be16(o + n, 5);
    be16(o + n + 2, 5);
    memcpy(o + n + 4, "\x01\x00\x00\x00\x00", 5);
    n += 9;
    /* signature_algorithms */
    be16(o + n, 13);
    be16(o + n + 2, (uint32_t)(sizeof(sigalgs) + 2));
    be16(o + n + 4, (uint32_t)sizeof(sigalgs));
    n += 6;
    for (i = 0; i < sizeof(sigalgs) / 2; i++) {
        be16(o + n, sigalgs[i]);
        n += 2;
    }
    if (v13) {
        /* key_share (x25519), supported_versions, psk_key_exchange_modes */
        be16(o + n, 51);
        be16(o + n + 2, 38);
        be16(o + n + 4, 36);
        be16(o + n + 6, 0x001d);
        be16(o + n + 8, 32);
        rnd_bytes(g, h >> 13, o + n + 10, 32);
        n += 42;
        be16(o + n, 43);
        be16(o + n + 2, 5);
        o[n + 4] = 4;
        be16(o + n + 5, 0x0304);
        be16(o + n + 7, 0x0303);
        n += 9;
        be16(o + n, 45);
        be16(o + n + 2, 2);
        o[n + 4] = 1;
        o[n + 5] = 1;
        n += 6;
    }
    be16(o + ext, (uint32_t)(n - ext - 2));
    be24(o + 6, (uint32_t)(n - 9));
    be16(o + 3, (uint32_t)(n - 5));
    return n;
}

static size_t tls_server_hello(const struct synth_gen *g, const struct synth_sess *s, uint8_t *o)
{
    bool v13 = (s->app & SYNTH_APP_TLS13) != 0;
    uint64_t h = synth_hash(s->seed, 0x5e4ULL);
    uint64_t hc = synth_hash(s->seed, 0x7c4ULL);
    size_t n = 9, ext;

    o[0] = 0x16;
    o[1] = 3;
    o[2] = 3;
    o[5] = 2; /* server_hello */
    o[n++] = 3;
    o[n++] = 3;
    rnd_bytes(g, h, o + n, 32);
    n += 32;
    o[n++] = 32;
    rnd_bytes(g, hc >> 7, o + n, 32);
    n += 32;
    be16(o + n, v13 ? 0x1301 : 0xc02f);
    n += 2;
    o[n++] = 0;
    ext = n;
    n += 2;
    if (v13) {
        be16(o + n, 43);
        be16(o + n + 2, 2);
        be16(o + n + 4, 0x0304);
        n += 6;
        be16(o + n, 51);
        be16(o + n + 2, 36);
        be16(o + n + 4, 0x001d);
        be16(o + n + 6, 32);
        rnd_bytes(g, h >> 11, o + n + 8, 32);
        n += 40;
    } else {
        be16(o + n, 0xff01);
        be16(o + n + 2, 1);
        o[n + 4] = 0;
        be16(o + n + 5, 23);
        be16(o + n + 7, 0);
        n += 9;
    }
    be16(o + ext, (uint32_t)(n - ext - 2));
    be24(o + 6, (uint32_t)(n - 9));
    be16(o + 3, (uint32_t)(n - 5));
    /* ChangeCipherSpec */
    memcpy(o + n, "\x14\x03\x03\x00\x01\x01", 6);
    n += 6;
    if (!v13) {
        /* Abbreviated (resumed) handshake: the server's encrypted Finished. */
        memcpy(o + n, "\x16\x03\x03\x00\x28", 5);
        rnd_bytes(g, h >> 17, o + n + 5, 40);
        n += 45;
    }
    return n;
}

static size_t tls_client_fin(const struct synth_gen *g, const struct synth_sess *s, uint8_t *o)
{
    uint64_t h = synth_hash(s->seed, 0xcf1ULL);

    memcpy(o, "\x14\x03\x03\x00\x01\x01", 6);
    if (s->app & SYNTH_APP_TLS13) {
        memcpy(o + 6, "\x17\x03\x03\x00\x35", 5);
        rnd_bytes(g, h, o + 11, 53);
        return 64;
    }
    memcpy(o + 6, "\x16\x03\x03\x00\x28", 5);
    rnd_bytes(g, h, o + 11, 40);
    return 51;
}

/* body_cap: N, or the --max-body cap when that is smaller (drawn first, so a
 * trace without the option is the same as before it existed). */
static uint32_t body_cap(const struct synth_gen *g, uint32_t n)
{
    return g->o.max_body && n > g->o.max_body ? g->o.max_body : n;
}

static void tls_sizes(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                      uint32_t *req, uint32_t *resp)
{
    uint64_t st = synth_hash(s->seed, 0x7150000ULL + j);

    *req = synth_logu(&st, 80, 2000);
    *resp =
        synth_below(&st, 100) < 1 ? synth_logu(&st, 200000, 8000000) : synth_logu(&st, 200, 100000);
    *req = body_cap(g, *req);
    *resp = body_cap(g, *resp);
}

/* ---------------------------------------------------------------- DNS */

#define DNS_NSFX 48

struct dnsw {
    uint8_t *p;
    size_t n, cap;
    int nsfx;
    uint16_t off[DNS_NSFX];
    char sfx[DNS_NSFX][128];
};

static void dw8(struct dnsw *w, uint32_t v)
{
    if (w->n < w->cap) {
        w->p[w->n] = (uint8_t)v;
    }
    w->n++;
}

static void dw16(struct dnsw *w, uint32_t v)
{
    dw8(w, v >> 8);
    dw8(w, v);
}

static void dw32(struct dnsw *w, uint32_t v)
{
    dw16(w, v >> 16);
    dw16(w, v);
}

static void dwn(struct dnsw *w, const void *d, size_t n)
{
    if (w->n + n <= w->cap) {
        memcpy(w->p + w->n, d, n);
    }
    w->n += n;
}

/* Writes a name, compressing against every suffix written so far. */
static void dw_name(struct dnsw *w, const char *name)
{
    const char *s = name;

    while (*s) {
        const char *dot;
        size_t len;
        for (int i = 0; i < w->nsfx; i++) {
            if (strcasecmp(w->sfx[i], s) == 0) {
                dw16(w, 0xc000u | w->off[i]);
                return;
            }
        }
        if (w->nsfx < DNS_NSFX && w->n < 0x3fff && strlen(s) < sizeof(w->sfx[0])) {
            strcpy(w->sfx[w->nsfx], s);
            w->off[w->nsfx] = (uint16_t)w->n;
            w->nsfx++;
        }
        dot = strchr(s, '.');
        len = dot ? (size_t)(dot - s) : strlen(s);
        if (len > 63) {
            len = 63;
        }
        dw8(w, (uint32_t)len);
        dwn(w, s, len);
        s = dot ? dot + 1 : s + len;
    }
    dw8(w, 0);
}

/* Starts a resource record; returns the offset of its RDLENGTH. */
static size_t dw_rr(struct dnsw *w, const char *name, uint16_t type, uint32_t ttl)
{
    size_t at;

    dw_name(w, name);
    dw16(w, type);
    dw16(w, 1);
    dw32(w, ttl);
    at = w->n;
    dw16(w, 0);
    return at;
}

static void dw_rrend(struct dnsw *w, size_t at)
{
    size_t len = w->n - at - 2;

    if (at + 2 <= w->cap) {
        w->p[at] = (uint8_t)(len >> 8);
        w->p[at + 1] = (uint8_t)len;
    }
}

enum { DNS_A, DNS_AAAA, DNS_CNAME, DNS_MX, DNS_TXT, DNS_PTR };
static const uint16_t dns_types[6] = {1, 28, 5, 15, 16, 12};

struct dns_tx {
    uint16_t id;
    uint8_t qt; /* DNS_* */
    uint8_t nx, noans, edns, large, cname, nans;
    uint32_t srv;
    uint64_t h;
    char qname[128];
};

static void dns_plan(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                     struct dns_tx *t)
{
    uint32_t jj = (s->app & SYNTH_APP_PAIR) ? 0 : j;
    uint64_t st = synth_hash(s->seed, 0xd4500000ULL + jj);
    bool tcp = s->sub == SYNTH_SUB_DNSTCP;
    uint32_t x;

    memset(t, 0, sizeof(*t));
    t->h = synth_rand(&st);
    t->srv = synth_below(&st, g->o.servers);
    x = synth_below(&st, 100);
    t->qt = x < 50   ? DNS_A
            : x < 66 ? DNS_AAAA
            : x < 71 ? DNS_CNAME
            : x < 77 ? DNS_MX
            : x < 83 ? DNS_TXT
            : x < 92 ? DNS_PTR
                     : DNS_A;
    t->nx = x >= 92 || (t->qt != DNS_PTR && synth_below(&st, 100) < 3);
    t->noans = !tcp && synth_below(&st, 100) < 3;
    t->cname = (t->qt == DNS_A || t->qt == DNS_AAAA) && synth_below(&st, 100) < 25;
    t->nans = (uint8_t)synth_range(&st, 1, 3);
    t->large = t->qt == DNS_TXT && !t->nx && synth_chance(&st, g->o.frag);
    t->edns = t->large || synth_below(&st, 2);
    if (s->app & SYNTH_APP_PAIR) {
        t->qt = j == 0 ? DNS_A : DNS_AAAA;
        t->nx = 0;
        t->large = 0;
    }
    t->id = (uint16_t)synth_hash(s->seed, 0x1d00ULL + j);
    if (x >= 92) {
        snprintf(t->qname, sizeof(t->qname), "%s%u.%s-%s.%s", words[t->h & 63],
                 (unsigned)(t->h >> 8) % 1000, words[(t->h >> 20) & 63], words[(t->h >> 26) & 63],
                 tlds[(t->h >> 32) % 12]);
    } else if (t->qt == DNS_PTR) {
        struct synth_addr a;
        if (t->h & 1) {
            char *q = t->qname;
            synth_server_addr(g, t->srv, true, &a);
            for (int i = 15; i >= 0; i--) {
                *q++ = "0123456789abcdef"[a.b[i] & 15];
                *q++ = '.';
                *q++ = "0123456789abcdef"[a.b[i] >> 4];
                *q++ = '.';
            }
            strcpy(q, "ip6.arpa");
        } else {
            synth_server_addr(g, t->srv, false, &a);
            snprintf(t->qname, sizeof(t->qname), "%u.%u.%u.%u.in-addr.arpa", a.b[3], a.b[2], a.b[1],
                     a.b[0]);
        }
    } else if (t->qt == DNS_MX || t->qt == DNS_TXT) {
        domain_name(g, t->srv, t->qname, sizeof(t->qname));
    } else {
        synth_server_name(g, t->srv, t->qname, sizeof(t->qname));
    }
}

static size_t dns_render(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                         bool resp, uint8_t *out, size_t cap)
{
    static struct dnsw w; /* large; the program is single-threaded */
    struct dns_tx t;
    uint64_t st;
    char name[160], alias[160];
    size_t at, an_at;
    uint16_t an = 0, ns = 0, ar = 0;
    struct synth_addr a;
    uint32_t ttl;

    dns_plan(g, s, j, &t);
    st = synth_hash(t.h, 0xa5);
    w.p = out;
    w.n = 0;
    w.cap = cap;
    w.nsfx = 0;
    dw16(&w, t.id);
    dw16(&w, resp ? 0x8180u | (t.nx ? 3u : 0u) : 0x0100u);
    dw16(&w, 1);
    an_at = w.n;
    dw16(&w, 0);
    dw16(&w, 0);
    dw16(&w, 0);
    dw_name(&w, t.qname);
    dw16(&w, dns_types[t.qt]);
    dw16(&w, 1);
    if (resp && t.nx) {
        const char *tld = strrchr(t.qname, '.');
        tld = tld ? tld + 1 : t.qname;
        at = dw_rr(&w, tld, 6, 900);
        snprintf(name, sizeof(name), "a.nic.%s", tld);
        dw_name(&w, name);
        snprintf(name, sizeof(name), "hostmaster.nic.%s", tld);
        dw_name(&w, name);
        dw32(&w, 2024050100u + (uint32_t)(t.h % 90));
        dw32(&w, 1800);
        dw32(&w, 900);
        dw32(&w, 604800);
        dw32(&w, 86400);
        dw_rrend(&w, at);
        ns = 1;
    } else if (resp) {
        ttl = synth_range(&st, 30, 3600);
        const char *owner = t.qname;
        switch (t.qt) {
        case DNS_A:
        case DNS_AAAA:
        case DNS_CNAME:
            if (t.cname || t.qt == DNS_CNAME) {
                snprintf(alias, sizeof(alias), "%s.edge-%s.net", words[(t.h >> 3) & 63],
                         words[(t.h >> 9) & 63]);
                at = dw_rr(&w, t.qname, 5, ttl);
                dw_name(&w, alias);
                dw_rrend(&w, at);
                an++;
                owner = alias;
                if (t.qt == DNS_CNAME) {
                    break;
                }
            }
            for (unsigned i = 0; i < t.nans; i++) {
                bool v6 = t.qt == DNS_AAAA;
                if (i == 0) {
                    synth_server_addr(g, t.srv, v6, &a);
                } else {
                    synth_public_addr(synth_hash(t.h, i), v6, &a);
                }
                at = dw_rr(&w, owner, v6 ? 28 : 1, ttl);
                dwn(&w, a.b, v6 ? 16 : 4);
                dw_rrend(&w, at);
                an++;
            }
            break;
        case DNS_MX:
            for (unsigned i = 0; i < t.nans; i++) {
                at = dw_rr(&w, t.qname, 15, ttl);
                dw16(&w, 10 * (i + 1));
                snprintf(name, sizeof(name), "mx%u.%s", i + 1, t.qname);
                dw_name(&w, name);
                dw_rrend(&w, at);
                an++;
            }
            for (unsigned i = 0; i < t.nans; i++) {
                snprintf(name, sizeof(name), "mx%u.%s", i + 1, t.qname);
                synth_public_addr(synth_hash(t.h, 100 + i), false, &a);
                at = dw_rr(&w, name, 1, ttl);
                dwn(&w, a.b, 4);
                dw_rrend(&w, at);
                ar++;
            }
            break;
        case DNS_TXT:
            at = dw_rr(&w, t.qname, 16, ttl);
            snprintf(name, sizeof(name), "v=spf1 include:_spf.%s ~all", t.qname);
            dw8(&w, (uint32_t)strlen(name));
            dwn(&w, name, strlen(name));
            dw_rrend(&w, at);
            an++;
            at = dw_rr(&w, t.qname, 16, ttl);
            dw8(&w, 44);
            dwn(&w, "site-verification=", 18);
            for (int i = 0; i < 26; i++) {
                dw8(&w, (uint32_t) "abcdefghijklmnopqrstuvwxyz0123456789"[synth_below(&st, 36)]);
            }
            if (t.large) {
                unsigned nstr = synth_range(&st, 8, 14);
                for (unsigned i = 0; i < nstr; i++) {
                    uint8_t buf[255];
                    pat_copy(g, 0, synth_rand(&st), buf, sizeof(buf));
                    for (size_t k = 0; k < sizeof(buf); k++) {
                        if (buf[k] < 0x20 || buf[k] > 0x7e) {
                            buf[k] = ' ';
                        }
                    }
                    dw8(&w, 255);
                    dwn(&w, buf, 255);
                }
            }
            dw_rrend(&w, at);
            an++;
            break;
        default:
            synth_server_name(g, t.srv, name, sizeof(name));
            at = dw_rr(&w, t.qname, 12, ttl);
            dw_name(&w, name);
            dw_rrend(&w, at);
            an++;
            break;
        }
    }
    if (t.edns) {
        dw8(&w, 0);
        dw16(&w, 41);
        dw16(&w, resp ? 1232 : (t.large ? 4096 : 1232));
        dw32(&w, 0);
        dw16(&w, 0);
        ar++;
    }
    if (an_at + 6 <= cap) {
        out[an_at] = (uint8_t)(an >> 8);
        out[an_at + 1] = (uint8_t)an;
        out[an_at + 2] = (uint8_t)(ns >> 8);
        out[an_at + 3] = (uint8_t)ns;
        out[an_at + 4] = (uint8_t)(ar >> 8);
        out[an_at + 5] = (uint8_t)ar;
    }
    return w.n <= cap ? w.n : cap;
}

size_t synth_dns_udp(struct synth_gen *g, struct synth_sess *s, uint32_t j, bool resp, uint8_t *dst)
{
    struct dns_tx t;

    dns_plan(g, s, j, &t);
    if (resp && t.noans) {
        return 0;
    }
    return dns_render(g, s, j, resp, dst, SYNTH_SCRATCH - 8);
}

/* ---------------------------------------------------------------- Ident */

const char *const synth_ident_os[SYNTH_IDENT_NOS] = {"UNIX", "WIN32", "OTHER"};
const char *const synth_ident_err[SYNTH_IDENT_NERR] = {"NO-USER", "HIDDEN-USER", "INVALID-PORT",
                                                       "UNKNOWN-ERROR"};

/* What query j of an Ident session gets. */
enum ident_fate {
    IDENT_USERID, /* "rport, lport : USERID : os : user" */
    IDENT_ERROR,  /* "rport, lport : ERROR : error" */
    IDENT_BAD,    /* a reply that is not Ident: weird bad_ident_reply */
    IDENT_NONE    /* no reply: the connection closes */
};

struct ident_tx {
    uint8_t fate, os, err, style, user;
    uint16_t rport, lport;
    uint32_t num;
};

/*
 * Query j of session s, a pure function of the session seed. The querier
 * (the originator) is a server asking the client's identd who opened a
 * connection to one of its services (lport) from the client's port rport.
 * Only the last query may go without a good reply, so every good reply
 * answers the query just before it.
 */
static void ident_plan(const struct synth_sess *s, uint32_t j, struct ident_tx *t)
{
    static const uint16_t services[6] = {25, 6667, 143, 110, 21, 119};
    uint64_t st = synth_hash(s->seed, 0x1de70000ULL + j);
    uint32_t x = synth_below(&st, 100);

    memset(t, 0, sizeof(*t));
    t->fate = x < 75 ? IDENT_USERID : IDENT_ERROR;
    if (j + 1 == s->n) {
        x = synth_below(&st, 100);
        t->fate = x < 4 ? IDENT_NONE : x < 8 ? IDENT_BAD : t->fate;
    }
    x = synth_below(&st, 100);
    t->os = x < 80 ? 0 : x < 92 ? 1 : 2;
    t->err = (uint8_t)synth_below(&st, SYNTH_IDENT_NERR);
    t->style = (uint8_t)synth_below(&st, 4);
    t->user = (uint8_t)synth_below(&st, 64);
    t->num = synth_below(&st, 1000);
    t->rport = (uint16_t)synth_range(&st, 32768, 60999);
    t->lport = services[synth_below(&st, 6)];
}

/* Query (resp false) or reply j of session s, with its CR LF, into out. */
static size_t ident_render(const struct synth_sess *s, uint32_t j, bool resp, char *out)
{
    /* Blanks before, between and after the port pair, as servers vary them. */
    static const char *const blanks[4][3] = {
        {"", ", ", ""}, {"", ",", ""}, {"", " , ", ""}, {" ", " ,", " "}};
    struct ident_tx t;
    struct sb b = {out, 0, 256};

    ident_plan(s, j, &t);
    sb_printf(&b, "%s%u%s%u%s", blanks[t.style][0], t.rport, blanks[t.style][1], t.lport,
              blanks[t.style][2]);
    if (!resp) {
        sb_puts(&b, "\r\n");
        return b.n;
    }
    switch (t.fate) {
    case IDENT_USERID:
        sb_printf(&b, " : USERID : %s%s : %s%u\r\n", synth_ident_os[t.os],
                  t.style == 2 ? ",US-ASCII" : "", words[t.user], t.num);
        break;
    case IDENT_ERROR:
        sb_printf(&b, " : ERROR : %s\r\n", synth_ident_err[t.err]);
        break;
    default:
        sb_puts(&b, t.style & 1 ? " : USERID\r\n" : " : who wants to know?\r\n");
        break;
    }
    return b.n;
}

/* ---------------------------------------------------------------- turns */

/* Renders the prefix of the current turn into out; returns its length. */
static size_t render_prefix(struct synth_gen *g, struct synth_sess *s, uint8_t *out)
{
    const struct synth_msg *m = &s->m;
    size_t n;

    switch (m->type) {
    case SYNTH_MSG_HTTP_REQ:
        return http_render_req(g, s, m->j, (char *)out);
    case SYNTH_MSG_HTTP_100:
        memcpy(out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
        return 25;
    case SYNTH_MSG_HTTP_RESP:
        return http_render_resp(g, s, m->j, (char *)out);
    case SYNTH_MSG_TLS_CH:
        return tls_client_hello(g, s, out);
    case SYNTH_MSG_TLS_SFLIGHT:
        return tls_server_hello(g, s, out);
    case SYNTH_MSG_TLS_CFIN:
        return tls_client_fin(g, s, out);
    case SYNTH_MSG_TLS_ALERT:
        memcpy(out, "\x15\x03\x03\x00\x1a", 5);
        rnd_bytes(g, synth_hash(s->seed, 0xa1e7ULL), out + 5, 26);
        return 31;
    case SYNTH_MSG_DNS_Q:
    case SYNTH_MSG_DNS_R:
        n = dns_render(g, s, m->j, m->type == SYNTH_MSG_DNS_R, out + 2, SYNTH_SCRATCH - 2);
        out[0] = (uint8_t)(n >> 8);
        out[1] = (uint8_t)n;
        return n + 2;
    case SYNTH_MSG_IDENT_Q:
    case SYNTH_MSG_IDENT_R:
        return ident_render(s, m->j, m->type == SYNTH_MSG_IDENT_R, (char *)out);
    case SYNTH_MSG_MAIL:
        return synth_mail_render(s, m->j, (char *)out, SYNTH_SCRATCH);
    default:
        return 0;
    }
}

static void set_turn(struct synth_gen *g, struct synth_sess *s, uint8_t dir, uint8_t type,
                     uint16_t j, uint8_t enc, uint8_t pat, uint32_t plen, uint32_t cs)
{
    struct synth_msg *m = &s->m;

    memset(m, 0, sizeof(*m));
    m->type = type;
    m->j = j;
    m->enc = enc;
    m->pat = pat;
    m->plen = plen;
    m->csize = (uint16_t)cs;
    m->blen = body_len(enc, plen, cs);
    m->poff = (uint32_t)synth_hash(s->seed, ((uint64_t)type << 32) | j);
    m->hlen = (uint32_t)render_prefix(g, s, g->scratch);
    s->tdir = dir;
    s->tlen = m->hlen + m->blen;
    s->toff = 0;
    s->tseq0 = s->nxt[dir];
}

static bool http_next(struct synth_gen *g, struct synth_sess *s)
{
    struct http_req r;
    uint8_t pat;

    if (s->pipe) {
        /* part 0: all requests, then part 1: all responses */
        if (s->j >= s->n) {
            if (s->part == 1) {
                return false;
            }
            s->part = 1;
            s->j = 0;
        }
        http_plan(g, s, s->j, &r);
        pat = r.kind == 3 || r.kind == 5;
        if (s->part == 0) {
            set_turn(g, s, 0, SYNTH_MSG_HTTP_REQ, s->j, SYNTH_ENC_NONE, 0, 0, 0);
        } else {
            set_turn(g, s, 1, SYNTH_MSG_HTTP_RESP, s->j,
                     r.resp_chunked ? SYNTH_ENC_CHUNKED : SYNTH_ENC_RAW, pat, r.resp_body, 4096);
        }
        s->j++;
        return true;
    }
    if (s->j >= s->n) {
        return false;
    }
    http_plan(g, s, s->j, &r);
    pat = r.kind == 3 || r.kind == 5;
    switch (s->part) {
    case 0:
        if (r.post && !r.expect) {
            set_turn(g, s, 0, SYNTH_MSG_HTTP_REQ, s->j,
                     r.req_chunked ? SYNTH_ENC_CHUNKED : SYNTH_ENC_RAW, 0, r.req_body, 2048);
        } else {
            set_turn(g, s, 0, SYNTH_MSG_HTTP_REQ, s->j, SYNTH_ENC_NONE, 0, 0, 0);
        }
        s->part = r.expect ? 1 : 3;
        break;
    case 1:
        set_turn(g, s, 1, SYNTH_MSG_HTTP_100, s->j, SYNTH_ENC_NONE, 0, 0, 0);
        s->part = 2;
        break;
    case 2:
        set_turn(g, s, 0, SYNTH_MSG_HTTP_REQBODY, s->j,
                 r.req_chunked ? SYNTH_ENC_CHUNKED : SYNTH_ENC_RAW, 0, r.req_body, 2048);
        s->part = 3;
        break;
    default:
        set_turn(g, s, 1, SYNTH_MSG_HTTP_RESP, s->j,
                 r.resp_chunked ? SYNTH_ENC_CHUNKED : SYNTH_ENC_RAW, pat, r.resp_body, 4096);
        s->part = 0;
        s->j++;
        break;
    }
    return true;
}

static bool tls_next(struct synth_gen *g, struct synth_sess *s)
{
    uint32_t req, resp, fl;
    uint64_t st;

    switch (s->part) {
    case 0:
        set_turn(g, s, 0, SYNTH_MSG_TLS_CH, 0, SYNTH_ENC_NONE, 1, 0, 0);
        s->part = 1;
        return true;
    case 1:
        st = synth_hash(s->seed, 0xf1ULL);
        fl = (s->app & SYNTH_APP_TLS13) ? synth_range(&st, 2500, 5000) : 0;
        set_turn(g, s, 1, SYNTH_MSG_TLS_SFLIGHT, 0, fl ? SYNTH_ENC_TLSREC : SYNTH_ENC_NONE, 1, fl,
                 fl / 4 + 1);
        s->part = 2;
        return true;
    case 2:
        tls_sizes(g, s, 0, &req, &resp);
        set_turn(g, s, 0, SYNTH_MSG_TLS_CFIN, 0, SYNTH_ENC_TLSREC, 1, req, 16384);
        s->part = 5;
        s->j = 0;
        return true;
    case 4:
        if (s->j >= s->n) {
            if (s->end == SYNTH_END_FIN_C || s->end == SYNTH_END_FIN_S) {
                set_turn(g, s, 0, SYNTH_MSG_TLS_ALERT, 0, SYNTH_ENC_NONE, 1, 0, 0);
                s->part = 6;
                return true;
            }
            return false;
        }
        tls_sizes(g, s, s->j, &req, &resp);
        set_turn(g, s, 0, SYNTH_MSG_TLS_DATA, s->j, SYNTH_ENC_TLSREC, 1, req, 16384);
        s->part = 5;
        return true;
    case 5:
        tls_sizes(g, s, s->j, &req, &resp);
        set_turn(g, s, 1, SYNTH_MSG_TLS_DATA, s->j, SYNTH_ENC_TLSREC, 1, resp, 16384);
        s->part = 4;
        s->j++;
        return true;
    default:
        return false;
    }
}

/* Query j, then its reply unless it gets none. */
static bool ident_next(struct synth_gen *g, struct synth_sess *s)
{
    struct ident_tx t;

    if (s->j >= s->n) {
        return false;
    }
    if (s->part == 0) {
        set_turn(g, s, 0, SYNTH_MSG_IDENT_Q, s->j, SYNTH_ENC_NONE, 0, 0, 0);
        ident_plan(s, s->j, &t);
        if (t.fate == IDENT_NONE) {
            s->j++;
        } else {
            s->part = 1;
        }
        return true;
    }
    set_turn(g, s, 1, SYNTH_MSG_IDENT_R, s->j, SYNTH_ENC_NONE, 0, 0, 0);
    s->part = 0;
    s->j++;
    return true;
}

static void raw_sizes(const struct synth_gen *g, const struct synth_sess *s, uint32_t j,
                      uint32_t *c, uint32_t *sv)
{
    uint64_t st = synth_hash(s->seed, 0x4a3000ULL + j);

    *c = synth_logu(&st, 10, 2000);
    *sv = synth_logu(&st, 10, 100000);
    *c = body_cap(g, *c);
    *sv = body_cap(g, *sv);
}

bool synth_app_next(struct synth_gen *g, struct synth_sess *s)
{
    uint32_t c, sv;

    switch (s->sub) {
    case SYNTH_SUB_HTTP:
        return http_next(g, s);
    case SYNTH_SUB_TLS:
        return tls_next(g, s);
    case SYNTH_SUB_IDENT:
        return ident_next(g, s);
    case SYNTH_SUB_SMTP:
    case SYNTH_SUB_FTP:
        if (s->j >= s->n) {
            return false;
        }
        set_turn(g, s, synth_mail_from_server(s, s->j) ? 1 : 0, SYNTH_MSG_MAIL, s->j,
                 SYNTH_ENC_NONE, 0, 0, 0);
        s->j++;
        return true;
    case SYNTH_SUB_DNSTCP:
        if (s->j >= s->n) {
            return false;
        }
        set_turn(g, s, s->part, s->part ? SYNTH_MSG_DNS_R : SYNTH_MSG_DNS_Q, s->j, SYNTH_ENC_NONE,
                 0, 0, 0);
        if (s->part) {
            s->j++;
        }
        s->part ^= 1;
        return true;
    default:
        if (s->j >= s->n) {
            return false;
        }
        raw_sizes(g, s, s->j, &c, &sv);
        set_turn(g, s, s->part, SYNTH_MSG_RAW, s->j, SYNTH_ENC_RAW, (s->seed >> 3) & 1,
                 s->part ? sv : c, 0);
        if (s->part) {
            s->j++;
        }
        s->part ^= 1;
        return true;
    }
}

void synth_app_fill(struct synth_gen *g, struct synth_sess *s, uint32_t off, uint8_t *dst,
                    uint32_t n)
{
    const struct synth_msg *m = &s->m;

    if (off < m->hlen) {
        uint32_t k;
        render_prefix(g, s, g->scratch);
        k = m->hlen - off < n ? m->hlen - off : n;
        memcpy(dst, g->scratch + off, k);
        dst += k;
        off += k;
        n -= k;
    }
    if (n > 0) {
        body_fill(g, m, off - m->hlen, dst, n);
    }
}

/* ---------------------------------------------------------------- planning */

uint64_t synth_app_plan(struct synth_gen *g, struct synth_sess *s, struct synth_stats *st)
{
    uint64_t est = 0;
    uint32_t a, b;
    struct http_req r;
    struct dns_tx t;
    uint64_t *rng = &g->rng;

    s->j = 0;
    s->part = 0;
    switch (s->sub) {
    case SYNTH_SUB_HTTP:
        s->n = synth_below(rng, 100) < 50 ? 1 : (uint16_t)synth_logu(rng, 2, 16);
        s->pipe = s->n > 1 && synth_below(rng, 100) < 12;
        st->http_conns++;
        st->http_req += s->n;
        st->http_pipe += s->pipe;
        st->http_keepalive += s->n > 1;
        st->http_altport += (s->app & SYNTH_APP_ALTPORT) != 0;
        for (uint32_t j = 0; j < s->n; j++) {
            http_plan(g, s, j, &r);
            est += 900 + r.req_body + r.resp_body + r.resp_body / 4096 * 8;
            if (r.post) {
                st->http_post++;
            } else {
                st->http_get++;
            }
            st->http_status[r.status == 200 ? 0 : r.status == 301 ? 1 : r.status == 404 ? 2 : 3]++;
            st->http_chunked_resp += r.resp_chunked;
            st->http_chunked_req += r.req_chunked;
            st->http_100 += r.expect;
        }
        break;
    case SYNTH_SUB_TLS:
        s->n = (uint16_t)synth_logu(rng, 1, 8);
        if (synth_below(rng, 100) < 70) {
            s->app |= SYNTH_APP_TLS13;
            st->tls13++;
        } else {
            st->tls12++;
        }
        st->tls_conns++;
        st->tls_sni++;
        est = 6000;
        for (uint32_t j = 0; j < s->n; j++) {
            tls_sizes(g, s, j, &a, &b);
            est += a + b + (a + b) / 16384 * 5 + 10;
        }
        break;
    case SYNTH_SUB_DNSTCP:
    case SYNTH_SUB_DNSUDP:
        if (s->sub == SYNTH_SUB_DNSTCP) {
            s->n = (uint16_t)synth_range(rng, 1, 3);
            st->dns_tcp++;
        } else {
            s->n = 1;
            if (synth_below(rng, 100) < 30) {
                s->app |= SYNTH_APP_PAIR;
                s->n = 2;
            }
            st->dns_udp++;
        }
        for (uint32_t j = 0; j < s->n; j++) {
            dns_plan(g, s, j, &t);
            st->dns_q++;
            st->dns_qtype[t.qt]++;
            st->dns_edns += t.edns;
            if (t.noans) {
                st->dns_noans++;
                est += 150;
                continue;
            }
            st->dns_r++;
            st->dns_nx += t.nx;
            if (t.large && s->sub == SYNTH_SUB_DNSUDP) {
                st->dns_frag++;
            }
            est += t.large ? 4000 : 400;
        }
        break;
    case SYNTH_SUB_IDENT: {
        struct ident_tx it;
        bool good = false;

        s->n = synth_below(rng, 100) < 85 ? 1 : (uint16_t)synth_range(rng, 2, 3);
        st->ident_conns++;
        st->ident_altport += (s->app & SYNTH_APP_ALTPORT) != 0;
        st->ident_q += s->n;
        for (uint32_t j = 0; j < s->n; j++) {
            ident_plan(s, j, &it);
            switch (it.fate) {
            case IDENT_USERID:
                st->ident_userid++;
                st->ident_os[it.os]++;
                good = true;
                break;
            case IDENT_ERROR:
                st->ident_error++;
                st->ident_err[it.err]++;
                good = true;
                break;
            case IDENT_BAD:
                st->ident_bad++;
                break;
            default:
                st->ident_noreply++;
                break;
            }
            est += 100;
        }
        st->ident_confirmed += good;
        break;
    }
    case SYNTH_SUB_NTP:
    case SYNTH_SUB_DHCP:
        est = synth_udp_plan(g, s, st);
        break;
    case SYNTH_SUB_QUIC:
        est = synth_quic_plan(g, s, st);
        break;
    case SYNTH_SUB_SMTP:
    case SYNTH_SUB_FTP:
        s->n = synth_mail_steps(s);
        est = (uint64_t)s->n * 120;
        break;
    case SYNTH_SUB_ICMP:
        s->n = (uint16_t)synth_range(rng, 1, 6);
        if (synth_chance(rng, g->o.frag * 0.2)) {
            s->app |= SYNTH_APP_BIGPING;
            st->icmp_frag++;
        }
        if (synth_below(rng, 100) < 10) {
            s->app |= SYNTH_APP_NOREPLY;
        }
        st->icmp_sessions++;
        st->icmp_v6 += s->v6;
        st->icmp_req += s->n;
        st->icmp_rep += (s->app & SYNTH_APP_NOREPLY) ? 0 : s->n;
        est = (uint64_t)s->n * ((s->app & SYNTH_APP_BIGPING) ? 8000 : 250);
        break;
    default:
        s->n = (uint16_t)synth_range(rng, 1, 5);
        for (uint32_t j = 0; j < s->n; j++) {
            raw_sizes(g, s, j, &a, &b);
            est += a + b;
        }
        break;
    }
    return est;
}
