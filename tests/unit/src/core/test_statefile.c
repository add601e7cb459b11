/*
 * The state file (src/core/statefile.c): what it costs in memory. A scan with --state
 * holds the tables it loaded the file into; it must not also hold the file's bytes for
 * the whole scan, nor join the shards' checkpoints into one more copy the size of the
 * file to write it (a month-by-month replay peaked at 2.5 times the memory of one scan).
 *
 * A test detector ("blob") saves BLOB bytes and one evidence reference and reads them
 * back, so the file is large while the loaded tables are empty.
 */
#include "core/statefile.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/detect.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define BLOB   ((size_t)16 << 20) /* bytes the test detector saves per shard */
#define SHARDS 2u

static int blob_init(void **state, const struct cm_detect_opts *o)
{
    (void)o;
    *state = NULL;
    return 0;
}

static int blob_save(const void *state, struct cm_ckpt_w *w)
{
    struct cm_src_ref ref = {.file_id = 0};
    unsigned char chunk[4096];

    (void)state;
    cm_ckpt_put_ref(w, &ref);
    cm_ckpt_put_u32(w, ref.file_id);
    for (size_t i = 0; i < BLOB / sizeof(chunk); i++) {
        memset(chunk, (int)(i & 0xff), sizeof(chunk));
        cm_ckpt_put_bytes(w, chunk, sizeof(chunk));
    }
    return cm_ckpt_w_err(w);
}

static int blob_load(void *state, struct cm_ckpt_r *r)
{
    struct cm_src_ref ref = {0};
    const unsigned char *p;

    (void)state;
    ref.file_id = cm_ckpt_get_u32(r);
    cm_ckpt_fix_ref(r, &ref);
    if ((p = cm_ckpt_take(r, BLOB)) != NULL && (p[0] != 0 || p[BLOB - 1] != 0xff)) {
        return CM_EINVAL;
    }
    return cm_ckpt_r_err(r) ? cm_ckpt_r_err(r) : (ref.file_id == CM_STATE_RESTORED ? 0 : -1);
}

static const char *const blob_types[] = {"Test:EC2/Blob", NULL};

static const struct cm_detector det_blob = {
    .name = "test-blob",
    .types = blob_types,
    .init = blob_init,
    .state_version = 1,
    .save = blob_save,
    .load = blob_load,
};

static const struct cm_detector *const table[] = {&det_blob, NULL};

static const char *input_path(const void *ud, uint32_t id)
{
    (void)ud;
    return id == 0 ? "logs/2026/01/05/a.json.gz" : NULL;
}

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/cm-test-statefile-%ld", (long)getpid());
    return 0;
}

static int teardown(void **state)
{
    char lock[80];

    (void)state;
    unlink(path);
    snprintf(lock, sizeof(lock), "%s.lock", path);
    unlink(lock);
    return 0;
}

/* Saves SHARDS engines of the blob detector into sf (begun here). */
static void save_shards(struct cm_statefile *sf)
{
    cm_statefile_init(sf, path);
    assert_int_equal(cm_statefile_begin_save(sf, SHARDS, 7), 0);
    for (unsigned i = 0; i < SHARDS; i++) {
        struct cm_engine *e = NULL;

        assert_int_equal(cm_engine_create(&e, table, NULL), 0);
        assert_int_equal(cm_statefile_save_engine(sf, i, e), 0);
        cm_engine_destroy(e);
    }
}

/* Bytes the C library's allocator hands out now (glibc: arena and mmapped blocks). */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}

static void test_load_frees_the_file(void **state)
{
    struct cm_statefile sf;
    struct cm_engine *e[SHARDS] = {NULL};
    size_t before, after, len;
    const char *name;
    (void)state;

    save_shards(&sf);
    assert_int_equal(cm_statefile_write(&sf, input_path, NULL), 0);
    assert_true(sf.written > SHARDS * BLOB);
    cm_statefile_free(&sf);

    before = heap_in_use();
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_read(&sf), 0);
    assert_int_equal(sf.nshards, SHARDS);
    for (unsigned i = 0; i < SHARDS; i++) {
        assert_int_equal(cm_engine_create(&e[i], table, NULL), 0);
        assert_non_null(sf.data); /* still needed by the shards not loaded yet */
        assert_int_equal(cm_statefile_load_engine(&sf, i, e[i]), 0);
    }
    /* Every shard is loaded: the file's bytes are gone, the names it lists are not. */
    assert_null(sf.data);
    after = heap_in_use();
    if (!SANITIZED) {
        assert_true(after < before + BLOB / 4);
    }
    name = cm_statefile_name(&sf, CM_STATE_RESTORED | 0, &len);
    assert_non_null(name);
    assert_int_equal(len, strlen("logs/2026/01/05/a.json.gz"));
    assert_memory_equal(name, "logs/2026/01/05/a.json.gz", len);
    /* A shard is loaded once. */
    assert_int_equal(cm_statefile_load_engine(&sf, 0, e[0]), CM_EINVAL);

    for (unsigned i = 0; i < SHARDS; i++) {
        cm_engine_destroy(e[i]);
    }
    cm_statefile_free(&sf);
}

static long vm_data_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;

    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "VmData: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

/*
 * Writing the file needs no memory in proportion to it: the child may map only a quarter
 * of one shard's checkpoint more than it holds when it writes.
 */
static void test_write_does_not_copy_the_shards(void **state)
{
    struct cm_statefile sf;
    pid_t pid;
    int status = 0;
    (void)state;

    if (SANITIZED || vm_data_bytes() < 0) {
        skip();
    }
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl;
        long data;
        int rc;

        save_shards(&sf);
        data = vm_data_bytes();
        rl.rlim_cur = rl.rlim_max = (rlim_t)data + BLOB / 4;
        if (data < 0 || setrlimit(RLIMIT_DATA, &rl) != 0) {
            _exit(2);
        }
        rc = cm_statefile_write(&sf, input_path, NULL);
        _exit(rc == 0 && sf.written > SHARDS * BLOB ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* What it wrote is a whole state file. */
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_read(&sf), 0);
    assert_int_equal(sf.nshards, SHARDS);
    assert_int_equal(sf.nnames, 1);
    cm_statefile_free(&sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_frees_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_does_not_copy_the_shards, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
