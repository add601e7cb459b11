/*
 * libFuzzer target for lib/base/json.h.
 *
 * The input is copied into an exact-size heap buffer (no NUL after it) and
 * parsed with cm_json_parse. When it is valid the whole tape is walked with
 * every accessor, the document is re-serialised with cm_jw_node, and the
 * output must parse again and re-serialise to the same bytes; any mismatch
 * aborts. The input is then read as a stream of values with
 * cm_json_parse_at, which must always make progress and keep the tape
 * intact on errors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* Exercises the accessors on every node; checks what must hold. */
static void walk(const struct cm_json_doc *d, struct cm_arena *a)
{
    for (uint32_t i = 0; i < d->n; i++) {
        const struct cm_json_node *nd = cm_json_at(d, i);
        enum cm_json_type t = cm_json_type(d, i);
        int64_t iv;
        double fv;
        struct cm_str s;

        check(nd->next > i && nd->next <= d->n);
        check(nd->off <= d->src_len);
        switch (t) {
        case CM_JSON_OBJECT:
            for (uint32_t k = cm_json_first(d, i); k != CM_JSON_NONE;
                 k = cm_json_next(d, i, k + 1)) {
                check(cm_json_type(d, k) == CM_JSON_STRING);
                s = cm_json_str(d, k, a);
                if (s.p != NULL) {
                    check(cm_json_getn(d, i, s.p, s.len) != CM_JSON_NONE);
                }
            }
            (void)cm_json_get(d, i, "eventName");
            (void)cm_json_path(d, i, "userIdentity.arn");
            break;
        case CM_JSON_ARRAY:
            check(nd->len == 0 || cm_json_index(d, i, nd->len - 1) != CM_JSON_NONE);
            check(cm_json_index(d, i, nd->len) == CM_JSON_NONE);
            (void)cm_json_path(d, i, "0.a");
            break;
        case CM_JSON_STRING:
            s = cm_json_str(d, i, a);
            check(s.p != NULL && s.len <= nd->len);
            (void)cm_json_truthy(d, i);
            break;
        case CM_JSON_NUMBER:
            (void)cm_json_i64(d, i, &iv);
            (void)cm_json_f64(d, i, &fv);
            break;
        default:
            (void)cm_json_truthy(d, i);
            break;
        }
    }
}

/* Serialises root of d into b; returns the writer's result. */
static int write_doc(const struct cm_json_doc *d, uint32_t root, struct cm_buf *b)
{
    struct cm_jw jw;

    cm_buf_reset(b);
    cm_jw_init(&jw, b);
    cm_jw_node(&jw, d, root);
    return cm_jw_finish(&jw);
}

static void roundtrip(const struct cm_json_doc *d)
{
    struct cm_json_doc d2;
    struct cm_buf b1, b2;
    int rc;

    cm_buf_init(&b1, 0);
    cm_buf_init(&b2, 0);
    cm_json_doc_init(&d2, 0, 0);
    rc = write_doc(d, 0, &b1);
    check(rc == 0 || rc == CM_E2BIG);
    if (rc == 0) {
        check(cm_json_parse(&d2, b1.p, b1.len, NULL) == 0);
        check(d2.n == d->n);
        check(write_doc(&d2, 0, &b2) == 0);
        check(b1.len == b2.len && memcmp(b1.p, b2.p, b1.len) == 0);
    }
    cm_json_doc_finish(&d2);
    cm_buf_finish(&b1);
    cm_buf_finish(&b2);
}

static void stream(const char *src, size_t size)
{
    struct cm_json_doc d;
    size_t at = 0, end = 0;
    uint32_t root = 0, before;
    int rc;

    cm_json_doc_init(&d, 4096, 64);
    cm_json_doc_begin(&d, src, size);
    for (;;) {
        before = d.n;
        rc = cm_json_parse_at(&d, at, &end, &root, NULL);
        if (rc != 0) {
            check(d.n == before);
            break;
        }
        check(end > at && end <= size && root == before && d.n > before);
        check(d.nodes[root].next == d.n);
        at = end;
    }
    cm_json_doc_finish(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_json_doc d;
    struct cm_arena a;
    struct cm_diag diag;
    char *src = malloc(size ? size : 1);

    if (src == NULL) {
        return 0;
    }
    if (size) {
        memcpy(src, data, size);
    }
    cm_json_doc_init(&d, 0, 0);
    cm_arena_init(&a, 4096, 0);
    if (cm_json_parse(&d, src, size, &diag) == 0) {
        check(d.n > 0 && d.nodes[0].next == d.n);
        walk(&d, &a);
        roundtrip(&d);
    } else {
        check(diag.offset <= size);
    }
    stream(src, size);
    cm_arena_finish(&a);
    cm_json_doc_finish(&d);
    free(src);
    return 0;
}
