/*
 * Domain sets (lib/intel/domainset.c): exact, subtree and subdomain rules,
 * normalisation, invalid names, most-specific choice, a random oracle and a
 * 1-million-name set. Also the layout's own paths: a name with hundreds of
 * values (counts that do not fit a byte), labels longer than the hash's
 * 16-byte fast path and names of 253 bytes, a larger oracle whose names
 * repeat enough to be sorted by merging, and allocation failure at every
 * step of a freeze.
 */

/*
 * For the allocation-failure test this file defines CM_ALLOC_TORTURE and
 * compiles alloc.c and domainset.c into itself (the linker then never pulls
 * them from libcoalmine.a; see tests/unit/lib/base/test_alloc_torture.c).
 */
#define CM_ALLOC_TORTURE 1
#include "base/alloc.c"
#include "intel/domainset.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "intel/domainset.h"
#include "../../xorshift.h"

#define SEED 0xd0d0cafeULL

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

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

/* The first value of the most specific match of name, or -1. */
static long look(const struct cm_domainset *s, const char *name)
{
    struct cm_domainset_match m;
    return cm_domainset_lookup(s, cm_str_cstr(name), &m) ? (long)m.vals[0] : -1;
}

static void test_semantics(void **state)
{
    struct cm_domainset_builder *b;
    struct cm_domainset *s;
    struct cm_domainset_match m, all[8];

    (void)state;
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("evil.com"), 1), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("*.example.org"), 2), 0);
    assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("host.test"), CM_DOMAIN_EXACT, 3), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("a.evil.com"), 4), 0);
    s = freeze(b);
    assert_int_equal(cm_domainset_count(s), 4);

    /* A plain name matches itself and everything under it. */
    assert_int_equal(look(s, "evil.com"), 1);
    assert_int_equal(look(s, "x.evil.com"), 1);
    assert_int_equal(look(s, "a.b.evil.com"), 1);
    assert_int_equal(look(s, "notevil.com"), -1);
    assert_int_equal(look(s, "evil.com.au"), -1);
    assert_int_equal(look(s, "com"), -1);
    /* The most specific listed suffix wins; lookup_all lists both. */
    assert_int_equal(look(s, "z.a.evil.com"), 4);
    assert_int_equal(cm_domainset_lookup_all(s, CM_STR_LIT("z.a.evil.com"), all, 8), 2);
    assert_int_equal(all[0].vals[0], 4);
    assert_int_equal(all[1].vals[0], 1);
    assert_true(cm_str_eqc(all[1].name, "evil.com"));
    /* A wildcard matches subdomains only. */
    assert_int_equal(look(s, "example.org"), -1);
    assert_int_equal(look(s, "www.example.org"), 2);
    assert_int_equal(look(s, "a.b.example.org"), 2);
    assert_true(cm_domainset_lookup(s, CM_STR_LIT("www.example.org"), &m));
    assert_int_equal(m.rules, 1u << CM_DOMAIN_SUBDOMAINS);
    /* EXACT matches the name only. */
    assert_int_equal(look(s, "host.test"), 3);
    assert_int_equal(look(s, "www.host.test"), -1);
    /* Case and trailing dot. */
    assert_int_equal(look(s, "WWW.Evil.COM."), 1);
    assert_int_equal(look(s, "Host.Test."), 3);
    /* Invalid queries never match. */
    assert_int_equal(look(s, "evil..com"), -1);
    assert_int_equal(look(s, ".evil.com"), -1);
    assert_int_equal(look(s, ""), -1);
    assert_int_equal(look(s, "evil.com.*"), -1);
    assert_int_equal(look(s, "x.evil\\032com"), -1);
    /*
     * A query whose label is no host name's (a Resolver log's \032 escape, a
     * literal '*', base64's '+' and '/', a label over 63 bytes) is still under
     * the listed domains right of that label: their server answers it.
     */
    assert_int_equal(look(s, "*.evil.com"), 1);
    assert_int_equal(look(s, "\\032beacon.evil.com."), 1);
    assert_int_equal(look(s, "aGk+L3Rl.x.EVIL.com"), 1);
    assert_int_equal(look(s, "a+b.c/d.evil.com"), 1);
    assert_int_equal(
        look(s, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.evil.com"), 1);
    assert_int_equal(look(s, "x+.z.a.evil.com"), 4);
    assert_int_equal(cm_domainset_lookup_all(s, CM_STR_LIT("x+.z.a.evil.com"), all, 8), 2);
    /* An escaped dot is inside its label: "x.a" is one label, a.evil.com is not above it. */
    assert_int_equal(look(s, "x\\.a.evil.com"), 1);
    assert_int_equal(look(s, "x\\\\.a.evil.com"), 4);
    /* What is right of the label is a proper suffix: EXACT does not apply, SUBDOMAINS does. */
    assert_int_equal(look(s, "*.host.test"), -1);
    assert_int_equal(look(s, "+.example.org"), 2);
    assert_int_equal(look(s, "notevil+.com"), -1);
    assert_false(cm_domainset_lookup(NULL, CM_STR_LIT("evil.com"), &m));
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
    cm_domainset_destroy(NULL);
    cm_domainset_builder_destroy(NULL);
}

static void test_rules_and_duplicates(void **state)
{
    struct cm_domainset_builder *b;
    struct cm_domainset *s;
    struct cm_domainset_match m;

    (void)state;
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("Bad.Net."), 7), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("bad.net"), 7), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("bad.net"), 5), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("*.bad.net"), 9), 0);
    assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("bad.net"), CM_DOMAIN_EXACT, 8), 0);
    assert_int_equal(cm_domainset_builder_count(b), 5);
    s = freeze(b);
    assert_int_equal(cm_domainset_count(s), 1);
    /* The name itself: EXACT (8) then SUBTREE (5, 7). */
    assert_true(cm_domainset_lookup(s, CM_STR_LIT("bad.net"), &m));
    assert_int_equal(m.rules, (1u << CM_DOMAIN_EXACT) | (1u << CM_DOMAIN_SUBTREE));
    assert_int_equal(m.nvals, 3);
    assert_int_equal(m.vals[0], 8);
    assert_int_equal(m.vals[1], 5);
    assert_int_equal(m.vals[2], 7);
    /* Below it: SUBTREE (5, 7) then SUBDOMAINS (9). */
    assert_true(cm_domainset_lookup(s, CM_STR_LIT("x.bad.net"), &m));
    assert_int_equal(m.rules, (1u << CM_DOMAIN_SUBTREE) | (1u << CM_DOMAIN_SUBDOMAINS));
    assert_int_equal(m.nvals, 3);
    assert_int_equal(m.vals[0], 5);
    assert_int_equal(m.vals[1], 7);
    assert_int_equal(m.vals[2], 9);
    assert_true(cm_str_eqc(m.name, "bad.net"));
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
}

static void test_invalid(void **state)
{
    struct cm_domainset_builder *b;
    char lab63[64], lab64[65], long253[254], long254[255], out[CM_DOMAIN_MAX];
    size_t len;
    const char *bad[] = {"",        ".",         "..",       "a..b",         ".a",
                         "a.b..",   "*",         "*.",       "a.*.b",        "ex*a.com",
                         "a b.com", "a/b.com",   "a:b",      "\xc3\xa9.com", "1.2.3.4/",
                         "a\tb",    "*.*.a.com", "a.b.com.."};

    (void)state;
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cm_domainset_builder_add_text(b, cm_str_cstr(bad[i]), 1), CM_EINVAL);
    }
    memset(lab63, 'a', 63);
    lab63[63] = '\0';
    memset(lab64, 'b', 64);
    lab64[64] = '\0';
    assert_int_equal(cm_domainset_builder_add_text(b, cm_str_cstr(lab63), 1), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, cm_str_cstr(lab64), 1), CM_EINVAL);
    /* 253 bytes is the longest name (a trailing dot is extra). */
    for (size_t i = 0; i < 253; i++) {
        long253[i] = i % 2 ? '.' : 'c';
    }
    long253[253] = '\0';
    assert_int_equal(cm_domainset_builder_add_text(b, cm_str_cstr(long253), 1), 0);
    memcpy(long254, long253, 253);
    long254[253] = '.';
    long254[254] = '\0';
    assert_int_equal(cm_domainset_builder_add_text(b, cm_str_cstr(long254), 1), 0);
    long254[253] = 'd';
    assert_int_equal(cm_domainset_builder_add_text(b, cm_str_cstr(long254), 1), CM_EINVAL);
    assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("a.com"), (enum cm_domain_rule)3, 1),
                     CM_EINVAL);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("a.com"), 0xffffffffu), CM_EINVAL);
    /* Punycode, digits, '-' and '_' are plain labels. */
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("xn--bcher-kva.example"), 1), 0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("_dmarc.x-1.example"), 1), 0);
    assert_int_equal(cm_domain_normalize(CM_STR_LIT("A.B.C."), out, &len), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(out, "a.b.c", 5);
    assert_int_equal(cm_domainset_builder_count(b), 5);
    cm_domainset_builder_destroy(b);
}

/* --- random oracle ------------------------------------------------------------ */

struct rec {
    char name[32];
    enum cm_domain_rule rule;
    uint32_t val;
};

/* A name of 1-4 labels over a tiny alphabet, so suffixes collide often. */
static void random_name(char *out, size_t cap)
{
    static const char *const labels[] = {"a", "b", "c", "ab", "x-y"};
    int n = 1 + (int)(rnd() % 4);
    size_t k = 0;

    for (int i = 0; i < n; i++) {
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? "." : "", labels[rnd() % 5]);
    }
}

static bool applies(const struct rec *r, const char *q)
{
    size_t nl = strlen(r->name), ql = strlen(q);

    if (ql == nl) {
        return strcmp(q, r->name) == 0 && r->rule != CM_DOMAIN_SUBDOMAINS;
    }
    return ql > nl && q[ql - nl - 1] == '.' && strcmp(q + ql - nl, r->name) == 0 &&
           r->rule != CM_DOMAIN_EXACT;
}

static void test_oracle(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        struct rec recs[200];
        size_t n = 1 + (size_t)(rnd() % 200);
        struct cm_domainset_builder *b;
        struct cm_domainset *s;

        assert_int_equal(cm_domainset_builder_create(&b, rnd()), 0);
        for (size_t i = 0; i < n; i++) {
            random_name(recs[i].name, sizeof(recs[i].name));
            recs[i].rule = (enum cm_domain_rule)(rnd() % 3);
            recs[i].val = (uint32_t)(rnd() % 4);
            assert_int_equal(
                cm_domainset_builder_add(b, cm_str_cstr(recs[i].name), recs[i].rule, recs[i].val),
                0);
        }
        s = freeze(b);
        for (int q = 0; q < 500; q++) {
            char name[64];
            struct cm_domainset_match m;
            size_t best = 0, nv = 0;
            bool found;

            random_name(name, sizeof(name));
            /* The oracle: the longest listed name that applies. */
            for (size_t i = 0; i < n; i++) {
                if (applies(&recs[i], name) && strlen(recs[i].name) > best) {
                    best = strlen(recs[i].name);
                }
            }
            found = cm_domainset_lookup(s, cm_str_cstr(name), &m);
            assert_int_equal(found, best > 0);
            if (!found) {
                continue;
            }
            assert_int_equal(m.name.len, best);
            for (unsigned r = 0; r < 3; r++) {
                uint32_t seen = 0;
                for (size_t i = 0; i < n; i++) {
                    if (recs[i].rule == r && strlen(recs[i].name) == best &&
                        applies(&recs[i], name)) {
                        seen |= 1u << recs[i].val;
                    }
                }
                nv += (size_t)__builtin_popcount(seen);
                assert_int_equal((m.rules >> r) & 1, seen != 0);
            }
            assert_int_equal(m.nvals, nv);
        }
        cm_domainset_destroy(s);
        cm_domainset_builder_destroy(b);
    }
}

static void test_million(void **state)
{
    struct cm_domainset_builder *b;
    struct cm_domainset *s;
    struct cm_domainset_match m;
    const size_t n = 1000000;
    char name[64];

    (void)state;
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(name, sizeof(name), "h%zx.d%zu.example", i * 2654435761u, i % 977);
        assert_int_equal(
            cm_domainset_builder_add_text(b, cm_str_make(name, (size_t)k), (uint32_t)i), 0);
    }
    s = freeze(b);
    assert_int_equal(cm_domainset_count(s), n);
    assert_true(cm_domainset_bytes(s) < n * 96);
    for (size_t i = 0; i < n; i += 7) {
        int k = snprintf(name, sizeof(name), "www.h%zx.d%zu.example", i * 2654435761u, i % 977);
        assert_true(cm_domainset_lookup(s, cm_str_make(name, (size_t)k), &m));
        assert_int_equal(m.vals[0], i);
    }
    assert_false(cm_domainset_lookup(s, CM_STR_LIT("d1.example"), &m));
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
}

/*
 * One name under all three rules with 300, 2 and 260 values (given in
 * descending order, some twice): each rule's values come back ascending and
 * once, the whole name gets EXACT then SUBTREE, a subdomain SUBTREE then
 * SUBDOMAINS.
 */
static void test_many_values_one_name(void **state)
{
    struct cm_domainset_builder *b;
    struct cm_domainset *s;
    struct cm_domainset_match m, all[4];

    (void)state;
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    for (uint32_t i = 300; i-- > 0;) {
        assert_int_equal(
            cm_domainset_builder_add(b, CM_STR_LIT("busy.example"), CM_DOMAIN_SUBTREE, 1000 + i),
            0);
        if (i % 3 == 0) {
            assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("BUSY.example."),
                                                      CM_DOMAIN_SUBTREE, 1000 + i),
                             0);
        }
    }
    for (uint32_t i = 260; i-- > 0;) {
        assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("*.busy.example"), 5000 + i),
                         0);
    }
    assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("busy.example"), CM_DOMAIN_EXACT, 9),
                     0);
    assert_int_equal(cm_domainset_builder_add(b, CM_STR_LIT("busy.example"), CM_DOMAIN_EXACT, 3),
                     0);
    assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("quiet.example"), 1), 0);
    s = freeze(b);
    assert_int_equal(cm_domainset_count(s), 2);

    assert_true(cm_domainset_lookup(s, CM_STR_LIT("busy.example"), &m));
    assert_int_equal(m.rules, (1u << CM_DOMAIN_EXACT) | (1u << CM_DOMAIN_SUBTREE));
    assert_int_equal(m.nvals, 302);
    assert_int_equal(m.vals[0], 3);
    assert_int_equal(m.vals[1], 9);
    for (uint32_t i = 0; i < 300; i++) {
        assert_int_equal(m.vals[2 + i], 1000 + i);
    }
    assert_true(cm_domainset_lookup(s, CM_STR_LIT("a.b.busy.example"), &m));
    assert_int_equal(m.rules, (1u << CM_DOMAIN_SUBTREE) | (1u << CM_DOMAIN_SUBDOMAINS));
    assert_int_equal(m.nvals, 560);
    assert_int_equal(m.vals[0], 1000);
    assert_int_equal(m.vals[299], 1299);
    assert_int_equal(m.vals[300], 5000);
    assert_int_equal(m.vals[559], 5259);
    assert_true(cm_str_eqc(m.name, "busy.example"));
    assert_int_equal(cm_domainset_lookup_all(s, CM_STR_LIT("x.quiet.example"), all, 4), 1);
    assert_int_equal(all[0].nvals, 1);
    assert_false(cm_domainset_lookup(s, CM_STR_LIT("example"), &m));
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
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

/*
 * Labels of every length from 1 to 63 (past the label hash's 16-byte fast
 * path), names of exactly 253 bytes, a name of 127 one-byte labels: each
 * suffix is found at its depth, in any case, and a name that differs in
 * one byte is not.
 */
static void test_long_names(void **state)
{
    struct cm_domainset_builder *b;
    struct cm_domainset *s;
    struct cm_domainset_match m, all[CM_DOMAINSET_MAX_MATCHES];
    char name[300], q[300];
    size_t k;

    (void)state;
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    for (size_t len = 1; len <= CM_DOMAIN_LABEL_MAX; len++) {
        k = make_label(name, len, len);
        memcpy(name + k, ".long.test", 10);
        assert_int_equal(cm_domainset_builder_add_text(b, cm_str_make(name, k + 10), (uint32_t)len),
                         0);
    }
    /* 253 bytes: 63 + 1 + 63 + 1 + 63 + 1 + 61 */
    k = 0;
    for (int i = 0; i < 4; i++) {
        k += make_label(name + k, i < 3 ? 63 : 61, 100 + (uint64_t)i);
        name[k++] = '.';
    }
    k--;
    assert_int_equal(k, CM_DOMAIN_MAX);
    assert_int_equal(cm_domainset_builder_add_text(b, cm_str_make(name, k), 777), 0);
    /* 127 labels of one byte: a.a.a...a */
    for (k = 0; k < 253; k++) {
        q[k] = k % 2 ? '.' : 'z';
    }
    assert_int_equal(cm_domainset_builder_add(b, cm_str_make(q + 250, 3), CM_DOMAIN_SUBTREE, 888),
                     0);
    s = freeze(b);

    for (size_t len = 1; len <= CM_DOMAIN_LABEL_MAX; len++) {
        size_t n = make_label(q, 5, 9), lk;

        q[n++] = '.';
        lk = make_label(q + n, len, len);
        for (size_t i = 0; i < lk; i++) { /* shout: case folds */
            q[n + i] = q[n + i] >= 'a' && q[n + i] <= 'z' ? (char)(q[n + i] - 32) : q[n + i];
        }
        n += lk;
        memcpy(q + n, ".long.test.", 11);
        assert_true(cm_domainset_lookup(s, cm_str_make(q, n + 11), &m));
        assert_int_equal(m.vals[0], len);
        assert_int_equal(m.name.len, len + 10);
        q[n - 1] = q[n - 1] == '0' ? '1' : '0'; /* one byte off */
        assert_false(cm_domainset_lookup(s, cm_str_make(q, n + 11), &m));
    }
    assert_true(cm_domainset_lookup(s, cm_str_make(name, CM_DOMAIN_MAX), &m));
    assert_int_equal(m.vals[0], 777);
    name[0] ^= 1;
    assert_false(cm_domainset_lookup(s, cm_str_make(name, CM_DOMAIN_MAX), &m));
    /* 127 labels: only the last two ("z.z") are listed; every deeper suffix misses. */
    assert_int_equal(cm_domainset_lookup_all(s, cm_str_make(q, 253), all, CM_DOMAINSET_MAX_MATCHES),
                     1);
    assert_true(cm_str_eqc(all[0].name, "z.z"));
    assert_int_equal(all[0].vals[0], 888);
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
}

/*
 * The oracle on 4000 entries over a larger vocabulary (12 labels, 1-4 deep),
 * so that names repeat dozens of times under different rules and values.
 */
static void test_oracle_large(void **state)
{
    static const char *const labels[] = {"a",   "b",     "c",  "ab",  "x-y", "mail",
                                         "com", "evil1", "co", "net", "_sv", "xn--p1ai"};
    const size_t n = 4000;
    struct rec *recs = calloc(n, sizeof(*recs));
    struct cm_domainset_builder *b;
    struct cm_domainset *s;

    (void)state;
    assert_non_null(recs);
    assert_int_equal(cm_domainset_builder_create(&b, rnd()), 0);
    for (size_t i = 0; i < n; i++) {
        int depth = 1 + (int)(rnd() % 4);
        size_t k = 0;

        for (int d = 0; d < depth; d++) {
            k += (size_t)snprintf(recs[i].name + k, sizeof(recs[i].name) - k, "%s%s", d ? "." : "",
                                  labels[rnd() % 12]);
        }
        recs[i].rule = (enum cm_domain_rule)(rnd() % 3);
        recs[i].val = (uint32_t)(rnd() % 32);
        assert_int_equal(
            cm_domainset_builder_add(b, cm_str_cstr(recs[i].name), recs[i].rule, recs[i].val), 0);
    }
    s = freeze(b);
    for (int q = 0; q < 1500; q++) {
        char name[64];
        struct cm_domainset_match m;
        size_t best = 0, nv = 0, k = 0;
        int depth = 1 + (int)(rnd() % 5);

        for (int d = 0; d < depth; d++) {
            k += (size_t)snprintf(name + k, sizeof(name) - k, "%s%s", d ? "." : "",
                                  labels[rnd() % 12]);
        }
        for (size_t i = 0; i < n; i++) {
            if (applies(&recs[i], name) && strlen(recs[i].name) > best) {
                best = strlen(recs[i].name);
            }
        }
        assert_int_equal(cm_domainset_lookup(s, cm_str_cstr(name), &m), best > 0);
        if (best == 0) {
            continue;
        }
        assert_int_equal(m.name.len, best);
        for (unsigned r = 0; r < 3; r++) {
            uint32_t seen = 0;
            for (size_t i = 0; i < n; i++) {
                if (recs[i].rule == r && strlen(recs[i].name) == best && applies(&recs[i], name)) {
                    seen |= 1u << recs[i].val;
                }
            }
            nv += (size_t)__builtin_popcount(seen);
            assert_int_equal((m.rules >> r) & 1, seen != 0);
        }
        assert_int_equal(m.nvals, nv);
        for (size_t i = 1; i < m.nvals; i++) {
            /* ascending within a rule: a drop only where the next rule's run starts */
            assert_true(m.vals[i] > m.vals[i - 1] || (m.rules & (m.rules - 1)) != 0);
        }
    }
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
    free(recs);
}

/*
 * Every allocation of a freeze failing in turn: CM_ENOMEM with *out NULL
 * and the builder still whole, nothing leaked (ASan), then the same answers
 * as without failures.
 */
static void test_alloc_failures(void **state)
{
    struct cm_domainset_builder *b;
    struct cm_domainset *s = NULL;
    struct cm_domainset_match m;
    char name[64];
    long n;
    int rc = CM_ENOMEM;

    (void)state;
    assert_int_equal(cm_domainset_builder_create(&b, SEED), 0);
    for (uint32_t i = 0; i < 3000; i++) {
        int k = snprintf(name, sizeof(name), "n%u.zone%u.example", i, i % 17);
        assert_int_equal(cm_domainset_builder_add_text(b, cm_str_make(name, (size_t)k), i), 0);
    }
    for (uint32_t i = 0; i < 300; i++) {
        assert_int_equal(cm_domainset_builder_add_text(b, CM_STR_LIT("*.many.example"), i), 0);
    }
    for (n = 0; rc != 0; n++) {
        assert_true(n < 1000);
        cm_alloc_fail_after(n);
        rc = cm_domainset_freeze(b, &s);
        if (rc != 0) {
            assert_int_equal(rc, CM_ENOMEM);
            assert_null(s);
            assert_int_equal(cm_domainset_builder_count(b), 3300);
        }
    }
    cm_alloc_fail_after(-1);
    assert_true(n > 3);
    assert_int_equal(cm_domainset_count(s), 3001);
    for (uint32_t i = 0; i < 3000; i++) {
        int k = snprintf(name, sizeof(name), "www.n%u.zone%u.example", i, i % 17);
        assert_true(cm_domainset_lookup(s, cm_str_make(name, (size_t)k), &m));
        assert_int_equal(m.vals[0], i);
    }
    assert_true(cm_domainset_lookup(s, CM_STR_LIT("a.many.example"), &m));
    assert_int_equal(m.nvals, 300);
    assert_int_equal(m.vals[299], 299);
    cm_domainset_destroy(s);
    cm_domainset_builder_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semantics),
        cmocka_unit_test(test_rules_and_duplicates),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_oracle),
        cmocka_unit_test(test_many_values_one_name),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_oracle_large),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_million),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
