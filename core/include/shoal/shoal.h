/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one header a Shoal plugin includes.  It declares the host table the
 * core hands to every plugin (logging, allocation, log streams, connection
 * accessors, protocol confirmation, weirds) and the ops table of analyzer
 * plugins.  See analyzers/dns for a complete example and
 * contrib/example-plugin for one built out of tree with pkg-config.
 */
#ifndef SHOAL_SHOAL_H
#define SHOAL_SHOAL_H

#include <shoal/plugin.h>
#include <shoal/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handles. */
struct shoal_stream; /* a log stream (one file, e.g. dns.log) */
struct shoal_conn;   /* a tracked connection; valid only inside callbacks */

/*
 * A notice (Zeek's Notice::Info, as an analyzer raises it).  The manager
 * (or a standalone node) writes it to notice.log unless a notice with the
 * same note and identifier was written less than suppress_for seconds of
 * network time before, and runs the action programs configured for the
 * note.  Strings are borrowed for the call; NULL/unset members are left
 * out of the log ("-").
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
 * Functions of the core available to plugins.  Passed to init; valid until
 * fini returns.  Everything here is called from the packet thread of the
 * node that loaded the plugin, unless noted.
 */
struct shoal_host {
    uint32_t size; /* sizeof(struct shoal_host) of the core */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Write a diagnostic line on the node's log, prefixed "[who]" (use
     * "kind:name", e.g. "analyzer:dns"). */
    void (*logf)(enum shoal_log_level level, const char *who, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* Allocation; calloc semantics for alloc.  free accepts NULL. */
    void *(*alloc)(size_t n);
    void (*free)(void *p);

    /*
     * Open (or find, if already opened with the same columns) the log stream
     * `path` (the "#path" name, e.g. "dns").  The field table is borrowed
     * for the life of the plugin.  Returns NULL, after logging why, if a
     * stream of that name exists with other columns.
     */
    struct shoal_stream *(*stream_open)(const char *path, const struct shoal_field *fields,
                                        size_t nfields);
    /* Write one record: `vals` holds one value per field of the stream.
     * Values are borrowed for the call.  Returns 0 or a negative errno. */
    int (*stream_write)(struct shoal_stream *s, const struct shoal_value *vals);

    /* Current network time (timestamp of the packet being processed). */
    double (*network_time)(void);

    /* The connection's id (originator/responder as conn.log shows them),
     * its uid string ("C..."), and its start time. */
    const struct shoal_conn_id *(*conn_id)(const struct shoal_conn *c);
    const char *(*conn_uid)(const struct shoal_conn *c);
    double (*conn_start)(const struct shoal_conn *c);

    /* The calling analyzer recognised its protocol on `c`: adds `service`
     * (e.g. "dns") to conn.log's service set.  Idempotent. */
    void (*confirm)(struct shoal_conn *c, const char *service);

    /* Report a weird (weird.log).  `c` may be NULL for weirds not tied to
     * a connection; `addl` may be NULL; `source` names the reporter
     * ("HTTP", "DNS", ...). */
    void (*weird)(struct shoal_conn *c, const char *name, const char *addl, const char *source);

    /* End `c` after `secs` without packets instead of its transport's
     * inactivity timeout (as Zeek's dns_session_timeout does for DNS). */
    void (*conn_set_idle_timeout)(struct shoal_conn *c, double secs);

    /* ---- ABI 1.1 (check with SHOAL_HOST_HAS) ---- */

    /* The connection's conn_state as conn.log would write it now ("S0",
     * "SF", "REJ", ...; "OTH" when nothing better applies) and its history
     * letters ("" when none).  Valid until the next call on this thread. */
    const char *(*conn_state)(const struct shoal_conn *c);
    const char *(*conn_history)(const struct shoal_conn *c);

    /* Is `a` in the node's local networks (conn.log's local_orig)? */
    bool (*is_local_addr)(const struct shoal_addr *a);

    /* Raise a notice (see struct shoal_notice).  Returns 0, or -EINVAL for
     * a notice without note or msg (logged). */
    int (*notice)(const struct shoal_notice *n);

    /*
     * Declare a distinct-count statistic (at init; the definition is
     * borrowed until fini).  Every node of a cluster loads the same plugins
     * with the same settings, so the proxy counting a key knows its
     * threshold and callback.  Returns a handle >= 0, or -EINVAL (bad name,
     * threshold or epoch), -EEXIST (name taken), -ENOSPC (too many).
     */
    int (*sumstat_declare)(const struct shoal_sumstat *def);

    /* Observe `member` (e.g. a hash of a destination address) for `key`
     * (at most SHOAL_SUMSTAT_MAX_KEY bytes) of statistic `handle`, as of
     * network time `ts` (<= 0: now).  A key's epoch and the begin and end
     * its result reports follow the observations' own times, whatever the
     * order they reach the counting node in. */
    void (*sumstat_observe)(int handle, const void *key, size_t klen, uint64_t member, double ts);

    /* Network time of the connection's last packet. */
    double (*conn_last)(const struct shoal_conn *c);
};

#define SHOAL_HOST_HAS(host, member)                                                               \
    ((host)->size >= offsetof(struct shoal_host, member) + sizeof((host)->member))

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
    const char *service;                      /* name in conn.log's service column, e.g. "http" */
    const struct shoal_port *ports;           /* terminated by a zeroed entry; may be NULL */
    const struct shoal_signature *signatures; /* terminated by a zeroed entry; may be NULL */
    size_t conn_size;
    int (*conn_new)(void *ps, struct shoal_conn *c, void *cs);
    int (*data)(void *ps, struct shoal_conn *c, void *cs, bool is_orig, const uint8_t *data,
                size_t len);
    void (*gap)(void *ps, struct shoal_conn *c, void *cs, bool is_orig, uint64_t len);
    void (*eof)(void *ps, struct shoal_conn *c, void *cs, bool is_orig);
    void (*conn_done)(void *ps, struct shoal_conn *c, void *cs);

    /* ---- ABI 1.1: events of every connection, whether or not this
     * analyzer is attached to it (for policy plugins such as scan
     * detection); either may be NULL.  An analyzer with no ports and no
     * signatures is never attached and only sees these. ---- */

    /* A TCP connection's handshake completed (Zeek's connection_established:
     * the SYN-ACK answered the originator's SYN). */
    void (*conn_established)(void *ps, struct shoal_conn *c);
    /* A connection leaves the table (Zeek's connection_state_remove), after
     * every conn_done and before its conn.log record. */
    void (*conn_removed)(void *ps, struct shoal_conn *c);
};

#ifdef __cplusplus
}
#endif

#endif
