/*
 * The abused-provider table (lib/base/dns_provider.c): sorted and unique as
 * the bisection needs, every entry found as itself, and near misses not found.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/dns_provider.h"

static void test_table(void **state)
{
    size_t n;
    const struct cm_dns_provider *p = cm_dns_providers(&n);

    (void)state;
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        const char *s = p[i].suffix;

        assert_int_equal(strlen(s), p[i].len);
        assert_true(p[i].cls >= CM_DNSP_DYNDNS && p[i].cls <= CM_DNSP_OOB);
        for (const char *c = s; *c; c++) { /* lowercase host names, no leading dot */
            assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
                        *c == '.');
        }
        assert_true(s[0] != '.' && strchr(s, '.') != NULL);
        if (i > 0 && strcmp(p[i - 1].suffix, s) >= 0) {
            fail_msg("providers not sorted or not unique at %s", s);
        }
        assert_ptr_equal(cm_dns_provider_find(cm_str_cstr(s)), &p[i]);
    }
}

static void test_find(void **state)
{
    const struct cm_dns_provider *p;

    (void)state;
    p = cm_dns_provider_find(CM_STR_LIT("duckdns.org"));
    assert_non_null(p);
    assert_int_equal(p->cls, CM_DNSP_DYNDNS);
    p = cm_dns_provider_find(CM_STR_LIT("000webhostapp.com"));
    assert_non_null(p);
    assert_int_equal(p->cls, CM_DNSP_FREEHOST);
    assert_null(cm_dns_provider_find(CM_STR_LIT("duckdns.or")));
    assert_null(cm_dns_provider_find(CM_STR_LIT("x.duckdns.org")));
    assert_null(cm_dns_provider_find(CM_STR_LIT("s3.amazonaws.com")));
    assert_null(cm_dns_provider_find(CM_STR_LIT("")));
    assert_null(cm_dns_provider_find(CM_STR_NULL));
}

static void test_order(void **state)
{
    (void)state;
    assert_int_equal(cm_str_order(CM_STR_LIT("abc"), "abc", 3), 0);
    assert_true(cm_str_order(CM_STR_LIT("ab"), "abc", 3) < 0);
    assert_true(cm_str_order(CM_STR_LIT("abd"), "abc", 3) > 0);
    assert_true(cm_str_order(CM_STR_LIT("\xe9"), "z", 1) > 0); /* unsigned bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
