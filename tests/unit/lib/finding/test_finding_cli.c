/*
 * Unit tests for the CLI form of a finding (finding/finding_cli.c): member
 * names as the GuardDuty API model names them (what `aws guardduty
 * get-findings` prints), the four that are not the locationName capitalised,
 * a map's keys left as they are, values untouched; a sample finding of every
 * type converted without error and with no camelCase member left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "finding/finding_sample.h"

#include "finding_util.h"

static char *cli_of(const char *api)
{
    struct cm_buf b;
    struct cm_jw jw;
    size_t len;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    assert_int_equal(cm_finding_api_to_cli(&jw, api, strlen(api)), 0);
    assert_int_equal(cm_jw_finish(&jw), 0);
    return cm_buf_take(&b, &len);
}

static void test_names(void **state)
{
    static const char api[] =
        "{\"schemaVersion\":\"2.0\",\"accountId\":\"111122223333\",\"severity\":8,"
        "\"resource\":{\"resourceType\":\"Instance\",\"instanceDetails\":{"
        "\"productCodes\":[{\"productCodeId\":\"abc\",\"productCodeType\":\"marketplace\"}],"
        "\"tags\":[{\"key\":\"Name\",\"value\":\"web\"}]}},"
        "\"service\":{\"action\":{\"actionType\":\"AWS_API_CALL\",\"awsApiCallAction\":{"
        "\"affectedResources\":{\"AWS::S3::Bucket\":\"b\",\"lowerKey\":\"v\"},"
        "\"remoteIpDetails\":{\"geoLocation\":{\"lat\":1.5,\"lon\":2.5},\"ipAddressV4\":\"x\"}}},"
        "\"additionalInfo\":{\"value\":\"{\\\"apiCalls\\\":[]}\",\"type\":\"default\"},"
        "\"detection\":{\"sequence\":{\"actors\":[{\"id\":\"a\",\"user\":{\"name\":\"n\","
        "\"account\":{\"uid\":\"111122223333\",\"account\":\"prod\"}}}],"
        "\"endpoints\":[{\"id\":\"e\",\"location\":{\"lat\":3.5,\"lon\":4.5,\"city\":\"c\"}}]}}}}";
    char *t = cli_of(api);
    (void)state;

    assert_non_null(strstr(t, "{\"SchemaVersion\":\"2.0\",\"AccountId\":\"111122223333\","
                              "\"Severity\":8,"));
    assert_non_null(
        strstr(t, "\"ProductCodes\":[{\"Code\":\"abc\",\"ProductType\":\"marketplace\"}]"));
    assert_non_null(strstr(t, "\"Tags\":[{\"Key\":\"Name\",\"Value\":\"web\"}]"));
    /* A map's keys are data. */
    assert_non_null(
        strstr(t, "\"AffectedResources\":{\"AWS::S3::Bucket\":\"b\",\"lowerKey\":\"v\"}"));
    /* GeoLocation keeps Lat/Lon; a sequence endpoint's location says Latitude/Longitude. */
    assert_non_null(strstr(t, "\"GeoLocation\":{\"Lat\":1.5,\"Lon\":2.5},\"IpAddressV4\":\"x\""));
    assert_non_null(strstr(t, "\"Location\":{\"Latitude\":3.5,\"Longitude\":4.5,\"City\":\"c\"}"));
    /* User.account is an Account, whose own account member is its Name. */
    assert_non_null(strstr(t, "\"Account\":{\"Uid\":\"111122223333\",\"Name\":\"prod\"}"));
    /* additionalInfo.value stays the JSON text it was. */
    assert_non_null(strstr(t, "\"AdditionalInfo\":{\"Value\":\"{\\\"apiCalls\\\":[]}\","
                              "\"Type\":\"default\"}"));
    free(t);
}

/* Every member name under node i starts upper-case, but a map's (affectedResources). */
static void pascal_under(const struct cm_json_doc *d, uint32_t i, struct cm_arena *arena)
{
    if (cm_json_type(d, i) == CM_JSON_ARRAY) {
        for (uint32_t e = cm_json_first(d, i); e != CM_JSON_NONE; e = cm_json_next(d, i, e)) {
            pascal_under(d, e, arena);
        }
        return;
    }
    if (cm_json_type(d, i) != CM_JSON_OBJECT) {
        return;
    }
    for (uint32_t k = cm_json_first(d, i); k != CM_JSON_NONE; k = cm_json_next(d, i, k + 1)) {
        struct cm_str key = cm_json_str(d, k, arena);
        assert_non_null(key.p);
        if (!(key.p[0] >= 'A' && key.p[0] <= 'Z')) {
            fail_msg("member %.*s is not PascalCase", (int)key.len, key.p);
        }
        if (!cm_str_eqc(key, "AffectedResources")) {
            pascal_under(d, k + 1, arena);
        }
    }
}

static void all_pascal(const char *text)
{
    struct cm_json_doc d;
    struct cm_arena arena;

    cm_json_doc_init(&d, 0, 0);
    cm_arena_init(&arena, 4096, 0);
    assert_int_equal(cm_json_parse(&d, text, strlen(text), NULL), 0);
    pascal_under(&d, 0, &arena);
    cm_arena_finish(&arena);
    cm_json_doc_finish(&d);
}

static void test_every_sample(void **state)
{
    size_t ntypes;
    const struct cm_finding_type_info *types = cm_finding_types(&ntypes);
    size_t done = 0;
    (void)state;

    for (size_t i = 0; i < ntypes; i++) {
        struct cm_finding f;
        struct cm_buf b;
        if (types[i].status != CM_TYPE_ACTIVE) {
            continue;
        }
        cm_finding_init(&f);
        struct cm_finding_ctx ctx = t_ctx();
        if (cm_finding_sample(&f, &ctx, T_ACCOUNT, T_REGION, types[i].type, T_NOW) != 0) {
            cm_finding_finish(&f);
            continue;
        }
        cm_buf_init(&b, 0);
        assert_int_equal(cm_finding_to_cli(&f, &b), 0);
        assert_non_null(strstr(b.p, "\"Type\":\""));
        all_pascal(b.p);
        cm_buf_finish(&b);
        cm_finding_finish(&f);
        done++;
    }
    assert_true(done > 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_every_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
