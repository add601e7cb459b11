/*
 * The identities of the input files earlier scans read (lib/detect/fileseen.c): what an
 * identity tells apart, the set's look-up, merge, aging and bound, and its checkpoint.
 */
#include "detect/fileseen.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"

#define BIG (3 * CM_FILE_ID_EDGE)

static struct cm_file_id id_of(const char *path, const char *p, size_t len)
{
    struct cm_file_id id;

    cm_file_id_of_bytes(&id, path, p, len);
    return id;
}

static bool same(struct cm_file_id x, struct cm_file_id y)
{
    return x.a == y.a && x.b == y.b;
}

static struct cm_file_id nth(uint64_t i)
{
    struct cm_file_id id = {i * 0x9e3779b97f4a7c15ULL + 1, ~i};

    return id;
}

static void test_identity(void **state)
{
    static char big[BIG + 16], other[BIG + 16];
    const char *name = "111122223333_vpcflowlogs_us-east-1_fl-1_20260105T0010Z_ab12cd34.log.gz";
    char path[256];
    struct cm_file_id id, x;
    (void)state;

    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (char)('a' + i % 23);
    }
    snprintf(path, sizeof(path), "logs/AWSLogs/%s", name);
    id = id_of(path, big, BIG);
    /* The folder is not part of it: a copy, a re-download elsewhere is the same file. */
    assert_true(same(id, id_of(name, big, BIG)));
    assert_true(same(id, id_of("/mnt/backup/x/y/z/111122223333_vpcflowlogs_us-east-1_fl-1_"
                               "20260105T0010Z_ab12cd34.log.gz",
                               big, BIG)));
    /* The name is: a file renamed is another file. */
    assert_false(same(id, id_of("logs/renamed.log.gz", big, BIG)));
    /* The size is: a file appended to (or a download completed) is another file. */
    assert_false(same(id, id_of(path, big, BIG + 1)));
    assert_false(same(id, id_of(path, big, BIG - 1)));
    /* So are its first and its last bytes. */
    memcpy(other, big, sizeof(big));
    other[0] ^= 1;
    assert_false(same(id, id_of(path, other, BIG)));
    memcpy(other, big, sizeof(big));
    other[BIG - 1] ^= 1;
    assert_false(same(id, id_of(path, other, BIG)));
    memcpy(other, big, sizeof(big));
    other[BIG - CM_FILE_ID_EDGE] ^= 1; /* the first byte of the tail */
    assert_false(same(id, id_of(path, other, BIG)));
    /* What lies between is not read (documented): the same size and ends, the same id. */
    memcpy(other, big, sizeof(big));
    other[BIG / 2] ^= 1;
    assert_true(same(id, id_of(path, other, BIG)));
    /* cm_file_id_make with the ends is what the whole bytes give; a small file too. */
    cm_file_id_make(&x, name, strlen(name), BIG, big, CM_FILE_ID_EDGE, big + BIG - CM_FILE_ID_EDGE,
                    CM_FILE_ID_EDGE);
    assert_true(same(id, x));
    cm_file_id_make(&x, name, strlen(name), 10, big, 10, big, 10);
    assert_true(same(x, id_of(path, big, 10)));
    assert_false(same(id_of(path, big, 0), id_of(path, big, 1)));
    assert_string_equal(cm_file_id_base("a/b/c.gz"), "c.gz");
    assert_string_equal(cm_file_id_base("c.gz"), "c.gz");
    assert_string_equal(cm_file_id_base("a/"), "");
    /* basen stops at len: a slash past it does not count, one inside it does */
    const char *p = "s3://b/k/x.gz/more";
    assert_ptr_equal(cm_file_id_basen(p, 13), p + 9);
    assert_ptr_equal(cm_file_id_basen(p, 14), p + 14);
    assert_ptr_equal(cm_file_id_basen(p, 0), p);
    assert_ptr_equal(cm_file_id_basen("x.gz", 4), cm_file_id_base("x.gz"));
}

static void test_add_settle_has(void **state)
{
    struct cm_fileseen s;
    struct cm_fileseen_settled out;
    struct cm_file_id a = nth(1), b = nth(2), c = nth(3);
    (void)state;

    cm_fileseen_init(&s);
    assert_false(cm_fileseen_has(&s, &a));
    /* Nothing added (a scan of standard input only): settles to an empty set. */
    assert_int_equal(cm_fileseen_settle(&s, 100, &out), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(out.aged + out.capped, 0);
    assert_int_equal(cm_fileseen_add(&s, &b, 100), 0);
    assert_int_equal(cm_fileseen_add(&s, &a, 100), 0);
    /* Added is not settled: a scan asks the set it loaded, not what it reads now. */
    assert_false(cm_fileseen_has(&s, &a));
    assert_int_equal(cm_fileseen_settle(&s, 100, &out), 0);
    assert_true(cm_fileseen_has(&s, &a));
    assert_true(cm_fileseen_has(&s, &b));
    assert_false(cm_fileseen_has(&s, &c));
    assert_int_equal(s.n, 2);
    /* The same file again: one identity, its newest day. */
    assert_int_equal(cm_fileseen_add(&s, &a, 105), 0);
    assert_int_equal(cm_fileseen_add(&s, &c, 103), 0);
    assert_int_equal(cm_fileseen_settle(&s, 105, &out), 0);
    assert_int_equal(s.n, 3);
    for (size_t i = 0; i < s.n; i++) {
        uint32_t want = same(s.v[i].id, a) ? 105 : same(s.v[i].id, b) ? 100 : 103;
        assert_int_equal(s.v[i].day, want);
        if (i > 0) {
            assert_true(s.v[i - 1].id.a < s.v[i].id.a ||
                        (s.v[i - 1].id.a == s.v[i].id.a && s.v[i - 1].id.b < s.v[i].id.b));
        }
    }
    cm_fileseen_finish(&s);
    cm_fileseen_finish(&s); /* idempotent */
}

static void test_aging(void **state)
{
    struct cm_fileseen s;
    struct cm_fileseen_settled out;
    struct cm_file_id a = nth(1), b = nth(2);
    (void)state;

    cm_fileseen_init(&s);
    assert_int_equal(s.max_days, CM_FILESEEN_DAYS);
    cm_fileseen_add(&s, &a, 1000);
    cm_fileseen_add(&s, &b, 1000 + 5);
    /* Kept for max_days after the day last seen, forgotten the day after. */
    assert_int_equal(cm_fileseen_settle(&s, 1000 + CM_FILESEEN_DAYS, &out), 0);
    assert_int_equal(out.aged, 0);
    assert_true(cm_fileseen_has(&s, &a));
    assert_int_equal(cm_fileseen_settle(&s, 1000 + CM_FILESEEN_DAYS + 1, &out), 0);
    assert_int_equal(out.aged, 1);
    assert_int_equal(out.capped, 0);
    assert_false(cm_fileseen_has(&s, &a));
    assert_true(cm_fileseen_has(&s, &b));
    /* Seen again (in an input list) renews it. */
    cm_fileseen_add(&s, &b, 1000 + 40);
    assert_int_equal(cm_fileseen_settle(&s, 1000 + 40 + CM_FILESEEN_DAYS, &out), 0);
    assert_int_equal(out.aged, 0);
    assert_true(cm_fileseen_has(&s, &b));
    cm_fileseen_finish(&s);
}

static void test_bound(void **state)
{
    struct cm_fileseen s;
    struct cm_fileseen_settled out;
    struct cm_file_id id;
    (void)state;

    cm_fileseen_init(&s);
    assert_int_equal(s.max_n, CM_FILESEEN_MAX);
    s.max_n = 100;
    /* 60 seen on day 10, 60 on day 11, 60 on day 12: the 100 most recent stay. */
    for (uint64_t i = 0; i < 180; i++) {
        id = nth(i);
        assert_int_equal(cm_fileseen_add(&s, &id, (uint32_t)(10 + i / 60)), 0);
    }
    assert_int_equal(cm_fileseen_settle(&s, 12, &out), 0);
    assert_int_equal(s.n, 100);
    assert_int_equal(out.capped, 80);
    assert_int_equal(out.aged, 0);
    for (uint64_t i = 60; i < 180; i++) {
        id = nth(i);
        if (i >= 120) {
            assert_true(cm_fileseen_has(&s, &id));
        }
    }
    for (uint64_t i = 0; i < 60; i++) {
        id = nth(i);
        assert_false(cm_fileseen_has(&s, &id));
    }
    /* Of day 11's 60, 40 stay: the smaller identities. */
    {
        size_t kept = 0;
        for (size_t i = 0; i < s.n; i++) {
            kept += s.v[i].day == 11;
        }
        assert_int_equal(kept, 40);
    }
    /* At the bound, nothing more goes. */
    assert_int_equal(cm_fileseen_settle(&s, 12, &out), 0);
    assert_int_equal(out.capped, 0);
    assert_int_equal(s.n, 100);
    cm_fileseen_finish(&s);
}

static void test_save_load(void **state)
{
    struct cm_fileseen s, t;
    struct cm_fileseen_settled out;
    struct cm_ckpt_w w;
    struct cm_ckpt_r r;
    struct cm_file_id id;
    (void)state;

    cm_fileseen_init(&s);
    for (uint64_t i = 0; i < 1000; i++) {
        id = nth(i);
        cm_fileseen_add(&s, &id, (uint32_t)(20000 + i % 7));
    }
    cm_fileseen_settle(&s, 20006, &out);
    cm_ckpt_w_init(&w, 0);
    cm_fileseen_save(&s, &w);
    assert_int_equal(cm_ckpt_w_err(&w), 0);
    /* The version, the identities, then the grown files (none here). */
    assert_int_equal(w.buf.len, 4 + 8 + 1000 * 20 + 8);

    cm_fileseen_init(&t);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    assert_int_equal(cm_fileseen_load(&t, &r), 0);
    assert_int_equal(r.off, r.len);
    assert_int_equal(t.n, 1000);
    for (size_t i = 0; i < 1000; i++) {
        assert_true(same(t.v[i].id, s.v[i].id));
        assert_int_equal(t.v[i].day, s.v[i].day);
    }
    for (uint64_t i = 0; i < 1000; i++) {
        id = nth(i);
        assert_true(cm_fileseen_has(&t, &id));
    }
    cm_fileseen_finish(&t);

    /* Cut short: the count is more than the bytes hold. */
    cm_fileseen_init(&t);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len - 9);
    assert_int_equal(cm_fileseen_load(&t, &r), CM_ETRUNC);
    assert_int_equal(t.nsorted, 0);
    cm_fileseen_finish(&t);
    /* ... or without the grown files' count. */
    cm_fileseen_init(&t);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len - 1);
    assert_int_not_equal(cm_fileseen_load(&t, &r), 0);
    cm_fileseen_finish(&t);
    /* Version 1 (before 2026-12-06) had no grown files: still read, with none. */
    {
        unsigned char *p = (unsigned char *)w.buf.p;

        p[0] = 1;
        cm_fileseen_init(&t);
        cm_ckpt_r_init(&r, w.buf.p, w.buf.len - 8);
        assert_int_equal(cm_fileseen_load(&t, &r), 0);
        assert_int_equal(r.off, r.len);
        assert_int_equal(t.n, 1000);
        assert_int_equal(t.grown.n, 0);
        cm_fileseen_finish(&t);
        p[0] = CM_FILESEEN_STATE_VERSION;
    }

    /* Out of order, or the same identity twice: refused (a look-up needs them sorted). */
    {
        unsigned char *p = (unsigned char *)w.buf.p;
        unsigned char tmp[20];

        memcpy(tmp, p + 12, 20);
        memcpy(p + 12, p + 32, 20);
        memcpy(p + 32, tmp, 20);
        cm_fileseen_init(&t);
        cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
        assert_int_equal(cm_fileseen_load(&t, &r), CM_EINVAL);
        assert_int_equal(r.err_off, 12 + 2 * 20);
        assert_false(cm_fileseen_has(&t, &s.v[0].id));
        cm_fileseen_finish(&t);
        memcpy(p + 32, p + 12, 20);
        cm_fileseen_init(&t);
        cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
        assert_int_equal(cm_fileseen_load(&t, &r), CM_EINVAL);
        cm_fileseen_finish(&t);
        /* Another layout's version: CM_EFORMAT, for the caller to start afresh. */
        p[0] = 99;
        cm_fileseen_init(&t);
        cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
        assert_int_equal(cm_fileseen_load(&t, &r), CM_EFORMAT);
        assert_int_equal(r.err, 0);
        cm_fileseen_finish(&t);
    }
    cm_ckpt_w_finish(&w);
    cm_fileseen_finish(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity),  cmocka_unit_test(test_add_settle_has),
        cmocka_unit_test(test_aging),     cmocka_unit_test(test_bound),
        cmocka_unit_test(test_save_load),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
