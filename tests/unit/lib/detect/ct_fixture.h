/*
 * What the CloudTrail detector tests share (test_ct.c, test_ct_anomaly.c, test_ckpt_ct.c):
 * running the text of a CloudTrail file through the real "cloudtrail"
 * parser into an engine that holds every built-in detector, with the test's
 * options, to the test's sink (a rejected record fails the test); and
 * copying a detection's strings into the test's fixed buffers.
 *
 *   ctfx_run(text, len, &opts, &sink);
 *   ctfx_parse(engine, text, len, file_id, &sink);   (no flush: the caller's engine)
 *   ctfx_copy(buf, sizeof(buf), d->resource_id);
 *   cfg.locate = ctfx_locate;   (places by first octet: 81 London, 216 Milton, 82 Paris)
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

/* Parses text[0..len) as input file_id through engine e, into sink (no flush). */
static inline void ctfx_parse(struct cm_engine *e, const char *text, size_t len, uint32_t file_id,
                              struct cm_sink *sink)
{
    const struct cm_parser *ps = cm_parser_by_name("cloudtrail");
    struct ctfx_feed f = {e, sink};
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;

    assert_non_null(ps);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.file_id = file_id;
    ctx.on_event = ctfx_on_event;
    ctx.on_reject = ctfx_on_reject;
    ctx.ud = &f;
    assert_int_equal(ps->parse(&ctx, text, len), 0);
    cm_json_doc_finish(&doc);
}

/* Parses text[0..len) through every built-in detector with o, into sink, and flushes. */
static inline void ctfx_run(const char *text, size_t len, const struct cm_detect_opts *o,
                            struct cm_sink *sink)
{
    struct cm_engine *e = NULL;

    assert_int_equal(cm_engine_create(&e, cm_detectors(), o), 0);
    ctfx_parse(e, text, len, 0, sink);
    assert_int_equal(cm_engine_flush(e, sink), 0);
    cm_engine_destroy(e);
}

/*
 * The detectors' locate() hook (struct cm_detect_config) for the tests: places
 * by the address's first octet, 81 London, 216 Milton (WA), 82 Paris; no
 * other address is placed.
 */
static inline bool ctfx_locate(void *ud, const struct cm_ip *ip, double *lat, double *lon)
{
    (void)ud;
    switch (ip->a[0]) {
    case 81:
        *lat = 51.5142, *lon = -0.0931;
        return true;
    case 216:
        *lat = 47.2513, *lon = -122.3149;
        return true;
    case 82:
        *lat = 48.8566, *lon = 2.3522;
        return true;
    default:
        return false;
    }
}

#endif
