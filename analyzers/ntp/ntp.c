/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ntp analyzer plugin: descriptor and glue around the host-independent
 * parser (ntp_parse.c).  It writes ntp.log as Zeek's base/protocols/ntp
 * does: one record per message of modes 0-5 (control and private messages,
 * modes 6 and 7, are parsed but not logged), each with the connection's id
 * and the fields of the message itself.  Any message that parses confirms
 * the service.  A message is one datagram: nothing is kept between
 * messages, nothing is allocated.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#include "ntp_parse.h"

#define NTP_PORT 123
#define NTP_MODE_LOGGED_MAX 5 /* Zeek logs modes up to 5 (broadcast) */

/* ---- counters: the node reports them as ntp.NAME ------------------------ */

#define NTP_COUNTERS(X)                                                                            \
    X(msgs, "NTP messages seen")                                                                   \
    X(unparsed, "messages rejected (too short for their mode, bad extension fields)")              \
    X(records, "ntp.log records written")

struct ntp_counters {
#define NTP_COUNTER_FIELD(name, help) uint64_t *name;
    NTP_COUNTERS(NTP_COUNTER_FIELD)
};

/* ---- ntp.log ------------------------------------------------------------ */

/* ntp.log's columns, as Zeek writes them (base/protocols/ntp/main.zeek). */
#define NTP_COLUMNS(X)                                                                             \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(VERSION, "version", SHOAL_T_COUNT, 0)                                                        \
    X(MODE, "mode", SHOAL_T_COUNT, 0)                                                              \
    X(STRATUM, "stratum", SHOAL_T_COUNT, 0)                                                        \
    X(POLL, "poll", SHOAL_T_INTERVAL, 0)                                                           \
    X(PRECISION, "precision", SHOAL_T_INTERVAL, 0)                                                 \
    X(ROOT_DELAY, "root_delay", SHOAL_T_INTERVAL, 0)                                               \
    X(ROOT_DISP, "root_disp", SHOAL_T_INTERVAL, 0)                                                 \
    X(REF_ID, "ref_id", SHOAL_T_STRING, 0)                                                         \
    X(REF_TIME, "ref_time", SHOAL_T_TIME, 0)                                                       \
    X(ORG_TIME, "org_time", SHOAL_T_TIME, 0)                                                       \
    X(REC_TIME, "rec_time", SHOAL_T_TIME, 0)                                                       \
    X(XMT_TIME, "xmt_time", SHOAL_T_TIME, 0)                                                       \
    X(NUM_EXTS, "num_exts", SHOAL_T_COUNT, 0)

#define NTP_COL(id, name, type, elem) NTP_COL_##id,
enum ntp_col { NTP_COLUMNS(NTP_COL) NTP_NCOLS };
static const struct shoal_field ntp_fields[] = {NTP_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

struct ntp_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct ntp_counters n;
    struct shoal_stream *stream;
};

/* Per-connection state: nothing spans messages; the core wants a block. */
struct ntp_conn {
    uint32_t msgs;
};

/* ---- writing records ---------------------------------------------------- */

static void ntp_write(struct ntp_plugin *ps, struct shoal_conn *c, const struct ntp_msg *m)
{
    struct shoal_value v[NTP_NCOLS] = {0};
    char uid[SHOAL_UID_SIZE];
    char addr[16];

    v[NTP_COL_TS] = shoal_v_double(ps->host->now(ps->self));
    v[NTP_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, c, uid));
    shoal_v_conn_id(&v[NTP_COL_ID_ORIG_H], ps->an->conn_id(ps->self, c));
    v[NTP_COL_VERSION] = shoal_v_count(m->version);
    v[NTP_COL_MODE] = shoal_v_count(m->mode);
    v[NTP_COL_NUM_EXTS] = shoal_v_count(m->num_exts);
    if (m->has_std) {
        v[NTP_COL_STRATUM] = shoal_v_count(m->stratum);
        v[NTP_COL_POLL] = shoal_v_double(m->poll);
        v[NTP_COL_PRECISION] = shoal_v_double(m->precision);
        v[NTP_COL_ROOT_DELAY] = shoal_v_double(m->root_delay);
        v[NTP_COL_ROOT_DISP] = shoal_v_double(m->root_disp);
        if (m->ref_kind == NTP_REF_ADDR) {
            snprintf(addr, sizeof(addr), "%u.%u.%u.%u", m->ref_id[0], m->ref_id[1], m->ref_id[2],
                     m->ref_id[3]);
            v[NTP_COL_REF_ID] = shoal_v_str(addr);
        } else {
            v[NTP_COL_REF_ID] = shoal_v_strn((const char *)m->ref_id, sizeof(m->ref_id));
        }
        v[NTP_COL_REF_TIME] = shoal_v_double(m->ref_time);
        v[NTP_COL_ORG_TIME] = shoal_v_double(m->org_time);
        v[NTP_COL_REC_TIME] = shoal_v_double(m->rec_time);
        v[NTP_COL_XMT_TIME] = shoal_v_double(m->xmt_time);
    }
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* ---- analyzer ops ------------------------------------------------------- */

static int ntp_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct ntp_plugin *ps = plugin;
    struct ntp_conn *nc = conn;
    struct ntp_msg m;

    (*ps->n.msgs)++;
    nc->msgs++;
    if (!ntp_parse(data, len, &m)) {
        (*ps->n.unparsed)++;
        return SHOAL_AN_OK;
    }
    ps->an->confirm(ps->self, c);
    if (m.mode <= NTP_MODE_LOGGED_MAX) {
        ntp_write(ps, c, &m);
    }
    return SHOAL_AN_OK;
}

/* ---- init and fini ------------------------------------------------------ */

static void ntp_fini(void *state)
{
    struct ntp_plugin *ps = state;

    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int ntp_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    struct ntp_plugin *ps = host->alloc(self, sizeof(*ps));

    (void)config;
    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
#define NTP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    NTP_COUNTERS(NTP_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "ntp", ntp_fields, NTP_NCOLS);
    if (ps->stream == NULL) {
        ntp_fini(ps);
        return -EINVAL;
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

static const struct shoal_port ntp_ports[] = {
    {SHOAL_PROTO_UDP, NTP_PORT},
    {0, 0},
};

static const struct shoal_analyzer_ops ntp_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "ntp",
    .ports = ntp_ports,
    .signatures = NULL,
    .conn_size = sizeof(struct ntp_conn),
    .conn_new = NULL,
    .data = ntp_data,
    .gap = NULL,
    .eof = NULL,
    .conn_done = NULL,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin ntp_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "ntp",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "NTP analyzer writing ntp.log",
    .config = NULL,
    .config_size = 0,
    .init = ntp_init,
    .fini = ntp_fini,
    .ops = &ntp_ops,
};
