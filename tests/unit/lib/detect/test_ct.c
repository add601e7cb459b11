/*
 * The CloudTrail detectors of issue #5 (lib/detect/ct_*.c) at the library
 * level: hand-written CloudTrail records go through the real parser into an
 * engine holding every built-in detector, with a config (canary keys and AWS
 * ranges built here, ct_fixture.h's ctfx_locate()); the test checks which types come out,
 * on which resource, with which severity and additionalInfo, and that the
 * near misses of docs/detectors/cloudtrail.md give nothing.
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
#include "base/json.h"
#include "detect/ct.h"
#include "detect/detect.h"
#include "intel/awsranges.h"
#include "inventory/inventory.h"
#include "parse/parse.h"

#include "ct_fixture.h"

#define MAXD 64

struct got {
    char type[MAXD][96];
    char resource[MAXD][96];
    char actor[MAXD][96];
    char info[MAXD][512];
    char remote[MAXD][32];
    double severity[MAXD];
    uint32_t nevidence[MAXD];
    size_t n;
};

struct run {
    struct cm_sink sink;
    struct got got;
};

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct got *g = &((struct run *)sink->ud)->got;

    assert_true(g->n < MAXD);
    snprintf(g->type[g->n], sizeof(g->type[0]), "%s", d->type);
    ctfx_copy(g->resource[g->n], sizeof(g->resource[0]), d->resource_id);
    ctfx_copy(g->actor[g->n], sizeof(g->actor[0]), d->actor);
    ctfx_copy(g->info[g->n], sizeof(g->info[0]), d->info);
    ctfx_copy(g->remote[g->n], sizeof(g->remote[0]), d->remote_account);
    g->severity[g->n] = d->severity;
    g->nevidence[g->n] = d->nevidence;
    g->n++;
    return 0;
}

static const char canary1[] = "AKIACANARY0000000001", canary2[] = "AKIACANARY0000000002";

/* AWS's ranges for the test: 3.0.0.0/8 and 52.0.0.0/8 are inside AWS. */
static const char ranges_json[] =
    "{\"syncToken\":\"1\",\"createDate\":\"2026-01-01-00-00-00\",\"prefixes\":["
    "{\"ip_prefix\":\"3.0.0.0/8\",\"region\":\"us-east-1\",\"service\":\"AMAZON\","
    "\"network_border_group\":\"us-east-1\"},"
    "{\"ip_prefix\":\"52.0.0.0/8\",\"region\":\"us-east-1\",\"service\":\"EC2\","
    "\"network_border_group\":\"us-east-1\"}],\"ipv6_prefixes\":[]}";

/*
 * Runs CloudTrail text (a {"Records": [...]} file) through every detector,
 * with the instances of describe-instances output inv_json (NULL: none).
 */
/* The credential-exfiltration detector's cap on instance addresses (0: the default). */
static uint32_t homes_max;
/* ... and on keys (0: the default). */
static uint32_t creds_max;
/* The console-travel detector's cap on principals (0: the default). */
static uint32_t travel_max;

static void run_text_inv(struct run *r, const char *text, bool with_ranges, const char *inv_json)
{
    struct cm_detect_config cfg;
    struct cm_inventory *inv = NULL;
    struct cm_detect_opts o;
    struct cm_awsranges *ranges = NULL;

    memset(r, 0, sizeof(*r));
    memset(&o, 0, sizeof(o));
    memset(&cfg, 0, sizeof(cfg));
    if (with_ranges) {
        assert_int_equal(
            cm_awsranges_parse(&ranges, ranges_json, strlen(ranges_json), 7, NULL, NULL), 0);
    }
    if (inv_json != NULL) {
        assert_int_equal(cm_inventory_create(&inv, NULL, 7), 0);
        assert_int_equal(cm_inventory_add_describe(inv, inv_json, strlen(inv_json), NULL, NULL), 0);
    }
    cfg.aws_ranges = ranges;
    cfg.inventory = inv;
    cfg.locate = ctfx_locate;
    cfg.ct.exfil_homes_max = homes_max;
    cfg.ct.exfil_creds_max = creds_max;
    cfg.ct.travel_keys_max = travel_max;
    struct cm_str canaries[2] = {{canary1, sizeof(canary1) - 1}, {canary2, sizeof(canary2) - 1}};

    cfg.canary_keys = canaries;
    cfg.ncanary = 2;
    o.config = &cfg;
    o.seed = 1;
    r->sink.emit = collect;
    r->sink.ud = r;
    ctfx_run(text, strlen(text), &o, &r->sink);
    cm_awsranges_destroy(ranges);
    cm_inventory_destroy(inv);
}

/* Runs CloudTrail text (a {"Records": [...]} file) through every detector. */
static void run_text(struct run *r, const char *text, bool with_ranges)
{
    run_text_inv(r, text, with_ranges, NULL);
}

static size_t count(const struct got *g, const char *type)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++) {
        n += strcmp(g->type[i], type) == 0;
    }
    return n;
}

static int first(const struct got *g, const char *type)
{
    for (size_t i = 0; i < g->n; i++) {
        if (strcmp(g->type[i], type) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* ---- records ---- */

#define IAMUSER                                                                                    \
    "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDAALICE\",\"arn\":"                \
    "\"arn:aws:iam::111122223333:user/alice\",\"accountId\":\"111122223333\",\"accessKeyId\":"     \
    "\"AKIAALICE0000000001\",\"userName\":\"alice\"}"
#define ROOT                                                                                       \
    "\"userIdentity\":{\"type\":\"Root\",\"principalId\":\"111122223333\",\"arn\":"                \
    "\"arn:aws:iam::111122223333:root\",\"accountId\":\"111122223333\",\"accessKeyId\":"           \
    "\"ASIAROOT00000000001\"}"
#define INSTANCE(key)                                                                              \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAWEB:i-0123456789abcdef0\","  \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/web/i-0123456789abcdef0\",\"accountId\":"    \
    "\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{\"sessionIssuer\":{"         \
    "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/web\",\"userName\":\"web\"},"      \
    "\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\",\"mfaAuthenticated\":\"false\"},"   \
    "\"ec2RoleDelivery\":\"2.0\"}}"
/* Credentials of another instance of the account (the app fleet behind a NAT gateway). */
#define INSTANCE_OF(id, key)                                                                       \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAAPP:" id "\","               \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/app/" id "\",\"accountId\":"                 \
    "\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{\"sessionIssuer\":{"         \
    "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/app\",\"userName\":\"app\"},"      \
    "\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\",\"mfaAuthenticated\":\"false\"},"   \
    "\"ec2RoleDelivery\":\"2.0\"}}"
#define NODE_E(key) INSTANCE_OF("i-0a1b2c3d4e5f60005", key)
#define NODE_F(key) INSTANCE_OF("i-0a1b2c3d4e5f60006", key)
#define LAMBDA(key)                                                                                \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAFN:resize\",\"arn\":"        \
    "\"arn:aws:sts::111122223333:assumed-role/fn-role/resize\",\"accountId\":\"111122223333\","    \
    "\"accessKeyId\":\"" key "\"}"
#define COMMON                                                                                     \
    "\"eventVersion\":\"1.08\",\"awsRegion\":\"us-east-1\",\"eventType\":\"AwsApiCall\","          \
    "\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"Management\""

/* One record: identity, time (seconds after 10:00), source, name, address, agent, extra members. */
static char *rec(char *out, size_t cap, const char *uid, int at, const char *src, const char *name,
                 const char *ip, const char *ua, const char *extra)
{
    snprintf(out, cap,
             "{%s,%s,\"eventTime\":\"2026-01-05T%02d:%02d:%02dZ\",\"eventSource\":\"%s\","
             "\"eventName\":\"%s\",\"sourceIPAddress\":\"%s\",\"userAgent\":\"%s\","
             "\"eventID\":\"%s-%d\"%s%s}",
             COMMON, uid, 10 + at / 3600, at / 60 % 60, at % 60, src, name, ip, ua, name, at,
             extra ? "," : "", extra ? extra : "");
    return out;
}

/* Joins records into a {"Records": [...]} file (static buffer). */
static const char *file(const char *a, ...)
{
    static char buf[1 << 16];
    va_list ap;
    size_t n = (size_t)snprintf(buf, sizeof(buf), "{\"Records\":[%s", a);

    va_start(ap, a);
    for (const char *r = va_arg(ap, const char *); r != NULL; r = va_arg(ap, const char *)) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",%s", r);
    }
    va_end(ap);
    snprintf(buf + n, sizeof(buf) - n, "]}");
    return buf;
}

#define CLI  "aws-cli/2.15.22 Python/3.11.6 Linux/6.1.0-18-amd64 exe/x86_64.debian.12"
#define R(n) char r##n[4096]

/* ---- root ---- */

static void test_root(void **state)
{
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);

    (void)state;
    run_text(&r,
             file(rec(r1, sizeof(r1), ROOT, 0, "signin.amazonaws.com", "ConsoleLogin", "198.51.7.7",
                      "Mozilla/5.0", "\"responseElements\":{\"ConsoleLogin\":\"Success\"}"),
                  rec(r2, sizeof(r2), ROOT, 60, "iam.amazonaws.com", "ListUsers", "198.51.7.7",
                      "console.amazonaws.com", NULL),
                  /* near misses: a failed sign-in, a service acting as root */
                  rec(r3, sizeof(r3), ROOT, 120, "signin.amazonaws.com", "ConsoleLogin",
                      "198.51.7.8", "Mozilla/5.0",
                      "\"errorMessage\":\"Failed authentication\","
                      "\"responseElements\":{\"ConsoleLogin\":\"Failure\"}"),
                  rec(r4, sizeof(r4),
                      "\"userIdentity\":{\"type\":\"Root\",\"principalId\":\"111122223333\","
                      "\"accountId\":\"111122223333\",\"invokedBy\":\"support.amazonaws.com\"}",
                      180, "iam.amazonaws.com", "GetAccountSummary", "support.amazonaws.com",
                      "support.amazonaws.com", NULL),
                  rec(r5, sizeof(r5),
                      "\"userIdentity\":{\"type\":\"Root\",\"principalId\":\"111122223333\","
                      "\"arn\":\"arn:aws:iam::111122223333:root\",\"accountId\":\"111122223333\","
                      "\"accessKeyId\":\"ASIASHORT0000000001\",\"sessionContext\":{"
                      "\"assumedRoot\":\"true\"}}",
                      240, "s3.amazonaws.com", "DeleteBucketPolicy", "198.51.7.9", CLI,
                      "\"requestParameters\":{\"bucketName\":\"locked\"}"),
                  NULL),
             false);
    assert_int_equal(count(&r.got, "Policy:IAMUser/RootCredentialUsage"), 2);
    assert_int_equal(count(&r.got, "Policy:IAMUser/ShortTermRootCredentialUsage"), 1);
    assert_string_equal(r.got.resource[first(&r.got, "Policy:IAMUser/RootCredentialUsage")],
                        "ASIAROOT00000000001");
    assert_int_equal(r.got.n, 3);
}

/* ---- CloudTrail and Bedrock logging ---- */

static void test_cloudtrail_logging(void **state)
{
    const char *t = "Stealth:IAMUser/CloudTrailLoggingDisabled";
    const char *ct = "cloudtrail.amazonaws.com";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);
    R(8);
    R(9);
    R(10);
    R(11);
    R(12);

    (void)state;
    run_text(
        &r,
        file(rec(r1, sizeof(r1), IAMUSER, 0, ct, "CreateTrail", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"name\":\"main\",\"s3BucketName\":\"org-trail-logs\"}"),
             rec(r2, sizeof(r2), IAMUSER, 10, ct, "StopLogging", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"name\":\"main\"}"),
             rec(r3, sizeof(r3), IAMUSER, 20, ct, "DeleteTrail", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"name\":\"main\"}"),
             rec(r4, sizeof(r4), IAMUSER, 30, ct, "PutEventSelectors", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"trailName\":\"main\",\"eventSelectors\":[{"
                 "\"readWriteType\":\"ReadOnly\",\"includeManagementEvents\":false,"
                 "\"dataResources\":[{\"type\":\"AWS::S3::Object\",\"values\":[]}]}]}"),
             rec(r5, sizeof(r5), IAMUSER, 40, "s3.amazonaws.com", "DeleteBucket", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"org-trail-logs\"}"),
             /* near misses */
             rec(r6, sizeof(r6), IAMUSER, 50, ct, "StopLogging", "198.51.1.1", CLI,
                 "\"errorCode\":\"AccessDenied\",\"requestParameters\":{\"name\":\"main\"}"),
             rec(r7, sizeof(r7), IAMUSER, 60, ct, "StartLogging", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"name\":\"main\"}"),
             rec(r8, sizeof(r8), IAMUSER, 70, ct, "UpdateTrail", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"name\":\"main\",\"s3KeyPrefix\":\"new\"}"),
             rec(r9, sizeof(r9), IAMUSER, 80, "s3.amazonaws.com", "DeleteBucket", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"scratch-data\"}"),
             rec(r10, sizeof(r10), IAMUSER, 90, ct, "PutEventSelectors", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"trailName\":\"main\",\"eventSelectors\":[{"
                 "\"readWriteType\":\"All\",\"includeManagementEvents\":true}]}"),
             rec(r11, sizeof(r11), IAMUSER, 100, "bedrock.amazonaws.com",
                 "DeleteModelInvocationLoggingConfiguration", "198.51.1.1", CLI, NULL),
             /* adding S3 data events: includeManagementEvents left out is true (the API's
                default), so the trail still records management events */
             rec(r12, sizeof(r12), IAMUSER, 110, ct, "PutEventSelectors", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"trailName\":\"main\",\"eventSelectors\":[{"
                 "\"readWriteType\":\"All\",\"dataResources\":[{\"type\":"
                 "\"AWS::S3::Object\",\"values\":[]}]}]}"),
             NULL),
        false);
    assert_int_equal(count(&r.got, t), 4);
    assert_int_equal(count(&r.got, "DefenseEvasion:IAMUser/BedrockLoggingDisabled"), 1);
    assert_string_equal(r.got.resource[first(&r.got, t)], "AKIAALICE0000000001");
    assert_int_equal(r.got.n, 5);
}

/*
 * A trail created before the logs being read: its bucket is known from
 * CloudTrail's own GetBucketAcl (management) and PutObject (S3 data) calls on it,
 * so emptying and deleting it is CloudTrailLoggingDisabled. The same calls by
 * AWS Config name a bucket that is no trail's.
 */
#define SVC(svc) "\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":\"" svc "\"}"
#define DATA     "\"eventCategory\":\"Data\",\"managementEvent\":false,"

static void test_trail_bucket_from_delivery(void **state)
{
    const char *t = "Stealth:IAMUser/CloudTrailLoggingDisabled", *s3 = "s3.amazonaws.com";
    const char *ctsvc = "cloudtrail.amazonaws.com", *cfgsvc = "config.amazonaws.com";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);

    (void)state;
    run_text(
        &r,
        file(rec(r1, sizeof(r1), SVC("cloudtrail.amazonaws.com"), 0, s3, "GetBucketAcl", ctsvc,
                 ctsvc, "\"requestParameters\":{\"bucketName\":\"audit-logs\",\"acl\":\"\"}"),
             rec(r2, sizeof(r2), SVC("cloudtrail.amazonaws.com"), 10, s3, "PutObject", ctsvc, ctsvc,
                 DATA "\"requestParameters\":{\"bucketName\":\"org-logs\",\"key\":"
                      "\"AWSLogs/111122223333/CloudTrail/x.json.gz\"}"),
             rec(r3, sizeof(r3), SVC("config.amazonaws.com"), 20, s3, "GetBucketAcl", cfgsvc,
                 cfgsvc, "\"requestParameters\":{\"bucketName\":\"config-logs\",\"acl\":\"\"}"),
             rec(r4, sizeof(r4), IAMUSER, 30, s3, "GetBucketAcl", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"scratch\",\"acl\":\"\"}"),
             rec(r5, sizeof(r5), IAMUSER, 40, s3, "DeleteBucket", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"audit-logs\"}"),
             rec(r6, sizeof(r6), IAMUSER, 50, s3, "DeleteBucket", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"org-logs\"}"),
             /* near misses: Config's bucket, a bucket a user read the ACL of */
             rec(r7, sizeof(r7), IAMUSER, 60, s3, "DeleteBucket", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"config-logs\"}"),
             NULL),
        false);
    assert_int_equal(count(&r.got, t), 2);
    assert_string_equal(r.got.resource[first(&r.got, t)], "AKIAALICE0000000001");
    assert_int_equal(r.got.n, 2);
    run_text(&r,
             file(rec(r4, sizeof(r4), IAMUSER, 30, s3, "GetBucketAcl", "198.51.1.1", CLI,
                      "\"requestParameters\":{\"bucketName\":\"scratch\",\"acl\":\"\"}"),
                  rec(r5, sizeof(r5), IAMUSER, 40, s3, "DeleteBucket", "198.51.1.1", CLI,
                      "\"requestParameters\":{\"bucketName\":\"scratch\"}"),
                  NULL),
             false);
    assert_int_equal(r.got.n, 0);
}

/*
 * A trail moved to another bucket (a central log archive): CloudTrail stops checking the
 * old one, which is deleted later: no finding. Deleted while CloudTrail still delivers to
 * it (another trail), or within the hour, it is; so is a bucket CloudTrail was never seen
 * to deliver to (a trail that logs no reads) that a CreateTrail named.
 */
static void test_trail_bucket_moved(void **state)
{
    const char *t = "Stealth:IAMUser/CloudTrailLoggingDisabled", *s3 = "s3.amazonaws.com";
    const char *ctsvc = "cloudtrail.amazonaws.com";
#define ACL(b) "\"requestParameters\":{\"bucketName\":\"" b "\",\"acl\":\"\"}"
#define DEL(b) "\"requestParameters\":{\"bucketName\":\"" b "\"}"
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);
    R(8);

    (void)state;
    for (int late = 0; late < 2; late++) {
        int64_t del = late ? 7200 : 1800;
        run_text(&r,
                 file(rec(r1, sizeof(r1), SVC("cloudtrail.amazonaws.com"), 0, s3, "GetBucketAcl",
                          ctsvc, ctsvc, ACL("aws-cloudtrail-logs-111122223333-1a2b")),
                      rec(r2, sizeof(r2), SVC("cloudtrail.amazonaws.com"), 5, s3, "GetBucketAcl",
                          ctsvc, ctsvc, ACL("other-trail-logs")),
                      rec(r3, sizeof(r3), IAMUSER, 300, "cloudtrail.amazonaws.com", "CreateTrail",
                          "198.51.1.1", CLI,
                          "\"requestParameters\":{\"name\":\"writes\",\"s3BucketName\":"
                          "\"write-only-logs\"}"),
                      /* the move, a file in flight, then only the other trail's checks */
                      rec(r4, sizeof(r4), IAMUSER, 600, "cloudtrail.amazonaws.com", "UpdateTrail",
                          "198.51.1.1", CLI,
                          "\"requestParameters\":{\"name\":\"main\",\"s3BucketName\":"
                          "\"org-log-archive\"}"),
                      rec(r5, sizeof(r5), SVC("cloudtrail.amazonaws.com"), 700, s3, "GetBucketAcl",
                          ctsvc, ctsvc, ACL("aws-cloudtrail-logs-111122223333-1a2b")),
                      rec(r6, sizeof(r6), SVC("cloudtrail.amazonaws.com"), del - 60, s3,
                          "GetBucketAcl", ctsvc, ctsvc, ACL("other-trail-logs")),
                      rec(r7, sizeof(r7), IAMUSER, del, s3, "DeleteBucket", "198.51.1.1", CLI,
                          DEL("aws-cloudtrail-logs-111122223333-1a2b")),
                      rec(r8, sizeof(r8), IAMUSER, del + 10, s3, "DeleteBucket", "198.51.1.1", CLI,
                          DEL("other-trail-logs")),
                      NULL),
                 false);
        /* within the hour the old bucket counts; the live one always */
        assert_int_equal(count(&r.got, t), late ? 1 : 2);
        assert_int_equal(r.got.n, late ? 1 : 2);
        run_text(&r,
                 file(rec(r3, sizeof(r3), IAMUSER, 300, "cloudtrail.amazonaws.com", "CreateTrail",
                          "198.51.1.1", CLI,
                          "\"requestParameters\":{\"name\":\"writes\",\"s3BucketName\":"
                          "\"write-only-logs\"}"),
                      rec(r4, sizeof(r4), IAMUSER, 600, "cloudtrail.amazonaws.com", "UpdateTrail",
                          "198.51.1.1", CLI,
                          "\"requestParameters\":{\"name\":\"main\",\"s3BucketName\":"
                          "\"org-log-archive\"}"),
                      rec(r7, sizeof(r7), IAMUSER, del, s3, "DeleteBucket", "198.51.1.1", CLI,
                          DEL("write-only-logs")),
                      NULL),
                 false);
        assert_int_equal(count(&r.got, t), 1);
    }
#undef ACL
#undef DEL
}

/* ---- password policy ---- */

static void test_password_policy(void **state)
{
    const char *t = "Stealth:IAMUser/PasswordPolicyChange", *iam = "iam.amazonaws.com";
    struct run r;
    int i;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);

    (void)state;
    run_text(
        &r,
        file(
            rec(r1, sizeof(r1), IAMUSER, 0, iam, "UpdateAccountPasswordPolicy", "198.51.1.1", CLI,
                "\"requestParameters\":{\"minimumPasswordLength\":14,\"requireSymbols\":"
                "true,\"requireNumbers\":true,\"requireUppercaseCharacters\":true,"
                "\"requireLowercaseCharacters\":true,\"allowUsersToChangePassword\":true,"
                "\"maxPasswordAge\":90,\"passwordReusePrevention\":24}"),
            rec(r2, sizeof(r2), IAMUSER, 60, iam, "UpdateAccountPasswordPolicy", "198.51.1.1", CLI,
                "\"requestParameters\":{\"minimumPasswordLength\":6}"),
            /* stronger again: nothing */
            rec(r3, sizeof(r3), IAMUSER, 120, iam, "UpdateAccountPasswordPolicy", "198.51.1.1", CLI,
                "\"requestParameters\":{\"minimumPasswordLength\":12,\"requireSymbols\":"
                "true}"),
            /* a denied attempt to weaken is a finding; it changes nothing remembered */
            rec(r4, sizeof(r4), IAMUSER, 180, iam, "UpdateAccountPasswordPolicy", "198.51.1.1", CLI,
                "\"errorCode\":\"AccessDenied\",\"requestParameters\":{"
                "\"minimumPasswordLength\":10,\"requireSymbols\":true}"),
            rec(r5, sizeof(r5), IAMUSER, 240, iam, "DeleteAccountPasswordPolicy", "198.51.1.1", CLI,
                NULL),
            NULL),
        false);
    assert_int_equal(count(&r.got, t), 3);
    /* 14 -> 6 (4 points), four flags (4), reuse 24 -> 0 (2), age removed (1): High */
    assert_true(r.got.severity[0] == 8.0);
    assert_non_null(strstr(r.got.info[0], "\"oldPolicy\":{\"minimumPasswordLength\":14"));
    assert_non_null(strstr(r.got.info[0], "\"newPolicy\":{\"minimumPasswordLength\":6"));
    /* 12 -> 10: Low */
    i = 1;
    assert_true(r.got.severity[i] == 2.0);
    /* delete of {12, symbols}: length 12 -> 8 (4) + symbols (1): Medium */
    assert_true(r.got.severity[2] == 5.0);
    assert_non_null(strstr(r.got.info[2], "\"newPolicy\":{}"));
}

/* ---- pentest user agents ---- */

static void test_pentest(void **state)
{
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);

    (void)state;
    run_text(
        &r,
        file(rec(r1, sizeof(r1), IAMUSER, 0, "sts.amazonaws.com", "GetCallerIdentity", "198.51.1.1",
                 "aws-cli/2.15.22 Python/3.11.6 Linux/6.6.9-amd64 exe/x86_64.kali.2024", NULL),
             rec(r2, sizeof(r2), IAMUSER, 10, "iam.amazonaws.com", "ListUsers", "198.51.1.1",
                 "Boto3/1.28 Python/3.11 Linux/6.1.0-1parrot1-amd64 Botocore/1.31", NULL),
             rec(r3, sizeof(r3), IAMUSER, 20, "s3.amazonaws.com", "GetObject", "198.51.1.1",
                 "aws-cli/2.11 os/linux#6.1.31-pentoo md/distrib#pentoo",
                 "\"requestParameters\":{\"bucketName\":\"loot\",\"key\":\"a\"},"
                 "\"eventCategory\":\"Data\""),
             /* near misses: the name in the parameters, a word containing it */
             rec(r4, sizeof(r4), IAMUSER, 30, "ec2.amazonaws.com", "CreateTags", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"tagSet\":{\"items\":[{\"key\":\"Name\","
                 "\"value\":\"kali-build\"}]}}"),
             rec(r5, sizeof(r5), IAMUSER, 40, "ec2.amazonaws.com", "DescribeVpcs", "198.51.1.1",
                 "kalimba/1.0 parrots/2", NULL),
             NULL),
        false);
    assert_int_equal(count(&r.got, "PenTest:IAMUser/KaliLinux"), 1);
    assert_int_equal(count(&r.got, "PenTest:IAMUser/ParrotLinux"), 1);
    assert_int_equal(count(&r.got, "PenTest:S3/PentooLinux"), 1);
    assert_string_equal(r.got.resource[first(&r.got, "PenTest:S3/PentooLinux")], "loot");
    assert_string_equal(r.got.actor[first(&r.got, "PenTest:S3/PentooLinux")],
                        "AKIAALICE0000000001");
    assert_int_equal(r.got.n, 3);
}

/*
 * Trails from before eventCategory (records of eventVersion 1.08 and older) mark an S3 data
 * event with managementEvent false alone. Before 2026-12-04 such a GetObject from Kali was
 * PenTest:IAMUser/KaliLinux on the access key, not PenTest:S3/KaliLinux on the bucket, and the
 * S3 behaviour models (AnomalousBehavior) read none of these events.
 */
#define OLD_S3(at, name, mgmt)                                                                     \
    "{\"eventVersion\":\"1.08\",\"awsRegion\":\"us-east-1\",\"eventType\":\"AwsApiCall\","         \
    "\"recipientAccountId\":\"111122223333\"," IAMUSER ",\"eventTime\":\"2026-01-05T10:00:" at     \
    "Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"" name "\",\"sourceIPAddress\":"     \
    "\"198.51.1.1\",\"userAgent\":\"aws-cli/2.23.6 ua/2.0 md/distrib#kali.2025\","                 \
    "\"eventID\":\"old-" at                                                                        \
    "\",\"requestParameters\":{\"bucketName\":\"loot\",\"key\":\"a\"}" mgmt "}"

static void test_pentest_s3_before_category(void **state)
{
    static const char text[] =
        "{\"Records\":[" OLD_S3("00", "GetObject", ",\"managementEvent\":false") ","
        /* near misses: a management event on the bucket, a record that says neither */
        OLD_S3("10", "GetBucketAcl", ",\"managementEvent\":true") "," OLD_S3("20", "ListBuckets",
                                                                             "") "]}";
    struct run r;

    (void)state;
    run_text(&r, text, false);
    assert_int_equal(count(&r.got, "PenTest:S3/KaliLinux"), 1);
    assert_string_equal(r.got.resource[first(&r.got, "PenTest:S3/KaliLinux")], "loot");
    assert_int_equal(count(&r.got, "PenTest:IAMUser/KaliLinux"), 2);
    assert_int_equal(r.got.n, 3);
}

/* ---- S3 ---- */

static void test_s3_settings(void **state)
{
    const char *s3 = "s3.amazonaws.com";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);
    R(8);
    R(9);
    R(10);

    (void)state;
    run_text(
        &r,
        file(rec(r1, sizeof(r1), IAMUSER, 0, s3, "PutAccountPublicAccessBlock", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"PublicAccessBlockConfiguration\":{"
                 "\"BlockPublicAcls\":false,\"IgnorePublicAcls\":false,\"BlockPublicPolicy\":"
                 "false,\"RestrictPublicBuckets\":false}}"),
             rec(r2, sizeof(r2), IAMUSER, 10, s3, "DeleteBucketPublicAccessBlock", "198.51.1.1",
                 CLI, "\"requestParameters\":{\"bucketName\":\"web\"}"),
             rec(r3, sizeof(r3), IAMUSER, 20, s3, "PutBucketPublicAccessBlock", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"PublicAccessBlockConfiguration\""
                 ":{\"BlockPublicAcls\":false,\"RestrictPublicBuckets\":false}}"),
             rec(r4, sizeof(r4), IAMUSER, 30, s3, "PutBucketLogging", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"BucketLoggingStatus\":{"
                 "\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\"}}"),
             rec(r5, sizeof(r5), IAMUSER, 40, s3, "PutBucketPolicy", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"bucketPolicy\":{\"Version\":"
                 "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                 "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::web/*\"}]}}"),
             rec(r6, sizeof(r6), IAMUSER, 50, s3, "PutBucketAcl", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"x-amz-acl\":"
                 "\"authenticated-read\"}"),
             /* near misses */
             rec(r7, sizeof(r7), IAMUSER, 60, s3, "PutBucketPublicAccessBlock", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"PublicAccessBlockConfiguration\""
                 ":{\"BlockPublicAcls\":false,\"IgnorePublicAcls\":false,\"BlockPublicPolicy\":"
                 "true,\"RestrictPublicBuckets\":false}}"),
             rec(r8, sizeof(r8), IAMUSER, 70, s3, "PutBucketLogging", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"BucketLoggingStatus\":{"
                 "\"LoggingEnabled\":{\"TargetBucket\":\"logs\",\"TargetPrefix\":\"web/\"}}}"),
             rec(r9, sizeof(r9), IAMUSER, 80, s3, "PutBucketPolicy", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"bucketPolicy\":{\"Statement\":"
                 "[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                 "\"Resource\":\"arn:aws:s3:::web/*\",\"Condition\":{\"StringEquals\":{"
                 "\"aws:SourceVpce\":\"vpce-1a2b3c4d\"}}}]}}"),
             rec(r10, sizeof(r10), IAMUSER, 90, s3, "PutBucketPolicy", "198.51.1.1", CLI,
                 "\"errorCode\":\"AccessDenied\",\"requestParameters\":{\"bucketName\":\"web\","
                 "\"bucketPolicy\":{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                 "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}}"),
             NULL),
        false);
    assert_int_equal(count(&r.got, "Policy:S3/AccountBlockPublicAccessDisabled"), 1);
    assert_int_equal(count(&r.got, "Policy:S3/BucketBlockPublicAccessDisabled"), 2);
    assert_int_equal(count(&r.got, "Stealth:S3/ServerAccessLoggingDisabled"), 1);
    assert_int_equal(count(&r.got, "Policy:S3/BucketAnonymousAccessGranted"), 1);
    assert_int_equal(count(&r.got, "Policy:S3/BucketPublicAccessGranted"), 1);
    assert_int_equal(r.got.n, 6);
}

/*
 * A BucketLoggingStatus without the S3 namespace is an empty XML element that
 * CloudTrail writes as "" (or null): logging is off as much as with {"xmlns": ...}.
 * A status that is missing says nothing.
 */
static void test_s3_logging_empty_element(void **state)
{
    const char *s3 = "s3.amazonaws.com";
    struct run r;
    R(1);
    R(2);
    R(3);

    (void)state;
    run_text(
        &r,
        file(rec(r1, sizeof(r1), IAMUSER, 0, s3, "PutBucketLogging", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"BucketLoggingStatus\":\"\","
                 "\"logging\":\"\"}"),
             rec(r2, sizeof(r2), IAMUSER, 10, s3, "PutBucketLogging", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"app\",\"BucketLoggingStatus\":null}"),
             /* near miss: no status at all */
             rec(r3, sizeof(r3), IAMUSER, 20, s3, "PutBucketLogging", "198.51.1.1", CLI,
                 "\"requestParameters\":{\"bucketName\":\"web\",\"logging\":\"\"}"),
             NULL),
        false);
    assert_int_equal(count(&r.got, "Stealth:S3/ServerAccessLoggingDisabled"), 2);
    assert_int_equal(r.got.n, 2);
}

/* ---- instance and Lambda credentials ---- */

static void test_instance_credentials(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    const char *in = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS";
    struct run r;
    int i;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);

    (void)state;
    run_text(&r,
             file(/* the instance, from its own address (inside AWS) */
                  rec(r1, sizeof(r1), INSTANCE("ASIAINST0000000001"), 0, "s3.amazonaws.com",
                      "ListBuckets", "3.80.1.1", "Boto3/1.34", NULL),
                  /* its own VPC endpoint */
                  rec(r2, sizeof(r2), INSTANCE("ASIAINST0000000001"), 10, "s3.amazonaws.com",
                      "ListBuckets", "10.0.1.5", "Boto3/1.34",
                      "\"vpcEndpointId\":\"vpce-own\",\"vpcEndpointAccountId\":\"111122223333\""),
                  /* an AWS service with the credentials */
                  rec(r3, sizeof(r3),
                      "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::"
                      "111122223333:assumed-role/web/i-0123456789abcdef0\",\"accountId\":"
                      "\"111122223333\",\"accessKeyId\":\"ASIAINST0000000001\",\"invokedBy\":"
                      "\"ec2.amazonaws.com\"}",
                      20, "kms.amazonaws.com", "Decrypt", "ec2.amazonaws.com", "ec2.amazonaws.com",
                      NULL),
                  /*
                   * elsewhere: outside AWS, another AWS address, another account's endpoint
                   * (after the first 15 minutes, while the account's egress is learned)
                   */
                  rec(r4, sizeof(r4), INSTANCE("ASIAINST0000000001"), 930, "iam.amazonaws.com",
                      "ListUsers", "198.51.77.7", CLI, NULL),
                  rec(r5, sizeof(r5), INSTANCE("ASIAINST0000000001"), 940, "iam.amazonaws.com",
                      "ListRoles", "52.1.2.3", CLI, NULL),
                  rec(r6, sizeof(r6), INSTANCE("ASIAINST0000000001"), 950, "s3.amazonaws.com",
                      "ListBuckets", "10.9.9.9", CLI,
                      "\"vpcEndpointId\":\"vpce-evil\",\"vpcEndpointAccountId\":"
                      "\"999988887777\""),
                  /* the instance again: still quiet */
                  rec(r7, sizeof(r7), INSTANCE("ASIAINST0000000001"), 960, "s3.amazonaws.com",
                      "ListBuckets", "3.80.1.1", "Boto3/1.34", NULL),
                  NULL),
             true);
    assert_int_equal(count(&r.got, out), 1);
    assert_int_equal(count(&r.got, in), 2);
    assert_string_equal(r.got.resource[first(&r.got, out)], "ASIAINST0000000001");
    for (i = 0; i < (int)r.got.n; i++) {
        if (strcmp(r.got.type[i], in) == 0 && r.got.remote[i][0]) {
            assert_string_equal(r.got.remote[i], "999988887777");
        }
    }
    assert_int_equal(r.got.n, 3);
}

/*
 * A download through a presigned URL that an application on the instance or in the
 * function signed (S3: AuthenticationMethod QueryString) is a browser holding a link, not
 * the credentials: no finding, as GuardDuty raises none. Before, 36 such downloads from
 * customers' addresses over 3 days gave InstanceCredentialExfiltration.OutsideAWS and
 * ResourceCredentialExfiltration.OutsideAWS (hs3's bucket estate). The same key used with
 * a signed header from there still is one.
 */
static void test_presigned_downloads(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    const char *fn = "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS";
    const char *ua = "Boto3/1.34 md/Botocore#1.34 exec-env/AWS_Lambda_python3.12";
    const char *browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0";
    const char *qs = "\"additionalEventData\":{\"AuthenticationMethod\":\"QueryString\","
                     "\"SignatureVersion\":\"SigV4\"}";
    const char *hdr = "\"additionalEventData\":{\"AuthenticationMethod\":\"AuthHeader\","
                      "\"SignatureVersion\":\"SigV4\"}";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);

    (void)state;
    run_text(&r,
             file(/* the instance and the function, where they run */
                  rec(r1, sizeof(r1), INSTANCE("ASIAINST0000000001"), 0, "s3.amazonaws.com",
                      "GetObject", "3.80.1.1", "Boto3/1.34", hdr),
                  rec(r2, sizeof(r2), LAMBDA("ASIAFN000000000001"), 10, "s3.amazonaws.com",
                      "GetObject", "3.5.5.5", ua, hdr),
                  /* their presigned links, opened by customers' browsers */
                  rec(r3, sizeof(r3), INSTANCE("ASIAINST0000000001"), 930, "s3.amazonaws.com",
                      "GetObject", "198.51.77.7", browser, qs),
                  rec(r4, sizeof(r4), LAMBDA("ASIAFN000000000001"), 940, "s3.amazonaws.com",
                      "GetObject", "203.0.77.50", browser, qs),
                  /* the instance's key itself used from there: still a finding */
                  rec(r5, sizeof(r5), INSTANCE("ASIAINST0000000001"), 950, "s3.amazonaws.com",
                      "GetObject", "198.51.77.7", CLI, hdr),
                  rec(r6, sizeof(r6), LAMBDA("ASIAFN000000000001"), 960, "s3.amazonaws.com",
                      "ListBuckets", "203.0.77.50", CLI, NULL),
                  NULL),
             true);
    assert_int_equal(count(&r.got, out), 1);
    assert_int_equal(count(&r.got, fn), 1);
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.resource[first(&r.got, out)], "ASIAINST0000000001");
}

/*
 * A flood of role sessions named like instance ids (anyone allowed to assume
 * a role can mint them, one a call) does not push out a real instance's
 * addresses. Before, they shared one table: with 8 such sessions through a
 * table of 4, the instance's established address was evicted, and its key
 * used from outside was taken for the instance's new address: no finding.
 */
static void test_instance_home_flood(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    static char recs[11][1024];
    struct run r;

    (void)state;
    rec(recs[0], sizeof(recs[0]), INSTANCE("ASIAINST0000000001"), 0, "s3.amazonaws.com",
        "ListBuckets", "3.80.1.1", "Boto3/1.34", NULL);
    rec(recs[1], sizeof(recs[1]), INSTANCE("ASIAINST0000000002"), 100, "s3.amazonaws.com",
        "ListBuckets", "3.80.1.1", "Boto3/1.34", NULL);
    for (int i = 0; i < 8; i++) {
        char uid[512];

        snprintf(uid, sizeof(uid),
                 "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAANY:"
                 "i-0f0000000000000%02d\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/any/"
                 "i-0f0000000000000%02d\",\"accountId\":\"111122223333\",\"accessKeyId\":"
                 "\"ASIAFAKE00000000%04d\",\"sessionContext\":{\"sessionIssuer\":{\"type\":"
                 "\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/any\",\"userName\":"
                 "\"any\"},\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\","
                 "\"mfaAuthenticated\":\"false\"}}}",
                 i, i, i);
        rec(recs[2 + i], sizeof(recs[2 + i]), uid, 200 + i, "sts.amazonaws.com",
            "GetCallerIdentity", i % 2 ? "203.0.113.7" : "203.0.113.8", "python-requests/2.31",
            NULL);
    }
    homes_max = 4;
    run_text(&r,
             file(recs[0], recs[1], recs[2], recs[3], recs[4], recs[5], recs[6], recs[7], recs[8],
                  recs[9],
                  rec(recs[10], sizeof(recs[10]), INSTANCE("ASIAINST0000000002"), 400,
                      "iam.amazonaws.com", "ListUsers", "198.51.77.7", CLI, NULL),
                  NULL),
             false);
    homes_max = 0;
    assert_int_equal(count(&r.got, out), 1);
    assert_string_equal(r.got.resource[first(&r.got, out)], "ASIAINST0000000002");
    assert_int_equal(r.got.n, 1);
}

static void test_instance_credentials_without_ranges(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);

    (void)state;
    /* A person's workstation, then instance credentials first seen there (stolen). */
    run_text(&r,
             file(rec(r1, sizeof(r1), IAMUSER, 0, "ssm.amazonaws.com", "SendCommand", "198.51.77.9",
                      CLI, NULL),
                  rec(r2, sizeof(r2), INSTANCE("ASIASTOLEN00000001"), 30, "sts.amazonaws.com",
                      "GetCallerIdentity", "198.51.77.9", CLI, NULL),
                  /* another key of the instance, first seen at its own address: learned */
                  rec(r3, sizeof(r3), INSTANCE("ASIAINST0000000002"), 40, "s3.amazonaws.com",
                      "ListBuckets", "3.80.1.1", "Boto3/1.34", NULL),
                  rec(r4, sizeof(r4), INSTANCE("ASIAINST0000000002"), 50, "s3.amazonaws.com",
                      "ListBuckets", "3.80.1.1", "Boto3/1.34", NULL),
                  NULL),
             false);
    assert_int_equal(count(&r.got, out), 1);
    assert_int_equal(r.got.n, 1);
}

/*
 * A NAT gateway with two Elastic IPs: every instance behind it calls from
 * both, each key first seen at either. An address the keys of another instance
 * of the account called from unreported, or of two others reported there, or an
 * Elastic IP the account allocated, is its own; an outside address only one key
 * calls from still fires. Before 2026-12-08 the first instance's reported use
 * vouched for the second's (so one thief with two instances' keys was reported
 * once); now the first two instances there are reported, and the third makes it
 * the account's.
 */
static void test_instance_credentials_nat(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
#define NODE_A(key) INSTANCE_OF("i-0a1b2c3d4e5f60001", key)
#define NODE_B(key) INSTANCE_OF("i-0a1b2c3d4e5f60002", key)
#define NODE_C(key) INSTANCE_OF("i-0a1b2c3d4e5f60003", key)
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);
    R(8);
    R(9);
    R(10);

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        run_text(&r,
                 file(rec(r1, sizeof(r1), NODE_A("ASIANODEA000000001"), 0, "kms.amazonaws.com",
                          "Decrypt", "3.80.17.31", "Boto3/1.34", NULL),
                      rec(r2, sizeof(r2), NODE_B("ASIANODEB000000001"), 5, "kms.amazonaws.com",
                          "Decrypt", "3.80.17.31", "Boto3/1.34", NULL),
                      /* B first at the second EIP, before any other instance: reported
                       * (the cost of having no learning period, which would hide the
                       * thieves of a scan's first minutes) */
                      rec(r3, sizeof(r3), NODE_B("ASIANODEB000000001"), 60, "logs.amazonaws.com",
                          "PutLogEvents", "3.80.17.88", "Boto3/1.34", NULL),
                      /* A there too: only B's reported use vouches for it, reported */
                      rec(r4, sizeof(r4), NODE_A("ASIANODEA000000001"), 1000, "logs.amazonaws.com",
                          "PutLogEvents", "3.80.17.88", "Boto3/1.34", NULL),
                      /* C, whose key began at the first EIP: two others reported there,
                       * a network's address, C's own */
                      rec(r9, sizeof(r9), NODE_C("ASIANODEC000000001"), 1002, "kms.amazonaws.com",
                          "Decrypt", "3.80.17.31", "Boto3/1.34", NULL),
                      rec(r10, sizeof(r10), NODE_C("ASIANODEC000000001"), 1005,
                          "logs.amazonaws.com", "PutLogEvents", "3.80.17.88", "Boto3/1.34", NULL),
                      /* B again: C called from it unreported */
                      rec(r5, sizeof(r5), NODE_B("ASIANODEB000000001"), 1010, "kms.amazonaws.com",
                          "Decrypt", "3.80.17.88", "Boto3/1.34", NULL),
                      /* an Elastic IP the account allocated */
                      rec(r6, sizeof(r6), IAMUSER, 1100, "ec2.amazonaws.com", "AllocateAddress",
                          "198.51.100.4", CLI,
                          "\"responseElements\":{\"publicIp\":\"3.80.90.9\",\"allocationId\":"
                          "\"eipalloc-1\",\"domain\":\"vpc\"}"),
                      rec(r7, sizeof(r7), NODE_A("ASIANODEA000000001"), 1200, "kms.amazonaws.com",
                          "Decrypt", "3.80.90.9", "Boto3/1.34", NULL),
                      /* the thief: an address only A's key calls from */
                      rec(r8, sizeof(r8), NODE_A("ASIANODEA000000001"), 1300, "sts.amazonaws.com",
                          "GetCallerIdentity", "198.51.77.7", CLI, NULL),
                      NULL),
                 pass == 1);
        /* B and A at the second address (InsideAWS with the ranges), then the thief;
         * nothing for the calls from addresses the instances or an Elastic IP made the
         * account's. */
        assert_int_equal(r.got.n, 3);
        assert_int_equal(count(&r.got, out), pass == 1 ? 1 : 3);
        assert_int_equal(count(&r.got, "UnauthorizedAccess:IAMUser/"
                                       "InstanceCredentialExfiltration.InsideAWS"),
                         pass == 1 ? 2 : 0);
        assert_string_equal(r.got.resource[0], "ASIANODEB000000001");
        assert_string_equal(r.got.resource[1], "ASIANODEA000000001");
        assert_string_equal(r.got.resource[r.got.n - 1], "ASIANODEA000000001");
    }
#undef NODE_A
#undef NODE_B
#undef NODE_C
}

/*
 * A thief who uses an instance's fresh key before the instance does (or whose instance's
 * own calls the trail does not log) is found once two of the instance's keys began at
 * its address; a stop and start gives the instance a new address, which its next key's
 * first call makes its own again.
 */
static void test_instance_fresh_key(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
#define NODE(key) INSTANCE_OF("i-0a1b2c3d4e5f60003", key)
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);

    (void)state;
    run_text(&r,
             file(rec(r1, sizeof(r1), NODE("ASIAFRESH000000001"), 0, "kms.amazonaws.com", "Decrypt",
                      "54.201.10.13", "Boto3/1.34", NULL),
                  rec(r2, sizeof(r2), NODE("ASIAFRESH000000002"), 21600, "kms.amazonaws.com",
                      "Decrypt", "54.201.10.13", "Boto3/1.34", NULL),
                  /* the third key, used first from the thief's host */
                  rec(r3, sizeof(r3), NODE("ASIAFRESH000000003"), 43200, "sts.amazonaws.com",
                      "GetCallerIdentity", "185.220.101.45", CLI, NULL),
                  rec(r4, sizeof(r4), NODE("ASIAFRESH000000003"), 43230, "kms.amazonaws.com",
                      "Decrypt", "54.201.10.13", "Boto3/1.34", NULL),
                  /* stopped and started: a new public address */
                  rec(r5, sizeof(r5), IAMUSER, 50000, "ec2.amazonaws.com", "StopInstances",
                      "198.51.100.4", CLI,
                      "\"requestParameters\":{\"instancesSet\":{\"items\":[{\"instanceId\":"
                      "\"i-0a1b2c3d4e5f60003\"}]},\"force\":false}"),
                  rec(r6, sizeof(r6), IAMUSER, 50100, "ec2.amazonaws.com", "StartInstances",
                      "198.51.100.4", CLI,
                      "\"requestParameters\":{\"instancesSet\":{\"items\":[{\"instanceId\":"
                      "\"i-0a1b2c3d4e5f60003\"}]}}"),
                  rec(r7, sizeof(r7), NODE("ASIAFRESH000000004"), 50200, "kms.amazonaws.com",
                      "Decrypt", "54.201.77.20", "Boto3/1.34", NULL),
                  NULL),
             false);
    assert_int_equal(count(&r.got, out), 1);
    assert_string_equal(r.got.resource[first(&r.got, out)], "ASIAFRESH000000003");
    assert_int_equal(r.got.n, 1);
#undef NODE
}

/*
 * A blue/green swap of an Elastic IP: AssociateAddress with allowReassociation moves it
 * from the old instance to the new one, and AWS gives the old one a new public address,
 * from which it drains: its calls there are its own. A thief of a key of the new
 * instance (which has the Elastic IP) is still found, and so is one of the old
 * instance once it has learned its new address.
 */
static void test_instance_eip_swap(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
#define BLUE(key)  INSTANCE_OF("i-0a1b2c3d4e5f60007", key)
#define GREEN(key) INSTANCE_OF("i-0a1b2c3d4e5f60008", key)
#define ASSOC(inst)                                                                                \
    "\"requestParameters\":{\"instanceId\":\"" inst "\",\"publicIp\":\"54.201.9.9\","              \
    "\"allowReassociation\":true},\"responseElements\":{\"associationId\":\"eipassoc-1\"}"
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);
    R(8);

    (void)state;
    for (int swap = 0; swap < 2; swap++) {
        run_text(&r,
                 file(rec(r1, sizeof(r1), IAMUSER, 0, "ec2.amazonaws.com", "AssociateAddress",
                          "198.51.100.4", CLI, ASSOC("i-0a1b2c3d4e5f60007")),
                      rec(r2, sizeof(r2), BLUE("ASIABLUE0000000001"), 100, "kms.amazonaws.com",
                          "Decrypt", "54.201.9.9", "Boto3/1.34", NULL),
                      /* the swap (or, without it, the same call for another address) */
                      rec(r3, sizeof(r3), IAMUSER, 3600, "ec2.amazonaws.com", "AssociateAddress",
                          "198.51.100.4", CLI,
                          swap ? ASSOC("i-0a1b2c3d4e5f60008")
                               : "\"requestParameters\":{\"instanceId\":\"i-0a1b2c3d4e5f60008\","
                                 "\"publicIp\":\"54.201.9.10\"}"),
                      rec(r4, sizeof(r4), GREEN("ASIAGREEN000000001"), 3700, "kms.amazonaws.com",
                          "Decrypt", swap ? "54.201.9.9" : "54.201.9.10", "Boto3/1.34", NULL),
                      /* blue drains from the address AWS gave it back */
                      rec(r5, sizeof(r5), BLUE("ASIABLUE0000000001"), 3800, "kms.amazonaws.com",
                          "Decrypt", "54.201.77.21", "Boto3/1.34", NULL),
                      rec(r6, sizeof(r6), BLUE("ASIABLUE0000000001"), 3900, "kms.amazonaws.com",
                          "Decrypt", "54.201.77.21", "Boto3/1.34", NULL),
                      /* thieves: green's key, and blue's from a third address */
                      rec(r7, sizeof(r7), GREEN("ASIAGREEN000000001"), 4000, "sts.amazonaws.com",
                          "GetCallerIdentity", "185.220.101.45", CLI, NULL),
                      rec(r8, sizeof(r8), BLUE("ASIABLUE0000000001"), 4100, "sts.amazonaws.com",
                          "GetCallerIdentity", "185.220.101.46", CLI, NULL),
                      NULL),
                 false);
        /* without the swap blue's new address is a stranger's: its 3 calls there */
        assert_int_equal(count(&r.got, out), swap ? 2 : 4);
        assert_int_equal(r.got.n, swap ? 2 : 4);
        assert_string_equal(r.got.resource[first(&r.got, out)],
                            swap ? "ASIAGREEN000000001" : "ASIABLUE0000000001");
        assert_string_equal(r.got.resource[r.got.n - 1], "ASIABLUE0000000001");
    }
#undef ASSOC
#undef BLUE
#undef GREEN
}

/*
 * DisassociateAddress takes the Elastic IP from its instance, which gets a new public
 * address from AWS: its calls there are its own, as after a swap. In a VPC the call names
 * the association AssociateAddress's answer gave; EC2-Classic names the address. An
 * association the detector never saw proves nothing, and a thief from a third address is
 * still found.
 */
static void test_instance_eip_disassociate(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    static const char *const dis[] = {
        "\"requestParameters\":{\"associationId\":\"eipassoc-0000000000000009\"}",
        "\"requestParameters\":{\"associationId\":\"eipassoc-0000000000000001\"}",
        "\"requestParameters\":{\"publicIp\":\"54.201.9.9\"}",
    };
#define BLUE(key) INSTANCE_OF("i-0a1b2c3d4e5f60007", key)
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);

    (void)state;
    for (int mode = 0; mode < 3; mode++) {
        run_text(&r,
                 file(rec(r1, sizeof(r1), IAMUSER, 0, "ec2.amazonaws.com", "AssociateAddress",
                          "198.51.100.4", CLI,
                          "\"requestParameters\":{\"instanceId\":\"i-0a1b2c3d4e5f60007\","
                          "\"publicIp\":\"54.201.9.9\"},\"responseElements\":{"
                          "\"associationId\":\"eipassoc-0000000000000001\"}"),
                      rec(r2, sizeof(r2), BLUE("ASIABLUE0000000001"), 100, "kms.amazonaws.com",
                          "Decrypt", "54.201.9.9", "Boto3/1.34", NULL),
                      rec(r3, sizeof(r3), IAMUSER, 3600, "ec2.amazonaws.com", "DisassociateAddress",
                          "198.51.100.4", CLI, dis[mode]),
                      /* blue from the address AWS gave it */
                      rec(r4, sizeof(r4), BLUE("ASIABLUE0000000001"), 3800, "kms.amazonaws.com",
                          "Decrypt", "54.201.77.21", "Boto3/1.34", NULL),
                      rec(r5, sizeof(r5), BLUE("ASIABLUE0000000001"), 3900, "kms.amazonaws.com",
                          "Decrypt", "54.201.77.21", "Boto3/1.34", NULL),
                      /* a thief of blue's key */
                      rec(r6, sizeof(r6), BLUE("ASIABLUE0000000001"), 4100, "sts.amazonaws.com",
                          "GetCallerIdentity", "185.220.101.46", CLI, NULL),
                      NULL),
                 false);
        /* an association never seen: blue's new address is a stranger's, its 2 calls */
        assert_int_equal(count(&r.got, out), mode == 0 ? 3 : 1);
        assert_int_equal(r.got.n, mode == 0 ? 3 : 1);
        assert_string_equal(r.got.resource[r.got.n - 1], "ASIABLUE0000000001");
    }
#undef BLUE
}

/*
 * A dual-stack instance: its IPv4 calls leave through the NAT gateway, its IPv6 calls go
 * out directly from its own IPv6 address, one key alternating between the two. The
 * inventory names the address; a thief's IPv6 address is still found.
 */
static void test_instance_dual_stack(void **state)
{
    static const char inv_json[] =
        "{\"Reservations\":[{\"Instances\":[{\"InstanceId\":\"i-0123456789abcdef0\","
        "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.1.5\",\"NetworkInterfaces\":[{"
        "\"NetworkInterfaceId\":\"eni-1\",\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.1.5\","
        "\"Ipv6Addresses\":[{\"Ipv6Address\":\"2600:1f18:4a3:6f01::41a7\"}]}]}]}]}";
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);

    (void)state;
    for (int with_inv = 0; with_inv < 2; with_inv++) {
        run_text_inv(
            &r,
            file(rec(r1, sizeof(r1), INSTANCE("ASIAINST0000000001"), 0, "ssm.amazonaws.com",
                     "UpdateInstanceInformation", "3.80.1.1", "amazon-ssm-agent/3.3", NULL),
                 rec(r2, sizeof(r2), INSTANCE("ASIAINST0000000001"), 300, "ssm.amazonaws.com",
                     "UpdateInstanceInformation", "2600:1f18:4a3:6f01::41a7",
                     "amazon-ssm-agent/3.3", NULL),
                 rec(r3, sizeof(r3), INSTANCE("ASIAINST0000000001"), 600, "ssm.amazonaws.com",
                     "UpdateInstanceInformation", "3.80.1.1", "amazon-ssm-agent/3.3", NULL),
                 rec(r4, sizeof(r4), INSTANCE("ASIAINST0000000001"), 900, "ssm.amazonaws.com",
                     "UpdateInstanceInformation", "2600:1f18:4a3:6f01::41a7",
                     "amazon-ssm-agent/3.3", NULL),
                 rec(r5, sizeof(r5), INSTANCE("ASIAINST0000000002"), 1200, "ssm.amazonaws.com",
                     "UpdateInstanceInformation", "2600:1f18:4a3:6f01::41a7",
                     "amazon-ssm-agent/3.3", NULL),
                 /* a thief's IPv6 address */
                 rec(r6, sizeof(r6), INSTANCE("ASIAINST0000000002"), 1500, "iam.amazonaws.com",
                     "ListUsers", "2a01:4f8:c0c:1234::1", CLI, NULL),
                 NULL),
            true, with_inv ? inv_json : NULL);
        /* without the inventory its three IPv6 calls and the thief's fire; with it the thief's */
        assert_int_equal(count(&r.got, out), with_inv ? 1 : 4);
    }
}

/*
 * Central VPC endpoints: the organization's network account (444455556666) owns the interface
 * endpoints every spoke VPC reaches through a transit gateway, so the instances' calls carry
 * its vpcEndpointAccountId, from their own private addresses. Before 2026-12-04 each call was
 * InsideAWS (all 10 here). The inventory names the instances' addresses: then none fires;
 * without it an endpoint another instance of the account used within a day is the account's,
 * as a NAT gateway's address is. A thief's own endpoint, from another address, is still found.
 */
static void test_instance_central_endpoints(void **state)
{
    static const char inv_json[] =
        "{\"Reservations\":[{\"Instances\":[{\"InstanceId\":\"i-0a1b2c3d4e5f60005\","
        "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.1.1.11\",\"NetworkInterfaces\":[{"
        "\"NetworkInterfaceId\":\"eni-5\",\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":"
        "\"10.1.1.11\"}]},{\"InstanceId\":\"i-0a1b2c3d4e5f60006\",\"VpcId\":\"vpc-1\","
        "\"PrivateIpAddress\":\"10.1.2.12\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":"
        "\"eni-6\",\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.1.2.12\"}]}]}]}";
    const char *in = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS";
#define HUB_SSM                                                                                    \
    "\"vpcEndpointId\":\"vpce-0hub0000000000a1\",\"vpcEndpointAccountId\":\"444455556666\""
#define HUB_KMS                                                                                    \
    "\"vpcEndpointId\":\"vpce-0hub0000000000a2\",\"vpcEndpointAccountId\":\"444455556666\""
#define EVIL "\"vpcEndpointId\":\"vpce-0evil000000000b1\",\"vpcEndpointAccountId\":\"999988887777\""
    static char recs[12][1024];
    struct run r;
    int n = 0;

    (void)state;
    for (int i = 0; i < 5; i++) {
        rec(recs[n++], sizeof(recs[0]), NODE_E("ASIANODEE000000001"), i * 300, "ssm.amazonaws.com",
            "UpdateInstanceInformation", "10.1.1.11", "amazon-ssm-agent/3.3", HUB_SSM);
        rec(recs[n++], sizeof(recs[0]), NODE_F("ASIANODEF000000001"), i * 300 + 10,
            i % 2 ? "kms.amazonaws.com" : "ssm.amazonaws.com",
            i % 2 ? "Decrypt" : "UpdateInstanceInformation", "10.1.2.12", "amazon-ssm-agent/3.3",
            i % 2 ? HUB_KMS : HUB_SSM);
    }
    /* a thief with the first instance's key, through an endpoint of their own account */
    rec(recs[n++], sizeof(recs[0]), NODE_E("ASIANODEE000000001"), 1600, "iam.amazonaws.com",
        "ListUsers", "172.31.7.8", CLI, EVIL);
    rec(recs[n++], sizeof(recs[0]), NODE_E("ASIANODEE000000001"), 1610, "iam.amazonaws.com",
        "ListRoles", "172.31.7.8", CLI, EVIL);
    for (int with_inv = 0; with_inv < 2; with_inv++) {
        run_text_inv(&r,
                     file(recs[0], recs[1], recs[2], recs[3], recs[4], recs[5], recs[6], recs[7],
                          recs[8], recs[9], recs[10], recs[11], NULL),
                     true, with_inv ? inv_json : NULL);
        for (size_t i = 0; i < r.got.n; i++) {
            print_message("%s on %s via %s\n", r.got.type[i], r.got.resource[i], r.got.remote[i]);
        }
        /*
         * the thief's two calls; without the inventory also the first instance's first call
         * through the SSM endpoint, before the second is seen through it, and the second's
         * two calls through the KMS endpoint, which no other instance uses
         */
        assert_int_equal(count(&r.got, in), with_inv ? 2 : 5);
        assert_int_equal(r.got.n, with_inv ? 2 : 5);
        if (with_inv) {
            for (size_t i = 0; i < r.got.n; i++) {
                assert_string_equal(r.got.remote[i], "999988887777");
            }
        }
    }
#undef HUB_SSM
#undef HUB_KMS
#undef EVIL
}

/*
 * One thief with the keys of two instances, from one host: each instance's keys are
 * reported. Before 2026-12-08 the first instance's reported use made the thief's endpoint
 * (or address) look shared by the account's instances, and the second's keys, used there
 * 90 minutes later, were quiet. Through the thief's endpoint of another account, and from
 * an address inside AWS (with ranges) or any public one (without).
 */
static void test_instance_one_thief_two_keys(void **state)
{
    const char *in = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS";
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
#define EVIL "\"vpcEndpointId\":\"vpce-0evil000000000b1\",\"vpcEndpointAccountId\":\"999988887777\""
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);

    (void)state;
    for (int via = 0; via < 3; via++) {
        /* 0: the thief's endpoint; 1: an AWS address, with ranges; 2: without ranges */
        const char *ip = via == 0 ? "172.31.7.8" : "52.9.9.9";
        const char *extra = via == 0 ? EVIL : NULL;

        run_text(&r,
                 file(rec(r1, sizeof(r1), NODE_E("ASIANODEE000000001"), 0, "ssm.amazonaws.com",
                          "UpdateInstanceInformation", "3.80.50.5", "amazon-ssm-agent/3.3", NULL),
                      rec(r2, sizeof(r2), NODE_F("ASIANODEF000000001"), 30, "ssm.amazonaws.com",
                          "UpdateInstanceInformation", "3.80.50.6", "amazon-ssm-agent/3.3", NULL),
                      rec(r3, sizeof(r3), NODE_E("ASIANODEE000000001"), 600, "iam.amazonaws.com",
                          "ListUsers", ip, CLI, extra),
                      rec(r4, sizeof(r4), NODE_F("ASIANODEF000000001"), 6000, "sts.amazonaws.com",
                          "GetCallerIdentity", ip, CLI, extra),
                      rec(r5, sizeof(r5), NODE_F("ASIANODEF000000001"), 6060, "iam.amazonaws.com",
                          "ListRoles", ip, CLI, extra),
                      /* the instances' own calls go on from their own addresses */
                      rec(r6, sizeof(r6), NODE_E("ASIANODEE000000001"), 6300, "ssm.amazonaws.com",
                          "UpdateInstanceInformation", "3.80.50.5", "amazon-ssm-agent/3.3", NULL),
                      NULL),
                 via == 1);
        for (size_t i = 0; i < r.got.n; i++) {
            print_message("via %d: %s on %s\n", via, r.got.type[i], r.got.resource[i]);
        }
        assert_int_equal(count(&r.got, via < 2 ? in : out), 3);
        assert_int_equal(r.got.n, 3);
        assert_string_equal(r.got.resource[0], "ASIANODEE000000001");
        assert_string_equal(r.got.resource[1], "ASIANODEF000000001");
        assert_string_equal(r.got.resource[2], "ASIANODEF000000001");
    }
#undef EVIL
}

/*
 * An instance with a public IPv4 address in the inventory, whose calls all leave from it:
 * a thief's address is judged against that address. Before 2026-12-04 the inventory's
 * address was never learned as the instance's home, so the instance looked homeless and
 * the thief's first address was learned in its place: with the inventory, no InsideAWS
 * (with ranges) and no OutsideAWS (without them) at all.
 */
static void test_instance_inventory_home(void **state)
{
    static const char inv_json[] =
        "{\"Reservations\":[{\"Instances\":[{\"InstanceId\":\"i-0123456789abcdef0\","
        "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.1.5\",\"PublicIpAddress\":\"3.80.2.2\","
        "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-1\",\"VpcId\":\"vpc-1\","
        "\"PrivateIpAddress\":\"10.0.1.5\",\"Association\":{\"PublicIp\":\"3.80.2.2\"}}]}]}]}";
    const char *in = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS";
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);

    (void)state;
    for (int with_inv = 0; with_inv < 2; with_inv++) {
        for (int with_ranges = 0; with_ranges < 2; with_ranges++) {
            /* with ranges, the thief's host is another account's EC2 address; without, outside */
            const char *thief = with_ranges ? "52.9.9.9" : "45.9.9.9";

            run_text_inv(
                &r,
                file(rec(r1, sizeof(r1), INSTANCE("ASIAINST0000000001"), 0, "ssm.amazonaws.com",
                         "UpdateInstanceInformation", "3.80.2.2", "amazon-ssm-agent/3.3", NULL),
                     rec(r2, sizeof(r2), INSTANCE("ASIAINST0000000001"), 300, "ssm.amazonaws.com",
                         "UpdateInstanceInformation", "3.80.2.2", "amazon-ssm-agent/3.3", NULL),
                     rec(r3, sizeof(r3), INSTANCE("ASIAINST0000000001"), 600, "iam.amazonaws.com",
                         "ListRoles", thief, CLI, NULL),
                     rec(r4, sizeof(r4), INSTANCE("ASIAINST0000000001"), 660, "s3.amazonaws.com",
                         "ListBuckets", thief, CLI, NULL),
                     NULL),
                with_ranges, with_inv ? inv_json : NULL);
            assert_int_equal(count(&r.got, with_ranges ? in : out), 2);
            assert_int_equal(count(&r.got, with_ranges ? out : in), 0);
        }
    }
}

/* Instances only ever seen behind a shared NAT address still have that address: a thief
 * using one's key from elsewhere is found, not learned. */
static void test_instance_behind_nat(void **state)
{
    const char *out = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
#define NODE_C(key) INSTANCE_OF("i-0a1b2c3d4e5f60005", key)
#define NODE_D(key) INSTANCE_OF("i-0a1b2c3d4e5f60006", key)
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);

    (void)state;
    run_text(&r,
             file(rec(r1, sizeof(r1), NODE_C("ASIANODEC000000001"), 0, "kms.amazonaws.com",
                      "Decrypt", "3.80.40.1", "Boto3/1.34", NULL),
                  rec(r2, sizeof(r2), NODE_D("ASIANODED000000001"), 5, "kms.amazonaws.com",
                      "Decrypt", "3.80.40.1", "Boto3/1.34", NULL),
                  rec(r3, sizeof(r3), NODE_D("ASIANODED000000001"), 65, "kms.amazonaws.com",
                      "Decrypt", "3.80.40.1", "Boto3/1.34", NULL),
                  rec(r4, sizeof(r4), NODE_D("ASIANODED000000001"), 120, "sts.amazonaws.com",
                      "GetCallerIdentity", "185.220.101.46", CLI, NULL),
                  NULL),
             false);
    assert_int_equal(count(&r.got, out), 1);
    assert_string_equal(r.got.resource[first(&r.got, out)], "ASIANODED000000001");
    assert_int_equal(r.got.n, 1);
#undef NODE_C
#undef NODE_D
}

static void test_lambda_credentials(void **state)
{
    const char *t = "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS";
    const char *ua = "Boto3/1.34 md/Botocore#1.34 exec-env/AWS_Lambda_python3.12";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);
    R(6);
    R(7);

    (void)state;
    run_text(&r,
             file(rec(r1, sizeof(r1), LAMBDA("ASIAFN000000000001"), 0, "s3.amazonaws.com",
                      "GetObject", "3.5.5.5", ua, NULL),
                  rec(r2, sizeof(r2), LAMBDA("ASIAFN000000000001"), 30, "s3.amazonaws.com",
                      "ListBuckets", "203.0.77.50", CLI, NULL),
                  /* the function's other key, only inside Lambda */
                  rec(r3, sizeof(r3), LAMBDA("ASIAFN000000000002"), 40, "s3.amazonaws.com",
                      "GetObject", "3.5.5.6", ua, NULL),
                  /* a thief who exported the function's environment sends its user agent */
                  rec(r4, sizeof(r4), LAMBDA("ASIAFN000000000003"), 50, "s3.amazonaws.com",
                      "GetObject", "3.5.5.7", ua, NULL),
                  rec(r5, sizeof(r5), LAMBDA("ASIAFN000000000003"), 60, "s3.amazonaws.com",
                      "ListBuckets", "203.0.77.51", ua, NULL),
                  /* near miss: a function whose calls all leave through an on-premises address */
                  rec(r6, sizeof(r6), LAMBDA("ASIAFN000000000004"), 70, "s3.amazonaws.com",
                      "GetObject", "198.51.77.1", ua, NULL),
                  rec(r7, sizeof(r7), LAMBDA("ASIAFN000000000004"), 80, "s3.amazonaws.com",
                      "GetObject", "198.51.77.2", ua, NULL),
                  NULL),
             true);
    assert_int_equal(count(&r.got, t), 2);
    assert_string_equal(r.got.resource[1], "ASIAFN000000000003");
    assert_int_equal(r.got.n, 2);
}

/*
 * A flood of role sessions with a Lambda user agent (anyone allowed to assume
 * a role can mint them, one a call, and send any agent) does not push out a
 * function's key whose issue was seen (the AssumeRole lambda.amazonaws.com
 * made). Before, they shared one table: with 8 such sessions through a table
 * of 4, the key was evicted, and its use from outside AWS was no finding.
 */
static void test_lambda_cred_flood(void **state)
{
    const char *t = "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS";
    const char *ua = "Boto3/1.34 md/Botocore#1.34 exec-env/AWS_Lambda_python3.12";
    static char recs[12][1024];
    struct run r;

    (void)state;
    rec(recs[0], sizeof(recs[0]), SVC("lambda.amazonaws.com"), 0, "sts.amazonaws.com", "AssumeRole",
        "lambda.amazonaws.com", "lambda.amazonaws.com",
        "\"responseElements\":{\"credentials\":{\"accessKeyId\":\"ASIAFN000000000001\"}}");
    rec(recs[1], sizeof(recs[1]), LAMBDA("ASIAFN000000000001"), 10, "s3.amazonaws.com", "GetObject",
        "3.5.5.5", ua, NULL);
    for (int i = 0; i < 8; i++) {
        char uid[512];

        snprintf(uid, sizeof(uid),
                 "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAANY:s%02d\","
                 "\"arn\":\"arn:aws:sts::111122223333:assumed-role/any/s%02d\",\"accountId\":"
                 "\"111122223333\",\"accessKeyId\":\"ASIAFAKE00000000%04d\"}",
                 i, i, i);
        rec(recs[2 + i], sizeof(recs[2 + i]), uid, 20 + i, "sts.amazonaws.com", "GetCallerIdentity",
            "3.5.5.9", ua, NULL);
    }
    creds_max = 4;
    run_text(&r,
             file(recs[0], recs[1], recs[2], recs[3], recs[4], recs[5], recs[6], recs[7], recs[8],
                  recs[9],
                  rec(recs[10], sizeof(recs[10]), LAMBDA("ASIAFN000000000001"), 60,
                      "s3.amazonaws.com", "ListBuckets", "203.0.77.50", CLI, NULL),
                  NULL),
             true);
    creds_max = 0;
    assert_int_equal(count(&r.got, t), 1);
    assert_string_equal(r.got.resource[first(&r.got, t)], "ASIAFN000000000001");
    assert_int_equal(r.got.n, 1);
}

/*
 * Learning is per logging account. A function's key learned in one account's trail,
 * then used from outside AWS in another account's (a cross-account call: its trail
 * records the caller's key, recipientAccountId its own): that account never saw the key
 * as a function's, so no finding there, and the same use in the first account fires.
 * Before 2026-12-04 the key alone named what was learned: the finding came when both
 * accounts fell in one detection shard (--threads 1) and not otherwise.
 */
static void test_lambda_credentials_per_account(void **state)
{
    const char *t = "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS";
    const char *ua = "Boto3/1.34 md/Botocore#1.34 exec-env/AWS_Lambda_python3.12";
    struct run r;
    R(1);
    R(2);
    R(3);

    (void)state;
    run_text(&r,
             file(rec(r1, sizeof(r1), LAMBDA("ASIAFNX00000000001"), 0, "s3.amazonaws.com",
                      "GetObject", "3.5.5.5", ua, NULL),
                  /* the later member wins: the record of the other account's trail */
                  rec(r2, sizeof(r2), LAMBDA("ASIAFNX00000000001"), 30, "s3.amazonaws.com",
                      "ListObjects", "203.0.77.50", CLI, "\"recipientAccountId\":\"444455556666\""),
                  rec(r3, sizeof(r3), LAMBDA("ASIAFNX00000000001"), 40, "s3.amazonaws.com",
                      "ListBuckets", "203.0.77.51", CLI, NULL),
                  NULL),
             true);
    assert_int_equal(count(&r.got, t), 1);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.resource[0], "ASIAFNX00000000001");
}

/* ---- console logins ---- */

static void test_console_travel(void **state)
{
    const char *t = "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B";
    const char *ok = "\"responseElements\":{\"ConsoleLogin\":\"Success\"}";
    struct run r;
    R(1);
    R(2);
    R(3);
    R(4);
    R(5);

    (void)state;
    run_text(&r,
             file(rec(r1, sizeof(r1), IAMUSER, 0, "signin.amazonaws.com", "ConsoleLogin",
                      "81.2.69.142", "Mozilla/5.0", ok),
                  /* London -> Paris in 2 hours: 170 km/h, quiet */
                  rec(r2, sizeof(r2), IAMUSER, 7200, "signin.amazonaws.com", "ConsoleLogin",
                      "82.1.1.1", "Mozilla/5.0", ok),
                  /* Paris -> Milton WA 30 minutes later: impossible */
                  rec(r3, sizeof(r3), IAMUSER, 9000, "signin.amazonaws.com", "ConsoleLogin",
                      "216.160.83.56", "Mozilla/5.0", ok),
                  /* a failed login from far away: not a login */
                  rec(r4, sizeof(r4), IAMUSER, 9100, "signin.amazonaws.com", "ConsoleLogin",
                      "81.2.69.143", "Mozilla/5.0",
                      "\"errorMessage\":\"Failed authentication\","
                      "\"responseElements\":{\"ConsoleLogin\":\"Failure\"}"),
                  /* an unplaced address */
                  rec(r5, sizeof(r5), IAMUSER, 9200, "signin.amazonaws.com", "ConsoleLogin",
                      "198.51.77.1", "Mozilla/5.0", ok),
                  NULL),
             false);
    assert_int_equal(count(&r.got, t), 1);
    assert_int_equal(r.got.nevidence[first(&r.got, t)], 2);
    assert_non_null(strstr(r.got.info[first(&r.got, t)], "\"ipAddress\":\"82.1.1.1\""));
    assert_int_equal(r.got.n, 1);
}

/*
 * A flood of role-session sign-ins (anyone allowed to assume a role can mint
 * one a sign-in, under any session name) does not push out an IAM user's
 * remembered login. Before, they shared one table: with 8 sessions through a
 * table of 4, alice's London login was evicted, and her login from Milton WA
 * half an hour later had nothing to be judged against: no finding.
 */
static void test_console_travel_flood(void **state)
{
    const char *t = "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B";
    const char *ok = "\"responseElements\":{\"ConsoleLogin\":\"Success\"}";
    static char recs[10][1024];
    struct run r;

    (void)state;
    rec(recs[0], sizeof(recs[0]), IAMUSER, 0, "signin.amazonaws.com", "ConsoleLogin", "81.2.69.142",
        "Mozilla/5.0", ok);
    for (int i = 0; i < 8; i++) {
        char uid[512];

        snprintf(uid, sizeof(uid),
                 "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAANY:"
                 "s%02d\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/any/s%02d\","
                 "\"accountId\":\"111122223333\",\"sessionContext\":{\"sessionIssuer\":{"
                 "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/any\","
                 "\"userName\":\"any\"}}}",
                 i, i);
        rec(recs[1 + i], sizeof(recs[1 + i]), uid, 60 + 60 * i, "signin.amazonaws.com",
            "ConsoleLogin", "81.2.69.150", "Mozilla/5.0", ok);
    }
    travel_max = 4;
    run_text(&r,
             file(recs[0], recs[1], recs[2], recs[3], recs[4], recs[5], recs[6], recs[7], recs[8],
                  rec(recs[9], sizeof(recs[9]), IAMUSER, 1800, "signin.amazonaws.com",
                      "ConsoleLogin", "216.160.83.56", "Mozilla/5.0", ok),
                  NULL),
             false);
    travel_max = 0;
    assert_int_equal(count(&r.got, t), 1);
    assert_non_null(strstr(r.got.info[first(&r.got, t)], "\"ipAddress\":\"81.2.69.142\""));
    assert_int_equal(r.got.n, 1);
}

/* ---- canaries ---- */

static void test_canary(void **state)
{
    const char *t = "UnauthorizedAccess:IAMUser/CanaryCredentialUsage";
    struct run r;
    R(1);
    R(2);
    R(3);

    (void)state;
    run_text(&r,
             file(rec(r1, sizeof(r1),
                      "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDADECOY\","
                      "\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIACANARY0000000002\","
                      "\"userName\":\"backup-svc\"}",
                      0, "sts.amazonaws.com", "GetCallerIdentity", "203.0.77.9", CLI, NULL),
                  rec(r2, sizeof(r2),
                      "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDADECOY\","
                      "\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIACANARY0000000002\","
                      "\"userName\":\"backup-svc\"}",
                      10, "iam.amazonaws.com", "ListUsers", "203.0.77.9", CLI,
                      "\"errorCode\":\"AccessDenied\""),
                  rec(r3, sizeof(r3), IAMUSER, 20, "iam.amazonaws.com", "ListUsers", "203.0.77.9",
                      CLI, NULL),
                  NULL),
             false);
    assert_int_equal(count(&r.got, t), 2);
    assert_string_equal(r.got.resource[0], "AKIACANARY0000000002");
    assert_int_equal(r.got.n, 2);
}

/* Which records of a trail the detectors read: GuardDuty's management and S3 data events. */
static int unread_of(void *ud, struct cm_event *ev)
{
    *(enum cm_ct_unread *)ud = cm_ct_unread(&ev->u.ct);
    return 0;
}

static enum cm_ct_unread unread_text(const char *members)
{
    char text[512];
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    enum cm_ct_unread u = CM_CT_UNREAD_COUNT;
    int n = snprintf(text, sizeof(text),
                     "{\"eventTime\":\"2026-01-05T00:00:00Z\",\"sourceIPAddress\":\"198.51.100.7\","
                     "%s}",
                     members);

    assert_true(n > 0 && (size_t)n < sizeof(text));
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = unread_of;
    ctx.ud = &u;
    assert_int_equal(cm_parser_cloudtrail.parse(&ctx, text, (size_t)n), 0);
    cm_json_doc_finish(&doc);
    assert_int_not_equal(u, CM_CT_UNREAD_COUNT);
    return u;
}

static void test_unread(void **state)
{
    (void)state;
    assert_int_equal(
        unread_text("\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"ListUsers\","
                    "\"eventCategory\":\"Management\",\"managementEvent\":true"),
        CM_CT_READ);
    assert_int_equal(unread_text("\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
                                 "\"eventCategory\":\"Data\",\"managementEvent\":false"),
                     CM_CT_READ);
    /* Records from before eventCategory: management unless they say they are not. */
    assert_int_equal(
        unread_text("\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"RunInstances\""),
        CM_CT_READ);
    assert_int_equal(unread_text("\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
                                 "\"managementEvent\":false"),
                     CM_CT_READ);
    assert_int_equal(
        unread_text("\"eventSource\":\"lambda.amazonaws.com\",\"eventName\":\"Invoke\","
                    "\"managementEvent\":false"),
        CM_CT_UNREAD_DATA);
    assert_int_equal(
        unread_text("\"eventSource\":\"dynamodb.amazonaws.com\",\"eventName\":"
                    "\"GetItem\",\"eventCategory\":\"Data\",\"managementEvent\":false"),
        CM_CT_UNREAD_DATA);
    assert_int_equal(unread_text("\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
                                 "\"eventCategory\":\"NetworkActivity\",\"eventType\":"
                                 "\"AwsVpceEvent\",\"errorCode\":\"VpceAccessDenied\""),
                     CM_CT_UNREAD_NETWORK);
    assert_int_equal(unread_text("\"eventSource\":\"kms.amazonaws.com\",\"eventName\":\"Decrypt\","
                                 "\"eventType\":\"AwsVpceEvent\""),
                     CM_CT_UNREAD_NETWORK);
    /* managementEvent as a string in any case, or not a boolean: only "false" says data. */
    assert_int_equal(
        unread_text("\"eventSource\":\"lambda.amazonaws.com\",\"eventName\":\"Invoke\","
                    "\"managementEvent\":\"FALSE\""),
        CM_CT_UNREAD_DATA);
    assert_int_equal(
        unread_text("\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"RunInstances\","
                    "\"managementEvent\":\"True\""),
        CM_CT_READ);
    assert_int_equal(
        unread_text("\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":\"RunInstances\","
                    "\"eventCategory\":\"\",\"managementEvent\":\"1\""),
        CM_CT_READ);
    /* Sign-ins and service events, and every S3 source, are never another service's data. */
    assert_int_equal(unread_text("\"eventSource\":\"signin.amazonaws.com\",\"eventName\":"
                                 "\"ConsoleLogin\",\"eventType\":\"AwsConsoleSignIn\","
                                 "\"managementEvent\":false"),
                     CM_CT_READ);
    assert_int_equal(
        unread_text("\"eventSource\":\"kms.amazonaws.com\",\"eventName\":\"RotateKey\","
                    "\"eventType\":\"AwsServiceEvent\",\"managementEvent\":false"),
        CM_CT_READ);
    assert_int_equal(unread_text("\"eventSource\":\"s3express.amazonaws.com\",\"eventName\":"
                                 "\"GetObject\",\"eventCategory\":\"Data\""),
                     CM_CT_READ);
    assert_int_equal(unread_text("\"eventSource\":\"s3-object-lambda.amazonaws.com\",\"eventName\":"
                                 "\"GetObject\",\"eventCategory\":\"Data\""),
                     CM_CT_READ);
    /* Through EventBridge: the detail decides. */
    assert_int_equal(unread_text("\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{"
                                 "\"eventTime\":\"2026-01-05T00:00:00Z\",\"eventSource\":"
                                 "\"dynamodb.amazonaws.com\",\"eventName\":\"GetItem\","
                                 "\"eventCategory\":\"Data\"}"),
                     CM_CT_UNREAD_DATA);
    assert_string_equal(cm_ct_unread_name(CM_CT_UNREAD_DATA), "CloudTrail data event (not S3)");
    assert_string_equal(cm_ct_unread_name(CM_CT_UNREAD_NETWORK),
                        "CloudTrail network activity event");
    assert_null(cm_ct_unread_name(CM_CT_READ));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_unread),
        cmocka_unit_test(test_cloudtrail_logging),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_pentest),
        cmocka_unit_test(test_pentest_s3_before_category),
        cmocka_unit_test(test_s3_settings),
        cmocka_unit_test(test_trail_bucket_from_delivery),
        cmocka_unit_test(test_trail_bucket_moved),
        cmocka_unit_test(test_s3_logging_empty_element),
        cmocka_unit_test(test_instance_credentials),
        cmocka_unit_test(test_presigned_downloads),
        cmocka_unit_test(test_instance_home_flood),
        cmocka_unit_test(test_lambda_cred_flood),
        cmocka_unit_test(test_instance_credentials_without_ranges),
        cmocka_unit_test(test_instance_credentials_nat),
        cmocka_unit_test(test_instance_fresh_key),
        cmocka_unit_test(test_instance_eip_swap),
        cmocka_unit_test(test_instance_eip_disassociate),
        cmocka_unit_test(test_instance_behind_nat),
        cmocka_unit_test(test_instance_dual_stack),
        cmocka_unit_test(test_instance_central_endpoints),
        cmocka_unit_test(test_instance_one_thief_two_keys),
        cmocka_unit_test(test_instance_inventory_home),
        cmocka_unit_test(test_lambda_credentials),
        cmocka_unit_test(test_lambda_credentials_per_account),
        cmocka_unit_test(test_console_travel),
        cmocka_unit_test(test_console_travel_flood),
        cmocka_unit_test(test_canary),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
