/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ident analyzer plugin: RFC 1413's Identification Protocol on TCP port
 * 113, built out of tree against the installed SDK alone (pkg-config
 * --cflags shoal), and the pattern Shoal's line-based analyzers follow.  The
 * connection's originator (a server someone connected to) asks the
 * responder's ident service who owns that connection, "6191, 23"; the
 * answer names a user, "6191, 23 : USERID : UNIX : stjohns", or an error,
 * "6191, 23 : ERROR : NO-USER".  This file is the glue between the core
 * and the line parser (ident_parse.c): the descriptor, the settings, the
 * counters, ident.log's columns, and the per-connection state that cuts
 * each direction into lines of at most max_line bytes, pairs each query
 * with the next reply and writes one record per query, when its reply
 * comes or when the connection ends.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <shoal/shoal.h>

#include "ident_parse.h"

#define IDENT_PORT 113          /* RFC 1413 */
#define IDENT_PENDING_MAX 4     /* queries waiting for their reply, per connection */
#define IDENT_WEIRD_LINE_MAX 80 /* bytes of a bad line quoted in weird.log */

/* ---- settings: group plugins.ident of shoal.cfg ------------------------- */

struct ident_config {
    int64_t max_line; /* bytes */
};

static const struct shoal_cfg_key ident_cfg_keys[] = {
    {"max_line", SHOAL_CFG_INT, "1000", false,
     "longest line kept, in bytes: a longer one ends the analysis of its connection",
     offsetof(struct ident_config, max_line), "64", "65536"},
    {0},
};

/* ---- counters: the node reports them as ident.NAME ---------------------- */

#define IDENT_COUNTERS(X)                                                                          \
    X(queries, "queries seen")                                                                     \
    X(replies, "replies seen")                                                                     \
    X(records, "ident.log records written")                                                        \
    X(bad_lines, "lines that are neither a query nor a reply (weird)")                             \
    X(long_lines, "lines longer than max_line (weird; the connection is dropped)")                 \
    X(unpaired, "queries written without waiting for their reply: too many pending")               \
    X(nomem, "connections dropped for want of memory")

struct ident_counters {
#define IDENT_COUNTER_FIELD(name, help) uint64_t *name;
    IDENT_COUNTERS(IDENT_COUNTER_FIELD)
};

/* ---- ident.log ---------------------------------------------------------- */

#define IDENT_COLUMNS(X)                                                                           \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(LPORT, "lport", SHOAL_T_PORT, 0)                                                             \
    X(RPORT, "rport", SHOAL_T_PORT, 0)                                                             \
    X(REPLY, "reply", SHOAL_T_ENUM, 0)                                                             \
    X(USERID, "userid", SHOAL_T_STRING, 0)                                                         \
    X(OS, "os", SHOAL_T_STRING, 0)                                                                 \
    X(ERROR, "error", SHOAL_T_STRING, 0)

#define IDENT_COL(id, name, type, elem) IDENT_COL_##id,
enum ident_col { IDENT_COLUMNS(IDENT_COL) IDENT_NCOLS };
static const struct shoal_field ident_fields[] = {IDENT_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

/* The plugin's state: what init was given and what it made. */
struct ident_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct ident_config cfg;
    struct ident_counters n;
    struct shoal_stream *stream;
};

/* A query waiting for its reply. */
struct ident_query {
    double ts;
    struct ident_ports ports;
};

/* The line one direction is sending. */
struct ident_line {
    char *buf;  /* max_line bytes, allocated when a line first spans data calls */
    size_t len; /* bytes of the line in buf */
    bool skip;  /* a gap cut the line: drop bytes up to the next '\n' */
};

/* Per-connection state: the block of conn_size bytes the core zeroes. */
struct ident_conn {
    struct ident_line line[2]; /* [is_orig] */
    struct ident_query pending[IDENT_PENDING_MAX];
    size_t npending; /* oldest first */
    bool confirmed;  /* a reply parsed: this is Ident */
};

/* ---- records ------------------------------------------------------------ */

/* Write the record of query `q` and its reply `r` (NULL: none came). */
static void ident_write(struct ident_plugin *ps, struct shoal_conn *c, const struct ident_query *q,
                        const struct ident_reply *r)
{
    struct shoal_value v[IDENT_NCOLS] = {0};
    char uid[SHOAL_UID_SIZE];

    v[IDENT_COL_TS] = shoal_v_double(q->ts);
    v[IDENT_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, c, uid));
    shoal_v_conn_id(&v[IDENT_COL_ID_ORIG_H], ps->an->conn_id(ps->self, c));
    v[IDENT_COL_LPORT] = shoal_v_count(q->ports.lport);
    v[IDENT_COL_RPORT] = shoal_v_count(q->ports.rport);
    if (r != NULL && r->type == IDENT_REPLY_USERID) {
        v[IDENT_COL_REPLY] = shoal_v_str("USERID");
        v[IDENT_COL_USERID] = shoal_v_strn(r->text, r->text_len);
        v[IDENT_COL_OS] = shoal_v_strn(r->os, r->os_len);
    } else if (r != NULL) {
        v[IDENT_COL_REPLY] = shoal_v_str("ERROR");
        v[IDENT_COL_ERROR] = shoal_v_strn(r->text, r->text_len);
    }
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* A weird (weird.log, source IDENT) quoting the start of `line` (or NULL). */
static void ident_weird(struct ident_plugin *ps, struct shoal_conn *c, const char *name,
                        const char *line, size_t len)
{
    char addl[IDENT_WEIRD_LINE_MAX + 1];
    size_t n = len < IDENT_WEIRD_LINE_MAX ? len : IDENT_WEIRD_LINE_MAX;

    if (line != NULL) {
        memcpy(addl, line, n);
        addl[n] = '\0';
    }
    ps->an->weird(ps->self, c, name, line != NULL ? addl : NULL, NULL);
}

/* Take the oldest pending query off the queue. */
static struct ident_query ident_pop(struct ident_conn *ic)
{
    struct ident_query q = ic->pending[0];

    ic->npending--;
    memmove(&ic->pending[0], &ic->pending[1], ic->npending * sizeof(ic->pending[0]));
    return q;
}

/* A query waits for its reply; with the queue full, the oldest is written
 * without one. */
static void ident_on_query(struct ident_plugin *ps, struct shoal_conn *c, struct ident_conn *ic,
                           const struct ident_ports *ports)
{
    (*ps->n.queries)++;
    if (ic->npending == IDENT_PENDING_MAX) {
        struct ident_query old = ident_pop(ic);

        (*ps->n.unpaired)++;
        ident_write(ps, c, &old, NULL);
    }
    ic->pending[ic->npending].ts = ps->host->now(ps->self);
    ic->pending[ic->npending].ports = *ports;
    ic->npending++;
}

/* A reply answers the oldest query; one that answers none is written alone,
 * with its own ports and time. */
static void ident_on_reply(struct ident_plugin *ps, struct shoal_conn *c, struct ident_conn *ic,
                           const struct ident_reply *r)
{
    struct ident_query q;

    (*ps->n.replies)++;
    if (!ic->confirmed) {
        ic->confirmed = true;
        ps->an->confirm(ps->self, c);
    }
    if (ic->npending > 0) {
        q = ident_pop(ic);
    } else {
        q.ts = ps->host->now(ps->self);
        q.ports = r->ports;
    }
    ident_write(ps, c, &q, r);
}

/* ---- lines -------------------------------------------------------------- */

/*
 * One line of a direction, without its '\n'.  Returns SHOAL_AN_DETACH when
 * the line shows the connection is not Ident: a bad line before any good
 * reply (the port or the signature was wrong).  Blank lines are skipped.
 */
static int ident_on_line(struct ident_plugin *ps, struct shoal_conn *c, struct ident_conn *ic,
                         bool is_orig, const char *line, size_t len)
{
    struct ident_ports ports;
    struct ident_reply reply;

    if (len > 0 && line[len - 1] == '\r') {
        len--;
    }
    if (len == 0) {
        return SHOAL_AN_OK;
    }
    if (is_orig && ident_parse_query(line, len, &ports) == 0) {
        ident_on_query(ps, c, ic, &ports);
        return SHOAL_AN_OK;
    }
    if (!is_orig && ident_parse_reply(line, len, &reply) == 0) {
        ident_on_reply(ps, c, ic, &reply);
        return SHOAL_AN_OK;
    }
    (*ps->n.bad_lines)++;
    ident_weird(ps, c, is_orig ? "bad_ident_request" : "bad_ident_reply", line, len);
    return ic->confirmed ? SHOAL_AN_OK : SHOAL_AN_DETACH;
}

/* ---- analyzer ops ------------------------------------------------------- */

/*
 * Cut one direction's bytes into lines.  A line that lies whole within one
 * data call is parsed in place; the start of one that does not waits in the
 * direction's buffer, which never holds more than max_line bytes.
 */
static int ident_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                      const uint8_t *data, size_t len)
{
    struct ident_plugin *ps = plugin;
    struct ident_conn *ic = conn;
    struct ident_line *l = &ic->line[is_orig];
    size_t max = (size_t)ps->cfg.max_line;

    while (len > 0) {
        const uint8_t *nl = memchr(data, '\n', len);
        size_t n = nl != NULL ? (size_t)(nl - data) : len;
        int rc = SHOAL_AN_OK;

        if (l->skip) {
            l->skip = nl == NULL; /* the rest of a line a gap cut */
        } else if (l->len + n > max) {
            (*ps->n.long_lines)++;
            ident_weird(ps, c, "ident_line_too_long", NULL, 0);
            l->len = 0;
            return SHOAL_AN_DETACH;
        } else if (nl != NULL && l->len == 0) {
            rc = ident_on_line(ps, c, ic, is_orig, (const char *)data, n);
        } else {
            if (l->buf == NULL && (l->buf = ps->host->alloc(ps->self, max)) == NULL) {
                (*ps->n.nomem)++;
                return SHOAL_AN_DETACH;
            }
            memcpy(l->buf + l->len, data, n);
            l->len += n;
            if (nl != NULL) {
                rc = ident_on_line(ps, c, ic, is_orig, l->buf, l->len);
                l->len = 0;
            }
        }
        if (nl == NULL || rc == SHOAL_AN_DETACH) {
            return rc;
        }
        data += n + 1;
        len -= n + 1;
    }
    return SHOAL_AN_OK;
}

/* Bytes were lost: the line they belonged to is dropped. */
static void ident_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct ident_conn *ic = conn;

    ic->line[is_orig].len = 0;
    ic->line[is_orig].skip = true;
}

/* FIN or RST: a last line without its '\n' still counts. */
static void ident_eof(void *plugin, struct shoal_conn *c, void *conn, bool is_orig)
{
    struct ident_conn *ic = conn;
    struct ident_line *l = &ic->line[is_orig];

    if (l->len > 0 && !l->skip) {
        ident_on_line(plugin, c, ic, is_orig, l->buf, l->len);
    }
    l->len = 0;
}

/* The connection is over: queries left without reply are written. */
static void ident_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct ident_plugin *ps = plugin;
    struct ident_conn *ic = conn;

    while (ic->npending > 0) {
        struct ident_query q = ident_pop(ic);

        ident_write(ps, c, &q, NULL);
    }
    for (int d = 0; d < 2; d++) {
        ps->host->free(ps->self, ic->line[d].buf);
        ic->line[d].buf = NULL;
    }
}

/* ---- init and fini ------------------------------------------------------ */

static void ident_fini(void *state)
{
    struct ident_plugin *ps = state;

    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int ident_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                      void **state)
{
    struct ident_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->cfg = *(const struct ident_config *)config;
#define IDENT_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    IDENT_COUNTERS(IDENT_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "ident", ident_fields, IDENT_NCOLS);
    if (ps->stream == NULL) {
        ident_fini(ps);
        return -EINVAL; /* the core logged why */
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

static const struct shoal_port ident_ports[] = {
    {SHOAL_PROTO_TCP, IDENT_PORT},
    {0, 0},
};

/* On other ports: a first line that is a query, or the start of a reply. */
#define IDENT_RE_PAIR "^[[:blank:]]*[0-9]{1,5}[[:blank:]]*,[[:blank:]]*[0-9]{1,5}[[:blank:]]*"
static const struct shoal_signature ident_signatures[] = {
    {SHOAL_PROTO_TCP, SHOAL_SIG_ORIG, IDENT_RE_PAIR "\r?\n"},
    {SHOAL_PROTO_TCP, SHOAL_SIG_RESP, IDENT_RE_PAIR ":[[:blank:]]*(USERID|ERROR)[[:blank:]]*:"},
    {0, 0, NULL},
};

static const struct shoal_analyzer_ops ident_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "ident",
    .ports = ident_ports,
    .signatures = ident_signatures,
    .conn_size = sizeof(struct ident_conn),
    .conn_new = NULL, /* the zeroed block is the start state */
    .data = ident_data,
    .gap = ident_gap,
    .eof = ident_eof,
    .conn_done = ident_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin ident_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "ident",
    .version = "1.0.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "Ident (RFC 1413) analyzer writing ident.log, built out of tree",
    .config = ident_cfg_keys,
    .config_size = sizeof(struct ident_config),
    .init = ident_init,
    .fini = ident_fini,
    .ops = &ident_ops,
};
