/*
 * The watch loop (src/core/follow.c) over a listed location (opts.list: an S3 bucket, here
 * a fake lister driven poll by poll): objects handed over once listed, with their tag, in
 * key order, once; again when rewritten; held back while others arrive and still offered
 * when a later listing covers only part of the location; kept (not forgotten, not offered
 * again) while listings are partial or fail; forgotten once a whole listing lacks them; an
 * object whose read failed offered again after its wait.
 */
#include "core/follow.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"

#define NOBJ 8

struct obj {
    const char *path;
    uint64_t size;
    const char *tag;
    bool present;
};

enum { WHOLE = 0, PART, FAIL };

struct run {
    struct obj o[NOBJ];
    size_t n;
    int mode[16];    /* per poll (1-based): how the location is listed */
    size_t from;     /* PART: only objects from this index are listed */
    char seen[1024]; /* "path:tag " handed over, "|" between polls */
    uint64_t poll;
    const char *again; /* path answered CM_FOLLOW_AGAIN (once per poll it is offered) */
    int again_times;
    size_t ids[16]; /* identities kept at each tick */
    void (*step)(struct run *r, uint64_t poll);
};

static int lister(void *ud, const char *path, int64_t now_ms, cm_follow_found_fn found, void *fud,
                  bool *whole)
{
    struct run *r = ud;
    int mode = r->mode[r->poll + 1];

    (void)now_ms;
    assert_string_equal(path, "s3://b/AWSLogs/");
    *whole = mode == WHOLE;
    if (mode == FAIL) {
        return CM_EUNAVAIL;
    }
    for (size_t i = mode == PART ? r->from : 0; i < r->n; i++) {
        if (r->o[i].present) {
            int rc = found(fud, r->o[i].path, r->o[i].size, r->o[i].tag);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int on_batch(void *ud, const struct cm_follow_file *files, size_t n,
                    struct cm_follow_verdict *v)
{
    struct run *r = ud;

    for (size_t i = 0; i < n; i++) {
        char one[128];

        assert_non_null(files[i].tag);
        snprintf(one, sizeof(one), "%s:%s ", files[i].path + strlen("s3://b/AWSLogs/"),
                 files[i].tag);
        strncat(r->seen, one, sizeof(r->seen) - strlen(r->seen) - 1);
        if (r->again != NULL && strcmp(files[i].path, r->again) == 0 && r->again_times > 0) {
            r->again_times--;
            v[i].what = CM_FOLLOW_AGAIN;
        } else {
            v[i].has_id = true;
            memset(&v[i].id, (int)i + 1, sizeof(v[i].id));
        }
    }
    return 0;
}

static int count_id(void *ud, const char *path, size_t pathlen, uint64_t size,
                    const struct cm_file_id *id)
{
    (void)id;
    (void)size;
    assert_non_null(path);
    assert_true(pathlen > 0);
    (*(size_t *)ud)++;
    return 0;
}

static int on_tick(void *ud, const struct cm_follow *f, size_t files)
{
    struct run *r = ud;
    size_t ids = 0;

    (void)files;
    r->poll++;
    assert_int_equal(cm_follow_each_read(f, count_id, &ids), 0);
    r->ids[r->poll < 16 ? r->poll : 15] = ids;
    strncat(r->seen, "|", sizeof(r->seen) - strlen(r->seen) - 1);
    if (r->step != NULL) {
        r->step(r, r->poll);
    }
    return 0;
}

static int go(struct run *r, uint64_t polls, int64_t hold_ms, struct cm_follow_stats *st)
{
    char *paths[] = {"s3://b/AWSLogs/"};
    struct cm_follow_opts o = {0};
    volatile sig_atomic_t stop = 0;
    char err[200];

    o.paths = paths;
    o.npaths = 1;
    o.poll_ms = 10;
    o.hold_max_ms = hold_ms;
    o.batch = on_batch;
    o.tick = on_tick;
    o.ud = r;
    o.list = lister;
    o.list_ud = r;
    o.max_polls = polls;
    o.quiet = true;
    return cm_follow_run(&o, &stop, st, err, sizeof(err));
}

static void add(struct run *r, const char *path, uint64_t size, const char *tag)
{
    r->o[r->n++] = (struct obj){path, size, tag, true};
}

static void arrive_c(struct run *r, uint64_t poll)
{
    if (poll == 2) {
        add(r, "s3://b/AWSLogs/1/CloudTrail/r/2026/01/05/x_20260105T0010Z_c.json.gz", 5, "\"c\"");
    }
    if (poll == 3) {
        r->o[1].tag = "\"a2\""; /* rewritten */
    }
}

static void test_read_once_listed_in_key_order(void **state)
{
    struct run r = {0};
    struct cm_follow_stats st;

    (void)state;
    add(&r, "s3://b/AWSLogs/1/CloudTrail/r/2026/01/05/x_20260105T0005Z_b.json.gz", 4, "\"b\"");
    add(&r, "s3://b/AWSLogs/1/CloudTrail/r/2026/01/05/x_20260105T0000Z_a.json.gz", 3, "\"a\"");
    r.step = arrive_c;
    assert_int_equal(go(&r, 5, -1, &st), 0);
    /* no settle wait: read at the first poll that lists them, in key order; c when it
     * comes; a again once rewritten */
    assert_string_equal(r.seen, "1/CloudTrail/r/2026/01/05/x_20260105T0000Z_a.json.gz:\"a\" "
                                "1/CloudTrail/r/2026/01/05/x_20260105T0005Z_b.json.gz:\"b\" |"
                                "|"
                                "1/CloudTrail/r/2026/01/05/x_20260105T0010Z_c.json.gz:\"c\" |"
                                "1/CloudTrail/r/2026/01/05/x_20260105T0000Z_a.json.gz:\"a2\" |"
                                "|");
    assert_int_equal(st.files, 4);
    assert_int_equal(r.ids[5], 3);
}

static void test_held_objects_offered_when_listed_in_part(void **state)
{
    struct run r = {0};
    struct cm_follow_stats st;

    (void)state;
    add(&r, "s3://b/AWSLogs/old_20250101T0000Z_o.json", 1, "\"o\"");
    add(&r, "s3://b/AWSLogs/new_20260105T0000Z_n.json", 2, "\"n\"");
    r.mode[2] = PART; /* poll 2 lists from the newest day on: "o" is not in it */
    r.mode[3] = PART;
    r.from = 1;
    /* poll 1: both new, held back (arriving); poll 2: no change, both handed over */
    assert_int_equal(go(&r, 3, 60 * 1000, &st), 0);
    assert_string_equal(r.seen,
                        "|old_20250101T0000Z_o.json:\"o\" new_20260105T0000Z_n.json:\"n\" ||");
    assert_int_equal(r.ids[3], 2); /* "o", not listed, is kept as read */
}

static void fail_then_whole(struct run *r, uint64_t poll)
{
    if (poll == 3) {
        r->o[0].present = false; /* deleted: a whole listing forgets it */
    }
}

static void test_failed_and_partial_listings_keep_objects(void **state)
{
    struct run r = {0};
    struct cm_follow_stats st;

    (void)state;
    add(&r, "s3://b/AWSLogs/a_20260105T0000Z_a.json", 1, "\"a\"");
    add(&r, "s3://b/AWSLogs/b_20260105T0005Z_b.json", 2, "\"b\"");
    r.mode[2] = FAIL;
    r.mode[3] = PART;
    r.from = 1;
    r.step = fail_then_whole;
    assert_int_equal(go(&r, 4, -1, &st), 0);
    /* read once; nothing offered again while the listing fails or covers part */
    assert_string_equal(r.seen, "a_20260105T0000Z_a.json:\"a\" b_20260105T0005Z_b.json:\"b\" ||||");
    assert_int_equal(r.ids[1], 2);
    assert_int_equal(r.ids[2], 2); /* failed: both kept */
    assert_int_equal(r.ids[3], 2); /* part: a, not listed, kept */
    assert_int_equal(r.ids[4], 1); /* whole, without a: forgotten */
    assert_int_equal(st.list_failed, 1);
    assert_int_equal(st.walk_errors, 0);
}

static void test_failed_read_offered_again(void **state)
{
    struct run r = {0};
    struct cm_follow_stats st;

    (void)state;
    add(&r, "s3://b/AWSLogs/a_20260105T0000Z_a.json", 1, "\"a\"");
    r.again = r.o[0].path;
    r.again_times = 2;
    /* failed at polls 1 and 2 (waits 10 ms, then 20 ms: polls are 10 ms apart), read later */
    assert_int_equal(go(&r, 6, -1, &st), 0);
    assert_int_equal(st.again, 2);
    assert_int_equal(st.retried, 1);
    assert_int_equal(st.files, 1);
    assert_int_equal(r.ids[6], 1);
    assert_non_null(
        strstr(r.seen, "a_20260105T0000Z_a.json:\"a\" |a_20260105T0000Z_a.json:\"a\" |"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_once_listed_in_key_order),
        cmocka_unit_test(test_held_objects_offered_when_listed_in_part),
        cmocka_unit_test(test_failed_and_partial_listings_keep_objects),
        cmocka_unit_test(test_failed_read_offered_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
