/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diagnostics of the node itself (not log records): one line per message on
 * stderr, "shoal: [who] message".  Used by the core and, through the host
 * table, by plugins.  Verbosity is set once at start-up.
 */
#ifndef SHOAL_DIAG_H
#define SHOAL_DIAG_H

#include <stdarg.h>

#include <shoal/plugin.h>

/* Set the most verbose level printed (default SHOAL_LOG_WARNING). */
void shoal_diag_set_level(enum shoal_log_level level);

/* Print one diagnostic line.  `who` may be NULL.  Thread-safe (one write). */
void shoal_diag(enum shoal_log_level level, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void shoal_vdiag(enum shoal_log_level level, const char *who, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define shoal_err(who, ...) shoal_diag(SHOAL_LOG_ERROR, who, __VA_ARGS__)
#define shoal_warn(who, ...) shoal_diag(SHOAL_LOG_WARNING, who, __VA_ARGS__)
#define shoal_info(who, ...) shoal_diag(SHOAL_LOG_INFO, who, __VA_ARGS__)

#endif
