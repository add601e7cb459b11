/*
 * Webhook headers that refer to named secrets (src/bus/target_secret.c, target.c's
 * cm_tspec_map_refs, target_webhook.c): the reference's forms and canonical form, the
 * binding check at put time, the value read at delivery (file and environment, rotation,
 * the trailing newline, the values refused), and a delivery whose secret cannot be had
 * failing before any connection with a message that names the secret, never the value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "bus/target.h"

#define HOOK "https://hooks.example/in"

static char dir[] = "/tmp/cm-test-secret-XXXXXX";
static char file[sizeof(dir) + 16];
static char *const urls[] = {HOOK, "http://127.0.0.1:9/x"};
static struct cm_target_secret defs[2];
static const struct cm_target_secrets set = {defs, 2};

static void put_file(const char *text, size_t n)
{
    FILE *f = fopen(file, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(file, sizeof(file), "%s/token", dir);
    defs[0] = (struct cm_target_secret){"hook", file, NULL, urls, 1};
    defs[1] = (struct cm_target_secret){"envy", NULL, "CM_TEST_SECRET_VALUE", urls, 2};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(file);
    rmdir(dir);
    return 0;
}

/* The webhook kind's check: 0 and its canonical form, or CM_EINVAL and err. */
static int check(const char *spec, struct cm_buf *canon, char *err, size_t errlen)
{
    cm_buf_reset(canon);
    return cm_target_check(cm_target_kind("webhook"), spec, strlen(spec), canon, err, errlen);
}

static void test_reference_forms(void **state)
{
    struct cm_buf canon;
    char err[512] = "";

    (void)state;
    cm_buf_init(&canon, 0);
    /* kept as given, members in a fixed order; a literal beside it unchanged */
    assert_int_equal(check("{\"headers\":{\"X-B\":\"lit\",\"Authorization\":{\"prefix\":\"Bearer "
                           "\",\"secret\":\"hook\"}},\"url\":\"" HOOK "/a\"}",
                           &canon, err, sizeof(err)),
                     0);
    assert_string_equal(canon.p, "{\"url\":\"" HOOK "/a\",\"headers\":{\"Authorization\":{"
                                 "\"secret\":\"hook\",\"prefix\":\"Bearer \"},\"X-B\":\"lit\"},"
                                 "\"timeout_seconds\":10}");
    /* the canonical form is a fixed point */
    {
        char again[1024];

        snprintf(again, sizeof(again), "%s", canon.p);
        assert_int_equal(check(again, &canon, err, sizeof(err)), 0);
        assert_string_equal(canon.p, again);
    }
    /* no prefix, or an empty one: {"secret": NAME} */
    assert_int_equal(check("{\"url\":\"" HOOK "\",\"headers\":{\"X-T\":{\"secret\":\"a.b_c-1\","
                           "\"prefix\":\"\"}}}",
                           &canon, err, sizeof(err)),
                     0);
    assert_non_null(strstr(canon.p, "\"headers\":{\"X-T\":{\"secret\":\"a.b_c-1\"}}"));

    /* refused, naming the header */
    static const struct {
        const char *headers, *want;
    } bad[] = {
        {"{\"A\":{}}", "headers.A: a reference is {\"secret\": NAME}"},
        {"{\"A\":{\"prefix\":\"x\"}}", "headers.A: a reference is"},
        {"{\"A\":{\"secret\":\"s\",\"value\":\"v\"}}", "headers.A: a reference is"},
        {"{\"A\":{\"secret\":\"s\",\"secret\":\"t\"}}", "headers.A: a reference is"},
        {"{\"A\":{\"secret\":1}}", "headers.A.secret:"},
        {"{\"A\":{\"secret\":\"\"}}", "headers.A.secret: a secret's name is 1 to 64"},
        {"{\"A\":{\"secret\":\"a b\"}}", "headers.A.secret: a secret's name"},
        {"{\"A\":{\"secret\":\"s\",\"prefix\":\"x\\r\\ny\"}}",
         "headers.A.prefix: the value holds a CR"},
        {"{\"A\":{\"secret\":\"s\",\"prefix\":2}}", "headers.A.prefix:"},
        {"{\"Host\":{\"secret\":\"s\"}}", "headers.Host: set by coalmine"},
        {"[1]", "headers: must be an object of strings or secret references"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char spec[512];

        snprintf(spec, sizeof(spec), "{\"url\":\"" HOOK "\",\"headers\":%s}", bad[i].headers);
        err[0] = '\0';
        if (check(spec, &canon, err, sizeof(err)) != CM_EINVAL ||
            strstr(err, bad[i].want) == NULL) {
            fail_msg("%s: got \"%s\", want \"%s\"", spec, err, bad[i].want);
        }
    }
    /* env and properties stay strings only */
    {
        const char *env = "{\"argv\":[\"/bin/true\"],\"env\":{\"A\":{\"secret\":\"s\"}}}";

        assert_int_equal(
            cm_target_check(cm_target_kind("exec"), env, strlen(env), &canon, err, sizeof(err)),
            CM_EINVAL);
        assert_non_null(strstr(err, "env.A:"));
    }
    cm_buf_finish(&canon);
}

static void test_binding_at_put(void **state)
{
    const struct cm_target_kind *k = cm_target_kind("webhook");
    const struct cm_target_secrets none = {NULL, 0};
    char err[512];
    const char *ok = "{\"url\":\"" HOOK "/deep/er\",\"headers\":{\"A\":{\"secret\":\"hook\"}}}";
    const char *away = "{\"url\":\"https://hooks.example/inside\",\"headers\":{\"A\":{\"secret\":"
                       "\"hook\"}}}";
    const char *other = "{\"url\":\"http://hooks.example/in\",\"headers\":{\"A\":{\"secret\":"
                        "\"hook\"}}}";
    const char *undef = "{\"url\":\"" HOOK "\",\"headers\":{\"A\":\"lit\",\"B\":{\"secret\":"
                        "\"nope\"}}}";

    (void)state;
    assert_int_equal(cm_target_secrets_check(k, ok, strlen(ok), &set, err, sizeof(err)), 0);
    /* a path that only starts like the entry's, another scheme: not under it */
    assert_int_equal(cm_target_secrets_check(k, away, strlen(away), &set, err, sizeof(err)),
                     CM_EINVAL);
    assert_non_null(strstr(err, "secret hook may not be sent to https://hooks.example/inside"));
    assert_non_null(strstr(err, "secrets.hook.urls"));
    assert_int_equal(cm_target_secrets_check(k, other, strlen(other), &set, err, sizeof(err)),
                     CM_EINVAL);
    assert_int_equal(cm_target_secrets_check(k, undef, strlen(undef), &set, err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(err, "secret nope is not defined in coalmine.yaml");
    /* no config at hand: passes (delivery checks); an empty one: refused */
    assert_int_equal(cm_target_secrets_check(k, undef, strlen(undef), NULL, err, sizeof(err)), 0);
    assert_int_equal(cm_target_secrets_check(k, ok, strlen(ok), &none, err, sizeof(err)),
                     CM_EINVAL);
    /* literal headers and other kinds refer to nothing */
    {
        const char *lit = "{\"url\":\"http://x/\",\"headers\":{\"A\":\"v\"}}";
        const char *path = "{\"path\":\"/tmp/x\"}";

        assert_int_equal(cm_target_secrets_check(k, lit, strlen(lit), &none, err, sizeof(err)), 0);
        assert_int_equal(cm_target_secrets_check(cm_target_kind("file"), path, strlen(path), &none,
                                                 err, sizeof(err)),
                         0);
    }
}

static void test_value(void **state)
{
    char v[64], err[512];

    (void)state;
    /* a file, its newline cut; read again after it changed */
    put_file("tok-1\n", 6);
    assert_int_equal(
        cm_target_secret_value(&set, "hook", HOOK "/a", v, sizeof(v), err, sizeof(err)), 0);
    assert_string_equal(v, "tok-1");
    put_file("tok-2\r\n", 7);
    assert_int_equal(cm_target_secret_value(&set, "hook", HOOK, v, sizeof(v), err, sizeof(err)), 0);
    assert_string_equal(v, "tok-2");
    put_file("tok-3", 5);
    assert_int_equal(cm_target_secret_value(&set, "hook", HOOK, v, sizeof(v), err, sizeof(err)), 0);
    assert_string_equal(v, "tok-3");

    /* refused values: the secret and the file named, the value never */
    static const struct {
        const char *text;
        size_t n;
        const char *want;
    } bad[] = {
        {"", 0, "is empty"},
        {"\n", 1, "is empty"},
        {"tok-x\nmore\n", 11, "holds a CR, LF or NUL"},
        {"tok-x\rmore", 10, "holds a CR, LF or NUL"},
        {"tok-x\0more", 10, "holds a CR, LF or NUL"},
        {NULL, 80, "is too long for a header"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char longer[80];

        memset(longer, 'x', sizeof(longer));
        put_file(bad[i].text != NULL ? bad[i].text : longer, bad[i].n);
        err[0] = '\0';
        assert_int_equal(cm_target_secret_value(&set, "hook", HOOK, v, sizeof(v), err, sizeof(err)),
                         CM_EINVAL);
        if (strstr(err, bad[i].want) == NULL || strstr(err, "secret hook") == NULL ||
            strstr(err, file) == NULL || strstr(err, "tok-") != NULL) {
            fail_msg("case %zu: \"%s\"", i, err);
        }
        assert_string_equal(v, "");
    }
    unlink(file);
    assert_int_equal(cm_target_secret_value(&set, "hook", HOOK, v, sizeof(v), err, sizeof(err)),
                     CM_EIO);
    assert_non_null(strstr(err, "secret hook: "));

    /* the environment, read at each call */
    unsetenv("CM_TEST_SECRET_VALUE");
    assert_int_equal(cm_target_secret_value(&set, "envy", HOOK, v, sizeof(v), err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(err,
                        "secret envy: the environment variable CM_TEST_SECRET_VALUE is not set");
    setenv("CM_TEST_SECRET_VALUE", "env-1", 1);
    assert_int_equal(cm_target_secret_value(&set, "envy", "http://127.0.0.1:9/x/y", v, sizeof(v),
                                            err, sizeof(err)),
                     0);
    assert_string_equal(v, "env-1");
    setenv("CM_TEST_SECRET_VALUE", "env-2", 1);
    assert_int_equal(cm_target_secret_value(&set, "envy", HOOK, v, sizeof(v), err, sizeof(err)), 0);
    assert_string_equal(v, "env-2");

    /* checked again at delivery: bound, defined */
    assert_int_equal(cm_target_secret_value(&set, "envy", "http://127.0.0.1:10/x", v, sizeof(v),
                                            err, sizeof(err)),
                     CM_EINVAL);
    assert_non_null(strstr(err, "secrets.envy.urls"));
    assert_int_equal(cm_target_secret_value(&set, "nope", HOOK, v, sizeof(v), err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(err, "secret nope is not defined in coalmine.yaml");
    assert_int_equal(cm_target_secret_value(NULL, "hook", HOOK, v, sizeof(v), err, sizeof(err)),
                     CM_EINVAL);
    unsetenv("CM_TEST_SECRET_VALUE");
}

/* A delivery whose secret cannot be had fails before connecting, naming header and secret. */
static void test_deliver_fails_before_connecting(void **state)
{
    const struct cm_target_kind *k = cm_target_kind("webhook");
    struct cm_target_ctx ctx = {"r", "t", NULL, NULL, -1, 1, 0, false, NULL, &set};
    const char *spec = "{\"url\":\"" HOOK "\",\"headers\":{\"Authorization\":{"
                       "\"secret\":\"hook\",\"prefix\":\"Bearer \"}},\"timeout_seconds\":1}";
    const char *unbound = "{\"url\":\"http://127.0.0.1:9/y\",\"headers\":{\"Authorization\":{"
                          "\"secret\":\"envy\"}},\"timeout_seconds\":1}";
    char err[512];

    (void)state;
    unlink(file);
    assert_int_equal(cm_target_deliver(k, spec, strlen(spec), "{}", 2, &ctx, err, sizeof(err)),
                     CM_EIO);
    assert_non_null(strstr(err, "webhook " HOOK ": headers.Authorization: secret hook: "));
    setenv("CM_TEST_SECRET_VALUE", "tok-env", 1);
    assert_int_equal(
        cm_target_deliver(k, unbound, strlen(unbound), "{}", 2, &ctx, err, sizeof(err)), CM_EINVAL);
    assert_non_null(strstr(err, "secret envy may not be sent to http://127.0.0.1:9/y"));
    assert_null(strstr(err, "tok-env"));
    ctx.secrets = NULL;
    assert_int_equal(cm_target_deliver(k, spec, strlen(spec), "{}", 2, &ctx, err, sizeof(err)),
                     CM_EINVAL);
    assert_non_null(strstr(err, "secret hook is not defined in coalmine.yaml"));
    unsetenv("CM_TEST_SECRET_VALUE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_forms),
        cmocka_unit_test(test_binding_at_put),
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_deliver_fails_before_connecting),
    };
    int rc;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
