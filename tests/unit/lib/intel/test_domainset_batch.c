/*
 * Batched domain lookups (cm_domainset_lookup_batch, lib/intel/domainset_lookup.c)
 * and lookups of names normalised by the parser (cm_domainset_lookup_norm)
 * against one cm_domainset_lookup per name: a few thousand names under all
 * three rules, 1007 mixed queries (hits at several depths, misses, invalid
 * names, case, trailing dots, names of up to 127 labels) laid out so that
 * groups run out of suffix hashes, the same queries cut at other offsets,
 * and n == 0, a NULL set and an empty set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/domain.h"
#include "base/str.h"
#include "intel/domainset.h"
#include "../../xorshift.h"

#define SEED 0xd0d0cafeULL

/*
 * Where test_domainset.c's generator stood when these tests ran there, after
 * its other tests: the same seed gives the same sets and queries as before
 * they moved here.
 */
static uint64_t rng_state = 0x628c27945540be31ULL;

static uint64_t rnd(void)
{
    return xorshift64(&rng_state);
}

static struct cm_domainset *freeze(struct cm_domainset_builder *b)
{
    struct cm_domainset *s = NULL;
    assert_int_equal(cm_domainset_freeze(b, &s), 0);
    assert_non_null(s);
    return s;
}

/* Fills out with a label of len bytes (1-63) drawn from a seed, and returns len. */
static size_t make_label(char *out, size_t len, uint64_t seed)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";

    for (size_t i = 0; i < len; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        out[i] = alnum[(seed >> 33) % 38];
    }
    return len;
}

/* The same record (name pointer and length), rules and values. */
static void assert_same_match(const struct cm_domainset_match *a,
                              const struct cm_domainset_match *b)
{
    assert_ptr_equal(a->name.p, b->name.p);
    assert_int_equal(a->name.len, b->name.len);
    assert_int_equal(a->rules, b->rules);
    assert_ptr_equal(a->vals, b->vals);
    assert_int_equal(a->nvals, b->nvals);
}

/*
 * cm_domainset_lookup_batch_norm over the host names among names[0..n), as
 * the parser normalises them (struct cm_domain: padded, and its bytes past
 * the name's end are not zeroed here), must answer as cm_domainset_lookup
 * does for each: the same found and the same record, rules and values.
 */
static void check_batch_norm(const struct cm_domainset *s, const struct cm_str *names, size_t n)
{
    struct cm_domain *d = calloc(n + 1, sizeof(*d));
    struct cm_str *norm = calloc(n + 1, sizeof(*norm));
    struct cm_domainset_match *m = calloc(n + 1, sizeof(*m));
    bool *found = calloc(n + 1, sizeof(*found));
    size_t *from = calloc(n + 1, sizeof(*from));
    size_t k = 0;

    assert_true(d != NULL && norm != NULL && m != NULL && found != NULL && from != NULL);
    memset(d, 0x5a, (n + 1) * sizeof(*d));
    for (size_t i = 0; i < n; i++) {
        if (cm_domain_parse(names[i], &d[k]) == 0 && d[k].host) {
            memset(d[k].name + d[k].len + 1, 'q', sizeof(d[k].name) - d[k].len - 1);
            norm[k] = cm_str_make(d[k].name, d[k].len);
            from[k++] = i;
        }
    }
    memset(m, 0xa5, (n + 1) * sizeof(*m));
    for (size_t i = 0; i <= n; i++) {
        found[i] = true;
    }
    cm_domainset_lookup_batch_norm(s, norm, k, m, found);
    assert_true(found[k]); /* nothing written past the end */
    for (size_t j = 0; j < k; j++) {
        struct cm_domainset_match one;
        bool hit = cm_domainset_lookup(s, names[from[j]], &one);

        if (found[j] != hit) {
            fail_msg("name %zu (\"%.40s\"): normalised batch found %d, single %d", from[j],
                     norm[j].p, found[j], hit);
        }
        if (hit) {
            assert_same_match(&m[j], &one);
        }
    }
    free(d);
    free(norm);
    free(m);
    free(found);
    free(from);
}

/* Whether listed (normalised) is a proper suffix of name, case and a trailing dot aside. */
static bool under(struct cm_str name, struct cm_str listed)
{
    size_t n = name.len;

    if (n > 0 && name.p[n - 1] == '.') {
        n--;
    }
    if (n <= listed.len || name.p[n - listed.len - 1] != '.') {
        return false;
    }
    for (size_t i = 0; i < listed.len; i++) {
        char c = name.p[n - listed.len + i];

        if ((c >= 'A' && c <= 'Z' ? (char)(c + 32) : c) != listed.p[i]) {
            return false;
        }
    }
    return true;
}

/*
 * cm_domainset_lookup_batch over names[0..n) must answer as
 * cm_domainset_lookup does for each name: the same found and, for a hit,
 * the same record (name pointer and length), rules and values. m and found
 * are poisoned first, so an answer the batch forgets to write shows.
 */
static void check_batch(const struct cm_domainset *s, const struct cm_str *names, size_t n)
{
    struct cm_domainset_match *m = calloc(n + 1, sizeof(*m));
    bool *found = calloc(n + 1, sizeof(*found));

    assert_non_null(m);
    assert_non_null(found);
    memset(m, 0xa5, (n + 1) * sizeof(*m));
    for (size_t i = 0; i <= n; i++) {
        found[i] = true;
    }
    cm_domainset_lookup_batch(s, names, n, m, found);
    assert_true(found[n]); /* nothing written past the end */
    for (size_t i = 0; i < n; i++) {
        struct cm_domainset_match one;
        bool hit = cm_domainset_lookup(s, names[i], &one);

        if (found[i] != hit) {
            fail_msg("name %zu (%zu bytes, \"%.40s\"): batch found %d, single %d", i, names[i].len,
                     names[i].p, found[i], hit);
        }
        {
            /*
             * A name the parser's normaliser calls a host name looks up
             * alike as it is (cm_domainset_lookup_norm); any other name is
             * found only by the listed domain of a proper suffix of it (the
             * labels right of its last label that is no host name's).
             */
            struct cm_domain d;
            struct cm_domainset_match nm;

            if (cm_domain_parse(names[i], &d) == 0 && d.host) {
                bool nhit = cm_domainset_lookup_norm(s, d.name, d.len, &nm);

                assert_int_equal(nhit, hit);
                if (hit) {
                    assert_same_match(&nm, &one);
                }
            } else if (hit) {
                assert_true(under(names[i], one.name));
            }
        }
        if (!hit) {
            continue;
        }
        assert_same_match(&m[i], &one);
    }
    free(m);
    free(found);
    check_batch_norm(s, names, n);
}

/* Writes nlab one-byte labels, then ".suffix" (suffix may be ""), into out; returns the length. */
static size_t deep_name(char *out, size_t nlab, const char *suffix)
{
    size_t k = 0, sl = strlen(suffix);

    for (size_t i = 0; i < nlab; i++) {
        out[k++] = "abz"[rnd() % 3];
        out[k++] = '.';
    }
    if (sl == 0) {
        return k > 0 ? k - 1 : 0;
    }
    memcpy(out + k, suffix, sl);
    return k + sl;
}

#define BQ_N   1007 /* queries: not a multiple of the batch's group of 16 */
#define BQ_CAP 320  /* bytes a query may take (the longest invalid one is 300) */

static const char *const batch_labels[] = {"a",   "b",     "c",  "ab",  "x-y", "mail",
                                           "com", "evil1", "co", "net", "_sv", "xn--p1ai"};

/* A name of 1-4 labels, each from batch_labels or random (1-12 bytes); returns the length. */
static size_t batch_name(char *out, int depth_max)
{
    int depth = 1 + (int)(rnd() % (uint64_t)depth_max);
    size_t k = 0;

    for (int d = 0; d < depth; d++) {
        if (d) {
            out[k++] = '.';
        }
        if (rnd() % 3 == 0) {
            k += make_label(out + k, 1 + rnd() % 12, rnd());
        } else {
            const char *l = batch_labels[rnd() % 12];
            memcpy(out + k, l, strlen(l));
            k += strlen(l);
        }
    }
    out[k] = '\0';
    return k;
}

/* One random query of BQ_CAP bytes at most into q, built over the listed names. */
static size_t batch_query(char *q, char (*listed)[64], size_t nlisted)
{
    static const char *const bad[] = {"",       "a..b",         ".evil1.com", "*.com",
                                      "com..",  "\xc3\xa9.com", "co\x80m",    "a b.com",
                                      "a/b.co", "mail.*.net"};
    const char *base = listed[rnd() % nlisted];
    size_t k = 0, bl = strlen(base);

    switch (rnd() % 10) {
    case 0:
    case 1: /* a listed name */
        memcpy(q, base, bl);
        return bl;
    case 2:
    case 3:
    case 4: /* under a listed name, 1-3 labels deeper, sometimes shouted or with a trailing dot */
        for (int d = 1 + (int)(rnd() % 3); d > 0; d--) {
            k += make_label(q + k, 1 + rnd() % 8, rnd());
            q[k++] = '.';
        }
        memcpy(q + k, base, bl);
        k += bl;
        if (rnd() % 3 == 0) {
            for (size_t i = 0; i < k; i++) {
                q[i] = q[i] >= 'a' && q[i] <= 'z' ? (char)(q[i] - 32) : q[i];
            }
        }
        if (rnd() % 3 == 0) {
            q[k++] = '.';
        }
        return k;
    case 5: /* a random name: hits and misses */
        return batch_name(q, 5);
    case 6: /* a miss */
        k = make_label(q, 1 + rnd() % 20, rnd());
        memcpy(q + k, ".nowhere.invalid", 16);
        return k + 16;
    case 7: /* invalid: fixed, 300 bytes, 254 bytes without a dot, a 64-byte label */
        switch (rnd() % 4) {
        case 0:
            memset(q, 'a', 300);
            return 300;
        case 1:
            k = deep_name(q, 125, "com"); /* 253 bytes */
            q[k++] = 'x';
            return k;
        case 2:
            k = make_label(q, 63, rnd());
            q[k++] = 'q';
            memcpy(q + k, ".com", 4);
            return k + 4;
        default:
            base = bad[rnd() % 10];
            memcpy(q, base, strlen(base));
            return strlen(base);
        }
    case 8: /* down the deep chain: hits at every depth, EXACT ones only on the name */
        return deep_name(q, rnd() % 70, "deep.test");
    default: /* many one-byte labels over a listed name, as many as fit or fewer */
        k = (CM_DOMAIN_MAX - bl) / 2;
        return deep_name(q, rnd() % 2 ? k : rnd() % (k + 1), base);
    }
}

/*
 * The batch against single lookups over a few thousand random names under
 * all three rules and several values: 1007 mixed queries (hits at several
 * depths, misses, invalid names, case, trailing dots, names of up to 127
 * labels), some groups laid out so a group's 128 suffix hashes run out -
 * several deep names together, one mid-group, one first so that the short
 * names after it are looked up alone, 127 + 1 labels exactly - then the
 * same queries cut at other offsets and lengths so the groups fall
 * differently.
 */
static void test_batch_oracle(void **state)
{
    char(*q)[BQ_CAP] = calloc(BQ_N, BQ_CAP);
    char(*listed)[64] = calloc(3000, 64);
    struct cm_str *names = calloc(BQ_N, sizeof(*names));

    (void)state;
    assert_non_null(q);
    assert_non_null(listed);
    assert_non_null(names);
    for (int round = 0; round < 3; round++) {
        struct cm_domainset_builder *b;
        struct cm_domainset *s;
        size_t len[BQ_N];
        static const size_t offs[][2] = {{1, BQ_N - 1}, {7, 100}, {15, 17}, {16, 16},
                                         {500, 1},      {33, 0},  {64, 65}, {0, 15}};

        assert_int_equal(cm_domainset_builder_create(&b, rnd()), 0);
        for (size_t i = 0; i < 3000; i++) {
            batch_name(listed[i], 4);
            assert_int_equal(cm_domainset_builder_add(b, cm_str_cstr(listed[i]),
                                                      (enum cm_domain_rule)(rnd() % 3),
                                                      (uint32_t)(rnd() % 8)),
                             0);
        }
        for (size_t d = 0; d < 60; d++) { /* a.b.z...deep.test at every depth */
            char deep[140];
            size_t k = deep_name(deep, d, "deep.test");

            assert_int_equal(cm_domainset_builder_add(b, cm_str_make(deep, k),
                                                      (enum cm_domain_rule)(d % 3), (uint32_t)d),
                             0);
        }
        s = freeze(b);

        for (size_t i = 0; i < BQ_N; i++) {
            len[i] = batch_query(q[i], listed, 3000);
        }
        /* group 2: 16 names of 100 one-byte labels under "com": one fits, the rest go alone */
        for (size_t i = 32; i < 48; i++) {
            len[i] = deep_name(q[i], 100, "com");
        }
        /* group 5: the hashes run out mid-group (8 short names, then 101 labels) */
        len[88] = deep_name(q[88], 100, "com");
        len[90] = deep_name(q[90], 90, listed[3]);
        /* group 7: a deep name first, so the short names after it overflow */
        len[112] = deep_name(q[112], 120, "deep.test");
        /* group 9: 127 labels then one label, exactly 128 hashes, then more */
        len[144] = deep_name(q[144], 127, "");
        memcpy(q[145], "com", 3);
        len[145] = 3;
        len[146] = deep_name(q[146], 2, "deep.test");
        /* group 11: the last name is the one that does not fit */
        len[191] = deep_name(q[191], 126, "");
        /* the last, short group */
        len[BQ_N - 3] = deep_name(q[BQ_N - 3], 90, "deep.test");
        len[BQ_N - 2] = deep_name(q[BQ_N - 2], 60, listed[7]);
        for (size_t i = 0; i < BQ_N; i++) {
            assert_true(len[i] <= BQ_CAP);
            names[i] = cm_str_make(q[i], len[i]);
        }
        check_batch(s, names, BQ_N);
        for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
            check_batch(s, names + offs[i][0], offs[i][1]);
        }
        cm_domainset_destroy(s);
        cm_domainset_builder_destroy(b);
    }
    free(names);
    free(listed);
    free(q);
}

/* n == 0 writes nothing; a NULL set and an empty frozen set find nothing. */
static void test_batch_empty(void **state)
{
    static const char *const qs[] = {"evil.com", "", "a.b.c", "A.B.C.", "a..b"};
    struct cm_str names[5];
    struct cm_domainset_match m[5];
    bool found[5];
    struct cm_domainset_builder *b;
    struct cm_domainset *s;

    (void)state;
    for (size_t i = 0; i < 5; i++) {
        names[i] = cm_str_cstr(qs[i]);
    }
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("a.b.c"), 1), 0);
    s = freeze(b);
    found[0] = true;
    cm_domainset_lookup_batch(s, names, 0, m, found);
    assert_true(found[0]);
    cm_domainset_lookup_batch(NULL, names, 0, m, found);
    assert_true(found[0]);
    cm_domainset_destroy(s);

    memset(found, 1, sizeof(found));
    cm_domainset_lookup_batch(NULL, names, 5, m, found);
    for (size_t i = 0; i < 5; i++) {
        assert_false(found[i]);
    }
    check_batch(NULL, names, 5);

    s = freeze(b); /* the builder was emptied: an empty set */
    assert_int_equal(cm_domainset_count(s), 0);
    memset(found, 1, sizeof(found));
    cm_domainset_lookup_batch(s, names, 5, m, found);
    for (size_t i = 0; i < 5; i++) {
        assert_false(found[i]);
    }
    check_batch(s, names, 5);
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
}

/* A random query for test_split_oracle: mostly host bytes, some of every other kind. */
static size_t random_query(char *out)
{
    static const char host[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
    static const char odd[] = "ABCXYZ./*@: \x7f\x80\xff\t";
    static const char *const ends[] = {".com", ".COM.", ".com.", ".net", "com", ".."};
    size_t len = rnd() % 8 == 0 ? rnd() % 270 : 1 + rnd() % 70, k = 0;

    while (k < len) {
        uint64_t r = rnd();

        if (r % 100 < 75) {
            out[k++] = host[(r >> 8) % (sizeof(host) - 1)];
        } else if (r % 100 < 90 && k > 0 && out[k - 1] != '.') {
            out[k++] = '.';
        } else if (r % 100 < 97) {
            out[k++] = "ABCXYZ"[(r >> 8) % 6];
        } else {
            out[k++] = odd[(r >> 8) % (sizeof(odd) - 1)];
        }
    }
    if (rnd() % 2 == 0) {
        const char *e = ends[rnd() % 6];

        memcpy(out + k, e, strlen(e));
        k += strlen(e);
    }
    return k;
}

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    }
    return h;
}

/*
 * For test_split_oracle, of a query cm_domain_normalize refuses (random_query
 * makes no escapes): whether the set of "com" and "net" (SUBTREE) holds a
 * proper suffix of it right of its last label that is no host name's. It must
 * have bytes a name may have (0x21-0x7e), 1-253 of them without one trailing
 * dot, no empty label; its last label must be "com" or "net" in any case and
 * not the only one.
 */
static bool tail_listed(struct cm_str q)
{
    size_t n = q.len, last;

    if (n > 0 && q.p[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > CM_DOMAIN_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)q.p[i];

        if (c < 0x21 || c > 0x7e || (c == '.' && (i == 0 || q.p[i - 1] == '.'))) {
            return false;
        }
    }
    if (q.p[n - 1] == '.' || n < 5 || q.p[n - 4] != '.') {
        return false;
    }
    last = n - 3;
    return strncasecmp(q.p + last, "com", 3) == 0 || strncasecmp(q.p + last, "net", 3) == 0;
}

/*
 * The lookups' own splitting of a query (a fast one for names up to 63
 * bytes) against cm_domain_normalize, the builder's: on 100,000 random
 * queries (every length up to 270, upper case, dots in every place, bytes
 * no name has, trailing dots) with two in three of the valid ones listed
 * EXACT and "com" and "net" listed SUBTREE, a query must be found exactly
 * when the normaliser takes it, as its normalised self when that is
 * listed, else as "com" or "net" when that is its last label. A query the
 * lookups take but the normaliser refuses, a byte normalised otherwise or
 * a label start out of place each make one of these fail.
 */
static void test_split_oracle(void **state)
{
    enum { N = 100000 };
    char *pool = malloc((size_t)N * 280);
    struct cm_str *q = calloc(N, sizeof(*q));
    struct cm_domainset_builder *b;
    struct cm_domainset *s;

    (void)state;
    assert_non_null(pool);
    assert_non_null(q);
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("com"), CM_DOMAIN_SUBTREE, 1), 0);
    assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("net"), CM_DOMAIN_SUBTREE, 2), 0);
    for (size_t i = 0; i < N; i++) {
        char norm[CM_DOMAIN_MAX];
        size_t len;

        q[i] = cm_str_make(pool + i * 280, random_query(pool + i * 280));
        if (cm_domain_normalize(q[i], norm, &len) == 0 && fnv(norm, len) % 3 != 0) {
            assert_int_equal(cm_domainset_builder_add(b, cm_str_make(norm, len), CM_DOMAIN_EXACT,
                                                      (uint32_t)(10 + i % 1000)),
                             0);
        }
    }
    s = freeze(b);
    for (size_t i = 0; i < N; i++) {
        char norm[CM_DOMAIN_MAX];
        size_t len;
        struct cm_domainset_match m;
        bool hit = cm_domainset_lookup(s, q[i], &m);

        if (cm_domain_normalize(q[i], norm, &len) != 0) {
            /* Found only under its last label, when that and the one before are fine. */
            bool want = tail_listed(q[i]);

            if (hit != want) {
                fail_msg("query %zu \"%.*s\": refused by the normaliser, found %d, want %d", i,
                         (int)q[i].len, q[i].p, hit, want);
            }
            if (hit) {
                assert_int_equal(m.name.len, 3);
                assert_int_equal(m.rules, 1u << CM_DOMAIN_SUBTREE);
            }
            continue;
        }
        if (fnv(norm, len) % 3 != 0) {
            assert_true(hit);
            assert_int_equal(m.name.len, len);
            assert_memory_equal(m.name.p, norm, len);
            assert_true(m.rules & 1u << CM_DOMAIN_EXACT); /* "com" has SUBTREE too */
        } else if ((len > 4 && memcmp(norm + len - 4, ".com", 4) == 0) ||
                   (len > 4 && memcmp(norm + len - 4, ".net", 4) == 0)) {
            if (!hit) {
                fail_msg("query %zu \"%.*s\": not found under its last label", i, (int)len, norm);
            }
            assert_int_equal(m.name.len, 3);
            assert_memory_equal(m.name.p, norm + len - 3, 3);
        } else if (len == 3 && (memcmp(norm, "com", 3) == 0 || memcmp(norm, "net", 3) == 0)) {
            assert_true(hit); /* the SUBTREE rule takes the name itself */
        } else if (hit) {
            fail_msg("query %zu \"%.*s\": found as \"%.*s\"", i, (int)len, norm, (int)m.name.len,
                     m.name.p);
        }
    }
    check_batch(s, q, N);
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
    free(q);
    free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_oracle),
        cmocka_unit_test(test_batch_empty),
        cmocka_unit_test(test_split_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
