/*
 * The state file's lock (src/core/statefile.c, cm_statefile_lock): a scan that will write
 * FILE takes FILE.lock, and then removes the temporary files a writer killed while writing
 * FILE left beside it (".NAME.XXXXXX": a kill -9, a file size limit, a power cut before
 * the rename). Before 2026-12-05 they stayed, one a killed write, each as large as the
 * state (up to 80 MB at the files-read bound). Nothing else is touched: another file's
 * temporaries, names that only look alike, directories, FILE itself.
 */
#include "core/statefile.h"

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

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cm-test-statefile-lock-%ld", (long)getpid());
    assert_int_equal(mkdir(dir, 0700), 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Creates dir/name holding a few bytes. */
static void touch(const char *name)
{
    char p[160];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("partial", f);
    fclose(f);
}

static bool there(const char *name)
{
    char p[160];
    struct stat st;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return lstat(p, &st) == 0;
}

static void test_lock_removes_dead_writers_temps(void **state)
{
    struct cm_statefile sf;
    char path[96], sub[160];

    (void)state;
    snprintf(path, sizeof(path), "%s/s.state", dir);
    touch("s.state");
    touch(".s.state.a1B2c3"); /* two killed writes */
    touch(".s.state.ZZzz99");
    touch(".s.state.abc");     /* not mkstemp's six characters */
    touch(".s.state.abcdefg"); /* nor seven */
    touch(".s.state.ab-d_f");  /* nor these */
    touch(".t.state.a1B2c3");  /* another file's */
    touch("s.state.a1B2c3");   /* not hidden */
    snprintf(sub, sizeof(sub), "%s/.s.state.dir123", dir);
    assert_int_equal(mkdir(sub, 0700), 0);

    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_lock(&sf), 0);
    assert_int_equal(sf.stale, 2);
    assert_false(there(".s.state.a1B2c3"));
    assert_false(there(".s.state.ZZzz99"));
    assert_true(there("s.state"));
    assert_true(there("s.state.lock"));
    assert_true(there(".s.state.abc"));
    assert_true(there(".s.state.abcdefg"));
    assert_true(there(".s.state.ab-d_f"));
    assert_true(there(".t.state.a1B2c3"));
    assert_true(there("s.state.a1B2c3"));
    assert_true(there(".s.state.dir123"));
    cm_statefile_free(&sf);
}

/* A relative FILE: its temporaries are in the working directory. */
static void test_relative_path(void **state)
{
    struct cm_statefile sf;
    char cwd[4096];

    (void)state;
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    touch(".rel.XyZ123");
    cm_statefile_init(&sf, "rel");
    assert_int_equal(cm_statefile_lock(&sf), 0);
    assert_int_equal(sf.stale, 1);
    assert_false(there(".rel.XyZ123"));
    cm_statefile_free(&sf);
    assert_int_equal(chdir(cwd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lock_removes_dead_writers_temps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_path, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
