/*
 * Unit tests for `coalmine scan --metrics` (cli/scan_metrics.c): the
 * exposition's families, label escaping, a failed scan's three families, and
 * the atomic write (no temporary left, an unwritable place reported).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/scan_metrics.h"

/* Occurrences of needle in hay. */
static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    return n;
}

static char *format(const struct cm_scan_metrics *m)
{
    struct cm_buf b;
    size_t len;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_scan_metrics_format(m, &b), 0);
    return cm_buf_take(&b, &len);
}

/* Every line is a comment (# HELP / # TYPE) or "name{labels} value". */
static void well_formed(const char *text)
{
    const char *p = text;

    assert_true(text[0] != '\0' && text[strlen(text) - 1] == '\n');
    while (*p) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        if (*p == '#') {
            assert_true(strncmp(p, "# HELP coalmine_", 16) == 0 ||
                        strncmp(p, "# TYPE coalmine_", 16) == 0);
        } else {
            assert_true(strncmp(p, "coalmine_", 9) == 0);
            const char *sp = nl;
            while (sp > p && sp[-1] != ' ') {
                sp--;
            }
            assert_true(sp > p && sp < nl); /* a value after the last space */
            char *end;
            (void)strtod(sp, &end);
            assert_ptr_equal(end, nl);
        }
        p = nl + 1;
    }
}

static void test_failed_scan(void **state)
{
    (void)state;
    struct cm_scan_metrics m = {.ok = false, .end_ms = 1796000000123, .seconds = 0.5};
    char *t = format(&m);

    well_formed(t);
    assert_non_null(strstr(t, "\ncoalmine_scan_success 0\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_end_timestamp_seconds 1796000000.123\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_duration_seconds 0.500\n"));
    assert_int_equal(count(t, "# TYPE "), 3); /* nothing else is known */
    assert_null(strstr(t, "coalmine_scan_records"));
    free(t);
}

static void test_finished_scan(void **state)
{
    (void)state;
    struct cm_scan_stats st;
    struct cm_scan_report_extra x = {.unbuildable = 2, .over_cap = 0, .trusted = 5};
    struct cm_cli_target_stats tv = {.rule = "high \"sev\"",
                                     .target = "a\\b\nc",
                                     .kind = "file",
                                     .matched = 4,
                                     .delivered = 3,
                                     .failed = 1};
    struct cm_cli_routing r = {.v = &tv, .n = 1};

    memset(&st, 0, sizeof(st));
    st.files = 7;
    st.rejected_files = 1;
    st.records[CM_EV_CLOUDTRAIL] = 100;
    st.records[CM_EV_DNS] = 9;
    st.rejected[CM_EV_FLOW] = 3;
    st.detections = 12;
    st.peak_rss_kb = 2;
    st.dets.n = 1;
    st.dets.v[0].name = "vpcflow-host";
    st.dets.v[0].st.peak_bytes = 4096;
    r.bus.delivered = 3;
    r.bus.failed = 1;

    struct cm_scan_metrics m = {
        .ok = true, .end_ms = 1000, .seconds = 2, .st = &st, .x = &x, .routed = &r};
    char *t = format(&m);

    well_formed(t);
    assert_non_null(strstr(t, "\ncoalmine_scan_success 1\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_records{kind=\"cloudtrail\"} 100\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_records{kind=\"dns\"} 9\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_rejected_records{kind=\"vpcflow\"} 3\n"));
    assert_null(strstr(t, "kind=\"none\""));
    assert_non_null(strstr(t, "\ncoalmine_scan_input_files{outcome=\"read\"} 7\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_input_files{outcome=\"rejected\"} 1\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_peak_rss_bytes 2048\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_detections 12\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_dropped_detections{reason=\"trusted\"} 5\n"));
    assert_non_null(strstr(t, "\ncoalmine_scan_findings 0\n"));
    assert_non_null(
        strstr(t, "\ncoalmine_scan_state_peak_bytes{detector=\"vpcflow-host\"} 4096\n"));
    /* Label values escaped: backslash, double quote, newline. */
    assert_non_null(strstr(t, "\ncoalmine_routing_target_deliveries{kind=\"file\","
                              "outcome=\"delivered\",rule=\"high \\\"sev\\\"\","
                              "target=\"a\\\\b\\nc\"} 3\n"));
    assert_non_null(strstr(t, "\ncoalmine_routing_deliveries{outcome=\"failed\"} 1\n"));
    /* One HELP and one TYPE per family, every family's samples together. */
    assert_int_equal(count(t, "# HELP "), count(t, "# TYPE "));
    assert_int_equal(count(t, "# TYPE coalmine_scan_records gauge\n"), 1);
    free(t);

    m.routed = NULL; /* no routing ran: no routing families */
    t = format(&m);
    assert_null(strstr(t, "coalmine_routing"));
    free(t);
}

static void test_write(void **state)
{
    (void)state;
    char dir[] = "/tmp/cm_metrics_XXXXXX";
    char path[128], tmp[160];
    struct cm_scan_metrics m = {.ok = false, .end_ms = 1000, .seconds = 1};
    struct stat sb;
    FILE *f;
    char line[128];

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/c.prom", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("old\n", f);
    fclose(f);
    assert_int_equal(cm_scan_metrics_write(&m, path), 0);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "# HELP coalmine_scan_success Whether the last scan finished (1) "
                              "or failed (0).\n");
    fclose(f);
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    assert_int_not_equal(stat(tmp, &sb), 0); /* the temporary was renamed */
    assert_int_equal(unlink(path), 0);
    /* A directory that does not exist: an error, nothing written. */
    snprintf(path, sizeof(path), "%s/no/c.prom", dir);
    assert_int_equal(cm_scan_metrics_write(&m, path), 1);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_scan),
        cmocka_unit_test(test_finished_scan),
        cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
