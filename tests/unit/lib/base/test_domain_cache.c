/*
 * The cache of parsed query names (lib/base/domain_cache.c) against
 * cm_domain_parse_psl itself: every answer, hit or miss, must be the one
 * the parse gives (return value, and for a name that parses its bytes up to
 * the NUL, registered domain, suffix, private flag, labels and host flag),
 * over names drawn again and again from a pool (so most are hits), with a
 * 16-slot cache whose slots are taken over all the time and a 1024-slot
 * one, with two suffix sets asked in turn, and with names too long to keep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/domain.h"
#include "base/domain_cache.h"
#include "base/psl.h"
#include "../../xorshift.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    return xorshift64(&rng_state);
}

/* A name for the pool: mostly host names under a few suffixes, some odd ones. */
static size_t pool_name(char *out)
{
    static const char host[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
    static const char *const sfx[] = {".com",    ".co.uk", ".duckdns.org", ".ck",
                                      ".www.ck", ".COM.",  ".uk",          ""};
    static const char odd[] = "ABZ_/:* .";
    size_t len = rnd() % 8 == 0 ? 40 + rnd() % 60 : 1 + rnd() % 30, k = 0;
    const char *s = sfx[rnd() % 8];

    while (k < len) {
        uint64_t r = rnd();
        char ch = host[(r >> 8) % (sizeof(host) - 1)];

        if (r % 50 == 0) {
            ch = odd[(r >> 8) % (sizeof(odd) - 1)];
        } else if (r % 7 == 0 && k > 0 && out[k - 1] != '.') {
            ch = '.';
        }
        out[k++] = ch;
    }
    memcpy(out + k, s, strlen(s));
    return k + strlen(s);
}

static void same(const struct cm_psl *set, struct cm_str name, int rc, const struct cm_domain *got)
{
    struct cm_domain want;
    int wrc = cm_domain_parse_psl(set, name, &want);

    if (rc != wrc) {
        fail_msg("\"%.*s\": cached %d, parsed %d", (int)name.len, name.p, rc, wrc);
    }
    if (rc != 0) {
        return;
    }
    assert_int_equal(got->len, want.len);
    assert_memory_equal(got->name, want.name, want.len + 1);
    assert_int_equal(got->reg, want.reg);
    assert_int_equal(got->sfx, want.sfx);
    assert_int_equal(got->private_suffix, want.private_suffix);
    assert_int_equal(got->unlisted_tld, want.unlisted_tld);
    assert_int_equal(got->labels, want.labels);
    assert_int_equal(got->host, want.host);
}

static void run(size_t slots)
{
    static const char rules1[] = "com\nuk\nco.uk\n*.ck\n!www.ck\n"
                                 "// ===BEGIN PRIVATE DOMAINS===\nduckdns.org\n";
    static const char rules2[] = "org\nduckdns.org\ncom\n";
    enum { POOL = 400, ASKS = 200000 };
    char *text = malloc((size_t)POOL * 128);
    struct cm_str *pool = calloc(POOL, sizeof(*pool));
    struct cm_psl *set[2] = {NULL, NULL};
    struct cm_domain_cache *c = NULL;
    size_t hits_possible = 0;

    assert_non_null(text);
    assert_non_null(pool);
    assert_int_equal(cm_psl_parse(rules1, strlen(rules1), 7, &set[0], NULL, NULL), 0);
    assert_int_equal(cm_psl_parse(rules2, strlen(rules2), 9, &set[1], NULL, NULL), 0);
    assert_int_equal(cm_domain_cache_create(&c, slots, 42), 0);
    for (size_t i = 0; i < POOL; i++) {
        pool[i] = cm_str_make(text + i * 128, pool_name(text + i * 128));
    }
    for (size_t i = 0; i < ASKS; i++) {
        /* Mostly the first set, in runs; a quarter of the pool is asked most. */
        const struct cm_psl *s = (i / 1000) % 5 == 4 ? set[1] : (i / 1000) % 7 == 6 ? NULL : set[0];
        struct cm_str name = pool[rnd() % 4 == 0 ? rnd() % POOL : rnd() % (POOL / 4)];
        struct cm_domain d;
        int rc;

        memset(&d, 0x5a, sizeof(d)); /* a field the cache forgets to set shows */
        rc = cm_domain_parse_cached(c, s, name, &d);
        same(s, name, rc, &d);
        hits_possible += name.len <= CM_DOMAIN_CACHE_NAME;
    }
    assert_true(hits_possible > ASKS / 2); /* most names were short enough to keep */
    /* No cache: the parse itself. */
    for (size_t i = 0; i < POOL; i++) {
        struct cm_domain d;

        same(set[0], pool[i], cm_domain_parse_cached(NULL, set[0], pool[i], &d), &d);
    }
    cm_domain_cache_destroy(c);
    cm_domain_cache_destroy(NULL);
    cm_psl_free(set[0]);
    cm_psl_free(set[1]);
    free(pool);
    free(text);
}

static void test_small_cache(void **state)
{
    (void)state;
    run(16);
}

static void test_large_cache(void **state)
{
    (void)state;
    run(1024);
}

/* A name kept for one set is parsed again for another (the same bytes, another suffix). */
static void test_set_switch(void **state)
{
    static const char r1[] = "com\n", r2[] = "example.com\ncom\n";
    struct cm_psl *a = NULL, *b = NULL;
    struct cm_domain_cache *c = NULL;
    struct cm_domain d;

    (void)state;
    assert_int_equal(cm_psl_parse(r1, strlen(r1), 1, &a, NULL, NULL), 0);
    assert_int_equal(cm_psl_parse(r2, strlen(r2), 2, &b, NULL, NULL), 0);
    assert_int_equal(cm_domain_cache_create(&c, 64, 3), 0);
    assert_int_equal(cm_domain_parse_cached(c, a, CM_STR_LIT("x.example.com"), &d), 0);
    assert_int_equal(d.reg, 2); /* example.com */
    assert_int_equal(cm_domain_parse_cached(c, a, CM_STR_LIT("x.example.com"), &d), 0);
    assert_int_equal(d.reg, 2);
    assert_int_equal(cm_domain_parse_cached(c, b, CM_STR_LIT("x.example.com"), &d), 0);
    assert_int_equal(d.reg, 0); /* x.example.com, under the suffix example.com */
    assert_int_equal(cm_domain_parse_cached(c, a, CM_STR_LIT("x.example.com"), &d), 0);
    assert_int_equal(d.reg, 2);
    assert_int_not_equal(cm_domain_parse_cached(c, a, CM_STR_LIT("a..b.com"), &d), 0);
    assert_int_not_equal(cm_domain_parse_cached(c, a, CM_STR_LIT("a..b.com"), &d), 0);
    cm_domain_cache_destroy(c);
    cm_psl_free(a);
    cm_psl_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_cache),
        cmocka_unit_test(test_large_cache),
        cmocka_unit_test(test_set_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
