/*
 * The cache of parsed query names (domain_cache.h): a power-of-two array of
 * slots, each one name as logged (the key, compared in full on a hit) and
 * what cm_domain_parse_psl made of it. A new name takes its slot from the
 * one there. A cache answers for one suffix set at a time: asked with
 * another, it empties itself first.
 */
#include "base/domain_cache.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"

struct slot {
    uint64_t h;
    uint8_t rawlen; /* 0: empty (an empty name never parses) */
    uint8_t len, reg, sfx, labels;
    bool priv, unlisted, host;
    char raw[CM_DOMAIN_CACHE_NAME];
    /* The normalised name (never longer than the raw one), its NUL and the pad. */
    char name[CM_DOMAIN_CACHE_NAME + 1 + CM_DOMAIN_PAD];
};

struct cm_domain_cache {
    uint64_t seed;
    size_t mask;
    const struct cm_psl *set; /* the set the slots were parsed with */
    struct slot *slots;
};

int cm_domain_cache_create(struct cm_domain_cache **out, size_t slots, uint64_t seed)
{
    struct cm_domain_cache *c = cm_calloc(1, sizeof(*c));
    size_t n = 16;

    *out = NULL;
    while (n < slots && n < ((size_t)1 << 24)) {
        n *= 2;
    }
    if (c == NULL || (c->slots = cm_calloc(n, sizeof(*c->slots))) == NULL) {
        cm_free(c);
        return CM_ENOMEM;
    }
    c->seed = seed;
    c->mask = n - 1;
    *out = c;
    return CM_OK;
}

void cm_domain_cache_destroy(struct cm_domain_cache *c)
{
    if (c != NULL) {
        cm_free(c->slots);
        cm_free(c);
    }
}

int cm_domain_parse_cached(struct cm_domain_cache *c, const struct cm_psl *set, struct cm_str name,
                           struct cm_domain *d)
{
    struct slot *e;
    uint64_t h;
    int rc;

    if (c == NULL || name.p == NULL || name.len == 0 || name.len > CM_DOMAIN_CACHE_NAME) {
        return cm_domain_parse_psl(set, name, d);
    }
    if (set != c->set) {
        memset(c->slots, 0, (c->mask + 1) * sizeof(*c->slots));
        c->set = set;
    }
    h = cm_hash64(name.p, name.len, c->seed);
    e = &c->slots[h & c->mask];
    if (e->h == h && e->rawlen == name.len && memcmp(e->raw, name.p, name.len) == 0) {
        memcpy(d->name, e->name, sizeof(e->name));
        d->len = e->len;
        d->reg = e->reg;
        d->sfx = e->sfx;
        d->private_suffix = e->priv;
        d->unlisted_tld = e->unlisted;
        d->labels = e->labels;
        d->host = e->host;
        return CM_OK;
    }
    if ((rc = cm_domain_parse_psl(set, name, d)) != 0) {
        return rc; /* not kept: a name that does not parse is rare, and *d is left as parse left it
                    */
    }
    e->h = h;
    e->rawlen = (uint8_t)name.len;
    memcpy(e->raw, name.p, name.len);
    memcpy(e->name, d->name, d->len + 1);
    memset(e->name + d->len + 1, 0, sizeof(e->name) - d->len - 1);
    e->len = (uint8_t)d->len;
    e->reg = (uint8_t)d->reg;
    e->sfx = (uint8_t)d->sfx;
    e->priv = d->private_suffix;
    e->unlisted = d->unlisted_tld;
    e->labels = (uint8_t)d->labels;
    e->host = d->host;
    return CM_OK;
}
