/*
 * Unit tests for lib/detect/state.h: TTL expiry order and callbacks, LRU
 * eviction under the entry cap with its counters, out-of-order and late
 * touches (last seen never goes back; an entry touched late behind younger
 * ones still expires on time), expire(INT64_MAX) emptying the state, value
 * pointers stable across table growth, and a 1M-touch randomized run checked
 * against a reference model of the documented semantics. Last, allocation-
 * failure torture of the map and the state: every failing allocation gives
 * CM_ENOMEM (or NULL) and leaves a consistent, leak-free structure.
 *
 * For the torture, this file defines CM_ALLOC_TORTURE and compiles alloc.c,
 * map.c and state.c into itself (as test_alloc_torture.c does); the linker
 * then never pulls those members out of libcoalmine.a.
 */
#define CM_ALLOC_TORTURE 1

#include "base/alloc.c"
#include "base/map.c"
#include "detect/state.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/state.h"

#define SEED 0x77aa55ULL

static uint64_t next_rand(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return cm_hash_mix64(*s);
}

struct val {
    uint32_t id;
    uint32_t touches;
};

/* Records the keys the callbacks saw, as a string "a,b,c,". */
struct seen {
    char keys[256];
    size_t n;
    uint32_t touches; /* sum of the touches of the values seen */
};

static void record(void *ud, const void *key, size_t klen, void *v)
{
    struct seen *s = ud;
    size_t len = strlen(s->keys);

    assert_true(len + klen + 2 < sizeof(s->keys));
    memcpy(s->keys + len, key, klen);
    s->keys[len + klen] = ',';
    s->keys[len + klen + 1] = '\0';
    s->n++;
    s->touches += ((struct val *)v)->touches;
}

static struct cm_state *mk(size_t max, int64_t ttl, cm_state_cb on_evict, void *ud)
{
    struct cm_state_opts o = {sizeof(struct val), max, ttl, SEED, on_evict, ud};
    struct cm_state *s;

    assert_int_equal(cm_state_create(&s, &o), 0);
    return s;
}

static struct val *touch(struct cm_state *s, const char *key, int64_t now)
{
    struct val *v = cm_state_touch(s, key, strlen(key), now, NULL);

    assert_non_null(v);
    v->touches++;
    return v;
}

static void test_bad_opts(void **state)
{
    struct cm_state_opts o = {8, 10, -1, SEED, NULL, NULL};
    struct cm_state *s = (struct cm_state *)&o;
    (void)state;

    assert_int_equal(cm_state_create(&s, &o), CM_EINVAL);
    assert_null(s);
    assert_int_equal(cm_state_create(&s, NULL), CM_EINVAL);
    o.ttl_ms = 0;
    o.val_size = (size_t)1 << 30;
    assert_int_equal(cm_state_create(&s, &o), CM_EINVAL);
    cm_state_destroy(NULL);
}

static void test_ttl_order(void **state)
{
    struct cm_state *s = mk(0, 1000, NULL, NULL);
    struct seen seen = {"", 0, 0};
    bool created;
    (void)state;

    touch(s, "a", 0);
    touch(s, "b", 100);
    touch(s, "c", 200);
    touch(s, "d", 300);
    touch(s, "a", 250); /* a is now last seen at 250, after c */
    assert_non_null(cm_state_touch(s, "b", 1, 150, &created));
    assert_false(created);
    assert_int_equal(cm_state_stats(s)->entries, 4);
    assert_int_equal(cm_state_stats(s)->inserts, 4);
    /* Cut at 150: b, last seen at 150, is not before it; at 151 it goes. */
    assert_int_equal(cm_state_expire(s, 1150, record, &seen), 0);
    assert_int_equal(cm_state_expire(s, 1151, record, &seen), 1);
    assert_string_equal(seen.keys, "b,");
    assert_int_equal(seen.touches, 1);
    /* Cut at 260: c (200) and a (250) go, oldest first; d (300) stays. */
    assert_int_equal(cm_state_expire(s, 1260, record, &seen), 2);
    assert_string_equal(seen.keys, "b,c,a,");
    assert_int_equal(seen.touches, 1 + 1 + 2);
    assert_null(cm_state_get(s, "a", 1));
    assert_non_null(cm_state_get(s, "d", 1));
    assert_int_equal(cm_state_stats(s)->expired, 3);
    assert_int_equal(cm_state_stats(s)->entries, 1);
    /* Without a callback entries still go. */
    assert_int_equal(cm_state_expire(s, 1301, NULL, NULL), 1);
    assert_int_equal(cm_state_stats(s)->entries, 0);
    cm_state_destroy(s);
}

static void test_lru_evict(void **state)
{
    struct seen ev = {"", 0, 0};
    struct cm_state *s = mk(3, 1000000, record, &ev);
    bool created;
    (void)state;

    touch(s, "a", 1);
    touch(s, "b", 2);
    touch(s, "c", 3);
    touch(s, "a", 4);
    touch(s, "d", 5); /* full: b is the least recently touched */
    assert_string_equal(ev.keys, "b,");
    assert_null(cm_state_get(s, "b", 1));
    touch(s, "e", 6);
    assert_string_equal(ev.keys, "b,c,");
    assert_int_equal(cm_state_stats(s)->evicted, 2);
    assert_int_equal(cm_state_stats(s)->entries, 3);
    assert_int_equal(cm_state_stats(s)->inserts, 5);
    /* Touching an existing key when full evicts nothing. */
    assert_non_null(cm_state_touch(s, "a", 1, 7, &created));
    assert_false(created);
    assert_int_equal(cm_state_stats(s)->evicted, 2);
    /* Eviction without a callback. */
    cm_state_on_evict(s, NULL, NULL);
    touch(s, "f", 8); /* evicts d */
    assert_string_equal(ev.keys, "b,c,");
    assert_null(cm_state_get(s, "d", 1));
    assert_int_equal(cm_state_stats(s)->evicted, 3);
    /* Evicting on demand takes the same entry, counted, with the callback. */
    cm_state_on_evict(s, record, &ev);
    assert_true(cm_state_evict_oldest(s)); /* e, then a (touched at 7), then f */
    assert_string_equal(ev.keys, "b,c,e,");
    assert_true(cm_state_evict_oldest(s));
    assert_true(cm_state_evict_oldest(s));
    assert_false(cm_state_evict_oldest(s));
    assert_string_equal(ev.keys, "b,c,e,a,f,");
    assert_int_equal(cm_state_stats(s)->evicted, 6);
    assert_int_equal(cm_state_stats(s)->entries, 0);
    cm_state_destroy(s);
}

/* cm_state_touch_found: a found key is touched as cm_state_touch touches it; a missing one
 * is neither made nor makes room, even in a full table. */
static void test_touch_found(void **state)
{
    struct seen ev = {"", 0, 0};
    struct cm_state *s = mk(3, 1000, record, &ev);
    struct val *v;
    (void)state;

    touch(s, "a", 10);
    touch(s, "b", 20);
    touch(s, "c", 30);
    assert_null(cm_state_touch_found(s, "d", 1, 40)); /* full, and nothing evicted for it */
    assert_null(cm_state_get(s, "d", 1));
    assert_int_equal(cm_state_stats(s)->entries, 3);
    assert_int_equal(cm_state_stats(s)->inserts, 3);
    assert_int_equal(cm_state_stats(s)->evicted, 0);
    v = cm_state_touch_found(s, "a", 1, 50); /* a is now the youngest, last seen at 50 */
    assert_non_null(v);
    assert_ptr_equal(v, cm_state_get(s, "a", 1));
    assert_int_equal(v->touches, 1);
    assert_int_equal(cm_state_last_seen(v), 50);
    assert_non_null(cm_state_touch_found(s, "b", 1, 15)); /* late: last seen stays 20 */
    assert_int_equal(cm_state_last_seen(cm_state_get(s, "b", 1)), 20);
    assert_int_equal(cm_state_stats(s)->inserts, 3);
    touch(s, "e", 60); /* full: c, touched least recently, goes */
    assert_string_equal(ev.keys, "c,");
    /* Expiry goes by last seen: b (20) at 1021, a (50) at 1051. */
    assert_int_equal(cm_state_expire(s, 1021, record, &ev), 1);
    assert_string_equal(ev.keys, "c,b,");
    assert_int_equal(cm_state_expire(s, 1051, record, &ev), 1);
    assert_string_equal(ev.keys, "c,b,a,");
    cm_state_destroy(s);
}

/* cm_state_touch_val: a value cm_state_get found is touched as cm_state_touch touches its
 * key (youngest, last seen raised, never lowered); a get alone moves nothing. */
static void test_touch_val(void **state)
{
    struct seen ev = {"", 0, 0};
    struct cm_state *s = mk(3, 1000, record, &ev);
    struct val *v;
    (void)state;

    touch(s, "a", 10);
    touch(s, "b", 20);
    touch(s, "c", 30);
    v = cm_state_get(s, "a", 1); /* a look without a touch: a stays the oldest */
    assert_non_null(v);
    assert_int_equal(cm_state_last_seen(v), 10);
    assert_ptr_equal(cm_state_touch_val(s, v, 50), v); /* now the youngest, last seen at 50 */
    assert_int_equal(cm_state_last_seen(v), 50);
    assert_ptr_equal(cm_state_touch_val(s, cm_state_get(s, "b", 1), 15), cm_state_get(s, "b", 1));
    assert_int_equal(cm_state_last_seen(cm_state_get(s, "b", 1)), 20); /* late: stays 20 */
    assert_int_equal(cm_state_stats(s)->inserts, 3);
    assert_int_equal(cm_state_stats(s)->entries, 3);
    touch(s, "d", 60); /* full: c, touched least recently, goes */
    assert_string_equal(ev.keys, "c,");
    touch(s, "e", 70); /* then a: b's late touch made it the youngest of the three */
    assert_string_equal(ev.keys, "c,a,");
    /* Expiry goes by last seen: b (20) at 1021. */
    assert_int_equal(cm_state_expire(s, 1021, record, &ev), 1);
    assert_string_equal(ev.keys, "c,a,b,");
    cm_state_destroy(s);
}

static void test_out_of_order(void **state)
{
    struct cm_state *s = mk(0, 100, NULL, NULL);
    struct seen seen = {"", 0, 0};
    struct val *a;
    (void)state;

    a = touch(s, "a", 1000);
    touch(s, "a", 200); /* late: last seen stays 1000 */
    assert_int_equal(cm_state_last_seen(a), 1000);
    touch(s, "late", 500); /* new entry behind a younger one */
    touch(s, "x", 1001);
    touch(s, "y", 990);
    /* Cut at 600: "late" must go even though a (1000) was touched before it. */
    assert_int_equal(cm_state_expire(s, 700, record, &seen), 1);
    assert_string_equal(seen.keys, "late,");
    /* Cut at 995: y (990) goes, a and x stay. */
    assert_int_equal(cm_state_expire(s, 1095, record, &seen), 1);
    assert_string_equal(seen.keys, "late,y,");
    assert_int_equal(cm_state_expire(s, 1101, record, &seen), 1);
    assert_string_equal(seen.keys, "late,y,a,");
    /* Times far in the past and future do not overflow anything. */
    touch(s, "min", INT64_MIN);
    touch(s, "max", INT64_MAX);
    touch(s, "min2", INT64_MIN + 1);
    assert_int_equal(cm_state_expire(s, INT64_MIN, record, &seen), 0);
    assert_int_equal(cm_state_expire(s, INT64_MIN + 200, record, &seen), 2);
    assert_string_equal(seen.keys, "late,y,a,min,min2,");
    assert_int_equal(cm_state_expire(s, INT64_MAX - 1, record, &seen), 1);
    assert_string_equal(seen.keys, "late,y,a,min,min2,x,");
    assert_int_equal(cm_state_stats(s)->entries, 1);
    cm_state_destroy(s);
}

static void test_expire_all_and_del(void **state)
{
    struct cm_state *s = mk(0, 10, NULL, NULL);
    struct seen seen = {"", 0, 0};
    uint64_t bytes0 = cm_state_stats(s)->bytes;
    char key[16];
    int i;
    (void)state;

    for (i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        touch(s, key, i * 1000);
    }
    touch(s, "z", INT64_MAX);
    assert_true(cm_state_stats(s)->bytes > bytes0);
    assert_int_equal(cm_state_del(s, "k3", 2), 0);
    assert_int_equal(cm_state_del(s, "k3", 2), CM_ENOTFOUND);
    assert_int_equal(cm_state_stats(s)->entries, 10);
    assert_int_equal(cm_state_expire(s, INT64_MAX, record, &seen), 10);
    assert_string_equal(seen.keys, "k0,k1,k2,k4,k5,k6,k7,k8,k9,z,");
    assert_int_equal(cm_state_stats(s)->entries, 0);
    assert_int_equal(cm_state_stats(s)->bytes, bytes0);
    assert_int_equal(cm_state_expire(s, INT64_MAX, record, &seen), 0);
    /* Still usable afterwards. */
    touch(s, "again", 5);
    assert_int_equal(cm_state_stats(s)->entries, 1);
    cm_state_destroy(s);
}

/*
 * cm_state_move: the value goes with the key, touched at the time given, and
 * leaves `from`; a key `from` lacks is just touched; tables of other value
 * sizes refuse, leaving `from` as it was.
 */
static void test_move(void **state)
{
    struct cm_state *a = mk(0, 10, NULL, NULL), *b = mk(0, 10, NULL, NULL), *c;
    struct cm_state_opts o = {sizeof(struct val) + 8, 0, 10, SEED, NULL, NULL};
    struct val *v;
    (void)state;

    touch(a, "k", 5)->touches = 7;
    v = cm_state_move(b, a, "k", 1, 9);
    assert_non_null(v);
    assert_int_equal(v->touches, 7);
    assert_true(cm_state_last_seen(v) == 9);
    assert_null(cm_state_get(a, "k", 1));
    assert_int_equal(cm_state_stats(a)->entries, 0);
    assert_int_equal(cm_state_stats(b)->entries, 1);
    /* Not in from: to's entry is touched, created zeroed. */
    v = cm_state_move(b, a, "n", 1, 9);
    assert_non_null(v);
    assert_int_equal(v->touches, 0);
    assert_int_equal(cm_state_stats(b)->entries, 2);
    /* The same table: a touch, the entry kept. */
    v = cm_state_move(b, b, "k", 1, 11);
    assert_non_null(v);
    assert_int_equal(v->touches, 7);
    assert_int_equal(cm_state_stats(b)->entries, 2);
    /* Another value size: refused, from unchanged. */
    assert_int_equal(cm_state_create(&c, &o), 0);
    assert_null(cm_state_move(c, b, "k", 1, 12));
    assert_non_null(cm_state_get(b, "k", 1));
    assert_int_equal(cm_state_stats(c)->entries, 0);
    cm_state_destroy(a);
    cm_state_destroy(b);
    cm_state_destroy(c);
}

/* cm_state_move_found: cm_state_move for a key `to` holds; nothing at all for one it does not. */
static void test_move_found(void **state)
{
    struct cm_state *a = mk(0, 10, NULL, NULL), *b = mk(2, 10, NULL, NULL), *c;
    struct cm_state_opts o = {sizeof(struct val) + 8, 0, 10, SEED, NULL, NULL};
    struct val *v;
    (void)state;

    touch(a, "k", 5)->touches = 7;
    touch(a, "x", 5);
    touch(b, "y", 5);
    touch(b, "z", 6);                                  /* b full */
    assert_null(cm_state_move_found(b, a, "k", 1, 9)); /* b does not hold k: nothing moves */
    assert_non_null(cm_state_get(a, "k", 1));
    assert_null(cm_state_get(b, "k", 1));
    assert_int_equal(cm_state_stats(b)->entries, 2);
    assert_int_equal(cm_state_stats(b)->evicted, 0);
    touch(b, "y", 7)->touches = 3; /* b holds y, a does not: a touch */
    v = cm_state_move_found(b, a, "y", 1, 8);
    assert_non_null(v);
    assert_int_equal(v->touches, 3);
    assert_int_equal(cm_state_last_seen(v), 8);
    touch(a, "z", 5)->touches = 9; /* both hold z: a's value moves over b's */
    v = cm_state_move_found(b, a, "z", 1, 9);
    assert_non_null(v);
    assert_int_equal(v->touches, 9);
    assert_int_equal(cm_state_last_seen(v), 9);
    assert_null(cm_state_get(a, "z", 1));
    assert_int_equal(cm_state_stats(a)->entries, 2);
    assert_int_equal(cm_state_stats(b)->entries, 2);
    assert_int_equal(cm_state_stats(b)->inserts, 2);
    /* The same table: a touch; another value size: refused, nothing changed. */
    v = cm_state_move_found(b, b, "z", 1, 10);
    assert_non_null(v);
    assert_int_equal(cm_state_last_seen(v), 10);
    assert_int_equal(cm_state_create(&c, &o), 0);
    touch(c, "k", 5);
    assert_null(cm_state_move_found(c, a, "k", 1, 12));
    assert_non_null(cm_state_get(a, "k", 1));
    assert_int_equal(cm_state_last_seen(cm_state_get(c, "k", 1)), 5);
    cm_state_destroy(a);
    cm_state_destroy(b);
    cm_state_destroy(c);
}

/* Values written before the table grows are where they were, intact, after. */
static void test_stable_across_growth(void **state)
{
    enum { FIRST = 1000, MORE = 100000 };
    struct cm_state *s = mk(0, 1000, NULL, NULL);
    struct val *ptrs[FIRST], *v;
    char key[24];
    size_t removed;
    int i;
    (void)state;

    for (i = 0; i < FIRST; i++) {
        snprintf(key, sizeof(key), "first-%d", i);
        ptrs[i] = touch(s, key, i);
        ptrs[i]->id = (uint32_t)i;
    }
    for (i = 0; i < MORE; i++) {
        snprintf(key, sizeof(key), "more-%d", i);
        touch(s, key, FIRST + i);
    }
    for (i = 0; i < FIRST; i++) {
        snprintf(key, sizeof(key), "first-%d", i);
        v = cm_state_get(s, key, strlen(key));
        assert_ptr_equal(v, ptrs[i]);
        assert_int_equal(v->id, i);
        assert_int_equal(cm_state_last_seen(v), i);
    }
    /* The list links survived too: expiry walks them in order. */
    removed = cm_state_expire(s, FIRST + 1000 + 500, NULL, NULL);
    assert_int_equal(removed, FIRST + 500);
    assert_int_equal(cm_state_stats(s)->entries, MORE - 500);
    cm_state_destroy(s);
}

/* The reference model: per-id presence, last seen, and touch order. */
struct model {
    uint32_t nids;
    size_t max;
    size_t count;
    bool *present;
    int64_t *ls;
    uint64_t *seq; /* touch sequence of the id's last touch */
    uint64_t *fifo_seq;
    uint32_t *fifo_id;
    size_t fifo_head, fifo_len;
    uint64_t next_seq;
    int64_t cut;      /* of the expiry in progress */
    uint64_t last_cb; /* seq of the last entry a callback saw */
    uint32_t expect_evict;
    size_t evicted, expired;
};

static uint32_t key_id(const void *key, size_t klen)
{
    uint32_t id;

    assert_int_equal(klen, 9);
    memcpy(&id, (const char *)key + 5, 4);
    return id;
}

static size_t mkey(uint32_t id, char *buf)
{
    memcpy(buf, "ent:/", 5);
    memcpy(buf + 5, &id, 4); /* binary, may hold NULs */
    return 9;
}

/* The live id touched least recently. */
static uint32_t model_lru(struct model *md)
{
    uint32_t id;

    for (;; md->fifo_head++) {
        assert_true(md->fifo_head < md->fifo_len);
        id = md->fifo_id[md->fifo_head];
        if (md->present[id] && md->seq[id] == md->fifo_seq[md->fifo_head]) {
            return id;
        }
    }
}

static void model_on_evict(void *ud, const void *key, size_t klen, void *v)
{
    struct model *md = ud;
    uint32_t id = key_id(key, klen);

    assert_true(md->present[id]);
    assert_int_equal(id, md->expect_evict);
    assert_int_equal(((struct val *)v)->id, id);
    assert_int_equal(cm_state_last_seen(v), md->ls[id]);
    md->present[id] = false;
    md->count--;
    md->evicted++;
}

static void model_on_expire(void *ud, const void *key, size_t klen, void *v)
{
    struct model *md = ud;
    uint32_t id = key_id(key, klen);

    assert_true(md->present[id]);
    assert_true(md->ls[id] < md->cut);
    assert_int_equal(((struct val *)v)->id, id);
    /* Callbacks come in touch order. */
    assert_true(md->seq[id] > md->last_cb);
    md->last_cb = md->seq[id];
    md->present[id] = false;
    md->count--;
    md->expired++;
}

static void model_touch(struct model *md, struct cm_state *s, uint32_t id, int64_t now)
{
    char key[16];
    size_t kl = mkey(id, key);
    struct val *v;
    bool created;

    if (!md->present[id] && md->count == md->max) {
        md->expect_evict = model_lru(md);
    }
    v = cm_state_touch(s, key, kl, now, &created);
    assert_non_null(v);
    assert_int_equal(created, !md->present[id]);
    if (created) {
        v->id = id;
        md->present[id] = true;
        md->ls[id] = now;
        md->count++;
    } else {
        assert_int_equal(v->id, id);
        md->ls[id] = now > md->ls[id] ? now : md->ls[id];
    }
    md->seq[id] = ++md->next_seq;
    md->fifo_seq[md->fifo_len] = md->seq[id];
    md->fifo_id[md->fifo_len++] = id;
    assert_int_equal(cm_state_last_seen(v), md->ls[id]);
}

static void model_expire(struct model *md, struct cm_state *s, int64_t wm, int64_t ttl)
{
    size_t expect = 0, before = md->expired, got;
    uint32_t id;

    md->cut = wm - ttl;
    md->last_cb = 0;
    for (id = 0; id < md->nids; id++) {
        if (md->present[id] && md->ls[id] < md->cut) {
            expect++;
        }
    }
    got = cm_state_expire(s, wm, model_on_expire, md);
    assert_int_equal(got, expect);
    assert_int_equal(md->expired - before, expect);
    assert_int_equal(cm_state_stats(s)->entries, md->count);
}

/* The event time of one touch: mostly in order, some late, a few very late. */
static int64_t jitter(int64_t t, uint64_t r)
{
    unsigned d = (unsigned)(r % 1000);

    if (d < 850) {
        return t;
    }
    if (d < 995) {
        return t - (int64_t)(r >> 20) % 5000;
    }
    return t - (int64_t)(r >> 20) % 200000;
}

static void test_random_vs_model(void **state)
{
    enum { NIDS = 20000, MAXE = 8000, TOUCHES = 1000000, TTL = 60000 };
    struct model md = {.nids = NIDS, .max = MAXE};
    struct cm_state *s;
    uint64_t rs = 12345, r, i;
    int64_t t = 1700000000000;
    uint32_t id;
    (void)state;

    md.present = cm_calloc(NIDS, sizeof(bool));
    md.ls = cm_calloc(NIDS, sizeof(int64_t));
    md.seq = cm_calloc(NIDS, sizeof(uint64_t));
    md.fifo_seq = cm_calloc(TOUCHES, sizeof(uint64_t));
    md.fifo_id = cm_calloc(TOUCHES, sizeof(uint32_t));
    assert_true(md.present && md.ls && md.seq && md.fifo_seq && md.fifo_id);
    s = mk(MAXE, TTL, model_on_evict, &md);
    for (i = 0; i < TOUCHES; i++) {
        r = next_rand(&rs);
        t += (int64_t)(r & 3);
        id = (uint32_t)((r >> 2) % ((r >> 40) & 1 ? NIDS : 1500));
        model_touch(&md, s, id, jitter(t, next_rand(&rs)));
        if (i % 2000 == 1999) {
            model_expire(&md, s, t - 5000, TTL);
        }
    }
    assert_true(md.evicted > 1000);
    assert_true(md.expired > 1000);
    assert_int_equal(cm_state_stats(s)->evicted, md.evicted);
    assert_int_equal(cm_state_stats(s)->expired, md.expired);
    md.cut = INT64_MAX;
    md.last_cb = 0;
    i = md.count;
    assert_int_equal(cm_state_expire(s, INT64_MAX, model_on_expire, &md), i);
    assert_int_equal(md.count, 0);
    assert_int_equal(cm_state_stats(s)->entries, 0);
    cm_state_destroy(s);
    cm_free(md.present);
    cm_free(md.ls);
    cm_free(md.seq);
    cm_free(md.fifo_seq);
    cm_free(md.fifo_id);
}

/* Map: 100 inserts through 4 growths; a failed put changes nothing. */
static int map_scenario(void)
{
    struct cm_map *m;
    char key[16];
    uint64_t *v;
    int i, j, rc;

    rc = cm_map_create(&m, sizeof(uint64_t), 0, SEED);
    if (rc != 0) {
        assert_int_equal(rc, CM_ENOMEM);
        assert_null(m);
        return rc;
    }
    for (i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        rc = cm_map_put(m, key, strlen(key), (void **)&v, NULL);
        if (rc != 0) {
            break;
        }
        *v = (uint64_t)i;
    }
    if (rc != 0) {
        assert_int_equal(rc, CM_ENOMEM);
        assert_null(v);
    }
    assert_int_equal(cm_map_count(m), i);
    for (j = 0; j <= i && j < 100; j++) {
        snprintf(key, sizeof(key), "k%d", j);
        v = cm_map_get(m, key, strlen(key));
        if (j < i) {
            assert_non_null(v);
            assert_int_equal(*v, j);
        } else {
            assert_null(v);
        }
    }
    cm_map_destroy(m);
    return rc;
}

static void count_evict(void *ud, const void *key, size_t klen, void *v)
{
    (void)key;
    (void)klen;
    (void)v;
    (*(size_t *)ud)++;
}

/* State: 120 keys through a cap of 50 (evicting); after a failed touch the counts hold. */
static int state_scenario(void)
{
    size_t evicted = 0, live = 0;
    struct cm_state_opts o = {sizeof(struct val), 50, 1000, SEED, count_evict, &evicted};
    struct cm_state *s;
    char key[16];
    bool created;
    int i, rc;

    rc = cm_state_create(&s, &o);
    if (rc != 0) {
        assert_int_equal(rc, CM_ENOMEM);
        assert_null(s);
        return rc;
    }
    for (i = 0; i < 120; i++) {
        snprintf(key, sizeof(key), "k%d", i % 7 == 0 ? 0 : i);
        if (cm_state_touch(s, key, strlen(key), i, &created) == NULL) {
            rc = CM_ENOMEM;
            break;
        }
        live += created;
    }
    assert_int_equal(cm_state_stats(s)->evicted, evicted);
    assert_int_equal(cm_state_stats(s)->entries, live - evicted);
    assert_int_equal(cm_state_expire(s, INT64_MAX, NULL, NULL), live - evicted);
    cm_state_destroy(s);
    return rc;
}

static void torture(int (*scenario)(void))
{
    long n;
    int rc = CM_ENOMEM;

    for (n = 0; rc != 0; n++) {
        assert_true(n < 100000);
        cm_alloc_fail_after(n);
        rc = scenario();
    }
    cm_alloc_fail_after(-1);
    assert_int_equal(scenario(), 0);
    assert_true(n > 5);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    torture(map_scenario);
    torture(state_scenario);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_opts),
        cmocka_unit_test(test_ttl_order),
        cmocka_unit_test(test_lru_evict),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_expire_all_and_del),
        cmocka_unit_test(test_stable_across_growth),
        cmocka_unit_test(test_random_vs_model),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_touch_found),
        cmocka_unit_test(test_touch_val),
        cmocka_unit_test(test_move_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
