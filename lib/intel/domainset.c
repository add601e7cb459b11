/*
 * Domain indicator sets: distinct normalised names in seeded hash buckets,
 * behind a blocked Bloom filter. See domainset.h and
 * docs/internals/intel.md.
 *
 * A name's hash is chained over its labels from the last to the first: the
 * hash of "evil.com" seeds the hash of "a.evil.com" (cm_domainset_hashes in
 * domainset_int.h). So one right-to-left pass over a query gives the hash
 * of every suffix. Every suffix is first
 * checked against the Bloom filter: 512-bit blocks (one cache line), 4 bits
 * per name, 16 bits per name in all. The block is chosen by the hash of the
 * name's last two labels, so all the suffixes of a query but its last label
 * test the same line, and the last labels (top-level domains) are few and
 * stay cached: a query that misses costs about one line, not one per label.
 *
 * Frozen layout: nb buckets by the full hash; bucket b's records are
 * recs[off[b] .. off[b + 1]) (32-bit words), one per distinct name:
 *
 *   tag (32 bits of the hash)
 *   length | count EXACT << 8 | count SUBTREE << 16 | count SUBDOMAINS << 24,
 *     or length | 0xffffff00 and the three counts in the next three words
 *   the name bytes, zero-padded to a word
 *   the values: EXACT ones, then SUBTREE, then SUBDOMAINS, each ascending
 *
 * So the rules that apply to the whole query name (EXACT, SUBTREE) and those
 * that apply to a proper suffix (SUBTREE, SUBDOMAINS) are each one
 * contiguous run, and a match points into the record without a copy. A hit
 * costs the Bloom line, the bucket offsets and one record line or two.
 */
#include "intel/domainset.h"

#include <string.h>

#include "base/alloc.h"
#include "base/domain.h"
#include "base/err.h"
#include "intel/domainset_int.h"

#define SMALL_SORT  16u /* groups up to this size are insertion sorted */
#define PREFETCH    16u /* freezing reads names this many keys ahead */
#define BLOCK_NAMES 32u /* names per block: 16 bits each */

struct ditem {
    uint32_t off; /* pool offset of the normalised name */
    uint32_t val;
    uint8_t len;
    uint8_t rule;
};

struct cm_domainset_builder {
    uint64_t seed;
    char *pool;
    size_t npool, cappool;
    struct ditem *items;
    size_t n, cap;
};

/*
 * Normalises name into out and sets *len; with starts != NULL also records
 * where each label starts (*nl of them, at most CM_DOMAINSET_MAX_MATCHES).
 * The parser's normaliser (cm_domain_fold) does the bytes; a name is one a
 * set holds when that accepts it as a host name.
 */
int cm_domainset_split(struct cm_str name, char *out, size_t *len, uint8_t *starts, size_t *nl)
{
    struct cm_domain_shape sh;

    if (cm_domain_fold(name, out, &sh, starts) != 0 || !sh.host) {
        return CM_EINVAL;
    }
    *len = sh.len;
    if (nl != NULL) {
        *nl = sh.labels;
    }
    return CM_OK;
}

int cm_domainset_split_tail(struct cm_str name, char *out, size_t *base, size_t *len,
                            uint8_t *starts, size_t *nl)
{
    struct cm_domain_shape sh;
    size_t n, from = 0, tail = 0;
    bool bad = false;

    if (cm_domain_fold(name, out, &sh, NULL) != 0) {
        return CM_EINVAL;
    }
    n = sh.len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];

        if (c == '\\') {
            bad = true; /* an escape: the byte after it (\. or \\) is the label's */
            i++;
        } else if (c == '.') {
            if (bad || i - from > 63) {
                tail = i + 1;
            }
            from = i + 1;
            bad = false;
        } else if (!cm_domain_host_byte(c)) { /* '.' is taken above */
            bad = true;
        }
    }
    if (tail == 0 || bad || n - from > 63) {
        return CM_EINVAL; /* a host name, or one whose last label is not: no tail to look up */
    }
    *base = tail;
    *len = n - tail;
    *nl = 1;
    starts[0] = 0;
    for (size_t i = tail; i < n && *nl < CM_DOMAINSET_MAX_MATCHES; i++) {
        if (out[i] == '.') {
            starts[(*nl)++] = (uint8_t)(i + 1 - tail);
        }
    }
    return CM_OK;
}

int cm_domain_normalize(struct cm_str name, char *out, size_t *len)
{
    return cm_domainset_split(name, out, len, NULL, NULL);
}

/*
 * The hash of normalised name p[0..len) (followed by PAD readable bytes);
 * *blk gets the hash of its last two labels (of the name, if it has one),
 * which picks its Bloom block.
 */
static uint64_t name_hash(const struct cm_domainset *s, const char *p, size_t len, uint64_t *blk)
{
    uint8_t starts[CM_DOMAIN_MAX + 1];
    uint64_t hs[CM_DOMAINSET_MAX_MATCHES];
    size_t nl = 1;

    starts[0] = 0;
    for (size_t i = 0; i < len; i++) {
        starts[nl] = (uint8_t)(i + 1);
        nl += p[i] == '.';
    }
    cm_domainset_hashes(s, p, len, starts, nl, hs);
    *blk = hs[nl >= 2 ? nl - 2 : 0];
    return hs[0];
}

/* Sets the name's four bits, 9 bits of its hash each (the bucket comes from the top bits). */
static void bloom_set(uint64_t *blk, uint64_t h)
{
    for (int k = 0; k < 4; k++) {
        unsigned i = (unsigned)(h >> (9 * k)) & 511;
        blk[i >> 6] |= 1ULL << (i & 63);
    }
}

int cm_domainset_builder_create(struct cm_domainset_builder **out, uint64_t seed)
{
    struct cm_domainset_builder *b = cm_calloc(1, sizeof(*b));

    *out = b;
    if (b == NULL) {
        return CM_ENOMEM;
    }
    b->seed = seed;
    return CM_OK;
}

void cm_domainset_builder_destroy(struct cm_domainset_builder *b)
{
    if (b == NULL) {
        return;
    }
    cm_free(b->pool);
    cm_free(b->items);
    cm_free(b);
}

int cm_domainset_builder_add(struct cm_domainset_builder *b, struct cm_str name,
                             enum cm_domain_rule rule, uint32_t val)
{
    char norm[CM_DOMAIN_MAX];
    size_t len;
    int rc;

    if ((unsigned)rule > CM_DOMAIN_SUBDOMAINS || val > CM_DOMAINSET_VAL_MAX ||
        cm_domainset_split(name, norm, &len, NULL, NULL) != 0) {
        return CM_EINVAL;
    }
    if (b->npool + len > UINT32_MAX) {
        return CM_E2BIG;
    }
    /* PAD zero bytes always follow the last name: freezing hashes names in place. */
    if ((rc = cm_grow((void **)&b->pool, &b->cappool, b->npool + len + PAD, 1, 1024)) != 0 ||
        (rc = cm_grow((void **)&b->items, &b->cap, b->n + 1, sizeof(*b->items), 1024)) != 0) {
        return rc;
    }
    memcpy(b->pool + b->npool, norm, len);
    memset(b->pool + b->npool + len, 0, PAD);
    b->items[b->n++] = (struct ditem){(uint32_t)b->npool, val, (uint8_t)len, (uint8_t)rule};
    b->npool += len;
    return CM_OK;
}

int cm_domainset_builder_add_text(struct cm_domainset_builder *b, struct cm_str text, uint32_t val)
{
    if (cm_str_starts(text, "*.")) {
        return cm_domainset_builder_add(b, cm_str_make(text.p + 2, text.len - 2),
                                        CM_DOMAIN_SUBDOMAINS, val);
    }
    return cm_domainset_builder_add(b, text, CM_DOMAIN_SUBTREE, val);
}

size_t cm_domainset_builder_count(const struct cm_domainset_builder *b)
{
    return b->n;
}

/* --- freeze --------------------------------------------------------------------- */

/* One item with what freezing needs of it, so that sorting never chases the items. */
struct fkey {
    uint64_t h;   /* the name's hash */
    uint64_t blk; /* the hash that picks its Bloom block */
    uint32_t off; /* its name in the builder's pool */
    uint32_t val;
    uint8_t len;
    uint8_t rule;
};

static bool same_name(const char *pool, const struct fkey *x, const struct fkey *y)
{
    return x->h == y->h && x->len == y->len && memcmp(pool + x->off, pool + y->off, x->len) == 0;
}

/* Order inside a bucket: (hash, length, name bytes, rule, value); equal names become adjacent. */
static int cmp_key(const char *pool, const struct fkey *x, const struct fkey *y)
{
    int d;

    if (x->h != y->h) {
        return x->h < y->h ? -1 : 1;
    }
    if (x->len != y->len) {
        return x->len < y->len ? -1 : 1;
    }
    if ((d = memcmp(pool + x->off, pool + y->off, x->len)) != 0) {
        return d;
    }
    if (x->rule != y->rule) {
        return x->rule < y->rule ? -1 : 1;
    }
    return x->val < y->val ? -1 : x->val > y->val;
}

/* Sorts v[0..n) by cmp_key: insertion sort when small, else bottom-up merge sort through tmp. */
static void sort_group(const char *pool, struct fkey *v, struct fkey *tmp, size_t n)
{
    struct fkey *src = v, *dst = tmp, *t;

    if (n <= SMALL_SORT) {
        for (size_t i = 1; i < n; i++) {
            struct fkey x = v[i];
            size_t j = i;

            while (j > 0 && cmp_key(pool, &v[j - 1], &x) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
        return;
    }
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;

            while (i < mid && j < hi) {
                dst[k++] = cmp_key(pool, &src[j], &src[i]) < 0 ? src[j++] : src[i++];
            }
            while (i < mid) {
                dst[k++] = src[i++];
            }
            while (j < hi) {
                dst[k++] = src[j++];
            }
        }
        t = src;
        src = dst;
        dst = t;
    }
    if (src != v) {
        memcpy(v, src, n * sizeof(*v));
    }
}

/* Whether v[k] repeats the (rule, value) of v[k - 1] (same name). */
static bool repeat(const struct fkey *v, size_t k, size_t first)
{
    return k > first && v[k].rule == v[k - 1].rule && v[k].val == v[k - 1].val;
}

/*
 * Copies name p[0..len) into a record and zeroes its padding, 8 bytes at a
 * time: it may read PAD bytes past the name (the pool has them) and write 4
 * past its padded end (where the record's first value goes next).
 */
static void copy_name(char *dst, const char *p, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        memcpy(dst + i, p + i, 8);
    }
    memset(dst + len, 0, 4 * name_words(len) - len);
}

/*
 * Walks the names of sorted group v[0..n) (one bucket): for each distinct
 * name, its distinct values per rule. With s->recs set, writes the records
 * at *at (advancing it); always adds the record words to *words and the
 * names to *names.
 */
static void emit_group(struct cm_domainset *s, const char *pool, const struct fkey *v, size_t n,
                       size_t *at, size_t *words, size_t *names)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cnt[3] = {0, 0, 0};
        size_t end = i, size;

        while (end < n && (end == i || same_name(pool, &v[i], &v[end]))) {
            cnt[v[end].rule] += !repeat(v, end, i);
            end++;
        }
        size = rec_words_for(v[i].len, cnt);
        if (s->recs != NULL) {
            uint32_t *r = s->recs + *at, *vals;
            size_t nv = 0;

            r[0] = tag_of(v[i].h);
            if (counts_ext(cnt)) {
                r[1] = v[i].len | EXT_COUNTS;
                memcpy(r + 2, cnt, sizeof(cnt));
            } else {
                r[1] = v[i].len | cnt[0] << 8 | cnt[1] << 16 | cnt[2] << 24;
            }
            copy_name((char *)(r + rec_head(r)), pool + v[i].off, v[i].len);
            vals = r + rec_head(r) + name_words(v[i].len);
            for (size_t k = i; k < end; k++) {
                if (!repeat(v, k, i)) {
                    vals[nv++] = v[k].val;
                }
            }
            *at += size;
        }
        *words += size;
        (*names)++;
        i = end;
    }
}

/*
 * Hashes every item into tmp and sets its Bloom bits, orders the items by
 * bucket into keys (a counting sort), then each bucket by name. s->off
 * holds the bucket starts in keys afterwards.
 */
static void order_items(struct cm_domainset *s, const struct cm_domainset_builder *b,
                        struct fkey *keys, struct fkey *tmp)
{
    memset(s->off, 0, ((size_t)s->nb + 1) * sizeof(*s->off));
    for (size_t i = 0; i < b->n; i++) {
        const struct ditem *it = &b->items[i];
        struct fkey *k = &tmp[i];

        k->h = name_hash(s, b->pool + it->off, it->len, &k->blk);
        k->off = it->off;
        k->val = it->val;
        k->len = it->len;
        k->rule = it->rule;
    }
    /* Loops of their own: the writes are scattered and go faster side by side. */
    for (size_t i = 0; i < b->n; i++) {
        s->off[home(tmp[i].h, s->nb) + 1]++;
    }
    for (size_t i = 0; i < b->n; i++) {
        bloom_set(s->bloom + (size_t)home(tmp[i].blk, s->nblk) * BLOCK_WORDS, tmp[i].h);
    }
    for (uint32_t k = 0; k < s->nb; k++) {
        s->off[k + 1] += s->off[k];
    }
    for (size_t i = 0; i < b->n; i++) {
        keys[s->off[home(tmp[i].h, s->nb)]++] = tmp[i];
    }
    /* off[k] now ends bucket k: shift back to starts. */
    memmove(s->off + 1, s->off, (size_t)s->nb * sizeof(*s->off));
    s->off[0] = 0;
    for (uint32_t k = 0; k < s->nb; k++) {
        sort_group(b->pool, keys + s->off[k], tmp, s->off[k + 1] - s->off[k]);
    }
}

int cm_domainset_freeze(struct cm_domainset_builder *b, struct cm_domainset **out)
{
    struct cm_domainset *s;
    struct fkey *keys = NULL, *tmp = NULL;
    size_t words = 0, names = 0, at = 0, nwords;
    int rc = CM_ENOMEM;

    *out = NULL;
    if (b->n > 0x7fffffffu) {
        return CM_E2BIG;
    }
    s = cm_calloc(1, sizeof(*s));
    if (s == NULL) {
        return CM_ENOMEM;
    }
    s->seed = b->seed;
    s->bytes = sizeof(*s);
    if (b->n == 0) {
        goto done;
    }
    s->nb = (uint32_t)(b->n / 4 + 1);
    s->nblk = (uint32_t)(b->n / BLOCK_NAMES + 1);
    nwords = (size_t)s->nblk * BLOCK_WORDS;
    s->off = cm_malloc(((size_t)s->nb + 1) * sizeof(*s->off));
    /* One block more, so the blocks can start on a cache line: a block is then one line. */
    s->bloom_mem = cm_calloc(nwords + BLOCK_WORDS, sizeof(*s->bloom));
    s->bloom = s->bloom_mem == NULL
                   ? NULL
                   : s->bloom_mem +
                         (BLOCK_WORDS - ((uintptr_t)s->bloom_mem / 8) % BLOCK_WORDS) % BLOCK_WORDS;
    keys = cm_malloc(b->n * sizeof(*keys));
    tmp = cm_malloc(b->n * sizeof(*tmp));
    if (s->off == NULL || s->bloom == NULL || keys == NULL || tmp == NULL) {
        goto fail;
    }
    order_items(s, b, keys, tmp);
    cm_free(tmp);
    tmp = NULL;
    for (uint32_t k = 0; k < s->nb; k++) {
        emit_group(s, b->pool, keys + s->off[k], s->off[k + 1] - s->off[k], &at, &words, &names);
    }
    if (words >= UINT32_MAX) {
        rc = CM_E2BIG;
        goto fail;
    }
    if ((s->recs = cm_malloc(words * sizeof(*s->recs))) == NULL) {
        goto fail;
    }
    /* Nothing can fail from here on: the builder is consumed. */
    names = 0;
    for (uint32_t k = 0; k < s->nb; k++) {
        uint32_t first = s->off[k], n = s->off[k + 1] - first;

        /* The names are read in bucket order, all over the pool: ask for them early. */
        for (uint32_t i = first + PREFETCH; i < first + n + PREFETCH && i < b->n; i++) {
            __builtin_prefetch(b->pool + keys[i].off);
        }
        s->off[k] = (uint32_t)at;
        emit_group(s, b->pool, keys + first, n, &at, &words, &names);
    }
    s->off[s->nb] = (uint32_t)at;
    s->count = names;
    s->bytes += at * sizeof(*s->recs) + ((size_t)s->nb + 1) * sizeof(*s->off) +
                (nwords + BLOCK_WORDS) * sizeof(*s->bloom);
    cm_free(keys);
done:
    cm_free(b->pool);
    cm_free(b->items);
    b->pool = NULL;
    b->items = NULL;
    b->n = b->cap = b->npool = b->cappool = 0;
    *out = s;
    return CM_OK;
fail:
    cm_free(keys);
    cm_free(tmp);
    cm_domainset_destroy(s);
    return rc;
}

void cm_domainset_destroy(struct cm_domainset *s)
{
    if (s == NULL) {
        return;
    }
    cm_free(s->bloom_mem);
    cm_free(s->off);
    cm_free(s->recs);
    cm_free(s);
}
