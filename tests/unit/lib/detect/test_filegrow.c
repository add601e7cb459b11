/*
 * Where a later scan resumes a plain log that grew (lib/detect/filegrow.c): the look-up by
 * name and length, the merge, what is forgotten (used, aged, past the bound), and the
 * checkpoint with what it refuses.
 */
#include "detect/filegrow.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/fileseen.h"

static struct cm_file_id idn(uint64_t i)
{
    struct cm_file_id id = {i * 0x9e3779b97f4a7c15ULL + 7, ~i};

    return id;
}

static uint64_t name(const char *s)
{
    return cm_filegrow_name(s, strlen(s));
}

static void test_find(void **state)
{
    struct cm_filegrow g;
    const struct cm_filegrow_ent *e;
    struct cm_file_id id;
    uint64_t a = name("flows.log"), b = name("dns.log");
    (void)state;

    assert_int_not_equal(a, b);
    cm_filegrow_init(&g);
    /* Added but not settled: not found yet. */
    id = idn(1);
    assert_int_equal(cm_filegrow_add(&g, a, 100, 3, &id, 20000), 0);
    assert_int_equal(cm_filegrow_find(&g, a, 200, &e), 0);
    id = idn(2);
    cm_filegrow_add(&g, a, 300, 9, &id, 20000);
    id = idn(3);
    cm_filegrow_add(&g, a, 200, 6, &id, 20000);
    id = idn(4);
    cm_filegrow_add(&g, b, 150, 2, &id, 20000);
    assert_int_equal(cm_filegrow_settle(&g, 20000, 30, 100), 0);
    assert_int_equal(g.nsorted, 4);
    /* A file of 250 bytes named flows.log: the entries under 250, the longest first. */
    assert_int_equal(cm_filegrow_find(&g, a, 250, &e), 2);
    assert_int_equal(e[0].len, 200);
    assert_int_equal(e[0].lines, 6);
    assert_int_equal(e[1].len, 100);
    assert_int_equal(e[0].id_a, idn(3).a);
    /* Not the length itself: a file of the same length did not grow. */
    assert_int_equal(cm_filegrow_find(&g, a, 300, &e), 2);
    assert_int_equal(cm_filegrow_find(&g, a, 301, &e), 3);
    assert_int_equal(e[0].len, 300);
    assert_int_equal(cm_filegrow_find(&g, a, 100, &e), 0);
    assert_int_equal(cm_filegrow_find(&g, b, 1000, &e), 1);
    assert_int_equal(cm_filegrow_find(&g, name("other.log"), 1000, &e), 0);
    cm_filegrow_finish(&g);
}

static void test_settle(void **state)
{
    struct cm_filegrow g;
    const struct cm_filegrow_ent *e;
    struct cm_file_id id = idn(1), id2 = idn(2);
    uint64_t a = name("flows.log");
    (void)state;

    cm_filegrow_init(&g);
    /* The same entry twice: one kept, with the newest day. */
    cm_filegrow_add(&g, a, 100, 3, &id, 20000);
    cm_filegrow_add(&g, a, 100, 3, &id, 20005);
    cm_filegrow_add(&g, a, 100, 3, &id2, 19990); /* another file of that name and length */
    assert_int_equal(cm_filegrow_settle(&g, 20005, 30, 100), 1);
    assert_int_equal(g.nsorted, 2);
    assert_int_equal(cm_filegrow_find(&g, a, 101, &e), 2);
    assert_int_equal(e[0].id_a == id.a ? e[0].day : e[1].day, 20005);
    /* Aged: not seen for 30 days. */
    assert_int_equal(cm_filegrow_settle(&g, 20021, 30, 100), 1);
    assert_int_equal(cm_filegrow_find(&g, a, 101, &e), 1);
    assert_int_equal(e[0].id_a, id.a);
    /* Used: a resume read past it, and the file's newer entry takes its place. */
    cm_filegrow_use(&g, a, 100, &id2); /* not this one's identity: kept */
    cm_filegrow_use(&g, a, 99, &id);   /* nor this length */
    assert_int_equal(cm_filegrow_settle(&g, 20021, 30, 100), 0);
    cm_filegrow_use(&g, a, 100, &id);
    id2 = idn(9);
    cm_filegrow_add(&g, a, 180, 5, &id2, 20021);
    assert_int_equal(cm_filegrow_settle(&g, 20021, 30, 100), 1);
    assert_int_equal(cm_filegrow_find(&g, a, 1000, &e), 1);
    assert_int_equal(e[0].len, 180);
    cm_filegrow_finish(&g);

    /* The bound: the most recently seen kept. */
    cm_filegrow_init(&g);
    for (uint64_t i = 0; i < 50; i++) {
        id = idn(i);
        cm_filegrow_add(&g, name("f"), 10 + i, 1, &id, (uint32_t)(20000 + i % 5));
    }
    assert_int_equal(cm_filegrow_settle(&g, 20004, 30, 20), 30);
    assert_int_equal(g.nsorted, 20);
    for (size_t i = 0; i < g.nsorted; i++) {
        assert_true(g.v[i].day >= 20003);
    }
    assert_int_equal(cm_filegrow_settle(&g, 20004, 30, 0), 20);
    assert_int_equal(g.nsorted, 0);
    cm_filegrow_finish(&g);
}

static void test_save_load(void **state)
{
    struct cm_filegrow g, t;
    struct cm_ckpt_w w;
    struct cm_ckpt_r r;
    struct cm_file_id id;
    unsigned char *p;
    (void)state;

    cm_filegrow_init(&g);
    for (uint64_t i = 0; i < 100; i++) {
        id = idn(i);
        cm_filegrow_add(&g, name(i % 2 ? "a.log" : "b.log"), 1000 + i, i, &id, 20000);
    }
    cm_filegrow_settle(&g, 20000, 30, 1000);
    cm_ckpt_w_init(&w, 0);
    cm_filegrow_save(&g, &w);
    assert_int_equal(cm_ckpt_w_err(&w), 0);
    assert_int_equal(w.buf.len, 8 + 100 * 44);
    cm_filegrow_init(&t);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_filegrow_load(&t, &r), 0);
    assert_int_equal(r.off, r.len);
    assert_int_equal(t.nsorted, 100);
    assert_memory_equal(t.v, g.v, 100 * sizeof(*t.v));
    cm_filegrow_finish(&t);

    /* Cut short. */
    cm_filegrow_init(&t);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len - 1);
    assert_int_equal(cm_filegrow_load(&t, &r), CM_ETRUNC);
    assert_int_equal(t.nsorted, 0);
    cm_filegrow_finish(&t);
    p = (unsigned char *)w.buf.p;
    /* Out of order (the first two swapped). */
    {
        unsigned char tmp[44];

        memcpy(tmp, p + 8, 44);
        memcpy(p + 8, p + 52, 44);
        memcpy(p + 52, tmp, 44);
        cm_filegrow_init(&t);
        cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
        assert_int_equal(cm_filegrow_load(&t, &r), CM_EINVAL);
        assert_int_equal(t.nsorted, 0);
        cm_filegrow_finish(&t);
        memcpy(p + 52, p + 8, 44);
        memcpy(p + 8, tmp, 44);
    }
    /* More lines than bytes, and no length: refused. */
    memset(p + 8 + 16, 0xff, 8); /* the first entry's lines */
    cm_filegrow_init(&t);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_filegrow_load(&t, &r), CM_EINVAL);
    cm_filegrow_finish(&t);
    memset(p + 8 + 16, 0, 8);
    memset(p + 8 + 8, 0, 8); /* its length */
    cm_filegrow_init(&t);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_filegrow_load(&t, &r), CM_EINVAL);
    cm_filegrow_finish(&t);

    cm_ckpt_w_finish(&w);
    cm_filegrow_finish(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_settle),
        cmocka_unit_test(test_save_load),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
