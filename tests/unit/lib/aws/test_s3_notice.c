/*
 * The object deliveries of an SQS message (lib/aws/s3_notice.c): S3's event notification
 * (URL-encoded keys, several records, records of other events), the same through SNS,
 * CloudTrail's notification raw and through SNS, EventBridge's Object Created (keys as
 * they are) and its other events, S3's test message; and what is refused with why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "aws/s3_notice.h"
#include "base/err.h"

static int parse(const char *body, struct cm_s3_notice *n, char *why)
{
    return cm_s3_notice_parse(body, strlen(body), n, why, 300);
}

#define S3_RECORD(name, key)                                                                       \
    "{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"eventName\":\"" name "\","             \
    "\"s3\":{\"bucket\":{\"name\":\"trail\"},\"object\":{\"key\":\"" key "\",\"size\":1234,"       \
    "\"eTag\":\"9b2cf535f27731c974343645a3985328\"}}}"

static void test_s3(void **state)
{
    static const char body[] = "{\"Records\":[" S3_RECORD(
        "ObjectCreated:Put",
        "AWSLogs/a+b%2Bc/"
        "%C3%BC%3D.json.gz") "," S3_RECORD("ObjectRemoved:Delete",
                                           "x") "," S3_RECORD("ObjectCreated:"
                                                              "CompleteMultipartUpload",
                                                              "AWSLogs%2Fy.json.gz") "]}";
    struct cm_s3_notice n;
    char why[300] = "";

    (void)state;
    assert_int_equal(parse(body, &n, why), 0);
    assert_int_equal(n.kind, CM_S3_NOTICE_OBJECTS);
    assert_string_equal(n.form, "S3");
    assert_int_equal(n.n, 2);
    assert_int_equal(n.other, 1);
    assert_string_equal(n.v[0].bucket, "trail");
    assert_string_equal(n.v[0].key, "AWSLogs/a b+c/\xc3\xbc=.json.gz");
    assert_true(n.v[0].has_size);
    assert_int_equal(n.v[0].size, 1234);
    assert_string_equal(n.v[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
    assert_string_equal(n.v[1].key, "AWSLogs/y.json.gz");
    cm_s3_notice_finish(&n);
}

static void test_sns(void **state)
{
    static const char body[] =
        "{\"Type\":\"Notification\",\"MessageId\":\"m\",\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\","
        "\"Message\":\"{\\\"Records\\\":[{\\\"eventSource\\\":\\\"aws:s3\\\",\\\"eventName\\\":"
        "\\\"ObjectCreated:Put\\\",\\\"s3\\\":{\\\"bucket\\\":{\\\"name\\\":\\\"b\\\"},"
        "\\\"object\\\":{\\\"key\\\":\\\"k+1\\\",\\\"size\\\":5}}}]}\"}";
    static const char ct[] =
        "{\"Type\":\"Notification\",\"Message\":\"{\\\"s3Bucket\\\":\\\"trail\\\","
        "\\\"s3ObjectKey\\\":[\\\"AWSLogs/1/CloudTrail/a b.json.gz\\\",\\\"c\\\"]}\"}";
    struct cm_s3_notice n;
    char why[300] = "";

    (void)state;
    assert_int_equal(parse(body, &n, why), 0);
    assert_string_equal(n.form, "SNS+S3");
    assert_int_equal(n.n, 1);
    assert_string_equal(n.v[0].bucket, "b");
    assert_string_equal(n.v[0].key, "k 1");
    assert_int_equal(n.v[0].size, 5);
    assert_string_equal(n.v[0].etag, "");
    cm_s3_notice_finish(&n);

    assert_int_equal(parse(ct, &n, why), 0);
    assert_string_equal(n.form, "SNS+CloudTrail");
    assert_int_equal(n.n, 2);
    assert_string_equal(n.v[0].key, "AWSLogs/1/CloudTrail/a b.json.gz"); /* not decoded */
    assert_false(n.v[0].has_size);
    assert_string_equal(n.v[1].key, "c");
    cm_s3_notice_finish(&n);
}

static void test_cloudtrail_eventbridge_test(void **state)
{
    static const char ct[] = "{\"s3Bucket\":\"trail\",\"s3ObjectKey\":[\"a+b%20\"]}";
    static const char eb[] =
        "{\"version\":\"0\",\"detail-type\":\"Object Created\",\"source\":\"aws.s3\","
        "\"detail\":{\"bucket\":{\"name\":\"trail\"},\"object\":{\"key\":\"raw/2023:40.zip\","
        "\"size\":198,\"etag\":\"4af9-12\"}}}";
    static const char eb_del[] =
        "{\"detail-type\":\"Object Deleted\",\"source\":\"aws.s3\","
        "\"detail\":{\"bucket\":{\"name\":\"t\"},\"object\":{\"key\":\"k\"}}}";
    static const char test[] =
        "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":\"x\",\"Bucket\":\"t\"}";
    struct cm_s3_notice n;
    char why[300] = "";

    (void)state;
    assert_int_equal(parse(ct, &n, why), 0);
    assert_string_equal(n.form, "CloudTrail");
    assert_string_equal(n.v[0].key, "a+b%20");
    cm_s3_notice_finish(&n);

    assert_int_equal(parse(eb, &n, why), 0);
    assert_string_equal(n.form, "EventBridge");
    assert_int_equal(n.n, 1);
    assert_string_equal(n.v[0].key, "raw/2023:40.zip");
    assert_int_equal(n.v[0].size, 198);
    assert_string_equal(n.v[0].etag, "\"4af9-12\"");
    cm_s3_notice_finish(&n);

    assert_int_equal(parse(eb_del, &n, why), 0);
    assert_int_equal(n.n, 0);
    assert_int_equal(n.other, 1);
    cm_s3_notice_finish(&n);

    assert_int_equal(parse(test, &n, why), 0);
    assert_int_equal(n.kind, CM_S3_NOTICE_TEST);
    assert_int_equal(n.n, 0);
    cm_s3_notice_finish(&n);
}

static void test_refused(void **state)
{
    static const struct {
        const char *body, *why;
    } bad[] = {
        {"hello", "byte 0"},
        {"[1]", "not a JSON object"},
        {"{\"a\":1}", "not an S3 event notification"},
        {"{\"Records\":{}}", "Records is not an array"},
        {"{\"Records\":[{\"eventSource\":\"aws:s3\"}]}", "Records[0]: no eventName"},
        {"{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"}}}]"
         "}",
         "Records[0]: s3.object.key"},
        {"{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},"
         "\"object\":{\"key\":\"a%2\"}}}]}",
         "bad %-escape"},
        {"{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},"
         "\"object\":{\"key\":\"a%00\"}}}]}",
         "NUL"},
        {"{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},"
         "\"object\":{\"key\":\"a\",\"size\":-1}}}]}",
         "size is not a size"},
        {"{\"Records\":[{\"eventSource\":\"aws:sqs\",\"eventName\":\"x\"}]}", "not aws:s3"},
        {"{\"Type\":\"Notification\",\"Message\":3}", "Message is not a string"},
        {"{\"Type\":\"Notification\",\"Message\":\"nope\"}", "SNS Message: byte 0"},
        {"{\"s3Bucket\":\"b\",\"s3ObjectKey\":\"k\"}", "s3ObjectKey is not an array"},
        {"{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\"\"]}", "empty key"},
        {"{\"s3Bucket\":\"b\",\"s3ObjectKey\":[\"a\\u0000b\"]}", "s3ObjectKey[0]"},
        {"{\"source\":\"aws.s3\",\"detail-type\":\"Object Created\",\"detail\":{}}",
         "detail.bucket.name"},
    };
    struct cm_s3_notice n;
    char why[300];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why[0] = '\0';
        assert_int_equal(parse(bad[i].body, &n, why), CM_ESYNTAX);
        if (strstr(why, bad[i].why) == NULL) {
            fail_msg("%s: '%s' does not say '%s'", bad[i].body, why, bad[i].why);
        }
        assert_int_equal(n.n, 0);
    }
}

static void test_unescape(void **state)
{
    char out[32];

    (void)state;
    assert_int_equal(cm_s3_notice_unescape("a+b%41%7e", 9, out), 5);
    assert_string_equal(out, "a bA~");
    assert_int_equal(cm_s3_notice_unescape("%4", 2, out), -1);
    assert_int_equal(cm_s3_notice_unescape("%zz", 3, out), -1);
    assert_int_equal(cm_s3_notice_unescape("%00", 3, out), -1);
    assert_int_equal(cm_s3_notice_unescape("", 0, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s3),
        cmocka_unit_test(test_sns),
        cmocka_unit_test(test_cloudtrail_eventbridge_test),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_unescape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
