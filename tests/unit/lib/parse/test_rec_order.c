/*
 * Unit tests for parse/rec_order.h: the sorted check; records put in time order, those of
 * one time in the order they were; the text they make (each followed by a newline) and the
 * map back to their offsets, lengths and lines in the input, also for an input read from an
 * offset on (a chunk of standard input); spans outside the input and the size cap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "parse/rec_order.h"

static void test_sorted(void **state)
{
    struct cm_rec_span s[3] = {{10, 0, 1, 1}, {10, 2, 1, 1}, {20, 4, 1, 1}};
    (void)state;

    assert_true(cm_rec_order_sorted(s, 3));
    assert_true(cm_rec_order_sorted(s, 0));
    s[2].time_ms = 9;
    assert_false(cm_rec_order_sorted(s, 3));
}

static void test_text_and_map(void **state)
{
    /* Three records, written newest first, the first two of one second. */
    static const char in[] =
        "{\"Records\":[\n{\"t\":3,\"a\":1},\n{\"t\":3,\"a\":2},\n{\"t\":1}\n]}\n";
    const char *r1 = strstr(in, "{\"t\":3,\"a\":1}"), *r2 = strstr(in, "{\"t\":3,\"a\":2}");
    const char *r3 = strstr(in, "{\"t\":1}");
    struct cm_rec_span s[3] = {
        {3000, (uint64_t)(r1 - in), 13, 2},
        {3000, (uint64_t)(r2 - in), 13, 3},
        {1000, (uint64_t)(r3 - in), 7, 4},
    };
    struct cm_cwl c;
    const struct cm_cwl_piece *pc;
    (void)state;

    cm_cwl_init(&c, 0);
    assert_int_equal(cm_rec_order_text(s, 3, in, strlen(in), 0, &c), 0);
    assert_string_equal(c.out.p, "{\"t\":1}\n{\"t\":3,\"a\":1}\n{\"t\":3,\"a\":2}\n");
    assert_int_equal(c.npiece, 3);
    /* A location in the text is the record's in the input. */
    pc = cm_cwl_locate(&c, 0);
    assert_int_equal(pc->src_off, (uint64_t)(r3 - in));
    assert_int_equal(pc->src_len, 7);
    assert_int_equal(pc->src_line, 4);
    pc = cm_cwl_locate(&c, 8 + 5);
    assert_int_equal(pc->src_off, (uint64_t)(r1 - in));
    assert_int_equal(pc->src_line, 2);
    pc = cm_cwl_locate(&c, c.out.len - 2);
    assert_int_equal(pc->src_off, (uint64_t)(r2 - in));
    assert_int_equal(pc->src_line, 3);

    /* The same input as a chunk that starts at byte 1000 of a stream: offsets stay the
     * stream's; the text is the same. */
    for (int i = 0; i < 3; i++) {
        s[i].off += 1000;
    }
    assert_int_equal(cm_rec_order_text(s, 3, in, strlen(in), 1000, &c), 0);
    assert_string_equal(c.out.p, "{\"t\":1}\n{\"t\":3,\"a\":1}\n{\"t\":3,\"a\":2}\n");
    assert_int_equal(cm_cwl_locate(&c, 0)->src_off, 1000 + (uint64_t)(r3 - in));

    /* A span outside the input is refused. */
    s[0].off = 5000;
    assert_int_equal(cm_rec_order_text(s, 3, in, strlen(in), 1000, &c), CM_EINVAL);
    s[0].off = 999;
    assert_int_equal(cm_rec_order_text(s, 3, in, strlen(in), 1000, &c), CM_EINVAL);
    cm_cwl_finish(&c);

    /* Past the text's cap. */
    cm_cwl_init(&c, 10);
    s[0] = (struct cm_rec_span){1, 0, 13, 1};
    s[1] = (struct cm_rec_span){0, 14, 13, 2};
    assert_int_equal(cm_rec_order_text(s, 2, in, strlen(in), 0, &c), CM_E2BIG);
    cm_cwl_finish(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted),
        cmocka_unit_test(test_text_and_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
