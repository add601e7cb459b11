/*
 * Domain set lookups: one name at a time (walk) and many at once (batch),
 * over the frozen layout domainset.c builds (domainset_int.h).
 */
#include "intel/domainset.h"

#include "base/domain.h"
#include "base/err.h"
#include "intel/domainset_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Names a batch group holds. */
#define GROUP 8u
/* Suffix hashes a group holds (names with more labels than fit are looked up alone). */
#define GROUP_HASHES (GROUP * 8u)
/* Groups in flight: each is one step further along (see cm_domainset_lookup_batch). */
#define STAGES 4u
/* Labels a name may have to be looked up in a group. */
#define FAST_LABELS 32u

/* The record of name p[0..len) with hash h, in a bucket that passed the Bloom filter; or NULL. */
static inline const uint32_t *find_record(const struct cm_domainset *s, uint64_t h, const char *p,
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
static inline bool take(const uint32_t *r, size_t pos, struct cm_domainset_match *m)
{
    uint32_t cnt[3];
    unsigned first = pos == 0 ? CM_DOMAIN_EXACT : CM_DOMAIN_SUBTREE;
    size_t nv, head = rec_head(r), len = rec_len(r);

    rec_counts(r, cnt);
    nv = (size_t)cnt[first] + cnt[first + 1];
    if (nv == 0) {
        return false;
    }
    if (m != NULL) {
        m->name = cm_str_make((const char *)(r + head), len);
        m->rules = (cnt[first] ? 1u << first : 0) | (cnt[first + 1] ? 1u << (first + 1) : 0);
        m->vals = r + head + name_words(len) + (pos == 0 ? 0 : cnt[0]);
        m->nvals = nv;
    }
    return true;
}

/*
 * cm_domainset_split, by the short names' way when it takes the name
 * (cm_domain_fold_host): 0 for a name a set can hold, else CM_EINVAL.
 */
static int split(struct cm_str name, char *out, uint8_t *starts, size_t *len, size_t *nl)
{
    int r = cm_domain_fold_host(name, out, starts, len, nl);

    if (r < 0) {
        return cm_domainset_split(name, out, len, starts, nl);
    }
    return r == 1 ? 0 : CM_EINVAL;
}

/*
 * Every applying listed suffix of the normalised name p[0..len) (PAD
 * readable bytes after it) whose nl labels start at starts[], most specific
 * first: writes at most max to out and returns how many; with all false,
 * stops at the first. tail: p is the host-shaped tail of a longer query
 * (cm_domainset_split_tail), so even its first suffix is a proper one.
 */
static size_t walk_split(const struct cm_domainset *s, const char *p, size_t len,
                         const uint8_t *starts, size_t nl, struct cm_domainset_match *out,
                         size_t max, bool all, bool tail)
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
        if (!take(r, pos + tail, n < max ? &out[n] : NULL)) {
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
    size_t len, nl, base = 0;

    if (s == NULL || s->nb == 0) {
        return 0;
    }
    /* Not a host name: its labels right of the last one that is not a host name's. */
    if (split(name, buf, starts, &len, &nl) != 0 &&
        cm_domainset_split_tail(name, buf, &base, &len, starts, &nl) != 0) {
        return 0;
    }
    memset(buf + base + len, 0, PAD);
    return walk_split(s, buf + base, len, starts, nl, out, max, all, base > 0);
}

/*
 * Where the labels of the normalised name[0..len) (16 readable bytes past
 * its end) start, at most CM_DOMAINSET_MAX_MATCHES of them: returns how many.
 */
static size_t dot_starts(const char *name, size_t len, uint8_t *starts)
{
    size_t nl = 1, i = 0;

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
    return nl;
}

bool cm_domainset_lookup_norm(const struct cm_domainset *s, const char *name, size_t len,
                              struct cm_domainset_match *m)
{
    uint8_t starts[CM_DOMAINSET_MAX_MATCHES];
    size_t nl;

    if (s == NULL || s->nb == 0 || len == 0 || len > CM_DOMAIN_MAX) {
        return false;
    }
    nl = dot_starts(name, len, starts);
    return walk_split(s, name, len, starts, nl, m, 1, false, false) > 0;
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
    const char *p; /* the normalised name: buf, or the caller's when it came normalised */
    uint8_t starts[CM_DOMAINSET_MAX_MATCHES];
    size_t len;
    uint32_t nl;    /* labels; 0 for a name no set holds */
    uint32_t h0;    /* its suffix hashes are hs[h0 .. h0 + nl) */
    uint32_t first; /* the most specific suffix that passed the Bloom filter; nl: none */
    uint8_t slow;   /* 1: too many labels for a group: looked up alone */
    /* The Bloom blocks: of the last two labels (every suffix but the last label's), and of
     * the last label. */
    const uint64_t *blk, *top;
};

/* A group of up to GROUP names of a batch, and where their answers go. */
struct group {
    bool norm; /* the names come normalised (cm_domainset_lookup_batch_norm) */
    const struct cm_str *names;
    struct cm_domainset_match *m;
    bool *found;
    size_t n;
    uint64_t hs[GROUP_HASHES];
    struct inflight q[GROUP];
};

/* Step 1: normalise and hash every name of g, and ask for its Bloom lines. */
static void step_hash(const struct cm_domainset *s, struct group *g)
{
    uint32_t used = 0;

    for (size_t i = 0; i < g->n; i++) {
        struct inflight *f = &g->q[i];
        const uint64_t *h;
        size_t nl;

        g->found[i] = false;
        f->slow = 0;
        f->first = 0;
        f->h0 = used;
        f->nl = 0;
        if (g->norm) {
            f->p = g->names[i].p;
            f->len = g->names[i].len;
            if (f->len == 0 || f->len > CM_DOMAIN_MAX) {
                continue;
            }
            nl = dot_starts(f->p, f->len, f->starts);
        } else {
            if (split(g->names[i], f->buf, f->starts, &f->len, &nl) != 0) {
                f->slow = 1; /* walk() looks up the host-shaped tail of one that has it */
                continue;
            }
            memset(f->buf + f->len, 0, PAD);
            f->p = f->buf;
        }
        if (nl > FAST_LABELS || used + nl > GROUP_HASHES) {
            f->slow = 1;
            continue;
        }
        f->nl = (uint32_t)nl;
        h = g->hs + used;
        cm_domainset_hashes(s, f->p, f->len, f->starts, f->nl, g->hs + used);
        used += f->nl;
        f->top = block_of(s, h[f->nl - 1]);
        f->blk = f->nl >= 2 ? block_of(s, h[f->nl - 2]) : f->top;
        __builtin_prefetch(f->top);
        __builtin_prefetch(f->blk);
    }
}

/* Whether suffix k of f, whose suffix hashes are h, passes the Bloom filter. */
static inline bool passes(const struct inflight *f, const uint64_t *h, uint32_t k)
{
    /* All but the last label test the block of the last two; the last label its own. */
    return bloom_test(k + 1 < f->nl ? f->blk : f->top, h[k]);
}

/*
 * Step 2: test the suffixes against their Bloom lines, most specific first,
 * up to the first that passes, and ask for its bucket offsets. The ones
 * after it are tested only if it turns out not to be listed.
 */
static void step_bloom(const struct cm_domainset *s, struct group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        struct inflight *f = &g->q[i];
        const uint64_t *h = g->hs + f->h0;
        uint32_t k = 0;

        while (k < f->nl && !passes(f, h, k)) {
            k++;
        }
        f->first = k;
        if (k < f->nl) {
            __builtin_prefetch(&s->off[home(h[k], s->nb)]);
        }
    }
}

/*
 * Step 3: ask for the records of the most specific suffix's bucket (about 4
 * names). A less specific one is read only when that one is not listed
 * after all (a Bloom false positive, or only rules that do not apply), so
 * its lines are not worth the memory traffic.
 */
static void step_buckets(const struct cm_domainset *s, const struct group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        const struct inflight *f = &g->q[i];

        if (f->first < f->nl) {
            uint32_t b = home(g->hs[f->h0 + f->first], s->nb);
            const char *p = (const char *)(s->recs + s->off[b]),
                       *end = (const char *)(s->recs + s->off[b + 1]);

            for (int c = 0; p < end && c < 4; p += 64, c++) {
                __builtin_prefetch(p);
            }
        }
    }
}

/* Step 4: compare, most specific suffix first, as walk() does. */
static void step_compare(const struct cm_domainset *s, struct group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        const struct inflight *f = &g->q[i];
        const uint64_t *h = g->hs + f->h0;

        if (f->slow) {
            g->found[i] = g->norm ? cm_domainset_lookup_norm(s, f->p, f->len, &g->m[i])
                                  : walk(s, g->names[i], &g->m[i], 1, false) > 0;
            continue;
        }
        for (uint32_t k = f->first; k < f->nl; k++) {
            size_t pos = f->starts[k];
            const uint32_t *r;

            if (k > f->first && !passes(f, h, k)) {
                continue;
            }
            r = find_record(s, h[k], f->p + pos, f->len - pos);
            if (r != NULL && take(r, pos, &g->m[i])) {
                g->found[i] = true;
                break;
            }
        }
    }
}

/*
 * The names go through in groups of GROUP, each group through the four
 * steps above, and STAGES groups are in flight at once, one step apart:
 * while one group is normalised and hashed, the previous one is tested
 * against the Bloom lines asked for a round ago, the one before reads its
 * bucket offsets and the one before that its records. So a memory read is
 * asked for a whole round of work before it is needed, and the lookups
 * wait on it only when the batch is too short to fill the pipe.
 */
static void lookup_batch(const struct cm_domainset *s, const struct cm_str *names, size_t n,
                         struct cm_domainset_match *m, bool *found, bool norm)
{
    struct group g[STAGES];
    size_t ng = (n + GROUP - 1) / GROUP;

    if (s == NULL || s->nb == 0) {
        memset(found, 0, n * sizeof(*found));
        return;
    }
    for (size_t t = 0; t < ng + STAGES - 1; t++) {
        if (t < ng) {
            struct group *a = &g[t % STAGES];

            a->norm = norm;
            a->names = names + t * GROUP;
            a->m = m + t * GROUP;
            a->found = found + t * GROUP;
            a->n = n - t * GROUP < GROUP ? n - t * GROUP : GROUP;
            step_hash(s, a);
        }
        if (t >= 1 && t - 1 < ng) {
            step_bloom(s, &g[(t - 1) % STAGES]);
        }
        if (t >= 2 && t - 2 < ng) {
            step_buckets(s, &g[(t - 2) % STAGES]);
        }
        if (t >= 3 && t - 3 < ng) {
            step_compare(s, &g[(t - 3) % STAGES]);
        }
    }
}

void cm_domainset_lookup_batch(const struct cm_domainset *s, const struct cm_str *names, size_t n,
                               struct cm_domainset_match *m, bool *found)
{
    lookup_batch(s, names, n, m, found, false);
}

void cm_domainset_lookup_batch_norm(const struct cm_domainset *s, const struct cm_str *names,
                                    size_t n, struct cm_domainset_match *m, bool *found)
{
    lookup_batch(s, names, n, m, found, true);
}

size_t cm_domainset_count(const struct cm_domainset *s)
{
    return s != NULL ? s->count : 0;
}

size_t cm_domainset_bytes(const struct cm_domainset *s)
{
    return s != NULL ? s->bytes : 0;
}
