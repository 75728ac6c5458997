/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The irc analyzer plugin, as Zeek's IRC analyzer with base/protocols/irc:
 * it confirms the service on the originator's first well-formed line,
 * writes irc.log from the originator's NICK, USER and JOIN commands (one
 * record per command, per channel for JOIN, the session's nick and user
 * carried from one to the next as Zeek's c$irc is), and when a line
 * carries reply 670 (RPL_STARTTLS) hands the connection to the ssl
 * analyzer (the host's attach, ABI 2.3) and detaches, so conn.log's
 * service reads "irc,ssl" and ssl.log has the TLS session.  DCC file
 * transfers are not followed: irc.log's dcc_* and fuid columns stay unset.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#include "irc_parse.h"

/* ---- settings: group plugins.irc of shoal.cfg ------------------------------- */

struct irc_config {
    int64_t max_line; /* bytes */
};

static const struct shoal_cfg_key irc_cfg_keys[] = {
    {"max_line", SHOAL_CFG_INT, "1000", false,
     "bytes of one IRC line kept per direction (Zeek's 1000; contentline_size_exceeded "
     "beyond, and lines over 512 bytes are refused as Zeek does)",
     offsetof(struct irc_config, max_line), "64", "65536"},
    {0},
};

#define IRC_COUNTERS(X)                                                                            \
    X(sessions, "connections the analyzer attached to")                                            \
    X(records, "irc.log records written")                                                          \
    X(starttls, "connections handed to TLS after STARTTLS")                                        \
    X(violations, "protocol violations")

struct irc_counters {
#define IRC_COUNTER_FIELD(name, help) uint64_t *name;
    IRC_COUNTERS(IRC_COUNTER_FIELD)
};

/* irc.log's columns, as Zeek writes them (main.zeek, dcc-send.zeek). */
#define IRC_COLUMNS(X)                                                                             \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(NICK, "nick", SHOAL_T_STRING, 0)                                                             \
    X(USER, "user", SHOAL_T_STRING, 0)                                                             \
    X(COMMAND, "command", SHOAL_T_STRING, 0)                                                       \
    X(VALUE, "value", SHOAL_T_STRING, 0)                                                           \
    X(ADDL, "addl", SHOAL_T_STRING, 0)                                                             \
    X(DCC_FILE_NAME, "dcc_file_name", SHOAL_T_STRING, 0)                                           \
    X(DCC_FILE_SIZE, "dcc_file_size", SHOAL_T_COUNT, 0)                                            \
    X(DCC_MIME_TYPE, "dcc_mime_type", SHOAL_T_STRING, 0)                                           \
    X(FUID, "fuid", SHOAL_T_STRING, 0)

#define IRC_COL(id, name, type, elem) IRC_COL_##id,
enum irc_col { IRC_COLUMNS(IRC_COL) IRC_NCOLS };
static const struct shoal_field irc_fields[] = {IRC_COLUMNS(SHOAL_COLUMN_FIELD)};

#define IRC_FIELD_MAX 512 /* a field is part of a line of at most 512 bytes */

struct irc_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct irc_config cfg;
    struct irc_counters n;
    struct shoal_stream *stream;
};

/* Zeek's IRC::Info of the connection: the fields carried between records
 * (allocated on the first record, IRC_NF strings of IRC_FIELD_MAX + 1). */
enum irc_field { IRC_F_NICK, IRC_F_USER, IRC_F_COMMAND, IRC_F_VALUE, IRC_F_ADDL, IRC_NF };

struct irc_conn {
    struct irc_parser parser;
    struct irc_plugin *ps;
    struct shoal_conn *c;
    char *f;     /* IRC_NF fields */
    uint8_t set; /* bit per field: set */
    double ts;   /* Zeek's c$irc$ts: the last command's time */
    bool inited;
    bool detach;
};

static void irc_set(struct irc_conn *ic, enum irc_field k, const char *v)
{
    char *to = ic->f + (size_t)k * (IRC_FIELD_MAX + 1);
    size_t n = strnlen(v, IRC_FIELD_MAX); /* a longer one is cut */

    memcpy(to, v, n);
    to[n] = '\0';
    ic->set |= (uint8_t)(1u << k);
}

static struct shoal_value irc_v(const struct irc_conn *ic, enum irc_field k)
{
    if (!(ic->set & (1u << k))) {
        return shoal_v_unset();
    }
    return shoal_v_str(ic->f + (size_t)k * (IRC_FIELD_MAX + 1));
}

/* Zeek's set_session: the record exists (its fields allocated). */
static bool irc_session(struct irc_conn *ic)
{
    if (ic->f == NULL) {
        ic->f = ic->ps->host->alloc(ic->ps->self, IRC_NF * (IRC_FIELD_MAX + 1));
        if (ic->f == NULL) {
            return false;
        }
    }
    ic->ts = ic->ps->an->conn_last(ic->ps->self, ic->c);
    return true;
}

static void irc_write(struct irc_conn *ic)
{
    struct irc_plugin *ps = ic->ps;
    struct shoal_value v[IRC_NCOLS] = {0};
    char uid[SHOAL_UID_SIZE];

    v[IRC_COL_TS] = shoal_v_double(ic->ts);
    v[IRC_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, ic->c, uid));
    shoal_v_conn_id(&v[IRC_COL_ID_ORIG_H], ps->an->conn_id(ps->self, ic->c));
    v[IRC_COL_NICK] = irc_v(ic, IRC_F_NICK);
    v[IRC_COL_USER] = irc_v(ic, IRC_F_USER);
    v[IRC_COL_COMMAND] = irc_v(ic, IRC_F_COMMAND);
    v[IRC_COL_VALUE] = irc_v(ic, IRC_F_VALUE);
    v[IRC_COL_ADDL] = irc_v(ic, IRC_F_ADDL);
    if (ps->stream != NULL && ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* USER <user> <host> <server> <real name...>, as Zeek's analyzer and
 * script join them (the words of the real name after its first two lose
 * the space before them and gain one after: Zeek's loop does so). */
static void irc_user(struct irc_conn *ic, char *params)
{
    char *w[64], real[IRC_FIELD_MAX + 1] = "", addl[3 * IRC_FIELD_MAX];
    size_t n = irc_split(params, ' ', w, 64), rl = 0;

    for (size_t i = 3; i < n; i++) {
        rl += (size_t)snprintf(real + rl, sizeof(real) - (rl < sizeof(real) ? rl : sizeof(real)),
                               "%s%s", w[i], i > 3 ? " " : "");
        if (rl >= sizeof(real)) {
            rl = sizeof(real) - 1;
        }
    }
    irc_set(ic, IRC_F_COMMAND, "USER");
    irc_set(ic, IRC_F_VALUE, n > 0 ? w[0] : "");
    snprintf(addl, sizeof(addl), "%s %s %s", n > 1 ? w[1] : "", n > 2 ? w[2] : "",
             real[0] == ':' ? real + 1 : real);
    irc_set(ic, IRC_F_ADDL, addl);
    irc_write(ic);
    irc_set(ic, IRC_F_USER, n > 0 ? w[0] : "");
}

/* JOIN <channels> [<keys>]: a record per channel. */
static void irc_join(struct irc_conn *ic, char *params)
{
    char *parts[2], *chans[64], *keys[64], addl[IRC_FIELD_MAX + 32];
    size_t np, nc, nk = 0;

    if (params[0] == ':') {
        params++;
    }
    np = irc_split(params, ' ', parts, 2);
    if (np < 1) {
        ic->ps->an->weird(ic->ps->self, ic->c, "irc_invalid_join_line", NULL, NULL);
        return;
    }
    nc = irc_split(parts[0], ',', chans, 64);
    if (np > 1) {
        nk = irc_split(parts[1], ',', keys, 64);
    }
    irc_set(ic, IRC_F_COMMAND, "JOIN");
    for (size_t i = 0; i < nc; i++) {
        irc_set(ic, IRC_F_VALUE, chans[i]);
        if (i < nk && keys[i][0] != '\0') {
            snprintf(addl, sizeof(addl), " with channel key: '%s'", keys[i]);
        } else {
            addl[0] = '\0';
        }
        irc_set(ic, IRC_F_ADDL, addl);
        irc_write(ic);
    }
}

/* ---- parser callbacks -------------------------------------------------------------- */

static void irc_cb_message(void *ud, bool is_orig, const struct irc_msg *m)
{
    struct irc_conn *ic = ud;
    struct irc_plugin *ps = ic->ps;
    char params[IRC_LINE_MAX + 1];

    if (m->code == 670) { /* RPL_STARTTLS: TLS from the next byte on */
        if (ps->an->attach(ps->self, ic->c, "ssl") == 0) {
            (*ps->n.starttls)++;
        }
        ic->parser.stopped = true;
        ic->detach = true;
        return;
    }
    if (!is_orig || m->code != 0) {
        return;
    }
    bool nick = strcmp(m->command, "NICK") == 0;
    if (!nick && strcmp(m->command, "USER") != 0 && strcmp(m->command, "JOIN") != 0) {
        return;
    }
    if (!irc_session(ic)) {
        return;
    }
    snprintf(params, sizeof(params), "%s", m->params);
    if (nick) {
        const char *nn = params[0] == ':' ? params + 1 : params;
        irc_set(ic, IRC_F_COMMAND, "NICK");
        irc_set(ic, IRC_F_VALUE, nn);
        irc_write(ic);
        irc_set(ic, IRC_F_NICK, nn);
    } else if (m->command[0] == 'U') {
        irc_user(ic, params);
    } else {
        irc_join(ic, params);
    }
}

static void irc_cb_confirm(void *ud)
{
    struct irc_conn *ic = ud;
    ic->ps->an->confirm(ic->ps->self, ic->c);
}

static void irc_cb_weird(void *ud, const char *name)
{
    struct irc_conn *ic = ud;
    ic->ps->an->weird(ic->ps->self, ic->c, name, NULL, NULL);
}

static void irc_cb_violation(void *ud, const char *reason)
{
    struct irc_conn *ic = ud;
    (*ic->ps->n.violations)++;
    ic->ps->an->violation(ic->ps->self, ic->c, reason);
    ic->detach = true;
}

static void *irc_cb_alloc(void *ud, size_t n)
{
    struct irc_conn *ic = ud;
    return ic->ps->host->alloc(ic->ps->self, n);
}

static void irc_cb_free(void *ud, void *p)
{
    struct irc_conn *ic = ud;
    ic->ps->host->free(ic->ps->self, p);
}

static const struct irc_parse_cb irc_cbs = {
    .confirm = irc_cb_confirm,
    .message = irc_cb_message,
    .weird = irc_cb_weird,
    .violation = irc_cb_violation,
    .alloc = irc_cb_alloc,
    .free = irc_cb_free,
};

/* ---- analyzer callbacks ------------------------------------------------------------ */

static struct irc_conn *irc_enter(struct irc_plugin *ps, struct shoal_conn *c, void *conn)
{
    struct irc_conn *ic = conn;

    if (!ic->inited) {
        ic->inited = true;
        ic->ps = ps;
        irc_parse_init(&ic->parser, (uint32_t)ps->cfg.max_line, &irc_cbs, ic);
        (*ps->n.sessions)++;
    }
    ic->c = c;
    return ic;
}

static int irc_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct irc_conn *ic = irc_enter(plugin, c, conn);

    irc_parse_data(&ic->parser, is_orig, data, len);
    return ic->detach ? SHOAL_AN_DETACH : SHOAL_AN_OK;
}

static void irc_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct irc_conn *ic = irc_enter(plugin, c, conn);
    (void)len;
    ic->parser.d[is_orig].len = 0; /* the cut line is dropped */
}

static void irc_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct irc_conn *ic = irc_enter(plugin, c, conn);

    irc_parse_free(&ic->parser);
    if (ic->f != NULL) {
        ic->ps->host->free(ic->ps->self, ic->f);
        ic->f = NULL;
    }
}

/* ---- init and fini ----------------------------------------------------------------- */

static void irc_fini(void *state)
{
    struct irc_plugin *ps = state;
    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int irc_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    struct irc_plugin *ps;

    if (!SHOAL_HAS(host->analyzer, attach)) {
        host->logf(self, SHOAL_LOG_ERROR, "the core is too old: it lacks ABI %d.3's attach",
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
    ps->cfg.max_line = 1000;
    if (config != NULL) {
        ps->cfg = *(const struct irc_config *)config;
    }
#define IRC_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    IRC_COUNTERS(IRC_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "irc", irc_fields, IRC_NCOLS);
    if (ps->stream == NULL) {
        host->free(self, ps);
        return -EINVAL;
    }
    *state = ps;
    return 0;
}

/* Zeek's IRC::ports: registered for the analyzer, but base/protocols/irc
 * does not add them to likely_server_ports, so they decide no flip of a
 * connection's roles (client_ports, not ports). */
static const struct shoal_port irc_ports[] = {
    {SHOAL_PROTO_TCP, 6666},
    {SHOAL_PROTO_TCP, 6667},
    {SHOAL_PROTO_TCP, 6668},
    {SHOAL_PROTO_TCP, 6669},
    {0, 0},
};

static const struct shoal_analyzer_ops irc_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "irc",
    .client_ports = irc_ports,
    .conn_size = sizeof(struct irc_conn),
    .data = irc_data,
    .gap = irc_gap,
    .conn_done = irc_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin irc_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "irc",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "IRC analyzer: irc.log (NICK, USER, JOIN), hands STARTTLS sessions to ssl",
    .config = irc_cfg_keys,
    .config_size = sizeof(struct irc_config),
    .init = irc_init,
    .fini = irc_fini,
    .ops = &irc_ops,
};
