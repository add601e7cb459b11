/*
 * Unit tests for lib/base/hll.h: precision bounds, relative error within
 * three standard errors (1.04 / sqrt(2^p)) for cardinalities 10..1e6 at
 * p = 12 and p = 14 (within one up to 30), no bias where small-range
 * correction hands over to the HLL estimate, duplicates not
 * counting, merge equal to the union, caller-owned registers, and clearing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/hll.h"

#define SEED 0x411ULL

/* The hash of item i, as a caller would compute it from the item's bytes. */
static uint64_t item(uint64_t i)
{
    return cm_hash64(&i, sizeof(i), SEED);
}

static void add_range(struct cm_hll *h, uint64_t from, uint64_t to)
{
    uint64_t i;

    for (i = from; i < to; i++) {
        cm_hll_add(h, item(i));
    }
}

static void test_bounds(void **state)
{
    struct cm_hll h;
    uint8_t buf[16];
    (void)state;

    assert_int_equal(cm_hll_init(&h, 3), CM_EINVAL);
    assert_int_equal(cm_hll_init(&h, 17), CM_EINVAL);
    assert_int_equal(cm_hll_init_buf(&h, 17, buf), CM_EINVAL);
    assert_int_equal(cm_hll_init_buf(&h, 4, NULL), CM_EINVAL);
    assert_int_equal(cm_hll_count(&h), 0);
    cm_hll_finish(&h);
    assert_int_equal(cm_hll_init(&h, CM_HLL_MIN_P), 0);
    assert_int_equal(cm_hll_count(&h), 0);
    cm_hll_finish(&h);
    cm_hll_finish(&h);
    assert_int_equal(cm_hll_init(&h, CM_HLL_MAX_P), 0);
    assert_int_equal(cm_hll_count(&h), 0);
    cm_hll_add(&h, 0); /* the all-zero hash: maximal rank, first register */
    cm_hll_add(&h, UINT64_MAX);
    assert_int_equal(cm_hll_count(&h), 2);
    cm_hll_finish(&h);
}

static void check_accuracy(unsigned p)
{
    static const uint64_t ns[] = {10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000, 1000000};
    double bound = 3 * 1.04 / sqrt((double)CM_HLL_BYTES(p)), err;
    struct cm_hll h;
    uint64_t done = 0, est;
    size_t i;

    assert_int_equal(cm_hll_init(&h, p), 0);
    for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        add_range(&h, done, ns[i]);
        done = ns[i];
        est = cm_hll_count(&h);
        err = fabs((double)est - (double)ns[i]) / (double)ns[i];
        if (ns[i] <= 30) {
            assert_true(est + 1 >= ns[i] && est <= ns[i] + 1);
        } else if (err > bound) {
            fail_msg("p=%u n=%llu estimate %llu: error %.4f over %.4f", p,
                     (unsigned long long)ns[i], (unsigned long long)est, err, bound);
        }
    }
    cm_hll_finish(&h);
}

static void test_accuracy_p12(void **state)
{
    (void)state;
    check_accuracy(12);
}

static void test_accuracy_p14(void **state)
{
    (void)state;
    check_accuracy(14);
}

/* Many independent sketches around the switch to the HLL range: no bias bump. */
static void test_no_bias_at_transition(void **state)
{
    enum { TRIALS = 40 };
    unsigned p = 10, t;
    uint64_t n = (uint64_t)(2.5 * 1024), base;
    double sum = 0;
    struct cm_hll h;
    (void)state;

    for (t = 0; t < TRIALS; t++) {
        assert_int_equal(cm_hll_init(&h, p), 0);
        base = (uint64_t)t << 32;
        add_range(&h, base, base + n);
        sum += ((double)cm_hll_count(&h) - (double)n) / (double)n;
        cm_hll_finish(&h);
    }
    /* Mean error of 40 trials: standard error 3.25% / sqrt(40) = 0.5%. */
    assert_true(fabs(sum / TRIALS) < 0.015);
}

static void test_duplicates(void **state)
{
    struct cm_hll a, b;
    (void)state;

    assert_int_equal(cm_hll_init(&a, 12), 0);
    assert_int_equal(cm_hll_init(&b, 12), 0);
    add_range(&a, 0, 5000);
    add_range(&b, 0, 5000);
    add_range(&b, 0, 5000);
    add_range(&b, 1000, 2000);
    assert_memory_equal(a.reg, b.reg, CM_HLL_BYTES(12));
    assert_int_equal(cm_hll_count(&a), cm_hll_count(&b));
    cm_hll_finish(&a);
    cm_hll_finish(&b);
}

static void test_merge(void **state)
{
    struct cm_hll a, b, u, other;
    uint64_t est;
    (void)state;

    assert_int_equal(cm_hll_init(&a, 14), 0);
    assert_int_equal(cm_hll_init(&b, 14), 0);
    assert_int_equal(cm_hll_init(&u, 14), 0);
    add_range(&a, 0, 60000);
    add_range(&b, 40000, 100000);
    add_range(&u, 0, 100000);
    assert_int_equal(cm_hll_merge(&a, &b), 0);
    assert_memory_equal(a.reg, u.reg, CM_HLL_BYTES(14));
    est = cm_hll_count(&a);
    assert_int_equal(est, cm_hll_count(&u));
    assert_true(est > 97000 && est < 103000);
    /* Merging into an empty sketch copies; merging itself changes nothing. */
    cm_hll_clear(&b);
    assert_int_equal(cm_hll_count(&b), 0);
    assert_int_equal(cm_hll_merge(&b, &u), 0);
    assert_int_equal(cm_hll_merge(&b, &b), 0);
    assert_int_equal(cm_hll_count(&b), est);
    assert_int_equal(cm_hll_init(&other, 12), 0);
    assert_int_equal(cm_hll_merge(&a, &other), CM_EINVAL);
    cm_hll_finish(&a);
    cm_hll_finish(&b);
    cm_hll_finish(&u);
    cm_hll_finish(&other);
}

/* Registers in the caller's memory, e.g. inside a detector's state value. */
static void test_caller_buffer(void **state)
{
    struct {
        uint64_t before;
        uint8_t regs[CM_HLL_BYTES(8)];
        uint64_t after;
    } value;
    struct cm_hll h;
    uint64_t est;
    (void)state;

    memset(&value, 0xee, sizeof(value));
    assert_int_equal(cm_hll_init_buf(&h, 8, value.regs), 0);
    add_range(&h, 0, 1000);
    est = cm_hll_count(&h);
    assert_true(est > 800 && est < 1200); /* 6.5% standard error at p = 8 */
    assert_int_equal(value.before, 0xeeeeeeeeeeeeeeeeULL);
    assert_int_equal(value.after, 0xeeeeeeeeeeeeeeeeULL);
    cm_hll_finish(&h); /* must not free the caller's memory */
    assert_null(h.reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),        cmocka_unit_test(test_accuracy_p12),
        cmocka_unit_test(test_accuracy_p14),  cmocka_unit_test(test_no_bias_at_transition),
        cmocka_unit_test(test_duplicates),    cmocka_unit_test(test_merge),
        cmocka_unit_test(test_caller_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
