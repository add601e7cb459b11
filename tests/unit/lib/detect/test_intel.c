/*
 * The intel detectors (lib/detect/intel_*.c) end to end at the library
 * level: records in the real log formats go through the real parsers into
 * an engine holding the built-in detectors, with a snapshot built by hand;
 * the test checks which finding types come out, with which lists, and that
 * near misses (adjacent addresses, replies, rejected inbound, trusted
 * entries, suffix look-alikes, queries without an instance) give nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/dns.h"
#include "detect/flow.h"
#include "detect/intel.h"
#include "parse/parse.h"

#define MAXD 256

struct got {
    char type[MAXD][96];
    char list[MAXD][64];
    char threat[MAXD][64];
    enum cm_detection_dir dir[MAXD];
    char resource[MAXD][64];
    char actor[MAXD][64];
    bool trusted[MAXD];
    size_t n;
};

struct run {
    struct cm_engine *engine;
    struct cm_sink sink;
    struct got got;
    const struct cm_intel_snapshot *snap;
    struct cm_detect_config cfg; /* the engine's: it keeps a pointer */
    uint64_t trusted;            /* the engine's stats.trusted at the end */
};

static void copy(char *dst, size_t cap, struct cm_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;

    if (s.p) {
        memcpy(dst, s.p, n);
    } else {
        n = 0;
    }
    dst[n] = '\0';
}

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct run *r = sink->ud;
    struct got *g = &r->got;

    assert_true(g->n < MAXD);
    snprintf(g->type[g->n], sizeof(g->type[0]), "%s", d->type);
    g->list[g->n][0] = g->threat[g->n][0] = '\0';
    if (d->nintel > 0) {
        copy(g->list[g->n], sizeof(g->list[0]), d->intel[0].list_name);
        copy(g->threat[g->n], sizeof(g->threat[0]), d->intel[0].threat_name);
    }
    copy(g->resource[g->n], sizeof(g->resource[0]), d->resource_id);
    copy(g->actor[g->n], sizeof(g->actor[0]), d->actor);
    g->dir[g->n] = d->direction;
    g->trusted[g->n] = cm_detect_trusted(r->snap, d);
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

/* ---- the snapshot ---- */

static void add(struct cm_intel_builder *b, uint32_t list, enum cm_intel_category c,
                const char *threat, const char *text)
{
    struct cm_indicator ind = {list, c, cm_str_cstr(threat), CM_STR_LIT("test")};

    assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(text), &ind), 0);
}

static uint32_t list(struct cm_intel_builder *b, const char *name, enum cm_intel_kind k)
{
    struct cm_intel_list l = {cm_str_cstr(name), k, CM_STR_LIT("TXT"), CM_STR_LIT("test")};
    uint32_t id;

    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), 0);
    return id;
}

static struct cm_intel_snapshot *snapshot(void)
{
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    uint32_t custom, tor, relays, c2, sink, mine, trusted, dga;

    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    custom = list(b, "my-list", CM_INTEL_KIND_THREAT);
    tor = list(b, "tor-exits", CM_INTEL_KIND_THREAT);
    relays = list(b, "tor-relays", CM_INTEL_KIND_THREAT);
    c2 = list(b, "c2-feed", CM_INTEL_KIND_THREAT);
    sink = list(b, "sinkholes", CM_INTEL_KIND_THREAT);
    mine = list(b, "pools", CM_INTEL_KIND_THREAT);
    dga = list(b, "dga", CM_INTEL_KIND_THREAT);
    trusted = list(b, "ours", CM_INTEL_KIND_TRUSTED);
    add(b, custom, CM_CAT_CUSTOM, "Customer Threat Intel", "7.7.7.7");
    add(b, custom, CM_CAT_CUSTOM, "Customer Threat Intel", "bad.customer.example");
    add(b, custom, CM_CAT_CUSTOM, "Customer Threat Intel", "9.9.9.9"); /* also on c2-feed */
    add(b, tor, CM_CAT_TOR_EXIT, "", "6.6.6.6");
    add(b, relays, CM_CAT_TOR_RELAY, "", "5.5.5.0/24");
    add(b, c2, CM_CAT_CNC, "Emotet", "9.9.9.9");
    add(b, c2, CM_CAT_CNC, "Emotet", "8.8.100.0/24");
    add(b, c2, CM_CAT_CNC, "Emotet", "c2.evil.example");
    add(b, c2, CM_CAT_CNC, "Emotet", "trusted.example");
    add(b, sink, CM_CAT_SINKHOLE, "", "4.4.4.4");
    add(b, mine, CM_CAT_MINING, "", "pool.coin.example");
    add(b, dga, CM_CAT_DGA, "", "qwxzkjhv.example");
    add(b, trusted, CM_CAT_UNKNOWN, "", "8.8.100.77");
    add(b, trusted, CM_CAT_UNKNOWN, "", "trusted.example");
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

/* Parses text with the named parser through a fresh engine; fills r->got. */
static const struct cm_detector *const intel_detectors[] = {
    &cm_detector_intel_ct,
    &cm_detector_intel_flow,
    &cm_detector_intel_dns,
    NULL,
};

/* Empties r and starts an engine of table over snapshot s that collects into r. */
static void engine_start(struct run *r, const struct cm_detector *const *table,
                         const struct cm_intel_snapshot *s)
{
    struct cm_detect_opts o;

    memset(r, 0, sizeof(*r));
    memset(&o, 0, sizeof(o));
    r->cfg.intel = s;
    o.config = &r->cfg;
    o.seed = 1;
    r->snap = s;
    r->sink.emit = collect;
    r->sink.ud = r;
    assert_int_equal(cm_engine_create(&r->engine, table, &o), 0);
}

/* Flushes r's engine (every window closes) and frees it. */
static void engine_finish(struct run *r)
{
    assert_int_equal(cm_engine_flush(r->engine, &r->sink), 0);
    r->trusted = cm_engine_stats(r->engine)->trusted;
    cm_engine_destroy(r->engine);
    r->engine = NULL;
}

static void run_text(struct run *r, const struct cm_intel_snapshot *s, const char *parser,
                     const char *text)
{
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    const struct cm_parser *ps = cm_parser_by_name(parser);

    assert_non_null(ps);
    /* The intel detectors alone: the behaviour detectors have their own tests. */
    engine_start(r, intel_detectors, s);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = r;
    assert_int_equal(ps->parse(&ctx, text, strlen(text)), 0);
    engine_finish(r);
    cm_json_doc_finish(&doc);
}

static bool has(const struct got *g, const char *type)
{
    for (size_t i = 0; i < g->n; i++) {
        if (strcmp(g->type[i], type) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- CloudTrail ---- */

static char ct_buf[1 << 14];

static const char *ct(const char *source, const char *name, const char *ip, const char *bucket)
{
    char rp[256] = "null";

    if (bucket) {
        snprintf(rp, sizeof(rp), "{\"bucketName\":\"%s\",\"key\":\"a/b.csv\"}", bucket);
    }
    snprintf(ct_buf, sizeof(ct_buf),
             "{\"Records\":[{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\","
             "\"principalId\":\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::111122223333:user/alice\","
             "\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIAEXAMPLEKEY\",\"userName\":"
             "\"alice\"},\"eventTime\":\"2026-01-05T10:00:00Z\",\"eventSource\":\"%s\","
             "\"eventName\":\"%s\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"%s\","
             "\"userAgent\":\"aws-cli/2.15\",\"requestParameters\":%s,\"responseElements\":null,"
             "\"eventID\":\"e-%s-%s\",\"eventType\":\"AwsApiCall\",\"recipientAccountId\":"
             "\"111122223333\",\"eventCategory\":\"%s\"}]}",
             source, name, ip, rp, name, ip, bucket ? "Data" : "Management");
    return ct_buf;
}

static void expect_ct(const struct cm_intel_snapshot *s, const char *source, const char *name,
                      const char *ip, const char *bucket, const char *want, const char *list)
{
    struct run r;

    run_text(&r, s, "cloudtrail", ct(source, name, ip, bucket));
    if (want == NULL) {
        if (r.got.n != 0) {
            fail_msg("%s from %s: unexpected %s", name, ip, r.got.type[0]);
        }
        return;
    }
    if (!has(&r.got, want)) {
        fail_msg("%s from %s: wanted %s, got %zu detections (%s)", name, ip, want, r.got.n,
                 r.got.n ? r.got.type[0] : "");
    }
    for (size_t i = 0; i < r.got.n; i++) {
        if (strcmp(r.got.type[i], want) == 0) {
            assert_string_equal(r.got.list[i], list);
            if (bucket) {
                assert_string_equal(r.got.resource[i], bucket);
                assert_string_equal(r.got.actor[i], "AKIAEXAMPLEKEY");
            } else {
                assert_string_equal(r.got.resource[i], "AKIAEXAMPLEKEY");
            }
        }
    }
}

/*
 * A copy from a listed address takes data out of the bucket it copies from
 * (x-amz-copy-source), not the one it writes to (bucketName): the finding names
 * the source, as the S3 anomaly model does. Before 2026-12-05 it named the
 * destination, often the thief's own bucket.
 */
static void test_cloudtrail_copy_source(void **state)
{
    static const char *const names[] = {"CopyObject", "UploadPartCopy", "CopyObject"};
    static const char *const sources[] = {
        "finance-bkt/ledger.csv?versionId=3", "/finance-bkt/ledger.csv",
        /* An access point's ARN names no bucket: the call's own (before 2026-12-05 the
         * anomaly model took "arn:aws:s3:us-east-1:111122223333:accesspoint" for one). */
        "arn:aws:s3:us-east-1:111122223333:accesspoint/fin-ap/object/ledger.csv"};
    static const char *const want[] = {"finance-bkt", "finance-bkt", "thief-bkt"};
    struct cm_intel_snapshot *s = snapshot();
    struct run r;

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(ct_buf, sizeof(ct_buf),
                 "{\"Records\":[{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":"
                 "\"IAMUser\",\"principalId\":\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::"
                 "111122223333:user/alice\",\"accountId\":\"111122223333\",\"accessKeyId\":"
                 "\"AKIAEXAMPLEKEY\",\"userName\":\"alice\"},\"eventTime\":"
                 "\"2026-01-05T10:00:00Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":"
                 "\"%s\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"8.8.100.5\","
                 "\"userAgent\":\"aws-cli/2.15\",\"requestParameters\":{\"bucketName\":"
                 "\"thief-bkt\",\"key\":\"loot.csv\",\"x-amz-copy-source\":"
                 "\"%s\"},\"responseElements\":null,"
                 "\"eventID\":\"e-copy-%zu\",\"eventType\":\"AwsApiCall\","
                 "\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"Data\"}]}",
                 names[i], sources[i], i);
        run_text(&r, s, "cloudtrail", ct_buf);
        assert_int_equal(r.got.n, 1);
        assert_string_equal(r.got.type[0], "Exfiltration:S3/MaliciousIPCaller");
        assert_string_equal(r.got.resource[0], want[i]);
        assert_string_equal(r.got.actor[0], "AKIAEXAMPLEKEY");
    }
    cm_intel_snapshot_unref(s);
}

static void test_cloudtrail(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    const char *iam = "iam.amazonaws.com", *ec2 = "ec2.amazonaws.com", *s3 = "s3.amazonaws.com";
    struct run r;

    (void)state;
    expect_ct(s, iam, "ListUsers", "7.7.7.7", NULL, "Recon:IAMUser/MaliciousIPCaller.Custom",
              "my-list");
    expect_ct(s, iam, "CreateUser", "7.7.7.7", NULL,
              "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", "my-list");
    /*
     * GuardDuty's tester: `aws s3 ls` from a listed address is Recon, `aws iam
     * get-user` from it UnauthorizedAccess (Recon is a call that lists or
     * describes; a Get fetches a named thing).
     */
    expect_ct(s, s3, "ListBuckets", "7.7.7.7", NULL, "Recon:IAMUser/MaliciousIPCaller.Custom",
              "my-list");
    expect_ct(s, iam, "GetUser", "7.7.7.7", NULL,
              "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", "my-list");
    run_text(&r, s, "cloudtrail", ct(iam, "GetUser", "7.7.7.7", NULL));
    assert_int_equal(r.got.n, 1);
    expect_ct(s, "sts.amazonaws.com", "GetCallerIdentity", "6.6.6.6", NULL,
              "UnauthorizedAccess:IAMUser/TorIPCaller", "tor-exits");
    expect_ct(s, "secretsmanager.amazonaws.com", "BatchGetSecretValue", "6.6.6.6", NULL,
              "UnauthorizedAccess:IAMUser/TorIPCaller", "tor-exits");
    expect_ct(s, "cloudtrail.amazonaws.com", "LookupEvents", "6.6.6.6", NULL,
              "Recon:IAMUser/TorIPCaller", "tor-exits");
    expect_ct(s, iam, "GenerateCredentialReport", "6.6.6.6", NULL, "Recon:IAMUser/TorIPCaller",
              "tor-exits");
    expect_ct(s, "secretsmanager.amazonaws.com", "GetSecretValue", "6.6.6.6", NULL,
              "UnauthorizedAccess:IAMUser/TorIPCaller", "tor-exits");
    expect_ct(s, ec2, "DescribeInstances", "6.6.6.6", NULL, "Recon:IAMUser/TorIPCaller",
              "tor-exits");
    expect_ct(s, ec2, "DescribeInstances", "8.8.100.5", NULL, "Recon:IAMUser/MaliciousIPCaller",
              "c2-feed");
    expect_ct(s, ec2, "RunInstances", "8.8.100.5", NULL,
              "UnauthorizedAccess:IAMUser/MaliciousIPCaller", "c2-feed");
    expect_ct(s, s3, "ListObjects", "8.8.100.5", "data-bkt", "Discovery:S3/MaliciousIPCaller",
              "c2-feed");
    expect_ct(s, s3, "GetObject", "8.8.100.5", "data-bkt", "Exfiltration:S3/MaliciousIPCaller",
              "c2-feed");
    expect_ct(s, s3, "PutObject", "8.8.100.5", "data-bkt", "Impact:S3/MaliciousIPCaller",
              "c2-feed");
    expect_ct(s, s3, "DeleteObject", "8.8.100.5", "data-bkt", "Impact:S3/MaliciousIPCaller",
              "c2-feed");
    expect_ct(s, s3, "GetObjectAcl", "7.7.7.7", "data-bkt", "Discovery:S3/MaliciousIPCaller.Custom",
              "my-list");
    expect_ct(s, s3, "GetObject", "7.7.7.7", "data-bkt",
              "UnauthorizedAccess:S3/MaliciousIPCaller.Custom", "my-list");
    expect_ct(s, s3, "ListObjects", "6.6.6.6", "data-bkt", "Discovery:S3/TorIPCaller", "tor-exits");
    expect_ct(s, s3, "PutObjectAcl", "6.6.6.6", "data-bkt", "UnauthorizedAccess:S3/TorIPCaller",
              "tor-exits");
    /* S3 without a bucket (ListBuckets) is an IAM-family recon call. */
    expect_ct(s, s3, "ListBuckets", "6.6.6.6", NULL, "Recon:IAMUser/TorIPCaller", "tor-exits");
    /* One address on two lists of different categories: both findings. */
    run_text(&r, s, "cloudtrail", ct(iam, "ListRoles", "9.9.9.9", NULL));
    assert_int_equal(r.got.n, 2);
    assert_true(has(&r.got, "Recon:IAMUser/MaliciousIPCaller.Custom"));
    assert_true(has(&r.got, "Recon:IAMUser/MaliciousIPCaller"));
    /* Near misses. */
    expect_ct(s, iam, "ListUsers", "7.7.7.8", NULL, NULL, NULL);      /* adjacent */
    expect_ct(s, iam, "ListUsers", "8.8.100.77", NULL, NULL, NULL);   /* trusted inside c2 /24 */
    expect_ct(s, iam, "ListUsers", "5.5.5.5", NULL, NULL, NULL);      /* relay, not an exit */
    expect_ct(s, iam, "ListUsers", "10.0.0.7", NULL, NULL, NULL);     /* private */
    expect_ct(s, iam, "ListUsers", "AWS Internal", NULL, NULL, NULL); /* not an address */
    cm_intel_snapshot_unref(s);
}

/*
 * A failed console sign-in (and CheckMfa) carries "accessKeyId": "" (real
 * records do): the caller is the principal, not an empty key. Two users'
 * failed sign-ins from one Tor exit are two callers, each its own resource.
 */
static const char keyless_logins[] =
    "{\"Records\":["
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
    "\"AIDAALICEALICE\",\"accountId\":\"111122223333\",\"accessKeyId\":\"\",\"userName\":"
    "\"alice\"},\"eventTime\":\"2026-01-05T10:00:00Z\",\"eventSource\":\"signin.amazonaws.com\","
    "\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"6.6.6.6\","
    "\"userAgent\":\"Mozilla/5.0\",\"errorMessage\":\"Failed authentication\","
    "\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"Failure\"},"
    "\"eventID\":\"k-1\",\"eventType\":\"AwsConsoleSignIn\",\"recipientAccountId\":"
    "\"111122223333\",\"eventCategory\":\"Management\"},"
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
    "\"AIDABOBBOBBOB\",\"accountId\":\"111122223333\",\"accessKeyId\":\"\",\"userName\":"
    "\"bob\"},\"eventTime\":\"2026-01-05T10:00:30Z\",\"eventSource\":\"signin.amazonaws.com\","
    "\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"6.6.6.6\","
    "\"userAgent\":\"Mozilla/5.0\",\"errorMessage\":\"Failed authentication\","
    "\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"Failure\"},"
    "\"eventID\":\"k-2\",\"eventType\":\"AwsConsoleSignIn\",\"recipientAccountId\":"
    "\"111122223333\",\"eventCategory\":\"Management\"}]}";

static void test_cloudtrail_failed_sign_in_has_no_key(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct run r;

    (void)state;
    run_text(&r, s, "cloudtrail", keyless_logins);
    assert_int_equal(r.got.n, 2);
    for (size_t i = 0; i < r.got.n; i++) {
        assert_string_equal(r.got.type[i], "UnauthorizedAccess:IAMUser/TorIPCaller");
    }
    assert_string_equal(r.got.resource[0], "AIDAALICEALICE");
    assert_string_equal(r.got.resource[1], "AIDABOBBOBBOB");
    cm_intel_snapshot_unref(s);
}

/* ---- VPC flow ---- */

#define FLOW_HDR                                                                                   \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "      \
    "start end action log-status\n"

static void test_flow(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct run r;

    (void)state;
    /* Outbound to C&C, accepted and rejected; the reply is not counted. */
    run_text(&r, s, "vpcflow",
             FLOW_HDR "2 111122223333 eni-0a 10.0.0.5 9.9.9.9 49152 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 9.9.9.9 10.0.0.5 443 49152 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 10.0.0.5 8.8.100.9 49153 8080 6 1 60 1767607200 "
                      "1767607260 REJECT OK\n");
    assert_int_equal(r.got.n, 3);
    /* 9.9.9.9 is on the customer list too: both findings, the customer list's first. */
    assert_string_equal(r.got.type[0], "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom");
    assert_string_equal(r.got.list[0], "my-list");
    assert_string_equal(r.got.threat[0], "Customer Threat Intel");
    assert_string_equal(r.got.type[1], "Backdoor:EC2/C&CActivity.B");
    assert_int_equal(r.got.dir[1], CM_DDIR_OUTBOUND);
    assert_string_equal(r.got.resource[1], "eni-0a");
    assert_string_equal(r.got.list[1], "c2-feed");
    assert_string_equal(r.got.threat[1], "Emotet");
    assert_string_equal(r.got.type[2], "Backdoor:EC2/C&CActivity.B");

    /* Inbound: customer list accepted fires; rejected does not; managed C&C inbound does not. */
    run_text(&r, s, "vpcflow",
             FLOW_HDR "2 111122223333 eni-0a 7.7.7.7 10.0.0.5 51000 22 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 7.7.7.7 10.0.0.5 51001 3389 6 1 60 1767607200 "
                      "1767607260 REJECT OK\n"
                      "2 111122223333 eni-0a 8.8.100.1 10.0.0.5 51002 22 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 10.0.0.5 8.8.100.77 49152 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n");
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom");
    assert_int_equal(r.got.dir[0], CM_DDIR_INBOUND);

    /* Sink-hole, Tor client. */
    run_text(&r, s, "vpcflow",
             FLOW_HDR "2 111122223333 eni-0b 10.0.0.6 4.4.4.4 49152 80 6 3 180 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0b 10.0.0.6 5.5.5.20 49153 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n");
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.type[0], "Trojan:EC2/BlackholeTraffic");
    assert_string_equal(r.got.type[1], "UnauthorizedAccess:EC2/TorClient");

    /* Two Tor nodes connecting in: not yet a relay. */
    run_text(&r, s, "vpcflow",
             FLOW_HDR "2 111122223333 eni-0c 5.5.5.1 10.0.0.7 40001 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0c 5.5.5.2 10.0.0.7 40002 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0c 5.5.5.2 10.0.0.7 40003 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n");
    assert_int_equal(r.got.n, 0);
    /* Three: a relay, and its outbound Tor traffic is the relay's too. */
    run_text(&r, s, "vpcflow",
             FLOW_HDR "2 111122223333 eni-0c 5.5.5.1 10.0.0.7 40001 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0c 5.5.5.2 10.0.0.7 40002 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0c 5.5.5.3 10.0.0.7 40003 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0c 10.0.0.7 5.5.5.9 49152 9001 6 30 9000 1767607200 "
                      "1767607260 ACCEPT OK\n");
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.type[0], "UnauthorizedAccess:EC2/TorRelay");
    assert_int_equal(r.got.dir[0], CM_DDIR_INBOUND);
    assert_string_equal(r.got.type[1], "UnauthorizedAccess:EC2/TorRelay");
    assert_int_equal(r.got.dir[1], CM_DDIR_OUTBOUND);

    /*
     * A connection to C&C recorded on the instance's interface and on the NAT
     * gateway's (no instance; the packet-level address is the instance's or the
     * server's): one finding, on the instance.
     */
    run_text(&r, s, "vpcflow",
             "version account-id interface-id instance-id srcaddr dstaddr srcport dstport "
             "protocol packets bytes start end action log-status pkt-srcaddr pkt-dstaddr\n"
             "5 111122223333 eni-0d i-0d 10.0.1.5 8.8.100.9 49152 443 6 10 840 1767607200 "
             "1767607260 ACCEPT OK 10.0.1.5 8.8.100.9\n"
             "5 111122223333 eni-nat - 10.0.1.5 10.0.0.200 49152 443 6 10 840 1767607200 "
             "1767607260 ACCEPT OK 10.0.1.5 8.8.100.9\n"
             "5 111122223333 eni-nat - 10.0.0.200 8.8.100.9 61000 443 6 10 840 1767607200 "
             "1767607260 ACCEPT OK 10.0.1.5 8.8.100.9\n"
             "5 111122223333 eni-nat - 8.8.100.9 10.0.0.200 443 61000 6 10 840 1767607200 "
             "1767607260 ACCEPT OK 8.8.100.9 10.0.1.5\n");
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Backdoor:EC2/C&CActivity.B");
    assert_string_equal(r.got.resource[0], "i-0d");
    cm_intel_snapshot_unref(s);
}

/* ---- DNS ---- */

static char dns_buf[1 << 14];

static const char *dns(const char *name, const char *instance, const char *answer)
{
    char srcids[128] = "{}", answers[256] = "[]";

    if (instance) {
        snprintf(srcids, sizeof(srcids), "{\"instance\":\"%s\"}", instance);
    }
    if (answer) {
        snprintf(answers, sizeof(answers), "[{\"Rdata\":\"%s\",\"Type\":\"A\",\"Class\":\"IN\"}]",
                 answer);
    }
    snprintf(dns_buf, sizeof(dns_buf),
             "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":"
             "\"us-east-1\",\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-01-05T10:00:00Z\","
             "\"query_name\":\"%s\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":"
             "\"NOERROR\",\"answers\":%s,\"srcaddr\":\"10.0.0.5\",\"srcport\":\"5353\","
             "\"transport\":\"UDP\",\"srcids\":%s}\n",
             name, answers, srcids);
    return dns_buf;
}

static void expect_dns(const struct cm_intel_snapshot *s, const char *name, const char *instance,
                       const char *answer, const char *want)
{
    struct run r;

    run_text(&r, s, "dns", dns(name, instance, answer));
    if (want == NULL) {
        if (r.got.n != 0) {
            fail_msg("%s: unexpected %s", name, r.got.type[0]);
        }
        return;
    }
    if (r.got.n != 1 || strcmp(r.got.type[0], want) != 0) {
        fail_msg("%s: wanted %s, got %zu (%s)", name, want, r.got.n, r.got.n ? r.got.type[0] : "");
    }
    assert_string_equal(r.got.resource[0], instance);
}

static void test_dns(void **state)
{
    struct cm_intel_snapshot *s = snapshot();

    (void)state;
    expect_dns(s, "c2.evil.example.", "i-0abc", NULL, "Backdoor:EC2/C&CActivity.B!DNS");
    expect_dns(s, "x.c2.evil.example.", "i-0abc", NULL, "Backdoor:EC2/C&CActivity.B!DNS");
    expect_dns(s, "eu.pool.coin.example.", "i-0abc", NULL, "CryptoCurrency:EC2/BitcoinTool.B!DNS");
    expect_dns(s, "qwxzkjhv.example.", "i-0abc", NULL, "Trojan:EC2/DGADomainRequest.C!DNS");
    expect_dns(s, "bad.customer.example.", "i-0abc", NULL,
               "Impact:EC2/MaliciousDomainRequest.Custom");
    expect_dns(s, "ok.example.", "i-0abc", "4.4.4.4", "Trojan:EC2/BlackholeTraffic!DNS");
    /* Near misses. */
    expect_dns(s, "notc2.evil.example.", "i-0abc", NULL, NULL);
    expect_dns(s, "evil.example.", "i-0abc", NULL, NULL);
    expect_dns(s, "c2.evil.example.", NULL, NULL, NULL);       /* no instance */
    expect_dns(s, "trusted.example.", "i-0abc", NULL, NULL);   /* trusted wins */
    expect_dns(s, "ok.example.", "i-0abc", "4.4.4.5", NULL);   /* answer not listed */
    expect_dns(s, "ok.example.", "i-0abc", "8.8.100.3", NULL); /* answer on c2, not sinkhole */
    cm_intel_snapshot_unref(s);
}

static void test_trusted_sink(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s2;
    struct run r;
    uint32_t t, c;

    (void)state;
    /* Every detection about a trusted address is marked for dropping by the sink. */
    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    c = list(b, "mine", CM_INTEL_KIND_THREAT);
    t = list(b, "ours", CM_INTEL_KIND_TRUSTED);
    add(b, c, CM_CAT_CUSTOM, "Customer Threat Intel", "7.7.7.0/24");
    add(b, t, CM_CAT_UNKNOWN, "", "7.7.7.7");
    assert_int_equal(cm_intel_builder_build(b, &s2), 0);
    cm_intel_builder_destroy(b);
    run_text(&r, s2, "vpcflow",
             FLOW_HDR "2 111122223333 eni-0a 10.0.0.5 7.7.7.8 49152 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 10.0.0.5 7.7.7.7 49152 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n");
    assert_int_equal(r.got.n, 1); /* the trusted one is not even detected */
    assert_false(r.got.trusted[0]);
    assert_false(cm_detect_trusted(NULL, NULL));
    cm_intel_snapshot_unref(s2);
    cm_intel_snapshot_unref(s);
}

/*
 * A threat-list match a trusted list hides makes no detection, and the
 * engine counts it (stats.trusted: the scan's trusted: line); a trusted
 * address or name no threat list has counts nothing.
 */
static void test_trusted_count(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s2;
    struct run r;
    uint32_t t, c, k;

    (void)state;
    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    c = list(b, "mine", CM_INTEL_KIND_THREAT);
    k = list(b, "sinks", CM_INTEL_KIND_THREAT);
    t = list(b, "ours", CM_INTEL_KIND_TRUSTED);
    add(b, c, CM_CAT_CUSTOM, "Customer Threat Intel", "7.7.7.0/24");
    add(b, k, CM_CAT_SINKHOLE, "", "4.4.4.4");
    add(b, t, CM_CAT_UNKNOWN, "", "7.7.7.7");
    add(b, t, CM_CAT_UNKNOWN, "", "3.3.3.3");
    add(b, t, CM_CAT_UNKNOWN, "", "sunk.example");
    assert_int_equal(cm_intel_builder_build(b, &s2), 0);
    cm_intel_builder_destroy(b);

    /* CloudTrail: a caller inside a listed /24 and on a trusted list. */
    run_text(&r, s, "cloudtrail", ct("iam.amazonaws.com", "ListUsers", "8.8.100.77", NULL));
    assert_int_equal(r.got.n, 0);
    assert_int_equal(r.trusted, 1);
    run_text(&r, s2, "cloudtrail", ct("iam.amazonaws.com", "ListUsers", "3.3.3.3", NULL));
    assert_int_equal(r.got.n + r.trusted, 0);
    /* Flows: to the trusted listed address twice, to a trusted unlisted one, to a listed one. */
    run_text(&r, s2, "vpcflow",
             FLOW_HDR "2 111122223333 eni-0a 10.0.0.5 7.7.7.7 49152 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 10.0.0.5 7.7.7.7 49153 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 10.0.0.5 3.3.3.3 49152 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n"
                      "2 111122223333 eni-0a 10.0.0.5 7.7.7.8 49152 443 6 10 840 1767607200 "
                      "1767607260 ACCEPT OK\n");
    assert_int_equal(r.got.n, 1);
    assert_int_equal(r.trusted, 2);
    /* DNS: a trusted name a C&C list has; a trusted name answered by a sink-hole; a trusted
     * name answered by nothing listed. */
    run_text(&r, s, "dns", dns("trusted.example.", "i-0abc", NULL));
    assert_int_equal(r.got.n, 0);
    assert_int_equal(r.trusted, 1);
    run_text(&r, s2, "dns", dns("sunk.example.", "i-0abc", "4.4.4.4"));
    assert_int_equal(r.got.n, 0);
    assert_int_equal(r.trusted, 1);
    run_text(&r, s2, "dns", dns("sunk.example.", "i-0abc", "4.4.4.5"));
    assert_int_equal(r.got.n + r.trusted, 0);
    /* A sink-hole answer on a trusted list, for a name no list has. */
    run_text(&r, s, "dns", dns("ok.example.", "i-0abc", "4.4.4.4"));
    assert_int_equal(r.got.n, 1); /* not trusted in s: the finding */
    assert_int_equal(r.trusted, 0);
    cm_intel_snapshot_unref(s2);
    cm_intel_snapshot_unref(s);
}

/* ---- the engine's memo of query-name verdicts ---- */

#define NKEEP 120

/* Copies of parsed events: their strings stay in the text and the parse's doc. */
struct kept {
    struct cm_event ev[NKEEP];
    size_t n;
};

static int keep_event(void *ud, struct cm_event *ev)
{
    struct kept *k = ud;

    assert_true(k->n < NKEEP);
    memcpy(&k->ev[k->n++], ev, cm_event_size(ev));
    return 0;
}

static const struct cm_detector *const memo_detectors[] = {
    &cm_detector_intel_dns,
    &cm_detector_dns_dga,
    &cm_detector_dns_reputation,
    NULL,
};

static const struct cm_detector *const memo_ip_detectors[] = {
    &cm_detector_intel_ct,
    &cm_detector_intel_flow,
    &cm_detector_flow_inbound,
    NULL,
};

/* Runs evs through a fresh engine of table, a run at a time (cm_engine_events) or one by one. */
static void run_table(struct run *r, const struct cm_detector *const *table,
                      const struct cm_intel_snapshot *s, const struct cm_event *const *evs,
                      size_t n, bool runs)
{
    engine_start(r, table, s);
    if (runs) {
        /* Uneven runs: up to 50, then the rest (120: more than one memo's worth). */
        size_t first = n < 50 ? n / 2 : 50;

        assert_int_equal(cm_engine_events(r->engine, evs, first, &r->sink), 0);
        assert_int_equal(cm_engine_events(r->engine, evs + first, n - first, &r->sink), 0);
    } else {
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(cm_engine_event(r->engine, evs[i], &r->sink), 0);
        }
    }
    engine_finish(r);
}

/* Parses text with the named parser into k (kept events). */
static void keep_text(struct kept *k, struct cm_json_doc *doc, const char *parser, const char *text,
                      size_t len)
{
    const struct cm_parser *ps = cm_parser_by_name(parser);
    struct cm_parse_ctx ctx;

    k->n = 0;
    cm_json_doc_init(doc, 0, 0);
    cm_parse_ctx_init(&ctx, doc);
    ctx.on_event = keep_event;
    ctx.on_reject = on_reject;
    ctx.ud = k;
    assert_non_null(ps);
    assert_int_equal(ps->parse(&ctx, text, len), 0);
}

static void test_memo(void **state)
{
    /*
     * The last is not a host name (a space in a label): the memo looks it up
     * as logged, apart from the names the parser normalised, in the same run.
     */
    static const char *const names[] = {
        "c2.evil.example.",      "ok.example.",      "trusted.example.",    "x.pool.coin.example.",
        "bad.customer.example.", "www.example.org.", "a b.c2.evil.example."};
    size_t listed = 0;
    static struct kept k;
    static char text[NKEEP * 512];
    struct cm_intel_snapshot *s = snapshot();
    const struct cm_event *evs[NKEEP];
    struct cm_json_doc doc;
    static struct run one, runs;
    size_t len = 0;

    (void)state;
    for (size_t i = 0; i < NKEEP; i++) {
        char inst[16];

        snprintf(inst, sizeof(inst), "i-000%zu", i % 3);
        len +=
            (size_t)snprintf(text + len, sizeof(text) - len, "%s", dns(names[i % 7], inst, NULL));
        listed += i % 7 == 0 || i % 7 == 3 || i % 7 == 4;
    }
    keep_text(&k, &doc, "dns", text, len);
    assert_int_equal(k.n, NKEEP);
    for (size_t i = 0; i < NKEEP; i++) {
        evs[i] = &k.ev[i];
    }
    run_table(&one, memo_detectors, s, evs, NKEEP, false);
    run_table(&runs, memo_detectors, s, evs, NKEEP, true);
    /* Three listed names in every seven (trusted.example is trusted, not listed). */
    assert_int_equal(one.got.n, listed);
    assert_int_equal(runs.got.n, one.got.n);
    for (size_t i = 0; i < one.got.n; i++) {
        assert_string_equal(runs.got.type[i], one.got.type[i]);
        assert_string_equal(runs.got.resource[i], one.got.resource[i]);
        assert_string_equal(runs.got.list[i], one.got.list[i]);
    }
    cm_json_doc_finish(&doc);

    /*
     * One event's memory reused for the next (as the scan's one-thread path
     * does): the verdict stored for the first name is not the second's.
     */
    {
        struct cm_event ev;

        engine_start(&one, memo_detectors, s);
        ev = k.ev[0]; /* listed */
        assert_int_equal(cm_engine_event(one.engine, &ev, &one.sink), 0);
        ev = k.ev[1]; /* ok.example, same address */
        assert_int_equal(cm_engine_event(one.engine, &ev, &one.sink), 0);
        ev = k.ev[2]; /* trusted.example */
        assert_int_equal(cm_engine_event(one.engine, &ev, &one.sink), 0);
        engine_finish(&one);
        assert_int_equal(one.got.n, 1);
        assert_string_equal(one.got.type[0], "Backdoor:EC2/C&CActivity.B!DNS");
    }
    cm_intel_snapshot_unref(s);
}

/* A second snapshot: ok.example on a feed, c2.evil.example no longer listed. */
static struct cm_intel_snapshot *snapshot_later(void)
{
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    uint32_t feed;

    assert_int_equal(cm_intel_builder_create(&b, 4), 0);
    feed = list(b, "later-feed", CM_INTEL_KIND_THREAT);
    add(b, feed, CM_CAT_CNC, "Later", "ok.example");
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

/*
 * The verdicts the memo keeps on query names across events answer for the
 * snapshot they came from only. After a reload (the old snapshot released
 * by its owner, a new one built and set in the engine's config) the same
 * names get the new snapshot's answers, one at a time and in runs. The
 * memo holds a reference to the snapshot its answers come from, so the new
 * one cannot be given the old one's address while the memo still holds
 * answers from it; without that reference the allocator would often hand
 * the freed address straight back, and the old answers would be taken for
 * the new snapshot's (or ASan would see the freed snapshot read).
 */
static void test_memo_kept_names(void **state)
{
    static struct kept k;
    static char text[NKEEP * 512];
    static struct run r;
    const struct cm_event *evs[NKEEP];
    struct cm_json_doc doc;
    size_t len = 0;

    (void)state;
    for (size_t i = 0; i < 40; i++) {
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s",
                                dns(i % 2 ? "OK.example." : "c2.evil.example", "i-0001", NULL));
    }
    keep_text(&k, &doc, "dns", text, len);
    assert_int_equal(k.n, 40);
    for (size_t i = 0; i < k.n; i++) {
        evs[i] = &k.ev[i];
    }
    for (int runs = 0; runs < 2; runs++) {
        struct cm_intel_snapshot *old = snapshot(), *now;

        engine_start(&r, memo_detectors, old);
        for (size_t i = 0; i < 20; i++) {
            if (runs) {
                assert_int_equal(cm_engine_events(r.engine, evs + i, 1, &r.sink), 0);
            } else {
                assert_int_equal(cm_engine_event(r.engine, evs[i], &r.sink), 0);
            }
        }
        assert_int_equal(r.got.n, 10);
        for (size_t i = 0; i < r.got.n; i++) {
            assert_string_equal(r.got.type[i], "Backdoor:EC2/C&CActivity.B!DNS");
            assert_string_equal(r.got.list[i], "c2-feed");
        }
        /* The reload: the owner lets the old snapshot go, then builds and sets the new one. */
        r.cfg.intel = NULL;
        r.snap = NULL;
        cm_intel_snapshot_unref(old);
        now = snapshot_later();
        r.cfg.intel = now;
        r.snap = now;
        if (runs) {
            assert_int_equal(cm_engine_events(r.engine, evs + 20, 20, &r.sink), 0);
        } else {
            for (size_t i = 20; i < 40; i++) {
                assert_int_equal(cm_engine_event(r.engine, evs[i], &r.sink), 0);
            }
        }
        assert_int_equal(r.got.n, 20);
        for (size_t i = 10; i < r.got.n; i++) {
            assert_string_equal(r.got.type[i], "Backdoor:EC2/C&CActivity.B!DNS");
            assert_string_equal(r.got.list[i], "later-feed");
        }
        engine_finish(&r);
        cm_intel_snapshot_unref(now);
    }
    cm_json_doc_finish(&doc);
}

/*
 * Flow and CloudTrail addresses through the memo: runs of events give what
 * events one at a time give (listed, trusted and unlisted peers both ways,
 * rejected flows, more events than one memo holds).
 */
static void test_memo_addresses(void **state)
{
    static const char *const peers[] = {"9.9.9.9", "8.8.100.77", "8.8.100.3", "1.2.3.4",
                                        "6.6.6.6", "10.0.0.9",   "7.7.7.7",   "5.5.5.5"};
    static struct kept k;
    static char text[NKEEP * 256];
    static struct run one, runs;
    struct cm_intel_snapshot *s = snapshot();
    const struct cm_event *evs[NKEEP];
    struct cm_json_doc doc;
    size_t len;

    (void)state;
    len = (size_t)snprintf(text, sizeof(text), "%s", FLOW_HDR);
    for (size_t i = 0; i < NKEEP; i++) {
        const char *peer = peers[i % 8];
        bool in = i % 3 == 0;

        len += (size_t)snprintf(text + len, sizeof(text) - len,
                                "2 111122223333 eni-0a%zu %s %s %u %u 6 10 840 %zu %zu %s OK\n",
                                i % 4, in ? peer : "10.0.0.5", in ? "10.0.0.5" : peer,
                                in ? 40000 + (unsigned)i : 49152, in ? 22 + (unsigned)(i % 5) : 443,
                                1767607200 + i, 1767607260 + i, i % 5 == 0 ? "REJECT" : "ACCEPT");
    }
    keep_text(&k, &doc, "vpcflow", text, len);
    assert_int_equal(k.n, NKEEP);
    for (size_t i = 0; i < NKEEP; i++) {
        evs[i] = &k.ev[i];
    }
    run_table(&one, memo_ip_detectors, s, evs, NKEEP, false);
    run_table(&runs, memo_ip_detectors, s, evs, NKEEP, true);
    assert_true(one.got.n > 0);
    assert_int_equal(runs.got.n, one.got.n);
    for (size_t i = 0; i < one.got.n; i++) {
        assert_string_equal(runs.got.type[i], one.got.type[i]);
        assert_string_equal(runs.got.actor[i], one.got.actor[i]);
    }
    cm_json_doc_finish(&doc);

    /* CloudTrail: a run of single-record files, one caller each. */
    {
        static struct kept all;
        static struct cm_json_doc docs[8];

        all.n = 0;
        for (size_t i = 0; i < 8; i++) {
            const char *t = ct("iam.amazonaws.com", "ListUsers", peers[i], NULL);

            keep_text(&k, &docs[i], "cloudtrail", t, strlen(t));
            assert_int_equal(k.n, 1);
            all.ev[all.n++] = k.ev[0];
        }
        for (size_t i = 0; i < all.n; i++) {
            evs[i] = &all.ev[i];
        }
        run_table(&one, memo_ip_detectors, s, evs, all.n, false);
        run_table(&runs, memo_ip_detectors, s, evs, all.n, true);
        assert_true(one.got.n > 0);
        assert_int_equal(runs.got.n, one.got.n);
        for (size_t i = 0; i < one.got.n; i++) {
            assert_string_equal(runs.got.type[i], one.got.type[i]);
        }
        for (size_t i = 0; i < 8; i++) {
            cm_json_doc_finish(&docs[i]);
        }
    }
    cm_intel_snapshot_unref(s);
}

static void test_classes(void **state)
{
    (void)state;
    assert_int_equal(cm_api_classify(CM_STR_LIT("ListBuckets")), CM_API_RECON);
    assert_int_equal(cm_api_classify(CM_STR_LIT("DescribeInstances")), CM_API_RECON);
    assert_int_equal(cm_api_classify(CM_STR_LIT("GetCallerIdentity")), CM_API_RECON);
    assert_int_equal(cm_api_classify(CM_STR_LIT("GenerateCredentialReport")), CM_API_RECON);
    assert_int_equal(cm_api_classify(CM_STR_LIT("GetSecretValue")), CM_API_OTHER);
    assert_int_equal(cm_api_classify(CM_STR_LIT("GenerateDataKey")), CM_API_OTHER);
    assert_int_equal(cm_api_classify(CM_STR_LIT("Listen")), CM_API_OTHER);
    assert_int_equal(cm_api_classify(CM_STR_LIT("CreateAccessKey")), CM_API_OTHER);
    assert_int_equal(cm_api_classify(CM_STR_LIT("ConsoleLogin")), CM_API_OTHER);
    /* The threat-list types: Recon lists or describes; a Get of a named thing is not. */
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("ListBuckets")), CM_API_RECON);
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("DescribeInstances")), CM_API_RECON);
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("GenerateCredentialReport")), CM_API_RECON);
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("GetUser")), CM_API_OTHER);
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("GetCallerIdentity")), CM_API_OTHER);
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("BatchGetSecretValue")), CM_API_OTHER);
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("GetSecretValue")), CM_API_OTHER);
    assert_int_equal(cm_api_intel_classify(CM_STR_LIT("CreateAccessKey")), CM_API_OTHER);
    assert_int_equal(cm_s3_classify(CM_STR_LIT("ListObjectsV2")), CM_S3_DISCOVERY);
    assert_int_equal(cm_s3_classify(CM_STR_LIT("HeadObject")), CM_S3_DISCOVERY);
    assert_int_equal(cm_s3_classify(CM_STR_LIT("GetBucketPolicy")), CM_S3_DISCOVERY);
    assert_int_equal(cm_s3_classify(CM_STR_LIT("GetObject")), CM_S3_EXFILTRATION);
    assert_int_equal(cm_s3_classify(CM_STR_LIT("CopyObject")), CM_S3_EXFILTRATION);
    assert_int_equal(cm_s3_classify(CM_STR_LIT("PutBucketPolicy")), CM_S3_IMPACT);
    assert_int_equal(cm_s3_classify(CM_STR_LIT("DeleteObjects")), CM_S3_IMPACT);
    assert_null(cm_intel_type_flow(CM_CAT_CNC, false));
    assert_null(cm_intel_type_dns(CM_CAT_TOR_EXIT));
    /* A name on a list with no DNS type of its own has a malicious reputation. */
    assert_string_equal(cm_intel_type_dns(CM_CAT_UNKNOWN),
                        "Impact:EC2/MaliciousDomainRequest.Reputation");
    assert_string_equal(cm_intel_type_dns(CM_CAT_SCANNER),
                        "Impact:EC2/MaliciousDomainRequest.Reputation");
    assert_string_equal(cm_intel_type_dns(CM_CAT_MALICIOUS_IP),
                        "Impact:EC2/MaliciousDomainRequest.Reputation");
    /* The reputation classes of domains: their DNS type, nothing for an address. */
    assert_string_equal(cm_intel_type_dns(CM_CAT_ABUSED_DOMAIN),
                        "Impact:EC2/AbusedDomainRequest.Reputation");
    assert_string_equal(cm_intel_type_dns(CM_CAT_BITCOIN_DOMAIN),
                        "Impact:EC2/BitcoinDomainRequest.Reputation");
    assert_string_equal(cm_intel_type_dns(CM_CAT_SUSPICIOUS_DOMAIN),
                        "Impact:EC2/SuspiciousDomainRequest.Reputation");
    for (int c = CM_CAT_ABUSED_DOMAIN; c <= CM_CAT_SUSPICIOUS_DOMAIN; c++) {
        assert_null(cm_intel_type_flow((enum cm_intel_category)c, true));
        assert_null(cm_intel_type_flow((enum cm_intel_category)c, false));
        assert_null(cm_intel_type_iam((enum cm_intel_category)c, CM_API_OTHER));
        assert_null(cm_intel_type_s3((enum cm_intel_category)c, CM_S3_EXFILTRATION));
    }
    assert_null(cm_intel_type_iam(CM_CAT_SINKHOLE, CM_API_RECON));
    assert_string_equal(cm_intel_type_s3(CM_CAT_CUSTOM, CM_S3_IMPACT),
                        "UnauthorizedAccess:S3/MaliciousIPCaller.Custom");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cloudtrail),
        cmocka_unit_test(test_cloudtrail_copy_source),
        cmocka_unit_test(test_cloudtrail_failed_sign_in_has_no_key),
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_dns),
        cmocka_unit_test(test_trusted_sink),
        cmocka_unit_test(test_trusted_count),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_memo_kept_names),
        cmocka_unit_test(test_memo_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
