/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Log streams: one file per stream (conn.log, dns.log, ...), written in
 * Zeek's ASCII (TSV) format with its exact header lines, or as JSON lines.
 * A file is created on the stream's first record, as Zeek does; writes go
 * through a large buffer and reach the disk in batches.
 *
 * A logger may instead hand every record to a sink (shoal_logger_set_sink):
 * a cluster worker batches them for the manager and writes no file.  The
 * manager writes what it receives through an ordinary logger and, to know
 * what reached its files, syncs a stream and reads its size
 * (shoal_log_stream_sync).
 *
 * Not thread-safe: one logger per writing thread.
 */
#ifndef SHOAL_LOG_H
#define SHOAL_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/buf.h"
#include <shoal/types.h>

struct shoal_logger;
struct shoal_stream;

/* Create a logger writing into directory `dir` in format `fmt`.  NULL on
 * OOM.  The directory must exist (it is checked at the first write). */
struct shoal_logger *shoal_logger_new(const char *dir, enum shoal_log_format fmt);

/* Write the #close line of every open file, close them and free.  Returns
 * 0 or the first negative errno met while flushing (the error is logged).
 * Accepts NULL. */
int shoal_logger_free(struct shoal_logger *l);

/* Flush buffered records to the files.  Returns 0, or -EIO when a stream
 * failed to be written now or before (each failure logged once, naming
 * the file): records were lost. */
int shoal_logger_flush(struct shoal_logger *l);

/* Columns a stream has at most (the cluster's wire carries as many). */
#define SHOAL_LOG_MAX_FIELDS 256

/*
 * Find or create the stream `path` with the given columns (copied: names
 * printable without blanks and unique, types known, at most
 * SHOAL_LOG_MAX_FIELDS).  Returns NULL if `path` exists with different
 * columns, or is not a valid name ([a-z0-9_-]+), or the columns are bad,
 * or on OOM; logged.
 */
struct shoal_stream *shoal_log_open(struct shoal_logger *l, const char *path,
                                    const struct shoal_field *fields, size_t nfields);

/* Write one record (one value per column).  Returns 0 or a negative errno
 * (the first failure on a stream is logged with the file name). */
int shoal_log_write(struct shoal_stream *s, const struct shoal_value *vals);

/*
 * A sink called for every record instead of writing it to a file: `s` is
 * the stream (see the accessors below), `vals` are borrowed for the call.
 * Returns 0 or a negative errno, which shoal_log_write returns.
 */
typedef int (*shoal_log_sink_fn)(void *arg, struct shoal_stream *s, const struct shoal_value *vals);

/*
 * Bounds on what one record writes, as Zeek's logging framework (8.1)
 * applies them before any writer or remote node sees the record: a string
 * (or a string inside a set or vector) is cut to field_string_bytes, a set
 * or vector to its first field_container_elements, and once a record holds
 * total_string_bytes of strings or total_container_elements of elements,
 * the strings and elements after that are cut to what is left (empty).
 * 0: no bound.  Each record cut is reported through the weird hook, as
 * Zeek's weirds log_string_field_truncated and
 * log_container_field_truncated with the stream's path as addl: the
 * first 1000 of each name, then every 1000th (Zeek's weird sampling).
 */
struct shoal_log_limits {
    size_t field_string_bytes;       /* 4096 */
    size_t field_container_elements; /* 100 */
    size_t total_string_bytes;       /* 256000 */
    size_t total_container_elements; /* 500 */
};
typedef void (*shoal_log_weird_fn)(void *arg, const char *name, const char *addl);

/* The limits of cfg's log group. */
void shoal_log_limits_config(const struct shoal_config *cfg, struct shoal_log_limits *out);

/* Apply `lim` (copied) to every stream of the logger but those marked
 * unlimited; report cuts to weird(arg, ...) when weird is not NULL. */
void shoal_logger_set_limits(struct shoal_logger *l, const struct shoal_log_limits *lim,
                             shoal_log_weird_fn weird, void *arg);

/* Exempt stream s from the limits (a stream whose records are not text
 * for people, such as the notices a worker sends to the manager). */
void shoal_log_stream_unlimited(struct shoal_stream *s);

/* Send every record of the logger's streams to fn(arg, ...) from now on;
 * fn NULL writes files again.  No file is opened for a record that goes to
 * the sink.  `arg` is borrowed and must outlive the logger or the sink. */
void shoal_logger_set_sink(struct shoal_logger *l, shoal_log_sink_fn fn, void *arg);

/* A stream's name ("conn") and its columns (*n receives their count).  The
 * strings and the field table live as long as the stream. */
const char *shoal_log_stream_path(const struct shoal_stream *s);
const struct shoal_field *shoal_log_stream_fields(const struct shoal_stream *s, size_t *n);

/* One pointer a sink may keep per stream (NULL until set); not freed by the
 * logger. */
void *shoal_log_stream_data(const struct shoal_stream *s);
void shoal_log_stream_set_data(struct shoal_stream *s, void *data);

/*
 * Push the stream's buffered records to its file (fflush: in the kernel,
 * safe from a kill of the process, not from a crash of the host) and store
 * the file's size in *size (0 when no file was created yet).  Returns 0 or
 * a negative errno (logged with the file name).
 */
int shoal_log_stream_sync(struct shoal_stream *s, uint64_t *size);

/* Records written so far to all streams. */
uint64_t shoal_logger_records(const struct shoal_logger *l);

/* Format one record as a TSV line or a JSON object (no newline), appending
 * to b.  Exposed for tests.  Returns 0 or -ENOMEM. */
int shoal_log_format_tsv(struct shoal_buf *b, const struct shoal_field *fields, size_t n,
                         const struct shoal_value *vals);
int shoal_log_format_json(struct shoal_buf *b, const struct shoal_field *fields, size_t n,
                          const struct shoal_value *vals);

/* Zeek's type names ("count", "set[string]", ...) of a field. */
const char *shoal_log_type_name(const struct shoal_field *f, char *buf, size_t len);

#endif
