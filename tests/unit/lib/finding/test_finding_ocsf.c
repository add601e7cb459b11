/*
 * Unit tests for the export forms: the OCSF 1.1 Detection Finding (required
 * attributes present with the right JSON types, class_uid 2004, category_uid
 * 2, type_uid = class_uid * 100 + activity_id, severity_id bands, status,
 * cloud and metadata) and the EventBridge envelope (version, deterministic
 * id, detail-type, source, account, time, region, resources, detail).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "finding_util.h"
#include "route/pattern.h"

struct want {
    const char *path;
    enum cm_json_type type;
};

/* Required (and recommended) attributes the mapping promises, with their JSON types. */
static const struct want wants[] = {
    {"activity_id", CM_JSON_NUMBER},
    {"category_uid", CM_JSON_NUMBER},
    {"class_uid", CM_JSON_NUMBER},
    {"type_uid", CM_JSON_NUMBER},
    {"severity_id", CM_JSON_NUMBER},
    {"status_id", CM_JSON_NUMBER},
    {"time", CM_JSON_NUMBER},
    {"metadata", CM_JSON_OBJECT},
    {"metadata.version", CM_JSON_STRING},
    {"metadata.product.name", CM_JSON_STRING},
    {"metadata.product.vendor_name", CM_JSON_STRING},
    {"metadata.product.version", CM_JSON_STRING},
    {"finding_info", CM_JSON_OBJECT},
    {"finding_info.uid", CM_JSON_STRING},
    {"finding_info.title", CM_JSON_STRING},
    {"finding_info.desc", CM_JSON_STRING},
    {"finding_info.types", CM_JSON_ARRAY},
    {"finding_info.created_time", CM_JSON_NUMBER},
    {"finding_info.first_seen_time", CM_JSON_NUMBER},
    {"finding_info.last_seen_time", CM_JSON_NUMBER},
    {"resources", CM_JSON_ARRAY},
    {"cloud.provider", CM_JSON_STRING},
    {"cloud.account.uid", CM_JSON_STRING},
    {"cloud.region", CM_JSON_STRING},
    {"raw_data", CM_JSON_STRING},
    {"unmapped", CM_JSON_OBJECT},
};

static int64_t num(const struct cm_json_doc *d, const char *path)
{
    int64_t v = -1;
    assert_int_equal(cm_json_i64(d, cm_json_path(d, 0, path), &v), 0);
    return v;
}

static void check_ocsf(const char *type, double sev, int sev_id, bool archived, uint32_t count)
{
    struct t_events e;
    struct cm_finding f;
    struct cm_buf b;
    struct cm_json_doc d;
    (void)type;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, type), 0);
    f.severity = sev;
    f.archived = archived;
    f.count = count;
    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_ocsf(&f, NULL, &b), 0);
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, b.p, b.len, NULL), 0);
    for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
        uint32_t n = cm_json_path(&d, 0, wants[i].path);
        if (n == CM_JSON_NONE || cm_json_type(&d, n) != wants[i].type) {
            fail_msg("%s: %s missing or of the wrong type", type, wants[i].path);
        }
    }
    assert_int_equal(num(&d, "class_uid"), 2004);
    assert_int_equal(num(&d, "category_uid"), 2);
    assert_int_equal(num(&d, "type_uid"), 2004 * 100 + num(&d, "activity_id"));
    assert_int_equal(num(&d, "activity_id"), count == 1 ? 1 : 2);
    assert_int_equal(num(&d, "severity_id"), sev_id);
    assert_int_equal(num(&d, "status_id"), archived ? 3 : 1);
    assert_int_equal(num(&d, "time"), T_NOW);
    assert_int_equal(num(&d, "finding_info.first_seen_time"), T_EVTIME);
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "cloud.provider")), "AWS"));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "cloud.account.uid")), T_ACCOUNT));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "finding_info.uid")), f.id));
    /* the ARN is the finding's, not the product's: unmapped, not finding_info.product_uid */
    assert_true(cm_str_eq(cm_json_raw(&d, cm_json_path(&d, 0, "unmapped.arn")), f.arn));
    assert_int_equal(cm_json_path(&d, 0, "finding_info.product_uid"), CM_JSON_NONE);
    assert_true(cm_str_eqc(
        cm_json_raw(&d, cm_json_index(&d, cm_json_path(&d, 0, "finding_info.types"), 0)), type));
    assert_true(cm_json_at(&d, cm_json_path(&d, 0, "resources"))->len >= 1);
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

static void test_ocsf(void **state)
{
    (void)state;
    check_ocsf("UnauthorizedAccess:EC2/SSHBruteForce", 2, 2, false, 1);
    check_ocsf("Backdoor:EC2/Spambot", 5, 3, false, 3);
    check_ocsf("CryptoCurrency:EC2/BitcoinTool.B!DNS", 8, 4, true, 3);
    check_ocsf("Policy:S3/BucketBlockPublicAccessDisabled", 2, 2, false, 3);
    check_ocsf("AttackSequence:S3/CompromisedData", 9.5, 5, false, 3);
    assert_int_equal(cm_finding_ocsf_severity_id(3.9), 2);
    assert_int_equal(cm_finding_ocsf_severity_id(4.0), 3);
    assert_int_equal(cm_finding_ocsf_severity_id(7.0), 4);
    assert_int_equal(cm_finding_ocsf_severity_id(9.0), 5);
}

/* One event's activity_id, activity_name, type_uid and type_name, and metadata.profiles. */
static void check_activity(const struct cm_finding *f, enum cm_ocsf_activity act, int want)
{
    struct cm_buf b;
    struct cm_json_doc d;
    uint32_t prof;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_ocsf_as(f, NULL, act, &b), 0);
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, b.p, b.len, NULL), 0);
    assert_int_equal(num(&d, "activity_id"), want);
    assert_int_equal(num(&d, "type_uid"), 200400 + want);
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "activity_name")),
                           want == 1 ? "Create" : "Update"));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "type_name")),
                           want == 1 ? "Detection Finding: Create" : "Detection Finding: Update"));
    /* metadata.uid is the event's: the EventBridge event id of this state */
    {
        char eid[37];
        cm_finding_event_id(f, eid);
        assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "metadata.uid")), eid));
        assert_false(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "metadata.uid")), f->id));
    }
    /* the event carries cloud: the cloud profile is named */
    prof = cm_json_path(&d, 0, "metadata.profiles");
    assert_int_not_equal(prof, CM_JSON_NONE);
    assert_int_equal(cm_json_at(&d, prof)->len, 1);
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_index(&d, prof, 0)), "cloud"));
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
}

/*
 * The activity is what the caller knows: a scan's finding reported first is
 * Create however many events it folds (before 2026-12-05 a batch scan wrote a
 * new finding with count > 1 as Update), one a store held before is Update;
 * a snapshot read from a store is Create only as first seen.
 */
static void test_ocsf_activity(void **state)
{
    struct t_events e;
    struct cm_finding f;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "Recon:EC2/PortProbeUnprotectedPort"), 0);
    f.count = 7;
    f.updated_ms = f.created_ms + 60000;
    check_activity(&f, CM_OCSF_ACT_CREATE, 1);
    check_activity(&f, CM_OCSF_ACT_UPDATE, 2);
    check_activity(&f, CM_OCSF_ACT_SNAPSHOT, 2);
    f.count = 1;
    f.updated_ms = f.created_ms;
    check_activity(&f, CM_OCSF_ACT_SNAPSHOT, 1);
    check_activity(&f, CM_OCSF_ACT_UPDATE, 2);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/*
 * A member of an attack sequence says so under unmapped (OCSF's Detection Finding has no
 * place for it); a finding that is none leaves it out. Before 2026-12-05 neither had it.
 */
static void test_ocsf_sequence_arn(void **state)
{
    static const char arn[] = "arn:aws:guardduty:us-east-1:111122223333:detector/"
                              "12abc34d567e8fa901bc2d34e56789f0/finding/"
                              "0123456789abcdef0123456789abcdef";
    struct t_events e;
    struct cm_finding f;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/TorIPCaller"), 0);
    for (int marked = 0; marked < 2; marked++) {
        struct cm_json_doc d;
        struct cm_buf b;
        uint32_t v;

        if (marked) {
            assert_int_equal(cm_finding_setc(&f, &f.sequence_arn, arn), 0);
        }
        cm_buf_init(&b, 0);
        assert_int_equal(cm_finding_to_ocsf(&f, NULL, &b), 0);
        cm_json_doc_init(&d, 0, 0);
        assert_int_equal(cm_json_parse(&d, b.p, b.len, NULL), 0);
        v = cm_json_path(&d, 0, "unmapped.associatedAttackSequenceArn");
        if (marked) {
            assert_true(v != CM_JSON_NONE && cm_str_eqc(cm_json_raw(&d, v), arn));
        } else {
            assert_true(v == CM_JSON_NONE);
        }
        cm_json_doc_finish(&d);
        cm_buf_finish(&b);
    }
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* resources[0] of the OCSF form of f: its uid and type. */
static void ocsf_resource(const struct cm_finding *f, char *uid, size_t uidsz, char *type,
                          size_t typesz)
{
    struct cm_json_doc d;
    struct cm_buf b;
    struct cm_str u, t;
    uint32_t r;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_ocsf(f, NULL, &b), 0);
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, b.p, b.len, NULL), 0);
    r = cm_json_index(&d, cm_json_get(&d, 0, "resources"), 0);
    u = cm_json_raw(&d, cm_json_get(&d, r, "uid"));
    t = cm_json_raw(&d, cm_json_get(&d, r, "type"));
    assert_true(u.len < uidsz && t.len < typesz);
    memcpy(uid, u.p, u.len);
    uid[u.len] = '\0';
    memcpy(type, t.p, t.len);
    type[t.len] = '\0';
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
}

/* The OCSF resource is typed as what its uid is: a finding keyed by a network interface
 * or by a principal that used no access key does not call its uid an instance or a key. */
static void test_ocsf_resource_type(void **state)
{
    char uid[64], type[64];
    struct t_events e;
    struct cm_finding f;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:EC2/SSHBruteForce"), 0);
    ocsf_resource(&f, uid, sizeof(uid), type, sizeof(type));
    assert_string_equal(uid, "i-0a1b2c3d4e5f60718");
    assert_string_equal(type, "AWS::EC2::Instance");
    cm_finding_finish(&f);

    /* A default-format flow log names no instance: the finding is keyed by the ENI. */
    e.flow.u.flow.instance_id = CM_STR_NULL;
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:EC2/SSHBruteForce"), 0);
    ocsf_resource(&f, uid, sizeof(uid), type, sizeof(type));
    assert_string_equal(uid, "eni-0123456789abcdef0");
    assert_string_equal(type, "AWS::EC2::NetworkInterface");
    cm_finding_finish(&f);

    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/TorIPCaller"), 0);
    ocsf_resource(&f, uid, sizeof(uid), type, sizeof(type));
    assert_string_equal(uid, "AKIAIOSFODNN7EXAMPLE");
    assert_string_equal(type, "AWS::IAM::AccessKey");
    cm_finding_finish(&f);

    /* An IAM user's console sign-in carries no access key: keyed by the user's principal. */
    e.ct.u.ct.event_name = CM_STR_LIT("ConsoleLogin");
    e.ct.u.ct.uid.access_key_id = CM_STR_NULL;
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B"), 0);
    ocsf_resource(&f, uid, sizeof(uid), type, sizeof(type));
    assert_string_equal(uid, "AIDAJQABLZS4A3QDU576Q");
    assert_string_equal(type, "AWS::IAM::User");
    cm_finding_finish(&f);

    /* The root user's: keyed by the account. */
    e.ct.u.ct.uid.type = CM_UID_ROOT;
    e.ct.u.ct.uid.type_name = CM_STR_LIT("Root");
    e.ct.u.ct.uid.principal_id = CM_STR_LIT(T_ACCOUNT);
    e.ct.u.ct.uid.user_name = CM_STR_NULL;
    assert_int_equal(t_sample(&f, &e, "Policy:IAMUser/RootCredentialUsage"), 0);
    ocsf_resource(&f, uid, sizeof(uid), type, sizeof(type));
    assert_string_equal(uid, T_ACCOUNT);
    assert_string_equal(type, "AWS::::Account");
    cm_finding_finish(&f);

    assert_int_equal(t_sample(&f, &e, "Discovery:S3/TorIPCaller"), 0);
    ocsf_resource(&f, uid, sizeof(uid), type, sizeof(type));
    assert_string_equal(uid, "example-data-bucket");
    assert_string_equal(type, "AWS::S3::Bucket");
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/*
 * The attributes a Detection Finding (OCSF 1.1: base event, Finding, Detection
 * Finding and the cloud profile) has at its top level: the form uses no other.
 */
static const char *const ocsf_top[] = {
    "activity_id",     "activity_name", "category_name",   "category_uid",  "class_name",
    "class_uid",       "count",         "duration",        "end_time",      "enrichments",
    "message",         "metadata",      "observables",     "raw_data",      "severity",
    "severity_id",     "start_time",    "status",          "status_code",   "status_detail",
    "status_id",       "time",          "timezone_offset", "type_name",     "type_uid",
    "unmapped",        "comment",       "confidence",      "confidence_id", "confidence_score",
    "finding_info",    "evidences",     "impact",          "impact_id",     "impact_score",
    "remediation",     "resources",     "risk_level",      "risk_level_id", "risk_score",
    "vulnerabilities", "api",           "cloud",
};

static bool ocsf_top_known(struct cm_str key)
{
    for (size_t i = 0; i < sizeof(ocsf_top) / sizeof(ocsf_top[0]); i++) {
        if (cm_str_eqc(key, ocsf_top[i])) {
            return true;
        }
    }
    return false;
}

/*
 * The OCSF form of a sample of type into b, parsed into d (the caller finishes
 * d, f and b, whose text d reads); outbound: its flow goes from the instance (10.0.1.14:50242) to
 * the remote 198.51.100.7:22 instead of the other way.
 */
static void ocsf_of(const char *type, bool outbound, struct cm_json_doc *d, struct cm_finding *f,
                    struct cm_buf *b)
{
    struct t_events e;

    t_events_init(&e);
    if (outbound) {
        t_ip(&e.flow.u.flow.src, "10.0.1.14");
        t_ip(&e.flow.u.flow.dst, "198.51.100.7");
    }
    assert_int_equal(t_sample(f, &e, type), 0);
    cm_buf_init(b, 0);
    assert_int_equal(cm_finding_to_ocsf(f, NULL, b), 0);
    cm_json_doc_init(d, 0, 0);
    assert_int_equal(cm_json_parse(d, b->p, b->len, NULL), 0);
    t_events_finish(&e);
}

/* Asserts that path inside evidences[0] holds want. */
static void assert_at(const struct cm_json_doc *d, const char *path, const char *want)
{
    uint32_t ev = cm_json_index(d, cm_json_get(d, 0, "evidences"), 0);
    uint32_t n = ev == CM_JSON_NONE ? CM_JSON_NONE : cm_json_path(d, ev, path);

    if (n == CM_JSON_NONE || !cm_str_eqc(cm_json_raw(d, n), want)) {
        fail_msg("evidences[0].%s: want %s", path, want);
    }
}

/*
 * Every type's OCSF form keeps to the class's attributes: the action's
 * addresses are evidences[] (there is no top-level src_endpoint in a
 * Detection Finding), the source being the side that opened the connection.
 */
static void test_ocsf_evidences(void **state)
{
    const struct cm_finding_type_info *ti;
    struct cm_json_doc d;
    struct cm_finding f;
    struct cm_buf b;
    size_t n;
    (void)state;

    ti = cm_finding_types(&n);
    for (size_t i = 0; i < n; i++) {
        uint32_t ev;

        ocsf_of(ti[i].type, false, &d, &f, &b);
        for (uint32_t k = cm_json_first(&d, 0); k != CM_JSON_NONE;
             k = cm_json_next(&d, 0, cm_json_next(&d, 0, k))) {
            if (!ocsf_top_known(cm_json_raw(&d, k))) {
                fail_msg("%s: %.*s is not a Detection Finding attribute", ti[i].type,
                         (int)cm_json_raw(&d, k).len, cm_json_raw(&d, k).p);
            }
        }
        ev = cm_json_get(&d, 0, "evidences");
        if (ev != CM_JSON_NONE) {
            assert_int_equal(cm_json_type(&d, ev), CM_JSON_ARRAY);
            assert_true(cm_json_at(&d, ev)->len >= 1);
            for (uint32_t k = 0; k < cm_json_at(&d, ev)->len; k++) {
                uint32_t el = cm_json_index(&d, ev, k);

                assert_int_equal(cm_json_type(&d, el), CM_JSON_OBJECT);
                assert_true(cm_json_at(&d, el)->len >= 1); /* at least one artifact */
            }
        }
        cm_json_doc_finish(&d);
        cm_buf_finish(&b);
        cm_finding_finish(&f);
    }

    /* Inbound: the remote peer opened the connection to the instance's port. */
    ocsf_of("UnauthorizedAccess:EC2/SSHBruteForce", false, &d, &f, &b);
    assert_int_equal(f.net.direction, CM_DIR_INBOUND);
    assert_at(&d, "src_endpoint.ip", "198.51.100.7");
    assert_at(&d, "dst_endpoint.ip", "10.0.1.14");
    assert_at(&d, "dst_endpoint.port", "22");
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    cm_finding_finish(&f);

    /* Outbound: the instance is the source, the remote server the destination. */
    ocsf_of("Backdoor:EC2/C&CActivity.B", true, &d, &f, &b);
    assert_int_equal(f.net.direction, CM_DIR_OUTBOUND);
    assert_at(&d, "src_endpoint.ip", "10.0.1.14");
    assert_at(&d, "dst_endpoint.ip", "198.51.100.7");
    assert_at(&d, "dst_endpoint.port", "22");
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    cm_finding_finish(&f);

    /* A port probe: the prober and the probed port. */
    ocsf_of("Recon:EC2/PortProbeUnprotectedPort", false, &d, &f, &b);
    assert_at(&d, "src_endpoint.ip", "198.51.100.7");
    assert_at(&d, "dst_endpoint.port", "22");
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    cm_finding_finish(&f);

    /* An API call: the caller and the call. */
    ocsf_of("UnauthorizedAccess:IAMUser/TorIPCaller", false, &d, &f, &b);
    assert_at(&d, "src_endpoint.ip", "198.51.100.7");
    assert_at(&d, "api.operation", "PutBucketPublicAccessBlock");
    assert_at(&d, "api.service.name", "s3.amazonaws.com");
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    cm_finding_finish(&f);

    /* A DNS request: the name asked. */
    ocsf_of("CryptoCurrency:EC2/BitcoinTool.B!DNS", false, &d, &f, &b);
    assert_at(&d, "query.hostname", "pool.minergate.com");
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    cm_finding_finish(&f);
}

/* The "id" of an EventBridge event in buf, into out. */
static void event_id_of(const struct cm_buf *buf, char out[37])
{
    struct cm_json_doc d;
    struct cm_str id;

    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, buf->p, buf->len, NULL), 0);
    id = cm_json_raw(&d, cm_json_get(&d, 0, "id"));
    assert_int_equal(id.len, 36);
    memcpy(out, id.p, 36);
    out[36] = '\0';
    cm_json_doc_finish(&d);
}

static void test_eventbridge(void **state)
{
    char eid_a[37], eid_b[37], eid_c[37];
    struct t_events e;
    struct cm_finding f;
    struct cm_buf a, b;
    struct cm_json_doc d;
    uint32_t res, id;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "CryptoCurrency:EC2/BitcoinTool.B!DNS"), 0);
    assert_int_equal(cm_finding_setc(&f, &f.additional_info, "{\"threatListName\":\"ProofPoint\"}"),
                     0);
    cm_buf_init(&a, 0);
    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_eventbridge(&f, 1741162607000LL, &a), 0);
    assert_int_equal(cm_finding_to_eventbridge(&f, 1741162607000LL, &b), 0);
    assert_string_equal(a.p, b.p); /* deterministic event id */
    {
        /* The envelope's exact bytes (lib/route/envelope.h, shared with the canary events). */
        static const char env[] =
            "{\"version\":\"0\",\"id\":\"826edd7f-5404-4c3d-92b0-515cd68ebcb1\","
            "\"detail-type\":\"GuardDuty Finding\",\"source\":\"aws.guardduty\","
            "\"account\":\"111122223333\",\"time\":\"2025-03-05T08:16:47Z\","
            "\"region\":\"us-east-1\",\"resources\":[],\"detail\":{";
        assert_true(a.len > sizeof(env) && memcmp(a.p, env, sizeof(env) - 1) == 0);
        assert_true(a.p[a.len - 1] == '}' && a.p[a.len - 2] == '}');
    }
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, a.p, a.len, NULL), 0);
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "version")), "0"));
    assert_true(
        cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "detail-type")), "GuardDuty Finding"));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "source")), "aws.guardduty"));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "account")), T_ACCOUNT));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "region")), T_REGION));
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_get(&d, 0, "time")), "2025-03-05T08:16:47Z"));
    id = cm_json_get(&d, 0, "id");
    assert_int_equal(cm_json_at(&d, id)->len, 36);
    assert_int_equal(cm_json_raw(&d, id).p[8], '-');
    res = cm_json_get(&d, 0, "resources");
    assert_int_equal(cm_json_type(&d, res), CM_JSON_ARRAY);
    assert_int_equal(cm_json_at(&d, res)->len, 0);
    /* detail is the event form: additionalInfo expanded next to value/type. */
    assert_true(cm_str_eqc(
        cm_json_raw(&d, cm_json_path(&d, 0, "detail.service.additionalInfo.threatListName")),
        "ProofPoint"));
    assert_int_not_equal(cm_json_path(&d, 0, "detail.service.additionalInfo.value"), CM_JSON_NONE);
    assert_true(cm_str_eqc(
        cm_json_raw(&d, cm_json_path(&d, 0, "detail.service.additionalInfo.type")), "default"));
    assert_int_equal(cm_json_type(&d, cm_json_path(&d, 0, "detail.service.evidence")),
                     CM_JSON_NULL);
    assert_true(cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "detail.id")), f.id));
    /* Time 0: the finding's updatedAt. */
    cm_buf_reset(&b);
    assert_int_equal(cm_finding_to_eventbridge(&f, 0, &b), 0);
    assert_non_null(strstr(b.p, "\"time\":\"2025-03-04T10:25:11Z\""));
    /* The event id is the state's: another time of publishing keeps it... */
    event_id_of(&a, eid_a);
    event_id_of(&b, eid_b);
    assert_string_equal(eid_a, eid_b);
    /* ...a higher count with the same updatedAt (older events counted later) does not... */
    f.count++;
    cm_buf_reset(&b);
    assert_int_equal(cm_finding_to_eventbridge(&f, 1741162607000LL, &b), 0);
    event_id_of(&b, eid_b);
    assert_string_not_equal(eid_a, eid_b);
    /* ...and neither does a later updatedAt with the same count. */
    f.count--;
    f.updated_ms += 1000;
    cm_buf_reset(&b);
    assert_int_equal(cm_finding_to_eventbridge(&f, 1741162607000LL, &b), 0);
    event_id_of(&b, eid_c);
    assert_string_not_equal(eid_a, eid_c);
    assert_string_not_equal(eid_b, eid_c);
    cm_json_doc_finish(&d);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* Whether the EventBridge event of f matches pattern; the event text into ev. */
static bool event_matches(const struct cm_finding *f, const char *pattern, struct cm_buf *ev)
{
    struct cm_pattern *p = NULL;
    bool hit = false;

    cm_buf_reset(ev);
    assert_int_equal(cm_finding_to_eventbridge(f, 0, ev), 0);
    assert_int_equal(cm_pattern_compile(pattern, strlen(pattern), &p, NULL), 0);
    assert_int_equal(cm_pattern_match_json(p, ev->p, ev->len, &hit, NULL), 0);
    cm_pattern_destroy(p);
    return hit;
}

/*
 * A described instance (type known) with no platform, Outpost or instance
 * profile has them null in the event form, as GuardDuty's events do, so the
 * patterns users write for Linux instances match; an instance known by id
 * alone leaves them out, and the API form never has the nulls.
 */
static void test_eventbridge_instance_nulls(void **state)
{
    static const char linux_null[] =
        "{\"detail\":{\"resource\":{\"instanceDetails\":{\"platform\":[null]}}}}";
    static const char not_windows[] = "{\"detail\":{\"resource\":{\"instanceDetails\":"
                                      "{\"platform\":[{\"anything-but\":\"windows\"}]}}}}";
    struct t_events e;
    struct cm_finding f;
    struct cm_buf ev, api;
    (void)state;

    t_events_init(&e);
    cm_buf_init(&ev, 0);
    cm_buf_init(&api, 0);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:EC2/SSHBruteForce"), 0);
    /* Known by id alone: nothing is said about its platform. */
    assert_false(event_matches(&f, linux_null, &ev));
    assert_null(strstr(ev.p, "\"platform\""));
    assert_null(strstr(ev.p, "\"iamInstanceProfile\""));

    /* Described, without platform, Outpost or profile: null, matched by [null]. */
    assert_int_equal(cm_finding_setc(&f, &f.instance.instance_type, "t3.large"), 0);
    assert_true(event_matches(&f, linux_null, &ev));
    assert_true(event_matches(&f, not_windows, &ev));
    assert_non_null(strstr(ev.p, "\"platform\":null"));
    assert_non_null(strstr(ev.p, "\"outpostArn\":null"));
    assert_non_null(strstr(ev.p, "\"iamInstanceProfile\":null"));
    assert_int_equal(cm_finding_to_json(&f, CM_FORM_API, &api), 0);
    assert_null(strstr(api.p, "null"));

    /* A Windows instance is not. */
    assert_int_equal(cm_finding_setc(&f, &f.instance.platform, "windows"), 0);
    assert_false(event_matches(&f, linux_null, &ev));
    assert_false(event_matches(&f, not_windows, &ev));
    assert_non_null(strstr(ev.p, "\"platform\":\"windows\""));
    cm_buf_finish(&ev);
    cm_buf_finish(&api);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ocsf),
        cmocka_unit_test(test_ocsf_activity),
        cmocka_unit_test(test_ocsf_sequence_arn),
        cmocka_unit_test(test_ocsf_resource_type),
        cmocka_unit_test(test_ocsf_evidences),
        cmocka_unit_test(test_eventbridge),
        cmocka_unit_test(test_eventbridge_instance_nulls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
