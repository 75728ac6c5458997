/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sip analyzer plugin: descriptor and glue around the host-independent
 * parser (sip_parse.c).  It writes sip.log as Zeek's base/protocols/sip
 * does, request/response pairs in one record: a request opens the record
 * (unless one is still open: its fields are then overwritten), its headers
 * fill the request columns, a response's status line and headers fill the
 * response columns, and the end of each response writes the record, which
 * stays open after a provisional (1xx) response so the final one is logged
 * with the same request; a record still open is written when the
 * connection ends.  A datagram starting with "SIP/" is a response whoever
 * sends it, as in Zeek.  Strings live in one arena per connection of
 * max_text bytes, allocated on the first message and compacted when full.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <shoal/shoal.h>

#include "sip_parse.h"

#define SIP_PORT 5060
#define SIP_MAX_PATH 16 /* Via entries kept per direction */

/* ---- settings: group plugins.sip of shoal.cfg --------------------------- */

struct sip_config {
    int64_t max_text;
};

static const struct shoal_cfg_key sip_cfg_keys[] = {
    {"max_text", SHOAL_CFG_INT, "8192", false,
     "bytes of header values kept per connection for the open record (more are dropped)",
     offsetof(struct sip_config, max_text), "512", "1048576"},
    {0},
};

/* ---- counters: the node reports them as sip.NAME ------------------------ */

#define SIP_COUNTERS(X)                                                                            \
    X(msgs, "SIP messages seen")                                                                   \
    X(unparsed, "messages that did not parse to their end")                                        \
    X(records, "sip.log records written")                                                          \
    X(dropped, "header values not kept (max_text, or no memory)")

struct sip_counters {
#define SIP_COUNTER_FIELD(name, help) uint64_t *name;
    SIP_COUNTERS(SIP_COUNTER_FIELD)
};

/* ---- sip.log ------------------------------------------------------------ */

/* sip.log's columns, as Zeek writes them (base/protocols/sip/main.zeek). */
#define SIP_COLUMNS(X)                                                                             \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(TRANS_DEPTH, "trans_depth", SHOAL_T_COUNT, 0)                                                \
    X(METHOD, "method", SHOAL_T_STRING, 0)                                                         \
    X(URI, "uri", SHOAL_T_STRING, 0)                                                               \
    X(DATE, "date", SHOAL_T_STRING, 0)                                                             \
    X(REQUEST_FROM, "request_from", SHOAL_T_STRING, 0)                                             \
    X(REQUEST_TO, "request_to", SHOAL_T_STRING, 0)                                                 \
    X(RESPONSE_FROM, "response_from", SHOAL_T_STRING, 0)                                           \
    X(RESPONSE_TO, "response_to", SHOAL_T_STRING, 0)                                               \
    X(REPLY_TO, "reply_to", SHOAL_T_STRING, 0)                                                     \
    X(CALL_ID, "call_id", SHOAL_T_STRING, 0)                                                       \
    X(SEQ, "seq", SHOAL_T_STRING, 0)                                                               \
    X(SUBJECT, "subject", SHOAL_T_STRING, 0)                                                       \
    X(REQUEST_PATH, "request_path", SHOAL_T_VECTOR, SHOAL_T_STRING)                                \
    X(RESPONSE_PATH, "response_path", SHOAL_T_VECTOR, SHOAL_T_STRING)                              \
    X(USER_AGENT, "user_agent", SHOAL_T_STRING, 0)                                                 \
    X(STATUS_CODE, "status_code", SHOAL_T_COUNT, 0)                                                \
    X(STATUS_MSG, "status_msg", SHOAL_T_STRING, 0)                                                 \
    X(WARNING, "warning", SHOAL_T_STRING, 0)                                                       \
    X(REQUEST_BODY_LEN, "request_body_len", SHOAL_T_COUNT, 0)                                      \
    X(RESPONSE_BODY_LEN, "response_body_len", SHOAL_T_COUNT, 0)                                    \
    X(CONTENT_TYPE, "content_type", SHOAL_T_STRING, 0)

#define SIP_COL(id, name, type, elem) SIP_COL_##id,
enum sip_col { SIP_COLUMNS(SIP_COL) SIP_NCOLS };
static const struct shoal_field sip_fields[] = {SIP_COLUMNS(SHOAL_COLUMN_FIELD)};

/* The string columns a record keeps, in the arena. */
enum sip_str {
    SIP_S_METHOD,
    SIP_S_URI,
    SIP_S_DATE,
    SIP_S_REQUEST_FROM,
    SIP_S_REQUEST_TO,
    SIP_S_RESPONSE_FROM,
    SIP_S_RESPONSE_TO,
    SIP_S_REPLY_TO,
    SIP_S_CALL_ID,
    SIP_S_SEQ,
    SIP_S_SUBJECT,
    SIP_S_USER_AGENT,
    SIP_S_STATUS_MSG,
    SIP_S_WARNING,
    SIP_S_CONTENT_TYPE,
    SIP_NSTR
};

static const uint8_t sip_str_col[SIP_NSTR] = {
    SIP_COL_METHOD,     SIP_COL_URI,           SIP_COL_DATE,         SIP_COL_REQUEST_FROM,
    SIP_COL_REQUEST_TO, SIP_COL_RESPONSE_FROM, SIP_COL_RESPONSE_TO,  SIP_COL_REPLY_TO,
    SIP_COL_CALL_ID,    SIP_COL_SEQ,           SIP_COL_SUBJECT,      SIP_COL_USER_AGENT,
    SIP_COL_STATUS_MSG, SIP_COL_WARNING,       SIP_COL_CONTENT_TYPE,
};

/* ---- state -------------------------------------------------------------- */

/* A string in the arena; len UINT32_MAX: unset. */
struct sip_ref {
    uint32_t off;
    uint32_t len;
};

#define SIP_UNSET UINT32_MAX

/* The open record (Zeek's c$sip). */
struct sip_rec {
    double ts;
    struct sip_ref s[SIP_NSTR];
    struct sip_ref path[2][SIP_MAX_PATH]; /* request, response Via entries */
    uint8_t npath[2];
    bool has_status, has_req_len, has_resp_len;
    unsigned status;
    uint64_t req_len, resp_len;
};

struct sip_conn {
    bool open;
    long content_length[2]; /* per direction (request, response), as Zeek's flows */
    char *arena;
    uint32_t used;
    struct sip_rec rec;
};

struct sip_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct sip_config cfg;
    struct sip_counters n;
    struct shoal_stream *stream;
    /* the message being parsed */
    struct shoal_conn *c;
    struct sip_conn *sc;
    bool reply;
};

/* ---- the arena ---------------------------------------------------------- */

static void sip_rec_reset(struct sip_conn *sc)
{
    memset(&sc->rec, 0, sizeof(sc->rec));
    for (int i = 0; i < SIP_NSTR; i++) {
        sc->rec.s[i].len = SIP_UNSET;
    }
    sc->used = 0;
}

static int sip_ref_cmp(const void *a, const void *b)
{
    const struct sip_ref *x = *(const struct sip_ref *const *)a;
    const struct sip_ref *y = *(const struct sip_ref *const *)b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Move the live strings to the start of the arena. */
static void sip_compact(struct sip_conn *sc)
{
    struct sip_ref *live[SIP_NSTR + 2 * SIP_MAX_PATH];
    size_t n = 0;
    uint32_t at = 0;

    for (int i = 0; i < SIP_NSTR; i++) {
        if (sc->rec.s[i].len != SIP_UNSET) {
            live[n++] = &sc->rec.s[i];
        }
    }
    for (int d = 0; d < 2; d++) {
        for (uint8_t i = 0; i < sc->rec.npath[d]; i++) {
            if (sc->rec.path[d][i].len != SIP_UNSET) {
                live[n++] = &sc->rec.path[d][i];
            }
        }
    }
    qsort(live, n, sizeof(live[0]), sip_ref_cmp);
    for (size_t i = 0; i < n; i++) {
        memmove(sc->arena + at, sc->arena + live[i]->off, live[i]->len);
        live[i]->off = at;
        at += live[i]->len;
    }
    sc->used = at;
}

/* Keep len bytes at p as *ref (unset when they do not fit). */
static void sip_put(struct sip_plugin *ps, struct sip_conn *sc, struct sip_ref *ref,
                    const uint8_t *p, size_t len)
{
    size_t max = (size_t)ps->cfg.max_text;

    ref->len = SIP_UNSET;
    if (sc->arena == NULL) {
        sc->arena = ps->host->alloc(ps->self, max);
    }
    if (sc->arena != NULL && len > max - sc->used) {
        sip_compact(sc);
    }
    if (sc->arena == NULL || len > max - sc->used) {
        (*ps->n.dropped)++;
        return;
    }
    memcpy(sc->arena + sc->used, p, len);
    ref->off = sc->used;
    ref->len = (uint32_t)len;
    sc->used += (uint32_t)len;
}

static struct shoal_value sip_v_ref(const struct sip_conn *sc, const struct sip_ref *r)
{
    return r->len == SIP_UNSET ? shoal_v_unset() : shoal_v_strn(sc->arena + r->off, r->len);
}

/* ---- writing records ---------------------------------------------------- */

static void sip_write(struct sip_plugin *ps, struct shoal_conn *c, const struct sip_conn *sc)
{
    const struct sip_rec *r = &sc->rec;
    struct shoal_value v[SIP_NCOLS] = {0};
    struct shoal_value path[2][SIP_MAX_PATH];
    char uid[SHOAL_UID_SIZE];

    v[SIP_COL_TS] = shoal_v_double(r->ts);
    v[SIP_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, c, uid));
    shoal_v_conn_id(&v[SIP_COL_ID_ORIG_H], ps->an->conn_id(ps->self, c));
    /* Zeek's request counter never moves (its pending table only ever
     * holds entry 0), so every record has depth 0. */
    v[SIP_COL_TRANS_DEPTH] = shoal_v_count(0);
    for (int i = 0; i < SIP_NSTR; i++) {
        v[sip_str_col[i]] = sip_v_ref(sc, &r->s[i]);
    }
    for (int d = 0; d < 2; d++) {
        size_t n = 0;
        for (uint8_t i = 0; i < r->npath[d]; i++) {
            if (r->path[d][i].len != SIP_UNSET) {
                path[d][n++] = sip_v_ref(sc, &r->path[d][i]);
            }
        }
        v[d == 0 ? SIP_COL_REQUEST_PATH : SIP_COL_RESPONSE_PATH] = shoal_v_vec(path[d], n);
    }
    if (r->has_status) {
        v[SIP_COL_STATUS_CODE] = shoal_v_count(r->status);
    }
    if (r->has_req_len) {
        v[SIP_COL_REQUEST_BODY_LEN] = shoal_v_count(r->req_len);
    }
    if (r->has_resp_len) {
        v[SIP_COL_RESPONSE_BODY_LEN] = shoal_v_count(r->resp_len);
    }
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* ---- parser callbacks (Zeek's sip_* event handlers) --------------------- */

static const char *const sip_methods[] = {"REGISTER", "INVITE",  "ACK",    "CANCEL",
                                          "BYE",      "OPTIONS", "NOTIFY", "SUBSCRIBE"};

/* Zeek's set_state: the open record, or a new one. */
static struct sip_rec *sip_state(struct sip_plugin *ps, struct sip_conn *sc)
{
    if (!sc->open) {
        sip_rec_reset(sc);
        sc->rec.ts = ps->host->now(ps->self);
        sc->open = true;
    }
    return &sc->rec;
}

/* A span as a NUL-ended string for weird.log (cut to the buffer). */
static const char *sip_cstr(struct sip_span s, char *buf, size_t size)
{
    size_t n = s.len < size - 1 ? s.len : size - 1;

    memcpy(buf, s.p, n);
    buf[n] = '\0';
    return buf;
}

static void sip_cb_request(void *ud, struct sip_span junk, struct sip_span method,
                           struct sip_span uri)
{
    struct sip_plugin *ps = ud;
    struct sip_conn *sc = ps->sc;
    char buf[256];
    bool known = false;

    if (junk.len > 0) {
        ps->an->weird(ps->self, ps->c, "sip_junk_before_request", sip_cstr(junk, buf, sizeof(buf)),
                      NULL);
    }
    struct sip_rec *r = sip_state(ps, sc);
    sip_put(ps, sc, &r->s[SIP_S_METHOD], method.p, method.len);
    sip_put(ps, sc, &r->s[SIP_S_URI], uri.p, uri.len);
    for (size_t i = 0; i < sizeof(sip_methods) / sizeof(sip_methods[0]); i++) {
        known |= strlen(sip_methods[i]) == method.len &&
                 memcmp(sip_methods[i], method.p, method.len) == 0;
    }
    if (!known) {
        ps->an->weird(ps->self, ps->c, "unknown_SIP_method", sip_cstr(method, buf, sizeof(buf)),
                      "");
    }
}

static void sip_cb_reply(void *ud, unsigned code, struct sip_span reason)
{
    struct sip_plugin *ps = ud;
    struct sip_rec *r = sip_state(ps, ps->sc);

    ps->an->confirm(ps->self, ps->c);
    r->status = code;
    r->has_status = true;
    sip_put(ps, ps->sc, &r->s[SIP_S_STATUS_MSG], reason.p, reason.len);
}

/* Zeek's to_count: the whole value a decimal number, else 0. */
static uint64_t sip_to_count(struct sip_span v)
{
    char buf[32], *end;

    if (v.len == 0 || v.len >= sizeof(buf)) {
        return 0;
    }
    memcpy(buf, v.p, v.len);
    buf[v.len] = '\0';
    unsigned long long u = strtoull(buf, &end, 10);
    return *end == '\0' ? u : 0;
}

/* The value up to ";tag=" / "; tag=" (or ";branch" / "; branch"). */
static struct sip_span sip_before(struct sip_span v, const char *word)
{
    size_t wl = strlen(word);

    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] != ';') {
            continue;
        }
        size_t j = i + 1 < v.len && v.p[i + 1] == ' ' ? i + 2 : i + 1;
        if (v.len - j >= wl && memcmp(v.p + j, word, wl) == 0) {
            return (struct sip_span){v.p, i};
        }
    }
    return v;
}

static bool sip_name_is(const char *name, const char *a, const char *b)
{
    return strcmp(name, a) == 0 || (b != NULL && strcmp(name, b) == 0);
}

static void sip_path_add(struct sip_plugin *ps, struct sip_rec *r, int d, struct sip_span v)
{
    struct sip_span s = sip_before(v, "branch");

    if (r->npath[d] == SIP_MAX_PATH) {
        (*ps->n.dropped)++;
        return;
    }
    sip_put(ps, ps->sc, &r->path[d][r->npath[d]++], s.p, s.len);
}

static void sip_cb_header(void *ud, struct sip_span name, struct sip_span value)
{
    struct sip_plugin *ps = ud;
    struct sip_conn *sc = ps->sc;
    struct sip_rec *r = sip_state(ps, sc);
    char n[24];
    size_t i;
    struct sip_span s;
    int idx = -1;

    if (name.len >= sizeof(n)) {
        return; /* no column takes a header of so long a name */
    }
    for (i = 0; i < name.len; i++) {
        n[i] = (char)(name.p[i] >= 'a' && name.p[i] <= 'z' ? name.p[i] - 32 : name.p[i]);
    }
    n[i] = '\0';
    if (sip_name_is(n, "CONTENT-LENGTH", "L")) {
        if (ps->reply) {
            r->resp_len = sip_to_count(value);
            r->has_resp_len = true;
        } else {
            r->req_len = sip_to_count(value);
            r->has_req_len = true;
        }
        return;
    }
    if (sip_name_is(n, "FROM", "F")) {
        s = sip_before(value, "tag=");
        sip_put(ps, sc, &r->s[ps->reply ? SIP_S_RESPONSE_FROM : SIP_S_REQUEST_FROM], s.p, s.len);
        return;
    }
    if (sip_name_is(n, "VIA", "V")) {
        sip_path_add(ps, r, ps->reply ? 1 : 0, value);
        return;
    }
    if (sip_name_is(n, "TO", "T")) {
        idx = ps->reply ? SIP_S_RESPONSE_TO : SIP_S_REQUEST_TO;
    } else if (ps->reply) {
        idx = sip_name_is(n, "CONTENT-TYPE", "C") ? SIP_S_CONTENT_TYPE
              : sip_name_is(n, "WARNING", NULL)   ? SIP_S_WARNING
                                                  : -1;
    } else {
        idx = sip_name_is(n, "CALL-ID", NULL)      ? SIP_S_CALL_ID
              : sip_name_is(n, "CSEQ", NULL)       ? SIP_S_SEQ
              : sip_name_is(n, "DATE", NULL)       ? SIP_S_DATE
              : sip_name_is(n, "REPLY-TO", NULL)   ? SIP_S_REPLY_TO
              : sip_name_is(n, "SUBJECT", "S")     ? SIP_S_SUBJECT
              : sip_name_is(n, "USER-AGENT", NULL) ? SIP_S_USER_AGENT
                                                   : -1;
    }
    if (idx >= 0) {
        sip_put(ps, sc, &r->s[idx], value.p, value.len);
    }
}

/* Zeek's sip_end_entity: a response's end writes the record. */
static void sip_cb_end(void *ud)
{
    struct sip_plugin *ps = ud;
    struct sip_conn *sc = ps->sc;
    struct sip_rec *r = sip_state(ps, sc);

    if (!ps->reply) {
        return;
    }
    sip_write(ps, ps->c, sc);
    const struct sip_ref *m = &r->s[SIP_S_METHOD];
    bool bye_ok = m->len == 3 && memcmp(sc->arena + m->off, "BYE", 3) == 0 && r->status >= 200 &&
                  r->status < 300;
    if (r->status < 100 || r->status >= 200 || m->len == SIP_UNSET || bye_ok) {
        sc->open = false;
    }
}

/* ---- analyzer ops ------------------------------------------------------- */

static int sip_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct sip_plugin *ps = plugin;
    struct sip_conn *sc = conn;
    struct sip_parse_cb cb = {ps, sip_cb_request, sip_cb_reply, sip_cb_header, sip_cb_end};

    (void)is_orig;
    (*ps->n.msgs)++;
    if (len == 2 && data[0] == '\r') {
        return SHOAL_AN_OK; /* a keep-alive CRLF */
    }
    ps->c = c;
    ps->sc = sc;
    ps->reply = len > 6 && memcmp(data, "SIP/", 4) == 0;
    if (!sip_parse(data, len, ps->reply, &sc->content_length[ps->reply ? 1 : 0], &cb)) {
        (*ps->n.unparsed)++;
    }
    return SHOAL_AN_OK;
}

static void sip_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct sip_plugin *ps = plugin;
    struct sip_conn *sc = conn;

    if (sc->open) {
        sip_write(ps, c, sc);
        sc->open = false;
    }
    ps->host->free(ps->self, sc->arena);
    sc->arena = NULL;
}

/* ---- init and fini ------------------------------------------------------ */

static void sip_fini(void *state)
{
    struct sip_plugin *ps = state;

    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int sip_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    struct sip_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->cfg.max_text = 8192;
    if (config != NULL) {
        ps->cfg = *(const struct sip_config *)config;
    }
#define SIP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    SIP_COUNTERS(SIP_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "sip", sip_fields, SIP_NCOLS);
    if (ps->stream == NULL) {
        sip_fini(ps);
        return -EINVAL;
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

static const struct shoal_port sip_ports[] = {
    {SHOAL_PROTO_UDP, SIP_PORT},
    {0, 0},
};

static const struct shoal_analyzer_ops sip_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "sip",
    .ports = sip_ports,
    .signatures = NULL,
    .conn_size = sizeof(struct sip_conn),
    .conn_new = NULL,
    .data = sip_data,
    .gap = NULL,
    .eof = NULL,
    .conn_done = sip_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin sip_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "sip",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "SIP analyzer writing sip.log, request/response pairs",
    .config = sip_cfg_keys,
    .config_size = sizeof(struct sip_config),
    .init = sip_init,
    .fini = sip_fini,
    .ops = &sip_ops,
};
