/*
 * Byte blobs, gzip members and zstd frames for the tests of the decoding
 * paths (test_decode.c, test_decode_zstd.c, test_stdin.c): a growable heap
 * buffer, flow-log-like text, and zlib's deflate and libzstd's compressor to
 * make reference data. Included by test files only.
 */
#ifndef CM_TESTS_BLOB_H
#define CM_TESTS_BLOB_H

#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <stdio.h>
#include <zlib.h>
#include <zstd.h>

struct blob {
    unsigned char *p;
    size_t n;
};

static inline void blob_free(struct blob *b)
{
    free(b->p);
    b->p = NULL;
    b->n = 0;
}

/* Appends n bytes at p to dst (keeps one spare byte after them). */
static inline void blob_add(struct blob *dst, const void *p, size_t n)
{
    unsigned char *np = realloc(dst->p, dst->n + n + 1);

    assert_non_null(np);
    if (n) {
        memcpy(np + dst->n, p, n);
    }
    dst->p = np;
    dst->n += n;
}

/* One gzip member holding p[0..n), compressed at level. */
static inline struct blob gzip_member(const void *p, size_t n, int level)
{
    struct blob out = {NULL, 0};
    unsigned char buf[16384];
    z_stream zs;
    int rc;

    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)p; /* zlib does not write through it */
    zs.avail_in = (uInt)n;
    do {
        zs.next_out = buf;
        zs.avail_out = sizeof(buf);
        rc = deflate(&zs, Z_FINISH);
        assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
        blob_add(&out, buf, sizeof(buf) - zs.avail_out);
    } while (rc != Z_STREAM_END);
    deflateEnd(&zs);
    if (out.p == NULL) {
        blob_add(&out, "", 0);
    }
    return out;
}

/* Flow-log-like lines, n bytes (the last line cut), deterministic in seed. */
static inline struct blob blob_text(size_t n, uint32_t seed)
{
    struct blob b = {malloc(n + 1), 0}; /* one allocation: a realloc a line is quadratic */
    uint32_t x = seed * 2654435761u + 1;

    assert_non_null(b.p);
    while (b.n < n) {
        char line[128];
        int len;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        len = snprintf(line, sizeof(line), "2 111122223333 eni-%08x 10.%u.%u.%u 443 %u ACCEPT OK\n",
                       x, (x >> 24) & 0xff, (x >> 16) & 0xff, (x >> 8) & 0xff, x % 65536);
        len = n - b.n < (size_t)len ? (int)(n - b.n) : len;
        memcpy(b.p + b.n, line, (size_t)len);
        b.n += (size_t)len;
    }
    return b;
}

/*
 * One zstd frame holding p[0..n) at level, with a content checksum when
 * checksum, its content size in the header unless streamed (as `zstd` writes
 * a pipe's: no size).
 */
static inline struct blob zstd_frame(const void *p, size_t n, int level, int checksum, int streamed)
{
    struct blob out = {NULL, 0};
    ZSTD_CCtx *c = ZSTD_createCCtx();
    unsigned char buf[16384];
    ZSTD_inBuffer ib = {p, n, 0};
    size_t left;

    assert_non_null(c);
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)));
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum)));
    if (!streamed) {
        assert_false(ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(c, n)));
    }
    do {
        ZSTD_outBuffer ob = {buf, sizeof(buf), 0};
        left = ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end);
        assert_false(ZSTD_isError(left));
        blob_add(&out, buf, ob.pos);
    } while (left != 0);
    ZSTD_freeCCtx(c);
    return out;
}

#endif
