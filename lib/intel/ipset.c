/*
 * IP indicator sets: per-prefix-length seeded hash tables probed longest
 * first, with a /16 index of the lengths present for IPv4. See ipset.h and
 * docs/internals/intel.md (why this and not a trie or interval arrays).
 *
 * A table slot holds the masked network and a value word: a single value
 * (< MULTI), EMPTY, or MULTI | offset into multi[], where multi[offset] is a
 * count followed by that many distinct ascending values. The builder sorts
 * its triples by (length, network, value) at freeze time, which makes
 * duplicates adjacent.
 */
#include "intel/ipset.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"

#define EMPTY      0xffffffffu
#define MULTI      0x80000000u
#define V4_BUCKETS 65536u

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

struct slot4 {
    uint32_t key;
    uint32_t val;
};

struct slot6 {
    uint64_t hi, lo;
    uint32_t val;
};

struct tab4 {
    struct slot4 *slots;
    uint32_t n; /* slots; 0 when no network has this length */
};

struct tab6 {
    struct slot6 *slots;
    uint32_t n;
};

struct cm_ipset_builder {
    uint64_t seed;
    struct item4 *v4;
    size_t n4, cap4;
    struct item6 *v6;
    size_t n6, cap6;
};

struct cm_ipset {
    uint64_t seed;
    /*
     * Per top-16-bit bucket, two words in one cache line's reach: [0] bit L
     * set when a /L can match in it; [1] a 64-bit Bloom filter of the
     * networks longer than /16 that lie in it, so that an address near
     * listed ones but not in them is answered without touching the tables.
     */
    uint64_t *bucket4;
    uint64_t len6[3]; /* bit L%64 of word L/64: an IPv6 /L exists */
    struct tab4 t4[33];
    struct tab6 t6[129];
    uint32_t *multi;
    size_t nmulti;
    size_t count; /* distinct networks */
    size_t bytes;
};

static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static uint32_t mask4(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static void mask6(uint64_t *hi, uint64_t *lo, unsigned len)
{
    if (len <= 64) {
        *hi = len == 0 ? 0 : *hi & (~0ULL << (64 - len));
        *lo = 0;
    } else {
        *lo = len == 128 ? *lo : *lo & ~(~0ULL >> (len - 64));
    }
}

static uint64_t rd_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void wr_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t hash4(uint64_t seed, uint32_t key)
{
    return cm_hash_mix64(seed ^ key);
}

static uint64_t hash6(uint64_t seed, uint64_t hi, uint64_t lo)
{
    return cm_hash_mix64(cm_hash_mix64(seed ^ hi) ^ lo);
}

/* Maps a hash onto [0, n) without division (n < 2^32). */
static uint32_t home(uint64_t h, uint32_t n)
{
    return (uint32_t)(((h >> 32) * n) >> 32);
}

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
    if (prefix >= 96 && memcmp(net->a, mapped_prefix, 12) == 0) {
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

static int cmp4(const void *pa, const void *pb)
{
    const struct item4 *a = pa, *b = pb;

    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }
    if (a->net != b->net) {
        return a->net < b->net ? -1 : 1;
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

/* Sorts and drops repeated triples. */
static void sort_dedup(struct cm_ipset_builder *b)
{
    size_t j = 0;

    if (b->n4 > 1) {
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
}

static bool same4(const struct item4 *a, const struct item4 *b)
{
    return a->len == b->len && a->net == b->net;
}

static bool same6(const struct item6 *a, const struct item6 *b)
{
    return a->len == b->len && a->hi == b->hi && a->lo == b->lo;
}

/* Counts distinct networks per length and the multi[] words duplicates need. */
static void census(const struct cm_ipset_builder *b, size_t c4[33], size_t c6[129], size_t *nmulti)
{
    size_t run = 1;

    for (size_t i = 0; i < b->n4; i++) {
        if (i + 1 < b->n4 && same4(&b->v4[i], &b->v4[i + 1])) {
            run++;
            continue;
        }
        c4[b->v4[i].len]++;
        *nmulti += run > 1 ? run + 1 : 0;
        run = 1;
    }
    for (size_t i = 0; i < b->n6; i++) {
        if (i + 1 < b->n6 && same6(&b->v6[i], &b->v6[i + 1])) {
            run++;
            continue;
        }
        c6[b->v6[i].len]++;
        *nmulti += run > 1 ? run + 1 : 0;
        run = 1;
    }
}

/* The value word for the run ending at values vals[0..run). */
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

static void put4(struct cm_ipset *s, uint32_t key, unsigned len, uint32_t word)
{
    struct tab4 *t = &s->t4[len];
    uint32_t i = home(hash4(s->seed, key), t->n);

    while (t->slots[i].val != EMPTY) {
        i = i + 1 == t->n ? 0 : i + 1;
    }
    t->slots[i] = (struct slot4){key, word};
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

/* The two Bloom bits of network key/len (len > 16) in its bucket. */
static uint64_t bloom_bits(uint64_t seed, uint32_t key, unsigned len)
{
    uint64_t h = cm_hash_mix64((((uint64_t)key << 6) | len) ^ seed);

    return (1ULL << (h & 63)) | (1ULL << ((h >> 6) & 63));
}

/* Marks length len in every /16 bucket that net/len overlaps (and its Bloom bits). */
static void mark_buckets(uint64_t *bucket4, uint64_t seed, uint32_t net, unsigned len)
{
    uint32_t first = net >> 16, n = len >= 16 ? 1 : 1u << (16 - len);

    for (uint32_t i = 0; i < n; i++) {
        bucket4[2 * (first + i)] |= 1ULL << len;
    }
    if (len > 16) {
        bucket4[2 * first + 1] |= bloom_bits(seed, net, len);
    }
}

/* Inserts every run; s's tables and multi[] are allocated. vals is scratch. */
static void fill(struct cm_ipset *s, const struct cm_ipset_builder *b, uint32_t *vals)
{
    size_t run = 0;

    for (size_t i = 0; i < b->n4; i++) {
        const struct item4 *it = &b->v4[i];

        vals[run++] = it->val;
        if (i + 1 < b->n4 && same4(it, &b->v4[i + 1])) {
            continue;
        }
        put4(s, it->net, it->len, value_word(s, vals, run));
        mark_buckets(s->bucket4, s->seed, it->net, it->len);
        run = 0;
    }
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

/* Slots for c networks: load at most 2/3. */
static int table_size(size_t c, uint32_t *n)
{
    if (c > 0x7fffffffu) {
        return CM_E2BIG;
    }
    *n = c == 0 ? 0 : (uint32_t)(c + c / 2 + 1);
    return CM_OK;
}

static int alloc_table(struct cm_ipset *s, size_t c, size_t sz, void **slots, uint32_t *n)
{
    int rc = table_size(c, n);

    if (rc != 0 || *n == 0) {
        return rc;
    }
    *slots = cm_malloc((size_t)*n * sz);
    if (*slots == NULL) {
        return CM_ENOMEM;
    }
    s->bytes += (size_t)*n * sz;
    s->count += c;
    return CM_OK;
}

static int alloc_tables(struct cm_ipset *s, const size_t c4[33], const size_t c6[129])
{
    int rc;

    for (unsigned l = 0; l <= 32; l++) {
        struct tab4 *t = &s->t4[l];

        if ((rc = alloc_table(s, c4[l], sizeof(*t->slots), (void **)&t->slots, &t->n)) != 0) {
            return rc;
        }
        for (uint32_t i = 0; i < t->n; i++) {
            t->slots[i].val = EMPTY;
        }
    }
    for (unsigned l = 0; l <= 128; l++) {
        struct tab6 *t = &s->t6[l];

        if ((rc = alloc_table(s, c6[l], sizeof(*t->slots), (void **)&t->slots, &t->n)) != 0) {
            return rc;
        }
        for (uint32_t i = 0; i < t->n; i++) {
            t->slots[i].val = EMPTY;
        }
    }
    return CM_OK;
}

int cm_ipset_freeze(struct cm_ipset_builder *b, struct cm_ipset **out)
{
    size_t c4[33] = {0}, c6[129] = {0}, nmulti = 0, maxrun = 1;
    struct cm_ipset *s;
    uint32_t *vals = NULL;
    int rc = CM_ENOMEM;

    *out = NULL;
    sort_dedup(b);
    census(b, c4, c6, &nmulti);
    if (nmulti >= MULTI) {
        return CM_E2BIG;
    }
    maxrun = nmulti > 0 ? nmulti : 1; /* a run never exceeds the multi[] words */
    s = cm_calloc(1, sizeof(*s));
    if (s == NULL) {
        return CM_ENOMEM;
    }
    s->seed = b->seed;
    s->bytes = sizeof(*s);
    if (b->n4 > 0) {
        s->bucket4 = cm_calloc(2 * V4_BUCKETS, sizeof(*s->bucket4));
        if (s->bucket4 == NULL) {
            goto fail;
        }
        s->bytes += 2 * V4_BUCKETS * sizeof(*s->bucket4);
    }
    if (nmulti > 0) {
        s->multi = cm_malloc(nmulti * sizeof(*s->multi));
        if (s->multi == NULL) {
            goto fail;
        }
        s->bytes += nmulti * sizeof(*s->multi);
    }
    vals = cm_malloc(maxrun * sizeof(*vals));
    if (vals == NULL) {
        goto fail;
    }
    if ((rc = alloc_tables(s, c4, c6)) != 0) {
        goto fail;
    }
    fill(s, b, vals);
    cm_free(vals);
    cm_free(b->v4);
    cm_free(b->v6);
    b->v4 = NULL;
    b->v6 = NULL;
    b->n4 = b->cap4 = b->n6 = b->cap6 = 0;
    *out = s;
    return CM_OK;
fail:
    cm_free(vals);
    cm_ipset_destroy(s);
    return rc;
}

void cm_ipset_destroy(struct cm_ipset *s)
{
    if (s == NULL) {
        return;
    }
    for (unsigned l = 0; l <= 128; l++) {
        if (l <= 32) {
            cm_free(s->t4[l].slots);
        }
        cm_free(s->t6[l].slots);
    }
    cm_free(s->bucket4);
    cm_free(s->multi);
    cm_free(s);
}

static const struct slot4 *find4(const struct cm_ipset *s, uint32_t key, unsigned len)
{
    const struct tab4 *t = &s->t4[len];
    uint32_t i = home(hash4(s->seed, key), t->n);

    for (;;) {
        const struct slot4 *sl = &t->slots[i];

        if (sl->val == EMPTY) {
            return NULL;
        }
        if (sl->key == key) {
            return sl;
        }
        i = i + 1 == t->n ? 0 : i + 1;
    }
}

static const struct slot6 *find6(const struct cm_ipset *s, uint64_t hi, uint64_t lo, unsigned len)
{
    const struct tab6 *t = &s->t6[len];
    uint32_t i = home(hash6(s->seed, hi, lo), t->n);

    for (;;) {
        const struct slot6 *sl = &t->slots[i];

        if (sl->val == EMPTY) {
            return NULL;
        }
        if (sl->hi == hi && sl->lo == lo) {
            return sl;
        }
        i = i + 1 == t->n ? 0 : i + 1;
    }
}

static void set_vals(const struct cm_ipset *s, const uint32_t *word, struct cm_ipset_match *m)
{
    if (*word & MULTI) {
        const uint32_t *p = s->multi + (*word & ~MULTI);
        m->nvals = p[0];
        m->vals = p + 1;
    } else {
        m->nvals = 1;
        m->vals = word;
    }
}

/*
 * Fills out[0..max) with the networks containing ip, most specific first, and
 * returns how many there are; with all false, stops at the first one.
 */
static size_t walk4(const struct cm_ipset *s, uint32_t ip, struct cm_ipset_match *out, size_t max,
                    bool all)
{
    const uint64_t *bk = s->bucket4 != NULL ? &s->bucket4[2 * (ip >> 16)] : NULL;
    uint64_t lens = bk != NULL ? bk[0] : 0;
    size_t n = 0;

    while (lens != 0) {
        unsigned len = 63u - (unsigned)__builtin_clzll(lens);
        uint32_t key = ip & mask4(len);
        const struct slot4 *sl;

        lens &= ~(1ULL << len);
        if (len > 16) {
            uint64_t bits = bloom_bits(s->seed, key, len);
            if ((bk[1] & bits) != bits) {
                continue; /* certainly not listed */
            }
        }
        if ((sl = find4(s, key, len)) == NULL) {
            continue;
        }
        if (n < max) {
            struct cm_ipset_match *m = &out[n];

            memset(&m->net, 0, sizeof(m->net));
            m->net.family = CM_IP_V4;
            m->net.a[0] = (uint8_t)(key >> 24);
            m->net.a[1] = (uint8_t)(key >> 16);
            m->net.a[2] = (uint8_t)(key >> 8);
            m->net.a[3] = (uint8_t)key;
            m->prefix = len;
            set_vals(s, &sl->val, m);
        }
        if (++n == 1 && !all) {
            break;
        }
    }
    return n;
}

static size_t walk6(const struct cm_ipset *s, const uint8_t a[16], struct cm_ipset_match *out,
                    size_t max, bool all)
{
    uint64_t ahi = rd_be64(a), alo = rd_be64(a + 8);
    size_t n = 0;

    for (int w = 2; w >= 0; w--) {
        uint64_t lens = s->len6[w];

        while (lens != 0) {
            unsigned bit = 63u - (unsigned)__builtin_clzll(lens);
            unsigned len = (unsigned)w * 64 + bit;
            uint64_t hi = ahi, lo = alo;
            const struct slot6 *sl;

            lens &= ~(1ULL << bit);
            mask6(&hi, &lo, len);
            if ((sl = find6(s, hi, lo, len)) == NULL) {
                continue;
            }
            if (n < max) {
                out[n].net.family = CM_IP_V6;
                wr_be64(out[n].net.a, hi);
                wr_be64(out[n].net.a + 8, lo);
                out[n].prefix = len;
                set_vals(s, &sl->val, &out[n]);
            }
            if (++n == 1 && !all) {
                return n;
            }
        }
    }
    return n;
}

static size_t walk(const struct cm_ipset *s, const struct cm_ip *ip, struct cm_ipset_match *out,
                   size_t max, bool all)
{
    if (s == NULL) {
        return 0;
    }
    if (ip->family == CM_IP_V4) {
        return walk4(s, cm_ip_v4(ip), out, max, all);
    }
    if (ip->family != CM_IP_V6) {
        return 0;
    }
    if (memcmp(ip->a, mapped_prefix, 12) == 0) {
        struct cm_ip v4 = {CM_IP_V4, {ip->a[12], ip->a[13], ip->a[14], ip->a[15]}};
        return walk4(s, cm_ip_v4(&v4), out, max, all);
    }
    return walk6(s, ip->a, out, max, all);
}

size_t cm_ipset_lookup_all(const struct cm_ipset *s, const struct cm_ip *ip,
                           struct cm_ipset_match *out, size_t max)
{
    return walk(s, ip, out, max, true);
}

bool cm_ipset_lookup(const struct cm_ipset *s, const struct cm_ip *ip, struct cm_ipset_match *m)
{
    return walk(s, ip, m, 1, false) > 0;
}

size_t cm_ipset_count(const struct cm_ipset *s)
{
    return s != NULL ? s->count : 0;
}

size_t cm_ipset_bytes(const struct cm_ipset *s)
{
    return s != NULL ? s->bytes : 0;
}
