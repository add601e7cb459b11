/*
 * Unit tests for lib/base/time.h: ISO-8601 parsing (fast path, fractions,
 * offsets, validation), formatting, civil date conversions and stamps in S3
 * object keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"

static int64_t iso(const char *s)
{
    int64_t ms = 0x5a5a5a5a;
    int rc = cm_time_parse_iso(cm_str_cstr(s), &ms);
    if (rc != 0) {
        fail_msg("expected '%s' to parse, got %d", s, rc);
    }
    return ms;
}

static void assert_iso_bad(const char *s)
{
    int64_t ms = 42;
    if (cm_time_parse_iso(cm_str_cstr(s), &ms) != CM_EINVAL) {
        fail_msg("expected '%s' to be rejected", s);
    }
    assert_int_equal(ms, 42); /* untouched on error */
}

static void test_parse_basic(void **state)
{
    (void)state;
    assert_int_equal(iso("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(iso("1970-01-01T00:00:01Z"), 1000);
    assert_int_equal(iso("2025-03-04T10:00:00Z"), 1741082400000LL);
    assert_int_equal(iso("2021-02-04T17:51:55Z"), 1612461115000LL);
    assert_int_equal(iso("1969-12-31T23:59:59Z"), -1000);
    assert_int_equal(iso("2000-02-29T00:00:00Z"), 951782400000LL);
    assert_int_equal(iso("2024-12-31T23:59:59Z"), 1735689599000LL);
    assert_int_equal(iso("0000-01-01T00:00:00Z"), -62167219200000LL);
    assert_int_equal(iso("9999-12-31T23:59:59Z"), 253402300799000LL);
    /* Lower-case separators are allowed by RFC 3339. */
    assert_int_equal(iso("2025-03-04t10:00:00z"), 1741082400000LL);
    /* A leap second is accepted and lands on the next minute. */
    assert_int_equal(iso("2016-12-31T23:59:60Z"), 1483228800000LL);
}

static void test_parse_fraction(void **state)
{
    (void)state;
    assert_int_equal(iso("2025-03-04T10:00:00.1Z"), 1741082400100LL);
    assert_int_equal(iso("2025-03-04T10:00:00.12Z"), 1741082400120LL);
    assert_int_equal(iso("2025-03-04T10:00:00.123Z"), 1741082400123LL);
    assert_int_equal(iso("2025-03-04T10:00:00.1239Z"), 1741082400123LL);
    assert_int_equal(iso("2025-03-04T10:00:00.999999999Z"), 1741082400999LL);
    assert_int_equal(iso("2025-03-04T10:00:00.000Z"), 1741082400000LL);
    assert_int_equal(iso("2025-03-04T10:00:00.0000000000000000000000001Z"), 1741082400000LL);
    assert_int_equal(iso("2025-03-04T10:00:00,5Z"), 1741082400500LL);
    /* Before the epoch the fraction still adds (it is part of the stamp). */
    assert_int_equal(iso("1969-12-31T23:59:59.500Z"), -500);
}

static void test_parse_offsets(void **state)
{
    (void)state;
    assert_int_equal(iso("2025-03-04T12:00:00+02:00"), 1741082400000LL);
    assert_int_equal(iso("2025-03-04T05:00:00-0500"), 1741082400000LL);
    assert_int_equal(iso("2025-03-04T10:00:00+00:00"), 1741082400000LL);
    assert_int_equal(iso("2025-03-04T10:00:00-00:00"), 1741082400000LL);
    assert_int_equal(iso("2025-03-04T15:45:00.250+05:45"), 1741082400250LL);
    assert_int_equal(iso("2025-03-03T23:00:00-11:00"), 1741082400000LL);
    assert_int_equal(iso("2025-03-04T00:30:00+23:59"), iso("2025-03-03T00:31:00Z"));
    assert_int_equal(iso("2025-03-04T00:30:00-23:59"), iso("2025-03-05T00:29:00Z"));
}

static void test_parse_invalid(void **state)
{
    static const char *bad[] = {
        "",
        "2025",
        "2025-03-04",
        "2025-03-04T10:00",
        "2025-03-04T10:00:00",     /* no zone */
        "2025-03-04T10:00:00.123", /* no zone */
        "2025-03-04 10:00:00Z",
        "2025/03/04T10:00:00Z",
        "2025-3-04T10:00:00Z",
        "2025-03-4T10:00:00Z",
        "25-03-04T10:00:00Z",
        "+2025-03-04T10:00:00Z",
        "2025-00-04T10:00:00Z",
        "2025-13-04T10:00:00Z",
        "2025-03-00T10:00:00Z",
        "2025-03-32T10:00:00Z",
        "2025-04-31T10:00:00Z",
        "2025-02-29T10:00:00Z",
        "1900-02-29T10:00:00Z",
        "2025-03-04T24:00:00Z",
        "2025-03-04T10:60:00Z",
        "2025-03-04T10:00:61Z",
        "2025-03-04T10:00:00ZZ",
        "2025-03-04T10:00:00Z ",
        " 2025-03-04T10:00:00Z",
        "2025-03-04T10:00:00.Z",
        "2025-03-04T10:00:00.12a3Z",
        "2025-03-04T10:00:00+2:00",
        "2025-03-04T10:00:00+02",
        "2025-03-04T10:00:00+02:0",
        "2025-03-04T10:00:00+0200Z",
        "2025-03-04T10:00:00+24:00",
        "2025-03-04T10:00:00+02:60",
        "2025-03-04T10:00:00+02-00",
        "2025-03-04T10:00:00 +02:00",
        "2025-03-04T10:00:00X",
        "2025-03-04T10:0a:00Z",
        "2025-03-04T1 :00:00Z",
        "20a5-03-04T10:00:00Z",
        "2025-03-04T10:00:00.5+",
        "2025-03-04T10:00:00.5+02:00x",
        "2025-03-04T-1:00:00Z",
    };
    int64_t ms = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_iso_bad(bad[i]);
    }
    assert_int_equal(cm_time_parse_iso(CM_STR_NULL, &ms), CM_EINVAL);
    /* The slice bounds the input: bytes past len are not read as the zone. */
    assert_int_equal(cm_time_parse_iso(cm_str_make("2025-03-04T10:00:00Z", 19), &ms), CM_EINVAL);
    assert_int_equal(cm_time_parse_iso(cm_str_make("2025-03-04T10:00:00.5Z", 21), &ms), CM_EINVAL);
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_int_equal(iso("2024-02-29T00:00:00Z"), 1709164800000LL);
    assert_int_equal(iso("2000-02-29T12:00:00Z"), 951825600000LL);
    assert_iso_bad("2100-02-29T00:00:00Z");
    assert_iso_bad("2023-02-29T00:00:00Z");
    assert_int_equal(iso("2023-02-28T00:00:00Z") + 86400000LL, iso("2023-03-01T00:00:00Z"));
    assert_int_equal(iso("2024-02-29T00:00:00Z") + 86400000LL, iso("2024-03-01T00:00:00Z"));
}

static void test_format(void **state)
{
    char out[40];
    (void)state;

    assert_int_equal(cm_time_format_iso(0, out, sizeof(out)), 24);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    assert_int_equal(cm_time_format_iso(1741082400123LL, out, sizeof(out)), 24);
    assert_string_equal(out, "2025-03-04T10:00:00.123Z");
    assert_int_equal(cm_time_format_iso_s(1741082400999LL, out, sizeof(out)), 20);
    assert_string_equal(out, "2025-03-04T10:00:00Z");
    assert_int_equal(cm_time_format_iso(-1, out, sizeof(out)), 24);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    assert_int_equal(cm_time_format_iso_s(-1, out, sizeof(out)), 20);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    cm_time_format_iso(951825600000LL, out, sizeof(out));
    assert_string_equal(out, "2000-02-29T12:00:00.000Z");
    cm_time_format_iso(253402300799999LL, out, sizeof(out));
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
    cm_time_format_iso(-62167219200000LL, out, sizeof(out));
    assert_string_equal(out, "0000-01-01T00:00:00.000Z");
    /* Outside 0000-9999 the year keeps all its digits. */
    assert_int_equal(cm_time_format_iso_s(253402300800000LL, out, sizeof(out)), 21);
    assert_string_equal(out, "10000-01-01T00:00:00Z");
    cm_time_format_iso_s(-62167219200000LL - 86400000LL, out, sizeof(out));
    assert_string_equal(out, "-1-12-31T00:00:00Z");
    /* Exact sizes from the header: 25 and 21 bytes. */
    assert_int_equal(cm_time_format_iso(1741082400123LL, out, 25), 24);
    assert_string_equal(out, "2025-03-04T10:00:00.123Z");
    assert_int_equal(cm_time_format_iso_s(1741082400123LL, out, 21), 20);
    assert_string_equal(out, "2025-03-04T10:00:00Z");
    /* Too small: truncated, NUL-terminated, full length returned. */
    assert_int_equal(cm_time_format_iso(1741082400123LL, out, 5), 24);
    assert_string_equal(out, "2025");
    assert_int_equal(cm_time_format_iso(1741082400123LL, NULL, 0), 24);
}

static void test_format_parse_roundtrip(void **state)
{
    char out[40];
    (void)state;

    /* Every 7919 minutes plus odd milliseconds across 1900-2100. */
    for (int64_t ms = -2208988800000LL; ms < 4102444800000LL; ms += 7919LL * 60000LL + 137) {
        int64_t back = 0;
        cm_time_format_iso(ms, out, sizeof(out));
        assert_int_equal(cm_time_parse_iso(cm_str_cstr(out), &back), 0);
        if (back != ms) {
            fail_msg("%s: %lld != %lld", out, (long long)back, (long long)ms);
        }
        cm_time_format_iso_s(ms, out, sizeof(out));
        assert_int_equal(cm_time_parse_iso(cm_str_cstr(out), &back), 0);
        assert_int_equal(back, ms - (((ms % 1000) + 1000) % 1000));
    }
}

static void test_civil(void **state)
{
    int64_t y;
    unsigned m, d;
    (void)state;

    assert_int_equal(cm_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(cm_days_from_civil(1970, 1, 2), 1);
    assert_int_equal(cm_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(cm_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(cm_days_from_civil(2025, 3, 4), 20151);
    assert_int_equal(cm_days_from_civil(0, 1, 1), -719528);
    assert_int_equal(cm_days_from_civil(-1, 12, 31), -719529);
    cm_civil_from_days(20151, &y, &m, &d);
    assert_int_equal(y, 2025);
    assert_int_equal(m, 3);
    assert_int_equal(d, 4);
    cm_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    cm_civil_from_days(-719529, &y, &m, &d);
    assert_int_equal(y, -1);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);

    /* Consecutive days across several 400-year eras map to consecutive dates. */
    {
        int64_t py = -801;
        unsigned pm = 12, pd = 31;
        for (int64_t z = cm_days_from_civil(-800, 1, 1); z < cm_days_from_civil(2401, 1, 1); z++) {
            cm_civil_from_days(z, &y, &m, &d);
            assert_int_equal(cm_days_from_civil(y, m, d), z);
            if (d == 1) {
                assert_true(m == pm % 12 + 1);
                assert_true(m == 1 ? y == py + 1 : y == py);
            } else {
                assert_true(d == pd + 1 && m == pm && y == py);
            }
            py = y;
            pm = m;
            pd = d;
        }
    }
}

static void test_from_key(void **state)
{
    int64_t ms = 0;
    (void)state;

    assert_int_equal(
        cm_time_from_key(
            cm_str_cstr("AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/04/"
                        "111122223333_CloudTrail_us-east-1_20250304T1005Z_ab12.json.gz"),
            &ms),
        0);
    assert_int_equal(ms, 1741082700000LL);
    assert_int_equal(cm_time_from_key(cm_str_cstr("111122223333_vpcflowlogs_us-east-1_fl-1234_"
                                                  "20250304T1000Z_deadbeef.log.gz"),
                                      &ms),
                     0);
    assert_int_equal(ms, 1741082400000LL);
    assert_int_equal(cm_time_from_key(cm_str_cstr("20250304T1000Z"), &ms), 0);
    assert_int_equal(ms, 1741082400000LL);
    /* A 'T' that is not a stamp before the real one. */
    assert_int_equal(cm_time_from_key(cm_str_cstr("CloudTrail/TTT/x_20240229T2359Z.gz"), &ms), 0);
    assert_int_equal(ms, 1709251140000LL);
    /* An invalid stamp first, then a valid one. */
    assert_int_equal(cm_time_from_key(cm_str_cstr("20251304T1000Z_20250304T1000Z"), &ms), 0);
    assert_int_equal(ms, 1741082400000LL);

    ms = 7;
    assert_int_equal(cm_time_from_key(cm_str_cstr("no stamp here.json.gz"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("20250304T1000"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("20250304T100Z"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("2025034T1000Z"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("20250230T1000Z"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("20250304T2400Z"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("20250304T1060Z"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("120250304T1000Z"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(cm_str_cstr("x20250304t1000Z"), &ms), CM_ENOTFOUND);
    assert_int_equal(cm_time_from_key(CM_STR_NULL, &ms), CM_ENOTFOUND);
    assert_int_equal(ms, 7);
    /* The slice bound is honoured. */
    assert_int_equal(cm_time_from_key(cm_str_make("20250304T1000Z", 13), &ms), CM_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_fraction),
        cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_parse_roundtrip),
        cmocka_unit_test(test_civil),
        cmocka_unit_test(test_from_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
