/*
 * Helpers for the API handler tests: a fresh store in a temp directory per
 * test with the default detector, a context for account 123456789012 in
 * us-east-1, and call(), which runs one request through cm_api_handle() the
 * way the HTTP server does (query parsed by api_query.c) and keeps the
 * response in a_status / a_type / a_body. Included after cmocka.h.
 */
#ifndef CM_TESTS_API_UTIL_H
#define CM_TESTS_API_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_detector.h"
#include "api/api_query.h"
#include "base/err.h"
#include "base/buf.h"
#include "finding/finding.h"
#include "finding/finding_sample.h"
#include "store/store.h"

#define A_ACCOUNT  "123456789012"
#define A_REGION   "us-east-1"
#define A_DET      "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"
#define A_NOW      1767225600000LL /* 2026-01-01T00:00:00Z */
#define A_DET_PATH "/detector/" A_DET

static char a_dir[256], a_path[512];
static struct cm_store *a_st;
static struct cm_api_ctx a_ctx;
static int a_status;
static char a_type[128];
static char *a_body;

static inline int a_setup(void **state)
{
    char err[256], id[64];
    (void)state;
    snprintf(a_dir, sizeof(a_dir), "/tmp/cm_api_t_XXXXXX");
    if (mkdtemp(a_dir) == NULL) {
        return -1;
    }
    snprintf(a_path, sizeof(a_path), "%s/coalmine.db", a_dir);
    if (cm_store_open(&a_st, a_path, CM_STORE_CREATE, err, sizeof(err)) != 0) {
        return -1;
    }
    a_ctx = (struct cm_api_ctx){a_st, A_ACCOUNT, A_REGION};
    return cm_api_detector_ensure(&a_ctx, A_DET, A_NOW, id, sizeof(id), err, sizeof(err));
}

static inline int a_teardown(void **state)
{
    char cmd[600];
    (void)state;
    cm_store_close(a_st);
    a_st = NULL;
    free(a_body);
    a_body = NULL;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* One request; region NULL: unsigned (the server's region). Returns the status. */
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
    req.now_ms = A_NOW + 3600000;
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
    return a_status;
}

static inline int call(const char *method, const char *path, const char *query, const char *body)
{
    return call_in(NULL, method, path, query, body);
}

/* Asserts the last answer was a 400 whose message contains want. */
static inline void bad_request_has(const char *want)
{
    if (a_status != 400 || strcmp(a_type, "BadRequestException") != 0 ||
        strstr(a_body, want) == NULL) {
        fail_msg("status %d type %s body %s; wanted a 400 with \"%s\"", a_status, a_type, a_body,
                 want);
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
