/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS message parsing for the dns analyzer (see dns_parse.h).  It follows
 * the behaviour of Zeek's DNS analyzer where dns.log depends on it: which
 * RR types are rendered and how, which faults stop parsing, and the weird
 * names reported.  Two deliberate differences make it safer: after each RR
 * the cursor re-synchronises on the RR's rdlength, and a name may follow at
 * most DNS_MAX_JUMPS compression pointers (each pointer must already point
 * backwards, which alone guarantees termination; the cap bounds the work).
 * A message's names may together take at most DNS_MAX_NAME_STEPS labels and
 * pointers: thousands of answers each pointing into one long chain of
 * pointers would otherwise cost a quadratic walk per message.  Past it the
 * message ends with a weird; what was parsed before stands.
 */
#include "dns_parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <shoal/addrtext.h>

#define DNS_MAX_JUMPS 128
#define DNS_MAX_NAME_STEPS 16384 /* a real message of 4,000 answers takes ~ 4 per name */

/* A cursor over one message. */
struct dnsp {
    const uint8_t *m;
    size_t len;
    size_t pos;
    const struct dns_hdr *h;
    const struct dns_parse_opts *o;
    const struct dns_parse_cb *cb;
    unsigned *steps; /* labels and pointers read by dnsp_name in this message
                      * (shared by the copies rdata renderers read through);
                      * past DNS_MAX_NAME_STEPS the message ends */
};

static bool dnsp_spent(const struct dnsp *p)
{
    return *p->steps > DNS_MAX_NAME_STEPS;
}

/* An append-only text writer over the caller's scratch buffer. */
struct dnsw {
    char *b;
    size_t size;
    size_t n;
};

static void dnsp_weird(const struct dnsp *p, const char *name, const char *addl)
{
    if (p->cb->weird != NULL) {
        p->cb->weird(p->cb->ud, name, addl);
    }
}

static void dnsp_weirdu(const struct dnsp *p, const char *name, unsigned v)
{
    char addl[16];
    snprintf(addl, sizeof(addl), "%u", v);
    dnsp_weird(p, name, addl);
}

static size_t dnsp_left(const struct dnsp *p)
{
    return p->pos < p->len ? p->len - p->pos : 0;
}

/* Big-endian reads; like Zeek, a short read yields 0 and consumes nothing. */
static uint16_t dnsp_u16(struct dnsp *p)
{
    if (dnsp_left(p) < 2) {
        return 0;
    }
    uint16_t v = (uint16_t)(p->m[p->pos] << 8 | p->m[p->pos + 1]);
    p->pos += 2;
    return v;
}

static uint32_t dnsp_u32(struct dnsp *p)
{
    if (dnsp_left(p) < 4) {
        return 0;
    }
    const uint8_t *b = p->m + p->pos;
    p->pos += 4;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void dnsw_put(struct dnsw *w, const void *s, size_t len)
{
    if (w->n >= w->size) {
        return;
    }
    if (len > w->size - w->n) {
        len = w->size - w->n;
    }
    memcpy(w->b + w->n, s, len);
    w->n += len;
}

__attribute__((format(printf, 2, 3))) static void dnsw_fmt(struct dnsw *w, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) {
        dnsw_put(w, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
    }
}

/*
 * Read a possibly compressed name at p->pos into out (DNS_NAME_MAX + 1
 * bytes), advancing p->pos past its in-place part.  Faults end the name
 * with a weird, as in Zeek, and parsing goes on from where the cursor is.
 * Returns the length (lower case, trailing dot removed, NUL-terminated).
 */
static size_t dnsp_name(struct dnsp *p, char *out)
{
    size_t cur = p->pos;
    size_t lim = p->len;
    size_t n = 0;
    size_t room = DNS_NAME_MAX;
    bool top = true;
    unsigned jumps = 0;

    for (;;) {
        if (cur >= lim || dnsp_spent(p)) {
            break;
        }
        if (++*p->steps > DNS_MAX_NAME_STEPS) {
            dnsp_weird(p, "DNS_label_too_many_compress_pointers", "message");
            break;
        }
        unsigned ll = p->m[cur++];
        if (top) {
            p->pos = cur;
        }
        if (cur >= lim || ll == 0) {
            break;
        }
        if ((ll & 0xc0) == 0xc0) {
            size_t ptr_at = cur - 1;
            size_t off = (size_t)(ll & 0x3f) << 8 | p->m[cur++];
            if (top) {
                p->pos = cur;
            }
            if (off >= ptr_at) {
                dnsp_weird(p, "DNS_label_forward_compress_offset", NULL);
                break;
            }
            if (++jumps > DNS_MAX_JUMPS) {
                dnsp_weird(p, "DNS_label_too_many_compress_pointers", NULL);
                break;
            }
            lim = ptr_at;
            cur = off;
            top = false;
            continue;
        }
        if (ll > lim - cur) {
            dnsp_weird(p, "DNS_label_len_gt_pkt", NULL);
            if (top) {
                p->pos = lim;
            }
            break;
        }
        if (ll > 63 && p->o->resp_port != 137) {
            dnsp_weird(p, "DNS_label_too_long", NULL);
            break;
        }
        if (ll >= room) {
            dnsp_weird(p, "DNS_label_len_gt_name_len", NULL);
            break;
        }
        memcpy(out + n, p->m + cur, ll);
        out[n + ll] = '.';
        n += ll + 1;
        room -= ll + 1;
        cur += ll;
        if (top) {
            p->pos = cur;
        }
    }

    if (n >= 255) {
        dnsp_weird(p, "DNS_NAME_too_long", NULL);
    }
    if (n >= 2 && out[n - 1] == '.') {
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (char)tolower((unsigned char)out[i]);
    }
    out[n] = '\0';
    return n;
}

static bool dnsp_question(struct dnsp *p)
{
    char name[DNS_NAME_MAX + 1];
    size_t n = dnsp_name(p, name);

    if (dnsp_spent(p)) {
        return false;
    }
    if (dnsp_left(p) < 4) {
        dnsp_weird(p, "DNS_truncated_quest_too_short", NULL);
        return false;
    }
    uint16_t qtype = dnsp_u16(p);
    uint16_t qclass = dnsp_u16(p);
    if (p->cb->question != NULL) {
        p->cb->question(p->cb->ud, p->h, name, n, qtype, qclass);
    }
    return true;
}

static void dnsp_emit(struct dnsp *p, const struct dns_rr *rr, const struct dnsw *w)
{
    if (p->cb->reply != NULL) {
        p->cb->reply(p->cb->ud, p->h, rr, w->b, w->n);
    }
}

static void dnsp_addr(struct dnsw *w, const uint8_t *b, bool v6)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char tmp[INET6_ADDRSTRLEN];

    /* Zeek keeps IPv4-mapped IPv6 addresses as IPv4 and prints them so. */
    if (v6 && memcmp(b, mapped, sizeof(mapped)) == 0) {
        b += 12;
        v6 = false;
    }
    char *end = v6 ? shoal_text_v6(tmp, b) : shoal_text_v4(tmp, b); /* inet_ntop's text */
    dnsw_put(w, tmp, (size_t)(end - tmp));
}

/* Warn about DNSSEC algorithms Zeek flags; `who` is "RRSIG" or "DNSKEY". */
static void dnsp_algo_weird(struct dnsp *p, const char *who, unsigned algo)
{
    const char *what;
    char name[64];

    switch (algo) {
    case 1:
        what = "NotRecommended";
        break;
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 10:
    case 12:
    case 13:
    case 14:
    case 15:
    case 16:
        return;
    case 252:
        what = "Indirect";
        break;
    case 253:
        what = "PrivateDNS";
        break;
    case 254:
        what = "PrivateOID";
        break;
    default:
        what = "unknown";
        break;
    }
    snprintf(name, sizeof(name), "DNSSEC_%s_%s_ZoneSignAlgo", who, what);
    dnsp_weirdu(p, name, algo);
}

/* Walk NSEC/NSEC3 type bitmaps from q->pos for `blen` bytes (weirds only). */
static void dnsp_bitmaps(struct dnsp *q, long blen, const char *weird)
{
    while (blen > 0 && dnsp_left(q) > 0) {
        uint16_t wb = dnsp_u16(q);
        unsigned bmlen = wb & 0xff;
        if (bmlen == 0) {
            dnsp_weirdu(q, weird, wb >> 8);
            break;
        }
        q->pos += bmlen < dnsp_left(q) ? bmlen : dnsp_left(q);
        blen -= 2 + (long)bmlen;
    }
}

/* Read one <character-string> within [q->pos, end) into w; false if it overruns. */
static bool dnsp_cstr(struct dnsp *q, size_t end, struct dnsw *w)
{
    if (q->pos >= end) {
        return false;
    }
    size_t sz = q->m[q->pos++];
    if (sz > end - q->pos) {
        q->pos = end;
        return false;
    }
    dnsw_put(w, q->m + q->pos, sz);
    q->pos += sz;
    return true;
}

/* TXT and SPF: "TXT <len> <bytes>" per character-string, space-joined. */
static bool dnsp_txt(struct dnsp *q, size_t rd, size_t rdlength, const char *tag, struct dnsw *w)
{
    size_t pos = rd;
    size_t rdlen = rdlength;

    while (rdlen > 0) {
        size_t sz = q->m[pos];
        pos++;
        rdlen--;
        if (sz > rdlen) {
            dnsp_weird(q, "DNS_TXT_char_str_past_rdlen", NULL);
            break;
        }
        if (w->n > 0) {
            dnsw_put(w, " ", 1);
        }
        dnsw_fmt(w, "%s %zu ", tag, sz);
        dnsw_put(w, q->m + pos, sz);
        pos += sz;
        rdlen -= sz;
    }
    return rdlen == 0;
}

/* ---- rdata, one renderer per RR type ---- */

/* RR types (IANA's DNS parameters) whose rdata is looked at. */
enum {
    DNS_T_A = 1,
    DNS_T_NS = 2,
    DNS_T_CNAME = 5,
    DNS_T_SOA = 6,
    DNS_T_WKS = 11,
    DNS_T_PTR = 12,
    DNS_T_HINFO = 13,
    DNS_T_MX = 15,
    DNS_T_TXT = 16,
    DNS_T_AAAA = 28,
    DNS_T_LOC = 29,
    DNS_T_NB = 32,
    DNS_T_SRV = 33, /* NBSTAT on NetBIOS */
    DNS_T_NAPTR = 35,
    DNS_T_A6 = 38,
    DNS_T_OPT = 41,
    DNS_T_DS = 43,
    DNS_T_SSHFP = 44,
    DNS_T_RRSIG = 46,
    DNS_T_NSEC = 47,
    DNS_T_DNSKEY = 48,
    DNS_T_NSEC3 = 50,
    DNS_T_NSEC3PARAM = 51,
    DNS_T_SVCB = 64,
    DNS_T_HTTPS = 65,
    DNS_T_SPF = 99,
    DNS_T_TKEY = 249,
    DNS_T_TSIG = 250,
    DNS_T_ANY = 255,
    DNS_T_CAA = 257,
    DNS_T_BIND9_SIGNING = 65534,
};

#define DNS_NETBIOS_PORT 137

/* Classes with a meaning of their own in dynamic updates (RFC 2136 1.3). */
#define DNS_C_NONE 254
#define DNS_C_ANY 255

/*
 * The rdata of one RR at [rd, rd + rdlength) of the message, and the text
 * rendered from it.  A renderer reads through q (names in rdata may point
 * anywhere before them), writes w, calls the reply callback for types Zeek
 * renders, and returns false when parsing must stop (Zeek's parse failure).
 */
struct dnsp_rd {
    struct dnsp q;
    size_t rd;
    size_t rdlength;
    struct dnsw w;
};

static size_t dnsp_rd_end(const struct dnsp_rd *r)
{
    return r->rd + r->rdlength;
}

/* The rdata should end where the cursor is. */
static void dnsp_rd_check_end(struct dnsp *p, const struct dnsp_rd *r)
{
    if (r->q.pos - r->rd != r->rdlength) {
        dnsp_weird(p, "DNS_RR_length_mismatch", NULL);
    }
}

/* A, AAAA and A6 (parsed as AAAA, as Zeek does): the address. */
static bool dnsp_rd_addr(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    bool v6 = rr->type != DNS_T_A;

    if (rr->type == DNS_T_A && r->rdlength != 4) {
        dnsp_weird(p, "DNS_RR_bad_length", NULL);
        return false;
    }
    if (v6 && r->rdlength < 16) {
        dnsp_weird(p, rr->type == DNS_T_AAAA ? "DNS_AAAA_neg_length" : "DNS_A6_neg_length", NULL);
        return false;
    }
    dnsp_addr(&r->w, p->m + r->rd, v6);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* NS, CNAME, PTR, and MX and SRV past their numbers: the name at the
 * cursor, which should end the rdata. */
static bool dnsp_rd_name(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    char name[DNS_NAME_MAX + 1];
    size_t n = dnsp_name(&r->q, name);

    dnsp_rd_check_end(p, r);
    dnsw_put(&r->w, name, n);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* SOA: the primary name server. */
static bool dnsp_rd_soa(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    char mname[DNS_NAME_MAX + 1];
    char rname[DNS_NAME_MAX + 1];
    size_t n = dnsp_name(&r->q, mname);

    (void)dnsp_name(&r->q, rname);
    if (dnsp_left(&r->q) < 20) {
        return false;
    }
    r->q.pos += 20; /* serial, refresh, retry, expire, minimum */
    dnsp_rd_check_end(p, r);
    dnsw_put(&r->w, mname, n);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* MX: the exchange, past the preference. */
static bool dnsp_rd_mx(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    (void)dnsp_u16(&r->q);
    return dnsp_rd_name(p, rr, r);
}

/* SRV: the target, past priority, weight and port (NBSTAT on NetBIOS:
 * not parsed). */
static bool dnsp_rd_srv(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    if (p->o->resp_port == DNS_NETBIOS_PORT) {
        return true;
    }
    r->q.pos = r->rd + 6 <= p->len ? r->rd + 6 : p->len;
    return dnsp_rd_name(p, rr, r);
}

/* TXT and SPF. */
static bool dnsp_rd_txt(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    bool ok = dnsp_txt(p, r->rd, r->rdlength, rr->type == DNS_T_TXT ? "TXT" : "SPF", &r->w);

    dnsp_emit(p, rr, &r->w);
    return ok;
}

/* NAPTR: "NAPTR <order> <pref> <flags> <service> <regexp> <replacement>"
 * (regexp and replacement only when present). */
static bool dnsp_rd_naptr(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    char flags[DNS_NAME_MAX + 1];
    char service[DNS_NAME_MAX + 1];
    char repl[DNS_NAME_MAX + 1];
    struct dnsw fl = {.b = flags, .size = 255};
    struct dnsw sv = {.b = service, .size = 255};
    struct dnsw *w = &r->w;
    unsigned order = dnsp_u16(&r->q);
    unsigned pref = dnsp_u16(&r->q);

    if (!dnsp_cstr(&r->q, dnsp_rd_end(r), &fl) || !dnsp_cstr(&r->q, dnsp_rd_end(r), &sv)) {
        dnsp_weird(p, "DNS_NAPTR_char_str_past_rdlen", NULL);
        return false;
    }
    dnsw_fmt(w, "NAPTR %u %u ", order, pref);
    dnsw_put(w, fl.b, fl.n);
    dnsw_put(w, " ", 1);
    dnsw_put(w, sv.b, sv.n);
    dnsw_put(w, " ", 1);
    size_t before = w->n;
    if (!dnsp_cstr(&r->q, dnsp_rd_end(r), w)) {
        dnsp_weird(p, "DNS_NAPTR_char_str_past_rdlen", NULL);
        return false;
    }
    size_t n = dnsp_name(&r->q, repl);
    if (n > 0) {
        if (w->n > before) {
            dnsw_put(w, " ", 1);
        }
        dnsw_put(w, repl, n);
    }
    dnsp_emit(p, rr, w);
    return true;
}

/* CAA: parsed, not logged. */
static bool dnsp_rd_caa(struct dnsp *p, struct dnsp_rd *r)
{
    unsigned taglen = dnsp_u16(&r->q) & 0xff;

    if (r->rdlength < 2 || taglen >= r->rdlength - 2) {
        dnsp_weird(p, "DNS_CAA_char_str_past_rdlen", NULL);
        return false;
    }
    return true;
}

/* RRSIG: "RRSIG <type covered> <signer>". */
static bool dnsp_rd_rrsig(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    char signer[DNS_NAME_MAX + 1];

    if (p->len - r->rd < 18) {
        return false;
    }
    unsigned covered = dnsp_u16(&r->q);
    unsigned algo = p->m[r->rd + 2];
    r->q.pos = r->rd + 18;
    size_t n = dnsp_name(&r->q, signer);
    dnsp_algo_weird(p, "RRSIG", algo);
    dnsw_fmt(&r->w, "RRSIG %u ", covered);
    if (n == 0) {
        dnsw_put(&r->w, "<Root>", 6);
    } else {
        dnsw_put(&r->w, signer, n);
    }
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* DNSKEY: "DNSKEY <algorithm>". */
static bool dnsp_rd_dnskey(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    if (p->len - r->rd < 4) {
        return false;
    }
    unsigned flags = dnsp_u16(&r->q);
    unsigned proto = p->m[r->rd + 2];
    unsigned algo = p->m[r->rd + 3];
    if ((flags & 0xfe7e) != 0) {
        dnsp_weirdu(p, "DNSSEC_DNSKEY_Invalid_Flag", flags);
    }
    if ((flags & 0x0181) == 0x0181) {
        dnsp_weirdu(p, "DNSSEC_DNSKEY_Revoked_KSK", flags);
    }
    if (proto != 3) {
        dnsp_weirdu(p, "DNSSEC_DNSKEY_Invalid_Protocol", proto);
    }
    dnsp_algo_weird(p, "DNSKEY", algo);
    dnsw_fmt(&r->w, "DNSKEY %u", algo);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* NSEC: "NSEC <owner> <next>". */
static bool dnsp_rd_nsec(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    char next[DNS_NAME_MAX + 1];
    size_t n = dnsp_name(&r->q, next);

    dnsp_bitmaps(&r->q, (long)r->rdlength - (long)(r->q.pos - r->rd), "DNSSEC_NSEC_bitmapLen0");
    dnsw_put(&r->w, "NSEC ", 5);
    dnsw_put(&r->w, rr->name, rr->name_len);
    dnsw_put(&r->w, " ", 1);
    dnsw_put(&r->w, next, n);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* NSEC3: "NSEC3" (the type bitmaps are walked for their weirds). */
static bool dnsp_rd_nsec3(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    struct dnsp *q = &r->q;

    if (p->len - r->rd < 6) {
        return false;
    }
    q->pos = r->rd + 4;
    size_t salt = q->m[q->pos++];
    q->pos += salt < dnsp_left(q) ? salt : dnsp_left(q);
    size_t hlen = dnsp_left(q) > 0 ? q->m[q->pos++] : 0;
    q->pos += hlen < dnsp_left(q) ? hlen : dnsp_left(q);
    dnsp_bitmaps(q, (long)r->rdlength - (long)(q->pos - r->rd), "DNSSEC_NSEC3_bitmapLen0");
    dnsw_put(&r->w, "NSEC3", 5);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* DS: "DS <algorithm> <digest type>". */
static bool dnsp_rd_ds(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    if (p->len - r->rd < 4) {
        return false;
    }
    unsigned algo = p->m[r->rd + 2];
    unsigned dtype = p->m[r->rd + 3];
    if (dtype == 0) {
        dnsp_weirdu(p, "DNSSEC_DS_ResrevedDigestType", dtype);
    } else if (dtype > 4) {
        dnsp_weirdu(p, "DNSSEC_DS_unknown_DigestType", dtype);
    }
    dnsw_fmt(&r->w, "DS %u %u", algo, dtype);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* NSEC3PARAM and BIND9's signing signal: a fixed text, if the message
 * holds at least `min` bytes from the rdata on. */
static bool dnsp_rd_fixed(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r, size_t min,
                          const char *text)
{
    if (p->len - r->rd < min) {
        return false;
    }
    dnsw_put(&r->w, text, strlen(text));
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* SSHFP: "SSHFP: <hex fingerprint>". */
static bool dnsp_rd_sshfp(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    if (p->len - r->rd < 2) {
        return false;
    }
    dnsw_put(&r->w, "SSHFP: ", 7);
    for (size_t i = r->rd + 2; i < dnsp_rd_end(r); i++) {
        char b[2];
        dnsw_put(&r->w, b, (size_t)(shoal_text_hex(b, p->m + i, 1) - b));
    }
    dnsp_emit(p, rr, &r->w);
    return true;
}

/* LOC: "LOC:  <size> <horizontal> <vertical precision>". */
static bool dnsp_rd_loc(struct dnsp *p, const struct dns_rr *rr, struct dnsp_rd *r)
{
    if (p->len - r->rd < 15 || r->rdlength < 4) {
        return false;
    }
    const uint8_t *b = p->m + r->rd;
    if (b[0] != 0) {
        dnsp_weirdu(p, "DNS_LOC_version_unrecognized", b[0]);
    }
    dnsw_fmt(&r->w, "LOC:  %u %u %u", b[1], b[2], b[3]);
    dnsp_emit(p, rr, &r->w);
    return true;
}

/*
 * Type-specific part of one RR: rdata at [rd, rd + rdlength), rendered by
 * the renderer of its type (see struct dnsp_rd).  Returns false when
 * parsing must stop (Zeek's parse failure).
 */
static bool dnsp_rdata(struct dnsp *p, struct dns_rr *rr, size_t rd, size_t rdlength)
{
    struct dnsp_rd r = {
        .q = *p,
        .rd = rd,
        .rdlength = rdlength,
        .w = {.b = p->o->scratch, .size = p->o->scratch_size},
    };

    r.q.pos = rd;
    switch (rr->type) {
    case DNS_T_A:
    case DNS_T_AAAA:
    case DNS_T_A6:
        return dnsp_rd_addr(p, rr, &r);
    case DNS_T_NS:
    case DNS_T_CNAME:
    case DNS_T_PTR:
        return dnsp_rd_name(p, rr, &r);
    case DNS_T_SOA:
        return dnsp_rd_soa(p, rr, &r);
    case DNS_T_WKS: /* an answer without text */
        dnsp_emit(p, rr, &r.w);
        return true;
    case DNS_T_MX:
        return dnsp_rd_mx(p, rr, &r);
    case DNS_T_TXT:
    case DNS_T_SPF:
        return dnsp_rd_txt(p, rr, &r);
    case DNS_T_SRV:
        return dnsp_rd_srv(p, rr, &r);
    case DNS_T_NAPTR:
        return dnsp_rd_naptr(p, rr, &r);
    case DNS_T_CAA:
        return dnsp_rd_caa(p, &r);
    case DNS_T_RRSIG:
        return dnsp_rd_rrsig(p, rr, &r);
    case DNS_T_DNSKEY:
        return dnsp_rd_dnskey(p, rr, &r);
    case DNS_T_NSEC:
        return dnsp_rd_nsec(p, rr, &r);
    case DNS_T_NSEC3:
        return dnsp_rd_nsec3(p, rr, &r);
    case DNS_T_NSEC3PARAM:
        return dnsp_rd_fixed(p, rr, &r, 5, "NSEC3PARAM");
    case DNS_T_DS:
        return dnsp_rd_ds(p, rr, &r);
    case DNS_T_BIND9_SIGNING:
        return dnsp_rd_fixed(p, rr, &r, 5, "BIND9 signing signal");
    case DNS_T_SSHFP:
        return dnsp_rd_sshfp(p, rr, &r);
    case DNS_T_LOC:
        return dnsp_rd_loc(p, rr, &r);
    case DNS_T_HINFO:
    case DNS_T_NB:
    case DNS_T_OPT:
    case DNS_T_SVCB:
    case DNS_T_HTTPS:
    case DNS_T_TKEY:
    case DNS_T_TSIG:
        /* Parsed by Zeek into events dns.log does not use. */
        return true;
    default:
        dnsw_fmt(&r.w, "<unknown type=%u>", rr->type);
        dnsp_emit(p, rr, &r.w);
        dnsp_weirdu(p, "DNS_RR_unknown_type", rr->type);
        return true;
    }
}

/*
 * A dynamic update's prerequisite, or a deletion in its update section
 * (RFC 2136 2.4, 2.5.2-2.5.4), rendered as Zeek's dns_dynamic_update_pre /
 * _del handlers do; its rdata is not looked at.  Returns false for any
 * other RR, whose rdata is then rendered as usual.
 */
static bool dnsp_update_rr(struct dnsp *p, const struct dns_rr *rr)
{
    struct dnsw w = {.b = p->o->scratch, .size = p->o->scratch_size};
    char tn[32];
    bool any = rr->rclass == DNS_C_ANY, none = rr->rclass == DNS_C_NONE;
    bool all = rr->type == DNS_T_ANY;
    int nl = (int)rr->name_len;

    if (rr->section == DNS_SEC_PREREQ) {
        const char *t = dns_qtype_name(rr->type, tn, sizeof(tn));
        if (none && all) {
            dnsw_fmt(&w, "pre: NameNotInUse %.*s", nl, rr->name);
        } else if (any && all) {
            dnsw_fmt(&w, "pre: NameInUse %.*s", nl, rr->name);
        } else if (none) {
            dnsw_fmt(&w, "pre: NoRRSet %s %.*s", t, nl, rr->name);
        } else {
            dnsw_fmt(&w, "pre: RRSetExists %s %.*s", t, nl, rr->name);
        }
    } else if (rr->section == DNS_SEC_UPDATE && (any || none)) {
        const char *t = dns_qtype_name(rr->type, tn, sizeof(tn));
        if (any && all) {
            dnsw_fmt(&w, "del: RRSet * %.*s", nl, rr->name);
        } else if (none) {
            dnsw_fmt(&w, "del: RR %s %.*s", t, nl, rr->name);
        } else {
            dnsw_fmt(&w, "del: RRSet %s", t);
        }
    } else {
        return false;
    }
    dnsp_emit(p, rr, &w);
    return true;
}

static bool dnsp_rr(struct dnsp *p, enum dns_section sec)
{
    char name[DNS_NAME_MAX + 1];
    struct dns_rr rr = {.name = name, .section = sec};

    rr.name_len = dnsp_name(p, name);
    if (dnsp_spent(p)) {
        return false;
    }
    if (dnsp_left(p) < 4) {
        dnsp_weird(p, "DNS_truncated_ans_too_short", NULL);
        return false;
    }
    rr.type = dnsp_u16(p);
    rr.rclass = dnsp_u16(p);
    rr.ttl = dnsp_u32(p);
    size_t rdlength = dnsp_u16(p);
    if (rdlength > dnsp_left(p)) {
        dnsp_weird(p, "DNS_truncated_RR_rdlength_lt_len", NULL);
        return false;
    }
    size_t rd = p->pos;
    bool ok = true;
    if (!dnsp_update_rr(p, &rr)) {
        ok = dnsp_rdata(p, &rr, rd, rdlength);
    }
    p->pos = rd + rdlength;
    return ok && !dnsp_spent(p);
}

int dns_parse_header(const uint8_t *msg, size_t len, struct dns_hdr *h)
{
    if (len < DNS_HDR_LEN) {
        return -EINVAL;
    }
    uint16_t flags = (uint16_t)(msg[2] << 8 | msg[3]);
    h->id = (uint16_t)(msg[0] << 8 | msg[1]);
    h->qr = (flags & 0x8000) != 0;
    h->opcode = (flags >> 11) & 0xf;
    h->aa = (flags & 0x0400) != 0;
    h->tc = (flags & 0x0200) != 0;
    h->rd = (flags & 0x0100) != 0;
    h->ra = (flags & 0x0080) != 0;
    h->z = (flags >> 4) & 0x7;
    h->rcode = flags & 0xf;
    h->qdcount = (uint16_t)(msg[4] << 8 | msg[5]);
    h->ancount = (uint16_t)(msg[6] << 8 | msg[7]);
    h->nscount = (uint16_t)(msg[8] << 8 | msg[9]);
    h->arcount = (uint16_t)(msg[10] << 8 | msg[11]);
    return 0;
}

bool dns_parse_body(const uint8_t *msg, size_t len, const struct dns_hdr *h,
                    const struct dns_parse_opts *o, const struct dns_parse_cb *cb)
{
    unsigned steps = 0;
    struct dnsp p = {
        .m = msg, .len = len, .pos = DNS_HDR_LEN, .h = h, .o = o, .cb = cb, .steps = &steps};

    if (len < DNS_HDR_LEN) {
        return false;
    }
    for (unsigned i = 0; i < h->qdcount; i++) {
        if (!dnsp_question(&p)) {
            return false;
        }
    }
    /* A dynamic update's sections are zone, prerequisites, updates and
     * additional records (NetBIOS uses opcode 5 for registrations). */
    bool update = h->opcode == DNS_OPCODE_UPDATE && o->resp_port != DNS_NETBIOS_PORT;
    for (unsigned i = 0; i < h->ancount; i++) {
        if (!dnsp_rr(&p, update ? DNS_SEC_PREREQ : DNS_SEC_ANSWER)) {
            return false;
        }
    }
    /* Zeek stops here unless told to look at the other sections (or the
     * message is an update); their faults then do not affect the answer. */
    bool ok = true;
    if (update || o->parse_auth || o->parse_addl) {
        for (unsigned i = 0; ok && i < h->nscount; i++) {
            ok = dnsp_rr(&p, update ? DNS_SEC_UPDATE : DNS_SEC_AUTHORITY);
        }
    }
    if (o->parse_addl) {
        for (unsigned i = 0; ok && i < h->arcount; i++) {
            ok = dnsp_rr(&p, DNS_SEC_ADDITIONAL);
        }
    }
    return true;
}

/* ---- name tables ------------------------------------------------------- */

struct dns_name_ent {
    uint16_t v;
    const char *name;
};

static const struct dns_name_ent dns_qtypes[] = {
    {1, "A"},           {2, "NS"},       {3, "MD"},         {4, "MF"},       {5, "CNAME"},
    {6, "SOA"},         {7, "MB"},       {8, "MG"},         {9, "MR"},       {10, "NULL"},
    {11, "WKS"},        {12, "PTR"},     {13, "HINFO"},     {14, "MINFO"},   {15, "MX"},
    {16, "TXT"},        {17, "RP"},      {18, "AFSDB"},     {19, "X25"},     {20, "ISDN"},
    {21, "RT"},         {22, "NSAP"},    {23, "NSAP-PTR"},  {24, "SIG"},     {25, "KEY"},
    {26, "PX"},         {27, "GPOS"},    {28, "AAAA"},      {29, "LOC"},     {30, "NXT"},
    {31, "EID"},        {32, "NIMLOC"},  {33, "SRV"},       {34, "ATMA"},    {35, "NAPTR"},
    {36, "KX"},         {37, "CERT"},    {38, "A6"},        {39, "DNAME"},   {40, "SINK"},
    {41, "OPT"},        {42, "APL"},     {43, "DS"},        {44, "SSHFP"},   {45, "IPSECKEY"},
    {46, "RRSIG"},      {47, "NSEC"},    {48, "DNSKEY"},    {49, "DHCID"},   {50, "NSEC3"},
    {51, "NSEC3PARAM"}, {52, "TLSA"},    {53, "SMIMEA"},    {55, "HIP"},     {56, "NINFO"},
    {57, "RKEY"},       {58, "TALINK"},  {59, "CDS"},       {60, "CDNSKEY"}, {61, "OPENPGPKEY"},
    {62, "CSYNC"},      {63, "ZONEMD"},  {64, "SVCB"},      {65, "HTTPS"},   {99, "SPF"},
    {100, "UINFO"},     {101, "UID"},    {102, "GID"},      {103, "UNSPEC"}, {104, "NID"},
    {105, "L32"},       {106, "L64"},    {107, "LP"},       {108, "EUI48"},  {109, "EUI64"},
    {249, "TKEY"},      {250, "TSIG"},   {251, "IXFR"},     {252, "AXFR"},   {253, "MAILB"},
    {254, "MAILA"},     {255, "*"},      {256, "URI"},      {257, "CAA"},    {32768, "TA"},
    {32769, "DLV"},     {65281, "WINS"}, {65282, "WINS-R"}, {65422, "XPF"},  {65521, "INTEGRITY"},
};

static const struct dns_name_ent dns_qclasses[] = {
    {1, "C_INTERNET"}, {2, "C_CSNET"},  {3, "C_CHAOS"},
    {4, "C_HESIOD"},   {254, "C_NONE"}, {255, "C_ANY"},
};

static const struct dns_name_ent dns_rcodes[] = {
    {0, "NOERROR"},        {1, "FORMERR"},        {2, "SERVFAIL"},       {3, "NXDOMAIN"},
    {4, "NOTIMP"},         {5, "REFUSED"},        {6, "YXDOMAIN"},       {7, "YXRRSET"},
    {8, "NXRRSet"},        {9, "NOTAUTH"},        {10, "NOTZONE"},       {11, "unassigned-11"},
    {12, "unassigned-12"}, {13, "unassigned-13"}, {14, "unassigned-14"}, {15, "unassigned-15"},
    {16, "BADVERS"},       {17, "BADKEY"},        {18, "BADTIME"},       {19, "BADMODE"},
    {20, "BADNAME"},       {21, "BADALG"},        {22, "BADTRUNC"},      {23, "BADCOOKIE"},
    {3842, "BADSIG"},
};

static const struct dns_name_ent dns_opcodes[] = {
    {0, "query"},  {1, "iquery"},         {2, "server-status"},
    {4, "notify"}, {5, "dynamic-update"}, {6, "dso"},
};

static const struct dns_name_ent dns_nb_opcodes[] = {
    {0, "netbios-query"}, {5, "netbios-registration"}, {6, "netbios-release"},
    {7, "netbios-wack"},  {8, "netbios-refresh"},
};

static const char *dns_lookup(const struct dns_name_ent *t, size_t n, uint16_t v, const char *dflt,
                              char *buf, size_t size)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].v == v) {
            return t[i].name; /* a constant: no copy into buf */
        }
    }
    snprintf(buf, size, "%s-%u", dflt, v);
    return buf;
}

#define DNS_N(t) (sizeof(t) / sizeof((t)[0]))

const char *dns_qtype_name(uint16_t v, char *buf, size_t size)
{
    return dns_lookup(dns_qtypes, DNS_N(dns_qtypes), v, "query", buf, size);
}

const char *dns_qclass_name(uint16_t v, char *buf, size_t size)
{
    return dns_lookup(dns_qclasses, DNS_N(dns_qclasses), v, "qclass", buf, size);
}

const char *dns_rcode_name(uint16_t v, char *buf, size_t size)
{
    return dns_lookup(dns_rcodes, DNS_N(dns_rcodes), v, "rcode", buf, size);
}

const char *dns_opcode_name(uint8_t v, bool netbios, char *buf, size_t size)
{
    if (netbios) {
        return dns_lookup(dns_nb_opcodes, DNS_N(dns_nb_opcodes), v, "netbios-opcode", buf, size);
    }
    return dns_lookup(dns_opcodes, DNS_N(dns_opcodes), v, "opcode", buf, size);
}

size_t dns_netbios_decode(const char *name, size_t len, char *out)
{
    size_t i;

    if (len != 32) {
        return 0;
    }
    for (i = 0; i < 32; i++) {
        int c = toupper((unsigned char)name[i]);
        if (c < 'A' || c > 'P') {
            return 0;
        }
    }
    for (i = 0; i < 15; i++) {
        int hi = toupper((unsigned char)name[2 * i]) - 'A';
        int lo = toupper((unsigned char)name[2 * i + 1]) - 'A';
        unsigned char c = (unsigned char)(hi << 4 | lo);
        /* Printable characters, and (as Zeek) control bytes below 3 and
         * bytes >= 0x80, are kept; the space padding ends the name. */
        if (!(isalnum(c) || ispunct(c) || c < 3 || c >= 0x80)) {
            break;
        }
        out[i] = (char)c;
    }
    return i;
}
