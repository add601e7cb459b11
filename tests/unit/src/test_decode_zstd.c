/*
 * Unit tests for src/source/decode_zstd.c and the gzip/zstd dispatch of
 * decode.h. The zstd inputs are made here with libzstd's compressor
 * (blob.h), so every case knows its exact original bytes: one frame with and
 * without a stated size, empty, many frames with skippable frames between,
 * 8 MB; cut at every point of a multi-block frame (the blocks before the cut
 * come out, nothing else); a checksum alone wrong (kept, the next frame
 * read); a corrupt block; trailing garbage; a window over the limit; the
 * output cap; zstd inside gzip and gzip inside zstd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "source/decode.h"

#include "blob.h"
#include "decode_fixture.h"

/* cm_decode (the dispatch the scan calls), with err scribbled over first. */
static int decode(struct fixture *f, const struct blob *in)
{
    memset(&f->err, 0x55, sizeof(f->err));
    return cm_decode(&f->dec, in->p, in->n, &f->out, &f->err);
}

static void set_cap(struct fixture *f, size_t max)
{
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, max);
}

static void assert_msg(const struct fixture *f, const char *has)
{
    if (memchr(f->err.msg, '\0', sizeof(f->err.msg)) == NULL || strstr(f->err.msg, has) == NULL) {
        fail_msg("error message %.*s lacks \"%s\"", (int)sizeof(f->err.msg), f->err.msg, has);
    }
}

/* A skippable frame with len bytes of payload (magic 0x184D2A5x). */
static void add_skippable(struct blob *b, uint8_t nibble, size_t len)
{
    unsigned char h[8] = {(unsigned char)(0x50 | nibble), 0x2a, 0x4d, 0x18, (unsigned char)len,
                          (unsigned char)(len >> 8),      0,    0};

    blob_add(b, h, sizeof(h));
    for (size_t i = 0; i < len; i++) {
        blob_add(b, "s", 1);
    }
}

static void test_is_zstd(void **state)
{
    const unsigned char frame[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00};
    const unsigned char skip[] = {0x5e, 0x2a, 0x4d, 0x18, 0, 0, 0, 0};
    (void)state;

    assert_true(cm_is_zstd(frame, sizeof(frame)));
    assert_true(cm_is_zstd(frame, 4));
    assert_false(cm_is_zstd(frame, 3));
    assert_false(cm_is_zstd(NULL, 0));
    assert_true(cm_is_zstd(skip, sizeof(skip)));
    assert_false(cm_is_zstd("\x60\x2a\x4d\x18", 4)); /* not 0x5? */
    assert_false(cm_is_zstd("P*M\n", 4));
    assert_false(cm_is_zstd("{\"Records\":[]}", 14));
    assert_true(cm_is_compressed(frame, 4));
    assert_true(cm_is_compressed("\x1f\x8b", 2));
    assert_false(cm_is_compressed("2 111122223333 eni-1", 20));
    /* zstd is read now: no longer another tool's container with a how-to */
    assert_null(cm_container_name(frame, sizeof(frame), NULL));
}

static void test_one_frame(void **state)
{
    struct fixture *f = *state;
    struct blob src = blob_text(300000, 1);
    struct blob sized = zstd_frame(src.p, src.n, 3, 0, 0);
    struct blob streamed = zstd_frame(src.p, src.n, 19, 1, 1);

    assert_int_equal(decode(f, &sized), 0);
    assert_whole(f, &src);
    assert_string_equal(f->err.msg, "");
    assert_string_equal(f->dec.outer, "zstd");
    /* No size in the header (a pipe's), a checksum: the same bytes, the buffer reused. */
    assert_int_equal(decode(f, &streamed), 0);
    assert_whole(f, &src);
    /* The gzip path still answers through the same dispatch. */
    {
        struct blob gz = gzip_member(src.p, src.n, 6);
        assert_int_equal(decode(f, &gz), 0);
        assert_whole(f, &src);
        assert_string_equal(f->dec.outer, "gzip");
        blob_free(&gz);
    }
    blob_free(&streamed);
    blob_free(&sized);
    blob_free(&src);
}

static void test_empty_and_large(void **state)
{
    struct fixture *f = *state;
    struct blob none = zstd_frame("", 0, 3, 1, 0);
    struct blob src = blob_text(8u << 20, 2);
    struct blob big = zstd_frame(src.p, src.n, 1, 1, 1);
    struct blob empty = {NULL, 0};

    assert_int_equal(decode(f, &none), 0);
    assert_whole(f, &empty);
    assert_int_equal(decode(f, &big), 0);
    assert_whole(f, &src);
    blob_free(&big);
    blob_free(&src);
    blob_free(&none);
}

static void test_many_frames(void **state)
{
    struct fixture *f = *state;
    struct blob a = blob_text(200000, 3), b = blob_text(1, 4), c = blob_text(70001, 5);
    struct blob all = {NULL, 0}, z = {NULL, 0}, m;

    blob_add(&all, a.p, a.n);
    blob_add(&all, b.p, b.n);
    blob_add(&all, c.p, c.n);
    add_skippable(&z, 0, 5); /* a skippable frame may lead */
    m = zstd_frame(a.p, a.n, 3, 1, 0);
    blob_add(&z, m.p, m.n);
    blob_free(&m);
    m = zstd_frame("", 0, 3, 0, 1); /* an empty frame between */
    blob_add(&z, m.p, m.n);
    blob_free(&m);
    add_skippable(&z, 0xf, 0);
    m = zstd_frame(b.p, b.n, 3, 0, 0);
    blob_add(&z, m.p, m.n);
    blob_free(&m);
    m = zstd_frame(c.p, c.n, 9, 1, 1);
    blob_add(&z, m.p, m.n);
    blob_free(&m);
    add_skippable(&z, 7, 300); /* and close the stream */
    assert_int_equal(decode(f, &z), 0);
    assert_whole(f, &all);
    assert_string_equal(f->err.msg, "");
    blob_free(&z);
    blob_free(&all);
    blob_free(&a);
    blob_free(&b);
    blob_free(&c);
}

/*
 * Cut at every point of a frame of several blocks: never an error-free
 * return, never a byte that is not the original's, and everything once only
 * the checksum is missing. libzstd decodes whole blocks, so a cut keeps the
 * blocks before it.
 */
static void test_truncated_everywhere(void **state)
{
    struct fixture *f = *state;
    struct blob src = blob_text(600000, 6); /* five 128 KiB blocks */
    struct blob z = zstd_frame(src.p, src.n, 3, 1, 0);
    size_t most = 0;

    for (size_t k = 4; k < z.n; k += k < 64 ? 1 : 97) {
        struct blob cut = {z.p, k};
        int rc = decode(f, &cut);
        char what[64];

        snprintf(what, sizeof(what), "cut at %zu of %zu", k, z.n);
        if (rc != CM_ETRUNC) {
            fail_msg("%s: rc %d", what, rc);
        }
        assert_prefix(f, &src, what);
        assert_msg(f, "truncated zstd stream");
        assert_int_equal(f->err.offset, k);
        if (f->out.len > most) {
            most = f->out.len;
        }
    }
    /* Partway, whole blocks came out; with only the checksum gone, all of it. */
    assert_true(most >= 4 * 128 * 1024);
    {
        struct blob cut = {z.p, z.n - 4};
        assert_int_equal(decode(f, &cut), CM_ETRUNC);
        assert_whole(f, &src);
    }
    blob_free(&z);
    blob_free(&src);
}

/* A frame whose checksum alone is wrong is kept, and the frame after it read. */
static void test_bad_checksum_frame(void **state)
{
    struct fixture *f = *state;
    struct blob a = blob_text(100000, 7), b = blob_text(50000, 8);
    struct blob za = zstd_frame(a.p, a.n, 3, 1, 0), zb = zstd_frame(b.p, b.n, 3, 1, 0);
    struct blob z = {NULL, 0}, all = {NULL, 0};

    blob_add(&all, a.p, a.n);
    blob_add(&all, b.p, b.n);
    blob_add(&z, za.p, za.n);
    z.p[z.n - 1] ^= 0x40; /* the last byte of the checksum */
    blob_add(&z, zb.p, zb.n);
    assert_int_equal(decode(f, &z), CM_EINVAL);
    assert_whole(f, &all);
    assert_msg(f, "corrupt zstd data");
    assert_msg(f, "checksum only; data read");
    assert_int_equal(f->err.offset, za.n - 4);

    /* The last frame's checksum wrong: its data kept, the error said. */
    blob_free(&z);
    blob_add(&z, za.p, za.n);
    z.p[z.n - 2] ^= 0x01;
    assert_int_equal(decode(f, &z), CM_EINVAL);
    assert_msg(f, "checksum only; data read");
    assert_whole(f, &a);
    blob_free(&all);
    blob_free(&z);
    blob_free(&za);
    blob_free(&zb);
    blob_free(&a);
    blob_free(&b);
}

/* A byte flipped in a block: an error naming zstd, and no crash, anywhere. */
static void test_corrupt(void **state)
{
    struct fixture *f = *state;
    struct blob src = blob_text(300000, 9);
    struct blob z = zstd_frame(src.p, src.n, 3, 1, 0);
    struct blob bad = {NULL, 0};

    blob_add(&bad, z.p, z.n);
    for (size_t i = 4; i < z.n; i += 131) {
        int rc;

        bad.p[i] ^= 0xa5;
        rc = decode(f, &bad);
        /* A flip libzstd cannot see (one in a literal run) fails the checksum. */
        if (rc != CM_EINVAL && rc != CM_ETRUNC) {
            fail_msg("flip at %zu: rc %d", i, rc);
        }
        assert_true(strstr(f->err.msg, "zstd") != NULL);
        assert_true(f->err.offset <= z.n);
        bad.p[i] = z.p[i];
    }
    /* Damage halfway through a frame of five blocks: the blocks before it are kept. */
    {
        struct blob many = blob_text(600000, 19);
        struct blob zm = zstd_frame(many.p, many.n, 3, 1, 0);

        memset(zm.p + zm.n / 2, 0xff, 64);
        assert_int_equal(decode(f, &zm), CM_EINVAL);
        assert_msg(f, "corrupt zstd data: ");
        assert_true(f->out.len >= 128 * 1024);
        assert_memory_equal(f->out.p, many.p, 128 * 1024);
        /* where libzstd found it: at the latest, the end of the block the damage is in */
        assert_true(f->err.offset >= zm.n / 2 && f->err.offset <= zm.n / 2 + 64 + 131072);
        blob_free(&zm);
        blob_free(&many);
    }
    /* The header's reserved bit: libzstd refuses the frame, nothing out. */
    bad.p[4] |= 0x08;
    assert_int_equal(decode(f, &bad), CM_EINVAL);
    assert_msg(f, "corrupt zstd data: ");
    assert_int_equal(f->out.len, 0);
    blob_free(&bad);
    blob_free(&z);
    blob_free(&src);
}

static void test_trailing_garbage(void **state)
{
    struct fixture *f = *state;
    struct blob src = blob_text(40000, 10);
    struct blob z = zstd_frame(src.p, src.n, 3, 0, 0);
    size_t at = z.n;

    blob_add(&z, "\n\0\0junk", 7);
    assert_int_equal(decode(f, &z), CM_EINVAL);
    assert_whole(f, &src);
    assert_msg(f, "7 bytes of non-zstd data after the zstd stream ignored");
    assert_int_equal(f->err.offset, at);
    blob_free(&z);
    blob_free(&src);
}

/* A frame asking for a 1 GiB window (zstd --long=30 of a pipe): refused, saying how. */
static void test_window_too_large(void **state)
{
    struct fixture *f = *state;
    /* magic; no flags; window 2^(10+20); one raw block, last, of 5 bytes */
    static const unsigned char big[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa0, 0x29,
                                        0x00, 0x00, 'h',  'e',  'l',  'l',  'o'};
    /* the same frame with a 1 MiB window reads */
    static const unsigned char small[] = {0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50, 0x29,
                                          0x00, 0x00, 'h',  'e',  'l',  'l',  'o'};
    struct blob b = {(unsigned char *)(uintptr_t)big, sizeof(big)};
    struct blob s = {(unsigned char *)(uintptr_t)small, sizeof(small)};
    struct blob hello = {(unsigned char *)(uintptr_t) "hello", 5};

    assert_int_equal(decode(f, &s), 0);
    assert_whole(f, &hello);
    assert_int_equal(decode(f, &b), CM_EINVAL);
    assert_msg(f, "window over 128 MiB");
    assert_msg(f, "--long=31");
    assert_int_equal(f->out.len, 0);
}

static void test_cap(void **state)
{
    struct fixture *f = *state;
    struct blob src = blob_text(100000, 11);
    struct blob z = zstd_frame(src.p, src.n, 3, 1, 0);
    struct blob two = {NULL, 0};

    set_cap(f, 1000);
    assert_int_equal(decode(f, &z), CM_E2BIG);
    assert_true(f->out.len <= 1000);
    assert_msg(f, "exceeds the cap of 1000 bytes");
    set_cap(f, src.n - 1);
    assert_int_equal(decode(f, &z), CM_E2BIG);
    assert_true(f->out.len <= src.n - 1);
    set_cap(f, src.n);
    assert_int_equal(decode(f, &z), 0);
    assert_whole(f, &src);
    /* Two frames: the first fits, the pair does not. */
    blob_add(&two, z.p, z.n);
    blob_add(&two, z.p, z.n);
    set_cap(f, src.n + src.n / 2);
    assert_int_equal(decode(f, &two), CM_E2BIG);
    assert_true(f->out.len <= src.n + src.n / 2);
    set_cap(f, 2 * src.n);
    assert_int_equal(decode(f, &two), 0);
    assert_int_equal(f->out.len, 2 * src.n);
    set_cap(f, 0);
    blob_free(&two);
    blob_free(&z);
    blob_free(&src);
}

/* zstd inside gzip and gzip inside zstd: decoded to the text, errors naming both layers. */
static void test_nested(void **state)
{
    struct fixture *f = *state;
    struct blob src = blob_text(120000, 12);
    struct blob z = zstd_frame(src.p, src.n, 3, 1, 0);
    struct blob gz = gzip_member(src.p, src.n, 6);
    struct blob gz_z = gzip_member(z.p, z.n, 6);
    struct blob z_gz = zstd_frame(gz.p, gz.n, 3, 1, 0);
    struct blob z_cut = zstd_frame(z.p, z.n / 2, 3, 1, 0);
    struct cm_buf spare;

    cm_buf_init(&spare, 0);
    assert_int_equal(decode(f, &gz_z), 0);
    assert_int_equal(cm_decode_nested(&f->dec, &f->out, &spare, &f->err), 0);
    assert_whole(f, &src);
    assert_int_equal(decode(f, &z_gz), 0);
    assert_int_equal(cm_decode_nested(&f->dec, &f->out, &spare, &f->err), 0);
    assert_whole(f, &src);
    /* An inner zstd cut in half, inside an intact zstd: said as such. */
    assert_int_equal(decode(f, &z_cut), 0);
    assert_int_equal(cm_decode_nested(&f->dec, &f->out, &spare, &f->err), CM_ETRUNC);
    assert_msg(f, "in the zstd inside the zstd, at its byte ");
    assert_msg(f, "truncated zstd stream");
    assert_prefix(f, &src, "inner zstd cut");
    /* Nothing nested: untouched. */
    assert_int_equal(decode(f, &z), 0);
    assert_int_equal(cm_decode_nested(&f->dec, &f->out, &spare, &f->err), 0);
    assert_whole(f, &src);
    cm_buf_finish(&spare);
    blob_free(&z_cut);
    blob_free(&z_gz);
    blob_free(&gz_z);
    blob_free(&gz);
    blob_free(&z);
    blob_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_zstd),
        cmocka_unit_test_setup_teardown(test_one_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_checksum_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
