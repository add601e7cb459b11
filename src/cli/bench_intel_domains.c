/*
 * coalmine bench intel, part (d) (bench_intel.c): a set of N domain names
 * of 2-4 labels (registered domains and subdomains of them), its build and
 * bytes per entry, and lookups of 4-label names that miss (every suffix is
 * probed) and of names under a listed one (a hit by suffix), one at a time,
 * batched, and batched over names that come normalised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/str.h"
#include "cli/bench_intel_impl.h"
#include "intel/domainset.h"

/* A list of names in one buffer: off[] while it grows, then v[] (names_fix). */
struct names {
    char *pool;
    size_t used, cap;
    size_t *off;
    struct cm_str *v;
    size_t n;
};

/* --- domains -------------------------------------------------------------------------- */

static int names_init(struct names *ns, size_t n)
{
    ns->off = malloc(n * sizeof(*ns->off));
    ns->v = malloc(n * sizeof(*ns->v));
    return ns->off != NULL && ns->v != NULL ? CM_OK : CM_ENOMEM;
}

/* Adds p[0..len), with the 16 readable bytes after it a normalised name has (domainset.h). */
static int names_add(struct names *ns, const char *p, size_t len)
{
    int rc = cm_grow((void **)&ns->pool, &ns->cap, ns->used + len + 16, 1, 1 << 20);

    if (rc != 0) {
        return rc;
    }
    memcpy(ns->pool + ns->used, p, len);
    memset(ns->pool + ns->used + len, 0, 16);
    ns->off[ns->n] = ns->used;
    ns->v[ns->n++].len = len;
    ns->used += len;
    return CM_OK;
}

static void names_fix(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        ns->v[i].p = ns->pool + ns->off[i];
    }
}

static void names_free(struct names *ns)
{
    cm_free(ns->pool);
    free(ns->off);
    free(ns->v);
}

/* Appends a random label of 3-12 letters and digits to out at *k. */
static void label(struct cm_gen_rng *g, char *out, size_t *k)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned n = 3 + (unsigned)(rnd(g) % 10);

    for (unsigned i = 0; i < n; i++) {
        uint64_t r = rnd(g);
        out[(*k)++] = alnum[r % 8 == 0 ? 26 + (r >> 8) % 10 : (r >> 8) % 26];
    }
}

static const char *const tlds[] = {"com", "net", "org", "ru",  "info", "xyz", "top",    "io",
                                   "cn",  "de",  "biz", "app", "site", "me",  "online", "tk"};

/* A registered domain: label.tld */
static size_t reg_domain(struct cm_gen_rng *g, char *out)
{
    const char *tld = tlds[rnd(g) % (sizeof(tlds) / sizeof(tlds[0]))];
    size_t k = 0, tl = strlen(tld);

    label(g, out, &k);
    out[k++] = '.';
    memcpy(out + k, tld, tl);
    return k + tl;
}

/* Prepends nl random labels to name (len bytes) into out. */
static size_t prepend(struct cm_gen_rng *g, unsigned nl, struct cm_str name, char *out)
{
    size_t k = 0;

    for (unsigned i = 0; i < nl; i++) {
        label(g, out, &k);
        out[k++] = '.';
    }
    memcpy(out + k, name.p, name.len);
    return k + name.len;
}

static unsigned nlabels(struct cm_str s)
{
    unsigned n = 1;

    for (size_t i = 0; i < s.len; i++) {
        n += s.p[i] == '.';
    }
    return n;
}

/*
 * n names: 6 in 10 registered domains (2 labels), the rest 1 or 2 labels
 * under an earlier registered domain (3-4 labels).
 */
static int gen_domains(struct cm_gen_rng *g, size_t n, struct names *ns)
{
    size_t *regs = malloc(n * sizeof(*regs)), nregs = 0;
    int rc = CM_OK;

    if (regs == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char buf[CM_DOMAIN_MAX];
        size_t len;

        if (nregs == 0 || rnd(g) % 10 < 6) {
            len = reg_domain(g, buf);
            regs[nregs++] = ns->n;
        } else {
            size_t k = regs[rnd(g) % nregs];
            char pbuf[CM_DOMAIN_MAX];

            memcpy(pbuf, ns->pool + ns->off[k], ns->v[k].len); /* the pool may move */
            len = prepend(g, 1 + (unsigned)(rnd(g) % 2), cm_str_make(pbuf, ns->v[k].len), buf);
        }
        rc = names_add(ns, buf, len);
    }
    free(regs);
    return rc;
}

static int build_domainset(const struct conf *c, const struct names *ns, struct cm_domainset **out)
{
    double t[ROUNDS];
    int rc = CM_OK;

    *out = NULL;
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        struct cm_domainset_builder *b = NULL;
        double t0 = cpu_s();

        cm_domainset_destroy(*out);
        *out = NULL;
        rc = cm_domainset_builder_create(&b, c->seed);
        for (size_t i = 0; i < ns->n && rc == 0; i++) {
            rc = cm_domainset_builder_add_text(b, ns->v[i], (uint32_t)(i & 7));
        }
        if (rc == 0) {
            rc = cm_domainset_freeze(b, out);
        }
        t[r] = cpu_s() - t0;
        cm_domainset_builder_destroy(b);
    }
    if (rc == 0) {
        size_t cnt = cm_domainset_count(*out);
        cm_bench_intel_report("domains: build (add + freeze)", "cpu", ns->n,
                              cm_bench_median(t, ROUNDS),
                              (double)cm_domainset_bytes(*out) / (double)(cnt ? cnt : 1));
    }
    return rc;
}

/* Names cm_domainset_lookup_batch is given at a time, as the scan's engine gives them. */
#define DOMAIN_BATCH 64

/* How a timing looks names up. */
enum how {
    ONE_AT_A_TIME, /* cm_domainset_lookup */
    BATCHED,       /* cm_domainset_lookup_batch, DOMAIN_BATCH names at a time */
    BATCHED_NORM,  /* cm_domainset_lookup_batch_norm: the names come normalised */
};

/* Times c->lookups lookups cycling over q; each pass must find want hits. */
static int time_domain_lookups(const struct conf *c, const struct cm_domainset *s,
                               const struct names *q, size_t want, enum how how, const char *stage)
{
    size_t passes = (c->lookups + q->n - 1) / q->n;
    volatile uint32_t sink = 0; /* keeps the reads of the values */
    double t[ROUNDS];

    for (int r = 0; r < ROUNDS; r++) {
        size_t hits = 0;
        double t0 = cpu_s();

        for (size_t p = 0; p < passes; p++) {
            for (size_t i = 0; i < q->n && how != ONE_AT_A_TIME; i += DOMAIN_BATCH) {
                struct cm_domainset_match m[DOMAIN_BATCH];
                bool found[DOMAIN_BATCH];
                size_t k = q->n - i < DOMAIN_BATCH ? q->n - i : DOMAIN_BATCH;

                if (how == BATCHED_NORM) {
                    cm_domainset_lookup_batch_norm(s, q->v + i, k, m, found);
                } else {
                    cm_domainset_lookup_batch(s, q->v + i, k, m, found);
                }
                for (size_t j = 0; j < k; j++) {
                    if (found[j]) {
                        hits++;
                        sink ^= m[j].vals[0];
                    }
                }
            }
            for (size_t i = 0; i < q->n && how == ONE_AT_A_TIME; i++) {
                struct cm_domainset_match m;

                if (cm_domainset_lookup(s, q->v[i], &m)) {
                    hits++;
                    sink ^= m.vals[0];
                }
            }
        }
        t[r] = cpu_s() - t0;
        if (hits != want * passes) {
            fprintf(stderr, "coalmine bench intel: %s: %zu hits, expected %zu\n", stage, hits,
                    want * passes);
            return CM_EINVAL;
        }
    }
    cm_bench_intel_report(stage, "cpu", passes * q->n, cm_bench_median(t, ROUNDS), -1);
    return CM_OK;
}

static int cmp_str(const void *a, const void *b)
{
    const struct cm_str *x = a, *y = b;
    int d = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

    return d != 0 ? d : x->len < y->len ? -1 : x->len > y->len;
}

/* Whether name or a parent of it is in sorted[0..n) (the oracle, independent of lib/intel). */
static bool listed_suffix(const struct cm_str *sorted, size_t n, struct cm_str name)
{
    for (size_t i = 0; i < name.len; i++) {
        if (i == 0 || name.p[i - 1] == '.') {
            struct cm_str suffix = cm_str_make(name.p + i, name.len - i);

            if (bsearch(&suffix, sorted, n, sizeof(*sorted), cmp_str) != NULL) {
                return true;
            }
        }
    }
    return false;
}

int cm_bench_intel_domains(const struct conf *c, struct cm_gen_rng *g)
{
    size_t n = c->entries;
    struct names ns = {0}, miss = {0}, hit = {0};
    struct cm_domainset *s = NULL;
    struct cm_str *sorted = NULL;
    int rc = CM_ENOMEM;

    if (names_init(&ns, n) != 0 || names_init(&miss, n) != 0 || names_init(&hit, n) != 0 ||
        (sorted = malloc(n * sizeof(*sorted))) == NULL) {
        goto done;
    }
    if ((rc = gen_domains(g, n, &ns)) != 0) {
        goto done;
    }
    names_fix(&ns);
    if ((rc = build_domainset(c, &ns, &s)) != 0) {
        goto done;
    }
    memcpy(sorted, ns.v, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_str);
    /* 4-label names under unlisted registered domains; the rare accidental hit is redrawn. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        char reg[CM_DOMAIN_MAX], buf[CM_DOMAIN_MAX];
        size_t len;

        do {
            len = prepend(g, 2, cm_str_make(reg, reg_domain(g, reg)), buf);
        } while (listed_suffix(sorted, n, cm_str_make(buf, len)));
        rc = names_add(&miss, buf, len);
    }
    /* Under a listed name: 2-label ones get 2 more labels, the others 1. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        char buf[2 * CM_DOMAIN_MAX];
        struct cm_str name = ns.v[rnd(g) % n];
        size_t len = prepend(g, nlabels(name) == 2 ? 2 : 1, name, buf);

        rc = len <= CM_DOMAIN_MAX ? names_add(&hit, buf, len) : CM_EINVAL;
    }
    if (rc != 0) {
        goto done;
    }
    names_fix(&miss);
    names_fix(&hit);
    /* The generated names are normalised already: lowercase, no trailing dot, valid labels. */
    rc = time_domain_lookups(c, s, &miss, 0, ONE_AT_A_TIME, "domains: 4-label names, miss");
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &miss, 0, BATCHED, "domains: 4-label names, miss, batched");
    }
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &hit, n, ONE_AT_A_TIME,
                                 "domains: names under a listed one, hit");
    }
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &hit, n, BATCHED,
                                 "domains: names under a listed one, hit, batched");
    }
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &hit, n, BATCHED_NORM,
                                 "domains: the same, batched, names split by the parser");
    }
done:
    cm_domainset_destroy(s);
    free(sorted);
    names_free(&ns);
    names_free(&miss);
    names_free(&hit);
    return rc;
}
