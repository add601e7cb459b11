/*
 * Target input (transform.h): compiling Input, InputPath and
 * InputTransformer definitions, and making what a target receives.
 *
 * A template is cut once into segments: literal runs and placeholders,
 * each placeholder with its context (a JSON value, inside a string, or
 * plain text), found by one scan that tracks double-quoted strings and
 * their escapes. A JSON template is checked by filling every placeholder
 * (null as a value, nothing in a string) and parsing the result. Applying
 * parses the event once, evaluates each placeholder's JSONPath on the tape
 * and appends the pieces to the caller's buffer; a JSON result is then
 * minified in place.
 */
#include "route/transform.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "route/jpath.h"

#define TEMPLATE_MEMBER "input_transformer.input_template"
#define NAME_MAX_SHOW   60

/* Predefined variables: negative ids of a placeholder. */
enum {
    PRE_RULE_NAME = -1,
    PRE_RULE_ARN = -2,
    PRE_INGESTION = -3,
    PRE_EVENT = -4,
    PRE_EVENT_JSON = -5,
};

static const struct {
    const char *name;
    int id;
} predefined[] = {
    {"aws.events.rule-name", PRE_RULE_NAME},
    {"aws.events.rule-arn", PRE_RULE_ARN},
    {"aws.events.event.ingestion-time", PRE_INGESTION},
    {"aws.events.event", PRE_EVENT},
    {"aws.events.event.json", PRE_EVENT_JSON},
};

enum seg_ctx { CTX_VALUE = 0, CTX_STRING, CTX_TEXT };

struct seg {
    int32_t var;  /* 0: literal; > 0: vars[var - 1]; < 0: predefined */
    uint8_t ctx;  /* enum seg_ctx, placeholders only */
    uint32_t off; /* in text */
    uint32_t len;
};

struct cm_transform {
    enum cm_transform_mode mode;
    char *text; /* owned: input minified, or the template */
    size_t len;
    bool json, newline;
    struct cm_jpath path; /* path mode */
    struct cm_jpath *vars;
    size_t nvars;
    struct seg *seg;
    size_t nseg;
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* Appends s[from..) of out minified: whitespace outside strings dropped. */
static void minify(struct cm_buf *out, size_t from)
{
    size_t w = from;
    bool in_str = false;

    for (size_t i = from; i < out->len; i++) {
        char c = out->p[i];

        if (in_str && c == '\\' && i + 1 < out->len) {
            out->p[w++] = c;
            out->p[w++] = out->p[++i];
            continue;
        }
        if (c == '"') {
            in_str = !in_str;
        } else if (!in_str && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
            continue;
        }
        out->p[w++] = c;
    }
    out->len = w;
    if (out->p != NULL) {
        out->p[w] = '\0';
    }
}

static bool var_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

/* The id of placeholder name s[0..n): > 0 a variable, < 0 predefined, 0 none. */
static int32_t var_id(const struct cm_transform_def *def, const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(predefined) / sizeof(predefined[0]); i++) {
        if (strlen(predefined[i].name) == n && memcmp(predefined[i].name, s, n) == 0) {
            return predefined[i].id;
        }
    }
    for (size_t i = 0; i < def->nvars; i++) {
        if (strlen(def->vars[i].name) == n && memcmp(def->vars[i].name, s, n) == 0) {
            return (int32_t)i + 1;
        }
    }
    return 0;
}

static void add_seg(struct cm_transform *t, int32_t var, uint8_t ctx, size_t off, size_t len)
{
    if (var == 0 && len == 0) {
        return;
    }
    t->seg[t->nseg].var = var;
    t->seg[t->nseg].ctx = ctx;
    t->seg[t->nseg].off = (uint32_t)off;
    t->seg[t->nseg++].len = (uint32_t)len;
}

/* Byte of the template where byte fo of the filled-in check text comes from. */
static size_t template_off(const struct cm_transform *t, size_t fo)
{
    size_t pos = 0;

    for (size_t k = 0; k < t->nseg; k++) {
        const struct seg *g = &t->seg[k];
        size_t flen = g->var == 0 ? g->len : g->ctx == CTX_VALUE ? 4 : 0;

        if (fo < pos + flen) {
            return g->var == 0 ? g->off + (fo - pos) : g->off;
        }
        pos += flen;
    }
    return t->len;
}

/* A JSON template with each placeholder filled (null, or nothing in a string) must parse. */
static int check_json(const struct cm_transform *t, char *err, size_t errlen)
{
    struct cm_json_doc d;
    struct cm_diag diag;
    struct cm_buf b;
    int rc = 0;

    cm_buf_init(&b, 0);
    for (size_t k = 0; rc == 0 && k < t->nseg; k++) {
        const struct seg *g = &t->seg[k];

        if (g->var == 0) {
            rc = cm_buf_append(&b, t->text + g->off, g->len);
        } else if (g->ctx == CTX_VALUE) {
            rc = cm_buf_puts(&b, "null");
        }
    }
    cm_json_doc_init(&d, 0, 0);
    cm_diag_clear(&diag);
    if (rc == 0 && (rc = cm_json_parse(&d, b.p ? b.p : "", b.len, &diag)) != 0 && rc != CM_ENOMEM) {
        rc = fail(err, errlen, CM_EINVAL,
                  "%s: byte %zu: starts with { or [ but is not JSON once each placeholder is "
                  "filled in: %s",
                  TEMPLATE_MEMBER, template_off(t, diag.offset), diag.msg);
    }
    cm_json_doc_finish(&d);
    cm_buf_finish(&b);
    return rc;
}

/* At the closing quote at i of a string that held a placeholder: is it an object key? */
static bool is_key(const char *s, size_t n, size_t i)
{
    for (i++; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'); i++) {
    }
    return i < n && s[i] == ':';
}

/* Cuts the template into segments, checking where each placeholder is. */
static int compile_template(struct cm_transform *t, const struct cm_transform_def *def, char *err,
                            size_t errlen)
{
    const char *s = t->text;
    size_t n = t->len, lit = 0, i = 0, j, ph_at = 0;
    bool in_str = false, has_ph = false;

    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
        i++;
    }
    t->json = i < n && (s[i] == '{' || s[i] == '[');
    t->seg = cm_calloc(n + 1, sizeof(*t->seg));
    if (t->seg == NULL) {
        return CM_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        int32_t id;

        if (in_str && s[i] == '\\') {
            i++;
            continue;
        }
        if (s[i] == '"') {
            if (in_str && has_ph && t->json && is_key(s, n, i)) {
                return fail(err, errlen, CM_EINVAL,
                            "%s: byte %zu: a placeholder cannot be (in) an object key",
                            TEMPLATE_MEMBER, ph_at);
            }
            in_str = !in_str;
            has_ph = false;
            continue;
        }
        t->newline |= !t->json && (s[i] == '\n' || s[i] == '\r');
        if (s[i] != '<') {
            continue;
        }
        for (j = i + 1; j < n && var_char(s[j]); j++) {
        }
        if (j == i + 1 || j == n || s[j] != '>' || (id = var_id(def, s + i + 1, j - i - 1)) == 0) {
            continue; /* not a placeholder: literal text (Slack's <url|text>, a < b) */
        }
        add_seg(t, 0, 0, lit, i - lit);
        add_seg(t, id, in_str ? CTX_STRING : t->json ? CTX_VALUE : CTX_TEXT, i, j + 1 - i);
        if ((id == PRE_EVENT || id == PRE_EVENT_JSON) && t->seg[t->nseg - 1].ctx != CTX_VALUE) {
            return fail(err, errlen, CM_EINVAL,
                        "%s: byte %zu: <%.*s> can only be the value of a JSON field (its "
                        "contents are not escaped)",
                        TEMPLATE_MEMBER, i, (int)(j - i - 1), s + i + 1);
        }
        ph_at = has_ph || !in_str ? ph_at : i;
        has_ph |= in_str;
        lit = j + 1;
        i = j;
    }
    add_seg(t, 0, 0, lit, n - lit);
    return t->json ? check_json(t, err, errlen) : 0;
}

/* Checks and parses the InputPathsMap. */
static int compile_vars(struct cm_transform *t, const struct cm_transform_def *def, char *err,
                        size_t errlen)
{
    struct cm_diag diag;
    int rc;

    if (def->nvars > CM_TRANSFORM_MAX_VARS) {
        return fail(err, errlen, CM_E2BIG,
                    "input_transformer.input_paths_map: more than %d "
                    "variables",
                    CM_TRANSFORM_MAX_VARS);
    }
    t->vars = cm_calloc(def->nvars + 1, sizeof(*t->vars));
    if (t->vars == NULL) {
        return CM_ENOMEM;
    }
    t->nvars = def->nvars;
    for (size_t i = 0; i < def->nvars; i++) {
        const char *name = def->vars[i].name;
        size_t k = 0, nlen = strlen(name);

        while (k < nlen && var_char(name[k]) && name[k] != '.') {
            k++;
        }
        if (nlen == 0 || nlen > CM_TRANSFORM_MAX_NAME || k < nlen) {
            return fail(err, errlen, CM_EINVAL,
                        "input_transformer.input_paths_map: \"%.*s\": a name takes 1 to %d "
                        "letters, digits, _ and -",
                        NAME_MAX_SHOW, name, CM_TRANSFORM_MAX_NAME);
        }
        if (strncmp(name, "AWS", 3) == 0) {
            return fail(err, errlen, CM_EINVAL,
                        "input_transformer.input_paths_map.%s: names cannot start with AWS", name);
        }
        rc =
            cm_jpath_parse(def->vars[i].path, strlen(def->vars[i].path), false, &t->vars[i], &diag);
        if (rc != 0) {
            return fail(err, errlen, rc, "input_transformer.input_paths_map.%s: byte %zu: %s", name,
                        diag.offset, diag.msg);
        }
    }
    return 0;
}

int cm_transform_compile(const struct cm_transform_def *def, struct cm_transform **out, char *err,
                         size_t errlen)
{
    struct cm_transform *t = cm_calloc(1, sizeof(*t));
    struct cm_json_doc d;
    struct cm_diag diag;
    struct cm_buf b;
    int rc = 0;

    *out = NULL;
    if (errlen > 0) {
        err[0] = '\0';
    }
    if (t == NULL) {
        return CM_ENOMEM;
    }
    t->mode = def->mode;
    t->json = def->mode != CM_TRANSFORM_TEMPLATE;
    switch (def->mode) {
    case CM_TRANSFORM_EVENT:
        break;
    case CM_TRANSFORM_INPUT:
        cm_buf_init(&b, 0);
        cm_json_doc_init(&d, 0, 0);
        cm_diag_clear(&diag);
        if (def->len > CM_TRANSFORM_MAX_TEXT) {
            rc = fail(err, errlen, CM_E2BIG, "input: longer than %d bytes", CM_TRANSFORM_MAX_TEXT);
        } else if ((rc = cm_json_parse(&d, def->text, def->len, &diag)) != 0 && rc != CM_ENOMEM) {
            rc = fail(err, errlen, CM_EINVAL, "input: not JSON: byte %zu: %s", diag.offset,
                      diag.msg);
        } else if (rc == 0 && (rc = cm_buf_append(&b, def->text, def->len)) == 0) {
            minify(&b, 0);
            t->text = cm_buf_take(&b, &t->len);
            rc = t->text == NULL ? CM_ENOMEM : 0;
        }
        cm_json_doc_finish(&d);
        cm_buf_finish(&b);
        break;
    case CM_TRANSFORM_PATH:
        rc = cm_jpath_parse(def->text, def->len, true, &t->path, &diag);
        if (rc != 0) {
            rc = fail(err, errlen, rc, "input_path: byte %zu: %s", diag.offset, diag.msg);
        }
        break;
    case CM_TRANSFORM_TEMPLATE:
        if (def->len == 0 || def->len > CM_TRANSFORM_MAX_TEXT) {
            rc = fail(err, errlen, CM_EINVAL, "%s: must be 1 to %d bytes", TEMPLATE_MEMBER,
                      CM_TRANSFORM_MAX_TEXT);
            break;
        }
        if ((t->text = cm_malloc(def->len + 1)) == NULL) {
            rc = CM_ENOMEM;
            break;
        }
        memcpy(t->text, def->text, def->len);
        t->text[def->len] = '\0';
        t->len = def->len;
        if ((rc = compile_vars(t, def, err, errlen)) == 0) {
            rc = compile_template(t, def, err, errlen);
        }
        break;
    default:
        rc = fail(err, errlen, CM_EINVAL, "unknown transform mode");
    }
    if (rc == CM_ENOMEM) {
        fail(err, errlen, rc, "out of memory");
    }
    if (rc != 0) {
        cm_transform_destroy(t);
        return rc;
    }
    *out = t;
    return 0;
}

void cm_transform_destroy(struct cm_transform *t)
{
    if (t == NULL) {
        return;
    }
    cm_free(t->text);
    cm_free(t->vars);
    cm_free(t->seg);
    cm_free(t);
}

bool cm_transform_is_json(const struct cm_transform *t)
{
    return t == NULL || t->json;
}

bool cm_transform_has_newline(const struct cm_transform *t)
{
    return t != NULL && t->newline;
}

/* What one placeholder reaches: a node, a list (a wildcard path), or nothing. */
struct reach {
    const struct cm_json_doc *d;
    uint32_t first;
    uint32_t count;
    bool list;
};

/* Appends JSON text j (n bytes) with its double quotes removed (an escaped one too). */
static int put_unquoted(struct cm_buf *out, const char *j, size_t n)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (j[i] == '\\' && i + 1 < n) {
            if (j[i + 1] != '"') {
                rc = cm_buf_append(out, j + i, 2);
            }
            i++;
        } else if (j[i] != '"') {
            rc = cm_buf_putc(out, j[i]);
        }
    }
    return rc;
}

/* Appends the JSON of node i to out, compact. */
static int put_json(struct cm_buf *out, const struct cm_json_doc *d, uint32_t i)
{
    struct cm_jw jw;

    cm_jw_init(&jw, out);
    cm_jw_node(&jw, d, i);
    return cm_jw_finish(&jw);
}

struct list_ctx {
    struct cm_buf *out;
    const struct cm_json_doc *d;
    int rc;
    bool first;
};

static bool list_one(void *ud, uint32_t node)
{
    struct list_ctx *c = ud;

    if (!c->first && c->rc == 0) {
        c->rc = cm_buf_putc(c->out, ',');
    }
    c->first = false;
    if (c->rc == 0) {
        c->rc = put_json(c->out, c->d, node);
    }
    return c->rc == 0;
}

static bool take_first(void *ud, uint32_t node)
{
    *(uint32_t *)ud = node;
    return false;
}

/* Appends what path p reaches in d as JSON: a value, an array (wildcards) or null. */
static int put_path_json(struct cm_buf *out, const struct cm_jpath *p, const struct cm_json_doc *d)
{
    struct list_ctx c = {out, d, 0, true};
    uint32_t node = CM_JSON_NONE;

    if (!p->wild) {
        cm_jpath_eval(p, d, 0, take_first, &node);
        return node == CM_JSON_NONE ? cm_buf_puts(out, "null") : put_json(out, d, node);
    }
    if ((c.rc = cm_buf_putc(out, '[')) == 0) {
        cm_jpath_eval(p, d, 0, list_one, &c);
    }
    return c.rc != 0 ? c.rc : cm_buf_putc(out, ']');
}

/* Appends string s (n bytes, unescaped) in context ctx. */
static int put_str(struct cm_buf *out, uint8_t ctx, const char *s, size_t n)
{
    int rc = 0;

    if (ctx == CTX_TEXT) {
        return cm_buf_append(out, s, n);
    }
    if (ctx == CTX_VALUE) {
        rc = cm_buf_putc(out, '"');
    }
    if (rc == 0) {
        rc = cm_json_escape(out, s, n);
    }
    if (rc == 0 && ctx == CTX_VALUE) {
        rc = cm_buf_putc(out, '"');
    }
    return rc;
}

/* A user variable's value in context ctx. */
static int put_var(struct cm_buf *out, uint8_t ctx, const struct cm_jpath *p,
                   const struct cm_json_doc *d)
{
    struct cm_buf tmp;
    uint32_t node = CM_JSON_NONE;
    int rc;

    if (ctx == CTX_VALUE) {
        return put_path_json(out, p, d);
    }
    if (!p->wild) {
        enum cm_json_type ty;
        struct cm_str raw;

        cm_jpath_eval(p, d, 0, take_first, &node);
        if (node == CM_JSON_NONE) {
            return 0; /* nothing in a string */
        }
        ty = cm_json_type(d, node);
        raw = cm_json_raw(d, node);
        if (ty == CM_JSON_STRING && ctx == CTX_STRING) {
            return cm_buf_append(out, raw.p, raw.len);
        }
        if (ty == CM_JSON_STRING) {
            char *u = cm_malloc(raw.len + 1);

            if (u == NULL) {
                return CM_ENOMEM;
            }
            rc = cm_buf_append(out, u, cm_json_unescape(raw.p, raw.len, u));
            cm_free(u);
            return rc;
        }
        if (ty == CM_JSON_NUMBER) {
            return cm_buf_append(out, raw.p, raw.len);
        }
    } else if (cm_jpath_eval(p, d, 0, take_first, &node) == 0) {
        return 0;
    }
    cm_buf_init(&tmp, 0);
    rc = put_path_json(&tmp, p, d);
    if (rc == 0) {
        rc = ctx == CTX_STRING ? put_unquoted(out, tmp.p, tmp.len)
                               : cm_buf_append(out, tmp.p, tmp.len);
    }
    cm_buf_finish(&tmp);
    return rc;
}

/* The event without its detail member (aws.events.event). */
static int put_event_sans_detail(struct cm_buf *out, const struct cm_json_doc *d)
{
    struct cm_jw jw;
    int rc = 0;

    if (cm_json_type(d, 0) != CM_JSON_OBJECT) {
        return put_json(out, d, 0);
    }
    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    for (uint32_t k = cm_json_first(d, 0); rc == 0 && k != CM_JSON_NONE;
         k = cm_json_next(d, 0, k + 1)) {
        struct cm_str key = cm_json_raw(d, k);
        char *kb = cm_malloc(key.len + 1);
        size_t kn;

        if (kb == NULL) {
            rc = CM_ENOMEM;
            break;
        }
        kn = cm_json_unescape(key.p, key.len, kb);
        if (kn != 6 || memcmp(kb, "detail", 6) != 0) {
            cm_jw_keyn(&jw, kb, kn);
            cm_jw_node(&jw, d, k + 1);
        }
        cm_free(kb);
    }
    cm_jw_obj_end(&jw);
    return rc != 0 ? rc : cm_jw_finish(&jw);
}

/* A top-level string member of the event, unescaped into buf (cap bytes), or "". */
static const char *top_str(const struct cm_json_doc *d, const char *key, char *buf, size_t cap)
{
    uint32_t v = cm_json_get(d, 0, key);
    struct cm_str raw;

    buf[0] = '\0';
    if (v != CM_JSON_NONE && cm_json_type(d, v) == CM_JSON_STRING) {
        raw = cm_json_raw(d, v);
        if (raw.len < cap) {
            buf[cm_json_unescape(raw.p, raw.len, buf)] = '\0';
        }
    }
    return buf;
}

/* A predefined variable's value in context ctx. */
static int put_predefined(struct cm_buf *out, const struct seg *g, const struct cm_json_doc *d,
                          const struct cm_transform_env *env)
{
    const char *rule = env != NULL && env->rule != NULL ? env->rule : "";
    char region[64], account[64], when[40];
    struct cm_buf tmp;
    int rc;

    switch (g->var) {
    case PRE_RULE_NAME:
        return put_str(out, g->ctx, rule, strlen(rule));
    case PRE_RULE_ARN:
        cm_buf_init(&tmp, 0);
        rc = cm_buf_printf(&tmp, "arn:aws:events:%s:%s:rule/%s",
                           top_str(d, "region", region, sizeof(region)),
                           top_str(d, "account", account, sizeof(account)), rule);
        if (rc == 0) {
            rc = put_str(out, g->ctx, tmp.p, tmp.len);
        }
        cm_buf_finish(&tmp);
        return rc;
    case PRE_INGESTION:
        cm_time_format_iso(env != NULL ? env->ingestion_ms : 0, when, sizeof(when));
        return put_str(out, g->ctx, when, strlen(when));
    case PRE_EVENT:
        return put_event_sans_detail(out, d);
    default:
        return put_json(out, d, 0);
    }
}

int cm_transform_apply(const struct cm_transform *t, const char *event, size_t len,
                       const struct cm_transform_env *env, struct cm_buf *out, char *err,
                       size_t errlen)
{
    struct cm_json_doc d;
    struct cm_diag diag;
    size_t mark = out->len;
    int rc = 0;

    if (t == NULL || t->mode == CM_TRANSFORM_EVENT) {
        return cm_buf_append(out, event, len);
    }
    if (t->mode == CM_TRANSFORM_INPUT) {
        return cm_buf_append(out, t->text, t->len);
    }
    cm_json_doc_init(&d, 0, 0);
    cm_diag_clear(&diag);
    if ((rc = cm_json_parse(&d, event, len, &diag)) != 0) {
        rc = fail(err, errlen, rc == CM_ENOMEM ? rc : CM_EINVAL,
                  "the event is not JSON: byte %zu: %s", diag.offset, diag.msg);
        goto done;
    }
    if (t->mode == CM_TRANSFORM_PATH) {
        rc = put_path_json(out, &t->path, &d);
        goto done;
    }
    for (size_t k = 0; rc == 0 && k < t->nseg; k++) {
        const struct seg *g = &t->seg[k];

        if (g->var == 0) {
            rc = cm_buf_append(out, t->text + g->off, g->len);
        } else if (g->var > 0) {
            rc = put_var(out, g->ctx, &t->vars[g->var - 1], &d);
        } else {
            rc = put_predefined(out, g, &d, env);
        }
    }
    if (rc == 0 && t->json) {
        minify(out, mark);
    }
done:
    if (rc != 0) {
        out->len = mark;
        if (errlen > 0 && err[0] == '\0') {
            fail(err, errlen, rc, "%s", cm_strerror(rc));
        }
    }
    cm_json_doc_finish(&d);
    return rc;
}
