/*
 * What every target receives (target.h, cm_target_check / cm_target_deliver):
 * the members of a spec that every kind takes, EventBridge's Input,
 * InputPath and InputTransformer as "input", "input_path" and
 * "input_transformer": {"input_paths_map": {...}, "input_template": "..."}.
 * They are split off the spec here, checked and compiled with
 * lib/route/transform.h, and applied to the event before the kind sees it;
 * the kind gets the rest of the spec and never knows. The stored event (the
 * outbox row) stays the whole event: the transform is applied at each
 * delivery.
 */
#include "bus/target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "bus/target_impl.h"
#include "route/transform.h"

#define SPLIT_MAX_NODES 8192

enum { M_INPUT = 0, M_PATH, M_TRANSFORMER, M_COUNT };

static const char *const input_members[M_COUNT] = {"input", "input_path", "input_transformer"};

/* A spec split in two: the kind's members (rest) and the compiled transform. */
struct split {
    struct cm_json_doc doc;
    struct cm_buf rest;  /* the kind's spec, compact JSON */
    struct cm_buf canon; /* the input members' canonical form, without braces */
    struct cm_transform *tf;
    struct cm_transform_var *vars;
    char **strs; /* unescaped strings, freed at the end */
    size_t nstrs;
};

static int fail(char *err, size_t errlen, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, const char *prefix, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (errlen > 0) {
        size_t n;

        snprintf(err, errlen, "%s", prefix);
        n = strlen(err);
        cm_target_printable(err + n, errlen - n, msg, strlen(msg));
    }
    return CM_EINVAL;
}

static void split_finish(struct split *sp)
{
    cm_json_doc_finish(&sp->doc);
    cm_buf_finish(&sp->rest);
    cm_buf_finish(&sp->canon);
    cm_transform_destroy(sp->tf);
    for (size_t i = 0; i < sp->nstrs; i++) {
        cm_free(sp->strs[i]);
    }
    cm_free(sp->strs);
    cm_free(sp->vars);
}

/* String node i of the spec, unescaped and kept until split_finish; NULL: not a string. */
static const char *str_of(struct split *sp, uint32_t i, int *rc)
{
    struct cm_str raw;
    char *s, **grown;
    size_t n;

    *rc = 0;
    if (cm_json_type(&sp->doc, i) != CM_JSON_STRING) {
        return NULL;
    }
    raw = cm_json_raw(&sp->doc, i);
    grown = cm_realloc(sp->strs, (sp->nstrs + 1) * sizeof(*grown));
    s = grown != NULL ? cm_malloc(raw.len + 1) : NULL;
    if (grown != NULL) {
        sp->strs = grown;
    }
    if (s == NULL) {
        *rc = CM_ENOMEM;
        return NULL;
    }
    n = cm_json_unescape(raw.p, raw.len, s);
    s[n] = '\0';
    sp->strs[sp->nstrs++] = s;
    if (memchr(s, '\0', n) != NULL) {
        *rc = CM_EINVAL;
        return NULL;
    }
    return s;
}

static int var_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cm_transform_var *)a)->name,
                  ((const struct cm_transform_var *)b)->name);
}

/* input_transformer: {"input_paths_map": {name: path, ...}, "input_template": "..."}. */
static int read_transformer(struct split *sp, uint32_t obj, struct cm_transform_def *def,
                            const char *prefix, char *err, size_t errlen)
{
    const struct cm_json_doc *d = &sp->doc;
    uint32_t map = CM_JSON_NONE, tpl = CM_JSON_NONE;
    int rc;

    if (cm_json_type(d, obj) != CM_JSON_OBJECT) {
        return fail(err, errlen, prefix,
                    "input_transformer: must be an object with "
                    "input_template and (optionally) input_paths_map");
    }
    for (uint32_t k = cm_json_first(d, obj); k != CM_JSON_NONE; k = cm_json_next(d, obj, k + 1)) {
        const char *name = str_of(sp, k, &rc);

        if (rc == CM_ENOMEM) {
            return rc;
        }
        if (name != NULL && strcmp(name, "input_paths_map") == 0 && map == CM_JSON_NONE) {
            map = k + 1;
        } else if (name != NULL && strcmp(name, "input_template") == 0 && tpl == CM_JSON_NONE) {
            tpl = k + 1;
        } else {
            return fail(err, errlen, prefix,
                        "input_transformer.%s: unknown or repeated member (it takes "
                        "input_paths_map and input_template)",
                        name != NULL ? name : "?");
        }
    }
    if (tpl == CM_JSON_NONE || (def->text = str_of(sp, tpl, &rc)) == NULL) {
        return rc == CM_ENOMEM ? rc
                               : fail(err, errlen, prefix,
                                      "input_transformer.input_template: required, a string "
                                      "without NUL characters");
    }
    def->len = strlen(def->text);
    def->mode = CM_TRANSFORM_TEMPLATE;
    if (map == CM_JSON_NONE || cm_json_type(d, map) == CM_JSON_NULL) {
        return 0;
    }
    if (cm_json_type(d, map) != CM_JSON_OBJECT) {
        return fail(err, errlen, prefix,
                    "input_transformer.input_paths_map: must be an object "
                    "of JSONPath strings");
    }
    if (cm_json_at(d, map)->len > CM_TRANSFORM_MAX_VARS) {
        return fail(err, errlen, prefix,
                    "input_transformer.input_paths_map: more than %d "
                    "variables",
                    CM_TRANSFORM_MAX_VARS);
    }
    sp->vars = cm_calloc(cm_json_at(d, map)->len + 1, sizeof(*sp->vars));
    if (sp->vars == NULL) {
        return CM_ENOMEM;
    }
    for (uint32_t k = cm_json_first(d, map); k != CM_JSON_NONE; k = cm_json_next(d, map, k + 1)) {
        struct cm_transform_var *v = &sp->vars[def->nvars];

        if ((v->name = str_of(sp, k, &rc)) == NULL || (v->path = str_of(sp, k + 1, &rc)) == NULL) {
            return rc == CM_ENOMEM ? rc
                                   : fail(err, errlen, prefix,
                                          "input_transformer.input_paths_map.%s: must be a "
                                          "JSONPath string",
                                          v->name != NULL ? v->name : "?");
        }
        for (size_t j = 0; j < def->nvars; j++) {
            if (strcmp(sp->vars[j].name, v->name) == 0) {
                return fail(err, errlen, prefix,
                            "input_transformer.input_paths_map.%s: given "
                            "twice",
                            v->name);
            }
        }
        def->nvars++;
    }
    qsort(sp->vars, def->nvars, sizeof(*sp->vars), var_cmp);
    def->vars = sp->vars;
    return 0;
}

/* The canonical form of the input member: "input":"..." and so on (no braces). */
static int write_canon(struct split *sp, const struct cm_transform_def *def)
{
    struct cm_jw jw;
    size_t n;

    if (def->mode == CM_TRANSFORM_EVENT) {
        return 0;
    }
    cm_jw_init(&jw, &sp->canon);
    cm_jw_obj_begin(&jw);
    if (def->mode == CM_TRANSFORM_TEMPLATE) {
        cm_jw_key(&jw, "input_transformer");
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "input_paths_map");
        cm_jw_obj_begin(&jw);
        for (size_t i = 0; i < def->nvars; i++) {
            cm_jw_key(&jw, def->vars[i].name);
            cm_jw_str(&jw, def->vars[i].path);
        }
        cm_jw_obj_end(&jw);
        cm_jw_key(&jw, "input_template");
        cm_jw_strn(&jw, def->text, def->len);
        cm_jw_obj_end(&jw);
    } else {
        cm_jw_key(&jw, def->mode == CM_TRANSFORM_INPUT ? "input" : "input_path");
        cm_jw_strn(&jw, def->text, def->len);
    }
    cm_jw_obj_end(&jw);
    if (cm_jw_finish(&jw) != 0) {
        return CM_ENOMEM;
    }
    /* Keep the members only: drop the braces. */
    n = sp->canon.len;
    memmove(sp->canon.p, sp->canon.p + 1, n - 2);
    sp->canon.len = n - 2;
    sp->canon.p[sp->canon.len] = '\0';
    return 0;
}

/*
 * Splits spec into the kind's members and the input members, and compiles
 * the latter. A spec that is not a JSON object goes to the kind as it is
 * (its check says what is wrong).
 */
static int split_spec(struct split *sp, const char *spec, size_t len, const char *prefix, char *err,
                      size_t errlen)
{
    const struct cm_json_doc *d = &sp->doc;
    struct cm_transform_def def;
    uint32_t at[M_COUNT] = {CM_JSON_NONE, CM_JSON_NONE, CM_JSON_NONE};
    struct cm_jw jw;
    int rc, given = 0;

    memset(sp, 0, sizeof(*sp));
    memset(&def, 0, sizeof(def));
    cm_json_doc_init(&sp->doc, SPLIT_MAX_NODES, 16);
    cm_buf_init(&sp->rest, 0);
    cm_buf_init(&sp->canon, 0);
    if (len > CM_TARGET_SPEC_MAX || cm_json_parse(&sp->doc, spec, len, NULL) != 0 ||
        cm_json_type(d, 0) != CM_JSON_OBJECT) {
        return cm_buf_append(&sp->rest, spec, len);
    }
    cm_jw_init(&jw, &sp->rest);
    cm_jw_obj_begin(&jw);
    for (uint32_t k = cm_json_first(d, 0); k != CM_JSON_NONE; k = cm_json_next(d, 0, k + 1)) {
        const char *name = str_of(sp, k, &rc);
        int m = 0;

        if (rc == CM_ENOMEM) {
            return rc;
        }
        while (name != NULL && m < M_COUNT && strcmp(name, input_members[m]) != 0) {
            m++;
        }
        if (name == NULL || m == M_COUNT) {
            struct cm_str raw = cm_json_raw(d, k);

            cm_jw_keyn(&jw, name != NULL ? name : raw.p, name != NULL ? strlen(name) : raw.len);
            cm_jw_node(&jw, d, k + 1);
            continue;
        }
        if (at[m] != CM_JSON_NONE) {
            return fail(err, errlen, prefix, "%s: given twice", name);
        }
        at[m] = k + 1;
        given += cm_json_type(d, k + 1) != CM_JSON_NULL;
    }
    cm_jw_obj_end(&jw);
    if ((rc = cm_jw_finish(&jw)) != 0) {
        return rc;
    }
    if (given > 1) {
        return fail(err, errlen, prefix,
                    "input, input_path and input_transformer: give at most "
                    "one (as EventBridge's Input, InputPath and InputTransformer)");
    }
    for (int m = 0; m < M_COUNT; m++) {
        if (at[m] == CM_JSON_NONE || cm_json_type(d, at[m]) == CM_JSON_NULL) {
            continue;
        }
        if (m == M_TRANSFORMER) {
            rc = read_transformer(sp, at[m], &def, prefix, err, errlen);
        } else if ((def.text = str_of(sp, at[m], &rc)) == NULL) {
            rc = rc == CM_ENOMEM ? rc
                                 : fail(err, errlen, prefix,
                                        m == M_INPUT ? "input: must be a string of JSON text"
                                                     : "input_path: must be a JSONPath string");
        } else {
            def.len = strlen(def.text);
            def.mode = m == M_INPUT ? CM_TRANSFORM_INPUT : CM_TRANSFORM_PATH;
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (def.mode != CM_TRANSFORM_EVENT) {
        char why[400];

        rc = cm_transform_compile(&def, &sp->tf, why, sizeof(why));
        if (rc != 0) {
            return rc == CM_ENOMEM ? rc : fail(err, errlen, prefix, "%s", why);
        }
    }
    return write_canon(sp, &def);
}

int cm_target_check(const struct cm_target_kind *k, const char *spec, size_t len,
                    struct cm_buf *canon, char *err, size_t errlen)
{
    struct split sp;
    size_t mark = canon != NULL ? canon->len : 0;
    int rc;

    if (errlen > 0) {
        err[0] = '\0';
    }
    rc = split_spec(&sp, spec, len, "", err, errlen);
    if (rc == 0 && k == &cm_target_file && cm_transform_has_newline(sp.tf)) {
        rc = fail(err, errlen, "",
                  "input_transformer.input_template: holds a line break, and a "
                  "file target writes each event as one line");
    }
    if (rc == 0) {
        rc = k->check(sp.rest.p, sp.rest.len, canon, err, errlen);
    }
    if (rc == 0 && canon != NULL && sp.canon.len > 0 && canon->len > mark &&
        canon->p[canon->len - 1] == '}') {
        canon->len--;
        if (canon->len > mark && canon->p[canon->len - 1] != '{') {
            rc = cm_buf_putc(canon, ',');
        }
        if (rc == 0) {
            rc = cm_buf_append(canon, sp.canon.p, sp.canon.len);
        }
        if (rc == 0) {
            rc = cm_buf_putc(canon, '}');
        }
    }
    if (rc == CM_ENOMEM && errlen > 0 && err[0] == '\0') {
        snprintf(err, errlen, "out of memory");
    }
    if (rc != 0 && canon != NULL) {
        canon->len = mark;
        if (canon->p != NULL) {
            canon->p[mark] = '\0';
        }
    }
    split_finish(&sp);
    return rc;
}

int cm_target_deliver(const struct cm_target_kind *k, const char *spec, size_t len,
                      const char *event, size_t evlen, const struct cm_target_ctx *ctx, char *err,
                      size_t errlen)
{
    struct cm_target_ctx c = *cm_target_ctx_or_empty(ctx);
    struct cm_transform_env env = {c.rule, c.ingestion_ms};
    char prefix[48];
    struct cm_buf payload;
    struct split sp;
    int rc;

    if (errlen > 0) {
        err[0] = '\0';
    }
    snprintf(prefix, sizeof(prefix), "%s: bad spec: ", k->name);
    cm_buf_init(&payload, 0);
    rc = split_spec(&sp, spec, len, prefix, err, errlen);
    if (rc == 0 && sp.tf == NULL) {
        rc = k->deliver(sp.rest.p, sp.rest.len, event, evlen, ctx, err, errlen);
    } else if (rc == 0) {
        rc = cm_transform_apply(sp.tf, event, evlen, &env, &payload, err, errlen);
        c.text = !cm_transform_is_json(sp.tf);
        if (rc == 0) {
            rc = k->deliver(sp.rest.p, sp.rest.len, payload.p != NULL ? payload.p : "", payload.len,
                            &c, err, errlen);
        }
    }
    if (rc == CM_ENOMEM && errlen > 0 && err[0] == '\0') {
        snprintf(err, errlen, "out of memory");
    }
    cm_buf_finish(&payload);
    split_finish(&sp);
    return rc;
}
