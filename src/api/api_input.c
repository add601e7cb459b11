/*
 * Request bodies of every operation: parse with bounds, no member given twice,
 * typed getters with errors that name the member and offset (api_input.h).
 */
#include "api/api_input.h"
#include "api/api_ops.h"
#include "api/api_tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

static const char *const type_names[] = {"null",     "false",    "true",     "a number",
                                         "a string", "an array", "an object"};

/* A 400 "<why> (byte N)". */
static int body_error(struct cm_api_resp *resp, size_t off, const char *why)
{
    char msg[400];

    snprintf(msg, sizeof(msg), "%s (byte %zu)", why, off);
    return cm_api_bad_request(resp, msg);
}

/* A member name of the body, unescaped, with its object and key node. */
struct key_ref {
    uint32_t obj, key;
    const char *p;
    size_t len;
};

static int key_cmp(const void *a, const void *b)
{
    const struct key_ref *x = a, *y = b;
    int c;

    if (x->obj != y->obj) {
        return x->obj < y->obj ? -1 : 1;
    }
    c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
    if (c != 0 || x->len != y->len) {
        return c != 0 ? c : x->len < y->len ? -1 : 1;
    }
    return x->key < y->key ? -1 : x->key > y->key;
}

/*
 * Refuses a member given twice in one object, anywhere in the body: every key (unescaped)
 * sorted by object and name, so a body of many members costs n log n. 0, -1 with resp set,
 * or CM_ENOMEM.
 */
static int check_twice(struct cm_api_in *b, struct cm_api_resp *resp)
{
    const struct cm_json_doc *d = &b->d;
    struct key_ref *keys = NULL, *dup = NULL;
    char *names = NULL;
    size_t n = 0, used = 0;
    int rc = 0;

    for (uint32_t i = 0; i < d->n; i++) {
        n += cm_json_type(d, i) == CM_JSON_OBJECT ? d->nodes[i].len : 0;
    }
    if (n < 2) {
        return 0;
    }
    if ((keys = cm_malloc(n * sizeof(*keys))) == NULL ||
        (names = cm_malloc(d->src_len + 1)) == NULL) {
        rc = CM_ENOMEM;
        goto out;
    }
    n = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        if (cm_json_type(d, i) != CM_JSON_OBJECT) {
            continue;
        }
        for (uint32_t k = cm_json_first(d, i); k != CM_JSON_NONE; k = cm_json_next(d, i, k + 1)) {
            struct cm_str raw = cm_json_raw(d, k);
            size_t len = cm_json_unescape(raw.p, raw.len, names + used);

            keys[n++] = (struct key_ref){i, k, names + used, len};
            used += len;
        }
    }
    qsort(keys, n, sizeof(*keys), key_cmp);
    for (size_t i = 1; i < n; i++) {
        if (keys[i].obj == keys[i - 1].obj && keys[i].len == keys[i - 1].len &&
            memcmp(keys[i].p, keys[i - 1].p, keys[i].len) == 0 &&
            (dup == NULL || d->nodes[keys[i].key].off < d->nodes[dup->key].off)) {
            dup = &keys[i]; /* the second of a pair; the first such in the body */
        }
    }
    if (dup != NULL) {
        char why[120];

        snprintf(why, sizeof(why), "%.*s: given twice", dup->len > 64 ? 64 : (int)dup->len, dup->p);
        rc = body_error(resp, d->nodes[dup->key].off - 1, why);
    }
out:
    cm_free(keys);
    cm_free(names);
    return rc;
}

int cm_api_in_parse(struct cm_api_in *b, const struct cm_api_req *req, struct cm_api_resp *resp)
{
    static const char empty[] = "{}";
    const char *src = req->body;
    size_t len = req->body_len;
    struct cm_diag dg;
    int rc;

    memset(b, 0, sizeof(*b));
    cm_json_doc_init(&b->d, CM_API_IN_MAX_NODES, CM_API_IN_MAX_DEPTH);
    if (src == NULL || len == 0) {
        src = empty;
        len = 2;
    }
    if (len > CM_API_MAX_BODY) {
        char msg[128];
        snprintf(msg, sizeof(msg), "the request body is %zu bytes, at most %u", len,
                 CM_API_MAX_BODY);
        return cm_api_bad_request(resp, msg);
    }
    cm_diag_clear(&dg);
    rc = cm_json_parse(&b->d, src, len, &dg);
    if (rc != 0) {
        char msg[300];
        snprintf(msg, sizeof(msg), "the request body is not valid JSON: %s (byte %zu)",
                 rc == CM_E2BIG    ? "too many values"
                 : rc == CM_EDEPTH ? "nested too deeply"
                 : dg.msg[0]       ? dg.msg
                                   : cm_strerror(rc),
                 dg.offset);
        return rc == CM_ENOMEM
                   ? -1
                   : cm_api_error(resp, 400, "BadRequestException", "SerializationException", msg);
    }
    b->parsed = true;
    if (cm_json_type(&b->d, 0) != CM_JSON_OBJECT) {
        char msg[120];
        snprintf(msg, sizeof(msg), "the request body must be a JSON object (byte %u)",
                 b->d.nodes[0].off);
        return cm_api_error(resp, 400, "BadRequestException", "SerializationException", msg);
    }
    rc = check_twice(b, resp);
    return rc == 0 ? 0 : -1;
}

void cm_api_in_finish(struct cm_api_in *b)
{
    for (size_t i = 0; i < b->nstrs; i++) {
        cm_free(b->strs[i]);
    }
    b->nstrs = 0;
    cm_json_doc_finish(&b->d);
}

uint32_t cm_api_in_get(const struct cm_api_in *b, uint32_t obj, const char *name)
{
    uint32_t v;

    if (!b->parsed || obj == CM_JSON_NONE || cm_json_type(&b->d, obj) != CM_JSON_OBJECT) {
        return CM_JSON_NONE;
    }
    v = cm_json_get(&b->d, obj, name);
    return v == CM_JSON_NONE || cm_json_type(&b->d, v) == CM_JSON_NULL ? CM_JSON_NONE : v;
}

int cm_api_in_bad(const struct cm_api_in *b, struct cm_api_resp *resp, const char *name,
                  uint32_t node, const char *why)
{
    size_t off = node == CM_JSON_NONE || !b->parsed ? 0 : b->d.nodes[node].off;

    /* A string's offset is past its opening quote: point at the quote. */
    if (node != CM_JSON_NONE && b->parsed && cm_json_type(&b->d, node) == CM_JSON_STRING &&
        off > 0) {
        off--;
    }
    char msg[360];

    snprintf(msg, sizeof(msg), "%s: %s", name, why);
    return body_error(resp, off, msg);
}

/* Unescaped copy of string node i, kept by the body. NULL when out of memory or the body
 * has handed out CM_API_IN_MAX_STRS strings. */
static char *keep_str(struct cm_api_in *b, uint32_t i, size_t *len)
{
    struct cm_str raw = cm_json_raw(&b->d, i);
    char *p;

    if (b->nstrs == CM_API_IN_MAX_STRS || (p = cm_malloc(raw.len + 1)) == NULL) {
        return NULL;
    }
    *len = cm_json_unescape(raw.p, raw.len, p);
    p[*len] = '\0';
    b->strs[b->nstrs++] = p;
    return p;
}

static int want_type(struct cm_api_in *b, struct cm_api_resp *resp, const char *name, uint32_t v,
                     enum cm_json_type t)
{
    char why[64];

    if (cm_json_type(&b->d, v) == t ||
        (t == CM_JSON_TRUE && cm_json_type(&b->d, v) == CM_JSON_FALSE)) {
        return 0;
    }
    snprintf(why, sizeof(why), "must be %s", t == CM_JSON_TRUE ? "a boolean" : type_names[t]);
    return cm_api_in_bad(b, resp, name, v, why);
}

/* Checks a string of len bytes at p: min..max, no NUL. */
static int check_len(struct cm_api_in *b, struct cm_api_resp *resp, const char *name, uint32_t v,
                     const char *p, size_t len, size_t min, size_t max)
{
    char why[96];

    if (len < min || len > max) {
        if (min == max) {
            snprintf(why, sizeof(why), "must be %zu characters, has %zu", min, len);
        } else {
            snprintf(why, sizeof(why), "must be %zu to %zu characters, has %zu", min, max, len);
        }
        return cm_api_in_bad(b, resp, name, v, why);
    }
    if (memchr(p, '\0', len) != NULL) {
        return cm_api_in_bad(b, resp, name, v, "must not contain a NUL character");
    }
    return 0;
}

int cm_api_in_node(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, enum cm_json_type t, uint32_t *node)
{
    uint32_t v = cm_api_in_get(b, obj, name);

    *node = CM_JSON_NONE;
    if (v == CM_JSON_NONE) {
        return required ? cm_api_in_bad(b, resp, name, obj, "is required") : 0;
    }
    if (want_type(b, resp, name, v, t) != 0) {
        return -1;
    }
    *node = v;
    return 0;
}

int cm_api_in_str(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                  bool required, size_t min, size_t max, const char **out)
{
    uint32_t v;
    size_t len = 0;
    char *p;

    *out = NULL;
    if (cm_api_in_node(b, resp, obj, name, required, CM_JSON_STRING, &v) != 0) {
        return -1;
    }
    if (v == CM_JSON_NONE) {
        return 0;
    }
    if ((p = keep_str(b, v, &len)) == NULL) {
        return cm_api_in_bad(b, resp, name, v, "too many strings in one request");
    }
    if (check_len(b, resp, name, v, p, len, min, max) != 0) {
        return -1;
    }
    *out = p;
    return 0;
}

int cm_api_in_enum(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, const char *const *allowed, const char **out)
{
    const char *v;
    char why[300];
    size_t off;

    if (cm_api_in_str(b, resp, obj, name, required, 1, 128, out) != 0) {
        return -1;
    }
    if ((v = *out) == NULL) {
        return 0;
    }
    for (size_t i = 0; allowed[i] != NULL; i++) {
        if (strcmp(allowed[i], v) == 0) {
            return 0;
        }
    }
    off = (size_t)snprintf(why, sizeof(why), "must be one of");
    for (size_t i = 0; allowed[i] != NULL && off < sizeof(why); i++) {
        off += (size_t)snprintf(why + off, sizeof(why) - off, "%s %s", i ? "," : "", allowed[i]);
    }
    if (off < sizeof(why)) {
        snprintf(why + off, sizeof(why) - off, ", not '%.64s'", v);
    }
    *out = NULL;
    return cm_api_in_bad(b, resp, name, cm_api_in_get(b, obj, name), why);
}

int cm_api_in_int(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                  int64_t min, int64_t max, int64_t *out)
{
    uint32_t v;
    int64_t i;
    char why[96];

    if (cm_api_in_node(b, resp, obj, name, false, CM_JSON_NUMBER, &v) != 0) {
        return -1;
    }
    if (v == CM_JSON_NONE) {
        return 0;
    }
    if (cm_json_i64(&b->d, v, &i) != 0 || i < min || i > max) {
        snprintf(why, sizeof(why), "must be an integer from %lld to %lld", (long long)min,
                 (long long)max);
        return cm_api_in_bad(b, resp, name, v, why);
    }
    *out = i;
    return 0;
}

int cm_api_in_bool(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, bool *present, bool *out)
{
    uint32_t v;

    *present = false;
    if (cm_api_in_node(b, resp, obj, name, required, CM_JSON_TRUE, &v) != 0) {
        return -1;
    }
    if (v != CM_JSON_NONE) {
        *present = true;
        *out = cm_json_type(&b->d, v) == CM_JSON_TRUE;
    }
    return 0;
}

int cm_api_in_strs(struct cm_api_in *b, struct cm_api_resp *resp, uint32_t obj, const char *name,
                   bool required, size_t min, size_t max, size_t maxlen, const char ***out,
                   size_t *n)
{
    uint32_t v, cnt;
    const char **arr;
    char why[96];
    size_t k = 0;

    *out = NULL;
    *n = 0;
    if (cm_api_in_node(b, resp, obj, name, required, CM_JSON_ARRAY, &v) != 0) {
        return -1;
    }
    if (v == CM_JSON_NONE) {
        return 0;
    }
    cnt = b->d.nodes[v].len;
    if (cnt < min || cnt > max) {
        snprintf(why, sizeof(why), "must have %zu to %zu elements, has %u", min, max, cnt);
        return cm_api_in_bad(b, resp, name, v, why);
    }
    if (b->nstrs == CM_API_IN_MAX_STRS || (arr = cm_calloc(cnt ? cnt : 1, sizeof(*arr))) == NULL) {
        return -1;
    }
    b->strs[b->nstrs++] = arr;
    for (uint32_t e = cm_json_first(&b->d, v); e != CM_JSON_NONE; e = cm_json_next(&b->d, v, e)) {
        size_t len = 0;
        char *p, elem[80];

        snprintf(elem, sizeof(elem), "%s[%zu]", name, k);
        if (want_type(b, resp, elem, e, CM_JSON_STRING) != 0) {
            return -1;
        }
        /* Elements share one allocation budget: at most maxlen each, copied into the pool. */
        if ((p = keep_str(b, e, &len)) == NULL) {
            return cm_api_in_bad(b, resp, elem, e, "too many strings in one request");
        }
        if (check_len(b, resp, elem, e, p, len, 1, maxlen) != 0) {
            return -1;
        }
        arr[k++] = p;
    }
    *out = arr;
    *n = k;
    return 0;
}

int cm_api_in_tags(struct cm_api_in *b, struct cm_api_resp *resp, const char **json)
{
    uint32_t v = cm_api_in_get(b, 0, "tags");
    struct cm_buf out;
    struct cm_jw jw;
    size_t k = 0;
    char *p;

    *json = "{}";
    if (v == CM_JSON_NONE) {
        return 0;
    }
    if (want_type(b, resp, "tags", v, CM_JSON_OBJECT) != 0) {
        return -1;
    }
    if (b->d.nodes[v].len > CM_API_MAX_TAGS) {
        char why[64];

        snprintf(why, sizeof(why), "at most %d tags", CM_API_MAX_TAGS);
        return cm_api_in_bad(b, resp, "tags", v, why);
    }
    for (uint32_t e = cm_json_first(&b->d, v); e != CM_JSON_NONE;
         e = cm_json_next(&b->d, v, e + 1)) {
        struct cm_str key = cm_json_raw(&b->d, e);
        char tmp[300];

        if (key.len == 0 || key.len > 128 || (key.len >= 4 && memcmp(key.p, "aws:", 4) == 0)) {
            return cm_api_in_bad(b, resp, "tags", e,
                                 "a tag key is 1-128 characters, not starting with aws:");
        }
        if (cm_json_type(&b->d, e + 1) != CM_JSON_STRING || b->d.nodes[e + 1].len > 256) {
            snprintf(tmp, sizeof(tmp),
                     "the value of tag \"%.*s\" must be a string of at most "
                     "256 characters",
                     (int)key.len, key.p);
            return cm_api_in_bad(b, resp, "tags", e + 1, tmp);
        }
        k++;
    }
    if (b->nstrs == CM_API_IN_MAX_STRS) {
        return -1;
    }
    cm_buf_init(&out, 0);
    cm_jw_init(&jw, &out);
    cm_jw_node(&jw, &b->d, v);
    if (cm_jw_finish(&jw) != 0 || (p = cm_strndup(out.p, out.len)) == NULL) {
        cm_buf_finish(&out);
        return -1;
    }
    cm_buf_finish(&out);
    b->strs[b->nstrs++] = p;
    *json = p;
    (void)k;
    return 0;
}

int cm_api_in_page(const struct cm_api_req *req, struct cm_api_resp *resp, size_t *max,
                   const char **token)
{
    const char *m = cm_api_query(req, "maxResults");
    const char *t = cm_api_query(req, "nextToken");

    *max = 50;
    *token = t != NULL && t[0] != '\0' ? t : NULL;
    if (m != NULL) {
        char *end = NULL;
        long v = strtol(m, &end, 10);

        if (m[0] == '\0' || end == NULL || *end != '\0' || v < 1 || v > 50) {
            char msg[160];
            snprintf(msg, sizeof(msg), "maxResults: must be an integer from 1 to 50, is \"%.40s\"",
                     m);
            return cm_api_bad_request(resp, msg);
        }
        *max = (size_t)v;
    }
    if (*token != NULL && strlen(*token) > 512) {
        return cm_api_bad_request(resp, "nextToken: at most 512 characters");
    }
    return 0;
}

void cm_api_page_begin(struct cm_api_page *page, struct cm_api_resp *resp, const char *member)
{
    page->last[0] = '\0';
    cm_buf_reset(&resp->body);
    cm_jw_init(&page->jw, &resp->body);
    cm_jw_obj_begin(&page->jw);
    cm_jw_key(&page->jw, member);
    cm_jw_arr_begin(&page->jw);
}

void cm_api_page_mark(struct cm_api_page *page, const char *id)
{
    snprintf(page->last, sizeof(page->last), "%s", id);
}

void cm_api_page_id(struct cm_api_page *page, const char *id)
{
    cm_jw_str(&page->jw, id);
    cm_api_page_mark(page, id);
}

int cm_api_page_end(struct cm_api_page *page, const char *next)
{
    cm_jw_arr_end(&page->jw);
    if (next != NULL && next[0] != '\0') {
        cm_jw_key(&page->jw, "nextToken");
        cm_jw_str(&page->jw, next);
    }
    cm_jw_obj_end(&page->jw);
    return cm_jw_finish(&page->jw) == 0 ? 0 : -1;
}

int cm_api_in_empty(struct cm_api_resp *resp)
{
    cm_buf_reset(&resp->body);
    resp->status = 200;
    return cm_buf_puts(&resp->body, "{}") == 0 ? 0 : -1;
}
