/*
 * The harness of the API handler tests (test_api_*.c): a fresh store in a
 * temp directory per test with the default detector A_DET, a context for
 * account 123456789012 in us-east-1, and call(), which runs one request
 * through cm_api_handle() the way the HTTP server does (query parsed by
 * api_query.c) and keeps the answer: a_status, a_type (X-Amzn-ErrorType, ""
 * when none), a_body and a_doc (a_body parsed: an answer is JSON or empty).
 * Assertions on the answer: a_ok(), a_error(), a_str(), a_count(). Included
 * after cmocka.h, by test files only.
 */
#ifndef CM_TESTS_API_UTIL_H
#define CM_TESTS_API_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_detector.h"
#include "api/api_query.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "finding/finding.h"
#include "finding/finding_sample.h"
#include "store/store.h"

#define A_ACCOUNT  "123456789012"
#define A_REGION   "us-east-1"
#define A_DET      "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"
#define A_NOW      1767225600000LL   /* 2026-01-01T00:00:00Z: the detector's creation */
#define A_REQ_NOW  (A_NOW + 3600000) /* the time of every request, an hour later */
#define A_DET_PATH "/detector/" A_DET

static char a_dir[256], a_path[512];
static struct cm_store *a_st;
static struct cm_api_ctx a_ctx;

/* The last answer. */
static int a_status;
static char a_type[128];
static char *a_body;
static struct cm_json_doc a_doc;

static inline int a_setup(void **state)
{
    char err[256] = "", id[CM_STORE_DETECTOR_ID_MAX + 1];

    (void)state;
    snprintf(a_dir, sizeof(a_dir), "/tmp/cm_api_t_XXXXXX");
    if (mkdtemp(a_dir) == NULL) {
        return -1;
    }
    snprintf(a_path, sizeof(a_path), "%s/coalmine.db", a_dir);
    if (cm_store_open(&a_st, a_path, CM_STORE_CREATE, err, sizeof(err)) != 0) {
        return -1;
    }
    a_ctx = (struct cm_api_ctx){a_st, A_ACCOUNT, A_REGION, NULL, NULL, NULL};
    cm_json_doc_init(&a_doc, 0, 0);
    /* The detector the tests' paths name, as `coalmine serve` makes it on its first start. */
    if (cm_api_detector_ensure(&a_ctx, A_DET, A_NOW, id, sizeof(id), err, sizeof(err)) != 0) {
        return -1;
    }
    return strcmp(id, A_DET) == 0 ? 0 : -1;
}

static inline int a_teardown(void **state)
{
    char cmd[600];

    (void)state;
    cm_store_close(a_st);
    a_st = NULL;
    free(a_body);
    a_body = NULL;
    cm_json_doc_finish(&a_doc);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/*
 * One request (query "k=v&k=v" or NULL); region NULL: unsigned (the
 * server's region). Returns the status.
 */
static inline int call_in(const char *region, const char *method, const char *path,
                          const char *query, const char *body)
{
    struct cm_api_req req;
    struct cm_api_resp resp;
    char why[256];

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = method;
    req.path = path;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.region = region;
    req.now_ms = A_REQ_NOW;
    assert_int_equal(cm_api_query_parse(&req, query, why, sizeof(why)), 0);
    cm_buf_init(&resp.body, CM_API_MAX_RESP);
    assert_int_equal(cm_api_handle(&a_ctx, &req, &resp), 0);
    cm_api_query_free(&req);
    a_status = resp.status;
    snprintf(a_type, sizeof(a_type), "%s", resp.error_type ? resp.error_type : "");
    free(a_body);
    a_body = strdup(resp.body.p ? resp.body.p : "");
    assert_non_null(a_body);
    cm_buf_finish(&resp.body);
    cm_json_doc_finish(&a_doc);
    cm_json_doc_init(&a_doc, 0, 0);
    if (a_body[0] != '\0' && cm_json_parse(&a_doc, a_body, strlen(a_body), NULL) != 0) {
        fail_msg("%s %s: answer is not JSON: %s", method, path, a_body);
    }
    return a_status;
}

static inline int call(const char *method, const char *path, const char *query, const char *body)
{
    return call_in(NULL, method, path, query, body);
}

/* String member name of the answer ("" when absent), copied into a static buffer. */
static inline const char *a_str(const char *name)
{
    static char out[4][2048];
    static int k;
    uint32_t v = a_body && a_body[0] ? cm_json_path(&a_doc, 0, name) : CM_JSON_NONE;
    struct cm_str raw;

    k = (k + 1) % 4;
    out[k][0] = '\0';
    if (v == CM_JSON_NONE || cm_json_type(&a_doc, v) != CM_JSON_STRING) {
        return out[k];
    }
    raw = cm_json_raw(&a_doc, v);
    if (raw.len >= sizeof(out[k])) {
        raw.len = sizeof(out[k]) - 1;
    }
    out[k][cm_json_unescape(raw.p, raw.len, out[k])] = '\0';
    return out[k];
}

/* Element count of the array member name, -1 when absent. */
static inline int a_count(const char *name)
{
    uint32_t v = a_body && a_body[0] ? cm_json_path(&a_doc, 0, name) : CM_JSON_NONE;

    return v == CM_JSON_NONE ? -1 : (int)a_doc.nodes[v].len;
}

/* Asserts an error answer: status, X-Amzn-ErrorType and a fragment of the message. */
static inline void a_error(int status, const char *type, const char *fragment)
{
    if (a_status != status || strcmp(a_type, type) != 0 ||
        strstr(a_str("message"), fragment) == NULL) {
        fail_msg("status %d type %s body %s; wanted a %d %s with \"%s\"", a_status, a_type, a_body,
                 status, type, fragment);
    }
}

/* Asserts the last answer was a 400 BadRequestException whose message contains want. */
static inline void bad_request_has(const char *want)
{
    a_error(400, "BadRequestException", want);
}

/* Asserts a 200 answer. */
static inline void a_ok(void)
{
    if (a_status != 200 || a_type[0] != '\0') {
        fail_msg("status %d type %s: %s", a_status, a_type, a_body);
    }
}

/* Stores the sample finding of each type, an hour apart from A_NOW. */
static inline void put_samples(const char *const *types, size_t n)
{
    struct cm_finding_ctx ctx = {.detector_id = A_DET};
    struct cm_finding *f = calloc(n, sizeof(*f));
    struct cm_store_put *p = calloc(n, sizeof(*p));
    char err[256];

    assert_non_null(f);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        cm_finding_init(&f[i]);
        assert_int_equal(cm_finding_sample(&f[i], &ctx, A_ACCOUNT, A_REGION, types[i],
                                           A_NOW + (int64_t)i * 3600000),
                         0);
        p[i].f = &f[i];
    }
    assert_int_equal(cm_store_put_findings(a_st, p, n, err, sizeof(err)), 0);
    for (size_t i = 0; i < n; i++) {
        cm_finding_finish(&f[i]);
    }
    free(f);
    free(p);
}

#endif
