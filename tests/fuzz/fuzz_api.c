/*
 * libFuzzer target for the API (src/api/): bytes become one request routed
 * by cm_api_handle() against a store in a temporary file that holds the
 * default detector and two sample findings. Input: the first byte picks the
 * method (GET, POST, DELETE, PUT) and whether the request is scoped to
 * another region; then the path up to the first '\n', the raw query string
 * up to the next '\n' (parsed by cm_api_query_parse(), as the server does),
 * and the body (copied into an exact-size heap buffer so over-reads are
 * caught). Whatever it is, the answer must be a complete response: a status
 * from 200 to 599, an error type exactly when the status is 400 or more, and
 * a body that is JSON (an object) unless the status is 204, and a repeated
 * member answered where it is (api_reader_check.h). Requests may change the
 * store (create, update, delete detectors, tags), as clients do.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api_reader_check.h"
#include "api/api_detector.h"
#include "api/api_query.h"
#include "base/buf.h"
#include "base/json.h"
#include "finding/finding.h"
#include "finding/finding_sample.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cm_store *st;
static struct cm_api_ctx ctx;

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const types[] = {"Recon:EC2/PortProbeUnprotectedPort",
                                        "Policy:IAMUser/RootCredentialUsage"};
    struct cm_finding_ctx fctx = {.detector_id = "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"};
    struct cm_finding f[2];
    struct cm_store_put p[2];
    char dir[] = "/tmp/cm_fuzz_api_XXXXXX", path[64], err[256], id[64];
    (void)argc;
    (void)argv;

    check(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/s.db", dir);
    check(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)) == 0);
    ctx = (struct cm_api_ctx){st, "123456789012", "us-east-1", NULL, NULL, NULL};
    check(cm_api_detector_ensure(&ctx, "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1", 1767225600000LL, id,
                                 sizeof(id), err, sizeof(err)) == 0);
    memset(p, 0, sizeof(p));
    for (int i = 0; i < 2; i++) {
        cm_finding_init(&f[i]);
        check(cm_finding_sample(&f[i], &fctx, "123456789012", "us-east-1", types[i],
                                1767225600000LL + i * 3600000LL) == 0);
        p[i].f = &f[i];
    }
    check(cm_store_put_findings(st, p, 2, err, sizeof(err)) == 0);
    for (int i = 0; i < 2; i++) {
        cm_finding_finish(&f[i]);
    }
    /* The file is unlinked now; the connection keeps it until the process ends. */
    unlink(path);
    {
        char side[80];
        snprintf(side, sizeof(side), "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", path);
        unlink(side);
    }
    rmdir(dir);
    return 0;
}

/* Copies data[*at..] up to '\n' (or the end) into a new string; moves *at past it. */
static char *take_line(const uint8_t *data, size_t size, size_t *at)
{
    size_t s = *at, e = s;
    char *out;

    while (e < size && data[e] != '\n') {
        e++;
    }
    out = malloc(e - s + 1);
    check(out != NULL);
    memcpy(out, data + s, e - s);
    out[e - s] = '\0';
    *at = e < size ? e + 1 : e;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "DELETE", "PUT"};
    struct cm_api_req req;
    struct cm_api_resp resp;
    struct cm_json_doc d;
    char *path, *query, *body = NULL, why[256];
    size_t at = 1;

    if (size < 1) {
        return 0;
    }
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    path = take_line(data, size, &at);
    query = take_line(data, size, &at);
    if (strlen(path) > 4096 || path[0] != '/') {
        free(path);
        free(query);
        return 0;
    }
    req.method = methods[data[0] & 3];
    req.region = (data[0] & 4) ? "eu-west-1" : NULL;
    req.path = path;
    req.now_ms = 1767229200000LL;
    if (size > at) {
        body = malloc(size - at);
        check(body != NULL);
        memcpy(body, data + at, size - at);
        req.body = body;
        req.body_len = size - at;
    }
    if (cm_api_query_parse(&req, query, why, sizeof(why)) != 0) {
        check(why[0] != '\0' && req.nquery == 0);
        goto out;
    }
    cm_buf_init(&resp.body, CM_API_MAX_RESP);
    check(cm_api_handle(&ctx, &req, &resp) == 0);
    check(resp.status >= 200 && resp.status <= 599);
    check((resp.status >= 400) == (resp.error_type != NULL));
    if (resp.status != 204) {
        cm_json_doc_init(&d, 0, 0);
        check(resp.body.len > 0 && cm_json_parse(&d, resp.body.p, resp.body.len, NULL) == 0);
        check(cm_json_type(&d, 0) == CM_JSON_OBJECT);
        check(fuzz_twice_ok(&d, body, body != NULL ? size - at : 0));
        cm_json_doc_finish(&d);
    }
    cm_buf_finish(&resp.body);
    cm_api_query_free(&req);
out:
    free(body);
    free(path);
    free(query);
    return 0;
}
