/*
 * Domain set lookups: one name at a time (walk) and many at once (batch),
 * over the frozen layout domainset.c builds (domainset_int.h).
 */
#include "intel/domainset.h"

#include "intel/domainset_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Names a batch has in flight: enough to cover the memory latency of each step. */
#define GROUP 16u
/* Suffix hashes a group holds (names with more labels than fit are looked up alone). */
#define GROUP_HASHES (GROUP * 8u)

/* The record of name p[0..len) with hash h, in a bucket that passed the Bloom filter; or NULL. */
static const uint32_t *find_record(const struct cm_domainset *s, uint64_t h, const char *p,
                                   size_t len)
{
    uint32_t b = home(h, s->nb), tag = tag_of(h);
    const uint32_t *r = s->recs + s->off[b], *end = s->recs + s->off[b + 1];

    for (; r < end; r += rec_words(r)) {
        if (r[0] == tag && rec_len(r) == len && memcmp(rec_name(r), p, len) == 0) {
            return r;
        }
    }
    return NULL;
}

/*
 * Whether record r, found for the suffix at pos (0: the whole name), has
 * rules that apply there: the whole name takes EXACT and SUBTREE, a proper
 * suffix SUBTREE and SUBDOMAINS. When it has and m is not NULL, fills *m.
 */
static bool take(const uint32_t *r, size_t pos, struct cm_domainset_match *m)
{
    uint32_t cnt[3];
    unsigned first = pos == 0 ? CM_DOMAIN_EXACT : CM_DOMAIN_SUBTREE;
    size_t nv;

    rec_counts(r, cnt);
    nv = (size_t)cnt[first] + cnt[first + 1];
    if (nv == 0) {
        return false;
    }
    if (m != NULL) {
        m->name = cm_str_make(rec_name(r), rec_len(r));
        m->rules = (cnt[first] ? 1u << first : 0) | (cnt[first + 1] ? 1u << (first + 1) : 0);
        m->vals = rec_vals(r) + (pos == 0 ? 0 : cnt[0]);
        m->nvals = nv;
    }
    return true;
}

/*
 * Every applying listed suffix of the normalised name p[0..len) (PAD
 * readable bytes after it) whose nl labels start at starts[], most specific
 * first: writes at most max to out and returns how many; with all false,
 * stops at the first.
 */
static size_t walk_split(const struct cm_domainset *s, const char *p, size_t len,
                         const uint8_t *starts, size_t nl, struct cm_domainset_match *out,
                         size_t max, bool all)
{
    uint64_t hs[CM_DOMAINSET_MAX_MATCHES];
    const uint64_t *blk, *top;
    size_t n = 0;

    cm_domainset_hashes(s, p, len, starts, nl, hs);
    top = block_of(s, hs[nl - 1]);
    blk = nl >= 2 ? block_of(s, hs[nl - 2]) : top;
    for (size_t k = 0; k < nl; k++) {
        size_t pos = starts[k];
        const uint32_t *r;

        if (!bloom_test(k + 1 < nl ? blk : top, hs[k]) ||
            (r = find_record(s, hs[k], p + pos, len - pos)) == NULL) {
            continue;
        }
        if (!take(r, pos, n < max ? &out[n] : NULL)) {
            continue;
        }
        if (++n == 1 && !all) {
            break;
        }
    }
    return n;
}

static size_t walk(const struct cm_domainset *s, struct cm_str name, struct cm_domainset_match *out,
                   size_t max, bool all)
{
    char buf[CM_DOMAIN_MAX + PAD];
    uint8_t starts[CM_DOMAINSET_MAX_MATCHES];
    size_t len, nl;

    if (s == NULL || s->nb == 0 || cm_domainset_split(name, buf, &len, starts, &nl) != 0) {
        return 0;
    }
    memset(buf + len, 0, PAD);
    return walk_split(s, buf, len, starts, nl, out, max, all);
}

bool cm_domainset_lookup_norm(const struct cm_domainset *s, const char *name, size_t len,
                              struct cm_domainset_match *m)
{
    uint8_t starts[CM_DOMAINSET_MAX_MATCHES];
    size_t nl = 1, i = 0;

    if (s == NULL || s->nb == 0 || len == 0 || len > CM_DOMAIN_MAX) {
        return false;
    }
    starts[0] = 0;
#ifdef __SSE2__
    /* The dots, 16 bytes a step (the name has 16 readable bytes past its end). */
    for (; i < len; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(name + i));
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));

        if (len - i < 16) {
            bits &= (1u << (len - i)) - 1;
        }
        for (; bits != 0 && nl < CM_DOMAINSET_MAX_MATCHES; bits &= bits - 1) {
            starts[nl++] = (uint8_t)(i + (size_t)__builtin_ctz(bits) + 1);
        }
    }
#else
    for (; i < len && nl < CM_DOMAINSET_MAX_MATCHES; i++) {
        if (name[i] == '.') {
            starts[nl++] = (uint8_t)(i + 1);
        }
    }
#endif
    return walk_split(s, name, len, starts, nl, m, 1, false) > 0;
}

bool cm_domainset_lookup(const struct cm_domainset *s, struct cm_str name,
                         struct cm_domainset_match *m)
{
    return walk(s, name, m, 1, false) > 0;
}

size_t cm_domainset_lookup_all(const struct cm_domainset *s, struct cm_str name,
                               struct cm_domainset_match *out, size_t max)
{
    return walk(s, name, out, max, true);
}

/* A name of a batch group on its way through the steps. */
struct inflight {
    char buf[CM_DOMAIN_MAX + PAD];
    uint8_t starts[CM_DOMAINSET_MAX_MATCHES];
    size_t len, nl;
    uint32_t h0;  /* its suffix hashes are hs[h0 .. h0 + nl) */
    uint8_t slow; /* 1: more labels than the group holds: looked up alone */
};

/*
 * Looks up the n <= GROUP names of one group in three passes, so that each
 * pass's memory reads for all of them are in flight together instead of one
 * after another: (1) normalise and hash every name and ask for its Bloom
 * lines; (2) test each suffix against its line and ask for the bucket
 * offsets of the ones that pass; (3) ask for their records; (4) compare,
 * most specific suffix first, as walk() does.
 */
static void group(const struct cm_domainset *s, const struct cm_str *names, size_t n,
                  struct cm_domainset_match *m, bool *found, struct inflight *q)
{
    uint64_t hs[GROUP_HASHES];
    uint8_t pass[GROUP_HASHES];
    uint32_t used = 0;

    for (size_t i = 0; i < n; i++) {
        struct inflight *f = &q[i];

        found[i] = false;
        f->slow = 0;
        f->nl = 0;
        f->h0 = 0;
        if (cm_domainset_split(names[i], f->buf, &f->len, f->starts, &f->nl) != 0) {
            f->nl = 0;
            continue;
        }
        if (used + f->nl > GROUP_HASHES) {
            f->slow = 1;
            continue;
        }
        memset(f->buf + f->len, 0, PAD);
        f->h0 = used;
        cm_domainset_hashes(s, f->buf, f->len, f->starts, f->nl, hs + used);
        used += (uint32_t)f->nl;
        __builtin_prefetch(block_of(s, hs[f->h0 + f->nl - 1]));
        if (f->nl >= 2) {
            __builtin_prefetch(block_of(s, hs[f->h0 + f->nl - 2]));
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct inflight *f = &q[i];
        const uint64_t *h, *top, *blk;

        if (f->slow || f->nl == 0) {
            continue;
        }
        h = hs + f->h0;
        top = block_of(s, h[f->nl - 1]);
        blk = f->nl >= 2 ? block_of(s, h[f->nl - 2]) : top;
        for (size_t k = 0; k < f->nl; k++) {
            pass[f->h0 + k] = bloom_test(k + 1 < f->nl ? blk : top, h[k]);
            if (pass[f->h0 + k]) {
                __builtin_prefetch(&s->off[home(h[k], s->nb)]);
            }
        }
    }
    for (uint32_t j = 0; j < used; j++) {
        if (pass[j]) { /* the bucket's lines: a record is found by reading the ones before it */
            uint32_t b = home(hs[j], s->nb);
            const char *p = (const char *)(s->recs + s->off[b]),
                       *end = (const char *)(s->recs + s->off[b + 1]);

            for (int c = 0; p < end && c < 4; p += 64, c++) { /* a bucket holds about 4 names */
                __builtin_prefetch(p);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct inflight *f = &q[i];

        if (f->slow) {
            found[i] = walk(s, names[i], &m[i], 1, false) > 0;
            continue;
        }
        for (size_t k = 0; k < f->nl && !found[i]; k++) {
            size_t pos = f->starts[k];
            const uint32_t *r;

            if (pass[f->h0 + k] &&
                (r = find_record(s, hs[f->h0 + k], f->buf + pos, f->len - pos)) != NULL) {
                found[i] = take(r, pos, &m[i]);
            }
        }
    }
}

void cm_domainset_lookup_batch(const struct cm_domainset *s, const struct cm_str *names, size_t n,
                               struct cm_domainset_match *m, bool *found)
{
    struct inflight q[GROUP];

    if (s == NULL || s->nb == 0) {
        memset(found, 0, n * sizeof(*found));
        return;
    }
    for (size_t at = 0; at < n; at += GROUP) {
        group(s, names + at, n - at < GROUP ? n - at : GROUP, m + at, found + at, q);
    }
}

size_t cm_domainset_count(const struct cm_domainset *s)
{
    return s != NULL ? s->count : 0;
}

size_t cm_domainset_bytes(const struct cm_domainset *s)
{
    return s != NULL ? s->bytes : 0;
}
