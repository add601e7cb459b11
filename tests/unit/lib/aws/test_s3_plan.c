/*
 * What a watch of an S3 location lists at each poll (lib/aws/s3_plan.c): AWS's delivery
 * layouts (CloudTrail, an organization trail, VPC flow logs, Resolver query logs) are
 * descended to their dated streams and each stream is listed from the day before its
 * newest; digests are never listed; other layouts are listed whole. The day of a key, the
 * StartAfter across month, year and leap-day boundaries, and which keys are inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "aws/s3_plan.h"

static enum cm_s3_plan plan(const char *folder, size_t *root)
{
    return cm_s3_plan_folder(folder, root);
}

static void test_aws_layouts(void **state)
{
    size_t root;

    (void)state;
    /* above the streams: descended with the delimiter */
    assert_int_equal(plan("", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/111122223333/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/111122223333/CloudTrail/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/111122223333/vpcflowlogs/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/111122223333/vpcdnsquerylogs/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("trails/prod/AWSLogs/111122223333/", &root), CM_S3_PLAN_DESCEND);
    /* a stream: its root is the region's (or VPC's) folder */
    assert_int_equal(plan("AWSLogs/111122223333/CloudTrail/us-east-1/", &root), CM_S3_PLAN_STREAM);
    assert_int_equal(root, strlen("AWSLogs/111122223333/CloudTrail/us-east-1/"));
    assert_int_equal(plan("p/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d/", &root),
                     CM_S3_PLAN_STREAM);
    assert_int_equal(root, strlen("p/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d/"));
    /* a folder inside a stream: the same stream */
    assert_int_equal(plan("AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/01/", &root),
                     CM_S3_PLAN_STREAM);
    assert_int_equal(root, strlen("AWSLogs/111122223333/vpcflowlogs/eu-west-1/"));
    /* an organization trail: one level more */
    assert_int_equal(plan("AWSLogs/o-abc123def4/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/o-abc123def4/111122223333/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/o-abc123def4/111122223333/CloudTrail/", &root),
                     CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("AWSLogs/o-abc123def4/111122223333/CloudTrail/ap-south-1/", &root),
                     CM_S3_PLAN_STREAM);
    assert_int_equal(root, strlen("AWSLogs/o-abc123def4/111122223333/CloudTrail/ap-south-1/"));
    /* digests: never listed */
    assert_int_equal(plan("AWSLogs/111122223333/CloudTrail-Digest/", &root), CM_S3_PLAN_SKIP);
    assert_int_equal(plan("AWSLogs/o-abc123def4/111122223333/CloudTrail-Digest/", &root),
                     CM_S3_PLAN_SKIP);
}

static void test_other_layouts_listed_whole(void **state)
{
    size_t root = 99;

    (void)state;
    /* a prefix that is no folder */
    assert_int_equal(plan("AWSLogs/1111", &root), CM_S3_PLAN_FULL);
    assert_int_equal(root, 0);
    /* another service under AWSLogs/ (ELB, S3 access logs, ...) */
    assert_int_equal(plan("AWSLogs/111122223333/elasticloadbalancing/", &root), CM_S3_PLAN_FULL);
    assert_int_equal(plan("AWSLogs/111122223333/elasticloadbalancing/us-east-1/", &root),
                     CM_S3_PLAN_FULL);
    /* deep folders with no AWSLogs/: listed whole from the third level down */
    assert_int_equal(plan("firehose/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("firehose/2026/", &root), CM_S3_PLAN_DESCEND);
    assert_int_equal(plan("firehose/2026/01/", &root), CM_S3_PLAN_FULL);
    /* empty parts: no layout of AWS's, listed whole */
    assert_int_equal(plan("AWSLogs//CloudTrail//", &root), CM_S3_PLAN_FULL);
}

static void test_day_of_key(void **state)
{
    const char *root = "AWSLogs/1/CloudTrail/us-east-1/";
    size_t n = strlen(root);

    (void)state;
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/2026/01/05/x.json.gz", n),
                     20260105);
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/2024/02/29/x", n), 20240229);
    /* not a date: 0 */
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/2025/02/29/x", n), 0);
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/2026/13/01/x", n), 0);
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/2026/1/05/x", n), 0);
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/2026/01/05", n), 0);
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/x.json", n), 0);
    assert_int_equal(cm_s3_plan_day("short", n), 0);
    assert_int_equal(cm_s3_plan_day("AWSLogs/1/CloudTrail/us-east-1/20a6/01/05/x", n), 0);
}

static void test_start_after(void **state)
{
    const char *root = "AWSLogs/1/CloudTrail/us-east-1/";
    size_t n = strlen(root);
    char out[128], tiny[16];

    (void)state;
    assert_int_equal(cm_s3_plan_start_after(root, n, 20260105, out, sizeof(out)), 0);
    assert_string_equal(out, "AWSLogs/1/CloudTrail/us-east-1/2026/01/04");
    /* the keys of the day before sort after it, those of two days before before it */
    assert_true(strcmp("AWSLogs/1/CloudTrail/us-east-1/2026/01/04/a.json.gz", out) > 0);
    assert_true(strcmp("AWSLogs/1/CloudTrail/us-east-1/2026/01/03/z.json.gz", out) < 0);
    assert_int_equal(cm_s3_plan_start_after(root, n, 20260301, out, sizeof(out)), 0);
    assert_string_equal(out, "AWSLogs/1/CloudTrail/us-east-1/2026/02/28");
    assert_int_equal(cm_s3_plan_start_after(root, n, 20240301, out, sizeof(out)), 0);
    assert_string_equal(out, "AWSLogs/1/CloudTrail/us-east-1/2024/02/29");
    assert_int_equal(cm_s3_plan_start_after(root, n, 20260101, out, sizeof(out)), 0);
    assert_string_equal(out, "AWSLogs/1/CloudTrail/us-east-1/2025/12/31");
    assert_int_equal(cm_s3_plan_start_after(root, n, 20260501, out, sizeof(out)), 0);
    assert_string_equal(out, "AWSLogs/1/CloudTrail/us-east-1/2026/04/30");
    assert_int_equal(cm_s3_plan_start_after(root, n, 19700101, out, sizeof(out)), 0);
    assert_string_equal(out, "AWSLogs/1/CloudTrail/us-east-1/1970/01/01");
    /* refused: not a date, or no room */
    assert_int_equal(cm_s3_plan_start_after(root, n, 20260230, out, sizeof(out)), -1);
    assert_int_equal(cm_s3_plan_start_after(root, n, 0, out, sizeof(out)), -1);
    assert_int_equal(cm_s3_plan_start_after(root, n, 20260105, tiny, sizeof(tiny)), -1);
}

static void test_inputs(void **state)
{
    (void)state;
    assert_true(cm_s3_plan_is_input("AWSLogs/", "AWSLogs/1/CloudTrail/r/2026/01/05/a.json.gz"));
    /* folder markers, keys outside the prefix */
    assert_false(cm_s3_plan_is_input("AWSLogs/", "AWSLogs/1/CloudTrail/"));
    assert_false(cm_s3_plan_is_input("AWSLogs/", "other/a.json.gz"));
    assert_false(cm_s3_plan_is_input("AWSLogs/", ""));
    /* hidden parts below the prefix's last '/' */
    assert_false(cm_s3_plan_is_input("AWSLogs/", "AWSLogs/.tmp/a.json.gz"));
    assert_false(cm_s3_plan_is_input("AWSLogs/", "AWSLogs/1/.a.json.gz"));
    assert_true(cm_s3_plan_is_input(".logs/", ".logs/a.json.gz")); /* the prefix's own */
    assert_true(cm_s3_plan_is_input("AWSLogs/1", "AWSLogs/1111/a.json.gz"));
    assert_false(cm_s3_plan_is_input("AWSLogs/1", "AWSLogs/.1/a.json.gz"));
    /* digests */
    assert_false(cm_s3_plan_is_input("", "AWSLogs/1/CloudTrail-Digest/r/2026/01/05/d.json.gz"));
    assert_true(cm_s3_plan_is_input("", "AWSLogs/1/CloudTrail-Digest.json.gz"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws_layouts), cmocka_unit_test(test_other_layouts_listed_whole),
        cmocka_unit_test(test_day_of_key),  cmocka_unit_test(test_start_after),
        cmocka_unit_test(test_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
