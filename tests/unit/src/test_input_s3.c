/*
 * S3 locations as scan inputs (src/source/input_s3.c, through input.c) against a
 * scripted S3 on 127.0.0.1: objects become inputs as a walk's files do (ordered by
 * the time in their key, hidden entries left out and counted once per entry,
 * digests kept last to be skipped, folder markers not inputs, a copy with the same
 * name, size and ETag left out, an object listed under two paths given once), and a
 * listing that fails names the location and S3's reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_config.h"
#include "aws/s3.h"
#include "base/err.h"
#include "source/input.h"
#include "source/input_s3.h"
#include "aws/fake_http.h"

#define K1           "logs/AWSLogs/1/CloudTrail/r/2026/01/05/1_CloudTrail_r_20260105T0100Z_a.json.gz"
#define K0           "logs/AWSLogs/1/CloudTrail/r/2026/01/05/1_CloudTrail_r_20260105T0000Z_b.json.gz"
#define KC           "logs/copy/1_CloudTrail_r_20260105T0100Z_a.json.gz"
#define OBJ(k, n, e) "<Contents><Key>" k "</Key><Size>" #n "</Size><ETag>" e "</ETag></Contents>"

static const char page[] = "<ListBucketResult><IsTruncated>false</IsTruncated>" OBJ(".top", 1, "t")
    OBJ("logs/.hidden/x", 1, "h1") OBJ("logs/.hidden/y", 1, "h2") OBJ("logs/a/.DS_Store", 1, "h3")
        OBJ("logs/CloudTrail-Digest/d.json.gz", 5, "d") OBJ(K1, 10, "&quot;e1&quot;")
            OBJ(K0, 12, "&quot;e0&quot;") OBJ("logs/folder/", 0, "f")
                OBJ(KC, 10, "&quot;e1&quot;") "</ListBucketResult>";

static struct cm_s3 *client(int port)
{
    struct cm_s3 *s3;
    char ep[64], err[600];
    struct cm_aws_opts o = {"us-east-1", ep, NULL};

    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/c", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c", 1);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", port);
    if (cm_s3_open(&s3, &o, err, sizeof(err)) != 0) {
        fail_msg("open: %s", err);
    }
    cm_s3_set_backoff_scale(s3, 0, 1);
    return s3;
}

/* A key with a NUL byte is an input noted as skipped (its reason), the others kept. */
static void test_nul_key(void **state)
{
    struct server srv = {.nsteps = 1};
    struct cm_s3 *s3;
    struct cm_inputs in;
    struct cm_inputs_opts o = {0};
    char *paths[] = {"s3://bucket/logs/"}, err[400] = "";

    (void)state;
    srv.steps[0] = (struct step){
        200, NULL,
        "<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
        "<Contents><Key>logs/a%00.json.gz</Key><Size>3</Size><ETag>&quot;n&quot;</ETag>"
        "</Contents><Contents><Key>logs/b.json.gz</Key><Size>4</Size><ETag>&quot;b&quot;"
        "</ETag></Contents></ListBucketResult>"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &o.s3), 0);
    assert_int_equal(cm_inputs_collect_opts(&in, paths, 1, &o, err, sizeof(err)), 0);
    assert_int_equal(in.n, 2);
    for (size_t i = 0; i < in.n; i++) {
        if (strcmp(in.v[i].path, "s3://bucket/logs/a%00.json.gz") == 0) {
            assert_string_equal(in.v[i].skip_as, "an S3 key with a NUL byte");
        } else {
            assert_string_equal(in.v[i].path, "s3://bucket/logs/b.json.gz");
            assert_null(in.v[i].skip_as);
        }
    }
    cm_inputs_free(&in);
    cm_s3_conn_destroy(o.s3);
    cm_s3_close(s3);
    server_stop(&srv);
}

static void test_walk_like(void **state)
{
    struct server srv = {.nsteps = 2};
    struct cm_s3 *s3;
    struct cm_inputs in;
    struct cm_inputs_opts o = {NULL, NULL, NULL, 0};
    char *paths[] = {"s3://bucket/logs/", "s3://bucket/logs/AWSLogs/"}, err[400] = "";
    struct cm_file_id a, b;

    (void)state;
    srv.steps[0] = (struct step){200, NULL, page};
    srv.steps[1] = (struct step){200, NULL,
                                 "<ListBucketResult><IsTruncated>false</IsTruncated>" OBJ(
                                     K1, 10, "&quot;e1&quot;") "</ListBucketResult>"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &o.s3), 0);
    assert_int_equal(cm_inputs_collect_opts(&in, paths, 2, &o, err, sizeof(err)), 0);
    assert_non_null(strstr(fake_req(&srv, 0), "prefix=logs%2F "));
    /* ".top" is not under the prefix (this server ignores it; S3 would not send it). */
    assert_int_equal(in.n, 3);
    assert_int_equal(in.hidden, 2);   /* ".hidden" once, ".DS_Store" */
    assert_int_equal(in.repeated, 2); /* K1 listed again; KC a copy of it */
    assert_string_equal(in.v[0].path, "s3://bucket/" K0);
    assert_string_equal(in.v[1].path, "s3://bucket/" K1);
    assert_true(in.v[0].s3 && in.v[0].named);
    assert_int_equal(in.v[1].size, 10);
    assert_string_equal(in.v[1].etag, "\"e1\"");
    assert_true(in.v[0].key_ms < in.v[1].key_ms);
    assert_null(in.v[0].skip_as);
    assert_string_equal(in.v[2].path, "s3://bucket/logs/CloudTrail-Digest/d.json.gz");
    assert_non_null(in.v[2].skip_as);
    /* The identity --state keeps: location, size and ETag. */
    cm_input_s3_id(&in.v[1], &a);
    cm_input_s3_id(&in.v[0], &b);
    assert_false(a.a == b.a && a.b == b.b);
    free(in.v[1].etag);
    in.v[1].etag = strdup("\"e2\"");
    cm_input_s3_id(&in.v[1], &b);
    assert_false(a.a == b.a && a.b == b.b);
    cm_inputs_free(&in);
    cm_s3_conn_destroy(o.s3);
    cm_s3_close(s3);
    server_stop(&srv);
}

static void test_errors(void **state)
{
    struct server srv = {.nsteps = 1};
    struct cm_s3 *s3;
    struct cm_inputs in;
    struct cm_inputs_opts o = {NULL, NULL, NULL, 0};
    char *paths[] = {"s3://nobucket/x"}, *bad[] = {"s3://b/x"}, err[400] = "";

    (void)state;
    srv.steps[0] = (struct step){404, NULL,
                                 "<Error><Code>NoSuchBucket</Code><Message>The specified bucket "
                                 "does not exist</Message></Error>"};
    server_start(&srv);
    /* No connection: a path that cannot be read. */
    assert_int_equal(cm_inputs_collect_opts(&in, paths, 1, &o, err, sizeof(err)), CM_EIO);
    assert_string_equal(err, "s3://nobucket/x: no S3 client for this scan");
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &o.s3), 0);
    assert_int_equal(cm_inputs_collect_opts(&in, paths, 1, &o, err, sizeof(err)), CM_EIO);
    assert_string_equal(err, "s3://nobucket/x: NoSuchBucket: The specified bucket does not exist "
                             "(HTTP 404)");
    assert_int_equal(in.n, 0);
    assert_int_equal(cm_inputs_collect_opts(&in, bad, 1, &o, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "s3://b/x: a bucket name is 3 to 63"));
    cm_s3_conn_destroy(o.s3);
    cm_s3_close(s3);
    server_stop(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_like),
        cmocka_unit_test(test_nul_key),
        cmocka_unit_test(test_errors),
    };
    int rc;

    unsetenv("AWS_PROFILE");
    unsetenv("AWS_SESSION_TOKEN");
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
