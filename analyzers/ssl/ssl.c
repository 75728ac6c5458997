/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ssl analyzer plugin: descriptor, host glue and the ssl.log record.
 * ssl_parse.c reads the handshake; this file plays the part of Zeek's
 * base/protocols/ssl scripts around it: it writes the connection's ssl.log
 * record once the handshake is established (then detaches, skipping the
 * encrypted rest of the stream, as Zeek's disable_analyzer_after_detection),
 * on a protocol violation, or when the connection ends.
 *
 * The same source builds two plugins, as Zeek has two analyzers writing
 * ssl.log: "ssl" (TLS over TCP) and, with SSL_DTLS defined, "dtls" (DTLS
 * over UDP, conn.log's service "dtls").
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <shoal/addrtext.h>
#include <shoal/shoal.h>

#include "ssl_names.h"
#include "ssl_parse.h"

#ifdef SSL_DTLS
#define SSL_PLUGIN_NAME "dtls"
#define SSL_PLUGIN_SYM dtls_LTX_shoal_plugin
#else
#define SSL_PLUGIN_NAME "ssl"
#define SSL_PLUGIN_SYM ssl_LTX_shoal_plugin
#endif

/* ---- settings: group plugins.ssl (plugins.dtls) of shoal.cfg ------------ */

struct ssl_config {
    int64_t max_handshake; /* bytes */
    bool ja3;              /* ssl.log's ja3 and ja3s columns */
};

static const struct shoal_cfg_key ssl_cfg_keys[] = {
    {"max_handshake", SHOAL_CFG_INT, "65536", false,
     "longest handshake message gathered across records, in bytes: a longer one ends the "
     "analysis of its connection (weird SSL_max_handshake_message_size_reached)",
     offsetof(struct ssl_config, max_handshake), "1024", "16777216"},
    {"ja3", SHOAL_CFG_BOOL, "false", false,
     "add the JA3 and JA3S fingerprints of the hellos to ssl.log (columns ja3, ja3s, as the "
     "ja3 package for Zeek); plugins.ssl and plugins.dtls write the same ssl.log, so set it "
     "alike in both",
     offsetof(struct ssl_config, ja3), NULL, NULL},
    {0},
};

/* ---- counters ------------------------------------------------------------- */

#define SSL_COUNTERS(X)                                                                            \
    X(sessions, "connections the analyzer attached to")                                            \
    X(established, "handshakes that completed")                                                    \
    X(records, "ssl.log records written")                                                          \
    X(violations, "protocol violations")                                                           \
    X(weirds, "weirds reported")

struct ssl_counters {
#define SSL_COUNTER_FIELD(name, help) uint64_t *name;
    SSL_COUNTERS(SSL_COUNTER_FIELD)
};

/* ---- ssl.log ---------------------------------------------------------------- */

/* ssl.log's columns, as Zeek writes them by default. */
#define SSL_COLUMNS(X)                                                                             \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(VERSION, "version", SHOAL_T_STRING, 0)                                                       \
    X(CIPHER, "cipher", SHOAL_T_STRING, 0)                                                         \
    X(CURVE, "curve", SHOAL_T_STRING, 0)                                                           \
    X(SERVER_NAME, "server_name", SHOAL_T_STRING, 0)                                               \
    X(RESUMED, "resumed", SHOAL_T_BOOL, 0)                                                         \
    X(LAST_ALERT, "last_alert", SHOAL_T_STRING, 0)                                                 \
    X(NEXT_PROTOCOL, "next_protocol", SHOAL_T_STRING, 0)                                           \
    X(ESTABLISHED, "established", SHOAL_T_BOOL, 0)                                                 \
    X(SSL_HISTORY, "ssl_history", SHOAL_T_STRING, 0)                                               \
    X(CERT_CHAIN_FPS, "cert_chain_fps", SHOAL_T_VECTOR, SHOAL_T_STRING)                            \
    X(CLIENT_CERT_CHAIN_FPS, "client_cert_chain_fps", SHOAL_T_VECTOR, SHOAL_T_STRING)              \
    X(SNI_MATCHES_CERT, "sni_matches_cert", SHOAL_T_BOOL, 0)                                       \
    X(JA3, "ja3", SHOAL_T_STRING, 0)                                                               \
    X(JA3S, "ja3s", SHOAL_T_STRING, 0)

/* The JA3 columns come last and only with plugins.ssl.ja3. */
#define SSL_JA3_COLS 2

#define SSL_COL(id, name, type, elem) SSL_COL_##id,
enum ssl_col { SSL_COLUMNS(SSL_COL) SSL_NCOLS };
static const struct shoal_field ssl_fields[] = {SSL_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state ------------------------------------------------------------------ */

struct ssl_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct ssl_config cfg;
    struct ssl_counters n;
    struct shoal_stream *stream;
};

/* Per-connection state: the block of conn_size bytes the core zeroes. */
struct ssl_conn {
    struct ssl_parser parser;
    struct ssl_plugin *ps;
    struct shoal_conn *c; /* valid only during a callback */
    double ts;            /* when the first TLS event happened */
    bool inited;
    bool logged;
    bool detach; /* the parser is done: detach after this call */
};

/* ---- the record ------------------------------------------------------------- */

/* The hex fingerprints of one direction's certificates. */
struct ssl_fps {
    char hex[SSL_CHAIN_MAX][2 * SSL_SHA256_LEN + 1];
    struct shoal_value v[SSL_CHAIN_MAX];
};

/* b[0..n) in lower-case hex in out (2n + 1 bytes). */
static const char *ssl_hex(const uint8_t *b, size_t n, char *out)
{
    *shoal_text_hex(out, b, n) = '\0';
    return out;
}

static struct shoal_value ssl_v_fps(const struct ssl_session *s, int server, struct ssl_fps *f)
{
    if (!s->chains) {
        return shoal_v_unset();
    }
    for (size_t i = 0; i < s->nfps[server]; i++) {
        f->v[i] = shoal_v_str(ssl_hex(s->fps[server][i], SSL_SHA256_LEN, f->hex[i]));
    }
    return shoal_v_vec(f->v, s->nfps[server]);
}

/* Write the connection's ssl.log record, once (Zeek's SSL::log_record). */
static void ssl_write(struct ssl_conn *sc)
{
    struct ssl_plugin *ps = sc->ps;
    const struct ssl_session *s = &sc->parser.s;
    struct shoal_value v[SSL_NCOLS] = {0};
    char uid[SHOAL_UID_SIZE], vb[SSL_NAME_BUF], cb[SSL_NAME_BUF], kb[SSL_NAME_BUF];
    char ab[SSL_NAME_BUF];
    struct ssl_fps server, client;

    if (sc->logged || !s->touched || ps->stream == NULL) {
        return;
    }
    sc->logged = true;
    v[SSL_COL_TS] = shoal_v_double(sc->ts);
    v[SSL_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, sc->c, uid));
    shoal_v_conn_id(&v[SSL_COL_ID_ORIG_H], ps->an->conn_id(ps->self, sc->c));
    if (s->has_version) {
        v[SSL_COL_VERSION] = shoal_v_str(ssl_version_name(s->version, vb));
    }
    if (s->has_cipher) {
        v[SSL_COL_CIPHER] = shoal_v_str(ssl_cipher_name(s->cipher, cb));
    }
    if (s->has_curve) {
        v[SSL_COL_CURVE] = shoal_v_str(ssl_curve_name(s->curve, kb));
    }
    v[SSL_COL_SERVER_NAME] = shoal_v_strn(s->server_name, s->server_name_len);
    v[SSL_COL_RESUMED] = shoal_v_bool(s->resumed);
    if (s->has_last_alert) {
        v[SSL_COL_LAST_ALERT] = shoal_v_str(ssl_alert_name(s->last_alert, ab));
    }
    v[SSL_COL_NEXT_PROTOCOL] = shoal_v_strn(s->next_protocol, s->next_protocol_len);
    v[SSL_COL_ESTABLISHED] = shoal_v_bool(s->established);
    v[SSL_COL_SSL_HISTORY] = shoal_v_strn(s->history, s->hist_len);
    v[SSL_COL_CERT_CHAIN_FPS] = ssl_v_fps(s, 1, &server);
    v[SSL_COL_CLIENT_CERT_CHAIN_FPS] = ssl_v_fps(s, 0, &client);
    if (s->sni_match >= 0) {
        v[SSL_COL_SNI_MATCHES_CERT] = shoal_v_bool(s->sni_match == 1);
    }
    char ja3[2 * SSL_MD5_LEN + 1], ja3s[2 * SSL_MD5_LEN + 1];
    if (s->has_ja3) {
        v[SSL_COL_JA3] = shoal_v_str(ssl_hex(s->ja3, SSL_MD5_LEN, ja3));
    }
    if (s->has_ja3s) {
        v[SSL_COL_JA3S] = shoal_v_str(ssl_hex(s->ja3s, SSL_MD5_LEN, ja3s));
    }
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* ---- parser callbacks --------------------------------------------------------- */

static void ssl_cb_confirm(void *ud)
{
    struct ssl_conn *sc = ud;
    sc->ps->an->confirm(sc->ps->self, sc->c);
}

static void ssl_cb_violation(void *ud, const char *reason)
{
    struct ssl_conn *sc = ud;
    struct ssl_plugin *ps = sc->ps;

    (*ps->n.violations)++;
    if (SHOAL_HAS(ps->an, violation)) {
        ps->an->violation(ps->self, sc->c, reason);
    }
    ssl_write(sc); /* Zeek's analyzer_violation_info handler: finish(c, F) */
    sc->detach = true;
}

static void ssl_cb_established(void *ud)
{
    struct ssl_conn *sc = ud;
    (*sc->ps->n.established)++;
    ssl_write(sc);
    sc->detach = true;
}

static void ssl_cb_weird(void *ud, const char *name, const char *addl, bool plain)
{
    struct ssl_conn *sc = ud;
    (*sc->ps->n.weirds)++;
    sc->ps->an->weird(sc->ps->self, sc->c, name, addl, plain ? "" : NULL);
}

static void *ssl_cb_alloc(void *ud, size_t n)
{
    struct ssl_conn *sc = ud;
    return sc->ps->host->alloc(sc->ps->self, n);
}

static void ssl_cb_free(void *ud, void *p)
{
    struct ssl_conn *sc = ud;
    sc->ps->host->free(sc->ps->self, p);
}

static const struct ssl_parse_cb ssl_cbs = {
    .confirm = ssl_cb_confirm,
    .violation = ssl_cb_violation,
    .established = ssl_cb_established,
    .weird = ssl_cb_weird,
    .alloc = ssl_cb_alloc,
    .free = ssl_cb_free,
};

/* ---- callbacks ------------------------------------------------------------------ */

/* Zeek's analyzer skips a TCP connection it did not see open (IsPartial):
 * one that carried data without any SYN in its history. */
static bool ssl_partial(struct ssl_plugin *ps, struct shoal_conn *c)
{
    char h[SHOAL_HISTORY_SIZE];

    if (ps->an->conn_id(ps->self, c)->proto != SHOAL_PROTO_TCP) {
        return false;
    }
    ps->an->conn_history(ps->self, c, h);
    return strpbrk(h, "SsHh") == NULL && strpbrk(h, "Dd") != NULL;
}

static struct ssl_conn *ssl_enter(struct ssl_plugin *ps, struct shoal_conn *c, void *conn)
{
    struct ssl_conn *sc = conn;

    if (!sc->inited) {
        sc->inited = true;
        sc->ps = ps;
#ifdef SSL_DTLS
        ssl_parse_init(&sc->parser, true, (uint32_t)ps->cfg.max_handshake, &ssl_cbs, sc);
#else
        ssl_parse_init(&sc->parser, false, (uint32_t)ps->cfg.max_handshake, &ssl_cbs, sc);
#endif
        sc->parser.ja3 = ps->cfg.ja3;
        (*ps->n.sessions)++;
        if (ssl_partial(ps, c)) {
            sc->parser.stopped = true;
        }
    }
    sc->c = c;
    return sc;
}

static int ssl_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct ssl_conn *sc = ssl_enter(plugin, c, conn);
    bool touched = sc->parser.s.touched;

    ssl_parse_data(&sc->parser, is_orig, data, len);
    if (!touched && sc->parser.s.touched) {
        sc->ts = sc->ps->an->conn_last(sc->ps->self, c);
    }
    return sc->detach ? SHOAL_AN_DETACH : SHOAL_AN_OK;
}

static void ssl_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct ssl_conn *sc = ssl_enter(plugin, c, conn);
    ssl_parse_gap(&sc->parser, is_orig, len);
}

static void ssl_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct ssl_conn *sc = ssl_enter(plugin, c, conn);

    ssl_write(sc); /* Zeek's finalize_ssl */
    ssl_parse_free(&sc->parser);
}

static bool ssl_probe(const uint8_t *data, size_t len, bool is_orig, uint8_t proto)
{
#ifdef SSL_DTLS
    return proto == SHOAL_PROTO_UDP && ssl_parse_probe(data, len, is_orig, true);
#else
    return proto == SHOAL_PROTO_TCP && ssl_parse_probe(data, len, is_orig, false);
#endif
}

/* ---- init and fini -------------------------------------------------------------- */

static void ssl_fini(void *state)
{
    struct ssl_plugin *ps = state;
    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int ssl_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    struct ssl_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->cfg.max_handshake = 65536;
    if (config != NULL) {
        ps->cfg = *(const struct ssl_config *)config;
    }
#define SSL_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    SSL_COUNTERS(SSL_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "ssl", ssl_fields,
                                     ps->cfg.ja3 ? SSL_NCOLS : SSL_NCOLS - SSL_JA3_COLS);
    if (ps->stream == NULL) {
        host->free(self, ps);
        return -EINVAL; /* the core logged why (ja3 set in only one of ssl and dtls) */
    }
    *state = ps;
    return 0;
}

/* ---- descriptor ------------------------------------------------------------------ */

#ifdef SSL_DTLS
/* Zeek's dtls_ports. */
static const struct shoal_port ssl_ports[] = {{SHOAL_PROTO_UDP, 443}, {0, 0}};
#define SSL_SUMMARY "DTLS handshake analyzer writing Zeek's ssl.log (service dtls)"
#else
/* Zeek's ssl_ports. */
static const struct shoal_port ssl_ports[] = {
    {SHOAL_PROTO_TCP, 443}, {SHOAL_PROTO_TCP, 563}, {SHOAL_PROTO_TCP, 585},  {SHOAL_PROTO_TCP, 614},
    {SHOAL_PROTO_TCP, 636}, {SHOAL_PROTO_TCP, 989}, {SHOAL_PROTO_TCP, 990},  {SHOAL_PROTO_TCP, 992},
    {SHOAL_PROTO_TCP, 993}, {SHOAL_PROTO_TCP, 995}, {SHOAL_PROTO_TCP, 5223}, {0, 0},
};
#define SSL_SUMMARY "TLS (SSLv3-TLS 1.3) handshake analyzer writing Zeek's ssl.log"
#endif

static const struct shoal_analyzer_ops ssl_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = SSL_PLUGIN_NAME,
    .ports = ssl_ports,
    .conn_size = sizeof(struct ssl_conn),
    .data = ssl_data,
    .gap = ssl_gap,
    .conn_done = ssl_conn_done,
    .probe = ssl_probe,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin SSL_PLUGIN_SYM = {
    SHOAL_PLUGIN_HEADER,
    .name = SSL_PLUGIN_NAME,
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = SSL_SUMMARY,
    .config = ssl_cfg_keys,
    .config_size = sizeof(struct ssl_config),
    .init = ssl_init,
    .fini = ssl_fini,
    .ops = &ssl_ops,
};
