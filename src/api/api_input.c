/*
 * Request bodies of the write operations: parse with bounds, known members,
 * typed getters with errors that name the member and offset (api_input.h).
 */
#include "api/api_input.h"
#include "api/api_ops.h"
#include "api/api_tags.h"
#include "api/api_detector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

static const char *const type_names[] = {"null",     "false",    "true",     "a number",
                                         "a string", "an array", "an object"};

/* Whether key (raw, from the body) is name or name with its first letter upper-cased. */
static bool key_is(struct cm_str key, const char *name)
{
    size_t n = strlen(name);

    if (key.len != n || n == 0) {
        return false;
    }
    if (key.p[0] != name[0] && !(name[0] >= 'a' && name[0] <= 'z' && key.p[0] == name[0] - 32)) {
        return false;
    }
    return memcmp(key.p + 1, name + 1, n - 1) == 0;
}

/* A 400 "<why> (byte N)". */
static int body_error(struct cm_api_resp *resp, size_t off, const char *why)
{
    char msg[400];

    snprintf(msg, sizeof(msg), "%s (byte %zu)", why, off);
    return cm_api_bad_request(resp, msg);
}

int cm_api_in_parse(struct cm_api_in *b, const struct cm_api_req *req, const char *const *known,
                    struct cm_api_resp *resp)
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
        return rc == CM_ENOMEM ? -1 : cm_api_bad_request(resp, msg);
    }
    b->parsed = true;
    if (cm_json_type(&b->d, 0) != CM_JSON_OBJECT) {
        return body_error(resp, b->d.nodes[0].off, "the request body must be a JSON object");
    }
    for (uint32_t k = cm_json_first(&b->d, 0); k != CM_JSON_NONE;
         k = cm_json_next(&b->d, 0, k + 1)) {
        struct cm_str key = cm_json_raw(&b->d, k);
        char why[120];
        size_t i = 0;

        while (known[i] != NULL && !key_is(key, known[i])) {
            i++;
        }
        if (known[i] == NULL) {
            snprintf(why, sizeof(why), "unknown member \"%.*s\"", key.len > 64 ? 64 : (int)key.len,
                     key.p);
            return body_error(resp, b->d.nodes[k].off - 1, why);
        }
        for (uint32_t j = cm_json_first(&b->d, 0); j != k; j = cm_json_next(&b->d, 0, j + 1)) {
            if (key_is(cm_json_raw(&b->d, j), known[i])) {
                snprintf(why, sizeof(why), "%s: given twice", known[i]);
                return body_error(resp, b->d.nodes[k].off - 1, why);
            }
        }
    }
    return 0;
}

void cm_api_in_finish(struct cm_api_in *b)
{
    for (size_t i = 0; i < b->nstrs; i++) {
        cm_free(b->strs[i]);
    }
    b->nstrs = 0;
    cm_json_doc_finish(&b->d);
}

uint32_t cm_api_in_get(const struct cm_api_in *b, const char *name)
{
    if (!b->parsed) {
        return CM_JSON_NONE;
    }
    for (uint32_t k = cm_json_first(&b->d, 0); k != CM_JSON_NONE;
         k = cm_json_next(&b->d, 0, k + 1)) {
        if (key_is(cm_json_raw(&b->d, k), name)) {
            return cm_json_type(&b->d, k + 1) == CM_JSON_NULL ? CM_JSON_NONE : k + 1;
        }
    }
    return CM_JSON_NONE;
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

int cm_api_in_str(struct cm_api_in *b, struct cm_api_resp *resp, const char *name, bool required,
                  size_t min, size_t max, const char **out)
{
    uint32_t v = cm_api_in_get(b, name);
    size_t len = 0;
    char *p;

    *out = NULL;
    if (v == CM_JSON_NONE) {
        return required ? cm_api_in_bad(b, resp, name, CM_JSON_NONE, "is required") : 0;
    }
    if (want_type(b, resp, name, v, CM_JSON_STRING) != 0) {
        return -1;
    }
    if ((p = keep_str(b, v, &len)) == NULL) {
        return -1;
    }
    if (check_len(b, resp, name, v, p, len, min, max) != 0) {
        return -1;
    }
    *out = p;
    return 0;
}

int cm_api_in_bool(struct cm_api_in *b, struct cm_api_resp *resp, const char *name, bool required,
                   bool *present, bool *out)
{
    uint32_t v = cm_api_in_get(b, name);

    *present = false;
    if (v == CM_JSON_NONE) {
        return required ? cm_api_in_bad(b, resp, name, CM_JSON_NONE, "is required") : 0;
    }
    if (want_type(b, resp, name, v, CM_JSON_TRUE) != 0) {
        return -1;
    }
    *present = true;
    *out = cm_json_type(&b->d, v) == CM_JSON_TRUE;
    return 0;
}

int cm_api_in_strs(struct cm_api_in *b, struct cm_api_resp *resp, const char *name, bool required,
                   size_t min, size_t max, size_t maxlen, const char ***out, size_t *n)
{
    uint32_t v = cm_api_in_get(b, name), cnt;
    const char **arr;
    char why[96];
    size_t k = 0;

    *out = NULL;
    *n = 0;
    if (v == CM_JSON_NONE) {
        return required ? cm_api_in_bad(b, resp, name, CM_JSON_NONE, "is required") : 0;
    }
    if (want_type(b, resp, name, v, CM_JSON_ARRAY) != 0) {
        return -1;
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
    uint32_t v = cm_api_in_get(b, "tags");
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

/*
 * The one place the write operations ask whether {DetectorId} is this server's (api_ops.h):
 * the detector table's answer (api_detector.c).
 */
int cm_api_ops_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp)
{
    return cm_api_detector_check(ctx, req, req->params[0], resp);
}

int cm_api_in_empty(struct cm_api_resp *resp)
{
    cm_buf_reset(&resp->body);
    resp->status = 200;
    return cm_buf_puts(&resp->body, "{}") == 0 ? 0 : -1;
}
