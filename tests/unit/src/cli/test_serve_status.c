/*
 * What coalmine serve's threads report for /metrics (src/cli/serve_status.c): sums over
 * polls and bus runs, levels where a level is meant (held, pending), a check's last
 * status by name, the families in the text format with label values escaped, the
 * engine's families only when watching.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "cli/serve_status.h"
#include "event/event.h"

static char *metrics(struct cm_serve_status *s, struct cm_buf *b)
{
    cm_buf_init(b, 1 << 20);
    assert_int_equal(cm_serve_status_metrics(s, b), 0);
    assert_int_equal(cm_buf_putc(b, '\0'), 0);
    return b->p;
}

static void test_not_watching(void **state)
{
    struct cm_serve_status s;
    struct cm_buf b;
    char *t;

    (void)state;
    assert_int_equal(cm_serve_status_init(&s), 0);
    t = metrics(&s, &b);
    assert_null(strstr(t, "coalmine_scan_records"));
    assert_non_null(strstr(t, "# TYPE coalmine_routing_deliveries counter\n"));
    assert_non_null(strstr(t, "coalmine_routing_deliveries{outcome=\"delivered\"} 0\n"));
    assert_non_null(strstr(t, "# TYPE coalmine_canary_up gauge\n"));
    assert_non_null(strstr(t, "coalmine_canary_ticks{outcome=\"ok\"} 0\n"));
    cm_buf_finish(&b);
    cm_serve_status_destroy(&s);
}

static void test_polls_bus_canaries(void **state)
{
    struct cm_serve_status s;
    struct cm_scan_stats st;
    struct cm_bus_stats bus;
    struct cm_buf b;
    char *t;

    (void)state;
    assert_int_equal(cm_serve_status_init(&s), 0);
    s.watching = true;
    memset(&st, 0, sizeof(st));
    st.records[CM_EV_CLOUDTRAIL] = 10;
    st.records[CM_EV_FLOW] = 7;
    st.rejected[CM_EV_DNS] = 2;
    st.rejected_files = 1;
    cm_serve_status_poll(&s, &st, 3, 4, 1700000000500);
    cm_serve_status_poll(&s, &st, 0, 0, 1700000009000); /* read nothing: no poll counted */
    cm_serve_status_poll(&s, &st, 2, 1, 1700000010250);
    cm_serve_status_reload(&s, true);
    cm_serve_status_reload(&s, false);
    memset(&bus, 0, sizeof(bus));
    bus.events = 5;
    bus.matched = 6;
    bus.delivered = 6;
    bus.held = 9;
    cm_serve_status_bus(&s, true, &bus);
    bus.failed = 1;
    bus.delivered = 0;
    bus.held = 2; /* a level: the last run's */
    cm_serve_status_bus(&s, false, &bus);
    /* A canary thread's first attempts: counted with the bus's, by source, no run. */
    memset(&bus, 0, sizeof(bus));
    bus.events = 1;
    bus.delivered = 1;
    bus.by_source[CM_BUS_SRC_CANARY].events = 1;
    bus.by_source[CM_BUS_SRC_CANARY].delivered = 1;
    bus.held = 77; /* a level: not the canary thread's to set */
    cm_serve_status_deliveries(&s, &bus);
    cm_serve_status_canary(&s, "trail-alive", 0);
    cm_serve_status_canary(&s, "odd \"name\"\\", 1);
    cm_serve_status_canary(&s, "trail-alive", 1); /* the last status counts */
    cm_serve_status_tick(&s, true);
    cm_serve_status_tick(&s, false);
    t = metrics(&s, &b);
    assert_non_null(strstr(t, "coalmine_scan_records{kind=\"cloudtrail\"} 30\n"));
    assert_non_null(strstr(t, "coalmine_scan_records{kind=\"vpcflow\"} 21\n"));
    assert_non_null(strstr(t, "coalmine_scan_records{kind=\"dns\"} 0\n"));
    assert_non_null(strstr(t, "coalmine_scan_rejected_records{kind=\"dns\"} 6\n"));
    assert_non_null(strstr(t, "coalmine_scan_rejected_files 3\n"));
    assert_non_null(strstr(t, "coalmine_scan_findings 5\n"));
    assert_non_null(strstr(t, "coalmine_follow_files_read 5\n"));
    assert_non_null(strstr(t, "coalmine_follow_polls 2\n"));
    assert_non_null(strstr(t, "coalmine_follow_last_poll_timestamp_seconds 1700000010.250\n"));
    assert_non_null(strstr(t, "coalmine_intel_reloads{outcome=\"ok\"} 1\n"));
    assert_non_null(strstr(t, "coalmine_intel_reloads{outcome=\"error\"} 1\n"));
    assert_non_null(strstr(t, "coalmine_routing_deliveries{outcome=\"events\"} 11\n"));
    assert_non_null(strstr(t, "coalmine_routing_deliveries{outcome=\"delivered\"} 7\n"));
    assert_non_null(strstr(t, "coalmine_routing_source_deliveries{source=\"canary\","
                              "outcome=\"delivered\"} 1\n"));
    assert_non_null(strstr(t, "coalmine_routing_source_deliveries{source=\"schedule\","
                              "outcome=\"events\"} 0\n"));
    assert_non_null(strstr(t, "coalmine_routing_deliveries{outcome=\"failed\"} 1\n"));
    /* Held now is a level: not a series of a counter (coalmine_store_outbox has it). */
    assert_null(strstr(t, "coalmine_routing_deliveries{outcome=\"held\"}"));
    assert_non_null(strstr(t, "coalmine_bus_runs{outcome=\"ok\"} 1\n"));
    assert_non_null(strstr(t, "coalmine_bus_runs{outcome=\"error\"} 1\n"));
    assert_non_null(strstr(t, "coalmine_canary_up{check=\"trail-alive\"} 0\n"));
    assert_non_null(strstr(t, "coalmine_canary_up{check=\"odd \\\"name\\\"\\\\\"} 0\n"));
    assert_non_null(strstr(t, "coalmine_canary_ticks{outcome=\"ok\"} 1\n"));
    assert_non_null(strstr(t, "coalmine_canary_ticks{outcome=\"error\"} 1\n"));
    /* Each family once, HELP before TYPE. */
    const char *first = strstr(t, "# TYPE coalmine_scan_records counter");
    assert_non_null(first);
    assert_null(strstr(first + 1, "# TYPE coalmine_scan_records counter"));
    assert_true(strstr(t, "# HELP coalmine_canary_up ") < strstr(t, "# TYPE coalmine_canary_up "));
    cm_buf_finish(&b);
    cm_serve_status_destroy(&s);
}

static void test_canary_cap(void **state)
{
    struct cm_serve_status s;
    char name[32];

    (void)state;
    assert_int_equal(cm_serve_status_init(&s), 0);
    for (int i = 0; i < CM_SERVE_MAX_CANARIES + 3; i++) {
        snprintf(name, sizeof(name), "check-%d", i);
        cm_serve_status_canary(&s, name, 0);
    }
    cm_serve_status_canary(&s, "check-0", 2); /* known: updated, not counted over */
    assert_int_equal(s.ncanaries, CM_SERVE_MAX_CANARIES);
    assert_int_equal(s.canaries_over, 3);
    assert_int_equal(s.canaries[0].status, 2);
    cm_serve_status_destroy(&s);
}

/* Watching S3: the lister's totals as they stand, families only once one is watched. */
static void test_s3(void **state)
{
    struct cm_serve_status s;
    struct cm_buf b;
    char *t;

    (void)state;
    assert_int_equal(cm_serve_status_init(&s), 0);
    s.watching = true;
    t = metrics(&s, &b);
    assert_null(strstr(t, "coalmine_follow_s3"));
    cm_buf_finish(&b);
    cm_serve_status_s3(&s, 40, 1, 2);
    cm_serve_status_s3(&s, 63, 3, 2); /* totals: the last report stands */
    t = metrics(&s, &b);
    assert_non_null(strstr(t, "# TYPE coalmine_follow_s3_list_requests counter\n"
                              "coalmine_follow_s3_list_requests 63\n"));
    assert_non_null(strstr(t, "# TYPE coalmine_follow_s3_errors counter\n"));
    assert_non_null(strstr(t, "coalmine_follow_s3_errors{operation=\"list\"} 3\n"));
    assert_non_null(strstr(t, "coalmine_follow_s3_errors{operation=\"get\"} 2\n"));
    cm_buf_finish(&b);
    cm_serve_status_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_watching),
        cmocka_unit_test(test_polls_bus_canaries),
        cmocka_unit_test(test_canary_cap),
        cmocka_unit_test(test_s3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
