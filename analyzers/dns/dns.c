/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dns analyzer plugin: descriptor and glue between the core and the
 * host-independent parser (dns_parse.c).  It writes dns.log the way Zeek 9's
 * base/protocols/dns does: one record per transaction, a query paired with
 * its reply by transaction id (first-in, first-out per id, with Zeek's
 * "pending query" fast path), replies without a query and queries without a
 * reply kept pending and written when the connection ends, and messages to
 * multicast addresses (mDNS, LLMNR) written alone.  DNS over TCP is framed
 * here (2-byte length prefix, messages split across or packed into
 * segments).  All per-connection state lives in the block the core gives
 * us; the pending table and the TCP reassembly buffers are allocated once
 * per connection, only when a connection needs them, and are bounded.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <shoal/shoal.h>

#include "dns_parse.h"

#define DNS_MAX_PENDING 64      /* pending records per connection (storage) */
#define DNS_MAX_PENDING_IDS 50  /* Zeek's DNS::max_pending_query_ids */
#define DNS_MAX_PENDING_MSGS 50 /* Zeek's DNS::max_pending_msgs */
#define DNS_TCP_MAX 65535       /* largest message a 2-byte length frames */
#define DNS_ARENA_SIZE (512 * 1024)
#define DNS_SCRATCH_SIZE (128 * 1024)
#define DNS_MAX_ANSWERS 4096

#define DNS_PORT 53
#define DNS_PORT_NETBIOS 137 /* NetBIOS name service */
#define DNS_PORT_MDNS 5353
#define DNS_PORT_LLMNR 5355

/* The opcodes dns.log tracks (Zeek's: query, notify, dynamic update). */
#define DNS_OPCODE_QUERY 0
#define DNS_OPCODE_NOTIFY 4

/* RR types the glue itself looks at. */
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_A6 38
#define DNS_TYPE_NBSTAT 33 /* NetBIOS node status (SRV's number in DNS) */

#define DNS_ANS_HDR 8        /* a packed answer's header: uint32 ttl, uint32 length */
#define DNS_CODE_NAME_MAX 32 /* a rendered qclass, qtype, rcode or opcode name */

/* ---- settings: group plugins.dns of shoal.cfg --------------------------- */

struct dns_config {
    double session_timeout;   /* Zeek's dns_session_timeout */
    int64_t max_answer_bytes; /* answer text kept per record */
};

static const struct shoal_cfg_key dns_cfg_keys[] = {
    {"session_timeout", SHOAL_CFG_DOUBLE, "10.0", false,
     "seconds a UDP DNS flow may be idle before it ends (Zeek's dns_session_timeout)",
     offsetof(struct dns_config, session_timeout), "0", "86400"},
    {"max_answer_bytes", SHOAL_CFG_INT, "262144", false,
     "bytes of answers (text and TTLs) a DNS record keeps while it waits to be logged; "
     "answers past it are dropped and counted (dns.answers_dropped)",
     offsetof(struct dns_config, max_answer_bytes), "1024", "524288"},
    {0},
};

/* ---- counters: the node reports them as dns.NAME ------------------------ */

#define DNS_COUNTERS(X)                                                                            \
    X(msgs, "DNS messages seen")                                                                   \
    X(short_msgs, "messages shorter than a DNS header")                                            \
    X(unparsed, "messages whose body could not be parsed")                                         \
    X(records, "dns.log records written")                                                          \
    X(weirds, "weirds reported")                                                                   \
    X(dropped, "records dropped for want of memory")                                               \
    X(answers_dropped, "answers not kept past max_answer_bytes or 4096 a record")

struct dns_counters {
#define DNS_COUNTER_FIELD(name, help) uint64_t *name;
    DNS_COUNTERS(DNS_COUNTER_FIELD)
};

/* ---- dns.log ------------------------------------------------------------ */

/* dns.log's columns, as Zeek writes them (base/protocols/dns/main.zeek). */
#define DNS_COLUMNS(X)                                                                             \
    SHOAL_COLUMNS_CONN_ID(X)                                                                       \
    X(PROTO, "proto", SHOAL_T_ENUM, 0)                                                             \
    X(TRANS_ID, "trans_id", SHOAL_T_COUNT, 0)                                                      \
    X(RTT, "rtt", SHOAL_T_INTERVAL, 0)                                                             \
    X(QUERY, "query", SHOAL_T_STRING, 0)                                                           \
    X(QCLASS, "qclass", SHOAL_T_COUNT, 0)                                                          \
    X(QCLASS_NAME, "qclass_name", SHOAL_T_STRING, 0)                                               \
    X(QTYPE, "qtype", SHOAL_T_COUNT, 0)                                                            \
    X(QTYPE_NAME, "qtype_name", SHOAL_T_STRING, 0)                                                 \
    X(RCODE, "rcode", SHOAL_T_COUNT, 0)                                                            \
    X(RCODE_NAME, "rcode_name", SHOAL_T_STRING, 0)                                                 \
    X(AA, "AA", SHOAL_T_BOOL, 0)                                                                   \
    X(TC, "TC", SHOAL_T_BOOL, 0)                                                                   \
    X(RD, "RD", SHOAL_T_BOOL, 0)                                                                   \
    X(RA, "RA", SHOAL_T_BOOL, 0)                                                                   \
    X(Z, "Z", SHOAL_T_COUNT, 0)                                                                    \
    X(ANSWERS, "answers", SHOAL_T_VECTOR, SHOAL_T_STRING)                                          \
    X(TTLS, "TTLs", SHOAL_T_VECTOR, SHOAL_T_INTERVAL)                                              \
    X(REJECTED, "rejected", SHOAL_T_BOOL, 0)                                                       \
    X(OPCODE, "opcode", SHOAL_T_COUNT, 0)                                                          \
    X(OPCODE_NAME, "opcode_name", SHOAL_T_STRING, 0)

#define DNS_COL(id, name, type, elem) DNS_COL_##id,
enum dns_col { DNS_COLUMNS(DNS_COL) DNS_NCOLS };
static const struct shoal_field dns_fields[] = {DNS_COLUMNS(SHOAL_COLUMN_FIELD)};

/* ---- state -------------------------------------------------------------- */

enum dns_rec_kind {
    DNS_REC_FREE = 0,
    DNS_REC_QUERY,
    DNS_REC_REPLY,
};

/*
 * One dns.log record under construction (Zeek's DNS::Info).  Answers are
 * packed as {uint32 ttl, uint32 len, len bytes} in `ans`: the plugin's
 * arena while a message is processed, a heap copy while a reply waits.
 */
struct dns_rec {
    double ts;
    double rtt;
    uint32_t seq;
    uint32_t nans;
    uint32_t ans_len;
    uint8_t *ans;
    uint16_t trans_id;
    uint16_t qclass;
    uint16_t qtype;
    uint16_t query_len;
    uint8_t rcode;
    uint8_t opcode;
    uint8_t z;
    uint8_t kind;
    bool has_rtt, has_q, has_rcode, has_query, has_opcode;
    bool aa, tc, rd, ra, rejected, saw_query, saw_reply, netbios, nbstat;
    char query[DNS_NAME_MAX + 1];
};

/* The plugin's state: what init was given and made, and the message being
 * processed. */
struct dns_plugin {
    const struct shoal_host *host;
    const struct shoal_analyzer_host *an;
    struct shoal_self *self;
    struct dns_config cfg;
    struct dns_counters n;
    struct shoal_stream *stream;
    uint8_t *arena;
    char *scratch;
    struct shoal_value *ansv;
    struct shoal_value *ttlv;
    /* the message being processed */
    struct shoal_conn *c;
    struct dns_conn *dc;
    double now;
    uint16_t resp_p;
    bool active;   /* a record is attached to this message (Zeek's c$dns) */
    uint8_t store; /* where the record goes if not written at the end */
    struct dns_rec cur;
};

enum dns_tcp_state {
    DNS_TCP_LEN_HI = 0,
    DNS_TCP_LEN_LO,
    DNS_TCP_MSG,
};

/* One direction of a TCP connection: the message being framed. */
struct dns_tcp_dir {
    uint8_t state;
    uint16_t need;
    uint32_t have;
    uint8_t *buf; /* DNS_TCP_MAX bytes once a message spans data calls */
};

/* Per-connection state: the block of conn_size bytes the core zeroes. */
struct dns_conn {
    bool seen_msg;
    bool disabled; /* a protocol violation: Zeek's DPD disabled the analyzer */
    bool flipped;  /* the first message was a reply from the originator */
    uint32_t seq;
    struct dns_rec fast;  /* Zeek's pending_query */
    struct dns_rec *pend; /* DNS_MAX_PENDING records, allocated on first need */
    struct dns_tcp_dir tcp[2];
};

/* ---- helpers ------------------------------------------------------------ */

/* 224.0.0.0/4 or ff00::/8 (Zeek's DNS::multicast_subnets). */
static bool dns_is_multicast(const struct shoal_addr *a)
{
    if (shoal_addr_is_v4(a)) {
        return (a->b[12] & 0xf0) == 0xe0;
    }
    return a->b[0] == 0xff;
}

/* The connection's id as dns.log shows it (swapped when we flipped). */
static void dns_conn_ends(const struct dns_plugin *ps, const struct shoal_conn *c,
                          const struct dns_conn *dc, struct shoal_conn_id *out)
{
    *out = *ps->an->conn_id(ps->self, c);
    if (dc->flipped) {
        struct shoal_addr a = out->orig_h;
        uint16_t p = out->orig_p;
        out->orig_h = out->resp_h;
        out->orig_p = out->resp_p;
        out->resp_h = a;
        out->resp_p = p;
    }
}

static void dns_weird(struct dns_plugin *ps, struct shoal_conn *c, const char *name,
                      const char *addl)
{
    (*ps->n.weirds)++;
    ps->an->weird(ps->self, c, name, addl, NULL);
}

/* ---- writing records ---------------------------------------------------- */

static void dns_write(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                      const struct dns_rec *r)
{
    struct shoal_value v[DNS_NCOLS] = {0};
    struct shoal_conn_id id;
    char uid[SHOAL_UID_SIZE], qc[DNS_CODE_NAME_MAX], qt[DNS_CODE_NAME_MAX], rc[DNS_CODE_NAME_MAX],
        op[DNS_CODE_NAME_MAX];
    size_t n = 0;
    size_t off = 0;

    if (ps->stream == NULL) {
        return;
    }
    dns_conn_ends(ps, c, dc, &id);
    while (off + DNS_ANS_HDR <= r->ans_len && n < DNS_MAX_ANSWERS) {
        uint32_t ttl, len;
        memcpy(&ttl, r->ans + off, sizeof(ttl));
        memcpy(&len, r->ans + off + sizeof(ttl), sizeof(len));
        off += DNS_ANS_HDR;
        if (len > r->ans_len - off) {
            break;
        }
        ps->ansv[n] = shoal_v_strn((const char *)r->ans + off, len);
        ps->ttlv[n] = shoal_v_double((double)ttl);
        off += len;
        n++;
    }

    v[DNS_COL_TS] = shoal_v_double(r->ts);
    v[DNS_COL_UID] = shoal_v_str(ps->an->conn_uid(ps->self, c, uid));
    shoal_v_conn_id(&v[DNS_COL_ID_ORIG_H], &id);
    v[DNS_COL_PROTO] = shoal_v_str(id.proto == SHOAL_PROTO_TCP   ? "tcp"
                                   : id.proto == SHOAL_PROTO_UDP ? "udp"
                                                                 : "unknown_transport");
    v[DNS_COL_TRANS_ID] = shoal_v_count(r->trans_id);
    if (r->has_rtt) {
        v[DNS_COL_RTT] = shoal_v_double(r->rtt);
    }
    if (r->has_query) {
        v[DNS_COL_QUERY] = shoal_v_strn(r->query, r->query_len);
    }
    if (r->has_q) {
        v[DNS_COL_QCLASS] = shoal_v_count(r->qclass);
        v[DNS_COL_QCLASS_NAME] = shoal_v_str(dns_qclass_name(r->qclass, qc, sizeof(qc)));
        v[DNS_COL_QTYPE] = shoal_v_count(r->qtype);
        v[DNS_COL_QTYPE_NAME] =
            shoal_v_str(r->nbstat ? "NBSTAT" : dns_qtype_name(r->qtype, qt, sizeof(qt)));
    }
    if (r->has_rcode) {
        v[DNS_COL_RCODE] = shoal_v_count(r->rcode);
        v[DNS_COL_RCODE_NAME] = shoal_v_str(dns_rcode_name(r->rcode, rc, sizeof(rc)));
    }
    v[DNS_COL_AA] = shoal_v_bool(r->aa);
    v[DNS_COL_TC] = shoal_v_bool(r->tc);
    v[DNS_COL_RD] = shoal_v_bool(r->rd);
    v[DNS_COL_RA] = shoal_v_bool(r->ra);
    v[DNS_COL_Z] = shoal_v_count(r->z);
    if (n > 0) {
        v[DNS_COL_ANSWERS] = shoal_v_vec(ps->ansv, n);
        v[DNS_COL_TTLS] = shoal_v_vec(ps->ttlv, n);
    }
    v[DNS_COL_REJECTED] = shoal_v_bool(r->rejected);
    if (r->has_opcode) {
        v[DNS_COL_OPCODE] = shoal_v_count(r->opcode);
        v[DNS_COL_OPCODE_NAME] =
            shoal_v_str(dns_opcode_name(r->opcode, r->netbios, op, sizeof(op)));
    }
    if (ps->an->stream_write(ps->self, ps->stream, v) == 0) {
        (*ps->n.records)++;
    }
}

/* Write a pending record and release its slot. */
static void dns_write_pending(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                              struct dns_rec *r)
{
    dns_write(ps, c, dc, r);
    ps->host->free(ps->self, r->ans);
    r->ans = NULL;
    r->kind = DNS_REC_FREE;
}

/* ---- pending queries and replies ---------------------------------------- */

/* Slot of the oldest pending record of `kind` (with transaction id `id`,
 * or any id when id < 0), or -1. */
static int dns_pend_find(const struct dns_conn *dc, uint8_t kind, int id)
{
    int best = -1;

    if (dc->pend == NULL) {
        return -1;
    }
    for (int i = 0; i < DNS_MAX_PENDING; i++) {
        const struct dns_rec *r = &dc->pend[i];
        if (r->kind != kind || (id >= 0 && r->trans_id != id)) {
            continue;
        }
        if (best < 0 || r->seq < dc->pend[best].seq) {
            best = i;
        }
    }
    return best;
}

/* Move pending slot i into *out (which takes over its answers). */
static void dns_pend_take(struct dns_conn *dc, int i, struct dns_rec *out)
{
    *out = dc->pend[i];
    dc->pend[i].kind = DNS_REC_FREE;
    dc->pend[i].ans = NULL;
}

/* Write every pending record of `kind` (and transaction id, if id >= 0),
 * oldest first. */
static void dns_pend_flush(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                           uint8_t kind, int id)
{
    int i;
    while ((i = dns_pend_find(dc, kind, id)) >= 0) {
        dns_write_pending(ps, c, dc, &dc->pend[i]);
    }
}

/*
 * Queue `r` (whose answers, if any, are in the arena) as a pending record of
 * `kind`, applying Zeek's limits: more than DNS_MAX_PENDING_IDS ids or more
 * than DNS_MAX_PENDING_MSGS records for one id and the lot is written out
 * unmatched.  If storage is exhausted the oldest record is written.
 */
static void dns_pend_put(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                         struct dns_rec *r, uint8_t kind)
{
    size_t qlen = 0;
    size_t ids = 0;
    int slot = -1;

    if (dc->pend == NULL) {
        dc->pend = ps->host->alloc(ps->self, DNS_MAX_PENDING * sizeof(*dc->pend));
        if (dc->pend == NULL) {
            (*ps->n.dropped)++;
            dns_write(ps, c, dc, r);
            return;
        }
    }
    for (int i = 0; i < DNS_MAX_PENDING; i++) {
        const struct dns_rec *p = &dc->pend[i];
        if (p->kind != kind) {
            continue;
        }
        qlen += p->trans_id == r->trans_id;
        /* Count each id once: at its oldest record. */
        if (dns_pend_find(dc, kind, p->trans_id) == i) {
            ids++;
        }
    }
    if (qlen == 0 && ids > DNS_MAX_PENDING_IDS) {
        dns_pend_flush(ps, c, dc, kind, -1);
    } else if (qlen > DNS_MAX_PENDING_MSGS) {
        dns_pend_flush(ps, c, dc, kind, r->trans_id);
    }
    for (int i = 0; i < DNS_MAX_PENDING && slot < 0; i++) {
        if (dc->pend[i].kind == DNS_REC_FREE) {
            slot = i;
        }
    }
    if (slot < 0) {
        slot = 0;
        for (int i = 1; i < DNS_MAX_PENDING; i++) {
            if (dc->pend[i].seq < dc->pend[slot].seq) {
                slot = i;
            }
        }
        (*ps->n.dropped)++;
        dns_write_pending(ps, c, dc, &dc->pend[slot]);
    }

    struct dns_rec *p = &dc->pend[slot];
    *p = *r;
    p->kind = kind;
    p->ans = NULL;
    if (r->ans_len > 0) {
        p->ans = ps->host->alloc(ps->self, r->ans_len);
        if (p->ans == NULL) {
            p->ans_len = 0;
            p->nans = 0;
        } else {
            memcpy(p->ans, r->ans, r->ans_len);
        }
    }
}

static void dns_rec_new(struct dns_plugin *ps, struct dns_conn *dc, struct dns_rec *r, uint16_t id)
{
    memset(r, 0, offsetof(struct dns_rec, query));
    r->query[0] = '\0';
    r->ts = ps->now;
    r->trans_id = id;
    r->seq = dc->seq++;
    r->ans = ps->arena;
}

/* Zeek's set_session hook: attach the message to a record. */
static void dns_set_session(struct dns_plugin *ps, struct dns_conn *dc, const struct dns_hdr *h,
                            bool mcast, bool netbios)
{
    struct dns_rec *cur = &ps->cur;
    int i;

    ps->store = DNS_REC_FREE;
    if (mcast) {
        dns_rec_new(ps, dc, cur, h->id);
        cur->saw_query = true;
        cur->saw_reply = true;
    } else if (!h->qr) {
        i = dns_pend_find(dc, DNS_REC_REPLY, h->id);
        if (i >= 0) {
            dns_pend_take(dc, i, cur);
        } else {
            dns_rec_new(ps, dc, cur, h->id);
            ps->store = DNS_REC_QUERY;
        }
    } else if (dc->fast.kind == DNS_REC_QUERY && dc->fast.trans_id == h->id) {
        *cur = dc->fast;
        dc->fast.kind = DNS_REC_FREE;
        /* Refill the fast path: a query with this id first, else the oldest. */
        i = dns_pend_find(dc, DNS_REC_QUERY, h->id);
        if (i < 0) {
            i = dns_pend_find(dc, DNS_REC_QUERY, -1);
        }
        if (i >= 0) {
            dns_pend_take(dc, i, &dc->fast);
        }
    } else if ((i = dns_pend_find(dc, DNS_REC_QUERY, h->id)) >= 0) {
        dns_pend_take(dc, i, cur);
    } else {
        dns_rec_new(ps, dc, cur, h->id);
        ps->store = DNS_REC_REPLY;
    }

    /* Answers of a record taken from a queue move into the arena. */
    if (cur->ans != ps->arena) {
        uint8_t *old = cur->ans;
        if (cur->ans_len > DNS_ARENA_SIZE) {
            cur->ans_len = 0;
        }
        if (old != NULL && cur->ans_len > 0) {
            memcpy(ps->arena, old, cur->ans_len);
        }
        ps->host->free(ps->self, old);
        cur->ans = ps->arena;
    }
    cur->kind = DNS_REC_FREE;

    if (h->qr) {
        cur->rcode = h->rcode;
        cur->has_rcode = true;
        if (h->rcode != 0 && h->qdcount == 0) {
            cur->rejected = true;
        }
    }
    cur->opcode = h->opcode;
    cur->has_opcode = true;
    cur->netbios = netbios;
}

/* Zeek's dns_end: write the record once both sides were seen, else park it. */
static void dns_end(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                    const struct dns_hdr *h)
{
    struct dns_rec *cur = &ps->cur;

    if (!ps->active) {
        return;
    }
    ps->active = false;
    if (h->qr) {
        cur->saw_reply = true;
    } else {
        cur->saw_query = true;
    }
    if (cur->saw_reply && cur->saw_query) {
        dns_write(ps, c, dc, cur);
        return;
    }
    if (ps->store == DNS_REC_QUERY && dc->fast.kind == DNS_REC_FREE) {
        dc->fast = *cur;
        dc->fast.kind = DNS_REC_QUERY;
        dc->fast.ans = NULL;
        dc->fast.ans_len = 0;
        dc->fast.nans = 0;
    } else if (ps->store != DNS_REC_FREE) {
        dns_pend_put(ps, c, dc, cur, ps->store);
    }
}

/* Zeek's ProtocolViolation: its DPD then disables the analyzer on the
 * connection (further messages are not looked at). */
static void dns_violation(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                          const char *why)
{
    if (SHOAL_HAS(ps->an, violation)) {
        ps->an->violation(ps->self, c, why);
    }
    dc->disabled = true;
}

/* ---- parser callbacks --------------------------------------------------- */

static void dns_cb_weird(void *ud, const char *name, const char *addl)
{
    struct dns_plugin *ps = ud;
    dns_weird(ps, ps->c, name, addl);
}

static void dns_cb_question(void *ud, const struct dns_hdr *h, const char *name, size_t len,
                            uint16_t qtype, uint16_t qclass)
{
    struct dns_plugin *ps = ud;
    struct dns_rec *cur = &ps->cur;

    if (!ps->active) {
        return;
    }
    if (h->qr) {
        /* A reply with no RRs at all: the query was rejected. */
        if (h->ancount == 0 && h->nscount == 0 && h->arcount == 0) {
            cur->rejected = true;
        }
        return;
    }
    cur->rd = h->rd;
    cur->tc = h->tc;
    cur->qclass = qclass;
    cur->qtype = qtype;
    cur->has_q = true;
    cur->z = h->z;
    cur->nbstat = false;
    if (ps->resp_p == DNS_PORT_NETBIOS) {
        char nb[16];
        size_t n = dns_netbios_decode(name, len, nb);
        if (n > 0) {
            memcpy(cur->query, nb, n);
            len = n;
            name = NULL;
        }
        cur->nbstat = qtype == DNS_TYPE_NBSTAT;
    }
    if (name != NULL) {
        memcpy(cur->query, name, len);
    }
    cur->query[len] = '\0';
    cur->query_len = (uint16_t)len;
    cur->has_query = true;
}

static void dns_cb_reply(void *ud, const struct dns_hdr *h, const struct dns_rr *rr,
                         const char *text, size_t len)
{
    struct dns_plugin *ps = ud;
    struct dns_rec *cur = &ps->cur;
    char pfx[DNS_NAME_MAX + 16];
    size_t plen = 0;

    /* Zeek's DNS::do_reply: answers of replies, and a dynamic update's
     * prerequisites and updates. */
    if (!ps->active || !h->qr ||
        (rr->section != DNS_SEC_ANSWER && rr->section != DNS_SEC_PREREQ &&
         rr->section != DNS_SEC_UPDATE)) {
        return;
    }
    if (!cur->has_query) {
        memcpy(cur->query, rr->name, rr->name_len);
        cur->query[rr->name_len] = '\0';
        cur->query_len = (uint16_t)rr->name_len;
        cur->has_query = true;
    }
    cur->aa = h->aa;
    cur->ra = h->ra;
    if (!cur->has_rtt) {
        cur->rtt = ps->now - cur->ts;
        cur->has_rtt = cur->rtt != 0.0;
    }
    if (len == 0) {
        return;
    }
    /* Additions of a dynamic update read "add: "; its address records
     * name their owner. */
    bool del = rr->section == DNS_SEC_UPDATE && len >= 4 && memcmp(text, "del:", 4) == 0;
    if (rr->section == DNS_SEC_UPDATE && !del) {
        memcpy(pfx, "add: ", 5);
        plen = 5;
    }
    if (h->opcode == DNS_OPCODE_UPDATE && !cur->netbios && rr->section != DNS_SEC_PREREQ && !del &&
        (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA || rr->type == DNS_TYPE_A6)) {
        int n = snprintf(pfx + plen, sizeof(pfx) - plen, "%s %.*s ",
                         rr->type == DNS_TYPE_A      ? "A"
                         : rr->type == DNS_TYPE_AAAA ? "AAAA"
                                                     : "A6",
                         (int)rr->name_len, rr->name);
        plen = n < 0 ? plen : plen + (size_t)n >= sizeof(pfx) ? sizeof(pfx) - 1 : plen + (size_t)n;
    }
    uint32_t total = (uint32_t)(plen + len);
    if (cur->nans >= DNS_MAX_ANSWERS ||
        (size_t)cur->ans_len + DNS_ANS_HDR + total > (size_t)ps->cfg.max_answer_bytes) {
        (*ps->n.answers_dropped)++;
        return;
    }
    uint32_t ttl = rr->ttl;
    memcpy(cur->ans + cur->ans_len, &ttl, sizeof(ttl));
    memcpy(cur->ans + cur->ans_len + sizeof(ttl), &total, sizeof(total));
    memcpy(cur->ans + cur->ans_len + DNS_ANS_HDR, pfx, plen);
    memcpy(cur->ans + cur->ans_len + DNS_ANS_HDR + plen, text, len);
    cur->ans_len += DNS_ANS_HDR + total;
    cur->nans++;
}

/* ---- messages ----------------------------------------------------------- */

/*
 * Process one DNS message (a UDP payload or one TCP-framed message).
 * `from_orig` is 1 (originator), 0 (responder) or -1 (unknown: a partial
 * TCP message flushed at close).
 */
static void dns_message(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                        int from_orig, const uint8_t *msg, size_t len)
{
    const struct shoal_conn_id *cid = ps->an->conn_id(ps->self, c);
    struct shoal_conn_id id;
    struct dns_hdr h;

    ps->now = ps->host->now(ps->self);
    (*ps->n.msgs)++;
    if (dns_parse_header(msg, len, &h) < 0) {
        (*ps->n.short_msgs)++;
        dns_weird(ps, c, "DNS_truncated_len_lt_hdr_len", NULL);
        return;
    }
    if (!dc->seen_msg && h.qr && from_orig == 1 && !dns_is_multicast(&cid->resp_h)) {
        dc->flipped = true;
    }
    dc->seen_msg = true;
    dns_conn_ends(ps, c, dc, &id);

    bool udp = id.proto == SHOAL_PROTO_UDP;
    bool netbios = udp && (id.resp_p == DNS_PORT_NETBIOS || id.orig_p == DNS_PORT_NETBIOS);
    ps->c = c;
    ps->dc = dc;
    ps->resp_p = udp ? id.resp_p : 0;
    ps->active = h.opcode == DNS_OPCODE_QUERY || h.opcode == DNS_OPCODE_NOTIFY ||
                 h.opcode == DNS_OPCODE_UPDATE;
    if (!ps->active && !netbios) {
        /* Zeek (7.1 on) gives up on other opcodes (IQUERY, STATUS, DSO,
         * unassigned ones): a weird and a protocol violation, after which
         * its DPD disables the analyzer for the connection; what is
         * pending is still written when the connection ends. */
        char op[8];
        snprintf(op, sizeof(op), "%u", h.opcode);
        (*ps->n.unparsed)++;
        dns_weird(ps, c, "DNS_unknown_opcode", op);
        dns_violation(ps, c, dc, "DNS_unknown_opcode");
        return;
    }
    if (ps->active) {
        dns_set_session(ps, dc, &h, dns_is_multicast(&id.resp_h), netbios);
    }

    if (h.qdcount > DNS_MAX_QUERIES) {
        (*ps->n.unparsed)++;
        dns_weird(ps, c, "DNS_Conn_count_too_large", NULL);
        dns_violation(ps, c, dc, "DNS_Conn_count_too_large");
        dns_end(ps, c, dc, &h);
        return;
    }

    struct dns_parse_opts o = {
        .resp_port = ps->resp_p,
        .scratch = ps->scratch,
        .scratch_size = DNS_SCRATCH_SIZE,
    };
    struct dns_parse_cb cb = {
        .ud = ps,
        .weird = dns_cb_weird,
        .question = dns_cb_question,
        .reply = dns_cb_reply,
    };
    if (dns_parse_body(msg, len, &h, &o, &cb)) {
        ps->an->confirm(ps->self, c);
    } else {
        (*ps->n.unparsed)++;
    }
    dns_end(ps, c, dc, &h);
}

/* Frame DNS-over-TCP messages (2-byte length, then the message) of one
 * direction; complete messages are parsed in place when they lie in one
 * data call, else gathered in the direction's buffer. */
static void dns_tcp_feed(struct dns_plugin *ps, struct shoal_conn *c, struct dns_conn *dc,
                         bool is_orig, const uint8_t *data, size_t len)
{
    struct dns_tcp_dir *d = &dc->tcp[is_orig ? 0 : 1];

    while (len > 0 && !dc->disabled) {
        if (d->state == DNS_TCP_LEN_HI) {
            d->need = (uint16_t)(data[0] << 8);
            d->state = DNS_TCP_LEN_LO;
            data++;
            len--;
            continue;
        }
        if (d->state == DNS_TCP_LEN_LO) {
            d->need |= data[0];
            d->have = 0;
            d->state = DNS_TCP_MSG;
            data++;
            len--;
            if (d->need == 0) {
                dns_message(ps, c, dc, is_orig, data, 0);
                d->state = DNS_TCP_LEN_HI;
            }
            continue;
        }
        if (d->have == 0 && len >= d->need) {
            dns_message(ps, c, dc, is_orig, data, d->need);
            data += d->need;
            len -= d->need;
            d->state = DNS_TCP_LEN_HI;
            continue;
        }
        if (d->buf == NULL) {
            d->buf = ps->host->alloc(ps->self, DNS_TCP_MAX);
        }
        size_t n = d->need - d->have;
        if (n > len) {
            n = len;
        }
        if (d->buf != NULL) {
            memcpy(d->buf + d->have, data, n);
        }
        d->have += (uint32_t)n;
        data += n;
        len -= n;
        if (d->have == d->need) {
            if (d->buf != NULL) {
                dns_message(ps, c, dc, is_orig, d->buf, d->need);
            } else {
                (*ps->n.dropped)++;
            }
            d->have = 0;
            d->state = DNS_TCP_LEN_HI;
        }
    }
}

/* ---- analyzer ops ------------------------------------------------------- */

static int dns_conn_new(void *plugin, struct shoal_conn *c, void *conn)
{
    struct dns_plugin *ps = plugin;

    memset(conn, 0, sizeof(struct dns_conn));
    if (ps->an->conn_id(ps->self, c)->proto == SHOAL_PROTO_UDP && ps->cfg.session_timeout > 0) {
        ps->an->conn_set_idle_timeout(ps->self, c, ps->cfg.session_timeout);
    }
    return SHOAL_AN_OK;
}

static int dns_data(void *plugin, struct shoal_conn *c, void *conn, bool is_orig,
                    const uint8_t *data, size_t len)
{
    struct dns_plugin *ps = plugin;
    struct dns_conn *dc = conn;

    if (dc->disabled) {
        return SHOAL_AN_OK;
    }
    if (ps->an->conn_id(ps->self, c)->proto == SHOAL_PROTO_TCP) {
        dns_tcp_feed(ps, c, dc, is_orig, data, len);
    } else {
        dns_message(ps, c, dc, is_orig, data, len);
    }
    return SHOAL_AN_OK;
}

static void dns_gap(void *plugin, struct shoal_conn *c, void *conn, bool is_orig, uint64_t len)
{
    struct dns_conn *dc = conn;

    /* The framing is lost: start again at the next length prefix. */
    dc->tcp[is_orig ? 0 : 1].state = DNS_TCP_LEN_HI;
    dc->tcp[is_orig ? 0 : 1].have = 0;
}

static void dns_eof(void *plugin, struct shoal_conn *c, void *conn, bool is_orig)
{
    struct dns_plugin *ps = plugin;
    struct dns_conn *dc = conn;
    struct dns_tcp_dir *d = &dc->tcp[is_orig ? 0 : 1];

    /* As Zeek at close: hand over a partial message as it is. */
    if (!dc->disabled && d->state == DNS_TCP_MSG && d->have > 0 && d->buf != NULL) {
        dns_message(ps, c, dc, -1, d->buf, d->have);
    }
    d->state = DNS_TCP_LEN_HI;
    d->have = 0;
}

static void dns_conn_done(void *plugin, struct shoal_conn *c, void *conn)
{
    struct dns_plugin *ps = plugin;
    struct dns_conn *dc = conn;

    if (dc->fast.kind == DNS_REC_QUERY) {
        dns_write(ps, c, dc, &dc->fast);
        dc->fast.kind = DNS_REC_FREE;
    }
    dns_pend_flush(ps, c, dc, DNS_REC_QUERY, -1);
    dns_pend_flush(ps, c, dc, DNS_REC_REPLY, -1);
    ps->host->free(ps->self, dc->pend);
    dc->pend = NULL;
    for (int i = 0; i < 2; i++) {
        ps->host->free(ps->self, dc->tcp[i].buf);
        dc->tcp[i].buf = NULL;
    }
}

/* ---- init and fini ------------------------------------------------------ */

static void dns_fini(void *state)
{
    struct dns_plugin *ps = state;

    if (ps == NULL) {
        return;
    }
    ps->host->free(ps->self, ps->arena);
    ps->host->free(ps->self, ps->scratch);
    ps->host->free(ps->self, ps->ansv);
    ps->host->free(ps->self, ps->ttlv);
    ps->host->free(ps->self, ps);
}

static int dns_init(const struct shoal_host *host, struct shoal_self *self, const void *config,
                    void **state)
{
    struct dns_plugin *ps = host->alloc(self, sizeof(*ps));

    if (ps == NULL) {
        return -ENOMEM;
    }
    ps->host = host;
    ps->an = host->analyzer;
    ps->self = self;
    ps->cfg.max_answer_bytes = DNS_ARENA_SIZE; /* a host that gives no settings */
    if (config != NULL) {
        ps->cfg = *(const struct dns_config *)config;
    }
#define DNS_COUNTER_INIT(name, help) ps->n.name = host->counter(self, #name, help);
    DNS_COUNTERS(DNS_COUNTER_INIT)
    ps->arena = host->alloc(self, DNS_ARENA_SIZE);
    ps->scratch = host->alloc(self, DNS_SCRATCH_SIZE);
    ps->ansv = host->alloc(self, DNS_MAX_ANSWERS * sizeof(*ps->ansv));
    ps->ttlv = host->alloc(self, DNS_MAX_ANSWERS * sizeof(*ps->ttlv));
    if (ps->arena == NULL || ps->scratch == NULL || ps->ansv == NULL || ps->ttlv == NULL) {
        dns_fini(ps);
        return -ENOMEM;
    }
    ps->stream = ps->an->stream_open(self, "dns", dns_fields, DNS_NCOLS);
    if (ps->stream == NULL) {
        dns_fini(ps);
        return -EINVAL;
    }
    *state = ps;
    return 0;
}

/* ---- descriptor --------------------------------------------------------- */

static const struct shoal_port dns_ports[] = {
    {SHOAL_PROTO_UDP, DNS_PORT},      {SHOAL_PROTO_UDP, DNS_PORT_NETBIOS},
    {SHOAL_PROTO_UDP, DNS_PORT_MDNS}, {SHOAL_PROTO_UDP, DNS_PORT_LLMNR},
    {SHOAL_PROTO_TCP, DNS_PORT},      {0, 0},
};

static const struct shoal_analyzer_ops dns_ops = {
    .size = sizeof(struct shoal_analyzer_ops),
    .service = "dns",
    .ports = dns_ports,
    .signatures = NULL,
    .conn_size = sizeof(struct dns_conn),
    .conn_new = dns_conn_new,
    .data = dns_data,
    .gap = dns_gap,
    .eof = dns_eof,
    .conn_done = dns_conn_done,
};

SHOAL_PLUGIN_EXPORT const struct shoal_plugin dns_LTX_shoal_plugin = {
    SHOAL_PLUGIN_HEADER,
    .name = "dns",
    .version = "0.1.0",
    .kind = SHOAL_PLUGIN_ANALYZER,
    .summary = "DNS, mDNS, LLMNR and NetBIOS name service analyzer writing dns.log",
    .config = dns_cfg_keys,
    .config_size = sizeof(struct dns_config),
    .init = dns_init,
    .fini = dns_fini,
    .ops = &dns_ops,
};
