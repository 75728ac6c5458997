/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hosts the nodes run on, as the shell reaches them: programs run
 * directly on this host, and over OpenSSH on every other one (key-based,
 * BatchMode, one master connection per host reused by every command, so a
 * status of twenty nodes costs one handshake per host).  No value ever
 * reaches a shell unquoted: a local program is exec'ed with its argv, and
 * the command line ssh hands to the remote shell quotes every argument.
 * Files go to other hosts with rsync over the same ssh connection.
 *
 * Single-threaded: the shell's thread.
 */
#ifndef SHOAL_HOSTS_H
#define SHOAL_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

struct shoal_run_result;
struct shoal_hosts;

/*
 * A new set of connections; `control_dir` (borrowed, must exist, mode
 * 0700) holds the ssh master sockets.  NULL on ENOMEM.
 */
struct shoal_hosts *shoal_hosts_new(const char *control_dir);

/* Close every ssh master connection and free.  Accepts NULL. */
void shoal_hosts_free(struct shoal_hosts *h);

/* Is `host` this host (localhost, a loopback address, or this host's
 * name)? */
bool shoal_hosts_is_local(const char *host);

/*
 * Run argv (argv[0] a program: a path, or a name looked up in PATH) on
 * `host`, feeding `input` (NULL: nothing) to its standard input and
 * collecting its output; killed after `timeout` seconds (<= 0: none).
 * Fills *res (free its buffers with free()).  Returns 0 when the program
 * ran (its exit status in res->status, 124 when it was killed for time),
 * or a negative errno when it could not be started (res->err says why).
 */
int shoal_hosts_run(struct shoal_hosts *h, const char *host, const char *const *argv,
                    const char *input, double timeout, struct shoal_run_result *res);

/*
 * Copy the local files or folders `paths` into the folder `dest` on
 * `host` (created if missing), with rsync over ssh; on this host, nothing
 * to do when dest already holds them (the same path), else a local rsync.
 * Returns 0 or a negative errno (err: rsync's message).
 */
int shoal_hosts_copy(struct shoal_hosts *h, const char *host, const char *const *paths,
                     const char *dest, char *err, size_t errlen);

/*
 * The distinct hosts among n host names: group[i] receives the index of
 * hosts[i]'s host, numbered 0, 1, ... in the order each first comes.  Two
 * names are one host when shoal_layout_same_host says so or both are this
 * host (shoal_hosts_is_local).  Returns the number of distinct hosts.
 */
size_t shoal_hosts_group(const char *const *hosts, size_t n, size_t *group);

/*
 * Close every ssh master connection `h` opened, and remove every socket
 * left in its control folder (also those of shells before it that did not
 * close theirs).  0, or a negative errno with err naming the file.
 */
int shoal_hosts_forget(struct shoal_hosts *h, char *err, size_t errlen);

/* The remote shell command line for argv: each argument single-quoted.
 * NULL on ENOMEM; free() it. */
char *shoal_hosts_quote(const char *const *argv);

#endif
