/*
 * Swapping the current intel snapshot under readers
 * (src/intel/intel_current.c): readers refresh between "batches" while a
 * publisher replaces the snapshot; every snapshot a reader holds is whole
 * (all of its entries answer) and generations only move forward; old
 * snapshots are freed when the last view lets go (checked by ASan/LSan in
 * the sanitizer build, by TSan in the thread build).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/ip.h"
#include "intel/intel_current.h"

#define ENTRIES    200
#define PUBLISHES  150
#define READERS    3
#define BATCH_RUNS 4000

/* Snapshot number k: one list "gen-<k>" with ENTRIES addresses 20.k.x.y. */
static struct cm_intel_snapshot *make(unsigned k)
{
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    char name[32];
    struct cm_intel_list l = {CM_STR_NULL, CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                              CM_STR_LIT("test")};
    uint32_t id;

    snprintf(name, sizeof(name), "gen-%u", k);
    l.name = cm_str_cstr(name);
    assert_int_equal(cm_intel_builder_create(&b, k), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), 0);
    for (unsigned i = 0; i < ENTRIES; i++) {
        struct cm_indicator ind = {id, CM_CAT_CUSTOM, CM_STR_LIT("x"), CM_STR_NULL};
        struct cm_ip ip;

        memset(&ip, 0, sizeof(ip));
        ip.family = CM_IP_V4;
        ip.a[0] = 20;
        ip.a[1] = (uint8_t)k;
        ip.a[2] = (uint8_t)(i >> 8);
        ip.a[3] = (uint8_t)i;
        assert_int_equal(cm_intel_builder_add_ip(b, &ip, 32, &ind), 0);
    }
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

/* The number k of a snapshot, checking that all of it is there. */
static unsigned whole(const struct cm_intel_snapshot *s)
{
    const struct cm_intel_list *l = cm_intel_snapshot_list(s, 0);
    char name[32];
    unsigned k;

    if (l == NULL || l->name.len >= sizeof(name)) {
        return (unsigned)-1;
    }
    memcpy(name, l->name.p, l->name.len);
    name[l->name.len] = '\0';
    if (sscanf(name, "gen-%u", &k) != 1) {
        return (unsigned)-1;
    }
    for (unsigned i = 0; i < ENTRIES; i++) {
        struct cm_ip ip;

        memset(&ip, 0, sizeof(ip));
        ip.family = CM_IP_V4;
        ip.a[0] = 20;
        ip.a[1] = (uint8_t)k;
        ip.a[2] = (uint8_t)(i >> 8);
        ip.a[3] = (uint8_t)i;
        if (cm_intel_check_ip(s, &ip, NULL) != CM_INTEL_THREAT) {
            return (unsigned)-1;
        }
    }
    return k;
}

struct reader {
    struct cm_intel_current *cur;
    pthread_t t;
    unsigned seen;   /* distinct snapshots used */
    unsigned broken; /* snapshots found incomplete or going backwards */
};

static void *read_loop(void *arg)
{
    struct reader *r = arg;
    struct cm_intel_view v;
    unsigned last = 0;

    cm_intel_view_init(&v);
    for (int i = 0; i < BATCH_RUNS; i++) {
        const struct cm_intel_snapshot *s = cm_intel_view_refresh(&v, r->cur);
        unsigned k;

        if (s == NULL) {
            r->broken++;
            continue;
        }
        k = whole(s);
        if (k == (unsigned)-1 || k < last) {
            r->broken++;
        }
        if (k != last) {
            r->seen++;
            last = k;
        }
    }
    cm_intel_view_release(&v);
    return NULL;
}

static void test_swap_under_readers(void **state)
{
    struct cm_intel_current cur;
    struct reader rd[READERS];

    (void)state;
    assert_int_equal(cm_intel_current_init(&cur, make(1)), 0);
    for (int i = 0; i < READERS; i++) {
        rd[i].cur = &cur;
        rd[i].seen = rd[i].broken = 0;
        assert_int_equal(pthread_create(&rd[i].t, NULL, read_loop, &rd[i]), 0);
    }
    for (unsigned k = 2; k <= PUBLISHES; k++) {
        cm_intel_current_publish(&cur, make(k));
    }
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(rd[i].t, NULL), 0);
        assert_int_equal(rd[i].broken, 0);
        assert_true(rd[i].seen >= 1);
    }
    cm_intel_current_destroy(&cur);
}

static void test_view_basics(void **state)
{
    struct cm_intel_current cur;
    struct cm_intel_view v;
    const struct cm_intel_snapshot *s1, *s2;

    (void)state;
    assert_int_equal(cm_intel_current_init(&cur, NULL), 0);
    cm_intel_view_init(&v);
    assert_null(cm_intel_view_refresh(&v, &cur));
    cm_intel_current_publish(&cur, make(7));
    s1 = cm_intel_view_refresh(&v, &cur);
    assert_non_null(s1);
    assert_int_equal(whole(s1), 7);
    /* Nothing new: the same snapshot, no lock taken. */
    assert_ptr_equal(cm_intel_view_refresh(&v, &cur), s1);
    /* A publish: the view still holds 7 until it refreshes; 7 stays valid meanwhile. */
    cm_intel_current_publish(&cur, make(8));
    assert_int_equal(whole(s1), 7);
    s2 = cm_intel_view_refresh(&v, &cur);
    assert_int_equal(whole(s2), 8);
    /* Unpublishing intel altogether. */
    cm_intel_current_publish(&cur, NULL);
    assert_null(cm_intel_view_refresh(&v, &cur));
    cm_intel_view_release(&v);
    cm_intel_current_destroy(&cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_basics),
        cmocka_unit_test(test_swap_under_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
