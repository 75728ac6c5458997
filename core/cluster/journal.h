/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's journal: the resend window (resend.h) on disk, so that log
 * batches a node sealed but the manager never acknowledged outlive the
 * node itself -- a kill -9, a crash, or a stop that gave up waiting for
 * acknowledgements.  The next start of the node reads them back, sends
 * them again under the same epoch and sequence numbers (the manager's
 * dedup drops what it already wrote) and goes on with the sequence.
 *
 * One file, `<workdir>/log.journal`:
 *   header  "SHOALJ1\0", u64 epoch, u64 first_seq, u64 flags (bit 0: the
 *           node stopped cleanly with batches left unacknowledged)
 *   records u64 seq, u32 len, u32 crc32 of the bytes, then the bytes: a
 *           batch; len 0xffffffff (no bytes): everything up to seq was
 *           acknowledged
 * all little-endian.  Batches are appended as they are sealed, an
 * acknowledgement appends a 16-byte record, and the file is cut back to its
 * header whenever the window empties (the usual case: a manager that keeps
 * up leaves a file of 32 bytes).  When it grows past twice what the window
 * holds (and 64 MiB), it is rewritten from the window into a new file that
 * replaces it atomically.  A record cut short or failing its checksum ends
 * what is read back.  Nothing is fsync'ed: the journal survives the
 * process, not the machine.
 *
 * Not thread-safe: one thread (the node's log link) uses it.
 */
#ifndef SHOAL_JOURNAL_H
#define SHOAL_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster/resend.h"

/* What shoal_journal_recover found. */
struct shoal_journal_info {
    uint64_t epoch;    /* the earlier incarnation's epoch; 0: nothing to resume */
    uint64_t next_seq; /* the sequence after the last batch read back */
    uint64_t batches;  /* unacknowledged batches read back */
    uint64_t bytes;    /* and their bytes */
    bool unclean;      /* the earlier run did not stop cleanly (killed, crashed) */
    bool damaged;      /* a record was cut short or failed its checksum */
};

struct shoal_journal;

/*
 * Read the journal at `path` left by an earlier run: cb receives every
 * unacknowledged batch in sequence order (consecutive; buf valid for the
 * call).  A missing file is no error (*info zeroed).  Returns 0, the first
 * non-zero value of cb, -EBADMSG when the file is not a journal, or
 * another negative errno.
 */
int shoal_journal_recover(const char *path, shoal_resend_cb cb, void *ctx,
                          struct shoal_journal_info *info);

/* A journal at `path` (copied), not open until the first rewrite.  NULL on
 * OOM. */
struct shoal_journal *shoal_journal_new(const char *path);

/*
 * Replace the file with one holding the window's batches under `epoch`
 * (written to "<path>.new", then renamed over it).  Also makes a journal
 * that failed a write usable again.  Returns 0 or a negative errno.
 */
int shoal_journal_rewrite(struct shoal_journal *j, uint64_t epoch, struct shoal_resend *w);

/*
 * Append batch seq.  Returns 0, or a negative errno when the write failed:
 * then the journal stops recording until its next rewrite or reset (the
 * window still holds the batch; only its survival of a crash is lost).
 */
int shoal_journal_append(struct shoal_journal *j, uint64_t seq, const void *buf, size_t len);

/*
 * Everything up to seq was acknowledged.  When that empties the window the
 * file is cut back to its header; when the file is past twice the window's
 * bytes (and 64 MiB) it is rewritten from the window.  Returns 0 or a
 * negative errno.
 */
int shoal_journal_ack(struct shoal_journal *j, uint64_t seq, struct shoal_resend *w);

/* True when the journal stopped recording after a failed write. */
bool shoal_journal_broken(const struct shoal_journal *j);

/*
 * Close at a clean stop: the file is removed when the window is empty,
 * else marked as stopped cleanly, for the next start to send again.
 * Frees j.  Returns 0 or a negative errno.  Accepts NULL.
 */
int shoal_journal_close(struct shoal_journal *j, struct shoal_resend *w);

/* Free without touching the file (an error path).  Accepts NULL. */
void shoal_journal_free(struct shoal_journal *j);

#endif
