/*
 * Unit tests for lib/base/prom.h: the Prometheus text exposition the API's
 * /metrics, the service's status and `coalmine scan --metrics` all write
 * with: HELP/TYPE lines, samples with and without labels, label escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "base/prom.h"

static void test_prom_text(void **state)
{
    struct cm_prom_label l[2] = {cm_prom_label("code", "200"), cm_prom_label("op", "a\"b\\c\nd")};
    struct cm_buf b;
    (void)state;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_prom_family(&b, "x_total", "counter", "things done"), 0);
    assert_int_equal(cm_prom_sample_u64(&b, "x_total", l, 2, 18446744073709551615ULL), 0);
    assert_int_equal(cm_prom_sample_i64(&b, "x_total", l, 1, -3), 0);
    assert_int_equal(cm_prom_sample(&b, "x_total", NULL, 0, "0.250"), 0);
    /* A value of len bytes: not read past. */
    l[0] = (struct cm_prom_label){"k", "abcdef", 3};
    assert_int_equal(cm_prom_sample_u64(&b, "y", l, 1, 0), 0);
    assert_int_equal(cm_prom_escape(&b, "\\\"\n", 3), 0);
    cm_buf_putc(&b, '\0');
    assert_string_equal(b.p, "# HELP x_total things done\n"
                             "# TYPE x_total counter\n"
                             "x_total{code=\"200\",op=\"a\\\"b\\\\c\\nd\"} 18446744073709551615\n"
                             "x_total{code=\"200\"} -3\n"
                             "x_total 0.250\n"
                             "y{k=\"abc\"} 0\n"
                             "\\\\\\\"\\n");
    cm_buf_finish(&b);
}

/* A full buffer: the error is returned, not a half sample. */
static void test_prom_full(void **state)
{
    struct cm_buf b;
    (void)state;

    cm_buf_init(&b, 8);
    assert_int_not_equal(cm_prom_family(&b, "a_long_name", "gauge", "help"), 0);
    cm_buf_finish(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prom_text),
        cmocka_unit_test(test_prom_full),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
