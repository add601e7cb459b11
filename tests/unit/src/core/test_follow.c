/*
 * The watched-directory loop (src/core/follow.c) over a real folder: files handed over
 * once stable, in key order, once; temporary and hidden names and CloudTrail digests never;
 * a deferred file not offered again until it changes; a file gone forgotten; identities
 * kept for the files read; a stop seen after the batch; callback errors end the run.
 * Every step is driven poll by poll from the tick callback: no timing.
 */
#include "core/follow.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

#define MAXSEEN 64

struct run {
    char dir[128];
    /* what batch saw: the base names handed over, poll by poll ("|" between polls) */
    char seen[2048];
    uint64_t poll; /* polls ticked */
    int defer_name_len;
    const char *defer; /* base name to answer CM_FOLLOW_AGAIN for */
    int fail_at_batch; /* batch number (1-based) that fails, 0: none */
    int batches;
    volatile sig_atomic_t *stop;
    bool stop_in_batch;
    void (*step)(struct run *r, uint64_t poll); /* what happens after each poll */
    size_t ids;                                 /* cm_follow_each_read at the last tick */
};

static void put(struct run *r, const char *rel, const char *text)
{
    char p[512];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", r->dir, rel);
    for (char *s = strchr(p + strlen(r->dir) + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0700);
        *s = '/';
    }
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int on_batch(void *ud, const struct cm_follow_file *files, size_t n,
                    struct cm_follow_verdict *v)
{
    struct run *r = ud;

    r->batches++;
    if (r->fail_at_batch == r->batches) {
        return CM_EIO;
    }
    for (size_t i = 0; i < n; i++) {
        const char *b = base(files[i].path);

        strncat(r->seen, b, sizeof(r->seen) - strlen(r->seen) - 2);
        strncat(r->seen, " ", sizeof(r->seen) - strlen(r->seen) - 1);
        if (r->defer != NULL && strcmp(b, r->defer) == 0) {
            v[i].what = CM_FOLLOW_AGAIN;
        } else {
            v[i].has_id = true;
            v[i].id.a = files[i].size;
            v[i].id.b = (uint64_t)i;
        }
    }
    if (r->stop_in_batch) {
        *r->stop = 1;
    }
    return 0;
}

/* Counts the files read that are still there; each is named with its size as read. */
static int count_id(void *ud, const char *path, size_t pathlen, uint64_t size,
                    const struct cm_file_id *id)
{
    char p[4096];
    struct stat sb;

    (void)id;
    assert_true(pathlen > 0 && pathlen < sizeof(p));
    memcpy(p, path, pathlen);
    p[pathlen] = '\0';
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal((uint64_t)sb.st_size, size);
    ((struct run *)ud)->ids++;
    return 0;
}

static int on_tick(void *ud, const struct cm_follow *f, size_t files)
{
    struct run *r = ud;

    (void)files;
    r->poll++;
    strncat(r->seen, "|", sizeof(r->seen) - strlen(r->seen) - 1);
    r->ids = 0;
    assert_int_equal(cm_follow_each_read(f, count_id, r), 0);
    if (r->step != NULL) {
        r->step(r, r->poll);
    }
    return 0;
}

static int setup(void **state)
{
    struct run *r = calloc(1, sizeof(*r));

    snprintf(r->dir, sizeof(r->dir), "/tmp/cm-test-follow-%ld-XXXXXX", (long)getpid());
    assert_non_null(mkdtemp(r->dir));
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct run *r = *state;
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
    assert_int_equal(system(cmd), 0);
    free(r);
    return 0;
}

static int run_polls(struct run *r, uint64_t polls, struct cm_follow_stats *st, char *err,
                     size_t errlen)
{
    static volatile sig_atomic_t stop;
    char *paths[1] = {r->dir};
    struct cm_follow_opts o = {
        .paths = paths,
        .npaths = 1,
        .poll_ms = 1,
        .batch = on_batch,
        .tick = on_tick,
        .ud = r,
        .max_polls = polls,
        .quiet = true,
    };

    stop = 0;
    r->stop = &stop;
    return cm_follow_run(&o, &stop, st, err, errlen);
}

static void test_stable_files_once_in_key_order(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;
    char err[256];

    put(r, "AWSLogs/1/CloudTrail/us-east-1/2026/01/05/1_CloudTrail_us-east-1_20260105T0010Z_b.json",
        "{}");
    put(r, "AWSLogs/1/CloudTrail/us-east-1/2026/01/05/1_CloudTrail_us-east-1_20260105T0005Z_a.json",
        "{}");
    put(r, "flows.log", "x");
    put(r, "late/1_CloudTrail_us-east-1_20260105T0000Z_c.json", "{}");
    /* never read */
    put(r, "1_CloudTrail_us-east-1_20260105T0000Z_d.json.1a2B3c4D", "{}");
    put(r, ".hidden/e.json", "{}");
    put(r, "f.json.tmp", "{}");
    put(r, "AWSLogs/1/CloudTrail-Digest/us-east-1/g.json", "{}");
    assert_int_equal(run_polls(r, 4, &st, err, sizeof(err)), 0);
    /* poll 1: first sight; poll 2: all stable, by key time (none first); then nothing. */
    assert_string_equal(r->seen, "|flows.log 1_CloudTrail_us-east-1_20260105T0000Z_c.json "
                                 "1_CloudTrail_us-east-1_20260105T0005Z_a.json "
                                 "1_CloudTrail_us-east-1_20260105T0010Z_b.json |||");
    assert_int_equal(st.polls, 4);
    assert_int_equal(st.batches, 1);
    assert_int_equal(st.files, 4);
    assert_int_equal(st.tracked, 4);
    assert_int_equal(st.unstable, 0);
    assert_int_equal(r->ids, 4);
}

static void grow_then_replace(struct run *r, uint64_t poll)
{
    if (poll == 1) {
        put(r, "a.log", "more bytes"); /* grew after the first look */
    } else if (poll == 4) {
        put(r, "a.log", "rewritten after it was read");
    } else if (poll == 7) {
        char p[256];
        snprintf(p, sizeof(p), "%s/a.log", r->dir);
        unlink(p);
    }
}

static void test_changed_files_wait_and_are_read_again(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;
    char err[256];

    put(r, "a.log", "x");
    r->step = grow_then_replace;
    assert_int_equal(run_polls(r, 9, &st, err, sizeof(err)), 0);
    /* 1 first look, 2 changed, 3 stable: read; 5 changed, 6 stable: read again; gone at 8. */
    assert_string_equal(r->seen, "||a.log |||a.log ||||");
    assert_int_equal(st.files, 2);
    assert_int_equal(st.tracked, 0);
    assert_int_equal(r->ids, 0);
}

static void complete_deferred(struct run *r, uint64_t poll)
{
    if (poll == 5) {
        put(r, "d.log.gz", "now complete");
        r->defer = NULL;
    }
}

static void test_deferred_file_waits_for_a_change(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;
    char err[256];

    put(r, "d.log.gz", "half");
    r->defer = "d.log.gz";
    r->step = complete_deferred;
    assert_int_equal(run_polls(r, 8, &st, err, sizeof(err)), 0);
    /* Offered at 2 and put off; not again while unchanged (3-5); changed at 5: 7. */
    assert_string_equal(r->seen, "|d.log.gz |||||d.log.gz ||");
    assert_int_equal(st.again, 1);
    assert_int_equal(st.files, 1);
    assert_int_equal(r->ids, 1);
}

static void test_stop_after_the_batch(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;
    char err[256];

    put(r, "a.log", "x");
    r->stop_in_batch = true;
    assert_int_equal(run_polls(r, 0, &st, err, sizeof(err)), 0);
    assert_string_equal(r->seen, "|a.log |");
    assert_int_equal(st.polls, 2);
}

static void test_callback_error_ends_the_run(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;
    char err[256] = "";

    put(r, "a.log", "x");
    r->fail_at_batch = 1;
    assert_int_equal(run_polls(r, 10, &st, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "reading the files found"));
    assert_int_equal(st.polls, 2);
}

static void trickle(struct run *r, uint64_t poll)
{
    if (poll == 1) {
        put(r, "b.log", "b");
    } else if (poll == 2) {
        put(r, "c.log", "c");
    }
}

static int run_hold(struct run *r, int64_t hold_max_ms, struct cm_follow_stats *st)
{
    static volatile sig_atomic_t stop;
    char *paths[1] = {r->dir};
    char err[256];
    struct cm_follow_opts o = {.paths = paths,
                               .npaths = 1,
                               .poll_ms = 1,
                               .batch = on_batch,
                               .tick = on_tick,
                               .ud = r,
                               .max_polls = 5,
                               .quiet = true,
                               .hold_max_ms = hold_max_ms};

    r->stop = &stop;
    return cm_follow_run(&o, &stop, st, err, sizeof(err));
}

static void test_ready_files_wait_while_others_arrive(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;

    put(r, "a.log", "a");
    r->step = trickle;
    assert_int_equal(run_hold(r, 0, &st), 0);
    /* a is ready at 2 and b at 3, but files still arrive: all three go together at 4. */
    assert_string_equal(r->seen, "|||a.log b.log c.log ||");
    assert_int_equal(st.held, 2);
    assert_int_equal(st.batches, 1);
}

static void test_no_waiting_when_told(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;

    put(r, "a.log", "a");
    r->step = trickle;
    assert_int_equal(run_hold(r, -1, &st), 0);
    assert_string_equal(r->seen, "|a.log |b.log |c.log ||");
    assert_int_equal(st.held, 0);
    assert_int_equal(st.batches, 3);
}

static void test_own_files_are_ignored(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;
    char err[256], own[256], missing[256];
    static volatile sig_atomic_t stop;
    char *paths[1] = {r->dir};
    const char *ignore[2] = {own, missing};
    struct cm_follow_opts o = {.paths = paths,
                               .npaths = 1,
                               .poll_ms = 1,
                               .batch = on_batch,
                               .tick = on_tick,
                               .ud = r,
                               .max_polls = 3,
                               .quiet = true,
                               .ignore = ignore,
                               .nignore = 2};

    put(r, "state.bin", "the caller's own");
    put(r, "a.log", "x");
    snprintf(own, sizeof(own), "%s/state.bin", r->dir);
    snprintf(missing, sizeof(missing), "%s/coalmine.db-wal", r->dir); /* not there: fine */
    r->stop = &stop;
    assert_int_equal(cm_follow_run(&o, &stop, &st, err, sizeof(err)), 0);
    assert_string_equal(r->seen, "|a.log ||");
    assert_int_equal(st.tracked, 1);
}

static void test_missing_path_and_bad_options(void **state)
{
    struct run *r = *state;
    struct cm_follow_stats st;
    char err[256];
    static volatile sig_atomic_t stop;
    char *paths[1] = {r->dir};
    struct cm_follow_opts o = {
        .paths = paths, .npaths = 1, .poll_ms = 1, .max_polls = 2, .quiet = true};

    /* No callback, no path, a negative interval: refused. */
    assert_int_equal(cm_follow_run(&o, &stop, &st, err, sizeof(err)), CM_EINVAL);
    o.batch = on_batch;
    o.ud = r;
    o.npaths = 0;
    assert_int_equal(cm_follow_run(&o, &stop, &st, err, sizeof(err)), CM_EINVAL);
    o.npaths = 1;
    o.settle_ms = -1;
    assert_int_equal(cm_follow_run(&o, &stop, &st, err, sizeof(err)), CM_EINVAL);
    o.settle_ms = 0;
    /* A path that is not there (yet): watched, counted, not fatal. */
    strncat(r->dir, "/not-yet", sizeof(r->dir) - strlen(r->dir) - 1);
    assert_int_equal(cm_follow_run(&o, &stop, &st, err, sizeof(err)), 0);
    assert_int_equal(st.walk_errors, 2);
    r->dir[strlen(r->dir) - strlen("/not-yet")] = '\0';
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stable_files_once_in_key_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_files_wait_and_are_read_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deferred_file_waits_for_a_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_after_the_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_error_ends_the_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ready_files_wait_while_others_arrive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_waiting_when_told, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_files_are_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path_and_bad_options, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
