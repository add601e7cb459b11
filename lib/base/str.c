/*
 * Helpers on string slices that are too large to be inline.
 */
#include "base/str.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/err.h"

#define FIND_SKIP_MIN 64 /* haystacks from this long are searched by skips */
#ifdef __SSE2__
#define FIND_PAIRS_MAX 256 /* shorter ones, by the needle's first and last bytes (SSE2) */
#endif

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool cm_str_ieq(struct cm_str a, struct cm_str b)
{
    if (a.len != b.len) {
        return false;
    }
    for (size_t i = 0; i < a.len; i++) {
        if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i])) {
            return false;
        }
    }
    return true;
}

/* The first byte-by-byte match, stepping memchr() over the needle's first byte. */
static size_t find_bytewise(struct cm_str hay, struct cm_str needle)
{
    const char *p = hay.p, *last = hay.p + (hay.len - needle.len);

    while (p <= last) {
        p = memchr(p, needle.p[0], (size_t)(last - p) + 1);
        if (p == NULL) {
            break;
        }
        if (memcmp(p + 1, needle.p + 1, needle.len - 1) == 0) {
            return (size_t)(p - hay.p);
        }
        p++;
    }
    return (size_t)-1;
}

/*
 * The first match by Horspool's rule: the haystack byte under the needle's last
 * byte says how far the needle can move. needle.len is 2..UINT8_MAX.
 */
static size_t find_horspool(struct cm_str hay, struct cm_str needle)
{
    const unsigned char *h = (const unsigned char *)hay.p, *n = (const unsigned char *)needle.p;
    size_t last = needle.len - 1;
    uint8_t shift[UCHAR_MAX + 1];

    memset(shift, (int)needle.len, sizeof(shift));
    for (size_t i = 0; i < last; i++) {
        shift[n[i]] = (uint8_t)(last - i);
    }
    for (size_t at = 0; at <= hay.len - needle.len; at += shift[h[at + last]]) {
        if (h[at + last] == n[last] && memcmp(h + at, n, last) == 0) {
            return at;
        }
    }
    return (size_t)-1;
}

#ifdef __SSE2__
/*
 * The first match among the offsets where both the needle's first and its last
 * byte are in place, sixteen offsets at a time: an ARN searched for a marker
 * that starts with ':' stops at the one or two offsets whose last byte agrees
 * too, not at each of its five colons. needle.len >= 2; nothing is read
 * outside the haystack (the vector loop stops while sixteen more offsets fit,
 * the rest are tried one by one).
 */
static size_t find_pairs(struct cm_str hay, struct cm_str needle)
{
    const char *h = hay.p, *n = needle.p;
    size_t m = needle.len, i = 0;
    const __m128i first = _mm_set1_epi8(n[0]), last = _mm_set1_epi8(n[m - 1]);

    for (; i + m + 15 <= hay.len; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + m - 1));
        unsigned bits = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));

        while (bits != 0) {
            size_t at = i + (unsigned)__builtin_ctz(bits);

            if (memcmp(h + at + 1, n + 1, m - 2) == 0) {
                return at;
            }
            bits &= bits - 1;
        }
    }
    for (; i + m <= hay.len; i++) {
        if (h[i] == n[0] && h[i + m - 1] == n[m - 1] && memcmp(h + i + 1, n + 1, m - 2) == 0) {
            return i;
        }
    }
    return (size_t)-1;
}
#endif

size_t cm_str_name_span(struct cm_str s)
{
    size_t i = 0;

    for (; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            break;
        }
    }
    return i;
}

size_t cm_str_find(struct cm_str hay, struct cm_str needle)
{
    if (needle.len == 0) {
        return 0;
    }
    if (needle.len > hay.len) {
        return (size_t)-1;
    }
#ifdef __SSE2__
    if (needle.len >= 2 && hay.len < FIND_PAIRS_MAX) {
        return find_pairs(hay, needle);
    }
#endif
    /* A JSON key ("\"eventSource\"") starts with the commonest byte of JSON:
     * a long haystack is searched by skips, not by stopping at every '"'. */
    if (needle.len >= 3 && needle.len <= UINT8_MAX && hay.len >= FIND_SKIP_MIN) {
        return find_horspool(hay, needle);
    }
    return find_bytewise(hay, needle);
}

int cm_str_to_u64(struct cm_str s, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;

    if (s.len == 0 || s.len > 20) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned)((unsigned char)s.p[i] - '0');
        if (d > 9) {
            return CM_EINVAL;
        }
        /* d > max first: max - d must not wrap for a small max. */
        if (d > max || v > (max - d) / 10) {
            return CM_ERANGE;
        }
        v = v * 10 + d;
    }
    *out = v;
    return CM_OK;
}

int cm_str_to_i64(struct cm_str s, long long min, long long max, long long *out)
{
    bool neg = s.len > 0 && s.p[0] == '-';
    unsigned long long mag;
    long long v;
    int rc;

    /* Parse the magnitude against the type's limit, then check [min, max]. */
    if (neg) {
        s = cm_str_make(s.p + 1, s.len - 1);
    }
    rc = cm_str_to_u64(s, (unsigned long long)LLONG_MAX + (neg ? 1ULL : 0ULL), &mag);
    if (rc != 0) {
        return rc;
    }
    if (!neg) {
        v = (long long)mag;
    } else if (mag == 0) {
        v = 0;
    } else {
        v = -(long long)(mag - 1) - 1;
    }
    if (v < min || v > max) {
        return CM_ERANGE;
    }
    *out = v;
    return CM_OK;
}
