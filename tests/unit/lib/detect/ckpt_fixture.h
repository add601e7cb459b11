/*
 * What the checkpoint tests of the detectors share: saving an engine to
 * memory and loading it into a fresh one, as a restart between two scans
 * does (src/core/statefile.c adds the file around it).
 *
 *   struct cm_engine *e2 = ckfx_reload(e, table, &opts);   (e is destroyed)
 *   ckfx_save(e, &w);  ...  cm_ckpt_w_finish(&w);
 *   rc = ckfx_load(table, &opts, w.buf.p, w.buf.len, &e2);  (e2 NULL on error)
 *
 * Included by the test files only; every function is static inline.
 */
#ifndef CM_TESTS_CKPT_FIXTURE_H
#define CM_TESTS_CKPT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "detect/ckpt.h"
#include "detect/detect.h"

/* Writes e's checkpoint into w (initialised here); fails the test on an error. */
static inline void ckfx_save(const struct cm_engine *e, struct cm_ckpt_w *w)
{
    cm_ckpt_w_init(w, 0);
    assert_int_equal(cm_engine_save(e, w), 0);
}

/*
 * A fresh engine over table with o, loaded from p[0..len). Returns the load's
 * error; *out is the engine on success, NULL otherwise. Detectors started
 * afresh are named in dropped when it is not NULL.
 */
static inline int ckfx_load(const struct cm_detector *const *table, const struct cm_detect_opts *o,
                            const void *p, size_t len, struct cm_engine **out, char *dropped,
                            size_t dlen)
{
    struct cm_ckpt_r r;
    struct cm_engine *e = NULL;
    int rc;

    *out = NULL;
    assert_int_equal(cm_engine_create(&e, table, o), 0);
    cm_ckpt_r_init(&r, p, len);
    rc = cm_engine_load(e, &r, dropped, dlen);
    if (rc == 0 && r.off != len) {
        rc = -1; /* the engine did not read everything it wrote */
    }
    if (rc != 0) {
        cm_engine_destroy(e);
        return rc;
    }
    *out = e;
    return 0;
}

/*
 * Where the u32 count of detectors lies in an engine checkpoint p[0..len): after the
 * engine's u32 version, its clock (4 x i64), each event kind's clock (a u32 count, then
 * 4 x i64 each), the CloudTrail eventIDs read (u32 version and a section) and the flow
 * detectors' own-address learner (u32 version and a section). Tests that reach into a
 * detector's bytes start there.
 */
static inline size_t ckfx_detectors_at(const void *p, size_t len)
{
    struct cm_ckpt_r r;
    size_t end;

    cm_ckpt_r_init(&r, p, len);
    (void)cm_ckpt_get_u32(&r);
    for (int k = 0; k < 4; k++) {
        (void)cm_ckpt_get_i64(&r);
    }
    (void)cm_ckpt_get_u32(&r); /* each event kind's clock (4 x i64 each) */
    for (int k = 0; k < 4 * CM_EV_KIND_COUNT; k++) {
        (void)cm_ckpt_get_i64(&r);
    }
    (void)cm_ckpt_get_u32(&r);
    r.off = cm_ckpt_section(&r);
    (void)cm_ckpt_get_u32(&r); /* the learner */
    end = cm_ckpt_section(&r);
    assert_int_equal(r.err, 0);
    return end;
}

/* Saves e, destroys it, and returns a fresh engine loaded with what it had learned. */
static inline struct cm_engine *ckfx_reload(struct cm_engine *e,
                                            const struct cm_detector *const *table,
                                            const struct cm_detect_opts *o)
{
    struct cm_ckpt_w w;
    struct cm_engine *e2 = NULL;
    char dropped[256];

    ckfx_save(e, &w);
    cm_engine_destroy(e);
    assert_int_equal(ckfx_load(table, o, w.buf.p, w.buf.len, &e2, dropped, sizeof(dropped)), 0);
    assert_string_equal(dropped, "");
    cm_ckpt_w_finish(&w);
    return e2;
}

#endif
