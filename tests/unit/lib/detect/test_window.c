/*
 * Unit tests for lib/detect/window.h: sums over sliding windows, bucket
 * boundaries (also before 1970), events late but inside the window, events
 * older than the window (dropped and counted), jumps of hours and of the whole
 * int64 range, sums asked for a time before the head, and a randomized run
 * checked against a brute-force list of every accepted event.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/window.h"

static void test_init(void **state)
{
    struct cm_window w;
    (void)state;

    assert_int_equal(sizeof(struct cm_window), 512);
    assert_int_equal(cm_window_init(&w, 0, 10), CM_EINVAL);
    assert_false(cm_window_add(&w, 5, 1)); /* unusable after a failed init */
    assert_int_equal(cm_window_sum(&w, 5), 0);
    assert_int_equal(cm_window_init(&w, 1000, 0), CM_EINVAL);
    assert_int_equal(cm_window_init(&w, 1000, CM_WINDOW_MAX_BUCKETS + 1), CM_EINVAL);
    assert_int_equal(cm_window_init(&w, 1000, CM_WINDOW_MAX_BUCKETS), 0);
    assert_int_equal(cm_window_sum(&w, 0), 0);
    assert_int_equal(cm_window_init(&w, 1, 1), 0);
}

static void test_sliding(void **state)
{
    struct cm_window w;
    (void)state;

    /* Five buckets of one second. */
    assert_int_equal(cm_window_init(&w, 1000, 5), 0);
    assert_true(cm_window_add(&w, 0, 1));
    assert_true(cm_window_add(&w, 999, 2));  /* same bucket as 0 */
    assert_true(cm_window_add(&w, 1000, 4)); /* next bucket */
    assert_true(cm_window_add(&w, 4999, 8)); /* bucket 4: 0..4 all in */
    assert_int_equal(cm_window_sum(&w, 4999), 15);
    assert_int_equal(cm_window_sum(&w, 5000), 12); /* bucket 0 left */
    assert_int_equal(cm_window_sum(&w, 5999), 12);
    assert_int_equal(cm_window_sum(&w, 6000), 8);
    assert_int_equal(cm_window_sum(&w, 8999), 8);
    assert_int_equal(cm_window_sum(&w, 9000), 0);
    /* Adding at 6500 clears buckets 0 and 1. */
    assert_true(cm_window_add(&w, 6500, 16));
    assert_int_equal(w.total, 24);
    assert_int_equal(cm_window_sum(&w, 6500), 24);
    assert_int_equal(cm_window_sum(&w, 8999), 24);
    assert_int_equal(cm_window_sum(&w, 9000), 16);
    assert_int_equal(cm_window_sum(&w, 10999), 16);
    assert_int_equal(cm_window_sum(&w, 11000), 0);
    assert_int_equal(w.late, 0);
}

static void test_late(void **state)
{
    struct cm_window w;
    (void)state;

    assert_int_equal(cm_window_init(&w, 1000, 5), 0);
    assert_true(cm_window_add(&w, 10000, 1));
    /* Older than the head but in the window: its own bucket. */
    assert_true(cm_window_add(&w, 6000, 10));
    assert_true(cm_window_add(&w, 8500, 100));
    assert_int_equal(cm_window_sum(&w, 10000), 111);
    assert_int_equal(cm_window_sum(&w, 10999), 111);
    assert_int_equal(cm_window_sum(&w, 11000), 101); /* bucket 6 left */
    assert_int_equal(cm_window_sum(&w, 13999), 1);
    /* Older than the window: dropped and counted. */
    assert_false(cm_window_add(&w, 5999, 1000));
    assert_false(cm_window_add(&w, -5, 1000));
    assert_int_equal(w.late, 2);
    assert_int_equal(cm_window_sum(&w, 10000), 111);
    /* A sum for a time before the head sees only what is in both windows. */
    assert_int_equal(cm_window_sum(&w, 9000), 110);
    assert_int_equal(cm_window_sum(&w, 7999), 10);
    assert_int_equal(cm_window_sum(&w, 5999), 0);
    assert_int_equal(cm_window_sum(&w, -100000), 0);
}

static void test_jumps(void **state)
{
    struct cm_window w;
    int64_t hour = 3600 * 1000;
    (void)state;

    assert_int_equal(cm_window_init(&w, 60000, 60), 0);
    assert_true(cm_window_add(&w, 0, 5));
    assert_true(cm_window_add(&w, 59 * 60000, 7));
    assert_int_equal(cm_window_sum(&w, 59 * 60000), 12);
    assert_true(cm_window_add(&w, 10 * hour, 3));
    assert_int_equal(w.total, 3);
    assert_int_equal(cm_window_sum(&w, 10 * hour), 3);
    assert_int_equal(cm_window_sum(&w, 11 * hour), 0);
    assert_int_equal(cm_window_sum(&w, 1 * hour), 0);
    assert_false(cm_window_add(&w, 0, 5));
    /* The whole int64 range, both ways. */
    assert_true(cm_window_add(&w, INT64_MAX, 1));
    assert_int_equal(cm_window_sum(&w, INT64_MAX), 1);
    assert_int_equal(cm_window_sum(&w, INT64_MIN), 0);
    assert_false(cm_window_add(&w, INT64_MIN, 1));
    assert_int_equal(cm_window_init(&w, 1, 3), 0);
    assert_true(cm_window_add(&w, INT64_MIN, 1));
    assert_true(cm_window_add(&w, INT64_MIN + 2, 2));
    assert_int_equal(cm_window_sum(&w, INT64_MIN + 2), 3);
    assert_int_equal(cm_window_sum(&w, INT64_MAX), 0);
    assert_true(cm_window_add(&w, INT64_MAX, 4));
    assert_int_equal(cm_window_sum(&w, INT64_MAX), 4);
}

static void test_negative_times(void **state)
{
    struct cm_window w;
    (void)state;

    /* Buckets are floor-aligned: -1 belongs to [-1000, 0). */
    assert_int_equal(cm_window_init(&w, 1000, 2), 0);
    assert_true(cm_window_add(&w, -1, 1));
    assert_true(cm_window_add(&w, -1000, 2));
    assert_true(cm_window_add(&w, 0, 4));
    assert_int_equal(cm_window_sum(&w, 0), 7);
    assert_int_equal(cm_window_sum(&w, -1), 3);
    assert_int_equal(cm_window_sum(&w, 1000), 4);
    assert_false(cm_window_add(&w, -1001, 8));
}

struct ev {
    int64_t bucket;
    uint64_t n;
};

static int64_t fdiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && a < 0);
}

/* Brute force: every accepted event that is in both the window of now and the live ring. */
static uint64_t brute_sum(const struct ev *evs, size_t nev, int64_t head, int64_t b, int nb)
{
    int64_t lo = b - nb + 1, hi = b;
    uint64_t sum = 0;
    size_t i;

    if (head - nb + 1 > lo) {
        lo = head - nb + 1;
    }
    if (head < hi) {
        hi = head;
    }
    for (i = 0; i < nev; i++) {
        if (evs[i].bucket >= lo && evs[i].bucket <= hi) {
            sum += evs[i].n;
        }
    }
    return sum;
}

static void test_random_vs_brute(void **state)
{
    enum { NEV = 20000 };
    struct ev *evs = cm_calloc(NEV, sizeof(*evs));
    struct cm_window w;
    uint64_t rs = 1, r, late = 0;
    int64_t t = -50000, now, head = INT64_MIN, b;
    size_t nev = 0, i;
    const int nb = 7, bms = 250;
    (void)state;

    assert_non_null(evs);
    assert_int_equal(cm_window_init(&w, bms, nb), 0);
    for (i = 0; i < NEV; i++) {
        rs += 0x9e3779b97f4a7c15ULL;
        r = cm_hash_mix64(rs);
        t += (r % 64 == 0) ? (int64_t)(r >> 50) % 5000 : (int64_t)(r % 40);
        now = t - ((r >> 8) % 4 == 0 ? (int64_t)((r >> 16) % 2500) : 0);
        b = fdiv(now, bms);
        if (head != INT64_MIN && b <= head - nb) {
            assert_false(cm_window_add(&w, now, (r >> 32) % 10));
            late++;
        } else {
            assert_true(cm_window_add(&w, now, (r >> 32) % 10));
            evs[nev].bucket = b;
            evs[nev++].n = (r >> 32) % 10;
            head = b > head ? b : head;
        }
        now = t - (int64_t)((r >> 24) % 3000) + 1000;
        assert_int_equal(cm_window_sum(&w, now), brute_sum(evs, nev, head, fdiv(now, bms), nb));
    }
    assert_int_equal(w.late, late);
    assert_true(late > 100);
    cm_free(evs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),           cmocka_unit_test(test_sliding),
        cmocka_unit_test(test_late),           cmocka_unit_test(test_jumps),
        cmocka_unit_test(test_negative_times), cmocka_unit_test(test_random_vs_brute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
