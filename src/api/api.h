/*
 * The GuardDuty-compatible REST API (restJson1, spec/GUARDDUTY.md §6), free
 * of any transport: a parsed request in, a response out. api_http.c puts it
 * on libmicrohttpd (with SigV4 checked there, before a handler runs); unit
 * tests call cm_api_handle() directly.
 *
 * One operation is one handler in a const table (api_routes.c), matched by
 * method and path pattern; "{Name}" in a pattern matches one non-empty path
 * segment, which the router percent-decodes into req->params[] in pattern
 * order. A path no route matches is 404 with the restJson1 error shape; a path
 * that matches with another method is 405.
 *
 * Errors are what botocore reads (§6 "Errors"): the HTTP status, the header
 * X-Amzn-ErrorType (resp->error_type) and the body
 * {"message":"...","__type":"..."}. cm_api_error() writes all three.
 *
 * Threads: a cm_api_ctx belongs to one thread at a time (the server serves
 * requests on one thread, which owns ctx->store); handlers keep no state of
 * their own between requests beyond what the store holds.
 */
#ifndef CM_API_API_H
#define CM_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/str.h"

struct cm_store;
struct cm_api_target_policy;

#define CM_API_MAX_PARAMS 3          /* path parameters in one pattern */
#define CM_API_MAX_QUERY  64         /* query-string pairs kept */
#define CM_API_MAX_BODY   (1u << 20) /* request body bytes accepted */
#define CM_API_MAX_RESP   (64u << 20)

/* A query-string pair, percent-decoded ('+' is a space), NUL-terminated. */
struct cm_api_kv {
    char *key;
    char *val;
};

struct cm_api_req {
    const char *method; /* "GET", "POST", "DELETE", "PUT" */
    const char *path;   /* as received, percent-encoded, no query string */
    /* filled by the router: decoded, NUL-terminated, owned by the router
     * until cm_api_handle() returns */
    char *params[CM_API_MAX_PARAMS];
    size_t nparams;
    struct cm_api_kv query[CM_API_MAX_QUERY]; /* decoded, owned by the caller */
    size_t nquery;
    const char *body; /* the JSON body, not NUL-terminated; NULL/0 when none */
    size_t body_len;
    const char *access_key; /* SigV4 credential's key id; NULL when unsigned */
    const char *region;     /* SigV4 credential scope's region; NULL: ctx's */
    /* X-Amz-Target ("AWSEvents.PutRule"): an awsJson1_1 request (api_json.c); NULL: REST */
    const char *target;
    int64_t now_ms; /* the request's time (wall clock, from the caller) */
};

struct cm_api_resp {
    int status;               /* 200 unless a handler says otherwise */
    struct cm_buf body;       /* JSON (or text for non-API paths) */
    const char *error_type;   /* X-Amzn-ErrorType; NULL on success */
    const char *content_type; /* NULL: application/json */
};

/* What every handler may use. The server fills it once. */
struct cm_api_ctx {
    struct cm_store *store; /* opened by the serving thread */
    const char *account;    /* the account the detector belongs to */
    const char *region;     /* the default region (a request's scope overrides) */
    /* what PutTargets may put (api_target_guard.h, api.targets); NULL: all lists empty */
    const struct cm_api_target_policy *targets;
    /*
     * Wakes the thread that delivers what the outbox owes (serve's bus thread): PutEvents
     * stores each event and calls it, so no delivery (a slow webhook, DNS) runs on the API
     * thread. NULL: PutEvents makes the first attempt itself, in the request.
     */
    void (*wake_bus)(void *ud);
    void *wake_ud;
};

typedef int (*cm_api_fn)(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp);

struct cm_api_route {
    const char *method;
    const char *pattern; /* "/detector/{DetectorId}/findings/get" */
    const char *op;      /* the API model's operation name, "GetFindings" */
    cm_api_fn fn;
};

/* The table, ended by an entry with method NULL (api_routes.c). */
extern const struct cm_api_route cm_api_routes[];

/*
 * The awsJson1_1 operations (EventBridge, docs/events-api.md): POST / with X-Amz-Target
 * "<prefix>.<Op>", matched on the whole target; ended by an entry with target NULL
 * (api_routes.c). Their errors are 400 with the body {"__type", "message"} botocore reads.
 */
struct cm_api_json_route {
    const char *target; /* "AWSEvents.PutRule" */
    cm_api_fn fn;
};
extern const struct cm_api_json_route cm_api_json_routes[];

/* The operation name ("PutRule") of an X-Amz-Target value, or NULL when none matches. */
const char *cm_api_json_op_name(const char *target);

/* Runs one awsJson1_1 request (req->target set); what cm_api_handle does for it. */
int cm_api_json_handle(struct cm_api_ctx *ctx, struct cm_api_req *req, struct cm_api_resp *resp);

/* Route and run one request (req->target set: cm_api_json_handle). resp->body must be
 * cm_buf_init()ed by the caller; on return resp holds a complete response (an error response when
 * the handler or the router failed: a handler returning -1 without having
 * set an error gives 500 InternalServerErrorException). Returns 0, or -1 only
 * when even the error response could not be written (out of memory). */
int cm_api_handle(struct cm_api_ctx *ctx, struct cm_api_req *req, struct cm_api_resp *resp);

/* The route a request matches, its operation name, or NULL. */
const char *cm_api_op_name(const char *method, const char *path);

/* Set resp to an error: status, X-Amzn-ErrorType = type, body
 * {"message": message, "__type": body_type ? body_type : type}. Returns -1
 * so a handler can `return cm_api_error(...)`. */
int cm_api_error(struct cm_api_resp *resp, int status, const char *type, const char *body_type,
                 const char *message);

/* The common error forms (§6). */
int cm_api_bad_request(struct cm_api_resp *resp, const char *message);
int cm_api_not_found(struct cm_api_resp *resp, const char *message);

/* The value of query parameter `key` (first occurrence), or NULL. */
const char *cm_api_query(const struct cm_api_req *req, const char *key);

#endif
