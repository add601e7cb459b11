/*
 * The filter operations (spec §5.1, §6 "Filters"): CreateFilter, GetFilter,
 * UpdateFilter, DeleteFilter and ListFilters over the store's filters, with
 * the semantics and validation of `coalmine filters` (both go through
 * lib/finding/filter.c: names of 3-64 [A-Za-z0-9._-], rank 1-100, action
 * NOOP|ARCHIVE, 1-50 criteria in the REST form, at most 100 filters).
 * GetFilter answers the criteria in the canonical REST form. Tags are kept
 * in the store's api_tags under "filter/NAME".
 *
 * A filter the store does not have is GuardDuty's (and moto's) answer: 400
 * BadRequestException, "The request is rejected since no such resource
 * found." ListFilters pages in rank order; its nextToken is the name of the
 * last filter of the page (a token whose filter was deleted meanwhile is a
 * 400 asking to list again).
 */
#include "api/api.h"
#include "api/api_input.h"
#include "api/api_ops.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "finding/filter.h"
#include "store/store.h"

/* A filter body the library refused: its reason and offset. */
static int filter_invalid(struct cm_api_resp *resp, int rc, const struct cm_diag *dg)
{
    char msg[300];

    if (rc == CM_ENOMEM) {
        return -1;
    }
    snprintf(msg, sizeof(msg), "%s (byte %zu)", dg->msg[0] ? dg->msg : cm_strerror(rc), dg->offset);
    return cm_api_bad_request(resp, msg);
}

static void tag_key(char *out, size_t n, const char *name)
{
    snprintf(out, n, "filter/%s", name);
}

/* Loads the store's filters into set. */
static int load(struct cm_api_ctx *ctx, struct cm_filterset *set, struct cm_api_resp *resp)
{
    char err[512] = "";
    int rc = cm_store_filters_load(ctx->store, set, err, sizeof(err));

    return rc == 0 ? 0 : cm_api_ops_store_fail(resp, rc, err);
}

int cm_api_create_filter(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp)
{
    struct cm_api_in b;
    struct cm_filter *f = NULL;
    struct cm_diag dg;
    const char *tags = "{}";
    char err[512] = "", key[96];
    int rc = -1;

    memset(&b, 0, sizeof(b));
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_tags(&b, resp, &tags) != 0) {
        goto out;
    }
    cm_diag_clear(&dg);
    rc = cm_filter_parse_node(&b.d, 0, NULL, CM_FILTER_F_WIRE, &f, &dg);
    if (rc != 0) {
        rc = filter_invalid(resp, rc, &dg);
        goto out;
    }
    rc = cm_store_filter_put(ctx->store, f, true, err, sizeof(err));
    if (rc == CM_EEXIST || rc == CM_EFULL) {
        char msg[600];
        snprintf(msg, sizeof(msg), "name: %s", err);
        rc = cm_api_bad_request(resp, msg);
        goto out;
    }
    if (rc != 0) {
        rc = cm_api_ops_store_fail(resp, rc, err);
        goto out;
    }
    tag_key(key, sizeof(key), f->name);
    rc = cm_store_tags_set(ctx->store, key, tags, err, sizeof(err));
    rc = rc != 0 ? cm_api_ops_store_fail(resp, rc, err)
                 : cm_api_ops_answer_id(resp, "name", f->name);
out:
    cm_filter_destroy(f);
    cm_api_in_finish(&b);
    return rc;
}

int cm_api_get_filter(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                      struct cm_api_resp *resp)
{
    struct cm_filterset set;
    const struct cm_filter *f;
    struct cm_jw jw;
    char key[96], *tags = NULL;
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0) {
        return -1;
    }
    cm_filterset_init(&set);
    if ((rc = load(ctx, &set, resp)) != 0) {
        goto out;
    }
    if ((f = cm_filterset_get(&set, cm_str_cstr(req->params[1]))) == NULL) {
        rc = cm_api_ops_no_such(resp);
        goto out;
    }
    tag_key(key, sizeof(key), f->name);
    if ((rc = cm_store_tags_get(ctx->store, key, &tags)) != 0) {
        rc = cm_api_ops_store_fail(resp, rc, "");
        goto out;
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "name");
    cm_jw_str(&jw, f->name);
    cm_jw_key(&jw, "description");
    cm_jw_str(&jw, f->description ? f->description : "");
    cm_jw_key(&jw, "action");
    cm_jw_str(&jw, cm_filter_action_name(f->action));
    cm_jw_key(&jw, "rank");
    cm_jw_i64(&jw, f->rank);
    cm_jw_key(&jw, "findingCriteria");
    cm_criteria_write(f->criteria, &jw);
    cm_jw_key(&jw, "tags");
    cm_jw_raw(&jw, tags, strlen(tags));
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
out:
    cm_free(tags);
    cm_filterset_finish(&set);
    return rc;
}

int cm_api_update_filter(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp)
{
    struct cm_filterset set;
    const struct cm_filter *cur;
    struct cm_filter *f = NULL;
    struct cm_api_in b;
    struct cm_diag dg;
    char err[512] = "";
    int rc;

    memset(&b, 0, sizeof(b));
    cm_filterset_init(&set);
    if ((rc = cm_api_ops_detector(ctx, req, resp)) != 0 ||
        (rc = cm_api_in_parse(&b, req, resp)) != 0 || (rc = load(ctx, &set, resp)) != 0) {
        goto out;
    }
    if ((cur = cm_filterset_get(&set, cm_str_cstr(req->params[1]))) == NULL) {
        rc = cm_api_ops_no_such(resp);
        goto out;
    }
    cm_diag_clear(&dg);
    rc = cm_filter_parse_node(&b.d, 0, cur, CM_FILTER_F_WIRE, &f, &dg);
    if (rc != 0) {
        rc = filter_invalid(resp, rc, &dg);
        goto out;
    }
    rc = cm_store_filter_put(ctx->store, f, false, err, sizeof(err));
    /* CM_ENOTFOUND: deleted since it was read */
    rc = rc != 0 ? cm_api_ops_stored(resp, rc, err) : cm_api_ops_answer_id(resp, "name", f->name);
out:
    cm_filter_destroy(f);
    cm_filterset_finish(&set);
    cm_api_in_finish(&b);
    return rc;
}

int cm_api_delete_filter(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp)
{
    char err[512] = "", key[96];
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0) {
        return -1;
    }
    rc = cm_store_filter_delete(ctx->store, req->params[1], err, sizeof(err));
    if (rc != 0) {
        return cm_api_ops_stored(resp, rc, err);
    }
    if (strlen(req->params[1]) <= CM_FILTER_NAME_MAX) {
        tag_key(key, sizeof(key), req->params[1]);
        if ((rc = cm_store_tags_set(ctx->store, key, NULL, err, sizeof(err))) != 0) {
            return cm_api_ops_store_fail(resp, rc, err);
        }
    }
    return cm_api_in_empty(resp);
}

int cm_api_list_filters(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp)
{
    struct cm_filterset set;
    struct cm_api_page page;
    const char *token;
    size_t max, start = 0, end;
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_page(req, resp, &max, &token) != 0) {
        return -1;
    }
    cm_filterset_init(&set);
    if ((rc = load(ctx, &set, resp)) != 0) {
        goto out;
    }
    if (token != NULL) {
        while (start < set.n && strcmp(set.v[start]->name, token) != 0) {
            start++;
        }
        if (start == set.n) {
            rc = cm_api_bad_request(resp, "nextToken: not a token of this list (its filter was "
                                          "deleted since): list again from the start");
            goto out;
        }
        start++;
    }
    end = start + max < set.n ? start + max : set.n;
    cm_api_page_begin(&page, resp, "filterNames");
    for (size_t i = start; i < end; i++) {
        cm_api_page_id(&page, set.v[i]->name);
    }
    rc = cm_api_page_end(&page, end < set.n ? page.last : NULL);
out:
    cm_filterset_finish(&set);
    return rc;
}
