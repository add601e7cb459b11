/*
 * Unit tests for lib/base/str.h: slice construction, equality (exact and
 * ASCII case-insensitive), prefix/suffix tests, substring search and the
 * ranged decimal parsers cm_str_to_u64 / cm_str_to_i64, with their overflow
 * edges at every limit a caller can pass, and the hex digit decoder
 * cm_hex_digit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"

#define U64MAX 18446744073709551615ULL

/* Slice over a C string that is deliberately not NUL-terminated at len. */
static struct cm_str sub(const char *s, size_t len)
{
    return cm_str_make(s, len);
}

static void expect_u64(const char *s, unsigned long long max, int want_rc, unsigned long long want)
{
    unsigned long long v = 0xdeadbeefULL;
    int rc = cm_str_to_u64(cm_str_cstr(s), max, &v);

    if (rc != want_rc) {
        fail_msg("cm_str_to_u64('%s', %llu) = %d, want %d", s, max, rc, want_rc);
    }
    if (want_rc == 0 && v != want) {
        fail_msg("cm_str_to_u64('%s', %llu) -> %llu, want %llu", s, max, v, want);
    }
    if (want_rc != 0 && v != 0xdeadbeefULL) {
        fail_msg("cm_str_to_u64('%s') wrote *out on failure", s);
    }
}

static void expect_i64(const char *s, long long min, long long max, int want_rc, long long want)
{
    long long v = 0x5a5a5a5aLL;
    int rc = cm_str_to_i64(cm_str_cstr(s), min, max, &v);

    if (rc != want_rc) {
        fail_msg("cm_str_to_i64('%s', [%lld, %lld]) = %d, want %d", s, min, max, rc, want_rc);
    }
    if (want_rc == 0 && v != want) {
        fail_msg("cm_str_to_i64('%s', [%lld, %lld]) -> %lld, want %lld", s, min, max, v, want);
    }
    if (want_rc != 0 && v != 0x5a5a5a5aLL) {
        fail_msg("cm_str_to_i64('%s') wrote *out on failure", s);
    }
}

static void test_make_and_present(void **state)
{
    struct cm_str a = CM_STR_LIT("abc");
    struct cm_str n = CM_STR_NULL;
    struct cm_str e = cm_str_cstr("");
    struct cm_str z = cm_str_cstr(NULL);
    (void)state;

    assert_int_equal(a.len, 3);
    assert_memory_equal(a.p, "abc", 3);
    assert_true(cm_str_present(a));
    assert_false(cm_str_present(n));
    assert_int_equal(n.len, 0);
    assert_true(cm_str_present(e));
    assert_int_equal(e.len, 0);
    assert_false(cm_str_present(z));
    assert_int_equal(z.len, 0);
    a = cm_str_make("hello", 2);
    assert_int_equal(a.len, 2);
    assert_true(cm_str_eqc(a, "he"));
}

static void test_eq(void **state)
{
    const char *buf = "abcdefabc";
    (void)state;

    assert_true(cm_str_eq(sub(buf, 3), sub(buf + 6, 3)));
    assert_false(cm_str_eq(sub(buf, 3), sub(buf + 3, 3)));
    assert_false(cm_str_eq(sub(buf, 3), sub(buf, 4)));
    assert_true(cm_str_eq(CM_STR_NULL, CM_STR_NULL));
    assert_true(cm_str_eq(CM_STR_NULL, cm_str_cstr("")));
    assert_false(cm_str_eq(CM_STR_NULL, CM_STR_LIT("a")));
    /* Embedded NUL bytes are data, not terminators. */
    assert_true(cm_str_eq(sub("a\0b", 3), sub("a\0b", 3)));
    assert_false(cm_str_eq(sub("a\0b", 3), sub("a\0c", 3)));
}

static void test_cmp(void **state)
{
    (void)state;

    assert_true(cm_str_cmp(CM_STR_LIT("abc"), CM_STR_LIT("abd")) < 0);
    assert_true(cm_str_cmp(CM_STR_LIT("abd"), CM_STR_LIT("abc")) > 0);
    assert_int_equal(cm_str_cmp(sub("abcabc", 3), sub("abcabc" + 3, 3)), 0);
    /* A prefix sorts first; bytes compare unsigned; NULL is the empty string. */
    assert_true(cm_str_cmp(CM_STR_LIT("ab"), CM_STR_LIT("abc")) < 0);
    assert_true(cm_str_cmp(CM_STR_LIT("abc"), CM_STR_LIT("ab")) > 0);
    assert_true(cm_str_cmp(CM_STR_LIT("a"), CM_STR_LIT("a\xff")) < 0);
    assert_true(cm_str_cmp(CM_STR_LIT("\x80"), CM_STR_LIT("\x7f")) > 0);
    assert_int_equal(cm_str_cmp(CM_STR_NULL, cm_str_cstr("")), 0);
    assert_true(cm_str_cmp(CM_STR_NULL, CM_STR_LIT("a")) < 0);
}

static void test_eqc(void **state)
{
    const char *buf = "GetObjectAcl";
    (void)state;

    assert_true(cm_str_eqc(sub(buf, 9), "GetObject"));
    assert_false(cm_str_eqc(sub(buf, 9), "GetObjectAcl"));
    assert_false(cm_str_eqc(sub(buf, 12), "GetObject"));
    assert_false(cm_str_eqc(sub(buf, 9), "getobject"));
    assert_true(cm_str_eqc(CM_STR_NULL, ""));
    assert_true(cm_str_eqc(sub(buf, 0), ""));
    assert_false(cm_str_eqc(CM_STR_NULL, "x"));
}

static void test_starts_ends(void **state)
{
    struct cm_str s = sub("arn:aws:iam::111122223333:root-and-more", 30);
    (void)state;

    assert_true(cm_str_starts(s, "arn:aws:"));
    assert_true(cm_str_starts(s, ""));
    assert_true(cm_str_starts(s, "arn:aws:iam::111122223333:root"));
    assert_false(cm_str_starts(s, "arn:aws:iam::111122223333:root-"));
    assert_false(cm_str_starts(s, "arn:aws-cn:"));
    assert_true(cm_str_ends(s, ":root"));
    assert_true(cm_str_ends(s, ""));
    assert_true(cm_str_ends(s, "arn:aws:iam::111122223333:root"));
    assert_false(cm_str_ends(s, "-and"));
    assert_false(cm_str_ends(s, "xarn:aws:iam::111122223333:root"));
    assert_true(cm_str_iends(s, ":ROOT"));
    assert_true(cm_str_iends(s, ""));
    assert_true(cm_str_iends(s, "ARN:AWS:IAM::111122223333:Root"));
    assert_false(cm_str_iends(s, ":roo"));
    assert_false(cm_str_iends(s, "xarn:aws:iam::111122223333:root"));
    assert_false(cm_str_ends(s, ":ROOT")); /* the other is exact */
    assert_false(cm_str_starts(sub("ab", 1), "ab"));
    assert_false(cm_str_ends(sub("ab", 1), "ab"));
    assert_true(cm_str_starts(cm_str_cstr(""), ""));
    assert_true(cm_str_ends(cm_str_cstr(""), ""));
    assert_false(cm_str_starts(cm_str_cstr(""), "a"));
    assert_false(cm_str_ends(cm_str_cstr(""), "a"));
    /* An absent slice has no prefix or suffix but the empty one. */
    assert_true(cm_str_starts(CM_STR_NULL, ""));
    assert_true(cm_str_ends(CM_STR_NULL, ""));
    assert_false(cm_str_starts(CM_STR_NULL, "a"));
    assert_false(cm_str_ends(CM_STR_NULL, "a"));
}

static void test_ieq(void **state)
{
    (void)state;

    assert_true(cm_str_ieq(CM_STR_LIT("ConsoleLogin"), CM_STR_LIT("consolelogin")));
    assert_true(cm_str_ieq(CM_STR_LIT("ABCXYZ"), CM_STR_LIT("abcxyz")));
    assert_true(cm_str_ieq(CM_STR_LIT(""), CM_STR_LIT("")));
    assert_true(cm_str_ieq(CM_STR_NULL, CM_STR_LIT("")));
    assert_false(cm_str_ieq(CM_STR_LIT("abc"), CM_STR_LIT("abd")));
    assert_false(cm_str_ieq(CM_STR_LIT("abc"), CM_STR_LIT("abcd")));
    /* Only ASCII letters fold: '@' (0x40) and '`' (0x60) differ by 32 too. */
    assert_false(cm_str_ieq(CM_STR_LIT("@"), CM_STR_LIT("`")));
    assert_false(cm_str_ieq(CM_STR_LIT("["), CM_STR_LIT("{")));
    assert_false(cm_str_ieq(CM_STR_LIT("\xc3\x89"), CM_STR_LIT("\xc3\xa9")));
    assert_true(cm_str_ieq(CM_STR_LIT("\xc3\x89"), CM_STR_LIT("\xc3\x89")));
    assert_true(cm_str_ieq(sub("A\0Z", 3), sub("a\0z", 3)));
    assert_false(cm_str_ieq(sub("A\0Z", 3), sub("a\0y", 3)));
}

static void test_find(void **state)
{
    struct cm_str hay = CM_STR_LIT("the quick brown fox, the lazy dog");
    (void)state;

    assert_int_equal(cm_str_find(hay, CM_STR_LIT("the")), 0);
    assert_int_equal(cm_str_find(hay, CM_STR_LIT("quick")), 4);
    assert_int_equal(cm_str_find(hay, CM_STR_LIT("the l")), 21);
    assert_int_equal(cm_str_find(hay, CM_STR_LIT("dog")), hay.len - 3);
    assert_int_equal(cm_str_find(hay, CM_STR_LIT("cat")), (size_t)-1);
    assert_int_equal(cm_str_find(hay, CM_STR_LIT("dogs")), (size_t)-1);
    assert_int_equal(cm_str_find(hay, CM_STR_LIT("")), 0);
    assert_int_equal(cm_str_find(CM_STR_LIT(""), CM_STR_LIT("")), 0);
    assert_int_equal(cm_str_find(CM_STR_LIT(""), CM_STR_LIT("a")), (size_t)-1);
    assert_int_equal(cm_str_find(CM_STR_LIT("ab"), CM_STR_LIT("abc")), (size_t)-1);
    assert_int_equal(cm_str_find(hay, hay), 0);
    /* Partial matches that restart, and a match that must not run past len. */
    assert_int_equal(cm_str_find(CM_STR_LIT("aaab"), CM_STR_LIT("aab")), 1);
    assert_int_equal(cm_str_find(sub("abcdef", 5), CM_STR_LIT("ef")), (size_t)-1);
    assert_int_equal(cm_str_find(sub("abcdef", 5), CM_STR_LIT("de")), 3);
    assert_int_equal(cm_str_find(sub("x\0y\0z", 5), sub("\0z", 2)), 3);
}

/* The first offset at which needle occurs, byte by byte: what cm_str_find must agree with. */
static size_t naive_find(struct cm_str hay, struct cm_str needle)
{
    for (size_t i = 0; i + needle.len <= hay.len; i++) {
        if (memcmp(hay.p + i, needle.p, needle.len) == 0) {
            return i;
        }
    }
    return (size_t)-1;
}

static void test_find_agrees(void **state)
{
    /* JSON keys in JSON, where the needle's first byte ('"') is everywhere, with a
     * NUL inside; long enough for both the skipping and the bytewise search. */
    static const char json[] = "{\"a\":\"\",\"eventSourc\":1,\"\"\"eventSource\"\0\"event\"\"x\","
                               "\"eventName\":\"GetObject\",\"eventSource\":\"s3.amazonaws.com\","
                               "\"aab\"aaab\"\"\xff\xfe\"eventVersion\":\"1.08\"}";
    static const char *const needles[] = {
        "\"eventSource\"",
        "\"eventSourc\"",
        "\"event\"",
        "\"\"",
        "\"",
        "\"x\"",
        "x\"",
        "\"y\"",
        "{\"a",
        "aab\"",
        "\xfe\"e",
        "\"eventVersion\":\"1.08\"}",
        "s3.amazonaws.com\"!",
    };
    /* Twice over: haystacks past 256 bytes too, for each way of searching. Each piece is
     * searched in a copy of its own size, so a read past its end is the sanitizer's. */
    char twice[2 * sizeof(json)];
    struct cm_str hay = sub(twice, 2 * (sizeof(json) - 1));
    (void)state;

    memcpy(twice, json, sizeof(json) - 1);
    memcpy(twice + sizeof(json) - 1, json, sizeof(json) - 1);
    assert_true(hay.len > 256);
    for (size_t from = 0; from < hay.len; from += from < 40 ? 1 : 13) {
        for (size_t to = from; to <= hay.len; to++) {
            char *copy = malloc(to > from ? to - from : 1);
            struct cm_str h = sub(copy, to - from);

            assert_non_null(copy);
            memcpy(copy, hay.p + from, to - from);
            for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
                struct cm_str n = cm_str_cstr(needles[k]);
                assert_int_equal(cm_str_find(h, n), naive_find(h, n));
            }
            assert_int_equal(cm_str_find(h, sub("\0\"e", 3)), naive_find(h, sub("\0\"e", 3)));
            free(copy);
        }
    }
}

/* An ARN and the markers the CloudTrail detectors look for in one: colons everywhere. */
static void test_find_arn(void **state)
{
    static const char sso[] = ":role/aws-reserved/sso.amazonaws.com/";
    static const char *const arns[] = {
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
        "AWSReservedSSO_Admin_0123456789abcdef",
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly",
        "arn:aws:iam::123456789012:role/staging-worker-instance-role",
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com",
        ":role/aws-reserved/sso.amazonaws.com/",
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(arns) / sizeof(arns[0]); i++) {
        size_t len = strlen(arns[i]);
        char *copy = malloc(len);

        assert_non_null(copy);
        memcpy(copy, arns[i], len);
        assert_int_equal(cm_str_find(sub(copy, len), cm_str_cstr(sso)),
                         naive_find(sub(copy, len), cm_str_cstr(sso)));
        assert_int_equal(cm_str_find(sub(copy, len), CM_STR_LIT(":assumed-role/")),
                         naive_find(sub(copy, len), CM_STR_LIT(":assumed-role/")));
        free(copy);
    }
    assert_int_equal(cm_str_find(cm_str_cstr(arns[0]), cm_str_cstr(sso)), 25);
    assert_int_equal(cm_str_find(cm_str_cstr(arns[2]), cm_str_cstr(sso)), (size_t)-1);
    assert_int_equal(cm_str_find(cm_str_cstr(arns[3]), cm_str_cstr(sso)), (size_t)-1);
    assert_int_equal(cm_str_find(cm_str_cstr(arns[4]), cm_str_cstr(sso)), 0);
    assert_int_equal(cm_str_find(cm_str_cstr(arns[5]), CM_STR_LIT(":assumed-role/")), 25);
}

static void test_u64_valid(void **state)
{
    (void)state;

    expect_u64("0", U64MAX, 0, 0);
    expect_u64("7", U64MAX, 0, 7);
    expect_u64("00042", U64MAX, 0, 42);
    expect_u64("1234567890", U64MAX, 0, 1234567890ULL);
    expect_u64("18446744073709551615", U64MAX, 0, U64MAX);
    expect_u64("18446744073709551614", U64MAX, 0, U64MAX - 1);
    expect_u64("9223372036854775807", U64MAX, 0, 9223372036854775807ULL);
    expect_u64("65535", 65535, 0, 65535);
    expect_u64("0", 0, 0, 0);
    expect_u64("5", 5, 0, 5);
    expect_u64("10", 10, 0, 10);
}

static void test_u64_range(void **state)
{
    (void)state;

    expect_u64("18446744073709551616", U64MAX, CM_ERANGE, 0);
    expect_u64("18446744073709551620", U64MAX, CM_ERANGE, 0);
    expect_u64("99999999999999999999", U64MAX, CM_ERANGE, 0);
    expect_u64("65536", 65535, CM_ERANGE, 0);
    expect_u64("70000", 65535, CM_ERANGE, 0);
    expect_u64("100000", 65535, CM_ERANGE, 0);
    expect_u64("11", 10, CM_ERANGE, 0);
    expect_u64("9223372036854775808", 9223372036854775807ULL, CM_ERANGE, 0);
    /* A single digit above a small max must not wrap max - d. */
    expect_u64("6", 5, CM_ERANGE, 0);
    expect_u64("9", 5, CM_ERANGE, 0);
    expect_u64("1", 0, CM_ERANGE, 0);
    expect_u64("9", 0, CM_ERANGE, 0);
    expect_u64("16", 15, CM_ERANGE, 0);
    expect_u64("19", 15, CM_ERANGE, 0);
    expect_u64("256", 255, CM_ERANGE, 0);
    expect_u64("259", 255, CM_ERANGE, 0);
}

static void test_u64_invalid(void **state)
{
    unsigned long long v = 1;
    (void)state;

    expect_u64("", U64MAX, CM_EINVAL, 0);
    expect_u64("-1", U64MAX, CM_EINVAL, 0);
    expect_u64("+1", U64MAX, CM_EINVAL, 0);
    expect_u64(" 1", U64MAX, CM_EINVAL, 0);
    expect_u64("1 ", U64MAX, CM_EINVAL, 0);
    expect_u64("1a", U64MAX, CM_EINVAL, 0);
    expect_u64("0x10", U64MAX, CM_EINVAL, 0);
    expect_u64("1.5", U64MAX, CM_EINVAL, 0);
    expect_u64("/", U64MAX, CM_EINVAL, 0);
    expect_u64(":", U64MAX, CM_EINVAL, 0);
    expect_u64("\xff", U64MAX, CM_EINVAL, 0);
    assert_int_equal(cm_str_to_u64(CM_STR_NULL, U64MAX, &v), CM_EINVAL);
    assert_int_equal(v, 1);
    /* Only the slice counts: digits after len are not read. */
    assert_int_equal(cm_str_to_u64(sub("123456", 3), U64MAX, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(cm_str_to_u64(sub("12x", 2), U64MAX, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(cm_str_to_u64(sub("1\0002", 3), U64MAX, &v), CM_EINVAL);
}

static void test_u64_every_small_max(void **state)
{
    char s[32];
    (void)state;

    /* Exhaustive over small limits: v <= max parses, v > max is CM_ERANGE. */
    for (unsigned long long max = 0; max < 120; max++) {
        for (unsigned long long v = 0; v < 1200; v++) {
            unsigned long long got = 0;
            int rc;
            snprintf(s, sizeof(s), "%llu", v);
            rc = cm_str_to_u64(cm_str_cstr(s), max, &got);
            if (v <= max) {
                if (rc != 0 || got != v) {
                    fail_msg("'%s' max %llu: rc %d got %llu", s, max, rc, got);
                }
            } else if (rc != CM_ERANGE) {
                fail_msg("'%s' max %llu: rc %d, want CM_ERANGE", s, max, rc);
            }
        }
    }
}

static void test_i64_valid(void **state)
{
    (void)state;

    expect_i64("0", LLONG_MIN, LLONG_MAX, 0, 0);
    expect_i64("-0", LLONG_MIN, LLONG_MAX, 0, 0);
    expect_i64("42", LLONG_MIN, LLONG_MAX, 0, 42);
    expect_i64("-42", LLONG_MIN, LLONG_MAX, 0, -42);
    expect_i64("9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX);
    expect_i64("-9223372036854775807", LLONG_MIN, LLONG_MAX, 0, -LLONG_MAX);
    expect_i64("-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN);
    expect_i64("-00000000000000000001", LLONG_MIN, LLONG_MAX, 0, -1);
    expect_i64("-128", -128, 127, 0, -128);
    expect_i64("127", -128, 127, 0, 127);
    expect_i64("-1", -1, 0, 0, -1);
    expect_i64("0", -1, 0, 0, 0);
}

static void test_i64_range(void **state)
{
    (void)state;

    expect_i64("9223372036854775808", LLONG_MIN, LLONG_MAX, CM_ERANGE, 0);
    expect_i64("-9223372036854775809", LLONG_MIN, LLONG_MAX, CM_ERANGE, 0);
    expect_i64("-18446744073709551615", LLONG_MIN, LLONG_MAX, CM_ERANGE, 0);
    expect_i64("18446744073709551615", LLONG_MIN, LLONG_MAX, CM_ERANGE, 0);
    expect_i64("99999999999999999999", LLONG_MIN, LLONG_MAX, CM_ERANGE, 0);
    expect_i64("128", -128, 127, CM_ERANGE, 0);
    expect_i64("-129", -128, 127, CM_ERANGE, 0);
    expect_i64("200", -128, 127, CM_ERANGE, 0);
    expect_i64("-200", -128, 127, CM_ERANGE, 0);
    /* Limits that do not contain zero, or exclude one sign entirely. */
    expect_i64("-1", 0, 100, CM_ERANGE, 0);
    expect_i64("-5", 0, 100, CM_ERANGE, 0);
    expect_i64("-5", 1, 100, CM_ERANGE, 0);
    expect_i64("-0", 1, 100, CM_ERANGE, 0);
    expect_i64("0", 1, 100, CM_ERANGE, 0);
    expect_i64("5", 10, 100, CM_ERANGE, 0);
    expect_i64("10", 10, 100, 0, 10);
    expect_i64("3", -100, -5, CM_ERANGE, 0);
    expect_i64("0", -100, -5, CM_ERANGE, 0);
    expect_i64("-4", -100, -5, CM_ERANGE, 0);
    expect_i64("-5", -100, -5, 0, -5);
    expect_i64("-100", -100, -5, 0, -100);
    expect_i64("-101", -100, -5, CM_ERANGE, 0);
    expect_i64("1", LLONG_MIN, 0, CM_ERANGE, 0);
    expect_i64("-9223372036854775808", LLONG_MIN, 0, 0, LLONG_MIN);
    expect_i64("-9223372036854775808", LLONG_MIN + 1, LLONG_MAX, CM_ERANGE, 0);
    expect_i64("9223372036854775807", 0, LLONG_MAX - 1, CM_ERANGE, 0);
}

static void test_i64_invalid(void **state)
{
    long long v = 3;
    (void)state;

    expect_i64("", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    expect_i64("-", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    expect_i64("--1", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    expect_i64("+1", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    expect_i64("1-", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    expect_i64("- 1", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    expect_i64(" -1", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    expect_i64("-1e3", LLONG_MIN, LLONG_MAX, CM_EINVAL, 0);
    assert_int_equal(cm_str_to_i64(CM_STR_NULL, LLONG_MIN, LLONG_MAX, &v), CM_EINVAL);
    assert_int_equal(v, 3);
    assert_int_equal(cm_str_to_i64(sub("-12345", 3), LLONG_MIN, LLONG_MAX, &v), 0);
    assert_int_equal(v, -12);
}

static void test_i64_every_small_range(void **state)
{
    char s[32];
    (void)state;

    for (long long lo = -30; lo <= 30; lo += 3) {
        for (long long hi = lo; hi <= 40; hi += 7) {
            for (long long v = -150; v <= 150; v++) {
                long long got = 0;
                int rc;
                snprintf(s, sizeof(s), "%lld", v);
                rc = cm_str_to_i64(cm_str_cstr(s), lo, hi, &got);
                if (v >= lo && v <= hi) {
                    if (rc != 0 || got != v) {
                        fail_msg("'%s' [%lld, %lld]: rc %d got %lld", s, lo, hi, rc, got);
                    }
                } else if (rc != CM_ERANGE) {
                    fail_msg("'%s' [%lld, %lld]: rc %d, want CM_ERANGE", s, lo, hi, rc);
                }
            }
        }
    }
}

/* cm_hex_digit over every byte: the 22 hex digits have their values, all else is -1;
 * cm_hex_digit_lower also refuses A-F. */
static void test_hex_digit(void **state)
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";

    (void)state;
    for (int b = 0; b < 256; b++) {
        char c = (char)b;
        const char *l = b != 0 ? strchr(lower, b) : NULL, *u = b != 0 ? strchr(upper, b) : NULL;
        int want = l != NULL ? (int)(l - lower) : u != NULL ? (int)(u - upper) : -1;

        assert_int_equal(cm_hex_digit(c), want);
        assert_int_equal(cm_hex_digit_lower(c), u != NULL && l == NULL ? -1 : want);
    }
    assert_int_equal(cm_hex_digit('F') * 16 + cm_hex_digit('f'), 255);
    assert_int_equal(cm_hex_digit('/'), -1); /* the bytes either side of each range */
    assert_int_equal(cm_hex_digit(':'), -1);
    assert_int_equal(cm_hex_digit('`'), -1);
    assert_int_equal(cm_hex_digit('g'), -1);
    assert_int_equal(cm_hex_digit('@'), -1);
    assert_int_equal(cm_hex_digit('G'), -1);
    assert_int_equal(cm_hex_digit((char)0xC1), -1); /* 'A' | 0x80 */
}

/* Name characters: letters, digits, '.', '_', '-'; the span stops at the first other byte. */
static void test_name_span(void **state)
{
    char name[66];

    (void)state;
    assert_int_equal(cm_str_name_span(cm_str_cstr("high-sev_1.x")), 12);
    assert_int_equal(cm_str_name_span(cm_str_cstr("has space")), 3);
    assert_int_equal(cm_str_name_span(cm_str_cstr("a/b")), 1);
    assert_int_equal(cm_str_name_span(cm_str_cstr("\xc3\xa9t\xc3\xa9")), 0);
    assert_int_equal(cm_str_name_span(CM_STR_NULL), 0);
    assert_true(cm_str_is_name(cm_str_cstr("Z9._-"), 5));
    assert_false(cm_str_is_name(cm_str_cstr("Z9._-"), 4));
    assert_false(cm_str_is_name(cm_str_cstr(""), 64));
    assert_false(cm_str_is_name(CM_STR_NULL, 64));
    assert_false(cm_str_is_name(cm_str_cstr("a b"), 64));
    memset(name, 'n', 64);
    name[64] = '\0';
    assert_true(cm_str_is_name(cm_str_cstr(name), 64));
    name[64] = 'n';
    name[65] = '\0';
    assert_false(cm_str_is_name(cm_str_cstr(name), 64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_and_present),
        cmocka_unit_test(test_eq),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_eqc),
        cmocka_unit_test(test_starts_ends),
        cmocka_unit_test(test_ieq),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_find_agrees),
        cmocka_unit_test(test_find_arn),
        cmocka_unit_test(test_u64_valid),
        cmocka_unit_test(test_u64_range),
        cmocka_unit_test(test_u64_invalid),
        cmocka_unit_test(test_u64_every_small_max),
        cmocka_unit_test(test_i64_valid),
        cmocka_unit_test(test_i64_range),
        cmocka_unit_test(test_i64_invalid),
        cmocka_unit_test(test_i64_every_small_range),
        cmocka_unit_test(test_hex_digit),
        cmocka_unit_test(test_name_span),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
