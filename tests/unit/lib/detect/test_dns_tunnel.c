/*
 * The DNS tunnelling detector (lib/detect/dns_tunnel.c) end to end at the
 * library level: Route 53 Resolver query-log lines in the real format go
 * through the real parser into an engine holding only this detector, and
 * every detection is folded by the real aggregator, so the tests check what
 * GuardDuty shows (type, instance, severity, count) as well as the
 * detections themselves (count, first seen, additionalInfo).
 *
 * Covered: the name classifier on each encoding and on the host names that
 * look close (addresses in names, machine ids, attribute names, words); the
 * allow list, built-in and extra; the GuardDuty tester's ~930 queries; the
 * tools' shapes (dnscat2 hex, iodine base128, Saitama base36, Symbiote
 * counters over TXT, iodine's idle polls); near misses (seven names, one
 * name repeated, a slow trickle over hours, numbered hosts asked for
 * addresses, a DNS inventory scan, queries without an instance, allow-listed
 * DNSBL and anti-virus look-ups); registered domains from the Public
 * Suffix List (co.uk, duckdns.org); records out of order; the rate limit
 * and the counts across windows; eviction counted at the memcap; tuning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/dns.h"
#include "detect/dns_tunnel.h"
#include "finding/aggregate.h"
#include "finding/finding.h"
#include "parse/parse.h"

#define TYPE "Trojan:EC2/DNSDataExfiltration"
#define T0   1767607200LL /* 2026-01-05T10:00:00Z */
#define HOUR 3600LL
#define MAXD 64
#define I1   "i-0a1b2c3d4e5f60718"
#define I2   "i-0b2c3d4e5f6071829"

/* ---- what came out ---- */

struct det {
    char resource[32];
    char info[640];
    uint32_t count;
    int64_t first_ms, time_ms;
    double severity;
};

struct run {
    struct cm_engine *engine;
    struct cm_sink sink;
    struct cm_agg *agg;
    struct det d[MAXD];
    size_t n;
    struct cm_state_stats stats;
};

static void copy(char *dst, size_t cap, struct cm_str s)
{
    size_t n = s.p && s.len < cap - 1 ? s.len : (s.p ? cap - 1 : 0);

    if (n) {
        memcpy(dst, s.p, n);
    }
    dst[n] = '\0';
}

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct run *r = sink->ud;
    struct cm_finding_ctx ctx = {.detector_id = "det"};
    struct det *o;

    assert_true(r->n < MAXD);
    assert_string_equal(d->type, TYPE);
    assert_int_equal(d->resource_type, CM_RES_INSTANCE);
    assert_non_null(d->event); /* the current event, as the rules say */
    assert_int_equal(d->event->kind, CM_EV_DNS);
    assert_true(d->count >= 1);
    assert_true(d->first_ms <= d->time_ms);
    o = &r->d[r->n++];
    memset(o, 0, sizeof(*o));
    copy(o->resource, sizeof(o->resource), d->resource_id);
    copy(o->info, sizeof(o->info), d->info);
    o->count = d->count;
    o->first_ms = d->first_ms;
    o->time_ms = d->time_ms;
    o->severity = d->severity;
    assert_int_equal(cm_agg_add(r->agg, &ctx, d, NULL, NULL), 0);
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

/* The tuning of the next engine; the test detector's init() reads it. */
static const struct cm_dns_tunnel_tuning *tuning;

static int tuned_init(void **state, const struct cm_detect_opts *opts)
{
    return cm_dns_tunnel_init(state, opts, tuning);
}

/* ---- records ---- */

static char text[4 << 20];
static size_t tlen;

static void reset(void)
{
    tlen = 0;
    text[0] = '\0';
}

/* Appends one query-log line: name as logged (a dot is added), asked by instance (NULL: none). */
static void q(int64_t t, const char *name, const char *qtype, const char *instance)
{
    char ts[32], srcids[96] = "{}", esc[1024];
    time_t tt = (time_t)t;
    struct tm tm;
    size_t k = 0;
    int n;

    gmtime_r(&tt, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (const char *p = name; *p && k + 3 < sizeof(esc); p++) {
        if (*p == '"' || *p == '\\') {
            esc[k++] = '\\';
        }
        esc[k++] = *p;
    }
    esc[k] = '\0';
    if (instance) {
        snprintf(srcids, sizeof(srcids), "{\"instance\":\"%s\"}", instance);
    }
    n = snprintf(text + tlen, sizeof(text) - tlen,
                 "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":"
                 "\"us-east-1\",\"vpc_id\":\"vpc-7example\",\"query_timestamp\":\"%s\","
                 "\"query_name\":\"%s.\",\"query_type\":\"%s\",\"query_class\":\"IN\","
                 "\"rcode\":\"NOERROR\",\"answers\":[],\"srcaddr\":\"10.0.1.14\",\"srcport\":"
                 "\"56067\",\"transport\":\"UDP\",\"srcids\":%s}\n",
                 ts, esc, qtype, srcids);
    assert_true(n > 0 && (size_t)n < sizeof(text) - tlen);
    tlen += (size_t)n;
}

/* A deterministic string of n characters from alphabet, for stream s and item i. */
static void rnd(char *out, size_t n, const char *alphabet, uint64_t s, uint64_t i)
{
    uint64_t x = s * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL + 1;
    size_t m = strlen(alphabet);

    for (size_t k = 0; k < n; k++) {
        x ^= x >> 31;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 29;
        out[k] = alphabet[(x >> 11) % m];
    }
    out[n] = '\0';
}

#define HEX    "0123456789abcdef"
#define B32    "abcdefghijklmnopqrstuvwxyz234567"
#define B36    "abcdefghijklmnopqrstuvwxyz0123456789"
#define B64ISH "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* ---- running ---- */

static void run_text(struct run *r, const struct cm_dns_tunnel_tuning *t)
{
    struct cm_detector tuned = cm_detector_dns_tunnel;
    const struct cm_detector *table[] = {&tuned, NULL};
    struct cm_detect_opts o;
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    const struct cm_parser *ps = cm_parser_by_name("dns");

    memset(r, 0, sizeof(*r));
    memset(&o, 0, sizeof(o));
    o.seed = 7;
    o.lateness_ms = 5 * 60 * 1000;
    tuned.init = tuned_init;
    tuning = t;
    r->sink.emit = collect;
    r->sink.ud = r;
    assert_non_null(ps);
    assert_int_equal(cm_agg_create(&r->agg, 0, 1), 0);
    assert_int_equal(cm_engine_create(&r->engine, table, &o), 0);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = r;
    assert_int_equal(ps->parse(&ctx, text, tlen), 0);
    assert_int_equal(cm_engine_flush(r->engine, &r->sink), 0);
    cm_engine_state_stats(r->engine, &r->stats);
    cm_engine_destroy(r->engine);
    r->engine = NULL;
    cm_json_doc_finish(&doc);
}

static void done(struct run *r)
{
    cm_agg_destroy(r->agg);
    r->agg = NULL;
}

/* The one aggregated finding on instance. */
static const struct cm_finding *finding(const struct run *r, const char *instance)
{
    const struct cm_finding *got = NULL;

    for (size_t i = 0; i < cm_agg_stats(r->agg)->findings; i++) {
        const struct cm_finding *f = cm_agg_at(r->agg, i);

        if (cm_str_eqc(f->instance.instance_id, instance)) {
            assert_null(got);
            got = f;
        }
    }
    if (got == NULL) {
        fail_msg("no finding on %s", instance);
    }
    assert_true(cm_str_eqc(got->type, TYPE));
    return got;
}

/* The integer value of "key": in an additionalInfo text, or -1. */
static long info_num(const char *info, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    p = strstr(info, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

/* The string value of "key" in an additionalInfo text, into out. */
static const char *info_str(const char *info, const char *key, char *out, size_t cap)
{
    char pat[64];
    const char *p, *e;

    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    out[0] = '\0';
    if ((p = strstr(info, pat)) == NULL) {
        return out;
    }
    p += strlen(pat);
    e = strchr(p, '"');
    snprintf(out, cap, "%.*s", (int)(e ? e - p : 0), p);
    return out;
}

/* ---- the classifier ---- */

static enum cm_dns_encoding shape(const char *sub, struct cm_dns_name_shape *s)
{
    return cm_dns_tunnel_shape(cm_str_cstr(sub), 10, s);
}

static void test_shape_encodings(void **state)
{
    struct cm_dns_name_shape s;
    char a[80], b[80], name[200];

    (void)state;
    /* dnscat2: hex, whole names of it */
    assert_int_equal(shape("528403a869000000004777438fb4330ea5b447328f28ec2058b7738ef278."
                           "866d2f2c41ba1c1533deba648752fc564bd104b78d41316fe2af04f34cb4",
                           &s),
                     CM_DNS_ENC_HEX);
    assert_int_equal(s.chars, 120);
    assert_int_equal(s.longest, 60);
    assert_int_equal(s.bits, 480);
    assert_true(s.entropy > 3.5 && s.entropy <= 4.0);
    assert_int_equal(shape("932301f80c50666e88", &s), CM_DNS_ENC_HEX); /* a poll, 18 hex */
    /* base64 and its variants: mixed case, '+', '/', '=', escaped bytes */
    assert_int_equal(shape("q+Z8AnwaBA", &s), CM_DNS_ENC_BASE64);
    assert_int_equal(s.bits, 60);
    assert_int_equal(shape("0i4a6jIrSL5cEXy59kxGkO7cmGvTuSGSc5JPYYJnfKKPd-AxwKjBq", &s),
                     CM_DNS_ENC_BASE64);
    assert_int_equal(shape("0nfaxJRwOBUG\\226\\188W4QXS", &s), CM_DNS_ENC_BASE64);
    rnd(a, 60, B64ISH, 1, 1);
    rnd(b, 30, B64ISH, 1, 2);
    snprintf(name, sizeof(name), "%s.%s", a, b);
    assert_int_equal(shape(name, &s), CM_DNS_ENC_BASE64); /* the GuardDuty tester */
    assert_true(s.entropy > 5.0);
    /* base32/36: Saitama, iodine's base32 */
    assert_int_equal(shape("q0ki8ilkp050jommmxbdpzfnny8ck", &s), CM_DNS_ENC_BASE32);
    assert_int_equal(s.bits, 29 * 5);
    assert_int_equal(shape("lagr1t2ay1pm0iqb5eqidmyr35etseoi", &s), CM_DNS_ENC_BASE32);
    /* decimal counters (Symbiote) */
    assert_int_equal(shape("449.172209439.x4206", &s), CM_DNS_ENC_DIGITS);
    assert_int_equal(s.chars, 17);
    /* ... which is also what a numbered host looks like: the detector asks the record type */
    assert_int_equal(shape("u12345678.ct", &s), CM_DNS_ENC_DIGITS);
    /* a random run wins over a digit count */
    assert_int_equal(shape("1uv75ff8u1120oxysm1n9o625ax72", &s), CM_DNS_ENC_BASE32);
    assert_string_equal(cm_dns_encoding_name(CM_DNS_ENC_DIGITS), "digits");
    assert_string_equal(cm_dns_encoding_name(CM_DNS_ENC_HEX), "hex");
    assert_string_equal(cm_dns_encoding_name((enum cm_dns_encoding)99), "none");
}

static void test_shape_host_names(void **state)
{
    static const char *const hosts[] = {
        "www",
        "api.eu-west-1",
        "ssm.us-east-1",
        "ip-10-0-1-14",                            /* an address: EC2 host names */
        "c-73-12-34-56.hsd1.ca",                   /* FCrDNS of a cable customer */
        "ec2-54-210-10-20.compute-1",              /* ... of an EC2 address */
        "dsl-187-161-212-97-dyn.prod-infinitum",   /* ... dashed, with words around it */
        "mail-dm6nam11on2093.outbound.protection", /* Outlook's outbound hosts */
        "ghs-svc-https-c902.ghs-ssl",              /* Google-hosted sites */
        "rr3---sn-ab5l6nzr",                       /* googlevideo cache nodes */
        "www.mountainsportsclub-discountskiandsnowboardlifttickets.com.ghs",
        "kadykchanskiy", /* a blog name without many vowels */
        "cluster0-shard-00-01.ab1cd",
        "WIN-7H3K2L1.corp",                                 /* one capitalised label */
        "_acme-challenge.www",                              /* attribute names are not judged... */
        "_3639ac514e785e898d2646601fa951d5.www",            /* ACM validation */
        "2eaa8b19-527c-cadf-3693-219a63e20f91._msdcs.corp", /* AD DC GUID */
        "ug7nbtf4gsif3ssvj7zmvqqg3ivbthxm._domainkey",      /* an SES DKIM selector */
        "abc",
        "",
    };
    struct cm_dns_name_shape s;

    (void)state;
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        if (shape(hosts[i], &s) != CM_DNS_ENC_NONE) {
            fail_msg("%s: judged %s", hosts[i], cm_dns_encoding_name(s.enc));
        }
        assert_int_equal(s.bits, 0);
    }
    /* The judged part of an attribute name is what is right of the '_' label. */
    shape("ug7nbtf4gsif3ssvj7zmvqqg3ivbthxm._domainkey.mail", &s);
    assert_int_equal(s.chars, 4);
    /* ... and an encoded name right of it is still judged. */
    assert_int_equal(shape("_x.932301f80c50666e88", &s), CM_DNS_ENC_HEX);
    /* A minimum of characters (the tuning's min_chars). */
    assert_int_equal(cm_dns_tunnel_shape(cm_str_cstr("932301f80c50666e88"), 20, &s),
                     CM_DNS_ENC_NONE);
    assert_int_equal(s.chars, 18);
    assert_int_equal(cm_dns_tunnel_shape(CM_STR_NULL, 10, &s), CM_DNS_ENC_NONE);
}

static void test_allowed(void **state)
{
    const struct cm_str extra[] = {CM_STR_LIT("Corp-Tools.example."), CM_STR_LIT("hash.io")};
    size_t n;
    const char *const *list = cm_dns_tunnel_allowlist(&n);

    (void)state;
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        assert_true(cm_dns_tunnel_allowed(cm_str_cstr(list[i]), NULL, 0));
    }
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("4.3.2.1.zen.spamhaus.org."), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("4.3.2.1.ZEN.SpamHaus.ORG"), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("1.0.0.10.in-addr.arpa."), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("ip-10-0-1-14.ec2.internal."), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("vpce-0a1b2c-x.s3.us-east-1.vpce.amazonaws.com"),
                                      NULL, 0));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("notspamhaus.org."), NULL, 0));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("spamhaus.org.evil.com."), NULL, 0));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("x.tools.example."), extra, 2));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("a1b2.corp-tools.example."), extra, 2));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("hash.io"), extra, 2));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("xhash.io"), extra, 2));
    assert_false(cm_dns_tunnel_allowed(CM_STR_NULL, extra, 2));
}

/* ---- the detector ---- */

/* The GuardDuty tester: 929 names of ~60 + ~30 base64ish characters under its C&C domain. */
static void test_guardduty_tester(void **state)
{
    char a[64], b[40], name[160], dom[64];
    const struct cm_finding *f;
    struct run r;

    (void)state;
    reset();
    q(T0 - 60, "www.example.com", "A", I1); /* something else the instance asks */
    for (int i = 0; i < 929; i++) {
        rnd(a, 60, B64ISH, 3, (uint64_t)i);
        rnd(b, 30, B64ISH, 4, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.%s.guarddutyc2activityb.com", a, b);
        q(T0 + i / 10, name, "A", I1);
    }
    run_text(&r, NULL);
    /* Six names of 90 characters carry 405 bytes: the "long names" rule fires first. */
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, I1);
    assert_int_equal(r.d[0].count, 6);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_true(r.d[0].severity == 0.0); /* the type's default: High 8 */
    assert_string_equal(info_str(r.d[0].info, "domain", dom, sizeof(dom)),
                        "guarddutyc2activityb.com");
    assert_int_equal(info_num(r.d[0].info, "uniqueSubdomains"), 6);
    assert_int_equal(info_num(r.d[0].info, "bytes"), 405);
    assert_int_equal(info_num(r.d[0].info, "longestLabel"), 60);
    assert_string_equal(info_str(r.d[0].info, "encoding", dom, sizeof(dom)), "base64");
    assert_non_null(strstr(r.d[0].info, "\"queryTypes\":{\"A\":6}"));
    assert_non_null(strstr(r.d[0].info, "\"windowSeconds\":3600"));
    f = finding(&r, I1);
    assert_true(f->severity == 8.0);
    assert_int_equal(f->count, 6);
    assert_int_equal(r.stats.inserts, 1);
    done(&r);

    /* The same an hour and more later: the second detection carries the rest. */
    for (int i = 0; i < 8; i++) {
        rnd(a, 60, B64ISH, 3, (uint64_t)(1000 + i));
        snprintf(name, sizeof(name), "%s.x.guarddutyc2activityb.com", a);
        q(T0 + HOUR + 60 + i, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[1].count, 929 - 6 + 8);
    assert_int_equal(r.d[1].first_ms, (T0 + 0) * 1000);             /* the first not yet reported */
    assert_int_equal(info_num(r.d[1].info, "uniqueSubdomains"), 8); /* the new window's */
    assert_non_null(strstr(r.d[1].info, "\"queryTypes\":{\"TXT\":8}"));
    f = finding(&r, I1);
    assert_int_equal(f->count, 929 + 8);
    done(&r);
}

/* dnscat2-like hex names: fires at the eighth distinct name; seven do not. */
static void test_many_names(void **state)
{
    char h[64], name[128];
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 7; i++) { /* seven distinct 34-hex names: 119 bytes, under both rules */
        rnd(h, 34, HEX, 5, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.hacker-dnscat.com", h);
        q(T0 + i * 60, name, "CNAME", I1);
        q(T0 + i * 60 + 1, name, "MX", I1); /* repeats are not new names */
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.stats.inserts, 1);
    done(&r);

    rnd(h, 34, HEX, 5, 7);
    snprintf(name, sizeof(name), "%s.hacker-dnscat.com", h);
    q(T0 + 600, name, "TXT", I1); /* the eighth: 8 x 34 x 4 bits = 136 bytes: not enough */
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    done(&r);

    for (int i = 8; i < 12; i++) { /* four more: 12 names, 204 bytes */
        rnd(h, 34, HEX, 5, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.hacker-dnscat.com", h);
        q(T0 + 700 + i, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.d[0].count, 7 * 2 + 1 + 4);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_int_equal(info_num(r.d[0].info, "uniqueSubdomains"), 12);
    assert_int_equal(info_num(r.d[0].info, "queries"), 19);
    assert_int_equal(info_num(r.d[0].info, "bytes"), 204);
    assert_non_null(strstr(r.d[0].info, "\"encoding\":\"hex\""));
    assert_non_null(strstr(r.d[0].info, "\"CNAME\":7,\"MX\":7"));
    done(&r);
}

/* Saitama: base36 names, slowly, under three domains; the slowest domain still fires. */
static void test_slow_base36(void **state)
{
    char s[40], name[96];
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 36; i++) {
        static const char *const doms[] = {"uber-asia.com", "asiaworldremit.com",
                                           "joexpediagroup.com"};

        rnd(s, 29, B36, 6, (uint64_t)i);
        s[3] = '7'; /* digits strewn among letters, as base36 has them */
        s[11] = '2';
        s[20] = '9';
        snprintf(name, sizeof(name), "%s.%s", s, doms[i % 3]);
        q(T0 + i * 66, name, "A", I2); /* 36 queries over 40 minutes */
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 3); /* one per domain: 12 names of 29 characters, 217 bytes each */
    for (size_t i = 0; i < r.n; i++) {
        assert_string_equal(r.d[i].resource, I2);
        assert_int_equal(r.d[i].count, 12);
        assert_int_equal(info_num(r.d[i].info, "bytes"), 12 * 29 * 5 / 8);
        assert_non_null(strstr(r.d[i].info, "\"encoding\":\"base32\""));
    }
    assert_int_equal(finding(&r, I2)->count, 36); /* one finding per instance */
    done(&r);

    /* The same trickle at one name every ten minutes: never 8 in an hour. */
    reset();
    for (int i = 0; i < 30; i++) {
        rnd(s, 29, B36, 6, (uint64_t)i);
        s[3] = '7';
        s[11] = '2';
        s[20] = '9';
        snprintf(name, sizeof(name), "%s.uber-asia.com", s);
        q(T0 + i * 600, name, "A", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    done(&r);
}

/* Symbiote: counter names over TXT fire; the same shape asked for addresses is hosts. */
static void test_digits(void **state)
{
    char name[96];
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 120; i++) {
        snprintf(name, sizeof(name), "%d.172209439.x4206.caixa.cx", 100 + i);
        q(T0 + i / 10, name, "TXT", I1);
        snprintf(name, sizeof(name), "%d.554433221.x9911.numbered-hosts.com", 100 + i);
        q(T0 + i / 10, name, "A", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"caixa.cx\""));
    assert_non_null(strstr(r.d[0].info, "\"encoding\":\"digits\""));
    /* 17 characters at 3.32 bits carry 7 bytes: it takes 29 names to carry 200 */
    assert_int_equal(r.d[0].count, 29);
    assert_int_equal(info_num(r.d[0].info, "bytes"), 29 * 56 / 8);
    done(&r);
}

/* Whole names of hex carrying 100 bytes each: four are enough (Symbiote's dnscat2). */
static void test_long_names(void **state)
{
    char a[64], b[64], c[64], name[256];
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 4; i++) {
        rnd(a, 60, HEX, 8, (uint64_t)i);
        rnd(b, 60, HEX, 9, (uint64_t)i);
        rnd(c, 60, HEX, 10, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.%s.%s.%.20s.git.bancodobrasil.dev", a, b, c, a);
        q(T0 + i, name, "TXT", I1);
        if (i == 2) {
            run_text(&r, NULL);
            assert_int_equal(r.n, 0); /* three: 304 bytes */
            done(&r);
        }
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.d[0].count, 4);
    assert_int_equal(info_num(r.d[0].info, "bytes"), 4 * 203 * 4 / 8);
    done(&r);
}

/* iodine idle: polls too short to judge, asked for NULL, after a base128 handshake. */
static void test_data_types(void **state)
{
    char s[16], name[96];
    struct run r;

    (void)state;
    reset();
    q(T0, "z2paaAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ.hacker-iodine.com", "NULL", I1);
    q(T0 + 1, "0eabaEnPJygI6M7aabbXw70midbNx9xJfCRNpZ6N3Kbgtc0mKq7aZeaH.q.hacker-iodine.com",
      "NULL", I1);
    for (int i = 0; i < 400; i++) {
        rnd(s, 5, "abcdefghijklmnopqrstuvwxyz0123456789", 11, (uint64_t)i);
        snprintf(name, sizeof(name), "paa%s.hacker-iodine.com", s);
        q(T0 + 10 + i * 2, name, "NULL", I1);
        /* A DNS inventory: word names asked for CNAME and TXT, no encoded names. */
        snprintf(name, sizeof(name), "service%03d.inventory-target.com", i);
        q(T0 + 10 + i * 2, name, "CNAME", I2);
        q(T0 + 10 + i * 2, name, "TXT", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"hacker-iodine.com\""));
    assert_true(info_num(r.d[0].info, "dataTypeSubdomains") >= 90);
    assert_int_equal(info_num(r.d[0].info, "uniqueSubdomains"), 2);
    assert_non_null(strstr(r.d[0].info, "\"NULL\":"));
    assert_true(r.d[0].count >= 90 && r.d[0].count <= 115);
    done(&r);
}

/* Near misses that must stay quiet. */
static void test_near_misses(void **state)
{
    char h[64], name[160];
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 200; i++) {
        rnd(h, 40, HEX, 12, (uint64_t)i);
        /* the same tunnel names asked by an on-premises client (no instance) */
        snprintf(name, sizeof(name), "%s.onprem-tunnel.com", h);
        q(T0 + i, name, "TXT", NULL);
        /* hash look-ups of allow-listed services */
        snprintf(name, sizeof(name), "%s.d1.sophosxl.net", h);
        q(T0 + i, name, "A", I1);
        snprintf(name, sizeof(name), "%s.malware.hash.cymru.com", h);
        q(T0 + i, name, "TXT", I1);
        snprintf(name, sizeof(name), "%d.%d.113.203.zen.spamhaus.org", i % 250, i / 250);
        q(T0 + i, name, "A", I1);
        /* reverse lookups, EC2 names, Kubernetes search expansions */
        snprintf(name, sizeof(name), "%s.0.1.0.0.2.ip6.arpa", h);
        q(T0 + i, name, "PTR", I1);
        snprintf(name, sizeof(name), "%s.ec2.internal", h);
        q(T0 + i, name, "A", I1);
        snprintf(name, sizeof(name), "web-%s.default.svc.cluster.local", h);
        q(T0 + i, name, "A", I1);
        /* one encoded name asked over and over */
        q(T0 + i, "3f2504e04f8911d39a0c0305e82c3301.sessions.example-saas.com", "A", I1);
        /* ACM validation records under one domain */
        snprintf(name, sizeof(name), "_%.32s.host%d.example.com", h, i);
        q(T0 + i, name, "CNAME", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    /* Allow-listed names and the on-prem client made no state; the repeated name made one
     * entry, the CNAME look-ups of example.com another (data-bearing type: counted, quiet). */
    assert_int_equal(r.stats.inserts, 2);
    done(&r);
}

/* A forwarder randomising case (DNS 0x20): long host names in random case are not base64. */
static void test_case_randomised(void **state)
{
    static const char *const hosts[] = {"assets-cdn",       "static-content",      "images-gallery",
                                        "download-center",  "customer-portal",     "payments-api",
                                        "search-service",   "analytics-collector", "media-upload",
                                        "notifications-hub"};
    char name[128], h[64];
    struct run r;

    (void)state;
    reset();
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
            size_t k = 0;

            snprintf(name, sizeof(name), "%s.eu-west-1.example-shop.com", hosts[i]);
            for (char *p = name; *p; p++, k++) { /* the whole name, its domain too */
                if (*p >= 'a' && *p <= 'z' && ((k * 7 + i + (size_t)rep) % 3) == 0) {
                    *p = (char)(*p - 'a' + 'A');
                }
            }
            q(T0 + rep * 60 + (int64_t)i, name, "A", I1);
        }
    }
    /* ... while a tunnel writes its own domain lowercase: its case is data. */
    for (int i = 0; i < 8; i++) {
        rnd(h, 40, B64ISH, 19, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.case-tunnel.com", h);
        q(T0 + 200 + i, name, "A", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, I2);
    assert_int_equal(r.stats.inserts, 1);
    done(&r);
}

/* The registered domain comes from the Public Suffix List. */
static void test_registered_domain(void **state)
{
    char h[64], name[160];
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 12; i++) {
        rnd(h, 40, HEX, 13, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.evil.co.uk", h);
        q(T0 + i, name, "TXT", I1);
        snprintf(name, sizeof(name), "%s.t.mytunnel.duckdns.org", h);
        q(T0 + i, name, "TXT", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"evil.co.uk\""));
    assert_non_null(strstr(r.d[1].info, "\"domain\":\"mytunnel.duckdns.org\""));
    done(&r);

    /* Two instances on one domain are two entities; one alone never crosses. */
    reset();
    for (int i = 0; i < 10; i++) {
        rnd(h, 40, HEX, 14, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.shared-tunnel.com", h);
        q(T0 + i, name, "TXT", i % 2 ? I1 : I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.stats.inserts, 2);
    done(&r);
}

/* Records out of order within the window count; the detection's first seen is the earliest. */
static void test_out_of_order(void **state)
{
    static const int order[] = {5, 1, 9, 0, 3, 11, 7, 2, 10, 4, 8, 6};
    char h[64], name[128];
    struct run r;

    (void)state;
    reset();
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        rnd(h, 40, HEX, 15, (uint64_t)order[k]);
        snprintf(name, sizeof(name), "%s.late-tunnel.com", h);
        q(T0 + order[k] * 30, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    /* 10 names of 40 hex carry 200 bytes: the tenth record in file order (time 4) fires */
    assert_int_equal(r.d[0].count, 10);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_int_equal(r.d[0].time_ms, (T0 + 4 * 30) * 1000);
    done(&r);
}

/* A tunnel running three hours: at most one detection an hour, the counts adding up. */
static void test_rate_limit(void **state)
{
    char h[64], name[128];
    uint32_t total = 0;
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 3 * 360; i++) {
        rnd(h, 50, HEX, 16, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.long-tunnel.net", h);
        q(T0 + i * 10, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 3);
    for (size_t i = 0; i < r.n; i++) {
        total += r.d[i].count;
        if (i > 0) {
            assert_true(r.d[i].time_ms - r.d[i - 1].time_ms >= HOUR * 1000);
        }
    }
    /* Every query up to the last detection is counted once. */
    assert_int_equal(total, (uint32_t)((r.d[2].time_ms / 1000 - T0) / 10 + 1));
    assert_int_equal(finding(&r, I1)->count, total);
    done(&r);
}

/* The memcap: entries beyond max_entries evict the least recently seen, counted. */
static void test_memcap(void **state)
{
    struct cm_dns_tunnel_tuning t = {.max_entries = 4};
    char h[64], name[128];
    struct run r;

    (void)state;
    reset();
    for (int d = 0; d < 10; d++) {
        rnd(h, 40, HEX, 17, (uint64_t)d);
        snprintf(name, sizeof(name), "%s.domain%d.com", h, d);
        q(T0 + d, name, "TXT", I1);
    }
    run_text(&r, &t);
    assert_int_equal(r.stats.inserts, 10);
    assert_int_equal(r.stats.evicted, 6);
    assert_int_equal(r.stats.peak_entries, 4);
    assert_true(r.stats.peak_bytes > 0);
    assert_int_equal(r.n, 0);
    done(&r);
}

/* Tuning: thresholds, the window, the extra allow list; bad settings are refused. */
static void test_tuning(void **state)
{
    const struct cm_str allow[] = {CM_STR_LIT("our-hashes.example")};
    struct cm_dns_tunnel_tuning t = {.many_names = 3, .many_bytes = 50};
    struct cm_detect_opts o = {.seed = 1};
    char h[64], name[128];
    void *st = NULL;
    struct run r;

    (void)state;
    reset();
    for (int i = 0; i < 3; i++) {
        rnd(h, 40, HEX, 18, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.few.com", h);
        q(T0 + i, name, "TXT", I1);
        snprintf(name, sizeof(name), "%s.our-hashes.example", h);
        q(T0 + i, name, "TXT", I1);
    }
    run_text(&r, &t);
    assert_int_equal(r.n, 2); /* three names are enough now, on both domains */
    done(&r);
    t.allow = allow;
    t.nallow = 1;
    run_text(&r, &t);
    assert_int_equal(r.n, 1); /* ... but one is allow-listed */
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"few.com\""));
    done(&r);

    struct cm_dns_tunnel_tuning bad = {.window_ms = 8LL * 24 * HOUR * 1000};
    assert_int_equal(cm_dns_tunnel_init(&st, &o, &bad), CM_EINVAL);
    bad = (struct cm_dns_tunnel_tuning){.nallow = 1};
    assert_int_equal(cm_dns_tunnel_init(&st, &o, &bad), CM_EINVAL);
    const struct cm_str empty[] = {CM_STR_LIT("")};
    bad = (struct cm_dns_tunnel_tuning){.allow = empty, .nallow = 1};
    assert_int_equal(cm_dns_tunnel_init(&st, &o, &bad), CM_EINVAL);
    assert_int_equal(cm_dns_tunnel_init(&st, &o, NULL), 0);
    cm_detector_dns_tunnel.finish(st);
    cm_detector_dns_tunnel.finish(NULL);
}

/* Bad and odd records never crash and give nothing. */
static void test_odd_input(void **state)
{
    char longname[300];
    struct run r;

    (void)state;
    reset();
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    q(T0, longname, "TXT", I1); /* longer than a DNS name */
    q(T0, "..", "TXT", I1);     /* empty labels */
    q(T0, "a..b.c.com", "TXT", I1);
    q(T0, "com", "TXT", I1);                                    /* a public suffix */
    q(T0, "xn--80ak6aa92e.co.uk", "A", I1);                     /* punycode, no sub-domain */
    q(T0, "\\226\\188\\226\\188\\226\\188\\226.x.com", "", I1); /* no type */
    q(T0, "AbCdEfGhIjKlMnOp.x.com", "TXT", "");                 /* empty instance */
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_encodings), cmocka_unit_test(test_shape_host_names),
        cmocka_unit_test(test_allowed),         cmocka_unit_test(test_guardduty_tester),
        cmocka_unit_test(test_many_names),      cmocka_unit_test(test_slow_base36),
        cmocka_unit_test(test_digits),          cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_data_types),      cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_case_randomised), cmocka_unit_test(test_registered_domain),
        cmocka_unit_test(test_out_of_order),    cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_memcap),          cmocka_unit_test(test_tuning),
        cmocka_unit_test(test_odd_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
