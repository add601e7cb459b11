/*
 * The S3 client and the credentials chain (src/aws/) against a scripted HTTP
 * server on 127.0.0.1 in this process: ListObjectsV2 paged with continuation
 * tokens (the token sent back encoded), S3's error documents made messages
 * ("AccessDenied: Access Denied (HTTP 403)"), 503 then 200 retried, a refused
 * connection retried then explained, a wrong-region answer followed once,
 * If-Match sent; the credentials found in the environment, the shared files
 * and the instance metadata service (IMDSv2: the token PUT, then GETs that carry
 * it), and what is refused, with no secret in any message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws_config.h"
#include "aws/aws_retry.h"
#include "aws/s3.h"
#include "event/event.h"
#include "aws/s3_url.h"
#include "base/err.h"
#include "fake_http.h"

static struct cm_s3 *client(int port)
{
    struct cm_s3 *s3;
    char ep[64], err[600];
    struct cm_aws_opts o = {NULL, ep, NULL};

    clean_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST", 1);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", port);
    if (cm_s3_open(&s3, &o, err, sizeof(err)) != 0) {
        fail_msg("open: %s", err);
    }
    cm_s3_set_backoff_scale(s3, 0, 1);
    return s3;
}

struct seen {
    char keys[8][64];
    int n;
};

static int each(void *ud, const struct cm_s3_object *o)
{
    struct seen *s = ud;

    if (s->n < 8) {
        snprintf(s->keys[s->n++], sizeof(s->keys[0]), "%s", o->key);
    }
    return 0;
}

#define LIST_HEAD "<?xml version=\"1.0\"?><ListBucketResult><EncodingType>url</EncodingType>"

static void test_list_pages(void **state)
{
    struct server srv = {.nsteps = 2};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    struct seen seen = {0};
    char err[400] = "";

    (void)state;
    srv.steps[0] = (struct step){200, NULL,
                                 LIST_HEAD "<IsTruncated>true</IsTruncated>"
                                           "<NextContinuationToken>tok/1+=</NextContinuationToken>"
                                           "<Contents><Key>p/a%20b</Key><Size>1</Size></Contents>"
                                           "<Contents><Key>p/c</Key><Size>2</Size></Contents>"
                                           "</ListBucketResult>"};
    srv.steps[1] = (struct step){200, NULL,
                                 LIST_HEAD "<IsTruncated>false</IsTruncated>"
                                           "<Contents><Key>p/d</Key><Size>3</Size></Contents>"
                                           "</ListBucketResult>"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    assert_int_equal(cm_s3_list(c, "trail", "p/", each, &seen, err, sizeof(err)), 0);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.keys[0], "p/a b");
    assert_string_equal(seen.keys[2], "p/d");
    assert_int_equal(fake_served(&srv), 2);
    /* Path style, the query sorted and encoded as signed; the token sent back encoded. */
    assert_non_null(strstr(fake_req(&srv, 0),
                           "GET /trail?encoding-type=url&list-type=2&max-keys=1000"
                           "&prefix=p%2F HTTP/1.1"));
    assert_non_null(strstr(fake_req(&srv, 1), "GET /trail?continuation-token=tok%2F1%2B%3D&"));
    assert_non_null(
        strstr(fake_req(&srv, 0), "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
    assert_non_null(strstr(fake_req(&srv, 0), "/us-east-1/s3/aws4_request, SignedHeaders=host;"
                                              "x-amz-content-sha256;x-amz-date, Signature="));
    assert_null(strstr(fake_req(&srv, 0), "SECRETTEST"));
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
    server_stop(&srv);
}

static int folder(void *ud, const char *prefix)
{
    return each(ud, &(struct cm_s3_object){.key = (char *)(uintptr_t)prefix});
}

/* A watch's listing: the delimiter and StartAfter sent (StartAfter on the first page only),
 * the folders handed over after the objects, the pages counted. */
static void test_list_with_delimiter_and_start_after(void **state)
{
    struct server srv = {.nsteps = 2};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    struct seen seen = {0};
    struct cm_s3_list_opts lo = {"/", "AWSLogs/1/CloudTrail/r/2026/01/04", folder, 0};
    char err[400] = "";

    (void)state;
    srv.steps[0] = (struct step){200, NULL,
                                 LIST_HEAD "<IsTruncated>true</IsTruncated>"
                                           "<NextContinuationToken>t2</NextContinuationToken>"
                                           "<Contents><Key>AWSLogs/x</Key><Size>1</Size></Contents>"
                                           "<CommonPrefixes><Prefix>AWSLogs/1/</Prefix>"
                                           "</CommonPrefixes></ListBucketResult>"};
    srv.steps[1] = (struct step){200, NULL,
                                 LIST_HEAD "<IsTruncated>false</IsTruncated>"
                                           "<CommonPrefixes><Prefix>AWSLogs/2%20b/</Prefix>"
                                           "</CommonPrefixes></ListBucketResult>"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    assert_int_equal(cm_s3_list_with(c, "trail", "AWSLogs/", &lo, each, &seen, err, sizeof(err)),
                     0);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.keys[0], "AWSLogs/x");
    assert_string_equal(seen.keys[1], "AWSLogs/1/");
    assert_string_equal(seen.keys[2], "AWSLogs/2 b/");
    assert_int_equal(lo.pages, 2);
    assert_non_null(strstr(fake_req(&srv, 0),
                           "GET /trail?delimiter=%2F&encoding-type=url&list-type=2&max-keys=1000"
                           "&prefix=AWSLogs%2F&start-after=AWSLogs%2F1%2FCloudTrail%2Fr%2F2026"
                           "%2F01%2F04 HTTP/1.1"));
    assert_non_null(strstr(fake_req(&srv, 1), "GET /trail?continuation-token=t2&delimiter=%2F&"));
    assert_null(strstr(fake_req(&srv, 1), "start-after"));
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
    server_stop(&srv);
}

static void test_get_errors(void **state)
{
    struct server srv = {.nsteps = 6};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    struct cm_buf b;
    char err[400] = "";

    (void)state;
    srv.steps[0] = (struct step){503, NULL,
                                 "<Error><Code>SlowDown</Code><Message>Please reduce your request "
                                 "rate.</Message></Error>"};
    srv.steps[1] = (struct step){200, "ETag: \"e1\"\r\n", "the bytes"};
    srv.steps[2] = (struct step){403, "Content-Type: application/xml\r\n",
                                 "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code>"
                                 "<Message>Access Denied</Message></Error>"};
    srv.steps[3] = (struct step){404, NULL, ""};
    srv.steps[4] = (struct step){400, "x-amz-bucket-region: eu-west-1\r\n",
                                 "<Error><Code>AuthorizationHeaderMalformed</Code><Message>wrong "
                                 "region</Message><Region>eu-west-1</Region></Error>"};
    srv.steps[5] = (struct step){206, NULL, "part"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    cm_buf_init(&b, 0);
    /* 503 SlowDown, then the object. */
    assert_int_equal(cm_s3_get(c, "trail", "dir/a b=c.gz", "\"e1\"", 0, &b, err, sizeof(err)), 0);
    assert_int_equal(b.len, 9);
    assert_memory_equal(b.p, "the bytes", 9);
    assert_int_equal(cm_s3_conn_attempts(c), 2);
    assert_non_null(strstr(fake_req(&srv, 1), "GET /trail/dir/a%20b%3Dc.gz HTTP/1.1"));
    assert_non_null(strstr(fake_req(&srv, 1), "if-match: \"e1\""));
    assert_non_null(strstr(fake_req(&srv, 1), "SignedHeaders=host;if-match;x-amz-content-sha256"));
    /* 403: S3's code and message, no retry. */
    assert_int_equal(cm_s3_get(c, "trail", "k", NULL, 0, &b, err, sizeof(err)), CM_EIO);
    assert_string_equal(err, "AccessDenied: Access Denied (HTTP 403)");
    assert_int_equal(cm_s3_conn_attempts(c), 3);
    /* 404 without a body. */
    assert_int_equal(cm_s3_get(c, "trail", "k", NULL, 0, &b, err, sizeof(err)), CM_EIO);
    assert_string_equal(err, "NotFound: no such bucket or object (HTTP 404)");
    /* Another region: asked again once, signed for it; a Range for the first bytes. */
    assert_int_equal(cm_s3_get(c, "trail", "k", NULL, 4, &b, err, sizeof(err)), 0);
    assert_memory_equal(b.p, "part", 4);
    assert_non_null(strstr(fake_req(&srv, 4), "/us-east-1/s3/aws4_request"));
    assert_non_null(strstr(fake_req(&srv, 5), "/eu-west-1/s3/aws4_request"));
    assert_non_null(strstr(fake_req(&srv, 5), "range: bytes=0-3"));
    cm_buf_finish(&b);
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
    server_stop(&srv);
}

/*
 * HeadObject (a CloudTrail notification's objects): the size from Content-Length and the
 * ETag with its quotes; 404 is "not there" (1), 403 an error; another region asked again
 * once; an answer without an ETag is an error.
 */
static void test_head(void **state)
{
    struct server srv = {.nsteps = 5};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    char err[400] = "", etag[64];
    uint64_t size = 0;

    (void)state;
    srv.steps[0] = (struct step){200, "ETag: \"e9\"\r\n", "0123456789ab"};
    srv.steps[1] = (struct step){404, NULL, ""};
    srv.steps[2] = (struct step){403, NULL, ""};
    srv.steps[3] = (struct step){301, "x-amz-bucket-region: eu-west-1\r\n", ""};
    srv.steps[4] = (struct step){200, NULL, "abc"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    assert_int_equal(
        cm_s3_head(c, "trail", "dir/a b.gz", &size, etag, sizeof(etag), err, sizeof(err)), 0);
    assert_int_equal(size, 12);
    assert_string_equal(etag, "\"e9\"");
    assert_non_null(strstr(fake_req(&srv, 0), "HEAD /trail/dir/a%20b.gz HTTP/1.1"));
    assert_int_equal(cm_s3_head(c, "trail", "gone", &size, etag, sizeof(etag), err, sizeof(err)),
                     1);
    assert_int_equal(cm_s3_head(c, "trail", "k", &size, etag, sizeof(etag), err, sizeof(err)),
                     CM_EIO);
    assert_string_equal(err, "Forbidden: access denied (HTTP 403)");
    /* Another region, then an answer without an ETag. */
    assert_int_equal(cm_s3_head(c, "trail", "k", &size, etag, sizeof(etag), err, sizeof(err)),
                     CM_EIO);
    assert_string_equal(err, "HeadObject: no ETag in the answer");
    assert_non_null(strstr(fake_req(&srv, 3), "/us-east-1/s3/aws4_request"));
    assert_non_null(strstr(fake_req(&srv, 4), "/eu-west-1/s3/aws4_request"));
    assert_non_null(strstr(fake_req(&srv, 4), "HEAD /trail/k HTTP/1.1"));
    assert_int_equal(cm_s3_conn_attempts(c), 5);
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
    server_stop(&srv);
}

/*
 * A region an answer names goes into the host name and the credential scope: one that is no
 * region name ("evil.example/x#" would make bucket.s3.evil.example/x#.amazonaws.com, a
 * request with the signature to another host) is not followed; nor is a configured one taken.
 */
static void test_bad_region(void **state)
{
    struct server srv = {.nsteps = 2};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    struct cm_aws_opts o = {"evil.example#", "http://127.0.0.1:1", NULL};
    struct cm_buf b;
    char err[400] = "";

    (void)state;
    srv.steps[0] = (struct step){301, "x-amz-bucket-region: evil.example/x#\r\n",
                                 "<Error><Code>PermanentRedirect</Code><Message>moved"
                                 "</Message></Error>"};
    srv.steps[1] = (struct step){200, NULL, "followed"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    cm_buf_init(&b, 0);
    assert_int_equal(cm_s3_get(c, "trail", "k", NULL, 0, &b, err, sizeof(err)), CM_EIO);
    assert_int_equal(cm_s3_conn_attempts(c), 1);
    assert_non_null(strstr(err, "PermanentRedirect"));
    cm_buf_finish(&b);
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
    server_stop(&srv);
    assert_int_equal(cm_s3_open(&s3, &o, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, "region 'evil.example#': not a region name (like eu-west-1)");
    assert_true(cm_region_shape_ok(CM_STR_LIT("eu-west-1")));
    assert_true(cm_region_shape_ok(CM_STR_LIT("us-gov-west-1")));
    assert_false(cm_region_shape_ok(CM_STR_LIT("")));
    assert_false(cm_region_shape_ok(CM_STR_LIT("EU-WEST-1")));
    assert_false(cm_region_shape_ok(CM_STR_LIT("a.b")));
    assert_false(cm_region_shape_ok(CM_STR_LIT("eu-west-1/")));
}

/*
 * A key with "." and ".." segments is sent as signed: libcurl would otherwise squash
 * "dir/../x" to "x" (another object, a signature S3 refuses). Keys an attacker writes into
 * a bucket ("AWSLogs/../../x") name the object they name, nothing else.
 */
static void test_dot_keys(void **state)
{
    struct server srv = {.nsteps = 2};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    struct cm_buf b;
    char err[400] = "";

    (void)state;
    srv.steps[0] = (struct step){200, NULL, "one"};
    srv.steps[1] = (struct step){200, NULL, "two"};
    server_start(&srv);
    s3 = client(srv.port);
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    cm_buf_init(&b, 0);
    assert_int_equal(cm_s3_get(c, "trail", "dir/../../x", NULL, 0, &b, err, sizeof(err)), 0);
    assert_non_null(strstr(fake_req(&srv, 0), "GET /trail/dir/../../x HTTP/1.1"));
    assert_int_equal(cm_s3_get(c, "trail", "./a/./b", NULL, 0, &b, err, sizeof(err)), 0);
    assert_non_null(strstr(fake_req(&srv, 1), "GET /trail/./a/./b HTTP/1.1"));
    cm_buf_finish(&b);
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
    server_stop(&srv);
}

static void test_no_answer(void **state)
{
    struct server srv = {.nsteps = 0};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    struct cm_buf b;
    char err[400] = "";
    int port;

    (void)state;
    server_start(&srv); /* for a free port, closed at once */
    port = srv.port;
    server_stop(&srv);
    s3 = client(port);
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    cm_buf_init(&b, 0);
    assert_int_equal(cm_s3_get(c, "trail", "k", NULL, 0, &b, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "(no answer, after 5 attempts)"));
    assert_int_equal(cm_s3_conn_attempts(c), CM_AWS_MAX_ATTEMPTS);
    cm_buf_finish(&b);
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
}

/*
 * Credentials with a CR LF (an instance metadata answer, the environment) would add headers
 * to every signed request ("x-amz-security-token: tok\r\nX-Evil: 1"): refused, the secret not
 * quoted; an IMDS session token likewise.
 */
static void test_cred_control_chars(void **state)
{
    struct server srv = {.nsteps = 3};
    struct cm_aws_config *cfg = calloc(1, sizeof(*cfg));
    struct cm_aws_opts o = {NULL, NULL, NULL};
    char ep[64], err[600] = "";

    (void)state;
    srv.steps[0] = (struct step){200, NULL, "TOKEN123"};
    srv.steps[1] = (struct step){200, NULL, "scanner-role\n"};
    srv.steps[2] = (struct step){200, NULL,
                                 "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS\","
                                 "\"SecretAccessKey\":\"imdssecret\",\"Token\":"
                                 "\"tok\\r\\nX-Evil: 1\",\"Expiration\":\"2026-12-05T18:00:00Z\"}"};
    server_start(&srv);
    clean_env();
    unsetenv("AWS_EC2_METADATA_DISABLED");
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", srv.port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep, 1);
    assert_int_not_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "Token is empty or holds a space or a control character"));
    assert_null(strstr(err, "imdssecret"));
    cm_aws_config_finish(cfg);
    server_stop(&srv);
    /* The session token itself. */
    memset(&srv, 0, sizeof(srv));
    srv.nsteps = 1;
    srv.steps[0] = (struct step){200, NULL, "T\r\nX-Evil: 1"};
    server_start(&srv);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", srv.port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep, 1);
    assert_int_not_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "a session token with spaces or control characters"));
    cm_aws_config_finish(cfg);
    server_stop(&srv);
    /* The environment. */
    clean_env();
    setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST", 1);
    setenv("AWS_SESSION_TOKEN", "tok\r\nX-Evil: 1", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "holds a space or a control character"));
    assert_null(strstr(err, "SECRETTEST"));
    unsetenv("AWS_SESSION_TOKEN");
    cm_aws_config_finish(cfg);
    free(cfg);
}

static void test_imds(void **state)
{
    struct server srv = {.nsteps = 3};
    struct cm_aws_config *cfg = calloc(1, sizeof(*cfg));
    struct cm_aws_opts o = {NULL, NULL, NULL};
    char ep[64], err[600] = "";

    (void)state;
    srv.steps[0] = (struct step){200, NULL, "TOKEN123"};
    srv.steps[1] = (struct step){200, NULL, "scanner-role\n"};
    srv.steps[2] = (struct step){200, NULL,
                                 "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":"
                                 "\"ASIAIMDS\",\"SecretAccessKey\":\"imds\\/secret\",\"Token\":"
                                 "\"tok\",\"Expiration\":\"2026-12-05T18:00:00Z\"}"};
    server_start(&srv);
    clean_env();
    unsetenv("AWS_EC2_METADATA_DISABLED");
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/", srv.port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep, 1);
    setenv("AWS_DEFAULT_REGION", "eu-central-1", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg->creds.key_id, "ASIAIMDS");
    assert_string_equal(cfg->creds.secret, "imds/secret");
    assert_string_equal(cfg->creds.token, "tok");
    assert_string_equal(cfg->region, "eu-central-1");
    assert_true(cfg->creds.expires_ms > 0);
    assert_non_null(strstr(cfg->source, "role scanner-role"));
    assert_non_null(strstr(fake_req(&srv, 0), "PUT /latest/api/token HTTP/1.1"));
    assert_non_null(strstr(fake_req(&srv, 0), "X-aws-ec2-metadata-token-ttl-seconds: 21600"));
    assert_non_null(strstr(fake_req(&srv, 1), "GET /latest/meta-data/iam/security-credentials/ "));
    assert_non_null(strstr(fake_req(&srv, 1), "X-aws-ec2-metadata-token: TOKEN123"));
    assert_non_null(strstr(fake_req(&srv, 2), "GET /latest/meta-data/iam/security-credentials/"
                                              "scanner-role HTTP/1.1"));
    assert_non_null(strstr(fake_req(&srv, 2), "X-aws-ec2-metadata-token: TOKEN123"));
    cm_aws_config_finish(cfg);
    server_stop(&srv);
    /* No role: the chain's end, saying what was tried. */
    memset(&srv, 0, sizeof(srv));
    srv.nsteps = 2;
    srv.steps[0] = (struct step){200, NULL, "T"};
    srv.steps[1] = (struct step){404, NULL, ""};
    server_start(&srv);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", srv.port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep, 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_ENOTFOUND);
    assert_non_null(strstr(err, "no AWS credentials"));
    assert_non_null(strstr(err, "HTTP 404"));
    server_stop(&srv);
    free(cfg);
    clean_env();
}

static void test_imds_refresh(void **state)
{
    struct server srv = {.nsteps = 8};
    struct cm_s3 *s3;
    struct cm_s3_conn *c;
    struct cm_aws_opts o = {NULL, NULL, NULL};
    struct cm_buf b;
    char ep[64], err[600] = "", soon[200], later[200], stamp[32];
    time_t t = time(NULL) + 60;
    struct tm tm;

    (void)state;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(soon, sizeof(soon),
             "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAOLD\",\"SecretAccessKey\":\"s1\","
             "\"Token\":\"tokOLD\",\"Expiration\":\"%s\"}",
             stamp);
    t += 6 * 3600;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(later, sizeof(later),
             "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIANEW\",\"SecretAccessKey\":\"s2\","
             "\"Token\":\"tokNEW\",\"Expiration\":\"%s\"}",
             stamp);
    srv.steps[0] = (struct step){200, NULL, "T1"};
    srv.steps[1] = (struct step){200, NULL, "role"};
    srv.steps[2] = (struct step){200, NULL, soon};
    srv.steps[3] = (struct step){200, NULL, "T2"};
    srv.steps[4] = (struct step){200, NULL, "role"};
    srv.steps[5] = (struct step){200, NULL, later};
    srv.steps[6] = (struct step){200, NULL, "one"};
    srv.steps[7] = (struct step){200, NULL, "two"};
    server_start(&srv);
    clean_env();
    unsetenv("AWS_EC2_METADATA_DISABLED");
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", srv.port);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep, 1);
    o.endpoint_url = ep;
    if (cm_s3_open(&s3, &o, err, sizeof(err)) != 0) {
        fail_msg("open: %s", err);
    }
    assert_int_equal(cm_s3_conn_create(s3, &c), 0);
    cm_buf_init(&b, 0);
    /* Within 5 minutes of their expiry: fetched again before the first request. */
    assert_int_equal(cm_s3_get(c, "trail", "k", NULL, 0, &b, err, sizeof(err)), 0);
    assert_memory_equal(b.p, "one", 3);
    assert_non_null(strstr(fake_req(&srv, 3), "PUT /latest/api/token"));
    assert_non_null(strstr(fake_req(&srv, 6), "Credential=ASIANEW/"));
    assert_non_null(strstr(fake_req(&srv, 6), "x-amz-security-token: tokNEW"));
    /* Good for hours now: not fetched again. */
    assert_int_equal(cm_s3_get(c, "trail", "k", NULL, 0, &b, err, sizeof(err)), 0);
    assert_memory_equal(b.p, "two", 3);
    assert_non_null(strstr(fake_req(&srv, 7), "Credential=ASIANEW/"));
    assert_int_equal(fake_served(&srv), 8);
    cm_buf_finish(&b);
    cm_s3_conn_destroy(c);
    cm_s3_close(s3);
    server_stop(&srv);
    clean_env();
}

static void test_chain(void **state)
{
    struct cm_aws_config *cfg = calloc(1, sizeof(*cfg));
    struct cm_aws_opts o = {"ap-south-1", "http://127.0.0.1:9/", NULL};
    char cred[] = "/tmp/cm_aws_credsXXXXXX", conf[] = "/tmp/cm_aws_confXXXXXX", err[600] = "";
    int fd;
    FILE *f;

    (void)state;
    fd = mkstemp(cred);
    f = fdopen(fd, "w");
    fputs("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n"
          "[half]\naws_access_key_id = AKIAHALF\n",
          f);
    fclose(f);
    fd = mkstemp(conf);
    f = fdopen(fd, "w");
    fputs("[profile other]\nregion = sa-east-1\naws_access_key_id = AKIACONF\n"
          "aws_secret_access_key = confsecret\n",
          f);
    fclose(f);
    clean_env();
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
    setenv("AWS_CONFIG_FILE", conf, 1);
    /* The environment first. */
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg->creds.key_id, "AKIAENV");
    assert_string_equal(cfg->creds.token, "envtoken");
    assert_string_equal(cfg->region, "ap-south-1");
    assert_string_equal(cfg->endpoint, "http://127.0.0.1:9");
    /* Half a pair in the environment: refused, naming the variables only. */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_EINVAL);
    assert_string_equal(err, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SESSION_TOKEN");
    /* The credentials file's default profile. */
    o.region = NULL;
    o.endpoint_url = NULL;
    setenv("AWS_ENDPOINT_URL_S3", "https://s3.example.net", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg->creds.key_id, "AKIAFILE");
    assert_string_equal(cfg->creds.secret, "filesecret");
    assert_string_equal(cfg->region, "us-east-1");
    assert_string_equal(cfg->endpoint, "https://s3.example.net");
    assert_non_null(strstr(cfg->source, cred));
    /* AWS_PROFILE: the config file's "[profile other]", its region. */
    setenv("AWS_PROFILE", "other", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg->creds.key_id, "AKIACONF");
    assert_string_equal(cfg->region, "sa-east-1");
    /* A profile with half a pair; a profile nowhere. */
    setenv("AWS_PROFILE", "half", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "profile 'half' has aws_access_key_id but not"));
    setenv("AWS_PROFILE", "nowhere", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_ENOTFOUND);
    assert_non_null(strstr(err, "'nowhere' is in neither"));
    unsetenv("AWS_PROFILE");
    /* --profile: overrides AWS_PROFILE, and the environment's keys (as aws --profile). */
    setenv("AWS_PROFILE", "default", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    o.profile = "other";
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg->creds.key_id, "AKIACONF");
    assert_string_equal(cfg->region, "sa-east-1");
    assert_string_equal(cfg->profile, "other");
    unsetenv("AWS_SECRET_ACCESS_KEY"); /* half a pair: not looked at either */
    o.profile = "nowhere";
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_ENOTFOUND);
    assert_non_null(strstr(err, "--profile: the profile 'nowhere' is in neither"));
    o.profile = NULL;
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_PROFILE");
    /* An endpoint that is no URL. */
    setenv("AWS_ENDPOINT_URL_S3", "127.0.0.1:9000", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "AWS_ENDPOINT_URL_S3: the endpoint"));
    unsetenv("AWS_ENDPOINT_URL_S3");
    /* Nothing anywhere, the metadata service off. */
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/c", 1);
    assert_int_equal(cm_aws_config_resolve(&o, cfg, err, sizeof(err)), CM_ENOTFOUND);
    assert_non_null(strstr(err, "AWS_EC2_METADATA_DISABLED"));
    assert_null(strstr(err, "secret"));
    unlink(cred);
    unlink(conf);
    free(cfg);
    clean_env();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_pages),
        cmocka_unit_test(test_list_with_delimiter_and_start_after),
        cmocka_unit_test(test_get_errors),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_bad_region),
        cmocka_unit_test(test_cred_control_chars),
        cmocka_unit_test(test_dot_keys),
        cmocka_unit_test(test_no_answer),
        cmocka_unit_test(test_imds),
        cmocka_unit_test(test_imds_refresh),
        cmocka_unit_test(test_chain),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
