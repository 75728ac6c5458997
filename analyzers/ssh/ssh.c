/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ssh analyzer plugin: descriptor, host glue and the ssh.log record.
 * ssh_parse.c reads the protocol; this file plays Zeek's
 * base/protocols/ssh script around it: direction from the local networks,
 * the record written when authentication is seen to succeed (then the
 * analyzer detaches, as Zeek's disable_analyzer_after_detection) or when
 * the connection ends.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#include "../ssl/ssl_sha256.h"
#include "ssh_parse.h"

#define SSH_FP_PREFIX "SHA256:"
#define SSH_FP_CHARS 32 /* base64 characters of the digest Zeek logs */

/* ---- settings: group plugins.ssh of shoal.cfg ----------------------------- */

struct ssh_config {
    int64_t max_packet; /* bytes */
};

static const struct shoal_cfg_key ssh_cfg_keys[] = {
    {"max_packet", SHOAL_CFG_INT, "65536", false,
     "longest clear-text SSH packet gathered, in bytes: a longer one is a protocol violation and "
     "ends the analysis of its connection",
     offsetof(struct ssh_config, max_packet), "1024", "16777216"},
    {0},
};

/* ---- counters ---------------------------------------------------------------- */

#define SSH_COUNTERS(X)                                                                            \
    X(sessions, "connections the analyzer attached to")                                            \
    X(records, "ssh.log records written")                                                          \
    X(auth_success, "authentications seen to succeed")                                             \
    X(violations, "protocol violations")

struct ssh_counters {
#define SSH_COUNTER_FIELD(name, help) uint64_t *name;
    SSH_COUNTERS(SSH_COUNTER_FIELD)
};

/* ---- ssh.log ------------------------------------------------------------------- */

#define SSH_COLUMNS(X)                                                                             \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(VERSION, "version", SHOAL_T_COUNT, 0)                                                        \
    X(AUTH_SUCCESS, "auth_success", SHOAL_T_BOOL, 0)                                               \
    X(AUTH_ATTEMPTS, "auth_attempts", SHOAL_T_COUNT, 0)                                            \
    X(DIRECTION, "direction", SHOAL_T_ENUM, 0)                                                     \
    X(CLIENT, "client", SHOAL_T_STRING, 0)                                                         \
    X(SERVER, "server", SHOAL_T_STRING, 0)                                                         \
    X(CIPHER_ALG, "cipher_alg", SHOAL_T_STRING, 0)                                                 \
    X(MAC_ALG, "mac_alg", SHOAL_T_STRING, 0)                                                       \
    X(COMPRESSION_ALG, "compression_alg", SHOAL_T_STRING, 0)                                       \
    X(KEX_ALG, "kex_alg", SHOAL_T_STRING, 0)                                                       \
    X(HOST_KEY_ALG, "host_key_alg", SHOAL_T_STRING, 0)                                             \
    X(HOST_KEY_FINGERPRINT, "host_key_fingerprint", SHOAL_T_STRING, 0)

#define SSH_COL(id, name, type, elem) SSH_COL_##id,
enum ssh_col { SSH_COLUMNS(SSH_COL) SSH_NCOLS };
static const struct shoal_field ssh_fields[] = {SSH_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state --------------------------------------------------------------------- */

struct ssh_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct ssh_config cfg;
    struct ssh_counters n;
    struct shoal_stream *stream;
};

struct ssh_conn {
    struct ssh_parser parser;
    struct ssh_plugin *ps;
    struct shoal_conn *c; /* valid only during a callback */
    double ts;
    bool inited;
    bool logged;
    bool detach;
};

/* ---- the record ------------------------------------------------------------------ */

/* "SHA256:" and the digest in base64 (without padding), as Zeek logs it. */
static void ssh_fingerprint(const uint8_t d[32], char *out, size_t size)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char enc[48];
    size_t n = 0;

    for (size_t i = 0; i < 32; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < 32 ? (uint32_t)d[i + 1] << 8 : 0) |
                     (i + 2 < 32 ? d[i + 2] : 0);
        enc[n++] = b64[(v >> 18) & 63];
        enc[n++] = b64[(v >> 12) & 63];
        enc[n++] = b64[(v >> 6) & 63];
        enc[n++] = b64[v & 63];
    }
    snprintf(out, size, "%s%.*s", SSH_FP_PREFIX, SSH_FP_CHARS, enc);
}

static void ssh_write(struct ssh_conn *sc)
{
    struct ssh_plugin *ps = sc->ps;
    const struct ssh_session *s = &sc->parser.s;
    struct shoal_value v[SSH_NCOLS] = {0};
    static const int cols[SSH_NALGS] = {SSH_COL_CIPHER_ALG, SSH_COL_MAC_ALG,
                                        SSH_COL_COMPRESSION_ALG, SSH_COL_KEX_ALG,
                                        SSH_COL_HOST_KEY_ALG};
    char uid[SHOAL_UID_SIZE], fp[64];

    if (sc->logged || !s->touched || ps->stream == NULL) {
        return;
    }
    sc->logged = true;
    const struct shoal_conn_id *id = ps->an->conn_id(ps->self, sc->c);
    v[SSH_COL_TS] = shoal_v_double(sc->ts);
    v[SSH_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, sc->c, uid));
    shoal_v_conn_id(&v[SSH_COL_ID_ORIG_H], id);
    if (s->has_version) {
        v[SSH_COL_VERSION] = shoal_v_count(s->version);
    }
    if (s->has_auth) {
        v[SSH_COL_AUTH_SUCCESS] = shoal_v_bool(s->auth_success);
    }
    v[SSH_COL_AUTH_ATTEMPTS] = shoal_v_count(s->auth_attempts);
    bool lo = ps->an->is_local_addr(ps->self, &id->orig_h);
    bool lr = ps->an->is_local_addr(ps->self, &id->resp_h);
    if (lo != lr) {
        v[SSH_COL_DIRECTION] = shoal_v_str(lo ? "OUTBOUND" : "INBOUND");
    }
    v[SSH_COL_CLIENT] = shoal_v_str(s->client);
    v[SSH_COL_SERVER] = shoal_v_str(s->server);
    for (int i = 0; i < SSH_NALGS; i++) {
        v[cols[i]] = shoal_v_str(s->alg[i]);
    }
    if (s->has_host_key) {
        ssh_fingerprint(s->host_key_sha256, fp, sizeof(fp));
        v[SSH_COL_HOST_KEY_FINGERPRINT] = shoal_v_str(fp);
    }
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* ---- parser callbacks ----------------------------------------------------------- */

static void ssh_cb_confirm(void *ud)
{
    struct ssh_conn *sc = ud;
    sc->ps->an->confirm(sc->ps->self, sc->c);
}

static void ssh_cb_violation(void *ud, const char *reason)
{
    struct ssh_conn *sc = ud;
    struct ssh_plugin *ps = sc->ps;

    (*ps->n.violations)++;
    if (SHOAL_HAS(ps->an, violation)) {
        ps->an->violation(ps->self, sc->c, reason);
    }
    sc->detach = true;
}

static void *ssh_cb_alloc(void *ud, size_t n)
{
    struct ssh_conn *sc = ud;
    return sc->ps->host->alloc(sc->ps->self, n);
}

static void ssh_cb_free(void *ud, void *p)
{
    struct ssh_conn *sc = ud;
    sc->ps->host->free(sc->ps->self, p);
}

static const struct ssh_parse_cb ssh_cbs = {
    .confirm = ssh_cb_confirm,
    .violation = ssh_cb_violation,
    .alloc = ssh_cb_alloc,
    .free = ssh_cb_free,
    .sha256 = ssl_sha256,
};

/* ---- callbacks ------------------------------------------------------------------- */

/* Zeek's analyzer skips a TCP connection it did not see open (IsPartial):
 * one that carried data without any SYN in its history. */
static bool ssh_partial(struct ssh_plugin *ps, struct shoal_conn *c)
{
    char h[SHOAL_HISTORY_SIZE];

    if (ps->an->conn_id(ps->self, c)->proto != SHOAL_PROTO_TCP) {
        return false;
    }
    ps->an->conn_history(ps->self, c, h);
    return strpbrk(h, "SsHh") == NULL && strpbrk(h, "Dd") != NULL;
}

static struct ssh_conn *ssh_enter(struct ssh_plugin *ps, struct shoal_conn *c, void *conn)
{
    struct ssh_conn *sc = conn;

    if (!sc->inited) {
        sc->inited = true;
        sc->ps = ps;
        ssh_parse_init(&sc->parser, (uint32_t)ps->cfg.max_packet, &ssh_cbs, sc);
        (*ps->n.sessions)++;
        if (ssh_partial(ps, c)) {
            sc->parser.stopped = true;
        }
    }
    sc->c = c;
    return sc;
}

static int ssh_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct ssh_conn *sc = ssh_enter(plugin, c, conn);
    bool touched = sc->parser.s.touched;

    ssh_parse_data(&sc->parser, is_orig, data, len);
    if (!touched && sc->parser.s.touched) {
        sc->ts = sc->ps->an->conn_last(sc->ps->self, c);
    }
    if (sc->parser.s.logged_now && !sc->logged) {
        (*sc->ps->n.auth_success)++;
        ssh_write(sc);
        sc->detach = true;
    }
    return sc->detach ? SHOAL_AN_DETACH : SHOAL_AN_OK;
}

static void ssh_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct ssh_conn *sc = ssh_enter(plugin, c, conn);
    ssh_parse_gap(&sc->parser, is_orig, len);
}

static void ssh_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct ssh_conn *sc = ssh_enter(plugin, c, conn);

    ssh_write(sc); /* Zeek's finalize_ssh */
    ssh_parse_free(&sc->parser);
}

static bool ssh_probe(const uint8_t *data, size_t len, bool is_orig, uint8_t proto)
{
    (void)is_orig;
    return proto == SHOAL_PROTO_TCP && ssh_parse_probe(data, len);
}

/* ---- init and fini ---------------------------------------------------------------- */

static void ssh_fini(void *state)
{
    struct ssh_plugin *ps = state;
    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int ssh_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    struct ssh_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->cfg.max_packet = 65536;
    if (config != NULL) {
        ps->cfg = *(const struct ssh_config *)config;
    }
#define SSH_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    SSH_COUNTERS(SSH_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "ssh", ssh_fields, SSH_NCOLS);
    if (ps->stream == NULL) {
        host->free(self, ps);
        return -EINVAL;
    }
    *state = ps;
    return 0;
}

/* ---- descriptor ---------------------------------------------------------------------- */

static const struct shoal_port ssh_ports[] = {{SHOAL_PROTO_TCP, 22}, {0, 0}};

static const struct shoal_analyzer_ops ssh_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "ssh",
    .ports = ssh_ports,
    .conn_size = sizeof(struct ssh_conn),
    .data = ssh_data,
    .gap = ssh_gap,
    .conn_done = ssh_conn_done,
    .probe = ssh_probe,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin ssh_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "ssh",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary =
        "SSH analyzer writing Zeek's ssh.log (versions, algorithms, host key, auth inference)",
    .config = ssh_cfg_keys,
    .config_size = sizeof(struct ssh_config),
    .init = ssh_init,
    .fini = ssh_fini,
    .ops = &ssh_ops,
};
