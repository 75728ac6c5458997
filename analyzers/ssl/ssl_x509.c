/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DER walker over the parts of a certificate ssl.log needs (see
 * ssl_x509.h): tbsCertificate's subject and its subjectAltName extension.
 * Every length is checked against what encloses it.
 */
#include "ssl_x509.h"

#include <string.h>
#include <strings.h>

#define DER_INTEGER 0x02
#define DER_BOOLEAN 0x01
#define DER_OCTET_STRING 0x04
#define DER_OID 0x06
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CTX_0 0xA0       /* [0] EXPLICIT: version */
#define DER_CTX_3 0xA3       /* [3] EXPLICIT: extensions */
#define DER_GN_DNS_NAME 0x82 /* GeneralName dNSName [2] IMPLICIT IA5String */

/* One TLV: its tag and value. */
struct der {
    uint8_t tag;
    const uint8_t *v;
    size_t len;
};

/* Read the TLV at *p (of *left bytes) into t and step over it.  false when
 * it does not fit or uses a form DER forbids. */
static bool der_next(const uint8_t **p, size_t *left, struct der *t)
{
    const uint8_t *q = *p;
    size_t n = *left, len;

    if (n < 2 || (q[0] & 0x1f) == 0x1f) {
        return false;
    }
    t->tag = q[0];
    len = q[1];
    q += 2;
    n -= 2;
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 4 || k > n) {
            return false;
        }
        len = 0;
        for (size_t i = 0; i < k; i++) {
            len = len << 8 | q[i];
        }
        q += k;
        n -= k;
    }
    if (len > n) {
        return false;
    }
    t->v = q;
    t->len = len;
    *p = q + len;
    *left = n - len;
    return true;
}

/* Enter the TLV t: its value as a new cursor. */
static void der_enter(const struct der *t, const uint8_t **p, size_t *left)
{
    *p = t->v;
    *left = t->len;
}

/* The tbsCertificate's fields, located. */
struct x509_tbs {
    struct der subject;
    struct der exts; /* the SEQUENCE of extensions; len 0 when none */
};

static bool x509_tbs(const uint8_t *der, size_t len, struct x509_tbs *out)
{
    const uint8_t *p = der;
    size_t left = len;
    struct der cert, tbs, t;

    memset(out, 0, sizeof(*out));
    if (!der_next(&p, &left, &cert) || cert.tag != DER_SEQUENCE || left != 0) {
        return false;
    }
    der_enter(&cert, &p, &left);
    if (!der_next(&p, &left, &tbs) || tbs.tag != DER_SEQUENCE) {
        return false;
    }
    if (!der_next(&p, &left, &t) || t.tag != DER_SEQUENCE) { /* signatureAlgorithm */
        return false;
    }
    der_enter(&tbs, &p, &left);
    if (!der_next(&p, &left, &t)) {
        return false;
    }
    if (t.tag == DER_CTX_0 && !der_next(&p, &left, &t)) {
        return false;
    }
    if (t.tag != DER_INTEGER) { /* serialNumber */
        return false;
    }
    /* signature, issuer, validity, subject, subjectPublicKeyInfo */
    for (int i = 0; i < 5; i++) {
        if (!der_next(&p, &left, &t) || t.tag != DER_SEQUENCE) {
            return false;
        }
        if (i == 3) {
            out->subject = t;
        }
    }
    while (left > 0 && der_next(&p, &left, &t)) {
        if (t.tag == DER_CTX_3) {
            const uint8_t *q = t.v;
            size_t n = t.len;
            if (der_next(&q, &n, &out->exts) && out->exts.tag == DER_SEQUENCE) {
                return true;
            }
            out->exts.len = 0;
            return false;
        }
    }
    return true;
}

bool ssl_x509_valid(const uint8_t *der, size_t len)
{
    struct x509_tbs tbs;
    return x509_tbs(der, len, &tbs);
}

/* Does host match the certificate name n (case-insensitive; "*.rest"
 * matches any one label before ".rest")? */
static bool x509_name_matches(const uint8_t *n, size_t nlen, const char *host, size_t hlen)
{
    if (nlen == 0 || memchr(n, '\0', nlen) != NULL) {
        return false;
    }
    if (nlen == hlen && strncasecmp((const char *)n, host, hlen) == 0) {
        return true;
    }
    if (nlen > 2 && n[0] == '*' && n[1] == '.') {
        const char *dot = memchr(host, '.', hlen);
        size_t rest = nlen - 1; /* ".rest" */
        if (dot != NULL && (size_t)(host + hlen - dot) == rest &&
            strncasecmp(dot, (const char *)n + 1, rest) == 0) {
            return true;
        }
    }
    return false;
}

static const uint8_t x509_oid_cn[] = {0x55, 0x04, 0x03};
static const uint8_t x509_oid_san[] = {0x55, 0x1D, 0x11};

static bool x509_oid_is(const struct der *t, const uint8_t *oid, size_t len)
{
    return t->tag == DER_OID && t->len == len && memcmp(t->v, oid, len) == 0;
}

/* Match against the dNSName entries of the subjectAltName extension. */
static bool x509_san_matches(const struct der *exts, const char *host, size_t hlen)
{
    const uint8_t *p = exts->v;
    size_t left = exts->len;
    struct der ext, t;

    while (left > 0 && der_next(&p, &left, &ext)) {
        const uint8_t *q = ext.v;
        size_t n = ext.len;
        if (ext.tag != DER_SEQUENCE || !der_next(&q, &n, &t) ||
            !x509_oid_is(&t, x509_oid_san, sizeof(x509_oid_san))) {
            continue;
        }
        if (!der_next(&q, &n, &t)) {
            return false;
        }
        if (t.tag == DER_BOOLEAN && !der_next(&q, &n, &t)) {
            return false;
        }
        if (t.tag != DER_OCTET_STRING) {
            return false;
        }
        der_enter(&t, &q, &n);
        if (!der_next(&q, &n, &t) || t.tag != DER_SEQUENCE) {
            return false;
        }
        der_enter(&t, &q, &n);
        while (n > 0 && der_next(&q, &n, &t)) {
            if (t.tag == DER_GN_DNS_NAME && x509_name_matches(t.v, t.len, host, hlen)) {
                return true;
            }
        }
    }
    return false;
}

/* Match against the subject's commonName attributes. */
static bool x509_cn_matches(const struct der *subject, const char *host, size_t hlen)
{
    const uint8_t *p = subject->v;
    size_t left = subject->len;
    struct der rdn, atv, t;

    while (left > 0 && der_next(&p, &left, &rdn)) {
        const uint8_t *q = rdn.v;
        size_t n = rdn.len;
        if (rdn.tag != DER_SET) {
            return false;
        }
        while (n > 0 && der_next(&q, &n, &atv)) {
            const uint8_t *r = atv.v;
            size_t m = atv.len;
            if (atv.tag == DER_SEQUENCE && der_next(&r, &m, &t) &&
                x509_oid_is(&t, x509_oid_cn, sizeof(x509_oid_cn)) && der_next(&r, &m, &t) &&
                x509_name_matches(t.v, t.len, host, hlen)) {
                return true;
            }
        }
    }
    return false;
}

bool ssl_x509_matches(const uint8_t *der, size_t len, const char *host, size_t hlen)
{
    struct x509_tbs tbs;

    if (!x509_tbs(der, len, &tbs)) {
        return false;
    }
    if (tbs.exts.len > 0 && x509_san_matches(&tbs.exts, host, hlen)) {
        return true;
    }
    return x509_cn_matches(&tbs.subject, host, hlen);
}
