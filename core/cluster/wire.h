/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The message bodies that cross ZeroMQ between cluster nodes, encoded in
 * msgpack with our own codec (mpack.h).  A message is multipart: a topic
 * frame ("log", "notice", "state", "ctl", "hb"), then one body.  Every body
 * is a msgpack array whose first element is the format version
 * (SHOAL_WIRE_VERSION) and whose second is the message type; the rest is
 * positional and fixed per version (see wire.c for the exact layout of
 * each type).  Encoders append to a caller-owned struct shoal_buf and
 * leave it as it was on failure.  The decoder takes untrusted bytes and
 * either fills a struct shoal_wire_msg whose strings and arrays live in an
 * arena freed by shoal_wire_msg_release(), or returns a negative errno
 * with a one-line reason: -EPROTONOSUPPORT for another version, -EBADMSG
 * for a truncated, malformed or mistyped body, -E2BIG for a body past the
 * limits below.  The decoded structs are the encoders' inputs, so whatever
 * decodes can be re-encoded as it is.
 *
 * Stateless: every function is safe to call from any thread on distinct
 * buffers and messages.
 */
#ifndef SHOAL_WIRE_H
#define SHOAL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/types.h>

#include "framework/notice.h"
#include "lib/buf.h"
#include "lib/str.h"

#define SHOAL_WIRE_VERSION 1

/* Limits a decoder enforces (and encoders refuse to exceed) -> -E2BIG. */
#define SHOAL_WIRE_MAX_RECORDS 65536u     /* records per LOG_BATCH */
#define SHOAL_WIRE_MAX_FIELDS 256u        /* columns per stream */
#define SHOAL_WIRE_MAX_STR (1u << 20)     /* bytes per string */
#define SHOAL_WIRE_MAX_ELEMS 65536u       /* elements per set/vector */
#define SHOAL_WIRE_MAX_ARGS 256u          /* control args / reply entries */
#define SHOAL_WIRE_MAX_BODY (64u << 20)   /* bytes per body */
#define SHOAL_WIRE_MAX_OBJECTS (1u << 23) /* msgpack objects per body */
#define SHOAL_WIRE_MAX_NAME 255u          /* node, stream, note, kind names */
/* A value nests at most 2 deep (a set or vector of scalars); counted over
 * the whole body that is 4 levels of arrays: body, records, record, set. */
#define SHOAL_WIRE_MAX_DEPTH 4u

enum shoal_wire_type {
    SHOAL_WIRE_LOG_BATCH = 1,
    SHOAL_WIRE_LOG_ACK = 2,
    SHOAL_WIRE_NOTICE = 3,
    SHOAL_WIRE_STATE_UPDATE = 4,
    SHOAL_WIRE_CONTROL_REQUEST = 5,
    SHOAL_WIRE_CONTROL_REPLY = 6,
    SHOAL_WIRE_HEARTBEAT = 7,
};
#define SHOAL_WIRE_TYPE_LAST SHOAL_WIRE_HEARTBEAT

/* Byte strings (lib/str.h) are NUL-terminated when decoded by
 * shoal_wire_decode; p == NULL means absent (nil) where a field is
 * optional. */

/*
 * A batch of records of one log stream.  `fields` describes the stream so
 * the manager can open it; `records` holds n_records * n_fields values,
 * row-major (record i starts at records + i * n_fields), typed as in
 * shoal/types.h.  Sequence numbers start at 1 and are per (sender, epoch);
 * `epoch` changes whenever the sender restarts (e.g. its start time in ns);
 * `base` (<= seq) is the lowest sequence the sender still holds
 * unacknowledged: everything below it was acknowledged.
 */
struct shoal_wire_log_batch {
    const char *sender; /* node name, [A-Za-z0-9_.-] */
    uint64_t epoch;
    uint64_t seq;
    uint64_t base;
    const char *path; /* stream name, [a-z0-9_-] as shoal_log_open() wants */
    const struct shoal_field *fields;
    size_t n_fields;
    const struct shoal_value *records;
    size_t n_records;
};

/* Acknowledgement of log batches of node `sender` in `epoch`: every batch
 * with a sequence <= `seq` was written. */
struct shoal_wire_log_ack {
    const char *sender;
    uint64_t epoch;
    uint64_t seq;
};

/* A NOTICE body carries a struct shoal_notice_info (framework/notice.h).
 * Workers and proxies send their notices on the log channel, so they are
 * journalled, acknowledged, resent and deduplicated as log records are: a
 * record of the stream SHOAL_WIRE_NOTICE_STREAM has one column
 * (shoal_wire_notice_column) holding one NOTICE body, which the manager
 * decodes and hands to the notice framework instead of writing it. */
#define SHOAL_WIRE_NOTICE_STREAM "notice"
extern const struct shoal_field shoal_wire_notice_column;

/* An update of shared state sent to the proxy owning the key. */
struct shoal_wire_state {
    const char *sender;
    const char *kind; /* "known_hosts", "scan", ... [A-Za-z0-9_.-] */
    struct shoal_str key;
    uint64_t value;
    double expire; /* absolute time, finite */
};

struct shoal_wire_ctl_request {
    uint64_t id;
    const char *command;
    const struct shoal_str *args;
    size_t n_args;
};

struct shoal_wire_kv {
    const char *key;
    struct shoal_str value;
};

struct shoal_wire_ctl_reply {
    uint64_t id;
    int64_t status;
    const struct shoal_wire_kv *items;
    size_t n_items;
};

/* "I am here": sent by a node on its log channel to the manager when it
 * sent nothing else for a second, so the manager knows its peers even when
 * they have nothing to log.  `ts` is the sender's wall clock. */
struct shoal_wire_heartbeat {
    const char *sender;
    uint64_t epoch;
    double ts;
};

struct shoal_wire_arena;

/* A decoded body: `type` says which member of the union is valid. */
struct shoal_wire_msg {
    enum shoal_wire_type type;
    union {
        struct shoal_wire_log_batch batch;
        struct shoal_wire_log_ack ack;
        struct shoal_notice_info notice;
        struct shoal_wire_state state;
        struct shoal_wire_ctl_request req;
        struct shoal_wire_ctl_reply rep;
        struct shoal_wire_heartbeat hb;
    };
    struct shoal_wire_arena *arena; /* private */
};

/*
 * The topic frame for a message type: "log" (batches and acks), "notice",
 * "state", "ctl", "hb" (heartbeats).  Returns a static string, or NULL for an unknown type.
 */
const char *shoal_wire_topic(enum shoal_wire_type type);

/*
 * Check a received topic frame (not NUL-terminated) against the type of the
 * body that followed it.  Returns true if they belong together.
 */
bool shoal_wire_topic_matches(const void *topic, size_t len, enum shoal_wire_type type);

/*
 * Encoders: append one body to `out` (caller-owned).  Inputs are borrowed.
 * Return 0, -EINVAL for an input the decoder would refuse (bad name,
 * unknown field type, base > seq, ...), -E2BIG past a limit, or -ENOMEM;
 * on failure `out` is restored to its previous size.
 */
int shoal_wire_encode_log_batch(struct shoal_buf *out, const struct shoal_wire_log_batch *b);
int shoal_wire_encode_log_ack(struct shoal_buf *out, const struct shoal_wire_log_ack *a);
int shoal_wire_encode_notice(struct shoal_buf *out, const struct shoal_notice_info *n);
int shoal_wire_encode_state(struct shoal_buf *out, const struct shoal_wire_state *s);
int shoal_wire_encode_ctl_request(struct shoal_buf *out, const struct shoal_wire_ctl_request *r);
int shoal_wire_encode_ctl_reply(struct shoal_buf *out, const struct shoal_wire_ctl_reply *r);
int shoal_wire_encode_heartbeat(struct shoal_buf *out, const struct shoal_wire_heartbeat *h);

/* Encode any decoded message again (dispatches on m->type). */
int shoal_wire_encode(struct shoal_buf *out, const struct shoal_wire_msg *m);

/*
 * Incremental LOG_BATCH encoder for the sending hot path: begin with the
 * stream, add records one by one straight into `out`, then end with the
 * sequence numbers (known only when the batch is handed to the resend
 * window).  `fields` and `out` are borrowed until end/abort.  Until end,
 * `out` holds an incomplete body.  Not thread-safe per builder.
 */
struct shoal_wire_batch_enc {
    struct shoal_buf *out;
    const struct shoal_field *fields;
    size_t n_fields;
    size_t start;     /* size of out at begin */
    size_t seq_off;   /* offset of the seq placeholder */
    size_t count_off; /* offset of the records array header */
    size_t n_records;
};

/* Start a batch.  Returns 0, -EINVAL (bad sender, path or fields), -E2BIG
 * (too many fields) or -ENOMEM (out restored). */
int shoal_wire_batch_begin(struct shoal_wire_batch_enc *e, struct shoal_buf *out,
                           const char *sender, uint64_t epoch, const char *path,
                           const struct shoal_field *fields, size_t n_fields);

/* Append one record of n_fields values (borrowed).  Returns 0, -EINVAL (a
 * value the decoder would refuse: port > 65535, bad address length...),
 * -E2BIG (record limit, string or set too long) or -ENOMEM; on failure the
 * record is not added and the batch stays usable. */
int shoal_wire_batch_add(struct shoal_wire_batch_enc *e, const struct shoal_value *vals);

/* Finish the body with its sequence numbers (1 <= base <= seq).  Returns 0
 * or -EINVAL (then the batch stays open). */
int shoal_wire_batch_end(struct shoal_wire_batch_enc *e, uint64_t seq, uint64_t base);

/* Drop an unfinished batch: `out` is restored to its size at begin. */
void shoal_wire_batch_abort(struct shoal_wire_batch_enc *e);

/*
 * Decode one body from untrusted bytes.  `expect` is the type the caller
 * wants, or 0 for any.  On success fills *m (release it with
 * shoal_wire_msg_release) and returns 0.  On failure *m holds nothing to
 * release, err (if not NULL) receives a one-line reason, and the return is
 * -EPROTONOSUPPORT (version), -EBADMSG (truncated, malformed, wrong type,
 * trailing bytes), -E2BIG (limit) or -ENOMEM.  Never reads outside
 * buf[0..len).
 */
int shoal_wire_decode(const uint8_t *buf, size_t len, enum shoal_wire_type expect,
                      struct shoal_wire_msg *m, char *err, size_t errlen);

/* Free the arena of a decoded message (its strings and arrays).  Accepts a
 * message that was never decoded into if it was zeroed. */
void shoal_wire_msg_release(struct shoal_wire_msg *m);

/*
 * One-pass LOG_BATCH decoder for the manager's hot path.  It reads the body
 * once, checking it as it goes, straight into arrays kept between calls:
 * no per-batch allocation once warm, and string values are not copied.
 * shoal_wire_decode(..., SHOAL_WIRE_LOG_BATCH, ...) reads a batch with the
 * same code and copies the result into its arena, so both accept the same
 * bodies with the same values and refuse the others with the same return
 * and reason.
 *
 * Not thread-safe per decoder; distinct decoders are independent.
 */
struct shoal_wire_batch_dec;

/* A decoder with its buffers, or NULL on OOM.  Free with _free. */
struct shoal_wire_batch_dec *shoal_wire_batch_dec_new(void);

/* Free a decoder and what it decoded last; accepts NULL. */
void shoal_wire_batch_dec_free(struct shoal_wire_batch_dec *d);

/*
 * Decode one LOG_BATCH body from untrusted bytes into *b.  Returns 0, or the
 * negative errno shoal_wire_decode would return, with its reason in err (if
 * not NULL); -EINVAL for buf == NULL with len > 0.  On success, b->sender,
 * b->path, b->fields and b->records live in `d` until its next decode or
 * its free; string values point into `buf` (they are not NUL-terminated),
 * so `buf` must stay unchanged as long as *b is used.  On failure *b is
 * zeroed.
 */
int shoal_wire_batch_decode(struct shoal_wire_batch_dec *d, const uint8_t *buf, size_t len,
                            struct shoal_wire_log_batch *b, char *err, size_t errlen);

/* Are two values of a column of type t (elements of type elem) equal?
 * Doubles compare bit for bit, strings by bytes.  For tests and the fuzz
 * target, which compare what was encoded with what was decoded. */
bool shoal_wire_value_eq(enum shoal_type t, enum shoal_type elem, const struct shoal_value *a,
                         const struct shoal_value *b);

/* Name of a message type for log lines ("LOG_BATCH", ...), or "unknown". */
const char *shoal_wire_type_name(enum shoal_wire_type type);

#endif
