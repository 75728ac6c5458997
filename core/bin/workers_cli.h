/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shoal -r FILE --workers N (workers_cli.c): the trace through the dispatch
 * frontend into N worker processes and a manager on this host.
 */
#ifndef SHOAL_BIN_WORKERS_CLI_H
#define SHOAL_BIN_WORKERS_CLI_H

struct shoal_node_opts;

/* Run the manager and n workers of a local cluster of the run's own, and
 * this process as their dispatcher over o->read_file; the manager writes
 * the logs (o->log_dir, else its shoal.cfg's).  Returns the exit status:
 * 0, 1 when a node failed, 2 on bad options. */
int shoal_workers_run(struct shoal_node_opts *o, unsigned n);

#endif
