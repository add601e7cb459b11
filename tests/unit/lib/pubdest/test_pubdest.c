/*
 * Destination ARNs and object keys of the S3 export (lib/pubdest/pubdest.c): the forms
 * GuardDuty takes, what is refused and why, and the key layout of spec §3.4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "base/time.h"
#include "pubdest/pubdest.h"

static void test_arn_forms(void **state)
{
    struct cm_pubdest_arn a;
    char why[200] = "";

    (void)state;
    assert_int_equal(cm_pubdest_arn_parse("arn:aws:s3:::my-bucket", &a, why, sizeof(why)), 0);
    assert_string_equal(a.partition, "aws");
    assert_string_equal(a.bucket, "my-bucket");
    assert_string_equal(a.prefix, "");
    /* The model's example: a folder with a trailing '/'. */
    assert_int_equal(cm_pubdest_arn_parse("arn:aws:s3:::doc-example/myFolder/", &a, why, 200), 0);
    assert_string_equal(a.bucket, "doc-example");
    assert_string_equal(a.prefix, "myFolder");
    assert_int_equal(cm_pubdest_arn_parse("arn:aws-cn:s3:::b.c-d/a/b/c", &a, why, 200), 0);
    assert_string_equal(a.partition, "aws-cn");
    assert_string_equal(a.prefix, "a/b/c");
    assert_int_equal(cm_pubdest_arn_parse("arn:aws:s3:::bkt/", &a, why, 200), 0);
    assert_string_equal(a.prefix, "");
}

static void refused(const char *arn, const char *reason)
{
    struct cm_pubdest_arn a;
    char why[200] = "";

    assert_int_equal(cm_pubdest_arn_parse(arn, &a, why, sizeof(why)), CM_EINVAL);
    if (strstr(why, reason) == NULL) {
        fail_msg("%s: '%s' does not say '%s'", arn, why, reason);
    }
}

static void test_arn_refused(void **state)
{
    char big[1100];

    (void)state;
    refused("s3://bucket", "S3 bucket ARN");
    refused("arn:aws:sqs:::bucket", "S3 bucket ARN");
    refused("arn:aws:s3:us-east-1:123456789012:bucket", "S3 bucket ARN");
    refused("arn::s3:::bucket", "partition");
    refused("arn:aws:s3:::ab", "3 to 63");
    refused("arn:aws:s3:::Upper", "lower-case");
    refused("arn:aws:s3:::under_score", "lower-case");
    refused("arn:aws:s3:::-start", "start and end");
    refused("arn:aws:s3:::a..b", "\"..\"");
    refused("arn:aws:s3:::192.168.1.1", "IP address");
    refused("arn:aws:s3:::bucket//x", "empty segment");
    refused("arn:aws:s3:::bucket/a//b", "empty segment");
    refused("arn:aws:s3:::bucket/a\tb", "control");
    refused("arn:aws:s3:::bucket/a|b", "|");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    refused(big, "1024");
    memcpy(big, "arn:aws:s3:::bucket/", 20);
    big[1000] = '\0';
    refused(big, "900");
}

static void test_kms(void **state)
{
    char why[200] = "";

    (void)state;
    assert_int_equal(
        cm_pubdest_kms_check("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef", why,
                             sizeof(why)),
        0);
    assert_int_equal(
        cm_pubdest_kms_check("arn:aws:kms:eu-west-1:123456789012:alias/gd", why, sizeof(why)), 0);
    assert_int_equal(cm_pubdest_kms_check("1234abcd", why, sizeof(why)), CM_EINVAL);
    assert_int_equal(
        cm_pubdest_kms_check("arn:aws:s3:us-east-1:123456789012:key/x", why, sizeof(why)),
        CM_EINVAL);
    assert_int_equal(cm_pubdest_kms_check("arn:aws:kms:us-east-1:1234:key/x", why, sizeof(why)),
                     CM_EINVAL);
    assert_non_null(strstr(why, "12 digits"));
    assert_int_equal(
        cm_pubdest_kms_check("arn:aws:kms:us-east-1:123456789012:key/", why, sizeof(why)),
        CM_EINVAL);
    assert_int_equal(cm_pubdest_kms_check("arn:aws:kms:US:123456789012:key/x", why, sizeof(why)),
                     CM_EINVAL);
    assert_int_equal(
        cm_pubdest_kms_check("arn:aws:kms:us-east-1:123456789012:key/a b", why, sizeof(why)),
        CM_EINVAL);
}

static void test_key(void **state)
{
    struct cm_pubdest_arn a;
    char why[200], key[1100], small[40];
    int64_t ms = cm_days_from_civil(2025, 3, 4) * 86400000 + 23 * 3600000LL + 59 * 60000;

    (void)state;
    assert_int_equal(cm_pubdest_arn_parse("arn:aws:s3:::gd-export/findings/", &a, why, 200), 0);
    assert_int_equal(cm_pubdest_key(&a, "123456789012", "eu-west-1", ms,
                                    "9c7bd999-90ee-4a64-9007-4dc69a15e725", key, sizeof(key)),
                     0);
    assert_string_equal(key, "findings/AWSLogs/123456789012/GuardDuty/eu-west-1/2025/03/04/"
                             "9c7bd999-90ee-4a64-9007-4dc69a15e725.jsonl.gz");
    assert_int_equal(cm_pubdest_arn_parse("arn:aws:s3:::gd-export", &a, why, 200), 0);
    assert_int_equal(cm_pubdest_key(&a, "123456789012", "us-east-1", 0, "u", key, sizeof(key)), 0);
    assert_string_equal(key, "AWSLogs/123456789012/GuardDuty/us-east-1/1970/01/01/u.jsonl.gz");
    assert_int_equal(cm_pubdest_key(&a, "123456789012", "us-east-1", 0, "u", small, sizeof(small)),
                     CM_E2BIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arn_forms),
        cmocka_unit_test(test_arn_refused),
        cmocka_unit_test(test_kms),
        cmocka_unit_test(test_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
