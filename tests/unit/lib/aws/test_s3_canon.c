/*
 * S3 locations, SigV4's URI encoding and S3's canonical request (lib/aws/s3_url.c,
 * s3_canon.c): the canonical requests of AWS's S3 SigV4 examples ("Signature
 * Calculations for the Authorization Header", GetObject with a Range and
 * ListObjects), keys with spaces, unicode, '=', '+' and "//" encoded once with '/'
 * kept (S3's rule, not the other services' double encoding), and query values
 * sorted and encoded with '/' too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "aws/s3_canon.h"
#include "aws/s3_url.h"
#include "base/err.h"

static void test_url(void **state)
{
    struct cm_s3_url u;
    char why[200];

    (void)state;
    assert_true(cm_s3_is_url("s3://b"));
    assert_false(cm_s3_is_url("/s3://b"));
    assert_false(cm_s3_is_url("S3://b"));
    assert_int_equal(cm_s3_url_parse("s3://my-trail.bucket/AWSLogs/1/", &u, why, sizeof(why)), 0);
    assert_int_equal(u.bucket.len, 15);
    assert_memory_equal(u.bucket.p, "my-trail.bucket", 15);
    assert_int_equal(u.prefix.len, 10);
    assert_memory_equal(u.prefix.p, "AWSLogs/1/", 10);
    assert_int_equal(cm_s3_url_parse("s3://abc", &u, why, sizeof(why)), 0);
    assert_int_equal(u.prefix.len, 0);
    assert_int_equal(cm_s3_url_parse("s3://", &u, why, sizeof(why)), CM_EINVAL);
    assert_non_null(strstr(why, "no bucket name"));
    assert_int_equal(cm_s3_url_parse("s3://ab/x", &u, why, sizeof(why)), CM_EINVAL);
    assert_non_null(strstr(why, "3 to 63"));
    assert_int_equal(cm_s3_url_parse("s3://bad!name/x", &u, why, sizeof(why)), CM_EINVAL);
    assert_non_null(strstr(why, "'!'"));
    assert_int_equal(cm_s3_url_parse("s3://-abc/x", &u, why, sizeof(why)), CM_EINVAL);
    assert_int_equal(cm_s3_url_parse("/tmp/x", &u, why, sizeof(why)), CM_EINVAL);
}

static void encoded(const char *in, bool slash, const char *want)
{
    struct cm_buf b;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_aws_uri_encode(&b, in, strlen(in), slash), 0);
    assert_string_equal(b.p ? b.p : "", want);
    cm_buf_finish(&b);
}

static void test_encode(void **state)
{
    (void)state;
    encoded("AWSLogs/a b/\xc3\xbc=x+y&z~._-.gz", true, "AWSLogs/a%20b/%C3%BC%3Dx%2By%26z~._-.gz");
    encoded("a/b c", false, "a%2Fb%20c");
    encoded("", true, "");
    encoded("%41*", true, "%2541%2A");
}

static void canonical_is(struct cm_s3_req *r, const char *want, const char *want_signed)
{
    struct cm_buf c, s;

    cm_buf_init(&c, 0);
    cm_buf_init(&s, 0);
    assert_int_equal(cm_s3_canonical(r, &c, &s), 0);
    assert_string_equal(c.p, want);
    assert_string_equal(s.p, want_signed);
    cm_buf_finish(&c);
    cm_buf_finish(&s);
}

static void test_aws_examples(void **state)
{
    /* AWS's GetObject example (virtual-hosted: no bucket in the path). */
    struct cm_s3_req get = {
        .method = "GET",
        .key = "test.txt",
        .headers = {{"x-amz-date", "20130524T000000Z"},
                    {"range", "bytes=0-9"},
                    {"host", "examplebucket.s3.amazonaws.com"},
                    {"x-amz-content-sha256", CM_S3_EMPTY_SHA256}},
        .nheaders = 4,
    };
    struct cm_s3_req list = {
        .method = "GET",
        .params = {{"prefix", "J"}, {"max-keys", "2"}},
        .nparams = 2,
        .headers = {{"host", "examplebucket.s3.amazonaws.com"},
                    {"x-amz-content-sha256", CM_S3_EMPTY_SHA256},
                    {"x-amz-date", "20130524T000000Z"}},
        .nheaders = 3,
    };

    (void)state;
    canonical_is(&get,
                 "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                 "x-amz-content-sha256:" CM_S3_EMPTY_SHA256 "\nx-amz-date:20130524T000000Z\n\n"
                 "host;range;x-amz-content-sha256;x-amz-date\n" CM_S3_EMPTY_SHA256,
                 "host;range;x-amz-content-sha256;x-amz-date");
    canonical_is(&list,
                 "GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com\n"
                 "x-amz-content-sha256:" CM_S3_EMPTY_SHA256 "\nx-amz-date:20130524T000000Z\n\n"
                 "host;x-amz-content-sha256;x-amz-date\n" CM_S3_EMPTY_SHA256,
                 "host;x-amz-content-sha256;x-amz-date");
}

static void test_path_style_odd_key(void **state)
{
    struct cm_s3_req r = {
        .method = "GET",
        .bucket = "trail",
        .key = "odd//a b/./\xc3\xbc=+.gz",
        .params = {{"continuation-token", "1ue/x+y="}, {"list-type", "2"}, {"flag", NULL}},
        .nparams = 3,
        .headers = {{"host", "127.0.0.1:5000"}, {"if-match", "  \"e t\"   x "}},
        .nheaders = 2,
        .payload_hash = "UNSIGNED-PAYLOAD",
    };
    struct cm_buf p;

    (void)state;
    canonical_is(&r,
                 "GET\n/trail/odd//a%20b/./%C3%BC%3D%2B.gz\n"
                 "continuation-token=1ue%2Fx%2By%3D&flag=&list-type=2\n"
                 "host:127.0.0.1:5000\nif-match:\"e t\" x\n\nhost;if-match\nUNSIGNED-PAYLOAD",
                 "host;if-match");
    cm_buf_init(&p, 0);
    r.key = NULL;
    assert_int_equal(cm_s3_canon_path(&r, &p), 0);
    assert_string_equal(p.p, "/trail");
    cm_buf_finish(&p);
    r.nheaders = CM_S3_MAX_HEADERS + 1;
    {
        struct cm_buf c, s;
        cm_buf_init(&c, 0);
        cm_buf_init(&s, 0);
        assert_int_equal(cm_s3_canonical(&r, &c, &s), CM_EINVAL);
        cm_buf_finish(&c);
        cm_buf_finish(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_aws_examples),
        cmocka_unit_test(test_path_style_odd_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
