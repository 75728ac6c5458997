/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The helpers of Zeek's FTP scripts and functions, over borrowed bytes:
 * PORT/PASV and EPRT/EPSV arguments (parse_ftp_port, parse_ftp_pasv,
 * parse_eftp_port, parse_ftp_epsv), the number of a reply (extract_count),
 * the path in a PWD reply (extract_path), and path building as
 * build_path_compressed does it.  No allocation.
 */
#ifndef SHOAL_FTP_UTIL_H
#define SHOAL_FTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoal/types.h>

/* A data channel endpoint as Zeek's ftp_port record. */
struct ftp_port {
    struct shoal_addr h;
    uint16_t p;
    bool valid;
    bool unspecified; /* EPSV without an address (Zeek's [::]) */
};

/* "h1,h2,h3,h4,p1,p2" (PORT's argument). */
struct ftp_port ftp_parse_port(const char *s, size_t n);
/* A 227 reply's text: the six numbers after '(' or "PORT" or around a comma. */
struct ftp_port ftp_parse_pasv(const char *s, size_t n);
/* EPRT's argument: "|proto|addr|port|" with any delimiter. */
struct ftp_port ftp_parse_eprt(const char *s, size_t n);
/* A 229 reply's text: "(|||port|)". */
struct ftp_port ftp_parse_epsv(const char *s, size_t n);

/* The first (or last) run of digits in s as a count; 0 when none. */
uint64_t ftp_extract_count(const char *s, size_t n, bool first);

/* The path of a PWD reply (quoted first, else the first absolute path)
 * into out (size outsz); returns its length, 0 when none. */
size_t ftp_extract_path(const char *s, size_t n, char *out, size_t outsz);

/* build_path_compressed(dir, name) into out (size outsz, NUL-ended);
 * returns its length (truncated to outsz - 1). */
size_t ftp_build_path(const char *dir, size_t dlen, const char *name, size_t nlen, char *out,
                      size_t outsz);

#endif
