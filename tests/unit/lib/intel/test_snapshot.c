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
#include <stdio.h>
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
    /* What the trusted answer hid: the threat list's match, trusted lists aside. */
    {
        struct cm_ip a = ip_of("192.0.2.200"), none = ip_of("8.8.8.8");

        assert_true(cm_intel_threat_has_ip(s, &a, &m));
        assert_int_equal(m.verdict, CM_INTEL_THREAT);
        assert_int_equal(m.prefix, 24);
        assert_int_equal(m.ind->category, CM_CAT_CUSTOM);
        assert_true(cm_intel_threat_has_ip(s, &a, NULL));
        assert_false(cm_intel_threat_has_ip(s, &none, &m));
        assert_true(cm_intel_threat_has_domain(s, CM_STR_LIT("x.OK.evil.example.")));
        assert_false(cm_intel_threat_has_domain(s, CM_STR_LIT("cnc.example")));
    }
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

/*
 * cm_intel_check_domains against cm_intel_check_domain name by name, over
 * more names than one round of CM_INTEL_BATCH: names on the threat list only,
 * on both lists (trusted wins), on neither, under wildcards, deep names,
 * shouted or with a trailing dot, and invalid ones; then the same names cut
 * at other offsets and lengths.
 */
static void check_domains_same(const struct cm_intel_snapshot *s, const struct cm_str *names,
                               size_t n, size_t *seen)
{
    struct cm_intel_match m[301];

    assert_true(n < 301);
    memset(m, 0xa5, sizeof(m));
    cm_intel_check_domains(s, names, n, m);
    assert_int_equal(m[n].rules, 0xa5a5a5a5u); /* nothing written past the end */
    for (size_t i = 0; i < n; i++) {
        struct cm_intel_match one;
        enum cm_intel_verdict v = cm_intel_check_domain(s, names[i], &one);

        if (m[i].verdict != v) {
            fail_msg("name %zu (\"%.*s\"): batch verdict %d, single %d", i, (int)names[i].len,
                     names[i].p, m[i].verdict, v);
        }
        assert_ptr_equal(m[i].ind, one.ind);
        assert_ptr_equal(m[i].ids, one.ids);
        assert_int_equal(m[i].nids, one.nids);
        assert_ptr_equal(m[i].domain.p, one.domain.p);
        assert_int_equal(m[i].domain.len, one.domain.len);
        assert_int_equal(m[i].rules, one.rules);
        assert_int_equal(m[i].prefix, one.prefix);
        assert_memory_equal(&m[i].net, &one.net, sizeof(one.net));
        if (seen != NULL) {
            seen[v]++;
        }
    }
}

static void test_check_domains(void **state)
{
    const struct cm_intel_list threat = {CM_STR_LIT("bad"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                                         CM_STR_LIT("s3://b/bad.txt")};
    const struct cm_intel_list trusted = {CM_STR_LIT("ok"), CM_INTEL_KIND_TRUSTED,
                                          CM_STR_LIT("TXT"), CM_STR_LIT("s3://b/ok.txt")};
    static const size_t offs[][2] = {{1, 299}, {63, 65}, {64, 64}, {5, 1}, {7, 0}, {0, 63}};
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    struct cm_indicator ind;
    struct cm_str names[300];
    char q[300][CM_DOMAIN_MAX + 2];
    size_t seen[3] = {0, 0, 0};
    uint32_t t, u;
    char name[64];

    (void)state;
    assert_int_equal(cm_intel_builder_create(&b, SEED), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &threat, &t), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &trusted, &u), 0);
    for (unsigned i = 0; i < 200; i++) {
        int k = snprintf(name, sizeof(name), "h%u.z%u.example", i, i % 7);

        if (i % 3 != 0) { /* threat; every fourth also as a miner */
            ind = ind_of(t, CM_CAT_CNC, "C2");
            assert_int_equal(cm_intel_builder_add_domain(b, cm_str_make(name, (size_t)k), &ind), 0);
            if (i % 4 == 0) {
                ind = ind_of(t, CM_CAT_MINING, "Miner");
                assert_int_equal(cm_intel_builder_add_domain(b, cm_str_make(name, (size_t)k), &ind),
                                 0);
            }
        }
        if (i % 5 == 0) { /* trusted: with i % 3 != 0 on both lists */
            ind = ind_of(u, CM_CAT_UNKNOWN, "");
            assert_int_equal(
                cm_intel_builder_add_domain_rule(b, cm_str_make(name, (size_t)k),
                                                 i % 2 ? CM_DOMAIN_EXACT : CM_DOMAIN_SUBTREE, &ind),
                0);
        }
    }
    ind = ind_of(t, CM_CAT_CNC, "C2");
    assert_int_equal(cm_intel_builder_add_domain(b, CM_STR_LIT("*.z3.example"), &ind), 0);
    ind = ind_of(u, CM_CAT_UNKNOWN, "");
    assert_int_equal(cm_intel_builder_add_domain(b, CM_STR_LIT("safe.z3.example"), &ind), 0);
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);

    for (unsigned i = 0; i < 300; i++) {
        unsigned h = (i * 7) % 230; /* 200-229 are listed nowhere */
        int k;

        switch (i % 8) {
        case 0:
        case 1:
            k = snprintf(q[i], sizeof(q[i]), "h%u.z%u.example", h, h % 7);
            break;
        case 2:
            k = snprintf(q[i], sizeof(q[i]), "www.H%u.Z%u.example.", h, h % 7);
            break;
        case 3:
            k = snprintf(q[i], sizeof(q[i]), "%s.z3.example", i % 3 ? "x" : "a.safe");
            break;
        case 4:
            k = snprintf(q[i], sizeof(q[i]), "h%u..z%u.example", h, h % 7); /* invalid */
            break;
        case 5: /* 100 one-byte labels over a listed (or unlisted) name */
            k = 0;
            for (int d = 0; d < 100; d++) {
                k += snprintf(q[i] + k, sizeof(q[i]) - (size_t)k, "a.");
            }
            k += snprintf(q[i] + k, sizeof(q[i]) - (size_t)k, "h%u.z%u.example", h, h % 7);
            break;
        case 6:
            k = snprintf(q[i], sizeof(q[i]), "z%u.example", h % 9);
            break;
        default:
            memset(q[i], 'h', 255); /* too long */
            k = 255;
            break;
        }
        names[i] = cm_str_make(q[i], (size_t)k);
    }
    check_domains_same(s, names, 300, seen);
    assert_true(seen[CM_INTEL_NONE] > 0 && seen[CM_INTEL_THREAT] > 0 && seen[CM_INTEL_TRUSTED] > 0);
    /* trusted wins: a name on both lists */
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("h10.z3.example"), NULL),
                     CM_INTEL_TRUSTED);
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        check_domains_same(s, names + offs[i][0], offs[i][1], NULL);
    }
    cm_intel_snapshot_unref(s);
}

/*
 * cm_intel_check_ips against cm_intel_check_ip address by address, field by
 * field, over more addresses than one round of CM_INTEL_BATCH: hosts and
 * networks on the threat list only, on both lists (trusted wins, whether
 * its network is more or less specific), on neither, IPv6, IPv4-mapped
 * IPv6 and CM_IP_NONE; then the same addresses cut at other offsets and
 * lengths.
 */
static void check_ips_same(const struct cm_intel_snapshot *s, const struct cm_ip *ips, size_t n,
                           size_t *seen)
{
    struct cm_intel_match m[301], poison;

    assert_true(n < 301);
    memset(m, 0xa5, sizeof(m));
    memset(&poison, 0xa5, sizeof(poison));
    cm_intel_check_ips(s, ips, n, m);
    assert_memory_equal(&m[n], &poison, sizeof(poison)); /* nothing written past the end */
    for (size_t i = 0; i < n; i++) {
        struct cm_intel_match one;
        enum cm_intel_verdict v = cm_intel_check_ip(s, &ips[i], &one);

        if (m[i].verdict != v) {
            char txt[64] = "(none)";

            if (ips[i].family != CM_IP_NONE) {
                cm_ip_format(&ips[i], txt, sizeof(txt));
            }
            fail_msg("address %zu (%s): batch verdict %d, single %d", i, txt, m[i].verdict, v);
        }
        assert_int_equal(one.verdict, v);
        assert_ptr_equal(m[i].ind, one.ind);
        assert_ptr_equal(m[i].ids, one.ids);
        assert_int_equal(m[i].nids, one.nids);
        assert_memory_equal(&m[i].net, &one.net, sizeof(one.net));
        assert_int_equal(m[i].prefix, one.prefix);
        assert_ptr_equal(m[i].domain.p, one.domain.p);
        assert_int_equal(m[i].domain.len, one.domain.len);
        assert_int_equal(m[i].rules, one.rules);
        if (seen != NULL) {
            seen[v]++;
        }
    }
}

static struct cm_ip ip4(uint32_t a, bool mapped)
{
    struct cm_ip ip;

    memset(&ip, 0, sizeof(ip));
    if (!mapped) {
        ip.family = CM_IP_V4;
        ip.a[0] = (uint8_t)(a >> 24);
        ip.a[1] = (uint8_t)(a >> 16);
        ip.a[2] = (uint8_t)(a >> 8);
        ip.a[3] = (uint8_t)a;
        return ip;
    }
    ip.family = CM_IP_V6;
    ip.a[10] = ip.a[11] = 0xff;
    ip.a[12] = (uint8_t)(a >> 24);
    ip.a[13] = (uint8_t)(a >> 16);
    ip.a[14] = (uint8_t)(a >> 8);
    ip.a[15] = (uint8_t)a;
    return ip;
}

static void test_check_ips(void **state)
{
    const struct cm_intel_list threat = {CM_STR_LIT("bad"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                                         CM_STR_LIT("s3://b/bad.txt")};
    const struct cm_intel_list trusted = {CM_STR_LIT("ok"), CM_INTEL_KIND_TRUSTED,
                                          CM_STR_LIT("TXT"), CM_STR_LIT("s3://b/ok.txt")};
    static const char *const six[] = {"2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::7",
                                      "2001:db8:2::9", "fe80::/10",       "::/96"};
    static const int six_trusted[] = {0, 1, 0, 0, 1, 0};
    static const size_t offs[][2] = {{1, 299}, {63, 65}, {64, 64}, {5, 1}, {7, 0}, {0, 63}};
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    struct cm_indicator ind;
    struct cm_ip ips[300], ip;
    size_t seen[3] = {0, 0, 0};
    uint32_t t, u;

    (void)state;
    assert_int_equal(cm_intel_builder_create(&b, SEED), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &threat, &t), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &trusted, &u), 0);
    /* 10.0.i.1 for i < 200: threat unless i % 3 == 0, every fourth also a miner, i % 5 == 0
     * trusted. */
    for (uint32_t i = 0; i < 200; i++) {
        ip = ip4(0x0a000001u | i << 8, false);
        if (i % 3 != 0) {
            ind = ind_of(t, CM_CAT_CNC, "C2");
            assert_int_equal(cm_intel_builder_add_ip(b, &ip, 32, &ind), 0);
            if (i % 4 == 0) {
                ind = ind_of(t, CM_CAT_MINING, "Miner");
                assert_int_equal(cm_intel_builder_add_ip(b, &ip, 32, &ind), 0);
            }
        }
        if (i % 5 == 0) { /* on both lists when i % 3 != 0 */
            ind = ind_of(u, CM_CAT_UNKNOWN, "");
            assert_int_equal(cm_intel_builder_add_ip(b, &ip, i % 2 ? 32 : 28, &ind), 0);
        }
    }
    /* Networks: a threat /8 over all of it, a trusted /16 over threat /24s and /32s in it. */
    ind = ind_of(t, CM_CAT_CUSTOM, "Net");
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("10.0.0.0/8"), &ind), 0);
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("172.20.5.0/24"), &ind), 0);
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("172.20.6.6"), &ind), 0);
    ind = ind_of(u, CM_CAT_UNKNOWN, "");
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("172.20.0.0/16"), &ind), 0);
    for (size_t i = 0; i < sizeof(six) / sizeof(six[0]); i++) {
        ind = six_trusted[i] ? ind_of(u, CM_CAT_UNKNOWN, "") : ind_of(t, CM_CAT_CNC, "C2");
        assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(six[i]), &ind), 0);
    }
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);

    for (uint32_t i = 0; i < 300; i++) {
        uint32_t h = (i * 7) % 230; /* 10.0.200-229.1 are only under the /8 */

        switch (i % 10) {
        case 0:
        case 1: /* the listed hosts */
            ips[i] = ip4(0x0a000001u | h << 8, false);
            break;
        case 2: /* the same, mapped */
            ips[i] = ip4(0x0a000001u | h << 8, true);
            break;
        case 3: /* next to them: the trusted /28s or the threat /8 */
            ips[i] = ip4(0x0a000002u | h << 8, i % 2);
            break;
        case 4: /* on neither list, plain and mapped */
            ips[i] = ip4(0xc6336400u | h, i % 3 == 0);
            break;
        case 5: /* the trusted /16 over threat entries */
            ips[i] = ip4(0xac140000u | (h % 8) << 8 | (i % 3 ? 6 : h), i % 4 == 0);
            break;
        case 6:
        case 7: { /* IPv6: under each of six[], or nowhere */
            static const char *const q6[] = {"2001:db8::1",   "2001:db8:1::1", "2001:db8:1::7",
                                             "2001:db8:2::9", "fe80::5",       "::10.0.0.1",
                                             "2001:db9::1",   "::1",           "2a00::1"};
            ips[i] = ip_of(q6[h % 9]);
            break;
        }
        case 8: /* CM_IP_NONE, zero or with a listed address's bytes left in it */
            ips[i] = ip4(0x0a000001u | h << 8, i % 3 == 0);
            if (i % 4 == 0) {
                memset(&ips[i], 0, sizeof(ips[i]));
            }
            ips[i].family = CM_IP_NONE;
            break;
        default: /* outside everything */
            ips[i] = ip4(0x08080800u | h, false);
            break;
        }
    }
    check_ips_same(s, ips, 300, seen);
    assert_true(seen[CM_INTEL_NONE] > 0 && seen[CM_INTEL_THREAT] > 0 && seen[CM_INTEL_TRUSTED] > 0);
    /* trusted wins: a host on both lists, a threat host under a trusted /16 */
    ip = ip4(0x0a000a01u, true);
    assert_int_equal(cm_intel_check_ip(s, &ip, NULL), CM_INTEL_TRUSTED);
    ip = ip4(0xac140606u, false);
    assert_int_equal(cm_intel_check_ip(s, &ip, NULL), CM_INTEL_TRUSTED);
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        check_ips_same(s, ips + offs[i][0], offs[i][1], NULL);
    }
    cm_intel_snapshot_unref(s);

    /* Only threat IPv6 entries: the trusted set and both IPv4 parts are empty. */
    assert_int_equal(cm_intel_builder_create(&b, SEED), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &threat, &t), 0);
    ind = ind_of(t, CM_CAT_CNC, "C2");
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("2001:db8::/32"), &ind), 0);
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("::/0"), &ind), 0);
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    memset(seen, 0, sizeof(seen));
    check_ips_same(s, ips, 300, seen);
    assert_true(seen[CM_INTEL_THREAT] > 0 && seen[CM_INTEL_NONE] > 0);
    check_ips_same(s, ips + 60, 70, NULL);
    cm_intel_snapshot_unref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checks),         cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_categories),     cmocka_unit_test(test_refcount_threads),
        cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_check_domains),
        cmocka_unit_test(test_check_ips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
