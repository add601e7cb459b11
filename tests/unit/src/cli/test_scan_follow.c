/*
 * `coalmine scan --follow`'s pieces outside the loop: its options (src/cli/scan_follow.c)
 * and the scan's deferral of a gzip still being written (cm_scan_opts.defer_in_progress,
 * src/core/scan_read.c): with it the file is left unread, marked in progress and not
 * rejected; without it the batch scan's behaviour stays (noted as a reject); once old it
 * is read as damaged either way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/err.h"
#include "cli/scan_follow.h"
#include "core/scan.h"

static void test_options(void **state)
{
    struct cm_scan_follow f = {.poll_s = CM_FOLLOW_POLL_S,
                               .settle_s = CM_FOLLOW_SETTLE_S,
                               .checkpoint_s = CM_FOLLOW_CHECKPOINT_S};
    char err[256];

    (void)state;
    assert_false(f.on);
    assert_int_equal(cm_scan_follow_option(&f, CM_SCAN_OPT_FOLLOW, NULL, err, sizeof(err)), 0);
    assert_true(f.on);
    assert_int_equal(cm_scan_follow_option(&f, CM_SCAN_OPT_POLL_INTERVAL, "0.25", err, sizeof(err)),
                     0);
    assert_true(f.poll_s == 0.25);
    assert_int_equal(cm_scan_follow_option(&f, CM_SCAN_OPT_SETTLE, "0", err, sizeof(err)), 0);
    assert_true(f.settle_s == 0.0);
    assert_int_equal(
        cm_scan_follow_option(&f, CM_SCAN_OPT_CHECKPOINT_INTERVAL, "600", err, sizeof(err)), 0);
    assert_true(f.checkpoint_s == 600.0);
    /* Refused, with the option named and what it wants. */
    static const char *const bad[] = {"0", "-1", "", "1x", "nan", "inf", "86401", "1e9"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(
            cm_scan_follow_option(&f, CM_SCAN_OPT_POLL_INTERVAL, bad[i], err, sizeof(err)), -1);
        assert_non_null(strstr(err, "--poll-interval wants seconds"));
    }
    assert_int_equal(cm_scan_follow_option(&f, CM_SCAN_OPT_SETTLE, "-0.5", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--settle"));
    assert_true(f.poll_s == 0.25); /* a refused value changes nothing */
}

static void test_checks(void **state)
{
    struct cm_scan_follow off = {0}, on = {.on = true};
    char *files[] = {"/logs", "-"};
    FILE *saved = stderr;

    (void)state;
    stderr = fopen("/dev/null", "w"); /* the messages: the e2e test reads them */
    assert_int_equal(cm_scan_follow_check(&off, false, true, true, files, 2), 0);
    assert_int_equal(cm_scan_follow_check(&off, true, false, false, files, 1), -1);
    assert_int_equal(cm_scan_follow_check(&on, true, false, false, files, 1), 0);
    assert_int_equal(cm_scan_follow_check(&on, false, true, false, files, 1), -1);
    assert_int_equal(cm_scan_follow_check(&on, false, false, true, files, 1), -1);
    assert_int_equal(cm_scan_follow_check(&on, false, false, false, files, 2), -1);
    fclose(stderr);
    stderr = saved;
}

/* A CloudTrail delivery, gzip, cut in half, in a folder of its own; mtime age_s ago. */
static void half_gzip(char *dir, size_t dirlen, char *path, size_t pathlen, long age_s)
{
    char whole[600];
    static char rec[16384];
    size_t n = 0;
    gzFile g;
    FILE *f;
    char *buf;
    long len;
    struct timeval tv[2];

    snprintf(dir, dirlen, "/tmp/cm-test-scan-follow-%ld-XXXXXX", (long)getpid());
    assert_non_null(mkdtemp(dir));
    snprintf(whole, sizeof(whole), "%s/whole.gz", dir);
    snprintf(path, pathlen, "%s/111122223333_CloudTrail_us-east-1_20250304T0000Z_x.json.gz", dir);
    n += (size_t)snprintf(rec + n, sizeof(rec) - n, "{\"Records\":[");
    for (int i = 0; i < 20; i++) {
        n += (size_t)snprintf(
            rec + n, sizeof(rec) - n,
            "%s{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\","
            "\"principalId\":\"AIDA%d\",\"accountId\":\"111122223333\"},\"eventTime\":"
            "\"2025-03-04T00:00:%02dZ\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":"
            "\"ListUsers\",\"awsRegion\":\"us-east-1\",\"recipientAccountId\":\"111122223333\"}",
            i ? "," : "", i, i);
    }
    n += (size_t)snprintf(rec + n, sizeof(rec) - n, "]}");
    assert_true(n < sizeof(rec));
    g = gzopen(whole, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, rec, (unsigned)n), (int)n);
    gzclose(g);
    f = fopen(whole, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    buf = malloc((size_t)len);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    unlink(whole);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, (size_t)len / 2, f), (size_t)len / 2);
    fclose(f);
    free(buf);
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= age_s;
    tv[1] = tv[0];
    assert_int_equal(utimes(path, tv), 0);
}

static void scan_half(long age_s, bool defer, struct cm_scan_stats *st)
{
    char dir[128], path[256], err[256], cmd[300];
    char *paths[1] = {dir};
    struct cm_scan_opts o;

    half_gzip(dir, sizeof(dir), path, sizeof(path), age_s);
    memset(&o, 0, sizeof(o));
    o.threads = 1;
    o.file_ids = true;
    o.defer_in_progress = defer;
    assert_int_equal(cm_scan_run(&o, paths, 1, NULL, st, err, sizeof(err)), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_partial_gzip_deferred(void **state)
{
    struct cm_scan_stats st;

    (void)state;
    /* Recent, deferred: unread, in progress, no reject, no identity (read later, whole). */
    scan_half(5, true, &st);
    assert_int_equal(st.ninputs, 1);
    assert_true(st.inputs[0].in_progress);
    assert_int_equal(st.inputs[0].id_state, CM_SCAN_ID_NONE);
    assert_int_equal(st.rejected_files, 0);
    assert_int_equal(st.nrejects, 0);
    assert_int_equal(st.records[CM_EV_CLOUDTRAIL], 0);
    cm_scan_stats_free(&st);
    /* Without the flag: the batch scan's note (a reject naming the download). */
    scan_half(5, false, &st);
    assert_false(st.inputs[0].in_progress);
    assert_int_equal(st.nrejects, 1);
    assert_non_null(strstr(st.rejects[0].reason, "still being written"));
    cm_scan_stats_free(&st);
    /* Left alone past CM_SCAN_SETTLE_S: damage for good, salvaged and reported, flag or
     * not. */
    scan_half(CM_SCAN_SETTLE_S + 60, true, &st);
    assert_false(st.inputs[0].in_progress);
    assert_int_equal(st.inputs[0].id_state, CM_SCAN_ID_READ);
    assert_true(st.inputs[0].damaged);
    cm_scan_stats_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_partial_gzip_deferred),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
