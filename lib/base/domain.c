/*
 * Domain names (domain.h): normalise, then find the public suffix and the
 * registered domain, with the caller's suffix set (base/psl.h) or libpsl's
 * built-in list. libpsl keeps the list in its own read-only data
 * (psl_builtin()), so neither does I/O, and both are safe from any thread.
 */
#include "base/domain.h"

#include <libpsl.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/err.h"
#include "base/psl.h"

/* A name byte's normalised form (lowercase ASCII), or 0 for a byte no name has. */
static const unsigned char name_byte[256] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
    0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

#ifdef __SSE2__
/*
 * Lowercases the 16 bytes at p into out: returns a bit per byte no name has
 * (outside 0x21-0x7e: a byte from 0x80 up is negative as a signed one),
 * unless host_only (then 0: such a byte is also one no host name has), and
 * sets *dots to a bit per '.' and *nothost to a bit per byte no host name has.
 */
static inline __attribute__((always_inline)) unsigned
norm16(const char *p, char *out, unsigned *dots, unsigned *nothost, bool host_only)
{
    const __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i x = x0;
    __m128i up = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
                               _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
    __m128i host;

    x = _mm_or_si128(x, _mm_and_si128(up, _mm_set1_epi8(0x20)));
    _mm_storeu_si128((__m128i *)(void *)out, x);
    /* Host bytes, lowercased: a-z, 0-9, '-', '.', '_' ('/' is the one byte between '.' and '0'). */
    host = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('a' - 1)),
                         _mm_cmplt_epi8(x, _mm_set1_epi8('z' + 1)));
    host = _mm_or_si128(host,
                        _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('/')),
                                         _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('-' - 1)),
                                                       _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)))));
    host = _mm_or_si128(host, _mm_cmpeq_epi8(x, _mm_set1_epi8('_')));
    *nothost = ~(unsigned)_mm_movemask_epi8(host) & 0xffff;
    *dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
    if (host_only) {
        return 0;
    }
    return ~(unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(x0, _mm_set1_epi8(0x20)),
                                                      _mm_cmplt_epi8(x0, _mm_set1_epi8(0x7f)))) &
           0xffff;
}
#endif

/* Sets bits at..at+15 of the 256-bit map dm from d. */
static inline void put_bits(uint64_t dm[4], size_t at, unsigned d)
{
    dm[at / 64] |= (uint64_t)d << (at % 64);
    if (at % 64 > 48) {
        dm[at / 64 + 1] |= (uint64_t)d >> (64 - at % 64);
    }
}

#ifdef __SSE2__
/*
 * norm16 over the name p[0..n) (1 <= n <= CM_DOMAIN_MAX): lowercased into
 * out (which may take 16 bytes past a name under 16), a bit per dot ORed
 * into the 256-bit map dm, a bit per byte no host name has ORed into
 * *nothost; returns non-zero when a byte is one no name has. A name under
 * 16 bytes is one step over a zero-padded copy (the padding does not
 * count); the last step of a longer one overlaps the step before. Always
 * inlined: cm_domain_fold_host's map then stays in registers (as a call it
 * cost a domain-set hit 55 instructions more).
 */
static inline __attribute__((always_inline)) unsigned
norm_name(const char *p, size_t n, char *out, uint64_t dm[4], unsigned *nothost, bool host_only)
{
    unsigned bad = 0, dots, nh;
    size_t i = 0;

    if (n < 16) {
        char tmp[16] = {0};
        unsigned used = (1u << n) - 1;

        memcpy(tmp, p, n);
        bad = norm16(tmp, out, &dots, &nh, host_only) & used;
        *nothost |= nh & used;
        dm[0] |= dots; /* the zero padding holds no dot */
        return bad;
    }
    for (; i + 16 <= n; i += 16) {
        bad |= norm16(p + i, out + i, &dots, &nh, host_only);
        *nothost |= nh;
        put_bits(dm, i, dots);
    }
    if (i < n) {
        i = n - 16;
        bad |= norm16(p + i, out + i, &dots, &nh, host_only);
        *nothost |= nh;
        put_bits(dm, i, dots);
    }
    return bad;
}
#endif

/*
 * Sixteen bytes a step with SSE2 (the last step overlaps the one before),
 * one table lookup a byte otherwise; the labels are checked on the dot map
 * afterwards, so no branch depends on the bytes.
 */
int cm_domain_fold(struct cm_str name, char *out, struct cm_domain_shape *sh, uint8_t *starts)
{
    size_t n = name.len, i = 0, from = 0, longest = 0;
    unsigned bad = 0, nothost = 0, labels = 0;
    uint64_t *dm = sh->dots;

    sh->len = 0;
    sh->labels = 0;
    sh->host = false;
    dm[0] = dm[1] = dm[2] = dm[3] = 0;
    if (name.p == NULL) {
        return CM_EINVAL;
    }
    if (n > 0 && name.p[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > CM_DOMAIN_MAX) {
        return CM_EINVAL;
    }
#ifdef __SSE2__
    bad = norm_name(name.p, n, out, dm, &nothost, false);
    i = n;
#endif
    for (; i < n; i++) {
        unsigned char c = name_byte[(unsigned char)name.p[i]];

        bad |= c == 0;
        nothost |= !cm_domain_host_byte(c);
        out[i] = (char)c;
        dm[i / 64] |= (uint64_t)(c == '.') << (i % 64);
    }
    if (bad) {
        return CM_EINVAL;
    }
    /* One pass over the dots: no empty label, and the longest one for host. */
    for (size_t w = 0; w <= (n - 1) / 64; w++) {
        for (uint64_t bits = dm[w]; bits != 0; bits &= bits - 1) {
            size_t dot = 64 * w + (size_t)__builtin_ctzll(bits);

            if (dot == from) {
                return CM_EINVAL;
            }
            longest = dot - from > longest ? dot - from : longest;
            from = dot + 1;
            if (starts != NULL) {
                starts[labels + 1] = (uint8_t)from;
            }
            labels++;
        }
    }
    if (n == from) {
        return CM_EINVAL;
    }
    if (starts != NULL) {
        starts[0] = 0;
    }
    longest = n - from > longest ? n - from : longest;
    sh->labels = labels + 1;
    sh->len = n;
    sh->host = nothost == 0 && longest <= 63;
    return 0;
}

int cm_domain_fold_host(struct cm_str name, char *out, uint8_t *starts, size_t *len, size_t *nl)
{
#ifdef __SSE2__
    size_t n = name.len, k = 1;
    unsigned nothost = 0;
    uint64_t dm[4] = {0, 0, 0, 0}, dots;

    if (name.p == NULL) {
        return 0;
    }
    if (n > 0 && name.p[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > CM_DOMAIN_HOST_SHORT) {
        return n == 0 ? 0 : -1;
    }
    /* host_only: a byte no name has is in nothost too, so norm_name returns 0. */
    (void)norm_name(name.p, n, out, dm, &nothost, true);
    dots = dm[0]; /* at most 63 bytes: every dot is in the first word */
    /* No byte outside a host name's, no empty label (first, last or between two dots). */
    if (nothost != 0 || (dots & 1) != 0 || (dots >> (n - 1) & 1) != 0 || (dots & dots >> 1) != 0) {
        return 0;
    }
    starts[0] = 0;
    for (; dots != 0; dots &= dots - 1) {
        starts[k++] = (uint8_t)(__builtin_ctzll(dots) + 1);
    }
    *len = n;
    *nl = k;
    return 1;
#else
    (void)name, (void)out, (void)starts, (void)len, (void)nl;
    return -1;
#endif
}

/* Normalises name into *d (offsets not set), with its shape (dot map) in *sh. */
static int normalise(struct cm_str name, struct cm_domain *d, struct cm_domain_shape *sh)
{
    int rc = cm_domain_fold(name, d->name, sh, NULL);

    d->private_suffix = false;
    d->unlisted_tld = false;
    d->len = d->reg = d->sfx = sh->len;
    d->labels = sh->labels;
    d->host = sh->host;
    d->name[sh->len] = '\0';
    return rc;
}

int cm_domain_parse_psl(const struct cm_psl *set, struct cm_str name, struct cm_domain *d)
{
    size_t sfx, starts[CM_PSL_MAX_STARTS];
    struct cm_domain_shape sh;
    unsigned n = 0;
    bool listed;
    int rc;

    if (set == NULL) {
        return cm_domain_parse(name, d);
    }
    if ((rc = normalise(name, d, &sh)) != 0) {
        return rc;
    }
    /* The label starts from the right, off the dot map. */
    for (size_t w = 4; w-- > 0 && n < CM_PSL_MAX_STARTS;) {
        for (uint64_t bits = sh.dots[w]; bits != 0 && n < CM_PSL_MAX_STARTS;) {
            unsigned b = 63u - (unsigned)__builtin_clzll(bits);

            starts[n++] = 64 * w + b + 1;
            bits &= ~(1ULL << b);
        }
    }
    if (n < CM_PSL_MAX_STARTS) {
        starts[n++] = 0;
    }
    sfx = cm_psl_suffix_at(set, d->len, d->name, starts, n, &d->private_suffix, &listed);
    d->unlisted_tld = !listed;
    d->sfx = sfx;
    if (sfx > 0) {
        size_t i = sfx - 1; /* the dot before the suffix */
        while (i > 0 && d->name[i - 1] != '.') {
            i--;
        }
        d->reg = i;
    }
    return 0;
}

int cm_domain_parse(struct cm_str name, struct cm_domain *d)
{
    const psl_ctx_t *psl = psl_builtin();
    const char *reg, *sfx;
    struct cm_domain_shape sh;
    int rc;

    if ((rc = normalise(name, d, &sh)) != 0) {
        return rc;
    }
    if (psl == NULL) {
        return 0;
    }
    sfx = psl_unregistrable_domain(psl, d->name);
    if (sfx != NULL) {
        d->sfx = (size_t)(sfx - d->name);
        d->private_suffix =
            psl_is_public_suffix2(psl, sfx, PSL_TYPE_PRIVATE | PSL_TYPE_NO_STAR_RULE) != 0;
    }
    /* A suffix of one label no rule of the list makes one: only the implicit "*" did. */
    d->unlisted_tld = sfx != NULL && strchr(sfx, '.') == NULL &&
                      psl_is_public_suffix2(psl, sfx, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) == 0;
    reg = psl_registrable_domain(psl, d->name);
    if (reg != NULL) {
        d->reg = (size_t)(reg - d->name);
    }
    return 0;
}

struct cm_str cm_domain_registered_of(struct cm_str name, struct cm_domain *scratch)
{
    const psl_ctx_t *psl = psl_builtin();
    const char *reg;
    struct cm_domain_shape sh;

    /* cm_domain_parse() less the public suffix, which asked libpsl twice more
     * (each call thousands of instructions) for a part no caller reads here. */
    if (normalise(name, scratch, &sh) != 0 || psl == NULL) {
        return CM_STR_NULL;
    }
    reg = psl_registrable_domain(psl, scratch->name);
    if (reg == NULL) {
        return CM_STR_NULL;
    }
    scratch->reg = (size_t)(reg - scratch->name);
    return scratch->reg == scratch->len ? CM_STR_NULL : cm_domain_registered(scratch);
}
