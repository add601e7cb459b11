/*
 * SigV4 verification (src/api/sigv4.c): the canonical request and signature
 * of AWS's published test-suite case get-vanilla (its signature is the
 * suite's), cases in the suite's style computed by hand from AWS's rules
 * (query order, relative paths, header values trimmed and repeated), and
 * requests signed by botocore 1.x (SigV4Auth at 2015-08-30T12:36:00Z with
 * AKIDEXAMPLE's secret): a ListFindings POST with a JSON body and an
 * UntagResource DELETE whose ARN path botocore encodes twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/sigv4.h"
#include "base/buf.h"
#include "base/err.h"

#define SECRET   "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define KEY      "AKIDEXAMPLE"
#define AMZ_DATE "20150830T123600Z"
#define NOW_MS   1440938160000LL /* 2015-08-30T12:36:00Z */
#define EMPTY    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const struct cm_sigv4_cred creds[] = {
    {"AKIAOTHEROTHEROTHER1", "other"},
    {KEY, SECRET},
};

static void canonical_is(const struct cm_sigv4_msg *m, const char *signed_headers, const char *want)
{
    struct cm_buf b;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_sigv4_canonical(m, signed_headers, EMPTY, &b), 0);
    assert_string_equal(b.p, want);
    cm_buf_finish(&b);
}

static void test_get_vanilla(void **state)
{
    const struct cm_sigv4_header h[] = {{"Host", "example.amazonaws.com"},
                                        {"X-Amz-Date", AMZ_DATE}};
    const struct cm_sigv4_msg m = {"GET", "/", NULL, h, 2, NULL, 0};
    const char *canon = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                        "host;x-amz-date\n" EMPTY;
    char sig[65];
    (void)state;

    canonical_is(&m, "host;x-amz-date", canon);
    assert_int_equal(cm_sigv4_sign(SECRET, AMZ_DATE, "20150830", "us-east-1", "service", canon,
                                   strlen(canon), sig),
                     0);
    /* aws-sig-v4-test-suite/get-vanilla/get-vanilla.authz */
    assert_string_equal(sig, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

static void test_canonical_query_and_path(void **state)
{
    const struct cm_sigv4_header h[] = {{"host", "example.amazonaws.com"}};
    struct cm_sigv4_msg m = {"GET", "/", "Param2=value2&Param1=value1", h, 1, NULL, 0};
    (void)state;

    /* get-vanilla-query-order-key-case: sorted by key */
    canonical_is(&m, "host",
                 "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n\nhost\n" EMPTY);
    /* same key: sorted by value; a key without '=' has an empty value; encodings normalised */
    m.query = "b=2&a=z&a=y&flag&c=%7e%2a+";
    canonical_is(&m, "host",
                 "GET\n/\na=y&a=z&b=2&c=~%2A%2B&flag=\nhost:example.amazonaws.com\n\nhost\n" EMPTY);
    /* get-relative-relative, get-slashes, get-unreserved */
    m.query = NULL;
    m.path = "/example1/example2/../..";
    canonical_is(&m, "host", "GET\n/\n\nhost:example.amazonaws.com\n\nhost\n" EMPTY);
    m.path = "//example//";
    canonical_is(&m, "host", "GET\n/example/\n\nhost:example.amazonaws.com\n\nhost\n" EMPTY);
    m.path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    canonical_is(&m, "host",
                 "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\n"
                 "host:example.amazonaws.com\n\nhost\n" EMPTY);
    /* A percent-encoded path is encoded once more (non-S3 services). */
    m.path = "/tags/arn%3Aaws";
    canonical_is(&m, "host",
                 "GET\n/tags/arn%253Aaws\n\nhost:example.amazonaws.com\n\nhost\n" EMPTY);
    /* A bad escape in the query is refused. */
    m.query = "a=%zz";
    {
        struct cm_buf b;
        cm_buf_init(&b, 0);
        assert_int_equal(cm_sigv4_canonical(&m, "host", EMPTY, &b), CM_EINVAL);
        cm_buf_finish(&b);
    }
}

static void test_canonical_headers(void **state)
{
    /* get-header-value-trim, get-header-key-duplicate, get-header-value-multiline style */
    const struct cm_sigv4_header h[] = {
        {"Host", "example.amazonaws.com"},
        {"My-Header1", "  value1  value1 "},
        {"my-header2", "\"a   b   c\""},
        {"MY-HEADER1", "value2"},
    };
    const struct cm_sigv4_msg m = {"GET", "/", NULL, h, 4, NULL, 0};
    struct cm_buf b;
    (void)state;

    canonical_is(&m, "host;my-header1;my-header2",
                 "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1 value1,value2\n"
                 "my-header2:\"a b c\"\n\nhost;my-header1;my-header2\n" EMPTY);
    /* A signed header the request lacks. */
    cm_buf_init(&b, 0);
    assert_int_equal(cm_sigv4_canonical(&m, "host;x-amz-date", EMPTY, &b), CM_EINVAL);
    cm_buf_finish(&b);
}

static void test_parse(void **state)
{
    struct cm_sigv4_auth a;
    char why[200];
    (void)state;

    assert_int_equal(cm_sigv4_parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                                    "us-east-1/guardduty/aws4_request, SignedHeaders=host;"
                                    "x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372"
                                    "ff2a2260956d9b8aae1d763fbf31",
                                    &a, why, sizeof(why)),
                     0);
    assert_string_equal(a.key, "AKIDEXAMPLE");
    assert_string_equal(a.date, "20150830");
    assert_string_equal(a.region, "us-east-1");
    assert_string_equal(a.service, "guardduty");
    assert_string_equal(a.signed_headers, "host;x-amz-date");
    assert_string_equal(a.signature,
                        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

    assert_int_equal(cm_sigv4_parse("AWS4-HMAC-SHA1 Credential=a", &a, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "AWS4-HMAC-SHA256"));
    assert_int_equal(cm_sigv4_parse("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" EMPTY, &a,
                                    why, sizeof(why)),
                     -1);
    assert_string_equal(why, "Authorization header requires 'Credential' parameter.");
    assert_int_equal(cm_sigv4_parse("AWS4-HMAC-SHA256 Credential=K/2015083/r/s/aws4_request, "
                                    "SignedHeaders=host, Signature=" EMPTY,
                                    &a, why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "YYYYMMDD"));
    assert_int_equal(cm_sigv4_parse("AWS4-HMAC-SHA256 Credential=K/20150830/r/s/aws5_request, "
                                    "SignedHeaders=host, Signature=" EMPTY,
                                    &a, why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "aws4_request"));
    assert_int_equal(cm_sigv4_parse("AWS4-HMAC-SHA256 Credential=K/20150830/r/s/aws4_request, "
                                    "SignedHeaders=host, Signature=ABC",
                                    &a, why, sizeof(why)),
                     -1);
    assert_non_null(strstr(why, "64"));
    assert_int_equal(cm_sigv4_parse("AWS4-HMAC-SHA256 Credential=K/20150830/r/s/aws4_request, "
                                    "Signature=" EMPTY,
                                    &a, why, sizeof(why)),
                     -1);
    assert_string_equal(why, "Authorization header requires 'SignedHeaders' parameter.");
}

/* botocore's ListFindings request (see the file comment). */
#define LF_BODY                                                                                    \
    "{\"maxResults\": 2, \"sortCriteria\": {\"attributeName\": \"severity\", \"orderBy\": "        \
    "\"ASC\"}}"
#define LF_AUTH                                                                                    \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/guardduty/aws4_request, "          \
    "SignedHeaders=content-type;host;x-amz-date, "                                                 \
    "Signature=641f973b9ac16728bed3f1a12589a171a1f750cf208eeea8a360b88a79f8646c"

static enum cm_sigv4_status verify_lf(const char *auth, const char *body, int64_t now,
                                      const char *extra_name, const char *extra_value, char *msg,
                                      size_t msglen)
{
    struct cm_sigv4_header h[] = {
        {"Host", "127.0.0.1:8787"},
        {"Content-Type", "application/json"},
        {"X-Amz-Date", AMZ_DATE},
        {"Authorization", auth},
        {extra_name ? extra_name : "User-Agent", extra_value ? extra_value : "test"},
    };
    const struct cm_sigv4_msg m = {
        "POST",      "/detector/c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1/findings", NULL, h, 5, body,
        strlen(body)};
    struct cm_sigv4_auth a;

    return cm_sigv4_verify(&m, creds, 2, "guardduty", now, &a, msg, msglen);
}

static void test_verify_botocore(void **state)
{
    char msg[512];
    (void)state;

    assert_int_equal(verify_lf(LF_AUTH, LF_BODY, NOW_MS, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_OK);
    /* 14 minutes either side is fine; 16 is expired. */
    assert_int_equal(verify_lf(LF_AUTH, LF_BODY, NOW_MS + 14 * 60000, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_OK);
    assert_int_equal(verify_lf(LF_AUTH, LF_BODY, NOW_MS - 14 * 60000, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_OK);
    assert_int_equal(verify_lf(LF_AUTH, LF_BODY, NOW_MS + 16 * 60000, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_BAD_SIGNATURE);
    assert_non_null(strstr(msg, "Signature expired"));
    /* The body changed. */
    assert_int_equal(
        verify_lf(LF_AUTH, "{\"maxResults\": 3}", NOW_MS, NULL, NULL, msg, sizeof(msg)),
        CM_SIGV4_BAD_SIGNATURE);
    assert_non_null(strstr(msg, "does not match the signature you provided"));
    /* An unsigned header may be added; a payload hash header must be the body's. */
    assert_int_equal(verify_lf(LF_AUTH, LF_BODY, NOW_MS, "X-Other", "1", msg, sizeof(msg)),
                     CM_SIGV4_OK);
    assert_int_equal(
        verify_lf(LF_AUTH, LF_BODY, NOW_MS, "x-amz-content-sha256", EMPTY, msg, sizeof(msg)),
        CM_SIGV4_BAD_SIGNATURE);
    assert_non_null(strstr(msg, "x-amz-content-sha256"));
    /* Another key, a wrong service, a missing header. */
    assert_int_equal(verify_lf("AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20150830/us-east-1/"
                               "guardduty/aws4_request, SignedHeaders=content-type;host;"
                               "x-amz-date, Signature=641f973b9ac16728bed3f1a12589a171a1f750cf"
                               "208eeea8a360b88a79f8646c",
                               LF_BODY, NOW_MS, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_UNKNOWN_KEY);
    assert_string_equal(msg, "The security token included in the request is invalid.");
    assert_int_equal(verify_lf("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                               "s3/aws4_request, SignedHeaders=content-type;host;"
                               "x-amz-date, Signature=641f973b9ac16728bed3f1a12589a171a1f750cf"
                               "208eeea8a360b88a79f8646c",
                               LF_BODY, NOW_MS, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_BAD_SIGNATURE);
    assert_non_null(strstr(msg, "'guardduty'"));
    /* host must be signed (x-host is not host). */
    assert_int_equal(verify_lf("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                               "guardduty/aws4_request, SignedHeaders=content-type;x-host;"
                               "x-amz-date, Signature=641f973b9ac16728bed3f1a12589a171a1f750cf"
                               "208eeea8a360b88a79f8646c",
                               LF_BODY, NOW_MS, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_BAD_SIGNATURE);
    assert_non_null(strstr(msg, "'Host' must be a signed header"));
    assert_int_equal(verify_lf("", LF_BODY, NOW_MS, NULL, NULL, msg, sizeof(msg)),
                     CM_SIGV4_MISSING);
    assert_string_equal(cm_sigv4_error_type(CM_SIGV4_MISSING),
                        "MissingAuthenticationTokenException");
    assert_int_equal(cm_sigv4_http_status(CM_SIGV4_MISSING), 403);
    assert_int_equal(
        verify_lf("AWS4-HMAC-SHA256 nonsense", LF_BODY, NOW_MS, NULL, NULL, msg, sizeof(msg)),
        CM_SIGV4_INCOMPLETE);
    assert_int_equal(cm_sigv4_http_status(CM_SIGV4_INCOMPLETE), 400);
}

static void test_verify_botocore_untag(void **state)
{
    const struct cm_sigv4_header h[] = {
        {"host", "127.0.0.1:8787"},
        {"x-amz-date", AMZ_DATE},
        {"authorization",
         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/guardduty/aws4_request, "
         "SignedHeaders=host;x-amz-date, "
         "Signature=bf6bacf496714401eb0d0b000fdae4c902e4dd8b878ecb37d23f060708422e52"},
    };
    struct cm_sigv4_msg m = {"DELETE",
                             "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3Adetector%2F"
                             "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1",
                             "tagKeys=b%20c&tagKeys=a",
                             h,
                             3,
                             NULL,
                             0};
    struct cm_sigv4_auth a;
    char msg[512];
    (void)state;

    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &a, msg, sizeof(msg)),
                     CM_SIGV4_OK);
    assert_string_equal(a.region, "us-east-1");
    /* The order of the query's pairs does not matter; their values do. */
    m.query = "tagKeys=a&tagKeys=b%20c";
    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &a, msg, sizeof(msg)),
                     CM_SIGV4_OK);
    m.query = "tagKeys=a&tagKeys=b";
    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &a, msg, sizeof(msg)),
                     CM_SIGV4_BAD_SIGNATURE);
    /* Without X-Amz-Date the request is incomplete. */
    {
        const struct cm_sigv4_header h2[] = {h[0], h[2]};
        struct cm_sigv4_msg m2 = m;
        m2.headers = h2;
        m2.nheaders = 2;
        assert_int_equal(cm_sigv4_verify(&m2, creds, 2, "guardduty", NOW_MS, &a, msg, sizeof(msg)),
                         CM_SIGV4_INCOMPLETE);
        assert_non_null(strstr(msg, "'X-Amz-Date'"));
    }
    /* Nor the method. */
    m.query = "tagKeys=a&tagKeys=b%20c";
    m.method = "GET";
    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &a, msg, sizeof(msg)),
                     CM_SIGV4_BAD_SIGNATURE);
}

/* A presigned URL (query-string authentication, as botocore's SigV4QueryAuth makes it) is
 * refused saying so; with an Authorization header too, with AWS's "only one" message. */
static void test_presigned_refused(void **state)
{
    const char *q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2F"
                    "us-east-1%2Fguardduty%2Faws4_request&X-Amz-Date=20150830T123600Z&"
                    "X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature="
                    "b1c9729ec4f140414310c4373da7fb9b99cdc2e8d7c1c079ab31eb68a40db703";
    const struct cm_sigv4_header h[] = {{"Host", "127.0.0.1:8787"}};
    const struct cm_sigv4_header h2[] = {
        {"Host", "127.0.0.1:8787"},
        {"X-Amz-Date", AMZ_DATE},
        {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/guardduty/"
                          "aws4_request, SignedHeaders=host;x-amz-date, Signature="
                          "641f973b9ac16728bed3f1a12589a171a1f750cf208eeea8a360b88a79f8646c"}};
    struct cm_sigv4_msg m = {"GET", "/detector", q, h, 1, NULL, 0};
    struct cm_sigv4_auth auth;
    char msg[512];
    (void)state;

    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &auth, msg, sizeof(msg)),
                     CM_SIGV4_MISSING);
    assert_non_null(strstr(msg, "presigned"));
    assert_non_null(strstr(msg, "Authorization header"));
    m.query = "x-amz-%53ignature=00";
    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &auth, msg, sizeof(msg)),
                     CM_SIGV4_MISSING);
    assert_non_null(strstr(msg, "presigned"));
    m.query = q;
    m.headers = h2;
    m.nheaders = 3;
    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &auth, msg, sizeof(msg)),
                     CM_SIGV4_INCOMPLETE);
    assert_non_null(strstr(msg, "Only one auth mechanism allowed"));
    /* An ordinary query without a header is the plain message. */
    m.query = "maxResults=5&X-Amz-Date=1";
    m.headers = h;
    m.nheaders = 1;
    assert_int_equal(cm_sigv4_verify(&m, creds, 2, "guardduty", NOW_MS, &auth, msg, sizeof(msg)),
                     CM_SIGV4_MISSING);
    assert_string_equal(msg, "Missing Authentication Token");
}

static void test_sha256(void **state)
{
    char hex[65];
    (void)state;
    cm_sigv4_sha256_hex("", 0, hex);
    assert_string_equal(hex, EMPTY);
    cm_sigv4_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_vanilla),       cmocka_unit_test(test_canonical_query_and_path),
        cmocka_unit_test(test_canonical_headers), cmocka_unit_test(test_parse),
        cmocka_unit_test(test_verify_botocore),   cmocka_unit_test(test_verify_botocore_untag),
        cmocka_unit_test(test_presigned_refused), cmocka_unit_test(test_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
