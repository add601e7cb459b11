/*
 * IP indicator sets. IPv4: a directory of the 65 536 /16s over sorted
 * 32-bit keys, with parent links; IPv6: one seeded hash table per prefix
 * length, probed longest first. See ipset.h and docs/internals/intel.md
 * (the layout, what it costs, why not a trie or per-length tables).
 *
 * IPv4 prefixes get an index each. The long ones (/17-/32) come first,
 * grouped by their top 16 bits (the bucket) and sorted by (network,
 * length), so a bucket's keys are one sorted run of key[]; the short ones
 * (/0-/16) follow in sh4[]. up[i] is the most specific prefix strictly
 * containing prefix i, or NONE; bk[b].sh is the most specific short prefix
 * covering bucket b. occ[b] has a bit per /22 of the bucket that some long
 * prefix overlaps, so most addresses near listed ones but in none are
 * answered from the directory alone (1 MiB, cache resident).
 *
 * A lookup finds the last key of its bucket at or below the address. The
 * most specific prefix containing the address is that prefix or one of
 * its ancestors (prefixes nest or are disjoint, and a parent sorts before
 * its children), so it walks up[] until one contains the address and falls
 * back to bk[b].sh. A key holds the length, whether up[] is a long prefix,
 * and the index of the prefix's value word in vtab (the distinct words;
 * lists repeat a few indicator ids a million times), so the common cases
 * read one key line and nothing else.
 *
 * A value word is a single value (< MULTI) or MULTI | offset into multi[],
 * where multi[offset] is a count followed by that many distinct ascending
 * values. Freezing sorts the builder's triples by (network, length, value)
 * for IPv4 (radix sort) and (length, network, value) for IPv6, which makes
 * duplicates adjacent.
 */
#include "intel/ipset.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "intel/ipset_int.h"

#define VI_SLOTS 4096u /* interning table for vtab while freezing */
/* Below this many IPv4 triples qsort beats the radix sort's fixed cost. */
#define RADIX_MIN    4096u
#define RADIX_DIGITS 1024u

struct item4 {
    uint32_t net;
    uint32_t val;
    uint32_t len;
};

struct item6 {
    uint64_t hi, lo;
    uint32_t val;
    uint32_t len;
};

struct cm_ipset_builder {
    uint64_t seed;
    struct item4 *v4;
    size_t n4, cap4;
    struct item6 *v6;
    size_t n6, cap6;
};

int cm_ipset_builder_create(struct cm_ipset_builder **out, uint64_t seed)
{
    struct cm_ipset_builder *b = cm_calloc(1, sizeof(*b));

    *out = b;
    if (b == NULL) {
        return CM_ENOMEM;
    }
    b->seed = seed;
    return CM_OK;
}

void cm_ipset_builder_destroy(struct cm_ipset_builder *b)
{
    if (b == NULL) {
        return;
    }
    cm_free(b->v4);
    cm_free(b->v6);
    cm_free(b);
}

static int add4(struct cm_ipset_builder *b, uint32_t net, unsigned len, uint32_t val)
{
    int rc = cm_grow((void **)&b->v4, &b->cap4, b->n4 + 1, sizeof(*b->v4), 256);

    if (rc != 0) {
        return rc;
    }
    b->v4[b->n4++] = (struct item4){net & mask4(len), val, len};
    return CM_OK;
}

int cm_ipset_builder_add(struct cm_ipset_builder *b, const struct cm_ip *net, unsigned prefix,
                         uint32_t val)
{
    struct item6 it;
    int rc;

    if (val > CM_IPSET_VAL_MAX) {
        return CM_EINVAL;
    }
    if (net->family == CM_IP_V4) {
        return prefix > 32 ? CM_EINVAL : add4(b, cm_ip_v4(net), prefix, val);
    }
    if (net->family != CM_IP_V6 || prefix > 128) {
        return CM_EINVAL;
    }
    if (prefix >= 96 && cm_ipset_embeds_v4(net->a)) {
        struct cm_ip v4 = {CM_IP_V4, {net->a[12], net->a[13], net->a[14], net->a[15]}};
        return add4(b, cm_ip_v4(&v4), prefix - 96, val);
    }
    rc = cm_grow((void **)&b->v6, &b->cap6, b->n6 + 1, sizeof(*b->v6), 256);
    if (rc != 0) {
        return rc;
    }
    memset(&it, 0, sizeof(it));
    it.hi = rd_be64(net->a);
    it.lo = rd_be64(net->a + 8);
    mask6(&it.hi, &it.lo, prefix);
    it.val = val;
    it.len = prefix;
    b->v6[b->n6++] = it;
    return CM_OK;
}

int cm_ipset_builder_add_text(struct cm_ipset_builder *b, struct cm_str cidr, uint32_t val)
{
    struct cm_ip net;
    unsigned prefix;

    if (cm_cidr_parse(cidr, &net, &prefix) != 0) {
        return CM_EINVAL;
    }
    return cm_ipset_builder_add(b, &net, prefix, val);
}

size_t cm_ipset_builder_count(const struct cm_ipset_builder *b)
{
    return b->n4 + b->n6;
}

/* IPv4 order: (network, length, value), so a prefix comes before everything inside it. */
static int cmp4(const void *pa, const void *pb)
{
    const struct item4 *a = pa, *b = pb;

    if (a->net != b->net) {
        return a->net < b->net ? -1 : 1;
    }
    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }
    return a->val < b->val ? -1 : a->val > b->val;
}

static int cmp6(const void *pa, const void *pb)
{
    const struct item6 *a = pa, *b = pb;

    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }
    if (a->hi != b->hi) {
        return a->hi < b->hi ? -1 : 1;
    }
    if (a->lo != b->lo) {
        return a->lo < b->lo ? -1 : 1;
    }
    return a->val < b->val ? -1 : a->val > b->val;
}

static bool same4(const struct item4 *a, const struct item4 *b)
{
    return a->len == b->len && a->net == b->net;
}

static bool same6(const struct item6 *a, const struct item6 *b)
{
    return a->len == b->len && a->hi == b->hi && a->lo == b->lo;
}

/* Digit d (0-7, 10 bits each) of an IPv4 triple's 70-bit sort key (network, length, value). */
static unsigned digit4(const struct item4 *it, unsigned d)
{
    uint64_t k = d < 4 ? it->val : ((uint64_t)it->net << 6) | it->len;

    return (unsigned)(k >> (10 * (d & 3))) & (RADIX_DIGITS - 1);
}

/*
 * Sorts v[0..n) by cmp4: an LSD radix sort, value first, through tmp; cnt
 * holds 8 * RADIX_DIGITS counters. A pass whose digit is the same for every
 * triple (most of the value's, with few distinct values) moves nothing and
 * is skipped.
 */
static void radix4(struct item4 *v, struct item4 *tmp, uint32_t *cnt, size_t n)
{
    struct item4 *src = v, *dst = tmp, *t;

    for (size_t i = 0; i < n; i++) {
        for (unsigned d = 0; d < 8; d++) {
            cnt[d * RADIX_DIGITS + digit4(&v[i], d)]++;
        }
    }
    for (unsigned d = 0; d < 8; d++) {
        uint32_t *c = cnt + d * RADIX_DIGITS, sum = 0;

        if (c[digit4(&src[0], d)] == n) {
            continue;
        }
        for (unsigned k = 0; k < RADIX_DIGITS; k++) {
            uint32_t x = c[k];
            c[k] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++) {
            dst[c[digit4(&src[i], d)]++] = src[i];
        }
        t = src;
        src = dst;
        dst = t;
    }
    if (src != v) {
        memcpy(v, src, n * sizeof(*v));
    }
}

/* Sorts and drops repeated triples. Returns 0 or CM_ENOMEM (the builder unchanged). */
static int sort_dedup(struct cm_ipset_builder *b)
{
    size_t j = 0;

    if (b->n4 >= RADIX_MIN && b->n4 <= UINT32_MAX) {
        struct item4 *tmp = cm_malloc(b->n4 * sizeof(*tmp));
        uint32_t *cnt = cm_calloc(8 * RADIX_DIGITS, sizeof(*cnt));

        if (tmp == NULL || cnt == NULL) {
            cm_free(tmp);
            cm_free(cnt);
            return CM_ENOMEM;
        }
        radix4(b->v4, tmp, cnt, b->n4);
        cm_free(tmp);
        cm_free(cnt);
    } else if (b->n4 > 1) {
        qsort(b->v4, b->n4, sizeof(*b->v4), cmp4);
    }
    for (size_t i = 0; i < b->n4; i++) {
        if (j == 0 || cmp4(&b->v4[j - 1], &b->v4[i]) != 0) {
            b->v4[j++] = b->v4[i];
        }
    }
    b->n4 = j;
    j = 0;
    if (b->n6 > 1) {
        qsort(b->v6, b->n6, sizeof(*b->v6), cmp6);
    }
    for (size_t i = 0; i < b->n6; i++) {
        if (j == 0 || cmp6(&b->v6[j - 1], &b->v6[i]) != 0) {
            b->v6[j++] = b->v6[i];
        }
    }
    b->n6 = j;
    return CM_OK;
}

/* Distinct networks: IPv4 long (/17-/32) and short, IPv6 per length; multi[] words. */
struct census {
    size_t v4long, v4short;
    size_t c6[129];
    size_t nmulti;
};

static void take_census(const struct cm_ipset_builder *b, struct census *c)
{
    size_t run = 1;

    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < b->n4; i++) {
        if (i + 1 < b->n4 && same4(&b->v4[i], &b->v4[i + 1])) {
            run++;
            continue;
        }
        *(b->v4[i].len > 16 ? &c->v4long : &c->v4short) += 1;
        c->nmulti += run > 1 ? run + 1 : 0;
        run = 1;
    }
    for (size_t i = 0; i < b->n6; i++) {
        if (i + 1 < b->n6 && same6(&b->v6[i], &b->v6[i + 1])) {
            run++;
            continue;
        }
        c->c6[b->v6[i].len]++;
        c->nmulti += run > 1 ? run + 1 : 0;
        run = 1;
    }
}

/* The value word for the run of values vals[0..run). */
static uint32_t value_word(struct cm_ipset *s, const uint32_t *vals, size_t run)
{
    uint32_t off;

    if (run == 1) {
        return vals[0];
    }
    off = (uint32_t)s->nmulti;
    s->multi[s->nmulti++] = (uint32_t)run;
    memcpy(s->multi + s->nmulti, vals, run * sizeof(*vals));
    s->nmulti += run;
    return MULTI | off;
}

static void put6(struct cm_ipset *s, uint64_t hi, uint64_t lo, unsigned len, uint32_t word)
{
    struct tab6 *t = &s->t6[len];
    uint32_t i = home(hash6(s->seed, hi, lo), t->n);

    while (t->slots[i].val != EMPTY) {
        i = i + 1 == t->n ? 0 : i + 1;
    }
    t->slots[i].hi = hi;
    t->slots[i].lo = lo;
    t->slots[i].val = word;
}

/* The /22s of its bucket that the long prefix net/len overlaps. */
static uint64_t occupancy(uint32_t net, unsigned len)
{
    unsigned first = (net >> 10) & 63;

    return len >= 22 ? 1ULL << first : ((1ULL << (1u << (22 - len))) - 1) << first;
}

/* An open IPv4 prefix while filling: the nesting stack holds at most 33. */
struct open4 {
    uint32_t net, idx;
    unsigned len;
};

/* True when prefix a contains the network net/len. */
static bool contains4(const struct open4 *a, uint32_t net, unsigned len)
{
    return a->len <= len && ((net ^ a->net) & mask4(a->len)) == 0;
}

/*
 * The index in s->vtab of value word w, added when new; VI_ESC once vtab
 * is full. map is an open-addressing table of VI_SLOTS (index + 1, 0 free).
 */
static uint32_t intern_word(struct cm_ipset *s, uint32_t *map, size_t *nv, uint32_t w)
{
    uint32_t i = (uint32_t)cm_hash_mix64(w ^ s->seed) & (VI_SLOTS - 1);

    for (; map[i] != 0; i = (i + 1) & (VI_SLOTS - 1)) {
        if (s->vtab[map[i] - 1] == w) {
            return map[i] - 1;
        }
    }
    if (*nv == VI_ESC) {
        return VI_ESC;
    }
    s->vtab[*nv] = w;
    *nv += 1;
    map[i] = (uint32_t)*nv;
    return map[i] - 1;
}

/*
 * Gives every distinct IPv4 prefix its index, value word and parent, and
 * fills the directory. The triples are in (network, length) order, so a
 * prefix comes after every prefix containing it: a stack of the prefixes
 * still open gives each one's parent, and the last short prefix to cover a
 * bucket is the most specific one there. Returns whether some key needs
 * lword (more distinct value words than vtab holds).
 */
static bool fill4(struct cm_ipset *s, const struct cm_ipset_builder *b, uint32_t *vals,
                  uint32_t *map)
{
    struct open4 stack[33];
    size_t depth = 0, run = 0, nv = 0;
    uint32_t nextl = 0, nexts = (uint32_t)s->nlong, bucket = 0;
    bool esc = false;

    for (uint32_t i = 0; i < V4_BUCKETS; i++) {
        s->bk[i].sh = NONE;
        s->occ[i] = 0;
    }
    for (size_t i = 0; i < b->n4; i++) {
        const struct item4 *it = &b->v4[i];
        uint32_t idx, parent, word;

        vals[run++] = it->val;
        if (i + 1 < b->n4 && same4(it, &b->v4[i + 1])) {
            continue;
        }
        while (depth > 0 && !contains4(&stack[depth - 1], it->net, it->len)) {
            depth--;
        }
        parent = depth > 0 ? stack[depth - 1].idx : NONE;
        word = value_word(s, vals, run);
        if (it->len > 16) {
            uint32_t vi = intern_word(s, map, &nv, word);

            idx = nextl++;
            while (bucket <= it->net >> 16) {
                s->bk[bucket++].off = idx;
            }
            s->key[idx] =
                (it->net << 16) | ((it->len - 17) << 12) | (parent < s->nlong ? UP_LONG : 0) | vi;
            s->lword[idx] = word;
            s->occ[it->net >> 16] |= occupancy(it->net, it->len);
            esc |= vi == VI_ESC;
        } else {
            uint32_t first = it->net >> 16, nb = 1u << (16 - it->len);

            idx = nexts++;
            for (uint32_t k = 0; k < nb; k++) {
                s->bk[first + k].sh = idx;
            }
            s->sh4[idx - s->nlong] = (struct short4){word, it->len};
        }
        s->up[idx] = parent;
        stack[depth++] = (struct open4){it->net, idx, it->len};
        run = 0;
    }
    while (bucket <= V4_BUCKETS) {
        s->bk[bucket++].off = nextl;
    }
    return esc;
}

/* Inserts every IPv6 run; s's tables and multi[] are allocated. vals is scratch. */
static void fill6(struct cm_ipset *s, const struct cm_ipset_builder *b, uint32_t *vals)
{
    size_t run = 0;

    for (size_t i = 0; i < b->n6; i++) {
        const struct item6 *it = &b->v6[i];

        vals[run++] = it->val;
        if (i + 1 < b->n6 && same6(it, &b->v6[i + 1])) {
            continue;
        }
        put6(s, it->hi, it->lo, it->len, value_word(s, vals, run));
        s->len6[it->len / 64] |= 1ULL << (it->len % 64);
        run = 0;
    }
}

/* cm_malloc(n * size), counted in s->bytes; NULL only when n > 0 and it fails. */
static void *alloc_counted(struct cm_ipset *s, size_t n, size_t size)
{
    if (n == 0) {
        return NULL;
    }
    s->bytes += n * size;
    return cm_malloc(n * size);
}

static int alloc4(struct cm_ipset *s, const struct census *c)
{
    size_t n = c->v4long + c->v4short;

    if (n == 0) {
        return CM_OK;
    }
    if (n >= NONE) {
        return CM_E2BIG;
    }
    s->nlong = c->v4long;
    s->bk = alloc_counted(s, V4_BUCKETS + 1, sizeof(*s->bk));
    s->occ = alloc_counted(s, V4_BUCKETS, sizeof(*s->occ));
    s->up = alloc_counted(s, n, sizeof(*s->up));
    if (s->bk == NULL || s->occ == NULL || s->up == NULL) {
        return CM_ENOMEM;
    }
    if (c->v4long > 0) {
        s->key = alloc_counted(s, c->v4long, sizeof(*s->key));
        s->lword = alloc_counted(s, c->v4long, sizeof(*s->lword));
        s->vtab = alloc_counted(s, VI_ESC, sizeof(*s->vtab));
        if (s->key == NULL || s->lword == NULL || s->vtab == NULL) {
            return CM_ENOMEM;
        }
    }
    if (c->v4short > 0 && (s->sh4 = alloc_counted(s, c->v4short, sizeof(*s->sh4))) == NULL) {
        return CM_ENOMEM;
    }
    s->count += n;
    return CM_OK;
}

static int alloc6(struct cm_ipset *s, const struct census *c)
{
    for (unsigned l = 0; l <= 128; l++) {
        struct tab6 *t = &s->t6[l];

        if (c->c6[l] == 0) {
            continue;
        }
        if (c->c6[l] > 0x7fffffffu) {
            return CM_E2BIG;
        }
        t->n = (uint32_t)(c->c6[l] + c->c6[l] / 2 + 1); /* load at most 2/3 */
        t->slots = alloc_counted(s, t->n, sizeof(*t->slots));
        if (t->slots == NULL) {
            return CM_ENOMEM;
        }
        for (uint32_t i = 0; i < t->n; i++) {
            t->slots[i].val = EMPTY;
        }
        s->count += c->c6[l];
    }
    return CM_OK;
}

int cm_ipset_freeze(struct cm_ipset_builder *b, struct cm_ipset **out)
{
    struct census c;
    struct cm_ipset *s;
    uint32_t *vals = NULL, *map = NULL;
    size_t maxrun;
    int rc;

    *out = NULL;
    if ((rc = sort_dedup(b)) != 0) {
        return rc;
    }
    take_census(b, &c);
    if (c.nmulti >= MULTI) {
        return CM_E2BIG;
    }
    maxrun = c.nmulti > 0 ? c.nmulti : 1; /* a run never exceeds the multi[] words */
    s = cm_calloc(1, sizeof(*s));
    if (s == NULL) {
        return CM_ENOMEM;
    }
    s->seed = b->seed;
    s->bytes = sizeof(*s);
    rc = CM_ENOMEM;
    if (c.nmulti > 0 && (s->multi = alloc_counted(s, c.nmulti, sizeof(*s->multi))) == NULL) {
        goto fail;
    }
    if ((vals = cm_malloc(maxrun * sizeof(*vals))) == NULL ||
        (map = cm_calloc(VI_SLOTS, sizeof(*map))) == NULL) {
        goto fail;
    }
    if ((rc = alloc4(s, &c)) != 0 || (rc = alloc6(s, &c)) != 0) {
        goto fail;
    }
    if (s->bk != NULL && !fill4(s, b, vals, map) && s->lword != NULL) {
        cm_free(s->lword); /* every value word is in vtab */
        s->lword = NULL;
        s->bytes -= s->nlong * sizeof(*s->lword);
    }
    fill6(s, b, vals);
    cm_free(vals);
    cm_free(map);
    cm_free(b->v4);
    cm_free(b->v6);
    b->v4 = NULL;
    b->v6 = NULL;
    b->n4 = b->cap4 = b->n6 = b->cap6 = 0;
    *out = s;
    return CM_OK;
fail:
    cm_free(vals);
    cm_free(map);
    cm_ipset_destroy(s);
    return rc;
}

void cm_ipset_destroy(struct cm_ipset *s)
{
    if (s == NULL) {
        return;
    }
    for (unsigned l = 0; l <= 128; l++) {
        cm_free(s->t6[l].slots);
    }
    cm_free(s->bk);
    cm_free(s->occ);
    cm_free(s->key);
    cm_free(s->vtab);
    cm_free(s->lword);
    cm_free(s->sh4);
    cm_free(s->up);
    cm_free(s->multi);
    cm_free(s);
}
