/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The snmp analyzer plugin: descriptor and glue around the host-independent
 * parser (snmp_parse.c).  It writes snmp.log as Zeek's base/protocols/snmp
 * does: one record per connection, written when the connection ends, with
 * the version and community (v3: the USM user name) of the first message
 * that carries one, the variable bindings counted by PDU type, and the
 * responder's sysDescr and boot time (now minus sysUpTime) when a response
 * names them.  The two strings are copied once per connection into buffers
 * of at most max_string bytes, allocated on first need.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <shoal/shoal.h>

#include "snmp_parse.h"

#define SNMP_PORT 161
#define SNMP_PORT_TRAP 162

/* ---- settings: group plugins.snmp of shoal.cfg -------------------------- */

struct snmp_config {
    int64_t max_string;
};

static const struct shoal_cfg_key snmp_cfg_keys[] = {
    {"max_string", SHOAL_CFG_INT, "1024", false,
     "longest community or display string kept per connection, in bytes (longer ones are cut)",
     offsetof(struct snmp_config, max_string), "16", "65535"},
    {0},
};

/* ---- counters: the node reports them as snmp.NAME ----------------------- */

#define SNMP_COUNTERS(X)                                                                           \
    X(msgs, "SNMP messages seen")                                                                  \
    X(unparsed, "messages Zeek's parser would stop at")                                            \
    X(records, "snmp.log records written")                                                         \
    X(truncated, "strings cut at max_string")                                                      \
    X(dropped, "strings not kept for want of memory")

struct snmp_counters {
#define SNMP_COUNTER_FIELD(name, help) uint64_t *name;
    SNMP_COUNTERS(SNMP_COUNTER_FIELD)
};

/* ---- snmp.log ----------------------------------------------------------- */

/* snmp.log's columns, as Zeek writes them (base/protocols/snmp/main.zeek). */
#define SNMP_COLUMNS(X)                                                                            \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(DURATION, "duration", SHOAL_T_INTERVAL, 0)                                                   \
    X(VERSION, "version", SHOAL_T_STRING, 0)                                                       \
    X(COMMUNITY, "community", SHOAL_T_STRING, 0)                                                   \
    X(GET_REQUESTS, "get_requests", SHOAL_T_COUNT, 0)                                              \
    X(GET_BULK_REQUESTS, "get_bulk_requests", SHOAL_T_COUNT, 0)                                    \
    X(GET_RESPONSES, "get_responses", SHOAL_T_COUNT, 0)                                            \
    X(SET_REQUESTS, "set_requests", SHOAL_T_COUNT, 0)                                              \
    X(DISPLAY_STRING, "display_string", SHOAL_T_STRING, 0)                                         \
    X(UP_SINCE, "up_since", SHOAL_T_TIME, 0)

#define SNMP_COL(id, name, type, elem) SNMP_COL_##id,
enum snmp_col { SNMP_COLUMNS(SNMP_COL) SNMP_NCOLS };
static const struct shoal_field snmp_fields[] = {SNMP_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

struct snmp_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct snmp_config cfg;
    struct snmp_counters n;
    struct shoal_stream *stream;
};

/* A string of the record: a buffer of max_string bytes once needed. */
struct snmp_buf {
    char *b;
    uint32_t len;
    bool set;
};

/* Per-connection state (Zeek's c$snmp). */
struct snmp_conn {
    bool active;
    bool has_up;
    int64_t version;
    double ts, last, up_since;
    uint64_t get, bulk, resp, set;
    struct snmp_buf community, display;
};

/* ---- helpers ------------------------------------------------------------ */

static void snmp_keep(struct snmp_plugin *ps, struct snmp_buf *d, const struct snmp_str *s)
{
    size_t max = (size_t)ps->cfg.max_string;
    size_t n = s->len;

    if (d->b == NULL) {
        d->b = ps->host->alloc(ps->self, max);
        if (d->b == NULL) {
            (*ps->n.dropped)++;
            return;
        }
    }
    if (n > max) {
        n = max;
        (*ps->n.truncated)++;
    }
    memcpy(d->b, s->p, n);
    d->len = (uint32_t)n;
    d->set = true;
}

static void snmp_write(struct snmp_plugin *ps, struct shoal_conn *c, const struct snmp_conn *sc)
{
    struct shoal_value v[SNMP_NCOLS] = {0};
    char uid[SHOAL_UID_SIZE];

    v[SNMP_COL_TS] = shoal_v_double(sc->ts);
    v[SNMP_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, c, uid));
    shoal_v_conn_id(&v[SNMP_COL_ID_ORIG_H], ps->an->conn_id(ps->self, c));
    v[SNMP_COL_DURATION] = shoal_v_double(sc->last - sc->ts);
    v[SNMP_COL_VERSION] = shoal_v_str(snmp_version_name(sc->version));
    if (sc->community.set) {
        v[SNMP_COL_COMMUNITY] = shoal_v_strn(sc->community.b, sc->community.len);
    }
    v[SNMP_COL_GET_REQUESTS] = shoal_v_count(sc->get);
    v[SNMP_COL_GET_BULK_REQUESTS] = shoal_v_count(sc->bulk);
    v[SNMP_COL_GET_RESPONSES] = shoal_v_count(sc->resp);
    v[SNMP_COL_SET_REQUESTS] = shoal_v_count(sc->set);
    if (sc->display.set) {
        v[SNMP_COL_DISPLAY_STRING] = shoal_v_strn(sc->display.b, sc->display.len);
    }
    if (sc->has_up) {
        v[SNMP_COL_UP_SINCE] = shoal_v_double(sc->up_since);
    }
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* Zeek's init_state and the per-event counting for one message. */
static void snmp_account(struct snmp_plugin *ps, struct snmp_conn *sc, const struct snmp_msg *m)
{
    double now = ps->host->now(ps->self);

    if (!sc->active) {
        sc->active = true;
        sc->ts = now;
        sc->version = m->version;
    }
    if (!sc->community.set && m->community.p != NULL) {
        snmp_keep(ps, &sc->community, &m->community);
    }
    sc->last = now;
    switch (m->event) {
    case SNMP_EV_GET:
        sc->get += m->bindings;
        break;
    case SNMP_EV_GET_BULK:
        sc->bulk += m->bindings;
        break;
    case SNMP_EV_SET:
        sc->set += m->bindings;
        break;
    case SNMP_EV_RESPONSE:
        sc->resp += m->bindings;
        if (m->sys_descr.p != NULL) {
            snmp_keep(ps, &sc->display, &m->sys_descr);
        }
        if (m->has_uptime) {
            sc->has_up = true;
            sc->up_since = now - (double)m->uptime_ticks / 100.0;
        }
        break;
    default:
        break;
    }
}

/* ---- analyzer ops ------------------------------------------------------- */

static int snmp_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct snmp_plugin *ps = plugin;
    struct snmp_conn *sc = conn;
    struct snmp_msg m;

    (*ps->n.msgs)++;
    if (!snmp_parse(data, len, &m)) {
        (*ps->n.unparsed)++;
    }
    if (m.header_ok && !is_orig) {
        ps->an->confirm(ps->self, c);
    }
    if (m.event != SNMP_EV_NONE) {
        snmp_account(ps, sc, &m);
    }
    return SHOAL_AN_OK;
}

static void snmp_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct snmp_plugin *ps = plugin;
    struct snmp_conn *sc = conn;

    if (sc->active) {
        snmp_write(ps, c, sc);
    }
    ps->host->free(ps->self, sc->community.b);
    ps->host->free(ps->self, sc->display.b);
    sc->community.b = NULL;
    sc->display.b = NULL;
}

/* ---- init and fini ------------------------------------------------------ */

static void snmp_fini(void *state)
{
    struct snmp_plugin *ps = state;

    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int snmp_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    struct snmp_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->cfg.max_string = 1024;
    if (config != NULL) {
        ps->cfg = *(const struct snmp_config *)config;
    }
#define SNMP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    SNMP_COUNTERS(SNMP_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "snmp", snmp_fields, SNMP_NCOLS);
    if (ps->stream == NULL) {
        snmp_fini(ps);
        return -EINVAL;
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

static const struct shoal_port snmp_ports[] = {
    {SHOAL_PROTO_UDP, SNMP_PORT},
    {SHOAL_PROTO_UDP, SNMP_PORT_TRAP},
    {0, 0},
};

static const struct shoal_analyzer_ops snmp_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "snmp",
    .ports = snmp_ports,
    .signatures = NULL,
    .conn_size = sizeof(struct snmp_conn),
    .conn_new = NULL,
    .data = snmp_data,
    .gap = NULL,
    .eof = NULL,
    .conn_done = snmp_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin snmp_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "snmp",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "SNMP analyzer writing snmp.log, one record per connection",
    .config = snmp_cfg_keys,
    .config_size = sizeof(struct snmp_config),
    .init = snmp_init,
    .fini = snmp_fini,
    .ops = &snmp_ops,
};
