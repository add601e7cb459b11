/*
 * The fixture of the whole-buffer decoding tests (test_decode.c,
 * test_decode_zstd.c): a decoder, an output buffer and its error, and the
 * checks on what came out. Included by test files only, after blob.h.
 */
#ifndef CM_TESTS_DECODE_FIXTURE_H
#define CM_TESTS_DECODE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "source/decode.h"

struct fixture {
    struct cm_decoder dec;
    struct cm_buf out;
    struct cm_decode_error err;
};

static inline int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL || cm_decoder_init(&f->dec) != 0) {
        free(f);
        return -1;
    }
    cm_buf_init(&f->out, 0);
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    struct fixture *f = *state;

    cm_buf_finish(&f->out);
    cm_decoder_finish(&f->dec);
    free(f);
    return 0;
}

/* out is want, NUL-terminated. */
static inline void assert_whole(const struct fixture *f, const struct blob *want)
{
    assert_int_equal(f->out.len, want->n);
    if (want->n) {
        assert_memory_equal(f->out.p, want->p, want->n);
    }
    if (f->out.p) {
        assert_int_equal(f->out.p[f->out.len], '\0');
    }
}

/* out is a prefix of want (possibly empty, possibly all of it). */
static inline void assert_prefix(const struct fixture *f, const struct blob *want, const char *what)
{
    if (f->out.len > want->n) {
        fail_msg("%s: %zu bytes out, more than the %zu of the original", what, f->out.len, want->n);
    }
    for (size_t i = 0; i < f->out.len; i++) {
        if ((unsigned char)f->out.p[i] != want->p[i]) {
            fail_msg("%s: out differs from the original at byte %zu of %zu", what, i, f->out.len);
        }
    }
}

#endif
