/*
 * Compiling GuardDuty FindingCriteria JSON into struct cm_criteria.
 *
 * The compiler walks {"criterion": {path: {op: value}}} once to count the
 * terms, then converts each operator into one struct crit_term, checking the
 * path against the filterable attribute table, the operator against the
 * attribute's type and the values against GuardDuty's limits. Both the
 * CLI/boto3 casing (Criterion, Equals, Gte...) and the REST casing
 * (criterion, equals, gte...) are accepted, mixed freely. Any problem stops
 * compilation with a diag that names the attribute path and the reason.
 */
#include "finding/criteria.h"

#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "finding/criteria_impl.h"

struct op_name {
    const char *upper; /* CLI/boto3 member name */
    const char *lower; /* REST locationName */
    enum cm_crit_op op;
};

static const struct op_name op_names[] = {
    {"Equals", "equals", CM_CRIT_EQ},
    {"NotEquals", "notEquals", CM_CRIT_NEQ},
    {"GreaterThan", "greaterThan", CM_CRIT_GT},
    {"GreaterThanOrEqual", "greaterThanOrEqual", CM_CRIT_GTE},
    {"LessThan", "lessThan", CM_CRIT_LT},
    {"LessThanOrEqual", "lessThanOrEqual", CM_CRIT_LTE},
    {"Matches", "matches", CM_CRIT_MATCH},
    {"NotMatches", "notMatches", CM_CRIT_NOTMATCH},
    {"Eq", "eq", CM_CRIT_EQ},
    {"Neq", "neq", CM_CRIT_NEQ},
    {"Gt", "gt", CM_CRIT_GT},
    {"Gte", "gte", CM_CRIT_GTE},
    {"Lt", "lt", CM_CRIT_LT},
    {"Lte", "lte", CM_CRIT_LTE},
};

static const char *const type_names[] = {"string", "number", "timestamp", "boolean", "untyped"};

/* Compilation context: the source doc, the object being built, the diag. */
struct ctx {
    const struct cm_json_doc *d;
    struct cm_criteria *c;
    struct cm_diag *diag;
    unsigned flags;
    uint32_t ncond; /* conditions compiled so far */
};

/* The key node after member key k of object obj, or NONE. */
static uint32_t next_key(const struct cm_json_doc *d, uint32_t obj, uint32_t k)
{
    uint32_t n = d->nodes[k + 1].next;

    return n < d->nodes[obj].next ? n : CM_JSON_NONE;
}

/* Precision for printing a slice in a diag (at most 100 bytes). */
static int clip(struct cm_str s)
{
    return s.len > 100 ? 100 : (int)s.len;
}

/* Offset of node i in the source text, for diagnostics. */
static size_t node_off(const struct ctx *x, uint32_t i)
{
    return x->d->nodes[i].off;
}

/* Unescaped text of string node i, copied into the criteria arena. */
static int copy_str(struct ctx *x, uint32_t i, struct cm_str *out)
{
    struct cm_str s = cm_json_str(x->d, i, NULL);
    char *p;

    if (x->d->nodes[i].tag & CM_JSON_F_ESCAPED) {
        s = cm_json_str(x->d, i, &x->c->arena);
        if (!cm_str_present(s)) {
            return CM_ENOMEM;
        }
        *out = s;
        return 0;
    }
    p = cm_arena_strndup(&x->c->arena, s.p, s.len);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    *out = cm_str_make(p, s.len);
    return 0;
}

static const struct op_name *find_op(struct cm_str name)
{
    for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++) {
        if (cm_str_eqc(name, op_names[i].upper) || cm_str_eqc(name, op_names[i].lower)) {
            return &op_names[i];
        }
    }
    return NULL;
}

/* Epoch milliseconds as an integer, or an ISO-8601 time. */
static bool parse_time(struct cm_str s, double *out)
{
    long long v;
    int64_t ms;

    if (cm_str_to_i64(s, -(1LL << 53), 1LL << 53, &v) == 0) {
        *out = (double)v;
        return true;
    }
    if (cm_time_parse_iso(s, &ms) == 0) {
        *out = (double)ms;
        return true;
    }
    return false;
}

/* Converts one list value for the field's type; 0 or CM_EINVAL with diag. */
static int convert_val(struct ctx *x, const struct crit_term *t, uint32_t node, struct crit_val *v)
{
    const char *why = NULL;

    switch (t->field->type) {
    case CM_CRIT_T_NUMBER:
        v->has_num = cm_crit_parse_number(v->s, &v->num);
        why = v->has_num ? NULL : "is not a number";
        break;
    case CM_CRIT_T_TIME:
        v->has_num = parse_time(v->s, &v->num);
        why = v->has_num ? NULL : "is not epoch milliseconds or an ISO-8601 time";
        break;
    case CM_CRIT_T_BOOL:
        v->bval = cm_str_ieq(v->s, CM_STR_LIT("true"));
        why = v->bval || cm_str_ieq(v->s, CM_STR_LIT("false")) ? NULL : "is not true or false";
        break;
    case CM_CRIT_T_ANY:
        v->has_num = cm_crit_parse_number(v->s, &v->num);
        break;
    case CM_CRIT_T_STRING:
        break;
    }
    if (why != NULL) {
        cm_diag_set(x->diag, node_off(x, node), "value \"%.*s\" %s (%s attribute %s)", clip(v->s),
                    v->s.p, why, type_names[t->field->type], t->field->path);
        return CM_EINVAL;
    }
    return 0;
}

/* Reads element node of a list operator into v. */
static int read_val(struct ctx *x, const struct crit_term *t, const char *opname, uint32_t node,
                    struct crit_val *v)
{
    bool pattern = t->op == CM_CRIT_MATCH || t->op == CM_CRIT_NOTMATCH;
    size_t cap = pattern ? CM_CRIT_MAX_PATTERN : CM_CRIT_MAX_VALUE;
    enum cm_json_type jt = cm_json_type(x->d, node);
    int rc;

    if (jt == CM_JSON_STRING) {
        rc = copy_str(x, node, &v->s);
    } else if (jt == CM_JSON_NUMBER || jt == CM_JSON_TRUE || jt == CM_JSON_FALSE) {
        struct cm_str raw = cm_json_raw(x->d, node);
        char *p = cm_arena_strndup(&x->c->arena, raw.p, raw.len);

        rc = p == NULL ? CM_ENOMEM : 0;
        v->s = cm_str_make(p, raw.len);
    } else {
        cm_diag_set(x->diag, node_off(x, node), "%s takes a list of strings, found %s in %s",
                    opname, jt == CM_JSON_NULL ? "null" : "a nested container", t->field->path);
        return CM_EINVAL;
    }
    if (rc != 0) {
        return rc;
    }
    if ((pattern && v->s.len == 0) || v->s.len > cap) {
        cm_diag_set(x->diag, node_off(x, node), "%s value must be %d-%zu bytes (has %zu) in %s",
                    opname, pattern ? 1 : 0, cap, v->s.len, t->field->path);
        return v->s.len > cap ? CM_E2BIG : CM_EINVAL;
    }
    return pattern ? 0 : convert_val(x, t, node, v);
}

/* Fills t->vals from the array at node. */
static int compile_list(struct ctx *x, struct crit_term *t, const char *opname, uint32_t node)
{
    bool pattern = t->op == CM_CRIT_MATCH || t->op == CM_CRIT_NOTMATCH;
    uint32_t n = x->d->nodes[node].len, k = 0, max;
    int rc;

    if (cm_json_type(x->d, node) != CM_JSON_ARRAY) {
        cm_diag_set(x->diag, node_off(x, node), "%s takes a list of strings (%s)", opname,
                    t->field->path);
        return CM_EINVAL;
    }
    max = pattern ? CM_CRIT_MAX_MATCHES : CM_CRIT_MAX_EQ_VALUES;
    if (n == 0 || n > max) {
        cm_diag_set(x->diag, node_off(x, node), "%s needs 1-%u values, has %u (%s)", opname, max, n,
                    t->field->path);
        return n == 0 ? CM_EINVAL : CM_E2BIG;
    }
    t->vals = cm_arena_alloc(&x->c->arena, n * sizeof(*t->vals));
    if (t->vals == NULL) {
        return CM_ENOMEM;
    }
    memset(t->vals, 0, n * sizeof(*t->vals));
    for (uint32_t e = cm_json_first(x->d, node); e != CM_JSON_NONE;
         e = cm_json_next(x->d, node, e)) {
        rc = read_val(x, t, opname, e, &t->vals[k]);
        if (rc != 0) {
            return rc;
        }
        k++;
    }
    t->nvals = k;
    return 0;
}

/* Checks that op fits the field type and the flags. */
static int check_op(struct ctx *x, const struct crit_term *t, const char *opname, uint32_t node)
{
    enum cm_crit_type ty = t->field->type;
    bool pattern = t->op == CM_CRIT_MATCH || t->op == CM_CRIT_NOTMATCH;

    if (pattern && (x->flags & CM_CRIT_F_NO_MATCHES)) {
        cm_diag_set(x->diag, node_off(x, node), "%s is allowed only in filters, not here (%s)",
                    opname, t->field->path);
        return CM_EINVAL;
    }
    if (crit_op_is_range(t->op) && (ty == CM_CRIT_T_STRING || ty == CM_CRIT_T_BOOL)) {
        cm_diag_set(x->diag, node_off(x, node),
                    "%s needs a number or timestamp attribute, %s is a %s", opname, t->field->path,
                    type_names[ty]);
        return CM_EINVAL;
    }
    if (pattern && ty != CM_CRIT_T_STRING && ty != CM_CRIT_T_ANY) {
        cm_diag_set(x->diag, node_off(x, node), "%s needs a string attribute, %s is a %s", opname,
                    t->field->path, type_names[ty]);
        return CM_EINVAL;
    }
    return 0;
}

/* Narrows range r by one bound; the tighter of two bounds on one side wins. */
static void add_bound(struct crit_range *r, enum cm_crit_op op, double v)
{
    bool incl = op == CM_CRIT_GTE || op == CM_CRIT_LTE;

    if (op == CM_CRIT_GT || op == CM_CRIT_GTE) {
        if (!r->has_lo || v > r->lo || (v == r->lo && !incl)) {
            r->lo = v;
            r->lo_incl = incl;
        }
        r->has_lo = true;
    } else {
        if (!r->has_hi || v < r->hi || (v == r->hi && !incl)) {
            r->hi = v;
            r->hi_incl = incl;
        }
        r->has_hi = true;
    }
}

/*
 * Compiles one operator member (key node k, value node k + 1) into a new
 * term at terms[*n], or into *range, the condition's range term so far.
 */
static int compile_term(struct ctx *x, const struct cm_crit_field *f, uint32_t k, uint32_t *n,
                        struct crit_term **range)
{
    struct crit_term *t = &x->c->terms[*n];
    const struct op_name *on;
    struct cm_str name;
    uint32_t v = k + 1;
    double num;
    int rc;

    rc = copy_str(x, k, &name);
    if (rc != 0) {
        return rc;
    }
    on = find_op(name);
    if (on == NULL) {
        cm_diag_set(x->diag, node_off(x, k), "unknown operator \"%.*s\" for %s", clip(name), name.p,
                    f->path);
        return CM_EINVAL;
    }
    t->field = f;
    t->op = on->op;
    t->cond = x->ncond;
    rc = check_op(x, t, on->lower, k);
    if (rc != 0) {
        return rc;
    }
    if (!crit_op_is_range(on->op)) {
        (*n)++;
        return compile_list(x, t, on->lower, v);
    }
    if (cm_json_type(x->d, v) != CM_JSON_NUMBER || cm_json_f64(x->d, v, &num) != 0 ||
        !isfinite(num)) {
        cm_diag_set(x->diag, node_off(x, v), "%s takes one number%s (%s)", on->lower,
                    f->type == CM_CRIT_T_TIME ? " of epoch milliseconds" : "", f->path);
        return CM_EINVAL;
    }
    if (*range == NULL) {
        *range = t;
        t->op = CM_CRIT_GT;
        (*n)++;
    }
    add_bound(&(*range)->r, on->op, num);
    return 0;
}

/* Compiles one attribute (key node k, condition k + 1) into terms[*n...]. */
static int compile_attr(struct ctx *x, uint32_t k, uint32_t *n)
{
    const struct cm_crit_field *f;
    struct crit_term *range = NULL;
    struct cm_str path;
    uint32_t cond = k + 1;
    int rc;

    rc = copy_str(x, k, &path);
    if (rc != 0) {
        return rc;
    }
    f = cm_crit_field_find(path);
    if (f == NULL) {
        cm_diag_set(x->diag, node_off(x, k), "unknown attribute path \"%.*s\"", clip(path), path.p);
        return CM_EINVAL;
    }
    if (cm_json_type(x->d, cond) != CM_JSON_OBJECT || x->d->nodes[cond].len == 0) {
        cm_diag_set(x->diag, node_off(x, cond),
                    "condition for %s must be an object with an operator", f->path);
        return CM_EINVAL;
    }
    for (uint32_t m = cm_json_first(x->d, cond); m != CM_JSON_NONE; m = next_key(x->d, cond, m)) {
        rc = compile_term(x, f, m, n, &range);
        if (rc != 0) {
            return rc;
        }
    }
    x->ncond++;
    return 0;
}

/* Finds the criterion member of the FindingCriteria object; NONE if absent. */
static int find_criterion(struct ctx *x, uint32_t root, uint32_t *crit)
{
    *crit = CM_JSON_NONE;
    if (cm_json_type(x->d, root) != CM_JSON_OBJECT) {
        cm_diag_set(x->diag, node_off(x, root), "findingCriteria must be a JSON object");
        return CM_EINVAL;
    }
    for (uint32_t k = cm_json_first(x->d, root); k != CM_JSON_NONE; k = next_key(x->d, root, k)) {
        struct cm_str key = cm_json_raw(x->d, k);

        if (!cm_str_eqc(key, "Criterion") && !cm_str_eqc(key, "criterion")) {
            cm_diag_set(x->diag, node_off(x, k),
                        "unknown member \"%.*s\" in findingCriteria (expected criterion)",
                        clip(key), key.p);
            return CM_EINVAL;
        }
        if (*crit != CM_JSON_NONE) {
            cm_diag_set(x->diag, node_off(x, k), "criterion given twice in findingCriteria");
            return CM_EINVAL;
        }
        *crit = k + 1;
    }
    if (*crit != CM_JSON_NONE && cm_json_type(x->d, *crit) != CM_JSON_OBJECT) {
        cm_diag_set(x->diag, node_off(x, *crit), "criterion must be an object of attribute paths");
        return CM_EINVAL;
    }
    return 0;
}

/* Checks the attribute count and counts the terms (operators) to allocate. */
static int count_terms(struct ctx *x, uint32_t crit, uint32_t *nterms)
{
    uint32_t nattr = crit == CM_JSON_NONE ? 0 : x->d->nodes[crit].len;

    *nterms = 0;
    if (nattr == 0 && (x->flags & CM_CRIT_F_NONEMPTY)) {
        cm_diag_set(x->diag, crit == CM_JSON_NONE ? 0 : node_off(x, crit),
                    "findingCriteria needs at least one attribute in criterion");
        return CM_EINVAL;
    }
    if (nattr > CM_CRIT_MAX_ATTRS) {
        cm_diag_set(x->diag, node_off(x, crit), "criterion has %u attributes, at most %d", nattr,
                    CM_CRIT_MAX_ATTRS);
        return CM_E2BIG;
    }
    for (uint32_t k = nattr ? crit + 1 : CM_JSON_NONE; k != CM_JSON_NONE;
         k = next_key(x->d, crit, k)) {
        if (cm_json_type(x->d, k + 1) == CM_JSON_OBJECT) {
            *nterms += x->d->nodes[k + 1].len;
        }
    }
    return 0;
}

int cm_criteria_compile_node(const struct cm_json_doc *d, uint32_t root, unsigned flags,
                             struct cm_criteria **out, struct cm_diag *diag)
{
    struct ctx x = {d, NULL, diag, flags, 0};
    uint32_t crit, nterms, n = 0;
    int rc;

    *out = NULL;
    cm_diag_clear(diag);
    rc = find_criterion(&x, root, &crit);
    if (rc == 0) {
        rc = count_terms(&x, crit, &nterms);
    }
    if (rc != 0) {
        return rc;
    }
    x.c = cm_calloc(1, sizeof(*x.c));
    if (x.c == NULL) {
        return CM_ENOMEM;
    }
    cm_arena_init(&x.c->arena, 4096, 0);
    x.c->terms = cm_arena_alloc(&x.c->arena, (nterms ? nterms : 1) * sizeof(*x.c->terms));
    if (x.c->terms == NULL) {
        rc = CM_ENOMEM;
        goto fail;
    }
    memset(x.c->terms, 0, (nterms ? nterms : 1) * sizeof(*x.c->terms));
    for (uint32_t k = crit == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, crit);
         k != CM_JSON_NONE; k = next_key(d, crit, k)) {
        rc = compile_attr(&x, k, &n);
        if (rc != 0) {
            goto fail;
        }
    }
    x.c->n = n;
    *out = x.c;
    return 0;
fail:
    if (rc == CM_ENOMEM) {
        cm_diag_set(diag, 0, "out of memory compiling findingCriteria");
    }
    cm_criteria_destroy(x.c);
    return rc;
}

int cm_criteria_compile(const char *json, size_t len, unsigned flags, struct cm_criteria **out,
                        struct cm_diag *diag)
{
    struct cm_json_doc d;
    char why[sizeof(diag->msg)];
    int rc;

    *out = NULL;
    if (len > CM_CRIT_MAX_INPUT) {
        cm_diag_set(diag, 0, "findingCriteria JSON is %zu bytes, at most %u", len,
                    CM_CRIT_MAX_INPUT);
        return CM_E2BIG;
    }
    cm_json_doc_init(&d, 0, 32);
    rc = cm_json_parse(&d, json, len, diag);
    if (rc != 0) {
        if (diag != NULL) {
            memcpy(why, diag->msg, sizeof(why));
            cm_diag_set(diag, diag->offset, "malformed findingCriteria JSON: %s", why);
        }
        goto done;
    }
    rc = cm_criteria_compile_node(&d, 0, flags, out, diag);
done:
    cm_json_doc_finish(&d);
    return rc;
}

void cm_criteria_destroy(struct cm_criteria *c)
{
    if (c == NULL) {
        return;
    }
    cm_arena_finish(&c->arena);
    cm_free(c);
}

size_t cm_criteria_terms(const struct cm_criteria *c)
{
    return c == NULL ? 0 : c->n;
}

bool cm_criteria_has_path(const struct cm_criteria *c, const char *path)
{
    for (uint32_t i = 0; c != NULL && i < c->n; i++) {
        if (strcmp(c->terms[i].field->path, path) == 0) {
            return true;
        }
    }
    return false;
}

int cm_criteria_term(const struct cm_criteria *c, size_t i, struct cm_crit_term_view *out)
{
    const struct crit_term *t;

    if (c == NULL || i >= c->n) {
        return CM_EINVAL;
    }
    t = &c->terms[i];
    memset(out, 0, sizeof(*out));
    out->path = t->field->path;
    out->type = t->field->type;
    out->op = t->op;
    if (crit_op_is_range(t->op)) {
        out->has_lo = t->r.has_lo;
        out->lo_incl = t->r.lo_incl;
        out->lo = t->r.lo;
        out->has_hi = t->r.has_hi;
        out->hi_incl = t->r.hi_incl;
        out->hi = t->r.hi;
    } else {
        out->nvals = t->nvals;
    }
    return CM_OK;
}

struct cm_str cm_criteria_value(const struct cm_criteria *c, size_t i, uint32_t j, double *num,
                                bool *has_num)
{
    const struct crit_val *v;

    *num = 0;
    *has_num = false;
    if (c == NULL || i >= c->n || crit_op_is_range(c->terms[i].op) || j >= c->terms[i].nvals) {
        return CM_STR_NULL;
    }
    v = &c->terms[i].vals[j];
    *num = v->num;
    *has_num = v->has_num;
    return v->s;
}
