/*
 * The state carried in memory from one run to the next (cm_statefile_carry, for `scan
 * --follow`): what an engine saved loads into the next run's engine, an evidence
 * reference to this run's input comes back as an earlier run's, named; carried twice it
 * is still named; the identities of the files read survive; nothing is written to disk
 * and the lock stays held.
 */
#include "core/statefile.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/detect.h"

/* What the test detector saves (from here) and what its load read (to here). */
struct cell {
    uint32_t value;
    struct cm_src_ref ref;
};
static struct cell to_save, loaded;

static int cell_init(void **state, const struct cm_detect_opts *o)
{
    (void)o;
    *state = NULL;
    return 0;
}

static int cell_save(const void *state, struct cm_ckpt_w *w)
{
    struct cm_src_ref ref = to_save.ref;

    (void)state;
    cm_ckpt_put_u32(w, to_save.value);
    cm_ckpt_put_ref(w, &ref);
    cm_ckpt_put_u32(w, ref.file_id);
    return cm_ckpt_w_err(w);
}

static int cell_load(void *state, struct cm_ckpt_r *r)
{
    (void)state;
    memset(&loaded, 0, sizeof(loaded));
    loaded.value = cm_ckpt_get_u32(r);
    loaded.ref.file_id = cm_ckpt_get_u32(r);
    cm_ckpt_fix_ref(r, &loaded.ref);
    return cm_ckpt_r_err(r);
}

static const char *const cell_types[] = {"Test:EC2/Cell", NULL};
static const struct cm_detector det_cell = {
    .name = "test-cell",
    .types = cell_types,
    .init = cell_init,
    .state_version = 1,
    .save = cell_save,
    .load = cell_load,
};
static const struct cm_detector *const table[] = {&det_cell, NULL};

static const char *input_path(const void *ud, uint32_t id)
{
    (void)ud;
    return id == 3 ? "/logs/2026/01/05/third.json.gz" : NULL;
}

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/cm-test-statefile-carry-%ld", (long)getpid());
    return 0;
}

static int teardown(void **state)
{
    char lock[96];

    (void)state;
    unlink(path);
    snprintf(lock, sizeof(lock), "%s.lock", path);
    unlink(lock);
    return 0;
}

static void save_one(struct cm_statefile *sf)
{
    struct cm_engine *e = NULL;

    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    assert_int_equal(cm_statefile_save_engine(sf, 0, e), 0);
    cm_engine_destroy(e);
}

static void load_one(struct cm_statefile *sf)
{
    struct cm_engine *e = NULL;

    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    assert_int_equal(cm_statefile_load_engine(sf, 0, e), 0);
    cm_engine_destroy(e);
}

static void test_carry_round_trip(void **state)
{
    struct cm_statefile sf;
    struct cm_file_id id = {0x1234, 0x5678};
    struct cm_fileseen_settled forgot;
    struct stat st;
    const char *name;
    size_t len = 0;
    int lock_fd;

    (void)state;
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_lock(&sf), 0);
    lock_fd = sf.lock_fd;
    assert_int_equal(cm_statefile_begin_save(&sf, 1, 7), 0);
    assert_int_equal(cm_fileseen_add(&sf.files, &id, 20000), 0);
    assert_int_equal(cm_fileseen_settle(&sf.files, 20000, &forgot), 0); /* as the caller does */
    /* Run 1: the detector holds 41 and a reference to this run's input 3. */
    to_save.value = 41;
    to_save.ref.file_id = 3;
    save_one(&sf);
    assert_int_equal(cm_statefile_carry(&sf, input_path, NULL), 0);
    assert_int_not_equal(stat(path, &st), 0); /* nothing on disk */
    assert_int_equal(sf.lock_fd, lock_fd);    /* the lock still held */
    assert_int_equal(sf.nshards, 1);
    assert_int_equal(sf.seed, 7);
    /* Run 2 loads it: the reference is an earlier run's input, named. */
    load_one(&sf);
    assert_int_equal(loaded.value, 41);
    assert_true(loaded.ref.file_id & CM_STATE_RESTORED);
    name = cm_statefile_name(&sf, loaded.ref.file_id, &len);
    assert_non_null(name);
    assert_int_equal(len, strlen("/logs/2026/01/05/third.json.gz"));
    assert_memory_equal(name, "/logs/2026/01/05/third.json.gz", len);
    assert_true(cm_fileseen_has(&sf.files, &id));
    /* Run 2 saves the restored reference again: carried twice, still named. */
    to_save.value = 42;
    to_save.ref = loaded.ref;
    save_one(&sf);
    assert_int_equal(cm_statefile_carry(&sf, input_path, NULL), 0);
    load_one(&sf);
    assert_int_equal(loaded.value, 42);
    name = cm_statefile_name(&sf, loaded.ref.file_id, &len);
    assert_non_null(name);
    assert_memory_equal(name, "/logs/2026/01/05/third.json.gz", len);
    /* And what is carried is what a write puts on disk: read back the same. */
    to_save.value = 43;
    to_save.ref = loaded.ref;
    save_one(&sf);
    assert_int_equal(cm_statefile_write(&sf, input_path, NULL), 0);
    cm_statefile_free(&sf);
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_read(&sf), 0);
    load_one(&sf);
    assert_int_equal(loaded.value, 43);
    name = cm_statefile_name(&sf, loaded.ref.file_id, &len);
    assert_non_null(name);
    assert_memory_equal(name, "/logs/2026/01/05/third.json.gz", len);
    assert_true(cm_fileseen_has(&sf.files, &id));
    cm_statefile_free(&sf);
}

static void test_carry_of_a_failed_save_changes_nothing(void **state)
{
    struct cm_statefile sf;

    (void)state;
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_begin_save(&sf, 1, 7), 0);
    to_save.value = 1;
    to_save.ref.file_id = 3;
    save_one(&sf);
    cm_ckpt_w_fail(&sf.out[0], CM_ENOMEM); /* as a save that ran out of memory */
    assert_int_equal(cm_statefile_carry(&sf, input_path, NULL), CM_ENOMEM);
    assert_non_null(strstr(sf.err, "carrying the state"));
    assert_null(sf.data); /* nothing to load: the next run would start afresh */
    cm_statefile_free(&sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_carry_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_carry_of_a_failed_save_changes_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
