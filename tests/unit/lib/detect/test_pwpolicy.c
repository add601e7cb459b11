/*
 * Unit tests for lib/detect/pwpolicy.c: IAM's no-policy and omitted-member
 * defaults; reading UpdateAccountPasswordPolicy parameters logged as numbers,
 * booleans, strings, PascalCase names and escaped text; out-of-range and
 * unusable values (CM_EINVAL, that member at its default, the rest read);
 * the weakening table's edge cases (caps, removals, trades between settings)
 * and properties over random policies; severities; the GuardDuty JSON form
 * and its round trip through the reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "detect/ct.h"
#include "../../xorshift.h"

/* Parses json and reads it as request parameters; returns the reader's result. */
static int from_json(const char *json, struct cm_pwpolicy *p)
{
    struct cm_json_doc d;
    int rc;

    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, json, strlen(json), NULL), 0);
    rc = cm_pwpolicy_from_request(&d, 0, p);
    cm_json_doc_finish(&d);
    return rc;
}

/* IAM's defaults for an update that names nothing. */
static struct cm_pwpolicy dflt(void)
{
    struct cm_pwpolicy p;

    memset(&p, 0, sizeof(p));
    p.min_length = 6;
    return p;
}

/* A strong policy: 14 characters, all four classes, 90 days, 24 remembered. */
static struct cm_pwpolicy strong(void)
{
    struct cm_pwpolicy p = dflt();

    p.min_length = 14;
    p.symbols = p.numbers = p.upper = p.lower = true;
    p.allow_change = true;
    p.max_age = 90;
    p.reuse = 24;
    return p;
}

static void assert_policy_equal(const struct cm_pwpolicy *a, const struct cm_pwpolicy *b)
{
    assert_int_equal(a->min_length, b->min_length);
    assert_int_equal(a->symbols, b->symbols);
    assert_int_equal(a->numbers, b->numbers);
    assert_int_equal(a->upper, b->upper);
    assert_int_equal(a->lower, b->lower);
    assert_int_equal(a->allow_change, b->allow_change);
    assert_int_equal(a->hard_expiry, b->hard_expiry);
    assert_int_equal(a->max_age, b->max_age);
    assert_int_equal(a->reuse, b->reuse);
}

static void test_none(void **state)
{
    struct cm_pwpolicy p;
    (void)state;

    memset(&p, 0xff, sizeof(p));
    cm_pwpolicy_none(&p);
    assert_int_equal(p.min_length, 8);
    assert_false(p.symbols || p.numbers || p.upper || p.lower);
    assert_false(p.allow_change || p.hard_expiry);
    assert_int_equal(p.max_age, 0);
    assert_int_equal(p.reuse, 0);
    cm_pwpolicy_none(NULL); /* no crash */
}

static void test_full_request(void **state)
{
    struct cm_pwpolicy p, want = strong();
    (void)state;

    assert_int_equal(from_json("{\"minimumPasswordLength\": 14, \"requireSymbols\": true, "
                               "\"requireNumbers\": true, \"requireUppercaseCharacters\": true, "
                               "\"requireLowercaseCharacters\": true, "
                               "\"allowUsersToChangePassword\": true, \"maxPasswordAge\": 90, "
                               "\"passwordReusePrevention\": 24, \"hardExpiry\": false}",
                               &p),
                     0);
    assert_policy_equal(&p, &want);

    /* The IAM API's own names, as some tools log them. */
    assert_int_equal(from_json("{\"MinimumPasswordLength\": 14, \"RequireSymbols\": true, "
                               "\"RequireNumbers\": true, \"RequireUppercaseCharacters\": true, "
                               "\"RequireLowercaseCharacters\": true, "
                               "\"AllowUsersToChangePassword\": true, \"MaxPasswordAge\": 90, "
                               "\"PasswordReusePrevention\": 24, \"HardExpiry\": true}",
                               &p),
                     0);
    want.hard_expiry = true;
    assert_policy_equal(&p, &want);

    /* Keys are case-sensitive: neither spelling, so defaults. */
    assert_int_equal(from_json("{\"MINIMUMPASSWORDLENGTH\": 14, \"requiresymbols\": true}", &p), 0);
    want = dflt();
    assert_policy_equal(&p, &want);
}

static void test_string_forms(void **state)
{
    struct cm_pwpolicy p, want = strong();
    (void)state;

    assert_int_equal(from_json("{\"minimumPasswordLength\": \"14\", \"requireSymbols\": \"true\", "
                               "\"requireNumbers\": \"TRUE\", \"requireUppercaseCharacters\": 1, "
                               "\"requireLowercaseCharacters\": \"1\", "
                               "\"allowUsersToChangePassword\": \"true\", "
                               "\"maxPasswordAge\": \"90\", \"passwordReusePrevention\": 24.0, "
                               "\"hardExpiry\": \"false\"}",
                               &p),
                     0);
    assert_policy_equal(&p, &want);

    /* Escaped key and value: compared after unescaping. */
    assert_int_equal(from_json("{\"minimum\\u0050asswordLength\": \"\\u0031\\u0032\", "
                               "\"requireSymbols\": \"tru\\u0065\"}",
                               &p),
                     0);
    assert_int_equal(p.min_length, 12);
    assert_true(p.symbols);

    /* Exponent form of a whole number; "false" and 0 flags. */
    assert_int_equal(from_json("{\"minimumPasswordLength\": 1.2e1, \"requireSymbols\": 0, "
                               "\"requireNumbers\": \"0\", \"hardExpiry\": \"False\"}",
                               &p),
                     0);
    assert_int_equal(p.min_length, 12);
    assert_false(p.symbols || p.numbers || p.hard_expiry);
}

static void test_defaults(void **state)
{
    struct cm_pwpolicy p, want = dflt();
    struct cm_json_doc d;
    (void)state;

    /* Omitted members take IAM's defaults: min 6, flags off, no expiry, no reuse limit. */
    memset(&p, 0xff, sizeof(p));
    assert_int_equal(from_json("{}", &p), 0);
    assert_policy_equal(&p, &want);
    memset(&p, 0xff, sizeof(p));
    assert_int_equal(from_json("{\"requireSymbols\": true}", &p), 0);
    want.symbols = true;
    assert_policy_equal(&p, &want);

    /* No requestParameters at all, or a null one. */
    want = dflt();
    memset(&p, 0xff, sizeof(p));
    assert_int_equal(cm_pwpolicy_from_request(NULL, CM_JSON_NONE, &p), 0);
    assert_policy_equal(&p, &want);
    memset(&p, 0xff, sizeof(p));
    assert_int_equal(from_json("null", &p), 0);
    assert_policy_equal(&p, &want);

    /* A null member counts as left out; unknown members are ignored. */
    assert_int_equal(from_json("{\"minimumPasswordLength\": null, \"requireSymbols\": null, "
                               "\"foo\": [1, 2, {\"minimumPasswordLength\": 20}], \"bar\": \"x\"}",
                               &p),
                     0);
    assert_policy_equal(&p, &want);

    /* camelCase wins over PascalCase; of duplicates the first wins. */
    assert_int_equal(from_json("{\"MinimumPasswordLength\": 20, \"minimumPasswordLength\": 10, "
                               "\"minimumPasswordLength\": 30}",
                               &p),
                     0);
    assert_int_equal(p.min_length, 10);

    /* Bad arguments. */
    assert_int_equal(cm_pwpolicy_from_request(NULL, CM_JSON_NONE, NULL), CM_EINVAL);
    assert_int_equal(cm_pwpolicy_from_request(NULL, 0, &p), CM_EINVAL);
    assert_policy_equal(&p, &want);
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, "{}", 2, NULL), 0);
    assert_int_equal(cm_pwpolicy_from_request(&d, 5, &p), CM_EINVAL); /* past the tape */
    cm_json_doc_finish(&d);
}

static void test_out_of_range(void **state)
{
    static const struct {
        const char *json;
        int rc;
        int32_t min_length, max_age, reuse;
    } cases[] = {
        {"{\"minimumPasswordLength\": 6}", 0, 6, 0, 0},
        {"{\"minimumPasswordLength\": 128}", 0, 128, 0, 0},
        {"{\"minimumPasswordLength\": 5}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": 129}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": -14}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": \"5\"}", CM_EINVAL, 6, 0, 0},
        {"{\"maxPasswordAge\": 1095}", 0, 6, 1095, 0},
        {"{\"maxPasswordAge\": 0}", 0, 6, 0, 0},
        {"{\"maxPasswordAge\": 1096}", CM_EINVAL, 6, 0, 0},
        {"{\"maxPasswordAge\": -1}", CM_EINVAL, 6, 0, 0},
        {"{\"passwordReusePrevention\": 24}", 0, 6, 0, 24},
        {"{\"passwordReusePrevention\": 25}", CM_EINVAL, 6, 0, 0},
        {"{\"passwordReusePrevention\": -1}", CM_EINVAL, 6, 0, 0},
        /* Unusable values. */
        {"{\"minimumPasswordLength\": 14.5}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": 99999999999999999999999}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": 1e400}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": \"14 \"}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": \"\"}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": true}", CM_EINVAL, 6, 0, 0},
        {"{\"minimumPasswordLength\": [14]}", CM_EINVAL, 6, 0, 0},
        {"{\"maxPasswordAge\": {\"days\": 90}}", CM_EINVAL, 6, 0, 0},
        {"{\"passwordReusePrevention\": \"\\u0032\\u0034\\u0020\\u0020\\u0020\\u0020\\u0020\"}",
         CM_EINVAL, 6, 0, 0},
    };
    struct cm_pwpolicy p;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(from_json(cases[i].json, &p), cases[i].rc);
        assert_int_equal(p.min_length, cases[i].min_length);
        assert_int_equal(p.max_age, cases[i].max_age);
        assert_int_equal(p.reuse, cases[i].reuse);
    }
}

static void test_bad_values_rest_filled(void **state)
{
    struct cm_pwpolicy p, want = strong();
    (void)state;

    /* Two bad members keep their defaults; every other member is still read. */
    assert_int_equal(from_json("{\"minimumPasswordLength\": 3, \"requireSymbols\": true, "
                               "\"requireNumbers\": true, \"requireUppercaseCharacters\": true, "
                               "\"requireLowercaseCharacters\": \"yes\", "
                               "\"allowUsersToChangePassword\": true, \"maxPasswordAge\": 90, "
                               "\"passwordReusePrevention\": 24, \"hardExpiry\": false}",
                               &p),
                     CM_EINVAL);
    want.min_length = 6;
    want.lower = false;
    assert_policy_equal(&p, &want);

    /* Flags: anything but a boolean, 0/1 or their strings. */
    assert_int_equal(from_json("{\"requireSymbols\": 2}", &p), CM_EINVAL);
    assert_false(p.symbols);
    assert_int_equal(from_json("{\"requireSymbols\": \"on\"}", &p), CM_EINVAL);
    assert_int_equal(from_json("{\"requireSymbols\": {}}", &p), CM_EINVAL);
    assert_int_equal(from_json("{\"requireSymbols\": 0.5}", &p), CM_EINVAL);

    /* The root must be an object (or null). */
    memset(&p, 0xff, sizeof(p));
    assert_int_equal(from_json("[{\"minimumPasswordLength\": 14}]", &p), CM_EINVAL);
    want = dflt();
    assert_policy_equal(&p, &want);
    assert_int_equal(from_json("\"minimumPasswordLength=14\"", &p), CM_EINVAL);
    assert_int_equal(from_json("14", &p), CM_EINVAL);
}

static void test_weakening_table(void **state)
{
    struct cm_pwpolicy a = strong(), b;
    (void)state;

    /* Same policy. */
    b = a;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);

    /* Length: 1 point a character, at most 4. */
    b = a;
    b.min_length = 13;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 1);
    b.min_length = 11;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 3);
    b.min_length = 10;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 4);
    b.min_length = 6;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 4);

    /* Flags: one point each. */
    b = a;
    b.symbols = false;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 1);
    b.numbers = b.upper = b.lower = false;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 4);

    /* Reuse prevention: lowered 1, to 0 2. */
    b = a;
    b.reuse = 5;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 1);
    b.reuse = 23;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 1);
    b.reuse = 0;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 2);

    /* Maximum age: raised or removed 1; added or lowered is a strengthening. */
    b = a;
    b.max_age = 0;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 1);
    b.max_age = 180;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 1);
    b.max_age = 30;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);
    a.max_age = 0;
    b = a;
    b.max_age = 90;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);
    assert_int_equal(cm_pwpolicy_weakening(&b, &a), 1);
    a = strong();

    /* allowUsersToChangePassword and hardExpiry never count. */
    b = a;
    b.allow_change = false;
    b.hard_expiry = true;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);
    assert_int_equal(cm_pwpolicy_weakening(&b, &a), 0);

    /* Everything at once: 4 + 4 + 2 + 1. */
    b = dflt();
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 11);
    assert_int_equal(cm_pwpolicy_weakening(&b, &a), 0);

    /* Strong policy to IAM's no-policy: length 14 -> 8 capped, flags, reuse, age. */
    cm_pwpolicy_none(&b);
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 11);

    /* NULL: nothing to compare. */
    assert_int_equal(cm_pwpolicy_weakening(NULL, &b), 0);
    assert_int_equal(cm_pwpolicy_weakening(&a, NULL), 0);
}

static void test_weakening_trades(void **state)
{
    struct cm_pwpolicy a, b;
    (void)state;

    /* Length down 2, two flags added: equal in total, so not weaker. */
    a = dflt();
    a.min_length = 12;
    b = a;
    b.min_length = 10;
    b.symbols = b.numbers = true;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);
    assert_int_equal(cm_pwpolicy_weakening(&b, &a), 0);

    /* Length down 2, one flag added: weaker in total; the losses' points are reported. */
    b.numbers = false;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 2);

    /* Length down 3, three flags added and an expiry: stronger. */
    b = a;
    b.min_length = 9;
    b.symbols = b.numbers = b.upper = true;
    b.max_age = 90;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);

    /* Flags dropped and length raised a lot: the gain is capped at 4 like the loss. */
    a = strong();
    a.min_length = 8;
    b = a;
    b.min_length = 30;
    b.symbols = b.numbers = b.upper = b.lower = false;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);
    b.reuse = 10;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 5);

    /* A raised maximum age against a raised reuse count. */
    a = strong();
    a.reuse = 10;
    b = a;
    b.max_age = 365;
    b.reuse = 24;
    assert_int_equal(cm_pwpolicy_weakening(&a, &b), 0);
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
    return xorshift64(&rng_state);
}

static struct cm_pwpolicy random_policy(void)
{
    static const int32_t ages[] = {0, 1, 30, 90, 180, 1095};
    static const int32_t reuses[] = {0, 1, 5, 24};
    struct cm_pwpolicy p = dflt();
    uint64_t r = rnd();

    p.min_length = 6 + (int32_t)(r % 20);
    r /= 20;
    p.symbols = r & 1;
    p.numbers = (r >> 1) & 1;
    p.upper = (r >> 2) & 1;
    p.lower = (r >> 3) & 1;
    p.allow_change = (r >> 4) & 1;
    p.hard_expiry = (r >> 5) & 1;
    r >>= 6;
    p.max_age = ages[r % 6];
    p.reuse = reuses[(r / 6) % 4];
    return p;
}

static void test_weakening_properties(void **state)
{
    (void)state;

    for (int i = 0; i < 100000; i++) {
        struct cm_pwpolicy a = random_policy(), b = random_policy();
        int ab = cm_pwpolicy_weakening(&a, &b), ba = cm_pwpolicy_weakening(&b, &a);

        assert_int_equal(cm_pwpolicy_weakening(&a, &a), 0);
        assert_true(ab >= 0 && ab <= 11);
        assert_true(ba >= 0 && ba <= 11);
        assert_false(ab > 0 && ba > 0); /* never weaker both ways */
        /* Only the four scored settings matter. */
        b.allow_change = a.allow_change;
        b.hard_expiry = a.hard_expiry;
        assert_int_equal(cm_pwpolicy_weakening(&a, &b), ab);
    }
}

static void test_severity(void **state)
{
    (void)state;

    assert_true(cm_pwpolicy_severity(0) == 0.0);
    assert_true(cm_pwpolicy_severity(-3) == 0.0);
    assert_true(cm_pwpolicy_severity(1) == 2.0);
    assert_true(cm_pwpolicy_severity(2) == 2.0);
    assert_true(cm_pwpolicy_severity(3) == 5.0);
    assert_true(cm_pwpolicy_severity(5) == 5.0);
    assert_true(cm_pwpolicy_severity(6) == 8.0);
    assert_true(cm_pwpolicy_severity(11) == 8.0);
}

static void test_json(void **state)
{
    struct cm_pwpolicy p = strong(), q;
    struct cm_buf b;
    struct cm_jw jw;
    (void)state;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_pwpolicy_json(&p, &jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    assert_string_equal(b.p, "{\"minimumPasswordLength\":14,\"requireSymbols\":true,"
                             "\"requireNumbers\":true,\"requireUppercaseCharacters\":true,"
                             "\"requireLowercaseCharacters\":true,"
                             "\"allowUsersToChangePassword\":true,\"maxPasswordAge\":90,"
                             "\"passwordReusePrevention\":24,\"hardExpiry\":false}");
    /* What is written reads back the same. */
    assert_int_equal(from_json(b.p, &q), 0);
    assert_policy_equal(&p, &q);

    cm_pwpolicy_none(&p);
    cm_buf_reset(&b);
    cm_jw_init(&jw, &b);
    cm_pwpolicy_json(&p, &jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    assert_int_equal(from_json(b.p, &q), 0);
    assert_policy_equal(&p, &q);

    /* NULL policy: {}. */
    cm_buf_reset(&b);
    cm_jw_init(&jw, &b);
    cm_pwpolicy_json(NULL, &jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    assert_string_equal(b.p, "{}");

    /* Inside another object, as the detector writes additionalInfo. */
    cm_buf_reset(&b);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "oldPolicy");
    cm_pwpolicy_json(NULL, &jw);
    cm_jw_key(&jw, "newPolicy");
    p = dflt();
    cm_pwpolicy_json(&p, &jw);
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    assert_string_equal(b.p, "{\"oldPolicy\":{},\"newPolicy\":{\"minimumPasswordLength\":6,"
                             "\"requireSymbols\":false,\"requireNumbers\":false,"
                             "\"requireUppercaseCharacters\":false,"
                             "\"requireLowercaseCharacters\":false,"
                             "\"allowUsersToChangePassword\":false,\"maxPasswordAge\":0,"
                             "\"passwordReusePrevention\":0,\"hardExpiry\":false}}");
    cm_pwpolicy_json(&p, NULL); /* no crash */
    cm_buf_finish(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_full_request),
        cmocka_unit_test(test_string_forms),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_bad_values_rest_filled),
        cmocka_unit_test(test_weakening_table),
        cmocka_unit_test(test_weakening_trades),
        cmocka_unit_test(test_weakening_properties),
        cmocka_unit_test(test_severity),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
