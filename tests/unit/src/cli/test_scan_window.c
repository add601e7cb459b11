/*
 * The window of `coalmine scan --since/--until` (src/cli/scan_window.c): the forms a time
 * may take, each side open until given, a side given twice, an empty window, and the
 * options it cannot go with, each refused with the option and the reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cli/scan_window.h"
#include "core/scan.h"

#define NOW 1767571200000LL /* 2026-01-05T00:00:00Z */

static void test_forms(void **state)
{
    struct cm_scan_opts o;
    char err[256];

    (void)state;
    memset(&o, 0, sizeof(o));
    assert_int_equal(cm_scan_window_check(&o, true, true, err, sizeof(err)), 0); /* no window */
    assert_int_equal(
        cm_scan_window_option(&o, CM_SCAN_OPT_SINCE, "2026-01-04T10:30:00Z", NOW, err, 256), 0);
    assert_true(o.window);
    assert_int_equal(o.since_ms, NOW - 13 * 3600000LL - 1800000LL);
    assert_int_equal(o.until_ms, INT64_MAX); /* open until given */
    assert_int_equal(cm_scan_window_check(&o, false, false, err, sizeof(err)), 0);
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_UNTIL, "2026-01-05", NOW, err, 256), 0);
    assert_int_equal(o.until_ms, NOW);
    assert_int_equal(cm_scan_window_check(&o, false, false, err, sizeof(err)), 0);

    memset(&o, 0, sizeof(o));
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_UNTIL, "36h", NOW, err, 256), 0);
    assert_int_equal(o.since_ms, INT64_MIN);
    assert_int_equal(o.until_ms, NOW - 36 * 3600000LL);
    assert_int_equal(
        cm_scan_window_option(&o, CM_SCAN_OPT_SINCE, "2026-01-03T00:00+02:00", NOW, err, 256), 0);
    assert_int_equal(o.since_ms, NOW - 2 * 86400000LL - 2 * 3600000LL);
    assert_int_equal(cm_scan_window_check(&o, false, false, err, sizeof(err)), 0);

    memset(&o, 0, sizeof(o));
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_SINCE, "1767571200000", NOW, err, 256),
                     0);
    assert_int_equal(o.since_ms, NOW);
}

static void test_refused(void **state)
{
    struct cm_scan_opts o;
    char err[256];

    (void)state;
    memset(&o, 0, sizeof(o));
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_SINCE, "yesterday", NOW, err, 256), -1);
    assert_non_null(strstr(err, "--since 'yesterday' wants ISO 8601"));
    assert_int_equal(
        cm_scan_window_option(&o, CM_SCAN_OPT_UNTIL, "2026-01-05T10:00", NOW, err, 256), -1);
    assert_non_null(strstr(err, "--until '2026-01-05T10:00' has no time zone"));
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_UNTIL, "1767571200", NOW, err, 256), -1);
    assert_non_null(strstr(err, "looks like epoch seconds"));
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_SINCE, "2026-02-30", NOW, err, 256), -1);

    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_SINCE, "2026-01-05", NOW, err, 256), 0);
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_SINCE, "2026-01-06", NOW, err, 256), -1);
    assert_string_equal(err, "--since given twice");
    assert_int_equal(o.since_ms, NOW); /* the first stays */

    /* An empty window, and the options a window cannot go with. */
    assert_int_equal(cm_scan_window_option(&o, CM_SCAN_OPT_UNTIL, "2026-01-05", NOW, err, 256), 0);
    assert_int_equal(cm_scan_window_check(&o, false, false, err, sizeof(err)), -1);
    assert_string_equal(err, "--until must be after --since");
    o.until_ms = NOW + 1;
    assert_int_equal(cm_scan_window_check(&o, false, false, err, sizeof(err)), 0);
    assert_int_equal(cm_scan_window_check(&o, true, false, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot be used with --state"));
    assert_int_equal(cm_scan_window_check(&o, false, true, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot be used with --follow"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
