/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reliable log batches, both ends.
 *
 * Sender: a window of encoded batches not yet acknowledged by the manager,
 * keyed by sequence number (consecutive, from 1).  Batches are kept in
 * memory up to `mem_max` bytes; past that they are appended to a spill file
 * in `spill_dir` (length-prefixed records, read back in order); past
 * `disk_max` bytes of spill file a batch is refused and counted as dropped.
 * A refused batch does not consume its sequence number, so the receiver
 * never sees a gap.  Acknowledged records at the front of the spill file
 * are reclaimed by moving the live ones down when the bound is reached.
 * ack(seq) frees everything up to seq and moves spilled
 * batches back into memory as room frees up; for_each_unacked() yields
 * every held batch in order, for the resend after a reconnect.  The spill
 * file is anonymous (O_TMPFILE, or unlinked at once), so it never outlives
 * the process.
 *
 * Receiver: a dedup tracker that tells the manager whether batch (sender,
 * epoch, seq) was already written: per sender it keeps the epoch (a new
 * sender incarnation starts over), the highest contiguous sequence written
 * and a small sorted set of sequences written above it.  Its state can be
 * saved to a file and loaded at start, so a resend after a manager restart
 * neither loses nor duplicates.
 *
 * Neither object is thread-safe: each is used by one thread.
 */
#ifndef SHOAL_RESEND_H
#define SHOAL_RESEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shoal_resend;

struct shoal_resend_stats {
    uint64_t mem_batches;     /* held in memory now */
    uint64_t mem_bytes;       /* their payload bytes */
    uint64_t spill_batches;   /* held in the spill file now */
    uint64_t spill_bytes;     /* their payload bytes */
    uint64_t spill_file;      /* size of the spill file (records and headers) */
    uint64_t spilled;         /* batches ever written to the spill file */
    uint64_t acked;           /* batches freed by acknowledgements */
    uint64_t compactions;     /* spill file rewrites to reclaim acknowledged space */
    uint64_t dropped_batches; /* refused past every bound */
    uint64_t dropped_bytes;
};

/*
 * A window keeping up to mem_max payload bytes in memory and up to disk_max
 * bytes of spill file in spill_dir (borrowed; NULL or disk_max 0: no
 * spill).  The first sequence number is 1.  Returns an owned window (free
 * with shoal_resend_free) or NULL on OOM.  The directory is opened at the
 * first spill.
 */
struct shoal_resend *shoal_resend_new(const char *spill_dir, size_t mem_max, uint64_t disk_max);

/* Free the window, its batches and its spill file.  Accepts NULL. */
void shoal_resend_free(struct shoal_resend *w);

/* The sequence number the next batch must carry. */
uint64_t shoal_resend_next_seq(const struct shoal_resend *w);

/*
 * Make `seq` (> 0) the next sequence of an empty window that never held a
 * batch: a sender that continues an earlier incarnation's sequence (from
 * its journal) starts there.  Returns 0 or -EINVAL.
 */
int shoal_resend_start_at(struct shoal_resend *w, uint64_t seq);

/* The lowest sequence still held (== next_seq when nothing is): the
 * LOG_BATCH `base`. */
uint64_t shoal_resend_base(const struct shoal_resend *w);

/*
 * Hold a copy of batch `seq` (len bytes, borrowed).  seq must equal
 * shoal_resend_next_seq() (else -EINVAL).  Returns 0 when held (in memory or
 * spilled), or -ENOBUFS when refused past the bounds, or the negative errno
 * of a failed spill write (then also counted as dropped); a refused batch
 * must not be sent and its sequence number is used by the next batch.
 */
int shoal_resend_add(struct shoal_resend *w, uint64_t seq, const void *buf, size_t len);

/*
 * Acknowledge every batch up to and including seq: freed, spilled batches
 * read back into memory as room allows.  An old seq is a no-op.  Returns 0,
 * -EINVAL if seq was never added, or a negative errno from reading the
 * spill file (the batches stay held).
 */
int shoal_resend_ack(struct shoal_resend *w, uint64_t seq);

/* Callback of shoal_resend_for_each_unacked: buf is valid for the call
 * only.  Return 0 to go on, anything else to stop. */
typedef int (*shoal_resend_cb)(void *ctx, uint64_t seq, const void *buf, size_t len);

/*
 * Call cb on every held batch in sequence order.  Returns 0, the first
 * non-zero value of cb, or a negative errno from reading the spill file
 * (-EIO if it does not hold what was written).
 */
int shoal_resend_for_each_unacked(struct shoal_resend *w, shoal_resend_cb cb, void *ctx);

/* Copy the counters into *out. */
void shoal_resend_stats(const struct shoal_resend *w, struct shoal_resend_stats *out);

/* ------------------------------------------------------------------------ */

struct shoal_dedup;

/* Verdicts of shoal_dedup_check (errors are negative). */
enum shoal_dedup_verdict {
    SHOAL_DEDUP_NEW = 0, /* not written yet: write it, then shoal_dedup_mark */
    SHOAL_DEDUP_DUP = 1, /* already written: drop it, acknowledge again */
};

/*
 * A tracker holding up to max_pending out-of-order sequences per sender and
 * up to max_senders senders.  Returns an owned tracker (free with
 * shoal_dedup_free) or NULL on OOM or zero limits.
 */
struct shoal_dedup *shoal_dedup_new(size_t max_pending, size_t max_senders);

/* Free the tracker.  Accepts NULL. */
void shoal_dedup_free(struct shoal_dedup *d);

/*
 * Was batch (sender, epoch, seq) written?  `base` is the batch's base:
 * everything below it was acknowledged, so counts as written.  A newer
 * epoch than the sender's last resets its state.  Returns a verdict, or
 * -ESTALE (an epoch older than the sender's current one), -ENOBUFS (seq is
 * too far ahead: the pending set is full, or too many senders; drop it,
 * the sender resends it), -EINVAL (seq 0 or base > seq) or -ENOMEM.
 * sender is borrowed.
 */
int shoal_dedup_check(struct shoal_dedup *d, const char *sender, uint64_t epoch, uint64_t base,
                      uint64_t seq);

/*
 * Record that batch (sender, epoch, seq) was written.  Call after a check
 * that said NEW.  Returns 0, -ESTALE, -ENOBUFS, -EINVAL or -ENOMEM as
 * check does.
 */
int shoal_dedup_mark(struct shoal_dedup *d, const char *sender, uint64_t epoch, uint64_t seq);

/*
 * The highest contiguous sequence written for (sender, epoch), 0 if none:
 * what a LOG_ACK carries.
 */
uint64_t shoal_dedup_acked(const struct shoal_dedup *d, const char *sender, uint64_t epoch);

/*
 * Save the state to `path` (written to path.tmp, synced, renamed over
 * path).  Returns 0 or a negative errno.
 */
int shoal_dedup_save(const struct shoal_dedup *d, const char *path);

/*
 * Replace the state with the one saved in `path`.  Returns 0, -ENOENT if
 * there is no file (the state is left empty), -EBADMSG if the file is
 * malformed (a sender twice, more senders or pending sequences than this
 * tracker holds included; the state is left empty), or another negative
 * errno.
 */
int shoal_dedup_load(struct shoal_dedup *d, const char *path);

#endif
