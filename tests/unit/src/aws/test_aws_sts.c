/*
 * STS and the container endpoint (src/aws/aws_sts.c, aws_container.c) against a scripted
 * HTTP server on 127.0.0.1 in this process: an AssumeRole POST whose SigV4 signature the
 * API server's own verifier (api/sigv4.h) accepts for service "sts", with the session
 * token signed; AssumeRoleWithWebIdentity unsigned; STS's ErrorResponse made a message
 * with its code and text; the STS endpoint's precedence (AWS_ENDPOINT_URL_STS,
 * AWS_ENDPOINT_URL, the profile's, regional, legacy); the container endpoint's allowed
 * hosts, its token file, a 500; IAM Identity Center's cached token found by the SHA-1 of
 * the session's name and sent as the bearer token, an expired one refused.
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
#include <sys/stat.h>
#include <unistd.h>

#include "api/sigv4.h"
#include "aws/aws_container.h"
#include "aws/aws_sso.h"
#include "aws/aws_sts.h"
#include "base/err.h"
#include "fake_http.h"

#define OK_XML                                                                                     \
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"   \
    "<Credentials><AccessKeyId>ASIANEW</AccessKeyId><SecretAccessKey>new/secret</SecretAccessKey>" \
    "<SessionToken>newtoken</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration>"           \
    "</Credentials></AssumeRoleResult></AssumeRoleResponse>"

/* Verifies the raw request req (head and body) as the API server would, for "sts". */
static enum cm_sigv4_status verify(const char *req, const char *key, const char *secret)
{
    char copy[4096], *line, *save = NULL, *body;
    struct cm_sigv4_header hs[16];
    struct cm_sigv4_msg m = {0};
    struct cm_sigv4_cred c = {key, secret};
    struct cm_sigv4_auth a;
    char msg[300];
    size_t n = 0;

    snprintf(copy, sizeof(copy), "%s", req);
    body = strstr(copy, "\r\n\r\n");
    assert_non_null(body);
    *body = '\0';
    body += 4;
    line = strtok_r(copy, "\r\n", &save);
    assert_non_null(line);
    m.method = "POST";
    assert_int_equal(strncmp(line, "POST / HTTP/1.1", 15), 0);
    m.path = "/";
    while ((line = strtok_r(NULL, "\r\n", &save)) != NULL && n < 16) {
        char *colon = strchr(line, ':');
        assert_non_null(colon);
        *colon = '\0';
        hs[n].name = line;
        hs[n].value = colon + 1 + (colon[1] == ' ');
        n++;
    }
    m.headers = hs;
    m.nheaders = n;
    m.body = body;
    m.body_len = strlen(body);
    return cm_sigv4_verify(&m, &c, 1, "sts", (int64_t)time(NULL) * 1000, &a, msg, sizeof(msg));
}

static void test_assume_role_signed(void **state)
{
    struct server srv = {.nsteps = 2};
    struct cm_aws_creds with = {"AKIASRC", "src/secret", "srctoken", 0}, out;
    struct cm_aws_sts_call q = {0};
    char ep[64], err[600] = "";

    (void)state;
    clean_env();
    srv.steps[0] = (struct step){200, NULL, OK_XML};
    srv.steps[1] =
        (struct step){403, NULL,
                      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                      "<Message>not\nauthorized</Message></Error></ErrorResponse>"};
    server_start(&srv);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", srv.port);
    q.endpoint = ep;
    q.region = "eu-west-1";
    q.with = &with;
    q.role_arn = "arn:aws:iam::1:role/r";
    q.session_name = "s one";
    q.external_id = "x&y";
    q.duration_s = 900;
    assert_int_equal(cm_aws_sts_assume(&q, &out, err, sizeof(err)), 0);
    assert_string_equal(out.key_id, "ASIANEW");
    assert_string_equal(out.secret, "new/secret");
    assert_string_equal(out.token, "newtoken");
    assert_int_equal(out.expires_ms, 1893553445000LL);
    assert_non_null(strstr(fake_req(&srv, 0),
                           "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws"
                           "%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=s%20one&"
                           "ExternalId=x%26y&DurationSeconds=900"));
    assert_non_null(strstr(fake_req(&srv, 0), "/eu-west-1/sts/aws4_request"));
    assert_non_null(strstr(fake_req(&srv, 0), "SignedHeaders=content-type;host;x-amz-date;"
                                              "x-amz-security-token"));
    assert_int_equal(verify(fake_req(&srv, 0), "AKIASRC", "src/secret"), CM_SIGV4_OK);
    assert_int_equal(verify(fake_req(&srv, 0), "AKIASRC", "other"), CM_SIGV4_BAD_SIGNATURE);
    /* STS's error: its code and message, control bytes made spaces, no secret. */
    assert_int_equal(cm_aws_sts_assume(&q, &out, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "AccessDenied: not authorized (HTTP 403)"));
    assert_null(strstr(err, "src/secret"));
    assert_string_equal(out.secret, "");
    server_stop(&srv);
}

static void test_web_identity_unsigned(void **state)
{
    struct server srv = {.nsteps = 1};
    struct cm_aws_creds out;
    struct cm_aws_sts_call q = {0};
    char ep[64], err[600] = "";

    (void)state;
    clean_env();
    srv.steps[0] = (struct step){
        200, NULL,
        "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
        "<SessionToken>t</SessionToken><SecretAccessKey>s</SecretAccessKey>"
        "<Expiration>2030-01-02T03:04:05.123Z</Expiration><AccessKeyId>ASIAWEB</AccessKeyId>"
        "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"};
    server_start(&srv);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/", srv.port);
    q.endpoint = ep;
    q.region = "us-east-1";
    q.role_arn = "arn:aws:iam::1:role/web";
    q.session_name = "pod";
    q.web_token = "eyJ.abc.def";
    /* A path after the host is refused (STS is at "/"). */
    assert_int_equal(cm_aws_sts_assume(&q, &out, err, sizeof(err)), CM_EINVAL);
    ep[strlen(ep) - 1] = '\0';
    assert_int_equal(cm_aws_sts_assume(&q, &out, err, sizeof(err)), 0);
    assert_string_equal(out.key_id, "ASIAWEB");
    assert_null(strstr(fake_req(&srv, 0), "Authorization:"));
    assert_non_null(strstr(fake_req(&srv, 0), "Action=AssumeRoleWithWebIdentity"));
    assert_non_null(strstr(fake_req(&srv, 0), "WebIdentityToken=eyJ.abc.def"));
    server_stop(&srv);
}

static void test_sts_endpoint(void **state)
{
    char ep[300];

    (void)state;
    clean_env();
    cm_aws_sts_endpoint("eu-west-1", NULL, NULL, ep, sizeof(ep));
    assert_string_equal(ep, "https://sts.eu-west-1.amazonaws.com");
    cm_aws_sts_endpoint("eu-west-1", "", "legacy", ep, sizeof(ep));
    assert_string_equal(ep, "https://sts.amazonaws.com");
    cm_aws_sts_endpoint("af-south-1", "", "legacy", ep, sizeof(ep));
    assert_string_equal(ep, "https://sts.af-south-1.amazonaws.com");
    setenv("AWS_STS_REGIONAL_ENDPOINTS", "regional", 1);
    cm_aws_sts_endpoint("eu-west-1", "", "legacy", ep, sizeof(ep));
    assert_string_equal(ep, "https://sts.eu-west-1.amazonaws.com");
    cm_aws_sts_endpoint("eu-west-1", "http://profile:1/", NULL, ep, sizeof(ep));
    assert_string_equal(ep, "http://profile:1");
    setenv("AWS_ENDPOINT_URL", "http://all:2", 1);
    cm_aws_sts_endpoint("eu-west-1", "http://profile:1/", NULL, ep, sizeof(ep));
    assert_string_equal(ep, "http://all:2");
    setenv("AWS_ENDPOINT_URL_STS", "http://sts:3", 1);
    cm_aws_sts_endpoint("eu-west-1", "http://profile:1/", NULL, ep, sizeof(ep));
    assert_string_equal(ep, "http://sts:3");
    clean_env();
}

static void test_container(void **state)
{
    static const char *const refused[] = {"http://192.0.2.1/c", "http://169.254.170.3/c",
                                          "http://127.0.0.1@evil.example/c",
                                          "http://localhost.evil.example/c", "ftp://127.0.0.1/c"};
    struct server srv = {.nsteps = 4};
    struct cm_aws_creds out;
    char url[300], ep[300], err[600] = "", tok[] = "/tmp/cm_aws_tokXXXXXX";
    int fd;

    (void)state;
    clean_env();
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused[i], 1);
        assert_true(cm_aws_container_configured());
        assert_int_equal(cm_aws_container_credentials(&out, url, sizeof(url), err, sizeof(err)),
                         CM_EINVAL);
        assert_non_null(strstr(err, "not https"));
    }
    fd = mkstemp(tok);
    assert_int_equal(write(fd, "tok-file\n", 9), 9);
    close(fd);
    srv.steps[0] = (struct step){200, NULL,
                                 "{\"AccessKeyId\":\"ASIABOX\",\"SecretAccessKey\":\"s\","
                                 "\"Token\":\"t\",\"Expiration\":\"2030-01-02T03:04:05Z\"}"};
    srv.steps[1] = (struct step){500, NULL, "{}"};
    srv.steps[2] = (struct step){500, NULL, "{}"};
    srv.steps[3] = (struct step){500, NULL, "{}"};
    server_start(&srv);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/v2/credentials/x", srv.port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", ep, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-env", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tok, 1);
    assert_int_equal(cm_aws_container_credentials(&out, url, sizeof(url), err, sizeof(err)), 0);
    assert_string_equal(out.key_id, "ASIABOX");
    assert_int_equal(out.expires_ms, 1893553445000LL);
    assert_non_null(strstr(fake_req(&srv, 0), "GET /v2/credentials/x "));
    assert_non_null(strstr(fake_req(&srv, 0), "Authorization: tok-file\r\n"));
    /* Three attempts, then the status. */
    assert_int_equal(cm_aws_container_credentials(&out, url, sizeof(url), err, sizeof(err)),
                     CM_EIO);
    assert_non_null(strstr(err, "HTTP 500"));
    assert_int_equal(fake_served(&srv), 4);
    /* A token with a line break inside is refused (it would add a header). */
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: 1", 1);
    assert_int_equal(cm_aws_container_credentials(&out, url, sizeof(url), err, sizeof(err)),
                     CM_EINVAL);
    server_stop(&srv);
    unlink(tok);
    clean_env();
}

static void test_sso(void **state)
{
    struct server srv = {.nsteps = 1};
    struct cm_aws_sso q = {"dev",          "corp",         "https://corp.awsapps.com/start",
                           "eu-central-1", "123456789012", "Reader Role"};
    struct cm_aws_creds out;
    char home[] = "/tmp/cm_sso_homeXXXXXX", path[300], ep[64], err[600] = "";
    const char *old_home = getenv("HOME");
    char *saved = old_home ? strdup(old_home) : NULL;
    FILE *f;

    (void)state;
    clean_env();
    assert_non_null(mkdtemp(home));
    setenv("HOME", home, 1);
    /* No cache yet: the advice. */
    assert_int_equal(cm_aws_sso_credentials(&q, &out, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "no cached token"));
    assert_non_null(strstr(err, "aws sso login --profile dev"));
    snprintf(path, sizeof(path), "%s/.aws", home);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/.aws/sso", home);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/.aws/sso/cache", home);
    assert_int_equal(mkdir(path, 0700), 0);
    /* SHA-1("corp") */
    snprintf(path, sizeof(path), "%s/.aws/sso/cache/%s.json", home,
             "ee0bfd2552fbd840c02cc48b6e823320543c450f");
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"accessToken\": \"bearer-1\", \"expiresAt\": \"2000-01-01T00:00:00Z\"}", f);
    fclose(f);
    assert_int_equal(cm_aws_sso_credentials(&q, &out, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "token has expired"));
    f = fopen(path, "w");
    fputs("{\"accessToken\": \"bearer-1\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}", f);
    fclose(f);
    srv.steps[0] = (struct step){200, NULL,
                                 "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\","
                                 "\"secretAccessKey\":\"s\",\"sessionToken\":\"t\","
                                 "\"expiration\":1893553445000}}"};
    server_start(&srv);
    snprintf(ep, sizeof(ep), "http://127.0.0.1:%d/", srv.port);
    setenv("AWS_ENDPOINT_URL_SSO", ep, 1);
    assert_int_equal(cm_aws_sso_credentials(&q, &out, err, sizeof(err)), 0);
    assert_string_equal(out.key_id, "ASIASSO");
    assert_int_equal(out.expires_ms, 1893553445000LL);
    assert_non_null(strstr(fake_req(&srv, 0), "GET /federation/credentials?account_id=123456789012"
                                              "&role_name=Reader%20Role HTTP/1.1"));
    assert_non_null(strstr(fake_req(&srv, 0), "x-amz-sso_bearer_token: bearer-1\r\n"));
    server_stop(&srv);
    unsetenv("AWS_ENDPOINT_URL_SSO");
    unlink(path);
    snprintf(path, sizeof(path), "%s/.aws/sso/cache", home);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/.aws/sso", home);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/.aws", home);
    rmdir(path);
    rmdir(home);
    if (saved != NULL) {
        setenv("HOME", saved, 1);
        free(saved);
    }
    clean_env();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assume_role_signed),
        cmocka_unit_test(test_web_identity_unsigned),
        cmocka_unit_test(test_sts_endpoint),
        cmocka_unit_test(test_container),
        cmocka_unit_test(test_sso),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
