/*
 * Unit tests for lib/base/buf.h: every append form, NUL termination after
 * each append, the hard cap (an append that would pass max fails with
 * CM_E2BIG and leaves the buffer byte-for-byte unchanged), reset, take and
 * an idempotent finish.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"

/* Checks len, content and the NUL after the content. */
static void assert_content(const struct cm_buf *b, const char *want, size_t n)
{
    assert_int_equal(b->len, n);
    assert_non_null(b->p);
    assert_true(b->cap > b->len);
    assert_memory_equal(b->p, want, n);
    assert_int_equal(b->p[n], '\0');
}

static void assert_str(const struct cm_buf *b, const char *want)
{
    assert_content(b, want, strlen(want));
}

static void test_init_empty(void **state)
{
    struct cm_buf b;
    (void)state;

    cm_buf_init(&b, 0);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, SIZE_MAX / 2);
    cm_buf_init(&b, 10);
    assert_int_equal(b.max, 10);
    /* An empty append still makes the content a valid C string. */
    assert_int_equal(cm_buf_append(&b, "", 0), 0);
    assert_str(&b, "");
    cm_buf_finish(&b);
}

static void test_append(void **state)
{
    struct cm_buf b;
    char big[5000];
    (void)state;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_append(&b, "abc", 3), 0);
    assert_str(&b, "abc");
    assert_int_equal(cm_buf_append(&b, "de\0fg", 5), 0);
    assert_content(&b, "abcde\0fg", 8);
    assert_int_equal(cm_buf_append(&b, NULL, 0), 0);
    assert_content(&b, "abcde\0fg", 8);
    /* Growth across several reallocations keeps earlier bytes. */
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (char)('a' + i % 26);
    }
    for (int k = 0; k < 20; k++) {
        assert_int_equal(cm_buf_append(&b, big, sizeof(big)), 0);
    }
    assert_int_equal(b.len, 8 + 20 * sizeof(big));
    assert_memory_equal(b.p, "abcde\0fg", 8);
    for (int k = 0; k < 20; k++) {
        assert_memory_equal(b.p + 8 + (size_t)k * sizeof(big), big, sizeof(big));
    }
    assert_int_equal(b.p[b.len], '\0');
    cm_buf_finish(&b);
}

static void test_putc_puts(void **state)
{
    struct cm_buf b;
    char want[1001];
    (void)state;

    cm_buf_init(&b, 0);
    for (int i = 0; i < 1000; i++) {
        want[i] = (char)('0' + i % 10);
        assert_int_equal(cm_buf_putc(&b, want[i]), 0);
        assert_int_equal(b.len, (size_t)i + 1);
        assert_int_equal(b.p[b.len], '\0');
    }
    want[1000] = '\0';
    assert_str(&b, want);
    cm_buf_reset(&b);
    assert_int_equal(cm_buf_puts(&b, "hello"), 0);
    assert_int_equal(cm_buf_putc(&b, ','), 0);
    assert_int_equal(cm_buf_puts(&b, ""), 0);
    assert_int_equal(cm_buf_puts(&b, " world"), 0);
    assert_str(&b, "hello, world");
    assert_int_equal(cm_buf_putc(&b, '\0'), 0);
    assert_content(&b, "hello, world\0", 13);
    cm_buf_finish(&b);
}

static void test_printf(void **state)
{
    struct cm_buf b;
    char want[4096 + 1];
    (void)state;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_printf(&b, "%s=%d", "port", 443), 0);
    assert_str(&b, "port=443");
    assert_int_equal(cm_buf_printf(&b, "%s", ""), 0);
    assert_str(&b, "port=443");
    assert_int_equal(cm_buf_printf(&b, ";%05.1f;%x;%c", 3.14159, 255u, 'Z'), 0);
    assert_str(&b, "port=443;003.1;ff;Z");
    /* A formatted piece larger than the current capacity. */
    memset(want, 'q', 4096);
    want[4096] = '\0';
    cm_buf_reset(&b);
    assert_int_equal(cm_buf_printf(&b, "%s", want), 0);
    assert_str(&b, want);
    cm_buf_finish(&b);

    /* printf into a fresh buffer with nothing allocated yet, empty result. */
    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_printf(&b, "%s", ""), 0);
    assert_str(&b, "");
    cm_buf_finish(&b);
}

static void test_put_u64(void **state)
{
    struct cm_buf b;
    (void)state;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_put_u64(&b, 0), 0);
    assert_str(&b, "0");
    cm_buf_reset(&b);
    assert_int_equal(cm_buf_put_u64(&b, 7), 0);
    assert_int_equal(cm_buf_putc(&b, ' '), 0);
    assert_int_equal(cm_buf_put_u64(&b, 10), 0);
    assert_int_equal(cm_buf_putc(&b, ' '), 0);
    assert_int_equal(cm_buf_put_u64(&b, 1234567890123ULL), 0);
    assert_int_equal(cm_buf_putc(&b, ' '), 0);
    assert_int_equal(cm_buf_put_u64(&b, UINT64_MAX), 0);
    assert_str(&b, "7 10 1234567890123 18446744073709551615");
    cm_buf_finish(&b);
}

static void test_put_i64(void **state)
{
    struct cm_buf b;
    char want[32];
    const int64_t vals[] = {0,
                            1,
                            -1,
                            9,
                            -9,
                            10,
                            -10,
                            1000000,
                            -1000000,
                            INT64_MAX,
                            INT64_MIN,
                            INT64_MIN + 1,
                            INT64_MAX - 1};
    (void)state;

    cm_buf_init(&b, 0);
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        cm_buf_reset(&b);
        assert_int_equal(cm_buf_put_i64(&b, vals[i]), 0);
        snprintf(want, sizeof(want), "%lld", (long long)vals[i]);
        assert_str(&b, want);
    }
    cm_buf_reset(&b);
    assert_int_equal(cm_buf_put_i64(&b, INT64_MIN), 0);
    assert_str(&b, "-9223372036854775808");
    cm_buf_finish(&b);
}

/* cm_dec_i64 at its edges, two digits at a time and the most negative value. */
static void test_dec_i64(void **state)
{
    static const struct {
        int64_t v;
        const char *s;
    } cases[] = {
        {0, "0"},
        {9, "9"},
        {10, "10"},
        {99, "99"},
        {100, "100"},
        {-1, "-1"},
        {-10, "-10"},
        {1767571200, "1767571200"},
        {INT64_MAX, "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[CM_DEC_I64_MAX + 1];
        char *e = cm_dec_i64(buf, cases[i].v);

        assert_true(e - buf <= CM_DEC_I64_MAX);
        *e = '\0';
        assert_string_equal(buf, cases[i].s);
    }
}

static void test_cap_exact(void **state)
{
    struct cm_buf b;
    (void)state;

    cm_buf_init(&b, 8);
    assert_int_equal(cm_buf_append(&b, "12345678", 8), 0);
    assert_str(&b, "12345678");
    assert_int_equal(cm_buf_putc(&b, 'x'), CM_E2BIG);
    assert_int_equal(cm_buf_append(&b, "", 0), 0);
    assert_str(&b, "12345678");
    cm_buf_reset(&b);
    assert_int_equal(cm_buf_append(&b, "123456789", 9), CM_E2BIG);
    assert_str(&b, "");
    cm_buf_finish(&b);

    cm_buf_init(&b, 1);
    assert_int_equal(cm_buf_putc(&b, 'a'), 0);
    assert_int_equal(cm_buf_putc(&b, 'b'), CM_E2BIG);
    assert_str(&b, "a");
    cm_buf_finish(&b);
}

/* Every append form over the cap must fail with CM_E2BIG and change nothing. */
static void test_cap_unchanged(void **state)
{
    struct cm_buf b;
    char *before_p;
    size_t before_cap;
    (void)state;

    cm_buf_init(&b, 12);
    assert_int_equal(cm_buf_puts(&b, "abcdefghij"), 0); /* 10 of 12 */
    before_p = b.p;
    before_cap = b.cap;

    assert_int_equal(cm_buf_append(&b, "xyz", 3), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    assert_int_equal(cm_buf_puts(&b, "xyz"), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    assert_int_equal(cm_buf_printf(&b, "%d", 123), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    assert_int_equal(cm_buf_put_u64(&b, 100), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    assert_int_equal(cm_buf_put_i64(&b, 100), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    /* The sign fits but the digits do not: nothing at all may be appended. */
    assert_int_equal(cm_buf_put_i64(&b, -100), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    assert_int_equal(cm_buf_put_i64(&b, INT64_MIN), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    assert_int_equal(cm_buf_reserve(&b, 3), CM_E2BIG);
    assert_int_equal(cm_buf_reserve(&b, SIZE_MAX), CM_E2BIG);
    assert_int_equal(cm_buf_append(&b, "x", SIZE_MAX), CM_E2BIG);
    assert_str(&b, "abcdefghij");
    assert_ptr_equal(b.p, before_p);
    assert_int_equal(b.cap, before_cap);

    /* The exact remainder still fits, in each form. */
    assert_int_equal(cm_buf_put_i64(&b, -1), 0);
    assert_str(&b, "abcdefghij-1");
    cm_buf_reset(&b);
    assert_int_equal(cm_buf_puts(&b, "abcdefghij"), 0);
    assert_int_equal(cm_buf_printf(&b, "%d", 12), 0);
    assert_str(&b, "abcdefghij12");
    assert_int_equal(cm_buf_putc(&b, 'z'), CM_E2BIG);
    assert_str(&b, "abcdefghij12");
    cm_buf_finish(&b);

    /* INT64_MIN needs 20 bytes: it fits in 20 and not in 19. */
    cm_buf_init(&b, 19);
    assert_int_equal(cm_buf_put_i64(&b, INT64_MIN), CM_E2BIG);
    assert_int_equal(b.len, 0);
    if (b.p) {
        assert_int_equal(b.p[0], '\0');
    }
    cm_buf_finish(&b);
    cm_buf_init(&b, 20);
    assert_int_equal(cm_buf_put_i64(&b, INT64_MIN), 0);
    assert_str(&b, "-9223372036854775808");
    cm_buf_finish(&b);
}

static void test_reset(void **state)
{
    struct cm_buf b;
    char *p;
    size_t cap;
    (void)state;

    cm_buf_init(&b, 0);
    cm_buf_reset(&b); /* on a buffer with no memory yet */
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(cm_buf_puts(&b, "some content here"), 0);
    p = b.p;
    cap = b.cap;
    cm_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.cap, cap);
    assert_str(&b, "");
    assert_int_equal(cm_buf_puts(&b, "new"), 0);
    assert_str(&b, "new");
    assert_ptr_equal(b.p, p);
    cm_buf_finish(&b);
}

static void test_take(void **state)
{
    struct cm_buf b;
    size_t len = 0;
    char *p;
    (void)state;

    cm_buf_init(&b, 100);
    assert_int_equal(cm_buf_puts(&b, "owned text"), 0);
    p = cm_buf_take(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 10);
    assert_string_equal(p, "owned text");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 100);
    /* The buffer is reusable after take and does not alias the taken memory. */
    assert_int_equal(cm_buf_puts(&b, "again"), 0);
    assert_str(&b, "again");
    assert_ptr_not_equal(b.p, p);
    assert_string_equal(p, "owned text");
    cm_free(p);
    p = cm_buf_take(&b, NULL);
    assert_string_equal(p, "again");
    cm_free(p);
    cm_buf_finish(&b);
}

static void test_finish_idempotent(void **state)
{
    struct cm_buf b;
    (void)state;

    cm_buf_init(&b, 0);
    cm_buf_finish(&b);
    cm_buf_finish(&b);
    assert_int_equal(cm_buf_puts(&b, "x"), 0);
    cm_buf_finish(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    cm_buf_finish(&b);
    /* Usable again after finish. */
    assert_int_equal(cm_buf_puts(&b, "reuse"), 0);
    assert_str(&b, "reuse");
    cm_buf_finish(&b);
}

static void test_reserve(void **state)
{
    struct cm_buf b;
    char *p;
    (void)state;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_reserve(&b, 1000), 0);
    assert_true(b.cap >= 1001);
    assert_int_equal(b.len, 0);
    p = b.p;
    /* Appends within the reservation do not move the memory. */
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(cm_buf_putc(&b, 'r'), 0);
    }
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.len, 1000);
    assert_int_equal(b.p[1000], '\0');
    assert_int_equal(cm_buf_reserve(&b, 0), 0);
    cm_buf_finish(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_empty),    cmocka_unit_test(test_append),
        cmocka_unit_test(test_putc_puts),     cmocka_unit_test(test_printf),
        cmocka_unit_test(test_put_u64),       cmocka_unit_test(test_put_i64),
        cmocka_unit_test(test_dec_i64),       cmocka_unit_test(test_cap_exact),
        cmocka_unit_test(test_cap_unchanged), cmocka_unit_test(test_reset),
        cmocka_unit_test(test_take),          cmocka_unit_test(test_finish_idempotent),
        cmocka_unit_test(test_reserve),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
