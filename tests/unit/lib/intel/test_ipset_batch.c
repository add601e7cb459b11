/*
 * Batched address lookups (cm_ipset_lookup_batch in lib/intel/ipset.c)
 * against one cm_ipset_lookup per address: a mixed set (IPv4 host routes,
 * nested prefixes from /8 to /32, a crowded /16, mapped networks, IPv6
 * prefixes, addresses with hundreds of values) asked 1005 mixed queries -
 * listed addresses, addresses inside nested prefixes, misses, IPv4-mapped
 * and near-mapped IPv6, plain IPv6 and CM_IP_NONE - in groups that do not
 * fall on the batch's 16, then cut at other offsets and lengths. Also a
 * NULL set, an empty set, sets with only IPv6 or only IPv4, and n == 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ip.h"
#include "base/str.h"
#include "intel/ipset.h"
#include "../../xorshift.h"

#define SEED 0x5eedba7cULL

#define BQ_N 1005 /* queries: not a multiple of the batch's group of 16 */

static uint64_t rng_state = 0x8c4f1e2d3b5a6978ULL;

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

static struct cm_ipset *freeze(struct cm_ipset_builder *b)
{
    struct cm_ipset *s = NULL;
    assert_int_equal(cm_ipset_freeze(b, &s), 0);
    assert_non_null(s);
    return s;
}

static struct cm_ip v4(uint32_t a)
{
    struct cm_ip ip = {CM_IP_V4,
                       {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a}};
    return ip;
}

/* ::ffff:a as IPv6 (with pfx10 and pfx11 as bytes 10 and 11: 0xff 0xff is mapped). */
static struct cm_ip v6_of_v4(uint32_t a, uint8_t pfx10, uint8_t pfx11)
{
    struct cm_ip ip;

    memset(&ip, 0, sizeof(ip));
    ip.family = CM_IP_V6;
    ip.a[10] = pfx10;
    ip.a[11] = pfx11;
    ip.a[12] = (uint8_t)(a >> 24);
    ip.a[13] = (uint8_t)(a >> 16);
    ip.a[14] = (uint8_t)(a >> 8);
    ip.a[15] = (uint8_t)a;
    return ip;
}

static uint32_t mask4(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* Sets the host bits of ip past len at random. */
static void random_host(struct cm_ip *ip, unsigned len)
{
    unsigned bits = ip->family == CM_IP_V4 ? 32 : 128;

    for (unsigned i = len; i < bits; i++) {
        uint8_t bit = (uint8_t)(0x80u >> (i % 8));

        ip->a[i / 8] = (uint8_t)(rnd() & 1 ? ip->a[i / 8] | bit : ip->a[i / 8] & ~bit);
    }
}

static void add(struct cm_ipset_builder *b, const struct cm_ip *net, unsigned len, uint32_t val)
{
    assert_int_equal(cm_ipset_builder_add(b, net, len, val), 0);
}

/*
 * cm_ipset_lookup_batch over ips[0..n) must answer as cm_ipset_lookup does
 * for each address: the same found and, for a hit, the same network, length,
 * value pointer and count. m and found are poisoned first (one past the end
 * too), so an answer the batch forgets, or one it writes too far, shows.
 * Counts the hits into *hits when hits is not NULL.
 */
static void check_batch(const struct cm_ipset *s, const struct cm_ip *ips, size_t n, size_t *hits)
{
    struct cm_ipset_match *m = calloc(n + 1, sizeof(*m)), guard;
    bool *found = calloc(n + 1, sizeof(*found));

    assert_non_null(m);
    assert_non_null(found);
    memset(m, 0xa5, (n + 1) * sizeof(*m));
    memset(&guard, 0xa5, sizeof(guard));
    for (size_t i = 0; i <= n; i++) {
        found[i] = true;
    }
    cm_ipset_lookup_batch(s, ips, n, m, found);
    assert_true(found[n]); /* nothing written past the end */
    assert_memory_equal(&m[n], &guard, sizeof(guard));
    for (size_t i = 0; i < n; i++) {
        struct cm_ipset_match one;
        bool hit = cm_ipset_lookup(s, &ips[i], &one);

        if (found[i] != hit) {
            char txt[64] = "(none)";

            if (ips[i].family == CM_IP_V4 || ips[i].family == CM_IP_V6) {
                cm_ip_format(&ips[i], txt, sizeof(txt));
            }
            fail_msg("address %zu (%s, family %u): batch found %d, single %d", i, txt,
                     ips[i].family, found[i], hit);
        }
        if (!hit) {
            continue;
        }
        assert_memory_equal(&m[i].net, &one.net, sizeof(one.net));
        assert_int_equal(m[i].prefix, one.prefix);
        assert_ptr_equal(m[i].vals, one.vals);
        assert_int_equal(m[i].nvals, one.nvals);
        if (hits != NULL) {
            ++*hits;
        }
    }
    free(m);
    free(found);
}

/* The IPv4 networks a round lists, to query inside and around. */
struct net4 {
    uint32_t net;
    unsigned len;
};

/* The hot /16s: a crowded one (past the 32-key short search), a nested chain, host routes. */
#define HOT_CROWD 0x0a010000u
#define HOT_CHAIN 0xc6336400u
#define HOT_HOSTS 0xcb007100u

/* Fills the builder; returns the IPv4 networks in v4s (at most cap) and the count. */
static size_t build_mixed(struct cm_ipset_builder *b, struct net4 *v4s, size_t cap, int round,
                          struct cm_ip *v6s, size_t *nv6)
{
    static const char *const six[] = {
        "2001:db8::/32",      "2001:db8:1::/48", "2001:db8:1:2::/64", "2001:db8:1:2::7/128",
        "2001:db8:ffff::/48", "fe80::/10",       "64:ff9b::/96",      "::/8",
        "2a00:1450::/29",     "::1/128"};
    size_t n = 0;
    struct cm_ip ip;

    /* Nested chains /8../32 under three bases, every length present somewhere. */
    for (unsigned c = 0; c < 3; c++) {
        uint32_t base = c == 0   ? HOT_CHAIN
                        : c == 1 ? 0x2d000000u | ((uint32_t)rnd() & 0xffffff)
                                 : (uint32_t)rnd();

        for (unsigned len = 8; len <= 32; len += c == 0 ? 1 : 3) {
            v4s[n] = (struct net4){base & mask4(len), len};
            ip = v4(v4s[n].net);
            add(b, &ip, len, 1000 * c + len);
            n++;
        }
    }
    /* A crowded /16: 2000 host routes and 200 longer networks, some nested. */
    for (unsigned i = 0; i < 2200; i++) {
        unsigned len = i < 2000 ? 32 : 17 + (unsigned)(rnd() % 15);
        uint32_t a = (HOT_CROWD | ((uint32_t)rnd() & 0xffff)) & mask4(len);

        ip = v4(a);
        add(b, &ip, len, (uint32_t)(rnd() % 50));
        if (n < cap && i % 4 == 0) {
            v4s[n++] = (struct net4){a, len};
        }
    }
    /* Host routes in a /24 with a /24 over them, and random /32s and /8-/31s anywhere. */
    add(b, &(struct cm_ip){CM_IP_V4, {203, 0, 113, 0}}, 24, 77);
    for (unsigned i = 0; i < 64; i++) {
        uint32_t a = HOT_HOSTS | (i * 4);

        ip = v4(a);
        add(b, &ip, 32, i);
        v4s[n++] = (struct net4){a, 32};
    }
    for (unsigned i = 0; i < 1500 && n < cap; i++) {
        unsigned len = i % 3 ? 32 : 8 + (unsigned)(rnd() % 24);
        uint32_t a = (uint32_t)rnd() & mask4(len);

        ip = v4(a);
        add(b, &ip, len, (uint32_t)(rnd() % 1000));
        v4s[n++] = (struct net4){a, len};
    }
    /* One address, and one network, with hundreds of values (given twice, descending). */
    for (uint32_t i = 300; i-- > 0;) {
        ip = v4(0x0a090807u);
        add(b, &ip, 32, 5000 + i);
        add(b, &ip, 32, 5000 + i);
        ip = ip_of("2001:db8:1:2::7");
        add(b, &ip, 128, 9000 + i);
        ip = v4(0x0a090000u);
        add(b, &ip, 16, 7000 + i);
    }
    v4s[n++] = (struct net4){0x0a090807u, 32};
    v4s[n++] = (struct net4){0x0a090000u, 16};
    /* Mapped networks are stored as IPv4. */
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("::ffff:192.0.2.0/120"), 55), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("::ffff:192.0.2.128/121"), 56), 0);
    v4s[n++] = (struct net4){0xc0000200u, 24};
    v4s[n++] = (struct net4){0xc0000280u, 25};
    /* IPv6: fixed nested prefixes, then random /32-/128s under 2001:db8::/32 and 2a00::/8. */
    *nv6 = 0;
    for (size_t i = 0; i < sizeof(six) / sizeof(six[0]); i++) {
        unsigned len;

        assert_int_equal(cm_cidr_parse(cm_str_cstr(six[i]), &v6s[*nv6], &len), 0);
        add(b, &v6s[(*nv6)++], len, 100 + (uint32_t)i);
    }
    for (unsigned i = 0; i < 300; i++) {
        unsigned len = i % 4 == 0 ? 128 : 32 + (unsigned)(rnd() % 97);

        ip = v6s[rnd() % *nv6];
        random_host(&ip, 16);
        ip.a[0] = i % 2 ? 0x20 : 0x2a;
        ip.a[1] = i % 2 ? 0x01 : 0x00;
        if (i % 2) {
            ip.a[2] = 0x0d;
            ip.a[3] = 0xb8;
        }
        add(b, &ip, len, (uint32_t)(rnd() % 20));
        if (*nv6 < 200) {
            v6s[(*nv6)++] = ip;
        }
    }
    if (round == 1) { /* the defaults: everything matches something */
        assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("0.0.0.0/0"), 1), 0);
        assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("::/0"), 2), 0);
    }
    return n;
}

/* One random query over the listed networks. */
static struct cm_ip batch_query(const struct net4 *v4s, size_t n4, const struct cm_ip *v6s,
                                size_t n6)
{
    const struct net4 *p = &v4s[rnd() % n4];
    struct cm_ip ip;

    switch (rnd() % 12) {
    case 0: /* a listed network's first address */
        return v4(p->net);
    case 1:
    case 2: /* inside a listed network */
        return v4(p->net | ((uint32_t)rnd() & ~mask4(p->len)));
    case 3: /* in a hot /16: crowded, chained, host routes */
        switch (rnd() % 3) {
        case 0:
            return v4(HOT_CROWD | ((uint32_t)rnd() & 0xffff));
        case 1:
            return v4(HOT_CHAIN | ((uint32_t)rnd() & (rnd() % 2 ? 0xff : 0xffffff)));
        default:
            return v4(HOT_HOSTS | ((uint32_t)rnd() & 0xff));
        }
    case 4: /* random: mostly misses */
        return v4((uint32_t)rnd());
    case 5: /* mapped: a listed network's address, or a random one */
        return v6_of_v4(rnd() % 2 ? p->net | ((uint32_t)rnd() & ~mask4(p->len)) : (uint32_t)rnd(),
                        0xff, 0xff);
    case 6: /* near-mapped: IPv4-compatible, ::fffe:, ::ff:ff..: IPv6, never IPv4 */
        switch (rnd() % 3) {
        case 0:
            ip = v6_of_v4(p->net, 0, 0);
            return ip;
        case 1:
            return v6_of_v4(p->net, 0xff, 0xfe);
        default:
            ip = v6_of_v4(p->net, 0xff, 0xff);
            ip.a[rnd() % 10] = 1;
            return ip;
        }
    case 7:
    case 8: /* inside a listed IPv6 network (host bits past a random length) */
        ip = v6s[rnd() % n6];
        random_host(&ip, 32 + (unsigned)(rnd() % 97));
        return ip;
    case 9: /* random IPv6: misses, or under 2001:db8::/32 */
        memset(&ip, 0, sizeof(ip));
        ip.family = CM_IP_V6;
        random_host(&ip, 0);
        if (rnd() % 2) {
            memcpy(ip.a, "\x20\x01\x0d\xb8", 4);
        }
        return ip;
    case 10: /* CM_IP_NONE, zero or with an address's bytes left in it */
        ip = rnd() % 2 ? v6_of_v4(p->net, 0xff, 0xff) : v4(p->net);
        if (rnd() % 2) {
            memset(&ip, 0, sizeof(ip));
        }
        ip.family = CM_IP_NONE;
        return ip;
    default: /* a family that is neither */
        ip = v4(p->net);
        ip.family = (uint8_t)(rnd() % 2 ? 5 : 0xff);
        return ip;
    }
}

/*
 * The batch against single lookups, three sets (the second with 0.0.0.0/0
 * and ::/0) and 1005 mixed queries: random ones, then groups laid out on
 * purpose - a group of IPv4 only, one of IPv6 only, one of the same
 * address sixteen times, a group of CM_IP_NONE, the many-valued address
 * at a group's edges - then the same queries cut at other offsets and
 * lengths so the groups fall differently.
 */
static void test_batch_oracle(void **state)
{
    static const size_t offs[][2] = {{1, BQ_N - 1}, {7, 100}, {15, 17}, {16, 16},     {500, 1},
                                     {33, 0},       {64, 65}, {0, 15},  {BQ_N - 5, 5}};
    struct net4 *v4s = calloc(6000, sizeof(*v4s));
    struct cm_ip *v6s = calloc(200, sizeof(*v6s)), *ips = calloc(BQ_N, sizeof(*ips));

    (void)state;
    assert_non_null(v4s);
    assert_non_null(v6s);
    assert_non_null(ips);
    for (int round = 0; round < 3; round++) {
        struct cm_ipset_builder *b;
        struct cm_ipset *s;
        size_t n4, n6, hits = 0;

        assert_int_equal(cm_ipset_builder_create(&b, rnd()), 0);
        n4 = build_mixed(b, v4s, 6000, round, v6s, &n6);
        s = freeze(b);
        cm_ipset_builder_destroy(b);

        for (size_t i = 0; i < BQ_N; i++) {
            ips[i] = batch_query(v4s, n4, v6s, n6);
        }
        for (size_t i = 32; i < 48; i++) { /* group 2: IPv4 in the crowded /16 */
            ips[i] = v4(HOT_CROWD | ((uint32_t)rnd() & 0xffff));
        }
        for (size_t i = 48; i < 64; i++) { /* group 3: IPv6 only */
            ips[i] = v6s[rnd() % n6];
            random_host(&ips[i], 64);
        }
        for (size_t i = 64; i < 80; i++) { /* group 4: one address sixteen times */
            ips[i] = v4(0x0a090807u);
        }
        for (size_t i = 80; i < 96; i++) { /* group 5: CM_IP_NONE */
            memset(&ips[i], 0, sizeof(ips[i]));
        }
        ips[96] = v6_of_v4(0x0a090807u, 0xff, 0xff); /* group 6's edges: many values */
        ips[111] = ip_of("2001:db8:1:2::7");
        ips[112] = v6_of_v4(0xc0000281u, 0xff, 0xff); /* the mapped networks */
        ips[113] = ip_of("192.0.2.1");
        ips[BQ_N - 1] = v4(0x0a090001u); /* the last, short group */
        ips[BQ_N - 2] = ip_of("::ffff:10.9.8.7");
        check_batch(s, ips, BQ_N, &hits);
        /* a mix, not all of one kind */
        assert_true(hits > BQ_N / 4 && (round == 1 || hits < BQ_N - BQ_N / 10));
        for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
            check_batch(s, ips + offs[i][0], offs[i][1], NULL);
        }
        cm_ipset_destroy(s);
    }
    free(ips);
    free(v6s);
    free(v4s);
}

/* A few queries of every kind for the small sets below. */
static size_t edge_queries(struct cm_ip *ips)
{
    static const char *const txt[] = {"192.0.2.1",
                                      "10.0.0.1",
                                      "0.0.0.0",
                                      "255.255.255.255",
                                      "::ffff:192.0.2.1",
                                      "::ffff:10.0.0.1",
                                      "::192.0.2.1",
                                      "2001:db8::1",
                                      "2001:db8:1::5",
                                      "::",
                                      "::1",
                                      "fe80::1",
                                      "::ffff:0.0.0.0",
                                      "203.0.113.9",
                                      "2001:db9::1",
                                      "::ffff:203.0.113.9"};
    size_t n = 0;

    for (size_t i = 0; i < sizeof(txt) / sizeof(txt[0]); i++) {
        ips[n++] = ip_of(txt[i]);
    }
    memset(&ips[n++], 0, sizeof(ips[0])); /* CM_IP_NONE */
    ips[n] = ip_of("192.0.2.1");
    ips[n++].family = CM_IP_NONE;
    ips[n++] = ip_of("10.0.0.2"); /* 19: a second group starts at 16 */
    return n;
}

/* s == NULL, n == 0, an empty set: nothing found, nothing written for n == 0. */
static void test_batch_empty(void **state)
{
    struct cm_ip ips[24];
    struct cm_ipset_match m[24], poison;
    bool found[24];
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    size_t n = edge_queries(ips);

    (void)state;
    memset(m, 0xa5, sizeof(m));
    memset(&poison, 0xa5, sizeof(poison));
    memset(found, 1, sizeof(found));
    cm_ipset_lookup_batch(NULL, ips, 0, m, found);
    cm_ipset_lookup_batch(NULL, NULL, 0, NULL, NULL);
    assert_true(found[0]);
    assert_memory_equal(&m[0], &poison, sizeof(poison));
    cm_ipset_lookup_batch(NULL, ips, n, m, found);
    for (size_t i = 0; i < n; i++) {
        assert_false(found[i]);
    }
    assert_true(found[n]);
    check_batch(NULL, ips, n, NULL);

    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    s = freeze(b);
    assert_int_equal(cm_ipset_count(s), 0);
    memset(found, 1, sizeof(found));
    cm_ipset_lookup_batch(s, ips, 0, m, found);
    assert_true(found[0]);
    cm_ipset_lookup_batch(s, ips, n, m, found);
    for (size_t i = 0; i < n; i++) {
        assert_false(found[i]);
    }
    check_batch(s, ips, n, NULL);
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

/*
 * A set with only IPv6 (its IPv4 parts are NULL) asked IPv4 and mapped
 * addresses: none match, even under ::/0; IPv6 ones still do. Then a set
 * with only IPv4 asked IPv6 ones: only the mapped ones can match.
 */
static void test_batch_one_family(void **state)
{
    struct cm_ip ips[24];
    struct cm_ipset_match m[24];
    bool found[24];
    struct cm_ipset_builder *b;
    struct cm_ipset *s;
    size_t n = edge_queries(ips), hits = 0;

    (void)state;
    assert_int_equal(cm_ipset_builder_create(&b, SEED), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("2001:db8::/32"), 1), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("2001:db8:1::5"), 2), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("::/0"), 3), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("::/96"), 4), 0);
    s = freeze(b);
    check_batch(s, ips, n, &hits);
    cm_ipset_lookup_batch(s, ips, n, m, found);
    for (size_t i = 0; i < n; i++) {
        bool six = ips[i].family == CM_IP_V6 && !(ips[i].a[10] == 0xff && ips[i].a[11] == 0xff);

        assert_int_equal(found[i], six); /* ::/0 matches every IPv6 that is not mapped */
    }
    assert_true(found[8]);
    assert_int_equal(m[8].prefix, 128);
    assert_int_equal(m[8].vals[0], 2);
    assert_true(found[6]); /* ::192.0.2.1 is IPv6 */
    assert_int_equal(m[6].prefix, 96);
    assert_int_equal(hits, 7);
    cm_ipset_destroy(s);

    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("192.0.2.0/24"), 5), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("0.0.0.0/0"), 6), 0);
    assert_int_equal(cm_ipset_builder_add_text(b, CM_STR_LIT("10.0.0.1"), 7), 0);
    s = freeze(b);
    hits = 0;
    check_batch(s, ips, n, &hits);
    cm_ipset_lookup_batch(s, ips, n, m, found);
    for (size_t i = 0; i < n; i++) {
        bool four = ips[i].family == CM_IP_V4 ||
                    (ips[i].family == CM_IP_V6 && ips[i].a[10] == 0xff && ips[i].a[11] == 0xff);

        assert_int_equal(found[i], four);
    }
    assert_int_equal(m[4].prefix, 24); /* ::ffff:192.0.2.1 */
    assert_int_equal(m[4].net.family, CM_IP_V4);
    assert_int_equal(m[5].prefix, 32);
    assert_int_equal(m[5].vals[0], 7);
    assert_int_equal(m[18].prefix, 0);
    assert_int_equal(hits, 10);
    cm_ipset_destroy(s);
    cm_ipset_builder_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_oracle),
        cmocka_unit_test(test_batch_empty),
        cmocka_unit_test(test_batch_one_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
