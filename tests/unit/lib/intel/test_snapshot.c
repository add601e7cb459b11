/*
 * Intel snapshots (lib/intel/snapshot.c): the list table, interning,
 * trusted-wins checks, reference counting across threads and allocation
 * failure at every step of a build.
 *
 * For the torture this file defines CM_ALLOC_TORTURE and compiles alloc.c,
 * arena.c, map.c and the lib/intel sources into itself (see
 * tests/unit/lib/base/test_alloc_torture.c); the renames keep their
 * file-local helpers apart.
 */
#define CM_ALLOC_TORTURE 1

#include "base/alloc.c"
#include "base/arena.c"
#include "base/map.c"
#define reserve ipset_reserve
#define home    ipset_home
#define walk    ipset_walk
#include "intel/ipset.c"
#undef reserve
#undef home
#undef walk
#undef EMPTY
#define reserve domainset_reserve
#define home    domainset_home
#define walk    domainset_walk
#include "intel/domainset.c"
#undef reserve
#undef home
#undef walk
#include "intel/indicator.c"
#include "intel/snapshot.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#define SEED 0x51ab5eedULL

static struct cm_ip ip_of(const char *s)
{
    struct cm_ip ip;
    assert_int_equal(cm_ip_parse(cm_str_cstr(s), &ip), 0);
    return ip;
}

static struct cm_indicator ind_of(uint32_t list, enum cm_intel_category cat, const char *name)
{
    struct cm_indicator ind = {list, cat, cm_str_cstr(name), CM_STR_LIT("unit-test")};
    return ind;
}

/*
 * The common fixture: a threat list and a trusted list. Returns 0 or the
 * first error (CM_ENOMEM under torture) with *out NULL.
 */
static int build(struct cm_intel_snapshot **out)
{
    const struct cm_intel_list threat = {CM_STR_LIT("bad-guys"), CM_INTEL_KIND_THREAT,
                                         CM_STR_LIT("TXT"), CM_STR_LIT("s3://b/bad.txt")};
    const struct cm_intel_list trusted = {CM_STR_LIT("ours"), CM_INTEL_KIND_TRUSTED,
                                          CM_STR_LIT("TXT"), CM_STR_LIT("s3://b/ok.txt")};
    static const char *const threats[] = {"192.0.2.0/24",  "198.51.100.7",  "2001:db8::/32",
                                          "evil.example",  "*.cnc.example", "shared.example",
                                          "203.0.113.0/24"};
    static const char *const trusts[] = {"192.0.2.128/25", "shared.example", "203.0.113.5",
                                         "ok.evil.example"};
    struct cm_intel_builder *b = NULL;
    struct cm_indicator ind;
    uint32_t t, u;
    int rc;

    *out = NULL;
    if ((rc = cm_intel_builder_create(&b, SEED)) != 0 ||
        (rc = cm_intel_builder_add_list(b, &threat, &t)) != 0 ||
        (rc = cm_intel_builder_add_list(b, &trusted, &u)) != 0) {
        goto done;
    }
    for (size_t i = 0; i < sizeof(threats) / sizeof(threats[0]); i++) {
        ind = ind_of(t, i < 4 ? CM_CAT_CUSTOM : CM_CAT_CNC, "Customer Threat Intel");
        if ((rc = cm_intel_builder_add_text(b, cm_str_cstr(threats[i]), &ind)) != 0) {
            goto done;
        }
    }
    ind = ind_of(t, CM_CAT_MINING, "Miner");
    if ((rc = cm_intel_builder_add_text(b, CM_STR_LIT("198.51.100.7"), &ind)) != 0) {
        goto done;
    }
    for (size_t i = 0; i < sizeof(trusts) / sizeof(trusts[0]); i++) {
        ind = ind_of(u, CM_CAT_UNKNOWN, "");
        if ((rc = cm_intel_builder_add_text(b, cm_str_cstr(trusts[i]), &ind)) != 0) {
            goto done;
        }
    }
    rc = cm_intel_builder_build(b, out);
done:
    cm_intel_builder_destroy(b);
    return rc;
}

static enum cm_intel_verdict ipv(const struct cm_intel_snapshot *s, const char *ip,
                                 struct cm_intel_match *m)
{
    struct cm_ip a = ip_of(ip);
    return cm_intel_check_ip(s, &a, m);
}

static void check_fixture(const struct cm_intel_snapshot *s)
{
    struct cm_intel_match m;
    const struct cm_intel_list *l;

    assert_int_equal(cm_intel_snapshot_nlists(s), 2);
    l = cm_intel_snapshot_list(s, 0);
    assert_true(cm_str_eqc(l->name, "bad-guys"));
    assert_int_equal(l->kind, CM_INTEL_KIND_THREAT);
    assert_true(cm_str_eqc(l->source, "s3://b/bad.txt"));
    assert_null(cm_intel_snapshot_list(s, 2));
    /* custom, cnc, miner (threat) and one trusted: interned. */
    assert_int_equal(cm_intel_snapshot_nindicators(s), 4);
    assert_null(cm_intel_snapshot_indicator(s, 4));

    assert_int_equal(ipv(s, "192.0.2.1", &m), CM_INTEL_THREAT);
    assert_int_equal(m.prefix, 24);
    assert_int_equal(m.ind->category, CM_CAT_CUSTOM);
    assert_true(cm_str_eqc(m.ind->threat_name, "Customer Threat Intel"));
    assert_true(cm_str_eqc(cm_intel_snapshot_list(s, m.ind->list)->name, "bad-guys"));
    /* Trusted wins, even over a less specific or more specific threat entry. */
    assert_int_equal(ipv(s, "192.0.2.200", &m), CM_INTEL_TRUSTED);
    assert_int_equal(m.prefix, 25);
    assert_int_equal(cm_intel_snapshot_list(s, m.ind->list)->kind, CM_INTEL_KIND_TRUSTED);
    assert_int_equal(ipv(s, "203.0.113.5", &m), CM_INTEL_TRUSTED);
    assert_int_equal(ipv(s, "203.0.113.6", NULL), CM_INTEL_THREAT);
    assert_int_equal(ipv(s, "::ffff:203.0.113.5", NULL), CM_INTEL_TRUSTED);
    /* Two indicators on one address: both ids, the lowest first. */
    assert_int_equal(ipv(s, "198.51.100.7", &m), CM_INTEL_THREAT);
    assert_int_equal(m.nids, 2);
    assert_int_equal(m.ind->category, CM_CAT_CUSTOM);
    assert_int_equal(cm_intel_snapshot_indicator(s, m.ids[1])->category, CM_CAT_MINING);
    assert_int_equal(ipv(s, "2001:db8::9", NULL), CM_INTEL_THREAT);
    assert_int_equal(ipv(s, "8.8.8.8", &m), CM_INTEL_NONE);
    assert_int_equal(m.verdict, CM_INTEL_NONE);
    assert_null(m.ind);

    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("a.evil.example"), &m), CM_INTEL_THREAT);
    assert_true(cm_str_eqc(m.domain, "evil.example"));
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("x.OK.evil.example."), &m),
                     CM_INTEL_TRUSTED);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("shared.example"), NULL),
                     CM_INTEL_TRUSTED);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("c2.cnc.example"), &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_CNC);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("cnc.example"), NULL), CM_INTEL_NONE);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("bad..name"), &m), CM_INTEL_NONE);
    assert_true(cm_intel_snapshot_bytes(s) > 0);
}

static void test_checks(void **state)
{
    struct cm_intel_snapshot *s;

    (void)state;
    assert_int_equal(build(&s), 0);
    check_fixture(s);
    cm_intel_snapshot_unref(s);
}

static void test_builder_errors(void **state)
{
    const struct cm_intel_list l = {CM_STR_LIT("x"), CM_INTEL_KIND_THREAT, CM_STR_NULL,
                                    CM_STR_NULL};
    struct cm_intel_list bad = l;
    struct cm_intel_builder *b;
    struct cm_indicator ind = ind_of(0, CM_CAT_CNC, "n");
    struct cm_ip ip = ip_of("192.0.2.1");
    uint32_t id;
    char big[CM_INTEL_STR_MAX + 1];

    (void)state;
    assert_int_equal(cm_intel_builder_create(&b, SEED), 0);
    assert_int_equal(cm_intel_builder_add_ip(b, &ip, 32, &ind), CM_EINVAL); /* no list 0 yet */
    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), 0);
    assert_int_equal(id, 0);
    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), CM_EEXIST);
    bad.name = CM_STR_LIT("");
    assert_int_equal(cm_intel_builder_add_list(b, &bad, &id), CM_EINVAL);
    bad.name = CM_STR_LIT("y");
    bad.kind = (enum cm_intel_kind)7;
    assert_int_equal(cm_intel_builder_add_list(b, &bad, &id), CM_EINVAL);
    assert_int_equal(cm_intel_builder_add_ip(b, &ip, 33, &ind), CM_EINVAL);
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("not a name"), &ind), CM_EINVAL);
    assert_int_equal(cm_intel_builder_add_domain(b, CM_STR_LIT("a..b"), &ind), CM_EINVAL);
    ind.category = CM_CAT_COUNT;
    assert_int_equal(cm_intel_builder_add_ip(b, &ip, 32, &ind), CM_EINVAL);
    ind.category = CM_CAT_CNC;
    memset(big, 'x', sizeof(big));
    ind.threat_name = cm_str_make(big, sizeof(big));
    assert_int_equal(cm_intel_builder_add_ip(b, &ip, 32, &ind), CM_EINVAL);
    ind.threat_name = cm_str_make(big, CM_INTEL_STR_MAX);
    assert_int_equal(cm_intel_builder_add_ip(b, &ip, 32, &ind), 0);
    cm_intel_builder_destroy(b);
}

static void test_categories(void **state)
{
    enum cm_intel_category c;

    (void)state;
    for (int i = 0; i < CM_CAT_COUNT; i++) {
        assert_int_equal(cm_intel_category_parse(cm_str_cstr(cm_intel_category_name(i)), &c), 0);
        assert_int_equal(c, i);
    }
    assert_int_equal(cm_intel_category_parse(CM_STR_LIT("TOR_EXIT"), &c), 0);
    assert_int_equal(c, CM_CAT_TOR_EXIT);
    assert_int_equal(cm_intel_category_parse(CM_STR_LIT("tor"), &c), CM_EINVAL);
    assert_string_equal(cm_intel_category_name(CM_CAT_COUNT), "unknown");
    assert_string_equal(cm_intel_kind_name(CM_INTEL_KIND_TRUSTED), "trusted");
    assert_string_equal(cm_intel_kind_name(CM_INTEL_KIND_THREAT), "threat");
}

static void *reader(void *arg)
{
    struct cm_intel_snapshot *s = arg;

    for (int i = 0; i < 2000; i++) {
        struct cm_intel_snapshot *r = cm_intel_snapshot_ref(s);
        struct cm_ip a = ip_of(i % 2 ? "192.0.2.9" : "192.0.2.199");

        assert_int_equal(cm_intel_check_ip(r, &a, NULL),
                         i % 2 ? CM_INTEL_THREAT : CM_INTEL_TRUSTED);
        assert_int_equal(cm_intel_check_domain(r, CM_STR_LIT("q.evil.example"), NULL),
                         CM_INTEL_THREAT);
        cm_intel_snapshot_unref(r);
    }
    cm_intel_snapshot_unref(s); /* the reference the spawner took for this thread */
    return NULL;
}

/* Readers on several threads each hold a reference; the last unref (any thread) frees. */
static void test_refcount_threads(void **state)
{
    struct cm_intel_snapshot *s;
    pthread_t th[4];

    (void)state;
    assert_int_equal(build(&s), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, reader, cm_intel_snapshot_ref(s)), 0);
    }
    cm_intel_snapshot_unref(s); /* the builder's reference goes first */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
    }
    cm_intel_snapshot_unref(NULL);
}

static void test_alloc_failures(void **state)
{
    struct cm_intel_snapshot *s;
    long n;
    int rc = CM_ENOMEM;

    (void)state;
    for (n = 0; rc != 0; n++) {
        assert_true(n < 100000);
        cm_alloc_fail_after(n);
        rc = build(&s);
        if (rc != 0) {
            assert_int_equal(rc, CM_ENOMEM);
            assert_null(s);
        }
    }
    cm_alloc_fail_after(-1);
    check_fixture(s);
    cm_intel_snapshot_unref(s);
    assert_true(n > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks),         cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_categories),     cmocka_unit_test(test_refcount_threads),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
