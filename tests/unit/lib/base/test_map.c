/*
 * Unit tests for lib/base/map.h: basic find/insert/delete, a 100k-operation
 * random workload cross-checked against a per-id reference table, growth
 * with value pointers that do not move, backward-shift deletion in crafted
 * clusters that wrap around the end of the table, the entry cap (CM_EFULL),
 * iteration with deletion visiting every entry exactly once, key copying,
 * empty and binary keys, zeroed values and the memory count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/map.h"

#define SEED    0x5eed1234abcdULL
#define KEY_MAX 48

static uint64_t next_rand(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return cm_hash_mix64(*s);
}

/*
 * The key of id: a varint of id (self-delimiting, so keys are unique) then
 * 0..32 filler bytes that include NULs. Id 0 is the empty key.
 */
static size_t mkkey(uint64_t id, unsigned char *buf)
{
    size_t n = 0, fill, i;
    uint64_t v = id;

    if (id == 0) {
        return 0;
    }
    do {
        buf[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v != 0);
    fill = (size_t)(id * 7 % 33);
    for (i = 0; i < fill; i++) {
        buf[n++] = (unsigned char)((id + i) % 3 == 0 ? 0 : (id * 31 + i));
    }
    return n;
}

static void test_basic(void **state)
{
    struct cm_map *m;
    void *v, *v2;
    bool created;
    (void)state;

    assert_int_equal(cm_map_create(&m, sizeof(uint64_t), 0, SEED), 0);
    assert_null(cm_map_get(m, "a", 1));
    assert_int_equal(cm_map_put(m, "a", 1, &v, &created), 0);
    assert_true(created);
    assert_int_equal(*(uint64_t *)v, 0);
    *(uint64_t *)v = 42;
    assert_int_equal(cm_map_put(m, "a", 1, &v2, &created), 0);
    assert_false(created);
    assert_ptr_equal(v, v2);
    assert_int_equal(cm_map_put(m, "b", 1, &v2, NULL), 0);
    assert_int_equal(cm_map_count(m), 2);
    assert_int_equal(*(uint64_t *)cm_map_get(m, "a", 1), 42);
    assert_int_equal(cm_map_key_of(m, v).len, 1);
    assert_memory_equal(cm_map_key_of(m, v).p, "a", 1);
    assert_int_equal(cm_map_del(m, "a", 1), 0);
    assert_int_equal(cm_map_del(m, "a", 1), CM_ENOTFOUND);
    assert_null(cm_map_get(m, "a", 1));
    assert_int_equal(cm_map_del_val(m, v2), 0);
    assert_int_equal(cm_map_count(m), 0);
    cm_map_destroy(m);
    assert_int_equal(cm_map_create(&m, CM_MAP_MAX_VAL + 1, 0, SEED), CM_EINVAL);
    assert_null(m);
    cm_map_destroy(NULL);
}

/* Values are zeroed on insert, also in a slot reused after a delete. */
static void test_zeroed_values(void **state)
{
    struct cm_map *m;
    unsigned char *v;
    size_t i;
    (void)state;

    assert_int_equal(cm_map_create(&m, 100, 0, SEED), 0);
    assert_int_equal(cm_map_put(m, "k", 1, (void **)&v, NULL), 0);
    memset(v, 0xab, 100);
    assert_int_equal(cm_map_del(m, "k", 1), 0);
    assert_int_equal(cm_map_put(m, "k", 1, (void **)&v, NULL), 0);
    for (i = 0; i < 100; i++) {
        assert_int_equal(v[i], 0);
    }
    assert_int_equal((uintptr_t)v % 16, 0);
    cm_map_destroy(m);

    /* A set: zero-byte values still get distinct non-NULL pointers. */
    assert_int_equal(cm_map_create(&m, 0, 0, SEED), 0);
    assert_int_equal(cm_map_put(m, "x", 1, (void **)&v, NULL), 0);
    assert_non_null(v);
    assert_non_null(cm_map_get(m, "x", 1));
    cm_map_destroy(m);
}

struct ref {
    bool present;
    uint64_t val;
};

static void check_all(struct cm_map *m, const struct ref *ref, size_t nref)
{
    unsigned char k[KEY_MAX];
    size_t i, n = 0, kl;
    uint64_t *v;

    for (i = 0; i < nref; i++) {
        kl = mkkey(i, k);
        v = cm_map_get(m, k, kl);
        if (ref[i].present) {
            assert_non_null(v);
            assert_int_equal(*v, ref[i].val);
            n++;
        } else {
            assert_null(v);
        }
    }
    assert_int_equal(cm_map_count(m), n);
}

/* One random operation on id, checked against the reference. */
static void random_op(struct cm_map *m, struct ref *r, uint64_t id, uint64_t dice, uint64_t op)
{
    unsigned char k[KEY_MAX];
    size_t kl = mkkey(id, k);
    uint64_t *v;
    bool created;

    if (dice < 45) {
        assert_int_equal(cm_map_put(m, k, kl, (void **)&v, &created), 0);
        assert_int_equal(created, !r->present);
        assert_int_equal(*v, r->present ? r->val : 0);
        *v = r->val = op + 1;
        r->present = true;
    } else if (dice < 75) {
        assert_int_equal(cm_map_del(m, k, kl), r->present ? 0 : CM_ENOTFOUND);
        r->present = false;
    } else {
        v = cm_map_get(m, k, kl);
        if (r->present) {
            assert_non_null(v);
            assert_int_equal(*v, r->val);
        } else {
            assert_null(v);
        }
    }
}

static void test_random_vs_reference(void **state)
{
    enum { NKEYS = 5000, NOPS = 100000 };
    struct ref *ref = cm_calloc(NKEYS, sizeof(*ref));
    struct cm_map *m;
    uint64_t rs = 7, op, r, id;
    (void)state;

    assert_non_null(ref);
    assert_int_equal(cm_map_create(&m, sizeof(uint64_t), 0, SEED), 0);
    for (op = 0; op < NOPS; op++) {
        r = next_rand(&rs);
        /* Skewed towards a hot set so the table grows, shrinks and churns. */
        id = (r >> 8) % ((r & 1) ? NKEYS : 300);
        random_op(m, &ref[id], id, (r >> 40) % 100, op);
        if (op % 10000 == 0) {
            check_all(m, ref, NKEYS);
        }
    }
    check_all(m, ref, NKEYS);
    cm_map_destroy(m);
    cm_free(ref);
}

/* Growth from 16 slots to 256k: every value stays where it was put. */
static void test_growth_stable(void **state)
{
    enum { N = 150000 };
    void **ptrs = cm_calloc(N, sizeof(void *));
    unsigned char k[KEY_MAX];
    struct cm_map *m;
    size_t i, kl, bytes0;
    uint64_t *v;
    (void)state;

    assert_non_null(ptrs);
    assert_int_equal(cm_map_create(&m, sizeof(uint64_t), 0, SEED), 0);
    bytes0 = cm_map_bytes(m);
    for (i = 0; i < N; i++) {
        kl = mkkey(i, k);
        assert_int_equal(cm_map_put(m, k, kl, (void **)&v, NULL), 0);
        *v = i * 3;
        ptrs[i] = v;
    }
    assert_int_equal(cm_map_count(m), N);
    assert_true(cm_map_bytes(m) > bytes0 + N * 16);
    for (i = 0; i < N; i++) {
        kl = mkkey(i, k);
        v = cm_map_get(m, k, kl);
        assert_ptr_equal(v, ptrs[i]);
        assert_int_equal(*v, i * 3);
    }
    /* Deleting everything gives back every entry's bytes (the table stays). */
    for (i = 0; i < N; i++) {
        kl = mkkey(i, k);
        assert_int_equal(cm_map_del(m, k, kl), 0);
    }
    assert_int_equal(cm_map_count(m), 0);
    assert_int_equal(cm_map_bytes(m), bytes0 + (262144 - 16) * 16);
    cm_map_destroy(m);
    cm_free(ptrs);
}

/*
 * Keys whose home slot, in a table of cap slots, lies in [cap - 12, cap) or
 * [0, 20): one long cluster wrapping around the end. Returns their ids.
 */
static size_t crafted_ids(size_t cap, uint64_t *ids, size_t want)
{
    unsigned char k[KEY_MAX];
    size_t n = 0, kl, home;
    uint64_t id;

    for (id = 1; n < want; id++) {
        kl = mkkey(id, k);
        home = (size_t)cm_hash64(k, kl, SEED) & (cap - 1);
        if (home >= cap - 12 || home < 20) {
            ids[n++] = id;
        }
    }
    return n;
}

static void shuffle(uint64_t *a, size_t n, uint64_t *rs)
{
    size_t i, j;
    uint64_t t;

    for (i = n; i > 1; i--) {
        j = next_rand(rs) % i;
        t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static void fill_ids(struct cm_map *m, const uint64_t *ids, size_t n)
{
    unsigned char k[KEY_MAX];
    size_t i, kl;
    uint64_t *v;

    for (i = 0; i < n; i++) {
        kl = mkkey(ids[i], k);
        assert_int_equal(cm_map_put(m, k, kl, (void **)&v, NULL), 0);
        *v = ids[i];
    }
}

/* Deletes the ids in order; after each, every remaining id is found, deleted ones are not. */
static void delete_checked(struct cm_map *m, const uint64_t *ids, size_t n)
{
    unsigned char k[KEY_MAX];
    size_t i, j, kl;
    uint64_t *v;

    for (i = 0; i < n; i++) {
        kl = mkkey(ids[i], k);
        assert_int_equal(cm_map_del(m, k, kl), 0);
        for (j = 0; j < n; j++) {
            kl = mkkey(ids[j], k);
            v = cm_map_get(m, k, kl);
            if (j <= i) {
                assert_null(v);
            } else {
                assert_non_null(v);
                assert_int_equal(*v, ids[j]);
            }
        }
    }
    assert_int_equal(cm_map_count(m), 0);
}

static void test_backward_shift(void **state)
{
    uint64_t ids[300], rs = 99;
    struct cm_map *m;
    size_t n, round;
    (void)state;

    /* 11 entries (the cap keeps the table at 16 slots), all near the wrap. */
    n = crafted_ids(16, ids, 11);
    for (round = 0; round < 200; round++) {
        assert_int_equal(cm_map_create(&m, sizeof(uint64_t), 11, SEED), 0);
        shuffle(ids, n, &rs);
        fill_ids(m, ids, n);
        shuffle(ids, n, &rs);
        delete_checked(m, ids, n);
        cm_map_destroy(m);
    }
    /* 300 entries in a 512-slot table, homes in 32 slots around the wrap. */
    n = crafted_ids(512, ids, 300);
    for (round = 0; round < 3; round++) {
        assert_int_equal(cm_map_create(&m, sizeof(uint64_t), 300, SEED), 0);
        fill_ids(m, ids, n);
        shuffle(ids, n, &rs);
        delete_checked(m, ids, n);
        cm_map_destroy(m);
    }
}

static void test_full(void **state)
{
    struct cm_map *m;
    void *v;
    bool created;
    (void)state;

    assert_int_equal(cm_map_create(&m, 8, 5, SEED), 0);
    assert_int_equal(cm_map_put(m, "1", 1, &v, NULL), 0);
    assert_int_equal(cm_map_put(m, "2", 1, &v, NULL), 0);
    assert_int_equal(cm_map_put(m, "3", 1, &v, NULL), 0);
    assert_int_equal(cm_map_put(m, "4", 1, &v, NULL), 0);
    assert_int_equal(cm_map_put(m, "5", 1, &v, NULL), 0);
    assert_int_equal(cm_map_put(m, "6", 1, &v, &created), CM_EFULL);
    assert_null(v);
    assert_null(cm_map_get(m, "6", 1));
    /* An existing key is still found when full. */
    assert_int_equal(cm_map_put(m, "3", 1, &v, &created), 0);
    assert_false(created);
    assert_int_equal(cm_map_count(m), 5);
    assert_int_equal(cm_map_del(m, "1", 1), 0);
    assert_int_equal(cm_map_put(m, "6", 1, &v, &created), 0);
    assert_true(created);
    assert_int_equal(cm_map_put(m, "7", 1, &v, NULL), CM_EFULL);
    cm_map_destroy(m);
}

/* Iterates, deleting ids that del_mod divides (none when 0); checks exactly-once. */
static void iterate_deleting(struct cm_map *m, uint64_t max_id, size_t expect, uint64_t del_mod)
{
    unsigned char *seen = cm_calloc(max_id + 1, 1);
    struct cm_map_iter it;
    struct cm_str key;
    unsigned char k[KEY_MAX];
    uint64_t *v;
    size_t visits = 0, deleted = 0, kl;

    assert_non_null(seen);
    cm_map_iter_init(m, &it);
    while (cm_map_next(m, &it, &key, (void **)&v)) {
        assert_true(*v <= max_id);
        assert_int_equal(seen[*v], 0);
        seen[*v] = 1;
        kl = mkkey(*v, k);
        assert_int_equal(key.len, kl);
        assert_memory_equal(key.p, k, kl);
        visits++;
        if (del_mod != 0 && *v % del_mod == 0) {
            cm_map_iter_del(m, &it);
            deleted++;
        }
    }
    assert_int_equal(visits, expect);
    assert_int_equal(cm_map_count(m), expect - deleted);
    cm_free(seen);
}

static void test_iter_delete(void **state)
{
    uint64_t ids[300], i;
    struct cm_map *m;
    size_t n;
    (void)state;

    assert_int_equal(cm_map_create(&m, sizeof(uint64_t), 0, SEED), 0);
    for (i = 0; i < 10000; i++) {
        ids[0] = i;
        fill_ids(m, ids, 1);
    }
    iterate_deleting(m, 10000, 10000, 0);
    iterate_deleting(m, 10000, 10000, 3);
    iterate_deleting(m, 10000, 10000 - 3334, 1);
    assert_int_equal(cm_map_count(m), 0);
    iterate_deleting(m, 10000, 0, 1);
    cm_map_destroy(m);

    /* A cluster wrapping around the end: deletions shift entries across it. */
    n = crafted_ids(512, ids, 300);
    for (i = 1; i <= 3; i++) {
        assert_int_equal(cm_map_create(&m, sizeof(uint64_t), 300, SEED), 0);
        fill_ids(m, ids, n);
        iterate_deleting(m, ids[n - 1], n, 0);
        iterate_deleting(m, ids[n - 1], n, i);
        cm_map_destroy(m);
    }
}

static void test_key_copied(void **state)
{
    struct cm_map *m;
    char buf[16];
    struct cm_map_iter it;
    struct cm_str key;
    void *v;
    (void)state;

    assert_int_equal(cm_map_create(&m, 4, 0, SEED), 0);
    memcpy(buf, "principal-1", 11);
    assert_int_equal(cm_map_put(m, buf, 11, &v, NULL), 0);
    memcpy(buf, "XXXXXXXXXXX", 11);
    assert_null(cm_map_get(m, buf, 11));
    assert_non_null(cm_map_get(m, "principal-1", 11));
    cm_map_iter_init(m, &it);
    assert_true(cm_map_next(m, &it, &key, NULL));
    assert_true(cm_str_eqc(key, "principal-1"));
    assert_false(cm_map_next(m, &it, NULL, NULL));
    cm_map_destroy(m);
}

static void test_empty_binary_keys(void **state)
{
    struct cm_map *m;
    void *v, *e1, *e2;
    bool created;
    (void)state;

    assert_int_equal(cm_map_create(&m, 8, 0, SEED), 0);
    assert_int_equal(cm_map_put(m, NULL, 0, &e1, &created), 0);
    assert_true(created);
    assert_int_equal(cm_map_put(m, "", 0, &e2, &created), 0);
    assert_false(created);
    assert_ptr_equal(e1, e2);
    assert_int_equal(cm_map_key_of(m, e1).len, 0);
    assert_int_equal(cm_map_put(m, "a\0b", 3, &v, &created), 0);
    assert_true(created);
    assert_int_equal(cm_map_put(m, "a\0c", 3, &v, &created), 0);
    assert_true(created);
    assert_int_equal(cm_map_put(m, "a", 1, &v, &created), 0);
    assert_true(created);
    assert_int_equal(cm_map_put(m, "\0", 1, &v, &created), 0);
    assert_true(created);
    assert_int_equal(cm_map_put(m, "\0\0", 2, &v, &created), 0);
    assert_true(created);
    assert_int_equal(cm_map_count(m), 6);
    assert_non_null(cm_map_get(m, "a\0b", 3));
    assert_null(cm_map_get(m, "a\0d", 3));
    assert_int_equal(cm_map_del(m, "a\0b", 3), 0);
    assert_non_null(cm_map_get(m, "a\0c", 3));
    assert_int_equal(cm_map_del(m, NULL, 0), 0);
    assert_null(cm_map_get(m, "", 0));
    assert_int_equal(cm_map_count(m), 4);
    cm_map_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_zeroed_values),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_growth_stable),
        cmocka_unit_test(test_backward_shift),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_iter_delete),
        cmocka_unit_test(test_key_copied),
        cmocka_unit_test(test_empty_binary_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
