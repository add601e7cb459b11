/*
 * Shape validation for tests: checks serialised findings against the
 * GuardDuty API model's Finding shape (required members present, member JSON
 * types right: string, number, integer, boolean, list, map, structure;
 * timestamp as epoch seconds (a number: restJson1); enum values and string length
 * bounds respected; no unknown members). The model is
 * tests/fixtures/guardduty-finding-shapes.json (FIXTURE) or the full
 * $SHARED/spec/guardduty-api-model.json. Header-only, for cmocka tests:
 * include <cmocka.h> and finding_util.h first.
 */
#ifndef TESTS_SHAPE_CHECK_H
#define TESTS_SHAPE_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/time.h"
#include "finding/finding.h"
#include "finding/serialize.h"

#define FIXTURE "tests/fixtures/guardduty-finding-shapes.json"

struct model {
    char *text;
    struct cm_json_doc doc;
    uint32_t shapes;
};

struct check {
    const struct model *m;
    const struct cm_json_doc *d;
    char err[512];
    int nerr;
    bool event_form; /* additionalInfo may carry expanded keys (spec §2.6) */
};

static inline bool load_model(struct model *m, const char *path)
{
    size_t len = 0;

    memset(m, 0, sizeof(*m));
    m->text = t_read_file(path, &len);
    if (m->text == NULL) {
        return false;
    }
    cm_json_doc_init(&m->doc, 0, 0);
    assert_int_equal(cm_json_parse(&m->doc, m->text, len, NULL), 0);
    m->shapes = cm_json_get(&m->doc, 0, "shapes");
    assert_int_not_equal(m->shapes, CM_JSON_NONE);
    return true;
}

static inline void free_model(struct model *m)
{
    cm_json_doc_finish(&m->doc);
    free(m->text);
}

static inline void problem(struct check *c, const char *path, const char *what)
{
    if (c->nerr++ == 0) {
        snprintf(c->err, sizeof(c->err), "%.300s: %.100s", path, what);
    }
}

/* String value of a model node (the model has no escapes in the members used). */
static inline bool model_str_eq(const struct model *m, uint32_t n, struct cm_str s)
{
    return n != CM_JSON_NONE && cm_str_eq(cm_json_raw(&m->doc, n), s);
}

static inline int64_t model_int(const struct model *m, uint32_t obj, const char *key, int64_t dflt)
{
    uint32_t n = cm_json_get(&m->doc, obj, key);
    int64_t v;

    return n != CM_JSON_NONE && cm_json_i64(&m->doc, n, &v) == 0 ? v : dflt;
}

static inline void check_value(struct check *c, const char *shape, uint32_t v, const char *path);

static inline void shape_of(const struct model *m, uint32_t ref, char *out, size_t outlen)
{
    struct cm_str s = cm_json_raw(&m->doc, cm_json_get(&m->doc, ref, "shape"));
    snprintf(out, outlen, "%.*s", (int)s.len, s.p);
}

static inline void check_string(struct check *c, uint32_t sh, uint32_t v, const char *path)
{
    const struct model *m = c->m;
    uint32_t en = cm_json_get(&m->doc, sh, "enum");
    struct cm_str s = cm_json_raw(c->d, v);
    size_t len = cm_json_at(c->d, v)->len;

    if (cm_json_type(c->d, v) != CM_JSON_STRING) {
        problem(c, path, "expected a string");
        return;
    }
    if ((int64_t)len < model_int(m, sh, "min", 0) ||
        (int64_t)len > model_int(m, sh, "max", 1 << 30)) {
        problem(c, path, "string length out of the model's bounds");
    }
    if (en != CM_JSON_NONE) {
        bool ok = false;
        for (uint32_t e = cm_json_first(&m->doc, en); e != CM_JSON_NONE && !ok;
             e = cm_json_next(&m->doc, en, e)) {
            ok = model_str_eq(m, e, s);
        }
        if (!ok) {
            problem(c, path, "value not in the enum");
        }
    }
}

static inline void check_structure(struct check *c, uint32_t sh, uint32_t v, const char *path)
{
    const struct model *m = c->m;
    uint32_t members = cm_json_get(&m->doc, sh, "members");
    uint32_t req = cm_json_get(&m->doc, sh, "required");
    char sub[512], name[128];

    if (cm_json_type(c->d, v) != CM_JSON_OBJECT) {
        problem(c, path, "expected an object (structure)");
        return;
    }
    for (uint32_t k = cm_json_first(c->d, v); k != CM_JSON_NONE; k = cm_json_next(c->d, v, k + 1)) {
        struct cm_str key = cm_json_raw(c->d, k);
        uint32_t found = CM_JSON_NONE;
        snprintf(sub, sizeof(sub), "%s.%.*s", path, (int)key.len, key.p);
        for (uint32_t mk = cm_json_first(&m->doc, members);
             mk != CM_JSON_NONE && found == CM_JSON_NONE;
             mk = cm_json_next(&m->doc, members, mk + 1)) {
            uint32_t loc = cm_json_get(&m->doc, mk + 1, "locationName");
            if (model_str_eq(m, loc != CM_JSON_NONE ? loc : mk, key)) {
                found = mk;
            }
        }
        if (found == CM_JSON_NONE && c->event_form && strstr(path, "service.additionalInfo")) {
            continue;
        }
        if (found == CM_JSON_NONE) {
            problem(c, sub, "unknown member");
            continue;
        }
        if (req != CM_JSON_NONE) {
            for (uint32_t r = cm_json_first(&m->doc, req); r != CM_JSON_NONE;
                 r = cm_json_next(&m->doc, req, r)) {
                if (model_str_eq(m, r, cm_json_raw(&m->doc, found)) &&
                    cm_json_type(c->d, k + 1) == CM_JSON_NULL) {
                    problem(c, sub, "required member is null");
                }
            }
        }
        if (cm_json_type(c->d, k + 1) != CM_JSON_NULL) {
            shape_of(m, found + 1, name, sizeof(name));
            check_value(c, name, k + 1, sub);
        }
    }
    for (uint32_t r = req == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(&m->doc, req);
         r != CM_JSON_NONE; r = cm_json_next(&m->doc, req, r)) {
        struct cm_str rn = cm_json_raw(&m->doc, r);
        uint32_t mem = cm_json_getn(&m->doc, members, rn.p, rn.len);
        uint32_t loc =
            mem == CM_JSON_NONE ? CM_JSON_NONE : cm_json_get(&m->doc, mem, "locationName");
        struct cm_str jn = loc != CM_JSON_NONE ? cm_json_raw(&m->doc, loc) : rn;
        if (cm_json_getn(c->d, v, jn.p, jn.len) == CM_JSON_NONE) {
            snprintf(sub, sizeof(sub), "%s.%.*s", path, (int)jn.len, jn.p);
            problem(c, sub, "required member missing");
        }
    }
}

static inline void check_value(struct check *c, const char *shape, uint32_t v, const char *path)
{
    const struct model *m = c->m;
    uint32_t sh = cm_json_get(&m->doc, m->shapes, shape);
    enum cm_json_type jt = cm_json_type(c->d, v);
    struct cm_str t;
    char name[128], sub[512];

    if (sh == CM_JSON_NONE) {
        problem(c, path, "shape missing from the model");
        return;
    }
    t = cm_json_raw(&m->doc, cm_json_get(&m->doc, sh, "type"));
    if (cm_str_eqc(t, "structure")) {
        check_structure(c, sh, v, path);
    } else if (cm_str_eqc(t, "list")) {
        uint32_t i = 0;
        if (jt != CM_JSON_ARRAY) {
            problem(c, path, "expected an array (list)");
            return;
        }
        shape_of(m, cm_json_get(&m->doc, sh, "member"), name, sizeof(name));
        for (uint32_t e = cm_json_first(c->d, v); e != CM_JSON_NONE; e = cm_json_next(c->d, v, e)) {
            snprintf(sub, sizeof(sub), "%s[%u]", path, i++);
            check_value(c, name, e, sub);
        }
    } else if (cm_str_eqc(t, "map")) {
        if (jt != CM_JSON_OBJECT) {
            problem(c, path, "expected an object (map)");
            return;
        }
        shape_of(m, cm_json_get(&m->doc, sh, "value"), name, sizeof(name));
        for (uint32_t k = cm_json_first(c->d, v); k != CM_JSON_NONE;
             k = cm_json_next(c->d, v, k + 1)) {
            check_value(c, name, k + 1, path);
        }
    } else if (cm_str_eqc(t, "string")) {
        check_string(c, sh, v, path);
    } else if (cm_str_eqc(t, "integer") || cm_str_eqc(t, "long")) {
        if (jt != CM_JSON_NUMBER || !(cm_json_at(c->d, v)->tag & CM_JSON_F_INTEGER)) {
            problem(c, path, "expected an integer");
        }
    } else if (cm_str_eqc(t, "double") || cm_str_eqc(t, "float")) {
        if (jt != CM_JSON_NUMBER) {
            problem(c, path, "expected a number");
        }
    } else if (cm_str_eqc(t, "boolean")) {
        if (jt != CM_JSON_TRUE && jt != CM_JSON_FALSE) {
            problem(c, path, "expected a boolean");
        }
    } else if (cm_str_eqc(t, "timestamp")) {
        /* restJson1: a model timestamp (no timestampFormat) is epoch seconds on the wire */
        if (jt != CM_JSON_NUMBER) {
            problem(c, path, "expected a timestamp (epoch seconds, a number)");
        }
    } else {
        problem(c, path, "unsupported shape type");
    }
}

/* Validates JSON text as a Finding; returns the number of problems (first in c->err). */
static inline int validate(const struct model *m, const char *json, size_t len,
                           uint32_t (*pick)(const struct cm_json_doc *), char *err, size_t errlen)
{
    struct cm_json_doc d;
    struct check c;

    memset(&c, 0, sizeof(c));
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, json, len, NULL), 0);
    c.m = m;
    c.d = &d;
    c.event_form = pick != NULL;
    check_value(&c, "Finding", pick ? pick(&d) : 0, "$");
    snprintf(err, errlen, "%s", c.err);
    cm_json_doc_finish(&d);
    return c.nerr;
}

static inline uint32_t pick_detail(const struct cm_json_doc *d)
{
    uint32_t n = cm_json_get(d, 0, "detail");
    assert_int_not_equal(n, CM_JSON_NONE);
    return n;
}

/* Validates f in API form and in its EventBridge event's detail; fails the test naming label. */
static inline void check_finding_forms(const struct model *m, const struct cm_finding *f,
                                       const char *label)
{
    struct cm_buf b;
    char err[512];
    int bad;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_json(f, CM_FORM_API, &b), 0);
    bad = validate(m, b.p, b.len, NULL, err, sizeof(err));
    if (bad) {
        fail_msg("%s (API form): %d problems, first %s\n%s", label, bad, err, b.p);
    }
    cm_buf_reset(&b);
    assert_int_equal(cm_finding_to_eventbridge(f, 0, &b), 0);
    bad = validate(m, b.p, b.len, pick_detail, err, sizeof(err));
    if (bad) {
        fail_msg("%s (event form): %d problems, first %s", label, bad, err);
    }
    cm_buf_finish(&b);
}

#endif
