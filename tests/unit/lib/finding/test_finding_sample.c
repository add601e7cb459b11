/*
 * Unit tests for sample findings (lib/finding/finding_sample.c): one sample
 * of every type in the type table builds; its id is 32 lowercase hex and
 * deterministic for (account, region, type) and distinct across types; the
 * ARN is the detector's; resourceType, actionType and the usual direction
 * and role follow the type's row; service.additionalInfo.value carries
 * "sample": true; the API and event forms validate against the API model's
 * Finding shape (the fixture always, $SHARED/spec/guardduty-api-model.json
 * when present); the API JSON survives a round trip through the parser; and
 * per-type details (API calls, ports, domains, placeholders) are realistic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/err.h"
#include "finding/finding_sample.h"
#include "finding_util.h"
#include "shape_check.h"

static int sample(struct cm_finding *f, const char *account, const char *region, const char *type)
{
    struct cm_finding_ctx ctx = t_ctx();

    cm_finding_init(f);
    return cm_finding_sample(f, &ctx, account, region, type, T_NOW);
}

/* Builds the default-account sample of type, failing the test on error. */
static void must_sample(struct cm_finding *f, const char *type)
{
    int rc = sample(f, T_ACCOUNT, T_REGION, type);

    if (rc != 0) {
        fail_msg("%s: cm_finding_sample returned %d", type, rc);
    }
}

static char *to_json(const struct cm_finding *f, enum cm_finding_form form)
{
    struct cm_buf b;
    size_t n;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_json(f, form, &b), 0);
    return cm_buf_take(&b, &n);
}

static bool is_hex32(const char *id)
{
    if (strlen(id) != CM_FINDING_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < CM_FINDING_ID_LEN; i++) {
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

/* service.additionalInfo.value of the API JSON, parsed: is "sample" true? */
static bool info_sample(const char *json)
{
    struct cm_json_doc d, info;
    struct cm_arena a;
    struct cm_str value;
    uint32_t n;
    bool yes = false;

    cm_json_doc_init(&d, 0, 0);
    cm_json_doc_init(&info, 0, 0);
    cm_arena_init(&a, 4096, 1u << 20);
    assert_int_equal(cm_json_parse(&d, json, strlen(json), NULL), 0);
    n = cm_json_path(&d, 0, "service.additionalInfo.value");
    assert_int_not_equal(n, CM_JSON_NONE);
    assert_int_equal(cm_json_type(&d, n), CM_JSON_STRING);
    assert_true(
        cm_str_eqc(cm_json_raw(&d, cm_json_path(&d, 0, "service.additionalInfo.type")), "default"));
    value = cm_json_str(&d, n, &a);
    assert_non_null(value.p);
    assert_int_equal(cm_json_parse(&info, value.p, value.len, NULL), 0);
    n = cm_json_get(&info, 0, "sample");
    yes = n != CM_JSON_NONE && cm_json_type(&info, n) == CM_JSON_TRUE;
    cm_json_doc_finish(&info);
    cm_json_doc_finish(&d);
    cm_arena_finish(&a);
    return yes;
}

static void check_arn(const struct cm_finding *f, const char *region, const char *account)
{
    char want[256];

    snprintf(want, sizeof(want), "arn:aws:guardduty:%s:%s:detector/%s/finding/%s", region, account,
             T_DETECTOR, f->id);
    assert_true(cm_str_eqc(f->arn, want));
}

/* What every sample must be, whatever its type. */
static void check_common(const struct cm_finding *f, const struct cm_finding_type_info *ti)
{
    const char *t = ti->type;

    if (!is_hex32(f->id)) {
        fail_msg("%s: id %s is not 32 lowercase hex", t, f->id);
    }
    check_arn(f, T_REGION, T_ACCOUNT);
    assert_true(cm_str_eqc(f->type, t));
    if (f->resource_type != ti->resource || f->action_type != ti->action) {
        fail_msg("%s: resource %d action %d, table %d %d", t, f->resource_type, f->action_type,
                 ti->resource, ti->action);
    }
    if ((ti->identity & CM_FID_ROLE) == 0 && f->role != ti->role) {
        fail_msg("%s: role %d, table %d", t, f->role, ti->role);
    }
    assert_int_equal(f->count, 1);
    assert_int_equal(f->created_ms, T_NOW);
    assert_int_equal(f->updated_ms, T_NOW);
    assert_true(f->first_seen_ms > 0 && f->first_seen_ms <= f->last_seen_ms);
    assert_true(f->last_seen_ms < T_NOW && T_NOW - f->last_seen_ms <= 120000);
    assert_int_equal(f->nevidence, 0);
    assert_true(f->severity >= 1.0 && f->severity < 10.0);
    /* The console adds "[SAMPLE]"; the JSON title does not carry it. */
    assert_true(cm_str_present(f->title));
    assert_false(cm_str_starts(f->title, "[SAMPLE]"));
    assert_true(cm_str_present(f->description));
}

/* The event behind the sample fits the type. */
static void check_action(const struct cm_finding *f, const struct cm_finding_type_info *ti)
{
    const char *t = ti->type;

    switch (f->action_type) {
    case CM_ACT_AWS_API_CALL:
        if (!cm_str_present(f->api.api) || cm_str_starts(f->api.api, "GeneratedFinding")) {
            fail_msg("%s: no real API call (%.*s)", t, (int)f->api.api.len, f->api.api.p);
        }
        assert_true(cm_str_ends(f->api.service_name, ".amazonaws.com"));
        assert_true(cm_str_eqc(f->api.remote_ip.ipv4, CM_SAMPLE_REMOTE_IP));
        assert_true(cm_str_eqc(f->api.remote_ip.asn, "-1"));
        assert_true(f->has_access_key && cm_str_present(f->access_key.access_key_id));
        break;
    case CM_ACT_NETWORK_CONNECTION:
        if (ti->direction != CM_DIR_NONE && f->net.direction != ti->direction) {
            fail_msg("%s: direction %d, table %d", t, f->net.direction, ti->direction);
        }
        assert_true(cm_str_eqc(f->net.remote_ip.ipv4, CM_SAMPLE_REMOTE_IP));
        assert_true(cm_str_eqc(f->net.local_ip.ipv4, "10.0.0.1"));
        break;
    case CM_ACT_PORT_PROBE:
        assert_int_equal(f->probe.nprobes, 2);
        assert_true(cm_str_eqc(f->probe.probes[0].remote_ip.ipv4, CM_SAMPLE_REMOTE_IP));
        break;
    case CM_ACT_DNS_REQUEST:
        assert_true(cm_str_present(f->dns.domain));
        assert_true(cm_str_present(f->dns.domain_with_suffix));
        assert_true(cm_str_eqc(f->dns.protocol, "UDP"));
        break;
    case CM_ACT_NONE:
        fail_msg("%s: no action", t);
    }
    if (f->resource_type == CM_RES_INSTANCE) {
        assert_true(cm_str_eqc(f->instance.instance_id, CM_SAMPLE_INSTANCE_ID));
    }
    if (f->resource_type == CM_RES_S3_BUCKET || ti->s3_details) {
        assert_int_equal(f->nbuckets, 1);
        assert_true(cm_str_eqc(f->buckets[0].name, CM_SAMPLE_BUCKET));
    }
}

static void test_every_type(void **state)
{
    size_t ntypes;
    const struct cm_finding_type_info *types = cm_finding_types(&ntypes);
    char(*ids)[CM_FINDING_ID_LEN + 1] = calloc(ntypes, sizeof(*ids));
    (void)state;

    assert_non_null(ids);
    assert_true(ntypes > 100);
    for (size_t i = 0; i < ntypes; i++) {
        struct cm_finding f;
        char *js;
        must_sample(&f, types[i].type);
        check_common(&f, &types[i]);
        check_action(&f, &types[i]);
        js = to_json(&f, CM_FORM_API);
        if (!info_sample(js)) {
            fail_msg("%s: additionalInfo.sample is not true: %s", types[i].type, js);
        }
        assert_null(strstr(js, "[SAMPLE]"));
        memcpy(ids[i], f.id, sizeof(ids[i]));
        for (size_t j = 0; j < i; j++) {
            if (strcmp(ids[i], ids[j]) == 0) {
                fail_msg("%s and %s share id %s", types[i].type, types[j].type, ids[i]);
            }
        }
        free(js);
        cm_finding_finish(&f);
    }
    free(ids);
}

static void check_shapes(const struct model *m)
{
    size_t ntypes;
    const struct cm_finding_type_info *types = cm_finding_types(&ntypes);

    for (size_t i = 0; i < ntypes; i++) {
        struct cm_finding f;
        must_sample(&f, types[i].type);
        check_finding_forms(m, &f, types[i].type);
        cm_finding_finish(&f);
    }
}

static void test_shape_fixture(void **state)
{
    struct model m;
    (void)state;

    assert_true(load_model(&m, FIXTURE));
    check_shapes(&m);
    free_model(&m);
}

static void test_shape_model(void **state)
{
    char path[1024];
    struct model m;
    (void)state;

    snprintf(path, sizeof(path), "%s/spec/guardduty-api-model.json", t_shared());
    if (!load_model(&m, path)) {
        skip();
        return;
    }
    check_shapes(&m);
    free_model(&m);
}

/* API JSON -> struct -> API JSON gives the same text, for every type. */
static void test_round_trip(void **state)
{
    size_t ntypes;
    const struct cm_finding_type_info *types = cm_finding_types(&ntypes);
    (void)state;

    for (size_t i = 0; i < ntypes; i++) {
        struct cm_finding f, g;
        char *a, *b;
        must_sample(&f, types[i].type);
        a = to_json(&f, CM_FORM_API);
        cm_finding_init(&g);
        assert_int_equal(cm_finding_from_json(&g, a, strlen(a), NULL), 0);
        b = to_json(&g, CM_FORM_API);
        if (strcmp(a, b) != 0) {
            fail_msg("%s: round trip differs\n%s\n%s", types[i].type, a, b);
        }
        free(a);
        free(b);
        cm_finding_finish(&g);
        cm_finding_finish(&f);
    }
}

/* The same (account, region, type) gives the same finding; another account or region not. */
static void test_deterministic(void **state)
{
    static const char *const types[] = {
        "UnauthorizedAccess:EC2/SSHBruteForce", "Stealth:IAMUser/CloudTrailLoggingDisabled",
        "Exfiltration:S3/MaliciousIPCaller", "Trojan:EC2/DropPoint!DNS"};
    (void)state;

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct cm_finding a, b, c, d;
        char *ja, *jb;
        must_sample(&a, types[i]);
        must_sample(&b, types[i]);
        assert_int_equal(sample(&c, "444455556666", T_REGION, types[i]), 0);
        assert_int_equal(sample(&d, T_ACCOUNT, "eu-west-1", types[i]), 0);
        ja = to_json(&a, CM_FORM_API);
        jb = to_json(&b, CM_FORM_API);
        assert_string_equal(ja, jb);
        assert_string_not_equal(a.id, c.id);
        assert_string_not_equal(a.id, d.id);
        check_arn(&c, T_REGION, "444455556666");
        check_arn(&d, "eu-west-1", T_ACCOUNT);
        free(ja);
        free(jb);
        cm_finding_finish(&a);
        cm_finding_finish(&b);
        cm_finding_finish(&c);
        cm_finding_finish(&d);
    }
}

struct api_case {
    const char *type, *api, *service;
};

static void test_api_calls(void **state)
{
    static const struct api_case cases[] = {
        {"Stealth:IAMUser/CloudTrailLoggingDisabled", "StopLogging", "cloudtrail.amazonaws.com"},
        {"Stealth:IAMUser/PasswordPolicyChange", "UpdateAccountPasswordPolicy",
         "iam.amazonaws.com"},
        {"Policy:S3/BucketBlockPublicAccessDisabled", "PutBucketPublicAccessBlock",
         "s3.amazonaws.com"},
        {"Policy:S3/BucketAnonymousAccessGranted", "PutBucketPolicy", "s3.amazonaws.com"},
        {"Stealth:S3/ServerAccessLoggingDisabled", "PutBucketLogging", "s3.amazonaws.com"},
        {"Discovery:S3/TorIPCaller", "GetBucketAcl", "s3.amazonaws.com"},
        {"Discovery:S3/MaliciousIPCaller.Custom", "ListObjects", "s3.amazonaws.com"},
        {"Exfiltration:S3/MaliciousIPCaller", "GetObject", "s3.amazonaws.com"},
        {"UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", "ConsoleLogin",
         "signin.amazonaws.com"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_finding f;
        must_sample(&f, cases[i].type);
        if (!cm_str_eqc(f.api.api, cases[i].api) ||
            !cm_str_eqc(f.api.service_name, cases[i].service)) {
            fail_msg("%s: %.*s / %.*s", cases[i].type, (int)f.api.api.len, f.api.api.p,
                     (int)f.api.service_name.len, f.api.service_name.p);
        }
        cm_finding_finish(&f);
    }
}

static void test_callers(void **state)
{
    static const char *const pentest[][2] = {{"PenTest:IAMUser/KaliLinux", "kali"},
                                             {"PenTest:S3/KaliLinux", "kali"},
                                             {"PenTest:IAMUser/ParrotLinux", "parrot"},
                                             {"PenTest:S3/PentooLinux", "pentoo"}};
    struct cm_finding f;
    char *js;
    (void)state;

    for (size_t i = 0; i < sizeof(pentest) / sizeof(pentest[0]); i++) {
        must_sample(&f, pentest[i][0]);
        js = to_json(&f, CM_FORM_API);
        assert_non_null(strstr(js, pentest[i][1]));
        free(js);
        cm_finding_finish(&f);
    }
    must_sample(&f, "Policy:IAMUser/RootCredentialUsage");
    assert_true(cm_str_eqc(f.access_key.user_type, "Root"));
    assert_true(cm_str_eqc(f.access_key.user_name, "Root"));
    assert_true(cm_str_eqc(f.access_key.principal_id, T_ACCOUNT));
    cm_finding_finish(&f);
    must_sample(&f, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS");
    assert_true(cm_str_eqc(f.access_key.user_type, "AssumedRole"));
    assert_true(cm_str_ends(f.access_key.principal_id, CM_SAMPLE_INSTANCE_ID));
    assert_true(cm_str_present(f.api.remote_account));
    assert_int_equal(f.api.remote_affiliated, CM_TRI_FALSE);
    cm_finding_finish(&f);
    /* S3 types: the bucket is the resource and the caller's key the actor. */
    must_sample(&f, "Exfiltration:S3/AnomalousBehavior");
    assert_true(cm_str_eqc(f.access_key.access_key_id, CM_SAMPLE_ACCESS_KEY));
    assert_true(cm_str_eqc(f.api.affected[0].key, "AWS::S3::Bucket"));
    cm_finding_finish(&f);
}

struct net_case {
    const char *type;
    int32_t port; /* the service port: local when inbound, remote when outbound */
    enum cm_conn_dir dir;
    enum cm_role role;
    const char *proto;
};

static void test_network(void **state)
{
    static const struct net_case cases[] = {
        {"UnauthorizedAccess:EC2/SSHBruteForce", 22, CM_DIR_INBOUND, CM_ROLE_TARGET, "TCP"},
        {"UnauthorizedAccess:EC2/RDPBruteForce", 3389, CM_DIR_INBOUND, CM_ROLE_TARGET, "TCP"},
        {"Impact:EC2/WinRMBruteForce", 5985, CM_DIR_INBOUND, CM_ROLE_TARGET, "TCP"},
        {"Backdoor:EC2/Spambot", 25, CM_DIR_OUTBOUND, CM_ROLE_TARGET, "TCP"},
        {"Backdoor:EC2/DenialOfService.Dns", 53, CM_DIR_OUTBOUND, CM_ROLE_ACTOR, "UDP"},
        {"Behavior:EC2/NetworkPortUnusual", 389, CM_DIR_OUTBOUND, CM_ROLE_TARGET, "TCP"},
        {"Backdoor:EC2/DenialOfService.UnusualProtocol", -1, CM_DIR_OUTBOUND, CM_ROLE_ACTOR, "GRE"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct net_case *c = &cases[i];
        struct cm_finding f;
        int32_t port;
        must_sample(&f, c->type);
        port = c->dir == CM_DIR_INBOUND ? f.net.local_port.port : f.net.remote_port.port;
        if (port != c->port || f.net.direction != c->dir || f.role != c->role ||
            !cm_str_eqc(f.net.protocol, c->proto)) {
            fail_msg("%s: port %d dir %d role %d", c->type, port, f.net.direction, f.role);
        }
        assert_int_equal(f.net.blocked, CM_TRI_FALSE);
        cm_finding_finish(&f);
    }
}

static void test_probe_and_dns(void **state)
{
    struct cm_finding f;
    (void)state;

    must_sample(&f, "Recon:EC2/PortProbeUnprotectedPort");
    assert_int_equal(f.probe.probes[0].local_port.port, 22);
    assert_true(cm_str_eqc(f.probe.probes[0].local_port.name, "SSH"));
    assert_int_equal(f.probe.probes[1].local_port.port, 3389);
    assert_true(cm_str_eqc(f.probe.probes[1].remote_ip.asn, "-1"));
    assert_int_equal(f.nthreats, 1);
    assert_true(cm_str_eqc(f.threats[0].list_name, CM_SAMPLE_THREAT_LIST));
    cm_finding_finish(&f);

    must_sample(&f, "CryptoCurrency:EC2/BitcoinTool.B!DNS");
    assert_true(cm_str_eqc(f.dns.domain, "pool.minergate.com"));
    assert_true(cm_str_eqc(f.dns.domain_with_suffix, "minergate.com"));
    assert_true(cm_str_eqc(f.dns.vpc_owner, T_ACCOUNT));
    assert_int_equal(f.nthreats, 1);
    cm_finding_finish(&f);

    must_sample(&f, "Trojan:EC2/DNSDataExfiltration");
    assert_true(cm_str_find(f.dns.domain, cm_str_cstr(".")) > 40); /* a long encoded label */
    cm_finding_finish(&f);

    must_sample(&f, "Trojan:EC2/DGADomainRequest.C!DNS");
    assert_true(cm_str_ends(f.dns.domain, ".example.com"));
    assert_int_equal(f.nthreats, 0);
    cm_finding_finish(&f);
}

static void test_errors(void **state)
{
    struct cm_finding f;
    struct cm_finding_ctx ctx = t_ctx();
    (void)state;

    assert_int_equal(sample(&f, T_ACCOUNT, T_REGION, "Nope:EC2/NotAType"), CM_EINVAL);
    cm_finding_finish(&f);
    assert_int_equal(sample(&f, T_ACCOUNT, T_REGION, NULL), CM_EINVAL);
    cm_finding_finish(&f);
    assert_int_equal(sample(&f, NULL, T_REGION, "Recon:EC2/Portscan"), CM_EINVAL);
    cm_finding_finish(&f);
    assert_int_equal(sample(&f, T_ACCOUNT, "", "Recon:EC2/Portscan"), CM_EINVAL);
    cm_finding_finish(&f);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_sample(&f, NULL, T_ACCOUNT, T_REGION, "Recon:EC2/Portscan", T_NOW),
                     CM_EINVAL);
    cm_finding_finish(&f);
    /* The partition from the context reaches the ARN. */
    ctx.partition = "aws-cn";
    cm_finding_init(&f);
    assert_int_equal(
        cm_finding_sample(&f, &ctx, T_ACCOUNT, "cn-north-1", "Recon:EC2/Portscan", T_NOW), 0);
    assert_true(cm_str_starts(f.arn, "arn:aws-cn:guardduty:cn-north-1:"));
    assert_true(cm_str_starts(f.instance.profile_arn, "arn:aws-cn:iam::"));
    cm_finding_finish(&f);
}

/* The raw text of the string at dotted path of the API JSON, or "" when absent. */
static void string_at(const char *json, const char *path, char *out, size_t cap)
{
    struct cm_json_doc d;
    uint32_t n;

    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, json, strlen(json), NULL), 0);
    n = cm_json_path(&d, 0, path);
    out[0] = '\0';
    if (n != CM_JSON_NONE && cm_json_type(&d, n) == CM_JSON_STRING &&
        cm_json_raw(&d, n).len < cap) {
        memcpy(out, cm_json_raw(&d, n).p, cm_json_raw(&d, n).len);
        out[cm_json_raw(&d, n).len] = '\0';
    }
    cm_json_doc_finish(&d);
}

/* A sample attack sequence carries service.detection.sequence, as GuardDuty's samples and
 * coalmine's real sequences do: a rule or reader tested on it meets the same shape. */
static void test_sequence(void **state)
{
    static const char *const types[][2] = {
        {"AttackSequence:IAM/CompromisedCredentials", "ACCESS_KEY"},
        {"AttackSequence:S3/CompromisedData", "S3_BUCKET"}};
    (void)state;

    for (size_t i = 0; i < 2; i++) {
        struct cm_finding f;
        char v[128];
        char *api;

        must_sample(&f, types[i][0]);
        api = to_json(&f, CM_FORM_API);
        string_at(api, "service.detection.sequence.uid", v, sizeof(v));
        assert_string_equal(v, "GeneratedFindingSequenceId");
        string_at(api, "service.detection.sequence.resources.0.resourceType", v, sizeof(v));
        assert_string_equal(v, types[i][1]);
        string_at(api, "service.detection.sequence.actors.0.id", v, sizeof(v));
        assert_string_equal(v, CM_SAMPLE_ACCESS_KEY);
        string_at(api, "service.detection.sequence.signals.1.type", v, sizeof(v));
        assert_string_equal(v, "FINDING");
        /* The shape a real sequence has: its key's user, its caller's address. */
        string_at(api, "service.detection.sequence.actors.0.user.name", v, sizeof(v));
        assert_string_equal(v, "GeneratedFindingRoleName");
        string_at(api, "service.detection.sequence.endpoints.0.ip", v, sizeof(v));
        assert_string_equal(v, "198.51.100.0");
        string_at(api, "service.detection.sequence.signals.0.endpointIds.0", v, sizeof(v));
        assert_string_equal(v, "198.51.100.0");
        string_at(api, "service.detection.sequence.sequenceIndicators.0.key", v, sizeof(v));
        assert_string_equal(v, "ATTACK_TACTIC");
        assert_true(info_sample(api));
        free(api);
        cm_finding_finish(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type),    cmocka_unit_test(test_shape_fixture),
        cmocka_unit_test(test_shape_model),   cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_api_calls),
        cmocka_unit_test(test_callers),       cmocka_unit_test(test_network),
        cmocka_unit_test(test_probe_and_dns), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
