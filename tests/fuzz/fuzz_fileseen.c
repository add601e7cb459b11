/*
 * libFuzzer target for the state file's identities of the input files read
 * (lib/detect/fileseen.c): cm_fileseen_load over arbitrary bytes, the section
 * src/core/statefile.c puts after the name table.
 *
 * A load that succeeds must leave a set a look-up can search: identities in
 * strictly increasing order, each found by cm_fileseen_has, and grown files
 * (detect/filegrow.h) by name, then the longest first, each found by
 * cm_filegrow_find, none empty. Saving it gives the bytes it was loaded from
 * (what was read of them; a version 1 section, which has no grown files, comes
 * back as version 2 with none); merging in more identities and grown files,
 * one of them used, and settling keeps both sorted, unique and within bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/fileseen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

/* Whether x comes strictly before y in a grown-file set: by name, the longest first, id. */
static int grown_before(const struct cm_filegrow_ent *x, const struct cm_filegrow_ent *y)
{
    if (x->name != y->name) {
        return x->name < y->name;
    }
    if (x->len != y->len) {
        return x->len > y->len;
    }
    return x->id_a < y->id_a || (x->id_a == y->id_a && x->id_b < y->id_b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_fileseen s;
    struct cm_fileseen_settled out;
    struct cm_ckpt_r r;
    struct cm_ckpt_w w;
    int rc;

    cm_fileseen_init(&s);
    cm_ckpt_r_init(&r, data, size);
    rc = cm_fileseen_load(&s, &r);
    if (rc != 0) {
        check(rc == CM_EFORMAT || r.err != 0);
        cm_fileseen_finish(&s);
        return 0;
    }
    check(s.n == s.nsorted);
    for (size_t i = 0; i < s.n; i++) {
        check(cm_fileseen_has(&s, &s.v[i].id));
        check(i == 0 || s.v[i - 1].id.a < s.v[i].id.a ||
              (s.v[i - 1].id.a == s.v[i].id.a && s.v[i - 1].id.b < s.v[i].id.b));
    }
    for (size_t i = 0; i < s.grown.n; i++) {
        const struct cm_filegrow_ent *g = &s.grown.v[i], *e;
        size_t n = cm_filegrow_find(&s.grown, g->name, g->len + 1, &e);

        check(g->len > 0 && g->lines <= g->len && n > 0 && e->len == g->len);
        check(i == 0 || grown_before(&s.grown.v[i - 1], g));
    }
    cm_ckpt_w_init(&w, 0);
    cm_fileseen_save(&s, &w);
    check(w.err == 0);
    if (data[0] == 1) { /* version 1: read back as version 2 with no grown files */
        static const uint8_t none[8];
        check(w.buf.len == r.off + 8 && memcmp(w.buf.p + 4, data + 4, r.off - 4) == 0 &&
              memcmp(w.buf.p + r.off, none, 8) == 0);
    } else {
        check(w.buf.len == r.off && memcmp(w.buf.p, data, r.off) == 0);
    }
    cm_ckpt_w_finish(&w);

    /* Merge the first identities again on a later day, and a new one, under a small bound. */
    s.max_n = 4;
    for (size_t i = 0; i < s.n && i < 3; i++) {
        struct cm_file_id id = s.v[i].id;
        check(cm_fileseen_add(&s, &id, s.v[i].day + 1) == 0);
    }
    {
        struct cm_file_id id = {0x1234, 0x5678};
        check(cm_fileseen_add(&s, &id, 20000) == 0);
        check(cm_filegrow_add(&s.grown, 0x99, 10, 2, &id, 20000) == 0);
    }
    for (size_t i = 0; i < s.grown.nsorted && i < 3; i++) {
        const struct cm_filegrow_ent *g = &s.grown.v[i];
        struct cm_file_id id = {g->id_a, g->id_b};
        check(cm_filegrow_add(&s.grown, g->name, g->len, g->lines, &id, g->day + 1) == 0);
    }
    if (s.grown.nsorted > 0) {
        const struct cm_filegrow_ent *g = &s.grown.v[s.grown.nsorted - 1];
        struct cm_file_id id = {g->id_a, g->id_b};
        cm_filegrow_use(&s.grown, g->name, g->len, &id);
        check(g->used);
    }
    if (cm_fileseen_settle(&s, 20000, &out) == 0) {
        check(s.n <= 4 && s.n == s.nsorted);
        for (size_t i = 1; i < s.n; i++) {
            check(s.v[i - 1].id.a < s.v[i].id.a ||
                  (s.v[i - 1].id.a == s.v[i].id.a && s.v[i - 1].id.b < s.v[i].id.b));
        }
        check(s.grown.n <= 4 && s.grown.n == s.grown.nsorted);
        for (size_t i = 0; i < s.grown.n; i++) {
            check(!s.grown.v[i].used && (i == 0 || grown_before(&s.grown.v[i - 1], &s.grown.v[i])));
        }
    }
    cm_fileseen_finish(&s);
    return 0;
}
