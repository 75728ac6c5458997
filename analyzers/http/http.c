/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The http analyzer plugin: descriptor, host glue and the http.log model.
 * http_parse.c turns the byte streams into Zeek's HTTP events; this file
 * plays the part of Zeek's base/protocols/http scripts on top of them: it
 * keeps the table of pending request/response records (trans_depth,
 * current_request/current_response, 1xx interim replies), fills the fields
 * from requests, replies and headers, gives every body a file id and a
 * sniffed MIME type, and writes one http.log record per pair when the reply
 * ends, flushing what is left when the connection goes away.  Records are
 * allocated per transaction through the host; nothing is allocated per
 * packet.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <shoal/shoal.h>

#include "http_parse.h"

#define HTTP_PENDING_MAX 64      /* records waiting for their reply */
#define HTTP_SNIFF_MAX 1024      /* body bytes kept to sniff the MIME type */
#define HTTP_FILES_MAX 4         /* files per direction and record */
#define HTTP_PROXIED_MAX 8       /* proxy headers kept per record */
#define HTTP_AUTH_MAX 1024       /* decoded bytes of Basic credentials */
#define HTTP_AUTH_QUOTE_MAX 1000 /* bytes of an undecodable Authorization quoted */
#define HTTP_METHOD_QUOTE_MAX 63 /* bytes of an unknown method quoted in its weird */

/* ---- settings: group plugins.http of shoal.cfg -------------------------- */

struct http_config {
    bool capture_password;
};

static const struct shoal_cfg_key http_cfg_keys[] = {
    {"capture_password", SHOAL_CFG_BOOL, NULL, false,
     "log Basic-auth passwords in http.log (Zeek's HTTP::default_capture_password)",
     offsetof(struct http_config, capture_password), NULL, NULL},
    {0},
};

/* ---- counters: the node reports them as http.NAME ----------------------- */

#define HTTP_COUNTERS(X)                                                                           \
    X(requests, "requests seen")                                                                   \
    X(replies, "replies seen")                                                                     \
    X(records, "http.log records written")                                                         \
    X(files, "message bodies (files) seen")                                                        \
    X(gaps, "content gaps")                                                                        \
    X(weirds, "weirds reported")

struct http_counters {
#define HTTP_COUNTER_FIELD(name, help) uint64_t *name;
    HTTP_COUNTERS(HTTP_COUNTER_FIELD)
};

/* ---- http.log ----------------------------------------------------------- */

/* http.log's columns, as Zeek writes them (base/protocols/http/main.zeek). */
#define HTTP_COLUMNS(X)                                                                            \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(TRANS_DEPTH, "trans_depth", SHOAL_T_COUNT, 0)                                                \
    X(METHOD, "method", SHOAL_T_STRING, 0)                                                         \
    X(HOST, "host", SHOAL_T_STRING, 0)                                                             \
    X(URI, "uri", SHOAL_T_STRING, 0)                                                               \
    X(REFERRER, "referrer", SHOAL_T_STRING, 0)                                                     \
    X(VERSION, "version", SHOAL_T_STRING, 0)                                                       \
    X(USER_AGENT, "user_agent", SHOAL_T_STRING, 0)                                                 \
    X(ORIGIN, "origin", SHOAL_T_STRING, 0)                                                         \
    X(REQUEST_BODY_LEN, "request_body_len", SHOAL_T_COUNT, 0)                                      \
    X(RESPONSE_BODY_LEN, "response_body_len", SHOAL_T_COUNT, 0)                                    \
    X(STATUS_CODE, "status_code", SHOAL_T_COUNT, 0)                                                \
    X(STATUS_MSG, "status_msg", SHOAL_T_STRING, 0)                                                 \
    X(INFO_CODE, "info_code", SHOAL_T_COUNT, 0)                                                    \
    X(INFO_MSG, "info_msg", SHOAL_T_STRING, 0)                                                     \
    X(TAGS, "tags", SHOAL_T_SET, SHOAL_T_ENUM)                                                     \
    X(USERNAME, "username", SHOAL_T_STRING, 0)                                                     \
    X(PASSWORD, "password", SHOAL_T_STRING, 0)                                                     \
    X(PROXIED, "proxied", SHOAL_T_SET, SHOAL_T_STRING)                                             \
    X(ORIG_FUIDS, "orig_fuids", SHOAL_T_VECTOR, SHOAL_T_STRING)                                    \
    X(ORIG_FILENAMES, "orig_filenames", SHOAL_T_VECTOR, SHOAL_T_STRING)                            \
    X(ORIG_MIME_TYPES, "orig_mime_types", SHOAL_T_VECTOR, SHOAL_T_STRING)                          \
    X(RESP_FUIDS, "resp_fuids", SHOAL_T_VECTOR, SHOAL_T_STRING)                                    \
    X(RESP_FILENAMES, "resp_filenames", SHOAL_T_VECTOR, SHOAL_T_STRING)                            \
    X(RESP_MIME_TYPES, "resp_mime_types", SHOAL_T_VECTOR, SHOAL_T_STRING)

#define HTTP_COL(id, name, type, elem) HTTP_COL_##id,
enum http_col { HTTP_COLUMNS(HTTP_COL) HTTP_NCOLS };
static const struct shoal_field http_fields[] = {HTTP_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

/* The plugin's state: what init was given and what it made. */
struct http_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct http_config cfg;
    struct http_counters n;
    struct shoal_stream *stream;
    bool handoff; /* the core takes SHOAL_AN_HANDOFF (2.3) */
};

/* A string owned by a record. */
struct http_str {
    char *p;
    size_t n;
};

/* One http.log record under construction (Zeek's HTTP::Info). */
struct http_txn {
    uint64_t index; /* key in the pending table */
    uint64_t trans_depth;
    double ts;
    struct http_str method;
    struct http_str host;
    struct http_str uri;
    struct http_str referrer;
    struct http_str version;
    struct http_str user_agent;
    struct http_str origin;
    struct http_str status_msg;
    struct http_str info_msg;
    struct http_str username;
    struct http_str password;
    bool has_status;
    bool has_info;
    uint64_t status_code;
    uint64_t info_code;
    uint64_t req_body_len;
    uint64_t resp_body_len;
    struct http_str proxied[HTTP_PROXIED_MAX];
    size_t nproxied;
    char fuids[2][HTTP_FILES_MAX][SHOAL_FUID_SIZE];
    size_t nfuids[2];
    struct http_str filenames[2][HTTP_FILES_MAX];
    size_t nfilenames[2];
    const char *mimes[2][HTTP_FILES_MAX];
    size_t nmimes[2];
};

/* The body of the current message of one direction (Zeek's file). */
struct http_file {
    bool open;
    bool sniffed;
    uint64_t owner;           /* trans_depth of the record the file belongs to */
    struct http_str filename; /* from Content-Disposition of this message */
    size_t sniff_len;
    uint8_t sniff[HTTP_SNIFF_MAX];
};

/* Per-connection state: the block of conn_size bytes the core zeroes. */
struct http_conn {
    struct http_parser parser;
    struct http_plugin *ps;
    struct shoal_conn *c; /* valid only during a callback */
    struct http_txn *pending[HTTP_PENDING_MAX];
    size_t npending;
    uint64_t current_request;
    uint64_t current_response;
    uint64_t trans_depth;
    uint64_t cur_http; /* trans_depth of Zeek's c$http, 0 = none */
    bool confirmed;    /* the service was confirmed on this connection */
    struct http_file file[2];
};

/* ---- tables ------------------------------------------------------------- */

/* Headers that tell a request went through a proxy (HTTP::proxy_headers). */
static const char *const http_proxy_headers[] = {
    "FORWARDED", "X-FORWARDED-FOR",  "X-FORWARDED-FROM", "CLIENT-IP",
    "VIA",       "XROXY-CONNECTION", "PROXY-CONNECTION", NULL,
};

/* Methods that do not give unknown_HTTP_method (HTTP::http_methods). */
static const char *const http_methods[] = {
    "GET",     "POST",     "HEAD",      "OPTIONS",   "PUT",   "DELETE", "TRACE",
    "CONNECT", "PROPFIND", "PROPPATCH", "MKCOL",     "COPY",  "MOVE",   "LOCK",
    "UNLOCK",  "POLL",     "REPORT",    "SUBSCRIBE", "BMOVE", "SEARCH", NULL,
};

/* ---- strings and records ------------------------------------------------ */

/* Set *s to a copy of p[0..n).  Returns 0, or -ENOMEM (s unchanged). */
static int http_str_set(struct http_plugin *ps, struct http_str *s, const char *p, size_t n)
{
    char *np = ps->host->alloc(ps->self, n + 1);
    if (np == NULL) {
        return -ENOMEM;
    }
    memcpy(np, p, n);
    ps->host->free(ps->self, s->p);
    s->p = np;
    s->n = n;
    return 0;
}

static void http_str_free(struct http_plugin *ps, struct http_str *s)
{
    ps->host->free(ps->self, s->p);
    s->p = NULL;
    s->n = 0;
}

static struct shoal_value http_v_str(const struct http_str *s)
{
    return shoal_v_strn(s->p, s->n);
}

static void http_txn_free(struct http_plugin *ps, struct http_txn *t)
{
    struct http_str *strs[] = {&t->method,   &t->host,       &t->uri,     &t->referrer,
                               &t->version,  &t->user_agent, &t->origin,  &t->status_msg,
                               &t->info_msg, &t->username,   &t->password};
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        http_str_free(ps, strs[i]);
    }
    for (size_t i = 0; i < t->nproxied; i++) {
        http_str_free(ps, &t->proxied[i]);
    }
    for (int d = 0; d < 2; d++) {
        for (size_t i = 0; i < t->nfilenames[d]; i++) {
            http_str_free(ps, &t->filenames[d][i]);
        }
    }
    ps->host->free(ps->self, t);
}

/* The values of one direction's files: fuids, file names, MIME types. */
struct http_file_values {
    struct shoal_value fuids[HTTP_FILES_MAX];
    struct shoal_value names[HTTP_FILES_MAX];
    struct shoal_value mimes[HTTP_FILES_MAX];
};

static void http_files_put(const struct http_txn *t, bool is_orig, struct http_file_values *f,
                           struct shoal_value *fuids, struct shoal_value *names,
                           struct shoal_value *mimes)
{
    for (size_t i = 0; i < t->nfuids[is_orig]; i++) {
        f->fuids[i] = shoal_v_str(t->fuids[is_orig][i]);
    }
    for (size_t i = 0; i < t->nfilenames[is_orig]; i++) {
        f->names[i] = http_v_str(&t->filenames[is_orig][i]);
    }
    for (size_t i = 0; i < t->nmimes[is_orig]; i++) {
        f->mimes[i] = shoal_v_str(t->mimes[is_orig][i]);
    }
    if (t->nfuids[is_orig] > 0) {
        *fuids = shoal_v_vec(f->fuids, t->nfuids[is_orig]);
    }
    if (t->nfilenames[is_orig] > 0) {
        *names = shoal_v_vec(f->names, t->nfilenames[is_orig]);
    }
    if (t->nmimes[is_orig] > 0) {
        *mimes = shoal_v_vec(f->mimes, t->nmimes[is_orig]);
    }
}

/* Write one record to http.log. */
static void http_txn_write(struct http_conn *hc, const struct http_txn *t)
{
    struct http_plugin *ps = hc->ps;
    struct shoal_value v[HTTP_NCOLS] = {0};
    struct shoal_value proxied[HTTP_PROXIED_MAX];
    struct http_file_values orig, resp;
    char uid[SHOAL_UID_SIZE];

    if (ps->stream == NULL) {
        return;
    }
    v[HTTP_COL_TS] = shoal_v_double(t->ts);
    v[HTTP_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, hc->c, uid));
    shoal_v_conn_id(&v[HTTP_COL_ID_ORIG_H], ps->an->conn_id(ps->self, hc->c));
    v[HTTP_COL_TRANS_DEPTH] = shoal_v_count(t->trans_depth);
    v[HTTP_COL_METHOD] = http_v_str(&t->method);
    v[HTTP_COL_HOST] = http_v_str(&t->host);
    v[HTTP_COL_URI] = http_v_str(&t->uri);
    v[HTTP_COL_REFERRER] = http_v_str(&t->referrer);
    v[HTTP_COL_VERSION] = http_v_str(&t->version);
    v[HTTP_COL_USER_AGENT] = http_v_str(&t->user_agent);
    v[HTTP_COL_ORIGIN] = http_v_str(&t->origin);
    v[HTTP_COL_REQUEST_BODY_LEN] = shoal_v_count(t->req_body_len);
    v[HTTP_COL_RESPONSE_BODY_LEN] = shoal_v_count(t->resp_body_len);
    if (t->has_status) {
        v[HTTP_COL_STATUS_CODE] = shoal_v_count(t->status_code);
    }
    v[HTTP_COL_STATUS_MSG] = http_v_str(&t->status_msg);
    if (t->has_info) {
        v[HTTP_COL_INFO_CODE] = shoal_v_count(t->info_code);
    }
    v[HTTP_COL_INFO_MSG] = http_v_str(&t->info_msg);
    v[HTTP_COL_TAGS] = shoal_v_vec(NULL, 0); /* always the empty set */
    v[HTTP_COL_USERNAME] = http_v_str(&t->username);
    v[HTTP_COL_PASSWORD] = http_v_str(&t->password);
    for (size_t i = 0; i < t->nproxied; i++) {
        proxied[i] = http_v_str(&t->proxied[i]);
    }
    if (t->nproxied > 0) {
        v[HTTP_COL_PROXIED] = shoal_v_vec(proxied, t->nproxied);
    }
    http_files_put(t, true, &orig, &v[HTTP_COL_ORIG_FUIDS], &v[HTTP_COL_ORIG_FILENAMES],
                   &v[HTTP_COL_ORIG_MIME_TYPES]);
    http_files_put(t, false, &resp, &v[HTTP_COL_RESP_FUIDS], &v[HTTP_COL_RESP_FILENAMES],
                   &v[HTTP_COL_RESP_MIME_TYPES]);
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

static struct http_txn *http_find(struct http_conn *hc, uint64_t index)
{
    for (size_t i = 0; i < hc->npending; i++) {
        if (hc->pending[i]->index == index) {
            return hc->pending[i];
        }
    }
    return NULL;
}

static struct http_txn *http_find_depth(struct http_conn *hc, uint64_t depth)
{
    for (size_t i = 0; i < hc->npending; i++) {
        if (hc->pending[i]->trans_depth == depth) {
            return hc->pending[i];
        }
    }
    return NULL;
}

static void http_remove(struct http_conn *hc, size_t i)
{
    memmove(&hc->pending[i], &hc->pending[i + 1], (hc->npending - i - 1) * sizeof(hc->pending[0]));
    hc->npending--;
}

/* Zeek's set_state: the record of the current request or response,
 * created on first use.  Returns NULL only when memory runs out. */
static struct http_txn *http_set_state(struct http_conn *hc, bool is_orig)
{
    struct http_plugin *ps = hc->ps;
    uint64_t index = is_orig ? hc->current_request : hc->current_response;
    struct http_txn *t = http_find(hc, index);

    if (t == NULL) {
        if (hc->npending == HTTP_PENDING_MAX) {
            /* Bounded: log the oldest as it stands. */
            struct http_txn *old = hc->pending[0];
            if (old->index != 0) {
                http_txn_write(hc, old);
            }
            http_remove(hc, 0);
            http_txn_free(ps, old);
        }
        t = ps->host->alloc(ps->self, sizeof(*t));
        if (t == NULL) {
            return NULL;
        }
        t->index = index;
        t->ts = ps->host->now(ps->self);
        t->trans_depth = ++hc->trans_depth;
        hc->pending[hc->npending++] = t;
    }
    hc->cur_http = t->trans_depth;
    return t;
}

/* ---- files -------------------------------------------------------------- */

/* Sniff the body's type once and attach it to the owning record. */
static void http_file_sniff(struct http_conn *hc, bool is_orig)
{
    struct http_file *f = &hc->file[is_orig];
    struct http_txn *t;
    const char *mime;

    if (f->sniffed) {
        return;
    }
    f->sniffed = true;
    mime = hc->ps->an->mime_sniff(hc->ps->self, f->sniff, f->sniff_len);
    t = http_find_depth(hc, f->owner);
    if (mime != NULL && t != NULL && t->nmimes[is_orig] < HTTP_FILES_MAX) {
        t->mimes[is_orig][t->nmimes[is_orig]++] = mime;
    }
}

static void http_file_close(struct http_conn *hc, bool is_orig)
{
    struct http_file *f = &hc->file[is_orig];

    if (f->open) {
        http_file_sniff(hc, is_orig);
        f->open = false;
    }
    http_str_free(hc->ps, &f->filename);
}

static void http_file_open(struct http_conn *hc, bool is_orig)
{
    struct http_plugin *ps = hc->ps;
    struct http_file *f = &hc->file[is_orig];
    struct http_txn *t = http_find_depth(hc, hc->cur_http);

    f->open = true;
    f->sniffed = false;
    f->sniff_len = 0;
    f->owner = hc->cur_http;
    (*ps->n.files)++;
    if (t == NULL) {
        return;
    }
    if (t->nfuids[is_orig] < HTTP_FILES_MAX) {
        ps->an->file_id(ps->self, t->fuids[is_orig][t->nfuids[is_orig]++]);
    }
    if (f->filename.p != NULL && t->nfilenames[is_orig] < HTTP_FILES_MAX) {
        struct http_str *s = &t->filenames[is_orig][t->nfilenames[is_orig]++];
        http_str_set(ps, s, f->filename.p, f->filename.n);
    }
}

/* Zeek's extract_filename_from_content_disposition (without RFC 2231). */
static void http_content_disposition(struct http_conn *hc, bool is_orig, const char *v, size_t n)
{
    const char *name = NULL;
    const char *s;
    const char *e = v + n;

    for (const char *p = v; p + 4 <= e; p++) {
        if (strncasecmp(p, "name", 4) == 0) {
            const char *q = p + 4;
            while (q < e && (*q == ' ' || *q == '\t')) {
                q++;
            }
            if (q < e && *q == '*') {
                q++;
            }
            if (q < e && *q == '=') {
                name = q + 1;
            }
        }
    }
    if (name == NULL) {
        return;
    }
    s = name;
    while (s < e && (*s == ' ' || *s == '\t')) {
        s++;
    }
    if (s < e && *s == '"') {
        const char *q = ++s;
        while (q < e && *q != '"') {
            q++;
        }
        e = q;
    }
    http_str_set(hc->ps, &hc->file[is_orig].filename, s, (size_t)(e - s));
}

/* ---- parser callbacks (Zeek's http scripts) ----------------------------- */

static void http_cb_weird(void *ud, const char *name, const char *addl)
{
    struct http_conn *hc = ud;
    (*hc->ps->n.weirds)++;
    hc->ps->an->weird(hc->ps->self, hc->c, name, addl, NULL);
}

static void http_cb_confirm(void *ud)
{
    struct http_conn *hc = ud;

    if (!hc->confirmed) {
        hc->confirmed = true;
        hc->ps->an->confirm(hc->ps->self, hc->c);
    }
}

static void http_cb_request(void *ud, const char *method, size_t mlen, const char *uri, size_t ulen,
                            const char *version)
{
    struct http_conn *hc = ud;
    struct http_plugin *ps = hc->ps;
    struct http_txn *t;
    bool known = false;

    (void)version;
    (*ps->n.requests)++;
    hc->current_request++;
    http_str_free(ps, &hc->file[1].filename);
    t = http_set_state(hc, true);
    if (t != NULL) {
        http_str_set(ps, &t->method, method, mlen);
        http_str_set(ps, &t->uri, uri, ulen);
    }
    for (size_t i = 0; http_methods[i] != NULL; i++) {
        if (strlen(http_methods[i]) == mlen && memcmp(http_methods[i], method, mlen) == 0) {
            known = true;
            break;
        }
    }
    if (!known) {
        char m[HTTP_METHOD_QUOTE_MAX + 1];
        snprintf(m, sizeof(m), "%.*s",
                 (int)(mlen < HTTP_METHOD_QUOTE_MAX ? mlen : HTTP_METHOD_QUOTE_MAX), method);
        (*ps->n.weirds)++;
        ps->an->weird(ps->self, hc->c, "unknown_HTTP_method", m, "");
    }
}

static void http_cb_reply(void *ud, const char *version, unsigned code, const char *reason,
                          size_t rlen)
{
    struct http_conn *hc = ud;
    struct http_plugin *ps = hc->ps;
    struct http_txn *cur = http_find(hc, hc->current_response);
    struct http_txn *t;

    (*ps->n.replies)++;
    if (cur == NULL || (cur->has_status && !http_status_is_info(cur->status_code))) {
        hc->current_response++;
    }
    http_str_free(ps, &hc->file[0].filename);
    t = http_set_state(hc, false);
    if (t == NULL) {
        return;
    }
    t->has_status = true;
    t->status_code = code;
    http_str_set(ps, &t->status_msg, reason, rlen);
    http_str_set(ps, &t->version, version, strlen(version));
    if (http_status_is_info(code)) {
        t->has_info = true;
        t->info_code = code;
        http_str_set(ps, &t->info_msg, reason, rlen);
    }
}

static bool http_name_is(const char *name, size_t nlen, const char *upper)
{
    return strlen(upper) == nlen && strncasecmp(name, upper, nlen) == 0;
}

/* Basic auth: "Basic " then base64 of user:password. */
static void http_basic_auth(struct http_conn *hc, struct http_txn *t, const char *v, size_t n)
{
    struct http_plugin *ps = hc->ps;
    char dec[HTTP_AUTH_MAX];
    const char *b64;
    size_t blen;
    size_t dlen;

    if (n < 6 || strncasecmp(v, "basic ", 6) != 0) {
        return;
    }
    b64 = v + 5;
    while (b64 < v + n && (*b64 == ' ' || *b64 == '\t')) {
        b64++;
    }
    blen = (size_t)(v + n - b64);
    if (blen > (sizeof(dec) - 3) / 3 * 4) {
        blen = (sizeof(dec) - 3) / 3 * 4;
    }
    dlen = ps->an->base64_decode(ps->self, b64, blen, dec);
    const char *colon = memchr(dec, ':', dlen);
    if (colon != NULL) {
        const char *pw = colon + 1;
        const char *pend = memchr(pw, ':', (size_t)(dec + dlen - pw));
        if (pend == NULL) {
            pend = dec + dlen;
        }
        http_str_set(ps, &t->username, dec, (size_t)(colon - dec));
        if (hc->ps->cfg.capture_password) {
            http_str_set(ps, &t->password, pw, (size_t)(pend - pw));
        }
    } else {
        char buf[HTTP_AUTH_QUOTE_MAX + 100];
        int k = snprintf(buf, sizeof(buf), "<problem-decoding> (%.*s)",
                         (int)(n < HTTP_AUTH_QUOTE_MAX ? n : HTTP_AUTH_QUOTE_MAX), v);
        http_str_set(ps, &t->username, buf, (size_t)k);
        if (hc->ps->cfg.capture_password) {
            http_str_set(ps, &t->password, dec, dlen);
        }
    }
}

static void http_cb_header(void *ud, bool is_orig, const char *name, size_t nlen, const char *value,
                           size_t vlen)
{
    struct http_conn *hc = ud;
    struct http_plugin *ps = hc->ps;
    struct http_txn *t = http_set_state(hc, is_orig);

    if (http_name_is(name, nlen, "CONTENT-DISPOSITION")) {
        http_content_disposition(hc, is_orig, value, vlen);
    }
    if (t == NULL || !is_orig) {
        return;
    }
    if (http_name_is(name, nlen, "REFERER")) {
        http_str_set(ps, &t->referrer, value, vlen);
    } else if (http_name_is(name, nlen, "HOST")) {
        http_str_set(ps, &t->host, value, vlen);
    } else if (http_name_is(name, nlen, "ORIGIN")) {
        http_str_set(ps, &t->origin, value, vlen);
    } else if (http_name_is(name, nlen, "USER-AGENT")) {
        http_str_set(ps, &t->user_agent, value, vlen);
    } else if (http_name_is(name, nlen, "AUTHORIZATION") ||
               http_name_is(name, nlen, "PROXY-AUTHORIZATION")) {
        http_basic_auth(hc, t, value, vlen);
    } else {
        for (size_t i = 0; http_proxy_headers[i] != NULL; i++) {
            if (http_name_is(name, nlen, http_proxy_headers[i])) {
                char buf[HTTP_LINE_MAX + 64];
                int k = snprintf(buf, sizeof(buf), "%s -> %.*s", http_proxy_headers[i], (int)vlen,
                                 value);
                size_t len = (size_t)k < sizeof(buf) ? (size_t)k : sizeof(buf) - 1;
                bool dup = false;
                for (size_t j = 0; j < t->nproxied; j++) {
                    if (t->proxied[j].n == len && memcmp(t->proxied[j].p, buf, len) == 0) {
                        dup = true;
                    }
                }
                if (!dup && t->nproxied < HTTP_PROXIED_MAX &&
                    http_str_set(ps, &t->proxied[t->nproxied], buf, len) == 0) {
                    t->nproxied++;
                }
                break;
            }
        }
    }
}

static void http_cb_body(void *ud, bool is_orig, const uint8_t *data, size_t len)
{
    struct http_conn *hc = ud;
    struct http_file *f = &hc->file[is_orig];

    if (!f->open) {
        http_file_open(hc, is_orig);
    }
    if (!f->sniffed && f->sniff_len < HTTP_SNIFF_MAX) {
        size_t n = HTTP_SNIFF_MAX - f->sniff_len;
        if (n > len) {
            n = len;
        }
        memcpy(f->sniff + f->sniff_len, data, n);
        f->sniff_len += n;
        if (f->sniff_len == HTTP_SNIFF_MAX) {
            http_file_sniff(hc, is_orig);
        }
    }
}

static void http_cb_message_done(void *ud, bool is_orig, uint64_t body_len, bool interrupted)
{
    struct http_conn *hc = ud;
    struct http_plugin *ps = hc->ps;
    struct http_txn *t;

    (void)interrupted;
    http_file_close(hc, is_orig);
    t = http_set_state(hc, is_orig);
    if (t == NULL) {
        return;
    }
    if (is_orig) {
        t->req_body_len = body_len;
        return;
    }
    t->resp_body_len = body_len;
    if (t->has_status && http_status_is_info(t->status_code)) {
        return;
    }
    http_txn_write(hc, t);
    for (size_t i = 0; i < hc->npending; i++) {
        if (hc->pending[i] == t) {
            http_remove(hc, i);
            break;
        }
    }
    http_txn_free(ps, t);
}

/* zlib's allocations for the connection `ud`, through the host. */
static void *http_cb_alloc(void *ud, size_t n)
{
    struct http_conn *hc = ud;

    return hc->ps->host->alloc(hc->ps->self, n);
}

static void http_cb_free(void *ud, void *p)
{
    struct http_conn *hc = ud;

    hc->ps->host->free(hc->ps->self, p);
}

static const struct http_parse_cb http_cbs = {
    .request = http_cb_request,
    .reply = http_cb_reply,
    .header = http_cb_header,
    .body = http_cb_body,
    .message_done = http_cb_message_done,
    .weird = http_cb_weird,
    .confirm = http_cb_confirm,
    .alloc = http_cb_alloc,
    .free = http_cb_free,
};

/* ---- analyzer ops ------------------------------------------------------- */

static int http_conn_new(void *plugin, struct shoal_conn *c, void *conn)
{
    struct http_conn *hc = conn;

    http_parser_init(&hc->parser);
    hc->ps = plugin;
    hc->c = c;
    return SHOAL_AN_OK;
}

static int http_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                     const uint8_t *data, size_t len)
{
    struct http_conn *hc = conn;

    hc->c = c;
    if (!http_parse_data(&hc->parser, &http_cbs, hc, is_orig, data, len)) {
        /* CONNECT tunnel or upgrade: the rest is not HTTP; a core of 2.3
         * or later looks for what it is (Zeek's tunnel detection). */
        return hc->ps->handoff ? SHOAL_AN_HANDOFF : SHOAL_AN_DETACH;
    }
    return SHOAL_AN_OK;
}

static void http_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct http_conn *hc = conn;

    hc->c = c;
    (*hc->ps->n.gaps)++;
    http_parse_gap(&hc->parser, &http_cbs, hc, is_orig, len);
}

static void http_eof(void *plugin, struct shoal_conn *c, void *conn, bool is_orig)
{
    struct http_conn *hc = conn;

    hc->c = c;
    http_parse_eof(&hc->parser, &http_cbs, hc, is_orig);
}

static void http_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct http_conn *hc = conn;
    struct http_plugin *ps = hc->ps;

    hc->c = c;
    http_parse_done(&hc->parser, &http_cbs, hc);
    http_file_close(hc, true);
    http_file_close(hc, false);
    /* Zeek's finalize_http: flush every pending record but index 0. */
    for (size_t i = 0; i < hc->npending; i++) {
        if (hc->pending[i]->index != 0) {
            http_txn_write(hc, hc->pending[i]);
        }
        http_txn_free(ps, hc->pending[i]);
    }
    hc->npending = 0;
}

/* ---- init and fini ------------------------------------------------------ */

static void http_fini(void *state)
{
    struct http_plugin *ps = state;

    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int http_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                     void **state)
{
    struct http_plugin *ps;

    if (!SHOAL_HAS(host->analyzer, base64_decode)) {
        host->logf(self, SHOAL_LOG_ERROR, "the core is too old: it lacks ABI %d.1's file helpers",
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
    ps->handoff = SHOAL_HAS(host->analyzer, expect_conn);
    if (config != NULL) {
        ps->cfg = *(const struct http_config *)config;
    }
#define HTTP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    HTTP_COUNTERS(HTTP_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "http", http_fields, HTTP_NCOLS);
    if (ps->stream == NULL) {
        host->free(self, ps);
        return -EINVAL; /* the core logged why */
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

/* Zeek's HTTP ports (likely_server_ports). */
static const struct shoal_port http_ports[] = {
    {SHOAL_PROTO_TCP, 80},   {SHOAL_PROTO_TCP, 81},   {SHOAL_PROTO_TCP, 631},
    {SHOAL_PROTO_TCP, 1080}, {SHOAL_PROTO_TCP, 3128}, {SHOAL_PROTO_TCP, 8000},
    {SHOAL_PROTO_TCP, 8080}, {SHOAL_PROTO_TCP, 8888}, {0, 0},
};

static const struct shoal_signature http_signatures[] = {
    {SHOAL_PROTO_TCP, SHOAL_SIG_ORIG,
     "^[[:space:]]*(GET|HEAD|POST|PUT|DELETE|OPTIONS|TRACE|CONNECT|PATCH|PROPFIND)[[:space:]]+"
     "[^[:space:]]"},
    {SHOAL_PROTO_TCP, SHOAL_SIG_RESP, "^HTTP/[0-9]\\.[0-9] [0-9][0-9][0-9]"},
    {0, 0, NULL},
};

static const struct shoal_analyzer_ops http_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "http",
    .ports = http_ports,
    .signatures = http_signatures,
    .conn_size = sizeof(struct http_conn),
    .conn_new = http_conn_new,
    .data = http_data,
    .gap = http_gap,
    .eof = http_eof,
    .conn_done = http_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin http_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "http",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "HTTP/0.9-1.1 analyzer writing Zeek's http.log",
    .config = http_cfg_keys,
    .config_size = sizeof(struct http_config),
    .init = http_init,
    .fini = http_fini,
    .ops = &http_ops,
};
