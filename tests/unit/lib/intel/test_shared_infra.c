/*
 * The bundle feeds' shared-infrastructure rules (lib/intel/shared_infra.c):
 * anycast resolvers by address and small network, public suffixes and
 * provider apexes by name, and what stays listed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/ip.h"
#include "intel/shared_infra.h"

static bool net(const char *cidr)
{
    struct cm_ip ip;
    unsigned prefix;

    assert_int_equal(cm_cidr_parse(cm_str_cstr(cidr), &ip, &prefix), 0);
    return cm_intel_shared_net(&ip, prefix);
}

static bool name(const char *n)
{
    return cm_intel_shared_name(cm_str_cstr(n));
}

static void test_resolvers(void **state)
{
    (void)state;
    assert_true(net("8.8.8.8"));
    assert_true(net("8.8.4.4/32"));
    assert_true(net("1.0.0.1"));
    assert_true(net("149.112.112.112"));
    assert_true(net("208.67.222.0/24")); /* a /24 holding OpenDNS */
    assert_true(net("2001:4860:4860::8888"));
    assert_true(net("2606:4700:4700::/48"));
    assert_false(net("8.8.8.9")); /* the neighbour is not the resolver */
    assert_false(net("1.1.1.2"));
    assert_false(net("8.8.0.0/16"));     /* larger than /24: the feed's word stands */
    assert_false(net("2001:4860::/32")); /* larger than /48 */
    assert_false(net("185.220.101.7"));
    assert_false(net("2001:db8::8888"));
}

/* The resolvers' table is bytes: each entry is the address its provider publishes. */
static void test_resolver_table(void **state)
{
    static const char *const text[] = {
        "8.8.8.8",
        "8.8.4.4",
        "1.1.1.1",
        "1.0.0.1",
        "9.9.9.9",
        "149.112.112.112",
        "208.67.222.222",
        "208.67.220.220",
        "4.2.2.1",
        "4.2.2.2",
        "94.140.14.14",
        "94.140.15.15",
        "2001:4860:4860::8888",
        "2001:4860:4860::8844",
        "2606:4700:4700::1111",
        "2606:4700:4700::1001",
        "2620:fe::fe",
        "2620:fe::9",
        "2620:119:35::35",
        "2620:119:53::53",
    };
    size_t n;
    const struct cm_ip *r = cm_intel_shared_resolvers(&n);

    (void)state;
    assert_int_equal(n, sizeof(text) / sizeof(text[0]));
    for (size_t i = 0; i < n; i++) {
        struct cm_ip ip;

        assert_int_equal(cm_ip_parse(cm_str_cstr(text[i]), &ip), 0);
        assert_true(cm_ip_eq(&r[i], &ip));
        assert_true(net(text[i]));
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_true(name("co.uk"));            /* ICANN suffix */
    assert_true(name("s3.amazonaws.com")); /* private suffix: every bucket */
    assert_true(name("github.io"));
    assert_true(name("DuckDNS.org."));    /* any case, trailing dot */
    assert_true(name("*.duckdns.org"));   /* the wildcard covers every customer too */
    assert_true(name("mooo.com"));        /* provider table, not on the PSL */
    assert_false(name("c2.duckdns.org")); /* one customer's host */
    assert_false(name("x.mooo.com"));
    assert_false(name("evil-c2.example"));
    assert_false(name("google.com")); /* popular, but not shared hosting */
    assert_false(name("not a name!"));
    assert_false(name(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolvers),
        cmocka_unit_test(test_resolver_table),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
