/*
 * Unit tests for src/source/decode.h. The gzip inputs are made here with
 * zlib (deflateInit2 with 16 + MAX_WBITS), so every case knows its exact
 * original bytes: single and concatenated members, empty and 8 MB
 * payloads, streams cut at many points and corrupted in the middle (the
 * call must fail cleanly and out must be a correct prefix of the original),
 * trailing garbage, a lying size trailer, the output cap and cm_is_gzip.
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

static void blob_cat(struct blob *dst, const struct blob *src)
{
    blob_add(dst, src->p, src->n);
}

/* Log-like text: compressible but not trivially so; deterministic in seed. */
static struct blob make_text(size_t n, uint32_t seed)
{
    struct blob b;
    uint32_t x = seed * 2654435761u + 1;
    size_t i = 0;

    b.p = malloc(n ? n : 1);
    b.n = n;
    assert_non_null(b.p);
    while (i < n) {
        char line[128];
        int len;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        len = snprintf(line, sizeof(line),
                       "{\"eventName\":\"GetObject\",\"srcIp\":\"10.%u.%u.%u\",\"bytes\":%u}\n",
                       (x >> 24) & 0xff, (x >> 16) & 0xff, (x >> 8) & 0xff, x % 100000);
        for (int k = 0; k < len && i < n; k++) {
            b.p[i++] = (unsigned char)line[k];
        }
    }
    return b;
}

/* Random bytes: deflate cannot shrink them, so stored blocks appear. */
static struct blob make_noise(size_t n, uint32_t seed)
{
    struct blob b;
    uint32_t x = seed | 1;

    b.p = malloc(n ? n : 1);
    b.n = n;
    assert_non_null(b.p);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b.p[i] = (unsigned char)(x >> 11);
    }
    return b;
}

/* How many bytes zlib itself yields from the first k bytes of a stream. */
static size_t zlib_yield(const unsigned char *in, size_t k)
{
    z_stream zs;
    unsigned char tmp[65536];
    size_t total = 0;
    int zrc;

    memset(&zs, 0, sizeof(zs));
    assert_int_equal(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in; /* zlib does not write through it */
    zs.avail_in = (uInt)k;
    do {
        zs.next_out = tmp;
        zs.avail_out = sizeof(tmp);
        zrc = inflate(&zs, Z_NO_FLUSH);
        total += sizeof(tmp) - zs.avail_out;
    } while (zrc == Z_OK);
    inflateEnd(&zs);
    return total;
}

static int decode(struct fixture *f, const struct blob *in)
{
    memset(&f->err, 0x55, sizeof(f->err));
    return cm_decode_gzip(&f->dec, in->p, in->n, &f->out, &f->err);
}

static void assert_damaged_rc(const struct fixture *f, int rc, const char *what)
{
    if (rc != CM_ETRUNC && rc != CM_EINVAL) {
        fail_msg("%s: rc %d (%s), want CM_ETRUNC or CM_EINVAL", what, rc, cm_strerror(rc));
    }
    if (f->err.msg[0] == '\0' || memchr(f->err.msg, '\0', sizeof(f->err.msg)) == NULL) {
        fail_msg("%s: no error message", what);
    }
}

static void test_is_gzip(void **state)
{
    const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00};
    const unsigned char rev[] = {0x8b, 0x1f};
    (void)state;

    assert_true(cm_is_gzip(gz, sizeof(gz)));
    assert_true(cm_is_gzip(gz, 2));
    assert_false(cm_is_gzip(gz, 1));
    assert_false(cm_is_gzip(gz, 0));
    assert_false(cm_is_gzip(NULL, 0));
    assert_false(cm_is_gzip(rev, sizeof(rev)));
    assert_false(cm_is_gzip("{\"Records\":[]}", 14));
    assert_false(cm_is_gzip("\x1f\x8c", 2));
}

/* Other tools' containers are named, with how to read them; gzip, zstd and text are not. */
static void test_container_name(void **state)
{
    static const char tar_head[] = "AWSLogs/x.json";
    char tar[512];
    const char *how = NULL;
    (void)state;

    assert_string_equal(cm_container_name("BZh91AY&SY", 10, &how), "bzip2 data");
    assert_non_null(strstr(how, "bzcat"));
    assert_string_equal(cm_container_name("\xfd"
                                          "7zXZ\0\0",
                                          8, NULL),
                        "xz data");
    assert_null(cm_container_name("\x28\xb5\x2f\xfd\x00", 5, NULL)); /* zstd is read */
    assert_string_equal(cm_container_name("PK\x03\x04\x14", 5, NULL), "a zip archive");
    memset(tar, 0, sizeof(tar));
    memcpy(tar, tar_head, sizeof(tar_head) - 1);
    memcpy(tar + 257,
           "ustar\0"
           "00",
           8);
    assert_string_equal(cm_container_name(tar, sizeof(tar), &how), "a tar archive");
    assert_non_null(strstr(how, "tar -xf"));
    assert_null(cm_container_name(tar, 261, NULL)); /* the magic cut short */
    /* Parquet is read (source/parquet.h), not named as another tool's */
    assert_null(cm_container_name("PAR1\x15\x04", 6, NULL));
    assert_null(cm_container_name("\x1f\x8b\x08", 3, NULL));
    assert_null(cm_container_name("{\"Records\":[]}", 14, NULL));
    assert_null(cm_container_name("BZ", 2, NULL));
    assert_null(cm_container_name("BZh", 3, NULL)); /* no block size after it */
    assert_null(cm_container_name("BZhx123", 7, NULL));
    assert_null(cm_container_name("", 0, NULL));
}

static void test_decoder_lifecycle(void **state)
{
    struct cm_decoder dec;
    (void)state;

    assert_int_equal(cm_decoder_init(&dec), 0);
    assert_non_null(dec.d);
    cm_decoder_finish(&dec);
    assert_null(dec.d);
    cm_decoder_finish(&dec);
}

static void test_single_member(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(100000, 1);
    struct blob gz;

    for (int level = 0; level <= 9; level += 3) {
        gz = gzip_member(src.p, src.n, level);
        assert_int_equal(decode(f, &gz), 0);
        assert_whole(f, &src);
        assert_string_equal(f->err.msg, "");
        blob_free(&gz);
    }
    /* One byte of content. */
    blob_free(&src);
    src = make_text(1, 2);
    gz = gzip_member(src.p, src.n, 6);
    assert_int_equal(decode(f, &gz), 0);
    assert_whole(f, &src);
    blob_free(&gz);
    blob_free(&src);
}

static void test_resets_out(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(5000, 3);
    struct blob gz = gzip_member(src.p, src.n, 6);

    assert_int_equal(cm_buf_puts(&f->out, "stale content from an earlier file"), 0);
    assert_int_equal(decode(f, &gz), 0);
    assert_whole(f, &src);
    /* Twice in a row through the same decoder and buffer. */
    assert_int_equal(decode(f, &gz), 0);
    assert_whole(f, &src);
    blob_free(&gz);
    blob_free(&src);
}

static void test_empty(void **state)
{
    struct fixture *f = *state;
    struct blob src = {NULL, 0};
    struct blob gz = gzip_member(src.p, src.n, 6);
    struct blob two = {NULL, 0};
    struct blob none = {NULL, 0};

    assert_true(cm_is_gzip(gz.p, gz.n));
    assert_int_equal(decode(f, &gz), 0);
    assert_int_equal(f->out.len, 0);
    /* Two empty members back to back. */
    blob_cat(&two, &gz);
    blob_cat(&two, &gz);
    assert_int_equal(decode(f, &two), 0);
    assert_int_equal(f->out.len, 0);
    /* No input at all: nothing to decode, nothing wrong. */
    assert_int_equal(cm_buf_puts(&f->out, "stale"), 0);
    none.p = gz.p;
    assert_int_equal(decode(f, &none), 0);
    assert_int_equal(f->out.len, 0);
    blob_free(&two);
    blob_free(&gz);
}

static void test_multi_member(void **state)
{
    struct fixture *f = *state;
    /* Small first and big last, then big first and small last: the size trailer of
     * the file is the last member's, so both a too-small and a too-large guess occur. */
    const size_t sizes[2][4] = {{1000, 0, 70000, 300000}, {300000, 5, 0, 77}};

    for (int order = 0; order < 2; order++) {
        struct blob all = {NULL, 0}, gz = {NULL, 0};
        for (int m = 0; m < 4; m++) {
            struct blob part = make_text(sizes[order][m], (uint32_t)(10 + m));
            struct blob pgz = gzip_member(part.p, part.n, m == 2 ? 1 : 6);
            blob_cat(&all, &part);
            blob_cat(&gz, &pgz);
            blob_free(&part);
            blob_free(&pgz);
        }
        assert_int_equal(decode(f, &gz), 0);
        assert_whole(f, &all);
        assert_string_equal(f->err.msg, "");
        blob_free(&all);
        blob_free(&gz);
    }
}

static void test_large(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(8u << 20, 4);
    struct blob gz = gzip_member(src.p, src.n, 1);
    struct blob two = {NULL, 0}, both = {NULL, 0};

    assert_true(gz.n < src.n);
    assert_int_equal(decode(f, &gz), 0);
    assert_whole(f, &src);
    /* The same as two members: 16 MB out. */
    blob_cat(&two, &gz);
    blob_cat(&two, &gz);
    blob_cat(&both, &src);
    blob_cat(&both, &src);
    assert_int_equal(decode(f, &two), 0);
    assert_whole(f, &both);
    blob_free(&both);
    blob_free(&two);
    blob_free(&gz);
    blob_free(&src);
}

static void test_truncated(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(200000, 5);
    struct blob gz = gzip_member(src.p, src.n, 6);
    size_t n = gz.n;
    const size_t cuts[] = {1,         2,         3,       5,     9,     10,    11,    12,
                           17,        18,        19,      40,    n / 8, n / 4, n / 3, n / 2,
                           2 * n / 3, 3 * n / 4, n - 100, n - 9, n - 8, n - 7, n - 4, n - 1};
    char what[64];

    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        struct blob cut = {gz.p, cuts[i]};
        int rc = decode(f, &cut);
        snprintf(what, sizeof(what), "cut at %zu of %zu", cuts[i], n);
        assert_damaged_rc(f, rc, what);
        assert_prefix(f, &src, what);
        assert_true(f->err.offset <= cuts[i]);
        if (cuts[i] >= n / 3 && f->out.len == 0) {
            fail_msg("%s: nothing salvaged", what);
        }
        /* With only the trailer missing, every byte of content is there. */
        if (cuts[i] >= n - 8) {
            assert_int_equal(f->out.len, src.n);
        }
        /* At least what zlib itself can read from the same bytes. */
        if (f->out.len < zlib_yield(gz.p, cuts[i])) {
            fail_msg("%s: salvaged %zu bytes, zlib reads %zu", what, f->out.len,
                     zlib_yield(gz.p, cuts[i]));
        }
    }
    blob_free(&gz);
    blob_free(&src);
}

/* Cutting at every byte of a small stream: never a crash, always a prefix. */
static void test_truncated_everywhere(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(3000, 6);
    struct blob gz = gzip_member(src.p, src.n, 9);
    char what[64];

    for (size_t k = 0; k < gz.n; k++) {
        struct blob cut = {gz.p, k};
        int rc = decode(f, &cut);
        snprintf(what, sizeof(what), "cut at %zu of %zu", k, gz.n);
        if (k == 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(f->out.len, 0);
            continue;
        }
        assert_damaged_rc(f, rc, what);
        assert_prefix(f, &src, what);
    }
    blob_free(&gz);
    blob_free(&src);
}

static void test_truncated_second_member(void **state)
{
    struct fixture *f = *state;
    struct blob a = make_text(50000, 7), b = make_text(60000, 8);
    struct blob ga = gzip_member(a.p, a.n, 6), gb = gzip_member(b.p, b.n, 6);
    struct blob gz = {NULL, 0}, all = {NULL, 0};
    struct blob cut;
    int rc;

    blob_cat(&gz, &ga);
    blob_cat(&gz, &gb);
    blob_cat(&all, &a);
    blob_cat(&all, &b);
    cut.p = gz.p;
    cut.n = ga.n + gb.n / 2;
    rc = decode(f, &cut);
    assert_damaged_rc(f, rc, "second member cut");
    assert_prefix(f, &all, "second member cut");
    assert_true(f->out.len > a.n);
    assert_true(f->err.offset >= ga.n);
    blob_free(&all);
    blob_free(&gz);
    blob_free(&gb);
    blob_free(&ga);
    blob_free(&b);
    blob_free(&a);
}

/*
 * A member whose data inflates but whose CRC-32 or length trailer is wrong (bit rot in
 * the trailer, a Firehose delivery's member among many): its data is kept, the members
 * after it are read, and the error says where the trailer is. Before 2026-12-04 decoding
 * stopped there and every later member was lost.
 */
static void test_bad_trailer_member(void **state)
{
    struct fixture *f = *state;
    struct blob a = make_text(30000, 21), b = make_text(40000, 22), c = make_text(50000, 23);
    struct blob ga = gzip_member(a.p, a.n, 6), gb = gzip_member(b.p, b.n, 6);
    struct blob gc = gzip_member(c.p, c.n, 6);
    struct blob all = {NULL, 0};
    int rc;

    blob_cat(&all, &a);
    blob_cat(&all, &b);
    blob_cat(&all, &c);
    for (int which = 0; which < 3; which++) {
        struct blob gz = {NULL, 0};

        blob_cat(&gz, &ga);
        blob_cat(&gz, &gb);
        blob_cat(&gz, &gc);
        if (which == 0) {
            gz.p[ga.n - 8] ^= 0x5a; /* the first member's CRC-32 */
        } else {
            gz.p[ga.n - 4] ^= 0x01; /* its length */
        }
        if (which == 2) {
            gz.n -= gc.n / 2; /* and the last member cut: that stops the stream */
        }
        rc = decode(f, &gz);
        if (which < 2) {
            assert_int_equal(rc, CM_EINVAL);
            assert_whole(f, &all);
            assert_int_equal(f->err.offset, which == 0 ? ga.n - 4 : ga.n);
            assert_non_null(
                strstr(f->err.msg, which == 0 ? "incorrect data check" : "incorrect length check"));
            assert_non_null(strstr(f->err.msg, "trailer only"));
        } else {
            assert_int_equal(rc, CM_ETRUNC);
            assert_prefix(f, &all, "bad length, then cut");
            assert_true(f->out.len > a.n + b.n);
            assert_true(f->err.offset >= ga.n + gb.n);
        }
        blob_free(&gz);
    }
    blob_free(&all);
    blob_free(&gc);
    blob_free(&gb);
    blob_free(&ga);
    blob_free(&c);
    blob_free(&b);
    blob_free(&a);
}

static void test_corrupt_middle(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(300000, 9);
    struct blob gz = gzip_member(src.p, src.n, 6);
    const unsigned char flips[] = {0x01, 0x80, 0xff, 0x5a};
    char what[64];

    for (size_t i = 0; i < sizeof(flips); i++) {
        size_t at = gz.n / 2 + i * 97;
        struct blob bad = {malloc(gz.n), gz.n};
        size_t good;
        int rc;

        assert_non_null(bad.p);
        memcpy(bad.p, gz.p, gz.n);
        bad.p[at] ^= flips[i];
        rc = decode(f, &bad);
        snprintf(what, sizeof(what), "byte %zu ^ 0x%02x", at, flips[i]);
        assert_damaged_rc(f, rc, what);
        /* Everything decoded from the bytes before the damage is right. */
        good = zlib_yield(gz.p, at);
        assert_true(good > 0);
        if (f->out.len < good) {
            fail_msg("%s: %zu bytes out, %zu readable before the damage", what, f->out.len, good);
        }
        assert_memory_equal(f->out.p, src.p, good);
        blob_free(&bad);
    }
    blob_free(&gz);
    blob_free(&src);
}

/*
 * Stored (level 0) blocks make the salvage exact: damage the length check
 * of the second block and out must hold precisely the first block's data.
 */
static void test_corrupt_stored_block(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_noise(200000, 10);
    struct blob gz = gzip_member(src.p, src.n, 0);
    size_t o = 10, len1;
    struct blob bad = {malloc(gz.n), gz.n};

    assert_non_null(bad.p);
    memcpy(bad.p, gz.p, gz.n);
    assert_int_equal(gz.p[o] & 0x07, 0x00); /* not final, stored */
    len1 = (size_t)gz.p[o + 1] | ((size_t)gz.p[o + 2] << 8);
    assert_int_equal(len1 ^ 0xffff, (size_t)gz.p[o + 3] | ((size_t)gz.p[o + 4] << 8));
    assert_true(len1 > 0 && len1 < src.n);
    o += 5 + len1;
    assert_int_equal(gz.p[o] & 0x06, 0x00); /* the second block is stored too */
    bad.p[o + 3] ^= 0x01;                   /* NLEN no longer matches LEN */
    assert_int_equal(decode(f, &bad), CM_EINVAL);
    assert_true(f->err.msg[0] != '\0');
    assert_int_equal(f->out.len, len1);
    assert_memory_equal(f->out.p, src.p, len1);
    blob_free(&bad);

    /* Cut inside the second block's data: out is exactly the bytes present. */
    {
        struct blob cut = {gz.p, o + 5 + 1234};
        int rc = decode(f, &cut);
        assert_damaged_rc(f, rc, "stored cut");
        assert_int_equal(f->out.len, len1 + 1234);
        assert_memory_equal(f->out.p, src.p, len1 + 1234);
    }
    blob_free(&gz);
    blob_free(&src);
}

static void test_trailing_garbage(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(40000, 11);
    struct blob gz = gzip_member(src.p, src.n, 6);
    const char *tails[] = {"x", "\n", "garbage after the stream", "\0\0\0\0\0\0\0\0"};
    const size_t tail_len[] = {1, 1, 24, 8};

    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        struct blob in = {NULL, 0};
        blob_cat(&in, &gz);
        blob_add(&in, tails[i], tail_len[i]);
        assert_int_equal(decode(f, &in), CM_EINVAL);
        assert_true(f->err.msg[0] != '\0');
        assert_non_null(memchr(f->err.msg, '\0', sizeof(f->err.msg)));
        assert_int_equal(f->err.offset, gz.n);
        assert_whole(f, &src);
        blob_free(&in);
    }
    blob_free(&gz);
    blob_free(&src);
}

/* A damaged size trailer must not drive the allocation or fake a cap overrun. */
static void test_lying_trailer(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(20000, 12);
    struct blob gz = gzip_member(src.p, src.n, 6);
    int rc;

    /* ISIZE claims about 4 GB. */
    gz.p[gz.n - 1] = 0xff;
    gz.p[gz.n - 2] = 0xff;
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, 1 << 20);
    rc = decode(f, &gz);
    assert_int_equal(rc, CM_EINVAL);
    assert_whole(f, &src);
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, 0);
    rc = decode(f, &gz);
    assert_int_equal(rc, CM_EINVAL);
    assert_whole(f, &src);
    if (f->out.cap > (64u << 20)) {
        fail_msg("a %zu-byte stream made the output grow to %zu bytes", gz.n, f->out.cap);
    }
    blob_free(&gz);
    blob_free(&src);
}

static void test_cap(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(100000, 13);
    struct blob gz = gzip_member(src.p, src.n, 6);
    struct blob two = {NULL, 0};
    int rc;

    /* Smaller than the content: CM_E2BIG, and never more than max bytes held. */
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, 1000);
    rc = decode(f, &gz);
    assert_int_equal(rc, CM_E2BIG);
    assert_true(f->out.len <= 1000);
    assert_true(f->err.msg[0] != '\0');

    /* One byte short, exactly enough, and a little more. */
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, src.n - 1);
    assert_int_equal(decode(f, &gz), CM_E2BIG);
    assert_true(f->out.len <= src.n - 1);
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, src.n);
    assert_int_equal(decode(f, &gz), 0);
    assert_whole(f, &src);
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, src.n + 10);
    assert_int_equal(decode(f, &gz), 0);
    assert_whole(f, &src);

    /* Two members: the first fits, the pair does not. */
    blob_cat(&two, &gz);
    blob_cat(&two, &gz);
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, src.n + src.n / 2);
    assert_int_equal(decode(f, &two), CM_E2BIG);
    assert_true(f->out.len <= src.n + src.n / 2);
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, 2 * src.n);
    assert_int_equal(decode(f, &two), 0);
    assert_int_equal(f->out.len, 2 * src.n);

    /* The salvage path honours the cap too. */
    {
        struct blob cut = {gz.p, gz.n - 20};
        cm_buf_finish(&f->out);
        cm_buf_init(&f->out, 5000);
        assert_int_equal(decode(f, &cut), CM_E2BIG);
        assert_true(f->err.msg[0] != '\0');
        assert_true(f->out.len <= 5000);
        assert_prefix(f, &src, "salvage over the cap");
    }
    cm_buf_finish(&f->out);
    cm_buf_init(&f->out, 0);
    blob_free(&two);
    blob_free(&gz);
    blob_free(&src);
}

/* --- cm_decode_nested: a gzip inside a gzip ------------------------------ */

/* Inflates gz with cm_decode_gzip (must succeed), then cm_decode_nested into spare. */
static int decode_nested(struct fixture *f, const struct blob *gz, struct cm_buf *spare)
{
    assert_int_equal(decode(f, gz), 0);
    memset(&f->err, 0x55, sizeof(f->err));
    return cm_decode_nested(&f->dec, &f->out, spare, &f->err);
}

static void test_nested(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(150000, 14);
    struct blob inner = gzip_member(src.p, src.n, 6);
    struct blob outer = gzip_member(inner.p, inner.n, 6);
    struct cm_buf spare;

    cm_buf_init(&spare, 0);
    assert_int_equal(cm_buf_puts(&spare, "stale"), 0);
    assert_int_equal(decode_nested(f, &outer, &spare), 0);
    /* out holds the text, spare the middle layer (the inner gzip) */
    assert_whole(f, &src);
    assert_int_equal(spare.len, inner.n);
    assert_memory_equal(spare.p, inner.p, inner.n);
    /* The same buffers again: the swap leaves both usable. */
    assert_int_equal(decode_nested(f, &outer, &spare), 0);
    assert_whole(f, &src);
    assert_int_equal(spare.len, inner.n);
    cm_buf_finish(&spare);
    blob_free(&outer);
    blob_free(&inner);
    blob_free(&src);
}

static void test_nested_none(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(20000, 15);
    struct blob gz = gzip_member(src.p, src.n, 6);
    struct blob one = {(unsigned char *)"\x1f", 1};
    struct cm_buf spare;
    const char *before;

    cm_buf_init(&spare, 0);
    assert_int_equal(cm_buf_puts(&spare, "stale"), 0);
    assert_int_equal(decode_nested(f, &gz, &spare), 0);
    before = f->out.p;
    assert_whole(f, &src);
    assert_ptr_equal(f->out.p, before);
    assert_int_equal(spare.len, 5);
    assert_memory_equal(spare.p, "stale", 5);
    /* Nothing decoded at all, and content that is only half the magic. */
    cm_buf_reset(&f->out);
    assert_int_equal(cm_decode_nested(&f->dec, &f->out, &spare, &f->err), 0);
    assert_int_equal(f->out.len, 0);
    blob_free(&gz);
    gz = gzip_member(one.p, one.n, 6);
    assert_int_equal(decode_nested(f, &gz, &spare), 0);
    assert_int_equal(f->out.len, 1);
    assert_int_equal(spare.len, 5);
    cm_buf_finish(&spare);
    blob_free(&gz);
    blob_free(&src);
}

static void test_nested_truncated(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(200000, 16);
    struct blob inner = gzip_member(src.p, src.n, 6);
    size_t cut = inner.n / 2;
    struct blob outer = gzip_member(inner.p, cut, 6);
    struct cm_buf spare;
    int rc;

    cm_buf_init(&spare, 0);
    rc = decode_nested(f, &outer, &spare);
    assert_damaged_rc(f, rc, "inner gzip cut in half");
    /* The damage is placed in the inner gzip, not at a byte of the input it is not at. */
    if (strncmp(f->err.msg, "in the gzip inside the gzip, at its byte ", 41) != 0) {
        fail_msg("inner damage said as '%s'", f->err.msg);
    }
    assert_int_equal(f->err.offset, 0);
    /* out holds the recovered prefix of the text, spare the cut inner gzip */
    assert_prefix(f, &src, "inner gzip cut in half");
    assert_true(f->out.len >= zlib_yield(inner.p, cut));
    assert_true(f->out.len > src.n / 4);
    assert_true(f->out.len < src.n);
    assert_int_equal(spare.len, cut);
    assert_memory_equal(spare.p, inner.p, cut);
    cm_buf_finish(&spare);
    blob_free(&outer);
    blob_free(&inner);
    blob_free(&src);
}

/* spare's cap bounds the inner content: over it, CM_E2BIG and out keeps the middle layer. */
static void test_nested_cap(void **state)
{
    struct fixture *f = *state;
    struct blob src = make_text(50000, 17);
    struct blob inner = gzip_member(src.p, src.n, 6);
    struct blob outer = gzip_member(inner.p, inner.n, 6);
    struct cm_buf spare;

    cm_buf_init(&spare, src.n - 1);
    assert_int_equal(decode_nested(f, &outer, &spare), CM_E2BIG);
    assert_true(f->err.msg[0] != '\0');
    assert_int_equal(f->out.len, inner.n);
    assert_memory_equal(f->out.p, inner.p, inner.n);
    cm_buf_finish(&spare);
    cm_buf_init(&spare, src.n);
    assert_int_equal(decode_nested(f, &outer, &spare), 0);
    assert_whole(f, &src);
    cm_buf_finish(&spare);
    blob_free(&outer);
    blob_free(&inner);
    blob_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_gzip),
        cmocka_unit_test(test_container_name),
        cmocka_unit_test(test_decoder_lifecycle),
        cmocka_unit_test_setup_teardown(test_single_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resets_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multi_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_second_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_stored_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lying_trailer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_trailer_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_cap, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
