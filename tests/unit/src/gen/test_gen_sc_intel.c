/*
 * The scenario helpers of src/gen/gen_sc_intel.c that the expectations
 * share: cm_gen_sc_note / cm_gen_sc_note_ip (a comma-separated list, no
 * repeats), cm_gen_sc_note_near (the same on an expectation's near misses,
 * CM_E2BIG rather than a cut marker) and cm_gen_sc_need_hours.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen.h"
#include "gen/gen_sc_intel.h"

static void test_note(void **state)
{
    char buf[64] = "";

    (void)state;
    cm_gen_sc_note(buf, sizeof(buf), "a.example");
    cm_gen_sc_note(buf, sizeof(buf), "b.example");
    cm_gen_sc_note(buf, sizeof(buf), "a.example");
    cm_gen_sc_note_ip(buf, sizeof(buf), 0xc6336407); /* 198.51.100.7 */
    cm_gen_sc_note_ip(buf, sizeof(buf), 0xc6336407);
    assert_string_equal(buf, "a.example,b.example,198.51.100.7");
}

static void test_note_near(void **state)
{
    static struct cm_gen_expect e;
    char mark[600];
    int n = 0;

    (void)state;
    memset(&e, 0, sizeof(e));
    assert_int_equal(cm_gen_sc_note_near(&e, "\"query_name\":\"x.example.\""), 0);
    assert_int_equal(cm_gen_sc_note_near(&e, "\"query_name\":\"x.example.\""), 0);
    assert_string_equal(e.near, "\"query_name\":\"x.example.\"");
    /* Fill it: a marker that would not fit whole is refused, what is there stays. */
    memset(mark, 'm', sizeof(mark) - 1);
    mark[sizeof(mark) - 1] = '\0';
    for (;;) {
        char before[sizeof(e.near)];
        int rc;

        memcpy(before, e.near, sizeof(before));
        mark[0] = (char)('A' + n++);
        rc = cm_gen_sc_note_near(&e, mark);
        if (rc != 0) {
            assert_int_equal(rc, CM_E2BIG);
            assert_memory_equal(before, e.near, sizeof(before));
            break;
        }
        assert_true(n < 10);
    }
    assert_int_equal(n,
                     3); /* two of 599 bytes fit after the first (1536 bytes), a third does not */
    assert_true(strlen(e.near) < sizeof(e.near));
}

static void test_need_hours(void **state)
{
    struct cm_gen_need out[2];

    (void)state;
    memset(out, 0, sizeof(out));
    assert_int_equal(cm_gen_sc_need_hours(0, out), 0);
    assert_int_equal(cm_gen_sc_need_hours(1, out), 0);
    assert_int_equal(out[0].kind, 0);
    assert_int_equal(cm_gen_sc_need_hours(26, &out[1]), 1);
    assert_int_equal(out[1].kind, CM_GEN_NEED_HOURS);
    assert_string_equal(out[1].value, "26");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note),
        cmocka_unit_test(test_note_near),
        cmocka_unit_test(test_need_hours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
