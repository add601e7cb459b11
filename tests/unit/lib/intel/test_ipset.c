/*
 * Longest-prefix match of lib/intel/ipset.c against a brute-force oracle:
 * random nested IPv4 and IPv6 prefixes (with /0, host routes and duplicate
 * values), IPv4-mapped and NAT64 addresses, argument checks and a 1-million-entry set.
 * The IPv4 layout's own paths: sets large enough for the radix sort, deep
 * nesting inside one /16, a /16 holding more than 65 536 prefixes, more
 * distinct value words than the shared value table holds, allocation
 * failure at every step of a freeze, and the memory bound of issue #4 (at
 * most 24 bytes per entry for a million /32s).
 */

/*
 * For the allocation-failure test this file defines CM_ALLOC_TORTURE and
 * compiles alloc.c and ipset.c into itself (the linker then never pulls
 * them from libcoalmine.a; see tests/unit/lib/base/test_alloc_torture.c).
 */
#define CM_ALLOC_TORTURE 1
#include "base/alloc.c"
#include "intel/ipset.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/ip.h"
#include "intel/ipset.h"
#include "../../xorshift.h"

#define SEED 0x5eed1234abcdULL

struct triple {
    struct cm_ip net;
    unsigned len;
    uint32_t val;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    return xorshift64(&rng_state);
}

static struct cm_ip ip_of(const char *s)
{
    struct cm_ip ip;
    assert_int_equal(cm_ip_parse(cm_str_cstr(s), &ip), 0);
    return ip;
}

/* Clears host bits of ip past len. */
static void mask(struct cm_ip *ip, unsigned len)
{
    unsigned bits = ip->family == CM_IP_V4 ? 32 : 128;
    for (unsigned i = len; i < bits; i++) {
        ip->a[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
    }
}

static struct cm_ipset *freeze(struct cm_ipset_builder *b)
{
    struct cm_ipset *s = NULL;
    assert_int_equal(cm_ipset_freeze(b, &s), 0);
    assert_non_null(s);
    return s;
}

static void test_basic(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    struct cm_ipset_match m, all[4];
    struct cm_ip ip;
    char txt[64];

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("10.0.0.0/8"), 1), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("10.1.0.0/16"), 2), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("10.1.2.3"), 3), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("10.1.2.3/32"), 4), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("10.1.2.3"), 3), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("2001:db8::/32"), 5), 0);
    assert_int_equal(cm_ipset_builder_count(b), 6);
    s = freeze(b);
    assert_int_equal(cm_ipset_builder_count(b), 0);
    assert_int_equal(cm_ipset_count(s), 4);

    ip = ip_of("10.1.2.3");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 32);
    assert_int_equal(m.nvals, 2);
    assert_int_equal(m.vals[0], 3);
    assert_int_equal(m.vals[1], 4);
    assert_int_equal(cm_ipset_lookup_all(s, &ip, all, 4), 3);
    assert_int_equal(all[1].prefix, 16);
    assert_int_equal(all[1].vals[0], 2);
    assert_int_equal(all[2].prefix, 8);
    cm_ip_format(&all[2].net, txt, sizeof(txt));
    assert_string_equal(txt, "10.0.0.0");
    assert_int_equal(cm_ipset_lookup_all(s, &ip, all, 1), 3); /* counts past max */

    ip = ip_of("10.2.0.1");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 8);
    ip = ip_of("11.0.0.1");
    assert_false(cm_ipset_lookup(s, &ip, &m));
    ip = ip_of("2001:db8:ffff::1");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 32);
    assert_int_equal(m.vals[0], 5);
    assert_int_equal(m.net.family, CM_IP_V6);
    ip = ip_of("2001:db9::1");
    assert_false(cm_ipset_lookup(s, &ip, &m));
    memset(&ip, 0, sizeof(ip));
    assert_false(cm_ipset_lookup(s, &ip, &m));
    assert_false(cm_ipset_lookup(NULL, &ip, &m));
    assert_true(cm_ipset_bytes(s) > 0);

    /* The builder is reusable after a freeze. */
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("0.0.0.0/0"), 9), 0);
    cm_ipset_destroy(s);
    s = freeze(b);
    ip = ip_of("203.0.113.9");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 0);
    ip = ip_of("2001:db8::1");
    assert_false(cm_ipset_lookup(s, &ip, &m)); /* 0.0.0.0/0 is not ::/0 */
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
    cm_ipset_destroy(NULL);
    cm_ipset_builder_destroy(NULL);
}

static void test_invalid(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ip ip = ip_of("192.0.2.1"), none;

    (void)state;
    memset(&none, 0, sizeof(none));
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_ipset_builder_add(b, &ip, 33, 1), CM_EINVAL);
    assert_int_equal(cm_ipset_builder_add(b, &none, 0, 1), CM_EINVAL);
    assert_int_equal(cm_ipset_builder_add(b, &ip, 32, CM_IPSET_VAL_MAX + 1), CM_EINVAL);
    assert_int_equal(cm_ipset_builder_add(b, &ip, 32, CM_IPSET_VAL_MAX), 0);
    ip = ip_of("::1");
    assert_int_equal(cm_ipset_builder_add(b, &ip, 129, 1), CM_EINVAL);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("10.0.0.0/"), 1), CM_EINVAL);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("example.com"), 1), CM_EINVAL);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("1.2.3.4/33"), 1), CM_EINVAL);
    assert_int_equal(cm_ipset_builder_count(b), 1);
    cm_ipset_builder_destroy(b);
}

static void test_mapped(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    struct cm_ipset_match m;
    struct cm_ip ip;

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    /* A mapped network is stored as IPv4: ::ffff:198.51.100.0/120 is 198.51.100.0/24. */
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("::ffff:198.51.100.0/120"), 1), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("192.0.2.7"), 2), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("::/0"), 3), 0);
    s = freeze(b);
    ip = ip_of("198.51.100.20");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 24);
    assert_int_equal(m.net.family, CM_IP_V4);
    ip = ip_of("::ffff:192.0.2.7");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 32);
    assert_int_equal(m.vals[0], 2);
    ip = ip_of("::ffff:192.0.2.8"); /* IPv4 now: ::/0 does not apply */
    assert_false(cm_ipset_lookup(s, &ip, &m));
    /*
     * The NAT64 well-known prefix too: an IPv6-only instance reaching 192.0.2.7 through
     * DNS64 and a NAT gateway talks to 64:ff9b::192.0.2.7. Before 2026-12-04 that was
     * IPv6 (matched ::/0 here) and its flows to a listed IPv4 address were no finding.
     */
    ip = ip_of("64:ff9b::c000:207");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 32);
    assert_int_equal(m.vals[0], 2);
    ip = ip_of("64:ff9b::198.51.100.200");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.prefix, 24);
    ip = ip_of("64:ff9b::1"); /* 0.0.0.1: IPv4, not under ::/0 */
    assert_false(cm_ipset_lookup(s, &ip, &m));
    /* Near misses: the same last 32 bits under any other prefix, the local-use 64:ff9b:1::/48. */
    ip = ip_of("2001:db8::c000:207");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.vals[0], 3);
    ip = ip_of("64:ff9b:1::c000:207");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.vals[0], 3);
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);

    /* A NAT64 network added is IPv4 as well: 64:ff9b::203.0.113.0/120 is 203.0.113.0/24. */
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("64:ff9b::203.0.113.0/120"), 4), 0);
    s = freeze(b);
    ip = ip_of("203.0.113.77");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.net.family, CM_IP_V4);
    assert_int_equal(m.prefix, 24);
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

/* A random prefix: often nested under one of a few bases, sometimes very short or host. */
static struct triple random_triple(int family, const struct triple *prev, size_t nprev)
{
    struct triple t;
    unsigned bits = family == 4 ? 32 : 128;
    uint64_t r = rnd();

    memset(&t, 0, sizeof(t));
    if (nprev > 0 && r % 3 == 0) {
        t.net = prev[rnd() % nprev].net; /* share a parent: nesting and duplicates */
    } else {
        t.net.family = family == 4 ? CM_IP_V4 : CM_IP_V6;
        for (unsigned i = 0; i < bits / 8; i++) {
            t.net.a[i] = (uint8_t)rnd();
        }
        t.net.a[0] = (uint8_t)(t.net.a[0] & 0x3); /* a small region: many overlaps */
    }
    switch (rnd() % 6) {
    case 0:
        t.len = bits;
        break;
    case 1:
        t.len = (unsigned)(rnd() % 4);
        break;
    default:
        t.len = (unsigned)(rnd() % (bits + 1));
    }
    t.val = (uint32_t)(rnd() % 5);
    mask(&t.net, t.len);
    return t;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Checks lookup_all of ip against a scan of every triple. */
static void check_oracle(const struct cm_ipset *s, const struct triple *t, size_t n,
                         const struct cm_ip *ip)
{
    struct cm_ipset_match got[CM_IPSET_MAX_MATCHES], one;
    size_t ng = cm_ipset_lookup_all(s, ip, got, CM_IPSET_MAX_MATCHES), k = 0;
    int bits = ip->family == CM_IP_V4 ? 32 : 128;

    assert_true(ng <= CM_IPSET_MAX_MATCHES);
    assert_int_equal(cm_ipset_lookup(s, ip, &one), ng > 0);
    for (int len = bits; len >= 0; len--) {
        uint32_t vals[64];
        size_t nv = 0;

        for (size_t i = 0; i < n; i++) {
            if (t[i].len == (unsigned)len && t[i].net.family == ip->family &&
                cm_ip_in_cidr(ip, &t[i].net, t[i].len)) {
                bool dup = false;
                for (size_t j = 0; j < nv; j++) {
                    dup |= vals[j] == t[i].val;
                }
                if (!dup) {
                    assert_true(nv < 64);
                    vals[nv++] = t[i].val;
                }
            }
        }
        if (nv == 0) {
            continue;
        }
        qsort(vals, nv, sizeof(vals[0]), cmp_u32);
        assert_true(k < ng);
        assert_int_equal(got[k].prefix, len);
        assert_true(cm_ip_in_cidr(ip, &got[k].net, got[k].prefix));
        assert_int_equal(got[k].nvals, nv);
        assert_memory_equal(got[k].vals, vals, nv * sizeof(vals[0]));
        if (k == 0) {
            assert_int_equal(one.prefix, len);
            assert_true(cm_ip_eq(&one.net, &got[0].net));
        }
        k++;
    }
    assert_int_equal(k, ng);
}

static void oracle_round(int family, size_t n)
{
    struct triple *t = calloc(n, sizeof(*t));
    struct cm_ipset_builder *b;
    struct cm_ipset *s;

    assert_non_null(t);
    assert_int_equal(cm_ipset_builder_create(&b, rnd()), 0);
    for (size_t i = 0; i < n; i++) {
        t[i] = random_triple(family, t, i);
        assert_int_equal(cm_ipset_builder_add(b, &t[i].net, t[i].len, t[i].val), 0);
    }
    s = freeze(b);
    for (int q = 0; q < 3000; q++) {
        struct cm_ip ip;
        unsigned bits = family == 4 ? 32 : 128;

        if (q % 2 == 0) { /* inside a listed prefix, random host bits */
            const struct triple *p = &t[rnd() % n];
            ip = p->net;
            for (unsigned i = p->len; i < bits; i++) {
                if (rnd() & 1) {
                    ip.a[i / 8] |= (uint8_t)(0x80u >> (i % 8));
                }
            }
        } else {
            ip = random_triple(family, t, 0).net;
            for (unsigned i = 0; i < bits / 8; i++) {
                ip.a[i] = i == 0 ? (uint8_t)(rnd() & 3) : (uint8_t)rnd();
            }
        }
        check_oracle(s, t, n, &ip);
    }
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
    free(t);
}

static void test_oracle_v4(void **state)
{
    (void)state;
    for (int r = 0; r < 10; r++) {
        oracle_round(4, 1 + (size_t)(rnd() % 400));
    }
}

static void test_oracle_v6(void **state)
{
    (void)state;
    for (int r = 0; r < 10; r++) {
        oracle_round(6, 1 + (size_t)(rnd() % 400));
    }
}

/* Every IPv4 network containing ip, most specific first, against one scan of the triples. */
static void check_oracle4(const struct cm_ipset *s, const struct triple *t, size_t n,
                          const struct cm_ip *ip)
{
    struct cm_ipset_match got[CM_IPSET_MAX_MATCHES], one;
    uint32_t vals[33][16];
    size_t nv[33] = {0}, ng = cm_ipset_lookup_all(s, ip, got, CM_IPSET_MAX_MATCHES), k = 0;

    for (size_t i = 0; i < n; i++) {
        if (cm_ip_in_cidr(ip, &t[i].net, t[i].len)) {
            size_t *c = &nv[t[i].len];
            bool dup = false;

            for (size_t j = 0; j < *c; j++) {
                dup |= vals[t[i].len][j] == t[i].val;
            }
            if (!dup) {
                assert_true(*c < 16);
                vals[t[i].len][(*c)++] = t[i].val;
            }
        }
    }
    assert_int_equal(cm_ipset_lookup(s, ip, &one), ng > 0);
    for (int len = 32; len >= 0; len--) {
        if (nv[len] == 0) {
            continue;
        }
        qsort(vals[len], nv[len], sizeof(vals[len][0]), cmp_u32);
        assert_true(k < ng);
        assert_int_equal(got[k].prefix, len);
        assert_true(cm_ip_in_cidr(ip, &got[k].net, got[k].prefix));
        assert_int_equal(got[k].nvals, nv[len]);
        assert_memory_equal(got[k].vals, vals[len], nv[len] * sizeof(uint32_t));
        if (k == 0) {
            assert_int_equal(one.prefix, len);
            assert_int_equal(one.vals[0], vals[len][0]);
        }
        k++;
    }
    assert_int_equal(k, ng);
}

static struct cm_ip v4(uint32_t a)
{
    struct cm_ip ip = {CM_IP_V4,
                       {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a}};
    return ip;
}

/*
 * 12 000 triples (past the radix sort's threshold), most inside three /16s:
 * nested chains of long prefixes (parents and children in one bucket), short
 * prefixes covering them, host routes next to networks, and duplicates whose
 * values arrive in random order.
 */
static void test_oracle_v4_large(void **state)
{
    static const uint32_t hot[] = {0x0a010000u, 0x0a020000u, 0xc6336400u};
    const size_t n = 12000;
    struct triple *t = calloc(n, sizeof(*t));
    struct cm_ipset_builder *b;
    struct cm_ipset *s;

    (void)state;
    assert_non_null(t);
    assert_int_equal(cm_ipset_builder_create(&b, rnd()), 0);
    for (size_t i = 0; i < n; i++) {
        uint32_t a = (uint32_t)rnd();
        unsigned len;

        if (i > 0 && rnd() % 4 == 0) { /* under an earlier network: nesting and duplicates */
            const struct triple *p = &t[rnd() % i];
            a = cm_ip_v4(&p->net) |
                ((uint32_t)rnd() & ~(p->len ? 0xffffffffu << (32 - p->len) : 0));
        } else if (rnd() % 8 != 0) {
            a = hot[rnd() % 3] | (a & 0xffff);
        }
        switch (rnd() % 8) {
        case 0:
            len = 8 + (unsigned)(rnd() % 9); /* short: /8-/16 */
            break;
        case 1:
        case 2:
            len = 17 + (unsigned)(rnd() % 15); /* long networks */
            break;
        default:
            len = 32;
        }
        t[i].net = v4(len ? a & (0xffffffffu << (32 - len)) : 0);
        t[i].len = len;
        t[i].val = (uint32_t)(rnd() % 10);
        assert_int_equal(cm_ipset_builder_add(b, &t[i].net, t[i].len, t[i].val), 0);
    }
    s = freeze(b);
    for (int q = 0; q < 3000; q++) {
        const struct triple *p = &t[rnd() % n];
        uint32_t host = p->len == 32 ? 0 : (uint32_t)rnd() & (0xffffffffu >> p->len);
        struct cm_ip ip = q % 3 == 0   ? v4(cm_ip_v4(&p->net) | host)
                          : q % 3 == 1 ? v4(hot[rnd() % 3] | ((uint32_t)rnd() & 0xffff))
                                       : v4((uint32_t)rnd());

        check_oracle4(s, t, n, &ip);
    }
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
    free(t);
}

/*
 * One /16 with every one of its 65 536 addresses listed, plus a /17, 256
 * /24s and a /20 inside it: more prefixes in one bucket than a short
 * search covers. A sparse /16 next to it has every seventh address and
 * nested /30s, /26s and /22s, so most lookups climb the parent links.
 */
static void test_big_bucket(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    struct cm_ipset_match all[8];
    struct cm_ip ip;

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    for (uint32_t i = 0; i < 65536; i++) {
        ip = v4(0xac100000u | i);
        assert_int_equal(cm_ipset_builder_add(b, &ip, 32, i), 0);
        if (i % 7 == 0) {
            ip = v4(0xac110000u | i);
            assert_int_equal(cm_ipset_builder_add(b, &ip, 32, 500000 + i), 0);
        }
    }
    for (uint32_t i = 0; i < 256; i++) {
        ip = v4(0xac100000u | i << 8);
        assert_int_equal(cm_ipset_builder_add(b, &ip, 24, 100000 + i), 0);
        ip = v4(0xac110000u | i << 8 | 0x40);
        assert_int_equal(cm_ipset_builder_add(b, &ip, 26, 200000 + i), 0);
        ip = v4(0xac110000u | i << 8 | 0x44);
        assert_int_equal(cm_ipset_builder_add(b, &ip, 30, 300000 + i), 0);
    }
    ip = v4(0xac100000u);
    assert_int_equal(cm_ipset_builder_add(b, &ip, 17, 7), 0);
    ip = v4(0xac10f000u);
    assert_int_equal(cm_ipset_builder_add(b, &ip, 20, 8), 0);
    for (uint32_t i = 0; i < 64; i++) {
        ip = v4(0xac110000u | i << 10);
        assert_int_equal(cm_ipset_builder_add(b, &ip, 22, 400000 + i), 0);
    }
    s = freeze(b);
    for (uint32_t i = 0; i < 65536; i++) {
        size_t n;

        ip = v4(0xac100000u | i);
        n = cm_ipset_lookup_all(s, &ip, all, 8);
        assert_int_equal(n, 2 + (i < 0x8000) + (i >= 0xf000));
        assert_int_equal(all[0].prefix, 32);
        assert_int_equal(all[0].vals[0], i);
        assert_int_equal(all[1].prefix, 24);
        assert_int_equal(all[1].vals[0], 100000 + (i >> 8));
        assert_int_equal(all[n - 1].prefix, i < 0x8000 ? 17 : i >= 0xf000 ? 20 : 24);

        /* The sparse /16: the most specific of /32, /30, /26, /22. */
        ip = v4(0xac110000u | i);
        n = cm_ipset_lookup_all(s, &ip, all, 8);
        {
            unsigned low = i & 0xff;
            bool in30 = low >= 0x44 && low < 0x48, in26 = low >= 0x40 && low < 0x80;
            size_t want = (i % 7 == 0) + in30 + in26 + 1;

            assert_int_equal(n, want);
            assert_int_equal(all[0].prefix, i % 7 == 0 ? 32 : in30 ? 30 : in26 ? 26 : 22);
            assert_int_equal(all[n - 1].prefix, 22);
            assert_int_equal(all[n - 1].vals[0], 400000 + (i >> 10));
        }
    }
    ip = v4(0xac120001u);
    assert_false(cm_ipset_lookup(s, &ip, all));
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

/*
 * More distinct value words than the set's shared value table holds (every
 * network its own value, some several): every lookup still reports its own
 * values, whichever way they are stored.
 */
static void test_many_values(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    struct cm_ipset_match m;
    const uint32_t n = 6000;

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    for (uint32_t i = 0; i < n; i++) {
        struct cm_ip ip = v4(0x0b000000u | i * 613u);

        assert_int_equal(cm_ipset_builder_add(b, &ip, 32, 3 * i), 0);
        if (i % 5 == 0) {
            assert_int_equal(cm_ipset_builder_add(b, &ip, 32, 3 * i + 1), 0);
        }
    }
    s = freeze(b);
    assert_int_equal(cm_ipset_count(s), n);
    for (uint32_t i = 0; i < n; i++) {
        struct cm_ip ip = v4(0x0b000000u | i * 613u);

        assert_true(cm_ipset_lookup(s, &ip, &m));
        assert_int_equal(m.nvals, i % 5 == 0 ? 2 : 1);
        assert_int_equal(m.vals[0], 3 * i);
        if (i % 5 == 0) {
            assert_int_equal(m.vals[1], 3 * i + 1);
        }
        ip = v4(0x0b000000u | (i * 613u + 1));
        assert_false(cm_ipset_lookup(s, &ip, &m));
    }
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

/*
 * Every allocation of a freeze failing in turn: CM_ENOMEM with *out NULL
 * and the builder still whole (the next attempt reuses it), nothing leaked
 * (ASan), and finally the same answers as without failures. The set is
 * large enough for the radix sort and has duplicates, short prefixes and
 * IPv6.
 */
static void test_alloc_failures(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ipset *s = NULL;
    struct cm_ipset_match m;
    struct cm_ip ip;
    long n;
    int rc = CM_ENOMEM;

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    for (uint32_t i = 0; i < 6000; i++) {
        ip = v4(0x0c000000u | i * 7919u);
        assert_int_equal(cm_ipset_builder_add(b, &ip, 32, i % 3), 0);
        assert_int_equal(cm_ipset_builder_add(b, &ip, 32, i % 5), 0);
    }
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("12.0.0.0/8"), 77), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("2001:db8::/48"), 78), 0);
    for (n = 0; rc != 0; n++) {
        assert_true(n < 1000);
        cm_alloc_fail_after(n);
        rc = cm_ipset_freeze(b, &s);
        if (rc != 0) {
            assert_int_equal(rc, CM_ENOMEM);
            assert_null(s);
        }
    }
    cm_alloc_fail_after(-1);
    assert_true(n > 5);
    assert_int_equal(cm_ipset_count(s), 6002);
    for (uint32_t i = 0; i < 6000; i++) {
        ip = v4(0x0c000000u | i * 7919u);
        assert_true(cm_ipset_lookup(s, &ip, &m));
        assert_int_equal(m.prefix, 32);
        assert_int_equal(m.nvals, i % 3 == i % 5 ? 1 : 2);
        assert_int_equal(m.vals[0], i % 3 < i % 5 ? i % 3 : i % 5);
    }
    ip = ip_of("12.255.0.1");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.vals[0], 77);
    ip = ip_of("2001:db8::1");
    assert_true(cm_ipset_lookup(s, &ip, &m));
    assert_int_equal(m.vals[0], 78);
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

static void test_empty(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    struct cm_ipset_match m;
    struct cm_ip ip = ip_of("1.2.3.4");

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    s = freeze(b);
    assert_int_equal(cm_ipset_count(s), 0);
    assert_false(cm_ipset_lookup(s, &ip, &m));
    ip = ip_of("::1");
    assert_false(cm_ipset_lookup(s, &ip, &m));
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

/* One million entries: 900k host addresses and 100k /24s. Works, memory sane. */
static void test_million(void **state)
{
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    struct cm_ipset_match m;
    const size_t n = 1000000;
    uint64_t saved;

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    saved = rng_state;
    for (size_t i = 0; i < n; i++) {
        struct cm_ip ip = {CM_IP_V4, {0}};
        uint32_t v = (uint32_t)rnd();

        memcpy(ip.a, &v, 4);
        assert_int_equal(cm_ipset_builder_add(b, &ip, i % 10 == 0 ? 24 : 32, (uint32_t)(i % 7)), 0);
    }
    s = freeze(b);
    assert_true(cm_ipset_count(s) > n - n / 100);
    assert_true(cm_ipset_bytes(s) <= 24 * cm_ipset_count(s)); /* issue #4: at most 24 B/entry */
    rng_state = saved;
    for (size_t i = 0; i < n; i++) {
        struct cm_ip ip = {CM_IP_V4, {0}};
        uint32_t v = (uint32_t)rnd();

        memcpy(ip.a, &v, 4);
        assert_true(cm_ipset_lookup(s, &ip, &m));
        assert_true(m.prefix == 32 || m.prefix == 24);
    }
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),          cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_mapped),         cmocka_unit_test(test_oracle_v4),
        cmocka_unit_test(test_oracle_v6),      cmocka_unit_test(test_oracle_v4_large),
        cmocka_unit_test(test_big_bucket),     cmocka_unit_test(test_many_values),
        cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_million),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
