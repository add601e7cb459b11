/*
 * Unit tests for cm_peek_first_time and the input order it gives files whose
 * names carry no AWS time stamp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/err.h"
#include "source/input.h"
#include "source/peek.h"

static char dir[256];

static const char *put(const char *name, const char *text, int gz)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        gzputs(f, text);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    return path;
}

#define CT(t)                                                                                      \
    "{\"Records\":[{\"eventTime\":\"" t "\",\"eventSource\":\"iam.amazonaws.com\","                \
    "\"eventName\":\"ListUsers\"}]}"
#define FLOW(start)                                                                                \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "      \
    "start end action log-status\n2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 " start        \
    " " start " ACCEPT OK\n"
#define DNS(t)                                                                                     \
    "{\"query_timestamp\":\"" t "\",\"query_name\":\"a.example.\",\"srcaddr\":\"10.0.0.1\"}\n"

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cm_peek_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_first_time(void **state)
{
    int64_t ms = 0;
    (void)state;

    assert_int_equal(cm_peek_first_time(put("a.json", CT("2025-03-04T10:00:00Z"), 0), &ms), 0);
    assert_true(ms == 1741082400000LL);
    assert_int_equal(cm_peek_first_time(put("b.log.gz", FLOW("1741082460"), 1), &ms), 0);
    assert_true(ms == 1741082460000LL);
    assert_int_equal(cm_peek_first_time(put("c.log", DNS("2025-03-04T10:02:00Z"), 0), &ms), 0);
    assert_true(ms == 1741082520000LL);
    assert_int_equal(cm_peek_first_time(put("d.txt", "hello world\n", 0), &ms), CM_EFORMAT);
    assert_int_equal(
        cm_peek_first_time(put("e.json", "{\"Records\":[{\"eventTime\":\"bad\"}]}", 0), &ms),
        CM_ENOTFOUND);
    assert_int_equal(cm_peek_first_time("/nonexistent/peek", &ms), CM_EIO);
}

static void test_large_gzip_prefix(void **state)
{
    /* A record time near the start of a big gzip file is found from the window alone. */
    size_t n = 4 << 20;
    char *big = malloc(n + 1);
    const char *head = FLOW("1741082400");
    int64_t ms = 0;
    (void)state;

    assert_non_null(big);
    memcpy(big, head, strlen(head));
    for (size_t i = strlen(head); i < n; i++) {
        big[i] = (i % 64 == 63) ? '\n' : ' ';
    }
    big[n] = '\0';
    assert_int_equal(cm_peek_first_time(put("big.log.gz", big, 1), &ms), 0);
    assert_true(ms == 1741082400000LL);
    free(big);
}

static void test_order_by_first_record(void **state)
{
    struct cm_inputs in;
    char err[256];
    char *paths[1] = {dir};
    (void)state;

    put("zz-early.json", CT("2025-03-04T09:00:00Z"), 0);
    put("aa-late.log", FLOW("1741100000"), 0);
    put("111122223333_CloudTrail_us-east-1_20250304T0930Z_x.json", CT("2025-03-04T09:30:00Z"), 0);
    put("notes.txt", "not a log\n", 0);
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 4);
    /* No time at all first, then by time whatever the names say. */
    assert_non_null(strstr(in.v[0].path, "notes.txt"));
    assert_non_null(strstr(in.v[1].path, "zz-early.json"));
    assert_non_null(strstr(in.v[2].path, "T0930Z"));
    assert_non_null(strstr(in.v[3].path, "aa-late.log"));
    cm_inputs_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_gzip_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_by_first_record, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
