/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Content sniffing: the MIME type of a file from its first bytes, the way
 * Zeek's file signatures (base/frameworks/files/magic) name the types its
 * logs show most: binary formats by their magic numbers, then HTML, XML,
 * JSON and plain text by their leading characters.  What no signature
 * matches gets no type.
 */
#include "framework/mime.h"

#include <stdbool.h>
#include <string.h>

static bool mime_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool mime_ws(uint8_t c)
{
    return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

/* Skip a UTF-8/16 byte order mark as Zeek's signatures allow. */
static size_t mime_bom(const uint8_t *d, size_t n)
{
    if (n >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) {
        return 3;
    }
    if (n >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff))) {
        return 2;
    }
    return 0;
}

/* Skip blanks and <!-- --> comments. */
static size_t mime_skip(const uint8_t *d, size_t n, size_t i)
{
    for (;;) {
        while (i < n && mime_ws(d[i])) {
            i++;
        }
        if (i + 4 <= n && memcmp(d + i, "<!--", 4) == 0) {
            size_t j = i + 4;
            while (j + 3 <= n && memcmp(d + j, "-->", 3) != 0) {
                j++;
            }
            if (j + 3 > n) {
                return i;
            }
            i = j + 3;
            continue;
        }
        return i;
    }
}

static int mime_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Does d[i..n) start with the lower-case word w, in any case? */
static bool mime_word(const uint8_t *d, size_t n, size_t i, const char *w)
{
    for (; *w != '\0'; w++, i++) {
        if (i >= n || mime_lower(d[i]) != *w) {
            return false;
        }
    }
    return true;
}

/* text/html per Zeek's file-xhtml/file-html/file-html2 signatures. */
static bool mime_html(const uint8_t *d, size_t n, size_t i, bool *xml)
{
    i = mime_skip(d, n, i);
    if (i + 6 <= n && memcmp(d + i, "<?xml ", 6) == 0) {
        size_t j = i + 6;
        *xml = true;
        while (j + 2 <= n && !(d[j] == '?' && d[j + 1] == '>') && d[j] != '\n') {
            j++;
        }
        if (j + 2 <= n && d[j] == '?') {
            i = mime_skip(d, n, j + 2);
        }
    }
    if (i >= n || d[i] != '<') {
        return false;
    }
    i++;
    if (mime_word(d, n, i, "!doctype")) {
        size_t j = i + 8;
        size_t sp = 0;
        while (j < n && d[j] == ' ') {
            j++;
            sp++;
        }
        return sp > 0 && mime_word(d, n, j, "html");
    }
    if (mime_word(d, n, i, "meta")) {
        size_t j = i + 4;
        size_t sp = 0;
        while (j < n && d[j] == ' ') {
            j++;
            sp++;
        }
        return sp > 0 && mime_word(d, n, j, "http-equiv");
    }
    return mime_word(d, n, i, "html") || mime_word(d, n, i, "head") ||
           mime_word(d, n, i, "title") || mime_word(d, n, i, "body");
}

static size_t mime_jws(const uint8_t *d, size_t n, size_t i)
{
    while (i < n && mime_ws(d[i])) {
        i++;
    }
    return i;
}

/* text/json per Zeek's file-json/json2/json3 signatures (simplified). */
static bool mime_json(const uint8_t *d, size_t n, size_t i)
{
    i = mime_jws(d, n, i);
    if (i >= n) {
        return false;
    }
    if (d[i] == '{') {
        i = mime_jws(d, n, i + 1);
        if (i < n && d[i] == '}') {
            return mime_jws(d, n, i + 1) == n;
        }
        if (i < n && d[i] == '"') {
            size_t j = i + 1;
            while (j < n && d[j] != '"') {
                j++;
            }
            if (j >= n || j == i + 1) {
                return false;
            }
            i = j + 1;
        } else if (i < n && ((d[i] | 0x20) >= 'a' && (d[i] | 0x20) <= 'z')) {
            while (i < n && (((d[i] | 0x20) >= 'a' && (d[i] | 0x20) <= 'z') ||
                             mime_is_digit((char)d[i]) || d[i] == '_' || d[i] == '\\')) {
                i++;
            }
        } else {
            return false;
        }
        i = mime_jws(d, n, i);
        if (i >= n || d[i] != ':') {
            return false;
        }
        i = mime_jws(d, n, i + 1);
        return i < n && (d[i] == '"' || d[i] == '[' || d[i] == '{' || mime_is_digit((char)d[i]) ||
                         mime_word(d, n, i, "true") || mime_word(d, n, i, "false"));
    }
    if (d[i] == '[') {
        i = mime_jws(d, n, i + 1);
        if (i < n && d[i] == ']') {
            return mime_jws(d, n, i + 1) == n;
        }
        if (i < n && (d[i] == '{' || d[i] == '[')) {
            return true;
        }
        if (i < n && d[i] == '"') {
            size_t j = i + 1;
            while (j < n && d[j] != '"') {
                j++;
            }
            if (j >= n || j == i + 1) {
                return false;
            }
            i = j + 1;
        } else if (i < n && mime_is_digit((char)d[i])) {
            while (i < n && (mime_is_digit((char)d[i]) || d[i] == '.')) {
                i++;
            }
        } else if (mime_word(d, n, i, "true")) {
            i += 4;
        } else if (mime_word(d, n, i, "false")) {
            i += 5;
        } else {
            return false;
        }
        i = mime_jws(d, n, i);
        return i < n && d[i] == ',';
    }
    return false;
}

const char *shoal_mime_sniff(const uint8_t *d, size_t n)
{
    size_t b = mime_bom(d, n);
    bool xml = false;

    if (n == 0) {
        return NULL;
    }
    /* Binary formats first: their magic is unambiguous. */
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) {
        return "image/png";
    }
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0)) {
        return "image/gif";
    }
    if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
        return "image/jpeg";
    }
    if (n >= 3 && (d[0] == 'F' || d[0] == 'C' || d[0] == 'Z') && d[1] == 'W' && d[2] == 'S') {
        return "application/x-shockwave-flash";
    }
    if (n >= 5 && memcmp(d, "%PDF-", 5) == 0) {
        return "application/pdf";
    }
    if (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0) {
        return "application/zip";
    }
    if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        return "application/x-gzip";
    }
    if (n >= 2 && d[0] == 'M' && d[1] == 'Z') {
        return "application/x-dosexec";
    }
    if (mime_html(d, n, b, &xml)) {
        return "text/html";
    }
    if (xml) {
        return "application/xml";
    }
    if (mime_json(d, n, b)) {
        return "text/json";
    }
    /* text/plain: optional BOM, then 10 printable or blank characters. */
    size_t t = 0;
    if (n >= 4 && memcmp(d, "\x00\x00\xfe\xff", 4) == 0) {
        t = 4;
    } else if (n >= 4 && memcmp(d, "\xff\xfe\x00\x00", 4) == 0) {
        t = 4;
    } else {
        t = b;
    }
    if (n - t >= 10) {
        size_t k;
        for (k = t; k < t + 10; k++) {
            uint8_t c = d[k];
            if (!((c >= 0x20 && c <= 0x7e) || (c >= 9 && c <= 13))) {
                break;
            }
        }
        if (k == t + 10) {
            return "text/plain";
        }
    }
    return NULL;
}
