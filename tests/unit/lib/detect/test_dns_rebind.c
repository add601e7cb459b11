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
 * counting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/dns.h"
#include "detect/dns_reputation.h"
#include "parse/parse.h"

#define MAXD  64
#define T_REB "UnauthorizedAccess:EC2/MetadataDNSRebind"
#define HOUR  3600L
#define T0    1767607200L /* 2026-01-05T10:00:00Z */
#define IMDS4 "169.254.169.254"
#define IMDS6 "fd00:ec2::254"

struct got {
    char type[MAXD][64];
    char resource[MAXD][32];
    char info[MAXD][384];
    uint32_t count[MAXD];
    int64_t first_ms[MAXD], time_ms[MAXD];
    size_t n;
};

struct run {
    struct cm_engine *engine;
    struct cm_sink sink;
    struct got got;
    struct cm_state_stats stats;
};

static struct cm_dns_rebind_tuning tuning;

static int tuned_init(void **state, const struct cm_detect_opts *opts)
{
    return cm_dns_rebind_init(state, opts, &tuning);
}

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct got *g = &((struct run *)sink->ud)->got;
    size_t n;

    assert_true(g->n < MAXD);
    snprintf(g->type[g->n], sizeof(g->type[0]), "%s", d->type);
    n = d->resource_id.len < sizeof(g->resource[0]) - 1 ? d->resource_id.len
                                                        : sizeof(g->resource[0]) - 1;
    memcpy(g->resource[g->n], d->resource_id.p, n);
    g->resource[g->n][n] = '\0';
    assert_true(cm_str_present(d->info) && d->info.len < sizeof(g->info[0]));
    memcpy(g->info[g->n], d->info.p, d->info.len);
    g->info[g->n][d->info.len] = '\0';
    g->count[g->n] = d->count;
    g->first_ms[g->n] = d->first_ms;
    g->time_ms[g->n] = d->time_ms;
    assert_int_equal(d->resource_type, CM_RES_INSTANCE);
    assert_int_equal(d->direction, CM_DDIR_OUTBOUND);
    assert_true(d->severity == 0.0);
    assert_non_null(d->event);
    g->n++;
    return 0;
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct run *r = ud;

    return cm_engine_event(r->engine, ev, &r->sink);
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud;
    (void)kind;
    (void)off;
    fail_msg("record rejected at line %u: %s", (unsigned)line, reason);
}

static char text[1 << 18];
static size_t text_len;

/*
 * Appends a query at T0 + at seconds from instance (NULL: an on-premises
 * client) for name, of type qtype, with answers (a JSON array text).
 */
static void qt(long at, const char *instance, const char *name, const char *qtype,
               const char *answers)
{
    char ts[96], srcids[96] = "{}";
    long t = T0 + at;
    int n;

    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (instance) {
        snprintf(srcids, sizeof(srcids), "{\"instance\":\"%s\"}", instance);
    }
    n = snprintf(text + text_len, sizeof(text) - text_len,
                 "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":"
                 "\"us-east-1\",\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"%s\","
                 "\"query_name\":\"%s.\",\"query_type\":\"%s\",\"query_class\":\"IN\",\"rcode\":"
                 "\"NOERROR\",\"answers\":%s,\"srcaddr\":\"10.0.0.5\",\"srcport\":\"5353\","
                 "\"transport\":\"UDP\",\"srcids\":%s}\n",
                 ts, name, qtype, answers, srcids);
    assert_true(n > 0 && (size_t)n < sizeof(text) - text_len);
    text_len += (size_t)n;
}

/* One answer record of type. */
static const char *ans(const char *type, const char *rdata)
{
    static char buf[8][160];
    static int k;

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "[{\"Rdata\":\"%s\",\"Type\":\"%s\",\"Class\":\"IN\"}]", rdata,
             type);
    return buf[k];
}

static void q(long at, const char *instance, const char *name, const char *answer)
{
    qt(at, instance, name, strchr(answer, ':') ? "AAAA" : "A",
       ans(strchr(answer, ':') ? "AAAA" : "A", answer));
}

static void run(struct run *r)
{
    static struct cm_detector det;
    const struct cm_detector *const table[] = {&det, NULL};
    struct cm_detect_opts o;
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    const struct cm_parser *ps = cm_parser_by_name("dns");

    det = cm_detector_dns_rebind;
    det.init = tuned_init;
    memset(r, 0, sizeof(*r));
    memset(&o, 0, sizeof(o));
    o.seed = 11;
    r->sink.emit = collect;
    r->sink.ud = r;
    assert_int_equal(cm_engine_create(&r->engine, table, &o), 0);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = r;
    assert_int_equal(ps->parse(&ctx, text, text_len), 0);
    assert_int_equal(cm_engine_flush(r->engine, &r->sink), 0);
    cm_engine_state_stats(r->engine, &r->stats);
    cm_engine_destroy(r->engine);
    cm_json_doc_finish(&doc);
    text_len = 0;
}

static void test_fires(void **state)
{
    struct run r;

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
    assert_int_equal(r.got.n, 5);
    for (size_t i = 0; i < r.got.n; i++) {
        struct cm_json_doc doc;

        assert_string_equal(r.got.type[i], T_REB);
        assert_int_equal(r.got.count[i], 1);
        cm_json_doc_init(&doc, 0, 0);
        assert_int_equal(cm_json_parse(&doc, r.got.info[i], strlen(r.got.info[i]), NULL), 0);
        cm_json_doc_finish(&doc);
    }
    assert_string_equal(r.got.resource[0], "i-0a");
    assert_string_equal(r.got.info[0],
                        "{\"domain\":\"169.254.169.254.nip.io\",\"answer\":\"169.254.169.254\"}");
    assert_string_equal(r.got.resource[1], "i-0b");
    assert_non_null(strstr(r.got.info[1], "\"domain\":\"rebind.attacker.example\""));
    assert_string_equal(r.got.resource[2], "i-0c");
    assert_non_null(strstr(r.got.info[2], "\"answer\":\"fd00:ec2::254\""));
    assert_string_equal(r.got.resource[3], "i-0d");
    assert_string_equal(r.got.resource[4], "i-0e");
}

static void test_near_misses(void **state)
{
    struct run r;
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
    qt(20, "i-0a", "txt.attacker.example", "TXT", ans("TXT", IMDS4));
    qt(21, "i-0a", "cname.attacker.example", "A", ans("CNAME", "169.254.169.254.nip.io."));
    qt(22, "i-0a", "junk.attacker.example", "A", ans("A", "999.254.169.254"));
    /* Look-alikes of the AWS names are not AWS's. */
    q(30, "i-0b", "instance-data-evil.example", IMDS4);
    q(31, "i-0b", "ec2.internal.attacker.example", IMDS4);
    q(32, "i-0b", "notec2.internal", IMDS4);
    /* An on-premises client through the inbound endpoint: no instance to report. */
    q(40, NULL, "onprem.attacker.example", IMDS4);
    /* No answers. */
    qt(41, "i-0a", "empty.attacker.example", "A", "[]");
    run(&r);
    /* Only the three look-alikes. */
    assert_int_equal(r.got.n, 3);
    for (size_t i = 0; i < r.got.n; i++) {
        assert_string_equal(r.got.resource[i], "i-0b");
    }
    assert_non_null(strstr(r.got.info[0], "instance-data-evil.example"));
    assert_non_null(strstr(r.got.info[1], "ec2.internal.attacker.example"));
    assert_non_null(strstr(r.got.info[2], "notec2.internal"));
}

static void test_rate_limit(void **state)
{
    struct run r;

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
    assert_int_equal(r.got.n, 4);
    assert_string_equal(r.got.resource[0], "i-0a");
    assert_int_equal(r.got.count[0], 1);
    assert_string_equal(r.got.resource[1], "i-0b");
    assert_non_null(strstr(r.got.info[2], "other.attacker.example"));
    assert_int_equal(r.got.count[3], 4);
    assert_true(r.got.first_ms[3] == (T0 + 600) * 1000LL);
    assert_true(r.got.time_ms[3] == (T0 + 3600) * 1000LL);
}

static void test_out_of_order(void **state)
{
    struct run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    q(1000, "i-0a", "rebind.attacker.example", IMDS4);
    q(400, "i-0a", "rebind.attacker.example", IMDS4); /* late, inside the hour */
    q(700, "i-0a", "rebind.attacker.example", IMDS4);
    q(4700, "i-0a", "rebind.attacker.example", IMDS4);
    run(&r);
    assert_int_equal(r.got.n, 2);
    assert_int_equal(r.got.count[1], 3);
    assert_true(r.got.first_ms[1] == (T0 + 400) * 1000LL);
}

static void test_eviction(void **state)
{
    struct run r;
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
    assert_int_equal(r.got.n, 11);
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
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xcompute.internal"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, NULL));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("a.example.com"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, NULL));
    assert_true(cm_dns_rebind_aws_name(&d, allowed));
    assert_int_equal(cm_domain_parse(CM_STR_LIT("aexample.com"), &d), 0);
    assert_false(cm_dns_rebind_aws_name(&d, allowed));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fires),      cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_rate_limit), cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_eviction),   cmocka_unit_test(test_aws_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
