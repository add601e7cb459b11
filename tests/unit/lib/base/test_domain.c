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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered),
        cmocka_unit_test(test_suffix_only),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
