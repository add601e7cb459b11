/*
 * The API anomaly models (lib/detect/ct_anomaly.c for management calls,
 * ct_s3_anomaly.c for S3 data events, both over ct_profile.c) with their
 * tables (ct_tactic.c, ua_category.c), and the attack sequences correlated
 * from their findings (ct_sequence.c): hand-written CloudTrail records over days go
 * through the real parser into an engine holding every built-in detector;
 * the test checks which AnomalousBehavior types come out, on which key, with
 * which severity and additionalInfo, and that the near misses of
 * docs/detectors/cloudtrail-anomaly.md give nothing.
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
#include "detect/ct.h"
#include "detect/detect.h"
#include "finding/finding.h"
#include "intel/awsranges.h"
#include "intel/snapshot.h"
#include "parse/parse.h"

#include "ct_fixture.h"

#define MAXD 32

struct got {
    char type[MAXD][96];
    char resource[MAXD][64];
    char info[MAXD][CM_DETECTION_MAX_INFO + 1]; /* a sequence's, at most */
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

    if (strstr(d->type, "AnomalousBehavior") == NULL && strstr(d->type, "AttackSequence") == NULL) {
        return 0;
    }
    assert_true(g->n < MAXD);
    snprintf(g->type[g->n], sizeof(g->type[0]), "%s", d->type);
    ctfx_copy(g->resource[g->n], sizeof(g->resource[0]), d->resource_id);
    ctfx_copy(g->info[g->n], sizeof(g->info[0]), d->info);
    /* A fixed type's severity is its table's (the detection leaves 0). */
    g->severity[g->n] = d->severity > 0 ? d->severity : cm_finding_type_info(d->type)->severity;
    g->nevidence[g->n] = d->nevidence;
    g->n++;
    return 0;
}

/* A {"Records": [...]} file being written. */
struct trail {
    char buf[1 << 24]; /* test_identity_flood writes about 11 MB */
    size_t n;
    unsigned nrec;
};

#define ALICE                                                                                      \
    "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDAALICE\",\"arn\":"                \
    "\"arn:aws:iam::111122223333:user/alice\",\"accountId\":\"111122223333\",\"accessKeyId\":"     \
    "\"AKIAALICE0000000001\",\"userName\":\"alice\"}"
#define SESSION(name, key)                                                                         \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROADEPLOY:" name "\","          \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/deploy/" name "\",\"accountId\":"            \
    "\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{\"sessionIssuer\":{"         \
    "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/deploy\",\"userName\":"            \
    "\"deploy\"},\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\","                       \
    "\"mfaAuthenticated\":\"false\"}}}"
#define COMMON                                                                                     \
    "\"eventVersion\":\"1.08\",\"awsRegion\":\"us-east-1\",\"eventType\":\"AwsApiCall\","          \
    "\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"Management\""

#define CLI   "aws-cli/2.15.22 Python/3.11.6 Linux/6.1.0-18-amd64 exe/x86_64.debian.12"
#define BOTO  "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.8.0 Botocore/1.34.51"
#define HOME  "198.51.100.20"
#define THIEF "203.0.113.9"
#define EMRFS "aws-sdk-java/1.12.569 Linux/5.10.205 java/17.0.9 exec-env/AWS_EMR EMRFS/2.60.0"
#define HOUR  3600
#define DAY   (24 * HOUR)

/* The eventTime of `at` seconds after 2026-01-05T00:00:00Z. */
static const char *when(int at)
{
    static char out[32];
    time_t t = (time_t)1767571200 + at;
    struct tm tm;

    assert_non_null(gmtime_r(&t, &tm));
    strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

/*
 * Appends a record: identity uid at `at` seconds after 2026-01-05T00:00Z, of
 * service svc (before .amazonaws.com), call name, from ip with agent ua;
 * error, when not NULL, is its errorCode; add_more's more, when not NULL and
 * error is, more members ("requestParameters":{...}).
 */
static void add_more(struct trail *t, const char *uid, int at, const char *svc, const char *name,
                     const char *ip, const char *ua, const char *error, const char *more)
{
    char err[384] = "";

    if (error != NULL) {
        snprintf(err, sizeof(err), ",\"errorCode\":\"%s\"", error);
    } else if (more != NULL) {
        snprintf(err, sizeof(err), ",%s", more);
    }
    if (t->n == 0) {
        t->n = (size_t)snprintf(t->buf, sizeof(t->buf), "{\"Records\":[");
    }
    t->n += (size_t)snprintf(
        t->buf + t->n, sizeof(t->buf) - t->n,
        "%s{%s,%s,\"eventTime\":\"%s\",\"eventSource\":\"%s."
        "amazonaws.com\",\"eventName\":\"%s\",\"sourceIPAddress\":\"%s\",\"userAgent\":\"%s\","
        "\"eventID\":\"e-%u\"%s}",
        t->nrec ? "," : "", COMMON, uid, when(at), svc, name, ip, ua, t->nrec, err);
    t->nrec++;
    assert_true(t->n + 4 < sizeof(t->buf));
}

static void add(struct trail *t, const char *uid, int at, const char *svc, const char *name,
                const char *ip, const char *ua, const char *error)
{
    add_more(t, uid, at, svc, name, ip, ua, error, NULL);
}

/*
 * An S3 data event of identity uid on bucket, object key obj (NULL: none),
 * more requestParameters members (NULL: none); add_s3_more's is the app
 * role's session.
 */
static void add_s3_uid(struct trail *t, const char *uid, int at, const char *name,
                       const char *bucket, const char *obj, const char *ip, const char *ua,
                       const char *more)
{
    char extra[384];

    snprintf(extra, sizeof(extra), "\"requestParameters\":{\"bucketName\":\"%s\"%s%s%s%s%s}",
             bucket, obj ? ",\"key\":\"" : "", obj ? obj : "", obj ? "\"" : "", more ? "," : "",
             more ? more : "");
    if (t->n == 0) {
        t->n = (size_t)snprintf(t->buf, sizeof(t->buf), "{\"Records\":[");
    }
    t->n += (size_t)snprintf(
        t->buf + t->n, sizeof(t->buf) - t->n,
        "%s{\"eventVersion\":\"1.08\",\"awsRegion\":\"us-east-1\",\"eventType\":\"AwsApiCall\","
        "\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"Data\",%s,"
        "\"eventTime\":\"%s\",\"eventSource\":\"s3.amazonaws.com\","
        "\"eventName\":\"%s\",\"sourceIPAddress\":\"%s\",\"userAgent\":\"%s\","
        "\"eventID\":\"s-%u\",%s}",
        t->nrec ? "," : "", uid, when(at), name, ip, ua, t->nrec, extra);
    t->nrec++;
    assert_true(t->n + 4 < sizeof(t->buf));
}

static void add_s3_more(struct trail *t, int at, const char *name, const char *bucket,
                        const char *obj, const char *ip, const char *ua, const char *more)
{
    add_s3_uid(t, SESSION("app", "ASIAAPP0000000000001"), at, name, bucket, obj, ip, ua, more);
}

static void add_s3(struct trail *t, int at, const char *name, const char *bucket, const char *obj,
                   const char *ip, const char *ua)
{
    add_s3_more(t, at, name, bucket, obj, ip, ua, NULL);
}

/* The app's usual S3 day: it lists and reads bucket "orders" from its subnet with Boto3. */
static void s3_baseline(struct trail *t, int day)
{
    for (int k = 0; k < 12; k++) {
        add_s3(t, day * DAY + 9 * HOUR + k * 1800, k % 3 ? "GetObject" : "ListObjectsV2", "orders",
               k % 3 ? "o.json" : NULL, HOME, BOTO);
    }
}

/* alice's usual day: her calls from home with the CLI, every 20 minutes for 8 hours. */
static void baseline(struct trail *t, int day)
{
    static const char *const calls[][2] = {
        {"ec2", "DescribeInstances"},
        {"s3", "ListBuckets"},
        {"sts", "GetCallerIdentity"},
        {"ec2", "DescribeSecurityGroups"},
    };

    for (int k = 0; k < 24; k++) {
        add(t, ALICE, day * DAY + 9 * HOUR + k * 1200, calls[k % 4][0], calls[k % 4][1], HOME, CLI,
            NULL);
    }
}

/* An ASN database stub: 198.51/16 and 198.18/15 are one AS (AS64500), 203/8 another. */
static bool asn_stub(void *ud, const struct cm_ip *ip, uint32_t *asn, char *org, size_t orglen)
{
    (void)ud;
    if (ip->a[0] == 198) {
        *asn = 64500;
        snprintf(org, orglen, "HOME-ISP");
        return true;
    }
    if (ip->a[0] == 203) {
        *asn = 64511;
        snprintf(org, orglen, "FAR-AWAY");
        return true;
    }
    return false;
}

static bool with_asn;
static const struct cm_awsranges *ranges;     /* AWS's ranges for run(), or NULL */
static const struct cm_intel_snapshot *intel; /* intel for run(), or NULL */

static void run(struct run *r, struct trail *t, int64_t learn_ms)
{
    struct cm_detect_config cfg;
    struct cm_detect_opts o;

    t->n += (size_t)snprintf(t->buf + t->n, sizeof(t->buf) - t->n, "]}");
    memset(r, 0, sizeof(*r));
    memset(&o, 0, sizeof(o));
    memset(&cfg, 0, sizeof(cfg));
    cfg.ct.anomaly_learn_ms = learn_ms;
    cfg.asn = with_asn ? asn_stub : NULL;
    cfg.aws_ranges = ranges;
    cfg.intel = intel;
    o.config = &cfg;
    o.seed = 3;
    r->sink.emit = collect;
    r->sink.ud = r;
    ctfx_run(t->buf, t->n, &o, &r->sink);
}

static size_t count(const struct got *g, const char *type)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++) {
        n += strcmp(g->type[i], type) == 0;
    }
    return n;
}

static struct trail *trail_new(void)
{
    struct trail *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    return t;
}

/* ---- the tables ---- */

static enum cm_ct_tactic tactic(const char *src, const char *name)
{
    return cm_ct_tactic(cm_str_cstr(src), cm_str_cstr(name));
}

static void test_tactics(void **state)
{
    (void)state;
    assert_int_equal(tactic("iam.amazonaws.com", "CreateAccessKey"), CM_TACTIC_PERSISTENCE);
    assert_int_equal(tactic("ec2.amazonaws.com", "GetPasswordData"), CM_TACTIC_CREDENTIAL_ACCESS);
    assert_int_equal(tactic("secretsmanager.amazonaws.com", "GetSecretValue"),
                     CM_TACTIC_CREDENTIAL_ACCESS);
    assert_int_equal(tactic("ec2.amazonaws.com", "DeleteFlowLogs"), CM_TACTIC_DEFENSE_EVASION);
    assert_int_equal(tactic("ec2.amazonaws.com", "ModifySnapshotAttribute"),
                     CM_TACTIC_EXFILTRATION);
    assert_int_equal(tactic("ec2.amazonaws.com", "DeleteSecurityGroup"), CM_TACTIC_IMPACT);
    assert_int_equal(tactic("ssm.amazonaws.com", "StartSession"), CM_TACTIC_INITIAL_ACCESS);
    assert_int_equal(tactic("iam.amazonaws.com", "AttachUserPolicy"),
                     CM_TACTIC_PRIVILEGE_ESCALATION);
    /* Reads are Discovery, but not those that hand out secrets or keys. */
    assert_int_equal(tactic("iam.amazonaws.com", "ListUsers"), CM_TACTIC_DISCOVERY);
    assert_int_equal(tactic("ec2.amazonaws.com", "DescribeInstances"), CM_TACTIC_DISCOVERY);
    assert_int_equal(tactic("sts.amazonaws.com", "GetSessionToken"), CM_TACTIC_INITIAL_ACCESS);
    /* The service matters: CreateUser of IAM keeps access, of another service it is nothing. */
    assert_int_equal(tactic("iam.amazonaws.com", "CreateUser"), CM_TACTIC_PERSISTENCE);
    assert_int_equal(tactic("quicksight.amazonaws.com", "CreateUser"), CM_TACTIC_NONE);
    assert_int_equal(tactic("ec2.amazonaws.com", "CreateTags"), CM_TACTIC_NONE);
    assert_int_equal(tactic("logs.amazonaws.com", "CreateLogStream"), CM_TACTIC_NONE);
    assert_int_equal(tactic("ec2.amazonaws.com", "Listen"), CM_TACTIC_NONE);
    assert_string_equal(cm_ct_tactic_type(CM_TACTIC_DISCOVERY),
                        "Discovery:IAMUser/AnomalousBehavior");
    assert_null(cm_ct_tactic_type(CM_TACTIC_NONE));
    assert_string_equal(cm_ct_tactic_name(CM_TACTIC_PRIVILEGE_ESCALATION), "PrivilegeEscalation");
    assert_true(cm_str_eqc(cm_ct_service(cm_str_cstr("iam.amazonaws.com")), "iam"));
    assert_true(cm_str_eqc(cm_ct_service(cm_str_cstr("example.com")), "example.com"));
}

static const char *category(const char *ua)
{
    static char out[32];

    cm_ua_category(ua ? cm_str_cstr(ua) : CM_STR_NULL, out, sizeof(out));
    return out;
}

static void test_ua_categories(void **state)
{
    char small[6];

    (void)state;
    assert_string_equal(category(CLI), "aws-cli");
    assert_string_equal(category(BOTO), "Botocore");
    assert_string_equal(category("botocore/1.29.90 Python/3.9"), "Botocore");
    assert_string_equal(category("aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6"), "aws-sdk-go");
    assert_string_equal(category("aws-sdk-java/2.21.46 Linux/6.1"), "aws-sdk-java");
    /* One SDK's major versions and builds are one client. */
    assert_string_equal(category("aws-sdk-nodejs/2.1354.0 linux/v16.20.0 exec-env/"
                                 "AWS_Lambda_nodejs16.x"),
                        "aws-sdk-js");
    assert_string_equal(category("aws-sdk-js/3.470.0 ua/2.0 os/linux lang/js md/nodejs#20.10.0"),
                        "aws-sdk-js");
    assert_string_equal(category("aws-sdk-ruby2/2.11.632 ruby/2.7.8 x86_64-linux"), "aws-sdk-ruby");
    assert_string_equal(category("aws-sdk-ruby3/3.190.0 ua/2.0 api/s3#1.141.0"), "aws-sdk-ruby");
    assert_string_equal(category("aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/3.7.300.2"),
                        "aws-sdk-dotnet");
    assert_string_equal(category("aws-sdk-dotnet-45/3.7.0.0 aws-sdk-dotnet-core/3.7.0.0"),
                        "aws-sdk-dotnet");
    assert_string_equal(category("aws-sdk-rust/1.1.4 os/linux lang/rust/1.74.0"), "aws-sdk-rust");
    assert_string_equal(category("Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Firefox/122.0"),
                        "browser");
    assert_string_equal(category("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]"),
                        "console");
    assert_string_equal(category("console.amazonaws.com"), "console");
    assert_string_equal(category("signin.amazonaws.com"), "AwsSignin");
    assert_string_equal(category("lambda.amazonaws.com"), "AWS Service");
    assert_string_equal(category("AWS Internal"), "AWS Internal");
    assert_string_equal(category("aws-internal/3 aws-sdk-java/1.11"), "AWS Internal");
    assert_string_equal(
        category("APN/1.0 HashiCorp/1.0 Terraform/1.7.3 (+https://www.terraform.io)"), "Terraform");
    assert_string_equal(category(""), "OTHER");
    assert_string_equal(category(NULL), "OTHER");
    assert_string_equal(category("   "), "OTHER");
    /* Cut to the buffer, never past it. */
    assert_int_equal(
        cm_ua_category(cm_str_cstr("averyveryverylongclient/1.0"), small, sizeof(small)), 5);
    assert_string_equal(small, "avery");
}

/* ---- the model ---- */

/* A stolen key: new place, new client, never-made calls of every tactic but Discovery. */
static void test_stolen_key(void **state)
{
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    baseline(t, 0);
    baseline(t, 1);
    /* Day 1, 20:00: the thief. A call alice makes (not new) gives nothing. */
    add(t, ALICE, DAY + 20 * HOUR, "s3", "ListBuckets", THIEF, BOTO, NULL);
    add(t, ALICE, DAY + 20 * HOUR + 60, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    add(t, ALICE, DAY + 20 * HOUR + 120, "ec2", "DeleteFlowLogs", THIEF, BOTO, "AccessDenied");
    /* A repeat of a call already judged is not new any more. */
    add(t, ALICE, DAY + 20 * HOUR + 180, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    /* Not a tactic: learned, no finding. */
    add(t, ALICE, DAY + 20 * HOUR + 240, "ec2", "CreateTags", THIEF, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.type[0], "Persistence:IAMUser/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "AKIAALICE0000000001");
    assert_true(r.got.severity[0] == 5.0);
    assert_non_null(strstr(r.got.info[0], "\"anomalousAPIs\":\"iam.amazonaws.com:[CreateAccessKey"
                                          ":success]\""));
    assert_non_null(
        strstr(r.got.info[0], "\"unusualNetworksUserIdentityProfiling\":\"203.0.0.0/16\""));
    assert_non_null(
        strstr(r.got.info[0], "\"unusualUserAgentsUserIdentityProfiling\":\"Botocore\""));
    assert_non_null(
        strstr(r.got.info[0], "\"profiledUserAgentsUserIdentityProfiling\":\"aws-cli\""));
    assert_non_null(strstr(r.got.info[0], "\"tactic\":\"Persistence\""));
    assert_int_equal(r.got.nevidence[0], 1);
    /* The second names both anomalous calls of the window, by service, with their outcome. */
    assert_string_equal(r.got.type[1], "DefenseEvasion:IAMUser/AnomalousBehavior");
    assert_non_null(strstr(r.got.info[1], "iam.amazonaws.com:[CreateAccessKey:success] , "
                                          "ec2.amazonaws.com:[DeleteFlowLogs:AccessDenied]"));
    assert_int_equal(r.got.nevidence[1], 2);
    free(t);
}

/* The usual place and client, or less than a day of history: never a finding. */
static void test_near_misses(void **state)
{
    static const char *const reads[] = {"ListUsers",  "ListRoles",         "ListPolicies",
                                        "ListGroups", "GetAccountSummary", "ListMFADevices"};
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    /* Before alice has a day of history, the thief's calls are learned, not judged. */
    add(t, ALICE, 8 * HOUR, "iam", "AttachUserPolicy", "192.0.2.44", BOTO, NULL);
    baseline(t, 0);
    baseline(t, 1);
    /* alice herself, from home with the CLI, tries calls she never made. */
    add(t, ALICE, DAY + 18 * HOUR, "iam", "CreateAccessKey", HOME, CLI, NULL);
    add(t, ALICE, DAY + 18 * HOUR + 60, "ec2", "ModifySnapshotAttribute", HOME, CLI, NULL);
    for (int k = 0; k < 6; k++) {
        add(t, ALICE, DAY + 18 * HOUR + 120 + k * 10, "iam", reads[k], HOME, CLI, NULL);
    }
    /* An AWS service acting for her (invokedBy, a service name as the address). */
    add(t,
        "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDAALICE\",\"arn\":"
        "\"arn:aws:iam::111122223333:user/alice\",\"accountId\":\"111122223333\","
        "\"accessKeyId\":\"AKIAALICE0000000001\",\"userName\":\"alice\",\"invokedBy\":"
        "\"cloudformation.amazonaws.com\"}",
        DAY + 19 * HOUR, "iam", "PutUserPolicy", "cloudformation.amazonaws.com",
        "cloudformation.amazonaws.com", NULL);
    add(t, ALICE, DAY + 19 * HOUR + 60, "kms", "ScheduleKeyDeletion", "AWS Internal",
        "AWS Internal", NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 0);
    free(t);
}

/*
 * What an identity met in its own learning day is usual once the day is over, however late
 * in it: alice's evening at a second home and her first Boto3 script (day 0, 22:00) are
 * hers the next morning. Before 2026-12-06 both stayed new until 22:00 on day 1, and her
 * first CreateAccessKey and DeleteFlowLogs from there at 10:00 fired Persistence and
 * DefenseEvasion. A place first met after the learning day is still new for a day.
 */
#define HOME2 "81.2.69.160"
static void test_learning_day_places(void **state)
{
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    baseline(t, 0); /* 09:00-17:00 from HOME with the CLI: the identity's first call at 09:00 */
    add(t, ALICE, 22 * HOUR, "ec2", "DescribeInstances", HOME2, CLI, NULL);
    add(t, ALICE, 22 * HOUR + 60, "s3", "ListBuckets", HOME, BOTO, NULL);
    add(t, ALICE, DAY + 10 * HOUR, "iam", "CreateAccessKey", HOME2, CLI, NULL);
    add(t, ALICE, DAY + 10 * HOUR + 60, "ec2", "DeleteFlowLogs", HOME, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 0);
    free(t);

    /* The near miss's other side: a place first met after the learning day is new. */
    t = trail_new();
    baseline(t, 0);
    add(t, ALICE, 22 * HOUR, "ec2", "DescribeInstances", HOME2, CLI, NULL);
    add(t, ALICE, DAY + 10 * HOUR, "ec2", "DescribeInstances", THIEF, CLI, NULL);
    add(t, ALICE, DAY + 12 * HOUR, "iam", "CreateAccessKey", THIEF, CLI, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Persistence:IAMUser/AnomalousBehavior");
    assert_non_null(
        strstr(r.got.info[0], "\"unusualNetworksUserIdentityProfiling\":\"203.0.0.0/16\""));
    free(t);

    /* Before the learning day is over nothing is judged, whatever it met. */
    assert_int_equal(cm_ct_usual_learn(0, DAY * 1000LL - 1, DAY * 1000LL), DAY * 1000LL);
    /* After it, what came in it is usual; a day after that, the plain rule again. */
    assert_int_equal(cm_ct_usual_learn(0, DAY * 1000LL + 5000, DAY * 1000LL), 5001);
    assert_int_equal(cm_ct_usual_learn(0, 3 * DAY * 1000LL, DAY * 1000LL), DAY * 1000LL);
}

/* A StackSet's execution role: by_service is the invokedBy member (or nothing). */
#define STACKEXEC(key, by_service)                                                                 \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAEXEC:stacksets-exec-1\","    \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/StackExec/stacksets-exec-1\","               \
    "\"accountId\":\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{"              \
    "\"sessionIssuer\":{\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/StackExec\","   \
    "\"userName\":\"StackExec\"},\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\","       \
    "\"mfaAuthenticated\":\"false\"}}" by_service "}"
#define BY_CFN ",\"invokedBy\":\"cloudformation.amazonaws.com\""
#define CFN    "cloudformation.amazonaws.com"

/*
 * A role only an AWS service uses (CloudFormation with a StackSet's
 * execution role, every day, calls that turn logging off among them): its
 * key in a person's hands, from an address and with a client the role never
 * had, for a call it never made itself, is a finding once the role has a
 * day of use, although none of the service's calls was learned. Before
 * 2026-12-05 such a role had no profile at all: its first direct call
 * started one, learned for a day, and the thief's DeleteDetector was no
 * finding. Near misses: the service's own calls of every kind (also a
 * service name without invokedBy), and the same direct calls within the
 * role's first day.
 */
static void test_service_role_direct(void **state)
{
    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        struct trail *t = trail_new();
        struct run r;
        /* Day 0 at 14:00 and day 1 at 09:00; pass 1: day 1 only. */
        for (int d = pass; d < 2; d++) {
            for (int k = 0; k < 4; k++) {
                int at = d * DAY + (d ? 9 : 14) * HOUR + k * 600;

                add(t, STACKEXEC("ASIAEXEC00000000001", BY_CFN), at, "ec2", "DeleteFlowLogs", CFN,
                    CFN, NULL);
                add(t, STACKEXEC("ASIAEXEC00000000001", BY_CFN), at + 5, "iam", "CreateRole", CFN,
                    CFN, NULL);
                add(t, STACKEXEC("ASIAEXEC00000000001", ""), at + 9, "config",
                    "StopConfigurationRecorder", CFN, CFN, NULL);
            }
        }
        /* Day 1, 16:00: the key from a host the role never called from. */
        add(t, STACKEXEC("ASIAEXEC00000000002", ""), DAY + 16 * HOUR, "guardduty", "DeleteDetector",
            THIEF, CLI, NULL);
        run(&r, t, 0);
        if (pass == 0) {
            assert_int_equal(r.got.n, 1);
            assert_string_equal(r.got.type[0], "DefenseEvasion:IAMUser/AnomalousBehavior");
            assert_string_equal(r.got.resource[0], "ASIAEXEC00000000002");
            assert_non_null(
                strstr(r.got.info[0], "guardduty.amazonaws.com:[DeleteDetector:success]"));
            assert_non_null(strstr(r.got.info[0], "\"unusualUserAgentsUserIdentityProfiling\":"
                                                  "\"aws-cli\""));
        } else {
            assert_int_equal(r.got.n, 0); /* the role's first use was 7 hours before */
        }
        free(t);
    }
}

/* A new place alone, or a new client alone, is enough with a never-made call. */
static void test_one_factor(void **state)
{
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    baseline(t, 0);
    baseline(t, 1);
    /* Home, but Boto3 instead of the CLI. */
    add(t, ALICE, DAY + 18 * HOUR, "ec2", "ModifySnapshotAttribute", HOME, BOTO, NULL);
    /* The CLI, but from elsewhere. */
    add(t, ALICE, DAY + 18 * HOUR + 60, "ec2", "DeleteSecurityGroup", THIEF, CLI, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.type[0], "Exfiltration:IAMUser/AnomalousBehavior");
    assert_true(r.got.severity[0] == 8.0);
    assert_null(strstr(r.got.info[0], "unusualNetworks"));
    assert_non_null(strstr(r.got.info[0], "unusualUserAgentsUserIdentityProfiling"));
    assert_string_equal(r.got.type[1], "Impact:IAMUser/AnomalousBehavior");
    assert_non_null(strstr(r.got.info[1], "unusualNetworksUserIdentityProfiling"));
    assert_null(strstr(r.got.info[1], "unusualUserAgents"));
    free(t);
}

/* With an ASN database the network is the AS: a new address of the same ISP is usual. */
static void test_asn(void **state)
{
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    with_asn = true;
    baseline(t, 0);
    baseline(t, 1);
    /* Another /16 of alice's ISP: the same AS, so usual. */
    add(t, ALICE, DAY + 18 * HOUR, "iam", "CreateAccessKey", "198.18.4.4", CLI, NULL);
    /* Another AS. */
    add(t, ALICE, DAY + 18 * HOUR + 60, "ec2", "DeleteSecurityGroup", THIEF, CLI, NULL);
    run(&r, t, 0);
    with_asn = false;
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Impact:IAMUser/AnomalousBehavior");
    assert_non_null(strstr(r.got.info[0], "\"unusualASNsUserIdentityProfiling\":\"asnNumber: "
                                          "64511 asnOrg: FAR-AWAY\""));
    free(t);
}

/* An identity that calls from many networks roams: for it only a new client counts. */
static void test_roaming(void **state)
{
    struct trail *t = trail_new();
    struct run r;
    char ip[32];

    (void)state;
    for (int k = 0; k < 8; k++) {
        snprintf(ip, sizeof(ip), "198.%d.7.7", 20 + k);
        add(t, ALICE, 9 * HOUR + k * 600, "s3", "ListBuckets", ip, CLI, NULL);
    }
    baseline(t, 1);
    add(t, ALICE, DAY + 18 * HOUR, "iam", "CreateAccessKey", THIEF, CLI, NULL);
    add(t, ALICE, DAY + 18 * HOUR + 60, "ec2", "DeleteSecurityGroup", THIEF, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Impact:IAMUser/AnomalousBehavior");
    assert_null(strstr(r.got.info[0], "unusualNetworks"));
    free(t);
}

/* With AWS's ranges loaded, every AWS address is one network (a function's calls move /16). */
static void test_aws_network(void **state)
{
    static const char json[] =
        "{\"syncToken\":\"1\",\"createDate\":\"2026-01-01-00-00-00\",\"prefixes\":["
        "{\"ip_prefix\":\"3.0.0.0/8\",\"region\":\"us-east-1\",\"service\":\"AMAZON\","
        "\"network_border_group\":\"us-east-1\"},"
        "{\"ip_prefix\":\"52.0.0.0/8\",\"region\":\"us-east-1\",\"service\":\"EC2\","
        "\"network_border_group\":\"us-east-1\"}],\"ipv6_prefixes\":[]}";
    struct cm_awsranges *aws = NULL;
    struct run r;

    (void)state;
    assert_int_equal(cm_awsranges_parse(&aws, json, strlen(json), 7, NULL, NULL), 0);
    for (int pass = 0; pass < 2; pass++) {
        struct trail *t = trail_new();

        add(t, SESSION("fn", "ASIADEPLOY000000001"), HOUR, "s3", "ListBuckets", "3.91.4.4", BOTO,
            NULL);
        add(t, SESSION("fn", "ASIADEPLOY000000002"), DAY + 2 * HOUR, "ec2", "CreateSnapshot",
            "52.23.9.9", BOTO, NULL);
        ranges = pass == 0 ? aws : NULL;
        run(&r, t, 0);
        ranges = NULL;
        /* With the ranges: the same network, nothing. Without: a new /16. */
        assert_int_equal(r.got.n, pass == 0 ? 0 : 1);
        free(t);
    }
    cm_awsranges_destroy(aws);
}

/* A role session federated from GitHub Actions' OIDC provider (webIdFederationData). */
#define GHA(name, key)                                                                             \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAGHA:" name "\","             \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/gha-deploy/" name "\",\"accountId\":"        \
    "\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{\"sessionIssuer\":{"         \
    "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/gha-deploy\",\"userName\":"        \
    "\"gha-deploy\"},\"webIdFederationData\":{\"federatedProvider\":\"arn:aws:iam::"               \
    "111122223333:oidc-provider/token.actions.githubusercontent.com\",\"attributes\":{}},"         \
    "\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\",\"mfaAuthenticated\":\"false\"}}}"
#define TF                                                                                         \
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/"    \
    "5.40.0 aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 api/iam#1.150.0"

/*
 * A CI role federated by web identity gets a hosted runner from a large pool
 * each run: without an ASN database its /16 is new every time and says
 * nothing, so only its client and API are judged. With the AS known, a new
 * AS still counts; a new client still counts without one.
 */
static void test_web_identity(void **state)
{
    static const char *const nets[] = {"20.42.1.1", "20.57.1.1", "40.76.1.1", "52.225.1.1"};
    char ip[32];

    (void)state;
    for (int pass = 0; pass < 3; pass++) {
        struct trail *t = trail_new();
        struct run r;

        /* Day 0: four plans, each from another /16 of the provider (and of 198/8 for the AS). */
        for (int k = 0; k < 4; k++) {
            snprintf(ip, sizeof(ip), "%s", pass == 1 ? "198.51.100.7" : nets[k]);
            add(t, GHA("run-1", "ASIAGHA0000000000001"), 9 * HOUR + k * 2 * HOUR, "iam", "GetRole",
                ip, TF, NULL);
            add(t, GHA("run-1", "ASIAGHA0000000000001"), 9 * HOUR + k * 2 * HOUR + 5, "ec2",
                "DescribeVpcs", ip, TF, NULL);
        }
        /* Day 1: an apply of a new module from a fifth /16 (pass 1: another AS). */
        with_asn = pass == 1;
        add(t, GHA("run-5", "ASIAGHA0000000000005"), DAY + 10 * HOUR, "iam", "CreateRole",
            pass == 1 ? THIEF : "13.64.9.9", pass == 2 ? CLI : TF, NULL);
        add(t, GHA("run-5", "ASIAGHA0000000000005"), DAY + 10 * HOUR + 5, "ec2", "RunInstances",
            pass == 1 ? THIEF : "13.64.9.9", pass == 2 ? CLI : TF, NULL);
        run(&r, t, 0);
        with_asn = false;
        if (pass == 0) {
            assert_int_equal(r.got.n, 0); /* the same client, a new /16: the routine deploy */
        } else {
            assert_int_equal(count(&r.got, "Persistence:IAMUser/AnomalousBehavior"), 1);
            assert_non_null(strstr(r.got.info[0], pass == 1 ? "unusualASNsUserIdentityProfiling"
                                                            : "unusualUserAgentsUserIdentity"));
        }
        free(t);
    }
}

#define ASSUME_DEPLOY                                                                              \
    "\"requestParameters\":{\"roleArn\":\"arn:aws:iam::111122223333:role/deploy\","                \
    "\"roleSessionName\":\"ci\"}"

/*
 * A CI job that chains from its web-identity role into a deploy role
 * (sts:AssumeRole, often into another account) runs the deploy role's calls
 * on the same hosted runners: the deploy role is judged as a web-identity
 * session, by client and API when the network is a prefix. Pass 1: the apply
 * with the CLI still fires; pass 2: the deploy role assumed by an IAM user,
 * not chained from web identity, is judged by its /16 as before.
 */
static void test_web_identity_chained(void **state)
{
    static const char *const nets[] = {"20.42.1.1", "20.57.1.1", "40.76.1.1", "52.225.1.1"};

    (void)state;
    for (int pass = 0; pass < 3; pass++) {
        struct trail *t = trail_new();
        struct run r;

        for (int k = 0; k < 5; k++) {
            const char *ip = k < 4 ? nets[k] : "13.64.9.9";
            int at = k < 4 ? 9 * HOUR + k * 2 * HOUR : DAY + 10 * HOUR;

            add_more(t, pass == 2 ? ALICE : GHA("run", "ASIAGHA0000000000001"), at, "sts",
                     "AssumeRole", ip, TF, NULL, ASSUME_DEPLOY);
            if (k < 4) {
                add(t, SESSION("ci", "ASIADEPLOY000000001"), at + 5, "iam", "GetRole", ip, TF,
                    NULL);
                add(t, SESSION("ci", "ASIADEPLOY000000001"), at + 6, "ec2", "DescribeVpcs", ip, TF,
                    NULL);
            } else {
                add(t, SESSION("ci", "ASIADEPLOY000000005"), at + 5, "iam", "CreateRole", ip,
                    pass == 1 ? CLI : TF, NULL);
                add(t, SESSION("ci", "ASIADEPLOY000000005"), at + 6, "ec2", "RunInstances", ip,
                    pass == 1 ? CLI : TF, NULL);
            }
        }
        run(&r, t, 0);
        if (pass == 0) {
            assert_int_equal(r.got.n, 0);
        } else {
            assert_int_equal(count(&r.got, "Persistence:IAMUser/AnomalousBehavior"), 1);
            assert_int_equal(count(&r.got, "Impact:IAMUser/AnomalousBehavior"), 1);
            assert_string_equal(r.got.resource[0], "ASIADEPLOY000000005");
        }
        free(t);
    }
}

/* A session of an IAM Identity Center permission set's role, named after its user. */
#define SSO(user, key)                                                                             \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROASSOADMIN:" user "\","        \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/" user \
    "\",\"accountId\":\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{"           \
    "\"sessionIssuer\":{\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/aws-reserved/"  \
    "sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef\",\"userName\":"                      \
    "\"AWSReservedSSO_Admin_0123456789abcdef\"},\"attributes\":{\"creationDate\":"                 \
    "\"2026-01-05T09:00:00Z\",\"mfaAuthenticated\":\"false\"}}}"
#define CONSOLE "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"

/* An EKS pod's IRSA role session (web identity). */
#define IRSA(key)                                                                                  \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAKARP:1762041600\","          \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/karpenter/1762041600\",\"accountId\":"       \
    "\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{\"sessionIssuer\":{"         \
    "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/karpenter\",\"userName\":"         \
    "\"karpenter\"},\"webIdFederationData\":{\"federatedProvider\":\"arn:aws:iam::111122223333:"   \
    "oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C2A1A8B\",\"attributes\":{}},"             \
    "\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\",\"mfaAuthenticated\":\"false\"}}}"
#define GO_SDK "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux api/ec2#1.149.1"

/*
 * A web-identity session whose every usual network is inside AWS (an EKS
 * pod's IRSA role: AWS's addresses with the ranges loaded, or a VPC
 * endpoint's private ones) runs on no provider's pool: its key used from an
 * address prefix outside AWS, with the same Go SDK (any Go tool's client),
 * is a new network. Before 2026-12-05 the web-identity rule made every
 * prefix usual for it: CreateAccessKey from outside AWS was no finding.
 * Pass 3: a private cluster's pod, through VPC endpoints only, without the
 * ranges, fires too. Near misses: pass 1, AWS's addresses without the
 * ranges (every network is a prefix, the rule holds); pass 2, a role also
 * used from a prefix outside AWS (a hosted runner) keeps the rule.
 */
static void test_web_identity_inside_aws(void **state)
{
    static const char json[] =
        "{\"syncToken\":\"1\",\"createDate\":\"2026-01-01-00-00-00\",\"prefixes\":["
        "{\"ip_prefix\":\"3.0.0.0/8\",\"region\":\"us-east-1\",\"service\":\"AMAZON\","
        "\"network_border_group\":\"us-east-1\"}],\"ipv6_prefixes\":[]}";
    struct cm_awsranges *aws = NULL;

    (void)state;
    assert_int_equal(cm_awsranges_parse(&aws, json, strlen(json), 7, NULL, NULL), 0);
    for (int pass = 0; pass < 4; pass++) {
        struct trail *t = trail_new();
        struct run r;

        for (int k = 0; k < 6; k++) {
            const char *ip = pass == 3 ? "10.20.3.44" : "3.88.14.201";

            add(t, IRSA("ASIAKARP00000000001"), 9 * HOUR + k * HOUR, "ec2", "DescribeInstances",
                pass == 2 && k == 3 ? "20.42.1.1" : ip, GO_SDK, NULL);
        }
        add(t, IRSA("ASIAKARP00000000002"), DAY + 12 * HOUR, "iam", "CreateAccessKey", THIEF,
            GO_SDK, NULL);
        ranges = pass == 0 || pass == 2 ? aws : NULL;
        run(&r, t, 0);
        ranges = NULL;
        if (pass == 0 || pass == 3) {
            assert_int_equal(r.got.n, 1);
            assert_string_equal(r.got.type[0], "Persistence:IAMUser/AnomalousBehavior");
            assert_string_equal(r.got.resource[0], "ASIAKARP00000000002");
            assert_non_null(strstr(r.got.info[0], "\"unusualNetworksUserIdentityProfiling\":"
                                                  "\"203.0.0.0/16\""));
        } else {
            assert_int_equal(r.got.n, 0);
        }
        free(t);
    }
    cm_awsranges_destroy(aws);
}

/*
 * A permission set's role is shared by every user it is assigned to, each
 * session named after its user: a colleague's first day in the account, from
 * her own home, is her learning day, not the role's stranger; a user taking
 * the console the role's other users use is no new tool; a thief with one
 * user's session is judged against that user's calls, not the colleagues'.
 */
static void test_sso_permission_set(void **state)
{
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    /* Day 0: alice with the console and bob with the CLI, from the office. */
    for (int k = 0; k < 12; k++) {
        add(t, SSO("alice@example.com", "ASIASSOALICE0000001"), 9 * HOUR + k * 1200, "ec2",
            k % 2 ? "DescribeInstances" : "DescribeVpcs", HOME, CONSOLE, NULL);
        add(t, SSO("bob@example.com", "ASIASSOBOB000000001"), 9 * HOUR + k * 1200 + 60, "s3",
            "ListBuckets", HOME, CLI, NULL);
    }
    add(t, SSO("alice@example.com", "ASIASSOALICE0000001"), DAY + 9 * HOUR, "ec2",
        "DescribeInstances", HOME, CONSOLE, NULL);
    add(t, SSO("bob@example.com", "ASIASSOBOB000000001"), DAY + 9 * HOUR, "s3", "ListBuckets", HOME,
        CLI, NULL);
    /* Day 1: carol's first day with the permission set, from her home ISP. */
    add(t, SSO("carol@example.com", "ASIASSOCAROL000001"), DAY + 10 * HOUR, "iam",
        "CreateAccessKey", "192.0.2.44", CONSOLE, NULL);
    add(t, SSO("carol@example.com", "ASIASSOCAROL000001"), DAY + 10 * HOUR + 60, "ec2",
        "TerminateInstances", "192.0.2.44", CONSOLE, NULL);
    /* bob in the console for once: StopInstances, which he never made. */
    add(t, SSO("bob@example.com", "ASIASSOBOB000000002"), DAY + 11 * HOUR, "ec2", "StopInstances",
        HOME, CONSOLE, NULL);
    /* Day 1, 20:00: alice's session from the thief's place and tool. */
    add(t, SSO("alice@example.com", "ASIASSOALICE0000002"), DAY + 20 * HOUR, "iam",
        "CreateAccessKey", THIEF, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Persistence:IAMUser/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "ASIASSOALICE0000002");
    assert_non_null(
        strstr(r.got.info[0], "\"profiledUserAgentsUserIdentityProfiling\":\"browser\""));
    free(t);
}

/* An IAM user of the account by name and access key (peers of alice's). */
#define USER(name, key)                                                                            \
    "\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDA" name "\",\"arn\":"             \
    "\"arn:aws:iam::111122223333:user/" name "\",\"accountId\":\"111122223333\",\"accessKeyId\":"  \
    "\"" key "\",\"userName\":\"" name "\"}"
#define OFFICE    "192.0.2.10"
#define COWORKING "45.33.20.5"

/*
 * A network the account's people have worked on for a day is no stranger's:
 * alice, who always worked from home, at the office her three colleagues
 * work from (the corporate VPN, the office), making calls she never made.
 * Before 2026-12-05 that was a new network like a thief's: CredentialAccess
 * and Persistence.
 */
static void test_peer_network(void **state)
{
    static const char *const peers[][2] = {
        {USER("bob", "AKIABOB000000000001"), "s3"},
        {USER("carol", "AKIACAROL0000000001"), "ec2"},
        {USER("dave", "AKIADAVE00000000001"), "sts"},
    };
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    for (int day = 0; day < 2; day++) {
        baseline(t, day);
        for (int k = 0; k < 8; k++) {
            for (size_t p = 0; p < 3; p++) {
                int at = day * DAY + 9 * HOUR + k * HOUR + (int)p * 60;

                add(t, peers[p][0], at, peers[p][1],
                    p == 0   ? "ListBuckets"
                    : p == 1 ? "DescribeInstances"
                             : "GetCallerIdentity",
                    OFFICE, CLI, NULL);
                /* Two of them (and the deploy role's sessions) also at a coworking space. */
                if (p < 2) {
                    add(t, peers[p][0], at + 30, peers[p][1],
                        p == 0 ? "ListBuckets" : "DescribeInstances", COWORKING, CLI, NULL);
                }
                add(t, SESSION("ci", "ASIADEPLOY000000001"), at + 40, "ec2", "DescribeVpcs",
                    COWORKING, CLI, NULL);
            }
        }
    }
    /* Day 2: alice at the office, with her CLI: a secret and a key she never fetched or made. */
    add(t, ALICE, 2 * DAY + 10 * HOUR, "secretsmanager", "GetSecretValue", "192.0.2.77", CLI, NULL);
    add(t, ALICE, 2 * DAY + 10 * HOUR + 60, "iam", "CreateAccessKey", "192.0.2.77", CLI, NULL);
    /* At the coworking space (two people and a role): a new place; it fires. */
    add(t, ALICE, 2 * DAY + 12 * HOUR, "ec2", "DeleteFlowLogs", COWORKING, CLI, NULL);
    /* A thief with her CLI, from a place nobody in the account uses. */
    add(t, ALICE, 2 * DAY + 20 * HOUR, "iam", "CreateLoginProfile", THIEF, CLI, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.type[0], "DefenseEvasion:IAMUser/AnomalousBehavior");
    assert_non_null(
        strstr(r.got.info[0], "\"unusualNetworksUserIdentityProfiling\":\"45.33.0.0/16\""));
    assert_string_equal(r.got.type[1], "Persistence:IAMUser/AnomalousBehavior");
    assert_non_null(strstr(r.got.info[1], "CreateLoginProfile"));
    free(t);
}

/*
 * A CLI user's first console session, from home: the IAM pages list what
 * she never listed, and she makes herself a key there. The console is not a
 * stranger's tool (only someone who signed in as her uses it): nothing.
 * Before 2026-12-05 the console's agent was a new client: Discovery and
 * Persistence. The same session from the thief's place fires both.
 */
static void test_console_first_session(void **state)
{
    static const char *const pages[] = {
        "GetAccountSummary", "ListUsers",       "GetUser",
        "ListMFADevices",    "ListAccessKeys",  "GetAccessKeyLastUsed",
        "ListSSHPublicKeys", "CreateAccessKey",
    };
    struct trail *t;
    struct run r;

    (void)state;
    for (int s = 0; s < 2; s++) {
        const char *ip = s == 0 ? "198.51.100.21" : THIEF;
        int at = 2 * DAY + 10 * HOUR;

        t = trail_new();
        baseline(t, 0);
        baseline(t, 1);
        add(t, ALICE, at, "signin", "ConsoleLogin", ip, CONSOLE, NULL);
        for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); k++) {
            add(t, ALICE, at + 30 + 4 * (int)k, "iam", pages[k], ip,
                k % 2 ? "console.amazonaws.com" : CONSOLE, NULL);
        }
        run(&r, t, 0);
        if (s == 0) {
            assert_int_equal(r.got.n, 0);
        } else {
            /* The fifth to seventh reads make a burst; the key is Persistence. */
            assert_int_equal(count(&r.got, "Discovery:IAMUser/AnomalousBehavior"), 3);
            assert_int_equal(count(&r.got, "Persistence:IAMUser/AnomalousBehavior"), 1);
            assert_null(strstr(r.got.info[r.got.n - 1], "unusualUserAgents"));
            assert_non_null(strstr(r.got.info[r.got.n - 1],
                                   "\"unusualNetworksUserIdentityProfiling\":\"203.0.0.0/16\""));
        }
        free(t);
    }
}

/*
 * A Lambda function moved to a runtime that bundles the JavaScript SDK v3
 * (aws-sdk-js/3) instead of v2 (aws-sdk-nodejs/2), and its new version
 * fetches a secret: the same SDK, no new client; nothing. Before
 * 2026-12-05 the two were different clients: CredentialAccess. Its key
 * used with Boto3 for another new call still fires.
 */
static void test_sdk_upgrade(void **state)
{
    static const char v2[] =
        "aws-sdk-nodejs/2.1500.0 linux/v18.18.2 exec-env/AWS_Lambda_nodejs18.x";
    static const char v3[] = "aws-sdk-js/3.470.0 ua/2.0 os/linux lang/js md/nodejs#20.10.0 "
                             "exec-env/AWS_Lambda_nodejs20.x";
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    for (int k = 0; k < 48; k++) {
        add(t, SESSION("resizer", "ASIARESIZER00000001"), k * HOUR, "sqs", "ReceiveMessage", HOME,
            v2, NULL);
    }
    add(t, SESSION("resizer", "ASIARESIZER00000002"), 2 * DAY, "secretsmanager", "GetSecretValue",
        HOME, v3, NULL);
    add(t, SESSION("resizer", "ASIARESIZER00000002"), 2 * DAY + 60, "sqs", "ReceiveMessage", HOME,
        v3, NULL);
    add(t, SESSION("resizer", "ASIARESIZER00000002"), 2 * DAY + HOUR, "iam", "CreateAccessKey",
        HOME, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Persistence:IAMUser/AnomalousBehavior");
    assert_non_null(
        strstr(r.got.info[0], "\"unusualUserAgentsUserIdentityProfiling\":\"Botocore\""));
    assert_non_null(
        strstr(r.got.info[0], "\"profiledUserAgentsUserIdentityProfiling\":\"aws-sdk-js\""));
    free(t);
}

/* A session of the ReadOnly permission set's role (cf. SSO, the Admin one's). */
#define SSO_RO(user, key)                                                                          \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROASSORO:" user "\",\"arn\":"   \
    "\"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_fedcba9876543210/" user      \
    "\",\"accountId\":\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{"           \
    "\"sessionIssuer\":{\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/aws-reserved/"  \
    "sso.amazonaws.com/AWSReservedSSO_ReadOnly_fedcba9876543210\",\"userName\":"                   \
    "\"AWSReservedSSO_ReadOnly_fedcba9876543210\"},\"attributes\":{\"creationDate\":"              \
    "\"2026-01-05T09:00:00Z\",\"mfaAuthenticated\":\"false\"}}}"

/*
 * The person behind permission set sessions is the same with every set:
 * carol read the account with ReadOnly from home for two days, was given
 * Admin too (her first session with it at the office), and the next day
 * reads from home with Admin what she always read. Nothing: her history
 * is hers. Before 2026-12-05 her profile was per permission set: it
 * learned again from her first Admin session, and home and her usual
 * reads were new to it (Discovery, twice). Her Admin session in a thief's
 * hands fires.
 */
static void test_sso_two_permission_sets(void **state)
{
    static const char *const reads[][2] = {
        {"iam", "ListUsers"},    {"iam", "ListRoles"},         {"iam", "GetRole"},
        {"iam", "ListPolicies"}, {"ec2", "DescribeSnapshots"}, {"ec2", "DescribeVolumes"},
    };
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    for (int k = 0; k < 48; k++) {
        add(t, SSO_RO("carol@example.com", "ASIASSOCAROLRO00001"), k * HOUR, reads[k % 6][0],
            reads[k % 6][1], HOME, CLI, NULL);
        add(t, SSO("alice@example.com", "ASIASSOALICE0000001"), k * HOUR + 60, "ec2",
            "DescribeInstances", OFFICE, CLI, NULL);
    }
    add(t, SSO("carol@example.com", "ASIASSOCAROLAD00001"), 2 * DAY + 9 * HOUR, "ec2",
        "DescribeInstances", OFFICE, CLI, NULL);
    for (int k = 0; k < 6; k++) {
        add(t, SSO("carol@example.com", "ASIASSOCAROLAD00002"), 3 * DAY + 10 * HOUR + k * 30,
            reads[k][0], reads[k][1], HOME, CLI, NULL);
    }
    add(t, SSO("carol@example.com", "ASIASSOCAROLAD00002"), 3 * DAY + 20 * HOUR, "iam",
        "CreateAccessKey", THIEF, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Persistence:IAMUser/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "ASIASSOCAROLAD00002");
    free(t);
}

/* Discovery needs a burst: five distinct never-made reads within ten minutes. */
static void test_discovery_burst(void **state)
{
    static const char *const reads[] = {"ListUsers",
                                        "ListRoles",
                                        "ListPolicies",
                                        "ListAccessKeys",
                                        "ListGroups",
                                        "GetAccountSummary",
                                        "ListAttachedUserPolicies",
                                        "ListUserPolicies"};
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    baseline(t, 0);
    baseline(t, 1);
    /* Four, then a pause of 15 minutes, then four more: never five in a window. */
    for (int k = 0; k < 4; k++) {
        add(t, ALICE, DAY + 20 * HOUR + k * 30, "iam", reads[k], THIEF, BOTO, NULL);
    }
    for (int k = 4; k < 8; k++) {
        add(t, ALICE, DAY + 20 * HOUR + 900 + k * 30, "iam", reads[k], THIEF, BOTO, NULL);
    }
    run(&r, t, 0);
    assert_int_equal(r.got.n, 0);
    free(t);

    t = trail_new();
    baseline(t, 0);
    baseline(t, 1);
    for (int k = 0; k < 6; k++) {
        add(t, ALICE, DAY + 20 * HOUR + k * 30, "iam", reads[k], THIEF, BOTO,
            k == 1 ? "AccessDenied" : NULL);
    }
    run(&r, t, 0);
    assert_int_equal(r.got.n, 2); /* the fifth and the sixth */
    assert_string_equal(r.got.type[0], "Discovery:IAMUser/AnomalousBehavior");
    assert_true(r.got.severity[0] == 2.0);
    assert_non_null(strstr(r.got.info[0],
                           "\"anomalousAPIs\":\"iam.amazonaws.com:[ListUsers:success , "
                           "ListRoles:AccessDenied , ListPolicies:success , ListAccessKeys:success"
                           " , ListGroups:success]\""));
    assert_int_equal(r.got.nevidence[0], 5);
    assert_int_equal(r.got.nevidence[1], 6);
    free(t);

    /* Anomalous calls of other tactics in between do not push reads out of the burst. */
    t = trail_new();
    baseline(t, 0);
    baseline(t, 1);
    for (int k = 0; k < 4; k++) {
        add(t, ALICE, DAY + 20 * HOUR + k * 10, "iam", reads[k], THIEF, BOTO, NULL);
    }
    for (int k = 0; k < 4; k++) {
        static const char *const writes[] = {"CreateAccessKey", "AttachUserPolicy", "PutUserPolicy",
                                             "CreateLoginProfile"};
        add(t, ALICE, DAY + 20 * HOUR + 60 + k * 10, "iam", writes[k], THIEF, BOTO, NULL);
    }
    add(t, ALICE, DAY + 20 * HOUR + 120, "iam", reads[4], THIEF, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(count(&r.got, "Discovery:IAMUser/AnomalousBehavior"), 1);
    assert_int_equal(count(&r.got, "Persistence:IAMUser/AnomalousBehavior"), 2);
    assert_int_equal(count(&r.got, "PrivilegeEscalation:IAMUser/AnomalousBehavior"), 2);
    free(t);
}

/* A place becomes usual a day after it is first seen; every session of a role shares one profile.
 */
static void test_learning(void **state)
{
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    /* The deploy role: one session on day 0 from the CI runner, two more on day 1. */
    add(t, SESSION("ci-1", "ASIADEPLOY000000001"), 2 * HOUR, "cloudformation", "DescribeStacks",
        "192.0.2.10", CLI, NULL);
    baseline(t, 0);
    add(t, SESSION("ci-2", "ASIADEPLOY000000002"), DAY + 3 * HOUR, "cloudformation",
        "DescribeStacks", "192.0.2.11", CLI, NULL);
    add(t, SESSION("ci-3", "ASIADEPLOY000000003"), DAY + 4 * HOUR, "iam", "PutRolePolicy",
        "203.0.113.50", CLI, NULL);
    baseline(t, 1);
    add(t, ALICE, DAY + 20 * HOUR, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    /* The next day, 26 hours on: that place and client are hers now. */
    add(t, ALICE, 2 * DAY + 22 * HOUR, "ec2", "DeleteFlowLogs", THIEF, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.type[0], "PrivilegeEscalation:IAMUser/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "ASIADEPLOY000000003");
    assert_string_equal(r.got.type[1], "Persistence:IAMUser/AnomalousBehavior");
    free(t);

    /* A shorter learning period (the setting) judges sooner. */
    t = trail_new();
    add(t, ALICE, 9 * HOUR, "s3", "ListBuckets", HOME, CLI, NULL);
    add(t, ALICE, 11 * HOUR, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    run(&r, t, 3600 * 1000);
    assert_int_equal(r.got.n, 1);
    free(t);
}

/*
 * Identities any caller can mint (GetFederationToken takes any name; web and
 * SAML identities too) fill a model's table: 16,484 federated users, one call
 * each, after alice's last usual call. Before 2026-12-04 they evicted alice's
 * learned profile (the least recently seen); her thief's calls then started a
 * new one that learned for a day, and nothing fired. New identities now evict
 * only each other, and the thief's calls are judged against her history.
 */
static void test_identity_flood(void **state)
{
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    baseline(t, 0);
    baseline(t, 1);
    for (int k = 0; k < 16 * 1024 + 100; k++) {
        char fed[400];

        snprintf(fed, sizeof(fed),
                 "\"userIdentity\":{\"type\":\"FederatedUser\",\"principalId\":"
                 "\"111122223333:f%05d\",\"arn\":\"arn:aws:sts::111122223333:federated-user/"
                 "f%05d\",\"accountId\":\"111122223333\",\"accessKeyId\":\"ASIAFED%012d\"}",
                 k, k, k);
        add(t, fed, DAY + 18 * HOUR + k / 8, "sts", "GetCallerIdentity", THIEF, BOTO, NULL);
    }
    add(t, ALICE, DAY + 20 * HOUR + 60, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    add(t, ALICE, DAY + 20 * HOUR + 120, "ec2", "DeleteFlowLogs", THIEF, BOTO, "AccessDenied");
    run(&r, t, 0);
    assert_int_equal(count(&r.got, "Persistence:IAMUser/AnomalousBehavior"), 1);
    assert_int_equal(count(&r.got, "DefenseEvasion:IAMUser/AnomalousBehavior"), 1);
    assert_int_equal(r.got.n, 2);
    free(t);
}

/* S3's replication role: only S3 uses it (by_service: invokedBy), to copy "orders". */
#define REPLICATION(key, by_service)                                                               \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAREPL:s3-replication\","      \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/crr/s3-replication\",\"accountId\":"         \
    "\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{\"sessionIssuer\":{"         \
    "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/service-role/crr\","               \
    "\"userName\":\"crr\"},\"attributes\":{\"creationDate\":\"2026-01-05T09:00:00Z\","             \
    "\"mfaAuthenticated\":\"false\"}}" by_service "}"

#define BY_S3 ",\"invokedBy\":\"s3.amazonaws.com\""

/*
 * The replication role's key read from elsewhere: 25 objects of the bucket
 * S3 replicates, from a host and with a client the role never had, a day
 * after S3 first used it, is exfiltration, although none of S3's calls was
 * learned. Before 2026-12-05 the role's first own call started its S3
 * profile, which learned for a day: no finding. Near miss (pass 1): the
 * same reads 7 hours after S3's first use.
 */
static void test_s3_service_role_direct(void **state)
{
    char obj[32];

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        struct trail *t = trail_new();
        struct run r;

        for (int d = pass; d < 2; d++) {
            for (int k = 0; k < 6; k++) {
                int at = d * DAY + (d ? 9 : 14) * HOUR + k * 600;

                snprintf(obj, sizeof(obj), "o/%d-%d", d, k);
                add_s3_uid(t, REPLICATION("ASIAREPL0000000001", BY_S3), at,
                           "GetObjectVersionForReplication", "orders", obj, "s3.amazonaws.com",
                           "s3.amazonaws.com", NULL);
                add_s3_uid(t, REPLICATION("ASIAREPL0000000001", BY_S3), at + 1, "ReplicateObject",
                           "orders-replica", obj, "s3.amazonaws.com", "s3.amazonaws.com", NULL);
            }
        }
        for (int k = 0; k < 25; k++) {
            snprintf(obj, sizeof(obj), "o/%d", k);
            add_s3_uid(t, REPLICATION("ASIAREPL0000000002", ""), DAY + 16 * HOUR + k, "GetObject",
                       "orders", obj, THIEF, CLI, NULL);
        }
        run(&r, t, 0);
        if (pass == 0) {
            assert_int_equal(r.got.n, 1);
            assert_string_equal(r.got.type[0], "Exfiltration:S3/AnomalousBehavior");
            assert_string_equal(r.got.resource[0], "orders");
        } else {
            assert_int_equal(r.got.n, 0);
        }
        free(t);
    }
}

/*
 * A transient EMR cluster's role reads "lake" every day through a VPC
 * endpoint from 10.20/16; on the second day a cluster in the VPC's secondary
 * CIDR (100.64/16), through an endpoint of the same account, reads 30 objects
 * of "raw", a bucket the role never read: no finding, with the account's own
 * endpoints (pass 0) and with an organisation's network account's shared
 * ones (pass 3). Before 2026-12-05 the new /16 made Discovery and
 * Exfiltration (and the S3 sequence of the two) on fp_s3.sh's estate. Near
 * misses, each Exfiltration on "raw": the endpoint is an account's the role
 * never called through (pass 1), or the call has no endpoint (pass 2).
 */
#define EMR_SESSION SESSION("emr-step", "ASIAEMR0000000000001")
#define VPCE(acct)  ",\"vpcEndpointId\":\"vpce-0a1b2c3d\",\"vpcEndpointAccountId\":\"" acct "\""

static void test_s3_vpc_endpoint(void **state)
{
    static const char *const usual[] = {
        EMR_SESSION VPCE("111122223333"), EMR_SESSION VPCE("111122223333"),
        EMR_SESSION VPCE("111122223333"), EMR_SESSION VPCE("444455556666")};
    static const char *const last[] = {EMR_SESSION VPCE("111122223333"),
                                       EMR_SESSION VPCE("999988887777"), EMR_SESSION,
                                       EMR_SESSION VPCE("444455556666")};
    char obj[32];

    (void)state;
    for (int pass = 0; pass < 4; pass++) {
        struct trail *t = trail_new();
        struct run r;

        for (int d = 0; d < 2; d++) {
            for (int k = 0; k < 12; k++) {
                snprintf(obj, sizeof(obj), "p/%d-%d", d, k);
                add_s3_uid(t, usual[pass], d * DAY + 1 * HOUR + k * 60, "GetObject", "lake", obj,
                           k % 2 ? "10.20.1.17" : "10.20.2.40", EMRFS, NULL);
            }
        }
        for (int k = 0; k < 30; k++) {
            snprintf(obj, sizeof(obj), "r/%d", k);
            add_s3_uid(t, last[pass], 2 * DAY + 1 * HOUR + k * 10, "GetObject", "raw", obj,
                       "100.64.3.9", EMRFS, NULL);
        }
        run(&r, t, 0);
        if (pass == 0 || pass == 3) {
            assert_int_equal(r.got.n, 0);
        } else {
            assert_int_equal(r.got.n, 1);
            assert_string_equal(r.got.type[0], "Exfiltration:S3/AnomalousBehavior");
            assert_string_equal(r.got.resource[0], "raw");
        }
        free(t);
    }
}

/*
 * Presigned requests (AuthenticationMethod QueryString) are made by whoever
 * holds the link. The app, reading "orders" from its place for two days,
 * starts signing upload links for "claims": customers' apps PUT 30 objects
 * from 30 /16s with curl, no finding (pass 0; before 2026-12-05 Impact
 * S3/AnomalousBehavior.Write, fp_s3.sh's claims uploads). Near miss (pass 1):
 * the same uploads signed in the header, Impact Write. Near miss (pass 2):
 * after the app's links were downloaded from 30 /16s on day 0, its key used
 * from THIEF on day 2 to read 25 objects of "vault": Exfiltration.
 */
#define APP_PRESIGNED                                                                              \
    SESSION("app", "ASIAAPP0000000000001")                                                         \
    ",\"additionalEventData\":{\"AuthenticationMethod\":\"QueryString\"}"

static void test_s3_presigned(void **state)
{
    char obj[32], ip[32];

    (void)state;
    for (int pass = 0; pass < 3; pass++) {
        struct trail *t = trail_new();
        struct run r;

        s3_baseline(t, 0);
        s3_baseline(t, 1);
        for (int k = 0; k < 30; k++) {
            snprintf(obj, sizeof(obj), "c/%d.jpg", k);
            snprintf(ip, sizeof(ip), "%d.%d.7.9", 81 + k, k);
            if (pass < 2) {
                add_s3_uid(t, pass == 0 ? APP_PRESIGNED : SESSION("app", "ASIAAPP0000000000001"),
                           2 * DAY + 10 * HOUR + k * 10, "PutObject", "claims", obj, ip,
                           "curl/8.4.0", NULL);
            } else {
                add_s3_uid(t, APP_PRESIGNED, 10 * HOUR + k * 60, "GetObject", "orders", obj, ip,
                           "curl/8.4.0", NULL);
            }
        }
        for (int k = 0; pass == 2 && k < 25; k++) {
            snprintf(obj, sizeof(obj), "v/%d", k);
            add_s3(t, 2 * DAY + 16 * HOUR + k, "GetObject", "vault", obj, THIEF, CLI);
        }
        run(&r, t, 0);
        if (pass == 0) {
            assert_int_equal(r.got.n, 0);
        } else {
            assert_int_equal(r.got.n, 1);
            assert_string_equal(r.got.type[0], pass == 1 ? "Impact:S3/AnomalousBehavior.Write"
                                                         : "Exfiltration:S3/AnomalousBehavior");
            assert_string_equal(r.got.resource[0], pass == 1 ? "claims" : "vault");
        }
        free(t);
    }
}

/* An analyst's role session: Athena (by_service: invokedBy) reads S3 with it for her queries. */
#define ANALYST(key, by_service)                                                                   \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAANALYST:maria\","            \
    "\"arn\":\"arn:aws:sts::111122223333:assumed-role/analyst/maria\",\"accountId\":"              \
    "\"111122223333\",\"accessKeyId\":\"" key "\",\"sessionContext\":{\"sessionIssuer\":{"         \
    "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/analyst\",\"userName\":"           \
    "\"analyst\"},\"attributes\":{\"creationDate\":\"2026-01-05T08:00:00Z\","                      \
    "\"mfaAuthenticated\":\"true\"}}" by_service "}"

#define BY_ATHENA ",\"invokedBy\":\"athena.amazonaws.com\""

/*
 * An analyst who for two days queried S3 only through Athena, from home with
 * the CLI (Athena read "lake" and wrote "results" with her credentials), then
 * downloads 25 query results herself, from home with the CLI: her network
 * and client are usual for her, whatever API she called them with; no
 * finding. Before the S3 model noted her own calls to other services, her
 * first own S3 call was in a context it never saw: Exfiltration (2026-12-05,
 * after S3 data events a service makes began her profile's learning day).
 * Near miss (pass 1): her key used from a stranger's host, which first
 * checks the key (GetCallerIdentity, ListBuckets) an hour before: a place
 * first seen that day is not usual, Exfiltration on "results".
 */
static void test_s3_athena_analyst(void **state)
{
    char obj[32];

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        struct trail *t = trail_new();
        struct run r;
        size_t exfil = 0;

        for (int d = 0; d < 2; d++) {
            for (int q = 0; q < 6; q++) {
                int at = d * DAY + (9 + q) * HOUR;

                snprintf(obj, sizeof(obj), "r/%d-%d.csv", d, q);
                add(t, ANALYST("ASIAANALYST0000001", ""), at, "athena", "StartQueryExecution", HOME,
                    CLI, NULL);
                add_s3_uid(t, ANALYST("ASIAANALYST0000001", BY_ATHENA), at + 2, "GetObject", "lake",
                           "p/part-0.parquet", "athena.amazonaws.com", "athena.amazonaws.com",
                           NULL);
                add_s3_uid(t, ANALYST("ASIAANALYST0000001", BY_ATHENA), at + 9, "PutObject",
                           "results", obj, "athena.amazonaws.com", "athena.amazonaws.com", NULL);
                add(t, ANALYST("ASIAANALYST0000001", ""), at + 10, "athena", "GetQueryResults",
                    HOME, CLI, NULL);
            }
        }
        if (pass == 1) {
            add(t, ANALYST("ASIAANALYST0000002", ""), 2 * DAY + 9 * HOUR, "sts",
                "GetCallerIdentity", THIEF, CLI, NULL);
            add(t, ANALYST("ASIAANALYST0000002", ""), 2 * DAY + 9 * HOUR + 5, "s3", "ListBuckets",
                THIEF, CLI, NULL);
        }
        for (int k = 0; k < 25; k++) {
            snprintf(obj, sizeof(obj), "r/%d-%d.csv", k / 6 % 2, k % 6);
            add_s3_uid(t, ANALYST("ASIAANALYST0000002", ""), 2 * DAY + 10 * HOUR + k, "GetObject",
                       "results", obj, pass ? THIEF : HOME, CLI, NULL);
        }
        run(&r, t, 0);
        for (size_t i = 0; i < r.got.n; i++) {
            if (strcmp(r.got.type[i], "Exfiltration:S3/AnomalousBehavior") == 0) {
                assert_string_equal(r.got.resource[i], "results");
                exfil++;
            }
        }
        assert_int_equal(exfil, pass == 1 ? 1 : 0);
        free(t);
    }
}

/* ---- the S3 model ---- */

static void test_s3_exfiltration(void **state)
{
    struct trail *t = trail_new();
    struct run r;
    char obj[32];

    (void)state;
    /* Day 0: the thief reads a bucket before the app has a day of S3 history: learned only. */
    for (int k = 0; k < 25; k++) {
        snprintf(obj, sizeof(obj), "early/%d", k);
        add_s3(t, 2 * HOUR + k, "GetObject", "payroll", obj, "192.0.2.7", CLI);
    }
    s3_baseline(t, 0);
    s3_baseline(t, 1);
    /* The app itself, from its usual place, reads a bucket it never read: 30 objects. */
    for (int k = 0; k < 30; k++) {
        snprintf(obj, sizeof(obj), "in/%d", k);
        add_s3(t, DAY + 18 * HOUR + k, "GetObject", "invoices", obj, HOME, BOTO);
    }
    /* The thief: 19 objects of "hr" (one short), then 25 of "finance" an hour later. */
    for (int k = 0; k < 19; k++) {
        snprintf(obj, sizeof(obj), "hr/%d", k);
        add_s3(t, DAY + 19 * HOUR + k, "GetObject", "hr", obj, THIEF, CLI);
    }
    for (int k = 0; k < 25; k++) {
        snprintf(obj, sizeof(obj), "fin/%d", k);
        add_s3(t, DAY + 20 * HOUR + k, "GetObject", "finance", obj, THIEF, CLI);
    }
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Exfiltration:S3/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "finance");
    assert_true(r.got.severity[0] == 8.0);
    assert_non_null(
        strstr(r.got.info[0], "\"anomalousAPIs\":\"s3.amazonaws.com:[GetObject:success]\""));
    assert_non_null(strstr(r.got.info[0], "\"unusualBucketsUserIdentityProfiling\":\"finance\""));
    assert_non_null(strstr(r.got.info[0], "\"callVolume\":{\"calls\":20,\"windowSeconds\":600}"));
    /* The early thief's CLI is a day old by then: only the network is new. */
    assert_non_null(
        strstr(r.got.info[0], "\"unusualNetworksUserIdentityProfiling\":\"203.0.0.0/16\""));
    assert_null(strstr(r.got.info[0], "unusualUserAgents"));
    free(t);
}

/*
 * A permission set's users share its role: a second data engineer's first day,
 * reading 25 objects of a bucket the role never read from her home, is her
 * learning day; a thief with the first engineer's session, from another
 * place and with another client, reading a bucket the role did read, is not
 * hidden by the colleague's reads.
 */
static void test_s3_sso_permission_set(void **state)
{
    struct trail *t = trail_new();
    struct run r;
    char obj[32];

    (void)state;
    for (int day = 0; day < 2; day++) {
        for (int k = 0; k < 12; k++) {
            add_s3_uid(t, SSO("alice@example.com", "ASIASSOALICE0000001"),
                       day * DAY + 9 * HOUR + k * 1800, "GetObject", "curated", "c.parquet", HOME,
                       CONSOLE, NULL);
        }
    }
    for (int k = 0; k < 25; k++) {
        snprintf(obj, sizeof(obj), "raw/%d", k);
        add_s3_uid(t, SSO("carol@example.com", "ASIASSOCAROL000001"), DAY + 14 * HOUR + k,
                   "GetObject", "raw-events", obj, "192.0.2.44", CLI, NULL);
    }
    for (int k = 0; k < 25; k++) {
        snprintf(obj, sizeof(obj), "raw/%d", k);
        add_s3_uid(t, SSO("alice@example.com", "ASIASSOALICE0000002"), DAY + 20 * HOUR + k,
                   "GetObject", "raw-events", obj, THIEF, BOTO, NULL);
    }
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Exfiltration:S3/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "raw-events");
    assert_non_null(
        strstr(r.got.info[0], "\"unusualNetworksUserIdentityProfiling\":\"203.0.0.0/16\""));
    free(t);
}

/* A copy reads its source; a window started from a new place says so when a usual call ends it. */
static void test_s3_copy_and_window(void **state)
{
    struct trail *t = trail_new();
    struct run r;
    char obj[32], src[160];

    (void)state;
    s3_baseline(t, 0);
    s3_baseline(t, 1);
    for (int k = 0; k < 20; k++) {
        snprintf(obj, sizeof(obj), "copy/%d", k);
        snprintf(src, sizeof(src), "\"x-amz-copy-source\":\"finance/fin/%d.csv\"", k);
        add_s3_more(t, DAY + 20 * HOUR + k, "CopyObject", "orders", obj, THIEF, CLI, src);
    }
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Exfiltration:S3/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "finance");
    free(t);

    /* A source named by an access point's ARN names no bucket: the call's own. Before
     * 2026-12-05 the finding named "arn:aws:s3:us-east-1:111122223333:accesspoint". */
    t = trail_new();
    s3_baseline(t, 0);
    s3_baseline(t, 1);
    for (int k = 0; k < 20; k++) {
        snprintf(obj, sizeof(obj), "copy/%d", k);
        snprintf(src, sizeof(src), "\"x-amz-copy-source\":\"%s/object/fin/%d.csv\"",
                 "arn:aws:s3:us-east-1:111122223333:accesspoint/fin-ap", k);
        add_s3_more(t, DAY + 20 * HOUR + k, "CopyObject", "staging", obj, THIEF, CLI, src);
    }
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "Exfiltration:S3/AnomalousBehavior");
    assert_string_equal(r.got.resource[0], "staging");
    free(t);

    t = trail_new();
    s3_baseline(t, 0);
    s3_baseline(t, 1);
    add_s3(t, DAY + 20 * HOUR, "GetObject", "finance", "fin/0", THIEF, CLI);
    for (int k = 1; k < 20; k++) {
        snprintf(obj, sizeof(obj), "fin/%d", k);
        add_s3(t, DAY + 20 * HOUR + k, "GetObject", "finance", obj, HOME, BOTO);
    }
    run(&r, t, 0);
    assert_int_equal(r.got.n, 1);
    assert_non_null(
        strstr(r.got.info[0], "\"unusualNetworksUserIdentityProfiling\":\"203.0.0.0/16\""));
    assert_non_null(
        strstr(r.got.info[0], "\"unusualUserAgentsUserIdentityProfiling\":\"aws-cli\""));
    free(t);
}

/* Deletes, permission changes, writes and listings, each at its volume; one short stays quiet. */
static void test_s3_kinds(void **state)
{
    static const struct {
        const char *call, *type;
        int n;
    } kinds[] = {
        {"DeleteObject", "Impact:S3/AnomalousBehavior.Delete", 10},
        {"PutObjectAcl", "Impact:S3/AnomalousBehavior.Permission", 1},
        {"PutObject", "Impact:S3/AnomalousBehavior.Write", 10},
        {"ListObjectsV2", "Discovery:S3/AnomalousBehavior", 5},
    };
    char obj[32], bucket[32];
    struct run r;

    (void)state;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        for (int shortby = 0; shortby < 2; shortby++) {
            struct trail *t = trail_new();
            int n = kinds[i].n - shortby;

            s3_baseline(t, 0);
            s3_baseline(t, 1);
            for (int k = 0; k < n; k++) {
                snprintf(obj, sizeof(obj), "x/%d", k);
                /* Listings spread over buckets; the rest on one. */
                snprintf(bucket, sizeof(bucket), "%s", k && kinds[i].n == 5 ? "b" : "a");
                if (kinds[i].n == 5) {
                    snprintf(bucket, sizeof(bucket), "bucket-%d", k);
                }
                add_s3(t, DAY + 20 * HOUR + k * 5, kinds[i].call, bucket,
                       kinds[i].n == 5 ? NULL : obj, THIEF, BOTO);
            }
            run(&r, t, 0);
            assert_int_equal(r.got.n, shortby ? 0 : 1);
            if (!shortby) {
                assert_string_equal(r.got.type[0], kinds[i].type);
            }
            free(t);
        }
    }
}

/* ---- attack sequences ---- */

/* Three tactics by one key within a day: one sequence; two are not one. */
static void test_sequence_credentials(void **state)
{
    static const char *const reads[] = {"ListUsers", "ListRoles", "ListPolicies", "ListAccessKeys",
                                        "ListGroups"};
    const char *seq = "AttackSequence:IAM/CompromisedCredentials";
    struct trail *t = trail_new();
    struct run r;

    (void)state;
    baseline(t, 0);
    baseline(t, 1);
    for (int k = 0; k < 5; k++) {
        add(t, ALICE, DAY + 20 * HOUR + k * 10, "iam", reads[k], THIEF, BOTO, NULL);
    }
    add(t, ALICE, DAY + 20 * HOUR + 60, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    run(&r, t, 0);
    assert_int_equal(count(&r.got, seq), 0); /* Discovery and Persistence: two */
    free(t);

    t = trail_new();
    baseline(t, 0);
    baseline(t, 1);
    for (int k = 0; k < 5; k++) {
        add(t, ALICE, DAY + 20 * HOUR + k * 10, "iam", reads[k], THIEF, BOTO, NULL);
    }
    add(t, ALICE, DAY + 20 * HOUR + 60, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    add(t, ALICE, DAY + 20 * HOUR + 120, "ec2", "DeleteFlowLogs", THIEF, BOTO, NULL);
    add(t, ALICE, DAY + 20 * HOUR + 180, "ec2", "DeleteSecurityGroup", THIEF, BOTO, NULL);
    run(&r, t, 0);
    /* At the third tactic, once for each record of the key it counts (the three of the
     * three tactics, each under its own key), and again at the fourth; and once more for
     * the custom rule VPCFlowLogsDeleted's DefenseImpairment:EC2/DisableOrModifyTools on
     * the DeleteFlowLogs record (ct_custom.c), a signal of a type the sequence did not
     * hold yet. */
    assert_int_equal(count(&r.got, seq), 5);
    for (size_t i = 0; i < r.got.n; i++) {
        if (strcmp(r.got.type[i], seq) == 0) {
            assert_string_equal(r.got.resource[i], "AKIAALICE0000000001");
            assert_true(r.got.severity[i] >= 9.0);
            assert_non_null(
                strstr(r.got.info[i], "\"name\":\"Persistence:IAMUser/AnomalousBehavior\""));
            assert_non_null(strstr(r.got.info[i],
                                   "\"key\":\"ATTACK_TACTIC\",\"values\":["
                                   "\"Discovery\",\"Persistence\",\"DefenseEvasion\""));
            assert_true(r.got.nevidence[i] >= 3);
        }
    }
    free(t);
}

/* A trusted address makes no finding, and no signal of a sequence either (spec §4.3). */
static void test_sequence_trusted(void **state)
{
    static const char *const reads[] = {"ListUsers", "ListRoles", "ListPolicies", "ListAccessKeys",
                                        "ListGroups"};
    struct cm_intel_list l = {CM_STR_LIT("office"), CM_INTEL_KIND_TRUSTED, CM_STR_LIT("TXT"),
                              CM_STR_LIT("test")};
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *snap;
    struct trail *t = trail_new();
    struct run r;
    uint32_t id;

    (void)state;
    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), 0);
    {
        struct cm_indicator ind = {id, CM_CAT_UNKNOWN, CM_STR_LIT(""), CM_STR_LIT("test")};

        assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(THIEF), &ind), 0);
    }
    assert_int_equal(cm_intel_builder_build(b, &snap), 0);
    cm_intel_builder_destroy(b);
    baseline(t, 0);
    baseline(t, 1);
    for (int k = 0; k < 5; k++) {
        add(t, ALICE, DAY + 20 * HOUR + k * 10, "iam", reads[k], THIEF, BOTO, NULL);
    }
    add(t, ALICE, DAY + 20 * HOUR + 60, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
    add(t, ALICE, DAY + 20 * HOUR + 120, "ec2", "DeleteFlowLogs", THIEF, BOTO, NULL);
    intel = snap;
    run(&r, t, 0);
    intel = NULL;
    /* The anomalies reach the sink (the scan's sink drops them); the sequence is not made. */
    assert_int_equal(count(&r.got, "DefenseEvasion:IAMUser/AnomalousBehavior"), 1);
    assert_int_equal(count(&r.got, "AttackSequence:IAM/CompromisedCredentials"), 0);
    cm_intel_snapshot_unref(snap);
    free(t);
}

/* Data read from S3 by a key that also did something else: a data compromise. */
static void test_sequence_s3(void **state)
{
    static const char *const reads[] = {"ListUsers", "ListRoles", "ListPolicies", "ListAccessKeys",
                                        "ListGroups"};
    const char *app = SESSION("app", "ASIAAPP0000000000001");
    const char *seq = "AttackSequence:S3/CompromisedData";
    struct trail *t = trail_new();
    struct run r;
    char obj[32];

    (void)state;
    add(t, app, 8 * HOUR, "sts", "GetCallerIdentity", HOME, BOTO, NULL);
    s3_baseline(t, 0);
    s3_baseline(t, 1);
    for (int k = 0; k < 20; k++) {
        snprintf(obj, sizeof(obj), "fin/%d", k);
        add_s3(t, DAY + 20 * HOUR + k, "GetObject", "finance", obj, THIEF, CLI);
    }
    run(&r, t, 0);
    assert_int_equal(count(&r.got, "Exfiltration:S3/AnomalousBehavior"), 1);
    assert_int_equal(count(&r.got, seq), 0); /* the read alone */
    free(t);

    t = trail_new();
    add(t, app, 8 * HOUR, "sts", "GetCallerIdentity", HOME, BOTO, NULL);
    s3_baseline(t, 0);
    s3_baseline(t, 1);
    for (int k = 0; k < 5; k++) {
        add(t, app, DAY + 19 * HOUR + k * 10, "iam", reads[k], THIEF, CLI, NULL);
    }
    for (int k = 0; k < 20; k++) {
        snprintf(obj, sizeof(obj), "fin/%d", k);
        add_s3(t, DAY + 20 * HOUR + k, "GetObject", "finance", obj, THIEF, CLI);
    }
    run(&r, t, 0);
    /* Once for each record it counts: the discovery burst's and the read burst's. */
    assert_int_equal(count(&r.got, seq), 2);
    for (size_t i = 0; i < r.got.n; i++) {
        if (strcmp(r.got.type[i], seq) == 0) {
            assert_string_equal(r.got.resource[i], "finance");
            assert_non_null(strstr(r.got.info[i], "\"resourceUids\":[\"finance\"]"));
        }
    }
    free(t);
}

/* A copy of the set takes v at now: whether the set holds it (a full set holds everything). */
/*
 * Notes a call of identity c with user agent ua from a.b.0.9 at at_ms (no ASN: the network
 * is the /16); what was new of it.
 */
static struct cm_ct_novelty ua_nv(struct cm_ct_context *c, const char *ua, uint8_t a, uint8_t b,
                                  int64_t at_ms, int64_t learn_ms)
{
    struct cm_event ev;
    struct cm_ct_novelty nv;

    memset(&ev, 0, sizeof(ev));
    memset(&nv, 0, sizeof(nv));
    ev.time_ms = at_ms;
    ev.u.ct.source_ip.family = CM_IP_V4;
    ev.u.ct.source_ip.a[0] = a;
    ev.u.ct.source_ip.a[1] = b;
    ev.u.ct.source_ip.a[3] = 9;
    ev.u.ct.user_agent = cm_str_cstr(ua);
    cm_ct_context_note(c, NULL, 42, &ev, learn_ms, &nv);
    return nv;
}

/* The same: whether its network is new. */
static bool ua_call(struct cm_ct_context *c, const char *ua, uint8_t a, uint8_t b, int64_t at_ms,
                    int64_t learn_ms)
{
    return ua_nv(c, ua, a, b, at_ms, learn_ms).net_new;
}

/* The same with the console's agent. */
static bool net_call(struct cm_ct_context *c, uint8_t a, uint8_t b, int64_t at_ms, int64_t learn_ms)
{
    return ua_call(c, "console.amazonaws.com", a, b, at_ms, learn_ms);
}

#define LAMBDA_UA    "aws-sdk-js/2.1467.0 linux/v18.17.1 exec-env/AWS_Lambda_nodejs18.x"
#define BOTO3_UA     "Boto3/1.34.0 Python/3.11 botocore/1.34.0"
#define TERRAFORM_UA "Terraform/1.7.0 HashiCorp"

/*
 * A role shared by a person (a console session from her home /16 every morning) and an
 * hourly Lambda (a burst of calls from a fresh AWS /16 each run, 24 a day through 16
 * slots, no AWS ranges): each network remembers its clients and a full profile drops the
 * least recently seen network of the client that holds the most, so the Lambda pushes out
 * its own places and her home stays usual (before 2026-12-06 it was forgotten and new
 * every morning). A thief's network is new, and an identity whose every network is a
 * one-off of one client forgets the least recently seen.
 */
static void test_network_bursts(void **state)
{
    const int64_t min = 60LL * 1000, hour = 60 * min, day = 24 * hour, t0 = 20000 * day;
    struct cm_ct_context *c = calloc(1, sizeof(*c));
    uint8_t pool = 0;

    (void)state;
    assert_non_null(c);
    for (int d = 0; d < 4; d++) {
        for (int h = 0; h < 24; h++) {
            for (int i = 0; i < 12; i++) { /* the Lambda: 12 calls in 12 s, never again */
                ua_call(c, LAMBDA_UA, 3, pool, t0 + d * day + h * hour + 3 * min + i * 1000, day);
            }
            pool++;
            if (h == 9) { /* her console session: 20 calls over 10 minutes */
                for (int i = 0; i < 20; i++) {
                    bool fresh =
                        net_call(c, 86, 150, t0 + d * day + h * hour + 25 * min + i * 30000, day);

                    assert_int_equal(fresh, d == 0); /* new on her first day only */
                }
                assert_int_equal(
                    cm_ct_context_usual(c, c->last_net, t0 + d * day + h * hour + 35 * min, day),
                    d > 0);
            }
        }
    }
    /* a thief with her session's key from a VPS: new */
    assert_true(net_call(c, 45, 77, t0 + 4 * day, day));
    /* the Lambda's next run: its /16 is new (none of its 15 kept places is a day old) */
    assert_true(ua_call(c, LAMBDA_UA, 3, pool, t0 + 4 * day + min, day));
    free(c);

    /* every network a burst: the oldest is forgotten, the 16 newest kept */
    c = calloc(1, sizeof(*c));
    assert_non_null(c);
    for (int n = 0; n < 17; n++) {
        net_call(c, 3, (uint8_t)n, t0 + n * hour, day);
    }
    net_call(c, 3, 1, t0 + 2 * day, day); /* kept, and usual */
    assert_true(cm_ct_context_usual(c, c->last_net, t0 + 2 * day, day));
    net_call(c, 3, 0, t0 + 2 * day + min, day); /* the oldest: forgotten, seen anew */
    assert_false(cm_ct_context_usual(c, c->last_net, t0 + 2 * day + min, day));
    free(c);
}

/*
 * Roaming is a client's: a CLI that called from 8 networks roams, and a new network of
 * its own says nothing; the person's console, usual from one home, has a new network new
 * (before 2026-12-06 the identity roamed as a whole). A network is the identity's: the
 * console in one only the CLI used is not new; a client new to the identity is judged on
 * the identity's networks (the identity roams: nothing new).
 */
static void test_client_roaming(void **state)
{
    const int64_t hour = 3600LL * 1000, day = 24 * hour, t0 = 20000 * day;
    struct cm_ct_context *c = calloc(1, sizeof(*c));

    (void)state;
    assert_non_null(c);
    for (int k = 0; k < 8; k++) {
        ua_call(c, "aws-cli/2.15.0 Python/3.11", 198, (uint8_t)(20 + k), t0 + k * hour, day);
    }
    net_call(c, 86, 150, t0 + 9 * hour, day);
    assert_false(ua_call(c, "aws-cli/2.15.0 Python/3.11", 45, 77, t0 + 2 * day, day));
    assert_false(net_call(c, 86, 150, t0 + 2 * day, day));
    assert_true(net_call(c, 45, 78, t0 + 2 * day + hour, day));
    assert_false(net_call(c, 198, 21, t0 + 2 * day + 2 * hour, day)); /* the CLI's: usual */
    assert_false(ua_call(c, BOTO3_UA, 45, 79, t0 + 2 * day + 4 * hour, day));
    free(c);
}

/*
 * A network any of an identity's clients made usual is usual for all of them: Terraform's
 * first call from the home where only Boto3 had been is not in a new network (2026-12-06:
 * judging a usual client on its own places was not kept), a VPS is. A client new to the
 * identity is new and judged on the identity's networks; the console is never a new
 * client, and its call from a VPS is in a new network.
 */
static void test_client_shared_places(void **state)
{
    const int64_t hour = 3600LL * 1000, day = 24 * hour, t0 = 20000 * day;
    struct cm_ct_context *c = calloc(1, sizeof(*c));
    struct cm_ct_novelty nv;

    (void)state;
    assert_non_null(c);
    ua_call(c, BOTO3_UA, 86, 150, t0, day);          /* Boto3 at home */
    ua_call(c, TERRAFORM_UA, 10, 1, t0 + hour, day); /* Terraform at the office */
    nv = ua_nv(c, TERRAFORM_UA, 86, 150, t0 + 2 * day, day);
    assert_false(nv.net_new);
    assert_false(nv.client_new);
    nv = ua_nv(c, TERRAFORM_UA, 45, 77, t0 + 2 * day + hour, day);
    assert_true(nv.net_new);
    assert_false(nv.client_new);
    /* a client new to the identity: new, at home not in a new network, at a VPS in one */
    nv = ua_nv(c, "aws-sdk-go/1.50.0 (go1.22)", 10, 1, t0 + 2 * day + 2 * hour, day);
    assert_true(nv.client_new);
    assert_false(nv.net_new);
    nv = ua_nv(c, "aws-sdk-java/1.12.600 Linux/6.1", 45, 78, t0 + 2 * day + 3 * hour, day);
    assert_true(nv.client_new);
    assert_true(nv.net_new);
    /* the console, never seen: not a new client; from home usual, from a VPS new */
    nv = ua_nv(c, "console.amazonaws.com", 86, 150, t0 + 2 * day + 4 * hour, day);
    assert_false(nv.client_new);
    assert_false(nv.net_new);
    nv = ua_nv(c, "console.amazonaws.com", 45, 79, t0 + 2 * day + 5 * hour, day);
    assert_false(nv.client_new);
    assert_true(nv.net_new);
    free(c);
}

/*
 * A client slot given to another client (the 9th pushes out the least recently seen)
 * leaves the networks its former client used: they stay the identity's (not new), but
 * the new client does not roam on its predecessor's 8 places.
 */
static void test_client_slot_reuse(void **state)
{
    static const char *const ua[] = {
        "aws-cli/2.15.0 Python/3.11",
        BOTO3_UA,
        "aws-sdk-go/1.50.0 (go1.22)",
        "aws-sdk-java/1.12.600 Linux/6.1",
        LAMBDA_UA,
        "aws-sdk-ruby3/3.190.0 ruby/3.2",
        "aws-sdk-php/3.300.0 OS/Linux",
        "aws-sdk-dotnet-coreclr/3.7.300",
        TERRAFORM_UA,
    };
    const int64_t hour = 3600LL * 1000, day = 24 * hour, t0 = 20000 * day;
    struct cm_ct_context *c = calloc(1, sizeof(*c));
    char names[9][CM_CT_CLIENT_MAX];
    size_t slot = CM_CT_CLIENTS;

    (void)state;
    assert_non_null(c);
    /* the CLI roams over 198.20-27/16 at hour 0; client k > 0 calls from 10.k.0.9 at hour
     * k: nine categories, eight slots, 16 networks */
    for (int n = 0; n < 8; n++) {
        ua_call(c, ua[0], 198, (uint8_t)(20 + n), t0 + n * 60000, day);
    }
    memcpy(names[0], c->last_name, sizeof(names[0]));
    for (int k = 1; k < 8; k++) {
        ua_call(c, ua[k], 10, (uint8_t)k, t0 + k * hour, day);
        memcpy(names[k], c->last_name, sizeof(names[k]));
        for (int j = 0; j < k; j++) {
            assert_string_not_equal(names[j], names[k]);
        }
    }
    ua_call(c, ua[8], 10, 8, t0 + 8 * hour, day);
    memcpy(names[8], c->last_name, sizeof(names[8]));
    for (size_t i = 0; i < CM_CT_CLIENTS; i++) {
        assert_string_not_equal(c->clients[i].name, names[0]); /* the oldest client: gone */
        if (strcmp(c->clients[i].name, names[8]) == 0) {
            slot = i;
        }
    }
    assert_true(slot < CM_CT_CLIENTS);
    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (c->nets[i].h != 0) {
            assert_int_equal(c->nets[i].first_ms == t0 + 8 * hour,
                             (c->net_clients[i] & (1u << slot)) != 0);
        }
    }
    assert_true(cm_ct_context_ok(c));
    /* a day on, the 9th client is usual; 198.20/16 was its slot's former client's: the
     * identity's, not new; a VPS is new (it does not roam on the CLI's places) */
    assert_false(ua_call(c, ua[8], 10, 8, t0 + 2 * day, day));
    assert_false(ua_call(c, ua[8], 198, 20, t0 + 2 * day + hour, day));
    assert_true(ua_call(c, ua[8], 45, 77, t0 + 2 * day + 2 * hour, day));
    /* a network's client that is no kept client's, or on an empty slot: refused */
    assert_true(cm_ct_context_ok(c));
    c->clients[slot].s.h = 0;
    assert_false(cm_ct_context_ok(c));
    c->clients[slot].s.h = 1;
    c->nets[CM_CT_NETS - 1].h = 0;
    c->net_clients[CM_CT_NETS - 1] = 1;
    assert_false(cm_ct_context_ok(c));
    free(c);
}

static bool set_has(const uint32_t *set, uint32_t n, uint32_t v, int64_t now)
{
    uint32_t copy[512];

    memcpy(copy, set, sizeof(copy));
    return !cm_ct_set_add(copy, 512, &n, v, now);
}

/* The profiles' call sets: full, they forget what went unused for a month, oldest first. */
static void test_set_ages(void **state)
{
    const int64_t day = 24LL * 3600 * 1000, t0 = 20000 * day + 5 * 3600 * 1000;
    uint32_t set[512] = {0}, n = 0, kept = 0;

    (void)state;
    for (uint32_t v = 1; v <= 384; v++) {
        assert_true(cm_ct_set_add(set, 512, &n, v << 8, t0));
    }
    assert_int_equal(n, 384);
    assert_false(cm_ct_set_add(set, 512, &n, 1u << 8, t0 + day));
    /* Only the upper 24 bits are kept: the low byte is the day. */
    assert_false(cm_ct_set_add(set, 512, &n, (2u << 8) | 0x7f, t0 + day));
    /* Full, and nothing unused for 30 days: nothing is new (and nothing is learned). */
    assert_false(cm_ct_set_add(set, 512, &n, 999u << 8, t0 + 29 * day));
    assert_int_equal(n, 384);
    for (uint32_t v = 1; v <= 100; v++) {
        assert_false(cm_ct_set_add(set, 512, &n, v << 8, t0 + 20 * day));
    }
    /* A late file (day 10) does not move a stamp back. */
    assert_false(cm_ct_set_add(set, 512, &n, 50u << 8, t0 + 10 * day));
    /* Day 35: 101..384 have gone unused for 35 days; 1..100 for 15. A new value is new,
     * and the set forgets 128 of the unused ones to be half full. */
    assert_true(cm_ct_set_add(set, 512, &n, 999u << 8, t0 + 35 * day));
    assert_int_equal(n, 257);
    assert_true(cm_ct_set_ok(set, 512, n));
    for (uint32_t v = 1; v <= 100; v++) {
        assert_true(set_has(set, n, v << 8, t0 + 35 * day));
    }
    for (uint32_t v = 101; v <= 384; v++) {
        kept += set_has(set, n, v << 8, t0 + 35 * day);
    }
    assert_int_equal(kept, 284 - 128);
    assert_true(set_has(set, n, 999u << 8, t0 + 35 * day));
}

/*
 * An identity whose profile is full (768 (bucket, kind) pairs) still has a stolen key's
 * reads of a new bucket judged once the pairs it fills with have gone unused for a month;
 * while it keeps using them all, nothing is new to it.
 */
static void test_s3_full_profile(void **state)
{
    char bucket[32];
    char obj[32];

    (void)state;
    for (int stale = 0; stale < 2; stale++) {
        struct trail *t = trail_new();
        struct run r;

        s3_baseline(t, 0);
        s3_baseline(t, 1);
        for (int day = 2; day <= (stale ? 2 : 39); day += stale ? 1 : 37) {
            for (int k = 0; k < 766; k++) {
                snprintf(bucket, sizeof(bucket), "data-%d", k);
                add_s3(t, day * DAY + 10 * HOUR + k * 30, "GetObject", bucket, "part-0", HOME,
                       BOTO);
            }
        }
        s3_baseline(t, 40);
        for (int k = 0; k < 25; k++) {
            snprintf(obj, sizeof(obj), "fin/%d", k);
            add_s3(t, 40 * DAY + 20 * HOUR + k, "GetObject", "finance", obj, THIEF, CLI);
        }
        run(&r, t, 0);
        assert_int_equal(count(&r.got, "Exfiltration:S3/AnomalousBehavior"), stale ? 1 : 0);
        assert_int_equal(r.got.n, stale ? 1 : 0);
        if (stale) {
            assert_string_equal(r.got.resource[0], "finance");
        }
        free(t);
    }
}

/* The same for management calls: an administrator's 384 calls, then a month's pause. */
static void test_api_full_profile(void **state)
{
    char name[32];

    (void)state;
    for (int stale = 0; stale < 2; stale++) {
        struct trail *t = trail_new();
        struct run r;

        baseline(t, 0);
        baseline(t, 1);
        for (int day = 2; day <= (stale ? 2 : 39); day += stale ? 1 : 37) {
            for (int k = 0; k < 380; k++) {
                snprintf(name, sizeof(name), "DescribeThing%d", k);
                add(t, ALICE, day * DAY + 10 * HOUR + k * 30, "ec2", name, HOME, CLI, NULL);
            }
        }
        baseline(t, 40);
        add(t, ALICE, 40 * DAY + 20 * HOUR, "iam", "CreateAccessKey", THIEF, BOTO, NULL);
        run(&r, t, 0);
        assert_int_equal(count(&r.got, "Persistence:IAMUser/AnomalousBehavior"), stale ? 1 : 0);
        assert_int_equal(r.got.n, stale ? 1 : 0);
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tactics),
        cmocka_unit_test(test_ua_categories),
        cmocka_unit_test(test_stolen_key),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_learning_day_places),
        cmocka_unit_test(test_one_factor),
        cmocka_unit_test(test_service_role_direct),
        cmocka_unit_test(test_discovery_burst),
        cmocka_unit_test(test_learning),
        cmocka_unit_test(test_identity_flood),
        cmocka_unit_test(test_asn),
        cmocka_unit_test(test_roaming),
        cmocka_unit_test(test_network_bursts),
        cmocka_unit_test(test_client_roaming),
        cmocka_unit_test(test_client_shared_places),
        cmocka_unit_test(test_client_slot_reuse),
        cmocka_unit_test(test_aws_network),
        cmocka_unit_test(test_web_identity),
        cmocka_unit_test(test_sso_permission_set),
        cmocka_unit_test(test_peer_network),
        cmocka_unit_test(test_console_first_session),
        cmocka_unit_test(test_sdk_upgrade),
        cmocka_unit_test(test_sso_two_permission_sets),
        cmocka_unit_test(test_web_identity_chained),
        cmocka_unit_test(test_web_identity_inside_aws),
        cmocka_unit_test(test_s3_exfiltration),
        cmocka_unit_test(test_s3_service_role_direct),
        cmocka_unit_test(test_s3_athena_analyst),
        cmocka_unit_test(test_s3_vpc_endpoint),
        cmocka_unit_test(test_s3_presigned),
        cmocka_unit_test(test_s3_kinds),
        cmocka_unit_test(test_s3_copy_and_window),
        cmocka_unit_test(test_s3_sso_permission_set),
        cmocka_unit_test(test_set_ages),
        cmocka_unit_test(test_s3_full_profile),
        cmocka_unit_test(test_api_full_profile),
        cmocka_unit_test(test_sequence_credentials),
        cmocka_unit_test(test_sequence_s3),
        cmocka_unit_test(test_sequence_trusted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
