/*
 * Penetration-testing distributions in a CloudTrail userAgent (ct.h,
 * "ua_distro.c"; docs/detectors/cloudtrail.md, PenTest). SDKs and CLIs name
 * the operating system in their user agent ("md/distrib#kali.2025",
 * "exe/x86_64.kali.2024", "Linux/6.1.0-1parrot1-amd64", "distrib#pentoo"),
 * so the distribution shows there as a token of its own.
 *
 * The rule, case-insensitive (ASCII): a name from the const table below,
 * preceded by the start of the string, a digit or one of "#./-_ (;", and
 * followed by the end, a digit or one of ".-_ /);". "kalimba/1.0",
 * "parrots" and "/home/kalimero" name nothing. A name that begins a
 * product token (at the start of the agent or after a space, followed by
 * '/', '-' or '_') is the name of a program, not of the system it runs on:
 * "parrot-notifier/0.3" and "kali/1.0" name nothing, while "Kali",
 * "(Kali;linux)" and "Linux/6.1.0-1parrot1-amd64" do. The first name in
 * the string that stands as a token wins.
 *
 * One pass over the string; at each position only the names beginning with
 * its letter are compared, so the cost is O(n) with a small constant.
 * Pure: no allocation, no I/O.
 */
#include "detect/ct.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct distro {
    const char *name; /* lower case */
    size_t len;
    enum cm_pentest_distro id;
};

static const struct distro distros[] = {
    {"kali", 4, CM_DISTRO_KALI},
    {"parrot", 6, CM_DISTRO_PARROT},
    {"pentoo", 6, CM_DISTRO_PENTOO},
};

#define N_DISTROS (sizeof(distros) / sizeof(distros[0]))

/*
 * What each byte may be: the first letter of a name (either case), a byte
 * allowed before a name, one allowed after it. One table lookup per byte of
 * the user agent, and the names are compared only where one may start: a
 * user agent is read for every CloudTrail event, so this is on the hot path.
 */
#define C_FIRST  0x1u
#define C_BEFORE 0x2u
#define C_AFTER  0x4u
#define D(c)     [c] = C_BEFORE | C_AFTER
/* clang-format off */
static const unsigned char byte_class[256] = {
    D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'),
    D('.'), D('-'), D('_'), D(' '), D('/'), D(';'),
    ['#'] = C_BEFORE, ['('] = C_BEFORE, [')'] = C_AFTER,
    ['k'] = C_FIRST, ['K'] = C_FIRST, ['p'] = C_FIRST, ['P'] = C_FIRST,
};
/* clang-format on */
#undef D

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Does ua[at..) start with name, case-insensitively? */
static bool names_at(struct cm_str ua, size_t at, const struct distro *d)
{
    if (ua.len - at < d->len) {
        return false;
    }
    for (size_t k = 0; k < d->len; k++) {
        if (lower((unsigned char)ua.p[at + k]) != (unsigned char)d->name[k]) {
            return false;
        }
    }
    return true;
}

/* The distribution named at p[i] (a byte that may start a name), or NONE. */
static enum cm_pentest_distro named_at(struct cm_str ua, size_t i)
{
    const unsigned char *p = (const unsigned char *)ua.p;
    unsigned char c = lower(p[i]);

    if (i > 0 && !(byte_class[p[i - 1]] & C_BEFORE)) {
        return CM_DISTRO_NONE;
    }
    for (size_t k = 0; k < N_DISTROS; k++) {
        const struct distro *d = &distros[k];
        size_t end = i + d->len;

        if ((unsigned char)d->name[0] == c && names_at(ua, i, d) &&
            (end == ua.len || (byte_class[p[end]] & C_AFTER))) {
            bool product = (i == 0 || p[i - 1] == ' ') && end < ua.len &&
                           (p[end] == '/' || p[end] == '-' || p[end] == '_');
            return product ? CM_DISTRO_NONE : d->id;
        }
    }
    return CM_DISTRO_NONE;
}

enum cm_pentest_distro cm_ua_distro(struct cm_str user_agent)
{
    const unsigned char *p = (const unsigned char *)user_agent.p;
    size_t i = 0;

    if (p == NULL) {
        return CM_DISTRO_NONE;
    }
#ifdef __SSE2__
    /*
     * 16 bytes at a time: only the positions holding a name's first two letters, without
     * case ("ka" of kali, "pa" of parrot, "pe" of pentoo), are looked at (a user agent's
     * "Python", "prompt", "cp" are not). Each position's next byte is read too, so the
     * last 16 are left to the loop below.
     */
    for (; i + 17 <= user_agent.len; i += 16) {
        __m128i v = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i)),
                                 _mm_set1_epi8(0x20));
        __m128i w = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i + 1)),
                                 _mm_set1_epi8(0x20));
        __m128i a = _mm_cmpeq_epi8(w, _mm_set1_epi8('a'));
        __m128i k = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('k')), a);
        __m128i pe = _mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('p')),
                                   _mm_or_si128(a, _mm_cmpeq_epi8(w, _mm_set1_epi8('e'))));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(k, pe));

        while (m != 0) {
            size_t at = i + (size_t)__builtin_ctz(m);
            enum cm_pentest_distro d = named_at(user_agent, at);
            if (d != CM_DISTRO_NONE) {
                return d;
            }
            m &= m - 1;
        }
    }
#endif
    for (; i < user_agent.len; i++) {
        if (byte_class[p[i]] & C_FIRST) {
            enum cm_pentest_distro d = named_at(user_agent, i);
            if (d != CM_DISTRO_NONE) {
                return d;
            }
        }
    }
    return CM_DISTRO_NONE;
}
