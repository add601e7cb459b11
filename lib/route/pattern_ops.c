/*
 * One matcher of an EventBridge event pattern, for the compiler (pattern.c,
 * which walks the objects and calls in for each element of a matcher
 * array): string, number, boolean and null literals, wildcards split into
 * literal runs with KMP tables, numbers and CIDRs parsed, and the operators
 * (prefix, suffix, equals-ignore-case, wildcard, numeric, exists, cidr,
 * anything-but) looked up in one const table.
 */
#include "route/pattern_compile_impl.h"

#include <math.h>
#include <stdio.h>

#include "base/err.h"

/* An operator: fn compiles value v into m (or, for exists, into f). */
struct op {
    const char *name;
    int (*fn)(struct ctx *x, const struct op *o, uint32_t v, struct cm_pat_field *f,
              struct cm_pat_matcher *m);
    uint8_t kind, kind_i; /* matcher kinds of the string forms */
};

/* Unescapes string node i into the arena (lower-cased when asked). */
int cm_pat_copy_str(struct ctx *x, uint32_t i, bool low, char **out, uint32_t *len)
{
    struct cm_str raw = cm_json_raw(x->d, i);
    char *s = cm_arena_alloc(&x->p->arena, raw.len + 1);
    size_t n = raw.len;

    if (s == NULL) {
        return CM_ENOMEM;
    }
    if (x->d->nodes[i].tag & CM_JSON_F_ESCAPED) {
        n = cm_json_unescape(raw.p, raw.len, s);
    } else if (n > 0) {
        memcpy(s, raw.p, n);
    }
    s[n] = '\0';
    for (size_t k = 0; low && k < n; k++) {
        s[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] + ('a' - 'A') : s[k]);
    }
    *out = s;
    *len = (uint32_t)n;
    return 0;
}

/* Whether string node i equals name (short) after unescaping. */
static bool str_is(const struct ctx *x, uint32_t i, const char *name)
{
    struct cm_str raw = cm_json_raw(x->d, i);
    char buf[OPNAME_MAX];
    size_t n;

    if (raw.len > sizeof(buf)) {
        return false;
    }
    n = cm_json_unescape(raw.p, raw.len, buf);
    return cm_str_eqc(cm_str_make(buf, n), name);
}

/* Allocates n zeroed values for m and sets its kind. */
static int new_vals(struct ctx *x, struct cm_pat_matcher *m, uint8_t kind, uint32_t n)
{
    m->vals = cm_pat_zalloc(x, n * sizeof(*m->vals));
    if (m->vals == NULL) {
        return CM_ENOMEM;
    }
    m->kind = kind;
    m->nvals = n;
    return 0;
}

/* Checks the escapes and stars of wildcard text s; counts the runs. */
static int wild_check(struct ctx *x, uint32_t node, const char *what, const char *s, uint32_t n,
                      uint32_t *nseg)
{
    bool star = false;

    *nseg = 1;
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            if (i + 1 == n || (s[i + 1] != '*' && s[i + 1] != '\\')) {
                return cm_pat_reject(x, node, CM_EINVAL,
                                     "%s: invalid escape at position %u (only \\* and \\\\)", what,
                                     i);
            }
            i++;
            star = false;
        } else if (s[i] == '*') {
            if (star) {
                return cm_pat_reject(x, node, CM_EINVAL,
                                     "%s: consecutive wildcard characters at position %u", what, i);
            }
            star = true;
            (*nseg)++;
        } else {
            star = false;
        }
    }
    return 0;
}

/* Compiles the wildcard string at node into v: literal runs between stars. */
static int wild_val(struct ctx *x, uint32_t node, const char *what, struct cm_pat_val *v)
{
    uint32_t n, nseg;
    char *s;
    int rc = cm_pat_copy_str(x, node, false, &s, &n);

    if (rc == 0) {
        rc = wild_check(x, node, what, s, n, &nseg);
    }
    return rc != 0 ? rc : cm_pat_wild_build(&x->p->arena, s, n, nseg, v);
}

/* String value at node for a matcher of kind (what names the operator in a diag). */
static int str_val(struct ctx *x, uint32_t node, uint8_t kind, const char *what,
                   struct cm_pat_val *v)
{
    char *s;
    int rc;

    if (kind == CM_PAT_WILD) {
        return wild_val(x, node, what, v);
    }
    rc = cm_pat_copy_str(x, node,
                         kind == CM_PAT_EQ_I || kind == CM_PAT_PREFIX_I || kind == CM_PAT_SUFFIX_I,
                         &s, &v->u.s.len);
    v->u.s.p = s;
    return rc;
}

/* A matcher with the one string value at node. */
static int one_str(struct ctx *x, uint32_t node, struct cm_pat_matcher *m, uint8_t kind,
                   const char *what)
{
    int rc = new_vals(x, m, kind, 1);

    return rc != 0 ? rc : str_val(x, node, kind, what, &m->vals[0]);
}

/*
 * The value of number node i for numeric or anything-but matching; what
 * names the operator in the diag. AWS limits numeric matching to
 * -5e9..5e9 and refuses patterns with bounds outside it.
 */
static int num_val(struct ctx *x, uint32_t i, const char *what, double *out)
{
    struct cm_str raw = cm_json_raw(x->d, i);
    int rc = cm_json_f64(x->d, i, out);

    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc != 0 || !isfinite(*out)) {
        return cm_pat_reject(x, i, CM_EINVAL, "%snumber out of range", what);
    }
    if (fabs(*out) > CM_PAT_NUM_LIMIT) {
        return cm_pat_reject(x, i, CM_EINVAL,
                             "%s%.*s is outside -5e9..5e9, the range of numeric matching", what,
                             cm_pat_clip(raw.len), raw.p);
    }
    return 0;
}

static int one_num(struct ctx *x, uint32_t node, struct cm_pat_matcher *m, const char *what)
{
    int rc = new_vals(x, m, CM_PAT_NUM, 1);

    return rc != 0 ? rc : num_val(x, node, what, &m->vals[0].u.num);
}

/*
 * A literal number of a matcher array: numeric equality inside the range of
 * numeric matching; outside it (or not finite) its JSON text, which only an
 * event number of the same text matches (as Event Ruler does).
 */
static int lit_num(struct ctx *x, uint32_t node, struct cm_pat_matcher *m)
{
    struct cm_str raw = cm_json_raw(x->d, node);
    double v = 0;
    char *t;
    int rc = cm_json_f64(x->d, node, &v);

    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc == 0 && isfinite(v) && fabs(v) <= CM_PAT_NUM_LIMIT) {
        rc = new_vals(x, m, CM_PAT_NUM, 1);
        if (rc == 0) {
            m->vals[0].u.num = v;
        }
        return rc;
    }
    rc = new_vals(x, m, CM_PAT_NUM_TEXT, 1);
    t = rc == 0 ? cm_arena_alloc(&x->p->arena, raw.len + 1) : NULL;
    if (t == NULL) {
        return CM_ENOMEM;
    }
    memcpy(t, raw.p, raw.len);
    t[raw.len] = '\0';
    m->vals[0].u.s.p = t;
    m->vals[0].u.s.len = (uint32_t)raw.len;
    return 0;
}

/*
 * prefix, suffix: a string or {"equals-ignore-case": string};
 * equals-ignore-case, wildcard: a string.
 */
static int op_str(struct ctx *x, const struct op *o, uint32_t v, struct cm_pat_field *f,
                  struct cm_pat_matcher *m)
{
    (void)f;
    if (cm_pat_type_of(x, v) == CM_JSON_STRING) {
        return one_str(x, v, m, o->kind, o->name);
    }
    if (o->kind == CM_PAT_EQ_I || o->kind == CM_PAT_WILD) {
        return cm_pat_reject(x, v, CM_EINVAL, "%s: expected a string", o->name);
    }
    if (cm_pat_type_of(x, v) != CM_JSON_OBJECT || cm_pat_len_of(x, v) != 1) {
        return cm_pat_reject(x, v, CM_EINVAL,
                             "%s: expected a string or {\"equals-ignore-case\": string}", o->name);
    }
    if (!str_is(x, v + 1, "equals-ignore-case")) {
        struct cm_str k = cm_json_raw(x->d, v + 1);

        return cm_pat_reject(x, v + 1, CM_EINVAL,
                             "%s: unsupported operator \"%.*s\" (only equals-ignore-case)", o->name,
                             cm_pat_clip(k.len), k.p);
    }
    if (cm_pat_type_of(x, v + 2) != CM_JSON_STRING) {
        return cm_pat_reject(x, v + 2, CM_EINVAL, "%s: equals-ignore-case: expected a string",
                             o->name);
    }
    return one_str(x, v + 2, m, o->kind_i, o->name);
}

static int op_exists(struct ctx *x, const struct op *o, uint32_t v, struct cm_pat_field *f,
                     struct cm_pat_matcher *m)
{
    (void)o;
    (void)m;
    if (cm_pat_type_of(x, v) == CM_JSON_TRUE) {
        f->exists_true = true;
    } else if (cm_pat_type_of(x, v) == CM_JSON_FALSE) {
        f->exists_false = true;
    } else {
        return cm_pat_reject(x, v, CM_EINVAL, "exists: expected true or false");
    }
    return 0;
}

static int op_cidr(struct ctx *x, const struct op *o, uint32_t v, struct cm_pat_field *f,
                   struct cm_pat_matcher *m)
{
    struct cm_pat_val *val;
    uint32_t n;
    char *s;
    int rc;

    (void)f;
    if (cm_pat_type_of(x, v) != CM_JSON_STRING) {
        return cm_pat_reject(x, v, CM_EINVAL, "cidr: expected a string");
    }
    rc = new_vals(x, m, o->kind, 1);
    if (rc == 0) {
        rc = cm_pat_copy_str(x, v, false, &s, &n);
    }
    if (rc != 0) {
        return rc;
    }
    val = &m->vals[0];
    if (memchr(s, '/', n) == NULL ||
        cm_cidr_parse(cm_str_make(s, n), &val->u.c.net, &val->u.c.prefix) != 0) {
        return cm_pat_reject(x, v, CM_EINVAL, "cidr: \"%.*s\" is not address/prefix-length",
                             cm_pat_clip(n), s);
    }
    return 0;
}

/* Operator string at position pos of a numeric array: 0 "=", 1 "<", 2 "<=", 3 ">", 4 ">=". */
static int numeric_op(struct ctx *x, uint32_t node, uint32_t pos, int *op)
{
    static const char *const names[] = {"=", "<", "<=", ">", ">="};
    struct cm_str raw = cm_json_raw(x->d, node);

    if (cm_pat_type_of(x, node) != CM_JSON_STRING) {
        return cm_pat_reject(x, node, CM_EINVAL,
                             "numeric: expected an operator string at position %u", pos);
    }
    for (int i = 0; i < 5; i++) {
        if (str_is(x, node, names[i])) {
            *op = i;
            return 0;
        }
    }
    return cm_pat_reject(x, node, CM_EINVAL, "numeric: unknown operator \"%.*s\" at position %u",
                         cm_pat_clip(raw.len), raw.p, pos);
}

/* Narrows range r by operator op (0 "=" sets both sides) and bound b. */
static void numeric_side(struct cm_pat_val *r, int op, double b)
{
    if (op <= 2) {
        r->u.r.hi = b;
        r->u.r.hi_incl = op != 1;
    }
    if (op == 0 || op >= 3) {
        r->u.r.lo = b;
        r->u.r.lo_incl = op != 3;
    }
}

static int op_numeric(struct ctx *x, const struct op *o, uint32_t v, struct cm_pat_field *f,
                      struct cm_pat_matcher *m)
{
    uint32_t n = cm_pat_len_of(x, v), e[4], k = 0;
    struct cm_pat_val *r;
    int op[2] = {0, 0}, rc;
    double b[2] = {0, 0};

    (void)f;
    if (cm_pat_type_of(x, v) != CM_JSON_ARRAY || (n != 2 && n != 4)) {
        return cm_pat_reject(x, v, CM_EINVAL,
                             "numeric: expected [operator, number] or [operator, number, operator, "
                             "number]");
    }
    for (uint32_t i = cm_json_first(x->d, v); i != CM_JSON_NONE; i = cm_json_next(x->d, v, i)) {
        e[k++] = i;
    }
    for (k = 0; k < n; k += 2) {
        rc = numeric_op(x, e[k], k, &op[k / 2]);
        if (rc == 0 && n == 4 && k == 0 && op[0] < 3) {
            rc = cm_pat_reject(x, e[0], CM_EINVAL,
                               "numeric: a range starts with > or >= at position 0");
        } else if (rc == 0 && n == 4 && k == 2 && (op[1] == 0 || op[1] > 2)) {
            rc = cm_pat_reject(x, e[2], CM_EINVAL,
                               "numeric: a range ends with < or <= at position 2");
        }
        if (rc == 0 && cm_pat_type_of(x, e[k + 1]) != CM_JSON_NUMBER) {
            rc = cm_pat_reject(x, e[k + 1], CM_EINVAL, "numeric: expected a number at position %u",
                               k + 1);
        } else if (rc == 0) {
            rc = num_val(x, e[k + 1], "numeric: ", &b[k / 2]);
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (n == 4 && !(b[0] < b[1])) {
        return cm_pat_reject(x, v, CM_EINVAL,
                             "numeric: the lower bound must be below the upper bound");
    }
    rc = new_vals(x, m, o->kind, 1);
    if (rc != 0) {
        return rc;
    }
    r = &m->vals[0];
    r->u.r.lo = -INFINITY;
    r->u.r.hi = INFINITY;
    numeric_side(r, op[0], b[0]);
    if (n == 4) {
        numeric_side(r, op[1], b[1]);
    }
    return 0;
}

/* anything-but [v, ...]: all strings or all numbers. */
static int but_list(struct ctx *x, uint32_t v, struct cm_pat_matcher *m)
{
    enum cm_json_type t0;
    uint32_t k = 0;
    int rc;

    if (cm_pat_len_of(x, v) == 0) {
        return cm_pat_reject(x, v, CM_EINVAL, "anything-but: the list must not be empty");
    }
    t0 = cm_pat_type_of(x, v + 1);
    rc = new_vals(x, m, t0 == CM_JSON_NUMBER ? CM_PAT_NUM : CM_PAT_EQ, cm_pat_len_of(x, v));
    for (uint32_t i = v + 1; rc == 0 && i != CM_JSON_NONE; i = cm_json_next(x->d, v, i)) {
        enum cm_json_type t = cm_pat_type_of(x, i);

        if (t != CM_JSON_STRING && t != CM_JSON_NUMBER) {
            return cm_pat_reject(x, i, CM_EINVAL,
                                 "anything-but: list values must be strings or numbers");
        }
        if (t != t0) {
            return cm_pat_reject(x, i, CM_EINVAL,
                                 "anything-but: the list mixes strings and numbers");
        }
        if (t == CM_JSON_NUMBER) {
            rc = num_val(x, i, "anything-but: ", &m->vals[k++].u.num);
        } else {
            rc = str_val(x, i, CM_PAT_EQ, "", &m->vals[k++]);
        }
    }
    return rc;
}

/* One string of anything-but {op: s | [s, ...]} into v. */
static int but_one(struct ctx *x, uint32_t node, uint8_t kind, const char *what,
                   struct cm_pat_val *v)
{
    if (cm_pat_type_of(x, node) != CM_JSON_STRING) {
        return cm_pat_reject(x, node, CM_EINVAL, "%s: expected a string or a list of strings",
                             what);
    }
    if ((kind == CM_PAT_PREFIX || kind == CM_PAT_SUFFIX) && cm_pat_len_of(x, node) == 0) {
        return cm_pat_reject(x, node, CM_EINVAL, "%s: the value must not be empty", what);
    }
    return str_val(x, node, kind, what, v);
}

/* anything-but {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s | [s, ...]}. */
static int but_op(struct ctx *x, uint32_t v, struct cm_pat_matcher *m)
{
    static const struct {
        const char *name, *what;
        uint8_t kind;
    } subs[] = {
        {"prefix", "anything-but: prefix", CM_PAT_PREFIX},
        {"suffix", "anything-but: suffix", CM_PAT_SUFFIX},
        {"equals-ignore-case", "anything-but: equals-ignore-case", CM_PAT_EQ_I},
        {"wildcard", "anything-but: wildcard", CM_PAT_WILD},
    };
    uint32_t w = v + 2, k = 0, n;
    size_t s = 0;
    int rc;

    if (cm_pat_len_of(x, v) != 1) {
        return cm_pat_reject(x, v, CM_EINVAL, "anything-but: an operator object must have one key");
    }
    n = cm_pat_type_of(x, w) == CM_JSON_ARRAY ? cm_pat_len_of(x, w) : 1;
    while (s < sizeof(subs) / sizeof(subs[0]) && !str_is(x, v + 1, subs[s].name)) {
        s++;
    }
    if (s == sizeof(subs) / sizeof(subs[0])) {
        struct cm_str key = cm_json_raw(x->d, v + 1);

        return cm_pat_reject(x, v + 1, CM_EINVAL, "anything-but: unsupported operator \"%.*s\"",
                             cm_pat_clip(key.len), key.p);
    }
    if (n == 0) {
        return cm_pat_reject(x, w, CM_EINVAL, "%s: the list must not be empty", subs[s].what);
    }
    rc = new_vals(x, m, subs[s].kind, n);
    if (cm_pat_type_of(x, w) != CM_JSON_ARRAY) {
        return rc != 0 ? rc : but_one(x, w, subs[s].kind, subs[s].what, &m->vals[0]);
    }
    for (uint32_t i = w + 1; rc == 0 && i != CM_JSON_NONE; i = cm_json_next(x->d, w, i)) {
        rc = but_one(x, i, subs[s].kind, subs[s].what, &m->vals[k++]);
    }
    return rc;
}

static int op_but(struct ctx *x, const struct op *o, uint32_t v, struct cm_pat_field *f,
                  struct cm_pat_matcher *m)
{
    (void)o;
    (void)f;
    m->negate = true;
    switch (cm_pat_type_of(x, v)) {
    case CM_JSON_STRING:
        return one_str(x, v, m, CM_PAT_EQ, "");
    case CM_JSON_NUMBER:
        return one_num(x, v, m, "anything-but: ");
    case CM_JSON_ARRAY:
        return but_list(x, v, m);
    case CM_JSON_OBJECT:
        return but_op(x, v, m);
    default:
        return cm_pat_reject(
            x, v, CM_EINVAL,
            "anything-but: expected a string, a number, a list or an operator object");
    }
}

static const struct op ops[] = {
    {"prefix", op_str, CM_PAT_PREFIX, CM_PAT_PREFIX_I},
    {"suffix", op_str, CM_PAT_SUFFIX, CM_PAT_SUFFIX_I},
    {"equals-ignore-case", op_str, CM_PAT_EQ_I, CM_PAT_EQ_I},
    {"wildcard", op_str, CM_PAT_WILD, CM_PAT_WILD},
    {"numeric", op_numeric, CM_PAT_RANGE, CM_PAT_RANGE},
    {"exists", op_exists, 0, 0},
    {"cidr", op_cidr, CM_PAT_CIDR, CM_PAT_CIDR},
    {"anything-but", op_but, CM_PAT_EQ, CM_PAT_EQ},
};

/* An operator object {name: value} at node e. */
static int compile_op(struct ctx *x, uint32_t e, struct cm_pat_field *f, struct cm_pat_matcher *m)
{
    struct cm_str key;

    if (cm_pat_len_of(x, e) != 1) {
        return cm_pat_reject(x, e, CM_EINVAL,
                             "an operator object must have exactly one key, has %u",
                             cm_pat_len_of(x, e));
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (str_is(x, e + 1, ops[i].name)) {
            return ops[i].fn(x, &ops[i], e + 2, f, m);
        }
    }
    key = cm_json_raw(x->d, e + 1);
    return cm_pat_reject(x, e + 1, CM_EINVAL, "unknown operator \"%.*s\"", cm_pat_clip(key.len),
                         key.p);
}

/* One element of a matcher array; m->nvals stays 0 for exists. */
int cm_pat_compile_matcher(struct ctx *x, uint32_t e, struct cm_pat_field *f,
                           struct cm_pat_matcher *m)
{
    switch (cm_pat_type_of(x, e)) {
    case CM_JSON_STRING:
        return one_str(x, e, m, CM_PAT_EQ, "");
    case CM_JSON_NUMBER:
        return lit_num(x, e, m);
    case CM_JSON_TRUE:
        return new_vals(x, m, CM_PAT_TRUE, 1);
    case CM_JSON_FALSE:
        return new_vals(x, m, CM_PAT_FALSE, 1);
    case CM_JSON_NULL:
        return new_vals(x, m, CM_PAT_NULL, 1);
    case CM_JSON_OBJECT:
        return compile_op(x, e, f, m);
    default:
        return cm_pat_reject(
            x, e, CM_EINVAL,
            "a matcher must be a string, number, boolean, null or operator object");
    }
}
