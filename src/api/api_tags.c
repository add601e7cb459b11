/*
 * Tag operations on detectors (api_tags.h).
 */
#include "api/api_tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_input.h"
#include "api/api_detector.h"
#include "base/err.h"
#include "store/store.h"

struct tag {
    char *key, *val;
};

struct tagset {
    struct tag v[CM_API_MAX_TAGS + 1];
    size_t n;
};

static void tagset_free(struct tagset *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].key);
        free(t->v[i].val);
    }
    t->n = 0;
}

static char *str_of(const struct cm_json_doc *d, uint32_t n)
{
    struct cm_str raw = cm_json_raw(d, n);
    char *s = malloc(raw.len + 1);
    if (s != NULL) {
        s[cm_json_unescape(raw.p, raw.len, s)] = '\0';
    }
    return s;
}

static int tag_find(const struct tagset *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->v[i].key, key) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void tag_remove(struct tagset *t, const char *key)
{
    int i = tag_find(t, key);
    if (i >= 0) {
        free(t->v[i].key);
        free(t->v[i].val);
        memmove(&t->v[i], &t->v[i + 1], (t->n - (size_t)i - 1) * sizeof(t->v[0]));
        t->n--;
    }
}

/* Adds or replaces; key and val are taken. */
static int tag_put(struct tagset *t, char *key, char *val, struct cm_api_resp *resp)
{
    int i = tag_find(t, key);
    if (i >= 0) {
        free(key);
        free(t->v[i].val);
        t->v[i].val = val;
        return 0;
    }
    if (t->n == CM_API_MAX_TAGS) {
        free(key);
        free(val);
        return cm_api_bad_request(resp, "The request is rejected because a resource can have "
                                        "at most 50 tags.");
    }
    t->v[t->n++] = (struct tag){key, val};
    return 0;
}

/* Adds the members of object node (validated). */
static int add_object(struct tagset *t, const struct cm_json_doc *d, uint32_t node, bool check,
                      struct cm_api_resp *resp)
{
    char msg[300];

    for (uint32_t k = cm_json_first(d, node); k != CM_JSON_NONE; k = cm_json_next(d, node, k + 1)) {
        uint32_t v = k + 1;
        char *key = str_of(d, k), *val;
        if (key == NULL) {
            return cm_api_error(resp, 500, "InternalServerErrorException", NULL, "no memory");
        }
        if (cm_json_type(d, v) != CM_JSON_STRING) {
            snprintf(msg, sizeof(msg),
                     "Invalid type for parameter tags.%.128s: expected a "
                     "string",
                     key);
            free(key);
            return cm_api_bad_request(resp, msg);
        }
        val = str_of(d, v);
        if (val == NULL) {
            free(key);
            return cm_api_error(resp, 500, "InternalServerErrorException", NULL, "no memory");
        }
        if (check && (key[0] == '\0' || strlen(key) > 128 || strncmp(key, "aws:", 4) == 0 ||
                      strlen(val) > 256)) {
            snprintf(msg, sizeof(msg),
                     "Invalid value for parameter tags: key '%.128s' must be "
                     "1-128 characters not starting with 'aws:' and its value at most 256",
                     key);
            free(key);
            free(val);
            return cm_api_bad_request(resp, msg);
        }
        if (tag_put(t, key, val, resp) != 0) {
            return -1;
        }
    }
    return 0;
}

int cm_api_tags_edit(const char *old, const struct cm_json_doc *d, uint32_t node,
                     const char *const *remove, size_t nremove, struct cm_buf *out,
                     struct cm_api_resp *resp)
{
    struct tagset t = {.n = 0};
    struct cm_json_doc od;
    struct cm_jw jw;
    int rc = -1;

    cm_json_doc_init(&od, 0, 8);
    if (old != NULL && old[0] != '\0') {
        if (cm_json_parse(&od, old, strlen(old), NULL) != 0 ||
            cm_json_type(&od, 0) != CM_JSON_OBJECT || add_object(&t, &od, 0, false, resp) != 0) {
            cm_api_error(resp, 500, "InternalServerErrorException", NULL,
                         "the stored tags are not valid");
            goto out;
        }
    }
    if (node != CM_JSON_NONE && add_object(&t, d, node, true, resp) != 0) {
        goto out;
    }
    for (size_t i = 0; i < nremove; i++) {
        tag_remove(&t, remove[i]);
    }
    cm_buf_reset(out);
    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    for (size_t i = 0; i < t.n; i++) {
        cm_jw_key(&jw, t.v[i].key);
        cm_jw_str(&jw, t.v[i].val);
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0
             ? 0
             : cm_api_error(resp, 500, "InternalServerErrorException", NULL, "no memory");
out:
    tagset_free(&t);
    cm_json_doc_finish(&od);
    return rc;
}

int cm_api_tags_merge(const char *old, const struct cm_json_doc *d, uint32_t node,
                      struct cm_buf *out, struct cm_api_resp *resp)
{
    return cm_api_tags_edit(old, d, node, NULL, 0, out, resp);
}

/*
 * The detector id of a detector ARN of this account, in id[cap]; -1 with the 400 set when
 * the ARN is not one.
 */
static int arn_detector(struct cm_api_ctx *ctx, const struct cm_api_req *req, char *id, size_t cap,
                        struct cm_api_resp *resp)
{
    char prefix[200];
    const char *arn = req->params[0];
    size_t n;

    n = (size_t)snprintf(prefix, sizeof(prefix), "arn:aws:guardduty:%s:%s:detector/",
                         cm_api_region(ctx, req), ctx->account);
    if (strncmp(arn, prefix, n) != 0 || strchr(arn + n, '/') != NULL || arn[n] == '\0' ||
        strlen(arn + n) >= cap) {
        return cm_api_bad_request(resp, "The request is rejected because the resource ARN is "
                                        "not a detector of the current account and Region.");
    }
    snprintf(id, cap, "%s", arn + n);
    return cm_api_detector_check(ctx, req, id, resp);
}

struct tags_of {
    struct cm_buf *out;
    int rc;
};

static int on_tags(void *ud, const struct cm_store_detector *det)
{
    struct tags_of *t = ud;
    t->rc = cm_buf_puts(t->out, det->tags);
    return 0;
}

static int read_tags(struct cm_api_ctx *ctx, const char *id, struct cm_buf *out)
{
    struct tags_of t = {out, 0};
    cm_buf_reset(out);
    return cm_store_detector_get(ctx->store, id, on_tags, &t) != 0 || t.rc != 0 ? -1 : 0;
}

int cm_api_tag_resource(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp)
{
    char id[CM_STORE_DETECTOR_ID_MAX + 1], err[256];
    struct cm_api_in b;
    struct cm_buf old, merged;
    uint32_t node;
    int rc = -1;

    memset(&b, 0, sizeof(b));
    cm_buf_init(&old, 0);
    cm_buf_init(&merged, 0);
    if (arn_detector(ctx, req, id, sizeof(id), resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_node(&b, resp, 0, "tags", true, CM_JSON_OBJECT, &node) != 0) {
        goto out;
    }
    if (read_tags(ctx, id, &old) != 0) {
        cm_api_error(resp, 500, "InternalServerErrorException", NULL, "the store failed");
        goto out;
    }
    if (cm_api_tags_merge(old.p, &b.d, node, &merged, resp) != 0) {
        goto out;
    }
    if (cm_store_detector_update(ctx->store, id, NULL, NULL, merged.p, req->now_ms, err,
                                 sizeof(err)) != 0) {
        cm_api_error(resp, 500, "InternalServerErrorException", NULL, err);
        goto out;
    }
    resp->status = 204;
    rc = 0;
out:
    cm_buf_finish(&old);
    cm_buf_finish(&merged);
    cm_api_in_finish(&b);
    return rc;
}

int cm_api_untag_resource(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                          struct cm_api_resp *resp)
{
    char id[CM_STORE_DETECTOR_ID_MAX + 1], err[256];
    const char *keys[CM_API_MAX_QUERY];
    size_t n = 0;
    struct cm_buf old, merged;
    int rc = -1;

    for (size_t i = 0; i < req->nquery; i++) {
        if (strcmp(req->query[i].key, "tagKeys") == 0) {
            keys[n++] = req->query[i].val;
        }
    }
    cm_buf_init(&old, 0);
    cm_buf_init(&merged, 0);
    if (arn_detector(ctx, req, id, sizeof(id), resp) != 0) {
        goto out;
    }
    if (n == 0) {
        cm_api_bad_request(resp, "Missing required parameter in input: tagKeys");
        goto out;
    }
    if (read_tags(ctx, id, &old) != 0) {
        cm_api_error(resp, 500, "InternalServerErrorException", NULL, "the store failed");
        goto out;
    }
    if (cm_api_tags_edit(old.p, NULL, CM_JSON_NONE, keys, n, &merged, resp) != 0) {
        goto out;
    }
    if (cm_store_detector_update(ctx->store, id, NULL, NULL, merged.p, req->now_ms, err,
                                 sizeof(err)) != 0) {
        cm_api_error(resp, 500, "InternalServerErrorException", NULL, err);
        goto out;
    }
    resp->status = 204;
    rc = 0;
out:
    cm_buf_finish(&old);
    cm_buf_finish(&merged);
    return rc;
}

int cm_api_list_tags(struct cm_api_ctx *ctx, const struct cm_api_req *req, struct cm_api_resp *resp)
{
    char id[CM_STORE_DETECTOR_ID_MAX + 1];
    struct cm_buf tags;
    int rc = -1;

    cm_buf_init(&tags, 0);
    if (arn_detector(ctx, req, id, sizeof(id), resp) != 0) {
        goto out;
    }
    if (read_tags(ctx, id, &tags) != 0) {
        cm_api_error(resp, 500, "InternalServerErrorException", NULL, "the store failed");
        goto out;
    }
    rc = cm_buf_printf(&resp->body, "{\"tags\":%s}", tags.p ? tags.p : "{}") == 0 ? 0 : -1;
out:
    cm_buf_finish(&tags);
    return rc;
}
