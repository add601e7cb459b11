/*
 * The publishing destination operations (api_pubdest.c) through cm_api_handle():
 * Create's checks (destinationType S3, destinationArn and kmsKeyArn required and of
 * form, errors naming the member), one destination per detector, the clientToken's
 * retry, Describe's members (status PENDING_VERIFICATION, publishingFailureStartTimestamp
 * 0, properties, tags, coalmine's own view), Update (back to PENDING_VERIFICATION, a
 * failure forgotten), List's paging, Delete, and unknown ids and detectors as
 * GuardDuty's 400s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "api_util.h"
#include "store/store_pubdest.h"

#define PD_PATH A_DET_PATH "/publishingDestination"
#define KMS     "arn:aws:kms:us-east-1:123456789012:key/k1"

static const char *create_body(const char *arn, const char *extra)
{
    static char b[2048];

    snprintf(b, sizeof(b),
             "{\"destinationType\":\"S3\",\"destinationProperties\":{\"destinationArn\":\"%s\","
             "\"kmsKeyArn\":\"" KMS "\"}%s}",
             arn, extra);
    return b;
}

static void test_create_checks(void **state)
{
    (void)state;
    assert_int_equal(call("POST", PD_PATH, NULL, "{}"), 400);
    a_error(400, "BadRequestException", "destinationType");
    assert_int_equal(
        call("POST", PD_PATH, NULL, "{\"destinationType\":\"SQS\",\"destinationProperties\":{}}"),
        400);
    a_error(400, "BadRequestException", "destinationType");
    assert_int_equal(call("POST", PD_PATH, NULL, "{\"destinationType\":\"S3\"}"), 400);
    a_error(400, "BadRequestException", "destinationProperties");
    assert_int_equal(call("POST", PD_PATH, NULL,
                          "{\"destinationType\":\"S3\",\"destinationProperties\":"
                          "{\"destinationArn\":\"arn:aws:s3:::b-1\"}}"),
                     400);
    a_error(400, "BadRequestException", "kmsKeyArn");
    assert_int_equal(call("POST", PD_PATH, NULL, create_body("arn:aws:s3:::Bad_Name", "")), 400);
    a_error(400, "BadRequestException", "destinationProperties.destinationArn");
    assert_int_equal(call("POST", PD_PATH, NULL,
                          "{\"destinationType\":\"S3\",\"destinationProperties\":"
                          "{\"destinationArn\":\"arn:aws:s3:::b-1\",\"kmsKeyArn\":\"k\"}}"),
                     400);
    a_error(400, "BadRequestException", "destinationProperties.kmsKeyArn");
    /* Another account's detector. */
    assert_int_equal(call("POST",
                          "/detector/00000000000000000000000000000009/publishingDestination", NULL,
                          create_body("arn:aws:s3:::b-1", "")),
                     400);
    assert_string_equal(a_type, "BadRequestException");
    assert_int_equal(cm_store_pubdest_count(a_st), 0);
}

static void test_lifecycle(void **state)
{
    char id[64], path[256];

    (void)state;
    assert_int_equal(call("POST", PD_PATH, NULL,
                          create_body("arn:aws:s3:::gd-export/pre/",
                                      ",\"clientToken\":\"t1\",\"tags\":{\"team\":\"soc\"}")),
                     200);
    snprintf(id, sizeof(id), "%s", a_str("destinationId"));
    assert_int_equal(strlen(id), 32);
    /* The same token: the same destination. */
    assert_int_equal(call("POST", PD_PATH, NULL,
                          create_body("arn:aws:s3:::gd-export/pre/", ",\"clientToken\":\"t1\"")),
                     200);
    assert_string_equal(a_str("destinationId"), id);
    /* Another: one per detector. */
    assert_int_equal(call("POST", PD_PATH, NULL, create_body("arn:aws:s3:::other", "")), 400);
    a_error(400, "BadRequestException", "at most one");
    snprintf(path, sizeof(path), PD_PATH "/%s", id);
    assert_int_equal(call("GET", path, NULL, NULL), 200);
    assert_string_equal(a_str("destinationId"), id);
    assert_string_equal(a_str("destinationType"), "S3");
    assert_string_equal(a_str("status"), "PENDING_VERIFICATION");
    assert_non_null(strstr(a_body, "\"publishingFailureStartTimestamp\":0"));
    assert_string_equal(a_str("destinationProperties.destinationArn"),
                        "arn:aws:s3:::gd-export/pre/");
    assert_string_equal(a_str("destinationProperties.kmsKeyArn"), KMS);
    assert_string_equal(a_str("tags.team"), "soc");
    assert_non_null(strstr(a_body, "\"exportedFindings\":0"));
    /* A failure recorded, then Update: pending again, the failure forgotten. */
    {
        struct cm_store_pubdest_outcome oc = {0};
        char err[256] = "";
        oc.arn = "arn:aws:s3:::gd-export/pre/";
        oc.status = CM_PUBDEST_UNABLE;
        oc.error = "NoSuchBucket: The specified bucket does not exist (HTTP 404)";
        oc.now_ms = A_REQ_NOW;
        assert_int_equal(cm_store_pubdest_record(a_st, id, &oc, NULL, err, sizeof(err)), 0);
    }
    assert_int_equal(call("GET", path, NULL, NULL), 200);
    assert_string_equal(a_str("status"), "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY");
    assert_non_null(strstr(a_body, "\"publishingFailureStartTimestamp\":1767229200000"));
    assert_non_null(strstr(a_str("coalmine.lastError"), "NoSuchBucket"));
    assert_int_equal(call("POST", path, NULL,
                          "{\"destinationProperties\":{\"destinationArn\":\"arn:aws:s3:::bb2\"}}"),
                     200);
    assert_string_equal(a_body, "{}");
    assert_int_equal(call("GET", path, NULL, NULL), 200);
    assert_string_equal(a_str("status"), "PENDING_VERIFICATION");
    assert_string_equal(a_str("destinationProperties.destinationArn"), "arn:aws:s3:::bb2");
    assert_string_equal(a_str("destinationProperties.kmsKeyArn"), KMS);
    assert_non_null(strstr(a_body, "\"publishingFailureStartTimestamp\":0"));
    assert_int_equal(call("POST", path, NULL,
                          "{\"destinationProperties\":{\"destinationArn\":\"arn:aws:s3:::x//\"}}"),
                     400);
    a_error(400, "BadRequestException", "destinationArn");
    /* List. */
    assert_int_equal(call("GET", PD_PATH, "maxResults=1", NULL), 200);
    assert_int_equal(a_count("destinations"), 1);
    {
        char want[200];
        snprintf(want, sizeof(want),
                 "{\"destinations\":[{\"destinationId\":\"%s\",\"destinationType\":\"S3\","
                 "\"status\":\"PENDING_VERIFICATION\"}]}",
                 id);
        assert_string_equal(a_body, want);
    }
    assert_string_equal(a_str("nextToken"), "");
    assert_int_equal(call("GET", PD_PATH, "maxResults=0", NULL), 400);
    /* Delete, then every operation on it is GuardDuty's 400. */
    assert_int_equal(call("DELETE", path, NULL, NULL), 200);
    assert_int_equal(call("GET", path, NULL, NULL), 400);
    a_error(400, "BadRequestException", "no such resource");
    assert_int_equal(call("DELETE", path, NULL, NULL), 400);
    assert_int_equal(call("POST", path, NULL, "{}"), 400);
    assert_int_equal(call("GET", PD_PATH, NULL, NULL), 200);
    assert_int_equal(a_count("destinations"), 0);
    /* Deleted: a new one may be made. */
    assert_int_equal(call("POST", PD_PATH, NULL, create_body("arn:aws:s3:::bb3", "")), 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_checks, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, a_setup, a_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
