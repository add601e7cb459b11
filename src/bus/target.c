/*
 * The table of target kinds, and reading their specs (target_impl.h). The
 * kinds themselves are target_exec.c, target_file.c, target_webhook.c and
 * target_kafka.c.
 */
#include "bus/target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/err.h"
#include "base/str.h"
#include "bus/target_impl.h"

#define SPEC_MAX_NODES 4096

static const struct cm_target_kind *const kinds[] = {
    &cm_target_exec,
    &cm_target_file,
    &cm_target_webhook,
    &cm_target_kafka,
};

const struct cm_target_kind *cm_target_kind(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i]->name, name) == 0) {
            return kinds[i];
        }
    }
    return NULL;
}

const struct cm_target_kind *cm_target_kind_at(size_t i)
{
    return i < sizeof(kinds) / sizeof(kinds[0]) ? kinds[i] : NULL;
}

const struct cm_target_ctx *cm_target_ctx_or_empty(const struct cm_target_ctx *ctx)
{
    static const struct cm_target_ctx empty = {NULL, NULL, NULL,  NULL, -1.0,
                                               0,    0,    false, NULL, NULL};

    return ctx != NULL ? ctx : &empty;
}

const char *cm_target_byte_fault(unsigned char c)
{
    if (c > 0x20 && c < 0x7f) {
        return NULL;
    }
    return c == ' ' ? "a space" : c < ' ' ? "a control character" : "not printable ASCII";
}

void cm_target_printable(char *out, size_t outlen, const char *s, size_t n)
{
    size_t i;

    if (outlen == 0) {
        return;
    }
    for (i = 0; i < n && i + 1 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[i] = '\0';
}

int cm_tspec_fail(struct cm_tspec *s, const char *fmt, ...)
{
    char msg[512];
    size_t n;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (s->errlen > 0) {
        snprintf(s->err, s->errlen, "%s", s->prefix);
        n = strlen(s->err);
        cm_target_printable(s->err + n, s->errlen - n, msg, strlen(msg));
    }
    return CM_EINVAL;
}

void *cm_tspec_alloc(struct cm_tspec *s, size_t n)
{
    void *p = cm_arena_alloc(&s->arena, n);

    if (p == NULL) {
        snprintf(s->err, s->errlen, "out of memory");
    }
    return p;
}

char *cm_tspec_strf(struct cm_tspec *s, const char *fmt, ...)
{
    va_list ap;
    char *p;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || (p = cm_tspec_alloc(s, (size_t)n + 1)) == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* Whether name is one of the NULL-terminated members. */
static bool known(const char *const *members, struct cm_str name)
{
    for (size_t i = 0; members[i] != NULL; i++) {
        if (cm_str_eqc(name, members[i])) {
            return true;
        }
    }
    return false;
}

/* The list of members, for "unknown member" messages. */
static void member_list(const char *const *members, char *out, size_t outlen)
{
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; members[i] != NULL && n < outlen; i++) {
        int w = snprintf(out + n, outlen - n, "%s%s", i ? ", " : "", members[i]);
        n += w > 0 ? (size_t)w : 0;
    }
    if (n < outlen) {
        /* Every kind also takes these (target_input.c), split off before its check. */
        snprintf(out + n, outlen - n, ", input, input_path, input_transformer");
    }
}

/* Checks the spec's member names: known ones only, each once. */
static int check_members(struct cm_tspec *s, const char *const *members)
{
    const struct cm_json_doc *d = &s->doc;
    char list[256];

    for (uint32_t k = cm_json_first(d, 0); k != CM_JSON_NONE;) {
        const char *name;
        uint32_t v = k + 1;
        int rc;

        if ((rc = cm_tspec_str(s, k, "member name", CM_TARGET_SPEC_MAX, &name)) != 0) {
            return rc;
        }
        if (!known(members, cm_str_cstr(name))) {
            member_list(members, list, sizeof(list));
            return cm_tspec_fail(s, "%s: unknown member (this kind takes %s)", name, list);
        }
        for (uint32_t j = cm_json_first(d, 0); j != k; j = cm_json_next(d, 0, j + 1)) {
            const char *prev;

            if ((rc = cm_tspec_str(s, j, "member name", CM_TARGET_SPEC_MAX, &prev)) != 0) {
                return rc;
            }
            if (strcmp(prev, name) == 0) {
                return cm_tspec_fail(s, "%s: given twice", name);
            }
        }
        k = cm_json_next(d, 0, v);
    }
    return 0;
}

int cm_tspec_open(struct cm_tspec *s, const char *prefix, const char *spec, size_t len,
                  const char *const *members, char *err, size_t errlen)
{
    struct cm_diag diag;
    int rc;

    memset(s, 0, sizeof(*s));
    cm_json_doc_init(&s->doc, SPEC_MAX_NODES, 16);
    cm_arena_init(&s->arena, 4096, 0);
    s->prefix = prefix;
    s->err = err;
    s->errlen = errlen;
    if (errlen > 0) {
        err[0] = '\0';
    }
    if (spec == NULL || len > CM_TARGET_SPEC_MAX) {
        return cm_tspec_fail(s, "spec: longer than %d bytes", CM_TARGET_SPEC_MAX);
    }
    cm_diag_clear(&diag);
    if ((rc = cm_json_parse(&s->doc, spec, len, &diag)) != 0) {
        if (rc == CM_ENOMEM) {
            snprintf(err, errlen, "out of memory");
            return rc;
        }
        return cm_tspec_fail(s, "spec: not valid JSON: byte %zu: %s", diag.offset,
                             diag.msg[0] ? diag.msg : cm_strerror(rc));
    }
    if (cm_json_type(&s->doc, 0) != CM_JSON_OBJECT) {
        return cm_tspec_fail(s, "spec: must be a JSON object");
    }
    return check_members(s, members);
}

void cm_tspec_close(struct cm_tspec *s)
{
    cm_json_doc_finish(&s->doc);
    cm_arena_finish(&s->arena);
}

uint32_t cm_tspec_member(const struct cm_tspec *s, const char *name)
{
    uint32_t v = cm_json_get(&s->doc, 0, name);

    return v != CM_JSON_NONE && cm_json_type(&s->doc, v) == CM_JSON_NULL ? CM_JSON_NONE : v;
}

int cm_tspec_str(struct cm_tspec *s, uint32_t node, const char *what, size_t max, const char **out)
{
    const struct cm_json_node *nd;
    char *p;
    size_t n;

    if (cm_json_type(&s->doc, node) != CM_JSON_STRING) {
        return cm_tspec_fail(s, "%s: must be a string", what);
    }
    nd = cm_json_at(&s->doc, node);
    if ((p = cm_tspec_alloc(s, (size_t)nd->len + 1)) == NULL) {
        return CM_ENOMEM;
    }
    if (nd->tag & CM_JSON_F_ESCAPED) {
        n = cm_json_unescape(s->doc.src + nd->off, nd->len, p);
    } else {
        n = nd->len;
        memcpy(p, s->doc.src + nd->off, n);
    }
    p[n] = '\0';
    if (memchr(p, '\0', n) != NULL) {
        return cm_tspec_fail(s, "%s: must not contain a NUL character", what);
    }
    if (n > max) {
        return cm_tspec_fail(s, "%s: longer than %zu bytes", what, max);
    }
    *out = p;
    return 0;
}

int cm_tspec_int(struct cm_tspec *s, const char *name, int64_t lo, int64_t hi, int64_t def,
                 int64_t *out)
{
    uint32_t v = cm_tspec_member(s, name);
    int64_t x;

    if (v == CM_JSON_NONE) {
        *out = def;
        return 0;
    }
    if (cm_json_i64(&s->doc, v, &x) != 0 || x < lo || x > hi) {
        struct cm_str raw = cm_json_raw(&s->doc, v);
        bool num = cm_json_type(&s->doc, v) == CM_JSON_NUMBER;

        return cm_tspec_fail(s, "%s: must be an integer from %lld to %lld (got %s%.*s)", name,
                             (long long)lo, (long long)hi, num ? "" : "a non-number",
                             num ? (int)(raw.len > 32 ? 32 : raw.len) : 0, raw.p);
    }
    *out = x;
    return 0;
}

int cm_tspec_bool(struct cm_tspec *s, const char *name, bool def, bool *out)
{
    uint32_t v = cm_tspec_member(s, name);

    if (v == CM_JSON_NONE) {
        *out = def;
        return 0;
    }
    switch (cm_json_type(&s->doc, v)) {
    case CM_JSON_TRUE:
        *out = true;
        return 0;
    case CM_JSON_FALSE:
        *out = false;
        return 0;
    default:
        return cm_tspec_fail(s, "%s: must be true or false", name);
    }
}

/* ASCII case-insensitive strcmp. */
static int nocase_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;

        ca = ca >= 'A' && ca <= 'Z' ? ca - 'A' + 'a' : ca;
        cb = cb >= 'A' && cb <= 'Z' ? cb - 'A' + 'a' : cb;
        if (ca != cb || ca == 0) {
            return ca - cb;
        }
    }
}

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cm_tspec_pair *)a)->name, ((const struct cm_tspec_pair *)b)->name);
}

static int pair_cmp_nocase(const void *a, const void *b)
{
    const struct cm_tspec_pair *x = a, *y = b;
    int c = nocase_cmp(x->name, y->name);

    return c != 0 ? c : strcmp(x->name, y->name);
}

/* A reference {"secret": NAME, "prefix": "..."} at node obj (what names it) into p. */
static int map_ref(struct cm_tspec *s, uint32_t obj, const char *what, size_t max_value,
                   struct cm_tspec_pair *p)
{
    uint32_t name = cm_json_get(&s->doc, obj, "secret"),
             prefix = cm_json_get(&s->doc, obj, "prefix");
    size_t known = (name != CM_JSON_NONE) + (prefix != CM_JSON_NONE);
    char w[340];
    int rc;

    if (name == CM_JSON_NONE || cm_json_at(&s->doc, obj)->len != known) {
        return cm_tspec_fail(s,
                             "%s: a reference is {\"secret\": NAME} or {\"secret\": NAME, "
                             "\"prefix\": \"...\"}, and nothing else",
                             what);
    }
    snprintf(w, sizeof(w), "%s.secret", what);
    if ((rc = cm_tspec_str(s, name, w, 64, &p->secret)) != 0) {
        return rc;
    }
    if (!cm_str_is_name(cm_str_cstr(p->secret), 64)) {
        return cm_tspec_fail(s, "%s: a secret's name is 1 to 64 letters, digits, '.', '_' or '-'",
                             w);
    }
    p->value = "";
    snprintf(w, sizeof(w), "%s.prefix", what);
    return prefix == CM_JSON_NONE ? 0 : cm_tspec_str(s, prefix, w, max_value, &p->value);
}

static int map_of(struct cm_tspec *s, const char *name, bool nocase, size_t max_value, bool refs,
                  struct cm_tspec_pair **out, size_t *n)
{
    uint32_t obj = cm_tspec_member(s, name), k;
    struct cm_tspec_pair *v;
    size_t count = 0;
    char what[320];
    int rc;

    *out = NULL;
    *n = 0;
    if (obj == CM_JSON_NONE) {
        return 0;
    }
    if (cm_json_type(&s->doc, obj) != CM_JSON_OBJECT) {
        return cm_tspec_fail(s, "%s: must be an object of strings%s", name,
                             refs ? " or secret references" : "");
    }
    if (cm_json_at(&s->doc, obj)->len > CM_TARGET_MAP_MAX) {
        return cm_tspec_fail(s, "%s: more than %d members", name, CM_TARGET_MAP_MAX);
    }
    if ((v = cm_tspec_alloc(s, (cm_json_at(&s->doc, obj)->len + 1) * sizeof(*v))) == NULL) {
        return CM_ENOMEM;
    }
    for (k = cm_json_first(&s->doc, obj); k != CM_JSON_NONE;
         k = cm_json_next(&s->doc, obj, k + 1)) {
        snprintf(what, sizeof(what), "%s member name", name);
        v[count].secret = NULL;
        if ((rc = cm_tspec_str(s, k, what, 256, &v[count].name)) != 0) {
            return rc;
        }
        snprintf(what, sizeof(what), "%s.%s", name, v[count].name);
        if (v[count].name[0] == '\0') {
            return cm_tspec_fail(s, "%s: a member name is empty", name);
        }
        if (refs && cm_json_type(&s->doc, k + 1) == CM_JSON_OBJECT) {
            rc = map_ref(s, k + 1, what, max_value, &v[count]);
        } else {
            rc = cm_tspec_str(s, k + 1, what, max_value, &v[count].value);
        }
        if (rc != 0) {
            return rc;
        }
        for (size_t j = 0; j < count; j++) {
            if ((nocase ? nocase_cmp(v[j].name, v[count].name)
                        : strcmp(v[j].name, v[count].name)) == 0) {
                return cm_tspec_fail(s, "%s: given twice%s", what,
                                     nocase ? " (names are case-insensitive)" : "");
            }
        }
        count++;
    }
    qsort(v, count, sizeof(*v), nocase ? pair_cmp_nocase : pair_cmp);
    *out = v;
    *n = count;
    return 0;
}

int cm_tspec_map(struct cm_tspec *s, const char *name, bool nocase, size_t max_value,
                 struct cm_tspec_pair **out, size_t *n)
{
    return map_of(s, name, nocase, max_value, false, out, n);
}

int cm_tspec_map_refs(struct cm_tspec *s, const char *name, bool nocase, size_t max_value,
                      struct cm_tspec_pair **out, size_t *n)
{
    return map_of(s, name, nocase, max_value, true, out, n);
}

void cm_tspec_jw_map(struct cm_jw *jw, const char *key, const struct cm_tspec_pair *p, size_t n)
{
    cm_jw_key(jw, key);
    cm_jw_obj_begin(jw);
    for (size_t i = 0; i < n; i++) {
        cm_jw_key(jw, p[i].name);
        if (p[i].secret == NULL) {
            cm_jw_str(jw, p[i].value);
            continue;
        }
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "secret");
        cm_jw_str(jw, p[i].secret);
        if (p[i].value[0] != '\0') {
            cm_jw_key(jw, "prefix");
            cm_jw_str(jw, p[i].value);
        }
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
}

int cm_tspec_canon_end(struct cm_tspec *s, struct cm_jw *jw, struct cm_buf *canon, size_t mark)
{
    int rc = cm_jw_finish(jw);

    if (rc != 0) {
        canon->len = mark;
        if (canon->p != NULL) {
            canon->p[mark] = '\0';
        }
        snprintf(s->err, s->errlen, "canonical form: %s", cm_strerror(rc));
    }
    return rc;
}
