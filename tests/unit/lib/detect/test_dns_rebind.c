/*
 * UnauthorizedAccess:EC2/MetadataDNSRebind (lib/detect/dns_rebind.c) end
 * to end at the library level: Route 53 Resolver records in the real log
 * format go through the real parser into an engine holding this detector
 * alone. Checked: the metadata address as a direct A answer, at the end of a
 * CNAME chain, as AAAA fd00:ec2::254 and IPv4-mapped; AWS's own names and
 * allowed names stay quiet; the other link-local service addresses (VPC
 * resolver, Time Sync, ECS task metadata) and non-address records are near
 * misses; no instance, no finding; once per (instance, name) per hour with
 * the count of the queries in between; late records; memcap eviction
 * counting. Last, regressions of bugs a review found: every spelling of
 * the address, capitals included, and a report window over INT64_MAX / 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/detect.h"
#include "detect/dns.h"
#include "detect/dns_reputation.h"

#include "dns_fixture.h"

#define T_REB "UnauthorizedAccess:EC2/MetadataDNSRebind"
#define HOUR  3600L
#define T0    1767607200L /* 2026-01-05T10:00:00Z */
#define IMDS4 "169.254.169.254"
#define IMDS6 "fd00:ec2::254"

/*
 * Appends a query at T0 + at seconds from instance (NULL: an on-premises
 * client) for name, of type qtype, with answers (a JSON array text).
 */
static void qt(long at, const char *instance, const char *name, const char *qtype,
               const char *answers)
{
    dnsfx_add(&(struct dnsfx_query){
        .t = T0 + at, .instance = instance, .name = name, .qtype = qtype, .answers = answers});
}

/* Appends an A query answered with the address answer (AAAA for an IPv6 one). */
static void q(long at, const char *instance, const char *name, const char *answer)
{
    qt(at, instance, name, strchr(answer, ':') ? "AAAA" : "A",
       dnsfx_answer(strchr(answer, ':') ? "AAAA" : "A", answer));
}

/* The tuning of the next run; each test sets it. */
static struct cm_dns_rebind_tuning tuning;

/* Runs the records, then drops them. */
static void run(struct dnsfx_run *r)
{
    const struct cm_dns_tunings dns = {.rebind = tuning};

    dnsfx_run(r, &cm_detector_dns_rebind, &(struct dnsfx_opts){.seed = 11, .dns = &dns});
    dnsfx_reset();
}

static void test_fires(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    q(0, "i-0a", "169.254.169.254.nip.io", IMDS4);
    qt(10, "i-0b", "rebind.attacker.example", "A",
       "[{\"Rdata\":\"hop.attacker.example.\",\"Type\":\"CNAME\",\"Class\":\"IN\"},"
       "{\"Rdata\":\"169.254.169.254\",\"Type\":\"A\",\"Class\":\"IN\"}]");
    q(20, "i-0c", "v6.attacker.example", IMDS6);
    q(30, "i-0d", "mapped.attacker.example", "::ffff:169.254.169.254");
    q(40, "i-0e", "mapped-hex.attacker.example", "::ffff:a9fe:a9fe");
    /* Upper-case names are one name. */
    q(50, "i-0a", "169.254.169.254.NIP.IO", IMDS4);
    run(&r);
    assert_int_equal(r.n, 6); /* the five, and i-0a's repeat when its entry expires */
    for (size_t i = 0; i < r.n; i++) {
        assert_string_equal(r.d[i].type, T_REB);
        assert_int_equal(r.d[i].count, 1);
        dnsfx_info_json(r.d[i].info);
    }
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_string_equal(r.d[0].info,
                        "{\"domain\":\"169.254.169.254.nip.io\",\"answer\":\"169.254.169.254\"}");
    assert_string_equal(r.d[1].resource, "i-0b");
    assert_non_null(strstr(r.d[1].info, "\"domain\":\"rebind.attacker.example\""));
    assert_string_equal(r.d[2].resource, "i-0c");
    assert_non_null(strstr(r.d[2].info, "\"answer\":\"fd00:ec2::254\""));
    assert_string_equal(r.d[3].resource, "i-0d");
    assert_string_equal(r.d[4].resource, "i-0e");
    assert_string_equal(r.d[5].resource, "i-0a");
    assert_true(r.d[5].time_ms == (T0 + 50) * 1000LL);
    assert_string_equal(r.d[5].info,
                        "{\"domain\":\"169.254.169.254.nip.io\",\"answer\":\"169.254.169.254\"}");
}

static void test_near_misses(void **state)
{
    struct dnsfx_run r;
    static const char *const allowed[] = {"imds.corp.example.", NULL};

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.allowed = allowed;
    /* AWS's own names for the metadata service. */
    q(0, "i-0a", "instance-data", IMDS4);
    q(1, "i-0a", "instance-data.ec2.internal", IMDS4);
    q(2, "i-0a", "instance-data.eu-west-1.compute.internal", IMDS4);
    q(3, "i-0a", "instance-data.us-east-1.compute.internal", IMDS6);
    q(4, "i-0a", "something.ec2.internal", IMDS4);
    /* An allowed name and a name under it. */
    q(5, "i-0a", "imds.corp.example", IMDS4);
    q(6, "i-0a", "a.IMDS.corp.example", IMDS4);
    /* The other link-local services, and addresses next to the metadata one. */
    q(10, "i-0a", "resolver.attacker.example", "169.254.169.253");
    q(11, "i-0a", "ntp.attacker.example", "169.254.169.123");
    q(12, "i-0a", "ecs.attacker.example", "169.254.170.2");
    q(13, "i-0a", "v6resolver.attacker.example", "fd00:ec2::253");
    q(14, "i-0a", "v6ntp.attacker.example", "fd00:ec2::123");
    q(15, "i-0a", "near.attacker.example", "169.254.169.25");
    q(16, "i-0a", "near2.attacker.example", "169.254.168.254");
    q(17, "i-0a", "public.attacker.example", "198.51.100.254");
    /* The address as text in a TXT record, as a CNAME's name, or not an address at all. */
    qt(20, "i-0a", "txt.attacker.example", "TXT", dnsfx_answer("TXT", IMDS4));
    qt(21, "i-0a", "cname.attacker.example", "A", dnsfx_answer("CNAME", "169.254.169.254.nip.io."));
    qt(22, "i-0a", "junk.attacker.example", "A", dnsfx_answer("A", "999.254.169.254"));
    /* Look-alikes of the AWS names are not AWS's. */
    q(30, "i-0b", "instance-data-evil.example", IMDS4);
    q(31, "i-0b", "ec2.internal.attacker.example", IMDS4);
    q(32, "i-0b", "notec2.internal", IMDS4);
    /* instance-data under a domain that is not an EC2 zone: an attacker's name. */
    q(33, "i-0b", "instance-data.attacker.example", IMDS4);
    /* An on-premises client through the inbound endpoint: no instance to report. */
    q(40, NULL, "onprem.attacker.example", IMDS4);
    /* No answers. */
    qt(41, "i-0a", "empty.attacker.example", "A", "[]");
    run(&r);
    /* Only the four look-alikes. */
    assert_int_equal(r.n, 4);
    for (size_t i = 0; i < r.n; i++) {
        assert_string_equal(r.d[i].resource, "i-0b");
    }
    assert_non_null(strstr(r.d[0].info, "instance-data-evil.example"));
    assert_non_null(strstr(r.d[1].info, "ec2.internal.attacker.example"));
    assert_non_null(strstr(r.d[2].info, "notec2.internal"));
    assert_non_null(strstr(r.d[3].info, "instance-data.attacker.example"));
}

static void test_rate_limit(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    /* Four queries in the hour: one detection; the fifth, past the hour, carries four. */
    q(0, "i-0a", "rebind.attacker.example", IMDS4);
    q(10, "i-0b", "rebind.attacker.example", IMDS4); /* its own (instance, name) */
    q(600, "i-0a", "rebind.attacker.example", IMDS4);
    q(1200, "i-0a", "other.attacker.example", IMDS4); /* another name: its own */
    q(1800, "i-0a", "rebind.attacker.example", IMDS4);
    q(2400, "i-0a", "rebind.attacker.example", IMDS4);
    q(3600, "i-0a", "rebind.attacker.example", IMDS4);
    q(3601, "i-0a", "rebind.attacker.example", IMDS4);
    run(&r);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_int_equal(r.d[0].count, 1);
    assert_string_equal(r.d[1].resource, "i-0b");
    assert_non_null(strstr(r.d[2].info, "other.attacker.example"));
    assert_int_equal(r.d[3].count, 4);
    assert_true(r.d[3].first_ms == (T0 + 600) * 1000LL);
    assert_true(r.d[3].time_ms == (T0 + 3600) * 1000LL);
    /* The query a second later, in the new report hour: when the entry expires. */
    assert_int_equal(r.d[4].count, 1);
    assert_true(r.d[4].time_ms == (T0 + 3601) * 1000LL);
}

/*
 * Bug: the queries of a pair after its last report were reported only with a
 * query an hour or more later; a rebinding attempt is a burst (a DNS-rebinding
 * name alternates its answers, the SSRF retries until the metadata address
 * comes back), so they were never counted: ten answers of the metadata
 * address in twenty seconds gave a finding of count 1. The pair now keeps its
 * last query and reports the rest from it when its entry expires.
 */
static void test_tail_at_expiry(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (int i = 0; i < 10; i++) {
        q(2 * i, "i-0a", "7f000001.a9fea9fe.RBNDR.us", IMDS4);
    }
    run(&r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[0].count, 1);
    assert_int_equal(r.d[1].count, 9);
    assert_string_equal(r.d[1].resource, "i-0a");
    assert_true(r.d[1].first_ms == (T0 + 2) * 1000LL);
    assert_true(r.d[1].time_ms == (T0 + 18) * 1000LL); /* built from the last of them */
    assert_string_equal(
        r.d[1].info, "{\"domain\":\"7f000001.a9fea9fe.rbndr.us\",\"answer\":\"169.254.169.254\"}");
}

static void test_out_of_order(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    q(1000, "i-0a", "rebind.attacker.example", IMDS4);
    q(400, "i-0a", "rebind.attacker.example", IMDS4); /* late, inside the hour */
    q(700, "i-0a", "rebind.attacker.example", IMDS4);
    q(4700, "i-0a", "rebind.attacker.example", IMDS4);
    run(&r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[1].count, 3);
    assert_true(r.d[1].first_ms == (T0 + 400) * 1000LL);
}

static void test_eviction(void **state)
{
    struct dnsfx_run r;
    char name[64];

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.max_entries = 4;
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "n%d.attacker.example", i);
        q(i, "i-0a", name, IMDS4);
    }
    /* n0 was evicted: its repeat within the hour reports again (early, never late). */
    q(100, "i-0a", "n0.attacker.example", IMDS4);
    run(&r);
    assert_int_equal(r.n, 11);
    assert_true(r.stats.evicted >= 7);
    assert_int_equal(r.stats.inserts, 11);
    assert_true(r.stats.peak_entries <= 4);
}

static void test_aws_names(void **state)
{
    struct cm_domain d;
    static const char *const allowed[] = {"Example.COM", NULL};

    (void)state;
    assert_int_equal(cm_domain_parse(CM_STR_LIT("instance-data."), &d), 0);
    assert_true(cm_dns_rebind_aws_name(&d, NULL));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("instance-data.ap-south-1.compute.internal"), &d),
                     0);
    assert_true(cm_dns_rebind_aws_name(&d, NULL));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("compute.internal"), &d), 0);
    assert_true(cm_dns_rebind_aws_name(&d, NULL));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("instance-datax"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, NULL));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("instance-data.attacker.example"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, NULL));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xcompute.internal"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, NULL));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("a.example.com"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, NULL));
    assert_true(cm_dns_rebind_aws_name(&d, allowed));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("aexample.com"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, allowed));
}

/* ---- regressions: each reproduces a bug the review found, now fixed ---- */

/*
 * Bug: the cheap pre-filter of the answers compared their tails with "254"
 * and "a9fe" case-sensitively, so the IPv4-mapped hexadecimal form of the
 * metadata address in capitals (::FFFF:A9FE:A9FE, which the address parser
 * accepts) was missed. Every spelling of the address fires.
 */
static void test_spellings(void **state)
{
    static const char *const imds[] = {
        "169.254.169.254",
        "fd00:ec2::254",
        "fd00:ec2:0:0:0:0:0:254",
        "FD00:EC2::254",
        "fd00:0ec2:0000:0000:0000:0000:0000:0254",
        "::ffff:169.254.169.254",
        "::FFFF:169.254.169.254",
        "::ffff:a9fe:a9fe",
        "0:0:0:0:0:ffff:a9fe:a9fe",
        "::FFFF:A9FE:A9FE",
        "::ffff:a9fe:A9FE",
        "::ffff:A9FE:a9Fe",
        "0:0:0:0:0:FFFF:A9FE:A9FE",
        /* The last 32 bits in dotted form, which no text pre-filter on "254" could see. */
        "fd00:ec2::0.0.2.84",
    };
    size_t n = sizeof(imds) / sizeof(imds[0]);
    struct dnsfx_run r;
    char name[64];

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "n%zu.attacker.example", i);
        q((long)i, "i-0a", name, imds[i]);
    }
    /* Near misses in capitals: the neighbours of the address. */
    q(100, "i-0a", "near1.attacker.example", "::FFFF:A9FE:A9FD");
    q(101, "i-0a", "near2.attacker.example", "FD00:EC2::253");
    run(&r);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        snprintf(name, sizeof(name), "\"domain\":\"n%zu.attacker.example\"", i);
        while (k < r.n && strstr(r.d[k].info, name) == NULL) {
            k++;
        }
        if (k == r.n) {
            fail_msg("%s: no detection", imds[i]);
        }
        dnsfx_info_json(r.d[k].info);
    }
    assert_int_equal(r.n, n);
}

/*
 * Bug: init computed the table's TTL as 2 * report_ms, a signed overflow
 * (undefined; UBSan traps it under make SANITIZE=1) for a report window over
 * INT64_MAX / 2. It saturates now, and the detector runs.
 */
static void test_large_report_ms(void **state)
{
    struct cm_dns_rebind_tuning t;
    struct dnsfx_run r;
    void *st = NULL;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.report_ms = INT64_MAX / 2 + 1;
    assert_int_equal(cm_dns_rebind_init(&st, NULL, &t), 0);
    assert_non_null(st);
    cm_detector_dns_rebind.finish(st);
    memset(&tuning, 0, sizeof(tuning));
    tuning.report_ms = INT64_MAX / 2 + 1;
    q(0, "i-0a", "rebind.attacker.example", IMDS4);
    q(2 * HOUR, "i-0a", "rebind.attacker.example", IMDS4); /* within the window */
    q(2 * HOUR + 1, "i-0b", "rebind.attacker.example", IMDS4);
    run(&r);
    assert_int_equal(r.n, 3); /* and i-0a's second query at the end of the input */
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_int_equal(r.d[0].count, 1);
    assert_string_equal(r.d[1].resource, "i-0b");
    assert_string_equal(r.d[2].resource, "i-0a");
    assert_int_equal(r.d[2].count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fires),           cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_rate_limit),      cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_tail_at_expiry),  cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_aws_names),       cmocka_unit_test(test_spellings),
        cmocka_unit_test(test_large_report_ms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
