/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plugins that see connections: analyzers (a protocol: attached to a
 * connection by its responder port or by a content signature, fed its
 * datagrams or reassembled stream, writing their own log) and policies
 * (attached to none: they watch every connection's events, as Zeek's scan
 * detection and known-hosts scripts do).  Both get the analyzer host table
 * (host->analyzer): log streams, connection accessors, weirds, notices and
 * distinct-count statistics.  analyzers/dns is the complete example of an
 * analyzer, plugins/scan of a policy, contrib/example-analyzer of one built
 * out of tree with pkg-config.
 */
#ifndef SHOAL_SDK_ANALYZER_H
#define SHOAL_SDK_ANALYZER_H

#include <shoal/plugin.h>
#include <shoal/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handles. */
struct shoal_stream; /* a log stream (one file, e.g. dns.log) */
struct shoal_conn;   /* a tracked connection; valid only inside callbacks */

/* Buffer sizes for conn_uid, conn_history and file_id. */
#define SHOAL_UID_SIZE 24
#define SHOAL_HISTORY_SIZE 24
#define SHOAL_FUID_SIZE 24

/*
 * A notice (Zeek's Notice::Info, as a plugin raises it).  The manager (or
 * a standalone node) writes it to notice.log unless a notice with the same
 * note and identifier was written less than suppress_for seconds of network
 * time before, and runs the action programs configured for the note.
 * Strings are borrowed for the call; NULL/unset members are left out of
 * the log ("-").
 */
struct shoal_notice {
    uint32_t size;                 /* sizeof(struct shoal_notice) */
    const char *note;              /* "Module::Name", e.g. "Scan::Port_Scan"; required */
    const char *msg;               /* human-readable message; required */
    const char *sub;               /* sub-message, or NULL */
    const struct shoal_conn *conn; /* the connection it concerns (uid, id), or NULL */
    const struct shoal_addr *src;  /* or NULL */
    const struct shoal_addr *dst;  /* or NULL */
    int32_t p;                     /* port, or -1 */
    uint8_t p_proto;               /* SHOAL_PROTO_TCP/UDP/ICMP of p (0: TCP) */
    bool has_n;                    /* n is set */
    uint64_t n;                    /* a count the notice carries */
    const char *identifier;        /* suppression key, or NULL: never suppressed */
    double suppress_for;           /* seconds; < 0: the configured default (3600) */
#if SHOAL_ABI_TARGET_MINOR >= 1
    /* ---- 2.1: the file a notice is about (notice.log's fuid,
     * file_mime_type, file_desc), each NULL when none ---- */
    const char *fuid;
    const char *file_mime_type;
    const char *file_desc;
#endif
};

/*
 * A distinct-count statistic (Zeek's SumStats with a UNIQUE reducer and a
 * threshold): for each key, the distinct members observed within an epoch
 * that starts at the key's first observation.  The key's count is kept by
 * one node: the proxy that owns the key (rendezvous hashing over the live
 * proxies) in a cluster, the node itself when standalone, so observations
 * spread over many workers add up.  When a key reaches `threshold` distinct
 * members, `crossed` runs once for that epoch, on the node that counts it
 * (a proxy: what it logs or raises goes to the manager like any node's).
 */
struct shoal_sumstat_result {
    const void *key; /* the key as observed */
    size_t klen;
    uint64_t unique; /* distinct members counted (the threshold when crossed) */
    double begin;    /* earliest network time among the key's observations */
    double end;      /* latest network time among them */
};

struct shoal_sumstat {
    uint32_t size;      /* sizeof(struct shoal_sumstat) */
    const char *name;   /* unique per node, [A-Za-z0-9_-][A-Za-z0-9_.-]*, not "proxy.*" */
    uint64_t threshold; /* >= 1, at most SHOAL_SUMSTAT_MAX_THRESHOLD */
    double epoch;       /* seconds, > 0 */
    void (*crossed)(void *arg, const struct shoal_sumstat_result *r);
    void *arg;
};

#define SHOAL_SUMSTAT_MAX_KEY 64
#define SHOAL_SUMSTAT_MAX_THRESHOLD 4096

/*
 * The host table of analyzer and policy plugins (host->analyzer).  Every
 * call takes the plugin's own handle first.  Connection pointers are those
 * the core passed to the current callback.
 */
struct shoal_analyzer_host {
    uint32_t size; /* sizeof(struct shoal_analyzer_host) of the core */

    /*
     * Open (or find, if already opened with the same columns) the log stream
     * `path` (the "#path" name, e.g. "dns").  The field table is borrowed
     * for the life of the plugin.  NULL, after logging why, if a stream of
     * that name exists with other columns or the table is bad.
     */
    struct shoal_stream *(*stream_open)(struct shoal_self *self, const char *path,
                                        const struct shoal_field *fields, size_t nfields);
    /* Write one record: `vals` holds one value per field of the stream
     * (build it by column name: SHOAL_COLUMNS below).  Values are borrowed
     * for the call.  Returns 0 or a negative errno. */
    int (*stream_write)(struct shoal_self *self, struct shoal_stream *s,
                        const struct shoal_value *vals);

    /* The connection's id (originator/responder as conn.log shows them). */
    const struct shoal_conn_id *(*conn_id)(struct shoal_self *self, const struct shoal_conn *c);
    /* Its uid ("C...") into buf; returns buf. */
    const char *(*conn_uid)(struct shoal_self *self, const struct shoal_conn *c,
                            char buf[SHOAL_UID_SIZE]);
    /* Network time of its first and of its last packet. */
    double (*conn_start)(struct shoal_self *self, const struct shoal_conn *c);
    double (*conn_last)(struct shoal_self *self, const struct shoal_conn *c);
    /* conn.log's conn_state as it would be written now ("S0", "SF", "REJ",
     * ...; "OTH" when nothing better applies): a static string. */
    const char *(*conn_state)(struct shoal_self *self, const struct shoal_conn *c);
    /* Its history letters into buf ("" when none); returns buf. */
    const char *(*conn_history)(struct shoal_self *self, const struct shoal_conn *c,
                                char buf[SHOAL_HISTORY_SIZE]);

    /* The calling analyzer recognised its protocol on `c`: its service
     * joins conn.log's service set.  Idempotent. */
    void (*confirm)(struct shoal_self *self, struct shoal_conn *c);

    /* Report a weird (weird.log).  `c` may be NULL for weirds not tied to
     * a connection; `addl` may be NULL; `source` is weird.log's source
     * column: NULL for the plugin's own (an analyzer's service in capitals,
     * e.g. "DNS"), "" for none (as Zeek's script-level weirds). */
    void (*weird)(struct shoal_self *self, struct shoal_conn *c, const char *name, const char *addl,
                  const char *source);

    /* End `c` after `secs` without packets instead of its transport's
     * inactivity timeout (as Zeek's dns_session_timeout does for DNS). */
    void (*conn_set_idle_timeout)(struct shoal_self *self, struct shoal_conn *c, double secs);

    /* Is `a` in the node's local networks (conn.log's local_orig)? */
    bool (*is_local_addr)(struct shoal_self *self, const struct shoal_addr *a);

    /* Raise a notice (see struct shoal_notice).  Returns 0, or -EINVAL for
     * a notice without note or msg (logged). */
    int (*notice)(struct shoal_self *self, const struct shoal_notice *n);

    /*
     * Declare a distinct-count statistic (at init; the definition is
     * borrowed until fini).  Every node of a cluster loads the same plugins
     * with the same settings, so the proxy counting a key knows its
     * threshold and callback.  Returns a handle >= 0, or -EINVAL (bad name,
     * threshold or epoch), -EEXIST (name taken), -ENOSPC (too many).
     */
    int (*sumstat_declare)(struct shoal_self *self, const struct shoal_sumstat *def);
    /* Observe `member` (e.g. a hash of a destination address) for `key`
     * (at most SHOAL_SUMSTAT_MAX_KEY bytes) of statistic `handle`, as of
     * network time `ts` (<= 0: now).  A key's epoch and the begin and end
     * its result reports follow the observations' own times, whatever the
     * order they reach the counting node in. */
    void (*sumstat_observe)(struct shoal_self *self, int handle, const void *key, size_t klen,
                            uint64_t member, double ts);

#if SHOAL_ABI_TARGET_MINOR >= 1
    /* ---- 2.1: what analyzers of files share (check with SHOAL_HAS) ---- */

    /* A new file id ("F" and 17 base62 characters, as Zeek's fuids) into
     * buf; returns buf. */
    const char *(*file_id)(struct shoal_self *self, char buf[SHOAL_FUID_SIZE]);
    /* The MIME type of content starting with data[0..len) as Zeek's file
     * signatures name it ("text/html", "image/png", ...), or NULL: a static
     * string. */
    const char *(*mime_sniff)(struct shoal_self *self, const uint8_t *data, size_t len);
    /* Decode base64 (characters outside the alphabet skipped, '=' ends)
     * into out, which holds len * 3 / 4 + 3 bytes; returns its length. */
    size_t (*base64_decode)(struct shoal_self *self, const char *in, size_t len, char *out);
#endif

#if SHOAL_ABI_TARGET_MINOR >= 3
    /* ---- since 2.3: expected connections (check with SHOAL_HAS) ---- */

    /*
     * Expect a connection, as Zeek's Analyzer::schedule_analyzer does for
     * FTP data channels: every new connection of `proto` from `orig_h`
     * (NULL: from any host) to resp_h:resp_p that starts within `timeout`
     * seconds of network time gets the calling analyzer attached at once
     * (conn_new, then its payload, whatever its port) and `service` (e.g.
     * "ftp-data"; NULL: none) in conn.log's service.  Expecting the same
     * endpoints again renews the expectation.  `cookie` is the analyzer's
     * own handle for it (see conn_expected); use non-zero values.  The
     * node keeps at most 4096 expectations (the one nearest its end makes
     * room).  Returns 0, -EINVAL (bad arguments, or the caller is not an
     * analyzer), -ENOTSUP on a node without connections, or -ENOMEM.
     */
    int (*expect_conn)(struct shoal_self *self, const struct shoal_addr *orig_h,
                       const struct shoal_addr *resp_h, uint16_t resp_p, uint8_t proto,
                       double timeout, const char *service, uint64_t cookie);
    /* The cookie of the expectation that attached the calling analyzer to
     * `c` (from conn_new on), or 0 when its port or a signature did. */
    uint64_t (*conn_expected)(struct shoal_self *self, const struct shoal_conn *c);

    /* ---- since 2.3: protocol violations and hand-over (check with SHOAL_HAS) ---- */

    /* The calling analyzer found that `c` does not (or no longer) speak
     * its protocol (Zeek's analyzer_violation; `reason` may be NULL).  If
     * it had confirmed `c` and the connection carried at most 10 KiB of
     * payload so far (Zeek's DPD::ignore_violations_after), its service
     * leaves conn.log's service again, as Zeek's DPD removes a failed
     * service.  The analyzer then returns SHOAL_AN_DETACH, as Zeek
     * disables it. */
    void (*violation)(struct shoal_self *self, struct shoal_conn *c, const char *reason);

    /* Hand `c` to the analyzer of `service` as well (as Zeek's SMTP, XMPP
     * and IRC analyzers start SSL after STARTTLS): it is attached now and
     * gets the connection's bytes from the next data call on; the caller
     * usually detaches.  Returns 0, -ENOENT (no analyzer of that service
     * loaded), -EEXIST (it is or was attached to `c`), -ENOMEM. */
    int (*attach)(struct shoal_self *self, struct shoal_conn *c, const char *service);

    /* since 2.3: feed `len` bytes of direction `is_orig` to the analyzer of
     * `service` as the caller's child (Zeek's protocol_data_in to a child
     * analyzer, as its QUIC analyzer feeds SSL the TLS handshake it
     * decrypts from CRYPTO frames).  The first call attaches it (len may
     * be 0 for that): a child gets none of the connection's own payload,
     * gaps or FINs, only what its parent delivers, as a TCP stream's
     * in-order bytes whatever the connection's transport.  Its confirm
     * adds its service to conn.log's as any analyzer's.  Returns 0,
     * -ENOENT (no analyzer of that service loaded), -EEXIST (it is
     * attached to `c` as the connection's own analyzer), -EPIPE (it
     * detached: feed it no more), -ENOMEM.  Check with SHOAL_HAS. */
    int (*deliver)(struct shoal_self *self, struct shoal_conn *c, const char *service, bool is_orig,
                   const uint8_t *data, size_t len);
#endif
};

/* ---- analyzers ---------------------------------------------------------- */

/* A port an analyzer is attached to by default (like Zeek's
 * likely_server_ports): `proto` is SHOAL_PROTO_TCP or SHOAL_PROTO_UDP. */
struct shoal_port {
    uint8_t proto;
    uint16_t port;
};

/* Which direction a content signature looks at. */
enum shoal_sig_dir {
    SHOAL_SIG_ORIG = 1,
    SHOAL_SIG_RESP = 2,
    SHOAL_SIG_BOTH = 3,
};

/*
 * A content signature for dynamic protocol detection: a POSIX extended
 * regular expression matched against the first payload bytes (up to 512,
 * a NUL ends the match) a direction of a connection sends.  A match
 * attaches the analyzer to a connection no port claimed.
 */
struct shoal_signature {
    uint8_t proto;
    enum shoal_sig_dir dir;
    const char *regex;
};

/* Return codes of data callbacks. */
enum shoal_an_rc {
    SHOAL_AN_OK = 0,     /* keep feeding me */
    SHOAL_AN_DETACH = 1, /* not mine / finished: stop calling me on this conn */
    /* since 2.3 (data only; a core older than 2.3 takes it for OK: check
     * SHOAL_HAS(host->analyzer, expect_conn) first): my protocol ends here
     * and another may follow on the same stream (HTTP CONNECT, STARTTLS),
     * as Zeek hands a tunnel to protocol detection: detach me, and match
     * the content signatures again on the next bytes of each direction. */
    SHOAL_AN_HANDOFF = 2,
};

/*
 * Ops of an analyzer plugin (descriptor kind SHOAL_PLUGIN_ANALYZER).
 *
 * Per connection the core allocates conn_size zeroed bytes of state (cs) when
 * it attaches the analyzer, calls conn_new, then data/gap/eof as traffic
 * arrives, then conn_done exactly once (when the connection ends, at the
 * end of input, or right after the analyzer returned SHOAL_AN_DETACH) and
 * frees cs.  `ps` is the plugin state init returned.
 *
 * data: UDP: one datagram payload.  TCP: the next in-order bytes of one
 *   direction's reassembled stream.  `data` is valid only during the call.
 * gap: TCP only: `len` bytes of this direction were never seen; the stream
 *   goes on after them.
 * eof: TCP only: this direction sent FIN (or RST) and will send no more.
 */
struct shoal_analyzer_ops {
    uint32_t size;                            /* sizeof(struct shoal_analyzer_ops) */
    const char *service;                      /* conn.log's service name, e.g. "http"; required */
    const struct shoal_port *ports;           /* terminated by a zeroed entry; may be NULL */
    const struct shoal_signature *signatures; /* terminated by a zeroed entry; may be NULL */
    size_t conn_size;
    int (*conn_new)(void *ps, struct shoal_conn *c, void *cs); /* may be NULL */
    int (*data)(void *ps, struct shoal_conn *c, void *cs, bool is_orig, const uint8_t *data,
                size_t len); /* required */
    void (*gap)(void *ps, struct shoal_conn *c, void *cs, bool is_orig, uint64_t len);
    void (*eof)(void *ps, struct shoal_conn *c, void *cs, bool is_orig);
    void (*conn_done)(void *ps, struct shoal_conn *c, void *cs);
#if SHOAL_ABI_TARGET_MINOR >= 3
    /* ---- 2.3 ---- */
    /* More ports the analyzer is attached to, like `ports`, that are not
     * server ports: they do not decide which end of a connection is its
     * originator (Zeek registers DHCP for 68/udp but counts only 67/udp
     * among likely_server_ports).  Terminated by a zeroed entry; may be
     * NULL. */
    const struct shoal_port *client_ports; /* since 2.3 */
    /* Content detection for binary protocols, whose messages hold NUL
     * bytes that end a regex signature's match: on a connection no port
     * claimed, called with the first bytes (up to 512) a direction sent
     * so far, as signatures are tried; `proto` is SHOAL_PROTO_TCP or
     * SHOAL_PROTO_UDP.  Returns true to attach the analyzer.  May be
     * NULL.  Must not keep `data`. */
    bool (*probe)(const uint8_t *data, size_t len, bool is_orig, uint8_t proto);
#endif
};

/* ---- policies ----------------------------------------------------------- */

/*
 * Ops of a policy plugin (descriptor kind SHOAL_PLUGIN_POLICY): events of
 * every connection of the node; at least one is set.
 */
struct shoal_policy_ops {
    uint32_t size; /* sizeof(struct shoal_policy_ops) */
    /* A TCP connection's handshake completed (Zeek's connection_established:
     * the SYN-ACK answered the originator's SYN). */
    void (*conn_established)(void *ps, struct shoal_conn *c);
    /* A connection leaves the table (Zeek's connection_state_remove), after
     * every analyzer's conn_done and before its conn.log record. */
    void (*conn_removed)(void *ps, struct shoal_conn *c);
};

/* ---- log records by column name ------------------------------------------ */

/*
 * A stream's columns are declared once, as a list of X(ID, "name", type,
 * elem) entries; from that one list come the field table handed to
 * stream_open and an enum of column indices, so a record is built by
 * column name and a name that is not a declared column does not compile:
 *
 *   #define DNS_COLUMNS(X) SHOAL_COLUMNS_CONN_ID(X)          \
 *       X(PROTO, "proto", SHOAL_T_ENUM, 0)                   \
 *       X(QUERY, "query", SHOAL_T_STRING, 0)
 *   #define DNS_COL(id, name, type, elem) DNS_COL_##id,
 *   enum dns_col { DNS_COLUMNS(DNS_COL) DNS_NCOLS };
 *   static const struct shoal_field dns_fields[] = {DNS_COLUMNS(SHOAL_COLUMN_FIELD)};
 *
 *   struct shoal_value v[DNS_NCOLS] = {0};          (every column unset)
 *   v[DNS_COL_QUERY] = shoal_v_str(name);
 */
#define SHOAL_COLUMN_FIELD(id, name, type, elem) {name, type, (enum shoal_type)(elem)},

/* The leading columns of every connection-based Zeek log: ts, uid and the
 * four id.* columns (fill the latter with shoal_v_conn_id). */
#define SHOAL_COLUMNS_CONN_ID(X)                                                                   \
    X(TS, "ts", SHOAL_T_TIME, 0)                                                                   \
    X(UID, "uid", SHOAL_T_STRING, 0)                                                               \
    X(ID_ORIG_H, "id.orig_h", SHOAL_T_ADDR, 0)                                                     \
    X(ID_ORIG_P, "id.orig_p", SHOAL_T_PORT, 0)                                                     \
    X(ID_RESP_H, "id.resp_h", SHOAL_T_ADDR, 0)                                                     \
    X(ID_RESP_P, "id.resp_p", SHOAL_T_PORT, 0)

/* Fill the four id.* values (orig_h, orig_p, resp_h, resp_p) starting at
 * v, the value of column id.orig_h. */
static inline void shoal_v_conn_id(struct shoal_value *v, const struct shoal_conn_id *id)
{
    v[0] = shoal_v_addr(&id->orig_h);
    v[1] = shoal_v_count(id->orig_p);
    v[2] = shoal_v_addr(&id->resp_h);
    v[3] = shoal_v_count(id->resp_p);
}

#ifdef __cplusplus
}
#endif

#endif
