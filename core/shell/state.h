/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the shell keeps across runs (<spool>/state.db): "key = value"
 * lines, such as cron.enabled or the time of the last log rotation.  Keys
 * are [a-z0-9_.-]+; values one printable line.  The file is rewritten
 * whole through a temporary file and rename, so a crash leaves the old one
 * or the new one.  Read once, kept in memory, written at each change.
 *
 * Single-threaded.
 */
#ifndef SHOAL_STATE_H
#define SHOAL_STATE_H

struct shoal_state;

/* Load <spool>/state.db (a missing file is an empty state).  0 and *out,
 * or a negative errno (logged with the file). */
int shoal_state_open(const char *spool, struct shoal_state **out);

void shoal_state_close(struct shoal_state *s);

/* The value of `key`, or NULL; valid until the next set. */
const char *shoal_state_get(const struct shoal_state *s, const char *key);

/* Set (value NULL: remove) and write the file.  0, -EINVAL (a bad key or
 * value), or a negative errno (logged). */
int shoal_state_set(struct shoal_state *s, const char *key, const char *value);

#endif
