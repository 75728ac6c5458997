/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shell's lock: every command that changes or asks the cluster holds
 * <spool>/shoalctl.lock while it runs, so two shells never start or stop
 * the same nodes at once.  It is a flock(2) on the file, which the kernel
 * drops when its holder dies: a lock is never left stale by a crashed or
 * killed shell.  The file holds the holder's pid, for the message a second
 * shell prints while it waits; commands bound every wait on a node with a
 * time-out, so a hung node cannot keep the lock held.
 */
#ifndef SHOAL_LOCK_H
#define SHOAL_LOCK_H

struct shoal_lock;

/*
 * Take the lock in folder `spool`, waiting up to `timeout` seconds for
 * another shell to let go (saying so on stderr once, with its pid).
 * Returns 0 and *out, -ETIMEDOUT (logged with the holder's pid), or
 * another negative errno (logged with the file).
 */
int shoal_lock_take(const char *spool, double timeout, struct shoal_lock **out);

/* Let go and free.  Accepts NULL. */
void shoal_lock_release(struct shoal_lock *l);

#endif
