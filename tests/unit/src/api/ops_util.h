/*
 * Helpers for the API handler tests (test_api_*.c): a temp store per test,
 * one request through cm_api_handle() with its JSON answer parsed, and
 * assertions on the status, error type and message. Included after
 * cmocka.h, by test files only.
 */
#ifndef CM_TESTS_OPS_UTIL_H
#define CM_TESTS_OPS_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_detector.h"
#include "base/json.h"
#include "store/store.h"

#define A_DET "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"

static char a_dir[256], a_path[512];
static struct cm_store *a_st;
static struct cm_api_ctx a_ctx;

/* The last answer. */
static struct cm_api_resp a_resp;
static struct cm_json_doc a_doc;
static char a_body[1 << 16];

static inline int a_setup(void **state)
{
    char err[256] = "";

    (void)state;
    snprintf(a_dir, sizeof(a_dir), "/tmp/cm_api_t_XXXXXX");
    if (mkdtemp(a_dir) == NULL) {
        return -1;
    }
    snprintf(a_path, sizeof(a_path), "%s/coalmine.db", a_dir);
    if (cm_store_open(&a_st, a_path, CM_STORE_CREATE, err, sizeof(err)) != 0) {
        return -1;
    }
    a_ctx.store = a_st;
    a_ctx.account = "123456789012";
    a_ctx.region = "us-east-1";
    cm_buf_init(&a_resp.body, 0);
    cm_json_doc_init(&a_doc, 0, 0);
    /* The detector the tests' paths name, as `coalmine serve` makes it on its first start. */
    {
        char id[CM_STORE_DETECTOR_ID_MAX + 1];

        if (cm_api_detector_ensure(&a_ctx, A_DET, 1764892800000, id, sizeof(id), err,
                                   sizeof(err)) != 0) {
            return -1;
        }
        return strcmp(id, A_DET) == 0 ? 0 : -1;
    }
}

static inline int a_teardown(void **state)
{
    char cmd[600];

    (void)state;
    cm_store_close(a_st);
    a_st = NULL;
    cm_buf_finish(&a_resp.body);
    cm_json_doc_finish(&a_doc);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Runs one request (query "k=v&k=v" or NULL); returns the status. The answer is in a_doc. */
static inline int a_call_q(const char *method, const char *path, const char *query,
                           const char *body)
{
    struct cm_api_req req;
    char q[512], *save = NULL;

    memset(&req, 0, sizeof(req));
    req.method = method;
    req.path = path;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.now_ms = 1764892800000; /* 2025-12-05 */
    if (query != NULL) {
        snprintf(q, sizeof(q), "%s", query);
        for (char *kv = strtok_r(q, "&", &save); kv && req.nquery < CM_API_MAX_QUERY;
             kv = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(kv, '=');
            req.query[req.nquery].key = kv;
            req.query[req.nquery].val = eq ? eq + 1 : kv + strlen(kv);
            if (eq) {
                *eq = '\0';
            }
            req.nquery++;
        }
    }
    cm_buf_reset(&a_resp.body);
    assert_int_equal(cm_api_handle(&a_ctx, &req, &a_resp), 0);
    assert_true(a_resp.body.len < sizeof(a_body));
    memcpy(a_body, a_resp.body.p, a_resp.body.len);
    a_body[a_resp.body.len] = '\0';
    cm_json_doc_finish(&a_doc);
    cm_json_doc_init(&a_doc, 0, 0);
    if (cm_json_parse(&a_doc, a_body, a_resp.body.len, NULL) != 0) {
        fail_msg("answer is not JSON: %s", a_body);
    }
    return a_resp.status;
}

static inline int a_call(const char *method, const char *path, const char *body)
{
    return a_call_q(method, path, NULL, body);
}

/* String member name of the answer ("" when absent), copied into a static buffer. */
static inline const char *a_str(const char *name)
{
    static char out[4][2048];
    static int k;
    uint32_t v = cm_json_path(&a_doc, 0, name);
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

/* Asserts an error answer: status, X-Amzn-ErrorType and a fragment of the message. */
static inline void a_error(int status, const char *type, const char *fragment)
{
    assert_int_equal(a_resp.status, status);
    assert_non_null(a_resp.error_type);
    assert_string_equal(a_resp.error_type, type);
    if (strstr(a_str("message"), fragment) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", a_str("message"), fragment);
    }
}

/* Asserts a 200 answer. */
static inline void a_ok(void)
{
    if (a_resp.status != 200) {
        fail_msg("status %d: %s", a_resp.status, a_body);
    }
    assert_null(a_resp.error_type);
}

/* Element count of the array member name, -1 when absent. */
static inline int a_count(const char *name)
{
    uint32_t v = cm_json_path(&a_doc, 0, name);

    return v == CM_JSON_NONE ? -1 : (int)a_doc.nodes[v].len;
}

#endif
