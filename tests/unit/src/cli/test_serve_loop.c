/*
 * The periodic threads of coalmine serve (src/cli/serve_loop.c): a run at start, one per
 * interval, one soon after a kick whatever the interval, one more at stop when asked
 * (and none when not), stop idempotent and harmless on a loop never started.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>

#include "cli/serve_loop.h"

static void count(void *ud)
{
    atomic_fetch_add((atomic_int *)ud, 1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to 5 s for *n to reach want. */
static int reach(atomic_int *n, int want)
{
    for (int i = 0; i < 500 && atomic_load(n) < want; i++) {
        sleep_ms(10);
    }
    return atomic_load(n);
}

static void test_kick_and_stop(void **state)
{
    struct cm_serve_loop l = {.interval_ms = 3600 * 1000, .run = count, .run_at_stop = true};
    atomic_int n;

    (void)state;
    atomic_init(&n, 0);
    l.ud = &n;
    assert_int_equal(cm_serve_loop_start(&l), 0);
    assert_int_equal(reach(&n, 1), 1); /* at once */
    sleep_ms(50);
    assert_int_equal(atomic_load(&n), 1); /* the hour has not passed */
    cm_serve_loop_kick(&l);
    assert_int_equal(reach(&n, 2), 2);
    cm_serve_loop_kick(&l);
    cm_serve_loop_kick(&l); /* kicks before a run are one run */
    assert_true(reach(&n, 3) >= 3);
    cm_serve_loop_stop(&l);
    int after = atomic_load(&n);
    assert_true(after >= 4); /* the last run at stop */
    cm_serve_loop_stop(&l);  /* idempotent */
    cm_serve_loop_kick(&l);  /* nothing once stopped */
    sleep_ms(20);
    assert_int_equal(atomic_load(&n), after);
}

static void test_interval(void **state)
{
    struct cm_serve_loop l = {.interval_ms = 20, .run = count, .run_at_stop = false};
    atomic_int n;

    (void)state;
    atomic_init(&n, 0);
    l.ud = &n;
    assert_int_equal(cm_serve_loop_start(&l), 0);
    assert_true(reach(&n, 4) >= 4);
    cm_serve_loop_stop(&l);
    int after = atomic_load(&n);
    sleep_ms(60);
    assert_int_equal(atomic_load(&n), after); /* stopped: no run since, none at stop */
    assert_true(cm_serve_loop_runs(&l) == 0); /* not started any more */
}

static void test_never_started(void **state)
{
    struct cm_serve_loop l = {.interval_ms = 10, .run = count};

    (void)state;
    cm_serve_loop_kick(&l);
    cm_serve_loop_stop(&l);
    assert_false(l.started);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kick_and_stop),
        cmocka_unit_test(test_interval),
        cmocka_unit_test(test_never_started),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
