/*
 * Domain indicator sets: one seeded open-addressing table of distinct
 * normalised names, each with its values grouped by rule. See domainset.h
 * and docs/internals/intel.md.
 *
 * Frozen layout: pool holds the name bytes (the builder's pool, handed over);
 * entries[e] points into it and at vals[vstart ..), where the values of rule
 * EXACT come first, then SUBTREE, then SUBDOMAINS (cnt[] of each). So the
 * rules that apply to the whole query name (EXACT, SUBTREE) and those that
 * apply to a proper suffix (SUBTREE, SUBDOMAINS) are each one contiguous
 * run. Table slots keep 32 bits of the hash as a tag so most probes never
 * touch the pool.
 */
#include "intel/domainset.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"

#define EMPTY 0xffffffffu

struct ditem {
    uint32_t off; /* pool offset; the entry index once freezing resolved it */
    uint32_t val;
    uint8_t len;
    uint8_t rule;
};

struct dentry {
    uint32_t off;
    uint32_t vstart;
    uint32_t cnt[3];
    uint8_t len;
};

struct dslot {
    uint32_t tag;
    uint32_t entry; /* EMPTY when free */
};

struct cm_domainset_builder {
    uint64_t seed;
    char *pool;
    size_t npool, cappool;
    struct ditem *items;
    size_t n, cap;
};

struct cm_domainset {
    uint64_t seed;
    char *pool;
    struct dentry *entries;
    size_t nentries;
    struct dslot *slots;
    uint32_t nslots;
    uint32_t *vals;
    size_t bytes;
};

int cm_domain_normalize(struct cm_str name, char *out, size_t *len)
{
    size_t n = name.len, label = 0;

    if (n > 0 && name.p[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > CM_DOMAIN_MAX) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name.p[i];

        if (c == '.') {
            if (label == 0) {
                return CM_EINVAL;
            }
            label = 0;
            out[i] = c;
            continue;
        }
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return CM_EINVAL;
        }
        if (++label > CM_DOMAIN_LABEL_MAX) {
            return CM_EINVAL;
        }
        out[i] = c;
    }
    if (label == 0) {
        return CM_EINVAL;
    }
    *len = n;
    return CM_OK;
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
        cm_domain_normalize(name, norm, &len) != 0) {
        return CM_EINVAL;
    }
    if (b->npool + len > UINT32_MAX) {
        return CM_E2BIG;
    }
    if ((rc = cm_grow((void **)&b->pool, &b->cappool, b->npool + len, 1, 1024)) != 0 ||
        (rc = cm_grow((void **)&b->items, &b->cap, b->n + 1, sizeof(*b->items), 1024)) != 0) {
        return rc;
    }
    memcpy(b->pool + b->npool, norm, len);
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

static uint32_t home(uint64_t h, uint32_t n)
{
    return (uint32_t)(((h >> 32) * n) >> 32);
}

/* The entry for name p[0..len), or NULL. */
static const struct dentry *find_name(const struct cm_domainset *s, const char *p, size_t len)
{
    uint64_t h;
    uint32_t i;

    if (s->nslots == 0) {
        return NULL;
    }
    h = cm_hash64(p, len, s->seed);
    i = home(h, s->nslots);
    for (;;) {
        const struct dslot *sl = &s->slots[i];

        if (sl->entry == EMPTY) {
            return NULL;
        }
        if (sl->tag == (uint32_t)h) {
            const struct dentry *e = &s->entries[sl->entry];

            if (e->len == len && memcmp(s->pool + e->off, p, len) == 0) {
                return e;
            }
        }
        i = i + 1 == s->nslots ? 0 : i + 1;
    }
}

/* Finds or creates the entry of item it; the tables are large enough. */
static uint32_t resolve(struct cm_domainset *s, const struct ditem *it)
{
    const char *p = s->pool + it->off;
    uint64_t h = cm_hash64(p, it->len, s->seed);
    uint32_t i = home(h, s->nslots);
    struct dentry *e;

    for (;;) {
        struct dslot *sl = &s->slots[i];

        if (sl->entry == EMPTY) {
            break;
        }
        e = &s->entries[sl->entry];
        if (sl->tag == (uint32_t)h && e->len == it->len &&
            memcmp(s->pool + e->off, p, it->len) == 0) {
            return sl->entry;
        }
        i = i + 1 == s->nslots ? 0 : i + 1;
    }
    s->slots[i] = (struct dslot){(uint32_t)h, (uint32_t)s->nentries};
    e = &s->entries[s->nentries];
    memset(e, 0, sizeof(*e));
    e->off = it->off;
    e->len = it->len;
    return (uint32_t)s->nentries++;
}

static int cmp_item(const void *pa, const void *pb)
{
    const struct ditem *a = pa, *b = pb;

    if (a->off != b->off) {
        return a->off < b->off ? -1 : 1;
    }
    if (a->rule != b->rule) {
        return a->rule < b->rule ? -1 : 1;
    }
    return a->val < b->val ? -1 : a->val > b->val;
}

/* Groups the resolved items by (entry, rule, value) into entries and vals. */
static void group(struct cm_domainset *s, struct ditem *items, size_t n)
{
    size_t nv = 0;

    if (n > 1) {
        qsort(items, n, sizeof(*items), cmp_item);
    }
    for (size_t i = 0; i < n; i++) {
        struct dentry *e = &s->entries[items[i].off];

        if (i > 0 && cmp_item(&items[i - 1], &items[i]) == 0) {
            continue;
        }
        if (i == 0 || items[i - 1].off != items[i].off) {
            e->vstart = (uint32_t)nv;
        }
        e->cnt[items[i].rule]++;
        s->vals[nv++] = items[i].val;
    }
}

int cm_domainset_freeze(struct cm_domainset_builder *b, struct cm_domainset **out)
{
    struct cm_domainset *s;
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
    if (b->n > 0) {
        s->nslots = (uint32_t)(b->n + b->n / 2 + 1);
        s->slots = cm_malloc(s->nslots * sizeof(*s->slots));
        s->entries = cm_malloc(b->n * sizeof(*s->entries));
        s->vals = cm_malloc(b->n * sizeof(*s->vals));
        if (s->slots == NULL || s->entries == NULL || s->vals == NULL) {
            goto fail;
        }
        for (uint32_t i = 0; i < s->nslots; i++) {
            s->slots[i].entry = EMPTY;
        }
    }
    /* Nothing can fail from here on: the builder is consumed. */
    s->pool = b->pool;
    for (size_t i = 0; i < b->n; i++) {
        b->items[i].off = resolve(s, &b->items[i]);
    }
    group(s, b->items, b->n);
    s->bytes = sizeof(*s) + b->cappool + s->nslots * sizeof(*s->slots) +
               b->n * (sizeof(*s->entries) + sizeof(*s->vals));
    cm_free(b->items);
    b->pool = NULL;
    b->items = NULL;
    b->n = b->cap = b->npool = b->cappool = 0;
    *out = s;
    return CM_OK;
fail:
    cm_domainset_destroy(s);
    return rc;
}

void cm_domainset_destroy(struct cm_domainset *s)
{
    if (s == NULL) {
        return;
    }
    cm_free(s->pool);
    cm_free(s->entries);
    cm_free(s->slots);
    cm_free(s->vals);
    cm_free(s);
}

static size_t walk(const struct cm_domainset *s, struct cm_str name, struct cm_domainset_match *out,
                   size_t max, bool all)
{
    char buf[CM_DOMAIN_MAX];
    size_t len, pos = 0, n = 0;

    if (s == NULL || s->nentries == 0 || cm_domain_normalize(name, buf, &len) != 0) {
        return 0;
    }
    for (;;) {
        const struct dentry *e = find_name(s, buf + pos, len - pos);
        const char *dot;

        if (e != NULL) {
            /* The whole name takes EXACT and SUBTREE; a proper suffix SUBTREE and SUBDOMAINS. */
            unsigned first = pos == 0 ? CM_DOMAIN_EXACT : CM_DOMAIN_SUBTREE;
            size_t nv = e->cnt[first] + e->cnt[first + 1];

            if (nv > 0) {
                if (n < max) {
                    out[n].name = cm_str_make(s->pool + e->off, e->len);
                    out[n].rules = (e->cnt[first] ? 1u << first : 0) |
                                   (e->cnt[first + 1] ? 1u << (first + 1) : 0);
                    out[n].vals = s->vals + e->vstart + (pos == 0 ? 0 : e->cnt[0]);
                    out[n].nvals = nv;
                }
                if (++n == 1 && !all) {
                    break;
                }
            }
        }
        dot = memchr(buf + pos, '.', len - pos);
        if (dot == NULL) {
            break;
        }
        pos = (size_t)(dot - buf) + 1;
    }
    return n;
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

size_t cm_domainset_count(const struct cm_domainset *s)
{
    return s != NULL ? s->nentries : 0;
}

size_t cm_domainset_bytes(const struct cm_domainset *s)
{
    return s != NULL ? s->bytes : 0;
}
