/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dhcp analyzer plugin: descriptor and glue around the host-independent
 * parser (dhcp_parse.c).  It writes dhcp.log as Zeek's base/protocols/dhcp
 * does: not one record per message or per connection but one per exchange,
 * the messages of all connections that share a transaction id (a client's
 * broadcast DISCOVER, the server's OFFER to its new address, ...) joined
 * into one record.  A record is written when it holds
 * max_uids_per_log_entry connections or max_msg_types_per_log_entry
 * messages, or when it expires: Zeek keeps it in a table that expires 10 s
 * after creation, checked every 10 s of network time, and then writes it
 * unless a message came in the last 5 s and it is younger than
 * max_txid_watch_time (it looks again 5 s later).  What is left is written
 * when the plugin unloads (Zeek's zeek_done).  The transactions live in a
 * table of the plugin, bounded by max_transactions and allocated on the
 * first message; per connection there is only a byte per direction.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#include "dhcp_parse.h"

#define DHCP_PORT_SERVER 67
#define DHCP_PORT_CLIENT 68
#define DHCP_PORT_PROXY 4011 /* PXE proxyDHCP */

#define DHCP_EXPIRE_INTERVAL 10.0 /* Zeek's table_expire_interval */
#define DHCP_CREATE_EXPIRE 10.0   /* &create_expire of DHCP::join_data */
#define DHCP_IDLE 5.0             /* written once no message came for this long */
#define DHCP_RECHECK 5.0          /* else looked at again after this long */
#define DHCP_HWTYPE_ETHERNET 1
#define DHCP_STR_MAX 255 /* an option's longest value */
#define DHCP_TYPE_NAME_SIZE 32

/* ---- settings: group plugins.dhcp of shoal.cfg -------------------------- */

struct dhcp_config {
    double max_txid_watch_time;
    int64_t max_uids_per_log_entry;
    int64_t max_msg_types_per_log_entry;
    int64_t max_transactions;
};

static const struct shoal_cfg_key dhcp_cfg_keys[] = {
    {"max_txid_watch_time", SHOAL_CFG_DOUBLE, "30.0", false,
     "seconds a transaction id is watched to join its messages into one record "
     "(Zeek's DHCP::max_txid_watch_time)",
     offsetof(struct dhcp_config, max_txid_watch_time), "0", "86400"},
    {"max_uids_per_log_entry", SHOAL_CFG_INT, "10", false,
     "a record is written once it spans this many connections (Zeek's "
     "DHCP::max_uids_per_log_entry)",
     offsetof(struct dhcp_config, max_uids_per_log_entry), "1", "100"},
    {"max_msg_types_per_log_entry", SHOAL_CFG_INT, "50", false,
     "a record is written once it holds this many messages (Zeek's "
     "DHCP::max_msg_types_per_log_entry)",
     offsetof(struct dhcp_config, max_msg_types_per_log_entry), "1", "1000"},
    {"max_transactions", SHOAL_CFG_INT, "1024", false,
     "transactions held at once; when full, the oldest is written early",
     offsetof(struct dhcp_config, max_transactions), "1", "65536"},
    {0},
};

/* ---- counters: the node reports them as dhcp.NAME ----------------------- */

#define DHCP_COUNTERS(X)                                                                           \
    X(msgs, "DHCP messages seen")                                                                  \
    X(unparsed, "messages rejected (truncated options, unreadable lengths, bad cookie)")           \
    X(records, "dhcp.log records written")                                                         \
    X(evicted, "records written early because max_transactions were held")                         \
    X(dropped, "messages not joined for want of memory")

struct dhcp_counters {
#define DHCP_COUNTER_FIELD(name, help) uint64_t *name;
    DHCP_COUNTERS(DHCP_COUNTER_FIELD)
};

/* ---- dhcp.log ----------------------------------------------------------- */

/* dhcp.log's columns, as Zeek writes them (base/protocols/dhcp/main.zeek). */
#define DHCP_COLUMNS(X)                                                                            \
    X(TS, "ts", SHOAL_T_TIME, 0)                                                                   \
    X(UIDS, "uids", SHOAL_T_SET, SHOAL_T_STRING)                                                   \
    X(CLIENT_ADDR, "client_addr", SHOAL_T_ADDR, 0)                                                 \
    X(SERVER_ADDR, "server_addr", SHOAL_T_ADDR, 0)                                                 \
    X(MAC, "mac", SHOAL_T_STRING, 0)                                                               \
    X(HOST_NAME, "host_name", SHOAL_T_STRING, 0)                                                   \
    X(CLIENT_FQDN, "client_fqdn", SHOAL_T_STRING, 0)                                               \
    X(DOMAIN, "domain", SHOAL_T_STRING, 0)                                                         \
    X(REQUESTED_ADDR, "requested_addr", SHOAL_T_ADDR, 0)                                           \
    X(ASSIGNED_ADDR, "assigned_addr", SHOAL_T_ADDR, 0)                                             \
    X(LEASE_TIME, "lease_time", SHOAL_T_INTERVAL, 0)                                               \
    X(CLIENT_MESSAGE, "client_message", SHOAL_T_STRING, 0)                                         \
    X(SERVER_MESSAGE, "server_message", SHOAL_T_STRING, 0)                                         \
    X(MSG_TYPES, "msg_types", SHOAL_T_VECTOR, SHOAL_T_STRING)                                      \
    X(DURATION, "duration", SHOAL_T_INTERVAL, 0)

#define DHCP_COL(id, name, type, elem) DHCP_COL_##id,
enum dhcp_col { DHCP_COLUMNS(DHCP_COL) DHCP_NCOLS };
static const struct shoal_field dhcp_fields[] = {DHCP_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

/* A string field of a record (Zeek's &optional string). */
struct dhcp_sval {
    bool set;
    uint8_t len;
    char b[DHCP_STR_MAX];
};

struct dhcp_addr_val {
    bool set;
    struct shoal_addr a;
};

/* One exchange being gathered (Zeek's DHCP::Info in DHCP::join_data). */
struct dhcp_tx {
    bool used;
    uint32_t xid;
    int32_t next; /* hash chain, or free list */
    uint64_t seq; /* creation order, for eviction */
    double ts;
    double last_ts;
    double expire_at; /* the table entry's expiry */
    double duration;
    uint16_t nuids;
    uint16_t ntypes;
    struct dhcp_addr_val client_addr, server_addr, requested_addr, assigned_addr;
    bool has_lease;
    double lease;
    bool has_mac, has_chaddr;
    char mac[DHCP_MAC_STR_SIZE];
    char chaddr[DHCP_MAC_STR_SIZE]; /* client_chaddr: the fallback for mac */
    struct dhcp_sval host_name, client_fqdn, domain, client_message, server_message;
};

struct dhcp_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct dhcp_config cfg;
    struct dhcp_counters n;
    struct shoal_stream *stream;
    /* the transaction table, allocated on the first message */
    struct dhcp_tx *tx;
    char (*uids)[SHOAL_UID_SIZE]; /* max_uids_per_log_entry per transaction */
    uint8_t *types;               /* max_msg_types_per_log_entry per transaction */
    int32_t *buckets;
    uint32_t nbuckets; /* a power of two */
    int32_t free_head;
    uint32_t nused;
    uint64_t seq;
    /* writing a record */
    struct shoal_value *uidv;
    struct shoal_value *typev;
    char (*type_names)[DHCP_TYPE_NAME_SIZE];
    bool table_failed;
};

/* Per connection: the relay agent total Zeek keeps per direction. */
struct dhcp_conn {
    uint8_t relay_sum[2];
};

/* ---- the transaction table ---------------------------------------------- */

static uint32_t dhcp_bucket(const struct dhcp_plugin *ps, uint32_t xid)
{
    return (xid * 2654435761u) & (ps->nbuckets - 1);
}

static size_t dhcp_nmax(const struct dhcp_plugin *ps)
{
    return (size_t)ps->cfg.max_transactions;
}

/* Allocate the table (once).  false when out of memory (logged once). */
static bool dhcp_table_init(struct dhcp_plugin *ps)
{
    size_t n = dhcp_nmax(ps);
    size_t nu = (size_t)ps->cfg.max_uids_per_log_entry;
    size_t nt = (size_t)ps->cfg.max_msg_types_per_log_entry;

    if (ps->tx != NULL) {
        return true;
    }
    if (ps->table_failed) {
        return false;
    }
    ps->nbuckets = 1;
    while (ps->nbuckets < 2 * n) {
        ps->nbuckets <<= 1;
    }
    ps->tx = ps->host->alloc(ps->self, n * sizeof(*ps->tx));
    ps->uids = ps->host->alloc(ps->self, n * nu * sizeof(*ps->uids));
    ps->types = ps->host->alloc(ps->self, n * nt);
    ps->buckets = ps->host->alloc(ps->self, ps->nbuckets * sizeof(*ps->buckets));
    ps->uidv = ps->host->alloc(ps->self, nu * sizeof(*ps->uidv));
    ps->typev = ps->host->alloc(ps->self, nt * sizeof(*ps->typev));
    ps->type_names = ps->host->alloc(ps->self, nt * sizeof(*ps->type_names));
    if (ps->tx == NULL || ps->uids == NULL || ps->types == NULL || ps->buckets == NULL ||
        ps->uidv == NULL || ps->typev == NULL || ps->type_names == NULL) {
        ps->host->logf(ps->self, SHOAL_LOG_ERROR,
                       "out of memory for %zu transactions: dhcp.log is not written", n);
        ps->host->free(ps->self, ps->tx);
        ps->tx = NULL;
        ps->table_failed = true;
        return false;
    }
    for (uint32_t i = 0; i < ps->nbuckets; i++) {
        ps->buckets[i] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        ps->tx[i].next = i + 1 < n ? (int32_t)(i + 1) : -1;
    }
    ps->free_head = 0;
    return true;
}

static struct dhcp_tx *dhcp_find(struct dhcp_plugin *ps, uint32_t xid)
{
    for (int32_t i = ps->buckets[dhcp_bucket(ps, xid)]; i >= 0; i = ps->tx[i].next) {
        if (ps->tx[i].xid == xid) {
            return &ps->tx[i];
        }
    }
    return NULL;
}

/* Unlink t from its chain and put it on the free list. */
static void dhcp_delete(struct dhcp_plugin *ps, struct dhcp_tx *t)
{
    int32_t idx = (int32_t)(t - ps->tx);
    int32_t *pp = &ps->buckets[dhcp_bucket(ps, t->xid)];

    while (*pp >= 0 && *pp != idx) {
        pp = &ps->tx[*pp].next;
    }
    if (*pp == idx) {
        *pp = t->next;
    }
    t->used = false;
    t->next = ps->free_head;
    ps->free_head = idx;
    ps->nused--;
}

/* ---- writing records ---------------------------------------------------- */

static struct shoal_value dhcp_v_addr(const struct dhcp_addr_val *a)
{
    return a->set ? shoal_v_addr(&a->a) : shoal_v_unset();
}

static struct shoal_value dhcp_v_sval(const struct dhcp_sval *s)
{
    return s->set ? shoal_v_strn(s->b, s->len) : shoal_v_unset();
}

static void dhcp_write(struct dhcp_plugin *ps, const struct dhcp_tx *t)
{
    struct shoal_value v[DHCP_NCOLS] = {0};
    size_t idx = (size_t)(t - ps->tx);
    const char(*uids)[SHOAL_UID_SIZE] = ps->uids + idx * (size_t)ps->cfg.max_uids_per_log_entry;
    const uint8_t *types = ps->types + idx * (size_t)ps->cfg.max_msg_types_per_log_entry;

    for (uint16_t i = 0; i < t->nuids; i++) {
        ps->uidv[i] = shoal_v_str(uids[i]);
    }
    for (uint16_t i = 0; i < t->ntypes; i++) {
        ps->typev[i] =
            shoal_v_str(dhcp_msg_type_name(types[i], ps->type_names[i], sizeof(ps->type_names[i])));
    }
    v[DHCP_COL_TS] = shoal_v_double(t->ts);
    v[DHCP_COL_UIDS] = shoal_v_vec(ps->uidv, t->nuids);
    v[DHCP_COL_CLIENT_ADDR] = dhcp_v_addr(&t->client_addr);
    v[DHCP_COL_SERVER_ADDR] = dhcp_v_addr(&t->server_addr);
    if (t->has_mac) {
        v[DHCP_COL_MAC] = shoal_v_str(t->mac);
    }
    v[DHCP_COL_HOST_NAME] = dhcp_v_sval(&t->host_name);
    v[DHCP_COL_CLIENT_FQDN] = dhcp_v_sval(&t->client_fqdn);
    v[DHCP_COL_DOMAIN] = dhcp_v_sval(&t->domain);
    v[DHCP_COL_REQUESTED_ADDR] = dhcp_v_addr(&t->requested_addr);
    v[DHCP_COL_ASSIGNED_ADDR] = dhcp_v_addr(&t->assigned_addr);
    if (t->has_lease) {
        v[DHCP_COL_LEASE_TIME] = shoal_v_double(t->lease);
    }
    v[DHCP_COL_CLIENT_MESSAGE] = dhcp_v_sval(&t->client_message);
    v[DHCP_COL_SERVER_MESSAGE] = dhcp_v_sval(&t->server_message);
    v[DHCP_COL_MSG_TYPES] = shoal_v_vec(ps->typev, t->ntypes);
    v[DHCP_COL_DURATION] = shoal_v_double(t->duration);
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* Zeek's join_data_expiration writing a record: the client's chaddr stands
 * in for a mac nobody gave. */
static void dhcp_expire(struct dhcp_plugin *ps, struct dhcp_tx *t)
{
    if (!t->has_mac && t->has_chaddr) {
        memcpy(t->mac, t->chaddr, sizeof(t->mac));
        t->has_mac = true;
    }
    dhcp_write(ps, t);
    dhcp_delete(ps, t);
}

/* Every 10 s of network time, as Zeek's table expiry. */
static void dhcp_tick(void *arg, double now)
{
    struct dhcp_plugin *ps = arg;
    size_t n = dhcp_nmax(ps);

    for (size_t i = 0; ps->tx != NULL && ps->nused > 0 && i < n; i++) {
        struct dhcp_tx *t = &ps->tx[i];
        if (!t->used || !(t->expire_at < now)) {
            continue;
        }
        if (now - t->last_ts > DHCP_IDLE || now - t->ts > ps->cfg.max_txid_watch_time) {
            dhcp_expire(ps, t);
        } else {
            t->expire_at = now + DHCP_RECHECK;
        }
    }
    ps->host->timer_add(ps->self, DHCP_EXPIRE_INTERVAL, dhcp_tick, ps);
}

/* ---- joining a message into its transaction ----------------------------- */

/* The transaction of xid: found, or new (the oldest written out when the
 * table is full).  NULL without a table. */
static struct dhcp_tx *dhcp_tx_get(struct dhcp_plugin *ps, uint32_t xid, double now)
{
    struct dhcp_tx *t;

    if (!dhcp_table_init(ps)) {
        return NULL;
    }
    t = dhcp_find(ps, xid);
    if (t != NULL) {
        return t;
    }
    if (ps->free_head < 0) {
        struct dhcp_tx *old = NULL;
        for (size_t i = 0; i < dhcp_nmax(ps); i++) {
            if (ps->tx[i].used && (old == NULL || ps->tx[i].seq < old->seq)) {
                old = &ps->tx[i];
            }
        }
        (*ps->n.evicted)++;
        dhcp_expire(ps, old);
    }
    int32_t idx = ps->free_head;
    t = &ps->tx[idx];
    ps->free_head = t->next;
    memset(t, 0, sizeof(*t));
    t->used = true;
    t->xid = xid;
    t->seq = ps->seq++;
    t->ts = now;
    t->expire_at = now + DHCP_CREATE_EXPIRE;
    uint32_t b = dhcp_bucket(ps, xid);
    t->next = ps->buckets[b];
    ps->buckets[b] = idx;
    ps->nused++;
    return t;
}

static void dhcp_set_str(struct dhcp_sval *d, const struct dhcp_str *s)
{
    size_t n = s->len < DHCP_STR_MAX ? s->len : DHCP_STR_MAX;

    memcpy(d->b, s->p, n);
    d->len = (uint8_t)n;
    d->set = true;
}

static void dhcp_set_v4(struct dhcp_addr_val *d, const uint8_t b[4])
{
    memset(&d->a, 0, sizeof(d->a));
    d->a.b[10] = 0xff;
    d->a.b[11] = 0xff;
    memcpy(d->a.b + 12, b, 4);
    d->set = true;
}

static bool dhcp_addr_is_v4(const struct shoal_addr *a, uint8_t x)
{
    return shoal_addr_is_v4(a) && a->b[12] == x && a->b[13] == x && a->b[14] == x && a->b[15] == x;
}

/* Add the uid and the message type (bounded by the settings). */
static void dhcp_add_uid_type(struct dhcp_plugin *ps, struct dhcp_tx *t, const char *uid,
                              uint8_t m_type)
{
    size_t idx = (size_t)(t - ps->tx);
    char(*uids)[SHOAL_UID_SIZE] = ps->uids + idx * (size_t)ps->cfg.max_uids_per_log_entry;
    bool seen = false;

    for (uint16_t i = 0; i < t->nuids && !seen; i++) {
        seen = strcmp(uids[i], uid) == 0;
    }
    if (!seen && t->nuids < ps->cfg.max_uids_per_log_entry) {
        snprintf(uids[t->nuids++], SHOAL_UID_SIZE, "%s", uid);
    }
    if (t->ntypes < ps->cfg.max_msg_types_per_log_entry) {
        ps->types[idx * (size_t)ps->cfg.max_msg_types_per_log_entry + t->ntypes++] = m_type;
    }
}

/* The client's side of a message (Zeek: is_client). */
static void dhcp_from_client(struct dhcp_tx *t, const struct shoal_conn_id *id,
                             const struct dhcp_msg *m)
{
    if (!dhcp_addr_is_v4(&id->orig_h, 0) && !dhcp_addr_is_v4(&id->orig_h, 0xff)) {
        t->client_addr.a = id->orig_h;
        t->client_addr.set = true;
    }
    if (m->host_name.p != NULL) {
        dhcp_set_str(&t->host_name, &m->host_name);
    }
    if (m->client_fqdn.p != NULL) {
        dhcp_set_str(&t->client_fqdn, &m->client_fqdn);
    }
    if (m->has_client_id && m->client_id_hwtype == DHCP_HWTYPE_ETHERNET) {
        memcpy(t->mac, m->client_id_mac, sizeof(t->mac));
        t->has_mac = true;
    } else {
        memcpy(t->chaddr, m->chaddr, sizeof(t->chaddr));
        t->has_chaddr = true;
    }
    if (m->has_addr_request) {
        dhcp_set_v4(&t->requested_addr, m->addr_request);
    }
}

/* The server's side of a message. */
static void dhcp_from_server(struct dhcp_tx *t, const struct shoal_conn_id *id, bool is_orig,
                             const struct dhcp_msg *m)
{
    static const uint8_t zero[4] = {0};
    bool yiaddr = memcmp(m->yiaddr, zero, 4) != 0;

    if (yiaddr) {
        /* Broadcasting, the server originates; else it is the responder. */
        t->server_addr.a = is_orig ? id->orig_h : id->resp_h;
        t->server_addr.set = true;
    }
    if (m->chaddr[0] != '\0' && !t->has_mac) {
        memcpy(t->mac, m->chaddr, sizeof(t->mac));
        t->has_mac = true;
    }
    if (yiaddr) {
        dhcp_set_v4(&t->assigned_addr, m->yiaddr);
    }
    if (!t->client_addr.set && t->assigned_addr.set) {
        t->client_addr = t->assigned_addr;
    }
    if (m->domain_name.p != NULL) {
        dhcp_set_str(&t->domain, &m->domain_name);
    }
    if (m->has_lease) {
        t->has_lease = true;
        t->lease = (double)m->lease;
    }
}

/* Zeek's DHCP::aggregate_msgs for one message. */
static void dhcp_join(struct dhcp_plugin *ps, struct shoal_conn *c, bool is_orig,
                      const struct dhcp_msg *m)
{
    const struct shoal_conn_id *id = ps->an->conn_id(ps->self, c);
    double now = ps->host->now(ps->self);
    char uid[SHOAL_UID_SIZE];
    struct dhcp_tx *t = dhcp_tx_get(ps, m->xid, now);

    if (t == NULL) {
        (*ps->n.dropped)++;
        return;
    }
    t->duration = now - t->ts;
    dhcp_add_uid_type(ps, t, ps->an->conn_uid(ps->self, c, uid), m->m_type);
    /* The originator is the client unless a server broadcast first. */
    bool is_client = is_orig && (dhcp_addr_is_v4(&id->orig_h, 0) ||
                                 id->orig_p == DHCP_PORT_CLIENT || id->resp_p == DHCP_PORT_SERVER);
    if (m->message.p != NULL) {
        dhcp_set_str(is_client ? &t->client_message : &t->server_message, &m->message);
    }
    t->last_ts = now;
    if (is_client) {
        dhcp_from_client(t, id, m);
    } else {
        dhcp_from_server(t, id, is_orig, m);
    }
    if (t->nuids >= ps->cfg.max_uids_per_log_entry ||
        t->ntypes >= ps->cfg.max_msg_types_per_log_entry) {
        dhcp_write(ps, t);
        dhcp_delete(ps, t);
    }
}

/* ---- analyzer ops ------------------------------------------------------- */

static int dhcp_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct dhcp_plugin *ps = plugin;
    struct dhcp_conn *dc = conn;
    struct dhcp_msg m;

    (*ps->n.msgs)++;
    if (dhcp_parse(data, len, &dc->relay_sum[is_orig ? 0 : 1], &m) != DHCP_PARSE_OK ||
        !m.cookie_ok) {
        (*ps->n.unparsed)++;
        return SHOAL_AN_OK;
    }
    dhcp_join(ps, c, is_orig, &m);
    ps->an->confirm(ps->self, c);
    return SHOAL_AN_OK;
}

/* ---- init and fini ------------------------------------------------------ */

static void dhcp_fini(void *state)
{
    struct dhcp_plugin *ps = state;

    if (ps == NULL) {
        return;
    }
    /* Zeek's zeek_done: what is still gathered is written. */
    for (size_t i = 0; ps->tx != NULL && ps->stream != NULL && i < dhcp_nmax(ps); i++) {
        if (ps->tx[i].used) {
            dhcp_expire(ps, &ps->tx[i]);
        }
    }
    ps->host->free(ps->self, ps->tx);
    ps->host->free(ps->self, ps->uids);
    ps->host->free(ps->self, ps->types);
    ps->host->free(ps->self, ps->buckets);
    ps->host->free(ps->self, ps->uidv);
    ps->host->free(ps->self, ps->typev);
    ps->host->free(ps->self, ps->type_names);
    ps->host->free(ps->self, ps);
}

static int dhcp_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    struct dhcp_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    if (config != NULL) {
        ps->cfg = *(const struct dhcp_config *)config;
    } else {
        ps->cfg = (struct dhcp_config){30.0, 10, 50, 1024};
    }
#define DHCP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    DHCP_COUNTERS(DHCP_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "dhcp", dhcp_fields, DHCP_NCOLS);
    if (ps->stream == NULL) {
        dhcp_fini(ps);
        return -EINVAL;
    }
    /* The expiry rounds start with the node's clock (the first packet). */
    host->timer_add(self, 0, dhcp_tick, ps);
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

/* 67/udp decides who originated a connection (Zeek's likely_server_ports);
 * 68 and 4011 only attach the analyzer (Zeek's DHCP::ports). */
static const struct shoal_port dhcp_ports[] = {
    {SHOAL_PROTO_UDP, DHCP_PORT_SERVER},
    {0, 0},
};

static const struct shoal_port dhcp_client_ports[] = {
    {SHOAL_PROTO_UDP, DHCP_PORT_CLIENT},
    {SHOAL_PROTO_UDP, DHCP_PORT_PROXY},
    {0, 0},
};

static const struct shoal_analyzer_ops dhcp_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "dhcp",
    .ports = dhcp_ports,
    .signatures = NULL,
    .conn_size = sizeof(struct dhcp_conn),
    .conn_new = NULL,
    .data = dhcp_data,
    .gap = NULL,
    .eof = NULL,
    .conn_done = NULL,
    .client_ports = dhcp_client_ports,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin dhcp_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "dhcp",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "DHCP analyzer writing dhcp.log, one record per exchange",
    .config = dhcp_cfg_keys,
    .config_size = sizeof(struct dhcp_config),
    .init = dhcp_init,
    .fini = dhcp_fini,
    .ops = &dhcp_ops,
};
