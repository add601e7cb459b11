/*
 * What the CloudTrail detector tests share (test_ct.c, test_ct_anomaly.c):
 * running the text of a CloudTrail file through the real "cloudtrail"
 * parser into an engine that holds every built-in detector, with the test's
 * options, to the test's sink (a rejected record fails the test); and
 * copying a detection's strings into the test's fixed buffers.
 *
 *   ctfx_run(text, len, &opts, &sink);
 *   ctfx_copy(buf, sizeof(buf), d->resource_id);
 *
 * Included by the test files only; every function is static inline.
 */
#ifndef CM_TESTS_CT_FIXTURE_H
#define CM_TESTS_CT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/json.h"
#include "detect/detect.h"
#include "parse/parse.h"

/* s into dst[0..cap), cut to fit, NUL-terminated. */
static inline void ctfx_copy(char *dst, size_t cap, struct cm_str s)
{
    size_t n = s.p ? (s.len < cap - 1 ? s.len : cap - 1) : 0;

    if (n) {
        memcpy(dst, s.p, n);
    }
    dst[n] = '\0';
}

struct ctfx_feed {
    struct cm_engine *engine;
    struct cm_sink *sink;
};

static inline int ctfx_on_event(void *ud, struct cm_event *ev)
{
    struct ctfx_feed *f = ud;

    return cm_engine_event(f->engine, ev, f->sink);
}

static inline void ctfx_on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                                  const char *reason)
{
    (void)ud, (void)kind, (void)off;
    fail_msg("record rejected at line %u: %s", (unsigned)line, reason);
}

/* Parses text[0..len) through every built-in detector with o, into sink, and flushes. */
static inline void ctfx_run(const char *text, size_t len, const struct cm_detect_opts *o,
                            struct cm_sink *sink)
{
    const struct cm_parser *ps = cm_parser_by_name("cloudtrail");
    struct ctfx_feed f = {NULL, sink};
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;

    assert_non_null(ps);
    assert_int_equal(cm_engine_create(&f.engine, cm_detectors(), o), 0);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = ctfx_on_event;
    ctx.on_reject = ctfx_on_reject;
    ctx.ud = &f;
    assert_int_equal(ps->parse(&ctx, text, len), 0);
    assert_int_equal(cm_engine_flush(f.engine, sink), 0);
    cm_engine_destroy(f.engine);
    cm_json_doc_finish(&doc);
}

#endif
