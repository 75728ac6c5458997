/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The processes of one `process` run on this host, and its folders.  Each
 * child (a standalone node, or a cluster's manager, proxy and workers) is
 * spawned with its standard output and error on one pipe that the run
 * reads as they come: a worker's progress lines ("TRACE:  42.0%  N
 * packets ...") become one combined line on a terminal, its other lines
 * are kept (the last few KiB) for the report or for an error.  Workers
 * end by themselves; services (the manager, a proxy) are stopped with
 * SIGTERM once the workers are done, and SIGKILL when they do not exit in
 * time.  One poll loop watches every pipe: a child that ends closes its
 * pipe and wakes it, so nothing is polled on a clock but the progress
 * line.
 *
 * Single-threaded: the shell's thread.
 */
#ifndef PROCESS_RUN_H
#define PROCESS_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes of a child's output kept. */
#define PROCESS_TAIL 4096

struct process_child {
    char name[64]; /* the node's name, for messages */
    bool service;  /* runs until stopped (manager, proxy); else a worker */
    pid_t pid;     /* 0 once reaped */
    int fd;        /* its output; -1 at end of file */
    int status;    /* once reaped: exit status, 128 + N when killed by signal N; else -1 */
    /* its last progress line */
    bool has_progress;
    double pct;
    unsigned long long packets;
    /* the line being read, and the lines kept */
    char line[512];
    size_t line_len;
    char tail[PROCESS_TAIL];
    size_t tail_len;
};

/* Start argv (argv[0] a path or a name in PATH) as child c called `name`:
 * standard input /dev/null, output and errors on a pipe, a process group
 * of its own (a ^C on the terminal reaches the shell, which stops the
 * nodes in order) and SIGTERM should the shell die.  Returns 0 once it
 * runs the program, or a negative errno, exec's included (c->pid 0,
 * c->status 127). */
int process_spawn(struct process_child *c, const char *name, bool service, const char *const *argv);

/*
 * Read the n children's output until every worker among them has exited,
 * or a child failed (a worker exited with a non-zero status, a service
 * exited at all), or *stop became non-zero.  With `label` (not NULL) a
 * combined progress line "LABEL:  42.0%  N packets, W workers" is drawn
 * on standard error every half second, ended by a newline.  Returns 0,
 * -ECHILD when a child failed (its status says which), -EINTR on *stop.
 */
int process_watch(struct process_child *c, size_t n, const char *label,
                  volatile sig_atomic_t *stop);

/* Stop child c (SIGTERM, SIGKILL after `timeout` seconds), reading its
 * output until it exits.  Returns its exit status.  A child that has
 * exited already only has its output read to the end. */
int process_stop(struct process_child *c, double timeout);

/* Close what is left of child c (its pipe); it must have been stopped. */
void process_child_close(struct process_child *c);

/* Parse one progress line of shoal ("...: 42.0%  123 packets ...").
 * True when it is one. */
bool process_parse_progress(const char *line, double *pct, unsigned long long *packets);

/* Remove `path` and everything below it (no symbolic link followed).  0 or
 * a negative errno. */
int process_rmtree(const char *path);

/* Create `path` and its missing parents, mode 0755.  0 or a negative errno. */
int process_mkdirs(const char *path);

#endif
