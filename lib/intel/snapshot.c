/*
 * Intel snapshots: the builder (list table, interned indicators, four set
 * builders) and the frozen, reference-counted snapshot. See snapshot.h.
 */
#include "intel/snapshot.h"

#include <stdatomic.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/map.h"
#include "intel/domainset.h"
#include "intel/ipset.h"

#define STRINGS_CHUNK  (64 * 1024)
#define KIND_COUNT     2
#define MAX_LISTS      65536u
#define MAX_INDICATORS ((size_t)CM_IPSET_VAL_MAX + 1)

struct cm_intel_builder {
    uint64_t seed;
    struct cm_arena strings; /* list and indicator strings; moves into the snapshot */
    struct cm_map *interned; /* serialised metadata -> uint32_t indicator id */
    struct cm_intel_list *lists;
    size_t nlists, caplists;
    struct cm_indicator *inds;
    size_t ninds, capinds;
    struct cm_ipset_builder *ip[KIND_COUNT];
    struct cm_domainset_builder *dom[KIND_COUNT];
};

struct cm_intel_snapshot {
    atomic_size_t refs;
    struct cm_arena strings;
    struct cm_intel_list *lists;
    size_t nlists;
    struct cm_indicator *inds;
    size_t ninds;
    struct cm_ipset *ip[KIND_COUNT];
    struct cm_domainset *dom[KIND_COUNT];
};

int cm_intel_builder_create(struct cm_intel_builder **out, uint64_t seed)
{
    struct cm_intel_builder *b = cm_calloc(1, sizeof(*b));
    int rc = CM_ENOMEM;

    *out = NULL;
    if (b == NULL) {
        return CM_ENOMEM;
    }
    b->seed = seed;
    cm_arena_init(&b->strings, STRINGS_CHUNK, 0);
    if ((rc = cm_map_create(&b->interned, sizeof(uint32_t), 0, cm_hash_mix64(seed ^ 1))) != 0) {
        goto fail;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        uint64_t s = cm_hash_mix64(seed + 2 + (uint64_t)k);

        if ((rc = cm_ipset_builder_create(&b->ip[k], s)) != 0 ||
            (rc = cm_domainset_builder_create(&b->dom[k], cm_hash_mix64(s))) != 0) {
            goto fail;
        }
    }
    *out = b;
    return CM_OK;
fail:
    cm_intel_builder_destroy(b);
    return rc;
}

void cm_intel_builder_destroy(struct cm_intel_builder *b)
{
    if (b == NULL) {
        return;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        cm_ipset_builder_destroy(b->ip[k]);
        cm_domainset_builder_destroy(b->dom[k]);
    }
    cm_map_destroy(b->interned);
    cm_arena_finish(&b->strings);
    cm_free(b->lists);
    cm_free(b->inds);
    cm_free(b);
}

/* Copies s into the builder's arena; an absent string stays absent. */
static int copy_str(struct cm_intel_builder *b, struct cm_str s, struct cm_str *out)
{
    char *p;

    if (s.p == NULL) {
        *out = CM_STR_NULL;
        return CM_OK;
    }
    p = cm_arena_strndup(&b->strings, s.p, s.len);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    *out = cm_str_make(p, s.len);
    return CM_OK;
}

int cm_intel_builder_add_list(struct cm_intel_builder *b, const struct cm_intel_list *list,
                              uint32_t *id)
{
    struct cm_intel_list l;
    int rc;

    if (list->name.len == 0 ||
        (list->kind != CM_INTEL_KIND_THREAT && list->kind != CM_INTEL_KIND_TRUSTED)) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < b->nlists; i++) {
        if (cm_str_eq(b->lists[i].name, list->name)) {
            return CM_EEXIST;
        }
    }
    if (b->nlists >= MAX_LISTS) {
        return CM_E2BIG;
    }
    if ((rc = cm_grow((void **)&b->lists, &b->caplists, b->nlists + 1, sizeof(*b->lists), 16)) !=
        0) {
        return rc;
    }
    l.kind = list->kind;
    if ((rc = copy_str(b, list->name, &l.name)) != 0 ||
        (rc = copy_str(b, list->format, &l.format)) != 0 ||
        (rc = copy_str(b, list->source, &l.source)) != 0) {
        return rc; /* the arena keeps the bytes until the builder goes: harmless */
    }
    *id = (uint32_t)b->nlists;
    b->lists[b->nlists++] = l;
    return CM_OK;
}

/* Appends a length-prefixed string to the interning key. */
static size_t key_str(unsigned char *k, size_t n, struct cm_str s)
{
    uint32_t len = s.p == NULL ? UINT32_MAX : (uint32_t)s.len;

    memcpy(k + n, &len, sizeof(len));
    n += sizeof(len);
    if (s.len > 0) {
        memcpy(k + n, s.p, s.len);
    }
    return n + s.len;
}

/* Finds or creates the indicator equal to ind; sets *id. */
static int intern(struct cm_intel_builder *b, const struct cm_indicator *ind, uint32_t *id)
{
    unsigned char key[16 + 2 * CM_INTEL_STR_MAX];
    uint32_t cat = (uint32_t)ind->category, *slot;
    struct cm_indicator copy;
    size_t n = 0;
    bool created;
    int rc;

    if (ind->list >= b->nlists || (unsigned)ind->category >= CM_CAT_COUNT ||
        ind->threat_name.len > CM_INTEL_STR_MAX || ind->source.len > CM_INTEL_STR_MAX) {
        return CM_EINVAL;
    }
    memcpy(key, &ind->list, sizeof(ind->list));
    memcpy(key + 4, &cat, sizeof(cat));
    n = key_str(key, 8, ind->threat_name);
    n = key_str(key, n, ind->source);
    if ((slot = cm_map_get(b->interned, key, n)) != NULL) {
        *id = *slot;
        return CM_OK;
    }
    if (b->ninds >= MAX_INDICATORS) {
        return CM_E2BIG;
    }
    copy = *ind;
    if ((rc = cm_grow((void **)&b->inds, &b->capinds, b->ninds + 1, sizeof(*b->inds), 16)) != 0 ||
        (rc = copy_str(b, ind->threat_name, &copy.threat_name)) != 0 ||
        (rc = copy_str(b, ind->source, &copy.source)) != 0 ||
        (rc = cm_map_put(b->interned, key, n, (void **)&slot, &created)) != 0) {
        return rc;
    }
    *slot = (uint32_t)b->ninds;
    *id = *slot;
    b->inds[b->ninds++] = copy;
    return CM_OK;
}

int cm_intel_builder_add_ip(struct cm_intel_builder *b, const struct cm_ip *net, unsigned prefix,
                            const struct cm_indicator *ind)
{
    uint32_t id;
    int rc;

    if ((net->family != CM_IP_V4 || prefix > 32) && (net->family != CM_IP_V6 || prefix > 128)) {
        return CM_EINVAL;
    }
    if ((rc = intern(b, ind, &id)) != 0) {
        return rc;
    }
    return cm_ipset_builder_add(b->ip[b->lists[ind->list].kind], net, prefix, id);
}

int cm_intel_builder_add_domain_rule(struct cm_intel_builder *b, struct cm_str name,
                                     enum cm_domain_rule rule, const struct cm_indicator *ind)
{
    char norm[CM_DOMAIN_MAX];
    size_t len;
    uint32_t id;
    int rc;

    if (cm_domain_normalize(name, norm, &len) != 0 || (unsigned)rule > CM_DOMAIN_SUBDOMAINS) {
        return CM_EINVAL;
    }
    if ((rc = intern(b, ind, &id)) != 0) {
        return rc;
    }
    return cm_domainset_builder_add(b->dom[b->lists[ind->list].kind], name, rule, id);
}

int cm_intel_builder_add_domain(struct cm_intel_builder *b, struct cm_str text,
                                const struct cm_indicator *ind)
{
    char norm[CM_DOMAIN_MAX];
    size_t len;
    uint32_t id;
    int rc;
    struct cm_str name = cm_str_starts(text, "*.") ? cm_str_make(text.p + 2, text.len - 2) : text;

    if (cm_domain_normalize(name, norm, &len) != 0) {
        return CM_EINVAL;
    }
    if ((rc = intern(b, ind, &id)) != 0) {
        return rc;
    }
    return cm_domainset_builder_add_text(b->dom[b->lists[ind->list].kind], text, id);
}

int cm_intel_builder_add_text(struct cm_intel_builder *b, struct cm_str text,
                              const struct cm_indicator *ind)
{
    struct cm_ip net;
    unsigned prefix;

    if (cm_cidr_parse(text, &net, &prefix) == 0) {
        return cm_intel_builder_add_ip(b, &net, prefix, ind);
    }
    return cm_intel_builder_add_domain(b, text, ind);
}

int cm_intel_builder_build(struct cm_intel_builder *b, struct cm_intel_snapshot **out)
{
    struct cm_intel_snapshot *s = cm_calloc(1, sizeof(*s));
    int rc = CM_ENOMEM;

    *out = NULL;
    if (s == NULL) {
        return CM_ENOMEM;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        if ((rc = cm_ipset_freeze(b->ip[k], &s->ip[k])) != 0 ||
            (rc = cm_domainset_freeze(b->dom[k], &s->dom[k])) != 0) {
            goto fail;
        }
    }
    atomic_init(&s->refs, 1);
    s->strings = b->strings;
    cm_arena_init(&b->strings, STRINGS_CHUNK, 0);
    s->lists = b->lists;
    s->nlists = b->nlists;
    s->inds = b->inds;
    s->ninds = b->ninds;
    b->lists = NULL;
    b->inds = NULL;
    b->nlists = b->caplists = b->ninds = b->capinds = 0;
    *out = s;
    return CM_OK;
fail:
    for (int k = 0; k < KIND_COUNT; k++) {
        cm_ipset_destroy(s->ip[k]);
        cm_domainset_destroy(s->dom[k]);
    }
    cm_free(s);
    return rc;
}

struct cm_intel_snapshot *cm_intel_snapshot_ref(struct cm_intel_snapshot *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void cm_intel_snapshot_unref(struct cm_intel_snapshot *s)
{
    /* acq_rel rather than release + a fence: same order, and ThreadSanitizer understands it. */
    if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    for (int k = 0; k < KIND_COUNT; k++) {
        cm_ipset_destroy(s->ip[k]);
        cm_domainset_destroy(s->dom[k]);
    }
    cm_arena_finish(&s->strings);
    cm_free(s->lists);
    cm_free(s->inds);
    cm_free(s);
}

size_t cm_intel_snapshot_nlists(const struct cm_intel_snapshot *s)
{
    return s->nlists;
}

const struct cm_intel_list *cm_intel_snapshot_list(const struct cm_intel_snapshot *s, uint32_t id)
{
    return id < s->nlists ? &s->lists[id] : NULL;
}

size_t cm_intel_snapshot_nindicators(const struct cm_intel_snapshot *s)
{
    return s->ninds;
}

const struct cm_indicator *cm_intel_snapshot_indicator(const struct cm_intel_snapshot *s,
                                                       uint32_t id)
{
    return id < s->ninds ? &s->inds[id] : NULL;
}

size_t cm_intel_snapshot_bytes(const struct cm_intel_snapshot *s)
{
    size_t n =
        sizeof(*s) + s->strings.used + s->nlists * sizeof(*s->lists) + s->ninds * sizeof(*s->inds);

    for (int k = 0; k < KIND_COUNT; k++) {
        n += cm_ipset_bytes(s->ip[k]) + cm_domainset_bytes(s->dom[k]);
    }
    return n;
}

static enum cm_intel_verdict verdict_of(int kind)
{
    return kind == CM_INTEL_KIND_TRUSTED ? CM_INTEL_TRUSTED : CM_INTEL_THREAT;
}

static void set_ids(const struct cm_intel_snapshot *s, const uint32_t *ids, size_t n,
                    struct cm_intel_match *m)
{
    uint32_t lo = ids[0];

    for (size_t i = 1; i < n; i++) {
        lo = ids[i] < lo ? ids[i] : lo;
    }
    m->ids = ids;
    m->nids = n;
    m->ind = &s->inds[lo];
}

/* Fills *m for an address match found in a set of kind. */
static void set_ip_match(const struct cm_intel_snapshot *s, int kind,
                         const struct cm_ipset_match *im, struct cm_intel_match *m)
{
    memset(m, 0, sizeof(*m));
    m->verdict = verdict_of(kind);
    m->net = im->net;
    m->prefix = im->prefix;
    set_ids(s, im->vals, im->nvals, m);
}

enum cm_intel_verdict cm_intel_check_ip(const struct cm_intel_snapshot *s, const struct cm_ip *ip,
                                        struct cm_intel_match *m)
{
    static const int order[KIND_COUNT] = {CM_INTEL_KIND_TRUSTED, CM_INTEL_KIND_THREAT};
    struct cm_ipset_match im;

    for (int i = 0; i < KIND_COUNT; i++) {
        if (!cm_ipset_lookup(s->ip[order[i]], ip, &im)) {
            continue;
        }
        if (m != NULL) {
            set_ip_match(s, order[i], &im, m);
        }
        return verdict_of(order[i]);
    }
    if (m != NULL) {
        memset(m, 0, sizeof(*m));
    }
    return CM_INTEL_NONE;
}

/*
 * Starts a round of a batched check over m[0..k) (emptied) and gives, for
 * each kind in order, the positions no list before has matched: trusted
 * lists win over threat ones. Returns how many positions went into at[].
 */
static size_t unmatched(const struct cm_intel_match *m, size_t k, uint8_t *at)
{
    size_t nl = 0;

    for (size_t i = 0; i < k; i++) {
        if (m[i].verdict == CM_INTEL_NONE) {
            at[nl++] = (uint8_t)i;
        }
    }
    return nl;
}

static const int batch_order[KIND_COUNT] = {CM_INTEL_KIND_TRUSTED, CM_INTEL_KIND_THREAT};

void cm_intel_check_ips(const struct cm_intel_snapshot *s, const struct cm_ip *ips, size_t n,
                        struct cm_intel_match *m)
{
    struct cm_ipset_match im[CM_INTEL_BATCH];
    struct cm_ip left[CM_INTEL_BATCH];
    uint8_t at[CM_INTEL_BATCH];
    bool found[CM_INTEL_BATCH];

    if (n > 0) {
        memset(m, 0, n * sizeof(*m));
    }
    for (size_t from = 0; from < n; from += CM_INTEL_BATCH) {
        size_t k = n - from < CM_INTEL_BATCH ? n - from : CM_INTEL_BATCH;

        for (int o = 0; o < KIND_COUNT; o++) {
            size_t nl = unmatched(m + from, k, at);

            for (size_t j = 0; j < nl; j++) {
                left[j] = ips[from + at[j]];
            }
            cm_ipset_lookup_batch(s->ip[batch_order[o]], left, nl, im, found);
            for (size_t j = 0; j < nl; j++) {
                if (found[j]) {
                    set_ip_match(s, batch_order[o], &im[j], &m[from + at[j]]);
                }
            }
        }
    }
}

/* Fills *m for a domain match found in a set of kind. */
static void set_domain_match(const struct cm_intel_snapshot *s, int kind,
                             const struct cm_domainset_match *dm, struct cm_intel_match *m)
{
    memset(m, 0, sizeof(*m));
    m->verdict = verdict_of(kind);
    m->domain = dm->name;
    m->rules = dm->rules;
    set_ids(s, dm->vals, dm->nvals, m);
}

static void check_domains(const struct cm_intel_snapshot *s, const struct cm_str *names, size_t n,
                          struct cm_intel_match *m, bool norm)
{
    struct cm_domainset_match dm[CM_INTEL_BATCH];
    struct cm_str left[CM_INTEL_BATCH];
    uint8_t at[CM_INTEL_BATCH];
    bool found[CM_INTEL_BATCH];

    if (n > 0) {
        memset(m, 0, n * sizeof(*m));
    }
    for (size_t from = 0; from < n; from += CM_INTEL_BATCH) {
        size_t k = n - from < CM_INTEL_BATCH ? n - from : CM_INTEL_BATCH;

        for (int o = 0; o < KIND_COUNT; o++) {
            size_t nl = unmatched(m + from, k, at);

            for (size_t j = 0; j < nl; j++) {
                left[j] = names[from + at[j]];
            }
            if (norm) {
                cm_domainset_lookup_batch_norm(s->dom[batch_order[o]], left, nl, dm, found);
            } else {
                cm_domainset_lookup_batch(s->dom[batch_order[o]], left, nl, dm, found);
            }
            for (size_t j = 0; j < nl; j++) {
                if (found[j]) {
                    set_domain_match(s, batch_order[o], &dm[j], &m[from + at[j]]);
                }
            }
        }
    }
}

void cm_intel_check_domains(const struct cm_intel_snapshot *s, const struct cm_str *names, size_t n,
                            struct cm_intel_match *m)
{
    check_domains(s, names, n, m, false);
}

void cm_intel_check_domains_norm(const struct cm_intel_snapshot *s, const struct cm_str *names,
                                 size_t n, struct cm_intel_match *m)
{
    check_domains(s, names, n, m, true);
}

enum cm_intel_verdict cm_intel_check_domain_norm(const struct cm_intel_snapshot *s,
                                                 const char *name, size_t len,
                                                 struct cm_intel_match *m)
{
    static const int order[KIND_COUNT] = {CM_INTEL_KIND_TRUSTED, CM_INTEL_KIND_THREAT};
    struct cm_domainset_match dm;

    for (int i = 0; i < KIND_COUNT; i++) {
        if (!cm_domainset_lookup_norm(s->dom[order[i]], name, len, &dm)) {
            continue;
        }
        if (m != NULL) {
            set_domain_match(s, order[i], &dm, m);
        }
        return verdict_of(order[i]);
    }
    if (m != NULL) {
        memset(m, 0, sizeof(*m));
    }
    return CM_INTEL_NONE;
}

bool cm_intel_threat_has_ip(const struct cm_intel_snapshot *s, const struct cm_ip *ip,
                            struct cm_intel_match *m)
{
    struct cm_ipset_match im;

    if (!cm_ipset_lookup(s->ip[CM_INTEL_KIND_THREAT], ip, &im)) {
        return false;
    }
    if (m != NULL) {
        set_ip_match(s, CM_INTEL_KIND_THREAT, &im, m);
    }
    return true;
}

bool cm_intel_threat_has_domain(const struct cm_intel_snapshot *s, struct cm_str name)
{
    struct cm_domainset_match dm;

    return cm_domainset_lookup(s->dom[CM_INTEL_KIND_THREAT], name, &dm);
}

enum cm_intel_verdict cm_intel_check_domain(const struct cm_intel_snapshot *s, struct cm_str name,
                                            struct cm_intel_match *m)
{
    static const int order[KIND_COUNT] = {CM_INTEL_KIND_TRUSTED, CM_INTEL_KIND_THREAT};
    struct cm_domainset_match dm;

    for (int i = 0; i < KIND_COUNT; i++) {
        if (!cm_domainset_lookup(s->dom[order[i]], name, &dm)) {
            continue;
        }
        if (m != NULL) {
            set_domain_match(s, order[i], &dm, m);
        }
        return verdict_of(order[i]);
    }
    if (m != NULL) {
        memset(m, 0, sizeof(*m));
    }
    return CM_INTEL_NONE;
}
