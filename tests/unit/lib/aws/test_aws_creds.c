/*
 * What the temporary-credentials providers answer with (lib/aws/aws_sts_xml.c,
 * aws_cred_json.c) and credential_process's command line (aws_shlex.c): STS's
 * credentials and errors, namespaced or not; what is refused (a credential missing, with a
 * space, an Expiration that is not a time, not XML) with the reason and the credentials
 * wiped; a process's JSON Version 1 and the container's JSON; shlex.split's results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "aws/aws_creds.h"
#include "aws/aws_shlex.h"
#include "base/err.h"

static struct cm_aws_creds c;
static struct cm_aws_sts_error e;
static char why[300];

static int sts(const char *xml)
{
    why[0] = '\0';
    return cm_aws_sts_parse(xml, strlen(xml), &c, &e, why, sizeof(why));
}

#define CREDS(id, secret, token, exp)                                                              \
    "<Credentials><AccessKeyId>" id "</AccessKeyId><SecretAccessKey>" secret                       \
    "</SecretAccessKey><SessionToken>" token "</SessionToken><Expiration>" exp                     \
    "</Expiration></Credentials>"

static void test_sts(void **state)
{
    (void)state;
    assert_int_equal(
        sts("<?xml version=\"1.0\"?>\n<AssumeRoleResponse xmlns=\"https://sts."
            "amazonaws.com/doc/2011-06-15/\">\n<AssumeRoleResult>\n"
            "<AssumedRoleUser><Arn>a</Arn></AssumedRoleUser>\n" CREDS(
                "ASIA1", "sec/+=", "tok", "2030-01-02T03:04:05Z") "</AssumeRoleResult>"
                                                                  "</AssumeRoleResponse>"),
        0);
    assert_string_equal(c.key_id, "ASIA1");
    assert_string_equal(c.secret, "sec/+=");
    assert_string_equal(c.token, "tok");
    assert_int_equal(c.expires_ms, 1893553445000LL);
    /* An error: its code and message, a line break in the message made a space. */
    assert_int_equal(sts("<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
                         "<Message>The security token\nis expired</Message></Error>"
                         "<RequestId>r</RequestId></ErrorResponse>"),
                     CM_ENOTFOUND);
    assert_string_equal(e.code, "ExpiredToken");
    assert_string_equal(e.message, "The security token is expired");
    /* Refused: with the reason, never the secret, the credentials wiped. */
    assert_int_equal(sts("<AssumeRoleResponse><AssumeRoleResult>" CREDS(
                         "ASIA1", "se cret", "t", "2030-01-02T03:04:05Z") "</AssumeRoleResult>"
                                                                          "</AssumeRoleResponse>"),
                     CM_EINVAL);
    assert_non_null(strstr(why, "SecretAccessKey is empty or holds a space"));
    assert_null(strstr(why, "se cret"));
    assert_string_equal(c.secret, "");
    assert_int_equal(sts("<AssumeRoleResponse><AssumeRoleResult>" CREDS(
                         "ASIA1", "s", "t", "soon") "</AssumeRoleResult></AssumeRoleResponse>"),
                     CM_EINVAL);
    assert_string_equal(why, "the Expiration 'soon' is not an ISO 8601 time");
    assert_string_equal(c.token, "");
    assert_int_equal(sts("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A"
                         "</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>"),
                     CM_EINVAL);
    assert_string_equal(why, "the answer's Credentials lack SecretAccessKey");
    assert_int_equal(sts("<ListBucketResult/>"), CM_EFORMAT);
    assert_int_equal(sts("<AssumeRoleResponse><x>"), CM_ESYNTAX);
    assert_non_null(strstr(why, "line 1, column"));
    assert_int_equal(sts(""), CM_ESYNTAX);
    /* An entity declared (a hostile or broken STS): refused before it is used. */
    assert_int_equal(sts("<!DOCTYPE r [<!ENTITY s \"sec\">]><AssumeRoleResponse>"
                         "<AssumeRoleResult>" CREDS(
                             "ASIA1", "&s;", "t",
                             "2030-01-02T03:04:05Z") "</AssumeRoleResult></AssumeRoleResponse>"),
                     CM_ESYNTAX);
    assert_non_null(strstr(why, "an entity declaration"));
    assert_string_equal(c.secret, "");
}

static int json(const char *s, bool process)
{
    why[0] = '\0';
    return cm_aws_cred_json_parse(s, strlen(s), process, &c, why, sizeof(why));
}

static void test_json(void **state)
{
    (void)state;
    assert_int_equal(json("{\"Version\": 1, \"AccessKeyId\": \"AKIAP\", \"SecretAccessKey\": "
                          "\"s\\/x\"}",
                          true),
                     0);
    assert_string_equal(c.secret, "s/x");
    assert_string_equal(c.token, "");
    assert_int_equal(c.expires_ms, 0);
    assert_int_equal(json("{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\","
                          " \"SessionToken\": \"t\", \"Expiration\": \"2030-01-02T03:04:05Z\"}",
                          true),
                     0);
    assert_int_equal(c.expires_ms, 1893553445000LL);
    assert_int_equal(json("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}", true), CM_EINVAL);
    assert_string_equal(why, "no Version (1 expected)");
    assert_int_equal(
        json("{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}", true),
        CM_EINVAL);
    assert_int_equal(json("{\"Version\": 1, \"AccessKeyId\": \"A\"}", true), CM_EINVAL);
    assert_string_equal(why, "no SecretAccessKey");
    assert_int_equal(json("{\"Version\": 1, \"AccessKeyId\": \"A\\u0000B\", \"SecretAccessKey\":"
                          " \"s\"}",
                          true),
                     CM_EINVAL);
    assert_int_equal(json("{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\","
                          " \"Expiration\": \"tomorrow\"}",
                          true),
                     CM_EINVAL);
    assert_string_equal(c.secret, "");
    assert_int_equal(json("Version=1", true), CM_ESYNTAX);
    /* The container's: Token, and an Expiration required. */
    assert_int_equal(json("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\", \"Token\": \"t\","
                          " \"Expiration\": \"2030-01-02T03:04:05Z\", \"RoleArn\": \"r\"}",
                          false),
                     0);
    assert_string_equal(c.token, "t");
    assert_int_equal(json("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}", false),
                     CM_EINVAL);
    assert_string_equal(
        why, "no Expiration"); /* The instance metadata service's: the same, with Code Success. */
    assert_int_equal(json("{\"Code\": \"Success\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": "
                          "\"A\", \"SecretAccessKey\": \"s\", \"Token\": \"t\", \"Expiration\": "
                          "\"2030-01-02T03:04:05Z\"}",
                          false),
                     0);
    assert_int_equal(
        json("{\"Code\": \"AssumeRoleUnauthorizedAccess\", \"AccessKeyId\": \"A\"}", false),
        CM_EINVAL);
    assert_string_equal(why, "Code AssumeRoleUnauthorizedAccess");
    assert_string_equal(c.key_id, "");
    assert_int_equal(json("{\"Code\": 7, \"AccessKeyId\": \"A\"}", false), CM_EINVAL);
    assert_string_equal(why, "Code is not a string");
}

/* Splits s and joins the words as "[w]" for comparing. */
static int split(const char *s, char *out, size_t cap)
{
    char buf[512], *argv[CM_AWS_SHLEX_MAX_ARGS + 1];
    size_t argc = 0;
    int rc = cm_aws_shlex_split(s, buf, sizeof(buf), argv, &argc, why, sizeof(why));

    out[0] = '\0';
    for (size_t i = 0; rc == 0 && i < argc; i++) {
        strncat(out, "[", cap - strlen(out) - 1);
        strncat(out, argv[i], cap - strlen(out) - 1);
        strncat(out, "]", cap - strlen(out) - 1);
    }
    return rc;
}

static void test_shlex(void **state)
{
    char out[512];

    (void)state;
    /* Python: shlex.split(...) for each of these. */
    assert_int_equal(split("  /usr/bin/tool  --profile\tprod ", out, sizeof(out)), 0);
    assert_string_equal(out, "[/usr/bin/tool][--profile][prod]");
    assert_int_equal(split("'/opt/my tool' \"a b\" c\\ d", out, sizeof(out)), 0);
    assert_string_equal(out, "[/opt/my tool][a b][c d]");
    assert_int_equal(split("\"q\\\"x\" \"k\\$v\" 'no\\esc' a''b \"\"", out, sizeof(out)), 0);
    assert_string_equal(out, "[q\"x][k\\$v][no\\esc][ab][]");
    assert_int_equal(split("a#b # c $HOME", out, sizeof(out)), 0);
    assert_string_equal(out, "[a#b][#][c][$HOME]");
    assert_int_equal(split("tool 'open", out, sizeof(out)), CM_ESYNTAX);
    assert_string_equal(why, "no closing quotation (')");
    assert_int_equal(split("tool \\", out, sizeof(out)), CM_ESYNTAX);
    assert_int_equal(split("   ", out, sizeof(out)), CM_EINVAL);
}

static void test_sso(void **state)
{
    char tok[64];
    int64_t exp = 0;
    const char *t = "{\"startUrl\": \"https://x\", \"accessToken\": \"aoa.tok\", "
                    "\"expiresAt\": \"2030-01-02T03:04:05UTC\"}";
    const char *r = "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", \"secretAccessKey\": "
                    "\"s\", \"sessionToken\": \"t\", \"expiration\": 1893553445000}}";

    (void)state;
    assert_int_equal(cm_aws_sso_token_parse(t, strlen(t), tok, sizeof(tok), &exp, why, sizeof(why)),
                     0);
    assert_string_equal(tok, "aoa.tok");
    assert_int_equal(exp, 1893553445000LL);
    t = "{\"accessToken\": \"a b\", \"expiresAt\": \"2030-01-02T03:04:05Z\"}";
    assert_int_equal(cm_aws_sso_token_parse(t, strlen(t), tok, sizeof(tok), &exp, why, sizeof(why)),
                     CM_EINVAL);
    assert_string_equal(tok, "");
    t = "{\"accessToken\": \"ab\"}";
    assert_int_equal(cm_aws_sso_token_parse(t, strlen(t), tok, sizeof(tok), &exp, why, sizeof(why)),
                     CM_EINVAL);
    assert_string_equal(why, "no expiresAt string");
    assert_int_equal(cm_aws_sso_creds_parse(r, strlen(r), &c, why, sizeof(why)), 0);
    assert_string_equal(c.key_id, "ASIASSO");
    assert_int_equal(c.expires_ms, 1893553445000LL);
    r = "{\"roleCredentials\": {\"accessKeyId\": \"A\", \"secretAccessKey\": \"s\", "
        "\"sessionToken\": \"t\", \"expiration\": \"soon\"}}";
    assert_int_equal(cm_aws_sso_creds_parse(r, strlen(r), &c, why, sizeof(why)), CM_EINVAL);
    assert_string_equal(c.secret, "");
    assert_int_equal(cm_aws_sso_creds_parse("{}", 2, &c, why, sizeof(why)), CM_EINVAL);
    assert_string_equal(why, "no roleCredentials object");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sso),
        cmocka_unit_test(test_sts),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_shlex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
