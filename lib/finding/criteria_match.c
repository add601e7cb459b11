/*
 * Evaluating compiled finding criteria against a finding in GuardDuty API
 * JSON form, and the wildcard matcher of matches/notMatches.
 *
 * A path is resolved segment by segment through objects; an array met on the
 * way (or at the end) is fanned out so every element is tried, which gives
 * "any element" semantics: equals, matches and the range operators hold when
 * at least one reached value satisfies them, notEquals and notMatches hold when
 * none does (an absent attribute satisfies only the negative operators). The
 * API form stores service.additionalInfo as {"value": "<JSON text>", "type":
 * ...}; a path segment missing from such an object is looked up inside the
 * parsed "value" text, so service.additionalInfo.threatListName works on both
 * the API and the EventBridge form.
 */
#include "finding/criteria.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/time.h"
#include "finding/criteria_impl.h"

#define WALK_MAX_DEPTH  64   /* nested arrays and segments per path */
#define LEAF_STACK_BUF  512  /* unescape escaped leaves up to this on the stack */
#define EMBED_MAX_NODES 4096 /* cap on the tape of an embedded additionalInfo.value */

struct walk {
    const struct crit_term *t;
    int depth;
    bool embedded; /* inside an additionalInfo.value document already */
};

bool cm_crit_parse_number(struct cm_str s, double *out)
{
    char buf[64];
    char *end = NULL;
    size_t i = 0;

    if (s.len == 0 || s.len >= sizeof(buf)) {
        return false;
    }
    if (s.p[0] == '-') {
        i++;
    }
    if (i >= s.len || s.p[i] < '0' || s.p[i] > '9') {
        return false;
    }
    for (; i < s.len; i++) {
        char ch = s.p[i];

        if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == 'E' || ch == '+' ||
              ch == '-')) {
            return false;
        }
    }
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    *out = strtod(buf, &end);
    return end == buf + s.len && isfinite(*out);
}

/* Length of the UTF-8 sequence starting at s[i], clamped to the slice. */
static size_t u8len(struct cm_str s, size_t i)
{
    unsigned char c = (unsigned char)s.p[i];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

    return i + n <= s.len ? n : s.len - i;
}

bool cm_glob_match(struct cm_str pat, struct cm_str s)
{
    size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;

    while (i < s.len) {
        if (p < pat.len && pat.p[p] == '*') {
            star_p = ++p;
            star_i = i;
        } else if (p < pat.len && pat.p[p] == '?') {
            i += u8len(s, i);
            p++;
        } else if (p < pat.len && pat.p[p] == s.p[i]) {
            i++;
            p++;
        } else if (star_p != SIZE_MAX) {
            star_i += u8len(s, star_i);
            i = star_i;
            p = star_p;
        } else {
            return false;
        }
    }
    while (p < pat.len && pat.p[p] == '*') {
        p++;
    }
    return p == pat.len;
}

/* Numeric view of a leaf for NUMBER/TIME/ANY terms; false when it has none. A time is
 * compared in epoch milliseconds, as criteria give it (filter-fields.txt); a time the
 * finding holds as a JSON number is a model timestamp, which the API writes in epoch
 * seconds (s3BucketDetails[].createdAt, spec §2.1), so it is scaled. */
static bool leaf_num(const struct cm_json_doc *d, uint32_t i, struct cm_str text,
                     enum cm_crit_type ty, double *out)
{
    int64_t ms;

    if (cm_json_type(d, i) == CM_JSON_NUMBER) {
        if (cm_json_f64(d, i, out) != 0) {
            return false;
        }
        if (ty == CM_CRIT_T_TIME) {
            *out *= 1000.0;
        }
        return true;
    }
    if (cm_json_type(d, i) != CM_JSON_STRING) {
        return false;
    }
    if (ty == CM_CRIT_T_TIME) {
        if (cm_time_parse_iso(text, &ms) != 0) {
            return cm_crit_parse_number(text, out);
        }
        *out = (double)ms;
        return true;
    }
    return cm_crit_parse_number(text, out);
}

/* Boolean view of a leaf: JSON true/false or the strings "true"/"false". */
static bool leaf_bool(const struct cm_json_doc *d, uint32_t i, struct cm_str text, bool *out)
{
    enum cm_json_type jt = cm_json_type(d, i);

    if (jt == CM_JSON_TRUE || jt == CM_JSON_FALSE) {
        *out = jt == CM_JSON_TRUE;
        return true;
    }
    if (jt == CM_JSON_STRING &&
        (cm_str_ieq(text, CM_STR_LIT("true")) || cm_str_ieq(text, CM_STR_LIT("false")))) {
        *out = text.len == 4;
        return true;
    }
    return false;
}

static bool range_holds(const struct crit_range *r, double v)
{
    if (r->has_lo && (r->lo_incl ? v < r->lo : v <= r->lo)) {
        return false;
    }
    if (r->has_hi && (r->hi_incl ? v > r->hi : v >= r->hi)) {
        return false;
    }
    return true;
}

/* Whether one value of an equals/notEquals list equals the leaf. */
static bool val_equals(const struct crit_term *t, const struct crit_val *v, bool has_num,
                       double num, bool has_bool, bool b, struct cm_str text, bool scalar_text)
{
    switch (t->field->type) {
    case CM_CRIT_T_NUMBER:
    case CM_CRIT_T_TIME:
        return has_num && v->num == num;
    case CM_CRIT_T_BOOL:
        return has_bool && v->bval == b;
    case CM_CRIT_T_ANY:
        if (has_num && v->has_num && v->num == num) {
            return true;
        }
        return scalar_text && cm_str_eq(v->s, text);
    case CM_CRIT_T_STRING:
        return scalar_text && cm_str_eq(v->s, text);
    }
    return false;
}

/* The positive predicate of term t on one scalar leaf with its text. */
static bool leaf_pred(const struct crit_term *t, const struct cm_json_doc *d, uint32_t i,
                      struct cm_str text)
{
    enum cm_crit_type ty = t->field->type;
    bool has_num = false, has_bool = false, b = false;
    double num = 0;

    if (ty != CM_CRIT_T_STRING && ty != CM_CRIT_T_BOOL) {
        has_num = leaf_num(d, i, text, ty, &num);
    }
    if (ty == CM_CRIT_T_BOOL) {
        has_bool = leaf_bool(d, i, text, &b);
    }
    if (crit_op_is_range(t->op)) {
        return has_num && range_holds(&t->r, num);
    }
    for (uint32_t k = 0; k < t->nvals; k++) {
        const struct crit_val *v = &t->vals[k];

        if (t->op == CM_CRIT_MATCH || t->op == CM_CRIT_NOTMATCH) {
            if (cm_glob_match(v->s, text)) {
                return true;
            }
        } else if (val_equals(t, v, has_num, num, has_bool, b, text, true)) {
            return true;
        }
    }
    return false;
}

/* Evaluates the predicate on a scalar leaf, unescaping strings as needed. */
static bool leaf(const struct walk *w, const struct cm_json_doc *d, uint32_t i)
{
    enum cm_json_type jt = cm_json_type(d, i);
    struct cm_str text = cm_json_raw(d, i);
    char stackbuf[LEAF_STACK_BUF];
    char *heap = NULL, *out = stackbuf;
    bool r;

    if (jt == CM_JSON_NULL || jt == CM_JSON_OBJECT || jt == CM_JSON_ARRAY) {
        return false;
    }
    if (jt == CM_JSON_STRING && (d->nodes[i].tag & CM_JSON_F_ESCAPED)) {
        if (text.len > sizeof(stackbuf)) {
            heap = cm_malloc(text.len);
            if (heap == NULL) {
                return false;
            }
            out = heap;
        }
        text = cm_str_make(out, cm_json_unescape(text.p, text.len, out));
    }
    r = leaf_pred(w->t, d, i, text);
    cm_free(heap);
    return r;
}

static bool walk(struct walk *w, const struct cm_json_doc *d, uint32_t node, struct cm_str rest);

/*
 * The API form's additionalInfo {"value": "<JSON>"}: resolves rest inside
 * the parsed value text. Any failure counts as absent.
 */
static bool walk_embedded(struct walk *w, const struct cm_json_doc *d, uint32_t obj,
                          struct cm_str rest)
{
    uint32_t v = cm_json_get(d, obj, "value");
    struct cm_json_doc sub;
    struct cm_str raw;
    char *buf;
    size_t n;
    bool r = false;

    if (w->embedded || v == CM_JSON_NONE || cm_json_type(d, v) != CM_JSON_STRING) {
        return false;
    }
    raw = cm_json_raw(d, v);
    buf = cm_malloc(raw.len + 1);
    if (buf == NULL) {
        return false;
    }
    n = cm_json_unescape(raw.p, raw.len, buf);
    cm_json_doc_init(&sub, EMBED_MAX_NODES, 32);
    if (n > 0 && buf[0] == '{' && cm_json_parse(&sub, buf, n, NULL) == 0) {
        w->embedded = true;
        r = walk(w, &sub, 0, rest);
        w->embedded = false;
    }
    cm_json_doc_finish(&sub);
    cm_free(buf);
    return r;
}

/* True when some value reached from node along rest satisfies the predicate. */
static bool walk(struct walk *w, const struct cm_json_doc *d, uint32_t node, struct cm_str rest)
{
    const char *dot;
    uint32_t child;
    size_t seg;
    bool r = false;

    if (w->depth >= WALK_MAX_DEPTH) {
        return false;
    }
    w->depth++;
    if (cm_json_type(d, node) == CM_JSON_ARRAY) {
        for (uint32_t e = cm_json_first(d, node); e != CM_JSON_NONE && !r;
             e = cm_json_next(d, node, e)) {
            r = walk(w, d, e, rest);
        }
    } else if (rest.len == 0) {
        r = leaf(w, d, node);
    } else if (cm_json_type(d, node) == CM_JSON_OBJECT) {
        dot = memchr(rest.p, '.', rest.len);
        seg = dot ? (size_t)(dot - rest.p) : rest.len;
        child = cm_json_getn(d, node, rest.p, seg);
        if (child != CM_JSON_NONE) {
            r = walk(w, d, child, dot ? cm_str_make(dot + 1, rest.len - seg - 1) : CM_STR_LIT(""));
        } else {
            r = walk_embedded(w, d, node, rest);
        }
    }
    w->depth--;
    return r;
}

bool cm_criteria_match(const struct cm_criteria *c, const struct cm_json_doc *finding,
                       uint32_t root)
{
    if (c == NULL || finding == NULL || root >= finding->n) {
        return false;
    }
    for (uint32_t k = 0; k < c->n; k++) {
        const struct crit_term *t = &c->terms[k];
        struct walk w = {t, 0, false};
        bool negative = t->op == CM_CRIT_NEQ || t->op == CM_CRIT_NOTMATCH;
        bool found = walk(&w, finding, root, cm_str_cstr(t->field->path));

        if (found == negative) {
            return false;
        }
    }
    return true;
}
