/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address extraction as Zeek's base/utils scripts do it for smtp.log:
 * mail addresses out of RCPT/MAIL arguments (extract_email_addrs_*),
 * display-name addresses out of To/Cc headers
 * (split_mime_email_addresses), and IP addresses out of Received and
 * X-Originating-IP headers (extract_ip_addresses).  Pure functions over
 * borrowed bytes; results point into the input or into the caller's
 * buffers.
 */
#ifndef SHOAL_SMTP_ADDR_H
#define SHOAL_SMTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include <shoal/types.h>

/* A piece of a string. */
struct smtp_span {
    const char *p;
    size_t n;
};

/*
 * The next mail address of s[0..n) at or after *pos, as Zeek's
 * /(^|[<,:[:blank:]])[^<,:[:blank:]@]+"@"[^>,;[:blank:]]+([>,;[:blank:]]|$)/
 * finds it, with the delimiters taken off (the match itself has none
 * inside but its first and last character).  *pos moves past the match.
 * False when there is none.
 */
bool smtp_next_email(const char *s, size_t n, size_t *pos, struct smtp_span *out);

/*
 * The next part of a To/Cc header value (Zeek's split_mime_email_addresses:
 * /(\"[^"]*\")?[^,]+/, then white space stripped) at or after *pos.
 */
bool smtp_next_mime_addr(const char *s, size_t n, size_t *pos, struct smtp_span *out);

/*
 * The IP addresses in s[0..n) (Zeek's extract_ip_addresses): up to max
 * into out; with check_wrapping, only those between matching brackets,
 * parentheses, braces or spaces, or standing alone.  Returns how many.
 */
size_t smtp_extract_ips(const char *s, size_t n, bool check_wrapping, struct shoal_addr *out,
                        size_t max);

#endif
