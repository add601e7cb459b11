/*
 * Signing S3 requests (src/aws/s3_sign.c): the signatures of AWS's S3 SigV4
 * examples ("Signature Calculations for the Authorization Header: Transferring
 * Payload in a Single Chunk", AKIAIOSFODNN7EXAMPLE at 20130524T000000Z in
 * us-east-1): GetObject with a Range, ListObjects; and the session token signed
 * as x-amz-security-token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "aws/s3_sign.h"
#include "base/err.h"

#define HOST "examplebucket.s3.amazonaws.com"

static const struct cm_s3_signer aws = {
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL, "us-east-1", "s3"};

static void test_get_object(void **state)
{
    struct cm_s3_req r = {
        .method = "GET",
        .key = "test.txt",
        .headers = {{"host", HOST}, {"range", "bytes=0-9"}},
        .nheaders = 2,
    };
    struct cm_s3_signed out;

    (void)state;
    assert_int_equal(cm_s3_sign(&r, &aws, "20130524T000000Z", &out), 0);
    assert_string_equal(
        out.authz, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                   "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                   "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assert_int_equal(r.nheaders, 4);
}

static void test_list_objects(void **state)
{
    struct cm_s3_req r = {
        .method = "GET",
        .params = {{"max-keys", "2"}, {"prefix", "J"}},
        .nparams = 2,
        .headers = {{"host", HOST}},
        .nheaders = 1,
    };
    struct cm_s3_signed out;

    (void)state;
    assert_int_equal(cm_s3_sign(&r, &aws, "20130524T000000Z", &out), 0);
    assert_non_null(strstr(out.authz, "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670"
                                      "ed5711ef69dc6f7"));
}

static void test_token_and_limits(void **state)
{
    struct cm_s3_signer s = aws;
    struct cm_s3_req r = {.method = "GET", .key = "k", .headers = {{"host", HOST}}, .nheaders = 1};
    struct cm_s3_signed out;

    (void)state;
    s.token = "session-token";
    assert_int_equal(cm_s3_sign(&r, &s, "20130524T000000Z", &out), 0);
    assert_non_null(strstr(
        out.authz, "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"));
    assert_null(strstr(out.authz, "session-token"));
    assert_null(strstr(out.authz, aws.secret));
    r.nheaders = CM_S3_MAX_HEADERS - 2;
    assert_int_equal(cm_s3_sign(&r, &s, "20130524T000000Z", &out), CM_EINVAL);
    r.nheaders = 1;
    assert_int_equal(cm_s3_sign(&r, &s, "2013", &out), CM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_object),
        cmocka_unit_test(test_list_objects),
        cmocka_unit_test(test_token_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
