/*
 * Compiling Amazon EventBridge event patterns into struct cm_pattern.
 *
 * The compiler walks the parsed pattern once, depth first. Each pattern
 * object becomes a struct cm_pat_obj (its fields and its $or branches), each
 * matcher array a list of struct cm_pat_matcher. Strings are unescaped into
 * the pattern's arena (lower-cased for the equals-ignore-case forms),
 * wildcards are split into literal runs with KMP tables, CIDRs and numbers
 * are parsed, so matching does no conversion on the pattern side. Operators
 * are looked up in one const table. The path of the member being compiled is
 * kept as a stack of key slices so that every diag starts with it
 * ("detail.$or[1].severity: numeric: ..."); the first problem stops
 * compilation, and its offset is the first byte of the offending value.
 *
 * This file walks the objects, fields and $or branches and keeps the path;
 * each element of a matcher array is compiled in pattern_ops.c, and
 * pattern_compile_impl.h holds what the two share.
 */
#include "route/pattern_compile_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

#define PATH_SHOW 72 /* bytes of the path shown in a diag */
#define KEY_SHOW  40 /* bytes of one key shown in a path */

/* The key node after member key k of object obj, or NONE. */
static uint32_t next_key(const struct cm_json_doc *d, uint32_t obj, uint32_t k)
{
    uint32_t n = d->nodes[k + 1].next;

    return n < d->nodes[obj].next ? n : CM_JSON_NONE;
}

/* First byte of value i in the source (a string's opening quote). */
static size_t node_off(const struct ctx *x, uint32_t i)
{
    const struct cm_json_node *nd = &x->d->nodes[i];

    return (nd->tag & CM_JSON_TYPE_MASK) == CM_JSON_STRING ? nd->off - 1 : nd->off;
}

/* Enters a key (raw JSON text) or, with idx >= 0, a $or branch; the depth cap bounds npath. */
static void path_push(struct ctx *x, const char *p, uint32_t len, int32_t idx)
{
    x->path[x->npath].p = p;
    x->path[x->npath].len = len;
    x->path[x->npath++].idx = idx;
}

/*
 * Writes the current path ("detail.$or[1].severity") into out (cap bytes);
 * a path longer than cap - 1 keeps its tail behind "...". Returns its length.
 * Each entry takes at most KEY_SHOW + 4 bytes, so full never truncates.
 */
static size_t path_text(const struct ctx *x, char *out, size_t cap)
{
    char full[PATH_CAP * (KEY_SHOW + 16)] = "";
    size_t n = 0;
    int w;

    for (uint32_t i = 0; i<x->npath; i++, n += w> 0 ? (size_t)w : 0) {
        const struct path_ent *e = &x->path[i];

        if (e->idx >= 0) {
            w = snprintf(full + n, sizeof(full) - n, "[%d]", (int)e->idx);
        } else {
            w = snprintf(full + n, sizeof(full) - n, "%s%.*s%s", i ? "." : "",
                         e->len > KEY_SHOW ? KEY_SHOW : (int)e->len, e->p,
                         e->len > KEY_SHOW ? "..." : "");
        }
    }
    if (n < cap) {
        memcpy(out, full, n + 1);
        return n;
    }
    memcpy(out, "...", 3);
    memcpy(out + 3, full + n - (cap - 4), cap - 3);
    return cap - 1;
}

/* Fills the diag with "<path>: <reason>" at value node; returns rc. */
int cm_pat_reject(struct ctx *x, uint32_t node, int rc, const char *fmt, ...)
{
    char why[sizeof(x->diag->msg)], path[PATH_SHOW + 1];
    va_list ap;

    if (x->diag == NULL) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    path_text(x, path, sizeof(path));
    cm_diag_set(x->diag, node_off(x, node), "%s%s%s", path, path[0] ? ": " : "", why);
    return rc;
}

static int compile_leaf(struct ctx *x, uint32_t v, struct cm_pat_field *f)
{
    uint32_t n = cm_pat_len_of(x, v);
    int rc;

    if (n == 0) {
        return cm_pat_reject(x, v, CM_EINVAL, "an empty array of matchers is not allowed");
    }
    if (n > CM_PATTERN_MAX_MATCHERS - x->nmatch) {
        return cm_pat_reject(x, v, CM_E2BIG, "the pattern has more than %d matchers",
                             CM_PATTERN_MAX_MATCHERS);
    }
    x->nmatch += n;
    f->m = cm_pat_zalloc(x, n * sizeof(*f->m));
    if (f->m == NULL) {
        return CM_ENOMEM;
    }
    for (uint32_t e = v + 1; e != CM_JSON_NONE; e = cm_json_next(x->d, v, e)) {
        rc = cm_pat_compile_matcher(x, e, f, &f->m[f->nm]);
        if (rc != 0) {
            return rc;
        }
        if (f->m[f->nm].nvals > 0) {
            f->nm++;
        }
    }
    return 0;
}

static int compile_obj(struct ctx *x, uint32_t node, uint32_t depth, struct cm_pat_obj *o);

/* "$or": [obj, obj, ...] at value node v of object level o. */
static int compile_or(struct ctx *x, uint32_t v, uint32_t depth, struct cm_pat_obj *o)
{
    uint32_t n = cm_pat_len_of(x, v), k = 0;
    int rc = 0;

    if (cm_pat_type_of(x, v) != CM_JSON_ARRAY || n < 2) {
        return cm_pat_reject(x, v, CM_EINVAL, "must be an array of at least two objects");
    }
    o->alt = cm_pat_zalloc(x, n * sizeof(*o->alt));
    if (o->alt == NULL) {
        return CM_ENOMEM;
    }
    for (uint32_t e = v + 1; rc == 0 && e != CM_JSON_NONE; e = cm_json_next(x->d, v, e)) {
        path_push(x, NULL, 0, (int32_t)k);
        if (cm_pat_type_of(x, e) != CM_JSON_OBJECT) {
            rc = cm_pat_reject(x, e, CM_EINVAL, "a $or branch must be an object");
        } else {
            rc = compile_obj(x, e, depth + 1, &o->alt[k++]);
        }
        x->npath--;
    }
    o->nalt = k;
    return rc;
}

/* The value v of a field: a nested object or a matcher array. */
static int compile_field(struct ctx *x, uint32_t v, uint32_t depth, struct cm_pat_field *f)
{
    switch (cm_pat_type_of(x, v)) {
    case CM_JSON_OBJECT:
        f->obj = cm_pat_zalloc(x, sizeof(*f->obj));
        return f->obj == NULL ? CM_ENOMEM : compile_obj(x, v, depth + 1, f->obj);
    case CM_JSON_ARRAY:
        return compile_leaf(x, v, f);
    default:
        return cm_pat_reject(x, v, CM_EINVAL, "a value must be an array of matchers or an object");
    }
}

/* The field of o named key (klen bytes), or NULL. */
static struct cm_pat_field *find_field(const struct cm_pat_obj *o, const char *key, uint32_t klen)
{
    for (uint32_t i = 0; i < o->nf; i++) {
        if (o->f[i].klen == klen && memcmp(o->f[i].key, key, klen) == 0) {
            return &o->f[i];
        }
    }
    return NULL;
}

/*
 * One member (key node k) of the object level o. A key given again in the
 * same object replaces the earlier member (AWS: "if you include a key more
 * than once the last reference will be the one used"); so does a second $or.
 */
static int compile_member(struct ctx *x, uint32_t k, uint32_t depth, struct cm_pat_obj *o)
{
    struct cm_pat_field *f;
    uint32_t klen;
    char *key;
    int rc = cm_pat_copy_str(x, k, false, &key, &klen);

    if (rc != 0) {
        return rc;
    }
    if (klen == 3 && memcmp(key, "$or", 3) == 0) {
        return compile_or(x, k + 1, depth, o);
    }
    f = find_field(o, key, klen);
    if (f == NULL) {
        f = &o->f[o->nf++];
    }
    memset(f, 0, sizeof(*f));
    f->key = key;
    f->klen = klen;
    return compile_field(x, k + 1, depth, f);
}

static int compile_obj(struct ctx *x, uint32_t node, uint32_t depth, struct cm_pat_obj *o)
{
    uint32_t n = cm_pat_len_of(x, node);
    int rc = 0;

    if (depth > CM_PATTERN_MAX_DEPTH) {
        return cm_pat_reject(x, node, CM_E2BIG, "more than %d nested pattern objects",
                             CM_PATTERN_MAX_DEPTH);
    }
    if (n == 0) {
        return cm_pat_reject(x, node, CM_EINVAL, depth == 1 ? "pattern is empty" : "empty object");
    }
    o->f = cm_pat_zalloc(x, n * sizeof(*o->f));
    if (o->f == NULL) {
        return CM_ENOMEM;
    }
    for (uint32_t k = node + 1; rc == 0 && k != CM_JSON_NONE; k = next_key(x->d, node, k)) {
        struct cm_str raw = cm_json_raw(x->d, k);

        path_push(x, raw.p, (uint32_t)raw.len, -1);
        rc = compile_member(x, k, depth, o);
        x->npath--;
    }
    return rc;
}

int cm_pattern_compile(const char *json, size_t len, struct cm_pattern **out, struct cm_diag *diag)
{
    char why[sizeof(diag->msg)];
    struct cm_json_doc d;
    struct ctx x;
    int rc;

    *out = NULL;
    cm_diag_clear(diag);
    if (len > CM_PATTERN_MAX_TEXT) {
        cm_diag_set(diag, CM_PATTERN_MAX_TEXT, "pattern is %zu bytes, at most %u", len,
                    CM_PATTERN_MAX_TEXT);
        return CM_E2BIG;
    }
    memset(&x, 0, sizeof(x));
    x.d = &d;
    x.diag = diag;
    cm_json_doc_init(&d, 0, CM_PATTERN_JSON_DEPTH);
    rc = cm_json_parse(&d, json, len, diag);
    if (rc != 0) {
        if (diag != NULL) {
            memcpy(why, diag->msg, sizeof(why));
            cm_diag_set(diag, diag->offset, "malformed pattern JSON: %s", why);
        }
        goto done;
    }
    if (cm_pat_type_of(&x, 0) != CM_JSON_OBJECT) {
        rc = cm_pat_reject(&x, 0, CM_EINVAL, "pattern must be a JSON object");
        goto done;
    }
    x.p = cm_calloc(1, sizeof(*x.p));
    if (x.p == NULL) {
        rc = CM_ENOMEM;
        goto done;
    }
    cm_arena_init(&x.p->arena, 4096, 0);
    rc = compile_obj(&x, 0, 1, &x.p->root);
    if (rc == 0) {
        *out = x.p;
        x.p = NULL;
    }
done:
    if (rc == CM_ENOMEM) {
        cm_diag_set(diag, 0, "out of memory compiling the pattern");
    }
    cm_pattern_destroy(x.p);
    cm_json_doc_finish(&d);
    return rc;
}

void cm_pattern_destroy(struct cm_pattern *p)
{
    if (p == NULL) {
        return;
    }
    cm_arena_finish(&p->arena);
    cm_free(p);
}
