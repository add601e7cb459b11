/*
 * The publishing destination operations (spec/GUARDDUTY.md §3.4, §6; docs/publishing.md):
 * Create, Describe, Update, Delete and List of a detector's S3 export, kept in the store
 * (store/store_pubdest.h) and run by the exporter (pubdest/pubdest_export.h) in the bus
 * thread of `coalmine serve` or by `coalmine findings publish`.
 *
 * As GuardDuty: destinationType is S3; destinationProperties {destinationArn
 * ("arn:aws:s3:::bucket[/prefix/]"), kmsKeyArn} are both required at creation and checked
 * for form (an ARN that cannot name a bucket is a 400 naming the member and the reason);
 * a detector has one destination (a second is 400 BadRequestException); a new or changed
 * destination is PENDING_VERIFICATION until the exporter first reaches its bucket;
 * publishingFailureStartTimestamp is epoch milliseconds, 0 while publishing works. A
 * retried Create with the same clientToken returns the same destination. An id the store
 * does not have is 400 "The request is rejected since no such resource found.".
 * Describe also returns, beyond the model, coalmine's own view of the export under
 * "coalmine" (lastError, exportedFindings, objects, lastObjectKey, lastExportedAt,
 * nextAttemptAt), which botocore and the aws CLI ignore.
 */
#include "api/api.h"
#include "api/api_input.h"
#include "api/api_ops.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "pubdest/pubdest.h"
#include "store/store.h"
#include "store/store_pubdest.h"

static void tag_key(char *out, size_t n, const char *id)
{
    snprintf(out, n, "PublishingDestination/%.40s", id);
}

/*
 * destinationProperties of the body: required (create) or not; its destinationArn and
 * kmsKeyArn, each required when the object is given at creation, checked for form.
 */
static int read_props(struct cm_api_in *b, struct cm_api_resp *resp, bool create, const char **arn,
                      const char **kms)
{
    struct cm_pubdest_arn a;
    uint32_t props;
    char why[256];

    *arn = *kms = NULL;
    if (cm_api_in_node(b, resp, 0, "destinationProperties", create, CM_JSON_OBJECT, &props) != 0) {
        return -1;
    }
    if (props == CM_JSON_NONE) {
        return 0;
    }
    if (cm_api_in_str(b, resp, props, "destinationArn", create, 1, CM_PUBDEST_ARN_MAX, arn) != 0 ||
        cm_api_in_str(b, resp, props, "kmsKeyArn", create, 1, 2048, kms) != 0) {
        return -1;
    }
    if (*arn != NULL && cm_pubdest_arn_parse(*arn, &a, why, sizeof(why)) != 0) {
        return cm_api_in_bad(b, resp, "destinationProperties.destinationArn",
                             cm_api_in_get(b, props, "destinationArn"), why);
    }
    if (*kms != NULL && cm_pubdest_kms_check(*kms, why, sizeof(why)) != 0) {
        return cm_api_in_bad(b, resp, "destinationProperties.kmsKeyArn",
                             cm_api_in_get(b, props, "kmsKeyArn"), why);
    }
    return 0;
}

CM_API_OP(cm_api_create_publishing_destination)
{
    static const char *const types[] = {"S3", NULL};
    struct cm_store_pubdest d;
    struct cm_api_in b;
    const char *type = NULL, *token = NULL, *tags = "{}";
    char id[CM_API_OPS_ID_LEN + 1], got[CM_API_OPS_ID_LEN + 1] = "", err[512] = "", key[96];
    int rc = -1;

    memset(&b, 0, sizeof(b));
    memset(&d, 0, sizeof(d));
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        cm_api_in_enum(&b, resp, 0, "destinationType", true, types, &type) != 0 ||
        read_props(&b, resp, true, &d.arn, &d.kms) != 0 ||
        cm_api_in_str(&b, resp, 0, "clientToken", false, 0, 64, &token) != 0 ||
        cm_api_in_tags(&b, resp, &tags) != 0) {
        goto out;
    }
    cm_api_ops_new_id(id);
    d.id = id;
    d.detector_id = req->params[0];
    d.type = type;
    d.client_token = token;
    d.created_ms = d.updated_ms = req->now_ms;
    rc = cm_store_pubdest_create(ctx->store, &d, got, err, sizeof(err));
    if (rc == CM_EEXIST) {
        rc = cm_api_bad_request(resp, err);
        goto out;
    }
    if (rc != 0) {
        rc = cm_api_ops_store_fail(resp, rc, err);
        goto out;
    }
    /* A retried request (same clientToken) finds its destination: its tags are kept. */
    if (strcmp(got, id) == 0) {
        tag_key(key, sizeof(key), id);
        if ((rc = cm_store_tags_set(ctx->store, key, tags, err, sizeof(err))) != 0) {
            rc = cm_api_ops_store_fail(resp, rc, err);
            goto out;
        }
    }
    rc = cm_api_ops_answer_id(resp, "destinationId", got);
out:
    cm_api_in_finish(&b);
    return rc;
}

struct describe {
    struct cm_api_ctx *ctx;
    struct cm_api_resp *resp;
};

static void put_iso(struct cm_jw *jw, const char *key, int64_t ms)
{
    char when[40];
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03dZ", (int)(ms % 1000));
    cm_jw_key(jw, key);
    cm_jw_str(jw, when);
}

static int write_dest(void *ud, const struct cm_store_pubdest *d)
{
    struct describe *x = ud;
    struct cm_jw jw;
    char key[96], *tags = NULL;
    int rc;

    tag_key(key, sizeof(key), d->id);
    if ((rc = cm_store_tags_get(x->ctx->store, key, &tags)) != 0) {
        return rc;
    }
    cm_buf_reset(&x->resp->body);
    cm_jw_init(&jw, &x->resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "destinationId");
    cm_jw_str(&jw, d->id);
    cm_jw_key(&jw, "destinationType");
    cm_jw_str(&jw, d->type);
    cm_jw_key(&jw, "status");
    cm_jw_str(&jw, d->status);
    cm_jw_key(&jw, "publishingFailureStartTimestamp");
    cm_jw_i64(&jw, d->failure_ms);
    cm_jw_key(&jw, "destinationProperties");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "destinationArn");
    cm_jw_str(&jw, d->arn);
    if (d->kms != NULL) {
        cm_jw_key(&jw, "kmsKeyArn");
        cm_jw_str(&jw, d->kms);
    }
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "tags");
    cm_jw_raw(&jw, tags ? tags : "{}", tags ? strlen(tags) : 2);
    cm_jw_key(&jw, "coalmine");
    cm_jw_obj_begin(&jw);
    if (d->last_error != NULL) {
        cm_jw_key(&jw, "lastError");
        cm_jw_str(&jw, d->last_error);
    }
    cm_jw_key(&jw, "exportedFindings");
    cm_jw_i64(&jw, d->exported);
    cm_jw_key(&jw, "objects");
    cm_jw_i64(&jw, d->objects);
    if (d->last_key != NULL) {
        cm_jw_key(&jw, "lastObjectKey");
        cm_jw_str(&jw, d->last_key);
    }
    if (d->last_ms > 0) {
        put_iso(&jw, "lastExportedAt", d->last_ms);
    }
    if (d->next_ms > 0) {
        put_iso(&jw, "nextAttemptAt", d->next_ms);
    }
    cm_jw_key(&jw, "failures");
    cm_jw_i64(&jw, d->failures);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    cm_free(tags);
    return cm_jw_finish(&jw);
}

CM_API_OP(cm_api_describe_publishing_destination)
{
    struct describe x = {ctx, resp};
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0) {
        return -1;
    }
    rc = cm_store_pubdest_get(ctx->store, req->params[0], req->params[1], write_dest, &x);
    return cm_api_ops_stored(resp, rc, NULL);
}

CM_API_OP(cm_api_update_publishing_destination)
{
    struct cm_api_in b;
    const char *arn = NULL, *kms = NULL;
    char err[512] = "";
    int rc = -1;

    memset(&b, 0, sizeof(b));
    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_parse(&b, req, resp) != 0 ||
        read_props(&b, resp, false, &arn, &kms) != 0) {
        goto out;
    }
    rc = cm_store_pubdest_update(ctx->store, req->params[0], req->params[1], arn, kms, req->now_ms,
                                 err, sizeof(err));
    rc = rc != 0 ? cm_api_ops_stored(resp, rc, err) : cm_api_in_empty(resp);
out:
    cm_api_in_finish(&b);
    return rc;
}

CM_API_OP(cm_api_delete_publishing_destination)
{
    char err[512] = "";
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0) {
        return -1;
    }
    rc = cm_store_pubdest_delete(ctx->store, req->params[0], req->params[1], err, sizeof(err));
    return rc != 0 ? cm_api_ops_stored(resp, rc, err) : cm_api_in_empty(resp);
}

static int list_one(void *ud, const struct cm_store_pubdest *d)
{
    struct cm_api_page *page = ud;

    cm_jw_obj_begin(&page->jw);
    cm_jw_key(&page->jw, "destinationId");
    cm_jw_str(&page->jw, d->id);
    cm_jw_key(&page->jw, "destinationType");
    cm_jw_str(&page->jw, d->type);
    cm_jw_key(&page->jw, "status");
    cm_jw_str(&page->jw, d->status);
    cm_jw_obj_end(&page->jw);
    cm_api_page_mark(page, d->id);
    return 0;
}

CM_API_OP(cm_api_list_publishing_destinations)
{
    struct cm_api_page page;
    const char *token;
    size_t max;
    bool more = false;
    int rc;

    if (cm_api_ops_detector(ctx, req, resp) != 0 || cm_api_in_page(req, resp, &max, &token) != 0) {
        return -1;
    }
    cm_api_page_begin(&page, resp, "destinations");
    rc = cm_store_pubdest_each(ctx->store, req->params[0], token, max, list_one, &page, &more);
    if (rc != 0) {
        return cm_api_ops_store_fail(resp, rc, NULL);
    }
    return cm_api_page_end(&page, more ? page.last : NULL);
}
