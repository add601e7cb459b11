/*
 * Unit tests for lib/route/schedule.h: EventBridge schedule expressions.
 * Every expected time was worked out by hand against a calendar (the
 * weekday of each date noted beside it): rate() on the epoch's multiples,
 * cron() over month ends, leap years, L, LW, nW, nL, n#k, names, steps,
 * wrapping ranges and the year bounds; at() once; and each refusal with
 * the byte it points at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "base/time.h"
#include "route/schedule.h"

/* Epoch ms of an ISO time (Z). */
static int64_t T(const char *iso)
{
    int64_t ms = 0;

    assert_int_equal(cm_time_parse_iso(cm_str_cstr(iso), &ms), 0);
    return ms;
}

static struct cm_schedule P(const char *expr) {
    struct cm_schedule s;
    struct cm_diag d;
    int rc = cm_schedule_parse(expr, strlen(expr), &s, &d);

    if (rc != 0) {
        fail_msg("%s: %s (at %zu)", expr, d.msg, d.offset);
    }
    return s;
}

/* The next fire of expr after `after`, as ISO text (or "none"). */
static const char *
next_of(const char *expr, const char *after)
{
    static char out[40];
    struct cm_schedule s = P(expr);
    int64_t n = cm_schedule_next(&s, T(after));

    if (n < 0) {
        return "none";
    }
    cm_time_format_iso_s(n, out, sizeof(out));
    return out;
}

#define NEXT(expr, after, want) assert_string_equal(next_of(expr, after), want)

static void test_rate(void **state)
{
    (void)state;
    NEXT("rate(5 minutes)", "2024-01-01T00:02:00Z", "2024-01-01T00:05:00Z");
    NEXT("rate(5 minutes)", "2024-01-01T00:05:00Z", "2024-01-01T00:10:00Z"); /* strictly after */
    NEXT("rate(1 minute)", "2024-01-01T00:05:59.999Z", "2024-01-01T00:06:00Z");
    NEXT("rate(1 hour)", "2024-01-01T23:30:00Z", "2024-01-02T00:00:00Z");
    NEXT("rate(1 day)", "2024-02-28T12:00:00Z", "2024-02-29T00:00:00Z"); /* a leap day */
    NEXT("rate(7 days)", "1970-01-01T00:00:00Z", "1970-01-08T00:00:00Z");
    NEXT("rate(90 minutes)", "2024-01-01T00:00:00Z", "2024-01-01T01:30:00Z");
}

static void test_cron_basic(void **state)
{
    (void)state;
    NEXT("cron(0 12 * * ? *)", "2024-01-01T12:00:00Z", "2024-01-02T12:00:00Z");
    NEXT("cron(0 12 * * ? *)", "2024-01-01T11:59:59Z", "2024-01-01T12:00:00Z");
    NEXT("cron(0/15 * * * ? *)", "2024-01-01T10:07:00Z", "2024-01-01T10:15:00Z");
    NEXT("cron(*/15 * * * ? *)", "2024-01-01T10:45:00Z", "2024-01-01T11:00:00Z");
    NEXT("cron(5-20/5 * * * ? *)", "2024-01-01T10:20:00Z", "2024-01-01T11:05:00Z");
    NEXT("cron(0 8,17 * * ? *)", "2024-01-01T08:00:00Z", "2024-01-01T17:00:00Z");
    /* Year end: 31 Dec 23:59 -> 1 Jan. */
    NEXT("cron(0 0 1 JAN ? *)", "2024-12-31T23:59:00Z", "2025-01-01T00:00:00Z");
    /* Names in any case. */
    NEXT("cron(0 0 1 jan ? *)", "2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z");
    /* Mon-Fri: 2024-01-05 is a Friday, 2024-01-08 a Monday. */
    NEXT("cron(0 9 ? * MON-FRI *)", "2024-01-05T09:00:00Z", "2024-01-08T09:00:00Z");
    NEXT("cron(0 9 ? * 2-6 *)", "2024-01-05T09:00:00Z", "2024-01-08T09:00:00Z");
    /* Day 31 skips the short months: after 31 Jan comes 31 Mar. */
    NEXT("cron(0 0 31 * ? *)", "2024-01-31T00:00:00Z", "2024-03-31T00:00:00Z");
    /* Months as a list of names. */
    NEXT("cron(30 6 1 MAR,SEP ? *)", "2024-03-01T06:30:00Z", "2024-09-01T06:30:00Z");
}

static void test_cron_wrap(void **state)
{
    (void)state;
    /* Hours 22-2 wrap past midnight, Mon-Fri only: Fri 23:30 -> Mon 00:00 (2024-01-08). */
    NEXT("cron(0 22-2 ? * MON-FRI *)", "2024-01-05T23:30:00Z", "2024-01-08T00:00:00Z");
    NEXT("cron(0 22-2 ? * MON-FRI *)", "2024-01-08T00:00:00Z", "2024-01-08T01:00:00Z");
    /* FRI-MON wraps the week: after Mon 2024-01-08 23:59 the next is Fri 2024-01-12. */
    NEXT("cron(0 0 ? * FRI-MON *)", "2024-01-08T00:00:00Z", "2024-01-12T00:00:00Z");
    NEXT("cron(0 0 ? * FRI-MON *)", "2024-01-12T00:00:00Z", "2024-01-13T00:00:00Z");
    /* NOV-FEB wraps the year. */
    NEXT("cron(0 0 1 NOV-FEB ? *)", "2024-02-01T00:00:00Z", "2024-11-01T00:00:00Z");
}

static void test_cron_last(void **state)
{
    (void)state;
    NEXT("cron(0 0 L * ? *)", "2024-02-01T00:00:00Z", "2024-02-29T00:00:00Z"); /* leap */
    NEXT("cron(0 0 L * ? *)", "2023-02-01T00:00:00Z", "2023-02-28T00:00:00Z");
    NEXT("cron(0 0 L * ? *)", "2100-02-01T00:00:00Z", "2100-02-28T00:00:00Z"); /* not leap */
    NEXT("cron(0 0 L * ? *)", "2000-02-01T00:00:00Z", "2000-02-29T00:00:00Z"); /* leap */
    NEXT("cron(0 0 L * ? *)", "2024-04-30T00:00:00Z", "2024-05-31T00:00:00Z");
    /* LW: 2024-03-31 is a Sunday -> Fri 29; 2024-08-31 a Saturday -> Fri 30. */
    NEXT("cron(0 9 LW * ? *)", "2024-03-01T00:00:00Z", "2024-03-29T09:00:00Z");
    NEXT("cron(0 9 LW * ? *)", "2024-08-01T00:00:00Z", "2024-08-30T09:00:00Z");
    NEXT("cron(0 9 LW * ? *)", "2024-05-01T00:00:00Z", "2024-05-31T09:00:00Z"); /* a Friday */
    /* 6L: the last Friday; May 2024 ends on one (31), June 2024's is the 28th. */
    NEXT("cron(0 18 ? * 6L *)", "2024-05-01T00:00:00Z", "2024-05-31T18:00:00Z");
    NEXT("cron(0 18 ? * FRIL *)", "2024-06-01T00:00:00Z", "2024-06-28T18:00:00Z");
    /* L alone in day-of-week: the last Saturday (2024-08-31). */
    NEXT("cron(0 0 ? * L *)", "2024-08-01T00:00:00Z", "2024-08-31T00:00:00Z");
}

static void test_cron_weekday_nearest(void **state)
{
    (void)state;
    /* 15W: 2024-06-15 is a Saturday -> Fri 14; 2024-09-15 a Sunday -> Mon 16. */
    NEXT("cron(0 10 15W * ? *)", "2024-06-01T00:00:00Z", "2024-06-14T10:00:00Z");
    NEXT("cron(0 10 15W * ? *)", "2024-09-01T00:00:00Z", "2024-09-16T10:00:00Z");
    NEXT("cron(0 10 15W * ? *)", "2024-07-01T00:00:00Z", "2024-07-15T10:00:00Z"); /* a Monday */
    /* 1W: 2024-06-01 is a Saturday: not back into May, so Mon 3. */
    NEXT("cron(0 10 1W * ? *)", "2024-05-31T00:00:00Z", "2024-06-03T10:00:00Z");
    /* 31W: 2024-03-31 a Sunday: not into April, so Fri 29; no 31st in April: May 31 (Fri). */
    NEXT("cron(0 10 31W * ? *)", "2024-03-01T00:00:00Z", "2024-03-29T10:00:00Z");
    NEXT("cron(0 10 31W * ? *)", "2024-04-01T00:00:00Z", "2024-05-31T10:00:00Z");
}

static void test_cron_nth(void **state)
{
    (void)state;
    /* The first Monday: 2024-09-02. */
    NEXT("cron(0 8 ? * 2#1 *)", "2024-09-01T00:00:00Z", "2024-09-02T08:00:00Z");
    NEXT("cron(0 8 ? * MON#1 *)", "2024-09-02T08:00:00Z", "2024-10-07T08:00:00Z");
    /* The fifth Friday: May 2024 has one (31st), June 2024 none, next is Aug 30. */
    NEXT("cron(0 0 ? * 6#5 *)", "2024-05-01T00:00:00Z", "2024-05-31T00:00:00Z");
    NEXT("cron(0 0 ? * 6#5 *)", "2024-06-01T00:00:00Z", "2024-08-30T00:00:00Z");
}

static void test_cron_years(void **state)
{
    (void)state;
    NEXT("cron(0 0 29 FEB ? *)", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z");
    NEXT("cron(0 0 29 2 ? 2025-2027)", "2024-03-01T00:00:00Z", "none");
    NEXT("cron(0 0 30 2 ? *)", "2024-01-01T00:00:00Z", "none"); /* never */
    NEXT("cron(0 0 1 1 ? 2199)", "2198-06-01T00:00:00Z", "2199-01-01T00:00:00Z");
    NEXT("cron(0 0 1 1 ? 2199)", "2199-01-01T00:00:00Z", "none");
    NEXT("cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:00Z", "2199-12-31T23:59:00Z");
    NEXT("cron(0 0 1 1 ? 2030/10)", "2031-01-01T00:00:00Z", "2040-01-01T00:00:00Z");
    NEXT("cron(0 0 1 1 ? 1970)", "1960-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
}

static void test_at(void **state)
{
    (void)state;
    NEXT("at(2025-06-01T12:30:45)", "2025-06-01T12:30:44Z", "2025-06-01T12:30:45Z");
    NEXT("at(2025-06-01T12:30:45)", "2025-06-01T12:30:45Z", "none");
    NEXT("at(2024-02-29T00:00:00)", "2000-01-01T00:00:00Z", "2024-02-29T00:00:00Z");
}

/* expr is refused with a reason containing want, at byte off. */
static void refused(const char *expr, size_t off, const char *want)
{
    struct cm_schedule s;
    struct cm_diag d;

    assert_int_equal(cm_schedule_parse(expr, strlen(expr), &s, &d), CM_EINVAL);
    if (strstr(d.msg, want) == NULL || d.offset != off) {
        fail_msg("%s: got \"%s\" at %zu, want \"%s\" at %zu", expr, d.msg, d.offset, want, off);
    }
}

static void test_errors(void **state)
{
    (void)state;
    refused("every 5 minutes", 0, "rate(...), cron(...) or at(...)");
    refused("", 0, "rate(...)");
    refused("rate(5 minutes", 14, "does not end with ')'");
    refused("rate(1 minutes)", 7, "wants \"minute\"");
    refused("rate(5 minute)", 7, "wants \"minutes\"");
    refused("rate(0 minutes)", 5, "from 1 to");
    refused("rate(5 weeks)", 7, "minute(s), hour(s) or day(s)");
    refused("rate(minutes)", 5, "whole number");
    refused("rate(5minutes)", 6, "one space");
    refused("cron(0 12 * * * *)", 14, "exactly one of day-of-month and day-of-week");
    refused("cron(0 12 ? * ? *)", 10, "exactly one of");
    refused("cron(60 * * * ? *)", 5, "60 is out of range 0-59");
    refused("cron(0 24 * * ? *)", 7, "field 2 (hours): 24 is out of range 0-23");
    refused("cron(0 0 32 * ? *)", 9, "field 3 (day-of-month): 32 is out of range 1-31");
    refused("cron(0 0 1 13 ? *)", 11, "field 4 (month)");
    refused("cron(0 0 1 FOO ? *)", 11, "'FOO' is not a number or a name");
    refused("cron(0 0 ? * 8 *)", 13, "field 5 (day-of-week): 8 is out of range 1-7");
    refused("cron(0 0 1 1 ? 1969)", 15, "1969 is out of range 1970-2199");
    refused("cron(0 0 1 1 ? 2200)", 15, "out of range 1970-2199");
    refused("cron(0 0 1 1 ? 2024-2020)", 15, "range 2024-2020 goes backwards");
    refused("cron(0 0 ? * 2#6 *)", 15, "6 is out of range 1-5");
    refused("cron(0 0 * *)", 12, "4 fields, wants 6");
    refused("cron(0 0 * * ? * 1)", 17, "more than 6 fields");
    refused("cron(0,,5 0 * * ? *)", 7, "an empty list item");
    refused("cron(0, 0 * * ? *)", 7, "an empty list item");
    refused("cron(/5 0 * * ? *)", 5, "a step needs a start");
    refused("cron(*/0 0 * * ? *)", 7, "0 is out of range 1-60");
    refused("cron(? 0 * * ? *)", 5, "? is for day-of-month or day-of-week only");
    refused("cron(0 0 L,5 * ? *)", 9, "L and W stand alone");
    refused("at(2024-02-30T00:00:00)", 3, "not a date and time");
    refused("at(2023-02-29T00:00:00)", 3, "not a date and time");
    refused("at(2024-01-01 00:00:00)", 3, "yyyy-mm-ddThh:mm:ss");
    refused("cron(0 0 1 1 ? *) )", 16, "unexpected character");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_cron_basic),
        cmocka_unit_test(test_cron_wrap),
        cmocka_unit_test(test_cron_last),
        cmocka_unit_test(test_cron_weekday_nearest),
        cmocka_unit_test(test_cron_nth),
        cmocka_unit_test(test_cron_years),
        cmocka_unit_test(test_at),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
