/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.log (see conn.h): its columns as Zeek writes them, the conn_state
 * of a connection, and the record written when a connection ends (see
 * shoal_conn_remove in conn.c).
 */
#include <stdio.h>
#include <string.h>

#include "engine/analyzer.h"
#include "engine/ctx.h"
#include "framework/log.h"
#include "lib/netset.h"

/* Unsized: a count other than SHOAL_CONN_LOG_NFIELDS conflicts with conn.h. */
const struct shoal_field shoal_conn_log_fields[] = {
    {"ts", SHOAL_T_TIME, 0},
    {"uid", SHOAL_T_STRING, 0},
    {"id.orig_h", SHOAL_T_ADDR, 0},
    {"id.orig_p", SHOAL_T_PORT, 0},
    {"id.resp_h", SHOAL_T_ADDR, 0},
    {"id.resp_p", SHOAL_T_PORT, 0},
    {"proto", SHOAL_T_ENUM, 0},
    {"service", SHOAL_T_STRING, 0},
    {"duration", SHOAL_T_INTERVAL, 0},
    {"orig_bytes", SHOAL_T_COUNT, 0},
    {"resp_bytes", SHOAL_T_COUNT, 0},
    {"conn_state", SHOAL_T_STRING, 0},
    {"local_orig", SHOAL_T_BOOL, 0},
    {"local_resp", SHOAL_T_BOOL, 0},
    {"missed_bytes", SHOAL_T_COUNT, 0},
    {"history", SHOAL_T_STRING, 0},
    {"orig_pkts", SHOAL_T_COUNT, 0},
    {"orig_ip_bytes", SHOAL_T_COUNT, 0},
    {"resp_pkts", SHOAL_T_COUNT, 0},
    {"resp_ip_bytes", SHOAL_T_COUNT, 0},
    {"tunnel_parents", SHOAL_T_SET, SHOAL_T_STRING},
    {"ip_proto", SHOAL_T_COUNT, 0},
};

const char *shoal_conn_state(const struct shoal_conn *c)
{
    switch (c->id.proto) {
    case SHOAL_PROTO_TCP:
        return shoal_tcp_conn_state(c);
    case SHOAL_PROTO_UDP: {
        const struct shoal_dgram *d = shoal_conn_dgram(c);
        if (d->orig_len >= 0) {
            return d->resp_len >= 0 ? "SF" : "S0";
        }
        return d->resp_len >= 0 ? "SHR" : "OTH";
    }
    default:
        return "OTH";
    }
}

/* conn.log's proto of c, and the payload bytes each side sent (orig_bytes,
 * resp_bytes). */
static const char *conn_log_proto(const struct shoal_conn *c, uint64_t *ob, uint64_t *rb)
{
    const struct shoal_dgram *d = shoal_conn_dgram(c);

    *ob = *rb = 0;
    switch (c->id.proto) {
    case SHOAL_PROTO_TCP:
        *ob = shoal_tcp_size(shoal_conn_tcp(c), true);
        *rb = shoal_tcp_size(shoal_conn_tcp(c), false);
        return "tcp";
    case SHOAL_PROTO_UDP:
    case SHOAL_PROTO_ICMP:
    case SHOAL_PROTO_ICMP6:
        *ob = d->orig_len > 0 ? (uint64_t)d->orig_len : 0;
        *rb = d->resp_len > 0 ? (uint64_t)d->resp_len : 0;
        return c->id.proto == SHOAL_PROTO_UDP ? "udp" : "icmp";
    default:
        return "unknown_transport";
    }
}

/* conn.log's service of c into buf: the analyzers that confirmed it (in the order they did), then
 * the UDP tunnels, comma-separated ("" for none). */
static void conn_log_service(const struct shoal_ctx *x, const struct shoal_conn *c, char *buf,
                             size_t size)
{
    uint8_t bits[64];
    size_t nbits = x->an != NULL ? shoal_conn_services(c, bits) : 0;

    size_t n = 0;

    for (size_t i = 0; i < nbits; i++) {
        if (bits[i] < x->an->nservices) {
            /* As snprintf of "%s%s" would, cut at size - 1 bytes. */
            const char *name = x->an->services[bits[i]];
            size_t len = strlen(name);
            if (n > 0 && n + 1 < size) {
                buf[n++] = ',';
            }
            if (len > size - 1 - n) {
                len = size - 1 - n;
            }
            memcpy(buf + n, name, len);
            n += len;
        }
    }
    buf[n] = '\0';
    shoal_tunnel_services(c->tun.confirmed, buf, size);
}

void shoal_conn_log_write(struct shoal_ctx *x, const struct shoal_conn *c)
{
    struct shoal_value v[SHOAL_CONN_LOG_NFIELDS];
    struct shoal_value parents[SHOAL_CONN_MAX_PARENTS];
    char parent_uids[SHOAL_CONN_MAX_PARENTS][32];
    char uid[32];
    char history[SHOAL_HISTORY_MAX + 1];
    char service[512];
    uint64_t ob;
    uint64_t rb;
    const char *proto = conn_log_proto(c, &ob, &rb);
    const char *state = shoal_conn_state(c);
    double duration = c->last - c->start;
    size_t nparents = c->ext != NULL ? c->ext->nparents : 0;

    conn_log_service(x, c, service, sizeof(service));
    v[0] = shoal_v_double(c->start);
    v[1] = shoal_v_str(shoal_conn_uid(x, c, uid));
    v[2] = shoal_v_addr(&c->id.orig_h);
    v[3] = shoal_v_count(c->id.orig_p);
    v[4] = shoal_v_addr(&c->id.resp_h);
    v[5] = shoal_v_count(c->id.resp_p);
    v[6] = shoal_v_str(proto);
    v[7] = service[0] ? shoal_v_str(service) : shoal_v_unset();
    if (duration > 0) {
        v[8] = shoal_v_double(duration);
        v[9] = shoal_v_count(ob);
        v[10] = shoal_v_count(rb);
    } else {
        v[8] = v[9] = v[10] = shoal_v_unset();
    }
    v[11] = shoal_v_str(state);
    if (x->local.n > 0) {
        v[12] = shoal_v_bool(shoal_netset_contains(&x->local, &c->id.orig_h));
        v[13] = shoal_v_bool(shoal_netset_contains(&x->local, &c->id.resp_h));
    } else {
        v[12] = v[13] = shoal_v_unset();
    }
    v[14] = shoal_v_count(conn_counter(c, SHOAL_CONN_MISSED_BYTES));
    v[15] = c->hist_len ? shoal_v_str(shoal_conn_history(c, history)) : shoal_v_unset();
    v[16] = shoal_v_count(conn_counter(c, SHOAL_CONN_ORIG_PKTS));
    v[17] = shoal_v_count(conn_counter(c, SHOAL_CONN_ORIG_IP_BYTES));
    v[18] = shoal_v_count(conn_counter(c, SHOAL_CONN_RESP_PKTS));
    v[19] = shoal_v_count(conn_counter(c, SHOAL_CONN_RESP_IP_BYTES));
    for (size_t i = 0; i < nparents; i++) {
        parents[i] = shoal_v_str(shoal_ctx_uid(x, c->ext->parents[i], parent_uids[i]));
    }
    v[20] = nparents ? shoal_v_vec(parents, nparents) : shoal_v_unset();
    v[21] = shoal_v_count(c->id.proto);
    shoal_log_write(x->conn_log, v);
}
