/*
 * The detector operations through cm_api_handle() against a temp store
 * (src/api/api_detector.c, src/store/store_detectors.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_util.h"

static void test_list_and_get_default(void **state)
{
    (void)state;
    assert_int_equal(call("GET", "/detector", NULL, NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[\"" A_DET "\"]}");
    assert_int_equal(call("GET", A_DET_PATH, NULL, NULL), 200);
    assert_non_null(strstr(a_body, "\"status\":\"ENABLED\""));
    assert_non_null(strstr(a_body, "\"findingPublishingFrequency\":\"SIX_HOURS\""));
    assert_non_null(strstr(a_body, "\"createdAt\":\"2026-01-01T00:00:00.000Z\""));
    assert_non_null(strstr(a_body, "\"serviceRole\":\"arn:aws:iam::123456789012:role/"
                                   "aws-service-role/guardduty.amazonaws.com/"
                                   "AWSServiceRoleForAmazonGuardDuty\""));
    assert_non_null(strstr(a_body, "\"dataSources\":{\"cloudTrail\":{\"status\":\"ENABLED\"},"
                                   "\"dnsLogs\":{\"status\":\"ENABLED\"},\"flowLogs\":{\"status\":"
                                   "\"ENABLED\"},\"s3Logs\":{\"status\":\"ENABLED\"}}"));
    assert_non_null(strstr(a_body, "{\"name\":\"S3_DATA_EVENTS\",\"status\":\"ENABLED\""));
    assert_non_null(strstr(a_body, "\"tags\":{}"));
    /* A second ensure finds it and creates nothing. */
    {
        char id[64], err[256];
        assert_int_equal(cm_api_detector_ensure(&a_ctx, "ffffffffffffffffffffffffffffffff", A_NOW,
                                                id, sizeof(id), err, sizeof(err)),
                         0);
        assert_string_equal(id, A_DET);
    }
}

static void test_unknown_detector(void **state)
{
    (void)state;
    assert_int_equal(call("GET", "/detector/00000000000000000000000000000000", NULL, NULL), 400);
    assert_string_equal(a_type, "BadRequestException");
    assert_string_equal(a_body, "{\"message\":\"" CM_API_NOT_OWNED
                                "\",\"__type\":\"InvalidInputException\"}");
    /* Another region's caller does not own it either. */
    assert_int_equal(call_in("eu-west-1", "GET", A_DET_PATH, NULL, NULL), 400);
    assert_int_equal(call_in("eu-west-1", "GET", "/detector", NULL, NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[]}");
    assert_int_equal(call("DELETE", "/detector/nope", NULL, NULL), 400);
    assert_int_equal(call("POST", "/detector/nope", NULL, "{}"), 400);
}

static void test_create(void **state)
{
    char path[128], id[40];
    const char *p;
    (void)state;

    /* One per account and region. */
    assert_int_equal(call("POST", "/detector", NULL, "{\"enable\":true}"), 400);
    assert_non_null(strstr(a_body, "a detector already exists for the current account"));
    /* Validation names the member. */
    assert_int_equal(call_in("eu-west-1", "POST", "/detector", NULL, "{}"), 400);
    bad_request_has("enable: is required (byte 0)");
    call_in("eu-west-1", "POST", "/detector", NULL, "{\"enable\":\"yes\"}");
    bad_request_has("enable: must be a boolean (byte 10)");
    /* One policy for every operation: lowerCamel only, a repeat refused, unknown ignored. */
    call_in("eu-west-1", "POST", "/detector", NULL, "{\"Enable\":true}");
    bad_request_has("enable: is required");
    call_in("eu-west-1", "POST", "/detector", NULL, "{\"enable\":false,\"enable\":true}");
    bad_request_has("enable: given twice (byte 16)");
    call_in("eu-west-1", "POST", "/detector", NULL,
            "{\"enable\":true,\"features\":[{\"name\":\"S3_DATA_EVENTS\",\"name\":\"x\"}]}");
    bad_request_has("name: given twice");
    call_in("eu-west-1", "POST", "/detector", NULL,
            "{\"enable\":true,\"findingPublishingFrequency\":\"DAILY\"}");
    bad_request_has("findingPublishingFrequency: must be one of FIFTEEN_MINUTES, ONE_HOUR, "
                    "SIX_HOURS, not 'DAILY' (byte 44)");
    call_in(
        "eu-west-1", "POST", "/detector", NULL,
        "{\"enable\":true,\"features\":[{\"name\":\"EKS_AUDIT_LOGS\",\"status\":\"ENABLED\"}]}");
    bad_request_has("does not read the data of feature EKS_AUDIT_LOGS");
    call_in("eu-west-1", "POST", "/detector", NULL,
            "{\"enable\":true,\"features\":[{\"name\":\"NOPE\",\"status\":\"ENABLED\"}]}");
    bad_request_has("name: must be one of");
    bad_request_has("not 'NOPE' (byte 35)");
    call_in("eu-west-1", "POST", "/detector", NULL,
            "{\"enable\":true,\"dataSources\":{\"kubernetes\":{\"auditLogs\":{\"enable\":true}}}}");
    bad_request_has("Kubernetes audit logs");
    call_in("eu-west-1", "POST", "/detector", NULL, "{\"enable\":true,\"tags\":{\"aws:x\":\"1\"}}");
    bad_request_has("must be 1-128 characters not starting with 'aws:'");
    call_in("eu-west-1", "POST", "/detector", NULL, "{\"enable\":true,");
    assert_int_equal(a_status, 400);
    assert_non_null(strstr(a_body, "SerializationException"));
    assert_non_null(strstr(a_body, "not valid JSON: "));
    assert_non_null(strstr(a_body, "(byte 15)"));
    assert_int_equal(call_in("eu-west-1", "GET", "/detector", NULL, NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[]}");

    /* A disabled detector without S3 data events, tagged. */
    assert_int_equal(call_in("eu-west-1", "POST", "/detector", NULL,
                             "{\"enable\":false,\"clientToken\":\"t1\",\"features\":[{\"name\":"
                             "\"S3_DATA_EVENTS\",\"status\":\"DISABLED\"},{\"name\":"
                             "\"EKS_AUDIT_LOGS\",\"status\":\"DISABLED\"}],"
                             "\"tags\":{\"team\":\"ir\"}}"),
                     200);
    p = strstr(a_body, "\"detectorId\":\"");
    assert_non_null(p);
    snprintf(id, sizeof(id), "%.32s", p + 14);
    assert_int_equal((int)strspn(id, "0123456789abcdef"), 32);
    snprintf(path, sizeof(path), "/detector/%s", id);
    assert_int_equal(call_in("eu-west-1", "GET", path, NULL, NULL), 200);
    assert_non_null(strstr(a_body, "\"status\":\"DISABLED\""));
    assert_non_null(strstr(a_body, "\"s3Logs\":{\"status\":\"DISABLED\"}"));
    assert_non_null(strstr(a_body, "\"tags\":{\"team\":\"ir\"}"));
    /* A retry with the same clientToken gets the same detector; another token does not. */
    {
        const char *body = "{\"enable\":true,\"clientToken\":\"retry-1\"}";
        char first[64];
        assert_int_equal(call_in("ap-south-1", "POST", "/detector", NULL, body), 200);
        snprintf(first, sizeof(first), "%s", a_body);
        assert_int_equal(call_in("ap-south-1", "POST", "/detector", NULL, body), 200);
        assert_string_equal(a_body, first);
        call_in("ap-south-1", "POST", "/detector", NULL,
                "{\"enable\":true,\"clientToken\":\"retry-2\"}");
        bad_request_has("a detector already exists");
        call_in("ap-south-1", "POST", "/detector", NULL, "{\"enable\":true}");
        bad_request_has("a detector already exists");
    }
    /* us-east-1's list still has only its own. */
    assert_int_equal(call("GET", "/detector", NULL, NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[\"" A_DET "\"]}");
}

static void test_update_and_delete(void **state)
{
    enum cm_publish_freq f;
    (void)state;

    assert_int_equal(call("POST", A_DET_PATH, NULL,
                          "{\"findingPublishingFrequency\":\"ONE_HOUR\",\"dataSources\":"
                          "{\"s3Logs\":{\"enable\":false}}}"),
                     200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(cm_store_publish_freq(a_st, &f), 0);
    assert_int_equal(f, CM_PUBLISH_ONE_HOUR);
    assert_int_equal(call("GET", A_DET_PATH, NULL, NULL), 200);
    assert_non_null(strstr(a_body, "\"findingPublishingFrequency\":\"ONE_HOUR\""));
    assert_non_null(strstr(a_body, "\"s3Logs\":{\"status\":\"DISABLED\"}"));
    assert_non_null(strstr(a_body, "\"status\":\"ENABLED\""));
    assert_non_null(strstr(a_body, "\"updatedAt\":\"2026-01-01T01:00:00.000Z\""));
    assert_int_equal(call("POST", A_DET_PATH, NULL, "{\"enable\":false}"), 200);
    assert_int_equal(call("GET", A_DET_PATH, NULL, NULL), 200);
    assert_non_null(strstr(a_body, "\"status\":\"DISABLED\""));
    call("POST", A_DET_PATH, NULL, "{\"enable\":1}");
    bad_request_has("enable: must be a boolean (byte 10)");
    call("POST", A_DET_PATH, NULL, "{\"dataSources\":{\"s3Logs\":{}}}");
    bad_request_has("enable: is required (byte 25)");

    assert_int_equal(call("DELETE", A_DET_PATH, NULL, NULL), 200);
    assert_int_equal(call("GET", A_DET_PATH, NULL, NULL), 400);
    assert_int_equal(call("GET", "/detector", NULL, NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[]}");
    /* Now one may be created again. */
    assert_int_equal(call("POST", "/detector", NULL, "{\"enable\":true}"), 200);
}

struct ids {
    char v[8][40];
    size_t n;
};

static int collect(void *ud, const struct cm_store_detector *d)
{
    struct ids *g = ud;
    if (g->n < 8) {
        snprintf(g->v[g->n++], sizeof(g->v[0]), "%s", d->id);
    }
    return 0;
}

static void test_list_pages(void **state)
{
    (void)state;

    /* A second detector of the account in the same region cannot be made through the API;
     * the store holds what another tool put there, and the list pages through it. */
    {
        struct cm_store_detector d = {"00000000000000000000000000000001",
                                      A_ACCOUNT,
                                      "other",
                                      true,
                                      "{}",
                                      "{}",
                                      A_NOW,
                                      A_NOW,
                                      NULL};
        char err[256];
        assert_int_equal(cm_store_detector_create(a_st, &d, err, sizeof(err)), 0);
        assert_int_equal(cm_store_detector_create(a_st, &d, err, sizeof(err)), CM_EEXIST);
        assert_non_null(strstr(err, "already exists"));
    }
    assert_int_equal(call_in("other", "GET", "/detector", "maxResults=1", NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[\"00000000000000000000000000000001\"]}");
    assert_int_equal(call("GET", "/detector", "maxResults=1", NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[\"" A_DET "\"]}");
    {
        struct cm_store_detector d = {"ffffffffffffffffffffffffffffffff",
                                      A_ACCOUNT,
                                      A_REGION,
                                      true,
                                      "{}",
                                      "{}",
                                      A_NOW,
                                      A_NOW,
                                      NULL};
        char err[256];
        /* (account, region) is unique: refused. */
        assert_int_equal(cm_store_detector_create(a_st, &d, err, sizeof(err)), CM_EEXIST);
        d.account = "210987654321";
        assert_int_equal(cm_store_detector_create(a_st, &d, err, sizeof(err)), 0);
    }
    /* Pages of the account's own: a token, then the end. */
    a_ctx.account = "210987654321";
    assert_int_equal(call("GET", "/detector", "maxResults=1", NULL), 200);
    assert_string_equal(a_body, "{\"detectorIds\":[\"ffffffffffffffffffffffffffffffff\"]}");
    a_ctx.account = A_ACCOUNT;
    /* The store's listing pages by id across regions. */
    {
        struct ids got = {.n = 0};
        char err[256];
        assert_int_equal(
            cm_store_detectors(a_st, A_ACCOUNT, NULL, NULL, 1, collect, &got, err, sizeof(err)), 0);
        assert_int_equal(got.n, 1);
        assert_string_equal(got.v[0], "00000000000000000000000000000001");
        assert_int_equal(
            cm_store_detectors(a_st, A_ACCOUNT, NULL, got.v[0], 0, collect, &got, err, sizeof(err)),
            0);
        assert_int_equal(got.n, 2);
        assert_string_equal(got.v[1], A_DET);
        assert_int_equal(
            cm_store_detectors(a_st, NULL, NULL, NULL, 0, collect, &got, err, sizeof(err)), 0);
        assert_int_equal(got.n, 5);
    }
    /* maxResults out of range or not a number. */
    call("GET", "/detector", "maxResults=0", NULL);
    bad_request_has("maxResults: must be an integer from 1 to 50");
    call("GET", "/detector", "maxResults=51", NULL);
    bad_request_has("maxResults");
    call("GET", "/detector", "maxResults=x", NULL);
    bad_request_has("maxResults");
}

static void test_router_errors(void **state)
{
    (void)state;
    assert_int_equal(call("GET", "/nothing", NULL, NULL), 404);
    assert_string_equal(a_type, "ResourceNotFoundException");
    assert_int_equal(call("PUT", "/detector", NULL, NULL), 405);
    assert_int_equal(call("GET", "/detector/a%00b", NULL, NULL), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_and_get_default, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_detector, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_create, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_update_and_delete, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_list_pages, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_router_errors, a_setup, a_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
