/*
 * Unit tests for src/core/batch.h: filebuf reference counting (an owned
 * buffer is freed by the last release, a borrowed one never; ASan checks
 * both), cm_batch_get (buffer reference, tape begun on the buffer),
 * cm_batch_put (pooled and reused, empty on reuse), the pool cap,
 * get/put from several threads at once (run under TSan too), and the bound
 * on live batches a reader waits on between inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "core/batch.h"

static const char doc_text[] = "xx {\"a\":[1,\"b\\n\"],\"c\":{\"d\":null}} yy";

/* A heap copy of s, owned by whoever takes it. */
static char *dup_text(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);

    assert_non_null(p);
    memcpy(p, s, n + 1);
    *len = n;
    return p;
}

static void test_filebuf_owned(void **state)
{
    size_t len;
    char *p = dup_text(doc_text, &len);
    struct cm_filebuf *fb = cm_filebuf_create(p, len, 0);
    (void)state;

    assert_non_null(fb);
    assert_ptr_equal(fb->p, p);
    assert_int_equal(fb->len, len);
    assert_int_equal(fb->borrowed, 0);
    assert_int_equal(atomic_load(&fb->refs), 1);
    atomic_fetch_add(&fb->refs, 2);
    cm_filebuf_release(fb);
    cm_filebuf_release(fb);
    /* Still alive: the content is readable (ASan would flag a freed buffer). */
    assert_int_equal(atomic_load(&fb->refs), 1);
    assert_memory_equal(fb->p, doc_text, len);
    cm_filebuf_release(fb); /* the last reference frees p and fb; LSan checks */
    cm_filebuf_release(NULL);
}

static void test_filebuf_borrowed(void **state)
{
    char local[64];
    struct cm_filebuf *fb;
    (void)state;

    memcpy(local, "borrowed content", 17);
    fb = cm_filebuf_create(local, 16, 1);
    assert_non_null(fb);
    atomic_fetch_add(&fb->refs, 1);
    cm_filebuf_release(fb);
    cm_filebuf_release(fb);
    /* Freeing a stack buffer would abort (glibc) or be reported (ASan). */
    assert_memory_equal(local, "borrowed content", 17);
}

static void test_get_begins_tape(void **state)
{
    struct cm_batch_pool pool;
    size_t len, end = 0;
    char *p = dup_text(doc_text, &len);
    struct cm_filebuf *fb = cm_filebuf_create(p, len, 0);
    struct cm_batch *b;
    uint32_t root = CM_JSON_NONE, a, s;
    struct cm_str str;
    (void)state;

    assert_non_null(fb);
    cm_batch_pool_init(&pool, 8, 4, 0);
    b = cm_batch_get(&pool, fb);
    assert_non_null(b);
    assert_int_equal(atomic_load(&fb->refs), 2);
    assert_ptr_equal(b->seg[0].fb, fb);
    assert_int_equal(b->n, 0);
    assert_int_equal(b->cap, 8);
    assert_non_null(b->ev);
    assert_non_null(b->shard);
    assert_ptr_equal(b->seg[0].doc.src, fb->p);
    assert_int_equal(b->seg[0].doc.src_len, fb->len);
    assert_int_equal(b->seg[0].doc.n, 0);

    assert_int_equal(cm_json_parse_at(&b->seg[0].doc, 2, &end, &root, NULL), 0);
    assert_int_equal(root, 0);
    assert_int_equal(end, len - 3);
    assert_int_equal(cm_json_type(&b->seg[0].doc, root), CM_JSON_OBJECT);
    assert_int_equal(cm_json_at(&b->seg[0].doc, root)->off, 3); /* the '{' in fb->p */
    a = cm_json_get(&b->seg[0].doc, root, "a");
    assert_int_equal(cm_json_type(&b->seg[0].doc, a), CM_JSON_ARRAY);
    s = cm_json_index(&b->seg[0].doc, a, 1);
    /* Raw slices point into the buffer itself, not a copy. */
    str = cm_json_raw(&b->seg[0].doc, s);
    assert_ptr_equal(str.p, fb->p + 12);
    assert_int_equal(str.len, 3);
    /* Unescaping goes to the batch's arena. */
    str = cm_json_str(&b->seg[0].doc, s, &b->arena);
    assert_int_equal(str.len, 2);
    assert_memory_equal(str.p, "b\n", 2);
    assert_true(str.p < fb->p || str.p >= fb->p + fb->len);
    assert_int_equal(cm_json_type(&b->seg[0].doc, cm_json_path(&b->seg[0].doc, root, "c.d")),
                     CM_JSON_NULL);

    cm_batch_put(&pool, b);
    assert_int_equal(atomic_load(&fb->refs), 1);
    assert_int_equal(pool.n, 1);
    cm_filebuf_release(fb);
    cm_batch_pool_finish(&pool);
    assert_int_equal(pool.n, 0);
}

static void test_put_reuses(void **state)
{
    struct cm_batch_pool pool;
    size_t len1, len2;
    char *p1 = dup_text(doc_text, &len1);
    char *p2 = dup_text("[1,2,3]", &len2);
    struct cm_filebuf *fb1 = cm_filebuf_create(p1, len1, 0);
    struct cm_filebuf *fb2 = cm_filebuf_create(p2, len2, 0);
    struct cm_batch *b, *again;
    size_t end;
    uint32_t root;
    (void)state;

    cm_batch_pool_init(&pool, 4, 4, 0);
    b = cm_batch_get(&pool, fb1);
    assert_non_null(b);
    assert_int_equal(cm_json_parse_at(&b->seg[0].doc, 3, &end, &root, NULL), 0);
    assert_true(b->seg[0].doc.n > 0);
    assert_non_null(cm_arena_alloc(&b->arena, 100));
    b->ev[0].time_ms = 42;
    b->shard[0] = 3;
    b->n = 1;
    cm_batch_put(&pool, b);
    assert_int_equal(pool.n, 1);
    assert_int_equal(atomic_load(&fb1->refs), 1);
    cm_filebuf_release(fb1); /* the pooled batch holds no reference: p1 is freed now */

    again = cm_batch_get(&pool, fb2);
    assert_ptr_equal(again, b);
    assert_int_equal(pool.n, 0);
    assert_int_equal(again->n, 0);
    assert_int_equal(again->seg[0].doc.n, 0);
    assert_ptr_equal(again->seg[0].doc.src, p2);
    assert_int_equal(again->seg[0].doc.src_len, len2);
    assert_ptr_equal(again->seg[0].fb, fb2);
    assert_int_equal(atomic_load(&fb2->refs), 2);
    assert_null(again->next);
    /* The tape works on the new buffer. */
    assert_int_equal(cm_json_parse_at(&again->seg[0].doc, 0, &end, &root, NULL), 0);
    assert_int_equal(root, 0);
    assert_int_equal(cm_json_at(&again->seg[0].doc, root)->len, 3);
    assert_int_equal(end, len2);

    cm_batch_put(&pool, again);
    cm_filebuf_release(fb2);
    cm_batch_pool_finish(&pool);
}

/*
 * Segments: the inputs of one ticket share a batch, each with its buffer (a reference
 * held) and its own tape; trimming drops the events after a point and the segments then
 * empty (never the first); at CM_BATCH_SEGS there is no room for another; putting the
 * batch back drops every reference.
 */
static void test_segments(void **state)
{
    struct cm_batch_pool pool;
    size_t len1, len2, end;
    char *p1 = dup_text(doc_text, &len1);
    char *p2 = dup_text("[1,2,3]", &len2);
    struct cm_filebuf *fb1 = cm_filebuf_create(p1, len1, 0);
    struct cm_filebuf *fb2 = cm_filebuf_create(p2, len2, 0);
    struct cm_batch *b;
    uint32_t root;
    (void)state;

    cm_batch_pool_init(&pool, 64, 4, 0);
    b = cm_batch_get(&pool, fb1);
    assert_non_null(b);
    assert_int_equal(b->nseg, 1);
    assert_ptr_equal(cm_batch_last_seg(b), &b->seg[0]);
    assert_int_equal(b->seg[0].first, 0);
    assert_int_equal(cm_json_parse_at(&b->seg[0].doc, 3, &end, &root, NULL), 0);
    b->n = 3;
    assert_int_equal(cm_batch_add_seg(b, fb2), 0);
    assert_int_equal(b->nseg, 2);
    assert_int_equal(b->seg[1].first, 3);
    assert_ptr_equal(b->seg[1].fb, fb2);
    assert_ptr_equal(b->seg[1].doc.src, p2);
    assert_int_equal(b->seg[1].doc.n, 0);
    assert_int_equal(atomic_load(&fb2->refs), 2);
    /* Its own tape: the first segment's nodes stay. */
    assert_int_equal(cm_json_parse_at(&b->seg[1].doc, 0, &end, &root, NULL), 0);
    assert_int_equal(cm_json_at(&b->seg[1].doc, root)->len, 3);
    assert_int_equal(cm_json_type(&b->seg[0].doc, 0), CM_JSON_OBJECT);
    b->n = 5;
    /* Trimming inside the second segment keeps it; back to its start drops it. */
    cm_batch_trim(b, 4);
    assert_int_equal(b->n, 4);
    assert_int_equal(b->nseg, 2);
    cm_batch_trim(b, 3);
    assert_int_equal(b->n, 3);
    assert_int_equal(b->nseg, 1);
    assert_null(b->seg[1].fb);
    assert_int_equal(atomic_load(&fb2->refs), 1);
    /* The first segment stays even with no event. */
    cm_batch_trim(b, 0);
    assert_int_equal(b->n, 0);
    assert_int_equal(b->nseg, 1);
    assert_ptr_equal(b->seg[0].fb, fb1);
    /* Full of segments (empty ones count too). */
    for (uint32_t k = 1; k < CM_BATCH_SEGS; k++) {
        b->n = k;
        assert_int_equal(cm_batch_add_seg(b, k % 2 ? fb2 : fb1), 0);
    }
    assert_int_equal(b->nseg, CM_BATCH_SEGS);
    assert_int_equal(cm_batch_add_seg(b, fb2), CM_E2BIG);
    assert_int_equal(atomic_load(&fb2->refs), 1 + CM_BATCH_SEGS / 2);
    cm_batch_put(&pool, b);
    assert_int_equal(atomic_load(&fb1->refs), 1);
    assert_int_equal(atomic_load(&fb2->refs), 1);
    /* Reused: one segment again, over the new buffer. */
    b = cm_batch_get(&pool, fb2);
    assert_int_equal(b->nseg, 1);
    assert_ptr_equal(b->seg[0].fb, fb2);
    assert_int_equal(b->seg[0].doc.n, 0);
    cm_batch_put(&pool, b);
    cm_filebuf_release(fb1);
    cm_filebuf_release(fb2);
    cm_batch_pool_finish(&pool);
}

static void test_pool_max(void **state)
{
    struct cm_batch_pool pool;
    size_t len;
    char *p = dup_text(doc_text, &len);
    struct cm_filebuf *fb = cm_filebuf_create(p, len, 0);
    struct cm_batch *b[5], *c[3];
    (void)state;

    cm_batch_pool_init(&pool, 16, 2, 0);
    for (int i = 0; i < 5; i++) {
        b[i] = cm_batch_get(&pool, fb);
        assert_non_null(b[i]);
        for (int k = 0; k < i; k++) {
            assert_ptr_not_equal(b[i], b[k]);
        }
    }
    assert_int_equal(atomic_load(&fb->refs), 6);
    for (int i = 0; i < 5; i++) {
        cm_batch_put(&pool, b[i]);
        assert_int_equal(pool.n, i < 2 ? (size_t)i + 1 : 2);
    }
    /* The three past the cap were freed (LSan), and dropped their references. */
    assert_int_equal(atomic_load(&fb->refs), 1);
    /* The two pooled ones are b[0] and b[1]; the third get allocates. */
    for (int i = 0; i < 3; i++) {
        c[i] = cm_batch_get(&pool, fb);
        assert_non_null(c[i]);
    }
    assert_true((c[0] == b[0] && c[1] == b[1]) || (c[0] == b[1] && c[1] == b[0]));
    assert_int_equal(pool.n, 0);
    for (int i = 0; i < 3; i++) {
        cm_batch_put(&pool, c[i]);
    }
    assert_int_equal(pool.n, 2);

    /* max 0: nothing is pooled. */
    cm_batch_pool_finish(&pool);
    cm_batch_pool_init(&pool, 16, 0, 0);
    c[0] = cm_batch_get(&pool, fb);
    assert_non_null(c[0]);
    cm_batch_put(&pool, c[0]);
    assert_int_equal(pool.n, 0);
    assert_null(pool.head);
    cm_batch_pool_finish(&pool);
    assert_int_equal(atomic_load(&fb->refs), 1);
    cm_filebuf_release(fb);
}

#define NTHREADS 4
#define ITERS    20000
#define POOL_MAX 3

struct worker {
    struct cm_batch_pool *pool;
    struct cm_filebuf *shared;
    int id;
    int bad; /* count of broken invariants seen */
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char own_text[32];
    size_t own_len = (size_t)snprintf(own_text, sizeof(own_text), "[%d,\"t\\u0041\"]", w->id);
    struct cm_filebuf *own = cm_filebuf_create(own_text, own_len, 1);
    struct cm_batch *held[2];

    if (own == NULL) {
        w->bad++;
        return NULL;
    }
    for (int it = 0; it < ITERS; it++) {
        int nheld = 1 + it % 2;
        for (int h = 0; h < nheld; h++) {
            struct cm_filebuf *fb = (it + h) % 3 ? w->shared : own;
            struct cm_batch *b = cm_batch_get(w->pool, fb);
            size_t end;
            uint32_t root;
            struct cm_str s;

            held[h] = b;
            if (b == NULL) {
                w->bad++;
                return NULL;
            }
            if (b->n != 0 || b->seg[0].doc.n != 0 || b->seg[0].fb != fb ||
                b->seg[0].doc.src != fb->p) {
                w->bad++;
            }
            if (cm_json_parse_at(&b->seg[0].doc, 0, &end, &root, NULL) != 0 || root != 0) {
                w->bad++;
                continue;
            }
            s = cm_json_str(&b->seg[0].doc, cm_json_index(&b->seg[0].doc, root, 1), &b->arena);
            if (fb == own && (s.len != 2 || memcmp(s.p, "tA", 2) != 0)) {
                w->bad++;
            }
            /* Mark the batch as this thread's for this iteration. */
            for (uint32_t i = 0; i < 8 && i < b->cap; i++) {
                b->ev[i].time_ms = (int64_t)w->id << 32 | (int64_t)it;
                b->shard[i] = (uint16_t)w->id;
            }
            b->n = 8;
        }
        for (int h = 0; h < nheld; h++) {
            struct cm_batch *b = held[h];
            for (uint32_t i = 0; i < b->n; i++) {
                if (b->ev[i].time_ms != ((int64_t)w->id << 32 | (int64_t)it) ||
                    b->shard[i] != (uint16_t)w->id) {
                    w->bad++; /* another thread had the same batch */
                }
            }
            cm_batch_put(w->pool, b);
        }
    }
    if (atomic_load(&own->refs) != 1) {
        w->bad++;
    }
    cm_filebuf_release(own);
    return NULL;
}

static void test_concurrent(void **state)
{
    struct cm_batch_pool pool;
    size_t len;
    char *p = dup_text(doc_text + 3, &len);
    struct cm_filebuf *fb;
    struct worker w[NTHREADS];
    pthread_t tid[NTHREADS];
    (void)state;

    len -= 3; /* just the object */
    fb = cm_filebuf_create(p, len, 0);
    assert_non_null(fb);
    cm_batch_pool_init(&pool, 8, POOL_MAX, 0);
    for (int i = 0; i < NTHREADS; i++) {
        w[i].pool = &pool;
        w[i].shared = fb;
        w[i].id = i + 1;
        w[i].bad = 0;
        assert_int_equal(pthread_create(&tid[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(pthread_join(tid[i], NULL), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(w[i].bad, 0);
    }
    /* Every reference taken by a batch was dropped; the pool stayed within max. */
    assert_int_equal(atomic_load(&fb->refs), 1);
    assert_true(pool.n >= 1 && pool.n <= POOL_MAX);
    assert_int_equal(pool.live, 0);
    {
        size_t k = 0;
        for (struct cm_batch *b = pool.head; b; b = b->next) {
            assert_null(b->seg[0].fb);
            k++;
        }
        assert_int_equal(k, pool.n);
    }
    cm_batch_pool_finish(&pool);
    cm_filebuf_release(fb);
}

/* A reader between inputs: waits for room, then says it got it. */
struct waiter {
    struct cm_batch_pool *pool;
    atomic_int started, passed;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;

    atomic_store(&w->started, 1);
    cm_batch_pool_wait(w->pool);
    atomic_store(&w->passed, 1);
    return NULL;
}

/* Gives the waiter up to 200 ms to pass; returns whether it did. */
static int passes(struct waiter *w)
{
    const struct timespec ms = {0, 1000000};

    for (int i = 0; i < 200 && !atomic_load(&w->passed); i++) {
        nanosleep(&ms, NULL);
    }
    return atomic_load(&w->passed);
}

static void test_live_bound(void **state)
{
    struct cm_batch_pool pool;
    size_t len;
    char *p = dup_text(doc_text, &len);
    struct cm_filebuf *fb = cm_filebuf_create(p, len, 0);
    struct cm_batch *b[3];
    struct waiter w = {&pool, 0, 0};
    const struct timespec ms = {0, 1000000};
    pthread_t tid;
    (void)state;

    cm_batch_pool_init(&pool, 16, 4, 2);
    /* Under the bound the wait returns at once. */
    b[0] = cm_batch_get(&pool, fb);
    assert_int_equal(pool.live, 1);
    cm_batch_pool_wait(&pool);
    /* At the bound a reader waits until a worker puts a batch back. */
    b[1] = cm_batch_get(&pool, fb);
    assert_int_equal(pool.live, 2);
    assert_int_equal(pthread_create(&tid, NULL, waiter_main, &w), 0);
    while (!atomic_load(&w.started)) {
        nanosleep(&ms, NULL);
    }
    assert_false(passes(&w));
    /* A reader in the middle of an input still gets batches past the bound. */
    b[2] = cm_batch_get(&pool, fb);
    assert_non_null(b[2]);
    assert_int_equal(pool.live, 3);
    cm_batch_put(&pool, b[2]);
    assert_int_equal(pool.live, 2);
    assert_false(passes(&w));
    cm_batch_put(&pool, b[1]);
    assert_int_equal(pool.live, 1);
    assert_true(passes(&w));
    assert_int_equal(pthread_join(tid, NULL), 0);
    cm_batch_put(&pool, b[0]);
    assert_int_equal(pool.live, 0);
    cm_batch_pool_finish(&pool);

    /* live_max 0: no bound. */
    cm_batch_pool_init(&pool, 16, 4, 0);
    for (int i = 0; i < 3; i++) {
        b[i] = cm_batch_get(&pool, fb);
    }
    cm_batch_pool_wait(&pool);
    for (int i = 0; i < 3; i++) {
        cm_batch_put(&pool, b[i]);
    }
    assert_int_equal(pool.live, 0);
    cm_batch_pool_finish(&pool);
    assert_int_equal(atomic_load(&fb->refs), 1);
    cm_filebuf_release(fb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filebuf_owned),   cmocka_unit_test(test_filebuf_borrowed),
        cmocka_unit_test(test_get_begins_tape), cmocka_unit_test(test_put_reuses),
        cmocka_unit_test(test_pool_max),        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_live_bound),      cmocka_unit_test(test_segments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
