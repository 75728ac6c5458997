/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ftp analyzer plugin: descriptor, host glue, the ftp.log model and
 * the data channels.  ftp_parse.c splits the control channel into Zeek's
 * ftp_request and ftp_reply events; this file plays the part of Zeek's
 * base/protocols/ftp scripts on top of them: the session (user, password,
 * current directory), the pending commands matched to replies by Zeek's
 * scoring, one ftp.log record per command of FTP::logged_commands written
 * when the next command comes (or when several wait, or at the end), file
 * sizes from 150/213 replies, and the data channels announced by PORT,
 * EPRT, PASV and EPSV, which it asks the core to expect (service
 * "ftp-data").  An expected connection comes back to this plugin: it gives
 * the transfer a file id and sniffs its MIME type into the control
 * session's record, then leaves the connection.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <shoal/shoal.h>

#include "ftp_parse.h"
#include "ftp_util.h"

#define FTP_PATH_MAX 4096  /* bytes of the current directory and of a URL */
#define FTP_SNIFF_MAX 1024 /* bytes of a transfer kept to sniff its type */
#define FTP_DATA_SERVICE "ftp-data"

/* ---- settings: group plugins.ftp of shoal.cfg --------------------------- */

struct ftp_config {
    int64_t max_line_length;
    int64_t max_command_length;
    int64_t max_pending_commands;
    int64_t max_user_length;
    int64_t max_password_length;
    int64_t max_arg_length;
    int64_t max_reply_msg_length;
    double data_channel_timeout;
    bool capture_password;
};

static const struct shoal_cfg_key ftp_cfg_keys[] = {
    {"max_line_length", SHOAL_CFG_INT, "8192", false,
     "bytes of one control line kept per direction (contentline_size_exceeded beyond)",
     offsetof(struct ftp_config, max_line_length), "64", "1048576"},
    {"max_command_length", SHOAL_CFG_INT, "64", false,
     "longest command word (FTP_max_command_length_exceeded beyond)",
     offsetof(struct ftp_config, max_command_length), "3", "64"},
    {"max_pending_commands", SHOAL_CFG_INT, "20", false,
     "commands awaiting a reply (FTP_too_many_pending_commands beyond)",
     offsetof(struct ftp_config, max_pending_commands), "1", "1000"},
    {"max_user_length", SHOAL_CFG_INT, "128", false, "bytes of the user name logged",
     offsetof(struct ftp_config, max_user_length), "1", "65536"},
    {"max_password_length", SHOAL_CFG_INT, "128", false, "bytes of the password logged",
     offsetof(struct ftp_config, max_password_length), "1", "65536"},
    {"max_arg_length", SHOAL_CFG_INT, "4096", false, "bytes of a command's argument logged",
     offsetof(struct ftp_config, max_arg_length), "1", "1048576"},
    {"max_reply_msg_length", SHOAL_CFG_INT, "4096", false, "bytes of a reply's text logged",
     offsetof(struct ftp_config, max_reply_msg_length), "1", "1048576"},
    {"data_channel_timeout", SHOAL_CFG_DOUBLE, "300", false,
     "seconds a data channel announced by PORT/PASV/EPRT/EPSV is expected",
     offsetof(struct ftp_config, data_channel_timeout), "1", "86400"},
    {"capture_password", SHOAL_CFG_BOOL, NULL, false,
     "log passwords of non-anonymous users (Zeek's FTP::default_capture_password)",
     offsetof(struct ftp_config, capture_password), NULL, NULL},
    {0},
};

/* ---- counters ----------------------------------------------------------- */

#define FTP_COUNTERS(X)                                                                            \
    X(requests, "commands seen")                                                                   \
    X(replies, "reply lines seen")                                                                 \
    X(records, "ftp.log records written")                                                          \
    X(expected, "data channels expected")                                                          \
    X(data_conns, "data connections tied to a control session")                                    \
    X(weirds, "weirds reported")

struct ftp_counters {
#define FTP_COUNTER_FIELD(name, help) uint64_t *name;
    FTP_COUNTERS(FTP_COUNTER_FIELD)
};

/* ---- ftp.log ------------------------------------------------------------ */

/* ftp.log's columns, as Zeek writes them (base/protocols/ftp/info.zeek). */
#define FTP_COLUMNS(X)                                                                             \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(USER, "user", SHOAL_T_STRING, 0)                                                             \
    X(PASSWORD, "password", SHOAL_T_STRING, 0)                                                     \
    X(COMMAND, "command", SHOAL_T_STRING, 0)                                                       \
    X(ARG, "arg", SHOAL_T_STRING, 0)                                                               \
    X(MIME_TYPE, "mime_type", SHOAL_T_STRING, 0)                                                   \
    X(FILE_SIZE, "file_size", SHOAL_T_COUNT, 0)                                                    \
    X(REPLY_CODE, "reply_code", SHOAL_T_COUNT, 0)                                                  \
    X(REPLY_MSG, "reply_msg", SHOAL_T_STRING, 0)                                                   \
    X(DC_PASSIVE, "data_channel.passive", SHOAL_T_BOOL, 0)                                         \
    X(DC_ORIG_H, "data_channel.orig_h", SHOAL_T_ADDR, 0)                                           \
    X(DC_RESP_H, "data_channel.resp_h", SHOAL_T_ADDR, 0)                                           \
    X(DC_RESP_P, "data_channel.resp_p", SHOAL_T_PORT, 0)                                           \
    X(FUID, "fuid", SHOAL_T_STRING, 0)

#define FTP_COL(id, name, type, elem) FTP_COL_##id,
enum ftp_col { FTP_COLUMNS(FTP_COL) FTP_NCOLS };
static const struct shoal_field ftp_fields[] = {FTP_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

struct ftp_conn;

struct ftp_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct ftp_config cfg;
    struct ftp_counters n;
    struct shoal_stream *stream;
    bool can_expect;         /* the core has expect_conn (ABI 2.3) */
    uint64_t next_serial;    /* of control sessions: the cookies of their channels */
    struct ftp_conn *active; /* control sessions alive, linked by next */
};

struct ftp_str {
    char *p;
    size_t n;
};

/* A command awaiting (or matched to) its reply (Zeek's FTP::CmdArg). */
struct ftp_cmdarg {
    double ts;
    char cmd[FTP_CMD_MAX + 1];
    struct ftp_str arg;
    uint64_t seq;
    bool cwd_consumed;
    bool in_table;
};

struct ftp_channel {
    bool passive;
    struct shoal_addr orig_h, resp_h;
    uint16_t resp_p;
};

/* The control session (Zeek's c$ftp). */
struct ftp_session {
    bool open;
    struct ftp_str user, password, cwd, reply_msg;
    bool has_reply_code;
    unsigned reply_code;
    struct ftp_cmdarg *cmdarg; /* the command of the last reply */
    struct ftp_cmdarg **pending;
    uint32_t npending;
    uint64_t command_seq;
    const char *mime_type;
    bool has_file_size;
    uint64_t file_size;
    bool has_channel;
    struct ftp_channel channel;
    char fuid[SHOAL_FUID_SIZE];
};

/* Per-connection state: a control connection, or a data connection tied
 * to one by its cookie. */
struct ftp_conn {
    struct ftp_plugin *ps;
    struct shoal_conn *c; /* valid only during a callback */
    bool is_data;
    bool confirmed;
    /* control */
    struct ftp_parser parser;
    struct ftp_session s;
    uint64_t serial;
    struct ftp_conn *next, *prev;
    /* data */
    uint64_t owner; /* serial of the control session */
    bool file_seen;
    bool sniffed;
    uint8_t *sniff;
    uint32_t sniff_len;
};

/* Commands whose argument names a file (Zeek's FTP::file_cmds) and the
 * ones logged (FTP::logged_commands), and guest users. */
static const char *const ftp_file_cmds[] = {"APPE", "CWD",  "DELE", "MKD",  "RETR", "RMD",  "RNFR",
                                            "RNTO", "STOR", "STOU", "REST", "SIZE", "MDTM", NULL};
static const char *const ftp_logged_cmds[] = {"APPE", "DELE", "RETR", "STOR", "STOU", "ACCT",
                                              "PORT", "PASV", "EPRT", "EPSV", NULL};
static const char *const ftp_guest_ids[] = {"anonymous", "ftp", "ftpuser", "guest", NULL};

static bool ftp_in(const char *const *set, const char *s)
{
    for (size_t i = 0; set[i] != NULL; i++) {
        if (strcmp(set[i], s) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- strings ------------------------------------------------------------ */

static void ftp_str_set(struct ftp_plugin *ps, struct ftp_str *s, const char *p, size_t n)
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

static void ftp_str_free(struct ftp_plugin *ps, struct ftp_str *s)
{
    ps->host->free(ps->self, s->p);
    s->p = NULL;
    s->n = 0;
}

static void ftp_weird(struct ftp_conn *fc, const char *name, const char *addl, const char *source)
{
    (*fc->ps->n.weirds)++;
    fc->ps->an->weird(fc->ps->self, fc->c, name, addl, source);
}

static void ftp_weird_len(struct ftp_conn *fc, const char *name, size_t len)
{
    char addl[32];

    snprintf(addl, sizeof(addl), "%zu", len);
    ftp_weird(fc, name, addl, NULL);
}

/* ---- pending commands (utils-commands.zeek) ----------------------------- */

static void ftp_cmdarg_free(struct ftp_plugin *ps, struct ftp_cmdarg *ca)
{
    if (ca != NULL) {
        ftp_str_free(ps, &ca->arg);
        ps->host->free(ps->self, ca);
    }
}

/* Make `ca` the session's cmdarg, freeing the previous one if no table
 * holds it. */
static void ftp_set_cmdarg(struct ftp_conn *fc, struct ftp_cmdarg *ca)
{
    struct ftp_session *s = &fc->s;

    if (s->cmdarg != NULL && s->cmdarg != ca && !s->cmdarg->in_table) {
        ftp_cmdarg_free(fc->ps, s->cmdarg);
    }
    s->cmdarg = ca;
}

static struct ftp_cmdarg *ftp_cmdarg_new(struct ftp_conn *fc, const char *cmd, size_t clen,
                                         const char *arg, size_t alen)
{
    struct ftp_plugin *ps = fc->ps;
    struct ftp_cmdarg *ca = ps->host->alloc(ps->self, sizeof(*ca));

    if (ca == NULL) {
        return NULL;
    }
    ca->ts = ps->host->now(ps->self);
    clen = clen < FTP_CMD_MAX ? clen : FTP_CMD_MAX;
    memcpy(ca->cmd, cmd, clen);
    ca->cmd[clen] = '\0';
    ftp_str_set(ps, &ca->arg, arg, alen);
    if (ca->arg.p == NULL) {
        ftp_str_set(ps, &ca->arg, "", 0);
    }
    return ca;
}

static void ftp_add_pending(struct ftp_conn *fc, const char *cmd, size_t clen, const char *arg,
                            size_t alen)
{
    struct ftp_session *s = &fc->s;
    struct ftp_cmdarg *ca;

    if (s->pending == NULL) {
        s->pending = fc->ps->host->alloc(
            fc->ps->self, (size_t)(fc->ps->cfg.max_pending_commands + 1) * sizeof(*s->pending));
        if (s->pending == NULL) {
            return;
        }
    }
    ca = ftp_cmdarg_new(fc, cmd, clen, arg, alen);
    if (ca == NULL) {
        return;
    }
    ca->seq = ++s->command_seq;
    ca->in_table = true;
    s->pending[s->npending++] = ca;
}

/* Zeek's remove_pending_cmd: true when `ca` was in the table. */
static bool ftp_remove_pending(struct ftp_conn *fc, struct ftp_cmdarg *ca)
{
    struct ftp_session *s = &fc->s;

    for (uint32_t i = 0; ca != NULL && i < s->npending; i++) {
        if (s->pending[i] == ca) {
            memmove(&s->pending[i], &s->pending[i + 1], (s->npending - i - 1) * sizeof(ca));
            s->npending--;
            ca->in_table = false;
            if (ca != s->cmdarg) {
                ftp_cmdarg_free(fc->ps, ca);
            }
            return true;
        }
    }
    return false;
}

/* Zeek's cmd_reply_code: the replies each command may get. */
struct ftp_reply_codes {
    const char *cmd;
    unsigned codes[20];
};

static const struct ftp_reply_codes ftp_cmd_codes[] = {
    {"<init>", {120, 220, 421}},
    {"USER", {230, 331, 332, 421, 530, 500, 501}},
    {"PASS", {230, 202, 332, 421, 530, 500, 501, 503}},
    {"ACCT", {230, 202, 421, 530, 500, 501, 503}},
    {"CWD", {250, 421, 500, 501, 502, 530, 550}},
    {"CDUP", {200, 250, 421, 500, 501, 502, 530, 550}},
    {"SMNT", {202, 250, 421, 500, 501, 502, 530, 550}},
    {"REIN", {120, 220, 421, 500, 502}},
    {"QUIT", {221, 500}},
    {"PORT", {200, 421, 500, 501, 530}},
    {"PASV", {227, 421, 500, 501, 502, 530}},
    {"MODE", {200, 421, 500, 501, 502, 504, 530}},
    {"TYPE", {200, 421, 500, 501, 504, 530}},
    {"STRU", {200, 421, 500, 501, 504, 530}},
    {"ALLO", {200, 202, 421, 500, 501, 504, 530}},
    {"REST", {200, 350, 421, 500, 501, 502, 530}},
    {"STOR",
     {110, 125, 150, 226, 250, 421, 425, 426, 451, 551, 552, 532, 450, 452, 553, 500, 501, 530,
      550}},
    {"STOU",
     {110, 125, 150, 226, 250, 421, 425, 426, 451, 551, 552, 532, 450, 452, 553, 500, 501, 530,
      550}},
    {"RETR", {110, 125, 150, 226, 250, 421, 425, 426, 451, 450, 500, 501, 530, 550}},
    {"LIST", {125, 150, 226, 250, 421, 425, 426, 451, 450, 500, 501, 502, 530, 550}},
    {"NLST", {125, 150, 226, 250, 421, 425, 426, 451, 450, 500, 501, 502, 530, 550}},
    {"APPE",
     {125, 150, 226, 250, 421, 425, 426, 451, 551, 552, 532, 450, 550, 452, 553, 500, 501, 502,
      530}},
    {"RNFR", {350, 421, 450, 550, 500, 501, 502, 530}},
    {"RNTO", {250, 421, 532, 553, 500, 501, 502, 503, 530}},
    {"DELE", {250, 421, 450, 550, 500, 501, 502, 530}},
    {"RMD", {250, 421, 500, 501, 502, 530, 550}},
    {"MKD", {257, 421, 500, 501, 502, 530, 550}},
    {"PWD", {257, 421, 500, 501, 502, 550}},
    {"ABOR", {225, 226, 421, 500, 501, 502}},
    {"SYST", {215, 421, 500, 501, 502, 530}},
    {"STAT", {211, 212, 213, 421, 450, 500, 501, 502, 530}},
    {"HELP", {200, 211, 214, 421, 500, 501, 502}},
    {"SITE", {200, 202, 214, 500, 501, 502, 530}},
    {"NOOP", {200, 421, 500}},
    {"LPRT", {500, 501, 521}},
    {"FEAT", {211, 500, 502}},
    {"OPTS", {200, 451, 501}},
    {"EPSV", {229, 500, 501}},
    {"EPRT", {200, 500, 501, 522}},
    {"SIZE", {213, 500, 501, 550}},
    {"MDTM", {213, 500, 501, 550}},
    {"MLST", {150, 226, 250, 500, 501, 550}},
    {"MLSD", {150, 226, 250, 500, 501, 550}},
    {"CLNT", {200, 500}},
    {"MACB", {200, 500, 550}},
    {"<missing>", {0}},
};

static bool ftp_code_fits(const char *cmd, unsigned code)
{
    if (code == 0) {
        /* Zeek's "unexpected command-reply pair" entries */
        return strcmp(cmd, "<init>") == 0 || strcmp(cmd, "<missing>") == 0 ||
               strcmp(cmd, "QUIT") == 0;
    }
    for (size_t i = 0; i < sizeof(ftp_cmd_codes) / sizeof(ftp_cmd_codes[0]); i++) {
        const struct ftp_reply_codes *rc = &ftp_cmd_codes[i];
        if (strcmp(rc->cmd, cmd) != 0) {
            continue;
        }
        for (size_t k = 0; k < sizeof(rc->codes) / sizeof(rc->codes[0]) && rc->codes[k]; k++) {
            if (rc->codes[k] == code) {
                return true;
            }
        }
    }
    return false;
}

/* Zeek's strstr(big, little) > 0: little occurs in big (an empty little
 * always does, as with C's strstr). */
static bool ftp_contains(const char *big, size_t bn, const char *little, size_t ln)
{
    if (ln == 0) {
        return true;
    }
    if (ln > bn) {
        return false;
    }
    for (size_t i = 0; i + ln <= bn; i++) {
        if (memcmp(big + i, little, ln) == 0) {
            return true;
        }
    }
    return false;
}

/* Zeek's get_pending_cmd: the best command for a reply. */
static struct ftp_cmdarg *ftp_best_pending(struct ftp_conn *fc, unsigned code, const char *msg,
                                           size_t mlen)
{
    struct ftp_session *s = &fc->s;
    struct ftp_cmdarg *best = NULL;
    int best_score = -1;

    for (uint32_t i = 0; i < s->npending; i++) {
        struct ftp_cmdarg *ca = s->pending[i];
        int score = 0;
        if (code == 500 || ftp_code_fits(ca->cmd, code)) {
            score += 100;
        }
        if (ftp_contains(msg, mlen, ca->cmd, strlen(ca->cmd))) {
            score += 20;
        }
        if (ftp_contains(msg, mlen, ca->arg.p, ca->arg.n)) {
            score += 10;
        }
        if (score > best_score || (score == best_score && best != NULL && best->seq > ca->seq)) {
            best_score = score;
            best = ca;
        }
    }
    return best;
}

/* ---- the session and its records (main.zeek) ---------------------------- */

/* Zeek's set_ftp_session. */
static void ftp_session(struct ftp_conn *fc)
{
    if (fc->s.open) {
        return;
    }
    fc->s.open = true;
    ftp_str_set(fc->ps, &fc->s.cwd, ".", 1);
    ftp_add_pending(fc, "<init>", 6, "", 0);
}

/* Zeek's build_url_ftp of the session with argument `arg`. */
static size_t ftp_url(struct ftp_conn *fc, const struct ftp_str *arg, char *out, size_t outsz)
{
    const struct shoal_conn_id *id = fc->ps->an->conn_id(fc->ps->self, fc->c);
    char path[FTP_PATH_MAX];
    char host[64];
    const struct ftp_str *cwd = &fc->s.cwd;
    size_t plen =
        ftp_build_path(cwd->p != NULL ? cwd->p : "", cwd->n, arg->p, arg->n, path, sizeof(path));
    int k;

    if (shoal_addr_is_v4(&id->resp_h)) {
        inet_ntop(AF_INET, id->resp_h.b + 12, host, sizeof(host));
    } else {
        host[0] = '[';
        inet_ntop(AF_INET6, id->resp_h.b, host + 1, sizeof(host) - 2);
        strcat(host, "]");
    }
    k = snprintf(out, outsz, "ftp://%s%s%.*s", host, plen > 0 && path[0] == '/' ? "" : "/",
                 (int)plen, path);
    return k < 0 ? 0 : ((size_t)k < outsz ? (size_t)k : outsz - 1);
}

static void ftp_write(struct ftp_conn *fc, const struct ftp_cmdarg *ca, const char *arg,
                      size_t alen, size_t msglen)
{
    struct ftp_plugin *ps = fc->ps;
    const struct ftp_session *s = &fc->s;
    struct shoal_value v[FTP_NCOLS] = {0};
    char uid[SHOAL_UID_SIZE];

    v[FTP_COL_TS] = shoal_v_double(ca->ts);
    v[FTP_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, fc->c, uid));
    shoal_v_conn_id(&v[FTP_COL_ID_ORIG_H], ps->an->conn_id(ps->self, fc->c));
    v[FTP_COL_USER] = shoal_v_strn(s->user.p, s->user.n);
    v[FTP_COL_PASSWORD] = shoal_v_strn(s->password.p, s->password.n);
    v[FTP_COL_COMMAND] = shoal_v_str(ca->cmd);
    if (alen > 0) {
        v[FTP_COL_ARG] = shoal_v_strn(arg, alen);
    }
    v[FTP_COL_MIME_TYPE] = shoal_v_str(s->mime_type);
    if (s->has_file_size) {
        v[FTP_COL_FILE_SIZE] = shoal_v_count(s->file_size);
    }
    if (s->has_reply_code) {
        v[FTP_COL_REPLY_CODE] = shoal_v_count(s->reply_code);
    }
    v[FTP_COL_REPLY_MSG] = shoal_v_strn(s->reply_msg.p, msglen);
    if (s->has_channel) {
        v[FTP_COL_DC_PASSIVE] = shoal_v_bool(s->channel.passive);
        v[FTP_COL_DC_ORIG_H] = shoal_v_addr(&s->channel.orig_h);
        v[FTP_COL_DC_RESP_H] = shoal_v_addr(&s->channel.resp_h);
        v[FTP_COL_DC_RESP_P] = shoal_v_count(s->channel.resp_p);
    }
    if (s->fuid[0] != '\0') {
        v[FTP_COL_FUID] = shoal_v_str(s->fuid);
    }
    if (ps->stream != NULL && ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* Zeek's ftp_message: log the command of the session's cmdarg, then
 * forget what belongs to one transfer. */
static void ftp_message(struct ftp_conn *fc)
{
    struct ftp_plugin *ps = fc->ps;
    struct ftp_session *s = &fc->s;
    const struct ftp_cmdarg *ca = s->cmdarg;
    char url[FTP_PATH_MAX + 80];
    const char *arg;
    size_t alen;
    size_t msglen = s->reply_msg.n;

    if (!s->open || ca == NULL) {
        return;
    }
    arg = ca->arg.p;
    alen = ca->arg.n;
    if (ftp_in(ftp_file_cmds, ca->cmd)) {
        alen = ftp_url(fc, &ca->arg, url, sizeof(url));
        arg = url;
    }
    if ((int64_t)alen > ps->cfg.max_arg_length) {
        ftp_weird_len(fc, "FTP_arg_too_long", alen);
        alen = (size_t)ps->cfg.max_arg_length;
    }
    if (s->reply_msg.p != NULL && (int64_t)msglen > ps->cfg.max_reply_msg_length) {
        ftp_weird_len(fc, "FTP_reply_msg_too_long", msglen);
        msglen = (size_t)ps->cfg.max_reply_msg_length;
    }
    if (s->password.p != NULL && !ps->cfg.capture_password) {
        char user[16];
        size_t n = s->user.n < sizeof(user) - 1 ? s->user.n : sizeof(user) - 1;
        for (size_t i = 0; i < n; i++) {
            user[i] = (char)tolower((unsigned char)s->user.p[i]);
        }
        user[n] = '\0';
        if (s->user.p == NULL || s->user.n >= sizeof(user) - 1 || !ftp_in(ftp_guest_ids, user)) {
            ftp_str_set(ps, &s->password, "<hidden>", 8);
        }
    }
    if (ftp_in(ftp_logged_cmds, ca->cmd)) {
        ftp_write(fc, ca, arg, alen, msglen);
    }
    s->mime_type = NULL;
    s->has_file_size = false;
    s->has_channel = false;
    s->fuid[0] = '\0';
}

/* Zeek's add_expected_data_channel. */
static void ftp_expect(struct ftp_conn *fc, bool passive, const struct shoal_addr *orig_h,
                       const struct shoal_addr *resp_h, uint16_t resp_p)
{
    struct ftp_plugin *ps = fc->ps;
    struct ftp_session *s = &fc->s;

    s->has_channel = true;
    s->channel.passive = passive;
    s->channel.orig_h = *orig_h;
    s->channel.resp_h = *resp_h;
    s->channel.resp_p = resp_p;
    if (ps->can_expect &&
        ps->an->expect_conn(ps->self, orig_h, resp_h, resp_p, SHOAL_PROTO_TCP,
                            ps->cfg.data_channel_timeout, FTP_DATA_SERVICE, fc->serial) == 0) {
        (*ps->n.expected)++;
    }
}

/* ---- Zeek's ftp_request and ftp_reply handlers --------------------------- */

static void ftp_cb_request(void *ud, const char *cmd, size_t clen, const char *arg, size_t alen)
{
    struct ftp_conn *fc = ud;
    struct ftp_plugin *ps = fc->ps;
    struct ftp_session *s = &fc->s;
    const struct shoal_conn_id *id = ps->an->conn_id(ps->self, fc->c);

    (*ps->n.requests)++;
    if (!fc->confirmed) {
        fc->confirmed = true;
        ps->an->confirm(ps->self, fc->c);
    }
    if (s->open && s->cmdarg != NULL && s->has_reply_code && ftp_remove_pending(fc, s->cmdarg)) {
        ftp_message(fc);
    }
    ftp_session(fc);
    if ((int64_t)s->npending < ps->cfg.max_pending_commands) {
        ftp_add_pending(fc, cmd, clen, arg, alen);
    } else {
        ftp_weird_len(fc, "FTP_too_many_pending_commands", s->npending);
    }
    if (clen == 4 && memcmp(cmd, "USER", 4) == 0) {
        if ((int64_t)alen > ps->cfg.max_user_length) {
            ftp_weird_len(fc, "FTP_user_too_long", alen);
            alen = (size_t)ps->cfg.max_user_length;
        }
        ftp_str_set(ps, &s->user, arg, alen);
    } else if (clen == 4 && memcmp(cmd, "PASS", 4) == 0) {
        if ((int64_t)alen > ps->cfg.max_password_length) {
            ftp_weird_len(fc, "FTP_password_too_long", alen);
            alen = (size_t)ps->cfg.max_password_length;
        }
        ftp_str_set(ps, &s->password, arg, alen);
    } else if (clen == 4 && (memcmp(cmd, "PORT", 4) == 0 || memcmp(cmd, "EPRT", 4) == 0)) {
        struct ftp_port d = cmd[0] == 'P' ? ftp_parse_port(arg, alen) : ftp_parse_eprt(arg, alen);
        if (d.valid) {
            ftp_expect(fc, false, &id->resp_h, &d.h, d.p);
        }
    }
}

/* An inner line that looks like a reply: three digits (not 0..), a space,
 * ten printable characters (Zeek's /^[1-9][0-9]{2} [[:print:]]{10}/). */
static bool ftp_looks_like_reply(const char *m, size_t n)
{
    if (n < 14 || m[0] < '1' || m[0] > '9' || !isdigit((unsigned char)m[1]) ||
        !isdigit((unsigned char)m[2]) || m[3] != ' ') {
        return false;
    }
    for (size_t i = 4; i < 14; i++) {
        if (!isprint((unsigned char)m[i])) {
            return false;
        }
    }
    return true;
}

/* The current directory after a successful directory command. */
static void ftp_track_cwd(struct ftp_conn *fc, unsigned code, const char *msg, size_t mlen)
{
    struct ftp_session *s = &fc->s;
    struct ftp_cmdarg *ca = s->cmdarg;
    char path[FTP_PATH_MAX];
    size_t n;
    const char *cmd = ca->cmd;
    bool cwd = strcmp(cmd, "CWD") == 0 && code == 250;
    bool cdup = strcmp(cmd, "CDUP") == 0 && (code == 200 || code == 250);
    bool pwd = (strcmp(cmd, "PWD") == 0 || strcmp(cmd, "XPWD") == 0) && code == 257;

    if ((!cwd && !cdup && !pwd) || ca->cwd_consumed) {
        return;
    }
    ca->cwd_consumed = true;
    if (cwd) {
        n = ftp_build_path(s->cwd.p, s->cwd.n, ca->arg.p, ca->arg.n, path, sizeof(path));
    } else if (cdup) {
        n = ftp_build_path(s->cwd.p, s->cwd.n, "/..", 3, path, sizeof(path));
    } else {
        n = ftp_extract_path(msg, mlen, path, sizeof(path));
    }
    ftp_str_set(fc->ps, &s->cwd, path, n);
}

/* File size, PASV/EPSV and directory tracking of a final reply line. */
static void ftp_reply_effects(struct ftp_conn *fc, unsigned code, const char *msg, size_t mlen)
{
    struct ftp_session *s = &fc->s;
    const char *cmd = s->cmdarg->cmd;
    const struct shoal_conn_id *id = fc->ps->an->conn_id(fc->ps->self, fc->c);

    if ((code == 150 && strcmp(cmd, "RETR") == 0) || (code == 213 && strcmp(cmd, "SIZE") == 0)) {
        s->has_file_size = true;
        s->file_size = ftp_extract_count(msg, mlen, false);
    } else if ((code == 227 || code == 229) &&
               (strcmp(cmd, "PASV") == 0 || strcmp(cmd, "EPSV") == 0)) {
        struct ftp_port d = code == 227 ? ftp_parse_pasv(msg, mlen) : ftp_parse_epsv(msg, mlen);
        if (d.valid) {
            if (code == 229 && d.unspecified) {
                d.h = id->resp_h;
            }
            ftp_expect(fc, true, &id->orig_h, &d.h, d.p);
        }
    }
    ftp_track_cwd(fc, code, msg, mlen);
}

static void ftp_cb_reply(void *ud, unsigned code, const char *msg, size_t mlen, bool cont)
{
    struct ftp_conn *fc = ud;
    struct ftp_session *s = &fc->s;
    struct ftp_cmdarg *ca;

    (*fc->ps->n.replies)++;
    ftp_session(fc);
    if (cont && code == 0 && s->has_reply_code && !ftp_looks_like_reply(msg, mlen)) {
        return;
    }
    ca = ftp_best_pending(fc, code, msg, mlen);
    if (ca == NULL) {
        /* Zeek's empty CmdArg: "<unknown>", never logged */
        ca = ftp_cmdarg_new(fc, "<unknown>", 9, "", 0);
        if (ca == NULL) {
            return;
        }
    }
    ftp_set_cmdarg(fc, ca);
    s->has_reply_code = true;
    s->reply_code = code;
    ftp_str_set(fc->ps, &s->reply_msg, msg, mlen);
    if (cont) {
        return;
    }
    ftp_reply_effects(fc, code, msg, mlen);
    if (s->npending > 1) {
        ftp_remove_pending(fc, s->cmdarg);
        ftp_message(fc);
    }
}

static void ftp_cb_bad_request(void *ud, size_t cmd_len, bool too_long)
{
    struct ftp_conn *fc = ud;
    char addl[64];

    if (!fc->confirmed) {
        return;
    }
    if (too_long) {
        snprintf(addl, sizeof(addl), "%zu > %lld", cmd_len,
                 (long long)fc->ps->cfg.max_command_length);
        ftp_weird(fc, "FTP_max_command_length_exceeded", addl, NULL);
    } else {
        ftp_weird(fc, "FTP_invalid_command", NULL, NULL);
    }
}

static void ftp_cb_bad_reply(void *ud, const char *why)
{
    (void)ud;
    (void)why; /* Zeek: a protocol violation, not a weird */
}

static void ftp_cb_weird(void *ud, const char *name, const char *addl)
{
    ftp_weird(ud, name, addl, NULL);
}

static void *ftp_cb_alloc(void *ud, size_t n)
{
    struct ftp_conn *fc = ud;
    return fc->ps->host->alloc(fc->ps->self, n);
}

static void ftp_cb_free(void *ud, void *p)
{
    struct ftp_conn *fc = ud;
    fc->ps->host->free(fc->ps->self, p);
}

static const struct ftp_parse_cb ftp_cbs = {
    .request = ftp_cb_request,
    .reply = ftp_cb_reply,
    .bad_request = ftp_cb_bad_request,
    .bad_reply = ftp_cb_bad_reply,
    .weird = ftp_cb_weird,
    .alloc = ftp_cb_alloc,
    .free = ftp_cb_free,
};

/* ---- data channels (files.zeek) ----------------------------------------- */

static struct ftp_conn *ftp_owner(struct ftp_plugin *ps, uint64_t serial)
{
    for (struct ftp_conn *o = ps->active; o != NULL; o = o->next) {
        if (o->serial == serial) {
            return o;
        }
    }
    return NULL;
}

/* Zeek's file_sniff: the transfer's MIME type goes to the session. */
static void ftp_data_sniff(struct ftp_conn *fc)
{
    struct ftp_plugin *ps = fc->ps;
    struct ftp_conn *o;
    const char *mime;

    if (fc->sniffed || !fc->file_seen) {
        return;
    }
    fc->sniffed = true;
    mime = ps->an->mime_sniff(ps->self, fc->sniff, fc->sniff_len);
    o = ftp_owner(ps, fc->owner);
    if (mime != NULL && o != NULL && o->s.open) {
        o->s.mime_type = mime;
    }
    ps->host->free(ps->self, fc->sniff);
    fc->sniff = NULL;
}

static int ftp_data_bytes(struct ftp_conn *fc, const uint8_t *data, size_t len)
{
    struct ftp_plugin *ps = fc->ps;

    if (!fc->file_seen) {
        /* Zeek's file_over_new_connection: the transfer's file id */
        struct ftp_conn *o = ftp_owner(ps, fc->owner);
        fc->file_seen = true;
        if (o != NULL && o->s.open) {
            ps->an->file_id(ps->self, o->s.fuid);
        }
        fc->sniff = ps->host->alloc(ps->self, FTP_SNIFF_MAX);
    }
    if (fc->sniff != NULL) {
        size_t n = FTP_SNIFF_MAX - fc->sniff_len;
        n = n < len ? n : len;
        memcpy(fc->sniff + fc->sniff_len, data, n);
        fc->sniff_len += (uint32_t)n;
    }
    if (fc->sniff == NULL || fc->sniff_len == FTP_SNIFF_MAX) {
        ftp_data_sniff(fc);
        return SHOAL_AN_DETACH; /* nothing more to learn from this transfer */
    }
    return SHOAL_AN_OK;
}

/* ---- analyzer ops ------------------------------------------------------- */

static int ftp_conn_new(void *plugin, struct shoal_conn *c, void *conn)
{
    struct ftp_conn *fc = conn;
    struct ftp_plugin *ps = plugin;

    fc->ps = ps;
    fc->c = c;
    if (ps->can_expect) {
        fc->owner = ps->an->conn_expected(ps->self, c);
    }
    if (fc->owner != 0) {
        fc->is_data = true;
        (*ps->n.data_conns)++;
        return SHOAL_AN_OK;
    }
    ftp_parser_init(&fc->parser, (uint32_t)ps->cfg.max_line_length,
                    (uint32_t)ps->cfg.max_command_length);
    fc->serial = ++ps->next_serial;
    fc->next = ps->active;
    if (ps->active != NULL) {
        ps->active->prev = fc;
    }
    ps->active = fc;
    return SHOAL_AN_OK;
}

static int ftp_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct ftp_conn *fc = conn;

    (void)plugin;
    fc->c = c;
    if (fc->is_data) {
        return ftp_data_bytes(fc, data, len);
    }
    if (!ftp_parse_data(&fc->parser, &ftp_cbs, fc, is_orig, data, len)) {
        /* AUTH TLS: the rest is TLS, for content detection to find */
        return fc->ps->can_expect ? SHOAL_AN_HANDOFF : SHOAL_AN_DETACH;
    }
    return SHOAL_AN_OK;
}

static void ftp_eof(void *plugin, struct shoal_conn *c, void *conn, bool is_orig)
{
    struct ftp_conn *fc = conn;

    (void)plugin;
    (void)is_orig;
    fc->c = c;
    if (fc->is_data) {
        ftp_data_sniff(fc);
    }
}

static void ftp_session_free(struct ftp_conn *fc)
{
    struct ftp_plugin *ps = fc->ps;
    struct ftp_session *s = &fc->s;

    for (uint32_t i = 0; i < s->npending; i++) {
        if (s->pending[i] != s->cmdarg) {
            ftp_cmdarg_free(ps, s->pending[i]);
        }
    }
    ftp_cmdarg_free(ps, s->cmdarg);
    ps->host->free(ps->self, s->pending);
    ftp_str_free(ps, &s->user);
    ftp_str_free(ps, &s->password);
    ftp_str_free(ps, &s->cwd);
    ftp_str_free(ps, &s->reply_msg);
    memset(s, 0, sizeof(*s));
}

static void ftp_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct ftp_conn *fc = conn;
    struct ftp_plugin *ps = plugin;
    struct ftp_session *s = &fc->s;

    fc->c = c;
    if (fc->is_data) {
        ftp_data_sniff(fc);
        ps->host->free(ps->self, fc->sniff);
        return;
    }
    if (ftp_parse_partial(&fc->parser, true)) {
        ftp_weird(fc, "partial_ftp_request", NULL, NULL);
    }
    ftp_parse_done(&fc->parser, &ftp_cbs, fc);
    /* Zeek's finalize_ftp: every command still pending, in order. */
    while (s->open && s->npending > 0) {
        struct ftp_cmdarg *ca = s->pending[0];
        ftp_set_cmdarg(fc, ca);
        ftp_remove_pending(fc, ca);
        ftp_message(fc);
    }
    ftp_session_free(fc);
    if (fc->prev != NULL) {
        fc->prev->next = fc->next;
    } else if (ps->active == fc) {
        ps->active = fc->next;
    }
    if (fc->next != NULL) {
        fc->next->prev = fc->prev;
    }
}

/* ---- init and fini ------------------------------------------------------ */

static void ftp_fini(void *state)
{
    struct ftp_plugin *ps = state;

    if (ps != NULL) {
        ps->host->free(ps->self, ps);
    }
}

static int ftp_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    struct ftp_plugin *ps;

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
    if (config != NULL) {
        ps->cfg = *(const struct ftp_config *)config;
    } else {
        static const struct ftp_config defaults = {8192, 64,   20,    128,  128,
                                                   4096, 4096, 300.0, false};
        ps->cfg = defaults;
    }
    ps->can_expect = SHOAL_HAS(host->analyzer, conn_expected);
    if (!ps->can_expect) {
        host->logf(self, SHOAL_LOG_WARNING,
                   "the core has no expected connections (ABI %d.3): data channels not tied back",
                   SHOAL_ABI_MAJOR);
    }
#define FTP_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    FTP_COUNTERS(FTP_COUNTER_INIT)
    ps->stream = ps->an->stream_open(self, "ftp", ftp_fields, FTP_NCOLS);
    if (ps->stream == NULL) {
        host->free(self, ps);
        return -EINVAL; /* the core logged why */
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

/* Zeek's FTP ports. */
static const struct shoal_port ftp_ports[] = {
    {SHOAL_PROTO_TCP, 21},
    {SHOAL_PROTO_TCP, 2811},
    {0, 0},
};

/* Zeek's dpd.sig for FTP: USER from the client (Zeek also wants the
 * server's 220 and 230/331, which follow the client's line here). */
static const struct shoal_signature ftp_signatures[] = {
    {SHOAL_PROTO_TCP, SHOAL_SIG_ORIG, "^[[:space:]]*[uU][sS][eE][rR][[:space:]]"},
    {0, 0, NULL},
};

static const struct shoal_analyzer_ops ftp_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "ftp",
    .ports = ftp_ports,
    .signatures = ftp_signatures,
    .conn_size = sizeof(struct ftp_conn),
    .conn_new = ftp_conn_new,
    .data = ftp_data,
    .eof = ftp_eof,
    .conn_done = ftp_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin ftp_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "ftp",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "FTP analyzer writing Zeek's ftp.log, with its data channels expected",
    .config = ftp_cfg_keys,
    .config_size = sizeof(struct ftp_config),
    .init = ftp_init,
    .fini = ftp_fini,
    .ops = &ftp_ops,
};
