/*
 * When a watched file is read (src/core/follow_settle.c): only once its size and mtime
 * were the same at two polls and it is old enough; again when it changes after it was
 * read; a deferred one (a gzip cut short) when it changes or once it is old; which names
 * are never read (aws s3's temporary NAME.XXXXXXXX among them); the order files go in.
 */
#include "core/follow.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#define S 1000000000LL /* a second in ns */

static void test_new_file_waits_for_a_second_look(void **state)
{
    struct cm_follow_track t = {0};

    (void)state;
    /* First sight: never read at once, however old. */
    assert_false(cm_follow_observe(&t, 100, 10 * S, 1000 * 1000, 0, 900000));
    assert_int_equal(t.state, CM_FOLLOW_PENDING);
    /* The same at the next poll: read. */
    assert_true(cm_follow_observe(&t, 100, 10 * S, 1000 * 1000 + 10, 0, 900000));
}

static void test_growing_file_is_not_read(void **state)
{
    struct cm_follow_track t = {0};
    int64_t now = 50 * 1000;

    (void)state;
    assert_false(cm_follow_observe(&t, 100, 40 * S, now, 0, 900000));
    /* Grew between polls: not read, waits for a poll that finds it as it is. */
    assert_false(cm_follow_observe(&t, 200, 40 * S, now + 10, 0, 900000));
    /* Same size, newer mtime (rewritten in place): not read either. */
    assert_false(cm_follow_observe(&t, 200, 41 * S, now + 20, 0, 900000));
    assert_true(cm_follow_observe(&t, 200, 41 * S, now + 30, 0, 900000));
    assert_int_equal(t.size, 200);
}

static void test_settle_wants_an_old_mtime(void **state)
{
    struct cm_follow_track t = {0};

    (void)state;
    /* mtime 100 s, settle 60 s: not before 160 s of wall clock. */
    assert_false(cm_follow_observe(&t, 5, 100 * S, 120 * 1000, 60000, 900000));
    assert_false(cm_follow_observe(&t, 5, 100 * S, 130 * 1000, 60000, 900000));
    assert_false(cm_follow_observe(&t, 5, 100 * S, 159 * 1000, 60000, 900000));
    assert_true(cm_follow_observe(&t, 5, 100 * S, 160 * 1000, 60000, 900000));
}

static void test_read_file_is_read_again_only_when_changed(void **state)
{
    struct cm_follow_track t = {0};

    (void)state;
    cm_follow_observe(&t, 5, 1 * S, 10000, 0, 900000);
    assert_true(cm_follow_observe(&t, 5, 1 * S, 10010, 0, 900000));
    t.state = CM_FOLLOW_READ;
    for (int i = 0; i < 5; i++) {
        assert_false(cm_follow_observe(&t, 5, 1 * S, 10020 + i, 0, 900000));
    }
    /* Appended to: another file, read whole again once stable. */
    assert_false(cm_follow_observe(&t, 9, 2 * S, 10100, 0, 900000));
    assert_int_equal(t.state, CM_FOLLOW_PENDING);
    assert_true(cm_follow_observe(&t, 9, 2 * S, 10110, 0, 900000));
}

static void test_deferred_file(void **state)
{
    struct cm_follow_track t = {0};
    int64_t mt = 1000 * S; /* mtime 1000 s */

    (void)state;
    cm_follow_observe(&t, 50, mt, 1000 * 1000 + 10, 0, 900000);
    assert_true(cm_follow_observe(&t, 50, mt, 1000 * 1000 + 20, 0, 900000));
    t.state = CM_FOLLOW_DEFERRED;
    /* Unchanged and recent: not offered again at every poll. */
    assert_false(cm_follow_observe(&t, 50, mt, 1000 * 1000 + 30, 0, 900000));
    assert_false(cm_follow_observe(&t, 50, mt, 1000 * 1000 + 899999, 0, 900000));
    /* Left alone retry_ms: offered as it is (the scan then reads what it can). */
    assert_true(cm_follow_observe(&t, 50, mt, 1000 * 1000 + 900000, 0, 900000));
    /* Completed instead: pending, offered once stable. */
    t.state = CM_FOLLOW_DEFERRED;
    assert_false(cm_follow_observe(&t, 80, mt + S, 1002 * 1000, 0, 900000));
    assert_true(cm_follow_observe(&t, 80, mt + S, 1002 * 1000 + 10, 0, 900000));
}

static void test_temp_names(void **state)
{
    static const char *const temp[] = {
        ".hidden.json.gz",
        ".",
        "",
        "x.json.gz.tmp",
        "x.temp",
        "x.part",
        "x.partial",
        "x.crdownload",
        ".x.swp",
        "x.swp",
        "x~",
        /* aws s3 cp/sync: the final name, a dot and 8 hex digits */
        "111122223333_CloudTrail_us-east-1_20260105T0000Z_AbCdEf0123456789.json.gz.1a2B3c4D",
        "flows.log.gz.DEADBEEF",
        "a.00000000",
    };
    static const char *const real[] = {
        "111122223333_CloudTrail_us-east-1_20260105T0000Z_AbCdEf0123456789.json.gz",
        "111122223333_vpcflowlogs_us-east-1_fl-0a1b2c3d_20260105T0005Z_1a2b3c4d.log.gz",
        "vpc-0a1b_vpcdnsquerylogs_111122223333_20260105T0005Z_9f8e7d6c.log.gz",
        "flows.log",
        "x.1a2B3c4",   /* 7 hex digits */
        "x.1a2B3c4Dz", /* 9 characters */
        "x.1a2B3c4G",  /* not hex */
        ".deadbeef" + 1,
        "stream-1-2026-01-05-00-00-00-4b5a3d9e-1234-5678-9abc-def012345678",
        "partial",
        "tmp",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(temp) / sizeof(temp[0]); i++) {
        if (!cm_follow_temp_name(temp[i])) {
            fail_msg("'%s' should be a temporary name", temp[i]);
        }
    }
    for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
        if (cm_follow_temp_name(real[i])) {
            fail_msg("'%s' should be read", real[i]);
        }
    }
}

static void test_sort_by_key_then_path(void **state)
{
    struct cm_follow_file f[] = {
        {.path = "/w/c", .key_ms = 300},
        {.path = "/w/none-b", .key_ms = INT64_MIN},
        {.path = "/w/a", .key_ms = 100},
        {.path = "/w/b2", .key_ms = 200},
        {.path = "/w/none-a", .key_ms = INT64_MIN},
        {.path = "/w/b1", .key_ms = 200},
    };
    static const char *const want[] = {"/w/none-a", "/w/none-b", "/w/a", "/w/b1", "/w/b2", "/w/c"};

    (void)state;
    cm_follow_sort(f, sizeof(f) / sizeof(f[0]));
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        assert_string_equal(f[i].path, want[i]);
    }
    cm_follow_sort(f, 0);
    cm_follow_sort(NULL, 0);
}

static void test_future_mtime_is_read_once_still(void **state)
{
    struct cm_follow_track t = {0};
    int64_t now = 1000 * 1000; /* 1000 s */

    (void)state;
    /* mtime two hours ahead of the wall clock (a writer's clock ahead, a clock set back,
     * `touch -d`): its age from the mtime is negative, so it was never read before the
     * clock caught up, and nothing said why. Still across two polls: read, settle 0. */
    assert_false(cm_follow_observe(&t, 100, (1000 + 7200) * S, now, 0, 900000));
    assert_true(cm_follow_observe(&t, 100, (1000 + 7200) * S, now + 100, 0, 900000));
    /* With a settle, its age counts from the poll that first found it as it is. */
    memset(&t, 0, sizeof(t));
    assert_false(cm_follow_observe(&t, 100, (1000 + 7200) * S, now, 60000, 900000));
    assert_false(cm_follow_observe(&t, 100, (1000 + 7200) * S, now + 59999, 60000, 900000));
    assert_true(cm_follow_observe(&t, 100, (1000 + 7200) * S, now + 60000, 60000, 900000));
}

static void test_clock_set_back_delays_by_settle_at_most(void **state)
{
    struct cm_follow_track t = {0};
    int64_t now = 100000 * 1000LL;

    (void)state;
    /* Found at 100000 s with an mtime then; the clock is set back an hour before the
     * next poll: the file waits the settle counted from that poll, not an hour more. */
    assert_false(cm_follow_observe(&t, 7, 99990 * S, now, 30000, 900000));
    assert_false(cm_follow_observe(&t, 7, 99990 * S, now - 3600000, 30000, 900000));
    assert_true(cm_follow_observe(&t, 7, 99990 * S, now - 3600000 + 30000, 30000, 900000));
}

static void test_deferred_future_file_is_retried(void **state)
{
    struct cm_follow_track t = {0};
    int64_t now = 2000 * 1000;

    (void)state;
    /* A deferred file (a gzip cut short) whose mtime is a day ahead: offered again once
     * retry_ms passed since it was found as it is, not a day and retry_ms later. */
    cm_follow_observe(&t, 5, (2000 + 86400) * S, now, 0, 900000);
    assert_true(cm_follow_observe(&t, 5, (2000 + 86400) * S, now + 10, 0, 900000));
    t.state = CM_FOLLOW_DEFERRED;
    assert_false(cm_follow_observe(&t, 5, (2000 + 86400) * S, now + 899999, 0, 900000));
    assert_true(cm_follow_observe(&t, 5, (2000 + 86400) * S, now + 900000, 0, 900000));
}

/* An object of a listed location (S3): read once listed, again only when it changes. */
static void test_object_read_once_listed(void **state)
{
    struct cm_follow_track t = {0};

    (void)state;
    assert_true(cm_follow_observe_object(&t, 100, 7, 1000));
    assert_int_equal(t.state, CM_FOLLOW_PENDING);
    /* held back at that poll (others still arriving): offered again at the next */
    assert_true(cm_follow_observe_object(&t, 100, 7, 1200));
    t.state = CM_FOLLOW_READ;
    assert_false(cm_follow_observe_object(&t, 100, 7, 1400));
    /* rewritten (another ETag, or size): another object, read at once */
    assert_true(cm_follow_observe_object(&t, 100, 8, 1600));
    t.state = CM_FOLLOW_READ;
    assert_true(cm_follow_observe_object(&t, 101, 8, 1800));
}

/* An object whose GET failed: offered again once its retry time comes. */
static void test_object_retry(void **state)
{
    struct cm_follow_track t = {0};

    (void)state;
    assert_true(cm_follow_observe_object(&t, 100, 7, 1000));
    t.state = CM_FOLLOW_DEFERRED;
    t.fails = 1;
    t.retry_at_ms = 5000;
    assert_false(cm_follow_observe_object(&t, 100, 7, 4999));
    assert_true(cm_follow_observe_object(&t, 100, 7, 5000));
    /* changed meanwhile: a new object, the failures forgotten */
    assert_true(cm_follow_observe_object(&t, 200, 7, 5100));
    assert_int_equal(t.fails, 0);
    assert_int_equal(t.state, CM_FOLLOW_PENDING);
}

/* The wait after failures: the poll interval doubled each time, at most the cap. */
static void test_retry_backoff(void **state)
{
    (void)state;
    assert_int_equal(cm_follow_retry_at(1000, 1, 10000, 900000), 11000);
    assert_int_equal(cm_follow_retry_at(1000, 2, 10000, 900000), 21000);
    assert_int_equal(cm_follow_retry_at(1000, 3, 10000, 900000), 41000);
    assert_int_equal(cm_follow_retry_at(1000, 7, 10000, 900000), 641000);
    assert_int_equal(cm_follow_retry_at(1000, 8, 10000, 900000), 901000);
    assert_int_equal(cm_follow_retry_at(1000, 4000000000U, 10000, 900000), 901000);
    assert_int_equal(cm_follow_retry_at(1000, 1, 0, 900000), 1001);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_file_waits_for_a_second_look),
        cmocka_unit_test(test_growing_file_is_not_read),
        cmocka_unit_test(test_settle_wants_an_old_mtime),
        cmocka_unit_test(test_read_file_is_read_again_only_when_changed),
        cmocka_unit_test(test_deferred_file),
        cmocka_unit_test(test_future_mtime_is_read_once_still),
        cmocka_unit_test(test_clock_set_back_delays_by_settle_at_most),
        cmocka_unit_test(test_deferred_future_file_is_retried),
        cmocka_unit_test(test_temp_names),
        cmocka_unit_test(test_sort_by_key_then_path),
        cmocka_unit_test(test_object_read_once_listed),
        cmocka_unit_test(test_object_retry),
        cmocka_unit_test(test_retry_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
