/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The quic analyzer plugin: descriptor, host glue and quic.log, as Zeek's
 * QUIC analyzer with base/protocols/quic.  The datagram machine
 * (quic_parse.c) opens the Initial packets; the TLS ClientHello and
 * ServerHello it gathers from their CRYPTO frames go to the ssl analyzer
 * as a child (the host's deliver, ABI 2.3), wrapped in a TLS record as
 * Zeek's analyzer wraps them, so ssl.log has the handshake and conn.log's
 * service reads "quic,ssl".  quic.log: one record per QUIC session of a
 * connection, written at a Retry, an unknown version or a
 * CONNECTION_CLOSE frame (a new record starts after them), else when the
 * connection ends; server_name and client_protocol come from the
 * ClientHello's SNI and first ALPN protocol.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <shoal/addrtext.h>
#include <shoal/shoal.h>

#include "quic_hello.h"
#include "quic_parse.h"

/* ---- settings: group plugins.quic of shoal.cfg -------------------------------- */

struct quic_config {
    int64_t max_crypto; /* bytes */
};

static const struct shoal_cfg_key quic_cfg_keys[] = {
    {"max_crypto", SHOAL_CFG_INT, "16640", false,
     "most CRYPTO bytes gathered per direction for the TLS hello of an Initial packet: a "
     "longer hello ends the analysis of its connection (a protocol violation, as Zeek's "
     "2^14+256 limit)",
     offsetof(struct quic_config, max_crypto), "2000", "16640"},
    {0},
};

/* ---- counters ----------------------------------------------------------------- */

#define QUIC_COUNTERS(X)                                                                           \
    X(sessions, "connections the analyzer attached to")                                            \
    X(decrypted, "Initial packets opened")                                                         \
    X(hellos, "TLS hellos handed to the ssl analyzer")                                             \
    X(records, "quic.log records written")                                                         \
    X(violations, "protocol violations")

struct quic_counters {
#define QUIC_COUNTER_FIELD(name, help) uint64_t *name;
    QUIC_COUNTERS(QUIC_COUNTER_FIELD)
};

/* ---- quic.log ------------------------------------------------------------------- */

#define QUIC_COLUMNS(X)                                                                            \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(VERSION, "version", SHOAL_T_STRING, 0)                                                       \
    X(CLIENT_INITIAL_DCID, "client_initial_dcid", SHOAL_T_STRING, 0)                               \
    X(CLIENT_SCID, "client_scid", SHOAL_T_STRING, 0)                                               \
    X(SERVER_SCID, "server_scid", SHOAL_T_STRING, 0)                                               \
    X(SERVER_NAME, "server_name", SHOAL_T_STRING, 0)                                               \
    X(CLIENT_PROTOCOL, "client_protocol", SHOAL_T_STRING, 0)                                       \
    X(HISTORY, "history", SHOAL_T_STRING, 0)

#define QUIC_COL(id, name, type, elem) QUIC_COL_##id,
enum quic_col { QUIC_COLUMNS(QUIC_COL) QUIC_NCOLS };
static const struct shoal_field quic_fields[] = {QUIC_COLUMNS(SHOAL_COLUMN_FIELD)};

#define QUIC_HISTORY_MAX 100 /* Zeek's QUIC::max_history_length */
#define QUIC_NAME_MAX 255

/* ---- state ---------------------------------------------------------------------- */

struct quic_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct quic_config cfg;
    struct quic_counters n;
    struct shoal_stream *stream;
};

/* Zeek's QUIC::Info of the session being recorded. */
struct quic_info {
    bool active; /* Zeek's c?$quic */
    bool has_dcid, has_client_scid, has_server_scid;
    uint32_t version;
    double ts;
    uint8_t dcid_len, client_scid_len, server_scid_len;
    uint8_t server_name_len, client_protocol_len; /* cut at QUIC_NAME_MAX */
    bool has_server_name, has_client_protocol;
    uint8_t hist_len;
    uint8_t dcid[QUIC_CID_MAX], client_scid[QUIC_CID_MAX], server_scid[QUIC_CID_MAX];
    char history[QUIC_HISTORY_MAX + 1];
};

/* Per-connection state (conn_size bytes the core zeroes). */
struct quic_conn {
    struct quic_parser parser;
    struct quic_info info;
    struct quic_plugin *ps;
    struct shoal_conn *c; /* valid only during a callback */
    char *names;          /* server_name then client_protocol (allocated) */
    bool inited;
    bool detach;
    bool ssl_gone; /* the ssl child detached or is missing */
};

/* ---- quic.log -------------------------------------------------------------------- */

static struct shoal_value quic_v_hex(bool has, const uint8_t *b, size_t n, char *out)
{
    if (!has) {
        return shoal_v_unset();
    }
    shoal_text_hex(out, b, n);
    return shoal_v_strn(out, 2 * n);
}

/* Zeek's QUIC::version_strings (0xff00001f is "draft-30" there too). */
static const char *quic_version_name(uint32_t v, char buf[32])
{
    static const char *const drafts[] = {"draft-22", "draft-23", "draft-24", "draft-25", "draft-26",
                                         "draft-27", "draft-28", "draft-29", "draft-30", "draft-30",
                                         "draft-32", "draft-33", "draft-34"};
    if (v == QUIC_VERSION_1) {
        return "1";
    }
    if (v == QUIC_VERSION_2) {
        return "quicv2";
    }
    if (v >= 0xff000016u && v <= 0xff000022u) {
        return drafts[v - 0xff000016u];
    }
    if (v == 0xfaceb001u || v == 0xfaceb002u || v == 0xfaceb00eu ||
        (v >= 0xfaceb011u && v <= 0xfaceb013u)) {
        snprintf(buf, 32, "mvfst (%x)", v);
        return buf;
    }
    snprintf(buf, 32, "unknown-%x", v);
    return buf;
}

/* Write the session's record (Zeek's QUIC::log_record) and forget it. */
static void quic_write(struct quic_conn *qc)
{
    struct quic_plugin *ps = qc->ps;
    struct quic_info *q = &qc->info;
    struct shoal_value v[QUIC_NCOLS] = {0};
    char uid[SHOAL_UID_SIZE], vb[32];
    char hd[2 * QUIC_CID_MAX + 1], hc[2 * QUIC_CID_MAX + 1], hs[2 * QUIC_CID_MAX + 1];

    if (!q->active) {
        return;
    }
    v[QUIC_COL_TS] = shoal_v_double(q->ts);
    v[QUIC_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, qc->c, uid));
    shoal_v_conn_id(&v[QUIC_COL_ID_ORIG_H], ps->an->conn_id(ps->self, qc->c));
    v[QUIC_COL_VERSION] = shoal_v_str(quic_version_name(q->version, vb));
    v[QUIC_COL_CLIENT_INITIAL_DCID] = quic_v_hex(q->has_dcid, q->dcid, q->dcid_len, hd);
    v[QUIC_COL_CLIENT_SCID] =
        quic_v_hex(q->has_client_scid, q->client_scid, q->client_scid_len, hc);
    v[QUIC_COL_SERVER_SCID] =
        quic_v_hex(q->has_server_scid, q->server_scid, q->server_scid_len, hs);
    if (q->has_server_name) {
        v[QUIC_COL_SERVER_NAME] = shoal_v_strn(qc->names, q->server_name_len);
    }
    if (q->has_client_protocol) {
        v[QUIC_COL_CLIENT_PROTOCOL] =
            shoal_v_strn(qc->names + QUIC_NAME_MAX, q->client_protocol_len);
    }
    v[QUIC_COL_HISTORY] = shoal_v_strn(q->history, q->hist_len);
    if (ps->stream != NULL && ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
    memset(q, 0, sizeof(*q));
}

static void quic_history(struct quic_conn *qc, bool is_orig, char letter)
{
    struct quic_info *q = &qc->info;

    if (q->hist_len == QUIC_HISTORY_MAX) {
        return;
    }
    q->history[q->hist_len++] = is_orig ? letter : (char)(letter - 'A' + 'a');
    if (q->hist_len == QUIC_HISTORY_MAX) {
        qc->ps->an->weird(qc->ps->self, qc->c, "QUIC_max_history_length_reached", NULL, "");
    }
}

/* The ClientHello's first server name and first ALPN protocol (Zeek's
 * ssl_extension_server_name and _application_layer_protocol_negotiation
 * handlers of base/protocols/quic), with its weird for more protocols. */
static void quic_hello_names(struct quic_conn *qc, const uint8_t *msg, size_t len)
{
    struct quic_info *q = &qc->info;
    struct quic_hello h;
    const uint8_t *p;
    size_t off = 0, n, np = 0;
    char all[512];
    size_t al = 0;

    quic_hello_parse(msg, len, &h);
    if (!q->active || (h.sni == NULL && h.alpn == NULL)) {
        return;
    }
    if (qc->names == NULL) {
        qc->names = qc->ps->host->alloc(qc->ps->self, 2 * QUIC_NAME_MAX);
        if (qc->names == NULL) {
            return;
        }
    }
    if (h.sni != NULL) {
        q->has_server_name = true;
        q->server_name_len = (uint8_t)(h.sni_len > QUIC_NAME_MAX ? QUIC_NAME_MAX : h.sni_len);
        memcpy(qc->names, h.sni, q->server_name_len);
    }
    all[al++] = '[';
    while (h.alpn != NULL && quic_alpn_next(h.alpn, h.alpn_len, &off, &p, &n)) {
        if (np++ == 0) {
            q->has_client_protocol = true;
            q->client_protocol_len = (uint8_t)(n > QUIC_NAME_MAX ? QUIC_NAME_MAX : n);
            memcpy(qc->names + QUIC_NAME_MAX, p, q->client_protocol_len);
        }
        if (al + n + 4 < sizeof(all)) {
            al += (size_t)snprintf(all + al, sizeof(all) - al, "%s%.*s", np > 1 ? ", " : "", (int)n,
                                   (const char *)p);
        }
    }
    if (np > 1) {
        snprintf(all + al, sizeof(all) - al, "]");
        qc->ps->an->weird(qc->ps->self, qc->c, "QUIC_many_protocols", all, "");
    }
}

/* ---- parser callbacks ------------------------------------------------------------ */

static void quic_cb_packet(void *ud, bool is_orig, const struct quic_hdr *h)
{
    struct quic_conn *qc = ud;
    struct quic_info *q = &qc->info;
    bool sets = h->kind != QUIC_RETRY && h->kind != QUIC_UNKNOWN_VERSION;

    if (sets || !q->active) { /* Zeek's set_session */
        if (!q->active) {
            q->active = true;
            q->ts = qc->ps->an->conn_last(qc->ps->self, qc->c);
            q->version = h->version;
        }
        if (is_orig && h->dcid_len > 0 && !q->has_dcid) {
            q->has_dcid = true;
            q->dcid_len = h->dcid_len > QUIC_CID_MAX ? QUIC_CID_MAX : h->dcid_len;
            memcpy(q->dcid, h->dcid, q->dcid_len);
        }
        uint8_t *to = is_orig ? q->client_scid : q->server_scid;
        uint8_t n = h->scid_len > QUIC_CID_MAX ? QUIC_CID_MAX : h->scid_len;
        memcpy(to, h->scid, n);
        if (is_orig) {
            q->has_client_scid = true;
            q->client_scid_len = n;
        } else {
            q->has_server_scid = true;
            q->server_scid_len = n;
        }
    }
    quic_history(qc, is_orig, (char)h->kind);
    if (!sets) {
        quic_write(qc);
    }
}

static void quic_cb_confirm(void *ud)
{
    struct quic_conn *qc = ud;
    (*qc->ps->n.decrypted)++;
    qc->ps->an->confirm(qc->ps->self, qc->c);
}

/* Hand a hello to ssl in a TLS record (type 22, version 3.3), as Zeek. */
static void quic_cb_hello(void *ud, bool is_orig, const uint8_t *msg, size_t len)
{
    struct quic_conn *qc = ud;
    struct quic_plugin *ps = qc->ps;
    uint8_t hdr[5] = {22, 3, 3, (uint8_t)(len >> 8), (uint8_t)len};

    (*ps->n.hellos)++;
    if (qc->info.active && msg[0] == (is_orig ? 1 : 2)) {
        quic_history(qc, is_orig, 'S'); /* Zeek: ssl_client_hello / ssl_server_hello */
    }
    if (is_orig && msg[0] == 1) {
        quic_hello_names(qc, msg, len);
    }
    if (qc->ssl_gone || !SHOAL_HAS(ps->an, deliver) ||
        ps->an->deliver(ps->self, qc->c, "ssl", is_orig, hdr, sizeof(hdr)) != 0 ||
        ps->an->deliver(ps->self, qc->c, "ssl", is_orig, msg, len) != 0) {
        qc->ssl_gone = true;
    }
}

static void quic_cb_close(void *ud, bool is_orig, uint64_t code)
{
    struct quic_conn *qc = ud;
    (void)code;
    if (!qc->info.active) {
        return;
    }
    quic_history(qc, is_orig, 'C');
    quic_write(qc);
}

static void quic_cb_short(void *ud, bool is_orig, uint64_t n)
{
    struct quic_conn *qc = ud;
    char num[24];

    if (!qc->info.active) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)n);
        qc->ps->an->weird(qc->ps->self, qc->c, "QUIC_spurious_short_packet_threshold_crossed", num,
                          "");
        return;
    }
    quic_history(qc, is_orig, 'O');
}

static void quic_cb_discarded(void *ud, bool is_orig)
{
    struct quic_conn *qc = ud;
    if (!qc->info.active) {
        qc->ps->an->weird(qc->ps->self, qc->c, "QUIC_spurious_discarded_packet", NULL, "");
        return;
    }
    quic_history(qc, is_orig, 'X');
}

static void quic_cb_violation(void *ud, const char *reason)
{
    struct quic_conn *qc = ud;
    struct quic_plugin *ps = qc->ps;

    (*ps->n.violations)++;
    if (SHOAL_HAS(ps->an, violation)) {
        ps->an->violation(ps->self, qc->c, reason);
    }
    qc->detach = true;
}

static void *quic_cb_alloc(void *ud, size_t n)
{
    struct quic_conn *qc = ud;
    return qc->ps->host->alloc(qc->ps->self, n);
}

static void quic_cb_free(void *ud, void *p)
{
    struct quic_conn *qc = ud;
    qc->ps->host->free(qc->ps->self, p);
}

static const struct quic_parse_cb quic_cbs = {
    .packet = quic_cb_packet,
    .confirm = quic_cb_confirm,
    .hello = quic_cb_hello,
    .close = quic_cb_close,
    .short_threshold = quic_cb_short,
    .discarded = quic_cb_discarded,
    .violation = quic_cb_violation,
    .alloc = quic_cb_alloc,
    .free = quic_cb_free,
};

/* ---- analyzer callbacks ---------------------------------------------------------- */

static struct quic_conn *quic_enter(struct quic_plugin *ps, struct shoal_conn *c, void *conn)
{
    struct quic_conn *qc = conn;

    if (!qc->inited) {
        qc->inited = true;
        qc->ps = ps;
        quic_parse_init(&qc->parser, (uint32_t)ps->cfg.max_crypto, &quic_cbs, qc);
        (*ps->n.sessions)++;
    }
    qc->c = c;
    return qc;
}

static int quic_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct quic_conn *qc = quic_enter(plugin, c, conn);

    quic_parse_datagram(&qc->parser, is_orig, data, len);
    return qc->detach ? SHOAL_AN_DETACH : SHOAL_AN_OK;
}

static void quic_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct quic_conn *qc = quic_enter(plugin, c, conn);

    quic_write(qc); /* Zeek's finalize_quic */
    quic_parse_free(&qc->parser);
    if (qc->names != NULL) {
        qc->ps->host->free(qc->ps->self, qc->names);
        qc->names = NULL;
    }
}

/* ---- init and fini ---------------------------------------------------------------- */

static void quic_fini(void *state)
{
    struct quic_plugin *ps = state;
    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int quic_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    struct quic_plugin *ps;

    if (!SHOAL_HAS(host->analyzer, deliver)) {
        host->logf(self, SHOAL_LOG_ERROR, "the core is too old: it lacks ABI %d.3's deliver",
                   SHOAL_ABI_MAJOR);
        return -ENOTSUP;
    }
    ps = host->alloc(self, sizeof(*ps));
    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->cfg.max_crypto = QUIC_HELLO_MAX;
    if (config != NULL) {
        ps->cfg = *(const struct quic_config *)config;
    }
#define QUIC_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    QUIC_COUNTERS(QUIC_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "quic", quic_fields, QUIC_NCOLS);
    if (ps->stream == NULL) {
        host->free(self, ps);
        return -EINVAL; /* the core logged why */
    }
    *state = ps;
    return 0;
}

/* ---- descriptor ------------------------------------------------------------------- */

/* Zeek's quic_ports: HTTP/3 and DNS over QUIC. */
static const struct shoal_port quic_ports[] = {
    {SHOAL_PROTO_UDP, 443},
    {SHOAL_PROTO_UDP, 853},
    {SHOAL_PROTO_UDP, 784},
    {0, 0},
};

static const struct shoal_analyzer_ops quic_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "quic",
    .ports = quic_ports,
    .conn_size = sizeof(struct quic_conn),
    .data = quic_data,
    .conn_done = quic_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin quic_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "quic",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "QUIC analyzer: opens Initial packets, hands the TLS hellos to ssl, writes quic.log",
    .config = quic_cfg_keys,
    .config_size = sizeof(struct quic_config),
    .init = quic_init,
    .fini = quic_fini,
    .ops = &quic_ops,
};
