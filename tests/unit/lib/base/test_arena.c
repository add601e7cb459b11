/*
 * Unit tests for lib/base/arena.h: 16-byte alignment of every allocation,
 * allocations larger than a chunk, the memory cap (NULL past it, and the
 * arena still usable), reset keeping one chunk whose memory is reused, and
 * strndup. Allocations are filled with patterns and re-checked so that
 * overlapping blocks would show up even without ASan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/arena.h"

static int aligned16(const void *p)
{
    return ((uintptr_t)p & 15u) == 0;
}

static void test_init_finish(void **state)
{
    struct cm_arena a;
    (void)state;

    cm_arena_init(&a, 0, 0);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
    assert_true(a.chunk_size > 0);
    cm_arena_reset(&a); /* reset with no chunk is a no-op */
    assert_null(a.head);
    cm_arena_finish(&a);
    cm_arena_finish(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);

    cm_arena_init(&a, 4096, 1 << 20);
    assert_int_equal(a.chunk_size, 4096);
    assert_int_equal(a.max, 1 << 20);
    assert_non_null(cm_arena_alloc(&a, 10));
    assert_non_null(a.head);
    cm_arena_finish(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
    cm_arena_finish(&a);
}

static void test_alignment(void **state)
{
    struct cm_arena a;
    unsigned char *prev = NULL;
    size_t prev_n = 0;
    (void)state;

    cm_arena_init(&a, 1024, 0);
    for (size_t i = 0; i < 2000; i++) {
        size_t n = (i * 7) % 61; /* includes 0 and odd sizes */
        unsigned char *p = cm_arena_alloc(&a, n);
        assert_non_null(p);
        if (!aligned16(p)) {
            fail_msg("allocation %zu of %zu bytes at %p is not 16-aligned", i, n, (void *)p);
        }
        memset(p, (int)(i & 0xff), n);
        /* The previous block is intact (no overlap with this one). */
        for (size_t k = 0; k < prev_n; k++) {
            assert_int_equal(prev[k], (unsigned char)((i - 1) & 0xff));
        }
        prev = p;
        prev_n = n;
    }
    /* Distinct zero-size allocations are still distinct, aligned pointers. */
    {
        void *z1 = cm_arena_alloc(&a, 0);
        void *z2 = cm_arena_alloc(&a, 0);
        assert_non_null(z1);
        assert_non_null(z2);
        assert_ptr_not_equal(z1, z2);
        assert_true(aligned16(z1) && aligned16(z2));
    }
    cm_arena_finish(&a);
}

static void test_no_overlap(void **state)
{
    struct cm_arena a;
    unsigned char *blocks[300];
    size_t sizes[300];
    (void)state;

    cm_arena_init(&a, 512, 0);
    for (size_t i = 0; i < 300; i++) {
        sizes[i] = 1 + (i * 37) % 700; /* some larger than the chunk */
        blocks[i] = cm_arena_alloc(&a, sizes[i]);
        assert_non_null(blocks[i]);
        assert_true(aligned16(blocks[i]));
        memset(blocks[i], (int)(i % 251), sizes[i]);
    }
    for (size_t i = 0; i < 300; i++) {
        for (size_t k = 0; k < sizes[i]; k++) {
            if (blocks[i][k] != (unsigned char)(i % 251)) {
                fail_msg("block %zu byte %zu was overwritten", i, k);
            }
        }
    }
    cm_arena_finish(&a);
}

static void test_large(void **state)
{
    struct cm_arena a;
    unsigned char *small1, *big, *small2;
    (void)state;

    cm_arena_init(&a, 256, 0);
    small1 = cm_arena_alloc(&a, 32);
    assert_non_null(small1);
    memset(small1, 0x11, 32);
    big = cm_arena_alloc(&a, 100000);
    assert_non_null(big);
    assert_true(aligned16(big));
    memset(big, 0x22, 100000);
    assert_true(a.used >= 100000 + 256);
    small2 = cm_arena_alloc(&a, 32);
    assert_non_null(small2);
    memset(small2, 0x33, 32);
    for (size_t i = 0; i < 32; i++) {
        assert_int_equal(small1[i], 0x11);
        assert_int_equal(small2[i], 0x33);
    }
    for (size_t i = 0; i < 100000; i++) {
        if (big[i] != 0x22) {
            fail_msg("big block byte %zu overwritten", i);
        }
    }
    /* Exactly one chunk size, and one byte over it. */
    assert_non_null(cm_arena_alloc(&a, 256));
    assert_non_null(cm_arena_alloc(&a, 257));
    cm_arena_finish(&a);
}

static void test_cap(void **state)
{
    struct cm_arena a;
    size_t got = 0;
    void *p;
    (void)state;

    cm_arena_init(&a, 1024, 4096);
    /* Fill up to the cap with small allocations, then hit NULL. */
    for (;;) {
        p = cm_arena_alloc(&a, 100);
        if (p == NULL) {
            break;
        }
        memset(p, 0x5a, 100);
        got += 100;
        assert_true(got <= 4096);
    }
    assert_true(got >= 3000); /* four chunks of 1024 hold at least 40 * 100 */
    assert_true(a.used <= a.max);
    /* A single allocation over the cap fails outright. */
    assert_null(cm_arena_alloc(&a, 5000));
    assert_null(cm_arena_alloc(&a, SIZE_MAX));
    assert_null(cm_arena_alloc(&a, SIZE_MAX - 8));
    assert_null(cm_arena_alloc(&a, SIZE_MAX / 2));
    assert_true(a.used <= a.max);
    /* After a reset the arena can allocate again, within the same cap. */
    cm_arena_reset(&a);
    assert_true(a.used <= 1024);
    p = cm_arena_alloc(&a, 100);
    assert_non_null(p);
    memset(p, 1, 100);
    cm_arena_finish(&a);

    /* A cap smaller than one chunk still serves allocations up to the cap. */
    cm_arena_init(&a, 1024, 512);
    p = cm_arena_alloc(&a, 16);
    assert_non_null(p);
    memset(p, 3, 16);
    assert_true(a.used <= 512);
    p = cm_arena_alloc(&a, 400);
    assert_non_null(p);
    memset(p, 4, 400);
    assert_true(a.used <= 512);
    assert_null(cm_arena_alloc(&a, 200));
    assert_true(a.used <= 512);
    cm_arena_finish(&a);

    /* The last chunk shrinks to what is left under the cap. */
    cm_arena_init(&a, 1024, 2500);
    for (int i = 0; i < 2; i++) {
        p = cm_arena_alloc(&a, 1024);
        assert_non_null(p);
        memset(p, 5, 1024);
    }
    p = cm_arena_alloc(&a, 400);
    assert_non_null(p);
    memset(p, 6, 400);
    assert_true(a.used <= 2500);
    assert_null(cm_arena_alloc(&a, 100));
    cm_arena_finish(&a);

    /* A big allocation right at the cap succeeds; the next one fails. */
    cm_arena_init(&a, 1024, 8192);
    p = cm_arena_alloc(&a, 8192);
    assert_non_null(p);
    memset(p, 2, 8192);
    assert_null(cm_arena_alloc(&a, 16));
    cm_arena_finish(&a);
}

static void test_huge_without_cap(void **state)
{
    struct cm_arena a;
    (void)state;

    /* Sizes whose rounding or header would wrap size_t must fail, not return a tiny block. */
    cm_arena_init(&a, 1024, 0);
    assert_null(cm_arena_alloc(&a, SIZE_MAX));
    assert_null(cm_arena_alloc(&a, SIZE_MAX - 15));
    assert_null(cm_arena_alloc(&a, SIZE_MAX - 16));
    assert_null(cm_arena_strndup(&a, "x", SIZE_MAX));
    assert_non_null(cm_arena_alloc(&a, 16));
    cm_arena_finish(&a);
}

static void test_reset_reuse(void **state)
{
    struct cm_arena a;
    unsigned char *first, *again = NULL;
    size_t used_before;
    (void)state;

    cm_arena_init(&a, 4096, 0);
    first = cm_arena_alloc(&a, 64);
    assert_non_null(first);
    memset(first, 0xab, 64);
    /* Force several more chunks. */
    for (int i = 0; i < 50; i++) {
        void *p = cm_arena_alloc(&a, 1000);
        assert_non_null(p);
        memset(p, i, 1000);
    }
    assert_true(a.used >= 4 * 4096);
    assert_non_null(a.head);

    cm_arena_reset(&a);
    assert_non_null(a.head);
    assert_true(a.used > 0);
    assert_true(a.used <= 4096);
    used_before = a.used;

    /* Memory in the kept chunk is reused: the same amount of work needs no new chunk. */
    for (int round = 0; round < 100; round++) {
        unsigned char *p = cm_arena_alloc(&a, 1000);
        unsigned char *q = cm_arena_alloc(&a, 1000);
        assert_non_null(p);
        assert_non_null(q);
        memset(p, round, 1000);
        memset(q, round + 1, 1000);
        if (round > 0) {
            assert_ptr_equal(p, again);
        }
        again = p;
        assert_int_equal(a.used, used_before);
        cm_arena_reset(&a);
    }
    cm_arena_finish(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
}

static void test_strndup(void **state)
{
    struct cm_arena a;
    char *s;
    char big[3000];
    (void)state;

    cm_arena_init(&a, 1024, 0);
    s = cm_arena_strndup(&a, "hello world", 5);
    assert_non_null(s);
    assert_string_equal(s, "hello");
    assert_true(aligned16(s));
    s = cm_arena_strndup(&a, "", 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    s = cm_arena_strndup(&a, NULL, 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    /* Embedded NULs are copied; the terminator comes after n. */
    s = cm_arena_strndup(&a, "a\0b", 3);
    assert_non_null(s);
    assert_memory_equal(s, "a\0b\0", 4);
    /* Input that is not NUL-terminated at n. */
    s = cm_arena_strndup(&a, "abcdef", 3);
    assert_string_equal(s, "abc");
    memset(big, 'z', sizeof(big));
    s = cm_arena_strndup(&a, big, sizeof(big));
    assert_non_null(s);
    assert_memory_equal(s, big, sizeof(big));
    assert_int_equal(s[sizeof(big)], '\0');
    assert_int_equal(strlen(s), sizeof(big));
    cm_arena_finish(&a);

    cm_arena_init(&a, 64, 64);
    assert_null(cm_arena_strndup(&a, big, 100));
    cm_arena_finish(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_finish), cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_no_overlap),  cmocka_unit_test(test_large),
        cmocka_unit_test(test_cap),         cmocka_unit_test(test_huge_without_cap),
        cmocka_unit_test(test_reset_reuse), cmocka_unit_test(test_strndup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
