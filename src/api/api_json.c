/*
 * The awsJson1_1 side of the API (api.h): POST / with X-Amz-Target naming the
 * operation, matched against cm_api_json_routes[] (api_routes.c). Errors keep
 * the shape botocore reads for the json protocol: HTTP 400 (500 for
 * InternalException), X-Amzn-ErrorType and {"message", "__type"}. The input
 * helpers of api_input.h answer a bad member with restJson1's
 * BadRequestException; here that becomes EventBridge's ValidationException
 * with the same message.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "base/json.h"

#define CONTENT_TYPE "application/x-amz-json-1.1"

const char *cm_api_json_op_name(const char *target)
{
    const char *dot;

    if (target == NULL) {
        return NULL;
    }
    for (const struct cm_api_json_route *r = cm_api_json_routes; r->target != NULL; r++) {
        if (strcmp(r->target, target) == 0) {
            dot = strchr(r->target, '.');
            return dot != NULL ? dot + 1 : r->target;
        }
    }
    return NULL;
}

/* The message of an error body resp holds, into msg. */
static void error_message(const struct cm_api_resp *resp, char *msg, size_t len)
{
    struct cm_json_doc d;
    uint32_t m;

    snprintf(msg, len, "the request is not valid");
    cm_json_doc_init(&d, 64, 8);
    if (resp->body.p != NULL && cm_json_parse(&d, resp->body.p, resp->body.len, NULL) == 0 &&
        (m = cm_json_get(&d, 0, "message")) != CM_JSON_NONE &&
        cm_json_type(&d, m) == CM_JSON_STRING) {
        struct cm_str raw = cm_json_raw(&d, m);
        char tmp[1024];
        if (raw.len < sizeof(tmp)) {
            tmp[cm_json_unescape(raw.p, raw.len, tmp)] = '\0';
            snprintf(msg, len, "%s", tmp);
        }
    }
    cm_json_doc_finish(&d);
}

int cm_api_json_handle(struct cm_api_ctx *ctx, struct cm_api_req *req, struct cm_api_resp *resp)
{
    const struct cm_api_json_route *found = NULL;
    char msg[1100];
    int rc;

    resp->status = 200;
    resp->error_type = NULL;
    for (const struct cm_api_json_route *r = cm_api_json_routes; r->target != NULL; r++) {
        if (strcmp(r->target, req->target) == 0) {
            found = r;
            break;
        }
    }
    if (strcmp(req->method, "POST") != 0 || strcmp(req->path, "/") != 0) {
        cm_api_error(resp, 400, "UnknownOperationException", NULL,
                     "an X-Amz-Target request is POST /");
    } else if (found == NULL) {
        snprintf(msg, sizeof(msg), "Unknown operation %.200s", req->target);
        cm_api_error(resp, 400, "UnknownOperationException", NULL, msg);
    } else {
        rc = found->fn(ctx, req, resp);
        if (rc != 0 && resp->error_type == NULL) {
            cm_api_error(resp, 500, "InternalException", NULL, "internal error");
        } else if (rc != 0 && strcmp(resp->error_type, "BadRequestException") == 0) {
            error_message(resp, msg, sizeof(msg));
            cm_api_error(resp, 400, "ValidationException", NULL, msg);
        }
    }
    resp->content_type = CONTENT_TYPE;
    return resp->body.len > 0 || resp->error_type == NULL ? 0 : -1;
}
