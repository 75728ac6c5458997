/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MIME types of file contents (see mime.c), for every analyzer that sees
 * files (http, smtp, ftp).  Stateless and thread-safe.
 */
#ifndef SHOAL_MIME_H
#define SHOAL_MIME_H

#include <stddef.h>
#include <stdint.h>

/* The MIME type of content starting with data[0..len) ("image/png",
 * "text/html", "text/json", "text/plain", ...), or NULL when nothing
 * matches.  The string is static. */
const char *shoal_mime_sniff(const uint8_t *data, size_t len);

#endif
