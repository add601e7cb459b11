/*
 * Typed members of a request body (api_body.h).
 */
#include "api/api_body.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"

static const char *type_name(enum cm_json_type t)
{
    switch (t) {
    case CM_JSON_NULL:
        return "null";
    case CM_JSON_FALSE:
    case CM_JSON_TRUE:
        return "a boolean";
    case CM_JSON_NUMBER:
        return "a number";
    case CM_JSON_STRING:
        return "a string";
    case CM_JSON_ARRAY:
        return "a list";
    case CM_JSON_OBJECT:
        return "a structure";
    }
    return "?";
}

static int bad_type(struct cm_api_resp *resp, const char *name, const char *want,
                    enum cm_json_type got)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "Invalid type for parameter %s: expected %s, got %s", name, want,
             type_name(got));
    return cm_api_bad_request(resp, msg);
}

int cm_api_body_parse(const struct cm_api_req *req, struct cm_json_doc *d, struct cm_api_resp *resp)
{
    struct cm_diag diag;
    char msg[256];
    int rc;

    cm_diag_clear(&diag);
    if (req->body == NULL || req->body_len == 0) {
        rc = cm_json_parse(d, "{}", 2, &diag);
    } else {
        rc = cm_json_parse(d, req->body, req->body_len, &diag);
    }
    if (rc != 0) {
        snprintf(msg, sizeof(msg), "The request body is not valid JSON: byte %zu: %s", diag.offset,
                 diag.msg[0] ? diag.msg : cm_strerror(rc));
        return cm_api_error(resp, 400, "BadRequestException", "SerializationException", msg);
    }
    if (cm_json_type(d, 0) != CM_JSON_OBJECT) {
        return cm_api_error(resp, 400, "BadRequestException", "SerializationException",
                            "The request body is not a JSON object");
    }
    return 0;
}

int cm_api_body_node(const struct cm_json_doc *d, uint32_t obj, const char *name,
                     enum cm_json_type type, uint32_t *node, struct cm_api_resp *resp)
{
    uint32_t n = cm_json_get(d, obj, name);

    *node = CM_JSON_NONE;
    if (n == CM_JSON_NONE || cm_json_type(d, n) == CM_JSON_NULL) {
        return 0;
    }
    if (cm_json_type(d, n) != type &&
        !(type == CM_JSON_TRUE && cm_json_type(d, n) == CM_JSON_FALSE)) {
        return bad_type(resp, name, type_name(type), cm_json_type(d, n));
    }
    *node = n;
    return 1;
}

int cm_api_body_int(const struct cm_json_doc *d, uint32_t obj, const char *name, int64_t min,
                    int64_t max, int64_t *out, struct cm_api_resp *resp)
{
    uint32_t n;
    int rc = cm_api_body_node(d, obj, name, CM_JSON_NUMBER, &n, resp);
    char msg[256];

    if (rc <= 0) {
        return rc;
    }
    if (cm_json_i64(d, n, out) != 0 || *out < min || *out > max) {
        snprintf(msg, sizeof(msg),
                 "Invalid value for parameter %s: must be an integer from %lld "
                 "to %lld",
                 name, (long long)min, (long long)max);
        return cm_api_bad_request(resp, msg);
    }
    return 1;
}

int cm_api_body_bool(const struct cm_json_doc *d, uint32_t obj, const char *name, bool *out,
                     struct cm_api_resp *resp)
{
    uint32_t n;
    int rc = cm_api_body_node(d, obj, name, CM_JSON_TRUE, &n, resp);

    if (rc <= 0) {
        return rc;
    }
    *out = cm_json_type(d, n) == CM_JSON_TRUE;
    return 1;
}

int cm_api_body_str(const struct cm_json_doc *d, uint32_t obj, const char *name, size_t max,
                    const char *const *allowed, char *out, size_t cap, struct cm_api_resp *resp)
{
    uint32_t n;
    int rc = cm_api_body_node(d, obj, name, CM_JSON_STRING, &n, resp);
    struct cm_str raw;
    char msg[512];
    size_t len;

    if (rc <= 0) {
        return rc;
    }
    raw = cm_json_raw(d, n);
    if (raw.len >= cap) {
        snprintf(msg, sizeof(msg), "Invalid length for parameter %s: at most %zu", name, max);
        return cm_api_bad_request(resp, msg);
    }
    len = cm_json_unescape(raw.p, raw.len, out);
    out[len] = '\0';
    if (len == 0 || len > max || strlen(out) != len) {
        snprintf(msg, sizeof(msg), "Invalid length for parameter %s: from 1 to %zu", name, max);
        return cm_api_bad_request(resp, msg);
    }
    if (allowed != NULL) {
        size_t i, off = 0;
        for (i = 0; allowed[i] != NULL; i++) {
            if (strcmp(allowed[i], out) == 0) {
                return 1;
            }
        }
        off = (size_t)snprintf(msg, sizeof(msg),
                               "Invalid value for parameter %s: '%.64s' is "
                               "not one of",
                               name, out);
        for (i = 0; allowed[i] != NULL && off < sizeof(msg); i++) {
            off +=
                (size_t)snprintf(msg + off, sizeof(msg) - off, "%s %s", i ? "," : "", allowed[i]);
        }
        return cm_api_bad_request(resp, msg);
    }
    return 1;
}

int cm_api_query_int(const struct cm_api_req *req, const char *name, int64_t min, int64_t max,
                     int64_t *out, struct cm_api_resp *resp)
{
    const char *v = cm_api_query(req, name);
    char msg[256];
    unsigned long long u;

    if (v == NULL) {
        return 0;
    }
    if (cm_str_to_u64(cm_str_cstr(v), (unsigned long long)max, &u) != 0 || (int64_t)u < min) {
        snprintf(msg, sizeof(msg),
                 "Invalid value for parameter %s: must be an integer from %lld "
                 "to %lld",
                 name, (long long)min, (long long)max);
        return cm_api_bad_request(resp, msg);
    }
    *out = (int64_t)u;
    return 1;
}
