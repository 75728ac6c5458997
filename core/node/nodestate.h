/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lifecycle files of a cluster node in its working directory, for the
 * control shell and for people:
 *
 *   shoal.pid  the pid of the running node, one line.  The node holds an
 *              exclusive flock(2) on it while it runs, so a live holder is
 *              told from a stale file without trusting the pid (which the
 *              kernel may have given to another process since): a node
 *              refuses to start while another process holds the lock, and
 *              replaces a stale file.  Removed at exit; a file left by a
 *              killed node is stale (no lock) and harmless.
 *   status     one word and a newline, written atomically (temporary file
 *              and rename): "initializing" from the start until the node's
 *              sockets are up, "running", "terminating" from SIGTERM or a
 *              control `stop` until the last batches are acknowledged, and
 *              "terminated" once the node has exited cleanly or not (the
 *              exit status is not in the file; the node's stderr has it).
 *              A status other than "terminated" with no live pid file
 *              means the node was killed.
 *
 * Single-threaded: the owner (the node's main thread) calls every function.
 */
#ifndef SHOAL_NODESTATE_H
#define SHOAL_NODESTATE_H

#include <stdbool.h>
#include <sys/types.h>

enum shoal_node_state {
    SHOAL_NODE_INITIALIZING = 0,
    SHOAL_NODE_RUNNING = 1,
    SHOAL_NODE_TERMINATING = 2,
    SHOAL_NODE_TERMINATED = 3,
};

struct shoal_nodestate;

/*
 * Take <workdir>/shoal.pid for node `name` (borrowed for the call) and
 * write "initializing" to <workdir>/status.  Returns 0 and *out, -EBUSY
 * when a live process holds the pid file (logged: "NAME: WORKDIR/shoal.pid:
 * node already running as pid PID"), or another negative errno (logged with
 * the file).
 */
int shoal_nodestate_open(const char *name, const char *workdir, struct shoal_nodestate **out);

/* Write the status word `st` (logged on failure, which is not fatal).
 * Accepts NULL. */
void shoal_nodestate_set(struct shoal_nodestate *ns, enum shoal_node_state st);

/* The current word ("initializing", ...); "unknown" for NULL. */
const char *shoal_nodestate_word(const struct shoal_nodestate *ns);

/* The word of a state; "?" for a bad value. */
const char *shoal_nodestate_name(enum shoal_node_state st);

/* Write "terminated", remove the pid file, release the lock and free.
 * Accepts NULL. */
void shoal_nodestate_close(struct shoal_nodestate *ns);

/*
 * True if a live process holds <workdir>/shoal.pid (its pid in *pid when
 * not NULL and readable, else 0).  For the control shell, on the node's
 * host.
 */
bool shoal_nodestate_running(const char *workdir, pid_t *pid);

/* A node that died without saying so (killed, crashed): write
 * "terminated" to <workdir>/status, as it would have.  -EBUSY while a
 * process holds its pid file; 0 or another negative errno. */
int shoal_nodestate_clear(const char *workdir);

/* What the lifecycle files of a node say, for the shell. */
struct shoal_nodestate_info {
    bool running;    /* a live process holds the pid file */
    pid_t pid;       /* its pid, 0 when none */
    double started;  /* when it took the pid file (its mtime), 0 when none */
    char status[16]; /* the status word, "" when there is no status file */
};

/* Read <workdir>/shoal.pid and <workdir>/status into *out.  Never fails:
 * missing files read as empty. */
void shoal_nodestate_read(const char *workdir, struct shoal_nodestate_info *out);

#endif
