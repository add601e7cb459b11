/*
 * libFuzzer target for the request parsing of the API's write operations
 * and lists (the request reader every operation uses, src/api/api_input.c,
 * and the handlers of api_findings_write.c, api_filters.c, api_lists.c,
 * api_pubdest.c)
 * through cm_api_handle(), on a store made once
 * in a temp directory with the default detector and one filter.
 *
 * The first byte picks the operation, the second the path parameter (a
 * known filter, a missing one, the detector, or the fuzzer's bytes
 * percent-encoded), the rest is the body (POST) or the query string's
 * maxResults and nextToken (GET lists). Every answer must be a complete
 * JSON response: a 200 with a JSON object, or an error with
 * X-Amzn-ErrorType and {"message","__type"}, a repeated member answered
 * where it is (api_reader_check.h). Fuzzing builds (-DCM_FUZZING)
 * read no list location: a set activated here is ERROR. CreateSampleFindings
 * (a store write of every type per run) is left out; its body goes through
 * the same readers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api_reader_check.h"
#include "api/api_detector.h"
#include "base/buf.h"
#include "base/json.h"
#include "store/store.h"

#include "fuzz_scratch.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DET "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1"

static struct cm_api_ctx ctx;

/* Operations: method and path with %s for the parameter after the detector (if any). */
static const struct {
    const char *method, *path;
    int kind; /* 0 body, 1 list query, 2 no input */
} ops[] = {
    {"POST", "/detector/%s/findings/archive", 0},
    {"POST", "/detector/%s/findings/unarchive", 0},
    {"POST", "/detector/%s/findings/feedback", 0},
    {"POST", "/detector/" DET "/filter%.0s", 0},
    {"GET", "/detector/" DET "/filter/%s", 2},
    {"POST", "/detector/" DET "/filter/%s", 0},
    {"DELETE", "/detector/" DET "/filter/%s", 2},
    {"GET", "/detector/%s/filter", 1},
    {"GET", "/detector/" DET "/ipset/%s", 2},
    {"POST", "/detector/%s/ipset", 0},
    {"POST", "/detector/" DET "/threatentityset/%s", 0},
    {"POST", "/detector/" DET "/trustedentityset%.0s", 0},
    {"DELETE", "/detector/" DET "/threatintelset/%s", 2},
    {"GET", "/detector/%s/threatentityset", 1},
    {"GET", "/detector/%s/trustedentityset", 1},
    /* publishing destinations (api_pubdest.c) */
    {"POST", "/detector/%s/publishingDestination", 0},
    {"GET", "/detector/" DET "/publishingDestination/%s", 2},
    {"POST", "/detector/" DET "/publishingDestination/%s", 0},
    {"DELETE", "/detector/" DET "/publishingDestination/%s", 2},
    {"GET", "/detector/%s/publishingDestination", 1},
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char dir[] = "/tmp/fuzz_api_write_XXXXXX";
    char path[128], err[256], id[CM_STORE_DETECTOR_ID_MAX + 1];
    struct cm_api_req req;
    struct cm_api_resp resp;
    static const char filter[] = "{\"name\":\"known\",\"action\":\"ARCHIVE\",\"findingCriteria\":"
                                 "{\"criterion\":{\"severity\":{\"gte\":9}}}}";

    (void)argc;
    (void)argv;
    check(mkdtemp(dir) != NULL);
    check(fuzz_scratch_at_exit(dir, &ctx.store) == 0);
    snprintf(path, sizeof(path), "%s/s.db", dir);
    check(cm_store_open(&ctx.store, path, CM_STORE_CREATE, err, sizeof(err)) == 0);
    ctx.account = "123456789012";
    ctx.region = "us-east-1";
    check(cm_api_detector_ensure(&ctx, DET, 1764892800000, id, sizeof(id), err, sizeof(err)) == 0);
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.path = "/detector/" DET "/filter";
    req.body = filter;
    req.body_len = sizeof(filter) - 1;
    cm_buf_init(&resp.body, 0);
    check(cm_api_handle(&ctx, &req, &resp) == 0 && resp.status == 200);
    cm_buf_finish(&resp.body);
    return 0;
}

/* The path parameter: chosen by sel from fixed ones, or the bytes of p percent-encoded. */
static void param(uint8_t sel, const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char *const fixed[] = {DET, "known", "missing-filter",
                                        "0123456789abcdef0123456789abcdef"};
    size_t o = 0;

    if (sel % 5 < 4) {
        snprintf(out, cap, "%s", fixed[sel % 5]);
        return;
    }
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        out[o++] = '%';
        out[o++] = hex[p[i] >> 4];
        out[o++] = hex[p[i] & 15];
    }
    out[o] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_api_req req;
    struct cm_api_resp resp;
    struct cm_json_doc d;
    char path[1024], prm[600], *rest = NULL, *tok;
    size_t op, n;

    if (size < 2) {
        return 0;
    }
    op = data[0] % NOPS;
    n = size - 2 < 64 ? size - 2 : 64;
    param(data[1], data + 2, n, prm, sizeof(prm));
    snprintf(path, sizeof(path), ops[op].path, prm);
    memset(&req, 0, sizeof(req));
    req.method = ops[op].method;
    req.path = path;
    req.now_ms = 1764892800000;
    if (ops[op].kind == 0) {
        req.body = (const char *)data + 2;
        req.body_len = size - 2;
    } else if (ops[op].kind == 1) {
        rest = malloc(size - 1);
        check(rest != NULL);
        memcpy(rest, data + 2, size - 2);
        rest[size - 2] = '\0';
        tok = strchr(rest, '\n');
        if (tok != NULL) {
            *tok++ = '\0';
        }
        req.query[0].key = (char *)(uintptr_t) "maxResults";
        req.query[0].val = rest;
        req.nquery = 1;
        if (tok != NULL) {
            req.query[1].key = (char *)(uintptr_t) "nextToken";
            req.query[1].val = tok;
            req.nquery = 2;
        }
    }
    cm_buf_init(&resp.body, 0);
    check(cm_api_handle(&ctx, &req, &resp) == 0);
    check(resp.body.len > 0);
    cm_json_doc_init(&d, 0, 0);
    check(cm_json_parse(&d, resp.body.p, resp.body.len, NULL) == 0);
    check(cm_json_type(&d, 0) == CM_JSON_OBJECT);
    check(ops[op].kind != 0 || fuzz_twice_ok(&d, req.body, req.body_len));
    if (resp.status == 200) {
        check(resp.error_type == NULL);
    } else {
        check(resp.error_type != NULL && resp.status >= 400 && resp.status < 600);
        check(cm_json_get(&d, 0, "message") != CM_JSON_NONE);
        check(cm_json_get(&d, 0, "__type") != CM_JSON_NONE);
        /* The server's own failure is a bug, not an answer to bad input. */
        check(resp.status != 500);
    }
    cm_json_doc_finish(&d);
    cm_buf_finish(&resp.body);
    free(rest);
    return 0;
}
