/*
 * The clocks of src/core/clock.c: the wall clock in milliseconds, the
 * monotonic clock in milliseconds and seconds (between two direct readings,
 * never going back), a
 * deadline on the monotonic clock (nanoseconds kept below a second, never
 * before now), and a mutex and condition variable whose timed wait runs on
 * that clock (a deadline already past times out; a signal wakes a waiter).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>

#include "core/clock.h"

static int64_t ns_of(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void test_now(void **state)
{
    (void)state;
    assert_true(cm_clock_now_ms() > INT64_C(1577836800000)); /* after 2020-01-01 */
}

static void test_mono(void **state)
{
    struct timespec before, after;
    int64_t ms, ms2;
    double s;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &before);
    ms = cm_clock_mono_ms();
    s = cm_clock_mono_s();
    clock_gettime(CLOCK_MONOTONIC, &after);
    assert_true(ms >= ns_of(before) / 1000000 && ms <= ns_of(after) / 1000000);
    assert_true(s * 1e9 >= (double)ns_of(before) - 1e3 && s * 1e9 <= (double)ns_of(after) + 1e3);
    ms2 = cm_clock_mono_ms();
    assert_true(ms2 >= ms);
}

static void test_deadline(void **state)
{
    static const int64_t ms[] = {0, 1, 500, 999, 1000, 1500, 2999, 86400000};

    (void)state;
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
        struct timespec before, after, d;

        clock_gettime(CLOCK_MONOTONIC, &before);
        d = cm_clock_deadline(ms[i]);
        clock_gettime(CLOCK_MONOTONIC, &after);
        assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
        assert_true(ns_of(d) >= ns_of(before) + ms[i] * 1000000LL);
        assert_true(ns_of(d) <= ns_of(after) + ms[i] * 1000000LL);
    }
}

struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool ready;
};

static void *wake(void *arg)
{
    struct waiter *w = arg;

    pthread_mutex_lock(&w->mu);
    w->ready = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void test_wait(void **state)
{
    struct waiter w = {.ready = false};
    struct timespec past;
    pthread_t th;
    int rc = 0;

    (void)state;
    assert_int_equal(cm_clock_wait_init(&w.mu, &w.cv), 0);
    /* A deadline on the monotonic clock that has passed: the wait ends at once. */
    clock_gettime(CLOCK_MONOTONIC, &past);
    pthread_mutex_lock(&w.mu);
    assert_int_equal(pthread_cond_timedwait(&w.cv, &w.mu, &past), ETIMEDOUT);
    pthread_mutex_unlock(&w.mu);
    /* A signal wakes a waiter long before a day's deadline. */
    assert_int_equal(pthread_create(&th, NULL, wake, &w), 0);
    pthread_mutex_lock(&w.mu);
    {
        struct timespec until = cm_clock_deadline(86400000);

        while (!w.ready && rc == 0) {
            rc = pthread_cond_timedwait(&w.cv, &w.mu, &until);
        }
    }
    pthread_mutex_unlock(&w.mu);
    assert_int_equal(rc, 0);
    assert_true(w.ready);
    assert_int_equal(pthread_join(th, NULL), 0);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_now),
        cmocka_unit_test(test_mono),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_wait),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
