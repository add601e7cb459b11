/*
 * Unit tests for detect/seen.h, the recent CloudTrail eventIDs: a repeat is known in the
 * generation it came in and the next; an id older than two generations is forgotten;
 * generations turn by each account's event time (the newest seen, so a late event does not
 * turn one; another account's later events neither) and by size; an empty id is never a
 * repeat; memory is accounted and given back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/seen.h"

#define HOUR CM_SEEN_SPAN_MS

static bool check_in(struct cm_seen *s, const char *account, const char *id, int64_t t)
{
    bool repeat = true;

    assert_int_equal(cm_seen_check(s, cm_str_cstr(account), cm_str_cstr(id), t, &repeat), 0);
    return repeat;
}

static bool check(struct cm_seen *s, const char *id, int64_t t)
{
    return check_in(s, "111122223333", id, t);
}

static void test_repeats(void **state)
{
    struct cm_seen s;
    (void)state;

    cm_seen_init(&s, 42);
    assert_false(check(&s, "3a1f0b6e-0000-4000-8000-000000000001", 1000));
    assert_false(check(&s, "3a1f0b6e-0000-4000-8000-000000000002", 1000));
    assert_true(check(&s, "3a1f0b6e-0000-4000-8000-000000000001", 1000));
    assert_true(check(&s, "3a1f0b6e-0000-4000-8000-000000000002", 5000));
    /* No id: never a repeat, never remembered. */
    assert_false(check(&s, "", 1000));
    assert_false(check(&s, "", 1000));
    {
        bool repeat = true;
        assert_int_equal(cm_seen_check(&s, CM_STR_LIT("111122223333"), CM_STR_NULL, 1000, &repeat),
                         0);
        assert_false(repeat);
    }
    assert_true(s.bytes > 0);
    assert_true(s.peak_bytes >= s.bytes);
    cm_seen_finish(&s);
    assert_int_equal(s.bytes, 0);
}

static void test_generations(void **state)
{
    struct cm_seen s;
    (void)state;

    cm_seen_init(&s, 7);
    assert_false(check(&s, "a", 0));
    /* Within the next generation it is still known. */
    assert_false(check(&s, "b", HOUR + 1));
    assert_true(check(&s, "a", HOUR + 2));
    /* A late event does not turn a generation: "a" stays known. */
    assert_false(check(&s, "c", 10));
    assert_true(check(&s, "a", HOUR + 3));
    /* Two generations on, "a" is forgotten; "b" (the previous one) is not. */
    assert_false(check(&s, "d", 2 * HOUR + 5));
    assert_true(check(&s, "b", 2 * HOUR + 6));
    assert_false(check(&s, "a", 2 * HOUR + 7));
    cm_seen_finish(&s);
}

/* Each account keeps its own clock: in a shard that also holds another account, that
 * account's later events do not turn this one's generations (so 1 and N shards agree). */
static void test_accounts(void **state)
{
    struct cm_seen s;
    (void)state;

    cm_seen_init(&s, 11);
    assert_false(check_in(&s, "111111111111", "a", 0));
    /* Another account, hours later. */
    assert_false(check_in(&s, "222222222222", "x", 4 * HOUR));
    assert_false(check_in(&s, "222222222222", "y", 5 * HOUR));
    /* The first account's copy is still recognised; the same id in another account is not
     * a copy of it. */
    assert_true(check_in(&s, "111111111111", "a", 10));
    assert_false(check_in(&s, "222222222222", "a", 5 * HOUR));
    assert_true(s.bytes > 0);
    cm_seen_finish(&s);
    assert_int_equal(s.bytes, 0);
}

static void test_size_bound(void **state)
{
    struct cm_seen s;
    char id[32];
    (void)state;

    cm_seen_init(&s, 9);
    s.max = 1000;
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof(id), "id-%d", i);
        assert_false(check(&s, id, 1000));
    }
    /* The newest ids are known, the oldest gave way; at most two full generations held. */
    assert_true(check(&s, "id-4999", 1000));
    assert_true(check(&s, "id-3500", 1000));
    assert_false(check(&s, "id-0", 1000));
    assert_int_equal(s.nacct, 1);
    for (size_t i = 0; i < s.acap; i++) {
        assert_true(s.acct[i].cur.n + s.acct[i].prev.n <= 2 * s.max + 1);
    }
    assert_true(s.peak_bytes <= 2 * 4096 * sizeof(uint64_t) + s.acap * sizeof(*s.acct));
    cm_seen_finish(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats),
        cmocka_unit_test(test_generations),
        cmocka_unit_test(test_accounts),
        cmocka_unit_test(test_size_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
