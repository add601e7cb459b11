/*
 * Validates serialised findings against the GuardDuty API model's Finding
 * shape: required members present, member JSON types right (string, number,
 * integer, boolean, list, map, structure; timestamp as epoch seconds, a
 * number), enum values and string length bounds respected, no unknown
 * members. Shapes come from tests/fixtures/guardduty-finding-shapes.json
 * (always) and from $SHARED/spec/guardduty-api-model.json (skipped when
 * absent). Checked: one sample finding of every type in the type table
 * (which covers spec/finding-types.csv), in API and event form, the event
 * form inside an EventBridge envelope, and the JSON files of spec/examples.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "finding/finding_sample.h"
#include "finding_util.h"
#include "shape_check.h"

/* Every type: API form, event form and the EventBridge detail. */
static void check_all_types(const struct model *m)
{
    struct t_events e;
    size_t ntypes;
    const struct cm_finding_type_info *types = cm_finding_types(&ntypes);

    t_events_init(&e);
    for (size_t i = 0; i < ntypes; i++) {
        struct cm_finding f;
        assert_int_equal(t_sample(&f, &e, types[i].type), 0);
        check_finding_forms(m, &f, types[i].type);
        cm_finding_finish(&f);
    }
    t_events_finish(&e);
}

static void test_fixture_all_types(void **state)
{
    struct model m;
    (void)state;

    assert_true(load_model(&m, FIXTURE));
    check_all_types(&m);
    free_model(&m);
}

static void test_model_all_types(void **state)
{
    char path[1024];
    struct model m;
    (void)state;

    snprintf(path, sizeof(path), "%s/spec/guardduty-api-model.json", t_shared());
    if (!load_model(&m, path)) {
        skip();
        return;
    }
    check_all_types(&m);
    free_model(&m);
}

/*
 * The sample of every type (CreateSampleFindings, `findings sample`), in both
 * forms: the samples carry what detections do not, an attack sequence's
 * signals with their model timestamps (epoch seconds on the wire).
 */
static void test_samples_all_types(void **state)
{
    struct cm_finding_ctx ctx = t_ctx();
    size_t ntypes;
    const struct cm_finding_type_info *types = cm_finding_types(&ntypes);
    struct model m;
    (void)state;

    assert_true(load_model(&m, FIXTURE));
    for (size_t i = 0; i < ntypes; i++) {
        struct cm_finding f;
        cm_finding_init(&f);
        assert_int_equal(
            cm_finding_sample(&f, &ctx, "123456789012", "us-east-1", types[i].type, 1767225600000),
            0);
        check_finding_forms(&m, &f, types[i].type);
        cm_finding_finish(&f);
    }
    free_model(&m);
}

/*
 * A signal's times: epoch seconds in the API and event forms, read back into
 * the ISO strings the detector keys hold, so a stored finding written again
 * is the same document.
 */
static void test_sequence_signal_times(void **state)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_finding f, g;
    struct cm_buf a, b;
    (void)state;

    cm_finding_init(&f);
    cm_finding_init(&g);
    cm_buf_init(&a, 0);
    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_sample(&f, &ctx, "123456789012", "us-east-1",
                                       "AttackSequence:IAM/CompromisedCredentials", 1767225600000),
                     0);
    assert_int_equal(cm_finding_to_json(&f, CM_FORM_API, &a), 0);
    /* one minute before now_ms, 2026-01-01T00:00:00Z */
    assert_non_null(strstr(a.p, "\"firstSeenAt\":1767225540,"));
    assert_null(strstr(a.p, "\"firstSeenAt\":\""));
    assert_non_null(strstr(f.additional_info.p, "\"firstSeenAt\":\"2025-12-31T23:59:00.000Z\""));
    assert_int_equal(cm_finding_from_json(&g, a.p, a.len, NULL), 0);
    assert_non_null(strstr(g.additional_info.p, "\"firstSeenAt\":\"2025-12-31T23:59:00.000Z\""));
    assert_int_equal(cm_finding_to_json(&g, CM_FORM_API, &b), 0);
    assert_string_equal(a.p, b.p);
    cm_buf_reset(&b);
    assert_int_equal(cm_finding_to_eventbridge(&f, 0, &b), 0);
    assert_non_null(strstr(b.p, "\"lastSeenAt\":1767225540,"));
    cm_buf_finish(&a);
    cm_buf_finish(&b);
    cm_finding_finish(&f);
    cm_finding_finish(&g);
}

/* An actor's session.createdTime (a model Timestamp too), with milliseconds, both ways. */
static void test_sequence_session_time(void **state)
{
    static const char doc[] =
        "{\"schemaVersion\":\"2.0\",\"accountId\":\"123456789012\",\"region\":\"us-east-1\","
        "\"id\":\"0123456789abcdef0123456789abcdef\",\"arn\":\"a\","
        "\"type\":\"AttackSequence:IAM/CompromisedCredentials\",\"resource\":{},"
        "\"service\":{\"detection\":{\"sequence\":{\"uid\":\"u\",\"description\":\"d\","
        "\"actors\":[{\"id\":\"K\",\"session\":{\"mfaStatus\":\"ENABLED\","
        "\"createdTime\":1767225600.5}}],\"signals\":[{\"uid\":\"s\",\"createdAt\":1767225600,"
        "\"updatedAt\":\"not a time\"}]}},\"count\":1},"
        "\"severity\":9,\"createdAt\":\"2026-01-01T00:00:00.000Z\","
        "\"updatedAt\":\"2026-01-01T00:00:00.000Z\"}";
    struct cm_finding f;
    struct cm_buf b;
    (void)state;

    cm_finding_init(&f);
    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_from_json(&f, doc, sizeof(doc) - 1, NULL), 0);
    assert_non_null(strstr(f.additional_info.p, "\"createdTime\":\"2026-01-01T00:00:00.500Z\""));
    assert_non_null(strstr(f.additional_info.p, "\"createdAt\":\"2026-01-01T00:00:00.000Z\""));
    /* what is not a time is kept as it is */
    assert_non_null(strstr(f.additional_info.p, "\"updatedAt\":\"not a time\""));
    assert_int_equal(cm_finding_to_json(&f, CM_FORM_API, &b), 0);
    assert_non_null(strstr(b.p, "\"createdTime\":1767225600.5}"));
    assert_non_null(strstr(b.p, "\"createdAt\":1767225600,"));
    assert_non_null(strstr(b.p, "\"updatedAt\":\"not a time\""));
    cm_buf_finish(&b);
    cm_finding_finish(&f);
}

/* The validator catches what it must: unknown member, wrong type, missing required. */
static void test_validator_rejects(void **state)
{
    static const char *const bad[] = {
        "{\"schemaVersion\":\"2.0\"}",
        "{\"schemaVersion\":\"2.0\",\"accountId\":\"1\",\"arn\":\"a\",\"createdAt\":\"x\",\"id\":"
        "\"i\","
        "\"region\":\"r\",\"resource\":{},\"severity\":\"high\",\"type\":\"t\",\"updatedAt\":"
        "\"u\"}",
        "{\"schemaVersion\":\"2.0\",\"accountId\":\"1\",\"arn\":\"a\",\"createdAt\":\"x\",\"id\":"
        "\"i\","
        "\"region\":\"r\",\"resource\":{\"bogus\":1},\"severity\":2,\"type\":\"t\",\"updatedAt\":"
        "\"u\"}",
        "{\"schemaVersion\":\"2.0\",\"accountId\":\"1\",\"arn\":\"a\",\"createdAt\":\"x\",\"id\":"
        "\"i\","
        "\"region\":\"r\",\"resource\":{},\"severity\":2,\"type\":\"t\",\"updatedAt\":\"u\","
        "\"service\":{\"count\":1.5}}",
    };
    struct model m;
    char err[512];
    (void)state;

    assert_true(load_model(&m, FIXTURE));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_true(validate(&m, bad[i], strlen(bad[i]), NULL, err, sizeof(err)) > 0);
    }
    free_model(&m);
}

static void check_examples(const struct model *m)
{
    static const char *const names[] = {
        "aws_api_call_Policy_S3_BucketBlockPublicAccessDisabled.json",
        "aws_api_call_UnauthorizedAccess_IAMUser_TorIPCaller.json",
        "dns_request_CryptoCurrency_EC2_BitcoinTool_B_DNS.json",
        "network_connection_UnauthorizedAccess_EC2_SSHBruteForce.json",
        "port_probe_Recon_EC2_PortProbeUnprotectedPort.json",
        "eventbridge_envelope.json",
    };
    char path[1024], err[512];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t len = 0;
        char *text;
        struct cm_finding f;
        snprintf(path, sizeof(path), "%s/spec/examples/%s", t_shared(), names[i]);
        text = t_read_file(path, &len);
        assert_non_null(text);
        if (validate(m, text, len, strstr(names[i], "eventbridge") ? pick_detail : NULL, err,
                     sizeof(err)) != 0) {
            fail_msg("%s: %s", names[i], err);
        }
        /* The parser reads every example. */
        if (strstr(names[i], "eventbridge") == NULL) {
            cm_finding_init(&f);
            assert_int_equal(cm_finding_from_json(&f, text, len, NULL), 0);
            cm_finding_finish(&f);
        }
        free(text);
    }
}

static void test_examples(void **state)
{
    char path[1024];
    struct model fx, full;
    (void)state;

    snprintf(path, sizeof(path), "%s/spec/guardduty-api-model.json", t_shared());
    if (!load_model(&full, path)) {
        skip();
        return;
    }
    assert_true(load_model(&fx, FIXTURE));
    check_examples(&full);
    check_examples(&fx);
    free_model(&fx);
    free_model(&full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_all_types),
        cmocka_unit_test(test_model_all_types),
        cmocka_unit_test(test_validator_rejects),
        cmocka_unit_test(test_samples_all_types),
        cmocka_unit_test(test_sequence_signal_times),
        cmocka_unit_test(test_sequence_session_time),
        cmocka_unit_test(test_examples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
