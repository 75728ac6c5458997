/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses as text, without printf or inet_ntop: the same bytes as
 * inet_ntop(3) writes (glibc's RFC 5952 form for IPv6), a few times
 * faster.  Logs carry an address in every record, so the core's log
 * writer and analyzers that put addresses into strings (dns.log answers)
 * share these; and bytes as hex, for the hashes and ids analyzers log.
 * Header-only: nothing here is part of the host table, and a plugin built
 * against an older SDK is unaffected (since 2.3).
 */
#ifndef SHOAL_SDK_ADDRTEXT_H
#define SHOAL_SDK_ADDRTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The decimal text of every octet, 4 bytes each so that one fixed-size
 * copy writes it (the bytes past its length are overwritten next). */
static const char shoal_octet_text[256][4] = {
    "0",   "1",   "2",   "3",   "4",   "5",   "6",   "7",   "8",   "9",   "10",  "11",  "12",
    "13",  "14",  "15",  "16",  "17",  "18",  "19",  "20",  "21",  "22",  "23",  "24",  "25",
    "26",  "27",  "28",  "29",  "30",  "31",  "32",  "33",  "34",  "35",  "36",  "37",  "38",
    "39",  "40",  "41",  "42",  "43",  "44",  "45",  "46",  "47",  "48",  "49",  "50",  "51",
    "52",  "53",  "54",  "55",  "56",  "57",  "58",  "59",  "60",  "61",  "62",  "63",  "64",
    "65",  "66",  "67",  "68",  "69",  "70",  "71",  "72",  "73",  "74",  "75",  "76",  "77",
    "78",  "79",  "80",  "81",  "82",  "83",  "84",  "85",  "86",  "87",  "88",  "89",  "90",
    "91",  "92",  "93",  "94",  "95",  "96",  "97",  "98",  "99",  "100", "101", "102", "103",
    "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116",
    "117", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129",
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142",
    "143", "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155",
    "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168",
    "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181",
    "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194",
    "195", "196", "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207",
    "208", "209", "210", "211", "212", "213", "214", "215", "216", "217", "218", "219", "220",
    "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233",
    "234", "235", "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246",
    "247", "248", "249", "250", "251", "252", "253", "254", "255"};

/* Dotted quad of p[0..3] at o (16 bytes of room: INET_ADDRSTRLEN); returns
 * the end, not terminated. */
static inline char *shoal_text_v4(char *o, const uint8_t *p)
{
    for (int i = 0; i < 4; i++) {
        unsigned v = p[i];
        memcpy(o, shoal_octet_text[v], 4);
        o += 1 + (v >= 10) + (v >= 100);
        *o++ = '.';
    }
    return o - 1;
}

#define SHOAL_HEX_DIGITS "0123456789abcdef"

/* b[0..n) as lower-case hex at o: 2n bytes, not terminated; returns the
 * end.  (Fingerprints, hashes, connection ids.) */
static inline char *shoal_text_hex(char *o, const uint8_t *b, size_t n)
{
    static const char hex[] = SHOAL_HEX_DIGITS;

    for (size_t i = 0; i < n; i++) {
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    return o;
}

/* inet_ntop(AF_INET6)'s text (RFC 5952 as glibc writes it) at o: lower-case
 * hex groups without leading zeros, the first longest run of two or more
 * zero groups as "::", and an IPv4-compatible or -mapped tail as a dotted
 * quad.  At most 46 bytes (INET6_ADDRSTRLEN) of room are needed; returns
 * the end, not terminated. */
static inline char *shoal_text_v6(char *o, const uint8_t *a)
{
    static const char hex[] = SHOAL_HEX_DIGITS;
    unsigned w[8];
    int best = -1, best_len = 0, cur = -1, cur_len = 0;

    for (int i = 0; i < 8; i++) {
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
        if (w[i] == 0) {
            if (cur < 0) {
                cur = i;
                cur_len = 0;
            }
            if (++cur_len > best_len) {
                best = cur;
                best_len = cur_len;
            }
        } else {
            cur = -1;
        }
    }
    if (best_len < 2) {
        best = -1;
    }
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best) {
                *o++ = ':';
            }
            continue;
        }
        if (i > 0) {
            *o++ = ':';
        }
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            return shoal_text_v4(o, a + 12);
        }
        bool lead = true;
        for (int sh = 12; sh >= 0; sh -= 4) {
            unsigned d = (w[i] >> sh) & 0xf;
            if (d != 0 || !lead || sh == 0) {
                *o++ = hex[d];
                lead = false;
            }
        }
    }
    if (best >= 0 && best + best_len == 8) {
        *o++ = ':';
    }
    return o;
}

#ifdef __cplusplus
}
#endif

#endif /* SHOAL_SDK_ADDRTEXT_H */
