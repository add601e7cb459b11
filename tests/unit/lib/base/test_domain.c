/*
 * Unit tests for lib/base/domain.h: normalisation (trailing dot, case),
 * registered domains and public suffixes from the Public Suffix List (multi
 * label suffixes, private-section suffixes, a name that is a suffix), the
 * sub-domain part, and the names it refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/domain.h"
#include "base/err.h"
#include "base/psl.h"

static void expect(const char *name, const char *norm, const char *reg, const char *sfx,
                   const char *sub, bool priv)
{
    struct cm_domain d;
    struct cm_str r, s, b;

    assert_int_equal(cm_domain_parse(cm_str_cstr(name), &d), 0);
    assert_string_equal(d.name, norm);
    assert_int_equal(d.len, strlen(norm));
    r = cm_domain_registered(&d);
    s = cm_domain_suffix(&d);
    b = cm_domain_subdomain(&d);
    assert_int_equal(r.len, strlen(reg));
    assert_memory_equal(r.p, reg, r.len);
    assert_int_equal(s.len, strlen(sfx));
    assert_memory_equal(s.p, sfx, s.len);
    assert_int_equal(b.len, strlen(sub));
    assert_memory_equal(b.p, sub, b.len);
    assert_int_equal(d.private_suffix, priv);
}

static void test_registered(void **state)
{
    (void)state;
    expect("www.Example.COM.", "www.example.com", "example.com", "com", "www", false);
    expect("example.com", "example.com", "example.com", "com", "", false);
    expect("a.b.bbc.co.uk", "a.b.bbc.co.uk", "bbc.co.uk", "co.uk", "a.b", false);
    expect("x1.duckdns.org.", "x1.duckdns.org", "x1.duckdns.org", "duckdns.org", "", true);
    expect("aGVsbG8.x1.duckdns.org", "agvsbg8.x1.duckdns.org", "x1.duckdns.org", "duckdns.org",
           "agvsbg8", true);
    expect("mybucket.s3.amazonaws.com", "mybucket.s3.amazonaws.com", "mybucket.s3.amazonaws.com",
           "s3.amazonaws.com", "", true);
    expect("xn--bcher-kva.example", "xn--bcher-kva.example", "xn--bcher-kva.example", "example", "",
           false);
}

static void test_suffix_only(void **state)
{
    struct cm_domain d;
    struct cm_str r;

    (void)state;
    assert_int_equal(cm_domain_parse(cm_str_cstr("co.uk."), &d), 0);
    assert_int_equal(cm_domain_registered(&d).len, 0);
    assert_int_equal(d.labels, 2);
    r = cm_domain_registered_of(cm_str_cstr("com"), &d);
    assert_null(r.p);
    r = cm_domain_registered_of(cm_str_cstr("ec2.internal"), &d);
    assert_non_null(r.p); /* "internal" is no suffix of the list: the * rule makes it one */
}

/* cm_domain_registered_of() asks libpsl for less than cm_domain_parse(): the same answer. */
static void test_registered_of_agrees(void **state)
{
    static const char *const names[] = {
        "www.example.com",
        "WWW.Example.CO.UK.",
        "co.uk",
        "com",
        "ec2.internal",
        "a.b.c.s3.amazonaws.com",
        "s3.amazonaws.com",
        "localhost",
        "xn--bcher-kva.example",
        "x.blogspot.com",
        "blogspot.com",
        "a..b",
        "",
        ".",
        "caf\xc3\xa9.com",
        "deep.sub.domain.github.io",
    };
    struct cm_domain d, scratch;

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct cm_str name = cm_str_cstr(names[i]);
        struct cm_str r = cm_domain_registered_of(name, &scratch);

        if (cm_domain_parse(name, &d) != 0 || cm_domain_registered(&d).len == 0) {
            assert_null(r.p);
            continue;
        }
        assert_non_null(r.p);
        assert_int_equal(r.len, cm_domain_registered(&d).len);
        assert_memory_equal(r.p, cm_domain_registered(&d).p, r.len);
    }
}

static void test_refused(void **state)
{
    static const char *const bad[] = {"",        ".", "a..b", ".a.b", "a b.com", "caf\xc3\xa9.com",
                                      "a\tb.com"};
    char longname[300];
    struct cm_domain d;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cm_domain_parse(cm_str_cstr(bad[i]), &d), CM_EINVAL);
    }
    assert_int_equal(cm_domain_parse(CM_STR_NULL, &d), CM_EINVAL);
    memset(longname, 'a', sizeof(longname));
    for (size_t i = 60; i < sizeof(longname); i += 61) {
        longname[i] = '.';
    }
    assert_int_equal(cm_domain_parse(cm_str_make(longname, 254), &d), CM_EINVAL);
    assert_int_equal(cm_domain_parse(cm_str_make(longname, 253), &d), 0);
    assert_int_equal(d.labels, 5);
}

/* ---- the vectorised normaliser against a byte-at-a-time one ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* What normalising must give: 0 and the name and label count, or -1. */
static int ref_normalise(const char *p, size_t n, char *out, unsigned *labels)
{
    size_t label = 0;

    *labels = 0;
    if (n > 0 && p[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n > CM_DOMAIN_MAX) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c <= 0x20 || c >= 0x7f) {
            return -1;
        }
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (c == '.') {
            if (label == 0) {
                return -1;
            }
            label = 0;
            ++*labels;
        } else {
            label++;
        }
    }
    if (label == 0) {
        return -1;
    }
    out[n] = '\0';
    ++*labels;
    return 0;
}

/*
 * Random names of every length up to past the limit, dots anywhere
 * (around the 16-byte steps and the 64-bit words of the dot map too),
 * upper case and bytes no name has: cm_domain_parse_psl agrees with the
 * reference, and its suffix with cm_psl_suffix on the normalised name.
 */
static void test_normalise_oracle(void **state)
{
    static const char rules[] = "com\nuk\nco.uk\n*.ck\n!www.ck\n"
                                "// ===BEGIN PRIVATE DOMAINS===\nduckdns.org\n";
    static const char alpha[] = "abcXYZ019-_/:*.";
    static const char hostalpha[] = "abcXYZ019-_";
    struct cm_psl *psl = NULL;
    char in[CM_DOMAIN_MAX + 8], want[CM_DOMAIN_MAX + 1];

    (void)state;
    assert_int_equal(cm_psl_parse(rules, strlen(rules), 7, &psl, NULL, NULL), 0);
    for (int iter = 0; iter < 200000; iter++) {
        size_t n = (size_t)(rnd() % (CM_DOMAIN_MAX + 4));
        struct cm_domain d;
        unsigned labels;
        int want_rc, got_rc;

        for (size_t i = 0; i < n; i++) {
            /*
             * One name in eight is host bytes with few dots, so host names
             * with labels of 63 and 64 bytes occur.
             */
            in[i] = iter % 8 == 1 ? hostalpha[rnd() % (sizeof(hostalpha) - 1)]
                                  : alpha[rnd() % (sizeof(alpha) - 1)];
            if (iter % 8 == 1 && rnd() % 64 == 0) {
                in[i] = '.';
            }
        }
        /* Mostly valid names: no two dots together, most of the time. */
        for (size_t i = 1; i < n && iter % 4 != 0; i++) {
            if (in[i] == '.' && in[i - 1] == '.') {
                in[i] = 'q';
            }
        }
        if (n > 0 && iter % 4 != 0 && in[0] == '.') {
            in[0] = 'a';
        }
        if (n > 0 && rnd() % 16 == 0) {
            in[rnd() % n] = (char)(rnd() % 2 ? 0x80 + rnd() % 128 : rnd() % 33);
        }
        if (n > 2 && rnd() % 4 == 0) {
            memcpy(in + n - 2, rnd() % 2 ? "uk" : "ck", 2);
            in[n - 3] = '.';
        }
        want_rc = ref_normalise(in, n, want, &labels);
        got_rc = cm_domain_parse_psl(psl, cm_str_make(in, n), &d);
        if ((want_rc == 0) != (got_rc == 0)) {
            fail_msg("%.*s: rc %d, want %d", (int)n, in, got_rc, want_rc);
        }
        if (got_rc != 0) {
            continue;
        }
        assert_string_equal(d.name, want);
        assert_int_equal(d.labels, labels);
        {
            /* A host name: only [a-z0-9_.-] and labels of at most 63 bytes. */
            bool host = true;
            size_t run = 0;

            for (size_t i = 0; i < d.len; i++) {
                char c = want[i];

                host = host && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                                c == '_' || c == '.');
                run = c == '.' ? 0 : run + 1;
                host = host && run <= 63;
            }
            assert_int_equal(d.host, host);
        }
        {
            bool priv;
            size_t sfx = cm_psl_suffix(psl, d.name, d.len, &priv);

            assert_int_equal(d.sfx, sfx);
            assert_int_equal(d.private_suffix, priv);
        }
    }
    cm_psl_free(psl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered),           cmocka_unit_test(test_suffix_only),
        cmocka_unit_test(test_registered_of_agrees), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_normalise_oracle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
