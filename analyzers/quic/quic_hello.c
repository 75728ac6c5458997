/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ClientHello fields of quic.log (see quic_hello.h).
 */
#include "quic_hello.h"

#include <string.h>

static bool get16(const uint8_t *m, size_t len, size_t off, size_t *v)
{
    if (off + 2 > len) {
        return false;
    }
    *v = (size_t)m[off] << 8 | m[off + 1];
    return true;
}

/* Skip a vector with a `w`-byte length at *off. */
static bool skip_vec(const uint8_t *m, size_t len, size_t *off, int w)
{
    size_t n;

    if (w == 1) {
        if (*off >= len) {
            return false;
        }
        n = m[*off];
    } else if (!get16(m, len, *off, &n)) {
        return false;
    }
    *off += (size_t)w;
    if (n > len - *off) {
        return false;
    }
    *off += n;
    return true;
}

static void hello_sni(const uint8_t *e, size_t n, struct quic_hello *h)
{
    size_t list, name;

    /* server_name_list<2>; the first entry: type(1) host_name<2> */
    if (!get16(e, n, 0, &list) || list + 2 > n || !get16(e, n, 3, &name) || 5 + name > n) {
        return;
    }
    h->sni = e + 5;
    h->sni_len = name;
}

bool quic_hello_parse(const uint8_t *msg, size_t len, struct quic_hello *h)
{
    size_t off = 4 + 2 + 32, ext_len, end;

    memset(h, 0, sizeof(*h));
    if (len < off || msg[0] != 1) {
        return false;
    }
    if (!skip_vec(msg, len, &off, 1) || !skip_vec(msg, len, &off, 2) ||
        !skip_vec(msg, len, &off, 1)) {
        return false;
    }
    if (off == len) {
        return true; /* no extensions */
    }
    if (!get16(msg, len, off, &ext_len) || ext_len > len - off - 2) {
        return false;
    }
    off += 2;
    end = off + ext_len;
    while (off + 4 <= end) {
        size_t type = 0, n = 0;
        get16(msg, end, off, &type);
        get16(msg, end, off + 2, &n);
        off += 4;
        if (n > end - off) {
            return false;
        }
        if (type == 0 && h->sni == NULL) {
            hello_sni(msg + off, n, h);
        } else if (type == 16 && h->alpn == NULL && n >= 2) {
            size_t list = 0;
            get16(msg, end, off, &list);
            if (list <= n - 2) {
                h->alpn = msg + off + 2;
                h->alpn_len = list;
            }
        }
        off += n;
    }
    return off == end;
}

bool quic_alpn_next(const uint8_t *list, size_t len, size_t *off, const uint8_t **p, size_t *n)
{
    if (*off >= len || list[*off] > len - *off - 1) {
        return false;
    }
    *n = list[*off];
    *p = list + *off + 1;
    *off += 1 + *n;
    return true;
}
