/*
 * What the pattern compiler's two files share: pattern.c (the walk over
 * the pattern's objects, fields and $or, the path and its diags) and
 * pattern_ops.c (one matcher: literals, strings, wildcards, numbers and the
 * operators prefix, suffix, equals-ignore-case, wildcard, numeric, exists,
 * cidr, anything-but). Private to the two; the compiled form is in
 * pattern_impl.h.
 */
#ifndef CM_ROUTE_PATTERN_COMPILE_IMPL_H
#define CM_ROUTE_PATTERN_COMPILE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "route/pattern_impl.h"

#define PATH_CAP   (2 * CM_PATTERN_MAX_DEPTH + 4) /* path entries: keys and $or[i] */
#define OPNAME_MAX 32                             /* longest operator name looked up */

/* One step of the path: a key (raw JSON text), or a $or branch index. */
struct path_ent {
    const char *p;
    uint32_t len;
    int32_t idx; /* >= 0: "[idx]" */
};

struct ctx {
    const struct cm_json_doc *d;
    struct cm_pattern *p;
    struct cm_diag *diag;
    uint32_t nmatch; /* matcher array elements so far */
    uint32_t npath;
    struct path_ent path[PATH_CAP];
};

static inline enum cm_json_type cm_pat_type_of(const struct ctx *x, uint32_t i)
{
    return cm_json_type(x->d, i);
}

static inline uint32_t cm_pat_len_of(const struct ctx *x, uint32_t i)
{
    return x->d->nodes[i].len;
}

/* Precision for printing a slice in a diag (at most 60 bytes). */
static inline int cm_pat_clip(size_t len)
{
    return len > 60 ? 60 : (int)len;
}

/* n zeroed bytes from the pattern's arena, or NULL. */
static inline void *cm_pat_zalloc(struct ctx *x, size_t n)
{
    void *p = cm_arena_alloc(&x->p->arena, n);

    return p == NULL ? NULL : memset(p, 0, n);
}

/* pattern.c: fills the diag with "<path>: <reason>" at value node; returns rc. */
int cm_pat_reject(struct ctx *x, uint32_t node, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* pattern_ops.c: unescapes string node i into the arena (lower-cased when asked). */
int cm_pat_copy_str(struct ctx *x, uint32_t i, bool low, char **out, uint32_t *len);

/* pattern_ops.c: one element e of a matcher array into m; m->nvals stays 0 for exists. */
int cm_pat_compile_matcher(struct ctx *x, uint32_t e, struct cm_pat_field *f,
                           struct cm_pat_matcher *m);

#endif
