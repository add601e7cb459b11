/*
 * The --credentials file and api.credentials (src/api/api_creds.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/api_creds.h"
#include "base/err.h"

static int parse(struct cm_api_creds *c, const char *text, char *why, size_t n)
{
    return cm_api_creds_parse(c, text, strlen(text), why, n);
}

static void test_ini(void **state)
{
    struct cm_api_creds c;
    char why[256] = "";
    (void)state;

    cm_api_creds_init(&c);
    assert_int_equal(parse(&c,
                           "# shared credentials\n"
                           "[default]\n"
                           "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                           "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n"
                           "region = us-east-1\n"
                           "\n"
                           "[profile ir]\n"
                           "  aws_secret_access_key = s2\n"
                           "  aws_access_key_id = AKIAI44QH8DHBEXAMPLE\n",
                           why, sizeof(why)),
                     0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.v[0].key_id, "AKIAIOSFODNN7EXAMPLE");
    assert_string_equal(c.v[0].secret, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assert_string_equal(c.v[1].key_id, "AKIAI44QH8DHBEXAMPLE");
    assert_string_equal(c.v[1].secret, "s2");
    cm_api_creds_finish(&c);
    assert_int_equal(c.n, 0);
}

static void test_lines(void **state)
{
    struct cm_api_creds c;
    char why[256] = "";
    (void)state;

    cm_api_creds_init(&c);
    assert_int_equal(parse(&c,
                           "AKIAIOSFODNN7EXAMPLE:secret:with:colons\n; comment\n"
                           "AKIAI44QH8DHBEXAMPLE : two\n",
                           why, sizeof(why)),
                     0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.v[0].secret, "secret:with:colons");
    assert_string_equal(c.v[1].key_id, "AKIAI44QH8DHBEXAMPLE");
    /* The same pair again is fine; another secret for the key is not. */
    assert_int_equal(cm_api_creds_add(&c, "AKIAI44QH8DHBEXAMPLE", "two", why, sizeof(why)), 0);
    assert_int_equal(cm_api_creds_add(&c, "AKIAI44QH8DHBEXAMPLE", "three", why, sizeof(why)),
                     CM_EEXIST);
    assert_int_equal(c.n, 2);
    cm_api_creds_finish(&c);
}

static void test_errors(void **state)
{
    struct cm_api_creds c;
    char why[256] = "";
    (void)state;

    cm_api_creds_init(&c);
    assert_int_equal(parse(&c, "", why, sizeof(why)), CM_EINVAL);
    assert_string_equal(why, "no credentials in the file");
    assert_int_equal(parse(&c, "# only\n\n", why, sizeof(why)), CM_EINVAL);
    assert_int_equal(parse(&c, "short:secret\n", why, sizeof(why)), CM_EINVAL);
    assert_string_equal(why, "1: an access key id is 16 to 128 characters");
    assert_int_equal(parse(&c, "\n\nAKIAIOSFODNN7EXAMPLE:has space\n", why, sizeof(why)),
                     CM_EINVAL);
    assert_non_null(strstr(why, "3: the secret access key of AKIAIOSFODNN7EXAMPLE has a space"));
    assert_null(strstr(why, "has space"));
    assert_int_equal(parse(&c, "[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", why, sizeof(why)),
                     CM_EINVAL);
    assert_string_equal(why, "1: the section has no aws_secret_access_key");
    /* A bad value is reported at its own line, not at its section's header. */
    assert_int_equal(parse(&c,
                           "# c\n\n[default]\naws_secret_access_key = abcdefgh\n"
                           "aws_access_key_id = short\n",
                           why, sizeof(why)),
                     CM_EINVAL);
    assert_string_equal(why, "5: an access key id is 16 to 128 characters");
    assert_int_equal(parse(&c,
                           "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\nregion = x\n"
                           "aws_secret_access_key = has space\n",
                           why, sizeof(why)),
                     CM_EINVAL);
    assert_non_null(strstr(why, "4: the secret access key of AKIAIOSFODNN7EXAMPLE has a space"));
    assert_int_equal(parse(&c, "[a\n", why, sizeof(why)), CM_EINVAL);
    assert_string_equal(why, "1: a section header is [name]");
    assert_int_equal(parse(&c, "just words\n", why, sizeof(why)), CM_EINVAL);
    assert_non_null(strstr(why, "1: neither KEY:SECRET"));
    assert_int_equal(parse(&c, "AKIAIOSFODNN7EXAMPL\xc3:x\n", why, sizeof(why)), CM_EINVAL);
    assert_int_equal(cm_api_creds_parse(&c, "A\0B", 3, why, sizeof(why)), CM_EINVAL);
    assert_string_equal(why, "1: a NUL byte");
    assert_int_equal(c.n, 0);
    for (int i = 0; i < CM_API_MAX_CREDS; i++) {
        char key[32];
        snprintf(key, sizeof(key), "AKIA%016d", i);
        assert_int_equal(cm_api_creds_add(&c, key, "s", why, sizeof(why)), 0);
    }
    assert_int_equal(cm_api_creds_add(&c, "AKIAONEMOREONEMORE12", "s", why, sizeof(why)), CM_EFULL);
    cm_api_creds_finish(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ini),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
