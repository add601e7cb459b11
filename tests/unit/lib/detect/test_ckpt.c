/*
 * Unit tests for checkpoints (detect/ckpt.h, cm_state_save/load, and
 * cm_engine_save/load): the writer and reader (numbers, strings, sections,
 * sticky errors with their offset), a table's round trip (entries, values,
 * last-seen times, the recency list that decides eviction and expiry, the
 * codec's check and evidence renumbering), every truncation of a file
 * refused cleanly, and the engine's part (its clock; the CloudTrail eventIDs
 * read, so a record repeated in the next scan is analysed once; a detector of
 * another version, or missing from the file, or whose values changed size,
 * starts afresh and is named; an engine part of version 1, without the
 * eventIDs, loads and names them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/detect.h"
#include "detect/state.h"

/* ---- writer and reader ---- */

static void test_numbers_strings_sections(void **st)
{
    struct cm_ckpt_w w;
    struct cm_ckpt_r r;
    struct cm_str s;
    size_t mark, end;

    (void)st;
    cm_ckpt_w_init(&w, 0);
    cm_ckpt_put_u8(&w, 0xab);
    cm_ckpt_put_u32(&w, 0x01020304u);
    mark = cm_ckpt_begin(&w);
    cm_ckpt_put_u64(&w, UINT64_MAX - 1);
    cm_ckpt_put_i64(&w, INT64_MIN);
    cm_ckpt_put_str(&w, "abc", 3);
    cm_ckpt_end(&w, mark);
    assert_int_equal(cm_ckpt_w_err(&w), 0);
    /* Little-endian whatever the host: the u32 starts with its low byte. */
    assert_int_equal((unsigned char)w.buf.p[1], 0x04);
    assert_int_equal(w.buf.len, 1 + 4 + 8 + 8 + 8 + 4 + 3);

    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_ckpt_get_u8(&r), 0xab);
    assert_int_equal(cm_ckpt_get_u32(&r), 0x01020304u);
    end = cm_ckpt_section(&r);
    assert_int_equal(end, w.buf.len);
    assert_true(cm_ckpt_get_u64(&r) == UINT64_MAX - 1);
    assert_true(cm_ckpt_get_i64(&r) == INT64_MIN);
    s = cm_ckpt_get_str(&r, 16);
    assert_true(cm_str_eqc(s, "abc"));
    assert_true(cm_ckpt_section_done(&r, end));
    assert_int_equal(cm_ckpt_r_err(&r), 0);

    /* Past the end: an error at that offset, and it sticks. */
    assert_int_equal(cm_ckpt_get_u32(&r), 0);
    assert_int_equal(cm_ckpt_r_err(&r), CM_ETRUNC);
    assert_int_equal(r.err_off, w.buf.len);
    assert_non_null(strstr(r.why, "ends"));
    cm_ckpt_w_finish(&w);
}

static void test_reader_refuses_bad_lengths(void **st)
{
    struct cm_ckpt_w w;
    struct cm_ckpt_r r;

    (void)st;
    cm_ckpt_w_init(&w, 0);
    cm_ckpt_put_str(&w, "a long name", 11);
    cm_ckpt_put_u64(&w, 1000); /* a section longer than what follows */
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_null(cm_ckpt_get_str(&r, 4).p); /* over the caller's cap */
    assert_int_equal(r.err, CM_E2BIG);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_non_null(cm_ckpt_get_str(&r, 64).p);
    assert_int_equal(cm_ckpt_section(&r), 0);
    assert_int_equal(r.err, CM_ETRUNC);
    assert_int_equal(r.err_off, 4 + 11 + 8);
    cm_ckpt_w_finish(&w);
}

/* ---- tables ---- */

struct val {
    uint32_t n; /* <= 4: used slots of v */
    uint32_t v[4];
    struct cm_src_ref src;
};

static struct cm_state *table(size_t max, int64_t ttl)
{
    struct cm_state *s = NULL;
    struct cm_state_opts o = {
        .val_size = sizeof(struct val), .max_entries = max, .ttl_ms = ttl, .seed = 42};

    assert_int_equal(cm_state_create(&s, &o), 0);
    return s;
}

static void put(struct cm_state *s, const char *key, int64_t t, uint32_t n, uint32_t file)
{
    struct val *v = cm_state_touch(s, key, strlen(key), t, NULL);

    assert_non_null(v);
    v->n = n;
    for (uint32_t i = 0; i < n; i++) {
        v->v[i] = i + 1;
    }
    v->src.file_id = file;
    v->src.offset = 1000 + (uint64_t)t;
}

static bool check_val(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct val *v = val;

    (void)ud, (void)key, (void)klen;
    return v->n <= 4;
}

static void refs_val(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    fn(fud, &((struct val *)val)->src);
}

static const struct cm_state_codec codec = {.check = check_val, .refs = refs_val};

/* Renumbering: written ids + 100, read ids - 100; ids >= 500 refused. */
static int ref_out(void *ud, struct cm_src_ref *r)
{
    (void)ud;
    r->file_id += 100;
    return 0;
}

static int ref_in(void *ud, struct cm_src_ref *r)
{
    (void)ud;
    if (r->file_id >= 500) {
        return CM_EINVAL;
    }
    r->file_id -= 100;
    return 0;
}

static void evicted(void *ud, const void *key, size_t klen, void *val)
{
    char *out = ud;

    (void)val;
    strncat(out, key, klen);
    strcat(out, ",");
}

static void save_table(const struct cm_state *s, struct cm_ckpt_w *w)
{
    cm_ckpt_w_init(w, 0);
    w->ref = ref_out;
    assert_int_equal(cm_state_save(s, w, &codec), 0);
}

static int load_table(struct cm_state *s, const struct cm_ckpt_w *w)
{
    struct cm_ckpt_r r;

    cm_ckpt_r_init(&r, w->buf.p, w->buf.len);
    r.ref = ref_in;
    return cm_state_load(s, &r, &codec);
}

static void test_table_round_trip(void **st)
{
    struct cm_state *a = table(3, 1000), *b = table(3, 1000);
    struct cm_ckpt_w w;
    const struct val *v;
    char ev_a[64] = "", ev_b[64] = "";

    (void)st;
    put(a, "k1", 100, 1, 7);
    put(a, "k2", 200, 2, 8);
    put(a, "k3", 300, 4, 9);
    put(a, "k1", 50, 3, 7); /* a late touch: k1 becomes the most recent, last seen stays 100 */
    save_table(a, &w);
    assert_int_equal(load_table(b, &w), 0);

    v = cm_state_get(b, "k3", 2);
    assert_non_null(v);
    assert_int_equal(v->n, 4);
    assert_int_equal(v->v[3], 4);
    assert_int_equal(v->src.file_id, 9); /* renumbered out and back */
    assert_int_equal(cm_state_last_seen(cm_state_get(b, "k1", 2)), 100);
    assert_int_equal(cm_state_stats(b)->entries, 3);

    /* The recency list came back: both tables evict k2 first, then k3. */
    cm_state_on_evict(a, evicted, ev_a);
    cm_state_on_evict(b, evicted, ev_b);
    put(a, "k4", 400, 0, 0);
    put(a, "k5", 401, 0, 0);
    put(b, "k4", 400, 0, 0);
    put(b, "k5", 401, 0, 0);
    assert_string_equal(ev_a, "k2,k3,");
    assert_string_equal(ev_b, ev_a);

    /* And expiry, with k1's late touch counted, removes the same entries. */
    assert_int_equal(cm_state_expire(a, 1150, NULL, NULL), cm_state_expire(b, 1150, NULL, NULL));
    assert_int_equal(cm_state_stats(a)->entries, cm_state_stats(b)->entries);
    assert_int_equal(cm_state_get(a, "k1", 2) == NULL, cm_state_get(b, "k1", 2) == NULL);
    cm_ckpt_w_finish(&w);
    cm_state_destroy(a);
    cm_state_destroy(b);
}

static void test_table_refusals(void **st)
{
    struct cm_state *a = table(0, 1000), *b;
    struct cm_state_opts other = {.val_size = sizeof(struct val) + 8, .ttl_ms = 1000};
    struct cm_ckpt_w w;

    (void)st;
    put(a, "only", 10, 2, 3);
    save_table(a, &w);

    /* Another value size: CM_EFORMAT, the engine's cue to start afresh. */
    assert_int_equal(cm_state_create(&b, &other), 0);
    assert_int_equal(load_table(b, &w), CM_EFORMAT);
    cm_state_destroy(b);

    /* A table that is not empty. */
    b = table(0, 1000);
    put(b, "x", 1, 0, 0);
    assert_int_equal(load_table(b, &w), CM_EINVAL);
    cm_state_destroy(b);

    /* A value its detector could not have made: n over its array. */
    {
        char *at = w.buf.p + w.buf.len - sizeof(struct val);
        struct val v;

        memcpy(&v, at, sizeof(v));
        v.n = 5;
        memcpy(at, &v, sizeof(v));
        b = table(0, 1000);
        assert_int_equal(load_table(b, &w), CM_EINVAL);
        cm_state_destroy(b);
        v.n = 2;

        /* An evidence reference to an input the file does not name. */
        v.src.file_id = 600;
        memcpy(at, &v, sizeof(v));
        b = table(0, 1000);
        assert_int_equal(load_table(b, &w), CM_EINVAL);
        cm_state_destroy(b);
    }

    /* The same key twice. */
    cm_ckpt_w_finish(&w);
    put(a, "zzzz", 20, 0, 0);
    save_table(a, &w);
    {
        char *second = NULL;
        for (size_t i = 0; i + 4 <= w.buf.len && second == NULL; i++) {
            second = memcmp(w.buf.p + i, "zzzz", 4) == 0 ? w.buf.p + i : NULL;
        }
        assert_non_null(second);
        memcpy(second, "only", 4);
    }
    b = table(0, 1000);
    assert_int_equal(load_table(b, &w), CM_EINVAL);
    cm_state_destroy(b);

    cm_ckpt_w_finish(&w);
    cm_state_destroy(a);
}

static void test_table_every_truncation(void **st)
{
    struct cm_state *a = table(0, 1000);
    struct cm_ckpt_w w;

    (void)st;
    put(a, "alpha", 10, 1, 1);
    put(a, "beta", 20, 4, 2);
    save_table(a, &w);
    for (size_t n = 0; n < w.buf.len; n++) {
        struct cm_state *b = table(0, 1000);
        struct cm_ckpt_r r;

        cm_ckpt_r_init(&r, w.buf.p, n);
        r.ref = ref_in;
        assert_int_equal(cm_state_load(b, &r, &codec), CM_ETRUNC);
        cm_state_destroy(b);
    }
    cm_ckpt_w_finish(&w);
    cm_state_destroy(a);
}

/* ---- the engine ---- */

/* A toy detector: counts its events in a table keyed by kind; layout tag by version. */
struct toy {
    struct cm_state *t;
};

static int toy_init(void **state, const struct cm_detect_opts *o)
{
    struct toy *y = cm_calloc(1, sizeof(*y));

    (void)o;
    *state = y;
    if (y == NULL) {
        return CM_ENOMEM;
    }
    y->t = table(0, 1000000);
    return 0;
}

static void toy_finish(void *state)
{
    struct toy *y = state;

    if (y) {
        cm_state_destroy(y->t);
        cm_free(y);
    }
}

static int toy_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct toy *y = state;
    struct val *v = cm_state_touch(y->t, "n", 1, ev->time_ms, NULL);

    (void)sink;
    v->v[0]++;
    return 0;
}

static int toy_save(const void *state, struct cm_ckpt_w *w)
{
    return cm_state_save(((const struct toy *)state)->t, w, &codec);
}

static int toy_load(void *state, struct cm_ckpt_r *r)
{
    return cm_state_load(((struct toy *)state)->t, r, &codec);
}

static const char *const no_types[] = {NULL};

#define TOY(nm, ver)                                                                               \
    {                                                                                              \
        .name = nm, .types = no_types, .kinds = CM_EV_MASK(CM_EV_FLOW), .init = toy_init,          \
        .on_event = toy_event, .finish = toy_finish, .state_version = ver, .save = toy_save,       \
        .load = toy_load                                                                           \
    }

static const struct cm_detector toy_a = TOY("toy-a", 1), toy_b = TOY("toy-b", 1),
                                toy_b2 = TOY("toy-b", 2), toy_c = TOY("toy-c", 1);

/* The version the last load_old call was told (0: none since reset). */
static uint32_t old_seen;

static int toy_load_old(void *state, struct cm_ckpt_r *r, uint32_t version)
{
    old_seen = version;
    return toy_load(state, r);
}

/* toy-b at version 4, still reading versions 2 and 3. */
static const struct cm_detector toy_b4 = {
    .name = "toy-b",
    .types = no_types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = toy_init,
    .on_event = toy_event,
    .finish = toy_finish,
    .state_version = 4,
    .save = toy_save,
    .load = toy_load,
    .state_version_old = 2,
    .load_old = toy_load_old,
};

static uint32_t count_of(struct cm_engine *e, const struct cm_detector *const *tbl, size_t i);

static void feed(struct cm_engine *e, int64_t t)
{
    struct cm_event ev;
    struct cm_sink sink = {0};

    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_FLOW;
    ev.time_ms = t;
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
}

static void test_engine_round_trip_and_versions(void **st)
{
    const struct cm_detector *const t1[] = {&toy_a, &toy_b, NULL};
    const struct cm_detector *const t2[] = {&toy_c, &toy_b2, &toy_a, NULL};
    struct cm_detect_opts o = {.lateness_ms = 10};
    struct cm_engine *e = NULL, *f = NULL;
    struct cm_ckpt_w w;
    struct cm_ckpt_r r;
    char dropped[64];

    (void)st;
    assert_int_equal(cm_engine_create(&e, t1, &o), 0);
    feed(e, 61000);
    feed(e, 122000); /* ticks: the watermark crossed 120 s */
    feed(e, 183000);
    cm_ckpt_w_init(&w, 0);
    assert_int_equal(cm_engine_save(e, &w), 0);

    /* The same table: everything back, the clock too. */
    assert_int_equal(cm_engine_create(&f, t1, &o), 0);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
    assert_int_equal(r.off, w.buf.len);
    assert_string_equal(dropped, "");
    assert_int_equal(cm_engine_watermark(f), cm_engine_watermark(e));
    assert_int_equal(count_of(f, t1, 0), 3);
    assert_int_equal(count_of(f, t1, 1), 3);
    /* older than the restored last tick of its kind: late, as it would have been */
    feed(f, 150000);
    assert_int_equal(cm_engine_stats(f)->late, 1);
    assert_true(cm_engine_kind_watermark(f, CM_EV_FLOW) == cm_engine_kind_watermark(e, CM_EV_FLOW));
    assert_true(cm_engine_kind_watermark(f, CM_EV_DNS) == INT64_MIN);
    cm_engine_destroy(f);

    /* Another build's table: toy-b at another version and toy-c absent start afresh. */
    assert_int_equal(cm_engine_create(&f, t2, &o), 0);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
    assert_string_equal(dropped, "toy-b, toy-c");
    assert_int_equal(count_of(f, t2, 0), 0);
    assert_int_equal(count_of(f, t2, 1), 0);
    assert_int_equal(count_of(f, t2, 2), 3);
    cm_engine_destroy(f);

    /* Every truncation is refused without harm. */
    for (size_t n = 0; n < w.buf.len; n++) {
        assert_int_equal(cm_engine_create(&f, t1, &o), 0);
        cm_ckpt_r_init(&r, w.buf.p, n);
        assert_int_not_equal(cm_engine_load(f, &r, NULL, 0), 0);
        cm_engine_destroy(f);
    }
    cm_ckpt_w_finish(&w);
    cm_engine_destroy(e);
}

/*
 * A detector that still reads several earlier layouts: a file of each of them is read by
 * load_old, told which; one older than state_version_old, or newer than state_version,
 * starts it afresh. Before 2026-12-05 only the one version state_version_old was read.
 */
static void test_engine_old_versions(void **st)
{
    const struct cm_detector *const now[] = {&toy_b4, NULL};
    static const struct cm_detector b1 = TOY("toy-b", 1), b3 = TOY("toy-b", 3),
                                    b5 = TOY("toy-b", 5);
    const struct cm_detector *const *olds[] = {
        (const struct cm_detector *const[]){&b1, NULL},
        (const struct cm_detector *const[]){&toy_b2, NULL},
        (const struct cm_detector *const[]){&b3, NULL},
        (const struct cm_detector *const[]){&toy_b4, NULL},
        (const struct cm_detector *const[]){&b5, NULL},
    };
    struct cm_detect_opts o = {.lateness_ms = 10};
    char dropped[64];

    (void)st;
    for (uint32_t v = 1; v <= 5; v++) {
        struct cm_engine *e = NULL, *f = NULL;
        struct cm_ckpt_w w;
        struct cm_ckpt_r r;

        assert_int_equal(cm_engine_create(&e, olds[v - 1], &o), 0);
        feed(e, 61000);
        feed(e, 122000);
        cm_ckpt_w_init(&w, 0);
        assert_int_equal(cm_engine_save(e, &w), 0);
        assert_int_equal(cm_engine_create(&f, now, &o), 0);
        cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
        old_seen = 0;
        assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
        if (v == 2 || v == 3) {
            assert_string_equal(dropped, "");
            assert_int_equal(old_seen, v);
            assert_int_equal(count_of(f, now, 0), 2);
        } else if (v == 4) {
            assert_string_equal(dropped, "");
            assert_int_equal(old_seen, 0); /* its own: load */
            assert_int_equal(count_of(f, now, 0), 2);
        } else {
            assert_string_equal(dropped, "toy-b");
            assert_int_equal(old_seen, 0);
            assert_int_equal(count_of(f, now, 0), 0);
        }
        cm_engine_destroy(f);
        cm_engine_destroy(e);
        cm_ckpt_w_finish(&w);
    }
}

static void feed_ct(struct cm_engine *e, const char *account, const char *id, int64_t t)
{
    struct cm_event ev;
    struct cm_sink sink = {0};

    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_CLOUDTRAIL;
    ev.time_ms = t;
    ev.account = cm_str_cstr(account);
    ev.u.ct.event_id = cm_str_cstr(id);
    assert_int_equal(cm_engine_event(e, &ev, &sink), 0);
}

/*
 * A CloudTrail record read in one scan and again in the next (the same file in both, or
 * an organisation trail's copy delivered in the next period) is a repeat in the second,
 * as it is in one scan of both: the engine's part carries the eventIDs read.
 */
static void test_engine_carries_event_ids(void **st)
{
    const struct cm_detector *const t1[] = {&toy_a, NULL};
    struct cm_detect_opts o = {.lateness_ms = 10, .seed = 99};
    struct cm_engine *e = NULL, *f = NULL;
    struct cm_ckpt_w w, v1, v2, v3;
    struct cm_ckpt_r r;
    char dropped[128];
    size_t at, kinds_end, seen_end, local_end;

    (void)st;
    assert_int_equal(cm_engine_create(&e, t1, &o), 0);
    feed_ct(e, "111122223333", "ev-1", 1000);
    feed_ct(e, "111122223333", "ev-2", 2000);
    feed_ct(e, "111122223333", "ev-1", 2000);
    assert_int_equal(cm_engine_stats(e)->repeated, 1);
    cm_ckpt_w_init(&w, 0);
    assert_int_equal(cm_engine_save(e, &w), 0);

    assert_int_equal(cm_engine_create(&f, t1, &o), 0);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
    assert_int_equal(r.off, w.buf.len);
    assert_string_equal(dropped, "");
    feed_ct(f, "111122223333", "ev-2", 2500); /* a copy delivered in the next scan */
    feed_ct(f, "111122223333", "ev-1", 1000);
    feed_ct(f, "111122223333", "ev-3", 3000);
    assert_int_equal(cm_engine_stats(f)->repeated, 2);
    assert_int_equal(cm_engine_stats(f)->events[CM_EV_CLOUDTRAIL], 1);
    cm_engine_destroy(f);

    /* The same part as version 1 wrote it (no eventIDs): loads; they start afresh. */
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    cm_ckpt_get_u32(&r);
    for (int k = 0; k < 4; k++) {
        cm_ckpt_get_i64(&r);
    }
    at = r.off;
    cm_ckpt_get_u32(&r); /* version 3: each kind's clock */
    for (int k = 0; k < 4 * CM_EV_KIND_COUNT; k++) {
        cm_ckpt_get_i64(&r);
    }
    kinds_end = r.off;
    cm_ckpt_get_u32(&r);
    r.off = cm_ckpt_section(&r);
    seen_end = r.off;
    cm_ckpt_get_u32(&r); /* version 4: the flow detectors' learner (none here: empty) */
    local_end = cm_ckpt_section(&r);
    assert_int_equal(local_end, seen_end + 4 + 8);
    assert_int_equal(r.err, 0);
    cm_ckpt_w_init(&v1, 0);
    cm_ckpt_put_u32(&v1, 1);
    cm_ckpt_put_bytes(&v1, w.buf.p + 4, at - 4);
    cm_ckpt_put_bytes(&v1, w.buf.p + local_end, w.buf.len - local_end);
    assert_int_equal(cm_engine_create(&f, t1, &o), 0);
    cm_ckpt_r_init(&r, v1.buf.p, v1.buf.len);
    assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
    assert_int_equal(r.off, v1.buf.len);
    assert_non_null(strstr(dropped, "eventIDs"));
    assert_int_equal(count_of(f, t1, 0), 0); /* toy-a counts flow records only */
    feed_ct(f, "111122223333", "ev-2", 2500);
    assert_int_equal(cm_engine_stats(f)->repeated, 0);
    cm_engine_destroy(f);

    /* Version 2 (one clock, no clock per kind): loads; each kind's clock is that one. */
    cm_ckpt_w_init(&v2, 0);
    cm_ckpt_put_u32(&v2, 2);
    cm_ckpt_put_bytes(&v2, w.buf.p + 4, at - 4);
    cm_ckpt_put_bytes(&v2, w.buf.p + kinds_end, seen_end - kinds_end);
    cm_ckpt_put_bytes(&v2, w.buf.p + local_end, w.buf.len - local_end);
    assert_int_equal(cm_engine_create(&f, t1, &o), 0);
    cm_ckpt_r_init(&r, v2.buf.p, v2.buf.len);
    assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
    assert_int_equal(r.off, v2.buf.len);
    assert_string_equal(dropped, "");
    assert_true(cm_engine_kind_watermark(f, CM_EV_DNS) == cm_engine_watermark(e));
    assert_true(cm_engine_kind_watermark(f, CM_EV_FLOW) == cm_engine_watermark(e));
    feed_ct(f, "111122223333", "ev-2", 2500);
    assert_int_equal(cm_engine_stats(f)->repeated, 1);
    cm_engine_destroy(f);
    cm_ckpt_w_finish(&v2);

    /* Version 3 (no learner's section): loads as it was. */
    cm_ckpt_w_init(&v3, 0);
    cm_ckpt_put_u32(&v3, 3);
    cm_ckpt_put_bytes(&v3, w.buf.p + 4, seen_end - 4);
    cm_ckpt_put_bytes(&v3, w.buf.p + local_end, w.buf.len - local_end);
    assert_int_equal(cm_engine_create(&f, t1, &o), 0);
    cm_ckpt_r_init(&r, v3.buf.p, v3.buf.len);
    assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
    assert_int_equal(r.off, v3.buf.len);
    assert_string_equal(dropped, "");
    feed_ct(f, "111122223333", "ev-2", 2500);
    assert_int_equal(cm_engine_stats(f)->repeated, 1);
    cm_engine_destroy(f);
    cm_ckpt_w_finish(&v3);

    /* An engine of another seed keeps the saved one for the eventIDs (their hashes). */
    o.seed = 100;
    assert_int_equal(cm_engine_create(&f, t1, &o), 0);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_engine_load(f, &r, dropped, sizeof(dropped)), 0);
    assert_int_equal(r.off, w.buf.len);
    assert_string_equal(dropped, "");
    feed_ct(f, "111122223333", "ev-2", 2500);
    assert_int_equal(cm_engine_stats(f)->repeated, 1);
    cm_engine_destroy(f);

    /* Every truncation is refused without harm. */
    o.seed = 99;
    for (size_t n = 0; n < w.buf.len; n++) {
        assert_int_equal(cm_engine_create(&f, t1, &o), 0);
        cm_ckpt_r_init(&r, w.buf.p, n);
        assert_int_not_equal(cm_engine_load(f, &r, NULL, 0), 0);
        cm_engine_destroy(f);
    }
    cm_ckpt_w_finish(&v1);
    cm_ckpt_w_finish(&w);
    cm_engine_destroy(e);
}

/* Events counted by detector i of an engine: read through a save of it. */
static uint32_t count_of(struct cm_engine *e, const struct cm_detector *const *tbl, size_t i)
{
    struct cm_ckpt_w w;
    struct cm_ckpt_r r;
    uint32_t n = 0;

    (void)tbl;
    cm_ckpt_w_init(&w, 0);
    assert_int_equal(cm_engine_save(e, &w), 0);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    cm_ckpt_get_u32(&r);
    for (int k = 0; k < 4; k++) {
        cm_ckpt_get_i64(&r);
    }
    cm_ckpt_get_u32(&r); /* each kind's clock */
    for (int k = 0; k < 4 * CM_EV_KIND_COUNT; k++) {
        cm_ckpt_get_i64(&r);
    }
    cm_ckpt_get_u32(&r);         /* the eventIDs' version */
    r.off = cm_ckpt_section(&r); /* ... and section */
    cm_ckpt_get_u32(&r);         /* the flow learner's version */
    r.off = cm_ckpt_section(&r); /* ... and section */
    cm_ckpt_get_u32(&r);
    for (size_t d = 0; d <= i; d++) {
        struct cm_str name = cm_ckpt_get_str(&r, 64);
        size_t end;

        (void)name;
        cm_ckpt_get_u32(&r);
        end = cm_ckpt_section(&r);
        if (d == i) {
            uint64_t entries;
            cm_ckpt_get_u32(&r);           /* value size */
            entries = cm_ckpt_get_u64(&r); /* entries */
            if (entries == 1) {
                struct val v;
                cm_ckpt_get_i64(&r);
                cm_ckpt_get_str(&r, 8);
                cm_ckpt_get_i64(&r);
                cm_ckpt_get_u8(&r);
                cm_ckpt_get_bytes(&r, &v, sizeof(v));
                n = v.v[0];
            }
        }
        r.off = end;
    }
    assert_int_equal(r.err, 0);
    cm_ckpt_w_finish(&w);
    return n;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_strings_sections),
        cmocka_unit_test(test_reader_refuses_bad_lengths),
        cmocka_unit_test(test_table_round_trip),
        cmocka_unit_test(test_table_refusals),
        cmocka_unit_test(test_table_every_truncation),
        cmocka_unit_test(test_engine_round_trip_and_versions),
        cmocka_unit_test(test_engine_old_versions),
        cmocka_unit_test(test_engine_carries_event_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
