/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small generic helpers shared by the core: loads and stores of big- and
 * little-endian integers from unaligned byte buffers (never through a cast
 * pointer, so they are safe on any alignment and free of strict-aliasing
 * trouble), min/max, and the Internet (RFC 1071) one's-complement checksum
 * in two steps (accumulate, then fold) so pseudo-headers can be summed in
 * pieces.  Everything here is static inline and has no state.
 */
#ifndef SHOAL_UTIL_H
#define SHOAL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Number of elements of an array (not a pointer). */
#define SHOAL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Read a big-endian 16-bit value at p (2 bytes must be readable). */
static inline uint16_t shoal_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

/* Read a big-endian 32-bit value at p (4 bytes must be readable). */
static inline uint32_t shoal_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Read a little-endian 16-bit value at p (2 bytes must be readable). */
static inline uint16_t shoal_le16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[1] << 8 | p[0]);
}

/* Read a little-endian 32-bit value at p (4 bytes must be readable). */
static inline uint32_t shoal_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Read a little-endian 64-bit value at p (8 bytes must be readable). */
static inline uint64_t shoal_le64(const uint8_t *p)
{
    return (uint64_t)shoal_le32(p + 4) << 32 | shoal_le32(p);
}

/* Read a 16-bit value in host byte order at p (any alignment). */
static inline uint16_t shoal_he16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

/* Write v big-endian at p (2 bytes). */
static inline void shoal_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Write v big-endian at p (4 bytes). */
static inline void shoal_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Write v little-endian at p (4 bytes). */
static inline void shoal_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Write v little-endian at p (8 bytes). */
static inline void shoal_put_le64(uint8_t *p, uint64_t v)
{
    shoal_put_le32(p, (uint32_t)v);
    shoal_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Smaller / larger of two unsigned 32-bit values. */
static inline uint32_t shoal_min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}
static inline uint32_t shoal_max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/*
 * Add `len` bytes at p to a one's-complement checksum accumulator, as
 * big-endian 16-bit words.  Every piece but the last must have an even
 * length (an odd final byte is padded with a zero, as RFC 1071 says).
 * Start with sum = 0; finish with shoal_csum_fold().
 */
static inline uint64_t shoal_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
    /* Sum native 16-bit words; the one's-complement sum is byte-order
     * independent up to a final swap (RFC 1071 2(B)).  With SSE2, 32 bytes
     * a step: each word is biased to a signed one (x ^ 0x8000 = x - 32768)
     * so that one pmaddwd by 1 adds word pairs into 32-bit lanes, the bias
     * (8 x 32768 per 16 bytes) added back at the end; two accumulators,
     * emptied into 64 bits every 4096 steps so no lane can overflow. */
    uint64_t a = 0;
    size_t i = 0;

#if defined(__SSE2__)
    const __m128i bias = _mm_set1_epi16((short)0x8000);
    const __m128i one = _mm_set1_epi16(1);
    while (i + 32 <= len) {
        __m128i acc0 = _mm_setzero_si128();
        __m128i acc1 = _mm_setzero_si128();
        size_t end = len - i > 4096 * 32 ? i + 4096 * 32 : len;
        size_t steps = 0;
        for (; i + 32 <= end; i += 32, steps++) {
            __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16));
            acc0 = _mm_add_epi32(acc0, _mm_madd_epi16(_mm_xor_si128(v0, bias), one));
            acc1 = _mm_add_epi32(acc1, _mm_madd_epi16(_mm_xor_si128(v1, bias), one));
        }
        int32_t lanes[8];
        _mm_storeu_si128((__m128i *)(void *)lanes, acc0);
        _mm_storeu_si128((__m128i *)(void *)(lanes + 4), acc1);
        int64_t t = (int64_t)steps * 16 * 32768;
        for (int k = 0; k < 8; k++) {
            t += lanes[k];
        }
        a += (uint64_t)t; /* the plain sum of the words: never negative */
    }
#endif
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        a += (w & 0xffffffffu) + (w >> 32);
    }
    if (i < len) {
        uint64_t w = 0;
        memcpy(&w, p + i, len - i);
        a += (w & 0xffffffffu) + (w >> 32);
    }
    a = (a & 0xffffffffu) + (a >> 32);
    a = (a & 0xffffu) + (a >> 16);
    a = (a & 0xffffu) + (a >> 16);
    a = (a & 0xffffu) + (a >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    a = ((a & 0xff) << 8) | (a >> 8);
#endif
    return sum + a;
}

/* Fold an accumulator to 16 bits.  A packet whose stored checksum is
 * included in the sum verifies when this returns 0xffff; the checksum to
 * store is the complement (~fold & 0xffff). */
static inline uint16_t shoal_csum_fold(uint64_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)sum;
}

#endif
