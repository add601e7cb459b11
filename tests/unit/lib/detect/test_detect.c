/*
 * Unit tests for the detection engine: dispatch by event kind, the
 * event-time watermark and ticks, flush, error propagation, and the sink.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/detect.h"

struct tstate {
    int events;
    int ticks;
    int64_t last_wm;
    int fail_on;
};

static int t_init(void **state, const struct cm_detect_opts *o)
{
    struct tstate *s = cm_calloc(1, sizeof(*s));
    (void)o;
    if (s == NULL) {
        return CM_ENOMEM;
    }
    *state = s;
    return 0;
}

static int t_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct tstate *s = state;
    struct cm_detection d;

    s->events++;
    if (s->fail_on && s->events == s->fail_on) {
        return CM_EINVAL;
    }
    if (ev->kind == CM_EV_FLOW) {
        memset(&d, 0, sizeof(d));
        d.type = "Test:EC2/Flow";
        d.severity = 5.0;
        d.time_ms = ev->time_ms;
        d.account = ev->account;
        d.resource_type = CM_RES_INSTANCE;
        d.count = 1;
        d.event = ev;
        return cm_sink_emit(sink, &d);
    }
    return 0;
}

static int t_tick(void *state, int64_t wm, struct cm_sink *sink)
{
    struct tstate *s = state;
    (void)sink;
    s->ticks++;
    s->last_wm = wm;
    return 0;
}

static void t_finish(void *state)
{
    cm_free(state);
}

static const char *const t_types[] = {"Test:EC2/Flow", NULL};

static const struct cm_detector det_flow = {
    .name = "test-flow",
    .types = t_types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = t_init,
    .on_event = t_event,
    .on_tick = t_tick,
    .finish = t_finish,
};

static const struct cm_detector det_all = {
    .name = "test-all",
    .types = t_types,
    .kinds = CM_EV_MASK(CM_EV_FLOW) | CM_EV_MASK(CM_EV_DNS) | CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = t_init,
    .on_event = t_event,
    .on_tick = t_tick,
    .finish = t_finish,
};

static int bad_init(void **state, const struct cm_detect_opts *o)
{
    (void)state, (void)o;
    return CM_EINVAL;
}

static const struct cm_detector det_bad = {
    .name = "bad",
    .types = t_types,
    .kinds = 0,
    .init = bad_init,
};

struct collected {
    int n;
    const char *type;
};

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct collected *c = sink->ud;
    c->n++;
    c->type = d->type;
    return 0;
}

static struct cm_event mk(enum cm_event_kind k, int64_t t)
{
    struct cm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = k;
    ev.time_ms = t;
    ev.account = CM_STR_LIT("111122223333");
    return ev;
}

static void test_dispatch(void **state)
{
    const struct cm_detector *const table[] = {&det_flow, &det_all, NULL};
    struct cm_engine *e;
    struct collected c = {0, NULL};
    struct cm_sink sink = {collect, &c};
    struct cm_event ev;
    (void)state;

    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    ev = mk(CM_EV_FLOW, 1000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    ev = mk(CM_EV_DNS, 2000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    ev = mk(CM_EV_CLOUDTRAIL, 3000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    /* Flow reached both detectors (2 emits); dns and cloudtrail only det_all. */
    assert_int_equal(c.n, 2);
    assert_string_equal(c.type, "Test:EC2/Flow");
    assert_int_equal(cm_engine_stats(e)->dispatched, 4);
    assert_int_equal(cm_engine_stats(e)->events[CM_EV_FLOW], 1);
    assert_int_equal(cm_engine_stats(e)->events[CM_EV_DNS], 1);
    cm_engine_destroy(e);
}

/* A CloudTrail record whose eventID was read already (another trail's copy) reaches no
 * detector and is counted; records without an id, and other kinds, are never repeats. */
static void test_repeated_cloudtrail(void **state)
{
    const struct cm_detector *const table[] = {&det_all, NULL};
    struct cm_engine *e;
    struct collected c = {0, NULL};
    struct cm_sink sink = {collect, &c};
    struct cm_event ev;
    const struct cm_event *batch[2];
    (void)state;

    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    ev = mk(CM_EV_CLOUDTRAIL, 3000);
    ev.u.ct.event_id = CM_STR_LIT("6f0f4d3c-1d4e-4a55-9a6b-0c3f2b1a9e77");
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    batch[0] = batch[1] = &ev;
    assert_int_equal(cm_engine_events(e, batch, 2, &sink), 0);
    assert_int_equal(cm_engine_stats(e)->events[CM_EV_CLOUDTRAIL], 1);
    assert_int_equal(cm_engine_stats(e)->dispatched, 1);
    assert_int_equal(cm_engine_stats(e)->repeated, 3);
    ev.u.ct.event_id = CM_STR_LIT("6f0f4d3c-1d4e-4a55-9a6b-0c3f2b1a9e78");
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    ev.u.ct.event_id = CM_STR_NULL;
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    ev = mk(CM_EV_FLOW, 3000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_stats(e)->events[CM_EV_CLOUDTRAIL], 4);
    assert_int_equal(cm_engine_stats(e)->events[CM_EV_FLOW], 2);
    assert_int_equal(cm_engine_stats(e)->repeated, 3);
    cm_engine_destroy(e);
}

static void test_watermark_ticks(void **state)
{
    const struct cm_detector *const table[] = {&det_flow, NULL};
    struct cm_detect_opts o = {.tick_ms = 60000, .lateness_ms = 5000};
    struct cm_engine *e;
    struct collected c = {0, NULL};
    struct cm_sink sink = {collect, &c};
    struct cm_event ev;
    (void)state;

    assert_int_equal(cm_engine_create(&e, table, &o), 0);
    assert_true(cm_engine_watermark(e) == INT64_MIN);
    ev = mk(CM_EV_FLOW, 100000);
    cm_engine_event(e, &ev, &sink);
    assert_true(cm_engine_watermark(e) == 95000);
    assert_int_equal(cm_engine_stats(e)->ticks, 0);
    /* Out of order: watermark does not go back; no tick has closed anything: not late. */
    ev = mk(CM_EV_FLOW, 50000);
    cm_engine_event(e, &ev, &sink);
    assert_true(cm_engine_watermark(e) == 95000);
    assert_int_equal(cm_engine_stats(e)->late, 0);
    /* Crossing the next minute boundary (120 s) ticks once. */
    ev = mk(CM_EV_FLOW, 126000);
    cm_engine_event(e, &ev, &sink);
    assert_int_equal(cm_engine_stats(e)->ticks, 1);
    ev = mk(CM_EV_FLOW, 130000);
    cm_engine_event(e, &ev, &sink);
    assert_int_equal(cm_engine_stats(e)->ticks, 1);
    /* Older than the tick's watermark (121 s): its detectors ticked past it, late. Older
     * than the watermark but after the tick: nothing has closed before it, not late. */
    ev = mk(CM_EV_FLOW, 120000);
    cm_engine_event(e, &ev, &sink);
    ev = mk(CM_EV_FLOW, 122000);
    cm_engine_event(e, &ev, &sink);
    assert_int_equal(cm_engine_stats(e)->late, 1);
    assert_int_equal(cm_engine_stats(e)->late_kind[CM_EV_FLOW], 1);
    /* A jump of hours ticks once, with the new watermark. */
    ev = mk(CM_EV_FLOW, 10000000);
    cm_engine_event(e, &ev, &sink);
    assert_int_equal(cm_engine_stats(e)->ticks, 2);
    assert_int_equal(cm_engine_flush(e, &sink), 0);
    assert_int_equal(cm_engine_stats(e)->ticks, 3);
    assert_true(cm_engine_watermark(e) == INT64_MAX);
    cm_engine_destroy(e);
}

static int64_t dns_wm = INT64_MIN; /* det_dns's last tick */

static int dns_tick(void *state, int64_t wm, struct cm_sink *sink)
{
    (void)state, (void)sink;
    assert_true(wm >= dns_wm); /* a detector's watermark never goes back */
    dns_wm = wm;
    return 0;
}

static const struct cm_detector det_dns = {
    .name = "test-dns",
    .types = t_types,
    .kinds = CM_EV_MASK(CM_EV_DNS),
    .init = t_init,
    .on_event = t_event,
    .on_tick = dns_tick,
    .finish = t_finish,
};

/*
 * Each source has its own clock. Resolver logs delivered two hours after the CloudTrail
 * and flow records of the same time (another pipeline, another delay) come after them:
 * the DNS detectors tick on the DNS records' time, not on the flow records' two hours
 * later, so the DNS records are not late and their windows are not closed before them. A
 * detector of several kinds follows the clock over every event.
 */
static void test_kind_clocks(void **state)
{
    const struct cm_detector *const table[] = {&det_flow, &det_dns, &det_all, NULL};
    struct cm_detect_opts o = {.tick_ms = 60000};
    struct cm_engine *e;
    struct collected c = {0, NULL};
    struct cm_sink sink = {collect, &c};
    struct cm_event ev;
    const int64_t h = 3600 * 1000;
    (void)state;

    dns_wm = INT64_MIN;
    assert_int_equal(cm_engine_create(&e, table, &o), 0);
    for (int64_t t = 0; t <= 3 * h; t += 60000) {
        ev = mk(CM_EV_FLOW, t);
        assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    }
    assert_true(cm_engine_kind_watermark(e, CM_EV_FLOW) == 3 * h);
    assert_true(cm_engine_kind_watermark(e, CM_EV_DNS) == INT64_MIN);
    assert_true(dns_wm == INT64_MIN); /* no DNS record yet: no DNS tick */
    for (int64_t t = h; t <= 2 * h; t += 30000) {
        ev = mk(CM_EV_DNS, t);
        assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    }
    assert_int_equal(cm_engine_stats(e)->late, 0);
    assert_true(dns_wm == 2 * h);
    assert_true(cm_engine_kind_watermark(e, CM_EV_DNS) == 2 * h);
    assert_true(cm_engine_watermark(e) == 3 * h);
    /* A DNS record older than the DNS detectors' last tick is late; by its kind's clock. */
    ev = mk(CM_EV_DNS, h);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_stats(e)->late, 1);
    assert_int_equal(cm_engine_stats(e)->late_kind[CM_EV_DNS], 1);
    assert_int_equal(cm_engine_stats(e)->late_kind[CM_EV_FLOW], 0);
    assert_int_equal(cm_engine_flush(e, &sink), 0);
    assert_true(dns_wm == INT64_MAX);
    cm_engine_destroy(e);

    /* With late_slack_ms (the scan's reading order's disorder), only an event older than
     * the last tick by more than it is late: a record of the file before, not a late file. */
    o.late_slack_ms = 15 * 60000;
    dns_wm = INT64_MIN;
    assert_int_equal(cm_engine_create(&e, table, &o), 0);
    ev = mk(CM_EV_DNS, h);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    ev = mk(CM_EV_DNS, h + 30 * 60000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    ev = mk(CM_EV_DNS, h + 16 * 60000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_stats(e)->late, 0);
    ev = mk(CM_EV_DNS, h + 14 * 60000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_stats(e)->late_kind[CM_EV_DNS], 1);
    /* A source a day behind the others (its logging stopped) is moved on with them, a day
     * behind, so its detectors' tables expire; a source never seen is left alone. */
    for (int64_t t = 2 * h; t <= 30 * h; t += 60000) {
        ev = mk(CM_EV_FLOW, t);
        assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    }
    assert_true(dns_wm == 6 * h);
    assert_true(cm_engine_kind_watermark(e, CM_EV_DNS) == 6 * h);
    assert_true(cm_engine_kind_watermark(e, CM_EV_CLOUDTRAIL) == INT64_MIN);
    /* A source whose first record comes more than a day behind is moved on at once, and
     * the lagging source keeps following the others. */
    ev = mk(CM_EV_CLOUDTRAIL, h);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_true(cm_engine_kind_watermark(e, CM_EV_CLOUDTRAIL) == 6 * h);
    ev = mk(CM_EV_FLOW, 31 * h);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_true(dns_wm == 7 * h);
    assert_true(cm_engine_kind_watermark(e, CM_EV_CLOUDTRAIL) == 7 * h);
    cm_engine_destroy(e);
}

static void test_errors(void **state)
{
    const struct cm_detector *const bad[] = {&det_flow, &det_bad, NULL};
    const struct cm_detector *const none[] = {NULL};
    struct cm_engine *e = (struct cm_engine *)&e;
    struct collected c = {0, NULL};
    struct cm_sink sink = {collect, &c};
    struct cm_event ev = mk(CM_EV_FLOW, 1);
    (void)state;

    assert_int_equal(cm_engine_create(&e, bad, NULL), CM_EINVAL);
    assert_null(e);
    assert_int_equal(cm_engine_create(&e, none, NULL), 0);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(c.n, 0);
    cm_engine_destroy(e);
    cm_engine_destroy(NULL);
    /* The built-in table is well formed: every entry names its types, and its kinds or
     * that it correlates detections. */
    for (const struct cm_detector *const *d = cm_detectors(); *d; d++) {
        assert_non_null((*d)->name);
        assert_non_null((*d)->types);
        assert_true((*d)->kinds != 0 || (*d)->on_detection != NULL);
    }
}

static int fail_init(void **state, const struct cm_detect_opts *o)
{
    int rc = t_init(state, o);
    if (rc == 0) {
        ((struct tstate *)*state)->fail_on = 2;
    }
    return rc;
}

static const struct cm_detector det_failing = {
    .name = "failing",
    .types = t_types,
    .kinds = CM_EV_MASK(CM_EV_DNS),
    .init = fail_init,
    .on_event = t_event,
    .finish = t_finish,
};

static void test_event_error_stops(void **state)
{
    const struct cm_detector *const table[] = {&det_failing, NULL};
    struct cm_engine *e;
    struct collected c = {0, NULL};
    struct cm_sink sink = {collect, &c};
    struct cm_event ev = mk(CM_EV_DNS, 1);
    (void)state;

    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(cm_engine_event(e, &ev, &sink), CM_EINVAL);
    cm_engine_destroy(e);
}

/* A correlator: counts what it sees and answers each detection with one of its own. */
static int seen_by_correlator;

static int t_correlate(void *state, const struct cm_detection *d, struct cm_sink *sink)
{
    struct cm_detection out = *d;

    (void)state;
    seen_by_correlator++;
    assert_string_equal(d->type, "Test:EC2/Flow");
    out.type = "Test:EC2/Sequence";
    return cm_sink_emit(sink, &out);
}

static const char *const t_seq_types[] = {"Test:EC2/Sequence", NULL};

static const struct cm_detector det_correlator = {
    .name = "test-correlator",
    .types = t_seq_types,
    .init = t_init,
    .finish = t_finish,
    .on_detection = t_correlate,
};

/* Detections reach the caller's sink, then the correlators; theirs only the sink. */
static void test_correlation(void **state)
{
    const struct cm_detector *const table[] = {&det_flow, &det_correlator, NULL};
    struct cm_engine *e;
    struct collected c = {0, NULL};
    struct cm_sink sink = {collect, &c};
    struct cm_event ev = mk(CM_EV_FLOW, 1000);

    (void)state;
    seen_by_correlator = 0;
    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.type, "Test:EC2/Sequence");
    assert_int_equal(seen_by_correlator, 1);
    ev = mk(CM_EV_DNS, 2000);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(cm_engine_flush(e, &sink), 0);
    cm_engine_destroy(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_watermark_ticks),
        cmocka_unit_test(test_kind_clocks),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_event_error_stops),
        cmocka_unit_test(test_correlation),
        cmocka_unit_test(test_repeated_cloudtrail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
