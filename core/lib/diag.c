/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Node diagnostics on stderr.  Each message is formatted into one buffer and
 * written with a single write(2) so lines from several threads never mix.
 */
#include "lib/diag.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum shoal_log_level diag_level = SHOAL_LOG_WARNING;

void shoal_diag_set_level(enum shoal_log_level level)
{
    diag_level = level;
}

void shoal_vdiag(enum shoal_log_level level, const char *who, const char *fmt, va_list ap)
{
    static const char *const names[] = {"error: ", "warning: ", "", "debug: "};
    char buf[1024];
    int n;

    if (level > diag_level) {
        return;
    }
    n = snprintf(buf, sizeof(buf), "shoal: %s%s%s%s", who ? "[" : "", who ? who : "",
                 who ? "] " : "", names[level]);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof(buf)) {
        int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
        if (m > 0) {
            n += m;
        }
    }
    if ((size_t)n >= sizeof(buf) - 1) {
        n = sizeof(buf) - 2;
    }
    buf[n++] = '\n';
    (void)!write(STDERR_FILENO, buf, (size_t)n);
}

void shoal_diag(enum shoal_log_level level, const char *who, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    shoal_vdiag(level, who, fmt, ap);
    va_end(ap);
}
