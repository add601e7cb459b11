/*
 * lib/intel/awsranges.c against a hand-written ip-ranges.json (below, in
 * AWS's shape, with nested AMAZON/EC2/S3 prefixes in IPv4 and IPv6, a
 * prefix listed under two services, an escaped service name and one bad
 * entry of every kind on a known line), inputs that are not ip-ranges.json,
 * and random nested prefixes against a brute-force oracle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/ip.h"
#include "intel/awsranges.h"
#include "../../xorshift.h"

#define SEED 0xa175eedULL

/* Line numbers are the fixture's: line 1 is the opening brace. */
static const char fixture[] =
    "{\n"                                                                           /* 1 */
    "  \"syncToken\": \"1741082400\",\n"                                            /* 2 */
    "  \"createDate\": \"2025-03-04-10-00-00\",\n"                                  /* 3 */
    "  \"prefixes\": [\n"                                                           /* 4 */
    "    {\"ip_prefix\": \"52.0.0.0/11\", \"region\": \"us-east-1\", \"service\": " /* 5 */
    "\"AMAZON\", \"network_border_group\": \"us-east-1\"},\n"
    "    {\"ip_prefix\": \"52.0.0.0/11\", \"region\": \"us-east-1\", \"service\": \"EC2\", " /* 6 */
    "\"network_border_group\": \"us-east-1\"},\n"
    "    {\"ip_prefix\": \"52.16.0.0/15\", \"region\": \"eu-west-1\", \"service\": " /* 7 */
    "\"AMAZON\", \"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ip_prefix\": \"52.16.0.0/15\", \"region\": \"eu-west-1\", \"service\": \"EC2\", " /* 8
                                                                                               */
    "\"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ip_prefix\": \"52.92.0.0/17\", \"region\": \"eu-west-1\", \"service\": " /* 9 */
    "\"AMAZON\", \"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ip_prefix\": \"52.92.16.0/20\", \"region\": \"eu-west-1\", \"service\": \"S3\", " /* 10
                                                                                               */
    "\"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ip_prefix\": \"52.92.16.0/20\", \"region\": \"eu-west-1\", \"service\": " /* 11 */
    "\"AMAZON\", \"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ip_prefix\": \"52.94.0.0/22\", \"region\": \"us-east-1\", \"service\": " /* 12 */
    "\"AMAZON\", \"network_border_group\": \"us-east-1\"},\n"
    "    {\"ip_prefix\": \"52.93.0.0/24\", \"region\": \"us-east-1\", \"service\": \"EC2\", " /* 13
                                                                                               */
    "\"network_border_group\": \"us-east-1\"},\n"
    "    {\"ip_prefix\": \"52.93.0.0/24\", \"region\": \"us-east-1\", \"service\": " /* 14 */
    "\"ROUTE53_HEALTHCHECKS\", \"network_border_group\": \"us-east-1\"},\n"
    "    {\"ip_prefix\": \"3.0.0.0/15\", \"region\": \"ap-southeast-1\", \"service\": " /* 15 */
    "\"AMAZON\", \"network_border_group\": \"ap-southeast-1\"},\n"
    "    {\"ip_prefix\": \"3.0.5.32/29\", \"region\": \"ap-southeast-1\", \"service\": " /* 16 */
    "\"EC2_INSTANCE_CONNECT\", \"network_border_group\": \"ap-southeast-1\"},\n"
    "    {\"ip_prefix\": \"13.32.0.0/15\", \"region\": \"GLOBAL\", \"service\": " /* 17 */
    "\"AMAZON\", \"network_border_group\": \"GLOBAL\"},\n"
    "    {\"ip_prefix\": \"13.32.0.0/15\", \"region\": \"GLOBAL\", \"service\": " /* 18 */
    "\"CLOUDFRONT\", \"network_border_group\": \"GLOBAL\"},\n"
    "    {\"ip_prefix\": \"15.181.0.0/20\", \"region\": \"us-west-2\", \"service\": " /* 19 */
    "\"EC2\", \"network_border_group\": \"us-west-2-lax-1\"},\n"
    "    {\"ip_prefix\": \"99.77.128.0/18\", \"region\": \"us-east-1\", \"service\": " /* 20 */
    "\"API\\u005fGATEWAY\", \"network_border_group\": \"us-east-1\"},\n"
    "    {\"ip_prefix\": \"54.239.0.0/28\", \"region\": \"GLOBAL\", \"service\": " /* 21 */
    "\"ROUTE53\", \"network_border_group\": \"GLOBAL\"},\n"
    "    {\"ip_prefix\": \"54.239.0.0/28\", \"region\": \"GLOBAL\", \"service\": " /* 22 */
    "\"ROUTE53\", \"network_border_group\": \"GLOBAL\"},\n"
    "    {\"ip_prefix\": \"52.300.0.0/16\", \"region\": \"us-east-1\", \"service\": " /* 23 */
    "\"AMAZON\"},\n"
    "    {\"ip_prefix\": \"52.95.1.0\", \"region\": \"us-east-1\", \"service\": " /* 24 */
    "\"AMAZON\"},\n"
    "    {\"ip_prefix\": \"52.95.1.7/24\", \"region\": \"us-east-1\", \"service\": " /* 25 */
    "\"AMAZON\"},\n"
    "    {\"ip_prefix\": \"52.95.2.0/24\", \"region\": \"us-east-1\"},\n"               /* 26 */
    "    {\"ip_prefix\": \"52.95.3.0/24\", \"region\": 42, \"service\": \"AMAZON\"},\n" /* 27 */
    "    {\"ip_prefix\": \"2600:1f00::/24\", \"region\": \"us-east-1\", \"service\": "  /* 28 */
    "\"AMAZON\"},\n"
    "    \"oops\",\n"                                                                       /* 29 */
    "    {\"ip_prefix\": \"52.95.4.0/24\", \"region\": \"us-east-1\", \"service\": \"\"}\n" /* 30 */
    "  ],\n"                                                                                /* 31 */
    "  \"ipv6_prefixes\": [\n"                                                              /* 32 */
    "    {\"ipv6_prefix\": \"2600:1f00::/24\", \"region\": \"us-east-1\", \"service\": "    /* 33 */
    "\"AMAZON\", \"network_border_group\": \"us-east-1\"},\n"
    "    {\"ipv6_prefix\": \"2600:1f18::/33\", \"region\": \"us-east-1\", \"service\": " /* 34 */
    "\"EC2\", \"network_border_group\": \"us-east-1\"},\n"
    "    {\"ipv6_prefix\": \"2600:1f18::/33\", \"region\": \"us-east-1\", \"service\": " /* 35 */
    "\"AMAZON\", \"network_border_group\": \"us-east-1\"},\n"
    "    {\"ipv6_prefix\": \"2a05:d000::/25\", \"region\": \"eu-west-1\", \"service\": " /* 36 */
    "\"AMAZON\", \"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ipv6_prefix\": \"2a05:d018::/36\", \"region\": \"eu-west-1\", \"service\": " /* 37 */
    "\"EC2\", \"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ipv6_prefix\": \"2a05:d07a:a000::/40\", \"region\": \"eu-west-1\", " /* 38 */
    "\"service\": \"S3\", \"network_border_group\": \"eu-west-1\"},\n"
    "    {\"ipv6_prefix\": \"52.0.0.0/8\", \"region\": \"us-east-1\", \"service\": " /* 39 */
    "\"AMAZON\"},\n"
    "    {\"ip_prefix\": \"2600::/16\", \"region\": \"us-east-1\", \"service\": " /* 40 */
    "\"AMAZON\"}\n"
    "  ]\n" /* 41 */
    "}\n";

struct bad_log {
    uint32_t lines[32];
    char reasons[32][96];
    size_t n;
};

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct bad_log *log = ud;

    if (log->n < 32) {
        log->lines[log->n] = line;
        snprintf(log->reasons[log->n], sizeof(log->reasons[0]), "%s", reason);
    }
    log->n++;
}

static struct cm_ip ip_of(const char *s)
{
    struct cm_ip ip;
    assert_int_equal(cm_ip_parse(cm_str_cstr(s), &ip), 0);
    return ip;
}

static struct cm_awsranges *load_fixture(struct bad_log *log)
{
    struct cm_awsranges_report rep = {on_bad, log};
    struct cm_awsranges *r = NULL;
    struct cm_diag diag;

    memset(log, 0, sizeof(*log));
    assert_int_equal(cm_awsranges_parse(&r, fixture, strlen(fixture), SEED, &rep, &diag), 0);
    assert_non_null(r);
    return r;
}

/* Looks ip up and checks the most specific claim (service NULL: outside). */
static void expect(const struct cm_awsranges *r, const char *ip, const char *service,
                   const char *region, const char *net, unsigned prefix)
{
    struct cm_ip a = ip_of(ip);
    struct cm_aws_claim c;
    char txt[64];
    bool in = cm_awsranges_lookup(r, &a, &c);

    if (service == NULL) {
        assert_false(in);
        assert_int_equal(cm_awsranges_lookup_all(r, &a, &c, 1), 0);
        return;
    }
    assert_true(in);
    assert_true(cm_awsranges_lookup(r, &a, NULL));
    if (!cm_str_eqc(c.service, service) || !cm_str_eqc(c.region, region)) {
        fail_msg("%s: got %.*s/%.*s, want %s/%s", ip, (int)c.service.len, c.service.p,
                 (int)c.region.len, c.region.p, service, region);
    }
    cm_ip_format(&c.net, txt, sizeof(txt));
    assert_string_equal(txt, net);
    assert_int_equal(c.prefix, prefix);
}

static void test_fixture_inside_outside(void **state)
{
    struct bad_log log;
    struct cm_awsranges *r = load_fixture(&log);

    (void)state;
    /* Same prefix under AMAZON and EC2: EC2 is the specific service. */
    expect(r, "52.1.2.3", "EC2", "us-east-1", "52.0.0.0", 11);
    expect(r, "52.0.0.0", "EC2", "us-east-1", "52.0.0.0", 11);
    expect(r, "52.31.255.255", "EC2", "us-east-1", "52.0.0.0", 11);
    expect(r, "52.32.0.0", NULL, NULL, NULL, 0);
    /* 52.16/15 lies inside 52.0/11: the longer prefix and its region win. */
    expect(r, "52.17.200.1", "EC2", "eu-west-1", "52.16.0.0", 15);
    /* Nested AMAZON /17 > S3 /20. */
    expect(r, "52.92.20.1", "S3", "eu-west-1", "52.92.16.0", 20);
    expect(r, "52.92.64.1", "AMAZON", "eu-west-1", "52.92.0.0", 17);
    /* AMAZON alone. */
    expect(r, "52.94.3.255", "AMAZON", "us-east-1", "52.94.0.0", 22);
    /* Two specific services on one prefix: the first in the file. */
    expect(r, "52.93.0.200", "EC2", "us-east-1", "52.93.0.0", 24);
    expect(r, "3.0.5.33", "EC2_INSTANCE_CONNECT", "ap-southeast-1", "3.0.5.32", 29);
    expect(r, "3.0.5.40", "AMAZON", "ap-southeast-1", "3.0.0.0", 15);
    expect(r, "13.33.1.1", "CLOUDFRONT", "GLOBAL", "13.32.0.0", 15);
    expect(r, "15.181.15.1", "EC2", "us-west-2", "15.181.0.0", 20);
    expect(r, "99.77.130.9", "API_GATEWAY", "us-east-1", "99.77.128.0", 18);
    expect(r, "54.239.0.15", "ROUTE53", "GLOBAL", "54.239.0.0", 28);
    expect(r, "54.239.0.16", NULL, NULL, NULL, 0);
    expect(r, "8.8.8.8", NULL, NULL, NULL, 0);
    expect(r, "10.0.0.1", NULL, NULL, NULL, 0);
    /* IPv4-mapped IPv6 is IPv4. */
    expect(r, "::ffff:52.1.2.3", "EC2", "us-east-1", "52.0.0.0", 11);
    /* IPv6. */
    expect(r, "2600:1f18::1", "EC2", "us-east-1", "2600:1f18::", 33);
    expect(r, "2600:1f18:8000::1", "AMAZON", "us-east-1", "2600:1f00::", 24);
    expect(r, "2a05:d07a:a0ff::5", "S3", "eu-west-1", "2a05:d07a:a000::", 40);
    expect(r, "2a05:d018:1::1", "EC2", "eu-west-1", "2a05:d018::", 36);
    expect(r, "2a05:d080::1", NULL, NULL, NULL, 0);
    expect(r, "2001:db8::1", NULL, NULL, NULL, 0);
    /* Bad entries loaded nothing. */
    expect(r, "52.95.2.1", NULL, NULL, NULL, 0);
    expect(r, "52.95.4.1", NULL, NULL, NULL, 0);
    cm_awsranges_destroy(r);
}

static void test_fixture_lookup_all(void **state)
{
    struct bad_log log;
    struct cm_awsranges *r = load_fixture(&log);
    struct cm_aws_claim c[8];
    struct cm_ip a;
    size_t n;

    (void)state;
    a = ip_of("52.92.20.1");
    n = cm_awsranges_lookup_all(r, &a, c, 8);
    assert_int_equal(n, 3);
    /* /20: AMAZON eu-west-1 (first seen on line 7) before S3; then the /17. */
    assert_int_equal(c[0].prefix, 20);
    assert_true(cm_str_eqc(c[0].service, "AMAZON") && cm_str_eqc(c[0].region, "eu-west-1"));
    assert_int_equal(c[1].prefix, 20);
    assert_true(cm_str_eqc(c[1].service, "S3") && cm_str_eqc(c[1].region, "eu-west-1"));
    assert_int_equal(c[2].prefix, 17);
    assert_true(cm_str_eqc(c[2].service, "AMAZON") && cm_str_eqc(c[2].region, "eu-west-1"));
    /* The total is returned even when max is smaller. */
    memset(c, 0, sizeof(c));
    assert_int_equal(cm_awsranges_lookup_all(r, &a, c, 1), 3);
    assert_int_equal(c[0].prefix, 20);
    assert_int_equal(c[1].prefix, 0);

    a = ip_of("52.1.1.1");
    assert_int_equal(cm_awsranges_lookup_all(r, &a, c, 8), 2);
    assert_true(cm_str_eqc(c[0].service, "AMAZON"));
    assert_true(cm_str_eqc(c[1].service, "EC2"));

    a = ip_of("52.93.0.1");
    assert_int_equal(cm_awsranges_lookup_all(r, &a, c, 8), 2);
    assert_true(cm_str_eqc(c[0].service, "EC2") && c[0].prefix == 24);
    assert_true(cm_str_eqc(c[1].service, "ROUTE53_HEALTHCHECKS") && c[1].prefix == 24);

    a = ip_of("2600:1f18::1");
    assert_int_equal(cm_awsranges_lookup_all(r, &a, c, 8), 3);
    assert_true(cm_str_eqc(c[0].service, "AMAZON") && c[0].prefix == 33);
    assert_true(cm_str_eqc(c[1].service, "EC2") && c[1].prefix == 33);
    assert_true(cm_str_eqc(c[2].service, "AMAZON") && c[2].prefix == 24);
    cm_awsranges_destroy(r);
}

static void test_fixture_meta_and_bad(void **state)
{
    static const struct {
        uint32_t line;
        const char *reason;
    } want[] = {
        {23, "prefix is not a CIDR"},
        {24, "prefix has no /length"},
        {25, "prefix has host bits set"},
        {26, "no \"service\" string"},
        {27, "no \"region\" string"},
        {28, "IPv6 prefix in \"prefixes\""},
        {29, "entry is not an object"},
        {30, "no \"service\" string"},
        {39, "IPv4 prefix in \"ipv6_prefixes\""},
        {40, "no \"ipv6_prefix\" string"},
    };
    struct bad_log log;
    struct cm_awsranges *r = load_fixture(&log);

    (void)state;
    assert_true(cm_str_eqc(cm_awsranges_sync_token(r), "1741082400"));
    assert_true(cm_str_eqc(cm_awsranges_create_date(r), "2025-03-04-10-00-00"));
    assert_int_equal(log.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < log.n; i++) {
        assert_int_equal(log.lines[i], want[i].line);
        assert_string_equal(log.reasons[i], want[i].reason);
    }
    assert_int_equal(cm_awsranges_skipped(r), 10);
    /* 18 good IPv4 entries (one repeated) and 6 good IPv6 ones. */
    assert_int_equal(cm_awsranges_loaded(r), 24);
    /* Distinct networks: 12 IPv4 + 5 IPv6. */
    assert_int_equal(cm_awsranges_prefixes(r), 17);
    /*
     * Pairs: AMAZON/us-east-1, EC2/us-east-1, AMAZON/eu-west-1, EC2/eu-west-1,
     * S3/eu-west-1, ROUTE53_HEALTHCHECKS/us-east-1, AMAZON/ap-southeast-1,
     * EC2_INSTANCE_CONNECT/ap-southeast-1, AMAZON/GLOBAL, CLOUDFRONT/GLOBAL,
     * EC2/us-west-2, API_GATEWAY/us-east-1, ROUTE53/GLOBAL.
     */
    assert_int_equal(cm_awsranges_pairs(r), 13);
    assert_true(cm_awsranges_bytes(r) > cm_awsranges_prefixes(r) * 8);
    cm_awsranges_destroy(r);

    /* Without a report the bad entries are still skipped. */
    assert_int_equal(cm_awsranges_parse(&r, fixture, strlen(fixture), SEED, NULL, NULL), 0);
    assert_int_equal(cm_awsranges_skipped(r), 10);
    cm_awsranges_destroy(r);
}

static void expect_einval(const char *text, const char *why)
{
    static char dummy;
    struct cm_awsranges *r = (struct cm_awsranges *)(void *)&dummy; /* must be reset to NULL */
    struct cm_diag diag;

    assert_int_equal(cm_awsranges_parse(&r, text, strlen(text), SEED, NULL, &diag), CM_EINVAL);
    assert_null(r);
    assert_true(diag.msg[0] != '\0');
    if (why != NULL && strstr(diag.msg, why) == NULL) {
        fail_msg("%s: diag '%s' lacks '%s'", text, diag.msg, why);
    }
}

static void test_not_ip_ranges(void **state)
{
    struct cm_awsranges *r;
    struct cm_diag diag;
    struct cm_ip a = ip_of("52.1.2.3");
    char cut[200];

    (void)state;
    expect_einval("", NULL);
    expect_einval("52.0.0.0/11 EC2 us-east-1\n", NULL);
    expect_einval("<?xml version=\"1.0\"?><prefixes/>", NULL);
    expect_einval("[{\"ip_prefix\": \"52.0.0.0/11\"}]", "not a JSON object");
    expect_einval("{\"syncToken\": \"1\"}", "prefixes");
    expect_einval("{\"prefixes\": {}}", "prefixes");
    expect_einval("{\"prefixes\": [], \"ipv6_prefixes\": \"none\"}", "ipv6_prefixes");
    expect_einval("{\"syncToken\": 17, \"prefixes\": []}", "syncToken");
    expect_einval("{\"createDate\": null, \"prefixes\": []}", "createDate");
    expect_einval("{\"prefixes\": [] } trailing", NULL);
    expect_einval("{\"prefixes\": [\"\xff\"]}", NULL);
    /* The fixture cut short. */
    memcpy(cut, fixture, sizeof(cut) - 1);
    cut[sizeof(cut) - 1] = '\0';
    expect_einval(cut, NULL);

    /* The smallest valid file: empty, with no token or date. */
    assert_int_equal(cm_awsranges_parse(&r, "{\"prefixes\":[]}", 15, SEED, NULL, &diag), 0);
    assert_false(cm_awsranges_lookup(r, &a, NULL));
    assert_false(cm_str_present(cm_awsranges_sync_token(r)));
    assert_false(cm_str_present(cm_awsranges_create_date(r)));
    assert_int_equal(cm_awsranges_prefixes(r), 0);
    cm_awsranges_destroy(r);

    /* A NULL set is empty. */
    assert_false(cm_awsranges_lookup(NULL, &a, NULL));
    assert_int_equal(cm_awsranges_lookup_all(NULL, &a, NULL, 0), 0);
    cm_awsranges_destroy(NULL);
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint32_t mask_of(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static uint64_t rnd(void)
{
    return xorshift64(&rng_state);
}

#define NRAND 600

/* Random nested IPv4 prefixes in 52/8, checked against a linear scan. */
static void test_random_oracle(void **state)
{
    static const char *const services[] = {"AMAZON", "EC2", "S3", "CLOUDFRONT"};
    static const char *const regions[] = {"us-east-1", "eu-west-1"};
    struct {
        uint32_t net;
        unsigned len;
        int svc, reg;
    } *ents = calloc(NRAND, sizeof(*ents));
    size_t cap = NRAND * 120 + 64, off = 0;
    char *json = malloc(cap);
    struct cm_awsranges *r;

    (void)state;
    assert_non_null(ents);
    assert_non_null(json);
    off += (size_t)snprintf(json + off, cap - off, "{\"prefixes\":[");
    for (size_t i = 0; i < NRAND; i++) {
        unsigned len = 8 + (unsigned)(rnd() % 25);
        uint32_t net = (52u << 24) | ((uint32_t)rnd() & 0x00ff0fffu);

        net &= mask_of(len);
        ents[i].net = net;
        ents[i].len = len;
        ents[i].svc = (int)(rnd() % 4);
        ents[i].reg = (int)(rnd() % 2);
        off += (size_t)snprintf(json + off, cap - off,
                                "%s{\"ip_prefix\":\"%u.%u.%u.%u/%u\",\"region\":\"%s\","
                                "\"service\":\"%s\"}",
                                i ? "," : "", net >> 24, (net >> 16) & 255, (net >> 8) & 255,
                                net & 255, len, regions[ents[i].reg], services[ents[i].svc]);
    }
    off += (size_t)snprintf(json + off, cap - off, "]}");
    assert_true(off < cap);
    assert_int_equal(cm_awsranges_parse(&r, json, off, SEED, NULL, NULL), 0);
    assert_int_equal(cm_awsranges_loaded(r), NRAND);
    for (int q = 0; q < 20000; q++) {
        uint32_t a = (52u << 24) | ((uint32_t)rnd() & 0x00ff0fffu);
        struct cm_ip ip = {CM_IP_V4,
                           {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a}};
        struct cm_aws_claim c;
        unsigned best = 0;
        bool found = false, specific = false;
        size_t claims = 0;

        for (size_t i = 0; i < NRAND; i++) {
            uint32_t m = mask_of(ents[i].len);
            if ((a & m) == ents[i].net && (!found || ents[i].len >= best)) {
                if (!found || ents[i].len > best) {
                    specific = false;
                }
                found = true;
                best = ents[i].len;
                specific = specific || ents[i].svc != 0;
            }
        }
        for (size_t i = 0; i < NRAND; i++) {
            uint32_t m = mask_of(ents[i].len);
            claims += (a & m) == ents[i].net;
        }
        assert_int_equal(cm_awsranges_lookup(r, &ip, &c), found);
        if (!found) {
            continue;
        }
        assert_int_equal(c.prefix, best);
        assert_int_equal(!cm_str_eqc(c.service, "AMAZON"), specific);
        /* lookup_all counts distinct (prefix, pair) claims: at most the raw count. */
        size_t n = cm_awsranges_lookup_all(r, &ip, NULL, 0);
        assert_true(n >= 1 && n <= claims);
    }
    cm_awsranges_destroy(r);
    free(json);
    free(ents);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_inside_outside), cmocka_unit_test(test_fixture_lookup_all),
        cmocka_unit_test(test_fixture_meta_and_bad),   cmocka_unit_test(test_not_ip_ranges),
        cmocka_unit_test(test_random_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
