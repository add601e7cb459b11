/*
 * The aws CLI's credentials and config files (lib/aws/aws_ini.c): a profile's
 * settings by the file's naming ("[name]" in credentials, "[profile name]" in
 * config, "[default]" in both), comments, nested settings, blanks around '=',
 * and what is refused with the line (never the value: it may be a secret).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "aws/aws_ini.h"
#include "base/err.h"

static const char creds[] = "# a comment\n"
                            "[default]\n"
                            "aws_access_key_id = AKIADEFAULT\n"
                            "aws_secret_access_key=secret/default+x=\n"
                            "\n"
                            "; another comment\n"
                            "[ work ]\r\n"
                            "aws_access_key_id\t=  ASIAWORK  \r\n"
                            "aws_secret_access_key = work-secret\r\n"
                            "aws_session_token = tok==\r\n";

static const char config[] = "[default]\n"
                             "region = eu-west-1\n"
                             "[profile work]\n"
                             "region = ap-south-1\n"
                             "s3 =\n"
                             "    addressing_style = path\n"
                             "endpoint_url = http://127.0.0.1:9000\n"
                             "[work]\n"
                             "region = not-this-one-1\n";

static void test_credentials_file(void **state)
{
    struct cm_aws_profile *p = calloc(1, sizeof(*p));
    char why[200] = "";

    (void)state;
    assert_int_equal(cm_aws_ini_read(creds, strlen(creds), "default", false, p, why, sizeof(why)),
                     0);
    assert_true(p->found);
    assert_string_equal(p->key_id, "AKIADEFAULT");
    assert_string_equal(p->secret, "secret/default+x=");
    assert_string_equal(p->token, "");
    memset(p, 0, sizeof(*p));
    assert_int_equal(cm_aws_ini_read(creds, strlen(creds), "work", false, p, why, sizeof(why)), 0);
    assert_string_equal(p->key_id, "ASIAWORK");
    assert_string_equal(p->secret, "work-secret");
    assert_string_equal(p->token, "tok==");
    memset(p, 0, sizeof(*p));
    assert_int_equal(cm_aws_ini_read(creds, strlen(creds), "nope", false, p, why, sizeof(why)), 0);
    assert_false(p->found);
    assert_string_equal(p->key_id, "");
    free(p);
}

static void test_config_file(void **state)
{
    struct cm_aws_profile *p = calloc(1, sizeof(*p));
    char why[200] = "";

    (void)state;
    assert_int_equal(cm_aws_ini_read(config, strlen(config), "work", true, p, why, sizeof(why)), 0);
    /* "[profile work]", not "[work]"; the nested s3 lines skipped. */
    assert_string_equal(p->region, "ap-south-1");
    assert_string_equal(p->endpoint_url, "http://127.0.0.1:9000");
    memset(p, 0, sizeof(*p));
    assert_int_equal(cm_aws_ini_read(config, strlen(config), "default", true, p, why, sizeof(why)),
                     0);
    assert_string_equal(p->region, "eu-west-1");
    /* What the file does not set stays as it was (the credentials file's). */
    memset(p, 0, sizeof(*p));
    strcpy(p->key_id, "KEPT");
    assert_int_equal(cm_aws_ini_read(config, strlen(config), "work", true, p, why, sizeof(why)), 0);
    assert_string_equal(p->key_id, "KEPT");
    free(p);
}

static void test_refused(void **state)
{
    struct cm_aws_profile *p = calloc(1, sizeof(*p));
    char why[200] = "", *big;
    static const char nobracket[] = "[default]\nregion = x\n[work\n";
    static const char noeq[] = "[default]\naws_secret_access_key SECRETVALUE\n";
    size_t n = CM_AWS_INI_VALUE + 64;

    (void)state;
    assert_int_equal(
        cm_aws_ini_read(nobracket, strlen(nobracket), "default", false, p, why, sizeof(why)),
        CM_ESYNTAX);
    assert_non_null(strstr(why, "line 3"));
    assert_int_equal(cm_aws_ini_read(noeq, strlen(noeq), "default", false, p, why, sizeof(why)),
                     CM_ESYNTAX);
    assert_non_null(strstr(why, "line 2"));
    assert_null(strstr(why, "SECRETVALUE"));
    big = malloc(n + 64);
    strcpy(big, "[default]\naws_secret_access_key = ");
    memset(big + strlen(big), 'S', CM_AWS_INI_VALUE);
    big[35 + CM_AWS_INI_VALUE] = '\0';
    assert_int_equal(cm_aws_ini_read(big, strlen(big), "default", false, p, why, sizeof(why)),
                     CM_E2BIG);
    assert_non_null(strstr(why, "line 2: the value of aws_secret_access_key"));
    assert_null(strstr(why, "SSSS"));
    free(big);
    free(p);
}

static void test_roles_and_sso_session(void **state)
{
    static const char text[] = "[profile dev]\n"
                               "role_arn = arn:aws:iam::1:role/dev\n"
                               "source_profile = base\n"
                               "credential_process = /bin/tool \"a b\"\n"
                               "sso_session = corp\n"
                               "[sso-session corp]\n"
                               "sso_start_url = https://corp.awsapps.com/start\n"
                               "sso_region = eu-central-1\n"
                               "[profile corp]\n"
                               "sso_region = not-this-1\n";
    struct cm_aws_profile *p = calloc(1, sizeof(*p)), *q = calloc(1, sizeof(*q));
    char why[200] = "";

    (void)state;
    assert_int_equal(cm_aws_ini_read(text, strlen(text), "dev", true, p, why, sizeof(why)), 0);
    assert_string_equal(p->role_arn, "arn:aws:iam::1:role/dev");
    assert_string_equal(p->source_profile, "base");
    assert_string_equal(p->credential_process, "/bin/tool \"a b\"");
    assert_string_equal(p->sso_session, "corp");
    /* "[sso-session corp]" is read only by that name, never as a profile. */
    assert_int_equal(cm_aws_ini_read(text, strlen(text), CM_AWS_INI_SSO_SESSION "corp", true, q,
                                     why, sizeof(why)),
                     0);
    assert_true(q->found);
    assert_string_equal(q->sso_start_url, "https://corp.awsapps.com/start");
    assert_string_equal(q->sso_region, "eu-central-1");
    memset(q, 0, sizeof(*q));
    assert_int_equal(cm_aws_ini_read(text, strlen(text), "corp", true, q, why, sizeof(why)), 0);
    assert_string_equal(q->sso_region, "not-this-1");
    /* The config file fills in what the credentials file left empty. */
    memset(q, 0, sizeof(*q));
    strcpy(q->role_arn, "KEPT");
    cm_aws_profile_merge(q, p);
    assert_string_equal(q->role_arn, "KEPT");
    assert_string_equal(q->source_profile, "base");
    free(p);
    free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credentials_file),
        cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_roles_and_sso_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
