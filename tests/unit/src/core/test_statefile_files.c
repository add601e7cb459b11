/*
 * The state file's identities of the input files read (src/core/statefile.c, version 2;
 * the section's own version 2 adds where grown plain logs resume, detect/filegrow.h):
 * written and read back, a version 1 file (before them) still read with none, a section
 * of another layout skipped, a damaged one refused with its byte offset.
 */
#include "core/statefile.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/detect.h"

#define HEAD  36u        /* magic, version, ABI, seed, shards, saved */
#define FILES (HEAD + 4) /* no names: the identities' section follows the name count */

static int none_init(void **state, const struct cm_detect_opts *o)
{
    (void)o;
    *state = NULL;
    return 0;
}

static const char *const none_types[] = {"Test:EC2/None", NULL};
static const struct cm_detector det_none = {
    .name = "test-none",
    .types = none_types,
    .init = none_init,
};
static const struct cm_detector *const table[] = {&det_none, NULL};

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/cm-test-statefile-files-%ld", (long)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static struct cm_file_id nth(uint64_t i)
{
    struct cm_file_id id = {i * 0x9e3779b97f4a7c15ULL + 7, i};

    return id;
}

/* Writes a state file of one shard whose files read are nth(0 .. n). */
static void write_state(size_t n)
{
    struct cm_statefile sf;
    struct cm_fileseen_settled out;
    struct cm_engine *e = NULL;

    cm_statefile_init(&sf, path);
    for (size_t i = 0; i < n; i++) {
        struct cm_file_id id = nth(i);
        assert_int_equal(cm_fileseen_add(&sf.files, &id, 20000), 0);
    }
    if (n > 0) { /* and where a plain log that grows is resumed */
        struct cm_file_id id = nth(n);
        assert_int_equal(cm_filegrow_add(&sf.files.grown, 42, 1000, 20, &id, 20000), 0);
    }
    assert_int_equal(cm_fileseen_settle(&sf.files, 20000, &out), 0);
    assert_int_equal(cm_statefile_begin_save(&sf, 1, 7), 0);
    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    assert_int_equal(cm_statefile_save_engine(&sf, 0, e), 0);
    cm_engine_destroy(e);
    assert_int_equal(cm_statefile_write(&sf, NULL, NULL), 0);
    cm_statefile_free(&sf);
}

static unsigned char *slurp(size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *p = malloc(1 << 20);

    assert_non_null(f);
    *len = fread(p, 1, 1 << 20, f);
    fclose(f);
    return p;
}

/* Writes p[0, len) with its CRC-32 made right. */
static void spill(unsigned char *p, size_t len)
{
    uint32_t crc = libdeflate_crc32(0, p, len - 4);
    FILE *f = fopen(path, "wb");

    for (int i = 0; i < 4; i++) {
        p[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
    }
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    fclose(f);
}

/* Reads the file and loads its shard; returns what reading returned. */
static int read_state(struct cm_statefile *sf)
{
    struct cm_engine *e = NULL;
    int rc;

    cm_statefile_init(sf, path);
    if ((rc = cm_statefile_read(sf)) != 0) {
        return rc;
    }
    assert_int_equal(cm_engine_create(&e, table, NULL), 0);
    assert_int_equal(cm_statefile_load_engine(sf, 0, e), 0);
    cm_engine_destroy(e);
    return 0;
}

static void test_round_trip(void **state)
{
    struct cm_statefile sf;
    (void)state;

    write_state(500);
    assert_int_equal(read_state(&sf), 0);
    assert_int_equal(sf.version, 2);
    assert_false(sf.files_reset);
    assert_int_equal(sf.files.n, 500);
    for (uint64_t i = 0; i < 500; i++) {
        struct cm_file_id id = nth(i);
        assert_true(cm_fileseen_has(&sf.files, &id));
    }
    assert_int_equal(sf.files.grown.nsorted, 1);
    assert_int_equal(sf.files.grown.v[0].len, 1000);
    assert_int_equal(sf.files.grown.v[0].lines, 20);
    assert_int_equal(sf.files.grown.v[0].id_a, nth(500).a);
    /* Every shard loaded: the file's bytes are gone, the identities stay. */
    assert_null(sf.data);
    assert_true(cm_fileseen_has(&sf.files, &(struct cm_file_id){7, 0}));
    cm_statefile_free(&sf);
}

static void test_version_1(void **state)
{
    struct cm_statefile sf;
    unsigned char *p;
    size_t len, cut;
    uint64_t sec = 0;
    (void)state;

    /* A version 1 file: the same without the identities' section. */
    write_state(3);
    p = slurp(&len);
    for (int i = 0; i < 8; i++) {
        sec |= (uint64_t)p[FILES + (size_t)i] << (8 * i);
    }
    assert_int_equal(sec, 4 + 8 + 3 * 20 + 8 + 44); /* the identities, then a grown file */
    cut = 8 + (size_t)sec;
    memmove(p + FILES, p + FILES + cut, len - FILES - cut);
    len -= cut;
    p[8] = 1;
    spill(p, len);
    assert_int_equal(read_state(&sf), 0);
    assert_int_equal(sf.version, 1);
    assert_true(sf.files_reset); /* the summary says every file was read */
    assert_int_equal(sf.files.n, 0);
    cm_statefile_free(&sf);
    /* A version this build does not know is refused, as before. */
    p[8] = 3;
    spill(p, len);
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_read(&sf), CM_EFORMAT);
    /* Where the version is (byte 8), and which (before 2026-12-05: byte 16, none). */
    assert_non_null(strstr(sf.err, "byte 8: a state file version this build does not read (3;"));
    cm_statefile_free(&sf);
    free(p);
}

static void test_other_layout_and_damage(void **state)
{
    struct cm_statefile sf;
    unsigned char *p;
    size_t len;
    char want[64];
    (void)state;

    write_state(3);
    p = slurp(&len);
    /* The section's own version is another layout's: skipped, the set starts empty. */
    p[FILES + 8] = 9;
    spill(p, len);
    assert_int_equal(read_state(&sf), 0);
    assert_true(sf.files_reset);
    assert_int_equal(sf.files.n, 0);
    cm_statefile_free(&sf);
    /* Two identities swapped (the CRC made right): refused, where and why. */
    p[FILES + 8] = 2;
    {
        unsigned char tmp[20], *e0 = p + FILES + 8 + 12;

        memcpy(tmp, e0, 20);
        memcpy(e0, e0 + 20, 20);
        memcpy(e0 + 20, tmp, 20);
    }
    spill(p, len);
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_read(&sf), CM_EINVAL);
    snprintf(want, sizeof(want), "byte %u: file identities out of order", FILES + 8 + 12 + 40);
    assert_non_null(strstr(sf.err, want));
    cm_statefile_free(&sf);
    /* A count past the section: refused as truncated. */
    write_state(3);
    free(p);
    p = slurp(&len);
    p[FILES + 8 + 4] = 9;
    spill(p, len);
    cm_statefile_init(&sf, path);
    assert_int_equal(cm_statefile_read(&sf), CM_ETRUNC);
    assert_non_null(strstr(sf.err, "more file identities than the file has room for"));
    cm_statefile_free(&sf);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_layout_and_damage, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
