/*
 * List loading (lib/intel/load.c): item classification, ranges covered by
 * CIDRs (against a brute-force oracle), URL hosts, shared hosts, non-public
 * networks, categories and threat names, with a fake format reader so the
 * tests do not depend on any real one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/ip.h"
#include "intel/load.h"

/* ---- a fake format: the items come from a table ---- */

static const struct cm_intel_item *fake_items;
static size_t fake_n;

static int fake_sniff(const char *buf, size_t len)
{
    (void)buf;
    (void)len;
    return 0;
}

static int fake_read(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    (void)buf;
    (void)len;
    for (size_t i = 0; i < fake_n; i++) {
        int rc = r->item(r->ud, &fake_items[i]);
        if (rc != 0) {
            return rc;
        }
    }
    r->bad(r->ud, 99, "reader's own complaint");
    return 0;
}

static const struct cm_intel_format fake = {"FAKE", "test", fake_sniff, fake_read};

#define ITEM(k, v, line)                                                                           \
    {                                                                                              \
        (k), CM_STR_LIT(v), CM_STR_NULL, CM_STR_NULL, CM_STR_NULL, (line)                          \
    }

struct bads {
    uint32_t lines[32];
    char reasons[32][160];
    size_t n;
};

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct bads *b = ud;

    if (b->n < 32) {
        b->lines[b->n] = line;
        strncpy(b->reasons[b->n], reason, sizeof(b->reasons[0]) - 1);
        b->n++;
    }
}

static struct cm_intel_snapshot *load_guarded(const struct cm_intel_item *items, size_t n,
                                              enum cm_intel_category cat, const char *threat,
                                              bool guard, struct bads *b,
                                              struct cm_intel_load_stats *st)
{
    struct cm_intel_builder *bl;
    struct cm_intel_snapshot *s;
    struct cm_intel_list list = {CM_STR_LIT("L"), CM_INTEL_KIND_THREAT, CM_STR_LIT("FAKE"),
                                 CM_STR_LIT("mem")};
    struct cm_intel_load_opts o;
    uint32_t id;

    fake_items = items;
    fake_n = n;
    assert_int_equal(cm_intel_builder_create(&bl, 7), 0);
    assert_int_equal(cm_intel_builder_add_list(bl, &list, &id), 0);
    memset(&o, 0, sizeof(o));
    o.list = id;
    o.category = cat;
    o.threat_name = cm_str_cstr(threat);
    o.shared_guard = guard;
    o.bad = on_bad;
    o.ud = b;
    assert_int_equal(cm_intel_load(bl, &fake, "", 0, &o, st), 0);
    assert_int_equal(cm_intel_builder_build(bl, &s), 0);
    cm_intel_builder_destroy(bl);
    return s;
}

static struct cm_intel_snapshot *load(const struct cm_intel_item *items, size_t n,
                                      enum cm_intel_category cat, const char *threat,
                                      struct bads *b, struct cm_intel_load_stats *st)
{
    return load_guarded(items, n, cat, threat, false, b, st);
}

static enum cm_intel_verdict ip_check(struct cm_intel_snapshot *s, const char *txt,
                                      struct cm_intel_match *m)
{
    struct cm_ip ip;

    assert_int_equal(cm_ip_parse(cm_str_cstr(txt), &ip), 0);
    return cm_intel_check_ip(s, &ip, m);
}

/* The bundle feeds' guard: shared infrastructure skipped and counted; off, all of it is listed. */
static void test_shared_guard(void **state)
{
    const struct cm_intel_item items[] = {
        ITEM(CM_IV_AUTO, "8.8.8.8", 1),            /* anycast resolver */
        ITEM(CM_IV_AUTO, "1.1.1.0/24", 2),         /* a /24 holding one */
        ITEM(CM_IV_AUTO, "2620:fe::fe", 3),        /* Quad9 over IPv6 */
        ITEM(CM_IV_AUTO, "duckdns.org", 4),        /* dynamic-DNS apex (a private suffix) */
        ITEM(CM_IV_AUTO, "000webhostapp.com", 5),  /* free-hosting apex */
        ITEM(CM_IV_AUTO, "*.s3.amazonaws.com", 6), /* every bucket */
        ITEM(CM_IV_AUTO, "c2.duckdns.org", 7),     /* a customer's host: kept */
        ITEM(CM_IV_AUTO, "10.0.0.0/8", 8),         /* private: bad, not shared */
        ITEM(CM_IV_AUTO, "185.220.101.7", 9),      /* an ordinary C2 address: kept */
        ITEM(CM_IV_AUTO, "8.0.0.0/8", 10),         /* a large network: kept */
        ITEM(CM_IV_AUTO, "evil-c2.example", 11),   /* an ordinary name: kept */
        ITEM(CM_IV_RANGE, "9.9.9.0", 12),          /* a range whose /24 holds 9.9.9.9 */
    };
    struct cm_intel_item its[sizeof(items) / sizeof(items[0])];
    size_t n = sizeof(items) / sizeof(items[0]);
    struct cm_intel_load_stats st;
    struct bads b = {{0}, {{0}}, 0};
    struct cm_intel_snapshot *s;

    (void)state;
    memcpy(its, items, sizeof(items));
    its[11].value2 = CM_STR_LIT("9.9.9.255");
    s = load_guarded(its, n, CM_CAT_CNC, "", true, &b, &st);
    assert_int_equal(st.items, n);
    assert_int_equal(st.shared, 7);
    assert_int_equal(st.skipped, 7);
    assert_int_equal(st.ip_entries, 2);  /* 185.220.101.7, 8.0.0.0/8 */
    assert_int_equal(st.dom_entries, 2); /* c2.duckdns.org, evil-c2.example */
    assert_int_equal(ip_check(s, "185.220.101.7", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "1.1.1.1", NULL), CM_INTEL_NONE);
    assert_int_equal(ip_check(s, "9.9.9.9", NULL), CM_INTEL_NONE);
    assert_int_equal(ip_check(s, "2620:fe::fe", NULL), CM_INTEL_NONE);
    /* 8.8.8.8 sits in the kept /8: the /8 is the feed's word, not a resolver entry. */
    assert_int_equal(ip_check(s, "8.8.8.8", NULL), CM_INTEL_THREAT);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("c2.duckdns.org"), NULL), CM_INTEL_THREAT);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("home.duckdns.org"), NULL), CM_INTEL_NONE);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("site.000webhostapp.com"), NULL),
                     CM_INTEL_NONE);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("bucket.s3.amazonaws.com"), NULL),
                     CM_INTEL_NONE);
    cm_intel_snapshot_unref(s);

    /* Without the guard (a user's list) every entry is taken. */
    s = load_guarded(its, n, CM_CAT_CUSTOM, "Customer Threat Intel", false, &b, &st);
    assert_int_equal(st.shared, 0);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("home.duckdns.org"), NULL),
                     CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "9.9.9.9", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "1.1.1.1", NULL), CM_INTEL_THREAT);
    cm_intel_snapshot_unref(s);
}

static void test_classify(void **state)
{
    const struct cm_intel_item items[] = {
        ITEM(CM_IV_AUTO, "198.18.0.7", 1),     /* benchmarking range: not public */
        ITEM(CM_IV_AUTO, "8.8.4.0/24", 2),     /* CIDR */
        ITEM(CM_IV_AUTO, "9.9.9.9", 3),        /* address */
        ITEM(CM_IV_AUTO, "evil.example", 4),   /* name: covers subdomains */
        ITEM(CM_IV_AUTO, "*.wild.example", 5), /* subdomains only */
        ITEM(CM_IV_AUTO, "http://host.bad.example:8080/x.exe", 6), /* URL: exact host */
        ITEM(CM_IV_AUTO, "not a name!", 7),                        /* garbage */
        ITEM(CM_IV_IP, "ip-only.example", 8),                      /* IP item that is a name: bad */
        ITEM(CM_IV_DOMAIN, "1.1.1.1", 9), /* domain item that is an address: taken */
        ITEM(CM_IV_AUTO, "10.1.2.3", 10), /* private: bad */
        ITEM(CM_IV_URL, "https://github.com/x/y/raw/bad.exe", 11), /* shared host: skipped */
        ITEM(CM_IV_URL, "http://[2001:4860::8888]/p", 12),         /* IPv6 literal host */
        ITEM(CM_IV_AUTO, "", 13),                                  /* empty */
        ITEM(CM_IV_URL, "http:///nohost", 14),                     /* no host */
        ITEM(CM_IV_AUTO, "com", 15),              /* one label would list a whole TLD */
        ITEM(CM_IV_URL, "http://intranet/x", 16), /* one-label URL host */
    };
    struct cm_intel_load_stats st;
    struct bads b = {{0}, {{0}}, 0};
    struct cm_intel_match m;
    struct cm_intel_snapshot *s = load(items, sizeof(items) / sizeof(items[0]), CM_CAT_CUSTOM,
                                       "Customer Threat Intel", &b, &st);

    (void)state;
    assert_int_equal(st.items, 16);
    assert_int_equal(st.ip_entries, 4); /* 8.8.4.0/24, 9.9.9.9, 1.1.1.1, 2001:4860::8888 */
    assert_int_equal(st.dom_entries, 3);
    assert_int_equal(st.skipped, 1);
    /* 1, 7, 8, 10, 13, 14, 15, 16 and the reader's own. */
    assert_int_equal(st.bad, 9);
    assert_int_equal(b.n, 9);
    assert_int_equal(b.lines[0], 1);
    assert_non_null(strstr(b.reasons[0], "publicly routable"));
    assert_int_equal(b.lines[1], 7);
    assert_int_equal(b.lines[2], 8);
    assert_int_equal(b.lines[3], 10);
    assert_int_equal(b.lines[4], 13);
    assert_int_equal(b.lines[5], 14);
    assert_int_equal(b.lines[6], 15);
    assert_non_null(strstr(b.reasons[6], "single label"));
    assert_int_equal(b.lines[7], 16);
    assert_int_equal(b.lines[8], 99);

    assert_int_equal(ip_check(s, "8.8.4.200", &m), CM_INTEL_THREAT);
    assert_int_equal(m.prefix, 24);
    assert_int_equal(m.ind->category, CM_CAT_CUSTOM);
    assert_true(cm_str_eqc(m.ind->threat_name, "Customer Threat Intel"));
    assert_int_equal(ip_check(s, "1.1.1.1", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "2001:4860::8888", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "198.18.0.7", NULL), CM_INTEL_NONE);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("a.evil.example"), NULL), CM_INTEL_THREAT);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("wild.example"), NULL), CM_INTEL_NONE);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("x.wild.example"), NULL), CM_INTEL_THREAT);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("host.bad.example"), NULL),
                     CM_INTEL_THREAT);
    /* A URL's host is exact: neither its parent nor its children are listed. */
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("bad.example"), NULL), CM_INTEL_NONE);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("x.host.bad.example"), NULL),
                     CM_INTEL_NONE);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("github.com"), NULL), CM_INTEL_NONE);
    cm_intel_snapshot_unref(s);
}

/* "[IPv6]" with no port (as a URL writes its host) is that address, not "a single label". */
static void test_host_brackets(void **state)
{
    const struct cm_intel_item items[] = {
        ITEM(CM_IV_AUTO, "[2606:4700:1::8]", 1), ITEM(CM_IV_AUTO, "[2606:4700:1::9]:853", 2),
        ITEM(CM_IV_AUTO, "[]", 3),           /* nothing inside: bad */
        ITEM(CM_IV_AUTO, "[bad.example", 4), /* unclosed: bad */
    };
    struct cm_intel_load_stats st;
    struct bads b = {{0}, {{0}}, 0};
    struct cm_intel_snapshot *s =
        load(items, sizeof(items) / sizeof(items[0]), CM_CAT_CUSTOM, "v6", &b, &st);

    (void)state;
    assert_int_equal(st.ip_entries, 2);
    assert_int_equal(st.dom_entries, 0);
    assert_int_equal(b.n, 3); /* 3, 4 and the fake reader's own */
    assert_int_equal(b.lines[0], 3);
    assert_int_equal(b.lines[1], 4);
    assert_int_equal(ip_check(s, "2606:4700:1::8", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "2606:4700:1::9", NULL), CM_INTEL_THREAT);
    cm_intel_snapshot_unref(s);
}

/* "HOST:PORT" entries (maltrail's mining pools) are their host; a bare IPv6 address stays whole. */
static void test_host_port(void **state)
{
    const struct cm_intel_item items[] = {
        ITEM(CM_IV_AUTO, "107.191.47.239:3333", 1),
        ITEM(CM_IV_AUTO, "pool.mine.example:14444", 2),
        ITEM(CM_IV_AUTO, "[2606:4700:1::7]:3333", 3),
        ITEM(CM_IV_AUTO, "2001:4860::8844", 4),          /* colons, no port */
        ITEM(CM_IV_AUTO, "9.9.9.10:443x", 5),            /* not a port: bad */
        ITEM(CM_IV_AUTO, "9.9.9.11:123456", 6),          /* six digits: no port, bad */
        ITEM(CM_IV_AUTO, "2001:4860::1:3333", 7),        /* an address, not [addr]:port */
        ITEM(CM_IV_IP, "9.9.9.12:53", 8),                /* only AUTO items carry ports */
        ITEM(CM_IV_AUTO, "http://c2.example:8080/p", 9), /* a URL keeps its own parse */
    };
    struct cm_intel_load_stats st;
    struct bads b = {{0}, {{0}}, 0};
    struct cm_intel_snapshot *s =
        load(items, sizeof(items) / sizeof(items[0]), CM_CAT_MINING, "pools", &b, &st);

    (void)state;
    assert_int_equal(st.ip_entries, 4);  /* lines 1, 3, 4 and 7 */
    assert_int_equal(st.dom_entries, 2); /* line 2, and the URL's host */
    assert_int_equal(b.n, 4);            /* 5, 6, 8 and the fake reader's own */
    assert_int_equal(b.lines[0], 5);
    assert_int_equal(b.lines[1], 6);
    assert_int_equal(b.lines[2], 8);
    assert_int_equal(b.lines[3], 99);
    assert_int_equal(ip_check(s, "107.191.47.239", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "2606:4700:1::7", NULL), CM_INTEL_THREAT);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("pool.mine.example"), NULL),
                     CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "2001:4860::8844", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "2001:4860::1:3333", NULL), CM_INTEL_THREAT);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("c2.example"), NULL), CM_INTEL_THREAT);
    cm_intel_snapshot_unref(s);
}

static void test_categories_and_threats(void **state)
{
    const struct cm_intel_item items[] = {
        {CM_IV_AUTO, CM_STR_LIT("5.5.5.5"), CM_STR_NULL, CM_STR_LIT("Emotet"),
         CM_STR_LIT("Botnet C&C"), 1},
        {CM_IV_AUTO, CM_STR_LIT("6.6.6.6"), CM_STR_NULL, CM_STR_NULL, CM_STR_LIT("Tor exit node"),
         2},
        {CM_IV_AUTO, CM_STR_LIT("pool.mine.example"), CM_STR_NULL, CM_STR_NULL,
         CM_STR_LIT("mining pool"), 3},
        {CM_IV_AUTO, CM_STR_LIT("7.7.7.7"), CM_STR_NULL, CM_STR_NULL, CM_STR_LIT("monitor"), 4},
        {CM_IV_AUTO, CM_STR_LIT("x.phish.example"), CM_STR_NULL, CM_STR_NULL,
         CM_STR_LIT("Phishing"), 5},
    };
    struct cm_intel_load_stats st;
    struct bads b = {{0}, {{0}}, 0};
    struct cm_intel_match m;
    struct cm_intel_snapshot *s =
        load(items, sizeof(items) / sizeof(items[0]), CM_CAT_UNKNOWN, "feed", &b, &st);

    (void)state;
    assert_int_equal(ip_check(s, "5.5.5.5", &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_CNC);
    assert_true(cm_str_eqc(m.ind->threat_name, "Emotet"));
    assert_int_equal(ip_check(s, "6.6.6.6", &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_TOR_EXIT);
    assert_true(cm_str_eqc(m.ind->threat_name, "feed"));
    /* "monitor" contains "tor" but not as a word. */
    assert_int_equal(ip_check(s, "7.7.7.7", &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_MALICIOUS_IP);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("pool.mine.example"), &m),
                     CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_MINING);
    assert_int_equal(cm_intel_check_domain(s, CM_STR_LIT("x.phish.example"), &m), CM_INTEL_THREAT);
    assert_int_equal(m.ind->category, CM_CAT_PHISHING);
    cm_intel_snapshot_unref(s);

    assert_int_equal(cm_intel_category_guess(CM_STR_LIT("sinkhole"), true), CM_CAT_SINKHOLE);
    assert_int_equal(cm_intel_category_guess(CM_STR_LIT("drive-by download"), false),
                     CM_CAT_DRIVE_BY);
    assert_int_equal(cm_intel_category_guess(CM_STR_LIT("DGA"), false), CM_CAT_DGA);
    assert_int_equal(cm_intel_category_guess(CM_STR_LIT("adgaurd ads"), false),
                     CM_CAT_MALICIOUS_DOMAIN);
    assert_int_equal(cm_intel_category_guess(CM_STR_LIT("Scanning Host"), true), CM_CAT_SCANNER);
    assert_int_equal(cm_intel_category_guess(CM_STR_LIT("tor_relay"), true), CM_CAT_TOR_RELAY);
    assert_int_equal(cm_intel_category_guess(CM_STR_LIT("c2"), true), CM_CAT_CNC);
    assert_int_equal(cm_intel_category_guess(CM_STR_LIT(""), false), CM_CAT_MALICIOUS_DOMAIN);
}

/* ---- ranges ---- */

struct cidrs {
    uint32_t net[128];
    unsigned prefix[128];
    size_t n;
};

static int collect(void *ud, const struct cm_ip *net, unsigned prefix)
{
    struct cidrs *c = ud;

    assert_true(c->n < 128);
    c->net[c->n] = cm_ip_v4(net);
    c->prefix[c->n] = prefix;
    c->n++;
    return 0;
}

static struct cm_ip v4(uint32_t a)
{
    struct cm_ip ip;

    memset(&ip, 0, sizeof(ip));
    ip.family = CM_IP_V4;
    ip.a[0] = (uint8_t)(a >> 24);
    ip.a[1] = (uint8_t)(a >> 16);
    ip.a[2] = (uint8_t)(a >> 8);
    ip.a[3] = (uint8_t)a;
    return ip;
}

/* The CIDRs tile [lo, hi] exactly, in order, aligned, and none could be doubled. */
static void check_cover(uint32_t lo, uint32_t hi)
{
    struct cm_ip a = v4(lo), b = v4(hi);
    struct cidrs c = {{0}, {0}, 0};
    uint64_t next = lo;

    assert_int_equal(cm_ip_range_cidrs(&a, &b, collect, &c), 0);
    for (size_t i = 0; i < c.n; i++) {
        uint64_t size = 1ULL << (32 - c.prefix[i]);

        assert_int_equal(c.net[i], next);
        assert_int_equal(c.net[i] % size, 0);
        /* Greedy and minimal: a block aligned to twice its size could not have been doubled. */
        if (c.prefix[i] > 0 && c.net[i] % (size * 2) == 0) {
            assert_true(c.net[i] + size * 2 - 1 > hi);
        }
        next = c.net[i] + size;
    }
    assert_int_equal(next, (uint64_t)hi + 1);
    assert_true(c.n <= 62);
}

static void test_ranges(void **state)
{
    struct cm_ip a, b;
    struct cidrs c = {{0}, {0}, 0};

    (void)state;
    check_cover(0, 0xffffffffu);
    check_cover(0xC0000200u, 0xC00002ffu); /* 192.0.2.0 - 192.0.2.255 */
    check_cover(5, 5);
    check_cover(1, 0xfffffffeu);
    srand(11);
    for (int i = 0; i < 2000; i++) {
        uint32_t x = ((uint32_t)rand() << 16) ^ (uint32_t)rand();
        uint32_t y = ((uint32_t)rand() << 16) ^ (uint32_t)rand();
        if (i % 3 == 0) {
            y = x + (uint32_t)(rand() % 4096);
            if (y < x) {
                y = 0xffffffffu;
            }
        }
        check_cover(x < y ? x : y, x < y ? y : x);
    }
    a = v4(0xC0000200u);
    check_cover(0xC0000200u, 0xC00002ffu);
    assert_int_equal(cm_ip_range_cidrs(&a, &a, collect, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.prefix[0], 32);
    b = v4(0xC00001ffu);
    assert_int_equal(cm_ip_range_cidrs(&a, &b, collect, &c), CM_EINVAL);
    assert_int_equal(cm_ip_parse(CM_STR_LIT("::1"), &b), 0);
    assert_int_equal(cm_ip_range_cidrs(&a, &b, collect, &c), CM_EINVAL);
}

struct v6c {
    unsigned prefix[300];
    size_t n;
};

static int collect6(void *ud, const struct cm_ip *net, unsigned prefix)
{
    struct v6c *c = ud;

    (void)net;
    assert_true(c->n < 300);
    c->prefix[c->n++] = prefix;
    return 0;
}

static void test_ranges_v6(void **state)
{
    struct cm_ip a, b;
    struct v6c c = {{0}, 0};

    (void)state;
    assert_int_equal(cm_ip_parse(CM_STR_LIT("::"), &a), 0);
    assert_int_equal(cm_ip_parse(CM_STR_LIT("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), &b), 0);
    assert_int_equal(cm_ip_range_cidrs(&a, &b, collect6, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.prefix[0], 0);
    c.n = 0;
    assert_int_equal(cm_ip_parse(CM_STR_LIT("2001:db8::"), &a), 0);
    assert_int_equal(cm_ip_parse(CM_STR_LIT("2001:db8::ffff"), &b), 0);
    assert_int_equal(cm_ip_range_cidrs(&a, &b, collect6, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.prefix[0], 112);
    c.n = 0;
    assert_int_equal(cm_ip_parse(CM_STR_LIT("2001:db8::1"), &a), 0);
    assert_int_equal(cm_ip_range_cidrs(&a, &b, collect6, &c), 0);
    assert_int_equal(c.n, 16); /* /128 /127 ... /113 */
}

static void test_range_items(void **state)
{
    const struct cm_intel_item items[] = {
        {CM_IV_RANGE, CM_STR_LIT("8.8.8.0"), CM_STR_LIT("8.8.8.255"), CM_STR_NULL, CM_STR_NULL, 1},
        {CM_IV_RANGE, CM_STR_LIT("9.9.9.9"), CM_STR_LIT("9.9.9.8"), CM_STR_NULL, CM_STR_NULL, 2},
        {CM_IV_RANGE, CM_STR_LIT("9.9.9.9"), CM_STR_LIT("zzz"), CM_STR_NULL, CM_STR_NULL, 3},
        {CM_IV_RANGE, CM_STR_LIT("4.4.4.4"), CM_STR_LIT("4.4.4.6"), CM_STR_NULL, CM_STR_NULL, 4},
    };
    struct cm_intel_load_stats st;
    struct bads b = {{0}, {{0}}, 0};
    struct cm_intel_snapshot *s =
        load(items, sizeof(items) / sizeof(items[0]), CM_CAT_CUSTOM, "x", &b, &st);

    (void)state;
    assert_int_equal(st.ip_entries, 3); /* /24, then 4.4.4.4/31 and 4.4.4.6/32 */
    assert_int_equal(b.n, 3);
    assert_int_equal(b.lines[0], 2);
    assert_int_equal(b.lines[1], 3);
    assert_int_equal(ip_check(s, "8.8.8.77", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "4.4.4.6", NULL), CM_INTEL_THREAT);
    assert_int_equal(ip_check(s, "4.4.4.7", NULL), CM_INTEL_NONE);
    cm_intel_snapshot_unref(s);
}

static void host_is(const char *url, const char *want)
{
    struct cm_str h;

    if (want == NULL) {
        assert_false(cm_url_host(cm_str_cstr(url), &h));
        return;
    }
    assert_true(cm_url_host(cm_str_cstr(url), &h));
    assert_int_equal(h.len, strlen(want));
    assert_memory_equal(h.p, want, h.len);
}

static void test_url_host(void **state)
{
    (void)state;
    host_is("http://a.example/x", "a.example");
    host_is("https://user:pw@b.example:8443/p?q#f", "b.example");
    host_is("hxxp://c.example.", "c.example");
    host_is("d.example/path", "d.example");
    host_is("http://1.2.3.4:80/bins/x", "1.2.3.4");
    host_is("http://[::1]:80/", "::1");
    host_is("http://[]/", NULL);
    host_is("http://", NULL);
    host_is("http://?x", NULL);
    host_is("ftp://e.example?x=1", "e.example");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_host_port),
        cmocka_unit_test(test_host_brackets),
        cmocka_unit_test(test_shared_guard),
        cmocka_unit_test(test_categories_and_threats),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_ranges_v6),
        cmocka_unit_test(test_range_items),
        cmocka_unit_test(test_url_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
