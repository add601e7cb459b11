/*
 * Allocation-failure torture (curl's "torture" idea) for the JSON reader and
 * writer, struct cm_buf and struct cm_arena.
 *
 * Failure injection exists only in -DCM_ALLOC_TORTURE builds and the library
 * archive is built without it, so this file defines CM_ALLOC_TORTURE before
 * anything else and compiles the code under test into itself by including
 * its .c files; the linker then takes these definitions and never pulls the
 * same members out of libcoalmine.a.
 *
 * Each scenario is one deterministic function. A counting run (injection
 * armed far away) tells how many allocations it makes, say T. Then for every
 * N < T, cm_alloc_fail_after(N) makes allocation N+1 and all later ones fail,
 * and the scenario must report CM_ENOMEM (or the NULL result its API
 * documents) with every structure still consistent and nothing leaked (ASan);
 * for N >= T, and with injection off, it must succeed with exactly the
 * output of the reference run.
 */
#define CM_ALLOC_TORTURE 1

/*
 * The code under test comes before cmocka.h, whose fail() macro would
 * rewrite json.c's fail(). json.c and json_get.c each have a file-local
 * is_digit, hence the rename.
 */
#include "base/alloc.c"
#include "base/arena.c"
#include "base/buf.c"
#include "base/json.c"
#define is_digit json_get_is_digit
#include "base/json_get.c"
#undef is_digit
#include "base/json_write.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTING (1L << 40)

/* Allocations made since cm_alloc_fail_after(COUNTING). */
static long allocs_since_counting(void)
{
    return COUNTING - fail_countdown;
}

/*
 * True once an injected failure may have been handed out: the countdown
 * sticks at 0 (it also reads 0 when the last allowed allocation was made).
 */
static int injected(void)
{
    return fail_countdown == 0;
}

/* --- the JSON scenario ------------------------------------------------------ */

static char *doc_text;
static size_t doc_len;

/* Appends to a plain (not cm_) heap string; the fixture must not use the allocator. */
static void sadd(char **s, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sadd(char **s, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int k;
    char *p;

    va_start(ap, fmt);
    k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(k >= 0);
    p = realloc(*s, *n + (size_t)k + 1);
    assert_non_null(p);
    va_start(ap, fmt);
    vsnprintf(p + *n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    *s = p;
    *n += (size_t)k;
}

/*
 * A document with more than 64 values (the tape grows), arrays nested past
 * 16 (the stack grows), escaped strings (unescaped into the arena), one
 * escaped string over 256 bytes (the writer's heap path) and a number text
 * of 64+ bytes (cm_json_f64's heap path).
 */
static void make_doc(void)
{
    char *s = NULL;
    size_t n = 0;

    sadd(&s, &n, "{\"Records\":[");
    for (int i = 0; i < 12; i++) {
        sadd(&s, &n,
             "%s{\"eventName\":\"Get\\u004fbject%d\",\"i\":%d,\"user\":{\"name\":\"al\\\"ice\\/x\","
             "\"tags\":[\"a\\nb\",\"c\\\\d\",1.5e3,-42,true,false,null]},"
             "\"uni\":\"\\u00e9\\ud83d\\ude00 caf\\u00e9\",\"plain\":\"abc\"}",
             i ? "," : "", i, i);
    }
    sadd(&s, &n, "],\"deep\":");
    for (int i = 0; i < 40; i++) {
        sadd(&s, &n, "[");
    }
    sadd(&s, &n, "\"\\t\"");
    for (int i = 0; i < 40; i++) {
        sadd(&s, &n, "]");
    }
    sadd(&s, &n, ",\"long\":\"");
    for (int i = 0; i < 60; i++) {
        sadd(&s, &n, "x\\u0041y\\n");
    }
    sadd(&s, &n, "\",\"big\":1.");
    for (int i = 0; i < 70; i++) {
        sadd(&s, &n, "%d", i % 10);
    }
    sadd(&s, &n, "e2, \"esc\\u006bey\" : { \"k\" : [ ] } }");
    doc_text = s;
    doc_len = n;
}

/* Three JSON Lines values, appended to one tape with cm_json_parse_at. */
static const char lines_text[] = "{\"a\":[1,2,{\"b\":\"\\u0063\"}]}\n"
                                 "[[[[[[[[[[[[[[[[[[[[\"deep\"]]]]]]]]]]]]]]]]]]]]\n"
                                 "\"tail\\\\\"\n";

struct result {
    char *out; /* plain heap copy of the writer's output */
    size_t len;
};

/* Checks an escaped string's arena copy against an unescape into plain memory. */
static void check_unescaped(const struct cm_json_doc *d, uint32_t i, struct cm_str s)
{
    const struct cm_json_node *nd = cm_json_at(d, i);
    char *want = malloc((size_t)nd->len + 1);
    size_t n;

    assert_non_null(want);
    n = cm_json_unescape(d->src + nd->off, nd->len, want);
    assert_int_equal(s.len, n);
    assert_memory_equal(s.p, want, n);
    assert_int_equal(s.p[n], '\0');
    free(want);
}

/* Parses, unescapes, converts and writes; returns 0 or CM_ENOMEM. */
static int json_scenario(struct result *res)
{
    struct cm_json_doc d, lines;
    struct cm_arena a;
    struct cm_buf b;
    struct cm_jw jw;
    struct cm_diag diag;
    struct cm_str names[12];
    uint32_t recs, big, root, nbefore;
    size_t at = 0, end;
    double v = 0;
    int rc, k = 0;

    cm_json_doc_init(&d, 0, 0);
    cm_json_doc_init(&lines, 0, 0);
    cm_arena_init(&a, 256, 0);
    cm_buf_init(&b, 0);
    memset(&diag, 0, sizeof(diag));

    rc = cm_json_parse(&d, doc_text, doc_len, &diag);
    if (rc != 0) {
        assert_int_equal(rc, CM_ENOMEM);
        assert_true(injected());
        assert_int_equal(d.n, 0);
        assert_string_equal(diag.msg, "out of memory");
        goto out;
    }
    assert_true(d.n > 64);

    /* Every escaped string, unescaped into the arena. */
    for (uint32_t i = 0; i < d.n; i++) {
        struct cm_str s;
        if (cm_json_type(&d, i) != CM_JSON_STRING || !(d.nodes[i].tag & CM_JSON_F_ESCAPED)) {
            continue;
        }
        s = cm_json_str(&d, i, &a);
        if (s.p == NULL) {
            assert_true(injected()); /* the arena has no cap: only a failed malloc */
            rc = CM_ENOMEM;
            goto out;
        }
        check_unescaped(&d, i, s);
    }
    recs = cm_json_get(&d, 0, "Records");
    assert_int_equal(cm_json_at(&d, recs)->len, 12);
    for (uint32_t r = cm_json_first(&d, recs); r != CM_JSON_NONE; r = cm_json_next(&d, recs, r)) {
        names[k] = cm_json_str(&d, cm_json_get(&d, r, "eventName"), &a);
        if (names[k].p == NULL) {
            assert_true(injected());
            rc = CM_ENOMEM;
            goto out;
        }
        k++;
    }
    assert_int_equal(k, 12);
    assert_true(cm_str_eqc(names[11], "GetObject11"));
    assert_int_equal(cm_json_type(&d, cm_json_get(&d, 0, "esckey")), CM_JSON_OBJECT);

    big = cm_json_get(&d, 0, "big");
    rc = cm_json_f64(&d, big, &v);
    if (rc != 0) {
        assert_int_equal(rc, CM_ENOMEM);
        assert_true(injected());
        goto out;
    }
    assert_true(v > 101.2 && v < 101.3);

    /* JSON Lines onto one tape: a failed value leaves the tape as it was. */
    cm_json_doc_begin(&lines, lines_text, sizeof(lines_text) - 1);
    for (int i = 0; i < 3; i++) {
        nbefore = lines.n;
        rc = cm_json_parse_at(&lines, at, &end, &root, NULL);
        if (rc != 0) {
            assert_int_equal(rc, CM_ENOMEM);
            assert_true(injected());
            assert_int_equal(lines.n, nbefore);
            goto out;
        }
        assert_int_equal(root, nbefore);
        at = end;
    }
    assert_int_equal(at, sizeof(lines_text) - 2);
    assert_int_equal(lines.n, 8 + 21 + 1);

    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "doc");
    cm_jw_node(&jw, &d, 0);
    cm_jw_key(&jw, "names");
    cm_jw_arr_begin(&jw);
    for (int i = 0; i < k; i++) {
        cm_jw_strn(&jw, names[i].p, names[i].len);
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "lines");
    cm_jw_arr_begin(&jw);
    for (uint32_t i = 0; i < lines.n; i = lines.nodes[i].next) {
        cm_jw_node(&jw, &lines, i);
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "n");
    cm_jw_u64(&jw, d.n);
    cm_jw_key(&jw, "neg");
    cm_jw_i64(&jw, INT64_MIN);
    cm_jw_key(&jw, "big");
    cm_jw_f64(&jw, 1.25);
    cm_jw_key(&jw, "ok");
    cm_jw_bool(&jw, true);
    cm_jw_key(&jw, "none");
    cm_jw_null(&jw);
    cm_jw_key(&jw, "raw");
    cm_jw_raw(&jw, "[1]", 3);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    if (rc != 0) {
        assert_int_equal(rc, CM_ENOMEM);
        assert_true(injected());
        goto out;
    }
    res->out = malloc(b.len + 1);
    assert_non_null(res->out);
    memcpy(res->out, b.p, b.len + 1);
    res->len = b.len;
out:
    cm_buf_finish(&b);
    cm_arena_finish(&a);
    cm_json_doc_finish(&lines);
    cm_json_doc_finish(&d);
    return rc;
}

static void test_json_torture(void **state)
{
    struct result ref = {NULL, 0}, got;
    struct cm_json_doc check;
    long total;
    int rc;
    (void)state;

    make_doc();
    cm_alloc_fail_after(COUNTING);
    assert_int_equal(json_scenario(&ref), 0);
    total = allocs_since_counting();
    assert_false(injected());
    /* The scenario reaches every allocating path named in make_doc(). */
    assert_true(total >= 10);

    /* The reference output is valid JSON with the values it should hold. */
    cm_alloc_fail_after(-1);
    cm_json_doc_init(&check, 0, 0);
    assert_int_equal(cm_json_parse(&check, ref.out, ref.len, NULL), 0);
    assert_true(
        cm_str_eqc(cm_json_str(&check, cm_json_path(&check, 0, "names.3"), NULL), "GetObject3"));
    assert_true(
        cm_str_eqc(cm_json_str(&check, cm_json_path(&check, 0, "doc.Records.0.user.name"), NULL),
                   "al\\\"ice/x"));
    assert_true(cm_str_eqc(cm_json_str(&check, cm_json_path(&check, 0, "doc.Records.0.uni"), NULL),
                           "\xc3\xa9\xf0\x9f\x98\x80 caf\xc3\xa9"));
    assert_true(cm_str_eqc(cm_json_raw(&check, cm_json_path(&check, 0, "lines.0.a.2.b")), "c"));
    assert_true(cm_str_eqc(
        cm_json_raw(&check,
                    cm_json_path(&check, 0, "lines.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0")),
        "deep"));
    assert_true(cm_str_eqc(cm_json_raw(&check, cm_json_path(&check, 0, "lines.2")), "tail\\\\"));
    assert_true(
        cm_str_eqc(cm_json_raw(&check, cm_json_path(&check, 0, "neg")), "-9223372036854775808"));
    assert_int_equal(cm_json_type(&check, cm_json_path(&check, 0, "doc.esckey.k")), CM_JSON_ARRAY);
    cm_json_doc_finish(&check);

    for (long n = 0; n <= total; n++) {
        memset(&got, 0, sizeof(got));
        cm_alloc_fail_after(n);
        rc = json_scenario(&got);
        if (n < total) {
            assert_int_equal(rc, CM_ENOMEM);
            assert_null(got.out);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(fail_countdown, 0); /* the same count: all used, none failed */
            assert_int_equal(got.len, ref.len);
            assert_memory_equal(got.out, ref.out, ref.len);
            free(got.out);
        }
    }

    /* With injection off the same work succeeds, byte for byte. */
    cm_alloc_fail_after(-1);
    memset(&got, 0, sizeof(got));
    assert_int_equal(json_scenario(&got), 0);
    assert_int_equal(got.len, ref.len);
    assert_memory_equal(got.out, ref.out, ref.len);
    free(got.out);
    free(ref.out);
    free(doc_text);
    doc_text = NULL;
}

/* --- cm_buf ------------------------------------------------------------------ */

/* Appends step i's text to want (plain memory) and to b; 0 or the append's error. */
static int buf_step(struct cm_buf *b, char *want, size_t *wlen, int i)
{
    char tmp[64];
    int n, rc;

    switch (i % 7) {
    case 0:
        n = snprintf(tmp, sizeof(tmp), "append%d;", i);
        rc = cm_buf_append(b, tmp, (size_t)n);
        break;
    case 1:
        n = 1;
        tmp[0] = (char)('a' + i % 26);
        rc = cm_buf_putc(b, tmp[0]);
        break;
    case 2:
        n = snprintf(tmp, sizeof(tmp), "puts-%d|", i);
        rc = cm_buf_puts(b, tmp);
        break;
    case 3:
        n = snprintf(tmp, sizeof(tmp), "<%05d:%s>", i, "printf");
        rc = cm_buf_printf(b, "<%05d:%s>", i, "printf");
        break;
    case 4:
        n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)UINT64_MAX - (unsigned)i);
        rc = cm_buf_put_u64(b, UINT64_MAX - (unsigned)i);
        break;
    case 5:
        n = snprintf(tmp, sizeof(tmp), "%lld", (long long)INT64_MIN + i);
        rc = cm_buf_put_i64(b, INT64_MIN + i);
        break;
    default:
        n = 0;
        rc = cm_buf_reserve(b, (size_t)i * 40);
        break;
    }
    if (rc == 0) {
        memcpy(want + *wlen, tmp, (size_t)n);
        *wlen += (size_t)n;
    }
    return rc;
}

#define BUF_STEPS 400

static int buf_scenario(char **taken, size_t *taken_len)
{
    static char want[BUF_STEPS * 64];
    struct cm_buf b;
    size_t wlen = 0, before;
    char *dup;
    int rc = 0;

    cm_buf_init(&b, 0);
    for (int i = 0; i < BUF_STEPS; i++) {
        before = b.len;
        rc = buf_step(&b, want, &wlen, i);
        if (rc != 0) {
            /* A failed append leaves the buffer exactly as it was. */
            assert_int_equal(rc, CM_ENOMEM);
            assert_true(injected());
            assert_int_equal(b.len, before);
            assert_int_equal(b.len, wlen);
            if (b.p) {
                assert_memory_equal(b.p, want, wlen);
                assert_int_equal(b.p[b.len], '\0');
            }
            cm_buf_finish(&b);
            return rc;
        }
        assert_int_equal(b.len, wlen);
        assert_true(b.cap > b.len);
        assert_memory_equal(b.p, want, wlen);
        assert_int_equal(b.p[b.len], '\0');
    }
    dup = cm_strndup(b.p, 10);
    if (dup == NULL) {
        assert_true(injected());
        cm_buf_finish(&b);
        return CM_ENOMEM;
    }
    assert_string_equal(dup, "append0;bp");
    cm_free(dup);
    *taken = cm_buf_take(&b, taken_len);
    assert_null(b.p);
    cm_buf_finish(&b);
    return 0;
}

static void test_buf_torture(void **state)
{
    char *ref = NULL, *got;
    size_t ref_len = 0, got_len;
    long total;
    (void)state;

    cm_alloc_fail_after(COUNTING);
    assert_int_equal(buf_scenario(&ref, &ref_len), 0);
    total = allocs_since_counting();
    assert_true(total >= 5); /* several doublings and the strndup */
    for (long n = 0; n <= total; n++) {
        got = NULL;
        cm_alloc_fail_after(n);
        if (n < total) {
            assert_int_equal(buf_scenario(&got, &got_len), CM_ENOMEM);
            assert_null(got);
        } else {
            assert_int_equal(buf_scenario(&got, &got_len), 0);
            assert_int_equal(got_len, ref_len);
            assert_memory_equal(got, ref, ref_len);
            cm_free(got);
        }
    }
    cm_alloc_fail_after(-1);
    assert_int_equal(buf_scenario(&got, &got_len), 0);
    assert_int_equal(got_len, ref_len);
    assert_memory_equal(got, ref, ref_len);
    cm_free(got);
    cm_free(ref);
}

/* --- cm_arena ---------------------------------------------------------------- */

/* Bytes held in the arena's chunks, counted by walking them. */
static size_t chunk_bytes(const struct cm_arena *a)
{
    size_t n = 0;

    for (const struct cm_arena_chunk *c = a->head; c; c = c->next) {
        assert_true(c->off <= c->size);
        n += c->size;
    }
    return n;
}

struct block {
    unsigned char *p;
    size_t n;
    unsigned char fill;
};

#define ARENA_ALLOCS 120

/* Allocations of mixed sizes (some over the chunk size), a reset, then more. */
static int arena_scenario(size_t *sum_out)
{
    static struct block blk[ARENA_ALLOCS];
    struct cm_arena a;
    size_t sum = 0;
    char *s;
    int nb = 0, rc = 0;

    cm_arena_init(&a, 512, 0);
    for (int round = 0; round < 2 && rc == 0; round++) {
        nb = 0;
        for (int i = 0; i < ARENA_ALLOCS; i++) {
            size_t n = (size_t)(i * 37 + round * 11) % 700 + (i % 13 == 0 ? 1500 : 0);
            unsigned char *p = cm_arena_alloc(&a, n);
            if (p == NULL) {
                assert_true(injected());
                rc = CM_ENOMEM;
                break;
            }
            assert_int_equal((uintptr_t)p % 16, 0);
            memset(p, i & 0xff, n);
            blk[nb].p = p;
            blk[nb].n = n;
            blk[nb].fill = (unsigned char)(i & 0xff);
            nb++;
            sum += n;
        }
        /* Failed or not, what was handed out is intact and the books balance. */
        for (int i = 0; i < nb; i++) {
            for (size_t j = 0; j < blk[i].n; j++) {
                if (blk[i].p[j] != blk[i].fill) {
                    fail_msg("block %d byte %zu overwritten", i, j);
                }
            }
        }
        assert_int_equal(a.used, chunk_bytes(&a));
        if (rc == 0) {
            s = cm_arena_strndup(&a, "torture", 7);
            if (s == NULL) {
                assert_true(injected());
                rc = CM_ENOMEM;
                break;
            }
            assert_string_equal(s, "torture");
            cm_arena_reset(&a);
            assert_non_null(a.head);
            assert_null(a.head->next);
            assert_int_equal(a.head->off, 0);
            assert_int_equal(a.used, chunk_bytes(&a));
        }
    }
    cm_arena_finish(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
    *sum_out = sum;
    return rc;
}

static void test_arena_torture(void **state)
{
    size_t ref_sum = 0, sum;
    long total;
    (void)state;

    cm_alloc_fail_after(COUNTING);
    assert_int_equal(arena_scenario(&ref_sum), 0);
    total = allocs_since_counting();
    assert_true(total >= 20);
    for (long n = 0; n <= total; n++) {
        cm_alloc_fail_after(n);
        if (n < total) {
            assert_int_equal(arena_scenario(&sum), CM_ENOMEM);
            assert_true(sum <= ref_sum);
        } else {
            assert_int_equal(arena_scenario(&sum), 0);
            assert_int_equal(sum, ref_sum);
        }
    }
    cm_alloc_fail_after(-1);
    assert_int_equal(arena_scenario(&sum), 0);
    assert_int_equal(sum, ref_sum);

    /* The cap is not an injected failure: NULL there with injection off. */
    {
        struct cm_arena a;
        cm_arena_init(&a, 256, 1024);
        assert_non_null(cm_arena_alloc(&a, 1000));
        assert_null(cm_arena_alloc(&a, 100));
        assert_int_equal(a.used, chunk_bytes(&a));
        assert_true(a.used <= 1024);
        cm_arena_finish(&a);
    }
}

/* The injector itself: counts down, then fails every time until disarmed. */
static void test_injector(void **state)
{
    void *p;
    (void)state;

    cm_alloc_fail_after(2);
    p = cm_malloc(8);
    assert_non_null(p);
    cm_free(p);
    p = cm_calloc(2, 4);
    assert_non_null(p);
    assert_null(cm_realloc(p, 64)); /* the third fails; p is still ours */
    assert_null(cm_malloc(1));
    assert_null(cm_strndup("x", 1));
    cm_free(p);
    cm_alloc_fail_after(-1);
    p = cm_malloc(8);
    assert_non_null(p);
    cm_free(p);
}

/* cm_grow: doubles from first, never below need; a failure or overflow leaves the array. */
static void test_grow(void **state)
{
    uint32_t *v = NULL;
    size_t cap = 0;
    (void)state;

    assert_int_equal(cm_grow((void **)&v, &cap, 1, sizeof(*v), 4), 0);
    assert_int_equal(cap, 4);
    assert_int_equal(cm_grow((void **)&v, &cap, 4, sizeof(*v), 4), 0);
    assert_int_equal(cap, 4); /* enough already */
    v[3] = 7;
    assert_int_equal(cm_grow((void **)&v, &cap, 5, sizeof(*v), 4), 0);
    assert_int_equal(cap, 8);
    assert_int_equal(v[3], 7);
    assert_int_equal(cm_grow((void **)&v, &cap, 100, sizeof(*v), 4), 0);
    assert_int_equal(cap, 100);
    cm_alloc_fail_after(0);
    assert_int_equal(cm_grow((void **)&v, &cap, 101, sizeof(*v), 4), CM_ENOMEM);
    cm_alloc_fail_after(-1);
    assert_int_equal(cap, 100);
    assert_int_equal(v[3], 7);
    assert_int_equal(cm_grow((void **)&v, &cap, SIZE_MAX / 2, sizeof(*v), 4), CM_ENOMEM);
    assert_int_equal(cap, 100);
    cm_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow),         cmocka_unit_test(test_injector),
        cmocka_unit_test(test_buf_torture),  cmocka_unit_test(test_arena_torture),
        cmocka_unit_test(test_json_torture),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
