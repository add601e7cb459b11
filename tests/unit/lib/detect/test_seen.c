/*
 * Unit tests for detect/seen.h, the recent CloudTrail eventIDs: a repeat is known in the
 * generation it came in and the next; an id older than two generations is forgotten;
 * generations turn by each account's event time (the newest seen, so a late event does not
 * turn one; another account's later events neither) and by size; an empty id is never a
 * repeat; memory is accounted and given back. Checkpoints: a set saved and loaded (as
 * between two scans with --state) knows the same ids, in the same generations, and saves
 * to the same bytes, with the seed it was made with; every truncation, and a set this code
 * could not have made, is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
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

/* ---- checkpoints ---- */

static void save(const struct cm_seen *s, struct cm_ckpt_w *w)
{
    cm_ckpt_w_init(w, 0);
    assert_int_equal(cm_seen_save(s, w), 0);
}

/* Loads p[0..len) into a fresh set of seed; the error (0: all of it read). */
static int load(struct cm_seen *s, uint64_t seed, const void *p, size_t len)
{
    struct cm_ckpt_r r;
    int rc;

    cm_seen_init(s, seed);
    cm_ckpt_r_init(&r, p, len);
    rc = cm_seen_load(s, &r);
    if (rc == 0 && r.off != len) {
        rc = -1;
    }
    if (rc != 0) {
        assert_int_equal(rc, r.err);
        assert_true(r.why[0] != '\0' && r.err_off <= len);
    }
    return rc;
}

static void test_save_load(void **state)
{
    struct cm_seen s, t;
    struct cm_ckpt_w w, w2;
    char id[32];
    (void)state;

    cm_seen_init(&s, 5);
    for (int i = 0; i < 3000; i++) {
        snprintf(id, sizeof(id), "id-%d", i);
        assert_false(check_in(&s, i % 3 ? "111111111111" : "222222222222", id, 1000 + i));
    }
    assert_false(check_in(&s, "111111111111", "next-hour", HOUR + 2000)); /* turns a generation */
    save(&s, &w);
    assert_int_equal(load(&t, 5, w.buf.p, w.buf.len), 0);
    /* Saving what was loaded gives the same bytes. */
    save(&t, &w2);
    assert_int_equal(w2.buf.len, w.buf.len);
    assert_memory_equal(w2.buf.p, w.buf.p, w.buf.len);
    /* The ids of the first scan are repeats in the second, in their own account only. */
    assert_true(check_in(&t, "111111111111", "id-1", HOUR + 2100));
    assert_true(check_in(&t, "222222222222", "id-0", 2100));
    assert_true(check_in(&t, "111111111111", "next-hour", HOUR + 2100));
    assert_false(check_in(&t, "222222222222", "id-1", 2100));
    assert_false(check_in(&t, "333333333333", "id-1", 2100));
    /* The clocks came along: one more hour turns 111111111111 again, and the ids of its
     * first hour are forgotten, as they would be in one scan. */
    assert_false(check_in(&t, "111111111111", "two-hours", 2 * HOUR + 3000));
    assert_false(check_in(&t, "111111111111", "id-2", 2 * HOUR + 3001));
    assert_true(check_in(&t, "111111111111", "next-hour", 2 * HOUR + 3002));
    cm_ckpt_w_finish(&w2);
    cm_seen_finish(&t);

    /* Into a set of another seed: the saved one is kept, which the saved hashes need. */
    assert_int_equal(load(&t, 6, w.buf.p, w.buf.len), 0);
    assert_true(check_in(&t, "111111111111", "id-1", HOUR + 2100));
    assert_false(check_in(&t, "111111111111", "id-new", HOUR + 2100));
    cm_seen_finish(&t);
    /* Every truncation is refused, and leaks nothing. */
    for (size_t len = 0; len < w.buf.len; len += len < 200 ? 1 : 997) {
        assert_int_not_equal(load(&t, 5, w.buf.p, len), 0);
        cm_seen_finish(&t);
    }
    cm_ckpt_w_finish(&w);
    cm_seen_finish(&s);
}

static bool check_log(struct cm_seen *s, const char *account, uint64_t id, int64_t t)
{
    bool repeat = true;

    assert_int_equal(cm_seen_check_log(s, cm_str_cstr(account), id, t, &repeat), 0);
    return repeat;
}

/* Log event ids (records out of CloudWatch Logs): a copy is a repeat, in the generation it came
 * in and the next, per account; they are a set apart from the account's eventIDs, with their own
 * clock; 0 is no id. */
static void test_log_ids(void **state)
{
    struct cm_seen s;
    (void)state;

    cm_seen_init(&s, 5);
    assert_false(check_log(&s, "111111111111", 0x1234, 1000));
    assert_true(check_log(&s, "111111111111", 0x1234, 2000));
    assert_false(check_log(&s, "222222222222", 0x1234, 2000));
    assert_false(check_log(&s, "111111111111", 0, 2000));
    assert_false(check_log(&s, "111111111111", 0, 2000));
    /* An eventID of the account, even hours later, neither is one nor turns the log ids'
     * generations. */
    assert_false(check_in(&s, "111111111111", "a", 5 * HOUR));
    assert_true(check_log(&s, "111111111111", 0x1234, 3000));
    /* The log ids' own clock: still known within the next generation, forgotten after. */
    assert_false(check_log(&s, "111111111111", 0x5678, HOUR + 1000));
    assert_true(check_log(&s, "111111111111", 0x1234, HOUR + 2000));
    assert_false(check_log(&s, "111111111111", 0x9abc, 2 * HOUR + 2000));
    assert_false(check_log(&s, "111111111111", 0x1234, 2 * HOUR + 3000));
    assert_true(check_in(&s, "111111111111", "a", 5 * HOUR));
    /* Saved and loaded (--state), the log ids and their clock come along. */
    {
        struct cm_seen t;
        struct cm_ckpt_w w;

        save(&s, &w);
        assert_int_equal(load(&t, 5, w.buf.p, w.buf.len), 0);
        assert_true(check_log(&t, "111111111111", 0x1234, 2 * HOUR + 4000));
        assert_true(check_log(&t, "111111111111", 0x9abc, 2 * HOUR + 4000));
        assert_false(check_log(&t, "111111111111", 0x4444, 3 * HOUR + 5000)); /* turns one */
        assert_false(check_log(&t, "111111111111", 0x9abc - 1, 3 * HOUR + 5000));
        assert_true(check_log(&t, "111111111111", 0x9abc, 3 * HOUR + 5000));
        assert_true(check_in(&t, "111111111111", "a", 5 * HOUR));
        cm_ckpt_w_finish(&w);
        cm_seen_finish(&t);
    }
    cm_seen_finish(&s);
    assert_int_equal(s.bytes, 0);
}

/* A set by hand (seed 5): account 77 with n of the 3 ids (a count of more says more than
 * the bytes hold) and an empty previous generation, then account key2 if not 0. */
static int load_made(uint64_t key2, int64_t start, int64_t newest, uint64_t n, const uint64_t *ids,
                     size_t max)
{
    struct cm_seen s, t;
    struct cm_ckpt_w w, e;
    int rc;

    cm_seen_init(&s, 5);
    save(&s, &e); /* empty: just the seed and 0 accounts */
    cm_ckpt_w_init(&w, 0);
    cm_ckpt_put_bytes(&w, e.buf.p, 8);
    cm_ckpt_put_u64(&w, key2 ? 2 : 1);
    cm_ckpt_put_u64(&w, 77);
    cm_ckpt_put_i64(&w, start);
    cm_ckpt_put_i64(&w, newest);
    cm_ckpt_put_u64(&w, n);
    for (uint64_t i = 0; i < n && i < 3; i++) {
        cm_ckpt_put_u64(&w, ids[i]);
    }
    cm_ckpt_put_u64(&w, 0);
    if (key2) {
        cm_ckpt_put_u64(&w, key2);
        cm_ckpt_put_i64(&w, 0);
        cm_ckpt_put_i64(&w, 0);
        cm_ckpt_put_u64(&w, 0);
        cm_ckpt_put_u64(&w, 0);
    }
    cm_seen_init(&t, 5);
    t.max = max;
    {
        struct cm_ckpt_r r;
        cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
        rc = cm_seen_load(&t, &r);
        rc = rc == 0 && r.off != w.buf.len ? -1 : rc;
    }
    cm_seen_finish(&t);
    cm_ckpt_w_finish(&w);
    cm_ckpt_w_finish(&e);
    cm_seen_finish(&s);
    return rc;
}

/* The ids s holds, over every account's generations. */
static size_t held(const struct cm_seen *s)
{
    size_t n = 0;

    for (size_t i = 0; i < s->acap; i++) {
        n += s->acct[i].cur.n + s->acct[i].prev.n;
    }
    return n;
}

/*
 * cm_seen_prefetch changes nothing: asked before any account, for an account with no
 * set yet, for an absent or empty id and for ids held or not, the set (its accounts, its
 * generations' counts and bytes) is as it was, and a check that follows answers as it
 * would have.
 */
static void test_prefetch(void **state)
{
    static const char *const ids[] = {"3a1f0b6e-0000-4000-8000-000000000001",
                                      "3a1f0b6e-0000-4000-8000-000000000002", "x"};
    struct cm_seen s;
    size_t nacct, bytes, n;
    (void)state;

    cm_seen_init(&s, 42);
    cm_seen_prefetch(&s, CM_STR_LIT("111122223333"), cm_str_cstr(ids[0]));
    assert_int_equal(s.nacct, 0);
    assert_int_equal(s.bytes, 0);
    assert_false(check(&s, ids[0], 1000));
    nacct = s.nacct;
    bytes = s.bytes;
    n = held(&s);
    for (size_t k = 0; k < 3; k++) {
        cm_seen_prefetch(&s, CM_STR_LIT("111122223333"), cm_str_cstr(ids[k]));
        cm_seen_prefetch(&s, CM_STR_LIT("999988887777"), cm_str_cstr(ids[k]));
        cm_seen_prefetch(&s, CM_STR_NULL, cm_str_cstr(ids[k]));
        cm_seen_prefetch(&s, CM_STR_LIT("111122223333"), CM_STR_NULL);
        cm_seen_prefetch(&s, CM_STR_LIT("111122223333"), CM_STR_LIT(""));
        assert_int_equal(s.nacct, nacct);
        assert_int_equal(s.bytes, bytes);
        assert_int_equal(held(&s), n);
    }
    assert_true(check(&s, ids[0], 1000));
    assert_false(check(&s, ids[1], 1000));
    assert_false(check_in(&s, "999988887777", ids[0], 1000));
    cm_seen_finish(&s);
}

static void test_load_refusals(void **state)
{
    const uint64_t ok[] = {3, 9, 12}, zero[] = {0, 9, 12}, twice[] = {3, 9, 9},
                   order[] = {9, 3, 12};
    (void)state;

    assert_int_equal(load_made(0, 1000, 2000, 3, ok, 100), 0);
    assert_int_equal(load_made(78, INT64_MIN, INT64_MIN, 3, ok, 100), 0);
    assert_int_equal(load_made(0, 1000, 2000, 3, zero, 100), CM_EINVAL);
    assert_int_equal(load_made(0, 1000, 2000, 3, twice, 100), CM_EINVAL);
    assert_int_equal(load_made(0, 1000, 2000, 3, order, 100), CM_EINVAL);
    assert_int_equal(load_made(77, 1000, 2000, 3, ok, 100), CM_EINVAL); /* an account twice */
    assert_int_equal(load_made(0, 1000, 2000, 3, ok, 2), CM_EINVAL);    /* over max */
    assert_int_equal(load_made(0, 2000, 1000, 3, ok, 100), CM_EINVAL);  /* start after newest */
    assert_int_equal(load_made(0, INT64_MAX, INT64_MAX, 3, ok, 100), CM_EINVAL);
    assert_int_equal(load_made(0, 1000, 2000, UINT64_MAX, ok, 100), CM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeats),   cmocka_unit_test(test_generations),
        cmocka_unit_test(test_accounts),  cmocka_unit_test(test_size_bound),
        cmocka_unit_test(test_save_load), cmocka_unit_test(test_load_refusals),
        cmocka_unit_test(test_log_ids),   cmocka_unit_test(test_prefetch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
