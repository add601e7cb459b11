/*
 * Byte blobs and gzip members for the tests of the decoding paths
 * (test_decode.c, test_stdin.c): a growable heap buffer and zlib's deflate
 * to make reference gzip data. Included by test files only.
 */
#ifndef CM_TESTS_BLOB_H
#define CM_TESTS_BLOB_H

#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <zlib.h>

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

#endif
