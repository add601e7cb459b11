/*
 * The VPC Flow Logs line scanner (see flow_scan.h): token boundaries from
 * separator bitmaps, numbers from SWAR digit blocks.
 */
#include "parse/flow_scan.h"

#include <string.h>

#if defined(__SSE2__) && !defined(CM_VPCFLOW_NO_SIMD)
#include <emmintrin.h>
#define VPCFLOW_SSE2 1
#endif

#include "base/err.h"

/*
 * Classifies 64 bytes at p: bit j of *sep is set for a space or tab, bit j of
 * the result for any other byte outside printable ASCII (0x21-0x7e).
 */
#ifdef VPCFLOW_SSE2
static uint64_t classify64(const unsigned char *p, uint64_t *sep)
{
    const __m128i space = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t');
    const __m128i lim = _mm_set1_epi8(0x21), del = _mm_set1_epi8(0x7f);
    uint64_t s = 0, sp = 0;

    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i is_sep = _mm_or_si128(_mm_cmpeq_epi8(x, space), _mm_cmpeq_epi8(x, tab));
        /* Signed compare: 0x80-0xff count as negative, so below 0x21 too. */
        __m128i is_special = _mm_or_si128(_mm_cmplt_epi8(x, lim), _mm_cmpeq_epi8(x, del));
        s |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_sep) << (16 * k);
        sp |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_special) << (16 * k);
    }
    *sep = s;
    return sp & ~s;
}
#else
/* High bit of each byte of m gathered into 8 bits, byte 0 lowest. */
static uint64_t gather_high_bits(uint64_t m)
{
    return ((m >> 7) * 0x0102040810204080ULL) >> 56;
}

static uint64_t classify64(const unsigned char *p, uint64_t *sep)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, hi = 0x8080808080808080ULL;
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t s = 0, sp = 0;

    for (int k = 0; k < 8; k++) {
        uint64_t x, t1, t2, eq_sp, eq_tab, low, high;

        memcpy(&x, p + 8 * k, 8);
        t1 = x ^ (ones * ' ');
        t2 = x ^ (ones * '\t');
        eq_sp = ~(((t1 & lo7) + lo7) | t1) & hi;
        eq_tab = ~(((t2 & lo7) + lo7) | t2) & hi;
        low = ~(((x & lo7) + ones * 0x5f) | x) & hi; /* < 0x21 */
        high = (((x & lo7) + ones) | x) & hi;        /* >= 0x7f */
        s |= gather_high_bits(eq_sp | eq_tab) << (8 * k);
        sp |= gather_high_bits(low | high) << (8 * k);
    }
    *sep = s;
    return sp & ~s;
}
#endif

/*
 * Splits a line 64 bytes at a time: separator and "other" bitmaps, then token
 * starts and ends found with count-trailing-zeros, so the cost depends on the
 * number of tokens rather than on branches per byte.
 */
int cm_flow_tokenize(const char *line, size_t len, size_t avail, struct cm_flow_tok *toks,
                     uint64_t *bad_out)
{
    const unsigned char *p = (const unsigned char *)line;
    unsigned char pad[64];
    uint64_t prev_sep = 1, prev_tok = 0; /* the line starts after a separator */
    uint64_t any_bad = 0;
    int nstart = 0, nend = 0;

    for (size_t base = 0; base < len; base += 64) {
        const unsigned char *blk = p + base;
        size_t left = len - base;
        uint64_t sep, bad, starts, ends;

        if (avail - base < 64) {
            memset(pad, ' ', sizeof(pad));
            memcpy(pad, blk, left < 64 ? left : 64);
            blk = pad;
        }
        bad = classify64(blk, &sep);
        if (left < 64) {
            uint64_t past = ~0ULL << left; /* bytes after the line act as spaces */
            sep |= past;
            bad &= ~past;
        }
        any_bad |= bad;
        starts = ~sep & ((sep << 1) | prev_sep);
        ends = sep & ((~sep << 1) | prev_tok);
        prev_sep = sep >> 63;
        prev_tok = (~sep) >> 63;
        while (starts != 0) {
            if (nstart <= CM_FLOW_MAX_COLS) {
                toks[nstart].off = (uint32_t)(base + (unsigned)__builtin_ctzll(starts));
            }
            nstart++;
            starts &= starts - 1;
        }
        while (ends != 0) {
            if (nend <= CM_FLOW_MAX_COLS) {
                toks[nend].len =
                    (uint32_t)(base + (unsigned)__builtin_ctzll(ends)) - toks[nend].off;
            }
            nend++;
            ends &= ends - 1;
        }
    }
    if (nend < nstart && nend <= CM_FLOW_MAX_COLS) {
        toks[nend].len = (uint32_t)len - toks[nend].off; /* last token ends the line */
    }
    *bad_out = any_bad;
    return nstart > CM_FLOW_MAX_COLS ? CM_FLOW_MAX_COLS + 1 : nstart;
}

/*
 * Eight ASCII digits in x (first digit in the lowest byte) as a number, or -1
 * when a byte is not a digit. SWAR: validate all bytes at once, then combine
 * pairs, quads and halves with three multiplies.
 */
static inline int64_t swar8(uint64_t x)
{
    const uint64_t nib = 0xf0f0f0f0f0f0f0f0ULL, zeros = 0x3030303030303030ULL;

    if ((x & nib) != zeros || ((x + 0x0606060606060606ULL) & nib) != zeros) {
        return -1;
    }
    x -= zeros;
    x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffULL;
    x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffULL;
    x = (x * 10000 + (x >> 32)) & 0xffffffffULL;
    return (int64_t)x;
}

/* Up to 8 digits at p with at least 8 bytes readable there. */
static inline int64_t swar_upto8(const char *p, size_t len)
{
    uint64_t x;

    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    if (len < 8) {
        /* Move the digits to the top and fill the front with '0's. */
        x = (x << (8 * (8 - len))) | (0x3030303030303030ULL >> (8 * len));
    }
    return swar8(x);
}

/*
 * Reads an unsigned decimal filling p[0..len) (no sign, no spaces) and checks
 * it against max. readable is how many bytes may be loaded from p: when it is
 * at least 16, up to 16 digits are read eight at a time.
 */
int cm_flow_read_uint_any(const char *p, size_t len, size_t readable, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0) {
        return CM_EINVAL;
    }
    /* Fields of one to four digits are read by the inline cm_flow_read_uint (flow_scan.h). */
    if (len <= 16 && readable >= 16) {
        int64_t hi = 0, lo;
        size_t nhi = len > 8 ? len - 8 : 0;

        if (nhi > 0) {
            hi = swar_upto8(p, nhi);
        }
        lo = swar_upto8(p + nhi, len - nhi);
        if (hi < 0 || lo < 0) {
            return CM_EINVAL;
        }
        v = (uint64_t)hi * 100000000ULL + (uint64_t)lo;
        goto check;
    }
    while (len > 1 && p[0] == '0') {
        p++; /* leading zeros do not count toward the 20 digits of 2^64 - 1 */
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9u) {
            return CM_EINVAL;
        }
        if (i >= 19 && (i >= 20 || v > (UINT64_MAX - d) / 10)) {
            /* Past 2^64 - 1: still check the rest are digits for the message. */
            for (i++; i < len; i++) {
                if ((unsigned)(p[i] - '0') > 9u) {
                    return CM_EINVAL;
                }
            }
            return CM_ERANGE;
        }
        v = v * 10 + d;
    }
check:
    if (v > max) {
        return CM_ERANGE;
    }
    *out = v;
    return CM_OK;
}
