/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smtp analyzer plugin: descriptor, host glue and the smtp.log model.
 * smtp_parse.c turns the byte streams into Zeek's SMTP and MIME events;
 * this file plays the part of Zeek's base/protocols/smtp scripts on top of
 * them: one record per mail transaction (trans_depth counting the mails of
 * the session), filled from HELO/EHLO, MAIL FROM, RCPT TO, the replies and
 * the top-level headers of the mail, the Received path, STARTTLS; the
 * mail-transaction checks and their weirds; a record is written when the
 * server accepts the mail, when a new MAIL FROM comes, or when the
 * connection ends, if the client did anything worth logging.  Strings are
 * allocated per record through the host, never per packet.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <shoal/shoal.h>

#include "smtp_addr.h"
#include "smtp_parse.h"

#define SMTP_IPS_MAX 16 /* IP addresses looked at in one header */

/* ---- settings: group plugins.smtp of shoal.cfg -------------------------- */

struct smtp_config {
    int64_t max_line_length;
    int64_t max_header_length;
    int64_t max_pending_commands;
    int64_t max_addresses;
    int64_t max_path_length;
    int64_t max_invalid_transactions;
};

static const struct shoal_cfg_key smtp_cfg_keys[] = {
    {"max_line_length", SHOAL_CFG_INT, "4096", false,
     "bytes of one SMTP line kept per direction (contentline_size_exceeded beyond)",
     offsetof(struct smtp_config, max_line_length), "64", "1048576"},
    {"max_header_length", SHOAL_CFG_INT, "8192", false, "bytes of one folded mail header kept",
     offsetof(struct smtp_config, max_header_length), "64", "1048576"},
    {"max_pending_commands", SHOAL_CFG_INT, "1000", false,
     "pipelined commands awaiting a reply (smtp_excessive_pending_cmds beyond)",
     offsetof(struct smtp_config, max_pending_commands), "1", "65536"},
    {"max_addresses", SHOAL_CFG_INT, "1000", false,
     "addresses kept per record in rcptto, to and cc (Zeek's max_*_addresses)",
     offsetof(struct smtp_config, max_addresses), "1", "100000"},
    {"max_path_length", SHOAL_CFG_INT, "1000", false,
     "addresses kept per record in path (Zeek's max_path_length)",
     offsetof(struct smtp_config, max_path_length), "2", "100000"},
    {"max_invalid_transactions", SHOAL_CFG_INT, "25", false,
     "invalid mail transactions before the analyzer gives up (0: never)",
     offsetof(struct smtp_config, max_invalid_transactions), "0", "1000000"},
    {0},
};

/* ---- counters ----------------------------------------------------------- */

#define SMTP_COUNTERS(X)                                                                           \
    X(requests, "commands seen")                                                                   \
    X(replies, "reply lines seen")                                                                 \
    X(mails, "mail bodies seen")                                                                   \
    X(records, "smtp.log records written")                                                         \
    X(gaps, "content gaps")                                                                        \
    X(weirds, "weirds reported")

struct smtp_counters {
#define SMTP_COUNTER_FIELD(name, help) uint64_t *name;
    SMTP_COUNTERS(SMTP_COUNTER_FIELD)
};

/* ---- smtp.log ----------------------------------------------------------- */

/* smtp.log's columns, as Zeek writes them (base/protocols/smtp/main.zeek). */
#define SMTP_COLUMNS(X)                                                                            \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(TRANS_DEPTH, "trans_depth", SHOAL_T_COUNT, 0)                                                \
    X(HELO, "helo", SHOAL_T_STRING, 0)                                                             \
    X(MAILFROM, "mailfrom", SHOAL_T_STRING, 0)                                                     \
    X(RCPTTO, "rcptto", SHOAL_T_SET, SHOAL_T_STRING)                                               \
    X(DATE, "date", SHOAL_T_STRING, 0)                                                             \
    X(FROM, "from", SHOAL_T_STRING, 0)                                                             \
    X(TO, "to", SHOAL_T_SET, SHOAL_T_STRING)                                                       \
    X(CC, "cc", SHOAL_T_SET, SHOAL_T_STRING)                                                       \
    X(REPLY_TO, "reply_to", SHOAL_T_STRING, 0)                                                     \
    X(MSG_ID, "msg_id", SHOAL_T_STRING, 0)                                                         \
    X(IN_REPLY_TO, "in_reply_to", SHOAL_T_STRING, 0)                                               \
    X(SUBJECT, "subject", SHOAL_T_STRING, 0)                                                       \
    X(X_ORIGINATING_IP, "x_originating_ip", SHOAL_T_ADDR, 0)                                       \
    X(FIRST_RECEIVED, "first_received", SHOAL_T_STRING, 0)                                         \
    X(SECOND_RECEIVED, "second_received", SHOAL_T_STRING, 0)                                       \
    X(LAST_REPLY, "last_reply", SHOAL_T_STRING, 0)                                                 \
    X(PATH, "path", SHOAL_T_VECTOR, SHOAL_T_ADDR)                                                  \
    X(USER_AGENT, "user_agent", SHOAL_T_STRING, 0)                                                 \
    X(TLS, "tls", SHOAL_T_BOOL, 0)                                                                 \
    X(FUIDS, "fuids", SHOAL_T_VECTOR, SHOAL_T_STRING)

#define SMTP_COL(id, name, type, elem) SMTP_COL_##id,
enum smtp_col { SMTP_COLUMNS(SMTP_COL) SMTP_NCOLS };
static const struct shoal_field smtp_fields[] = {SMTP_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

struct smtp_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct smtp_config cfg;
    struct smtp_limits lim;
    struct smtp_counters n;
    struct shoal_stream *stream;
    bool handoff; /* the core takes SHOAL_AN_HANDOFF (2.3) */
};

struct smtp_str {
    char *p;
    size_t n;
};

/* A set of strings (rcptto, to, cc), bounded by max_addresses. */
struct smtp_set {
    struct smtp_str *v;
    uint32_t n, cap;
};

/* The strings of a record, by field. */
enum smtp_sfield {
    SF_HELO,
    SF_MAILFROM,
    SF_DATE,
    SF_FROM,
    SF_REPLY_TO,
    SF_MSG_ID,
    SF_IN_REPLY_TO,
    SF_SUBJECT,
    SF_FIRST_RECEIVED,
    SF_SECOND_RECEIVED,
    SF_LAST_REPLY,
    SF_USER_AGENT,
    SF_N
};

/* One smtp.log record under construction (Zeek's SMTP::Info). */
struct smtp_rec {
    bool open;
    double ts;
    uint64_t trans_depth;
    struct smtp_str s[SF_N];
    struct smtp_set rcptto, to, cc;
    bool has_xoip;
    struct shoal_addr xoip;
    struct shoal_addr *path;
    uint32_t npath, cappath;
    bool tls;
    bool has_client_activity;
    bool process_received_from;
    uint32_t entity_count;
};

/* Per-connection state (Zeek's c$smtp and c$smtp_state). */
struct smtp_conn {
    struct smtp_parser parser;
    struct smtp_plugin *ps;
    struct shoal_conn *c; /* valid only during a callback */
    struct smtp_rec rec;
    struct smtp_str helo;
    uint64_t messages_transferred;
    uint64_t invalid_transactions;
    bool trans_mail_from_seen;
    bool trans_rcpt_to_seen;
    bool bdat_last_observed;
    bool confirmed;
    bool disabled;
};

/* ---- strings, sets and records ------------------------------------------ */

static void smtp_str_set(struct smtp_plugin *ps, struct smtp_str *s, const char *p, size_t n)
{
    char *np = ps->host->alloc(ps->self, n + 1);

    if (np == NULL) {
        return;
    }
    memcpy(np, p, n);
    ps->host->free(ps->self, s->p);
    s->p = np;
    s->n = n;
}

static void smtp_str_free(struct smtp_plugin *ps, struct smtp_str *s)
{
    ps->host->free(ps->self, s->p);
    s->p = NULL;
    s->n = 0;
}

static void smtp_set_free(struct smtp_plugin *ps, struct smtp_set *set)
{
    for (uint32_t i = 0; i < set->n; i++) {
        smtp_str_free(ps, &set->v[i]);
    }
    ps->host->free(ps->self, set->v);
    memset(set, 0, sizeof(*set));
}

/* Add p[0..n) to the set unless there.  Returns false when the set is
 * full (the caller's weird). */
static bool smtp_set_add(struct smtp_plugin *ps, struct smtp_set *set, const char *p, size_t n)
{
    for (uint32_t i = 0; i < set->n; i++) {
        if (set->v[i].n == n && memcmp(set->v[i].p, p, n) == 0) {
            return true;
        }
    }
    if ((int64_t)set->n >= ps->cfg.max_addresses) {
        return false;
    }
    if (set->n == set->cap) {
        uint32_t cap = set->cap ? set->cap * 2 : 4;
        struct smtp_str *v = ps->host->alloc(ps->self, cap * sizeof(*v));
        if (v == NULL) {
            return true;
        }
        if (set->n > 0) {
            memcpy(v, set->v, set->n * sizeof(*v));
        }
        ps->host->free(ps->self, set->v);
        set->v = v;
        set->cap = cap;
    }
    memset(&set->v[set->n], 0, sizeof(set->v[0]));
    smtp_str_set(ps, &set->v[set->n], p, n);
    if (set->v[set->n].p != NULL) {
        set->n++;
    }
    return true;
}

static void smtp_path_add(struct smtp_plugin *ps, struct smtp_rec *r, const struct shoal_addr *a)
{
    if (r->npath == r->cappath) {
        uint32_t cap = r->cappath ? r->cappath * 2 : 4;
        struct shoal_addr *v = ps->host->alloc(ps->self, cap * sizeof(*v));
        if (v == NULL) {
            return;
        }
        if (r->npath > 0) {
            memcpy(v, r->path, r->npath * sizeof(*v));
        }
        ps->host->free(ps->self, r->path);
        r->path = v;
        r->cappath = cap;
    }
    r->path[r->npath++] = *a;
}

static void smtp_rec_free(struct smtp_plugin *ps, struct smtp_rec *r)
{
    for (int i = 0; i < SF_N; i++) {
        smtp_str_free(ps, &r->s[i]);
    }
    smtp_set_free(ps, &r->rcptto);
    smtp_set_free(ps, &r->to);
    smtp_set_free(ps, &r->cc);
    ps->host->free(ps->self, r->path);
    memset(r, 0, sizeof(*r));
}

static struct shoal_value smtp_v_str(const struct smtp_str *s)
{
    return shoal_v_strn(s->p, s->n);
}

/* The values of a set, in an array the caller frees; unset when the set
 * was never made. */
static struct shoal_value smtp_v_set(struct smtp_plugin *ps, const struct smtp_set *set, bool made,
                                     struct shoal_value **tmp)
{
    *tmp = NULL;
    if (!made) {
        return shoal_v_unset();
    }
    if (set->n > 0) {
        *tmp = ps->host->alloc(ps->self, set->n * sizeof(**tmp));
        if (*tmp == NULL) {
            return shoal_v_unset();
        }
        for (uint32_t i = 0; i < set->n; i++) {
            (*tmp)[i] = smtp_v_str(&set->v[i]);
        }
    }
    return shoal_v_vec(*tmp, set->n);
}

static void smtp_rec_write(struct smtp_conn *sc)
{
    struct smtp_plugin *ps = sc->ps;
    const struct smtp_rec *r = &sc->rec;
    struct shoal_value v[SMTP_NCOLS] = {0};
    struct shoal_value *tmp[4] = {0};
    char uid[SHOAL_UID_SIZE];

    if (ps->stream == NULL) {
        return;
    }
    v[SMTP_COL_TS] = shoal_v_double(r->ts);
    v[SMTP_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, sc->c, uid));
    shoal_v_conn_id(&v[SMTP_COL_ID_ORIG_H], ps->an->conn_id(ps->self, sc->c));
    v[SMTP_COL_TRANS_DEPTH] = shoal_v_count(r->trans_depth);
    v[SMTP_COL_HELO] = smtp_v_str(&r->s[SF_HELO]);
    v[SMTP_COL_MAILFROM] = smtp_v_str(&r->s[SF_MAILFROM]);
    v[SMTP_COL_RCPTTO] = smtp_v_set(ps, &r->rcptto, r->rcptto.cap > 0 || r->rcptto.v, &tmp[0]);
    v[SMTP_COL_DATE] = smtp_v_str(&r->s[SF_DATE]);
    v[SMTP_COL_FROM] = smtp_v_str(&r->s[SF_FROM]);
    v[SMTP_COL_TO] = smtp_v_set(ps, &r->to, r->to.cap > 0, &tmp[1]);
    v[SMTP_COL_CC] = smtp_v_set(ps, &r->cc, r->cc.cap > 0, &tmp[2]);
    v[SMTP_COL_REPLY_TO] = smtp_v_str(&r->s[SF_REPLY_TO]);
    v[SMTP_COL_MSG_ID] = smtp_v_str(&r->s[SF_MSG_ID]);
    v[SMTP_COL_IN_REPLY_TO] = smtp_v_str(&r->s[SF_IN_REPLY_TO]);
    v[SMTP_COL_SUBJECT] = smtp_v_str(&r->s[SF_SUBJECT]);
    if (r->has_xoip) {
        v[SMTP_COL_X_ORIGINATING_IP] = shoal_v_addr(&r->xoip);
    }
    v[SMTP_COL_FIRST_RECEIVED] = smtp_v_str(&r->s[SF_FIRST_RECEIVED]);
    v[SMTP_COL_SECOND_RECEIVED] = smtp_v_str(&r->s[SF_SECOND_RECEIVED]);
    v[SMTP_COL_LAST_REPLY] = smtp_v_str(&r->s[SF_LAST_REPLY]);
    if (r->npath > 0) {
        tmp[3] = ps->host->alloc(ps->self, r->npath * sizeof(*tmp[3]));
        if (tmp[3] != NULL) {
            for (uint32_t i = 0; i < r->npath; i++) {
                tmp[3][i] = shoal_v_addr(&r->path[i]);
            }
            v[SMTP_COL_PATH] = shoal_v_vec(tmp[3], r->npath);
        }
    }
    v[SMTP_COL_USER_AGENT] = smtp_v_str(&r->s[SF_USER_AGENT]);
    v[SMTP_COL_TLS] = shoal_v_bool(r->tls);
    v[SMTP_COL_FUIDS] = shoal_v_vec(NULL, 0); /* no files analysis: always empty */
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
    for (int i = 0; i < 4; i++) {
        ps->host->free(ps->self, tmp[i]);
    }
}

/* Zeek's new_smtp_log. */
static void smtp_rec_new(struct smtp_conn *sc)
{
    struct smtp_plugin *ps = sc->ps;
    struct smtp_rec *r = &sc->rec;
    const struct shoal_conn_id *id = ps->an->conn_id(ps->self, sc->c);

    smtp_rec_free(ps, r);
    r->open = true;
    r->ts = ps->host->now(ps->self);
    r->trans_depth = sc->messages_transferred + 1;
    r->process_received_from = true;
    if (sc->helo.p != NULL) {
        smtp_str_set(ps, &r->s[SF_HELO], sc->helo.p, sc->helo.n);
    }
    smtp_path_add(ps, r, &id->resp_h);
    smtp_path_add(ps, r, &id->orig_h);
}

/* Zeek's set_smtp_session. */
static void smtp_session(struct smtp_conn *sc)
{
    if (!sc->rec.open) {
        smtp_rec_new(sc);
    }
}

/* Zeek's smtp_message: write the record if the client did something. */
static void smtp_message(struct smtp_conn *sc)
{
    if (sc->rec.open && sc->rec.has_client_activity) {
        smtp_rec_write(sc);
        smtp_rec_new(sc);
    }
}

static void smtp_weird(struct smtp_conn *sc, const char *name, const char *addl, const char *source)
{
    (*sc->ps->n.weirds)++;
    sc->ps->an->weird(sc->ps->self, sc->c, name, addl, source);
}

/* ---- Zeek's smtp_request handler ---------------------------------------- */

static void smtp_invalid(struct smtp_conn *sc, const char *addl)
{
    struct smtp_plugin *ps = sc->ps;

    smtp_weird(sc, "smtp_mail_transaction_invalid", addl, NULL);
    sc->invalid_transactions++;
    if (ps->cfg.max_invalid_transactions > 0 &&
        sc->invalid_transactions > (uint64_t)ps->cfg.max_invalid_transactions && !sc->disabled) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%llu/%lld", (unsigned long long)sc->invalid_transactions,
                 (long long)ps->cfg.max_invalid_transactions);
        smtp_weird(sc, "smtp_excessive_invalid_mail_transactions", buf, NULL);
        sc->disabled = true;
        smtp_parse_stop(&sc->parser);
    }
}

static bool smtp_prefix_ci(const char *s, size_t n, const char *pfx)
{
    size_t k = strlen(pfx);
    return n >= k && strncasecmp(s, pfx, k) == 0;
}

/* Add the RCPT argument's addresses, ORCPT=rfc822 parts taken out. */
static void smtp_rcpt_addrs(struct smtp_conn *sc, const char *arg, size_t alen)
{
    struct smtp_plugin *ps = sc->ps;
    struct smtp_span sp;
    size_t pos = 0;

    if (sc->rec.rcptto.cap == 0 && sc->rec.rcptto.v == NULL) {
        /* mark the set as made (Zeek's c$smtp$rcptto = set()) */
        sc->rec.rcptto.v = ps->host->alloc(ps->self, 4 * sizeof(struct smtp_str));
        sc->rec.rcptto.cap = sc->rec.rcptto.v != NULL ? 4 : 0;
    }
    while (smtp_next_email(arg, alen, &pos, &sp)) {
        char buf[512];
        size_t n = 0;
        for (size_t i = 0; i < sp.n && n < sizeof(buf); i++) {
            if (sp.n - i >= 12 && memcmp(sp.p + i, "ORCPT=rfc822", 12) == 0) {
                i += 11;
                if (i + 1 < sp.n && sp.p[i + 1] == ';') {
                    i++;
                }
                continue;
            }
            buf[n++] = sp.p[i];
        }
        if (!smtp_set_add(ps, &sc->rec.rcptto, buf, n)) {
            smtp_weird(sc, "smtp_too_many_rcptto_addresses", NULL, "");
            break;
        }
    }
}

static void smtp_cb_request(void *ud, const char *cmd, size_t clen, const char *arg, size_t alen)
{
    struct smtp_conn *sc = ud;
    struct smtp_plugin *ps = sc->ps;

    (*ps->n.requests)++;
    smtp_session(sc);
    if ((clen == 4 && memcmp(cmd, "HELO", 4) == 0) || (clen == 4 && memcmp(cmd, "EHLO", 4) == 0)) {
        smtp_str_set(ps, &sc->helo, arg, alen);
        smtp_str_set(ps, &sc->rec.s[SF_HELO], arg, alen);
    } else if (clen == 4 && memcmp(cmd, "RCPT", 4) == 0 && smtp_prefix_ci(arg, alen, "TO:")) {
        smtp_rcpt_addrs(sc, arg, alen);
        sc->rec.has_client_activity = true;
        sc->trans_rcpt_to_seen = true;
        if (!sc->trans_mail_from_seen) {
            smtp_invalid(sc, "rcpt to missing mail from");
        }
    } else if (clen == 4 && memcmp(cmd, "MAIL", 4) == 0 && smtp_prefix_ci(arg, alen, "FROM:")) {
        struct smtp_span sp;
        size_t pos = 0;
        smtp_message(sc);
        if (smtp_next_email(arg, alen, &pos, &sp)) {
            smtp_str_set(ps, &sc->rec.s[SF_MAILFROM], sp.p, sp.n);
        }
        sc->rec.has_client_activity = true;
        sc->trans_mail_from_seen = true;
        sc->trans_rcpt_to_seen = false;
    } else if (clen == 4 && (memcmp(cmd, "DATA", 4) == 0 || memcmp(cmd, "BDAT", 4) == 0)) {
        if (!sc->trans_rcpt_to_seen) {
            smtp_invalid(sc, "data missing rcpt to");
        }
        if (cmd[0] == 'B' && alen >= 5 && memcmp(arg + alen - 5, " LAST", 5) == 0) {
            sc->trans_mail_from_seen = false;
            sc->trans_rcpt_to_seen = false;
            sc->bdat_last_observed = true;
        }
    } else if (clen == 1 && cmd[0] == '.') {
        sc->trans_mail_from_seen = false;
        sc->trans_rcpt_to_seen = false;
    }
}

static void smtp_cb_reply(void *ud, unsigned code, const char *cmd, const char *msg, size_t mlen,
                          bool cont)
{
    struct smtp_conn *sc = ud;
    struct smtp_plugin *ps = sc->ps;
    char buf[4096];
    int k;

    (*ps->n.replies)++;
    smtp_session(sc);
    k = snprintf(buf, sizeof(buf), "%u %.*s", code, (int)(mlen < 4000 ? mlen : 4000), msg);
    smtp_str_set(ps, &sc->rec.s[SF_LAST_REPLY], buf, (size_t)k);
    if (strcmp(cmd, ".") == 0 || (!cont && strcmp(cmd, "BDAT") == 0 && sc->bdat_last_observed)) {
        sc->messages_transferred++;
        sc->bdat_last_observed = false;
        smtp_message(sc);
        smtp_rec_new(sc);
    }
}

static void smtp_cb_begin_entity(void *ud)
{
    struct smtp_conn *sc = ud;

    (*sc->ps->n.mails)++;
    if (sc->rec.open) {
        sc->rec.entity_count++;
    }
}

/* The Received path (Zeek's second mime_one_header handler). */
static void smtp_received_path(struct smtp_conn *sc, const char *v, size_t n)
{
    struct smtp_rec *r = &sc->rec;
    struct shoal_addr ips[SMTP_IPS_MAX];
    size_t k = smtp_extract_ips(v, n, true, ips, SMTP_IPS_MAX);
    const struct shoal_addr *ip;

    if (!r->process_received_from || k == 0) {
        return;
    }
    ip = k > 1 ? &ips[1] : &ips[0];
    if (r->npath > 0 && memcmp(r->path[r->npath - 1].b, ip->b, 16) == 0) {
        return;
    }
    if ((int64_t)r->npath >= sc->ps->cfg.max_path_length) {
        smtp_weird(sc, "smtp_max_path_length_exceeded", NULL, "");
        return;
    }
    smtp_path_add(sc->ps, r, ip);
}

static void smtp_mime_addrs(struct smtp_conn *sc, struct smtp_set *set, const char *v, size_t n,
                            const char *weird)
{
    struct smtp_span sp;
    size_t pos = 0;

    if (set->cap == 0) {
        set->v = sc->ps->host->alloc(sc->ps->self, 4 * sizeof(struct smtp_str));
        set->cap = set->v != NULL ? 4 : 0;
    }
    while (smtp_next_mime_addr(v, n, &pos, &sp)) {
        if (!smtp_set_add(sc->ps, set, sp.p, sp.n)) {
            smtp_weird(sc, weird, NULL, "");
            break;
        }
    }
}

/* Zeek's mime_one_header handlers. */
static void smtp_cb_header(void *ud, const char *name, size_t nlen, const char *v, size_t n)
{
    struct smtp_conn *sc = ud;
    struct smtp_plugin *ps = sc->ps;
    struct smtp_rec *r = &sc->rec;
    static const struct {
        const char *name;
        enum smtp_sfield f;
    } simple[] = {
        {"MESSAGE-ID", SF_MSG_ID},       {"IN-REPLY-TO", SF_IN_REPLY_TO},
        {"SUBJECT", SF_SUBJECT},         {"FROM", SF_FROM},
        {"REPLY-TO", SF_REPLY_TO},       {"DATE", SF_DATE},
        {"X-MAILER", SF_USER_AGENT},     {"USER-AGENT", SF_USER_AGENT},
        {"X-USER-AGENT", SF_USER_AGENT},
    };

    if (!r->open || r->entity_count > 1) {
        return;
    }
    for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
        if (strlen(simple[i].name) == nlen && memcmp(simple[i].name, name, nlen) == 0) {
            smtp_str_set(ps, &r->s[simple[i].f], v, n);
            return;
        }
    }
    if (nlen == 8 && memcmp(name, "RECEIVED", 8) == 0) {
        if (r->s[SF_FIRST_RECEIVED].p != NULL) {
            smtp_str_set(ps, &r->s[SF_SECOND_RECEIVED], r->s[SF_FIRST_RECEIVED].p,
                         r->s[SF_FIRST_RECEIVED].n);
        }
        smtp_str_set(ps, &r->s[SF_FIRST_RECEIVED], v, n);
        smtp_received_path(sc, v, n);
    } else if (nlen == 2 && memcmp(name, "TO", 2) == 0) {
        smtp_mime_addrs(sc, &r->to, v, n, "smtp_too_many_to_addresses");
    } else if (nlen == 2 && memcmp(name, "CC", 2) == 0) {
        smtp_mime_addrs(sc, &r->cc, v, n, "smtp_too_many_cc_addresses");
    } else if (nlen == 16 && memcmp(name, "X-ORIGINATING-IP", 16) == 0) {
        struct shoal_addr ip;
        if (smtp_extract_ips(v, n, false, &ip, 1) == 1) {
            r->has_xoip = true;
            r->xoip = ip;
        }
    }
}

static void smtp_cb_starttls(void *ud)
{
    struct smtp_conn *sc = ud;

    if (sc->rec.open) {
        sc->rec.tls = true;
        sc->rec.has_client_activity = true;
    }
}

static void smtp_cb_weird(void *ud, const char *name, const char *addl)
{
    smtp_weird(ud, name, addl, NULL);
}

static void smtp_cb_confirm(void *ud)
{
    struct smtp_conn *sc = ud;

    if (!sc->confirmed) {
        sc->confirmed = true;
        sc->ps->an->confirm(sc->ps->self, sc->c);
    }
    smtp_session(sc);
}

static void *smtp_cb_alloc(void *ud, size_t n)
{
    struct smtp_conn *sc = ud;
    return sc->ps->host->alloc(sc->ps->self, n);
}

static void smtp_cb_free(void *ud, void *p)
{
    struct smtp_conn *sc = ud;
    sc->ps->host->free(sc->ps->self, p);
}

static const struct smtp_parse_cb smtp_cbs = {
    .request = smtp_cb_request,
    .reply = smtp_cb_reply,
    .begin_entity = smtp_cb_begin_entity,
    .header = smtp_cb_header,
    .starttls = smtp_cb_starttls,
    .weird = smtp_cb_weird,
    .confirm = smtp_cb_confirm,
    .alloc = smtp_cb_alloc,
    .free = smtp_cb_free,
};

/* ---- analyzer ops ------------------------------------------------------- */

static int smtp_conn_new(void *plugin, struct shoal_conn *c, void *conn)
{
    struct smtp_conn *sc = conn;
    struct smtp_plugin *ps = plugin;

    sc->ps = ps;
    sc->c = c;
    smtp_parser_init(&sc->parser, &ps->lim);
    return SHOAL_AN_OK;
}

static int smtp_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct smtp_conn *sc = conn;

    (void)plugin;
    sc->c = c;
    if (!smtp_parse_data(&sc->parser, &smtp_cbs, sc, is_orig, data, len)) {
        /* Given up, or STARTTLS: the rest is TLS, for content detection to
         * find (Zeek hands it to its SSL analyzer); the record waits for
         * conn_done. */
        return !sc->disabled && sc->ps->handoff ? SHOAL_AN_HANDOFF : SHOAL_AN_DETACH;
    }
    return SHOAL_AN_OK;
}

static void smtp_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct smtp_conn *sc = conn;

    (void)plugin;
    sc->c = c;
    (*sc->ps->n.gaps)++;
    smtp_parse_gap(&sc->parser, &smtp_cbs, sc, is_orig, len);
}

static void smtp_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct smtp_conn *sc = conn;
    struct smtp_plugin *ps = plugin;

    sc->c = c;
    smtp_parse_done(&sc->parser, &smtp_cbs, sc);
    if (sc->rec.open && sc->rec.has_client_activity) {
        smtp_rec_write(sc); /* Zeek's finalize_smtp */
    }
    smtp_rec_free(ps, &sc->rec);
    smtp_str_free(ps, &sc->helo);
}

/* ---- init and fini ------------------------------------------------------ */

static void smtp_fini(void *state)
{
    struct smtp_plugin *ps = state;

    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int smtp_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    struct smtp_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->handoff = SHOAL_HAS(host->analyzer, expect_conn);
    if (config != NULL) {
        ps->cfg = *(const struct smtp_config *)config;
    } else {
        ps->cfg.max_line_length = 4096;
        ps->cfg.max_header_length = 8192;
        ps->cfg.max_pending_commands = 1000;
        ps->cfg.max_addresses = 1000;
        ps->cfg.max_path_length = 1000;
        ps->cfg.max_invalid_transactions = 25;
    }
    ps->lim.max_line = (uint32_t)ps->cfg.max_line_length;
    ps->lim.max_header = (uint32_t)ps->cfg.max_header_length;
    ps->lim.max_pending = (uint32_t)ps->cfg.max_pending_commands;
#define SMTP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    SMTP_COUNTERS(SMTP_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "smtp", smtp_fields, SMTP_NCOLS);
    if (ps->stream == NULL) {
        host->free(self, ps);
        return -EINVAL; /* the core logged why */
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

/* Zeek's SMTP ports. */
static const struct shoal_port smtp_ports[] = {
    {SHOAL_PROTO_TCP, 25},
    {SHOAL_PROTO_TCP, 587},
    {0, 0},
};

/* Zeek's dpd.sig for SMTP asks for a HELO/EHLO from the client and a 220
 * greeting from the server; a greeting alone (FTP servers send one too) is
 * not enough, so only the client's side is matched here. */
static const struct shoal_signature smtp_signatures[] = {
    {SHOAL_PROTO_TCP, SHOAL_SIG_ORIG, "^[[:space:]]*([hH][eE]|[eE][hH])[lL][oO][[:space:]]"},
    {0, 0, NULL},
};

static const struct shoal_analyzer_ops smtp_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "smtp",
    .ports = smtp_ports,
    .signatures = smtp_signatures,
    .conn_size = sizeof(struct smtp_conn),
    .conn_new = smtp_conn_new,
    .data = smtp_data,
    .gap = smtp_gap,
    .conn_done = smtp_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin smtp_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "smtp",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "SMTP analyzer writing Zeek's smtp.log",
    .config = smtp_cfg_keys,
    .config_size = sizeof(struct smtp_config),
    .init = smtp_init,
    .fini = smtp_fini,
    .ops = &smtp_ops,
};
