/*
 * The API's router: match a request against cm_api_routes[] (api_routes.c),
 * decode the path parameters, run the handler, and turn a failure into the
 * restJson1 error shape botocore reads (api.h).
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/str.h"

/* Percent-decode s[0..n) into a new NUL-terminated string. NULL on a bad
 * escape, an encoded NUL or no memory. */
static char *decode_segment(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            *o++ = s[i];
            continue;
        }
        if (i + 2 >= n) {
            free(out);
            return NULL;
        }
        int h = cm_hex_digit(s[i + 1]), l = cm_hex_digit(s[i + 2]);
        if (h < 0 || l < 0 || (h == 0 && l == 0)) {
            free(out);
            return NULL;
        }
        *o++ = (char)(h * 16 + l);
        i += 2;
    }
    *o = '\0';
    return out;
}

/* Does path match pattern? On a match with params != NULL, the decoded
 * parameters are stored there (caller frees). Returns 1 match, 0 no match,
 * -1 a matching shape whose parameter would not decode. */
static int match(const char *pattern, const char *path, char **params, size_t *nparams)
{
    const char *p = pattern, *s = path;
    size_t np = 0;
    while (*p != '\0' && *s != '\0') {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = strchr(s, '/');
            if (pe == NULL)
                return 0;
            if (se == NULL)
                se = s + strlen(s);
            if (se == s || np == CM_API_MAX_PARAMS)
                return 0;
            if (params != NULL) {
                params[np] = decode_segment(s, (size_t)(se - s));
                if (params[np] == NULL)
                    return -1;
            }
            np++;
            p = pe + 1;
            s = se;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p != '\0' || *s != '\0')
        return 0;
    if (nparams != NULL)
        *nparams = np;
    return 1;
}

static void free_params(struct cm_api_req *req)
{
    for (size_t i = 0; i < CM_API_MAX_PARAMS; i++) {
        free(req->params[i]);
        req->params[i] = NULL;
    }
    req->nparams = 0;
}

const char *cm_api_op_name(const char *method, const char *path)
{
    for (const struct cm_api_route *r = cm_api_routes; r->method != NULL; r++)
        if (strcmp(r->method, method) == 0 && match(r->pattern, path, NULL, NULL) == 1)
            return r->op;
    return NULL;
}

int cm_api_error(struct cm_api_resp *resp, int status, const char *type, const char *body_type,
                 const char *message)
{
    struct cm_jw jw;
    resp->status = status;
    resp->error_type = type;
    resp->content_type = NULL;
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "message");
    cm_jw_str(&jw, message);
    cm_jw_key(&jw, "__type");
    cm_jw_str(&jw, body_type != NULL ? body_type : type);
    cm_jw_obj_end(&jw);
    (void)cm_jw_finish(&jw);
    return -1;
}

int cm_api_bad_request(struct cm_api_resp *resp, const char *message)
{
    return cm_api_error(resp, 400, "BadRequestException", "InvalidInputException", message);
}

int cm_api_not_found(struct cm_api_resp *resp, const char *message)
{
    return cm_api_error(resp, 404, "ResourceNotFoundException", NULL, message);
}

const char *cm_api_query(const struct cm_api_req *req, const char *key)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, key) == 0)
            return req->query[i].val;
    return NULL;
}

int cm_api_handle(struct cm_api_ctx *ctx, struct cm_api_req *req, struct cm_api_resp *resp)
{
    const struct cm_api_route *found = NULL;
    bool other_method = false;
    int rc;

    resp->status = 200;
    resp->error_type = NULL;
    resp->content_type = NULL;
    memset(req->params, 0, sizeof req->params);
    req->nparams = 0;
    if (req->target != NULL) {
        return cm_api_json_handle(ctx, req, resp);
    }
    for (const struct cm_api_route *r = cm_api_routes; r->method != NULL; r++) {
        if (match(r->pattern, req->path, NULL, NULL) != 1)
            continue;
        if (strcmp(r->method, req->method) != 0) {
            other_method = true;
            continue;
        }
        found = r;
        break;
    }
    if (found == NULL) {
        if (other_method)
            cm_api_error(resp, 405, "BadRequestException", NULL, "method not allowed on this path");
        else
            cm_api_error(resp, 404, "ResourceNotFoundException", NULL, "no such operation");
        return resp->body.len > 0 ? 0 : -1;
    }
    rc = match(found->pattern, req->path, req->params, &req->nparams);
    if (rc != 1) {
        free_params(req);
        cm_api_bad_request(resp, "a path parameter is not valid percent-encoding");
        return resp->body.len > 0 ? 0 : -1;
    }
    rc = found->fn(ctx, req, resp);
    free_params(req);
    if (rc != 0 && resp->error_type == NULL)
        cm_api_error(resp, 500, "InternalServerErrorException", NULL, "internal error");
    return resp->body.len > 0 || resp->error_type == NULL ? 0 : -1;
}
