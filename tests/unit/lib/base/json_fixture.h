/*
 * The fixture shared by the JSON reader and writer tests: a document, an
 * arena, and exact-size copies of the inputs so ASan sees any over-read.
 * Included by the test files only.
 */
#ifndef CM_TESTS_JSON_FIXTURE_H
#define CM_TESTS_JSON_FIXTURE_H

#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/json.h"

struct fx {
    struct cm_json_doc doc;
    struct cm_diag diag;
    struct cm_arena arena;
    char *src;
};

static inline int setup(void **state)
{
    struct fx *f = cm_calloc(1, sizeof(*f));

    if (f == NULL) {
        return -1;
    }
    cm_json_doc_init(&f->doc, 0, 0);
    cm_arena_init(&f->arena, 1024, 0);
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    struct fx *f = *state;

    cm_json_doc_finish(&f->doc);
    cm_json_doc_finish(&f->doc); /* idempotent */
    cm_arena_finish(&f->arena);
    cm_free(f->src);
    cm_free(f);
    return 0;
}

/* Copies s[0..n) into an exact-size heap buffer (kept until the next call). */
static inline const char *own(struct fx *f, const char *s, size_t n)
{
    cm_free(f->src);
    f->src = cm_malloc(n ? n : 1);
    assert_non_null(f->src);
    if (n) {
        memcpy(f->src, s, n);
    }
    return f->src;
}

static inline int parse_n(struct fx *f, const char *s, size_t n)
{
    const char *p = own(f, s, n);

    cm_diag_clear(&f->diag);
    return cm_json_parse(&f->doc, p, n, &f->diag);
}

static inline int parse(struct fx *f, const char *s)
{
    return parse_n(f, s, strlen(s));
}

static inline void ok(struct fx *f, const char *s)
{
    int rc = parse(f, s);
    if (rc != 0) {
        fail_msg("expected %s to parse, got %d (%s at %zu)", s, rc, f->diag.msg, f->diag.offset);
    }

#endif
