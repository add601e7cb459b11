/*
 * The Custom Detection Rules (lib/detect/ct_custom*.c): the library's table,
 * each rule's trigger and near misses (docs/detectors/custom-rules.md),
 * service-invoked calls, the modes (settings, which applies, DRY_RUN and OFF),
 * the aggregation of a caller's rules of one type, and a checkpoint round trip.
 * Hand-written CloudTrail records go through the real parser into an engine
 * holding the custom rules detector alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/ct_custom.h"
#include "detect/detect.h"

#include "ckpt_fixture.h"
#include "ct_fixture.h"

/* The cases below leave a record's trailing members out: NULL, the default. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define MAXD 16

struct got {
    char type[MAXD][96];
    char resource[MAXD][64];
    char info[MAXD][1024];
    char rule[MAXD][48]; /* dry runs: the rule */
    double severity[MAXD];
    size_t n;
};

struct run {
    struct cm_sink sink;
    struct got got; /* LIVE detections */
    struct got dry; /* DRY_RUN ones */
};

static void keep(struct got *g, const struct cm_detection *d, const char *rule)
{
    assert_true(g->n < MAXD);
    snprintf(g->type[g->n], sizeof(g->type[0]), "%s", d->type);
    ctfx_copy(g->resource[g->n], sizeof(g->resource[0]), d->resource_id);
    ctfx_copy(g->info[g->n], sizeof(g->info[0]), d->info);
    snprintf(g->rule[g->n], sizeof(g->rule[0]), "%s", rule ? rule : "");
    g->severity[g->n] = d->severity;
    g->n++;
}

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    keep(&((struct run *)sink->ud)->got, d, NULL);
    return 0;
}

static void on_dry(void *ud, const struct cm_detection *d, const char *rule)
{
    keep(&((struct run *)ud)->dry, d, rule);
}

static const struct cm_detector *const table[] = {&cm_detector_ct_custom, NULL};

/* One record: minute, source (without .amazonaws.com), name, requestParameters,
 * responseElements, errorCode or NULL, extra userIdentity members (",..."), sourceIPAddress,
 * account. */
struct rec {
    int minute;
    const char *src, *name, *req, *resp, *error, *uid_extra, *ip, *acct, *key;
};

static size_t rec_text(char *out, size_t cap, const struct rec *r)
{
    const char *acct = r->acct ? r->acct : "111122223333";
    const char *key = r->key ? r->key : "AKIAEXAMPLEOPS000001";
    char err[96] = "";
    int n;

    if (r->error != NULL) {
        snprintf(err, sizeof(err), "\"errorCode\":\"%s\",\"errorMessage\":\"no\",", r->error);
    }
    n = snprintf(out, cap,
                 "{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"IAMUser\","
                 "\"principalId\":\"AIDAEXAMPLEOPS000001\",\"arn\":\"arn:aws:iam::%s:user/ops\","
                 "\"accountId\":\"%s\",\"accessKeyId\":\"%s\",\"userName\":\"ops\"%s},"
                 "\"eventTime\":\"2026-11-09T03:%02d:00Z\",\"eventSource\":\"%s.amazonaws.com\","
                 "\"eventName\":\"%s\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"%s\","
                 "\"userAgent\":\"aws-cli/2.17.2\",%s\"requestParameters\":%s,"
                 "\"responseElements\":%s,\"eventID\":\"00000000-0000-4000-8000-%012d\","
                 "\"readOnly\":false,\"eventType\":\"AwsApiCall\",\"managementEvent\":true,"
                 "\"eventCategory\":\"Management\",\"recipientAccountId\":\"%s\"}",
                 acct, acct, key, r->uid_extra ? r->uid_extra : "", r->minute, r->src, r->name,
                 r->ip ? r->ip : "198.51.100.7", err, r->req ? r->req : "null",
                 r->resp ? r->resp : "null", r->minute, acct);
    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

static char text[65536];

/* The records r[0..n) as one CloudTrail file into text. */
static size_t file_text(const struct rec *r, size_t n)
{
    size_t len = 0;

    len += (size_t)snprintf(text, sizeof(text), "{\"Records\":[");
    for (size_t i = 0; i < n; i++) {
        len += rec_text(text + len, sizeof(text) - len, &r[i]);
        if (i + 1 < n) {
            text[len++] = ',';
        }
    }
    len += (size_t)snprintf(text + len, sizeof(text) - len, "]}");
    return len;
}

static void run_with(struct run *out, const struct rec *r, size_t n,
                     const struct cm_cr_setting *set, size_t nset)
{
    struct cm_cr_config cc = {.settings = set, .nsettings = nset, .dry_run = on_dry};
    struct cm_detect_config cfg;
    struct cm_detect_opts o;
    struct cm_engine *e = NULL;
    size_t len = file_text(r, n);

    memset(out, 0, sizeof(*out));
    memset(&cfg, 0, sizeof(cfg));
    memset(&o, 0, sizeof(o));
    cc.ud = out;
    cfg.custom_rules = &cc;
    o.config = &cfg;
    o.seed = 3;
    out->sink.emit = collect;
    out->sink.ud = out;
    assert_int_equal(cm_engine_create(&e, table, &o), 0);
    ctfx_parse(e, text, len, 0, &out->sink);
    assert_int_equal(cm_engine_flush(e, &out->sink), 0);
    cm_engine_destroy(e);
}

static void run1(struct run *out, const struct rec *r)
{
    run_with(out, r, 1, NULL, 0);
}

/* ---- the table ------------------------------------------------------------------------- */

static void test_table(void **st)
{
    const struct cm_cr_rule_info *rs = cm_cr_rules();
    static const double sev[CM_CR_COUNT] = {5, 8, 2, 8, 8, 8};
    char type[128];

    (void)st;
    for (int i = 0; i < CM_CR_COUNT; i++) {
        snprintf(type, sizeof(type), "%s:%s/%s", rs[i].tactic, rs[i].service, rs[i].technique);
        assert_string_equal(type, rs[i].type);
        assert_int_equal(cm_cr_find(cm_str_cstr(rs[i].name)), i);
        assert_true(rs[i].severity == sev[i]);
        assert_non_null(rs[i].events[0]);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(rs[i].name, rs[j].name);
        }
        /* every type is one the detector declares */
        bool declared = false;
        for (const char *const *t = cm_detector_ct_custom.types; *t; t++) {
            declared |= strcmp(*t, rs[i].type) == 0;
        }
        assert_true(declared);
    }
    assert_string_equal(rs[CM_CR_EC2_PASSWORD_DATA].name, "EC2PasswordDataRetrieved");
    assert_string_equal(rs[CM_CR_VPC_FLOW_LOGS_DELETED].type,
                        "DefenseImpairment:EC2/DisableOrModifyTools");
    assert_string_equal(rs[CM_CR_EC2_TERMINATION_LOCK].type, rs[CM_CR_VPC_FLOW_LOGS_DELETED].type);
    assert_int_equal(cm_cr_find(cm_str_cstr("ec2passworddataretrieved")), -1);
    assert_int_equal(cm_cr_find(cm_str_cstr("")), -1);
    assert_int_equal(cm_cr_find(CM_STR_NULL), -1);
}

/* ---- each rule: the trigger fires, the near misses do not ---------------------------------- */

struct case_ {
    struct rec r;
    const char *type; /* NULL: a near miss */
};

static const struct case_ cases[] = {
    /* EC2PasswordDataRetrieved */
    {{1, "ec2", "GetPasswordData", "{\"instanceId\":\"i-0a1\"}",
      "{\"instanceId\":\"i-0a1\",\"timestamp\":1,\"passwordData\":\"HIDDEN_DUE_TO_SECURITY_"
      "REASONS\"}"},
     "CredentialAccess:EC2/UnsecuredCredentials"},
    {{1, "ec2", "GetPasswordData", "{\"instanceId\":\"i-0a1\"}",
      "{\"instanceId\":\"i-0a1\",\"passwordData\":\"\"}"},
     NULL},
    {{1, "ec2", "GetPasswordData", "{\"instanceId\":\"i-0a1\"}", "{\"passwordData\":\"  \"}"},
     NULL},
    {{1, "ec2", "GetPasswordData", "{\"instanceId\":\"i-0a1\"}", NULL, "UnauthorizedOperation"},
     NULL},
    {{1, "ec2", "GetPasswordData", "{\"instanceId\":\"i-0a1\"}", "null"},
     "CredentialAccess:EC2/UnsecuredCredentials"},
    {{1, "ec2", "GetConsoleOutput", "{\"instanceId\":\"i-0a1\"}", "{\"passwordData\":\"x\"}"},
     NULL},
    /* RDSMasterPasswordReset */
    {{2, "rds", "ModifyDBInstance",
      "{\"dBInstanceIdentifier\":\"orders\",\"masterUserPassword\":\"*****\"}", "{}"},
     "CredentialAccess:RDS/ModifyAuthenticationProcess"},
    {{2, "rds", "ModifyDBCluster",
      "{\"dBClusterIdentifier\":\"orders\",\"masterUserPassword\":"
      "\"HIDDEN_DUE_TO_SECURITY_REASONS\"}",
      "{}"},
     "CredentialAccess:RDS/ModifyAuthenticationProcess"},
    {{2, "rds", "ModifyDBInstance",
      "{\"dBInstanceIdentifier\":\"orders\",\"manageMasterUserPassword\":true}", "{}"},
     "CredentialAccess:RDS/ModifyAuthenticationProcess"},
    {{2, "rds", "ModifyDBCluster",
      "{\"dBClusterIdentifier\":\"orders\",\"rotateMasterUserPassword\":\"true\"}", "{}"},
     "CredentialAccess:RDS/ModifyAuthenticationProcess"},
    {{2, "rds", "ModifyDBInstance",
      "{\"dBInstanceIdentifier\":\"orders\",\"allocatedStorage\":200,\"applyImmediately\":true}",
      "{}"},
     NULL},
    {{2, "rds", "ModifyDBInstance",
      "{\"dBInstanceIdentifier\":\"orders\",\"manageMasterUserPassword\":false,"
      "\"masterUserPassword\":null}",
      "{}"},
     NULL},
    {{2, "rds", "ModifyDBInstance", "{\"masterUserPassword\":\"*****\"}", NULL, "AccessDenied"},
     NULL},
    {{2, "rds", "CreateDBInstance", "{\"masterUserPassword\":\"*****\"}", "{}"}, NULL},
    /* EC2TerminationProtectionEnabled */
    {{3, "ec2", "ModifyInstanceAttribute",
      "{\"instanceId\":\"i-0a1\",\"disableApiTermination\":{\"value\":true}}",
      "{\"_return\":true}"},
     "DefenseImpairment:EC2/DisableOrModifyTools"},
    {{3, "ec2", "ModifyInstanceAttribute",
      "{\"instanceId\":\"i-0a1\",\"attribute\":\"disableApiTermination\",\"value\":\"true\"}",
      "{\"_return\":true}"},
     "DefenseImpairment:EC2/DisableOrModifyTools"},
    {{3, "ec2", "ModifyInstanceAttribute",
      "{\"instanceId\":\"i-0a1\",\"disableApiTermination\":{\"value\":false}}", "{}"},
     NULL},
    {{3, "ec2", "ModifyInstanceAttribute",
      "{\"instanceId\":\"i-0a1\",\"instanceType\":{\"value\":\"m5.large\"}}", "{}"},
     NULL},
    {{3, "ec2", "ModifyInstanceAttribute",
      "{\"instanceId\":\"i-0a1\",\"attribute\":\"instanceType\",\"value\":\"true\"}", "{}"},
     NULL},
    /* VPCFlowLogsDeleted */
    {{4, "ec2", "DeleteFlowLogs", "{\"flowLogIds\":[\"fl-0a1\"]}", "{\"unsuccessful\":[]}"},
     "DefenseImpairment:EC2/DisableOrModifyTools"},
    {{4, "ec2", "DeleteFlowLogs", "{\"flowLogIds\":[\"fl-0a1\"]}", NULL,
      "Client.UnauthorizedOperation"},
     NULL},
    {{4, "ec2", "CreateFlowLogs", "{\"resourceIds\":[\"vpc-1\"]}", "{}"}, NULL},
    /* OrganizationLeaveAttempt: success and denial are both attempts */
    {{5, "organizations", "LeaveOrganization", NULL, NULL},
     "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy"},
    {{5, "organizations", "LeaveOrganization", NULL, NULL, "AccessDeniedException"},
     "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy"},
    {{5, "organizations", "RemoveAccountFromOrganization", "{\"accountId\":\"444455556666\"}",
      NULL},
     "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy"},
    {{5, "organizations", "DescribeOrganization", NULL, "{}"}, NULL},
    {{5, "organizations", "MoveAccount", "{\"accountId\":\"444455556666\"}", NULL}, NULL},
    /* OrganizationPolicyDisabled */
    {{6, "organizations", "DisablePolicyType",
      "{\"rootId\":\"r-ab12\",\"policyType\":\"SERVICE_CONTROL_POLICY\"}", "{}"},
     "DefenseImpairment:Organizations/DisableOrModifyTools"},
    {{6, "organizations", "DisablePolicyType",
      "{\"rootId\":\"r-ab12\",\"policyType\":\"RESOURCE_CONTROL_POLICY\"}", "{}"},
     "DefenseImpairment:Organizations/DisableOrModifyTools"},
    {{6, "organizations", "DisablePolicyType",
      "{\"rootId\":\"r-ab12\",\"policyType\":\"TAG_POLICY\"}", "{}"},
     NULL},
    {{6, "organizations", "DisablePolicyType",
      "{\"rootId\":\"r-ab12\",\"policyType\":\"SERVICE_CONTROL_POLICY\"}", NULL,
      "AccessDeniedException"},
     NULL},
    {{6, "organizations", "EnablePolicyType",
      "{\"rootId\":\"r-ab12\",\"policyType\":\"SERVICE_CONTROL_POLICY\"}", "{}"},
     NULL},
    /* added last so the indexes above stay: launching a protected instance is no lock */
    {{3, "ec2", "RunInstances", "{\"instanceType\":\"m5.large\",\"disableApiTermination\":true}",
      "{}"},
     NULL},
};

static void test_rules(void **st)
{
    struct run r;

    (void)st;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run1(&r, &cases[i].r);
        if (cases[i].type == NULL) {
            if (r.got.n != 0) {
                fail_msg("case %zu (%s): fired %s", i, cases[i].r.name, r.got.type[0]);
            }
            continue;
        }
        if (r.got.n != 1) {
            fail_msg("case %zu (%s): %zu detections", i, cases[i].r.name, r.got.n);
        }
        assert_string_equal(r.got.type[0], cases[i].type);
        assert_string_equal(r.got.resource[0], "AKIAEXAMPLEOPS000001");
        assert_non_null(strstr(r.got.info[0], "\"mode\":\"LIVE\""));
    }
}

/* The rule, severity and additionalInfo of single calls. */
static void test_detection_details(void **st)
{
    struct run r;

    (void)st;
    run1(&r, &cases[0].r);
    assert_true(r.got.severity[0] == 5.0);
    assert_non_null(strstr(r.got.info[0], "\"tactic\":\"CredentialAccess\",\"service\":\"EC2\","
                                          "\"technique\":\"UnsecuredCredentials\""));
    assert_non_null(strstr(r.got.info[0], "\"target\":\"i-0a1\""));
    assert_non_null(strstr(r.got.info[0],
                           "\"detectionRules\":[{\"name\":"
                           "\"EC2PasswordDataRetrieved\",\"severity\":\"MEDIUM\","
                           "\"count\":1,\"firstSeen\":\"2026-11-09T03:01:00.000Z\""));
    {
        /* a response logged without passwordData: still a retrieval */
        struct rec x = cases[0].r;
        x.resp = "{\"requestId\":\"r-1\",\"instanceId\":\"i-0a1\"}";
        run1(&r, &x);
        assert_int_equal(r.got.n, 1);
    }
    run1(&r, &cases[14].r); /* termination protection on: LOW */
    assert_true(r.got.severity[0] == 2.0);
    run1(&r, &cases[19].r); /* flow logs deleted: HIGH, names the flow log */
    assert_true(r.got.severity[0] == 8.0);
    assert_non_null(strstr(r.got.info[0], "\"target\":\"fl-0a1\""));
    run1(&r, &cases[27].r); /* SCPs disabled */
    assert_non_null(strstr(r.got.info[0], "\"target\":\"r-ab12\""));
    assert_non_null(strstr(r.got.info[0], "\"policyType\":\"SERVICE_CONTROL_POLICY\""));
}

/* EC2's XML-shaped DeleteFlowLogs request names its flow log too. */
static void test_flow_log_request_shape(void **st)
{
    const struct rec x = {
        7, "ec2", "DeleteFlowLogs",
        "{\"DeleteFlowLogsRequest\":{\"FlowLogId\":{\"tag\":1,\"content\":\"fl-0bee\"}}}",
        "{\"DeleteFlowLogsResponse\":{\"unsuccessful\":\"\"}}"};
    struct run r;

    (void)st;
    run1(&r, &x);
    assert_int_equal(r.got.n, 1);
    assert_non_null(strstr(r.got.info[0], "\"target\":\"fl-0bee\""));
}

/*
 * A record with no awsRegion (fuzz_custom_rules found the key built with memcpy from
 * NULL): the detection is made, with no region, and groups as any other.
 */
static void test_no_region(void **st)
{
    static const char rec[] =
        "{\"Records\":[{\"eventVersion\":\"1.10\",\"userIdentity\":{\"type\":\"IAMUser\","
        "\"principalId\":\"AIDA1\",\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIA1\"},"
        "\"eventTime\":\"2026-11-09T03:01:00Z\",\"eventSource\":\"ec2.amazonaws.com\","
        "\"eventName\":\"DeleteFlowLogs\",\"sourceIPAddress\":\"198.51.100.7\","
        "\"requestParameters\":{\"flowLogIds\":[\"fl-1\"]},\"responseElements\":null,"
        "\"eventID\":\"e1\",\"eventType\":\"AwsApiCall\",\"managementEvent\":true,"
        "\"recipientAccountId\":\"111122223333\"}]}";
    struct cm_detect_opts o;
    struct cm_engine *e = NULL;
    struct run r;

    (void)st;
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    r.sink.emit = collect;
    r.sink.ud = &r;
    assert_int_equal(cm_engine_create(&e, table, &o), 0);
    ctfx_parse(e, rec, sizeof(rec) - 1, 0, &r.sink);
    ctfx_parse(e, rec, sizeof(rec) - 1, 1, &r.sink); /* read twice: counted once */
    assert_int_equal(cm_engine_flush(e, &r.sink), 0);
    cm_engine_destroy(e);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], "DefenseImpairment:EC2/DisableOrModifyTools");
}

/* ---- calls an AWS service made for a principal ------------------------------------------------
 */

static void test_service_invoked(void **st)
{
    struct rec x = cases[19].r; /* DeleteFlowLogs */
    struct run r;

    (void)st;
    x.uid_extra = ",\"invokedBy\":\"cloudformation.amazonaws.com\"";
    run1(&r, &x);
    assert_int_equal(r.got.n, 0);
    x.uid_extra = NULL;
    x.ip = "cloudformation.amazonaws.com";
    run1(&r, &x);
    assert_int_equal(r.got.n, 0);
    x.ip = "AWS Internal";
    run1(&r, &x);
    assert_int_equal(r.got.n, 0);
    x.ip = NULL; /* the same call made by the principal itself */
    run1(&r, &x);
    assert_int_equal(r.got.n, 1);
}

/* ---- modes ------------------------------------------------------------------------------- */

static void parse_ok(const char *spec, const char *acct, int rule, enum cm_cr_mode mode)
{
    struct cm_cr_setting s;
    const char *why = NULL;

    if (cm_cr_setting_parse(cm_str_cstr(spec), &s, &why) != 0) {
        fail_msg("%s: %s", spec, why);
    }
    assert_string_equal(s.account, acct);
    assert_int_equal(s.rule, rule);
    assert_int_equal(s.mode, mode);
}

static void parse_bad(const char *spec, const char *want)
{
    struct cm_cr_setting s;
    const char *why = NULL;

    assert_int_equal(cm_cr_setting_parse(cm_str_cstr(spec), &s, &why), CM_EINVAL);
    assert_non_null(why);
    if (strstr(why, want) == NULL) {
        fail_msg("%s: %s (wanted %s)", spec, why, want);
    }
}

static void test_setting_parse(void **st)
{
    (void)st;
    parse_ok("VPCFlowLogsDeleted=DRY_RUN", "", CM_CR_VPC_FLOW_LOGS_DELETED, CM_CR_DRY_RUN);
    parse_ok("111122223333:EC2PasswordDataRetrieved=off", "111122223333", CM_CR_EC2_PASSWORD_DATA,
             CM_CR_OFF);
    parse_ok("*:*=Live", "", CM_CR_ALL_RULES, CM_CR_LIVE);
    parse_ok("*=dry_run", "", CM_CR_ALL_RULES, CM_CR_DRY_RUN);
    parse_ok("444455556666:*=OFF", "444455556666", CM_CR_ALL_RULES, CM_CR_OFF);
    parse_bad("", "empty");
    parse_bad("VPCFlowLogsDeleted", "no '='");
    parse_bad("VPCFlowLogsDeleted=", "LIVE, DRY_RUN or OFF");
    parse_bad("VPCFlowLogsDeleted=ON", "LIVE, DRY_RUN or OFF");
    parse_bad("=LIVE", "no rule");
    parse_bad("1111:VPCFlowLogsDeleted=LIVE", "12 digits");
    parse_bad("11112222333a:VPCFlowLogsDeleted=LIVE", "12 digits");
    parse_bad(":VPCFlowLogsDeleted=LIVE", "12 digits");
    parse_bad("vpcflowlogsdeleted=LIVE", "no such rule");
    parse_bad("VPC FlowLogsDeleted=LIVE", "space");
    parse_bad("VPCFlowLogsDeleted=LIVE\n", "control");
}

static void test_mode_for(void **st)
{
    struct cm_cr_setting v[5];
    const char *why;
    struct cm_str a = cm_str_cstr("111122223333"), b = cm_str_cstr("444455556666");

    (void)st;
    assert_int_equal(cm_cr_mode_for(NULL, 0, a, 0), CM_CR_LIVE);
    assert_int_equal(cm_cr_setting_parse(cm_str_cstr("*=DRY_RUN"), &v[0], &why), 0);
    assert_int_equal(cm_cr_setting_parse(cm_str_cstr("VPCFlowLogsDeleted=OFF"), &v[1], &why), 0);
    assert_int_equal(cm_cr_setting_parse(cm_str_cstr("111122223333:*=LIVE"), &v[2], &why), 0);
    assert_int_equal(
        cm_cr_setting_parse(cm_str_cstr("111122223333:OrganizationLeaveAttempt=OFF"), &v[3], &why),
        0);
    /* every account and rule < every account, this rule < this account < both */
    assert_int_equal(cm_cr_mode_for(v, 1, b, CM_CR_ORG_LEAVE), CM_CR_DRY_RUN);
    assert_int_equal(cm_cr_mode_for(v, 4, b, CM_CR_ORG_LEAVE), CM_CR_DRY_RUN);
    assert_int_equal(cm_cr_mode_for(v, 4, b, CM_CR_VPC_FLOW_LOGS_DELETED), CM_CR_OFF);
    assert_int_equal(cm_cr_mode_for(v, 4, a, CM_CR_VPC_FLOW_LOGS_DELETED), CM_CR_LIVE);
    assert_int_equal(cm_cr_mode_for(v, 4, a, CM_CR_ORG_LEAVE), CM_CR_OFF);
    /* among equals the last wins (the command line's after the file's) */
    assert_int_equal(cm_cr_setting_parse(cm_str_cstr("*:*=OFF"), &v[4], &why), 0);
    assert_int_equal(cm_cr_mode_for(v, 5, b, CM_CR_ORG_LEAVE), CM_CR_OFF);
    assert_int_equal(cm_cr_mode_for(v, 5, b, CM_CR_RDS_MASTER_PASSWORD), CM_CR_OFF);
    assert_string_equal(cm_cr_mode_name(CM_CR_DRY_RUN), "DRY_RUN");
}

/* DRY_RUN reports and emits nothing; OFF does neither; per account. */
static void test_modes_in_engine(void **st)
{
    struct rec x[3] = {cases[19].r, cases[19].r, cases[0].r};
    struct cm_cr_setting v[2];
    const char *why;
    struct run r;

    (void)st;
    x[1].acct = "444455556666";
    x[1].minute = 8;
    assert_int_equal(
        cm_cr_setting_parse(cm_str_cstr("111122223333:VPCFlowLogsDeleted=DRY_RUN"), &v[0], &why),
        0);
    assert_int_equal(cm_cr_setting_parse(cm_str_cstr("EC2PasswordDataRetrieved=OFF"), &v[1], &why),
                     0);
    run_with(&r, x, 3, v, 2);
    assert_int_equal(r.got.n, 1); /* the other account's deletion, LIVE */
    assert_string_equal(r.got.type[0], "DefenseImpairment:EC2/DisableOrModifyTools");
    assert_int_equal(r.dry.n, 1);
    assert_string_equal(r.dry.rule[0], "VPCFlowLogsDeleted");
    assert_string_equal(r.dry.type[0], "DefenseImpairment:EC2/DisableOrModifyTools");
    assert_non_null(strstr(r.dry.info[0], "\"mode\":\"DRY_RUN\""));
    assert_true(r.dry.severity[0] == 8.0);
}

/* A DRY_RUN rule with nobody to report to is quiet, never LIVE. */
static void test_dry_run_without_callback(void **st)
{
    struct cm_cr_setting v;
    struct cm_cr_config cc = {.settings = &v, .nsettings = 1};
    struct cm_detect_config cfg;
    struct cm_detect_opts o;
    struct cm_engine *e = NULL;
    struct run r;
    const char *why;
    size_t len = file_text(&cases[19].r, 1);

    (void)st;
    assert_int_equal(cm_cr_setting_parse(cm_str_cstr("*=DRY_RUN"), &v, &why), 0);
    memset(&r, 0, sizeof(r));
    memset(&cfg, 0, sizeof(cfg));
    memset(&o, 0, sizeof(o));
    cfg.custom_rules = &cc;
    o.config = &cfg;
    r.sink.emit = collect;
    r.sink.ud = &r;
    assert_int_equal(cm_engine_create(&e, table, &o), 0);
    ctfx_parse(e, text, len, 0, &r.sink);
    assert_int_equal(cm_engine_flush(e, &r.sink), 0);
    cm_engine_destroy(e);
    assert_int_equal(r.got.n, 0);
}

/* ---- aggregation ----------------------------------------------------------------------------- */

static void test_aggregation(void **st)
{
    struct rec x[4] = {cases[14].r, cases[19].r, cases[19].r, cases[14].r};
    struct run r;

    (void)st;
    x[1].minute = 5;
    x[2].minute = 9;
    x[3].minute = 12;
    x[3].key = "AKIAEXAMPLEOTHER0002"; /* another caller: a group of its own */
    run_with(&r, x, 4, NULL, 0);
    assert_int_equal(r.got.n, 4);
    /* the first: termination protection alone, LOW */
    assert_true(r.got.severity[0] == 2.0);
    assert_null(strstr(r.got.info[0], "VPCFlowLogsDeleted"));
    /* then the deletions join it: HIGH, both rules named with their counts and times */
    assert_true(r.got.severity[1] == 8.0);
    assert_true(r.got.severity[2] == 8.0);
    assert_non_null(strstr(r.got.info[2], "{\"name\":\"EC2TerminationProtectionEnabled\","
                                          "\"severity\":\"LOW\",\"count\":1"));
    assert_non_null(strstr(r.got.info[2], "{\"name\":\"VPCFlowLogsDeleted\",\"severity\":\"HIGH\","
                                          "\"count\":2,\"firstSeen\":\"2026-11-09T03:05:00.000Z\","
                                          "\"lastSeen\":\"2026-11-09T03:09:00.000Z\"}"));
    /* the other caller's protection: LOW, its own rule only */
    assert_string_equal(r.got.resource[3], "AKIAEXAMPLEOTHER0002");
    assert_true(r.got.severity[3] == 2.0);
    assert_null(strstr(r.got.info[3], "VPCFlowLogsDeleted"));
}

/* What a group learned survives a checkpoint: a restart still names both rules. */
static void test_checkpoint(void **st)
{
    struct rec x[2] = {cases[14].r, cases[19].r};
    struct cm_detect_opts o;
    struct cm_engine *e = NULL, *e2 = NULL;
    struct cm_ckpt_w w;
    struct run r;
    size_t len;

    (void)st;
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    r.sink.emit = collect;
    r.sink.ud = &r;
    o.seed = 3;
    x[1].minute = 20;
    assert_int_equal(cm_engine_create(&e, table, &o), 0);
    len = file_text(&x[0], 1);
    ctfx_parse(e, text, len, 0, &r.sink);
    ckfx_save(e, &w);
    cm_engine_destroy(e);
    assert_int_equal(ckfx_load(table, &o, w.buf.p, w.buf.len, &e2, NULL, 0), 0);
    cm_ckpt_w_finish(&w);
    len = file_text(&x[1], 1);
    ctfx_parse(e2, text, len, 1, &r.sink);
    assert_int_equal(cm_engine_flush(e2, &r.sink), 0);
    cm_engine_destroy(e2);
    assert_int_equal(r.got.n, 2);
    assert_non_null(strstr(r.got.info[1], "EC2TerminationProtectionEnabled"));
    assert_non_null(strstr(r.got.info[1], "VPCFlowLogsDeleted"));
    assert_true(r.got.severity[1] == 8.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_detection_details),
        cmocka_unit_test(test_flow_log_request_shape),
        cmocka_unit_test(test_no_region),
        cmocka_unit_test(test_service_invoked),
        cmocka_unit_test(test_setting_parse),
        cmocka_unit_test(test_mode_for),
        cmocka_unit_test(test_modes_in_engine),
        cmocka_unit_test(test_dry_run_without_callback),
        cmocka_unit_test(test_aggregation),
        cmocka_unit_test(test_checkpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
